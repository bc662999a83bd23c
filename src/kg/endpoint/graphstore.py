"""The SPARQL 1.1 Graph Store HTTP Protocol, read-only: ``/store``.

``GET /store?graph=IRI`` answers one named graph, ``GET /store?default`` the default graph
(the union of the named graphs, each triple once, as the service description says), and
``GET /store`` with neither the whole dataset (TriG, N-Quads or JSON-LD with its graphs: the
bytes of ``/dumps/kg.*``); either named in another case (``?GRAPH=``) is a 400, not the
dataset, which the client did not mean (the names are case-sensitive). Graphs are
identified indirectly (the ``graph`` parameter, decoded once); the graph IRIs are those of
``/sparql``'s ``FROM NAMED``. ``HEAD`` answers the same headers without the body; a graph the
dataset does not hold is a 404.

Graphs come as Turtle (the default), N-Triples, RDF/XML, JSON-LD, TriG or N-Quads, by
``Accept`` or ``?format=`` (:func:`kg.endpoint.pages.negotiate`), with a strong ``ETag`` (the
SHA-256 of the body: the dataset does not change while served) and conditional ``GET``,
gzipped where the client accepts it (:mod:`.caching`); the whole dataset as the dumps send it
(:func:`kg.endpoint.dumps.send_dump`: gzipped once, in byte ranges).
A browser (an ``Accept`` preferring HTML) gets a page instead: what the URL holds, with a
link to each format's ``?format=`` URL. Writes (``PUT``, ``POST``, ``DELETE``, ``PATCH``) are
refused with 405 and never executed.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote, unquote_to_bytes

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from kg.endpoint.dumps import dumps, send_dump
from kg.endpoint.pages import (
    REPRESENTATIONS,
    FormatNotOffered,
    error_answer,
    footer_context,
    format_not_offered,
    local_path,
    negotiate,
    not_acceptable,
    serialize,
    stable_blank_nodes,
)
from kg.store import not_an_absolute_iri

__all__ = ["bp", "PATH"]

bp = Blueprint("graphstore", __name__)

PATH = "/store"
#: Every RDF syntax for one graph; the whole dataset only in those that keep graphs apart.
GRAPH_OFFERS = tuple(r.key for r in REPRESENTATIONS if r.rdf is not None)
DATASET_OFFERS = ("trig", "nq", "jsonld")
_READ = "GET, HEAD, OPTIONS"


def _text(status: int, message: str, headers: dict | None = None) -> Response:
    return error_answer(status, message, {"Access-Control-Allow-Origin": "*", **(headers or {})})


# Flask's own OPTIONS would list the write methods in ``Allow``: a preflight must not offer them.
# The methods it does not answer are taken to say so in its own 405 (werkzeug's would list
# those it takes to refuse): the writes, and ``QUERY``, which ``/sparql`` answers.
@bp.route(PATH, methods=["GET", "OPTIONS", "PUT", "POST", "DELETE", "PATCH", "QUERY"],
          provide_automatic_options=False)
def store() -> Response:
    """One graph (``?graph=IRI``), the default graph (``?default``), or the whole dataset."""
    if request.method == "OPTIONS":
        return Response(b"", 204, {
            "Allow": _READ, "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": _READ,
            "Access-Control-Allow-Headers": request.headers.get(
                "Access-Control-Request-Headers") or "Accept",
            "Access-Control-Max-Age": "86400"})
    if request.method not in ("GET", "HEAD"):
        return _text(405, "Method Not Allowed: this graph store is read-only; it answers "
                          f"{_READ}. The dataset is edited in the project's graph/ files and "
                          "rebuilt (kg build).", {"Allow": _READ})
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if graphs and not _utf_8_graph_names(request.query_string):
        return _text(400, "Bad Request: the graph parameter is not UTF-8 once percent-decoded "
                          "(a graph IRI is read as UTF-8: send its other characters as %XX "
                          "of their UTF-8 bytes, é as %C3%A9)")
    if not graphs and not default:
        misnamed = next((k for k in request.args if k.lower() in ("graph", "default")), None)
        if misnamed is not None:
            # without it the URL names the whole dataset: a client that meant one graph
            # would read every graph's quads (TriG) as it
            return _text(400, f"Bad Request: the parameter is named {misnamed.lower()!r}, in "
                              "lower case (parameter names are case-sensitive), not "
                              f"{misnamed!r}; /store without ?graph=IRI or ?default is the "
                              "whole dataset")
    if len(graphs) > 1 or (graphs and default):
        return _text(400, "Bad Request: name one graph: ?graph=IRI or ?default, once")
    # HTML last: chosen only where the client prefers it (a browser), never for */*
    offers = (GRAPH_OFFERS if graphs or default else DATASET_OFFERS) + ("html",)
    # in the message itself, not added to the body: a JSON client's is an object
    note = "" if graphs or default else "; one graph, as triples: ?default or ?graph=IRI"
    try:
        rep = negotiate(offers)
    except FormatNotOffered as exc:
        return format_not_offered(str(exc), offers, note)
    if rep is None:
        return not_acceptable(offers, note)
    if rep.rdf is None and not graphs:
        return _page(None, default)
    if not graphs and not default:
        found = dumps().get(f"kg.{rep.key}")
        assert found is not None  # every dataset offer is a dump format
        return send_dump(found, rep.content_type, {"Vary": "Accept"})
    if graphs:
        name = graphs[0]
        why = not_an_absolute_iri(name)
        if why is not None:
            return _text(400, f"Bad Request: the graph parameter must be an absolute IRI, not "
                              f"{name!r} ({why})")
        held = current_app.extensions["kg"].store.named_graphs
        if name not in held:
            return _text(404, f"Not Found: no graph <{name}> in this dataset; its named graphs "
                              f"are {', '.join(f'<{g}>' for g in held) or 'none'}")
        if rep.rdf is None:
            return _page(name, False)
        graph: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(name)
        where = f"GRAPH <{name}> {{ ?s ?p ?o }}"
    else:
        graph, where = ox.DefaultGraph(), "?s ?p ?o"
    triples = current_app.extensions["kg"].store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}")
    # blank nodes labelled canonically (RDFC-1.0) and the quads sorted: each process labels
    # them its own way, and the ETag (the body's hash) must be the same from every worker
    body = serialize(stable_blank_nodes(
        [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]), rep)
    return _answer(body, rep.content_type, "sha256-" + hashlib.sha256(body).hexdigest())


def _utf_8_graph_names(query: bytes) -> bool:
    """Whether every ``graph`` parameter of the URL's ``query`` string is UTF-8 once
    percent-decoded, as the Graph Store Protocol (4.2) reads it. Werkzeug keeps an escape of
    octets that are not as the text ``%FF``: ``graph=http%3A%2F%2Fa%2F%FF`` was then taken to
    name ``<http://a/%FF>``, another IRI (whose own escape would be ``%25FF``), and a 404."""
    for pair in query.split(b"&"):
        name, _, value = pair.partition(b"=")
        if unquote_to_bytes(name.replace(b"+", b" ")) == b"graph":
            try:
                unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


