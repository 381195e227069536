"""A small thread-safe map that forgets its least recently used entries, and optionally its old ones."""
import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar

Value = TypeVar("Value")


class LruCache(Generic[Value]):
    """At most `size` entries; reading an entry makes it the most recently used.

    With `max_age` (seconds), an entry older than that reads as missing: the
    bound on how long a cached answer can outlive a change its key cannot see.
    """

    def __init__(self, size: int, max_age: float | None = None):
        self.size = size
        self.max_age = max_age
        self._entries: OrderedDict[tuple, tuple[float, Value]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Value | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored_at, value = entry
            if self.max_age is not None and time.monotonic() - stored_at >= self.max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: tuple, value: Value) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
