"""Questions about a file, read offline into a structured `Query` checked against its schema.

Shared by the Insights liaison (which asks before anything runs) and the query realm
(for clients that send a question without a query); it imports only the models, so the
Runtime stays free of agent code. A question is read in three passes: the columns and
values it names (words and fuzzy matches: "bill length" -> bill_length_mm, "salary" ->
annual_salary when only one column has that word), the filters around them ("above
40", "in 2019", "weekend orders", "Adelie"), and the shape its words ask for (count,
sum, mean, median, min, max; by groups; top or bottom N; correlation; distribution;
trend by period; distinct values). A name that fits several columns, or a question
no shape answers, gives a `Clarify` that says what to ask, never a guess.
"""

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from models.query import Agg, Condition, Period, Query, TableSchema

NUMERIC = ("integer", "number")
UNIT_WORDS = frozenset({"mm", "cm", "m", "km", "g", "kg", "lb", "lbs", "ms", "pct", "usd", "eur"})
STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "for",
        "by",
        "per",
        "to",
        "is",
        "are",
        "was",
        "were",
        "be",
        "what",
        "whats",
        "which",
        "who",
        "how",
        "many",
        "much",
        "me",
        "show",
        "give",
        "tell",
        "find",
        "list",
        "do",
        "does",
        "did",
        "there",
        "their",
        "its",
        "it",
        "and",
        "or",
        "with",
        "between",
        "any",
        "all",
        "each",
        "every",
        "my",
        "our",
        "this",
        "that",
        "these",
        "those",
        "from",
        "as",
        "at",
        "than",
        "vs",
        "versus",
        "please",
        "can",
        "could",
        "you",
        "i",
        "we",
        "get",
        "have",
        "has",
        "had",
        "over",
        "under",
        "above",
        "below",
        "most",
        "least",
        "top",
        "bottom",
        "highest",
        "lowest",
        "average",
        "mean",
        "median",
        "sum",
        "total",
        "count",
        "number",
        "min",
        "max",
        "minimum",
        "maximum",
        "largest",
        "smallest",
        "biggest",
        "value",
        "values",
        "data",
        "file",
        "dataset",
        "rows",
        "row",
        "records",
        "record",
        "distinct",
        "unique",
        "distribution",
        "correlation",
        "trend",
        "only",
        "just",
        "instead",
        "now",
        "same",
        "but",
        "like",
        "look",
        "about",
        "whole",
        "entire",
        "overall",
        "across",
        "grouped",
        "group",
        "broken",
        "down",
        "split",
        "each",
    ]
)
SYNONYMS = {
    "weight": ("mass",),
    "mass": ("weight",),
    "temperature": ("temp",),
    "temp": ("temperature",),
    "precipitation": ("precip", "rain"),
    "rain": ("precipitation",),
    "horsepower": ("hp",),
    "miles": ("mpg",),
    "salary": ("pay", "wage"),
    "pay": ("salary",),
    "price": ("cost",),
    "cost": ("price",),
    "people": ("population",),
}
AGG_WORDS: dict[str, Agg] = {
    "average": "mean",
    "avg": "mean",
    "mean": "mean",
    "typical": "median",
    "median": "median",
    "total": "sum",
    "sum": "sum",
    "overall": "sum",
    "minimum": "min",
    "min": "min",
    "maximum": "max",
    "max": "max",
}
HIGH = ("highest", "most", "largest", "biggest", "greatest", "maximum", "max", "top", "best")
LOW = ("lowest", "least", "smallest", "fewest", "minimum", "min", "bottom", "worst")
PERIODS: dict[str, Period] = {
    "day": "day",
    "daily": "day",
    "days": "day",
    "date": "day",
    "week": "week",
    "weekly": "week",
    "weeks": "week",
    "month": "month",
    "monthly": "month",
    "months": "month",
    "quarter": "quarter",
    "quarterly": "quarter",
    "quarters": "quarter",
    "year": "year",
    "yearly": "year",
    "annually": "year",
    "annual": "year",
    "years": "year",
}
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
NUMBER = r"-?\d+(?:\.\d+)?"
COMPARISONS = (
    (
        r"(?:greater|more|higher|larger|bigger|heavier|longer|older) than|above|over|exceeding|>",
        ">",
    ),
    (r"(?:less|lower|smaller|fewer|lighter|shorter|younger) than|below|under|<", "<"),
    (r"at least|no less than|>=", ">="),
    (r"at most|no more than|up to|<=", "<="),
    (r"equal to|equals|exactly|=", "="),
)
WORD = re.compile(r"[a-z0-9]+(?:\.\d+)?")
FUZZY = 0.84
MEASURED = {
    "heaviest": ("highest", "weight"),
    "lightest": ("lowest", "weight"),
    "longest": ("highest", "length"),
    "shortest": ("lowest", "length"),
    "tallest": ("highest", "height"),
    "oldest": ("highest", "age"),
    "youngest": ("lowest", "age"),
    "priciest": ("highest", "price"),
    "cheapest": ("lowest", "price"),
    "hottest": ("highest", "temperature"),
    "warmest": ("highest", "temperature"),
    "coldest": ("lowest", "temperature"),
    "wettest": ("highest", "precipitation"),
    "fastest": ("highest", "speed"),
    "slowest": ("lowest", "speed"),
}
"""Superlatives that name their measure: "the heaviest penguin" asks for the highest weight."""


