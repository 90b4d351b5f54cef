"""Scratch entries left by killed processes are swept; live owners' and other hosts' stay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lathe.models.storage import staging
from lathe.scratch import scratch_prefix, sweep_abandoned
from lathe.settings import Settings


def _killed_child_staging(settings: Settings) -> Path:
    """A child process that opens a staging folder, then is killed with SIGKILL inside it."""
    code = (
        "import sys, time\n"
        "from lathe.models.storage import staging\n"
        "from lathe.settings import Settings\n"
        "with staging(Settings(home=sys.argv[1]), 'adapter') as work:\n"
        "    (work / 'partial.safetensors').write_bytes(b'x' * 100)\n"
        "    print(work, flush=True)\n"
        "    time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(settings.home)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    folder = Path(child.stdout.readline().strip())
    os.kill(child.pid, signal.SIGKILL)
    child.wait(30)
    return folder


def test_a_killed_process_staging_is_swept_and_the_living_are_kept(settings: Settings) -> None:
    left = _killed_child_staging(settings)
    assert left.is_dir()  # SIGKILL ran no cleanup
    other_host = settings.tmp_dir / "import-elsewhere.1-abc"
    other_host.mkdir()
    unowned = settings.tmp_dir / "notes.txt"
    unowned.write_text("kept")
    with staging(settings, "export") as mine:
        assert mine.name.startswith(scratch_prefix("export"))
        assert sweep_abandoned(settings) == [left]
        assert mine.is_dir()
    assert not left.exists()
    assert other_host.is_dir() and unowned.is_file()


def test_sweeping_an_absent_tmp_folder_is_a_no_op(tmp_path: Path) -> None:
    assert sweep_abandoned(Settings(home=tmp_path / "nowhere")) == []


def test_every_staging_kind_is_one_the_sweep_recognises(settings: Settings) -> None:
    with staging(settings, "pull") as work:
        assert work.name.startswith(scratch_prefix("pull"))
    with pytest.raises(ValueError, match="lower-case word"):
        scratch_prefix("pull-smollm2-")
