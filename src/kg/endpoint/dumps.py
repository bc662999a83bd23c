"""The dataset as files, and its description: ``/dumps/NAME`` and ``/dataset``.

Dumps: ``/dumps/kg.{trig,nq,ttl,jsonld}`` hold every named graph with the inferred one;
``/dumps/kg-asserted.{trig,nq,ttl,jsonld}`` leave ``…/graph/inferred`` out. TriG, N-Quads and
JSON-LD keep the named graphs; Turtle is the union of the graphs as triples (each once). Each
dump is serialised once per process, on first request, in a stable order with blank nodes
relabelled by content, so every worker serves the same bytes. Responses carry a strong ``ETag``
(the SHA-256 of the body) and ``Last-Modified`` (the dataset file's modification time, else the
time the app started), and answer conditional requests with 304. A client that accepts gzip
gets the dump gzipped (compressed once per process and kept), under the tag with ``-gzip``.
A dump is static bytes, so it answers a single byte range (RFC 9110, 14): ``Range:
bytes=0-1023``, ``bytes=1024-``, ``bytes=-500`` get 206 with ``Content-Range``, of the bytes
sent (the gzipped ones where gzip was chosen); a range that starts past the end gets 416 with
``Content-Range: bytes */N``; ``If-Range`` with the current tag (compared strongly) or the
exact ``Last-Modified`` date lets the range through, anything else gets the whole dump. Several
ranges in one request, a malformed or non-byte range are answered with the whole dump (200):
RFC 9110 lets a server ignore ``Range``, and a multipart answer is not worth its code here.

``/dataset`` describes the dataset in VoID and DCAT: the VoID of :mod:`.description`, triple
for triple (served alone at ``/void``; the one source of the counts, the linksets and their
targets) plus licence, version, creator, modification date, the SPARQL endpoint and the graph
store (``/store``) as ``dcat:DataService`` and each dump as a ``dcat:Distribution`` with media
type, byte size and checksum. Browsers get it as HTML (whose links per authority are those of
:func:`kg.links.coverage`), RDF clients by ``Accept`` or ``?format=`` (see
:func:`kg.endpoint.pages.negotiate`).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.http import parse_date

from kg import __version__, iris
from kg.endpoint import compression
from kg.endpoint.caching import conditional
from kg.endpoint.description import DATASET
from kg.endpoint.pages import (
    CORS_READ,
    REPRESENTATIONS,
    Representation,
    curie,
    error_answer,
    error_response,
    footer_context,
    local_path,
    quad_key,
    representation_or_error,
    serialize,
)
from kg.endpoint.protocol import names_json_ld_profile
from kg.endpoint.responses import base_url
from kg.endpoint.results import json_ld_content_type
from kg.endpoint.state import per_app
from kg.links import coverage
from kg.store import DatasetStore

__all__ = ["bp", "byte_range", "DUMP_FORMATS", "VARIANTS", "Dump", "Dumps", "dataset_rdf",
           "dataset_triples", "dump_names", "send_dump"]

bp = Blueprint("dumps", __name__)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
OWL = "http://www.w3.org/2002/07/owl#"
SPDX = "http://spdx.org/rdf/terms#"
XSD = "http://www.w3.org/2001/XMLSchema#"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
TITLE = "kg1978: the 1978–79 war on Vietnam's Southwestern border"
DESCRIPTION = ("A linked-data knowledge graph of the 1978-79 war on Vietnam's Southwestern border "
               "and the fall of the Pol Pot regime, curated from a translated history series, "
               "with OWL 2 RL inferences kept in their own named graph.")
KEYWORDS = ("Cambodian-Vietnamese War", "linked data")
INFERRED = str(iris.INFERRED_GRAPH)


@dataclass(frozen=True)
class DumpFormat:
    extension: str
    title: str
    media_type: str
    content_type: str
    rdf: ox.RdfFormat
    w3c: str  # the format's IRI in http://www.w3.org/ns/formats/


DUMP_FORMATS: dict[str, DumpFormat] = {f.extension: f for f in (
    DumpFormat("trig", "TriG", "application/trig", "application/trig", ox.RdfFormat.TRIG,
               "http://www.w3.org/ns/formats/TriG"),
    DumpFormat("nq", "N-Quads", "application/n-quads", "application/n-quads",
               ox.RdfFormat.N_QUADS, "http://www.w3.org/ns/formats/N-Quads"),
    DumpFormat("ttl", "Turtle", "text/turtle", "text/turtle; charset=utf-8",
               ox.RdfFormat.TURTLE, "http://www.w3.org/ns/formats/Turtle"),
    DumpFormat("jsonld", "JSON-LD", "application/ld+json", "application/ld+json",
               ox.RdfFormat.JSON_LD, "http://www.w3.org/ns/formats/JSON-LD"),
)}
#: Dump name stem -> (with inferences?, description).
VARIANTS: dict[str, tuple[bool, str]] = {
    "kg": (True, "every named graph, with the OWL 2 RL inferences (graph/inferred)"),
    "kg-asserted": (False, "the asserted named graphs only, without graph/inferred"),
}


def dump_names() -> list[str]:
    """The file names of the dumps (``kg.trig``, …, ``kg-asserted.jsonld``), in order."""
    return [f"{v}.{ext}" for v in VARIANTS for ext in DUMP_FORMATS]


@dataclass(frozen=True)
class Dump:
    name: str
    variant: str
    inferred: bool
    format: DumpFormat
    body: bytes
    sha256: str

    @property
    def etag(self) -> str:
        return "sha256-" + self.sha256



class Dumps:
    """The dumps of one store, serialised on first use and kept."""

    def __init__(self, store: DatasetStore):
        self.store = store
        self._lock = threading.Lock()
        self._quads: list[ox.Quad] | None = None
        self._dumps: dict[str, Dump] = {}
        self._gzipped: dict[str, bytes] = {}
        self._coverage: dict | None = None
        self._creator: str | None = None
        self.last_modified = _modified(store)

    def names(self) -> list[str]:
        return dump_names()

    def get(self, name: str) -> Dump | None:
        stem, _, ext = name.rpartition(".")
        if stem not in VARIANTS or ext not in DUMP_FORMATS:
            return None
        with self._lock:
            dump = self._dumps.get(name)
            if dump is None:
                dump = self._dumps[name] = self._make(stem, DUMP_FORMATS[ext])
            return dump

    def gzipped(self, dump: Dump) -> bytes:
        """``dump``'s bytes gzipped, made on first use and kept."""
        with self._lock:
            found = self._gzipped.get(dump.name)
            if found is None:
                found = self._gzipped[dump.name] = compression.compress(dump.body)
            return found

    def all(self) -> list[Dump]:
        """Every dump, made now if need be; the quads they were made from are then let go."""
        made = [d for d in (self.get(n) for n in self.names()) if d is not None]
        with self._lock:
            self._quads = None
        return made

    def _all_quads(self) -> list[ox.Quad]:
        if self._quads is None:
            rows = self.store.query("SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION "
                                    "{ GRAPH ?g { ?s ?p ?o } } }", has_dataset_clause=True)
            self._quads = _canonical([ox.Quad(r["s"], r["p"], r["o"],
                                              r["g"] or ox.DefaultGraph()) for r in rows])
        return self._quads

    def _make(self, variant: str, fmt: DumpFormat) -> Dump:
        inferred = VARIANTS[variant][0]
        quads = self._all_quads()
        if not inferred:
            quads = [q for q in quads if not (isinstance(q.graph_name, ox.NamedNode)
                                              and q.graph_name.value == INFERRED)]
        rep = next(r for r in REPRESENTATIONS if r.rdf == fmt.rdf)
        body = serialize(quads, rep, dataset=True)
        return Dump(f"{variant}.{fmt.extension}", variant, inferred, fmt, body,
                    hashlib.sha256(body).hexdigest())

    def coverage(self) -> dict:
        with self._lock:
            if self._coverage is None:
                self._coverage = coverage(_UnionView(self.store))
            return self._coverage

    def creator(self) -> str:
        if self._creator is None:
            rows = self.store.select(
                f"SELECT ?c WHERE {{ <{iris.ONTOLOGY}> <{DCT}creator> ?c }} ORDER BY ?c LIMIT 1")
            self._creator = rows[0]["c"].value if rows else "kg contributors"
        return self._creator


