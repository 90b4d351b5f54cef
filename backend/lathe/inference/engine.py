"""The chat engine: registered models served for chat, each base model's weights loaded once
and kept in a least-recently-used cache under a memory budget, adapters applied per request on
top of their base (or merged into a copy of it when they change more than LoRA layers), and
every generation handed to its model's decode thread."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lathe.errors import Conflict, InvalidInput, NotFound
from lathe.inference.loader import device_and_dtype, load_weights
from lathe.inference.model_files import FolderIdentity, folder_identity, model_files
from lathe.inference.sampling import ChatSampling
from lathe.inference.scheduler import GenerationRequest
from lathe.inference.served import ServedModel
from lathe.inference.stops import stop_token_ids
from lathe.inference.streams import GenerationStream
from lathe.models.registry import get_model, resolve_model
from lathe.settings import Settings
from lathe.training.tokens import load_tokenizer

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

    from lathe.db.tables import ModelRow

MIB = 1 << 20
# Base folder, and the adapter merged into that copy of the weights (None: plain base weights).
ServedKey = tuple[FolderIdentity, FolderIdentity | None]


class MemoryBudgetExceeded(Conflict):
    code = "memory_budget_exceeded"


@dataclass(frozen=True)
class ChatTarget:
    """What a request chats with: a base model, or an adapter applied on its base."""

    name: str
    base: str
    adapter: str | None
    served: ServedModel
    peft_name: str | None
    tokenizer: PreTrainedTokenizerBase
    context_length: int | None
    stop_ids: frozenset[int]


@dataclass(frozen=True)
class LoadedInfo:
    label: str
    adapters: list[str]
    bytes: int
    busy: int


def _adapter_needs_merge(adapter: Path) -> bool:
    """Whether an adapter changes more than LoRA layers (its own embeddings, a grown vocabulary,
    another PEFT method), so it cannot share its base's weights with other rows."""
    try:
        config = json.loads((adapter / "adapter_config.json").read_text())
    except (OSError, ValueError) as error:
        raise InvalidInput(
            f"the adapter in {adapter} has no readable adapter_config.json", field="adapter"
        ) from error
    return config.get("peft_type") != "LORA" or bool(config.get("modules_to_save"))


def _resolve(settings: Settings, ref: str, field: str) -> ModelRow:
    try:
        return resolve_model(settings, ref)
    except NotFound as error:
        raise NotFound(error.message, field=field) from error


def _estimated_bytes(row: ModelRow, folder: Path) -> int:
    """The memory a model will take once loaded, before loading it."""
    _, dtype = device_and_dtype()
    if row.parameter_count:
        return int(row.parameter_count) * dtype.itemsize
    files = [*folder.glob("*.safetensors"), *folder.glob("*.bin")]
    return sum(f.stat().st_size for f in files)


