"""Survey phases and questions: the words for each phase, the built-in set, questions files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from chefintro.enums import QuestionKind, SurveyPhase
from chefintro.errors import InvalidInputError, Problem, UnreadableInputError, UsageError
from chefintro.text import clean_text, control_problem, question_key
from chefintro.words import plural

MAX_QUESTIONS = 40
MAX_QUESTION_LENGTH = 500
PHASE_ORDER = {phase: index for index, phase in enumerate(SurveyPhase)}
PHASE_WORDS = {
    "start": SurveyPhase.START,
    "början": SurveyPhase.START,
    "mid": SurveyPhase.MID,
    "mitt": SurveyPhase.MID,
    "halvtid": SurveyPhase.MID,
    "end": SurveyPhase.END,
    "slut": SurveyPhase.END,
    "followup": SurveyPhase.FOLLOWUP,
    "follow-up": SurveyPhase.FOLLOWUP,
    "uppföljning": SurveyPhase.FOLLOWUP,
}
KIND_WORDS = {
    "scale": QuestionKind.SCALE,
    "skala": QuestionKind.SCALE,
    "text": QuestionKind.TEXT,
    "fritext": QuestionKind.TEXT,
}


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    kind: QuestionKind = QuestionKind.SCALE


#: The built-in questions for new managers; the same for every phase, so they compare.
BUILTIN_QUESTIONS: tuple[QuestionSpec, ...] = (
    QuestionSpec("Jag känner mig trygg i min roll som chef."),
    QuestionSpec("Jag vet vad som förväntas av mig som chef i staten."),
    QuestionSpec("Jag har god kunskap om hur den statliga förvaltningen fungerar."),
    QuestionSpec("Jag har ett nätverk av chefskolleger utanför min egen myndighet."),
    QuestionSpec("Jag vet var jag kan få stöd när jag möter svåra situationer som chef."),
    QuestionSpec("Jag tar mig regelbundet tid att reflektera över mitt eget ledarskap."),
    QuestionSpec("Vad är din största utmaning som chef just nu?", QuestionKind.TEXT),
    QuestionSpec("Övriga synpunkter på programmet", QuestionKind.TEXT),
)


#: The check-in form (``survey add NAME --kind checkin``): a pair reports its last meeting
#: itself. In this order; the import reads them by position (chefintro.followup.checkin).
CHECKIN_QUESTIONS: tuple[QuestionSpec, ...] = (
    QuestionSpec("Datum för ert senaste möte (ÅÅÅÅ-MM-DD)", QuestionKind.TEXT),
    QuestionSpec("Hur länge träffades ni? (minuter)", QuestionKind.TEXT),
    QuestionSpec("Vi har kommit överens om hur vi arbetar tillsammans (ja/nej)", QuestionKind.TEXT),
    QuestionSpec(
        "Något mer du vill berätta? (syns bara i ert pars egen rapport)", QuestionKind.TEXT
    ),
)
SURVEY_KIND = "survey"
CHECKIN_KIND = "checkin"
SURVEY_KIND_WORDS = {
    "survey": SURVEY_KIND,
    "enkät": SURVEY_KIND,
    "checkin": CHECKIN_KIND,
    "check-in": CHECKIN_KIND,
    "incheckning": CHECKIN_KIND,
}


def parse_survey_kind(value: str) -> str:
    """Return ``survey`` or ``checkin`` for a Swedish or English word, or raise UsageError."""
    kind = SURVEY_KIND_WORDS.get((clean_text(value) or "").casefold())
    if kind is None:
        raise UsageError(f"{value!r} is not a kind of survey; use survey or checkin.")
    return kind


#: The end survey's question on what a participant carries home (``report ideas``).
IDEA_QUESTION = QuestionSpec(
    "En idé jag tar med mig hem till min myndighet från programmet", QuestionKind.TEXT
)
#: The follow-up survey's questions, 12 and 24 months after the year (``report pipeline``).
STILL_MANAGER_QUESTION = QuestionSpec("Är du fortfarande chef? (ja/nej)", QuestionKind.TEXT)
AGENCY_NOW_QUESTION = QuestionSpec("På vilken myndighet arbetar du nu?", QuestionKind.TEXT)

#: What each phase asks besides the built-in questions (added after them, so positions of
#: the questions every phase shares stay the same).
PHASE_QUESTIONS: dict[SurveyPhase, tuple[QuestionSpec, ...]] = {
    SurveyPhase.END: (IDEA_QUESTION,),
    SurveyPhase.FOLLOWUP: (STILL_MANAGER_QUESTION, AGENCY_NOW_QUESTION),
}


def builtin_questions(phase: SurveyPhase) -> tuple[QuestionSpec, ...]:
    """The built-in questions of a phase: the shared set, then the phase's own."""
    return BUILTIN_QUESTIONS + PHASE_QUESTIONS.get(phase, ())


def parse_phase(value: str) -> SurveyPhase:
    """Return the phase for a Swedish or English word, or raise UsageError."""
    phase = PHASE_WORDS.get((clean_text(value) or "").casefold())
    if phase is None:
        raise UsageError(f"{value!r} is not a phase; use start, mid, end or followup.")
    return phase


def read_questions(path: Path) -> list[QuestionSpec]:
    """Read a TOML questions file: ``[[question]]`` tables with ``text`` and ``kind``.

    ``kind`` is ``scale`` (a 1–7 statement, the default) or ``text``. Every problem is
    reported at once (exit 65); a missing or unreadable file is exit 66.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UnreadableInputError(f"{path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableInputError(f"{path} cannot be read: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{path} is not valid TOML: {exc}.") from None
    except RecursionError:
        raise InvalidInputError(
            f"{path} nests arrays or tables too deep to read; a questions file holds "
            "[[question]] tables with text and kind only."
        ) from None
    problems: list[Problem] = []

    def bad(where: str, message: str) -> None:
        problems.append(Problem(message, sheet=path.name, column=where))

    for key in raw:
        if key != "question":
            bad(key, "unknown key; a questions file holds [[question]] tables only")
    entries = raw.get("question", [])
    if not isinstance(entries, list) or not entries:
        bad("question", 'no questions; add [[question]] tables with text = "…"')
        entries = []
    questions: list[QuestionSpec] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"question {number}"
        if not isinstance(entry, dict):
            bad(where, "must be a table with text and kind")
            continue
        for key in entry:
            if key not in ("text", "kind"):
                bad(where, f"unknown key {key!r}; allowed: text, kind")
        text = clean_text(entry.get("text")) if isinstance(entry.get("text"), str) else None
        if not text:
            bad(where, 'needs text = "…"')
            continue
        if (problem := control_problem(str(entry.get("text")))) is not None:
            bad(where, problem)
            continue
        if len(text) > MAX_QUESTION_LENGTH:
            bad(where, f"the text is {len(text)} characters; at most {MAX_QUESTION_LENGTH}")
            continue
        kind_word = entry.get("kind", "scale")
        kind = KIND_WORDS.get(str(kind_word).strip().casefold())
        if kind is None:
            bad(where, f"kind {kind_word!r} is not scale or text")
            continue
        key = question_key(text)
        if key in seen:
            bad(where, f"the same question as question {seen[key]}")
            continue
        seen[key] = number
        questions.append(QuestionSpec(text, kind))
    if len(questions) > MAX_QUESTIONS:
        bad("question", f"{len(questions)} questions; at most {MAX_QUESTIONS}")
    if problems:
        raise InvalidInputError(f"{path} has {plural(len(problems), 'problem')}.", problems)
    return questions
