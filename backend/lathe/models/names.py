"""Model names (registry keys, also folder names under LATHE_HOME/models) and hub ids."""

from __future__ import annotations

import re
from pathlib import Path

from lathe.errors import InvalidInput
from lathe.schemas.models import MODEL_NAME_PATTERN

MAX_NAME_LENGTH = 128
FALLBACK_NAME = "model"

_NAME_RE = re.compile(MODEL_NAME_PATTERN)
_HUB_PART = r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}"
# The Hub's own rule for repo ids: ORG/NAME, each part at most 96 characters, no "--" or "..".
HUB_ID_RE = re.compile(rf"{_HUB_PART}/{_HUB_PART}")
_HF_CACHE_REPO_PREFIX = "models--"


def is_hub_id(text: str) -> bool:
    return HUB_ID_RE.fullmatch(text) is not None and ".." not in text and "--" not in text


def check_name(name: str) -> str:
    """Return `name` if it is safe as a registry key and a folder name, else raise InvalidInput."""
    if _NAME_RE.fullmatch(name) is None or ".." in name:
        raise InvalidInput(
            f"name: {name!r} is not a valid model name: use letters, digits, '.', '_' and '-', "
            f"start with a letter or digit, at most {MAX_NAME_LENGTH} characters, no '..'",
            field="name",
        )
    return name


def sanitize_name(text: str) -> str:
    """Turn a file, folder or repo name into a valid model name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text)
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    cleaned = cleaned.lstrip("._-")[:MAX_NAME_LENGTH].rstrip("._-")
    return cleaned or FALLBACK_NAME


def default_folder_name(folder: Path) -> str:
    # A snapshot in the Hugging Face cache is named after its commit hash; the repo name in
    # .../models--ORG--NAME/snapshots/<hash> is what a person would call it.
    parent = folder.parent
    if parent.name == "snapshots" and parent.parent.name.startswith(_HF_CACHE_REPO_PREFIX):
        return sanitize_name(parent.parent.name.rsplit("--", 1)[-1])
    return sanitize_name(folder.name)


def default_gguf_name(file: Path) -> str:
    return sanitize_name(file.stem)


def default_hub_name(repo_id: str) -> str:
    return sanitize_name(repo_id.split("/", 1)[1])
