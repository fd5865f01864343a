"""Progress on the terminal: one line rewritten in place on a tty, a line every few seconds otherwise."""
from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, quiet: bool = False, every: float = 3.0):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.every = every
        self._last = 0.0
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def update(self, text: str, force: bool = False) -> None:
        """Show `text` as the current state (throttled unless force)."""
        if self.quiet:
            return
        now = time.monotonic()
        if self._tty:
            self.stream.write("\r\x1b[K" + text)
            self.stream.flush()
        elif force or now - self._last >= self.every:
            self.stream.write(text + "\n")
            self.stream.flush()
            self._last = now

    def done(self, text: str) -> None:
        """Finish the current line with `text`."""
        if self.quiet:
            return
        self.stream.write(("\r\x1b[K" if self._tty else "") + text + "\n")
        self.stream.flush()

    def say(self, text: str) -> None:
        """A line of its own."""
        if not self.quiet:
            self.stream.write(text + "\n")
            self.stream.flush()
