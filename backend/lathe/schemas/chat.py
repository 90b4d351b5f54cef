"""Chat schemas outside /v1: the engine's loaded models, playground threads and messages, and
the side-by-side comparison stream."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lathe.inference.sampling import ChatSampling
from lathe.inference.streams import FinishReason
from lathe.schemas.common import ErrorBody
from lathe.schemas.openai import ChatMessageIn, ChatRole, Usage

MAX_COMPARE_TARGETS = 4


class LoadedModelOut(BaseModel):
    label: str = Field(description="The base model (or adapter merged into its own copy).")
    adapters: list[str] = Field(description="Adapters loaded on these weights.")
    bytes: int = Field(description="Memory the weights and adapters take.")
    busy: int = Field(description="Generations waiting or running on it.")


class LoadedModels(BaseModel):
    budget_bytes: int = Field(description="LATHE_INFERENCE_MEMORY_BUDGET_MB, in bytes.")
    items: list[LoadedModelOut]


class ModelLoadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, description="A registered model or adapter.")
    adapter: str | None = Field(default=None, description="An adapter of `model` to load too.")


class ModelUnloadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, description="A base model, or an adapter merged alone.")


class ChatThreadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=200)
    model: str | None = Field(default=None, max_length=128)
    adapter: str | None = Field(default=None, max_length=128)
    system_prompt: str = ""
    params: ChatSampling = Field(default_factory=ChatSampling)


class ChatThreadUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=200)
    model: str | None = Field(default=None, max_length=128)
    adapter: str | None = Field(default=None, max_length=128)
    system_prompt: str | None = None
    params: ChatSampling | None = None


class ChatThreadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    model: str | None
    adapter: str | None
    system_prompt: str
    params: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class ChatThreadPage(BaseModel):
    items: list[ChatThreadOut]
    next_cursor: str | None


class ChatMessageCreate(BaseModel):
    """A message of a thread. A reply records what wrote it: model, adapter, sampling, how it
    finished and its token counts (the usage /v1 returned)."""

    model_config = ConfigDict(extra="forbid")

    role: ChatRole
    content: str
    model: str | None = Field(default=None, max_length=128)
    adapter: str | None = Field(default=None, max_length=128)
    params: ChatSampling | None = None
    finish_reason: FinishReason | None = None
    prompt_tokens: int | None = Field(default=None, ge=0)
    completion_tokens: int | None = Field(default=None, ge=0)


class ChatMessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    thread_id: int
    role: ChatRole
    content: str
    model: str | None
    adapter: str | None
    params: dict[str, Any] | None
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    created_at: datetime


class ChatMessagePage(BaseModel):
    items: list[ChatMessageOut]
    next_cursor: str | None


class CompareTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1)
    adapter: str | None = None


class CompareRequest(ChatSampling):
    """One conversation answered by several models at once, with the same sampling."""

    model_config = ConfigDict(extra="forbid")

    messages: list[ChatMessageIn] = Field(min_length=1)
    targets: list[CompareTarget] = Field(min_length=2, max_length=MAX_COMPARE_TARGETS)
    truncate: bool = False
    chat_template: str | None = None


class CompareDelta(BaseModel):
    target: int = Field(description="Index into the request's targets.")
    model: str
    text: str


class CompareDone(BaseModel):
    target: int
    model: str
    finish_reason: FinishReason
    usage: Usage


class CompareFailed(BaseModel):
    target: int
    model: str
    error: ErrorBody


CompareEventType = Literal["delta", "done", "error"]
