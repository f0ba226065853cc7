"""Standard output and error that can neither crash a command nor change its verdict.

- A character the stream's encoding cannot hold (``PYTHONIOENCODING=cp850``, a Windows
  console) is replaced by ``?``; the command goes on and exits as it would on UTF-8.
- A reader that has gone (``kopa validate | head -1``) is no failure: the rest of the output
  is dropped, and the command ends with its own exit code (1 for problems in the records),
  without a traceback. The Python documentation's advice (signal.html, "Note on SIGPIPE"):
  point the stream's file descriptor at devnull, so that no later flush fails either.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any


class GuardedStream:
    """A text stream that drops what it cannot deliver once its reader has gone."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._reader_gone()

    def _reader_gone(self) -> None:
        self.gone = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # no file descriptor of its own (a test's buffer)
            pass

    def __getattr__(self, name: str) -> Any:  # encoding, isatty, fileno...: the stream's own
        return getattr(self.stream, name)


def _guarded(stream: IO[str]) -> IO[str]:
    if isinstance(stream, GuardedStream):
        return stream
    if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="replace")
    return GuardedStream(stream)  # type: ignore[return-value]


def guard_standard_streams() -> None:
    """Make ``sys.stdout`` and ``sys.stderr`` replace what they cannot encode and survive a
    reader that has gone."""
    sys.stdout = _guarded(sys.stdout)
    sys.stderr = _guarded(sys.stderr)


def flush_standard_streams() -> None:
    """Deliver what is buffered now, while a gone reader can still be told apart from a bug."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
