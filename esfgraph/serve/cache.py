"""A small in-memory cache of query answers, keyed on the store version.

A store version is never written once it is current (esfgraph.store swaps in a new directory),
so the same query text, dataset and format always give the same bytes until the `current`
pointer moves; the version directory is part of the key. Updates clear the cache.

Every entry counts toward the bound with its key, its body and a fixed overhead for the
bookkeeping (callers key entries by a digest, so a key never holds a query text).
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from typing import Hashable

from esfgraph.serve.workers import Reply


#: Bytes counted per entry besides key and body: the Reply object, its headers, the dict slot.
ENTRY_OVERHEAD = 512


def _size(key: Hashable, reply: Reply) -> int:
    return len(reply.body) + sys.getsizeof(key) + ENTRY_OVERHEAD


class ResultCache:
    """LRU of successful replies, bounded by the bytes of keys, bodies and bookkeeping."""

    def __init__(self, max_bytes: int, max_entry_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        # default: an eighth of the cache, so a capped 10,000-row answer (3-5 MB) of a slow
        # aggregate is kept while one entry can never crowd out the rest
        limit = max(2_000_000, max_bytes // 8) if max_entry_bytes is None else max_entry_bytes
        self.max_entry_bytes = min(limit, max_bytes)
        self._items: OrderedDict[Hashable, Reply] = OrderedDict()
        self._size = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Reply | None:
        """The cached reply for `key`, refreshed as most recently used."""
        reply = self._items.get(key)
        if reply is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return reply

    def put(self, key: Hashable, reply: Reply) -> None:
        """Remember a 200 reply unless it is too big; evict the oldest to stay in bounds."""
        size = _size(key, reply)
        if reply.status != 200 or self.max_bytes <= 0 or size > self.max_entry_bytes:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self._size -= _size(key, old)
        self._items[key] = reply
        self._size += size
        while self._size > self.max_bytes and self._items:
            old_key, evicted = self._items.popitem(last=False)
            self._size -= _size(old_key, evicted)

    @property
    def size(self) -> int:
        """Bytes counted now (never above `max_bytes`)."""
        return self._size

    def clear(self) -> None:
        """Forget everything (after an update)."""
        self._items.clear()
        self._size = 0


__all__ = ["ResultCache"]
