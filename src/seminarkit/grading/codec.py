"""Plain-JSON values between the submission's process and the grader.

:func:`encode` runs in the student process and turns answer values into JSON-able data:
numbers, strings, lists, dicts and a few tagged kinds (tuples, sets, non-finite floats,
numpy arrays, pandas frames and series). Anything else becomes an *opaque* marker, so an
object with a rigged ``__eq__`` never reaches the grader. :func:`decode` runs in the grader
and rebuilds plain Python (and pandas/numpy) values from data only: nothing is unpickled and
no student code runs there.
"""

from __future__ import annotations

import math
import sys
from typing import Any

KIND = "__kind__"
MAX_ITEMS = 1_000_000


class TooLarge(ValueError):
    """The value has more items than the grader accepts."""


class Opaque:
    """Stands in for a value that could not be reported as plain data."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<unreportable {self.type_name} object>"


def _float(value: float) -> Any:
    if math.isfinite(value):
        return value
    return {KIND: "float", "value": repr(value)}


def encode(value: Any, _count: list[int] | None = None) -> Any:
    """Turn ``value`` into JSON-able data (student side); never calls overridden dunders."""
    count = _count if _count is not None else [0]
    count[0] += 1
    if count[0] > MAX_ITEMS:
        raise TooLarge(f"more than {MAX_ITEMS} items")
    if value is None or value is True or value is False:
        return value
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return _float(float.__float__(value))
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        if isinstance(value, list):
            return [encode(v, count) for v in list.__iter__(value)]
        if isinstance(value, tuple):
            return {KIND: "tuple", "items": [encode(v, count) for v in tuple.__iter__(value)]}
        items = [encode(v, count) for v in frozenset(value)]
        return {KIND: "set", "items": items}
    if isinstance(value, dict):
        pairs = [(encode(k, count), encode(v, count)) for k, v in dict.items(value)]
        if all(isinstance(k, str) and k != KIND for k, _ in pairs):
            return dict(pairs)
        return {KIND: "dict", "items": [list(p) for p in pairs]}
    return _encode_library(value, count)


def _encode_library(value: Any, count: list[int]) -> Any:
    np = sys.modules.get("numpy")
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(value, pd.DataFrame):
        return {KIND: "dataframe", "columns": [encode(c, count) for c in value.columns],
                "index": [encode(i, count) for i in value.index],
                "data": [encode(row, count) for row in value.to_numpy().tolist()]}
    if pd is not None and isinstance(value, pd.Series):
        return {KIND: "series", "name": encode(value.name, count),
                "index": [encode(i, count) for i in value.index],
                "data": encode(value.tolist(), count)}
    if pd is not None and isinstance(value, pd.Timestamp):
        return {KIND: "timestamp", "value": value.isoformat()}
    if np is not None and isinstance(value, np.ndarray):
        return {KIND: "ndarray", "data": encode(value.tolist(), count)}
    if np is not None and isinstance(value, np.generic):
        return encode(value.item(), count)
    import datetime as dt

    if isinstance(value, (dt.date, dt.datetime)):
        return {KIND: "date", "value": value.isoformat()}
    return {KIND: "opaque", "type": type(value).__name__}


def decode(data: Any) -> Any:
    """Rebuild a value from :func:`encode`'s output (grader side)."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    kind = data.get(KIND)
    if kind is None:
        return {k: decode(v) for k, v in data.items()}
    if kind == "float":
        return float(data["value"])
    if kind == "tuple":
        return tuple(decode(v) for v in data["items"])
    if kind == "set":
        items = [decode(v) for v in data["items"]]
        try:
            return set(items)
        except TypeError:
            return Opaque("set")
    if kind == "dict":
        try:
            return {_hashable(decode(k)): decode(v) for k, v in data["items"]}
        except TypeError:
            return Opaque("dict")
    if kind in ("dataframe", "series"):
        import pandas as pd

        index = [_hashable(decode(i)) for i in data["index"]]
        if kind == "series":
            return pd.Series(decode(data["data"]), index=index, name=decode(data["name"]),
                             dtype=None if data["data"] else object)
        return pd.DataFrame(decode(data["data"]), index=index,
                            columns=[_hashable(decode(c)) for c in data["columns"]])
    if kind == "ndarray":
        import numpy as np

        return np.array(decode(data["data"]))
    if kind == "timestamp":
        import pandas as pd

        return pd.Timestamp(data["value"])
    if kind == "date":
        import datetime as dt

        text = str(data["value"])
        return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
    return Opaque(str(data.get("type", kind)))


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value
