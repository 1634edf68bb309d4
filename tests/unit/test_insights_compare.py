"""Comparisons judge quality only: rates in [0, 1], ties as ties, schemas listed."""

import dataclasses
from pathlib import Path

import polars as pl
import pytest

from activities.catalog.insights import CompareDataQualityParams
from activities.realms.compare import Comparison, quality_of
from activities.realms.insights import compare_data_quality
from activities.realms.tables import read_polars
from tests.real_datasets import DATASETS
from tests.realm_files import Files


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


def _compare(files: Files, *named: tuple[str, str | bytes]) -> Comparison:
    ids = [files.add(name, content).file_id for name, content in named]
    return compare_data_quality(files.ctx, CompareDataQualityParams(file_ids=ids))


def test_two_identical_files_tie_on_every_measure(files: Files) -> None:
    content = DATASETS["cars.json"]()
    result = _compare(files, ("a.json", content), ("b.json", content))
    assert result.better is None
    for measure in result.measures:
        assert measure.best is None
        assert measure.tied == ["a.json", "b.json"]
        assert measure.verdict.endswith("a tie.")
    assert "best" not in result.summary and "better" not in result.summary
    assert result.summary.startswith("The files are equally good on every measure.")


def test_size_is_not_quality(files: Files) -> None:
    small = "a,b\n1,x\n2,y\n3,z\n"
    large = "a,b\n" + "".join(f"{i},x{i}\n" for i in range(1, 301))
    result = _compare(files, ("small.csv", small), ("large.csv", large))
    assert {m.name for m in result.measures} == {
        "completeness",
        "validity",
        "duplicates",
        "consistency",
        "outliers",
    }
    assert result.better is None
    assert result.rows == {"small.csv": 3, "large.csv": 300}


def test_each_rate_is_computed_by_hand_and_the_cleaner_file_wins(files: Files) -> None:
    clean = "a,b,city\n1,2,Oslo\n3,4,Rome\n5,6,Oslo\n7,8,Rome\n"
    # 2 of 12 cells empty; row 2 repeats row 1; "oslo " is Oslo spelled another way.
    dirty = "a,b,city\n1,x,Oslo\n1,x,Oslo\n,4,oslo \n7,,Rome\n"
    result = _compare(files, ("clean.csv", clean), ("dirty.csv", dirty))
    values = {m.name: m.values for m in result.measures}
    assert values["completeness"] == {"clean.csv": 1.0, "dirty.csv": round(1 - 2 / 12, 4)}
    assert values["duplicates"] == {"clean.csv": 0.0, "dirty.csv": 0.25}
    # b holds x, x, 4: one number in three is a text column, not numbers with misfits
    assert values["validity"] == {"clean.csv": 1.0, "dirty.csv": 1.0}
    # 7 text values (b: x, x, 4; city: Oslo, Oslo, "oslo ", Rome); "oslo " is a variant
    assert values["consistency"] == {"clean.csv": 1.0, "dirty.csv": round(1 - 1 / 7, 4)}
    assert result.better == "clean.csv"
    assert result.summary.startswith("clean.csv is better overall")
    for measure in result.measures:
        assert all(0.0 <= v <= 1.0 for v in measure.values.values())


def test_misfits_count_against_validity(files: Files) -> None:
    good = "n,t\n" + "".join(f"{i},t\n" for i in range(10))
    bad = "n,t\n" + "".join(f"{'oops' if i == 3 else i},t\n" for i in range(10))
    result = _compare(files, ("good.csv", good), ("bad.csv", bad))
    validity = next(m for m in result.measures if m.name == "validity")
    assert validity.values == {"good.csv": 1.0, "bad.csv": round(1 - 1 / 20, 4)}
    assert validity.best == "good.csv"


