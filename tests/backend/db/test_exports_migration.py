"""Migration 0005 (exports): the table with its foreign keys, a format check, one export per
job, SET NULL when the adapter, the registered model or the job goes, and a downgrade that
removes only this table."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from lathe.db import migrate
from lathe.db.engine import get_engine, reset_engines

INSERT_EXPORT = (
    "INSERT INTO exports (job_id, source_model_id, format, quant, name, path, size_bytes, "
    "sha256, report, registered_model_id, created_at) VALUES (1, 2, :format, 'Q8_0', 'x', '1', "
    "10, :sha, '{}', 3, '2026-12-09 10:00:00')"
)


def test_exports_table_keys_and_downgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url)
    engine = get_engine(url)
    inspector = inspect(engine)
    keys = {fk["constrained_columns"][0]: fk for fk in inspector.get_foreign_keys("exports")}
    assert {column: fk["referred_table"] for column, fk in keys.items()} == {
        "job_id": "jobs",
        "source_model_id": "models",
        "registered_model_id": "models",
    }
    assert all(fk["options"].get("ondelete") == "SET NULL" for fk in keys.values())

    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO models (id, name, kind, source, path, has_chat_template, size_bytes, "
                "created_at) VALUES (:id, :name, :kind, 's', :name, 0, 0, '2026-12-09')"
            ),
            [
                {"id": 1, "name": "base", "kind": "base"},
                {"id": 2, "name": "lora", "kind": "adapter"},
                {"id": 3, "name": "merged", "kind": "base"},
            ],
        )
        conn.execute(
            text(
                "INSERT INTO jobs (id, kind, params, status, priority, attempts, max_attempts, "
                "gpus, slot, resources, run_after, cancel_requested, created_at) VALUES "
                "(1, 'export', '{}', 'succeeded', 0, 1, 2, 0, 'aux', '{}', '2026-12-09', 0, "
                "'2026-12-09')"
            )
        )
        conn.execute(text(INSERT_EXPORT), {"format": "gguf", "sha": "a" * 64})
    for bad in ({"format": "onnx", "sha": "b" * 64}, {"format": "gguf", "sha": "c" * 64}):
        # an unknown format; a second export of the same job
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(INSERT_EXPORT), bad)

    with engine.begin() as conn:
        conn.execute(text("DELETE FROM models WHERE id IN (2, 3)"))
        conn.execute(text("DELETE FROM jobs WHERE id = 1"))
        row = conn.execute(
            text("SELECT job_id, source_model_id, registered_model_id, name FROM exports")
        ).one()
    assert tuple(row) == (None, None, None, "x")

    migrate.downgrade(url, "0004")
    tables = set(inspect(get_engine(url)).get_table_names())
    assert "exports" not in tables and {"models", "jobs", "chat_threads"} <= tables
    reset_engines()
