"""Ontology and graph QC in the OBO/ROBOT style (CONVENTIONS items 7 and 10).

Each src/kg/qc/NAME-violation.rq (package data: kg validate, kg build and /validate run them,
kg.qc) opens with ``# Problem: ... # Solution: ...`` and must return no rows over the asserted
named graphs (the ontology graph and one graph per graph/*.ttl, as kg.load names them; nothing
inferred). tests/qc/fixtures/NAME-violation.trig is a tiny dataset with the problem, on which
the query must return rows: a query that can never match (a misspelt graph IRI, say) would
otherwise pass for ever. Their rows as results of kg validate, kg build and /validate: the
query's name, its Problem and Solution, the focus node at its file and line, the severity of
kg.qc.SEVERITY (which kg sources check shares).

Also here: the ontology's version is the package's, and the passages in graph/sources.ttl match
the text of the article they number.
"""

from __future__ import annotations

import json
import re
from itertools import takewhile
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

import kg
from kg.iris import BASE, DCTERMS, KGO, ONTOLOGY, ONTOLOGY_GRAPH
from kg.load import load_sources
from kg.qc import QUERIES_DIR
from kg.sources import digest, passages

ROOT = Path(__file__).resolve().parent.parent
QC = QUERIES_DIR
QC_FIXTURES = ROOT / "tests" / "qc" / "fixtures"
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
def test_qc_query_run_by_hand_over_the_built_dataset_finds_nothing(query, dataset, capsys):
    """A validator runs a query by hand, ``kg query -f src/kg/qc/NAME-violation.rq``, over the
    built dataset, whose inferred graph holds the derived day bounds and the closure of the
    transitive relations: no row, as in validation (which gives the queries the asserted graphs
    only). Two of them listed 115 and 9 inferred triples as violations."""
    code, out, err = _kg(capsys, "--root", str(ROOT), "--build-dir", str(dataset.parent),
                         "query", "-f", str(query), "--format", "csv")
    assert code == 0, err
    assert len(out.splitlines()) == 1, f"{query.name}: rows over the built dataset\n{out}"


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_qc_query_catches_its_problem(query):
    fixture = QC_FIXTURES / f"{query.stem}.trig"
    assert fixture.is_file(), f"{query.name} needs a dataset with the problem: {fixture}"
    store = ox.Store()
    store.load(path=str(fixture), format=ox.RdfFormat.TRIG)
    names, rows = rows_of(store, query.read_text(encoding="utf-8"))
    assert rows, f"{query.name} finds nothing in {fixture.name}, which has the problem"


def test_a_later_sources_claim_is_no_unattributed_reading():
    """README, "A later source that disagrees": a claim cites its passage and says in
    rdfs:comment how it differs; `kg validate` of the README's example warned that it named
    no reader and "passes for what the passage states", which it is. The fixture's reading
    without its reader is the one row; its claim, and its attributed reading, none."""
    store = ox.Store()
    store.load(path=str(QC_FIXTURES / "unattributed-reading-violation.trig"),
               format=ox.RdfFormat.TRIG)
    text = (QC / "unattributed-reading-violation.rq").read_text(encoding="utf-8")
    names, rows = rows_of(store, text)
    focus = [row[names.index("focus")] for row in rows]
    assert focus == ["kg:statement/shelling-followed-from-massing"], focus


def test_an_entity_described_without_its_label_is_no_dangling_reference(tmp_path):
    """A unit typed but left without its rdfs:label is the shapes' one result ("needs
    exactly one English rdfs:label", at its description); the dangling-reference query
    reported each reference to it too, as "a project IRI that nothing labels anywhere: a
    misspelt reference or an entity that was never described" (33 rows for actor:srv's
    label removed from graph/entities.ttl). An IRI nothing describes is still one, and so is
    one typed only by another vocabulary (a PROV agent), which no shape asks a label of."""
    fixture = QC_FIXTURES / "dangling-reference-violation.trig"
    text = fixture.read_text(encoding="utf-8").replace(
        "kgo:leaderOf actor:ghost .",
        "kgo:leaderOf actor:ghost, actor:unlabelled, actor:agent .\n"
        "    actor:unlabelled a kgo:Person .\n"
        "    actor:agent a <http://www.w3.org/ns/prov#Agent> .")
    assert "actor:unlabelled a kgo:Person" in text
    store = ox.Store()
    store.load(text.encode("utf-8"), format=ox.RdfFormat.TRIG)
    names, rows = rows_of(store, (QC / "dangling-reference-violation.rq").read_text("utf-8"))
    assert sorted(row[names.index("value")] for row in rows) == [
        "kg:actor/agent", "kg:actor/ghost"], rows


@pytest.mark.parametrize(("query", "graph", "subjects"), [
    ("duplicate-entity-label-violation", BASE + "graph/article-part1",
     ("event/founding", "measure/founding")),
    ("duplicate-label-violation", str(ONTOLOGY_GRAPH), ("ontology/Founding", "ontology/founded")),
], ids=["entities", "ontology"])
def test_duplicate_labels_are_compared_with_white_space_collapsed(query, graph, subjects):
    """Labels that differ in white space only (a space at an end, two in a row, a tab) read
    alike: the duplicate-label queries compare them collapsed, as they compare them without
    case. Labels that differ in a word are no duplicates."""
    store = ox.Store()
    text = (QC / f"{query}.rq").read_text(encoding="utf-8")
    first, second = (ox.NamedNode(BASE + s) for s in subjects)
    label = ox.NamedNode(str(RDFS.label))
    for one, other in (("Founding of a republic", " Founding of  a\tRepublic "),
                       ("Founding of a republic", "Founding of a state")):
        store.clear()
        store.extend([ox.Quad(first, label, ox.Literal(one, language="en"), ox.NamedNode(graph)),
                      ox.Quad(second, label, ox.Literal(other, language="en"),
                              ox.NamedNode(graph))])
        _, rows = rows_of(store, text)
        assert len(rows) == (1 if "state" not in other else 0), (one, other, rows)


