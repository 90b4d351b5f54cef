"""A transformers Llama model and its tokenizer written as one llama.cpp GGUF file with the
`gguf` package's GGUFWriter: architecture metadata, vocabulary and chat template, then every
tensor converted and quantised one at a time and streamed to disk, so memory holds the model
plus one tensor, never a second copy of the model. The file appears under its final name only
once complete."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from gguf import GGML_QUANT_VERSION, GGUFWriter

from lathe.export.artifacts.files import partial_name
from lathe.export.artifacts.gguf_arch import GGUF_ARCH, add_architecture, check_architecture
from lathe.export.artifacts.gguf_tensors import FILE_TYPES, plan_tensors, tensor_data
from lathe.export.artifacts.gguf_tokenizer import add_vocab, gguf_vocab
from lathe.export.spec import Log

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

# (tensors written, tensors in all)
TensorProgress = Callable[[int, int], None]


@dataclass
class GgufWriteStats:
    quantise_seconds: float = 0.0
    write_seconds: float = 0.0
    tensor_types: dict[str, int] = field(default_factory=dict)


EMBEDDINGS = "model.embed_tokens.weight"
OUTPUT = "lm_head.weight"


def _is_tied(state: dict[str, torch.Tensor]) -> bool:
    """Whether the output matrix is the embedding matrix (one tensor under two names)."""
    output = state.get(OUTPUT)
    return output is None or output.data_ptr() == state[EMBEDDINGS].data_ptr()


def write_gguf(
    dest: Path,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    *,
    quant: str,
    name: str,
    log: Log,
    on_tensor: TensorProgress | None = None,
) -> GgufWriteStats:
    """Write `model` (float weights) and `tokenizer` to the GGUF file `dest`. InvalidInput
    (field format) for an architecture or tokenizer the llama GGUF format cannot carry."""
    arch = check_architecture(model.config, type(model).__name__)
    state = model.state_dict()
    vocab = gguf_vocab(tokenizer, vocab_size=int(state[EMBEDDINGS].shape[0]))
    plans = plan_tensors(
        {key: tuple(value.shape) for key, value in state.items()},
        arch=arch,
        quant=quant,
        tied=_is_tied(state),
        log=log,
    )
    stats = GgufWriteStats(tensor_types=dict(Counter(plan.qtype.name for plan in plans)))
    started = time.perf_counter()
    work = partial_name(dest)
    writer = GGUFWriter(work, GGUF_ARCH)
    try:
        writer.add_name(name)
        writer.add_file_type(FILE_TYPES[quant])
        writer.add_quantization_version(GGML_QUANT_VERSION)
        add_architecture(writer, arch, vocab_size=len(vocab.tokens))
        add_vocab(writer, vocab)
        for plan in plans:
            writer.add_tensor_info(
                plan.name, plan.shape, np.dtype(np.float32), plan.nbytes, plan.qtype
            )
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_ti_data_to_file()
        stats.write_seconds += time.perf_counter() - started
        for index, plan in enumerate(plans, start=1):
            begun = time.perf_counter()
            data = tensor_data(plan, state[plan.source])
            written = time.perf_counter()
            writer.write_tensor_data(data)
            stats.quantise_seconds += written - begun
            stats.write_seconds += time.perf_counter() - written
            if on_tensor is not None:
                on_tensor(index, len(plans))
        writer.close()
    except BaseException:
        writer.close()
        work.unlink(missing_ok=True)
        raise
    work.replace(dest)
    return stats
