"""Remote SPARQL stores for tests/test_publish.py and tests/test_remote.py.

- :func:`start_oxigraph`: Oxigraph's own server (PyPI ``oxigraph``) on a free port of 127.0.0.1,
  ready when it answers ``ASK {}`` (polled, with a deadline); the caller stops it.
- :class:`FakeStore`: a tiny graph store and query endpoint on 127.0.0.1 that records every
  request, can demand HTTP Basic or Digest credentials, fail, or never answer.
- :func:`start_virtuoso`: Debian's Virtuoso 7 (``virtuoso-t``) in a temporary folder with a
  minimal ``virtuoso.ini``, on loopback ports; where it is not installed, the test skips.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def http_request(url: str, method: str = "GET", body: bytes | None = None,
                 headers: dict | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def sparql_json(query_url: str, query: str, **params: str) -> dict:
    """A SELECT or ASK answered by a query endpoint, as SPARQL JSON."""
    body = urlencode({"query": query, **params}).encode()
    status, _, data = http_request(query_url, "POST", body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json"})
    assert status == 200, data
    return json.loads(data)


def graph_counts(query_url: str) -> dict[str, int]:
    data = sparql_json(query_url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                                  "GROUP BY ?g")
    return {b["g"]["value"]: int(b["n"]["value"]) for b in data["results"]["bindings"]}


def _wait_until_answers(url: str, proc: subprocess.Popen, deadline_s: float, log: Path) -> None:
    """Poll ``url`` until it answers 200, the process ends, or the deadline passes."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}:\n"
                               + log.read_text(errors="replace")[-2000:])
        try:
            status, _, _ = http_request(url, timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)  # the polling interval, bounded by the deadline
    raise RuntimeError(f"no answer from {url} within {deadline_s:g} s:\n"
                       + log.read_text(errors="replace")[-2000:])


@dataclass
class ServerProcess:
    process: subprocess.Popen
    base: str  # http://127.0.0.1:PORT
    log: Path
    extra: dict = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


