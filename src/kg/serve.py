"""``kg serve``: the endpoint behind gunicorn, a production WSGI server.

- The dataset is loaded once, in gunicorn's parent process (``preload_app``); workers are forked
  from it and share the store's memory copy-on-write. A worker that is replaced is re-forked in
  about a second without reloading anything.
- Each worker runs one query at a time (:class:`OneQueryThreadWorker`, gunicorn's ``gthread``
  with one thread: keep-alive connections are held cheaply, a query never shares its process
  with another one, and a busy worker leaves new connections to idle ones) and has a
  :class:`~kg.endpoint.watchdog.Watchdog`: past ``query_timeout`` the client gets a 503 and the
  worker process ends, which really stops the query (pyoxigraph cannot be interrupted).
- Every request is logged (gunicorn's access log, on stderr, with its duration in ms).
- SIGTERM stops gracefully (requests in flight may finish), SIGINT at once; both exit 0.
- ``--port 0`` binds a free port; the line ``kg serve: listening on http://HOST:PORT/`` says
  which, once the server accepts connections.

Defaults (see :mod:`kg.settings`): host 127.0.0.1, port 8000, 2 workers, query_timeout 10 s.
"""

from __future__ import annotations

import errno
import io
import logging
import re
import selectors
import sys
import threading
import time
from email.utils import formatdate
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import gunicorn
from gunicorn import glogging, http
from gunicorn.http.wsgi import Response as GunicornResponse
from gunicorn.workers.gthread import TConn, ThreadWorker

from kg.endpoint.watchdog import Watchdog, timeout_message

__all__ = ["serve", "gunicorn_options", "OneQueryThreadWorker"]


