"""Crawl benchmark (issue 7): `archiver crawl` against GNU wget and a naive Scrapy + warcio spider,
on the same generated news site on loopback, at 0 ms and 50 ms per-response latency.

    .venv/bin/python bench/crawl_bench.py [--articles 2000] [--runs 3] [--latencies 0,50]
    .venv/bin/python bench/crawl_bench.py --memory [--articles 500] [--memory-factor 10]
    .venv/bin/python bench/crawl_bench.py --profile [--articles 500]      # py-spy, 0 ms

The site (bench/newsite.py) runs in its own process, started here. Each tool runs as a child
process; its figures come from that child alone (os.wait4: user+sys CPU and peak RSS of the
process and anything it waited for) and from the site's own counters (responses served during the
run, reset before it):

- responses/s: responses the site served during the run / wall time of the tool's process
  (start-up and shutdown included);
- CPU ms/response: user+sys CPU of the tool / responses;
- peak RSS: ru_maxrss of the tool's process;
- WARC bytes: size of the WARC files it wrote (ours: also its index and CDXJ, shown apart).

Each figure is the median of --runs runs; the tools run in a rotating order. What each tool fetches:
- archiver crawl: the sitemap, every article, the platform endpoints of every embedded post
  (mapped onto the site with --endpoint), the posts' photos and thumbnails, every cited page;
  it also extracts, indexes (SQLite) and writes CDXJ. Its defaults: 8 requests in flight per site,
  the benchmark site is two sites (news, "the rest of the web"), so 16 in flight.
- naive Scrapy spider (bench/naive_spider.py): from the front page, every `<a href>` and
  `<iframe src>` on loopback, depth 2 (articles, then the pages they link to), 16 in flight.
- wget: `--recursive --level=2` from the front page, both loopback hosts (--span-hosts
  --domains), one request at a time (wget has no concurrency). At latency > 0 it crawls only
  the first --wget-slow-articles articles (its rate is bound by 1/latency; the full site would
  take most of an hour).

Nothing leaves the machine: the site binds 127.0.0.1 and 127.0.0.2 only, ours runs with
--loopback-only, the naive spider requests loopback hosts only, wget is limited to the two
loopback hosts with proxies off, and every URL in wget's log is checked afterwards.
Results: a table on stdout and JSON in bench/results/ (gitignored).
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
TOOLS = ("ours", "ours2", "naive", "wget")
OURS = ("ours", "ours2")  # archiver crawl as one process, and as two workers
LABELS = {"ours": "archiver crawl", "ours2": "archiver crawl x2", "naive": "naive Scrapy+warcio",
          "wget": "GNU wget"}
CLK_TCK = os.sysconf("SC_CLK_TCK")
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def clean_env() -> dict[str, str]:
    """The environment of every child: no proxy (loopback traffic must stay on loopback)."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
    env["no_proxy"] = env["NO_PROXY"] = "*"
    env["PYTHONPATH"] = str(ROOT)
    return env


