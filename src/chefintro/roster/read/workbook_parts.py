"""The parts of an .xlsx zip: where each entry lies, unpacking it, and the small XML parts.

:mod:`chefintro.roster.read.safety` checks a workbook with these: the zip's entries located
(refusing overlaps) and unpacked with their declared size and checksum enforced, the file
recognised as .xlsx or .ods, and, once the parts are known safe, the sheet names of the
worksheet parts, a sheet's ``mailto:`` hyperlinks and the export time chefintro wrote.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

from chefintro.errors import UnreadableInputError

ZIP_MAGIC = b"PK\x03\x04"
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")

SAVE_AS_XLSX = "open it in Excel and save it as Excel Workbook (.xlsx)"


def hyperlinks(part: str, contents: dict[str, bytes]) -> dict[tuple[int, int], str]:
    """Return (row, column) → target of a sheet's external hyperlinks (mailto: ones matter)."""
    from defusedxml.ElementTree import fromstring

    sheet = contents.get(part)
    folder, _, base = part.rpartition("/")
    rels = contents.get(f"{folder}/_rels/{base}.rels")
    if sheet is None or rels is None or b"hyperlink" not in sheet:
        return {}
    try:
        targets = {
            rel.get("Id"): rel.get("Target", "")
            for rel in fromstring(rels)
            if local_name(rel.tag) == "Relationship"
        }
        links: dict[tuple[int, int], str] = {}
        for element in fromstring(sheet).iter():
            if local_name(element.tag) != "hyperlink":
                continue
            rel_id = next((v for k, v in element.attrib.items() if local_name(k) == "id"), None)
            target = targets.get(rel_id)
            position = split_reference(element.get("ref", "").split(":")[0])
            if target and position is not None:
                links[position] = target
    except Exception:
        return {}  # links only help; a sheet calamine can read is read without them
    return links


#: The custom document property in which an export records when it was made.
EXPORTED_AT_PROPERTY = "chefintro_exported_at"


def exported_at(content: bytes | None) -> str | None:
    if content is None or EXPORTED_AT_PROPERTY.encode() not in content:
        return None
    from defusedxml.ElementTree import fromstring

    try:
        for element in fromstring(content):
            if element.get("name") == EXPORTED_AT_PROPERTY:
                return "".join(child.text or "" for child in element)[:40] or None
    except Exception:
        return None
    return None


def ole_message(source: Path, data: bytes) -> str:
    # OLE directory entries are UTF-16LE; an encrypted .xlsx is an OLE file holding an
    # "EncryptedPackage" stream next to its encryption info.
    if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptedPackage" in data:
        return (
            f"{source} is protected with a password; remove the password in Excel "
            "(File › Info › Protect Workbook › Encrypt with Password, clear it) and save it "
            "as Excel Workbook (.xlsx)."
        )
    return f"{source} is an old-style Excel file (.xls) or another Office binary file; " + (
        SAVE_AS_XLSX + "."
    )


#: The mimetype entry of an OpenDocument spreadsheet (.ods).
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def workbook_kind(source: Path, archive: zipfile.ZipFile, names: set[str]) -> str:
    """Return "xlsx" or "ods" for a zip that is a workbook we read, or raise."""
    if "xl/workbook.bin" in names:
        raise UnreadableInputError(f"{source} is an Excel binary workbook (.xlsb); {SAVE_AS_XLSX}.")
    if "mimetype" in names or "content.xml" in names:
        info = archive.getinfo("mimetype") if "mimetype" in names else None
        if (
            info is not None
            and info.file_size <= 100
            and "content.xml" in names
            and archive.read("mimetype").strip() == ODS_MIMETYPE
        ):
            return "ods"
        raise UnreadableInputError(
            f"{source} is an OpenDocument file but not a spreadsheet (.ods); save it as Excel "
            "Workbook (.xlsx) or OpenDocument Spreadsheet (.ods)."
        )
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnreadableInputError(
            f"{source} is a zip file but not an Excel workbook (.xlsx); {SAVE_AS_XLSX}."
        )
    return "xlsx"


