"""Every exception vaultkit raises on purpose, in one place.

`VaultkitError` and its subclasses stop a command: the CLI prints the message and exits with
`exit_code`. The others are raised and caught inside vaultkit (a bad field value, a store that
cannot be trusted, a damaged row, a failed write) and end as a `Problem` or a fallback.
"""

from __future__ import annotations


class VaultkitError(Exception):
    """A problem that stops a command (bad usage, unreadable vault). The CLI prints it and exits."""

    exit_code = 2


class OutputError(VaultkitError):
    """The output folder cannot be written safely."""


class NoteChangedError(VaultkitError):
    """The note changed on disk between reading it and writing it back."""


class UnclosedFenceError(VaultkitError):
    """The log line would land inside a code block that is never closed."""


class WriteError(OSError):
    """Writing failed (a full disk, a read-only folder): says which file and why, in one line."""

    @classmethod
    def of(cls, exc: OSError, path: object) -> WriteError:
        """`exc`, said of the file being written (not of a temporary file beside it)."""
        return cls(exc.errno, exc.strerror or str(exc), str(path))

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"


class FieldError(ValueError):
    """The value does not fit its field; the message says what was expected."""


class ExpressionError(FieldError):
    """A Dataview expression where a value belongs (`= this.file.ctime`): Dataview computes
    it when it renders; vaultkit cannot, and says so rather than guess."""


class StoreRefused(Exception):
    """The cache folder cannot be trusted; the message says why."""


class CodecError(ValueError):
    """Data that does not have the shape or types its dataclass says."""
