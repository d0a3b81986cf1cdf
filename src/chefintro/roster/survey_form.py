"""Survey files: the form workbook people fill in, and reading answers back from it or from a
Microsoft Forms export (.xlsx, or .csv as Excel saves it). It never touches the store.

The form is one row per participant (name, e-mail, agency, role) and one column per
question, headed by the question's text: a 1–7 drop-down for statements, free text for the
rest. Reading matches columns to questions by their normalised text
(:func:`chefintro.text.question_key`), in any order, and people by the e-mail column;
Forms' own columns (ID, Starttid, Tid för slutförande, Namn …) and our name, agency and role
columns are ignored. Every problem is collected with sheet, row and column.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chefintro.errors import Problem, UnreadableInputError
from chefintro.roster.columns import unescape_text
from chefintro.roster.read.cells import column_letters
from chefintro.roster.write.specs import ColumnSpec, SheetSpec, WorkbookSpec
from chefintro.roster.write.writer import write_workbook
from chefintro.rules import NOT_AN_EMAIL, NotAnEmail, parse_email
from chefintro.text import clean_text, control_problem, email_key, question_key

SCALE_MIN, SCALE_MAX = 1, 7
MAX_ANSWER_LENGTH = 2000
MAX_CSV_BYTES = 20 * 1024 * 1024
#: The most answer rows one file may hold: far more than any cohort has people.
MAX_ANSWER_ROWS = 5000
ANSWER_SHEET = "Svar"

#: Headers of the e-mail column (ours and Forms', Swedish and English), as question keys.
EMAIL_HEADERS = frozenset(
    question_key(h)
    for h in ("E-post", "E-postadress", "E-mail", "Email", "E-mailadress", "Email address")
)
#: Columns that are neither e-mail nor a question: Forms' own and the form's own.
IGNORED_HEADERS = frozenset(
    question_key(h)
    for h in (
        "ID",
        "Starttid",
        "Start time",
        "Sluttid",
        "End time",
        "Tid för slutförande",
        "Completion time",
        "Tid för senaste ändring",
        "Last modified time",
        "Namn",
        "Name",
        "Myndighet",
        "Agency",
        "Roll",
        "Role",
        "Total poäng",
        "Total points",
        "Feedback på test",
        "Quiz feedback",
    )
)


@dataclass(frozen=True)
class FormQuestion:
    """A question as the file layer sees it: its text and whether it takes 1–7."""

    text: str
    scale: bool

    @property
    def key(self) -> str:
        return question_key(self.text)


# --- writing the form -------------------------------------------------------------------


_SCALE_HELP = (
    "Påståendena besvaras på en skala från 1 (stämmer inte alls) till 7 (stämmer helt). "
    "Välj siffran i listan eller skriv den."
)
_PRIVACY_HELP = (
    "Fritextfrågorna besvaras med egna ord. Svaren redovisas utan namn, och bara för grupper "
    "med tillräckligt många svar."
)
_KEEP_HELP = "Ändra inte rubrikerna eller e-postadressen: frågorna och du känns igen på dem."

#: The instructions of a form, by whom it is for: one participant, the participants of
#: one agency, or the coordinator (every participant, typed in from answers given
#: elsewhere). No form ever holds answers given before.
_INSTRUCTIONS = {
    "person": (
        "Fyll i dina svar på din rad på bladet Svar och skicka tillbaka filen till samordnaren.",
        _SCALE_HELP,
        _PRIVACY_HELP,
        _KEEP_HELP,
    ),
    "agency": (
        "Bladet Svar har en rad för var och en av myndighetens deltagare. Var och en fyller "
        "i sin egen rad; lämna andras rader som de är.",
        _SCALE_HELP,
        _PRIVACY_HELP,
        _KEEP_HELP,
        "Lämna en rad tom om deltagaren inte svarat. Skicka filen till samordnaren när alla "
        "har svarat.",
    ),
    "all": (
        "Fyll i en rad per deltagare på bladet Svar. Ändra inte rubrikerna: frågorna känns "
        "igen på sin text.",
        _SCALE_HELP,
        _PRIVACY_HELP,
        "Lämna en rad tom om deltagaren inte svarat. En tom cell tar aldrig bort ett svar som "
        "redan är inläst.",
        "Formuläret har alla deltagare: skicka det inte vidare, det är samordnarens eget.",
        "Läs in med: chefintro survey import ENKÄT FIL.xlsx",
    ),
}
AUDIENCES = tuple(_INSTRUCTIONS)


def write_form(
    path: str | os.PathLike[str],
    *,
    title: str,
    questions: Sequence[FormQuestion],
    rows: Iterable[Sequence[Any]],
    audience: str = "all",
) -> None:
    """Write the form workbook: Svar (one row per participant) and Instruktioner.

    ``rows`` hold name, e-mail, agency, role and then one value (or None) per question;
    ``audience`` (person, agency or all) chooses the instructions.
    """
    scale = [str(n) for n in range(SCALE_MIN, SCALE_MAX + 1)]
    columns = [
        ColumnSpec("Namn", 26, wrap=True),
        ColumnSpec("E-post", 32),
        ColumnSpec("Myndighet", 12),
        ColumnSpec("Roll", 10),
    ]
    columns += [
        ColumnSpec(q.text, 22 if q.scale else 48, scale if q.scale else (), wrap=not q.scale)
        for q in questions
    ]
    extra_rows = 50 if audience == "all" else 0  # a person's form has that person's row
    answers = SheetSpec(ANSWER_SHEET, columns, rows, header_height=90, input_rows=extra_rows)
    help_rows = [(title, "")] + [("", line) for line in _INSTRUCTIONS[audience]]
    help_rows += [("Fråga", f"{q.text} ({'1–7' if q.scale else 'fritext'})") for q in questions]
    instructions = SheetSpec(
        "Instruktioner",
        [ColumnSpec("Enkät", 24), ColumnSpec("Så fyller du i", 100, wrap=True)],
        help_rows,
        autofilter=False,
        input_rows=0,
    )
    write_workbook(path, WorkbookSpec([answers, instructions], page_header=title))


# --- reading answers --------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    """One respondent's answers: question key → 1–7 or text, and where each came from."""

    sheet: str
    row: int
    email: str
    email_column: str
    values: dict[str, int | str]
    columns: dict[str, str]


