"""The kg command in-process: outputs and exit codes (0 ok / conforms, 1 violations, 2 bad input)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rdflib import Graph

from kg.cli import main
from kgtest import REPO, WARNING_SHAPE, Canary, project_copy, with_one_place


@pytest.fixture()
def project(tmp_path) -> Path:
    return project_copy(tmp_path / "p")


@pytest.fixture()
def built(dataset) -> list[str]:
    """The options that point kg at this checkout and its build made once per worker
    (conftest's ``dataset``): for a test of a command that only reads the project and its
    build (query, stats, validate without files), which otherwise built its own copy."""
    return ["--root", str(REPO), "--build-dir", str(dataset.parent)]


def run(capsys, *args: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_build_prints_the_dataset_path(capsys, project):
    code, out, err = run(capsys, "--root", str(project), "build")
    assert code == 0
    assert Path(out.strip()) == project / "build" / "kg.nq"
    assert "wrote" in err


def test_build_prints_paths_as_the_other_commands_do(capsys, project, monkeypatch):
    """In the project folder kg build prints the dataset as build/kg.nq, and logs the files
    and the warnings' places as graph/NAME.ttl:LINE, as kg validate graph/*.ttl and kg sources
    check name them; outside it, absolute paths (test_build_prints_the_dataset_path)."""
    facts = project / "graph" / "article-part1.ttl"  # a QC warning, at its line
    facts.write_text(facts.read_text(encoding="utf-8").replace("p:15", "p:13"),
                     encoding="utf-8")
    monkeypatch.chdir(project)
    code, out, err = run(capsys, "--root", str(project), "build")
    assert code == 0 and out == "build/kg.nq\n"
    assert "wrote build/kg.nq (" in err and "parsing ontology, graph " in err
    assert re.search(r"  where:      graph/sources\.ttl:\d+\n", err), err
    assert str(project) not in err
    code, out, _ = run(capsys, "--root", str(project), "validate")  # the built dataset
    assert code == 0 and re.search(r"  where:      graph/sources\.ttl:\d+\n", out), out
    assert str(project) not in out


def test_build_engines_from_the_command_line(capsys, project):
    # the options reach the build (the reference engines on the whole graph, and their output
    # against the default's, are test_build's): a graph of one place keeps it quick
    with_one_place(project)
    code, out, err = run(capsys, "--root", str(project), "build", "--reasoner", "owlrl",
                         "--validator", "pyshacl")
    assert code == 0
    assert "(OWL 2 RL, owlrl)" in err and "(pyshacl)" in err
    with pytest.raises(SystemExit) as info:
        main(["--root", str(project), "build", "--validator", "nope"])
    assert info.value.code == 2


def test_build_parse_error_exits_2_with_file_and_line(capsys, project):
    (project / "graph" / "zz.ttl").write_text("<urn:a> <urn:b> <urn:c> .\noops\n",
                                              encoding="utf-8")
    code, out, err = run(capsys, "--root", str(project), "build")
    assert code == 2
    assert "zz.ttl:2:" in err and "Traceback" not in err


@pytest.mark.parametrize("reasoner", ["fast", "owlrl"])
def test_build_names_a_file_that_does_not_parse_as_kg_validate_does(
        capsys, project, monkeypatch, reasoner):
    """In the working folder, a graph file that does not parse is named relative to it
    (graph/x.ttl:2:1), as kg validate graph/*.ttl names it and as the build names the
    dataset, not by the absolute path of the project folder; the same with rdflib's parser."""
    (project / "graph" / "zz.ttl").write_text("<urn:a> <urn:b> <urn:c> .\noops\n",
                                              encoding="utf-8")
    monkeypatch.chdir(project)
    code, _, err = run(capsys, "--root", str(project), "build", "--reasoner", reasoner)
    assert code == 2
    assert f"kg: error: {Path('graph', 'zz.ttl')}:2:" in err and str(project) not in err
    code, _, validated = run(capsys, "validate", *map(str, Path("graph").glob("*.ttl")))
    assert code == 2 and f"{Path('graph', 'zz.ttl')}:2:" in validated


def test_validate_with_project_names_the_projects_files_as_kg_validate_does(
        capsys, project, monkeypatch, tmp_path):
    """--with-project's graph files are named as kg validate graph/*.ttl names them, relative
    to the working folder: a result on one of them is at graph/x.ttl:N."""
    redated = tmp_path / "redated.ttl"  # a later file re-dating an event of part 1
    redated.write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/kg1978/event/liberation-of-phnom-penh-1979-01-07>
    kgo:onDate "1979-01-08"^^xsd:date .
""", encoding="utf-8")
    monkeypatch.chdir(project)
    code, out, _ = run(capsys, "--root", str(project), "validate", "--with-project",
                       str(redated), "--format", "json")
    assert code == 1
    places = {v["location"] for r in json.loads(out)["results"] for v in r["values"]}
    dated = 1 + (project / "graph" / "article-part1.ttl").read_text(
        encoding="utf-8").splitlines().index('    kgo:onDate "1979-01-07"^^xsd:date ;')
    assert places == {f"{Path('graph', 'article-part1.ttl')}:{dated}", f"{redated}:4"}
    assert str(project) not in out


def test_validate_refuses_what_the_build_refuses(capsys, project):
    """rdflib reads an IRI with a space (and warns); pyoxigraph, which the build loads with,
    refuses it: kg validate FILE says so at file:line:column too, instead of reporting
    invented results about a mangled IRI (or a traceback in --format turtle)."""
    links = project / "graph" / "links.ttl"
    links.write_text(links.read_text(encoding="utf-8").replace("Q427325>", "Q427 325>"),
                     encoding="utf-8")
    for fmt in ("text", "turtle", "json"):
        code, out, err = run(capsys, "--root", str(project), "validate", str(links),
                             "--format", fmt)
        assert code == 2, (fmt, out, err)
        assert "links.ttl:" in err and "Invalid IRI code point ' '" in err
        assert "Traceback" not in err and "does not look like a valid URI" not in err


def test_validate_fetches_no_remote_json_ld_context(capsys, project, tmp_path):
    """`kg validate` of JSON-LD naming a remote @context had rdflib fetch it (a file whose
    context was down: "not valid json-ld: <urlopen error [Errno 111] Connection refused>");
    it is refused as /validate refuses it, and a server on loopback sees no request."""
    with Canary() as canary:
        url = canary.url + "/ctx.jsonld"
        node = {"@id": "https://w3id.org/kg1978/place/x", "name": "X"}
        for n, doc in enumerate([{"@context": url, **node},
                                 {"@context": {"@import": url}, **node},
                                 {"@graph": [{"@context": [url], **node}]}]):
            f = tmp_path / f"remote{n}.jsonld"
            f.write_text(json.dumps(doc), encoding="utf-8")
            code, out, err = run(capsys, "--root", str(project), "validate", str(f))
            assert (code, out) == (2, ""), err
            assert f"kg: error: {f}: " in err and ("remote JSON-LD contexts are not fetched"
                                                   in err or "@import is not followed" in err)
    assert canary.requests == []


def test_a_json_ld_file_of_nothing_is_not_said_to_conform(capsys, project, tmp_path):
    """JSON-LD drops a node whose @id is not an IRI: validating the nothing left said
    "Conforms"."""
    bad = tmp_path / "space.jsonld"
    bad.write_text('{"@id": "https://w3id.org/kg1978/place/a b",\n'
                   ' "@type": "https://w3id.org/kg1978/ontology/Country"}\n', encoding="utf-8")
    code, out, err = run(capsys, "--root", str(project), "validate", str(bad))
    assert code == 2 and "space.jsonld: the JSON-LD holds no triples" in err


def test_machine_formats_say_why_nothing_was_validated(capsys, project):
    """A file that does not parse: exit 2 and the error on stderr, and on stdout the error in
    the format asked for, so `> kg.sarif` in a CI job is a readable log, not an empty file."""
    bad = project / "graph" / "zz.ttl"
    bad.write_text("<urn:a> <urn:b> <urn:c> .\noops\n", encoding="utf-8")
    code, out, err = run(capsys, "--root", str(project), "validate", str(bad), "--format",
                         "github")
    assert code == 2 and "zz.ttl:2" in err
    assert out.startswith("::error file=") and ",line=2," in out and out.count("\n") == 1
    code, out, _ = run(capsys, "--root", str(project), "validate", str(bad), "--format", "json")
    doc = json.loads(out)
    assert code == 2 and doc["conforms"] is None and doc["line"] == 2
    assert doc["path"].endswith("zz.ttl") and doc["results"] == []
    code, out, _ = run(capsys, "--root", str(project), "validate", str(bad), "--format", "sarif")
    log = json.loads(out)
    assert code == 2 and log["version"] == "2.1.0"
    (run_,) = log["runs"]
    assert run_["invocations"][0]["executionSuccessful"] is False
    (result,) = run_["results"]
    assert result["ruleId"] == run_["tool"]["driver"]["rules"][result["ruleIndex"]]["id"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 2
    code, out, _ = run(capsys, "--root", str(project), "validate", str(bad))
    assert code == 2 and out == ""  # text: stderr only


@pytest.mark.parametrize("name, text, line, column", [
    ("zz.jsonld", '{"@id": "urn:a",\n "urn:b": }\n', 2, None),  # rdflib: a line, no column
    ("zz.ttl", "<urn:a> <urn:b> <urn:c> .\noops\n", 2, 1),  # pyoxigraph: both
    ("zz.ttl", "<urn:a> <urn:b> <urn:c d> .\n", 1, 17),  # pyoxigraph (rdflib let it through)
])
def test_json_error_has_every_key_null_where_unknown(capsys, project, name, text, line, column):
    """The JSON of "nothing could be validated" has the keys the README lists, whatever the
    parser could tell: a column it does not give is null, not a missing key."""
    bad = project / "graph" / name
    bad.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", str(bad), "--format", "json")
    doc = json.loads(out)
    assert code == 2
    assert list(doc) == ["conforms", "exit_code", "message", "path", "line", "column", "results"]
    assert (doc["conforms"], doc["exit_code"], doc["results"]) == (None, 2, [])
    assert (doc["line"], doc["column"]) == (line, column)


def test_a_shape_whose_sparql_does_not_parse_is_named(capsys, project):
    """A typo in a SPARQL constraint is a broken project: kg validate (either engine) and kg
    build name the constraint and where its query breaks, exit 2, no parser traceback."""
    shapes = project / "shapes" / "kg-shapes.ttl"
    text = shapes.read_text(encoding="utf-8")
    broken = text.replace("FILTER NOT EXISTS { $this kgo:startDate ?start }",
                          "FILTER NOT EXISTS { $this kgo:startDate ?start", 1)
    assert broken != text
    shapes.write_text(broken, encoding="utf-8")
    files = [str(project / "graph" / "article-part1.ttl")]
    for args in (["validate"], ["validate", *files], ["build"]):
        code, out, err = run(capsys, "--root", str(project), *args)
        assert code == 2, (args, err)
        assert "kgs:EndNeedsStartConstraint: its SPARQL query does not parse (line 5" in err
        assert "Traceback" not in err and out == ""


def test_unusable_shapes_exit_2_without_a_traceback(capsys, project):
    """A SPARQL constraint SHACL does not allow (VALUES in its query) is a broken project, said
    as such by kg validate and kg build: exit 2 and the reason, not a traceback."""
    shapes = project / "shapes" / "kg-shapes.ttl"
    text = shapes.read_text(encoding="utf-8")
    broken = text.replace("{ $this kgo:inResponseTo ?other BIND (kgo:inResponseTo AS ?path) }",
                          "{ VALUES ?path { kgo:inResponseTo } $this ?path ?other }")
    assert broken != text
    shapes.write_text(broken, encoding="utf-8")
    files = [str(project / "graph" / "article-part1.ttl")]  # events: the constraint applies
    code, out, err = run(capsys, "--root", str(project), "validate", *files)
    assert code == 2
    assert "shapes (shapes/*.ttl) cannot be used" in err and "VALUES" in err
    assert "Traceback" not in err and out == ""
    code, out, err = run(capsys, "--root", str(project), "build")
    assert code == 2 and out == ""
    assert "VALUES in SPARQL constraint" in err  # kg.shacl_fast refuses it, then pySHACL
    assert "shapes (shapes/*.ttl) cannot be used" in err and "Traceback" not in err
    assert not (project / "build" / "kg.nq").exists()


def test_validate_conforming_files_exits_0(capsys, project):
    files = [str(p) for p in sorted((project / "graph").glob("*.ttl"))]
    code, out, _ = run(capsys, "--root", str(project), "validate", *files)
    assert code == 0
    assert out.startswith("Conforms")


CONTRIBUTION = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix event: <https://w3id.org/kg1978/event/> .
@prefix place: <https://w3id.org/kg1978/place/> .
@prefix unit: <https://w3id.org/kg1978/unit/> .
@prefix p: <https://w3id.org/kg1978/source/article-part1-passage-> .

event:a-contribution a kgo:Attack ;
    rdfs:label "An attack near the Tây Ninh border, 24 December 1978"@en ;
    kgo:onDate "1978-12-24"^^xsd:date ;
    kgo:carriedOutBy unit:vpa ;
    kgo:tookPlaceAt place:tay-ninh-border-area ;
    kgo:subEventOf event:southwestern-border-war ;
    prov:wasDerivedFrom p:13 .
"""


def test_validate_with_the_project_finds_its_passages_and_entities(capsys, project, tmp_path):
    """A contributor's new file alone cites passages and entities the project declares in
    other files (reported as undeclared); --with-project validates it with graph/*.ttl, and a
    file named as one of graph/ stands in its place rather than beside it."""
    new = tmp_path / "contribution.ttl"
    new.write_text(CONTRIBUTION, encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", str(new))
    assert code == 1 and "not a passage declared in graph/sources.ttl" in out
    code, out, _ = run(capsys, "--root", str(project), "validate", "--with-project", str(new))
    assert (code, out.splitlines()[0]) == (0, "Conforms: the data satisfies every shape.")
    wrong = tmp_path / "wrong" / "contribution.ttl"
    wrong.parent.mkdir()
    wrong.write_text(CONTRIBUTION.replace("place:tay-ninh-border-area", "place:tay-nihn"),
                     encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", "--with-project", str(wrong))
    assert code == 1 and f"where:      {wrong}:14" in out and "place:tay-nihn" in out
    # a copy of a project file replaces it: beside it, every label would be a duplicate
    copy = tmp_path / "article-part1.ttl"
    copy.write_bytes((project / "graph" / "article-part1.ttl").read_bytes())
    code, out, _ = run(capsys, "--root", str(project), "validate", "--with-project", str(copy))
    assert code == 0, out[:600]
    # ... the original's label would hide it: a version that drops an event's label is the
    # shapes' one result on that event (the readings about it point at an entity described,
    # typed, so they are no dangling reference: kg.qc's dangling-reference query)
    label = '    rdfs:label "Pol Pot forces reduced to passive reaction, in or after the shift of March 1978"@en ;\n'
    text = copy.read_text(encoding="utf-8")
    about = set(re.findall(r"^stmt:([a-z0-9-]+) a rdf:Statement [^\n]*rdf:subject "
                           r"event:pol-pot-forces-reduced-to-reacting-1978 ;", text, re.M))
    assert len(about) == 3
    copy.write_text(text.replace(label, "", 1), encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", "--with-project", str(copy),
                       "--format", "json")
    found = {(r["focus"].rpartition("/")[2], r["shape"].rpartition(":")[2])
             for r in json.loads(out)["results"]}
    assert code == 1
    assert found == {("pol-pot-forces-reduced-to-reacting-1978",
                      "//w3id.org/kg1978/shapes/EntityLabelShape")}
    code, _, err = run(capsys, "--root", str(project), "validate", "--with-project", str(new),
                       str(wrong))
    assert code == 2 and "two files named contribution.ttl" in err


def test_validate_with_project_a_file_in_another_syntax_stands_in_for_its_namesake(
        capsys, project, tmp_path):
    """article-part1.nt, part 1 in N-Triples, stands in for graph/article-part1.ttl, as an
    upload of that name replaces its graph on /validate?context=dataset: beside it, the
    project's part 1 gave back the label the new version drops (and a changed date was two
    values); two files of one name in two syntaxes are bad input."""
    event = "https://w3id.org/kg1978/event/pol-pot-forces-reduced-to-reacting-1978"
    lines = Graph().parse(project / "graph" / "article-part1.ttl").serialize(
        format="nt").splitlines(keepends=True)
    label = f"<{event}> <http://www.w3.org/2000/01/rdf-schema#label> "
    copy = tmp_path / "article-part1.nt"
    copy.write_text("".join(t for t in lines if not t.startswith(label)), encoding="utf-8")
    assert len(lines) - len(copy.read_text(encoding="utf-8").splitlines()) == 1
    code, out, _ = run(capsys, "--root", str(project), "validate", "--with-project",
                       "--format", "json", str(copy))
    assert code == 1
    assert {(r["focus"], r["shape"].rpartition("/")[2]) for r in json.loads(out)["results"]} \
        == {(event, "EntityLabelShape")}
    twin = tmp_path / "twin" / "article-part1.ttl"
    twin.parent.mkdir()
    twin.write_bytes((project / "graph" / "article-part1.ttl").read_bytes())
    code, _, err = run(capsys, "--root", str(project), "validate", "--with-project", str(copy),
                       str(twin))
    assert code == 2 and "two files named article-part1 (article-part1.nt and " \
        "article-part1.ttl) (with --with-project" in err


def test_validate_violations_exit_1_in_every_format(capsys, project, tmp_path, validated_once):
    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
<https://w3id.org/kg1978/event/nameless> a kgo:Meeting .
""", encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", str(bad))
    assert code == 1
    assert "Does not conform" in out and "focus node: event:nameless" in out
    assert "shape:      kgs:DecisionShape (sh:MinCountConstraintComponent)" in out
    code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "json", str(bad))
    report = json.loads(out)
    assert code == 1 and report["conforms"] is False and out.endswith("}\n")
    assert {"focus", "path", "value", "severity", "message", "shape"} <= set(report["results"][0])
    assert any(r["path"] == "http://www.w3.org/2000/01/rdf-schema#label" for r in report["results"])
    code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "turtle", str(bad))
    assert code == 1
    assert len(Graph().parse(data=out, format="turtle")) > 0


def test_validate_turtle_report_carries_what_the_text_report_says(capsys, project, tmp_path,
                                                                   validated_once):
    """The Turtle report is a SHACL report whose results also carry, in the shapes' namespace,
    the file and line, the hint and the advice of the text report, each declared in the
    shapes; every result of the JSON report is one result of it."""
    from rdflib import RDF, Literal, Namespace
    from rdflib.namespace import RDFS, SH, XSD

    kgs = Namespace("https://w3id.org/kg1978/shapes/")
    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/kg1978/event/incident> a kgo:Atack ;
    rdfs:label "an incident"@en ;
    kgo:onDate "1978-02-30"^^xsd:date .
""", encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "turtle", str(bad))
    assert code == 1
    report = Graph().parse(data=out, format="turtle")
    (root,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(root, SH.conforms) == Literal(False)
    results = set(report.objects(root, SH.result))
    assert results == set(report.subjects(RDF.type, SH.ValidationResult))
    _, printed, _ = run(capsys, "--root", str(project), "validate", "--format", "json", str(bad))
    expected = json.loads(printed)["results"]
    assert len(results) == len(expected)
    for node in results:  # still what SHACL says of a result
        assert report.value(node, SH.focusNode) is not None
        assert report.value(node, SH.sourceConstraintComponent) is not None
    # every result on the file's lines, as the JSON report places them
    assert sorted(f"{report.value(n, kgs.file)}:{report.value(n, kgs.line)}" for n in results) \
        == sorted(r["location"] for r in expected)
    assert {report.value(n, kgs.file) for n in results} == {Literal(str(bad))}
    assert {report.value(n, kgs.line).datatype for n in results} == {XSD.integer}
    hints = {str(h) for h in report.objects(None, kgs.hint)}
    assert "Did you mean kgo:Attack?" in hints
    advice = {str(a) for a in report.objects(None, kgs.advice)}
    assert advice == {r["advice"] for r in expected if r["advice"]} and advice
    # each hint is what the text report's message adds to the shape's
    for node in report.subjects(kgs.hint, None):
        message = f"{report.value(node, SH.resultMessage)}"
        assert any(r["message"].startswith(message) and r["message"].endswith(
            str(report.value(node, kgs.hint))) for r in expected)
    shapes = Graph().parse(REPO / "shapes" / "kg-shapes.ttl")
    for term in (kgs.file, kgs.line, kgs.hint, kgs.advice):
        assert (term, RDF.type, RDF.Property) in shapes and (term, RDFS.comment, None) in shapes


def test_validate_turtle_report_carries_repeats_and_counted_values(capsys, tmp_path):
    """What the text report shows beyond a result's own lines is in the Turtle report too: a
    result that repeats another (JSON's follows) points at it (kgs:repeats), and a result about
    too many values gives each (kgs:countedValue) with the file and line that give it."""
    from rdflib import RDF, Literal, Namespace
    from rdflib.namespace import RDFS, SH, XSD

    kgs = Namespace("https://w3id.org/kg1978/shapes/")
    redated = tmp_path / "redated.ttl"  # the README's later file re-dating an event of part 1
    redated.write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/kg1978/event/liberation-of-phnom-penh-1979-01-07>
    kgo:onDate "1979-01-08"^^xsd:date .
""", encoding="utf-8")
    args = ("--root", str(REPO), "validate", "--with-project", str(redated))
    code, out, _ = run(capsys, *args, "--format", "turtle")
    assert code == 1
    report = Graph().parse(data=out, format="turtle")
    _, printed, _ = run(capsys, *args, "--format", "json")
    expected = json.loads(printed)["results"]
    results = set(report.subjects(RDF.type, SH.ValidationResult))
    assert len(results) == len(expected)

    def path(node):
        return str(report.value(node, SH.resultPath))

    repeats = {(path(n), path(report.value(n, kgs.repeats)))
               for n in report.subjects(kgs.repeats, None)}
    assert repeats == {(r["path"], r["follows"]) for r in expected if r["follows"]}
    on_date = "https://w3id.org/kg1978/ontology/onDate"
    # the same said of kgo:startDate and kgo:endDate, and the chronology results on the date
    # too many (start after end, on kgo:endDate; after its whole had ended, on kgo:subEventOf)
    assert repeats == {("https://w3id.org/kg1978/ontology/startDate", on_date),
                       ("https://w3id.org/kg1978/ontology/endDate", on_date),
                       ("https://w3id.org/kg1978/ontology/subEventOf", on_date)}
    for a, b in report.subject_objects(kgs.repeats):
        assert (b, RDF.type, SH.ValidationResult) in report
        assert report.value(a, SH.focusNode) == report.value(b, SH.focusNode)
    counted = {(path(n), report.value(v, kgs.value),
                f"{report.value(v, kgs.file)}:{report.value(v, kgs.line)}")
               for n, v in report.subject_objects(kgs.countedValue)}
    assert counted == {(r["path"], Literal(v["value"][1:11], datatype=XSD.date), v["location"])
                       for r in expected for v in r["values"]}
    assert (on_date, Literal("1979-01-08", datatype=XSD.date), f"{redated}:4") in counted
    assert len(counted) == 6  # two values on each of onDate, startDate and endDate
    shapes = Graph().parse(REPO / "shapes" / "kg-shapes.ttl")
    for term in (kgs.repeats, kgs.countedValue, kgs.value):
        assert (term, RDF.type, RDF.Property) in shapes and (term, RDFS.comment, None) in shapes


def test_validate_turtle_report_carries_related_triples(capsys, tmp_path):
    """The text report's "see also" (JSON's related) is in the Turtle report too: each
    related triple a kgs:related node of its result, the triple reified, with its file and
    line; kgs:related is declared with the report's other terms."""
    from rdflib import RDF, Literal, Namespace, URIRef
    from rdflib.namespace import RDFS, SH

    kgs = Namespace("https://w3id.org/kg1978/shapes/")
    text = (REPO / "graph" / "entities.ttl").read_text(encoding="utf-8")
    bad = tmp_path / "entities.ttl"
    bad.write_text(text.replace('rdfs:label "Snuol District"@en', 'rdfs:label "Phnom penh"@en'),
                   encoding="utf-8")
    line = text.splitlines().index('    rdfs:label "Snuol District"@en ;') + 1
    code, out, _ = run(capsys, "--root", str(REPO), "validate", "--with-project",
                       "--format", "turtle", str(bad))
    report = Graph().parse(data=out, format="turtle")
    [(result, related)] = list(report.subject_objects(kgs.related))
    assert code == 1 and (result, RDF.type, SH.ValidationResult) in report
    assert report.value(result, SH.focusNode) == URIRef("https://w3id.org/kg1978/place/phnom-penh")
    assert {(p, o) for p, o in report.predicate_objects(related)} == {
        (RDF.subject, URIRef("https://w3id.org/kg1978/place/snuol")),
        (RDF.predicate, RDFS.label), (RDF.object, Literal("Phnom penh", lang="en")),
        (kgs.file, Literal(str(bad))), (kgs.line, Literal(line))}
    shapes = Graph().parse(REPO / "shapes" / "kg-shapes.ttl")
    assert (kgs.related, RDF.type, RDF.Property) in shapes
    assert (kgs.related, RDFS.comment, None) in shapes and (kgs.related, RDFS.label, None) in shapes


def test_a_date_time_is_shown_as_the_file_writes_it(capsys, tmp_path):
    """rdflib reads "1979-01-07T09:30:00Z"^^xsd:dateTime as …T09:30:00+00:00, a text no file
    has: the result's value and message give the file's, in Turtle and JSON-LD, and the Turtle
    report still places it and gives its hint."""
    from rdflib import Namespace

    kgs = Namespace("https://w3id.org/kg1978/shapes/")
    month = (REPO / "tests" / "data" / "shapes" / "event-on-date-month.ttl").read_text("utf-8")
    ttl = tmp_path / "dt.ttl"
    ttl.write_text(month.replace('"1978-12"^^xsd:gYearMonth',
                                 '"1979-01-07T09:30:00Z"^^xsd:dateTime'), encoding="utf-8")
    jsonld = tmp_path / "dt.jsonld"
    jsonld.write_text("""{
  "@context": {"kgo": "https://w3id.org/kg1978/ontology/",
               "xsd": "http://www.w3.org/2001/XMLSchema#"},
  "@id": "https://w3id.org/kg1978/event/incident",
  "@type": "kgo:Event",
  "kgo:onDate": {"@value": "1979-01-07T09:30:00Z", "@type": "xsd:dateTime"}
}
""", encoding="utf-8")
    written = '"1979-01-07T09:30:00Z"'
    for bad, line in ((ttl, month.splitlines().index(
            '    kgo:onDate "1978-12"^^xsd:gYearMonth ;') + 1), (jsonld, 6)):
        code, out, _ = run(capsys, "--root", str(REPO), "validate", "--format", "json",
                           str(bad))
        dated = [r for r in json.loads(out)["results"]
                 if r["path"].endswith(("/onDate", "/startDate", "/endDate"))]
        assert code == 1 and len(dated) == 3, dated
        for r in dated:
            assert r["value"] == written + "^^<http://www.w3.org/2001/XMLSchema#dateTime>"
            assert r["location"] == f"{bad}:{line}"
            assert f'; {written} is a date-time: write it "1979-01-07"^^xsd:date' in r["message"]
            assert "+00:00" not in r["message"]
        code, out, _ = run(capsys, "--root", str(REPO), "validate", "--format", "turtle",
                           str(bad))
        report = Graph().parse(data=out, format="turtle")
        hints = {str(h) for h in report.objects(None, kgs.hint)}
        assert f'{written} is a date-time: write it "1979-01-07"^^xsd:date' in hints, hints
        assert len(set(report.subjects(kgs.line, None))) >= 3


def test_date_times_as_written_are_found_from_one_index(capsys, tmp_path, monkeypatch):
    """Many results whose value rdflib writes otherwise (a date-time's canonical form): each
    is shown as its own event's file writes it, at its line, with the literals of the file
    indexed once per validation, not scanned once for each result (which made a file of n
    such results n times slower: n x the file's literals)."""
    import kg.validate

    month = (REPO / "tests" / "data" / "shapes" / "event-on-date-month.ttl").read_text("utf-8")
    head, _, _ = month.partition("event:incident a kgo:Event")
    events, expected = [], {}
    for i in range(60):
        written = f"1979-01-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z"
        line = head.count("\n") + 1 + 5 * i + 2  # of its kgo:onDate
        events.append(f"event:incident-{i} a kgo:Event ;\n"
                      f'    rdfs:label "Incident {i}"@en ;\n'
                      f'    kgo:onDate "{written}"^^xsd:dateTime ;\n'
                      f"    prov:wasDerivedFrom src:doc-passage-1 .\n\n")
        expected[f"https://w3id.org/kg1978/event/incident-{i}"] = (written, line)
    bad = tmp_path / "many.ttl"
    bad.write_text(head + "".join(events), encoding="utf-8")

    scans = []

    class Counted(dict):
        def items(self):
            scans.append(1)
            return super().items()

    read = kg.validate.statement_lines

    def counting(texts):
        found = read(texts)
        found.tagged_values = Counted(found.tagged_values)
        return found

    monkeypatch.setattr(kg.validate, "statement_lines", counting)
    code, out, _ = run(capsys, "--root", str(REPO), "validate", "--format", "json", str(bad))
    dated = [r for r in json.loads(out)["results"] if r["path"].endswith("/onDate")]
    assert code == 1 and len(dated) == len(expected), dated
    for r in dated:
        written, line = expected[r["focus"]]
        assert r["value"] == f'"{written}"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
        assert r["location"] == f"{bad}:{line}", r
        assert f'"{written}" is a date-time' in r["message"] and "+00:00" not in r["message"]
    assert len(scans) == 1, len(scans)


def test_other_events_compared_with_an_ill_formed_date_say_so(capsys, tmp_path):
    """A start date written "23-12-1978"^^xsd:date is its own result ("not written as an
    xsd:date"), and the events that respond to it are compared with it as text ("before the
    event it responds to … can have begun (23-12-1978 at the earliest)"): those results say
    that the date is the other event's, ill-formed, and that they say nothing until it is
    corrected, as for a date in words."""
    text = (REPO / "graph" / "article-part1.ttl").read_text(encoding="utf-8")
    written = ('event:pol-pot-attack-1978-12-23 a kgo:Attack, kgo:Invasion ;\n'
               '    rdfs:label "Pol Pot attack along the Southwestern border, 23 December 1978"@en ;')
    at = text.index(written)
    start = text.index('kgo:startDate "1978-12-23"^^xsd:date', at)
    bad = tmp_path / "article-part1.ttl"
    bad.write_text(text[:start] + 'kgo:startDate "23-12-1978"^^xsd:date'
                   + text[start + len('kgo:startDate "1978-12-23"^^xsd:date'):],
                   encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(REPO), "validate", "--with-project",
                       "--format", "json", str(bad))
    results = json.loads(out)["results"]
    compared = [r for r in results if "(23-12-1978 at the earliest)" in r["message"]]
    assert code == 1 and len(compared) == 3, results
    for r in compared:
        assert not r["focus"].endswith("/pol-pot-attack-1978-12-23")
        assert r["message"].endswith(
            "; 23-12-1978 is event:pol-pot-attack-1978-12-23's kgo:startDate, ill-formed (not "
            "an xsd:date), compared here as text: this says nothing until it is corrected"), r
    assert [r["message"].rpartition("; ")[2] for r in results
            if r["focus"].endswith("/pol-pot-attack-1978-12-23")] == [
        "23-12-1978 is not written as an xsd:date (YYYY-MM-DD)"]


def test_validate_engines_give_the_same_report(capsys, project, tmp_path):
    """kg validate runs the build's engine (kg.shacl_fast) unless --validator pyshacl asks for
    the reference: the same results, in the same order; an unknown engine is bad input."""
    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
<https://w3id.org/kg1978/event/nameless> a kgo:Meeting ; kgo:onDate "5 May" .
""", encoding="utf-8")
    reports = {}
    for engine in ("fast", "pyshacl"):
        code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "json",
                           "--validator", engine, str(bad))
        assert code == 1
        reports[engine] = json.loads(out)["results"]
    assert len(reports["fast"]) >= 3 and reports["fast"] == reports["pyshacl"]
    with pytest.raises(SystemExit) as info:
        main(["--root", str(project), "validate", "--validator", "nope", str(bad)])
    assert info.value.code == 2


def test_one_wrong_date_is_shown_once_with_its_repeats(capsys, project, tmp_path,
                                                       validated_once):
    """kgo:onDate is a sub-property of kgo:startDate and kgo:endDate: one wrong day is three
    results in the closure. Text and GitHub annotations show the one on kgo:onDate, with the
    other two under it; JSON and SARIF keep all three, the two marked as repeats."""
    bad = tmp_path / "bad.ttl"
    month = (REPO / "tests" / "data" / "shapes" / "event-on-date-month.ttl").read_text("utf-8")
    assert month.count('"1978-12"^^xsd:gYearMonth') == 1
    bad.write_text(month.replace('"1978-12"^^xsd:gYearMonth', '"1978-02-30"^^xsd:date'),
                   encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", str(bad))
    assert code == 1
    assert out.startswith("Does not conform: 3 result(s) (3 violations); 2 of them repeat "
                          "another")
    assert out.count("Violation:") == 1 and "  path:       kgo:onDate\n" in out
    # why "1978-02-30"^^xsd:date is no xsd:date, which it reads as
    assert "on a day; 1978-02-30 is not a day of the calendar: day is out of range" in out
    assert "  also as:    kgo:endDate: end date must be" in out
    assert re.search(r"\n {14}kgo:startDate: start date must be", out)
    code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "github",
                       str(bad))
    assert len(out.splitlines()) == 1 and "path kgo:onDate" in out
    assert "; also as kgo:endDate (kgs:EventEndDateShape)" in out
    code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "json", str(bad))
    results = json.loads(out)["results"]
    kgo = "https://w3id.org/kg1978/ontology/"
    assert sorted((r["path"], r["follows"]) for r in results) == [
        (kgo + "endDate", kgo + "onDate"), (kgo + "onDate", None),
        (kgo + "startDate", kgo + "onDate")]
    code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "sarif", str(bad))
    sarif = json.loads(out)["runs"][0]["results"]
    assert sorted(r["properties"].get("follows", "") for r in sarif) == [
        "", kgo + "onDate", kgo + "onDate"]


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_range_shape_repeating_a_hand_written_one_is_shown_with_it(capsys, project, tmp_path,
                                                                     engine, validated_once):
    """An event's place that is no kgo:Place breaks kgs:EventPlaceShape and the generated
    kgs:tookPlaceAt-range alike: text and GitHub annotations show the hand-written result
    with the generated one under it; JSON and SARIF keep both, the generated one marked as
    the repeat; the exit code is unchanged."""
    bad = tmp_path / "bad.ttl"
    literal = (REPO / "tests" / "data" / "shapes" / "event-place-literal.ttl").read_text("utf-8")
    assert literal.count('kgo:tookPlaceAt "Tay Ninh"') == 1
    bad.write_text(literal.replace('kgo:tookPlaceAt "Tay Ninh"', "kgo:tookPlaceAt src:doc"),
                   encoding="utf-8")
    options = ("--root", str(project), "validate", "--validator", engine, "--with-project")
    code, out, _ = run(capsys, *options, str(bad))
    assert code == 1
    assert out.startswith("Does not conform: 2 result(s) (2 violations); 1 of them repeat "
                          "another")
    assert out.count("Violation:") == 1
    assert "Violation: an event takes place at a kgo:Place\n" in out
    assert ("  also as:    kgo:tookPlaceAt: the value of kgo:tookPlaceAt (or of a "
            "sub-property) must be a kgo:Place (kgs:tookPlaceAt-range)") in out
    code, out, _ = run(capsys, *options, "--format", "github", str(bad))
    assert code == 1 and len(out.splitlines()) == 1
    assert "title=SHACL kgs%3AEventPlaceShape::" in out
    code, out, _ = run(capsys, *options, "--format", "json", str(bad))
    kgo, kgs = "https://w3id.org/kg1978/ontology/", "https://w3id.org/kg1978/shapes/"
    assert code == 1 and json.loads(out)["conforms"] is False
    assert sorted((r["shape"], r["follows"]) for r in json.loads(out)["results"]) == [
        (kgs + "EventPlaceShape", None), (kgs + "tookPlaceAt-range", kgo + "tookPlaceAt")]
    code, out, _ = run(capsys, *options, "--format", "sarif", str(bad))
    sarif = json.loads(out)["runs"][0]["results"]
    assert sorted((r["ruleId"], r["properties"].get("follows", "")) for r in sarif) == [
        ("kgs:EventPlaceShape", ""), ("kgs:tookPlaceAt-range", kgo + "tookPlaceAt")]


def test_a_misspelt_class_is_listed_before_what_follows_from_it(capsys, project, tmp_path):
    """A type kgo:Atack leaves the event outside kgo:Event, so every date it has breaks a
    domain: the report lists the root cause first for that focus node (its shape has an
    sh:order), in both engines."""
    month = (REPO / "tests" / "data" / "shapes" / "event-on-date-month.ttl").read_text("utf-8")
    bad = tmp_path / "typo.ttl"
    bad.write_text(month.replace("event:incident a kgo:Event ;", "event:incident a kgo:Atack ;")
                   .replace('"1978-12"^^xsd:gYearMonth', '"1978-12-02"^^xsd:date'),
                   encoding="utf-8")
    for engine in ("fast", "pyshacl"):
        code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "json",
                           "--validator", engine, str(bad))
        shapes = [r["shape"].rpartition("/")[2] for r in json.loads(out)["results"]]
        assert code == 1 and len(shapes) >= 3 and shapes[0] == "DeclaredTypeShape", shapes


def test_what_a_misspelt_class_breaks_on_other_nodes_names_it(capsys, tmp_path):
    """An event typed kgo:Atack in part 1 is of no class, so each of its three figures fails
    "a figure is the figure of exactly one event or measure" on the figure: those results say
    that the event's class is the cause, and give its line ("see also", JSON's related), in
    both engines."""
    text = (REPO / "graph" / "article-part1.ttl").read_text(encoding="utf-8")
    typo = "event:attacks-on-vietnamese-border-communes a kgo:Atack ;"
    bad = tmp_path / "article-part1.ttl"
    bad.write_text(text.replace("event:attacks-on-vietnamese-border-communes a kgo:Attack ;",
                                typo), encoding="utf-8")
    line = text.splitlines().index(typo.replace("Atack", "Attack")) + 1
    event, kgo = "https://w3id.org/kg1978/event/attacks-on-vietnamese-border-communes", \
        "https://w3id.org/kg1978/ontology/"
    for engine in ("fast", "pyshacl"):
        code, out, _ = run(capsys, "--root", str(REPO), "validate", "--with-project",
                           "--validator", engine, "--format", "json", str(bad))
        figures = [r for r in json.loads(out)["results"] if r["focus"] != event]
        assert code == 1 and len(figures) == 3, (engine, figures)
        for r in figures:
            assert r["message"].endswith(
                "; event:attacks-on-vietnamese-border-communes is typed kgo:Atack, which the "
                "ontology does not declare (Did you mean kgo:Attack?): correct its class and "
                "this result goes"), r
            assert r["related"] == [{"path": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                                     "value": kgo + "Atack", "location": f"{bad}:{line}",
                                     "focus": event}]
    code, out, _ = run(capsys, "--root", str(REPO), "validate", "--with-project", str(bad))
    assert out.count("  see also:   event:attacks-on-vietnamese-border-communes rdf:type "
                     f"kgo:Atack at {bad}:{line}\n") == 3


def test_a_shared_label_names_the_other_resource_at_its_line(capsys, tmp_path):
    """Two resources labelled alike (but for case) are one QC result, on the first: it names
    the other's label at its line, either being the one to reword ("see also" in text,
    JSON's related, SARIF's relatedLocations)."""
    text = (REPO / "graph" / "entities.ttl").read_text(encoding="utf-8")
    bad = tmp_path / "entities.ttl"
    bad.write_text(text.replace('rdfs:label "Snuol District"@en', 'rdfs:label "Phnom penh"@en'),
                   encoding="utf-8")
    line = text.splitlines().index('    rdfs:label "Snuol District"@en ;') + 1
    options = ("--root", str(REPO), "validate", "--with-project", str(bad))
    code, out, _ = run(capsys, *options, "--format", "json")
    [shared] = [r for r in json.loads(out)["results"]
                if r["shape"] == "urn:kg:qc:duplicate-entity-label-violation"]
    assert code == 1 and shared["focus"] == "https://w3id.org/kg1978/place/phnom-penh"
    assert shared["related"] == [{"path": "http://www.w3.org/2000/01/rdf-schema#label",
                                  "value": '"Phnom penh"@en', "location": f"{bad}:{line}",
                                  "focus": "https://w3id.org/kg1978/place/snuol"}]
    code, out, _ = run(capsys, *options)
    assert f'  see also:   place:snuol rdfs:label "Phnom penh"@en at {bad}:{line}\n' in out
    code, out, _ = run(capsys, *options, "--format", "sarif")
    [shared] = json.loads(out)["runs"][0]["results"]
    assert [(p["message"]["text"], p["physicalLocation"]["region"]["startLine"])
            for p in shared["relatedLocations"]] == [
        ('place:snuol rdfs:label "Phnom penh"@en', line)]


def test_validate_falls_back_to_pyshacl_where_the_fast_engine_cannot(capsys, project,
                                                                     tmp_path):
    """Shapes kg.shacl_fast does not compile (sh:not without sh:message) are run by pySHACL,
    over the same closure, as in the build: kg validate FILE says so on stderr and reports
    what the shape finds, at the file's line."""
    (project / "shapes" / "zz-extra.ttl").write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kgo: <https://w3id.org/kg1978/ontology/> .
        <urn:kg:test:PlaceNotEvent> a sh:NodeShape ; sh:targetClass kgo:Place ;
            sh:not [ sh:class kgo:Event ] .
        """, encoding="utf-8")
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix kgo: <https://w3id.org/kg1978/ontology/> .\n\n"
                   "<https://w3id.org/kg1978/place/phnom-penh> a kgo:Place, kgo:Event .\n",
                   encoding="utf-8")
    code, out, err = run(capsys, "--root", str(project), "validate", "--format", "json",
                         str(bad))
    assert "using pySHACL" in err and "shacl#not" in err
    assert code == 1
    found = [r for r in json.loads(out)["results"] if r["shape"] == "urn:kg:test:PlaceNotEvent"]
    assert [(r["focus"], r["location"]) for r in found] == [
        ("https://w3id.org/kg1978/place/phnom-penh", f"{bad}:3")]


def test_validate_as_github_annotations_on_file_and_line(capsys, project, tmp_path,
                                                        monkeypatch):
    """--format github: a workflow command per result, on the file (as given: relative to
    where the workflow runs) and the line; escaped as GitHub reads them; nothing when the
    data conforms."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    Path("data/bad.ttl").write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<https://w3id.org/kg1978/event/nameless> a kgo:Meeting .
""", encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "github",
                       "data/bad.ttl")
    assert code == 1
    lines = out.splitlines()
    assert lines and all(line.startswith("::error file=data/bad.ttl,line=4,title=SHACL kgs%3A")
                         for line in lines)
    decision = next(line for line in lines if "kgs%3ADecisionShape::" in line)
    assert decision.endswith("::a meeting or decision needs what it decided, as a kgo:Measure "
                             "(focus node event:nameless; path kgo:decided)")
    files = [str(p) for p in sorted((project / "graph").glob("*.ttl"))]
    code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "github", *files)
    assert (code, out) == (0, "")


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_blank_node_is_placed_at_the_line_that_introduces_it(capsys, project, tmp_path,
                                                               monkeypatch, engine,
                                                               validated_once):
    """A result about a blank node is on the line of its "[" (the triple whose object it is,
    or its first) or of its label, in every format: found by what the report says of it."""
    monkeypatch.chdir(tmp_path)
    Path("bad.ttl").write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix place: <https://w3id.org/kg1978/place/> .
[] a kgo:Attack ;
    rdfs:label "An attack"@en ;
    kgo:tookPlaceAt [ a kgo:City ;
        rdfs:label "Somewhere"@en ;
        kgo:placeWithin place:cambodia ] .
_:x a kgo:Country ;
    rdfs:label "Elsewhere"@en .
""", encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", "--validator", engine,
                       "--format", "json", "bad.ttl")
    assert code == 1
    iri = [(r["location"], r["message"]) for r in json.loads(out)["results"]
           if r["shape"].endswith("/EntityShape")]
    assert sorted(iri) == [(f"bad.ttl:{n}", "an entity needs an IRI https://w3id.org/kg1978/"
                            "KIND/lower-case-name (KIND one of actor, unit, place, event, "
                            "measure, figure and source; a-z, 0-9 and hyphens, as "
                            "event:attack-on-ha-tien-1978), not a blank node") for n in (4, 6, 9)]
    code, out, _ = run(capsys, "--root", str(project), "validate", "--validator", engine,
                       "--format", "github", "bad.ttl")
    lines = out.splitlines()
    assert lines and all(line.startswith("::error file=bad.ttl,line=") for line in lines)
    # the city's own triple, not its "[": the result is about its kgo:placeWithin
    assert any(line.startswith("::error file=bad.ttl,line=8,title=SHACL kgs%3AReifiedChain")
               for line in lines)


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_several_values_are_each_named_at_their_line(capsys, project, engine, validated_once):
    """A later file re-dating an event of part 1: the sh:maxCount result says how many values
    there are and where each is, in every format; the ones the closure repeats
    (kgo:startDate, kgo:endDate from kgo:onDate) are shown with it."""
    graph = project / "graph"
    (graph / "article-part2.ttl").write_text(
        "@prefix kgo: <https://w3id.org/kg1978/ontology/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
        "<https://w3id.org/kg1978/event/liberation-of-phnom-penh-1979-01-07>\n"
        '    kgo:onDate "1979-01-08"^^xsd:date .\n', encoding="utf-8")
    files = [str(p) for p in sorted(graph.glob("*.ttl"))]
    part1 = graph / "article-part1.ttl"
    line = 1 + part1.read_text(encoding="utf-8").split(
        'kgo:onDate "1979-01-07"^^xsd:date')[0].count("\n")
    said = (f'it has 2 values of kgo:onDate: "1979-01-07"^^xsd:date ({part1}:{line}), '
            f'"1979-01-08"^^xsd:date ({graph / "article-part2.ttl"}:5)')
    code, out, _ = run(capsys, "--root", str(project), "validate", "--validator", engine,
                       "--format", "json", *files)
    assert code == 1
    counted = [r for r in json.loads(out)["results"] if r["constraint"].endswith("#MaxCount"
                                                                                  "ConstraintComponent")]
    assert sorted(r["path"].rpartition("/")[2] for r in counted) == ["endDate", "onDate",
                                                                     "startDate"]
    on_date = next(r for r in counted if r["path"].endswith("onDate"))
    assert on_date["message"].endswith(said)
    assert on_date["values"] == [
        {"value": '"1979-01-07"^^<http://www.w3.org/2001/XMLSchema#date>',
         "location": f"{part1}:{line}"},
        {"value": '"1979-01-08"^^<http://www.w3.org/2001/XMLSchema#date>',
         "location": f"{graph / 'article-part2.ttl'}:5"}]
    for fmt in ("text", "github", "sarif"):
        code, out, _ = run(capsys, "--root", str(project), "validate", "--validator", engine,
                           "--format", fmt, *files)
        if fmt == "sarif":
            # the values as JSON lists them, and each one's line a related location
            sarif = json.loads(out)["runs"][0]["results"]
            [counted] = [r for r in sarif if r["properties"]["resultPath"] == on_date["path"]]
            assert counted["properties"]["values"] == on_date["values"]
            assert [(p["id"], p["message"]["text"],
                     p["physicalLocation"]["artifactLocation"]["uri"],
                     p["physicalLocation"]["region"]["startLine"])
                    for p in counted["relatedLocations"]] == [
                (1, '"1979-01-07"^^xsd:date', part1.as_uri(), line),
                (2, '"1979-01-08"^^xsd:date', (graph / "article-part2.ttl").as_uri(), 5)]
            out = "\n".join(r["message"]["text"] for r in sarif)
        assert code == 1 and said in out
        # text and SARIF say it of the super-properties too; GitHub names them with it
        assert out.count(" has 2 values of ") == (1 if fmt == "github" else 3)


def test_a_start_after_the_end_names_both_lines(capsys, tmp_path):
    """"start after end" is on the end date's line, and names the start date's too, as a
    validator wants both before changing one: text "see also", JSON's ``related``, SARIF's
    ``relatedLocations``, the GitHub annotation's message. The same in JSON-LD."""
    fixture = (REPO / "tests" / "data" / "shapes" / "event-start-after-end.ttl").read_text(
        encoding="utf-8")
    bad = tmp_path / "bad.ttl"
    # a line between the two, so that neither line is the other's neighbour by chance
    bad.write_text(fixture.replace('    kgo:endDate "1978', '    rdfs:comment "x"@en ;\n'
                                   '    kgo:endDate "1978'), encoding="utf-8")
    lines = bad.read_text(encoding="utf-8").splitlines()
    start = 1 + next(i for i, t in enumerate(lines) if "kgo:startDate" in t)
    end = 1 + next(i for i, t in enumerate(lines) if "kgo:endDate" in t)
    assert end == start + 2
    date = "<http://www.w3.org/2001/XMLSchema#date>"
    code, out, _ = run(capsys, "validate", str(bad))
    assert code == 1
    assert f"  where:      {bad}:{end}\n" in out
    assert (f'  see also:   kgo:startDate "1979-01-17"^^xsd:date at {bad}:{start}\n') in out
    code, out, _ = run(capsys, "validate", "--format", "json", str(bad))
    [result] = json.loads(out)["results"]
    assert result["location"] == f"{bad}:{end}"
    assert result["related"] == [{"path": "https://w3id.org/kg1978/ontology/startDate",
                                  "value": f'"1979-01-17"^^{date}',
                                  "location": f"{bad}:{start}", "focus": None}]
    code, out, _ = run(capsys, "validate", "--format", "sarif", str(bad))
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == end
    assert [(p["id"], p["message"]["text"], p["physicalLocation"]["region"]["startLine"])
            for p in result["relatedLocations"]] == [
        (1, 'kgo:startDate "1979-01-17"^^xsd:date', start)]
    code, out, _ = run(capsys, "validate", "--format", "github", str(bad))
    assert out.startswith(f"::error file={bad},line={end},")
    assert f'see also kgo:startDate "1979-01-17"^^xsd:date at {bad}:{start})' in out
    # JSON-LD: the start date at the line of its value object's "{", as the end date is
    g = Graph().parse(bad)
    jsonld = tmp_path / "bad.jsonld"
    jsonld.write_text(g.serialize(format="json-ld", indent=2), encoding="utf-8")
    text = jsonld.read_text(encoding="utf-8").splitlines()
    start = 2 + next(i for i, t in enumerate(text) if "ontology/startDate" in t)
    assert text[start - 1].strip() == "{"
    code, out, _ = run(capsys, "validate", str(jsonld))
    assert code == 1
    assert (f'  see also:   kgo:startDate "1979-01-17"^^xsd:date at {jsonld}:{start}\n') in out
    # RDF/XML: at its property element; N-Triples: at its line
    for name, syntax in (("bad.rdf", "xml"), ("bad.nt", "nt")):
        other = tmp_path / name
        other.write_text(g.serialize(format=syntax), encoding="utf-8")
        text = other.read_text(encoding="utf-8").splitlines()
        start = 1 + next(i for i, t in enumerate(text) if "startDate" in t)
        end = 1 + next(i for i, t in enumerate(text) if "endDate" in t)
        code, out, _ = run(capsys, "validate", str(other))
        assert code == 1 and f"  where:      {other}:{end}\n" in out, out
        assert (f'  see also:   kgo:startDate "1979-01-17"^^xsd:date at {other}:{start}\n'
                in out), out


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_wrong_value_is_reported_at_the_triple_that_gives_it(capsys, project, engine,
                                                                validated_once):
    """A range result is about a triple: its focus node the subject, its path the property
    (kgo:hadParticipant, of which the file's kgo:carriedOutBy is a sub-property), its value
    the wrong one, at the line of the triple in every format. Both events also state a
    kgo:hadParticipant on the next line, which is not the line meant; a literal has a line
    too (the value as focus node had none)."""
    part1 = project / "graph" / "article-part1.ttl"
    text = part1.read_text(encoding="utf-8")
    wrong = {"event:division-341-attachment": ("unit:vpa-general-staff ;", "place:phnom-penh ;"),
             "event:southwestern-border-war": ("unit:vpa, unit:pol-pot-forces ;",
                                               'unit:vpa, "Pol Pot forces" ;')}
    for old, new in wrong.values():
        assert text.count(f"kgo:carriedOutBy {old}") == 1
        text = text.replace(f"kgo:carriedOutBy {old}", f"kgo:carriedOutBy {new}")
    part1.write_text(text, encoding="utf-8")
    at = {focus: f"{part1}:{1 + text.split(new)[0].count(chr(10))}"
          for focus, (_, new) in wrong.items()}
    files = [str(p) for p in sorted((project / "graph").glob("*.ttl"))]

    def validate(fmt):
        code, out, _ = run(capsys, "--root", str(project), "validate", "--validator", engine,
                           "--format", fmt, *files)
        assert code == 1
        return out

    results = [r for r in json.loads(validate("json"))["results"]
               if r["shape"].endswith("/hadParticipant-range")]
    event, kgo = "https://w3id.org/kg1978/event/", "https://w3id.org/kg1978/ontology/"
    assert sorted((r["focus"], r["path"], r["value"], r["location"]) for r in results) == [
        (event + "division-341-attachment", kgo + "hadParticipant",
         "https://w3id.org/kg1978/place/phnom-penh", at["event:division-341-attachment"]),
        (event + "southwestern-border-war", kgo + "hadParticipant", '"Pol Pot forces"',
         at["event:southwestern-border-war"])]
    out = validate("text")
    for focus, line in at.items():
        assert (f"  focus node: {focus}\n  where:      {line}\n  path:       kgo:hadParticipant"
                in out), out
    annotations = [a for a in validate("github").splitlines() if "hadParticipant-range" in a]
    assert sorted(a.split(",title=")[0] for a in annotations) == sorted(
        f"::error file={line.rpartition(':')[0]},line={line.rpartition(':')[2]}"
        for line in at.values())
    sarif = [r for r in json.loads(validate("sarif"))["runs"][0]["results"]
             if r["ruleId"] == "kgs:hadParticipant-range"]
    assert sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in sarif) \
        == sorted(int(line.rpartition(":")[2]) for line in at.values())


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_cycle_is_named_edge_by_edge(capsys, project, engine):
    """The closure makes a subordination cycle one reflexive triple; the report names the
    asserted edges that close it, each at its line, and stands on the focus node's own."""
    fixture = REPO / "tests" / "data" / "shapes" / "group-subordination-cycle.ttl"
    code, out, _ = run(capsys, "--root", str(project), "validate", "--validator", engine,
                       "--format", "json", str(fixture))
    assert code == 1
    cycles = {(r["focus"].rpartition("/")[2], r["location"], r["message"])
              for r in json.loads(out)["results"] if r["constraint"].endswith("#SPARQL"
                                                                              "ConstraintComponent")}
    head = "subordination cycle: the group is subordinate to itself: "
    assert cycles == {
        ("politburo", f"{fixture}:24", head + f"actor:politburo → actor:commission ({fixture}:24)"
                                              f" → actor:politburo ({fixture}:28)"),
        ("commission", f"{fixture}:28", head + f"actor:commission → actor:politburo "
                                               f"({fixture}:28) → actor:commission ({fixture}:24)")}


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_cycle_written_with_the_inverse_is_named_edge_by_edge(capsys, project, tmp_path,
                                                                 engine):
    """A step of a cycle written with the inverse property (``a kgo:hasSubordinate b``: b is
    subordinate to a) is followed too: each result stands on the focus node's own step and
    names the steps at their lines, the inverse one as such. It was placed at the node's first
    statement, with no steps named."""
    fixture = REPO / "tests" / "data" / "shapes" / "group-subordination-cycle.ttl"
    text = fixture.read_text(encoding="utf-8").replace(
        '    rdfs:label "A commission"@en ;\n    kgo:subordinateTo actor:politburo .',
        '    rdfs:label "A commission"@en .\nactor:politburo kgo:hasSubordinate actor:commission .'
    ).replace(
        "rdf:subject actor:commission ; rdf:predicate kgo:subordinateTo ; "
        "rdf:object actor:politburo ;",
        "rdf:subject actor:politburo ; rdf:predicate kgo:hasSubordinate ; "
        "rdf:object actor:commission ;")
    lines = text.splitlines()
    assert lines[23].endswith("kgo:subordinateTo actor:commission .")
    assert lines[27] == "actor:politburo kgo:hasSubordinate actor:commission ."
    bad = tmp_path / "inverse-cycle.ttl"
    bad.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", "--validator", engine,
                       "--format", "json", str(bad))
    assert code == 1
    results = json.loads(out)["results"]
    cycles = {(r["focus"].rpartition("/")[2], r["location"], r["message"]) for r in results
              if r["shape"].endswith("GroupShape")}
    head = "subordination cycle: the group is subordinate to itself: "
    inverse = f"({bad}:28, as kgo:hasSubordinate)"
    assert cycles == {
        ("politburo", f"{bad}:24",
         head + f"actor:politburo → actor:commission ({bad}:24) → actor:politburo {inverse}"),
        ("commission", f"{bad}:28",
         head + f"actor:commission → actor:politburo {inverse} → actor:commission ({bad}:24)")}
    assert len(results) == 2, out


def test_a_blank_focus_node_keeps_its_sarif_fingerprint(capsys, project, tmp_path):
    """A blank node's label changes from run to run; its SARIF fingerprint is made from what
    the report says of it, so code scanning keeps the alert: the same in two runs and in both
    engines, different for a blank node described otherwise."""
    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
[] a kgo:Country ; rdfs:label "Nowhere"@en .
[] a kgo:Country ; rdfs:label "Elsewhere"@en .
""", encoding="utf-8")

    def fingerprints(*options: str) -> list[str]:
        code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "sarif",
                           *options, str(bad))
        assert code == 1
        results = json.loads(out)["runs"][0]["results"]
        assert all(r["properties"]["focusNode"].startswith("[ a kgo:Country") for r in results)
        return sorted(r["partialFingerprints"]["kgValidationResult/v1"] for r in results)

    first = fingerprints()
    assert len(set(first)) == len(first) >= 2  # each result, each node, its own
    assert fingerprints() == first == fingerprints("--validator", "pyshacl")


def test_a_blank_node_has_the_same_name_in_every_run(project, tmp_path):
    """A blank node's label is the engine's, another in every run and process; the reports
    name it by what the file says instead, how a named node reaches it or what it is (with
    its line where two would share a name), so two processes on the same file write the same
    report in every format, which a CI diff or a SARIF baseline compares. The Turtle report
    keeps the blank nodes, labelled by what it says of them: the same bytes too."""
    import subprocess
    import sys

    from rdflib.namespace import SH

    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix place: <https://w3id.org/kg1978/place/> .
<https://w3id.org/kg1978/event/x> a kgo:Attack ; rdfs:label "An attack"@en ;
    kgo:tookPlaceAt [ a kgo:City ; rdfs:label "Somewhere"@en ;
        kgo:placeWithin place:cambodia ] .
[] a kgo:Country ; rdfs:label "Nowhere"@en .
[] a kgo:Country ; rdfs:label "Twice"@en ; rdfs:comment "one" .
_:twin a kgo:Country ; rdfs:label "Twice"@en ; rdfs:comment "two" .
""", encoding="utf-8")

    def reports() -> dict[str, str]:
        out = {}
        for fmt in ("text", "json", "sarif", "github", "turtle"):
            done = subprocess.run([sys.executable, "-m", "kg.cli", "--root", str(project),
                                   "validate", "--format", fmt, str(bad)],
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 1, done.stderr
            out[fmt] = done.stdout
        return out

    first = reports()
    assert reports() == first
    turtle = first.pop("turtle")
    for fmt, out in first.items():
        assert not re.search(r"_:[A-Za-z0-9]", out), (fmt, out)
    # the Turtle report: the engine's report graph, its blank nodes relabelled, and they are
    # labelled in it (the data's are described there, as pySHACL does)
    report = Graph().parse(data=turtle, format="turtle")
    assert re.search(r"_:b[0-9a-f]{32}\b", turtle)
    assert len(set(report.objects(None, SH.result))) == len(json.loads(first["json"])["results"])
    focus = {r["focus"] for r in json.loads(first["json"])["results"]}
    assert focus == {"https://w3id.org/kg1978/event/x", "event:x → kgo:tookPlaceAt → [ ]",
                     '[ a kgo:Country ; rdfs:label "Nowhere" ]',
                     f'[ a kgo:Country ; rdfs:label "Twice" ] ({bad}:8)',
                     f'[ a kgo:Country ; rdfs:label "Twice" ] ({bad}:9)'}, focus
    assert "  focus node: event:x → kgo:tookPlaceAt → [ ]\n  where:      " in first["text"]
    assert "(focus node event:x → kgo:tookPlaceAt → [ ]; path kgo:placeWithin" in first["github"]


def test_validate_as_a_sarif_log(capsys, project, tmp_path, monkeypatch):
    """--format sarif: a SARIF 2.1.0 log for code scanning and editors: a rule per shape with
    results (described from the shapes), a result per validation result on its file and line,
    a stable fingerprint; an empty run when the data conforms."""
    import json

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    Path("data/bad.ttl").write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<https://w3id.org/kg1978/event/nameless> a kgo:Meeting ;
    kgo:tookPlaceAt <https://w3id.org/kg1978/place/nowhere> .
""", encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "sarif",
                       "data/bad.ttl")
    assert code == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    (only_run,) = log["runs"]
    driver = only_run["tool"]["driver"]
    assert driver["name"] == "kg validate"
    rules = driver["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    decision = next(r for r in rules if r["id"] == "kgs:DecisionShape")
    assert decision["shortDescription"]["text"] == "decision content"
    assert decision["helpUri"] == "https://w3id.org/kg1978/shapes/DecisionShape"
    results = only_run["results"]
    assert results and {r["level"] for r in results} == {"error"}
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        (where,) = r["locations"]
        assert where["physicalLocation"]["artifactLocation"]["uri"] == "data/bad.ttl"
        assert where["physicalLocation"]["region"]["startLine"] in (4, 5)
    by_rule = {r["ruleId"]: r for r in results}
    assert by_rule["kgs:DecisionShape"]["message"]["text"].startswith(
        "a meeting or decision needs what it decided")
    # the wrong place is reported on its own line
    assert by_rule["kgs:EventPlaceShape"]["locations"][0]["physicalLocation"]["region"] \
        == {"startLine": 5}
    prints = [r["partialFingerprints"]["kgValidationResult/v1"] for r in results]
    assert len(set(prints)) == len(prints)
    # the same results after the lines move: the same fingerprints
    Path("data/bad.ttl").write_text("\n\n" + Path("data/bad.ttl").read_text("utf-8"), "utf-8")
    _, out, _ = run(capsys, "--root", str(project), "validate", "--format", "sarif",
                    "data/bad.ttl")
    moved = json.loads(out)
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"]
            for r in moved["runs"][0]["results"]} <= {6, 7}
    assert sorted(prints) == sorted(r["partialFingerprints"]["kgValidationResult/v1"]
                                    for r in moved["runs"][0]["results"])
    files = [str(p) for p in sorted((project / "graph").glob("*.ttl"))]
    code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "sarif", *files)
    assert code == 0 and json.loads(out)["runs"][0]["results"] == []


def test_sarif_has_what_github_code_scanning_requires(capsys, project, tmp_path):
    """GitHub code scanning wants of each rule a short and a full description and a help
    text (non-empty; the descriptions at most 1,024 characters), and of each result its
    ruleId, level, message.text and a location with the file's URI and a start line: a shape
    without a comment, a generated domain or range shape and a QC query have them too (the
    query's Problem and Solution), as has the log of an input that could not be read."""
    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/kg1978/event/nameless> a kgo:Meeting ;
    kgo:startDate "23-12-1978"^^xsd:date ;
    kgo:tookPlaceAt <https://w3id.org/kg1978/event/nameless> ;
    rdfs:comment "twelve"^^xsd:integer .
""", encoding="utf-8")
    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:a> <urn:b> <urn:c> .\noops\n", encoding="utf-8")
    for path, expected in ((bad, 1), (broken, 2)):
        code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "sarif",
                           str(path))
        assert code == expected
        (only_run,) = json.loads(out)["runs"]
        rules = only_run["tool"]["driver"]["rules"]
        for rule in rules:
            for key in ("shortDescription", "fullDescription", "help"):
                text = rule[key]["text"]
                assert text.strip() and len(text) <= (1024 if key != "help" else 10_000), rule
        for r in only_run["results"]:
            assert r["ruleId"] == rules[r["ruleIndex"]]["id"] and r["level"] in ("error",
                                                                                    "warning")
            assert r["message"]["text"].strip()
            (where,) = r["locations"]
            assert where["physicalLocation"]["artifactLocation"]["uri"] == path.as_uri()
            assert where["physicalLocation"]["region"]["startLine"] >= 1
        ids = {rule["id"]: rule for rule in rules}
        if path == bad:
            assert {"kgs:tookPlaceAt-range", "kgs:EventStartDateShape",
                    "qc:ill-typed-literal-violation"} <= set(ids), set(ids)
            assert ids["kgs:tookPlaceAt-range"]["fullDescription"]["text"] == (
                "the value of kgo:tookPlaceAt (or of a sub-property) must be a kgo:Place")
            assert ids["kgs:EventStartDateShape"]["help"]["text"].endswith(
                "https://w3id.org/kg1978/shapes/EventStartDateShape")
            qc = ids["qc:ill-typed-literal-violation"]
            assert qc["shortDescription"]["text"].startswith(
                "a literal's text is not a value of its XSD datatype")
            assert qc["help"]["text"].startswith(f"correct the text (or the datatype) in {bad}.")
            assert "src/kg/qc/ill-typed-literal-violation.rq" in qc["help"]["text"]


def test_a_sarif_rule_description_is_cut_at_github_s_limit():
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS

    from kg.validate import Report, Result

    shape = "https://w3id.org/kg1978/shapes/Wordy"
    shapes = Graph()
    shapes.add((URIRef(shape), RDFS.comment, Literal("why " * 600)))
    report = Report(False, [Result(focus="https://x/a", path=None, value=None,
                                   severity="Violation", message="m", shape=shape,
                                   constraint="c", location="x.ttl:3")], shapes=shapes)
    (rule,) = json.loads(report.as_sarif())["runs"][0]["tool"]["driver"]["rules"]
    full = rule["fullDescription"]["text"]
    assert len(full) == 1024 and full.endswith("why…") and full.startswith("why why")
    assert rule["shortDescription"]["text"] == "kgs:Wordy" and rule["helpUri"] == shape


def test_github_annotations_are_escaped():
    from kg.validate import Report, Result

    report = Report(False, [Result(focus="https://x/a", path=None, value=None, severity="Warning",
                                   message="50% done,\nnext line", shape="https://x/S",
                                   constraint="c", location="dir,1/file:name.ttl:7")])
    assert report.as_github() == ("::warning file=dir%2C1/file%3Aname.ttl,line=7,"
                                  "title=SHACL https%3A//x/S::50%25 done,%0Anext line "
                                  "(focus node https://x/a)\n")


def test_the_reports_people_read_name_values_briefly():
    """A literal's datatype as a CURIE; a node shape's result (value = focus node, no path)
    does not repeat the focus node as its value: in the text report, GitHub annotations and
    SARIF's messages alike."""
    from kg.validate import Report, Result

    xsd = "http://www.w3.org/2001/XMLSchema#"
    focus = "https://w3id.org/kg1978/event/x"
    report = Report(False, [
        Result(focus=focus, path="https://w3id.org/kg1978/ontology/onDate",
               value=f'"1978-02-35"^^<{xsd}date>', severity="Violation", message="m",
               shape="https://x/S", constraint="c", location=None),
        Result(focus=focus, path=None, value=focus, severity="Violation", message="n",
               shape="https://x/T", constraint="c", location=None)])
    text = report.as_text()
    assert 'value:      "1978-02-35"^^xsd:date' in text
    assert text.count("value:") == 1 and text.count("focus node: event:x") == 2
    github = report.as_github().splitlines()
    assert github[0].endswith('::m (focus node event:x; path kgo:onDate; '
                              'value "1978-02-35"^^xsd:date)')
    assert github[1].endswith("::n (focus node event:x)")
    sarif = [r["message"]["text"] for r in json.loads(report.as_sarif())["runs"][0]["results"]]
    assert sarif == ['m (focus node event:x; path kgo:onDate; value "1978-02-35"^^xsd:date)',
                     "n (focus node event:x)"]


def test_an_ill_typed_literal_is_one_line_not_a_traceback(project, tmp_path):
    # rdflib logs a traceback for "1979-13-45"^^xsd:date; a real process shows what the user
    # sees (pytest would capture the log)
    import subprocess
    import sys

    bad = tmp_path / "dates.ttl"
    bad.write_text("""@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/kg1978/event/x> a kgo:Attack ; kgo:startDate "1979-13-45"^^xsd:date .
""", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg.cli", "--root", str(project), "validate",
                           str(bad)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines().count(  # at its place, as a parse error is said
        f'{bad}:3: ill-typed literal "1979-13-45"^^<http://www.w3.org/2001/XMLSchema#date>: '
        "month must be in 1..12") == 1, done.stderr  # once, not once per conversion
    assert done.stderr.count("ill-typed literal") == 1, done.stderr
    assert "value:      \"1979-13-45\"" in done.stdout  # and the shapes report it
    # the whole project (read by pyoxigraph, reasoned over and validated: rdflib converts it
    # four times), at the line of the project's file that writes it, as kg build says it
    facts = project / "graph" / "article-part1.ttl"
    text = facts.read_text(encoding="utf-8")
    line = text.count("\n", 0, text.index('"1978-02-05"^^xsd:date')) + 1
    facts.write_text(text.replace('"1978-02-05"^^xsd:date', '"1978-02-35"^^xsd:date', 1),
                     encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg.cli", "--root", str(project), "validate"],
                          capture_output=True, text=True, timeout=300, cwd=project)
    assert done.returncode == 1
    assert done.stderr.splitlines().count(
        f'graph/article-part1.ttl:{line}: ill-typed literal "1978-02-35"'
        '^^<http://www.w3.org/2001/XMLSchema#date>: day is out of range for month'
    ) == 1, done.stderr
    assert done.stderr.count("ill-typed literal") == 1, done.stderr


def test_a_boolean_rdflib_cannot_read_is_said_in_one_line_and_kept_as_written(project):
    """rdflib read "yes"^^xsd:boolean as false, printing a Python warning with its own source
    line (``term.py:1862: UserWarning: … warnings.warn(``), and wrote the literal "false": the
    file's text was lost and nothing reported it. Now it is an ill-typed literal as any other:
    one line at its place on stderr, kept as written, and the QC query reports it, in
    kg validate as in kg build (whose parser kept the text); an ill-typed date, for which
    rdflib logs a traceback, is one line in both too."""
    import subprocess
    import sys

    sources = project / "graph" / "sources.ttl"
    text = sources.read_text(encoding="utf-8")
    line = text.count("\n", 0, text.index("kgo:carriesFacts true")) + 1
    sources.write_text(text.replace("kgo:carriesFacts true", 'kgo:carriesFacts "yes"^^xsd:boolean',
                                    1), encoding="utf-8")
    said = (f'graph/sources.ttl:{line}: ill-typed literal "yes"'
            '^^<http://www.w3.org/2001/XMLSchema#boolean>: a boolean is true, false, 1 or 0')
    facts = project / "graph" / "article-part1.ttl"  # and a date (rdflib logs a traceback)
    text = facts.read_text(encoding="utf-8")
    day = text.count("\n", 0, text.index('"1978-03-26"^^xsd:date')) + 1
    facts.write_text(text.replace('"1978-03-26"^^xsd:date', '"26-03-1978"^^xsd:date', 1),
                     encoding="utf-8")
    dated = (f'graph/article-part1.ttl:{day}: ill-typed literal "26-03-1978"'
             "^^<http://www.w3.org/2001/XMLSchema#date>: Invalid isoformat string: '26-03-1978'")
    for command in (["validate", "--format", "json", "graph/sources.ttl",
                     "graph/article-part1.ttl", "--with-project"], ["build"]):
        done = subprocess.run([sys.executable, "-m", "kg.cli", "--root", str(project), *command],
                              capture_output=True, text=True, timeout=300, cwd=project)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr and "UserWarning" not in done.stderr, done.stderr
        assert "warnings.warn" not in done.stderr and "term.py" not in done.stderr
        assert done.stderr.splitlines().count(said) == 1, done.stderr
        assert done.stderr.splitlines().count(dated) == 1, done.stderr
        if command[0] == "validate":
            assert {"shape": "urn:kg:qc:ill-typed-literal-violation",
                    "value": '"yes"^^<http://www.w3.org/2001/XMLSchema#boolean>',
                    "location": f"graph/sources.ttl:{line}"}.items() <= next(
                r for r in json.loads(done.stdout)["results"]
                if r["path"].endswith("/carriesFacts")).items()
        else:
            assert (f"  where:      graph/sources.ttl:{line}\n  path:       kgo:carriesFacts\n"
                    '  value:      "yes"^^xsd:boolean\n  query:      qc:ill-typed-literal-violation'
                    ) in done.stderr, done.stderr[-3000:]


def test_an_ill_typed_literal_is_a_result_when_owlrl_reasons(capsys, tmp_path):
    """A file the fast reasoner refuses (an owl:FunctionalProperty) is reasoned over by owlrl,
    whose dt-not-type made an ill-typed date "the graph is inconsistent under OWL 2 RL", exit 2
    with no place: it is the shapes' result at its line, as with the fast reasoner."""
    bad = tmp_path / "func.ttl"
    bad.write_text("""@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix kgo: <https://w3id.org/kg1978/ontology/> .
<urn:x:p> a owl:FunctionalProperty .
<https://w3id.org/kg1978/event/a> a kgo:Attack ;
    kgo:startDate "23-12-1978"^^xsd:date .
""", encoding="utf-8")
    code, out, err = run(capsys, "--root", str(REPO), "validate", "--format", "json", str(bad))
    assert code == 1 and "inconsistent" not in err, err
    (dated,) = [r for r in json.loads(out)["results"]
                if r["path"].endswith("/startDate") and r["follows"] is None]
    assert dated["location"] == f"{bad}:6" and "not written as an xsd:date" in dated["message"]


def test_a_qc_row_names_no_date_its_problem_gives_as_an_example(capsys, tmp_path):
    """A SPARQL result names as "see also" the focus node's dates its message names; a QC
    query's Problem names dates as examples ("1978-13"^^xsd:gYearMonth): an event's end date
    written so was "see also" of its ill-typed comment, a date that has nothing to do with it.
    The end date's own result stays."""
    bad = tmp_path / "rel.ttl"
    bad.write_text("""@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/kg1978/event/a> a kgo:Attack ; rdfs:label "A"@en ;
    rdfs:comment "twelve"^^xsd:integer ;
    kgo:endDate "1978-13"^^xsd:gYearMonth .
""", encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(REPO), "validate", "--format", "json", str(bad))
    results = json.loads(out)["results"]
    (comment,) = [r for r in results if (r["path"] or "").endswith("#comment")]
    assert code == 1 and comment["shape"] == "urn:kg:qc:ill-typed-literal-violation"
    assert '"1978-13"^^xsd:gYearMonth' in comment["message"] and comment["related"] == []
    assert any((r["path"] or "").endswith("/endDate") and r["location"] == f"{bad}:6"
               for r in results)


def test_validate_reads_deep_nesting_as_the_build_does(capsys, project, tmp_path):
    """rdflib's Turtle parser runs out of stack past about 120 levels of [ … ]; pyoxigraph,
    the build's parser, reads such a file, and so does kg validate now, alone or after
    another file; a syntax error deep inside is still exit 2 with its line."""
    depth = 300
    deep = tmp_path / "deep.ttl"
    deep.write_text("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                    "@prefix ex: <https://example.org/> .\n"
                    "ex:x rdfs:seeAlso " + "[ rdfs:seeAlso " * depth + '"end"'
                    + " ]" * depth + " .\n", encoding="utf-8")
    # another file read first (not the shapes' valid.ttl: it conforms to the shapes, not to
    # the QC queries, which want its agent described and a statement for each relation)
    valid = tmp_path / "other.ttl"
    valid.write_text('<https://example.org/y> <http://www.w3.org/2000/01/rdf-schema#label> "y" .\n',
                     encoding="utf-8")
    for files in ([deep], [valid, deep]):
        code, out, err = run(capsys, "--root", str(project), "validate", "--format", "json",
                             *map(str, files))
        assert code == 0 and json.loads(out)["conforms"] is True, err
    broken = tmp_path / "broken.ttl"
    broken.write_text(deep.read_text("utf-8").replace('"end"', '"end'), encoding="utf-8")
    code, _, err = run(capsys, "--root", str(project), "validate", str(broken))
    assert code == 2 and f"{broken}:3" in err and "Traceback" not in err


def test_validate_bad_input_exits_2_with_file_and_line(capsys, project, tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix a: <http://a/> .\n\na:x a:y .\n", encoding="utf-8")
    code, out, err = run(capsys, "--root", str(project), "validate", str(bad))
    assert code == 2
    assert f"{bad}:3" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "--root", str(project), "validate", str(tmp_path / "missing.ttl"))
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, "--root", str(project), "validate", str(tmp_path))
    assert code == 2 and f"{tmp_path}: a directory, not a file" in err


def test_a_syntax_error_is_placed_where_the_build_places_it(capsys, project):
    """A "." missing after a language tag at the end of a line: rdflib's line was one late
    (kg validate said :5 where kg build says :4:3); the position is pyoxigraph's, the build's
    parser, when rdflib refuses the file too."""
    bad = project / "graph" / "zz.ttl"
    bad.write_text('@prefix e: <https://w3id.org/kg1978/test/> .\ne:a e:b "x"@en ,\n'
                   '  "y"@en\n  e:d e:f .\n', encoding="utf-8")
    code, _, built = run(capsys, "--root", str(project), "build")
    assert code == 2 and f"{bad}:4:3: Turtle syntax error: " in built
    code, out, err = run(capsys, "--root", str(project), "validate", str(bad), "--format", "json")
    assert code == 2 and f"{bad}:4:3: Turtle syntax error: " in err
    assert (json.loads(out)["line"], json.loads(out)["column"]) == (4, 3)


def test_validate_without_files_checks_the_built_dataset(capsys, built):
    code, out, err = run(capsys, *built, "validate")
    assert code == 0 and out.startswith("Conforms")
    assert "kg.nq" in err


def test_query_from_argument_file_and_stdin(capsys, built, tmp_path, monkeypatch):
    q = ("PREFIX kgo: <https://w3id.org/kg1978/ontology/> "
         "SELECT ?n WHERE { ?p kgo:passageNumber ?n FILTER(?n < 3) } ORDER BY ?n")
    code, out, _ = run(capsys, *built, "query", q)
    assert code == 0 and out.splitlines()[2:4] == ["1", "2"]
    f = tmp_path / "q.rq"
    f.write_text(q, encoding="utf-8")
    code, out, _ = run(capsys, *built, "query", "-f", str(f), "--format", "json")
    assert code == 0 and json.loads(out) == [{"n": "1"}, {"n": "2"}]
    code, out, _ = run(capsys, *built, "query", "--format", "csv",
                       stdin=q, monkeypatch=monkeypatch)
    assert code == 0 and out.splitlines() == ["n", "1", "2"]


@pytest.mark.parametrize("text", ["SELECT * {}", "-"])
def test_query_refuses_both_an_argument_and_a_file(capsys, built, tmp_path, text):
    """`kg query 'SELECT …' -f q.rq` ran the file and dropped the argument without a word."""
    f = tmp_path / "q.rq"
    f.write_text("ASK {}", encoding="utf-8")
    code, out, err = run(capsys, *built, "query", text, "-f", str(f))
    assert (code, out) == (2, "")
    assert "kg: error: give the query as an argument or with -f FILE, not both" in err


def test_query_table_writes_literals_as_sparql_does_and_json_and_csv_their_values(capsys,
                                                                                 built):
    """The table tells the string "1979" from the integer 1979 and keeps language tags and
    datatypes, as the endpoint's form does; json (kg query's own) and csv (SPARQL 1.1 CSV)
    keep the lexical forms alone."""
    query = ('SELECT ?s ?i ?l ?d ?x ?q ?u WHERE { VALUES (?s ?i ?l ?d ?x ?q) { ("1979" 1979 '
             '"T\u00e2y Ninh"@vi "1979-01-07"^^<http://www.w3.org/2001/XMLSchema#date> '
             '<https://w3id.org/kg1978/place/tay-ninh> "say \\"hi\\"") } }')
    code, out, _ = run(capsys, *built, "query", query)
    assert code == 0
    head, rule, row, count = out.splitlines()
    assert row.split() == ['"1979"', "1979", '"T\u00e2y', 'Ninh"@vi', '"1979-01-07"^^xsd:date',
                           "https://w3id.org/kg1978/place/tay-ninh", '"say', '\\"hi\\""']
    assert head.split() == ["s", "i", "l", "d", "x", "q", "u"] and count == "(1 row)"
    code, out, _ = run(capsys, *built, "query", "--format", "json", query)
    assert code == 0 and json.loads(out) == [{
        "s": "1979", "i": "1979", "l": "T\u00e2y Ninh", "d": "1979-01-07",
        "x": "https://w3id.org/kg1978/place/tay-ninh", "q": 'say "hi"', "u": None}]
    code, out, _ = run(capsys, *built, "query", "--format", "csv", query)
    assert code == 0 and out.splitlines()[1] == ('1979,1979,T\u00e2y Ninh,1979-01-07,'
                                                 'https://w3id.org/kg1978/place/tay-ninh,'
                                                 '"say ""hi""",')


def test_query_from_a_file_with_a_byte_order_mark(capsys, built, tmp_path):
    """A query file saved with a byte order mark is read as /sparql reads the query (it was
    refused: "not 'ASK'", the mark invisible before it)."""
    f = tmp_path / "q.rq"
    f.write_bytes(b"\xef\xbb\xbfASK { ?s ?p ?o }\n")
    code, out, err = run(capsys, *built, "query", "-f", str(f), "--format", "json")
    assert code == 0 and json.loads(out) == [{"ask": True}], err


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_query_select_star_columns_follow_the_text(capsys, built, fmt):
    """As /sparql: SELECT *'s columns in the order of the text (pyoxigraph sorts them), the
    same output as the variables written out."""
    rows = 'VALUES (?z ?y ?x) { ("a,b" UNDEF 1) ("q\\"t" "t" 2) }'
    outs = []
    for query in ("SELECT * WHERE { " + rows + " }", "SELECT ?z ?y ?x WHERE { " + rows + " }"):
        code, out, err = run(capsys, *built, "query", "--format", fmt, query)
        assert code == 0, err
        outs.append(out)
    assert outs[0] == outs[1]
    if fmt == "json":
        assert list(json.loads(outs[0])[1]) == ["z", "y", "x"]
    else:
        assert outs[0].split()[0].startswith("z")


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_query_ask_is_refused_in_csv_and_tsv_as_on_the_endpoint(capsys, built, fmt):
    """SPARQL 1.1 CSV and TSV have no boolean form: the endpoint answers 406, kg query exits 2
    and names the formats that can carry it."""
    code, out, err = run(capsys, *built, "query", "--format", fmt, "ASK {}")
    assert code == 2 and out == ""
    assert (f"--format {fmt} cannot express an ASK result (SPARQL 1.1's CSV and TSV results "
            "define no form for a boolean") in err
    assert "use --format table, json, srj, srx or xml" in err and "Traceback" not in err
    code, out, err = run(capsys, *built, "query", "--format", "turtle", "ASK {}")
    assert code == 2 and "--format turtle cannot express an ASK result: use" in err


@pytest.mark.parametrize(("query", "fmt", "message"), [
    ("SELECT * WHERE { ?s ?p ?o }", "jsonld",
     "cannot express a SELECT result (it is a table, not a graph): use --format table, json, "
     "srj, srx, xml, csv or tsv"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "srj",
     "cannot express a CONSTRUCT or DESCRIBE result (it is a graph): use --format table, "
     "turtle, ntriples, rdfxml, jsonld, trig or nquads"),
])
def test_query_a_format_that_cannot_express_the_result_exits_2(capsys, built, query, fmt,
                                                               message):
    code, out, err = run(capsys, *built, "query", "--format", fmt, query)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_query_format_choices_are_the_result_formats():
    from kg.cli import QUERY_FORMATS
    from kg.query import RESULT_FORMATS

    assert QUERY_FORMATS == ("table", "json", *RESULT_FORMATS)


LABELS = ('SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } '
          'ORDER BY ?s ?label LIMIT 4')
LABELS_STAR = LABELS.replace("?s ?label WHERE", "* WHERE", 1)
GRAPH_OF_LABELS = ('CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } '
                   'WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }')


@pytest.mark.parametrize(("query", "fmt", "name"), [
    (LABELS, "srj", "json"), (LABELS, "srx", "xml"), (LABELS, "xml", "xml"),
    (LABELS, "csv", "csv"), (LABELS, "tsv", "tsv"),
    (LABELS_STAR, "srj", "json"), (LABELS_STAR, "tsv", "tsv"),
    ("ASK {}", "srj", "json"), ("ASK { ?s ?p <urn:x-kg:nothing> }", "srx", "xml"),
    *((GRAPH_OF_LABELS, f, f) for f in ("turtle", "ntriples", "rdfxml", "jsonld", "trig",
                                        "nquads")),
    # as /sparql reads format=xml and json for a graph (SPARQLWrapper's): RDF/XML, JSON-LD
    (GRAPH_OF_LABELS, "xml", "xml"), (GRAPH_OF_LABELS, "json", "json"),
])
def test_query_writes_the_endpoints_result_formats(capsys, built, dataset, query, fmt, name):
    """``--format srj`` and the others are what ``/sparql?format=`` answers, byte for byte
    (a final line break added where the format has none): datatypes and language tags kept,
    as the plain ``json`` list of rows does not (``"xml:lang": "en"``)."""
    from kg.endpoint import create_app

    code, out, err = run(capsys, *built, "query", "--format", fmt, query)
    assert code == 0, err
    client = create_app({"root": REPO}, dataset=dataset).test_client()
    served = client.get("/sparql", query_string={"query": query, "format": name})
    assert served.status_code == 200, served.data
    body = served.get_data(as_text=True)
    assert out == (body if body.endswith("\n") else body + "\n")
    if query == LABELS and fmt == "srj":
        bindings = json.loads(out)["results"]["bindings"]
        assert len(bindings) == 4 and {b["label"]["xml:lang"] for b in bindings} == {"en"}
    if query == LABELS_STAR:  # the text's order (pyoxigraph sorts: label, s)
        assert (json.loads(out)["head"]["vars"] == ["s", "label"] if fmt == "srj"
                else out.startswith("?s\t?label\n"))
    if query == GRAPH_OF_LABELS and fmt in ("xml", "json"):
        assert served.headers["Content-Type"].startswith(
            {"xml": "application/rdf+xml", "json": "application/ld+json"}[fmt])


@pytest.mark.parametrize("fmt", ["table", "json", "srj", "csv", "turtle"])
def test_query_cuts_at_max_results_and_says_so_as_the_endpoint(capsys, built, dataset,
                                                               monkeypatch, fmt):
    """KG_MAX_RESULTS (the endpoint's limit, "more is cut and said") was ignored by kg query:
    the rows or triples past it are left out, as /sparql leaves them out, and stderr says
    so; a result within the limit is whole and nothing is said."""
    from kg.endpoint import create_app

    query = GRAPH_OF_LABELS + " LIMIT 3" if fmt == "turtle" else LABELS.replace("4", "3")
    counted = {"table": lambda out: int(re.search(r"\((\d+) rows?\)", out)[1]),
               "json": lambda out: len(json.loads(out)),
               "srj": lambda out: len(json.loads(out)["results"]["bindings"]),
               "csv": lambda out: len(out.splitlines()) - 1,
               "turtle": lambda out: len(Graph().parse(data=out, format="turtle"))}[fmt]
    monkeypatch.setenv("KG_MAX_RESULTS", "2")
    code, out, err = run(capsys, *built, "query", "--format", fmt, query)
    assert code == 0 and counted(out) == 2
    what = "triples" if fmt == "turtle" else "rows"
    assert f"the result is cut after 2 {what} (setting max_results, KG_MAX_RESULTS" in err
    served = create_app({"root": REPO, "max_results": 2}, dataset=dataset).test_client().get(
        "/sparql", query_string={"query": query,
                                 "format": fmt if fmt in ("csv", "turtle") else "json"})
    assert served.headers["X-KG-Truncated"] == "2"  # the endpoint cuts it there too
    if fmt == "srj":  # the same rows; the endpoint's link to /limits is the header's word
        assert json.loads(out)["results"] == served.get_json()["results"]
    monkeypatch.setenv("KG_MAX_RESULTS", "3")
    code, out, err = run(capsys, *built, "query", "--format", fmt, query)
    assert code == 0 and counted(out) == 3 and "cut" not in err


def test_query_ask_in_json_is_a_boolean(capsys, built):
    """In SELECT's shape, a list of rows, the answer a JSON boolean: it was the string
    "true" or "false", and a script's ``if rows[0]["ask"]`` took "false" for true."""
    for query, answer in (("ASK {}", True), ("ASK { ?s ?p <urn:x-kg:nothing> }", False)):
        code, out, _ = run(capsys, *built, "query", "--format", "json", query)
        assert code == 0 and json.loads(out) == [{"ask": answer}]


def test_query_construct_as_turtle(capsys, built):
    for fmt in ("turtle", "table"):  # a graph's table is its Turtle
        code, out, _ = run(capsys, *built, "query", "--format", fmt,
                           "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 3")
        assert code == 0
        assert len(Graph().parse(data=out, format="turtle")) == 3
        assert "@prefix" in out  # the prefixes it uses, as /sparql writes it


def test_query_counts_a_triple_in_two_graphs_once(capsys, project):
    """``kg query`` answers over the RDF merge of the graphs, as ``kg serve`` does."""
    (project / "graph" / "zz-again.ttl").write_text(
        '<https://w3id.org/kg1978/place/phnom-penh> '
        '<http://www.w3.org/2000/01/rdf-schema#label> "Phnom Penh"@en .\n', encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "query", "--format", "csv",
                       'SELECT (COUNT(*) AS ?n) WHERE { <https://w3id.org/kg1978/place/phnom-penh>'
                       ' <http://www.w3.org/2000/01/rdf-schema#label> "Phnom Penh"@en }')
    assert code == 0 and out == "n\r\n1\r\n"  # SPARQL 1.1 CSV: CRLF


def test_query_narrows_the_dataset_as_the_endpoint(capsys, built, dataset):
    """``FROM`` / ``FROM NAMED`` name the dataset in ``kg query`` as on ``/sparql`` (kg query
    answered every query over the whole union), a graph named twice counted once."""
    from kg.endpoint import create_app

    links = "https://w3id.org/kg1978/graph/links"
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
    queries = {
        "union": count.format(""),
        "FROM": count.format(f"FROM <{links}>"),
        "FROM twice": count.format(f"FROM <{links}> FROM <{links}>"),
        "FROM an absent graph": count.format("FROM <https://w3id.org/kg1978/graph/absent>"),
        "FROM NAMED alone": count.format(f"FROM NAMED <{links}>"),
        "FROM NAMED, in GRAPH": count.format(f"FROM NAMED <{links}> FROM NAMED <{links}>")
                                .replace("{ ?s ?p ?o }", "{ GRAPH ?g { ?s ?p ?o } }"),
    }
    answers = {}
    for name, query in queries.items():
        code, out, err = run(capsys, *built, "query", "--format", "csv", query)
        assert code == 0 and out.splitlines()[0] == "n", (name, err)
        answers[name] = int(out.splitlines()[1])
    client = create_app({"root": REPO}, dataset=dataset).test_client()
    for name, query in queries.items():
        r = client.get("/sparql", query_string={"query": query},
                       headers={"Accept": "application/sparql-results+json"})
        assert int(r.json["results"]["bindings"][0]["n"]["value"]) == answers[name], name
    assert answers["union"] > answers["FROM"] > 0
    assert answers["FROM"] == answers["FROM twice"] == answers["FROM NAMED, in GRAPH"]
    assert answers["FROM an absent graph"] == answers["FROM NAMED alone"] == 0


@pytest.mark.parametrize("query, message", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "kg query is read-only"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
     "never fetches from the network"),
    ("SELECT * WHERE { BIND(<urn:x:unknown>(1) AS ?x) }", "could not be evaluated"),
    ("SELECT * WHERE { FILTER(" + "(" * 6000 + "1" + ")" * 6000 + ") }",
     "nests brackets 6002 deep"),
])
def test_query_refusals_and_evaluation_errors_exit_2(capsys, built, query, message):
    """As the endpoint: no update, no outbound request, no stack overflow (6,000 brackets
    killed the process with SIGSEGV), and an engine error is a message, not a traceback."""
    code, out, err = run(capsys, *built, "query", query)
    assert code == 2 and out == ""
    assert err.startswith("kg: error: query: ") and message in err and "Traceback" not in err


def test_query_errors_exit_2(capsys, built, monkeypatch):
    code, _, err = run(capsys, *built, "query", "SELEC ?x")
    assert code == 2 and "malformed query" in err and "1:" in err
    code, _, err = run(capsys, *built, "query", "SELECT * WHERE {\n  <http://a b> ?p ?o }")
    assert code == 2 and err == ("kg: error: query:2:12: malformed query: the IRI <http://a b> "
                                 "contains a space, which IRIs may not: write it %20\n")
    # refused before the engine runs it (which would group the solutions)
    code, _, err = run(capsys, *built, "query",
                       "SELECT ?s WHERE {\n  ?s ?p ?o FILTER(COUNT(?o) > 1) }")
    assert code == 2 and err.startswith("kg: error: query:2:19: malformed query: COUNT is an "
                                        "aggregate, which SPARQL allows only in SELECT, ")
    code, _, err = run(capsys, *built, "query", stdin="", monkeypatch=monkeypatch)
    assert code == 2 and "no query given" in err
    code, _, err = run(capsys, *built, "query", "-f", "/nonexistent/q.rq")
    assert code == 2


def test_an_unreadable_query_file_is_named_once_in_words(capsys, built, tmp_path):
    """Not "cannot read query: [Errno 2] No such file or directory: '…/q.rq'", the path twice."""
    missing = tmp_path / "q.rq"
    code, _, err = run(capsys, *built, "query", "-f", str(missing))
    assert code == 2
    assert err == f"kg: error: {missing}: cannot read the query: No such file or directory\n"
    code, _, err = run(capsys, *built, "query", "-f", str(tmp_path))
    assert code == 2 and err == f"kg: error: {tmp_path}: cannot read the query: Is a directory\n"
    missing.write_bytes(b"ASK { ?s ?p \"\xe9\" }")
    code, _, err = run(capsys, *built, "query", "-f", str(missing))
    assert code == 2 and err == (f"kg: error: {missing}:1: the query is not UTF-8 (byte 13 is "
                                 "not): save it as UTF-8\n")


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_hand_written_same_as_is_reported_before_what_follows_from_it(capsys, project,
                                                                         monkeypatch, engine,
                                                                         validated_once):
    """OWL 2 RL makes the two IRIs of an owl:sameAs one: the external IRI gets Road 7's
    statements (range violations on wd:Q777, an event's place that is no kgo:Place), a
    statement gets two subjects. The results that name the cause come first, and say so."""
    links_file = project / "graph" / "links.ttl"
    links_file.write_text(links_file.read_text(encoding="utf-8") + "\n"
                          "<https://w3id.org/kg1978/place/road-7> "
                          "<http://www.w3.org/2002/07/owl#sameAs> "
                          "<http://www.wikidata.org/entity/Q777> .\n", encoding="utf-8")
    monkeypatch.chdir(project)
    files = sorted(str(p.relative_to(project)) for p in (project / "graph").glob("*.ttl"))
    code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "json",
                       "--validator", engine, *files)
    assert code == 1
    paths = [r["path"] for r in json.loads(out)["results"]]
    same_as = "http://www.w3.org/2002/07/owl#sameAs"
    first = paths.count(same_as)
    assert first >= 2 and paths[:first] == [same_as] * first
    assert len(paths) > first  # the consequences, after it
    code, text, _ = run(capsys, "--root", str(project), "validate", "--validator", engine,
                        *files)
    assert text.split("\n")[2].startswith("Violation: use skos:exactMatch or skos:closeMatch, "
                                           "never owl:sameAs: the reasoner makes the two IRIs "
                                           "one")


def _command_row(command: str) -> str:
    """The exit codes the README's command table gives ``command``."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{command}"))
    return row.rsplit(" | ", 1)[1]


def test_stats_and_links_report_exit_as_the_readme_says(capsys, project):
    """An unexplained duplicate link typed by hand: kg links report exits 1 (a conflict
    without a reason), kg stats 1 (the build it runs fails); a file that does not parse, 2."""
    links_file = project / "graph" / "links.ttl"
    good = links_file.read_text(encoding="utf-8")
    duplicate = "place:road-7 skos:exactMatch <http://www.wikidata.org/entity/Q1850> ."
    links_file.write_text(f"{good}\n{duplicate}\n", encoding="utf-8")
    assert run(capsys, "--root", str(project), "links", "report")[0] == 1
    assert run(capsys, "--root", str(project), "stats")[0] == 1
    links_file.write_text(good + "\nplace:road-7 skos:exactMatch .\n", encoding="utf-8")
    assert run(capsys, "--root", str(project), "links", "report")[0] == 2
    assert run(capsys, "--root", str(project), "stats")[0] == 2
    stats, links = _command_row("kg stats"), _command_row("kg links")
    assert "1 the build it runs" in stats and "2 bad input" in stats
    assert "1 (`report`) a conflict gives no reason" in links and "2 bad file" in links


def test_stats_counts_and_unlinked(capsys, built):
    code, out, _ = run(capsys, *built, "stats")
    assert code == 0
    assert "https://w3id.org/kg1978/graph/article-part1" in out
    assert "kgo:Event" in out
    assert "Unlinked entities" in out and "https://w3id.org/kg1978/place/chong-thnu" in out
    assert "https://w3id.org/kg1978/place/phnom-penh" not in out.split("Unlinked entities")[1]


def test_stats_total_says_when_graphs_share_triples(capsys, project):
    code, out, _ = run(capsys, "--root", str(project), "stats")
    total = int(re.search(r"^ +(\d+)  \(total\)$", out, re.M).group(1))
    (project / "graph" / "zz-again.ttl").write_text(
        '<https://w3id.org/kg1978/place/phnom-penh> '
        '<http://www.w3.org/2000/01/rdf-schema#label> "Phnom Penh"@en .\n', encoding="utf-8")
    code, out, _ = run(capsys, "--root", str(project), "stats")
    assert code == 0 and f"{total + 1}  (total; {total} distinct: 1 held by more than one graph)" \
        in out


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2


def _subcommands(parser, path=()):
    """(words, parser) of the kg command and of each of its subcommands, at any depth."""
    import argparse

    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _subcommands(sub, (*path, name))


def test_every_option_and_argument_says_what_it_takes():
    """Every option and argument of every subcommand has a help text that names each of its
    choices and its default: `kg validate --help` said what github and sarif are but not text
    (the default), turtle or json; `kg links import --help` showed FILE.csv|FILE.tsv with no
    word about it; `kg publish --batch` hid its default of 10000."""
    import argparse

    from kg.cli import _parser

    missing = []
    for words, parser in _subcommands(_parser()):
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._VersionAction,
                                   argparse._SubParsersAction)):
                continue
            name = " ".join(["kg", *words, action.option_strings[-1] if action.option_strings
                             else action.metavar or action.dest])
            text = action.help or ""
            if not text.strip():
                missing.append(f"{name}: no help")
            for choice in action.choices or ():
                if choice not in text:
                    missing.append(f"{name}: help does not say what {choice} is")
            if action.default not in (None, False) and str(action.default) not in text:
                missing.append(f"{name}: help does not give its default {action.default}")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("args, choices", [
    ([], "{build,validate,query,stats,links,sources,serve,publish}"),
    (["links"], "{export,import,list,report}"),
    (["sources"], "{check,passages}"),
])
def test_a_missing_subcommand_is_named_by_its_choices(capsys, args, choices):
    """`kg links` alone said "the following arguments are required: links_command", the name
    of an attribute of the code; it names the subcommands to choose from."""
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert f"the following arguments are required: {choices}" in err
    assert "_command" not in err


def test_version_matches_the_ontology(capsys):
    from kg import __version__

    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"kg {__version__}"
    onto = (REPO / "ontology" / "kg.ttl").read_text(encoding="utf-8")
    assert f'owl:versionInfo "{__version__}"' in onto
    # the citation file and the licence say what the package and the dataset say
    cff = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert f'\nversion: "{__version__}"\n' in cff
    assert "\nlicense: CC-BY-4.0\n" in cff and 'url: "https://w3id.org/kg1978/"' in cff
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "https://creativecommons.org/licenses/by/4.0/" in licence and "MIT License" in licence


@pytest.mark.parametrize("args", [
    ["publish", "--to", "http://127.0.0.1:9/store"], ["build"], ["stats"]])
def test_a_build_folder_that_cannot_be_written_in_is_named_with_the_reason(
        capsys, monkeypatch, project, tmp_path, args):
    """``kg publish`` (which builds first) into a build folder that exists but may not be
    written in was a PermissionError traceback from tempfile: exit 2, the folder and the
    system's reason. (The folder is refused by os.mkdir, as the system refuses it to a user
    without the right: tests run as root, which chmod does not stop.)"""
    import errno
    import os

    build_dir = tmp_path / "read-only"
    build_dir.mkdir()
    real_mkdir = os.mkdir

    def refused(path, *a, **k):
        if Path(path).parent == build_dir:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_mkdir(path, *a, **k)

    monkeypatch.setattr(os, "mkdir", refused)
    code, out, err = run(capsys, "--root", str(project), "--build-dir", str(build_dir), *args)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.splitlines()[-1] == (
        f"kg: error: build_dir {build_dir}: cannot be written in: Permission denied "
        "(--build-dir DIR or KG_BUILD_DIR: the folder the built dataset is written in)")


@pytest.mark.parametrize("declaration", [
    '<!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "{url}">]>',
    '<!DOCTYPE rdf:RDF [<!ENTITY e PUBLIC "-//kg//x" "{url}">]>',
    '<!DOCTYPE rdf:RDF [<!ENTITY % e SYSTEM "{url}"> %e;]>',  # a parameter entity
    '<!DOCTYPE rdf:RDF SYSTEM "{url}">',  # an external DTD
])
def test_validate_refuses_an_external_dtd_entity_and_never_reads_it(capsys, project, tmp_path,
                                                                     declaration):
    """An RDF/XML file naming a file or URL in its DTD (``<!ENTITY e SYSTEM
    "file:///etc/passwd">``, XXE) was refused with pyoxigraph's "<!ENTITY values should be
    enclosed in double quotes", a mistake it had not made: it is said plainly, at the
    declaration's line, and the entity is never fetched (here a loopback URL that no
    connection reaches: the listening socket has none waiting)."""
    import socket

    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)
        url = f"http://127.0.0.1:{listening.getsockname()[1]}/secret"
        path = tmp_path / "xxe.rdf"
        path.write_text(
            '<?xml version="1.0"?>\n' + declaration.format(url=url) + "\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
            '         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
            '  <rdf:Description rdf:about="http://e/s"><rdfs:label>&e;</rdfs:label>'
            "</rdf:Description>\n</rdf:RDF>\n", encoding="utf-8")
        code, out, err = run(capsys, "--root", str(project), "validate", str(path))
        listening.setblocking(False)
        with pytest.raises(BlockingIOError):
            listening.accept()  # no parser connected to fetch the entity
    assert code == 2 and "Traceback" not in err
    assert f"kg: error: {path}:2: " in err and "double quotes" not in err
    assert "external DTD entities are refused" in err


def test_validate_reads_an_internal_dtd_entity(capsys, project, tmp_path):
    """An internal entity (Protégé writes one per namespace) is text in the file itself:
    read, as the build's parser reads it."""
    path = tmp_path / "internal.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ex "http://e/">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        '  <rdf:Description rdf:about="&ex;s"><rdfs:label>x</rdfs:label>'
        "</rdf:Description>\n</rdf:RDF>\n", encoding="utf-8")
    code, out, err = run(capsys, "--root", str(project), "validate", str(path))
    assert code == 0, err


@pytest.mark.parametrize(("args", "message"), [
    (["publish", "--to", "http://[::1"], "not a valid URL: 'http://[::1' (invalid IPv6 URL)"),
    (["publish", "--to", "http://h:99999/store"],
     "not a valid URL: 'http://h:99999/store' (port out of range 0-65535)"),
    (["publish", "--to", "http://127.0.0.1:9/store", "--query-url", "http://[::1/query"],
     "not a valid URL: 'http://[::1/query' (invalid IPv6 URL)"),
    (["serve", "--store", "http://[::1"], "not a valid URL: 'http://[::1' (invalid IPv6 URL)"),
])
def test_a_store_url_that_does_not_parse_exits_2_before_anything_runs(capsys, tmp_path, args,
                                                                      message):
    """urlsplit's ValueError (an unclosed IPv6 bracket, a port past 65535) was a traceback,
    after kg publish had built the dataset."""
    code, out, err = run(capsys, "--root", str(tmp_path), *args)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.splitlines()[-1] == f"kg: error: {message}"


def _readme_commands() -> list[tuple[list[str], list[str]]]:
    """Each row of the README's table of commands: the subcommand's words and each
    ``--option VALUE`` it writes with a value's name (``--part N``)."""
    rows = []
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for cell in re.findall(r"^\| `kg ([^`]+)` \|", readme, re.M):
        words = re.match(r"(?:[a-z]+(?: |$))*", cell).group(0).split()
        rows.append((words, re.findall(r"(?:^|[\s\[])(--?[a-z-]+ [A-Z]+)\b", cell)))
    return rows


@pytest.mark.parametrize(("words", "options"), _readme_commands(),
                         ids=[" ".join(words) for words, _ in _readme_commands()])
def test_the_readme_names_each_options_value_as_the_help_does(capsys, words, options):
    """``kg sources passages --help`` showed ``--part PART`` where the README says
    ``--part N``: each option the README writes with its value's name is so in the help."""
    with pytest.raises(SystemExit):
        main([*words, "--help"])
    usage = " ".join(capsys.readouterr().out.split())
    for option in options:
        assert f"{option}" in usage or f"[{option}]" in usage, (option, usage)


@pytest.mark.parametrize("args, environ, message", [
    (["serve", "--port", "99999"], {}, "option --port: port must be between 0 and 65535: 99999"),
    # as the settings' options are named (it said "batch must be at least 1: 0")
    (["publish", "--to", "http://127.0.0.1:9/store", "--batch", "0"], {},
     "option --batch: batch must be at least 1: 0"),
    (["serve", "--workers", "0"], {}, "option --workers: workers must be at least 1: 0"),
    (["serve", "--query-timeout", "nan"], {},
     "option --query-timeout: query_timeout must be a finite number, at least 0: nan"),
    (["query", "ASK {}"], {"KG_MAX_RESULTS": "-1"},
     "environment KG_MAX_RESULTS: max_results must be at least 0: -1"),
    # a name out of its list said which setting, not where it came from
    (["build"], {"KG_REASONER": "bogus"},
     "environment KG_REASONER: reasoner must be one of fast, owlrl: 'bogus'"),
    (["validate"], {"KG_VALIDATOR": "shacl"},
     "environment KG_VALIDATOR: validator must be one of fast, pyshacl: 'shacl'"),
])
def test_settings_out_of_range_exit_2_before_anything_runs(capsys, monkeypatch, tmp_path, args,
                                                           environ, message):
    """``--port 99999`` was an OverflowError traceback from gunicorn, after the dataset had
    been loaded; every number is now checked against its range first."""
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    code, out, err = run(capsys, "--root", str(tmp_path), *args)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_the_settings_choices_are_the_engines_there_are():
    """The settings table's names of reasoners and validators are those the stages take."""
    from kg.reason import REASONERS
    from kg.settings import SETTINGS
    from kg.validate import VALIDATORS

    choices = {s.name: s.choices for s in SETTINGS if s.choices}
    assert set(choices["reasoner"]) == set(REASONERS)
    assert set(choices["validator"]) == set(VALIDATORS)


def test_serve_refuses_an_address_it_cannot_listen_on_before_loading(capsys, tmp_path):
    """Was: load the dataset, then gunicorn's five retries and exit 1. No DNS here: a port in
    use on loopback, and a numeric address of no interface of this machine (TEST-NET-1)."""
    import socket

    missing = str(tmp_path / "never-loaded.nq")  # loading it would be another error
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        code, _, err = run(capsys, "--root", str(tmp_path), "serve", "--host", "127.0.0.1",
                           "--port", port, "--dataset", missing)
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}: Address already in use" in err
    code, _, err = run(capsys, "--root", str(tmp_path), "serve", "--host", "192.0.2.1",
                       "--port", "0", "--dataset", missing)
    assert code == 2 and "cannot listen on 192.0.2.1:0" in err and "never-loaded" not in err


def test_an_output_folder_that_cannot_be_made_is_exit_2(capsys, project, tmp_path):
    """Was a FileNotFoundError / NotADirectoryError traceback (exit 1)."""
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    code, _, err = run(capsys, "--root", str(project), "--build-dir", str(a_file / "build"),
                       "build")
    assert code == 2 and f"build_dir {a_file / 'build'}: cannot be made" in err
    code, out, err = run(capsys, "--root", str(project), "--build-dir", str(a_file), "build")
    assert (code, out) == (2, "")
    assert f"build_dir {a_file}: a file, not a folder (--build-dir DIR or KG_BUILD_DIR" in err
    code, _, err = run(capsys, "--root", str(project), "links", "export",
                       str(a_file / "sheets" / "links.csv"))
    assert code == 2 and f"{a_file / 'sheets' / 'links.csv'}: no such folder" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_warnings_are_reported_and_do_not_fail(capsys, project, engine, validated_once):
    """Results at sh:Warning are reported, with file:line, and the data conforms (exit 0), as
    pySHACL's allow_warnings has it; a violation beside them still fails."""
    (project / "shapes" / "zz-warning.ttl").write_text(WARNING_SHAPE, encoding="utf-8")
    article = project / "graph" / "article-part1.ttl"
    files = [str(f) for f in sorted((project / "graph").glob("*.ttl"))]
    args = ("--root", str(project), "validate", "--validator", engine, *files)
    code, out, err = run(capsys, *args)
    assert code == 0, err
    head = out.splitlines()[0]
    assert head.startswith("Conforms, with warnings") and "warning" in head, head
    assert "violation" not in head
    assert "an event is best placed" in out and "article-part1.ttl:" in out
    code, out, _ = run(capsys, *args, "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["conforms"] is True and report["results"]
    assert {r["severity"] for r in report["results"]} == {"Warning"}
    code, out, _ = run(capsys, *args, "--format", "github")
    assert code == 0 and out.startswith("::warning ") and "::error" not in out
    code, out, _ = run(capsys, *args, "--format", "sarif")
    assert code == 0 and {r["level"] for r in json.loads(out)["runs"][0]["results"]} == {
        "warning"}
    # a violation beside the warnings: does not conform, and says how many of each
    with article.open("a", encoding="utf-8") as f:
        f.write('\nevent:southwestern-border-war kgo:startDate "1978-13"^^xsd:gYearMonth .\n')
    code, out, _ = run(capsys, *args)
    assert code == 1
    assert out.startswith("Does not conform") and "warning" in out.splitlines()[0]


@pytest.mark.parametrize("command", [["build"], ["validate"], ["stats"]])
def test_a_project_folder_that_does_not_exist_is_named_as_such(capsys, tmp_path, command):
    """A mistyped --root said "no shapes: expected shapes/*.ttl", as if the folder were there."""
    missing = tmp_path / "no-such-project"
    code, out, err = run(capsys, "--root", str(missing), *command)
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"kg: error: {missing}: no such project folder (--root DIR or KG_ROOT" in err, err
    assert not missing.exists()  # kg build made it, to write its build into
    a_file = tmp_path / "graph.ttl"
    a_file.write_text("")
    code, out, err = run(capsys, "--root", str(a_file), *command)
    assert code == 2 and f"kg: error: {a_file}: a file, not a project folder (--root" in err, err


TRIG_IN_TURTLE = (" (a TriG named graph, NAME { … }, in a Turtle file? Turtle has no graphs: "
                  "write the triples without the braces, or save the file as .trig)")


@pytest.mark.parametrize(("text", "place", "said"), [
    ("graph:part2 {\n    event:x rdfs:label \"X\"@en .\n}\n", "4:13",
     "{ is not a valid predicate"),
    ("GRAPH graph:part2 { event:x rdfs:label \"X\"@en . }\n", "4:1",
     "GRAPH is not a valid subject or graph name"),
    # an N3 formula as an object is no named graph: no hint
    ("event:x rdfs:seeAlso { event:y rdfs:label \"Y\"@en } .\n", "4:22",
     "{ is not a valid RDF object"),
])
def test_a_trig_graph_in_a_turtle_file_is_named_as_such(capsys, project, monkeypatch, text,
                                                        place, said):
    """A TriG named graph written into a file of graph/ (Turtle): kg validate and kg build stop
    at its line, and say what it most likely is and what to do (they said only "{ is not a
    valid predicate")."""
    prefixes = ("@prefix graph: <https://w3id.org/kg1978/graph/> .\n"
                "@prefix event: <https://w3id.org/kg1978/event/> .\n"
                "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")
    (project / "graph" / "article-part2.ttl").write_text(prefixes + text, encoding="utf-8")
    monkeypatch.chdir(project)
    hint = TRIG_IN_TURTLE if said.startswith(("{ is not a valid predicate", "GRAPH")) else ""
    expected = (f"kg: error: {Path('graph', 'article-part2.ttl')}:{place}: Turtle syntax "
                f"error: {said}{hint}\n")
    code, _, err = run(capsys, "validate", str(Path("graph", "article-part2.ttl")))
    assert (code, err) == (2, expected)
    code, _, err = run(capsys, "--root", str(project), "build")
    assert code == 2 and err.endswith(expected), err


def test_a_passage_cited_by_its_number_says_which_iri_to_write(capsys, monkeypatch):
    """prov:wasDerivedFrom 2 (or "3", "passage 5") for a passage's IRI was "not a passage
    declared in graph/sources.ttl" and no more: the one result says which IRI to write, the
    passage of that number (of the source the node's other citations are from), or, for a
    number past the last, the passages there are."""
    monkeypatch.chdir(REPO)
    fixture = "tests/data/validation/passage-cited-by-number.ttl"
    code, out, _ = run(capsys, "--root", str(REPO), "validate", fixture, "--format", "json")
    assert code == 1
    said = ("an event cites passages: this is not a passage declared in graph/sources.ttl (a "
            "mistyped number, or a source whose passages are not declared yet: kg sources "
            "passages); ")
    assert sorted((r["focus"].rpartition("/")[2], r["message"].removeprefix(said))
                  for r in json.loads(out)["results"]) == [
        ("appeal", "2 is a passage's number, not the passage: write its IRI, src:doc-passage-2"),
        ("call", '"3" is a passage\'s number, not the passage: write its IRI, src:doc-passage-3'),
        ("march", "12 is a passage's number, not the passage: write its IRI; src:doc has "
                  "passages 1 to 3 and 5"),
        ("rally", '"passage 5" is a passage\'s number, not the passage: write its IRI, '
                  "src:doc-passage-5")]


def test_a_passage_of_the_project_cited_by_its_number_names_its_iri(capsys, project,
                                                                   monkeypatch):
    """In the project, part 1's prov:wasDerivedFrom 18: the passage's IRI, from
    graph/sources.ttl; kg build says it too."""
    facts = project / "graph" / "article-part1.ttl"
    text = facts.read_text(encoding="utf-8")
    assert text.count("prov:wasDerivedFrom p:6, p:8, p:10, p:13, p:15 .") == 1
    facts.write_text(text.replace("prov:wasDerivedFrom p:6, p:8, p:10, p:13, p:15 .",
                                  "prov:wasDerivedFrom p:6, p:8, p:10, p:13, 18 ."),
                     encoding="utf-8")
    monkeypatch.chdir(project)
    code, out, _ = run(capsys, "--root", str(project), "validate", "graph/article-part1.ttl",
                       "--with-project", "--format", "json")
    assert code == 1
    [result] = json.loads(out)["results"]
    hint = "; 18 is a passage's number, not the passage: write its IRI, src:article-part1-passage-18"
    assert result["message"].endswith(hint), result
    code, _, err = run(capsys, "--root", str(project), "build")
    assert code == 1 and f"{hint}\n  focus node: event:southwestern-border-war\n" in err, err


def test_build_reports_a_prefix_declared_again_as_kg_validate_does(capsys, project):
    """kg build said a prefix declared again with another IRI on stderr alone, and kg validate
    as a warning result too: the build's report has that warning, at its line, as kg
    validate's has it, and a build that conforms besides still writes the dataset (exit 0);
    where the names after it break the shapes, the warning comes first in the failed build's
    report, before its consequences."""
    sources = project / "graph" / "sources.ttl"
    sources.write_text(sources.read_text(encoding="utf-8")
                       + "@prefix event: <https://w3id.org/kg1978/events/> .\n", encoding="utf-8")
    line = len(sources.read_text(encoding="utf-8").splitlines())
    code, _, err = run(capsys, "--root", str(project), "build")
    assert code == 0, err
    warning = ("Warning: @prefix event: declared again, as <https://w3id.org/kg1978/events/> "
               "(line 9 declared <https://w3id.org/kg1978/event/>): every event: name after it "
               "is an IRI of the second; remove one\n"
               "  focus node: kg:events/\n"
               f"  where:      {sources}:{line}\n")
    assert "  1 warning (not fatal):\nConforms, with warnings" in err and warning in err, err
    code, out, _ = run(capsys, "--root", str(project), "validate")
    assert code == 0 and warning in out, out
    facts = project / "graph" / "article-part1.ttl"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("\nunit:", "\n@prefix unit: <https://w3id.org/kg1978/units/> ."
                                  "\nunit:", 1), encoding="utf-8")
    code, _, err = run(capsys, "--root", str(project), "build")
    assert code == 1
    blocks = err.split("Does not conform: ", 1)[1].split("\n\n")[1:3]
    assert sorted(b.split(" declared again")[0] for b in blocks) == [
        "Warning: @prefix event:", "Warning: @prefix unit:"], err


def test_a_domain_result_says_where_the_property_is_used_and_what_the_node_is(capsys,
                                                                             tmp_path):
    """A leader typed as a state (graph/entities.ttl's Pol Pot made a kgo:State) gave "the
    subject of kgo:leaderOf … must be a kgo:Person" at the line of its type alone, naming
    neither the kgo:leaderOf that makes it a leader nor what it is: both, at their lines."""
    text = (REPO / "graph" / "entities.ttl").read_text(encoding="utf-8")
    assert text.count("actor:pol-pot a kgo:Person ;") == 1
    broken = text.replace("actor:pol-pot a kgo:Person ;", "actor:pol-pot a kgo:State ;")
    path = tmp_path / "entities.ttl"
    path.write_text(broken, encoding="utf-8")
    lines = broken.splitlines()
    typed = 1 + lines.index("actor:pol-pot a kgo:State ;")
    used = 1 + lines.index("actor:pol-pot kgo:leaderOf actor:democratic-kampuchea .")
    code, out, _ = run(capsys, "validate", "--with-project", str(path), "--format", "json")
    assert code == 1
    [result] = json.loads(out)["results"]
    assert result["message"] == (
        "the subject of kgo:leaderOf (or of a sub-property) must be a kgo:Person; kgo:leaderOf "
        f"at {path}:{used}, and actor:pol-pot is a kgo:State ({path}:{typed})"), result
    assert result["location"] == f"{path}:{typed}"


def _two_parents_fixture(tmp_path):
    """tests/data/shapes/unit-two-parents.ttl copied to ``tmp_path``: its path, its text and
    the lines of the division's two kgo:subordinateTo (corps A's, corps B's)."""
    text = (REPO / "tests" / "data" / "shapes" / "unit-two-parents.ttl").read_text(
        encoding="utf-8")
    path = tmp_path / "two.ttl"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    a, b = (1 + lines.index(f"    kgo:subordinateTo unit:corps-{x}" + (" ;" if x == "a" else " ."))
            for x in "ab")
    return path, text, a, b


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_unit_under_two_parents_at_once_is_one_result_naming_both(capsys, tmp_path,
                                                                     validator):
    """A division under two corps, neither within the other, was reported only as a relation
    without its statement (or not at all, with statements): one result, naming both parents
    at their lines. A unit under a corps under an army (the closure makes the army a parent
    too) is none, nor is a move said by kgo:heldFrom on a relation's statement."""
    path, text, a, b = _two_parents_fixture(tmp_path)
    code, out, _ = run(capsys, "validate", str(path), "--validator", validator, "--format", "json")
    assert code == 1
    [result] = json.loads(out)["results"]
    assert result["location"] == f"{path}:{b}"
    assert (f"it is subordinate to unit:corps-a ({path}:{a}) and to unit:corps-b ({path}:{b}), "
            "neither within the other") in result["message"], result
    # a chain: corps-b under corps-a, the division under corps-b alone
    chain = text.replace("    kgo:subordinateTo unit:corps-a ;\n    kgo:subordinateTo unit:corps-b .",
                         "    kgo:subordinateTo unit:corps-b .").replace(
        "rdf:subject unit:corps-b ; rdf:predicate kgo:subordinateTo ; rdf:object unit:army",
        "rdf:subject unit:corps-b ; rdf:predicate kgo:subordinateTo ; rdf:object unit:corps-a")
    chain = chain.replace("unit:corps-b a kgo:ArmyCorps ;\n    rdfs:label \"Corps B\"@en ;\n"
                          "    kgo:subordinateTo unit:army .",
                          "unit:corps-b a kgo:ArmyCorps ;\n    rdfs:label \"Corps B\"@en ;\n"
                          "    kgo:subordinateTo unit:corps-a .")
    chain = "\n".join(line for line in chain.split("\n\n") if "division-in-corps-a" not in line)
    # a move: the second parent from an event
    moved = text.replace("rdf:object unit:corps-b ;",
                         "rdf:object unit:corps-b ; kgo:heldFrom event:move ;").replace(
        "@prefix unit:", "@prefix event:   <https://w3id.org/kg1978/event/> .\n@prefix unit:", 1)
    assert "unit:corps-a ;\n    kgo:subordinateTo unit:corps-b" not in chain
    assert "division-in-corps-a" not in chain and "kgo:heldFrom event:move" in moved
    _no_result_saying("one group at a time", capsys, path, validator, chain, moved)


def _no_result_saying(words: str, capsys, path, validator: str, *texts: str) -> None:
    """Each of ``texts``, written to ``path`` and validated, has no result whose message
    holds ``words`` (the cases a rule lets pass)."""
    for text in texts:
        path.write_text(text, encoding="utf-8")
        _, out, _ = run(capsys, "validate", str(path), "--validator", validator, "--format", "json")
        assert not [r for r in json.loads(out)["results"] if words in r["message"]], out


def _two_countries_fixture(tmp_path):
    """The two-countries fixture copied to ``tmp_path``: its path, text, and the lines of
    the town's step to the province (of Vietnam) and of its placing within Cambodia."""
    text = (REPO / "tests" / "data" / "shapes" / "place-in-two-countries.ttl").read_text(
        encoding="utf-8")
    path = tmp_path / "two.ttl"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    province, cambodia = (1 + lines.index(f"    kgo:placeWithin place:{x}")
                          for x in ("province ;", "cambodia ."))
    return path, text, province, cambodia


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_place_within_two_countries_is_one_result_naming_both(capsys, tmp_path, validator):
    """A town stated within a province of one country and within another country passed (the
    shapes asked for a country, not one): one result, naming both countries at the lines of
    their triples, the one the closure gives through the stated step it follows. A later
    source's other country, a schema:Claim (its triple not asserted), is none, nor is a change
    of country said by kgo:heldUntil on a relation's statement."""
    path, text, province, cambodia = _two_countries_fixture(tmp_path)
    code, out, _ = run(capsys, "validate", str(path), "--validator", validator, "--format", "json")
    assert code == 1
    [result] = json.loads(out)["results"]
    assert (f"it lies within place:cambodia ({path}:{cambodia}) and within place:vietnam "
            f"({path}:{province}, through place:province); keep the one") in result["message"]
    assert result["value"] == "https://w3id.org/kg1978/place/vietnam"
    claimed = text.replace("    kgo:placeWithin place:province ;\n    kgo:placeWithin place:cambodia .",
                           "    kgo:placeWithin place:province .").replace(
        "stmt:town-in-cambodia a rdf:Statement ;", "stmt:town-in-cambodia a rdf:Statement, schema:Claim ;"
        " prov:wasDerivedFrom <https://w3id.org/kg1978/source/article-part2-passage-1> ;")
    moved = text.replace("rdf:object place:cambodia ;",
                         "rdf:object place:cambodia ; kgo:heldUntil event:cession ;").replace(
        "@prefix unit:", "@prefix event:   <https://w3id.org/kg1978/event/> .\n@prefix unit:", 1)
    assert "schema:Claim" in claimed and "kgo:heldUntil event:cession" in moved
    _no_result_saying("one country", capsys, path, validator, claimed, moved)


def _turtle_result(capsys, path):
    """``path`` validated with ``--format turtle`` (exit 1): the report graph and its one
    result."""
    from rdflib import RDF
    from rdflib.namespace import SH

    code, out, _ = run(capsys, "validate", str(path), "--format", "turtle")
    assert code == 1
    report = Graph().parse(data=out, format="turtle")
    (root,) = report.subjects(RDF.type, SH.ValidationReport)
    (result,) = report.objects(root, SH.result)
    return report, result


def test_the_turtle_report_gives_both_parents_as_sh_detail(capsys, tmp_path):
    """The two-parents result named both parents at their lines in text, JSON, GitHub and
    SARIF, but its Turtle result had neither line, nor even its own kgs:file and kgs:line (its
    message, with the lines in it, was not found in the report graph): it has its place now,
    and each parent as SHACL's sh:detail, a result with the parent as sh:value and the line
    that gives it, as a SHACL tool reads further details of a result's cause."""
    from rdflib import RDF, Namespace, URIRef
    from rdflib.namespace import SH

    kgs = Namespace("https://w3id.org/kg1978/shapes/")
    path, text, a, b = _two_parents_fixture(tmp_path)
    report, result = _turtle_result(capsys, path)
    assert (str(report.value(result, kgs.file)), report.value(result, kgs.line).toPython()) == (
        str(path), b)
    unit = "https://w3id.org/kg1978/unit/"
    details = {(str(report.value(d, SH.value)), str(report.value(d, kgs.file)),
                report.value(d, kgs.line).toPython(), report.value(d, SH.focusNode),
                report.value(d, SH.sourceShape), (d, RDF.type, SH.ValidationResult) in report)
               for d in report.objects(result, SH.detail)}
    assert details == {(f"{unit}corps-{x}", str(path), line, URIRef(f"{unit}division"),
                        kgs.UnitParentShape, True) for x, line in (("a", a), ("b", b))}


def test_the_turtle_report_gives_both_countries_as_sh_detail(capsys, tmp_path):
    """The two-countries result named both countries at their lines in text, JSON and SARIF,
    but its Turtle result had neither as a sh:detail, as the two-parents result has: each
    country is one now, with the country as sh:value and the line that gives it (the stated
    step's, where the closure follows one, and the step in its message)."""
    from rdflib import RDF, Namespace
    from rdflib.namespace import SH

    kgs = Namespace("https://w3id.org/kg1978/shapes/")
    path, text, province, cambodia = _two_countries_fixture(tmp_path)
    report, result = _turtle_result(capsys, path)
    place = "https://w3id.org/kg1978/place/"
    details = {(str(report.value(d, SH.value)), str(report.value(d, kgs.file)),
                report.value(d, kgs.line).toPython(), str(report.value(d, SH.resultMessage)),
                str(report.value(d, SH.focusNode)), report.value(d, SH.sourceShape),
                (d, RDF.type, SH.ValidationResult) in report)
               for d in report.objects(result, SH.detail)}
    assert details == {
        (f"{place}cambodia", str(path), cambodia,
         "one of the two countries: lies within place:cambodia", f"{place}town",
         kgs.PlaceShape, True),
        (f"{place}vietnam", str(path), province,
         "one of the two countries: lies within place:vietnam, through place:province",
         f"{place}town", kgs.PlaceShape, True)}


def test_json_ld_and_rdf_xml_results_are_placed_where_the_node_is_described(capsys, tmp_path):
    """Results from JSON-LD and RDF/XML, whose parsers keep no lines, had no location at all;
    then each was at its node's "@id" or rdf:about, where Turtle places a result with no value
    of its own (a missing label, a node shape's) at the statement that types the node: now
    so are these, at the "@type" (compacted by the file's context) or rdf:type, and a blank
    node's at its own, as Turtle's `[] a kgo:Division` is. GitHub annotations and SARIF give
    each its line."""
    jsonld = tmp_path / "u.jsonld"
    jsonld.write_text(json.dumps({
        "@context": {"kgo": "https://w3id.org/kg1978/ontology/",
                     "unit": "https://w3id.org/kg1978/unit/"},
        "@graph": [{"@id": "unit:division-998", "@type": "kgo:Division"},
                   {"@type": "kgo:Division"}]}, indent=1), encoding="utf-8")
    rdfxml = tmp_path / "u.rdf"
    rdfxml.write_text("""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY unit "https://w3id.org/kg1978/unit/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">

  <rdf:Description rdf:about="&unit;division-998">
    <rdf:type rdf:resource="https://w3id.org/kg1978/ontology/Division"/>
  </rdf:Description>
  <rdf:Description>
    <rdf:type rdf:resource="https://w3id.org/kg1978/ontology/Division"/>
  </rdf:Description>
</rdf:RDF>
""", encoding="utf-8")
    def line_of(path, text, nth=0):
        return 1 + [i for i, line in enumerate(path.read_text("utf-8").splitlines())
                    if text in line][nth]
    for path, typed in ((jsonld, '"@type": "kgo:Division"'), (rdfxml, "/ontology/Division")):
        code, out, _ = run(capsys, "validate", str(path), "--format", "json")
        assert code == 1
        results = json.loads(out)["results"]
        named = [r for r in results if r["focus"].endswith("/unit/division-998")]
        assert named and {r["location"] for r in named} == {f"{path}:{line_of(path, typed)}"}
        blank = {r["location"] for r in results if "[ " in r["focus"]}
        assert blank == {f"{path}:{line_of(path, typed, 1)}"}, results
    code, out, _ = run(capsys, "validate", str(jsonld), "--format", "github")
    lines = {line_of(jsonld, '"@type": "kgo:Division"', n) for n in (0, 1)}
    assert {f"file={jsonld},line={n}," in out for n in lines} == {True}, out
    code, out, _ = run(capsys, "validate", str(jsonld), "--format", "sarif")
    places = [loc["physicalLocation"] for r in json.loads(out)["runs"][0]["results"]
              for loc in r.get("locations", [])]
    assert {p.get("region", {}).get("startLine") for p in places} == lines, places


def test_a_result_on_a_node_no_json_ld_file_names_has_no_place(capsys, tmp_path):
    """A JSON-LD or RDF/XML file validated alone had every result it could not place at the
    file ("FILE:"), one on another file's node too: a fixture's label that duplicates the
    project's place:vietnam was said to be in the fixture. As in Turtle, it has no place; a
    blank node's result the file does not place stays at the file."""
    fixture = REPO / "tests" / "data" / "shapes" / "iri-kind-place-under-unit.ttl"
    for fmt, suffix in (("turtle", ".ttl"), ("json-ld", ".jsonld"), ("xml", ".rdf")):
        path = tmp_path / f"u{suffix}"
        Graph().parse(fixture).serialize(path, format=fmt)
        code, out, _ = run(capsys, "validate", str(path), "--format", "json")
        placed = {r["focus"]: r["location"] for r in json.loads(out)["results"]}
        assert placed["https://w3id.org/kg1978/place/vietnam"] is None, (fmt, placed)
        assert placed["https://w3id.org/kg1978/unit/vietnam"].startswith(f"{path}:"), placed


JSON_LD_LITERALS = """{
  "@context": {"kgo": "https://w3id.org/kg1978/ontology/",
               "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
               "xsd": "http://www.w3.org/2001/XMLSchema#",
               "place": "https://w3id.org/kg1978/place/",
               "id": "@id", "type": "@type",
               "label": {"@id": "rdfs:label", "@language": "en"}},
  "@graph": [
    {"id": "place:xanadu",
     "type": "kgo:Country",
     "label": "Xanadu",
     "rdfs:label":
        "Xanadu  Land"},
    {"@id": "place:cathay", "@type": "kgo:Country",
     "label": "Cathay",
     "kgo:startDate": {"@value": "1978-02-30", "@type": "xsd:date"}}
  ]
}
"""


def _validated_in_json(capsys, path, text):
    """``kg validate`` of ``text`` written to ``path``, in JSON, where it does not conform
    (exit 1): the path, the results, and the line of the first line holding a given text."""
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()

    def line_of(needle):
        return 1 + next(i for i, line in enumerate(lines) if needle in line)

    code, out, _ = run(capsys, "validate", str(path), "--format", "json")
    assert code == 1
    return path, json.loads(out)["results"], line_of


def test_a_json_ld_literals_result_is_placed_at_its_value(capsys, tmp_path):
    """JSON-LD results were placed at the node's "@id", a literal's too, and a node named by
    an alias of "@id" ("id": "@id" in the context) had no line: a literal the file's own
    context lets us read (a string, a {"@value": …} with its type or language, a term's
    @language) is placed at its value's line, and an aliased name at its line."""
    path, results, line_of = _validated_in_json(capsys, tmp_path / "u.jsonld",
                                                JSON_LD_LITERALS)
    placed = {(r["focus"].rpartition("/")[2], r["value"], r["location"]) for r in results}
    assert ("xanadu", '"Xanadu  Land"', f"{path}:{line_of('Xanadu  Land')}") in placed, placed
    assert ("cathay", '"1978-02-30"^^<http://www.w3.org/2001/XMLSchema#date>',
            f"{path}:{line_of('1978-02-30')}") in placed, placed
    # the label counted twice, on the node named by the alias: at its first label's key
    # (a term of the context), as Turtle places it at its first rdfs:label
    first_label = line_of('"label": "Xanadu"')
    assert ("xanadu", None, f"{path}:{first_label}") in placed, placed


JSON_LD_RELATIONS = """{
  "@context": {"kgo": "https://w3id.org/kg1978/ontology/",
               "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
               "place": "https://w3id.org/kg1978/place/",
               "event": "https://w3id.org/kg1978/event/",
               "type": "@type",
               "within": {"@id": "kgo:placeWithin", "@type": "@id"}},
  "@graph": [
    {"@id": "event:raid",
     "type": "kgo:Event",
     "rdfs:label": {"@value": "Raid", "@language": "en"},
     "within": "place:xanadu",
     "kgo:carriedOutBy": {
        "@id": "place:cathay"}},
    {"@id": "place:xanadu", "type": "kgo:Country",
     "rdfs:label": {"@value": "Xanadu", "@language": "en"}},
    {"@id": "place:cathay",
     "@type": ["kgo:Country",
               "kgo:Atack"],
     "rdfs:label": {"@value": "Cathay", "@language": "en"}}
  ]
}
"""


def test_a_json_ld_relations_result_is_placed_at_its_value(capsys, tmp_path):
    """A JSON-LD literal's result was placed at its value, a relation's (an IRI value) still
    at the node's "@id": a {"@id": …} value, a string under a term whose @type is @id and a
    @type (or its alias) are each placed at the line that names the value, and a domain's
    result says the line of the node's type."""
    path, results, line_of = _validated_in_json(capsys, tmp_path / "r.jsonld",
                                                JSON_LD_RELATIONS)
    placed = {(r["shape"].rpartition("/")[2], r["focus"].rpartition("/")[2],
               r["value"].rpartition("/")[2] if r["value"] else None, r["location"])
              for r in results}
    for expected in (("ReifiedChainShape", "raid", "xanadu", line_of('"within": "place')),
                     ("hadParticipant-range", "raid", "cathay", line_of('"place:cathay"}')),
                     ("DeclaredTypeShape", "cathay", "Atack", line_of('"kgo:Atack"'))):
        assert (*expected[:3], f"{path}:{expected[3]}") in placed, placed
    [domain] = [r["message"] for r in results if r["shape"].endswith("/placeWithin-domain")]
    assert domain.endswith(f"event:raid is a kgo:Event ({path}:{line_of('kgo:Event')})"), domain


RDF_XML_PROPERTIES = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY place "https://w3id.org/kg1978/place/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
         xmlns:kgo="https://w3id.org/kg1978/ontology/"
         xml:lang="en">
  <kgo:Event rdf:about="https://w3id.org/kg1978/event/raid">
    <rdfs:label>Raid</rdfs:label>
    <kgo:placeWithin rdf:resource="&place;xanadu"/>
    <kgo:carriedOutBy>
      <kgo:Country rdf:about="&place;cathay">
        <rdfs:label>Cathay</rdfs:label>
      </kgo:Country>
    </kgo:carriedOutBy>
    <kgo:startDate
        rdf:datatype="http://www.w3.org/2001/XMLSchema#date">1978-02-30</kgo:startDate>
  </kgo:Event>
  <rdf:Description rdf:about="&place;xanadu" rdfs:label="Xanadu">
    <rdf:type rdf:resource="https://w3id.org/kg1978/ontology/Country"/>
    <rdf:type rdf:resource="https://w3id.org/kg1978/ontology/Atack"/>
    <rdfs:label>Xanadu  Land</rdfs:label>
  </rdf:Description>
</rdf:RDF>
"""


def test_rdf_xml_results_are_placed_at_their_property_elements(capsys, tmp_path):
    """RDF/XML results were all placed at their node's rdf:about: read with expat, which
    gives each element's line, a literal's result is at its property element (its xml:lang
    in scope, its rdf:datatype; a property attribute's at its node element), a relation's at
    the line that names its value (rdf:resource, a nested node element, an rdf:type), and
    each value a result counts at its own line."""
    path, results, line = _validated_in_json(capsys, tmp_path / "r.rdf", RDF_XML_PROPERTIES)

    def line_of(text):
        return f"{path}:{line(text)}"

    placed = {(r["shape"].rpartition("/")[2], r["focus"].rpartition("/")[2],
               (r["value"] or "").rpartition("/")[2], r["location"]) for r in results}
    for expected in (
            ("ReifiedChainShape", "raid", "xanadu", line_of("kgo:placeWithin rdf:resource")),
            ("hadParticipant-range", "raid", "cathay", line_of('<kgo:Country rdf:about')),
            ("DeclaredTypeShape", "xanadu", "Atack", line_of("/ontology/Atack")),
            ("LabelTextShape", "xanadu", '"Xanadu  Land"@en', line_of("Xanadu  Land"))):
        assert expected in placed, placed
    dates = [r for r in results if r["focus"].endswith("/raid")
             and (r["path"] or "").endswith("/startDate") and r["value"]]
    assert dates and {r["location"] for r in dates} == {line_of("<kgo:startDate")}, dates
    [counted] = [r for r in results if r["values"]]
    assert counted["values"] == [
        {"value": '"Xanadu  Land"@en', "location": line_of("Xanadu  Land")},
        {"value": '"Xanadu"@en', "location": line_of('rdfs:label="Xanadu"')}]


@pytest.mark.parametrize("suffix", [".ttl", ".nt"])
def test_a_label_in_another_language_is_placed_at_its_own_line(capsys, tmp_path, suffix):
    """A unit's second rdfs:label, of the same text as its English one but in Vietnamese, was
    placed at the English label's line (lines were found by the text alone)."""
    from rdflib import Graph

    turtle = """@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix unit: <https://w3id.org/kg1978/unit/> .
unit:armed-forces-9 a kgo:ArmedForces ;
    rdfs:label "Kampuchea"@en ;
    rdfs:label "Kampuchea"@vi .
"""
    path = tmp_path / f"k{suffix}"
    if suffix == ".ttl":
        path.write_text(turtle, encoding="utf-8")
    else:
        path.write_text("".join(sorted(Graph().parse(data=turtle, format="turtle")
                                       .serialize(format="nt").splitlines(True))),
                        encoding="utf-8")
    vi = 1 + path.read_text(encoding="utf-8").splitlines().index(next(
        line for line in path.read_text(encoding="utf-8").splitlines() if "@vi" in line))
    code, out, _ = run(capsys, "validate", str(path), "--format", "json")
    assert code == 1
    [other] = [r for r in json.loads(out)["results"] if r["value"] == '"Kampuchea"@vi']
    assert other["location"] == f"{path}:{vi}", other


@pytest.mark.parametrize("reasoner", ["fast", "owlrl"])
def test_build_says_a_prefix_declared_again_once(capsys, caplog, project, reasoner):
    """kg build said a prefix declared again twice on stderr: a line as it read the file, and
    the report's warning; the report's alone now, with either reasoner's way of reading. A
    graph of one place (with_one_place) keeps the owlrl build quick: the file that declares
    the prefix again is what is read."""
    entities = with_one_place(project) / "graph" / "entities.ttl"
    entities.write_text("@prefix event: <https://w3id.org/kg1978/event/> .\n"
                        + entities.read_text(encoding="utf-8")
                        + "@prefix event: <https://w3id.org/kg1978/events/> .\n", encoding="utf-8")
    code, _, err = run(capsys, "--root", str(project), "build", "--reasoner", reasoner)
    assert code == 0, err
    said = err + caplog.text  # a logged line goes to caplog under pytest, to stderr otherwise
    assert said.count("@prefix event: declared again") == 1, said
    assert "Warning: @prefix event: declared again" in err, err


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_validate_says_a_prefix_declared_again_once(capsys, caplog, fmt):
    """kg validate FILE logged a prefix declared again on stderr as it read the file, and
    reported it on stdout as a warning result: the report's result alone now (a finding about
    the data is the report's, on stdout, as pySHACL and ruff print theirs; stderr is for what
    the command says of its run)."""
    fixture = REPO / "tests" / "data" / "shapes" / "prefix-declared-again.ttl"
    code, out, err = run(capsys, "--root", str(REPO), "validate", str(fixture), "--format", fmt)
    assert code == 0, err
    assert out.count("@prefix unit: declared again") == 1, out
    assert "declared again" not in err + caplog.text, err + caplog.text


def test_a_missing_value_is_placed_where_its_node_is_described(capsys, project, monkeypatch):
    """A value missing from an event of part 1 (its citation), validated with the project, was
    placed at graph/links.ttl:70, the first statement about the event in the files read (the
    project's come first), not where the event is described: it is at the statement that
    types it."""
    facts = project / "graph" / "article-part1.ttl"
    text = facts.read_text(encoding="utf-8")
    assert text.count("    prov:wasDerivedFrom p:6, p:8, p:10, p:13, p:15 .") == 1
    facts.write_text(text.replace("    prov:wasDerivedFrom p:6, p:8, p:10, p:13, p:15 .",
                                  "    ."), encoding="utf-8")
    line = 1 + text.splitlines().index("event:southwestern-border-war a kgo:War ;")
    monkeypatch.chdir(project)
    code, out, _ = run(capsys, "--root", str(project), "validate", "graph/article-part1.ttl",
                       "--with-project", "--format", "json")
    assert code == 1
    [result] = json.loads(out)["results"]
    assert (result["path"], result["location"]) == (
        "http://www.w3.org/ns/prov#wasDerivedFrom", f"graph/article-part1.ttl:{line}")


def test_a_mistyped_prefix_namespace_is_named_not_suggested(capsys, project, monkeypatch):
    """Part 1's @prefix event: mistyped as <https://w3id.org/kg1978/evnt/>: its events break
    the IRI pattern with the kind meant, and the other files' references to them, which
    nothing labels now, suggested the mistyped IRIs ("Did you mean kg:evnt/…?"): they say that
    the labelled IRI is of no kind, and that the prefix is to correct."""
    facts = project / "graph" / "article-part1.ttl"
    text = facts.read_text(encoding="utf-8")
    old = "@prefix event:   <https://w3id.org/kg1978/event/> ."
    assert text.count(old) == 1
    facts.write_text(text.replace(old, "@prefix event:   <https://w3id.org/kg1978/evnt/> ."),
                     encoding="utf-8")
    monkeypatch.chdir(project)
    code, out, _ = run(capsys, "--root", str(project), "validate", "graph/article-part1.ttl",
                       "--with-project", "--format", "json")
    assert code == 1
    results = json.loads(out)["results"]
    dangling = [r["message"] for r in results if r["shape"].endswith("dangling-reference-violation")
                and r["value"] == "https://w3id.org/kg1978/event/southwestern-border-war"]
    assert dangling and all(m.endswith(
        "described. It is labelled as kg:evnt/southwestern-border-war, under evnt/, no kind of "
        "the project's IRIs: a prefix declared with a mistyped namespace made that name; "
        "correct the prefix, not this reference.") for m in dangling), dangling
    assert any(r["shape"].endswith("/EntityShape") and r["focus"].endswith(
        "/evnt/southwestern-border-war") for r in results)


def test_an_end_given_to_an_event_whose_source_gives_none_is_named_at_its_line(capsys, project):
    """An end date written, in another file, for an event marked kgo:endUndatedInSource: the
    result was on the event's type line, "needs a start date, and has neither an end date nor
    a kgo:notAfter" (an sh:and), which the event then had. It is now at the end date's line,
    naming it and what to remove."""
    event = "event:pol-pot-attack-1978-12-23"
    extra = project / "graph" / "zz-end.ttl"
    extra.write_text("@prefix event: <https://w3id.org/kg1978/event/> .\n"
                     "@prefix kgo: <https://w3id.org/kg1978/ontology/> .\n"
                     "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
                     f'{event} kgo:endDate "1978-12-30"^^xsd:date .\n', encoding="utf-8")
    files = [str(p) for p in sorted((project / "graph").glob("*.ttl"))]
    code, out, _ = run(capsys, "--root", str(project), "validate", "--format", "json", *files)
    assert code == 1
    [result] = [r for r in json.loads(out)["results"]
                if r["shape"].endswith("EventEndUndatedShape")]
    assert result["focus"].endswith("/pol-pot-attack-1978-12-23")
    assert result["path"].endswith("/endDate")
    assert result["location"] == f"{extra}:5", result
    assert result["message"].startswith("an event marked kgo:endUndatedInSource true (its "
                                        "source gives no end) has no end date: remove the end "
                                        "date"), result
    assert result["message"].endswith(f'it has 1 value of kgo:endDate: "1978-12-30"^^xsd:date '
                                      f"({extra}:5)"), result
