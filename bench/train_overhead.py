"""What Lathe's training path costs on top of plain transformers: the same model, data and
config trained through Lathe's job path and through the bare Trainer + peft script
(bench/bare_trainer.py); prints tokens/s of both and the ratio. Target: Lathe >= 0.95x.

    .venv/bin/python bench/train_overhead.py [--steps 12] [--batch-size 4] [--rounds 3]
                                             [--model-folder PATH]

The model is the built-in SmolLM2-135M-Instruct from your LATHE_HOME (pull it once with
`.venv/bin/lathe models pull smollm2-135m-instruct`), or any local HF model folder with
--model-folder. The data is the built-in "identity" sample; the config is the quick-cpu-demo
preset (LoRA r 8 on every linear layer, fp32, batch 4) for --steps optimizer steps, with no
sample prompts.

Lathe's side: a fresh LATHE_HOME with the model imported and the sample added, a `train` job
queued and run by a real `lathe worker` process (the job runs in the worker's child process and
writes its metrics, progress and checkpoints to the database and disk as in any run). The bare
side: the same tokenised examples (Lathe's data step, so both train on identical tokens) and
the same hyperparameters in bench/bare_trainer.py, in a fresh process, with the worker stopped.
The sides take turns, --rounds times (who goes first alternates too).

What each side measures, the same way: Trainer's train_runtime (the wall time of
trainer.train(): every step with its callbacks and the checkpoint saves) and the non-padding
input tokens it saw (num_input_tokens_seen); tokens/s = tokens / train_runtime. Not measured
on either side: process start, model load, tokenisation, saving the adapter.

Other work on the machine only slows a round down, so the verdict takes each side's best round
(as timeit does); the medians are printed too, with the load average before and after.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bare_trainer import BareRun, train_bare
from jobs import Database, fresh_home, workers
from lathe.datasets import records
from lathe.datasets.samples import sample_table
from lathe.datasets.storage import VersionWriter
from lathe.errors import NotFound
from lathe.jobs import service as jobs
from lathe.models.registry import import_model, resolve_model
from lathe.models.storage import model_dir
from lathe.schemas.models import DEFAULT_MODEL_KEY
from lathe.settings import Settings, get_settings
from lathe.training import service
from lathe.training.config import TrainingConfig
from lathe.training.data import prepare_data
from lathe.training.tokens import load_tokenizer

TARGET_RATIO = 0.95
MODEL_NAME = "bench-model"
DATASET = "identity"
JOB_TIMEOUT_S = 1800
# Seldom: this process's polling competes with the job for the CPU, and the job's end time
# does not matter (the job reports its own train_runtime).
JOB_POLL_S = 2.0


@dataclass(frozen=True)
class Throughput:
    tokens: int
    seconds: float

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds


def source_model_folder(given: Path | None) -> Path:
    """--model-folder, else the built-in model pulled into the user's LATHE_HOME."""
    if given is not None:
        if not (given / "config.json").is_file():
            raise SystemExit(f"{given} is not a HF model folder (no config.json)")
        return given
    settings = get_settings()
    try:
        return model_dir(settings, resolve_model(settings, DEFAULT_MODEL_KEY))
    except NotFound:
        raise SystemExit(
            f"the built-in model is not in {settings.home}: pull it with "
            f"`.venv/bin/lathe models pull {DEFAULT_MODEL_KEY}`, or pass --model-folder PATH "
            "(any local HF model folder)"
        ) from None


def bench_config(steps: int, batch_size: int) -> TrainingConfig:
    return TrainingConfig.model_validate(
        {
            "preset": "quick-cpu-demo",
            "model": MODEL_NAME,
            "dataset": DATASET,
            "max_steps": steps,
            "batch_size": batch_size,
            "sample_prompts": [],
        }
    )


def add_identity_sample(settings: Settings) -> None:
    with VersionWriter(settings) as writer:
        writer.write(sample_table(DATASET))
        staged = writer.finish()
    records.add_version(settings, DATASET, staged, records.NewVersion(source="sample"))


