"""Run the W3C SPARQL 1.1 query-evaluation suites through the project's query engine.

The engine is what ``/sparql`` runs: the endpoint's checks (:func:`kg.endpoint.query_text.
inspect_query`), :class:`kg.store.DatasetStore` (pyoxigraph, with plain SPARQL semantics: the
suites load their own default graph) and the endpoint's serialiser (:func:`kg.endpoint.
results.serialize`, whose output is parsed back). Results are compared as multisets of
solutions with blank nodes matched by a bijection, graphs by isomorphism, CSV byte for byte
(modulo blank-node labels).

As a script: ``python tests/w3c_query_eval.py [SHARED/w3c/sparql11]`` prints the pass count and
the failures, and writes ``test-artifacts/w3c-query-eval.json``.
"""

from __future__ import annotations

import csv
import decimal
import io
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic

MANIFESTS = ("manifest-sparql11-query.ttl", "manifest-sparql11-results.ttl")
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
EVALUATION_TYPES = {MF.QueryEvaluationTest, MF.CSVResultFormatTest}
SYNTAX_TYPES = {MF.PositiveSyntaxTest11, MF.NegativeSyntaxTest11}
RESULT_FORMATS = {".srx": ox.QueryResultsFormat.XML, ".srj": ox.QueryResultsFormat.JSON,
                  ".tsv": ox.QueryResultsFormat.TSV}
NO_LIMIT = 10**9


@dataclass(frozen=True)
class Case:
    iri: str
    name: str
    kind: str  # evaluation, csv, positive-syntax, negative-syntax
    query: Path
    data: tuple[Path, ...]
    graph_data: tuple[Path, ...]
    result: Path | None


def _path(term) -> Path:
    return Path(str(term).removeprefix("file://"))


def cases(w3c: Path) -> list[Case]:
    """The evaluation and syntax tests of the two query manifests, in manifest order."""
    found = []
    for top in MANIFESTS:
        g = rdflib.Graph().parse(w3c / top, format="turtle")
        for inc_list in g.objects(None, MF.include):
            for sub in rdflib.collection.Collection(g, inc_list):
                sg = rdflib.Graph().parse(_path(sub), format="turtle")
                manifest = next(sg.subjects(rdflib.RDF.type, MF.Manifest))
                for entry in rdflib.collection.Collection(sg, sg.value(manifest, MF.entries)):
                    types = set(sg.objects(entry, rdflib.RDF.type))
                    action = sg.value(entry, MF.action)
                    if types & EVALUATION_TYPES:
                        kind = "csv" if MF.CSVResultFormatTest in types else "evaluation"
                        query = _path(sg.value(action, QT.query))
                        data = tuple(_path(d) for d in sg.objects(action, QT.data))
                        graphs = tuple(_path(d) for d in sg.objects(action, QT.graphData))
                    elif types & SYNTAX_TYPES:
                        kind = ("positive-syntax" if MF.PositiveSyntaxTest11 in types
                                else "negative-syntax")
                        query, data, graphs = _path(action), (), ()
                    else:
                        continue
                    result = sg.value(entry, MF.result)
                    found.append(Case(str(entry), str(sg.value(entry, MF.name)), kind, query,
                                      data, graphs, _path(result) if result else None))
    return found


def _load(case: Case):
    from kg.store import DatasetStore

    store = ox.Store()
    for path in case.data:
        store.load(path=str(path), format=_rdf_format(path), base_iri=path.as_uri())
    for path in case.graph_data:
        store.load(path=str(path), format=_rdf_format(path), base_iri=path.as_uri(),
                   to_graph=ox.NamedNode(path.as_uri()))
    return DatasetStore(store, union_default_graph=False)


def _rdf_format(path: Path) -> ox.RdfFormat:
    return {".rdf": ox.RdfFormat.RDF_XML, ".nt": ox.RdfFormat.N_TRIPLES}.get(
        path.suffix, ox.RdfFormat.TURTLE)


def _run(case: Case, store, fmt_name: str):
    from kg.endpoint.query_text import inspect_query
    from kg.endpoint.results import FORMATS, serialize

    text = case.query.read_text(encoding="utf-8")
    info = inspect_query(text, 200)
    result = store.query(text, has_dataset_clause=info.has_dataset_clause,
                         base_iri=case.query.as_uri())
    if isinstance(result, ox.QueryTriples):
        return "graph", list(result)
    fmt = next(f for f in FORMATS if f.name == fmt_name)
    body, _ = serialize(result, fmt, NO_LIMIT)
    if fmt_name == "csv":
        return "csv", body
    parsed = ox.parse_query_results(body, format=fmt.writer)
    if isinstance(parsed, ox.QueryBoolean):
        return "boolean", bool(parsed)
    names = [v.value for v in parsed.variables]
    return "solutions", [{n: s[n] for n in names if s[n] is not None} for s in parsed]


_XSD = "http://www.w3.org/2001/XMLSchema#"
_DECIMALS = {_XSD + t for t in ("integer", "decimal", "int", "long", "short", "byte",
                                "nonNegativeInteger", "positiveInteger", "negativeInteger",
                                "nonPositiveInteger", "unsignedInt", "unsignedLong")}
_FLOATS = {_XSD + "double", _XSD + "float"}


def _key(term) -> str:
    """A term's identity for comparison; numbers by value (``1.0`` and ``1`` as decimals are
    the same result), as the W3C suites' own runners compare them."""
    if isinstance(term, ox.BlankNode):
        return "_:"
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _DECIMALS:
                return f"{datatype}|{decimal.Decimal(term.value).normalize()}"
            if datatype in _FLOATS:
                return f"{datatype}|{float(term.value)!r}"
            if datatype == _XSD + "boolean":
                return f"{datatype}|{term.value in ('true', '1')}"
        except (ArithmeticError, ValueError):
            pass
    return str(term)


