"""Resume picks the newest checkpoint that was written to the end."""

from __future__ import annotations

from pathlib import Path

from lathe.training.trainer import latest_checkpoint


def test_the_newest_complete_checkpoint_is_resumed(tmp_path: Path) -> None:
    assert latest_checkpoint(tmp_path / "missing") is None
    for step, state in [(4, '{"global_step": 4}'), (12, '{"global_step": 12}'), (16, '{"glo')]:
        folder = tmp_path / f"checkpoint-{step}"
        folder.mkdir()
        (folder / "trainer_state.json").write_text(state)
    (tmp_path / "checkpoint-20").mkdir()  # killed before its state was written
    (tmp_path / "checkpoint-x").mkdir()
    assert latest_checkpoint(tmp_path) == tmp_path / "checkpoint-12"