def _started(argv: list[str], port: int, log: Path, query_path: str, deadline_s: float, *,
             cwd: Path | None = None, extra: dict | None = None) -> ServerProcess:
    """The server ``argv`` started (its output in ``log``) once its query endpoint on
    ``port`` (``query_path``) answers ``ASK {}``; stopped if it does not by ``deadline_s``."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    server = ServerProcess(proc, f"http://{HOST}:{port}", log, extra or {})
    try:
        _wait_until_answers(f"{server.base}{query_path}?query=ASK%7B%7D", proc, deadline_s, log)
    except BaseException:
        server.stop()
        raise
    return server


def oxigraph_bin() -> str | None:
    exe = Path(sys.executable).parent / "oxigraph"
    return str(exe) if exe.exists() else shutil.which("oxigraph")


def start_oxigraph(folder: Path, *, union: bool = True, in_memory: bool = False,
                   timeout_s: int | None = None) -> ServerProcess:
    """``oxigraph serve`` on a free loopback port, data in ``folder/data`` (or in memory)."""
    exe = oxigraph_bin()
    if exe is None:
        raise RuntimeError("the oxigraph server is not installed (pip install oxigraph)")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [exe, "serve", "--bind", f"{HOST}:{port}"]
    if not in_memory:
        argv += ["--location", str(folder / "data")]
    if union:
        argv.append("--union-default-graph")
    if timeout_s:
        argv += ["--timeout-s", str(timeout_s)]
    return _started(argv, port, folder / "oxigraph.log", "/query", 30)


# -- a fake store that records requests ------------------------------------------------------

@dataclass
class FakeStore:
    """A graph store (``PUT /store?graph=``) and query endpoint (``POST /query``, answering
    every query with the triple count of each graph it holds) on 127.0.0.1.

    ``auth``: None, ``"basic"`` or ``"digest"`` (user ``kg``, password ``s3cret``);
    ``fail``: answer every PUT with this status and a message; ``hang``: never answer a query
    whose request body holds these bytes, until :meth:`close`; ``unread_on_401``: answer a
    request it does not authorise with 401 and close the connection without reading its body,
    as Virtuoso does. ``HEAD`` is answered 200 once authorised.
    """

    auth: str | None = None
    fail: int | None = None
    hang: bytes | None = None
    unread_on_401: bool = False
    user: str = "kg"
    password: str = "s3cret"
    requests: list[dict] = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)
    _release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        store = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _answer(self, status: int, body: bytes = b"", ctype: str = "text/plain",
                        headers: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _authorised(self) -> bool:
                header = self.headers.get("Authorization", "")
                if store.auth is None:
                    return True
                if store.auth == "basic":
                    token = base64.b64encode(f"{store.user}:{store.password}".encode()).decode()
                    if header == f"Basic {token}":
                        return True
                    self._answer(401, b"authentication required", headers={
                        "WWW-Authenticate": 'Basic realm="kg-test"'})
                    return False
                if header.startswith("Digest ") and store.digest_ok(self.command, header):
                    return True
                self._answer(401, b"authentication required", headers={
                    "WWW-Authenticate": 'Digest realm="kg-test", nonce="n0nce", qop="auth", '
                                        'algorithm=MD5, opaque="0paque"'})
                return False

            def _record(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                store.requests.append({"method": self.command, "path": self.path,
                                       "headers": dict(self.headers), "body": body})
                return body

            def _refused_unread(self) -> bool:
                """Virtuoso's way: a 401 before the body is read, and the connection closed."""
                if not store.unread_on_401 or store.auth is None:
                    return False
                header = self.headers.get("Authorization", "")
                if header.startswith("Digest ") and store.digest_ok(self.command, header):
                    return False
                store.requests.append({"method": self.command, "path": self.path,
                                       "headers": dict(self.headers), "body": None})
                self.close_connection = True
                self._answer(401, b"authentication required", headers={
                    "Connection": "close",
                    "WWW-Authenticate": 'Digest realm="kg-test", nonce="n0nce", qop="auth", '
                                        'algorithm=MD5, opaque="0paque"'})
                return True

            def do_HEAD(self) -> None:
                if self._refused_unread() or not self._authorised():
                    return
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_PUT(self) -> None:
                if self._refused_unread():
                    return
                body = self._record()
                if not self._authorised():
                    return
                if store.fail:
                    self._answer(store.fail, b"the disk is full (test)")
                    return
                graph = parse_qs(urlsplit(self.path).query)["graph"][0]
                store.graphs[graph] = sum(1 for line in body.splitlines() if line.strip())
                self._answer(204)

            def do_POST(self) -> None:
                body = self._record()
                if not self._authorised():
                    return
                if store.hang and store.hang in body:
                    store._release.wait(60)
                    return
                rows = [{"g": {"type": "uri", "value": g},
                         "n": {"type": "literal", "value": str(n),
                               "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}
                        for g, n in store.graphs.items()]
                body = json.dumps({"head": {"vars": ["g", "n"]},
                                   "results": {"bindings": rows}}).encode()
                self._answer(200, body, "application/sparql-results+json")

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.base = f"http://{HOST}:{self._server.server_address[1]}"

    def digest_ok(self, method: str, header: str) -> bool:
        import re

        f = {k: a or b for k, a, b in re.findall(r'(\w+)=(?:"([^"]*)"|([^\s,]*))', header[7:])}
        if f.get("username") != self.user or f.get("nonce") != "n0nce":
            return False

        def h(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = h(f"{self.user}:kg-test:{self.password}")
        ha2 = h(f"{method}:{f.get('uri')}")
        want = h(f"{ha1}:n0nce:{f.get('nc')}:{f.get('cnonce')}:auth:{ha2}")
        return f.get("response") == want and f.get("opaque") == "0paque"

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()


# -- Virtuoso 7 ---------------------------------------------------------------------------------

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{isql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {dir}
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {dir}
MaxClientConnections = 5
ServerThreads = 5
MaxKeepAlives = 5
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
DefaultGraph =
"""


def virtuoso_bin() -> str | None:
    return shutil.which("virtuoso-t")


def start_virtuoso(folder: Path) -> ServerProcess:
    """Virtuoso 7 in ``folder`` on loopback ports (HTTP and its SQL port), in the foreground;
    ``dba`` (password ``dba``, a fresh database's) is given SPARQL_UPDATE rights."""
    exe = virtuoso_bin()
    if exe is None:
        raise RuntimeError("virtuoso-t is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    http_port, isql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, host=HOST, http_port=http_port,
                                       isql_port=isql_port))
    return _started([exe, "+configfile", str(ini), "+foreground"], http_port,
                    folder / "virtuoso-stdout.log", "/sparql", 120, cwd=folder,
                    extra={"isql_port": isql_port})
