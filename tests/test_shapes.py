"""The SHACL shapes: the project graph conforms, the shapes pass SHACL's own shapes, and every
shape has a failing fixture that proves it fires (CONVENTIONS items 8 and 13).

The fixtures are tests/data/shapes/NAME.ttl; what each must produce is in the table
tests/data/shapes/manifest.toml (fixture -> shape -> focus -> path -> component). Each fixture is
validated the way the build validates the graph: the fixture plus the ontology, closed under
OWL 2 RL, against shapes/, with the build's engine. So a fixture reaches its shape through the
shape's real target, often only by inference (an instance of a subclass, a triple entailed by a
super-property).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import product
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from kg.iris import BASE, ONTOLOGY_GRAPH, PREFIXES, sparql_prologue
from kg.load import load_sources, parse_file
from kg.reason import infer
from kg.validate import (
    Report,
    Result,
    check_shapes,
    closure_view,
    domain_range_shapes,
    validate,
    validate_closure,
    validate_with,
    with_prefix_warnings,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "shapes"
MANIFEST = FIXTURES / "manifest.toml"
CLEAN_FIXTURE = FIXTURES / "valid.ttl"

#: Prefixes the manifest may use: the project's, the shapes', and the entity namespaces.
CURIES = {
    **PREFIXES,
    "sh": str(SH),
    "kgs": BASE + "shapes/",
    **{p: f"{BASE}{segment}/" for p, segment in (
        ("actor", "actor"), ("unit", "unit"), ("place", "place"), ("event", "event"),
        ("measure", "measure"), ("figure", "figure"), ("stmt", "statement"), ("src", "source"),
        ("link", "link"),
    )},
}

#: Predicates of a node shape that are not constraint parameters.
_NOT_CONSTRAINTS = {
    RDF.type, RDFS.label, RDFS.comment, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
    SH.targetObjectsOf, SH.target, SH.property, SH.message, SH.severity, SH.deactivated, SH.name,
    SH.description, SH.flags, SH.sparql, SH.order, SH.group,
}


def expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return CURIES[prefix] + local


def short(iri: str) -> str:
    for prefix, ns in sorted(CURIES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def is_blank(term: str) -> bool:
    """Result fields hold an IRI (with a scheme) or a blank node: ``_:label`` as a focus node
    or value, its bare label as a shape."""
    return "://" not in term


@dataclass(frozen=True)
class Case:
    """One row of the manifest: a fixture and the result it must produce."""

    fixture: str
    shape: str
    focus: str
    component: str
    path: str | None = None
    sparql: str | None = None
    message: str | None = None
    also: tuple[str, ...] = field(default=())

    @property
    def file(self) -> Path:
        return FIXTURES / f"{self.fixture}.ttl"

    def expected_path(self) -> str | None:
        if self.path is None or self.path.startswith("^") or "|" in self.path:
            return self.path  # a complex path, compared in kg.validate's rendering
        return expand(self.path)

    def is_inline(self, shapes: Graph) -> bool:
        """True when the row names an inline (blank-node) property shape of a node shape."""
        return (URIRef(expand(self.shape)), RDF.type, SH.NodeShape) in shapes and (
            self.path is not None and self.sparql is None)

    def same_constraint(self, r: Result, shapes: Graph, *, components: tuple[str, ...]) -> bool:
        """Whether ``r`` comes from this row's constraint, at any focus node."""
        if r.constraint not in {component_iri(c) for c in components}:
            return False
        if self.is_inline(shapes):
            # kg.validate names an inline shape by the node shape holding it (pySHACL reports
            # the blank node itself); either way its path and message single it out.
            return ((is_blank(r.shape) or r.shape == expand(self.shape))
                    and r.path == self.expected_path()
                    and self.message is not None and self.message in r.message)
        if r.shape != expand(self.shape):
            return False
        if self.message is not None and self.message not in r.message:
            return False
        return r.path == self.expected_path()

    def also_breaks(self, r: Result) -> bool:
        """Whether ``r`` is one of the row's ``also`` components of its node shape, at its focus
        (any path: a node-level constraint beside an inline property shape has none)."""
        return (r.shape == expand(self.shape) and r.focus == expand(self.focus)
                and r.constraint in {component_iri(c) for c in self.also})

    def matches(self, r: Result, shapes: Graph) -> bool:
        focus_ok = is_blank(r.focus) if self.focus == "_:" else r.focus == expand(self.focus)
        return focus_ok and self.same_constraint(r, shapes, components=(self.component,))


def component_iri(component: str) -> str:
    """A manifest's component: ``MinCount`` is sh:MinCountConstraintComponent, and one of
    another namespace is a CURIE (``kgs:VocabularyTerm``: kgs:VocabularyTermConstraintComponent)."""
    if ":" in component:
        return expand(component) + "ConstraintComponent"
    return str(SH[f"{component}ConstraintComponent"])


def load_manifest() -> list[Case]:
    rows = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["case"]
    return [Case(**{**row, "also": tuple(row.get("also", ()))}) for row in rows]


CASES = load_manifest()


def validate_like_the_build(data: Graph, shapes: Graph) -> Report:
    """Asserted triples plus their OWL 2 RL inferences (less domain/range-only types), against
    the shapes, as kg.build does: with its engine, kg.shacl_fast (tests/test_shacl_fast.py
    holds it to pySHACL's results on every fixture)."""
    return validate_with(closure_view(data), shapes)


def validate_fixture(path: Path, ontology: Graph, shapes: Graph) -> Report:
    """A fixture as ``kg validate FIXTURE`` validates it (kg.validate.validate_closure): the
    shapes, and the warnings of kg.vocabularies on the asserted triples, located in its text
    (which also leaves out a statement's result another one says), with the warnings of a
    prefix declared again."""
    texts = [(str(path), path.read_text(encoding="utf-8"))]
    return with_prefix_warnings(
        validate_closure([parse_file(path), ontology], shapes).located(texts), texts)


# ---------------------------------------------------------------- the project and the shapes


def test_validation_changes_neither_the_data_nor_the_shapes(ontology, shapes):
    """Session fixtures and the endpoint's cached shapes are shared: validating must not add to
    them (pySHACL adds RDFS/OWL axioms to the shapes graph it is handed)."""
    data = closure_view(parse_file(FIXTURES / "event-start-after-end.ttl") + ontology)
    before_data, before_shapes = Graph() + data, Graph() + shapes
    assert not validate(data, shapes).conforms
    assert set(data) == set(before_data) and set(shapes) == set(before_shapes)


def test_project_graph_conforms(shapes):
    asserted = load_sources(ROOT).union()
    report = validate_like_the_build(asserted, shapes)
    assert report.conforms, report.as_text()


def test_shapes_pass_meta_shacl(shapes):
    report = check_shapes(shapes)
    assert report.conforms, report.as_text()


def test_clean_fixture_conforms(ontology, shapes):
    report = validate_fixture(CLEAN_FIXTURE, ontology, shapes)
    assert report.conforms, report.as_text()


def test_clean_fixture_reaches_every_node_shape(ontology, shapes):
    """valid.ttl has a focus node for every node shape, so its conforming means something."""
    data = parse_file(CLEAN_FIXTURE) + ontology
    data += infer(data)
    unreached = []
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) - _generated():
        focus = {s for c in shapes.objects(shape, SH.targetClass)
                 for s in data.subjects(RDF.type, c)}
        focus |= {s for p in shapes.objects(shape, SH.targetSubjectsOf) for s in data.subjects(p)}
        if not focus:
            unreached.append(short(str(shape)))
    # owl:sameAs is forbidden outright, so no conforming data can give that shape a focus node;
    # kgs:VocabularyTermShape has no target (kg.vocabularies checks the terms, not an engine),
    # nor kgs:PrefixDeclarationShape (kg.validate reads the files' text).
    unreached = sorted(set(unreached) - {"kgs:NoSameAsShape", "kgs:VocabularyTermShape",
                                         "kgs:PrefixDeclarationShape"})
    assert not unreached, f"valid.ttl has no focus node for {unreached}"


def test_a_reflexive_same_as_is_not_reported(ontology, shapes):
    """OWL 2 RL's eq-ref rule makes every term the same as itself: owlrl adds ``x owl:sameAs x``
    for each (the build's reasoner leaves them out), so plain ``pyshacl -i owlrl`` (README,
    "Validation") sees one on every resource, and kgs:NoSameAsShape reported them all.
    It reports an owl:sameAs between two terms only, with both engines."""
    import owlrl

    tiny = Graph().parse(data=f"""
        <{expand("place:country")}> a <{expand("kgo:Country")}> ;
            <{RDFS.label}> "Country"@en .""", format="turtle")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(tiny)
    country = URIRef(expand("place:country"))
    assert (country, OWL.sameAs, country) in tiny  # what the plain run sees

    view = closure_view(parse_file(CLEAN_FIXTURE) + ontology)
    assert (country, RDF.type, URIRef(expand("kgo:Country"))) in view
    for subject in set(view.subjects()):
        view.add((subject, OWL.sameAs, subject))
    for report in (validate(view, shapes), validate_with(view, shapes)):
        assert report.conforms, report.as_text()
    view.add((country, OWL.sameAs, URIRef(expand("place:other-country"))))
    for report in (validate(view, shapes), validate_with(view, shapes)):
        assert [(short(r.focus), short(r.value)) for r in report.results
                if r.shape == expand("kgs:NoSameAsShape")] == [
                    ("place:country", "place:other-country")]


# ---------------------------------------------------------------- every shape fires


