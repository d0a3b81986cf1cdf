"""Which letters went to which agency's contact: the ``agency_letter`` rows.

The claim, confirm and release of :mod:`chefintro.messages.records` on its agencies' book,
for letters whose recipient is an agency (its HR contact) rather than a person: a
recipient's id is the agency's id. A letter is named by ``digest:<agency code>:<day>``
(the code is the agency's stable name; its row id could be taken by another agency later).
"""

from __future__ import annotations

from datetime import date
from functools import partial

from chefintro.messages import records
from chefintro.messages.records import AGENCIES


def digest_key(agency_code: str, day: date) -> str:
    """Return the key of an agency's digest of one day."""
    return f"digest:{agency_code}:{day.isoformat()}"


# The people's functions on the agencies' book: a recipient's id is an agency's id.
#: (subject key, agency id) → status of every letter of a kind in the cohort.
sent_to = partial(records.sent_to, book=AGENCIES)
#: Mark the agencies ``sending``; see :func:`records.claim`.
claim = partial(records.claim, book=AGENCIES)
#: Mark these claimed agencies ``sent`` now; return how many.
confirm = partial(records.confirm, book=AGENCIES)
#: Give back the claim on agencies the letter did not reach.
release = partial(records.release, book=AGENCIES)
