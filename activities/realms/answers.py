"""The sentence that states a query's answer with its numbers, and the chart that fits it.

"Median body mass by species: Adelie 3,700 g, Chinstrap 3,700 g, Gentoo 5,000 g." Units
come from the column's name (`body_mass_g` is grams); a long answer names the first
groups and says how many more the table holds.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from models.query import Condition, Query, TableSchema

LISTED = 12
"""Groups named in a sentence; the rest are in the table."""
UNITS = {
    "mm": "mm",
    "cm": "cm",
    "m": "m",
    "km": "km",
    "g": "g",
    "kg": "kg",
    "lb": "lb",
    "lbs": "lb",
    "ms": "ms",
    "pct": "%",
    "percent": "%",
    "usd": "USD",
    "eur": "EUR",
}
AGG_WORDS = {
    "count": "Count of",
    "sum": "Total",
    "mean": "Mean",
    "median": "Median",
    "min": "Minimum",
    "max": "Maximum",
}


@dataclass(frozen=True)
class Answered:
    """A query, the file it ran on, and what came back."""

    query: Query
    schema: TableSchema
    columns: list[str]
    rows: list[tuple[Any, ...]]
    row_count: int


def value_name(query: Query) -> str:
    """The result column holding the aggregate ("median_body_mass_g", "count")."""
    if query.agg == "count" and not query.column:
        return "count"
    return f"{query.agg}_{query.column}"


def unit(column: str | None) -> str:
    """The unit a column's name ends with (`_mm`, `_g`, `_usd`), or nothing."""
    if not column or "_" not in column:
        return ""
    return UNITS.get(column.rsplit("_", 1)[1].lower(), "")


def label(column: str | None) -> str:
    """A column's name as words, without its unit: `body_mass_g` -> "body mass"."""
    if not column:
        return "rows"
    words = column.rsplit("_", 1)[0] if unit(column) else column
    spaced = words.replace("_", " ").strip()
    return spaced[:-3] if spaced.lower().endswith(" in") else spaced


def number(value: Any, column: str | None = None) -> str:
    """A value as a person writes it: 3,700 / 38.79 / 0.595, with the column's unit."""
    if isinstance(value, Decimal):
        value = float(value)
    if value is None or (isinstance(value, float) and value != value):
        return "(missing)"
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15):
        text = f"{int(value):,}"
    elif abs(value) >= 1:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.3g}"
    suffix = unit(column)
    return f"{text}{'%' if suffix == '%' else ' ' + suffix if suffix else ''}"


def sentence(answered: Answered) -> str:
    """One sentence that states the answer with its numbers."""
    if not answered.rows:
        return f"No rows match{_where(answered.query.where)}."
    return SENTENCES[answered.query.shape](answered)


def chart(answered: Answered) -> Literal["bar", "line", "none"]:
    """Bars for groups, a line for trends, nothing for a single number."""
    query = answered.query
    if query.chart == "none" or len(answered.rows) < 2:
        return "none"
    if query.chart in ("bar", "line"):
        return query.chart
    if query.shape == "trend" or _dated_groups(answered):
        return "line"
    grouped = query.shape in ("distinct", "distribution") or (
        query.shape in ("aggregate", "top") and bool(query.group_by)
    )
    return "bar" if grouped else "none"


def _dated_groups(answered: Answered) -> bool:
    query = answered.query
    if query.shape != "aggregate" or len(query.group_by) != 1:
        return False
    column = answered.schema.column(query.group_by[0])
    return column is not None and column.type == "datetime"


def _measure_words(query: Query) -> str:
    if query.agg == "count" and not query.column:
        return "Count of rows"
    return f"{AGG_WORDS[query.agg]} {label(query.column)}"


def _where(conditions: list[Condition]) -> str:
    return "".join(f" {_condition_words(c)}" for c in conditions[:3])


def _condition_words(condition: Condition) -> str:
    name, value = label(condition.column), condition.value
    if condition.op == "weekend":
        return f"on weekends ({name})"
    if condition.op == "weekday":
        return f"on weekdays ({name})"
    if condition.op == "year" and isinstance(value, float | int):
        return f"in {int(value)}"
    if condition.op == "month":
        return f"in month {number(value)}"
    if condition.op == "between" and isinstance(value, list):
        return f"where {name} is between {number(value[0])} and {number(value[1])}"
    if condition.op == "=":
        plain = int(value) if isinstance(value, float) and value.is_integer() else value
        return f"where {name} is {plain}"
    return f"where {name} {condition.op} {number(value)}"


def _groups(
    rows: list[tuple[Any, ...]], keys: int, column: str | None, period: str | None = None
) -> str:
    """'Adelie 3,700 g, Gentoo 5,000 g' for the first rows, then how many more."""
    items = [f"{_key(row, keys, period)} {number(row[keys], column)}" for row in rows[:LISTED]]
    more = len(rows) - LISTED
    return ", ".join(items) + (f" and {more} more (see the table)" if more > 0 else "")


def _key(row: tuple[Any, ...], keys: int, period: str | None) -> str:
    """A group's name: its values, a date shown as its period ("2015-12" for a month)."""
    return " / ".join(_period(v, period or "day") for v in row[:keys])


def _aggregate(answered: Answered) -> str:
    query, rows = answered.query, answered.rows
    head = f"{_measure_words(query)}{_where(query.where)}"
    if not query.group_by:
        return f"{head}: {number(rows[0][0], query.column)}."
    by = " and ".join(label(g) for g in query.group_by)
    listed = _groups(rows, len(query.group_by), query.column, query.period)
    return f"{head} by {by}: {listed}."


