"""Model registry schemas: rows as the API returns them, import/pull requests, pull progress."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MODEL_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
DEFAULT_MODEL_KEY = "smollm2-135m-instruct"


class ModelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: Literal["base", "adapter"]
    source: str = Field(
        description="Where it came from: builtin:<key>, path:<dir>, gguf:<file>, hub:<id>."
    )
    path: str = Field(description="Folder under LATHE_HOME/models.")
    architecture: str | None = Field(description="transformers class, e.g. LlamaForCausalLM.")
    model_type: str | None
    parameter_count: int | None
    num_layers: int | None
    hidden_size: int | None
    vocab_size: int | None
    context_length: int | None
    dtype: str | None
    has_chat_template: bool
    size_bytes: int
    parent_id: int | None
    created_at: datetime


class ModelPage(BaseModel):
    items: list[ModelOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null at the end."
    )


class ModelImportRequest(BaseModel):
    source: str = Field(
        min_length=1,
        description="A local HF model folder, a local .gguf file, or a hub id (ORG/NAME).",
    )
    name: str | None = Field(
        default=None,
        pattern=MODEL_NAME_PATTERN,
        description="Registry name; defaults to the folder, file or repo name.",
    )


class ModelPullRequest(BaseModel):
    key: str = Field(default=DEFAULT_MODEL_KEY, description="A built-in model key.")


class BuiltinModelOut(BaseModel):
    key: str
    display_name: str
    description: str
    download_bytes: int = Field(description="Approximate download size.")
    pulled: bool
    model_id: int | None = Field(description="Registry id once pulled.")


class ProgressEvent(BaseModel):
    """One step of a long model operation (download, extract, convert, save, register)."""

    stage: str
    message: str
    completed: int | None = None
    total: int | None = None
