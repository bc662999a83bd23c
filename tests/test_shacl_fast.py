"""kg.shacl_fast against pySHACL: the same results on the same graph (issue 5, SHACL at scale).

Each graph is closed the way the build closes it (kg.validate.closure_view), then validated by
pySHACL (kg.validate.validate) and by the compiled SPARQL in a pyoxigraph store holding the same
view; the two lists of results must be equal as multisets, message text included. Blank nodes
are compared as blank (their labels differ between rdflib and the store). On the shape
fixtures, pySHACL's report is the one recorded while nothing it depends on has changed
(tests/pyshacl_records.py); pySHACL runs where the record is stale.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, SH, SKOS

import pyshacl_records as pyshacl_records_module
from kg.errors import ConfigError
from kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH
from kg.load import load_sources, parse_file
from kg.shacl_fast import (
    OBJECTS_OF,
    PREDICATES_IN,
    UnsupportedShapes,
    compile_shapes,
    read_predicates,
    shape_predicates,
    validate_store,
    view_and_overlap,
    view_store,
    written_otherwise,
)
from kg.validate import Report, closure_view, validate, validate_with, validation_view
from pyshacl_records import _blank, comparable

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "shapes"
KGO = "https://w3id.org/kg1978/ontology/"
SHAPES = "https://w3id.org/kg1978/shapes/"


def store_of(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def assert_same(view: Graph, shapes: Graph,
                recorded: tuple[bool, list[tuple]] | None = None) -> Report:
    """kg.shacl_fast's report on ``view`` is pySHACL's: pySHACL's (conforms, comparable
    results) as ``recorded`` (tests/pyshacl_records.py), or pySHACL run here."""
    if recorded is None:
        reference = validate(view, shapes)
        recorded = bool(reference.conforms), comparable(reference)
    conforms, expected = recorded
    # the literals the store keeps in another datatype ("300"^^xsd:int as an xsd:integer), as
    # kg.validate.validate_with gives them to it
    fast = validate_store(store_of(view), shapes, written=written_otherwise(view))
    got = comparable(fast)
    missing = [r for r in expected if r not in got]
    extra = [r for r in got if r not in expected]
    assert expected == got, f"pySHACL only: {missing}\nfast only: {extra}"
    assert fast.conforms == conforms
    # the build validates only the triples whose predicate the shapes can read: same report
    predicates = read_predicates(shapes, store_of(view))
    assert predicates is not None
    narrow = Graph()
    for triple in view.triples((None, None, None)):
        if str(triple[1]) in predicates:
            narrow.add(triple)
    assert len(narrow) < len(view)
    assert comparable(validate_store(store_of(narrow), shapes,
                                     written=written_otherwise(view))) == expected
    return fast


# ---------------------------------------------------------------- the project graph


def test_project_graph_conforms_under_both(shapes):
    view = closure_view(load_sources(ROOT).union())
    assert assert_same(view, shapes).conforms


# ---------------------------------------------------------------- every fixture


FIXTURE_FILES = sorted(FIXTURES.glob("*.ttl"))
#: Fixtures no shape an engine runs fails: the clean one, that of kg.vocabularies' warning
#: (added to the report above the engines; tests/test_vocabularies.py) and that of a prefix
#: declared again (kg.validate.with_prefix_warnings reads the file's text; tests/test_shapes.py)
ENGINES_FIND_NOTHING = {"valid", "vocabulary-term-misspelt", "prefix-declared-again"}
#: Fixtures of the shapes at sh:Warning: reported, and the data conforms
WARNINGS_ONLY = {"altlabel-language-unused", "event-date-implausible",
                 "geometry-outside-indochina"}


@pytest.fixture(scope="module")
def pyshacl_records() -> tuple[dict, str]:
    """The recorded pySHACL reports, and the key's part shared by every fixture."""
    return pyshacl_records_module.load(), pyshacl_records_module.shared_key()


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[p.stem for p in FIXTURE_FILES])
def test_fixture_same_results(path, ontology, shapes, pyshacl_records, record_property):
    """pySHACL's report is the fixture's record where its key is the fixture's now
    (tests/pyshacl_records.py); pySHACL runs where it is not, and the run's summary says so."""
    recorded = pyshacl_records_module.recorded(path, *pyshacl_records)
    if recorded is None:
        record_property("stale_pyshacl_record", path.stem)
    report = assert_same(closure_view(parse_file(path) + ontology), shapes, recorded)
    assert report.conforms == (path.stem in ENGINES_FIND_NOTHING | WARNINGS_ONLY)
    assert bool(report.results) == (path.stem not in ENGINES_FIND_NOTHING)
    if path.stem in WARNINGS_ONLY:
        assert {r.severity for r in report.results} == {"Warning"}


def _copy_of_what_the_key_reads(root: Path) -> Path:
    for folder in ("ontology", "shapes"):
        shutil.copytree(ROOT / folder, root / folder)
    for module in pyshacl_records_module.KG_MODULES:
        (root / "src" / "kg" / module).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "src" / "kg" / module, root / "src" / "kg" / module)
    for query in (ROOT / "src" / "kg" / "qc").glob("*.rq"):
        shutil.copy(query, root / "src" / "kg" / "qc" / query.name)
    (root / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "pyshacl_records.py", root / "tests")
    fixture = root / "adjacency-without-statement.ttl"
    shutil.copy(FIXTURES / fixture.name, fixture)
    return fixture


INT = "http://www.w3.org/2001/XMLSchema#int"