def test_ontology_labels_are_compared_within_one_language():
    """The ontology's duplicate-label query compared labels whatever their language, so a
    Vietnamese label could not be written as an English one of another term is (a French
    "division" beside the English one would have been a duplicate). Now two terms sharing a
    label in one language are a row, and the same text in two languages, or a term's own
    labels in two, none; tags compared without case, as BCP 47 reads them."""
    store = ox.Store()
    text = (QC / "duplicate-label-violation.rq").read_text(encoding="utf-8")
    graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    division, corps = (ox.NamedNode(KGO + name) for name in ("Division", "ArmyCorps"))
    label = ox.NamedNode(str(RDFS.label))
    for first, second, rows in ((("division", "en"), ("Division", "fr"), 0),
                                (("sư đoàn", "vi"), ("Sư  đoàn", "VI"), 1),
                                (("quân đoàn", "vi"), ("sư đoàn", "vi"), 0),
                                (("division", "en"), ("division", "en"), 1)):
        store.clear()
        store.extend([ox.Quad(division, label, ox.Literal(first[0], language=first[1]), graph),
                      ox.Quad(corps, label, ox.Literal(second[0], language=second[1]), graph),
                      ox.Quad(corps, label, ox.Literal("corps", language="en"), graph),
                      ox.Quad(corps, label, ox.Literal("corps", language="fr"), graph)])
        _, found = rows_of(store, text)
        assert len(found) == rows, (first, second, found)


def test_a_duplicate_labels_result_names_the_resources_as_the_report_names_them():
    """duplicate-entity-label's message names the resources that share the label by their
    prefixed names, in order, as the rest of the report does (it gave the full IRIs, in a
    quoted string): one result, on the first of them."""
    from kg.qc import queries, results_in_store

    store = ox.Store()
    store.load(path=str(QC_FIXTURES / "duplicate-entity-label-violation.trig"),
               format=ox.RdfFormat.TRIG)
    query = next(q for q in queries() if q.name == "duplicate-entity-label-violation")
    found = [r for r in results_in_store(store).results if r.shape == query.iri]
    assert [(r.focus, r.path, r.value, r.message) for r in found] == [(
        BASE + "event/founding", str(RDFS.label), found[0].value,
        f"{query.problem} (resources event:founding, measure:founding)")]
    assert found[0].value in ('"Founding of a republic"@en', '"Founding of a Republic"@en')


def test_unreified_relation_query_knows_every_relation_between_entities(ontology):
    """The relations between entities (an object property whose domain is an actor or a place)
    are the ones that need an rdf:Statement: the QC query lists each, so a new one (as
    kgo:organOf was) cannot go unchecked."""
    def entity_class(c) -> bool:
        return bool({KGO.Actor, KGO.Place} & set(ontology.transitive_objects(c, RDFS.subClassOf)))

    def listed_in(query: str) -> set:
        text = (QC / f"{query}.rq").read_text(encoding="utf-8")
        return {URIRef(KGO + name) for name in
                text.split("VALUES ?p {", 1)[1].split("}", 1)[0].replace("kgo:", " ").split()}

    relations = {p for p in ontology.subjects(RDF.type, OWL.ObjectProperty)
                 if any(entity_class(d) for d in ontology.objects(p, RDFS.domain))}
    # those the build derives (a group's founder, its founding's place) are never written:
    # another query refuses them
    derived = listed_in("derived-date-bound-violation")
    assert {KGO.founder, KGO.foundingLocation} <= derived
    assert relations and listed_in("unreified-relation-violation") == relations - derived


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


# ---------------------------------------------------------------- QC as part of validation


def test_the_queries_are_package_data():
    """A wheel ships them: pyproject's package-data for kg names every query."""
    import fnmatch
    import tomllib

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["kg"]
    src = ROOT / "src" / "kg"
    assert QUERIES and all(any(fnmatch.fnmatch(q.relative_to(src).as_posix(), g) for g in globs)
                           for q in QUERIES)


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_each_row_is_a_result_with_the_query_s_words(query):
    """Through kg.qc, each fixture's rows are results of the query: its name, its Problem as
    the message, its Solution as the advice, a focus node, the severity of kg.qc.SEVERITY."""
    from kg.qc import NAMESPACE, queries, results_in_store

    store = ox.Store()
    store.load(path=str(QC_FIXTURES / f"{query.stem}.trig"), format=ox.RdfFormat.TRIG)
    mine = next(q for q in queries() if q.name == query.stem)
    found = [r for r in results_in_store(store).results if r.shape == NAMESPACE + query.stem]
    assert found, query.stem
    header = " ".join(line.lstrip("# ") for line in header_of(query))
    assert mine.problem and mine.problem in header.replace("  ", " ")
    for r in found:
        assert r.message.startswith(mine.problem) and r.advice == mine.solution
        assert r.focus and r.severity == mine.severity


