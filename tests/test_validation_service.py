"""The SHACL validation service, POST /validate: the same results and exit semantics as
``kg validate``, in JSON, Turtle, text and HTML; and safe parsing (size, syntax, nesting, no
remote JSON-LD contexts, no XML entities, nothing kept)."""

from __future__ import annotations

import html
import io
import json
import re
import tempfile

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from kgtest import REPO, Canary

PREFIXES = """\
@prefix kgo:    <https://w3id.org/kg1978/ontology/> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:    <http://www.w3.org/2002/07/owl#> .
@prefix place:  <https://w3id.org/kg1978/place/> .
@prefix event:  <https://w3id.org/kg1978/event/> .
"""

#: Conforms on its own (with the ontology): a country and a province inside it, the relation
#: with its statement (kgs:ReifiedChainShape), the agent it cites described (else the QC
#: query dangling-reference-violation reports it).
GOOD = PREFIXES + """
place:xanadu a kgo:Country ;
    rdfs:label "Xanadu"@en .
place:xanadu-province a kgo:Province ;
    rdfs:label "Province of Xanadu"@en ;
    kgo:placeWithin place:xanadu .
@prefix rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
<https://w3id.org/kg1978/statement/xanadu-province-in-xanadu> a rdf:Statement ;
    rdf:subject place:xanadu-province ; rdf:predicate kgo:placeWithin ; rdf:object place:xanadu ;
    prov:wasAttributedTo <https://w3id.org/kg1978/agent/curators> ;
    rdfs:comment "Where the province lies, as its writers know it."@en .
<https://w3id.org/kg1978/agent/curators> a prov:Organization ; rdfs:label "The curators"@en .
"""

#: Several violations: a label in the wrong language, a place in no country, a meeting with
#: nothing decided, no date and no source.
BAD = PREFIXES + """
place:atlantis a kgo:Province ;
    rdfs:label "Atlantis"@vi .
event:nameless a kgo:Meeting .
"""


@pytest.fixture(scope="module")
def app(dataset):
    """Validation in process (validation_timeout 0): the same code, faster tests."""
    from kg.endpoint import create_app

    return create_app({"TESTING": True, "root": REPO, "validation_timeout": 0},
                      dataset=dataset)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_client(dataset):
    from kg.endpoint import create_app

    def make(**settings):
        config = {"TESTING": True, "root": REPO, "validation_timeout": 0, **settings}
        return create_app(config, dataset=dataset).test_client()

    return make


def kg_validate(tmp_path, text: str, fmt: str = "json", suffix: str = ".ttl") -> tuple[int, str]:
    """Exit code and output of ``kg validate bad.ttl --format FMT`` (the command itself, run
    where the file is: its report locates focus nodes in ``bad.ttl:LINE``, as the service
    does in an upload named bad.ttl)."""
    import contextlib

    from kg.cli import main

    path = tmp_path / f"bad{suffix}"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.chdir(tmp_path):
        code = main(["--root", str(REPO), "validate", path.name, "--format", fmt])
    return code, out.getvalue()