def proc_cpu_seconds(pid: int) -> float:
    """user+sys CPU of a running process, from /proc (for the site's own process)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# ---------------------------------------------------------------------- the site
class SiteProcess:
    def __init__(self, articles: int, article_kb: int, outlet_kb: int) -> None:
        cmd = [sys.executable, str(BENCH / "newsite.py"), "--articles", str(articles),
               "--article-kb", str(article_kb), "--outlet-kb", str(outlet_kb)]
        log(f"starting the site: {articles} articles ...")
        started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=clean_env(), text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("the site did not start")
        self.info = json.loads(line)
        self.pid = self.proc.pid
        self.base, self.ext = self.info["base"], self.info["ext"]
        for url in (self.base, self.ext):
            if not ipaddress.ip_address(urlsplit(url).hostname).is_loopback:
                raise SystemExit(f"the site is not on loopback: {url}")
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        log(f"site up in {time.monotonic() - started:.1f} s: {self.base} (ext {self.ext})")

    def control(self, what: str) -> dict:
        with self._opener.open(f"{self.base}/__bench/{what}", timeout=30) as resp:
            return json.loads(resp.read())

    def set_latency(self, ms: float) -> None:
        self.control(f"config?latency_ms={ms}")

    def cpu(self) -> float:
        return proc_cpu_seconds(self.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------------- one measured child
def measure(argv: list[str], cwd: Path, timeout: float, sample_every: float = 0.25) -> dict:
    """Run argv to completion; wall time, CPU and peak RSS of that child (os.wait4), an RSS
    time series sampled from /proc, and its stdout/stderr (kept in files in cwd)."""
    out, err = open(cwd / "stdout.txt", "wb"), open(cwd / "stderr.txt", "wb")
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, env=clean_env())
    samples: list[tuple[float, float]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(sample_every):
            rss = rss_mb(proc.pid)
            if rss is not None:
                samples.append((round(time.monotonic() - started, 2), round(rss, 1)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timer = threading.Timer(timeout, lambda: proc.kill())
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
        done.set()
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.join()
    out.close()
    err.close()
    return {"wall_s": wall, "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
            "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024,
            "rc": proc.returncode, "rss_samples": samples,
            "stdout": (cwd / "stdout.txt").read_bytes().decode(errors="replace"),
            "stderr": (cwd / "stderr.txt").read_bytes().decode(errors="replace")}


def file_bytes(paths) -> int:
    return sum(p.stat().st_size for p in paths if p.is_file())


# ---------------------------------------------------------------------- the tools
def ours_argv(site: SiteProcess, articles: int, out: Path, extra: list[str]) -> list[str]:
    endpoints = [a for base, url in site.info["endpoints"].items() for a in ("--endpoint", f"{base}={url}")]
    return [sys.executable, "-m", "archiver", "crawl", "--sitemap", f"{site.base}/sitemap-{articles}.xml",
            "--out", str(out), "--loopback-only", "--allow-private", *endpoints, "--json", *extra]


def naive_argv(site: SiteProcess, articles: int, out: Path, concurrency: int) -> list[str]:
    return [sys.executable, str(BENCH / "naive_spider.py"), f"{site.base}/index-{articles}.html",
            "--warc", str(out / "naive.warc.gz"), "--depth", "2", "--concurrency", str(concurrency)]


def wget_argv(site: SiteProcess, articles: int, out: Path) -> list[str]:
    hosts = ",".join(sorted({urlsplit(site.base).hostname, urlsplit(site.ext).hostname}))
    return ["wget", "--no-config", "--recursive", "--level=2", "--no-parent", "--span-hosts", f"--domains={hosts}",
            "-e", "robots=off", "-e", "use_proxy=no", "--no-proxy", "--compression=auto",
            # the cards' images and the stylesheet are not served: the other two tools do not fetch them
            "--reject-regex", r"/(img|static)/",
            f"--warc-file={out / 'wget'}", "--no-verbose", "-o", str(out / "wget.log"),
            "-P", str(out / "mirror"), f"{site.base}/index-{articles}.html"]


def check_wget_log(path: Path) -> list[str]:
    """URLs anywhere in wget's log that are not on loopback (there must be none)."""
    bad = []
    for url in set(re.findall(r"[a-z]+://[^\s\"'<>\]]+", path.read_text(errors="replace"))):
        host = urlsplit(url.rstrip(":")).hostname or ""
        try:
            if not ipaddress.ip_address(host).is_loopback:
                bad.append(url)
        except ValueError:
            bad.append(url)
    return bad


