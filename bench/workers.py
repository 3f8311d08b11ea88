"""Run one `archiver crawl` as N workers on this machine: a throw-away redis-server (unix socket
in a temporary folder, no persistence, no TCP port), then N copies of the crawl command with
`--redis` added, sharing its frontier, the SQLite index and the WARC folder of their `--out`.

    .venv/bin/python bench/workers.py --workers 2 -- .venv/bin/python -m archiver crawl URL --out DIR ...

Exits with the first non-zero exit code of a worker (0 when all succeed). Prints one JSON object:
{"workers": [each worker's --json report, or its last stderr line]}. The CPU time of the workers
and of redis-server reaches whoever waits for this process (os.wait4 in crawl_bench.py), as that
of a child's waited-for children does.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("crawl", nargs=argparse.REMAINDER, help="-- then the archiver crawl command")
    args = ap.parse_args()
    crawl = args.crawl[1:] if args.crawl[:1] == ["--"] else args.crawl
    if not crawl:
        ap.error("give the crawl command after --")
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server is not installed (Debian: apt install redis-server)")
    folder = Path(tempfile.mkdtemp(prefix="bench-redis-"))
    socket = folder / "redis.sock"
    redis = subprocess.Popen([server, "--port", "0", "--unixsocket", str(socket), "--save", "",
                              "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            if redis.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("redis-server did not start")
            time.sleep(0.02)
        # output to files: a worker blocked on a full pipe would hold up the others' end
        workers = [subprocess.Popen([*crawl, "--redis", f"unix://{socket}"],
                                    stdout=open(folder / f"worker-{i}.out", "wb"),
                                    stderr=open(folder / f"worker-{i}.err", "wb"))
                   for i in range(args.workers)]
        reports, code = [], 0
        for i, worker in enumerate(workers):
            worker.wait()
            code = code or worker.returncode
            if worker.returncode:  # its log goes with the folder: say what it said
                tail = (folder / f"worker-{i}.err").read_text(errors="replace").splitlines()[-40:]
                print(f"worker {i} exited {worker.returncode}:", *tail, sep="\n", file=sys.stderr)
            try:
                reports.append(json.loads((folder / f"worker-{i}.out").read_bytes()))
            except json.JSONDecodeError:
                last = (folder / f"worker-{i}.err").read_text(errors="replace").strip().splitlines()[-1:]
                reports.append({"error": last[0] if last else f"exit {worker.returncode}"})
        print(json.dumps({"workers": reports}))
        return code
    finally:
        redis.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