class OneQueryThreadWorker(ThreadWorker):
    """gunicorn's ``gthread`` worker (one thread) that accepts no new connection while it runs
    a request, and gives its thread only to a request that has arrived whole.

    The stock worker keeps accepting while its thread is busy: a new client would then wait
    behind a long query although another worker is idle, and be dropped if the watchdog ends
    this worker. Here a busy worker leaves new connections to the others (or to the kernel's
    backlog), and still keeps its idle keep-alive connections.

    The stock worker also hands a connection to its thread as soon as it is accepted (or
    readable): the thread then waits for the request head and body on a blocking socket, so a
    client that connects and sends nothing, or sends its request a byte at a time (slowloris),
    holds the worker's only thread, and two such clients stop a two-worker server. Here the
    request is read in the worker's event loop, without blocking, until the head and the body
    it announces (``Content-Length``, or a chunked body's last chunk) are in memory; only then
    does the thread get it. A request that has not arrived whole within ``request_timeout``
    seconds is answered 408 and its connection closed. A response the client does not read
    is likewise abandoned after ``request_timeout`` seconds per write.
    """

    _busy = 0
    _handling = False  # a request is being answered (on the event loop's thread)
    #: Answer on the event loop's thread (False: on gunicorn's one pool thread, as before).
    inline = True
    #: Answer plain ``GET /sparql?…`` requests in the express lane (see :meth:`_express`);
    #: turned off in :meth:`init_process` when the access log is not kg's own.
    express = True
    #: Seconds a client has to send one whole request (head and body); set from the settings
    #: in :func:`serve` (``request_timeout``).
    request_timeout = 10.0
    #: Most bytes held for one arriving request; a larger one is handed to the thread, whose
    #: app refuses it (413) without waiting for the rest.
    max_buffered = 2 * 1024 * 1024 + 65536
    #: The largest body the app takes (413 beyond, unread): ``max_body_bytes``, and for
    #: ``/validate`` ``max_upload_bytes`` and a multipart envelope; set in :func:`serve`.
    max_body_bytes = 1_048_576
    max_upload_body = 1_048_576 + 65536

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._arriving: dict = {}  # connection -> _Arrival

    def handle_error(self, req, client, addr, exc) -> None:
        """gunicorn answers a request line or header fields over its limits itself, before
        the app, with an HTML page and no CORS header: a browser's script could not read why
        its long GET failed. These two get a plain-text answer saying what to do, readable
        from any origin, and so does a request line holding what a URL may not (a space, a
        control character, a character outside ASCII: ``curl "…?query=SELECT … Việt …"``),
        which gunicorn's page named as an invalid request line or HTTP version, showing the
        UTF-8 bytes as Latin-1, and one in another major version of HTTP (``HTTP/2.0``,
        ``HTTP/0.9``: 505, where gunicorn's page said 400); every other error is gunicorn's."""
        from gunicorn import util
        from gunicorn.http.errors import (
            InvalidHTTPVersion,
            InvalidRequestLine,
            LimitRequestHeaders,
            LimitRequestLine,
        )

        version = _unsupported_version(exc, InvalidRequestLine, InvalidHTTPVersion)
        if _unencoded_target(exc, InvalidRequestLine, InvalidHTTPVersion):
            status, text = "400 Bad Request", (
                "the request line holds a space, a control character or a character outside "
                "ASCII, which a URL may not: percent-encode the query (a space is %20, é is "
                "%C3%A9; curl -G --data-urlencode 'query=...' does it), or POST it\n")
        elif version is not None:
            # RFC 9110, 15.6.6: the major version is refused, saying why and what is spoken
            status, text = "505 HTTP Version Not Supported", (
                f"the request line is in {version}; this server speaks HTTP/1.1 (and HTTP/1.0):"
                " send the request in HTTP/1.1 (curl --http1.1)\n")
        elif isinstance(exc, LimitRequestLine):
            status, text = "414 URI Too Long", (
                f"the request line is longer than {self.cfg.limit_request_line} bytes: send a "
                "long query with POST, as a form field (application/x-www-form-urlencoded) "
                "or as the body (application/sparql-query)\n")
        elif isinstance(exc, LimitRequestHeaders):
            status, text = "431 Request Header Fields Too Large", (
                f"the request's header fields are over the limits ({exc}): at most "
                f"{self.cfg.limit_request_fields} fields of {self.cfg.limit_request_field_size} "
                "bytes each\n")
        else:
            super().handle_error(req, client, addr, exc)
            return
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            util.write_nonblock(client, _plain_response(status, text))
        except OSError:
            self.log.debug("Failed to send error message.")

    # -- reading requests in the event loop ------------------------------------------------

    def accept(self, listener) -> None:
        try:
            client_sock, client_addr = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client_sock, client_addr, listener.getsockname())
        self._await_request(conn, b"")

    def on_client_socket_readable(self, conn, client) -> None:
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_request(conn, b"")

    def enqueue_req(self, conn) -> None:
        # gunicorn hands a kept-alive connection straight back when the last body read took
        # some of the next request: that too must be whole before the thread gets it.
        if conn.parser is not None and not getattr(conn, "_kg_whole", False):
            pending = conn.parser.unreader.take_buffered()
            if not _Arrival(0.0, pending).is_whole(self.max_buffered, self._body_limit):
                self._await_request(conn, pending)
                return
            conn.parser.unreader.unread(pending)
        conn._kg_whole = False
        self._busy += 1
        self.set_accept_enabled(False)
        if not self.inline:
            super().enqueue_req(conn)
        elif self._handling:  # read ahead while a request is answered: the next loop turn
            self.method_queue.defer(self._handle_inline, conn)
        else:
            self._handle_inline(conn)

    def _handle_inline(self, conn) -> None:
        # The request is whole and the worker runs one at a time: answering it on this (the
        # event loop's) thread saves the hand-off to a pool thread and back through a pipe,
        # which cost ~0.1 ms per request. The loop is not needed meanwhile (accepting is off);
        # _heartbeat tells the arbiter the worker is alive, as the loop did.
        self._handling = True
        try:
            done = _Done(self.handle(conn))
        finally:
            self._handling = False
        self.finish_request(conn, done)

    def _heartbeat(self) -> None:
        while self.alive:
            time.sleep(self._heartbeat_every)
            if self._handling:
                self.notify()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = _answered_in_http_1_1(self.wsgi)

    def init_process(self) -> None:
        self.express = self.express and isinstance(self.log, AccessLogger) and (
            self.log.fast_access_stream() is not None or not self.log.access_log_enabled)
        self._heartbeat_every = max(0.5, min(5.0, self.timeout / 4))
        threading.Thread(target=self._heartbeat, name="kg-heartbeat", daemon=True).start()
        super().init_process()

    def _await_request(self, conn, pending: bytes) -> None:
        conn.sock.setblocking(False)
        arrival = self._arriving[conn] = _Arrival(time.monotonic() + self.request_timeout,
                                                  pending)
        # Read first: on a kept-alive connection the request is usually here already, and
        # then the socket is never registered with the poller.
        self._on_arriving(conn, conn.sock)
        if self._arriving.get(conn) is arrival and not arrival.registered:
            arrival.registered = True
            self.poller.register(conn.sock, selectors.EVENT_READ,
                                 partial(self._on_arriving, conn))

    def _on_arriving(self, conn, client) -> None:
        arrival = self._arriving.get(conn)
        if arrival is None:
            return
        while len(arrival.data) <= self.max_buffered:
            try:
                data = conn.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                data = b""
            if not data:  # the client went away before its request was whole
                self._drop(conn)
                return
            arrival.data += data
        if not arrival.is_whole(self.max_buffered, self._body_limit):
            if arrival.owes_continue and len(arrival.data) == arrival.body_at:
                # the client waits for this before it sends its body (curl a second, other
                # clients until their own timeout): ask for it now, not once it has come
                arrival.owes_continue = False
                conn._kg_continued = True
                try:
                    conn.sock.send(_CONTINUE)
                except OSError:
                    self._drop(conn)
            return
        self._forget(conn)
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
        if self.express and not self._handling and self._express(conn, arrival.data):
            return
        conn.parser.unreader.unread(bytes(arrival.data))
        conn.data_ready = True
        conn._kg_whole = True
        self.enqueue_req(conn)

    def _body_limit(self, target: bytes | str) -> int:
        """The most body bytes the app takes for a request ``target`` (as the routes check
        them: :mod:`kg.endpoint.validation`, every other route ``max_body_bytes``)."""
        if isinstance(target, bytes):
            target = target.decode("latin-1")
        path = unquote(target.split("?", 1)[0])
        return self.max_upload_body if path == "/validate" else self.max_body_bytes

    def _forget(self, conn) -> None:
        arrival = self._arriving.pop(conn, None)
        if arrival is None or not arrival.registered:
            return
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def _drop(self, conn, answer: bytes = b"") -> None:
        self._forget(conn)
        self.nr_conns -= 1
        if answer:
            try:
                conn.sock.send(answer)
            except OSError:
                pass
        conn.close()

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        late = [conn for conn, arrival in self._arriving.items() if arrival.deadline <= now]
        for conn in late:
            self._drop(conn, _plain_response(*_REQUEST_TIMEOUT) if self._arriving[conn].data
                       else b"")

    # -- the express lane: a plain GET /sparql?… answered without gunicorn's HTTP layer ------

    def _express(self, conn, data: bytearray) -> bool:
        """Answer the whole request in ``data`` here if it is a plain ``GET /sparql?…``
        (:func:`_express_request` says which are); return False to leave it to gunicorn.

        gunicorn's parser, environ and response objects and its two writes (head, then body)
        cost ~0.15 ms per request, half of what a small query costs in all; this lane builds
        the environ from the bytes already read, calls the same WSGI app (so the answer is
        byte for byte the same, watchdog included) and sends head and body in one write."""
        request = _express_request(data, self.cfg)
        if request is None:
            return False
        started = time.monotonic()
        # Accepting is not switched off around the answer, as enqueue_req does: the event loop
        # does not run until it is sent, so this worker accepts nothing meanwhile anyway (and
        # the switch costs two epoll_ctl calls per request).
        self._handling = True
        self.nr += 1
        if self.nr >= self.max_requests and self.alive:  # as gunicorn's own handle_request
            self.log.info("Autorestarting worker after current request.")
            self.alive = False
        keep = False
        try:
            conn.sock.settimeout(self.request_timeout)
            keep = self._answer_express(conn, request, started)
        except OSError:
            keep = False  # the client went away
        finally:
            self._handling = False
        self._busy += 1  # finish_request counts it down again
        self.finish_request(conn, _Done(keep))
        return True

    def _answer_express(self, conn, request: _ExpressRequest, started: float) -> bool:
        environ = request.environ(conn)
        keep = (request.keep_alive and self.alive and bool(self.cfg.keepalive)
                and len(self.keepalived_conns) < self.max_keepalived)
        answer: list = []

        def start_response(status, headers, exc_info=None):
            answer[:] = [status, headers]
            return _no_write

        try:
            result = self.wsgi(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            status, headers = answer
        except Exception:
            self.log.exception("Error handling request %s", request.target)
            status, headers, body, keep = "500 Internal Server Error", [], _ERROR_BODY, False
        head = [f"HTTP/1.1 {status}\r\nServer: {gunicorn.SERVER}\r\nDate: {_http_date()}\r\n"]
        length = None
        for name, value in headers:
            if name.lower() == "content-length":
                length = value
            head.append(f"{name}: {value}\r\n")
        if length is None and not status.startswith("304"):
            head.append(f"Content-Length: {len(body)}\r\n")
        if not keep:
            head.append("Connection: close\r\n")
        elif request.version == "HTTP/1.0":
            head.append("Connection: keep-alive\r\n")
        head.append("\r\n")
        _send(conn.sock, "".join(head).encode("latin-1"), body)
        elapsed = time.monotonic() - started
        self.log.express_access(environ, status, len(body), int(elapsed * 1000))
        return keep

    # -- one request at a time, bounded writes ----------------------------------------------

    def handle_request(self, req, conn):
        # A blocking socket with a timeout: one write to a client that does not read is
        # abandoned after request_timeout (socket.sendall's timeout covers the whole call).
        conn.sock.settimeout(self.request_timeout)
        if req.version > (1, 1):
            # RFC 9110, 2.5: a later HTTP/1.x is processed as the highest minor version the
            # server conforms to, and answered in it (gunicorn echoed "HTTP/1.7 200 OK")
            req.version = (1, 1)
        if getattr(conn, "_kg_continued", False):
            conn._kg_continued = False
            req._expected_100_continue = False  # the 100 went out as the body was awaited
        length = next((value for name, value in req.headers if name == "CONTENT-LENGTH"), None)
        if length is not None and length.isdigit() and int(length) > self._body_limit(req.path):
            # RFC 9110, 10.1.1: the app answers 413 without reading the body, so no 100 asks
            # for it, and the connection closes (the body may follow, or be here in part)
            req._expected_100_continue = False
            req.must_close = True
        if not req.must_close and _asks_to_close(req.headers):
            # RFC 9112, 9.6: "close" among the connection options ends the connection after
            # this answer; gunicorn heard it only as the field's whole value, and kept
            # "Connection: TE, close" open (the express lane reads the list)
            req.must_close = True
        elif req.version == (1, 0) and not req.must_close and _asks_to_keep_alive(req.headers):
            # RFC 9112, 9.3: an HTTP/1.0 connection persists where "keep-alive" is among the
            # options; gunicorn heard it only as the field's whole value, and closed
            # "Connection: keep-alive, TE" (the express lane reads the list)
            req.should_close = _kept_open(req)
        return super().handle_request(req, conn)

    def finish_request(self, conn, fs) -> None:
        self._busy -= 1
        try:
            super().finish_request(conn, fs)
        finally:
            if self.alive:
                self.set_accept_enabled(True)

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled and not self._busy)