@pytest.mark.parametrize("case", CASES, ids=[c.fixture for c in CASES])
def test_shape_fires_on_its_fixture(case, ontology, shapes):
    report = validate_fixture(case.file, ontology, shapes)
    severity = shapes.value(URIRef(expand(case.shape)), SH.severity)
    advice = severity in (SH.Warning, SH.Info)  # reported, and the data conforms
    assert report.conforms == advice, (
        f"{case.fixture}.ttl " + ("does not conform" if advice else
                                  f"conforms; {case.shape} did not fire") + report.as_text())
    found = [r for r in report.results if case.matches(r, shapes)]
    assert found, (f"no result from {case.shape} ({case.component}) at {case.focus} "
                   f"path {case.path}:\n{report.as_text()}")
    if advice:
        assert {r.severity for r in found} == {short(str(severity)).removeprefix("sh:")}
    if case.sparql is not None:
        constraint = URIRef(expand(case.sparql))
        focus = URIRef(expand(case.focus))
        assert any((n, SH.sourceConstraint, constraint) in report.graph
                   for n in report.graph.subjects(SH.focusNode, focus)), report.as_text()
    # The generated domain/range shapes may also see a wrong value: they are tested on their own.
    generated = {str(s) for s in _generated()}
    stray = [r for r in report.results if r.shape not in generated
             and not case.same_constraint(r, shapes, components=(case.component, *case.also))
             and not case.also_breaks(r)]
    assert not stray, (f"{case.fixture}.ttl should break only {case.shape} ({case.component}); "
                       f"it also breaks:\n{report.as_text()}")


@pytest.mark.parametrize(("fixture", "expected"), [
    # the town's statement covers its relation and, through the province, the inferred one to
    # the country; only the province's own relation has none
    ("place-within-without-statement", {("place:province", "kgo:placeWithin", "place:country")}),
    # the division's statement names it from the command's side (kgo:hasSubordinate)
    ("unit-subordinate-without-statement",
     {("unit:region-command", "kgo:subordinateTo", "unit:army")}),
    # symmetric: the closure has the relation both ways, and neither has a statement
    ("adjacency-without-statement", {("place:border", "kgo:adjacentTo", "place:country"),
                                     ("place:country", "kgo:adjacentTo", "place:border")}),
    # statements in either direction, and the inverse, cover the whole closure
    ("valid", set()),
])
def test_a_command_or_place_relation_is_reported_only_where_no_statement_covers_it(
        fixture, expected, ontology, shapes):
    """kgs:ReifiedChainShape sees the closure: a triple is reported at its subject unless a
    stated step from its subject (or its inverse) leads to its value."""
    report = validate_fixture(FIXTURES / f"{fixture}.ttl", ontology, shapes)
    found = {(short(r.focus), short(r.path), short(r.value)) for r in report.results
             if r.shape == expand("kgs:ReifiedChainShape")}
    assert found == expected, report.as_text()


# ---------------------------------------------------------------- the manifest covers every shape


def _path_text(g: Graph, path) -> str:
    """A SHACL path as the manifest writes it (kg.validate's rendering for complex paths)."""
    if isinstance(path, URIRef):
        return short(str(path))
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + short(str(inverse))
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_path_text(g, p) for p in Collection(g, alternatives))
    raise AssertionError(f"path form not handled by this test: {path!r}")


@functools.cache
def _generated() -> frozenset:
    """The shapes of shapes/domain-range.ttl: each has its own generated fixture below. Made
    once per worker: reading the project's files takes a quarter of a second, which every one
    of the fixtures' tests paid again."""
    generated = domain_range_shapes(load_sources(ROOT).graphs[ONTOLOGY_GRAPH])
    return frozenset(set(generated.subjects(RDF.type, SH.NodeShape))
                     | set(generated.subjects(RDF.type, SH.PropertyShape)))


def _constraints(shapes: Graph) -> dict[tuple[str, str], str]:
    """Everything that needs a failing fixture: (shape, what) -> a description for the message.

    what is "" for a named property shape, the path of an inline property shape, the component of
    a node-level constraint, or the IRI of a SPARQL constraint."""
    needed: dict[tuple[str, str], str] = {}
    for prop in set(shapes.subjects(RDF.type, SH.PropertyShape)) - _generated():
        needed[(short(str(prop)), "")] = "named property shape"
    for node in set(shapes.subjects(RDF.type, SH.NodeShape)) - _generated():
        name = short(str(node))
        for prop in shapes.objects(node, SH.property):
            if isinstance(prop, BNode):
                path = _path_text(shapes, shapes.value(prop, SH.path))
                needed[(name, path)] = f"inline property shape on {path}"
        for p in set(shapes.predicates(node)) - _NOT_CONSTRAINTS:
            local = str(p).removeprefix(str(SH))
            needed[(name, local[0].upper() + local[1:])] = f"node-level sh:{local}"
        for sparql in shapes.objects(node, SH.sparql):
            needed[(name, short(str(sparql)))] = "SPARQL constraint"
    return needed


def _covered(case: Case, shapes: Graph) -> set[tuple[str, str]]:
    if case.sparql is not None:
        # a named property shape's SPARQL constraint (kgs:LinkEvidenceShape's) is the shape's
        named = (URIRef(expand(case.shape)), RDF.type, SH.PropertyShape) in shapes
        return {(case.shape, case.sparql)} | ({(case.shape, "")} if named else set())
    if case.is_inline(shapes):
        return {(case.shape, case.path)}
    if (URIRef(expand(case.shape)), RDF.type, SH.PropertyShape) in shapes:
        return {(case.shape, "")}
    return {(case.shape, case.component)}


def test_every_shape_has_a_failing_fixture(shapes):
    covered = set().union(*(_covered(c, shapes) for c in CASES))
    missing = {k: v for k, v in _constraints(shapes).items() if k not in covered}
    listing = "\n".join(f"  {shape} {what} ({why})"
                        for (shape, what), why in sorted(missing.items()))
    assert not missing, f"no failing fixture in tests/data/shapes/manifest.toml for:\n{listing}"
    # A node shape whose only constraints are named property shapes is covered through them.
    reached = {c.shape for c in CASES}
    for node in set(shapes.subjects(RDF.type, SH.NodeShape)) - _generated():
        props = {short(str(p)) for p in shapes.objects(node, SH.property)}
        assert short(str(node)) in reached or props & reached, f"{short(str(node))} has no fixture"


def test_manifest_names_real_shapes_and_files(shapes):
    assert {c.fixture for c in CASES} == {p.stem for p in FIXTURES.glob("*.ttl")} - {"valid"}, \
        "every fixture file needs a manifest row and every row a file"
    for case in CASES:
        shape = URIRef(expand(case.shape))
        assert (shape, RDF.type, SH.NodeShape) in shapes or \
            (shape, RDF.type, SH.PropertyShape) in shapes, f"{case.fixture}: no shape {case.shape}"
        if case.is_inline(shapes):
            assert case.message, f"{case.fixture}: an inline property shape needs a message"
        if case.sparql is not None:
            assert (shape, SH.sparql, URIRef(expand(case.sparql))) in shapes, case.fixture


# ---------------------------------------------------------------- domain and range shapes


def test_domain_range_shapes_are_current(shapes):
    """shapes/domain-range.ttl is what kg.validate.domain_range_shapes makes of the ontology."""
    from rdflib.compare import isomorphic

    on_disk = Graph().parse(ROOT / "shapes" / "domain-range.ttl")
    assert isomorphic(on_disk, domain_range_shapes(load_sources(ROOT).graphs[ONTOLOGY_GRAPH])), \
        "shapes/domain-range.ttl is stale: rerun tests/data/regenerate_domain_range.py"
    assert len(on_disk) > 100


def _domain_range_cases() -> list[tuple[str, str, str, str]]:
    """(shape, property, role, expected class) for every generated shape and its target: a
    domain is a node shape on the subjects, a range a property shape on them (its path the
    property, so that a result names the subject, the property and the value)."""
    g = Graph().parse(ROOT / "shapes" / "domain-range.ttl")
    cases = []
    for shape in sorted(set(g.subjects(RDF.type, SH.NodeShape))
                        | set(g.subjects(RDF.type, SH.PropertyShape))):
        cls = str(g.value(shape, SH["class"]))
        role = "value" if (shape, SH.path, None) in g else "subject"
        assert (shape, SH.targetObjectsOf, None) not in g, shape
        for prop in sorted(g.objects(shape, SH.targetSubjectsOf)):
            cases.append((short(str(shape)), short(str(prop)), role, short(cls)))
    return cases


DOMAIN_RANGE = _domain_range_cases()
_DATES = ("kgo:startDate", "kgo:endDate", "kgo:notBefore", "kgo:notAfter", "kgo:latestStart")


def _wrong_use(i: int, prop: str, role: str, cls: str) -> str:
    """Turtle in which node-i, typed outside ``cls``, is the subject (domain) or the value
    (range) of ``prop``."""
    wrong = "kgo:Passage" if cls != "kgo:Passage" else "kgo:Road"
    if role == "subject":
        value = '"1978-01-01"^^xsd:date' if prop in _DATES else f"ex:value-{i}"
        return f"ex:node-{i} a {wrong} ; {prop} {value} .\nex:value-{i} a kgo:Measure ."
    return f"ex:subject-{i} a kgo:Measure ; {prop} ex:node-{i} .\nex:node-{i} a {wrong} ."


@pytest.fixture(scope="module")
def domain_range_report(ontology, shapes) -> Report:
    """One validation of every wrong use at once (each on its own nodes): cheaper than one
    reasoning run per case, and the nodes keep the cases apart."""
    body = "\n".join(_wrong_use(i, prop, role, cls)
                     for i, (_, prop, role, cls) in enumerate(DOMAIN_RANGE))
    data = Graph().parse(data=f"""@prefix kgo: <{CURIES['kgo']}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <{BASE}test/> .
{body}""", format="turtle") + ontology
    return validate_like_the_build(data, shapes)


@pytest.mark.parametrize("i", range(len(DOMAIN_RANGE)),
                         ids=[f"{s}:{p}" for s, p, _, _ in DOMAIN_RANGE])
def test_domain_range_shape_fires_on_a_wrong_type(i, domain_range_report):
    """A node typed outside the expected class, used as the subject (domain) or the value
    (range) of the property, is reported by the generated shape, even though OWL 2 RL would
    infer the expected type from the axiom. A range result is about the triple: its focus
    node the subject, its path the property of the shape (which the sub-property's triple
    gives in the closure), its value the wrongly typed node."""
    shape, _, role, _ = DOMAIN_RANGE[i]
    if role == "subject":
        where = {"focus": f"{BASE}test/node-{i}", "path": None, "value": f"{BASE}test/node-{i}"}
    else:
        prop = expand("kgo:" + shape.removeprefix("kgs:").removesuffix("-range"))
        where = {"focus": f"{BASE}test/subject-{i}", "path": prop, "value": f"{BASE}test/node-{i}"}
    assert any(r.shape == expand(shape) and r.constraint == str(SH["ClassConstraintComponent"])
               and (r.focus, r.path, r.value) == tuple(where.values())
               for r in domain_range_report.results), f"{shape} did not fire: {where}"


