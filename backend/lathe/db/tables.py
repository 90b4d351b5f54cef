"""ORM tables. Every change here comes with an Alembic migration in migrations/versions."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lathe.db.base import Base
from lathe.db.types import UTCDateTime

MODEL_KINDS = ("base", "adapter")


def utcnow() -> datetime:
    return datetime.now(UTC)


class ModelRow(Base):
    """A base model or a trained adapter, stored under LATHE_HOME/models/<name>."""

    __tablename__ = "models"
    __table_args__ = (CheckConstraint(f"kind IN {MODEL_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="base")
    source: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text, doc="Folder relative to LATHE_HOME/models.")
    architecture: Mapped[str | None] = mapped_column(String(128))
    model_type: Mapped[str | None] = mapped_column(String(64))
    parameter_count: Mapped[int | None] = mapped_column(BigInteger)
    num_layers: Mapped[int | None]
    hidden_size: Mapped[int | None]
    vocab_size: Mapped[int | None]
    context_length: Mapped[int | None]
    dtype: Mapped[str | None] = mapped_column(String(32))
    has_chat_template: Mapped[bool] = mapped_column(default=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("models.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
