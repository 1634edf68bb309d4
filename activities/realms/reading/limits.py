"""Limits on what a file may expand to while it is read (zip and spreadsheet bombs)."""

from pydantic import BaseModel


class ReadLimits(BaseModel):
    """Built from settings in the worker; the defaults are the settings' defaults."""

    max_unzipped_bytes: int = 512 * 1024 * 1024
    """Total uncompressed size of a zip-based file (.xlsx, .zip)."""
    max_zip_ratio: float = 200.0
    """Uncompressed/compressed ratio of a member larger than `ratio_floor_bytes`."""
    ratio_floor_bytes: int = 8 * 1024 * 1024
    max_cells: int = 10_000_000
    """Cells of one workbook (every sheet), counted in its XML before it is parsed."""
    sheet_memory_bytes: int = 2 * 1024 * 1024 * 1024
    """Address space the child process that parses a workbook may map beyond its imports."""
    sheet_cpu_seconds: int = 60
    """CPU time of that child process; wall time is bounded at twice this."""
