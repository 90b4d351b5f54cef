"""The `export` job's plumbing around the builders: staging under LATHE_HOME/tmp, the atomic
move to LATHE_HOME/exports/<id>/ with the row committed last, idempotent retries, the
free-space check, a full disk (nothing half-written, staging removed, a clear message), a
base model gone from disk, cancellation. The builders are replaced by small fakes here; the
real ones run in the end-to-end tests (test_export_end_to_end.py and the API and CLI tests)."""

from __future__ import annotations

import errno
import hashlib
import shutil
import threading
from collections import namedtuple
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from lathe.db.engine import read_scope
from lathe.db.tables import ExportRow, ModelRow
from lathe.errors import Conflict, LatheError
from lathe.export import records
from lathe.export.artifacts import build as artifacts_build
from lathe.export.config import ExportConfig
from lathe.export.jobs import run_export
from lathe.export.service import NoSpace, queue_export
from lathe.export.spec import (
    ExportFile,
    ExportFormat,
    ExportReport,
    ExportSpec,
    Log,
    Progress,
)
from lathe.jobs import queue
from lathe.jobs.context import JobContext, JobStopped
from lathe.jobs.resources import Capacity
from lathe.models.registry import model_dir
from lathe.settings import Settings
from tests.backend.export.export_fixtures import tiny, tiny_lora

__all__ = ["tiny", "tiny_lora"]

GGUF_BYTES = b"GGUF" + bytes(range(200)) * 10
BuildExport = Callable[[ExportSpec, Progress, Log], ExportReport]


def start(settings: Settings, config: ExportConfig) -> JobContext:
    """Queue `config` and claim it like a worker; the handler's context."""
    job = queue_export(settings, config)
    claimed = queue.claim(settings, worker_id="w", kinds=["export"], capacity=Capacity([], 0, 1))
    assert claimed is not None and claimed.id == job.id
    return JobContext(
        settings, job_id=job.id, worker_id="w", attempt=1, shutdown=threading.Event(), gpu_ids=[]
    )


def params(ctx: JobContext) -> ExportConfig:
    return ExportConfig.model_validate(queue.get_job(ctx.settings, ctx.job_id).params)


def run(ctx: JobContext) -> dict[str, Any]:
    result = run_export(ctx, params(ctx))
    assert result is not None
    return result


class FakeBuilder:
    """Writes a GGUF-like file and a Modelfile, reporting progress; records the spec."""

    def __init__(self) -> None:
        self.specs: list[ExportSpec] = []

    def __call__(self, spec: ExportSpec, progress: Progress, log: Log) -> ExportReport:
        self.specs.append(spec)
        assert spec.out_dir.is_dir() and not any(spec.out_dir.iterdir())
        progress(0.0, "writing")
        gguf = spec.out_dir / f"{spec.name}.gguf"
        gguf.write_bytes(GGUF_BYTES)
        (spec.out_dir / "Modelfile").write_text(f"FROM ./{gguf.name}\n")
        progress(0.5, "verifying")
        log("verified")
        files = [
            ExportFile(
                path=path.name,
                size_bytes=path.stat().st_size,
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            )
            for path in sorted(spec.out_dir.iterdir())
        ]
        return ExportReport(
            format=spec.format,
            files=files,
            verification={"gguf_top1": {"agreement": 1.0, "limit": 0.97, "passed": True}},
            passed=True,
            primary=gguf.name,
            modelfile=f"FROM ./{gguf.name}\n",
        )


@pytest.fixture
def fake_builder(monkeypatch: pytest.MonkeyPatch) -> FakeBuilder:
    builder = FakeBuilder()
    monkeypatch.setattr(artifacts_build, "build_export", builder)
    return builder


def export_rows(settings: Settings) -> list[ExportRow]:
    with read_scope(settings.resolved_database_url) as session:
        return list(session.scalars(select(ExportRow)))


def assert_nothing_left(settings: Settings) -> None:
    assert export_rows(settings) == []
    assert list(settings.exports_dir.iterdir()) == []
    assert list(settings.tmp_dir.iterdir()) == []


