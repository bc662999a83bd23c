"""``kg serve``: a real gunicorn process on 127.0.0.1 (a free port), started and stopped here."""

from __future__ import annotations

import gzip
import http.client
import json
import signal
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from conftest import TINY_DATASET
from kg.serve import gunicorn_options
from kg.settings import resolve


def _get(url: str, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _query(url: str, text: str, **headers: str) -> tuple[int, dict, bytes]:
    return _get(url, "/sparql?query=" + quote(text), headers)


@pytest.fixture(scope="module")
def cartesian_dataset(tmp_path_factory) -> Path:
    """300 triples: a four-way cartesian product over them never ends in practice."""
    path = tmp_path_factory.mktemp("data") / "cartesian.nq"
    with path.open("w") as out:
        for i in range(300):
            out.write(f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" "
                      "<http://example.org/g> .\n")
    return path


def test_gunicorn_options_follow_the_settings():
    options = gunicorn_options(resolve(overrides={"host": "::1", "port": 9000, "workers": 3,
                                                  "query_timeout": 2.5}, environ={}))
    assert options["bind"] == ["[::1]:9000"]
    assert options["workers"] == 3
    assert options["preload_app"] is True
    assert options["worker_class"] == "kg.serve.OneQueryThreadWorker"
    assert options["threads"] == 1
    assert options["timeout"] > 2.5  # gunicorn's own timeout is only a backstop
    assert options["accesslog"] == "-"


def test_serve_help_gives_each_option_its_default_and_variable(capsys):
    from kg.cli import main
    from kg.settings import SETTINGS

    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--help"])
    assert exit_.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for setting in SETTINGS:
        if setting.name in ("host", "port", "workers", "query_timeout"):
            default = f"{setting.default:g}" if isinstance(setting.default, float) \
                else str(setting.default)
            assert f"{setting.help} Default {default}; KG_{setting.name.upper()}." in out


def test_the_shapes_are_prepared_before_the_fork(monkeypatch):
    """``kg serve`` makes the shapes' views and RDF in the parent, so that no worker makes
    them on its first request (``/shapes/`` took a second or more on
    a cold worker). Gunicorn is not started here: only the order is checked."""
    import threading

    from gunicorn.app.base import BaseApplication

    import kg.serve
    from kg.endpoint import shapes
    from kg.serve import serve
    from kgtest import REPO

    order = []
    prepare = shapes.prepare
    monkeypatch.setattr(shapes, "prepare", lambda: order.append("shapes") or prepare())
    monkeypatch.setattr(kg.serve, "_before_fork", lambda: order.append("fork"))
    monkeypatch.setattr(BaseApplication, "run", lambda self: order.append("run"))
    stack = threading.stack_size()
    try:
        settings = resolve(overrides={"root": REPO, "port": 0, "workers": 1}, environ={})
        assert serve(settings, dataset=TINY_DATASET) == 0
    finally:
        threading.stack_size(stack)
    assert order == ["shapes", "fork", "run"]


def test_serves_a_dataset_file_and_logs_requests(serve_kg):
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    assert served.url.startswith("http://127.0.0.1:")
    status, headers, body = _query(served.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert status == 200
    assert headers["Content-Type"] == "application/sparql-results+json"
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "23"
    status, headers, body = _get(served.url, "/sparql")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    served.wait_for('"GET /sparql?query=SELECT')  # the request log, one line per request
    assert "OneQueryThreadWorker" in served.wait_for("Using worker")
    # this root (the test's folder) has no node_modules: the log says why / is the plain form
    assert "serves the plain query form" in served.wait_for("browser UI's assets")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_on_a_signal(serve_kg, sig):
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    assert _query(served.url, "ASK {}")[0] == 200
    assert served.stop(sig) == 0
    served.wait_for("Shutting down")


def test_a_query_past_the_time_limit_gets_503_and_the_worker_is_free_again(
        serve_kg, cartesian_dataset):
    served = serve_kg("--dataset", str(cartesian_dataset), "--workers", "1",
                      "--query-timeout", "1")
    served.wait_for("Booting worker")
    endless = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    status, headers, body = _query(served.url, endless)
    assert status == 503
    assert headers["Content-Type"].startswith("text/plain")
    assert b"time limit of 1 s" in body
    assert "Retry-After" not in headers  # the same query would overrun again
    served.wait_for("answered 503, worker")
    # a JSON client gets the error in JSON, as a 400 is
    status, headers, body = _query(served.url, endless, Accept="application/json")
    assert status == 503 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["status"] == 503 and "Retry-After" not in headers
    # a browser (a shared link to the query) gets the site's error page, as for a 400
    status, headers, body = _query(served.url, endless, Accept="text/html")
    assert status == 503 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<h1 id="error-status">503 Service Unavailable</h1>' in body
    assert b"time limit of 1 s" in body and "Accept" in headers["Vary"]
    # One worker only: this answer comes from the worker re-forked in its place.
    status, _, body = _query(served.url, "ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True
    assert sum("Booting worker" in line for line in served.lines) >= 2


@pytest.mark.parametrize("lane", ["express", "gunicorn"])
def test_a_query_whose_client_closed_the_connection_is_stopped(
        serve_kg, cartesian_dataset, lane):
    """A client that closes its connection while its query runs leaves no one to read the
    answer: the watchdog sees the socket closed (once the query has run a second) and ends
    the worker, as it does past the time limit, without an answer; the work stopped long
    before query_timeout (60 s here, whose 503 never comes), and the worker re-forked in its
    place answers the next query. It ran to the limit."""
    import socket

    served = serve_kg("--dataset", str(cartesian_dataset), "--workers", "1",
                      "--query-timeout", "60")
    served.wait_for("Booting worker")
    endless = quote("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    # the express lane takes a plain GET; a field repeated sends it to gunicorn's lane
    extra = b"" if lane == "express" else b"Accept: */*\r\naccept: */*\r\n"
    parts = urlsplit(served.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    sock.sendall(b"GET /sparql?query=%s HTTP/1.1\r\nHost: h\r\n%s\r\n"
                 % (endless.encode(), extra))
    # closed once the worker has read the request (a request and the close read together
    # are dropped unanswered before they run: the worker's event loop sees the client gone)
    _wait_until_read(parts.port, sock.getsockname()[1])
    sock.close()
    line = served.wait_for("the client closed the connection while its request ran")
    assert "/sparql" in line and "worker" in line and "exits to stop it" in line
    status, _, body = _query(served.url, "ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True
    assert sum("Booting worker" in line for line in served.lines) >= 2
    assert not any("query_timeout" in line for line in served.lines)


def _wait_until_read(server_port: int, client_port: int) -> None:
    """Return once the server's end of the loopback connection from ``client_port`` has
    nothing left to read (its receive queue in /proc/net/tcp is empty): the worker has taken
    the request. Bounded: fails after 30 s."""
    import time

    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = row.split()
            if fields[1] == local and fields[2] == remote and fields[4].endswith(":00000000"):
                return
        time.sleep(0.01)  # polling a condition, not waiting for a time
    raise AssertionError("the server never read the request")


def test_a_client_still_there_is_not_taken_for_gone():
    """:func:`kg.endpoint.watchdog.client_gone` on a real socket pair: a client waiting (its
    side open, nothing sent), one that pipelined its next request (bytes waiting), are there;
    one that closed, or reset, is gone."""
    import socket
    import struct

    from kg.endpoint.watchdog import client_gone

    server, client = socket.socketpair()
    with server, client:
        assert client_gone(server) is False
        client.sendall(b"GET / HTTP/1.1\r\n\r\n")
        assert client_gone(server) is False  # bytes waiting: not read, peeked
        assert server.recv(100) == b"GET / HTTP/1.1\r\n\r\n"
        client.close()
        assert client_gone(server) is True
    listener = socket.create_server(("127.0.0.1", 0))
    with listener:
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
        with server:
            assert client_gone(server) is False
            # a reset (SO_LINGER 0): the peer's RST, read as gone
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
            assert client_gone(server) is True
        assert client_gone(server) is False  # closed here: nothing to say about a client


def test_request_timeout_not_query_timeout_bounds_a_slow_request(serve_kg):
    import socket

    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1",
                      env={"KG_QUERY_TIMEOUT": "60", "KG_REQUEST_TIMEOUT": "1"})
    parts = urlsplit(served.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: h\r\n")  # never ends
        sock.settimeout(20)  # well under query_timeout: the 408 must come from request_timeout
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    status, _, body = _get(served.url, "/limits")
    assert status == 200 and b"request_timeout 1 s" in body and b"query_timeout   60 s" in body


def test_a_request_line_or_fields_over_the_limit_are_readable_from_any_origin(serve_kg):
    """gunicorn refuses these before the app sees them; the answer says why and what to do,
    with the CORS header a browser's script needs to read it. The 408 names its setting."""
    import socket

    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1",
                      env={"KG_REQUEST_TIMEOUT": "1"})
    status, headers, body = _query(served.url, "ASK {}" + " " * 9000,
                                   Origin="http://elsewhere.example")
    assert status == 414 and headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Content-Type"].startswith("text/plain")
    # the Server and Date fields of every other answer (gunicorn's, the express lane's)
    assert headers["Server"] == "gunicorn" and headers["Date"].endswith(" GMT")
    assert b"longer than 8190 bytes: send a long query with POST" in body
    status, headers, body = _get(served.url, "/sparql?query=ASK%7B%7D",
                                 {f"X-Field-{i}": "x" for i in range(101)})
    assert status == 431 and headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Server"] == "gunicorn" and headers["Date"].endswith(" GMT")
    assert b"at most 100 fields" in body
    assert _query(served.url, "ASK {}")[0] == 200  # the worker is still there
    parts = urlsplit(served.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: h\r\n")  # never ends
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 408") and b"(setting request_timeout)" in data
    assert b"\r\nServer: gunicorn\r\nDate: " in data.split(b"\r\n\r\n")[0]


@pytest.mark.parametrize("target", [
    "/sparql?query=ASK%7B?s%20?p%20%22Vi\u1ec7t%22@vi%7D".encode(),  # UTF-8 bytes, not %-encoded
    b"/sparql?query=ASK { ?s ?p ?o }",  # spaces: gunicorn read "?s ?p ?o } HTTP/1.1" as a version
    b"/sparql?query=ASK%7B%7D\x01",
])
def test_a_url_not_percent_encoded_gets_a_plain_400_saying_so(serve_kg, target):
    """curl sends a URL as typed; gunicorn refused these with an HTML page naming an invalid
    request line or HTTP version (the UTF-8 bytes shown as Latin-1), with no CORS header."""
    import socket

    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    parts = urlsplit(served.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: h\r\n\r\n")
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n"), data[:300]
    assert b"\r\nContent-Type: text/plain; charset=utf-8\r\n" in head
    assert b"\r\nAccess-Control-Allow-Origin: *\r\n" in head
    assert body.decode("utf-8").startswith(
        "the request line holds a space, a control character or a character outside ASCII, "
        "which a URL may not: percent-encode the query (a space is %20, \u00e9 is %C3%A9;")
    assert _query(served.url, "ASK {}")[0] == 200  # the worker is still there


def _raw_answer(url: str, raw: bytes) -> bytes:
    """Everything the server sends back on one connection for ``raw`` (until it closes)."""
    import socket

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(raw)
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    return data


def test_another_major_version_of_http_gets_a_plain_505(serve_kg):
    """RFC 9110, 15.6.6: a request line in a version the server does not speak is a 505
    saying so (gunicorn's HTML page said 400, "Invalid HTTP Version: (2, 0)"), whichever lane
    the request would take (the express lane takes HTTP/1.x only); a malformed version is
    still gunicorn's 400."""
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    for line, version in [(b"GET / HTTP/2.0", "HTTP/2.0"), (b"GET /limits HTTP/0.9", "HTTP/0.9"),
                          (b"GET /sparql?query=ASK%7B%7D HTTP/2.0", "HTTP/2.0"),
                          (b"GET /sparql HTTP/3.0", "HTTP/3.0"),
                          (b"PRI * HTTP/2.0", "HTTP/2.0")]:  # HTTP/2's connection preface
        data = _raw_answer(served.url, line + b"\r\nHost: h\r\n\r\n")
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 505 HTTP Version Not Supported\r\n"), data[:300]
        assert b"\r\nContent-Type: text/plain; charset=utf-8\r\n" in head
        assert b"\r\nAccess-Control-Allow-Origin: *\r\n" in head
        assert b"\r\nConnection: close\r\n" in head
        assert body.decode() == (f"the request line is in {version}; this server speaks "
                                 "HTTP/1.1 (and HTTP/1.0): send the request in HTTP/1.1 "
                                 "(curl --http1.1)\n")
    for line in (b"GET /sparql HTTP/1.10", b"GET /sparql HTTP/12.0", b"GET /sparql HTTP/x"):
        data = _raw_answer(served.url, line + b"\r\nHost: h\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n"), data[:300]
        assert b"Invalid HTTP Version" in data and b"percent-encode" not in data
    assert _query(served.url, "ASK {}")[0] == 200  # the worker is still there


def test_a_method_no_resource_implements_is_501_through_gunicorn(serve_kg):
    """A method gunicorn passes on (a token in capitals) and the server does not recognise
    is the app's 501 (RFC 9110, 15.6.2) over a real socket, on a path of the express lane's
    too; one it knows and the path refuses stays a 405 with ``Allow``."""
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    for target in (b"PROPFIND /sparql?query=ASK%7B%7D", b"FOO /place/tay-ninh"):
        data = _raw_answer(served.url, target + b" HTTP/1.1\r\nHost: h\r\n"
                                                b"Connection: close\r\n\r\n")
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 501 Not Implemented\r\n"), data[:300]
        assert b"\r\nAllow:" not in head and b"does not implement" in body, data[:300]
    data = _raw_answer(served.url, b"PUT /sparql HTTP/1.1\r\nHost: h\r\nContent-Length: 0"
                                   b"\r\nConnection: close\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 405 Method Not Allowed\r\n"), data[:300]
    assert b"\r\nAllow: GET, HEAD, POST, QUERY, OPTIONS\r\n" in data


def test_deep_nesting_is_refused_and_the_process_survives(serve_kg):
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    deep = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    parts = urlsplit(served.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.request("POST", "/sparql", body=deep.encode(),
                 headers={"Content-Type": "application/sparql-query"})
    response = conn.getresponse()
    assert response.status == 400
    assert b"max_query_depth" in response.read()
    conn.close()
    assert _query(served.url, "ASK {}")[0] == 200
    assert not any("exited" in line for line in served.lines)


def test_serve_without_dataset_uses_the_build(monkeypatch, tmp_path):
    import kg.build
    from kg.endpoint import _built_store
    from kg.store import DatasetStore

    seen = {}

    def fake_built_store(settings, *, log=lambda _: None):
        seen["build_dir"] = settings["build_dir"]
        return DatasetStore.load(TINY_DATASET)

    monkeypatch.setattr(kg.build, "built_store", fake_built_store)
    settings = resolve(overrides={"root": tmp_path}, environ={})
    assert _built_store(settings).source == str(TINY_DATASET)
    assert seen["build_dir"] == tmp_path / "build"


def test_the_build_is_loaded_leniently_and_a_given_file_is_checked(tmp_path):
    """The build's own output (its inputs unchanged, and build-info.json records the digest
    of the bytes loaded) is parsed without checking its terms again (kg.build.built_store,
    ``lenient``); a file given is checked."""
    import hashlib
    import json

    import kg.build
    from kg.endpoint import create_app
    from kg.errors import ParseError

    built = tmp_path / "build" / "kg.nq"
    built.parent.mkdir()
    built.write_text("<http://e/s> <http://e/p> <http://e/%zz> <http://e/g> .\n")
    (built.parent / kg.build.INFO_NAME).write_text(json.dumps(
        {"input_digest": kg.build.input_digest(tmp_path),
         "dataset_sha256": hashlib.sha256(built.read_bytes()).hexdigest(),
         "graphs": {"http://e/g": 1}}))
    app = create_app({"root": tmp_path})
    assert app.extensions["kg"].store.quad_count == 1
    with pytest.raises(ParseError, match="percent encoding"):
        create_app({"root": tmp_path}, dataset=built)


# ------------------------------------------------------------------------ the express lane

class _Limits:
    limit_request_line = 8190
    limit_request_field_size = 8190
    limit_request_fields = 100


@pytest.mark.parametrize(("raw", "taken"), [
    (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n", True),
    (b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\n\r\n", True),
    (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nX:\r\n\r\n", True),  # empty value
    (b"GET /sparql HTTP/1.1\r\nHost: h\r\n\r\n", False),  # the service description
    (b"GET /sparql/x?query=1 HTTP/1.1\r\n\r\n", False),
    (b"HEAD /sparql?query=1 HTTP/1.1\r\n\r\n", False),
    (b"POST /sparql?query=1 HTTP/1.1\r\nContent-Length: 0\r\n\r\n", False),
    (b"GET /sparql?query=1 HTTP/2.0\r\n\r\n", False),
    (b"GET /sparql?query=1#frag HTTP/1.1\r\n\r\n", False),
    (b"GET /sparql?query=1 HTTP/1.1\r\nContent-Length: 5\r\n\r\n", False),
    (b"GET /sparql?query=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", False),
    (b"GET /sparql?query=1 HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", False),
    (b"GET /sparql?query=1 HTTP/1.1\r\nUpgrade: h2c\r\n\r\n", False),
    (b"GET /sparql?query=1 HTTP/1.1\r\nX-Forwarded-Proto: https\r\n\r\n", False),
    (b"GET /sparql?query=1 HTTP/1.1\r\nAccept: a\r\naccept: b\r\n\r\n", False),  # repeated
    (b"GET /sparql?query=1 HTTP/1.1\r\nX_Y: 1\r\n\r\n", False),  # underscore
    (b"GET /sparql?query=1 HTTP/1.1\r\nX: 1\r\n folded\r\n\r\n", False),  # obs-fold
    (b"GET /sparql?query=1 HTTP/1.1\r\nX : 1\r\n\r\n", False),  # space before colon
    (b"GET /sparql?query=1 HTTP/1.1\r\nX: a\x00b\r\n\r\n", False),  # control character
    (b"GET /sparql?query=1 HTTP/1.1\nX: 1\n\n", False),  # bare LF
    (b"GET /sparql?query=1 HTTP/1.1\r\n\r\nGET /sparql?query=2 HTTP/1.1\r\n\r\n", False),
    (b"GET /sparql?" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n", False),  # request line limit
    (b"GET /sparql?q=1 HTTP/1.1\r\n" + b"".join(b"X%d: 1\r\n" % i for i in range(101))
     + b"\r\n", False),  # too many fields
])
def test_express_lane_takes_only_plain_whole_gets(raw, taken):
    from kg.serve import _express_request

    request = _express_request(bytearray(raw), _Limits())
    assert (request is not None) is taken
    if taken:
        assert request.target.startswith("/sparql?query=")


@pytest.mark.parametrize(("version", "connection", "keep"), [
    ("HTTP/1.1", None, True), ("HTTP/1.1", "close", False), ("HTTP/1.1", "Keep-Alive, Close", False),
    ("HTTP/1.0", None, False), ("HTTP/1.0", "keep-alive", True)])
def test_express_lane_keep_alive_rules(version, connection, keep):
    from kg.serve import _express_request

    field = f"Connection: {connection}\r\n" if connection else ""
    raw = f"GET /sparql?query=1 {version}\r\n{field}\r\n".encode()
    assert _express_request(bytearray(raw), _Limits()).keep_alive is keep


def _raw_exchange(url: str, requests: list[bytes]) -> list[bytes]:
    """Send each request on one connection, read each whole response (Content-Length)."""
    import socket

    parts = urlsplit(url)
    answers = []
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        stream = sock.makefile("rb")
        for raw in requests:
            sock.sendall(raw)
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = stream.readline()
                assert line, "connection closed before a response"
                head += line
            length = 0 if head.startswith(b"HTTP/1.1 304") else int(next(
                v for k, _, v in (h.partition(b":") for h in head.split(b"\r\n"))
                if k.lower() == b"content-length"))
            answers.append(head + stream.read(length))
        answers.append(stream.read())  # b"" once the server closes the connection
    return answers


def _split(response: bytes) -> tuple[bytes, dict[bytes, bytes], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    status, *fields = head.split(b"\r\n")
    return status, {k.lower(): v.strip() for k, _, v in (f.partition(b":") for f in fields)}, body


def test_both_lanes_give_the_page_for_a_percent_encoded_html_format(serve_kg):
    """``format=ht%6Dl`` names HTML (the fast path answered it 406, as it looked for "html"
    as written); a query that only mentions html keeps to its format."""
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    target = "/sparql?query=" + quote("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1") + "&format=ht%6Dl"
    other = "/sparql?query=" + quote('ASK { ?s ?p "html" }') + "&format=json"
    express = f"GET {target} HTTP/1.1\r\nHost: h\r\n\r\n".encode()
    plain = f"GET {target} HTTP/1.1\r\nHost: h\r\nTE: gzip\r\n\r\n".encode()
    mention = f"GET {other} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n".encode()
    fast, slow, json_answer, _ = _raw_exchange(served.url, [express, plain, mention])
    (s1, h1, b1), (s2, h2, b2) = _split(fast), _split(slow)
    assert b"connection" not in h1 and h2[b"connection"] == b"keep-alive"  # both lanes ran
    assert s1 == s2 == b"HTTP/1.1 200 OK"
    assert h1[b"content-type"] == h2[b"content-type"] == b"text/html; charset=utf-8"
    assert b"<form" in b1 and b"<form" in b2
    s3, h3, _ = _split(json_answer)
    assert s3 == b"HTTP/1.1 200 OK"
    assert h3[b"content-type"].startswith(b"application/sparql-results+json")


def test_express_and_gunicorn_lanes_answer_alike(serve_kg):
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    text = "SELECT ?s ?p WHERE { ?s ?p ?o } ORDER BY ?s ?p LIMIT 5"
    target, other = "/sparql?query=" + quote(text), "/sparql?query=" + quote(text + " ")
    express = f"GET {target} HTTP/1.1\r\nHost: h\r\nAccept: text/csv\r\n\r\n".encode()
    # a field the express lane leaves to gunicorn, and which changes nothing else
    plain = f"GET {other} HTTP/1.1\r\nHost: h\r\nAccept: text/csv\r\nTE: gzip\r\n\r\n".encode()
    last = express.replace(b"Host: h\r\n", b"Host: h\r\nConnection: close\r\n")
    fast, slow, closed, rest = _raw_exchange(served.url, [express, plain, last])
    (s1, h1, b1), (s2, h2, b2) = _split(fast), _split(slow)
    assert s1 == s2 == b"HTTP/1.1 200 OK"
    assert b1 == b2 and b1.startswith(b"s,p\r\n") and b1.count(b"\r\n") == 6
    for name in (b"content-type", b"content-length", b"vary", b"access-control-allow-origin"):
        assert h1[name] == h2[name], name
    # one server whichever lane answers (the express lane said "kg", gunicorn "gunicorn")
    assert h1[b"server"] == h2[b"server"] == b"gunicorn"
    # the two lanes really ran: gunicorn says what HTTP/1.1 implies, the express lane not
    assert b"date" in h1 and b"connection" not in h1 and h2[b"connection"] == b"keep-alive"
    assert _split(closed)[1][b"connection"] == b"close" and rest == b""
    # a large body (529 rows, >100 kB: the express lane sends it without joining it to its
    # head), and gzipped alike (gzip without a time stamp gives the same bytes)
    big = "/sparql?query=" + quote("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    big_other = "/sparql?query=" + quote("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ")
    for encoding in (None, b"gzip"):
        asked = b"" if encoding is None else b"Accept-Encoding: " + encoding + b"\r\n"
        fast, slow, _ = _raw_exchange(served.url, [
            f"GET {big} HTTP/1.1\r\nHost: h\r\nAccept: text/csv\r\n".encode() + asked + b"\r\n",
            f"GET {big_other} HTTP/1.1\r\nHost: h\r\nAccept: text/csv\r\n".encode() + asked
            + b"TE: gzip\r\nConnection: close\r\n\r\n"])
        (s1, h1, b1), (s2, h2, b2) = _split(fast), _split(slow)
        assert h1[b"server"] == h2[b"server"] == b"gunicorn"
        assert b"connection" not in h1 and h2[b"connection"] == b"close"  # both lanes ran
        assert s1 == s2 == b"HTTP/1.1 200 OK" and b1 == b2
        assert h1[b"content-length"] == h2[b"content-length"] == str(len(b1)).encode()
        assert h1.get(b"content-encoding") == h2.get(b"content-encoding") == encoding
        table = b1 if encoding is None else gzip.decompress(b1)
        assert len(table) > 100_000 and table.count(b"\r\n") == 530
    # both lanes write the request log line
    served.wait_for(f'"GET {target} HTTP/1.1" 200')
    served.wait_for(f'"GET {other} HTTP/1.1" 200')


def test_both_lanes_answer_a_matching_validator_with_304_and_keep_the_connection(serve_kg):
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    target = "/sparql?query=" + quote("SELECT ?s WHERE { ?s ?p ?o } LIMIT 2")
    first = f"GET {target} HTTP/1.1\r\nHost: h\r\nAccept: text/csv\r\n\r\n".encode()
    (status, fields, body), = [_split(a) for a in _raw_exchange(served.url, [first])[:1]]
    assert status == b"HTTP/1.1 200 OK" and fields[b"etag"].startswith(b'W/"kg-')
    etag = fields[b"etag"]
    express = first.replace(b"\r\n\r\n", b"\r\nIf-None-Match: " + etag + b"\r\n\r\n")
    plain = express.replace(b"Host: h\r\n", b"Host: h\r\nTE: gzip\r\n")  # gunicorn's lane
    last = first.replace(b"Host: h\r\n", b"Host: h\r\nConnection: close\r\n")
    fast, slow, again, rest = _raw_exchange(served.url, [express, plain, last])
    for answer, express in ((fast, True), (slow, False)):
        status, fields, body = _split(answer)
        assert status == b"HTTP/1.1 304 Not Modified" and body == b""
        assert fields[b"etag"] == etag and fields[b"cache-control"] == b"no-cache"
        assert b"content-length" not in fields and b"transfer-encoding" not in fields
        assert fields[b"server"] == b"gunicorn"
        assert (b"connection" not in fields) is express  # both lanes really ran
    # the connection carried on after both: the next request on it is answered in full
    status, fields, body = _split(again)
    assert status == b"HTTP/1.1 200 OK" and body.startswith(b"s\r\n") and rest == b""
    served.wait_for(f'"GET {target} HTTP/1.1" 304')


class _ShortSocket:
    """Takes at most ``first`` bytes on the first sendmsg; records everything sent."""

    def __init__(self, first: int):
        self.first, self.sent = first, b""

    def sendmsg(self, buffers):
        data = b"".join(buffers)[: self.first]
        self.sent += data
        return len(data)

    def sendall(self, data):
        self.sent += bytes(data)


@pytest.mark.parametrize("first", [0, 5, 10, 100, 70_010])
def test_send_writes_head_then_body_whatever_a_write_takes(first):
    from kg.serve import _send

    head, body = b"H" * 10, bytes(range(256)) * 300
    sock = _ShortSocket(first)
    _send(sock, head, body)
    assert sock.sent == head + body


def test_a_later_http_1_minor_version_is_answered_in_http_1_1(serve_kg):
    """RFC 9110, 2.5 (and RFC 9112, 2.3): HTTP/1.7 is processed as HTTP/1.1, and the answer
    says HTTP/1.1, the version the server conforms to; gunicorn wrote "HTTP/1.7 200 OK"."""
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    answers = _raw_exchange(served.url, [
        b"GET /limits HTTP/1.7\r\nHost: h\r\n\r\n",  # kept open, as in HTTP/1.1
        b"GET /sparql?query=ASK%7B%7D HTTP/1.9\r\nHost: h\r\nConnection: close\r\n\r\n"])
    assert [_split(a)[0] for a in answers[:2]] == [b"HTTP/1.1 200 OK"] * 2
    assert answers[2] == b""


def test_express_lane_errors_and_http_1_0(serve_kg):
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    bad = "/sparql?query=" + quote("SELECT WHERE {")
    answers = _raw_exchange(served.url, [f"GET {bad} HTTP/1.0\r\n\r\n".encode()])
    status, fields, body = _split(answers[0])
    assert status == b"HTTP/1.1 400 Bad Request" and b"line 1" in body.lower()
    assert fields[b"connection"] == b"close" and answers[1] == b""  # HTTP/1.0: closed after
    answers = _raw_exchange(served.url, [
        b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nConnection: close\r\n\r\n"])
    assert [_split(a)[0] for a in answers[:2]] == [b"HTTP/1.1 200 OK"] * 2
    assert _split(answers[0])[1][b"connection"] == b"keep-alive"
    # Flask's answers through gunicorn: the same server and the same reason phrases as the
    # express lane's (werkzeug wrote "404 NOT FOUND", "406 NOT ACCEPTABLE")
    answers = _raw_exchange(served.url, [
        b"GET /no-such-page HTTP/1.1\r\nHost: h\r\n\r\n",
        b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: h\r\nAccept: text/csv\r\nTE: gzip\r\n"
        b"\r\n",
        b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: h\r\nAccept: text/csv\r\n"
        b"Connection: close\r\n\r\n"])
    (s1, h1, _), (s2, h2, _), (s3, h3, _) = (_split(a) for a in answers[:3])
    assert s1 == b"HTTP/1.1 404 Not Found" and s2 == s3 == b"HTTP/1.1 406 Not Acceptable"
    assert h1[b"server"] == h2[b"server"] == h3[b"server"] == b"gunicorn"


def test_http_1_0_is_answered_in_http_1_1_by_both_lanes_with_its_own_keep_alive(serve_kg):
    """RFC 9110, 2.5: the status line says the server's version, HTTP/1.1, whichever lane
    answers (gunicorn's said "HTTP/1.0 200 OK", the express lane's HTTP/1.1); an HTTP/1.0
    client's connection is closed after the answer unless it asked to keep it, and the
    answer says which (RFC 9112, 9.3)."""
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    express = b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\n\r\n"
    plain = b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\nTE: gzip\r\n\r\n"  # gunicorn's lane
    for raw in (express, plain, b"GET /limits HTTP/1.0\r\n\r\n"):
        answer, rest = _raw_exchange(served.url, [raw])
        status, fields, body = _split(answer)
        assert status == b"HTTP/1.1 200 OK" and body
        assert fields[b"connection"] == b"close" and rest == b""
    kept = [r.replace(b"\r\n\r\n", b"\r\nConnection: keep-alive\r\n\r\n")
            for r in (express, plain, b"GET /limits HTTP/1.0\r\n\r\n")]
    answers = _raw_exchange(served.url, [*kept, b"GET /limits HTTP/1.0\r\n\r\n"])
    assert [_split(a)[0] for a in answers[:4]] == [b"HTTP/1.1 200 OK"] * 4
    assert [_split(a)[1][b"connection"] for a in answers[:4]] == [b"keep-alive"] * 3 + [b"close"]
    assert answers[4] == b""
    # the access log keeps the request's own version, on both lanes
    served.wait_for('"GET /sparql?query=ASK%7B%7D HTTP/1.0" 200')
    served.wait_for('"GET /limits HTTP/1.0" 200')


@pytest.mark.parametrize(("version", "chunked"), [((1, 0), False), ((1, 1), True)])
def test_gunicorns_response_frames_a_body_by_the_requests_version(version, chunked):
    """Only the status line changes: a body of unknown length is chunked for HTTP/1.1 and
    delimited by closing the connection for HTTP/1.0, which knows no chunks."""
    from gunicorn.config import Config
    from gunicorn.http.wsgi import Response

    from kg.serve import _answered_in_http_1_1

    class Request:
        method, headers, must_close = "GET", [], False

        def should_close(self):
            return self.version <= (1, 0)

    req = Request()
    req.version = version
    response = Response(req, None, Config())
    _answered_in_http_1_1(lambda environ, start: start("200 OK", [("X", "1")]))(
        {}, response.start_response)
    head = response.default_headers()
    assert head[0] == "HTTP/1.1 200 OK\r\n"
    assert response.chunked is chunked and response.should_close() is not chunked
    assert ("Transfer-Encoding: chunked\r\n" in head) is chunked


def test_close_among_the_connection_options_closes_on_both_lanes(serve_kg):
    """RFC 9112, 9.6: a client that lists "close" gets its connection closed after the
    answer, which says so; gunicorn's lane heard "close" only as the field's whole value and
    kept "Connection: TE, close" open (the express lane read the list)."""
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    for raw in (b"GET /limits HTTP/1.1\r\nHost: h\r\nConnection: TE, close\r\nTE: gzip\r\n\r\n",
                b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: h\r\nTE: gzip\r\n"
                b"Connection: keep-alive, Close\r\n\r\n",  # gunicorn's lane
                b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: h\r\n"
                b"Connection: keep-alive, Close\r\n\r\n"):  # the express lane
        answer, rest = _raw_exchange(served.url, [raw])
        status, fields, _ = _split(answer)
        assert status == b"HTTP/1.1 200 OK" and fields[b"connection"] == b"close", raw
        assert rest == b""


def test_keep_alive_among_the_connection_options_keeps_http_1_0_open_on_both_lanes(serve_kg):
    """RFC 9112, 9.3: an HTTP/1.0 connection is kept where the client lists the keep-alive
    option, among others too; gunicorn's lane heard it only as the field's whole value and
    closed "Connection: keep-alive, TE" (the express lane read the list)."""
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    kept = [b"GET /limits HTTP/1.0\r\nConnection: keep-alive, TE\r\nTE: gzip\r\n\r\n",
            b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\nTE: gzip\r\n"
            b"Connection: TE, Keep-Alive\r\n\r\n",  # gunicorn's lane
            b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\nConnection: TE\r\n"
            b"Connection: keep-alive\r\n\r\n",  # two fields: gunicorn's lane
            b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\n"
            b"Connection: keep-alive, TE\r\n\r\n"]  # the express lane
    answers = _raw_exchange(served.url, [*kept, b"GET /limits HTTP/1.0\r\n\r\n"])
    assert [_split(a)[0] for a in answers[:5]] == [b"HTTP/1.1 200 OK"] * 5
    assert [_split(a)[1][b"connection"] for a in answers[:5]] == [b"keep-alive"] * 4 + [b"close"]
    assert answers[5] == b""


def test_a_body_awaited_with_100_continue_is_asked_for_at_once(serve_kg):
    """RFC 9110, 10.1.1: a client that sends ``Expect: 100-continue`` waits for a 100 before
    its body (curl 7.88 a second, for a body over 1 MB; .NET Framework's HttpWebRequest by
    default), and the worker waited for the whole body before gunicorn would send one: the
    client sent it only after its own wait, or never (408). The 100 goes out once the head
    has arrived, once; not to an HTTP/1.0 client, which knows no 1xx (the worker waits for
    its body, which it sends unasked)."""
    import socket

    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    parts = urlsplit(served.url)
    body = b"ASK {}"
    head = (b"POST /sparql HTTP/1.1\r\nHost: h\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % len(body))
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head)
        _await_100(sock)
        sock.sendall(body + b"GET /limits HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    # one 100 (gunicorn's own is not sent again), then the answer; the connection kept
    assert data.startswith(b"HTTP/1.1 200 OK\r\n") and b"100 Continue" not in data
    assert b'"boolean":true' in data and data.count(b"HTTP/1.1 200 OK") == 2
    old = head.replace(b"HTTP/1.1", b"HTTP/1.0") + body
    assert _raw_answer(served.url, old).startswith(b"HTTP/1.1 200 OK\r\n")


TOO_LARGE = b"HTTP/1.1 413 Request Entity Too Large"


def _await_100(sock) -> None:
    """Read the interim answer off ``sock``, byte by byte (what follows is the client's to
    send): it must be one ``100 Continue``."""
    interim = b""
    while not interim.endswith(b"\r\n\r\n"):
        chunk = sock.recv(1)
        assert chunk, "closed before a 100"
        interim += chunk
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"


@pytest.mark.parametrize(("path", "length", "status"), [
    ("/sparql", 5000, TOO_LARGE),  # held by the worker until whole: it sent the 100 at once
    ("/sparql", 5_000_000, TOO_LARGE),  # beyond what the worker holds: gunicorn sent it
    ("/sparql?x=%2F", 5000, TOO_LARGE),
    ("/validate", 5_000_000, TOO_LARGE),  # over max_upload_bytes, /validate's own limit
    ("/limits", 5000, b"HTTP/1.1 405 Method Not Allowed"),  # a route that reads no body
])
def test_a_body_over_the_limit_is_refused_without_a_100(serve_kg, path, length, status):
    """RFC 9110, 10.1.1 and 15.5.14: a ``Content-Length`` over the limit is answered 413 at
    once, with no 100 (Continue) first, which asked for a body only to refuse it; the
    connection then closes, as the body may follow. Both lanes sent a 100 before the 413: the
    worker's, which holds a body until whole, and gunicorn's, given a body larger than that."""
    import socket

    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1",
                      env={"KG_MAX_BODY_BYTES": "1000"})
    parts = urlsplit(served.url)
    head = (b"POST %s HTTP/1.1\r\nHost: h\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % (path.encode(), length))
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head)
        data = b""
        while chunk := sock.recv(4096):  # the server closes: no body is sent
            data += chunk
    assert not data.startswith(b"HTTP/1.1 100"), data[:200]
    answered, fields, _ = _split(data)
    assert answered == status, data[:200]
    assert fields[b"connection"] == b"close"


def test_a_body_within_its_route_limit_is_still_asked_for(serve_kg):
    """/validate takes more than max_body_bytes (max_upload_bytes): its 100 is still sent."""
    import socket

    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1",
                      env={"KG_MAX_BODY_BYTES": "1000"})
    parts = urlsplit(served.url)
    body = b"<urn:a> <urn:b> <urn:c> .\n" + b"#" * 5000 + b"\n"
    head = (b"POST /validate HTTP/1.1\r\nHost: h\r\nContent-Type: text/turtle\r\n"
            b"Connection: close\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n"
            % len(body))
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head)
        _await_100(sock)
        sock.sendall(body)
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert _split(data)[0] != TOO_LARGE, data[:300]
    assert b'"exit_code"' in data


def test_asks_to_keep_alive_reads_every_connection_field_and_option():
    from kg.serve import _asks_to_keep_alive

    assert _asks_to_keep_alive([("HOST", "h"), ("CONNECTION", "TE"), ("CONNECTION", " Keep-Alive ")])
    assert _asks_to_keep_alive([("CONNECTION", "TE,keep-alive")])
    assert not _asks_to_keep_alive([("CONNECTION", "keep-alive2, TE"), ("X", "keep-alive")])


def test_asks_to_close_reads_every_connection_field_and_option():
    from kg.serve import _asks_to_close

    assert _asks_to_close([("HOST", "h"), ("CONNECTION", "TE"), ("CONNECTION", " Close ")])
    assert _asks_to_close([("CONNECTION", "keep-alive,close")])
    assert not _asks_to_close([("CONNECTION", "keep-alive, closed"), ("X", "close")])