def _page(name: str | None, default: bool) -> Response:
    """What a browser gets: what the URL holds, a link to each format (the ``?format=`` URL
    an RDF client's ``Accept`` would get), the named graphs, and the graph's own page."""
    store = current_app.extensions["kg"].store
    sizes = current_app.extensions["kg"].descriptions.stats()["graphs"]
    here = request.script_root + PATH
    if name is not None:
        query = f"graph={quote(name, safe='')}&"
        path = local_path(name)
        view = {"kind": "graph", "title": f"the named graph <{name}>",
                "holds": f"The {sizes.get(name, 0)} triples of the named graph <{name}>.",
                "page": request.script_root + path if path else None, "graphs": []}
    else:
        query = "default&" if default else ""
        view = {"kind": "default", "title": "the default graph",
                "holds": f"The {store.triple_count} triples of the union of the named graphs "
                         "(each triple once): the default graph of the SPARQL endpoint."
                } if default else {
                "kind": "dataset", "title": "the whole dataset",
                "holds": f"The {store.quad_count} quads of every named graph, as the "
                         "downloads with inferences give them."}
        view |= {"page": None, "graphs": [
            {"iri": g, "triples": sizes.get(g, 0),
             "href": f"{here}?graph={quote(g, safe='')}"} for g in store.named_graphs]}
    keys = GRAPH_OFFERS if name is not None or default else DATASET_OFFERS
    formats = [{"title": r.title, "type": r.media_type, "href": f"{here}?{query}format={r.key}"}
               for r in REPRESENTATIONS if r.key in keys]
    html = render_template("graph_store.html", v={**view, "formats": formats, "store": here},
                           alternates=formats, **footer_context())
    body = html.encode()
    return _answer(body, "text/html; charset=utf-8",
                   "sha256-" + hashlib.sha256(body).hexdigest())


def _answer(body: bytes, content_type: str, etag: str) -> Response:
    """A graph with its validators; gzipped and made conditional by :mod:`.caching`."""
    response = Response(body, 200, {
        "Content-Type": content_type, "Vary": "Accept", "Cache-Control": "no-cache",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Length"})
    response.set_etag(etag)
    response.last_modified = dumps().last_modified
    return response
