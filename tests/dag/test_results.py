"""The result format of the persistent task cache: exact round trips, no pickle, refusals."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import zipfile
from dataclasses import dataclass

import numpy as np
import polars as pl
import pytest
import skops.io as sio
from polars.testing import assert_frame_equal
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import FunctionTransformer

from workbench.dag.cache import fingerprint
from workbench.dag.results import (
    NotStorable,
    UnreadableResult,
    decode_result,
    encode_result,
    result_type,
)


@result_type
@dataclass(frozen=True)
class Fitted:
    name: str
    frame: pl.DataFrame
    weights: np.ndarray
    extra: dict[str, float]


@dataclass(frozen=True)
class Unregistered:
    value: int


def test_plain_data_round_trips_exactly_with_types_kept() -> None:
    value = {
        "int": 2**70,
        "float": 0.1,
        "nan": math.nan,
        "inf": -math.inf,
        "none": None,
        "bool": True,
        "bytes": b"\x00\xff",
        "tuple": (1, "a"),
        "list": [1, [2, 3]],
        7: "int key",
        ("a", 1): "tuple key",
    }
    back = decode_result(encode_result(value))
    assert back.keys() == value.keys()
    assert back["int"] == 2**70 and back["float"] == 0.1 and math.isnan(back["nan"])
    assert back["inf"] == -math.inf and back["tuple"] == (1, "a") and back["list"] == [1, [2, 3]]
    assert back["bytes"] == b"\x00\xff" and back[("a", 1)] == "tuple key"


def test_frames_arrays_estimators_and_registered_dataclasses_round_trip() -> None:
    frame = pl.DataFrame({"x": [1.0, None, 3.0], "c": ["a", "b", None]})
    fitted = Fitted("m", frame, np.arange(6, dtype=np.float32).reshape(2, 3), {"auc": 0.9})
    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    back = decode_result(encode_result((fitted, frame["c"], np.int64(5), model)))
    got, series, scalar, estimator = back
    assert isinstance(got, Fitted) and got.name == "m" and got.extra == {"auc": 0.9}
    assert_frame_equal(got.frame, frame)
    assert got.weights.dtype == np.float32 and got.weights.tolist() == fitted.weights.tolist()
    assert series.to_list() == ["a", "b", None] and series.name == "c"
    assert scalar == 5 and isinstance(scalar, np.int64)
    assert estimator.predict([[0.5], [2.5]]).tolist() == model.predict([[0.5], [2.5]]).tolist()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (lambda: 1, "result is a builtins.function"),
        ({"a": [object()]}, "result['a'][0] is a builtins.object"),
        (np.array([{"a": 1}], dtype=object), "numpy array of Python objects"),
        (Unregistered(1), "not registered with result_type"),
    ],
)
def test_a_value_without_a_safe_format_is_refused_naming_where_it_sits(
    value: object, words: str
) -> None:
    with pytest.raises(NotStorable, match=words.replace("[", r"\[").replace("(", r"\(")):
        encode_result(value)


def test_a_pickle_is_never_read() -> None:
    with pytest.raises(UnreadableResult):
        decode_result(pickle.dumps({"a": 1}))


def _archive(tree: object, parts: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("result.json", json.dumps({"format": "workbench-result/1", "value": tree}))
        for name, data in (parts or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_file_naming_a_type_that_is_not_registered_is_refused_not_imported() -> None:
    tree = {"k": "record", "t": "os.system", "v": {"command": {"k": "json", "v": "true"}}}
    with pytest.raises(UnreadableResult, match=r"os\.system is not registered"):
        decode_result(_archive(tree))


def test_a_model_part_with_an_untrusted_type_is_refused() -> None:
    model = FunctionTransformer(func=os.system)  # would call os.system on transform
    data = _archive({"k": "estimator", "p": "m.skops"}, {"m.skops": sio.dumps(model)})
    with pytest.raises(UnreadableResult, match=r"untrusted types: posix\.system"):
        decode_result(data)


def test_a_npy_part_holding_a_pickle_is_refused() -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    data = _archive({"k": "ndarray", "p": "a.npy"}, {"a.npy": buffer.getvalue()})
    with pytest.raises(UnreadableResult, match="pickle"):
        decode_result(data)


def test_dataclass_fingerprints_see_every_row_not_just_the_repr() -> None:
    rows = list(range(1000))
    changed = [*rows[:500], -1, *rows[501:]]  # a middle row: not shown by a frame's repr
    one = Fitted("m", pl.DataFrame({"x": rows}), np.zeros(1), {})
    two = Fitted("m", pl.DataFrame({"x": changed}), np.zeros(1), {})
    assert repr(one) == repr(two)
    assert fingerprint(one) != fingerprint(two)
    assert fingerprint(one) == fingerprint(Fitted("m", pl.DataFrame({"x": rows}), np.zeros(1), {}))


def test_a_model_with_an_untrusted_type_is_not_storable() -> None:
    with pytest.raises(NotStorable, match=r"result\['model'\]: .*posix\.system"):
        encode_result({"model": FunctionTransformer(func=os.system)})
