"""`generate_insights` and `compare_data_quality` at 1M and 5M rows, against plain pandas.

Run: `.venv/bin/python -m bench.realms.insights_bench [--sizes 1000000,5000000]
[--repeat 3] [--intents generate_insights,compare_data_quality]`. The file is
profile_bench's (eight mixed columns: an id, a region, three measures with gaps and
outliers, a flag, a date, a note). Each measurement runs in a fresh subprocess (wall
time and peak RSS are that run's alone); baseline and handler runs alternate; each
figure is the median of `--repeat` runs. The timers start after the imports, as in
the worker.

Baselines, measured in the same run: for findings, a plain pandas + scipy script that
computes the same statistics (Pearson r and p for every pair of numeric columns,
skewness and its test, missing counts, duplicate rows, a linear trend of each numeric
column over monthly means); for the comparison, plain pandas computing the same five
rates (completeness, misfits, duplicate rows, variant spellings, IQR outliers) for each
of the two files. `compare_data_quality` compares the file with itself (two file ids on
the same bytes), so both sides read and profile 1M or 5M rows.
"""

import argparse
import tempfile
from pathlib import Path

from bench.realms.profile_bench import HANDLER as PROFILE_HANDLER
from bench.realms.profile_bench import alternate, make_csv, measure

TIMED = """
import resource
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      started - loading)
"""

FINDINGS_BASELINE = (
    """
import sys, time
loading = time.perf_counter()
import numpy as np
import pandas as pd
from scipy import stats
started = time.perf_counter()
frame = pd.read_csv(sys.argv[1])
numeric = frame.select_dtypes("number")
r = numeric.corr().to_numpy()
present = numeric.notna().to_numpy(dtype=float)
n = present.T @ present
with np.errstate(divide="ignore", invalid="ignore"):
    p = 2 * stats.t.sf(np.abs(r * np.sqrt((n - 2) / (1 - r**2))), n - 2)
skew = numeric.skew()
tests = {c: stats.skewtest(numeric[c].dropna()) for c in numeric}
missing = frame.isna().sum()
duplicates = int(frame.duplicated().sum())
months = pd.to_datetime(frame["day"]).dt.to_period("M")
for c in numeric:
    means = numeric[c].groupby(months).mean()
    stats.linregress(np.arange(len(means)), means.to_numpy())
"""
    + TIMED
)

COMPARE_BASELINE = (
    """
import sys, time
loading = time.perf_counter()
import pandas as pd
started = time.perf_counter()
for path in (sys.argv[1], sys.argv[1]):
    frame = pd.read_csv(path)
    cells = frame.size
    completeness = 1 - frame.isna().sum().sum() / cells
    duplicates = frame.duplicated().mean()
    misfits = variants = outliers = 0
    for name in frame.columns:
        s = frame[name].dropna()
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            q1, q3 = s.quantile([0.25, 0.75])
            fence = 1.5 * (q3 - q1)
            outliers += int(((s < q1 - fence) | (s > q3 + fence)).sum())
        elif s.dtype == object or str(s.dtype) == "str":
            numbers = pd.to_numeric(s.str.strip(), errors="coerce").notna().sum()
            if 0.5 <= numbers / max(1, len(s)) < 1:
                misfits += len(s) - numbers
            counts = s.value_counts()
            keys = counts.index.str.strip().str.lower()
            grouped = counts.groupby(keys)
            variants += int((grouped.sum() - grouped.max()).sum())
"""
    + TIMED
)

PROFILE_CALL = (
    'profile_data(RealmContext("bench", "bench", store), ProfileDataParams(file_ids=["f" * 32]))'
)
PROFILE_IMPORT = "from activities.realms.insights import profile_data"
assert PROFILE_CALL in PROFILE_HANDLER and PROFILE_IMPORT in PROFILE_HANDLER
HANDLER = PROFILE_HANDLER.replace(
    PROFILE_IMPORT,
    "from activities.catalog.insights import CompareDataQualityParams, GenerateInsightsParams\n"
    "from activities.realms.insights import compare_data_quality, generate_insights",
).replace(PROFILE_CALL, 'ctx = RealmContext("bench", "bench", store)\nINTENT')
"""profile_bench's handler script (its file store, its timer) running another intent."""
FINDINGS = HANDLER.replace(
    "INTENT", "generate_insights(ctx, GenerateInsightsParams(file_ids=['f' * 32]))"
)
COMPARE = HANDLER.replace(
    "INTENT",
    "compare_data_quality(ctx, CompareDataQualityParams(file_ids=['f' * 32, 'e' * 32]))",
)
READ_TABLE = HANDLER.replace(
    "INTENT", "from activities.realms.tables import read_table\nread_table(ctx, 'f' * 32)"
)
READ_POLARS_TWICE = HANDLER.replace(
    "INTENT",
    "from activities.realms.tables import read_polars\n"
    "read_polars(ctx, 'f' * 32)\nread_polars(ctx, 'e' * 32)",
)
"""The reading alone, as each intent reads (the reader is the files realm's, issue 15)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--intents", default="generate_insights,compare_data_quality")
    args = parser.parse_args()
    intents = args.intents.split(",")
    print(
        f"{'intent':>20} {'rows':>9} {'handler s':>10} {'read s':>7} {'pandas s':>9} {'ratio':>6} "
        f"{'peak MiB':>9} {'pd MiB':>7}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for rows in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"{rows}.csv"
            make_csv(path, rows)
            for intent, ours_script, base_script, read_script in (
                ("generate_insights", FINDINGS, FINDINGS_BASELINE, READ_TABLE),
                ("compare_data_quality", COMPARE, COMPARE_BASELINE, READ_POLARS_TWICE),
            ):
                if intent not in intents:
                    continue
                (base, base_peak, _), (ours, peak, _) = alternate(
                    base_script, ours_script, path, Path(tmp), args.repeat
                )
                reading = measure(read_script, path, Path(tmp))[0]
                print(
                    f"{intent:>20} {rows:>9} {ours:>10.2f} {reading:>7.2f} {base:>9.2f} "
                    f"{ours / base:>6.2f} {peak:>9.0f} {base_peak:>7.0f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
