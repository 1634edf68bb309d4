"""The table reader against the candidate libraries, on the corpus and at scale.

Run: `.venv/bin/python -m bench.realms.reading_bench [--scale 1000000,5000000]
[--skip-scale] [--skip-accuracy]`.

Accuracy, over the corpus of tests/reading_corpus.py (real datasets written as Excel,
European locales and reporting tools write them):

- dialect: the delimiter (and a non-default quote) of every delimited file, from the
  same 64 KiB sample decoded with the right encoding: Python's csv.Sniffer, CleverCSV,
  DuckDB's sniff_csv (on the whole file as UTF-8), and ours (`reading.dialect`);
- table start: the header row and whether there is one (DuckDB and ours report it);
- encoding: whether the head decodes to the right text: UTF-8 only, charset-normalizer,
  ours (`reading.encoding`);
- types and values: each expected column's type and first value, as each library reads
  the file handed to it in UTF-8 (pandas and polars with the Sniffer's delimiter, as
  the platform did before; CleverCSV's reader; DuckDB's read_csv; ours).

Scale: read time and peak RSS of one fresh process per reader and size, on the
profile benchmark's 8-column CSV (bench/realms/profile_bench.make_csv), medians of
`--repeat` runs.
"""

import argparse
import codecs
import csv
import math
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl

from activities.realms.reading import dialect, encoding
from activities.realms.reading.reader import read_table
from bench.realms.profile_bench import make_csv
from tests.reading_corpus import Case, cases

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = 64 * 1024
DELIMITED = ("csv", "tsv")


def _text(case: Case) -> str:
    """The whole file as text, decoded with the encoding it was written in."""
    raw = case.data
    for bom, name in encoding.BOMS:
        if raw.startswith(bom):
            return raw.decode(name)
    for name in ("utf-8", *case.expect.encodings, "cp1252"):
        try:
            return raw.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1")


def _delimited() -> list[Case]:
    return [c for c in cases() if c.expect.kind in DELIMITED and not c.name.endswith(".zip")]


# ---- dialect ---------------------------------------------------------------------------


def sniffer(sample: str, path: Path) -> tuple[str | None, str | None]:
    try:
        found = csv.Sniffer().sniff(sample)
    except csv.Error:
        return None, None
    return found.delimiter, found.quotechar


def sniffer_8k(sample: str, path: Path) -> tuple[str | None, str | None]:
    """As the platform used it before: the first 8 KiB."""
    return sniffer(sample[:8192], path)


def clever(sample: str, path: Path) -> tuple[str | None, str | None]:
    import clevercsv

    found = clevercsv.Detector().detect(sample)
    return (found.delimiter or None, found.quotechar or None) if found else (None, None)


def duck(sample: str, path: Path) -> tuple[str | None, str | None]:
    try:
        rows = _duck_rows(f"select Delimiter, Quote from sniff_csv('{path}')")
    except duckdb.Error:
        return None, None
    if not rows:
        return None, None
    quote = rows[0][1] if rows[0][1] not in ("", "(empty)") else None
    return rows[0][0], quote


def _duck_rows(query: str) -> list[tuple[Any, ...]]:
    relation = duckdb.sql(query)
    assert relation is not None
    return relation.fetchall()


def ours(sample: str, path: Path) -> tuple[str | None, str | None]:
    found = dialect.sniff(sample, None, None, None)
    delimiter = None if found.delimiter == dialect.NO_DELIMITER else found.delimiter
    return delimiter, found.quote_char


DIALECT: dict[str, Callable[[str, Path], tuple[str | None, str | None]]] = {
    "csv.Sniffer 8 KiB": sniffer_8k,
    "csv.Sniffer": sniffer,
    "CleverCSV": clever,
    "DuckDB sniff_csv": duck,
    "ours": ours,
}


def _dialect_right(case: Case, sample: str, found: tuple[str | None, str | None]) -> bool:
    """The right delimiter (for one column: any that splits nothing), and quote."""
    delimiter, quote = found
    want = case.expect.delimiter
    first = sample.splitlines()[0] if sample else ""
    if want is None:
        split = delimiter is None or delimiter not in first
        return split and (quote in (None, '"', "'"))
    if delimiter != want:
        return False
    return quote == "'" if case.expect.quote_char == "'" else quote in ('"', None)