def run_lathe(settings: Settings, config: TrainingConfig) -> Throughput:
    """One `train` job through a real worker process; Trainer's numbers from the job result."""
    with workers(settings, 1):
        job_id = service.queue_run(settings, config).id
        deadline = time.monotonic() + JOB_TIMEOUT_S
        while (job := jobs.get_job(settings, job_id)).status not in ("succeeded", "failed"):
            if time.monotonic() > deadline:
                raise SystemExit(f"job {job_id} still {job.status} after {JOB_TIMEOUT_S} s")
            time.sleep(JOB_POLL_S)
    if job.status != "succeeded" or job.result is None:
        raise SystemExit(f"the Lathe run failed: {job.error_message}")
    metrics = job.result["metrics"]
    return Throughput(tokens=int(metrics["train_tokens"]), seconds=metrics["train_runtime"])


def run_bare(settings: Settings, config: TrainingConfig, output_dir: Path) -> Throughput:
    examples = prepare_data(settings, config, load_tokenizer(settings, MODEL_NAME)).train.examples
    folder = model_dir(settings, resolve_model(settings, MODEL_NAME))
    run = BareRun.from_config(config, folder, output_dir)
    # In a fresh process, as a script runs and as Lathe's job runs: this process has trained
    # before, and its warm allocator and thread pools would flatter the baseline.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as process:
        result = process.submit(train_bare, run, examples).result()
    return Throughput(tokens=result.tokens, seconds=result.train_runtime_s)


def report(name: str, runs: list[Throughput]) -> tuple[float, float]:
    """Print one side; returns its best and its median tokens/s."""
    rates = [run.tokens_per_s for run in runs]
    best, median = max(rates), statistics.median(rates)
    each = ", ".join(f"{run.tokens_per_s:.1f} ({run.seconds:.0f} s)" for run in runs)
    print(f"  {name:<31} best {best:7.1f}  median {median:7.1f} tokens/s   rounds: {each}")
    return best, median


def load_average() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=12, help="optimizer steps per side")
    parser.add_argument("--batch-size", type=int, default=4, help="examples per step")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of both sides, taking turns; the best round of each side is compared",
    )
    parser.add_argument(
        "--model-folder",
        type=Path,
        help="a local HF model folder to train instead of the built-in SmolLM2-135M-Instruct",
    )
    args = parser.parse_args()

    source = source_model_folder(args.model_folder)
    before = load_average()
    config = bench_config(args.steps, args.batch_size)
    lathe_runs: list[Throughput] = []
    bare_runs: list[Throughput] = []
    with fresh_home(Database("SQLite")) as settings, tempfile.TemporaryDirectory() as scratch:
        import_model(settings, str(source), name=MODEL_NAME)
        add_identity_sample(settings)

        def lathe_round() -> None:
            lathe_runs.append(run_lathe(settings, config))

        def bare_round() -> None:
            output_dir = Path(scratch) / f"bare-{len(bare_runs)}"
            bare_runs.append(run_bare(settings, config, output_dir))

        for round_number in range(args.rounds):
            # Who goes first alternates, so a trend in the machine's load favours neither.
            first, second = (
                (lathe_round, bare_round) if round_number % 2 == 0 else (bare_round, lathe_round)
            )
            first()
            second()

    print(
        f"LoRA training, {source.name}, {DATASET} sample, quick-cpu-demo preset, "
        f"{args.steps} steps of batch {args.batch_size} ({lathe_runs[0].tokens} tokens), "
        f"{args.rounds} round(s); tokens/s = non-padding input tokens / Trainer's train_runtime"
    )
    print(f"  load average (1/5/15 min) before: {before}, after: {load_average()}")
    lathe_best, lathe_median = report("lathe (train job in a worker)", lathe_runs)
    bare_best, bare_median = report("bare Trainer + peft script", bare_runs)
    # Other work on the machine only ever slows a round down: the best round of each side is
    # the least disturbed, so its ratio is the verdict; the median shows the spread.
    ratio = lathe_best / bare_best
    verdict = "meets" if ratio >= TARGET_RATIO else "misses"
    print(
        f"ratio lathe / bare: {ratio:.3f}x best of {args.rounds}, "
        f"{lathe_median / bare_median:.3f}x of the medians "
        f"({verdict} the target of >= {TARGET_RATIO}x)"
    )


if __name__ == "__main__":
    main()
