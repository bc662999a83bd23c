"""Dereferenceable IRIs and the timeline (kg.endpoint.pages), in process over the built
dataset: content negotiation, what an entity page shows, 404s, escaping, the timeline's
events and groups, and how many queries a page costs."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest

from kg.endpoint import create_app, pages
from kg.endpoint.pages import local_path
from kg.store import DatasetStore
from kgtest import (
    is_expanded_json_ld,
    json_ld_accept,
    structured_data,
    text_languages,
    unused_prefixes,
)

BASE = "https://w3id.org/kg1978/"
INFERRED = BASE + "graph/inferred"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
HTML = {"Accept": BROWSER}
PREFIXES = """PREFIX kgo: <https://w3id.org/kg1978/ontology/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
PHNOM_PENH = BASE + "place/phnom-penh"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV = "http://www.w3.org/ns/prov#"
GCO = BASE + "event/general-counter-offensive-1978-1979"
LIBERATION = BASE + "event/liberation-of-phnom-penh-1979-01-07"


@pytest.fixture(scope="module")
def store(dataset) -> DatasetStore:
    """The built dataset, loaded once for the module (read-only; each test has its own app)."""
    return DatasetStore.load(dataset)


@pytest.fixture
def client(store, tmp_path):
    return create_app({"root": tmp_path}, dataset=store).test_client()


def rows(store: DatasetStore, query: str) -> list[dict[str, str]]:
    return [{k: v.value for k, v in r.items()} for r in store.select(PREFIXES + query)]


class Page(HTMLParser):
    """The links of an HTML page, each with its classes, the ids of the elements around it and
    the line it is on (its nearest ``p`` or ``li``), and the text of every element with an id."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[dict] = []
        self.ids: dict[str, str] = {}
        self._stack: list[tuple[str, str | None, str, int | None]] = []
        self._open: list[dict] = []
        self._texts: dict[str, list[str]] = {}
        self._lines = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("meta", "link", "br", "img", "input", "line", "circle", "rect"):
            return
        line = None
        if tag in ("p", "li"):
            self._lines += 1
            line = self._lines
        self._stack.append((tag, a.get("id"), a.get("class") or "", line))
        if a.get("id"):
            self._texts[a["id"]] = []
        if tag == "a":
            link = {"href": a.get("href"), "class": a.get("class") or "", "text": "",
                    "within": [i for _, i, _, _ in self._stack if i],
                    "classes_around": " ".join(c for _, _, c, _ in self._stack),
                    "line": next((n for *_, n in reversed(self._stack) if n), None), **a}
            self.links.append(link)
            self._open.append(link)

    def handle_endtag(self, tag):
        if tag not in {t for t, *_ in self._stack}:
            return
        while self._stack:
            t, i, *_ = self._stack.pop()
            if i:
                self.ids[i] = " ".join("".join(self._texts[i]).split())
            if t == "a" and self._open:
                self._open.pop()
            if t == tag:
                break

    def handle_data(self, data):
        for _, i, *_ in self._stack:
            if i:
                self._texts[i].append(data)
        for link in self._open:
            link["text"] += data

    def hrefs(self, within: str | None = None, cls: str | None = None) -> list[str]:
        return [x["href"] for x in self.links
                if (within is None or within in x["within"])
                and (cls is None or cls in x["classes_around"].split() + x["class"].split())]


def get_page(client, iri: str) -> Page:
    r = client.get(local_path(iri), headers=HTML)
    assert r.status_code == 200, r.data[:500]
    assert r.headers["Content-Type"].startswith("text/html")
    return Page(r.get_data(as_text=True))


# -- the IRI <-> path mapping and content negotiation ------------------------------------------

def test_base_iri_maps_onto_server_paths():
    assert local_path(PHNOM_PENH) == "/place/phnom-penh"
    assert local_path(BASE + "ontology/") == "/ontology/"
    assert local_path(BASE + "ontology/Attack") == "/ontology/Attack"
    assert local_path("http://www.wikidata.org/entity/Q1850") is None


@pytest.mark.parametrize("accept, content_type, rdf_format", [
    (BROWSER, "text/html", None),
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/trig", "application/trig", ox.RdfFormat.TRIG),
    ("application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("text/plain, */*;q=0.1", "text/plain", ox.RdfFormat.N_TRIPLES),  # rdflib asking for nt
    ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
    (None, "text/turtle", ox.RdfFormat.TURTLE),
    ("text/html;q=0.5, text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json;q=0.4, application/n-triples;q=0.9", "application/n-triples",
     ox.RdfFormat.N_TRIPLES),
    # parameters other than q do not stop a match (the W3C Graph Store Protocol suite asks so)
    ("text/turtle; charset=utf-8", "text/turtle", ox.RdfFormat.TURTLE),
    ("TEXT/Turtle", "text/turtle", ox.RdfFormat.TURTLE),
    # a tie goes to the type the client named; q=0 refuses a type
    ("*/*, text/html", "text/html", None),
    ("text/turtle;q=0, */*", "text/html", None),
    ('application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"; q=0.9, '
     "text/turtle;q=0.5", "application/ld+json", ox.RdfFormat.JSON_LD),
])
def test_content_negotiation_on_the_same_url(client, accept, content_type, rdf_format):
    headers = {"Accept": accept} if accept else {}
    r = client.get("/place/phnom-penh", headers=headers)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == content_type
    assert "Accept" in r.headers["Vary"]
    if rdf_format is None:
        assert "<h1 id=\"label\" lang=\"en\">Phnom Penh</h1>" in r.get_data(as_text=True)
        return
    parsed = list(ox.parse(r.data, format=rdf_format))
    triples = {(str(x.subject), str(x.predicate), str(x.object)) for x in parsed}
    assert (f"<{PHNOM_PENH}>", "<http://www.w3.org/2000/01/rdf-schema#label>",
            '"Phnom Penh"@en') in triples
    # incoming links and the statements about it come along
    assert any(t[2] == f"<{PHNOM_PENH}>" and t[1].endswith("tookPlaceAt>") for t in triples)


def test_format_parameter_wins_over_accept(client):
    r = client.get("/place/phnom-penh?format=jsonld", headers=HTML)
    assert r.headers["Content-Type"] == "application/ld+json"
    r = client.get("/place/phnom-penh?format=html", headers={"Accept": "text/turtle"})
    assert r.headers["Content-Type"].startswith("text/html")
    r = client.get("/place/phnom-penh?format=nt")
    assert r.headers["Content-Type"] == "application/n-triples"


def test_json_ld_is_the_triples_as_turtle_gives_them(client):
    turtle = list(ox.parse(client.get("/place/phnom-penh?format=ttl").data,
                           format=ox.RdfFormat.TURTLE))
    quads = list(ox.parse(client.get("/place/phnom-penh?format=jsonld").data,
                          format=ox.RdfFormat.JSON_LD))
    assert all(q.graph_name == ox.DefaultGraph() for q in quads)  # no graphs to look into
    assert {q.triple for q in quads} == {t.triple if hasattr(t, "triple") else t
                                         for t in turtle}
    assert len(quads) > 20


def test_quad_formats_keep_asserted_and_inferred_apart(client):
    r = client.get("/event/general-counter-offensive-1978-1979?format=nq")
    quads = list(ox.parse(r.data, format=ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert INFERRED in graphs and BASE + "graph/article-part1" in graphs
    inferred_types = {q.object.value for q in quads if q.graph_name.value == INFERRED
                      and q.predicate.value.endswith("#type")}
    assert "http://schema.org/Event" in inferred_types


def test_unacceptable_type_and_unknown_format(client):
    r = client.get("/place/phnom-penh", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert b"text/turtle" in r.data
    r = client.get("/place/phnom-penh?format=docx")
    assert r.status_code == 406
    assert b"format=docx" in r.data and b"text/turtle (format=ttl)" in r.data


@pytest.mark.parametrize("accept", [",,,", " , ,", ""])
@pytest.mark.parametrize("path", ["/place/phnom-penh", "/timeline", "/", "/dataset", "/void",
                                  "/sparql", "/sparql?query=ASK%7B%7D", "/store?default",
                                  "/ontology/", "/place/"])
def test_an_accept_field_with_no_members_is_no_accept(client, path, accept):
    """RFC 9110: a list's empty elements are ignored (5.6.1), and no Accept is any type
    (12.5.1): ``Accept: ,,,`` names nothing, so it gets what no Accept gets; it was a 406."""
    without = client.get(path)
    r = client.get(path, headers={"Accept": accept})
    assert without.status_code == 200, path
    assert (r.status_code, r.headers["Content-Type"]) == (200, without.headers["Content-Type"])
    assert r.data == without.data


def test_empty_members_beside_a_type_are_ignored(client):
    r = client.get("/place/phnom-penh", headers={"Accept": ",, application/n-triples ,,"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/n-triples"
    assert client.get("/place/phnom-penh", headers={"Accept": ",image/png,"}).status_code == 406


def test_head_works(client):
    got = client.get("/place/phnom-penh", headers=HTML)
    head = client.head("/place/phnom-penh", headers=HTML)
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert int(head.headers["Content-Length"]) == len(got.data)
    head = client.head("/place/phnom-penh", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.headers["Content-Type"].startswith("text/turtle")


def test_unknown_iri_gets_a_helpful_404(client):
    r = client.get("/place/phnom-penn", headers=HTML)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    page = Page(r.get_data(as_text=True))
    assert page.ids["missing-iri"] == BASE + "place/phnom-penn"
    assert "/place/phnom-penh" in page.hrefs(within="suggestions")
    assert "/dataset" in page.hrefs()
    r = client.get("/place/phnom-penn", headers={"Accept": "text/turtle"})
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/plain")
    assert BASE.encode() + b"place/phnom-penn" in r.data
    assert client.get("/no-such-kind/thing", headers=HTML).status_code == 404
    # a single segment is the IRI BASE + NAME: no redirect to NAME/ unless that is an IRI of
    # the dataset (the ontology's, below)
    r = client.get("/place", headers=HTML)
    assert r.status_code == 404
    assert "/place/phnom-penh" not in r.get_data(as_text=True)


def test_every_iri_of_the_dataset_resolves(client, store):
    found = rows(store, f"""SELECT DISTINCT ?x WHERE {{
        {{ ?x ?p ?o }} UNION {{ ?s ?x ?o }} UNION {{ ?s ?p ?x }}
        FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}") && STR(?x) != "{BASE}") }}""")
    iris = sorted({r["x"] for r in found} | {g for g in store.named_graphs})
    assert len(iris) > 300
    for iri in iris:
        # a client dereferences a hash IRI at its document's URL: it sends no fragment
        url = local_path(iri.partition("#")[0])
        html = client.get(url, headers=HTML)
        assert html.status_code == 200, iri
        turtle = client.get(url, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200, iri
        triples = list(ox.parse(turtle.data, format=ox.RdfFormat.TURTLE))
        assert triples, iri
        if "#" in iri:  # the document describes it
            assert ox.NamedNode(iri) in {t.subject for t in triples}, iri


# -- what an entity page shows ---------------------------------------------------------------------

def test_place_page(client, store):
    page = get_page(client, PHNOM_PENH)
    assert page.ids["label"] == "Phnom Penh"
    assert "Phnôm Pênh" in page.ids["alt-labels"]
    # each label in another language says so to screen readers and font selection (WCAG 3.1.2)
    html = client.get(local_path(PHNOM_PENH), headers=HTML).get_data(as_text=True)
    assert '<span class="alt" lang="vi">Phnôm Pênh</span>' in html
    assert '<span class="alt" lang="km">ភ្នំពេញ</span>' in html
    assert '<span class="literal" lang="en">' in html
    # coordinates from geo:hasGeometry/geo:asWKT
    wkt = rows(store, f"""PREFIX geo: <http://www.opengis.net/ont/geosparql#>
        SELECT ?w WHERE {{ <{PHNOM_PENH}> geo:hasGeometry/geo:asWKT ?w }}""")[0]["w"]
    lon, lat = re.findall(r"[-\d.]+", wkt)
    assert f"{float(lat):.5f}, {float(lon):.5f}" in page.ids["coordinates"]
    # authority links, outbound
    authority = [x for x in page.links if "authority" in x["class"].split()]
    assert {x["href"] for x in authority} == {"http://www.wikidata.org/entity/Q1850",
                                             "https://sws.geonames.org/1821306/"}
    assert all("external" in x["class"] for x in authority)
    # the place hierarchy, and what links to it
    assert "/place/cambodia" in page.hrefs(within="hierarchy-1")
    assert local_path(LIBERATION) in page.hrefs(within="incoming")


GEO = "http://www.opengis.net/ont/geosparql#"


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "trig", "rdf"])
def test_a_places_rdf_carries_its_geometry(client, store, fmt):
    """A client that dereferences a place gets its coordinates with it: the description
    includes what is said of each geometry the place has, not only the link to it."""
    geometry = PHNOM_PENH + "-geometry"
    wkt = rows(store, f"SELECT ?w WHERE {{ <{geometry}> <{GEO}asWKT> ?w }}")[0]["w"]
    r = client.get(f"/place/phnom-penh?format={fmt}")
    syntax = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
              "jsonld": ox.RdfFormat.JSON_LD, "trig": ox.RdfFormat.TRIG,
              "rdf": ox.RdfFormat.RDF_XML}[fmt]
    said = {(q.subject.value, q.predicate.value, q.object.value)
            for q in ox.parse(r.data, format=syntax)}
    assert (PHNOM_PENH, GEO + "hasGeometry", geometry) in said
    assert (geometry, GEO + "asWKT", wkt) in said
    assert (geometry, RDF_TYPE, GEO + "Geometry") in said
    assert (geometry, PROV + "wasDerivedFrom", "https://sws.geonames.org/1821306/") in said
    if fmt == "trig":  # in the graph that says it
        quads = list(ox.parse(r.data, format=syntax))
        assert {q.graph_name.value for q in quads if q.subject.value == geometry
                and q.predicate.value == GEO + "asWKT"} == {BASE + "graph/entities"}
    # what points at the geometry from elsewhere, or what other places' geometries say, is not
    assert not any(s.endswith("-geometry") and s != geometry for s, _, _ in said)


def test_a_literal_shown_on_a_page_carries_its_language_tag(tmp_path):
    """The label, alt labels, descriptions and the labels of links say their language in
    ``lang`` (the page is ``lang="en"``; a Vietnamese name read as English is mispronounced
    by a screen reader and mis-hyphenated); an untagged literal claims none."""
    place, other = ox.NamedNode(BASE + "place/tay-ninh"), ox.NamedNode(BASE + "place/nam-bo")
    graph = ox.NamedNode(BASE + "graph/entities")
    label, comment = ox.NamedNode(RDFS + "label"), ox.NamedNode(RDFS + "comment")
    store = DatasetStore.from_quads([
        ox.Quad(place, label, ox.Literal("Tây Ninh", language="vi"), graph),
        ox.Quad(place, ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
                ox.Literal("Tỉnh Tây Ninh", language="vi"), graph),
        ox.Quad(place, comment, ox.Literal("Một tỉnh biên giới.", language="vi"), graph),
        ox.Quad(place, comment, ox.Literal("A border province.", language="en"), graph),
        ox.Quad(place, comment, ox.Literal("Untagged."), graph),
        ox.Quad(place, ox.NamedNode(BASE + "ontology/placeWithin"), other, graph),
        ox.Quad(other, label, ox.Literal("Nam Bộ", language="vi"), graph),
    ])
    client = create_app({"root": tmp_path}, dataset=store).test_client()
    page = client.get("/place/tay-ninh", headers=HTML).get_data(as_text=True)
    assert '<h1 id="label" lang="vi">Tây Ninh</h1>' in page
    assert '<span class="alt" lang="vi">Tỉnh Tây Ninh</span>' in page
    assert '<p class="description" lang="vi">Một tỉnh biên giới.</p>' in page
    assert '<p class="description" lang="en">A border province.</p>' in page
    assert '<p class="description">Untagged.</p>' in page
    assert re.search(r'<a href="/place/nam-bo" lang="vi" title="[^"]*">Nam Bộ</a>', page), page


def test_a_blank_node_geometry_comes_along_too(tmp_path):
    place, other = ox.NamedNode(BASE + "place/somewhere"), ox.NamedNode(BASE + "place/else")
    point, far = ox.BlankNode("point"), ox.BlankNode("far")
    graph = ox.NamedNode(BASE + "graph/entities")
    wkt = ox.Literal("POINT(105.0 11.5)", datatype=ox.NamedNode(GEO + "wktLiteral"))
    store = DatasetStore.from_quads([
        ox.Quad(place, ox.NamedNode(RDFS + "label"), ox.Literal("Somewhere", language="en"),
                graph),
        ox.Quad(place, ox.NamedNode(GEO + "hasDefaultGeometry"), point, graph),
        ox.Quad(point, ox.NamedNode(GEO + "asWKT"), wkt, graph),
        ox.Quad(other, ox.NamedNode(GEO + "hasGeometry"), far, graph),
        ox.Quad(far, ox.NamedNode(GEO + "asWKT"), ox.Literal("POINT(0 0)"), graph),
    ])
    client = create_app({"root": tmp_path}, dataset=store).test_client()
    quads = list(ox.parse(client.get("/place/somewhere?format=nq").data,
                          format=ox.RdfFormat.N_QUADS))
    objects = {q.object for q in quads if q.predicate.value == GEO + "asWKT"}
    assert objects == {wkt}
    node = next(q.object for q in quads if q.predicate.value == GEO + "hasDefaultGeometry")
    assert any(q.subject == node and q.object == wkt for q in quads)  # the same blank node


