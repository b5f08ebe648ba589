"""Request bodies in each MLflow format parse to the same frame; bad bodies are refused."""

from __future__ import annotations

import json

import polars as pl
import pytest

from workbench.serving.errors import RequestError
from workbench.serving.payloads import parse_payload, payload_kind

ROWS = [
    {"amount": 12.5, "age": 31, "channel": "web"},
    {"amount": 80.0, "age": 45, "channel": "store"},
]
EXPECTED = pl.DataFrame(
    {"amount": [12.5, 80.0], "age": [31, 45], "channel": ["web", "store"]},
)
SECRET = "s3cret-value-991"


def as_json(document: object) -> bytes:
    return json.dumps(document).encode()


def refused(body: bytes, kind: str = "json") -> RequestError:
    with pytest.raises(RequestError) as caught:
        parse_payload(body, kind)
    return caught.value


@pytest.mark.parametrize(
    "document",
    [
        {
            "dataframe_split": {
                "columns": ["amount", "age", "channel"],
                "data": [[12.5, 31, "web"], [80.0, 45, "store"]],
            }
        },
        {"dataframe_records": ROWS},
        {"instances": ROWS},
        {"inputs": ROWS},
        {"inputs": {"amount": [12.5, 80.0], "age": [31, 45], "channel": ["web", "store"]}},
        {"instances": {"amount": [12.5, 80.0], "age": [31, 45], "channel": ["web", "store"]}},
    ],
    ids=["split", "records", "instances", "inputs-records", "inputs-columns", "instances-columns"],
)
def test_every_json_format_parses_to_the_same_frame(document: dict) -> None:
    assert parse_payload(as_json(document), "json").equals(EXPECTED)


def test_csv_parses_to_string_columns_with_empty_cells_as_nulls() -> None:
    frame = parse_payload(b"amount,age,channel\r\n12.5,31,web\r\n80.0,,store\r\n", "csv")
    assert frame.columns == ["amount", "age", "channel"]
    assert frame.to_dicts()[1] == {"amount": "80.0", "age": None, "channel": "store"}


def test_single_record_of_scalars_under_inputs_is_one_row() -> None:
    frame = parse_payload(as_json({"inputs": {"amount": 1.0, "age": 2}}), "json")
    assert frame.to_dicts() == [{"amount": 1.0, "age": 2}]


def test_a_column_mixing_numbers_and_strings_becomes_strings_for_conform_to_judge() -> None:
    frame = parse_payload(as_json({"dataframe_records": [{"age": 3}, {"age": "x"}]}), "json")
    assert frame["age"].to_list() == ["3", "x"]


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("application/json", "json"),
        ("application/json; charset=utf-8", "json"),
        ("application/json; format=pandas-split", "json"),
        ("TEXT/CSV", "csv"),
    ],
)
def test_content_types_are_matched_on_the_media_type(content_type: str, kind: str) -> None:
    assert payload_kind(content_type) == kind


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/xml", ""])
def test_other_content_types_are_refused_with_415(content_type: str | None) -> None:
    with pytest.raises(RequestError) as caught:
        payload_kind(content_type)
    assert caught.value.status == 415


def test_malformed_json_is_refused_without_echoing_the_body() -> None:
    error = refused(b'{"dataframe_records": [{"age": "' + SECRET.encode() + b'"')
    assert (error.status, error.error_code) == (400, "MALFORMED_REQUEST")
    assert SECRET not in error.message


def test_unknown_top_level_key_is_refused_naming_the_accepted_keys() -> None:
    error = refused(as_json({"rows": ROWS}))
    assert error.status == 400
    assert "'rows'" in error.message
    for key in ("dataframe_split", "dataframe_records", "instances", "inputs"):
        assert key in error.message


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        as_json({"dataframe_records": []}),
        as_json({"inputs": {"age": []}}),
        as_json({"dataframe_split": {"columns": ["age"], "data": []}}),
    ],
    ids=["empty", "blank", "no-records", "empty-columns", "no-split-rows"],
)
def test_a_body_without_rows_is_refused_as_empty_input(body: bytes) -> None:
    error = refused(body)
    assert (error.status, error.error_code) == (400, "EMPTY_INPUT")


def test_csv_with_only_a_header_is_empty_input() -> None:
    assert refused(b"amount,age\n", "csv").error_code == "EMPTY_INPUT"


@pytest.mark.parametrize(
    ("document", "needle"),
    [
        ({"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2], [SECRET]]}}, "row 2"),
        ({"dataframe_split": {"columns": ["a", "a"], "data": [[1, 2]]}}, "'a'"),
        ({"dataframe_split": {"data": [[SECRET]]}}, "'columns'"),
        ({"dataframe_records": [{"a": 1}, SECRET]}, "item 2"),
        ({"instances": [[1, 2], [SECRET, 4]]}, "named columns"),
        ({"inputs": {"a": [1, 2], "b": [SECRET]}}, "differ in length"),
        ({"dataframe_records": [{"a": {"nested": SECRET}}]}, "column 'a' row 1"),
        ({"dataframe_records": ROWS, "inputs": ROWS}, "exactly one"),
        ([SECRET], "must be an object"),
    ],
    ids=[
        "ragged-split",
        "duplicate-column",
        "split-without-columns",
        "record-not-object",
        "tensor-instances",
        "uneven-columns",
        "nested-cell",
        "two-formats",
        "top-level-list",
    ],
)
def test_misshapen_json_is_refused_naming_where_without_the_values(
    document: object, needle: str
) -> None:
    error = refused(as_json(document))
    assert (error.status, error.error_code) == (400, "MALFORMED_REQUEST")
    assert needle in error.message
    assert SECRET not in error.message


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"a,b\n1,2\n3,4,5\n", "row 2"),
        (b"a,a\n1,2\n", "'a'"),
        (b"a,\n1,2\n", "blank"),
        (b"a,b\n\xff\xfe,2\n", "UTF-8"),
    ],
    ids=["ragged", "duplicate", "blank-name", "not-utf8"],
)
def test_malformed_csv_is_refused_naming_the_problem(body: bytes, needle: str) -> None:
    error = refused(body, "csv")
    assert (error.status, error.error_code) == (400, "MALFORMED_REQUEST")
    assert needle in error.message
