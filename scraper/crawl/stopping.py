"""A stop signal that wakes whoever waits for it: the crawl's coordinator sleeps until its
next due time or an event, so a stop must be an event too, not something it looks at."""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["Stop"]


class Stop(threading.Event):
    """A ``threading.Event`` whose ``set`` also calls the hooks added with ``on_set``.

    ``set`` may run in a signal handler: a hook must only do what is safe there (such as
    ``queue.SimpleQueue.put``, which is reentrant).
    """

    def __init__(self) -> None:
        super().__init__()
        self._hooks: list[Callable[[], None]] = []

    def on_set(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Call ``hook`` when the signal is set (at once if it is); returns its remover."""
        self._hooks.append(hook)
        if self.is_set():
            hook()

        def remove() -> None:
            if hook in self._hooks:
                self._hooks.remove(hook)

        return remove

    def set(self) -> None:
        super().set()
        for hook in list(self._hooks):
            hook()