def test_the_outlier_rate_is_a_share_of_the_values_checked(files: Files) -> None:
    """Every row an outlier in two columns once read 2.0 (outliers over rows)."""
    body = "".join(f"{10 if i % 2 else 20},{10 if i % 2 else 20}\n" for i in range(40))
    wild = "a,b\n" + body + "500,500\n-500,-500\n"
    calm = "a,b\n" + body + "20,20\n10,10\n"
    result = _compare(files, ("wild.csv", wild), ("calm.csv", calm))
    outliers = next(m for m in result.measures if m.name == "outliers")
    assert outliers.values == {"wild.csv": round(4 / 84, 4), "calm.csv": 0.0}


def test_schema_differences_are_listed(files: Files) -> None:
    first = "id,amount,region\n1,2.5,n\n2,3.5,s\n"
    second = "id,amount,channel\n1,x,web\n2,y,shop\n"
    result = _compare(files, ("v1.csv", first), ("v2.csv", second))
    [difference] = result.schema_differences
    assert difference.file == "v2.csv"
    assert difference.added == ["channel"]
    assert difference.removed == ["region"]
    assert [(c.column, c.before, c.after) for c in difference.retyped] == [
        ("amount", "number", "text")
    ]
    assert "Columns differ from v1.csv in v2.csv." in result.summary


def test_three_files_two_tied_for_best(files: Files) -> None:
    full = "a,b\n1,2\n3,4\n"
    gappy = "a,b\n1,\n3,4\n"
    result = _compare(files, ("x.csv", full), ("y.csv", full), ("z.csv", gappy))
    completeness = next(m for m in result.measures if m.name == "completeness")
    assert completeness.best is None
    assert completeness.tied == ["x.csv", "y.csv"]
    assert "x.csv and y.csv tie for best" in completeness.verdict
    assert result.better is None


def test_each_file_says_how_it_was_read_and_what_did_not_fit(files: Files) -> None:
    """Like every realm result: `read_options` and `warnings`, here per compared file."""
    good = "n,t\n" + "".join(f"{i},t\n" for i in range(10))
    german = "n;t\n" + "".join(f"{i},5;t\n" for i in range(9)) + "oops;t\n"
    result = _compare(files, ("good.csv", good), ("german.csv", german))
    assert set(result.read_options) == set(result.warnings) == {"good.csv", "german.csv"}
    assert (result.read_options["good.csv"].delimiter, result.read_options["good.csv"].decimal) == (
        ",",
        ".",
    )
    assert (
        result.read_options["german.csv"].delimiter,
        result.read_options["german.csv"].decimal,
    ) == (";", ",")
    assert result.warnings["good.csv"] == []
    [warning] = result.warnings["german.csv"]
    assert (warning.kind, warning.column, warning.count, warning.examples) == (
        "not_number",
        "n",
        1,
        ["oops"],
    )
    assert result.summary.endswith(f" german.csv: 1 warning: {warning.message}.")
    assert "good.csv: " not in result.summary


def _rates(files: Files, name: str, content: str) -> dict[str, float]:
    return quality_of(read_polars(files.ctx, files.add(name, content).file_id)).rates


def test_text_in_columns_of_mostly_numbers_counts_against_validity(files: Files) -> None:
    """code: 2 numbers of 4 (the 50 % edge: its 2 texts are misfits); part: 3 of 4 (1
    misfit); t: no numbers. 3 misfits in 12 written values."""
    content = "code,part,t\n1,1,a\n2,2,b\nx,3,c\ny,z,d\n"
    rates = _rates(files, "mixed.csv", content)
    assert rates["validity"] == round(1 - 3 / 12, 4)


def test_a_text_column_of_numbers_only_has_no_misfits(files: Files) -> None:
    ref = files.add("codes.csv", "code,t\n1,a\n2,b\n")
    table = read_polars(files.ctx, ref.file_id)
    as_text = table.frame.with_columns(pl.col("code").cast(pl.String))
    assert quality_of(dataclasses.replace(table, frame=as_text)).rates["validity"] == 1.0


def test_variants_are_counted_in_every_text_column(files: Files) -> None:
    """a: North twice, "north " once (1 variant); b: Oslo, OSLO, Oslo (1 variant)."""
    content = "a,b\nNorth,Oslo\nNorth,OSLO\nnorth ,Oslo\n"
    assert _rates(files, "v.csv", content)["consistency"] == round(1 - 2 / 6, 4)


