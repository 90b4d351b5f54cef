"""Kernel tests run the Triton kernels through Triton's interpreter on CPU tensors (fp32).

tests/conftest.py sets TRITON_INTERPRET=1 before anything imports triton, and unsets it once
collection is over; the fixture here sets it again around each test of this folder. An
explicit TRITON_INTERPRET is left alone: on a CUDA machine `TRITON_INTERPRET=0 pytest -m gpu
tests/kernels` runs the compiled kernels for the `gpu` tests, which skip while interpreting."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

_VARIABLE = "TRITON_INTERPRET"
_HERE = Path(__file__).parent


def _interpreting() -> bool:
    # Set during collection; after it, unset means tests/conftest.py's default, the interpreter.
    return os.environ.get(_VARIABLE, "1") == "1"


@pytest.fixture(autouse=True)
def triton_interpret(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The interpreter (unless TRITON_INTERPRET says otherwise) while a test here runs."""
    value = os.environ.get(_VARIABLE, "1")
    monkeypatch.setenv(_VARIABLE, value)
    yield value


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Tiny tensors gain nothing from threads, and on a busy 2-core machine torch's worker
    threads wait on each other (a 32 x 64 matmul took 30 ms with 2 threads, 50 us with 1)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`gpu` tests here need a CUDA GPU and compiled (not interpreted) kernels."""
    import torch

    if torch.cuda.is_available() and not _interpreting():
        return
    skip = pytest.mark.skip(
        reason="needs a CUDA GPU and compiled kernels (TRITON_INTERPRET=0 pytest -m gpu)"
    )
    for item in items:
        if "gpu" in item.keywords and item.path.is_relative_to(_HERE):
            item.add_marker(skip)
