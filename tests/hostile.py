"""Builds hostile and unusual files at test time, so no binary fixture is checked in.

Workbooks (zip and XML bombs, entities, disguised and damaged files), crafted stores (a
good backup plus triggers, views, hidden or missing tables: ``CRAFTED_STORES``), a deeply
nested plan, and text with control and bidi characters (``HOSTILE_TEXT``).

Each builder writes one file into ``folder`` and returns its path. ``minimal_xlsx`` writes
a hand-made package (one Deltagare sheet) so a test controls every byte of the XML; the
others start from it or from openpyxl/xlsxwriter output.
"""

from __future__ import annotations

import struct
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{MAIN_NS}" xmlns:r="{_REL_NS}"><sheets>'
    '<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
).encode()

#: A small valid Deltagare sheet (inline strings), header plus one participant.
PARTICIPANT_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<worksheet xmlns="{MAIN_NS}"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Namn</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>E-post</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>Myndighet</t></is></c>'
    '<c r="D1" t="inlineStr"><is><t>Roll</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>Anna Ek</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>anna@csn.se</t></is></c>'
    '<c r="C2" t="inlineStr"><is><t>CSN</t></is></c>'
    '<c r="D2" t="inlineStr"><is><t>adept</t></is></c></row>'
    "</sheetData></worksheet>"
).encode()

_SHARED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>unused</t></si></sst>'
).encode()


def minimal_xlsx(
    folder: Path,
    name: str = "minimal.xlsx",
    *,
    sheet: bytes = PARTICIPANT_SHEET,
    shared_strings: bytes = _SHARED_STRINGS,
    sheet_name: str = "Deltagare",
    extra: Mapping[str, bytes] | None = None,
) -> Path:
    """Write a hand-made workbook with one sheet; ``extra`` adds (or replaces) zip entries."""
    entries = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK.replace("{name}", sheet_name).encode(),
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared_strings,
    }
    entries.update(extra or {})
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
    return path


def sheet_xml(rows: str, *, prolog: str = "", root_attrs: str = "") -> bytes:
    """Wrap ``<row>`` elements into a worksheet part, with an optional prolog."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'{prolog}<worksheet xmlns="{MAIN_NS}"{root_attrs}><sheetData>{rows}</sheetData>'
        "</worksheet>"
    ).encode()


# --- XML entity attacks ---------------------------------------------------------------------

_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def billion_laughs_shared_strings(folder: Path) -> Path:
    """The classic exponential entity expansion, in the shared-string table."""
    sst = (
        f'<?xml version="1.0"?>\n{_LAUGHS}<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1">'
        "<si><t>&lol9;</t></si></sst>"
    ).encode()
    return minimal_xlsx(folder, "laughs-sst.xlsx", shared_strings=sst)


def billion_laughs_sheet(folder: Path) -> Path:
    """Entity expansion inside the worksheet itself."""
    sheet = sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', prolog=_LAUGHS
    )
    return minimal_xlsx(folder, "laughs-sheet.xlsx", sheet=sheet)


def external_entity(folder: Path) -> Path:
    """XXE: an entity pointing at a local file."""
    sheet = sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>',
        prolog='<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    )
    return minimal_xlsx(folder, "xxe.xlsx", sheet=sheet)


def doctype_after_long_prolog(folder: Path) -> Path:
    """A DOCTYPE pushed 200 KB down by a comment, past any 'first few KB' check."""
    padding = "<!--" + "x" * 200_000 + "-->"
    sheet = sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row>',
        prolog=padding + '<!doctype worksheet [<!ENTITY a "b">]>',
    )
    return minimal_xlsx(folder, "late-doctype.xlsx", sheet=sheet)


def doctype_in_utf16(folder: Path) -> Path:
    """A DOCTYPE in a UTF-16 part, invisible to a naive byte search."""
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        f'{_LAUGHS}<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        "<is><t>&lol9;</t></is></c></row></sheetData></worksheet>"
    )
    return minimal_xlsx(folder, "utf16.xlsx", sheet=b"\xff\xfe" + text.encode("utf-16-le"))


def utf16_sheet(folder: Path) -> Path:
    """A harmless sheet in UTF-16, which python-calamine would silently read as empty."""
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        "<is><t>Namn</t></is></c></row></sheetData></worksheet>"
    )
    return minimal_xlsx(folder, "utf16-plain.xlsx", sheet=b"\xff\xfe" + text.encode("utf-16-le"))


# --- zip attacks ----------------------------------------------------------------------------


def zip_bomb(folder: Path, megabytes: int = 60) -> Path:
    """An extra entry of zeros compressing about 1000:1."""
    return minimal_xlsx(
        folder, "bomb.xlsx", extra={"xl/media/padding.bin": bytes(megabytes * 1024 * 1024)}
    )


def _patch_sizes(path: Path, entry: str, *, size: int, crc: int) -> None:
    """Rewrite an entry's declared uncompressed size and CRC in both zip headers."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(entry)
    data = bytearray(path.read_bytes())
    local = info.header_offset
    struct.pack_into("<L", data, local + 14, crc)
    struct.pack_into("<L", data, local + 22, size)
    name = entry.encode()
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == name:
            struct.pack_into("<L", data, central + 16, crc)
            struct.pack_into("<L", data, central + 24, size)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def forged_size_bomb(folder: Path) -> Path:
    """An entry whose header claims 1 KB but whose deflate stream unpacks to 20 MB.

    The CRC is that of the first declared kilobyte, so Python's zipfile, which stops at
    the declared size, would accept the entry; a reader trusting the stream would not stop.
    """
    import zlib

    content = b"<a/>" * (5 * 1024 * 1024)
    path = minimal_xlsx(folder, "forged.xlsx", extra={"docProps/pad.xml": content})
    _patch_sizes(path, "docProps/pad.xml", size=1024, crc=zlib.crc32(content[:1024]))
    return path


