"""Crawl benchmark: our crawler against a bare httpx loop and Scrapy on a generated 5,000-page site.

One command, everything on 127.0.0.1, each crawler a separate subprocess (own CPU s and peak RSS).

    python bench/crawl.py [--n 5000] [--skip-scrapy] [--concurrency 32] [--time-limit 600]

Runs, side by side on the same site (generated once and cached under bench/.cache/):
  (a) bare    bare httpx + selectolax loop over the site's URL list (the floor of our stack)
  (b) fetch   our crawl without cleaning: fetch, link discovery, frontier (CrawlOptions.clean=False)
  (c) full    `scraper crawl`: cleaning in a process pool, tagging, Parquet (fresh data dir)
  (d) scrapy  Scrapy CrawlSpider, fetch and follow only (bench extra: pip install scrapy)
  (c/2)       the full crawl again on a site half the size, for memory flatness.
The site generator, nginx.conf and the Scrapy spider come from --site-tools (see its README).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / ".cache"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
PY = sys.executable


# ---- children ------------------------------------------------------------------------------------
async def _bare_loop(urls: list[str], concurrency: int, time_limit: float) -> dict[str, object]:
    """Fetch every URL with one httpx client and `concurrency` workers; pull links with selectolax."""
    import httpx
    from selectolax.lexbor import LexborHTMLParser

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    ok: list[str] = []
    links = 0
    failed = 0
    queue: asyncio.Queue[str] = asyncio.Queue()
    for u in urls:
        queue.put_nowait(u)
    async with httpx.AsyncClient(limits=limits, timeout=30, follow_redirects=True) as client:

        async def worker() -> None:
            nonlocal links, failed
            while not queue.empty():  # bounded: each URL is taken once
                url = queue.get_nowait()
                try:
                    r = await client.get(url)
                except httpx.HTTPError:
                    failed += 1
                    continue
                if r.status_code != 200:
                    failed += 1
                    continue
                ok.append(url)
                if "html" in r.headers.get("content-type", ""):
                    links += len(LexborHTMLParser(r.text).css("a[href]"))

        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))), time_limit)
    return {"pages": len(ok), "failed": failed, "links": links, "fetched_urls": ok}


def child_bare(args: argparse.Namespace) -> None:
    """(a): the bare loop; prints one JSON line."""
    urls = Path(args.urls).read_text(encoding="utf-8").split()
    out = asyncio.run(_bare_loop(urls, args.concurrency, args.time_limit))
    print(json.dumps(out))


def child_ours(args: argparse.Namespace) -> None:
    """(b): our crawl with cleaning off, links extracted in this process; prints the summary."""
    from scraper.config import load_config
    from scraper.crawl import CrawlOptions, run_crawl, summary_json

    cfg = load_config(args.config)
    opts = CrawlOptions(max_duration_s=args.time_limit, workers=0, clean=False)
    print(summary_json(run_crawl(cfg, opts)))


def child_serve(args: argparse.Namespace) -> None:
    """Fallback static server (when nginx is missing): threaded stdlib, index.html/index.xml."""
    import http.server

    root = Path(args.root)

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {
            **http.server.SimpleHTTPRequestHandler.extensions_map,
            ".xml": "application/xml",
            ".html": "text/html; charset=utf-8",
        }

        def __init__(self, *a: object, **kw: object) -> None:
            super().__init__(*a, directory=str(root), **kw)  # type: ignore[arg-type]

        def translate_path(self, path: str) -> str:
            local = Path(super().translate_path(path))
            if local.is_dir() and not (local / "index.html").exists():
                xml = local / "index.xml"
                if xml.exists():
                    return str(xml)
            return str(local)

        def log_message(self, *_: object) -> None:  # no access log, like the nginx config
            pass

    Handler.protocol_version = "HTTP/1.1"
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    srv.daemon_threads = True
    srv.serve_forever()


# ---- the site and the server ---------------------------------------------------------------------
def ensure_site(tools: Path, n: int) -> Path:
    """Generate (once; cached) the benchmark site with `n` articles; returns its folder."""
    out = CACHE / f"site-n{n}"
    if (out / "manifest.json").exists() and (out / "crawl_urls.txt").exists():
        return out
    if out.exists():
        shutil.rmtree(out)
    print(f"generating a {n}-article site in {out} ...", flush=True)
    subprocess.run(
        [PY, str(tools / "make_site.py"), str(out), "--n", str(n), "--base-url", BASE],
        check=True,
        timeout=600,
        stdout=subprocess.DEVNULL,
    )
    return out


def _answers() -> bool:
    try:
        with urllib.request.urlopen(f"{BASE}/robots.txt", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


class Server:
    """nginx (or the fallback Python server) on 127.0.0.1:8765, started and stopped by us only."""

    def __init__(self, tools: Path) -> None:
        self.tools = tools
        self.nginx = shutil.which("nginx") or (
            "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
        )
        self.kind = "nginx" if self.nginx else "python http.server (fallback: nginx not installed)"
        self.pid: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, site: Path) -> None:
        """Serve `site`/www; raise if the port is taken by someone else or nothing answers in 10 s."""
        if _answers():
            raise SystemExit(f"something already answers on {BASE}; stop it first")
        if self.nginx:
            prefix = CACHE / "nginx"
            (prefix / "logs").mkdir(parents=True, exist_ok=True)
            (prefix / "tmp").mkdir(exist_ok=True)
            www = prefix / "www"
            if www.is_symlink() or www.exists():
                www.unlink()
            www.symlink_to((site / "www").resolve())
            subprocess.run(
                [self.nginx, "-p", f"{prefix}/", "-c", str(self.tools / "nginx.conf")],
                check=True,
                timeout=30,
                stderr=subprocess.DEVNULL,
            )
            pidfile = prefix / "logs" / "nginx.pid"
            for _ in range(50):
                if pidfile.exists() and pidfile.read_text().strip():
                    self.pid = int(pidfile.read_text().strip())
                    break
                time.sleep(0.1)
        else:
            self.proc = subprocess.Popen(
                [
                    PY,
                    str(Path(__file__).resolve()),
                    "--child",
                    "serve",
                    "--root",
                    str(site / "www"),
                ],
                start_new_session=True,
            )
        for _ in range(100):
            if _answers():
                return
            time.sleep(0.1)
        self.stop()
        raise SystemExit("the server did not answer within 10 s")

    def stop(self) -> None:
        """Stop what `start` started (the recorded nginx master pid, or our own child)."""
        if self.pid is not None:
            with _suppress_os():
                os.kill(self.pid, signal.SIGQUIT)  # graceful stop of the master we started
            for _ in range(100):
                if not Path(f"/proc/{self.pid}").exists():
                    break
                time.sleep(0.05)
            else:
                with _suppress_os():
                    os.kill(self.pid, signal.SIGTERM)
            self.pid = None
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None


class _suppress_os:
    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, *_: object) -> bool:
        return exc_type is not None and issubclass(exc_type, OSError)  # type: ignore[arg-type]


# ---- measuring one child -------------------------------------------------------------------------
@dataclass(slots=True)
class Run:
    """One crawler run: wall and CPU seconds, peak RSS, pages, articles got, its own output."""

    name: str
    wall_s: float = 0.0
    cpu_s: float = 0.0
    rss_max_mb: float = 0.0  # the largest single process (getrusage of the reaped tree)
    rss_tree_mb: float = 0.0  # the sum over the process tree, sampled every 0.1 s
    pages: int = 0
    articles: int = 0
    exit: int = 0
    note: str = ""
    stdout: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def pages_s(self) -> float:
        """Pages a second over the subprocess's whole life (start-up included, for all alike)."""
        return self.pages / self.wall_s if self.wall_s else 0.0