def test_a_datatype_the_store_keeps_as_another_is_checked_as_written(ontology, shapes):
    """sh:datatype is an exact match of the datatype IRI (SHACL 4.2.2): "300"^^xsd:int is no
    xsd:integer, as pySHACL has it. A pyoxigraph store keeps the value as an xsd:integer, so
    the store alone conforms (what this engine reported before); given what the data writes
    (kg.shacl_fast.written_otherwise), it reports the value as written."""
    view = closure_view(parse_file(FIXTURES / "figure-value-int.ttl") + ontology)
    assert not validate_store(store_of(view), shapes).results  # the store's own reading
    report = validate_store(store_of(view), shapes, written=written_otherwise(view))
    assert [(r.focus, r.value, r.shape) for r in report.results] == [
        ("https://w3id.org/kg1978/figure/killed", f'"300"^^<{INT}>',
         f"{SHAPES}QuantityExactValueShape")]
    # a value the data writes as an xsd:integer elsewhere is not taken for the xsd:int one
    view.add((URIRef("https://w3id.org/kg1978/figure/killed"), RDFS.comment,
              Literal("300", datatype=URIRef(INT))))
    assert len(validate_store(store_of(view), shapes,
                              written=written_otherwise(view)).results) == 1


def test_a_blank_node_s_value_the_store_keeps_as_another_is_checked_as_written(shapes):
    """The view names blank nodes anew: a blank node's literal is found by its value."""
    data = Graph()
    data.parse(data=f"""
        @prefix kgo: <{KGO}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        [] a kgo:Passage ; rdfs:label "P"@en ; kgo:passageNumber "3"^^xsd:long .""",
        format="turtle")
    view = closure_view(data)
    report = validate_store(store_of(view), shapes, written=written_otherwise(view))
    found = [(r.path, r.value) for r in report.results
             if r.constraint == f"{SH}DatatypeConstraintComponent"]
    assert found == [(f"{KGO}passageNumber", '"3"^^<http://www.w3.org/2001/XMLSchema#long>')]
    assert comparable(report) == comparable(validate(view, shapes))  # pySHACL's report


def test_a_value_reached_by_a_path_is_checked_as_written():
    """A literal the store keeps as another datatype, reached by a path from another subject
    than the one that writes it (an event's figure's value), is found as written: "300"^^
    xsd:int fails sh:datatype xsd:integer, as pySHACL has it; a value written as an
    xsd:integer on a node the path does not reach is not taken for it."""
    shapes = Graph().parse(format="turtle", data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix kgo: <{KGO}> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <urn:kg:test:FigureValueShape> a sh:NodeShape ; sh:targetClass kgo:Event ;
            sh:property [ sh:path (kgo:hasFigure kgo:exactValue) ; sh:datatype xsd:integer ;
                          sh:message "a figure's value is an xsd:integer" ] ;
            sh:property [ sh:path ([ sh:oneOrMorePath kgo:subEventOf ] kgo:hasFigure
                                   [ sh:alternativePath (kgo:exactValue kgo:atLeast) ]) ;
                          sh:datatype xsd:integer ;
                          sh:message "a whole's figure's value is an xsd:integer" ] .""")
    data = Graph().parse(format="turtle", data=f"""
        @prefix kgo: <{KGO}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/kg1978/event/war> a kgo:Event ;
            kgo:hasFigure <https://w3id.org/kg1978/figure/killed> .
        <https://w3id.org/kg1978/event/battle> a kgo:Event ;
            kgo:subEventOf <https://w3id.org/kg1978/event/war> .
        <https://w3id.org/kg1978/figure/killed> kgo:exactValue "300"^^xsd:int .
        <https://w3id.org/kg1978/figure/other> kgo:atLeast "300"^^xsd:int .
        <https://w3id.org/kg1978/event/elsewhere> a kgo:Event ;
            kgo:hasFigure <https://w3id.org/kg1978/figure/counted> .
        <https://w3id.org/kg1978/figure/counted> kgo:exactValue 300 .""")
    report = validate_store(store_of(data), shapes, written=written_otherwise(data))
    assert sorted((r.focus.rpartition("/")[2], r.value, r.message.partition(";")[0])
                  for r in report.results) == [
        ("battle", f'"300"^^<{INT}>', "a whole's figure's value is an xsd:integer"),
        ("war", f'"300"^^<{INT}>', "a figure's value is an xsd:integer")]
    assert comparable(report) == comparable(validate(data, shapes))  # pySHACL's report


def test_a_pyshacl_record_s_key_changes_with_each_thing_it_depends_on(tmp_path):
    """A record is only used while nothing pySHACL's report depends on has changed: a byte
    more in the fixture, in a file of the ontology or of the shapes, in a kg module the
    reference path imports, in a QC query or in tests/pyshacl_records.py, or another version
    of a package or of Python, and the key is another."""
    records = pyshacl_records_module
    fixture = _copy_of_what_the_key_reads(tmp_path)
    versions = records.versions()
    assert {"pyshacl", "rdflib", "owlrl", "pyoxigraph"} <= set(versions)

    def key(versions_of=versions) -> str:
        return records.key(fixture, records.shared_key(tmp_path, versions_of))

    before = key()
    assert before == records.key(FIXTURES / "adjacency-without-statement.ttl",
                                 records.shared_key())
    stem = "adjacency-without-statement"
    assert records.recorded(fixture, {stem: {"key": before, "conforms": True,
                                             "results": [["a"]]}},
                            records.shared_key(tmp_path)) == (True, [("a",)])
    files = [fixture, tmp_path / "ontology" / "kg.ttl", tmp_path / "shapes" / "kg-shapes.ttl",
             tmp_path / "tests" / "pyshacl_records.py",
             *(tmp_path / "src" / "kg" / m for m in records.KG_MODULES),
             next((tmp_path / "src" / "kg" / "qc").glob("*.rq"))]
    for path in files:
        text = path.read_bytes()
        path.write_bytes(text + b"\n")
        assert key() != before, path
        path.write_bytes(text)
        assert key() == before
    (tmp_path / "shapes" / "more.ttl").write_bytes(b"")
    assert key() != before
    (tmp_path / "shapes" / "more.ttl").unlink()
    for name in versions:
        assert key({**versions, name: versions[name] + ".1"}) != before, name
    assert records.recorded(fixture, {stem: {"key": before, "conforms": True,
                                             "results": []}},
                            records.shared_key(tmp_path, {})) is None
    assert records.recorded(fixture, {}, records.shared_key(tmp_path)) is None


def test_a_pyshacl_record_s_key_reads_every_module_the_reference_path_imports():
    """What a fresh process imports to parse a fixture, close it and run pySHACL on it:
    each kg module and each package among those the key reads."""
    script = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        "import pyshacl_records as r\n"
        "from kg.iris import ONTOLOGY_GRAPH\n"
        "from kg.load import load_shapes, load_sources\n"
        "r.reference(r.FIXTURES / 'adjacency-without-statement.ttl',\n"
        "            load_sources(r.REPO).graphs[ONTOLOGY_GRAPH], load_shapes(r.REPO))\n"
        "new = [m for m in sys.modules if m not in before and '.' not in m]\n"
        "src = r.REPO / 'src' / 'kg'\n"
        "print(json.dumps({'kg': sorted(r.Path(sys.modules[m].__file__).relative_to(src)\n"
        "                               .as_posix() for m in sys.modules\n"
        "                               if m.split('.')[0] == 'kg'),\n"
        "                  'site': sorted(m for m in new if 'site-packages' in\n"
        "                                 str(getattr(sys.modules[m], '__file__', '')))}))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])}
    out = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True,
                                    text=True, check=True, env=env, cwd=ROOT).stdout)
    kg = set(out["kg"])
    assert "validate.py" in kg
    assert kg <= set(pyshacl_records_module.KG_MODULES), kg - set(
        pyshacl_records_module.KG_MODULES)
    site = set(out["site"])
    assert "pyshacl" in site
    assert site <= set(pyshacl_records_module.PACKAGES), site - set(
        pyshacl_records_module.PACKAGES)