def overlapping_entries(folder: Path) -> Path:
    """Two central-directory records pointing at the same local entry."""
    path = minimal_xlsx(folder, "overlap.xlsx", extra={"docProps/a.xml": b"<a/>" * 100})
    with zipfile.ZipFile(path) as archive:
        first = archive.getinfo("docProps/a.xml").header_offset
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == b"_rels/.rels":
            struct.pack_into("<L", data, central + 42, first)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    return path


def duplicate_entry(folder: Path) -> Path:
    """The same worksheet name twice: readers may disagree on which copy counts."""
    path = minimal_xlsx(folder, "duplicate.xlsx")
    with warnings.catch_warnings():
        # zipfile warns about exactly what this builder sets out to create.
        warnings.filterwarnings("ignore", message="Duplicate name", category=UserWarning)
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", sheet_xml(""))
    return path


def many_entries(folder: Path, count: int) -> Path:
    return minimal_xlsx(
        folder, "many.xlsx", extra={f"docProps/x{i}.xml": b"<a/>" for i in range(count)}
    )


# --- oversized sheets -----------------------------------------------------------------------


def sparse_cells(folder: Path) -> Path:
    """Two cells at A1 and XFD1048576: 2 KB on disk, 17 billion cells for calamine."""
    sheet = sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    )
    return minimal_xlsx(folder, "sparse.xlsx", sheet=sheet)


def implicit_positions(folder: Path) -> Path:
    """The same rectangle built from cells without r attributes, with odd whitespace."""
    cells = "<c\n><v>1</v></c>" * 5000
    sheet = sheet_xml(f"<row>{cells}</row><row\tr='1048576'><c><v>2</v></c></row>")
    return minimal_xlsx(folder, "implicit.xlsx", sheet=sheet)


def shared_string_count_bomb(folder: Path) -> Path:
    """A shared-string table announcing four billion strings after a long prolog."""
    sst = (
        '<?xml version="1.0"?>\n'
        + " " * 10_000
        + f'<sst xmlns="{MAIN_NS}" count="4000000000" uniqueCount="4000000000">'
        "<si><t>x</t></si></sst>"
    ).encode()
    return minimal_xlsx(folder, "sst-count.xlsx", shared_strings=sst)


def huge_header(folder: Path, columns: int = 16_000) -> Path:
    """A Deltagare header with the roster columns followed by thousands of extra ones."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Deltagare")
    extra = [f"Extra {i}" for i in range(columns - 4)]
    sheet.append(["Namn", "E-post", "Myndighet", "Roll", *extra])
    sheet.append(["Anna Ek", "anna@csn.se", "CSN", "adept", *("x" for _ in extra)])
    path = folder / "wide.xlsx"
    workbook.save(path)
    return path


# --- not a workbook -------------------------------------------------------------------------


def ole_xls(folder: Path) -> Path:
    """An OLE compound file, as an old .xls is."""
    path = folder / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    return path


def encrypted_xlsx(folder: Path) -> Path:
    """An OLE file with an EncryptedPackage stream, as a password-protected .xlsx is."""
    path = folder / "secret.xlsx"
    directory_entry = "EncryptedPackage".encode("utf-16-le").ljust(64, b"\0")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024) + directory_entry)
    return path


def truncated(folder: Path) -> Path:
    source = minimal_xlsx(folder, "whole.xlsx")
    path = folder / "truncated.xlsx"
    path.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    return path


def zero_bytes(folder: Path) -> Path:
    path = folder / "empty.xlsx"
    path.write_bytes(b"")
    return path


def text_renamed(folder: Path) -> Path:
    path = folder / "people.xlsx"
    path.write_text("Namn;E-post\nAnna Ek;anna@csn.se\n", encoding="utf-8")
    return path


def zip_not_workbook(folder: Path) -> Path:
    path = folder / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    return path


# --- workbooks that are valid but awkward ---------------------------------------------------


def openpyxl_workbook(
    folder: Path,
    name: str,
    sheets: Mapping[str, Sequence[Sequence[Any]]],
    *,
    hidden: Sequence[str] = (),
    merged: Mapping[str, str] | None = None,
    write_only: bool = False,
) -> Path:
    """Write ``sheets`` (name → rows) with openpyxl, normal or write-only mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)
    for sheet_name, rows in sheets.items():
        sheet = workbook.create_sheet(sheet_name)
        for row in rows:
            sheet.append(list(row))
        if sheet_name in hidden:
            sheet.sheet_state = "hidden"
        if merged and sheet_name in merged:
            sheet.merge_cells(merged[sheet_name])
    path = folder / name
    workbook.save(path)
    return path