def _start_right(case: Case, path: Path, name: str) -> bool | None:
    """Header row and has-header right (None: the candidate does not report them)."""
    want = (case.expect.header_row, case.expect.has_header)
    if name == "ours":
        text = path.read_text(encoding="utf-8")[:SAMPLE]
        found = dialect.sniff(text, None, None, None)
        return (found.header_row, found.has_header) == want
    if name == "DuckDB sniff_csv":
        try:
            rows = _duck_rows(f"select SkipRows, HasHeader from sniff_csv('{path}')")
        except duckdb.Error:
            return False
        return bool(rows) and (int(rows[0][0]), bool(rows[0][1])) == want
    return None


# ---- types and values ------------------------------------------------------------------


def kind_of(dtype: Any) -> str:
    """integer, number, boolean, datetime or text, for pandas and polars dtypes alike."""
    text = str(dtype).lower()
    if "bool" in text:
        return "boolean"
    if "int" in text:
        return "integer"
    if "float" in text or "decimal" in text or "double" in text:
        return "number"
    if "date" in text or "time" in text:
        return "datetime"
    return "text"


def read_pandas(path: Path, delimiter: str | None) -> dict[str, tuple[str, Any]]:
    frame = pd.read_csv(path, sep=delimiter or ",")
    return {str(c): (kind_of(frame[c].dtype), _first(frame[c].tolist())) for c in frame.columns}


def read_polars(path: Path, delimiter: str | None) -> dict[str, tuple[str, Any]]:
    frame = pl.read_csv(
        path, separator=delimiter or ",", infer_schema_length=10_000, try_parse_dates=True
    )
    return {c.name: (kind_of(c.dtype), _first(c.to_list())) for c in frame.iter_columns()}


def read_clever(path: Path, delimiter: str | None) -> dict[str, tuple[str, Any]]:
    import clevercsv

    frame = clevercsv.read_dataframe(str(path))
    return {str(c): (kind_of(frame[c].dtype), _first(frame[c].tolist())) for c in frame.columns}


def read_duck(path: Path, delimiter: str | None) -> dict[str, tuple[str, Any]]:
    frame = duckdb.read_csv(str(path)).pl()
    return {c.name: (kind_of(c.dtype), _first(c.to_list())) for c in frame.iter_columns()}


def read_ours(path: Path, delimiter: str | None) -> dict[str, tuple[str, Any]]:
    frame = read_table(path, path.name).frame
    return {c.name: (kind_of(c.dtype), _first(c.to_list())) for c in frame.iter_columns()}


READERS: dict[str, Callable[[Path, str | None], dict[str, tuple[str, Any]]]] = {
    "pandas (Sniffer)": read_pandas,
    "polars (Sniffer)": read_polars,
    "CleverCSV": read_clever,
    "DuckDB read_csv": read_duck,
    "ours": read_ours,
}


def _first(values: list[Any]) -> Any:
    return values[0] if values else None


def _same(got: Any, want: Any) -> bool:
    if want is None:
        return got is None or (isinstance(got, float) and math.isnan(got))
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        return isinstance(got, (int, float)) and math.isclose(float(got), float(want))
    return str(got) == str(want)


def _score_types(case: Case, found: dict[str, tuple[str, Any]]) -> tuple[int, int, int, int]:
    """(types right, types asked, values right, values asked) for one case."""
    types = sum(found.get(c, ("missing", None))[0] == k for c, k in case.expect.types.items())
    values = sum(
        _same(found[c][1], v) if c in found else False for c, v in case.expect.values.items()
    )
    return types, len(case.expect.types), values, len(case.expect.values)


# ---- the accuracy report ------------------------------------------------------------------


def accuracy() -> None:
    chosen = _delimited()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for case in chosen:
            path = Path(tmp) / case.name.replace(".txt", ".tsv")
            path.write_text(_text(case).lstrip("\ufeff"), encoding="utf-8")
            paths[case.name] = path
        print(f"dialect: {len(chosen)} delimited files of the corpus")
        print(f"{'candidate':<18} {'dialect':>8} {'table start':>12} {'seconds':>8}  wrong")
        for name, sniff in DIALECT.items():
            right, starts, asked, wrong = 0, 0, 0, []
            started = time.perf_counter()
            for case in chosen:
                sample = _text(case).lstrip("\ufeff")[:SAMPLE]
                if _dialect_right(case, sample, sniff(sample, paths[case.name])):
                    right += 1
                else:
                    wrong.append(case.name)
                start = _start_right(case, paths[case.name], name)
                if start is not None:
                    asked += 1
                    starts += start
            seconds = time.perf_counter() - started
            start_text = f"{100 * starts / asked:.1f} %" if asked else "n/a"
            print(
                f"{name:<18} {100 * right / len(chosen):>7.1f}% {start_text:>12} "
                f"{seconds:>8.2f}  {', '.join(wrong)}"
            )
        _encodings()
        print(f"\ntypes and first values: {len(chosen)} delimited files, as UTF-8")
        print(f"{'reader':<18} {'types':>8} {'values':>8}  failed")
        sniffed = {
            c.name: sniffer(_text(c).lstrip("\ufeff")[:SAMPLE], paths[c.name])[0] for c in chosen
        }
        for name, reader in READERS.items():
            totals = [0, 0, 0, 0]
            failed = []
            for case in chosen:
                try:
                    found = reader(paths[case.name], sniffed[case.name])
                except Exception:
                    found = {}
                    failed.append(case.name)
                for i, n in enumerate(_score_types(case, found)):
                    totals[i] += n
            print(
                f"{name:<18} {100 * totals[0] / totals[1]:>7.1f}% "
                f"{100 * totals[2] / totals[3]:>7.1f}%  {', '.join(failed)}"
            )


