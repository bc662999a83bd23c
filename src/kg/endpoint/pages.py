"""Dereferenceable IRIs and the timeline: a page for every IRI of the dataset, and ``/timeline``.

The base IRI ``https://w3id.org/kg1978/`` maps onto the server's root:
``https://w3id.org/kg1978/place/phnom-penh`` is ``GET /place/phnom-penh``,
``https://w3id.org/kg1978/ontology/Attack`` is ``GET /ontology/Attack``, the ontology itself
``https://w3id.org/kg1978/ontology/`` is ``GET /ontology/``, a named graph
``…/graph/NAME`` is ``GET /graph/NAME``. Every IRI under the base that occurs in the dataset
(as subject, predicate, object or graph name) resolves; any other path under a first segment
gets a 404 that suggests near names. The ontology's current version IRI
(``…/ontology/0.1.0``, its ``owl:versionIRI``) serves the ontology as its IRI does (OWL 2
Structural Specification, 3.2: a version IRI locates that version); another version is a 404
that names the current one.

**Content negotiation, on the same URL** (no 303 redirect; responses carry ``Vary: Accept``):

* a client that lists ``text/html`` (every browser) gets the HTML page;
* an RDF client gets Turtle, N-Triples, JSON-LD, TriG, N-Quads or RDF/XML by its ``Accept``
  header, or by ``?format=ttl|nt|jsonld|trig|nq|rdf|html`` (which wins);
* a client that names no type (no ``Accept``, or only ``*/*``: curl, scripts) gets Turtle;
* a type none of these matches gets 406 with the list of what is offered.

**The names' language**: an HTML page gives names in the language ``?lang=`` names, else the
one ``Accept-Language`` prefers among English and the languages the data names enough
entities in (:func:`page_language`), each marked with its language, English where the data
has no name in it; the page's own words stay English (``Content-Language: en, vi``), and a
page the header chose for says ``Vary: Accept-Language``. The RDF is the same in every
language.

The RDF of an entity is what the dataset says about it (every graph, asserted and inferred),
what points at it, the reified ``rdf:Statement`` s about it, and what is said of its geometries
(``geo:hasGeometry``: a place's ``geo:asWKT``); TriG and N-Quads keep the named graphs apart.
A named graph's IRI gives the graph's triples; the ontology's IRI gives the ontology graph.
JSON-LD is compacted with our prefixes, or expanded where a ``profile`` of the ``Accept``
header asks for it (:func:`kg.endpoint.protocol.json_ld_form`).

Pages are rendered by Jinja (autoescaped; nothing is marked safe) and need no JavaScript. What
every page needs (labels, the IRIs that exist, passages, geometries, reified statements, the
event, unit and place hierarchies) is computed once per app by :class:`Site`; a page then costs
one SPARQL query.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, redirect, render_template, request

from kg import __version__, iris
from kg.endpoint.protocol import (
    best_match,
    first_format,
    json_ld_form,
    named_formats,
    prefers_html,
)
from kg.endpoint.responses import answered_by_a_route, error_parts, status_line
from kg.endpoint.results import (
    COMPACT_JSON_LD_LIMIT,
    GRAPH_SYNTAXES,
    used_prefixes,
    without_unused_its,
    write_triples,
)
from kg.endpoint.state import per_app
from kg.links import AUTHORITIES, authority_of
from kg.store import DatasetStore, solution_dicts

__all__ = ["bp", "Site", "site", "Representation", "REPRESENTATIONS", "negotiate",
           "local_path", "CORS_READ", "content_location", "stable_blank_nodes",
           "error_response"]

bp = Blueprint("pages", __name__)

BASE = iris.BASE
KGO = BASE + "ontology/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
GEO = "http://www.opengis.net/ont/geosparql#"
SCHEMA = "http://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
INFERRED = str(iris.INFERRED_GRAPH)
ONTOLOGY = str(iris.ONTOLOGY)
ONTOLOGY_GRAPH = str(iris.ONTOLOGY_GRAPH)

_PROLOGUE = iris.sparql_prologue()
#: The fewest entities the data must name in a language for the pages to offer it.
LANGUAGE_MIN_NAMES = 5
#: Most values listed per property on a page (the RDF representations are never cut).
MAX_VALUES = 500
#: Most paths drawn up one hierarchy from an entity (entities reached by several routes
#: multiply them).
MAX_PATHS = 50
#: The hierarchies drawn on pages: (property, title, what is above, what is below).
HIERARCHIES = (
    (KGO + "subEventOf", "Events", "Part of", "Sub-events"),
    (KGO + "subordinateTo", "Unit hierarchy", "Subordinate to", "Subordinate units"),
    (KGO + "organOf", "Party and state bodies", "Organ of", "Organs"),
    (KGO + "placeWithin", "Places", "Within", "Places within"),
)
LABEL_PREDICATES = (RDFS + "label", SKOS + "altLabel", SKOS + "prefLabel")
DESCRIPTION_PREDICATES = (SCHEMA + "description", RDFS + "comment")
AUTHORITY_PREDICATES = (SKOS + "exactMatch", SKOS + "closeMatch")
#: A resource's geometries, whose own triples its RDF includes (:meth:`Site.description`).
GEOMETRY_PREDICATES = (GEO + "hasGeometry", GEO + "hasDefaultGeometry")
DATE_PREDICATES = (KGO + "startDate", KGO + "latestStart", KGO + "endDate", KGO + "notAfter",
                   KGO + "notBefore", KGO + "undatedInSource", KGO + "endUndatedInSource",
                   KGO + "onDate")


#: The CORS headers of a resource's RDF: any origin may read it, and a script may read the
#: headers that say what it is (the alternates in ``Link``, the representation's own URL in
#: ``Content-Location``, the ``ETag`` to revalidate with), which CORS hides unless exposed.
CORS_READ = {"Access-Control-Allow-Origin": "*",
             "Access-Control-Expose-Headers": "Link, Content-Location, ETag"}


# -- content negotiation ---------------------------------------------------------------------

@dataclass(frozen=True)
class Representation:
    """One way to answer: HTML, or an RDF syntax."""

    key: str
    media_type: str
    content_type: str
    rdf: ox.RdfFormat | None
    names: tuple[str, ...]
    title: str
    #: JSON-LD only: the form a profile of the Accept header asked for, None: the default
    json_ld_form: str | None = None

    @property
    def quads(self) -> bool:
        # TriG and N-Quads only. JSON-LD could carry the graphs too, but then a reader of
        # triples (rdflib's Graph.parse, a schema.org consumer) finds nothing at the top level.
        return self.rdf in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)


#: In order of preference for a client that accepts anything (``*/*``): Turtle first.
REPRESENTATIONS: tuple[Representation, ...] = (
    Representation("ttl", "text/turtle", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE,
                   ("ttl", "turtle"), "Turtle"),
    Representation("html", "text/html", "text/html; charset=utf-8", None, ("html",), "HTML"),
    Representation("jsonld", "application/ld+json", "application/ld+json",
                   ox.RdfFormat.JSON_LD, ("jsonld", "json-ld", "json"), "JSON-LD"),
    Representation("nt", "application/n-triples", "application/n-triples",
                   ox.RdfFormat.N_TRIPLES, ("nt", "ntriples", "n-triples"), "N-Triples"),
    Representation("trig", "application/trig", "application/trig", ox.RdfFormat.TRIG,
                   ("trig",), "TriG"),
    Representation("nq", "application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS,
                   ("nq", "nquads", "n-quads"), "N-Quads"),
    Representation("rdf", "application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML,
                   ("rdf", "xml", "rdfxml", "rdf-xml"), "RDF/XML"),
)
_BY_KEY = {r.key: r for r in REPRESENTATIONS}
_MEDIA_ALIASES = {"application/xhtml+xml": "html", "application/json": "jsonld",
                  "application/x-turtle": "ttl", "text/n3": "ttl"}  # Turtle is N3
_BY_MEDIA = {**{r.media_type: r for r in REPRESENTATIONS},
             **{m: _BY_KEY[k] for m, k in _MEDIA_ALIASES.items()},
             # N-Triples under its media type of old, which rdflib still asks for
             # (``Graph.parse(url, format="nt")``), answered with that type
             "text/plain": replace(_BY_KEY["nt"], media_type="text/plain",
                                   content_type="text/plain; charset=utf-8")}
_BY_NAME = {n: r for r in REPRESENTATIONS for n in (*r.names, r.media_type)}
#: Other media types of a representation: chosen only where the client names them.
_ALIASES = frozenset(_BY_MEDIA) - {r.media_type for r in REPRESENTATIONS}


class FormatNotOffered(ValueError):
    """A ``format`` parameter that names no representation the resource offers: a syntax it
    is not in (``/timeline?format=ttl``), or no syntax at all (``format=tutle``)."""


def negotiate(offers: tuple[str, ...] | None = None) -> Representation | None:
    """The representation for this request: ``?format=`` wins, else the ``Accept`` header
    (Turtle when it names nothing); None when nothing offered is acceptable (406).
    ``offers`` limits the choice to some keys, in their order of preference. Every format
    named (repeated, comma-separated, ``output`` after ``format``) is tried in turn, the
    first offered chosen, as ``/sparql`` tries them (:func:`~kg.endpoint.protocol.first_format`);
    raises :class:`FormatNotOffered` where none is."""
    allowed = _allowed(offers)
    asked = named_formats(request.args.items(multi=True))
    if asked:
        found = first_format(asked, lambda name: _BY_NAME.get(name) in allowed)
        if found is None:
            raise FormatNotOffered(asked)
        return _with_json_ld_form(_BY_NAME[found])
    if not request.headers.get("Accept", "").strip():
        return allowed[0]
    order = [r.key for r in _preferred(allowed)]
    candidates = [m for m, r in _BY_MEDIA.items() if r.key in order]
    candidates.sort(key=lambda m: order.index(_BY_MEDIA[m].key))
    best = best_match(request.headers["Accept"], candidates, named_only=_ALIASES)
    return _with_json_ld_form(_BY_MEDIA[best]) if best else None


def _with_json_ld_form(rep: Representation) -> Representation:
    """JSON-LD in the form a ``profile`` of the Accept header asks for
    (:func:`kg.endpoint.protocol.json_ld_form`), however JSON-LD was chosen."""
    if rep.rdf is not ox.RdfFormat.JSON_LD:
        return rep
    form = json_ld_form(request.headers.get("Accept"))
    return rep if form is None else replace(rep, json_ld_form=form)


def _allowed(offers: tuple[str, ...] | None) -> list[Representation]:
    return list(REPRESENTATIONS) if offers is None else [_BY_KEY[k] for k in offers]


#: Each RDF syntax's rank in the one order of the app (:data:`kg.endpoint.results.GRAPH_SYNTAXES`).
_SYNTAX_RANK = {f.writer: i for i, f in enumerate(GRAPH_SYNTAXES)}


def _preferred(allowed: list[Representation]) -> list[Representation]:
    """``allowed`` in the order a tie or a wildcard is decided in: the route's default first
    (what ``*/*`` gets) and HTML where the route puts it, the other RDF syntaxes in the app's
    one order, ``/sparql``'s (``application/*`` is N-Triples on every route: it was JSON-LD on
    the pages and ``/store``, N-Triples on ``/sparql``)."""
    first, rest = allowed[0], allowed[1:]
    syntaxes = iter(sorted((r for r in rest if r.rdf is not None),
                           key=lambda r: _SYNTAX_RANK[r.rdf]))
    return [first, *(next(syntaxes) if r.rdf is not None else r for r in rest)]


def representation_or_error(offers: tuple[str, ...] | None = None) -> Representation | Response:
    """:func:`negotiate` with its failures answered: 406, for a ``format`` not offered as for
    an ``Accept`` naming nothing offered."""
    try:
        rep = negotiate(offers)
    except FormatNotOffered as exc:
        return format_not_offered(str(exc), offers)
    return rep if rep is not None else not_acceptable(offers)


def content_location(path: str, rep: Representation) -> dict[str, str]:
    """``Content-Location`` for ``rep`` of the resource at ``path``: the URL of that
    representation alone, the path with the syntax's extension (``/place/phnom-penh.ttl``),
    which RFC 9110 (8.7) has it name for a negotiated answer. Nothing for a path ending in ``/``
    (the ontology's: ``/ontology/.ttl`` is served, but no URL to hand out)."""
    if path.endswith("/"):
        return {}
    return {"Content-Location": f"{request.script_root}{path}.{rep.key}"}


def error_answer(status: int, message: str, headers: dict | None = None) -> Response:
    """An error, ``STATUS message``, as :func:`error_response` answers it."""
    return error_response(status, f"{status} {message}", headers)


def error_response(status: int, message: str, headers: dict | None = None, *,
                   line: int | None = None, column: int | None = None) -> Response:
    """An error as the client reads it: for a browser (an ``Accept`` preferring HTML,
    :func:`kg.endpoint.protocol.prefers_html`) the site's error page, with the status and
    ``message``, as an unknown IRI's 404 is a page; for any other client plain text, or
    ``{"status", "message"}`` JSON for one that names a JSON type (JSON-LD too)
    (:func:`kg.endpoint.responses.error_parts`). ``headers`` are added to either."""
    accept = request.headers.get("Accept")
    parts, body = error_parts(status, message, accept, line, column)
    response = Response(body, status, parts)
    if prefers_html(accept):
        response.set_data(error_page(status, message))
        response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers.update(headers or {})
    return response


def error_page(status: int, message: str) -> str:
    """The site's error page: the status and ``message``, with the site's header and footer."""
    return render_template("error.html", status=status_line(status),
                           phrase=status_line(status).partition(" ")[2],
                           message=message.rstrip("\n"), **footer_context())


def not_acceptable(offers: tuple[str, ...] | None = None, note: str = "") -> Response:
    """406 for an ``Accept`` naming nothing offered, listing what is, then ``note``."""
    allowed = _allowed(offers)
    listed = ", ".join(f"{r.media_type} (format={r.key})" for r in allowed)
    return error_answer(406, f"Not Acceptable: this resource is available as {listed}{note}",
                        {"Vary": "Accept"})


def format_not_offered(name: str, offers: tuple[str, ...] | None = None,
                       note: str = "") -> Response:
    """406 for a ``format`` the resource is not in: the parameter overrides ``Accept``, so
    nothing acceptable is offered, as ``/sparql`` answers ``format=tutle`` (a request, not a
    malformed one: a syntax another resource has, ``/timeline?format=ttl``, is refused as
    ``Accept: text/turtle`` is). Names the formats it is in, then ``note``."""
    allowed = _allowed(offers)
    listed = ", ".join(f"{r.media_type} (format={r.key})" for r in allowed)
    return error_answer(406, f"Not Acceptable: format={name} is not a format of this "
                             f"resource, which is available as {listed}{note}",
                        {"Vary": "Accept"})


def serialize(quads: list[ox.Quad], rep: Representation, *, dataset: bool = False) -> bytes:
    """Quads in an RDF syntax. TriG and N-Quads keep the named graphs apart, and so does JSON-LD
    for a ``dataset`` (the dumps: expanded); the other syntaxes, and JSON-LD on a page, get the
    union of the graphs, each triple once (JSON-LD compacted with our prefixes, up to
    :data:`COMPACT_JSON_LD_LIMIT` triples, or expanded where the request's profile asks)."""
    assert rep.rdf is not None
    if rep.quads or (dataset and rep.rdf.supports_datasets):
        return ox.serialize(quads, format=rep.rdf,
                            prefixes=used_prefixes(quads, _prefixes(), syntax=rep.rdf))
    triples = list(dict.fromkeys(q.triple for q in quads))
    body = write_triples(triples, rep.rdf, _prefixes(), COMPACT_JSON_LD_LIMIT,
                         json_ld_form=rep.json_ld_form)
    return without_unused_its(body) if rep.rdf == ox.RdfFormat.RDF_XML else body


def stable_blank_nodes(quads: list[ox.Quad]) -> list[ox.Quad]:
    """``quads`` sorted, their blank nodes labelled by RDFC-1.0 where they have any: each
    load of the dataset (each worker, each restart) labels blank nodes its own way, and a
    body, so its ``ETag``, must be the same from every process."""
    if not any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object)):
        return sorted(set(quads), key=quad_key)
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=quad_key)


def _prefixes() -> dict[str, str]:
    return {**iris.WRITE_PREFIXES, "sh": "http://www.w3.org/ns/shacl#",
            "dcat": "http://www.w3.org/ns/dcat#",
            "void": "http://rdfs.org/ns/void#"}


# -- IRIs, paths and display names ------------------------------------------------------------

_CURIE_SPACES = sorted(((ns, p) for p, ns in iris.PREFIXES.items() if p != "kg"),
                       key=lambda item: -len(item[0]))


def local_path(iri: str) -> str | None:
    """The server path of an IRI under the base (``/place/phnom-penh``), else None."""
    if not iri.startswith(BASE):
        return None
    return "/" + quote(iri[len(BASE):], safe="/:@!$&'()*+,;=-._~")


def curie(iri: str) -> str:
    for ns, prefix in _CURIE_SPACES:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    if iri.startswith(BASE):
        return iri[len(BASE):] or iri
    return iri


def _term_key(term) -> tuple:
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "", "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value, "", "")
    if isinstance(term, ox.Literal):
        return (2, term.value, term.datatype.value, term.language or "")
    return (3, "", "", "")


def quad_key(q: ox.Quad) -> tuple:
    return (_term_key(q.graph_name), _term_key(q.subject), _term_key(q.predicate),
            _term_key(q.object))


def _parse_date(lexical: str, datatype: str, *, end: bool) -> date | None:
    """The first (or, with ``end``, the last) day an xsd date value covers."""
    try:
        text = lexical.strip()
        if datatype == XSD + "gYear":
            y = int(text[:4])
            return date(y, 12, 31) if end else date(y, 1, 1)
        if datatype == XSD + "gYearMonth":
            y, m = int(text[:4]), int(text[5:7])
            return date(y, m, calendar.monthrange(y, m)[1]) if end else date(y, m, 1)
        if datatype in (XSD + "date", XSD + "dateTime", XSD + "dateTimeStamp"):
            return date.fromisoformat(text[:10])
    except ValueError:
        return None
    return None


#: A day written as ISO 8601 writes it, alone (not part of a longer run of digits and dashes).
_ISO_DAY = re.compile(r"(?<![0-9-])[0-9]{4}-[0-9]{2}-[0-9]{2}(?![0-9-])")


def readable_days(text: str) -> str:
    """``text`` with each ISO day in it written as :func:`human_date` writes it: "…: not
    before 1978-02-05" → "…: not before 5 February 1978"; what is no day stays."""
    return _ISO_DAY.sub(lambda m: human_date(m[0], XSD + "date"), text)


def human_date(lexical: str, datatype: str) -> str:
    """``1979-01-07`` → ``7 January 1979``; ``1978-05`` → ``May 1978``; else as written."""
    try:
        if datatype == XSD + "gYearMonth":
            return f"{calendar.month_name[int(lexical[5:7])]} {lexical[:4]}"
        if datatype in (XSD + "date", XSD + "dateTime"):
            d = date.fromisoformat(lexical[:10])
            return f"{d.day} {calendar.month_name[d.month]} {d.year}"
    except (ValueError, IndexError):
        pass
    return lexical


# -- what every page needs, once per app ---------------------------------------------------------

class Site:
    """Labels, existing IRIs, passages, geometries, statements and hierarchies of a store."""

    def __init__(self, store: DatasetStore):
        self.store = store
        self.graphs = set(store.named_graphs)
        #: each IRI's label (English first) and that label's language tag ('' for none)
        self.label_languages: dict[str, str] = {}
        self.labels = self._labels()
        #: the labels a page shows otherwise: a day written ``1979-01-07`` in a label of a
        #: served dataset (the project's own labels write their days for people) as the page
        #: writes dates, "7 January 1979" (:func:`readable_days`); the RDF keeps the label
        self.shown_labels = {x: shown for x, v in self.labels.items()
                             if (shown := readable_days(v)) != v}
        #: the names in the other languages a page may show them in (:func:`page_language`):
        #: by language (a tag's primary subtag, ``vi``), each IRI's rdfs:label in it, else its
        #: skos:prefLabel, else its one skos:altLabel in it (of several, none is the name),
        #: with the tag as the data writes it
        self.labels_in = self._labels_in()
        #: the languages the pages show names in: English, the site's, then the others the
        #: data names enough entities in (one French spelling makes no French pages)
        self.page_languages = ("en", *sorted(lang for lang, names in self.labels_in.items()
                                             if len(names) >= LANGUAGE_MIN_NAMES))
        self.known = self._known()
        #: the hash IRIs of each document (``…/event/x#time-span`` of ``…/event/x``): a client
        #: dereferencing one drops the fragment, so the document's RDF must describe it
        self.fragments: dict[str, list[str]] = defaultdict(list)
        for x in sorted(self.known):
            document, hash_, _ = x.partition("#")
            if hash_ and document in self.known:
                self.fragments[document].append(x)
        self.kinds: dict[str, list[str]] = defaultdict(list)
        for x in sorted(self.known):
            self.kinds[x[len(BASE):].split("/", 1)[0]].append(x)
        self.passages = {r["x"].value: int(r["n"].value) for r in self._rows(
            "SELECT ?x ?n WHERE { ?x kgo:passageNumber ?n FILTER(isIRI(?x)) }")
            if r["n"].value.isdigit()}
        self._passage_sources()
        #: the passages each IRI is derived from (``prov:wasDerivedFrom``), for the pages of
        #: what cites none itself but is named by such things (:func:`_named_in`)
        self.derived_passages: dict[str, list[str]] = defaultdict(list)
        for x, p in self._iri_rows("""SELECT DISTINCT ?x ?p WHERE {
                ?x prov:wasDerivedFrom ?p FILTER(isIRI(?x) && isIRI(?p)) }""", ("x", "p")):
            if p in self.passages:
                self.derived_passages[x].append(p)
        for found in self.derived_passages.values():
            found.sort(key=self.passage_key)
        self.wkt: dict[str, list[str]] = defaultdict(list)
        for r in self._rows("SELECT DISTINCT ?x ?w WHERE { ?x geo:asWKT ?w }"):
            self.wkt[str(r["x"].value)].append(r["w"].value)
        self._statements()
        self._derived_readings()
        self._inherited_readings()
        #: the statements that record a reading (:attr:`readings`), whose own page says so
        self.reading_statements = {st for found in self.readings.values() for st in found}
        self._hierarchies()
        self.events = self._events()
        self.wars = {r["e"].value for r in self._rows(
            "SELECT DISTINCT ?e WHERE { ?e a kgo:War FILTER(isIRI(?e)) }")}
        self.terms = self._terms()
        self.ontology_version = self._ontology_version()
        #: the timeline's model in each language, and whether it names anything in it
        self._timeline: dict[str, tuple[dict, bool]] = {}
        self._graph_summaries: dict[str, tuple[int, list[str]]] = {}

    def _rows(self, text: str, *, graphs: bool = False) -> list[dict]:
        # ``has_dataset_clause`` keeps SPARQL's own semantics (default graph = the store's
        # default graph) for the queries that tell the graphs apart with GRAPH.
        return solution_dicts(self.store.query(_PROLOGUE + text, has_dataset_clause=graphs))

    def _iri_rows(self, text: str, names: tuple[str, ...], *,
                  graphs: bool = False) -> list[tuple[str, ...]]:
        """The solutions of a query that binds ``names`` to IRIs in every solution (its FILTER
        says so), as tuples of the IRIs in that order: read from the engine's tab-separated
        results, where an IRI is written ``<...>`` as it is, without a term object for each
        value."""
        lines = self.store.query(_PROLOGUE + text, has_dataset_clause=graphs).serialize(
            format=ox.QueryResultsFormat.TSV).decode().split("\n")
        head = [v.lstrip("?") for v in lines[0].split("\t")]
        order = [head.index(n) for n in names]
        rows = []
        for line in lines[1:]:
            if line:
                values = line.split("\t")
                rows.append(tuple(values[i][1:-1] for i in order))
        return rows

    def _passage_sources(self) -> None:
        """How a page names and orders passages: "passage 13" while one source has passages;
        with more, each says its part ("part 2, passage 3") or its source, and passages sort
        by the source's position in its series, then by number."""
        source_of: dict[str, str] = {}
        rank: dict[str, tuple] = {}
        short: dict[str, str] = {}
        for r in self._rows("""SELECT ?x ?src ?pos ?l WHERE { ?x kgo:passageNumber ?n ;
                dcterms:isPartOf ?src FILTER(isIRI(?x) && isIRI(?src))
                OPTIONAL { ?src schema:position ?pos } OPTIONAL { ?src rdfs:label ?l } }"""):
            x, src = r["x"].value, r["src"].value
            source_of.setdefault(x, src)
            pos = r.get("pos")
            position = int(pos.value) if pos is not None and pos.value.isdigit() else None
            rank.setdefault(src, (position is None, position or 0, src))
            label = r.get("l")
            short.setdefault(src, f"part {position}" if position is not None
                             else label.value if label is not None else curie(src))
        several = len(set(source_of.values())) > 1
        self.passage_order = {x: (rank[src], self.passages.get(x, 0))
                              for x, src in source_of.items()}
        self.passage_names = {x: (f"{short[source_of[x]]}, passage {n}" if several
                                  and x in source_of else f"passage {n}")
                              for x, n in self.passages.items()}

    def passage_key(self, iri: str) -> tuple:
        """Sort key of a passage (others last)."""
        return self.passage_order.get(iri, ((True, 10**9, iri), 10**9))

    def _labels(self) -> dict[str, str]:
        ranked: dict[str, tuple[int, str]] = {}
        for r in self._rows("SELECT ?x ?l WHERE { ?x rdfs:label ?l FILTER(isIRI(?x)) }"):
            lit = r["l"]
            lang = (lit.language or "").lower()
            rank = 0 if lang.startswith("en") else 1 if not lang else 2
            x = r["x"].value
            if x not in ranked or (rank, lit.value) < ranked[x][:2]:
                ranked[x] = (rank, lit.value, lit.language or "")
        self.label_languages = {x: lang for x, (_, _, lang) in ranked.items()}
        return {x: v for x, (_, v, _) in ranked.items()}

    def _labels_in(self) -> dict[str, dict[str, tuple[str, str]]]:
        ranked: dict[str, dict[str, tuple[int, str, str]]] = defaultdict(dict)
        alternatives: dict[tuple[str, str], set] = defaultdict(set)
        ranks = {RDFS + "label": 0, SKOS + "prefLabel": 1, SKOS + "altLabel": 2}
        for r in self._rows("""SELECT DISTINCT ?x ?p ?l WHERE {
                VALUES ?p { rdfs:label skos:prefLabel skos:altLabel }
                ?x ?p ?l FILTER(isIRI(?x) && isLiteral(?l) && LANG(?l) != "") }"""):
            lit = r["l"]
            primary = _primary(lit.language)
            if primary in ("", "en"):
                continue
            x, rank = r["x"].value, ranks[r["p"].value]
            if rank == 2:
                alternatives[primary, x].add((lit.value, lit.language))
                if len(alternatives[primary, x]) > 1:
                    continue
            found = (rank, lit.value, lit.language)
            if x not in ranked[primary] or found < ranked[primary][x]:
                ranked[primary][x] = found
        for (primary, x), names in alternatives.items():
            if len(names) > 1 and ranked[primary].get(x, (0,))[0] == 2:
                del ranked[primary][x]
        return {lang: {x: (v, tag) for x, (_, v, tag) in names.items()}
                for lang, names in ranked.items()}

    def _known(self) -> set[str]:
        known = {g for g in self.graphs if g.startswith(BASE)}
        # One DISTINCT a position, the base checked here: one over a three-way UNION, the
        # engine testing STR() of every term, took 40 % longer at 1M quads.
        for pattern in ("?x ?p ?o", "?s ?x ?o", "?s ?p ?x"):
            known.update(x for x, in self._iri_rows(
                f"SELECT DISTINCT ?x WHERE {{ {pattern} FILTER(isIRI(?x)) }}", ("x",))
                if x.startswith(BASE) and x != BASE)
        return known

    def _statements(self) -> None:
        """Reified statements, indexed by what they are about (rdf:subject or rdf:object)."""
        self.statement_quads: dict[str, list[ox.Quad]] = defaultdict(list)
        self.statements_about: dict[str, list[str]] = defaultdict(list)
        rows = self._rows("""SELECT ?st ?p ?o ?g WHERE {
                { ?st a rdf:Statement } UNION { GRAPH ?any { ?st a rdf:Statement } }
                { ?st ?p ?o } UNION { GRAPH ?g { ?st ?p ?o } } }""", graphs=True)
        seen: set[tuple] = set()
        for r in rows:
            st = r["st"]
            key = st.value if isinstance(st, ox.NamedNode) else str(st)
            quad = ox.Quad(st, r["p"], r["o"], r.get("g") or ox.DefaultGraph())
            if quad in seen:
                continue
            seen.add(quad)
            self.statement_quads[key].append(quad)
            if r["p"].value in (RDF + "subject", RDF + "object") and isinstance(
                    r["o"], ox.NamedNode) and key not in self.statements_about[r["o"].value]:
                self.statements_about[r["o"].value].append(key)
        #: the readings among them: a triple someone read in a passage rather than found stated
        #: there (the statement cites the passage and is attributed), keyed by its triple —
        #: unless another statement of that triple cites a passage that states it (no one named
        #: as its reader, no later source's claim): a date passage 13 gives, also read into
        #: passage 18's words, is what the source states, and is not shown as a reading
        self.readings: dict[tuple, list[str]] = defaultdict(list)
        stated: set[tuple] = set()
        for key, quads in self.statement_quads.items():
            said = defaultdict(list)
            for q in quads:
                said[q.predicate.value].append(q.object)
            subject, predicate = said.get(RDF + "subject"), said.get(RDF + "predicate")
            if (not subject or not predicate or RDF + "object" not in said
                    or not any(isinstance(o, ox.NamedNode) and o.value in self.passages
                               for o in said.get(PROV + "wasDerivedFrom", ()))):
                continue
            triple = (subject[0].value, predicate[0].value, said[RDF + "object"][0])
            if PROV + "wasAttributedTo" not in said:
                if ox.NamedNode(SCHEMA + "Claim") not in said.get(RDF + "type", ()):
                    stated.add(triple)
            elif key not in self.readings[triple]:
                self.readings[triple].append(key)
        for triple in stated:
            self.readings.pop(triple, None)

    def _derived_readings(self) -> None:
        """The day bounds (kgo:beginOfTheBegin …, and the same days on the event's
        ``#time-span``: P82a …) that rest on a reading of an event's dates, added to
        :attr:`readings` with the statement of that reading: the build derives them from the
        dates (:mod:`kg.dates`), so a bound from the curators' "not after 7 January 1979"
        showed that day as the source's on the event's page. A bound rests on a reading where
        the dates without the event's read ones give it another day or none; it is linked to
        the reading whose leaving out alone changes it (else to the first of them)."""
        from kg.dates import CRM_BOUNDS, SOURCES, day_bounds, time_span

        read = {(e, p, o) for e, p, o in self.readings if p in SOURCES}
        if not read:
            return
        events = {e for e, _, _ in read}
        values = " ".join(f"<{p}>" for p in SOURCES)
        # the asserted dates, as the build reads them (the inferred graph has an onDate's
        # day as a start and an end date too, which would stand in for a read onDate)
        dates = [(r["e"].value, r["p"].value, r["v"]) for r in self._rows(
            f"""SELECT DISTINCT ?e ?p ?v WHERE {{ VALUES ?p {{ {values} }}
                {{ ?e ?p ?v }} UNION {{ GRAPH ?g {{ ?e ?p ?v }} FILTER(?g != <{INFERRED}>) }}
                FILTER(isIRI(?e) && isLiteral(?v)) }}""", graphs=True)
            if r["e"].value in events]

        def bounds(leaving_out: set) -> dict[tuple[str, str], str]:
            return {(e, p): day for e, p, day in day_bounds(
                (e, p, v.value, v.datatype.value) for e, p, v in dates
                if (e, p, v) not in leaving_out)}

        every = bounds(set())
        without = bounds(read)
        for (e, p), day in every.items():
            if without.get((e, p)) == day:
                continue
            mine = sorted(t for t in read if t[0] == e)
            deciding = next((t for t in mine if bounds({t}).get((e, p)) != day), mine[0])
            literal = ox.Literal(day, datatype=ox.NamedNode(XSD + "date"))
            for triple in ((e, p, literal), (time_span(e), CRM_BOUNDS[p], literal)):
                if triple not in self.readings:
                    self.readings[triple] = list(self.readings[deciding])

    def _inherited_readings(self) -> None:
        """The triples the reasoner infers from readings by a property's super-properties
        (kgo:startDate's schema:startDate and sem:hasTimeStamp, kgo:beginOfTheBegin's
        sem:hasEarliestBeginTimeStamp), added to :attr:`readings` with the statement of a
        reading they rest on: an event's page showed the curators' start of the Pol Pot
        regime's fall, marked as a reading as kgo:startDate, unmarked as its inferred
        schema:startDate and sem:hasTimeStamp. Such a triple rests on readings where it is not
        asserted and every triple of the same subject and value by a sub-property of its
        predicate is a reading."""
        if not self.readings:
            return
        supers: dict[str, set[str]] = defaultdict(set)
        for p, q in self._iri_rows("""SELECT DISTINCT ?p ?q WHERE {
                ?p rdfs:subPropertyOf+ ?q FILTER(isIRI(?p) && isIRI(?q) && ?p != ?q) }""",
                                   ("p", "q")):
            supers[p].add(q)
        read = [(s, p, o) for s, p, o in self.readings if supers.get(p)]
        if not read:
            return
        subjects = " ".join(f"<{s}>" for s in sorted({s for s, _, _ in read}))
        #: every triple of those subjects: (subject, predicate, object) -> asserted anywhere
        held: dict[tuple, bool] = {}
        for r in self._rows(f"""SELECT DISTINCT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {subjects} }}
                {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}""", graphs=True):
            triple = (r["s"].value, r["p"].value, r["o"])
            asserted = "g" not in r or r["g"].value != INFERRED
            held[triple] = held.get(triple, False) or asserted
        for s, p, o in sorted(read, key=lambda t: (t[0], t[1], str(t[2]))):
            for q in sorted(supers[p]):
                triple = (s, q, o)
                if triple in self.readings or held.get(triple, True):
                    continue  # a reading already, asserted, or not in the data
                under = [(s, x, o) for x in supers if q in supers[x] and (s, x, o) in held]
                if all(t in self.readings for t in under):
                    self.readings[triple] = list(self.readings[(s, p, o)])

    def _hierarchies(self) -> None:
        """Direct, asserted edges of each hierarchy (the inferred graph holds their closure)."""
        self.up: dict[str, dict[str, list[str]]] = {p: defaultdict(list) for p, *_ in HIERARCHIES}
        self.down: dict[str, dict[str, list[str]]] = {p: defaultdict(list)
                                                      for p, *_ in HIERARCHIES}
        values = " ".join(f"<{p}>" for p, *_ in HIERARCHIES)
        rows = self._iri_rows(f"""SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }}
                {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED}>) }}
                FILTER(isIRI(?s) && isIRI(?o)) }}""", ("s", "p", "o"), graphs=True)
        for s, p, o in sorted(rows, key=lambda r: (r[0], r[2])):
            self.up[p][s].append(o)
            self.down[p][o].append(s)

    def _events(self) -> dict[str, dict]:
        """Every event with its dates: start/end as (first day, last day) and as written;
        ``not_after`` is the latest end its source allows where it gives no end date, and
        ``until`` whichever of the two it has (the end a timeline draws); ``ongoing`` when the
        source gives the start and says nothing of the end (kgo:endUndatedInSource);
        ``latest_start`` the last day of a start given as a span of days."""
        events: dict[str, dict] = {}
        for r in self._rows("""SELECT DISTINCT ?e ?start ?end ?na ?nb ?ls ?open WHERE {
                ?e a kgo:Event FILTER(isIRI(?e))
                OPTIONAL { ?e kgo:startDate ?start } OPTIONAL { ?e kgo:endDate ?end }
                OPTIONAL { ?e kgo:notAfter ?na } OPTIONAL { ?e kgo:notBefore ?nb }
                OPTIONAL { ?e kgo:latestStart ?ls } OPTIONAL { ?e kgo:endUndatedInSource ?open }
                }"""):
            e = events.setdefault(r["e"].value, {"iri": r["e"].value, "start": None,
                                                 "end": None, "not_after": None,
                                                 "not_before": None, "latest_start": None,
                                                 "ongoing": False})
            if r.get("open") is not None and r["open"].value == "true":
                e["ongoing"] = True
            for key, var, last in (("start", "start", False), ("end", "end", True),
                                   ("not_after", "na", True), ("not_before", "nb", False),
                                   ("latest_start", "ls", True)):
                lit = r.get(var)
                if lit is None:
                    continue
                day = _parse_date(lit.value, lit.datatype.value, end=last)
                if day is None:
                    continue
                keep = e[key]
                if keep is None or (day > keep[0] if last else day < keep[0]):
                    e[key] = (day, lit.value, lit.datatype.value)
        for e in events.values():
            e["until"] = e["end"] or e["not_after"]
        return events

    def _terms(self) -> dict[str, list[str]]:
        """The ontology's classes and properties (for the ontology's page)."""
        out: dict[str, list[str]] = {"classes": [], "properties": []}
        for r in self._rows(f"""SELECT DISTINCT ?t ?kind WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
                ?t a ?kind FILTER(isIRI(?t) && STRSTARTS(STR(?t), "{KGO}")) }}
                VALUES ?kind {{ owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty
                               rdf:Property owl:AnnotationProperty }} }}""", graphs=True):
            key = "classes" if r["kind"].value.endswith("Class") else "properties"
            if r["t"].value not in out[key]:
                out[key].append(r["t"].value)
        for key in out:
            out[key].sort(key=lambda t: self.labels.get(t, t).lower())
        return out

    def _ontology_version(self) -> tuple[str, str] | None:
        """The ontology's version IRI (under the base) and version, as the ontology states
        them (tests/test_qc.py checks they are the package's, kg.__version__); None without."""
        rows = self._rows(f"""SELECT ?v ?info WHERE {{ <{ONTOLOGY}> owl:versionIRI ?v
                FILTER(isIRI(?v) && STRSTARTS(STR(?v), "{KGO}"))
                OPTIONAL {{ <{ONTOLOGY}> owl:versionInfo ?info }} }} ORDER BY ?v ?info LIMIT 1""")
        if not rows:
            return None
        iri = rows[0]["v"].value
        info = rows[0].get("info")
        return iri, info.value if info is not None else iri[len(KGO):].strip("/")

    def document_of(self, iri: str) -> str:
        """The IRI whose page and RDF ``iri`` serves: the ontology's for its current version
        IRI, else ``iri`` itself."""
        if self.ontology_version is not None and iri == self.ontology_version[0]:
            return ONTOLOGY
        return iri

    # -- per page ------------------------------------------------------------------------------
    def quads_about(self, iri: str) -> list[ox.Quad]:
        """Every quad with ``iri`` as subject or object, and what is said of the hash IRIs of
        its document (one query), then their statements."""
        return self._quads(iri, geometries=False, hashes=self.fragments.get(iri, ()))

    def description(self, iri: str) -> list[ox.Quad]:
        """What the RDF of a resource holds: :meth:`quads_about` it, the description of
        each geometry it has (``geo:hasGeometry``, ``geo:hasDefaultGeometry``): the geometry's
        own quads, with its ``geo:asWKT``, so that a client gets a place's coordinates
        without asking again; and what is said of each hash IRI of its document
        (``…#time-span``), which a client dereferences at this URL (HTTP sends no fragment).
        One query, as for :meth:`quads_about`."""
        return self._quads(iri, geometries=True, hashes=self.fragments.get(iri, ()))

    def _quads(self, iri: str, *, geometries: bool, hashes=()) -> list[ox.Quad]:
        node = f"<{iri}>"
        has = "|".join(f"<{p}>" for p in GEOMETRY_PREDICATES)
        geometry = f"""UNION {{
                {{ {node} {has} ?s }} UNION {{ GRAPH ?h {{ {node} {has} ?s }} }}
                FILTER(!isLiteral(?s))
                {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}""" if geometries else ""
        fragments = f"""UNION {{ VALUES ?s {{ {" ".join(f"<{x}>" for x in hashes)} }}
                {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}""" if hashes else ""
        rows = self._rows(f"""SELECT ?s ?p ?o ?g WHERE {{
                {{ {{ {node} ?p ?o }} UNION {{ GRAPH ?g {{ {node} ?p ?o }} }} BIND({node} AS ?s) }}
                UNION
                {{ {{ ?s ?p {node} }} UNION {{ GRAPH ?g {{ ?s ?p {node} }} }} BIND({node} AS ?o) }}
                {geometry}
                {fragments}
                }}""", graphs=True)
        quads = {ox.Quad(r["s"], r["p"], r["o"], r.get("g") or ox.DefaultGraph()) for r in rows}
        for x in (iri, *hashes):
            for st in self.statements_about.get(x, ()):
                quads.update(self.statement_quads[st])
        return sorted(quads, key=quad_key)

    def graph_quads(self, name: str) -> list[ox.Quad]:
        rows = self._rows(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}",
                          graphs=True)
        graph = ox.NamedNode(name)
        return sorted((ox.Quad(r["s"], r["p"], r["o"], graph) for r in rows), key=quad_key)

    def graph_summary(self, name: str) -> tuple[int, list[str]]:
        """A named graph's size and the IRIs it describes, computed once per graph."""
        found = self._graph_summaries.get(name)
        if found is None:
            quads = self.graph_quads(name)
            subjects = sorted({q.subject.value for q in quads
                               if isinstance(q.subject, ox.NamedNode)},
                              key=lambda x: (self.labels.get(x, x).lower(), x))
            found = self._graph_summaries[name] = (len(quads), subjects)
        return found

    def ancestors(self, prop: str, iri: str) -> list[tuple[int, str]]:
        """Everything above ``iri`` along ``prop``, nearest first, with its distance."""
        out: list[tuple[int, str]] = []
        seen = {iri}
        frontier = [iri]
        depth = 0
        while frontier:
            depth += 1
            nxt = []
            for x in frontier:
                for parent in self.up[prop].get(x, ()):
                    if parent not in seen:
                        seen.add(parent)
                        nxt.append(parent)
                        out.append((depth, parent))
            frontier = nxt
        return out

    def paths_up(self, prop: str, iri: str, limit: int = MAX_PATHS) -> list[list[str]]:
        """Every route from ``iri`` up ``prop`` to a top, nearest first: one per direct parent
        where the hierarchy above is a tree. A path ends before an entity already on it (a
        cycle). At most ``limit`` paths, in the order of the direct edges."""
        up = self.up[prop]
        paths: list[list[str]] = []
        stack: list[tuple[str, ...]] = [(iri,)]
        while stack and len(paths) < limit:
            path = stack.pop()
            parents = [x for x in up.get(path[-1], ()) if x not in path]
            if not parents and len(path) > 1:
                paths.append(list(path[1:]))
            stack.extend(path + (x,) for x in reversed(parents))
        return paths

    def descendants(self, prop: str, iri: str) -> set[str]:
        seen: set[str] = set()
        frontier = [iri]
        while frontier:
            nxt = []
            for x in frontier:
                for child in self.down[prop].get(x, ()):
                    if child not in seen and child != iri:
                        seen.add(child)
                        nxt.append(child)
            frontier = nxt
        return seen

    def suggestions(self, iri: str, n: int = 6) -> list[str]:
        """Existing IRIs whose names are close to ``iri`` (for the 404 page)."""
        rest = iri[len(BASE):]
        kind, _, name = rest.partition("/")
        pool = self.kinds.get(kind) or sorted(self.known)
        names = {x[len(BASE):]: x for x in pool}
        close = difflib.get_close_matches(rest, list(names), n=n, cutoff=0.5)
        if len(close) < n and len(name) >= 3:
            close += [k for k in names if name.lower() in k.lower() and k not in close]
        return [names[k] for k in close[:n]]

    def timeline(self) -> dict:
        """The timeline's model in the page's language (:func:`page_language`), computed once
        for each."""
        lang = page_language(self)
        if lang not in self._timeline:
            before = g.pop("kg_names_in_page_language", False)
            model = _timeline_model(self)
            self._timeline[lang] = (model, g.get("kg_names_in_page_language", False))
            g.kg_names_in_page_language = before
        model, holds_names = self._timeline[lang]
        if holds_names:
            g.kg_names_in_page_language = True
        return model

    def name(self, iri: str) -> tuple[str | None, str | None]:
        """The name a page shows for ``iri`` and its language tag: its label in the page's
        language (:func:`page_language`) where the data has one, else its English label (its
        ISO days written as the page writes dates, :func:`readable_days`), tagged ``en``
        (the fallback is marked as English); (None, None) for an IRI without a label."""
        lang = page_language(self)
        if lang != "en":
            found = self.labels_in.get(lang, {}).get(iri)
            if found is not None:
                # the page holds a name in its language (:func:`language_headers`)
                g.kg_names_in_page_language = True
                return found
        label = self.shown_labels.get(iri) or self.labels.get(iri)
        return label, (self.label_languages.get(iri) or None) if label is not None else None


def site() -> Site:
    """This app's :class:`Site`, built on first use."""
    return per_app("kg.pages", Site)


# -- page models ---------------------------------------------------------------------------------

def _link(s: Site, iri: str) -> dict:
    path = local_path(iri)
    document, _, fragment = iri.partition("#")
    if iri in s.fragments.get(document, ()):
        # a hash IRI is shown on its document's page, at the element its fragment names
        path = f"{local_path(document)}#{quote(fragment, safe=_FRAGMENT_SAFE)}"
    label, lang = s.name(iri)
    text = label or curie(iri)
    # the label's language tag, for the element's lang (none for a CURIE or an untagged label)
    return {"kind": "iri", "iri": iri, "text": text, "lang": lang,
            "href": _with_language(request.script_root + path) if path is not None else iri,
            "external": path is None, "curie": curie(iri)}


_FRAGMENT_SAFE = "/?:@!$&'()*+,;=-._~"


def _fragment_model(s: Site, iri: str, quads: list[ox.Quad]) -> dict:
    """A hash IRI of the page's document (an event's ``#time-span``), shown on the page under
    the id its fragment names, so that the IRI, dereferenced by a browser, lands on it."""
    node = ox.NamedNode(iri)
    asserted: dict[str, list] = defaultdict(list)
    inferred: dict[str, list] = defaultdict(list)
    said = {(q.predicate.value, q.object) for q in quads
            if q.subject == node and q.graph_name != ox.NamedNode(INFERRED)}
    for q in quads:
        if q.subject != node:
            continue
        pair = (q.predicate.value, q.object)
        target = asserted if pair in said else inferred
        if q.object not in target[q.predicate.value]:
            target[q.predicate.value].append(q.object)
    label, lang = s.name(iri)
    return {"id": iri.partition("#")[2], "iri": iri, "label": label or curie(iri),
            "label_lang": lang,
            "properties": _property_rows(s, dict(asserted), subject=iri),
            "inferred_properties": _property_rows(s, dict(inferred), subject=iri)}


def _value(s: Site, term) -> dict:
    if isinstance(term, ox.NamedNode):
        return _link(s, term.value)
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        shown = None
        if dt in (XSD + "date", XSD + "gYearMonth", XSD + "dateTime"):
            shown = human_date(term.value, dt)
        return {"kind": "literal", "text": term.value, "lang": term.language,
                "datatype": None if term.language or dt == XSD + "string" else curie(dt),
                "shown": shown if shown != term.value else None}
    return {"kind": "blank", "text": str(term)}


def _passage(s: Site, iri: str) -> dict:
    return {**_link(s, iri), "number": s.passages.get(iri),
            "name": s.passage_names.get(iri, curie(iri))}


def _marked(s: Site, shown: dict, subject, predicate: str, obj) -> dict:
    """``shown``, a value of the triple, marked as a reading (linking the statement that says
    why) where a statement says someone read the triple in a passage: a page never shows a
    reading as what the source states."""
    found = s.readings.get((subject.value, predicate, obj)) if isinstance(
        subject, ox.NamedNode) else None
    if found:
        shown["reading"] = _link(s, found[0]) if found[0].startswith(BASE) else {
            "text": found[0], "href": None}
    return shown


def _property_rows(s: Site, pairs: dict[str, list], *, subject: str | None = None,
                   target: str | None = None) -> list[dict]:
    """Rows of values by property: of ``subject`` (its properties), or of what links to
    ``target`` (each value a subject), each reading marked as such."""
    rows = []
    for p in sorted(pairs, key=lambda p: (p != RDF + "type", s.labels.get(p, curie(p)).lower())):
        values = sorted(pairs[p], key=lambda v: (
            not isinstance(v, ox.NamedNode), s.labels.get(v.value, v.value).lower()
            if isinstance(v, ox.NamedNode) else ""))
        if subject is not None:
            shown = [_marked(s, _value(s, v), ox.NamedNode(subject), p, v)
                     for v in values[:MAX_VALUES]]
        elif target is not None:
            shown = [_marked(s, _value(s, v), v, p, ox.NamedNode(target))
                     for v in values[:MAX_VALUES]]
        else:
            shown = [_value(s, v) for v in values[:MAX_VALUES]]
        rows.append({"property": _link(s, p), "vals": shown,
                     "cut": max(0, len(values) - MAX_VALUES)})
    return rows


def schema_org_markup(s: Site, iri: str, quads: list[ox.Quad]) -> dict | None:
    """The entity in schema.org terms as JSON-LD, for the page's
    ``<script type="application/ld+json">``: its schema.org types and statements (the
    inferred graph maps ours onto them), its English label as ``name``, its alternative
    labels, and its exact authority matches as ``sameAs``. A text with a language tag keeps
    it, as a value object (``{"@value": "Phnôm Pênh", "@language": "vi"}``): a plain string
    would read as untagged; a typed literal (a date) is its lexical form, as schema.org's
    examples write dates. None for an entity with no schema.org type (passages, statements,
    ontology terms)."""
    node = ox.NamedNode(iri)
    mine = [q for q in quads if q.subject == node]
    types = sorted({q.object.value[len(SCHEMA):] for q in mine if q.predicate.value == RDF
                    + "type" and q.object.value.startswith(SCHEMA)})
    if not types:
        return None
    doc: dict = {"@context": "https://schema.org/", "@id": iri,
                 "@type": types[0] if len(types) == 1 else types}
    if iri in s.labels:
        doc["name"] = _text(s.labels[iri], s.label_languages.get(iri))
    values: dict[str, list] = defaultdict(list)
    for q in mine:
        p, o = q.predicate.value, q.object
        if p == SKOS + "altLabel" and isinstance(o, ox.Literal):
            key, value = "alternateName", _text(o.value, o.language)
        elif p in (SKOS + "exactMatch", SCHEMA + "sameAs") and isinstance(o, ox.NamedNode):
            # the inferred graph has each exact match as schema:sameAs too: one URL each
            key, value = "sameAs", o.value
        elif p.startswith(SCHEMA) and "/" not in p[len(SCHEMA):]:
            key = p[len(SCHEMA):]
            if isinstance(o, ox.NamedNode):
                value = {"@id": o.value, **({"name": _text(s.labels[o.value],
                                                           s.label_languages.get(o.value))}
                                            if o.value in s.labels else {})}
            elif isinstance(o, ox.Literal):
                value = _text(o.value, o.language)
            else:
                continue
        else:
            continue
        if value not in values[key]:
            values[key].append(value)
    for key in sorted(values):
        found = sorted(values[key], key=lambda v: (v.get("@id") or v["@value"], v.get(
            "@language", "")) if isinstance(v, dict) else (v, ""))
        doc[key] = found[0] if len(found) == 1 else found
    return doc


def _text(value: str, language: str | None) -> str | dict:
    """A literal's text for JSON-LD: with its language tag, a value object."""
    return {"@value": value, "@language": language} if language else value


def _values_by_graph(node: ox.NamedNode, quads: list[ox.Quad]
                     ) -> tuple[dict[str, list], dict[str, list], dict[str, list], dict[str, list]]:
    """The values of ``node`` in ``quads``, by predicate, each once, in the quads' order:
    outgoing asserted, outgoing inferred, incoming asserted, incoming inferred. A value the
    inferred graph repeats from an asserted one is asserted; an incoming ``rdf:subject`` or
    ``rdf:object`` (a statement about it, shown with the statements) and an incoming
    self-reference (shown as outgoing) are left out."""
    out_asserted: dict[str, list] = defaultdict(list)
    out_inferred: dict[str, list] = defaultdict(list)
    in_asserted: dict[str, list] = defaultdict(list)
    in_inferred: dict[str, list] = defaultdict(list)
    into = {"o": (out_asserted, out_inferred), "i": (in_asserted, in_inferred)}
    shown = (RDF + "subject", RDF + "object")  # coming in: shown with the statements
    graph = ox.NamedNode(INFERRED)

    def sides(q: ox.Quad):
        if q.subject == node:
            yield "o", q.predicate.value, q.object
        if q.object == node and q.subject != node and q.predicate.value not in shown:
            yield "i", q.predicate.value, q.subject

    keyed = [(q.graph_name == graph, key) for q in quads for key in sides(q)]
    asserted_keys = {key for inferred, key in keyed if not inferred}
    seen: set[tuple] = set()
    for inferred, key in keyed:
        if key not in seen:
            seen.add(key)
            direction, predicate, value = key
            asserted, inferred_only = into[direction]
            target = inferred_only if inferred and key not in asserted_keys else asserted
            target[predicate].append(value)
    return out_asserted, out_inferred, in_asserted, in_inferred


def entity_model(s: Site, iri: str, quads: list[ox.Quad]) -> dict:
    """Everything the entity page shows, from the quads about it and the site's indexes."""
    node = ox.NamedNode(iri)
    out_asserted, out_inferred, in_asserted, in_inferred = _values_by_graph(node, quads)

    def objects(p: str, *, asserted_only: bool = False) -> list:
        found = list(out_asserted.get(p, []))
        if not asserted_only:
            found += [o for o in out_inferred.get(p, []) if o not in found]
        return found

    labels = [lit for p in LABEL_PREDICATES for lit in objects(p) if isinstance(lit, ox.Literal)]
    shown_name, name_lang = s.name(iri)
    # the name shown, as the data writes it (an English label's ISO day is not)
    label = (s.labels_in.get(page_language(s), {}).get(iri, (None,))[0]
             or s.labels.get(iri) or curie(iri))
    alt = [{"text": lit.value, "lang": lit.language} for lit in labels if lit.value != label]
    alt = list({(a["text"], a["lang"]): a for a in alt}.values())
    descriptions = [{"text": lit.value, "lang": lit.language}
                    for p in DESCRIPTION_PREDICATES for lit in objects(p, asserted_only=True)
                    if isinstance(lit, ox.Literal)]
    types_asserted = [t for t in out_asserted.get(RDF + "type", []) if isinstance(t, ox.NamedNode)]
    types_inferred = [t for t in out_inferred.get(RDF + "type", [])
                      if isinstance(t, ox.NamedNode)]

    direct = sorted({o.value for o in objects(PROV + "wasDerivedFrom")
                     if isinstance(o, ox.NamedNode) and o.value in s.passages},
                    key=s.passage_key)
    derived_other = [o.value for o in objects(PROV + "wasDerivedFrom")
                     if isinstance(o, ox.NamedNode) and o.value not in s.passages]
    # what it says it was read in or taken from (an authority link's record)
    cited = [_link(s, o.value) for o in objects(DCTERMS + "source", asserted_only=True)
             if isinstance(o, ox.NamedNode)]
    citations = sorted(o.value for o in objects(DCTERMS + "bibliographicCitation",
                                                asserted_only=True) if isinstance(o, ox.Literal))
    statements = [_statement(s, st) for st in s.statements_about.get(iri, ())]
    statements.sort(key=lambda st: (s.passage_key(st["passages"][0]["iri"]) if st["passages"]
                                    else s.passage_key(""),
                                    st["label"]))
    # an ontology term (a class, a unit of count) is documented by the ontology, not a source
    cites = bool(direct or derived_other or cited or citations or statements
                 or iri in s.passages or iri.startswith(KGO))

    authority = []
    for p in AUTHORITY_PREDICATES:
        for o in objects(p):
            if isinstance(o, ox.NamedNode):
                name = authority_of(o.value)
                authority.append({"iri": o.value, "relation": curie(p),
                                  "title": AUTHORITIES[name].title if name else "other",
                                  "evidence": _link_evidence(s, iri, p, o)})

    coordinates = []
    for geom in objects(GEO + "hasGeometry"):
        for wkt in s.wkt.get(str(geom.value if isinstance(geom, ox.NamedNode) else geom), ()):
            coordinates.append({"wkt": wkt, "geometry": _value(s, geom), **_point(wkt)})

    dates = {}
    for p in DATE_PREDICATES:
        vals = objects(p, asserted_only=True)
        if vals:
            dates[p[len(KGO):]] = [_marked(s, _value(s, v), node, p, v) for v in vals]

    hierarchies = []
    for p, title, above, below in HIERARCHIES:
        # each route up on its own: one chain through two parents would put one above the
        # other (a border zone "within" the country it only borders)
        up = s.paths_up(p, iri, MAX_PATHS + 1)
        up.sort(key=lambda path: [_event_sort(s, x) for x in path])
        down = s.down[p].get(iri, [])
        if up or down:
            hierarchies.append({
                "title": title, "property": _link(s, p), "above": above, "below": below,
                "up": [[_link(s, x) for x in path] for path in up[:MAX_PATHS]],
                "up_cut": len(up) > MAX_PATHS,
                "down": [_link(s, x) for x in sorted(down, key=lambda x: _event_sort(s, x))],
            })

    shown_elsewhere = {RDF + "type", *LABEL_PREDICATES}
    graph = None
    if iri in s.graphs:
        triples, subjects = s.graph_summary(iri)
        graph = {"triples": triples, "subjects": [_link(s, x) for x in subjects[:MAX_VALUES]],
                 "subject_count": len(subjects), "inferred": iri == INFERRED}
    terms = None
    if iri == ONTOLOGY:
        terms = {k: [_link(s, t) for t in v] for k, v in s.terms.items()}
    return {
        "iri": iri, "label": shown_name or label, "label_lang": name_lang,
        # the page's language has no name for it: the one shown is English, and says so
        "fallback": page_language(s) != "en" and name_lang is not None
        and _primary(name_lang) != page_language(s),
        "alt_labels": alt, "descriptions": descriptions,
        "types_asserted": [_marked(s, _link(s, t.value), node, RDF + "type", t)
                           for t in types_asserted],
        "types_inferred": [_marked(s, _link(s, t.value), node, RDF + "type", t)
                           for t in types_inferred],
        "properties": _property_rows(s, {p: v for p, v in out_asserted.items()
                                         if p not in shown_elsewhere}, subject=iri),
        "inferred_properties": _property_rows(s, {p: v for p, v in out_inferred.items()
                                                  if p != RDF + "type"}, subject=iri),
        "incoming": _property_rows(s, dict(in_asserted), target=iri),
        "incoming_inferred": _property_rows(s, dict(in_inferred), target=iri),
        "passages": [_passage(s, x) for x in direct],
        "named_in": [] if cites else _named_in(s, node, in_asserted),
        "derived_from": [_link(s, x) for x in derived_other],
        "cited": cited, "citations": citations,
        "statements": statements,
        "authority": authority, "coordinates": coordinates, "dates": dates,
        "hierarchies": hierarchies, "graph": graph, "terms": terms,
        "passage_number": s.passages.get(iri),
        # a statement recording a reading: its page says so, and by whom, before its triple
        "reading_by": [_value(s, o) for o in objects(PROV + "wasAttributedTo",
                                                     asserted_only=True)]
        if iri in s.reading_statements else None,
        "fragments": [_fragment_model(s, x, quads) for x in s.fragments.get(iri, ())],
    }


def _named_in(s: Site, node: ox.NamedNode, incoming: dict[str, list]) -> list[dict]:
    """For an entity that cites no passage itself (a catalogue entity: the README says why),
    what names it and the passages that cites: each subject of an asserted triple pointing at
    it that is derived from passages (an event it carried out, the article it translated),
    with the property and the passages. Derived here for the page, never asserted."""
    found = []
    for p, subjects in incoming.items():
        if p.startswith((RDF, PROV)):
            # a class its instances' type, a property its statements' predicate, an agent
            # what is attributed to it: none is named in the passages these cite
            continue
        for x in subjects:
            if not isinstance(x, ox.NamedNode) or x.value not in s.derived_passages:
                continue
            found.append(_marked(s, {
                "via": _link(s, x.value), "property": _link(s, p),
                "passages": [_passage(s, q) for q in s.derived_passages[x.value]]}, x, p, node))
    found.sort(key=lambda f: (s.passage_key(f["passages"][0]["iri"]), f["via"]["text"].lower(),
                              f["property"]["text"].lower()))
    return found[:MAX_VALUES]


def _link_evidence(s: Site, iri: str, predicate: str, target: ox.NamedNode) -> dict | None:
    """What the statement of an authority link records beside the link: its evidence
    (``dcterms:bibliographicCitation``), the record it was read in (``dcterms:source``), who
    decided it and when; None where no statement reifies the link."""
    for st in s.statements_about.get(iri, ()):
        said: dict[str, list] = defaultdict(list)
        for q in s.statement_quads[st]:
            said[q.predicate.value].append(q.object)
        if (said.get(RDF + "subject") == [ox.NamedNode(iri)]
                and said.get(RDF + "predicate") == [ox.NamedNode(predicate)]
                and said.get(RDF + "object") == [target]):
            return {
                "statement": _link(s, st) if st.startswith(BASE) else None,
                "citations": sorted(o.value for o in said.get(DCTERMS + "bibliographicCitation",
                                                              ()) if isinstance(o, ox.Literal)),
                "sources": sorted(o.value for o in said.get(DCTERMS + "source", ())
                                  if isinstance(o, ox.NamedNode)),
                "by": [_value(s, o) for o in said.get(PROV + "wasAttributedTo", ())],
                "created": [_value(s, o) for o in said.get(DCTERMS + "created", ())],
            }
    return None


def _event_sort(s: Site, iri: str) -> tuple:
    """An event's place in a list: by its start; an event the source leaves undated by the
    earliest day its wording allows (``kgo:notBefore``), else the latest (``kgo:notAfter``),
    after the events starting that day; then by label. Events with neither, and what is no
    event, come last, by label (the war's sub-events listed the undated ones after all the
    dated ones, alphabetically: a loss "in or after the 1978 offensive" after 1979's)."""
    e = s.events.get(iri)
    day, bounded = date.max, 0
    if e and e["start"]:
        day = e["start"][0]
    elif e and (e["not_before"] or e["not_after"]):
        day, bounded = (e["not_before"] or e["not_after"])[0], 1
    return (day, bounded, s.labels.get(iri, iri).lower())


_GROUNDS = (RDFS + "comment", DCTERMS + "bibliographicCitation")


def _statement(s: Site, st: str) -> dict:
    quads = s.statement_quads[st]

    def first(p: str):
        return next((q.object for q in quads if q.predicate.value == p), None)

    subject, predicate = first(RDF + "subject"), first(RDF + "predicate")
    obj = first(RDF + "object")
    derived = sorted({q.object.value for q in quads if q.predicate.value == PROV + "wasDerivedFrom"
                      and isinstance(q.object, ox.NamedNode)},
                     key=s.passage_key)
    return {
        "node": _link(s, st) if st.startswith(BASE) else {"text": st, "href": None},
        "label": s.labels.get(st) or "",
        "subject": _value(s, subject) if subject is not None else None,
        "predicate": _value(s, predicate) if predicate is not None else None,
        "object": _value(s, obj) if obj is not None else None,
        # a reading's triple is marked as one, as wherever else a page shows its value
        "reading": _marked(s, {}, subject, predicate.value, obj).get("reading")
        if predicate is not None and obj is not None else None,
        "passages": [_passage(s, x) for x in derived if x in s.passages],
        "derived_from": [_link(s, x) for x in derived if x not in s.passages],
        "attributed_to": [_value(s, q.object) for q in quads
                          if q.predicate.value == PROV + "wasAttributedTo"],
        # what a relation no passage supports rests on: the asserter's comment, or the
        # evidence of an authority link
        "grounds": sorted(q.object.value for q in quads
                          if q.predicate.value in _GROUNDS and isinstance(q.object, ox.Literal)),
        # when the relation held: from or until an event (kgo:heldFrom, kgo:heldUntil)
        "held": [(word, _value(s, q.object)) for word, p in (("from", KGO + "heldFrom"),
                                                             ("until", KGO + "heldUntil"))
                 for q in quads if q.predicate.value == p],
    }


def _point(wkt: str) -> dict:
    text = wkt.strip()
    if text.upper().startswith("POINT") and "(" in text and ")" in text:
        inner = text[text.index("(") + 1:text.index(")")].split()
        try:
            lon, lat = float(inner[0]), float(inner[1])
        except (IndexError, ValueError):
            return {}
        return {"lat": lat, "lon": lon}
    return {}


# -- the timeline ----------------------------------------------------------------------------

_ROW = 22
_GROUP_HEAD = 30
_AXIS = 40
_PLOT_LEFT = 20
_PLOT_WIDTH = 1000
_TAIL = 22  # the dashed tail of an event whose source gives no end
_CHAR = 6.6  # mean advance of a 12px sans-serif character, to place labels


def _group_of(s: Site, iri: str, dated: set[str]) -> str | None:
    """The operation an event belongs to: its highest dated ancestor below the war (itself, when
    it heads dated sub-events), else its topmost ancestor (the war); None when it has none."""
    prop = KGO + "subEventOf"
    up = s.ancestors(prop, iri)
    chain = [(0, iri), *up]

    def heads(x: str) -> bool:
        return x in dated and x not in s.wars and bool(s.descendants(prop, x) & dated)

    candidates = [(d, x) for d, x in chain if heads(x)]
    if candidates:
        return max(candidates, key=lambda dx: (dx[0], dx[1]))[1]
    if up:
        return max(up, key=lambda dx: (dx[0], dx[1]))[1]
    return None


def _timeline_model(s: Site) -> dict:
    dated = {e for e, info in s.events.items() if info["start"]}
    undated = sorted((e for e in s.events if e not in dated),
                     key=lambda e: s.labels.get(e, e).lower())
    groups: dict[str | None, list[str]] = defaultdict(list)
    for e in dated:
        groups[_group_of(s, e, dated)].append(e)
    if not dated:
        return {"groups": [], "undated": undated, "count": 0, "width": 0, "height": 0,
                "ticks": [], "years": []}
    first = min(s.events[e]["start"][0] for e in dated)
    last = max((s.events[e]["until"] or s.events[e]["start"])[0] for e in dated)
    lo = date(first.year, first.month, 1)
    hi_month = date(last.year, last.month, 1)
    hi = (hi_month + timedelta(days=32)).replace(day=1)
    span = (hi - lo).days or 1

    def x_of(day: date) -> float:
        return round(_PLOT_LEFT + (day - lo).days / span * _PLOT_WIDTH, 1)

    def order(key: str | None) -> tuple:
        members = groups[key]
        earliest = min(s.events[e]["start"][0] for e in members)
        # operations first, then the war's other events, then events outside any operation
        rank = 2 if key is None else 1 if key in s.wars or key not in dated else 0
        return (rank, earliest, s.labels.get(key or "", key or ""))

    y = _AXIS
    widest = 0.0
    out_groups = []
    for key in sorted(groups, key=order):
        members = sorted(groups[key], key=lambda e: (e != key, _event_sort(s, e),
                                                     (s.events[e]["until"] or (date.max,))[0]))
        head = {"y": y + 18, "link": _link(s, key) if key else None,
                "title": (s.name(key)[0] or curie(key)) if key else
                "Not part of a larger event",
                # a dated operation is its group's first mark: its heading is that mark's
                # link, one tab stop (it was a link of its own to the same page)
                "marked": key is not None and members[0] == key}
        y += _GROUP_HEAD
        marks = []
        for e in members:
            info = s.events[e]
            start = info["start"]
            # an end the source bounds without dating it ("completed by ...") draws the bar to
            # that latest day, open-ended: lighter and never holding its label
            end = info["until"]
            if end is not None and end[0] == start[0] and start[2] == XSD + "date":
                end = None  # one day (kgo:onDate): a dot
            open_end = info["end"] is None and end is not None
            is_range = end is not None or start[2] in (XSD + "gYearMonth", XSD + "gYear")
            # a start the source gives without any end: a mark with a dashed tail (no bar:
            # nothing says how long it went on)
            ongoing = info["ongoing"] and end is None
            last_day = end[0] if end else _parse_date(start[1], start[2], end=True) or start[0]
            x1 = x_of(start[0])
            x2 = x_of(last_day + timedelta(days=1)) if is_range else x1
            when = human_date(start[1], start[2])
            if info["latest_start"]:  # "on January 5-6": "5 or 6 January 1979"
                last = human_date(*info["latest_start"][1:])
                day, _, rest = when.partition(" ")
                when = (f"{day} or {last}" if day.isdigit() and last.endswith(" " + rest)
                        else f"{when} or {last}")
            if end:
                when += (" – not after " if open_end else " – ") + human_date(end[1], end[2])
            elif ongoing:
                when = f"from {when}, no end given"
            when += _dates_read(s, e, start, end if end is not None else None, open_end)
            label = s.name(e)[0] or curie(e)
            after = (x2 + 6) if is_range else (x1 + 8 + (_TAIL if ongoing else 0))
            extent = len(label) * _CHAR
            # the label goes inside a bar long enough, else after the mark where it fits, else
            # before it where that fits, else after it (and the drawing grows)
            inside = is_range and not open_end and x2 - x1 >= extent + 10
            right = not inside and (after + extent <= _PLOT_LEFT * 2 + _PLOT_WIDTH
                                    or x1 - 8 - extent < 0)
            text_x = x1 + 5 if inside else after if right else x1 - 8
            widest = max(widest, text_x + extent if right else x2)
            marks.append({
                "link": _link(s, e), "label": label, "when": when, "range": is_range,
                "open_end": open_end, "ongoing": ongoing, "tail_x": round(x1 + _TAIL, 1),
                "x": x1, "width": max(round(x2 - x1, 1), 3.0), "y": y + _ROW / 2,
                "text_x": round(text_x, 1), "anchor": "end" if not (inside or right) else "start",
                "inside": inside,
                "start_iso": start[0].isoformat(), "end_iso": last_day.isoformat(),
                # the start at its source's precision, for <time datetime>: "1978-05" is May
                # 1978, where its first day, "1978-05-01", told a machine a day no one gave
                "datetime": start[1] if _HTML_DATE.fullmatch(start[1]) else start[0].isoformat(),
            })
            y += _ROW
        out_groups.append({"head": head, "marks": marks, "top": head["y"] - 18, "bottom": y})
        y += 8
    ticks = []
    month = lo
    while month <= hi:
        ticks.append({"x": x_of(month), "label": calendar.month_abbr[month.month],
                      "year": month.year if month.month == 1 or month == lo else None})
        month = (month + timedelta(days=32)).replace(day=1)
    return {"groups": out_groups, "undated": [_undated(s, e) for e in undated],
            "count": len(dated), "width": round(max(_PLOT_LEFT * 2 + _PLOT_WIDTH, widest + 10)),
            "height": y + 10,
            "ticks": ticks, "axis_y": _AXIS - 10}


#: The bounds of an undated event the timeline lists, as it words them.
_UNDATED_BOUNDS = (("not_before", "notBefore", "not before"),
                   ("latest_start", "latestStart", "began not after"),
                   ("not_after", "notAfter", "ended not after"))


#: A date as HTML's ``<time datetime>`` takes it at a day's, a month's or a year's precision.
_HTML_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")


def _undated(s: Site, e: str) -> dict:
    """An undated event as the timeline lists it: its link, the bounds its source (or the
    curators) put on it, each saying where it is the curators' reading (as a mark's dates and
    the event's page do), and what it is part of. The day by which the source has it under
    way (kgo:latestStart on an undated event) was left out, and the bounds read as the
    source's."""
    info = s.events[e]
    bounds = []
    for key, predicate, words in _UNDATED_BOUNDS:
        bound = info[key]
        if bound is None:
            continue
        literal = ox.Literal(bound[1], datatype=ox.NamedNode(bound[2]))
        bounds.append({"text": f"{words} {human_date(bound[1], bound[2])}",
                       "reading": bool(s.readings.get((e, KGO + predicate, literal)))})
    parents = [_link(s, x) for x in s.up[KGO + "subEventOf"].get(e, [])]
    return {"link": _link(s, e), "bounds": bounds, "parents": parents}


# -- the language of the names --------------------------------------------------------------

#: Each language's name for itself, for the links that switch the pages' language.
LANGUAGE_NAMES = {"en": "English", "vi": "Tiếng Việt", "km": "ភាសាខ្មែរ", "fr": "Français"}
#: Their names in English, for an error's message (plain text, in English).
LANGUAGE_NAMES_EN = {"en": "English", "vi": "Vietnamese", "km": "Khmer", "fr": "French"}


def _primary(tag: str | None) -> str:
    """A language tag's primary subtag, in lower case (``vi`` of ``vi-VN``; "" for none): what
    the pages compare a name's language and the page's by."""
    return (tag or "").lower().partition("-")[0]


class LanguageNotOffered(ValueError):
    """A ``lang`` parameter naming no language the pages show names in."""


def page_language(s: Site) -> str:
    """The language a page shows names in: ``?lang=`` (a tag or its primary subtag, ``vi``
    or ``vi-VN``; it wins), else the ``Accept-Language`` header's best among
    :attr:`Site.page_languages`, else English. The page itself, its headings and words, is
    English; what changes is the names (the entity's, its links'), each marked with its
    language. English for a ``lang`` not offered, which a page's route refuses first
    (:func:`_language_refused`)."""
    found = _requested_language(s)
    return "en" if isinstance(found, LanguageNotOffered) else found


def _requested_language(s: Site) -> str | LanguageNotOffered:
    """The language the request asks for, or the ``lang`` it names that is not offered: read
    from the request once, kept for the rest of it (a route refuses a bad ``lang`` and its
    page then asks for the language again, as each name shown does)."""
    found = g.get("kg_page_language")
    if found is None:
        asked = request.args.get("lang")
        if asked is None:
            found = request.accept_languages.best_match(s.page_languages, default="en")
        else:
            primary = _primary(asked.strip())
            found = primary if primary in s.page_languages else LanguageNotOffered(asked)
        g.kg_page_language = found
    return found


def _with_language(href: str) -> str:
    """A link to a page of the site keeping a language chosen with ``?lang=`` (a reader who
    chose Vietnamese stays in it from page to page; one whose browser chose it needs no
    parameter)."""
    lang = g.get("kg_page_language")
    if not isinstance(lang, str) or "lang" not in request.args:
        return href
    path, hash_, fragment = href.partition("#")
    joined = "&" if "?" in path else "?"
    return f"{path}{joined}lang={lang}{hash_}{fragment}"


def _language_refused(s: Site) -> Response | None:
    """400 for a ``lang`` naming no language the names are in, listing those offered; else
    None (the language chosen, :func:`page_language`)."""
    found = _requested_language(s)
    if not isinstance(found, LanguageNotOffered):
        return None
    offered = ", ".join(f"{x} ({LANGUAGE_NAMES_EN.get(x, x)})" for x in s.page_languages)
    return error_answer(400, f"Bad Request: lang={found} is not a language this site has "
                             f"names in; the pages show them in {offered}")


def language_context(s: Site, path: str | None = None) -> dict:
    """What a page that shows names in :func:`page_language` gives its template: the
    language, and a link to the page in each language offered (``?lang=``; at ``path``, a
    resource's own, where given: the page of ``/place/x.html`` and ``?format=html`` is one),
    the current one marked."""
    lang = page_language(s)
    base = request.script_root + (path or quote(request.path, safe=_FRAGMENT_SAFE))
    links = []
    for tag in s.page_languages:
        args = [(k, v) for k, v in request.args.items(multi=True)
                if k != "lang" and (path is None or k not in ("format", "output"))]
        links.append({"tag": tag, "name": LANGUAGE_NAMES.get(tag, tag), "current": tag == lang,
                      "href": f"{base}?{urlencode([*args, ('lang', tag)])}"})
    return {"page_language": lang, "page_languages": links if len(links) > 1 else [],
            "page_language_name": LANGUAGE_NAMES.get(lang, lang),
            # the site's own links keep a language chosen with ?lang=
            "lang_args": {"lang": lang} if "lang" in request.args else {}}


def language_headers(s: Site, vary: str = "Accept") -> dict[str, str]:
    """``Content-Language`` of a page in :func:`page_language` (English, the page's words,
    and the names' language where it is another and the page shows a name in it: ``en, vi``;
    a page whose every name fell back to English is ``en``), and ``Vary`` naming
    ``Accept-Language`` where that header chose it (a ``?lang=`` URL is one language). Called
    once the page is rendered: its names say which languages it holds."""
    lang = page_language(s)
    holds = lang != "en" and g.get("kg_names_in_page_language", False)
    headers = {"Content-Language": f"en, {lang}" if holds else "en"}
    if "lang" not in request.args and len(s.page_languages) > 1:
        vary = f"{vary}, Accept-Language" if vary else "Accept-Language"
    if vary:
        headers["Vary"] = vary
    return headers


# -- routes ------------------------------------------------------------------------------------

def _html(body: str, status: int = 200, headers: dict | None = None) -> Response:
    return Response(body, status, {"Content-Type": "text/html; charset=utf-8",
                                   **(headers or {})})


def _alternates(path: str) -> list[dict]:
    """The resource's RDF representations, each at its own URL, the path with the syntax's
    extension (``/place/phnom-penh.ttl``), which ``Content-Location`` names too; ``?format=``
    for a path ending in ``/`` (the ontology's), which has no such URL to hand out."""
    href = request.script_root + path
    return [{"type": r.media_type, "title": r.title, "key": r.key,
             "href": f"{href}?format={r.key}" if path.endswith("/") else f"{href}.{r.key}"}
            for r in REPRESENTATIONS if r.rdf is not None]


def _dates_read(s: Site, e: str, start: tuple, end: tuple | None, open_end: bool) -> str:
    """What a timeline mark adds to its dates where one is the curators' reading (a statement
    attributed to them reifies it, :attr:`Site.readings`), as the event's page marks it: a
    mark never shows a reading as a date the source gives."""
    def read(value: tuple, predicates: tuple[str, ...]) -> bool:
        literal = ox.Literal(value[1], datatype=ox.NamedNode(value[2]))
        return any(s.readings.get((e, KGO + p, literal)) for p in predicates)

    first = read(start, ("startDate", "onDate"))
    last = end is not None and read(end, ("notAfter",) if open_end else ("endDate", "onDate"))
    if end is None and read(start, ("onDate",)):  # one day: its date, not a start
        return "; the date is the curators' reading"
    if first and last:
        return "; start and end are the curators' readings"
    if first or last:
        return f"; the {'start' if first else 'end'} is the curators' reading"
    return ""


def _link_header(path: str) -> str:
    return ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"'
                     for a in _alternates(path))


def footer_context() -> dict:
    return {"version": __version__}


# ``strict_slashes=False``: ``/NAME`` is the IRI ``BASE + NAME`` (no redirect to ``/NAME/``).
@bp.route("/<kind>/", methods=["GET"], strict_slashes=False)
@bp.route("/<kind>/<path:rest>", methods=["GET"])
def resource(kind: str, rest: str = "") -> Response:
    """The page (or RDF) of the IRI ``BASE + kind/rest`` (or ``BASE + kind``)."""
    if rest or request.path.endswith("/"):
        iri = f"{BASE}{kind}/{rest}"
    else:
        iri = BASE + kind
    s = site()
    document, hash_, fragment = iri.partition("#")
    if hash_ and iri in s.fragments.get(document, ()):
        # /event/x%23time-span: a hash IRI's fragment percent-encoded into the path (a tool
        # quoting the whole IRI). That URL names another resource (RFC 3986, 2.2 and 3.5),
        # not in the dataset; the IRI meant is described on its document's page.
        return _moved(document, fragment)
    if iri not in s.known:
        moved = _known_form(s, iri)
        if moved is not None:
            return moved
    if iri == ONTOLOGY and iri not in s.known:
        return _ontology_undescribed(s, iri)
    if iri not in s.known and iri == f"{BASE}{kind}/" and kind in s.kinds:
        # a folder (/place/): its listing is a page only, so a client that takes no HTML
        # gets 406 (it exists), and */* the page
        rep = representation_or_error(("html",))
        return rep if isinstance(rep, Response) else _kind_index(s, kind)
    rep = representation_or_error()
    if isinstance(rep, Response):
        return rep
    if rep.rdf is None and (refused := _language_refused(s)) is not None:
        return refused
    path = local_path(iri) or "/"
    if iri not in s.known:
        if hash_ and document in s.known:
            held = ", ".join(f"#{x.partition('#')[2]}" for x in s.fragments.get(document, ()))
            note = (f"<{iri}> is not in this dataset (this URL's path holds %23, an encoded "
                    f"#: a fragment goes after a plain #, and is not sent to the server); the "
                    f"page of <{document}> is {request.script_root}{local_path(document)}"
                    + (f", with its fragments {held}." if held else "."))
            return _not_found_saying(s, iri, rep, note, [document])
        if kind == "ontology" and _looks_like_a_version(rest):
            return _no_such_version(s, iri, rest, rep)
        stem, dot, extension = iri.rpartition(".")
        if dot and stem in s.known and "/" not in extension:
            return _unserved_extension(s, iri, stem, extension, rep)
        if dot and extension.lower() in _EXTENSIONS and "/" not in extension:
            # /place/nowhere.ttl: it is <…/place/nowhere> that is not in the dataset
            return _missing(s, stem, rep)
        return _missing(s, iri, rep)
    vary = {"Vary": "Accept", "Link": _link_header(path), **content_location(path, rep)}
    if rep.rdf is None:
        return _html(_entity_html(s, s.document_of(iri), path), 200,
                     {**vary, **language_headers(s)})
    return Response(serialize(_quads_of(s, iri), rep), 200, {
        "Content-Type": rep.content_type, **CORS_READ, **vary})


def _ontology_undescribed(s: Site, iri: str, rep: Representation | None = None) -> Response:
    """``/ontology/`` where the dataset says nothing of the ontology's IRI (no ``owl:Ontology``
    header: a small file given to ``kg serve --dataset``). Its RDF is the ontology's named
    graph, as for the built dataset (:func:`_quads_of`), and its page the list of the terms;
    where there is no such graph, a 404 saying so. It was the terms' folder, a page only, and
    ``?format=nt`` a 400 calling N-Triples an unknown format. ``rep``: the representation a
    file extension chose (``/ontology/.ttl``), else negotiated."""
    if rep is None:
        chosen = representation_or_error()
        if isinstance(chosen, Response):
            return chosen
        rep = chosen
    path = local_path(iri) or "/"
    if ONTOLOGY_GRAPH in s.graphs:
        if rep.rdf is None:
            return _kind_index(s, "ontology")
        return Response(serialize(_quads_of(s, iri), rep), 200, {
            "Content-Type": rep.content_type, **CORS_READ, "Vary": "Accept",
            "Link": _link_header(path)})
    note = (f"this dataset has no ontology graph <{ONTOLOGY_GRAPH}>, and says nothing of "
            f"<{iri}>; see {request.host_url.rstrip('/')}{request.script_root}/dataset for "
            "the graphs it has.")
    if rep.rdf is None and "ontology" in s.kinds:
        return _kind_index(s, "ontology")  # terms in the namespace, from other graphs
    return _not_found_saying(s, iri, rep, note, [])


#: A version in the ontology's namespace (``0.1.0``, ``v2``, ``1.0.0-rc.1``): term names
#: begin with a letter (``Event``, ``startDate``).
_VERSION = re.compile(r"v?[0-9]+(?:\.[0-9]+)*(?:[-+][0-9A-Za-z.+-]*)?", re.ASCII)


def _looks_like_a_version(rest: str) -> bool:
    name = rest.rstrip("/")
    stem, dot, extension = name.rpartition(".")
    return bool(_VERSION.fullmatch(name)
                or (dot and extension.lower() in _EXTENSIONS and _VERSION.fullmatch(stem)))


def _no_such_version(s: Site, iri: str, rest: str, rep: Representation) -> Response:
    """404 for a version of the ontology this server does not have, naming the one it has."""
    if s.ontology_version is None:
        return _missing(s, iri, rep)
    current, version = s.ontology_version
    note = (f"the ontology has no version {rest.rstrip('/')!r} here: its current version is "
            f"{version}, <{current}>; the ontology itself is <{ONTOLOGY}>.")
    return _not_found_saying(s, iri, rep, note, [current, ONTOLOGY])


def _unserved_extension(s: Site, iri: str, stem: str, extension: str,
                        rep: Representation) -> Response:
    """404 for a known resource's URL with a file extension the pages do not serve
    (``/place/phnom-penh.xyz``), listing those they do."""
    served = ", ".join(f".{e}" for e in _EXTENSIONS)
    path = request.script_root + (local_path(stem) or "/")
    note = (f".{extension} is not an extension the entity pages serve; they serve {served}, "
            f"or ?format= and Accept on the resource's own URL, {path} (<{stem}>).")
    return _not_found_saying(s, iri, rep, note, [stem])


def _not_found_saying(s: Site, iri: str, rep: Representation, note: str,
                      suggested: list[str]) -> Response:
    """404 for ``iri`` with a ``note`` saying why and what to ask for instead: the note as the
    error a client that reads no HTML gets, or the missing page with it and ``suggested``."""
    if rep.rdf is not None:
        return error_answer(404, f"Not Found: {note}", {"Vary": "Accept"})
    html = render_template("page_missing.html", iri=iri, note=note[:1].upper() + note[1:],
                           suggestions=[_link(s, x) for x in suggested], kinds=_kinds(s),
                           **footer_context(), **language_context(s))
    return _html(html, 404, language_headers(s))


def _entity_html(s: Site, iri: str, path: str) -> str:
    about = s.quads_about(iri)
    return render_template("page_entity.html", e=entity_model(s, iri, about),
                           **language_context(s, path),
                           alternates=_alternates(path),
                           structured_data=schema_org_markup(s, iri, about), **footer_context())


def _quads_of(s: Site, iri: str) -> list[ox.Quad]:
    """What the RDF of a resource holds: the quads about it; a named graph's own quads too;
    for the ontology and its current version IRI, its graph. Blank nodes labelled by RDFC-1.0
    (:func:`stable_blank_nodes`)."""
    if s.document_of(iri) == ONTOLOGY and ONTOLOGY_GRAPH in s.graphs:
        return stable_blank_nodes(s.graph_quads(ONTOLOGY_GRAPH))
    if iri in s.graphs:
        return stable_blank_nodes(sorted({*s.graph_quads(iri), *s.quads_about(iri)},
                                         key=quad_key))
    return stable_blank_nodes(s.description(iri))


#: File extensions people add to a resource's URL, as other linked-data sites serve them
#: (``/place/phnom-penh.ttl``): the representation of that syntax.
_EXTENSIONS = {"ttl": "ttl", "nt": "nt", "jsonld": "jsonld", "json": "jsonld", "rdf": "rdf",
               "xml": "rdf", "trig": "trig", "nq": "nq", "html": "html"}


def _known_form(s: Site, iri: str) -> Response | None:
    """A URL that names a known resource another way: with a trailing slash, or without the
    one its IRI ends in (``/ontology``; 301 to the resource's own URL), or with a file
    extension (its representation in that syntax, with the resource's IRI as its canonical
    ``Link``). None otherwise: our IRIs hold no dot, but for the ontology's
    version IRI (``…/ontology/0.1.0``), which is known and never reaches here."""
    if iri.endswith("/") and iri.rstrip("/") in s.known and iri.rstrip("/") != BASE.rstrip("/"):
        return _moved(iri.rstrip("/"))
    if iri.endswith("/") and answered_by_a_route(request.path.rstrip("/"), "GET",
                                                  besides=f"{bp.name}.resource"):
        # /validate/, /timeline/, /dataset/: as /sparql/ is /sparql, not an IRI of the data
        return _moved(iri.rstrip("/"))
    if not iri.endswith("/") and iri + "/" in s.known:
        return _moved(iri + "/")
    stem, dot, extension = iri.rpartition(".")
    key = _EXTENSIONS.get(extension.lower()) if dot else None
    # /ontology/.ttl of a dataset without the ontology's header: what /ontology/ serves
    undescribed = stem == ONTOLOGY and stem not in s.known
    if key is None or (stem not in s.known and not undescribed):
        return None
    rep: Representation | Response | None = _with_json_ld_form(_BY_KEY[key])
    if "format" in request.args:  # as on the resource's own URL, ?format= wins
        rep = representation_or_error()
        if isinstance(rep, Response):
            return rep
    elif key == "nt":
        # N-Triples under text/plain, its type of old, where Accept names that type: the URL
        # the resource's Content-Location names for that answer gives it in the same type
        rep = negotiate(("nt",)) or rep
    assert isinstance(rep, Representation)
    if undescribed:
        answer = _ontology_undescribed(s, stem, rep)
        if answer.status_code == 200:
            answer.headers["Link"] = f'<{stem}>; rel="canonical"'
        return answer
    path = local_path(stem) or "/"
    if rep.rdf is None:
        if (refused := _language_refused(s)) is not None:
            return refused
        body, content_type = (_entity_html(s, s.document_of(stem), path),
                              "text/html; charset=utf-8")
    else:
        body, content_type = serialize(_quads_of(s, stem), rep), rep.content_type
    headers = {"Content-Type": content_type, **CORS_READ, **content_location(path, rep),
               "Link": f'<{stem}>; rel="canonical"'}
    if rep.rdf is None:
        headers.update(language_headers(s, vary=""))
    if rep.rdf in (ox.RdfFormat.JSON_LD, ox.RdfFormat.N_TRIPLES):
        # the extension fixes the syntax, but Accept still chooses JSON-LD's form (a profile)
        # and N-Triples' type (text/plain)
        headers["Vary"] = "Accept"
    return Response(body, 200, headers)


def _moved(iri: str, fragment: str = "") -> Response:
    """301 to the URL of ``iri``, with the request's query string (and ``fragment``)."""
    target = request.script_root + (local_path(iri) or "/")
    query = request.query_string.decode("latin-1")
    hash_ = f"#{quote(fragment, safe=_FRAGMENT_SAFE)}" if fragment else ""
    return redirect(target + (f"?{query}" if query else "") + hash_, 301)


def _kind_index(s: Site, kind: str) -> Response:
    """Every IRI under ``BASE + kind + "/"`` (a browser asking for the folder of places,
    events, …), by name."""
    if (refused := _language_refused(s)) is not None:
        return refused
    links = sorted((_link(s, x) for x in s.kinds[kind]),
                   key=lambda x: (x["text"].casefold(), x["iri"]))
    html = render_template("kind_index.html", kind=kind, base=BASE, links=links,
                           **language_context(s),
                           **footer_context())
    return _html(html, 200, language_headers(s))


def _missing(s: Site, iri: str, rep: Representation) -> Response:
    if rep.rdf is not None:
        return error_answer(404, f"Not Found: <{iri}> is not in this dataset; see "
                          f"{request.host_url.rstrip('/')}{request.script_root}/dataset",
                          {"Vary": "Accept"})
    html = render_template("page_missing.html", iri=iri,
                           suggestions=[_link(s, x) for x in s.suggestions(iri)],
                           kinds=_kinds(s), **footer_context(), **language_context(s))
    return _html(html, 404, language_headers(s))


def _kinds(s: Site) -> list[dict]:
    """The first segments of the dataset's IRIs, with a count and an example (404 pages)."""
    return [{"name": k, "count": len(v), "example": _link(s, v[0])}
            for k, v in sorted(s.kinds.items())]


@bp.route("/search", methods=["GET"])
def search() -> Response:
    """Entities by name (``?q=``), with the reconciliation service's matching: a page with the
    form, and the matches linked to their pages, each with the name it was found by where
    that is not the name shown (:meth:`~kg.reconciliation.ReconciliationIndex.matched_name`).
    400 for a text over the service's limit. The page is in English, its ``<title>`` too
    ("Search results for “…”"): a title cannot mark the language of a part, and the query is
    the reader's text, of a language its letters tell at best (WCAG 2.1, 3.1.2, leaves words
    of indeterminate language unmarked); where they tell one
    (:func:`kg.literals.language_of_letters`), the query is marked with it in the body."""
    from kg.endpoint.reconcile import text_language
    from kg.errors import InputError
    from kg.literals import language_of_letters
    from kg.reconciliation import MAX_QUERY_CHARS

    s = site()
    if (refused := _language_refused(s)) is not None:
        return refused
    lang = page_language(s)
    q = request.args.get("q", "")
    index = current_app.extensions["kg.reconcile"]
    results, error, status = [], None, 200
    try:
        found = index.search(q, limit=SEARCH_LIMIT)
    except InputError as exc:
        found, error, status = [], str(exc), 400
    for item in found:
        entity = index.get(item["id"])
        path = local_path(entity.iri)
        # the name it was found by, where it is not the one shown (a Vietnamese name)
        matched = index.matched_name(entity, q)
        # its name in the page's language, where the data has one
        name, name_lang = s.name(entity.iri) if lang != "en" else (None, None)
        if name is None or _primary(name_lang) != lang:
            name, name_lang = item["name"], text_language(entity, "label", item["name"])
        elif matched is not None and matched.text == name:
            matched = None
        results.append({**item, "name": name,
                        "href": _with_language(request.script_root + path) if path
                        else entity.iri,
                        "matched": matched and {"text": matched.text,
                                                "lang": matched.lang or None},
                        "lang": name_lang,
                        "description_lang": text_language(entity, "description",
                                                          item.get("description", ""))})
    html = render_template("search.html", q=q, q_lang=language_of_letters(q), results=results,
                           error=error,
                           limit=SEARCH_LIMIT, maxlength=MAX_QUERY_CHARS, **footer_context(),
                           **language_context(s))
    return _html(html, status, language_headers(s, vary=""))


#: Matches shown on the search page.
SEARCH_LIMIT = 50


#: What /timeline is available as.
TIMELINE_OFFERS = ("html",)


@bp.route("/timeline", methods=["GET"])
def timeline() -> Response:
    """Every dated event on a time axis (server-rendered SVG), grouped by operation. HTML only:
    another ``?format=`` and an ``Accept`` without HTML are a 406, as on the other pages
    (the events' data is at their own IRIs and in the dumps)."""
    rep = representation_or_error(TIMELINE_OFFERS)
    if isinstance(rep, Response):
        return rep
    s = site()
    refused = _language_refused(s)
    if refused is not None:
        return refused
    html = render_template("timeline.html", t=s.timeline(), **footer_context(),
                           **language_context(s))
    return _html(html, 200, language_headers(s))


# -- for crawlers: robots.txt and the sitemap -----------------------------------------------------

#: Routes a crawler should leave alone: every query string is a new URL there (an endless
#: space of answers that load the server), or the page is a tool, not content.
CRAWL_DISALLOWED = ("/sparql", "/form", "/store", "/search", "/validate", "/reconcile")
#: The sitemap protocol's limit of URLs per file.
SITEMAP_LIMIT = 50_000


@bp.route("/robots.txt", methods=["GET"])
def robots() -> Response:
    """Crawlers may read every page, dump and description, not run queries or tools."""
    root = request.host_url.rstrip("/") + request.script_root
    text = "User-agent: *\n" + "".join(f"Disallow: {request.script_root}{p}\n"
                                       for p in CRAWL_DISALLOWED)
    text += f"\nSitemap: {root}/sitemap.xml\n"
    return Response(text, 200, {"Content-Type": "text/plain; charset=utf-8"})


@bp.route("/sitemap.xml", methods=["GET"])
def sitemap() -> Response:
    """The pages of this site (every resource of the dataset, the dataset's description, the
    timeline): one sitemap, or an index of sitemaps of SITEMAP_LIMIT URLs (``?page=N``)."""
    from xml.sax.saxutils import escape

    from kg.endpoint.dumps import dumps

    s = site()
    root = request.host_url.rstrip("/") + request.script_root
    from kg.endpoint.shapes import shapes

    urls = [root + "/", root + "/dataset", root + "/timeline"]
    urls += [root + "/shapes/"] if shapes().graph is not None else []
    # a hash IRI's page is its document's (and a sitemap URL has no fragment)
    urls += [root + path for path in sorted(filter(None, map(local_path, s.known - {
        x for xs in s.fragments.values() for x in xs})))]
    urls = list(dict.fromkeys(urls))
    modified = dumps().last_modified.date().isoformat()
    pages = max(1, -(-len(urls) // SITEMAP_LIMIT))
    page = request.args.get("page")
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    space = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    if page is None and pages > 1:
        body = "".join(f"<sitemap><loc>{escape(root)}/sitemap.xml?page={n}</loc>"
                       f"<lastmod>{modified}</lastmod></sitemap>\n" for n in range(1, pages + 1))
        xml = f"{head}<sitemapindex {space}>\n{body}</sitemapindex>\n"
    else:
        number = int(page) if page and page.isdigit() else 1 if page is None else 0
        if not 1 <= number <= pages:
            return error_answer(404, f"Not Found: the sitemap has pages 1 to {pages}")
        chunk = urls[(number - 1) * SITEMAP_LIMIT:number * SITEMAP_LIMIT]
        body = "".join(f"<url><loc>{escape(u)}</loc><lastmod>{modified}</lastmod></url>\n"
                       for u in chunk)
        xml = f"{head}<urlset {space}>\n{body}</urlset>\n"
    return Response(xml, 200, {"Content-Type": "application/xml; charset=utf-8"})
