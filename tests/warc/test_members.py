"""Where whole gzip members end: what recovery, the reader and reindex rely on."""
from __future__ import annotations

import gzip
import io
import os

from archiver.warc.members import member_end, member_ends


def test_each_whole_member_is_found_and_a_cut_one_is_not():
    first, second = gzip.compress(b"a" * 1000), gzip.compress(os.urandom(3_000_000))  # bigger than a read
    data = first + second
    assert list(member_ends(io.BytesIO(data))) == [len(first), len(data)]
    assert list(member_ends(io.BytesIO(data[:-1]))) == [len(first)]          # the last one cut short
    assert list(member_ends(io.BytesIO(data + b"junk"))) == [len(first), len(data)]
    assert member_end(io.BytesIO(data), len(first)) == len(data)
    assert member_end(io.BytesIO(first[:10]), 0) is None


def test_a_highly_compressed_member_is_scanned_in_bounded_steps():
    bomb = gzip.compress(bytes(50_000_000))  # 50 MB of zeros in ~50 KB
    assert member_end(io.BytesIO(bomb), 0) == len(bomb)