def post_file(client, data: bytes | str, filename: str, query: str = "", **kw):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return client.post("/validate" + query, data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", **kw)


# -- the form and the report ----------------------------------------------------------------

def test_get_shows_the_upload_form(client):
    page = client.get("/validate")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in text and 'type="file"' in text
    assert 'name="file"' in text


def test_conforming_upload(client):
    response = client.post("/validate", data=GOOD, content_type="text/turtle")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {"conforms": True, "exit_code": 0, "results": []}
    assert response.headers["X-KG-Exit-Code"] == "0"



@pytest.mark.parametrize("timeout", [0, 60], ids=["in-process", "child-process"])
def test_several_values_are_listed_with_their_lines(make_client, timeout):
    """A result about too many values lists each with its line, from the child process too
    (its results come back as JSON: the values were dicts there, and locating them a 500)."""
    upload = PREFIXES + """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/kg1978/event/x> a kgo:Meeting ; rdfs:label "A meeting"@en ;
    kgo:onDate "1979-01-07"^^xsd:date ;
    kgo:onDate "1979-01-08"^^xsd:date ;
    prov:wasDerivedFrom <https://w3id.org/kg1978/source/article-part1-passage-6> .
"""
    first = upload[:upload.index('"1979-01-07"')].count("\n") + 1
    response = post_file(make_client(validation_timeout=timeout), upload, "two.ttl")
    assert response.status_code == 200, response.data
    [on] = [r for r in response.json["results"] if r["values"]
            and r["path"] == "https://w3id.org/kg1978/ontology/onDate"]
    assert [v["location"] for v in on["values"]] == [f"two.ttl:{first}", f"two.ttl:{first + 1}"]
    assert f'"1979-01-08"^^xsd:date (two.ttl:{first + 1})' in on["message"]


@pytest.mark.parametrize("timeout", [0, 60], ids=["in-process", "child-process"])
def test_an_upload_may_refer_to_what_the_dataset_describes(make_client, timeout):
    """Uploaded alone, a file's references to entities the served dataset labels are not
    dangling (the QC queries read those labels); a misspelt one still is."""
    upload = PREFIXES + """@prefix prov: <http://www.w3.org/ns/prov#> .
place:xanadu a kgo:Country ; rdfs:label "Xanadu"@en ;
    rdfs:seeAlso place:vietnam, place:cambodja .
"""
    response = post_file(make_client(validation_timeout=timeout), upload, "mine.ttl")
    assert response.status_code == 200, response.data
    dangling = [r["value"] for r in response.json["results"]
                if r["shape"] == "urn:kg:qc:dangling-reference-violation"]
    assert dangling == ["https://w3id.org/kg1978/place/cambodja"]


@pytest.mark.parametrize("timeout", [0, 60], ids=["in-process", "child-process"])
def test_qc_results_come_with_the_shapes(make_client, timeout):
    """The QC queries run on an upload as kg validate runs them on a file (kg.qc): a misspelt
    reference is a violation, at its line, with the query's advice and the IRI meant, naming
    the upload where the query says "graph/" (the project's files, which it reads in the
    build), as kg validate names its file, and with ?context=dataset, "or the served
    dataset"."""
    upload = GOOD.replace("agent/curators> ;", "agent/curatorz> ;")
    line = upload[:upload.index("agent/curatorz")].count("\n") + 1
    client = make_client(validation_timeout=timeout)
    response = post_file(client, upload, "mine.ttl")
    assert response.status_code == 200 and response.headers["X-KG-Exit-Code"] == "1"
    [qc] = [r for r in response.json["results"] if r["shape"].startswith("urn:kg:qc:")]
    assert qc["shape"] == "urn:kg:qc:dangling-reference-violation"
    assert qc["location"] == f"mine.ttl:{line}" and qc["severity"] == "Violation"
    assert qc["message"].endswith("Did you mean agent:curators?")
    assert qc["message"].startswith("mine.ttl points at a project IRI that nothing labels")
    assert qc["advice"] == ("correct the IRI, or describe the entity (with an rdfs:label) in "
                            "mine.ttl.")
    response = post_file(client, upload, "mine.ttl", "?context=dataset")
    [qc] = [r for r in response.json["results"] if r["shape"].startswith("urn:kg:qc:")]
    assert qc["message"].startswith("mine.ttl or the served dataset points at a project IRI")
    response = client.post("/validate", data=upload.encode(), content_type="text/turtle")
    [qc] = [r for r in response.json["results"] if r["shape"].startswith("urn:kg:qc:")]
    assert qc["message"].startswith("the upload points at a project IRI"), qc

def test_warnings_only_conform_and_say_so(dataset, tmp_path):
    """A shape at sh:Warning: the upload conforms (exit 0), and the page and JSON say why the
    report is not empty."""
    from kg.endpoint import create_app
    from kgtest import project_copy

    root = project_copy(tmp_path / "p")
    (root / "shapes" / "zz-warning.ttl").write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kgo: <https://w3id.org/kg1978/ontology/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <urn:kg:test:CountryAltLabel> a sh:NodeShape ; sh:targetClass kgo:Country ;
            sh:property [ sh:path skos:altLabel ; sh:minCount 1 ; sh:severity sh:Warning ;
                          sh:message "a country is best given its other names" ] .
        """, encoding="utf-8")
    client = create_app({"TESTING": True, "root": root, "validation_timeout": 0},
                        dataset=dataset).test_client()
    response = client.post("/validate", data=GOOD, content_type="text/turtle")
    assert response.status_code == 200 and response.headers["X-KG-Exit-Code"] == "0"
    report = response.json
    assert report["conforms"] is True and report["exit_code"] == 0
    assert [r["severity"] for r in report["results"]] == ["Warning"]
    page = post_file(client, GOOD, "good.ttl", query="?format=html").get_data(as_text=True)
    assert "conforms, with warnings" in page and 'id="exit-code">0<' in page
    assert "1 warning" in page and "best given its other names" in page


def test_report_json_is_what_kg_validate_prints(client, tmp_path):
    code, printed = kg_validate(tmp_path, BAD)
    expected = json.loads(printed)
    assert code == 1 and not expected["conforms"] and len(expected["results"]) >= 3

    response = post_file(client, BAD, "bad.ttl")
    assert response.status_code == 200
    assert response.headers["X-KG-Exit-Code"] == "1"
    body = response.json
    assert body.pop("exit_code") == 1
    assert body == expected
    assert {"focus", "path", "value", "severity", "message", "shape"} \
        <= set(body["results"][0])
    # each result found where the upload says it, as kg validate finds it in the file: on
    # the line of the focus node's property, or of the focus node itself
    lines = BAD.splitlines()
    for r in body["results"]:
        if r["location"] is not None:
            name, _, number = r["location"].partition(":")
            words = {r["focus"].rsplit("/", 1)[1]}
            if r["path"]:
                words.add(":" + re.split(r"[/#]", r["path"])[-1] + " ")
            assert name == "bad.ttl" and any(w in lines[int(number) - 1] for w in words), r
    assert any(r["location"] for r in body["results"])


@pytest.mark.parametrize(("rdflib_format", "filename", "content_type"), [
    ("nt", "bad.nt", "application/n-triples"),
    ("trig", "bad.trig", "application/trig"),
    ("nquads", "bad.nq", "application/n-quads"),
    ("json-ld", "bad.jsonld", "application/ld+json"),
    ("xml", "bad.rdf", "application/rdf+xml"),
])
def test_every_syntax_gives_the_same_results(client, tmp_path, rdflib_format, filename,
                                             content_type):
    _, printed = kg_validate(tmp_path, BAD)
    expected = json.loads(printed)["results"]
    graph = Graph().parse(data=BAD, format="turtle")
    lines = graph.serialize(format="nt").strip().splitlines()
    if rdflib_format == "trig":
        text = "<https://w3id.org/kg1978/graph/upload> {\n" + "\n".join(lines) + "\n}\n"
    elif rdflib_format == "nquads":
        text = "".join(line[:-1] + "<https://w3id.org/kg1978/graph/upload> .\n"
                       for line in lines)
    else:
        text = graph.serialize(format=rdflib_format)
    by_name = post_file(client, text, filename)
    by_type = client.post("/validate", data=text.encode(), content_type=content_type)
    for response in (by_name, by_type):
        assert response.status_code == 200, response.get_data(as_text=True)
        results = response.json["results"]
        # the same results; located (on the lines of this syntax) where the syntax has lines
        assert [{**r, "location": None} for r in results] == [
            {**r, "location": None} for r in expected]
        assert any(r["focus"].endswith("/event/nameless") for r in results)
        # JSON-LD and RDF/XML too (their parsers keep no lines; they had no location): as
        # in Turtle, at the line that writes the node with its property or value, else its
        # type ("@type", rdf:type), else its name
        written = text.splitlines()
        for r in results:
            if r["focus"].startswith("https://w3id.org/kg1978/event/nameless"):
                name, _, line = r["location"].rpartition(":")
                said = ["nameless", "type", *(t.rpartition("/")[2].rpartition("#")[2]
                                              for t in (r["path"], r["value"]) if t)]
                assert name and any(w in written[int(line) - 1] for w in said), (r, written)


def test_a_json_ld_upload_is_parsed_once(client, monkeypatch):
    """The checks (nesting, remote contexts), rdflib's parser and the line finders (where a
    result's node is, the prefixes of its contexts) read one parse of a JSON-LD upload's
    JSON: it was parsed five times. A report with results, so that the lines are found."""
    upload = json.dumps({
        "@context": {"kgo": "https://w3id.org/kg1978/ontology/",
                     "rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
        "@graph": [{"@id": "https://w3id.org/kg1978/event/x", "@type": "kgo:Attack",
                    "rdfs:label": {"@value": "X", "@language": "en"}}]}, indent=1)
    parsed = []
    loads = json.loads

    def counting(text, *args, **kwargs):
        if (text.decode("utf-8") if isinstance(text, bytes) else text) == upload:
            parsed.append(text)
        return loads(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counting)
    response = post_file(client, upload, "x.jsonld", headers={"Accept": "application/json"})
    monkeypatch.undo()
    report = response.get_json()
    assert response.status_code == 200 and report["conforms"] is False
    assert any(r.get("location", "").startswith("x.jsonld:") for r in report["results"]), \
        report["results"]
    assert len(parsed) == 1


def test_turtle_report_is_a_shacl_validation_report(client):
    response = client.post("/validate?format=turtle", data=BAD, content_type="text/turtle")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert response.headers["X-KG-Exit-Code"] == "1"
    report = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms).toPython() is False
    json_results = client.post("/validate", data=BAD, content_type="text/turtle").json["results"]
    assert len(list(report.objects(node, SH.result))) == len(json_results)


def test_turtle_by_accept_header_and_text_as_kg_validate_prints(client, tmp_path):
    response = client.post("/validate", data=BAD, content_type="text/turtle",
                           headers={"Accept": "text/turtle"})
    assert response.mimetype == "text/turtle"
    _, printed = kg_validate(tmp_path, BAD, fmt="text")
    text = client.post("/validate?format=text&filename=bad.ttl", data=BAD,
                       content_type="text/turtle")
    assert text.mimetype == "text/plain" and text.get_data(as_text=True) == printed


def test_html_report_escapes_what_it_shows(client):
    evil = PREFIXES + ('place:evil a kgo:Country ;\n'
                       '    rdfs:label "<script>alert(1)</script>"@vi .\n')
    response = post_file(client, evil, "<b>evil</b>.ttl", query="?format=html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page and "<b>evil" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "does not conform" in page and 'id="exit-code">1<' in page
    # A browser's Accept header chooses the page too.
    browser = post_file(client, GOOD, "good.ttl",
                        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.mimetype == "text/html" and "conforms" in browser.get_data(as_text=True)


def test_html_report_shows_a_repeated_result_with_the_one_it_repeats(client):
    """One wrong kgo:onDate is three results (kgo:startDate and kgo:endDate are its
    super-properties): the page has one row for it, the two repeats listed in it; JSON
    keeps the three."""
    month = (REPO / "tests" / "data" / "shapes" / "event-on-date-month.ttl").read_text("utf-8")
    bad = month.replace('"1978-12"^^xsd:gYearMonth', '"1978-02-30"^^xsd:date')
    page = post_file(client, bad, "bad.ttl", query="?format=html").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>Violation</td>.*?</tr>", page, re.S)
    assert len(rows) == 1 and "kgo:onDate must be one xsd:date" in rows[0]
    # the value as the text report writes it: its datatype as a CURIE
    assert '<td class="iri">&#34;1978-02-30&#34;^^xsd:date</td>' in rows[0]
    assert re.findall(r"<li>Also as <span[^>]*>(kgo:\w+)</span>", rows[0]) == [
        "kgo:endDate", "kgo:startDate"]
    assert "3\n        results (3 violations);\n        2 of them repeat another" in page
    results = post_file(client, bad, "bad.ttl").json["results"]
    assert sorted(bool(r["follows"]) for r in results) == [False, True, True]


def test_a_start_after_the_end_names_both_lines_in_every_report(make_client, tmp_path):
    """The result on the end date's line names the start date's line: JSON's ``related``
    (through the child process too), the page's "See also", SARIF's relatedLocations, as
    kg validate prints them."""
    bad = (REPO / "tests" / "data" / "shapes" / "event-start-after-end.ttl").read_text("utf-8")
    lines = bad.splitlines()
    start = 1 + next(i for i, t in enumerate(lines) if "kgo:startDate" in t)
    for client in (make_client(), make_client(validation_timeout=120)):
        [result] = post_file(client, bad, "bad.ttl").json["results"]
        assert result["related"] == [{
            "path": "https://w3id.org/kg1978/ontology/startDate",
            "value": '"1979-01-17"^^<http://www.w3.org/2001/XMLSchema#date>',
            "location": f"bad.ttl:{start}", "focus": None}]
        page = post_file(client, bad, "bad.ttl", query="?format=html").get_data(as_text=True)
        assert (f'See also kgo:startDate &#34;1979-01-17&#34;^^xsd:date at bad.ttl:{start}'
                in page)
        sarif = post_file(client, bad, "bad.ttl", query="?format=sarif").get_data(as_text=True)
        assert sarif == kg_validate(tmp_path, bad, "sarif")[1]
        [related] = json.loads(sarif)["runs"][0]["results"][0]["relatedLocations"]
        assert related["physicalLocation"]["region"]["startLine"] == start


def test_inconsistent_upload_gets_422_and_exit_code_1(client, tmp_path):
    bad = PREFIXES + "place:nowhere a owl:Nothing ; rdfs:label \"Nowhere\"@en .\n"
    code, _ = kg_validate(tmp_path, bad)
    assert code == 1
    response = client.post("/validate", data=bad, content_type="text/turtle")
    assert response.status_code == 422
    assert response.headers["X-KG-Exit-Code"] == "1"
    assert "owl:Nothing" in response.json["message"] or "Nothing" in response.json["message"]


def test_the_child_process_gives_the_same_report(make_client, tmp_path):
    """With validation_timeout > 0 (the default) the work runs in a child process."""
    client = make_client(validation_timeout=120)
    _, printed = kg_validate(tmp_path, BAD)
    response = post_file(client, BAD, "bad.ttl")
    assert response.status_code == 200
    assert response.json["results"] == json.loads(printed)["results"]
    turtle = post_file(client, BAD, "bad.ttl", query="?format=turtle")
    report = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    assert len(list(report.subjects(RDF.type, SH.ValidationResult))) \
        == len(response.json["results"])
    # with the lines of the text report (kg validate's Turtle report, tests/test_cli.py)
    line = URIRef("https://w3id.org/kg1978/shapes/line")
    file = URIRef("https://w3id.org/kg1978/shapes/file")
    assert sorted(f"{report.value(n, file)}:{report.value(n, line)}"
                  for n in report.subjects(line, None)) \
        == sorted(r["location"] for r in response.json["results"] if r["location"])
    assert any(r["location"] for r in response.json["results"])
    broken = client.post("/validate", data=b"<a> <b> .", content_type="text/turtle")
    assert broken.status_code == 400


def test_a_child_that_runs_out_of_memory_in_pyoxigraph_is_a_503(make_client, monkeypatch):
    """Under the child's address-space limit Python raises MemoryError (the child answers
    "memory"), but pyoxigraph prints Rust's message and aborts: the same 503 either way, not
    a 500 for a failed process."""
    import kg.endpoint.validation as validation

    class Aborted:  # what Popen gives for such a child: no JSON, Rust's line, SIGABRT
        returncode = -6

        def __init__(self, *args, **kwargs):
            pass

        def communicate(self, data=None, timeout=None):
            return b"", b"memory allocation of 1073741824 bytes failed\n"

    monkeypatch.setattr(validation.subprocess, "Popen", Aborted)
    client = make_client(validation_timeout=120)
    response = client.post("/validate", data=GOOD, content_type="text/turtle")
    assert response.status_code == 503, response.get_data(as_text=True)
    assert "more memory than a validation may use" in response.json["message"]


def test_validation_past_its_time_budget_is_stopped(make_client):
    """A containment chain makes OWL 2 RL quadratic; the child is killed at the deadline."""
    chain = PREFIXES + "".join(
        f"place:p{i} a kgo:Province ; rdfs:label \"P {i}\"@en ; kgo:placeWithin place:p{i + 1} .\n"
        for i in range(600))
    client = make_client(validation_timeout=1, max_upload_triples=5000)
    response = client.post("/validate", data=chain, content_type="text/turtle")
    assert response.status_code == 503, response.get_data(as_text=True)
    assert "validation_timeout" in response.json["message"]
    assert response.headers["X-KG-Exit-Code"] == "2"


# -- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "filename", "where"), [
    (PREFIXES + "place:a a kgo:Country .\nplace:b rdfs:label .\n", "bad.ttl", "bad.ttl:7"),
    ('<http://a/s> <http://a/p> <http://a/o> .\n<http://a/s> <http://a/p> "x .\n',
     "bad.nt", "bad.nt:2"),
    ('{\n  "@id": "http://a/s",\n  "http://a/p": [\n}\n', "bad.jsonld", "bad.jsonld:4"),
    ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
     '\n<rdf:Description rdf:about="http://a/s">\n</rdf:RDF>\n', "bad.rdf", "bad.rdf:4"),
    # what rdflib lets through but the build refuses: an IRI with a space (a 500 once)
    (PREFIXES + "place:a a kgo:Country ;\n    rdfs:label \"A\"@en ;\n"
     "    <http://www.w3.org/2004/02/skos/core#exactMatch>\n"
     "    <http://www.wikidata.org/entity/Q427 325> .\n",
     "space.ttl", "space.ttl:9"),
    ('<http://a/s> <http://a/p> <http://a/o> .\n<http://a/s> <http://a/p> <http://a/o 2> .\n',
     "space.nt", "space.nt:2"),
    ('{"@id": "https://w3id.org/kg1978/place/a b",\n'
     ' "@type": "https://w3id.org/kg1978/ontology/Country"}\n', "space.jsonld", "space.jsonld"),
    # a missing "." after a language tag at the end of a line: rdflib said line 5, one late;
    # the line and column are pyoxigraph's, as kg build gives them
    (PREFIXES + 'place:a rdfs:label "A"@en ,\n    "B"@en\nplace:b a kgo:Country .\n',
     "lang.ttl", "lang.ttl:8:1"),
])
def test_unparsable_upload_gets_400_with_file_and_line(client, data, filename, where):
    response = post_file(client, data, filename)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.headers["X-KG-Exit-Code"] == "2"
    assert response.json["message"].startswith(where + ":"), response.json["message"]


def test_raw_body_errors_name_the_upload(client):
    response = client.post("/validate?filename=mine.ttl", data=b"@prefix : <x> .\n:a :b .\n",
                           content_type="text/turtle")
    assert response.status_code == 400 and response.json["message"].startswith("mine.ttl:2:")
    html = client.post("/validate?format=html", data=b"nonsense", content_type="text/turtle")
    assert html.status_code == 400 and "Not validated" in html.get_data(as_text=True)
    text = client.post("/validate?format=text", data=b"nonsense", content_type="text/turtle")
    assert text.status_code == 400 and text.mimetype == "text/plain"


@pytest.mark.parametrize("request_kw", [
    {"data": GOOD, "content_type": "application/octet-stream"},
    {"data": GOOD},  # no content type at all
    {"data": {"data": GOOD}},  # a form field, as curl --data sends
    {"data": {"file": (io.BytesIO(GOOD.encode()), "data.xyz")},
     "content_type": "multipart/form-data"},
    {"data": GOOD, "content_type": "text/n3"},
])
def test_unknown_syntax_gets_415(client, request_kw):
    response = client.post("/validate", **request_kw)
    assert response.status_code == 415, response.get_data(as_text=True)
    assert response.headers["X-KG-Exit-Code"] == "2"


def test_the_415_lists_every_file_name_ending_it_reads(client):
    """The 415 for an upload of no telling type listed .ttl, .trig, .nt, .nq, .jsonld and
    .rdf as the endings a file's name may have; .turtle, .json, .owl and .xml are read too."""
    from kg.endpoint.validation import EXTENSIONS

    response = client.post("/validate", data={"data": GOOD})
    assert response.status_code == 415
    ends = response.json["message"].split("whose name ends in ", 1)[1]
    assert ends.replace(" or ", ", ").split(", ") == list(EXTENSIONS)


