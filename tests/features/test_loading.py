"""features.py is checked before use: each bad view is named with its line."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from workbench.core.errors import FeatureError
from workbench.features import check_view, load_feature_set

from .history import VIEWS

SCHEMA = pl.Schema({"customer_id": pl.String, "timestamp": pl.Datetime("us"), "amount": pl.Float64})


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "features.py"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_views_are_loaded_sources_first_and_checked(tmp_path: Path) -> None:
    features = load_feature_set(_write(tmp_path, VIEWS.format(ttl="30d")))

    assert [v.name for v in features.views] == ["activity", "busy"]
    assert check_view(features.view("activity"), SCHEMA, label="label").features == (
        "n_tx_24h",
        "mean_2d",
    )
    assert features.downstream({"activity"}) == {"activity", "busy"}


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    text = VIEWS.format(ttl="30d").replace("one = pl.col", "one = = pl.col")

    with pytest.raises(FeatureError, match=rf"features.py, line {_line_of(text, 'one = =')}"):
        load_feature_set(_write(tmp_path, text))


def test_a_view_reading_the_label_is_named_with_its_line(tmp_path: Path) -> None:
    text = VIEWS.format(ttl="30d").replace(
        '"timestamp",\n        one.',
        '"timestamp",\n        pl.col("label").alias("peek"),\n        one.',
    )
    view = load_feature_set(_write(tmp_path, text)).view("activity")

    with pytest.raises(FeatureError) as raised:
        check_view(view, SCHEMA, label="label")  # the schema never holds the label
    message = str(raised.value)
    assert "view 'activity'" in message and "reads the label column 'label'" in message
    assert f"features.py, line {_line_of(text, '@feature_view')}" in message  # the view
    assert f"at line {_line_of(text, 'return rows.select')}" in message  # the statement


def test_an_unknown_column_and_a_missing_key_are_named(tmp_path: Path) -> None:
    unknown = VIEWS.format(ttl="30d").replace('pl.col("amount")', 'pl.col("amont")')
    view = load_feature_set(_write(tmp_path, unknown)).view("activity")
    with pytest.raises(FeatureError, match=r"view 'activity'.*unknown column 'amont'"):
        check_view(view, SCHEMA)

    keyless = VIEWS.format(ttl="30d").replace(
        'rows.select(\n        "customer_id",', "rows.select("
    )
    view = load_feature_set(_write(tmp_path, keyless)).view("activity")
    with pytest.raises(FeatureError, match="returns no entity key column 'customer_id'"):
        check_view(view, SCHEMA)


def test_editing_one_view_changes_its_hash_and_its_readers_only(tmp_path: Path) -> None:
    before = load_feature_set(_write(tmp_path, VIEWS.format(ttl="30d"))).hashes
    edited = VIEWS.format(ttl="30d").replace('"busy"', '"busy_customer"')
    after = load_feature_set(_write(tmp_path, edited)).hashes
    upstream = VIEWS.format(ttl="30d").replace('"2d").over', '"3d").over')
    again = load_feature_set(_write(tmp_path, upstream)).hashes

    assert after["activity"] == before["activity"] and after["busy"] != before["busy"]
    assert again["activity"] != before["activity"] and again["busy"] != before["busy"]


def test_a_view_reading_an_unknown_source_is_refused(tmp_path: Path) -> None:
    text = VIEWS.format(ttl="30d").replace("source=activity", 'source="nowhere"')

    with pytest.raises(FeatureError, match=r"view 'busy'.*reads from 'nowhere'"):
        load_feature_set(_write(tmp_path, text))
