"""memberdir.execution.memo.Memo: bounded, least recently used dropped first (no database needed)."""

import pytest

from memberdir.execution.memo import Memo


def test_a_value_is_computed_once_per_key():
    memo: Memo[int] = Memo(size=4)
    computed: list[str] = []

    def compute(key: str) -> int:
        computed.append(key)
        return len(key)

    assert [memo.get(k, lambda k=k: compute(k)) for k in ("ab", "abc", "ab", "ab")] == [2, 3, 2, 2]
    assert computed == ["ab", "abc"]


def test_the_least_recently_used_key_is_dropped_past_the_size():
    memo: Memo[str] = Memo(size=2)
    memo.get("a", lambda: "A")
    memo.get("b", lambda: "B")
    memo.get("a", lambda: "stale")  # "a" is now the most recently used
    memo.get("c", lambda: "C")  # drops "b"
    assert len(memo) == 2
    assert memo.get("a", lambda: "again") == "A"
    assert memo.get("b", lambda: "again") == "again"


def test_nothing_is_kept_when_computing_raises():
    memo: Memo[int] = Memo()
    with pytest.raises(ValueError):
        memo.get("k", lambda: int("not a number"))
    assert len(memo) == 0
    assert memo.get("k", lambda: 7) == 7