class ChatEngine:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._served: dict[ServedKey, ServedModel] = {}
        self._loading: dict[ServedKey, threading.Lock] = {}

    @property
    def budget_bytes(self) -> int:
        return int(self._settings.inference_memory_budget_mb * MIB)

    # --- targets -------------------------------------------------------------------------------

    def target(self, model: str, adapter: str | None = None) -> ChatTarget:
        """Resolve a model (a base or an adapter, by name or id) and optionally an adapter of
        that base, loading the weights when they are not loaded yet."""
        settings = self._settings
        row = _resolve(settings, model, "model")
        if adapter is None:
            if row.kind == "adapter":
                return self._target(row.name, self._base_of(row), row)
            return self._target(row.name, row, None)
        if row.kind == "adapter":
            raise InvalidInput(
                f"model {row.name} is an adapter; give its base model as the model",
                field="model",
            )
        adapter_row = _resolve(settings, adapter, "adapter")
        if adapter_row.kind != "adapter":
            raise InvalidInput(f"{adapter_row.name} is not an adapter", field="adapter")
        if adapter_row.parent_id != row.id:
            raise InvalidInput(
                f"adapter {adapter_row.name} was trained on "
                f"{self._base_of(adapter_row).name}, not on {row.name}",
                field="adapter",
            )
        return self._target(adapter_row.name, row, adapter_row)

    def _base_of(self, adapter: ModelRow) -> ModelRow:
        if adapter.parent_id is None:
            raise InvalidInput(f"adapter {adapter.name} has no base model recorded", field="model")
        return get_model(self._settings, adapter.parent_id)

    def _target(self, name: str, base: ModelRow, adapter: ModelRow | None) -> ChatTarget:
        settings = self._settings
        files = model_files(settings, adapter.name if adapter is not None else base.name)
        tokenizer = load_tokenizer(settings, adapter.name if adapter is not None else base.name)
        base_key: ServedKey = (folder_identity(files.base), None)
        peft_name: str | None = None
        if adapter is None or files.adapter is None:
            served = self._served_model(base_key, base, files.base, None, 0)
        else:
            adapter_id = folder_identity(files.adapter)
            grown = files.tokenizer_folder == files.adapter and len(tokenizer) > (
                base.vocab_size or 0
            )
            if grown or _adapter_needs_merge(files.adapter):
                vocab = len(tokenizer) if grown else 0
                key: ServedKey = (base_key[0], adapter_id)
                served = self._served_model(key, base, files.base, files.adapter, vocab)
            else:
                served = self._served_model(base_key, base, files.base, None, 0)
                peft_name = f"adapter_{adapter.id}"
                served.ensure_adapter(
                    peft_name,
                    adapter.name,
                    files.adapter,
                    adapter_id,
                    settings.inference_max_adapters,
                )
                if served.broken:
                    self._drop(base_key)
        return ChatTarget(
            name=name,
            base=base.name,
            adapter=adapter.name if adapter is not None else None,
            served=served,
            peft_name=peft_name,
            tokenizer=tokenizer,
            context_length=base.context_length,
            stop_ids=frozenset(stop_token_ids(served.generation_config, tokenizer)),
        )

    # --- generation -------------------------------------------------------------------------------

    def generate(
        self,
        target: ChatTarget,
        prompt_ids: list[int],
        sampling: ChatSampling,
        max_new_tokens: int,
    ) -> GenerationStream:
        target.served.touch()
        return target.served.scheduler.submit(
            GenerationRequest(
                prompt_ids=prompt_ids,
                sampling=sampling,
                max_new_tokens=max_new_tokens,
                stop_ids=target.stop_ids,
                tokenizer=target.tokenizer,
                adapter=target.peft_name,
            )
        )

    # --- the cache ------------------------------------------------------------------------------

    def _served_model(
        self,
        key: ServedKey,
        row: ModelRow,
        base: Path,
        merged_adapter: Path | None,
        vocab_size: int,
    ) -> ServedModel:
        with self._lock:
            served = self._served.get(key)
            if served is not None:
                served.touch()
                return served
            loading = self._loading.setdefault(key, threading.Lock())
        # One load per model at a time; requests for other models go on meanwhile.
        with loading:
            with self._lock:
                served = self._served.get(key)
                if served is not None:
                    return served
            self._make_room(_estimated_bytes(row, base))
            model, device = load_weights(base, merged_adapter, vocab_size)
            label = row.name if merged_adapter is None else f"{row.name}+{merged_adapter.name}"
            served = ServedModel(label, model, device, max_batch=self._settings.inference_max_batch)
            with self._lock:
                self._served[key] = served
                self._loading.pop(key, None)
            return served

    def _make_room(self, needed: int) -> None:
        """Unload idle models, least recently used first, until `needed` bytes fit."""
        budget = self.budget_bytes
        while True:
            with self._lock:
                used = sum(s.bytes for s in self._served.values())
                if used + needed <= budget:
                    return
                idle = sorted(
                    (s.last_used, key) for key, s in self._served.items() if not s.scheduler.busy
                )
                if not idle:
                    raise MemoryBudgetExceeded(
                        f"the model needs about {needed // MIB} MiB but the chat engine has "
                        f"{max(budget - used, 0) // MIB} of {budget // MIB} MiB free and every "
                        "loaded model is in use; raise LATHE_INFERENCE_MEMORY_BUDGET_MB or "
                        "unload a model",
                        field="model",
                    )
                victim = self._served.pop(idle[0][1])
            victim.close()

    def _drop(self, key: ServedKey) -> None:
        with self._lock:
            served = self._served.pop(key, None)
        if served is not None:
            served.close()

    # --- load / unload / list -------------------------------------------------------------------

    def loaded(self) -> list[LoadedInfo]:
        with self._lock:
            served = sorted(self._served.values(), key=lambda s: s.label)
        return [
            LoadedInfo(label=s.label, adapters=s.adapters, bytes=s.bytes, busy=s.scheduler.busy)
            for s in served
        ]

    def unload(self, model: str) -> int:
        """Unload every copy of the weights of a base model (with its adapters) or the merged
        copy of an adapter; generations still running on it fail. Returns how many were."""
        files = model_files(self._settings, model)
        base_id = folder_identity(files.base)
        adapter_id = folder_identity(files.adapter) if files.adapter is not None else None
        with self._lock:
            keys = [
                key
                for key in self._served
                if key[0] == base_id and (adapter_id is None or key[1] == adapter_id)
            ]
        for key in keys:
            self._drop(key)
        return len(keys)

    def __enter__(self) -> ChatEngine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every decode thread and drop every model."""
        with self._lock:
            served, self._served = list(self._served.values()), {}
        for model in served:
            model.close()