def test_an_export_is_moved_into_place_and_recorded(
    settings: Settings, tiny_lora: ModelRow, fake_builder: FakeBuilder
) -> None:
    ctx = start(settings, ExportConfig(source=str(tiny_lora.id), quant="q8_0"))
    config = params(ctx)
    assert (config.source, config.name) == ("tiny-lora", "tiny-lora")  # pinned when queued
    result = run(ctx)

    (spec,) = fake_builder.specs
    assert spec.adapter_dir == model_dir(settings, tiny_lora)
    assert spec.base_dir.name == "tiny" and (spec.quant, spec.name) == ("Q8_0", "tiny-lora")
    assert spec.out_dir.is_relative_to(settings.tmp_dir)
    assert spec.facts is not None and spec.facts["base_model"] == "tiny"

    (row,) = export_rows(settings)
    folder = settings.exports_dir / str(row.id)
    assert row.path == str(row.id) and records.export_dir(settings, row) == folder
    assert sorted(p.name for p in folder.iterdir()) == ["Modelfile", "tiny-lora.gguf"]
    assert row.sha256 == hashlib.sha256(GGUF_BYTES).hexdigest()
    assert row.size_bytes == len(GGUF_BYTES) + len("FROM ./tiny-lora.gguf\n")
    assert (row.job_id, row.source_model_id, row.format) == (ctx.job_id, tiny_lora.id, "gguf")
    assert (row.quant, row.dtype) == ("Q8_0", None)
    assert result["export_id"] == row.id and result["passed"] is True
    assert result["adapter"] == {"id": tiny_lora.id, "name": "tiny-lora"}
    assert list(settings.tmp_dir.iterdir()) == []
    progress = queue.get_job(settings, ctx.job_id).progress or {}
    assert (progress.get("completed"), progress.get("total")) == (100, 100)

    # A retried attempt finds the export recorded and does not build it again.
    assert run(ctx)["export_id"] == row.id
    assert len(fake_builder.specs) == 1 and len(export_rows(settings)) == 1


def fills_the_disk(spec: ExportSpec, progress: Progress, log: Log) -> ExportReport:
    """Python's own file writes name the file in their ENOSPC error."""
    partial = spec.out_dir / f"{spec.name}.gguf"
    with partial.open("wb") as handle:
        handle.write(b"GGUF" + b"\0" * 4096)
    raise OSError(errno.ENOSPC, "No space left on device", str(partial))


def fills_the_disk_from_native_code(spec: ExportSpec, progress: Progress, log: Log) -> ExportReport:
    """safetensors reports an I/O error from Rust as its own exception, with the text only."""
    (spec.out_dir / "merged").mkdir()
    (spec.out_dir / "merged" / "model.safetensors").write_bytes(b"\0" * 100)
    try:
        raise OSError(errno.ENOSPC, "No space left on device")
    except OSError as error:
        raise RuntimeError("Error while serializing: No space left on device") from error


def breaks(spec: ExportSpec, progress: Progress, log: Log) -> ExportReport:
    (spec.out_dir / "half.gguf").write_bytes(b"GGUF")
    raise ValueError("the tokenizer has no merges")


def lies(spec: ExportSpec, progress: Progress, log: Log) -> ExportReport:
    """A report whose file sizes do not match the files: not recorded."""
    report = FakeBuilder()(spec, progress, log)
    report.files[0].size_bytes += 1
    return report


@pytest.mark.parametrize(
    ("builder", "export_format", "error", "message"),
    [
        pytest.param(
            fills_the_disk,
            "gguf",
            NoSpace,
            r"no space left on device while writing tiny-lora\.gguf",
            id="full-disk-names-the-file",
        ),
        pytest.param(
            fills_the_disk_from_native_code,
            "merged",
            NoSpace,
            r"while writing model\.safetensors",
            id="full-disk-in-native-code-names-the-last-file-written",
        ),
        pytest.param(breaks, "gguf", ValueError, "no merges", id="the-builder-raises"),
        pytest.param(lies, "gguf", LatheError, "bytes; it has", id="the-report-does-not-match"),
    ],
)
def test_a_failed_build_leaves_nothing(
    settings: Settings,
    tiny_lora: ModelRow,
    monkeypatch: pytest.MonkeyPatch,
    builder: BuildExport,
    export_format: ExportFormat,
    error: type[Exception],
    message: str,
) -> None:
    monkeypatch.setattr(artifacts_build, "build_export", builder)
    ctx = start(settings, ExportConfig(source="tiny-lora", format=export_format))
    with pytest.raises(error, match=message):
        run_export(ctx, params(ctx))
    assert_nothing_left(settings)