class _UnionView:
    """What :func:`kg.links.coverage` asks of a pyoxigraph store, answered by a DatasetStore
    (whose default graph already is the union of the graphs)."""

    def __init__(self, store: DatasetStore):
        self._store = store

    def query(self, text: str, use_default_graph_as_union: bool = True):
        return self._store.query(text)


def _modified(store: DatasetStore) -> datetime:
    """The dataset file's modification time, else now (the app's start)."""
    if store.source and Path(store.source).is_file():
        stamp = Path(store.source).stat().st_mtime
    else:
        stamp = time.time()
    return datetime.fromtimestamp(int(stamp), tz=UTC)


def _canonical(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads sorted, with blank nodes relabelled in order of first appearance; a blank
    node sorts by what it is said to be (its triples), so the order does not depend on the
    labels the parser gave."""
    signature: dict[str, list] = defaultdict(list)
    for q in quads:
        if isinstance(q.subject, ox.BlankNode):
            signature[q.subject.value].append(("s", q.predicate.value, _plain(q.object)))
        if isinstance(q.object, ox.BlankNode):
            signature[q.object.value].append(("o", q.predicate.value, _plain(q.subject)))
    sig = {b: repr(sorted(v)) for b, v in signature.items()}

    def key(term) -> tuple:
        if isinstance(term, ox.BlankNode):
            return (1, sig.get(term.value, ""), "", "")
        return (0, *_plain(term))

    ordered = sorted(set(quads), key=lambda q: (key(q.graph_name), key(q.subject),
                                                key(q.predicate), key(q.object)))
    labels: dict[str, ox.BlankNode] = {}

    def relabel(term):
        if isinstance(term, ox.BlankNode):
            if term.value not in labels:
                labels[term.value] = ox.BlankNode(f"b{len(labels)}")
            return labels[term.value]
        return term

    return [ox.Quad(relabel(q.subject), q.predicate, relabel(q.object), relabel(q.graph_name))
            for q in ordered]


def _plain(term) -> tuple:
    if isinstance(term, ox.BlankNode):
        return ("_", "", "")
    if isinstance(term, ox.Literal):
        return (term.value, term.datatype.value, term.language or "")
    if isinstance(term, ox.NamedNode):
        return (term.value, "", "")
    return ("", "", "")


def dumps() -> Dumps:
    """This app's :class:`Dumps`, made on first use."""
    return per_app("kg.dumps", Dumps)


# -- the description: VoID (from description.py) + DCAT -------------------------------------------

def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _typed(value, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + datatype))


