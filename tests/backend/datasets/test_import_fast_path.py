"""The JSON-lines fast path (blocks parsed by pyarrow, rows written while the file is scanned)
reports and stores exactly what reading line by line does."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from lathe.datasets import jsonl_blocks, records
from lathe.datasets.importer import ImportOptions, import_file, read_ahead
from lathe.datasets.scan import scan
from lathe.errors import InvalidInput
from lathe.schemas.datasets import DetectionReport, ImportFormat
from lathe.settings import Settings
from tests.backend.datasets.conftest import WriteFile

Scanned = tuple[dict[str, Any], list[dict[str, Any]]]

ALPACA = {"instruction": "Say hi", "input": "", "output": "hi"}
# Lines of every kind the fast path must hand back to the line reader, between clean ones.
MIXED = b"".join(
    [
        b'\xef\xbb\xbf{"instruction": "first", "output": "a"}\r\n',
        b"\r\n",
        b"   \n",
        b'{"instruction": "b", "input": null, "output": "b"}\n',
        b'  {"output": "c", "instruction": "c", "extra": "late column"}  \n',
        b'{"instruction": "caf\xc3\xa9 \\u00e9 \\ud83d\\ude00", "output": "\\"q\\" \\n"}\n',
        b'{"instruction": "bad \xff byte", "output": "x"}\n',
        b"not json\n",
        b'{"instruction": "n", "output": 42, "meta": {"k": [1, 2.5, true]}}\n',
        b'{"instruction": "two", "output": "x"} {"instruction": "on one line", "output": "y"}\n',
        b'{"instruction": "dup", "instruction": "keys", "output": "z"}\n',
        b'{"instruction": "2024-01-02", "output": "2024-01-02 03:04:05"}\n',
        b"[1, 2]\n",
        b'{"instruction": "", "output": "empty instruction"}\n',
        b'{"instruction": "no output"}\n',
        b'{"instruction": "split over", \n "output": "two lines"}\n',
        b'{"instruction": "last", "output": "no newline at the end"}',
    ]
)


def _scan(path: Path, fmt: ImportFormat) -> Scanned:
    try:
        report, rows = scan(path, fmt=fmt, sample_rows=3)
        return report.model_dump(), list(rows)
    except InvalidInput as error:
        return {"error": error.message, "details": error.details}, []


def _line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read every block line by line, as before the fast path."""
    monkeypatch.setattr(jsonl_blocks, "_string_table", lambda body, longest: None)


def _both(monkeypatch: pytest.MonkeyPatch, path: Path, fmt: ImportFormat) -> tuple[Scanned, ...]:
    fast = _scan(path, fmt)
    with monkeypatch.context() as patch:
        _line_by_line(patch)
        slow = _scan(path, fmt)
    return fast, slow


@pytest.mark.parametrize("block_bytes", [None, 60, 200])
@pytest.mark.parametrize("fmt", ["table", "auto"])
def test_mixed_lines_read_alike(
    write_file: WriteFile,
    monkeypatch: pytest.MonkeyPatch,
    block_bytes: int | None,
    fmt: ImportFormat,
) -> None:
    if block_bytes is not None:  # small blocks: lines longer than a block come on their own
        monkeypatch.setattr(jsonl_blocks, "JSONL_BLOCK_BYTES", block_bytes)
    fast, slow = _both(monkeypatch, write_file("d.jsonl", MIXED), fmt)
    assert fast == slow
    report = DetectionReport.model_validate(fast[0])
    lines = [problem.line for problem in report.problems]
    if fmt == "auto":  # records that are not Alpaca are problems too
        assert lines == [7, 8, 9, 10, 13, 14, 15, 16, 17]
    else:
        assert lines == [7, 8, 10, 13, 16, 17]
    if fmt == "table":
        assert report.columns == ["instruction", "output", "input", "extra", "meta"]
        assert fast[1][0] == {
            "instruction": "first",
            "output": "a",
            "input": None,
            "extra": None,
            "meta": None,
        }
        assert fast[1][4]["meta"] == '{"k": [1, 2.5, true]}'


def _random_line(rng: random.Random, number: int) -> bytes:
    keys = ["instruction", "input", "output", "system", "x"]
    choice = rng.random()
    if choice < 0.97:  # clean: string or null values, keys in any order, some left out
        record: dict[str, str | None] = dict.fromkeys(
            rng.sample(keys, rng.randint(1, 5)), f"v{number} é"
        )
        if rng.random() < 0.2:
            record[rng.choice(keys)] = None
        text = json.dumps(record, ensure_ascii=rng.random() < 0.5).encode()
        return text + rng.choice([b"\n", b"\r\n", b"  \n"])
    bad = [
        b"\n",
        b" \t \n",
        b'{"instruction": 1, "output": "o"}\n',
        b'{"instruction": "i", "output": ["o"]}\n',
        b'{"instruction": "\xfe", "output": "o"}\n',
        b"{oops}\n",
        b'"a string"\n',
        b'{"instruction": "i", "output": "o"}{"instruction": "j", "output": "p"}\n',
        b'{"output": "o", "output": "p", "instruction": "i"}\n',
        b'{"instruction": "i",\n"output": "o"}\n',
    ]
    return rng.choice(bad)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("fmt", ["table", "alpaca"])