@dataclass(frozen=True)
class Clarify:
    """What to ask the user instead of answering, with the options it names."""

    text: str
    options: list[str] = field(default_factory=list)


@dataclass
class Mention:
    """A column the question names, where, and how sure the match is."""

    column: str
    start: int
    end: int
    score: float


@dataclass
class Reading:
    """The question's words and what was found in them so far."""

    words: list[str]
    schema: TableSchema
    mentions: list[Mention] = field(default_factory=list)
    where: list[Condition] = field(default_factory=list)
    used: set[int] = field(default_factory=set)

    def type_of(self, column: str) -> str:
        found = self.schema.column(column)
        return found.type if found else ""

    def has(self, *words: str) -> bool:
        return any(w in self.words for w in words)


def words_of(text: str) -> list[str]:
    """Lower-case words and numbers; thousands separators dropped ("4,000" -> 4000); a
    superlative that names its measure as two words ("heaviest" -> highest weight)."""
    cleaned = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text.lower().replace("_", " "))
    return [part for word in WORD.findall(cleaned) for part in MEASURED.get(word, (word,))]


def column_words(name: str) -> list[str]:
    """A column name's words without its unit: `bill_length_mm` -> [bill, length]."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    parts = [w for w in WORD.findall(spaced.lower().replace("_", " ")) if w]
    core = [w for w in parts if w not in UNIT_WORDS] or parts
    return core


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _same(word: str, target: str) -> float:
    """1 for the same word (plural or synonym), the similarity for a near miss, else 0."""
    if word == target or _stem(word) == _stem(target):
        return 1.0
    if target in SYNONYMS.get(word, ()) or target in SYNONYMS.get(_stem(word), ()):
        return 0.95
    if len(word) >= 4 and len(target) >= 4:
        ratio = difflib.SequenceMatcher(None, word, target).ratio()
        return ratio if ratio >= FUZZY else 0.0
    return 0.0


def find_columns(reading: Reading) -> Clarify | None:
    """Every column named, longest and surest first; a word that fits several asks which."""
    candidates: list[Mention] = []
    for column in reading.schema.columns:
        candidates.extend(_matches(reading.words, column.name))
    candidates.sort(key=lambda m: (-(m.end - m.start) * m.score, -m.score, m.start))
    for mention in candidates:
        span = set(range(mention.start, mention.end))
        if span & reading.used:
            continue
        rivals = [
            c
            for c in candidates
            if c.column != mention.column
            and c.start == mention.start
            and c.end == mention.end
            and c.score == mention.score
        ]
        if rivals and mention.score < 1.5:
            options = [mention.column, *dict.fromkeys(r.column for r in rivals)]
            word = " ".join(reading.words[mention.start : mention.end])
            return Clarify(f'Which column do you mean by "{word}": {", ".join(options)}?', options)
        reading.mentions.append(mention)
        reading.used |= span
    reading.mentions.sort(key=lambda m: m.start)
    return None


def _matches(words: list[str], column: str) -> list[Mention]:
    """Where the column's words appear in a row in the question (all of them, or a key one)."""
    targets = column_words(column)
    found: list[Mention] = []
    full = " ".join(targets)
    for start in range(len(words)):
        for size in range(min(len(targets), len(words) - start), 0, -1):
            span = words[start : start + size]
            score = _span_score(span, targets, full)
            if score:
                found.append(Mention(column, start, start + size, score))
                break
    return found


