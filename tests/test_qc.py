"""Ontology and graph QC in the OBO/ROBOT style (CONVENTIONS items 7 and 10).

Each tests/qc/NAME-violation.rq opens with ``# Problem: ... # Solution: ...`` and must return no
rows over the asserted named graphs (the ontology graph and one graph per graph/*.ttl, as
kg.load names them; nothing inferred). tests/qc/fixtures/NAME-violation.trig is a tiny dataset
with the problem, on which the query must return rows: a query that can never match (a misspelt
graph IRI, say) would otherwise pass for ever.

Also here: the ontology's version is the package's, and the passages in graph/sources.ttl match
the text of the article they number.
"""

from __future__ import annotations

from itertools import takewhile
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

import kg
from kg.iris import BASE, DCTERMS, KGO, ONTOLOGY, ONTOLOGY_GRAPH
from kg.load import load_sources
from kg.sources import digest, passages

ROOT = Path(__file__).resolve().parent.parent
QC = ROOT / "tests" / "qc"
QC_FIXTURES = QC / "fixtures"
QUERIES = sorted(QC.glob("*-violation.rq"))

ARTICLE = URIRef(BASE + "source/article-part1")
ARTICLE_TEXT = ROOT.parent / "shared" / "sources" / "article-part1.txt"
#: The passages of the article that are photo captions, numbered as in ../shared/sources/README.md.
CAPTIONS = (4, 12)


def store_of(graphs: dict[URIRef, Graph]) -> ox.Store:
    """A pyoxigraph store with each rdflib graph in the named graph of the same name."""
    store = ox.Store()
    for name, graph in graphs.items():
        store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode(str(name)))
    return store


def rows_of(store: ox.Store, query: str) -> tuple[list[str], list[list[str]]]:
    solutions = store.query(query)
    names = [v.value for v in solutions.variables]
    return names, [[_term(solution[name]) for name in names] for solution in solutions]


def _term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return _short(term.value)
    return str(term)


def _short(iri: str) -> str:
    for prefix, ns in (("kgo", str(KGO)), ("kg", BASE)):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def table(names: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(x) for x in column) for column in zip(names, *rows, strict=True)]
    lines = ["  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)).rstrip()
             for row in (names, *rows)]
    return "\n".join(lines)


def header_of(query: Path) -> list[str]:
    """The comment lines a query opens with."""
    lines = query.read_text(encoding="utf-8").splitlines()
    return list(takewhile(lambda line: line.startswith("#"), lines))


@pytest.fixture(scope="module")
def sources():
    return load_sources(ROOT)


@pytest.fixture(scope="module")
def store(sources) -> ox.Store:
    return store_of(sources.graphs)


@pytest.fixture(scope="module")
def ontology(sources) -> Graph:
    return sources.graphs[ONTOLOGY_GRAPH]


@pytest.fixture(scope="module")
def data(sources) -> Graph:
    """The asserted data graphs (everything from graph/), merged."""
    merged = Graph()
    for name, graph in sources.graphs.items():
        if name != ONTOLOGY_GRAPH:
            merged += graph
    return merged


# ---------------------------------------------------------------- QC queries


def test_there_are_qc_queries():
    assert len(QUERIES) >= 12, [q.name for q in QUERIES]


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_qc_query_says_problem_and_solution(query):
    header = header_of(query)
    assert header and header[0].startswith("# Problem: "), \
        f"{query.name} must open with '# Problem: ...'"
    assert any(line.startswith("# Solution: ") for line in header), \
        f"{query.name} needs a '# Solution: ...' comment line before the query"


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_qc_query_finds_nothing(query, store):
    names, rows = rows_of(store, query.read_text(encoding="utf-8"))
    problem = " ".join(line.lstrip("# ") for line in header_of(query))
    assert not rows, f"{query.name}: {len(rows)} row(s)\n{problem}\n\n{table(names, rows)}"


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_qc_query_catches_its_problem(query):
    fixture = QC_FIXTURES / f"{query.stem}.trig"
    assert fixture.is_file(), f"{query.name} needs a dataset with the problem: {fixture}"
    store = ox.Store()
    store.load(path=str(fixture), format=ox.RdfFormat.TRIG)
    names, rows = rows_of(store, query.read_text(encoding="utf-8"))
    assert rows, f"{query.name} finds nothing in {fixture.name}, which has the problem"


def test_unreified_relation_query_knows_every_relation_between_entities(ontology):
    """The relations between entities (an object property whose domain is an actor or a place)
    are the ones that need an rdf:Statement: the QC query lists each, so a new one (as
    kgo:organOf was) cannot go unchecked."""
    def entity_class(c) -> bool:
        return bool({KGO.Actor, KGO.Place} & set(ontology.transitive_objects(c, RDFS.subClassOf)))

    relations = {p for p in ontology.subjects(RDF.type, OWL.ObjectProperty)
                 if any(entity_class(d) for d in ontology.objects(p, RDFS.domain))}
    text = (QC / "unreified-relation-violation.rq").read_text(encoding="utf-8")
    listed = {URIRef(KGO + name) for name in
              text.split("VALUES ?p {", 1)[1].split("}", 1)[0].replace("kgo:", " ").split()}
    assert relations and listed == relations


# ---------------------------------------------------------------- one version source


def test_ontology_version_is_the_package_version(ontology):
    version_info = ontology.value(ONTOLOGY, OWL.versionInfo)
    version_iri = ontology.value(ONTOLOGY, OWL.versionIRI)
    assert version_info == Literal(kg.__version__), (version_info, kg.__version__)
    assert isinstance(version_iri, URIRef)
    assert str(version_iri).rstrip("/").endswith("/" + kg.__version__), version_iri


# ---------------------------------------------------------------- passages and the source text


def article_passages() -> list[str]:
    """The article's passages: blocks of text separated by blank lines, trimmed."""
    if not ARTICLE_TEXT.is_file():
        pytest.skip(f"the article text is not here ({ARTICLE_TEXT}); it lives outside the "
                    "project, beside it in ../shared/sources/")
    return passages(ARTICLE_TEXT.read_text(encoding="utf-8"))


def test_passages_match_the_article_text(data):
    texts = article_passages()
    passages = {int(data.value(p, KGO.passageNumber)): p
                for p in data.subjects(DCTERMS.isPartOf, ARTICLE)
                if (p, RDF.type, KGO.Passage) in data}
    assert sorted(passages) == list(range(1, len(texts) + 1)), \
        f"the text has {len(texts)} passages; the graph numbers {sorted(passages)}"
    wrong = {n: str(data.value(p, KGO.textDigest)) for n, p in passages.items()
             if str(data.value(p, KGO.textDigest))
             != digest(texts[n - 1])}
    assert not wrong, f"kgo:textDigest is not the SHA-256 of the passage text: {wrong}"


@pytest.mark.parametrize("number", CAPTIONS)
def test_photo_captions_carry_no_facts(data, number):
    texts = article_passages()
    assert texts[number - 1] == "File photo"
    passage = URIRef(f"{BASE}source/article-part1-passage-{number}")
    assert (passage, DCTERMS.isPartOf, ARTICLE) in data
    assert data.value(passage, KGO.carriesFacts) == Literal(False)