CRM = "http://www.cidoc-crm.org/cidoc-crm/"


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "trig"])
def test_an_events_rdf_describes_its_hash_iri_time_span(client, store, fmt):
    """A hash IRI is dereferenced at its document's URL (a client sends no fragment), so the
    event's RDF says what the dataset says of ``…#time-span``; it gave only the link to it."""
    event = BASE + "event/announcement-1978-02-05"
    span = event + "#time-span"
    expected = {(r["p"], r["o"]) for r in rows(store, f"SELECT ?p ?o WHERE {{ <{span}> ?p ?o }}")}
    assert (CRM + "P82a_begin_of_the_begin", "1978-02-05") in expected
    syntax = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD,
              "trig": ox.RdfFormat.TRIG}[fmt]
    quads = list(ox.parse(client.get(f"{local_path(event)}?format={fmt}").data, format=syntax))
    assert {(q.predicate.value, q.object.value) for q in quads
            if q.subject.value == span} == expected
    if fmt == "trig":  # in the graph that says it: the time-spans are inferred
        assert {q.graph_name.value for q in quads if q.subject.value == span} == {INFERRED}
    # other events' time-spans stay with their events
    assert not any("#" in q.subject.value and q.subject.value != span for q in quads
                   if isinstance(q.subject, ox.NamedNode))


def test_a_hash_iri_is_shown_on_its_documents_page_where_its_fragment_points(client, store):
    """The time-span ``…/event/NAME#time-span`` belongs to the event's document: its page is the
    event's, where an element with the fragment's id shows it, and links go there; it was a
    page of its own at ``/event/NAME%23time-span``, which a browser given the IRI never asks."""
    span = GCO + "#time-span"
    page = get_page(client, GCO)
    assert "/event/general-counter-offensive-1978-1979#time-span" in page.hrefs(
        within="properties")
    shown = page.ids["time-span"]
    assert shown.startswith("Time-span of General counter-offensive")
    bounds = rows(store, f"SELECT ?p ?o WHERE {{ <{span}> ?p ?o FILTER(isLiteral(?o)) }}")
    assert {r["p"] for r in bounds} >= {CRM + "P82a_begin_of_the_begin",
                                        CRM + "P82b_end_of_the_end"}
    for r in bounds:
        assert r["o"] in shown, r
    # no sitemap URL for it: its document is there
    assert "%23" not in client.get("/sitemap.xml").get_data(as_text=True)


@pytest.mark.parametrize("accept", [BROWSER, "text/turtle", None])
def test_a_fragment_encoded_into_the_path_redirects_to_the_documents_page(client, accept):
    """``/event/NAME%23time-span`` is another URL than the time-span's IRI (RFC 3986: %23 in a
    path is no fragment); it answered the time-span's page, whose alternates and links were
    all %23 URLs. It is a 301 to the event's page at the fragment, the query string kept."""
    headers = {"Accept": accept} if accept else {}
    r = client.get("/event/general-counter-offensive-1978-1979%23time-span", headers=headers)
    assert r.status_code == 301
    assert r.headers["Location"] == "/event/general-counter-offensive-1978-1979#time-span"
    r = client.get("/event/general-counter-offensive-1978-1979%23time-span?format=nt")
    assert r.status_code == 301
    assert r.headers["Location"] == \
        "/event/general-counter-offensive-1978-1979?format=nt#time-span"


@pytest.mark.parametrize("accept", [BROWSER, "text/turtle"])
def test_an_unknown_fragment_encoded_into_the_path_is_a_404_naming_the_document(client, accept):
    r = client.get("/event/general-counter-offensive-1978-1979%23timespan",
                   headers={"Accept": accept})
    assert r.status_code == 404
    text = unescape(r.get_data(as_text=True))
    assert "%23" in text and "#time-span" in text
    assert "/event/general-counter-offensive-1978-1979" in text
    if accept == BROWSER:
        page = Page(r.get_data(as_text=True))
        assert "/event/general-counter-offensive-1978-1979" in page.hrefs()
    # an unknown document is the plain 404
    assert client.get("/event/nothing%23time-span", headers={"Accept": accept}).status_code == 404


def test_an_entitys_values_are_split_by_graph_each_once():
    """What the entity page shows as asserted and as inferred, going out and coming in: a
    value the inferred graph repeats is asserted, whichever quad comes first; each value once;
    a statement's rdf:subject and rdf:object, and a self-reference coming in, left out."""
    ex = "http://example.org/"
    node, other, third = (ox.NamedNode(ex + n) for n in ("node", "other", "third"))
    p, q = ox.NamedNode(ex + "p"), ox.NamedNode(ex + "q")
    asserted, inferred = ox.NamedNode(BASE + "graph/entities"), ox.NamedNode(INFERRED)
    label = ox.Literal("Node", language="en")
    quads = [ox.Quad(node, p, other, inferred),        # asserted below: asserted
             ox.Quad(node, p, other, asserted),
             ox.Quad(node, p, other, asserted),        # once
             ox.Quad(node, q, third, inferred),        # inferred only
             ox.Quad(node, q, label, asserted),
             ox.Quad(node, p, node, asserted),         # a self-reference: going out only
             ox.Quad(other, p, node, asserted),
             ox.Quad(third, p, node, inferred),
             ox.Quad(third, q, node, inferred),
             ox.Quad(third, q, node, asserted),        # asserted too: asserted
             ox.Quad(ox.NamedNode(ex + "st"), ox.NamedNode(RDF_TYPE.replace("type", "subject")),
                     node, asserted)]
    found = [{k: list(v) for k, v in side.items()} for side in
             pages._values_by_graph(node, quads)]
    assert found == [{ex + "p": [other, node], ex + "q": [label]}, {ex + "q": [third]},
                     {ex + "p": [other], ex + "q": [third]}, {ex + "p": [third]}]
    assert pages._values_by_graph(node, quads[::-1])[1] == {ex + "q": [third]}


def test_asserted_and_inferred_types_are_told_apart(client, store):
    asserted = {r["t"] for r in rows(store, f"""SELECT DISTINCT ?t WHERE {{ GRAPH ?g {{
        <{GCO}> a ?t }} FILTER(?g != <{INFERRED}>) }}""")}
    inferred = {r["t"] for r in rows(store, f"""SELECT DISTINCT ?t WHERE {{ GRAPH <{INFERRED}> {{
        <{GCO}> a ?t }} }}""")} - asserted
    assert asserted and inferred
    page = get_page(client, GCO)
    types = [x for x in page.links if "types" in x["within"] and "title" in x]

    def iri_of(link):
        return link["title"]

    shown_asserted = {iri_of(x) for x in types if "asserted" in x["classes_around"].split()}
    shown_inferred = {iri_of(x) for x in types if "inferred" in x["classes_around"].split()}
    assert shown_asserted == asserted
    assert shown_inferred == inferred


def test_every_property_value_is_a_link(client, store):
    page = get_page(client, GCO)
    targets = {r["o"] for r in rows(store, f"""SELECT DISTINCT ?o WHERE {{
        <{GCO}> ?p ?o FILTER(isIRI(?o)) }}""")}
    hrefs = set(page.hrefs(within="properties")) | set(page.hrefs(within="types"))
    for iri in targets:  # a hash IRI at its document's page (below)
        assert (local_path(iri) or iri).replace("%23", "#") in hrefs, iri
    incoming = {r["s"] for r in rows(store, f"""SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{
        ?s ?p <{GCO}> }} FILTER(?g != <{INFERRED}> && ?p NOT IN (rdf:subject, rdf:object)) }}""")}
    assert incoming
    hrefs = set(page.hrefs(within="incoming"))
    for iri in incoming:
        assert local_path(iri) in hrefs, iri


def test_event_dates_sub_events_and_passages(client, store):
    page = get_page(client, GCO)
    assert "23 December 1978" in page.ids["dates"] and "17 January 1979" in page.ids["dates"]
    subs = {r["e"] for r in rows(store, f"""SELECT ?e WHERE {{ GRAPH ?g {{
        ?e kgo:subEventOf <{GCO}> }} FILTER(?g != <{INFERRED}>) }}""")}
    events = [x for x in page.links if any(w.startswith("hierarchy") for w in x["within"])]
    assert {x["title"] for x in events} >= subs | {BASE + "event/southwestern-border-war"}
    numbers = sorted(int(r["n"]) for r in rows(store, f"""SELECT ?n WHERE {{
        <{GCO}> prov:wasDerivedFrom/kgo:passageNumber ?n }}"""))
    # the event's own passages; those of statements about it are listed with each statement
    shown = [x for x in page.links
             if "passage" in x["class"].split() and "statements" not in x["within"]]
    assert [x["text"] for x in shown] == [f"passage {n}" for n in numbers]
    assert all(x["href"].startswith("/source/article-part1-passage-") for x in shown)


def test_an_end_the_source_only_bounds_is_shown_as_such(client):
    """The recapture was completed "by 31 December": a latest end, not an end date."""
    page = get_page(client, BASE + "event/recapture-of-occupied-areas-1978-12")
    dates = page.ids["dates"]
    assert "From" in dates and "23 December 1978" in dates
    assert "Ended not after" in dates and "31 December 1978" in dates
    assert "To" not in dates.split()
    # an undated event with a latest end: no start, the bound, and "undated" says so
    dates = get_page(client, BASE + "event/genocide-under-pol-pot-regime").ids["dates"]
    assert "Ended not after" in dates and "17 January 1979" in dates
    assert "From" not in dates and "only the bound above" in dates


def test_the_inferred_properties_are_counted_in_english(client):
    """A statement's page said "Inferred inferred (1 properties)"."""
    html = client.get("/statement/phnom-penh-offensive-not-after-capture",
                      headers=HTML).get_data(as_text=True)
    summary = re.search(r'<details id="inferred"><summary>(.*?)</summary>', html).group(1)
    assert summary.endswith("(1 property)"), summary
    html = client.get(local_path(LIBERATION), headers=HTML).get_data(as_text=True)
    assert re.search(r'<details id="inferred"><summary>.*?\(\d+ properties\)</summary>', html)


def test_an_undated_events_bounds_are_counted_and_in_order_of_time(client):
    """An undated event's "the source gives no date" says "only the bound above" for a latest
    start too (the troop movements said no more, under their "Began not after 5 February
    1978"), "only the bounds above" for two, and its earliest bound comes first (the
    incursions' "Not before 5 February 1978" came under "Began not after 15 June 1978")."""
    def rows(event: str) -> list[str]:
        html = client.get(f"/event/{event}", headers=HTML).get_data(as_text=True)
        table = html.split('id="dates"')[1].split("</table>")[0]
        return [" ".join(unescape(re.sub(r"<[^>]*>", " ", r)).split())
                for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)]

    assert rows("pol-pot-troop-movements") == [
        "Began not after 5 February 1978 (1978-02-05) reading",
        "Undated the source gives no date, only the bound above"]
    assert rows("pol-pot-border-incursions") == [
        "Not before 5 February 1978 (1978-02-05) reading",
        "Began not after 15 June 1978 (1978-06-15) reading",
        "Undated the source gives no date, only the bounds above"]


def test_a_start_over_two_days_shows_its_latest_start(client):
    """The offensive on Phnom Penh began "on January 5-6": from the first day, and not after
    the second (kgo:latestStart); it was over by the city's capture (kgo:notAfter)."""
    dates = get_page(client, BASE + "event/phnom-penh-offensive-1979-01").ids["dates"]
    assert "From" in dates and "5 January 1979" in dates
    assert "Began not after" in dates and "6 January 1979" in dates
    assert "Ended not after" in dates and "7 January 1979 (1979-01-07)" in dates
    # an event with a single start day has no such row
    dates = get_page(client, BASE + "event/shift-to-offensive-1978-03-26").ids["dates"]
    assert "Began not after" not in dates


def test_a_start_without_an_end_is_not_shown_as_one_day(client):
    """"From 26 March 1978": a start, and the source gives no end."""
    dates = get_page(client, BASE + "event/shift-to-offensive-1978-03-26").ids["dates"]
    assert "From" in dates and "26 March 1978" in dates and "the source gives no end" in dates
    assert "Date26" not in dates
    one_day = get_page(client, BASE + "event/liberation-of-phnom-penh-1979-01-07").ids["dates"]
    assert "Date7 January 1979" in one_day and "no end" not in one_day  # th, td: no space


def test_statements_about_an_entity_cite_their_passages(client, store):
    found = rows(store, """SELECT ?x ?n WHERE { ?st a rdf:Statement ; rdf:subject ?x ;
        prov:wasDerivedFrom/kgo:passageNumber ?n } ORDER BY ?x ?n LIMIT 1""")
    assert found
    page = get_page(client, found[0]["x"])
    cited = [x["text"] for x in page.links if "statements" in x["within"]
             and "passage" in x["class"].split()]
    assert f"passage {found[0]['n']}" in cited
    curated = rows(store, """SELECT ?x WHERE { ?st a rdf:Statement ; rdf:subject ?x ;
        prov:wasAttributedTo ?who } ORDER BY ?x LIMIT 1""")[0]["x"]
    assert "attributed to" in get_page(client, curated).ids["statements"]


def test_readings_are_marked_as_readings_wherever_a_page_shows_them(client, store):
    """A triple the curators read in a passage (its statement cites the passage and is
    attributed) is marked "reading", linking the statement that says why, where the page shows
    the value: in its types, "When", the properties and "Links to it". A date worked out from the account
    ("Not before 26 March 1978") read as a date the source gives. A triple a passage states
    (a statement naming no reader) is not a reading where another passage is read as giving it
    too: the capture of Phnom Penh's day."""
    readings = rows(store, """SELECT DISTINCT ?st ?s ?o WHERE {
        ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
            prov:wasAttributedTo ?who ; prov:wasDerivedFrom ?passage .
        ?passage kgo:passageNumber ?n
        FILTER(isIRI(?s) && STRSTARTS(STR(?s), "https://w3id.org/kg1978/"))
        FILTER NOT EXISTS { ?stated a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ;
            rdf:object ?o ; prov:wasDerivedFrom/kgo:passageNumber ?m
            FILTER NOT EXISTS { ?stated prov:wasAttributedTo ?anyone } } }""")
    assert len(readings) > 50
    capture = get_page(client, BASE + "event/liberation-of-phnom-penh-1979-01-07")
    assert "7 January 1979" in capture.ids["dates"]
    assert not [x for x in capture.links if "reading" in x["class"].split()
                and "dates" in x["within"]]
    assert "/statement/phnom-penh-capture-day" in {x["href"] for x in capture.links
                                                   if "statements" in x["within"]}
    marked: dict[str, set[str]] = {}
    for r in readings:
        for end in ("s", "o"):
            iri = r[end]
            if end == "o" and not iri.startswith(BASE) or "#" in iri:
                continue
            if iri not in marked:
                page = get_page(client, iri)
                marked[iri] = {x["href"] for x in page.links if "reading" in x["class"].split()
                               and {"types", "dates", "properties", "incoming"}
                               & set(x["within"])}
            assert local_path(r["st"]) in marked[iri], (iri, r["st"])
    # and only readings: a relation a passage states is not marked
    stated = {local_path(r["st"]) for r in rows(store, """SELECT ?st WHERE {
        ?st a rdf:Statement ; prov:wasDerivedFrom ?p
        FILTER NOT EXISTS { ?st prov:wasAttributedTo ?who } }""")}
    assert stated and not stated & set().union(*marked.values())
    assert {local_path(r["st"]) for r in readings} >= set().union(*marked.values())


def test_statements_no_passage_supports_say_what_they_rest_on(client):
    """The curators' comment on a relation, and a link's evidence, beside it."""
    text = get_page(client, BASE + "unit/army-corps-3").ids["statements"]
    assert "attributed to" in text and "is the curators' general knowledge" in text
    text = get_page(client, BASE + "place/phnom-penh").ids["statements"]
    assert "has_id_wikidata Q1850" in text  # the evidence cited on the link


