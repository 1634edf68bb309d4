"""Real datasets that PyPI packages ship, as the files a user would upload.

Read from the installed packages (scikit-learn's bundled CSVs, vega_datasets' local
files, statsmodels.datasets); nothing is downloaded.
"""

from collections.abc import Callable
from importlib import resources

import pandas as pd
import statsmodels.api as sm
from sklearn import datasets as sk


def _vega(name: str) -> bytes:
    return (resources.files("vega_datasets") / "_data" / name).read_bytes()


def _sklearn(load: Callable[..., object]) -> bytes:
    frame = load(as_frame=True).frame  # type: ignore[attr-defined]
    return str(frame.to_csv(index=False)).encode()


def _co2() -> bytes:
    frame = sm.datasets.co2.load_pandas().data
    return str(frame.rename_axis("date").to_csv()).encode()


def _fertility() -> bytes:
    return str(sm.datasets.fertility.load_pandas().data.to_csv(index=False)).encode()


def with_index(content: bytes) -> bytes:
    """The file as `DataFrame.to_csv()` writes it by default: the index first, unnamed."""
    from io import BytesIO

    return str(pd.read_csv(BytesIO(content)).to_csv()).encode()


DATASETS: dict[str, Callable[[], bytes]] = {
    "iris.csv": lambda: _sklearn(sk.load_iris),
    "wine.csv": lambda: _sklearn(sk.load_wine),
    "breast_cancer.csv": lambda: _sklearn(sk.load_breast_cancer),
    "cars.json": lambda: _vega("cars.json"),
    "seattle-weather.csv": lambda: _vega("seattle-weather.csv"),
    "iowa-electricity.csv": lambda: _vega("iowa-electricity.csv"),
    "us-employment.csv": lambda: _vega("us-employment.csv"),
    "co2.csv": _co2,
    "fertility.csv": _fertility,
}
