"""Fuzzing the two doors bad input comes through: data files and scoring requests.

Property: whatever the bytes, ingest either accepts the file or quarantines it with a
reason (never a crash, never a lost file), and the request parser either returns a
frame or a 4xx RequestError (never another exception).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import init_workspace
from workbench.engine.engine import Engine
from workbench.serving.errors import RequestError
from workbench.serving.payloads import parse_payload

HEADER = b"amount,channel,label\n"
CELLS = st.sampled_from([b"1", b"-2.5", b"", b"nan", b"inf", b"x", b'"q', b"\xff", b"1e309"])
ROWS = st.lists(
    st.lists(CELLS, min_size=1, max_size=4).map(b",".join),
    max_size=30,
).map(b"\n".join)
FILES = st.one_of(
    st.binary(max_size=2000),
    ROWS.map(lambda body: HEADER + body),
    st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as tmp:
        config = with_overrides(WorkbenchConfig(), "train", candidates=["logistic_regression"])
        ws = init_workspace(Path(tmp) / "ws", target="label", config=config)
        with Engine(ws) as owner:
            yield owner


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=FILES, suffix=st.sampled_from([".csv", ".ndjson", ".parquet", ".csv.gz"]))
def test_any_bytes_are_accepted_or_quarantined_with_a_reason(
    engine: Engine, data: bytes, suffix: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        outcome = engine.ingest(path, move=True)
        assert outcome.status in ("accepted", "quarantined", "duplicate")
        if outcome.status == "quarantined":
            assert outcome.message.strip()
            assert outcome.dataset is not None
            assert (engine.workspace.root / outcome.dataset.path).exists(), "nothing is lost"
        assert not path.exists(), "the file was filed away, never left half-handled"


JSON_BODIES = st.one_of(
    st.binary(max_size=300),
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=20,
    ).map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries(
        {
            "dataframe_split": st.fixed_dictionaries(
                {
                    "columns": st.lists(st.text(max_size=5), max_size=3),
                    "data": st.lists(
                        st.lists(st.integers() | st.text(max_size=3), max_size=3), max_size=3
                    ),
                }
            )
        }
    ).map(lambda value: json.dumps(value).encode()),
)


@settings(max_examples=300, deadline=None)
@given(body=JSON_BODIES, kind=st.sampled_from(["json", "csv"]))
def test_the_request_parser_returns_a_frame_or_a_4xx(body: bytes, kind: str) -> None:
    try:
        parse_payload(body, kind)
    except RequestError as exc:
        assert 400 <= exc.status < 500
        assert exc.message