def test_a_passage_a_reading_names_without_citing_it_is_a_warning():
    """A reading's comment that names a passage the statement does not cite passed: its why
    may rest on it, or the passage is named for contrast only (nine of the graph's readings,
    now saying so with rdfs:seeAlso). One row per passage named neither cited nor seen also,
    a warning; a passage whose number begins another's named one is not named."""
    from kg.qc import SEVERITY

    query = QC / "uncited-named-passage-violation.rq"
    store = ox.Store()
    store.load(path=str(QC_FIXTURES / f"{query.stem}.trig"), format=ox.RdfFormat.TRIG)
    names, rows = rows_of(store, query.read_text(encoding="utf-8"))
    found = {(str(row[names.index("focus")]), str(row[names.index("value")])) for row in rows}
    assert found == {("kg:statement/offensive-followed-from-plan",
                      "kg:source/article-part1-passage-10")}
    assert SEVERITY[query.stem] == "Warning"


def test_ill_typed_literals_of_other_xsd_types_are_found():
    """ill-typed-literal knew dates, numbers, booleans, years and months only: "25:00:00"^^
    xsd:time, "GG"^^xsd:hexBinary, "1Y"^^xsd:duration, "abc"^^xsd:unsignedInt and others a
    user may write passed. Each of the fixture's ill-typed values of those types is a row, and
    none of its well-typed ones (the query cannot tell "-1"^^xsd:nonNegativeInteger: the store
    keeps it as "-1"^^xsd:integer; kg.qc reads it as written, below). A day its month never has ("--02-30", "--04-31": the pattern read
    01 to 31 of any month) is a row; February 29 is a day of some year, and none."""
    query = QC / "ill-typed-literal-violation.rq"
    store = ox.Store()
    store.load(path=str(QC_FIXTURES / f"{query.stem}.trig"), format=ox.RdfFormat.TRIG)
    names, rows = rows_of(store, query.read_text(encoding="utf-8"))
    found = {row[names.index("value")].split("^^")[0] for row in rows
             if row[names.index("path")].endswith("rdf-schema#comment>")}
    assert found == {'"25:00:00"', '"1Y"', '"P1Y"', '"P1D"', '"GG"', '"a"', '"1.5"', '"abc"',
                     '"--13"', '"---32"', '"--13-01"', '"--02-30"', '"--02-31"', '"--04-31"',
                     '"--11-31"'}, rows


_OUT_OF_RANGE = """@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
@prefix event: <https://w3id.org/kg1978/event/> .

event:x rdfs:comment "-1"^^xsd:nonNegativeInteger ,
    "300"^^xsd:byte , "127"^^xsd:byte , "0"^^xsd:nonNegativeInteger ,
    "4294967296"^^xsd:unsignedInt , "-1"^^xsd:negativeInteger .
"""


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_an_integer_out_of_its_derived_types_range_is_an_ill_typed_literal(capsys, tmp_path,
                                                                           validator):
    """"-1"^^xsd:nonNegativeInteger and "300"^^xsd:byte passed: the store keeps a well-formed
    derived integer as an xsd:integer, whatever its value, and the query cannot see the
    range. Each is an ill-typed-literal result at its line, saying the type's range, with
    either engine; a value in range is none."""
    path = tmp_path / "range.ttl"
    path.write_text(_OUT_OF_RANGE, encoding="utf-8")
    code, out, _ = _kg(capsys, "validate", str(path), "--validator", validator,
                       "--format", "json")
    assert code == 1
    found = {(r["value"], r["location"], r["message"].rpartition(" (")[2])
             for r in json.loads(out)["results"]
             if r["shape"] == "urn:kg:qc:ill-typed-literal-violation"}
    assert found == {
        ('"-1"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>', f"{path}:5",
         '"-1" is out of range: xsd:nonNegativeInteger is 0 or more)'),
        ('"300"^^<http://www.w3.org/2001/XMLSchema#byte>', f"{path}:6",
         '"300" is out of range: xsd:byte is -128 to 127)'),
        ('"4294967296"^^<http://www.w3.org/2001/XMLSchema#unsignedInt>', f"{path}:7",
         '"4294967296" is out of range: xsd:unsignedInt is 0 to 4294967295)')}, out


def test_kg_build_refuses_an_integer_out_of_its_derived_types_range(capsys, project):
    """The build's store keeps "-1"^^xsd:nonNegativeInteger as "-1"^^xsd:integer: the literal
    as the file writes it is an ill-typed-literal violation that stops the build, at its line."""
    facts = project / "graph" / "article-part1.ttl"
    text = facts.read_text(encoding="utf-8")
    at = text.index("\n\n") + 2
    facts.write_text(text[:at] + 'event:x rdfs:comment "-1"^^xsd:nonNegativeInteger .\n\n'
                     + text[at:], encoding="utf-8")
    line = text.count("\n", 0, at) + 1
    code, _, err = _kg(capsys, "--root", str(project), "build")
    assert code == 1 and not (project / "build" / "kg.nq").exists()
    block = err[err.index("xsd:nonNegativeInteger is 0 or more"):]
    assert f"article-part1.ttl:{line}" in block.split("\n\n")[0], err


def test_the_project_graph_has_no_qc_result(sources):
    """What kg validate and kg build report of QC: nothing, warnings included (a passage is
    cited before a release)."""
    from kg.qc import results_in_store

    assert results_in_store(store_of(sources.graphs)).results == []


