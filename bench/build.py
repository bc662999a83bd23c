"""Time the real ``kg build`` at scale (issue 5): 1M triples built in under 2 minutes and 4 GiB.

Per size, in a child process of its own (so that peak RSS, ``ru_maxrss``, is per run):

1. a temporary project is written under bench/data/ (git-ignored): ``ontology/`` and ``shapes/``
   copied from the repository, and ``graph/NAME.ttl`` for each named graph
   ``https://w3id.org/kg1978/graph/NAME`` of bench/reason.py's generated data (its
   :func:`write_asserted`, which conforms to the shapes: the build refuses data that does not).
   The files are N-Triples, which is Turtle. Writing them is not part of the timings;
2. :func:`kg.build.build` runs on it in-process, with the project's default settings (fast
   reasoner, fast validator) and ``timings=``: ``parse_s`` (pyoxigraph reads ontology/ and
   graph/; rdflib reads shapes/ and the SPARQL of its constraints, to find the predicates they
   read), ``reason_s`` (:func:`kg.materialise.materialise_store`), ``validate_s`` (the
   validation view and :mod:`kg.shacl_fast`), ``write_s`` (sorted N-Quads and build-info.json);
3. the serving load stage: :meth:`kg.store.DatasetStore.load` of the dataset written, ``load_s``,
   as ``kg serve`` loads the build's own output: lenient, with the graphs' counts and whether
   they share a triple from build-info.json (:func:`kg.build.load_built`).

``total_s`` is parse + reason + validate + write + load; ``build_wall_s`` is the whole
``build()`` call (it also hashes the inputs). The target is met when ``total_s`` < 120 s and the
peak RSS of the child < 4096 MiB (the peak includes writing the project, reported apart as
``peak_generate_mib``). ``--pyshacl`` also builds with the setting ``validator=pyshacl`` at the
sizes up to ``--pyshacl-max`` (after the fast build and its peak are recorded) and reports its
``validate_s`` as ``pyshacl_validate_s``. The temporary project is removed afterwards, also when a
size is stopped at ``--timeout``.

A markdown table goes to stdout, one JSON object per size to stderr; the exit status is 1
when a size failed (the build raised, e.g. ValidationFailed) or was stopped, 0 otherwise.

    .venv/bin/python bench/build.py                       # 100k and 1M
    .venv/bin/python bench/build.py --sizes 100000 1000000 10000000 --timeout 1200
    .venv/bin/python bench/build.py --sizes 10000 100000 --pyshacl
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGET_S, TARGET_MIB = 120, 4096
GRAPH_PREFIX = "https://w3id.org/kg1978/graph/"
INFERRED = GRAPH_PREFIX + "inferred"
STAGES = ("parse_s", "reason_s", "validate_s", "write_s", "load_s")


def _reason_module():
    spec = importlib.util.spec_from_file_location("kg_bench_reason", HERE / "reason.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _GraphFiles:
    """A text sink for N-Quads that writes each named graph's triples to graph/NAME.ttl."""

    def __init__(self, graph_dir: Path) -> None:
        self.graph_dir = graph_dir
        self.files: dict[str, object] = {}

    def write(self, chunk: str) -> None:
        by_graph: dict[str, list[str]] = {}
        for line in chunk.splitlines():
            if not line.strip():
                continue
            # "<s> <p> o <graph> ." and a graph IRI holds no space
            triple, graph = line.rstrip()[:-1].rstrip().rsplit(" ", 1)
            by_graph.setdefault(graph, []).append(triple + " .\n")
        for graph, lines in by_graph.items():
            if not graph.startswith(f"<{GRAPH_PREFIX}"):
                raise ValueError(f"not a project graph: {graph}")
            name = graph[len(GRAPH_PREFIX) + 1 : -1]
            if name not in self.files:
                self.files[name] = (self.graph_dir / f"{name}.ttl").open("w", encoding="utf-8")
            self.files[name].write("".join(lines))

    def close(self) -> None:
        for f in self.files.values():
            f.close()


def write_project(project: Path, triples: int, seed: int) -> int:
    """Write a project (ontology/, shapes/, graph/*.ttl) of about ``triples`` generated
    asserted triples to ``project``; return the number of generated triples."""
    if project.exists():
        shutil.rmtree(project)
    (project / "graph").mkdir(parents=True)
    for folder in ("ontology", "shapes"):
        shutil.copytree(REPO / folder, project / folder)
    sink = _GraphFiles(project / "graph")
    try:
        return _reason_module().write_asserted(triples, sink, seed)
    finally:
        sink.close()


