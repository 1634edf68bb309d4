"""The reader's corpus: real datasets written the way real tools write them.

Every case is made here from data shipped in PyPI packages (vega_datasets, scikit-learn,
statsmodels: nothing downloaded), written as Excel, European locales, reporting tools
and exporters write files, with the reading a user expects (`Expect`). tests/
test_reading_corpus.py reads each through ingest_file and profile_data;
bench/realms/reading_bench.py scores each candidate library on the same cases.
"""

import codecs
import csv
import gzip
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import polars as pl
import pytest
import xlsxwriter

from activities.realms.content import FileSummary
from activities.realms.reading.options import ReadOptions

Rows = list[list[str]]


@dataclass(frozen=True)
class Expect:
    """What a user expects the reader to find, and what a candidate library is scored on.

    `columns`: the first names (all, if the file is narrow); `types`/`values`: some
    columns' types and first values; `warnings`: the kinds of warning that must be
    reported (and no others).
    """

    kind: str
    rows: int
    columns: list[str]
    width: int
    types: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    delimiter: str | None = None
    quote_char: str = '"'
    encodings: tuple[str, ...] = ("utf-8",)
    decimal: str = "."
    thousands: str = ""
    header_row: int = 0
    has_header: bool = True
    sheet: str | None = None
    json_path: str | None = None
    date_formats: dict[str, str] = field(default_factory=dict)
    warnings: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Case:
    name: str
    shape: str
    data: bytes
    expect: Expect
    options: ReadOptions | None = None


# ---- the real datasets -------------------------------------------------------------


def _vega(name: str) -> bytes:
    return (resources.files("vega_datasets") / "_data" / name).read_bytes()


