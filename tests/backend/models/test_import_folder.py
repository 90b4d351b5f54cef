"""Importing local Hugging Face model folders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch
from sqlalchemy import text
from transformers import AutoModelForCausalLM, AutoTokenizer

from lathe.db.engine import session_scope
from lathe.errors import Conflict, InvalidInput
from lathe.models import records
from lathe.models.registry import get_model, import_model, model_dir
from lathe.schemas.models import ModelOut, ProgressEvent
from lathe.settings import Settings
from tests.backend.conftest import HomeCheck, MakeModelFolder
from tests.backend.models.factories import (
    CONTEXT_LENGTH,
    HIDDEN_SIZE,
    NUM_LAYERS,
    VOCAB_SIZE,
    build_tiny_llama,
)


def _tree_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def test_import_folder_registers_metadata(
    settings: Settings,
    make_model_folder: MakeModelFolder,
    progress_events: list[ProgressEvent],
    assert_home_clean: HomeCheck,
) -> None:
    source = make_model_folder("tiny-llama")
    row = import_model(settings, str(source), progress=progress_events.append)

    expected = build_tiny_llama(seed=0)
    assert row.id is not None
    assert row.name == "tiny-llama"
    assert row.kind == "base"
    assert row.source == f"path:{source.resolve()}"
    assert row.path == "tiny-llama"
    assert row.architecture == "LlamaForCausalLM"
    assert row.model_type == "llama"
    assert row.parameter_count == expected.num_parameters()
    assert row.num_layers == NUM_LAYERS
    assert row.hidden_size == HIDDEN_SIZE
    assert row.vocab_size == VOCAB_SIZE
    assert row.context_length == CONTEXT_LENGTH
    assert row.dtype == "float32"
    assert row.has_chat_template is True
    assert row.parent_id is None
    assert row.created_at is not None

    folder = model_dir(settings, row)
    assert folder == settings.models_dir / "tiny-llama"
    assert row.size_bytes == _tree_bytes(folder) > 0
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {
        p.name for p in folder.iterdir()
    }
    assert_home_clean(models=frozenset({"tiny-llama"}))

    stored = get_model(settings, row.id)
    assert ModelOut.model_validate(stored).model_dump() == ModelOut.model_validate(row).model_dump()

    stages = [event.stage for event in progress_events]
    assert stages[0] == "copy" and stages[-1] == "register"
    copy_events = [event for event in progress_events if event.stage == "copy"]
    assert copy_events[-1].completed == copy_events[-1].total == _tree_bytes(source)

    loaded = AutoModelForCausalLM.from_pretrained(str(folder))
    for name, tensor in expected.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor), name
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    assert "<|im_start|>assistant" in tokenizer.apply_chat_template(
        [{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True
    )


def test_import_sharded_tied_bfloat16_folder(
    settings: Settings, make_model_folder: MakeModelFolder, assert_home_clean: HomeCheck
) -> None:
    source = make_model_folder("sharded", tie=True, dtype=torch.bfloat16, max_shard_size="20KB")
    assert (source / "model.safetensors.index.json").is_file()
    assert len(list(source.glob("*.safetensors"))) > 1

    row = import_model(settings, str(source), name="sharded-copy")

    assert row.name == row.path == "sharded-copy"
    assert row.parameter_count == build_tiny_llama(tie=True).num_parameters()
    assert row.dtype == "bfloat16"
    folder = model_dir(settings, row)
    assert len(list(folder.glob("*.safetensors"))) == len(list(source.glob("*.safetensors")))
    assert_home_clean(models=frozenset({"sharded-copy"}))


def test_chat_template_absent(settings: Settings, make_model_folder: MakeModelFolder) -> None:
    row = import_model(settings, str(make_model_folder("plain", chat_template=False)))
    assert row.has_chat_template is False


def test_chat_template_in_tokenizer_config(
    settings: Settings, make_model_folder: MakeModelFolder
) -> None:
    source = make_model_folder("old-style", chat_template=False)
    config_file = source / "tokenizer_config.json"
    data = json.loads(config_file.read_text())
    data["chat_template"] = "{{ messages[0]['content'] }}"
    config_file.write_text(json.dumps(data))
    assert import_model(settings, str(source)).has_chat_template is True


def test_weights_dtype_when_config_has_none(
    settings: Settings, make_model_folder: MakeModelFolder
) -> None:
    source = make_model_folder("no-dtype", dtype=torch.float16)
    config_file = source / "config.json"
    config = json.loads(config_file.read_text())
    config.pop("dtype", None)
    config.pop("torch_dtype", None)
    config_file.write_text(json.dumps(config))
    assert import_model(settings, str(source)).dtype == "float16"


def test_pytorch_bin_weights_count_parameters_without_unpickling(
    settings: Settings, make_model_folder: MakeModelFolder
) -> None:
    source = make_model_folder("bin-only")
    model = build_tiny_llama(seed=0)
    (source / "model.safetensors").unlink()
    torch.save(model.state_dict(), source / "pytorch_model.bin")
    row = import_model(settings, str(source))
    assert row.parameter_count == model.num_parameters()
    assert (model_dir(settings, row) / "pytorch_model.bin").is_file()


def test_hidden_entries_skipped_and_links_followed(
    settings: Settings, make_model_folder: MakeModelFolder, sources: Path
) -> None:
    # The layout of a Hugging Face cache snapshot: a folder of links into a blob store.
    real = make_model_folder("blobs")
    snapshot = sources / "models--Org--Tiny-Chat" / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    for file in real.iterdir():
        (snapshot / file.name).symlink_to(file)
    (snapshot / ".git").mkdir()
    (snapshot / ".git" / "big-object").write_bytes(b"x" * 1000)
    (snapshot / ".gitattributes").write_text("*.safetensors filter=lfs\n")

    row = import_model(settings, str(snapshot))

    folder = model_dir(settings, row)
    assert row.name == "Tiny-Chat"
    assert not any(path.name.startswith(".") for path in folder.iterdir())
    assert not any(path.is_symlink() for path in folder.iterdir())
    assert row.size_bytes == _tree_bytes(real)


def test_missing_path(settings: Settings, sources: Path, assert_home_clean: HomeCheck) -> None:
    missing = sources / "does" / "not" / "exist"
    with pytest.raises(
        InvalidInput, match=re.escape(f"no such file or folder: {missing}")
    ) as caught:
        import_model(settings, str(missing))
    assert caught.value.details[0]["field"] == "source"
    assert_home_clean()


def test_folder_without_config(
    settings: Settings, make_model_folder: MakeModelFolder, assert_home_clean: HomeCheck
) -> None:
    source = make_model_folder("no-config")
    (source / "config.json").unlink()
    with pytest.raises(InvalidInput, match=r"is not a model folder: no config\.json"):
        import_model(settings, str(source))
    assert_home_clean()


def test_folder_without_weights(
    settings: Settings, make_model_folder: MakeModelFolder, assert_home_clean: HomeCheck
) -> None:
    source = make_model_folder("no-weights")
    (source / "model.safetensors").unlink()
    with pytest.raises(InvalidInput, match="is not a model folder: no weights"):
        import_model(settings, str(source))
    assert_home_clean()


def test_empty_folder(settings: Settings, sources: Path, assert_home_clean: HomeCheck) -> None:
    with pytest.raises(InvalidInput, match=r"no config\.json"):
        import_model(settings, str(sources))
    assert_home_clean()


@pytest.mark.parametrize(
    ("config_text", "reason"),
    [("{not json", "config.json cannot be loaded"), ('{"model_type": "no-such-arch"}', "cannot")],
)
def test_folder_with_bad_config(
    settings: Settings,
    make_model_folder: MakeModelFolder,
    assert_home_clean: HomeCheck,
    config_text: str,
    reason: str,
) -> None:
    source = make_model_folder("bad-config")
    (source / "config.json").write_text(config_text)
    with pytest.raises(InvalidInput, match=reason):
        import_model(settings, str(source))
    assert_home_clean()


def test_index_with_missing_shard(
    settings: Settings, make_model_folder: MakeModelFolder, assert_home_clean: HomeCheck
) -> None:
    source = make_model_folder("broken-shards", max_shard_size="20KB")
    shard = sorted(source.glob("model-*.safetensors"))[0]
    shard.unlink()
    with pytest.raises(InvalidInput, match=re.escape(f"lists missing files: {shard.name}")):
        import_model(settings, str(source))
    assert_home_clean()


def test_damaged_safetensors(
    settings: Settings, make_model_folder: MakeModelFolder, assert_home_clean: HomeCheck
) -> None:
    source = make_model_folder("damaged")
    weights = source / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(InvalidInput, match=r"model\.safetensors is not a valid safetensors file"):
        import_model(settings, str(source))
    assert_home_clean()


def test_file_that_is_not_gguf(
    settings: Settings, make_model_folder: MakeModelFolder, assert_home_clean: HomeCheck
) -> None:
    weights = make_model_folder("x") / "model.safetensors"
    with pytest.raises(InvalidInput, match=r"neither a model folder nor a \.gguf file"):
        import_model(settings, str(weights))
    assert_home_clean()


@pytest.mark.parametrize("name", ["a/b", "../escape", "..", "a..b", "/abs", "a\\b", ""])
def test_bad_explicit_names(
    settings: Settings,
    make_model_folder: MakeModelFolder,
    assert_home_clean: HomeCheck,
    name: str,
) -> None:
    source = make_model_folder("named")
    with pytest.raises(InvalidInput, match="name") as caught:
        import_model(settings, str(source), name=name)
    assert caught.value.details[0]["field"] == "name"
    assert_home_clean()
    assert not (settings.home / "escape").exists()


def test_duplicate_name_is_refused_before_copying(
    settings: Settings,
    make_model_folder: MakeModelFolder,
    assert_home_clean: HomeCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = import_model(settings, str(make_model_folder("dup")))
    before = sorted(p.name for p in model_dir(settings, first).iterdir())

    def no_copy(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("copied before checking the name")

    monkeypatch.setattr("lathe.models.registry.copy_tree", no_copy)
    other = make_model_folder("other", seed=1)
    with pytest.raises(Conflict, match="a model named dup already exists"):
        import_model(settings, str(other), name="dup")
    assert sorted(p.name for p in model_dir(settings, first).iterdir()) == before
    assert_home_clean(models=frozenset({"dup"}))


def test_unique_constraint_is_the_final_guard(
    settings: Settings,
    make_model_folder: MakeModelFolder,
    assert_home_clean: HomeCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A concurrent import registered the name (with its own folder) between our check and our
    # insert: the insert fails on the unique name and our renamed folder is removed.
    def concurrent_import(settings_: Settings, name: str) -> None:
        with session_scope(settings_.resolved_database_url) as session:
            session.execute(
                text(
                    "INSERT INTO models (name, kind, source, path, has_chat_template, size_bytes,"
                    " created_at) VALUES (:n, 'base', 'x', 'elsewhere', 0, 0, '2026-01-01')"
                ),
                {"n": name},
            )

    monkeypatch.setattr(records, "ensure_name_free", concurrent_import)
    with pytest.raises(Conflict, match="a model named race already exists"):
        import_model(settings, str(make_model_folder("race")))
    assert list(settings.models_dir.iterdir()) == []
    assert list(settings.tmp_dir.iterdir()) == []


def test_insert_failure_removes_the_renamed_folder(
    settings: Settings,
    make_model_folder: MakeModelFolder,
    assert_home_clean: HomeCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_insert(*_args: object) -> None:
        assert (settings.models_dir / "tiny-llama").is_dir()  # renamed before the insert
        raise RuntimeError("database went away")

    monkeypatch.setattr(records, "insert", broken_insert)
    with pytest.raises(RuntimeError, match="database went away"):
        import_model(settings, str(make_model_folder()))
    assert_home_clean()


def test_stray_folder_in_models_dir(settings: Settings, make_model_folder: MakeModelFolder) -> None:
    stray = settings.models_dir / "tiny-llama"
    stray.mkdir()
    (stray / "keep.txt").write_text("not ours")
    with pytest.raises(Conflict, match=r"already exists .* but no model is registered"):
        import_model(settings, str(make_model_folder()))
    assert (stray / "keep.txt").read_text() == "not ours"
    assert list(settings.tmp_dir.iterdir()) == []


def test_relative_and_home_paths(
    settings: Settings,
    make_model_folder: MakeModelFolder,
    sources: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_model_folder("rel")
    monkeypatch.chdir(sources)
    row = import_model(settings, "rel")
    assert row.source == f"path:{sources / 'rel'}"
    monkeypatch.setenv("HOME", str(sources))
    row = import_model(settings, "~/rel", name="from-home")
    assert row.source == f"path:{sources / 'rel'}"
    assert model_dir(settings, row).is_dir()


def test_names_differing_only_in_case_conflict(
    settings: Settings, make_model_folder: MakeModelFolder, assert_home_clean: HomeCheck
) -> None:
    import_model(settings, str(make_model_folder("tiny")))
    with pytest.raises(Conflict, match="a model named tiny already exists"):
        import_model(settings, str(make_model_folder("other", seed=1)), name="TINY")
    assert_home_clean(models=frozenset({"tiny"}))


def test_unreadable_source_path(settings: Settings, assert_home_clean: HomeCheck) -> None:
    with pytest.raises(InvalidInput, match="cannot read") as caught:
        import_model(settings, "x" * 5000)
    assert caught.value.details[0]["field"] == "source"
    assert_home_clean()
