"""Continuous batching for one served model: a decode thread that runs every live sequence of
the model (base and adapters mixed) one token per step in one forward pass, admits new
sequences between steps (the prompts that arrived together prefilled in one pass, then their KV
caches join the batch)
and drops finished or cancelled ones at once, so nothing is generated for a client that left.

Why not transformers' ContinuousBatchingManager: it samples with temperature/top-k/top-p only
(no penalties, min-p, per-request seeds or stop strings) and runs one set of weights with
packed sequences, so rows cannot each carry their own PEFT adapter."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from lathe.errors import LatheError
from lathe.inference.detokenize import IncrementalDetokenizer
from lathe.inference.kv_batch import DecodeBatch
from lathe.inference.sampling import ChatSampling, SequenceSampler
from lathe.inference.stops import StopStrings
from lathe.inference.streams import Failed, Finished, FinishReason, GenerationStream, TextDelta
from lathe.models.reasons import short_reason

if TYPE_CHECKING:
    import torch
    from transformers import DynamicCache, PreTrainedTokenizerBase

logger = logging.getLogger(__name__)

T = TypeVar("T")
IDLE_WAIT_S = 1.0
# The most padded prompt tokens one prefill pass takes: bounds its memory and how long it holds
# up the running sequences' next token.
PREFILL_TOKENS = 4096


class ForwardPass(Protocol):
    """Logits of the last position of each row; `adapters` names each row's adapter (None:
    the base model alone)."""

    def __call__(
        self,
        input_ids: torch.Tensor,
        cache: DynamicCache,
        adapters: list[str | None],
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
    ) -> torch.Tensor: ...


@dataclass(frozen=True)
class GenerationRequest:
    prompt_ids: list[int]
    sampling: ChatSampling
    max_new_tokens: int
    stop_ids: frozenset[int]
    tokenizer: PreTrainedTokenizerBase
    adapter: str | None = None


@dataclass
class _Sequence:
    request: GenerationRequest
    stream: GenerationStream
    sampler: SequenceSampler
    detokenizer: IncrementalDetokenizer
    stops: StopStrings
    generated: int = 0
    last_token: int = 0


class DecodeScheduler:
    def __init__(
        self,
        name: str,
        forward: ForwardPass,
        *,
        device: torch.device,
        vocab_size: int,
        max_batch: int,
    ) -> None:
        self.name = name
        self._forward = forward
        self._device = device
        self._vocab_size = vocab_size
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._wakeup = threading.Event()
        self._pending: deque[_Sequence] = deque()
        self._calls: deque[tuple[Callable[[], object], Future[object]]] = deque()
        self._active: list[_Sequence] = []
        self._batch = DecodeBatch(device)
        self._closing = False
        self._thread = threading.Thread(target=self._run, name=f"lathe-decode-{name}", daemon=True)
        self._thread.start()

    # --- called from other threads ---------------------------------------------------------

    def submit(self, request: GenerationRequest) -> GenerationStream:
        stream = GenerationStream()
        sequence = _Sequence(
            request=request,
            stream=stream,
            sampler=SequenceSampler(
                request.sampling, request.prompt_ids, self._vocab_size, self._device
            ),
            detokenizer=IncrementalDetokenizer(request.tokenizer),
            stops=StopStrings(request.sampling.stop),
        )
        with self._lock:
            if self._closing:
                raise LatheError(f"model {self.name} is being unloaded; send the request again")
            self._pending.append(sequence)
        self._wakeup.set()
        return stream

    def call(self, function: Callable[[], T]) -> T:
        """Run `function` on the decode thread between two steps (changing the model's adapters
        while no forward pass runs), and return its result."""
        future: Future[object] = Future()
        with self._lock:
            if self._closing:
                raise LatheError(f"model {self.name} is being unloaded")
            self._calls.append((function, future))
        self._wakeup.set()
        result: T = future.result()  # type: ignore[assignment]
        return result

    @property
    def busy(self) -> int:
        """Sequences waiting or running."""
        with self._lock:
            return len(self._pending) + len(self._active)

    def uses_adapter(self, adapter: str) -> bool:
        with self._lock:
            return any(s.request.adapter == adapter for s in [*self._pending, *self._active])

    def close(self, timeout: float = 30.0) -> None:
        """Fail what is waiting or running and stop the decode thread."""
        with self._lock:
            self._closing = True
        self._wakeup.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    # --- the decode thread -------------------------------------------------------------------

    def _run(self) -> None:
        import torch

        with torch.inference_mode():
            while True:
                self._run_calls()
                with self._lock:
                    closing = self._closing
                if closing:
                    self._fail_all(LatheError(f"model {self.name} was unloaded"))
                    self._run_calls()
                    return
                self._drop_cancelled()
                self._admit()
                if self._active:
                    self._step()
                else:
                    self._wakeup.wait(IDLE_WAIT_S)
                    self._wakeup.clear()

    def _run_calls(self) -> None:
        while True:
            with self._lock:
                if not self._calls:
                    return
                function, future = self._calls.popleft()
            try:
                future.set_result(function())
            except BaseException as error:
                future.set_exception(error)

    def _admit(self) -> None:
        """Prefill what is waiting, as far as the batch has room: sequences that arrived
        together are prefilled together, in groups of bounded size."""
        group: list[_Sequence] = []
        while len(self._active) + len(group) < self._max_batch:
            with self._lock:
                if not self._pending:
                    break
                sequence = self._pending.popleft()
            if sequence.stream.cancelled:
                sequence.stream.put(_cancelled(sequence))
            else:
                group.append(sequence)
        for chunk in _prefill_groups(group):
            try:
                self._prefill(chunk)
            except Exception as error:
                if len(chunk) > 1:  # find the one at fault: the others still get their answer
                    for sequence in chunk:
                        self._prefill_alone(sequence)
                    continue
                logger.exception("prefill failed on %s", self.name)
                chunk[0].stream.put(Failed(_generation_error(error)))

    def _prefill_alone(self, sequence: _Sequence) -> None:
        try:
            self._prefill([sequence])
        except Exception as error:
            logger.exception("prefill failed on %s", self.name)
            sequence.stream.put(Failed(_generation_error(error)))

    def _prefill(self, group: list[_Sequence]) -> None:
        """One forward pass over the prompts of `group` (left-padded to a common length), their
        first tokens taken, and their caches joined to the decode batch."""
        import torch
        from transformers import DynamicCache

        prompts = [sequence.request.prompt_ids for sequence in group]
        length = max(len(prompt) for prompt in prompts)
        input_ids = torch.zeros(len(group), length, dtype=torch.long, device=self._device)
        mask = torch.zeros(len(group), length, dtype=torch.long, device=self._device)
        for row, prompt in enumerate(prompts):
            input_ids[row, length - len(prompt) :] = torch.tensor(prompt, device=self._device)
            mask[row, length - len(prompt) :] = 1
        cache = DynamicCache()
        adapters = [sequence.request.adapter for sequence in group]
        if len(group) == 1:  # no padding: the plain causal forward
            logits = self._forward(input_ids, cache, adapters)
        else:
            positions = (mask.cumsum(dim=1) - 1).clamp(min=0)
            logits = self._forward(
                input_ids, cache, adapters, attention_mask=mask, position_ids=positions
            )
        firsts = [sequence.sampler.pick(logits[row]) for row, sequence in enumerate(group)]
        self._batch.add(cache, mask)
        with self._lock:
            offset = len(self._active)
            self._active.extend(group)
        finals = {
            offset + row: final
            for row, (sequence, token) in enumerate(zip(group, firsts, strict=True))
            if (final := self._accept(sequence, token)) is not None
        }
        self._finish(finals)

    def _step(self) -> None:
        import torch

        input_ids = torch.tensor([[s.last_token] for s in self._active], device=self._device)
        mask, positions = self._batch.step_inputs()
        try:
            logits = self._forward(
                input_ids,
                self._batch.cache,  # type: ignore[arg-type]
                [s.request.adapter for s in self._active],
                attention_mask=mask,
                position_ids=positions,
            )
        except Exception as error:
            logger.exception("decode step failed on %s", self.name)
            self._fail_all(_generation_error(error))
            return
        finals = {
            row: final
            for row, sequence in enumerate(self._active)
            if (final := self._accept(sequence, sequence.sampler.pick(logits[row]))) is not None
        }
        self._finish(finals)

    def _finish(self, finals: dict[int, Finished]) -> None:
        """Drop these rows, then tell their consumers: a consumer that sends its next request
        at once finds the model idle."""
        streams = [(self._active[row].stream, final) for row, final in finals.items()]
        self._remove(list(finals))
        for stream, final in streams:
            stream.put(final)

    def _accept(self, sequence: _Sequence, token: int) -> Finished | None:
        """Take the sampled token (its text goes out at once); how the sequence finished, or
        None while it goes on."""
        request = sequence.request
        sequence.generated += 1
        sequence.last_token = token
        sequence.sampler.record(token)
        reason: FinishReason | None = None
        stops, detokenizer = sequence.stops, sequence.detokenizer
        if token in request.stop_ids:
            text, reason = stops.feed(detokenizer.flush()), "stop"
        else:
            text = stops.feed(detokenizer.add(token))
            if not stops.stopped and sequence.generated >= request.max_new_tokens:
                text, reason = text + stops.feed(detokenizer.flush()), "length"
        if stops.stopped:
            reason = "stop"
        elif reason is not None:
            text += stops.flush()
        if text:
            sequence.stream.put(TextDelta(text))
        if reason is None:
            return None
        return Finished(reason, len(request.prompt_ids), sequence.generated)

    def _drop_cancelled(self) -> None:
        self._finish(
            {
                row: _cancelled(sequence)
                for row, sequence in enumerate(self._active)
                if sequence.stream.cancelled
            }
        )

    def _remove(self, rows: list[int]) -> None:
        if not rows:
            return
        self._batch.remove(rows)
        gone = set(rows)
        with self._lock:
            self._active = [s for row, s in enumerate(self._active) if row not in gone]

    def _fail_all(self, error: LatheError) -> None:
        with self._lock:
            sequences = [*self._active, *self._pending]
            self._active, self._pending = [], deque()
        self._batch = DecodeBatch(self._device)
        for sequence in sequences:
            sequence.stream.put(Failed(error))


def _prefill_groups(sequences: list[_Sequence]) -> list[list[_Sequence]]:
    """Split what is to be prefilled so no one pass holds more than PREFILL_TOKENS padded
    tokens (each group pads to its longest prompt), longest prompts first so similar lengths
    share a group and little compute goes to padding."""
    groups: list[list[_Sequence]] = []
    for sequence in sorted(sequences, key=lambda s: len(s.request.prompt_ids), reverse=True):
        if groups and len(groups[-1][0].request.prompt_ids) * (len(groups[-1]) + 1) <= (
            PREFILL_TOKENS
        ):
            groups[-1].append(sequence)
        else:
            groups.append([sequence])
    return groups


def _cancelled(sequence: _Sequence) -> Finished:
    # Ends a consumer still waiting (one that asked to cancel but reads on).
    return Finished("cancelled", len(sequence.request.prompt_ids), sequence.generated)


def _generation_error(error: Exception) -> LatheError:
    if isinstance(error, LatheError):
        return error
    return LatheError(f"generation failed: {short_reason(error)}")
