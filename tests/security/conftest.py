"""Fixtures of the attack suite: a real ``kg serve`` per module, a canary HTTP server, a secret
file, and a client that speaks raw HTTP/1.1 to 127.0.0.1 (no proxy, no redirects, the path sent
exactly as written, so encoded and double-encoded traversals reach the server untouched).

Every loop in this suite is bounded in count and time, and all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from conftest import ServedEndpoint, start_kg_serve
from kgtest import REPO, Canary

#: Short limits so that every cut-off is seen quickly (request_timeout too).
QUERY_TIMEOUT = 2
VALIDATION_TIMEOUT = 4
COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
TRACEBACK_SIGNS = ("Traceback (most recent call last)", 'File "/', "site-packages")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self):
        return json.loads(self.body)


@dataclass
class Server:
    """A running ``kg serve`` and a small HTTP client for it."""

    served: ServedEndpoint
    build_dir: Path
    host: str = field(init=False)
    port: int = field(init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.served.url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        assert self.host == "127.0.0.1"

    @property
    def url(self) -> str:
        return self.served.url

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict | None = None, timeout: float = 30.0) -> Reply:
        if isinstance(body, str):
            body = body.encode()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            headers = dict(headers or {})
            if body is not None and not any(k.lower() in ("content-length", "transfer-encoding")
                                            for k in headers):
                headers["Content-Length"] = str(len(body))
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders(body)
            response = conn.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                         response.read())
        finally:
            conn.close()

    def get(self, path: str, **headers: str) -> Reply:
        return self.request("GET", path, headers=headers)

    def query(self, text: str, accept: str | None = None, **params: str) -> Reply:
        extra = "".join(f"&{quote(k.replace('_', '-'))}={quote(v)}" for k, v in params.items())
        return self.request("GET", "/sparql?query=" + quote(text) + extra,
                            headers={"Accept": accept} if accept else {})

    def count(self) -> int:
        reply = self.query(COUNT_QUADS)
        assert reply.status == 200, reply.text
        return int(reply.json()["results"]["bindings"][0]["n"]["value"])

    def assert_trivial_query_answers(self) -> None:
        """A trivial query answers normally (on each of the two workers, in turn)."""
        for _ in range(4):
            reply = self.query("ASK { ?s ?p ?o }")
            assert reply.status == 200, reply.text
            assert reply.json()["boolean"] is True

    def alive(self) -> bool:
        return self.served.process.poll() is None

    def pids(self) -> list[int]:
        """The gunicorn parent (the ``kg serve`` process) and its workers."""
        return process_tree(self.served.process.pid)

    def workers(self) -> list[int]:
        return [p for p in self.pids() if p != self.served.process.pid]

    def rss_bytes(self) -> int:
        return sum(rss_of(p) for p in self.pids())

    def log(self) -> str:
        return "".join(self.served.lines)

    def assert_healthy(self) -> None:
        """Still up, no worker crashed, no traceback logged, a trivial query answers."""
        assert self.alive(), "the server died:\n" + self.log()[-3000:]
        log = self.log()
        assert "Traceback" not in log and "unexpected error" not in log, log[-5000:]
        self.assert_trivial_query_answers()


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def rss_of(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def assert_clear_client_error(reply: Reply, *statuses: int, payload: str | None = None) -> None:
    """A 4xx (one of ``statuses`` when given) with a readable message: no traceback, and the
    attacker's ``payload`` never reflected unescaped into HTML."""
    assert 400 <= reply.status < 500, (reply.status, reply.text[:500])
    if statuses:
        assert reply.status in statuses, (reply.status, reply.text[:500])
    assert_no_leak(reply, payload=payload)
    assert reply.body.strip(), "an error needs a message"


def assert_no_leak(reply: Reply, *, payload: str | None = None) -> None:
    text = reply.text
    for sign in TRACEBACK_SIGNS:
        assert sign not in text, f"traceback or source path in a response: {text[:500]}"
    if payload and "html" in reply.content_type:
        assert payload not in text, f"input reflected unescaped into HTML: {text[:500]}"


def start_attacked_server(build_dir: Path, *, workers: int = 2, query_timeout: float =
                          QUERY_TIMEOUT, env: dict | None = None) -> Server:
    """``kg serve`` on the project's own files and an already built ``build_dir``."""
    environment = {"KG_BUILD_DIR": str(build_dir), "KG_QUERY_TIMEOUT": str(query_timeout),
                   "KG_REQUEST_TIMEOUT": str(QUERY_TIMEOUT),
                   "KG_VALIDATION_TIMEOUT": str(VALIDATION_TIMEOUT), **(env or {})}
    served = start_kg_serve(REPO, "--workers", str(workers), env=environment)
    server = Server(served, build_dir)
    served.wait_for("Booting worker")
    return server


def stop_server(server: Server) -> None:
    if server.alive():
        try:
            os.killpg(server.served.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    server.served.stop()


@pytest.fixture(scope="module")
def server(dataset: Path) -> Iterator[Server]:
    """One real server per test module, on the session's build (never the user's build/),
    with query_timeout 2 s, validation_timeout 4 s and two workers."""
    srv = start_attacked_server(dataset.parent)
    try:
        yield srv
    finally:
        stop_server(srv)


# -- a canary: any request the server makes on our behalf lands here -----------------------

@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    c = Canary()
    yield c
    c.close()


SECRET_MARKER = "kg-security-secret-7f3e9c1a"


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory) -> Path:
    """A local file the server must never read into a response."""
    path = tmp_path_factory.mktemp("secret") / "secret.ttl"
    path.write_text(f'<http://example.org/{SECRET_MARKER}> <http://example.org/p> '
                    f'"{SECRET_MARKER}" .\n', encoding="utf-8")
    return path
