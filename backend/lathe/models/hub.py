"""Hugging Face Hub downloads. This machine may have no route to the Hub at all, so every
failure to reach it becomes one clear UpstreamUnavailable within the configured timeout."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lathe.errors import InvalidInput, LatheError, NotFound, UpstreamUnavailable
from lathe.models.progress import Reporter
from lathe.models.reasons import is_local_io_error, short_reason
from lathe.models.storage import remove_tree

# Everything a transformers model folder needs besides its weights (config, tokenizer files,
# chat template, generation config). Code files are left out: Lathe never runs remote code.
_SUPPORT_SUFFIXES = (".json", ".jinja", ".txt", ".model", ".tiktoken")


def _unreachable(repo_id: str, error: BaseException) -> UpstreamUnavailable:
    reason = short_reason(error, with_type=True)
    return UpstreamUnavailable(
        f"cannot reach the Hugging Face Hub to download {repo_id}: {reason}. "
        "Download the model elsewhere and import its folder with `lathe models import PATH`."
    )


def pick_files(repo_id: str, filenames: Sequence[str]) -> list[str]:
    """The top-level files of a repo that make a transformers model folder, weights in one
    format only (safetensors preferred), so a repo that also ships .bin, ONNX or GGUF copies is
    not downloaded several times over."""
    top_level = [name for name in filenames if "/" not in name]
    safetensors = [name for name in top_level if name.endswith(".safetensors")]
    pytorch_bin = [
        name for name in top_level if name.startswith("pytorch_model") and name.endswith(".bin")
    ]
    weights = safetensors or pytorch_bin
    if not weights:
        gguf = [name for name in filenames if name.endswith(".gguf")]
        hint = (
            f"; it has GGUF files (e.g. {gguf[0]}): download one and import it with "
            "`lathe models import FILE.gguf`"
            if gguf
            else ""
        )
        raise InvalidInput(
            f"{repo_id} has no transformers weights (*.safetensors or pytorch_model*.bin){hint}",
            field="source",
        )
    skipped_index = "pytorch_model.bin.index.json" if safetensors else None
    support = [
        name for name in top_level if name.endswith(_SUPPORT_SUFFIXES) and name != skipped_index
    ]
    return sorted(set(weights) | set(support))


def _model_info(api: Any, repo_id: str, timeout_s: float) -> Any:
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    try:
        return api.model_info(repo_id, timeout=timeout_s, files_metadata=True)
    except GatedRepoError as error:
        raise InvalidInput(
            f"{repo_id} is gated on the Hugging Face Hub: accept its terms on the Hub and log in "
            "with `hf auth login`, or import a downloaded copy of its folder",
            field="source",
        ) from error
    except RepositoryNotFoundError as error:
        raise NotFound(f"no model {repo_id} on the Hugging Face Hub (or it is private)") from error
    except Exception as error:  # whatever the transport raised: the hub is not usable from here
        if is_local_io_error(error):
            raise
        raise _unreachable(repo_id, error) from error


def download_snapshot(repo_id: str, dest: Path, *, timeout_s: float, reporter: Reporter) -> None:
    """Download the model files of `repo_id` into `dest` (which must not exist yet)."""
    from huggingface_hub import HfApi, snapshot_download

    # Read at call time, not at import time as huggingface_hub does, so a changed HF_ENDPOINT
    # (a mirror configured after start-up, or a test) is honoured.
    endpoint = os.environ.get("HF_ENDPOINT") or None
    reporter.stage("download", f"looking up {repo_id} on the Hugging Face Hub")
    # This first call carries an explicit timeout, so an unreachable hub fails in seconds;
    # snapshot_download's own listing call has none.
    info = _model_info(HfApi(endpoint=endpoint), repo_id, timeout_s)
    siblings = info.siblings or []
    files = pick_files(repo_id, [sibling.rfilename for sibling in siblings])
    sizes = {sibling.rfilename: sibling.size or 0 for sibling in siblings}
    total = sum(sizes.get(name, 0) for name in files)
    message = f"downloading {repo_id}"
    reporter.bytes("download", message, 0, total)
    try:
        snapshot_download(
            repo_id,
            revision=info.sha,
            local_dir=dest,
            allow_patterns=files,
            etag_timeout=timeout_s,
            endpoint=endpoint,
        )
    except LatheError:
        raise
    except Exception as error:
        if is_local_io_error(error):
            raise
        raise _unreachable(repo_id, error) from error
    # The hub client keeps download bookkeeping in local_dir/.cache; it is not part of the model.
    remove_tree(dest / ".cache")
    reporter.bytes("download", message, total, total)
