"""`profile_data` on generated CSVs of 10k, 100k and 1M rows, against plain pandas.

Run: `.venv/bin/python -m bench.realms.profile_bench [--sizes 10000,100000,1000000]
[--repeat 5] [--repeated 0.02]`. Each measurement runs in a fresh subprocess, so wall
time and peak RSS are that run's alone; baseline and handler runs alternate and each
figure is the median of `--repeat` runs (one cold process is noisy at 10k rows: tens of
milliseconds).
The baseline is a plain pandas script computing the same per-column statistics (nulls,
distinct, min/max/mean/std/quartiles, IQR outliers, top values, duplicates).
`--repeated`: that share of the file's rows are exact repeats of the row before them (the
default file has none, and counting duplicates costs more when there are some).

The timed work starts after the imports in both scripts, as in the worker, which imports
the realms once at start; the import times are reported in their own columns: the
handler's process imports pandas and polars (and the platform), the baseline's pandas.
"""

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BASELINE = """
import sys, time
loading = time.perf_counter()
import pandas as pd
started = time.perf_counter()
frame = pd.read_csv(sys.argv[1])
out = {"duplicates": int(frame.duplicated().sum())}
for name in frame.columns:
    s = frame[name]
    v = s.dropna()
    col = {"nulls": float(s.isna().mean()), "distinct": int(v.nunique())}
    if pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v):
        q1, q2, q3 = v.quantile([0.25, 0.5, 0.75])
        iqr = q3 - q1
        col.update(min=float(v.min()), max=float(v.max()), mean=float(v.mean()), std=float(v.std()),
                   outliers=int(((v < q1 - 1.5 * iqr) | (v > q3 + 1.5 * iqr)).sum()))
    else:
        col["top"] = v.astype(str).value_counts().head(5).to_dict()
    out[name] = col
import resource
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      started - loading)
"""

HANDLER = """
import sys, time
loading = time.perf_counter()
from pathlib import Path
from activities.realms.context import RealmContext
from activities.catalog.insights import ProfileDataParams
from activities.realms.insights import profile_data
from models.files import FileRef
from storage.files import LocalFileStore

class Store(LocalFileStore):
    def get(self, owner, file_id):
        return FileRef(file_id=file_id, name="bench.csv", size=Path(sys.argv[1]).stat().st_size,
                       sha256="0" * 64, content_type="text/csv")
    def local_path(self, ref):
        return Path(sys.argv[1])

store = Store(Path(sys.argv[2]), 10**12)
started = time.perf_counter()
profile_data(RealmContext("bench", "bench", store), ProfileDataParams(file_ids=["f" * 32]))
import resource
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      started - loading)
"""


def make_csv(path: Path, rows: int, repeated: float = 0.0) -> None:
    """Eight mixed columns with nulls, repeated ids and outliers; `rows` lines, of which
    `repeated` (a share) repeat the line before them exactly."""
    rng = random.Random(rows)
    every = max(1, round(1 / repeated) - 1) if repeated else 0  # 1 line in 1/repeated repeats
    with path.open("w") as out:
        out.write("id,region,amount,units,score,flag,day,note\n")
        written, i = 0, 0
        while written < rows:
            amount = "" if i % 17 == 0 else f"{rng.gauss(100, 15) * (10 if i % 97 == 0 else 1):.2f}"
            line = (
                f"{i % (rows - rows // 50)},r{i % 12},{amount},{rng.randint(1, 40)},"
                f"{rng.random():.4f},{i % 2 == 0},2024-{i % 12 + 1:02d}-{i % 28 + 1:02d},"
                f"n{i % 500}\n"
            )
            copies = 2 if every and i % every == every - 1 else 1
            out.write(line * min(copies, rows - written))
            written += copies
            i += 1


def measure(script: str, csv_path: Path, scratch: Path) -> tuple[float, float, float]:
    """(seconds of work, peak RSS in MiB, seconds of imports) of one fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", script, str(csv_path), str(scratch)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    seconds, peak_kib, imports = done.stdout.strip().splitlines()[-1].split()
    return float(seconds), int(peak_kib) / 1024, float(imports)


def medians(runs: list[tuple[float, float, float]]) -> list[float]:
    """The median of each figure over the runs."""
    return [statistics.median(figure) for figure in zip(*runs, strict=True)]


def alternate(
    baseline: str, handler: str, csv_path: Path, scratch: Path, repeat: int
) -> tuple[list[float], list[float]]:
    """The baseline's and the handler's median figures, their runs alternating."""
    base_runs, our_runs = [], []
    for _ in range(repeat):
        base_runs.append(measure(baseline, csv_path, scratch))
        our_runs.append(measure(handler, csv_path, scratch))
    return medians(base_runs), medians(our_runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--repeated", type=float, default=0.0)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"{'rows':>9} {'handler s':>10} {'pandas s':>9} {'ratio':>6} {'us/row':>7} "
        f"{'peak MiB':>9} {'pd MiB':>7} {'import s':>9} {'pd import':>10}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path = Path(tmp) / f"{rows}.csv"
            make_csv(path, rows, args.repeated)
            (base, base_peak, base_import), (ours, peak, our_import) = alternate(
                BASELINE, HANDLER, path, Path(tmp), args.repeat
            )
            print(
                f"{rows:>9} {ours:>10.3f} {base:>9.3f} {ours / base:>6.2f} "
                f"{ours / rows * 1e6:>7.2f} {peak:>9.0f} {base_peak:>7.0f} "
                f"{our_import:>9.3f} {base_import:>10.3f}"
            )


if __name__ == "__main__":
    main()
