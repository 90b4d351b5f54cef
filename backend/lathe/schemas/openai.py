"""The OpenAI-compatible API's shapes (/v1): chat completions, completions, models, errors.
Requests carry the chat sampling controls under OpenAI's names, plus Lathe's extensions
(top_k, min_p, repetition_penalty, adapter, truncate, chat_template); unknown fields that
OpenAI clients send are ignored."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lathe.inference.sampling import ChatSampling
from lathe.inference.streams import FinishReason

ChatRole = Literal["system", "user", "assistant", "tool"]


class TextPart(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["text"] = Field(description="Only text parts are supported.")
    text: str


class ChatMessageIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: ChatRole
    content: str | list[TextPart] | None = Field(
        default=None, description="Text, or a list of text parts (joined)."
    )
    name: str | None = None
    tool_call_id: str | None = None

    def as_template_message(self) -> dict[str, str]:
        """The message as chat templates read it: role and plain-text content."""
        content = self.content
        text = "".join(p.text for p in content) if isinstance(content, list) else content or ""
        return {"role": self.role, "content": text}


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = Field(
        default=False, description="Send a last chunk with token counts and no choices."
    )


class GenerationOptions(ChatSampling):
    """What both completion endpoints take besides the prompt."""

    model: str = Field(min_length=1, description="A registered model or adapter (name or id).")
    adapter: str | None = Field(
        default=None, description="Lathe: an adapter of `model` to apply (or name it as model)."
    )
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int = Field(default=1, description="Only 1 is supported.")
    truncate: bool = Field(
        default=False,
        description="Lathe: drop the oldest part of a prompt that does not fit the context, "
        "instead of refusing it.",
    )
    user: str | None = None

    @field_validator("n", mode="after")
    @classmethod
    def _one_choice(cls, value: int) -> int:
        if value != 1:
            raise ValueError("only n=1 is supported")
        return value

    @property
    def include_usage(self) -> bool:
        return self.stream_options is not None and self.stream_options.include_usage


class ChatCompletionRequest(GenerationOptions):
    messages: list[ChatMessageIn] = Field(min_length=1)
    max_completion_tokens: int | None = Field(
        default=None, ge=1, description="OpenAI's newer name for max_tokens."
    )
    chat_template: str | None = Field(
        default=None,
        description="Lathe: a Jinja chat template for models whose tokenizer has none.",
    )

    @model_validator(mode="after")
    def _newer_budget_name(self) -> ChatCompletionRequest:
        if self.max_completion_tokens is not None and self.max_tokens is None:
            self.max_tokens = self.max_completion_tokens
        return self


class CompletionRequest(GenerationOptions):
    prompt: str | list[str] = Field(description="Text to continue (a list of one text).")
    max_tokens: int | None = Field(default=16, ge=1, description="Most tokens generated.")

    @field_validator("prompt", mode="after")
    @classmethod
    def _one_prompt(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list) and len(value) != 1:
            raise ValueError("only one prompt per request is supported")
        return value

    @property
    def prompt_text(self) -> str:
        return self.prompt[0] if isinstance(self.prompt, list) else self.prompt


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: FinishReason
    logprobs: None = None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage


class ChatDelta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChatChunkChoice(BaseModel):
    index: int = 0
    delta: ChatDelta
    finish_reason: FinishReason | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChatChunkChoice]
    usage: Usage | None = None


class CompletionChoice(BaseModel):
    index: int = 0
    text: str
    finish_reason: FinishReason | None = None
    logprobs: None = None


class Completion(BaseModel):
    """A whole completion, or (object text_completion, streamed) one chunk of it."""

    id: str
    object: Literal["text_completion"] = "text_completion"
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: Usage | None = None


class OpenAIModel(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "lathe"
    parent: str | None = Field(default=None, description="An adapter's base model.")


class OpenAIModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[OpenAIModel]


class OpenAIErrorBody(BaseModel):
    message: str
    type: str = Field(description="invalid_request_error, authentication_error, server_error.")
    param: str | None = Field(description="The request field at fault, when one is.")
    code: str | None = Field(description="Lathe's error code (not_found, invalid_input, ...).")


class OpenAIErrorResponse(BaseModel):
    error: OpenAIErrorBody


def openai_error(status: int, code: str, message: str, details: Any = None) -> OpenAIErrorResponse:
    """Lathe's error as OpenAI clients read it; the first field at fault becomes `param`."""
    param = None
    if isinstance(details, list) and details and isinstance(details[0], dict):
        field = details[0].get("field")
        param = str(field) if field is not None else None
    if status == 401:
        kind = "authentication_error"
    elif status >= 500:
        kind = "server_error"
    else:
        kind = "invalid_request_error"
    return OpenAIErrorResponse(
        error=OpenAIErrorBody(message=message, type=kind, param=param, code=code)
    )