def _span_score(span: list[str], targets: list[str], full: str) -> float:
    """2 when the span is the whole name, 1 per word when it is part of it, 0 otherwise."""
    if "".join(span) == full.replace(" ", "") or " ".join(span) == full:
        return 2.0
    if len(span) == 1 and len(targets) > 1 and "".join(targets) == span[0]:
        return 2.0
    scores = []
    whole = len(span) == len(targets)
    for word in span:
        best = max((_same(word, t) for t in targets), default=0.0)
        stop = word in STOP and (not whole or word not in targets)
        if best == 0.0 or stop:
            return 0.0
        scores.append(best)
    return 2.0 * min(scores) if whole else min(scores)


def find_values(reading: Reading) -> None:
    """Text values the question names ("Adelie", "sun") become equality filters."""
    for column in reading.schema.columns:
        for value in column.values:
            value_words = words_of(value)
            if not value_words or " ".join(value_words) in STOP or value_words[0].isdigit():
                continue
            start = _find(reading.words, value_words, reading.used)
            if start is not None:
                reading.where.append(Condition(column=column.name, op="=", value=value))
                reading.used |= set(range(start, start + len(value_words)))


def _value_word(word: str, target: str) -> bool:
    """'Adelie' is 'adelie'; 'sunny' and 'rainy' name the values 'sun' and 'rain'."""
    if _stem(word) == _stem(target):
        return True
    return len(target) >= 3 and word.startswith(target) and len(word) - len(target) <= 2


def _find(words: list[str], target: list[str], used: set[int]) -> int | None:
    for start in range(len(words) - len(target) + 1):
        span = words[start : start + len(target)]
        same = all(_value_word(w, t) for w, t in zip(span, target, strict=True))
        if same and not (set(range(start, start + len(target))) & used):
            return start
    return None


def find_comparisons(reading: Reading, text: str) -> None:
    """'above 40', 'between 3 and 5', 'body mass under 4,000' become filters on a number column."""
    lowered = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text.lower())
    between = re.search(rf"between ({NUMBER}) and ({NUMBER})", lowered)
    if between:
        column = _compared_column(reading, lowered, between.start())
        if column:
            low, high = float(between.group(1)), float(between.group(2))
            reading.where.append(Condition(column=column, op="between", value=[low, high]))
            _use_numbers(reading, between.group(1), between.group(2))
    for pattern, op in COMPARISONS:
        for match in re.finditer(rf"\b(?:{pattern})\s*({NUMBER})\b", lowered):
            column = _compared_column(reading, lowered, match.start())
            if column:
                value = float(match.group(1))
                reading.where.append(Condition(column=column, op=op, value=value))
                _use_numbers(reading, match.group(1))


def _use_numbers(reading: Reading, *numbers: str) -> None:
    for number in numbers:
        for index, word in enumerate(reading.words):
            if word == number and index not in reading.used:
                reading.used.add(index)
                break


def _compared_column(reading: Reading, lowered: str, at: int) -> str | None:
    """The numeric column named just before the comparison, else the only one named."""
    before = len(words_of(lowered[:at]))
    numeric = [m for m in reading.mentions if reading.type_of(m.column) in NUMERIC]
    preceding = [m for m in numeric if m.end <= before]
    if preceding:
        return preceding[-1].column
    if numeric:
        return numeric[0].column
    columns = [c.name for c in reading.schema.columns if c.type in NUMERIC]
    return columns[0] if len(columns) == 1 else None


