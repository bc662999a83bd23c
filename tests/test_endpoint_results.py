"""Serialising results under the size limit: rows are counted exactly in every format, even
when literals hold what looks like a row boundary and chunks split anywhere."""

from __future__ import annotations

import csv
import io
import random

import pyoxigraph as ox
import pytest

from kg.endpoint import results as R

TRICKY = ['"', "\\", "\n", "\r", ",", "{", "}", "[", "]", "<result>", "\t", "é", ":", '},{"',
          '\\"', "a"]
N = 1500
QUERY = "SELECT ?s ?o ?x WHERE { ?s ?p ?o OPTIONAL { ?s <http://example.org/nope> ?x } }"
SOLUTION_FORMATS = [f for f in R.FORMATS if R.SOLUTIONS in f.kinds]


@pytest.fixture(scope="module")
def tricky_store() -> ox.Store:
    rng = random.Random(7)
    store = ox.Store()
    for i in range(N):
        text = "".join(rng.choice(TRICKY) for _ in range(rng.randint(0, 40)))
        obj = ox.Literal(text) if i % 3 else ox.BlankNode(f"b{i}")
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"),
                          ox.NamedNode("http://example.org/p"), obj))
    return store


def _rows(body: bytes, fmt: R.ResultFormat) -> int:
    if fmt.name == "csv":
        return len(list(csv.reader(io.StringIO(body.decode(), newline="")))) - 1
    return len(list(ox.parse_query_results(body, format=fmt.writer)))


@pytest.mark.parametrize("fmt", SOLUTION_FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize("limit", [0, 1, 2, 77, N - 1, N, N + 1])
def test_cut_at_exactly_the_limit(tricky_store, fmt, limit):
    body, cut = R.serialize(tricky_store.query(QUERY), fmt, limit,
                            truncation_link="http://h/limits")
    assert cut == (limit < N)
    assert _rows(body, fmt) == min(limit, N)
    if not cut:
        assert body == tricky_store.query(QUERY).serialize(format=fmt.writer)


@pytest.mark.parametrize("fmt", SOLUTION_FORMATS, ids=lambda f: f.name)
def test_counting_does_not_depend_on_chunk_boundaries(tricky_store, fmt):
    full = tricky_store.query(QUERY).serialize(format=fmt.writer)
    rng = random.Random(3)
    for limit in (5, 600, N - 1, N):
        counter = R._COUNTERS[fmt.writer](limit)
        pos = 0
        try:
            while pos < len(full):
                step = rng.randint(1, 64)
                counter.write(full[pos:pos + step])
                pos += step
        except R._LimitReached:
            pass
        assert (counter.cut is not None) == (limit < N)
        if counter.cut is not None:
            assert _rows(counter.result(), fmt) == limit


@pytest.mark.parametrize("fmt", SOLUTION_FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize("query, rows", [("SELECT * {}", 1), ("SELECT ?x { FILTER(false) }", 0),
                                         ("SELECT * {} VALUES ?x { 1 2 3 }", 3),
                                         ("SELECT ?y {} VALUES ?x { 1 2 3 }", 3)])
def test_edge_shapes(fmt, query, rows):
    store = ox.Store()
    body, cut = R.serialize(store.query(query), fmt, 2, truncation_link="http://h/limits")
    assert cut == (rows > 2)
    if fmt.name in ("json", "xml", "tsv"):
        assert _rows(body, fmt) == min(rows, 2)


def test_ask_is_never_cut():
    body, cut = R.serialize(ox.Store().query("ASK {}"), R.FORMATS[0], 0)
    assert body == b'{"head":{},"boolean":true}' and not cut


RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
SPACES = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "xsd": XSD,
          "ex": "http://example.org/", "c": "http://example.org/class/",
          "t": "http://example.org/thing/"}


def _typed_thing_with(lexical: str, datatype: str) -> list[ox.Triple]:
    """t:a a c:C ; ex:p "lexical"^^xsd:datatype ."""
    thing = ox.NamedNode(SPACES["t"] + "a")
    return [ox.Triple(thing, RDF_TYPE, ox.NamedNode(SPACES["c"] + "C")),
            ox.Triple(thing, ox.NamedNode(SPACES["ex"] + "p"),
                      ox.Literal(lexical, datatype=ox.NamedNode(XSD + datatype)))]


@pytest.mark.parametrize("datatype, lexical, bare", [
    ("integer", "23", True), ("integer", " 23", False), ("decimal", "1.5", True),
    ("decimal", "1", False), ("double", "1E3", True), ("double", "INF", False),
    ("boolean", "true", True), ("boolean", "1", False), ("date", "1979-01-07", False),
])
def test_turtle_declares_no_prefix_it_writes_without(datatype, lexical, bare):
    """rdf:type is written "a" and numbers and booleans in the grammar's forms bare: neither
    needs rdf: or xsd:, and a Turtle document that declares them does not use them."""
    from kgtest import unused_prefixes

    triples = _typed_thing_with(lexical, datatype)
    for syntax in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        used = R.used_prefixes(triples, SPACES, syntax=syntax)
        assert set(used) == ({"t", "ex", "c"} if bare else {"t", "ex", "c", "xsd"})
        text = R.write_triples(triples, syntax, SPACES).decode()
        assert not unused_prefixes(text), text
    # with no syntax named, every IRI and datatype counts
    assert set(R.used_prefixes(triples, SPACES)) == {"rdf", "xsd", "t", "ex", "c"}


def test_rdf_xml_declares_only_the_namespaces_of_its_element_names():
    """RDF/XML writes predicates and types as element names; subjects, other objects and
    datatypes are attribute values, written in full."""
    triples = _typed_thing_with("1979-01-07", "date")
    used = R.used_prefixes(triples, SPACES, syntax=ox.RdfFormat.RDF_XML)
    assert set(used) == {"rdf", "ex", "c"}  # rdf: RDF/XML's own (rdf:about, rdf:type)


def test_a_tsv_body_without_its_last_newline_keeps_the_writers_order():
    """Reordering splits TSV at newlines, each ending a row: a body whose last row has none
    is not reordered, rather than losing that row."""
    from kg.endpoint.results import reorder_columns

    tsv = ox.QueryResultsFormat.TSV
    assert reorder_columns(b"?a\t?b\n2\t1\n", tsv, ["a", "b"], ["b", "a"]) == b"?b\t?a\n1\t2\n"
    assert reorder_columns(b"?a\t?b\n2\t1", tsv, ["a", "b"], ["b", "a"]) == b"?a\t?b\n2\t1"