def test_a_later_sources_disagreeing_date_is_a_claim_the_shapes_accept(ontology, shapes):
    """README, "A later source that disagrees": the second source's date is a reified
    statement and a schema:Claim, citing its passage; the first source's date stays. As a
    plain rdf:Statement it would describe a triple not in the graph."""
    claim = """
@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <http://schema.org/> .
<https://w3id.org/kg1978/statement/attack-start-by-other-source> a rdf:Statement, schema:Claim ;
    rdfs:label "An attack began on 24 December 1978, by another source"@en ;
    rdf:subject <https://w3id.org/kg1978/event/attack> ;
    rdf:predicate kgo:startDate ;
    rdf:object "1978-12-24"^^xsd:date ;
    prov:wasDerivedFrom <https://w3id.org/kg1978/source/article-passage-1> ;
    rdfs:comment "The other source's date; the article's, 23 December, stays the event's."@en .
"""
    data = parse_file(FIXTURES / "valid.ttl") + Graph().parse(data=claim, format="turtle")
    report = validate_closure([data, ontology], shapes)
    assert report.conforms, report.as_text()
    plain = Graph() + data
    plain.remove((URIRef("https://w3id.org/kg1978/statement/attack-start-by-other-source"),
                  RDF.type, URIRef("http://schema.org/Claim")))
    report = validate_closure([plain, ontology], shapes)
    assert [r.message for r in report.results] == [
        "the statement describes a triple that is not in the graph (a source's claim that the "
        "graph does not assert is also a schema:Claim)"]