def find_dates(reading: Reading) -> str | None:
    """'in 2019', 'in March', 'weekend' become filters on the date column; returns it."""
    date_column = _date_column(reading)
    for index, word in enumerate(reading.words):
        if index in reading.used:
            continue
        year = re.fullmatch(r"(19|20)\d\d", word)
        if year and date_column:
            reading.where.append(Condition(column=date_column, op="year", value=int(word)))
            reading.used.add(index)
        elif year and reading.schema.column("year"):
            reading.where.append(Condition(column="year", op="=", value=int(word)))
            reading.used.add(index)
        elif word in MONTHS and date_column and _month_word(reading.words, index):
            month = MONTHS.index(word) + 1
            reading.where.append(Condition(column=date_column, op="month", value=month))
        elif _stem(word) in ("weekend", "weekday") and date_column:
            op = "weekend" if _stem(word) == "weekend" else "weekday"
            reading.where.append(Condition(column=date_column, op=op))
    return date_column


def _month_word(words: list[str], index: int) -> bool:
    """'may' is a month only after in/during/of ('in May', not 'may I')."""
    return words[index] != "may" or (index > 0 and words[index - 1] in ("in", "during", "of"))


def _date_column(reading: Reading) -> str | None:
    dated = [m.column for m in reading.mentions if reading.type_of(m.column) == "datetime"]
    if dated:
        return dated[0]
    columns = [c.name for c in reading.schema.columns if c.type == "datetime"]
    return columns[0] if columns else None


def parse(question: str, schemas: list[TableSchema], last: Query | None = None) -> Query | Clarify:
    """The question as a structured query over the first file it fits, or what to ask."""
    if not schemas:
        return Clarify("Upload a data file first, then ask your question about it.")
    if last is not None and FOLLOW_UP.search(" ".join(words_of(question))):
        refined = refine(question, last, schemas)
        if refined is not None:
            return refined
    answers = [_parse_one(question, schema) for schema in schemas]
    found = next((a for a in answers if isinstance(a, Query)), None)
    if found is None and last is not None:
        return refine(question, last, schemas) or answers[0]
    return found or answers[0]


def _parse_one(question: str, schema: TableSchema) -> Query | Clarify:
    reading = Reading(words=words_of(question), schema=schema)
    unclear = find_columns(reading)
    if unclear is not None:
        return unclear
    find_values(reading)
    find_comparisons(reading, question)
    date_column = find_dates(reading)
    query = _shape(reading, date_column)
    if isinstance(query, Clarify):
        return query
    return query.model_copy(update={"file_id": schema.file_id})


def _free(reading: Reading) -> list[str]:
    """Columns named that no filter took: measures and groups."""
    filtered = {c.column for c in reading.where}
    return [m.column for m in reading.mentions if m.column not in filtered] or [
        m.column for m in reading.mentions if _named_twice(reading, m.column)
    ]


def _named_twice(reading: Reading, column: str) -> bool:
    return sum(1 for m in reading.mentions if m.column == column) > 1


def _shape(reading: Reading, date_column: str | None) -> Query | Clarify:
    """The shape the question's words ask for, with its columns."""
    words = reading.words
    free = _free(reading)
    if _has_stem(words, "correlat", "relationship", "related", "relate", "associat"):
        return _correlation(reading, free)
    if _has_stem(words, "distribut", "histogram", "spread"):
        return _one_column(reading, free, "distribution")
    if _has_stem(words, "distinct", "unique", "breakdown", "frequenc") or _values_of(words):
        return _one_column(reading, free, "distinct")
    period = _period(words)
    if period and date_column and _asks_trend(words):
        return _trend(reading, free, date_column, period)
    return _aggregate_or_top(reading, free, date_column, period)


def _has_stem(words: list[str], *stems: str) -> bool:
    return any(w.startswith(stems) for w in words)


def _values_of(words: list[str]) -> bool:
    text = " ".join(words)
    return bool(re.search(r"\b(each|different|possible) values?\b|\bvalue counts?\b", text))


def _period(words: list[str]) -> Period | None:
    for word in words:
        if word in PERIODS and word != "date":
            return PERIODS[word]
    return None


def _asks_trend(words: list[str]) -> bool:
    text = " ".join(words)
    if re.search(r"\b(which|what) (day|week|month|quarter|year)\b", text):
        return False
    return bool(
        re.search(
            r"\btrends?\b|\bover time\b|\b(by|per|each|every|over) (the )?"
            r"(day|week|month|quarter|year)s?\b|\b(daily|weekly|monthly|quarterly|yearly|annually)\b"
            r"|\bchanged?\b|\bevolv",
            text,
        )
    )