def entry_spans(
    source: Path, data: bytes, infos: list[zipfile.ZipInfo]
) -> dict[str, tuple[int, int]]:
    """Return where each entry's compressed bytes lie, refusing entries that overlap.

    Overlapping entries are the trick behind non-recursive zip bombs (many names, one
    highly compressed kernel); no spreadsheet program writes them.
    """
    spans: dict[str, tuple[int, int]] = {}
    previous_end = 0
    for info in sorted(infos, key=lambda item: item.header_offset):
        start = info.header_offset
        if start < previous_end or start + _LOCAL_HEADER.size > len(data):
            raise UnreadableInputError(
                f"{source} is damaged or crafted: its zip entries overlap; "
                "save it again from Excel."
            )
        header = _LOCAL_HEADER.unpack_from(data, start)
        if header[0] != ZIP_MAGIC:
            raise UnreadableInputError(
                f"{source} is damaged or incomplete (a zip entry header is missing); "
                "save it again from Excel."
            )
        name_length, extra_length = header[9], header[10]
        begin = start + _LOCAL_HEADER.size + name_length + extra_length
        end = begin + info.compress_size
        if end > len(data):
            raise UnreadableInputError(
                f"{source} is damaged or incomplete (it ends in the middle of "
                f"{info.filename}); save it again from Excel."
            )
        spans[info.filename] = (begin, end)
        previous_end = end
    return spans


def inflate(source: Path, data: bytes, info: zipfile.ZipInfo, span: tuple[int, int]) -> bytes:
    """Unpack one entry, refusing it the moment it exceeds its declared size."""
    raw = memoryview(data)[span[0] : span[1]]
    declared = info.file_size
    if declared == 0 and not raw:
        content = b""  # some writers store an empty entry as "deflated" with no bytes
    elif info.compress_type == zipfile.ZIP_STORED:
        content = bytes(raw[:declared])
        if len(raw) != declared:
            raise _size_mismatch(source, info)
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            # One call, capped at one byte over the declared size (enough to know it lies):
            # the output is never larger than the header promised, and is built once rather
            # than as chunks joined into a second copy (issue 16: peak memory).
            content = inflater.decompress(raw, declared + 1)
        except zlib.error:
            raise UnreadableInputError(
                f"{source} is damaged ({info.filename} cannot be unpacked); "
                "save it again from Excel."
            ) from None
        if len(content) > declared:
            raise UnreadableInputError(
                f"{source} has an entry ({info.filename}) that unpacks to more than "
                "its header declares; it looks like a zip bomb and was not read."
            )
        if not inflater.eof or len(content) != declared:
            raise _size_mismatch(source, info)
    if zlib.crc32(content) != info.CRC:
        raise UnreadableInputError(
            f"{source} is damaged ({info.filename} fails its checksum); save it again from Excel."
        )
    return content


def _size_mismatch(source: Path, info: zipfile.ZipInfo) -> UnreadableInputError:
    return UnreadableInputError(
        f"{source} is damaged or crafted: {info.filename} does not unpack to the size its "
        "header declares; save it again from Excel."
    )


def column_number(letters: bytes) -> int:
    if not letters:
        return 0
    number = 0
    for letter in letters.upper()[:8]:  # past 8 letters it is far beyond any cap anyway
        number = number * 26 + letter - 64
    return number if len(letters) <= 8 else 26**9


def split_reference(reference: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"\s*([A-Za-z]{1,3})([0-9]{1,7})\s*", reference)
    if match is None:
        return None
    return int(match.group(2)), column_number(match.group(1).encode("ascii"))


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Map worksheet parts to sheet names the way calamine resolves them."""
    from defusedxml.ElementTree import fromstring

    try:
        workbook = fromstring(archive.read("xl/workbook.xml"))
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:
        # The parts were already scanned as safe; if they cannot be mapped, calamine will
        # fail on them too and report the file as damaged.
        return {}
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in rels
        if local_name(rel.tag) == "Relationship"
    }
    result: dict[str, str] = {}
    for element in workbook.iter():
        if local_name(element.tag) != "sheet":
            continue
        rel_id = next((v for k, v in element.attrib.items() if local_name(k) == "id"), None)
        target = targets.get(rel_id, "")
        if target.startswith("/xl/"):
            part = target[1:]
        elif target.startswith("xl/"):
            part = target
        else:
            part = "xl/" + target
        result[part] = element.get("name", "")
    return result
