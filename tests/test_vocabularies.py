"""kg.vocabularies: a term of a standard vocabulary's namespace that the vocabulary does not
define is a warning (it does not fail validation), with the term meant where one is close, at
its file and line, in every report format, with either engine; the project's graph uses none."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from kg.cli import main
from kg.iris import INFERRED_GRAPH
from kg.vocabularies import (
    COMPONENT,
    SHAPE,
    TERMS_DIR,
    VOCABULARIES,
    is_unknown,
    suggestion,
    terms,
    unknown_terms_in_graph,
    unknown_terms_in_store,
)
from kgtest import REPO, project_copy

PREFIXES = """@prefix ex:      <http://example.org/> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix schema:  <http://schema.org/> .
@prefix crm:     <http://www.cidoc-crm.org/cidoc-crm/> .
"""

#: (the statement, its misspelt term, the term meant): one a line, after the prefixes (line 11)
MISSPELT = [
    ('ex:thing rdfs:lable "a thing" .', "rdfs:lable", "rdfs:label"),
    ('ex:thing skos:prefLable "a thing"@en .', "skos:prefLable", "skos:prefLabel"),
    ("ex:thing owl:sameas ex:other .", "owl:sameas", "owl:sameAs"),
    ("ex:thing dcterms:sourse ex:document .", "dcterms:sourse", "dcterms:source"),
    ("ex:thing prov:wasDerivedFom ex:document .", "prov:wasDerivedFom", "prov:wasDerivedFrom"),
    ('ex:thing schema:strtDate "1978-12-25" .', "schema:strtDate", "schema:startDate"),
    ('ex:thing ex:when "1978-12-25"^^xsd:dat .', "xsd:dat", "xsd:date"),
    ("ex:thing rdf:typ ex:Thing .", "rdf:typ", "rdf:type"),
    ("ex:thing a schema:Evnt .", "schema:Evnt", "schema:Event"),
    ("ex:Thing rdfs:subClassOf crm:E5_Evnt .", "crm:E5_Evnt", "crm:E5_Event"),
    ('ex:thing rdfs:prefLabel "a thing"@en .', "rdfs:prefLabel", "skos:prefLabel"),
]
#: the same statements with the terms meant: no warning (but owl:sameAs, which a shape forbids)
CORRECT = [line.replace(bad, meant) for line, bad, meant in MISSPELT if meant != "owl:sameAs"]
FIRST_LINE = PREFIXES.count("\n") + 1


@pytest.fixture(scope="module")
def misspelt(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("vocabularies") / "misspelt.ttl"
    path.write_text(PREFIXES + "".join(f"{line}\n" for line, _, _ in MISSPELT), encoding="utf-8")
    return path


def validate(capsys, *args) -> tuple[int, str]:
    code = main(["--root", str(REPO), "validate", *map(str, args)])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_each_misspelt_term_is_a_warning_naming_the_term_meant_at_its_line(capsys, misspelt,
                                                                          engine):
    code, out = validate(capsys, "--validator", engine, "--format", "json", misspelt)
    report = json.loads(out)
    assert code == 0 and report["conforms"] is True, out
    found = {(r["message"].split(" ", 1)[0], r["location"]) for r in report["results"]}
    expected = {(bad, f"{misspelt}:{FIRST_LINE + i}") for i, (_, bad, _) in enumerate(MISSPELT)}
    assert found == expected
    for _, bad, meant in MISSPELT:
        [r] = [r for r in report["results"] if r["message"].startswith(bad + " ")]
        assert f"Did you mean {meant}?" in r["message"], r["message"]
        assert r["severity"] == "Warning"
        assert (r["shape"], r["constraint"]) == (str(SHAPE), str(COMPONENT))
        assert r["focus"] in ("http://example.org/thing", "http://example.org/Thing")


def test_the_text_report_conforms_with_warnings(capsys, misspelt):
    code, out = validate(capsys, misspelt)
    assert code == 0
    assert out.startswith(f"Conforms, with warnings (they do not fail validation): "
                          f"{len(MISSPELT)} result(s) ({len(MISSPELT)} warnings)")
    assert ("Warning: rdfs:lable is not a term of RDF Schema 1.1: a misspelt property? "
            "Did you mean rdfs:label?\n  focus node: http://example.org/thing\n"
            f"  where:      {misspelt}:{FIRST_LINE}\n  path:       rdfs:lable\n"
            '  value:      "a thing"\n'
            "  shape:      kgs:VocabularyTermShape (kgs:VocabularyTermConstraintComponent)"
            ) in out
    assert "xsd:dat is not a term of XML Schema datatypes 1.1: a misspelt datatype? " \
           "Did you mean xsd:date?" in out
    assert "schema:Evnt is not a term of schema.org 30.0: a misspelt class or property?" in out


def test_correct_terms_give_no_warning(capsys, tmp_path):
    path = tmp_path / "correct.ttl"
    path.write_text(PREFIXES + "".join(f"{line}\n" for line in CORRECT), encoding="utf-8")
    code, out = validate(capsys, path)
    assert (code, out) == (0, "Conforms: the data satisfies every shape.\n")


def test_a_term_close_to_none_is_said_so(capsys, tmp_path):
    path = tmp_path / "far.ttl"
    path.write_text(PREFIXES + 'ex:thing schema:qqqzzzxx "?" .\n', encoding="utf-8")
    code, out = validate(capsys, "--format", "json", path)
    [result] = json.loads(out)["results"]
    assert code == 0 and "Did you mean" not in result["message"]
    assert result["message"].startswith("schema:qqqzzzxx is not a term of schema.org 30.0")
    assert "No term of it is close" in result["message"]


def test_a_warning_beside_a_violation_still_fails(capsys, misspelt, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text(misspelt.read_text(encoding="utf-8")
                      + "<https://w3id.org/kg1978/event/x> a <https://w3id.org/kg1978/ontology/"
                        "Atack> .\n", encoding="utf-8")
    code, out = validate(capsys, broken)
    assert code == 1 and out.startswith("Does not conform") and "warnings" in out.splitlines()[0]


def test_the_machine_formats_carry_the_warnings(capsys, misspelt):
    code, out = validate(capsys, "--format", "github", misspelt)
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(MISSPELT)
    assert all(line.startswith(f"::warning file={misspelt},line=") for line in lines)
    assert f"::warning file={misspelt},line={FIRST_LINE},title=SHACL kgs%3AVocabularyTermShape::" \
           "rdfs:lable is not a term of RDF Schema 1.1" in out
    code, out = validate(capsys, "--format", "sarif", misspelt)
    run = json.loads(out)["runs"][0]
    assert code == 0 and {r["level"] for r in run["results"]} == {"warning"}
    [rule] = run["tool"]["driver"]["rules"]
    assert rule["id"] == "kgs:VocabularyTermShape"
    assert rule["shortDescription"]["text"] == "term of a standard vocabulary"
    assert rule["helpUri"] == str(SHAPE)
    assert sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"]
                  for r in run["results"]) == [FIRST_LINE + i for i in range(len(MISSPELT))]


def test_the_turtle_report_is_a_validation_report_whose_results_name_a_shape(capsys, misspelt,
                                                                             shapes):
    """A result no SHACL engine produced still has everything a sh:ValidationResult has, and
    its sh:sourceShape is a shape of shapes/ (with no target: no engine runs it)."""
    code, out = validate(capsys, "--format", "turtle", misspelt)
    report = Graph().parse(data=out, format="turtle")
    [root] = report.subjects(RDF.type, SH.ValidationReport)
    assert code == 0 and report.value(root, SH.conforms) == Literal(True)
    results = list(report.objects(root, SH.result))
    assert len(results) == len(MISSPELT)
    for node in results:
        assert (node, RDF.type, SH.ValidationResult) in report
        for p in (SH.focusNode, SH.resultPath, SH.value, SH.resultMessage):
            assert len(list(report.objects(node, p))) == 1, p
        assert report.value(node, SH.resultSeverity) == SH.Warning
        assert report.value(node, SH.sourceShape) == SHAPE
        assert report.value(node, SH.sourceConstraintComponent) == COMPONENT
    assert (SHAPE, RDF.type, SH.NodeShape) in shapes
    assert not any((SHAPE, p, None) in shapes for p in (
        SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target))


def test_the_store_and_the_graph_find_the_same_uses(misspelt):
    """The build and the fast path read a pyoxigraph store, pySHACL's path an rdflib graph."""
    graph = Graph().parse(misspelt)
    store = ox.Store()
    store.load(misspelt.read_bytes(), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode("urn:test:asserted"))
    in_graph, in_store = unknown_terms_in_graph(graph), unknown_terms_in_store(store)
    assert len(in_graph.uses) == len(MISSPELT)
    assert in_graph.uses == in_store.uses


