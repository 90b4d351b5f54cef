"""One set of base weights the chat engine serves: its decode thread, and the PEFT adapters
loaded on it by name, so a base model and several of its adapters share one copy of the weights
and one decode batch (each row runs its own adapter)."""

from __future__ import annotations

import time
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lathe.errors import InvalidInput
from lathe.inference.loader import PEFT_DEPRECATION
from lathe.inference.model_files import FolderIdentity
from lathe.inference.scheduler import DecodeScheduler
from lathe.models.reasons import short_reason

if TYPE_CHECKING:
    import torch
    from transformers import DynamicCache, PreTrainedModel

# What peft's mixed-batch forward calls the rows that use no adapter.
PEFT_BASE_ROW = "__base__"


def module_bytes(model: torch.nn.Module) -> int:
    tensors = [*model.parameters(), *model.buffers()]
    return sum(t.numel() * t.element_size() for t in tensors)


class ServedModel:
    def __init__(
        self,
        label: str,
        model: PreTrainedModel,
        device: torch.device,
        *,
        max_batch: int,
    ) -> None:
        self.label = label
        self.device = device
        self._model: Any = model
        self._peft = False
        # Loaded adapters by peft name, least recently used first, with the folder they came from.
        self._adapters: OrderedDict[str, FolderIdentity] = OrderedDict()
        self._adapter_labels: dict[str, str] = {}  # peft name -> registered name
        self.bytes = module_bytes(model)
        self.last_used = time.monotonic()
        self.broken = False
        # The scores' width: the output layer's, which may exceed the tokenizer's vocabulary.
        vocab_size = int(model.config.get_text_config().vocab_size)
        self.scheduler = DecodeScheduler(
            label, self._forward, device=device, vocab_size=vocab_size, max_batch=max_batch
        )

    @property
    def generation_config(self) -> Any:
        return self._model.generation_config

    @property
    def adapters(self) -> list[str]:
        """The registered names of the loaded adapters."""
        return sorted(self._adapter_labels.get(name, name) for name in list(self._adapters))

    def touch(self) -> None:
        self.last_used = time.monotonic()

    def ensure_adapter(
        self, name: str, label: str, folder: Path, identity: FolderIdentity, max_adapters: int
    ) -> None:
        """Load the adapter in `folder` (registered as `label`) as `name` unless that exact
        folder is loaded already, dropping the least recently used idle adapter when more than
        `max_adapters` are."""
        self._adapter_labels[name] = label
        if self._adapters.get(name) == identity:
            self._adapters.move_to_end(name)
            return
        self.scheduler.call(lambda: self._load_adapter(name, folder, identity, max_adapters))

    def _load_adapter(
        self, name: str, folder: Path, identity: FolderIdentity, max_adapters: int
    ) -> None:
        # Runs on the decode thread, between two forward passes.
        from peft import PeftModel

        if self._adapters.get(name) == identity:  # another request loaded it meanwhile
            self._adapters.move_to_end(name)
            return
        if name in self._adapters:  # the same name from a folder imported again
            self._drop_adapter(name)
        for idle in [a for a in self._adapters if not self.scheduler.uses_adapter(a)]:
            if len(self._adapters) < max_adapters:
                break
            self._drop_adapter(idle)
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", PEFT_DEPRECATION, FutureWarning)
                if self._peft:
                    self._model.load_adapter(str(folder), adapter_name=name)
                else:
                    self._model = PeftModel.from_pretrained(
                        self._model, str(folder), adapter_name=name
                    )
                    self._peft = True
        except (OSError, ValueError, KeyError, RuntimeError) as error:
            # A half-applied adapter may remain in the layers: serve these weights no more.
            self.broken = True
            raise InvalidInput(
                f"cannot load the adapter in {folder}: {short_reason(error)}", field="adapter"
            ) from error
        self._model.train(False)
        self._adapters[name] = identity
        self.bytes = module_bytes(self._model)

    def _drop_adapter(self, name: str) -> None:
        self._model.delete_adapter(name)
        del self._adapters[name]

    def _forward(
        self,
        input_ids: torch.Tensor,
        cache: DynamicCache,
        adapters: list[str | None],
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        extra: dict[str, Any] = {}
        if self._peft:
            extra["adapter_names"] = [name or PEFT_BASE_ROW for name in adapters]
        output = self._model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            position_ids=position_ids,
            past_key_values=cache,
            use_cache=True,
            # Only the last position's scores are sampled; skip the rest of the vocabulary matmul.
            logits_to_keep=1,
            **extra,
        )
        logits: torch.Tensor = output.logits[:, -1]
        return logits

    def close(self) -> None:
        self.scheduler.close()
