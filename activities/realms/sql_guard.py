"""The whitelist every query passes before DuckDB sees it: one read-only SELECT.

sqlglot parses the text the way DuckDB would; anything but a single SELECT (or WITH …
SELECT, or a set operation of SELECTs) is refused, as are recursive CTEs, table
functions (`read_csv('/etc/passwd')`, `glob`, `range`), file paths in FROM, tables other
than the user's files, and functions that reach files, settings or the catalog. The
connection is locked down as well (see `activities/realms/query.py`); this check is the
first fence, so a refused query never reaches the engine.
"""

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

DENIED_FUNCTIONS = frozenset(
    {
        "glob",
        "getenv",
        "current_setting",
        "query",
        "query_table",
        "range",
        "generate_series",
        "load",
        "install",
        "system",
        "sniff_csv",
        "checkpoint",
        "force_checkpoint",
        "enable_profiling",
        "set_variable",
        "getvariable",
    }
)
DENIED_PREFIXES = ("read_", "parquet_", "duckdb_", "pragma_", "json_execute", "iceberg", "delta")
READ_ONLY = (exp.Select, exp.Subquery, exp.Union, exp.Intersect, exp.Except)


class RefusedQuery(ValueError):
    """The query is not one read-only SELECT over the user's tables; nothing ran."""


def check(sql: str, tables: set[str]) -> str:
    """The query as DuckDB will run it, or `RefusedQuery` saying what is not allowed."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except ParseError as err:
        raise RefusedQuery(f"the query does not parse: {_first_line(err)}") from err
    if len(statements) != 1:
        raise RefusedQuery(f"one statement only, got {len(statements)}")
    tree = statements[0]
    if not isinstance(tree, READ_ONLY):
        raise RefusedQuery(f"only SELECT queries run here, not {_kind(tree)}")
    _check_nodes(tree, {t.lower() for t in tables} | _cte_names(tree))
    return tree.sql(dialect="duckdb")


def _check_nodes(tree: exp.Expr, tables: set[str]) -> None:
    for node in tree.walk():
        if isinstance(node, exp.With) and node.args.get("recursive"):
            raise RefusedQuery("recursive queries are not allowed")
        if isinstance(node, exp.Command | exp.Into | exp.DDL | exp.DML):
            raise RefusedQuery(f"only SELECT queries run here, not {_kind(node)}")
        if isinstance(node, exp.Table):
            _check_table(node, tables)
        elif isinstance(node, exp.Func):
            _check_function(node)


def _check_table(node: exp.Table, tables: set[str]) -> None:
    if not isinstance(node.this, exp.Identifier):
        raise RefusedQuery(f"table functions and file paths are not allowed: {node.sql()[:80]}")
    if node.args.get("db") or node.args.get("catalog"):
        raise RefusedQuery(f"only the files' own tables can be read, not {node.sql()[:80]}")
    if node.name.lower() not in tables:
        known = ", ".join(sorted(tables)) or "none"
        raise RefusedQuery(f"unknown table {node.name!r}; the tables are: {known}")


def _check_function(node: exp.Func) -> None:
    name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
    if name in DENIED_FUNCTIONS or name.startswith(DENIED_PREFIXES):
        raise RefusedQuery(f"the function {name} is not allowed")


def _cte_names(tree: exp.Expr) -> set[str]:
    return {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}


def _kind(node: exp.Expr) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    return node.key.upper()


def _first_line(err: ParseError) -> str:
    return str(err).splitlines()[0][:200]
