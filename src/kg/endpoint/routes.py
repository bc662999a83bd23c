"""The SPARQL endpoint's routes: ``/sparql``, ``/void``, ``/limits``, and the error pages.

``/sparql`` is the hot path: it reads the WSGI environ directly, negotiates from a cache and
lets pyoxigraph serialise; everything that can be computed once is (see :mod:`.state`).
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import Headers
from werkzeug.exceptions import (
    HTTPException,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)
from werkzeug.exceptions import (
    NotImplemented as MethodNotImplemented,
)

from kg.endpoint import pages
from kg.endpoint.protocol import (
    BODY_METHODS,
    FORM,
    SPARQL_UPDATE,
    UPDATE_REFUSED,
    check_coding,
    for_a_browser,
    named_formats,
    names_html,
    negotiate,
    prefers_html,
)
from kg.endpoint.responses import (
    CORS,
    PREFLIGHT,
    answer_query,
    answered_by_a_route,
    base_url,
    headers_for,
    is_reconciliation_path,
    reconciliation_methods,
    with_fields,
)
from kg.endpoint.results import GRAPH, TRUNCATED_HEADER
from kg.endpoint.state import EndpointState
from kg.errors import KGError, PayloadTooLarge, UpdateRefused

__all__ = ["bp", "moved_to"]

log = logging.getLogger("kg.endpoint")
bp = Blueprint("sparql", __name__)


def _state() -> EndpointState:
    return current_app.extensions["kg"]


@bp.route("/sparql", methods=["GET", "POST", "QUERY", "OPTIONS"])
def sparql() -> Response:
    """The SPARQL 1.1 Protocol query operation; without a query, the service description.

    Queries usually reach :class:`~kg.endpoint.fast.FastPath` first, which answers them with
    the same :func:`~kg.endpoint.responses.answer_query`.
    """
    state = _state()
    environ = request.environ
    method = environ["REQUEST_METHOD"]
    if method == "OPTIONS":
        return _preflight()
    if method in ("GET", "HEAD") and for_a_browser(environ.get("QUERY_STRING", ""),
                                                   environ.get("HTTP_ACCEPT")):
        from kg.endpoint.ui import form

        response = form()  # the query and its result as an HTML page
        response.headers["Vary"] = "Accept"
        return response
    body = None
    if method in BODY_METHODS:
        length = request.content_length
        if length is not None and length > state.max_body_bytes:
            raise PayloadTooLarge(
                f"the request body has {length} bytes; this endpoint accepts at most "
                f"{state.max_body_bytes} (setting max_body_bytes)")
        if length is None:
            # A chunked body: werkzeug stops reading at max_content_length without saying
            # so, and a cut query is another query. One byte more tells a body too long.
            request.max_content_length = state.max_body_bytes + 1
        body = request.get_data(cache=False)
        if len(body) > state.max_body_bytes:
            raise PayloadTooLarge(
                f"the request body has more than {state.max_body_bytes} bytes; this endpoint "
                f"accepts at most {state.max_body_bytes} (setting max_body_bytes)")
    answered = answer_query(state, environ, body)
    if answered is None:
        fmt_param = _format_parameter()
        if _a_page_asked(fmt_param):
            # no query, a browser's (or format=html): the query UI, as Virtuoso's /sparql
            # gives its form (the UI's own page is /'s; an RDF client gets the description)
            from kg.endpoint.ui import index

            return index()
        return _description(state, base_url(environ), fmt_param, sd=True)
    code, headers, payload = answered
    return Response(payload, code, headers)


@bp.route("/sparql/", methods=["GET", "POST", "QUERY"])
def sparql_slash() -> Response:
    """``/sparql/`` is ``/sparql``, as every URL with a trailing slash is the URL without
    (the W3C protocol tests name the endpoint so): 301 for ``GET`` and ``HEAD``, 308 for a
    ``POST``, which keeps its method and body (a 301 lets a client resend it as a ``GET``),
    where the pages' route answered 404, and a ``POST`` 405."""
    return moved_to("/sparql", 308 if request.method in BODY_METHODS else 301)


