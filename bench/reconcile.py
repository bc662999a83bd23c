"""Reconciliation scoring: its speed, and whether a change left every answer as it was.

    .venv/bin/python bench/reconcile.py                    # this tree alone
    .venv/bin/python bench/reconcile.py --against HEAD~1   # against a revision, in one run

Everything runs in one process over the built dataset (``build/kg.nq``; ``--dataset``). With
``--against REV``, ``src/kg/reconciliation.py`` at ``REV`` is loaded beside this tree's (the
rest of kg is this tree's) and both indexes are built from the same store; then:

* **answers**: every query of the set below goes to both (limit 100); any difference in the
  candidates, their order, scores or ``match`` is printed and the exit status is 1;
* **per query**: each implementation answers every 10th query of the set, taking turns for
  ``--rounds`` rounds (a change in the machine's load falls on both), best round each; also
  the archivist's cells of 7, 60, 100 and 450 characters alone;
* **batch**: 100 queries (``max_reconcile_batch``) in one ``POST /reconcile`` through the Flask
  test client, the app's index swapped for the other implementation's; the status too (a 503
  is the time limit). Two batches: the same 60-character cell 100 times (the archivist's), and
  100 different cells of the set (the 100 longest).

The query set: every label and alternative label of every candidate as it is written, and
each with a typo (two letters swapped, one dropped, one replaced), truncated (its first 60 %,
or without its last word), extended (a word added, another entity's label added) and in
capitals. Times are ratios of one run; nothing here is a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))

#: The cells of an archivist's timing script: a name, an event title, and the long ones.
_LONG = "Kampuchean United Front for National Salvation forces attacked Tây Ninh and Division 341 "
CELLS = {"7": "Pol Pot", "60": "Pol Pot troops attack Vietnamese border communes in Tay Ninh",
         "100": (_LONG * 10)[:100], "450": (_LONG * 10)[:450]}

#: Formations as records and archivists' sheets write them, not as any label does.
DESIGNATIONS = ("F341", "f 341", "Div. 341", "QK7", "QĐ3", "MR 9", "F999", "F341 Tây Ninh")


def load_module_at(revision: str):
    """kg/reconciliation.py as it was at ``revision``, as a module of its own."""
    source = subprocess.run(["git", "-C", str(REPO), "show",
                             f"{revision}:src/kg/reconciliation.py"],
                            check=True, capture_output=True, text=True).stdout
    name = "kg_reconciliation_at_" + "".join(c if c.isalnum() else "_" for c in revision)
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:src/kg/reconciliation.py", "exec"), module.__dict__)
    return module


def query_set(index, seed: int = 1978) -> list[str]:
    rng = random.Random(seed)
    labels = sorted({v.text for e in index.entities.values()
                     for key in ("label", "altLabel") for v in e.values.get(key, ())})
    out: list[str] = []
    for text in labels:
        out.append(text)
        if len(text) > 3:
            i = rng.randrange(1, len(text) - 2)
            out.append(text[:i] + text[i + 1] + text[i] + text[i + 2:])  # swapped
            out.append(text[:i] + text[i + 1:])  # dropped
            out.append(text[:i] + "x" + text[i + 1:])  # replaced
            out.append(text[:max(1, len(text) * 6 // 10)])  # truncated
        if " " in text:
            out.append(text.rsplit(" ", 1)[0])
        out.append(text + " " + rng.choice(["province", "1979", "forces", "the"]))
        out.append(text + " " + rng.choice(labels))
        out.append(text.upper())
    out.extend(CELLS.values())
    out.extend(DESIGNATIONS)
    return list(dict.fromkeys(out))


def answers(index, queries: list[str]) -> list:
    return [index.reconcile({"query": q, "limit": 100}) for q in queries]


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", metavar="REV", help="a git revision to compare with")
    parser.add_argument("--dataset", type=Path, default=REPO / "build" / "kg.nq")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-batch", action="store_true", help="no batches over Flask")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="at most N queries of the set, evenly spaced (a generated "
                             "dataset's set has ~9 queries an entity)")
    args = parser.parse_args(argv)

    from kg.endpoint import create_app
    from kg.reconciliation import ReconciliationIndex
    from kg.store import DatasetStore

    store = DatasetStore.load(args.dataset)
    impls = {"this tree": ReconciliationIndex.from_store(store)}
    if args.against:
        impls[args.against] = load_module_at(args.against).ReconciliationIndex.from_store(store)
    queries = query_set(impls["this tree"])
    if args.sample and len(queries) > args.sample:
        queries = queries[::-(-len(queries) // args.sample)]
    print(f"{len(impls['this tree'].entities)} entities, {len(queries)} queries")

    status = 0
    if args.against:
        mine, theirs = (answers(i, queries) for i in impls.values())
        differ = [(q, a, b) for q, a, b in zip(queries, mine, theirs, strict=True) if a != b]
        candidates = sum(map(len, mine))
        print(f"answers: {len(queries) - len(differ)} of {len(queries)} identical "
              f"({candidates} candidates in all)")
        for q, a, b in differ[:20]:
            print(f"  DIFFERENT {q!r}:\n    this tree {a[:3]}\n    {args.against} {b[:3]}")
        status = 1 if differ else 0

    print("\nper query (in process; best of rounds, taking turns)")
    cases = {"every 10th query of the set (mean)": queries[::10],
             **{f"{n} characters": [t] for n, t in CELLS.items()}}
    header = "| case | " + " | ".join(impls) + (" | ratio |" if len(impls) == 2 else " |")
    print(header + "\n|" + "---|" * (header.count("|") - 1))
    for case, texts in cases.items():
        best = {name: float("inf") for name in impls}
        for _ in range(args.rounds):
            for name, index in impls.items():
                took = timed(lambda index=index, texts=texts: answers(index, texts))
                best[name] = min(best[name], took / len(texts))
        cells = [f"{best[n] * 1000:.2f} ms" for n in impls]
        ratio = [f"{best[args.against] / best['this tree']:.0f}×"] if len(impls) == 2 else []
        print(f"| {case} | " + " | ".join(cells + ratio) + " |")

    if not args.skip_batch:
        app = create_app({"TESTING": True, "root": REPO}, dataset=store)
        client = app.test_client()
        batches = {"100 × the 60-character cell": [CELLS["60"]] * 100,
                   "100 cells of the set (the longest)": sorted(queries, key=len)[-100:]}
        print("\nbatches of 100 over the Flask test client (one run each, taking turns)")
        print(header.replace("case", "batch") + "\n|" + "---|" * (header.count("|") - 1))
        for case, texts in batches.items():
            body = {"queries": json.dumps({f"q{i}": {"query": t} for i, t in enumerate(texts)})}
            took, codes = {}, {}
            for name, index in impls.items():
                app.extensions["kg.reconcile"] = index
                started = time.perf_counter()
                codes[name] = client.post("/reconcile", data=body).status_code
                took[name] = time.perf_counter() - started
            cells = [f"{took[n]:.2f} s ({codes[n]})" for n in impls]
            ratio = [f"{took[args.against] / took['this tree']:.0f}×"] if len(impls) == 2 else []
            print(f"| {case} | " + " | ".join(cells + ratio) + " |")
    return status


if __name__ == "__main__":
    sys.exit(main())
