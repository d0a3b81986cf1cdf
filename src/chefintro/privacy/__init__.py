"""Personal data: export all on one person, erase a person, anonymise a closed cohort.

Each of these records itself in the audit log (:mod:`chefintro.audit`, which never holds a
name or an e-mail address); erasing and anonymising then purge the store file.

``export`` gathers one person's data and a cohort's archive, ``footprint`` finds every row
that refers to a person, ``erasure`` removes them, ``scrub`` takes a name and e-mail out of
other people's rows, ``anonymise`` archives and pseudonymises a closed cohort. Import from the
module that does the job: every command passes through :mod:`.resume`, so this package
loads none of them by itself.
"""
