"""Hub ids: fast, clean failure when the Hugging Face Hub cannot be reached, and the choice of
files to download."""

from __future__ import annotations

import time

import pytest

from lathe.errors import InvalidInput, UpstreamUnavailable
from lathe.models.hub import pick_files
from lathe.models.registry import import_model
from lathe.settings import Settings
from tests.backend.conftest import HomeCheck


def test_unreachable_hub_fails_fast_and_leaves_nothing(
    settings: Settings, assert_home_clean: HomeCheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable) as caught:
        import_model(settings, "some-org/some-model")
    elapsed = time.monotonic() - started

    message = caught.value.message
    assert message.startswith("cannot reach the Hugging Face Hub to download some-org/some-model: ")
    assert message.endswith(
        "Download the model elsewhere and import its folder with `lathe models import PATH`."
    )
    assert "\n" not in message
    assert elapsed < 5, elapsed
    assert_home_clean()


def test_name_is_checked_before_the_hub_is_asked(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_download(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("reached the hub with an invalid name")

    monkeypatch.setattr("lathe.models.registry.download_snapshot", no_download)
    with pytest.raises(InvalidInput, match="name"):
        import_model(settings, "org/model", name="../x")


def test_not_a_path_and_not_a_hub_id(settings: Settings, assert_home_clean: HomeCheck) -> None:
    with pytest.raises(InvalidInput, match="no such file or folder: org/model/extra"):
        import_model(settings, "org/model/extra")
    with pytest.raises(InvalidInput, match="source"):
        import_model(settings, "   ")
    assert_home_clean()


def test_pick_files_prefers_safetensors() -> None:
    files = [
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "pytorch_model.bin",
        "pytorch_model.bin.index.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "chat_template.jinja",
        "merges.txt",
        "tokenizer.model",
        "README.md",
        ".gitattributes",
        "onnx/model.onnx",
        "original/consolidated.safetensors",
        "modeling_custom.py",
    ]
    assert pick_files("o/n", files) == [
        "chat_template.jinja",
        "config.json",
        "generation_config.json",
        "merges.txt",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer.model",
        "tokenizer_config.json",
    ]


def test_pick_files_falls_back_to_pytorch_bin() -> None:
    files = ["config.json", "pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"]
    assert pick_files("o/n", files) == sorted(files)


def test_pick_files_gguf_only_repo_points_to_the_gguf() -> None:
    with pytest.raises(InvalidInput, match=r"no transformers weights.*model-Q4_K_M\.gguf"):
        pick_files("o/n-GGUF", ["README.md", "model-Q4_K_M.gguf"])
