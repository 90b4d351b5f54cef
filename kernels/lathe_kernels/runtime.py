"""Where an op runs: its Triton kernels (compiled on a CUDA GPU, or interpreted on the CPU when
TRITON_INTERPRET=1 was set before triton was imported) or its PyTorch reference.

Every public op asks `use_triton(tensor)` once per call; ops never import triton at module level
outside their own file, so `import lathe_kernels` stays cheap where Triton is absent."""

from __future__ import annotations

import functools
import importlib.util
import os

import torch


@functools.cache
def triton_installed() -> bool:
    return importlib.util.find_spec("triton") is not None


def interpreting() -> bool:
    """TRITON_INTERPRET=1: kernels run on CPU tensors through Triton's interpreter (fp32)."""
    return os.environ.get("TRITON_INTERPRET") == "1"


def use_triton(tensor: torch.Tensor) -> bool:
    """Whether an op on `tensor` runs its Triton kernels (True) or its PyTorch reference."""
    if not triton_installed():
        return False
    if tensor.is_cuda:
        return True
    return interpreting() and tensor.device.type == "cpu"


def compute_dtype(tensor: torch.Tensor) -> torch.dtype:
    """The dtype an op's GEMMs on `tensor` run in: autocast's when it is on (as F.linear's
    would), else the tensor's own."""
    if torch.is_autocast_enabled(tensor.device.type):
        return torch.get_autocast_dtype(tensor.device.type)
    return tensor.dtype
