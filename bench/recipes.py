"""Lathe's recipe engine against pandas on a million-row Alpaca JSONL (issue 4).

    .venv/bin/python bench/recipes.py [--rows 1000000] [--seed 0] [--workdir DIR] [--keep]
                                      [--pandas-engine ujson|pyarrow]

Writes a deterministic Alpaca-style JSONL (varied lengths, ~40% empty inputs, ~5% exact
duplicates, a few blank outputs and a few very long rows), then runs, each in its own child
process:

- Lathe: import the file as a `table` dataset (the upload job's code), then run the recipe
  dataset -> to_messages(alpaca) -> filter `chars(messages) < 4000` -> dedupe exact -> split
  (5% eval, seeded) -> two outputs (run_recipe, the recipe job's code), on a fresh LATHE_HOME.
- pandas: read_json(lines=True) -> user/assistant turns -> the same length rule ->
  drop_duplicates -> sample the same fraction for eval -> messages -> to_parquet twice, with
  vectorised string operations wherever pandas has them. read_json uses pandas' default JSON
  reader (ujson), or pyarrow's with --pandas-engine pyarrow.

Wall time is measured around each child, peak RSS is the child's own (os.wait4), and Lathe's
child also reports the time and peak RSS of its two phases. Both must keep the same number of
train + eval rows. Target (issue 4): Lathe at least as fast as pandas, at no more than half
its peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alpaca_data import write_alpaca_jsonl

MAX_CHARS = 4000  # the length rule: keep rows whose turns have fewer characters than this
EVAL_FRACTION = 0.05
SPEED_TARGET = 1.0  # lathe rows/s over pandas rows/s, at least
RSS_TARGET = 0.5  # lathe peak RSS over pandas peak RSS, at most
# What the children write into the workdir (removed afterwards unless --keep).
LATHE_HOME = "lathe-home"
SPLITS = ("train", "eval")
OUTPUTS = (LATHE_HOME, *(f"pandas-{name}.parquet" for name in SPLITS), "lathe.json", "pandas.json")

# --- peak memory inside a child ---------------------------------------------------------------


def _peak_rss_bytes() -> int:
    """This process's RSS high-water mark since start or the last reset (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak_rss() -> None:
    # Linux: writing 5 resets VmHWM, so the next phase's peak is its own.
    Path("/proc/self/clear_refs").write_text("5")


def _phase(phases: dict[str, dict[str, float]], name: str, work: Callable[[], Any]) -> Any:
    _reset_peak_rss()
    started = time.perf_counter()
    result = work()
    phases[name] = {"seconds": time.perf_counter() - started, "peak_rss": _peak_rss_bytes()}
    return result


# --- the two pipelines (each runs in its own child process) -----------------------------------


def recipe_graph(seed: int) -> dict[str, Any]:
    nodes = [
        ("source", "dataset", {"dataset": "raw"}),
        ("convert", "to_messages", {"source_format": "alpaca"}),
        ("short", "filter", {"expression": f"chars(messages) < {MAX_CHARS}"}),
        ("unique", "dedupe", {"mode": "exact"}),
        ("split", "split", {"eval_fraction": EVAL_FRACTION, "seed": seed}),
        ("train", "output", {"dataset": "train"}),
        ("eval", "output", {"dataset": "eval"}),
    ]
    links = [
        ("source", "out", "convert"),
        ("convert", "out", "short"),
        ("short", "out", "unique"),
        ("unique", "out", "split"),
        ("split", "train", "train"),
        ("split", "eval", "eval"),
    ]
    return {
        "schema_version": 1,
        "nodes": [
            {"id": node_id, "type": kind, "params": params, "position": {"x": 0, "y": 0}}
            for node_id, kind, params in nodes
        ],
        "edges": [
            {"source": source, "source_port": port, "target": target, "target_port": "in"}
            for source, port, target in links
        ],
    }


@dataclass(frozen=True)
class Run:
    """What a child process is asked to do."""

    data: Path
    workdir: Path
    seed: int
    pandas_engine: str

    def argv(self, pipeline: str, result: Path) -> list[str]:
        return [
            *("--child", pipeline, "--data", str(self.data), "--workdir", str(self.workdir)),
            *("--seed", str(self.seed), "--pandas-engine", self.pandas_engine),
            *("--result", str(result)),
        ]


