"""Data-parallel training: two ranks on the CPU (gloo) follow the same loss curve and end with
the same adapter as one process with the same global batch, also across a stop and a resume
from the checkpoint the ranks saved together; a launcher killed (SIGKILL) or terminated
(SIGTERM) leaves no rank behind; and a run asking for more GPUs than there are is refused
before any job exists."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import pytest
import torch
from fastapi.testclient import TestClient
from safetensors.torch import load_file

from lathe.db.tables import ModelRow
from lathe.models.storage import model_dir
from lathe.settings import Settings
from lathe.training.config import TrainingConfig
from lathe.training.distributed import train_distributed
from lathe.training.summary import conclude
from lathe.training.trainer import train_adapter
from tests.backend.training.conftest import AddDataset, name_rows
from tests.backend.training.test_loss import Recorder

pytestmark = pytest.mark.integration

ADAPTER_FILE = "adapter_model.safetensors"


def ddp_config(**overrides: Any) -> TrainingConfig:
    values: dict[str, Any] = {
        "model": "tiny",
        "dataset": "names",
        "lora": {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj", "lm_head"]},
        "max_length": 64,
        "max_steps": 4,
        "batch_size": 2,
        "learning_rate": 1e-2,
        "lr_scheduler": "constant",
        "warmup_ratio": 0.0,
        "precision": "fp32",
        "save_steps": 100,
        "sample_prompts": [],
    }
    values.update(overrides)
    return TrainingConfig.model_validate(values)


class StopAt(Recorder):
    """Records metrics like Recorder; asks to stop at its `stop_after`-th question (one a step)."""

    def __init__(self, stop_after: int | None = None) -> None:
        super().__init__()
        self.stop_after = stop_after
        self.questions = 0

    def should_stop(self) -> bool:
        self.questions += 1
        return self.stop_after is not None and self.questions >= self.stop_after


def test_two_ranks_match_one_process_with_the_same_global_batch(
    settings: Settings, tiny_model: ModelRow, add_dataset: AddDataset, tmp_path: Path
) -> None:
    add_dataset("names", name_rows(16))
    base = model_dir(settings, tiny_model)

    # One process: 2 micro-batches of 2 per step. Two ranks: 1 micro-batch of 2 each per step.
    # Both take 4 examples per optimizer step, and the same ones: the ranks share the seeded
    # order and rank r takes micro-batches r, r + 2, ... of it.
    single = Recorder()
    outcome = train_adapter(
        settings,
        ddp_config(gradient_accumulation_steps=2),
        base_folder=base,
        output_dir=tmp_path / "single",
        hooks=single,
    )
    conclude(outcome, tmp_path / "single-adapter", single)
    del outcome

    # The ranks stop after step 2 (saving one checkpoint together), then a second launch
    # resumes from it: the curve must still be the single process's.
    stopped_hooks = StopAt(stop_after=2)
    checkpoints = tmp_path / "ddp"
    stopped = train_distributed(
        settings,
        ddp_config(),
        base_folder=base,
        output_dir=checkpoints,
        adapter_dir=tmp_path / "unused",
        hooks=stopped_hooks,
        world_size=2,
        backend="gloo",
    )
    assert stopped.stopped and stopped.global_step == 2
    assert [p.name for p in checkpoints.iterdir()] == ["checkpoint-2"]
    assert {"rng_state_0.pth", "rng_state_1.pth"} <= {
        p.name for p in (checkpoints / "checkpoint-2").iterdir()
    }
    assert not (tmp_path / "unused").exists()  # a stopped run saves no adapter

    resumed_hooks = StopAt()
    resumed = train_distributed(
        settings,
        ddp_config(),
        base_folder=base,
        output_dir=checkpoints,
        adapter_dir=tmp_path / "ddp-adapter",
        hooks=resumed_hooks,
        world_size=2,
        backend="gloo",
    )
    assert not resumed.stopped and resumed.resumed_from == "checkpoint-2"
    assert resumed.global_step == 4 and resumed.metrics["global_step"] == 4
    assert resumed_hooks.questions == 2  # rank 0 asked once per step; the others never

    ddp_loss = {**stopped_hooks.values["train_loss"], **resumed_hooks.values["train_loss"]}
    expected = single.values["train_loss"]
    assert sorted(ddp_loss) == sorted(expected) == [1, 2, 3, 4]
    # Same arithmetic up to the order of float sums (gloo's all-reduce vs one process's
    # accumulation): fp32 rounding, far below the loss's change from step to step.
    for step, value in expected.items():
        assert ddp_loss[step] == pytest.approx(value, rel=1e-4), step
    assert expected[4] < expected[1]  # it trained: the comparison is not of constants

    single_weights = load_file(str(tmp_path / "single-adapter" / ADAPTER_FILE))
    ddp_weights = load_file(str(tmp_path / "ddp-adapter" / ADAPTER_FILE))
    assert sorted(single_weights) == sorted(ddp_weights) and single_weights
    for name, weight in single_weights.items():
        # Four Adam steps at lr 1e-2 move weights by ~4e-2; rounding differences stay ~1e-6.
        torch.testing.assert_close(ddp_weights[name], weight, rtol=1e-3, atol=1e-5)


class SignalFirstStep(Recorder):
    """Sets `started` when rank 0 reports the metrics of its first step."""

    def __init__(self, started: Event) -> None:
        super().__init__()
        self.started = started

    def metrics(self, step: int, values: Mapping[str, float]) -> None:
        self.started.set()


def launch_a_long_run(settings_data: dict[str, Any], base: Path, out: Path, started: Event) -> None:
    """The launching process of the orphan test (the role of a train job's process)."""
    train_distributed(
        Settings(**settings_data),
        ddp_config(max_steps=100_000),
        base_folder=base,
        output_dir=out,
        adapter_dir=out / "adapter",
        hooks=SignalFirstStep(started),
        world_size=2,
        backend="gloo",
    )


PR_SET_CHILD_SUBREAPER = 36


@contextmanager
def adopting_orphans() -> Iterator[None]:
    """Make this process the one orphaned descendants are reparented to (instead of init), so
    the test can wait for them and read how they ended."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1)
    try:
        yield
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_the_launching_process_kills_its_ranks(
    settings: Settings,
    tiny_model: ModelRow,
    add_dataset: AddDataset,
    tmp_path: Path,
    signum: signal.Signals,
) -> None:
    import psutil

    add_dataset("names", name_rows(16))
    context = multiprocessing.get_context("spawn")
    started = context.Event()
    launcher = context.Process(
        target=launch_a_long_run,
        args=(settings.model_dump(), model_dir(settings, tiny_model), tmp_path / "run", started),
    )
    descendants: list[psutil.Process] = []
    with adopting_orphans():
        launcher.start()
        try:
            assert started.wait(120), "the ranks never finished a step"
            descendants = psutil.Process(launcher.pid).children(recursive=True)
            ranks = [p for p in descendants if "spawn_main" in " ".join(p.cmdline())]
            assert len(ranks) == 2
            # What the worker does to a job that ignores its cancel past the grace: SIGTERM,
            # then SIGKILL, which no handler can catch, so nothing in the launcher gets to
            # stop the ranks. After SIGTERM the launcher stops them and ends by that signal,
            # as a single-process job would have ended.
            os.kill(launcher.pid or 0, signum)
            launcher.join(30)
            assert launcher.exitcode == -signum
            _gone, alive = psutil.wait_procs(descendants, timeout=15)
            assert alive == [], f"left running: {[p.pid for p in alive]}"
            if signum == signal.SIGTERM:
                assert not list(settings.tmp_dir.glob("ranks-*"))  # it cleaned up first
            else:
                # Orphaned ranks were adopted here, so wait() read how they ended: killed by
                # the kernel when their parent died (PDEATHSIG), not left to notice it later
                # (a broken pipe or rendezvous store, while a long step may still run).
                ended = [getattr(rank, "returncode", None) for rank in ranks]  # wait_procs sets it
                assert ended == [-signal.SIGKILL] * 2
        finally:
            for process in descendants:
                if process.is_running():
                    process.kill()
            if launcher.is_alive():
                launcher.kill()


def test_more_gpus_than_this_machine_has_is_refused_before_a_job_exists(
    client: TestClient, tiny_model: ModelRow, add_dataset: AddDataset
) -> None:
    add_dataset("names", name_rows(4))
    available = torch.cuda.device_count() if torch.cuda.is_available() else 0
    config = ddp_config(gpus=available + 1).model_dump(mode="json", exclude_defaults=True)
    response = client.post("/api/training/runs", json=config)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"][0]["field"] == "gpus"
    assert f"gpus {available + 1} is more than the {available} CUDA GPU(s)" in error["message"]
    assert client.get("/api/jobs").json()["items"] == []