def test_the_file_name_tells_the_syntax_of_a_raw_body(client):
    response = client.post("/validate?filename=data.ttl", data=GOOD,
                           content_type="application/octet-stream")
    assert response.status_code == 200 and response.json["conforms"] is True
    response = client.post("/validate?filename=data.ttl", data=GOOD)  # no Content-Type
    assert response.status_code == 200 and response.json["conforms"] is True


def test_the_upload_form_is_served_whatever_the_accept(client):
    response = client.get("/validate", headers={"Accept": "application/xhtml+xml"})
    assert response.status_code == 200 and response.mimetype == "text/html"


def test_an_update_sent_here_gets_403_in_this_routes_format(client):
    response = client.post("/validate", data="DROP ALL",
                           content_type="application/sparql-update")
    assert response.status_code == 403 and response.headers["X-KG-Exit-Code"] == "2"
    assert "read-only" in response.json["message"]


def test_a_report_nobody_accepts_is_406(client):
    response = client.post("/validate", data=GOOD, content_type="text/turtle",
                           headers={"Accept": "image/png"})
    assert response.status_code == 406 and "image/png" in response.json["message"]
    response = client.post("/validate", data=GOOD, content_type="text/turtle",
                           headers={"Accept": "image/png, */*;q=0.1"})
    assert response.status_code == 200 and response.json["conforms"] is True


