"""A dict bounded in size, for the caches keyed by what requests send.

A client chooses the keys (a query, an ``Accept`` field, a host name), so every such cache is
bounded; none needs a policy: the requests that repeat (clients polling, pages reloading) are
cached again at once. A hit is a plain ``dict`` look-up, as the hot path needs.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["BoundedCache"]

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """A ``dict`` of at most ``bound`` entries: :meth:`remember` into a full one forgets
    every entry first (a bound, not a policy). Read it as a dict (``cache.get(key)``)."""

    __slots__ = ("bound",)

    def __init__(self, bound: int) -> None:
        super().__init__()
        self.bound = bound

    def remember(self, key: K, value: V) -> V:
        """Keep ``value`` for ``key`` and return it."""
        if len(self) >= self.bound:
            self.clear()
        self[key] = value
        return value