def citation(creator: str, year: int) -> str:
    """How to cite the dataset (its version and persistent base IRI; the licence asks for
    attribution)."""
    return (f"{creator} ({year}). kg1978 knowledge graph: the 1978–79 war on Vietnam's "
            f"Southwestern border and the fall of the Pol Pot regime (version {__version__}) "
            f"[dataset]. {iris.BASE}. CC BY 4.0.")


def dataset_triples(root: str) -> list[ox.Triple]:
    """VoID and DCAT of the dataset as served at ``root``: the VoID of ``/void``, every triple
    of it (the same linksets, targets and counts), extended with DCAT."""
    state = current_app.extensions["kg"]
    d = dumps()
    triples = list(state.descriptions.void_triples(root))
    ds = _n(DATASET)  # the IRI the citation gives, on every server
    here = root + "/dataset"
    endpoint = _n(root + "/sparql")
    creator = _n(iris.BASE + "dataset#creator")

    def add(s, p: str, o) -> None:
        triples.append(ox.Triple(s, _n(p), o))

    add(ds, RDF + "type", _n(DCAT + "Dataset"))
    add(ds, DCT + "description", ox.Literal(DESCRIPTION, language="en"))
    add(ds, DCT + "license", _n(LICENCE))
    add(ds, DCT + "creator", creator)
    add(ds, DCT + "publisher", creator)
    add(creator, RDF + "type", _n(FOAF + "Agent"))
    add(creator, FOAF + "name", ox.Literal(d.creator()))
    add(ds, DCT + "bibliographicCitation",
        ox.Literal(citation(d.creator(), d.last_modified.year)))
    # what the graph is curated from: each article (its page says what its copy gives)
    for row in state.store.select(f"SELECT DISTINCT ?a WHERE {{ ?a a <{iris.KGO}Article> }}"):
        if isinstance(row.get("a"), ox.NamedNode):
            add(ds, DCT + "source", row["a"])
            add(ds, PROV + "wasDerivedFrom", row["a"])
    add(ds, DCAT + "version", ox.Literal(__version__))
    add(ds, OWL + "versionInfo", ox.Literal(__version__))
    add(ds, DCT + "modified", _typed(d.last_modified.isoformat(timespec="seconds"),
                                     "dateTime"))
    add(ds, DCAT + "landingPage", _n(here))
    add(ds, DCT + "conformsTo", _n(str(iris.ONTOLOGY)))
    from kg.endpoint.shapes import shapes

    if shapes().graph is not None:  # the SHACL shapes the build validates it against
        add(ds, DCT + "conformsTo", _n(iris.SHAPES))
    for keyword in KEYWORDS:
        add(ds, DCAT + "keyword", ox.Literal(keyword, language="en"))

    # The SPARQL endpoint, as a DCAT data service and as a distribution accessed through it.
    add(endpoint, RDF + "type", _n(DCAT + "DataService"))
    add(endpoint, DCAT + "endpointURL", endpoint)
    add(endpoint, DCAT + "endpointDescription", endpoint)
    add(endpoint, DCAT + "servesDataset", ds)
    add(endpoint, DCT + "conformsTo", _n("https://www.w3.org/TR/sparql11-protocol/"))
    add(endpoint, DCT + "title", ox.Literal("SPARQL 1.1 endpoint", language="en"))
    via = _n(root + "/sparql#distribution")
    add(ds, DCAT + "distribution", via)
    add(via, RDF + "type", _n(DCAT + "Distribution"))
    add(via, DCAT + "accessURL", endpoint)
    add(via, DCAT + "accessService", endpoint)
    add(via, DCT + "title", ox.Literal("SPARQL endpoint", language="en"))
    # The read-only Graph Store Protocol service (kg.endpoint.graphstore).
    store = _n(root + "/store")
    add(store, RDF + "type", _n(DCAT + "DataService"))
    add(store, DCAT + "endpointURL", store)
    add(store, DCAT + "servesDataset", ds)
    add(store, DCT + "conformsTo", _n("https://www.w3.org/TR/sparql11-http-rdf-update/"))
    add(store, DCT + "title", ox.Literal("SPARQL 1.1 Graph Store Protocol, read-only",
                                          language="en"))

    for dump in d.all():
        url = _n(f"{root}/dumps/{dump.name}")  # the VoID's void:dataDump
        add(ds, DCAT + "distribution", url)
        add(url, RDF + "type", _n(DCAT + "Distribution"))
        add(url, DCAT + "downloadURL", url)
        add(url, DCAT + "accessURL", url)
        add(url, DCAT + "mediaType",
            _n("https://www.iana.org/assignments/media-types/" + dump.format.media_type))
        add(url, DCT + "format", _n(dump.format.w3c))
        add(url, DCAT + "byteSize", _typed(len(dump.body), "nonNegativeInteger"))
        contents = "with inferences" if dump.inferred else "asserted only"
        add(url, DCT + "title", ox.Literal(f"{dump.format.title}, {contents}", language="en"))
        add(url, DCT + "description", ox.Literal(VARIANTS[dump.variant][1], language="en"))
        add(url, DCT + "license", _n(LICENCE))
        add(url, DCT + "modified", _typed(d.last_modified.isoformat(timespec="seconds"),
                                          "dateTime"))
        checksum = _n(f"{root}/dumps/{dump.name}#sha256")
        add(url, SPDX + "checksum", checksum)
        add(checksum, RDF + "type", _n(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", _n(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", _typed(dump.sha256, "hexBinary"))

    return list(dict.fromkeys(triples))


def schema_org_dataset(root: str, model: dict) -> dict:
    """The dataset as schema.org ``Dataset`` JSON-LD, for the landing page's
    ``<script type="application/ld+json">`` (what dataset search engines read): the facts of
    the page's ``model`` (:func:`_dataset_model`), with the time span and the countries the
    events cover, from the data."""
    state = current_app.extensions["kg"]
    schema = "http://schema.org/"
    span = state.store.select(
        f"SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{ ?e a <{schema}Event> . "
        f"{{ ?e <{schema}startDate> ?d }} UNION {{ ?e <{schema}endDate> ?d }} }}")
    countries = state.store.select(
        f"SELECT DISTINCT ?c ?name WHERE {{ ?c a <{schema}Country> ; <{RDFS}label> ?name "
        f"FILTER(LANGMATCHES(LANG(?name), \"en\")) }} ORDER BY ?name")
    doc: dict = {
        "@context": "https://schema.org/", "@type": "Dataset", "@id": DATASET,
        "name": TITLE, "description": DESCRIPTION, "url": root + "/dataset",
        "identifier": iris.BASE, "version": model["version"], "license": model["licence"],
        "isAccessibleForFree": True, "inLanguage": "en", "keywords": list(KEYWORDS),
        "creator": {"@type": "Organization", "name": model["creator"]},
        "citation": model["citation"], "dateModified": model["modified"],
        "distribution": [{"@type": "DataDownload", "name": dump["name"],
                          "contentUrl": f"{root}/dumps/{dump['name']}",
                          "encodingFormat": dump["media_type"],
                          "contentSize": f"{dump['size']} B"} for dump in model["dumps"]],
    }
    first, last = (span[0].get("first"), span[0].get("last")) if span else (None, None)
    if first is not None and last is not None:
        doc["temporalCoverage"] = f"{first.value[:10]}/{last.value[:10]}"
    if countries:
        # the label with its language tag, as the entity pages' markup keeps it
        doc["spatialCoverage"] = [{"@type": "Country", "@id": r["c"].value,
                                   "name": {"@value": r["name"].value,
                                            "@language": r["name"].language}}
                                  for r in countries]
    return doc


def _dataset_model(root: str) -> dict:
    state = current_app.extensions["kg"]
    d = dumps()
    stats = state.descriptions.stats()
    cov = d.coverage()

    def ref(iri: str) -> dict:
        path = local_path(iri)
        return {"iri": iri, "curie": curie(iri),
                "href": request.script_root + path if path else iri, "external": path is None}

    classes = sorted(stats["classes"].items(), key=lambda kv: (-kv[1], curie(kv[0])))
    return {
        "version": __version__, "creator": d.creator(), "licence": LICENCE,
        "citation": citation(d.creator(), d.last_modified.year),
        "modified": d.last_modified.isoformat(timespec="seconds"),
        "triples": stats["triples"], "entities": stats["entities"],
        "graphs": [{"ref": ref(g), "triples": n} for g, n in sorted(stats["graphs"].items())],
        "classes": [{"ref": ref(c), "entities": n} for c, n in classes],
        "authorities": [{"name": k, **v} for k, v in cov["authorities"].items()],
        "linked": cov["linked"], "linkable": cov["entities"],
        "dumps": [{"name": x.name, "href": url_for("dumps.dump", name=x.name),
                   "format": x.format.title, "media_type": x.format.media_type,
                   "inferred": x.inferred, "size": len(x.body), "sha256": x.sha256}
                  for x in d.all()],
        "endpoint": root + "/sparql",
        "alternates": [{"type": r.media_type, "title": r.title,
                        "href": url_for("dumps.dataset", format=r.key)}
                       for r in REPRESENTATIONS if r.rdf is not None],
    }


# -- routes ------------------------------------------------------------------------------------

@bp.route("/dataset", methods=["GET"])
def dataset() -> Response:
    """The dataset's VoID + DCAT description: HTML for browsers, RDF by Accept or ?format=."""
    rep = representation_or_error()
    if isinstance(rep, Response):
        return rep
    root = base_url(request.environ)
    if rep.rdf is None:
        model = _dataset_model(root)
        html = render_template("dumps_dataset.html", d=model, alternates=model["alternates"],
                               structured_data=schema_org_dataset(root, model),
                               **footer_context())
        return Response(html, 200, {"Content-Type": "text/html; charset=utf-8",
                                    "Vary": "Accept"})
    return dataset_rdf(root, rep)


def dataset_rdf(root: str, rep: Representation) -> Response:
    """The description in RDF: ``/dataset``'s, and ``/``'s for an RDF client (the dataset's
    IRI, ``https://w3id.org/kg1978/``, dereferenced)."""
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
             for t in dataset_triples(root)]
    return Response(serialize(sorted(quads, key=quad_key), rep), 200, {
        "Content-Type": rep.content_type, "Vary": "Accept", **CORS_READ})


