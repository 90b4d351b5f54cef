"""Dataset schemas: canonical rows and the report of scanning an uploaded file."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

FileType = Literal["jsonl", "json", "csv", "parquet", "txt"]
SourceFormat = Literal["messages", "sharegpt", "alpaca", "prompt_completion", "text", "preference"]
CanonicalFormat = Literal["messages", "text", "preference"]
Role = Literal["system", "user", "assistant", "tool"]

# Which canonical schema each source format maps onto.
CANONICAL_OF: dict[str, CanonicalFormat] = {
    "messages": "messages",
    "sharegpt": "messages",
    "alpaca": "messages",
    "prompt_completion": "messages",
    "text": "text",
    "preference": "preference",
}


class Message(BaseModel):
    role: Role
    content: str


class MessagesRow(BaseModel):
    """Canonical `messages`: a conversation with at least one assistant turn."""

    messages: list[Message]


class TextRow(BaseModel):
    """Canonical `text`: raw text for continued pretraining."""

    text: str


class PreferenceRow(BaseModel):
    """Canonical `preference`: the prompt turns, then the chosen and rejected replies (each a
    list of messages, usually one assistant turn)."""

    prompt: list[Message]
    chosen: list[Message]
    rejected: list[Message]


CanonicalRow = MessagesRow | TextRow | PreferenceRow


class Problem(BaseModel):
    line: int | None = Field(description="1-based line in the file; null for Parquet.")
    record: int = Field(description="1-based record number (CSV/Parquet: data row number).")
    reason: str = Field(description="What is wrong, starting with its location.")


class RowCounts(BaseModel):
    total: int = Field(description="Records read from the file.")
    valid: int = Field(description="Records kept after normalisation.")
    skipped: int = Field(description="Records skipped, each with a problem.")


class DetectionReport(BaseModel):
    file_type: FileType
    format: SourceFormat = Field(description="The source format detected in the file.")
    canonical_format: CanonicalFormat = Field(description="The schema the rows are stored in.")
    columns: list[str] = Field(description="Top-level fields seen in the file.")
    rows: RowCounts
    samples: list[dict[str, Any]] = Field(description="The first rows, in canonical form.")
    problems: list[Problem] = Field(description="Skipped rows, in file order, capped.")
    problem_count: int = Field(description="All problems found, including those not listed.")
