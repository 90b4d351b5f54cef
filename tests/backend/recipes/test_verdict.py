"""Reading a judge model's score and reason, however loosely it answered."""

from __future__ import annotations

import pytest

from lathe.recipes.verdict import parse_verdict


@pytest.mark.parametrize(
    ("answer", "score", "reason"),
    [
        ('{"score": 8, "reason": "Clear and correct."}', 8.0, "Clear and correct."),
        ('```json\n{"Score": "7", "Explanation": "ok"}\n```', 7.0, "ok"),
        ('Sure! {"score": 6.5, "reasoning": "fine"} Hope that helps.', 6.5, "fine"),
        ('{"note": 1} then {"rating": 3}', 3.0, '{"note": 1} then {"rating": 3}'),
        ("Score: 9. The answer is great.", 9.0, "Score: 9. The answer is great."),
        (
            "I would give it a rating of **4** overall",
            4.0,
            "I would give it a rating of **4** overall",
        ),
        ("Overall 7/10, decent.", 7.0, "Overall 7/10, decent."),
        ("5", 5.0, "5"),
        ('{"score": "8/10", "reason": "good"}', 8.0, "good"),
    ],
)
def test_scores_are_found(answer: str, score: float, reason: str) -> None:
    assert parse_verdict(answer, 1, 10) == (score, reason)


@pytest.mark.parametrize(
    ("answer", "reason_starts"),
    [
        ("I cannot judge this.", "I cannot judge this."),
        ('{"score": 42, "reason": "x"}', "score 42 is outside 1..10"),
        ("score: 0", "score 0 is outside 1..10"),
        ('{"score": null, "reason": "unsure"}', '{"score": null'),
        ('{"score": true}', '{"score": true}'),
        ("3/5 stars", "3/5 stars"),
        ("", ""),
    ],
)
def test_unreadable_or_out_of_range_gives_no_score(answer: str, reason_starts: str) -> None:
    score, reason = parse_verdict(answer, 1, 10)
    assert score is None
    assert reason.startswith(reason_starts)
