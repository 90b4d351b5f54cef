"""The tokenizer as llama.cpp's `gpt2` (byte-level BPE) vocabulary: tokens in id order with their
types, merges, special token ids, whether BOS/EOS are added, the pre-tokenizer's llama.cpp name,
and the chat template. Built the way llama.cpp's converter builds it (get_vocab_base): ids the
tokenizer does not use become `[PAD<id>]` tokens of type UNUSED, added special tokens are
CONTROL, other added tokens USER_DEFINED. Byte-level BPE has no token scores; llama.cpp writes
none for it either.

Only byte-level BPE tokenizers whose pre-tokenizer llama.cpp knows by name are written.
SentencePiece-style tokenizers (llama.cpp's `llama` vocabulary: Metaspace, byte fallback) are
refused: llama.cpp rebuilds those from scores that a tokenizer.json does not carry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gguf import TokenType

from lathe.errors import InvalidInput
from lathe.export.artifacts.gguf_arch import FORMAT_FIELD

if TYPE_CHECKING:
    from gguf import GGUFWriter
    from transformers import PreTrainedTokenizerBase

SPECIAL_TOKENS = ("bos", "eos", "unk", "pad")
# A text without any special meaning, to see what the tokenizer adds around it.
PROBE_TEXT = "probe"


@dataclass(frozen=True)
class GgufVocab:
    pre: str  # llama.cpp's name for the pre-tokenizer (tokenizer.ggml.pre)
    tokens: list[str]
    token_types: list[int]
    merges: list[str]
    special_ids: dict[str, int]
    add_bos: bool
    add_eos: bool
    chat_template: str | list[dict[str, str]] | None


def _refuse(reason: str) -> InvalidInput:
    return InvalidInput(
        f"the model's tokenizer cannot be written to GGUF: {reason}; the GGUF writer supports "
        "byte-level BPE tokenizers (like SmolLM2's, llama.cpp's gpt2 vocabulary)",
        field=FORMAT_FIELD,
    )


def _is_plain_byte_level(part: dict[str, Any], *, regex: bool) -> bool:
    return (
        part.get("type") == "ByteLevel"
        and bool(part.get("use_regex", True)) == regex
        and not part.get("add_prefix_space", False)
    )


def _split_names() -> dict[str, str]:
    """Split regexes of known pre-tokenizers -> llama.cpp's name for them (transformers' GGUF
    reader keeps that table, keyed by llama.cpp's names)."""
    from transformers.integrations.gguf.gguf_tokenizer_mapping import (
        GGUF_PRE_TOKENIZER_SPLITS,
    )

    names: dict[str, str] = {}
    for name, pattern in GGUF_PRE_TOKENIZER_SPLITS.items():
        names.setdefault(pattern, name)
    return names


def _pre_tokenizer_name(pre: dict[str, Any] | None) -> str:
    if pre is None:
        raise _refuse("it has no pre-tokenizer")
    if _is_plain_byte_level(pre, regex=True):
        return "gpt-2"
    parts = pre.get("pretokenizers") if pre.get("type") == "Sequence" else None
    if parts and len(parts) == 2:
        first, second = parts
        if (
            first.get("type") == "Digits"
            and first.get("individual_digits")
            and _is_plain_byte_level(second, regex=True)
        ):
            return "smollm"
        if (
            first.get("type") == "Split"
            and first.get("behavior") == "Isolated"
            and not first.get("invert", False)
            and _is_plain_byte_level(second, regex=False)
        ):
            name = _split_names().get(first.get("pattern", {}).get("Regex", ""))
            if name is not None:
                return name
    if pre.get("type") == "Metaspace":
        raise _refuse("it is a SentencePiece-style tokenizer (Metaspace)")
    raise _refuse(f"llama.cpp has no name for its pre-tokenizer {json.dumps(pre)[:200]}")


def _description(tokenizer: PreTrainedTokenizerBase) -> dict[str, Any]:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise _refuse(f"{type(tokenizer).__name__} has no tokenizers backend (tokenizer.json)")
    description: dict[str, Any] = json.loads(backend.to_str())
    return description


