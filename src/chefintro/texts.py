"""The words of what people read, in Swedish and English: one catalogue, one place.

Report tables (``chefintro report …``) are written in the language ``--lang`` or the
setting ``report.lang`` chooses, Swedish by default, since the coordinator forwards them
to HR and the steering group. Documents (certificates, summaries, workbooks, letters)
are Swedish. Every status and kind of the domain has a word here; numbers are written
with a decimal comma (and a true minus sign) in Swedish.

Light to import: plain dictionaries, no database, no rich.
"""

from __future__ import annotations

import string
from typing import Literal

from chefintro.enums import (
    KIND_LABELS,
    STATUS_LABELS,
    AttendanceStatus,
    CohortStatus,
    PairingState,
    ParticipantStatus,
    Role,
    SessionKind,
    SurveyPhase,
)

Lang = Literal["sv", "en"]
LANGS: tuple[Lang, ...] = ("sv", "en")
#: The language of report tables when neither ``--lang`` nor ``report.lang`` says.
DEFAULT_LANG: Lang = "sv"

#: A word or template per language; templates name their fields as str.format does.
CATALOGUE: dict[str, dict[str, str]] = {
    # --- the domain's closed vocabularies (every enum value; see test_texts) -------------
    **{
        f"kind.{kind.value}": {"sv": KIND_LABELS[kind], "en": en}
        for kind, en in (
            (SessionKind.KICKOFF, "kickoff"),
            (SessionKind.TRAINING, "training"),
            (SessionKind.LECTURE, "lecture"),
            (SessionKind.NETWORK, "network"),
            (SessionKind.CLOSING, "closing"),
        )
    },
    **{
        f"attendance.{status.value}": {"sv": STATUS_LABELS[status], "en": en}
        for status, en in (
            (AttendanceStatus.PRESENT, "present"),
            (AttendanceStatus.ABSENT, "absent"),
            (AttendanceStatus.EXCUSED, "excused"),
        )
    },
    "role.adept": {"sv": "adept", "en": "adept"},
    "role.mentor": {"sv": "mentor", "en": "mentor"},
    "participant.active": {"sv": "aktiv", "en": "active"},
    "participant.withdrawn": {"sv": "avbrutit", "en": "withdrawn"},
    "participant.completed": {"sv": "slutfört", "en": "completed"},
    "pairing.proposed": {"sv": "föreslaget", "en": "proposed"},
    "pairing.active": {"sv": "aktivt", "en": "active"},
    "pairing.ended": {"sv": "avslutat", "en": "ended"},
    "cohort.planned": {"sv": "planerad", "en": "planned"},
    "cohort.active": {"sv": "pågående", "en": "active"},
    "cohort.closed": {"sv": "avslutad", "en": "closed"},
    "cohort.anonymised": {"sv": "avidentifierad", "en": "anonymised"},
    "phase.start": {"sv": "i början av programmet", "en": "start"},
    "phase.mid": {"sv": "mitt i programmet", "en": "mid"},
    "phase.end": {"sv": "i slutet av programmet", "en": "end"},
    "phase.followup": {"sv": "uppföljning efter programmet", "en": "follow-up"},
    "phase.checkin": {"sv": "incheckning under programmet", "en": "check-in"},
    "flag.yes": {"sv": "ja", "en": "yes"},
    "flag.no": {"sv": "nej", "en": "no"},
    # --- an adept's standing by attendance (attendance.Standing.status) -------------------
    "standing.ok": {"sv": "uppfyller kravet", "en": "ok"},
    "standing.at_risk": {"sv": "i riskzonen", "en": "at risk"},
    "standing.cannot_complete": {"sv": "kan inte slutföra", "en": "cannot complete"},
    "standing.not_required": {"sv": "mentor (inget krav)", "en": "mentor (not required)"},
    # --- completion (yearend.CompletionRow.status) ----------------------------------------
    "completion.completed": {"sv": "slutfört", "en": "completed"},
    "completion.not_completed": {"sv": "ej slutfört", "en": "not completed"},
    "completion.in_progress": {"sv": "pågår", "en": "in progress"},
    "completion.withdrawn": {"sv": "avbrutit", "en": "withdrawn"},
    "completion.mentor": {"sv": "mentor (bedöms inte)", "en": "mentor (not judged)"},
    # --- a pair's follow-up status (followup.status_of) -----------------------------------
    "pair_status.no_first_meeting": {"sv": "inget första möte", "en": "no first meeting"},
    "pair_status.quiet": {"sv": "tyst", "en": "quiet"},
    "pair_status.ok": {"sv": "i gång", "en": "ok"},
    "pair_status.weeks": {"sv": "{status}, {weeks} veckor", "en": "{status}, {weeks} weeks"},
    # A proposal sent to its mentor and not yet answered (issue 34; pairing.consent).
    "pair_status.awaiting_answer": {"sv": "väntar på svar", "en": "awaiting answer"},
    "pair_status.day": {"sv": "{status}, 1 dag", "en": "{status}, 1 day"},
    "pair_status.days": {"sv": "{status}, {days} dagar", "en": "{status}, {days} days"},
    # --- why a pair was matched (matching.scoring.CRITERIA) -------------------------------
    "criterion.same_field": {"sv": "samma verksamhetsområde", "en": "same field"},
    "criterion.wished_field": {"sv": "önskat verksamhetsområde", "en": "wished field"},
    "criterion.preference_1": {"sv": "adeptens första mentorsönskemål", "en": "1st wish"},
    "criterion.preference_2": {"sv": "adeptens andra mentorsönskemål", "en": "2nd wish"},
    "criterion.preference_3": {"sv": "adeptens tredje mentorsönskemål", "en": "3rd wish"},
    "criterion.same_location": {"sv": "samma ort", "en": "same location"},
    "criterion.experience": {"sv": "mentorns erfarenhet som chef", "en": "experience"},
    "criterion.mentor_field": {"sv": "mentorns önskade verksamhetsområde", "en": "mentor field"},
    "criterion.mentor_location": {"sv": "mentorns önskade ort", "en": "mentor location"},
    "criterion.mentor_wish": {"sv": "mentorns önskade adept", "en": "mentor wish"},
    "criterion.points": {"sv": "{criterion} {points} poäng", "en": "{criterion} +{points}"},
    # --- messages sent (messages.content kinds) -------------------------------------------
    "message.intro": {"sv": "introduktion av paret", "en": "pair introduction"},
    "message.groups": {"sv": "brev till nätverksgruppen", "en": "peer group letter"},
    "message.reminder": {"sv": "påminnelse om programdag", "en": "programme day reminder"},
    "message.about.pair": {
        "sv": "paret {adept} (adept) och {mentor} (mentor)",
        "en": "the pair {adept} (adept) and {mentor} (mentor)",
    },
    "message.about.group": {"sv": "nätverksgruppen {group}", "en": "peer group {group}"},
    "message.about.session": {"sv": "{title} {day}", "en": "{title} {day}"},
    "message.about.unknown": {
        "sv": "något som inte längre finns i registret",
        "en": "something no longer in the register",
    },
    # --- column headers -------------------------------------------------------------------
    "h.name": {"sv": "Namn", "en": "Name"},
    "h.email": {"sv": "E-post", "en": "E-mail"},
    "h.agency": {"sv": "Myndighet", "en": "Agency"},
    "h.role": {"sv": "Roll", "en": "Role"},
    "h.attended": {"sv": "Närvarat", "en": "Attended"},
    "h.excused": {"sv": "Förhinder", "en": "Excused"},
    "h.absent": {"sv": "Frånvarande", "en": "Absent"},
    "h.unrecorded": {"sv": "Ej registrerat", "en": "Not recorded"},
    "h.rate": {"sv": "Andel", "en": "Rate"},
    "h.status": {"sv": "Status", "en": "Status"},
    "h.adepts": {"sv": "Adepter", "en": "Adepts"},
    "h.mentors": {"sv": "Mentorer", "en": "Mentors"},
    "h.placed": {"sv": "Placerade", "en": "Placed"},
    "h.unmatched": {"sv": "Utan mentor", "en": "Unmatched"},
    "h.mentor_places": {"sv": "Mentorsplatser", "en": "Mentor places"},
    "h.places_used": {"sv": "Använda platser", "en": "Places used"},
    "h.total": {"sv": "Totalt", "en": "Total"},
    "h.matrix_corner": {"sv": "Adept ↓ / mentor →", "en": "Adept ↓ / mentor →"},
    "h.gives": {"sv": "Ger", "en": "Gives"},
    "h.takes": {"sv": "Tar", "en": "Takes"},
    "h.balance": {"sv": "Saldo", "en": "Balance"},
    "h.pairs": {"sv": "Par", "en": "Pairs"},
    "h.adept": {"sv": "Adept", "en": "Adept"},
    "h.mentor": {"sv": "Mentor", "en": "Mentor"},
    "h.since": {"sv": "Sedan", "en": "Since"},
    "h.meetings": {"sv": "Möten", "en": "Meetings"},
    "h.minutes": {"sv": "Minuter", "en": "Minutes"},
    "h.last_meeting": {"sv": "Senaste möte", "en": "Last meeting"},
    "h.agreed": {"sv": "Överens", "en": "Agreed"},
    "h.question": {"sv": "Fråga", "en": "Question"},
    "h.by.agency": {"sv": "Myndighet", "en": "Agency"},
    "h.by.role": {"sv": "Roll", "en": "Role"},
    "h.change": {"sv": "Förändring {start} → {end}", "en": "Change {start} → {end}"},
    "h.id": {"sv": "Id", "en": "Id"},
    "h.when": {"sv": "När", "en": "When"},
    "h.title": {"sv": "Titel", "en": "Title"},
    "h.kind": {"sv": "Typ", "en": "Kind"},
    "h.location": {"sv": "Plats", "en": "Location"},
    "h.host": {"sv": "Värd", "en": "Host"},
    "h.present": {"sv": "Närvarande", "en": "Present"},
    # --- titles and captions --------------------------------------------------------------
    "t.sessions": {"sv": "Träffar, omgång {cohort}", "en": "Sessions, cohort {cohort}"},
    "c.sessions": {
        "sv": "Tiderna är svensk tid (Europe/Stockholm).",
        "en": "Times are Swedish time (Europe/Stockholm).",
    },
    "t.attendance": {"sv": "Närvaro, omgång {cohort}", "en": "Attendance, cohort {cohort}"},
    "c.attendance": {
        "sv": "{held} av {total} träffar hållna; för att slutföra krävs {required} "
        "({share}); förhinder {excused}.",
        "en": "{held} of {total} sessions held; completing needs {required} ({share}); "
        "excused {excused}.",
    },
    "c.excused_counts": {"sv": "räknas som närvaro", "en": "counts as attended"},
    "c.excused_not": {"sv": "räknas inte som närvaro", "en": "does not count as attended"},
    "t.overview": {"sv": "Översikt, omgång {cohort}", "en": "Overview, cohort {cohort}"},
    "c.overview": {
        "sv": "Träffar: {held} hållna, {planned} planerade. Nätverksgrupper: {groups}.",
        "en": "Sessions: {held} held, {planned} planned. Peer groups: {groups}.",
    },
    "t.agencies": {
        "sv": "Par per myndighet, omgång {cohort}",
        "en": "Pairs by agency, cohort {cohort}",
    },
    "c.agencies": {
        "sv": "Rader: adeptens myndighet. Kolumner: mentorns myndighet. Aktiva par.",
        "en": "Rows: the adept's agency. Columns: the mentor's agency. Live pairs.",
    },
    "t.give_take": {"sv": "Ge och ta, omgång {cohort}", "en": "Give and take, cohort {cohort}"},
    "t.history": {"sv": "År för år, {span}", "en": "Year over year, {span}"},
    "t.history.one": {"sv": "omgång {first}", "en": "cohort {first}"},
    "t.history.many": {"sv": "omgångarna {first} – {last}", "en": "cohorts {first} – {last}"},
    "c.history": {
        "sv": "Varje omgång: adepter / mentorer / par. Ett par räknas för båda sina "
        "myndigheter; totalraden räknar det en gång.",
        "en": "Each cohort: adepts / mentors / pairs. A pair counts for both its agencies; "
        "the total row counts it once.",
    },
    "t.pairs": {
        "sv": "Par, omgång {cohort}, per {day}",
        "en": "Pairs, cohort {cohort}, as of {day}",
    },
    "c.pairs": {
        "sv": "Inget första möte: inget inom {first} veckor från start. "
        "Tyst: inget möte på {quiet} veckor.",
        "en": "No first meeting: none within {first} weeks of the start. "
        "Quiet: no meeting for {quiet} weeks.",
    },
    "t.completion": {"sv": "Slutförande, omgång {cohort}", "en": "Completion, cohort {cohort}"},
    "c.completion": {
        "sv": "{held} av {total} programdagar hållna; för att slutföra krävs {required} ({share}).",
        "en": "{held} of {total} programme days held; completing needs {required} ({share}).",
    },
    "t.survey": {"sv": "Enkäter, omgång {cohort}", "en": "Surveys, cohort {cohort}"},
    "c.survey": {
        "sv": "Medelvärde på skalan 1–7 och antal svar; förändringen räknar dem som svarat "
        "båda gångerna. Grupper med färre än {min_group} svar visas inte.",
        "en": "Mean on the 1–7 scale and number of answers; the change counts people who "
        "answered both. Groups with fewer than {min_group} answers are hidden.",
    },
    "survey.hidden": {"sv": "färre än {min_group} svar", "en": "fewer than {min_group} answers"},
    # --- what a table without rows says instead of bare headers (output.table empty=) ---
    "e.participants": {
        "sv": "Omgången har inga deltagare ännu.",
        "en": "The cohort has no participants yet.",
    },
    "e.sessions": {
        "sv": "Omgången har inga träffar ännu.",
        "en": "The cohort has no sessions yet.",
    },
    # --- the network beyond the year (network directory, report ideas, report pipeline) ---
    "h.unit": {"sv": "Enhet", "en": "Unit"},
    "h.job_title": {"sv": "Befattning", "en": "Title"},
    "h.group": {"sv": "Nätverksgrupp", "en": "Peer group"},
    "h.years_roles": {"sv": "År och roller", "en": "Years and roles"},
    "h.visits": {"sv": "Studiebesök", "en": "Visits"},
    "h.ideas": {"sv": "Idéer att ta hem", "en": "Ideas taken home"},
    "h.months_manager": {"sv": "Månader som chef", "en": "Months as manager"},
    "h.cohort": {"sv": "Omgång", "en": "Cohort"},
    "h.months": {"sv": "Månader", "en": "Months"},
    "h.due": {"sv": "Ska göras", "en": "Due"},
    "h.survey": {"sv": "Enkät", "en": "Survey"},
    "h.answers": {"sv": "Svar", "en": "Answers"},
    "h.still_managers": {"sv": "Fortfarande chefer", "en": "Still managers"},
    "t.directory": {"sv": "Katalog, omgång {cohort}", "en": "Directory, cohort {cohort}"},
    "t.alumni": {"sv": "Alumner, alla omgångar", "en": "Alumni, every cohort"},
    "c.directory": {
        "sv": "Bara de som samtyckt till att listas; {unlisted} utan samtycke är inte med.",
        "en": "Only those who consented to be listed; {unlisted} without consent left out.",
    },
    "e.directory": {
        "sv": "Ingen har samtyckt till att listas ännu.",
        "en": "No one has consented to be listed yet.",
    },
    "t.ideas": {"sv": "Idéer att ta hem per myndighet, {span}", "en": "Ideas taken home, {span}"},
    "c.ideas": {
        "sv": "Slutenkätens idéer, utan namn, från dem som samtyckt till att listas; en "
        "myndighet med färre än {min_group} idéer visas inte. Studiebesök: adepternas besök "
        "hos en annan myndighet.",
        "en": "The end survey's ideas, without names, of those who consented to be listed; "
        "an agency with fewer than {min_group} ideas is hidden. Visits: the adepts' visits "
        "to another agency.",
    },
    "ideas.hidden": {"sv": "färre än {min_group} idéer", "en": "fewer than {min_group} ideas"},
    "ideas.times": {"sv": "{idea} ({count} gånger)", "en": "{idea} ({count} times)"},
    "e.ideas": {"sv": "Inga idéer ännu.", "en": "No ideas yet."},
    "t.eligible": {
        "sv": "Tidigare adepter som kan bli mentorer {day} (minst {months} månader som chef)",
        "en": "Former adepts eligible as mentors on {day} (at least {months} months as manager)",
    },
    "e.eligible": {
        "sv": "Ingen tidigare adept har varit chef länge nog ännu.",
        "en": "No former adept has been a manager long enough yet.",
    },
    "t.mentors": {
        "sv": "Tidigare mentorer som fortfarande är chefer",
        "en": "Former mentors still managers",
    },
    "e.mentors": {"sv": "Inga tidigare mentorer ännu.", "en": "No former mentors yet."},
    "c.pipeline": {
        "sv": "Bara de som samtyckt till att listas; den som i en uppföljning svarat att hen "
        "inte längre är chef är inte med.",
        "en": "Only those who consented to be listed; anyone whose follow-up answer says "
        "they are no longer a manager is left out.",
    },
    "t.follow_ups": {"sv": "Uppföljningsenkäter", "en": "Follow-up surveys"},
    "c.follow_ups": {
        "sv": "12 och 24 månader efter en omgångs slut (en uppföljningsenkät vars namn har "
        "12 eller 24). Färre än {min_group} svar visas inte.",
        "en": "12 and 24 months after a cohort's end (a follow-up survey whose name holds "
        "12 or 24). Fewer than {min_group} answers are hidden.",
    },
    "e.follow_ups": {
        "sv": "Inga omgångar att följa upp ännu.",
        "en": "No cohorts to follow up yet.",
    },
    "follow_up.done": {"sv": "gjord", "en": "done"},
    "follow_up.overdue": {"sv": "försenad", "en": "overdue"},
    "follow_up.upcoming": {"sv": "kommande", "en": "upcoming"},
    "follow_up.share": {"sv": "{count} ({share})", "en": "{count} ({share})"},
}

