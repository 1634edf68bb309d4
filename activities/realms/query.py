"""Insights realm: `query_data` answers a question about the user's files with DuckDB.

The files are read with the same reader as ingest, registered in an in-memory DuckDB
connection that can reach nothing else (no files, no network, no extensions, settings
locked), and queried with one SELECT that passed `sql_guard`. A structured `Query` is
compiled to SQL here; a question without one is parsed by `activities.questions`. A plan
that would combine too many rows is refused before it runs, and a query still running
at the time limit is interrupted and reported.
"""

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any, Literal

import duckdb
import pandas as pd
from pydantic import BaseModel, Field
from temporalio.exceptions import ApplicationError

from activities import questions
from activities.catalog.query import QUERY_DATA, QueryDataParams
from activities.realms import answers, sql_guard
from activities.realms.content import infer_type
from activities.realms.context import RealmContext
from activities.realms.reading.limits import ReadLimits
from activities.realms.reading.options import ReadOptions, UsedReadOptions
from activities.realms.spec import IntentSpec
from activities.realms.tables import Table, open_file, read_table
from models.files import FileRef
from models.query import ColumnInfo, Condition, Query, TableSchema
from storage.files import FileStore

TOP_VALUES = 30
"""Common values of a text column kept in its schema, to match "Adelie" to `species`."""
CELL_CHARS = 80
DATE_SAMPLE = 50
ISO_DATE = r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}"
JOINS = ("CROSS_PRODUCT", "NESTED_LOOP_JOIN", "BLOCKWISE_NL_JOIN", "PIECEWISE_MERGE_JOIN")


@dataclass(frozen=True)
class QueryLimits:
    """Bounds on one query (from settings): rows returned, seconds, rows a plan may combine."""

    max_rows: int = 200
    timeout_seconds: float = 10.0
    max_plan_rows: int = 1_000_000_000
    threads: int = 2


class QueryResult(BaseModel):
    answer: str
    columns: list[str]
    rows: list[list[Any]]
    row_count: int
    truncated: bool
    sql: str
    warnings: list[dict[str, Any]] = Field(default_factory=list)
    read_options: list[UsedReadOptions] = Field(default_factory=list)
    """How each file was read (detected or given), in the order of `file_ids`."""
    chart: Literal["bar", "line", "none"] = "none"
    """What the console draws: bars for groups, a line for a trend."""
    query: Query


@dataclass
class Loaded:
    """The files as DuckDB tables, with their schemas and what the reader warned about."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    schemas: list[TableSchema] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    read_options: list[UsedReadOptions] = field(default_factory=list)


def query_data(limits: QueryLimits, ctx: RealmContext, params: QueryDataParams) -> QueryResult:
    """Read the files, build or take the query, run it within the limits, state the answer."""
    loaded = load(ctx, params.file_ids, params.read_options)
    query = params.query or _parsed(params.question, loaded.schemas)
    schema = _target(query, loaded.schemas)
    sql = query.sql if query.shape == "sql" and query.sql else compile_query(query, schema)
    try:
        checked = sql_guard.check(sql, set(loaded.frames))
    except sql_guard.RefusedQuery as err:
        raise refused(str(err)) from err
    ctx.progress("running the query", None)
    columns, rows, row_count = run(loaded.frames, checked, limits)
    table = answers.Answered(query, schema, columns, rows, row_count)
    return QueryResult(
        answer=answers.sentence(table),
        columns=columns,
        rows=[[_cell(v) for v in row] for row in rows],
        row_count=row_count,
        truncated=row_count > len(rows),
        sql=checked,
        warnings=loaded.warnings,
        read_options=loaded.read_options,
        chart=answers.chart(table),
        query=query,
    )


def refused(message: str) -> ApplicationError:
    """A query the whitelist or the plan check refuses: nothing ran, retrying won't help."""
    return ApplicationError(f"query refused: {message}", type="query_refused", non_retryable=True)


def _parsed(question: str, schemas: list[TableSchema]) -> Query:
    parsed = questions.parse(question, schemas)
    if isinstance(parsed, questions.Clarify):
        raise ApplicationError(parsed.text, type="unclear_question", non_retryable=True)
    return parsed


def _target(query: Query, schemas: list[TableSchema]) -> TableSchema:
    return next((s for s in schemas if s.file_id == query.file_id), schemas[0])


