"""HTTP caching: validators and conditional requests for every ``GET`` the server answers.

The embedded store is read-only and loaded once, so what a URL answers cannot change while
the server runs. Two kinds of validator follow from that:

- **Query results** (``GET /sparql?query=…``) get a weak ``ETag`` made of a token drawn when
  the app is made, a digest of the URL's query string and the result format:
  ``W/"kg-3f9c1a2b7d40-5d1e09a2b3c4-json"``. A client that sends it
  back in ``If-None-Match`` gets **304 before the query runs** — the saving that matters on a
  heavy query. The token is drawn anew on every start, so a rebuild, an upgrade or a restart
  invalidates every earlier validator. Queries calling ``RAND``, ``NOW``, ``UUID``,
  ``STRUUID`` or ``BNODE`` answer differently each time and get none; nor do answers over a
  remote store (``kg serve --store``), whose data may change behind the server.
- **Every other ``GET``** answered ``200`` in full (pages, descriptions, the timeline,
  search, the shapes) gets a strong ``ETag``: a digest of its bytes, and ``304`` when it
  matches. Dumps, ``/store``, YASGUI's files and the app's static files keep the validators
  they set themselves (the files are gzipped by their route, once per process, a tag per
  coding).

``Cache-Control`` is ``no-cache`` (store, but ask again each time) unless the setting
``cache_max_age`` allows reuse for that many seconds (``public, max-age=N``), as a reverse
proxy in front of a public endpoint would want.

The same hook compresses (:mod:`.compression`) before it validates, so that a validator and
a 304 are those of the bytes sent: a full ``GET`` answer the route left uncompressed is
gzipped where the client accepts it and it pays, its ``ETag`` made of the compressed bytes or,
where the route set its own, that tag with ``-gzip``; conditional requests are then evaluated
against the final tag, for routes that set their own validator too.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.http import parse_date

from kg.endpoint import compression
from kg.endpoint.cors import EXPOSE, exposing
from kg.endpoint.protocol import names_json_ld_profile
from kg.endpoint.results import json_ld_content_type

__all__ = ["cache_control", "etag_matches", "if_match_holds", "lists_any", "conditional",
           "install", "unvalidated_precondition"]


def cache_control(max_age: int) -> str:
    """The ``Cache-Control`` value of a cacheable answer under the setting ``cache_max_age``."""
    return f"public, max-age={max_age}" if max_age > 0 else "no-cache"


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` header matches ``etag`` by the weak comparison that RFC
    9110 (13.1.2) prescribes for it: ``*``, or any listed tag with the same opaque value."""
    wanted = etag.removeprefix("W/")
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


def if_match_holds(if_match: str, etag: str | None) -> bool:
    """Whether an ``If-Match`` header holds for a current representation tagged ``etag``
    (None: untagged), by the strong comparison RFC 9110 (13.1.1) prescribes for it: ``*``
    (there is a representation), or a listed tag equal to ``etag``, neither weak; so a weak
    tag, a query answer's, never meets a listed one. A field that lists nothing is none."""
    tags = [tag.strip() for tag in if_match.split(",") if tag.strip()]
    if not tags or "*" in tags:
        return True
    return etag is not None and not etag.startswith("W/") and etag in tags


def lists_any(field: str) -> bool:
    """Whether an ``If-Match`` or ``If-None-Match`` field is (or lists) ``*``: any current
    representation."""
    return any(tag.strip() == "*" for tag in field.split(","))


def unvalidated_precondition(if_match: str | None, if_none_match: str | None) -> str | None:
    """Why a request other than ``GET`` or ``HEAD`` (a ``POST`` query, an upload to
    ``/validate``, a reconciliation batch) fails its preconditions, or None where they hold,
    for an answer that exists and has no validator (POST answers have none), as RFC 9110
    (13.2.2) evaluates them for such a method: ``If-Match`` holds for ``*`` only (no tag
    meets an untagged answer); ``If-None-Match`` fails for ``*`` (there is an answer) with
    412, not 304, which only ``GET`` and ``HEAD`` get, and holds for a list of tags;
    ``If-Unmodified-Since`` is ignored (the answer has no modification date, 13.1.4), and so
    is ``If-Modified-Since`` (``GET`` and ``HEAD`` only, 13.1.3). Called only for a request
    that would otherwise succeed: an error's preconditions are ignored (13.2.1)."""
    if if_match is not None and not if_match_holds(if_match, None):
        return if_match_failed(None)
    if if_match is None and if_none_match is not None and lists_any(if_none_match):
        return ("Precondition Failed: If-None-Match: * asks for no current answer, and there "
                "is one (a POST is refused so, never answered 304: RFC 9110, 13.1.2)")
    return None


def if_match_failed(etag: str | None) -> str:
    """The message of a 412 for an ``If-Match`` that does not hold."""
    held = f"its ETag is {etag}" if etag else "it has no ETag"
    weak = ("; a weak tag never meets If-Match, which compares strongly (RFC 9110, 13.1.1): "
            "revalidate with If-None-Match") if etag and etag.startswith("W/") else ""
    return (f"Precondition Failed: If-Match names no tag of the current answer ({held}"
            f"{weak})")