def moved_to(path: str, code: int, fragment: str = "") -> Response:
    """A redirect to the app's ``path`` with the request's query string (and ``fragment``):
    301, or 308 where the method and body must be kept; readable from any origin, as a
    browser's cross-origin fetch follows a redirect only when the redirect allows it."""
    query = request.query_string.decode("latin-1")
    target = request.script_root + path + (f"?{query}" if query else "") + fragment
    return Response(f"{code} moved to {target}\n", code, {
        "Location": target, "Content-Type": "text/plain; charset=utf-8",
        "Access-Control-Allow-Origin": "*"})


def _preflight() -> Response:
    response = Response(b"", 204, PREFLIGHT)
    asked = request.headers.get("Access-Control-Request-Headers")
    response.headers["Access-Control-Allow-Headers"] = asked or "Content-Type, Accept"
    return response


def _format_parameter() -> str | None:
    """The formats the URL names (``format``, then ``output``), as a query's are read."""
    return named_formats(request.args.items(multi=True))


def _a_page_asked(format_param: str | None) -> bool:
    """Whether a ``GET`` of a description (``/sparql`` without a query, ``/void``) asks for
    its HTML page: the first format named that /sparql answers in is HTML (``format=html``,
    as a query's is read: :func:`~kg.endpoint.protocol.names_html`), or
    none is named and the ``Accept`` prefers HTML to every RDF syntax
    (:func:`~kg.endpoint.protocol.prefers_html`), so never an RDF client's, nor ``*/*``."""
    if request.method not in ("GET", "HEAD"):
        return False
    html = names_html(format_param)  # as a query's ``format=html`` is read
    return prefers_html(request.headers.get("Accept")) if html is None else html


def _description(state: EndpointState, root: str, format_param: str | None, *,
                 sd: bool) -> Response:
    fmt = negotiate(request.headers.get("Accept"), format_param, GRAPH,
                    what="the service description" if sd else "the VoID description")
    if sd:
        body = state.descriptions.service_description(root + "/sparql", root + "/void",
                                                      fmt.writer, fmt.json_ld_form)
    else:
        body = state.descriptions.void(root, fmt.writer, fmt.json_ld_form)
    return Response(body, 200, headers_for(fmt))


@bp.route("/void", methods=["GET"])
def void() -> Response:
    """The VoID description of the dataset (Turtle by default); for a browser, the dataset's
    page, ``/dataset``'s, which shows the same description (VoID and DCAT) as HTML."""
    fmt_param = _format_parameter()
    if _a_page_asked(fmt_param):
        from kg.endpoint.dumps import dataset

        return dataset()
    return _description(_state(), base_url(request.environ), fmt_param, sd=False)


@bp.route("/.well-known/void", methods=["GET"])
def well_known_void() -> Response:
    """VoID's discovery address (VoID Note §7.2, RFC 8615): redirects to ``/void`` for good,
    301 (the route takes ``GET`` and ``HEAD`` only, which a 301 keeps)."""
    return moved_to("/void", 301)