def test_authority_links_are_shown_with_their_evidence(client, store):
    """Beside each authority link, what its statement records: the evidence, the record it was
    read in, who decided it and when, and the statement; they were only in the table of
    statements (without the record), away from the link."""
    links = rows(store, """PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?st ?s ?o ?note ?created (GROUP_CONCAT(STR(?src); separator=" ") AS ?sources) WHERE {
        ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasAttributedTo ?who ;
            dcterms:bibliographicCitation ?note ; dcterms:created ?created ;
            dcterms:source ?src VALUES ?p { skos:exactMatch skos:closeMatch } }
        GROUP BY ?st ?s ?o ?note ?created""")
    assert len(links) >= 20
    pages_of: dict[str, tuple] = {}
    for r in links:
        if r["s"] not in pages_of:
            page = get_page(client, r["s"])
            html = client.get(local_path(r["s"]), headers=HTML).get_data(as_text=True)
            pages_of[r["s"]] = (page, html[html.index('id="authority"'):])
        page, section = pages_of[r["s"]]
        item = unescape(section[section.index(f'href="{r["o"]}"'):]).split("</li>")[0]
        assert r["note"] in item, r
        assert re.search(rf'class="literal">[^<]*</span> <span class="dt">\({r["created"]}\)',
                         item), r
        for src in r["sources"].split():
            assert f'class="external evidence-source" rel="external" href="{src}"' in item, r
        assert f'href="{local_path(r["st"])}"' in item, r


def test_a_resources_own_source_is_cited_on_its_page(client, store):
    """A link statement's page names the record it was read in (``dcterms:source``) and its
    evidence under "Sources"; it said "No source is cited for it."."""
    cited = rows(store, """PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?x ?src ?note WHERE { ?x dcterms:source ?src ; dcterms:bibliographicCitation ?note
        FILTER(STRSTARTS(STR(?x), "https://w3id.org/kg1978/link/")) }""")
    assert len(cited) >= 20
    for r in cited:
        page = get_page(client, r["x"])
        assert r["src"] in page.hrefs(within="sources"), r
        assert r["note"] in page.ids["sources"] and "No source is cited" not in page.ids[
            "sources"], r


@pytest.mark.parametrize("iri, via, prop, passages", [
    (BASE + "actor/vietnamese-people", "/event/recapture-of-occupied-areas-1978-12",
     "/ontology/carriedOutBy", ["/source/article-part1-passage-13"]),
    (BASE + "actor/other-recognising-states", "/event/recognition-of-prk-1979",
     "/ontology/carriedOutBy", ["/source/article-part1-passage-13"]),
    (BASE + "actor/huu-duong", "/source/article-part1", "http://schema.org/translator",
     ["/source/article-part1-passage-19", "/source/article-part1-passage-20"]),
])
def test_a_page_citing_nothing_names_the_passages_of_what_names_it(client, iri, via, prop,
                                                                     passages):
    """A catalogue entity cites no passage (README: "Provenance"); its page said "No source is
    cited for it." Now it lists what names it, with the passages that cites, derived for the
    page: its RDF gains no prov:wasDerivedFrom."""
    page = get_page(client, iri)
    item = next(x for x in page.links if x["href"] == via and "named-in" in x["within"])
    line = [x["href"] for x in page.links if x["line"] == item["line"]]
    assert line == [*passages, via, prop]
    assert "No source is cited for it; it is named in" in page.ids["sources"]
    turtle = client.get(local_path(iri), headers={"Accept": "text/turtle"}).data
    assert not [t for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE)
                if t.subject == ox.NamedNode(iri) and t.predicate.value == PROV + "wasDerivedFrom"]


def test_named_in_only_where_nothing_is_cited_and_never_on_ontology_terms(client, store):
    """The derived list stands in for citations, never beside them; a class is not "named in"
    the passages of its instances, nor the curators in those of what they are credited with."""
    for path in ("/event/recapture-of-occupied-areas-1978-12", "/unit/vpa", "/place/cambodia",
                 "/ontology/Attack", "/ontology/troopsKilled", "/agent/curators"):
        page = get_page(client, BASE + path[1:])
        assert "named-in" not in page.ids, path


def test_statements_say_from_and_until_which_event_a_relation_held(client):
    page = get_page(client, BASE + "place/cambodia")
    text = page.ids["statements"]
    assert "Democratic Kampuchea — governs — Cambodia until Fall of the Pol Pot regime" in text
    assert ("People’s Republic of Kampuchea — governs — Cambodia from Founding of the "
            "People’s Republic of Kampuchea") in text
    hrefs = page.hrefs(within="statements")
    assert {"/event/fall-of-pol-pot-regime", "/event/prk-founding-1979"} <= set(hrefs)


def test_unit_hierarchy_up_and_down(client, store):
    found = rows(store, f"""SELECT ?u ?up ?down WHERE {{
        GRAPH ?g1 {{ ?u kgo:subordinateTo ?up }} GRAPH ?g2 {{ ?down kgo:subordinateTo ?u }}
        FILTER(?g1 != <{INFERRED}> && ?g2 != <{INFERRED}>) }} ORDER BY ?u LIMIT 1""")
    assert found
    unit = found[0]
    page = get_page(client, unit["u"])
    section = next(k for k, v in page.ids.items() if k.startswith("hierarchy")
                   and v.startswith("Unit hierarchy"))
    hrefs = page.hrefs(within=section)
    assert local_path(unit["up"]) in hrefs and local_path(unit["down"]) in hrefs


def test_party_bodies_up_and_down(client):
    """A party's organs (kgo:organOf) are drawn as their own hierarchy, not as units."""
    def section(page, title):
        return next(k for k, v in page.ids.items()
                    if k.startswith("hierarchy") and v.startswith(title))

    politburo = get_page(client, BASE + "actor/politburo")
    assert "/actor/cpv" in politburo.hrefs(within=section(politburo, "Party and state bodies"))
    assert not any(v.startswith("Unit hierarchy") for v in politburo.ids.values())
    party = get_page(client, BASE + "actor/cpv")
    assert {"/actor/politburo", "/actor/central-military-commission"} <= set(
        party.hrefs(within=section(party, "Party and state bodies")))


def hierarchy(page: Page, title: str) -> str:
    """The id of the page's hierarchy section titled ``title``."""
    return next(k for k, v in page.ids.items() if k.startswith("hierarchy")
                and v.startswith(title))


def paths_up(page: Page, section: str) -> list[list[str]]:
    """What a hierarchy section draws above the entity: one list per line, the hrefs on it."""
    lines: dict[int, list[str]] = {}
    for x in page.links:
        if section in x["within"] and "up" in x["classes_around"].split():
            lines.setdefault(x["line"], []).append(x["href"])
    return list(lines.values())


def direct_parents(store, iri: str, prop: str) -> set[str]:
    return {r["o"] for r in rows(store, f"""SELECT ?o WHERE {{ GRAPH ?g {{ <{iri}> kgo:{prop} ?o }}
        FILTER(?g != <{INFERRED}>) }}""")}


def test_a_place_within_two_places_shows_each_apart(client, store):
    """The border communes lie within the southwestern border zone and within Vietnam, and the
    zone lies within neither country: two lines, not "Southwestern border of Vietnam ›
    Vietnam", which reads as the zone lying in Vietnam."""
    communes = BASE + "place/vietnamese-border-communes"
    zone, vietnam = BASE + "place/southwestern-border", BASE + "place/vietnam"
    assert direct_parents(store, communes, "placeWithin") == {zone, vietnam}
    assert not direct_parents(store, zone, "placeWithin")
    page = get_page(client, communes)
    section = hierarchy(page, "Places")
    assert sorted(paths_up(page, section)) == [[local_path(zone)], [local_path(vietnam)]]
    assert "›" not in page.ids[section]


def test_an_event_with_two_direct_parents_shows_each_path_to_the_top(client, store):
    """The liberation of Phnom Penh is part of the offensive on it and of the regime's fall,
    both parts of the counter-offensive: one line each up to the war, not one chain that puts
    the fall above the offensive."""
    fall, offensive = BASE + "event/fall-of-pol-pot-regime", BASE + "event/phnom-penh-offensive-1979-01"
    war = BASE + "event/southwestern-border-war"
    assert direct_parents(store, LIBERATION, "subEventOf") == {fall, offensive}
    assert direct_parents(store, fall, "subEventOf") == {GCO}
    assert direct_parents(store, offensive, "subEventOf") == {GCO}
    page = get_page(client, LIBERATION)
    section = hierarchy(page, "Events")
    top = [local_path(GCO), local_path(war)]
    assert sorted(paths_up(page, section)) == [[local_path(fall), *top],
                                                [local_path(offensive), *top]]
    text = page.ids[section]
    assert "Fall of the Pol Pot regime › General offensive" not in text
    assert "Fall of the Pol Pot regime › General counter-offensive" in text
    assert "General offensive on Phnom Penh, from 5-6 January 1979 › General counter-offensive" \
        in text


def test_undated_sub_events_stand_where_their_bounds_put_them(client, store):
    """The war's sub-events in order of time: an event the article leaves undated where the
    earliest (else latest) day its wording allows puts it, after the events starting that
    day; events with no bound last. They came after every dated event, by label."""
    war = BASE + "event/southwestern-border-war"
    html = client.get(local_path(war), headers=HTML).get_data(as_text=True)
    listed = html[html.index("Sub-events:"):]
    listed = re.findall(r'<li><a href="(/event/[^"]+)"', listed[:listed.index("</ul>")])
    days = {local_path(r["e"]): (r["d"][:10] if r["d"].count("-") == 2 else r["d"] + "-01",
                                 r["k"])
            for r in rows(store, f"""
        PREFIX kgo: <https://w3id.org/kg1978/ontology/>
        SELECT ?e (STR(COALESCE(?s, ?nb, ?na)) AS ?d) (IF(BOUND(?s), 0, 1) AS ?k) WHERE {{
          ?e kgo:subEventOf <{war}> OPTIONAL {{ ?e kgo:startDate ?s }}
          OPTIONAL {{ ?e kgo:notBefore ?nb }} OPTIONAL {{ ?e kgo:notAfter ?na }}
          FILTER(BOUND(?s) || BOUND(?nb) || BOUND(?na)) }}""")}
    dated = [days[path] for path in listed if path in days]
    assert len(listed) >= 20 and len(dated) >= 20
    assert [(d, int(k)) for d, k in dated] == sorted((d, int(k)) for d, k in dated)
    assert {path for path in listed if path in days} == set(listed[:len(dated)])
    assert "/event/division-341-attachment" in listed[len(dated):]  # no date, no bound


def test_a_single_parent_chain_is_one_line_as_before(client, store):
    chong_thnu = BASE + "place/chong-thnu"
    page = get_page(client, chong_thnu)
    section = hierarchy(page, "Places")
    assert paths_up(page, section) == [["/place/snuol", "/place/kratie", "/place/cambodia"]]
    assert page.ids[section].startswith(
        "Places Within: Snuol District › Kratié Province › Cambodia")
    html = client.get(local_path(chong_thnu), headers=HTML).get_data(as_text=True)
    assert '<p class="up">Within:\n      <a href="/place/snuol"' in html


UNITS_TRIG = """
@prefix unit: <https://w3id.org/kg1978/unit/> .
@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/kg1978/graph/entities> {
  unit:group rdfs:label "Group"@en ; kgo:subordinateTo unit:yankee, unit:zulu .
  unit:yankee rdfs:label "Bravo Command"@en ; kgo:subordinateTo unit:army .
  unit:zulu rdfs:label "Alpha Command"@en ; kgo:subordinateTo unit:army .
  unit:army rdfs:label "Army"@en .
  unit:battalion rdfs:label "Battalion"@en ; kgo:subordinateTo unit:group .
  unit:one rdfs:label "One"@en ; kgo:subordinateTo unit:two .
  unit:two rdfs:label "Two"@en ; kgo:subordinateTo unit:one .
}
"""


def test_every_path_up_a_hierarchy_is_drawn_apart(tmp_path, monkeypatch):
    """Units too, the lines in the order of their names (as the units below); two superiors
    further up give two lines under a unit with one superior; a cycle ends a path instead of
    looping; the top has no line; past MAX_PATHS the list says there are more."""
    path = tmp_path / "units.trig"
    path.write_text(UNITS_TRIG, encoding="utf-8")
    client = create_app({"root": tmp_path}, dataset=path).test_client()
    both = [["/unit/zulu", "/unit/army"], ["/unit/yankee", "/unit/army"]]
    page = get_page(client, BASE + "unit/group")
    section = hierarchy(page, "Unit hierarchy")
    assert paths_up(page, section) == both
    assert "Command › Alpha" not in page.ids[section]
    assert "Command › Bravo" not in page.ids[section]
    page = get_page(client, BASE + "unit/army")
    assert "Subordinate to" not in page.ids[hierarchy(page, "Unit hierarchy")]
    page = get_page(client, BASE + "unit/battalion")
    assert paths_up(page, hierarchy(page, "Unit hierarchy")) == [
        ["/unit/group", *p] for p in both]
    page = get_page(client, BASE + "unit/one")
    assert paths_up(page, hierarchy(page, "Unit hierarchy")) == [["/unit/two"]]
    monkeypatch.setattr(pages, "MAX_PATHS", 1)
    page = get_page(client, BASE + "unit/group")
    section = hierarchy(page, "Unit hierarchy")
    assert paths_up(page, section) == both[:1]
    assert "… and more (see the RDF)" in page.ids[section]


def test_class_property_ontology_graph_and_passage_pages(client, store):
    attack = get_page(client, BASE + "ontology/Attack")
    instances = {r["x"] for r in rows(store, "SELECT ?x WHERE { ?x a kgo:Attack }")}
    assert instances and {local_path(x) for x in instances} <= set(attack.hrefs(within="incoming"))
    assert get_page(client, BASE + "ontology/startDate").ids["label"] == "start date"
    ontology = get_page(client, BASE + "ontology/")
    assert "/ontology/Attack" in ontology.hrefs(within="terms")
    r = client.get("/ontology/", headers={"Accept": "text/turtle"})
    triples = list(ox.parse(r.data, format=ox.RdfFormat.TURTLE))
    size = int(rows(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{
        GRAPH <{BASE}graph/ontology> {{ ?s ?p ?o }} }}""")[0]["n"])
    assert len(triples) == size
    r = client.get("/graph/inferred", headers={"Accept": "application/n-quads"})
    quads = list(ox.parse(r.data, format=ox.RdfFormat.N_QUADS))
    inferred_size = int(rows(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{
        GRAPH <{INFERRED}> {{ ?s ?p ?o }} }}""")[0]["n"])
    assert len(quads) == inferred_size
    assert str(inferred_size) in get_page(client, INFERRED).ids["graph"]
    passage = get_page(client, BASE + "source/article-part1-passage-14")
    assert "passage 14" in passage.ids["sources"]
    assert local_path(GCO) in passage.hrefs(within="incoming")


def test_pages_link_the_dataset_description(client):
    for path in ("/place/phnom-penh", "/timeline", "/place/nowhere", "/dataset"):
        r = client.get(path, headers=HTML)
        assert "/dataset" in Page(r.get_data(as_text=True)).hrefs(), path


def test_a_page_costs_one_query(client, store, monkeypatch):
    client.get("/place/phnom-penh", headers=HTML)  # the per-app indexes are built here
    client.get("/timeline")
    calls = []
    original = store.query

    def counting(*args, **kwargs):
        calls.append(args[0] if args else kwargs.get("text"))
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "query", counting)
    for path in ("/event/general-counter-offensive-1978-1979", "/unit/division-341",
                 "/place/cambodia"):
        calls.clear()
        assert client.get(path, headers=HTML).status_code == 200
        assert len(calls) == 1, path
        calls.clear()
        assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 200
        assert len(calls) == 1, path
    calls.clear()
    assert client.get("/timeline").status_code == 200
    assert calls == []


# -- escaping ---------------------------------------------------------------------------------------

EVIL = '<script>alert("x")</script>'
EVIL_TRIG = """
@prefix kg: <https://w3id.org/kg1978/> .
@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
kg:graph\\/entities {
  <https://w3id.org/kg1978/event/evil> a kgo:Attack ;
      rdfs:label "<script>alert(\\"x\\")</script>"@en ;
      skos:altLabel "<img src=x onerror=alert(1)>"@en ;
      kgo:note "a & b < c" ;
      kgo:startDate "1978-12-25"^^xsd:date ;
      kgo:tookPlaceAt <https://w3id.org/kg1978/place/p> .
  <https://w3id.org/kg1978/place/p> rdfs:label "</svg><script>alert(2)</script>"@en .
}
kg:graph\\/inferred { <https://w3id.org/kg1978/event/evil> a kgo:Event . }
"""


@pytest.fixture
def evil_client(tmp_path):
    path = tmp_path / "evil.trig"
    path.write_text(EVIL_TRIG, encoding="utf-8")
    return create_app({"root": tmp_path}, dataset=path).test_client()


@pytest.mark.parametrize("path", ["/event/evil", "/place/p", "/timeline",
                                  "/place/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/dataset"])
