"""The embedded store: loading dataset files, the union default graph, dataset narrowing."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from conftest import TINY_DATASET
from kg.errors import InputError, ParseError
from kg.store import DatasetStore, rdf_format_for, rows_of_each

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
    # One wording for every RDF file kg reads (the build, kg validate, kg serve --dataset):
    assert str(caught.value).startswith(f"{bad}:1:") and "Turtle syntax error: " in str(
        caught.value) and "Parser error at" not in str(caught.value)


#: An IRI pyoxigraph's parser refuses (a bad percent escape) and lets through when lenient.
BAD_IRI_QUAD = "<http://e/s> <http://e/p> <http://e/%zz> <http://e/g> .\n"


def test_only_the_builds_own_output_is_parsed_leniently(tmp_path):
    path = tmp_path / "kg.nq"
    path.write_text(BAD_IRI_QUAD)
    with pytest.raises(ParseError, match="percent encoding"):
        DatasetStore.load(path)
    assert len(DatasetStore.load(path, lenient=True)) == 1


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


ENTITIES = "https://w3id.org/kg1978/graph/entities"
INFERRED = "https://w3id.org/kg1978/graph/inferred"
IN_GRAPHS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.mark.parametrize("query, kwargs, n", [
    (f"SELECT (COUNT(*) AS ?n) FROM <{ENTITIES}> FROM <{ENTITIES}> WHERE {{ ?s ?p ?o }}",
     {"has_dataset_clause": True}, 10),
    (f"PREFIX g: <https://w3id.org/kg1978/graph/>\nSELECT (COUNT(*) AS ?n) FROM g:entities "
     f"FROM <{ENTITIES}> FROM g:entities FROM <{INFERRED}> WHERE {{ ?s ?p ?o }}",
     {"has_dataset_clause": True}, 14),
    (f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ENTITIES}> FROM NAMED <{ENTITIES}> "
     "WHERE { GRAPH ?g { ?s ?p ?o } }", {"has_dataset_clause": True}, 10),
    (COUNT, {"default_graph": [ENTITIES, ENTITIES]}, 10),
    (COUNT, {"default_graph": [ENTITIES, INFERRED, ENTITIES]}, 14),
    (IN_GRAPHS, {"named_graphs": [ENTITIES, ENTITIES]}, 10),
    (IN_GRAPHS, {"default_graph": [INFERRED], "named_graphs": [ENTITIES, INFERRED, ENTITIES]},
     14),
], ids=["FROM twice", "FROM thrice, prefixed", "FROM NAMED twice", "default-graph-uri twice",
        "default-graph-uri thrice", "named-graph-uri twice", "named-graph-uri thrice"])
def test_a_graph_named_twice_is_in_the_dataset_once(tiny_store, query, kwargs, n):
    """SPARQL 1.1 Query 13.2: the default graph is the RDF merge of the FROM graphs, the named
    graphs a set (pyoxigraph 0.5.13 alone matched a graph listed twice twice: 20, not 10)."""
    assert _n(tiny_store, query, **kwargs) == n


def test_a_graph_named_twice_in_plain_semantics_is_there_once():
    plain = DatasetStore.load(TINY_DATASET, union_default_graph=False)
    q = f"SELECT (COUNT(*) AS ?n) FROM <{ENTITIES}> FROM <{ENTITIES}> WHERE {{ ?s ?p ?o }}"
    assert _n(plain, q) == 10


def test_from_clauses_not_read_here_are_left_to_the_engine(tiny_store):
    """An undeclared prefix, a relative IRI without a base, an IRI the engine refuses: the
    engine's own message, with its line and column, not a guess at the dataset."""
    for query in (f"SELECT * FROM <{ENTITIES}> FROM nope:g WHERE {{ ?s ?p ?o }}",
                  "SELECT * FROM <g1> WHERE { ?s ?p ?o }",
                  f"SELECT * FROM <{ENTITIES}> FROM NAMED <http://e/%zz> WHERE {{ ?s ?p ?o }}"):
        with pytest.raises(ParseError) as caught:
            tiny_store.query(query, has_dataset_clause=True)
        assert caught.value.line == 1 and caught.value.column is not None


def test_parse_error_has_line_and_column(tiny_store):
    with pytest.raises(ParseError) as caught:
        tiny_store.query("SELECT *\nWHERE { ?s ?p }")
    assert caught.value.line == 2 and caught.value.column is not None
    assert caught.value.http_status == 400