def run_one(triples: int, seed: int, project: Path, pyshacl: bool) -> dict:
    """One size, in this process: the timings (seconds), counts and peak RSS (MiB)."""
    from kg.build import build, load_built
    from kg.settings import resolve

    row: dict = {"triples": triples}
    try:
        t = time.perf_counter()
        row["generated"] = write_project(project, triples, seed)
        row["generate_s"] = time.perf_counter() - t
        row["peak_generate_mib"] = _peak_mib()

        def log(message: str) -> None:
            print(f"  [{triples}] {message}", file=sys.stderr, flush=True)

        settings = resolve(overrides={"root": project, "build_dir": project / "build"},
                           environ={})
        timings: dict = {}
        t = time.perf_counter()
        result = build(settings, log=log, timings=timings)
        row["build_wall_s"] = time.perf_counter() - t
        row.update({k: timings[k] for k in STAGES if k in timings})
        graphs = result.info["graphs"]
        row["inferred"] = graphs.get(INFERRED, 0)
        row["asserted"] = sum(n for g, n in graphs.items() if g != INFERRED)
        row["dataset_bytes"] = result.dataset.stat().st_size
        row["peak_build_mib"] = _peak_mib()

        t = time.perf_counter()
        # as kg serve loads a build: lenient, with what the build recorded of it
        store = load_built(result.dataset)
        row["load_s"] = time.perf_counter() - t
        row["loaded_quads"] = store.quad_count
        del store
        row["total_s"] = sum(row[k] for k in STAGES)
        row["peak_mib"] = _peak_mib()
        row["target_met"] = row["total_s"] < TARGET_S and row["peak_mib"] < TARGET_MIB

        if pyshacl:
            settings = resolve(overrides={"root": project, "build_dir": project / "build-pyshacl",
                                          "validator": "pyshacl"}, environ={})
            timings = {}
            build(settings, log=log, timings=timings)
            row["pyshacl_validate_s"] = timings["validate_s"]
            row["peak_pyshacl_mib"] = _peak_mib()
    finally:
        shutil.rmtree(project, ignore_errors=True)
    return row


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "met" if v else "MISSED"
    if isinstance(v, float):
        return f"{v:.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def table(rows: list[dict]) -> str:
    cols = (("size", "triples"), ("asserted", "asserted"), ("inferred", "inferred"),
            ("parse s", "parse_s"), ("reason s", "reason_s"), ("validate s", "validate_s"),
            ("write s", "write_s"), ("load s", "load_s"), ("total s", "total_s"),
            ("peak MiB", "peak_mib"), ("target", "target_met"),
            ("pyshacl validate s", "pyshacl_validate_s"))
    out = ["| " + " | ".join(c for c, _ in cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        if "error" in r:
            cells = [_fmt(r["triples"]), r["error"]] + ["-"] * (len(cols) - 3) + ["MISSED"]
        else:
            cells = [_fmt(r.get(k)) for _, k in cols]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--seed", type=int, default=1978)
    p.add_argument("--pyshacl", action="store_true",
                   help="also build with validator=pyshacl (sizes up to --pyshacl-max)")
    p.add_argument("--pyshacl-max", type=int, default=100_000)
    p.add_argument("--timeout", type=int, default=600, help="seconds per size")
    p.add_argument("--data-dir", type=Path, default=HERE / "data")
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode: one size, JSON out
    p.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--child-pyshacl", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.seed, args.project, args.child_pyshacl)))
        return 0
    rows = []
    for n in args.sizes:
        project = args.data_dir / f"build-{n}-{args.seed}"
        cmd = [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed),
               "--project", str(project)]
        if args.pyshacl and n <= args.pyshacl_max:
            cmd.append("--child-pyshacl")
        print(f"building {n} triples ...", file=sys.stderr, flush=True)
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO,
                                  timeout=args.timeout)
        except subprocess.TimeoutExpired as exc:
            err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
            print(err, file=sys.stderr)
            print(f"  {n}: stopped after {args.timeout} s", file=sys.stderr)
            rows.append({"triples": n, "error": f"stopped after {args.timeout} s"})
            continue
        finally:
            shutil.rmtree(project, ignore_errors=True)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            last = (done.stderr.strip().splitlines() or ["failed"])[-1]
            rows.append({"triples": n, "error": last[:200]})
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(table(rows))
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
