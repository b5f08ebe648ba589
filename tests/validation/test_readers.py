"""Bad input files give a DataError naming the file and where it is broken; good ones read."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import polars as pl
import pytest

from workbench.core.errors import DataError
from workbench.validation import Contract, infer_contract, read_dataset, scan_dataset, validate
from workbench.validation.readers import HEAD_BYTES, INFER_SCHEMA_ROWS

from .conftest import WriteFile


def read_error(path: Path) -> str:
    """The DataError message reading ``path`` raises (after checking it names the file)."""
    with pytest.raises(DataError) as info:
        read_dataset(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_reads_csv_with_timestamps_as_datetimes(transactions_csv: Path) -> None:
    frame = read_dataset(transactions_csv)
    assert frame.shape == (6, 6)
    assert isinstance(frame.schema["ts"], pl.Datetime)
    assert frame["amount"].null_count() == 1


def test_timestamps_and_dates_read_as_such_in_csv_and_ndjson(write_file: WriteFile) -> None:
    csv_path = write_file("d.csv", "t,d,z\n2026-01-01 10:00:00,2026-01-02,2026-01-01T10:00:00Z\n")
    json_path = write_file("d.jsonl", '{"t": "2026-01-01T10:00:00.5", "d": "2026-01-02"}\n')
    for path in (csv_path, json_path):
        schema = read_dataset(path).schema
        assert isinstance(schema["t"], pl.Datetime), path
        assert schema["d"] == pl.Date, path


def test_timestamp_that_does_not_fit_the_column_format_is_named_by_row(
    write_file: WriteFile,
) -> None:
    rows = "".join(f"{i},2026-01-01T10:00:{i % 60:02d}\n" for i in range(1500))
    path = write_file("ts.csv", "id,ts\n" + rows + "9,soon\n")
    message = read_error(path)
    assert "column 'ts' reads as datetime in its first rows, but data row 1501 holds 'soon'" in (
        message
    )


def test_scan_dataset_is_lazy_and_reads_the_same_rows(transactions_csv: Path) -> None:
    lf = scan_dataset(transactions_csv)
    assert isinstance(lf, pl.LazyFrame)
    assert lf.collect().equals(read_dataset(transactions_csv))


@pytest.mark.parametrize("name", ["t.csv.gz", "t.parquet", "t.ndjson", "t.jsonl", "t.json"])
def test_reads_every_supported_format(transactions_csv: Path, tmp_path: Path, name: str) -> None:
    frame = read_dataset(transactions_csv)
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(transactions_csv.read_bytes()))
    elif name.endswith(".parquet"):
        frame.write_parquet(path)
    elif name.endswith(".json"):
        frame.write_json(path)
    else:
        frame.write_ndjson(path)
    again = read_dataset(path)
    assert again.height == 6
    assert again["id"].to_list() == [1, 2, 3, 4, 5, 6]


def test_wrong_delimiter_is_named_with_the_likely_one(write_file: WriteFile) -> None:
    path = write_file("semi.csv", "a;b;c\n1;2;3\n")
    message = read_error(path)
    assert "line 1" in message
    assert "';'-separated" in message
    assert "separator=';'" in message


def test_row_with_too_many_fields_is_named_by_line(write_file: WriteFile) -> None:
    path = write_file("long.csv", "a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n")
    assert "line 3 (data row 2) has 4 fields; the header has 3" in read_error(path)


def test_row_with_too_few_fields_is_named_by_line(write_file: WriteFile) -> None:
    path = write_file("short.csv", "a,b,c\n1,2,3\n4,5\n8,9,10\n")
    assert "line 3 (data row 2) has 2 fields; the header has 3" in read_error(path)
    with pytest.raises(DataError, match=r"line 3 \(data row 2\) has 2 fields"):
        validate(path, _contract_for(path.parent / "ok.csv", "a,b,c\n1,2,3\n"))


def test_short_row_is_found_in_a_gzip_file(write_file: WriteFile) -> None:
    path = write_file("short.csv.gz", gzip.compress(b"a,b,c\n1,2,3\n4,5,\n6,7\n"))
    assert "line 4 (data row 3) has 2 fields; the header has 3" in read_error(path)


def test_short_row_is_found_in_a_file_with_quoted_separators(write_file: WriteFile) -> None:
    path = write_file("quoted.csv", 'a,b,c\n1,"x,y",3\n4,"5,6"\n7,8,\n')
    assert "line 3 (data row 2) has 2 fields" in read_error(path)


def test_empty_last_fields_are_not_mistaken_for_short_rows(write_file: WriteFile) -> None:
    path = write_file("trailing.csv", 'a,b,c\n1,2,3\n4,5,\n6,"7,8",\n')
    frame = read_dataset(path)
    assert frame["c"].to_list() == [3, None, None]


def test_blank_line_is_refused_by_line(write_file: WriteFile) -> None:
    path = write_file("blank.csv", "a,b\n1,2\n\n3,4\n")
    assert "line 3 (data row 2) is blank" in read_error(path)


def test_value_of_another_type_after_the_inference_window_is_named_by_row(
    write_file: WriteFile,
) -> None:
    rows = "".join(f"{i},{i}\n" for i in range(INFER_SCHEMA_ROWS + 5))
    path = write_file("late.csv", "a,b\n" + rows + "7,abc\n")
    message = read_error(path)
    assert (
        f"column 'b' reads as int in its first rows, but data row {INFER_SCHEMA_ROWS + 6}"
        in message
    )
    assert "'abc'" in message


def test_non_utf8_byte_is_named_by_offset_and_line(write_file: WriteFile) -> None:
    path = write_file("latin1.csv", b"a,b\n1,x\n2,caf\xe9\n")
    message = read_error(path)
    assert "byte 0xE9 at byte offset 13 (line 3, position 6) is not valid UTF-8" in message


def test_non_utf8_byte_in_the_header_is_not_decoded_lossily(write_file: WriteFile) -> None:
    path = write_file("hdr.csv", b"a,caf\xe9\n1,2\n")
    assert "byte 0xE9 at byte offset 5 (line 1, position 6)" in read_error(path)


def test_non_utf8_byte_beyond_the_first_megabyte_is_located(write_file: WriteFile) -> None:
    body = b"".join(b"%d,xxxxxxxxxxxxxxxxxxxx\n" % i for i in range(60_000))
    assert len(body) > HEAD_BYTES
    path = write_file("deep.csv", b"a,b\n" + body + b"1,\xff\xfe\n")
    offset = 4 + len(body) + 2
    assert f"byte 0xFF at byte offset {offset} (line 60002, position 3)" in read_error(path)


def test_non_utf8_byte_in_a_gzip_file_is_located_in_the_decompressed_text(
    write_file: WriteFile,
) -> None:
    path = write_file("z.csv.gz", gzip.compress(b"a,b\n1,2\n3,\xff\n"))
    assert "byte 0xFF at decompressed byte offset 10 (line 3, position 3)" in read_error(path)


def test_duplicate_column_names_are_refused_before_polars_renames_them(
    write_file: WriteFile,
) -> None:
    path = write_file("dup.csv", "a,b,a\n1,2,3\n")
    assert "column name 'a' appears twice (columns 1 and 3)" in read_error(path)


def test_unnamed_column_is_refused(write_file: WriteFile) -> None:
    path = write_file("noname.csv", "a,,c\n1,2,3\n")
    assert "column 2 has no name" in read_error(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty (0 bytes)"),
        (b"\n\n", "only blank lines"),
        (b"a,b\n", "has a header (2 columns) but no data rows"),
        (b"a,b\n\n\n", "has a header (2 columns) but no data rows"),
    ],
)
def test_empty_and_header_only_files_are_refused(
    write_file: WriteFile, content: bytes, expected: str
) -> None:
    assert expected in read_error(write_file("e.csv", content))


def test_header_only_parquet_fails_validation(tmp_path: Path, transactions_csv: Path) -> None:
    path = tmp_path / "empty.parquet"
    read_dataset(transactions_csv).head(0).write_parquet(path)
    contract = _contract_for(transactions_csv)
    with pytest.raises(DataError, match=re.escape(f"{path}: there are no data rows")):
        validate(path, contract)


def test_unterminated_quote_is_named_by_the_line_it_opens_on(write_file: WriteFile) -> None:
    path = write_file("quote.csv", 'a,b\n1,x\n2,"hello\n3,z\n')
    message = read_error(path)
    assert "line 3 (data row 2)" in message
    assert "must close it" in message


def test_quote_inside_an_unquoted_field_is_named_by_position(write_file: WriteFile) -> None:
    path = write_file("stray.csv", 'a,b\n1,x\n2,y"z\n')
    assert 'line 3, position 4: a quote (") inside an unquoted field' in read_error(path)


def test_ndjson_line_that_is_not_json_is_named(write_file: WriteFile) -> None:
    path = write_file("bad.ndjson", '{"a": 1}\n{"a": \n{"a": 3}\n')
    assert "line 2, position 6 is not valid JSON" in read_error(path)


def test_ndjson_value_of_another_type_is_named_by_line(write_file: WriteFile) -> None:
    lines = "".join(f'{{"a": {i}}}\n' for i in range(INFER_SCHEMA_ROWS + 1))
    path = write_file("mixed.jsonl", lines + '{"a": "x"}\n')
    message = read_error(path)
    assert f"line {INFER_SCHEMA_ROWS + 2}: key 'a' holds 'x' (string)" in message


def test_ndjson_repeated_key_is_refused(write_file: WriteFile) -> None:
    path = write_file("dup.jsonl", '{"a": 1, "a": 2}\n')
    assert "key 'a' appears twice" in read_error(path)


def test_ndjson_non_utf8_byte_is_located(write_file: WriteFile) -> None:
    path = write_file("l1.jsonl", b'{"a": "x"}\n{"a": "caf\xe9"}\n')
    assert "byte 0xE9 at byte offset 21 (line 2, position 11)" in read_error(path)


def test_file_that_is_not_parquet_is_refused(write_file: WriteFile) -> None:
    path = write_file("fake.parquet", b"id,amount\n1,2\n")
    assert "not a Parquet file" in read_error(path)


def test_unknown_suffix_lists_the_supported_ones(write_file: WriteFile) -> None:
    path = write_file("data.xlsx", b"PK")
    message = read_error(path)
    assert ".csv" in message
    assert ".parquet" in message


def test_missing_file_is_named(tmp_path: Path) -> None:
    assert "no such file" in read_error(tmp_path / "nope.csv")


def _contract_for(path: Path, content: str | None = None) -> Contract:
    """A contract inferred from a good file (written first if ``content`` is given)."""
    if content is not None:
        path.write_text(content)
    return infer_contract(read_dataset(path))


def test_a_bare_carriage_return_in_the_header_is_a_data_error_naming_line_1(
    tmp_path: Path,
) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"a,b\r\x00,c\n1,2,3\n")  # found by the parser fuzzer
    with pytest.raises(DataError, match=r"odd.csv: line 1 \(the header\) cannot be read as CSV"):
        scan_dataset(path)