@pytest.fixture
def project(tmp_path) -> Path:
    from kgtest import project_copy

    return project_copy(tmp_path / "p")


def _kg(capsys, *args) -> tuple[int, str, str]:
    from kg.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _misspell(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ``path`` with ``new``; return its line number."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    return text.count("\n", 0, at) + 1


def test_kg_validate_reports_a_dangling_reference_at_its_line(capsys, project, monkeypatch,
                                                              validated_once):
    facts = project / "graph" / "article-part1.ttl"
    line = _misspell(facts, "place:phnom-penh", "place:phnom-pehn")
    monkeypatch.chdir(project)
    files = sorted(str(p.relative_to(project)) for p in (project / "graph").glob("*.ttl"))
    code, out, _ = _kg(capsys, "--root", str(project), "validate", *files)
    assert code == 1
    block = out[out.index("graph/ points at a project IRI"):].split("\n\n")[0]
    assert "Did you mean place:phnom-penh?" in block.splitlines()[0]
    assert f"  where:      graph/article-part1.ttl:{line}" in block
    assert "  value:      place:phnom-pehn" in block
    assert "  query:      qc:dangling-reference-violation" in block
    assert "  advice:     correct the IRI, or describe the entity" in block
    code, out, _ = _kg(capsys, "--root", str(project), "validate", *files, "--format", "json")
    report = json.loads(out)
    qc = [r for r in report["results"]
          if r["shape"] == "urn:kg:qc:dangling-reference-violation"]
    assert code == 1 and report["conforms"] is False and len(qc) == 1
    assert qc[0]["location"] == f"graph/article-part1.ttl:{line}"
    assert qc[0]["severity"] == "Violation"
    assert qc[0]["value"] == "https://w3id.org/kg1978/place/phnom-pehn"
    assert qc[0]["advice"].startswith("correct the IRI")
    code, out, _ = _kg(capsys, "--root", str(project), "validate", *files, "--format", "github")
    assert (f"::error file=graph/article-part1.ttl,line={line},"
            "title=QC qc%3Adangling-reference-violation::") in out
    code, out, _ = _kg(capsys, "--root", str(project), "validate", *files, "--format", "sarif")
    rule = next(r for r in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
                if r["id"] == "qc:dangling-reference-violation")
    assert rule["help"]["text"].startswith("correct the IRI")


def test_a_qc_hint_is_kept_beside_a_shape_s_result_on_the_same_triple(capsys, project,
                                                                     monkeypatch,
                                                                     validated_once):
    """A misspelt place is also a result of a shape, on the same focus node, path and value;
    the query's row says what the shape does not (the IRI meant), so it is kept beside it. An
    ill-typed date and a citation of no passage are only the shapes': the rows of
    ill-typed-literal and missing-passage would say what the shape says ("not a passage
    declared in graph/sources.ttl")."""
    facts = project / "graph" / "article-part1.ttl"
    # the first event placed on the border with no statement about it (the tension)
    place = _misspell(facts, "kgo:tookPlaceAt place:southwestern-border ;\n"
                             "    kgo:subEventOf event:southwestern-border-war ;\n"
                             "    prov:wasDerivedFrom p:",
                      "kgo:tookPlaceAt place:southwestern-bordr ;\n"
                      "    kgo:subEventOf event:southwestern-border-war ;\n"
                      "    prov:wasDerivedFrom p:")
    cite = 1 + _misspell(facts, "    kgo:concerns unit:vpa ;\n    prov:wasDerivedFrom p:7 .",
                         "    kgo:concerns unit:vpa ;\n    prov:wasDerivedFrom p:999 .")
    _misspell(facts, 'kgo:onDate "1978-02-05"^^xsd:date', 'kgo:onDate "1978-13-01"^^xsd:date')
    monkeypatch.chdir(project)
    files = sorted(str(p.relative_to(project)) for p in (project / "graph").glob("*.ttl"))
    code, out, _ = _kg(capsys, "--root", str(project), "validate", *files, "--format", "json")
    results = json.loads(out)["results"]
    assert code == 1

    def on(value: str) -> dict[str, dict]:
        return {r["shape"].rpartition("/")[2].removeprefix("urn:kg:qc:"): r for r in results
                if r["value"] == value}

    bordr = on("https://w3id.org/kg1978/place/southwestern-bordr")
    assert {"EventPlaceShape", "dangling-reference-violation"} <= set(bordr)
    assert bordr["dangling-reference-violation"]["message"].endswith(
        "Did you mean place:southwestern-border?")
    assert {r["location"] for r in bordr.values()} == {f"graph/article-part1.ttl:{place}"}
    passage = on("https://w3id.org/kg1978/source/article-part1-passage-999")
    assert "MeasureCitesPassageShape" in set(passage)
    assert "missing-passage-violation" not in passage, passage
    assert "this is not a passage declared in graph/sources.ttl" in (
        passage["MeasureCitesPassageShape"]["message"])
    assert {r["location"] for r in passage.values()} == {f"graph/article-part1.ttl:{cite}"}
    date = on('"1978-13-01"^^<http://www.w3.org/2001/XMLSchema#date>')
    assert date and not [name for name in date if name.endswith("-violation")], date
    code, out, _ = _kg(capsys, "--root", str(project), "validate", *files)
    assert "Did you mean place:southwestern-border?" in out and "not a kgo:Passage" not in out


def test_a_citation_of_no_passage_is_the_shapes_one_result(capsys, monkeypatch):
    """A statement citing a source instead of one of its passages: the statement shape says
    it is "not a passage declared in graph/sources.ttl", so missing-passage's row, which says
    the same, is left out beside it (it was a second result for one cause)."""
    monkeypatch.chdir(ROOT)
    fixture = "tests/data/shapes/statement-derived-from-source.ttl"
    line = 1 + (ROOT / fixture).read_text(encoding="utf-8").splitlines().index(
        "    prov:wasDerivedFrom src:doc .")
    code, out, _ = _kg(capsys, "--root", str(ROOT), "validate", fixture, "--format", "json")
    assert code == 1
    assert [(r["shape"], r["focus"], r["path"], r["value"], r["location"], r["message"])
            for r in json.loads(out)["results"]] == [(
                BASE + "shapes/StatementShape", BASE + "statement/politburo-in-party",
                "http://www.w3.org/ns/prov#wasDerivedFrom", BASE + "source/doc",
                f"{fixture}:{line}",
                "a statement cites passages: this is not a passage declared in "
                "graph/sources.ttl (a mistyped number, or a source whose passages are not "
                "declared yet: kg sources passages)")]


def test_one_graph_file_reads_the_others_labels(capsys, project, monkeypatch):
    """kg validate of one file of graph/: an entity another file describes (agent:curators,
    the places of entities.ttl) is no dangling reference; a misspelt one still is."""
    monkeypatch.chdir(project)
    code, out, _ = _kg(capsys, "--root", str(project), "validate", "graph/links.ttl")
    assert code == 0 and "dangling" not in out, out
    links = project / "graph" / "links.ttl"
    text = links.read_text(encoding="utf-8")
    links.write_text(text + "place:phnom-penh rdfs:seeAlso place:phnom-pehn .\n",
                     encoding="utf-8")
    line = text.count("\n") + 1
    code, out, _ = _kg(capsys, "--root", str(project), "validate", "graph/links.ttl",
                       "--format", "json")
    dangling = [r for r in json.loads(out)["results"]
                if r["shape"] == "urn:kg:qc:dangling-reference-violation"]
    assert code == 1 and [r["location"] for r in dangling] == [f"graph/links.ttl:{line}"]


def test_a_blank_node_s_misspelt_kgo_type_is_the_shapes_and_located(capsys, tmp_path):
    """An undeclared kgo: type on a blank node: the shape's result (no far-fetched "did you
    mean" from the namespace alone) and undeclared-term's, no dangling reference; every result
    at its line, the QC ones on a blank node too."""
    data = tmp_path / "t.ttl"
    data.write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/kg1978/actor/x> a kgo:Person ; rdfs:label "X"@en ;
    rdfs:seeAlso [ a kgo:Thing ; rdfs:label "a thing"@en ] .
""", encoding="utf-8")
    code, out, _ = _kg(capsys, "--root", str(ROOT), "validate", str(data), "--format", "json")
    results = json.loads(out)["results"]
    assert code == 1 and results
    assert not [r for r in results if "dangling" in r["shape"]]
    assert [r["message"] for r in results if r["shape"].endswith("/DeclaredTypeShape")] == [
        "a type the ontology does not declare as a class: a misspelt class, or one to declare "
        "in ontology/kg.ttl (with its label, comment and superclass)"]
    assert all(r["location"] == f"{data}:4" for r in results if "[ " in r["focus"])
    assert all(r["location"] for r in results), results


def test_a_term_the_shapes_name_undeclared_is_not_said_again_by_the_query(capsys, tmp_path):
    """A misspelt kgo: class or property is the shapes' result, at the triple that uses it and
    with the term meant; undeclared-term's row on the same term said it again, with neither.
    The query still names an undeclared term no shape sees (here, an rdfs:seeAlso value)."""
    data = tmp_path / "t.ttl"
    data.write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/kg1978/actor/x> a kgo:Persn ; rdfs:label "X"@en ;
    kgo:leaderOff <https://w3id.org/kg1978/actor/x> ;
    rdfs:seeAlso kgo:Nonesuch .
""", encoding="utf-8")
    code, out, _ = _kg(capsys, "--root", str(ROOT), "validate", str(data), "--format", "json")
    results = json.loads(out)["results"]
    kgo = "https://w3id.org/kg1978/ontology/"
    assert code == 1
    assert [(r["value"], r["message"].rpartition(". ")[2]) for r in results
            if r["shape"].endswith("/DeclaredTypeShape")] == [
        (kgo + "Persn", "Did you mean kgo:Person?")]
    assert [(r["path"], r["message"].rpartition(". ")[2]) for r in results
            if r["shape"].endswith("/DeclaredPropertyShape")] == [
        (kgo + "leaderOff", "Did you mean kgo:leaderOf?")]
    assert [r["focus"] for r in results
            if r["shape"] == "urn:kg:qc:undeclared-term-violation"] == [kgo + "Nonesuch"]


