"""Hostile workbooks, made by the tests: small files that expand to a lot."""

import struct
import zlib
from pathlib import Path
from typing import BinaryIO

MIB = 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<Types xmlns="{PACKAGE}/content-types">'
    f'<Default Extension="rels" ContentType="{PACKAGE_RELS}"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SHEETML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEETML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEETML}.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<workbook xmlns="{MAIN}" '
    f'xmlns:r="{OFFICE}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<worksheet xmlns="{MAIN}">'
    '<dimension ref="A1:B2"/><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
SMALL_SHEET = SHEET_HEAD + '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + SHEET_TAIL


Part = str | tuple[str, int, str, str]
"""A part's XML, or (head, repeats, unit, tail): the unit written `repeats` times."""


def _write(path: Path, sheet: Part, strings: Part) -> Path:
    """A workbook with these sheet and shared-strings parts (deflated, as Excel writes)."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings,
    }
    with path.open("wb") as out:
        entries = [_member(out, name, part) for name, part in parts.items()]
        directory = out.tell()
        for entry in entries:
            out.write(entry)
        size = out.tell() - directory
        out.write(
            struct.pack(
                "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), size, directory, 0
            )
        )
    return path


def _member(out: BinaryIO, name: str, part: Part) -> bytes:
    """Write one deflated member; its central directory entry.

    A repeated unit is deflated once, ended with a full flush (byte-aligned, no back
    references), and that block written `repeats` times: a gigabyte of XML costs
    seconds instead of the minutes deflating it would take.
    """
    head, repeats, unit, tail = (part, 0, "", "") if isinstance(part, str) else part
    per_block = max(1, MIB // max(1, len(unit)))
    blocks, rest = divmod(repeats, per_block)
    pieces = [
        (head.encode(), 1),
        ((unit * per_block).encode(), blocks),
        ((unit * rest + tail).encode(), 1),
    ]
    crc = size = 0
    deflated = []
    for index, (data, times) in enumerate(pieces):
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        last = index == len(pieces) - 1
        deflated.append(
            (
                packer.compress(data) + packer.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH),
                times,
            )
        )
        for _ in range(times):
            crc = zlib.crc32(data, crc)
        size += len(data) * times
    packed = sum(len(d) * t for d, t in deflated)
    encoded = name.encode()
    offset = out.tell()
    out.write(
        struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, packed, size, len(encoded), 0)
        + encoded
    )
    for data, times in deflated:
        for _ in range(times):
            out.write(data)
    return (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            packed,
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + encoded
    )


def shared_strings_bomb(path: Path, expands_to: int = 1024 * MIB) -> Path:
    """~1 MB on disk; its one shared string is `expands_to` bytes of "A"."""
    head = f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'
    return _write(path, SMALL_SHEET, (head, expands_to // 64, "A" * 64, "</t></si></sst>"))


def cells_bomb(path: Path, cells: int = 6_000_000) -> Path:
    """A sheet of `cells` cells (its dimension says two) and almost nothing on disk."""
    row = "<row>" + "<c><v>1</v></c>" * 100 + "</row>"
    strings = f'<sst xmlns="{MAIN}"/>'
    return _write(path, (SHEET_HEAD, cells // 100, row, SHEET_TAIL), strings)


def broken_xml(path: Path) -> Path:
    """A workbook whose sheet XML stops in the middle of a tag."""
    sst = f'<sst xmlns="{MAIN}"/>'
    return _write(path, SHEET_HEAD + '<row r="1"><c r="A1"><v>1</v></c><c r="B1"', sst)


def lying(path: Path) -> Path:
    """The same file with every member's declared size set to 1,000 bytes (headers lie)."""
    data = bytearray(path.read_bytes())
    for signature, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (found := data.find(signature, start)) >= 0:
            data[found + at : found + at + 4] = struct.pack("<I", 1000)
            start = found + 4
    path.write_bytes(bytes(data))
    return path
