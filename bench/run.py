"""Benchmark `kg serve` against Oxigraph's own server on the same generated dataset.

In one run, for one dataset file, this starts in turn:

* ``kg``             -- our endpoint, ``kg serve --dataset FILE --workers W``;
* ``oxigraph-mem``   -- ``oxigraph serve`` in memory, the file POSTed to its ``/store``;
* ``oxigraph-disk``  -- ``oxigraph load --location DIR`` then ``oxigraph serve --location DIR``;

and for each server measures: load time (start until a query is answered, including the load),
peak memory (VmHWM summed over the server's process tree, sampled while it runs, plus the
proportional set size at the end), whether every query of the mix returns the same number of rows
as on in-memory Oxigraph, p50/p99 latency of every query sent one at a time on one keep-alive
connection, and throughput on the whole mix at each concurrency (1, 4, 16 client processes, each
with its own keep-alive connection, cycling through the mix from a different offset for a fixed
time).

Every loop is bounded in count and in time. Only 127.0.0.1 is ever contacted. The JSON results go
to bench/results/ and a markdown report to stdout. See bench/README.md.

    .venv/bin/python bench/run.py --triples 100k
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hashlib
import http.client
import json
import multiprocessing as mp
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # the only address this script ever talks to
ACCEPT = "application/sparql-results+json"
TRIVIAL = "ASK {}"
SERVERS = ("kg", "oxigraph-mem", "oxigraph-disk")
REFERENCE = "oxigraph-mem"
#: The targets from issue 3: p50 of each query <= reference p50 + this many ms ...
P50_SLACK_MS = 0.5
#: ... and throughput on the mix at this concurrency >= the reference's.
TARGET_CONCURRENCY = 4


# ---------------------------------------------------------------------------------------------
# HTTP requests


def _target(path: str, query: str) -> str:
    return f"{path}?{urllib.parse.urlencode({'query': query})}"


def _request(conn: http.client.HTTPConnection, target: str) -> tuple[int, bytes, bool]:
    """GET ``target`` on ``conn``; return status, body and whether the server closed.

    A keep-alive connection the server dropped while idle is reopened once (as browsers do).
    """
    for attempt in (1, 2):
        try:
            conn.request("GET", target, headers={"Accept": ACCEPT})
            resp = conn.getresponse()
            break
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
            if attempt == 2:
                raise
    body = resp.read()
    closed = resp.will_close
    if closed:
        conn.close()  # http.client reopens it on the next request
    return resp.status, body, closed


def _connection(port: int, timeout: float) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(HOST, port, timeout=timeout)


def _percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def _rows(body: bytes) -> int:
    data = json.loads(body)
    if "boolean" in data:
        return int(bool(data["boolean"]))
    return len(data["results"]["bindings"])


# ---------------------------------------------------------------------------------------------
# Servers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, ()))
    return out


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class _MemoryWatch(threading.Thread):
    """Samples VmHWM of every process in a tree; keeps the highest seen per pid."""

    def __init__(self, pid: int, period: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.period = pid, period
        self.hwm_kb: dict[int, int] = {}
        self._halt = threading.Event()

    def sample(self) -> None:
        for p in _tree(self.pid):
            kb = _status_kb(p, "VmHWM")
            if kb:
                self.hwm_kb[p] = max(self.hwm_kb.get(p, 0), kb)

    def run(self) -> None:
        while not self._halt.wait(self.period):
            self.sample()

    def stop(self) -> dict:
        self._halt.set()
        self.join(timeout=5)
        self.sample()
        pids = _tree(self.pid)
        return {
            "processes": len(pids),
            "peak_rss_mb_sum": round(sum(self.hwm_kb.values()) / 1024, 1),
            "pss_mb_end": round(sum(_pss_kb(p) for p in pids) / 1024, 1),
        }


#: Every server process group this run started, ended at exit whatever happens.
_STARTED: list[subprocess.Popen] = []


def _end_started() -> None:
    for proc in _STARTED:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)


atexit.register(_end_started)


class Server:
    """A started server process: its name, port, query path and how long it took to be ready."""

    def __init__(self, name: str, argv: list[str], port: int, path: str, log: Path, env=None):
        self.name, self.port, self.path, self.argv = name, port, path, argv
        self.log = log
        self._log_file = log.open("wb")
        self.proc = subprocess.Popen(
            argv,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own process group, so stop() ends exactly its tree
        )
        _STARTED.append(self.proc)
        self.watch = _MemoryWatch(self.proc.pid)
        self.watch.start()
        self.extra: dict = {}

    def wait_ready(self, timeout: float) -> None:
        """Poll with a trivial query until it answers 200 (bounded by ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        target = _target(self.path, TRIVIAL)
        for _ in range(int(timeout / 0.05) + 1):
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}; see {self.log}"
                )
            try:
                conn = _connection(self.port, 5)
                status, _, _ = _request(conn, target)
                conn.close()
                if status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s; see {self.log}")

    def stop(self) -> dict:
        mem = self.watch.stop()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._log_file.close()
        return mem


