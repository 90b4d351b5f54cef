"""FolderTar: the bytes are a tar archive tarfile reads back to the same files, its size is
known before streaming, and any byte range of it is the same slice of the whole."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from lathe.export.archive import FolderTar


def make_folder(root: Path) -> Path:
    folder = root / "model"
    (folder / "nested" / "deeper").mkdir(parents=True)
    (folder / "weights.bin").write_bytes(bytes(range(256)) * 7 + b"tail")
    (folder / "exact.bin").write_bytes(b"\2" * 512)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "nested" / "deeper" / ("long-name-" * 12 + ".json")).write_text('{"a": 1}')
    return folder


def test_the_archive_holds_the_folder_and_has_the_announced_size(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    archive = FolderTar(folder, "my-export")
    data = b"".join(archive.read())
    assert len(data) == archive.size
    assert archive.size % tarfile.RECORDSIZE == 0

    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {member.name: member for member in tar.getmembers()}
        files = {
            name: tar.extractfile(member).read()  # type: ignore[union-attr]
            for name, member in members.items()
            if member.isfile()
        }
    expected = {
        f"my-export/{path.relative_to(folder).as_posix()}": path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }
    assert files == expected
    assert members["my-export"].isdir() and members["my-export/nested/deeper"].isdir()


def test_any_byte_range_is_the_slice_of_the_whole(tmp_path: Path) -> None:
    archive = FolderTar(make_folder(tmp_path), "m")
    whole = b"".join(archive.read())
    size = archive.size
    for start, end in [(0, 1), (0, 512), (100, 3000), (511, 513), (size - 10, size), (7, size)]:
        assert b"".join(archive.read(start, end)) == whole[start:end], (start, end)
    assert b"".join(archive.read(size - 3)) == whole[-3:]