@bp.route("/dumps/", methods=["GET"])
def index() -> Response:
    """The downloads are listed on the dataset's page: a permanent redirect there, 301 (the
    route takes ``GET`` and ``HEAD`` only, which a 301 keeps; Flask's default was 302)."""
    from kg.endpoint.routes import moved_to

    return moved_to("/dataset", 301, "#downloads")


@bp.route("/dumps/<name>", methods=["GET"])
def dump(name: str) -> Response:
    """One dump, gzipped where the client accepts it, with ETag / Last-Modified, conditional
    GET and single byte ranges."""
    found = dumps().get(name)
    if found is None:
        listed = ", ".join(dumps().names())
        return error_answer(404, f"Not Found: no dump {name!r}; there are {listed}")
    return send_dump(found, found.format.content_type)


def send_dump(found: Dump, content_type: str, headers: dict | None = None) -> Response:
    """The answer carrying ``found``'s bytes as ``content_type``: ``/dumps/NAME`` and the
    whole dataset from ``/store``."""
    coding = compression.choose(request.headers.get("Accept-Encoding"), len(found.body),
                                content_type)
    body = found.body if coding is None else dumps().gzipped(found)
    if content_type.startswith("application/ld+json") and names_json_ld_profile(
            request.headers.get("Accept")):
        content_type = json_ld_content_type(found.body)
    response = Response(body, 200, {
        "Content-Type": content_type, "Cache-Control": "no-cache",
        "Vary": "Accept-Encoding", "Accept-Ranges": "bytes",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Length, Content-Range, "
                                         "Accept-Ranges",
        **(headers or {})})
    if coding is not None:
        response.headers["Content-Encoding"] = coding
    response.headers["Vary"] = compression.with_vary(response.headers["Vary"])
    response.set_etag(found.etag if coding is None else f"{found.etag}-{coding}")
    response.last_modified = dumps().last_modified
    response = conditional(response)
    if response.status_code == 200:
        return byte_range(response, body)
    return response


