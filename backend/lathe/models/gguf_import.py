"""GGUF files: validation, and conversion into a plain safetensors model + tokenizer folder so
later loads take well under a second instead of dequantising the GGUF every time."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path
from typing import Any

from lathe.errors import InvalidInput
from lathe.models.progress import Reporter
from lathe.models.reasons import is_local_io_error, short_reason

GGUF_MAGIC = b"GGUF"


def _invalid(path: Path, reason: str) -> InvalidInput:
    return InvalidInput(f"{path} is not a valid GGUF file: {reason}", field="source")


def validate_gguf(path: Path) -> None:
    """Raise InvalidInput unless `path` is a complete GGUF file with an architecture."""
    size = path.stat().st_size
    if size == 0:
        raise _invalid(path, "the file is empty")
    with path.open("rb") as handle:
        magic = handle.read(len(GGUF_MAGIC))
    if magic != GGUF_MAGIC:
        raise _invalid(path, f"it does not start with the GGUF magic bytes (found {magic!r})")

    # Imported here: gguf pulls in numpy and is only needed for GGUF imports.
    from gguf import GGUFReader

    try:
        reader = GGUFReader(path)
    except Exception as error:  # the reader reports damage with whatever numpy raises
        raise _invalid(path, f"it is truncated or damaged ({short_reason(error)})") from error
    if "general.architecture" not in reader.fields:
        raise _invalid(path, "its metadata has no general.architecture")
    for tensor in reader.tensors:
        end = int(tensor.data_offset) + int(tensor.n_bytes)
        if end > size:
            raise _invalid(
                path, f"it is truncated: tensor {tensor.name} ends at byte {end}, file has {size}"
            )


def _stage_source(path: Path, work: Path) -> Path:
    """A folder holding only the GGUF, so transformers cannot pick up stray config or tokenizer
    files that happen to lie next to the user's file."""
    folder = work / "gguf-source"
    folder.mkdir()
    link = folder / path.name
    try:
        link.symlink_to(path)
    except OSError:
        shutil.copyfile(path, link)
    return folder


def _clear_quantizer(model: Any) -> None:
    # save_pretrained refuses any model whose `hf_quantizer` is set and not serialisable, and
    # the GGUF quantizer never is, even after it dequantised every weight. Its own
    # remove_quantization_config drops the quantizer, config.quantization_config and the
    # is_quantized flag together, which is what a dequantised load does for other methods.
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None:
        quantizer.remove_quantization_config(model)


def convert_gguf(path: Path, out_dir: Path, work: Path, reporter: Reporter) -> None:
    """Load `path` with transformers and save it as safetensors + tokenizer into `out_dir`."""
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    source = _stage_source(path, work)
    reporter.stage("convert", f"loading {path.name} (dequantising the weights)")
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(source), gguf_file=path.name)
        # dequantize=True: where a GGUF matmul kernel is installed transformers would otherwise
        # keep the weights packed in GGUF modules, which cannot be saved as plain tensors.
        model = AutoModelForCausalLM.from_pretrained(
            str(source), gguf_file=path.name, quantization_config=GgufConfig(dequantize=True)
        )
    except (ValueError, KeyError, NotImplementedError, RuntimeError, OSError) as error:
        if is_local_io_error(error):
            raise
        raise InvalidInput(
            f"{path} cannot be converted to a transformers model: {short_reason(error)}",
            field="source",
        ) from error
    try:
        _clear_quantizer(model)
        reporter.stage("save", f"saving {path.name} as safetensors")
        model.save_pretrained(str(out_dir))
        tokenizer.save_pretrained(str(out_dir))
    finally:
        # A server process lives on; do not keep hundreds of MB of float32 weights around.
        del model, tokenizer
        gc.collect()