def _same_solutions(expected: list[dict], actual: list[dict]) -> bool:
    if len(expected) != len(actual):
        return False
    shape = lambda rows: Counter(frozenset((k, _key(v)) for k, v in r.items()) for r in rows)  # noqa: E731
    if shape(expected) != shape(actual):
        return False
    if not any(isinstance(v, ox.BlankNode) for r in expected + actual for v in r.values()):
        return True
    # Match rows one by one under one bijection of blank nodes (the results are small).
    def match(i: int, used: set[int], fwd: dict, back: dict) -> bool:
        if i == len(expected):
            return True
        row = expected[i]
        for j, other in enumerate(actual):
            if j in used or row.keys() != other.keys():
                continue
            f, b, ok = dict(fwd), dict(back), True
            for k, v in row.items():
                w = other[k]
                if isinstance(v, ox.BlankNode) and isinstance(w, ox.BlankNode):
                    if f.setdefault(v.value, w.value) != w.value or \
                            b.setdefault(w.value, v.value) != v.value:
                        ok = False
                        break
                elif _key(v) != _key(w):
                    ok = False
                    break
            if ok and match(i + 1, used | {j}, f, b):
                return True
        return False

    return match(0, set(), {}, {})


def _graph(triples) -> rdflib.Graph:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data.decode(), format="nt")


def _csv_normal(text: str) -> Counter:
    """CSV rows as a multiset of column -> value (blank-node labels erased): ``SELECT *``
    leaves the column order to the implementation."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    head = rows[0] if rows else []
    return Counter(frozenset(zip(head, (re.sub(r"^_:\w+$", "_:", v) for v in row),
                                 strict=False)) for row in rows[1:])


def run_case(case: Case) -> tuple[bool, str]:
    """(passed, why not)."""
    from kg.errors import KGError

    if case.kind in ("positive-syntax", "negative-syntax"):
        from kg.store import DatasetStore

        try:
            _run(case, DatasetStore(ox.Store(), union_default_graph=False), "json")
            parsed = True
        except KGError:
            parsed = False
        except (OSError, RuntimeError, ValueError):
            parsed = True  # it parsed; evaluating it failed (e.g. an unknown function)
        ok = parsed == (case.kind == "positive-syntax")
        return ok, "" if ok else ("refused" if not parsed else "accepted a bad query")
    try:
        store = _load(case)
        suffix = case.result.suffix if case.result else ""
        if case.kind == "csv":
            _, body = _run(case, store, "csv")
            ok = _csv_normal(body.decode()) == _csv_normal(case.result.read_text("utf-8"))
            return ok, "" if ok else "CSV differs"
        if suffix in (".ttl", ".rdf", ".nt"):
            kind, actual = _run(case, store, "json")
            expected = list(ox.parse(path=str(case.result), format=_rdf_format(case.result),
                                     base_iri=case.result.as_uri()))
            ok = kind == "graph" and isomorphic(_graph([q.triple for q in expected]),
                                                _graph(actual))
            return ok, "" if ok else "graph differs"
        kind, actual = _run(case, store, "json")
        expected = ox.parse_query_results(path=str(case.result), format=RESULT_FORMATS[suffix])
        if isinstance(expected, ox.QueryBoolean):
            ok = kind == "boolean" and actual == bool(expected)
            return ok, "" if ok else f"expected {bool(expected)}, got {actual}"
        names = [v.value for v in expected.variables]
        rows = [{n: s[n] for n in names if s[n] is not None} for s in expected]
        ok = kind == "solutions" and _same_solutions(rows, actual)
        return ok, "" if ok else f"solutions differ ({len(rows)} expected)"
    except (KGError, OSError, SyntaxError, ValueError, RuntimeError) as exc:
        return False, f"{type(exc).__name__}: {str(exc)[:200]}"


def evaluate(w3c: Path) -> dict:
    """Run every case; returns counts and the failures."""
    results = {"evaluation": [0, 0], "syntax": [0, 0]}
    failures = []
    for case in cases(w3c):
        group = "syntax" if "syntax" in case.kind else "evaluation"
        ok, why = run_case(case)
        results[group][1] += 1
        if ok:
            results[group][0] += 1
        else:
            failures.append({"test": case.iri, "name": case.name, "why": why})
    return {
        "evaluation_passed": results["evaluation"][0],
        "evaluation_total": results["evaluation"][1],
        "syntax_passed": results["syntax"][0],
        "syntax_total": results["syntax"][1],
        "passed": results["evaluation"][0] + results["syntax"][0],
        "total": results["evaluation"][1] + results["syntax"][1],
        "failures": failures,
    }


def write_report(report: dict, repo: Path) -> Path:
    out = repo / "test-artifacts" / "w3c-query-eval.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    repo = Path(__file__).resolve().parents[1]
    w3c = Path(sys.argv[1]) if len(sys.argv) > 1 else repo.parent / "shared" / "w3c" / "sparql11"
    sys.path.insert(0, str(repo / "src"))
    report = evaluate(w3c)
    for failure in report["failures"]:
        print(f"FAIL {failure['name']}: {failure['why']}")
    print(f"W3C SPARQL 1.1 query suites: {report['passed']} of {report['total']} pass "
          f"(evaluation {report['evaluation_passed']}/{report['evaluation_total']}, "
          f"syntax {report['syntax_passed']}/{report['syntax_total']})")
    print(f"written to {write_report(report, repo)}")
