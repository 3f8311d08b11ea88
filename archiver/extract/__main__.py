"""`python -m archiver.extract FILE --url URL [--json]`: run extraction on a saved page."""
from __future__ import annotations

import argparse
import json
import sys

from . import extract


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m archiver.extract", description=__doc__)
    ap.add_argument("file", help="saved HTML page ('-' for stdin)")
    ap.add_argument("--url", required=True, help="the URL the page was fetched from")
    ap.add_argument("--json", action="store_true", help="print the JSON result (the default)")
    args = ap.parse_args(argv)
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else open(args.file, "rb").read()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    print(json.dumps(extract(data, args.url).to_json(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