@bp.route("/limits", methods=["GET"])
def limits() -> Response:
    """What the endpoint's limits are, in plain text (the target of truncation links)."""
    s = _state()
    text = (
        "Limits of this SPARQL endpoint\n\n"
        f"query_timeout   {s.query_timeout:g} s: a query running longer is stopped; the "
        "client gets 503.\n"
        f"request_timeout {s.settings['request_timeout']:g} s: a client that has not sent its "
        "whole request by then gets 408; an answer the client does not take is abandoned.\n"
        f"max_results     {s.max_results}: a SELECT result keeps its first {s.max_results} rows "
        "and a CONSTRUCT/DESCRIBE result its first triples; a cut result has the HTTP header "
        f"{TRUNCATED_HEADER}: <limit> and a Link header to this page, and in SPARQL JSON/XML "
        "a link in the result's head to this page.\n"
        f"max_body_bytes  {s.max_body_bytes}: a longer request body gets 413.\n"
        f"max_query_depth {s.max_query_depth}: brackets nested deeper get 400.\n\n"
        "Validation (POST /validate) and reconciliation (/reconcile):\n\n"
        f"max_upload_bytes    {s.settings['max_upload_bytes']}: a larger file gets 413.\n"
        f"max_upload_triples  {s.settings['max_upload_triples']}: an upload (with the dataset "
        "it is validated with, if any) of more triples gets 413.\n"
        f"max_upload_nesting  {s.settings['max_upload_nesting']}: brackets, JSON arrays and "
        "objects or XML elements nested deeper get 400.\n"
        f"validation_timeout  {s.settings['validation_timeout']:g} s: validation running "
        "longer is stopped; the client gets 503 (0: no limit).\n"
        f"max_reconcile_batch {s.settings['max_reconcile_batch']}: a request with more queries "
        "or ids gets 413.\n\n"
        "Read-only: SPARQL Update gets 403. SERVICE gets 400; FROM / FROM NAMED and "
        "default-graph-uri / named-graph-uri only select graphs of this store.\n"
    )
    return Response(text, 200, [("Content-Type", "text/plain; charset=utf-8"), *CORS])


# -- every other request runs under the time limit too -------------------------------------

#: Routes that bound their own work: ``/sparql`` and the form arm the guard around the query
#: alone; ``/validate`` reasons in a child process killed at ``validation_timeout``.
_SELF_GUARDED = frozenset({"sparql.sparql", "ui.form", "ui.index", "validation.validate_upload"})


#: The methods this server recognises: RFC 9110's, PATCH (RFC 5789) and QUERY (RFC 10008).
#: Those no route answers (PUT, DELETE, PATCH, TRACE, CONNECT) are known and refused where
#: they are asked, 405 with ``Allow`` (RFC 9110, 15.5.6); any other (``PROPFIND``, ``FOO``)
#: is one no resource of the server implements: 501 (9.1, 15.6.2).
RECOGNISED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
                                "TRACE", "PATCH", "QUERY"})


@bp.before_app_request
def _refuse_unknown_methods() -> None:
    """501 for a method the server does not recognise, on every path (RFC 9110, 9.1: "An
    origin server that receives a request method that is unrecognized or not implemented
    SHOULD respond with the 501"), before the path is looked at: it was a 405 listing what
    the path answers, or a 404, as if the method were one the server knew."""
    if request.method not in RECOGNISED_METHODS:
        raise MethodNotImplemented(
            f"this server does not implement {request.method} on any resource; it answers "
            "GET, HEAD, POST, QUERY and OPTIONS (OPTIONS * lists them)")


@bp.before_app_request
def _refuse_coded_bodies() -> None:
    """A body in a content coding is refused on every route (``/sparql``'s own reading
    refuses it too, on the fast path): :func:`kg.endpoint.protocol.check_coding`."""
    if request.content_length or request.headers.get("Transfer-Encoding"):
        check_coding(request.environ)


@bp.before_app_request
def _refuse_updates() -> None:
    """SPARQL Update gets 403 on every route and method, not only on ``/sparql`` (whose own
    parsing refuses it for GET and POST, on the fast path too): a body typed
    ``application/sparql-update``, or an ``update`` parameter in the URL or a form body.
    Preflight (OPTIONS) is answered as usual, so that a browser sees the 403 itself. A form
    body is scanned as bytes, not parsed, and stays readable by the route; one larger than
    ``max_body_bytes`` is left to the route (no update is that long)."""
    if request.method == "OPTIONS" or (request.path == "/sparql"
                                       and request.method in ("GET", *BODY_METHODS)):
        return
    refused = request.mimetype == SPARQL_UPDATE or "update" in request.args
    if not refused and request.mimetype == FORM:
        length = request.content_length
        if length is not None and length <= _state().max_body_bytes:
            refused = _UPDATE_FIELD.search(request.get_data(cache=True)) is not None
    if refused:
        raise UpdateRefused(UPDATE_REFUSED)


