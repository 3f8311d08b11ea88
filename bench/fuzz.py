"""Coverage-guided fuzzing (atheris) of extract() and of the WARC reader, bounded in time.

Not part of the tests: run it by hand and note the figures.

    .venv/bin/pip install atheris==3.0.0
    .venv/bin/python bench/fuzz.py extract --seconds 120
    .venv/bin/python bench/fuzz.py warc --seconds 120

A finding is any exception other than the ones a caller is promised (extract: none at all;
the reader: WarcError). An input that takes longer than --slow seconds is reported as a hang
candidate. The summary line gives the inputs tried and the findings.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import atheris  # noqa: E402

with atheris.instrument_imports():
    from archiver.errors import WarcError  # noqa: E402
    from archiver.extract import extract_strict  # noqa: E402
    from archiver.warc.reader import read_record  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [ROOT / "tests/extract/fixtures/seed1.html", ROOT / "tests/extract/fixtures/seed2.html"]


class Run:
    def __init__(self, seconds: float, slow: float, target: str):
        self.deadline = time.monotonic() + seconds
        self.slow = slow
        self.target = target
        self.tried = 0
        self.findings: dict[str, int] = {}
        self.slowest = 0.0
        self.tmp = Path("/tmp/fuzz-warc.warc.gz")

    def one(self, data: bytes) -> None:
        if time.monotonic() > self.deadline:
            self.report()
            sys.stdout.flush()
            os._exit(0)  # libFuzzer counts a SystemExit from the target as a crash
        self.tried += 1
        start = time.perf_counter()
        try:
            if self.target == "extract":
                extract_strict(data, "https://news.example.com/a")
            else:
                self.tmp.write_bytes(data)
                try:
                    read_record(self.tmp, 0, len(data))
                except WarcError:
                    pass
        except Exception:  # noqa: BLE001 - every other exception is a finding
            key = traceback.format_exc().strip().splitlines()[-1][:160]
            if key not in self.findings:
                print(f"FINDING: {key}\n{traceback.format_exc()}", file=sys.stderr)
            self.findings[key] = self.findings.get(key, 0) + 1
        took = time.perf_counter() - start
        self.slowest = max(self.slowest, took)
        if took > self.slow:
            self.findings[f"slow input ({took:.1f} s, {len(data)} bytes)"] = 1

    def report(self) -> None:
        print(f"{self.target}: {self.tried} inputs tried, {len(self.findings)} distinct findings, "
              f"slowest input {self.slowest * 1000:.0f} ms")
        for key, n in self.findings.items():
            print(f"  {n} x {key}")


def corpus(target: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if target == "extract":
        for seed in SEEDS:
            (folder / seed.name).write_bytes(seed.read_bytes()[:60_000])
    else:
        from archiver.warc.writer import HttpExchange, WarcWriter
        writer = WarcWriter(folder / "w", folder / "i")
        written, _ = writer.write_exchange(HttpExchange(
            url="https://example.com/p", method="GET", request_target="/p", request_headers=[("Host", "example.com")],
            request_body=b"", status=200, response_headers=[("Content-Type", "text/html")], body=b"<p>hi</p>" * 20,
            ip_address="127.0.0.1", date="2025-03-16T10:00:00.000000Z", protocol="HTTP/1.1"))
        data = writer.close().read_bytes()
        (folder / "record.warc.gz").write_bytes(data[written.offset:written.offset + written.length])
    return folder


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("target", choices=["extract", "warc"])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--slow", type=float, default=2.0, help="seconds after which an input counts as a hang candidate")
    args = ap.parse_args()
    run = Run(args.seconds, args.slow, args.target)
    seeds = corpus(args.target, Path(f"/tmp/fuzz-corpus-{args.target}"))
    atheris.Setup([sys.argv[0], str(seeds), "-max_len=200000", "-rss_limit_mb=4096", "-artifact_prefix=/tmp/fuzz-"],
                  run.one)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