def test_statement_lines_point_at_the_triple_a_result_is_about():
    from kg.validate import Result, statement_lines

    ex = "http://example.org/"
    turtle = """@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:Thing ;
    ex:note \"\"\"two
lines; with ex:fake ex:pred\"\"\" ;
    ex:date "1978-13-01"^^xsd:date ;   # ex:commented ex:p
    ex:p ex:b ,
        ex:c ;
    ex:nested [ ex:inner ex:d ] ;
    ex:list ( ex:e ex:f ) .
ex:g ex:p ex:a ; ex:q "x; y" ; ex:r ex:h.
"""
    trig = "<http://example.org/graph> {\n  <http://example.org/i> <http://example.org/p> 1 .\n}\n"
    nquads = "<http://example.org/j> <http://example.org/p> <http://example.org/k> <http://example.org/graph> .\n"
    found = statement_lines([("t.ttl", turtle), ("g.trig", trig), ("q.nq", nquads)])
    assert found.subjects == {ex + "a": "t.ttl:3", ex + "g": "t.ttl:11", ex + "i": "g.trig:2",
                              ex + "j": "q.nq:1"}
    assert found.predicates[(ex + "a", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")] \
        == "t.ttl:3"
    assert found.predicates[(ex + "a", ex + "date")] == "t.ttl:6"  # after a string of 2 lines
    assert found.predicates[(ex + "a", ex + "list")] == "t.ttl:10"
    assert found.predicates[(ex + "g", ex + "r")] == "t.ttl:11"
    assert (ex + "a", ex + "fake") not in found.predicates  # inside a string
    assert (ex + "a", ex + "inner") not in found.predicates  # a blank node's
    assert found.triples[(ex + "a", ex + "p", ex + "c")] == "t.ttl:8"
    assert found.triples[(ex + "j", ex + "p", ex + "k")] == "q.nq:1"
    # a file of N-Triples or N-Quads is read a line at a time, to the same effect
    lines = statement_lines([("q.txt", nquads)])
    assert (lines.subjects, lines.predicates, lines.triples) == (
        {ex + "j": "q.txt:1"}, {(ex + "j", ex + "p"): "q.txt:1"},
        {(ex + "j", ex + "p", ex + "k"): "q.txt:1"})
    nt = ('_:b <http://example.org/p> <http://example.org/m> .\n'
          '<http://example.org/l> <http://example.org/p> "x y"@en .\n')
    lines = statement_lines([("t.nt", nt)])
    assert lines.subjects == {ex + "l": "t.nt:2"} and lines.mentions[ex + "m"] == "t.nt:1"
    assert lines.predicates == {(ex + "l", ex + "p"): "t.nt:2"} and not lines.triples
    assert not any(o == "http://www.w3.org/2001/XMLSchema#date" for _, _, o in found.triples)
    assert found.mentions[ex + "d"] == "t.ttl:9" and found.mentions[ex + "h"] == "t.ttl:11"
    assert ex + "commented" not in found.mentions and ex + "graph" not in found.subjects

    def result(focus, path=None, value=None):
        return Result(focus=focus, path=path, value=value, severity="Violation", message="m",
                      shape="s", constraint="c")
    assert found.of(result(ex + "a", ex + "p", ex + "c")) == "t.ttl:8"   # the triple
    assert found.of(result(ex + "a", ex + "p", '"x"')) == "t.ttl:7"      # the property
    assert found.of(result(ex + "a", ex + "missing")) == "t.ttl:3"       # the focus node
    # the value given by another predicate (a sub-property of the shape's path)
    assert found.of(result(ex + "a", ex + "super", ex + "c")) == "t.ttl:8"
    assert found.of(result(ex + "a", ex + "when", '"1978-13-01"^^<http://www.w3.org/2001/'
                           'XMLSchema#date>')) == "t.ttl:6"
    assert found.of(result(ex + "g", ex + "super", '"x; y"')) == "t.ttl:11"
    assert found.of(result(ex + "a", ex + "super", '"absent"')) == "t.ttl:3"
    assert lines.of(result(ex + "l", ex + "super", '"x y"@en')) == "t.nt:2"
    assert found.of(result(ex + "d")) == "t.ttl:9"                       # where it is named
    assert found.of(result(ex + "nowhere")) is None
    # a blank node: its own key, at its "[" or label, known again by its pairs
    blank = found.blank({(ex + "inner", ex + "d"), (ex + "more", "x")})
    assert blank is not None and found.blanks[blank] == "t.ttl:9"
    assert found.triples[(ex + "a", ex + "nested", blank)] == "t.ttl:9"
    assert found.predicates[(blank, ex + "inner")] == "t.ttl:9"
    assert found.blank({(ex + "inner", ex + "other")}) is None
    assert found.of(result(blank, ex + "missing")) == "t.ttl:9"
    labelled = statement_lines([("b.ttl", '@prefix ex: <http://example.org/> .\n\n'
                                            '_:n ex:p ex:q ;\n  ex:r "s" .\n'),
                                ("b.nt", '_:n <http://example.org/p> "t" .\n')])
    assert labelled.of(result(labelled.blank({(ex + "p", ex + "q"), (ex + "r", "s")}),
                              ex + "r")) == "b.ttl:4"
    assert labelled.of(result(labelled.blank({(ex + "p", "t")}))) == "b.nt:1"


#: One description in four syntaxes: ex:a typed, at a place ex:c and carried out by ex:c (ex:by
#: a sub-property of ex:participant), with a blank node, ex:w its ex:weight "5". Each text has
#: the comment-free markers the test looks for on the line it means.
SAME_DATA = {
    "t.ttl": """@prefix ex: <http://example.org/> .
ex:a a ex:Thing ;
    ex:place ex:c ;
    ex:by ex:c ;
    ex:nested [
        a ex:Part ;
        ex:weight "5" ] .
""",
    "t.jsonld": """{
  "@context": {"ex": "http://example.org/", "id": "@id", "type": "@type",
               "place": {"@id": "ex:place", "@type": "@id"}},
  "@graph": [
    {"id": "ex:a",
     "type": "ex:Thing",
     "place": "ex:c",
     "ex:by": {"id": "ex:c"},
     "ex:nested": {
        "type": "ex:Part",
        "ex:weight": "5"}}
  ]
}
""",
    "t.rdf": """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ex="http://example.org/">
  <ex:Thing rdf:about="http://example.org/a">
    <ex:place rdf:resource="http://example.org/c"/>
    <ex:by rdf:resource="http://example.org/c"/>
    <ex:nested>
      <ex:Part>
        <ex:weight>5</ex:weight>
      </ex:Part>
    </ex:nested>
  </ex:Thing>
</rdf:RDF>
""",
    "p.rdf": """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ex="http://example.org/">
  <ex:Thing rdf:about="http://example.org/a">
    <ex:place rdf:resource="http://example.org/c"/>
    <ex:by rdf:resource="http://example.org/c"/>
    <ex:nested rdf:parseType="Resource">
        <rdf:type rdf:resource="http://example.org/Part"/>
        <ex:weight>5</ex:weight>
    </ex:nested>
  </ex:Thing>
</rdf:RDF>
""",
}


# rdflib's own JSON-LD parser builds a ConjunctiveGraph, which rdflib 7.1+ deprecates
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("name", list(SAME_DATA))
def test_the_same_data_is_placed_alike_in_each_syntax(name):
    """JSON-LD and RDF/XML placed a result with a path and no value (a missing or repeated
    property) at the node's name, where Turtle gives the statement that types it or the
    property's line; a value reached by a sub-property of the path at the first line giving
    that value by any property (ex:place, above ex:by); and a blank node's result nowhere (or
    at the file): each is now where Turtle puts it, and a context's alias of "@id" names a
    node as "@id" does."""
    from rdflib import Graph

    from kg.validate import Result, statement_lines

    ex = "http://example.org/"
    text = SAME_DATA[name]
    Graph().parse(data=text, format={"ttl": "turtle", "jsonld": "json-ld",
                                     "rdf": "xml"}[name.rpartition(".")[2]])  # it is RDF

    def line(*markers):
        return f"{name}:" + str(1 + next(i for i, t in enumerate(text.splitlines())
                                         if any(m in t for m in markers)))

    def result(focus, path=None, value=None):
        return Result(focus=focus, path=path, value=value, severity="Violation", message="m",
                      shape="s", constraint="c")
    found = statement_lines([(name, text)])
    found.with_sub_properties([(ex + "by", ex + "participant")])
    typed = line(" a ex:Thing", '"type": "ex:Thing"', "<ex:Thing")
    assert found.of(result(ex + "a")) == typed                       # a node's result
    assert found.of(result(ex + "a", ex + "label")) == typed         # a value missing
    by = line("ex:by")
    assert found.of(result(ex + "a", ex + "participant", ex + "c")) == by  # a sub-property's
    assert found.of(result(ex + "a", ex + "participant")) == by      # a repeated one
    assert found.of(result(ex + "a", ex + "place", ex + "c")) == line(
        "ex:place ex:c", '"place": "ex:c"', "<ex:place")
    assert found.subjects[ex + "a"] == line("ex:a a", '"id": "ex:a"', 'org/a"')  # "id": "@id"
    # the blank node, known again by what a report says of it
    blank = found.blank({(str(RDF.type), ex + "Part"), (ex + "weight", "5")})
    assert blank is not None, found.blank_pairs
    opened = line("ex:nested [", '"ex:nested"', "<ex:Part>", "parseType")
    assert found.blanks[blank] == opened
    assert found.of(result(ex + "a", ex + "nested", blank)) == opened
    assert found.of(result(blank, ex + "weight", '"5"')) == line("ex:weight")
    assert found.of(result(blank)) == line("a ex:Part", '"type": "ex:Part"', "<ex:Part>",
                                           "/Part")
    assert found.of(result(blank, ex + "label")) == found.of(result(blank))


def test_statement_lines_tell_literals_apart_by_language_and_datatype():
    """A literal was found by its lexical form alone: "Kampuchea"@vi, on the line after
    "Kampuchea"@en, was placed on the English one's line, as was a typed literal written as
    a plain string before it; the language tag (any case) and the datatype (a CURIE, an IRI,
    or a bare number) are part of what is looked up, in Turtle and in N-Triples."""
    from kg.validate import Result, statement_lines

    ex, xsd = "http://example.org/", "http://www.w3.org/2001/XMLSchema#"
    turtle = """@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:k ex:label "Kampuchea"@en ;
    ex:label "Kampuchea"@VI ;
    ex:n "12" ;
    ex:n "12"^^xsd:integer ;
    ex:m "7"^^<http://www.w3.org/2001/XMLSchema#decimal> , 7 .
"""
    nt = ('<http://example.org/k> <http://example.org/label> "Kampuchea"@en .\n'
          '<http://example.org/k> <http://example.org/label> "Kampuchea"@vi .\n'
          '<http://example.org/k> <http://example.org/n> "12" .\n'
          f'<http://example.org/k> <http://example.org/n> "12"^^<{xsd}integer> .\n')

    def at(lines, path, value):
        return lines.of(Result(focus=ex + "k", path=ex + path, value=value,
                               severity="Violation", message="m", shape="s", constraint="c"))
    for name, text, offset in (("k.ttl", turtle, 2), ("k.nt", nt, 0)):
        lines = statement_lines([(name, text)])
        assert at(lines, "label", '"Kampuchea"@en') == f"{name}:{1 + offset}"
        assert at(lines, "label", '"Kampuchea"@vi') == f"{name}:{2 + offset}"
        assert at(lines, "n", '"12"') == f"{name}:{3 + offset}"
        assert at(lines, "n", f'"12"^^<{xsd}integer>') == f"{name}:{4 + offset}"
        # by another predicate (a sub-property of the path), the same
        assert at(lines, "name", '"Kampuchea"@vi') == f"{name}:{2 + offset}"
        assert lines.of_value(ex + "k", ex + "label", '"Kampuchea"@vi') \
            == f"{name}:{2 + offset}"
    lines = statement_lines([("k.ttl", turtle)])
    assert at(lines, "m", f'"7"^^<{xsd}decimal>') == "k.ttl:7"
    assert at(lines, "m", f'"7"^^<{xsd}integer>') == "k.ttl:7"
    # a language the file does not give: its lexical form's line, as before
    assert at(lines, "label", '"Kampuchea"@fr') == "k.ttl:3"


def test_cycle_inverses_are_the_ontologys(ontology):
    """The report follows a cycle's steps written with the inverse property: each transitive
    kgo: property with its owl:inverseOf, as the ontology declares them."""
    from rdflib.namespace import OWL

    from kg.validate import CYCLE_INVERSES

    transitive = {str(p): str(ontology.value(p, OWL.inverseOf))
                  for p in ontology.subjects(RDF.type, OWL.TransitiveProperty)
                  if str(p).startswith(PREFIXES["kgo"])}
    assert transitive and CYCLE_INVERSES == transitive


def test_a_cycle_is_followed_through_inverse_steps():
    from kg.validate import statement_lines

    ex = "http://example.org/"
    found = statement_lines([("c.ttl", """@prefix ex: <http://example.org/> .
ex:a ex:under ex:b .
ex:c ex:over ex:b .
ex:c ex:under ex:a .
""")])
    assert found.cycle(ex + "a", ex + "under") == []
    assert found.cycle(ex + "a", ex + "under", ex + "over") == [
        (ex + "b", "c.ttl:2", ex + "under"), (ex + "c", "c.ttl:3", ex + "over"),
        (ex + "a", "c.ttl:4", ex + "under")]


def test_only_a_transitive_propertys_reflexive_result_is_read_as_a_cycle():
    """A result whose value is its focus node on kgo:subordinateTo, kgo:placeWithin or
    kgo:subEventOf is a cycle in the closure, and gets its steps; on another property (an
    actor the leader of itself) it is the triple itself, its message left as the shape wrote
    it (it got "→ actor:x (x.ttl:2)", as if a cycle)."""
    actor, kgo = "https://w3id.org/kg1978/actor/", "https://w3id.org/kg1978/ontology/"
    text = """@prefix kgo: <https://w3id.org/kg1978/ontology/> .
<https://w3id.org/kg1978/actor/x> kgo:leaderOf <https://w3id.org/kg1978/actor/x> ;
    kgo:subordinateTo <https://w3id.org/kg1978/actor/x> .
"""
    results = [Result(focus=actor + "x", path=kgo + p, value=actor + "x", severity="Violation",
                      message="said", shape="urn:s", constraint="urn:c")
               for p in ("leaderOf", "subordinateTo")]
    located = Report(conforms=False, results=results).located([("x.ttl", text)]).results
    assert [(r.message, r.location) for r in located] == [
        ("said", "x.ttl:2"), ("said: actor:x → actor:x (x.ttl:3)", "x.ttl:3")]


@pytest.mark.parametrize("name", ["x.ttl", "x.jsonld"])
def test_a_value_stated_by_the_inverse_of_the_path_is_at_that_triple(name):
    """A shape's path is kgo:subordinateTo; the file states ``unit:army kgo:hasSubordinate
    unit:division`` (owl:inverseOf): the result on the division's kgo:subordinateTo is at that
    triple, saying how it is written, not at the division's first statement; so is one whose
    path is a super-property of the inverse's property, and a domain's result names the line.
    The inverses are the ones given (the ontology's), or the ones the files state."""
    kgo, unit = "https://w3id.org/kg1978/ontology/", "https://w3id.org/kg1978/unit/"
    text = {"x.ttl": """@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix unit: <https://w3id.org/kg1978/unit/> .
unit:division a kgo:Division .

unit:army kgo:hasSubordinate unit:division .
unit:corps kgo:hasPart unit:division .
""", "x.jsonld": """{"@context": {"kgo": "https://w3id.org/kg1978/ontology/",
              "unit": "https://w3id.org/kg1978/unit/"},
 "@graph": [{"@id": "unit:division", "@type": "kgo:Division"},
            {"@id": "unit:army",
             "kgo:hasSubordinate": {"@id": "unit:division"}},
            {"@id": "unit:corps",
             "kgo:hasPart": {"@id": "unit:division"}}]}
"""}[name]

    def result(path, value, shape="urn:s"):
        return Result(focus=unit + "division", path=path and kgo + path,
                      value=value and unit + value, severity="Violation", message="said",
                      shape=shape, constraint="urn:c")

    results = [result("subordinateTo", "army"), result("within", "corps"),
               result(None, None, "https://w3id.org/kg1978/shapes/subordinateTo-domain")]
    inverses = [(kgo + "subordinateTo", kgo + "hasSubordinate"), (kgo + "partOf", kgo + "hasPart")]
    located = Report(conforms=False, results=results).located(
        [(name, text)], sub_of=[(kgo + "partOf", kgo + "within")], inverse_of=inverses).results
    lines = (5, 6) if name == "x.ttl" else (5, 7)
    assert [(r.message, r.location) for r in located] == [
        ("said; written as unit:army kgo:hasSubordinate unit:division", f"{name}:{lines[0]}"),
        ("said; written as unit:corps kgo:hasPart unit:division", f"{name}:{lines[1]}"),
        (f"said; kgo:subordinateTo by its inverse kgo:hasSubordinate at {name}:{lines[0]}, and "
         f"unit:division is a kgo:Division ({name}:3)", f"{name}:3")]
    # the ontology's file among the texts says them itself
    ontology = (f"<{kgo}subordinateTo> <http://www.w3.org/2002/07/owl#inverseOf> "
                f"<{kgo}hasSubordinate> .\n")
    located = Report(conforms=False, results=results[:1]).located(
        [(name, text), ("o.nt", ontology)]).results
    assert [r.location for r in located] == [f"{name}:{lines[0]}"]
    # without inverses it stayed at the division's first statement
    located = Report(conforms=False, results=results[:1]).located([(name, text)]).results
    assert [(r.message, r.location) for r in located] == [("said", f"{name}:3")]


def test_a_json_ld_context_s_term_definitions_name_no_node():
    """An "@id" in a context's term definition ({"home": {"@id": "place:xanadu"}}) names the
    term's IRI, not a node: a result on the node is at the node object's "@id", as the same
    data in Turtle places it at its statement, not at the context (it was)."""
    place = "https://w3id.org/kg1978/place/"
    text = """{"@context": {"place": "https://w3id.org/kg1978/place/",
              "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
              "home": {"@id": "place:xanadu", "@type": "@id"},
              "@vocab": "https://w3id.org/kg1978/ontology/"},
 "@graph": [{"@id": "place:elsewhere", "rdfs:label": "Elsewhere"},
            {"@id": "place:xanadu",
             "rdfs:label": "Xanadu"}]}
"""
    turtle = """@prefix place: <https://w3id.org/kg1978/place/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
place:elsewhere rdfs:label "Elsewhere" .
place:xanadu
    rdfs:label "Xanadu" .
"""
    result = Result(focus=place + "xanadu", path=None, value=None, severity="Violation",
                    message="m", shape="urn:s", constraint="urn:c")
    for name, data, line in (("d.jsonld", text, 6), ("d.ttl", turtle, 4)):
        report = Report(conforms=False, results=[result]).located([(name, data)])
        assert [r.location for r in report.results] == [f"{name}:{line}"]


def test_json_nested_too_deep_falls_back_to_no_line():
    """The line finder read a JSON-LD text with json.loads unguarded: an array nested deeper
    than it reads raised RecursionError out of the report (rdflib refuses such a file first
    today, but lines are a help only): the text is still JSON-LD, its nodes' names keep their
    lines where they are written in full, and a result on a node it cannot name is at the
    file."""
    from kg.validate import statement_lines

    text = ('{"@id": "urn:x:a", "urn:x:p": ' + "[" * 100_000 + "]" * 100_000
            + ',\n "urn:x:q": {"@id": "urn:x:b"}}')
    found = statement_lines([("d.jsonld", text)])
    assert found.lineless == ["d.jsonld"] and found.subjects["urn:x:a"] == "d.jsonld:1"
    results = [Result(focus=f, path=None, value=None, severity="Violation", message="m",
                      shape="urn:s", constraint="urn:c") for f in ("urn:x:a", "_:b0")]
    report = Report(conforms=False, results=results).located([("d.jsonld", text)])
    assert [r.location for r in report.results] == ["d.jsonld:1", "d.jsonld:"]
    assert with_prefix_warnings(report, [("d.jsonld", text)]).results == report.results


def test_subject_lines_point_at_statements():
    from kg.validate import subject_lines

    turtle = """@prefix ex: <http://example.org/> .
PREFIX other: <http://example.org/other/>
# ex:commented a ex:Thing .
ex:a a ex:Thing ;
    ex:p ex:not-a-subject ;   # a predicate line, not a statement's start
    ex:q "x." .
<http://example.org/b> ex:p ex:a .

other:c ex:p [
    ex:q ex:r
] .
ex:a ex:p ex:d .
"""
    trig = "<http://example.org/g> {\n  <http://example.org/e> <http://x/p> 1 .\n}\n"
    found = subject_lines([("t.ttl", turtle), ("g.trig", trig)])
    assert found["http://example.org/a"] == "t.ttl:4"  # the first statement only
    assert found["http://example.org/b"] == "t.ttl:7"
    assert found["http://example.org/other/c"] == "t.ttl:9"
    assert found["http://example.org/e"] == "g.trig:2"
    for absent in ("not-a-subject", "commented", "r", "d"):
        assert "http://example.org/" + absent not in found


# ---------------------------------------------------------------- dates of mixed precision

#: Days, months and years around the war, as the sources give them.
_MIXED_PRECISION = ("1978", "1979", "1978-11", "1978-12", "1979-01", "1978-11-30",
                    "1978-12-01", "1978-12-31", "1979-01-01", "1979-01-15")


def _span(value: str) -> tuple[str, str]:
    """The first and last day a date of any precision can denote, as ISO strings."""
    if len(value) == 4:
        return f"{value}-01-01", f"{value}-12-31"
    if len(value) == 7:
        year, month = map(int, value.split("-"))
        last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).isoformat()
        return f"{value}-01", last
    return value, value


def _constraint_rows(shapes: Graph, name: str, data: Graph) -> set[str]:
    """The focus nodes a SPARQL constraint reports on ``data``, its query run as it is with
    $this left free (every focus node at once)."""
    text = str(shapes.value(URIRef(expand(f"kgs:{name}")), SH.select))
    query = sparql_prologue() + text.replace("$this", "?this")
    return {str(row[0]) for row in data.query(query)}


def _literal(value: str) -> Literal:
    kind = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)
    return Literal(value, datatype=kind)