def xlsxwriter_workbook(
    folder: Path,
    name: str,
    sheets: Mapping[str, Sequence[Sequence[Any]]],
    *,
    formulas: Mapping[str, Sequence[tuple[int, int, str, Any]]] | None = None,
    constant_memory: bool = False,
) -> Path:
    """Write ``sheets`` with xlsxwriter; strings are written as strings, never formulas.

    ``formulas`` maps a sheet to (row, column, formula, cached value) cells, 0-based.
    """
    import xlsxwriter

    path = folder / name
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": constant_memory, "strings_to_formulas": False}
    )
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for sheet_name, rows in sheets.items():
        sheet = workbook.add_worksheet(sheet_name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif hasattr(value, "year"):
                    sheet.write_datetime(r, c, value, date_format)
                elif value is not None:
                    sheet.write(r, c, value)
        for r, c, formula, cached in (formulas or {}).get(sheet_name, ()):
            sheet.write_formula(r, c, formula, None, cached)
    workbook.close()
    return path


# --- crafted stores (a backup that is a valid chefintro store plus something else) ---------

#: SQL that turns a copy of a good store into a hostile one, by what the outside trial did.
CRAFTED_STORES: Mapping[str, str] = {
    # fires when the restore writes its audit entry, and keeps what an erasure removes
    "trigger_on_audit_log": (
        "CREATE TRIGGER spy AFTER INSERT ON audit_log BEGIN "
        "INSERT INTO setting (key, value) VALUES ('fired', 'yes'); END"
    ),
    "trigger_keeping_erased_people": (
        "CREATE TABLE kept (name TEXT, email TEXT);"
        "CREATE TRIGGER keep BEFORE DELETE ON person BEGIN "
        "INSERT INTO kept VALUES (old.name, old.email); END"
    ),
    "trigger_breaking_imports": (
        "CREATE TRIGGER refuse BEFORE INSERT ON person BEGIN SELECT RAISE(ABORT, 'no'); END"
    ),
    "view": "CREATE VIEW everyone AS SELECT name, email FROM person",
    "hidden_table": "CREATE TABLE shadow AS SELECT * FROM person",
    "extra_index": "CREATE INDEX ix_person_name ON person (name)",
    "missing_table": "DROP TABLE peergroupmember; DROP TABLE pairing",
    "changed_index": (
        "DROP INDEX ix_person_agency_id; CREATE INDEX ix_person_agency_id ON person (name)"
    ),
}


def crafted_store(good: Path, folder: Path, name: str) -> Path:
    """Copy the store file ``good`` and apply ``CRAFTED_STORES[name]`` to the copy."""
    import shutil
    import sqlite3

    path = folder / f"crafted-{name}.db"
    shutil.copyfile(good, path)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(CRAFTED_STORES[name])
        connection.commit()
    finally:
        connection.close()
    return path


def deeply_nested_toml(folder: Path, depth: int = 100_000) -> Path:
    """A TOML plan whose one value is an array nested ``depth`` deep (RecursionError bait)."""
    path = folder / "nested.toml"
    path.write_text("x = " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    return path


#: Text that the roster refuses and the command line must refuse too (item 12).
HOSTILE_TEXT: Mapping[str, str] = {
    "escape_sequence": "Anna \x1b[2J\x1b[31mEk",
    "bell": "Anna\x07 Ek",
    "bidi_override": "Anna \u202eкE",
    "bidi_isolate": "Anna \u2066Ek\u2069",
    "c1_control": "Anna\x9b31m Ek",
    "nul": "Anna\x00Ek",
}