def test_only_asserted_triples_are_read():
    """An inference repeats a term of the ontology, whose axiom is what to report."""
    store = ox.Store()
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    store.add(ox.Quad(ox.NamedNode("http://example.org/x"),
                      ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#lable"),
                      ox.Literal("x"), inferred))
    assert unknown_terms_in_store(store, inferred).uses == []
    assert len(unknown_terms_in_store(store).uses) == 1


def test_a_blank_node_result_is_described_in_the_report(capsys, tmp_path):
    path = tmp_path / "blank.ttl"
    path.write_text(PREFIXES + '[] rdfs:commnt "about nothing" ; ex:p ex:o .\n',
                    encoding="utf-8")
    code, out = validate(capsys, "--format", "turtle", path)
    report = Graph().parse(data=out, format="turtle")
    [node] = report.subjects(SH.resultPath, URIRef("http://www.w3.org/2000/01/rdf-schema#commnt"))
    focus = report.value(node, SH.focusNode)
    assert code == 0 and (focus, URIRef("http://example.org/p"),
                          URIRef("http://example.org/o")) in report


def test_the_project_graph_uses_no_unknown_term(dataset, shapes):
    """Every term graph/ and ontology/ use from CIDOC CRM, SEM, GeoSPARQL, PROV-O, schema.org,
    SKOS, DCTERMS, VANN… is in its vocabulary's list: the build (and kg validate of the built
    dataset) has no such warning, and neither has the rdflib path."""
    from kg.build import validate_dataset_store
    from kg.load import load_sources

    store = ox.Store()
    store.load(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    assert unknown_terms_in_store(store, inferred).uses == []
    report = validate_dataset_store(store, inferred, shapes, "fast", lambda _: None)
    assert report.conforms and report.results == [], report.as_text()
    assert unknown_terms_in_graph(load_sources(REPO).union()).uses == []


def test_the_build_writes_the_dataset_and_says_the_warning_at_its_line(capsys, tmp_path):
    """kg build logs a warning with its file and line and writes the dataset (exit 0); kg
    validate of the built dataset reports it too."""
    project = project_copy(tmp_path / "p")
    entities = project / "graph" / "entities.ttl"
    text = entities.read_text(encoding="utf-8")
    entities.write_text(text + '\nactor:democratic-kampuchea skos:altLable "Kampuchea"@en .\n',
                        encoding="utf-8")
    line = text.count("\n") + 2
    root = ("--root", str(project), "--build-dir", str(tmp_path / "build"))
    assert main([*root, "build"]) == 0
    err = capsys.readouterr().err
    assert "1 warning (not fatal)" in err
    assert "skos:altLable is not a term of SKOS (2009): a misspelt property? Did you mean " \
           "skos:altLabel?" in err
    assert f"where:      {entities}:{line}" in err
    assert (tmp_path / "build" / "kg.nq").is_file()
    assert main([*root, "validate", "--format", "json"]) == 0
    [result] = json.loads(capsys.readouterr().out)["results"]
    assert result["path"] == "http://www.w3.org/2004/02/skos/core#altLable"
    assert result["focus"] == "https://w3id.org/kg1978/actor/democratic-kampuchea"


def test_the_lists():
    for vocabulary in VOCABULARIES:
        names = terms(vocabulary.prefix)
        assert names and (TERMS_DIR / f"{vocabulary.prefix}.txt").is_file(), vocabulary
        assert set(vocabulary.added) <= names
    assert len(terms("schema")) > 2900 and "startDate" in terms("schema")
    assert {"P7_took_place_at", "E5_Event", "P144_joined_with"} <= terms("crm")
    assert {"hasEarliestBeginTimeStamp", "Event", "subEventOf"} <= terms("sem")
    # not terms, not reported: rdf:_n (infinitely many), the namespace itself, other namespaces
    for iri in ("http://www.w3.org/1999/02/22-rdf-syntax-ns#_12", "http://schema.org/",
                "http://example.org/lable", "http://www.w3.org/ns/org#memberOf"):
        assert not is_unknown(iri), iri
    assert is_unknown("https://schema.org/strtDate")  # schema.org's https IRIs alike
    assert suggestion("https://schema.org/strtDate") == "schema:startDate"


#: (a namespace one character off a vocabulary's, or schema.org's https, and what is said)
NEAR_MISSES = [
    ("@prefix schema: <https://schema.org/> .", 'ex:thing schema:description "a thing" .',
     "https://schema.org/description: this project writes schema.org as http://schema.org/ "
     "(schema.org accepts https://schema.org/ too, but a query for schema:description misses "
     "it) — did you mean schema:description?"),
    ("@prefix prov: <http://www.w3.org/ns/prov/> .", "ex:thing prov:wasDerivedFrom ex:doc .",
     "http://www.w3.org/ns/prov/wasDerivedFrom: this project writes PROV-O as "
     "http://www.w3.org/ns/prov# — did you mean prov:wasDerivedFrom?"),
    ("@prefix dcterms: <http://purl.org/dc/term/> .", "ex:thing a dcterms:Agent .",
     "http://purl.org/dc/term/Agent: this project writes DCMI Metadata Terms as "
     "http://purl.org/dc/terms/ — did you mean dcterms:Agent?"),
    ("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema> .", 'ex:thing rdfs:label "x" .',
     "http://www.w3.org/2000/01/rdf-schemalabel: this project writes RDF Schema as "
     "http://www.w3.org/2000/01/rdf-schema# — did you mean rdfs:label?"),
]


@pytest.mark.parametrize(("prefix", "statement", "message"), NEAR_MISSES)
def test_a_namespace_one_character_off_is_a_warning_naming_the_term_meant(
        capsys, tmp_path, prefix, statement, message):
    path = tmp_path / "near-miss.ttl"
    path.write_text(f"@prefix ex: <http://example.org/> .\n{prefix}\n{statement}\n",
                    encoding="utf-8")
    code, out = validate(capsys, "--format", "json", path)
    report = json.loads(out)
    assert code == 0 and report["conforms"] is True, out
    assert [(r["message"], r["severity"]) for r in report["results"]] == [(message, "Warning")]


@pytest.mark.parametrize(("iri", "meant"), [
    ("http://www.w3.org/2002/07/owl#SAMEAS", "owl:sameAs"),  # another case, however far
    ("http://www.cidoc-crm.org/cidoc-crm/P7_took_place_in", "crm:P7_took_place_at"),
    ("http://purl.org/dc/terms/wasDerivedFrom", "prov:wasDerivedFrom"),  # another vocabulary
    ("http://schema.org/qqqzzzxx", None),
])
def test_the_term_meant(iri, meant):
    assert is_unknown(iri) and suggestion(iri) == meant
