"""The shapes published (``/shapes/``, ``/shapes/NAME``): every shape a validation result can
name as its ``sh:sourceShape`` dereferences, as a page that says what it checks and as RDF."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SH

from kg.endpoint import create_app
from kgtest import is_expanded_json_ld, json_ld_accept

SHAPES = "https://w3id.org/kg1978/shapes/"
HTML = {"Accept": "text/html"}
TURTLE = {"Accept": "text/turtle"}


@pytest.fixture(scope="module")
def client(built_app):
    return built_app.test_client()


@pytest.fixture(scope="module")
def graph(shapes) -> rdflib.Graph:
    return shapes


def _named(graph: rdflib.Graph) -> list[str]:
    """The shapes a result can name: node and property shapes with an IRI."""
    return sorted({str(s)[len(SHAPES):] for t in (SH.NodeShape, SH.PropertyShape)
                   for s in graph.subjects(RDF.type, t) if str(s).startswith(SHAPES)})


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_shapes_document_is_the_shapes_graph(client, graph):
    for url in ("/shapes/", "/shapes/?format=ttl"):
        r = client.get(url, headers=TURTLE)
        assert r.status_code == 200 and r.mimetype == "text/turtle"
        assert r.headers["Vary"] == "Accept, Accept-Encoding"
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in r.headers["Access-Control-Expose-Headers"]  # a script may read it
        assert isomorphic(rdflib.Graph().parse(data=r.data, format="turtle"), graph)
    moved = client.get("/shapes?format=nt")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/shapes/?format=nt")


def test_every_shape_dereferences_as_rdf_with_its_own_triples(client, graph):
    names = _named(graph)
    assert len(names) > 100
    for name in names:
        r = client.get(f"/shapes/{name}", headers={"Accept": "application/n-triples"})
        assert r.status_code == 200, name
        got = rdflib.Graph().parse(data=r.data, format="nt")
        iri = rdflib.URIRef(SHAPES + name)
        own = {(p, o) for p, o in graph.predicate_objects(iri) if not isinstance(o, rdflib.BNode)}
        assert own and own <= set(got.predicate_objects(iri)), name
    # a shape's blank nodes and the property shapes and SPARQL constraints it names come along
    event = rdflib.Graph().parse(data=client.get("/shapes/EventShape.ttl").data, format="turtle")
    assert (rdflib.URIRef(SHAPES + "EventStartDateShape"), SH.path, None) in event
    assert (rdflib.URIRef(SHAPES + "EndNeedsStartConstraint"), SH.select, None) in event
    assert (rdflib.URIRef(SHAPES + "EntityShape"), None, None) not in event
    # the extension wins over Accept, ?format= over the extension
    assert client.get("/shapes/EventShape.nt", headers={"Accept": "image/png"}).mimetype \
        == "application/n-triples"
    assert client.get("/shapes/EventShape.nt?format=jsonld").mimetype == "application/ld+json"
    # Content-Location names the representation's own URL, as on pages; the document's none
    negotiated = client.get("/shapes/EventShape", headers={"Accept": "application/n-triples"})
    assert negotiated.headers["Content-Location"] == "/shapes/EventShape.nt"
    assert client.get("/shapes/EventShape.nt").data == negotiated.data
    assert client.get("/shapes/EventShape.nt?format=jsonld").headers["Content-Location"] == \
        "/shapes/EventShape.jsonld"
    assert "Content-Location" not in client.get("/shapes/").headers
    # JSON-LD in the form a profile asks for, by extension too
    for url in ("/shapes/EventShape.jsonld", "/shapes/EventShape?format=jsonld"):
        expanded = client.get(url, headers={"Accept": json_ld_accept("expanded")})
        assert expanded.headers["Content-Type"].endswith('#expanded"'), url
        assert is_expanded_json_ld(json.loads(expanded.data)), url


def test_every_shape_has_a_page_saying_what_it_checks(client, graph):
    index = client.get("/shapes/", headers=HTML)
    assert index.status_code == 200 and index.mimetype == "text/html"
    html = index.get_data(as_text=True)
    for name in _named(graph):
        assert f'id="{name}"' in html and f'href="#{name}"' in html, name
        page = client.get(f"/shapes/{name}", headers=HTML)
        assert page.status_code == 200 and SHAPES + name in page.get_data(as_text=True)
    # hand-written shapes first, then the file generated from the ontology
    assert html.index("shapes/kg-shapes.ttl</code> (") < html.index(
        "shapes/domain-range.ttl</code> (")
    assert "generated from the ontology)" in html


@pytest.mark.parametrize("name, words", [
    ("EventDatingShape", ["every instance of kgo:Event", "exactly one of",
                          "[kgo:startDate: at least 1 value(s)]",
                          "[kgo:undatedInSource: has the value true]",
                          "an event needs a start date"]),
    ("EntityShape", ["not a blank node", "matching the pattern",
                     "Property shapes kgs:EntityDescriptionShape , kgs:EntityLabelShape"]),
    ("EventNotAfterShape", ["Used by kgs:EventShape", "kgo:notAfter", "at most 1 value(s)",
                            "of datatype xsd:date", "kgo:notAfter must be one xsd:date"]),
    ("EventShape", ["SPARQL constraint kgs:StartNotAfterLatestEndConstraint",
                    "start date {?start} is after the latest end {?latest}",
                    "$this kgo:startDate ?start ; kgo:notAfter ?latest"]),
    ("EventEndUndatedShape", ["every subject of kgo:endUndatedInSource",
                              "kgo:endDate at most 0 value(s) an event marked",
                              "kgo:notAfter at most 0 value(s)",
                              "kgo:startDate at least 1 value(s)"]),
    ("PlaceInCountryShape", ["[all of [an instance of kgo:BorderArea] and "
                             "[kgo:placeWithin*/kgo:adjacentTo: at least 1 value(s) that are "
                             "[an instance of kgo:Country]]]"]),
    ("QuantityQualifiedShape", ["any of [kgo:valueQualifier: at most 0 value(s)] or "
                                "[kgo:atLeast: at least 1 value(s)]"]),
    ("QuantityExactValueShape", ["of datatype xsd:integer", "not [< 0]"]),
    ("tookPlaceAt-range", ["every subject of kgo:tookPlaceAt", "every subject of kgo:alongRoute",
                           "kgo:tookPlaceAt an instance of kgo:Place",
                           "an instance of kgo:Place", "shapes/domain-range.ttl"]),
])
def test_a_shape_page_says_in_words_what_it_requires(client, name, words):
    text = _text(client.get(f"/shapes/{name}", headers=HTML).get_data(as_text=True))
    for w in words:
        assert w in text, (name, w)


def test_unknown_shapes_are_404(client):
    r = client.get("/shapes/NoSuchShape", headers=TURTLE)
    assert r.status_code == 404 and r.mimetype == "text/plain"
    assert "is not a shape of this project" in r.get_data(as_text=True)
    assert client.get("/shapes/EventShape?format=xlsx").status_code == 406


def test_an_unknown_shape_is_the_missing_page_for_a_browser(client):
    """As an unknown IRI of the dataset: it was the plain-text error, which a browser shows
    as a line of text with no way on."""
    r = client.get("/shapes/EventShap", headers=HTML)
    assert r.status_code == 404 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "is not a shape of this project" in html
    assert 'href="/shapes/EventShape"' in html and 'id="suggestions"' in html


def test_validation_reports_link_their_shapes(client):
    bad = ("@prefix kgo: <https://w3id.org/kg1978/ontology/> .\n"
           "<https://w3id.org/kg1978/event/nameless> a kgo:Meeting .\n")
    r = client.post("/validate?format=html", data={"file": (__import__("io").BytesIO(
        bad.encode()), "bad.ttl")}, content_type="multipart/form-data")
    assert r.status_code == 200
    links = re.findall(r'href="(/shapes/[^"]+)"', r.get_data(as_text=True))
    assert "/shapes/DecisionShape" in links
    for link in set(links):
        assert client.get(link, headers=HTML).status_code == 200, link


def test_the_dataset_conforms_to_the_shapes(client):
    r = client.get("/dataset", headers=TURTLE)
    g = rdflib.Graph().parse(data=r.data, format="turtle")
    assert (None, rdflib.URIRef("http://purl.org/dc/terms/conformsTo"),
            rdflib.URIRef(SHAPES)) in g
    assert 'href="/shapes/"' in client.get("/dataset", headers=HTML).get_data(as_text=True)


def test_a_project_without_shapes_has_none_to_show(dataset, tmp_path):
    app = create_app({"root": tmp_path}, dataset=dataset)
    c = app.test_client()
    assert c.get("/shapes/", headers=HTML).status_code == 404
    assert c.get("/shapes/EventShape", headers=TURTLE).status_code == 404
    assert "/shapes/" not in c.get("/sitemap.xml").get_data(as_text=True)


def test_the_shapes_rdf_is_the_same_bytes_in_every_worker(make_app):
    """Each worker reads the shapes itself, and a parse names blank nodes anew: the answers
    must not depend on it, or the strong ETag of one worker never matches another's."""
    from kgtest import REPO

    first, second = (make_app(root=REPO).test_client() for _ in range(2))
    for url in ("/shapes/", "/shapes/EventShape", "/shapes/EventDatingShape?format=jsonld",
                "/shapes/QuantityQualifiedShape.nt", "/shapes/?format=rdf"):
        a, b = first.get(url, headers=TURTLE), second.get(url, headers=TURTLE)
        assert a.status_code == b.status_code == 200, url
        assert b"_:" in a.data or b"nodeID" in a.data, url  # it has blank nodes
        assert a.data == b.data and a.headers["ETag"] == b.headers["ETag"], url