@dataclass
class AnswerFile:
    path: Path
    sheet: str | None = None
    rows: list[AnswerRow] = field(default_factory=list)
    #: Question texts the file has no column for.
    missing: list[str] = field(default_factory=list)
    #: Headers that are neither e-mail, a known extra column nor a question.
    ignored: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _RawSheet:
    name: str
    rows: Iterator[list[Any]]
    first_column: int = 0
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


def read_answers(path: str | os.PathLike[str], questions: Sequence[FormQuestion]) -> AnswerFile:
    """Read a form workbook or a Forms export (.xlsx or .csv); problems are collected.

    Raises UnreadableInputError (66) for a file that cannot be read at all.
    """
    source = Path(path)
    result = AnswerFile(path=source)
    by_key = {q.key: q for q in questions}
    if source.suffix.casefold() in (".csv", ".txt"):
        sheets: Iterable[_RawSheet] = [_csv_sheet(source)]
        _read_sheets(sheets, by_key, result)
        return result
    from python_calamine import CalamineWorkbook

    from chefintro.roster.read.safety import check_workbook

    checked = check_workbook(source)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(checked.data))
    except BaseException as error:
        raise _unreadable(checked.path, error) from None
    try:
        _read_sheets(_xlsx_sheets(workbook, checked.formulas), by_key, result)
    except BaseException as error:
        raise _unreadable(checked.path, error) from None
    finally:
        workbook.close()
    return result


def _unreadable(path: Path, error: BaseException) -> BaseException:
    """Turn a parser failure (a CalamineError, or a Rust panic) into exit 66."""
    from python_calamine import CalamineError

    if isinstance(error, CalamineError) or type(error).__name__ == "PanicException":
        return UnreadableInputError(
            f"{path} is damaged or not a workbook we can read ({error}); save it again from "
            "Excel as Excel Workbook (.xlsx)."
        )
    if isinstance(error, (ValueError, TypeError, UnicodeError, OverflowError)):
        return UnreadableInputError(f"{path} cannot be read ({error}); save it again from Excel.")
    return error


def _xlsx_sheets(workbook: Any, formulas: dict[str, Any]) -> Iterator[_RawSheet]:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    for meta in workbook.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
            continue
        sheet = workbook.get_sheet_by_name(meta.name)
        start = sheet.start
        yield _RawSheet(
            name=meta.name,
            rows=sheet.iter_rows(),
            first_column=start[1] if start is not None else 0,
            formulas={(c.row, c.column): c.formula for c in formulas.get(meta.name, ())},
        )


def _csv_sheet(source: Path) -> _RawSheet:
    try:
        size = source.stat().st_size
        if size > MAX_CSV_BYTES:
            raise UnreadableInputError(
                f"{source} is {size // (1024 * 1024)} MB, more than a survey file may be."
            )
        data = source.read_bytes()
    except FileNotFoundError:
        raise UnreadableInputError(f"{source} does not exist.") from None
    except IsADirectoryError:
        raise UnreadableInputError(f"{source} is a directory, not a survey file.") from None
    except OSError as error:
        raise UnreadableInputError(f"{source} cannot be read: {error.strerror}.") from None
    if not data.strip():
        raise UnreadableInputError(f"{source} is empty.")
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _RawSheet(name=source.name, rows=iter(list(rows)))


