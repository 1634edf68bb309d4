"""The top findings of `generate_insights` on the real datasets the tests use.

Run: `.venv/bin/python -m bench.realms.insights_datasets [--code DIR] [--top 5]`.
`--code` runs another checkout's realm code (for example an export of an earlier
commit: `git archive <commit> | tar -x -C /tmp/before`) on the same files, which is
how the before/after lists in the closing note were made. It reads only what every
version's result has: each file's findings and their sentences.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from tests.real_datasets import DATASETS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--code", type=Path, default=None)
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {name: Path(tmp) / name for name in DATASETS}
        for name, path in paths.items():
            path.write_bytes(DATASETS[name]())
        if args.code is not None:
            sys.path.insert(0, str(args.code.resolve()))
        for name, path in paths.items():
            findings = _findings(name, path, Path(tmp))
            print(
                f"## {name}: {len(findings)} findings"
                if isinstance(findings, list)
                else f"## {name}: {findings}"
            )
            for sentence in findings[: args.top] if isinstance(findings, list) else []:
                print(f"- {sentence}")


def _findings(name: str, path: Path, scratch: Path) -> list[str] | str:
    """The sentences of the file's findings, or the error it failed with."""
    from activities.catalog.insights import GenerateInsightsParams
    from activities.realms.context import RealmContext
    from activities.realms.insights import generate_insights
    from models.files import FileRef
    from storage.files import LocalFileStore

    class Store(LocalFileStore):
        def get(self, owner: str, file_id: str) -> FileRef:
            return FileRef(
                file_id=file_id,
                name=name,
                size=path.stat().st_size,
                sha256="0" * 64,
                content_type="text/csv",
            )

        def local_path(self, ref: FileRef) -> Path:
            return path

    ctx = RealmContext("bench", "bench", Store(scratch, 10**12))
    try:
        result = generate_insights(ctx, GenerateInsightsParams(file_ids=["f" * 32]))
    except Exception as err:  # a dataset the old code could not read is a result too
        return f"failed: {err}"
    return [finding.sentence for finding in result.files[0].findings]


if __name__ == "__main__":
    main()