def _sklearn(name: str) -> bytes:
    data = (resources.files("sklearn.datasets") / "data" / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def _statsmodels(name: str) -> bytes:
    return (resources.files(f"statsmodels.datasets.{name}") / f"{name}.csv").read_bytes()


def _csv(data: bytes) -> Rows:
    return [row for row in csv.reader(io.StringIO(data.decode("utf-8"))) if row]


@cache
def weather() -> Rows:
    """Seattle weather 2012-2015: date (2012/01/01), four measures, a weather word."""
    return _csv(_vega("seattle-weather.csv"))


@cache
def employment() -> Rows:
    """US employment by month, thousands of jobs (135450 = 135,450,000): 24 columns."""
    return _csv(_vega("us-employment.csv"))


@cache
def airports() -> Rows:
    return _csv(_vega("airports.csv"))


@cache
def stocks() -> Rows:
    """Monthly prices; dates written "Jan 1 2000"."""
    return _csv(_vega("stocks.csv"))


@cache
def riots() -> Rows:
    return _csv(_vega("la-riots.csv"))


@cache
def macro() -> Rows:
    return _csv(_statsmodels("macrodata"))


@cache
def grunfeld() -> Rows:
    return _csv(_statsmodels("grunfeld"))


@cache
def fertility() -> Rows:
    """World Bank births per woman, 219 countries, a column per year 1960-2013 (wide)."""
    return _csv(_statsmodels("fertility"))


@cache
def cars() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(_vega("cars.json"))
    return records


@cache
def ohlc() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(_vega("ohlc.json"))
    return records


@cache
def barley() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(_vega("barley.json"))
    return records


@cache
def wide() -> Rows:
    """178 rows of 107 measures: wine (13), breast cancer (30) and digits (64) side by side."""
    wine = _csv(_sklearn("wine_data.csv"))[1:]
    cancer = _csv(_sklearn("breast_cancer.csv"))[1:]
    digits = _csv(_sklearn("digits.csv.gz"))
    header = [f"wine_{i}" for i in range(13)] + [f"cancer_{i}" for i in range(30)]
    header += [f"pixel_{i}" for i in range(64)]
    rows = [w[:13] + c[:30] + d[:64] for w, c, d in zip(wine, cancer, digits, strict=False)]
    return [header, *rows]


# ---- how tools write them ------------------------------------------------------------


def write(
    rows: Rows,
    *,
    delimiter: str = ",",
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL,
    quote: str = '"',
    eol: str = "\n",
    encoding: str = "utf-8",
    above: str = "",
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=delimiter, quoting=quoting, quotechar=quote, lineterminator=eol
    )
    writer.writerows(rows)
    return (above + out.getvalue()).encode(encoding)


def german(value: str) -> str:
    """A number as German Excel writes it: 1.234,5."""
    try:
        number = float(value)
    except ValueError:
        return value
    if number.is_integer() and "." not in value:
        return f"{int(number):,}".replace(",", ".")
    text = f"{number:,.{len(value.split('.')[1]) if '.' in value else 1}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def english_grouped(value: str) -> str:
    """A number as US Excel writes it with grouping: 135,450 and 5,840.4."""
    try:
        number = float(value)
    except ValueError:
        return value
    if number.is_integer() and "." not in value:
        return f"{int(number):,}"
    return f"{number:,.{len(value.split('.')[1])}f}"


def french(value: str) -> str:
    """A number as French Excel writes it: 1 234,5 (a narrow no-break space groups)."""
    return german(value).replace(".", "\u202f")


def iso(date: str) -> str:
    return date.replace("/", "-")


def day_first(date: str) -> str:
    y, m, d = date.replace("/", "-").split("-")
    return f"{d}/{m}/{y}"


def month_first(date: str) -> str:
    y, m, d = date.replace("/", "-").split("-")
    return f"{m}/{d}/{y}"


def dotted(date: str) -> str:
    y, m, d = date.replace("/", "-").split("-")
    return f"{d}.{m}.{y}"


def mapped(rows: Rows, columns: dict[int, Callable[[str], str]]) -> Rows:
    """The rows with some columns' values rewritten (the header row kept)."""
    return [rows[0]] + [[columns.get(i, str)(v) for i, v in enumerate(r)] for r in rows[1:]]


def every(rows: Rows, fn: Callable[[str], str], skip: tuple[int, ...] = ()) -> Rows:
    width = len(rows[0])
    return mapped(rows, {i: fn for i in range(width) if i not in skip})


def xlsx_book(sheets: list[tuple[str, Rows, str | None]], formulas: str | None = None) -> bytes:
    """A workbook as Excel saves it: typed cells, a merged title row, formulas with values."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": True})
    for name, rows, title in sheets:
        sheet = book.add_worksheet(name)
        start = 0
        if title:
            sheet.merge_range(0, 0, 0, len(rows[0]) - 1, title, book.add_format({"bold": True}))
            start = 1
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(start + r, c, value)
        if name == formulas:
            col = len(rows[0])
            sheet.write(start, col, "temp_range")
            for r in range(1, len(rows)):
                low, high = float(rows[r][3]), float(rows[r][2])
                row_number = start + r + 1
                sheet.write_formula(
                    start + r, col, f"=C{row_number}-D{row_number}", None, round(high - low, 6)
                )
    book.close()
    return out.getvalue()


def world_bank(rows: Rows) -> bytes:
    """As the World Bank's download writes a CSV: a source preamble, every field quoted,
    a trailing comma on every line."""
    above = '"Data Source","World Development Indicators",\n\n"Last Updated Date","2014-07-01",\n\n'
    lines = ("".join(f'"{cell}",' for cell in row) + "\n" for row in rows)
    return (above + "".join(lines)).encode()


def firm_years() -> Rows:
    """Each Grunfeld firm with the first and last year it reports: years in two columns."""
    spans: dict[str, list[int]] = {}
    for row in grunfeld()[1:]:
        spans.setdefault(row[3], []).append(int(row[4]))
    return [[firm, str(min(years)), str(max(years))] for firm, years in spans.items()]


def zipped(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


def parquet(rows: Rows, dates: int) -> bytes:
    frame = pl.DataFrame({name: [r[i] for r in rows[1:]] for i, name in enumerate(rows[0])})
    frame = frame.with_columns(
        pl.col(rows[0][dates]).str.replace_all("/", "-").str.to_date(),
        *(pl.col(n).cast(pl.Float64) for n in rows[0][1:5]),
    )
    out = io.BytesIO()
    frame.write_parquet(out)
    return out.getvalue()


def arrow(records: list[dict[str, Any]]) -> bytes:
    out = io.BytesIO()
    pl.DataFrame(records, infer_schema_length=None).write_ipc(out)
    return out.getvalue()


# ---- the cases -------------------------------------------------------------------------

W_COLS = ["date", "precipitation", "temp_max", "temp_min", "wind", "weather"]
W_TYPES = {"date": "datetime", "precipitation": "number", "temp_max": "number", "weather": "text"}
W_FIRST = {"precipitation": 0.0, "temp_max": 12.8, "weather": "drizzle"}
E_FIRST = {"nonfarm": 135450, "trade_transportation_utilties": 26162}
GERMAN_W = [
    "Datum",
    "Niederschlag (mm)",
    "Temp. max (°C)",
    "Temp. min (°C)",
    "Wind (m/s)",
    "Wetterlage (Überblick)",
]


def _w(**changes: Any) -> Expect:
    base: dict[str, Any] = {
        "kind": "csv",
        "rows": len(weather()) - 1,
        "columns": W_COLS,
        "width": 6,
        "types": W_TYPES,
        "values": W_FIRST,
        "delimiter": ",",
        "date_formats": {"date": "%Y/%m/%d"},
    }
    return Expect(**(base | changes))


def _e(**changes: Any) -> Expect:
    base: dict[str, Any] = {
        "kind": "csv",
        "rows": len(employment()) - 1,
        "columns": employment()[0][:4],
        "width": 24,
        "types": {"month": "datetime", "nonfarm": "integer", "wholesale_trade": "number"},
        "values": E_FIRST | {"wholesale_trade": 5840.4},
        "delimiter": ",",
        "date_formats": {"month": "%Y-%m-%d"},
    }
    return Expect(**(base | changes))


def _german_weather() -> Rows:
    rows = mapped(weather(), {0: dotted, 1: german, 2: german, 3: german, 4: german})
    return [GERMAN_W, *rows[1:]]


def _german_expect(**changes: Any) -> Expect:
    german: dict[str, Any] = {
        "columns": GERMAN_W,
        "types": {
            "Datum": "datetime",
            "Temp. max (°C)": "number",
            "Wetterlage (Überblick)": "text",
        },
        "values": {"Temp. max (°C)": 12.8, "Niederschlag (mm)": 0.0, "Wind (m/s)": 4.7},
        "delimiter": ";",
        "decimal": ",",
        "encodings": ("cp1252",),
        "date_formats": {"Datum": "%d.%m.%Y"},
    }
    return _w(**(german | changes))


def _mixed_dates() -> Rows:
    rows = weather()[:121]
    return mapped(rows, {0: iso})[:61] + [[day_first(r[0]), *r[1:]] for r in rows[61:]]


def _ambiguous() -> Rows:
    rows = [r for r in weather() if r[0].endswith("/01") or r[0] == "date"]
    return mapped(rows, {0: day_first})


def _month_first_rows() -> Rows:
    return mapped(weather(), {0: month_first})


def _bad_values() -> Rows:
    rows = [list(r) for r in weather()]
    for i, junk in ((5, "n/a?"), (40, "unknown"), (41, "12mm"), (700, "T")):
        rows[i][1] = junk
    return rows


def _na_languages() -> Rows:
    rows = [list(r) for r in weather()]
    markers = ["k.A.", "n.d.", "#N/A", "NULL", "s/d", "N/A", "n.v.", "#NV", "-", "NA"]
    for i, marker in enumerate(markers):
        rows[1 + 10 * i][4] = marker
    return rows


def _nested() -> list[dict[str, Any]]:
    by_place: dict[str, list[dict[str, Any]]] = {}
    for row in riots()[1:]:
        by_place.setdefault(row[7], []).append({"name": f"{row[0]} {row[1]}", "age": row[2]})
    return [
        {
            "neighborhood": place,
            "deaths": len(people),
            "people": people,
            "ages": [p["age"] for p in people],
        }
        for place, people in by_place.items()
    ]


def _airport_rows() -> Rows:
    return airports()[:501]


def cases() -> list[Case]:
    """Every shape of the issue, each with the reading a user expects."""
    w, e = weather(), employment()
    w_rows = len(w) - 1
    german_w = _german_weather()
    a = _airport_rows()
    a_expect = Expect(
        kind="csv",
        rows=500,
        columns=a[0],
        width=7,
        types={"iata": "text", "latitude": "number", "name": "text"},
        values={"iata": "00M", "latitude": 31.95376472},
        delimiter=",",
    )
    emp_eu = every(e, german, skip=(0,))
    f = fertility()
    f_expect = Expect(
        kind="csv",
        rows=len(f) - 1,
        columns=["Country Name", "Country Code", "Indicator Name", "Indicator Code", "1960"],
        width=58,
        types={"Country Name": "text", "1960": "number", "2011": "number"},
        values={"Country Name": "Aruba", "1960": 4.82, "2011": 1.69},
        delimiter=",",
    )
    nested = _nested()
    return [
        Case("weather.csv", "plain CSV, dates 2012/01/01", write(w), _w()),
        Case(
            "wetter_de.csv",
            "German Excel: ; decimal commas, dd.mm.yyyy, cp1252",
            write(german_w, delimiter=";", eol="\r\n", encoding="cp1252"),
            _german_expect(),
        ),
        Case(
            "employment_de.csv",
            "European thousands 135.450 and decimals 5.840,4",
            write(emp_eu, delimiter=";"),
            _e(delimiter=";", decimal=",", thousands="."),
        ),
        Case(
            "employment_us.csv",
            'US grouping in quotes: "135,450"',
            write(every(e, english_grouped, skip=(0,))),
            _e(thousands=","),
        ),
        Case(
            "employment_fr.csv",
            "French: 1 234,5 with narrow no-break spaces",
            write(every(e, french, skip=(0,)), delimiter=";"),
            _e(delimiter=";", decimal=",", thousands=" "),
        ),
        Case(
            "wetter_latin1.csv",
            "latin-1 (ISO-8859-1) text",
            write(german_w, delimiter=";", encoding="latin-1"),
            _german_expect(encodings=("cp1252", "latin-1", "iso8859-1")),
        ),
        Case(
            "airports_unicode.txt",
            'Excel "Unicode text": UTF-16 LE with BOM, tabs, CRLF',
            codecs.BOM_UTF16_LE + write(a, delimiter="\t", eol="\r\n").decode().encode("utf-16-le"),
            Expect(
                **(a_expect.__dict__ | {"kind": "tsv", "delimiter": "\t", "encodings": ("utf-16",)})
            ),
        ),
        Case(
            "airports_bom.csv",
            'Excel "CSV UTF-8": a BOM first',
            codecs.BOM_UTF8 + write(a),
            Expect(**(a_expect.__dict__ | {"encodings": ("utf-8-sig",)})),
        ),
        Case(
            "cars_bom.json",
            "JSON with a BOM",
            codecs.BOM_UTF8 + json.dumps(cars()).encode(),
            Expect(
                kind="json",
                rows=len(cars()),
                columns=list(cars()[0]),
                width=9,
                types={"Horsepower": "integer", "Year": "datetime", "Name": "text"},
                values={"Name": "chevrolet chevelle malibu"},
                encodings=("utf-8-sig",),
                date_formats={"Year": "%Y-%m-%d"},
            ),
        ),
        Case(
            "weather_report.csv",
            "title and preamble lines above the header",
            write(w, above="Seattle weather 2012-2015\nSource: NOAA via vega-datasets\n\n"),
            _w(header_row=3),
        ),
        Case(
            "wide_107.csv",
            "107 columns (wine, breast cancer, digits)",
            write(wide()),
            Expect(
                kind="csv",
                rows=178,
                columns=["wine_0", "wine_1"],
                width=107,
                types={"wine_0": "number", "pixel_63": "integer", "cancer_29": "number"},
                values={"wine_0": 14.23},
                delimiter=",",
            ),
        ),
        Case(
            "temps_one_column.csv",
            "a single column of numbers",
            write([[r[2]] for r in w]),
            Expect(
                kind="csv",
                rows=w_rows,
                columns=["temp_max"],
                width=1,
                types={"temp_max": "number"},
                values={"temp_max": 12.8},
                delimiter=None,
            ),
        ),
        Case(
            "airport_names.csv",
            "a single column of text with commas inside",
            write([[r[1]] for r in a]),
            Expect(
                kind="csv",
                rows=500,
                columns=["name"],
                width=1,
                types={"name": "text"},
                values={"name": "Thigpen"},
                delimiter=None,
            ),
        ),
        Case(
            "weather_book.xlsx",
            "Excel: three sheets, merged title row, formulas",
            xlsx_book(
                [
                    ("Notes", [["note"], ["Seattle weather from vega-datasets"]], None),
                    ("Data", w, "Seattle weather 2012-2015"),
                    ("Small", w[:20], None),
                ],
                formulas="Data",
            ),
            Expect(
                kind="xlsx",
                rows=w_rows,
                columns=[*W_COLS, "temp_range"],
                width=7,
                types={
                    "precipitation": "number",
                    "temp_range": "number",
                    "weather": "text",
                    "date": "datetime",
                },
                values=W_FIRST | {"temp_range": 7.8},
                sheet="Data",
                header_row=1,
                date_formats={"date": "%Y/%m/%d"},
            ),
        ),
        Case(
            "weather_pick.xlsx",
            "Excel: the sheet named in read_options",
            xlsx_book([("Data", w, None), ("Small", w[:20], None)]),
            Expect(
                kind="xlsx",
                rows=19,
                columns=W_COLS,
                width=6,
                types={"temp_max": "number"},
                values=W_FIRST,
                sheet="Small",
                date_formats={"date": "%Y/%m/%d"},
            ),
            ReadOptions(sheet="Small"),
        ),
        Case(
            "barley.json",
            "JSON array of records",
            json.dumps(barley()).encode(),
            Expect(
                kind="json",
                rows=len(barley()),
                columns=["yield", "variety", "year", "site"],
                width=4,
                types={"yield": "number", "year": "integer"},
                values={"yield": 27, "variety": "Manchuria"},
            ),
        ),
        Case(
            "ohlc_wrapped.json",
            'records under a key: {"meta": …, "data": […]}',
            json.dumps({"meta": {"source": "vega", "rows": len(ohlc())}, "data": ohlc()}).encode(),
            Expect(
                kind="json",
                rows=len(ohlc()),
                columns=list(ohlc()[0]),
                width=7,
                types={"open": "number", "date": "datetime", "signal": "text"},
                values={"open": 28.7},
                json_path="data",
                date_formats={"date": "%Y-%m-%d"},
            ),
        ),
        Case(
            "ohlc_deep.json",
            'records two keys down: {"result": {"items": […]}}',
            json.dumps(
                {"status": "ok", "result": {"count": len(ohlc()), "items": ohlc()}}
            ).encode(),
            Expect(
                kind="json",
                rows=len(ohlc()),
                columns=list(ohlc()[0]),
                width=7,
                types={"open": "number"},
                values={"open": 28.7},
                json_path="result.items",
                date_formats={"date": "%Y-%m-%d"},
            ),
        ),
        Case(
            "cars.jsonl",
            "JSON Lines",
            "".join(json.dumps(r) + "\n" for r in cars()).encode(),
            Expect(
                kind="jsonl",
                rows=len(cars()),
                columns=list(cars()[0]),
                width=9,
                types={"Miles_per_Gallon": "number", "Cylinders": "integer"},
                values={"Cylinders": 8},
                date_formats={"Year": "%Y-%m-%d"},
            ),
        ),
        Case(
            "cars_lines.json",
            "JSON Lines saved as .json",
            "".join(json.dumps(r) + "\n" for r in cars()).encode(),
            Expect(
                kind="jsonl",
                rows=len(cars()),
                columns=list(cars()[0]),
                width=9,
                types={"Cylinders": "integer"},
                values={"Cylinders": 8},
                date_formats={"Year": "%Y-%m-%d"},
            ),
        ),
        Case(
            "riots_nested.json",
            "nested lists of records kept as JSON text cells",
            json.dumps(nested).encode(),
            Expect(
                kind="json",
                rows=len(nested),
                columns=["neighborhood", "deaths", "people", "ages"],
                width=4,
                types={"deaths": "integer", "people": "text", "ages": "text"},
                values={
                    "neighborhood": nested[0]["neighborhood"],
                    "ages": json.dumps(nested[0]["ages"]),
                },
            ),
        ),
        Case(
            "weather_mixed_dates.csv",
            "ISO dates for 60 rows, then dd/mm/yyyy",
            write(_mixed_dates()),
            _w(rows=120, date_formats={"date": "%Y-%m-%d | %d/%m/%Y"}),
        ),
        Case(
            "weather_dayfirst.csv",
            "dd/mm/yyyy (days past 12 settle it)",
            write(mapped(w, {0: day_first})),
            _w(date_formats={"date": "%d/%m/%Y"}),
        ),
        Case(
            "weather_monthfirst.csv",
            "mm/dd/yyyy",
            write(_month_first_rows()),
            _w(date_formats={"date": "%m/%d/%Y"}),
        ),
        Case(
            "stocks.csv",
            "textual months: Jan 1 2000",
            _vega("stocks.csv"),
            Expect(
                kind="csv",
                rows=len(stocks()) - 1,
                columns=["symbol", "date", "price"],
                width=3,
                types={"date": "datetime", "price": "number"},
                values={"symbol": "MSFT", "price": 39.81},
                delimiter=",",
                date_formats={"date": "%b %d %Y"},
            ),
        ),
        Case(
            "weather_ambiguous.csv",
            "dd/mm/yyyy where no day passes 12: reported",
            write(_ambiguous()),
            _w(
                rows=len(_ambiguous()) - 1,
                date_formats={"date": "%d/%m/%Y"},
                warnings=frozenset({"ambiguous_dates"}),
            ),
        ),
        Case(
            "macro_quoted_header.csv",
            'statsmodels as written: "quoted" header names',
            _statsmodels("macrodata"),
            Expect(
                kind="csv",
                rows=len(macro()) - 1,
                columns=["year", "quarter", "realgdp"],
                width=14,
                types={"year": "integer", "realgdp": "number"},
                values={"year": 1959, "realgdp": 2710.349},
                delimiter=",",
            ),
        ),
        Case("weather_quote_all.csv", "every field quoted", write(w, quoting=csv.QUOTE_ALL), _w()),
        Case(
            "weather_single_quotes.csv",
            "single quotes as the quote character",
            write(mapped(w, {5: lambda v: v + ", mostly"}), quoting=csv.QUOTE_ALL, quote="'"),
            _w(quote_char="'", values={"temp_max": 12.8, "weather": "drizzle, mostly"}),
        ),
        Case(
            "weather_export.csv",
            "a metadata first row: Exported … followed by empty fields",
            write([["Exported from WeatherDesk on 2016-01-02", "", "", "", "", ""], *w]),
            _w(header_row=1),
        ),
        Case(
            "weather_header_only.csv",
            "a header and no rows",
            write(w[:1]),
            _w(rows=0, types={}, values={}, date_formats={}, warnings=frozenset({"header_only"})),
        ),
        Case(
            "weather.parquet",
            "Parquet",
            parquet(w, 0),
            Expect(
                kind="parquet", rows=w_rows, columns=W_COLS, width=6, types=W_TYPES, values=W_FIRST
            ),
        ),
        Case(
            "cars.arrow",
            "Arrow IPC (Feather v2)",
            arrow(cars()),
            Expect(
                kind="arrow",
                rows=len(cars()),
                columns=list(cars()[0]),
                width=9,
                types={"Cylinders": "integer", "Name": "text"},
                values={"Cylinders": 8},
                date_formats={"Year": "%Y-%m-%d"},
            ),
        ),
        Case(
            "airports_crlf.csv",
            "CRLF line ends, names quoted where they hold commas",
            write(a, eol="\r\n"),
            a_expect,
        ),
        Case(
            "weather_trailing.csv",
            "a trailing delimiter on every line",
            "".join(";".join(r) + ";\n" for r in mapped(w, {})).encode(),
            _w(
                delimiter=";",
                values={"temp_max": 12.8, "precipitation": 0.0, "weather": "drizzle"},
                decimal=".",
            ),
        ),
        Case(
            "weather_blank_lines.csv",
            "blank lines between rows",
            "\n\n".join(",".join(r) for r in w).encode() + b"\n",
            _w(),
        ),
        Case(
            "grunfeld_dup_header.csv",
            "repeated header names",
            write(
                [
                    ["invest", "value", "value", "firm", "year"],
                    *[[r[0], r[1], r[2], r[3], r[4]] for r in grunfeld()[1:]],
                ]
            ),
            Expect(
                kind="csv",
                rows=len(grunfeld()) - 1,
                columns=["invest", "value", "value_2", "firm", "year"],
                width=5,
                types={"value_2": "number", "firm": "text", "year": "integer"},
                values={"firm": "General Motors"},
                delimiter=",",
                warnings=frozenset({"duplicate_header"}),
            ),
        ),
        Case(
            "weather_na_words.csv",
            "missing written k.A., n.d., #N/A, NULL, s/d, #NV, -",
            write(_na_languages()),
            _w(types=W_TYPES | {"wind": "number"}),
        ),
        Case(
            "weather_bad_values.csv",
            "a few values that are not numbers: counted, with examples",
            write(_bad_values()),
            _w(warnings=frozenset({"not_number"})),
        ),
        Case(
            "weather_dash.csv",
            "- for missing in numbers",
            write(mapped(w, {1: lambda v: "-" if v == "0.0" else v})),
            _w(values={"precipitation": None, "temp_max": 12.8}),
        ),
        Case("weather.psv", "pipe-delimited", write(w, delimiter="|"), _w(delimiter="|")),
        Case(
            "weather.tsv", "tab-separated", write(w, delimiter="\t"), _w(kind="tsv", delimiter="\t")
        ),
        Case(
            "weather_no_header.csv",
            "no header row",
            write(w[1:]),
            _w(
                columns=["column_1", "column_2"],
                types={"column_1": "datetime", "column_2": "number"},
                values={"column_3": 12.8},
                has_header=False,
                date_formats={"column_1": "%Y/%m/%d"},
            ),
        ),
        Case(
            "wetter_sep.csv",
            'Excel\'s "sep=;" first line',
            write(german_w, delimiter=";", above="sep=;\n").decode("utf-8").encode("cp1252"),
            _german_expect(header_row=1),
        ),
        Case("weather.csv.zip", "a zipped CSV", zipped("weather.csv", write(w)), _w()),
        Case(
            "macro_padded.csv",
            "a reporting tool's padded columns",
            write([[v.rjust(10) for v in r] for r in macro()]),
            Expect(
                kind="csv",
                rows=len(macro()) - 1,
                columns=["year", "quarter", "realgdp"],
                width=14,
                types={"year": "integer", "realgdp": "number"},
                values={"realgdp": 2710.349},
                delimiter=",",
            ),
        ),
        Case(
            "riots_yes_no.csv",
            "booleans written yes/no, ages with gaps",
            write(
                [[*r[:3], "yes" if r[8] == "Homicide" else "no"] for r in riots()[1:]],
                above="first_name,last_name,age,homicide\n",
            ),
            Expect(
                kind="csv",
                rows=len(riots()) - 1,
                columns=["first_name", "last_name", "age", "homicide"],
                width=4,
                types={"homicide": "boolean", "age": "integer"},
                values={"first_name": "Cesar A."},
                delimiter=",",
            ),
        ),
        Case(
            "fertility.csv",
            "World Bank wide file: a header of years (1960, 1961, …) over rates",
            _statsmodels("fertility"),
            f_expect,
        ),
        Case(
            "fertility_download.csv",
            "World Bank download: source preamble, quoted years, trailing commas",
            world_bank(f),
            Expect(**(f_expect.__dict__ | {"header_row": 4})),
        ),
        Case(
            "firm_years_no_header.csv",
            "no header row, years in two columns (a table of years, not of rates)",
            write(firm_years()),
            Expect(
                kind="csv",
                rows=len(firm_years()),
                columns=["column_1", "column_2", "column_3"],
                width=3,
                types={"column_1": "text", "column_2": "integer"},
                values={"column_1": "General Motors", "column_2": 1935, "column_3": 1954},
                delimiter=",",
                has_header=False,
            ),
        ),
        Case(
            "sf_hourly.csv",
            "date and time: 2010/01/01 00:00:00",
            _vega("sf-temps.csv"),
            Expect(
                kind="csv",
                rows=8759,
                columns=["temp", "date"],
                width=2,
                types={"temp": "number", "date": "datetime"},
                values={"temp": 47.8},
                delimiter=",",
                date_formats={"date": "%Y/%m/%d %H:%M:%S"},
            ),
        ),
    ]


DELIMITED = ("csv", "tsv")


def assert_reading(summary: FileSummary, expect: Expect) -> None:
    """The summary against the expected reading, field by field."""
    used = summary.read_options
    assert used is not None
    assert summary.kind == expect.kind
    assert summary.row_count == expect.rows
    assert summary.column_count == expect.width
    names = [c.name for c in summary.columns]
    assert names[: len(expect.columns)] == expect.columns
    types = {c.name: c.type for c in summary.columns}
    assert {k: types[k] for k in expect.types} == expect.types
    if expect.values:
        first = summary.sample_rows[0]
        assert {k: first[k] for k in expect.values} == pytest.approx(expect.values)
    assert {w.kind for w in summary.warnings} == expect.warnings, summary.warnings
    assert (used.date_formats or {}) == expect.date_formats
    if expect.kind in (*DELIMITED, "xlsx"):
        assert (used.header_row, used.has_header) == (expect.header_row, expect.has_header)
    assert (used.sheet, used.json_path) == (expect.sheet, expect.json_path)
    if expect.kind in DELIMITED:
        assert (used.delimiter, used.quote_char) == (expect.delimiter, expect.quote_char)
        assert (used.decimal, used.thousands) == (expect.decimal, expect.thousands)
    if expect.kind in (*DELIMITED, "json", "jsonl"):
        assert used.encoding in expect.encodings