def test_no_suggestion_when_nothing_is_close(capsys, project, monkeypatch):
    _misspell(project / "graph" / "article-part1.ttl", "place:phnom-penh", "place:zzyzx")
    monkeypatch.chdir(project)
    code, out, _ = _kg(capsys, "--root", str(project), "validate", "--format", "json",
                       *sorted(str(p.relative_to(project)) for p in project.glob("graph/*.ttl")))
    [qc] = [r for r in json.loads(out)["results"] if r["shape"].startswith("urn:kg:qc:")]
    assert code == 1 and "did you mean" not in qc["message"].lower()


def test_kg_build_refuses_a_written_day_bound_at_its_line(capsys, project):
    """The build runs the QC queries: a violation stops it, named with its file and line. The
    bound written is the one derived, so no shape sees a second value: only the query."""
    facts = project / "graph" / "article-part1.ttl"
    day = re.search(r'    kgo:onDate ("[0-9-]+"\^\^xsd:date)', facts.read_text("utf-8"))
    line = _misspell(facts, day[0], f"    kgo:beginOfTheBegin {day[1]} ;\n{day[0]}")
    code, out, err = _kg(capsys, "--root", str(project), "build")
    assert code == 1 and not (project / "build" / "kg.nq").exists()
    assert "qc:derived-date-bound-violation" in err
    assert f"article-part1.ttl:{line}" in err.split("qc:derived-date-bound-violation")[0] \
        .rsplit("Violation:", 1)[1]