def test_invalid_graph_iri_is_an_input_error(tiny_store):
    with pytest.raises(InputError):
        tiny_store.query(COUNT, default_graph=["not an iri"])


# -- a default graph of several graphs is their RDF merge -------------------------------------

G1, G2, G3 = "http://e/g1", "http://e/g2", "http://e/g3"
SHARED = f"""<http://e/s> <http://e/p> "10"^^<http://www.w3.org/2001/XMLSchema#integer> <{G1}> .
<http://e/s> <http://e/p> "10"^^<http://www.w3.org/2001/XMLSchema#integer> <{G2}> .
<http://e/s> <http://e/p> "5"^^<http://www.w3.org/2001/XMLSchema#integer> <{G2}> .
<http://e/s> <http://e/q> <http://e/o> <{G3}> .
<http://e/s> <http://e/q> <http://e/o> .
"""
SUM = "SELECT (COUNT(*) AS ?n) (SUM(?o) AS ?total) WHERE { ?s <http://e/p> ?o }"


@pytest.fixture
def shared() -> DatasetStore:
    store = ox.Store()
    store.load(input=SHARED.encode(), format=ox.RdfFormat.N_QUADS)
    return DatasetStore(store)


def _count_and_total(store: DatasetStore, query: str, **kwargs) -> tuple[int, int]:
    row = next(iter(store.query(query, **kwargs)))
    return int(row["n"].value), int(row["total"].value)


def test_the_union_holds_a_shared_triple_once(shared):
    """Oxigraph issue #1919: pyoxigraph up to 0.5.13 alone counts the shared triple twice
    (COUNT 3, SUM 25). Not asserted here: a release with the fix must not fail the suite."""
    assert _count_and_total(shared, SUM) == (2, 15)
    assert _n(shared, COUNT) == 3
    assert (shared.quad_count, shared.triple_count) == (5, 3)
    assert shared.shared_pairs == {frozenset((G1, G2)), frozenset(("", G3))}


def test_shared_triples_are_found_whichever_graph_is_largest():
    """The largest graph is looked up, not scanned (kg.store._shared_pairs): its pairs with
    the others are found from their side, a graph named by a blank node's too."""
    big = "".join(f"<http://e/s{i}> <http://e/p> <http://e/o> <{G3}> .\n" for i in range(5))
    store = ox.Store()
    store.load(input=(big + f"""<http://e/s1> <http://e/p> <http://e/o> <{G1}> .
<http://e/x> <http://e/p> <http://e/o> <{G1}> .
<http://e/x> <http://e/p> <http://e/o> _:g .
<http://e/y> <http://e/p> <http://e/o> _:g .
<http://e/z> <http://e/p> <http://e/o> <{G2}> .
<http://e/s4> <http://e/p> <http://e/o> .
""").encode(), format=ox.RdfFormat.N_QUADS)
    shared = DatasetStore(store)
    blank = next(str(g) for g in store.named_graphs() if isinstance(g, ox.BlankNode))
    assert shared.shared_pairs == {frozenset((G1, G3)), frozenset((G1, blank)),
                                   frozenset(("", G3))}
    assert shared.quad_count == 11 and shared.triple_count == 8