def test_the_outlier_rate_is_over_the_numeric_values_present(files: Files) -> None:
    values = ["", "", *(["10"] * 10), *(["20"] * 10), "500"]
    content = "a,t\n" + "".join(f"{v},x{i % 3}\n" for i, v in enumerate(values))
    assert _rates(files, "o.csv", content)["outliers"] == round(1 / 21, 4)


def test_a_table_cut_to_no_rows_has_perfect_rates_and_no_duplicates(files: Files) -> None:
    ref = files.add("cut.csv", "a,t\n1,x\n")
    table = read_polars(files.ctx, ref.file_id)
    rates = quality_of(dataclasses.replace(table, frame=table.frame.head(0))).rates
    assert rates == {
        "completeness": 1.0,
        "validity": 1.0,
        "duplicates": 0.0,
        "consistency": 1.0,
        "outliers": 0.0,
    }


def test_verdicts_name_every_files_rate_and_the_one_better_file(files: Files) -> None:
    full = "a,b\n1.5,2.5\n3.5,4.5\n5.5,6.5\n"
    dirty = "a,b\n1.5,2.5\n1.5,2.5\n,6.5\n"
    result = _compare(files, ("x.csv", full), ("z.csv", dirty))
    completeness = next(m for m in result.measures if m.name == "completeness")
    assert completeness.verdict == "completeness: x.csv 100.00%, z.csv 83.33%; x.csv is better."
    assert (completeness.best, completeness.tied) == ("x.csv", [])
    assert result.summary == (
        "x.csv is better overall: better on completeness, duplicates, no worse on the rest."
        " Same columns and types."
    )


def test_files_of_the_same_name_are_numbered_from_the_second(files: Files) -> None:
    content = "a,b\n1,2\n3,4\n"
    result = _compare(files, ("a.csv", content), ("a.csv", content), ("a.csv", content))
    assert result.files == ["a.csv", "a.csv (2)", "a.csv (3)"]
    assert [d.more for d in result.schema_differences] == [0, 0]


def test_schema_differences_past_50_of_a_kind_are_counted(files: Files) -> None:
    first = "a\n1\n2\n"
    wide = ",".join(["a", *(f"c{i}" for i in range(53))])
    row = ",".join(str(i) for i in range(54))
    result = _compare(files, ("one.csv", first), ("wide.csv", f"{wide}\n{row}\n{row}\n"))
    [difference] = result.schema_differences
    assert (len(difference.added), difference.more) == (50, 3)


def test_each_files_read_warnings_are_named_in_the_summary(files: Files) -> None:
    german = "n;t\n" + "".join(f"{i},5;t\n" for i in range(9)) + "oops;t\n"
    result = _compare(files, ("g1.csv", german), ("g2.csv", german))
    [one], [two] = result.warnings["g1.csv"], result.warnings["g2.csv"]
    assert result.summary.endswith(
        f" g1.csv: 1 warning: {one.message}. g2.csv: 1 warning: {two.message}."
    )


def test_without_a_better_file_the_summary_says_who_wins_what_and_the_ties(files: Files) -> None:
    """x has no gap but a repeated row; y a gap but no repeat: each wins one measure."""
    x = "a,b\n1.5,2.5\n1.5,2.5\n3.5,4.5\n"
    y = "a,b\n1.5,2.5\n,4.5\n5.5,6.5\n"
    result = _compare(files, ("x.csv", x), ("y.csv", y))
    assert result.better is None
    assert result.summary == (
        "No file is better on every measure: x.csv on completeness; y.csv on duplicates; "
        "tied on validity, consistency, outliers. Same columns and types."
    )


def test_the_summary_names_every_file_whose_columns_differ(files: Files) -> None:
    result = _compare(files, ("a.csv", "p,q\n1,2\n"), ("b.csv", "p,r\n1,2\n"), ("c.csv", "p\n1\n"))
    assert result.summary.endswith(" Columns differ from a.csv in b.csv, c.csv.")