def test_kg_validate_of_the_built_dataset_locates_qc_results(capsys, project):
    """With no file, kg validate reads the built dataset; a QC warning (the build writes the
    dataset with it) is shown at its line in graph/."""
    facts = project / "graph" / "article-part1.ttl"
    facts.write_text(facts.read_text(encoding="utf-8").replace("p:15", "p:13"),
                     encoding="utf-8")
    code, out, err = _kg(capsys, "--root", str(project), "build")
    assert code == 0 and "qc:uncited-passage-violation" in err
    code, out, _ = _kg(capsys, "--root", str(project), "validate")
    assert code == 0 and out.startswith("Conforms, with warnings")
    block = out[out.index("Warning: a passage marked kgo:carriesFacts true"):]
    assert "  focus node: src:article-part1-passage-15" in block
    assert re.search(r"  where:      \S*graph/sources\.ttl:\d+\n", block)


def test_a_reading_without_its_reader_is_a_warning_at_its_line(capsys, project):
    """A reading (a statement citing its passage, with why in an rdfs:comment) that lost its
    prov:wasAttributedTo passes every shape, as what the passage states: the QC query says so,
    as a warning, at the statement's line; no shape or other query reports it."""
    facts = project / "graph" / "article-part1.ttl"
    text = facts.read_text(encoding="utf-8")
    start = text.index("stmt:attachment-aimed-at-readiness a rdf:Statement")
    line = text.count("\n", 0, start) + 1
    end = text.index("\n", start)
    assert text.count("prov:wasAttributedTo agent:curators ; ", start, end) == 1
    facts.write_text(text[:start] + text[start:end].replace(
        "prov:wasAttributedTo agent:curators ; ", "") + text[end:], encoding="utf-8")
    code, out, _ = _kg(capsys, "--root", str(project), "validate",
                       *sorted(str(f) for f in (project / "graph").glob("*.ttl")))
    assert code == 0 and out.startswith("Conforms, with warnings"), out
    assert out.count("Warning:") == 1 and "Violation:" not in out, out
    block = out[out.index("Warning: a statement cites its passage and says why"):]
    assert "  focus node: stmt:attachment-aimed-at-readiness\n" in block
    assert f"article-part1.ttl:{line}\n" in block
    assert "  query:      qc:unattributed-reading-violation\n" in block
    assert "add prov:wasAttributedTo agent:curators" in block


def test_sources_check_and_validation_agree_on_an_uncited_passage(capsys, project):
    """One severity, kg.qc.SEVERITY: an uncited passage is a warning in kg sources check and
    in kg validate (exit 0 in both), a citation of a fact-free passage an error and a
    violation."""
    from kg.qc import level, severity

    if not ARTICLE_TEXT.is_file():
        pytest.skip(f"the article text is not here ({ARTICLE_TEXT})")
    assert severity("uncited-passage-violation") == "Warning"
    assert level("uncited-passage-violation") == "warning"
    assert level("cited-factless-passage-violation") == "error"
    facts = project / "graph" / "article-part1.ttl"
    facts.write_text(facts.read_text(encoding="utf-8").replace("p:15", "p:13"),
                     encoding="utf-8")
    files = [str(p) for p in sorted(project.glob("graph/*.ttl"))]
    code, out, _ = _kg(capsys, "--root", str(project), "sources", "check", "--sources",
                       str(ARTICLE_TEXT.parent))
    assert code == 0 and ": warning: passage 15 of article-part1 carries facts" in out
    code, out, _ = _kg(capsys, "--root", str(project), "validate", *files, "--format", "json")
    report = json.loads(out)
    # the readings whose comments name passage 15, its citations gone, are warned of too
    [qc] = [r for r in report["results"] if r["shape"].startswith("urn:kg:qc:")
            and r["shape"] != "urn:kg:qc:uncited-named-passage-violation"]
    assert code == 0 and report["conforms"] is True
    assert (qc["shape"], qc["severity"]) == ("urn:kg:qc:uncited-passage-violation", "Warning")
    named = {r["severity"] for r in report["results"]
             if r["shape"] == "urn:kg:qc:uncited-named-passage-violation"}
    assert named == {"Warning"}


