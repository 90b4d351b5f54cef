"""Readers: every file type, locations, and whole-file errors."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lathe.datasets import jsonl_blocks as blocks_module
from lathe.datasets import readers
from lathe.datasets.jsonl_blocks import JsonlBlock, jsonl_blocks
from lathe.datasets.readers import RawRecord, read_records
from lathe.errors import InvalidInput
from tests.backend.datasets.conftest import WriteFile, jsonl, located


def test_jsonl_lines_skip_blank_lines_and_keep_line_numbers(write_file: WriteFile) -> None:
    path = write_file("d.jsonl", '{"text": "a"}\n\n{"text": "b"}\n')
    assert list(read_records(path)) == [
        RawRecord(1, 1, {"text": "a"}),
        RawRecord(2, 3, {"text": "b"}),
    ]


def test_jsonl_line_that_is_not_json_is_a_record_error(write_file: WriteFile) -> None:
    path = write_file("d.jsonl", '{"text": "a"}\nnot json\n')
    bad = list(read_records(path))[1]
    assert bad.value is None
    assert bad.line == 2
    assert bad.error is not None and bad.error.startswith("line 2: invalid JSON at column 1")


def test_jsonl_non_utf8_bytes_are_reported_with_line(write_file: WriteFile) -> None:
    path = write_file("d.jsonl", b'{"text": "a"}\n{"text": "\xff"}\n')
    bad = list(read_records(path))[1]
    assert bad.error == "line 2: not valid UTF-8 (byte 0xff at column 11)"


def test_json_array_items_carry_their_start_line(write_file: WriteFile) -> None:
    content = '[\n  {"text": "a"},\n  {\n    "text": "b"\n  },\n  "x"\n]\n'
    records = list(read_records(write_file("d.json", content)))
    assert [(r.record, r.line, r.value) for r in records] == [
        (1, 2, {"text": "a"}),
        (2, 3, {"text": "b"}),
        (3, 6, "x"),
    ]


def test_json_object_holding_the_array_in_a_field(write_file: WriteFile) -> None:
    content = json.dumps({"version": 1, "data": [{"text": "a"}, {"text": "b"}]})
    values = [r.value for r in read_records(write_file("d.json", content))]
    assert values == [{"text": "a"}, {"text": "b"}]


def test_json_single_record_with_messages_is_not_taken_as_the_list(
    write_file: WriteFile,
) -> None:
    content = json.dumps({"messages": [{"role": "user", "content": "x"}]})
    with pytest.raises(InvalidInput, match="no array of records"):
        list(read_records(write_file("d.json", content)))


def test_json_file_that_is_json_lines_is_read_as_jsonl(write_file: WriteFile) -> None:
    path = write_file("d.json", jsonl({"text": "a"}, {"text": "b"}))
    assert [r.value for r in read_records(path)] == [{"text": "a"}, {"text": "b"}]


def test_json_scalar_top_level_is_refused(write_file: WriteFile) -> None:
    with pytest.raises(InvalidInput, match="line 1: top-level JSON value is a number"):
        list(read_records(write_file("d.json", "42")))


def test_json_non_utf8_stops_with_its_line(write_file: WriteFile) -> None:
    path = write_file("d.json", b'[\n{"text": "a"},\n{"text": "\xff"}\n]')
    with pytest.raises(InvalidInput, match="line 3: invalid JSON \\(not valid UTF-8\\)") as exc:
        list(read_records(path))
    assert exc.value.details[0]["line"] == 3


def test_csv_rows_quoted_newlines_and_tsv(write_file: WriteFile) -> None:
    path = write_file("d.csv", 'text,other\n"two\nlines",1\nb,2\n')
    assert [(r.record, r.line, r.value) for r in read_records(path)] == [
        (1, 2, {"text": "two\nlines", "other": "1"}),
        (2, 4, {"text": "b", "other": "2"}),
    ]
    tsv = write_file("d.tsv", "text\tother\na\t1\n")
    assert [r.value for r in read_records(tsv)] == [{"text": "a", "other": "1"}]


def test_csv_non_utf8_row_and_bad_header(write_file: WriteFile) -> None:
    path = write_file("d.csv", b"text\nok\nbad \xe9\n")
    records = list(read_records(path))
    assert records[0].value == {"text": "ok"}
    assert records[1].error == "line 3: not valid UTF-8 (byte 0xe9 at column 5)"
    with pytest.raises(InvalidInput, match="repeated column names"):
        list(read_records(write_file("h.csv", "a,a\n1,2\n")))


def test_parquet_is_read_in_batches_with_row_numbers(write_file: WriteFile) -> None:
    path = write_file("d.parquet", b"")
    table = pa.table({"text": [f"t{i}" for i in range(2500)]})
    pq.write_table(table, path, row_group_size=1000)
    records = list(read_records(path))
    assert len(records) == 2500
    assert records[-1] == RawRecord(2500, None, {"text": "t2499"})


def test_parquet_that_is_not_parquet_is_refused(write_file: WriteFile) -> None:
    with pytest.raises(InvalidInput, match="not a Parquet file"):
        list(read_records(write_file("d.parquet", "text\nhello\n")))
    with pytest.raises(InvalidInput, match="cannot read Parquet"):
        list(read_records(write_file("e.parquet", b"PAR1" + b"\x01" * 20)))


def test_txt_blocks_are_separated_by_blank_lines(write_file: WriteFile) -> None:
    path = write_file("d.txt", "first line\nsecond line\n\n\nnext block\n  \nlast")
    assert [(r.line, r.value) for r in read_records(path)] == [
        (1, {"text": "first line\nsecond line"}),
        (5, {"text": "next block"}),
        (7, {"text": "last"}),
    ]


def test_txt_non_utf8_block_is_a_record_error(write_file: WriteFile) -> None:
    path = write_file("d.txt", b"ok\n\nfine\nbad \xc3\n\nafter\n")
    records = list(read_records(path))
    assert records[1].error == "line 4: not valid UTF-8 (byte 0xc3 at column 5)"
    assert records[1].line == 3
    assert records[2].value == {"text": "after"}


@pytest.mark.parametrize("name", ["d.jsonl", "d.json", "d.csv", "d.txt", "d.parquet"])
def test_empty_files_are_refused(write_file: WriteFile, name: str) -> None:
    with pytest.raises(InvalidInput, match=r"^file: is empty") as exc:
        list(read_records(write_file(name, "\n  \n")))
    assert located(exc.value.details) == {"field": "file", "reason": "empty"}


@pytest.mark.parametrize("name", ["d.jsonl", "d.json", "d.csv", "d.txt"])
def test_binary_garbage_is_refused(write_file: WriteFile, name: str) -> None:
    garbage = bytes(range(256)) * 4
    with pytest.raises(InvalidInput, match="looks like binary data") as exc:
        list(read_records(write_file(name, garbage)))
    assert exc.value.details[0]["reason"] == "binary"


def test_unsupported_extension_is_refused(write_file: WriteFile) -> None:
    with pytest.raises(InvalidInput, match=r"^file: 'd\.xlsx' has an unsupported extension"):
        list(read_records(write_file("d.xlsx", "x")))


def test_utf8_bom_is_dropped(write_file: WriteFile) -> None:
    path = write_file("d.csv", b"\xef\xbb\xbftext\nhello\n")
    assert [r.value for r in read_records(path)] == [{"text": "hello"}]
    path = write_file("d.jsonl", b'\xef\xbb\xbf{"text": "a"}\n')
    assert [r.value for r in read_records(path)] == [{"text": "a"}]


def test_csv_long_cells_and_unclosed_quotes(write_file: WriteFile) -> None:
    long_text = "x" * 300_000
    path = write_file("d.csv", f"text\n{long_text}\n")
    assert [r.value for r in read_records(path)] == [{"text": long_text}]
    with pytest.raises(InvalidInput, match=r"^file: line 3: invalid CSV: unexpected end of data"):
        list(read_records(write_file("e.csv", 'text\nok\n"unclosed\n')))


# JSON lines in blocks ----------------------------------------------------------------------


def _block_records(path: Path) -> list[RawRecord]:
    """Every record `jsonl_blocks` gives, parsed blocks turned back into RawRecords."""
    out: list[RawRecord] = []
    for item in jsonl_blocks(path) or []:
        if isinstance(item, RawRecord):
            out.append(item)
        elif item.table is None:
            out.extend(item.records())
        else:
            assert item.record_lines is not None
            values = item.table.to_pylist()
            lines = [int(line) for line in item.record_lines]
            out += [
                RawRecord(item.first_record + i, line, value)
                for i, (line, value) in enumerate(zip(lines, values, strict=True))
            ]
    return out


def test_jsonl_blocks_number_records_and_lines_across_blocks(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blocks_module, "JSONL_BLOCK_BYTES", 40)
    content = b'\xef\xbb\xbf{"text": "a"}\r\n\n{"text": "b"}\n  \n{"text": "c"}\nbad\n{"text": "d"}'
    path = write_file("d.jsonl", content)
    assert _block_records(path) == list(read_records(path))
    assert [(r.record, r.line) for r in _block_records(path)] == [
        (1, 1),
        (2, 3),
        (3, 5),
        (4, 6),
        (5, 7),
    ]


def test_jsonl_block_of_string_objects_is_one_arrow_table(write_file: WriteFile) -> None:
    path = write_file("d.jsonl", jsonl({"text": "a", "n": None}, {"text": "b"}) + "\n")
    (block,) = list(jsonl_blocks(path) or [])
    assert isinstance(block, JsonlBlock) and block.table is not None
    assert block.table.to_pylist() == [{"text": "a", "n": None}, {"text": "b", "n": None}]
    assert (block.first_line, block.last_line, block.count) == (1, 3, 2)
    assert block.end == path.stat().st_size
    assert block.record_lines is not None and block.record_lines.tolist() == [1, 2]


@pytest.mark.parametrize(
    "line",
    [
        '{"n": 1}',  # not a string: json.loads' value is what counts
        '{"text": "a"} {"text": "b"}',  # two objects on one line
        '{"text": "a", "text": "b"}',  # a repeated key
        '{"text": "2024-01-02"}',  # pyarrow would read it as a timestamp
    ],
)
def test_jsonl_blocks_agree_with_the_line_reader(write_file: WriteFile, line: str) -> None:
    path = write_file("d.jsonl", jsonl({"text": "x"}) + line + "\n")
    assert _block_records(path) == list(read_records(path))


def test_jsonl_lines_longer_than_a_block_come_on_their_own(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blocks_module, "JSONL_BLOCK_BYTES", 32)
    monkeypatch.setattr(readers, "MAX_RECORD_BYTES", 64)
    lines = ['{"text": "short"}', json.dumps({"text": "x" * 30}), json.dumps({"text": "y" * 80})]
    path = write_file("d.jsonl", "\n".join(lines) + "\n")
    items = list(jsonl_blocks(path) or [])
    assert [type(item).__name__ for item in items] == ["JsonlBlock", "RawRecord", "RawRecord"]
    assert _block_records(path) == list(read_records(path))
    assert _block_records(path)[2].error == "line 3: longer than 64 bytes"


def test_jsonl_blocks_only_for_json_lines(write_file: WriteFile) -> None:
    assert jsonl_blocks(write_file("d.json", jsonl({"text": "a"}, {"text": "b"}))) is not None
    assert jsonl_blocks(write_file("e.json", json.dumps([{"text": "a"}]))) is None
    assert jsonl_blocks(write_file("d.csv", "text\na\n")) is None
