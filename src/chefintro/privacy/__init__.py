"""Personal data: export all on one person, erase a person, anonymise a closed cohort.

Each of these records itself in the audit log (:mod:`chefintro.audit`, which never holds a
name or an e-mail address); erasing and anonymising then purge the store file.

``export`` gathers one person's data and a cohort's archive, ``footprint`` finds every row
that refers to a person, ``erasure`` removes them, ``scrub`` takes a name and e-mail out of
other people's rows, ``anonymise`` archives and pseudonymises a closed cohort. Import from
here.
"""

from chefintro.privacy.anonymise import (
    PSEUDONYM_EMAIL,
    PSEUDONYM_NAME,
    Anonymisation,
    Pseudonym,
    anonymise,
    anonymise_cohort,
    apply_pseudonyms,
    check_anonymisable,
)
from chefintro.privacy.erasure import erase, erase_person, erasure_preview, forget_person
from chefintro.privacy.export import export_person, export_person_to
from chefintro.privacy.footprint import Erasure
from chefintro.privacy.scrub import ERASED

__all__ = [
    "ERASED",
    "PSEUDONYM_EMAIL",
    "PSEUDONYM_NAME",
    "Anonymisation",
    "Erasure",
    "Pseudonym",
    "anonymise",
    "anonymise_cohort",
    "apply_pseudonyms",
    "check_anonymisable",
    "erase",
    "erase_person",
    "erasure_preview",
    "export_person",
    "export_person_to",
    "forget_person",
]
