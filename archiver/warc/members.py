"""Where the whole gzip members of a WARC end. Each record of our WARCs is its own member, and a
member is whole only when zlib reaches its end and its CRC and length check: a reader that stops
at end of file would accept a record cut in half. Recovery, the reader and reindex all ask this."""
from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import BinaryIO

OUTPUT_LIMIT = 1 << 20  # inflated bytes per step: a highly compressed member never fills memory


def member_ends(fh: BinaryIO, start: int = 0, chunk_size: int = 1 << 20) -> Iterator[int]:
    """Offsets just past each whole gzip member of `fh` from `start`, in order; stops before the
    first member that is cut short or damaged."""
    fh.seek(start)
    position = start  # offset of the first byte of `pending`
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    pending = b""
    while True:
        if not pending:
            pending = fh.read(chunk_size)
            if not pending:
                return
        try:
            inflater.decompress(pending, OUTPUT_LIMIT)
        except zlib.error:
            return
        if inflater.eof:
            position += len(pending) - len(inflater.unused_data)
            yield position
            pending = inflater.unused_data
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        else:
            position += len(pending) - len(inflater.unconsumed_tail)
            pending = inflater.unconsumed_tail


def member_end(fh: BinaryIO, start: int) -> int | None:
    """Offset just past the whole member that starts at `start`, or None."""
    return next(member_ends(fh, start), None)