def conditional(response: Response) -> Response:
    """``response`` (a full ``GET`` or ``HEAD`` answer) made conditional on the request:
    Werkzeug's ``make_conditional`` (``If-None-Match``, ``If-Modified-Since``, ranges), after
    ``If-Match``, else ``If-Unmodified-Since``, read first as RFC 9110 (13.1.1, 13.1.4,
    13.2.2) reads them: ``*`` holds where there is an answer, a tag meets only a strong tag
    equal to it, a date holds unless the answer's ``Last-Modified`` is later; where one does
    not hold the answer is a 412 saying so, never the representation. Werkzeug (3.1) answered
    ``If-Match: *`` with 412, compared a weak tag strongly once its ``W/`` was dropped, sent
    the whole representation as the 412's body and read no ``If-Unmodified-Since``; and the
    query lane read no ``If-Match``, so a ``HEAD`` (Flask's lane) and a ``GET`` (the express
    lane) of one URL disagreed."""
    if_match = request.headers.get("If-Match")
    if if_match is None:
        # If-Unmodified-Since, read only without If-Match (13.2.2, step 2), where the answer
        # has a modification date (the dumps, the static files): Werkzeug reads none
        given = request.headers.get("If-Unmodified-Since", "")
        # an HTTP-date holds one comma at most: more is a list, ignored as no date (13.1.4)
        since = parse_date(given) if given.count(",") <= 1 else None
        modified = response.last_modified
        if since is not None and modified is not None and modified > since:
            from kg.endpoint.pages import error_answer

            return error_answer(412, "Precondition Failed: modified since If-Unmodified-Since "
                                     f"(Last-Modified: {response.headers['Last-Modified']})")
        return response.make_conditional(request)
    etag = response.headers.get("ETag")
    if not if_match_holds(if_match, etag):
        from kg.endpoint.pages import error_answer

        return error_answer(412, if_match_failed(etag))
    environ = {key: value for key, value in request.environ.items() if key != "HTTP_IF_MATCH"}
    return response.make_conditional(environ)


def install(app: Flask, max_age: int) -> None:
    """Give ``app``'s full ``GET`` answers their content coding, a strong ``ETag`` and
    ``Cache-Control``, and answer a matching ``If-None-Match`` with 304."""
    control = cache_control(max_age)

    @app.after_request
    def _validate(response: Response) -> Response:
        if request.method not in ("GET", "HEAD", "OPTIONS") and 200 <= response.status_code < 300:
            return _unsafe_conditional(response)
        if (request.method not in ("GET", "HEAD") or response.status_code != 200
                or response.is_streamed or response.direct_passthrough):
            return response  # not a full GET answer
        if (response.mimetype == "application/ld+json" and "Content-Encoding" not in
                response.headers and names_json_ld_profile(request.headers.get("Accept"))):
            # the client named a JSON-LD profile: the answer says which form it is
            response.headers["Content-Type"] = json_ld_content_type(response.get_data())
        encode(response)
        if "ETag" in response.headers or "Cache-Control" in response.headers:
            # a route that set its own caching; its validator is evaluated here, on the tag
            # sent (a query's answer was evaluated before the query ran, and is again)
            if "ETag" in response.headers or "Last-Modified" in response.headers:
                return conditional(response)
            return response
        response.add_etag()
        response.headers["Cache-Control"] = control
        if EXPOSE in response.headers:  # a script reading the answer may read its validator
            response.headers[EXPOSE] = exposing(response.headers[EXPOSE], ("ETag",))
        return conditional(response)


def _unsafe_conditional(response: Response) -> Response:
    """A successful answer to a method other than ``GET``, ``HEAD`` or ``OPTIONS`` (the
    routes' ``POST``), or a 412 where its preconditions fail (:func:`unvalidated_precondition`;
    ``/sparql`` evaluates them before the query runs, on both lanes). Evaluated once the
    answer is known to be a success, as RFC 9110 (13.2.1) ignores an error's preconditions;
    the routes' ``POST`` are safe, so nothing was changed by answering first."""
    why = unvalidated_precondition(request.headers.get("If-Match"),
                                   request.headers.get("If-None-Match"))
    if why is None:
        return response
    from kg.endpoint.responses import is_reconciliation_path

    if is_reconciliation_path(request.path):  # its errors are its own JSON, for OpenRefine
        from kg.endpoint.reconcile import error_response

        return error_response(412, why)
    from kg.endpoint.pages import error_answer

    return error_answer(412, why)


def encode(response: Response) -> None:
    """Compress a full answer where the request accepts gzip and it pays (it may:
    ``Vary: Accept-Encoding``); a body already in a coding is left alone."""
    if not compression.compressible(response.content_type):
        return
    response.headers["Vary"] = compression.with_vary(response.headers.get("Vary"))
    if "Content-Encoding" in response.headers:
        return
    body = response.get_data()
    coding = compression.choose(request.headers.get("Accept-Encoding"), len(body),
                                response.content_type)
    if coding is None:
        return
    response.set_data(compression.compress(body))
    response.headers["Content-Encoding"] = coding
    etag = response.headers.get("ETag")
    if etag is not None:
        response.headers["ETag"] = compression.coded_etag(etag, coding)