def run_lathe(run: Run) -> dict[str, Any]:
    started = time.perf_counter()
    home = run.workdir / LATHE_HOME
    os.environ["LATHE_HOME"] = str(home)
    os.environ["LATHE_WORKER_GPUS"] = "[]"  # a CPU benchmark: skip CUDA detection
    os.environ.pop("LATHE_DATABASE_URL", None)

    from lathe.datasets.importer import ImportOptions, import_file
    from lathe.db import migrate
    from lathe.recipes import run_recipe
    from lathe.settings import Settings

    setup = time.perf_counter()
    settings = Settings()
    settings.ensure_home()
    migrate.upgrade(settings.resolved_database_url)
    setup = time.perf_counter() - setup  # a one-time step of installing Lathe, not counted
    phases: dict[str, dict[str, float]] = {}
    version = _phase(
        phases,
        "import",
        lambda: import_file(
            settings,
            run.data,
            "raw",
            ImportOptions(format="table"),
            progress=lambda done, total, message: None,
            raise_if_stopped=lambda: None,
        ),
    )
    result = _phase(phases, "recipe", lambda: run_recipe(settings, recipe_graph(run.seed)))
    rows = {output.dataset: output.rows for output in result.outputs}
    return {
        "rows_in": version.row_count,
        "train": rows["train"],
        "eval": rows["eval"],
        "phases": phases,
        "nodes": {key: value.seconds for key, value in result.nodes.items()},
        "seconds": time.perf_counter() - started - setup,
    }