@dataclass(frozen=True)
class ReadFile:
    """One file as query_data uses it: the frame (dates parsed), its columns, how it was read."""

    frame: pd.DataFrame
    columns: list[ColumnInfo]
    rows: int
    warnings: list[dict[str, Any]]
    read_options: UsedReadOptions


class FrameCache:
    """Files already read, by content (sha256) and read options, up to a memory bound.

    A conversation asks several questions of one file, and the liaison reads its schema
    just before query_data runs in the same worker: reading a 1,000,000-row CSV takes
    seconds, a query on the frame a fraction of that. Stored bytes never change for a
    hash, so an entry is never stale; the oldest go first past `max_bytes`.
    """

    def __init__(self, max_bytes: int = 512 * 1024 * 1024) -> None:
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[ReadFile, int]] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, ctx: RealmContext, file_id: str, options: ReadOptions | None) -> ReadFile:
        """The file from memory, or read now with the project's reader and kept."""
        ref, _ = open_file(ctx, file_id)
        key = f"{ref.sha256}:{options.model_dump_json() if options else ''}"
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key][0]
        read = _read_file(ctx, file_id, options)
        size = int(read.frame.memory_usage(deep=False).sum())
        with self._lock:
            self._entries[key] = (read, size)
            while sum(s for _, s in self._entries.values()) > self._max_bytes and self._entries:
                self._entries.popitem(last=False)
        return read


FRAMES = FrameCache()
"""The worker's files in memory, shared by query_data and the liaison's schemas."""


def load(ctx: RealmContext, file_ids: list[str], read_options: ReadOptions | None) -> Loaded:
    """Every file as a frame named for SQL, with its schema; dates in text become dates."""
    loaded = Loaded()
    for index, file_id in enumerate(file_ids):
        ctx.progress(f"reading file {index + 1} of {len(file_ids)}", 100 * index / len(file_ids))
        read = FRAMES.read(ctx, file_id, read_options)
        ref, _ = open_file(ctx, file_id)
        name = table_name(ref.name, set(loaded.frames))
        loaded.frames[name] = read.frame
        loaded.schemas.append(
            TableSchema(
                file_id=file_id, name=ref.name, table=name, rows=read.rows, columns=read.columns
            )
        )
        loaded.warnings.extend(read.warnings)
        loaded.read_options.append(read.read_options)
    return loaded


def _read_file(ctx: RealmContext, file_id: str, options: ReadOptions | None) -> ReadFile:
    table = _read(ctx, file_id, options)
    frame, warnings = _with_dates(table.frame)
    return ReadFile(
        frame=frame,
        columns=columns_of(frame),
        rows=len(frame),
        warnings=[*(w.model_dump() for w in table.warnings), *warnings],
        read_options=table.read_options,
    )


def _read(ctx: RealmContext, file_id: str, read_options: ReadOptions | None) -> Table:
    """The one place query_data reads a file: the project's table reader, as ingest reads it."""
    return read_table(ctx, file_id, read_options)


def table_name(file_name: str, taken: set[str]) -> str:
    """A SQL name from the file's name ("Sales 2024.csv" -> sales_2024), unique among `taken`."""
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", file_name).lower()
    name = re.sub(r"[^a-z0-9]+", "_", stem).strip("_") or "data"
    if name[0].isdigit():
        name = f"t_{name}"
    unique, count = name, 1
    while unique in taken:
        count += 1
        unique = f"{name}_{count}"
    return unique