def test_everything_printed_is_escaped(evil_client, path):
    r = evil_client.get(path, headers=HTML)
    assert r.status_code in (200, 404)
    text = r.get_data(as_text=True)
    assert "<script>" not in text
    assert "<img" not in text
    assert "</svg><script>" not in text
    if path == "/event/evil":
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text
        assert "a &amp; b &lt; c" in text
    if path == "/timeline":
        assert "&lt;script&gt;" in text and "event-mark" in text


# -- the timeline -------------------------------------------------------------------------------------

def _groups(html: str) -> dict[str, list[str]]:
    """Group title -> the IRIs of its marks, from the SVG."""
    out: dict[str, list[str]] = {}
    svg = html[html.index("<svg"):html.index("</svg>")]
    for chunk in svg.split('<g class="group"')[1:]:
        title = unescape(re.search(r'data-group="([^"]*)"', chunk).group(1))
        out[title] = re.findall(r'class="event-mark[^"]*" href="[^"]*" data-iri="([^"]*)"', chunk)
    return out


def test_timeline_shows_every_dated_event_once(client, store):
    r = client.get("/timeline")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    dated = {x["e"] for x in rows(store, "SELECT DISTINCT ?e WHERE { ?e a kgo:Event ; "
                                         "kgo:startDate ?d }")}
    undated = {x["e"] for x in rows(store, "SELECT DISTINCT ?e WHERE { ?e a kgo:Event "
                                           "FILTER NOT EXISTS { ?e kgo:startDate ?d } }")}
    assert len(dated) > 10 and undated
    groups = _groups(html)
    marked = [iri for members in groups.values() for iri in members]
    assert sorted(marked) == sorted(dated)
    assert html.count('<a class="event-mark') == len(dated)
    listed = Page(html)
    assert {urlsplit(h).path for h in listed.hrefs(within="undated-list")} >= {
        local_path(e) for e in undated}


@pytest.mark.parametrize(("kwargs", "status", "says"), [
    # a format=, which overrides Accept, naming a syntax it is not in is refused as that
    # syntax is by Accept (it was a 400 calling Turtle an unknown format), a typo too, as on
    # /sparql: 406 saying what it is in
    ({"query_string": {"format": "ttl"}}, 406,
     "format=ttl is not a format of this resource, which is available as text/html (format=html)"),
    ({"query_string": {"format": "csv"}}, 406, "format=csv is not a format of this resource"),
    ({"query_string": {"format": "ttl"}, "headers": {"Accept": "text/html"}}, 406,
     "format=ttl is not a format"),
    ({"headers": {"Accept": "text/turtle"}}, 406, "available as text/html (format=html)"),
    ({"query_string": {"format": "html"}, "headers": {"Accept": "text/turtle"}}, 200, "<svg"),
    ({"headers": {"Accept": "text/html;q=0.5, text/turtle"}}, 200, "<svg"),
])
def test_timeline_is_html_only_and_says_so(client, kwargs, status, says):
    """It used to answer HTML to ?format=ttl, as if it had honoured it."""
    r = client.get("/timeline", **kwargs)
    assert r.status_code == status
    assert says in r.get_data(as_text=True)
    if status != 200:
        assert r.mimetype == ("text/html" if "Accept" in kwargs.get("headers", {})
                              and kwargs["headers"]["Accept"] == "text/html" else "text/plain")
    assert "Accept" in r.headers.get("Vary", "")  # the answer depends on Accept: a cache must know


def test_timeline_groups_by_operation(client, store):
    groups = _groups(client.get("/timeline").get_data(as_text=True))
    label = {r["x"]: r["l"] for r in rows(store, """SELECT ?x ?l WHERE { ?x rdfs:label ?l
        FILTER(LANG(?l) = "en") }""")}
    gco = groups[label[GCO]]
    assert gco[0] == GCO  # the operation heads its own group
    subs = {r["e"] for r in rows(store, f"""SELECT ?e WHERE {{ GRAPH ?g {{ ?e kgo:subEventOf <{GCO}> }}
        ?e kgo:startDate ?d }}""")}
    assert subs and set(gco) == subs | {GCO}
    war = groups[label[BASE + "event/southwestern-border-war"]]
    assert BASE + "event/border-offensive-1978" in war
    assert not set(war) & set(gco)


def test_a_dated_operations_heading_and_mark_are_one_link(client):
    """A dated operation heads its group and is its first mark: its heading was a link of its
    own beside the mark's, two tab stops to one page (in the drawing, and in the list below,
    its heading's link and the first item's). Its heading is now inside its mark's link, and
    in the list its dates follow its heading's link; every page is linked once a group, a
    group whose head is not dated keeps its heading's link."""
    html = client.get("/timeline", headers=HTML).text
    svg = html[html.index("<svg"):html.index("</svg>")]
    for chunk in svg.split('<g class="group"')[1:]:
        hrefs = re.findall(r'<a [^>]*href="([^"]*)"', chunk)
        assert len(hrefs) == len(set(hrefs)), hrefs
    gco = svg.split('<g class="group"')[1]
    first = re.search(r'<a class="event-mark[^"]*" href="([^"]*)".*?</a>', gco, re.S)
    assert first.group(1) == local_path(GCO)
    assert re.search(r'<text class="group-head"[^>]*>General counter-offensive', first.group(0))
    assert '<a class="group-head"' in svg  # the war's group: its head has no mark of its own
    dated = html[html.index("<h2>Dated events</h2>"):html.index('<h2 id="undated">')]
    for chunk in dated.split("<h3>")[1:]:
        hrefs = re.findall(r'<a [^>]*href="([^"]*)"', chunk)
        assert len(hrefs) == len(set(hrefs)), hrefs
    heading = re.search(r"<h3>(.*?)</h3>", dated).group(1)
    assert f'href="{local_path(GCO)}"' in heading
    assert '<time datetime="1978-12-23">23 December 1978 – 17 January 1979' in heading


def test_a_readings_label_writes_its_day_as_the_page_writes_dates(client):
    """A page writes dates for people ("5 February 1978 (1978-02-05)"), and so do the labels
    of the readings' statements ("…: not before 5 February 1978"): in the statements' table,
    as a value's reading badge's target, and as the statement's own title and heading. A label
    with an ISO day (the graph's were, until they were written for people) is shown so too,
    once (:func:`kg.endpoint.pages.readable_days`); the RDF keeps the label as the graph has
    it."""
    import html as html_lib

    iso = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
    page = Page(client.get("/event/pol-pot-border-incursions", headers=HTML).get_data(
        as_text=True))
    statements = [x for x in page.links if x["href"].startswith("/statement/")]
    texts = {x["text"] for x in statements}
    assert ("Pol Pot incursions into Vietnamese border areas: not before 5 February 1978"
            in texts), texts
    assert not [x for x in texts if iso.search(x)], texts
    path = "/statement/incursions-begun-by-meeting"
    own = client.get(path, headers=HTML).get_data(as_text=True)
    shown = "Pol Pot incursions into Vietnamese border areas: latest start 15 June 1978"
    assert html_lib.unescape(re.search(r"<title[^>]*>(.*?)</title>", own).group(1)) == (
        shown + " · kg1978")
    assert html_lib.unescape(Page(own).ids["label"]) == shown
    # the label as data, the day as the graph writes it; one with an ISO day is written for
    # people, and one written so already is left as it is
    assert b'"Pol Pot incursions into Vietnamese border areas: latest start 15 June 1978"@en' in (
        client.get(path + ".ttl").data)
    from kg.endpoint.pages import readable_days

    assert readable_days("Incursions: latest start 1978-06-15") == (
        "Incursions: latest start 15 June 1978")
    assert readable_days(shown) == shown


def test_a_readings_own_page_says_it_is_a_reading(client, store):
    """A statement recording the curators' reading (its triple read in a passage, attributed
    to them) says so on its own page, first: its heading and its ``rdf:object`` (a date)
    read as a fact there, to a reader who lands on it from a search. A statement of what a
    passage states (no reader named) and an entity say nothing of the kind."""
    page = Page(client.get("/statement/incursions-begun-by-meeting", headers=HTML).text)
    note = page.ids["reading-note"]
    assert note.startswith("reading This statement records a reading, not what the source "
                           "states: kg curators read it in passage 3, passage 6"), note
    for path in ("/place/phnom-penh", local_path(LIBERATION)):
        assert 'id="reading-note"' not in client.get(path, headers=HTML).text, path
    stated = rows(store, """SELECT ?st WHERE { ?st a rdf:Statement ; prov:wasDerivedFrom ?p
        FILTER(isIRI(?st)) FILTER NOT EXISTS { ?st prov:wasAttributedTo ?a } } LIMIT 3""")
    assert stated
    for st in stated:
        path = local_path(st["st"])
        assert 'id="reading-note"' not in client.get(path, headers=HTML).text, path


def test_timeline_says_which_dates_are_the_curators_readings(client):
    """A mark's dates say where one is a reading (a statement attributed to the curators), as
    the event's page does: the offensive on Phnom Penh's end, "not after 7 January 1979", is
    the curators' (the article gives its start and the city's capture); the announcement's day
    is the article's."""
    titles = {t.split(" (", 1)[0]: t for t in (re.sub(r"<[^>]*>", "", t) for t in re.findall(
        r"<title>(.*?)</title>", unescape(client.get("/timeline").get_data(as_text=True))))}
    assert titles["General offensive on Phnom Penh, from 5-6 January 1979"].endswith(
        "(5 or 6 January 1979 – not after 7 January 1979; the end is the curators' reading)")
    assert titles["Fall of the Pol Pot regime"].endswith(
        "; start and end are the curators' readings)")
    assert titles["Retaking of all occupied Vietnamese areas, completed by 31 December 1978"
                  ].endswith("; the start is the curators' reading)")
    assert titles["Vietnamese announcement of 5 February 1978"].endswith("(5 February 1978)")
    # passage 13 gives the capture's day: passage 18's victory read as that day is no reading of it
    assert titles["Capture of Phnom Penh, 7 January 1979"].endswith("(7 January 1979)")


def _day_bound_readings(html: str) -> dict[str, str | None]:
    """Each day bound a page shows (kgo:beginOfTheBegin …, and crm:P82a … on the event's
    time-span), with the href of its "reading" badge, or None."""
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        head = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        # the property's CURIE: after its label, or its link's text where it has no label
        name = head and re.search(r"((?:kgo|crm):[A-Za-z0-9_]+)\s*$",
                                  re.sub(r"<[^>]*>", " ", head.group(1)))
        if name and re.search(r"OfThe|P8[12][ab]_", name.group(1)):
            badge = re.search(r'<a class="badge reading" href="([^"]*)"', row)
            found[name.group(1)] = badge.group(1) if badge else None
    return found


def test_day_bounds_derived_from_a_reading_are_marked_as_readings(client):
    """A day bound the build derives from a date the curators read (the offensive on Phnom
    Penh's end, "not after 7 January 1979") is marked "reading" with that statement, in the
    inferred properties and on the event's time-span, as the date itself is: it showed 7
    January 1979 as the source's. A bound from the source's own dates (its start, 5-6
    January) is not; nor is any bound of the capture of Phnom Penh, whose day passage 13
    gives."""
    html = client.get("/event/phnom-penh-offensive-1979-01", headers=HTML).get_data(
        as_text=True)
    statement = "/statement/phnom-penh-offensive-not-after-capture"
    assert _day_bound_readings(html) == {
        "kgo:beginOfTheBegin": None, "kgo:endOfTheBegin": None, "kgo:beginOfTheEnd": None,
        "kgo:endOfTheEnd": statement,
        "crm:P82a_begin_of_the_begin": None, "crm:P81a_end_of_the_begin": None,
        "crm:P81b_begin_of_the_end": None, "crm:P82b_end_of_the_end": statement}
    # a start read by the curators: every bound that rests on it, the end's first day too
    # (the end is bounded, not dated); the end the source bounds is its own
    bounds = _day_bound_readings(client.get("/event/recapture-of-occupied-areas-1978-12",
                                            headers=HTML).get_data(as_text=True))
    assert {k for k, v in bounds.items() if v} == {
        "kgo:beginOfTheBegin", "kgo:endOfTheBegin", "kgo:beginOfTheEnd",
        "crm:P82a_begin_of_the_begin", "crm:P81a_end_of_the_begin",
        "crm:P81b_begin_of_the_end"}
    bounds = _day_bound_readings(client.get(local_path(LIBERATION), headers=HTML).get_data(
        as_text=True))
    assert len(bounds) == 8 and set(bounds.values()) == {None}


def _date_rows(html: str) -> list[tuple[str, str, bool]]:
    """(property CURIE, ISO day, marked "reading") of each day a page's property tables show."""
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        head = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        name = head and re.search(r"([a-z]+:[A-Za-z0-9_]+)\s*$",
                                  re.sub(r"<[^>]*>", " ", head.group(1)))
        if not name:
            continue
        for item in re.findall(r"<li>(.*?)</li>", row, re.S):
            day = re.search(r'<span class="dt">\(([0-9]{4}-[0-9]{2}-[0-9]{2})\)</span>', item)
            if day:
                found.append((name.group(1), day.group(1), 'class="badge reading"' in item))
    return found


@pytest.mark.parametrize("event", ["fall-of-pol-pot-regime", "general-counter-offensive-1978-1979",
                                   "phnom-penh-offensive-1979-01", "kufns-call-for-help",
                                   "recapture-of-occupied-areas-1978-12"])
def test_a_read_day_inferred_by_a_super_property_is_marked_as_a_reading(client, event):
    """The reasoner gives an event's dates again by their super-properties (kgo:startDate is
    a schema:startDate and a sem:hasTimeStamp; kgo:beginOfTheBegin a
    sem:hasEarliestBeginTimeStamp): where every kgo: date of that day is the curators'
    reading, so is the inferred one, and the page marks it so. The Pol Pot regime's fall
    showed the curators' 23 December 1978 and 17 January 1979 as its schema:startDate,
    schema:endDate and sem: time stamps unmarked, below the same days marked as readings. A
    day a passage gives (the counter-offensive's start) stays unmarked."""
    shown = _date_rows(client.get(f"/event/{event}", headers=HTML).text)
    days: dict[str, set[bool]] = {}
    for name, day, marked in shown:
        if name.startswith("kgo:"):
            days.setdefault(day, set()).add(marked)
    inferred = [(n, d, m) for n, d, m in shown if n.startswith(("schema:", "sem:"))]
    assert inferred
    for name, day, marked in inferred:
        assert marked == (days.get(day) == {True}), (name, day)
    if event == "fall-of-pol-pot-regime":
        assert ("schema:startDate", "1978-12-23", True) in inferred
        assert ("sem:hasTimeStamp", "1979-01-17", True) in inferred
    if event == "general-counter-offensive-1978-1979":
        assert ("sem:hasTimeStamp", "1978-12-23", False) in inferred
        assert ("sem:hasTimeStamp", "1979-01-17", True) in inferred


def test_a_reading_statements_row_marks_its_value_as_a_reading(client):
    """In the table of statements about an entity, the value of a statement recording the
    curators' reading is marked "reading", as everywhere else the page shows it: the fall of
    the regime's end date read as the source's there. A stated one is not."""
    html = client.get("/event/fall-of-pol-pot-regime", headers=HTML).text
    table = html[html.index('id="statements"'):]
    table = table[:table.index("</table>")]
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)
               if "/ontology/endDate" in r)
    assert re.search(r'<span class="dt">\(1979-01-17\)</span>\s*<a class="badge reading" '
                     r'href="/statement/fall-of-regime-end"', row), row
    capture = client.get(local_path(LIBERATION), headers=HTML).text
    table = capture[capture.index('id="statements"'):]
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", table[:table.index("</table>")], re.S)
               if "/statement/phnom-penh-capture-day" in r)
    assert "badge reading" not in row


def test_timeline_gives_machines_the_dates_at_their_sources_precision(client):
    """The list's ``<time datetime>`` is the start as the source gives it: "1978-05" for the
    help of May to November 1978, not "1978-05-01", a day no one gave (the drawing's own
    ``data-start`` is a day, for its axis)."""
    html = client.get("/timeline", headers=HTML).get_data(as_text=True)
    times = dict((text, when) for when, text in re.findall(
        r'<time datetime="([^"]*)">([^<]*)</time>', html))
    assert times["May 1978 – November 1978"] == "1978-05"
    assert times["5 February 1978"] == "1978-02-05"
    assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", w) for w in times.values())