def run_tool(tool: str, site: SiteProcess, articles: int, latency: float, args, keep: bool) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"crawl-bench-{tool}-"))
    out = tmp / "out"
    out.mkdir()
    crawled = articles
    if tool == "ours":
        argv = ours_argv(site, articles, out / "archive", args.ours_arg)
    elif tool == "ours2":  # two workers on this machine's two cores, sharing a frontier in Redis
        argv = [sys.executable, str(BENCH / "workers.py"), "--workers", "2", "--",
                *ours_argv(site, articles, out / "archive", args.ours_arg)]
    elif tool == "naive":
        argv = naive_argv(site, articles, out, args.naive_concurrency)
    else:
        if latency > 0:
            crawled = min(articles, args.wget_slow_articles)
        argv = wget_argv(site, crawled, out)
    site.control("reset")
    load = os.getloadavg()[0]
    cpu0 = site.cpu()
    result = measure(argv, tmp, args.timeout)
    server_cpu = site.cpu() - cpu0
    stats = site.control("stats")
    res = {"tool": tool, "latency_ms": latency, "articles": crawled, "load_1min_before": load,
           "responses": stats["responses"], "server": stats, "server_cpu_s": server_cpu, **result}
    res["resp_per_s"] = res["responses"] / res["wall_s"]
    res["cpu_ms_per_resp"] = 1000 * res["cpu_s"] / max(1, res["responses"])
    res["server_cpu_pct"] = 100 * server_cpu / res["wall_s"]
    stdout, stderr = res.pop("stdout"), res.pop("stderr")
    ok_codes = (0, 8) if tool == "wget" else (0,)  # wget exits 8 when a server answered an error (the 404s)
    if res["rc"] not in ok_codes:
        log(f"  WARNING: {tool} exited {res['rc']}: {stderr[-2000:]}")
    if tool in OURS:
        res["warc_bytes"] = file_bytes((out / "archive" / "warcs").glob("*.warc.gz"))
        res["other_bytes"] = file_bytes([out / "archive" / "index.sqlite", *(out / "archive" / "indexes").glob("*")])
        try:
            reports = json.loads(stdout)
            res["report"] = [{"summary": report.get("summary"), "spider_errors": report.get("spider_errors"),
                              "articles": len(report.get("articles", []))}
                             for report in reports.get("workers", [reports])]
        except (json.JSONDecodeError, AttributeError):
            res["report"] = {"unparsed_stdout": stdout[-500:]}
    elif tool == "naive":
        res["warc_bytes"] = file_bytes([out / "naive.warc.gz"])
        try:
            stats_line = json.loads(stdout.strip().splitlines()[-1])
            res["report"] = {k: stats_line.get(k) for k in ("item_scraped_count", "downloader/response_count",
                                                             "finish_reason")}
        except (json.JSONDecodeError, IndexError):
            res["report"] = {"unparsed_stdout": stdout[-500:]}
    else:
        res["warc_bytes"] = file_bytes(out.glob("wget*.warc.gz"))
        bad = check_wget_log(out / "wget.log")
        res["non_loopback_urls"] = bad[:20]
        if bad:
            log(f"  WARNING: wget's log names non-loopback URLs: {bad[:5]}")
    if not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        res["kept"] = str(tmp)
    log(f"  {tool:5} {latency:>4g} ms: {res['responses']:6d} responses in {res['wall_s']:6.1f} s = "
        f"{res['resp_per_s']:6.1f}/s, {res['cpu_ms_per_resp']:6.2f} CPU ms/resp, peak RSS {res['maxrss_mb']:5.0f} MB, "
        f"WARC {res['warc_bytes'] / 1e6:6.1f} MB, site CPU {res['server_cpu_pct']:3.0f}%, load {load:.1f}")
    return res


# ---------------------------------------------------------------------- summaries
METRICS = ("responses", "wall_s", "resp_per_s", "cpu_ms_per_resp", "cpu_s", "maxrss_mb", "warc_bytes",
           "server_cpu_pct")


def medians(runs: list[dict]) -> dict:
    out = {m: statistics.median(r[m] for r in runs) for m in METRICS}
    out["articles"] = runs[0]["articles"]
    out["runs"] = len(runs)
    out["warc_kb_per_resp"] = out["warc_bytes"] / 1024 / max(1, out["responses"])
    out["connections"] = statistics.median(r["server"]["connections"] for r in runs)
    return out


def ratios(summary: dict, latency: str) -> dict:
    by_tool = summary[latency]
    found = {}
    for mine in OURS:
        for peer in ("naive", "wget"):
            ours, other = by_tool.get(mine), by_tool.get(peer)
            if ours and other:
                found[f"{mine}/{peer}"] = {m: ours[m] / other[m] if other[m] else None
                                           for m in ("resp_per_s", "cpu_ms_per_resp", "maxrss_mb", "warc_kb_per_resp")}
    return found