@pytest.mark.parametrize("text", ["", "  \n\t\n", "# nothing yet\n\n# still nothing\n"])
@pytest.mark.parametrize("suffix", [".ttl", ".trig", ".nt", ".nq"])
def test_an_empty_file_conforms_as_kg_validate_says(client, tmp_path, text, suffix):
    """A Turtle (TriG, N-Triples, N-Quads) file of no statements is a valid document of no
    triples: kg validate FILE says it conforms, and so does the service, uploaded."""
    code, printed = kg_validate(tmp_path, text, suffix=suffix)
    assert code == 0 and json.loads(printed) == {"conforms": True, "results": []}
    response = post_file(client, text, "empty" + suffix)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {"conforms": True, "exit_code": 0, "results": []}
    assert response.headers["X-KG-Exit-Code"] == "0"
    if text:  # a raw body of white space or comments is a body: the same document
        raw = client.post("/validate", data=text, content_type="text/turtle")
        assert raw.status_code == 200 and raw.json["conforms"] is True


@pytest.mark.parametrize("suffix", [".jsonld", ".rdf"])
def test_an_empty_json_ld_or_xml_file_is_not_valid_either_way(client, tmp_path, suffix):
    code, _ = kg_validate(tmp_path, "", suffix=suffix)
    assert code == 2
    response = post_file(client, b"", "empty" + suffix)
    assert response.status_code == 400 and response.headers["X-KG-Exit-Code"] == "2"
    assert response.json["message"].startswith("empty" + suffix + ":1:")


def test_a_request_without_a_file_is_a_client_error(client):
    """No body at all (HTTP cannot tell it from an empty file: a raw body is what was sent),
    or a browser's form sent with no file chosen: 400, not a report, not a 415."""
    for kw in ({"content_type": "text/turtle"},
               {"content_type": "application/octet-stream", "query_string": {
                   "filename": "mine.ttl"}},
               {"data": {"file": (io.BytesIO(b""), "")}, "content_type": "multipart/form-data"}):
        response = client.post("/validate", **kw)
        assert response.status_code == 400, (kw, response.get_data(as_text=True))
        assert response.headers["X-KG-Exit-Code"] == "2"
        assert response.json["message"].startswith("no "), response.json


def test_bad_requests(client):
    assert client.post("/validate", data=b"", content_type="text/turtle").status_code == 400
    assert client.post("/validate", data={"other": (io.BytesIO(b"x"), "a.ttl")},
                       content_type="multipart/form-data").status_code == 400
    refused = client.post("/validate?format=xlsx", data=GOOD, content_type="text/turtle")
    assert refused.status_code == 406 and refused.headers["X-KG-Exit-Code"] == "2"
    assert refused.json["message"] == ("format=xlsx is not a format of the report (use one of: "
                                       "json, turtle, html, text, sarif, github)")


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.mark.parametrize(("method", "url", "status"), [
    ("GET", "/validate?format=xyz", 406), ("POST", "/validate?format=xyz", 406),
    ("GET", "/validate?update=x", 403)])
def test_a_browser_gets_a_request_this_route_refuses_on_the_sites_page(client, method, url,
                                                                       status):
    """A browser following a link with a format mistyped got the JSON of a script: it gets the
    site's error page, with the status, the message and the exit code; a client that does not
    prefer HTML gets the JSON, as before."""
    kw = {"data": GOOD, "content_type": "text/turtle"} if method == "POST" else {}
    doc = client.open(url, method=method, **kw)
    assert doc.status_code == status and doc.mimetype == "application/json"
    assert "Accept" in doc.headers.get("Vary", "")  # a browser gets a page at the same URL
    for accept in ("*/*", "application/json", "text/turtle", "text/plain", "image/png"):
        other = client.open(url, method=method, headers={"Accept": accept}, **kw)
        assert (other.status_code, other.data) == (status, doc.data), accept
    page = client.open(url, method=method, headers={"Accept": BROWSER}, **kw)
    assert page.status_code == status and page.mimetype == "text/html"
    assert page.headers["X-KG-Exit-Code"] == "2" and "Accept" in page.headers["Vary"]
    found = re.search(r'<p id="error-message"[^>]*>(.*?)</p>', page.get_data(as_text=True), re.S)
    assert found and " ".join(html.unescape(found[1]).split()) == " ".join(
        doc.json["message"].split())


def test_a_parse_error_in_json_gives_its_line(client):
    """/validate's JSON error has the parser's line (and column where it gives one), as
    every route's JSON error; an error with no place has them null, as kg validate's."""
    bad = "@prefix ex: <urn:ex:> .\n\nex:a ex:b ex:c .\nex:d ex:e .\n"
    doc = post_file(client, bad, "x.ttl", headers={"Accept": "application/json"}).json
    assert doc["status"] == 400 and doc["line"] == 4 and doc["message"].startswith("x.ttl:4:")
    doc = client.post("/validate?format=xlsx", data=GOOD, content_type="text/turtle",
                      headers={"Accept": "application/json"}).json
    assert doc["status"] == 406 and doc["line"] is None and doc["column"] is None


def test_uploads_over_the_size_limit_get_413(make_client):
    client = make_client(max_upload_bytes=300)
    big = GOOD + "# padding\n" * 40
    assert len(big.encode()) > 300
    raw = client.post("/validate", data=big, content_type="text/turtle")
    assert raw.status_code == 413 and "max_upload_bytes" in raw.json["message"]
    assert raw.headers["X-KG-Exit-Code"] == "2"
    assert post_file(client, big, "big.ttl").status_code == 413
    huge = post_file(client, "#" * 200_000, "huge.ttl")
    assert huge.status_code == 413
    small = ('<https://w3id.org/kg1978/place/x> a <https://w3id.org/kg1978/ontology/Country> ;'
             ' <http://www.w3.org/2000/01/rdf-schema#label> "Xanadu"@en .\n')
    assert len(small.encode()) <= 300
    assert client.post("/validate", data=small, content_type="text/turtle").status_code == 200


def test_uploads_over_the_triple_limit_get_413(make_client):
    client = make_client(max_upload_triples=3)
    response = client.post("/validate", data=GOOD, content_type="text/turtle")
    assert response.status_code == 413 and "max_upload_triples" in response.json["message"]


# -- safe parsing ----------------------------------------------------------------------------

@pytest.fixture
def canary():
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    with Canary() as c:
        yield c.url, c.requests


def test_remote_json_ld_contexts_are_never_fetched(client, canary):
    url, hits = canary
    node = {"@id": "https://w3id.org/kg1978/place/x", "name": "X"}
    documents = [
        {"@context": url + "/a.jsonld", **node},
        {"@context": [url + "/b.jsonld", {"x": "http://a/x"}], **node},
        {"@context": {"@import": url + "/c.jsonld"}, **node},
        {"@context": {"p": {"@id": "http://a/p", "@context": url + "/d.jsonld"}},
         "p": {"@id": "http://a/o"}},
        {"@graph": [{"@context": url + "/e.jsonld", **node}]},
    ]
    for doc in documents:
        response = post_file(client, json.dumps(doc), "remote.jsonld")
        assert response.status_code == 400, response.get_data(as_text=True)
        assert "context" in response.json["message"] or "@import" in response.json["message"]
    assert hits == []
    # The canary does answer: had the service fetched a context, it would have seen it.
    from urllib.request import urlopen

    with urlopen(url + "/probe") as answer:
        assert answer.status == 200
    assert hits == ["GET /probe"]


