"""Load lathe_kernels' ops so that their Triton kernels run in Triton's interpreter, for a test
outside tests/kernels that sets TRITON_INTERPRET=1 itself.

Triton decides between compiling and interpreting when a kernel is decorated with @triton.jit,
that is when an ops module is imported (triton's own library was decorated when the test
session imported triton, under tests/conftest.py's TRITON_INTERPRET=1); and
`lathe_kernels.runtime.use_triton` reads the same variable at each call."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys


def import_ops_interpreted() -> None:
    """Import every ops module under TRITON_INTERPRET=1 (which must be set). A module imported
    without it (by an earlier test, say) is re-run in place: earlier references to its functions
    see the interpreted kernels too."""
    if os.environ.get("TRITON_INTERPRET") != "1":
        raise RuntimeError("set TRITON_INTERPRET=1 before loading the ops interpreted")
    import lathe_kernels.ops

    for module in pkgutil.iter_modules(lathe_kernels.ops.__path__, "lathe_kernels.ops."):
        if module.name in sys.modules:
            importlib.reload(sys.modules[module.name])
        else:
            importlib.import_module(module.name)
