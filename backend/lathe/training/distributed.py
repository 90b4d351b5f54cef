"""Data-parallel (DDP) training on several devices of this machine.

The job's process stays the one its worker supervises. For a run on N GPUs it starts N
processes ("ranks") with torch's elastic launcher, the library behind `torchrun`, and waits for
them. Every rank runs the same `train_adapter` on the same config; the Trainer sees the
launcher's RANK / LOCAL_RANK / WORLD_SIZE, wraps the model in DistributedDataParallel and gives
each rank its own batches, so an optimizer step takes batch_size x gradient_accumulation_steps
x N examples (the global batch). Gradients are averaged across ranks, and the loss is still
divided by the target tokens of the whole global step (Trainer's average_tokens_across_devices).

Rank 0 reports to the job and asks it whether to stop (lathe.training.rank_relay); every rank
saves its part of a checkpoint into the same folder (rank 0 the weights, optimizer and state,
each rank its RNG state), so a run resumes from a DDP checkpoint like from any other. Only rank
0 saves the final adapter; the job's process registers it.

Ranks die with the job's process (PDEATHSIG): a job killed past its cancel grace leaves no rank
behind. A SIGTERM to the job's process first stops the ranks (the launcher's own handling),
then ends the job's process by that signal, as it would end a single-process run."""

from __future__ import annotations

import logging
import os
import signal
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from lathe.errors import LatheError
from lathe.jobs.child import die_with_parent
from lathe.models.storage import staging
from lathe.settings import Settings
from lathe.training.config import TrainingConfig
from lathe.training.rank_relay import JobRelay, RankHooks
from lathe.training.summary import TrainSummary, conclude
from lathe.training.trainer import RunHooks, cuda_available, train_adapter

if TYPE_CHECKING:
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError

logger = logging.getLogger(__name__)

__all__ = ["Backend", "RankFailed", "default_backend", "run_rank", "train_distributed"]

Backend = Literal["nccl", "gloo"]

# Seconds the launcher gives the ranks to exit after a SIGTERM before it kills them.
RANK_SHUTDOWN_S = 10
# How often the launcher looks whether a rank has ended.
MONITOR_INTERVAL_S = 0.2


class RankFailed(LatheError):
    code = "rank_failed"


def default_backend(config: TrainingConfig) -> Backend:
    """NCCL between CUDA GPUs; gloo on the CPU."""
    return "nccl" if config.gpus > 0 and cuda_available() else "gloo"


def train_distributed(
    settings: Settings,
    config: TrainingConfig,
    *,
    base_folder: Path,
    output_dir: Path,
    adapter_dir: Path,
    hooks: RunHooks,
    world_size: int,
    backend: Backend | None = None,
) -> TrainSummary:
    """Train `config` on `world_size` ranks of this machine; the adapter is saved to
    `adapter_dir` (unless the run was stopped) and the run summarised, as by
    `conclude(train_adapter(...))` in one process. `backend` defaults to default_backend;
    with gloo and config.gpus 0 the ranks train on the CPU."""
    from torch.distributed.elastic.multiprocessing import DefaultLogsSpecs, SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    job_end, rank_end = get_context("spawn").Pipe()
    relay = JobRelay(job_end, hooks)
    signalled: signal.Signals | None = None
    with staging(settings, "ranks") as logs_dir:
        launch = LaunchConfig(
            min_nodes=1,
            max_nodes=1,
            nproc_per_node=world_size,
            run_id=uuid.uuid4().hex,
            # What `torchrun --standalone` uses: a rendezvous store on a free local port.
            rdzv_backend="c10d",
            rdzv_endpoint="127.0.0.1:0",
            # A failed rank fails the job; its retry resumes from the last checkpoint.
            max_restarts=0,
            monitor_interval=MONITOR_INTERVAL_S,
            start_method="spawn",
            # Ranks write to the job's log file (inherited stdout/stderr); the folder only
            # holds the launcher's error files, read when a rank fails.
            logs_specs=DefaultLogsSpecs(log_dir=str(logs_dir)),
            # Only SIGTERM (the worker's terminate): SIGINT is the worker's to handle.
            signals_to_handle="SIGTERM",
            shutdown_timeout=RANK_SHUTDOWN_S,
        )
        ranks = elastic_launch(launch, run_rank)
        relay.start()
        try:
            with _restored_handler(signal.SIGTERM):
                results = ranks(
                    settings.model_dump(),
                    config,
                    base_folder,
                    output_dir,
                    adapter_dir,
                    rank_end,
                    backend or default_backend(config),
                    os.getpid(),
                )
        except ChildFailedError as error:
            raise _rank_failure(error) from None
        except SignalException as error:
            signalled = error.sigval  # the launcher has stopped the ranks
        finally:
            relay.close()
            job_end.close()
            rank_end.close()
    if signalled is not None:
        _end_by(signalled)
    summary = results[0]
    if not isinstance(summary, TrainSummary):
        raise RankFailed(f"rank 0 returned {type(summary).__name__}, not a training summary")
    return summary