def byte_range(response: Response, body: bytes) -> Response:
    """The answer to send for ``response``, the whole ``body``: a single byte range of it
    (206), or a 416 where the range starts past the end — the dumps, ``/store``, the static
    files and YASGUI's. ``response`` itself where there is no ``Range``, ``If-Range`` names
    another version, or the range is not one well-formed byte range. The 416 is an error as
    the site's others are (:func:`kg.endpoint.pages.error_response`: a browser's is the error
    page, a JSON client's JSON, any other's plain text), with ``Content-Range: bytes */N``."""
    header = request.headers.get("Range")
    if header is None or not _if_range_holds(response):
        return response
    wanted = _single_byte_range(header)
    if wanted is None:
        return response
    size = len(body)
    first, last = wanted
    if first is None:  # bytes=-N: the last N bytes
        if last == 0:
            first = size  # an empty suffix is no byte at all
        else:
            first, last = max(size - last, 0), size - 1
    elif last is None or last >= size:
        last = size - 1
    if first >= size or size == 0:
        # a message, not the file's bytes: no Content-Encoding, ETag or Last-Modified of it
        refused = error_response(416, f"416 Range Not Satisfiable: the representation has "
                                      f"{size} bytes; {header} starts past its end")
        refused.headers["Content-Range"] = f"bytes */{size}"
        for name in ("Accept-Ranges", "Access-Control-Expose-Headers"):  # Content-Range's
            if name in response.headers:
                refused.headers[name] = response.headers[name]
        for name in response.vary:  # the size is the gzipped bytes' where gzip was chosen
            refused.vary.add(name)
        return refused
    response.status_code = 206
    response.set_data(body[first:last + 1])
    response.headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    return response


