"""Regenerate the competency goldens (NAME.srj) and manifest.ttl from the NAME.rq files.

Run on purpose only, after checking each new answer against the article:

    .venv/bin/python tests/competency/regenerate.py [NAME ...]

Without names, writes the manifest and any golden that is missing; with names, rewrites those.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent


def manifest_text(names: list[str]) -> str:
    entries = " ".join(f":{n}" for n in names)
    out = [
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#> .",
        "@prefix qt: <http://www.w3.org/2001/sw/DataAccess/tests/test-query#> .",
        "@prefix : <manifest#> .",
        "",
        "<> a mf:Manifest ;",
        '    rdfs:label "kg competency questions: the built dataset (asserted + inferred, default graph = union) answers each query with the expected result" ;',
        f"    mf:entries ( {entries} ) .",
        "",
    ]
    for n in names:
        title = (HERE / f"{n}.rq").read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        title = title.replace("\\", "\\\\").replace('"', '\\"')
        out += [
            f":{n} a mf:QueryEvaluationTest ;",
            f'    mf:name "{n}" ;',
            f'    rdfs:comment "{title}" ;',
            f"    mf:action [ qt:query <{n}.rq> ; qt:data <../../build/kg.nq> ] ;",
            f"    mf:result <{n}.srj> .",
            "",
        ]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE.parents[1] / "src"))
    from kg.build import ensure_built
    from kg.query import open_store
    from kg.settings import resolve

    names = sorted(p.stem for p in HERE.glob("*.rq"))
    (HERE / "manifest.ttl").write_text(manifest_text(names), encoding="utf-8")
    store = open_store(ensure_built(resolve()))
    for n in names:
        golden = HERE / f"{n}.srj"
        if golden.exists() and n not in argv:
            continue
        result = store.query((HERE / f"{n}.rq").read_text(encoding="utf-8"),
                             use_default_graph_as_union=True)
        data = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))
        golden.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {golden.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