def _encodings() -> None:
    """Whether each candidate's encoding decodes every text file's head right."""
    from charset_normalizer import from_bytes

    texts = [
        c
        for c in cases()
        if c.expect.kind in (*DELIMITED, "json", "jsonl") and not c.name.endswith(".zip")
    ]

    def right(case: Case, name: str | None) -> bool:
        if name is None:
            return False
        head = case.data[:SAMPLE]
        try:
            got = codecs.getincrementaldecoder(name)().decode(head).lstrip("\ufeff")
        except (UnicodeDecodeError, LookupError):
            return False
        return _text(case).lstrip("\ufeff").startswith(got[:-8] if len(got) > 8 else got)

    def utf8(head: bytes) -> str | None:
        return "utf-8"

    def normalizer(head: bytes) -> str | None:
        best = from_bytes(head).best()
        return best.encoding if best else None

    print(f"\nencoding: {len(texts)} text files of the corpus (head decodes to the right text)")
    for name, detect in (
        ("UTF-8 only", utf8),
        ("charset-normalizer", normalizer),
        ("ours", encoding.detect_encoding),
    ):
        good = sum(right(c, detect(c.data[:SAMPLE])) for c in texts)
        print(f"{name:<18} {100 * good / len(texts):>7.1f}%")


# ---- scale -----------------------------------------------------------------------------

SCALE = {
    "ours": "from activities.realms.reading.reader import read_table\n"
    "frame = read_table(Path(sys.argv[1]), 'bench.csv').frame",
    "polars": "import polars as pl\nframe = pl.read_csv(sys.argv[1])",
    "pandas": "import pandas as pd\nframe = pd.read_csv(sys.argv[1])",
    "duckdb": "import duckdb\nduckdb.sql('SET enable_progress_bar = false')\n"
    "frame = duckdb.read_csv(sys.argv[1]).pl()",
}
TEMPLATE = """
import sys, time
from pathlib import Path
started = time.perf_counter()
{body}
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(time.perf_counter() - started, peak.split()[1])
"""
"""The child's own peak is VmHWM: `ru_maxrss` keeps the parent's peak across fork and
exec, so after the accuracy run every reader showed the parent's ~400 MiB."""


def _measure(body: str, path: Path) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, "-c", TEMPLATE.format(body=body), str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    seconds, peak = done.stdout.strip().splitlines()[-1].split()
    return float(seconds), int(peak) / 1024


def scale(sizes: list[int], repeat: int) -> None:
    print(f"\nread time and peak RSS, {repeat} fresh processes each (imports included)")
    print(
        f"{'rows':>9} {'file MiB':>9} " + " ".join(f"{n + ' s':>9} {n + ' MiB':>11}" for n in SCALE)
    )
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path = Path(tmp) / f"{rows}.csv"
            make_csv(path, rows)
            size = path.stat().st_size / 2**20
            cells = []
            for body in SCALE.values():
                runs = [_measure(body, path) for _ in range(repeat)]
                seconds = statistics.median(r[0] for r in runs)
                peak = statistics.median(r[1] for r in runs)
                cells.append(f"{seconds:>9.2f} {peak:>7.0f} ({peak / size:.1f}x)")
            print(f"{rows:>9} {size:>9.0f} " + " ".join(cells))
            path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="1000000,5000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    args = parser.parse_args()
    if not args.skip_accuracy:
        accuracy()
    if not args.skip_scale:
        scale([int(s) for s in args.scale.split(",")], args.repeat)


if __name__ == "__main__":
    main()