class _Http11Response(GunicornResponse):
    """gunicorn's response, whose status line says HTTP/1.1 whatever HTTP/1.x the request was
    in: RFC 9110, 2.5, a server sends the highest minor version it conforms to (gunicorn
    echoed ``HTTP/1.0 200 OK``, the express lane said HTTP/1.1). Everything else still
    follows the request's version, as HTTP/1.1 wants of an HTTP/1.0 client (RFC 9112, 9.3):
    no chunked body, the connection closed after the answer unless the client sent
    ``Connection: keep-alive``, which the answer then says."""

    def default_headers(self) -> list[str]:
        headers = super().default_headers()
        headers[0] = "HTTP/1.1 " + headers[0].partition(" ")[2]
        return headers


def _answered_in_http_1_1(app):
    """``app`` with gunicorn's responses made :class:`_Http11Response`: the worker's
    ``handle_request`` (gunicorn's) makes the response itself, and hands the app its bound
    ``start_response``; the express lane's own ``start_response`` is left alone."""

    def answered(environ, start_response):
        response = getattr(start_response, "__self__", None)
        if type(response) is GunicornResponse:
            response.__class__ = _Http11Response
        return app(environ, start_response)

    return answered


class _Done:
    """What ``finish_request`` asks of the future of a request answered inline."""

    __slots__ = ("_result",)

    def __init__(self, result) -> None:
        self._result = result

    def result(self):
        return self._result

    def cancelled(self) -> bool:
        return False


