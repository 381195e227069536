"""Work for a request done off its thread, by one background thread per process.

Work registered with the response (`call_on_close`) runs on the request's own
thread after the answer, and on a keep-alive connection the next request waits
for it: its timing told whether the work was done (a staff sign-in link is made
only for staff addresses: 22 ms against 3 ms).  Handed to this thread instead,
the request's thread does the same for every address and is free at once.
The standard library's executor waits for queued work when the process exits
normally; a killed process loses it, as it would lose the request itself.
"""
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_owner_pid: int | None = None
_pending: set[Future] = set()


def submit(work: Callable[[], object]) -> None:
    """Run `work` on this process's background thread, after what was submitted before."""
    global _executor, _owner_pid
    with _lock:
        # Made lazily in the process that uses it: a thread does not survive a fork.
        if _executor is None or _owner_pid != os.getpid():
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="background")
            _owner_pid = os.getpid()
            _pending.clear()
        future = _executor.submit(work)
        _pending.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future) -> None:
    with _lock:
        _pending.discard(future)


def wait_until_idle(timeout: float = 30) -> None:
    """Block until everything submitted so far has run (for the CLI and the tests)."""
    with _lock:
        pending = list(_pending)
    wait(pending, timeout)