@pytest.mark.parametrize(("constraint", "first", "second", "days_only"), [
    # one event: its start against its own end, or its latest end (a day)
    ("StartNotAfterEndConstraint", "startDate", "endDate", False),
    ("StartNotAfterLatestEndConstraint", "startDate", "notAfter", True),
])
def test_an_events_own_dates_compare_as_the_spans_they_denote(shapes, constraint, first,
                                                              second, days_only):
    """A start is reported after an end only when its first day is after the end's last day:
    every pairing of day, month and year values (a month that overlaps the other is no
    contradiction)."""
    kgo = PREFIXES["kgo"]
    data, expected = Graph(), set()
    for i, (a, b) in enumerate(product(_MIXED_PRECISION, _MIXED_PRECISION)):
        if days_only and len(b) != 10:
            continue
        event = URIRef(f"{BASE}event/pair-{i}")
        data.add((event, URIRef(kgo + first), _literal(a)))
        data.add((event, URIRef(kgo + second), _literal(b)))
        if _span(a)[0] > _span(b)[1]:
            expected.add(str(event))
    assert expected  # the pairings include contradictions
    assert _constraint_rows(shapes, constraint, data) == expected


@pytest.mark.parametrize(("constraint", "part", "whole", "contradiction"), [
    # a part that began (at the latest) before its whole began (at the earliest)
    ("PartNotBeforeWholeConstraint", "startDate", "startDate",
     lambda p, w: _span(p)[1] < _span(w)[0]),
    # a part that began (at the earliest) after its whole ended (at the latest)
    ("PartNotAfterWholeConstraint", "startDate", "endDate",
     lambda p, w: _span(p)[0] > _span(w)[1]),
])
def test_dates_across_events_compare_as_the_spans_they_denote(shapes, constraint, part, whole,
                                                              contradiction):
    """The chronology constraints report a part against its whole only when no reading of the
    two dates (any day of a month or a year) agrees: every pairing of day, month and year."""
    kgo = PREFIXES["kgo"]
    data, expected = Graph(), set()
    for i, (a, b) in enumerate(product(_MIXED_PRECISION, _MIXED_PRECISION)):
        p, w = URIRef(f"{BASE}event/part-{i}"), URIRef(f"{BASE}event/whole-{i}")
        data.add((p, URIRef(kgo + "subEventOf"), w))
        data.add((p, URIRef(kgo + part), _literal(a)))
        data.add((w, URIRef(kgo + whole), _literal(b)))
        if contradiction(a, b):
            expected.add(str(p))
    assert expected and len(expected) < len(_MIXED_PRECISION) ** 2
    assert _constraint_rows(shapes, constraint, data) == expected


# ---------------------------------------------------------------- results repeated by the closure


def test_mark_followers_points_each_repeat_at_the_result_it_repeats():
    """A value on a sub-property is a value of each super-property in the closure: a result
    on a super-property with the same focus node, value and severity follows the one on the
    lowest property; not across values or severities, and properties equivalent to each other
    (a cycle) follow none."""
    from kg.validate import Report, Result, mark_followers

    def result(path, value='"x"', severity="Violation", focus="urn:e"):
        return Result(focus=focus, path=path, value=value, severity=severity, message=path,
                      shape="urn:shape:" + path, constraint="urn:c")

    chain = [("urn:onDate", "urn:startDate"), ("urn:startDate", "urn:schemaStart"),
             ("urn:onDate", "urn:endDate"), ("urn:a", "urn:b"), ("urn:b", "urn:a")]
    results = [result("urn:onDate"), result("urn:startDate"), result("urn:schemaStart"),
               result("urn:endDate"), result("urn:endDate", value='"y"'),
               result("urn:startDate", severity="Warning"), result("urn:a"), result("urn:b"),
               result("urn:startDate", focus="urn:other"),
               Result(focus="urn:e", path=None, value='"x"', severity="Violation",
                      message="no path", shape="urn:shape", constraint="urn:c")]
    marked = mark_followers(results, chain)
    assert [r.follows for r in marked] == [None, "urn:onDate", "urn:onDate", "urn:onDate",
                                           None, None, None, None, None, None]
    groups = Report(conforms=False, results=marked).grouped()
    assert [(lead.path, [f.path for f in repeats]) for lead, repeats in groups][0] == (
        "urn:onDate", ["urn:startDate", "urn:schemaStart", "urn:endDate"])
    assert sum(1 + len(repeats) for _, repeats in groups) == len(results)
    assert mark_followers(results, []) == results


def test_a_range_shapes_repeat_of_a_hand_written_result_follows_it():
    """A generated range shape (kgs:P-range) whose result says what a hand-written shape's
    says (same focus node, value, severity and component; the same path or an alternative
    path that has it) follows it, whichever comes first; not across components or values."""
    from kg.validate import Report, Result, mark_followers

    kgo, kgs = "https://w3id.org/kg1978/ontology/", "https://w3id.org/kg1978/shapes/"
    cls = str(SH.ClassConstraintComponent)

    def result(shape, path, value="urn:doc", constraint=cls):
        return Result(focus="urn:e", path=path, value=value, severity="Violation",
                      message=shape, shape=kgs + shape, constraint=constraint)

    results = [result("tookPlaceAt-range", kgo + "tookPlaceAt"),
               result("EventPlaceShape", kgo + "tookPlaceAt"),
               result("hadParticipant-range", kgo + "hadParticipant"),
               result("OperationParticipantActorShape",
                      "kgo:hadParticipant|kgo:directedAgainst"),
               result("figureKind-range", kgo + "figureKind"),
               result("QuantityKindShape", kgo + "figureKind", value="urn:other"),
               result("alongRoute-range", kgo + "alongRoute"),
               result("RouteShape", kgo + "alongRoute",
                      constraint=str(SH.NodeKindConstraintComponent))]
    marked = mark_followers(results, [])
    assert [r.follows for r in marked] == [
        kgo + "tookPlaceAt", None, "kgo:hadParticipant|kgo:directedAgainst", None,
        None, None, None, None]
    groups = Report(conforms=False, results=marked).grouped()
    assert [(short(lead.shape), [short(f.shape) for f in repeats])
            for lead, repeats in groups][:2] == [
        ("kgs:EventPlaceShape", ["kgs:tookPlaceAt-range"]),
        ("kgs:OperationParticipantActorShape", ["kgs:hadParticipant-range"])]
    assert sum(1 + len(repeats) for _, repeats in groups) == len(results)