def _connection_options(headers: list[tuple[str, str]]) -> set[str]:
    """The options a request's ``Connection`` fields (gunicorn's upper-case names) list, in
    lower case, from every field."""
    return {token.strip().lower() for name, value in headers
            if name == "CONNECTION" for token in value.split(",")}


def _asks_to_close(headers: list[tuple[str, str]]) -> bool:
    """Whether a request's ``Connection`` fields list the ``close`` option, in any case and
    among others."""
    return "close" in _connection_options(headers)


def _asks_to_keep_alive(headers: list[tuple[str, str]]) -> bool:
    """Whether a request's ``Connection`` fields list the ``keep-alive`` option, in any case
    and among others."""
    return "keep-alive" in _connection_options(headers)


def _kept_open(req):
    """``req.should_close`` for an HTTP/1.0 request that asked to keep its connection: closed
    only where gunicorn itself must close it (a limit, a body it could not read)."""
    return lambda: req.must_close


def _unencoded_target(exc: Exception, invalid_line: type, invalid_version: type) -> bool:
    """Whether gunicorn refused a request line for a URL not percent-encoded: a character
    outside printable ASCII in the line (its parser keeps the line, read as Latin-1), or a
    space, which splits the line into more than method, target and version (the "version"
    it read then holds the rest of the line)."""
    if isinstance(exc, invalid_line):
        line = getattr(exc, "req", None)
        return isinstance(line, str) and any(not " " <= ch <= "~" for ch in line)
    if isinstance(exc, invalid_version):
        version = getattr(exc, "version", None)
        return isinstance(version, str) and " " in version
    return False


