"""A deterministic Alpaca-style JSONL for the recipe benchmark: varied lengths, ~40% empty
inputs, ~5% exact duplicates, a few blank outputs and a few very long rows."""

from __future__ import annotations

import json
import random
from pathlib import Path

# The generated data. Texts come from pools of paragraphs built once per seed, so a million
# rows take seconds to write; each instruction carries its row number, so only the planted
# duplicates repeat.
DUPLICATE_SHARE = 0.05
EMPTY_INPUT_SHARE = 0.4
BLANK_OUTPUT_SHARE = 0.001
LONG_ROW_SHARE = 0.002
LONG_ROW_CHARS = 6000
_POOL = 4096
_RECENT = 20_000  # duplicates copy one of this many recent lines
_EXTRA_WORDS = ("café", "naïve", "über", "日本語", "données", "ñandú", "Ελληνικά", "😀")


def _paragraphs(rng: random.Random, words: list[str], low: int, high: int) -> list[str]:
    """Texts of `low` to `high` words, mostly short (log-uniform lengths)."""
    pool = []
    for _ in range(_POOL):
        text = " ".join(rng.choices(words, k=int(low * (high / low) ** rng.random())))
        pool.append(text[0].upper() + text[1:] + ".")
    return pool


def write_alpaca_jsonl(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(3000)]
    words += _EXTRA_WORDS
    instructions = _paragraphs(rng, words, 3, 40)
    inputs = _paragraphs(rng, words, 3, 80)
    outputs = _paragraphs(rng, words, 5, 300)
    recent: list[bytes] = []
    with path.open("wb") as f:
        for number in range(rows):
            roll = rng.random()
            if recent and roll < DUPLICATE_SHARE:
                f.write(rng.choice(recent))
                continue
            output = rng.choice(outputs)
            if roll < DUPLICATE_SHARE + BLANK_OUTPUT_SHARE:
                output = " "
            elif roll < DUPLICATE_SHARE + BLANK_OUTPUT_SHARE + LONG_ROW_SHARE:
                while len(output) < LONG_ROW_CHARS:
                    output += " " + rng.choice(outputs)
            record = {
                "instruction": f"Task {number}: {rng.choice(instructions)}",
                "input": "" if rng.random() < EMPTY_INPUT_SHARE else rng.choice(inputs),
                "output": output,
            }
            line = json.dumps(record, ensure_ascii=False).encode() + b"\n"
            f.write(line)
            if len(recent) < _RECENT:
                recent.append(line)
            else:
                recent[rng.randrange(_RECENT)] = line