@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_statement_naming_another_object_is_reported_on_its_object(ontology, shapes, validator):
    """A link's statement whose rdf:object is another identifier than the link's (a mistyped
    id) describes a triple not in the graph: the result is on rdf:object, the part that
    differs, with the statement's identifier as its value; not on rdf:subject, which agrees,
    nor on the link its statement was meant for."""
    fixture = (FIXTURES / "link-evidence-without-identifier.ttl").read_text("utf-8")
    statement = "rdf:object <http://www.wikidata.org/entity/Q1850> ;\n    prov:"
    assert fixture.count(statement) == 1
    data = Graph().parse(data=fixture.replace(statement, statement.replace("Q1850", "Q1805")),
                         format="turtle")
    report = validate_with(closure_view(data + ontology), shapes, validator)
    assert not report.conforms
    found = [(short(r.focus), short(r.path or ""), r.value) for r in report.results]
    assert found == [("link:party-wikidata", "rdf:object", "http://www.wikidata.org/entity/Q1805")]


LINK_OBJECT_DIFFERS = (
    "this link's statement names another identifier than the link: actor:party links to {}, "
    "which no statement describes; one of the two is mistyped: correct it to the identifier the "
    "evidence (dcterms:bibliographicCitation) names")


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
@pytest.mark.parametrize(("fixture", "expected"), [
    # the path names what is missing, and there is no value: not the statement itself
    ("link-without-evidence", [(
        "kgs:LinkEvidenceShape", "link:party-wikidata", "dcterms:bibliographicCitation", None,
        "an authority link's statement cites the evidence the link was verified from "
        "(dcterms:bibliographicCitation: what the stored record shows, naming the identifier; "
        "the note column of `kg links import`): this one has none")]),
    # the link mistyped: one result, on the statement's identifier, naming the link's; not
    # also "an authority link needs its reified statement" on the entity
    ("link-mistyped-beside-its-statement", [(
        "kgs:StatementShape", "link:party-wikidata", "rdf:object",
        "http://www.wikidata.org/entity/Q1850",
        LINK_OBJECT_DIFFERS.format("http://www.wikidata.org/entity/Q1851"))]),
    # a second statement of a stated link, naming another identifier: not in the graph
    ("link-statement-of-no-link", [(
        "kgs:StatementShape", "link:party-wikidata-2", "rdf:object",
        "http://www.wikidata.org/entity/Q1851",
        "the statement describes a triple that is not in the graph (a source's claim that the "
        "graph does not assert is also a schema:Claim)")]),
    # the link malformed: the form's result alone, which says what is wrong with it
    ("link-malformed-beside-its-statement", [(
        "kgs:ExactMatchFormShape", "actor:party", "skos:exactMatch",
        "http://www.wikidata.org/entity/Q1850x",
        "an authority link must be a canonical Wikidata entity IRI "
        "(http://www.wikidata.org/entity/Q…), GeoNames IRI (https://sws.geonames.org/N/), VIAF "
        "IRI (http://viaf.org/viaf/N) or LCNAF IRI (http://id.loc.gov/authorities/names/n…)")]),
    # the statement mistyped: the same, and not also "the evidence does not name 1851"
    ("link-statement-object-mistyped", [(
        "kgs:StatementShape", "link:party-wikidata", "rdf:object",
        "http://www.wikidata.org/entity/Q1851",
        LINK_OBJECT_DIFFERS.format("http://www.wikidata.org/entity/Q1850"))]),
])
def test_a_links_statement_at_fault_is_one_result_naming_what_is_wrong(
        fixture, expected, validator, ontology, shapes):
    """One cause, one result, in both engines: a link's statement without evidence is reported
    on the missing property with no value; a link and its statement naming two identifiers
    on the statement's rdf:object, its message naming the link's identifier."""
    report = validate_closure([parse_file(FIXTURES / f"{fixture}.ttl"), ontology], shapes,
                              validator=validator)
    assert not report.conforms and report.exit_code == 1
    assert [(short(r.shape), short(r.focus), short(r.path or ""), r.value, r.message)
            for r in report.results] == expected, report.as_text()
    assert ("\n  value:" in report.as_text()) == (expected[0][3] is not None)


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
@pytest.mark.parametrize(("point", "hint"), [
    ("POINT(108.0 95.0)", "; the latitude 95.0 is out of range (-90 to 90)"),
    ("POINT(16.0 108.0)", "; the latitude 108.0 is out of range (-90 to 90): written latitude "
                          "first? (POINT(longitude latitude))"),
    ("POINT(-181 12.5)", "; the longitude -181 is out of range (-180 to 180)"),
    ("POINT(105,12.5)", ""),  # not a point's form: the message says the form
])
def test_a_point_out_of_range_is_a_violation_that_says_which_coordinate(
        point, hint, validator, ontology, shapes):
    """A latitude past 90 or a longitude past 180 is no place: a violation of the geometry's
    pattern (a latitude of 95 was only the plausibility warning), saying which coordinate."""
    fixture = (FIXTURES / "geometry-latitude-out-of-range.ttl").read_text("utf-8")
    data = Graph().parse(data=fixture.replace("POINT(108.0 95.0)", point), format="turtle")
    report = validate_closure([data, ontology], shapes, validator=validator)
    assert [(short(r.shape), r.severity, r.message) for r in report.results] == [(
        "kgs:GeometryShape", "Violation", "a geometry is one WKT POINT(longitude latitude), "
        "longitude -180 to 180 and latitude -90 to 90, typed geo:wktLiteral" + hint)]


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_misspelt_class_is_one_result_its_domains_follow(validator, ontology, shapes):
    """An event whose one class is misspelt is no kgo:Event, so each of its properties breaks
    its domain: those results only repeat the misspelling, and follow the result that names
    it, at the line where the class is written (they stood as results of their own, at the
    event's first line)."""
    fixture = FIXTURES / "event-class-misspelt-alone.ttl"
    line = 1 + fixture.read_text(encoding="utf-8").splitlines().index("    a kgo:Atack ;")
    report = validate_closure([parse_file(fixture), ontology], shapes, validator=validator)
    report = report.located([(fixture.name, fixture.read_text(encoding="utf-8"))])
    assert [(short(r.shape), short(r.focus), r.path and short(r.path),
             r.value and short(r.value), r.follows and short(r.follows)) for r in report.results
            ] == [("kgs:DeclaredTypeShape", "event:incident", "rdf:type", "kgo:Atack", None),
                  ("kgs:endUndatedInSource-domain", "event:incident", None, "event:incident",
                   "rdf:type"),
                  ("kgs:startDate-domain", "event:incident", None, "event:incident",
                   "rdf:type")]
    assert report.results[0].location == f"{fixture.name}:{line}"
    assert report.results[0].message.endswith(". Did you mean kgo:Attack?")
    [(lead, repeats)] = report.grouped()
    assert lead is report.results[0] and repeats == report.results[1:]
    text = report.as_text()
    assert text.startswith("Does not conform: 3 result(s) (3 violations); 2 of them repeat "
                           "another"), text
    assert ("  also as:    the subject of kgo:endUndatedInSource (or of a sub-property) must "
            "be a kgo:Event (kgs:endUndatedInSource-domain)\n") in text


