"""Time the build at scale (issue 5): parse -> reason -> validate -> write, on generated data.

The data is bench/reason.py's: bench/generate.py's graph of our shape, its own ontology and
inferences dropped, the real ontology/kg.ttl instead. Stages, each in the same pyoxigraph store:

- parse: ``Store.bulk_load`` of the generated N-Quads, and the ontology;
- reason: :func:`kg.materialise.materialise_store` into the inferred graph;
- view: :func:`kg.shacl_fast.view_store` (what the shapes see: no domain/range-only types);
- validate: :func:`kg.shacl_fast.validate_store` against shapes/ (the generated data does not
  conform to every shape: the result count is reported, not required to be 0);
- write: ``Store.dump`` as N-Quads to a temporary file.

Optionally pySHACL on the same view (``--pyshacl-max``, default 100k: it converts the view to an
rdflib Graph first). Each size runs in a child process, so peak RSS (ru_maxrss) is per run; the
target is 1M triples built in under 2 minutes and under 4 GiB.

    .venv/bin/python bench/build.py                       # 100k and 1M
    .venv/bin/python bench/build.py --sizes 10000 100000 --pyshacl-max 100000
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGET_S, TARGET_MIB = 120, 4096


def _reason_module():
    spec = importlib.util.spec_from_file_location("kg_bench_reason", HERE / "reason.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(triples: int, seed: int, pyshacl: bool, data_dir: Path) -> dict:
    import pyoxigraph as ox

    from kg.iris import INFERRED_GRAPH
    from kg.load import load_shapes
    from kg.materialise import materialise_store
    from kg.shacl_fast import validate_store, view_store

    bench = _reason_module()
    row: dict = {"triples": triples}
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"build-{triples}-{seed}.nq"
    with path.open("w", encoding="utf-8") as f:
        bench.write_asserted(triples, f, seed)
    shapes = load_shapes(REPO)
    try:
        t = time.perf_counter()
        store = bench.asserted_store(path)  # bulk_load + the ontology
        row["parse_s"] = time.perf_counter() - t
        row["asserted"] = len(store)
        row["peak_parse_mib"] = _peak_mib()

        t = time.perf_counter()
        row["inferred"] = materialise_store(store, ox.NamedNode(str(INFERRED_GRAPH)))
        row["reason_s"] = time.perf_counter() - t
        row["peak_reason_mib"] = _peak_mib()

        t = time.perf_counter()
        view = view_store(store, INFERRED_GRAPH)
        row["view_s"] = time.perf_counter() - t
        t = time.perf_counter()
        report = validate_store(view, shapes)
        row["validate_s"] = time.perf_counter() - t
        row["results"] = len(report.results)
        row["peak_validate_mib"] = _peak_mib()

        t = time.perf_counter()
        with tempfile.NamedTemporaryFile(suffix=".nq", dir=data_dir) as out:
            store.dump(output=out.name, format=ox.RdfFormat.N_QUADS)
            row["written_bytes"] = Path(out.name).stat().st_size
        row["write_s"] = time.perf_counter() - t
        row["peak_mib"] = _peak_mib()
        row["total_s"] = sum(row[k] for k in ("parse_s", "reason_s", "view_s", "validate_s",
                                               "write_s"))
        if pyshacl:
            from rdflib import Graph

            from kg.load import rdflib_term
            from kg.validate import validate

            g = Graph()
            for q in view:
                g.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
            del view, store
            t = time.perf_counter()
            ref = validate(g, shapes)
            row["pyshacl_s"] = time.perf_counter() - t
            row["pyshacl_results"] = len(ref.results)
            row["peak_pyshacl_mib"] = _peak_mib()
    finally:
        path.unlink()
    return row


def table(rows: list[dict]) -> str:
    cols = (("triples", "triples"), ("asserted", "asserted"), ("inferred", "inferred"),
            ("parse s", "parse_s"), ("reason s", "reason_s"), ("view s", "view_s"),
            ("validate s", "validate_s"), ("write s", "write_s"), ("total s", "total_s"),
            ("results", "results"), ("pyshacl s", "pyshacl_s"),
            ("pyshacl results", "pyshacl_results"), ("peak MiB", "peak_mib"),
            ("target", "target"))
    out = ["| " + " | ".join(c for c, _ in cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        r = dict(r)
        if "total_s" in r:
            ok = r["total_s"] < TARGET_S and r["peak_mib"] < TARGET_MIB
            r["target"] = "met" if ok else "MISSED"
        cells = []
        for _, k in cols:
            v = r.get(k)
            cells.append("-" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--seed", type=int, default=1978)
    p.add_argument("--pyshacl-max", type=int, default=100_000,
                   help="largest size to run pySHACL at too (0: never)")
    p.add_argument("--timeout", type=int, default=600, help="seconds per size")
    p.add_argument("--data-dir", type=Path, default=HERE / "data")
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)
    p.add_argument("--pyshacl", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.seed, args.pyshacl, args.data_dir)))
        return 0
    rows = []
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed),
               "--data-dir", str(args.data_dir)]
        if n <= args.pyshacl_max:
            cmd.append("--pyshacl")
        print(f"building {n} triples ...", file=sys.stderr)
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO,
                                  timeout=args.timeout)
        except subprocess.TimeoutExpired:
            print(f"  {n}: stopped after {args.timeout} s", file=sys.stderr)
            continue
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