def test_without_room_for_the_estimate_it_fails_before_writing(
    settings: Settings,
    tiny_lora: ModelRow,
    fake_builder: FakeBuilder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(10, 9, 1024))
    ctx = start(settings, ExportConfig(source="tiny-lora", format="merged", dtype="fp32"))
    with pytest.raises(NoSpace, match=r"not enough free space .* needs about .*1\.0 KiB is free"):
        run_export(ctx, params(ctx))
    assert fake_builder.specs == []
    assert_nothing_left(settings)


def test_a_cancel_stops_the_builder_and_removes_its_files(
    settings: Settings, tiny_lora: ModelRow, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(spec: ExportSpec, progress: Progress, log: Log) -> ExportReport:
        (spec.out_dir / "part.gguf").write_bytes(b"GGUF")
        queue.request_cancel(settings, ctx.job_id)
        while True:  # a builder reports progress between steps; the cancel raises there
            progress(0.1, "merging")

    monkeypatch.setattr(artifacts_build, "build_export", slow)
    monkeypatch.setattr("lathe.jobs.context.STOP_POLL_S", 0.0)
    ctx = start(settings, ExportConfig(source="tiny-lora"))
    with pytest.raises(JobStopped):
        run_export(ctx, params(ctx))
    assert_nothing_left(settings)


def test_a_base_model_gone_from_disk_fails_naming_it(
    settings: Settings, tiny_lora: ModelRow, fake_builder: FakeBuilder
) -> None:
    ctx = start(settings, ExportConfig(source="tiny-lora"))
    base_folder = settings.models_dir / "tiny"
    base_folder.rename(settings.home / "elsewhere")
    with pytest.raises(Conflict, match=rf"base model tiny of adapter tiny-lora .*{base_folder}"):
        run_export(ctx, params(ctx))
    assert fake_builder.specs == []
    assert_nothing_left(settings)


def test_a_commit_that_fails_takes_the_folder_back_out(
    settings: Settings,
    tiny_lora: ModelRow,
    fake_builder: FakeBuilder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr("sqlalchemy.orm.Session.commit", refuse)
    built = settings.tmp_dir / "built"
    built.mkdir()
    (built / "file.gguf").write_bytes(b"GGUF")
    row = ExportRow(
        source_model_id=tiny_lora.id,
        format="gguf",
        name="x",
        path="",
        size_bytes=4,
        sha256="0" * 64,
        report={},
    )
    with pytest.raises(RuntimeError, match="locked"):
        records.publish(settings, built, row)
    assert (built / "file.gguf").read_bytes() == b"GGUF"
    assert list(settings.exports_dir.iterdir()) == []


def test_a_leftover_folder_of_a_crash_is_replaced(
    settings: Settings, tiny_lora: ModelRow, fake_builder: FakeBuilder
) -> None:
    # A crash after the rename and before the commit left exports/1 with no row.
    orphan = settings.exports_dir / "1"
    orphan.mkdir()
    (orphan / "stale.gguf").write_bytes(b"old")
    ctx = start(settings, ExportConfig(source="tiny-lora"))
    assert run(ctx)["export_id"] == 1
    assert sorted(p.name for p in orphan.iterdir()) == ["Modelfile", "tiny-lora.gguf"]


def test_a_disk_that_fills_while_the_real_writer_streams_tensors(
    settings: Settings, tiny_lora: ModelRow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real builders, with the disk filling up after the first tensor reached the file."""
    from gguf import GGUFWriter

    written = 0
    original = GGUFWriter.write_tensor_data

    def fills_up(self: GGUFWriter, *args: Any, **kwargs: Any) -> None:
        nonlocal written
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written += 1
        original(self, *args, **kwargs)

    monkeypatch.setattr(GGUFWriter, "write_tensor_data", fills_up)
    ctx = start(settings, ExportConfig(source="tiny-lora", quant="f16"))
    with pytest.raises(NoSpace, match=r"no space left on device while writing .*tiny-lora"):
        run(ctx)
    assert written == 1
    assert_nothing_left(settings)