def run_rank(
    settings_data: dict[str, Any],
    config: TrainingConfig,
    base_folder: Path,
    output_dir: Path,
    adapter_dir: Path,
    channel: Connection,
    backend: Backend,
    launcher_pid: int,
) -> TrainSummary | None:
    """One rank (in a process the launcher spawned): join the process group, train, and on
    rank 0 save the adapter and return the summary."""
    # Ctrl-C in a terminal reaches the whole process group; the worker decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(launcher_pid)
    rank, local_rank = int(os.environ["RANK"]), int(os.environ["LOCAL_RANK"])
    _log_as_rank(rank)
    import torch
    import torch.distributed as dist

    device = torch.device("cpu")
    if backend == "nccl":
        # Before any CUDA work: this rank's GPU, also where a 4-bit (QLoRA) base is loaded.
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
        dist.init_process_group(backend=backend, device_id=device)
    else:
        dist.init_process_group(backend=backend)
    try:
        hooks = RankHooks(channel if rank == 0 else None, device)
        outcome = train_adapter(
            Settings(**settings_data),
            config,
            base_folder=base_folder,
            output_dir=output_dir,
            hooks=hooks,
        )
        return conclude(outcome, adapter_dir, hooks) if rank == 0 else None
    finally:
        dist.destroy_process_group()


def _log_as_rank(rank: int) -> None:
    """Logging to the job's log file (stderr), each line marked with its rank; the other
    ranks only warn, since their progress repeats rank 0's."""
    logging.basicConfig(
        level=logging.INFO if rank == 0 else logging.WARNING,
        stream=sys.stderr,
        format=f"%(asctime)s %(levelname)s rank {rank} %(name)s: %(message)s",
        force=True,
    )


@contextmanager
def _restored_handler(signum: signal.Signals) -> Iterator[None]:
    """The launcher installs its own handler for `signum` and never puts the old one back:
    a later signal would raise inside whatever the job does after training."""
    previous = signal.getsignal(signum)
    try:
        yield
    finally:
        signal.signal(signum, previous)


def _end_by(signum: signal.Signals) -> NoReturn:
    """End this process by `signum`, as a process without a handler would have ended: the
    worker then settles the job as it does for any job."""
    logger.warning("got %s: the ranks are stopped; ending", signum.name)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    # The signal is delivered before kill returns; SIGKILL in case it was blocked.
    os.kill(os.getpid(), signal.SIGKILL)
    raise SystemExit(128 + signum)  # never reached; tells the type checker this ends here


def _rank_failure(error: ChildFailedError) -> RankFailed:
    """The first failed rank and its error message (the launcher's error file)."""
    rank, failure = error.get_first_failure()
    # The error file holds {"message": ..., "extraInfo": {traceback, time}} for a Python error.
    message: object = failure.message
    if isinstance(message, dict):
        message = message.get("message", message)
    return RankFailed(f"training rank {rank} failed: {message}")
