"""Stopping a query that runs past ``query_timeout``.

Neither pyoxigraph nor rdflib can interrupt a running query from Python (Oxigraph issue #1926).
pyoxigraph does release the GIL while it parses, evaluates, iterates and serialises, so another
thread of the same process keeps running. Hence, in ``kg serve``, each worker process (one query
at a time) has a :class:`Watchdog` thread: when the query it watches passes its deadline, the
watchdog writes a complete ``503`` response onto the client's socket, closes it, and ends the
worker process at once. The response is the endpoint's error, negotiated as a 400's is (plain
text, or ``{"status", "message"}`` for a JSON client; :func:`timeout_response`), and has no
``Retry-After``: the same query would run past the limit again, and cost another worker.
Gunicorn re-forks the worker from its preloaded parent (the store is already in memory; about a
second), so the work really stops and the worker is free again.

Outside a server that owns the socket (the Flask test client, an embedding program), the
:class:`QueryGuard` base cannot stop anything: the endpoint then reports an overrun as a 503
once the query has ended.

A client that goes away while its request runs (a closed tab, a client's own timeout) would
leave the worker busy until the work ends or reaches the limit: nothing is streamed, so no
write fails before the answer is whole. The watchdog also looks, at each tick once the request
has run :data:`ABANDONED_AFTER` seconds, whether the client has closed its side of the
connection (the socket is readable and holds nothing more: the peer's FIN, or a reset); if so
it ends the worker without an answer, as nginx gives up a request whose client closed (its
499). A client that only half-closes its side after sending (``shutdown(SHUT_WR)``, rare in
HTTP) is taken as gone too, as nginx takes it. Before that second nothing is looked at: a
re-fork costs about as much as the work it would save.

The request path only writes three attributes and takes one uncontended lock per query; the
watchdog thread polls a few times a second and does nothing else.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import threading
import time

__all__ = ["QueryGuard", "Watchdog", "timeout_message", "timeout_response", "client_gone",
           "ABANDONED_AFTER"]

log = logging.getLogger("kg.serve")

#: Seconds a request runs before the watchdog looks whether its client is still there: about
#: what re-forking a worker costs, so that ending one saves more than it spends.
ABANDONED_AFTER = 1.0


def client_gone(sock: socket.socket) -> bool:
    """Whether the client has closed its side of ``sock`` (or reset it): the socket is
    readable and a peek reads nothing. Bytes waiting (a pipelined request) are a client still
    there; so is a socket with nothing to read."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except (ValueError, OSError) as exc:  # reset by the peer; ValueError: closed here
        return not isinstance(exc, ValueError)


def timeout_message(timeout: float) -> str:
    return (f"the query ran longer than the time limit of {timeout:g} s (setting query_timeout) "
            "and was stopped; narrow it (a LIMIT, a more selective pattern) and try again\n")


def timeout_response(timeout: float, accept: str | None, path: str = "",
                     page: bytes | None = None) -> bytes:
    """The whole ``503`` the watchdog writes: the endpoint's error of the time limit, in plain
    text or JSON as :func:`kg.endpoint.responses.error_parts` negotiates a 400 (the
    reconciliation service's paths always JSON, as all its errors); for a browser, ``page``,
    the site's error page saying it, made before any query ran (the watchdog's thread has no
    request to render one in) where the server made one. No ``Retry-After``: a
    query past the limit is past it on every try, and each try ends a worker; RFC 9110
    §15.6.4 leaves the header optional, and a short one invites clients (urllib3's
    ``Retry``, proxies) to send the query again."""
    # it imports the state, which imports this
    from kg.endpoint.responses import error_parts, is_reconciliation_path

    if is_reconciliation_path(path):
        accept = "application/json"
    headers, body = error_parts(503, timeout_message(timeout).rstrip("\n"), accept)
    if page is not None and not is_reconciliation_path(path):
        from kg.endpoint.protocol import prefers_html

        if prefers_html(accept):
            headers = [("Content-Type", "text/html; charset=utf-8"),
                       *((name, value) for name, value in headers if name != "Content-Type")]
            body = page
    head = ["HTTP/1.1 503 Service Unavailable"]
    head += [f"{name}: {value}" for name, value in headers]
    head += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(head).encode("latin-1") + body


class QueryGuard:
    """Watches nothing: the in-process default (see the module docstring)."""

    def __init__(self, timeout: float):
        self.timeout = timeout

    def arm(self, environ: dict) -> None:
        pass

    def disarm(self) -> None:
        pass


class Watchdog(QueryGuard):
    """Ends this worker process with a 503 to the client when a query passes its deadline."""

    def __init__(self, timeout: float, *, tick: float = 0.05, exit_code: int = 0,
                 page: bytes | None = None, abandoned_after: float = ABANDONED_AFTER):
        super().__init__(timeout)
        self._abandoned_after = abandoned_after
        self._started = 0.0
        self._page = page  # the site's error page of the time limit, for a browser
        self._tick = min(tick, max(timeout / 10, 0.005))
        self._exit_code = exit_code
        self._lock = threading.Lock()
        self._deadline: float | None = None
        self._socket: socket.socket | None = None
        self._request: tuple[str | None, str] = (None, "")  # Accept and path of the request
        self._thread = threading.Thread(target=self._run, name="kg-watchdog", daemon=True)
        self._thread.start()

    def arm(self, environ: dict) -> None:
        sock = environ.get("gunicorn.socket")
        if sock is None:
            return
        self._socket = sock
        self._request = (environ.get("HTTP_ACCEPT"), environ.get("PATH_INFO", ""))
        self._started = time.monotonic()
        self._deadline = self._started + self.timeout

    def disarm(self) -> None:
        if self._deadline is not None:
            with self._lock:  # waits here (forever) if the watchdog is already firing
                self._deadline = None
                self._socket = None

    def _run(self) -> None:
        while True:
            deadline = self._deadline
            now = time.monotonic()
            if deadline is None or now < deadline:
                sock = self._socket
                if (deadline is not None and sock is not None
                        and now - self._started >= self._abandoned_after and client_gone(sock)):
                    with self._lock:
                        if self._deadline == deadline and self._socket is sock:
                            self._abandon(now - self._started)
                time.sleep(self._tick if deadline is None else min(self._tick, deadline - now))
                continue
            with self._lock:
                if self._deadline != deadline or self._socket is None:
                    continue
                self._fire(self._socket)

    def _abandon(self, ran: float) -> None:
        """End the worker whose client has gone: no one reads the answer (nothing is sent)."""
        log.warning("the client closed the connection while its request ran (%.1fs, %s): "
                    "worker %d exits to stop it", ran, self._request[1] or "?", os.getpid())
        self._exit()

    def _exit(self) -> None:
        for handler in logging.getLogger().handlers + log.handlers:
            handler.flush()
        os._exit(self._exit_code)

    def _fire(self, sock: socket.socket) -> None:
        response = timeout_response(self.timeout, *self._request, page=self._page)
        try:
            sock.settimeout(2.0)
            sock.sendall(response)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the client is gone: the worker must stop all the same
        log.warning("query passed query_timeout=%gs: answered 503, worker %d exits to stop it",
                    self.timeout, os.getpid())
        self._exit()
