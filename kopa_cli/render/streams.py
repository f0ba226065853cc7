"""Standard output and error that can neither crash a command nor change its verdict.

- A character the stream's encoding cannot hold (``PYTHONIOENCODING=cp850``, a Windows
  console) is replaced by ``?``; the command goes on and exits as it would on UTF-8.
- A reader that has gone (``kopa validate | head -1``) is no failure: the rest of the output
  is dropped, and the command ends with its own exit code (1 for problems in the records),
  without a traceback. The Python documentation's advice (signal.html, "Note on SIGPIPE"):
  point the stream's file descriptor at devnull, so that no later flush fails either. A stream
  that was closed before kopa started (``kopa validate >&-``) is treated the same.
- Output that cannot be written (``> /dev/full``: the disk is full) ends the command with a
  message on stderr (``OutputFailed``, exit 2), not taken for a bug; what stderr cannot take
  is dropped.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from kopa_cli.core import oserrors
from kopa_cli.core.errors import KopaError
from kopa_cli.core.i18n import N_


class OutputFailed(KopaError):
    template = N_("the output could not be written: {reason}")


class GuardedStream:
    """A text stream that drops what it cannot deliver once its reader has gone."""

    def __init__(self, stream: IO[str], says_failures: bool) -> None:
        self.stream = stream
        self.gone = False
        self.says_failures = says_failures  # stdout: a failed write is reported (stderr has nowhere to)
        self.failure: OSError | None = None

    def write(self, text: str) -> int:
        if self.failure is not None:  # said again at each write: click probes streams and ignores errors
            raise OutputFailed(reason=oserrors.reason(self.failure))
        if not self.gone:
            try:
                return self.stream.write(text)
            except OSError as error:
                self._failed(error)
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except OSError as error:
                self._failed(error)

    def _failed(self, error: OSError) -> None:
        self._reader_gone()
        if self.says_failures and not isinstance(error, BrokenPipeError):
            self.failure = error
            raise OutputFailed(reason=oserrors.reason(error)) from None

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


def _guarded(stream: IO[str] | None, says_failures: bool) -> IO[str]:
    if isinstance(stream, GuardedStream):
        return stream  # type: ignore[return-value]
    if stream is None:  # closed before kopa started: as if its reader had gone
        guarded = GuardedStream(open(os.devnull, "w", encoding="utf-8"), says_failures)
        guarded.gone = True
        return guarded  # type: ignore[return-value]
    if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="replace")
    return GuardedStream(stream, says_failures)  # type: ignore[return-value]


def guard_standard_streams() -> None:
    """Make ``sys.stdout`` and ``sys.stderr`` replace what they cannot encode and survive a
    reader that has gone."""
    sys.stdout = _guarded(sys.stdout, says_failures=True)
    sys.stderr = _guarded(sys.stderr, says_failures=False)


def flush_standard_streams() -> None:
    """Deliver what is buffered now, while a gone reader can still be told apart from a bug."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
