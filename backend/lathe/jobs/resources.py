"""What a job needs (GPUs, the training slot, a memory class) and what a worker has free.

A worker offers three kinds of room: its GPUs, one CPU training slot, and a number of parallel
"aux" jobs (recipes, exports, pulls). A training job holds its GPUs exclusively, or the CPU
training slot when it asks for no GPU, so two training jobs never share a device; aux jobs run
beside it, each in one aux slot (and on GPUs of their own if they ask for any)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from lathe.schemas.jobs import Resources


@dataclass
class Capacity:
    """A worker's free room. Not thread-safe: only the worker loop touches it."""

    free_gpus: list[int]
    train_free: int = 1
    aux_free: int = 0
    held: dict[int, tuple[list[int], Resources]] = field(default_factory=dict)

    def fits_anything(self) -> bool:
        return bool(self.free_gpus) or self.train_free > 0 or self.aux_free > 0

    def fits(self, need: Resources) -> bool:
        if need.gpus > len(self.free_gpus):
            return False
        if need.slot == "aux":
            return self.aux_free > 0
        return need.gpus > 0 or self.train_free > 0

    def take(self, job_id: int, need: Resources) -> list[int]:
        """Reserve room for a claimed job; returns the GPU indices it gets."""
        if not self.fits(need):
            raise ValueError(f"job {job_id} does not fit the worker's free slots")
        gpus, self.free_gpus = self.free_gpus[: need.gpus], self.free_gpus[need.gpus :]
        if need.slot == "aux":
            self.aux_free -= 1
        elif need.gpus == 0:
            self.train_free -= 1
        self.held[job_id] = (gpus, need)
        return gpus

    def release(self, job_id: int) -> None:
        gpus, need = self.held.pop(job_id)
        self.free_gpus = sorted(self.free_gpus + gpus)
        if need.slot == "aux":
            self.aux_free += 1
        elif need.gpus == 0:
            self.train_free += 1


def visible_gpus() -> list[int]:
    """Indices of the CUDA devices this process can see (torch is imported only here, when a
    worker starts without LATHE_WORKER_GPUS)."""
    try:
        import torch
    except ImportError:
        return []
    return list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []


def cuda_visible_devices(indices: Sequence[int]) -> str:
    """CUDA_VISIBLE_DEVICES for a child that gets `indices` of the worker's visible devices.
    Indices are positions in the worker's own CUDA_VISIBLE_DEVICES when that is set."""
    parent = os.environ.get("CUDA_VISIBLE_DEVICES")
    if parent is None or not parent.strip():
        return ",".join(str(index) for index in indices)
    ids = [part.strip() for part in parent.split(",") if part.strip()]
    return ",".join(ids[index] for index in indices)