#: An ``update`` field of a form body (``update=…``, or a bare ``update``), as bytes.
_UPDATE_FIELD = re.compile(rb"(?:^|&)update(?:[=&]|$)")


@bp.before_app_request
def _arm_guard() -> None:
    """Reconciliation batches, suggestions, pages and dumps are pure Python that pyoxigraph's
    limits do not reach: past ``query_timeout`` the watchdog answers 503 and ends the worker,
    as for a query (in ``kg serve``; in process the guard watches nothing)."""
    if request.endpoint not in _SELF_GUARDED:
        _state().guard.arm(request.environ)


@bp.teardown_app_request
def _disarm_guard(_exc: BaseException | None) -> None:
    if request.endpoint not in _SELF_GUARDED:
        _state().guard.disarm()


@bp.after_app_request
def _preflight_everywhere(response: Response) -> Response:
    """Flask answers OPTIONS for every route itself, without CORS headers, so a browser's
    preflight for e.g. ``POST /validate`` with a Turtle body failed. Every route is public and
    none uses credentials: any origin may send what the route's ``Allow`` header lists. An
    answer without content (a 204, an OPTIONS) says no ``Content-Type``; Flask's own OPTIONS
    answer, an empty 200, is a 204 as ``/sparql``'s and ``/store``'s are. ``OPTIONS *`` asks
    about the server in general (RFC 9110, 9.3.7), never a browser's preflight: the methods
    some route answers, in ``Allow``, and no CORS."""
    server_wide = request.method == "OPTIONS" and request.environ.get("PATH_INFO") == "*"
    if (request.method == "OPTIONS" and response.status_code in (200, 204)
            and ("Allow" not in response.headers or _flasks_own_options())):
        # werkzeug lists no methods for a path only the pages' /<kind> route takes without
        # its slash (/no-such), so Flask's answer had no Allow; where it has one, it lists a
        # set (HEAD, GET, OPTIONS) and, under /reconcile, the POST of the service's catch-all,
        # which answers a POST of /reconcile/preview with 405: the methods the path answers,
        # as a 405 lists them
        response.headers["Allow"] = ("GET, HEAD, POST, QUERY, OPTIONS" if server_wide
                                     else ", ".join(_methods_of(request.path)))
    if request.method == "OPTIONS" and not server_wide:
        # a preflight is offered what Allow lists, no more, no less, on every route (the
        # reconciliation service's answers offered GET, POST where Allow said HEAD too, or no
        # POST)
        response.headers["Access-Control-Allow-Methods"] = response.headers.get(
            "Allow", "GET, POST, OPTIONS")
        if "Access-Control-Allow-Origin" not in response.headers:
            response.headers["Access-Control-Allow-Origin"] = "*"
            asked = request.headers.get("Access-Control-Request-Headers")
            response.headers["Access-Control-Allow-Headers"] = asked or "Content-Type, Accept"
            response.headers["Access-Control-Max-Age"] = "86400"
    if response.status_code == 204 or (request.method == "OPTIONS"
                                       and not response.is_streamed and not response.get_data()):
        # no content, so no type of it (Flask gives every response text/html)
        del response.headers["Content-Type"]
        if response.status_code == 200:
            response.status_code = 204
    return response


# -- errors: a readable message and the status of errors.py, never a traceback -------------

def _error_response(status: int, message: str, line: int | None = None,
                    column: int | None = None, headers: dict | None = None) -> Response:
    if is_reconciliation_path(request.path):
        # an error no route of the reconciliation service saw (no such path, a method it
        # does not take): in that service's own JSON, as all its errors
        from kg.endpoint.reconcile import error_response

        response = error_response(status, message)
    else:
        # a browser gets the site's error page, any other client text or JSON
        response = pages.error_response(status, message, line=line, column=column)
    if headers:  # a 415's Accept / Accept-Encoding, exposed to a script as the fast lane does
        response.headers = Headers(with_fields(list(response.headers.items()), headers))
    return response


