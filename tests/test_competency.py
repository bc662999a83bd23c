"""Golden competency questions, driven by tests/competency/manifest.ttl (W3C manifest shape).

Each entry runs NAME.rq over the built dataset (default graph = union of the named graphs) and
compares with NAME.srj: SELECT as multisets (in order when the query has ORDER BY), ASK as a
boolean. Goldens are regenerated only on purpose: tests/competency/regenerate.py.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection

from kgtest import REPO

HERE = REPO / "tests" / "competency"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")


def _entries() -> list[tuple[str, Path, Path]]:
    g = Graph().parse(HERE / "manifest.ttl", publicID=(HERE / "manifest.ttl").as_uri())
    manifest = next(g.subjects(predicate=MF.entries))
    out = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        action = g.value(entry, MF.action)
        query = Path(str(g.value(action, QT.query)).removeprefix("file://"))
        result = Path(str(g.value(entry, MF.result)).removeprefix("file://"))
        out.append((str(g.value(entry, MF.name)), query, result))
    return out


ENTRIES = _entries()


@pytest.fixture(scope="module")
def store(dataset) -> ox.Store:
    from kg.query import open_store

    return open_store(dataset)


def _rows(srj: dict) -> list[tuple]:
    return [tuple(sorted((k, tuple(sorted(v.items()))) for k, v in b.items()))
            for b in srj["results"]["bindings"]]


def test_manifest_lists_every_query():
    listed = {name for name, _, _ in ENTRIES}
    on_disk = {p.stem for p in HERE.glob("*.rq")}
    assert listed == on_disk
    assert len(listed) >= 20


@pytest.mark.parametrize(("name", "query", "expected"), ENTRIES, ids=[e[0] for e in ENTRIES])
def test_competency_question(store, name, query, expected):
    text = query.read_text(encoding="utf-8")
    assert text.startswith("# "), "each query opens with its question as a comment"
    want = json.loads(expected.read_text(encoding="utf-8"))
    got = json.loads(store.query(text, use_default_graph_as_union=True)
                     .serialize(format=ox.QueryResultsFormat.JSON))
    if "boolean" in want:
        assert got["boolean"] == want["boolean"]
        return
    assert got["head"]["vars"] == want["head"]["vars"]
    assert want["results"]["bindings"], "a golden with no rows proves nothing"
    if re.search(r"\bORDER\s+BY\b", text, re.IGNORECASE):
        assert _rows(got) == _rows(want)
    else:
        assert Counter(_rows(got)) == Counter(_rows(want))


SOURCE = "https://w3id.org/kg1978/source/"


def _declared_passages(query: Path) -> set[tuple[str, int]]:
    """(source name, passage number) for each passage the query's second line names: "2, 13"
    for part 1's, "article-part2:5" for another source's; "none" for a check on the whole
    (read as the UI reads it to order the examples: kg.endpoint.ui.declared_passages)."""
    from kg.endpoint.ui import declared_passages

    line = query.read_text(encoding="utf-8").splitlines()[1]
    assert line.startswith("# Passages:"), f"{query.name}: second line must be '# Passages: N, M'"
    return set(declared_passages(line))


def _answer_strings(expected: Path) -> set[str]:
    data = json.loads(expected.read_text(encoding="utf-8"))
    return {v["value"] for b in data.get("results", {}).get("bindings", []) for v in b.values()}


_SUPPORT = """
PREFIX kgo: <https://w3id.org/kg1978/ontology/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s WHERE {
  ?p kgo:passageNumber %d ; <http://purl.org/dc/terms/isPartOf> <%s> .
  ?r prov:wasDerivedFrom ?p .
  { ?r rdfs:label ?s }
  UNION { ?r kgo:value ?s }
  UNION { ?r kgo:figureKind/rdfs:label ?s }
  UNION { ?r kgo:figureOf/rdfs:label ?s }
  UNION { ?r rdf:subject/rdfs:label ?s }
  UNION { ?r rdf:object/rdfs:label ?s }
  UNION { ?r kgo:startDate|kgo:latestStart|kgo:endDate|kgo:notBefore|kgo:notAfter ?s }
  UNION { ?r kgo:translator|<http://schema.org/translator>/rdfs:label ?s }
  UNION { BIND(STR(%d) AS ?s) }
}"""


@pytest.mark.parametrize(("name", "query", "expected"), ENTRIES, ids=[e[0] for e in ENTRIES])
def test_declared_passages_are_in_the_answer(store, name, query, expected):
    """A question's '# Passages:' line is honest: each passage it names supports something
    (a label, a date, a value, a passage number) that the golden answer contains."""
    answer = _answer_strings(expected)
    for source, n in _declared_passages(query):
        support = {row["s"].value for row in store.query(_SUPPORT % (n, SOURCE + source, n),
                                                         use_default_graph_as_union=True)}
        assert support, f"{name}: {source} has no passage {n} that anything cites"
        assert support & answer, f"{name}: nothing in the answer comes from {source}'s passage {n}"


def test_competency_questions_cover_every_passage_with_facts(store):
    covered = set().union(*(_declared_passages(q) for _, q, _ in ENTRIES))
    with_facts = {
        (r["src"].value.removeprefix(SOURCE), int(r["n"].value)) for r in store.query(
            "SELECT ?src ?n WHERE { ?p <https://w3id.org/kg1978/ontology/carriesFacts> true ;"
            " <https://w3id.org/kg1978/ontology/passageNumber> ?n ;"
            " <http://purl.org/dc/terms/isPartOf> ?src }",
            use_default_graph_as_union=True)
    }
    assert len(with_facts) == 17
    assert with_facts <= covered, f"no competency question covers passages {sorted(with_facts - covered)}"