def test_sources_check_and_validation_agree_on_an_undeclared_citations_line(capsys, project):
    """A citation of a passage the graph does not declare, on a line of its own below the
    fact's first line: kg sources check and kg validate name the same file:line, the
    citation's."""
    if not ARTICLE_TEXT.is_file():
        pytest.skip(f"the article text is not here ({ARTICLE_TEXT})")
    facts = project / "graph" / "article-part1.ttl"
    text = facts.read_text(encoding="utf-8")
    old = "    prov:wasDerivedFrom p:2, p:3 .\nstmt:incursions-not-before-announcement"
    assert text.count(old) == 1
    facts.write_text(text.replace(old, old.replace("p:2, p:3 .", "p:2,\n        p:33 .")),
                     encoding="utf-8")
    line = facts.read_text(encoding="utf-8").splitlines().index("        p:33 .") + 1
    code, out, _ = _kg(capsys, "--root", str(project), "sources", "check", "--sources",
                       str(ARTICLE_TEXT.parent))
    assert code == 1
    cited = "https://w3id.org/kg1978/source/article-part1-passage-33"
    assert f"graph/article-part1.ttl:{line}: error: cites <{cited}>" in out, out
    files = [str(p) for p in sorted(project.glob("graph/*.ttl"))]
    code, out, _ = _kg(capsys, "--root", str(project), "validate", *files, "--format", "json")
    # the event's citation shape's result (missing-passage's row, which says the same, is
    # left out beside it)
    found = {r["shape"].rpartition("/")[2]: r for r in json.loads(out)["results"]
             if r["value"] == cited}
    assert "urn:kg:qc:missing-passage-violation" not in found, found
    shape = found["EventCitesPassageShape"]
    assert code == 1 and shape["location"].endswith(f"graph/article-part1.ttl:{line}"), shape


#: A fixture whose one mistake the shapes and the QC queries each said (two or three results
#: for one cause), the line of the fixture that makes it, and the one result left: shape,
#: focus, path, value, message; and the Turtle report's kgs:hint on it (what the message adds
#: to a shape's sh:resultMessage), if any.
_ONE_CAUSE = [
    # A statement whose rdf:subject names an IRI nothing describes (unit:divison) was three
    # results: the statement describing a triple not in the graph, the reference nothing
    # labels, and the division's relation without its statement. One cause: the reference, at
    # the statement's line, with the IRI meant.
    pytest.param(
        "statement-subject-misspelt.ttl",
        "    rdf:subject unit:divison ; rdf:predicate kgo:subordinateTo ; rdf:object unit:army ;",
        ("urn:kg:qc:dangling-reference-violation", BASE + "statement/division-in-army",
         str(RDF.subject), BASE + "unit/divison",
         "tests/data/validation/statement-subject-misspelt.ttl points at a project IRI that "
         "nothing labels anywhere: a misspelt reference or an entity that was never described. "
         "Did you mean unit:division?"),
        None, id="misspelt-statement-subject"),  # a QC result: its message is all it says
    # A citation of src:doc-passage-12 where the source has passages 1 to 3 and 5 was two
    # results, the shape's and the reference nothing labels, which guessed "Did you mean
    # src:doc-passage-1?". One result, the shape's, ending with the passages there are.
    pytest.param(
        "passage-number-past-the-last.ttl",
        "    prov:wasDerivedFrom src:doc-passage-1, src:doc-passage-12 .",
        (BASE + "shapes/EventCitesPassageShape", BASE + "event/appeal",
         "http://www.w3.org/ns/prov#wasDerivedFrom", BASE + "source/doc-passage-12",
         "an event cites passages: this is not a passage declared in graph/sources.ttl (a "
         "mistyped number, or a source whose passages are not declared yet: kg sources "
         "passages); src:doc has passages 1 to 3 and 5"),
        "src:doc has passages 1 to 3 and 5", id="passage-past-the-last"),
    # A statement's misspelt rdf:predicate (kgo:subordinatTo) was three results: the statement
    # "describing a triple not in the graph" on its rdf:subject (which is right), the
    # undeclared term without the term meant, and the division's relation without its
    # statement. One result, on the statement's predicate, naming the property meant.
    pytest.param(
        "statement-predicate-misspelt.ttl",
        "    rdf:subject unit:division ; rdf:predicate kgo:subordinatTo ; rdf:object unit:army ;",
        (BASE + "shapes/StatementShape", BASE + "statement/division-in-army",
         str(RDF.predicate), str(KGO) + "subordinatTo",
         "the statement describes a triple that is not in the graph (a source's claim that the "
         "graph does not assert is also a schema:Claim). Did you mean kgo:subordinateTo?"),
        "Did you mean kgo:subordinateTo?", id="misspelt-statement-predicate"),
]


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
@pytest.mark.parametrize(("name", "written", "result", "hint"), _ONE_CAUSE)
def test_one_cause_is_one_result(capsys, monkeypatch, validator, name, written, result, hint,
                                 validated_once):
    """One result for one mistake (:data:`_ONE_CAUSE`), at the fixture's line; in the Turtle
    report too, with its hint."""
    monkeypatch.chdir(ROOT)
    fixture = f"tests/data/validation/{name}"
    line = 1 + (ROOT / fixture).read_text(encoding="utf-8").splitlines().index(written)
    code, out, _ = _kg(capsys, "--root", str(ROOT), "validate", "--validator", validator,
                       fixture, "--format", "json")
    assert code == 1
    assert [(r["shape"], r["focus"], r["path"], r["value"], r["location"], r["message"])
            for r in json.loads(out)["results"]] == [(*result[:4], f"{fixture}:{line}",
                                                      result[4])]
    code, out, _ = _kg(capsys, "--root", str(ROOT), "validate", "--validator", validator,
                       fixture, "--format", "turtle")
    report = Graph().parse(data=out, format="turtle")
    assert code == 1 and len(set(report.subjects(RDF.type, SH.ValidationResult))) == 1
    assert [str(h) for h in report.objects(None, URIRef(BASE + "shapes/hint"))] == (
        [hint] if hint else [])


