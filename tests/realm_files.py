"""Real files for realm tests, stored through the real content store."""

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from activities.realms.context import RealmContext
from models.files import FileRef
from storage.files import LocalFileStore

SALES_CSV = (
    "region,amount,units,date\n"
    "north,10,1,2024-01-05\n"
    "south,20,2,2024-02-05\n"
    "north,,3,2024-03-05\n"
    "east,40,4,2024-04-05\n"
    "east,40,4,2024-04-05\n"
    "west,30,3,2024-05-05\n"
    "west,1000,5,2024-06-05\n"
)
SOP_MD = """# Refund procedure

## Intake
1. The customer submits a refund request. (Owner: Customer)
2. The agent checks the order.
Input: order id, receipt
3. If the amount is over 100 then the manager approves it, otherwise the agent approves it.

## Payout
- Finance issues the refund.
Output: refund confirmation
"""


class Files:
    """A store in a temp dir and a context for one user."""

    def __init__(self, root: Path, user: str = "u") -> None:
        self.store = LocalFileStore(root, max_bytes=200 * 1024 * 1024)
        self.user = user
        self.ctx = RealmContext(user_id=user, execution_id="e1", store=self.store)

    def add(self, name: str, data: bytes | str, user: str | None = None) -> FileRef:
        payload = data.encode() if isinstance(data, str) else data

        async def chunks() -> AsyncIterator[bytes]:
            yield payload

        return asyncio.run(self.store.save(user or self.user, name, "", chunks()))


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def wide_csv(
    columns: int = 1_000, rows: int = 150, prefix: str = "measure", text: bool = True
) -> bytes:
    """Numbers (noisy copies of 10 factors, so thousands of pairs correlate) and, with
    `text`, as many text columns with long values; long column names."""
    rng = np.random.default_rng(columns + rows)
    factors = rng.normal(size=(rows, 10))
    numbers = columns // 2 if text else columns
    noise = rng.normal(scale=0.3, size=(rows, numbers))
    values = factors[:, np.arange(numbers) % 10] + noise
    names = [f"{prefix}_{i:04d}_with_a_fairly_long_descriptive_name" for i in range(columns)]
    lines = [",".join(names)]
    for r in range(rows):
        labels = [
            f"category {r % 7} of a long label number {c} xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            for c in range(columns - numbers)
        ]
        lines.append(",".join([*(f"{v:.4f}" for v in values[r]), *labels]))
    return ("\n".join(lines) + "\n").encode()
