"""What every export starts from, loaded the way users load it: the tokenizer the adapter was
trained with, the base model in float32 on the CPU, and the adapter on top of it with PEFT.
Exports run on the CPU in float32 so the verification numbers mean the same on every machine."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from lathe.errors import InvalidInput
from lathe.inference.loader import PEFT_DEPRECATION
from lathe.models.reasons import short_reason

if TYPE_CHECKING:
    from peft import PeftModel
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

# The field of the export's config that names the adapter (and through it, its base).
SOURCE_FIELD = "source"
ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"


def tokenizer_folder(adapter_dir: Path, base_dir: Path) -> Path:
    """Training saves the tokenizer next to the adapter (it may have grown); older or imported
    adapters have none, and use their base's."""
    if (adapter_dir / "tokenizer_config.json").is_file():
        return adapter_dir
    return base_dir


def load_tokenizer(folder: Path) -> PreTrainedTokenizerBase:
    from transformers import AutoTokenizer

    try:
        tokenizer: PreTrainedTokenizerBase = AutoTokenizer.from_pretrained(
            str(folder), local_files_only=True
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InvalidInput(
            f"cannot load the tokenizer in {folder}: {short_reason(error)}", field=SOURCE_FIELD
        ) from error
    return tokenizer


def load_base(base_dir: Path, vocab_size: int) -> PreTrainedModel:
    """The base model in float32 on the CPU, in eval mode, its embeddings grown to
    `vocab_size` when the adapter's tokenizer added tokens."""
    import torch
    from transformers import AutoModelForCausalLM

    try:
        model: PreTrainedModel = AutoModelForCausalLM.from_pretrained(
            str(base_dir), dtype=torch.float32, local_files_only=True
        )
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        raise InvalidInput(
            f"cannot load the base model in {base_dir}: {short_reason(error)}",
            field=SOURCE_FIELD,
        ) from error
    embeddings = model.get_input_embeddings()
    if isinstance(embeddings, torch.nn.Embedding) and vocab_size > embeddings.num_embeddings:
        model.resize_token_embeddings(vocab_size)
    model.train(False)
    return model


def attach_adapter(model: PreTrainedModel, adapter_dir: Path, name: str) -> PeftModel:
    """`model` with the PEFT adapter in `adapter_dir` injected (in place) as adapter `name`."""
    from peft import PeftModel

    try:
        with warnings.catch_warnings():
            # peft 0.21 asks transformers 5 a deprecated question; nothing for a user to do.
            warnings.filterwarnings("ignore", PEFT_DEPRECATION, FutureWarning)
            wrapped: PeftModel = PeftModel.from_pretrained(
                model, str(adapter_dir), adapter_name=name
            )
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        # RuntimeError: weights that do not fit the architecture (an adapter of another base).
        raise InvalidInput(
            f"cannot load the adapter in {adapter_dir} onto its base: {short_reason(error)}",
            field=SOURCE_FIELD,
        ) from error
    wrapped.train(False)
    return wrapped


def load_another_adapter(model: PeftModel, adapter_dir: Path, name: str) -> None:
    """Load a second adapter into `model` and make it the active one."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", PEFT_DEPRECATION, FutureWarning)
        model.load_adapter(str(adapter_dir), adapter_name=name)
    model.set_adapter(name)
    model.train(False)