def test_label_text_same_results(ontology, shapes):
    """kgs:LabelTextShape's white space is SPARQL's \\s, in rdflib's regular expressions and
    in pyoxigraph's: the same results for a tab, a no-break space, an empty label, and one
    result per label, from the constraint that says what is wrong with it."""
    data = parse_file(FIXTURES / "valid.ttl") + ontology
    country = URIRef("https://w3id.org/kg1978/place/country")
    labels = {"": "LabelNotEmpty", " lead": "LabelTrimmed", "tail\u00a0": "LabelTrimmed",
              "two\t\tapart": "LabelSingleSpaced", "one space": None,
              # two spaces at an end are the end's white space: one result, not also "two
              # in a row" (a label with trailing spaces had both)
              "trail  ": "LabelTrimmed", "  lead": "LabelTrimmed"}
    for text in labels:
        data.add((country, SKOS.altLabel, Literal(text, lang="en")))
    report = assert_same(closure_view(data), shapes)
    found = {}
    for node in report.graph.subjects(SH.sourceShape, URIRef(SHAPES + "LabelTextShape")):
        value = str(report.graph.value(node, SH.value))
        constraint = str(report.graph.value(node, SH.sourceConstraint))
        found.setdefault(value, []).append(constraint.removeprefix(SHAPES))
    assert found == {text: [name + "Constraint"] for text, name in labels.items() if name}