def _correlation(reading: Reading, free: list[str]) -> Query | Clarify:
    numeric = [c for c in dict.fromkeys(free) if reading.type_of(c) in NUMERIC]
    if len(numeric) < 2:
        names = ", ".join(c.name for c in reading.schema.columns if c.type in NUMERIC)
        return Clarify(f"Which two number columns should I correlate? {names}.")
    groups = _groups(reading, free, exclude=numeric[:2])
    return Query(shape="correlation", columns=numeric[:2], group_by=groups[:1], where=reading.where)


def _one_column(reading: Reading, free: list[str], shape: str) -> Query | Clarify:
    if not free:
        names = ", ".join(c.name for c in reading.schema.columns)
        return Clarify(f"Which column do you mean? The columns are: {names}.")
    return Query.model_validate({"shape": shape, "column": free[0], "where": reading.where})


def _trend(reading: Reading, free: list[str], date_column: str, period: Period) -> Query:
    measures = [c for c in free if reading.type_of(c) in NUMERIC]
    agg = _agg(reading.words) or ("mean" if measures else "count")
    return Query(
        shape="trend",
        agg=agg if measures else "count",
        column=measures[0] if measures else None,
        date_column=date_column,
        period=period,
        where=reading.where,
    )


def _agg(words: list[str]) -> Agg | None:
    text = " ".join(words)
    if re.search(r"\bhow many\b|\bnumber of\b|\bcount\b", text):
        return "count"
    for word in words:
        if word in AGG_WORDS:
            return AGG_WORDS[word]
    return None


def _groups(reading: Reading, free: list[str], exclude: list[str]) -> list[str]:
    """Columns named after 'by', 'per', 'for each', 'across', or as 'which <column>'."""
    groups: list[str] = []
    for mention in reading.mentions:
        if mention.column in exclude or mention.column not in free:
            continue
        before = reading.words[max(0, mention.start - 2) : mention.start]
        cue = any(w in ("by", "per", "each", "across", "every", "which", "what") for w in before)
        cue = cue or (len(before) == 2 and before[0] in ("top", "bottom") and before[1].isdigit())
        if cue or (groups and before[-1:] == ["and"]):
            groups.append(mention.column)
    return list(dict.fromkeys(groups))


def _limit(words: list[str]) -> int | None:
    text = " ".join(words)
    match = re.search(r"\b(?:top|bottom|first|last|highest|lowest|largest|smallest) (\d+)\b", text)
    if match:
        return int(match.group(1))
    match = re.search(r"\b(\d+) (?:highest|lowest|largest|smallest|biggest|most|least)\b", text)
    return int(match.group(1)) if match else None


def _superlative(words: list[str]) -> str | None:
    """'desc' for highest/most, 'asc' for lowest/least, None when neither is asked."""
    for word in words:
        if word in HIGH:
            return "desc"
        if word in LOW:
            return "asc"
    return None


def _aggregate_or_top(
    reading: Reading, free: list[str], date_column: str | None, period: Period | None
) -> Query | Clarify:
    words = reading.words
    groups = _groups(reading, free, exclude=[])
    period_group = _period_group(words, date_column, period)
    if period_group and period_group not in groups:
        groups.insert(0, period_group)
    measures = [c for c in free if c not in groups and reading.type_of(c) in NUMERIC]
    counted = _agg(words)
    order = _superlative(words)
    limit = _limit(words)
    if order and limit and not measures and groups and reading.type_of(groups[-1]) in NUMERIC:
        measures = [groups.pop()]
    asks_which = bool(re.match(r"(which|what)\b", " ".join(words))) and bool(groups)
    if order and (limit or asks_which or (groups and not counted)):
        return _top(reading, measures, groups, order, limit, counted)
    agg = counted or ("max" if order == "desc" else "min" if order == "asc" else None)
    if agg is None and reading.where and not measures:
        agg = "count"
    if agg is None:
        return _unclear(reading, free, groups)
    if agg != "count" and not measures:
        return _no_measure(reading, free, agg)
    if agg == "count" and not (groups or reading.where) and not _counts_rows(reading):
        return _unclear(reading, [], [])
    return Query(
        shape="aggregate",
        agg=agg,
        column=measures[0] if agg != "count" else None,
        group_by=groups[:2],
        period=period if period_group else None,
        where=reading.where,
    )


