"""Listing, reading and deleting registered models."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC

import pytest

from lathe.db.tables import ModelRow
from lathe.errors import Conflict, InvalidInput, LatheError, NotFound
from lathe.models import records
from lathe.models.registry import (
    delete_model,
    get_model,
    import_model,
    list_models,
    model_dir,
    resolve_model,
)
from lathe.schemas.common import MAX_PAGE_LIMIT
from lathe.settings import Settings
from tests.backend.conftest import HomeCheck, MakeModelFolder

AddRow = Callable[..., ModelRow]


def test_list_empty(settings: Settings) -> None:
    assert list_models(settings, limit=10, cursor=None) == ([], None)


def test_pagination_walks_every_row_once(settings: Settings, add_row: AddRow) -> None:
    created = [add_row(f"m{i}").id for i in range(7)]
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        rows, cursor = list_models(settings, limit=3, cursor=cursor)
        seen.extend(row.id for row in rows)
        pages += 1
        if cursor is None:
            break
        assert not cursor.isdigit()  # opaque: clients must not build their own
    assert seen == created
    assert pages == 3


def test_exact_page_has_no_next_cursor(settings: Settings, add_row: AddRow) -> None:
    for i in range(3):
        add_row(f"m{i}")
    rows, cursor = list_models(settings, limit=3, cursor=None)
    assert len(rows) == 3
    assert cursor is None


def test_listed_timestamps_are_utc(settings: Settings, add_row: AddRow) -> None:
    add_row("m")
    rows, _ = list_models(settings, limit=1, cursor=None)
    assert rows[0].created_at.tzinfo == UTC


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        "12",
        base64.urlsafe_b64encode(b"x:12").decode(),
        base64.urlsafe_b64encode(b"m:-1").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_bad_cursor(settings: Settings, cursor: str) -> None:
    with pytest.raises(InvalidInput, match="cursor") as caught:
        list_models(settings, limit=5, cursor=cursor)
    assert caught.value.details[0]["field"] == "cursor"


@pytest.mark.parametrize("limit", [0, -1, MAX_PAGE_LIMIT + 1])
def test_bad_limit(settings: Settings, limit: int) -> None:
    with pytest.raises(InvalidInput, match="limit") as caught:
        list_models(settings, limit=limit, cursor=None)
    assert caught.value.details[0]["field"] == "limit"


def test_get_unknown(settings: Settings) -> None:
    with pytest.raises(NotFound, match=r"^model 7 not found$"):
        get_model(settings, 7)


def test_delete_unknown(settings: Settings) -> None:
    with pytest.raises(NotFound, match=r"^model 7 not found$"):
        delete_model(settings, 7)


def test_delete_removes_row_and_files(
    settings: Settings, make_model_folder: MakeModelFolder, assert_home_clean: HomeCheck
) -> None:
    keep = import_model(settings, str(make_model_folder("keep")))
    gone = import_model(settings, str(make_model_folder("gone", seed=1)))
    folder = model_dir(settings, gone)
    assert folder.is_dir()

    delete_model(settings, gone.id)

    assert not folder.exists()
    with pytest.raises(NotFound):
        get_model(settings, gone.id)
    assert get_model(settings, keep.id).name == "keep"
    assert_home_clean(models=frozenset({"keep"}))


def test_delete_when_folder_already_gone(settings: Settings, add_row: AddRow) -> None:
    row = add_row("ghost")
    delete_model(settings, row.id)
    with pytest.raises(NotFound):
        get_model(settings, row.id)


def test_delete_refused_while_adapters_depend_on_it(
    settings: Settings, make_model_folder: MakeModelFolder, add_row: AddRow
) -> None:
    base = import_model(settings, str(make_model_folder("base")))
    add_row("adapter-1", kind="adapter", parent_id=base.id)

    with pytest.raises(Conflict, match="base of 1 adapter"):
        delete_model(settings, base.id)

    assert model_dir(settings, base).is_dir()
    assert get_model(settings, base.id).name == "base"
    assert list(settings.tmp_dir.iterdir()) == []


def test_failed_delete_puts_the_folder_back(
    settings: Settings,
    make_model_folder: MakeModelFolder,
    add_row: AddRow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An adapter registered after the dependents check: the foreign key refuses the delete at
    # flush time, and the folder that was already moved aside must come back.
    base = import_model(settings, str(make_model_folder("base")))
    add_row("late-adapter", kind="adapter", parent_id=base.id)
    monkeypatch.setattr(records, "count_dependents", lambda _session, _model_id: 0)

    with pytest.raises(Conflict, match="adapters"):
        delete_model(settings, base.id)

    assert (model_dir(settings, base) / "config.json").is_file()
    assert get_model(settings, base.id).name == "base"
    assert list(settings.tmp_dir.iterdir()) == []


@pytest.mark.parametrize("path", ["../outside", ".", "", "/etc"])
def test_model_dir_never_leaves_models_dir(settings: Settings, add_row: AddRow, path: str) -> None:
    row = add_row("evil", path=path)
    with pytest.raises(LatheError, match="invalid path"):
        model_dir(settings, row)
    with pytest.raises(LatheError, match="invalid path"):
        delete_model(settings, row.id)
    assert get_model(settings, row.id).name == "evil"


def test_resolve_by_name_then_id(settings: Settings, add_row: AddRow) -> None:
    first = add_row("alpha")
    add_row("2", source="path:/x")  # a name that looks like an id wins over the id
    assert resolve_model(settings, "alpha").id == first.id
    assert resolve_model(settings, str(first.id)).name == "alpha"
    assert resolve_model(settings, "2").name == "2"
    with pytest.raises(NotFound, match=r"^model 99 not found$"):
        resolve_model(settings, "99")
    with pytest.raises(NotFound, match="no model named 'beta'"):
        resolve_model(settings, "beta")