@bp.app_errorhandler(KGError)
def _kg_error(exc: KGError) -> Response:
    if exc.http_status >= 500 and exc.http_status != 503:
        log.error("%s: %s", type(exc).__name__, exc)
    return _error_response(exc.http_status, str(exc), exc.line, exc.column,
                           getattr(exc, "fields", None))  # a 415's (UnsupportedMediaType)


@bp.app_errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge) -> Response:
    limit = _state().max_body_bytes
    return _error_response(413, f"the request body is larger than {limit} bytes "
                                "(setting max_body_bytes)")


#: The order a 405 lists the methods a path answers in (werkzeug gives them as a set).
_METHOD_ORDER = ("GET", "HEAD", "POST", "QUERY", "PUT", "DELETE", "PATCH", "OPTIONS")


def _flasks_own_options() -> bool:
    """Whether this OPTIONS request was answered by Flask itself (a route's automatic
    OPTIONS), not by a route that answers OPTIONS and says its own ``Allow`` (``/sparql``,
    ``/store``, whose route takes the write methods only to refuse them)."""
    rule = request.url_rule
    return rule is not None and getattr(rule, "provide_automatic_options", False)


def _methods_of(path: str) -> list[str]:
    """The methods some route answers for ``path``, in :data:`_METHOD_ORDER`, OPTIONS last;
    under /reconcile, not those only the service's catch-all takes (to answer 404 or 405),
    where a route of the service has the path."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    found = []
    for method in _METHOD_ORDER[:-1]:
        try:
            adapter.match(path, method=method)
        except HTTPException:
            continue
        found.append(method)
    if is_reconciliation_path(path):
        answered = reconciliation_methods(path)
        if answered:  # else no route of the service has the path: as werkzeug says
            found = [m for m in found if m in answered or (m == "HEAD" and "GET" in answered)]
    if path.endswith("/") and path.rstrip("/"):
        # what :func:`_http_error` answers with a 308 to the path without its slash
        # (POST /reconcile/, POST /validate/) is answered too
        found += [m for m in _METHOD_ORDER[:-1] if m not in found and answered_by_a_route(
            path.rstrip("/"), m, besides="pages.resource")]
        found.sort(key=_METHOD_ORDER.index)
    return [*found, "OPTIONS"]


@bp.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    if (isinstance(exc, NotFound) and not is_reconciliation_path(request.path)
            and request.method not in (allowed := _methods_of(request.path))
            and len(allowed) > 1):
        # POST /no-such: the pages' /<kind> route takes the path for GET only, but werkzeug
        # matches a path without its slash for no other method, and said 404 (RFC 9110, 15.5.6)
        exc = MethodNotAllowed(valid_methods=allowed)
    if (isinstance(exc, MethodNotAllowed) and request.path.endswith("/")
            and request.path.rstrip("/")
            and answered_by_a_route(request.path.rstrip("/"), request.method,
                                    besides="pages.resource")):
        # POST /validate/: the pages' route took the slashed path for GET only; the route
        # without the slash takes the method, so a 308 keeps it and its body, as /sparql/ does
        return moved_to(request.path.rstrip("/"), 308)
    description = exc.description
    allowed: list[str] = []
    if isinstance(exc, MethodNotAllowed):
        # what OPTIONS lists (a method only the reconciliation service's catch-all takes is
        # not one the path answers; a POST redirected by 308 is)
        allowed = _methods_of(request.path)
        if description == MethodNotAllowed.description:
            # werkzeug's words name neither the method nor those the path answers
            description = (f"{request.path} does not answer {request.method}; it answers "
                           f"{', '.join(allowed)}")
    response = _error_response(exc.code or 500, f"{exc.code} {exc.name}: {description}")
    if isinstance(exc, MethodNotAllowed):
        response.headers["Allow"] = ", ".join(allowed)
    return response


@bp.app_errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    log.exception("unexpected error")
    return _error_response(500, "internal error: the request could not be answered "
                                "(see the server log)")
