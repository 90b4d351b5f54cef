"""scan(): reports, strict vs lenient, every bad input from issue 4, bounded memory."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lathe.datasets.scan import scan
from lathe.errors import InvalidInput
from tests.backend.datasets.conftest import WriteFile, chat, jsonl, located, turns

ALPACA = [
    {"instruction": "Say hi", "input": "", "output": "hi"},
    {"instruction": "Add", "input": "1+1", "output": "2"},
]


def test_jsonl_messages_report_and_rows(write_file: WriteFile) -> None:
    path = write_file("d.jsonl", jsonl(*(chat(f"q{i}", f"a{i}") for i in range(7))))
    report, rows = scan(path, sample_rows=2)
    assert report.file_type == "jsonl"
    assert report.format == "messages"
    assert report.canonical_format == "messages"
    assert report.columns == ["messages"]
    assert report.rows.model_dump() == {"total": 7, "valid": 7, "skipped": 0}
    assert report.samples == [{"messages": turns("q0", "a0")}, {"messages": turns("q1", "a1")}]
    assert report.problems == [] and report.problem_count == 0
    assert list(rows) == [{"messages": turns(f"q{i}", f"a{i}")} for i in range(7)]


def test_json_array_of_sharegpt(write_file: WriteFile) -> None:
    conv = {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]}
    report, rows = scan(write_file("d.json", json.dumps([conv, conv], indent=2)))
    assert (report.file_type, report.format, report.rows.valid) == ("json", "sharegpt", 2)
    assert list(rows) == [{"messages": turns("q", "a")}] * 2


def test_json_object_with_data_field_of_alpaca(write_file: WriteFile) -> None:
    report, rows = scan(write_file("d.json", json.dumps({"data": ALPACA})))
    assert report.format == "alpaca"
    assert report.columns == ["instruction", "input", "output"]
    assert list(rows) == [
        {"messages": turns("Say hi", "hi")},
        {"messages": turns("Add\n\n1+1", "2")},
    ]


def test_csv_prompt_completion(write_file: WriteFile) -> None:
    report, rows = scan(write_file("d.csv", 'prompt,completion\nq,a\n"x, y",z\n'))
    assert (report.file_type, report.format, report.columns) == (
        "csv",
        "prompt_completion",
        ["prompt", "completion"],
    )
    assert list(rows) == [{"messages": turns("q", "a")}, {"messages": turns("x, y", "z")}]


def test_parquet_preference_with_message_lists(write_file: WriteFile) -> None:
    path = write_file("d.parquet", b"")
    records = [{"chosen": turns("q", "good"), "rejected": turns("q", "bad")}] * 3
    pq.write_table(pa.Table.from_pylist(records), path)
    report, rows = scan(path)
    assert (report.file_type, report.format, report.canonical_format) == (
        "parquet",
        "preference",
        "preference",
    )
    assert next(rows) == {
        "prompt": [{"role": "user", "content": "q"}],
        "chosen": [{"role": "assistant", "content": "good"}],
        "rejected": [{"role": "assistant", "content": "bad"}],
    }


def test_parquet_problem_is_located_by_row(write_file: WriteFile) -> None:
    path = write_file("d.parquet", b"")
    pq.write_table(pa.table({"text": ["a", "", "c"]}), path)
    report, _ = scan(path)
    assert [p.model_dump() for p in report.problems] == [
        {"line": None, "record": 2, "reason": "row 2: text: is empty"}
    ]


def test_txt_is_text(write_file: WriteFile) -> None:
    report, rows = scan(write_file("d.txt", "para one\ncontinued\n\npara two\n"))
    assert (report.format, report.canonical_format, report.columns) == ("text", "text", ["text"])
    assert list(rows) == [{"text": "para one\ncontinued"}, {"text": "para two"}]


# Bad inputs from issue 4 -------------------------------------------------------------------


def test_truncated_jsonl(write_file: WriteFile) -> None:
    content = jsonl(chat(), chat()) + '{"messages": [{"role": "user", "content": "cut of'
    path = write_file("d.jsonl", content)
    report, rows = scan(path)
    assert report.rows.model_dump() == {"total": 3, "valid": 2, "skipped": 1}
    assert report.problems[0].line == 3
    assert report.problems[0].reason.startswith("line 3: invalid JSON")
    assert len(list(rows)) == 2
    with pytest.raises(InvalidInput, match=r"^file: line 3: invalid JSON") as exc:
        scan(path, strict=True)
    assert exc.value.details[0]["line"] == 3


def test_jsonl_line_that_is_not_json(write_file: WriteFile) -> None:
    path = write_file("d.jsonl", jsonl(chat()) + "oops, prose\n" + jsonl(chat()))
    report, _ = scan(path)
    assert [(p.line, p.reason) for p in report.problems] == [
        (2, "line 2: invalid JSON at column 1: Expecting value")
    ]
    with pytest.raises(InvalidInput, match=r"^file: line 2: invalid JSON"):
        scan(path, strict=True)


def test_json_array_with_trailing_comma_names_the_line(write_file: WriteFile) -> None:
    path = write_file("d.json", '[\n  {"text": "a"},\n  {"text": "b"},\n]\n')
    for strict in (False, True):
        with pytest.raises(InvalidInput, match=r"^file: line 4: invalid JSON") as exc:
            scan(path, strict=strict)
        assert located(exc.value.details) == {"field": "file", "reason": "invalid_json", "line": 4}


def test_truncated_json_array(write_file: WriteFile) -> None:
    path = write_file("d.json", '[\n{"text": "a"},\n{"text": "b"')
    with pytest.raises(InvalidInput, match=r"^file: line 3: invalid JSON \(parse error: premature"):
        scan(path)


def test_csv_with_ragged_rows(write_file: WriteFile) -> None:
    path = write_file("d.csv", "prompt,completion\nq,a\nonly one\nq,a,extra\nq2,a2\n")
    report, rows = scan(path)
    assert [(p.line, p.record, p.reason) for p in report.problems] == [
        (3, 2, "line 3: CSV row has 1 fields, the header has 2"),
        (4, 3, "line 4: CSV row has 3 fields, the header has 2"),
    ]
    assert report.rows.model_dump() == {"total": 4, "valid": 2, "skipped": 2}
    assert len(list(rows)) == 2
    with pytest.raises(InvalidInput, match=r"^file: line 3: CSV row has 1 fields"):
        scan(path, strict=True)


@pytest.mark.parametrize("name", ["d.jsonl", "d.json", "d.csv", "d.parquet", "d.txt"])
def test_empty_file(write_file: WriteFile, name: str) -> None:
    with pytest.raises(InvalidInput, match=r"^file: is empty"):
        scan(write_file(name, b""))


@pytest.mark.parametrize("name", ["d.jsonl", "d.json", "d.csv", "d.txt"])
def test_binary_garbage(write_file: WriteFile, name: str) -> None:
    garbage = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    with pytest.raises(InvalidInput, match=r"^file: line 3: contains NUL bytes"):
        scan(write_file(name, garbage))


def test_binary_garbage_without_nul_bytes_is_all_problems(write_file: WriteFile) -> None:
    with pytest.raises(InvalidInput, match=r"^file: cannot detect the dataset format"):
        scan(write_file("d.jsonl", bytes(range(1, 256)) * 3))
    # Line 1 is bytes 0x01-0x09 (ASCII, not JSON); the next line is not UTF-8.
    with pytest.raises(InvalidInput, match=r"^file: line 1: invalid JSON"):
        scan(write_file("e.jsonl", bytes(range(1, 256)) * 3), strict=True)
    report, _ = scan(write_file("f.jsonl", jsonl(chat()).encode() + b"\xff\xfe{}\n"))
    assert report.problems[0].reason == "line 2: not valid UTF-8 (byte 0xff at column 1)"


# Lenient vs strict, problem records --------------------------------------------------------


def test_row_problems_lenient_and_strict(write_file: WriteFile) -> None:
    lines = [
        chat(),
        {"messages": [{"role": "user", "content": "no reply"}]},
        {"messages": []},
        {"messages": [{"role": "narrator", "content": "x"}, {"role": "assistant", "content": "y"}]},
        chat("ok", "fine"),
    ]
    path = write_file("d.jsonl", jsonl(*lines).encode() + b'{"text": "\xff"}\n')
    report, rows = scan(path)
    assert [(p.line, p.reason) for p in report.problems] == [
        (2, "line 2: messages: no assistant turn"),
        (3, "line 3: messages: empty messages"),
        (
            4,
            "line 4: messages[1]: unknown role 'narrator'; expected one of "
            "system, user, assistant, tool",
        ),
        (6, "line 6: not valid UTF-8 (byte 0xff at column 11)"),
    ]
    assert report.rows.model_dump() == {"total": 6, "valid": 2, "skipped": 4}
    assert list(rows) == [chat(), chat("ok", "fine")]
    with pytest.raises(InvalidInput) as exc:
        scan(path, strict=True)
    assert exc.value.message == (
        "file: line 2: messages: no assistant turn "
        "(strict mode refuses the file at its first problem)"
    )
    assert located(exc.value.details) == {
        "field": "file",
        "line": 2,
        "record": 2,
        "reason": "line 2: messages: no assistant turn",
    }


def test_records_of_another_format_are_problems(write_file: WriteFile) -> None:
    path = write_file("d.jsonl", jsonl(chat(), chat(), {"text": "stray"}))
    report, _ = scan(path)
    assert report.problems[0].reason == "line 3: missing field 'messages'"


def test_problems_are_capped_but_counted(write_file: WriteFile) -> None:
    path = write_file("d.jsonl", jsonl(chat()) + "bad\n" * 30)
    report, _ = scan(path, max_problems=5)
    assert len(report.problems) == 5
    assert report.problem_count == 30
    assert report.rows.skipped == 30


def test_no_valid_rows_is_refused(write_file: WriteFile) -> None:
    path = write_file("d.jsonl", jsonl({"messages": []}, {"messages": []}))
    with pytest.raises(InvalidInput, match=r"^file: no valid rows \(2 records, 2 skipped\)"):
        scan(path)


# Bounded memory ----------------------------------------------------------------------------


def _write_big_array(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("[\n")
        for i in range(rows):
            sep = "," if i < rows - 1 else ""
            f.write(json.dumps(chat(f"question number {i}", f"answer number {i}")) + sep + "\n")
        f.write("]\n")


def test_large_json_array_is_streamed_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    _write_big_array(path, 50_000)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        report, rows = scan(path)
        count = sum(1 for _ in rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.rows.valid == count == 50_000
    assert size > 5_000_000
    assert peak < size / 20, f"peak {peak} bytes for a {size} byte file"