def _decode(data: bytes) -> str:
    """Decode CSV bytes as Excel writes them: UTF-8 (with or without BOM), UTF-16, or ANSI."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _header_text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return unescape_text(clean_text(str(raw)) or "")


def _read_sheets(
    sheets: Iterable[_RawSheet], by_key: dict[str, FormQuestion], result: AnswerFile
) -> None:
    looked_at: list[str] = []
    for sheet in sheets:
        header_row = 0
        header: list[Any] | None = None
        for values in sheet.rows:
            header_row += 1
            if any(_header_text(v) for v in values):
                header = values
                break
        if header is None:
            continue
        looked_at.append(sheet.name)
        email_index: int | None = None
        columns: dict[str, int] = {}
        ignored: list[str] = []
        for index, raw in enumerate(header):
            text = _header_text(raw)
            key = question_key(text)
            if not key:
                continue
            if key in EMAIL_HEADERS and email_index is None:
                email_index = index
            elif key in by_key and key not in columns:
                columns[key] = index
            elif key in by_key:
                result.problems.append(
                    Problem(
                        "a second column for this question; keep one",
                        sheet=sheet.name,
                        row=header_row,
                        column=column_letters(sheet.first_column + index + 1),
                    )
                )
            elif key not in IGNORED_HEADERS:
                ignored.append(text)
        if email_index is None or not columns:
            continue
        result.sheet = sheet.name
        result.ignored = ignored
        result.missing = [q.text for key, q in by_key.items() if key not in columns]
        _read_rows(sheet, header_row, email_index, columns, by_key, result)
        return
    where = f" (looked at: {', '.join(looked_at)})" if looked_at else ""
    result.problems.append(
        Problem(
            "no sheet has both an e-mail column (E-post) and a column headed by one of the "
            f"survey's questions{where}; export the survey's form with 'chefintro survey "
            "export', or use the Forms export with the questions as they were asked"
        )
    )


def _read_rows(
    sheet: _RawSheet,
    header_row: int,
    email_index: int,
    columns: dict[str, int],
    by_key: dict[str, FormQuestion],
    result: AnswerFile,
) -> None:
    def label(index: int, text: str) -> str:
        return f"{column_letters(sheet.first_column + index + 1)} ({_short(text)})"

    email_label = label(email_index, "E-post")
    labels = {key: label(index, by_key[key].text) for key, index in columns.items()}
    seen: dict[str, int] = {}
    number = header_row
    for values in sheet.rows:
        number += 1
        if len(result.rows) >= MAX_ANSWER_ROWS:
            result.problems.append(
                Problem(
                    f"more than {MAX_ANSWER_ROWS:,} answer rows; a cohort has far fewer "
                    "participants, so this is not one survey's answers",
                    sheet=sheet.name,
                    row=number,
                )
            )
            break

        def cell(index: int, values: list[Any] = values) -> Any:
            return values[index] if index < len(values) else None

        def problem(column: str, message: str, number: int = number) -> None:
            result.problems.append(Problem(message, sheet=sheet.name, row=number, column=column))

        answers: dict[str, int | str] = {}
        for key, index in columns.items():
            if (number, sheet.first_column + index + 1) in sheet.formulas:
                problem(labels[key], "the cell holds a formula; type the answer itself")
                continue
            raw = cell(index)
            try:
                value = _scale(raw) if by_key[key].scale else _free_text(raw)
            except ValueError as error:
                problem(labels[key], str(error))
                continue
            if value is not None:
                answers[key] = value
        if not answers:
            continue  # not answered (a blank row of the form)
        raw_email = cell(email_index)
        shown = _header_text(raw_email)
        if not shown:
            problem(email_label, "the row has answers but no e-mail address")
            continue
        try:
            email = _email(raw_email)
        except NotAnEmail as error:
            problem(email_label, f"{shown!r} {error}")
            continue
        key = email_key(email)
        if key in seen:
            problem(email_label, f"{email} answered already on row {seen[key]}; keep one answer")
            continue
        seen[key] = number
        result.rows.append(
            AnswerRow(
                sheet=sheet.name,
                row=number,
                email=email,
                email_column=email_label,
                values=answers,
                columns={k: labels[k] for k in answers},
            )
        )


def _scale(raw: Any) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a whole number from {SCALE_MIN} to {SCALE_MAX}")
    number: float | None = None
    if isinstance(raw, (int, float)):
        number = float(raw)
    else:
        text = (clean_text(unescape_text(str(raw))) or "").replace(",", ".")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            number = None
    if number is None or not number.is_integer() or not SCALE_MIN <= number <= SCALE_MAX:
        shown = raw if not isinstance(raw, float) or not raw.is_integer() else int(raw)
        raise ValueError(
            f"{_short(str(shown))!r} is outside the scale; answer with a whole number from "
            f"{SCALE_MIN} to {SCALE_MAX}"
        )
    return int(number)


def _free_text(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    # The one text rule of every front door (chefintro.text), in a cell's words.
    problem = control_problem(str(raw))
    if problem is not None:
        raise ValueError(problem.replace("retype it", "retype the cell"))
    text = clean_text(unescape_text(str(raw)))
    if text is not None and len(text) > MAX_ANSWER_LENGTH:
        raise ValueError(f"the answer is {len(text)} characters long; at most {MAX_ANSWER_LENGTH}")
    return text


def _email(raw: Any) -> str:
    """Return the e-mail address in a cell by the one e-mail rule, or raise NotAnEmail."""
    if not isinstance(raw, str):
        raise NotAnEmail(NOT_AN_EMAIL)
    return parse_email(raw)
