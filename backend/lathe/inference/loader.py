"""Loading a registered model for generation: a base model, or a base model with its PEFT
adapter merged in, on the best device here (the first CUDA GPU in bf16/fp16, else the CPU in
float32). The last few loaded stay cached per process, keyed by folder identity; the chat
engine keeps its own cache (lathe.inference.engine) and shares only `load_weights`."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from lathe.errors import InvalidInput
from lathe.inference.model_files import FolderIdentity, folder_identity, model_files
from lathe.models.reasons import short_reason
from lathe.settings import Settings
from lathe.training.tokens import load_tokenizer

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

MODEL_CACHE_SIZE = 2
PEFT_DEPRECATION = "`is_gradient_checkpointing` is deprecated"


@dataclass(frozen=True)
class LoadedModel:
    name: str
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    device: torch.device

    @property
    def context_length(self) -> int | None:
        value = getattr(self.model.config, "max_position_embeddings", None)
        return value if isinstance(value, int) else None


def device_and_dtype() -> tuple[torch.device, torch.dtype]:
    import torch

    if torch.cuda.is_available():
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.device("cuda", 0), dtype
    return torch.device("cpu"), torch.float32


def load_weights(
    base: Path, adapter: Path | None = None, vocab_size: int = 0
) -> tuple[PreTrainedModel, torch.device]:
    """A base model in eval mode on the best device here, with the PEFT adapter in `adapter`
    merged into its weights when given. `vocab_size`: the size of the adapter's own tokenizer
    (0 when it has none)."""
    import torch
    from transformers import AutoModelForCausalLM

    device, dtype = device_and_dtype()
    folder = base
    try:
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, local_files_only=True)
        if adapter is not None:
            from peft import PeftModel

            folder = adapter
            # An adapter trained with added tokens needs the embeddings grown to match first.
            embeddings = model.get_input_embeddings()
            if (
                isinstance(embeddings, torch.nn.Embedding)
                and vocab_size > embeddings.num_embeddings
            ):
                model.resize_token_embeddings(vocab_size)
            with warnings.catch_warnings():
                # peft 0.21 asks transformers 5 a deprecated question; nothing for a user to do.
                warnings.filterwarnings("ignore", PEFT_DEPRECATION, FutureWarning)
                model = PeftModel.from_pretrained(model, folder).merge_and_unload()
    except torch.OutOfMemoryError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        # RuntimeError: weights that do not fit the architecture (an adapter of another base).
        raise InvalidInput(
            f"cannot load the model in {folder}: {short_reason(error)}", field="model"
        ) from error
    torch.nn.Module.to(model, device)  # in place; transformers' typed wrapper of .to is wrong
    model.train(False)
    return model, device


@lru_cache(maxsize=MODEL_CACHE_SIZE)
def _load(
    base: FolderIdentity, adapter: FolderIdentity | None, vocab_size: int
) -> tuple[PreTrainedModel, torch.device]:
    return load_weights(Path(base[0]), Path(adapter[0]) if adapter else None, vocab_size)


def load_model(settings: Settings, ref: str) -> LoadedModel:
    """The registered model (name or id) ready for generation, with its tokenizer."""
    files = model_files(settings, ref)
    tokenizer = load_tokenizer(settings, ref)
    adapter = folder_identity(files.adapter) if files.adapter is not None else None
    vocab_size = len(tokenizer) if files.tokenizer_folder == files.adapter else 0
    model, device = _load(folder_identity(files.base), adapter, vocab_size)
    return LoadedModel(name=files.name, model=model, tokenizer=tokenizer, device=device)


def clear_model_cache() -> None:
    """Drop every cached model (frees its memory once no caller holds it)."""
    _load.cache_clear()