def check_tokenizer(tokenizer: PreTrainedTokenizerBase) -> str:
    """llama.cpp's pre-tokenizer name for `tokenizer`; InvalidInput (field format) saying why
    the tokenizer cannot be written."""
    description = _description(tokenizer)
    model = description.get("model") or {}
    if model.get("type") != "BPE":
        raise _refuse(f"its model is {model.get('type')}, not BPE")
    if model.get("byte_fallback"):
        raise _refuse("it is a SentencePiece-style BPE tokenizer (byte fallback)")
    if description.get("normalizer") is not None:
        raise _refuse(f"it has a normalizer ({description['normalizer'].get('type')})")
    name = _pre_tokenizer_name(description.get("pre_tokenizer"))
    decoder = description.get("decoder") or {}
    if decoder.get("type") != "ByteLevel":
        raise _refuse(f"its decoder is {decoder.get('type')}, not ByteLevel")
    return name


def _merges(description: dict[str, Any]) -> list[str]:
    merges = description.get("model", {}).get("merges") or []
    # The pair form (tokenizers >= 0.20) allows spaces inside a part; GGUF stores "a b" strings,
    # with such spaces moved to U+0120+... the way gguf.SpecialVocab encodes them.
    return [
        merge
        if isinstance(merge, str)
        else " ".join("".join(chr(ord(c) + 256) if c == " " else c for c in part) for part in merge)
        for merge in merges
    ]


def _adds_around(tokenizer: PreTrainedTokenizerBase) -> tuple[bool, bool]:
    plain: list[int] = tokenizer(PROBE_TEXT, add_special_tokens=False)["input_ids"]
    full: list[int] = tokenizer(PROBE_TEXT)["input_ids"]
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
    add_bos = bos is not None and len(full) > len(plain) and full[0] == bos
    add_eos = eos is not None and len(full) > len(plain) and full[-1] == eos
    return add_bos, add_eos


def _chat_template(tokenizer: PreTrainedTokenizerBase) -> str | list[dict[str, str]] | None:
    template = tokenizer.chat_template
    if isinstance(template, dict):
        return [{"name": name, "template": text} for name, text in template.items()]
    return template if isinstance(template, str) else None


def gguf_vocab(tokenizer: PreTrainedTokenizerBase, vocab_size: int) -> GgufVocab:
    """The vocabulary for a model whose embedding has `vocab_size` rows."""
    pre = check_tokenizer(tokenizer)
    by_id = {index: token for token, index in tokenizer.get_vocab().items()}
    if by_id and max(by_id) >= vocab_size:
        raise _refuse(
            f"it has token id {max(by_id)}, beyond the model's {vocab_size} embedding rows"
        )
    added = tokenizer.added_tokens_decoder
    tokens: list[str] = []
    types: list[int] = []
    for index in range(vocab_size):
        token = by_id.get(index)
        if token is None:
            tokens.append(f"[PAD{index}]")
            types.append(TokenType.UNUSED)
            continue
        tokens.append(token)
        if index in added:
            types.append(TokenType.CONTROL if added[index].special else TokenType.USER_DEFINED)
        else:
            types.append(TokenType.NORMAL)
    special_ids = {
        name: value
        for name in SPECIAL_TOKENS
        if isinstance(value := getattr(tokenizer, f"{name}_token_id", None), int)
        and 0 <= value < vocab_size
    }
    add_bos, add_eos = _adds_around(tokenizer)
    return GgufVocab(
        pre=pre,
        tokens=tokens,
        token_types=types,
        merges=_merges(_description(tokenizer)),
        special_ids=special_ids,
        add_bos=add_bos,
        add_eos=add_eos,
        chat_template=_chat_template(tokenizer),
    )


def add_vocab(writer: GGUFWriter, vocab: GgufVocab) -> None:
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(vocab.pre)
    writer.add_token_list(vocab.tokens)
    writer.add_token_types(vocab.token_types)
    writer.add_token_merges(vocab.merges)
    for name, value in vocab.special_ids.items():
        getattr(writer, f"add_{name}_token_id")(value)
    writer.add_add_bos_token(vocab.add_bos)
    writer.add_add_eos_token(vocab.add_eos)
    if vocab.chat_template is not None:
        writer.add_chat_template(vocab.chat_template)
