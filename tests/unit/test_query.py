"""query_data without a server: the SQL whitelist, the plan and time limits, the parser."""

from pathlib import Path

import palmerpenguins
import pandas as pd
import pytest
from temporalio.exceptions import ApplicationError

from activities import questions
from activities.catalog.query import QueryDataParams
from activities.realms import sql_guard
from activities.realms.query import QueryLimits, query_data, run
from models.query import ColumnInfo, Query, TableSchema
from tests.realm_files import Files

PENGUINS = Path(palmerpenguins.__file__).parent / "data" / "penguins.csv"
REFUSED = [
    "DROP TABLE penguins",
    "COPY penguins TO '/tmp/out.csv'",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "ATTACH '/tmp/x.db'",
    "PRAGMA version",
    "SET threads = 1",
    "SELECT 1; SELECT 2",
    "SELECT * FROM glob('/*')",
    "SELECT getenv('HOME')",
    "SELECT * FROM information_schema.tables",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r",
    "SELECT * INTO stolen FROM penguins",
    "SELECT * FROM range(1000000000000)",
]


@pytest.mark.parametrize("sql", REFUSED)
def test_the_whitelist_refuses_anything_but_one_select(sql: str) -> None:
    with pytest.raises(sql_guard.RefusedQuery):
        sql_guard.check(sql, {"penguins"})


def test_the_whitelist_lets_selects_over_the_files_through() -> None:
    sql = "WITH a AS (SELECT species, body_mass_g FROM penguins) SELECT median(body_mass_g) FROM a"
    assert sql_guard.check(sql, {"penguins"}).startswith("WITH a AS")


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


def _ask(files: Files, file_id: str, query: Query, limits: QueryLimits | None = None) -> str:
    params = QueryDataParams(file_ids=[file_id], question="", query=query)
    return query_data(limits or QueryLimits(), files.ctx, params).answer


def test_a_refused_query_never_reaches_the_engine(files: Files, tmp_path: Path) -> None:
    ref = files.add("penguins.csv", PENGUINS.read_bytes())
    target = tmp_path / "stolen.csv"
    with pytest.raises(ApplicationError) as err:
        _ask(files, ref.file_id, Query(shape="sql", sql=f"COPY penguins TO '{target}'"))
    assert (err.value.type, err.value.non_retryable) == ("query_refused", True)
    assert not target.exists()


def test_a_plan_over_the_row_limit_is_refused_before_it_runs(files: Files) -> None:
    """Edge: 344 x 344 = 118,336 rows combined; refused at one under, runs at exactly it."""
    ref = files.add("penguins.csv", PENGUINS.read_bytes())
    cross = Query(shape="sql", sql="SELECT count(*) AS n FROM penguins a, penguins b")
    with pytest.raises(ApplicationError) as err:
        _ask(files, ref.file_id, cross, QueryLimits(max_plan_rows=344 * 344 - 1))
    assert err.value.type == "query_refused"
    assert "118,336" in err.value.message
    assert "118,336" in _ask(files, ref.file_id, cross, QueryLimits(max_plan_rows=344 * 344))


def test_a_query_past_the_time_limit_is_interrupted() -> None:
    frame = pd.DataFrame({"k": [i % 2 for i in range(200_000)]})
    sql = "SELECT count(*) FROM t a JOIN t b ON a.k = b.k"
    with pytest.raises(ApplicationError) as err:
        run({"t": frame}, sql, QueryLimits(timeout_seconds=0.2))
    assert (err.value.type, err.value.non_retryable) == ("query_timeout", True)


def test_rows_are_bounded_and_the_count_is_exact(files: Files) -> None:
    ref = files.add("penguins.csv", PENGUINS.read_bytes())
    params = QueryDataParams(
        file_ids=[ref.file_id], query=Query(shape="sql", sql="SELECT * FROM penguins")
    )
    result = query_data(QueryLimits(max_rows=10), files.ctx, params)
    assert (len(result.rows), result.row_count, result.truncated) == (10, 344, True)


def test_column_names_match_by_words_and_fuzzily(files: Files) -> None:
    ref = files.add("people.csv", "annual_salary,department\n100,a\n200,b\n")
    from activities.realms.query import load

    [schema] = load(files.ctx, [ref.file_id], None).schemas
    parsed = questions.parse("median salary by departmnet", [schema])
    assert isinstance(parsed, Query)
    assert (parsed.agg, parsed.column, parsed.group_by) == (
        "median",
        "annual_salary",
        ["department"],
    )


def test_an_ambiguous_name_asks_which_column(files: Files) -> None:
    ref = files.add("penguins.csv", PENGUINS.read_bytes())
    from activities.realms.query import load

    schemas = load(files.ctx, [ref.file_id], None).schemas
    asked = questions.parse("mean length", schemas)
    assert isinstance(asked, questions.Clarify)
    assert asked.options == ["bill_length_mm", "flipper_length_mm"]


def test_a_superlative_names_its_measure(files: Files) -> None:
    """ "the heaviest penguin" is the highest weight (body_mass_g, by its synonym), "and the
    lightest?" the lowest; "longest" fits two lengths and asks which."""
    ref = files.add("penguins.csv", PENGUINS.read_bytes())
    from activities.realms.query import load

    schemas = load(files.ctx, [ref.file_id], None).schemas
    heaviest = questions.parse("what's the heaviest penguin", schemas)
    assert isinstance(heaviest, Query)
    assert (heaviest.agg, heaviest.column) == ("max", "body_mass_g")
    lightest = questions.parse("and the lightest?", schemas, heaviest)
    assert isinstance(lightest, Query)
    assert (lightest.agg, lightest.column) == ("min", "body_mass_g")
    longest = questions.parse("what's the longest penguin", schemas)
    assert isinstance(longest, questions.Clarify)
    assert longest.options == ["bill_length_mm", "flipper_length_mm"]
    assert questions.words_of("the heavier one") == ["the", "heavier", "one"]


def _orders() -> TableSchema:
    columns = [ColumnInfo(name="total", type="number"), ColumnInfo(name="status", type="text")]
    return TableSchema(file_id="o", name="orders.csv", table="orders", rows=3, columns=columns)


@pytest.mark.parametrize(
    ("said", "agg"), [("and the lowest one", "min"), ("and the biggest?", "max")]
)
def test_the_lowest_after_a_number_is_that_columns_minimum(said: str, agg: str) -> None:
    last = Query(shape="aggregate", agg="sum", column="total", file_id="o")
    refined = questions.parse(said, [_orders()], last)
    assert isinstance(refined, Query)
    assert (refined.shape, refined.agg, refined.column) == ("aggregate", agg, "total")


def test_the_lowest_after_a_ranking_leaves_its_measure() -> None:
    """On a ranking (top groups), "lowest" is the order's word, not a new aggregate."""
    last = Query(shape="top", agg="sum", column="total", group_by=["status"], limit=3, file_id="o")
    assert questions.refine("and the lowest", last, [_orders()]) is None
