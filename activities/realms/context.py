"""What a realm handler gets to work with: the caller, the store, a way to report."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from activities.realms.reading.limits import ReadLimits
from models.files import FileRef
from storage.files import FileStore

if TYPE_CHECKING:
    from activities.realms.sop.llm import SopModel


def _quiet(message: str, percent: float | None) -> None:
    """Progress sink for handlers run outside an activity (unit tests, benchmarks)."""


@dataclass
class RealmContext:
    """Everything a handler may touch; effects are keyed on `execution_id`."""

    user_id: str
    execution_id: str
    store: FileStore
    report: Callable[[str, float | None], None] = _quiet
    read_limits: ReadLimits = field(default_factory=ReadLimits)
    """How far a file may expand while it is read (zip and spreadsheet bombs)."""
    sop_model: "SopModel | None" = None
    """The model that reads SOPs when `SYMPHAINY_SOP_READER=llm` (Journey realm)."""
    max_findings: int = 20
    """Findings shown per file (settings.insights_max_findings); the rest are counted."""

    def file(self, file_id: str) -> tuple[FileRef, Path]:
        """The caller's file and where its bytes are; `UnknownFile` for anyone else's."""
        ref = self.store.get(self.user_id, file_id)
        return ref, self.store.local_path(ref)

    def progress(self, message: str, percent: float | None = None) -> None:
        """Tell the user how far long work got (also proves the worker is alive)."""
        self.report(message, percent)
