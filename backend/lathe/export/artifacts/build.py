"""`build_export`: one export from a spec to a verified report. It checks the inputs before any
heavy work, runs the format's builder (everything is written inside `spec.out_dir`, each
artifact under a temporary name until complete), lists every file with its size and sha256,
and reports the verification checks, `passed` (every check passed) and the time per phase.

Bad input raises InvalidInput naming the field. A verification that does not pass is not an
exception: the report says which check failed and by how much, and the caller decides. On any
exception the caller deletes `out_dir`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lathe.export.artifacts.adapter import build_adapter
from lathe.export.artifacts.files import list_files
from lathe.export.artifacts.gguf_export import build_gguf
from lathe.export.artifacts.inputs import check_choices, check_folders, check_gguf_inputs
from lathe.export.artifacts.loading import load_tokenizer, tokenizer_folder
from lathe.export.artifacts.merged import build_merged
from lathe.export.artifacts.outcome import Built
from lathe.export.spec import ExportReport, ExportSpec, Log, Progress

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

# The builders' own progress runs up to here; hashing the files takes the rest.
BUILT_AT = 0.95

Builder = Callable[[ExportSpec, "PreTrainedTokenizerBase", Progress, Log], Built]
BUILDERS: dict[str, Builder] = {
    "adapter": build_adapter,
    "merged": build_merged,
    "gguf": build_gguf,
}


def _summary(name: str, check: dict[str, Any]) -> str:
    verdict = "passed" if check.get("passed") else "FAILED"
    if check.get("report_only"):
        verdict = "reported"
    numbers = ", ".join(
        f"{key} {value:.6g}" if isinstance(value, float) else f"{key} {value}"
        for key, value in check.items()
        if key not in ("passed", "report_only") and not isinstance(value, dict)
    )
    return f"check {name}: {verdict} ({numbers})"


def build_export(spec: ExportSpec, progress: Progress, log: Log) -> ExportReport:
    started = time.perf_counter()
    check_choices(spec)
    base_config = check_folders(spec)
    tokenizer = load_tokenizer(tokenizer_folder(spec.adapter_dir, spec.base_dir))
    if spec.format == "gguf":
        check_gguf_inputs(spec, base_config, tokenizer)
    spec.out_dir.mkdir(parents=True, exist_ok=True)

    def scaled(fraction: float, message: str) -> None:
        progress(BUILT_AT * fraction, message)

    built = BUILDERS[spec.format](spec, tokenizer, scaled, log)
    progress(BUILT_AT, "computing checksums")
    files = list_files(spec.out_dir)
    passed = all(check.get("passed") is True for check in built.verification.values())
    for name, check in built.verification.items():
        log(_summary(name, check))
    seconds = {**built.seconds, "total": time.perf_counter() - started}
    progress(1.0, "verified" if passed else "verification failed")
    return ExportReport(
        format=spec.format,
        files=files,
        verification=built.verification,
        passed=passed,
        seconds=seconds,
        modelfile=built.modelfile,
        primary=built.primary,
    )