def test_prepared_shapes_leave_a_cold_request_nothing_to_make(make_app, monkeypatch):
    """``kg serve`` prepares the shapes before it forks (:func:`prepare`): a worker's first
    ``/shapes/`` then reads no file, labels no blank node and compiles no template (it took
    a second or more on a cold worker, and was once a 503 on a loaded machine)."""
    import pyoxigraph as ox

    import kg.load
    from kg.endpoint import shapes
    from kgtest import REPO

    app = make_app(root=REPO)
    with app.app_context():
        shapes.prepare()
    made = []

    def refused(what):
        def record(*args, **kwargs):
            made.append(what)
            raise AssertionError(f"{what} on a request")
        return record

    monkeypatch.setattr(kg.load, "parse_file", refused("parse_file"))
    monkeypatch.setattr(ox, "Dataset", refused("canonical labels"))
    monkeypatch.setattr(app.jinja_env, "compile", refused("template compiled"))
    client = app.test_client()
    for url, accept in (("/shapes/", HTML), ("/shapes/", TURTLE),
                        ("/shapes/EventShape", TURTLE), ("/shapes/EventShape", HTML)):
        r = client.get(url, headers=accept)
        assert r.status_code == 200, (url, accept, r.data[:300])
    assert made == []


def test_the_shapes_graph_keeps_its_triples_with_canonical_labels(client, graph):
    """The blank nodes are labelled by RDFC-1.0 (pyoxigraph's), a standard canonical form:
    the same graph, its labels those of the W3C algorithm."""
    r = client.get("/shapes/", headers={"Accept": "application/n-triples"})
    got = rdflib.Graph().parse(data=r.data, format="nt")
    assert isomorphic(got, graph)
    assert b"_:c14n0 " in r.data


