"""Read a file safely: a regular file only (a FIFO put where a note was fails at once rather
than blocking), bounded in size."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 64 * 1024 * 1024
GROWTH_CHUNK = 64 * 1024
"""What is read at a time past the size the file had (a file growing while it is read)."""


def read_file(path: Path) -> bytes:
    """A regular file's bytes (at most MAX_FILE_BYTES + 1 of them). Anything else, such as a
    FIFO put where a note was, is an OSError at once rather than a read that blocks forever."""
    return read_file_stat(path)[0]


def read_file_stat(path: Path) -> tuple[bytes, os.stat_result]:
    """`read_file`, and the file's status as it was before the read (so a change made while
    reading shows as a newer stamp next time, never as an old stamp on new bytes)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb", buffering=0) as handle:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        # Sized by the file, not by the limit: a 64 MB buffer per note (each read allocates
        # what it asks for, even to find the end) costs more than the read.
        data = handle.read(min(status.st_size, MAX_FILE_BYTES) + 1)
        while len(data) <= MAX_FILE_BYTES:
            more = handle.read(min(GROWTH_CHUNK, MAX_FILE_BYTES + 1 - len(data)))
            if not more:
                break
            data += more  # it grew while we read
        return data, status