ROW_WORDS = frozenset(
    {"row", "record", "entry", "line", "item", "observation", "sample", "case", "thing", "one"}
)


def _counts_rows(reading: Reading) -> bool:
    """'how many penguins' in penguins.csv, 'how many rows': what is counted is the file's rows."""
    text = " ".join(reading.words)
    match = re.search(r"\b(?:how many|number of|count of|count the|count)\s+(\w+)", text)
    if match is None:
        return True
    noun = _stem(match.group(1))
    names = [_stem(w) for w in words_of(reading.schema.name.rsplit(".", 1)[0])]
    return noun in ROW_WORDS or any(_same(noun, n) for n in names)


def _period_group(words: list[str], date_column: str | None, period: Period | None) -> str | None:
    """'which month …', 'per year': the date column, truncated to that period."""
    if not date_column or period is None:
        return None
    text = " ".join(words)
    pattern = r"\b(which|what|by|per|each|every) (day|week|month|quarter|year)"
    return date_column if re.search(pattern, text) else None


def _top(
    reading: Reading,
    measures: list[str],
    groups: list[str],
    order: str,
    limit: int | None,
    counted: Agg | None,
) -> Query | Clarify:
    period = _period(reading.words)
    if groups:
        amount = "sum" if reading.has("most", "least", "fewest") else "mean"
        agg = counted or _agg_word(reading.words) or (amount if measures else "count")
        if agg != "count" and not measures:
            return _no_measure(reading, groups, agg)
        return Query(
            shape="top",
            agg=agg,
            column=measures[0] if agg != "count" else None,
            group_by=groups[:2],
            order="desc" if order == "desc" else "asc",
            limit=limit or 1,
            period=period,
            where=reading.where,
        )
    if not measures:
        return _no_measure(reading, groups, "max")
    return Query(
        shape="top",
        column=measures[0],
        order="desc" if order == "desc" else "asc",
        limit=limit or 1,
        where=reading.where,
    )


def _agg_word(words: list[str]) -> Agg | None:
    for word in words:
        if word in AGG_WORDS and word not in ("max", "min", "maximum", "minimum"):
            return AGG_WORDS[word]
    return None


def _no_measure(reading: Reading, free: list[str], agg: str) -> Clarify:
    numbers = [c.name for c in reading.schema.columns if c.type in NUMERIC]
    named = [c for c in free if reading.type_of(c) not in NUMERIC]
    about = f"{named[0]} is not a number column. " if named else ""
    return Clarify(
        f"{about}Which number column should I take the {agg} of? {', '.join(numbers)}.",
        numbers[:5],
    )


def _unclear(reading: Reading, free: list[str], groups: list[str]) -> Clarify:
    names = ", ".join(c.name for c in reading.schema.columns[:12])
    if not free and not reading.where:
        return Clarify(
            f"I couldn't find a column of {reading.schema.name} in that question. "
            f'Its columns are: {names}. Try e.g. "median {_example(reading)} by '
            f'{_example(reading, text=True)}".',
        )
    return Clarify(
        "What should I compute: a count, total, mean, median, minimum or maximum, "
        "a correlation, a distribution, a trend, or the distinct values?",
        ["count", "mean", "distribution"],
    )


def _example(reading: Reading, text: bool = False) -> str:
    kinds = ("text",) if text else NUMERIC
    return next((c.name for c in reading.schema.columns if c.type in kinds), "a column")


FOLLOW_UP = re.compile(
    r"^(now|then|ok|okay|and|what about|how about|same|just|only)\b|\binstead\b|"
    r"\b(as|in) an? (\w+ )?(chart|graph|plot)\b|^(show|plot|chart|draw)\b"
)
"""Words that make a message a refinement of the last question even when it could stand alone."""
REFINE_CUES = re.compile(
    r"^(now|and|ok|okay|then|what about|how about|same|just|only|instead|but|"
    r"as an? |show (it|that|me that)|plot|chart|draw|top|bottom|per|by)\b|\binstead\b|"
    r"\bas an? .*chart\b"
)


