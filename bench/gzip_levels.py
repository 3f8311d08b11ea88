"""Per-record gzip levels on a crawl's records: CPU and bytes (issue 7: "measure the levels and
choose"). Reads the records of the WARCs under DIR (e.g. a `crawl_bench.py --keep` run), then
compresses every record, one gzip member each, at each level: with the writer's compressor
(`archiver.warc.writer.gzip_member`, libdeflate) and with zlib (the standard library's, which
warcio and the naive spider use). Figures are relative to zlib at level 6.

    .venv/bin/python bench/gzip_levels.py DIR [--levels 1,3,5,6,9] [--rounds 2]
"""
from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from archiver.warc.writer import gzip_member  # noqa: E402


def records(folder: Path) -> list[bytes]:
    """Every record of the WARCs under `folder`, uncompressed, as the writer had it."""
    found = []
    for path in sorted(folder.rglob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                found.append(rec.rec_headers.to_str().encode("utf-8") + rec.raw_stream.read())
    return found


def zlib_member(data: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(data) + compressor.flush()


COMPRESSORS = {"zlib": zlib_member, "libdeflate (the writer's)": gzip_member}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", type=Path)
    ap.add_argument("--levels", default="1,3,5,6,9")
    ap.add_argument("--rounds", type=int, default=2, help="each figure is the best of this many rounds")
    args = ap.parse_args()
    blocks = records(args.dir)
    if not blocks:
        raise SystemExit(f"no WARC records under {args.dir}")
    raw = sum(map(len, blocks))
    print(f"{len(blocks)} records, {raw / 1e6:.1f} MB uncompressed, median "
          f"{sorted(map(len, blocks))[len(blocks) // 2]} bytes")
    levels = [int(x) for x in args.levels.split(",")]
    found = {}
    for _ in range(args.rounds):  # rounds of every level: the VM's speed drifts between minutes
        for name, compress in COMPRESSORS.items():
            for level in levels:
                started = time.process_time()
                size = sum(len(compress(b, level)) for b in blocks)
                cpu = time.process_time() - started
                found[name, level] = (min(cpu, found.get((name, level), (cpu,))[0]), size)
    base_cpu, base_size = found.get(("zlib", 6), found["zlib", levels[0]])
    print(f"{'compressor':<26} {'level':>5} {'us/record':>10} {'MB':>8} {'CPU':>6} {'bytes':>6}  "
          f"(vs zlib level {6 if 6 in levels else levels[0]})")
    for name, level in found:
        cpu, size = found[name, level]
        print(f"{name:<26} {level:>5} {cpu * 1e6 / len(blocks):>10.0f} {size / 1e6:>8.2f} "
              f"{cpu / base_cpu:>5.2f}x {size / base_size:>5.3f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