def _oxigraph_bin() -> str:
    exe = VENV_BIN / "oxigraph"
    return str(exe) if exe.exists() else (shutil.which("oxigraph") or "oxigraph")


def _kg_argv(variant: str | None = None) -> tuple[list[str], dict | None]:
    if variant:
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        return [sys.executable, str(HERE / "serve_variant.py"), variant], env
    exe = VENV_BIN / "kg"
    if exe.exists():
        return [str(exe)], None
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return [sys.executable, "-m", "kg.cli"], env


def _ready_or_stop(server: Server, timeout: float) -> None:
    try:
        server.wait_ready(timeout)
    except BaseException:
        server.stop()
        raise


def _base(name: str) -> str:
    """The server a started instance is one of: ``kg#2`` is the second ``kg``."""
    return name.split("#", 1)[0]


def start_server(name: str, dataset: Path, args, workdir: Path) -> Server:
    port = _free_port()
    log = workdir / f"{name}.log"
    t0 = time.monotonic()
    kind = _base(name)
    if kind == "kg":
        argv, env = _kg_argv()
        argv += [
            "serve",
            "--dataset",
            str(dataset),
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ]
        server = Server(name, argv, port, args.kg_path, log, env)
        _ready_or_stop(server, args.ready_timeout)
    elif kind == "oxigraph-mem":
        argv = [_oxigraph_bin(), "serve", "--bind", f"{HOST}:{port}"]
        if args.union_default_graph:
            argv.append("--union-default-graph")
        server = Server(name, argv, port, "/query", log)
        _ready_or_stop(server, args.ready_timeout)
        t_post = time.monotonic()
        conn = _connection(port, args.ready_timeout)
        with dataset.open("rb") as body:
            conn.request(
                "POST",
                "/store",
                body=body,
                headers={
                    "Content-Type": "application/n-quads",
                    "Content-Length": str(dataset.stat().st_size),
                },
            )
            resp = conn.getresponse()
            resp.read()
        conn.close()
        if resp.status >= 300:
            raise RuntimeError(f"POST /store to {name}: HTTP {resp.status}")
        server.extra["post_store_s"] = round(time.monotonic() - t_post, 2)
    elif kind == "oxigraph-disk":
        location = workdir / name
        shutil.rmtree(location, ignore_errors=True)
        with (workdir / f"{name}-load.log").open("wb") as load_log:
            proc = subprocess.Popen(
                [_oxigraph_bin(), "load", "--location", str(location), "--file", str(dataset)],
                stdout=load_log,
                stderr=subprocess.STDOUT,
            )
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"oxigraph load exited with {proc.returncode}")
        load_s = time.monotonic() - t0
        argv = [_oxigraph_bin(), "serve", "--location", str(location), "--bind", f"{HOST}:{port}"]
        if args.union_default_graph:
            argv.append("--union-default-graph")
        server = Server(name, argv, port, "/query", log)
        _ready_or_stop(server, args.ready_timeout)
        server.extra["oxigraph_load_s"] = round(load_s, 2)
        server.extra["oxigraph_load_peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
        server.extra["disk_mb"] = round(
            sum(f.stat().st_size for f in location.rglob("*") if f.is_file()) / 2**20, 1
        )
    else:
        raise ValueError(name)
    server.extra["load_s"] = round(time.monotonic() - t0, 2)
    return server


# ---------------------------------------------------------------------------------------------
# Measurements


def check_results(server: Server, queries: dict[str, str], timeout: float) -> dict[str, int]:
    """Rows each query returns on ``server`` (-1 where it failed)."""
    conn = _connection(server.port, timeout)
    rows = {}
    for name, text in queries.items():
        try:
            status, body, _ = _request(conn, _target(server.path, text))
            rows[name] = _rows(body) if status == 200 else -status
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            conn.close()
            rows[name] = -1
    conn.close()
    return rows


def _timed_batch(conn, target: str, min_n: int, max_n: int, soft_s: float, hard_s: float):
    """Send ``target`` one request at a time; return latencies (ms), errors and closes."""
    lat, errors, closes = [], 0, 0
    _request(conn, target)  # untimed: reopens a connection the server closed while idle
    started = time.monotonic()
    for i in range(max_n):
        t0 = time.perf_counter()
        status, _, closed = _request(conn, target)
        lat.append((time.perf_counter() - t0) * 1000)
        errors += status != 200
        closes += closed
        elapsed = time.monotonic() - started
        if (i + 1 >= min_n and elapsed >= soft_s) or elapsed >= hard_s:
            break
    return lat, errors, closes


def _latency_stats(lat: list[float], errors: int, closes: int) -> dict:
    return {
        "n": len(lat),
        "errors": errors,
        "closes": closes,
        "p50_ms": round(statistics.median(lat), 3),
        "p99_ms": round(_percentile(lat, 99), 3),
        "mean_ms": round(statistics.fmean(lat), 3),
    }


def sequential(servers: list[Server], queries: dict[str, str], args) -> dict[str, dict]:
    """p50/p99 per server and query, one request at a time on one keep-alive connection.

    The servers take turns (``args.rounds`` rounds per query), so a change in the machine's
    background load during the run falls on all of them alike.
    """
    conns = {s.name: _connection(s.port, args.request_timeout) for s in servers}
    out: dict[str, dict] = {s.name: {} for s in servers}
    rounds = max(1, args.rounds)
    for name, text in queries.items():
        acc = {s.name: ([], 0, 0) for s in servers}
        for s in servers:
            for _ in range(args.warmup):
                _request(conns[s.name], _target(s.path, text))
        for _ in range(rounds):
            for s in servers:
                lat, err, clo = _timed_batch(
                    conns[s.name],
                    _target(s.path, text),
                    -(-args.seq_min // rounds),
                    -(-args.seq_max // rounds),
                    args.seq_time / rounds,
                    args.seq_hard / rounds,
                )
                a = acc[s.name]
                acc[s.name] = (a[0] + lat, a[1] + err, a[2] + clo)
        for s in servers:
            out[s.name][name] = _latency_stats(*acc[s.name])
    for c in conns.values():
        c.close()
    return out


def _load_worker(port, targets, offset, t_start, t_end, max_requests, timeout, results):
    conn = _connection(port, timeout)
    cpu0 = time.process_time()
    n = errors = closes = 0
    lat: list[float] = []
    last = t_start
    while time.monotonic() < t_start:
        time.sleep(0.001)
    i = offset
    for _ in range(max_requests):
        if time.monotonic() >= t_end:
            break
        t0 = time.perf_counter()
        try:
            status, _, closed = _request(conn, targets[i % len(targets)])
        except (OSError, http.client.HTTPException):
            conn.close()
            status, closed = 0, True
        lat.append((time.perf_counter() - t0) * 1000)
        last = time.monotonic()
        n += 1
        errors += status != 200
        closes += closed
        i += 1
    conn.close()
    results.put(
        {
            "n": n,
            "errors": errors,
            "closes": closes,
            "last": last,
            "lat": lat,
            "cpu_s": time.process_time() - cpu0,
        }
    )


def _merge_throughput(parts: list[dict]) -> dict:
    n = sum(p["requests"] for p in parts)
    seconds = sum(p["seconds"] for p in parts)
    lat = [x for p in parts for x in p.pop("lat")] or [0.0]
    return {
        "concurrency": parts[0]["concurrency"],
        "requests": n,
        "errors": sum(p["errors"] for p in parts),
        "closes": sum(p["closes"] for p in parts),
        "seconds": round(seconds, 3),
        "rps": round(n / seconds, 1) if seconds > 0 else 0.0,
        "rounds_rps": [p["rps"] for p in parts],
        "p50_ms": round(statistics.median(lat), 3),
        "p99_ms": round(_percentile(lat, 99), 3),
        "client_cpu_s": round(sum(p["client_cpu_s"] for p in parts), 2),
    }


def throughput(port: int, targets: list[str], concurrency: int, args) -> dict:
    """Requests per second cycling through ``targets`` with ``concurrency`` client processes."""
    ctx = mp.get_context("fork")
    results = ctx.Queue()
    t_start = time.monotonic() + 0.3 + 0.02 * concurrency
    t_end = t_start + args.duration
    procs = [
        ctx.Process(
            target=_load_worker,
            daemon=True,
            args=(
                port,
                targets,
                k * len(targets) // concurrency,
                t_start,
                t_end,
                args.max_requests,
                args.request_timeout,
                results,
            ),
        )
        for k in range(concurrency)
    ]
    for p in procs:
        p.start()
    got = [results.get(timeout=args.duration + args.request_timeout + 30) for _ in procs]
    for p in procs:
        p.join(timeout=10)
    n = sum(g["n"] for g in got)
    elapsed = max(g["last"] for g in got) - t_start
    lat = [x for g in got for x in g["lat"]] or [0.0]
    return {
        "concurrency": concurrency,
        "requests": n,
        "errors": sum(g["errors"] for g in got),
        "closes": sum(g["closes"] for g in got),
        "seconds": round(elapsed, 3),
        "rps": round(n / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(statistics.median(lat), 3),
        "p99_ms": round(_percentile(lat, 99), 3),
        "client_cpu_s": round(sum(g["cpu_s"] for g in got), 2),
        "lat": lat,
    }


# ---------------------------------------------------------------------------------------------
# Report


def best_of_instances(instances: dict[str, dict]) -> dict[str, dict]:
    """One entry per server from its instances (``--instances N``): per query the instance with
    the lowest p50, per concurrency the one with the highest throughput; the p50 of every
    instance is kept (``p50_instances_ms``) to show how far apart identical servers are."""
    out: dict[str, dict] = {}
    for name in instances:
        out.setdefault(_base(name), {"instances": []})["instances"].append(name)
    for agg in out.values():
        entries = [instances[n] for n in agg["instances"] if "error" not in instances[n]]
        if not entries:
            agg["error"] = instances[agg["instances"][0]].get("error", "no instance started")
            continue
        agg["rows"] = entries[0].get("rows", {})
        agg["server"] = entries[0].get("server", {})
        trivial = [e["trivial"] for e in entries if e.get("trivial")]
        if trivial:
            agg["trivial"] = min(trivial, key=lambda t: t["p50_ms"])
        agg["sequential"] = _best(entries, "sequential", min, "p50_ms", "p50_instances_ms")
        agg["throughput"] = _best(entries, "throughput", max, "rps", "rps_instances")
    return out


def _best(entries: list[dict], section: str, pick, measure: str, every: str) -> dict:
    """Per key of ``section`` (a query, a concurrency): the stats of the instance that
    ``pick`` (min or max) chooses by ``measure``, with every instance's ``measure`` as
    ``every``."""
    out = {}
    for key in entries[0].get(section, {}):
        found = [e[section][key] for e in entries if key in e.get(section, {})]
        best = dict(pick(found, key=lambda m: m[measure]))
        best[every] = [m[measure] for m in found]
        out[key] = best
    return out


def _fmt(x: float | None, nd: int = 2) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def markdown(result: dict) -> str:
    servers = [s for s in SERVERS if s in result["servers"]]
    res = result["servers"]
    ref = res.get(REFERENCE, {})
    lines = [f"### {result['dataset']['name']} ({result['dataset']['quads']} quads)", ""]
    lines.append(
        f"Machine: {result['machine']['nproc']} CPUs, {result['machine']['ram_gb']} GB; "
        f"kg workers: {result['args']['workers']}; method GET; "
        f"{result['args']['duration']} s per throughput point; "
        f"load average at start {result['machine']['loadavg_at_start'][0]:.2f}."
    )
    instances = result["args"].get("instances", 1)
    if instances > 1:
        lines.append(
            f"Each server ran as {instances} instances (started one after the other, all up "
            "at once, taking turns): below, the best instance per query and per concurrency; "
            "the p50 of every instance is in the last table."
        )
    lines.append("")
    head = "| query | rows | " + " | ".join(f"{s} p50 / p99 ms" for s in servers)
    if "kg" in res and ref:
        head += " | kg/oxigraph-mem p50 | target p50 ≤ mem + 0.5 ms"
    lines += [head + " |", "|" + "---|" * (head.count("|"))]
    for q in result["queries"]:
        rows = ref.get("rows", {}).get(q, next(iter(res.values())).get("rows", {}).get(q))
        cells = [q, str(rows)]
        for s in servers:
            m = res[s].get("sequential", {}).get(q)
            cells.append(f"{_fmt(m['p50_ms'])} / {_fmt(m['p99_ms'])}" if m else "–")
        if "kg" in res and ref:
            ours = res["kg"].get("sequential", {}).get(q)
            theirs = ref.get("sequential", {}).get(q)
            if ours and theirs:
                cells.append(f"{ours['p50_ms'] / theirs['p50_ms']:.2f}×")
                ok = ours["p50_ms"] <= theirs["p50_ms"] + P50_SLACK_MS
                cells.append(
                    ("met" if ok else "**missed**")
                    + f" ({ours['p50_ms'] - theirs['p50_ms']:+.2f} ms)"
                )
            else:
                cells += ["–", "–"]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    head = "| concurrency | " + " | ".join(f"{s} req/s" for s in servers)
    if "kg" in res and ref:
        head += " | kg/oxigraph-mem"
    lines += [head + " |", "|" + "---|" * head.count("|")]
    for c in result["args"]["concurrency"]:
        cells = [str(c)]
        for s in servers:
            t = res[s].get("throughput", {}).get(str(c))
            cells.append(
                f"{t['rps']:.0f}" + (f" ({t['errors']} err)" if t and t["errors"] else "")
                if t
                else "–"
            )
        if "kg" in res and ref:
            a = res["kg"].get("throughput", {}).get(str(c))
            b = ref.get("throughput", {}).get(str(c))
            ratio = f"{a['rps'] / b['rps']:.2f}×" if a and b and b["rps"] else "–"
            if c == TARGET_CONCURRENCY and a and b:
                ratio += " (target ≥ 1: " + ("met" if a["rps"] >= b["rps"] else "**missed**") + ")"
            cells.append(ratio)
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines += [
        "| server | load s | peak RSS MB (VmHWM, summed) | PSS MB at end | processes | notes |",
        "|---|---|---|---|---|---|",
    ]
    for s in servers:
        e = res[s].get("server", {})
        notes = ", ".join(
            f"{k}={v}"
            for k, v in e.items()
            if k not in ("load_s", "peak_rss_mb_sum", "pss_mb_end", "processes")
        )
        lines.append(
            f"| {s} | {_fmt(e.get('load_s'))} | {_fmt(e.get('peak_rss_mb_sum'), 1)} | "
            f"{_fmt(e.get('pss_mb_end'), 1)} | {e.get('processes', '–')} | {notes} |"
        )
    if instances > 1:
        lines += ["", "| query | " + " | ".join(f"{s} p50 of each instance, ms" for s in servers)
                  + " |", "|" + "---|" * (len(servers) + 1)]
        for q in result["queries"]:
            cells = [q]
            for s in servers:
                m = res[s].get("sequential", {}).get(q)
                cells.append(", ".join(_fmt(v) for v in m["p50_instances_ms"]) if m else "–")
            lines.append("| " + " | ".join(cells) + " |")
    mismatch = result.get("row_mismatches")
    if mismatch:
        lines += [
            "",
            "Row-count mismatches against oxigraph-mem: "
            + "; ".join(f"{s}/{q}: {a} vs {b}" for s, q, a, b in mismatch),
        ]
    trivial = {s: res[s].get("trivial") for s in servers if res[s].get("trivial")}
    if trivial:
        lines += [
            "",
            "Trivial request (`ASK {}`), p50 / p99 ms: "
            + "; ".join(
                f"{s} {_fmt(t['p50_ms'], 3)} / {_fmt(t['p99_ms'], 3)}" for s, t in trivial.items()
            ),
        ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Main


def _machine() -> dict:
    mem_kb = _status_kb(os.getpid(), "VmRSS")  # touch /proc to fail early off Linux
    del mem_kb
    ram = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            ram = int(line.split()[1]) / 2**20
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break

    def version(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
        except OSError:
            return None

    import pyoxigraph

    return {
        "loadavg_at_start": os.getloadavg(),
        "nproc": os.cpu_count(),
        "ram_gb": round(ram, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "pyoxigraph": pyoxigraph.__version__,
        "oxigraph": version([_oxigraph_bin(), "--version"]),
        "kg": version([*_kg_argv()[0], "--version"]),
        # The endpoint is uncommitted work in progress: fingerprint the code that was measured.
        "kg_source_sha256": _source_digest(ROOT / "src" / "kg"),
    }


def _source_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*.py")):
        h.update(f.relative_to(folder).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def _dataset(args) -> tuple[Path, str]:
    if args.dataset:
        return args.dataset, args.dataset.stem
    name = f"kg-{args.triples}"
    path = HERE / "data" / f"{name}.nq"
    # Made again when bench/generate.py has changed since (its digest is kept beside the data).
    stamp = path.with_name(path.name + ".generator")
    generator = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()
    if not path.exists() or not stamp.exists() or stamp.read_text().strip() != generator:
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                "--triples",
                args.triples,
                "--out",
                str(path),
            ],
            check=True,
            timeout=600,
        )
        stamp.write_text(generator + "\n")
    return path, name


def run(args) -> dict:
    dataset, name = _dataset(args)
    with dataset.open("rb") as f:
        quads = sum(1 for _ in f)
    queries = {p.stem: p.read_text() for p in sorted(args.queries.glob("*.rq"))}
    if args.only:
        queries = {k: v for k, v in queries.items() if k in args.only}
    result = {
        "dataset": {"name": name, "path": str(dataset), "quads": quads},
        "machine": _machine(),
        "queries": list(queries),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "servers": {},
    }
    workdir = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    print(f"# dataset {dataset} ({quads} quads); logs in {workdir}", file=sys.stderr)
    servers: list[Server] = []
    try:
        # Started one after the other, so load times do not compete; all stay up while the
        # measurements take turns between them.
        names = [s if i == 1 else f"{s}#{i}" for i in range(1, args.instances + 1)
                 for s in args.servers]
        for sname in names:
            print(f"# {sname}: starting", file=sys.stderr)
            entry = result["servers"][sname] = {}
            try:
                server = start_server(sname, dataset, args, workdir)
            except Exception as exc:  # noqa: BLE001 -- a server that fails to start is reported
                entry["error"] = str(exc)
                print(f"# {sname}: {exc}", file=sys.stderr)
                continue
            print(f"# {sname}: ready in {server.extra['load_s']} s", file=sys.stderr)
            servers.append(server)
        _measure(servers, queries, args, workdir, result)
    finally:
        for server in servers:
            result["servers"][server.name]["server"] = {**server.extra, **server.stop()}
    ref_rows = result["servers"].get(REFERENCE, {}).get("rows", {})
    result["row_mismatches"] = [
        (s, q, n, ref_rows[q])
        for s, e in result["servers"].items()
        if s != REFERENCE
        for q, n in e.get("rows", {}).items()
        if q in ref_rows and n != ref_rows[q]
    ]
    result["empty_queries"] = [q for q, n in ref_rows.items() if n <= 0]
    if args.instances > 1:
        result["instances"] = result["servers"]
        result["servers"] = best_of_instances(result["instances"])
    for location in workdir.glob("oxigraph-disk*"):
        if location.is_dir():
            shutil.rmtree(location, ignore_errors=True)
    result["logs"] = str(workdir)
    return result


def _measure(servers: list[Server], queries: dict[str, str], args, workdir: Path, result) -> None:
    entries = {s.name: result["servers"][s.name] for s in servers}
    for s in servers:
        entries[s.name]["rows"] = check_results(s, queries, args.request_timeout)
    trivial = sequential(servers, {"trivial": TRIVIAL}, args)
    for s in servers:
        entries[s.name]["trivial"] = trivial[s.name]["trivial"]
        if args.calibrate:
            entries[s.name]["calibration"] = calibrate(s, args)
    print("# sequential latency", file=sys.stderr)
    for sname, per_query in sequential(servers, queries, args).items():
        entries[sname]["sequential"] = per_query
    rounds = max(1, args.rounds)
    round_args = argparse.Namespace(**{**vars(args), "duration": args.duration / rounds})
    targets = {s.name: [_target(s.path, q) for q in queries.values()] for s in servers}
    for c in args.concurrency:
        parts: dict[str, list[dict]] = {s.name: [] for s in servers}
        for _ in range(rounds):
            for s in servers:
                parts[s.name].append(throughput(s.port, targets[s.name], c, round_args))
        for s in servers:
            t = entries[s.name].setdefault("throughput", {})[str(c)] = _merge_throughput(
                parts[s.name]
            )
            print(f"# {s.name}: c={c} {t['rps']} req/s", file=sys.stderr)
    for s in servers:
        if args.profile_seconds and s.name == "kg":
            entries[s.name]["profile"] = profile(s, targets[s.name], args, workdir)


def calibrate(server: Server, args) -> dict:
    """Client ceiling: throughput on the server's cheapest answer (a static page or ASK {})."""
    out = {}
    for label, target in (("ask", _target(server.path, TRIVIAL)), ("static", "/")):
        out[label] = {}
        for c in args.concurrency:
            r = throughput(server.port, [target], c, args)
            r.pop("lat")
            out[label][str(c)] = r
            print(
                f"# {server.name}: calibration {label} c={c}: {r['rps']} req/s, "
                f"client CPU {r['client_cpu_s']} s",
                file=sys.stderr,
            )
    return out


def profile(server: Server, targets: list[str], args, workdir: Path) -> dict:
    """py-spy the kg server's process tree while the mix runs at concurrency 4."""
    spy = VENV_BIN / "py-spy"
    if not spy.exists():
        return {"error": "py-spy not installed (.venv/bin/pip install py-spy)"}
    raw = args.out / f"py-spy-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    proc = subprocess.Popen(
        [
            str(spy),
            "record",
            "--pid",
            str(server.proc.pid),
            "--subprocesses",
            "--duration",
            str(args.profile_seconds),
            "--rate",
            "250",
            "--nonblocking",
            "--format",
            "raw",
            "--output",
            str(raw),
        ],
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "py-spy.log").open("wb"),
    )
    time.sleep(1.0)
    load_args = argparse.Namespace(**{**vars(args), "duration": max(1, args.profile_seconds - 2)})
    load = throughput(server.port, targets, TARGET_CONCURRENCY, load_args)
    load.pop("lat")
    try:
        proc.wait(timeout=args.profile_seconds + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    return {"load": load, "raw": str(raw) if raw.exists() else None}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--triples", help="generate (once, into bench/data/) and use: 10k, 100k, 1m")
    src.add_argument("--dataset", type=Path, help="an N-Quads file to serve instead")
    p.add_argument("--servers", nargs="+", choices=SERVERS, default=list(SERVERS))
    p.add_argument("--queries", type=Path, default=HERE / "queries")
    p.add_argument("--only", nargs="+", help="run only these queries (file stems)")
    p.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="kg serve --workers (default: nproc)",
    )
    p.add_argument(
        "--kg-variant",
        help="serve kg through bench/serve_variant.py with these gunicorn option changes",
    )
    p.add_argument("--kg-path", default="/sparql", help="query path of kg serve")
    p.add_argument(
        "--no-union-default-graph",
        dest="union_default_graph",
        action="store_false",
        help="start Oxigraph without --union-default-graph",
    )
    p.add_argument(
        "--instances",
        type=int,
        default=1,
        help="start each server this many times and report its best instance (two identical "
        "servers differ by a few %% on heavy queries: which one is luckier is noise)",
    )
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    p.add_argument(
        "--duration", type=float, default=5.0, help="seconds per throughput point and server"
    )
    p.add_argument("--max-requests", type=int, default=200_000, help="cap per client process")
    p.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="servers take turns this many times per query and per concurrency",
    )
    p.add_argument("--warmup", type=int, default=3, help="unmeasured requests per query")
    p.add_argument("--seq-min", type=int, default=20, help="fewest timed requests per query")
    p.add_argument("--seq-max", type=int, default=400, help="most timed requests per query")
    p.add_argument("--seq-time", type=float, default=2.0, help="seconds per query, soft")
    p.add_argument("--seq-hard", type=float, default=20.0, help="seconds per query, hard")
    p.add_argument("--request-timeout", type=float, default=60.0)
    p.add_argument("--ready-timeout", type=float, default=600.0, help="seconds to load and start")
    p.add_argument(
        "--calibrate",
        action="store_true",
        help="also measure the client's ceiling on trivial requests",
    )
    p.add_argument(
        "--profile-seconds",
        type=int,
        default=0,
        help="py-spy the kg workers this long under the mix at concurrency 4",
    )
    p.add_argument("--out", type=Path, default=HERE / "results")
    args = p.parse_args(argv)
    if args.instances < 1:
        p.error("--instances must be 1 or more")
    # SIGTERM ends the run like Ctrl-C does, so atexit still stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.out.mkdir(parents=True, exist_ok=True)
    result = run(args)
    path = args.out / f"{result['dataset']['name']}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(markdown(result))
    print(f"# results: {path}", file=sys.stderr)
    bad = [s for s, e in result.get("instances", result["servers"]).items() if "error" in e]
    return 1 if bad or result["empty_queries"] else 0


if __name__ == "__main__":
    sys.exit(main())
