"""The app's cache of response bodies and their compressed forms: bounded in bytes, LRU,
thread-safe and single-flight (concurrent requests for a key that is not cached compute it
once). One instance per app, in app.extensions; no Flask here.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

LOGGER = logging.getLogger(__name__)

ENTRY_OVERHEAD = 512  # bytes counted per entry besides its bodies


@dataclass
class Entry:
    """A cached body, its compressed forms by encoding, and what a response needs beside it."""

    body: bytes
    meta: dict = field(default_factory=dict)
    encoded: dict[str, bytes] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Bytes this entry holds."""
        return ENTRY_OVERHEAD + len(self.body) + sum(len(b) for b in self.encoded.values())


@dataclass
class _Flight:
    """A computation under way; later requests for its key wait for it."""

    done: threading.Event = field(default_factory=threading.Event)
    entry: Entry | None = None
    error: BaseException | None = None


@dataclass
class Stats:
    """What the cache has done since it was made or cleared."""

    hits: int = 0
    misses: int = 0
    computed: int = 0
    evicted: int = 0
    waited: int = 0


class ResponseCache:
    """Bodies by key, at most max_bytes in all (least recently used go first)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()
        self._bytes = 0
        self.stats = Stats()

    @property
    def held_bytes(self) -> int:
        """Bytes held now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Entry | None:
        """The entry of a key, or None; counts as a use."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def get_or_compute(self, key: Hashable, compute: Callable[[], Entry]) -> Entry:
        """The cached entry, or compute it once however many threads ask at the same time.

        An error in compute reaches every waiting caller and nothing is cached.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.stats.hits += 1
                return entry
            waiting = self._flights.get(key)
            if waiting is None:
                flight = self._flights[key] = _Flight()
                self.stats.misses += 1
            else:
                self.stats.waited += 1
        if waiting is not None:
            waiting.done.wait()
            if waiting.error is not None:
                raise waiting.error
            assert waiting.entry is not None  # set by the leader unless it failed
            return waiting.entry
        try:
            entry = flight.entry = compute()
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                del self._flights[key]
                if flight.entry is not None:
                    self.stats.computed += 1
                    self._store(key, flight.entry)
            flight.done.set()
        return entry

    def put(self, key: Hashable, entry: Entry) -> None:
        """Keep an entry, replacing the key's old one."""
        with self._lock:
            self._store(key, entry)

    def add_encoded(self, key: Hashable, encoding: str, data: bytes) -> None:
        """Keep a compressed form of a cached body (ignored when the body is not cached)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.encoded.get(encoding) == data:
                return
            self._bytes -= entry.size
            entry.encoded[encoding] = data
            self._bytes += entry.size
            self._evict()

    def clear(self) -> None:
        """Forget every entry and the counts."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.stats = Stats()

    def _store(self, key: Hashable, entry: Entry) -> None:
        """Add an entry and evict old ones (holding the lock); too big an entry is not kept."""
        if entry.size > self.max_bytes:
            LOGGER.info(
                f"not caching a body of {len(entry.body):,} bytes (limit {self.max_bytes:,})"
            )
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._entries[key] = entry
        self._bytes += entry.size
        self._evict()

    def _evict(self) -> None:
        """Drop least recently used entries until the total fits (holding the lock)."""
        while self._bytes > self.max_bytes and self._entries:
            _, old = self._entries.popitem(last=False)
            self._bytes -= old.size
            self.stats.evicted += 1