def _shapes_with(select: str, more: str = "") -> Graph:
    """One node shape of ex:C with the SPARQL constraint ``select`` (and ``more`` of it)."""
    return Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; {more}
            sh:sparql [ sh:prefixes ex:decl ; sh:select "{select}" ] .
        ex:decl sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/" ] .
        """, format="turtle")


@pytest.mark.parametrize(("select", "bounded"), [
    ("SELECT $this WHERE { $this ?p ?o }", False),
    ("SELECT $this WHERE { ?s ex:p ?o FILTER NOT EXISTS { ?s ?p ?o } }", False),
    ("SELECT $this WHERE { $this ex:a ?p FILTER NOT EXISTS { ?s ?p ?o . ?o ex:b ?w } "
     "FILTER EXISTS { ?o ex:c ?z } }", True),  # ?p: the objects of ex:a
    ("SELECT $this WHERE { $this !ex:n ?o }", False),
    ("SELECT $this WHERE { $this (ex:a/^ex:b)* ?o FILTER EXISTS { ?o ex:c ?z } }", True),
    ("SELECT $this WHERE { $this ex:a", False),  # does not parse
])
def test_shape_predicates(select, bounded):
    shapes = _shapes_with(select, "sh:property [ sh:path ex:q ] ;")
    found = shape_predicates(shapes)
    assert (found is not None) is bounded
    if bounded:
        ex = "http://example.org/"
        assert {ex + "a", ex + "b", ex + "c", ex + "q",
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"} <= found
        assert (OBJECTS_OF + ex + "a" in found) is ("?p" in select)


@pytest.mark.parametrize("select", [
    "SELECT $this WHERE { $this ex:a ?p FILTER NOT EXISTS { ?s ?p ?o . ?o ex:b ?w } }",
    "SELECT $this WHERE { $this ?p ?o }",  # unbounded: kept as such
])
def test_shape_predicates_from_a_cache_are_what_parsing_finds(select, monkeypatch):
    """A cache filled by one call answers the next without parsing (kg.build keeps it in the
    build folder)."""
    import kg.shacl_fast

    shapes = _shapes_with(select, "sh:property [ sh:path ex:q ] ;")
    cache: dict = {}
    found = shape_predicates(shapes, cache)
    assert found == shape_predicates(shapes) and len(cache) == 1

    def parse(*_):
        raise AssertionError("parsed again")

    monkeypatch.setattr(kg.shacl_fast, "_constraint_reads", parse)
    assert shape_predicates(shapes, cache) == found
    with pytest.raises(AssertionError, match="parsed again"):
        shape_predicates(shapes, {})


@pytest.mark.parametrize(("select", "bounded"), [
    ("SELECT $this WHERE { $this ?p ?o FILTER (STRSTARTS(STR(?p), STR(ex:))) }", True),
    ("SELECT $this WHERE { $this ?p ?o FILTER (STRSTARTS(STR(?p), 'http://example.org/')) }",
     True),
    ("SELECT $this WHERE { $this ?p ?o FILTER (isIRI(?o) && STRSTARTS(STR(?p), STR(ex:))) }",
     True),  # a required conjunct
    ("SELECT $this WHERE { $this ?p ?o FILTER (STRSTARTS(STR(?p), STR(ex:)) || isIRI(?o)) }",
     False),  # not required: any predicate may pass
    ("SELECT $this WHERE { $this ?p ?o FILTER (!STRSTARTS(STR(?p), STR(ex:))) }", False),
    ("SELECT $this WHERE { $this ?p ?o FILTER (STRSTARTS(STR(?o), STR(ex:))) }", False),
    ("SELECT $this WHERE { $this ?p ?o FILTER (STRSTARTS(STR(?p), '')) }", False),
    ("SELECT $this WHERE { { $this ?p ?o } UNION "
     "{ $this ex:a ?o FILTER (STRSTARTS(STR(?p), STR(ex:))) } }", False),  # another scope
    ("SELECT $this WHERE { $this ?p ?o . { SELECT $this (COUNT(*) AS ?n) WHERE { $this ?p ?x } "
     "GROUP BY $this } FILTER (STRSTARTS(STR(?p), STR(ex:)) && ?n > 2) }", False),  # sub-SELECT
])
def test_shape_predicates_in_a_namespace(select, bounded):
    """A variable predicate kept in a namespace by a filter around it is bounded: every
    predicate of that namespace is read (kgs:DeclaredPropertyShape's constraint)."""
    shapes = _shapes_with(select)
    found = shape_predicates(shapes)
    assert (found is not None) is bounded
    if bounded:
        assert PREDICATES_IN + "http://example.org/" in found
        predicates = read_predicates(shapes, ox.Store())
        assert "http://example.org/anything" in predicates
        assert "http://example.com/other" not in predicates
        assert predicates.namespaces == ("http://example.org/",)


def test_compiled_shapes_are_kept_for_the_same_shapes_and_subclasses(monkeypatch):
    """validate_store compiles shapes once for the validations after it: again only for shapes
    that differ (a triple more) or data whose subclasses of a target class differ, which change
    the checks; a copy of the graph (the same triples, blank nodes too) is the same shapes."""
    import kg.shacl_fast as sf

    compiled: list[Graph] = []
    compile_ = sf.compile_shapes
    monkeypatch.setattr(sf, "compile_shapes",
                        lambda shapes, sub: compiled.append(shapes) or compile_(shapes, sub))
    select = "SELECT $this WHERE { $this ex:keptCompiled ?o }"

    def focus(data: str, shapes: Graph) -> set[str]:
        graph = Graph().parse(data="@prefix ex: <http://example.org/> . "
                              "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . " + data,
                              format="turtle")
        return {r.focus for r in validate_store(store_of(graph), shapes).results}

    ex = "http://example.org/"
    shapes = _shapes_with(select)
    plain = "ex:a a ex:C ; ex:keptCompiled 1 . ex:b a ex:D ; ex:keptCompiled 2 ."
    assert focus(plain, shapes) == {ex + "a"} and len(compiled) == 1
    assert focus(plain, Graph() + shapes) == {ex + "a"} and len(compiled) == 1
    sub = plain + " ex:D rdfs:subClassOf ex:C ."
    assert focus(sub, shapes) == {ex + "a", ex + "b"} and len(compiled) == 2
    assert focus(plain, shapes) == {ex + "a"} and len(compiled) == 2
    more = _shapes_with(select, "sh:targetNode ex:c ;")
    assert focus(plain + " ex:c ex:keptCompiled 3 .", more) == {ex + "a", ex + "c"}
    assert len(compiled) == 3


def test_predicates_keep_their_namespaces_or_refuse():
    """A union keeps the namespaces (an IRI in one is read); an operator that would return a
    plain set of the IRIs, without them, is refused instead of losing them silently."""
    from kg.shacl_fast import Predicates

    read = Predicates({"urn:x"}, [KGO])
    for union in (read | {"urn:y"}, frozenset({"urn:y"}) | read):
        assert isinstance(union, Predicates)
        assert all(iri in union for iri in ("urn:x", "urn:y", KGO + "p"))
        assert "urn:z" not in union
    for combine in (lambda: read & {"urn:x"}, lambda: read - {"urn:x"},
                    lambda: read ^ {"urn:x"}, lambda: read.union({"urn:y"})):
        with pytest.raises(TypeError, match="namespaces"):
            combine()


def test_build_keeps_every_inference_in_the_ontology_namespace(shapes):
    """The project's shapes read every kgo: predicate (an undeclared one is reported), so the
    narrowed build keeps each kgo: inference, even of a property no shape names."""
    predicates = read_predicates(shapes, store_of(load_sources(ROOT).union()))
    assert predicates is not None and KGO in predicates.namespaces
    assert KGO + "hasSubEvnt" in predicates
    assert "http://schema.org/superEvent" not in predicates


def test_report_graph_names_the_sparql_constraint(ontology, shapes):
    from rdflib.namespace import SH

    view = closure_view(parse_file(FIXTURES / "event-end-without-start.ttl") + ontology)
    report = validate_store(store_of(view), shapes)
    constraint = URIRef("https://w3id.org/kg1978/shapes/EndNeedsStartConstraint")
    assert (None, SH.sourceConstraint, constraint) in report.graph
    assert "end date needs a start date" in report.as_text()


# ---------------------------------------------------------------- generated graphs of our shape


def _bench_reason():
    spec = importlib.util.spec_from_file_location("kg_bench_reason", ROOT / "bench" / "reason.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


INJECTED = f"""
@prefix kgo: <{KGO}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix place: <https://w3id.org/kg1978/place/> .
@prefix event: <https://w3id.org/kg1978/event/> .
place:loop-a a kgo:Province ; rdfs:label "Loop A"@en ; kgo:placeWithin place:loop-b .
place:loop-b a kgo:Province ; rdfs:label "Loop B"@fr ; kgo:placeWithin place:loop-a .
event:twice a kgo:Attack ; rdfs:label "Twice"@en, "Deux fois"@en ;
    kgo:startDate "1978-12-25"^^xsd:date, "1978-12"^^xsd:gYearMonth ;
    kgo:endDate "1978-12-01"^^xsd:date ; kgo:tookPlaceAt "Kratie" .
event:Bad_IRI a kgo:Meeting ; kgo:undatedInSource true .
"""


#: bench/reason.py's smallest graph (about 3,000 triples with the ontology) with the seed that
#: makes every kind of node and triple its 3,000-triple graph of the default seed makes (an
#: event alongRoute a road too), and the same 41 kinds of SHACL result with INJECTED: about
#: two thirds of the triples, so two thirds of pySHACL's time
SMALL_GENERATED = {"triples": 1_000, "seed": 1}


@pytest.fixture(scope="module")
def generated() -> Graph:
    """bench/reason.py's graph (every kind of node it makes: SMALL_GENERATED), with errors."""
    g = _bench_reason().asserted_graph(**SMALL_GENERATED)
    g.parse(data=INJECTED, format="turtle")
    return g


def test_pyshacl_parses_each_constraint_query_once(shapes, monkeypatch):
    """pySHACL hands rdflib a SPARQL constraint's text for every focus node; kg.validate's view
    of the data parses each text once (none twice, and some at all: pySHACL went through it),
    and not again for the next validation."""
    import kg.validate as kv

    texts: list[str] = []
    prepare = kv.prepareQuery
    monkeypatch.setattr(kv, "prepareQuery", lambda q, **kw: texts.append(q) or prepare(q, **kw))
    kv._PREPARED.queries = {}
    # the clean fixture: a focus node for every node shape (test_shapes), so every constraint's
    # text (as many as the project graph's), in a tenth of the project graph's time
    view = closure_view(parse_file(FIXTURES / "valid.ttl") + load_sources(ROOT).graphs[
        ONTOLOGY_GRAPH])
    assert validate(view, shapes).conforms
    assert texts and len(texts) == len(set(texts))
    parsed = len(texts)
    assert validate(view, shapes).conforms and len(texts) == parsed


def test_pyshacl_checks_each_constraint_text_once(monkeypatch):
    """pySHACL checks a SPARQL constraint's text before each focus node's query; kg.validate
    has it check each text once (here: three focus nodes, one search by each pattern), and
    the kept answer is the check's own: a text refused is refused at every validation, and the
    same nested SELECT is refused where ``$value`` may be bound but not where it may not."""
    from pyshacl.errors import ValidationFailure
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    searched: list[str] = []
    pattern = SPARQLQueryHelper.has_minus_regex

    class Counting:
        def search(self, text):
            searched.append(text)
            return pattern.search(text)

    monkeypatch.setattr(SPARQLQueryHelper, "has_minus_regex", Counting())
    select = "SELECT $this WHERE { $this ex:checkedOnce ?o }"
    data = Graph().parse(data="@prefix ex: <http://example.org/> . "
                         + " ".join(f"ex:n{i} a ex:C ; ex:checkedOnce {i} ." for i in range(3)),
                         format="turtle")
    for _ in range(2):
        report = validate(data, _shapes_with(select))
        assert len(report.results) == 3  # each focus node's query did run
    assert sum("checkedOnce" in text for text in searched) == 1

    minus = _shapes_with("SELECT $this WHERE { $this ?p ?o MINUS { $this ex:q ?o } }")
    for _ in range(2):
        with pytest.raises(ConfigError, match="MINUS"):
            validate(data, minus)
    check = SPARQLQueryHelper.check_invalid_sparql
    nested = "SELECT $this WHERE { { SELECT $this WHERE { $this ?p ?o } } }"
    for _ in range(2):
        assert check(None, nested) is True
        with pytest.raises(ValidationFailure, match="pre-bound"):
            check(None, nested, valuenode=URIRef("http://example.org/v"))
        with pytest.raises(ValidationFailure, match="pre-bound"):
            check(None, nested, extravars={"x"})


def test_generated_graph_same_results(generated, shapes):
    report = assert_same(closure_view(generated), shapes)
    assert not report.conforms
    # the kinds of result the 3,000-triple graph gave (SMALL_GENERATED), all compared
    assert len({(r.shape, r.constraint, r.severity) for r in report.results}) == 41
    focus = {r.focus for r in report.results}
    for name in ("place/loop-a", "event/twice", "event/Bad_IRI"):
        assert f"https://w3id.org/kg1978/{name}" in focus


def test_the_benchmark_build_data_conforms(shapes):
    """bench/build.py times kg build on bench/reason.py's conforming data, which must keep up
    with the shapes (a start that says how it ended, a part within its whole's dates: both
    once broke it unnoticed). Small, but with every kind of addition, the twins too."""
    g = _bench_reason().asserted_graph(3_000, conforming=True)
    assert any(str(s).startswith("https://w3id.org/kg1978/event/twin-") for s in g.subjects())
    report = validate_store(store_of(closure_view(g)), shapes)
    assert report.conforms, [(r.focus, r.message) for r in report.results][:10]


def test_view_store_is_the_validation_view():
    """view_store over a store reasoned by materialise_store is kg.validate.validation_view
    (blank nodes, only in the ontology's lists, compared by count)."""
    _assert_view_is_the_validation_view(_bench_reason().asserted_graph(**SMALL_GENERATED))


def _assert_view_is_the_validation_view(asserted: Graph):
    """view_store of ``asserted`` reasoned by materialise_store, against validation_view;
    return the view."""
    from kg.load import rdflib_term
    from kg.materialise import materialise_store
    from kg.reason import infer

    store = ox.Store()
    store.load(asserted.serialize(format="nt", encoding="utf-8"),
               format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:kg:test:asserted"))
    materialise_store(store, ox.NamedNode(str(INFERRED_GRAPH)))
    view = view_store(store, INFERRED_GRAPH)
    got = Graph()
    for q in view:
        got.add(tuple(rdflib_term(t) for t in (q.subject, q.predicate, q.object)))
    expected = validation_view(asserted, infer(asserted))
    assert len(got) == len(expected)
    assert isomorphic(got, expected)
    assert view_and_overlap(store, INFERRED_GRAPH)[1] is False  # no triple in two graphs
    return view


def test_view_store_leaves_out_a_blank_nodes_range_type():
    """The types only rdfs:range gave are left out of the view for a blank node too, as
    validation_view leaves them out: the view names blank nodes anew, so removing them from
    it by the store's name removed nothing (a `[ a kgo:Unit ]` participant then looked like
    a kgo:Actor to the shapes, in kg build and not in kg validate)."""
    view = _assert_view_is_the_validation_view(Graph().parse(format="turtle", data="""
        @prefix x: <urn:x:> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        x:p rdfs:range x:Range . x:Sub rdfs:subClassOf x:Range .
        x:a x:p [ a x:Other ], [ a x:Sub ], x:b . x:b a x:Other ."""))
    assert len(list(view.query("SELECT ?n WHERE { ?n a <urn:x:Range> }"))) == 1  # the Sub


def test_view_store_keeps_a_blank_node_shared_by_two_graphs_one_node():
    """A parser names each document's blank nodes anew: loaded one graph at a time, a blank
    node in two graphs (an ontology's list in one, a statement about it in another) became two
    nodes and the view lost the triples joining them."""
    store = ox.Store()
    store.load(b"""<urn:g:ontology> { <urn:x:C> <urn:x:list> _:b . _:b <urn:x:first> 1 . }
        <urn:g:other> { _:b <urn:x:note> "shared" . }
        _:b <urn:x:rest> <urn:x:nil> .""", format=ox.RdfFormat.TRIG)
    view = view_store(store, INFERRED_GRAPH)
    rows = list(view.query("""SELECT ?n WHERE { <urn:x:C> <urn:x:list> ?n .
        ?n <urn:x:first> 1 ; <urn:x:note> "shared" ; <urn:x:rest> <urn:x:nil> }"""))
    assert len(rows) == 1
    assert len({q.subject for q in view if isinstance(q.subject, ox.BlankNode)}) == 1


@pytest.mark.parametrize(("data", "overlap"), [
    ("<urn:g:a> { <urn:x:s> <urn:x:p> <urn:x:o> . } <urn:g:b> { <urn:x:s> <urn:x:p> <urn:x:o> . }",
     True),
    ("<urn:x:s> <urn:x:p> <urn:x:o> . <urn:g:a> { <urn:x:s> <urn:x:p> <urn:x:o> . }", True),
    (f"<urn:g:a> {{ <urn:x:s> <urn:x:p> <urn:x:o> . }} "
     f"<{INFERRED_GRAPH}> {{ <urn:x:s> <urn:x:p> <urn:x:o> . }}", True),
    ("<urn:g:a> { <urn:x:s> <urn:x:p> <urn:x:o> . } <urn:g:b> { <urn:x:s> <urn:x:p> <urn:x:q> . }",
     False),
    (f"<urn:x:p> <http://www.w3.org/2000/01/rdf-schema#range> <urn:x:C> . "
     f"<urn:g:a> {{ <urn:x:s> <urn:x:p> <urn:x:o> . _:b <urn:x:p> _:c . }} "
     f"<{INFERRED_GRAPH}> {{ <urn:x:o> a <urn:x:C> . _:c a <urn:x:C> . }}", False),
], ids=["two-graphs", "default-graph", "asserted-and-inferred", "none", "range-types-left-out"])
def test_view_says_whether_two_graphs_share_a_triple(data, overlap):
    """What the build records for kg serve (build-info.json's graphs_share_triples): the
    view, one graph, is smaller than the store less the types it leaves out exactly when a
    triple is in two graphs."""
    store = ox.Store()
    store.load(data.encode(), format=ox.RdfFormat.TRIG)
    assert view_and_overlap(store, INFERRED_GRAPH)[1] is overlap


# ---------------------------------------------------------------- kg.validate.validate_with


def test_validate_with_runs_pyshacl_where_the_store_cannot_hold_the_data(ontology, shapes):
    """rdflib reads an IRI with a space (and logs a warning); N-Triples, which fills the
    store, cannot write it: validate_with says so and gives pySHACL's report."""
    data = Graph().parse(data=f"""@prefix kgo: <{KGO}> .
        <https://w3id.org/kg1978/place/a b> a kgo:Country .""", format="turtle")
    view = closure_view(data + ontology)
    said: list[str] = []
    report = validate_with(view, shapes, log=said.append)
    assert len(said) == 1 and "cannot be loaded into pyoxigraph" in said[0]
    assert "https://w3id.org/kg1978/place/a b" in {r.focus for r in report.results}
    assert comparable(report) == comparable(validate(view, shapes))
    assert validate_with(closure_view(parse_file(FIXTURES / "valid.ttl") + ontology), shapes,
                         log=said.append).conforms and len(said) == 1


def test_both_engines_give_the_same_list_in_the_same_order(ontology, shapes):
    """Results that differ only by value come in one order whatever the engine (and the hash
    seed), and an xsd:string value is written as the plain string it is in RDF 1.1 (pyoxigraph
    drops the datatype, rdflib keeps it)."""
    labels = ", ".join(f'"label {c}"^^<http://www.w3.org/2001/XMLSchema#string>'
                       for c in "fbdace")
    data = Graph().parse(data=f"""@prefix kgo: <{KGO}> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://w3id.org/kg1978/place/p> a kgo:Country ; rdfs:label "P"@en ;
            skos:altLabel {labels} .""", format="turtle")
    view = closure_view(data + ontology)
    fast, reference = validate_with(view, shapes), validate(view, shapes)
    assert [r.value for r in fast.results if r.path.endswith("altLabel")] == [
        f'"label {c}"' for c in "abcdef"]
    assert fast.results == reference.results


def test_a_long_list_under_a_blank_node_is_described_without_recursion(ontology, shapes):
    """The report describes a blank focus node with everything it reaches: a list of 5,000
    items is walked, not recursed into (Python's limit is about 1,000 frames)."""
    items = " ".join(f'"{i}"' for i in range(5000))
    data = Graph().parse(data=f"""@prefix kgo: <{KGO}> .
        [] a kgo:Country ; <urn:kg:test:items> ( {items} ) .""", format="turtle")
    report = validate_with(closure_view(data + ontology), shapes)
    assert not report.conforms
    assert len(report.graph) > 2 * 5000  # each list node's rdf:first and rdf:rest


def test_each_thread_has_its_own_prepared_queries():
    """rdflib keeps a query's bindings on it while it evaluates: two threads never share one."""
    import threading

    import kg.validate as kv

    text, ns = "ASK { ?s ?p ?o }", ()
    here = kv._prepared_query(text, ns)
    assert kv._prepared_query(text, ns) is here
    there = []
    thread = threading.Thread(target=lambda: there.append(kv._prepared_query(text, ns)))
    thread.start()
    thread.join()
    assert there and there[0] is not here


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_figure_value_in_words_is_one_result_on_the_property_given(engine, ontology, shapes):
    """``kgo:exactValue "about 300"`` broke sh:datatype and, as SHACL fails a comparison with
    a value that is no number, sh:minInclusive as well, both on kgo:value (the shape's path:
    the closure's super-property), so it was two results with one message on a path the data
    do not use. Each engine now gives one result, on kgo:exactValue (the compiled sh:not too:
    validate_store refuses what it does not compile, where validate_with would fall back)."""
    view = closure_view(parse_file(FIXTURES / "figure-value-in-words.ttl") + ontology)
    report = validate_store(store_of(view), shapes) if engine == "fast" else validate(view,
                                                                                      shapes)
    assert [(r.path, r.value, r.constraint, r.shape) for r in report.results] == [
        (KGO + "exactValue", '"about 300"', str(SH.DatatypeConstraintComponent),
         "https://w3id.org/kg1978/shapes/QuantityExactValueShape")]
    negative = closure_view(parse_file(FIXTURES / "figure-negative-value.ttl") + ontology)
    report = validate_store(store_of(negative), shapes) if engine == "fast" else validate(
        negative, shapes)
    assert [(r.path, r.constraint) for r in report.results] == [
        (KGO + "exactValue", str(SH.NotConstraintComponent))]


@pytest.mark.parametrize(("fixture", "about"), [
    ("entity-blank-node", SH.focusNode),  # a blank node of the data
    ("altlabel-without-language", SH.sourceShape),  # a blank property shape
])
def test_a_report_describes_the_blank_nodes_it_is_about(fixture, about, ontology, shapes):
    """A blank node's label means nothing outside its graph: the Turtle report carries its
    triples (and those of the blank nodes they reach), as pySHACL's does; the other formats
    write a blank focus node as ``_:label``, not as a bare label that reads as an IRI."""
    view = closure_view(parse_file(FIXTURES / f"{fixture}.ttl") + ontology)
    for report in (validate_with(view, shapes), validate(view, shapes)):
        blanks = {o for o in report.graph.objects(None, about) if isinstance(o, BNode)}
        assert blanks
        if about == SH.focusNode:
            assert {r.focus for r in report.results} == {f"_:{b}" for b in blanks}
        for node in blanks:
            described = {p for p, _ in report.graph.predicate_objects(node)}
            assert (RDFS.label in described if about == SH.focusNode
                    else {SH.path, SH.datatype, SH.message} <= described), (fixture, described)


# ---------------------------------------------------------------- what is refused


@pytest.mark.parametrize("feature", [
    # sh:not only where the shape has a message (pySHACL's own names each value node)
    "sh:node ex:Other", "sh:closed true", "sh:not [ sh:class ex:C ]", "sh:deactivated true",
    "sh:property [ sh:path ex:p ; sh:equals ex:q ]", "sh:property [ sh:path ex:p ; sh:node ex:O ]",
])
def test_unsupported_features_are_refused(feature):
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; {feature} .
        ex:Other a sh:NodeShape . ex:O a sh:NodeShape .""", format="turtle")
    with pytest.raises(UnsupportedShapes):
        validate_store(ox.Store(), shapes)


@pytest.mark.parametrize(("where", "keyword"), [
    ("VALUES ?p { ex:p }", "VALUES"), ("MINUS { $this ex:q ?v }", "MINUS"),
    ("SERVICE <http://example.org/sparql> { $this ex:q ?v }", "SERVICE"),
])
def test_sparql_constraints_that_shacl_forbids_are_refused(where, keyword):
    """VALUES, MINUS and SERVICE are not allowed in a SPARQL constraint (SHACL 5.3.1), found
    as pySHACL finds them (kg build and kg validate refuse the same shapes); the same words in
    a string, an IRI or a longer name are allowed."""
    def shapes(body: str) -> Graph:
        return Graph().parse(data=f"""
            @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
            ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ a sh:SPARQLConstraint ;
                sh:select \"\"\"{body}\"\"\" ] .""", format="turtle")
    with pytest.raises(UnsupportedShapes, match=keyword):
        compile_shapes(shapes(f"SELECT $this WHERE {{ $this ?p ?o . {where} }}"), lambda c: [c])
    harmless = ('SELECT $this WHERE { $this <http://example.org/allowedValues> ?v ; '
                '<http://example.org/SERVICE> ?w '
                'FILTER (STR(?v) != "MINUS") }')
    assert compile_shapes(shapes(harmless), lambda c: [c])
    focus = Graph().parse(data="<http://example.org/x> a <http://example.org/C> .",
                          format="turtle")
    assert validate(focus, shapes(harmless)).conforms  # pySHACL runs it, and accepts it too


def test_an_xone_of_classes_same_results_whatever_the_focus():
    """An sh:xone of single sh:class shapes: where every focus class is a member's (ex:S1,
    targets ex:A, a member), only nodes of two members or more can break it, and the typed
    nodes are grouped once (no OPTIONAL per focus node); where a focus node may have no
    member's type (ex:S2 targets ex:C; ex:S3 a node), the count per focus node. The same
    results as pySHACL either way: two members (also by a subclass), none, one."""
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S1 a sh:NodeShape ; sh:targetClass ex:A ; sh:message "one kind" ;
            sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] ) .
        ex:S2 a sh:NodeShape ; sh:targetClass ex:C ; sh:message "one kind" ;
            sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] ) .
        ex:S3 a sh:NodeShape ; sh:targetClass ex:A ; sh:targetNode ex:n8 ; sh:message "one kind" ;
            sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] ) .
        """, format="turtle")
    view = Graph().parse(data="""
        @prefix ex: <http://example.org/> .
        ex:A2 <http://www.w3.org/2000/01/rdf-schema#subClassOf> ex:A .
        ex:n1 a ex:A . ex:n2 a ex:A, ex:B . ex:n3 a ex:B . ex:n4 a ex:A2, ex:B .
        ex:n5 a ex:C . ex:n6 a ex:C, ex:A . ex:n7 a ex:C, ex:A, ex:B . ex:n8 ex:note "none" .
        """, format="turtle")
    report = assert_same(view, shapes)
    ex = "http://example.org/"
    assert sorted((r.shape.removeprefix(ex), r.focus.removeprefix(ex))
                  for r in report.results) == [
        ("S1", "n2"), ("S1", "n4"), ("S1", "n7"), ("S2", "n5"), ("S2", "n7"),
        ("S3", "n2"), ("S3", "n4"), ("S3", "n7"), ("S3", "n8")]
    grouped = {str(c.shape).removeprefix(ex): "OPTIONAL" not in c.query
               for c in compile_shapes(shapes, lambda c: [URIRef(ex + "A2"), c]
                                       if c == URIRef(ex + "A") else [c])}
    assert grouped == {"S1": True, "S2": False, "S3": False}


def test_an_or_of_classes_is_one_class_check_with_the_same_results():
    """An sh:or of single sh:class shapes compiles to one sh:class of all their classes (one
    EXISTS per value, not one per member), on a property's values and on a node shape, with
    the same results as pySHACL: a value of either class (or a subclass) passes, one of
    neither or untyped fails."""
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:P a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:of ; sh:message "A or B" ;
            sh:or ( [ sh:class ex:A ] [ sh:class ex:B ] ) .
        ex:N a sh:NodeShape ; sh:targetClass ex:C ; sh:message "A or C2" ;
            sh:or ( [ sh:class ex:A ] [ sh:class ex:C2 ] ) .
        """, format="turtle")
    view = Graph().parse(data="""
        @prefix ex: <http://example.org/> .
        ex:A2 <http://www.w3.org/2000/01/rdf-schema#subClassOf> ex:A .
        ex:a a ex:A . ex:a2 a ex:A2 . ex:b a ex:B . ex:d a ex:D .
        ex:c1 a ex:C ; ex:of ex:a, ex:a2, ex:b . ex:c2 a ex:C, ex:C2 ; ex:of ex:d, ex:e, "x" .
        ex:c3 a ex:C, ex:A2 ; ex:note "none" .
        """, format="turtle")
    report = assert_same(view, shapes)
    ex = "http://example.org/"
    assert sorted((r.shape.removeprefix(ex), r.focus.removeprefix(ex), r.value.removeprefix(ex))
                  for r in report.results) == [
        ("N", "c1", "c1"), ("P", "c2", '"x"'), ("P", "c2", "d"), ("P", "c2", "e")]
    checks = compile_shapes(shapes, lambda c: [URIRef(ex + "A2"), c]
                            if c == URIRef(ex + "A") else [c])
    assert [c.query.count("EXISTS") for c in checks] == [1, 1]