#: The closed vocabularies whose every value needs a word, by catalogue prefix.
VOCABULARIES = {
    "kind": SessionKind,
    "attendance": AttendanceStatus,
    "role": Role,
    "participant": ParticipantStatus,
    "pairing": PairingState,
    "cohort": CohortStatus,
    "phase": SurveyPhase,
}


def parse_lang(value: str) -> Lang:
    """Return "sv" or "en" for a language the coordinator names; raise ValueError else."""
    word = value.strip().casefold()
    aliases: dict[str, Lang] = {
        "sv": "sv",
        "svenska": "sv",
        "swedish": "sv",
        "se": "sv",
        "en": "en",
        "english": "en",
        "engelska": "en",
    }
    if word not in aliases:
        raise ValueError(f"{value!r} is not a language we write; use sv or en.")
    return aliases[word]


def text(key: str, lang: Lang, **fields: object) -> str:
    """Return the catalogue's text for ``key`` in ``lang``, with ``fields`` filled in."""
    template = CATALOGUE[key][lang]
    return template.format(**fields) if fields else template


def word(prefix: str, value: object, lang: Lang) -> str:
    """Return the word for a status or kind: ``word("kind", SessionKind.KICKOFF, "sv")``."""
    return CATALOGUE[f"{prefix}.{value}"][lang]


def fields_of(template: str) -> set[str]:
    """Return the names a template fills in (for the catalogue's completeness test)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def decimal(value: float, lang: Lang, *, places: int = 1, signed: bool = False) -> str:
    """Return ``value`` with ``places`` decimals: "3,8", "+2,2", "−0,5" in Swedish."""
    written = f"{value:+.{places}f}" if signed else f"{value:.{places}f}"
    if lang == "sv":
        return written.replace(".", ",").replace("-", "\u2212")
    return written


def percent(share: float, lang: Lang) -> str:
    """Return a share (0.96) as a whole percentage: "96 %" in Swedish, "96%" in English."""
    return f"{round(share * 100)} %" if lang == "sv" else f"{round(share * 100)}%"