def test_a_passage_no_shape_checks_is_named_with_the_passages_there_are(capsys, project,
                                                                       monkeypatch):
    """The reference nothing labels, where no shape sees the passage (an rdfs:seeAlso), names
    the passages of its source rather than guessing one ("Did you mean …-passage-2?" for
    passage 21)."""
    facts = project / "graph" / "article-part1.ttl"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text + "event:kufns-call-for-help rdfs:seeAlso p:21 .\n", encoding="utf-8")
    monkeypatch.chdir(project)
    files = sorted(str(p.relative_to(project)) for p in (project / "graph").glob("*.ttl"))
    code, out, _ = _kg(capsys, "--root", str(project), "validate", *files, "--format", "json")
    assert code == 1
    assert [(r["shape"], r["value"], r["message"]) for r in json.loads(out)["results"]] == [(
        "urn:kg:qc:dangling-reference-violation", BASE + "source/article-part1-passage-21",
        "graph/ points at a project IRI that nothing labels anywhere: a misspelt reference or "
        "an entity that was never described. src:article-part1 has passages 1 to 20.")]


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_place_written_under_actor_is_the_reference_s_cause(capsys, monkeypatch, validator,
                                                               validated_once):
    """A district's container written actor:province for place:province gave its results side
    by side, the cause (the reference nothing labels, "Did you mean place:province?") last. It
    comes first, and what the shapes say of that value on the district follows it (JSON's
    follows; the text report's "also as"); the district no longer within a country stays a
    result of its own."""
    monkeypatch.chdir(ROOT)
    fixture = "tests/data/validation/place-under-actor.ttl"
    code, out, _ = _kg(capsys, "--root", str(ROOT), "validate", "--validator", validator,
                       fixture, "--format", "json")
    assert code == 1
    within, province = str(KGO) + "placeWithin", BASE + "actor/province"
    assert [(r["shape"].removeprefix(BASE + "shapes/"), r["focus"], r["path"], r["value"],
             r["follows"]) for r in json.loads(out)["results"]] == [
        ("urn:kg:qc:dangling-reference-violation", BASE + "place/district", within, province,
         None),
        ("PlaceInCountryShape", BASE + "place/district", None, BASE + "place/district", None),
        ("PlaceShape", BASE + "place/district", within, province, within),
        ("ReifiedChainShape", BASE + "place/district", within, province, within),
        ("placeWithin-range", BASE + "place/district", within, province, within)]
    code, out, _ = _kg(capsys, "--root", str(ROOT), "validate", "--validator", validator,
                       fixture)
    first = out.split("\n\n")[1]
    assert first.startswith(f"Violation: {fixture} points at a project IRI that nothing "
                            "labels anywhere") and "Did you mean place:province?" in first
    assert first.count("kgo:placeWithin: ") == 3


def test_a_qc_message_names_the_files_validated(capsys, project, monkeypatch):
    """The queries' texts name the project's graph files ("used in graph/"), which they read in
    the build; of a file elsewhere, or of an upload, they name it instead, and keep naming a
    file of graph/ they mean (graph/sources.ttl)."""
    monkeypatch.chdir(project)
    bad = Path("elsewhere.ttl")
    bad.write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/kg1978/actor/x> a kgo:Person ; rdfs:label "X"@en ;
    rdfs:seeAlso kgo:Atack, <https://w3id.org/kg1978/place/nowhere> .
""", encoding="utf-8")

    def said(*files: str) -> list[tuple[str, str]]:
        code, out, _ = _kg(capsys, "--root", str(project), "validate", *files, "--format",
                           "json")
        assert code == 1
        return sorted((r["message"].split(" (")[0].split(":")[0], r["advice"])
                      for r in json.loads(out)["results"] if r["shape"].startswith("urn:kg:qc:"))

    assert said(str(bad)) == [
        ("a kgo", "fix the spelling in elsewhere.ttl, or declare the term (with label and "
         "comment) in ontology/kg.ttl."),
        ("elsewhere.ttl points at a project IRI that nothing labels anywhere", "correct the "
         "IRI, or describe the entity (with an rdfs:label) in elsewhere.ttl.")]
    code, out, _ = _kg(capsys, "--root", str(project), "validate", str(bad))
    assert "Violation: a kgo: term is used in elsewhere.ttl (as a predicate" in out
    assert "graph/" not in out, out
    # in graph/, graph/ it is; with another file, one of the files validated
    moved = Path("graph") / bad.name
    bad.rename(moved)
    files = sorted(str(p) for p in Path("graph").glob("*.ttl"))
    assert [m for m, _ in said(*files)] == [
        "a kgo", "graph/ points at a project IRI that nothing labels anywhere"]
    other = Path("other.ttl")
    other.write_text("", encoding="utf-8")
    assert said(str(moved), str(other))[1] == (
        "one of the files validated points at a project IRI that nothing labels anywhere",
        "correct the IRI, or describe the entity (with an rdfs:label) in one of the files validated.")
