"""Problems found in the vault: what the user sees, one per line, as `path:line: level: message`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

_UNPRINTABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(char: str) -> str:
    if "\udc80" <= char <= "\udcff":  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{ord(char) - 0xDC00:02x}"
    return char.encode("unicode_escape", "backslashreplace").decode()


def printable(text: str) -> str:
    """`text` safe to print on a terminal, on one line: control characters (an ESC from a note
    could retitle the window or clear the screen) and bidi overrides shown as `\\x1b` escapes;
    the bytes of a file name that is not UTF-8 (lone surrogates, as Python reads such names)
    shown as `\\xe9`, so the text is always valid UTF-8."""
    return _UNPRINTABLE.sub(lambda m: _escape(m.group()), text)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def spelled_controls(text: str) -> str:
    """`text` with its control characters other than tab and line breaks spelled out (`\\x1b`):
    for pages, which HTML does not allow them in, and from which an ESC copied into a terminal
    would be obeyed."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def printable_lines(text: str) -> str:
    """`printable`, line by line: a message's own line breaks stay."""
    return "\n".join(printable(line) for line in text.split("\n"))


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    path: str
    """The note's path relative to the vault, with `/` (or the config file's name)."""
    line: int
    """1-based line in the file; 0 when the problem is about the whole file."""
    severity: Severity
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return printable(f"{where}: {self.severity}: {self.message}")

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity,
            "message": self.message,
        }


MAX_MESSAGE = 1_000
"""Characters of a message: one that quotes a value pasted a million times over (`quote the
value: role: "…"`) stays one readable line on the terminal and the pages."""


def bounded(message: str) -> str:
    if len(message) <= MAX_MESSAGE:
        return message
    return f"{message[:MAX_MESSAGE]}… ({len(message) - MAX_MESSAGE:,} more characters)"


def error(path: str, line: int, message: str) -> Problem:
    return Problem(path, line, "error", bounded(message))


def warning(path: str, line: int, message: str) -> Problem:
    return Problem(path, line, "warning", bounded(message))
