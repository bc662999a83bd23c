"""The embedded store: loading dataset files, the union default graph, dataset narrowing."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from conftest import TINY_DATASET
from kg.errors import InputError, ParseError
from kg.store import DatasetStore, rdf_format_for

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _n(store: DatasetStore, query: str, **kwargs) -> int:
    return int(next(iter(store.query(query, **kwargs)))["n"].value)


def test_loads_named_graphs(tiny_store):
    assert len(tiny_store) == 23
    assert tiny_store.named_graphs == (
        "https://w3id.org/kg1978/graph/entities", "https://w3id.org/kg1978/graph/inferred",
        "https://w3id.org/kg1978/graph/ontology")


def test_default_graph_is_the_union(tiny_store):
    assert _n(tiny_store, COUNT) == 23


def test_plain_semantics_when_asked():
    store = DatasetStore.load(TINY_DATASET, union_default_graph=False)
    assert _n(store, COUNT) == 0


@pytest.mark.parametrize("suffix, fmt", [(".nq", ox.RdfFormat.N_QUADS),
                                         (".trig", ox.RdfFormat.TRIG),
                                         (".ttl", ox.RdfFormat.TURTLE),
                                         (".nt", ox.RdfFormat.N_TRIPLES),
                                         (".rdf", ox.RdfFormat.RDF_XML),
                                         (".jsonld", ox.RdfFormat.JSON_LD)])
def test_any_rdf_file(tmp_path, suffix, fmt):
    assert rdf_format_for(f"x{suffix}") == fmt
    quads = [ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o"))]
    path = tmp_path / f"data{suffix}"
    path.write_bytes(ox.serialize(quads if fmt.supports_datasets else [q.triple for q in quads],
                                  format=fmt))
    store = DatasetStore.load(path)
    # Triples of a triple format land in the default graph, which the union includes.
    assert _n(store, COUNT) == 1


def test_bad_files(tmp_path):
    with pytest.raises(InputError, match="no such dataset file"):
        DatasetStore.load(tmp_path / "missing.nq")
    with pytest.raises(InputError, match="unknown RDF file extension"):
        rdf_format_for("x.csv")
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://e/s> <http://e/p> .\n")
    with pytest.raises(ParseError) as caught:
        DatasetStore.load(bad)
    assert caught.value.line == 1 and str(bad) in str(caught.value)


def test_protocol_dataset_overrides(tiny_store):
    entities = "https://w3id.org/kg1978/graph/entities"
    assert _n(tiny_store, COUNT, default_graph=[entities]) == 10
    assert _n(tiny_store, COUNT, named_graphs=[entities]) == 0
    assert _n(tiny_store, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }",
              named_graphs=[entities]) == 10
    assert _n(tiny_store, COUNT, default_graph=["http://example.org/absent"]) == 0


def test_from_is_not_overridden_by_the_union(tiny_store):
    q = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/kg1978/graph/inferred> { ?s ?p ?o }"
    assert _n(tiny_store, q, has_dataset_clause=True) == 4


def test_parse_error_has_line_and_column(tiny_store):
    with pytest.raises(ParseError) as caught:
        tiny_store.query("SELECT *\nWHERE { ?s ?p }")
    assert caught.value.line == 2 and caught.value.column is not None
    assert caught.value.http_status == 400


def test_invalid_graph_iri_is_an_input_error(tiny_store):
    with pytest.raises(InputError):
        tiny_store.query(COUNT, default_graph=["not an iri"])