def test_timeline_says_which_bounds_of_undated_events_are_readings(client):
    """The undated events' bounds say where one is the curators' reading, as the marks' dates
    do (they read as the source's: the six divisions' "not before 14 June 1978" is the
    curators', who read "then" as after the offensive's start); and the day by which the
    source has an undated event under way (its kgo:latestStart) is listed, as the event's
    page gives it: the troop movements showed no date at all."""
    html = client.get("/timeline", headers=HTML).get_data(as_text=True)
    listed = {unescape(re.sub(r"<[^>]*>", "", link)): [unescape(b) for b in re.findall(
                  r'<span class="muted bound">\((.*?)\)</span>', rest)]
              for link, rest in re.findall(r"<li>(<a [^>]*>.*?</a>)(.*?)</li>",
                                           html.split('id="undated-list"')[1], re.S)}
    assert listed["Destruction of six Pol Pot divisions, in or after the 1978 offensive"] == [
        "not before 14 June 1978; the curators' reading"]
    assert listed["Pol Pot troop movements towards Vietnam's border areas"] == [
        "began not after 5 February 1978; the curators' reading"]
    assert listed["Appeal for help by the Kampuchean United Front for National Salvation"] == [
        "not before 2 December 1978; the curators' reading",
        "ended not after 23 December 1978; the curators' reading"]
    # a bound the source gives ("after the uprising") is not a reading
    assert listed["Internal purge by the Pol Pot regime after the Eastern uprising"] == [
        "not before 26 May 1978"]


@pytest.mark.parametrize("stated", [False, True])
def test_a_days_reading_is_marked_unless_a_passage_states_the_day(tmp_path, stated):
    """A one-day event whose day the curators read (their statement of its kgo:onDate) says
    "the date is the curators' reading" on its timeline mark and page, not "the start"; a
    statement of that day citing a passage and naming no reader (the passage states it) makes
    it the source's, as the capture of Phnom Penh's day is passage 13's."""
    data = """@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix e: <https://w3id.org/kg1978/event/> .
@prefix s: <https://w3id.org/kg1978/statement/> .
@prefix src: <https://w3id.org/kg1978/source/> .
src:p1 kgo:passageNumber 1 . src:p2 kgo:passageNumber 2 .
e:x a kgo:Event ; rdfs:label "X"@en ; kgo:onDate "1979-01-07"^^xsd:date ;
    kgo:startDate "1979-01-07"^^xsd:date ; kgo:endDate "1979-01-07"^^xsd:date .
s:read a rdf:Statement ; rdf:subject e:x ; rdf:predicate kgo:onDate ;
    rdf:object "1979-01-07"^^xsd:date ; prov:wasDerivedFrom src:p2 ;
    prov:wasAttributedTo <https://w3id.org/kg1978/agent/curators> ; rdfs:comment "Why."@en .
""" + ("""s:given a rdf:Statement ; rdf:subject e:x ; rdf:predicate kgo:onDate ;
    rdf:object "1979-01-07"^^xsd:date ; prov:wasDerivedFrom src:p1 .
""" if stated else "")
    graph = ox.NamedNode(BASE + "graph/article-part1")
    store = DatasetStore.from_quads([ox.Quad(q.subject, q.predicate, q.object, graph)
                                     for q in ox.parse(data, format=ox.RdfFormat.TURTLE)])
    client = create_app({"root": tmp_path}, dataset=store).test_client()
    titles = [re.sub(r"<[^>]*>", "", t) for t in re.findall(
        r"<title>(.*?)</title>", unescape(client.get("/timeline").get_data(as_text=True)))]
    assert [t for t in titles if t.startswith("X (")] == [
        "X (7 January 1979)" if stated else "X (7 January 1979; the date is the curators' reading)"]
    page = get_page(client, BASE + "event/x")
    marks = [x["href"] for x in page.links
             if "reading" in x["class"].split() and "dates" in x["within"]]
    assert marks == ([] if stated else ["/statement/read"])


def test_timeline_marks_are_placed_by_date_and_ranges_are_bars(client, store):
    html = client.get("/timeline").get_data(as_text=True)
    marks = re.findall(r'<a class="event-mark (range|point)( open-end)?( ongoing)?" '
                       r'href="([^"]*)" data-iri="[^"]*" data-start="([^"]*)" '
                       r'data-end="([^"]*)">\s*<title>((?:[^<]|</?span[^>]*>)*)</title>\s*'
                       r'(<line [^>]*stroke-dasharray[^>]*/>\s*)?<(rect|circle) (?:x|cx)="([\d.]+)"',
                       html)
    assert len(marks) == html.count('<a class="event-mark')
    # a range: an end (or latest end) on another day, or a month; one day (kgo:onDate) is a dot
    ranges = {r["e"] for r in rows(store, """SELECT DISTINCT ?e WHERE { ?e a kgo:Event ;
        kgo:startDate ?s . OPTIONAL { ?e kgo:endDate|kgo:notAfter ?end }
        FILTER((BOUND(?end) && ?end != ?s)
               || DATATYPE(?s) != <http://www.w3.org/2001/XMLSchema#date>) }""")}
    assert len(ranges) >= 7
    assert not ranges & {r["e"] for r in rows(store, "SELECT ?e WHERE { ?e kgo:onDate ?d }")}
    latest = {r["e"]: r["d"] for r in rows(store, """SELECT ?e ?d WHERE {
        ?e a kgo:Event ; kgo:notAfter ?d }""")}
    assert latest  # the recapture, completed "by" 31 December 1978
    ongoing = {r["e"] for r in rows(store, """SELECT ?e WHERE {
        ?e a kgo:Event ; kgo:endUndatedInSource true }""")}
    # "from March 26", the uprising, the attack of 23 December
    assert len(ongoing) == 3
    by_start = sorted((start, float(x)) for *_, start, _, _, _, _, x in marks)
    assert [x for _, x in by_start] == sorted(x for _, x in by_start)
    for kind, open_end, goes_on, href, start, end, title, tail, shape, _ in marks:
        iri = BASE + href.lstrip("/")
        assert (kind == "range") == (iri in ranges) == (shape == "rect"), iri
        assert start <= end
        # a bar to the latest end the source allows is drawn open-ended and says so
        assert bool(open_end) == (iri in latest), iri
        if open_end:
            assert end == latest[iri] and "not after" in title
        # a start without an end in its source: a dot with a dashed tail, and it says so
        assert bool(goes_on) == bool(tail) == (iri in ongoing), iri
        if goes_on:
            assert kind == "point" and title.endswith(", no end given)")
    # a start over two days says both days
    offensive = [title for *_, href, _, _, title, _, _, _ in marks
                 if href.endswith("/phnom-penh-offensive-1979-01")]
    assert offensive == ['<span lang="en">General offensive on Phnom Penh, from 5-6 January 1979'
                         '</span> '
                         "(5 or 6 January 1979 – not after 7 January 1979; the end is the "
                         "curators&#39; reading)"]


# -- search by name ------------------------------------------------------------------------------

@pytest.mark.parametrize("q, first_href, first_text", [
    ("Tay Ninh", "/place/tay-ninh", "Tây Ninh Province"),  # accents do not matter
    ("phnom", "/place/phnom-penh", "Phnom Penh"),  # a name's beginning
    ("pol pot", "/actor/pol-pot", "Pol Pot"),
    ("Khmer Rouge", "/actor/democratic-kampuchea", "Democratic Kampuchea"),  # shared with the
    # army (a name the article does not use): both found, in name order
    # an event by its Vietnamese name, with or without its diacritics (without them the
    # People's Republic, "Cộng hòa Nhân dân Campuchia", came first)
    ("Giải phóng toàn bộ Campuchia", "/event/liberation-of-cambodia-1979-01-17",
     "Whole of Cambodia taken, 17 January 1979"),
    ("giai phong toan bo Campuchia", "/event/liberation-of-cambodia-1979-01-17",
     "Whole of Cambodia taken, 17 January 1979"),
    ("tong phan cong", "/event/general-counter-offensive-1978-1979",
     "General counter-offensive from 23 December 1978"),
    ("Chiến thắng ngày 7 tháng 1 năm 1979", "/event/fall-of-pol-pot-regime",
     "Fall of the Pol Pot regime"),
])
def test_search_finds_entities_by_name(client, q, first_href, first_text):
    r = client.get("/search", query_string={"q": q})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    page = Page(r.get_data(as_text=True))
    results = [x for x in page.links if "results" in x["within"]]
    assert (results[0]["href"], results[0]["text"]) == (first_href, first_text)
    assert len({x["href"] for x in results}) == len(results)  # each once
    assert client.get(first_href, headers=HTML).status_code == 200


def test_an_event_page_gives_its_vietnamese_name_as_vietnamese(client):
    """A Vietnamese reader meets the event's Vietnamese name on its page, marked lang="vi" (for
    screen readers and fonts), and in its markup as a schema:alternateName tagged @vi."""
    path = local_path(LIBERATION)
    html = client.get(path, headers=HTML).get_data(as_text=True)
    assert ('<span class="alt" lang="vi">Giải phóng Phnôm Pênh, ngày 7 tháng 1 năm 1979</span>'
            in html)
    names = _markup(client.get(path, headers=HTML))["alternateName"]
    names = names if isinstance(names, list) else [names]
    assert {"@language": "vi", "@value": "Giải phóng Phnôm Pênh, ngày 7 tháng 1 năm 1979"} in names


def test_search_shows_the_name_a_result_was_found_by(client):
    """A result found by a name other than the one it is shown by (an event's Vietnamese name)
    shows that name too, marked with its language, so that the reader sees why it matched; a
    result found by the name it is shown by shows none."""
    html = client.get("/search", query_string={"q": "giai phong phnom penh"}).get_data(
        as_text=True)
    items = re.findall(r"<li>(.*?)</li>", html.split('id="results"')[1], re.S)
    assert 'href="/event/liberation-of-phnom-penh-1979-01-07"' in items[0]
    assert ('<span class="matched">(found by its name “<span lang="vi">Giải phóng Phnôm Pênh, '
            'ngày 7 tháng 1 năm 1979</span>” <span class="lang">@vi</span>)</span>'
            in items[0]), items[0]
    assert text_languages(html)["Giải phóng Phnôm Pênh, ngày 7 tháng 1 năm 1979"] == {"vi"}
    # "Phnom Penh" is found by its own name: nothing more to say
    place = next(i for i in items if 'href="/place/phnom-penh"' in i)
    assert 'class="matched"' not in place
    html = client.get("/search", query_string={"q": "phnom"}).get_data(as_text=True)
    assert 'class="matched"' not in html.split('id="results"')[1].split("</ol>")[0]


def test_search_finds_every_entity_a_shared_name_names(client):
    page = Page(client.get("/search", query_string={"q": "Khmer Rouge"}).get_data(as_text=True))
    hrefs = [x["href"] for x in page.links if "results" in x["within"]]
    assert hrefs[:2] == ["/actor/democratic-kampuchea", "/unit/pol-pot-forces"]