#: An event part 1 dates 7 January, within a whole that ended that day, and a later file that
#: dates it again, 8 January (README: "A later source that disagrees"), as the lines of one text.
REDATED = """@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix event: <https://w3id.org/kg1978/event/> .
@prefix src: <https://w3id.org/kg1978/source/> .
src:doc a kgo:Source ; rdfs:label "Test document"@en .
src:doc-passage-1 a kgo:Passage ; rdfs:label "Test document, passage 1"@en ;
    dcterms:isPartOf src:doc ; kgo:passageNumber 1 ;
    kgo:textDigest "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" .
event:offensive a kgo:Event ; rdfs:label "An offensive"@en ;
    kgo:startDate "1979-01-01"^^xsd:date ; kgo:endDate "1979-01-07"^^xsd:date ;
    prov:wasDerivedFrom src:doc-passage-1 .
event:capture a kgo:Event ; rdfs:label "A capture"@en ;
    kgo:onDate "1979-01-07"^^xsd:date ;
    kgo:subEventOf event:offensive ;
    prov:wasDerivedFrom src:doc-passage-1 .
event:capture kgo:onDate "1979-01-08"^^xsd:date .
"""


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_second_date_is_one_result_its_chronology_follows(validator, ontology, shapes):
    """An event given a second kgo:onDate: the too-many-values result is the cause. The
    chronology results on the event compare the date too many ("start date 1979-01-08 is
    after end date 1979-01-07", "dated 1979-01-08 at the earliest, after the event it is part
    of had ended"), so they follow it, as the same said of kgo:startDate and kgo:endDate do,
    and are shown with it, each with its path and value."""
    data = Graph().parse(data=REDATED, format="turtle")
    report = validate_closure([data, ontology], shapes, validator=validator)
    report = report.located([("later.ttl", REDATED)])
    on_date = "kgo:onDate"
    assert sorted((short(r.shape), short(r.path), r.follows and short(r.follows))
                  for r in report.results) == [
        ("kgs:EventChronologyShape", "kgo:subEventOf", on_date),
        ("kgs:EventEndDateShape", "kgo:endDate", on_date),
        ("kgs:EventOnDateShape", on_date, None),
        ("kgs:EventShape", "kgo:endDate", on_date),
        ("kgs:EventStartDateShape", "kgo:startDate", on_date)]
    [(lead, repeats)] = report.grouped()
    assert (short(lead.focus), lead.message) == (
        "event:capture", 'kgo:onDate must be one xsd:date: a one-day event happened on a day; '
        'it has 2 values of kgo:onDate: "1979-01-07"^^xsd:date (later.ttl:16), '
        '"1979-01-08"^^xsd:date (later.ttl:19)')
    text = report.as_text()
    assert ('              kgo:endDate "1979-01-07"^^xsd:date: start date 1979-01-08 is after '
            'end date 1979-01-07 (kgs:EventShape)\n') in text, text
    assert ('              kgo:subEventOf event:offensive: dated 1979-01-08 at the earliest, '
            'after the event it is part of had ended (1979-01-07 at the latest) '
            '(kgs:EventChronologyShape)\n') in text, text
    # the Turtle report links each to the result it repeats
    turtle = Graph().parse(data=report.as_turtle(), format="turtle")
    repeats_of = URIRef(expand("kgs:repeats"))
    assert len(set(turtle.subjects(repeats_of, None))) == 4
    assert len(set(turtle.objects(None, repeats_of))) == 1


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
@pytest.mark.parametrize("stated", [True, False])
def test_a_unit_made_subordinate_to_itself_is_one_result(stated, validator, ontology, shapes):
    """A unit made subordinate to itself (a mistyped value; its statement names the army
    meant) was three results: the cycle, the statement describing a triple not in the graph,
    and the relation without its statement. The cycle is the cause: its one result stands on
    the triple's line and names the statement and what it says. Without a statement, the
    reflexive triple is the cycle's alone too (not also "needs an rdf:Statement")."""
    fixture = FIXTURES / "unit-subordinate-to-itself.ttl"
    text = fixture.read_text(encoding="utf-8")
    if not stated:
        text = text.split("stmt:division-in-army a rdf:Statement", 1)[0]
    lines = text.splitlines()
    line = 1 + lines.index("    kgo:subordinateTo unit:division .")
    data = Graph().parse(data=text, format="turtle")
    report = validate_closure([data, ontology], shapes, validator=validator)
    report = report.located([("x.ttl", text)])
    said = (f"; its statement stmt:division-in-army (x.ttl:{line + 3}) names unit:army: one of "
            "the two is mistyped") if stated else ""
    assert [(short(r.shape), short(r.focus), short(r.path), short(r.value), r.location,
             r.message) for r in report.results] == [(
        "kgs:GroupShape", "unit:division", "kgo:subordinateTo", "unit:division", f"x.ttl:{line}",
        "subordination cycle: the group is subordinate to itself: unit:division → unit:division "
        f"(x.ttl:{line})" + said)]


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_place_within_itself_leaves_it_in_no_country_as_a_follower(validator, ontology,
                                                                     shapes):
    """A place made to lie within itself (its one kgo:placeWithin names itself) is in no
    country: kgs:PlaceInCountryShape's result is a consequence of the cycle (the step that
    closes it is the one that should lead to the country), so it follows the cycle's result
    and is shown under it, as "also as", and linked to it by kgs:repeats in the Turtle
    report; it stood beside the cycle as a mistake of its own."""
    head = (FIXTURES / "place-containment-cycle.ttl").read_text(encoding="utf-8")
    head = head.split("place:vietnam a kgo:Country", 1)[0]
    text = head + (
        'place:north a kgo:Region ;\n    rdfs:label "The north"@en ;\n'
        "    kgo:placeWithin place:north .\n")
    line = text.splitlines().index("    kgo:placeWithin place:north .") + 1
    data = Graph().parse(data=text, format="turtle")
    report = validate_closure([data, ontology], shapes, validator=validator)
    report = report.located([("x.ttl", text)])
    groups = [(short(lead.shape), lead.location, [(short(f.shape), short(f.follows))
                                                    for f in repeats])
              for lead, repeats in report.grouped()]
    assert groups == [("kgs:PlaceShape", f"x.ttl:{line}",
                       [("kgs:PlaceInCountryShape", "kgo:placeWithin")])]
    turtle = Graph().parse(data=report.as_turtle(), format="turtle")
    assert len(set(turtle.subject_objects(URIRef(expand("kgs:repeats"))))) == 1


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_date_with_a_stray_space_says_so(validator, ontology, shapes):
    """"1978-02-05 "^^xsd:date is no xsd:date: the message said "1978-02-05  is not written as
    an xsd:date (YYYY-MM-DD)", which it seems to be; it says where the space is and what to
    write. One result."""
    fixture = FIXTURES / "event-start-date-trailing-space.ttl"
    report = validate_closure([parse_file(fixture), ontology], shapes, validator=validator)
    assert [(short(r.shape), short(r.focus), short(r.path), r.value, r.message)
            for r in report.results] == [(
        "kgs:EventStartDateShape", "event:incident", "kgo:startDate",
        '"1978-02-05 "^^<http://www.w3.org/2001/XMLSchema#date>',
        "start date must be one well-formed xsd:date (1979-01-07), xsd:gYearMonth (1978-05) or "
        'xsd:gYear (1978); "1978-02-05 " has white space at an end: write it '
        '"1978-02-05"^^xsd:date')]


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
@pytest.mark.parametrize(("fixture", "message"), [
    ("group-active-after-dissolution",
     "actor:front takes part in it from 1978-12-23 at the earliest, after its dissolution "
     "(event:dissolution) had ended (1978-01-10 at the latest): a date, the dissolution's or "
     "this event's, or the participant mistyped?"),
    ("group-active-before-founding",
     "actor:front takes part in it until 1978-02 at the latest, before its founding "
     "(event:founding) can have begun (1978-12-02 at the earliest): a date, the founding's or "
     "this event's, or the participant mistyped?"),
])
def test_a_group_takes_part_in_nothing_outside_its_lifetime(fixture, message, validator,
                                                             ontology, shapes):
    """A group dissolved before it acted, or founded after (the shapes let both through): one
    result, on the event, at the line naming the group; an event that may have gone on past
    the founding (no end) or ends in its month is not one."""
    path = FIXTURES / f"{fixture}.ttl"
    text = path.read_text(encoding="utf-8")
    line = 1 + text.splitlines().index("    kgo:carriedOutBy actor:front ;")
    report = validate_closure([parse_file(path), ontology], shapes, validator=validator)
    report = report.located([("x.ttl", text)])
    assert [(short(r.shape), short(r.focus), short(r.path), short(r.value), r.location,
             r.message) for r in report.results] == [(
        "kgs:GroupLifetimeShape", "event:appeal", "kgo:hadParticipant", "actor:front",
        f"x.ttl:{line}", message)]


def test_undeclared_terms_and_their_suggestions_are_read_from_the_same_results():
    """Each shape reporting an undeclared kgo: term names it in its own field (kgs:… shapes
    only, kgo: terms only); the terms and the "Did you mean" agree on which results those are."""
    from kg.iris import BASE, KGO
    from kg.validate import Result, undeclared_terms, with_suggestions

    def result(shape: str, *, path=None, value=None) -> Result:
        return Result(focus=BASE + "event/x", path=path, value=value, severity="Violation",
                      message="m", shape=shape, constraint="urn:x:c")

    kgs = BASE + "shapes/"
    results = [result(kgs + "DeclaredTypeShape", value=f"{KGO}Attak"),
               result(kgs + "DeclaredPropertyShape", path=f"{KGO}tookPlceAt"),
               result(kgs + "OntologyReferenceShape", value=f"{KGO}tookPlaceAT"),
               result(kgs + "QuantityKindShape", value=f"{KGO}troopKilled"),
               result(kgs + "DeclaredTypeShape", value="http://schema.org/Evnt"),
               result("urn:x:DeclaredTypeShape", value=f"{KGO}Attak"),
               result(kgs + "DeclaredTypeShape", path=f"{KGO}Attak")]
    assert undeclared_terms(results) == {f"{KGO}{n}" for n in (
        "Attak", "tookPlceAt", "tookPlaceAT", "troopKilled")}
    declared = {"class": {f"{KGO}Attack"}, "property": {f"{KGO}tookPlaceAt"},
                "figure kind": {f"{KGO}troopsKilled"}}
    assert [r.message for r in with_suggestions(results, lambda: declared)] == [
        "m. Did you mean kgo:Attack?", "m. Did you mean kgo:tookPlaceAt?",
        "m. Did you mean kgo:tookPlaceAt?", "m. Did you mean kgo:troopsKilled?", "m", "m", "m"]


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_relation_and_its_statement_naming_two_values_is_one_result(validator, ontology,
                                                                       shapes):
    """A division written under one army and stated under another was two results: the
    relation without its statement, and the statement describing a triple not in the graph.
    One cause: the relation's result, on its line, names the statement and what it says."""
    fixture = FIXTURES / "relation-and-statement-name-two-values.ttl"
    text = fixture.read_text(encoding="utf-8")
    lines = text.splitlines()
    line = 1 + lines.index("    kgo:subordinateTo unit:front-army .")
    stated = 1 + lines.index("    rdf:subject unit:division ; rdf:predicate kgo:subordinateTo ;"
                             " rdf:object unit:army ;")
    report = validate_closure([parse_file(fixture), ontology], shapes, validator=validator)
    assert len(report.results) == 2
    report = report.located([("x.ttl", text)])
    assert [(short(r.shape), short(r.focus), short(r.path), short(r.value), r.location,
             r.message) for r in report.results] == [(
        "kgs:ReifiedChainShape", "unit:division", "kgo:subordinateTo", "unit:front-army",
        f"x.ttl:{line}",
        "a unit or body under another needs an rdf:Statement beside it naming the triple "
        "(rdf:subject, rdf:predicate, rdf:object) with the passage it comes from "
        "(prov:wasDerivedFrom) or who asserted it (prov:wasAttributedTo); one that only "
        "follows from others (through a unit between them) needs theirs; its statement "
        f"stmt:division-in-army (x.ttl:{stated}) names unit:army: one of the two is mistyped: "
        "correct the one its source does not bear")]
    # the report graph has the one result too, annotated with what the message adds
    turtle = Graph().parse(data=report.as_turtle(), format="turtle")
    assert len(set(turtle.subjects(RDF.type, SH.ValidationResult))) == 1
    assert "names unit:army: one of the two is mistyped" in str(
        next(turtle.objects(None, URIRef(BASE + "shapes/hint"))))


