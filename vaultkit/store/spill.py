"""Texts kept on disk instead of in memory, read back by their place.

The live engine keeps every row of the site-wide files it rendered (about 100,000 pieces, 60 MB
of text at 10,000 notes), so that a save renders only the rows it changed. Their text lives
here, in an unlinked file in the private cache folder (the system's page cache, not the
engine, holds it); the engine keeps each piece's place. A text that cannot be written or read
back is simply not there: the piece is rendered again.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO

FLUSH_AT = 1 << 20
"""Bytes gathered before they are written (a first build puts 100,000 texts)."""


class Spill:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.file: IO[bytes] | None = None
        self.written = 0
        """Bytes in the file; what follows them is still in `buffer`."""
        self.buffer = bytearray()

    def put(self, text: str) -> tuple[int, int] | None:
        """Keep `text`; its place (offset, length in bytes), or None if it cannot be kept."""
        data = text.encode("utf-8", "surrogatepass")  # any str comes back as it was
        at = self.written + len(self.buffer)
        self.buffer += data
        if len(self.buffer) >= FLUSH_AT and not self._flush():
            return None
        return at, len(data)

    def get(self, at: int, size: int) -> str | None:
        """The text kept at this place, or None if it cannot be read back."""
        if at >= self.written:
            start = at - self.written
            data = bytes(self.buffer[start : start + size])
        else:
            try:
                data = os.pread(self.file.fileno(), size, at)  # type: ignore[union-attr]
            except OSError:
                return None
        if len(data) != size:
            return None
        return data.decode("utf-8", "surrogatepass")

    def size(self) -> int:
        return self.written + len(self.buffer)

    def _flush(self) -> bool:
        """Write the buffer out. On failure (a full disk) the unwritten texts are lost, and so
        is every place from then on: the caller renders those pieces again."""
        try:
            if self.file is None:
                # Unlinked at once, mode 0600: nothing is left behind, nobody else reads it.
                self.file = tempfile.TemporaryFile(dir=self.folder)
            self.file.seek(self.written)
            self.file.write(self.buffer)
            self.file.flush()
        except OSError:
            self.buffer.clear()
            self.close()
            return False
        self.written += len(self.buffer)
        self.buffer.clear()
        return True

    def close(self) -> None:
        """Let the file go (a fresh one starts on the next put)."""
        if self.file is not None:
            with contextlib.suppress(OSError):
                self.file.close()
        self.file, self.written = None, 0