def test_a_shapes_texts_are_marked_with_their_language(make_app, tmp_path):
    """A shape's label, comment and messages say their language in ``lang`` where their
    literals are tagged (the project's are ``@en``, as the page; another project's may not
    be), on the shapes' page, the shape's own page and its ``<title>``."""
    from kgtest import text_languages

    (tmp_path / "shapes").mkdir()
    (tmp_path / "shapes" / "vi.ttl").write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix kgs: <https://w3id.org/kg1978/shapes/> .
kgs:NhanShape a sh:NodeShape ;
    rdfs:label "Nhãn bắt buộc"@vi ;
    rdfs:comment "Mỗi thực thể có một nhãn."@vi ;
    sh:targetClass <https://w3id.org/kg1978/ontology/Place> ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:message "Thiếu nhãn"@vi ] .
""", encoding="utf-8")
    client = make_app(root=tmp_path).test_client()
    for url, texts in (("/shapes/", ["Nhãn bắt buộc", "Mỗi thực thể có một nhãn.", "Thiếu nhãn"]),
                       ("/shapes/NhanShape", ["Nhãn bắt buộc (shape) · kg1978", "Nhãn bắt buộc",
                                              "Mỗi thực thể có một nhãn.", "Thiếu nhãn"])):
        reply = client.get(url, headers=HTML)
        assert reply.status_code == 200, reply.text
        languages = text_languages(reply.get_data(as_text=True))
        for text in texts:
            assert languages.get(text) == {"vi"}, (url, text, languages.get(text))


def test_every_iri_of_the_shapes_namespace_dereferences(client, graph):
    """A validation result names its SPARQL constraint (``sh:sourceConstraint``,
    ``kgs:StartNeedsEndConstraint``) and kg's reports use the properties ``kgs:file``,
    ``kgs:line``, ``kgs:hint``…: each was a 404 ("not a shape of this project"). Each IRI
    under ``kgs:`` the shapes graph holds is a page (saying what it is, with its label,
    comment and, for a constraint, the shapes using it, its message and its SPARQL) and its
    triples as RDF."""
    iris = {str(t) for triple in graph for t in triple
            if isinstance(t, rdflib.URIRef) and str(t).startswith(SHAPES) and str(t) != SHAPES}
    others = sorted(i for i in iris if i[len(SHAPES):] not in _named(graph))
    assert len(others) >= 40 and SHAPES + "StartNeedsEndConstraint" in others
    assert SHAPES + "hint" in others
    for iri in others:
        name = iri[len(SHAPES):]
        page = client.get(f"/shapes/{name}", headers=HTML)
        assert page.status_code == 200, (name, page.text[:200])
        text = _text(page.get_data(as_text=True))
        label = graph.value(rdflib.URIRef(iri), rdflib.RDFS.label)
        assert str(label or name) in text
        turtle = client.get(f"/shapes/{name}", headers=TURTLE)
        assert turtle.status_code == 200
        got = rdflib.Graph().parse(data=turtle.data, format="turtle")
        mine = {(p, o) for _, p, o in graph.triples((rdflib.URIRef(iri), None, None))
                if not isinstance(o, rdflib.BNode)}
        assert mine and mine <= set(got.predicate_objects(rdflib.URIRef(iri))), name
    constraint = _text(client.get("/shapes/StartNeedsEndConstraint", headers=HTML)
                       .get_data(as_text=True))
    assert "kgs:EventShape" in constraint and "FILTER NOT EXISTS" in constraint
    assert "says nothing of the end" in constraint
    assert client.get("/shapes/StartNeedsEndConstraint.ttl").status_code == 200
    assert client.get("/shapes/NoSuchThing", headers=HTML).status_code == 404