@pytest.mark.parametrize("fmt", ["json", "sarif", "turtle"])
def test_a_prefix_declared_again_is_a_warning_in_every_report(fmt, ontology, shapes):
    """A prefix declared again with another IRI was said on stderr only: a JSON, SARIF or
    Turtle report (CI, code scanning) had no word of it. A warning result at the second
    declaration, its focus node the IRI declared there; the data conforms."""
    import json

    fixture = FIXTURES / "prefix-declared-again.ttl"
    text = fixture.read_text(encoding="utf-8")
    line = 1 + text.splitlines().index("@prefix unit:    <https://w3id.org/kg1978/place/> .")
    report = with_prefix_warnings(validate_closure([parse_file(fixture), ontology], shapes),
                                  [("x.ttl", text)])
    message = ("@prefix unit: declared again, as <https://w3id.org/kg1978/place/> (line 15 "
               "declared <https://w3id.org/kg1978/unit/>): every unit: name after it is an IRI "
               "of the second; remove one")
    assert report.conforms
    if fmt == "json":
        assert [(r["severity"], short(r["shape"]), r["focus"], r["location"], r["message"])
                for r in json.loads(report.as_json())["results"]] == [(
            "Warning", "kgs:PrefixDeclarationShape", "https://w3id.org/kg1978/place/",
            f"x.ttl:{line}", message)]
    elif fmt == "sarif":
        run = json.loads(report.as_sarif())["runs"][0]
        assert [(r["level"], r["ruleId"], r["locations"][0]["physicalLocation"]["region"][
            "startLine"]) for r in run["results"]] == [
            ("warning", "kgs:PrefixDeclarationShape", line)]
        assert run["tool"]["driver"]["rules"][0]["shortDescription"]["text"] == (
            "prefix declared once")
    else:
        graph = Graph().parse(data=report.as_turtle(), format="turtle")
        (node,) = graph.subjects(RDF.type, SH.ValidationResult)
        assert graph.value(node, SH.resultSeverity) == SH.Warning
        assert str(graph.value(node, SH.resultMessage)) == message
        assert graph.value(node, URIRef(BASE + "shapes/line")).toPython() == line


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
@pytest.mark.parametrize(("written", "hint"), [
    ('"tỉnh Tây Ninh"', '; write it "tỉnh Tây Ninh"@vi'),
    ('"ក្រចេះ"', '; write it "ក្រចេះ"@km'),
    # â, ê, ô alone are French as well: no language is guessed
    ('"Phnôm Pênh"', '; write it with its language\'s tag ("Phnôm Pênh"@en for an English name)'),
    ('"Saloth Sar"', '; write it with its language\'s tag ("Saloth Sar"@en for an English name)'),
])
def test_an_alternative_label_without_its_tag_says_which_to_write(written, hint, validator,
                                                                  ontology, shapes):
    """A skos:altLabel written without a language tag said only that it needs one: where its
    letters tell the language (Vietnamese's own, the Khmer script), the result says which
    tag to write; else how a tag is written."""
    data = Graph().parse(data=f"""
        @prefix kgo: <https://w3id.org/kg1978/ontology/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/kg1978/actor/someone> a kgo:Person ; rdfs:label "Someone"@en ;
            skos:altLabel {written} .""", format="turtle")
    report = validate_closure([data, ontology], shapes, validator=validator)
    got = [(short(r.shape), r.message) for r in report.results]
    assert got == [("kgs:AltLabelShape", "a skos:altLabel needs a language tag" + hint)], got


DAY_WANTED = ("must be one well-formed xsd:date (1979-01-07), xsd:gYearMonth (1978-05) or "
              "xsd:gYear (1978)")


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
@pytest.mark.parametrize(("fixture", "value", "hint"), [
    ("event-date-in-words", '"7 January 1979"',
     '; "7 January 1979" is a date in words: write it "1979-01-07"^^xsd:date'),
    ("event-date-time", '"1979-01-07T00:00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>',
     '; "1979-01-07T00:00:00" is a date-time: write it "1979-01-07"^^xsd:date'),
])
def test_a_day_written_another_way_says_what_to_write(fixture, value, hint, validator,
                                                      ontology, shapes):
    """A day as the article writes it ("7 January 1979") or typed as a date-time gave no hint
    of what to write; the words, compared with the whole's dates as text, also made "dated 7
    January 1979 at the earliest, after the event it is part of had ended", a result of its
    own. The datatype's result says what to write; the rest are shown under it."""
    path = ROOT / "tests" / "data" / "validation" / f"{fixture}.ttl"
    text = path.read_text(encoding="utf-8")
    report = validate_closure([parse_file(path), ontology], shapes, validator=validator)
    report = report.located([("x.ttl", text)])
    got = [(short(r.shape), short(r.path), r.value, short(r.follows) if r.follows else None,
            r.message) for r in report.results]
    expected = [
        ("kgs:EventOnDateShape", "kgo:onDate", value, None,
         "kgo:onDate must be one xsd:date: a one-day event happened on a day" + hint),
        ("kgs:EventEndDateShape", "kgo:endDate", value, "kgo:onDate",
         f"end date {DAY_WANTED}{hint}"),
        ("kgs:EventStartDateShape", "kgo:startDate", value, "kgo:onDate",
         f"start date {DAY_WANTED}{hint}")]
    if fixture == "event-date-in-words":
        expected.append(("kgs:EventChronologyShape", "kgo:subEventOf", BASE + "event/offensive",
                         "kgo:onDate", "dated 7 January 1979 at the earliest, after the event "
                         "it is part of had ended (1979-01-07 at the latest)"))
    assert sorted(got, key=str) == sorted(expected, key=str)
    assert {r.focus for r in report.results} == {BASE + "event/capture"}
    assert len(report.grouped()) == 1


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_relative_iri_says_it_is_one(validator, ontology, shapes):
    """kgo:tookPlaceAt <city> (place:city meant) is made a file: IRI by the parser, against the
    file's address: the result said only "an event takes place at a kgo:Place", its value a
    path of this machine. It says the IRI was relative, and what to write."""
    path = ROOT / "tests" / "data" / "validation" / "relative-iri.ttl"
    report = validate_closure([parse_file(path), ontology], shapes, validator=validator)
    hint = ("; <city> is a relative IRI, read against the file's own address: write the "
            "entity's prefixed name (place:…, unit:…) or its full https://w3id.org/kg1978/ IRI")
    assert sorted((short(r.shape), short(r.path), r.value, r.message)
                  for r in report.results) == [
        ("kgs:EventPlaceShape", "kgo:tookPlaceAt", path.parent.as_uri() + "/city",
         "an event takes place at a kgo:Place" + hint),
        ("kgs:tookPlaceAt-range", "kgo:tookPlaceAt", path.parent.as_uri() + "/city",
         "the value of kgo:tookPlaceAt (or of a sub-property) must be a kgo:Place" + hint)]


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_date_in_words_compared_by_other_events_says_so(validator, ontology, shapes):
    """A date in words on one event ("2 December 1978" for a founding, "5 January 1979" for an
    offensive's start) was compared as text by the checks of other events: a meeting of
    1978-12-21 "before its founding can have begun (2 December 1978 at the earliest)", a
    capture of 1979-01-06 "before the event it is part of can have begun", read as their own
    mistakes. Each says it compared the words as text and what to write; the offensive's own
    "start date 5 January 1979 is after end date" (sh:or's result, as kgo:startDate has it)
    follows the start date's result, as a kgo:onDate's does."""
    path = ROOT / "tests" / "data" / "validation" / "dates-in-words-compared.ttl"
    report = validate_closure([parse_file(path), ontology], shapes, validator=validator)
    founding = ('; 2 December 1978 is event:founding\'s kgo:onDate in words, compared here as '
                'text: this says nothing until it is written "1978-12-02"^^xsd:date')
    offensive = ('; 5 January 1979 is event:offensive\'s kgo:startDate in words, compared here '
                 'as text: this says nothing until it is written "1979-01-05"^^xsd:date')
    compared = sorted((short(r.focus), short(r.shape), r.message.endswith(founding),
                       r.message.endswith(offensive))
                      for r in report.results if r.shape.endswith(("LifetimeShape",
                                                                    "ChronologyShape")))
    assert compared == [
        ("event:capture", "kgs:EventChronologyShape", False, True),
        ("event:capture", "kgs:GroupLifetimeShape", True, False),
        ("event:meeting", "kgs:GroupLifetimeShape", True, False),
        ("event:offensive", "kgs:GroupLifetimeShape", True, False)]
    [after] = [r for r in report.results if short(r.shape) == "kgs:EventShape"]
    assert (short(after.focus), after.message, short(after.follows)) == (
        "event:offensive", "start date 5 January 1979 is after end date 1979-01-07",
        "kgo:startDate")


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_value_listed_is_placed_at_its_own_predicate(validator, ontology, shapes):
    """The too-many-values result lists each value at the line giving it by the result's
    path, not at an earlier line giving the focus the same text by another predicate (a
    kgo:notBefore of the same day, written first)."""
    text = REDATED.replace('event:capture a kgo:Event ; rdfs:label "A capture"@en ;\n',
                           'event:capture a kgo:Event ; rdfs:label "A capture"@en ;\n'
                           '    kgo:notBefore "1979-01-07"^^xsd:date ;\n')
    assert text.splitlines()[15] == '    kgo:notBefore "1979-01-07"^^xsd:date ;'
    data = Graph().parse(data=text, format="turtle")
    report = validate_closure([data, ontology], shapes, validator=validator)
    report = report.located([("later.ttl", text)])
    lead = next(r for r in report.results if short(r.shape) == "kgs:EventOnDateShape")
    assert lead.message.endswith(
        'it has 2 values of kgo:onDate: "1979-01-07"^^xsd:date (later.ttl:17), '
        '"1979-01-08"^^xsd:date (later.ttl:20)'), lead.message