def test_random_files_read_alike(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch, seed: int, fmt: ImportFormat
) -> None:
    rng = random.Random(seed)
    content = b"".join(_random_line(rng, number) for number in range(600))
    path = write_file("d.jsonl", content)
    for block_bytes in (97, 1500, 1 << 20):
        monkeypatch.setattr(jsonl_blocks, "JSONL_BLOCK_BYTES", block_bytes)
        blocks = list(jsonl_blocks.jsonl_blocks(path) or [])
        parsed = [
            b for b in blocks if isinstance(b, jsonl_blocks.JsonlBlock) and b.table is not None
        ]
        assert parsed or block_bytes == 1 << 20  # the fast path is taken, between bad lines
        fast, slow = _both(monkeypatch, path, fmt)
        assert fast == slow, block_bytes


def test_clean_blocks_are_parsed_by_pyarrow(write_file: WriteFile) -> None:
    path = write_file("d.jsonl", "".join(json.dumps(ALPACA) + "\n" for _ in range(50)))
    blocks = list(jsonl_blocks.jsonl_blocks(path) or [])
    assert len(blocks) == 1 and isinstance(blocks[0], jsonl_blocks.JsonlBlock)
    assert blocks[0].table is not None and blocks[0].table.num_rows == 50


# The import: one pass, written as it is read ------------------------------------------------


def _import(settings: Settings, path: Path, fmt: ImportFormat, **options: Any) -> list[Any]:
    row = import_file(
        settings,
        path,
        f"d-{fmt}",
        ImportOptions(format=fmt, **options),
        progress=lambda done, total, message: None,
        raise_if_stopped=lambda: None,
    )
    stored = pq.read_table(settings.datasets_dir / row.path)
    return [row.report, stored.schema.names, stored.to_pylist()]


def _tmp_files(settings: Settings) -> list[Path]:
    return [path for path in settings.tmp_dir.rglob("*") if path.is_file()]


@pytest.mark.parametrize("fmt", ["table", "auto"])
def test_import_stores_what_the_line_reader_reads(
    settings: Settings, write_file: WriteFile, monkeypatch: pytest.MonkeyPatch, fmt: ImportFormat
) -> None:
    monkeypatch.setattr(jsonl_blocks, "JSONL_BLOCK_BYTES", 300)  # columns turn up in later blocks
    path = write_file("d.jsonl", MIXED)
    fast = _import(settings, path, fmt)
    with monkeypatch.context() as patch:
        _line_by_line(patch)
        slow = _import(settings, path, fmt)
    assert fast == slow
    report, names, rows = fast
    assert rows == _scan(path, fmt)[1]
    if fmt == "table":
        assert names == report["columns"] == ["instruction", "output", "input", "extra", "meta"]
    assert _tmp_files(settings) == []


def test_same_error_for_a_value_arrow_cannot_store(
    settings: Settings, write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file("d.jsonl", '{"text": "ok"}\n{"text": "lone \\ud800 surrogate"}\n')
    errors = []
    for line_by_line in (False, True):
        if line_by_line:
            _line_by_line(monkeypatch)
        with pytest.raises(InvalidInput, match=r"^file: rows 1-2: ") as error:
            _import(settings, path, "table")
        errors.append(error.value.message)
    assert errors[0] == errors[1]
    assert _tmp_files(settings) == []


def test_strict_import_refuses_at_the_line_and_leaves_nothing(
    settings: Settings, write_file: WriteFile
) -> None:
    clean = "".join(json.dumps(ALPACA) + "\n" for _ in range(2000))
    path = write_file("d.jsonl", clean + "oops\n" + clean)
    with pytest.raises(InvalidInput, match=r"^file: line 2001: invalid JSON"):
        _import(settings, path, "table", strict=True)
    assert records.find_by_name(settings, "d-table") is None
    assert _tmp_files(settings) == []


def test_a_stopped_import_leaves_nothing(settings: Settings, write_file: WriteFile) -> None:
    path = write_file("d.jsonl", "".join(json.dumps(ALPACA) + "\n" for _ in range(5000)))
    calls = 0

    class Stopped(Exception):
        pass

    def raise_if_stopped() -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Stopped

    with pytest.raises(Stopped):
        import_file(
            settings,
            path,
            "d",
            ImportOptions(format="table"),
            progress=lambda done, total, message: None,
            raise_if_stopped=raise_if_stopped,
        )
    assert _tmp_files(settings) == []
    assert not any(thread.name == "import-read-ahead" for thread in threading.enumerate())


def test_progress_counts_bytes_of_json_lines(settings: Settings, write_file: WriteFile) -> None:
    path = write_file("d.jsonl", "".join(json.dumps(ALPACA) + "\n" for _ in range(100)))
    seen: list[tuple[int, int | None, str]] = []
    import_file(
        settings,
        path,
        "d",
        ImportOptions(format="table"),
        progress=lambda done, total, message: seen.append((done, total, message)),
        raise_if_stopped=lambda: None,
    )
    size = path.stat().st_size
    assert (size, size, "100 rows read") in seen


# read_ahead ----------------------------------------------------------------------------------


def test_read_ahead_keeps_order_and_raises_the_producers_error() -> None:
    def numbers() -> Generator[int, None, None]:
        yield from range(5)
        raise ValueError("broken at 5")

    got: list[int] = []
    with pytest.raises(ValueError, match="broken at 5"):
        got.extend(read_ahead(numbers()))
    assert got == [0, 1, 2, 3, 4]


def test_read_ahead_stops_and_closes_its_source_when_the_caller_stops() -> None:
    closed = threading.Event()

    def endless() -> Generator[int, None, None]:
        try:
            number = 0
            while True:
                yield number
                number += 1
        finally:
            closed.set()

    items = read_ahead(endless())
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    items.close()
    assert closed.wait(5)