def _top(answered: Answered) -> str:
    query, rows = answered.query, answered.rows
    most = "highest" if query.order == "desc" else "lowest"
    if query.group_by:
        keys = len(query.group_by)
        by = " and ".join(label(g) for g in query.group_by)
        if len(rows) == 1:
            key = _key(rows[0], keys, query.period)
            measure = _measure_words(query).lower()
            value = number(rows[0][keys], query.column)
            return f"{key} has the {most} {measure}{_where(query.where)}: {value}."
        words = _measure_words(query).lower()
        listed = _groups(rows, keys, query.column, query.period)
        return f"{by.capitalize()} with the {most} {words}: {listed}."
    column = query.column or ""
    index = answered.columns.index(column) if column in answered.columns else 0
    name_at = _name_column(answered, index)
    items = [
        f"{number(row[index], column)}"
        + (f" ({number(row[name_at])})" if name_at is not None else "")
        for row in rows[:LISTED]
    ]
    return f"{'Top' if query.order == 'desc' else 'Bottom'} {len(rows)} by {label(column)}" + (
        f"{_where(query.where)}: {', '.join(items)}."
    )


def _name_column(answered: Answered, skip: int) -> int | None:
    """The first text column of the rows, to say which row each value belongs to."""
    for index, name in enumerate(answered.columns):
        column = answered.schema.column(name)
        if index != skip and column is not None and column.type == "text":
            return index
    return None


def _correlation(answered: Answered) -> str:
    query, rows = answered.query, answered.rows
    x, y = (label(c) for c in query.columns)
    if query.group_by:
        keys = len(query.group_by)
        items = [
            f"{' / '.join(number(v) for v in row[:keys])} r = {_r(row[keys])} ({row[keys + 1]:,})"
            for row in rows[:LISTED]
        ]
        return f"Correlation between {x} and {y} by {label(query.group_by[0])}: " + (
            ", ".join(items) + "."
        )
    r, pairs = rows[0][0], rows[0][1]
    if r is None:
        return f"There are too few rows with both {x} and {y} to correlate them ({pairs})."
    return (
        f"Correlation between {x} and {y}{_where(query.where)}: r = {_r(r)} over {pairs:,} rows "
        f"({_strength(float(r))})."
    )


def _r(value: Any) -> str:
    return "(none)" if value is None else f"{float(value):.3f}"


def _strength(r: float) -> str:
    size = abs(r)
    words = "strong" if size >= 0.7 else "moderate" if size >= 0.4 else "weak"
    if size < 0.1:
        return "no linear relationship"
    return f"a {words} {'positive' if r > 0 else 'negative'} relationship"


def _trend(answered: Answered) -> str:
    query, rows = answered.query, answered.rows
    column = query.column
    period = query.period or "month"
    first, last = rows[0], rows[-1]
    high = max(rows, key=lambda row: _sortable(row[1]))
    low = min(rows, key=lambda row: _sortable(row[1]))
    return (
        f"{_measure_words(query)} by {period}{_where(query.where)}: "
        f"{number(first[1], column)} in {_period(first[0], period)}, "
        f"{number(last[1], column)} in {_period(last[0], period)}; "
        f"highest {number(high[1], column)} in {_period(high[0], period)}, "
        f"lowest {number(low[1], column)} in {_period(low[0], period)}."
    )


def _sortable(value: Any) -> float:
    return float("-inf") if value is None else float(value)


def _period(value: Any, period: str) -> str:
    if not isinstance(value, date):
        return number(value)
    if period == "year":
        return str(value.year)
    if period == "quarter":
        return f"{value.year} Q{(value.month - 1) // 3 + 1}"
    if period == "month":
        return value.isoformat()[:7]
    if period == "week":
        return f"the week of {value.isoformat()[:10]}"
    return value.isoformat()[:10]


def _distinct(answered: Answered) -> str:
    query, rows = answered.query, answered.rows
    return (
        f"{label(query.column).capitalize()}{_where(query.where)} has "
        f"{answered.row_count:,} distinct values: {_groups(rows, 1, None)}."
    )


def _distribution(answered: Answered) -> str:
    query, rows = answered.query, answered.rows
    if answered.columns[0] != "bin_from":
        return _distinct(answered)
    column = query.column
    total = sum(int(row[2]) for row in rows)
    peak = max(rows, key=lambda row: int(row[2]))
    return (
        f"{label(column).capitalize()}{_where(query.where)} ranges from "
        f"{number(rows[0][0], column)} to {number(rows[-1][1], column)} over {total:,} values; "
        f"the most common range is {number(peak[0], column)} to {number(peak[1], column)} "
        f"with {int(peak[2]):,} values."
    )


def _sql(answered: Answered) -> str:
    rows, columns = answered.rows, answered.columns
    if len(rows) == 1 and len(columns) == 1:
        return f"{columns[0].replace('_', ' ')}: {number(rows[0][0], columns[0])}."
    if len(columns) == 2 and all(isinstance(r[1], int | float | Decimal) for r in rows):
        return f"{columns[1].replace('_', ' ')} by {columns[0]}: {_groups(rows, 1, columns[1])}."
    return f"The query returned {answered.row_count:,} rows ({', '.join(columns[:6])})."


SENTENCES = {
    "aggregate": _aggregate,
    "top": _top,
    "correlation": _correlation,
    "distribution": _distribution,
    "trend": _trend,
    "distinct": _distinct,
    "sql": _sql,
}