def test_graph_patterns_see_the_graphs_not_the_merge(shared):
    assert shared.named_graphs == (G1, G2, G3)
    graphs = {r["g"].value for r in shared.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")}
    assert graphs == {G1, G2, G3}
    assert _n(shared, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }") == 4
    # Internal queries telling the graphs apart: the store's own default graph, the named ones.
    rows = shared.query("SELECT ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                        has_dataset_clause=True)
    assert sorted(str(r["g"]) for r in rows) == sorted(["None", f"<{G1}>", f"<{G2}>", f"<{G2}>",
                                                        f"<{G3}>"])


@pytest.mark.parametrize("how", ["FROM", "FROM with a prefix", "protocol"])
def test_several_default_graphs_are_merged(shared, how):
    if how == "protocol":
        kwargs = {"default_graph": [G1, G2], "named_graphs": [G3]}
        query = SUM
    else:
        kwargs = {"has_dataset_clause": True}
        query = (SUM.replace("WHERE", f"FROM <{G1}> FROM <{G2}> FROM NAMED <{G3}> WHERE")
                 if how == "FROM" else
                 "PREFIX e: <http://e/>\n" + SUM.replace(
                     "WHERE", "FROM e:g1 # the first\n FROM\te:g2 FROM NAMED e:g3 WHERE"))
    assert _count_and_total(shared, query, **kwargs) == (2, 15)
    graphs = query.replace(SUM[SUM.index("SELECT"):SUM.index("WHERE")],
                           "SELECT DISTINCT ?g ").replace("?s <http://e/p> ?o",
                                                         "GRAPH ?g { ?s ?q ?o }")
    assert [r["g"].value for r in shared.query(graphs, **kwargs)] == [G3]


def test_graphs_named_twice_are_merged_once(shared):
    query = SUM.replace("WHERE", f"FROM <{G2}> FROM <{G1}> FROM <{G2}> WHERE")
    assert _count_and_total(shared, query, has_dataset_clause=True) == (2, 15)
    assert _count_and_total(shared, SUM, default_graph=[G1, G1]) == (1, 10)
    assert _count_and_total(shared, SUM, default_graph=[G1, G2, G1, G2]) == (2, 15)
    assert len(shared._merges) == 2  # the union's, and G1 + G2's (G1 twice is G1: no merge)


def test_relative_from_iris_are_merged_too(shared):
    query = SUM.replace("WHERE", "FROM <g1> FROM <g2> WHERE")
    assert _count_and_total(shared, "BASE <http://e/>\n" + query, has_dataset_clause=True) == (
        2, 15)
    assert _count_and_total(shared, query, has_dataset_clause=True, base_iri="http://e/x") == (
        2, 15)


def test_named_graphs_alone_leave_the_default_graph_empty(shared):
    assert _n(shared, COUNT, named_graphs=[G1, G2]) == 0
    assert _n(shared, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }",
              named_graphs=[G1, G2]) == 3


def test_graphs_sharing_nothing_are_queried_as_they_are(shared):
    assert shared._merge_of([G1, G3]) is None
    q = f"SELECT (COUNT(*) AS ?n) FROM <{G1}> FROM <{G3}> WHERE {{ ?s ?p ?o }}"
    assert _n(shared, q, has_dataset_clause=True) == 2
    assert _n(shared, COUNT, default_graph=[G1, G3]) == 2
    assert len(shared._merges) == 1  # the union's only


def test_merges_of_requests_are_bounded(shared, monkeypatch):
    monkeypatch.setattr("kg.store._MAX_MERGES", 1)
    store = shared._store
    for graphs in ([G1, G2], [G1, G2, G3], [G2, G1, "http://e/absent"]):
        assert _count_and_total(shared, SUM, default_graph=graphs) == (2, 15)
    assert len(shared._merges) == 2  # the union's, and the last one asked for
    merges = {g.value for g in store.named_graphs() if g.value.startswith("urn:x-kg:merge:")}
    assert merges == {g.value for g in shared._merges.values()}


def test_a_store_of_one_graph_looks_for_nothing():
    store = DatasetStore.from_quads([ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"),
                                             ox.Literal("o"), ox.NamedNode(G1))])
    assert store.shared_pairs == frozenset() and store._merges == {}
    assert store.triple_count == store.quad_count == 1


def test_plain_semantics_make_no_union_merge():
    store = ox.Store()
    store.load(input=SHARED.encode(), format=ox.RdfFormat.N_QUADS)
    plain = DatasetStore(store, union_default_graph=False)
    assert plain._merges == {} and len(store) == 5
    assert _n(plain, COUNT) == 1  # the store's own default graph
    assert plain.triple_count == 3


def test_a_graph_named_by_a_blank_node_is_merged_and_still_seen():
    triple = "<http://e/s> <http://e/p> <http://e/o>"
    store = ox.Store()
    store.load(input=f"{triple} _:b .\n{triple} <{G1}> .\n".encode(), format=ox.RdfFormat.N_QUADS)
    both = DatasetStore(store)
    assert _n(both, COUNT) == 1
    assert _n(both, "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }") == 2


def test_the_built_dataset_is_served_with_its_literals_as_written(dataset):
    """The store keeps literals in canonical form ("05"^^xsd:integer comes back as "5", an
    xsd:negativeInteger as an xsd:integer: W3C csv03/tsv03). The dump and /sparql must give
    the same terms (README), so every literal of kg.nq is served as written."""
    written = {q.object for q in ox.parse(path=str(dataset), format=ox.RdfFormat.N_QUADS)
               if isinstance(q.object, ox.Literal)}
    store = DatasetStore.load(dataset, lenient=True)
    served = {row["o"] for row in store.select(
        "SELECT DISTINCT ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isLITERAL(?o)) }")}
    assert written and served == written, sorted(map(str, served ^ written))[:10]