def print_table(summary: dict, all_ratios: dict, args) -> None:
    for latency, by_tool in summary.items():
        print(f"\n== latency {latency} ms, median of {args.runs} run(s) ==")
        print(f"{'tool':22} {'articles':>8} {'responses':>9} {'resp/s':>8} {'CPU ms/resp':>11} "
              f"{'peak RSS MB':>11} {'WARC MB':>8} {'WARC KB/resp':>12} {'conns':>6} {'site CPU%':>9}")
        for tool, m in by_tool.items():
            print(f"{LABELS[tool]:22} {m['articles']:8d} {m['responses']:9.0f} {m['resp_per_s']:8.1f} "
                  f"{m['cpu_ms_per_resp']:11.2f} {m['maxrss_mb']:11.0f} {m['warc_bytes'] / 1e6:8.1f} "
                  f"{m['warc_kb_per_resp']:12.1f} {m['connections']:6.0f} {m['server_cpu_pct']:9.0f}")
        for pair, r in all_ratios.get(latency, {}).items():
            print(f"{pair:22} resp/s {r['resp_per_s']:.2f}x, CPU/resp {r['cpu_ms_per_resp']:.2f}x, "
                  f"peak RSS {r['maxrss_mb']:.2f}x, WARC KB/resp {r['warc_kb_per_resp']:.2f}x")
    print("\nIssue 7 targets (measured here, not asserted):")
    slow = next((lat for lat in summary if float(lat) > 0), None)
    for mine in OURS:
        if slow and f"{mine}/naive" in all_ratios.get(slow, {}):
            print(f"- at {slow} ms: {mine}/naive responses/s = {all_ratios[slow][f'{mine}/naive']['resp_per_s']:.2f}x "
                  "(target >= 2x)")
    if "0" in summary and "ours/wget" in all_ratios.get("0", {}):
        print(f"- at 0 ms: ours/wget CPU per response = {all_ratios['0']['ours/wget']['cpu_ms_per_resp']:.2f}x "
              "(target <= 1.5x)")
    for latency, by_tool in summary.items():
        if "ours" in by_tool:
            print(f"- at {latency} ms: our peak RSS {by_tool['ours']['maxrss_mb']:.0f} MB for "
                  f"{by_tool['ours']['articles']} articles (target <= 150 MB for 2,000)")