def test_inline_json_ld_contexts_are_read(client):
    doc = {"@context": {"kgo": "https://w3id.org/kg1978/ontology/",
                        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                        "label": {"@id": "rdfs:label", "@language": "en"}},
           "@id": "https://w3id.org/kg1978/place/xanadu", "@type": "kgo:Country",
           "label": "Xanadu"}
    response = post_file(client, json.dumps(doc), "inline.jsonld")
    assert response.status_code == 200 and response.json["conforms"] is True


def test_xml_entities_are_rejected_and_never_expanded(client, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CANARY", encoding="utf-8")
    rdf = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
           '<rdf:Description rdf:about="https://w3id.org/kg1978/place/x">'
           '<rdfs:label xml:lang="en">&e;</rdfs:label></rdf:Description></rdf:RDF>')
    external = (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
                f'<!ENTITY e SYSTEM "{secret.as_uri()}">\n]>\n' + rdf)
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY a "lol">\n'
              + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">\n'
                        for i in range(8))
              + '<!ENTITY e "&i;">\n]>\n' + rdf)
    doctype_only = '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF>\n' + rdf.replace("&e;", "X")
    for name, text in (("external.rdf", external), ("laughs.rdf", laughs),
                       ("doctype.rdf", doctype_only)):
        for response in (post_file(client, text, name),
                         post_file(client, text, name, query="?format=html"),
                         client.post("/validate", data=text.encode(),
                                     content_type="application/rdf+xml")):
            assert response.status_code == 400, response.get_data(as_text=True)
            body = response.get_data(as_text=True)
            assert "TOP-SECRET-CANARY" not in body and "lollol" not in body
            assert "DOCTYPE" in body


def test_an_internal_entity_is_refused_with_the_rule_and_why(client):
    """kg validate FILE reads an internal entity (Protégé writes one per namespace), an upload
    may not: the 400 said "XML DOCTYPE and entity declarations are not accepted", which did not
    say why the command takes the same file, nor what to do. It says the rule (internal
    entities included), the reason (anyone's files; an entity bomb) and the way out."""
    text = ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ex "http://e/">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
            '         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
            '  <rdf:Description rdf:about="&ex;s"><rdfs:label>x</rdfs:label>'
            "</rdf:Description>\n</rdf:RDF>\n")
    response = post_file(client, text, "internal.rdf")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.headers["X-KG-Exit-Code"] == "2"
    message = response.json["message"]
    assert response.json["line"] == 2, response.json
    for said in ("internal entities included", "billion laughs", "kg validate FILE"):
        assert said in message, message


@pytest.mark.parametrize(("filename", "text"), [
    ("deep.ttl", PREFIXES + "place:x kgo:p " + "[ kgo:p " * 500 + "1" + " ]" * 500 + " .\n"),
    ("deep-list.ttl", PREFIXES + "place:x kgo:p " + "(" * 500 + ")" * 500 + " .\n"),
    ("deep.trig", PREFIXES + "place:g { place:x kgo:p " + "[ kgo:p " * 500 + "1"
     + " ]" * 500 + " }\n"),
    ("deep.jsonld", '{"@id": "http://a/s", "http://a/p": ' + "[" * 5000 + "]" * 5000 + "}"),
    ("deep.rdf", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
     + "<a>" * 500 + "</a>" * 500 + "</rdf:RDF>"),
])
def test_deep_nesting_is_rejected_before_parsing(client, filename, text):
    response = post_file(client, text, filename)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "max_upload_nesting" in response.json["message"]


def test_brackets_in_strings_iris_and_comments_are_not_nesting(make_client):
    client = make_client(max_upload_nesting=3)
    text = GOOD + ('# [[[[[[[[ ((((((((\nplace:xanadu rdfs:comment "[[[[[[(((((("@en , '
                   '"""{{{{{{\n[[[[[[[""" .\n<https://w3id.org/kg1978/place/q> '
                   'rdfs:seeAlso place:xanadu .\n')
    response = client.post("/validate", data=text, content_type="text/turtle")
    assert response.status_code == 200, response.get_data(as_text=True)


def test_nothing_uploaded_is_stored(client, monkeypatch, tmp_path):
    """Uploads are read from memory: no temporary file is left (or even made) for them."""
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    padded = GOOD + "#" + "x" * 600_000 + "\n"  # larger than werkzeug's in-memory part limit
    # The multipart body is built here: the test client would spool a body this large to a
    # temporary file of its own.
    body = (b"--frontier\r\nContent-Disposition: form-data; name=\"file\"; "
            b"filename=\"padded.ttl\"\r\nContent-Type: text/turtle\r\n\r\n"
            + padded.encode() + b"\r\n--frontier--\r\n")
    response = client.post("/validate", data=body,
                           content_type="multipart/form-data; boundary=frontier")
    assert response.status_code == 200 and response.json["conforms"] is True
    assert client.post("/validate", data=padded, content_type="text/turtle").status_code == 200
    assert list(spool.iterdir()) == []


# -- validating a file with the served dataset ------------------------------------------------

def test_a_file_of_the_graph_validated_with_the_served_dataset(make_client):
    """On its own, graph/article-part1.ttl names entities it does not describe (hundreds of
    results); with ?context=dataset it replaces the article's named graph of the served
    dataset and conforms, and a mistake in it is then the only result, on its line. The
    child process (validation_timeout > 0) gets the same context."""
    text = (REPO / "graph" / "article-part1.ttl").read_text(encoding="utf-8")
    for client in (make_client(), make_client(validation_timeout=120)):
        alone = post_file(client, text, "article-part1.ttl")
        assert alone.status_code == 200 and len(alone.json["results"]) > 100
        whole = post_file(client, text, "article-part1.ttl", "?context=dataset")
        assert whole.status_code == 200, whole.get_data(as_text=True)
        assert whole.json["conforms"] is True, whole.json["results"][:3]
        said = "dataset; replaced=https://w3id.org/kg1978/graph/article-part1"
        assert whole.json["context"] == said and whole.headers["X-KG-Context"] == said
        # a label spaced twice: the one result (a label removed would also leave the
        # statements naming the event pointing at an unlabelled IRI)
        label = ('    rdfs:label "Cambodian revolutionary forces gather, set up bases and begin a '
                 'united leadership"@en ;\n')
        broken = text.replace(label, label.replace("gather, set", "gather,  set"), 1)
        assert broken != text
        bad = post_file(client, broken, "article-part1.ttl", "?context=dataset")
        (result,) = bad.json["results"]
        assert result["focus"].endswith("/event/cambodian-revolutionary-bases")
        assert result["location"].startswith("article-part1.ttl:")
        assert bad.headers["X-KG-Exit-Code"] == "1"


def test_a_wrong_value_is_reported_at_its_triple_in_the_file_sent(client):
    """A range result over the served dataset is about the uploaded triple (subject, property,
    value, the upload's line), not about the value where graph/entities.ttl describes it;
    a literal where an entity is wanted has its line too."""
    text = (REPO / "graph" / "article-part1.ttl").read_text(encoding="utf-8")
    for new, value in (("place:phnom-penh", "https://w3id.org/kg1978/place/phnom-penh"),
                       ('"VPA General Staff"', '"VPA General Staff"')):
        broken = text.replace("    kgo:carriedOutBy unit:vpa-general-staff ;",
                              f"    kgo:carriedOutBy {new} ;", 1)
        assert broken != text
        line = 1 + broken.split(f"kgo:carriedOutBy {new} ;")[0].count("\n")
        bad = post_file(client, broken, "article-part1.ttl", "?context=dataset")
        assert bad.status_code == 200 and bad.headers["X-KG-Exit-Code"] == "1"
        (result,) = bad.json["results"]
        assert (result["focus"], result["path"], result["value"], result["location"]) == (
            "https://w3id.org/kg1978/event/division-341-attachment",
            "https://w3id.org/kg1978/ontology/hadParticipant", value,
            f"article-part1.ttl:{line}"), result


def test_the_context_is_a_form_field_too_and_checked(client):
    """The upload form's checkbox sends context=dataset as a field; an unknown context is a
    400 that says what the known one does."""
    text = (REPO / "graph" / "entities.ttl").read_text(encoding="utf-8")
    page = client.post("/validate?format=html",
                       data={"file": (io.BytesIO(text.encode()), "entities.ttl"),
                             "context": "dataset"}, content_type="multipart/form-data")
    assert page.status_code == 200 and "conforms" in page.get_data(as_text=True)
    assert "does not conform" not in page.get_data(as_text=True)
    assert 'name="context"' in client.get("/validate").get_data(as_text=True)
    odd = post_file(client, text, "entities.ttl", "?context=everything")
    assert odd.status_code == 400 and "unknown context 'everything'" in odd.json["message"]
    # a name no graph file has is added to the dataset, and never reaches the query: entities
    # twice over still conform
    for name in ("entities (1).ttl", "a> } } SELECT * { ?s ?p ?o } #.ttl"):
        added = post_file(client, text, name, "?context=dataset")
        assert added.status_code == 200, (name, added.get_data(as_text=True))
        assert added.json["conforms"] is True, name
        assert added.json["context"] == "dataset; added"


