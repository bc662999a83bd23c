"""The HTTP API as an OpenAPI 3.2 document, served at ``/openapi.json``.

The document is built from the settings in force, so the limits it states (``maxLength`` of a
request body, ``maxProperties`` of a reconciliation batch, the ``x-kg-limits`` extension of its
``info``) are the limits the server applies. It describes what a client may send and every
status a route answers with; ``tests/security/test_openapi.py`` has schemathesis check the
server against it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, json, request

from kg import __version__

__all__ = ["bp", "openapi_document"]

bp = Blueprint("openapi", __name__)

#: The report formats of /validate (kg.endpoint.validation).
_VALIDATE_FORMATS = "json, turtle, html, text, sarif or github"
_VALIDATE_FORMATS_PARAM = _VALIDATE_FORMATS + " (also as 'output')"
_HTML_OR_RDF = "html or an RDF format (also as 'output')"
#: The language of the names a page shows (else Accept-Language's; 400 for one not offered).
_LANG = {"name": "lang", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "the language of the names an HTML page shows (en, vi, km: a tag or "
                        "its primary subtag); else Accept-Language chooses; 400 for one the "
                        "names are not in"}
_RDF_OR_HTML = "an RDF format or html, over Accept (also as 'output')"
_TEXT = {"text/plain": {"schema": {"type": "string"}}}
_ANY = {"schema": {"type": "string"}}
_SOLUTION_TYPES = ("application/sparql-results+json", "application/sparql-results+xml",
                   "text/csv", "text/tab-separated-values", "application/json",
                   "application/xml", "text/xml")
_GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml",
                "application/ld+json", "application/trig", "application/n-quads")
_PAGE_TYPES = ("text/html", "text/turtle", "application/ld+json", "application/n-triples",
               "application/trig", "application/n-quads", "application/rdf+xml")
_DATASET_TYPES = ("application/trig", "application/n-quads", "application/ld+json")
_DUMP_CONTENT = {t: _ANY for t in (*_DATASET_TYPES, "text/turtle")}
#: An error: plain text, JSON for a client naming JSON, the site's error page for a browser
#: (kg.endpoint.pages.error_response).
_ERROR = {"text/plain": {"schema": {"type": "string"}},
          "application/json": {"schema": {"type": "object", "properties": {
              "status": {"type": "integer"}, "message": {"type": "string"}}}},
          "text/html": _ANY}


def _error(text: str) -> dict:
    return {"description": text, "content": _ERROR}


def _responses(ok: dict, *errors: tuple[str, str]) -> dict:
    out = {"200": ok}
    for code, text in errors:
        out[code] = _error(text)
    return out


def _with_html(responses: dict, codes: tuple[str, ...]) -> dict:
    """The same responses, where the given ones may also come as an HTML page."""
    out = {}
    for code, response in responses.items():
        if code in codes:
            response = {**response, "content": {**response["content"], "text/html": _ANY}}
        out[code] = response
    return out


def _param(name: str, where: str, text: str, schema: dict | None = None, *,
           required: bool = False, explode: bool | None = None) -> dict:
    param = {"name": name, "in": where, "description": text, "required": required,
             "schema": schema or {"type": "string"}}
    if explode is not None:
        param["explode"] = explode
    return param


def openapi_document(settings: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI 3.2.0 document of this server under ``settings``: 3.2 for the ``query``
    operation (the HTTP QUERY method ``/sparql`` answers), which 3.0 and 3.1 cannot state."""
    timeout = settings["query_timeout"]
    max_body = settings["max_body_bytes"]
    batch = settings.get("max_reconcile_batch", 100)
    limits = {name: settings[name] for name in (
        "query_timeout", "request_timeout", "max_results", "max_body_bytes", "max_query_depth",
        "max_upload_bytes", "max_upload_triples", "max_upload_nesting", "validation_timeout",
        "max_reconcile_batch")
        if name in settings}
    sparql_ok = {"description": "the result: solutions, a boolean or a graph (cut at "
                                f"{settings['max_results']} rows; header X-KG-Truncated), or "
                                "the service description when no query is given",
                 "content": {t: _ANY for t in (*_SOLUTION_TYPES, *_GRAPH_TYPES,
                                                "text/plain")}}
    sparql_errors = (
        ("400", "malformed query (line and column), empty query, NUL, invalid UTF-8, "
                "SERVICE, or nesting deeper than max_query_depth"),
        ("403", "SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...): this endpoint is read-only"),
        ("406", "no result format the client accepts"),
        ("413", f"a request body over max_body_bytes ({max_body})"),
        ("415", "a body type other than a form or application/sparql-query, or not UTF-8"),
        ("503", f"the query ran past query_timeout ({timeout:g} s) and was stopped"),
    )
    query_params = [
        _param("query", "query", "a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE)"),
        _param("default-graph-uri", "query", "a graph of the store for the default graph",
               {"type": "array", "items": {"type": "string"}}),
        _param("named-graph-uri", "query", "a graph of the store as a named graph",
               {"type": "array", "items": {"type": "string"}}),
        _param("format", "query", "result format, over Accept (also as 'output', read after "
                                  "'format'): json, xml, csv, tsv, turtle, ntriples, rdfxml, "
                                  "jsonld, n3, a media type, or a comma-separated list (the "
                                  "first that fits, a typo passed over); json and xml give "
                                  "JSON-LD and RDF/XML for a graph; html or text/html first "
                                  "of those known: the result as an "
                                  "HTML page (GET; without a query, the query UI)"),
    ]
    form_schema = {"type": "object", "properties": {
        "query": {"type": "string"}, "format": {"type": "string"},
        "default-graph-uri": {"type": "string"}, "named-graph-uri": {"type": "string"}}}
    rdf_page = {"description": "the page (HTML) or the RDF of the resource",
                "content": {t: _ANY for t in _PAGE_TYPES}}
    page_errors = (("404", "not in this dataset"),
                   ("406", "no representation the client accepts, or a format parameter "
                           "naming none the resource is in"),
                   ("503", "the request ran past query_timeout"))
    json_ok = {"description": "JSON (JSONP with callback)",
               "content": {"application/json": {"schema": {"type": "object"}},
                           "application/javascript": _ANY}}
    reconcile_errors = (("400", "malformed JSON or a malformed query, type or property"),
                        ("413", f"more than max_reconcile_batch ({batch}) queries or ids"),
                        ("503", "the request ran past query_timeout"))
    paging = [_param("prefix", "query", "what the user typed so far (may be empty)",
                     required=True),
              _param("type", "query", "a type id (e.g. Place)"),
              _param("limit", "query", "most results", {"type": "integer", "minimum": 1}),
              _param("cursor", "query", "results to skip", {"type": "integer", "minimum": 0}),
              _param("callback", "query", "JSONP callback name")]
    query_body = {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": form_schema},
        "application/sparql-query": {"schema": {"type": "string", "maxLength": max_body}}}}
    paths: dict[str, Any] = {
        "/sparql": {
            "get": {"summary": "SPARQL query by GET; without a query, the service description; "
                               "for a client preferring text/html (a browser following a "
                               "link), or format=html, the result as an HTML page",
                    "parameters": query_params,
                    "responses": _with_html(_responses(sparql_ok, *sparql_errors),
                                            ("200", "400", "403", "503"))},
            "post": {"summary": "SPARQL query by POST (form, or application/sparql-query)",
                     "parameters": query_params[1:],
                     "requestBody": query_body,
                     "responses": _responses(sparql_ok, *sparql_errors)},
            # the HTTP QUERY method (RFC 10008), a Path Item's own operation since OpenAPI
            # 3.2.0; answered as a POST is
            "query": {"summary": "SPARQL query by the HTTP QUERY method (RFC 10008: safe and "
                                 "idempotent), the body read as a POST's",
                      "parameters": query_params[1:],
                      "requestBody": query_body,
                      "responses": _responses(sparql_ok, *sparql_errors)},
        },
        "/void": {"get": {"summary": "the VoID description of the dataset",
                          "parameters": [_param(
                              "format", "query",
                              "an RDF format, over Accept, or html for the dataset's page "
                              "(also as 'output', read after 'format')")],
                          "responses": _responses(
                              {"description": "VoID", "content": {t: _ANY for t in
                                                                  _GRAPH_TYPES}},
                              ("406", "no RDF format the client accepts"),
                              ("503", "the request ran past query_timeout"))}},
        "/limits": {"get": {"summary": "the limits in force, as text",
                            "responses": _responses({"description": "the limits",
                                                     "content": _TEXT})}},
        "/openapi.json": {"get": {"summary": "this document", "responses": _responses(
            {"description": "OpenAPI 3.2", "content": {"application/json": {
                "schema": {"type": "object"}}}})}},
        "/dataset": {"get": {"summary": "the dataset's VoID + DCAT description",
                             "parameters": [_param("format", "query", _HTML_OR_RDF)],
                             "responses": _responses(rdf_page, *page_errors)}},
        "/dumps/{name}": {"get": {
            "summary": "a dump of the dataset (kg.trig, kg.nq, kg.ttl, kg.jsonld, "
                       "kg-asserted.*); gzipped for Accept-Encoding: gzip; one byte range "
                       "(Range: bytes=first-last, first-, -suffix; If-Range)",
            "parameters": [_param("name", "path", "the dump's file name", required=True)],
            "responses": {
                "200": {"description": "the dump (also for several ranges, or one that is "
                                       "malformed)", "content": _DUMP_CONTENT},
                "206": {"description": "the byte range asked for (Content-Range)",
                        "content": _DUMP_CONTENT},
                "304": {"description": "not modified (If-None-Match / If-Modified-Since)"},
                "404": _error("no such dump"),
                "416": {"description": "the range starts past the end (Content-Range: "
                                       "bytes */size)", "content": _TEXT},
                "503": _error("the request ran past query_timeout")}}},
        "/store": {"get": {
            "summary": "SPARQL 1.1 Graph Store Protocol, read-only: one named graph "
                       "(?graph=IRI), the default graph (?default: the union), or with neither "
                       "the whole dataset (TriG, N-Quads, JSON-LD)",
            "parameters": [_param("graph", "query", "a named graph's IRI (absolute)"),
                           _param("default", "query", "present: the default graph",
                                  {"type": "string", "enum": [""]}),
                           _param("format", "query", _RDF_OR_HTML)],
            "responses": {
                "200": {"description": "the graph or the dataset, with a strong ETag; for a "
                                       "browser (Accept preferring HTML), a page linking each "
                                       "format",
                        "content": {t: _ANY for t in _PAGE_TYPES}},
                "206": {"description": "a byte range of the whole dataset, as of a dump",
                        "content": {t: _ANY for t in _DATASET_TYPES}},
                "416": {"description": "a range of the whole dataset past its end",
                        "content": _TEXT},
                "304": {"description": "not modified (If-None-Match / If-Modified-Since)"},
                "400": _error("both graph and default, a relative graph IRI or one whose "
                              "octets are not UTF-8, or graph or default in another case"),
                "404": _error("no such graph in the dataset"),
                "406": _error("no RDF format the client accepts, or a format parameter "
                              "naming none the graph is in"),
                "503": _error("the request ran past query_timeout")}},
            **{method: {"summary": f"{method.upper()} is refused: the graph store is "
                                   "read-only",
                        "parameters": [_param("graph", "query", "a graph IRI"),
                                       _param("default", "query", "the default graph")],
                        "responses": {"405": _error("read-only: nothing is written")}}
               for method in ("put", "post", "delete", "patch")}},
        "/robots.txt": {"get": {
            "summary": "what crawlers may read (not queries or tools), and the sitemap",
            "responses": {"200": {"description": "robots.txt", "content": _TEXT}}}},
        "/sitemap.xml": {"get": {
            "summary": "every page of the site (an index of sitemaps of 50,000 URLs beyond)",
            "parameters": [_param("page", "query", "a part of a split sitemap",
                                  {"type": "integer", "minimum": 1})],
            "responses": {"200": {"description": "a sitemap or a sitemap index",
                                  "content": {"application/xml": _ANY}},
                          "404": _error("no such part")}}},
        "/search": {"get": {
            "summary": "entities by name (HTML): the reconciliation service's matching",
            "parameters": [_param("q", "query", "a name, or its beginning",
                                  {"type": "string", "maxLength": 500})],
            "responses": {
                "200": {"description": "HTML", "content": {"text/html": _ANY}},
                "400": {"description": "a text over 500 characters (the page says so)",
                        "content": {"text/html": _ANY}},
                "503": _error("the request ran past query_timeout")}}},
        "/timeline": {"get": {"summary": "every dated event on a time axis (HTML)",
                              "responses": _responses({"description": "HTML", "content": {
                                  "text/html": _ANY}})}},
        "/{kind}/{rest}": {"get": {
            "summary": "the page or RDF of the IRI https://w3id.org/kg1978/{kind}/{rest}",
            "parameters": [_param("kind", "path", "place, event, unit, actor, ...",
                                  {"type": "string", "enum": [
                                      "place", "event", "unit", "actor", "figure", "measure",
                                      "source", "graph", "ontology"]}, required=True),
                           _param("rest", "path", "the rest of the IRI; a file extension "
                                                  "(.ttl, .nt, .jsonld, .rdf, .trig, .nq, "
                                                  ".html) asks for that syntax; under "
                                                  "ontology, the current version "
                                                  f"({__version__}) gives the ontology",
                                  required=True),
                           _param("format", "query", _HTML_OR_RDF), _LANG],
            "responses": {**_responses(rdf_page, *page_errors),
                          "301": {"description": "the same IRI with a trailing slash, or "
                                                 "without the one the resource's IRI ends "
                                                 "in: redirected to the resource (so is "
                                                 "/ontology, to /ontology/)"}}}},
        "/shapes/": {"get": {
            "summary": "the SHACL shapes: a page saying what each checks, or the shapes graph",
            "parameters": [_param("format", "query", _HTML_OR_RDF)],
            "responses": _responses(rdf_page, *page_errors)}},
        "/shapes/{name}": {"get": {
            "summary": "one shape (https://w3id.org/kg1978/shapes/{name}, the sh:sourceShape "
                       "of validation results): its page, or its triples",
            "parameters": [_param("name", "path", "the shape's local name; a file extension "
                                                  "(.ttl, …) asks for that syntax",
                                  required=True),
                           _param("format", "query", _HTML_OR_RDF)],
            "responses": _responses(rdf_page, *page_errors)}},
        "/validate": {
            "get": {"summary": "the upload form (HTML)",
                    "parameters": [_param("format", "query", _VALIDATE_FORMATS_PARAM)],
                    "responses": _responses({"description": "HTML", "content": {
                        "text/html": _ANY}}, ("406", "a format the report is not in"))},
            "post": {
                "summary": "SHACL validation of an uploaded RDF file",
                "parameters": [_param("format", "query", _VALIDATE_FORMATS_PARAM),
                               _param("filename", "query", "the upload's file name"),
                               _param("context", "query", "dataset: validate the upload with "
                                      "the served dataset, replacing the named graph of its "
                                      "file's name", {"type": "string", "enum": ["dataset"]})],
                "requestBody": {"required": True, "content": {
                    t: {"schema": {"type": "string",
                                   "maxLength": settings.get("max_upload_bytes", max_body)}}
                    for t in ("text/turtle", "application/trig", "application/n-triples",
                              "application/n-quads", "application/ld+json",
                              "application/rdf+xml")}},
                "responses": {
                    "200": {"description": "the validation report (conforms or not)",
                            "content": {t: _ANY for t in ("application/json", "text/turtle",
                                                          "text/html", "text/plain",
                                                          "application/sarif+json")}},
                    **{code: {"description": text, "content": {
                        t: _ANY for t in ("application/json", "text/html", "text/plain",
                                          "application/sarif+json")}}
                       for code, text in (
                           ("400", "unparsable, too deeply nested, a remote JSON-LD context, "
                                   "an XML DOCTYPE or entity, or no file (a body of no bytes)"),
                           ("406", "a format the report is not in, or an Accept naming none"),
                           ("413", "over max_upload_bytes or max_upload_triples"),
                           ("415", "an RDF syntax that cannot be told or read"),
                           ("422", "inconsistent under OWL 2 RL"),
                           ("503", "reasoning ran past validation_timeout"))}}},
        },
        "/reconcile": {
            "get": {"summary": "the manifest, or a batch (queries) or data extension (extend)",
                    "parameters": [
                        _param("queries", "query", f"a JSON object of at most {batch} queries"),
                        _param("extend", "query", "a JSON data-extension request"),
                        _param("callback", "query", "JSONP callback name")],
                    "responses": _responses(json_ok, *reconcile_errors)},
            "post": {"summary": "a batch (queries) or data extension (extend) as a form",
                     "requestBody": {"required": True, "content": {
                         "application/x-www-form-urlencoded": {"schema": {
                             "type": "object", "properties": {
                                 "queries": {"type": "string"},
                                 "extend": {"type": "string"}}}}}},
                     "responses": _responses(
                         json_ok, *reconcile_errors,
                         ("415", "a body that is not a form (a JSON batch, say)"))},
        },
        "/reconcile/preview": {"get": {
            "summary": "an HTML card of one entity",
            "parameters": [_param("id", "query", "an entity id, e.g. place/phnom-penh")],
            "responses": {"200": {"description": "HTML", "content": {"text/html": _ANY}},
                          "404": {"description": "no such entity",
                                  "content": {"text/html": _ANY}},
                          "503": _error("the request ran past query_timeout")}}},
        "/reconcile/propose_properties": {"get": {
            "summary": "properties to offer for data extension",
            "parameters": [_param("type", "query", "a type id"),
                           _param("limit", "query", "most properties (none: all)",
                                  {"type": "integer", "minimum": 1}),
                           _param("callback", "query", "JSONP callback name")],
            "responses": _responses(json_ok, *reconcile_errors)}},
    }
    for kind in ("entity", "type", "property"):
        paths[f"/reconcile/suggest/{kind}"] = {"get": {
            "summary": f"auto-completion of {kind} names", "parameters": paging,
            "responses": _responses(json_ok, *reconcile_errors)}}
    for item in paths.values():  # kg.endpoint.caching: every GET answer has a validator
        if "get" in item:
            item["get"]["responses"].setdefault("304", {
                "description": "not modified: If-None-Match names the answer's ETag"})
            item["get"]["responses"].setdefault("412", _error(
                "If-Match names no tag of the answer (compared strongly: a query answer's "
                "weak tag meets none; * holds)"))
    for path, item in paths.items():  # kg.endpoint.responses.refused_by_accept
        if "get" in item and path not in ("/robots.txt", "/dumps/{name}"):
            item["get"]["responses"].setdefault("406", _error(
                "the Accept header refuses the one type this route sends"))
    return {
        "openapi": "3.2.0",
        "info": {
            "title": "kg1978 SPARQL endpoint, linked data, validation and reconciliation",
            "version": __version__,
            "description": "Read-only: SPARQL Update and Graph Store writes are refused; no "
                           "request makes the server fetch anything. Limits in force are in "
                           "x-kg-limits (see also /limits).",
            "x-kg-limits": limits,
        },
        "paths": paths,
    }


@bp.route("/openapi.json", methods=["GET"])
def document() -> Response:
    """The OpenAPI document of this server (with its servers entry)."""
    doc = openapi_document(current_app.extensions["kg"].settings)
    doc["servers"] = [{"url": request.host_url.rstrip("/")}]
    return Response(json.dumps(doc, indent=1), 200, {
        "Content-Type": "application/json", "Access-Control-Allow-Origin": "*"})