def test_the_store_canonicalises_literals():
    """Why the test above can fail: what the store does to a literal that is not canonical."""
    store = DatasetStore.from_quads([ox.Quad(
        ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"),
        ox.Literal("05", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.NamedNode("http://e/g"))])
    [row] = store.select("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert row["o"].value == "5"


@pytest.mark.parametrize("threads", [1, 2, 5])
def test_rows_of_each_answers_in_the_order_of_the_queries(threads):
    """kg.store.rows_of_each: each query's variables and rows, in the queries' order, however
    many run at a time; a query that fails raises its error to the caller."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o")))
    queries = [f"SELECT ?o{i} (STR({i}) AS ?n) WHERE {{ ?s ?p ?o{i} }}" for i in range(12)]
    answers = list(rows_of_each(store, queries, threads))
    assert [names for names, _ in answers] == [[f"o{i}", "n"] for i in range(12)]
    assert [[(r[0].value, r[1].value) for r in rows] for _, rows in answers] == [
        [("o", str(i))] for i in range(12)]
    with pytest.raises(SyntaxError):
        list(rows_of_each(store, [queries[0], "SELECT nothing", queries[1]], threads))


def test_gc_paused_nests_and_gives_the_collector_back_as_it_was():
    """kg.store.gc_paused: no collection inside (a collection in a worker thread would free
    the main thread's pyoxigraph results there, which pyoxigraph refuses); nested or
    overlapping blocks turn it back on only when the last ends, and only if it was on."""
    import gc

    from kg.store import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()


def test_merges_forget_the_oldest_one_and_its_graph_never_the_union(monkeypatch):
    """Not a :class:`~kg.endpoint.bounded_cache.BoundedCache` (which forgets every entry at
    its bound): a merge is a graph in the store, so the one forgotten is removed from it, one
    at a time, the oldest made first (a hit does not renew it); and the union's, made at load
    (seconds on the built graph) and asked for by every query, is never forgotten nor counted."""
    monkeypatch.setattr("kg.store._MAX_MERGES", 2)
    g4 = "http://e/g4"
    store = ox.Store()
    store.load(input="".join(f'<http://e/s> <http://e/p> "1" <{g}> .\n'
                             for g in (G1, G2, G3, g4)).encode(), format=ox.RdfFormat.N_QUADS)
    four = DatasetStore(store)
    union = four._union
    made = [four._merge_of(graphs) for graphs in ([G1, G2], [G1, G3], [G2, G1], [G1, g4])]
    assert made[0] == made[2]  # a hit
    assert set(four._merges) == {(G1, G3), (G1, g4), tuple(sorted(["", G1, G2, G3, g4]))}
    assert four._union == union and union in four._merges.values()
    in_store = {g for g in store.named_graphs() if g.value.startswith("urn:x-kg:merge:")}
    assert in_store == set(four._merges.values()) and made[0] not in in_store
    assert _n(four, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == 1


def test_a_dataset_file_with_an_external_dtd_entity_is_refused_plainly(tmp_path):
    """``kg serve --dataset x.rdf`` (:meth:`DatasetStore.load`) of an RDF/XML file naming a
    file in its DTD got pyoxigraph's "<!ENTITY values should be enclosed in double quotes", a
    mistake the file had not made: it says what kg validate says, at the declaration's line."""
    path = tmp_path / "xxe.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "file:///etc/hostname">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        '  <rdf:Description rdf:about="http://e/s"><rdfs:label>&e;</rdfs:label>'
        "</rdf:Description>\n</rdf:RDF>\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        DatasetStore.load(path)
    assert raised.value.line == 2 and "external DTD entities are refused" in str(raised.value)
    assert "double quotes" not in str(raised.value)


def test_the_store_keeps_the_digest_of_the_bytes_it_loaded(tmp_path):
    """What build-info.json must record to vouch for what is served: the file may be rewritten
    after loading (kg.endpoint.validation reads the record with it)."""
    import hashlib

    path = tmp_path / "d.nq"
    path.write_bytes(b"<urn:a> <urn:b> <urn:c> <urn:g> .\n")
    loaded = hashlib.sha256(path.read_bytes()).hexdigest()
    store = DatasetStore.load(path)
    path.write_bytes(b"<urn:x> <urn:y> <urn:z> .\n")
    assert store.sha256 == loaded
    assert DatasetStore.from_quads([]).sha256 is None