def test_results_on_the_served_datasets_nodes_are_placed_in_the_projects_files(client):
    """With ?context=dataset, an upload of entities.ttl that makes unit:division-341 a place
    breaks part 1's attachment of the division; those results, on a node the upload does not
    describe, had no location: they are at the line of graph/article-part1.ttl that gives the
    value, named relative to the project (no path of the server's machine), and the upload's
    own results at its lines."""
    text = (REPO / "graph" / "entities.ttl").read_text(encoding="utf-8")
    assert text.count("unit:division-341 a kgo:Division ;") == 1
    broken = text.replace("unit:division-341 a kgo:Division ;", "unit:division-341 a kgo:Place ;")
    response = post_file(client, broken, "entities.ttl", "?context=dataset")
    assert response.status_code == 200
    results = response.json["results"]
    part1 = (REPO / "graph" / "article-part1.ttl").read_text(encoding="utf-8").splitlines()
    attachment = [r for r in results if r["focus"].endswith("/event/division-341-attachment")]
    assert attachment, results
    for r in attachment:
        name, _, line = r["location"].rpartition(":")
        assert name == "graph/article-part1.ttl", r
        assert "unit:division-341" in part1[int(line) - 1], (r, part1[int(line) - 1])
    own = [r for r in results if r["focus"].endswith("/unit/division-341")]
    assert own and {r["location"] for r in own} == {
        f"entities.ttl:{1 + broken.splitlines().index('unit:division-341 a kgo:Place ;')}"}
    assert not any(str(REPO) in (r["location"] or "") for r in results)


def test_lines_in_the_projects_files_are_the_builds_or_said_to_have_changed(dataset, tmp_path):
    """With ?context=dataset, a result on a served node was placed at the line of the
    project's file as it is now, not as built: an edit since the build moved the lines, and
    the report pointed at the wrong one without a word. A file as the build read it (its
    SHA-256 in build-info.json's input_files) is kept, so its lines stay the built ones when
    it changes later; a file changed before it was first read is placed as it is now, and each
    result placed in it says that the line may not be the served triple's."""
    from kg.endpoint import create_app
    from kgtest import project_copy

    root = project_copy(tmp_path / "p")
    part1 = root / "graph" / "article-part1.ttl"
    built = part1.read_text(encoding="utf-8")
    text = (REPO / "graph" / "entities.ttl").read_text(encoding="utf-8")
    broken = text.replace("unit:division-341 a kgo:Division ;", "unit:division-341 a kgo:Place ;")

    def placed(client):
        response = post_file(client, broken, "entities.ttl", "?context=dataset")
        assert response.status_code == 200
        found = [r for r in response.json["results"] if r["location"]
                 and r["location"].startswith("graph/article-part1.ttl:")]
        assert found, response.json
        return found

    def client():
        return create_app({"TESTING": True, "root": root, "validation_timeout": 0},
                          dataset=dataset).test_client()

    # read as built, then edited: the built lines, and nothing said
    first = client()
    before = placed(first)
    assert not any("has changed since" in r["message"] for r in before)
    part1.write_text("# a comment\n# and another\n\n" + built, encoding="utf-8")
    assert placed(first) == before
    # edited before it was first read: its lines as now, and said
    after = placed(client())
    assert {r["location"] for r in after} == {
        f"{name}:{int(line) + 3}" for name, _, line in
        (r["location"].rpartition(":") for r in before)}
    for r in after:
        assert r["message"].endswith(
            "; graph/article-part1.ttl has changed since the served dataset was built: this "
            "is its line as the file is now, which may not be the one the served triple came "
            "from"), r


def test_the_files_record_is_the_one_of_the_bytes_served(dataset, tmp_path):
    """The served dataset's record of its input files (build-info.json's input_files) is taken
    where its dataset_sha256 is the digest of the bytes the store loaded, not of the file on
    disk as it is at the first request: kg.nq rewritten after the app was made (a build under
    way, which replaces build-info.json last) made the record look like another build's, and a
    project file edited since the build was placed as it is now without a word. (Where
    build-info.json is replaced too, the record is another build's: nothing is said, as for a
    dataset with no record.)"""
    import shutil

    from kg.endpoint import create_app
    from kgtest import project_copy

    root = project_copy(tmp_path / "p")
    served = tmp_path / "build" / "kg.nq"
    served.parent.mkdir()
    shutil.copy(dataset, served)
    shutil.copy(dataset.parent / "build-info.json", served.parent / "build-info.json")
    app = create_app({"TESTING": True, "root": root, "validation_timeout": 0}, dataset=served)
    # after the start: the project's file edited, and the dataset file rewritten
    part1 = root / "graph" / "article-part1.ttl"
    part1.write_text("# a comment\n# and another\n\n" + part1.read_text(encoding="utf-8"),
                     encoding="utf-8")
    served.write_bytes(served.read_bytes() + b"# another build\n")

    text = (REPO / "graph" / "entities.ttl").read_text(encoding="utf-8")
    broken = text.replace("unit:division-341 a kgo:Division ;", "unit:division-341 a kgo:Place ;")
    response = post_file(app.test_client(), broken, "entities.ttl", "?context=dataset")
    assert response.status_code == 200
    found = [r for r in response.json["results"] if r["location"]
             and r["location"].startswith("graph/article-part1.ttl:")]
    assert found, response.json
    for r in found:
        assert r["message"].endswith("; graph/article-part1.ttl has changed since the served "
                                     "dataset was built: this is its line as the file is now, "
                                     "which may not be the one the served triple came from"), r


def test_the_upload_limit_counts_the_dataset_it_is_validated_with(make_client):
    """max_upload_triples bounds what one request reasons over: the context counts too."""
    client = make_client(max_upload_triples=1000)
    text = (REPO / "graph" / "entities.ttl").read_text(encoding="utf-8")
    assert post_file(client, text, "entities.ttl").status_code == 200  # alone: under 1000
    response = post_file(client, text, "entities.ttl", "?context=dataset")
    assert response.status_code == 413
    assert "with the served dataset (" in response.json["message"]
    assert "max_upload_triples" in response.json["message"]


