"""Zip bombs and spreadsheet bombs, refused before anything parses them.

An .xlsx is a zip of XML parts. Before a parser sees one, its central directory is
checked (declared sizes and ratios: instant), then every member is inflated as a
stream and thrown away while its real size and, for worksheets, its cells are counted
(headers can lie; the stream can't). Memory stays at one chunk and the time at about
a second per 500 MB inflated, stopped at the first limit passed.
"""

import re
import zipfile
import zlib
from pathlib import Path

from activities.realms.reading.limits import ReadLimits

CHUNK = 1024 * 1024
MIB = 1024 * 1024
_CELL = re.compile(rb"<c[\s>/]")


class TooBig(ValueError):
    """The archive expands past a limit; the message is a sentence for the user."""


class Broken(ValueError):
    """The archive is not a valid zip file."""


def check_zip(path: Path, name: str, limits: ReadLimits) -> None:
    """Refuse `path` (a zip-based file named `name`) if it expands past the limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_declared(members, name, limits)
            cells = 0
            total = 0
            for member in members:
                size, found = _inflate(archive, member, limits.max_unzipped_bytes - total)
                total += size
                cells += found
                if total > limits.max_unzipped_bytes:
                    raise TooBig(_too_large(name, limits))
                if cells > limits.max_cells:
                    raise TooBig(_too_many_cells(name, limits))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as err:
        raise Broken(f"{name} is damaged: it is not a complete workbook or zip file") from err


def _check_declared(members: list[zipfile.ZipInfo], name: str, limits: ReadLimits) -> None:
    declared = sum(m.file_size for m in members)
    if declared > limits.max_unzipped_bytes:
        raise TooBig(_too_large(name, limits))
    for member in members:
        ratio = member.file_size / max(1, member.compress_size)
        if member.file_size > limits.ratio_floor_bytes and ratio > limits.max_zip_ratio:
            raise TooBig(
                f"{name} is refused: one of its parts expands {ratio:,.0f} times "
                f"(to {member.file_size / MIB:,.0f} MiB), which is how a zip bomb looks, "
                "not a spreadsheet. Save it again from Excel or export it as CSV."
            )


def _inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int) -> tuple[int, int]:
    """A member's real size and, for a worksheet, its cells; stops once past `budget` bytes."""
    counting = member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")
    size = cells = 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > budget:
                break
            if counting:
                window = tail + chunk
                cells += len(_CELL.findall(window))
                tail = window[-2:]
    return size, cells


def _too_large(name: str, limits: ReadLimits) -> str:
    return (
        f"{name} is refused: unpacked it is larger than the "
        f"{limits.max_unzipped_bytes // MIB:,} MiB this platform reads from one workbook or "
        "archive. Export the data as CSV or Parquet, or split it into smaller files."
    )


def _too_many_cells(name: str, limits: ReadLimits) -> str:
    return (
        f"{name} is refused: it has more than {limits.max_cells:,} cells, more than this "
        "platform reads from one workbook. Export the sheet you need as CSV or Parquet."
    )