_BYTE_RANGE = re.compile(r"\s*bytes\s*=\s*(?:(\d+)\s*-\s*(\d*)|-\s*(\d+))\s*", re.ASCII)


def _single_byte_range(header: str) -> tuple[int | None, int | None] | None:
    """(first, last) of ``bytes=first-last`` (last None: to the end), (None, N) of
    ``bytes=-N``; None for anything else (several ranges, another unit, a malformed one)."""
    found = _BYTE_RANGE.fullmatch(header)
    if found is None:
        return None
    first, last, suffix = found.groups()
    if suffix is not None:
        return None, int(suffix)
    if last and int(last) < int(first):
        return None  # invalid: RFC 9110 (14.1.1) lets it be ignored
    return int(first), int(last) if last else None


def _if_range_holds(response: Response) -> bool:
    """Whether ``If-Range`` (if any) names the version being sent: its strong ``ETag``
    (a weak tag never matches), or exactly its ``Last-Modified`` date (RFC 9110, 13.1.5)."""
    condition = request.headers.get("If-Range")
    if condition is None:
        return True
    condition = condition.strip()
    if condition.startswith(("W/", '"')):
        return condition == response.headers.get("ETag")
    date = parse_date(condition)
    return date is not None and date == parse_date(response.headers.get("Last-Modified"))