def _tree_rss_kb(root: int) -> int:
    total = 0
    stack = [root]
    seen: set[int] = set()
    while stack and len(seen) < 256:  # bounded walk
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{pid}/task").iterdir():
                kids = (task / "children").read_text().split()
                stack.extend(int(k) for k in kids)
        except (OSError, ValueError):
            continue
    return total


def measure(name: str, cmd: list[str], *, cwd: Path, time_limit: float, log: Path) -> Run:
    """Run `cmd` as a child in its own session; wall, CPU (its tree) and RSS from wait4 + /proc."""
    run = Run(name)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with open(log, "wb") as err, open(log.with_suffix(".out"), "wb") as out:
        t0 = time.monotonic()
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True
        )
        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.wait(0.1):
                peak = max(peak, _tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        status = 0
        rusage = None
        deadline = t0 + time_limit + 30
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                run.note = "killed at the time limit"
                with _suppress_os():
                    os.killpg(proc.pid, signal.SIGKILL)  # our child's own session only
                pid, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        run.wall_s = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        sampler.join()
    run.exit = proc.returncode
    assert rusage is not None
    run.cpu_s = rusage.ru_utime + rusage.ru_stime
    run.rss_max_mb = rusage.ru_maxrss / 1024
    run.rss_tree_mb = max(peak, rusage.ru_maxrss) / 1024
    run.stdout = log.with_suffix(".out").read_text(encoding="utf-8", errors="replace")
    return run


# ---- checking what each crawler got ---------------------------------------------------------------
def _key(url: str) -> str:
    # Our frontier upper-cases percent escapes, the generator writes them lower-case.
    return unquote(url).rstrip("/")


def frontier_fetched(data: Path) -> set[str]:
    """URLs the frontier of a data dir records as fetched."""
    db = sqlite3.connect(str(data / "state" / "frontier.sqlite"))
    try:
        return {_key(u) for (u,) in db.execute("SELECT url FROM urls WHERE state = 'fetched'")}
    finally:
        db.close()


def _summary(stdout: str) -> dict[str, object]:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {}


def write_config(path: Path, data: Path, concurrency: int, per_host: int) -> None:
    """A crawl config for the bench site: no delay, deep link following, a fresh data dir."""
    path.write_text(
        "# Written by bench/crawl.py: the benchmark site on loopback, no politeness delay.\n"
        f"output: {{path: {data}}}\n"
        f"http: {{timeout_s: 30, concurrency: {concurrency}, per_host_concurrency: {per_host},"
        " delay_s: 0, retries: 1}\n"
        "sites:\n"
        "  - name: bench\n"
        f'    start_urls: ["{BASE}/"]\n'
        "    max_depth: 50\n",
        encoding="utf-8",
    )


# ---- the benchmark --------------------------------------------------------------------------------
def run_ours(name: str, site: Path, work: Path, args: argparse.Namespace, *, clean: bool) -> Run:
    """(b) or (c) on `site`: a fresh data dir, the config, the child, then the frontier checked."""
    data = work / f"data-{name}"
    if data.exists():
        shutil.rmtree(data)
    cfg = work / f"config-{name}.yaml"
    write_config(cfg, data, args.concurrency, args.per_host)
    if clean:
        cmd = [PY, "-m", "scraper", "crawl", "--config", str(cfg), "--log-format", "json"]
        cmd += ["--max-duration", f"{int(args.time_limit)}s"]
        if args.workers is not None:
            cmd += ["--workers", str(args.workers)]
    else:
        cmd = [PY, str(Path(__file__).resolve()), "--child", "ours", "--config", str(cfg)]
        cmd += ["--time-limit", str(args.time_limit)]
    run = measure(name, cmd, cwd=work, time_limit=args.time_limit, log=work / f"{name}.log")
    summary = _summary(run.stdout)
    stats = summary.get("stats", {}) if isinstance(summary, dict) else {}
    assert isinstance(stats, dict)
    run.pages = int(stats.get("fetch/ok", 0))
    got = frontier_fetched(data)
    run.articles = len(got & _articles(site))
    run.extra = {"docs_new": stats.get("docs/new", 0), "completed": summary.get("completed")}
    if clean:
        run.extra["parquet_mb"] = round(
            sum(p.stat().st_size for p in data.rglob("*.parquet")) / 1e6, 1
        )
    return run


def _articles(site: Path) -> set[str]:
    lines = (site / "expected.jsonl").read_text(encoding="utf-8").splitlines()
    return {_key(json.loads(line)["url"]) for line in lines}


def run_bare(site: Path, work: Path, args: argparse.Namespace) -> Run:
    """(a) over the site's URL list."""
    cmd = [
        PY,
        str(Path(__file__).resolve()),
        "--child",
        "bare",
        "--urls",
        str(site / "crawl_urls.txt"),
    ]
    cmd += ["--concurrency", str(args.bare_concurrency or args.concurrency)]
    cmd += ["--time-limit", str(args.time_limit)]
    run = measure("bare", cmd, cwd=work, time_limit=args.time_limit, log=work / "bare.log")
    out = _summary(run.stdout)
    fetched = out.get("fetched_urls", [])
    assert isinstance(fetched, list)
    run.pages = len(fetched)
    run.articles = len({_key(u) for u in fetched} & _articles(site))
    return run


def run_scrapy(site: Path, tools: Path, work: Path, args: argparse.Namespace) -> Run | None:
    """(d) the Scrapy anchor spider, or None when Scrapy is not installed."""
    scrapy = Path(PY).with_name("scrapy")
    if not scrapy.exists():
        return None
    out = work / "scrapy.jsonl"
    out.unlink(missing_ok=True)
    cmd = [str(scrapy), "runspider", str(tools / "anchors" / "scrapy_spider.py")]
    cmd += ["-a", f"start={BASE}/", "-O", f"{out}:jsonlines", "-s", "LOG_LEVEL=WARNING"]
    cmd += ["-s", f"CLOSESPIDER_TIMEOUT={int(args.time_limit)}"]
    run = measure("scrapy", cmd, cwd=work, time_limit=args.time_limit, log=work / "scrapy.log")
    rows = (
        [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
        if out.exists()
        else []
    )
    ok = [r["url"] for r in rows if r.get("status") == 200]
    run.pages = len(ok)
    run.articles = len({_key(u) for u in ok} & _articles(site))
    return run


def _median_of(step: Callable[[], Run | None], repeat: int) -> Run | None:
    """Run a step `repeat` times; the run with the median wall time (runs drift by +-30% here)."""
    got: list[Run] = []
    for _ in range(max(1, repeat)):
        r = step()
        if r is None:
            return None
        print(f"  {r.pages} pages in {r.wall_s:.1f} s = {r.pages_s:.1f} pages/s", flush=True)
        got.append(r)
    got.sort(key=lambda r: r.wall_s)
    return got[len(got) // 2]


def report(
    runs: list[Run], half: Run | None, n: int, n_half: int, server: str, args: argparse.Namespace
) -> str:
    """The result table and the ratios against their targets."""
    by = {r.name: r for r in runs}
    lines = [
        f"crawl benchmark: {n} articles on {BASE} ({server}); concurrency {args.concurrency}, "
        f"per host {args.per_host}; {os.cpu_count()} CPUs; median of {args.repeat} run(s) each",
        "",
        f"{'crawler':<34}{'pages':>7}{'articles':>10}{'wall s':>8}{'pages/s':>9}{'CPU s':>8}"
        f"{'RSS MB':>8}{'tree MB':>9}",
    ]
    labels = {
        "bare": "(a) bare httpx loop",
        "fetch": "(b) ours, no cleaning",
        "full": "(c) ours, full (clean+tag+parquet)",
        "scrapy": "(d) scrapy, fetch only",
        "full-half": f"(c) full, half site ({n_half})",
    }
    for r in [*runs, *([half] if half else [])]:
        want = n_half if r.name == "full-half" else n
        flag = "" if r.articles == want else f"  MISSING {want - r.articles}"
        if r.exit not in (0,):
            flag += f"  exit {r.exit}"
        if r.note:
            flag += f"  {r.note}"
        lines.append(
            f"{labels[r.name]:<34}{r.pages:>7}{r.articles:>6}/{want:<4}{r.wall_s:>7.1f}"
            f"{r.pages_s:>9.1f}{r.cpu_s:>8.1f}{r.rss_max_mb:>8.0f}{r.rss_tree_mb:>9.0f}{flag}"
        )
    lines.append("")
    if "bare" in by and "fetch" in by:
        ratio = by["fetch"].wall_s / by["bare"].wall_s
        lines.append(
            f"(b)/(a) time            {ratio:5.2f}x   target <= 1.5x  {'OK' if ratio <= 1.5 else 'MISSED'}"
        )
    if "full" in by and "scrapy" in by:
        ratio = by["full"].pages_s / by["scrapy"].pages_s
        lines.append(
            f"(c)/(d) pages/s         {ratio:5.2f}x   target >= 3x    {'OK' if ratio >= 3 else 'MISSED'}"
        )
    if "full" in by and half is not None:
        full = by["full"]
        r1 = full.rss_tree_mb / half.rss_tree_mb
        r2 = full.rss_max_mb / half.rss_max_mb
        lines.append(
            f"memory, site x{n / n_half:.0f}: tree {half.rss_tree_mb:.0f} -> {full.rss_tree_mb:.0f} MB"
            f" ({r1:.2f}x), largest process {half.rss_max_mb:.0f} -> {full.rss_max_mb:.0f} MB"
            f" ({r2:.2f}x)   target < 2x  {'OK' if max(r1, r2) < 2 else 'MISSED'}"
        )
    if "full" in by:
        lines.append(f"(c) details: {by['full'].extra}")
    lines.append(
        "pages: each crawler's successful fetches (ours also reads the sitemaps); "
        "articles: article URLs fetched of those the site has"
    )
    return "\n".join(lines)


def main() -> int:
    """Parse arguments; either run a child role or the whole benchmark."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="articles in the site (default 5000)")
    ap.add_argument("--skip-scrapy", action="store_true")
    ap.add_argument("--skip-half", action="store_true", help="skip the half-size memory run")
    ap.add_argument(
        "--concurrency", type=int, default=8, help="http.concurrency of ours (8: measured best)"
    )
    ap.add_argument("--per-host", type=int, default=8, help="http.per_host_concurrency of ours")
    ap.add_argument("--bare-concurrency", type=int, default=None, help="default: --concurrency")
    ap.add_argument("--workers", type=int, default=None, help="cleaning processes of (c)")
    ap.add_argument("--only", default="", help="comma list of bare,fetch,full,scrapy")
    ap.add_argument("--repeat", type=int, default=1, help="runs per crawler; the median is kept")
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per crawler")
    ap.add_argument(
        "--site-tools",
        type=Path,
        default=Path(os.environ.get("BENCH_SITE_TOOLS", "/work/shared/bench-site")),
    )
    ap.add_argument("--child", choices=["bare", "ours", "serve"], help=argparse.SUPPRESS)
    ap.add_argument("--urls", help=argparse.SUPPRESS)
    ap.add_argument("--config", help=argparse.SUPPRESS)
    ap.add_argument("--root", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child == "bare":
        child_bare(args)
        return 0
    if args.child == "ours":
        child_ours(args)
        return 0
    if args.child == "serve":
        child_serve(args)
        return 0

    tools: Path = args.site_tools
    if not (tools / "make_site.py").exists():
        raise SystemExit(f"no make_site.py under {tools} (pass --site-tools)")
    only = set(filter(None, args.only.split(","))) or {"bare", "fetch", "full", "scrapy"}
    if args.skip_scrapy:
        only.discard("scrapy")
    n_half = args.n // 2
    site = ensure_site(tools, args.n)
    half_site = None if args.skip_half or "full" not in only else ensure_site(tools, n_half)
    work = CACHE / "runs"
    work.mkdir(parents=True, exist_ok=True)
    server = Server(tools)
    runs: list[Run] = []
    half: Run | None = None
    # A signal ends the run through the finally below, so the server never outlives the bench.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        server.start(site)
        print(f"server: {server.kind}", flush=True)
        steps = [
            ("bare", lambda: run_bare(site, work, args)),
            ("fetch", lambda: run_ours("fetch", site, work, args, clean=False)),
            ("full", lambda: run_ours("full", site, work, args, clean=True)),
            ("scrapy", lambda: run_scrapy(site, tools, work, args)),
        ]
        for name, step in steps:
            if name not in only:
                continue
            print(f"running {name} ...", flush=True)
            r = _median_of(step, args.repeat)
            if r is None:
                print(f"  {name}: skipped (not installed)", flush=True)
                continue
            runs.append(r)
        if half_site is not None:
            server.stop()
            server.start(half_site)
            print("running full on the half site ...", flush=True)
            half = _median_of(
                lambda: run_ours("full-half", half_site, work, args, clean=True), args.repeat
            )
    finally:
        server.stop()
    text = report(runs, half, args.n, n_half, server.kind, args)
    print()
    print(text)
    (work / "last_report.txt").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