def test_checks_run_in_threads_give_the_report_of_checks_run_one_by_one(ontology, shapes):
    """validate_store runs its checks' queries a few at a time (kg.store.rows_of_each): on the
    views of a quarter of the fixtures at once (results of many shapes), the same results in
    the same order and the same report graph (blank nodes aside) as one query after another."""
    view = Graph()
    for path in FIXTURE_FILES[::4]:
        view += closure_view(parse_file(path) + ontology)
    store = store_of(view)
    alone, threaded = (validate_store(store, shapes, threads=n) for n in (1, 3))
    assert len(alone.results) > 50
    assert threaded.results == alone.results
    assert threaded.conforms is alone.conforms is False

    def triples(g: Graph) -> list[tuple]:  # isomorphic() takes minutes on 8,000 triples
        return sorted(tuple(_blank(t.n3()) for t in triple) for triple in g)

    assert triples(threaded.graph) == triples(alone.graph)


def test_the_view_s_graphs_are_dumped_one_ahead_in_order():
    """The view's copy dumps each graph in a thread while the parser reads the one before:
    in order, and never more than two made and not yet read (memory at scale)."""
    from kg.shacl_fast import _one_ahead

    made, used = [], []

    def make(i: int) -> int:
        made.append(i)
        assert len(made) - len(used) <= 2
        return i * 10

    for value in _one_ahead(make, range(7)):
        used.append(value)
    assert used == [i * 10 for i in range(7)] and made == list(range(7))
    assert list(_one_ahead(make, [])) == []