_VERSION = re.compile(r"HTTP/(\d)\.(\d)")


def _unsupported_version(exc: Exception, invalid_line: type,
                         invalid_version: type) -> str | None:
    """The version a request line names where it is well formed (``HTTP/`` DIGIT ``.`` DIGIT,
    RFC 9112, 2.3) but of another major version than 1 (``HTTP/2.0``, ``HTTP/0.9``; HTTP/2's
    connection preface, ``PRI * HTTP/2.0``, too): the server understood the request and does
    not speak its version. None for anything else (``HTTP/1.10`` is malformed: a 400)."""
    version = getattr(exc, "version", None) if isinstance(exc, invalid_version) else None
    if isinstance(version, tuple) and len(version) == 2:
        version = f"HTTP/{version[0]}.{version[1]}"
    elif isinstance(exc, invalid_line) and isinstance(getattr(exc, "req", None), str):
        version = exc.req.rpartition(" ")[2]
    if not isinstance(version, str):
        return None
    match = _VERSION.fullmatch(version)
    return version if match is not None and match[1] != "1" else None


def _plain_response(status: str, text: str) -> bytes:
    """A whole HTTP response the worker writes itself, before or instead of the app: plain
    text, readable from any origin, closing the connection; with the ``Server`` and ``Date``
    fields every other answer carries (gunicorn's, and the express lane's)."""
    body = text.encode("utf-8")
    return (f"HTTP/1.1 {status}\r\nServer: {gunicorn.SERVER}\r\nDate: {_http_date()}\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n"
            f"Access-Control-Allow-Origin: *\r\nConnection: close\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body


_REQUEST_TIMEOUT = ("408 Request Timeout", "the request did not arrive whole within the time "
                    "limit (setting request_timeout)\n")
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*(\d+)[ \t]*\r?$")
_CHUNKED = re.compile(rb"(?im)^transfer-encoding[ \t]*:.*chunked")
_EXPECTS_CONTINUE = re.compile(rb"(?im)^expect[ \t]*:[ \t]*100-continue[ \t]*\r?$")
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class _Arrival:
    """The bytes of one request arriving, and what its head says is still to come."""

    __slots__ = ("deadline", "data", "registered", "_scanned", "_body_at", "_length",
                 "_chunked", "owes_continue")

    def __init__(self, deadline: float, data: bytes):
        self.deadline = deadline
        self.data = bytearray(data)
        self.registered = False  # with the worker's poller
        self._scanned = 0  # the head's end is searched for once per byte, not once per read
        self._body_at: int | None = None
        self._length = 0
        self._chunked = False
        #: the head asks for a 100 (Continue) before its body, not sent yet
        self.owes_continue = False

    def is_whole(self, limit: int, body_limit=None) -> bool:
        """Whether the head and the body it announces are here (or more than ``limit``
        bytes, or a ``Content-Length`` over ``body_limit(target)``: what the app refuses
        without reading on, and so asks no 100 for)."""
        data = self.data
        if len(data) > limit:
            return True
        if self._body_at is None:
            end = _HEAD_END.search(data, max(0, self._scanned - 3))
            if end is None:
                self._scanned = len(data)
                return False
            head = bytes(data[:end.start()])
            self._body_at = end.end()
            self._chunked = _CHUNKED.search(head) is not None
            length = _CONTENT_LENGTH.search(head)
            self._length = int(length[1]) if length else 0
            if self._length > limit:
                return True
            if body_limit is not None and self._length:
                line = head.split(b"\n", 1)[0].split(b" ")
                if len(line) == 3 and self._length > body_limit(line[1]):
                    return True
            # RFC 9110, 10.1.1 (an HTTP/1.0 client's expectation is ignored: it knows no 1xx)
            self.owes_continue = (_EXPECTS_CONTINUE.search(head) is not None
                                  and not head.split(b"\n", 1)[0].rstrip().endswith(b"/1.0"))
        if self._chunked:
            return len(data) > self._body_at and (data.endswith(b"0\r\n\r\n")
                                                  or data.endswith(b"0\n\n"))
        return len(data) - self._body_at >= self._length

    @property
    def body_at(self) -> int | None:
        """Where the body starts in :attr:`data` (None: the head is not whole yet)."""
        return self._body_at


_EXPRESS_LINE = re.compile(rb"GET (/sparql\?[!-\"$-~]*) (HTTP/1\.[01])\r\n")  # no "#"
_FIELD = re.compile(rb"([!#$%&'*+\-.^`|~0-9A-Za-z]+):[ \t]*([\t\x20-\x7e\x80-\xff]*?)[ \t]*\r\n")
#: Header fields that take a request out of the express lane: anything about a body, an
#: expectation, a protocol switch, hop-by-hop semantics, or a proxy's scheme (gunicorn trusts
#: those from loopback by default).
_NOT_EXPRESS = frozenset({b"content-length", b"transfer-encoding", b"content-type", b"expect",
                          b"upgrade", b"http2-settings", b"te", b"trailer", b"forwarded",
                          b"x-forwarded-proto", b"x-forwarded-protocol", b"x-forwarded-ssl"})


class _ExpressRequest:
    __slots__ = ("target", "version", "fields", "keep_alive")

    def __init__(self, target: str, version: str, fields: dict[str, str]):
        self.target, self.version, self.fields = target, version, fields
        tokens = {t.strip().lower() for t in fields.get("CONNECTION", "").split(",")}
        self.keep_alive = ("close" not in tokens if version == "HTTP/1.1"
                           else "keep-alive" in tokens)

    def environ(self, conn) -> dict:
        """The WSGI environ gunicorn would give this request (PEP 3333 keys, ``RAW_URI``,
        ``gunicorn.socket``, one ``HTTP_*`` key per field)."""
        server = conn.server
        if isinstance(server, tuple | list) and len(server) >= 2:
            server_name, server_port = str(server[0]), str(server[1])
        else:
            server_name, server_port = str(server), ""
        client = conn.client
        remote = (str(client[0]), str(client[1])) if isinstance(client, tuple | list) \
            else (str(client or "-"), "")
        environ = {
            "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/sparql",
            "QUERY_STRING": self.target.partition("?")[2], "RAW_URI": self.target,
            "SERVER_PROTOCOL": self.version, "SERVER_NAME": server_name,
            "SERVER_PORT": server_port, "REMOTE_ADDR": remote[0], "REMOTE_PORT": remote[1],
            "SERVER_SOFTWARE": gunicorn.SERVER_SOFTWARE, "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
            "wsgi.input_terminated": True, "gunicorn.socket": conn.sock,
        }
        for name, value in self.fields.items():
            environ["HTTP_" + name] = value
        return environ


def _express_request(data: bytearray, cfg) -> _ExpressRequest | None:
    """The request in ``data`` if it may take the express lane: exactly one whole request,
    ``GET /sparql?…`` in HTTP/1.0 or 1.1, printable ASCII target within gunicorn's request-line
    limit, well-formed header fields (no obs-fold, no underscore in a name, none repeated,
    within gunicorn's count and size limits), no field about a body, an expectation or an
    upgrade. Anything else is None, and gunicorn parses it (and refuses what is malformed)."""
    if not data.endswith(b"\r\n\r\n"):
        return None
    line = _EXPRESS_LINE.match(data)
    if line is None or len(line[0]) - 2 > cfg.limit_request_line > 0:
        return None
    fields: dict[str, str] = {}
    pos, end = line.end(), len(data) - 2
    while pos < end:
        field = _FIELD.match(data, pos)
        if field is None or field.end() - pos - 2 > cfg.limit_request_field_size > 0:
            return None
        name = field[1].lower()
        if name in _NOT_EXPRESS:
            return None
        key = name.decode("ascii").upper().replace("-", "_")
        if key in fields:
            return None
        fields[key] = field[2].decode("latin-1")
        pos = field.end()
    if pos != end or len(fields) > cfg.limit_request_fields:
        return None
    return _ExpressRequest(line[1].decode("ascii"), line[2].decode("ascii"), fields)


def _send(sock, head: bytes, body: bytes) -> None:
    """Send ``head`` then ``body`` in one system call where the socket takes both; a large
    body is not copied to be joined to its head (~0.1 ms per MB)."""
    if len(body) < 65536:
        sock.sendall(head + body)
        return
    sent = sock.sendmsg([head, body])
    if sent < len(head):
        sock.sendall(memoryview(head)[sent:])
        sock.sendall(body)
    elif sent < len(head) + len(body):
        sock.sendall(memoryview(body)[sent - len(head):])


def _no_write(data: bytes) -> None:
    raise RuntimeError("kg's express lane does not support write() from start_response")


_ERROR_BODY = b"internal error: the request could not be answered (see the server log)\n"
_DATE: list = [0, ""]


def _http_date() -> str:
    """The Date header value, formatted once per second."""
    now = int(time.time())
    if _DATE[0] != now:
        _DATE[:] = [now, formatdate(now, usegmt=True)]
    return _DATE[1]


#: Parser threads get a large stack: with pyoxigraph's recursive parser, a thread's default
#: stack is what limits nesting (the depth check refuses deep queries long before that).
_THREAD_STACK = 64 * 1024 * 1024


def gunicorn_options(settings: dict[str, Any]) -> dict[str, Any]:
    """The gunicorn configuration of ``kg serve`` for these settings."""
    host = settings["host"]
    bind = f"[{host}]:{settings['port']}" if ":" in host else f"{host}:{settings['port']}"
    timeout = settings["query_timeout"]
    return {
        "bind": [bind],
        "workers": max(1, settings["workers"]),
        "worker_class": "kg.serve.OneQueryThreadWorker",
        "threads": 1,
        "preload_app": True,
        # The watchdog answers at query_timeout; gunicorn's own timeout is only a backstop.
        "timeout": int(max(30, 2 * timeout + 5)),
        "graceful_timeout": int(min(max(timeout, 1) + 1, 30)),
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "access_log_format": _ACCESS_LOG_FORMAT,
        "logger_class": "kg.serve.AccessLogger",
        "limit_request_line": 8190,
        "worker_tmp_dir": "/dev/shm" if Path("/dev/shm").is_dir() else None,
        "proc_name": "kg-serve",
    }


_ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'


class AccessLogger(glogging.Logger):
    """gunicorn's logger, with the access line of :data:`_ACCESS_LOG_FORMAT` written directly
    to its stream: gunicorn builds ~20 atoms (a date, the user from Authorization, …) and a
    log record per request, about 30 µs. Any other access log setup is left to gunicorn."""

    def fast_access_stream(self):
        """The stream the access line goes to when it is kg's format on one plain stream
        handler (else None: gunicorn's own formatting applies)."""
        handlers = self.access_log.handlers
        if (self.cfg.access_log_format != _ACCESS_LOG_FORMAT or len(handlers) != 1
                or type(handlers[0]) is not logging.StreamHandler
                or not self.access_log_enabled):
            return None
        return handlers[0].stream

    def access(self, resp, req, environ, request_time) -> None:
        stream = self.fast_access_stream()
        if stream is None:
            return super().access(resp, req, environ, request_time)
        ms = request_time.seconds * 1000 + request_time.microseconds // 1000
        self._write_access(stream, environ, resp.status, getattr(resp, "sent", None), ms)

    def express_access(self, environ, status, sent: int, ms: int) -> None:
        """The access line of a request answered by the express lane (same format)."""
        stream = self.fast_access_stream()
        if stream is not None:
            self._write_access(stream, environ, status, sent, ms)

    @staticmethod
    def _write_access(stream, environ, status, sent, ms: int) -> None:
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        request = f'{environ["REQUEST_METHOD"]} {environ["RAW_URI"]} {environ["SERVER_PROTOCOL"]}'
        agent = environ.get("HTTP_USER_AGENT", "-")
        if '"' in request or '"' in agent:  # as gunicorn's SafeAtoms
            request, agent = request.replace('"', '\\"'), agent.replace('"', '\\"')
        line = f'{environ.get("REMOTE_ADDR", "-")} "{request}" {status} {sent} {ms}ms "{agent}"\n'
        try:
            stream.write(line)
            stream.flush()
        except (OSError, ValueError):
            pass


#: Datasets up to this size have their dumps made before the workers fork (shared, instant).
_PREBUILT_DUMPS_MAX_QUADS = 200_000


def _before_fork() -> None:
    """Leave the workers as little to copy as possible, and the stack queries run on.

    - Freed memory of the loading (parser buffers, the dumps' quads) goes back to the system
      (glibc's ``malloc_trim``) instead of lingering in every forked worker.
    - ``gc.freeze()`` moves the objects made so far out of the collector's reach: a collection
      in a worker would otherwise write to (and so copy) every page holding one of them.
    - Queries run on a worker's main thread (see :class:`OneQueryThreadWorker`), whose stack
      may grow to the soft ``RLIMIT_STACK``: it is raised to the parser threads' stack size
      where the hard limit allows (the depth check refuses deep queries long before that).
    """
    import ctypes
    import ctypes.util
    import gc
    import resource

    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc
    gc.freeze()
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    if soft != resource.RLIM_INFINITY and soft < _THREAD_STACK:
        wanted = _THREAD_STACK if hard == resource.RLIM_INFINITY else min(_THREAD_STACK, hard)
        try:
            resource.setrlimit(resource.RLIMIT_STACK, (wanted, hard))
        except (ValueError, OSError):
            pass


def _ready_line(server) -> None:
    for listener in server.LISTENERS:
        host, port = listener.sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        print(f"kg serve: listening on http://{shown}:{port}/ (SPARQL at /sparql)",
              file=sys.stderr, flush=True)


def _check_address(host: str, port: int) -> None:
    """Raise ConfigError (exit 2) where ``host`` does not resolve or ``host:port`` cannot be
    listened on (in use, not this machine's): gunicorn would say so only after the dataset is
    loaded, retrying five times, and exit 1."""
    import socket

    from kg.errors import ConfigError

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise ConfigError(f"host {host!r} does not resolve: {getattr(exc, 'strerror', exc)}"
                          ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _prepared_app(settings: dict[str, Any], dataset: str | Path | None):
    """The app of :func:`serve`, with everything its workers would otherwise each make on
    their first requests made once, before they are forked: the statistics, the pages'
    indexes, the shapes' page, a small dataset's dumps.

    The cyclic garbage collector is paused meanwhile (:func:`_before_fork` collects once,
    after): the indexes are a few million objects and few cycles, and at 1M quads its passes
    over them took 4-5 s of the ~17."""
    from kg.endpoint import create_app
    from kg.store import DatasetStore, gc_paused

    with gc_paused():
        if settings.get("store_url") and dataset is None:
            from kg.remote import open_remote_store

            print(f"kg serve: forwarding queries to {settings['store_url']}", file=sys.stderr,
                  flush=True)
            store = open_remote_store(settings)
        elif dataset is None:
            from kg.endpoint import _built_store

            store = _built_store(settings, log=lambda line: print(
                f"kg serve: {line}", file=sys.stderr, flush=True))
        else:
            print(f"kg serve: loading {dataset}", file=sys.stderr, flush=True)
            store = DatasetStore.load(dataset)
        app = create_app(settings, dataset=store)
        app.extensions["kg"].descriptions.stats()
        from kg.endpoint import dumps, pages, shapes

        with app.app_context():
            pages.site()
            shapes.prepare()  # else each worker reads and labels the shapes on its first /shapes/
            if len(store) <= _PREBUILT_DUMPS_MAX_QUADS:
                # small datasets: the dumps too; at scale they cost a minute and a GiB before
                # the first answer, so each worker makes a dump when it is first asked for
                dumps.dumps().all()
    return app


def serve(settings: dict[str, Any], *, dataset: str | Path | None = None) -> int:
    """Serve the built graph (building it if needed), or ``dataset``, or the remote store of
    the setting ``store_url`` (:mod:`kg.remote`), until stopped."""
    from gunicorn.app.base import BaseApplication

    _check_address(settings["host"], settings["port"])  # before minutes of loading, not after
    app = _prepared_app(settings, dataset)
    state = app.extensions["kg"]
    store = state.store
    print(f"kg serve: {len(store)} quads in {len(store.named_graphs)} named graphs",
          file=sys.stderr, flush=True)
    if state.assets_dir is None:
        print("kg serve: the browser UI's assets (npm @zazuko/yasgui) are not installed: / "
              "serves the plain query form (`make setup`, with npm, installs them)",
              file=sys.stderr, flush=True)
    _before_fork()
    threading.stack_size(_THREAD_STACK)
    timeout = settings["query_timeout"]
    with app.test_request_context("/"):  # the page a browser gets when the watchdog fires
        from kg.endpoint.pages import error_page

        page = error_page(503, timeout_message(timeout)).encode("utf-8")

    def post_fork(server, worker) -> None:
        state.guard = Watchdog(timeout, page=page)
        worker.request_timeout = max(settings["request_timeout"], 1.0)
        worker.max_buffered = max(settings["max_body_bytes"],
                                  settings.get("max_upload_bytes", 0)) + 65536
        worker.max_body_bytes = settings["max_body_bytes"]
        worker.max_upload_body = settings.get("max_upload_bytes", 0) + 65536

    class _Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in gunicorn_options(settings).items():
                if value is not None:
                    self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn >= 25 opens a control socket in $HOME by default; one per server
                # would collide between servers started side by side (tests).
                self.cfg.set("control_socket_disable", True)
            self.cfg.set("post_fork", post_fork)
            self.cfg.set("when_ready", _ready_line)

        def load(self):
            return app

    try:
        _Application().run()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
