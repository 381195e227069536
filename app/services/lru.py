"""A small thread-safe map that forgets its least recently used entries."""
import threading
from collections import OrderedDict
from typing import Generic, TypeVar

Value = TypeVar("Value")


class LruCache(Generic[Value]):
    """At most `size` entries; reading an entry makes it the most recently used."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Value | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: tuple, value: Value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
