"""Ordered, named schema migrations: how a store made by an older chefintro becomes current.

Schema 1 is the store of the first release (every table except ``audit_log``). A fresh
store is created from the models and stamped with :data:`SCHEMA_VERSION`; an older store
gets every migration newer than its version, in order, in one transaction (see
``chefintro.store``). A test proves that both roads lead to the same schema.

Rules for a new migration:

* Append it with the next version number; never edit or reorder a released one.
* Describe the tables it touches as they are *at that version* (a private ``MetaData``),
  never through ``chefintro.models``: the models move on, a migration must not.
* Use SQLAlchemy DDL or SQL that PostgreSQL and SQLite both accept. SQLite cannot alter
  a column or a constraint: rebuild the table with the documented 12 steps
  (https://sqlite.org/lang_altertable.html#otheralter) — create ``new_X``, copy the rows,
  drop ``X``, rename ``new_X`` to ``X``, recreate its indexes. The runner already does the
  other steps: foreign keys are off during the transaction and ``foreign_key_check`` must
  pass before it commits.

Each step lives in a module of this package (``steps_A_to_B.py`` or ``step_N_name.py``);
this module lists them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from chefintro.migrations.step_10_own_voice import add_own_voice
from chefintro.migrations.step_11_network import add_network
from chefintro.migrations.step_12_consent import add_consent
from chefintro.migrations.steps_2_to_6 import (
    add_audit_log,
    add_follow_up,
    add_messages,
    add_session_cancelled,
    add_surveys,
)
from chefintro.migrations.steps_7_to_9 import (
    add_command_journal,
    add_participant_as_of,
    stable_message_records,
)

BASELINE_VERSION = 1


@dataclass(frozen=True)
class Migration:
    """One step from schema ``version - 1`` to ``version``."""

    version: int
    name: str
    apply: Callable[[Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "add the audit log of privacy-relevant actions", add_audit_log),
    Migration(3, "add pair start, end and reason, and the meeting table", add_follow_up),
    Migration(4, "add agency contacts and the record of sent messages", add_messages),
    Migration(5, "add surveys: questions and answers", add_surveys),
    Migration(6, "keep removed programme days as cancelled", add_session_cancelled),
    Migration(
        7, "keep each participant's agency, unit and title as of the cohort", add_participant_as_of
    ),
    Migration(8, "add the command journal that 'db undo' reads", add_command_journal),
    Migration(
        9, "name sent messages by stable identity; claim before sending", stable_message_records
    ),
    Migration(
        10, "add pair agreements, check-in notes and the record of agency letters", add_own_voice
    ),
    Migration(
        11, "add consent to be listed in the directory, and the meeting kind (visit)", add_network
    ),
    Migration(12, "add proposals to mentors with their answers, and mentors' wishes", add_consent),
)

SCHEMA_VERSION = MIGRATIONS[-1].version if MIGRATIONS else BASELINE_VERSION
PARTICIPANT_AS_OF = 7  # from this schema on a participant keeps its agency as of the cohort


def pending(version: int) -> list[Migration]:
    """Return the migrations a store at ``version`` still needs, oldest first."""
    return [m for m in MIGRATIONS if m.version > version]