def test_a_byte_order_mark_is_named_in_an_upload(client, tmp_path, monkeypatch):
    """A BOM before Turtle that rdflib refuses is named, not shown as an invisible token; the
    check reads the upload's bytes, never a file of the upload's name (here one with a BOM,
    in the working directory)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.ttl").write_bytes(b"\xef\xbb\xbfnot even turtle")
    bom = "\ufeff@prefix ex: <urn:ex:> .\nex:a ex:b ex:c .\n"
    doc = post_file(client, bom, "x.ttl", headers={"Accept": "application/json"}).json
    assert doc["status"] == 400, doc
    assert "byte order mark (U+FEFF)" in doc["message"] and "\ufeff" not in doc["message"]
    assert doc["line"] == 1
    plain = post_file(client, "\u00a0@prefix ex: <urn:ex:> .\n", "x.ttl",
                      headers={"Accept": "application/json"})
    assert plain.status_code == 400 and "byte order mark" not in plain.json["message"]


# -- SARIF and GitHub annotations, as kg validate prints them ------------------------------------

@pytest.mark.parametrize("fmt, media", [("sarif", "application/sarif+json"),
                                        ("github", "text/plain")])
@pytest.mark.parametrize("timeout", [0, 120], ids=["in-process", "child"])
def test_sarif_and_github_are_what_kg_validate_prints(make_client, tmp_path, fmt, media,
                                                      timeout):
    client = make_client(validation_timeout=timeout)
    for text, exit_code in ((BAD, 1), (GOOD, 0)):
        code, printed = kg_validate(tmp_path, text, fmt=fmt)
        assert code == exit_code
        response = post_file(client, text, "bad.ttl", query=f"?format={fmt}")
        assert response.status_code == 200 and response.mimetype == media
        assert response.headers["X-KG-Exit-Code"] == str(exit_code)
        assert response.get_data(as_text=True) == printed
    if fmt == "sarif":
        log = json.loads(printed)  # the conforming upload: an empty run
        assert log["version"] == "2.1.0" and log["runs"][0]["results"] == []
        assert json.loads(post_file(client, BAD, "bad.ttl", query="?format=sarif").data)[
            "runs"][0]["results"]
    else:
        assert printed == ""
        assert "::error file=bad.ttl,line=" in post_file(
            client, BAD, "bad.ttl", query="?format=github").get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["sarif", "github"])
def test_an_unreadable_upload_in_sarif_or_github_is_what_kg_validate_prints(client, tmp_path,
                                                                            fmt):
    broken = PREFIXES + "place:a rdfs:label \"A\"@en ,\n    \"B\"@en\nplace:b a kgo:Country .\n"
    code, printed = kg_validate(tmp_path, broken, fmt=fmt)
    assert code == 2 and "bad.ttl" in printed
    response = post_file(client, broken, "bad.ttl", query=f"?format={fmt}")
    assert response.status_code == 400 and response.headers["X-KG-Exit-Code"] == "2"
    assert response.get_data(as_text=True) == printed


def test_an_unreadable_upload_in_json_has_kg_validates_keys(client, tmp_path):
    """The same keys as kg validate --format json prints for a file it cannot read, the
    same values, and the HTTP status besides."""
    broken = PREFIXES + "place:a rdfs:label \"A\"@en ,\n    \"B\"@en\nplace:b a kgo:Country .\n"
    code, printed = kg_validate(tmp_path, broken)
    expected = json.loads(printed)
    assert code == 2 and expected["line"] == 8
    response = post_file(client, broken, "bad.ttl", headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.headers["X-KG-Exit-Code"] == "2"
    body = response.json
    assert body.pop("status") == 400
    assert body == expected


_RDF_XML = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            '\n    xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
            '  <rdf:Description rdf:about="https://w3id.org/kg1978/place/a">\n{}\n'
            '  </rdf:Description>\n</rdf:RDF>\n')


@pytest.mark.parametrize(("body", "where", "says"), [
    ("    <rdfs:label>A</rdfs:labl>", "bad.rdf:5:20:", "not well-formed XML: mismatched tag"),
    ('    <rdfs:seeAlso rdf:resource="http://a/b c"/>', "bad.rdf:5:33:",
     "error while parsing IRI 'http://a/b c'"),
], ids=["ill-formed", "iri"])
def test_an_unreadable_rdf_xml_file_is_placed_by_kg_validate_as_by_the_upload(
        client, tmp_path, body, where, says):
    """pyoxigraph's RDF/XML errors carry no place: the line and column come from expat (as the
    upload's safety scan gives them) or from where the refused IRI is written."""
    text = _RDF_XML.format(body)
    code, printed = kg_validate(tmp_path, text, fmt="github", suffix=".rdf")
    _, line, column, _ = where.split(":")
    assert code == 2 and f"file=bad.rdf,line={line},col={column}," in printed, printed
    assert f"::{where} " in printed and says in printed, printed
    response = post_file(client, text, "bad.rdf", query="?format=github")
    assert response.status_code == 400 and response.get_data(as_text=True) == printed


def test_sarif_by_accept_and_github_only_by_name(client):
    sarif = client.post("/validate", data=BAD, content_type="text/turtle",
                        headers={"Accept": "application/sarif+json"})
    assert sarif.mimetype == "application/sarif+json"
    assert json.loads(sarif.data)["version"] == "2.1.0"
    # text/plain is the text report: GitHub's annotations only by ?format=github
    text = client.post("/validate", data=BAD, content_type="text/turtle",
                       headers={"Accept": "text/plain"})
    assert text.get_data(as_text=True).startswith("Does not conform")


def test_a_prefix_declared_again_is_in_the_report_as_kg_validate_has_it(client, tmp_path):
    """POST /validate of a Turtle file that declares a prefix again with another IRI: the
    warning kg validate reports, at the file's line, in the JSON report too (it was said on
    the server's stderr only)."""
    text = (REPO / "tests" / "data" / "shapes" / "prefix-declared-again.ttl").read_text(
        encoding="utf-8")
    response = post_file(client, text, "bad.ttl")
    assert response.status_code == 200 and response.json["conforms"] is True
    warnings = [(r["shape"].rpartition("/")[2], r["location"]) for r in response.json["results"]]
    line = 1 + text.splitlines().index("@prefix unit:    <https://w3id.org/kg1978/place/> .")
    assert warnings == [("PrefixDeclarationShape", f"bad.ttl:{line}")]
    code, out = kg_validate(tmp_path, text)
    assert code == 0 and json.loads(out)["results"] == response.json["results"]


#: Fixtures whose results are folded into one: a relation and its statement naming two values,
#: a statement's misspelt rdf:subject or rdf:predicate, a unit made subordinate to itself.
FOLDED = [REPO / "tests" / "data" / "shapes" / "relation-and-statement-name-two-values.ttl",
          REPO / "tests" / "data" / "validation" / "statement-subject-misspelt.ttl",
          REPO / "tests" / "data" / "validation" / "statement-predicate-misspelt.ttl",
          REPO / "tests" / "data" / "shapes" / "unit-subordinate-to-itself.ttl"]


def _without_lines(results: list[dict]) -> list[dict]:
    """Results as a syntax without lines gives them: no location, and no "(bad.ttl:12)" in
    the message; the file's name, which a QC message says ("bad.nt points at …"), without
    its extension."""
    def unplaced(message: str) -> str:
        message = re.sub(r"bad\.[a-z]+:[0-9]+(, )?", "", message)
        return re.sub(r"\bbad\.[a-z]+\b", "bad", message.replace(" ()", ""))

    return [{**r, "location": None, "message": unplaced(r["message"]),
             "advice": r["advice"] and unplaced(r["advice"])} for r in results]


@pytest.mark.parametrize(("rdflib_format", "suffix"), [
    ("nt", ".nt"), ("json-ld", ".jsonld"), ("xml", ".rdf")])