def test_search_without_a_match_or_a_text(client):
    r = client.get("/search", query_string={"q": "<b>Sihanouk</b>"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Nothing here is named like “&lt;b&gt;Sihanouk&lt;/b&gt;”" in html
    assert 'id="results"' not in html
    r = client.get("/search")
    assert r.status_code == 200 and 'id="nothing"' not in r.get_data(as_text=True)
    assert 'id="q"' in r.get_data(as_text=True)


def test_the_search_pages_title_is_english_and_quotes_the_query(client):
    """The page is ``lang="en"`` and a ``<title>`` cannot mark the language of a part: the
    title says in English what the page is, "Search results for" the query in quotes (it was
    the Vietnamese query first, read as English); the query, the reader's text, is marked in
    the body with the language its letters tell (a letter only Vietnamese writes), and left
    unmarked where they tell none (WCAG 3.1.2: words of indeterminate language)."""
    from kgtest import text_languages

    query = "Chiến thắng ngày 7 tháng 1 năm 1979"
    html = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    assert re.search(r"<title>(.*?)</title>", html).group(1) == (
        f"Search results for “{query}” · kg1978")
    assert f'value="{query}" lang="vi"' in html
    assert client.get("/search").get_data(as_text=True).count("<title>Search · kg1978<") == 1
    nothing = client.get("/search", query_string={"q": "Đồng Xoài xyzzy"}).get_data(
        as_text=True)
    assert text_languages(nothing)["Đồng Xoài xyzzy"] == {"vi"}
    plain = client.get("/search", query_string={"q": "Sihanouk"}).get_data(as_text=True)
    assert 'value="Sihanouk" maxlength' in plain  # no lang: its letters tell none
    assert "<title>Search results for “Sihanouk” · kg1978<" in plain


def test_pages_show_names_in_the_language_asked_for(client):
    """``Accept-Language: vi`` (or ``?lang=vi``, which wins and keeps itself in the site's
    links) gives the names in Vietnamese where the data has them (a label, else a sole
    alternative label): the entity's heading and title, its links, each marked
    ``lang="vi"``; a name the data has in English only stays English, marked ``lang="en"``,
    and a heading so shown says so. The page's own words stay English: ``Content-Language:
    en, vi``. ``Vary`` names ``Accept-Language`` where that header chose; the RDF does not
    depend on it. A language the names are not in is a 400 listing those they are."""
    from kgtest import text_languages

    vi = {**HTML, "Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}
    r = client.get("/place/phnom-penh", headers=vi)
    assert r.headers["Content-Language"] == "en, vi"
    assert "Accept-Language" in r.headers["Vary"] and "Accept" in r.headers["Vary"]
    html = r.get_data(as_text=True)
    assert '<h1 id="label" lang="vi">Phnôm Pênh</h1>' in html
    assert '<title lang="vi">Phnôm Pênh · kg1978</title>' in html
    languages = text_languages(html)
    assert languages["thành phố"] == {"vi"}  # its type, kgo:City, by its Vietnamese label
    assert languages["Position of Phnom Penh"] == {"en"}  # no Vietnamese name: English
    assert '<span class="alt" lang="en">Phnom Penh</span>' in html  # the English name, below
    assert 'id="name-fallback"' not in html
    assert ('<a href="/place/phnom-penh?lang=en" hreflang="en" lang="en">English</a>'
            in html)
    english = client.get("/place/phnom-penh", headers=HTML)
    assert english.headers["Content-Language"] == "en"
    assert "Accept-Language" in english.headers["Vary"]
    assert '<h1 id="label" lang="en">Phnom Penh</h1>' in english.get_data(as_text=True)
    chosen = client.get("/place/phnom-penh?lang=vi", headers=HTML)
    assert "Accept-Language" not in chosen.headers["Vary"]
    page = chosen.get_data(as_text=True)
    assert '<h1 id="label" lang="vi">Phnôm Pênh</h1>' in page
    assert 'href="/ontology/City?lang=vi"' in page and 'href="/timeline?lang=vi"' in page
    assert '<strong lang="vi" aria-current="page">Tiếng Việt</strong>' in page
    fallback = client.get("/agent/curators?lang=vi", headers=HTML).get_data(as_text=True)
    assert '<h1 id="label" lang="en">kg curators</h1>' in fallback
    assert 'id="name-fallback"' in fallback
    turtle = client.get("/place/phnom-penh", headers={"Accept": "text/turtle",
                                                      "Accept-Language": "vi"})
    assert turtle.data == client.get("/place/phnom-penh.ttl").data
    assert "Accept-Language" not in turtle.headers["Vary"]
    timeline = client.get("/timeline", headers=vi).get_data(as_text=True)
    assert text_languages(timeline)["Chiến tranh biên giới Tây Nam"] == {"vi"}
    search = client.get("/search", query_string={"q": "phnom penh", "lang": "vi"})
    first = re.search(r'<ol id="results">\s*<li><a ([^>]*)>([^<]*)</a>', search.text)
    assert first.groups() == ('href="/place/phnom-penh?lang=vi" lang="vi"', "Phnôm Pênh")
    # both its forms, the page's and the header's, keep the language chosen
    assert search.text.count('<input type="hidden" name="lang" value="vi">') == 2
    refused = client.get("/place/phnom-penh?lang=de", headers=HTML)
    assert refused.status_code == 400
    assert "lang=de" in refused.text and "en (English), " in refused.text
    assert "vi (Vietnamese)" in refused.text


@pytest.mark.parametrize("path", ["/place/phnom-penh", "/place/phnom-penh.html", "/timeline",
                                  "/search?q=phnom", "/place/"])
def test_a_requests_language_is_read_from_it_once(client, monkeypatch, path):
    """A page reads the language asked for (``?lang=``, else ``Accept-Language``) once: the
    route's check of ``lang`` and the page's names read the same choice. It was read twice,
    by the check and again by the first name shown."""
    from werkzeug.datastructures import LanguageAccept

    asked, best = [], []
    primary = pages._primary
    monkeypatch.setattr(pages, "_primary",
                        lambda tag: (asked.append(tag) if tag == "vi-VN" else None)
                        or primary(tag))
    best_match = LanguageAccept.best_match
    monkeypatch.setattr(LanguageAccept, "best_match",
                        lambda self, *a, **k: best.append(a) or best_match(self, *a, **k))
    joined = "&" if "?" in path else "?"
    assert client.get(f"{path}{joined}lang=vi-VN", headers=HTML).status_code == 200
    assert asked == ["vi-VN"]
    assert client.get(path, headers={**HTML, "Accept-Language": "vi"}).status_code == 200
    assert len(best) == 1


def test_content_language_names_only_the_languages_a_page_holds(client):
    """``Content-Language`` adds the language asked for to English only where the page shows
    a name in it: a page whose every name fell back to English (the curators' in Vietnamese,
    the search page without results, the timeline in Khmer) is ``en``, the timeline's answer
    from its cache too. It said ``en, vi`` on every page asked for in Vietnamese."""
    def said(path, lang):
        r = client.get(path, query_string={"lang": lang}, headers=HTML)
        assert r.status_code == 200, path
        return r.headers["Content-Language"]

    assert said("/agent/curators", "vi") == "en"
    assert said("/search", "vi") == "en"  # the form, no results
    assert said("/place/phnom-penh", "vi") == "en, vi"
    for _ in range(2):  # computed, then cached
        assert said("/timeline", "km") == "en"
        assert said("/timeline", "vi") == "en, vi"
    assert said("/place/phnom-penh", "km") == "en, km"


def test_the_ontologys_page_names_each_section_once(client):
    """The ontology's page lists the terms it defines under their own headings: "Properties"
    headed both the list of its properties and the table of the ontology resource's own
    (its title, licence, version), two sections a screen reader's list of headings could not
    tell apart."""
    html = client.get("/ontology/", headers=HTML).text
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert "Classes it defines" in headings and "Properties it defines" in headings
    assert len(headings) == len(set(headings)), headings


def test_search_text_over_the_limit_is_400(client):
    r = client.get("/search", query_string={"q": "x" * 501})
    assert r.status_code == 400
    assert "at most 500" in Page(r.get_data(as_text=True)).ids["error"]


def test_every_site_page_has_the_search_box(client):
    for path in ("/place/phnom-penh", "/timeline", "/dataset"):
        html = client.get(path, headers=HTML).get_data(as_text=True)
        assert 'class="site-search" action="/search"' in html, path
    for path in ("/", "/form"):  # the query pages link to it
        assert 'href="/search"' in client.get(path, headers=HTML).get_data(as_text=True), path


# -- schema.org markup in the pages (what search engines and link previews read) ----------------

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "http://schema.org/"


def ask(store: DatasetStore, pattern: str) -> bool:
    return bool(store.query(f"ASK {{ {pattern} }}"))


def _markup(reply) -> dict | None:
    return structured_data(reply.data)


@pytest.mark.parametrize("path", ["/place/phnom-penh", "/event/liberation-of-phnom-penh-1979-01-07",
                                  "/unit/division-341", "/actor/pol-pot",
                                  "/source/article-part1-passage-14"])
def test_entity_pages_carry_schema_org_markup_true_to_the_data(client, store, path):
    doc = _markup(client.get(path, headers={"Accept": "text/html"}))
    assert doc is not None and doc["@context"] == "https://schema.org/"
    iri = "https://w3id.org/kg1978" + path
    assert doc["@id"] == iri and doc["name"]
    doc["@context"] = {"@vocab": "http://schema.org/"}  # read offline, as schema.org's context
    triples = [q.triple for q in ox.parse(json.dumps(doc), format=ox.RdfFormat.JSON_LD)]
    assert len(triples) >= 3  # a type, a name, a description at least
    mapped = {"name": RDFS + "label", "alternateName": SKOS + "altLabel",
              "sameAs": SKOS + "exactMatch"}
    for t in triples:
        if t.subject != ox.NamedNode(iri):
            # the name of a linked entity: its label
            assert t.predicate.value == "http://schema.org/name"
            assert ask(store, f"<{t.subject.value}> <{RDFS}label> ?o "
                              f"FILTER(STR(?o) = {ox.Literal(t.object.value)})"), t
            continue
        local = t.predicate.value.removeprefix("http://schema.org/")
        if local in mapped:  # our own term behind the schema.org one
            obj = (f"<{t.object.value}>" if local == "sameAs"
                   else f"?o FILTER(STR(?o) = {ox.Literal(t.object.value)})")
            assert ask(store, f"<{iri}> <{mapped[local]}> {obj}"), t
        elif t.predicate.value == RDF + "type":
            assert ask(store, f"<{iri}> a <{t.object.value}>"), t
        else:  # a schema.org statement of the dataset (asserted or inferred)
            obj = (f"<{t.object.value}>" if isinstance(t.object, ox.NamedNode)
                   else f"?o FILTER(STR(?o) = {ox.Literal(t.object.value)})")
            assert ask(store, f"<{iri}> <{t.predicate.value}> {obj}"), t


# rdflib's own JSON-LD parser builds a ConjunctiveGraph, which rdflib 7.1+ deprecates
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("path", ["/place/phnom-penh", "/unit/vpa", "/actor/pol-pot",
                                  "/event/liberation-of-phnom-penh-1979-01-07"])
def test_the_markup_keeps_the_labels_language_tags(client, store, path):
    """The labels in the markup, read as RDF by rdflib and by pyoxigraph, are the entity's
    label and alternative labels with their tags ("Phnôm Pênh"@vi, "ភ្នំពេញ"@km): they were
    plain strings, which read as untagged text."""
    import rdflib

    iri = "https://w3id.org/kg1978" + path
    doc = _markup(client.get(path, headers={"Accept": "text/html"}))
    doc["@context"] = {"@vocab": "http://schema.org/"}  # read offline, as schema.org's context
    want = {(lit.value, lit.language) for p in (RDFS + "label", SKOS + "altLabel")
            for lit in (r["o"] for r in store.select(f"SELECT ?o WHERE {{ <{iri}> <{p}> ?o }}"))}
    assert any(lang not in (None, "en") for _, lang in want) or path != "/place/phnom-penh"
    by_oxigraph = {(t.object.value, t.object.language)
                   for t in ox.parse(json.dumps(doc), format=ox.RdfFormat.JSON_LD)
                   if t.subject == ox.NamedNode(iri) and t.predicate.value in (
                       "http://schema.org/name", "http://schema.org/alternateName")}
    graph = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    by_rdflib = {(str(o), o.language) for p in ("name", "alternateName")
                 for o in graph.objects(rdflib.URIRef(iri), rdflib.URIRef(SCHEMA + p))}
    assert by_oxigraph == by_rdflib == want
    described = {(t.object.value, t.object.language)
                 for t in ox.parse(json.dumps(doc), format=ox.RdfFormat.JSON_LD)
                 if t.predicate.value == SCHEMA + "description"}
    assert described and all(lang == "en" for _, lang in described)


def test_the_markup_says_what_the_page_shows(client):
    place = _markup(client.get("/place/phnom-penh", headers={"Accept": "text/html"}))
    assert set(place["@type"]) == {"City", "Place"}
    # each exact match once, as a URL: asserted as skos:exactMatch, inferred as schema:sameAs
    assert sorted(place["sameAs"]) == ["http://www.wikidata.org/entity/Q1850",
                                       "https://sws.geonames.org/1821306/"]
    assert place["containedInPlace"] == {"@id": "https://w3id.org/kg1978/place/cambodia",
                                         "name": {"@value": "Cambodia", "@language": "en"}}
    event = _markup(client.get("/event/liberation-of-phnom-penh-1979-01-07",
                               headers={"Accept": "text/html"}))
    assert event["@type"] == "Event" and event["startDate"] == "1979-01-07"
    assert event["location"]["name"] == {"@value": "Phnom Penh", "@language": "en"}
    # ontology terms and graphs are not things in the world: no markup
    assert _markup(client.get("/ontology/Event", headers={"Accept": "text/html"})) is None


# -- the other URLs people try for a resource ------------------------------------------------

@pytest.mark.parametrize("extension, key", [("ttl", "ttl"), ("nt", "nt"), ("jsonld", "jsonld"),
                                            ("json", "jsonld"), ("rdf", "rdf"), ("trig", "trig"),
                                            ("nq", "nq"), ("html", "html")])
def test_a_file_extension_gives_that_syntax(client, extension, key):
    """``/place/phnom-penh.ttl`` as ``/place/phnom-penh?format=ttl``, saying which resource
    it is (the canonical link) and which representation (Content-Location: its own URL, the
    syntax's one for ``.json``)."""
    by_extension = client.get(f"/place/phnom-penh.{extension}")
    by_format = client.get(f"/place/phnom-penh?format={key}")
    assert by_extension.status_code == 200
    assert by_extension.headers["Content-Type"] == by_format.headers["Content-Type"]
    assert by_extension.data == by_format.data
    assert by_extension.headers["Content-Location"] == f"/place/phnom-penh.{key}"
    assert by_extension.headers["Link"] == f'<{PHNOM_PENH}>; rel="canonical"'


@pytest.mark.parametrize("path, headers, location", [
    ("/place/phnom-penh", {"Accept": "text/turtle"}, "/place/phnom-penh.ttl"),
    ("/place/phnom-penh", HTML, "/place/phnom-penh.html"),
    ("/place/phnom-penh", {}, "/place/phnom-penh.ttl"),
    ("/place/phnom-penh", {"Accept": "application/ld+json"}, "/place/phnom-penh.jsonld"),
    ("/place/phnom-penh", {"Accept": "application/rdf+xml"}, "/place/phnom-penh.rdf"),
    # N-Triples under its old type: the .nt URL answers text/plain too, asked so (it was 406)
    ("/place/phnom-penh", {"Accept": "text/plain"}, "/place/phnom-penh.nt"),
    ("/place/phnom-penh?format=trig", {}, "/place/phnom-penh.trig"),
    ("/graph/links", {"Accept": "application/n-quads"}, "/graph/links.nq"),
    ("/ontology/0.1.0", {}, "/ontology/0.1.0.ttl"),
])
def test_content_location_names_the_representation(client, path, headers, location):
    """RFC 9110, 8.7: a negotiated answer's Content-Location names the URL of that
    representation (the extension's), which gives the same bytes; it named the resource
    itself, on the extension URLs only, which says the resource is a different one."""
    r = client.get(path, headers=headers)
    assert r.status_code == 200
    assert r.headers["Content-Location"] == location
    there = client.get(location, headers=headers)
    assert there.status_code == 200 and there.headers["Content-Location"] == location
    assert (there.headers["Content-Type"], there.data) == (r.headers["Content-Type"], r.data)


def test_alternates_are_the_extension_urls(client):
    """The ``Link`` alternates and the page's ``<link rel="alternate">`` and links name each
    syntax's own URL, the one ``Content-Location`` names (they named ``?format=`` URLs), and
    each answers in its type; ``/ontology/``, which has no such URL, keeps ``?format=``."""
    r = client.get("/place/phnom-penh", headers={"Accept": "text/turtle"})
    links = re.findall(r'<([^>]*)>; rel="alternate"; type="([^"]*)"', r.headers["Link"])
    assert len(links) == 6
    assert ("/place/phnom-penh.ttl", "text/turtle") in links
    for href, media_type in links:
        assert "?" not in href, href
        there = client.get(href)
        assert there.status_code == 200 and there.mimetype == media_type, href
    page = client.get("/place/phnom-penh", headers=HTML).get_data(as_text=True)
    assert '<link rel="alternate" type="text/turtle" href="/place/phnom-penh.ttl"' in page
    assert '<a href="/place/phnom-penh.jsonld" type="application/ld+json">' in page
    assert "phnom-penh?format=" not in page
    ontology = client.get("/ontology/", headers={"Accept": "text/turtle"})
    assert '</ontology/?format=ttl>; rel="alternate"' in ontology.headers["Link"]


@pytest.mark.parametrize("accept, content_type", [
    (None, "application/n-triples"), ("*/*", "application/n-triples"),
    ("application/n-triples", "application/n-triples"), ("text/turtle", "application/n-triples"),
    ("text/plain", "text/plain; charset=utf-8"),
    ("text/plain, application/n-triples;q=0.5", "text/plain; charset=utf-8"),
])
def test_the_nt_extension_is_text_plain_only_where_asked_so(client, accept, content_type):
    """``.nt`` is ``application/n-triples``, but ``text/plain`` (as rdflib asks) where Accept
    prefers that, so that it answers as the resource's URL does, whose Content-Location it is;
    the same bytes either way, and ``Vary: Accept``."""
    r = client.get("/place/phnom-penh.nt", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["Content-Type"] == content_type
    assert r.data == client.get("/place/phnom-penh?format=nt").data
    assert "Accept" in r.headers["Vary"]


def test_no_content_location_where_no_extension_url_is_handed_out(client):
    assert "Content-Location" not in client.get("/ontology/").headers
    assert "Content-Location" not in client.get("/place/", headers=HTML).headers
    assert "Content-Location" not in client.get("/place/nowhere").headers


@pytest.mark.parametrize("url", ["/place/phnom-penh.jsonld", "/place/phnom-penh.json",
                                 "/place/phnom-penh.ttl?format=jsonld"])
def test_a_json_ld_extension_varies_with_accept_as_its_profile_chooses_the_form(client, url):
    """``.jsonld`` answers expanded or compacted by the Accept header's profile: a shared cache
    must key it by Accept too, or it serves one client's form to another."""
    expanded = client.get(url, headers={"Accept": json_ld_accept("expanded")})
    compacted = client.get(url)
    assert is_expanded_json_ld(json.loads(expanded.data))
    assert not is_expanded_json_ld(json.loads(compacted.data))
    for r in (expanded, compacted):
        assert "Accept" in [v.strip() for v in r.headers["Vary"].split(",")], r.headers
    # a syntax with one form does not vary with Accept
    assert "Accept" not in client.get("/place/phnom-penh.ttl").headers.get("Vary", "").split(
        ", ")


@pytest.mark.parametrize("url", ["/place/phnom-penh", "/place/phnom-penh.ttl",
                                 "/ontology/Event?format=jsonld", "/dataset", "/"])
def test_a_script_of_any_origin_reads_the_headers_of_a_resources_rdf(client, url):
    """CORS lets a script read only the headers it is told it may: the alternates (Link), the
    resource's URL (Content-Location) and the ETag were sent but hidden from it."""
    r = client.get(url, headers={"Accept": "text/turtle", "Origin": "https://example.org"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {v.strip().lower() for v in r.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"link", "content-location", "etag"} <= exposed
    assert "ETag" in r.headers


def test_extensions_on_graphs_and_terms_and_what_is_not_there(client):
    graph = client.get("/graph/links.trig")
    assert graph.status_code == 200 and graph.data == client.get("/graph/links?format=trig").data
    assert client.get("/ontology/Event.ttl").data == client.get("/ontology/Event?format=ttl").data
    assert client.get("/place/phnom-penh.ttl?format=nt").headers["Content-Type"] == \
        "application/n-triples"  # ?format= wins, as everywhere
    for missing in ("/place/nowhere.ttl", "/place/phnom-penh.exe", "/place/phnom-penh.ttl.ttl"):
        assert client.get(missing).status_code == 404, missing


@pytest.mark.parametrize("accept", ["application/json", "application/ld+json"])
def test_an_unknown_iri_answers_a_json_client_in_json(client, accept):
    """As the endpoint's other errors: ``{"status", "message"}`` for a client naming JSON,
    plain text for another RDF client, the HTML page for a browser."""
    reply = client.get("/place/nowhere", headers={"Accept": accept})
    assert reply.status_code == 404 and reply.headers["Content-Type"] == "application/json"
    assert reply.json == {"status": 404, "message": "404 Not Found: <https://w3id.org/kg1978/"
                          "place/nowhere> is not in this dataset; see http://localhost/dataset"}
    assert "Accept" in reply.headers["Vary"]
    turtle = client.get("/place/nowhere", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 404 and turtle.mimetype == "text/plain"
    assert turtle.text == reply.json["message"] + "\n"
    assert client.get("/place/nowhere", headers=HTML).mimetype == "text/html"
    bad_format = client.get("/place/phnom-penh?format=bogus", headers={"Accept": accept})
    assert bad_format.status_code == 406 and bad_format.json["status"] == 406
    graph = client.get("/store?graph=https%3A%2F%2Fw3id.org%2Fkg1978%2Fgraph%2Fnone",
                       headers={"Accept": accept})
    assert graph.status_code == 404 and "graph" in graph.json["message"]


#: Requests that go wrong on each route that has a way to (every route of the app's url_map was
#: tried with bad parameters): method, URL, status, form body. ``/sparql`` with a query is
#: answered by the WSGI fast path (kg.endpoint.fast), without one by the route.
BAD_REQUESTS = [
    ("GET", "/timeline?format=ttlx", 406),
    ("GET", "/dataset?format=xx", 406),
    ("GET", "/void?format=xx", 406),
    ("GET", "/?format=xx", 406),
    ("GET", "/place/phnom-penh?format=xx", 406),
    ("GET", "/place/nowhere?format=xx", 406),
    ("GET", "/place/?format=xx", 406),
    ("GET", "/shapes/", 404),  # this client's project has no shapes
    ("GET", "/static/nope", 404),
    ("GET", "/assets/yasgui/nope", 404),
    ("GET", "/dumps/nope", 404),
    ("GET", "/sitemap.xml?page=99", 404),
    ("GET", "/sparql?format=xyz", 406),
    ("GET", "/sparql?query=ASK%7B%7D&format=xyz", 406),
    ("POST", "/sparql", 400, "query=SELEC"),
    ("GET", "/timeline?update=x", 403),
    ("POST", "/timeline", 405),
]
BAD_REQUESTS = [(*r, None) if len(r) == 3 else r for r in BAD_REQUESTS]
#: Clients that read no HTML, with what they get an error as.
NOT_BROWSERS = [(None, "text/plain"), ("*/*", "text/plain"), ("text/turtle", "text/plain"),
                ("text/plain", "text/plain"), ("application/n-quads", "text/plain"),
                ("application/sparql-results+xml", "text/plain"),
                ("application/json", "application/json"),
                ("application/ld+json", "application/json")]


def _open(client, method: str, url: str, body: str | None, accept: str | None = None):
    return client.open(url, method=method, data=body, headers={"Accept": accept} if accept else {},
                       content_type="application/x-www-form-urlencoded" if body else None)


@pytest.mark.parametrize(("method", "url", "status", "body"), BAD_REQUESTS)
def test_a_browser_gets_an_error_as_the_sites_page(client, method, url, status, body):
    """A browser (an ``Accept`` preferring HTML) got these errors in plain text, where an
    unknown IRI's 404 is a page: it gets the site's error page, with the status and the
    message other clients get, and the site's navigation."""
    text = _open(client, method, url, body)
    page = _open(client, method, url, body, BROWSER)
    assert (text.status_code, page.status_code) == (status, status)
    assert page.mimetype == "text/html" and "Accept" in page.headers["Vary"]
    html = page.get_data(as_text=True)
    assert Page(html).ids["error-message"] == " ".join(text.text.split())
    assert text.text.startswith(str(status)) or str(status) in Page(html).ids["error-status"]
    assert "/dataset" in Page(html).hrefs() and '<html lang="en">' in html
    assert _open(client, method, url, body, "text/html").data == page.data


@pytest.mark.parametrize(("method", "url", "status", "body"), BAD_REQUESTS)
def test_clients_that_read_no_html_get_an_error_as_they_did(client, method, url, status, body):
    """The error page is for browsers: no ``Accept``, ``*/*`` and every RDF or results type
    get plain text, a client naming JSON ``{"status", "message"}``, with the same message."""
    text = _open(client, method, url, body)
    assert text.status_code == status and text.mimetype == "text/plain"
    for accept, mimetype in NOT_BROWSERS:
        got = _open(client, method, url, body, accept)
        assert (got.status_code, got.mimetype) == (status, mimetype), accept
        if mimetype == "text/plain":
            assert got.data == text.data, accept
        else:
            assert {k: got.json[k] for k in ("status", "message")} == {
                "status": status, "message": text.text.rstrip("\n")}, accept


def test_a_client_taking_html_only_gets_a_406_of_a_text_route_as_a_page(client):
    """``/limits`` is text only: ``Accept: text/html`` alone is refused (406) with the page;
    ``image/png`` with the text, as before."""
    page = client.get("/limits", headers={"Accept": "text/html"})
    assert page.status_code == 406 and page.mimetype == "text/html"
    assert "/limits is available as text/plain only" in Page(page.text).ids["error-message"]
    png = client.get("/limits", headers={"Accept": "image/png"})
    assert png.status_code == 406 and png.mimetype == "text/plain"
    assert png.text.startswith("406 Not Acceptable: /limits is available as text/plain only")


def test_an_extension_the_pages_do_not_serve_is_named_with_those_they_do(client):
    served = ".ttl, .nt, .jsonld, .json, .rdf, .xml, .trig, .nq, .html"
    reply = client.get("/place/phnom-penh.xyz", headers={"Accept": "text/turtle"})
    assert reply.status_code == 404
    assert reply.text == (f"404 Not Found: .xyz is not an extension the entity pages serve; "
                          f"they serve {served}, or ?format= and Accept on the resource's own "
                          f"URL, /place/phnom-penh (<{PHNOM_PENH}>).\n")
    assert "not in this dataset" not in reply.text
    as_json = client.get("/place/phnom-penh.xyz", headers={"Accept": "application/json"})
    assert as_json.status_code == 404 and ".xyz is not an extension" in as_json.json["message"]
    page = client.get("/place/phnom-penh.XYZ", headers=HTML)
    assert page.status_code == 404 and ".XYZ is not an extension the entity pages" in page.text
    assert f"they serve {served}" in page.text and 'href="/place/phnom-penh"' in page.text
    # a resource that is not there is still not in the dataset, whatever its extension
    for missing in ("/place/nowhere.xyz", "/place/phnom-penh.ttl.ttl"):
        assert "is not in this dataset" in client.get(missing, headers={"Accept": "*/*"}).text
    # with an extension the pages serve, the resource named is the one without it
    reply = client.get("/place/nowhere.ttl", headers={"Accept": "text/turtle"})
    assert reply.status_code == 404
    assert "<https://w3id.org/kg1978/place/nowhere> is not in this dataset" in reply.text


def test_a_trailing_slash_redirects_to_the_resource(client):
    reply = client.get("/place/phnom-penh/?format=nt")
    assert reply.status_code == 301 and reply.headers["Location"] == "/place/phnom-penh?format=nt"
    assert client.get("/place/nowhere/").status_code == 404
    assert client.get("/ontology/").status_code == 200  # the ontology's own IRI ends in a slash
    for accept in (HTML, {"Accept": "text/turtle"}):  # and without it, redirects to it
        reply = client.get("/ontology", headers=accept)
        assert reply.status_code == 301 and reply.headers["Location"] == "/ontology/"
    reply = client.get("/ontology?format=nt")
    assert reply.status_code == 301 and reply.headers["Location"] == "/ontology/?format=nt"


@pytest.mark.parametrize("path", ["/validate", "/timeline", "/dataset", "/void", "/limits",
                                  "/store", "/search", "/openapi.json"])
def test_a_trailing_slash_on_a_route_of_the_app_redirects_to_it(client, path):
    """As /sparql/ to /sparql: not a 404 saying that <…/validate/> is not in the dataset."""
    reply = client.get(path + "/?format=ttl", headers=HTML)
    assert reply.status_code == 301 and reply.headers["Location"] == path + "?format=ttl"
    assert client.get(path + "/x/").status_code == 404  # only the route itself


@pytest.mark.parametrize("path", ["/validate", "/reconcile"])
def test_a_post_to_a_route_with_a_trailing_slash_is_redirected_keeping_it(client, path):
    """POST /validate/ was a 405 naming GET: the route without the slash takes the POST, and
    a 308 keeps the method and the body, as for /sparql/; a method no route takes stays 405."""
    reply = client.post(path + "/?format=json", data={"queries": "{}"})
    assert reply.status_code == 308 and reply.headers["Location"] == path + "?format=json"
    assert client.put(path + "/").status_code == 405
    assert client.post("/timeline/").status_code == 405  # /timeline takes no POST


def _version_iri(client) -> str:
    """The ontology's owl:versionIRI, as it states it."""
    ontology = ox.Store()
    ontology.load(client.get("/ontology/", headers={"Accept": "text/turtle"}).data,
                  format=ox.RdfFormat.TURTLE)
    (row,) = ontology.query(f"SELECT ?v WHERE {{ <{BASE}ontology/> "
                            "<http://www.w3.org/2002/07/owl#versionIRI> ?v }")
    return row["v"].value


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples",
                                    "application/ld+json", "application/trig",
                                    "application/rdf+xml"])
def test_the_current_version_iri_serves_the_ontology(client, accept):
    """OWL 2 Structural Specification 3.2: the current version's IRI gives that version, by
    the same negotiation as the ontology's IRI (it gave one triple, the owl:versionIRI)."""
    from kg import __version__

    version = _version_iri(client)
    assert version == f"{BASE}ontology/{__version__}"  # the package's version (one source)
    path = local_path(version)
    key, syntax = {"text/turtle": ("ttl", ox.RdfFormat.TURTLE),
                   "application/n-triples": ("nt", ox.RdfFormat.N_TRIPLES),
                   "application/ld+json": ("jsonld", ox.RdfFormat.JSON_LD),
                   "application/trig": ("trig", ox.RdfFormat.TRIG),
                   "application/rdf+xml": ("rdf", ox.RdfFormat.RDF_XML)}[accept]

    def graph(body: bytes) -> ox.Dataset:
        # compared as graphs: the JSON-LD writer labels blank nodes afresh on every call
        dataset = ox.Dataset(ox.parse(body, format=syntax))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return dataset

    ontology = graph(client.get("/ontology/", headers={"Accept": accept}).data)
    assert len(ontology) > 500
    reply = client.get(path, headers={"Accept": accept})
    assert reply.status_code == 200 and reply.mimetype == accept
    assert "Accept" in reply.headers["Vary"]
    assert graph(reply.data) == ontology
    assert graph(client.get(f"{path}?format={key}").data) == ontology
    assert graph(client.get(f"{path}.{key}").data) == ontology


def test_the_current_version_iri_is_the_ontology_page_for_browsers(client):
    path = local_path(_version_iri(client))
    for url in (path, path + ".html"):
        page = Page(client.get(url, headers=HTML).get_data(as_text=True))
        assert "/ontology/Attack" in page.hrefs(within="terms")
    assert client.get(path + "/").headers["Location"] == path


def test_an_unknown_version_of_the_ontology_is_a_404_naming_the_current_one(client):
    from kg import __version__

    version = _version_iri(client)
    for other in ("999.0.0", "0.0.1-rc.1", "v999", "999.0.0.ttl"):
        r = client.get(f"/ontology/{other}", headers={"Accept": "text/turtle"})
        assert r.status_code == 404 and r.mimetype == "text/plain", other
        text = r.get_data(as_text=True)
        assert f"no version {other!r}" in text and f"current version is {__version__}" in text
        assert f"<{version}>" in text
    r = client.get("/ontology/999.0.0", headers=HTML)
    assert r.status_code == 404
    page = Page(r.get_data(as_text=True))
    assert __version__ in page.ids["note"] and version in page.ids["note"]
    assert local_path(version) in page.hrefs(within="suggestions")


def test_terms_resolve_beside_the_version(client):
    """A term is a name (Event, startDate), a version starts with a digit: neither is taken
    for the other."""
    for term in ("Event", "startDate", "Attack"):
        r = client.get(f"/ontology/{term}", headers={"Accept": "application/n-triples"})
        assert r.status_code == 200
        subjects = {t.subject for t in ox.parse(r.data, format=ox.RdfFormat.N_TRIPLES)}
        assert ox.NamedNode(f"{BASE}ontology/{term}") in subjects
        assert r.data != client.get("/ontology/", headers={"Accept": "application/n-triples"}).data
    r = client.get("/ontology/Evnt", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and b"version" not in r.data


def test_a_kind_folder_lists_its_members_for_browsers(client, store):
    page = client.get("/place/", headers=HTML)
    assert page.status_code == 200
    members = re.findall(r'<li><a href="(/place/[^"]+)"', page.text)
    places = {r["x"] for r in rows(store, "SELECT DISTINCT ?x WHERE { ?x ?p ?o "
                                          f"FILTER(STRSTARTS(STR(?x), '{BASE}place/')) }}")}
    assert {BASE + m[1:] for m in members} == places
    names = re.findall(r'<li><a href="/place/[^"]+"[^>]*>([^<]+)</a>', page.text)
    assert names == sorted(names, key=str.casefold) and "Phnom Penh" in names
    assert client.get("/nope/", headers=HTML).status_code == 404
    # the folder exists, as a page only: a client that takes any type gets it (RFC 9110
    # §12.5.1), one that takes no HTML 406 (not a 404: that would say there is nothing)
    for accept in (None, "*/*"):
        r = client.get("/place/", headers={"Accept": accept} if accept else {})
        assert r.status_code == 200 and r.mimetype == "text/html", accept
    r = client.get("/place/", headers={"Accept": "text/turtle"})
    assert r.status_code == 406 and r.headers["Vary"] == "Accept"
    assert "text/html" in r.text
    # a format= it is not in, as that type by Accept (it was a 400 "unknown format")
    r = client.get("/place/?format=nt")
    assert r.status_code == 406 and "Accept" in r.headers["Vary"]
    assert r.text == ("406 Not Acceptable: format=nt is not a format of this resource, which is "
                      "available as text/html (format=html)\n")
    missing = client.get("/place/nowhere", headers=HTML).text
    assert '<a href="/place/"><code>place/</code></a>' in missing


@pytest.mark.parametrize("path, written", [
    ("/actor/pol-pot.ttl", "\nactor:pol-pot "),
    ("/actor/pol-pot.ttl", " wd:Q39464"),
    ("/graph/links.ttl", "link:pol-pot-wikidata-q39464 "),
    ("/dataset", "graph:links "),
    ("/ontology/Event.ttl", "kgo:Event "),
    ("/sparql?query=DESCRIBE%20%3Chttps%3A%2F%2Fw3id.org%2Fkg1978%2Fplace%2Fphnom-penh%3E",
     "place:phnom-penh "),
])
def test_turtle_names_our_iris_by_kind(client, path, written):
    """actor:pol-pot, wd:Q39464: not kg:actor\\/pol-pot (valid Turtle, but hard to read and
    to copy into a query)."""
    import rdflib

    r = client.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    text = r.get_data(as_text=True)
    assert "\\/" not in text and written in text
    parsed = rdflib.Graph().parse(data=text, format="turtle")
    assert parsed
    # it declares the prefixes it uses, not every prefix the project knows (nor rdf: for
    # rdf:type, written "a", nor xsd: for a number written bare)
    assert "@prefix" in text and not unused_prefixes(text), unused_prefixes(text)



@pytest.mark.parametrize("path", ["/ontology/Event", "/place/phnom-penh", "/graph/links"])
def test_trig_declares_only_the_prefixes_it_uses(client, path):
    """TriG keeps the named graphs, written by another path than Turtle: the same rule."""
    r = client.get(path, headers={"Accept": "application/trig"})
    assert r.status_code == 200 and r.mimetype == "application/trig"
    text = r.get_data(as_text=True)
    assert list(ox.parse(r.data, format=ox.RdfFormat.TRIG))
    assert "@prefix" in text and not unused_prefixes(text), unused_prefixes(text)

# rdflib's own JSON-LD parser builds a ConjunctiveGraph, which rdflib 7.1+ deprecates
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_json_ld_is_compacted_with_our_prefixes(client, monkeypatch):
    import rdflib.compare

    reply = client.get("/place/phnom-penh", headers={"Accept": "application/ld+json"})
    doc = json.loads(reply.data)
    assert doc["@context"]["kgo"] == BASE + "ontology/"
    assert doc["@context"]["place"] == BASE + "place/"
    node = next(n for n in doc["@graph"] if n["@id"] == "place:phnom-penh")
    assert "kgo:City" in node["@type"] and node["rdfs:label"]["@value"] == "Phnom Penh"
    turtle = rdflib.Graph().parse(data=client.get("/place/phnom-penh?format=ttl").data,
                                  format="turtle")
    assert rdflib.compare.isomorphic(rdflib.Graph().parse(data=reply.data, format="json-ld"),
                                     turtle)
    # beyond the limit, pyoxigraph's expanded form (the same triples)
    from kg.endpoint import pages

    monkeypatch.setattr(pages, "COMPACT_JSON_LD_LIMIT", 3)
    expanded = json.loads(client.get("/place/phnom-penh?format=jsonld").data)
    assert isinstance(expanded, list) and "@context" not in json.dumps(expanded)
    assert rdflib.compare.isomorphic(
        rdflib.Graph().parse(data=json.dumps(expanded), format="json-ld"), turtle)


def same_graph(a: bytes, b: bytes) -> bool:
    """Whether two JSON-LD documents hold the same graph, blank nodes matched by structure."""
    import rdflib.compare

    def graph(data: bytes) -> rdflib.Graph:
        nt = ox.serialize(list(ox.parse(data, format=ox.RdfFormat.JSON_LD)),
                          format=ox.RdfFormat.N_QUADS)
        return rdflib.Graph().parse(data=nt, format="nt")

    return rdflib.compare.isomorphic(graph(a), graph(b))


@pytest.mark.parametrize("url", [
    "/place/phnom-penh", "/place/phnom-penh.jsonld", "/place/phnom-penh?format=jsonld",
    "/ontology/hadParticipant", "/graph/links", "/dataset", "/",
    f"/store?graph={BASE}graph/entities", "/store?default",
])
def test_a_json_ld_profile_chooses_expanded_or_compacted(client, url):
    """JSON-LD 1.1 (9): the profile parameter of application/ld+json asks for a form; the
    answer says in its Content-Type which form it is, and each form has its own validator."""
    expanded = client.get(url, headers={"Accept": json_ld_accept("expanded")})
    compacted = client.get(url, headers={"Accept": json_ld_accept("compacted")})
    default = client.get(url, headers={"Accept": "application/ld+json"})
    assert expanded.status_code == compacted.status_code == default.status_code == 200
    assert expanded.headers["Content-Type"] == (
        'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"')
    assert compacted.headers["Content-Type"] == (
        'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"')
    assert default.headers["Content-Type"] == "application/ld+json"  # none asked, none said
    assert is_expanded_json_ld(json.loads(expanded.data))
    doc = json.loads(compacted.data)
    assert isinstance(doc, dict) and "@context" in doc and not is_expanded_json_ld(doc)
    assert compacted.data == default.data  # the default form of a page
    assert expanded.headers["ETag"] != compacted.headers["ETag"]
    assert "Accept" in expanded.headers["Vary"]
    assert same_graph(expanded.data, compacted.data)


@pytest.mark.parametrize("accept, form", [
    (json_ld_accept("flattened"), "compacted"),  # not made here: the default, not 406
    (json_ld_accept("frame"), "compacted"),
    (json_ld_accept("flattened", "expanded"), "expanded"),  # the form it can have
    (json_ld_accept("compacted", "flattened"), "compacted"),
    (f"{json_ld_accept('flattened')}, {json_ld_accept('expanded', q='0.5')}", "expanded"),
    (f"{json_ld_accept('expanded', q='0.5')}, application/ld+json", "compacted"),
    (f"application/ld+json;q=0.5, {json_ld_accept('expanded')}", "expanded"),
    ('application/ld+json;profile="https://example.org/other"', "compacted"),
    ('application/ld+json;profile=http://www.w3.org/ns/json-ld#expanded', "expanded"),
    # refused expanded, plain JSON-LD at 0.5: the compacted form (RFC 9110, 12.5.1)
    (f"{json_ld_accept('expanded', q='0')}, application/ld+json;q=0.5", "compacted"),
])
def test_a_json_ld_profile_is_a_preference(client, accept, form):
    r = client.get("/place/phnom-penh", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == (
        f'application/ld+json; profile="http://www.w3.org/ns/json-ld#{form}"')
    assert is_expanded_json_ld(json.loads(r.data)) is (form == "expanded")


def test_a_profile_counts_with_the_format_parameter_and_gzip(client):
    r = client.get("/place/phnom-penh?format=jsonld",
                   headers={"Accept": json_ld_accept("expanded") + ", text/html"})
    assert is_expanded_json_ld(json.loads(r.data))
    packed = client.get("/place/phnom-penh", headers={"Accept": json_ld_accept("expanded"),
                                                      "Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Content-Type"].endswith('#expanded"')
    import gzip

    assert gzip.decompress(packed.data) == client.get(
        "/place/phnom-penh", headers={"Accept": json_ld_accept("expanded")}).data


def test_compacted_beyond_the_limit_is_expanded_and_says_so(client, monkeypatch):
    monkeypatch.setattr(pages, "COMPACT_JSON_LD_LIMIT", 3)
    r = client.get("/place/phnom-penh", headers={"Accept": json_ld_accept("compacted")})
    assert r.headers["Content-Type"].endswith('#expanded"')
    assert is_expanded_json_ld(json.loads(r.data))


def test_a_dump_is_expanded_whatever_the_profile(client):
    r = client.get("/dumps/kg-asserted.jsonld", headers={"Accept": json_ld_accept("compacted")})
    assert r.headers["Content-Type"].endswith('#expanded"')
    assert is_expanded_json_ld(json.loads(r.data))


# -- robots.txt and the sitemap --------------------------------------------------------------

def _locs(xml: bytes, tag: str) -> list[str]:
    from xml.etree import ElementTree

    root = ElementTree.fromstring(xml)
    space = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert root.tag == space + tag
    return [e.text for e in root.iter(space + "loc")]


def test_robots_keeps_crawlers_out_of_queries_and_names_the_sitemap(client):
    text = client.get("/robots.txt").text
    for path in ("/sparql", "/form", "/store", "/search", "/validate", "/reconcile"):
        assert f"Disallow: {path}\n" in text
    assert "Disallow: /place" not in text and "Disallow: /dumps" not in text
    assert "Sitemap: http://localhost/sitemap.xml" in text


def test_the_sitemap_lists_every_page_and_each_answers(client, store):
    reply = client.get("/sitemap.xml")
    assert reply.headers["Content-Type"] == "application/xml; charset=utf-8"
    urls = _locs(reply.data, "urlset")
    assert len(urls) == len(set(urls)) > 100
    assert {"http://localhost/", "http://localhost/dataset", "http://localhost/timeline",
            "http://localhost/place/phnom-penh", "http://localhost/graph/links"} <= set(urls)
    for url in urls:
        assert client.get(url.removeprefix("http://localhost"),
                          headers=HTML).status_code == 200, url


def test_a_large_sitemap_is_split_into_an_index(client, monkeypatch):
    from kg.endpoint import pages

    whole = _locs(client.get("/sitemap.xml").data, "urlset")
    monkeypatch.setattr(pages, "SITEMAP_LIMIT", 100)
    parts = _locs(client.get("/sitemap.xml").data, "sitemapindex")
    assert parts == [f"http://localhost/sitemap.xml?page={n}"
                     for n in range(1, -(-len(whole) // 100) + 1)]
    pieces = [_locs(client.get(p.removeprefix("http://localhost")).data, "urlset")
              for p in parts]
    assert all(len(p) <= 100 for p in pieces) and sum(pieces, []) == whole
    assert client.get(f"/sitemap.xml?page={len(parts) + 1}").status_code == 404
    assert client.get("/sitemap.xml?page=x").status_code == 404


TWO_PARTS_TRIG = """
@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <http://schema.org/> .
@prefix src: <https://w3id.org/kg1978/source/> .
<https://w3id.org/kg1978/graph/sources> {
  src:article-part1 a kgo:Article ; rdfs:label "Article, part 1"@en ; schema:position 1 .
  src:article-part2 a kgo:Article ; rdfs:label "Article, part 2"@en ; schema:position 2 .
  src:article-part1-passage-13 a kgo:Passage ; dcterms:isPartOf src:article-part1 ;
      kgo:passageNumber 13 .
  src:article-part2-passage-2 a kgo:Passage ; dcterms:isPartOf src:article-part2 ;
      kgo:passageNumber 2 .
}
<https://w3id.org/kg1978/graph/article-part2> {
  <https://w3id.org/kg1978/event/council> a kgo:Founding ; rdfs:label "A founding"@en ;
      prov:wasDerivedFrom src:article-part2-passage-2, src:article-part1-passage-13 .
}
"""


def test_passages_of_two_parts_say_which_part(tmp_path):
    """With more than one source, "passage 2, passage 13" would read as one article's: each
    passage says its part, and part 1's come first."""
    path = tmp_path / "two.trig"
    path.write_text(TWO_PARTS_TRIG, encoding="utf-8")
    client = create_app({"root": tmp_path}, dataset=path).test_client()
    html = client.get("/event/council", headers=HTML).get_data(as_text=True)
    sources = html[html.index('id="sources"'):]
    first = sources.index(">part 1, passage 13</a>")
    assert first < sources.index(">part 2, passage 2</a>")
    assert ">passage 2</a>" not in sources


#: Serialises every JSON-LD the server writes (and a page with a blank node in each syntax)
#: for the dataset file given, printing each body's digest: run in two processes.
_SERIALISE_EVERYWHERE = """
import hashlib, sys
from pathlib import Path
from kg.endpoint import create_app
from kg.store import DatasetStore
client = create_app({"root": Path(sys.argv[2])},
                    dataset=DatasetStore.load(Path(sys.argv[1]))).test_client()
ld = {"Accept": "application/ld+json"}
for url, headers in [("/place/a", ld), ("/place/a.jsonld", {}), ("/graph/entities", ld),
                     ("/store?default", ld), ("/store?graph=https://w3id.org/kg1978/graph/entities", ld),
                     ("/dataset", ld), ("/", ld), ("/dumps/kg.jsonld", {}),
                     ("/sparql?query=DESCRIBE+%3Chttps://w3id.org/kg1978/place/c%3E", ld),
                     ("/place/a.ttl", {}), ("/place/a.nt", {}), ("/place/a.rdf", {}),
                     ("/place/a.trig", {})]:
    reply = client.get(url, headers=headers)
    assert reply.status_code == 200, (url, reply.status_code)
    tag = reply.headers.get("ETag")  # a query's is weak, drawn at start-up on purpose
    print(url, hashlib.sha256(reply.data).hexdigest(), tag if tag[:1] == '"' else "")
"""


def test_json_ld_is_the_same_bytes_from_every_process(tmp_path):
    """rdflib's JSON-LD writer gathers its nodes from a set, whose order follows the process's
    hash seed, and each load labels blank nodes its own way: a page's JSON-LD (and its
    ``ETag``) differed from worker to worker and restart to restart, so a client's
    revalidation failed. Two processes with other seeds give the same bytes (a query's
    answer too, where it holds no blank node: SPARQL scopes their labels to one answer)."""
    import os
    import subprocess
    import sys

    subjects = "\n".join(
        f"<{BASE}place/{n}> <http://www.w3.org/2000/01/rdf-schema#label> \"{n}\"@en "
        f"<{BASE}graph/entities> .\n<{BASE}place/{n}> <{BASE}ontology/placeWithin> "
        f"<{BASE}place/a> <{BASE}graph/entities> ." for n in "bcdefghijklmnop")
    data = tmp_path / "kg.nq"
    data.write_text(subjects + f"""
<{BASE}place/a> <http://www.w3.org/2000/01/rdf-schema#label> "A"@en <{BASE}graph/entities> .
<{BASE}place/a> <http://www.opengis.net/ont/geosparql#hasGeometry> _:g <{BASE}graph/entities> .
_:g <http://www.opengis.net/ont/geosparql#asWKT> "POINT(1 2)" <{BASE}graph/entities> .
_:s <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <{BASE}place/b> <{BASE}graph/entities> .
_:s <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <{BASE}ontology/placeWithin> <{BASE}graph/entities> .
_:s <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> <{BASE}place/a> <{BASE}graph/entities> .
_:s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> <{BASE}graph/entities> .
""", encoding="utf-8")
    runs = [subprocess.run([sys.executable, "-c", _SERIALISE_EVERYWHERE, str(data),
                            str(tmp_path)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    assert runs[0].count("\n") == 13
    assert runs[0] == runs[1]


@pytest.fixture
def vietnamese_client(tmp_path):
    """A dataset whose names are Vietnamese only (``@vi``): a place within a region, and an
    event there, dated."""
    g = ox.NamedNode(BASE + "graph/entities")
    place, region = ox.NamedNode(BASE + "place/tay-ninh"), ox.NamedNode(BASE + "place/nam-bo")
    event = ox.NamedNode(BASE + "event/tran-tay-ninh")
    label, kgo = ox.NamedNode(RDFS + "label"), BASE + "ontology/"
    date = ox.Literal("1978-12-25", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    store = DatasetStore.from_quads([ox.Quad(s, p, o, g) for s, p, o in (
        (place, ox.NamedNode(RDF_TYPE), ox.NamedNode(kgo + "Place")),
        (place, label, ox.Literal("Tây Ninh", language="vi")),
        (place, ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
         ox.Literal("Tỉnh Tây Ninh", language="vi")),
        (place, ox.NamedNode(kgo + "placeWithin"), region),
        (region, ox.NamedNode(RDF_TYPE), ox.NamedNode(kgo + "Place")),
        (region, label, ox.Literal("Nam Bộ", language="vi")),
        (event, ox.NamedNode(RDF_TYPE), ox.NamedNode(kgo + "Event")),
        (event, label, ox.Literal("Trận Tây Ninh", language="vi")),
        (event, ox.NamedNode(kgo + "startDate"), date),
        (event, ox.NamedNode(kgo + "onDate"), date),
        (event, ox.NamedNode(kgo + "tookPlaceAt"), place),
    )])
    return create_app({"root": tmp_path}, dataset=store).test_client()


@pytest.mark.parametrize("url, names", [
    ("/search?q=tay+ninh", ["Tây Ninh", "Trận Tây Ninh"]),
    ("/timeline", ["Trận Tây Ninh"]),
    ("/place/tay-ninh", ["Tây Ninh · kg1978", "Tây Ninh", "Tỉnh Tây Ninh", "Nam Bộ"]),
    ("/event/tran-tay-ninh", ["Trận Tây Ninh · kg1978", "Trận Tây Ninh", "Tây Ninh"]),
    ("/reconcile/preview?id=place/tay-ninh", ["Tây Ninh", "Tỉnh Tây Ninh", "Nam Bộ"]),
])
def test_names_shown_are_marked_with_their_language(vietnamese_client, url, names):
    """A label with a language tag is marked with it wherever a page shows it, the
    ``<title>`` too (the page is ``lang="en"``: a screen reader reads an unmarked Vietnamese
    name as English): search results, the timeline's marks, an entity's title, the
    reconciliation preview (its title, alternative labels and the entities of its fields)."""
    reply = vietnamese_client.get(url, headers=HTML)
    assert reply.status_code == 200
    languages = text_languages(reply.get_data(as_text=True))
    for name in names:
        assert languages.get(name) == {"vi"}, (name, languages.get(name))


def test_a_timeline_marks_title_gives_the_label_its_language(vietnamese_client):
    """A mark's ``<title>`` (its tooltip and its link's name) held the label and the dates as
    one unmarked string, read as English: the label is marked with its language, as its
    ``<text>`` is, and the dates stay in the page's."""
    html = vietnamese_client.get("/timeline", headers=HTML).get_data(as_text=True)
    languages = text_languages(html)
    holding = {text: langs for text, langs in languages.items() if "Tây Ninh" in text}
    assert holding == {"Trận Tây Ninh": {"vi"}}, holding
    assert languages["(25 December 1978)"] == {"en"}  # the page's
    titles = re.findall(r'<a class="event-mark[^>]*>\s*<title>(.*?)</title>', html, re.S)
    assert titles == ['<span lang="vi">Trận Tây Ninh</span> (25 December 1978)']


@pytest.mark.parametrize("fmt, media", [("nt", "application/n-triples"), ("ttl", "text/turtle"),
                                        ("nq", "application/n-quads")])
def test_the_ontology_of_a_dataset_without_its_header_is_its_graph(make_app, fmt, media):
    """``kg serve --dataset`` with a small file whose ontology graph has no ``owl:Ontology``
    header (tests/data/endpoint/tiny.trig): ``/ontology/`` is that graph, as for the built
    dataset, by ``?format=`` and ``Accept``, and for a browser the list of its terms. It was
    the terms' folder, a page only, and ``?format=nt`` a 400 saying N-Triples is an unknown
    format."""
    from conftest import TINY_DATASET
    from kg.iris import ONTOLOGY_GRAPH

    client = make_app().test_client()
    graph = {(q.subject, q.predicate, q.object)
             for q in ox.parse(path=TINY_DATASET, format=ox.RdfFormat.TRIG)
             if q.graph_name == ox.NamedNode(str(ONTOLOGY_GRAPH))}
    assert graph
    for r in (client.get(f"/ontology/?format={fmt}"),
              client.get("/ontology/", headers={"Accept": media})):
        assert (r.status_code, r.mimetype) == (200, media), r.data
        served = {(q.subject, q.predicate, q.object)
                  for q in ox.parse(r.data, format=ox.RdfFormat.from_media_type(media))}
        assert served == graph
        assert "accept" in r.vary and r.headers["Access-Control-Allow-Origin"] == "*"
    # by its file extension too, as the built dataset's /ontology/.ttl (it was a 404)
    by_extension = client.get(f"/ontology/.{fmt}", headers=HTML)
    assert (by_extension.status_code, by_extension.mimetype) == (200, media)
    assert by_extension.data == client.get(f"/ontology/?format={fmt}").data
    assert by_extension.headers["Link"] == f'<{BASE}ontology/>; rel="canonical"'
    for page in (client.get("/ontology/", headers=HTML), client.get("/ontology/.html")):
        assert page.status_code == 200 and b'href="/ontology/Attack"' in page.data


def test_the_ontology_of_a_dataset_without_one_is_a_404_saying_so(make_app, tmp_path):
    """A dataset with no ontology graph: ``/ontology/`` is a 404 that says so, in every
    format and for a browser."""
    data = tmp_path / "places.ttl"
    data.write_text('<https://w3id.org/kg1978/place/x> '
                    '<http://www.w3.org/2000/01/rdf-schema#label> "X" .\n')
    client = make_app(dataset=DatasetStore.load(data)).test_client()
    for r in (client.get("/ontology/?format=nt"), client.get("/ontology/"),
              client.get("/ontology/", headers={"Accept": "text/turtle"}),
              client.get("/ontology/.nt"), client.get("/ontology/.ttl")):
        assert r.status_code == 404 and r.mimetype == "text/plain"
        assert "has no ontology graph <https://w3id.org/kg1978/graph/ontology>" in r.text
    page = client.get("/ontology/", headers=HTML)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "has no ontology graph" in page.text
