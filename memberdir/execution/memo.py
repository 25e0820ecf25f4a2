"""A bounded memo: values by key, the least recently used dropped first."""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from datastore.erasure import forget_on_erasure

T = TypeVar("T")


class Memo(Generic[T]):
    def __init__(self, size: int = 256):
        self.size = size
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        forget_on_erasure(self)  # keys may hold a caller's values (variables, texts)

    def clear(self) -> None:
        self._values.clear()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept under `key`, else `compute()`'s, then kept (not when it raises)."""
        if key in self._values:
            self._values.move_to_end(key)
            return self._values[key]
        value = self._values[key] = compute()
        if len(self._values) > self.size:
            self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)
