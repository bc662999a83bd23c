"""A WSGI fast path in front of Flask for the one hot request: a query to ``/sparql``.

Flask's request and response objects, context push/pop and header containers cost several
times what pyoxigraph needs to answer an IRI lookup. This middleware answers ``GET`` and
``POST`` queries on ``/sparql`` with the same code as the Blueprint route
(:func:`.responses.answer_query`) straight from the WSGI environ, and hands every other
request (pages, the service description, a browser's query, preflight, HEAD, chunked bodies)
to Flask untouched, and so a browser's bad request, which gets the site's error page.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable

from kg.endpoint.protocol import BODY_METHODS, for_a_browser, prefers_html
from kg.endpoint.responses import answer_query, error_parts, status_line, with_fields
from kg.endpoint.state import EndpointState
from kg.errors import KGError, PayloadTooLarge

__all__ = ["FastPath"]

log = logging.getLogger("kg.endpoint")


class FastPath:
    """WSGI middleware: answers ``/sparql`` queries itself, passes the rest to ``app``."""

    def __init__(self, app: Callable, state: EndpointState, path: str = "/sparql"):
        self.app = app
        self.state = state
        self.path = path

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != self.path:
            return self.app(environ, start_response)
        method = environ["REQUEST_METHOD"]
        body = None
        if method == "GET":
            target = environ.get("QUERY_STRING")
            if not target or for_a_browser(target, environ.get("HTTP_ACCEPT")):
                return self.app(environ, start_response)  # the description, or the form's page
        elif method in BODY_METHODS:
            length = environ.get("CONTENT_LENGTH")
            if not length or not length.isdigit():
                return self.app(environ, start_response)
        else:
            return self.app(environ, start_response)
        try:
            if method in BODY_METHODS:
                size = int(environ["CONTENT_LENGTH"])
                if size > self.state.max_body_bytes:
                    raise PayloadTooLarge(
                        f"the request body has {size} bytes; this endpoint accepts at most "
                        f"{self.state.max_body_bytes} (setting max_body_bytes)")
                body = environ["wsgi.input"].read(size)
            answered = answer_query(self.state, environ, body)
            if answered is None:  # a GET without a query: the service description
                return self.app(environ, start_response)
            code, headers, payload = answered
            start_response(status_line(code), headers)
            return [payload]
        except KGError as exc:
            if exc.http_status < 500 and prefers_html(environ.get("HTTP_ACCEPT")):
                # a browser's bad request: Flask's route meets the same error and answers it
                # with the site's error page (kg.endpoint.pages.error_response), which needs
                # Flask; the body it reads is the one read here
                if body is not None:
                    environ["wsgi.input"] = io.BytesIO(body)
                return self.app(environ, start_response)
            if exc.http_status >= 500 and exc.http_status != 503:
                log.error("%s: %s", type(exc).__name__, exc)
            code = exc.http_status
            headers, payload = error_parts(code, str(exc), environ.get("HTTP_ACCEPT"),
                                           exc.line, exc.column)
            fields = getattr(exc, "fields", {})  # a 415's
        except Exception:
            log.exception("unexpected error")
            code = 500
            headers, payload = error_parts(
                code, "internal error: the request could not be answered (see the server log)",
                environ.get("HTTP_ACCEPT"))
            fields = {}
        headers.append(("Content-Length", str(len(payload))))
        # after Content-Length, where Flask's error handlers add them: one order on both lanes
        headers = with_fields(headers, fields)
        start_response(status_line(code), headers)
        return [payload]