def _with_dates(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Text columns that hold ISO dates become dates; values that do not parse are counted."""
    warnings: list[dict[str, Any]] = []
    converted = {}
    for name in frame.columns:
        column = frame[name]
        if not _dated_text(column):
            continue
        parsed = pd.to_datetime(column, errors="coerce", format="mixed")
        bad = column[parsed.isna() & column.notna()]
        if len(bad):
            warnings.append(
                {
                    "kind": "unparsed_date",
                    "column": str(name),
                    "count": len(bad),
                    "examples": [str(v) for v in bad.head(3)],
                    "message": f"{len(bad)} values of {name} are not dates and count as missing",
                }
            )
        converted[name] = parsed
    return (frame.assign(**converted) if converted else frame), warnings


def _dated_text(column: pd.Series) -> bool:
    """Text whose first values all read as ISO-ordered dates (2019-03-01, 2012/01/31)."""
    if pd.api.types.is_datetime64_any_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return False
    sample = column.dropna().astype(str).head(DATE_SAMPLE)
    if sample.empty or not sample.str.match(ISO_DATE).all():
        return False
    return bool(pd.to_datetime(sample, errors="coerce", format="mixed").notna().all())


def columns_of(frame: pd.DataFrame) -> list[ColumnInfo]:
    """Column names, kinds and the common values of text columns."""
    columns = []
    for name in frame.columns:
        column = frame[name]
        kind = infer_type(column)
        counts = column.value_counts() if kind in ("text", "boolean") else None
        columns.append(
            ColumnInfo(
                name=str(name),
                type=kind,
                values=[str(v) for v in counts.index[:TOP_VALUES]] if counts is not None else [],
                distinct=len(counts) if counts is not None else 0,
            )
        )
    return columns


@dataclass
class _Given(RealmContext):
    """A context over files the session already resolved (the agents' reading of schemas)."""

    refs: dict[str, FileRef] = field(default_factory=dict)

    def file(self, file_id: str) -> tuple[FileRef, Any]:
        ref = self.refs[file_id]
        return ref, self.store.local_path(ref)


class TableSchemas:
    """The schemas of the session's files, for the Insights liaison, read as query_data reads.

    Reads go through `FRAMES`, so the query_data that follows in this worker finds the file
    already read; a file that cannot be read has no schema (query_data then says why).
    """

    def __init__(self, store: FileStore, limits: ReadLimits | None = None) -> None:
        self._store = store
        self._limits = limits or ReadLimits()

    def schemas(self, refs: list[FileRef]) -> list[TableSchema]:
        """One schema per readable file, named as query_data will name its table."""
        context = _Given(
            user_id="",
            execution_id="",
            store=self._store,
            read_limits=self._limits,
            refs={ref.file_id: ref for ref in refs},
        )
        found: list[TableSchema] = []
        for ref in refs:
            try:
                [schema] = load(context, [ref.file_id], None).schemas
            except (ApplicationError, OSError, ValueError):
                continue
            table = table_name(ref.name, {s.table for s in found})
            found.append(schema.model_copy(update={"table": table}))
        return found


def ident(name: str) -> str:
    """A quoted SQL identifier (a column name can hold anything)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: float | str) -> str:
    """A SQL literal; text is quoted with its quotes doubled."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


AGG_SQL = {
    "count": "count",
    "sum": "sum",
    "mean": "avg",
    "median": "median",
    "min": "min",
    "max": "max",
}


def measure(query: Query) -> str:
    """The aggregate the query asks for, as SQL."""
    if query.agg == "count" and not query.column:
        return "count(*)"
    return f"{AGG_SQL[query.agg]}({ident(query.column or '')})"


def _where(conditions: list[Condition], also: list[str] | None = None) -> str:
    clauses = [*(_condition(c) for c in conditions), *(also or [])]
    return f" WHERE {' AND '.join(clauses)}" if clauses else ""


def _condition(condition: Condition) -> str:
    column, value = ident(condition.column), condition.value
    if condition.op == "weekend":
        return f"dayofweek({column}) IN (0, 6)"
    if condition.op == "weekday":
        return f"dayofweek({column}) NOT IN (0, 6)"
    if condition.op in ("year", "month"):
        return f"{condition.op}({column}) = {literal(_number(value))}"
    if condition.op == "between" and isinstance(value, list) and len(value) == 2:
        return f"{column} BETWEEN {literal(value[0])} AND {literal(value[1])}"
    if isinstance(value, list) or value is None:
        raise refused(f"the filter {condition.op} on {condition.column} needs one value")
    return f"{column} {condition.op} {literal(value)}"


def _number(value: object) -> float:
    if isinstance(value, int | float):
        return value
    raise refused(f"expected a number, got {value!r}")


def _group_key(name: str, schema: TableSchema, period: str | None) -> str:
    column = schema.column(name)
    if column is not None and column.type == "datetime":
        return f"date_trunc('{period or 'month'}', {ident(name)})::DATE AS {ident(name)}"
    return ident(name)


def compile_query(query: Query, schema: TableSchema) -> str:
    """SQL for a structured query, after checking every column it names is in the file."""
    _check_columns(query, schema)
    return COMPILERS[query.shape](query, schema)


def _check_columns(query: Query, schema: TableSchema) -> None:
    named = [query.column, *query.columns, *query.group_by, query.date_column]
    named += [c.column for c in query.where]
    unknown = [n for n in named if n is not None and schema.column(n) is None]
    if unknown:
        known = ", ".join(c.name for c in schema.columns)
        raise refused(f"{schema.name} has no column {unknown[0]!r}; its columns are: {known}")


def _aggregate(query: Query, schema: TableSchema) -> str:
    table = ident(schema.table)
    value = f"{measure(query)} AS {ident(answers.value_name(query))}"
    if not query.group_by:
        return f"SELECT {value} FROM {table}{_where(query.where)}"
    keys = [_group_key(g, schema, query.period) for g in query.group_by]
    order = ", ".join(str(i + 1) for i in range(len(keys)))
    return (
        f"SELECT {', '.join(keys)}, {value} FROM {table}{_where(query.where)} "
        f"GROUP BY {order} ORDER BY {order}"
    )


def _top(query: Query, schema: TableSchema) -> str:
    table, limit = ident(schema.table), query.limit or 5
    direction = "DESC" if query.order == "desc" else "ASC"
    if query.group_by:
        keys = [_group_key(g, schema, query.period) for g in query.group_by]
        value = f"{measure(query)} AS {ident(answers.value_name(query))}"
        count = len(keys)
        return (
            f"SELECT {', '.join(keys)}, {value} FROM {table}{_where(query.where)} "
            f"GROUP BY {', '.join(str(i + 1) for i in range(count))} "
            f"ORDER BY {count + 1} {direction} NULLS LAST LIMIT {limit}"
        )
    column = ident(query.column or "")
    return (
        f"SELECT * FROM {table}{_where(query.where, [f'{column} IS NOT NULL'])} "
        f"ORDER BY {column} {direction} LIMIT {limit}"
    )


def _correlation(query: Query, schema: TableSchema) -> str:
    x, y = (ident(c) for c in query.columns)
    both = [f"{x} IS NOT NULL", f"{y} IS NOT NULL"]
    select = f"corr({x}, {y}) AS r, count(*) AS pairs FROM {ident(schema.table)}"
    if not query.group_by:
        return f"SELECT {select}{_where(query.where, both)}"
    keys = ", ".join(ident(g) for g in query.group_by)
    return f"SELECT {keys}, {select}{_where(query.where, both)} GROUP BY {keys} ORDER BY {keys}"


def _distribution(query: Query, schema: TableSchema) -> str:
    column = schema.column(query.column or "")
    if column is None or column.type not in ("integer", "number"):
        return _distinct(query, schema)
    value, bins, last = ident(column.name), query.bins, query.bins - 1
    source = f"SELECT CAST({value} AS DOUBLE) AS v FROM {ident(schema.table)}"
    source += _where(query.where, [f"{value} IS NOT NULL"])
    return (
        f"WITH v AS ({source}), "
        f"b AS (SELECT min(v) AS lo, max(v) AS hi, (max(v) - min(v)) / {bins} AS step FROM v), "
        f"i AS (SELECT v, lo, hi, step, coalesce(least(CAST(trunc((v - lo) * "
        f"({bins} / nullif(hi - lo, 0))) AS INTEGER), {last}), 0) AS raw FROM v, b), "
        f"j AS (SELECT *, raw - CASE WHEN v < raw * step + lo THEN 1 ELSE 0 END AS low FROM i), "
        f"k AS (SELECT *, low + CASE WHEN low <> {last} AND v >= (low + 1) * step + lo "
        f"THEN 1 ELSE 0 END AS bin FROM j) "
        f"SELECT bin * step + lo AS bin_from, CASE WHEN bin = {last} THEN hi "
        f"ELSE (bin + 1) * step + lo END AS bin_to, count(*) AS count "
        f"FROM k GROUP BY bin, step, lo, hi ORDER BY bin"
    )


def _trend(query: Query, schema: TableSchema) -> str:
    date_column = ident(query.date_column or "")
    period = query.period or "month"
    value = f"{measure(query)} AS {ident(answers.value_name(query))}"
    also = [f"{date_column} IS NOT NULL"]
    return (
        f"SELECT date_trunc('{period}', {date_column})::DATE AS {ident(period)}, {value} "
        f"FROM {ident(schema.table)}{_where(query.where, also)} GROUP BY 1 ORDER BY 1"
    )


def _distinct(query: Query, schema: TableSchema) -> str:
    column = ident(query.column or "")
    return (
        f"SELECT {column}, count(*) AS count FROM {ident(schema.table)}{_where(query.where)} "
        f"GROUP BY 1 ORDER BY 2 DESC, 1"
    )


def _refuse_sql(query: Query, schema: TableSchema) -> str:
    raise refused("a query of shape sql needs its sql")


COMPILERS = {
    "aggregate": _aggregate,
    "top": _top,
    "correlation": _correlation,
    "distribution": _distribution,
    "trend": _trend,
    "distinct": _distinct,
    "sql": _refuse_sql,
}


@contextmanager
def connection(frames: dict[str, pd.DataFrame], limits: QueryLimits) -> Iterator[Any]:
    """An in-memory DuckDB that sees only these frames: no files, network or extensions."""
    con = duckdb.connect(
        ":memory:",
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "threads": limits.threads,
            "lock_configuration": True,
        },
    )
    try:
        for name, frame in frames.items():
            con.register(name, frame)
        yield con
    finally:
        con.close()


def run(
    frames: dict[str, pd.DataFrame], sql: str, limits: QueryLimits
) -> tuple[list[str], list[tuple[Any, ...]], int]:
    """Columns, at most `max_rows` rows, and the full row count; refused or stopped in time."""
    with connection(frames, limits) as con:
        _check_plan(con, sql, limits)
        timer = threading.Timer(limits.timeout_seconds, con.interrupt)
        timer.start()
        try:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchmany(limits.max_rows + 1)
            count = len(rows)
            if count > limits.max_rows:
                count = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
        except duckdb.InterruptException as err:
            raise ApplicationError(
                f"the query ran longer than {limits.timeout_seconds:g} s and was stopped; "
                "ask about fewer rows or add a filter",
                type="query_timeout",
                non_retryable=True,
            ) from err
        except duckdb.Error as err:
            raise ApplicationError(
                f"the query failed: {str(err).splitlines()[0]}",
                type="query_failed",
                non_retryable=True,
            ) from err
        finally:
            timer.cancel()
    return columns, rows[: limits.max_rows], count


EMPTY_DTYPES = {
    "integer": "Int64",
    "number": "float64",
    "boolean": "boolean",
    "datetime": "datetime64[ns]",
}


def explain(sql: str, schemas: list[TableSchema]) -> str:
    """Check SQL without data: the whitelist, then DuckDB binds it against empty tables.

    What a model wrote is refused here (unknown column, wrong type, not a SELECT) before
    any file is read; `ValueError` says why, in words the model can act on.
    """
    try:
        checked = sql_guard.check(sql, {s.table for s in schemas})
    except sql_guard.RefusedQuery as err:
        raise ValueError(f"refused: {err}") from err
    frames = {
        s.table: pd.DataFrame(
            {c.name: pd.Series([], dtype=EMPTY_DTYPES.get(c.type, "object")) for c in s.columns}
        )
        for s in schemas
    }
    with connection(frames, QueryLimits()) as con:
        try:
            con.execute(f"EXPLAIN {checked}")
        except duckdb.Error as err:
            raise ValueError(f"the query fails: {str(err).splitlines()[0]}") from err
    return checked


def _check_plan(con: Any, sql: str, limits: QueryLimits) -> None:
    """Refuse, before it runs, a query whose plan combines more rows than the limit."""
    try:
        plan = json.loads(con.execute(f"EXPLAIN (FORMAT json) {sql}").fetchall()[0][1])
    except duckdb.Error as err:
        raise ApplicationError(
            f"the query failed: {str(err).splitlines()[0]}", type="query_failed", non_retryable=True
        ) from err
    rows = max((_plan_rows(node) for node in plan), default=0)
    if rows > limits.max_plan_rows:
        raise refused(
            f"it would combine about {rows:,} rows (the limit is {limits.max_plan_rows:,}); "
            "join on a column or filter first"
        )


def _plan_rows(node: dict[str, Any]) -> int:
    """The most rows any step of the plan handles; joins without keys multiply their inputs."""
    children = [_plan_rows(child) for child in node.get("children", [])]
    estimate = node.get("extra_info", {}).get("Estimated Cardinality")
    own = int(estimate) if isinstance(estimate, str) and estimate.isdigit() else 0
    if node.get("name") in JOINS and children:
        product = 1
        for rows in children:
            product *= max(rows, 1)
        own = max(own, product)
    return max([own, *children])


def _cell(value: Any) -> Any:
    """A JSON-safe cell, clipped like other realms' samples."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return None if value != value else value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def intents(limits: QueryLimits) -> list[IntentSpec]:
    """query_data with the limits the settings give."""
    return [IntentSpec(QUERY_DATA, partial(query_data, limits))]


INTENTS = intents(QueryLimits())