def run_pandas(run: Run) -> dict[str, Any]:
    started = time.perf_counter()
    import pandas as pd  # type: ignore[import-untyped]

    # dtype=False keeps every column as text (the pyarrow engine always does, and refuses it).
    options = {"dtype": False} if run.pandas_engine == "ujson" else {}
    frame = pd.read_json(run.data, lines=True, engine=run.pandas_engine, **options)
    rows_in = len(frame)
    # to_messages(alpaca): instruction and output must be non-blank; the input, when it is,
    # follows the instruction after a blank line.
    instruction, extra, output = frame["instruction"], frame["input"], frame["output"]
    del frame
    keep = instruction.str.strip().ne("") & output.str.strip().ne("")
    with_input = extra.str.strip().ne("")
    user = instruction.where(~with_input, instruction + "\n\n" + extra)
    turns = pd.DataFrame({"user": user[keep], "assistant": output[keep]})
    del instruction, extra, output, user
    turns = turns[turns["user"].str.len() + turns["assistant"].str.len() < MAX_CHARS]
    turns = turns.drop_duplicates()
    evaluation = turns.sample(frac=EVAL_FRACTION, random_state=run.seed)
    train = turns.drop(evaluation.index)
    del turns
    for name, part in (("train", train), ("eval", evaluation)):
        messages = [
            [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
            for u, a in zip(part["user"], part["assistant"], strict=True)
        ]
        pd.DataFrame({"messages": messages}).to_parquet(run.workdir / f"pandas-{name}.parquet")
    return {
        "rows_in": rows_in,
        "train": len(train),
        "eval": len(evaluation),
        "seconds": time.perf_counter() - started,
    }


PIPELINES: dict[str, Callable[[Run], dict[str, Any]]] = {
    "lathe": run_lathe,
    "pandas": run_pandas,
}


# --- the parent: run the children, measure, report --------------------------------------------


@dataclass(frozen=True)
class Measured:
    wall: float  # the child process, start to exit
    peak_rss: int
    result: dict[str, Any]

    @property
    def seconds(self) -> float:
        """The pipeline's own time: without interpreter start-up and LATHE_HOME setup."""
        seconds: float = self.result["seconds"]
        return seconds

    @property
    def kept(self) -> int:
        return int(self.result["train"]) + int(self.result["eval"])


def measure(pipeline: str, run: Run) -> Measured:
    """Run `pipeline` in a child process; its wall time and its own peak RSS (wait4)."""
    out = run.workdir / f"{pipeline}.json"
    command = [sys.executable, __file__, *run.argv(pipeline, out)]
    started = time.perf_counter()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{pipeline} failed with exit status {child.returncode}")
    result = json.loads(out.read_text())
    # VmHWM was reset between Lathe's phases, so the child's peak is the largest of them all.
    peaks = [phase["peak_rss"] for phase in result.get("phases", {}).values()]
    return Measured(wall, max([usage.ru_maxrss * 1024, *peaks]), result)


def _mib(value: float) -> str:
    return f"{value / 2**20:,.0f} MiB"


def report(rows: int, lathe: Measured, pandas: Measured, engine: str) -> bool:
    def line(name: str, seconds: float, peak: float, wall: str = "", kept: str = "") -> None:
        rate = f"{rows / seconds:,.0f}"
        print(f"{name:<16}{seconds:>9.2f} s{rate:>12}{_mib(peak):>12}{wall:>11}{kept:>20}")

    print(f"\n{'':<16}{'time':>11}{'rows/s':>12}{'peak RSS':>12}{'child wall':>11}", end="")
    print(f"{'train + eval kept':>20}")
    for name, run in (("lathe", lathe), (f"pandas/{engine}", pandas)):
        kept = f"{run.result['train']:,} + {run.result['eval']:,}"
        line(name, run.seconds, run.peak_rss, f"{run.wall:.2f} s", kept)
        for phase, numbers in run.result.get("phases", {}).items():
            line(f"  {phase}", numbers["seconds"], numbers["peak_rss"])
    nodes = ", ".join(f"{node} {seconds:.2f} s" for node, seconds in lathe.result["nodes"].items())
    print(f"\nlathe recipe, time per node: {nodes}")
    print("time: in the child, from its imports to its last file written, without interpreter")
    print("start-up and (Lathe) creating and migrating LATHE_HOME; rows/s = input rows / time.")
    speed = pandas.seconds / lathe.seconds
    memory = lathe.peak_rss / pandas.peak_rss
    same = lathe.kept == pandas.kept
    print(f"\nspeed lathe / pandas:    {speed:5.2f}x  (target: at least {SPEED_TARGET:.1f}x)")
    print(f"peak RSS lathe / pandas: {memory:5.2f}   (target: at most {RSS_TARGET:.1f})")
    print(f"same rows kept:          {'yes' if same else 'NO'}")
    met = speed >= SPEED_TARGET and memory <= RSS_TARGET and same
    print(f"target {'met' if met else 'MISSED'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="Rows of the generated JSONL.")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the data and the split.")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="Folder for the data, LATHE_HOME and the outputs (default: a temporary folder).",
    )
    parser.add_argument(
        "--keep", action="store_true", help="Keep the workdir afterwards (and say where it is)."
    )
    parser.add_argument(
        "--pandas-engine",
        choices=("ujson", "pyarrow"),
        default="ujson",
        help="The JSON reader pandas.read_json uses: its default (ujson), or pyarrow's.",
    )
    parser.add_argument("--child", choices=sorted(PIPELINES), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child is not None:
        run = Run(args.data, args.workdir, args.seed, args.pandas_engine)
        result = PIPELINES[args.child](run)
        args.result.write_text(json.dumps(result))
        return

    made = args.workdir is None or not args.workdir.exists()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="lathe-bench-recipes-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"alpaca-{args.rows}-{args.seed}.jsonl"
    try:
        if data.exists():
            print(f"reusing {data}")
        else:
            started = time.perf_counter()
            write_alpaca_jsonl(data, args.rows, args.seed)
            seconds = time.perf_counter() - started
            print(f"wrote {args.rows:,} rows ({_mib(data.stat().st_size)}) in {seconds:.1f} s")
        _remove(workdir, OUTPUTS)  # a fresh LATHE_HOME, even in a reused workdir
        run = Run(data, workdir, args.seed, args.pandas_engine)
        lathe = measure("lathe", run)
        pandas = measure("pandas", run)
        met = report(args.rows, lathe, pandas, args.pandas_engine)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        elif made:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            _remove(workdir, (data.name, *OUTPUTS))
    raise SystemExit(0 if met else 1)


def _remove(workdir: Path, names: tuple[str, ...]) -> None:
    for name in names:
        path = workdir / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
