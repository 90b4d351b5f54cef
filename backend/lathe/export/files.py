"""The files of an export: checking what the builders reported against the staging folder,
the checksum recorded on the row, and finding a file to download inside an export's folder."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from lathe.db.tables import ExportRow
from lathe.errors import InvalidInput, LatheError, NotFound
from lathe.export.records import export_dir
from lathe.export.spec import ExportFile, ExportReport
from lathe.hashing import file_sha256
from lathe.settings import Settings


def manifest(files: list[ExportFile], folder: str) -> str:
    """`sha256sum` lines ("<sha256>  <path>") of the files inside `folder` (paths relative to
    it), sorted by path: what the checksum of a folder artifact is taken over."""
    prefix = "" if folder in ("", ".") else folder.rstrip("/") + "/"
    lines = sorted(
        (item.path[len(prefix) :], item.sha256) for item in files if item.path.startswith(prefix)
    )
    return "".join(f"{sha}  {path}\n" for path, sha in lines)


def primary_sha256(built: Path, report: ExportReport) -> str:
    """The sha256 of the primary file, or of the manifest of the primary folder's files."""
    primary = built / report.primary
    if primary.is_file():
        listed = {item.path: item.sha256 for item in report.files}
        return listed.get(PurePosixPath(report.primary).as_posix()) or file_sha256(primary)
    return hashlib.sha256(manifest(report.files, report.primary).encode()).hexdigest()


def check_report(built: Path, report: ExportReport) -> None:
    """Refuse a report that does not describe the staging folder (a missing file, another
    size, a primary artifact outside it), so no row ever points at files that are not there."""
    root = built.resolve()
    primary = (root / report.primary).resolve()
    if not primary.is_relative_to(root) or not primary.exists():
        raise LatheError(f"the export's primary artifact {report.primary!r} was not written")
    for item in report.files:
        file = (root / item.path).resolve()
        if not file.is_relative_to(root) or not file.is_file():
            raise LatheError(f"the export reported {item.path!r}, which was not written")
        size = file.stat().st_size
        if size != item.size_bytes:
            raise LatheError(
                f"the export reported {item.path} as {item.size_bytes} bytes; it has {size}"
            )


def download_target(settings: Settings, row: ExportRow, file: str | None) -> Path:
    """The file or folder `file` (relative to the export's folder, '/'-separated; default the
    primary artifact, '.' the whole export). InvalidInput for a path that tries to leave the
    folder, NotFound for one that does not exist."""
    root = export_dir(settings, row)
    relative = file if file is not None else str(row.report.get("primary") or ".")
    parts = PurePosixPath(relative).parts
    if not relative.strip() or relative.startswith("/") or "\\" in relative or ".." in parts:
        raise InvalidInput(
            f"file: {relative!r} is not a path inside the export (use a relative path such as "
            "one of the export's files)",
            field="file",
        )
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or not target.exists():
        raise NotFound(f"file: export {row.id} has no file {relative!r}", field="file")
    return target