def refine(question: str, last: Query, schemas: list[TableSchema]) -> Query | None:
    """A follow-up that changes the last query ("now by month", "only 2015", "top 5 instead")."""
    text = " ".join(words_of(question))
    if not REFINE_CUES.search(text) or len(text.split()) > 10:
        return None
    schema = next((s for s in schemas if s.file_id == last.file_id), schemas[0])
    reading = Reading(words=words_of(question), schema=schema)
    if find_columns(reading) is not None:
        return None
    changes: dict[str, Any] = {}
    _refine_chart(text, changes)
    _refine_limit(text, last, changes)
    _refine_agg(reading.words, last, changes)
    _refine_filters(reading, question, last, changes)
    _refine_groups(reading, last, changes)
    return last.model_copy(update=changes) if changes else None


def _refine_chart(text: str, changes: dict[str, Any]) -> None:
    if re.search(r"\b(line)\b.*\b(chart|graph|plot)\b|\bas a line\b", text):
        changes["chart"] = "line"
    elif re.search(r"\bbar\b|\bchart\b|\bgraph\b|\bplot\b|\bdraw\b|\bvisuali", text):
        changes["chart"] = "bar"


def _refine_limit(text: str, last: Query, changes: dict[str, Any]) -> None:
    match = re.search(r"\b(top|bottom|first|last) (\d+)\b", text)
    if not match:
        return
    changes["limit"] = int(match.group(2))
    changes["order"] = "asc" if match.group(1) == "bottom" else "desc"
    if last.shape in ("aggregate", "distinct") and (last.group_by or last.shape == "distinct"):
        changes["shape"] = "top"
        if last.shape == "distinct" and last.column:
            changes.update(group_by=[last.column], column=None, agg="count")
    elif last.shape not in ("top",) and last.column:
        changes["shape"] = "top"


EXTREMES: dict[str, Agg] = {
    "highest": "max",
    "largest": "max",
    "biggest": "max",
    "greatest": "max",
    "lowest": "min",
    "smallest": "min",
}
"""Words that make one number of a column its maximum or minimum ("and the lowest one?")."""


def _refine_agg(words: list[str], last: Query, changes: dict[str, Any]) -> None:
    """A new aggregate for the last measure; "the lowest" only turns a single number (an
    aggregate) into its minimum: on a ranking it is the order's business."""
    agg = _agg_word(words) or next(
        (AGG_WORDS[w] for w in words if w in ("max", "min", "maximum", "minimum")), None
    )
    if agg is None and last.shape == "aggregate":
        agg = next((EXTREMES[w] for w in words if w in EXTREMES), None)
    if agg and last.shape in ("aggregate", "top", "trend") and last.column:
        changes["agg"] = agg


def _refine_filters(reading: Reading, question: str, last: Query, changes: dict[str, Any]) -> None:
    find_values(reading)
    find_comparisons(reading, question)
    find_dates(reading)
    if not reading.where:
        return
    replaced = {(c.column, c.op) for c in reading.where}
    kept = [c for c in last.where if (c.column, c.op) not in replaced]
    changes["where"] = [*kept, *reading.where]


def _refine_groups(reading: Reading, last: Query, changes: dict[str, Any]) -> None:
    period = _period(reading.words)
    date_column = _date_column(reading)
    if period and date_column and last.shape in ("aggregate", "trend", "top"):
        if last.shape == "top":
            changes.update(group_by=[date_column], period=period)
            return
        changes.update(shape="trend", date_column=date_column, period=period, group_by=[])
        return
    named = [m.column for m in reading.mentions]
    if named and reading.has("by", "per", "across", "each"):
        if last.shape in ("aggregate", "top", "correlation"):
            changes["group_by"] = named[:2]
        elif last.shape in ("trend", "distinct", "distribution") and last.column:
            changes.update(shape="aggregate", group_by=named[:2], period=None)


def names_anything(question: str, schemas: list[TableSchema]) -> bool:
    """Whether the question names a column or a value of any of the files."""
    for schema in schemas:
        reading = Reading(words=words_of(question), schema=schema)
        if find_columns(reading) is not None or reading.mentions:
            return True
        find_values(reading)
        if reading.where:
            return True
    return False
