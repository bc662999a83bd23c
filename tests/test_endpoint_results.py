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
