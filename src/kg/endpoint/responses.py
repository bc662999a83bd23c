"""Answering a query request as status, headers and body - shared by the ``/sparql`` route
and the WSGI fast path (:mod:`.fast`), so both answer byte for byte alike."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from urllib.parse import parse_qsl

from kg.endpoint import compression
from kg.endpoint.caching import (
    etag_matches,
    if_match_failed,
    if_match_holds,
    lists_any,
    unvalidated_precondition,
)
from kg.endpoint.cors import EXPOSE, exposing
from kg.endpoint.protocol import (
    SparqlRequest,
    best_match,
    names_json_ld_profile,
    read_request,
)
from kg.endpoint.query_text import inspect_query
from kg.endpoint.results import FORMATS, TRUNCATED_HEADER, ResultFormat, json_ld_content_type
from kg.endpoint.state import EndpointState
from kg.errors import InputError, KGError, ParseError, PreconditionFailed

__all__ = ["CORS", "PREFLIGHT", "headers_for", "with_fields", "error_parts", "base_url",
           "answer_query", "status_line", "with_reason_phrase", "refused_by_accept",
           "answered_by_a_route", "reconciliation_methods"]

CORS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", f"{TRUNCATED_HEADER}, Link, Content-Length, ETag"),
)
PREFLIGHT = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, HEAD, POST, QUERY, OPTIONS"),
    ("Access-Control-Max-Age", "86400"),
    ("Allow", "GET, HEAD, POST, QUERY, OPTIONS"),
)
_HEADERS: dict[ResultFormat, tuple[tuple[str, str], ...]] = {}
_STATUS = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


def status_line(code: int) -> str:
    """The status and its reason phrase as RFC 9110 and gunicorn write it (``404 Not Found``)."""
    return _STATUS.get(code) or f"{code} Unknown"


def with_reason_phrase(response):
    """``response`` with the reason phrase of :func:`status_line`, which the fast path and
    gunicorn's own answers use, not werkzeug's capitals (``404 NOT FOUND``): one server, one
    spelling, whichever lane answers."""
    response.status = status_line(response.status_code)
    return response


#: Paths whose one type is sent whatever the Accept header: RFC 9309 (2.3.1.3) reads a 4xx
#: for robots.txt as "no rule", so a refusal would open /sparql and the tools to crawlers.
_SENT_WHATEVER_ACCEPT = frozenset({"/robots.txt"})
#: Folders of files sent whatever the Accept header: a dump, one of the app's own static
#: files or YASGUI's is a file of one format that its URL names, and file servers (Apache
#: httpd without MultiViews, nginx) send a file with its own type whatever Accept says, for
#: the client to read by Content-Type; a Linked Data client following void:dataDump with
#: Accept: text/turtle is better served so than refused, and so is a browser fetching a
#: script or a stylesheet with an Accept of its own (an extension's, a proxy's).
_FILES_SENT_WHATEVER_ACCEPT = ("/dumps/", "/static/", "/assets/yasgui/")


def refused_by_accept(response):
    """``response``, or a 406 where the route has one type only (it does not negotiate: no
    ``Vary: Accept``) and the request's ``Accept`` refuses it (``*/*;q=0``, ``text/html`` for
    ``/limits``): RFC 9110, 12.5.1 lets a server either answer 406 or disregard the header,
    and the routes that negotiate answer 406, so these do too (they sent their type
    whatever the header). Only full ``GET`` and ``HEAD`` answers (200, 206) are looked at;
    an error, a redirect or a 304 is sent as it is, and so are :data:`_SENT_WHATEVER_ACCEPT`
    and the files (the dumps, static files, YASGUI's: :data:`_FILES_SENT_WHATEVER_ACCEPT`)."""
    from flask import request

    if (request.method not in ("GET", "HEAD") or response.status_code not in (200, 206)
            or "accept" in response.vary or request.path in _SENT_WHATEVER_ACCEPT
            or request.path.startswith(_FILES_SENT_WHATEVER_ACCEPT)):
        return response
    accept = request.headers.get("Accept", "")
    media = response.mimetype
    # a page is HTML for an XHTML client, as the pages negotiate it (kg.endpoint.protocol)
    offers = [media, "application/xhtml+xml"] if media == "text/html" else [media]
    if not accept.strip() or not media or best_match(accept, offers) is not None:
        return response
    from kg.endpoint.pages import error_response  # it imports this module

    return error_response(406, f"406 Not Acceptable: {request.path} is available as {media} "
                               f"only (the Accept header, {accept}, refuses it)")


def with_fields(headers: list[tuple[str, str]], fields: dict[str, str]) -> list[tuple[str, str]]:
    """``headers`` with ``fields`` added (a 415's ``Accept`` / ``Accept-Encoding``, saying what
    the resource takes) and named in their one ``Access-Control-Expose-Headers``, so that a
    browser's script may read them: neither is a CORS-safelisted response field. Both lanes
    (:mod:`.fast` and Flask's error handlers) write an error's fields through this."""
    if not fields:
        return headers
    out = [*headers, *fields.items()]
    for i, (name, value) in enumerate(out):
        if name.lower() == EXPOSE.lower():
            out[i] = (name, exposing(value, fields))
            return out
    return [*out, (EXPOSE, exposing(None, fields))]


def headers_for(fmt: ResultFormat) -> tuple[tuple[str, str], ...]:
    headers = _HEADERS.get(fmt)
    if headers is None:
        headers = _HEADERS[fmt] = (("Content-Type", fmt.content_type),
                                   ("Vary", "Accept, Accept-Encoding"), *CORS)
    return headers


for _fmt in FORMATS:
    headers_for(_fmt)


#: What an error can be sent as. A client that names a JSON type (SPARQL JSON results and
#: JSON-LD too) reads JSON, so it gets ``{"status", "message"}``, which no JSON result has the
#: shape of. The SPARQL Protocol leaves failure bodies to the implementation and no XML error
#: document is standard, so SPARQL XML gets plain text, as do CSV and TSV, where an error
#: written as a table would read as a result. Plain text comes first: it wins a tie.
_ERROR_OFFERS = ["text/plain", "application/json", "application/sparql-results+json",
                 "application/ld+json"]
_JSON_ERROR_TYPES = frozenset(_ERROR_OFFERS[1:])


def is_reconciliation_path(path: str) -> bool:
    """Whether ``path`` is the reconciliation service's, whose errors are all JSON."""
    return path == "/reconcile" or path.startswith("/reconcile/")


def error_parts(status: int, message: str, accept: str | None,
                line: int | None = None, column: int | None = None) -> tuple[list, bytes]:
    """Headers and body of an error: plain text, or JSON for a client that names a JSON type
    (``application/json``, ``application/sparql-results+json``, ``application/ld+json``) at a
    higher q than ``text/plain`` (a wildcard never asks for JSON). Either way the body depends
    on ``Accept``, and a cache is told so (``Vary``). The JSON document has ``line`` and
    ``column`` (1-based, in the query or the uploaded file) where the parser gave them, so a
    client can point at the place without reading the message."""
    if accept and best_match(accept, _ERROR_OFFERS,
                             named_only=_JSON_ERROR_TYPES) in _JSON_ERROR_TYPES:
        doc: dict = {"status": status, "message": message}
        if line is not None:
            doc["line"] = line
            if column is not None:
                doc["column"] = column
        body = (json.dumps(doc) + "\n").encode()
        return [("Content-Type", "application/json"), ("Vary", "Accept"), *CORS], body
    return ([("Content-Type", "text/plain; charset=utf-8"), ("Vary", "Accept"), *CORS],
            (message.rstrip("\n") + "\n").encode())


def base_url(environ: dict) -> str:
    """The server's own root URL (scheme, host, script name)."""
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"{environ['wsgi.url_scheme']}://{host}{environ.get('SCRIPT_NAME', '')}"


#: A ``query`` parameter's ``%`` that begins no percent-escape (RFC 3986, 2.1), in a URL's
#: query string or a form body: kept as it is, as browsers and werkzeug read them (WHATWG URL)
_STRAY_PERCENT = re.compile(r"(?:^|&)query=[^&]*?(%(?![0-9A-Fa-f]{2})[^&%]{0,2})")


def _encoded_texts(environ: dict, body: bytes | None) -> list[tuple[str, str]]:
    """Where a query may have come percent-encoded, and the raw text of each: the URL's query
    string, and a form body."""
    where = [("URL", environ.get("QUERY_STRING", ""))]
    if body is not None and (environ.get("CONTENT_TYPE") or "").lower().startswith(
            "application/x-www-form-urlencoded"):
        where.append(("form body", body.decode("utf-8", "replace")))
    return where


def _stray_percent(environ: dict, body: bytes | None) -> str | None:
    """What to add to the parse error of a query sent with a stray ``%``: the query parsed is
    then not the one the client meant to send (a ``%`` of it sent unescaped)."""
    for what, text in _encoded_texts(environ, body):
        found = _STRAY_PERCENT.search(text)
        if found:
            return (f"the query in the {what} has a '%' that begins no percent-escape "
                    f"('{found[1]}'), read as it is: send a '%' of the query as %25")
    return None


#: A ``query`` parameter holding a ``+``, in a URL's query string or a form body.
_PLUS = re.compile(r"(?:^|&)query=([^&]*\+[^&]*)")


def _parse_checked(state: EndpointState, environ: dict, text: str, base_iri: str) -> None:
    """Raise the :class:`ParseError` a malformed ``text`` gets, for a request answered
    without its query running (a precondition failed) or a hint on a query that failed. The
    engine parses a query only to evaluate it: over an empty store nothing is read, but an
    ``ASK`` is evaluated at once, a cross product of ``VALUES`` blocks with it, and a
    ``SERVICE`` fetched. So the text first gets the checks every query gets
    (:func:`~kg.endpoint.query_text.inspect_query`: ``SERVICE``, nesting, updates), and the
    parse the time limit a query runs under (the guard, :meth:`EndpointState.run`)."""
    inspect_query(text, state.max_query_depth)
    state.parse_unrun(text, environ, base_iri)


def _plus_as_space(state: EndpointState, environ: dict, body: bytes | None,
                   base_iri: str) -> str | None:
    """What to add to the parse error of a query sent with a ``+`` of its own unescaped: form
    encoding reads a ``+`` of a URL's query string or a form body as a space
    (``FILTER(?x+1>2)`` is ``FILTER(?x 1>2)``). Said where the query parses with its ``+``
    read as plus signs, or where its spaces were sent as ``%20``, so a ``+`` was no space:
    the query that failed is then not the one the client meant to send. Looked at only once
    the query has failed to parse."""
    for what, text in _encoded_texts(environ, body):
        found = _PLUS.search(text)
        if found is None:
            continue
        value = found[1]
        if "%20" not in value:
            as_plus = dict(parse_qsl("query=" + value.replace("+", "%2B"),
                                     keep_blank_values=True)).get("query", "")
            try:
                _parse_checked(state, environ, as_plus, base_iri)
            except KGError:  # no query, or one refused: a hint would not help
                continue
        return (f"the query in the {what} has a '+', which the {what} reads as a space (form "
                "encoding): send a '+' of the query as %2B")
    return None


def _query_in_a_graph_iri(req: SparqlRequest) -> str:
    """Why a request naming graphs has no query, where a graph IRI swallowed it: an endpoint
    URL holding its ``?default-graph-uri=``, to which a client (SPARQLWrapper by ``GET``) adds
    ``?query=…`` with a second ``?``, so the query is part of the IRI (it got the service
    description, as a ``GET`` without a query, and read it as the answer)."""
    if req.default_graph is None and req.named_graphs is None:
        return ""
    for name, iris in (("default-graph-uri", req.default_graph),
                       ("named-graph-uri", req.named_graphs)):
        for iri in iris or ():
            if "?query=" in iri:
                return (f" (the {name} {iri.partition('?query=')[0]!r} is followed by "
                        "'?query=': a second '?' joins no parameter; join them with '&')")
    return " (graphs are named, by default-graph-uri or named-graph-uri, for no query)"


def _check_no_query_meant(query_string: str) -> None:
    """InputError where a ``GET`` without a ``query`` parameter has one of another case
    (``QUERY=``, ``Query=``): the Protocol's names are case-sensitive, and the service
    description, which a ``GET`` "without any query parameter strings" gets (Service
    Description, 2), would be read as the answer. Oxigraph and Virtuoso answer 400 too."""
    if "=" not in query_string:
        return
    for name, _ in parse_qsl(query_string, keep_blank_values=True):
        if name != "query" and name.lower() == "query":
            raise InputError(f"no query: the parameter is named 'query', in lower case "
                             f"(parameter names are case-sensitive), not {name!r}")


def answer_query(state: EndpointState, environ: dict,
                 body: bytes | None) -> tuple[int, list, bytes] | None:
    """Status, headers and body answering the query of this request; None when a GET carries
    no query and names no graph (the caller then serves the service description). Raises
    :class:`~kg.errors.KGError`; a parse error says where the query had a stray ``%``, or a
    ``+`` of its own read as a space.
    """
    try:
        return _answer_query(state, environ, body)
    except ParseError as exc:
        stray = _stray_percent(environ, body) or _plus_as_space(
            state, environ, body, base_url(environ) + environ.get("PATH_INFO", ""))
        if stray is None:
            raise
        raise ParseError(f"{exc.message} ({stray})", line=exc.line,
                         column=exc.column) from None


def _answer_query(state: EndpointState, environ: dict,
                  body: bytes | None) -> tuple[int, list, bytes] | None:
    """:func:`answer_query`, without the hint.

    The body is gzipped where ``Accept-Encoding`` accepts it and it pays
    (:mod:`.compression`). A ``GET`` (or ``HEAD``) answer may be cached (:mod:`.caching`): it
    says how long, and over the embedded store it has an ``ETag`` (with ``-gzip`` when
    gzipped); an ``If-None-Match`` that matches it gets 304 without the query being run. That
    is decided before the answer's size is known, so either coding's tag of this answer
    matches: the client holds the same answer either way (a weak comparison)."""
    req = read_request(environ, body)
    if req.query is None:
        if body is None and req.default_graph is None and req.named_graphs is None:
            _check_no_query_meant(environ.get("QUERY_STRING", ""))
            return None
        raise InputError("no query: send it as the 'query' parameter or as an "
                         f"application/sparql-query body{_query_in_a_graph_iri(req)}")
    cacheable = body is None and environ["REQUEST_METHOD"] in ("GET", "HEAD")
    if not cacheable and ("HTTP_IF_MATCH" in environ or "HTTP_IF_NONE_MATCH" in environ):
        # a POST: its answer has no validator (:func:`.caching.unvalidated_precondition`);
        # decided before the query runs, once the request is known to be one that would be
        # answered (a bad query or format is a 400 or 406 still, RFC 9110 13.2.1)
        state.plan(req, environ.get("HTTP_ACCEPT"), environ)
        why = unvalidated_precondition(environ.get("HTTP_IF_MATCH"),
                                       environ.get("HTTP_IF_NONE_MATCH"))
        if why is not None:
            _parse_checked(state, environ, req.query,
                           base_url(environ) + environ.get("PATH_INFO", ""))
            raise PreconditionFailed(why)
    if_none_match = environ.get("HTTP_IF_NONE_MATCH") if cacheable else None
    accept_encoding = environ.get("HTTP_ACCEPT_ENCODING")
    if cacheable and "HTTP_IF_MATCH" in environ and not if_match_holds(
            environ["HTTP_IF_MATCH"], None):
        # An answer's tag is weak, or it has none (volatile): no tag meets If-Match
        # (:func:`.caching.conditional`), so 412 before the query runs, once the request is
        # known to be one that would be answered (a bad query is a 400 still, RFC 9110 13.2.1)
        info, fmt = state.plan(req, environ.get("HTTP_ACCEPT"), environ)
        etag = None if info.volatile else state.etag_for(fmt, environ.get("QUERY_STRING", ""))
        _parse_checked(state, environ, req.query,
                       base_url(environ) + environ.get("PATH_INFO", ""))
        raise PreconditionFailed(if_match_failed(etag))
    if if_none_match and if_none_match.strip() != "*":
        # A validator this server gave for this URL: the query answered 200 once, and would
        # again. ("*" asks whether there is an answer at all: the query must run to tell.)
        info, fmt = state.plan(req, environ.get("HTTP_ACCEPT"), environ)
        etag = None if info.volatile else state.etag_for(fmt, environ.get("QUERY_STRING", ""))
        if etag is not None:
            tags = [etag]
            if compression.choose(accept_encoding, compression.MIN_SIZE,
                                  fmt.content_type) is not None:
                tags.insert(0, compression.coded_etag(etag, compression.GZIP))
            for tag in tags:
                if etag_matches(if_none_match, tag):
                    return _not_modified(state, tag)
    root = base_url(environ)
    answer = state.run(req, accept=environ.get("HTTP_ACCEPT"), environ=environ,
                       base_iri=root + environ.get("PATH_INFO", "/sparql"),
                       truncation_link=root + "/limits#max-results")
    payload = answer.body
    coding = compression.choose(accept_encoding, len(payload), answer.format.content_type)
    if coding is not None:
        payload = compression.compress(payload)
    headers = [*headers_for(answer.format), ("Content-Length", str(len(payload)))]
    if coding is not None:
        headers.append(("Content-Encoding", coding))
    if answer.format.media_type == "application/ld+json" and names_json_ld_profile(
            environ.get("HTTP_ACCEPT")):
        headers[0] = ("Content-Type", json_ld_content_type(answer.body))
    if cacheable:
        control = "no-store" if answer.volatile else state.cache_control
        etag = None if answer.volatile else state.etag_for(answer.format,
                                                            environ.get("QUERY_STRING", ""))
        if etag is not None and coding is not None:
            etag = compression.coded_etag(etag, coding)
        if if_none_match and (lists_any(if_none_match) if etag is None
                              else etag_matches(if_none_match, etag)):
            # "*" is false where there is a current answer, tagged or not (RFC 9110, 13.1.2;
            # a volatile query's, a remote store's): a GET's failed If-None-Match is a 304
            # (13.2.2), with the Cache-Control the 200 would have had (15.4.5)
            return _not_modified(state, etag, control)
        headers.append(("Cache-Control", control))
        if etag is not None:
            headers.append(("ETag", etag))
    if answer.truncated:
        headers.append((TRUNCATED_HEADER, str(state.max_results)))
        headers.append(("Link", f'<{root}/limits#max-results>; rel="describedby"'))
    return 200, headers, payload


def _not_modified(state: EndpointState, etag: str | None,
                  control: str | None = None) -> tuple[int, list, bytes]:
    """A 304 with the fields the 200 would have had (RFC 9110, 15.4.5): an untagged answer's
    has no ``ETag``, a volatile query's says ``no-store``."""
    tagged = [("ETag", etag)] if etag is not None else []
    return 304, [*tagged, ("Cache-Control", control or state.cache_control),
                 ("Vary", "Accept, Accept-Encoding"), *CORS], b""


def answered_by_a_route(path: str, method: str, *, besides: str) -> bool:
    """Whether a ``method`` request of ``path`` is answered by a route of the app other than
    the endpoint ``besides`` (a blueprint's catch-all: the pages' resource route, the
    reconciliation service's unknown paths). No route, another method, or a redirect of the
    route's own is False."""
    from flask import current_app, request
    from werkzeug.exceptions import HTTPException

    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(path, method=method)
    except HTTPException:
        return False
    return endpoint != besides


def reconciliation_methods(path: str) -> list[str]:
    """Which of GET and POST a route of the reconciliation service answers for ``path``: not
    its catch-all, which takes both on any path to answer a 404 or a 405 of its own."""
    return [m for m in ("GET", "POST")
            if answered_by_a_route(path, m, besides="reconcile._no_such_path")]