@pytest.mark.parametrize("fixture", FOLDED, ids=lambda p: p.stem)
def test_folded_results_are_the_same_in_every_syntax(client, tmp_path, fixture, rdflib_format,
                                                      suffix):
    """The results one cause folds into one (a relation and its statement naming two values;
    a statement's misspelt rdf:subject or rdf:predicate; a unit subordinate to itself, its
    statement naming another) were folded by reading the file's text: JSON-LD and RDF/XML of
    the same data kept the statement's result, or the relation's, beside the one that says it
    all. Folded from the parsed graph, every syntax gives the Turtle file's results (the lines
    aside, which only the line syntaxes have), by kg validate and by POST /validate."""
    text = fixture.read_text(encoding="utf-8")
    code, printed = kg_validate(tmp_path, text)
    expected = json.loads(printed)["results"]
    assert code == 1 and len(expected) == 1, printed
    other = Graph().parse(data=text, format="turtle").serialize(format=rdflib_format)
    code, printed = kg_validate(tmp_path, other, suffix=suffix)
    assert code == 1
    got = json.loads(printed)["results"]
    if suffix == ".nt":  # lines of its own: the same results, placed in it
        assert all(r["location"].startswith("bad.nt:") for r in got), got
    assert _without_lines(got) == _without_lines(expected)
    response = post_file(client, other, f"bad{suffix}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["results"] == got


def test_a_passage_cited_by_its_number_says_which_iri_to_write(client, tmp_path):
    """POST /validate: a citation by a passage's number says which IRI to write, as
    kg validate says it."""
    text = (REPO / "tests" / "data" / "validation" / "passage-cited-by-number.ttl").read_text(
        encoding="utf-8")
    code, out = kg_validate(tmp_path, text)
    response = post_file(client, text, "bad.ttl")
    assert code == 1 and response.json["results"] == json.loads(out)["results"]
    assert any(r["message"].endswith("write its IRI, src:doc-passage-2")
               for r in response.json["results"])


@pytest.mark.parametrize(("rdflib_format", "suffix"), [("turtle", ".ttl"), ("json-ld", ".jsonld")])
def test_a_statement_typed_wrongly_is_named_by_its_relation(client, tmp_path, rdflib_format,
                                                             suffix):
    """A statement typed rdf:Statemnt: the vocabulary warning named the type, and the
    relation's "needs an rdf:Statement" did not say that a node describes it; it says which,
    where and how it is typed (in JSON-LD too, at the line of its "@type"), by kg validate
    and by /validate."""
    fixture = REPO / "tests" / "data" / "validation" / "statement-type-misspelt.ttl"
    text = fixture.read_text(encoding="utf-8")
    if rdflib_format != "turtle":
        text = Graph().parse(data=text, format="turtle").serialize(format=rdflib_format)
    code, printed = kg_validate(tmp_path, text, suffix=suffix)
    results = json.loads(printed)["results"]
    typed = ("stmt:division-in-army a rdf:Statemnt ;" if suffix == ".ttl"
             else '"http://www.w3.org/1999/02/22-rdf-syntax-ns#Statemnt"')
    line = 1 + next(i for i, said in enumerate(text.splitlines()) if typed in said)
    where = f" (bad{suffix}:{line})"
    assert code == 1 and [(r["severity"], r["shape"].rpartition("/")[2],
                           r["message"].rpartition("; ")[2]) for r in results] == [
        ("Warning", "VocabularyTermShape",
         "rdf:Statemnt is not a term of RDF 1.1: a misspelt class or property? Did you mean "
         "rdf:Statement?"),
        ("Violation", "ReifiedChainShape", f"stmt:division-in-army{where} names this triple, "
         "and is typed rdf:Statemnt, not rdf:Statement")], results
    response = post_file(client, text, f"bad{suffix}")
    assert response.json["results"] == results


@pytest.mark.parametrize(("rdflib_format", "suffix"), [("turtle", ".ttl"), ("xml", ".rdf")])
def test_a_value_given_by_a_sub_property_is_placed_at_that_triple(client, tmp_path,
                                                                   rdflib_format, suffix):
    """A place written as an announcement's kgo:carriedOutBy breaks the range of
    kgo:hadParticipant, its super-property: the result was placed at the first line giving the
    event that value by any property, here the kgo:tookPlaceAt above it, not at the
    kgo:carriedOutBy that is wrong; kg validate and POST /validate (which reads the
    ontology's sub-properties apart from the upload) place it at the sub-property's line."""
    fixture = REPO / "tests" / "data" / "shapes" / "announcement-by-a-place.ttl"
    text = fixture.read_text(encoding="utf-8")
    if suffix != ".ttl":
        text = Graph().parse(data=text, format="turtle").serialize(format=rdflib_format)
    by = next(line for line in text.splitlines() if "kgo:carriedOutBy" in line)
    # the same place given by kgo:tookPlaceAt (no sub-property of it) on the line above
    text = text.replace(by, by.replace("kgo:carriedOutBy", "kgo:tookPlaceAt") + "\n" + by)
    by = 1 + next(i for i, line in enumerate(text.splitlines()) if "kgo:carriedOutBy" in line)
    code, printed = kg_validate(tmp_path, text, suffix=suffix)
    ranges = [r for r in json.loads(printed)["results"]
              if r["shape"].endswith("/hadParticipant-range")]
    assert code == 1 and ranges, printed
    assert {r["location"] for r in ranges} == {f"bad{suffix}:{by}"}, ranges
    response = post_file(client, text, f"bad{suffix}", query="?format=json")
    assert response.json["results"] == json.loads(printed)["results"]


def test_a_value_stated_by_an_inverse_is_at_its_line(client, tmp_path):
    """A place's kgo:placeWithin written as its container's kgo:containsPlace (owl:inverseOf
    in the ontology): kg validate and POST /validate place the results on it at that triple,
    saying how it is written, not at the place's first statement."""
    upload = PREFIXES + """place:xanadu a kgo:Country ;
    rdfs:label "Xanadu"@en .
place:xanadu-province a kgo:Province ;
    rdfs:label "Province of Xanadu"@en .
place:xanadu kgo:containsPlace place:xanadu-province .
"""
    line = upload.count("\n", 0, upload.index("kgo:containsPlace")) + 1
    code, out = kg_validate(tmp_path, upload)
    assert code == 1
    on = [(r["location"], r["message"]) for r in json.loads(out)["results"]
          if r["path"] == "https://w3id.org/kg1978/ontology/placeWithin"]
    assert on and all(where == f"bad.ttl:{line}" and message.endswith(
        "; written as place:xanadu kgo:containsPlace place:xanadu-province")
        for where, message in on), on
    response = post_file(client, upload, "bad.ttl")
    assert response.status_code == 200 and response.json["results"] == json.loads(out)["results"]


#: JSON-LD constructs whose triples the line reader read as nothing (a result on them was at
#: the node's name or "@type"), and the same data in Turtle: each file has a province within a
#: country with no statement beside it, written by the construct, and in "@nest" a label with
#: two spaces in a row; the line, in the JSON-LD, of the triple each result is about.
_JSON_LD_CONSTRUCTS = {
    "reverse": ("""{"@context": {"kgo": "https://w3id.org/kg1978/ontology/",
              "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
              "place": "https://w3id.org/kg1978/place/"},
 "@graph": [
  {"@id": "place:xanadu", "@type": "kgo:Country",
   "rdfs:label": {"@value": "Xanadu", "@language": "en"},
   "@reverse": {
     "kgo:placeWithin": {"@id": "place:xanadu-province"}}},
  {"@id": "place:xanadu-province", "@type": "kgo:Province",
   "rdfs:label": {"@value": "Province of Xanadu", "@language": "en"}}]}
""", 8),
    "reverse-term": ("""{"@context": {"kgo": "https://w3id.org/kg1978/ontology/",
              "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
              "place": "https://w3id.org/kg1978/place/",
              "contains": {"@reverse": "kgo:placeWithin", "@type": "@id"}},
 "@graph": [
  {"@id": "place:xanadu", "@type": "kgo:Country",
   "rdfs:label": {"@value": "Xanadu", "@language": "en"},
   "contains":
     "place:xanadu-province"},
  {"@id": "place:xanadu-province", "@type": "kgo:Province",
   "rdfs:label": {"@value": "Province of Xanadu", "@language": "en"}}]}
""", 9),
    "nest": ("""{"@context": {"kgo": "https://w3id.org/kg1978/ontology/",
              "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
              "place": "https://w3id.org/kg1978/place/",
              "labels": "@nest"},
 "@graph": [
  {"@id": "place:xanadu", "@type": "kgo:Country",
   "rdfs:label": {"@value": "Xanadu", "@language": "en"}},
  {"@id": "place:xanadu-province", "@type": "kgo:Province",
   "@nest": {
     "kgo:placeWithin": {"@id": "place:xanadu"}},
   "labels": {
     "rdfs:label": {"@value": "Province  of Xanadu", "@language": "en"}}}]}
""", 10),
}


@pytest.mark.parametrize("construct", list(_JSON_LD_CONSTRUCTS))
def test_json_ld_reverse_and_nest_are_read_for_their_lines(tmp_path, construct):
    """A triple written with "@reverse" (a node's own, or a term's definition) or inside
    "@nest" is read for its line: a result on it is at that line, as the same data in Turtle
    places it at its own; the results are the Turtle file's, lines and the file's name aside."""
    text, line = _JSON_LD_CONSTRUCTS[construct]
    code, printed = kg_validate(tmp_path, text, suffix=".jsonld")
    assert code == 1
    got = json.loads(printed)["results"]
    turtle = PREFIXES + """place:xanadu a kgo:Country ;
    rdfs:label "Xanadu"@en .
place:xanadu-province a kgo:Province ;
    rdfs:label "LABEL"@en ;
    kgo:placeWithin place:xanadu .
""".replace("LABEL", "Province  of Xanadu" if construct == "nest" else "Province of Xanadu")
    code, printed = kg_validate(tmp_path, turtle)
    assert code == 1
    expected = json.loads(printed)["results"]
    assert _without_lines(got) == _without_lines(expected)
    turtle_lines = [t.count("\n") + 1 for t in (turtle[:turtle.index("kgo:placeWithin")],)]
    within = "https://w3id.org/kg1978/ontology/placeWithin"
    placed = {(r["path"], r["location"]) for r in got if r["path"] == within}
    assert placed == {(within, f"bad.jsonld:{line}")}, got
    assert {r["location"] for r in expected if r["path"] == within} == {
        f"bad.ttl:{turtle_lines[0]}"}
    if construct == "nest":  # a literal too: the label's own line
        label = [r["location"] for r in got if r["value"] and "Province  of" in r["value"]]
        assert label and set(label) == {f"bad.jsonld:{line + 2}"}, got