def conditions() -> dict:
    def version(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return None
    import scrapy
    return {"date": datetime.now().isoformat(timespec="seconds"), "cpus": os.cpu_count(),
            "loadavg_at_start": os.getloadavg(), "python": platform.python_version(), "scrapy": scrapy.__version__,
            "wget": version(["wget", "--version"]), "platform": platform.platform()}


def save(payload: dict, kind: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{kind}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(payload, indent=1, default=str))
    return path


# ---------------------------------------------------------------------- modes
def comparison(args) -> int:
    latencies = [float(x) for x in args.latencies.split(",")]
    tools = [t for t in args.tools.split(",") if t]
    if any(t not in TOOLS for t in tools):
        raise SystemExit(f"--tools: choose from {','.join(TOOLS)}")
    if "wget" in tools and not shutil.which("wget"):
        raise SystemExit("wget is not installed")
    site = SiteProcess(args.articles, args.article_kb, args.outlet_kb)
    runs: list[dict] = []
    started = time.monotonic()
    try:
        for latency in latencies:
            site.set_latency(latency)
            for run in range(args.runs):
                order = tools[run % len(tools):] + tools[:run % len(tools)]
                log(f"latency {latency:g} ms, run {run + 1}/{args.runs}: {', '.join(order)}")
                for tool in order:
                    res = run_tool(tool, site, args.articles, latency, args, args.keep)
                    res["run"] = run
                    runs.append(res)
    finally:
        site.stop()
    summary: dict[str, dict] = {}
    for latency in latencies:
        key = f"{latency:g}"
        summary[key] = {t: medians([r for r in runs if r["tool"] == t and r["latency_ms"] == latency])
                        for t in tools}
    all_ratios = {lat: ratios(summary, lat) for lat in summary}
    print(f"\nCrawl benchmark: {args.articles} articles (~{args.article_kb} KB each, outlet pages "
          f"~{args.outlet_kb} KB), {args.runs} run(s) per tool and latency, {os.cpu_count()} CPUs, "
          f"took {(time.monotonic() - started) / 60:.1f} min")
    print_table(summary, all_ratios, args)
    path = save({"kind": "comparison", "args": vars(args), "conditions": conditions(), "summary": summary,
                 "ratios": all_ratios, "runs": [{k: v for k, v in r.items() if k != "rss_samples"} for r in runs]},
                "crawl")
    print(f"\nJSON: {path.relative_to(ROOT)}")
    return 0


def memory(args) -> int:
    small, large = args.articles, args.articles * args.memory_factor
    site = SiteProcess(large, args.article_kb, args.outlet_kb)
    site.set_latency(args.memory_latency)
    found = []
    try:
        for n in (small, large):
            for run in range(args.memory_runs):
                log(f"memory: {n} articles, run {run + 1}/{args.memory_runs}")
                found.append(run_tool("ours", site, n, args.memory_latency, args, args.keep))
    finally:
        site.stop()
    print(f"\nMemory flatness: archiver crawl at {args.memory_latency:g} ms, median of {args.memory_runs} run(s)")
    print(f"{'articles':>8} {'responses':>9} {'wall s':>7} {'peak RSS MB':>11} "
          f"{'highest RSS by 25/50/75/100% of the run (MB)':>44}")
    rows = []
    for n in (small, large):
        rs = [r for r in found if r["articles"] == n]
        peak = statistics.median(r["maxrss_mb"] for r in rs)
        samples = rs[0]["rss_samples"]
        quarters = []
        for q in (0.25, 0.5, 0.75, 1.0):
            upto = [rss for t, rss in samples if t <= q * rs[0]["wall_s"]]
            quarters.append(max(upto) if upto else float("nan"))
        rows.append({"articles": n, "responses": statistics.median(r["responses"] for r in rs),
                     "wall_s": statistics.median(r["wall_s"] for r in rs), "peak_rss_mb": peak,
                     "rss_by_quarter_mb": quarters})
        print(f"{n:8d} {rows[-1]['responses']:9.0f} {rows[-1]['wall_s']:7.1f} {peak:11.0f} "
              f"{' / '.join(f'{x:.0f}' for x in quarters):>44}")
    print(f"peak RSS {large} / {small} articles: {rows[1]['peak_rss_mb'] / rows[0]['peak_rss_mb']:.2f}x "
          "(flat: close to 1x)")
    path = save({"kind": "memory", "args": vars(args), "conditions": conditions(), "rows": rows, "runs": found},
                "crawl-memory")
    print(f"JSON: {path.relative_to(ROOT)}")
    return 0


def profile(args) -> int:
    py_spy = shutil.which("py-spy", path=str(ROOT / ".venv" / "bin")) or shutil.which("py-spy")
    if not py_spy:
        raise SystemExit("py-spy not found: .venv/bin/pip install py-spy")
    site = SiteProcess(args.articles, args.article_kb, args.outlet_kb)
    site.set_latency(0)
    RESULTS.mkdir(exist_ok=True)
    raw = RESULTS / f"profile-{datetime.now().strftime('%Y%m%d-%H%M%S')}.txt"
    tmp = Path(tempfile.mkdtemp(prefix="crawl-bench-profile-"))
    try:
        argv = [py_spy, "record", "--format", "raw", "--rate", str(args.profile_rate), "-o", str(raw), "--",
                *ours_argv(site, args.articles, tmp / "archive", args.ours_arg)]
        site.control("reset")
        result = measure(argv, tmp, args.timeout)
        stats = site.control("stats")
    finally:
        site.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if result["rc"] != 0:
        log(result["stderr"][-3000:])
    print(f"\nprofile of archiver crawl, {args.articles} articles, 0 ms: {stats['responses']} responses in "
          f"{result['wall_s']:.1f} s (under py-spy at {args.profile_rate} Hz)")
    print_profile(raw, args.profile_top)
    print(f"raw stacks: {raw.relative_to(ROOT)}")
    return 0


def _frame_key(frame: str) -> str:
    """'func (path/to/file.py:123)' -> 'func (to/file.py)': one entry per function."""
    m = re.fullmatch(r"(.*) \((.*?)(?::\d+)?\)", frame)
    if not m:
        return frame
    name, path = m.groups()
    path = re.sub(r".*/site-packages/", "", path)
    path = path.replace(str(ROOT) + "/", "")
    path = re.sub(r".*/lib/python3\.\d+/", "stdlib/", path)
    return f"{name} ({path})"


IDLE_WAIT = re.compile(r"(Condition\.wait|Event\.wait|Queue\.get|Thread\.join) \((threading|queue)\.py\)")


def print_profile(raw: Path, top: int) -> None:
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    samples = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        samples += n
        keys = [_frame_key(f) for f in frames]
        own[keys[-1]] = own.get(keys[-1], 0) + n
        for key in set(keys):
            total[key] = total.get(key, 0) + n
    waits = sum(n for key, n in own.items() if IDLE_WAIT.match(key))
    print(f"{samples} samples of threads py-spy did not count as idle; {100 * waits / samples:.1f}% of them are "
          "blocked waits all the same (marked *: an idle worker thread, not CPU)")
    print(f"\ntop {top} by own time (share of samples, own and total):")
    for key, n in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        mark = "*" if IDLE_WAIT.match(key) else " "
        print(f" {mark}{100 * n / samples:5.1f}%  {100 * total[key] / samples:5.1f}% total  {key}")
    ours = [(key, n) for key, n in total.items() if re.search(r"\((archiver|spiders)/", key)
            and not re.match(r"(<module>|main|crawl|run_and_report|run_crawl) ", key)]
    print(f"\ntop {top} of archiver/ and spiders/ by total time (own + callees):")
    for key, n in sorted(ours, key=lambda kv: -kv[1])[:top]:
        print(f"  {100 * n / samples:5.1f}%  {100 * own.get(key, 0) / samples:5.1f}% own  {key}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000, help="articles on the site and crawled (default 2000)")
    ap.add_argument("--runs", type=int, default=3, help="runs per tool and latency; figures are medians")
    ap.add_argument("--latencies", default="0,50", help="per-response latencies in ms (default 0,50)")
    ap.add_argument("--tools", default="ours,naive,wget",
                    help="subset of ours,ours2,naive,wget (ours2: two workers through a local redis-server)")
    ap.add_argument("--article-kb", type=int, default=100)
    ap.add_argument("--outlet-kb", type=int, default=40)
    ap.add_argument("--naive-concurrency", type=int, default=16, help="requests in flight of the naive spider")
    ap.add_argument("--wget-slow-articles", type=int, default=100,
                    help="articles wget crawls when latency > 0 (it fetches one URL at a time)")
    ap.add_argument("--ours-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for `archiver crawl` (repeatable), e.g. --ours-arg=--site-concurrency=16")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds before a tool's run is killed")
    ap.add_argument("--keep", action="store_true", help="keep each run's output folder")
    ap.add_argument("--memory", action="store_true", help="memory flatness: ours on --articles and on "
                    "--memory-factor times as many")
    ap.add_argument("--memory-factor", type=int, default=10)
    ap.add_argument("--memory-runs", type=int, default=1)
    ap.add_argument("--memory-latency", type=float, default=0)
    ap.add_argument("--profile", action="store_true", help="one run of ours under py-spy at 0 ms latency")
    ap.add_argument("--profile-rate", type=int, default=100, help="py-spy samples per second")
    ap.add_argument("--profile-top", type=int, default=15)
    args = ap.parse_args()
    if args.memory:
        return memory(args)
    if args.profile:
        return profile(args)
    return comparison(args)


if __name__ == "__main__":
    sys.exit(main())
