"""Throughput of ``kg serve --store`` (our endpoint forwarding to a remote Oxigraph) against
querying that Oxigraph directly, on the query mix of bench/queries (issue 5: within 1.5x).

One Oxigraph server (in memory, ``--union-default-graph``, the generated dataset POSTed to its
``/store``) and one ``kg serve --store http://127.0.0.1:PORT/query`` in front of it; both stay up
and take turns (``--rounds``) so that the machine's background load falls on both alike. Row
counts of every query are compared first. Reuses bench/run.py's servers, client and timing.

    .venv/bin/python bench/remote.py --triples 100k
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402  (bench/run.py, beside this file)

TARGET = 1.5  # direct / forwarded throughput at most this


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--triples", default="100k", help="generated dataset size: 10k, 100k, 1m")
    p.add_argument("--workers", type=int, default=2, help="kg serve --workers")
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    p.add_argument("--duration", type=float, default=6.0, help="seconds per point and server")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", type=Path, default=HERE / "results")
    args = p.parse_args(argv)
    run_args = argparse.Namespace(
        triples=args.triples, dataset=None, union_default_graph=True, ready_timeout=600.0,
        workers=args.workers, kg_path="/sparql", request_timeout=60.0, max_requests=200_000,
        duration=args.duration / args.rounds, rounds=args.rounds, warmup=3, seq_min=20,
        seq_max=400, seq_time=2.0, seq_hard=20.0)
    dataset, name = bench._dataset(run_args)
    queries = {q.stem: q.read_text() for q in sorted((HERE / "queries").glob("*.rq"))}
    workdir = Path(tempfile.mkdtemp(prefix="kg-bench-remote-"))
    machine = bench._machine()
    print(f"# {dataset}; logs in {workdir}", file=sys.stderr)
    oxigraph = bench.start_server("oxigraph-mem", dataset, run_args, workdir)
    servers = [oxigraph]
    try:
        port = bench._free_port()
        argv, env = bench._kg_argv()
        argv += ["serve", "--store", f"http://{bench.HOST}:{oxigraph.port}/query",
                 "--host", bench.HOST, "--port", str(port), "--workers", str(args.workers)]
        t0 = time.monotonic()
        kg = bench.Server("kg-remote", argv, port, "/sparql", workdir / "kg-remote.log", env)
        servers.append(kg)
        kg.wait_ready(600)
        kg.extra["load_s"] = round(time.monotonic() - t0, 2)
        rows = {s.name: bench.check_results(s, queries, 60) for s in servers}
        mismatches = {q: (rows["kg-remote"][q], n) for q, n in rows["oxigraph-mem"].items()
                      if rows["kg-remote"][q] != n}
        seq = bench.sequential(servers, queries, run_args)
        targets = {s.name: [bench._target(s.path, q) for q in queries.values()] for s in servers}
        through: dict[str, dict[int, dict]] = {s.name: {} for s in servers}
        for c in args.concurrency:
            parts: dict[str, list] = {s.name: [] for s in servers}
            for _ in range(args.rounds):
                for s in servers:
                    parts[s.name].append(bench.throughput(s.port, targets[s.name], c, run_args))
            for s in servers:
                through[s.name][c] = bench._merge_throughput(parts[s.name])
                print(f"# {s.name} c={c}: {through[s.name][c]['rps']} req/s", file=sys.stderr)
    finally:
        for s in servers:
            s.stop()
    result = {"dataset": name, "machine": machine, "rows": rows, "mismatches": mismatches,
              "sequential": seq, "throughput": through, "started": time.strftime("%F %T")}
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"remote-{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=1))
    print(report(result, args.concurrency))
    print(f"# results: {path}", file=sys.stderr)
    return 1 if mismatches else 0


def report(result: dict, concurrency: list[int]) -> str:
    seq = result["sequential"]
    lines = [f"### kg serve --store vs Oxigraph direct, {result['dataset']}", "",
             f"load average at start {result['machine']['loadavg_at_start'][0]:.2f}; row "
             f"mismatches: {result['mismatches'] or 'none'}", "",
             "| query | rows | direct p50 ms | via kg p50 ms | ratio |", "|---|---|---|---|---|"]
    for q, direct in seq["oxigraph-mem"].items():
        via = seq["kg-remote"][q]
        lines.append(f"| {q} | {result['rows']['oxigraph-mem'][q]} | {direct['p50_ms']:.2f} | "
                     f"{via['p50_ms']:.2f} | {via['p50_ms'] / direct['p50_ms']:.2f}x |")
    lines += ["", "| concurrency | direct req/s | via kg req/s | direct / via kg | target "
              f"<= {TARGET} |", "|---|---|---|---|---|"]
    for c in concurrency:
        d = result["throughput"]["oxigraph-mem"][c]["rps"]
        k = result["throughput"]["kg-remote"][c]["rps"]
        ratio = d / k if k else float("inf")
        lines.append(f"| {c} | {d:.0f} | {k:.0f} | {ratio:.2f}x | "
                     f"{'met' if ratio <= TARGET else '**missed**'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
