"""The names of dataset file types and formats (a leaf module: the dataset code and the API
schemas both import it)."""

from __future__ import annotations

from typing import Literal

FileType = Literal["jsonl", "json", "csv", "parquet", "txt"]
SourceFormat = Literal["messages", "sharegpt", "alpaca", "prompt_completion", "text", "preference"]
CanonicalFormat = Literal["messages", "text", "preference"]
# What an upload asks for: detect the format, read it as a given one, or keep the columns as a
# `table` (every value a string; nested values as JSON) for a recipe to reshape.
ImportFormat = Literal[
    "auto", "messages", "sharegpt", "alpaca", "prompt_completion", "text", "preference", "table"
]
StoredFormat = Literal["messages", "text", "preference", "table"]
Role = Literal["system", "user", "assistant", "tool"]
