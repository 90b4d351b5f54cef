"""The tokenizer of a registered model or adapter: found by name or id, cached per folder."""

from __future__ import annotations

import pytest

from lathe.errors import NotFound
from lathe.models.registry import delete_model, import_model
from lathe.settings import Settings
from lathe.training.tokens import load_tokenizer, render_messages
from tests.backend.conftest import MakeModelFolder
from tests.backend.inference.adapters import register_adapter
from tests.backend.training.templates import PLAIN, chatml

TURNS = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]


def test_by_name_and_by_id_share_one_cached_tokenizer(
    settings: Settings, make_model_folder: MakeModelFolder
) -> None:
    row = import_model(settings, str(make_model_folder("tiny")))
    tokenizer = load_tokenizer(settings, "tiny")
    assert load_tokenizer(settings, str(row.id)) is tokenizer
    assert render_messages(tokenizer, TURNS).startswith("<|im_start|>user\nhi<|im_end|>")


def test_unknown_model(settings: Settings) -> None:
    with pytest.raises(NotFound, match="no model named 'nope'"):
        load_tokenizer(settings, "nope")
    with pytest.raises(NotFound, match="model 999 not found"):
        load_tokenizer(settings, "999")


def test_reimported_model_is_not_served_from_the_cache(
    settings: Settings, make_model_folder: MakeModelFolder
) -> None:
    row = import_model(settings, str(make_model_folder("tiny")))
    first = load_tokenizer(settings, "tiny")
    delete_model(settings, row.id)
    import_model(settings, str(make_model_folder("tiny-plain", chat_template=False)), name="tiny")
    second = load_tokenizer(settings, "tiny")
    assert second is not first
    assert second.chat_template is None


def test_missing_folder(settings: Settings, make_model_folder: MakeModelFolder) -> None:
    row = import_model(settings, str(make_model_folder("tiny")))
    (settings.models_dir / row.path).rename(settings.tmp_dir / "moved")
    with pytest.raises(NotFound, match="the folder of model tiny is missing"):
        load_tokenizer(settings, "tiny")


def test_adapter_uses_its_base_tokenizer_or_its_own(
    settings: Settings, make_model_folder: MakeModelFolder
) -> None:
    base = import_model(settings, str(make_model_folder("tiny")))
    register_adapter(settings, base, "plain-adapter")
    assert load_tokenizer(settings, "plain-adapter") is load_tokenizer(settings, "tiny")

    register_adapter(settings, base, "own-adapter", tokenizer=chatml(PLAIN))
    own = load_tokenizer(settings, "own-adapter")
    assert render_messages(own, TURNS) == "User: hi\nAssistant: hello\n"
