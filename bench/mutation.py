"""Mutation testing of the modules that hold rules: how many broken rules the tests catch.

The kill rate is over the mutants some selected test runs, less the equivalent ones (a
listed survivor that cannot change behaviour, with its reason, below); `untested` counts
mutants in code those tests never reach (covered, if at all, by the stack layer, which
is too slow to run once per mutant).

`.venv/bin/python -m bench.mutation` (or `--module NAME` for one) runs mutmut on each
module below against the tests that pin its rules, each in a fresh copy of the work
tree, and prints killed / survived per module. Slow (minutes per module), so it is a
habit and a README figure, not part of CI. `--survivors` lists the mutants that lived."""

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")


@dataclass(frozen=True)
class Equivalent:
    """A surviving mutant that cannot change behaviour, and why; left out of the rate.

    `mutated` is a piece of the mutant's changed line: when the module changes and the
    name points at another mutant, the listing no longer matches and it counts again.
    """

    name: str
    mutated: str
    reason: str


@dataclass(frozen=True)
class Target:
    """One module with rules and the tests that must catch a break in them."""

    name: str
    source: str
    tests: tuple[str, ...]
    equivalent: tuple[Equivalent, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """One module's counts; `survived` excludes the equivalent mutants."""

    total: int
    killed: int
    survived: int
    equivalent: int
    untested: int

    @property
    def rate(self) -> float:
        tried = self.killed + self.survived
        return self.killed / tried if tried else 0.0


_CASELESS_HEADERS = "Starlette's Headers.get is case-insensitive"
_OWN_NAME = "a name only this code reads and writes; any other distinct name behaves alike"
_SQL_CASE = "SQLite keywords and names are case-insensitive"
_UNREAD_ARGUMENT = "nothing reads the exception's argument"
_TASK_NAME = "a task's name shows only in debugging output"
_NO_NULLS = "drop_nulls() of a series without nulls is the series"
_STRINGS = "infer_type sees Python strings as text whether their dtype is object or str"
_HAS_COLUMNS = "the reader refuses a file without columns, so a profiled table has one"
_ONE_ROW = "a select of aggregates has one row, which row() returns without an index"
_KLEENE = "null | x and False | x sum alike: Kleene or, and sum() skips nulls"
_COMPARE_ZIPS = (
    14,
    17,
    18,
    29,
    32,
    35,
    44,
    47,
    48,
    71,
    74,
    75,
    78,
    81,
    82,
    85,
    88,
    89,
    102,
    105,
    106,
)
_REBUILT = "the candidate's sentence and test numbers are rebuilt from its kept predictors"
_NEVER_QUOTED = "quote() never escapes X, so safe='XXXX' is safe=''"
_GUESSED_YEAR = "pandas guesses %Y from four digits, so the format given changes nothing"
_READER_NUMBERS = (
    "the reader's frames (polars' to_pandas) hold numpy ints and floats, whose to_numpy() is "
    "float64, or int64 without gaps"
)
_AS_FLOATS = "the values are numpy ints or floats, which scipy computes on as floats alike"
_BATCH = (
    "a column tested alone instead of in the batch: the same values and test (the batch only "
    "saves time)"
)

TARGETS = (
    Target(
        "guide (hand-back, references)",
        "activities/agents/guide.py",
        ("tests/unit/test_guide.py",),
        (
            Equivalent(
                "activities.agents.guide.x_one_file__mutmut_23",
                "decide(name, analysis.confidence, None, why, None, liaisons)",
                "decide reads the context only for the guide's own answers; one_file picks a "
                "label routed to a liaison",
            ),
        ),
    ),
    Target(
        "held stream (offsets, trim)",
        "workflows/conversation/stream.py",
        ("tests/unit/test_held_stream.py",),
    ),
    Target(
        "message ids (idempotency)",
        "workflows/conversation/message_ids.py",
        ("tests/unit/test_message_ids.py",),
    ),
    Target(
        "hub (offsets, feeds)",
        "api/hub.py",
        ("tests/unit/test_hub.py",),
        (
            Equivalent(
                "api.hub.xǁFeedǁafter__mutmut_1",
                "if cursor > self.newest:",
                "offsets are consecutive, so a cursor at the newest skips every frame either way",
            ),
            Equivalent("api.hub.xǁFeedǁafter__mutmut_5", "Behind(None)", _UNREAD_ARGUMENT),
            Equivalent("api.hub.xǁStreamHubǁjoin__mutmut_6", "NotOwner(None)", _UNREAD_ARGUMENT),
            Equivalent("api.hub.xǁStreamHubǁjoin__mutmut_20", "name=None", _TASK_NAME),
            Equivalent("api.hub.xǁStreamHubǁjoin__mutmut_23", "", _TASK_NAME),
            *(
                Equivalent(
                    f"api.hub.xǁStreamHubǁclose__mutmut_{n}",
                    "suppress(asyncio.CancelledError, ",
                    "_follow catches every Exception, so a feed's task only ever ends cancelled",
                )
                for n in (5, 7)
            ),
        ),
    ),
    Target(
        "auth (tokens, identity)",
        "api/auth.py",
        ("tests/unit/test_auth_keys.py",),
        (
            Equivalent(
                "api.auth.xǁAuthenticatorǁidentify__mutmut_19",
                "isinstance(kid, str)) or True",
                "PyJWT refuses a token whose kid is not a string before the lookup",
            ),
            *(
                Equivalent(f"api.auth.x_user_id_of__mutmut_{n}", "XXXX", _NEVER_QUOTED)
                for n in (13, 25, 30)
            ),
            Equivalent("api.auth.x_credentials__mutmut_7", '"AUTHORIZATION"', _CASELESS_HEADERS),
            Equivalent(
                "api.auth.x_credentials__mutmut_24", '"SEC-WEBSOCKET-PROTOCOL"', _CASELESS_HEADERS
            ),
            Equivalent(
                "api.auth.x_credentials__mutmut_8",
                '"authorization", "XXXX"',
                "a missing header read as XXXX never starts with 'bearer '",
            ),
            Equivalent(
                "api.auth.x_credentials__mutmut_25",
                '"sec-websocket-protocol", "XXXX"',
                "a missing header read as XXXX offers one protocol, not two",
            ),
            *(
                Equivalent(
                    f"api.auth.x__keys__mutmut_{n}",
                    '_ASYMMETRIC.get(entry.get("kty"), ',
                    "PyJWT refuses algorithms=None as it does [] (DecodeError)",
                )
                for n in (33, 35)
            ),
        ),
    ),
    Target(
        "edge (origin, flood, caps)",
        "api/edge.py",
        ("tests/unit/test_edge_rules.py",),
        (
            Equivalent(
                "api.edge.x_origin_allowed__mutmut_4",
                'headers.get("ORIGIN")',
                _CASELESS_HEADERS,
            ),
            Equivalent(
                "api.edge.x_origin_allowed__mutmut_17", 'headers.get("HOST")', _CASELESS_HEADERS
            ),
            Equivalent(
                "api.edge.x__chained__mutmut_22",
                "stopping.add(None)",
                "the pending task is also held by the event it awaits, so it is never collected",
            ),
        ),
    ),
    Target(
        "limits (caps, start window)",
        "api/limits.py",
        ("tests/unit/test_edge_rules.py",),
        (
            *(
                Equivalent(f"api.limits.xǁUserCapsǁ__init____mutmut_{n}", name, _OWN_NAME)
                for n, name in ((19, '"XXlimits.sqliteXX"'), (20, '"LIMITS.SQLITE"'))
            ),
            *(
                Equivalent(f"api.limits.xǁUserCapsǁ{method}__mutmut_{n}", name, _OWN_NAME)
                for method, n, name in (
                    ("new_session", 23, '"XXsessionXX"'),
                    ("new_session", 24, '"SESSION"'),
                    ("new_execution", 24, '"XXintentXX"'),
                    ("new_execution", 25, '"INTENT"'),
                )
            ),
            Equivalent(
                "api.limits.xǁStartWindowǁ__init____mutmut_12",
                "connect(path, isolation_level=None",
                "sqlite3's default timeout is 5.0",
            ),
            Equivalent(
                "api.limits.xǁStartWindowǁ__init____mutmut_13",
                "connect(path, timeout=5.0, check_same_thread",
                "legacy mode begins implicitly only outside a transaction, and every write "
                "here follows BEGIN IMMEDIATE",
            ),
            *(
                Equivalent(f"api.limits.xǁStartWindowǁ{method}__mutmut_{n}", mutated, _SQL_CASE)
                for method, n, mutated in (
                    ("__init__", 20, "pragma journal_mode=wal"),
                    ("__init__", 21, "JOURNAL_MODE=WAL"),
                    ("__init__", 24, "pragma synchronous=normal"),
                    ("__init__", 25, "SYNCHRONOUS=NORMAL"),
                    ("__init__", 28, "create table"),
                    ("__init__", 29, "STARTS (USER"),
                    ("__init__", 32, "create index"),
                    ("__init__", 33, "STARTS_BY_USER ON STARTS"),
                    ("_hit", 4, "begin immediate"),
                    ("_hit", 10, "delete from"),
                    ("_hit", 11, "FROM STARTS WHERE AT"),
                    ("_hit", 19, "select count"),
                    ("_hit", 20, "COUNT(*), MIN(AT)"),
                    ("_hit", 36, "insert into"),
                    ("_hit", 37, "INTO STARTS"),
                )
            ),
        ),
    ),
    Target(
        "profile (fences, score)",
        "activities/realms/profile.py",
        ("tests/unit/test_insights_profile.py",),
        tuple(
            Equivalent(f"activities.realms.profile.x_{function}__mutmut_{n}", mutated, reason)
            for function, n, mutated, reason in (
                (
                    "_duplicate_rows",
                    1,
                    "frame.is_empty() and",
                    "the hash test only saves time: height - n_unique is 0 when all hashes differ",
                ),
                ("column_kind", 26, "if (nulls) or True", _NO_NULLS),
                ("_quartiles", 4, "if (series.null_count()) or True", _NO_NULLS),
                ("column_kind", 35, "dtype=None", _STRINGS),
                ("column_kind", 37, "pd.Series(values, )", _STRINGS),
                ("_column_stats", 23, "if (exprs) or True", _HAS_COLUMNS),
                ("_column_stats", 24, ".row(None, named=True)", _ONE_ROW),
                ("_column_stats", 26, ".row(named=True)", _ONE_ROW),
                ("_outside", 14, "pl.lit(None)", _KLEENE),
                ("_outside", 22, "pl.lit(None)", _KLEENE),
                (
                    "_outside",
                    18,
                    "(not math.isnan(high)) or True",
                    "polars orders NaN above every value, so nothing is above a NaN fence",
                ),
                ("_rules", 31, "if (columns) or True", _HAS_COLUMNS),
                ("_rules", 37, "if columns else 101.0", _HAS_COLUMNS),
            )
        ),
    ),
    Target(
        "findings (outliers, trends)",
        "activities/realms/findings.py",
        (
            "tests/unit/test_insights_findings.py",
            "tests/unit/test_insights_findings_rules.py",
            "tests/unit/test_insights_wide.py",
            "tests/unit/test_realm_insights.py",
        ),
        tuple(
            Equivalent(f"activities.realms.findings.x_{function}__mutmut_{n}", mutated, reason)
            for function, n, mutated, reason in (
                *(
                    ("_split_column", n, mutated, "the names of a frame made and read only here")
                    for n, mutated in ((13, "XXdXX"), (14, '"D"'), (15, "XXgXX"), (16, '"G"'))
                ),
                *(
                    ("_predictor_candidate", n, mutated, _REBUILT)
                    for n, mutated in (
                        (26, 'top["statistic"], None'),
                        (27, 'top["p_value"], None'),
                        (65, 'sentence="XXXX"'),
                    )
                ),
                ("_trend", 77, "slope >= 0", "a slope of 0 was dropped before"),
                (
                    "_trend",
                    55,
                    "(fit.stderr) or True",
                    "numpy's float64 slope / 0.0 is inf too (a zero slope was dropped before)",
                ),
                (
                    "_numeric_dates",
                    34,
                    "29991232",
                    "no date lies between 29991231 and 29991232, so the parse rejects it anyway",
                ),
                ("_period_trend", 5, 'melt(var_name="year", )', "melt's value_name is value"),
                *(
                    ("_period_trend", n, mutated, _GUESSED_YEAR)
                    for n, mutated in ((12, "format=None"), (14, 'long["year"], )'))
                ),
                *(
                    ("_numeric_dates", n, mutated, _GUESSED_YEAR)
                    for n, mutated in ((20, "format=None"), (23, "(whole, errors="))
                ),
                (
                    "_numeric_dates",
                    24,
                    'format="%Y", )',
                    "<NA> reads as NaT, and every whole number from 1000 to 2999 parses as %Y",
                ),
                (
                    "_as_dates",
                    2,
                    "is_bool_dtype(None)",
                    "0 and 1 are no years or yyyymmdd numbers: the numeric path refuses them too",
                ),
                (
                    "_as_dates",
                    17,
                    'simplefilter("ignore", )',
                    "pd.to_datetime of text with errors='coerce' warns of nothing but UserWarning",
                ),
                ("_correlations", 32, "value >= 0", "an r of 0 is never material"),
                (
                    "_correlations",
                    26,
                    "break",
                    "no kept pair lacks a p-value: that takes n <= 2, where |r| = 1 collapses one",
                ),
                *(
                    ("_skews", n, mutated, "only a skewness beyond ±1 gets here")
                    for n, mutated in ((22, "skew >= 0"), (23, "skew > 1"))
                ),
                ("_significant", 14, "else -2.0", "no p-value is below 0, nor -1"),
                (
                    "_significant",
                    30,
                    "break",
                    "a kept predictors finding's p is its strongest one's, so that one is named",
                ),
                *(
                    ("_collapse_near_duplicates", n, mutated, _READER_NUMBERS)
                    for n, mutated in ((3, "to_numpy(dtype=None, "), (5, "to_numpy(na_value"))
                ),
                *(
                    ("_collapse_near_duplicates", n, mutated, "as floats, a gap is NaN anyway")
                    for n, mutated in ((4, "na_value=None"), (6, "to_numpy(dtype=float, )"))
                ),
                *(
                    ("_collapse_near_duplicates", n, "astype(None)", "astype(None) is float64")
                    for n in (12, 13)
                ),
                (
                    "_split_column",
                    23,
                    "max(2, ",
                    "under 2 (date, group) pairs, rows / 2 > 1.5 whenever the 6 dates a trend "
                    "needs are there",
                ),
                (
                    "_split_column",
                    6,
                    "distinct == 1",
                    "one date makes no trend (6 needed), split or not; no date gives 0 rows",
                ),
                (
                    "_pearson_p",
                    37,
                    "np.abs(r) > 1",
                    "at |r| = 1 exactly, t is infinite and its p 0 (NaN at n = 2 either way)",
                ),
                ("_trend", 17, "to_numpy(dtype=None)", _AS_FLOATS),
                *(("_skew_tests", n, "dtype=None", _AS_FLOATS) for n in (12, 32)),
                *(
                    ("_skew_tests", n, mutated, _BATCH)
                    for n, mutated in (
                        (2, "full = None"),
                        (5, "counts[n] > SKEW_MIN_ROWS"),
                        (27, "name not in found or counts"),
                    )
                ),
                ("_skew_tests", 11, "to_numpy(dtype=float), )", "skewtest's axis is 0 by default"),
                ("_skew_tests", 14, "found = {", "found is still empty there"),
                *(
                    ("_skew_tests", n, mutated, "the names are the batch's columns: equal lengths")
                    for n, mutated in (
                        (21, "strict=None"),
                        (25, "whole.pvalue, )"),
                        (26, "strict=False"),
                    )
                ),
            )
        ),
    ),
    Target(
        "compare (rates, verdicts)",
        "activities/realms/compare.py",
        ("tests/unit/test_insights_compare.py",),
        (
            *(
                Equivalent(
                    f"activities.realms.compare.x_compare__mutmut_{n}",
                    "zip(names",
                    "the names are made from the qualities, so every zip is of equal lengths",
                )
                for n in _COMPARE_ZIPS
            ),
            Equivalent("activities.realms.compare.x__misfits__mutmut_6", ".row(None", _ONE_ROW),
            Equivalent("activities.realms.compare.x__misfits__mutmut_8", ".row(named", _ONE_ROW),
            *(
                Equivalent(
                    f"activities.realms.compare.x__misfits__mutmut_{n}",
                    mutated,
                    "a column of numbers only adds present - numbers = 0 misfits either way",
                )
                for n, mutated in ((30, "numbers / present <= 1"), (31, "numbers / present < 2"))
            ),
        ),
    ),
)


def run(target: Target, survivors: bool) -> Outcome:
    """mutmut over `target` in a throwaway copy of the work tree as it is (tracked and
    new files, less any deleted ones); its counts (and survivors, if asked)."""
    with tempfile.TemporaryDirectory(prefix="mutation-") as folder:
        copy = Path(folder)
        _copy_tree(copy)
        (copy / "setup.cfg").write_text(_config(target))
        subprocess.run([str(MUTMUT), "run"], cwd=copy, capture_output=True, check=False)
        subprocess.run(
            [str(MUTMUT), "export-cicd-stats"], cwd=copy, capture_output=True, check=True
        )
        stats: dict[str, int] = json.loads(
            (copy / "mutants" / "mutmut-cicd-stats.json").read_text()
        )
        listing = subprocess.run(
            [str(MUTMUT), "results"], cwd=copy, capture_output=True, text=True, check=True
        ).stdout
        known = {e.name: e for e in target.equivalent}
        equivalent = 0
        for line in listing.splitlines():
            name, _, status = line.strip().partition(": ")
            if status != "survived":
                if survivors:
                    print(f"# {name}: {status}")
                continue
            shown = _show(copy, name)
            match = known.get(name)
            if match and any(
                row.startswith("+") and match.mutated in row for row in shown.splitlines()
            ):
                equivalent += 1
            elif survivors:
                print(shown)
        return Outcome(
            total=stats["total"],
            killed=stats["killed"] + stats["timeout"],
            survived=stats["survived"] - equivalent,
            equivalent=equivalent,
            untested=stats["no_tests"],
        )


def _copy_tree(copy: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    archive = subprocess.run(
        ["tar", "-cf", "-", "--ignore-failed-read", "--null", "-T", "-"],
        cwd=ROOT,
        input=files,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-xf", "-"], cwd=copy, input=archive, check=True)


def _show(copy: Path, name: str) -> str:
    """The mutant's diff, as `mutmut show` prints it."""
    return subprocess.run(
        [str(MUTMUT), "show", name], cwd=copy, capture_output=True, text=True, check=False
    ).stdout


def _config(target: Target) -> str:
    """mutmut's settings: the module to mutate, its tests, and the tree they import."""
    lines = [
        "[mutmut]",
        f"source_paths={target.source}",
        "pytest_add_cli_args_test_selection=" + "\n    ".join(target.tests),
        "pytest_add_cli_args=-p no:cacheprovider -q",
        # Each mutant's tests run in a child of a process that has run no test: a child
        # forked after polars' thread pool started hangs until mutmut's timeout, which
        # would count as a kill.
        "process_isolation=forkserver",
        "also_copy="
        + "\n    ".join(
            [
                "activities",
                "api",
                "models",
                "storage",
                "workflows",
                "settings.py",
                "launcher.py",
                "worker.py",
            ]
        ),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--module", help="only the target whose source path contains this")
    parser.add_argument("--survivors", action="store_true", help="show each surviving mutant")
    options = parser.parse_args()
    header = ("module", "mutants", "killed", "survived", "equivalent", "untested", "kill rate")
    print("{:32} {:>8} {:>7} {:>9} {:>10} {:>9} {:>10}".format(*header))
    for target in TARGETS:
        if options.module and options.module not in target.source:
            continue
        out = run(target, options.survivors)
        row = (target.name, out.total, out.killed, out.survived, out.equivalent, out.untested)
        print("{:32} {:>8} {:>7} {:>9} {:>10} {:>9} {:>10.1%}".format(*row, out.rate))


if __name__ == "__main__":
    main()
