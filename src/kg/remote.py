"""A remote SPARQL store over HTTP: the client ``kg publish`` and ``kg serve --store`` share.

:class:`RemoteClient` speaks HTTP/1.1 to one URL with the standard library (``http.client``):
one keep-alive connection per process and thread (never shared across gunicorn's fork), HTTP
Basic credentials sent with every request when a user is set, HTTP Digest when the server asks
for it (Virtuoso's ``/sparql-auth``; asked with a ``HEAD`` before the first body is sent:
:meth:`RemoteClient._probe`), and every failure turned into a readable
:class:`RemoteError` - connection refused, a timeout, 401/403, or the server's own message for
any other 4xx/5xx - never a traceback.

:class:`RemoteStore` gives a remote SPARQL 1.1 query endpoint the read interface of
:class:`kg.store.DatasetStore` (``named_graphs``, ``quad_count``, ``source``, ``query``,
``select``), so the endpoint's pages, dumps, service description and reconciliation run over it
unchanged, and adds :meth:`RemoteStore.forward`, which the ``/sparql`` route uses to pass the
remote's answer through.

**Default graph.** Like the embedded store, the default graph is the union of the named graphs.
A store that does this itself (Oxigraph ``--union-default-graph``, Virtuoso, GraphDB's
default) is used as it is; for one whose default graph is empty while it holds named graphs
(Oxigraph or Fuseki as they come) the union is asked for with the protocol's
``default-graph-uri`` / ``named-graph-uri``, one per named graph. This is found out once, when
the store is opened.

Where this module sits in the exception tree of :mod:`kg.errors`::

    KGError
    +-- RemoteError          exit 2   HTTP 502   unreachable, refused, or answered an error
    +-- QueryTimeout         exit 2   HTTP 503
        +-- RemoteTimeout    exit 2   HTTP 503   the store did not answer in time
"""

from __future__ import annotations

import base64
import csv
import hashlib
import http.client
import io
import os
import re
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from kg.errors import (  # noqa: F401  (RemoteError, RemoteTimeout: importable from here too)
    ConfigError,
    InputError,
    KGError,
    ParseError,
    QueryTimeout,
    RemoteError,
    RemoteTimeout,
)
from kg.store import COUNT_DISTINCT_TRIPLES, solution_dicts

__all__ = ["RemoteClient", "RemoteStore", "RemoteError", "RemoteTimeout", "open_remote_store",
           "check_url"]


#: How much of the server's error body a message quotes.
_MESSAGE_LIMIT = 600
_CHUNK = 65536
#: A graph name no store holds: padding for an empty side of the protocol's dataset.
NO_GRAPH = "urn:x-kg:no-graph"


@dataclass(slots=True)
class Reply:
    """A response whose body is read in full (small answers, errors)."""

    status: int
    content_type: str  # media type only, lower case
    body: bytes


def _media(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def _message(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    text = re.sub(r"<[^>]{0,200}>", " ", text) if "<html" in text[:500].lower() else text
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT].rstrip() + " ..."


#: What a store that drops a request with a body most often means.
_REFUSED_WRITE = (": a store that does not take writes at this URL, or a body over its size "
                  "limit, may drop the request so")


def _reason(exc: BaseException) -> str:
    """An OSError in words ("connection reset by peer"), without Python's "[Errno 104]"."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def check_url(url: str) -> SplitResult:
    """``url`` split, where it is an http(s) URL a client can be made for; else a
    ConfigError saying why (urlsplit's ValueError for ``http://[::1`` or a port out of
    range was a traceback)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        reason = str(exc)
        raise ConfigError(f"not a valid URL: {url!r} "
                          f"({reason[:1].lower() + reason[1:]})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"not an http(s) URL: {url!r}")
    if parts.username or parts.password:
        raise ConfigError("put credentials in KG_STORE_USER / KG_STORE_PASSWORD, not in "
                          "the URL")
    return parts


class RemoteClient:
    """HTTP requests to one URL (query endpoint, update endpoint or graph store)."""

    def __init__(self, url: str, *, user: str | None = None, password: str | None = None,
                 timeout: float = 60.0):
        parts = check_url(url)
        self.url = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._path = parts.path or "/"
        self._query = parts.query
        self.timeout = timeout
        self._user = user or None
        self._password = password or ""
        self._basic = None
        if self._user:
            token = base64.b64encode(f"{self._user}:{self._password}".encode()).decode()
            self._basic = f"Basic {token}"
        self._digest: dict[str, str] | None = None  # the server's last Digest challenge
        self._nc = 0
        self._probed = False  # asked how the server authenticates (:meth:`_probe`)
        self._local = threading.local()

    # -- connections -------------------------------------------------------------------------
    def _connection(self, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        """This process's and thread's connection, and whether it was used before."""
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            return conn, True
        if conn is not None:
            conn.close()  # inherited through a fork: the parent's socket stays open there
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = cls(self._host, self._port, timeout=timeout)
        local.conn, local.pid = conn, os.getpid()
        return conn, False

    def drop(self) -> None:
        """Close this thread's connection (after a body that was not read to its end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    close = drop

    def target(self, params: Iterable[tuple[str, str]] = ()) -> str:
        query = "&".join(q for q in (self._query, urlencode(list(params))) if q)
        return self._path + ("?" + query if query else "")

    # -- requests ----------------------------------------------------------------------------
    def open(self, method: str, *, params: Iterable[tuple[str, str]] = (),
             body: bytes | None = None, headers: dict[str, str] | None = None,
             timeout: float | None = None) -> http.client.HTTPResponse:
        """Send a request and return the response with its body unread (the caller reads it to
        the end, or calls :meth:`drop`). Raises :class:`RemoteError` / :class:`RemoteTimeout`
        when no response comes; an error status is the caller's to check."""
        timeout = self.timeout if timeout is None else timeout
        if body and self._user and self._digest is None and not self._probed:
            self._probe(params, timeout)
        target = self.target(params)
        headers = dict(headers or {})
        send_auth = True
        for attempt in range(3):
            headers.pop("Authorization", None)
            auth = self._authorization(method, target) if send_auth else None
            if auth:
                headers["Authorization"] = auth
            response = self._send(method, target, body, headers, timeout)
            if response.status == 401 and attempt < 2 and self._user:
                challenge = response.getheader("WWW-Authenticate") or ""
                body401 = response.read()
                if response.will_close:
                    self.drop()
                if challenge.lower().startswith("digest") and self._take_challenge(challenge):
                    send_auth = True
                    continue
                if not challenge and send_auth and self._digest is None:
                    # Basic refused without a challenge (Virtuoso): ask without credentials
                    send_auth = False
                    continue
                return _Replayed(response, body401)
            return response
        raise AssertionError("unreachable")

    def _probe(self, params: Iterable[tuple[str, str]], timeout: float) -> None:
        """Before the first request with a body, when credentials are set: a ``HEAD`` of the
        same URL, whose 401s (Basic refused, then a Digest challenge) :meth:`open` answers
        as it answers any, so that the body goes out once, with credentials the server
        takes. Virtuoso answers an unauthenticated ``PUT`` with 401 without reading its
        body and closes the connection: a body larger than the socket's buffers broke off
        (a broken pipe), and ``kg publish`` of a graph of ~0.6 MB failed now and then. What
        the ``HEAD`` itself answers (200, 404, 405…) does not matter, nor does it failing."""
        self._probed = True
        try:
            response = self.open("HEAD", params=params, timeout=timeout)
            response.read()
            if response.will_close:
                self.drop()
        except (RemoteError, RemoteTimeout, OSError, http.client.HTTPException):
            self.drop()

    def request(self, method: str, **kwargs) -> Reply:
        """:meth:`open`, with the body read in full."""
        response = self.open(method, **kwargs)
        try:
            body = response.read()
        except TimeoutError:
            self.drop()
            raise RemoteTimeout(f"the store at {self.url} did not answer within "
                                f"{kwargs.get('timeout') or self.timeout:g} s") from None
        except OSError as exc:
            self.drop()
            raise RemoteError(f"the store at {self.url} broke off its answer: "
                              f"{_reason(exc)}") from None
        if response.will_close:
            self.drop()
        return Reply(response.status, _media(response.getheader("Content-Type")), body)

    def _send(self, method: str, target: str, body: bytes | None, headers: dict[str, str],
              timeout: float) -> http.client.HTTPResponse:
        for attempt in (1, 2):
            conn, reused = self._connection(timeout)
            try:
                conn.request(method, target, body=body, headers=headers)
                return conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest, http.client.ResponseNotReady) as exc:
                # A kept-alive connection the server closed while idle: open a new one, once.
                self.drop()
                if reused and attempt == 1:
                    continue
                raise RemoteError(f"the store at {self.url} closed the connection before "
                                  f"answering ({_reason(exc)}){_REFUSED_WRITE if body else ''}"
                                  ) from None
            except ConnectionRefusedError:
                self.drop()
                raise RemoteError(f"cannot connect to the store at {self.url}: connection "
                                  "refused (is it running?)") from None
            except TimeoutError:
                self.drop()
                raise RemoteTimeout(f"the store at {self.url} did not answer within "
                                    f"{timeout:g} s") from None
            except OSError as exc:
                self.drop()
                raise RemoteError(f"cannot reach the store at {self.url}: "
                                  f"{_reason(exc)}") from None
        raise AssertionError("unreachable")

    # -- authentication ----------------------------------------------------------------------
    def _authorization(self, method: str, target: str) -> str | None:
        if not self._user:
            return None
        if self._digest is None:
            return self._basic
        c = self._digest
        algorithm = c.get("algorithm", "MD5").upper()
        digest = hashlib.sha256 if algorithm.startswith("SHA-256") else hashlib.md5

        def h(text: str) -> str:
            return digest(text.encode()).hexdigest()

        self._nc += 1
        nc, cnonce = f"{self._nc:08x}", secrets.token_hex(8)
        ha1 = h(f"{self._user}:{c.get('realm', '')}:{self._password}")
        ha2 = h(f"{method}:{target}")
        qop = "auth" if "auth" in [q.strip() for q in c.get("qop", "").split(",")] else ""
        if qop:
            response = h(f"{ha1}:{c['nonce']}:{nc}:{cnonce}:{qop}:{ha2}")
        else:
            response = h(f"{ha1}:{c['nonce']}:{ha2}")
        fields = [f'username="{self._user}"', f'realm="{c.get("realm", "")}"',
                  f'nonce="{c["nonce"]}"', f'uri="{target}"', f'response="{response}"',
                  f"algorithm={algorithm}"]
        if qop:
            fields += [f"qop={qop}", f"nc={nc}", f'cnonce="{cnonce}"']
        if "opaque" in c:
            fields.append(f'opaque="{c["opaque"]}"')
        return "Digest " + ", ".join(fields)

    def _take_challenge(self, header: str) -> bool:
        fields = dict((k.lower(), v1 or v2) for k, v1, v2 in re.findall(
            r'(\w+)=(?:"([^"]*)"|([^\s,]*))', header[len("digest"):]))
        if "nonce" not in fields or fields == self._digest:
            return False  # no challenge, or the same one again: the credentials are wrong
        self._digest, self._nc = fields, 0
        return True

    # -- errors ------------------------------------------------------------------------------
    def error(self, status: int, body: bytes, what: str) -> KGError:
        """A readable error for an HTTP error status, quoting the server's message."""
        said = _message(body)
        said = f": {said}" if said else ""
        if status in (401, 403):
            who = (f"as user {self._user!r}" if self._user
                   else "without credentials (set KG_STORE_USER and KG_STORE_PASSWORD)")
            verb = "refused our credentials" if status == 401 else "forbade"
            return RemoteError(f"{what}: the store at {self.url} {verb} (HTTP {status}) "
                               f"{who}{said}")
        return RemoteError(f"{what}: the store at {self.url} answered HTTP {status}{said}")


class _Replayed:
    """A 401 whose body was already read, handed back as a response."""

    def __init__(self, response: http.client.HTTPResponse, body: bytes):
        self.status = response.status
        self.will_close = response.will_close
        self._headers = response
        self._body = body

    def getheader(self, name: str, default=None):
        return self._headers.getheader(name, default)

    def read(self, amt: int | None = None) -> bytes:
        body, self._body = self._body, b""
        return body

    read1 = read


# -- the read interface of DatasetStore over a SPARQL query endpoint ------------------------------

_ACCEPT_ANY = ("application/sparql-results+json, application/n-triples;q=0.9, "
               "text/turtle;q=0.5")
_RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
#: The canonical media type to ask the remote for, per writer of kg.endpoint.results.
_MEDIA_OF_WRITER = {
    ox.QueryResultsFormat.JSON: "application/sparql-results+json",
    ox.QueryResultsFormat.XML: "application/sparql-results+xml",
    ox.QueryResultsFormat.CSV: "text/csv",
    ox.QueryResultsFormat.TSV: "text/tab-separated-values",
}
#: A probe answer whose rows hold what could fool a row counter: a comma, a quote and a
#: newline inside a literal, an unbound value, an IRI (one holding a comma, which CSV must
#: quote: Oxigraph's writer does not).
_PROBE = ('SELECT ?x ?y WHERE { VALUES (?x ?y) { (1 "a,\\"b\\"\\n<result>[{") '
          '(2 UNDEF) (3 <urn:x-kg:probe,comma>) } }')


def _boolean_if_ask(result):
    """Virtuoso 7 answers ASK as a SELECT of one variable ``__ASK_RETVAL``: one row for
    true, none for false. Anything else is returned as it is."""
    if (isinstance(result, ox.QuerySolutions)
            and [v.value for v in result.variables] == ["__ASK_RETVAL"]):
        rows = list(result)
        value = rows[0][0] if rows else None
        truth = value is not None and value.value not in ("0", "false")
        return ox.parse_query_results(
            f'{{"head":{{}},"boolean":{"true" if truth else "false"}}}'.encode(),
            format=ox.QueryResultsFormat.JSON)
    return result


def _parsed(reply: Reply, what: str, url: str):
    """A query reply as pyoxigraph results: QuerySolutions, QueryBoolean or a list of triples."""
    results = _RESULTS_FORMATS.get(reply.content_type)
    try:
        if results is not None:
            return _boolean_if_ask(ox.parse_query_results(reply.body, format=results))
        graph = _GRAPH_FORMATS.get(reply.content_type)
        if graph is not None:
            return [q.triple for q in ox.parse(reply.body, format=graph)]
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(f"{what}: the store at {url} sent a {reply.content_type} answer that "
                          f"does not parse: {exc}") from None
    raise RemoteError(f"{what}: the store at {url} answered in {reply.content_type or 'no type'}"
                      ", which is no SPARQL result format")


class RemoteStore:
    """A remote SPARQL 1.1 query endpoint with the read interface of
    :class:`~kg.store.DatasetStore`.

    ``union_default_graph``: None finds out whether the store's default graph already is the
    union of its named graphs (else the union is asked for by the protocol); True or False
    says so.
    """

    def __init__(self, url: str, *, user: str | None = None, password: str | None = None,
                 timeout: float = 10.0, union_default_graph: bool | None = None):
        self.client = RemoteClient(url, user=user, password=password, timeout=timeout)
        self.source = self.client.url
        self.timeout = timeout
        self.server_union = True  # until found out below: these first queries use GRAPH only
        self.honours_from = True
        self._verbatim: frozenset | None = None
        try:
            counts = self._graph_counts()
            if union_default_graph is None:
                union_default_graph = bool(self.select("ASK { ?s ?p ?o }")) or not counts
            if counts and union_default_graph:
                # Oxigraph's --union-default-graph also overrides a query's FROM
                self.honours_from = not self.select(
                    f"ASK FROM <{NO_GRAPH}> WHERE {{ ?s ?p ?o }}")
        except BaseException:
            self.client.close()
            raise
        self.graph_counts = counts
        self.named_graphs: tuple[str, ...] = tuple(sorted(counts))
        self.quad_count = sum(counts.values())
        self._triple_count: int | None = None
        #: True: the store's own default graph is the union; False: asked for per query.
        self.server_union = union_default_graph
        self.union_default_graph = True

    def __len__(self) -> int:
        return self.quad_count

    @property
    def triple_count(self) -> int:
        """Triples in the union of the graphs, each once (asked the first time it is needed:
        some stores, Oxigraph up to 0.5.13 among them, count a triple once per graph)."""
        if self._triple_count is None:
            rows = self.select(COUNT_DISTINCT_TRIPLES)
            self._triple_count = int(rows[0]["n"].value) if rows and "n" in rows[0] else 0
        return self._triple_count

    def close(self) -> None:
        """Close this thread's connection to the store."""
        self.client.close()

    def __repr__(self) -> str:
        return f"RemoteStore({self.source!r})"

    def _graph_counts(self) -> dict[str, int]:
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                           "GROUP BY ?g")
        return {r["g"].value: int(r["n"].value) for r in rows
                if isinstance(r.get("g"), ox.NamedNode)}

    # -- the dataset a query runs over --------------------------------------------------------
    def _dataset(self, text: str, default_graph: Sequence[str] | None,
                 named_graphs: Sequence[str] | None,
                 has_dataset_clause: bool) -> list[tuple[str, str]]:
        if default_graph is not None or named_graphs is not None:
            # The protocol's own dataset, each graph once (a store may match a graph listed
            # twice twice, as pyoxigraph does); the side not given is empty, as in
            # DatasetStore.
            default = list(dict.fromkeys(default_graph or ())) or [NO_GRAPH]
            named = list(dict.fromkeys(named_graphs or ())) or [NO_GRAPH]
        elif has_dataset_clause:
            from kg.endpoint.query_text import dataset_clauses, has_from

            if has_from(text):
                written = dataset_clauses(text)
                default, named = (list(dict.fromkeys(graphs)) for graphs in written)
                if self.honours_from and (default, named) == written:
                    return []  # the query's FROM / FROM NAMED, each graph named once
                # The same dataset, each graph once, by the protocol (which the store does
                # honour, and which takes the place of the query's own clauses).
                default, named = default or [NO_GRAPH], named or [NO_GRAPH]
                return ([("default-graph-uri", g) for g in default]
                        + [("named-graph-uri", g) for g in named])
            # Plain SPARQL semantics (the store's own default graph, which publish leaves
            # empty), for internal queries that tell the graphs apart with GRAPH.
            default, named = [NO_GRAPH], list(self.named_graphs) or [NO_GRAPH]
        elif self.server_union:
            return []
        else:
            default = named = list(self.named_graphs) or [NO_GRAPH]
        return ([("default-graph-uri", g) for g in default]
                + [("named-graph-uri", g) for g in named])

    def _post(self, text: str, dataset: list[tuple[str, str]], accept: str,
              timeout: float | None = None) -> http.client.HTTPResponse:
        body = urlencode([("query", text), *dataset]).encode()
        return self.client.open("POST", body=body, timeout=timeout, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})

    def _reply(self, response: http.client.HTTPResponse, what: str,
               deadline: float | None = None, query: str | None = None) -> Reply:
        body = _read_until(self.client, response, deadline, self.timeout)
        if response.will_close:
            self.client.drop()
        reply = Reply(response.status, _media(response.getheader("Content-Type")), body)
        if reply.status >= 400:
            raise self._query_error(reply, what, query)
        return reply

    def _query_error(self, reply: Reply, what: str, query: str | None = None) -> KGError:
        if reply.status == 400:
            from kg.endpoint.query_text import diagnose

            found = diagnose(query) if query else None
            if found is not None:  # said as the embedded store says it
                return ParseError(f"{found[0]} (the store rejected the query)", line=found[1],
                                  column=found[2])
            return ParseError(f"the store rejected the query: {_message(reply.body)}")
        if reply.status in (408, 503, 504) and b"timeout" in reply.body.lower():
            return RemoteTimeout(f"{what}: the store at {self.source} stopped the query: "
                                 f"{_message(reply.body)}")
        return self.client.error(reply.status, reply.body, what)

    # -- the read interface ---------------------------------------------------------------------
    def query(self, text: str, *, default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, has_dataset_clause: bool = False,
              base_iri: str | None = None):
        """Evaluate a query on the remote store; the answer comes parsed, as pyoxigraph's
        ``QuerySolutions`` / ``QueryBoolean``, or a list of ``Triple`` for CONSTRUCT and
        DESCRIBE. ``base_iri`` is not sent (the protocol has no place for it): relative IRIs
        resolve against the remote's own base."""
        del base_iri
        dataset = self._dataset(text, default_graph, named_graphs, has_dataset_clause)
        deadline = time.monotonic() + self.timeout
        reply = self._reply(self._post(text, dataset, _ACCEPT_ANY), "query", deadline, text)
        return _parsed(reply, "query", self.source)

    def select(self, text: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """Run a SELECT (or ASK: then a QueryBoolean) over the whole dataset; rows as dicts."""
        result = self.query(text)
        if isinstance(result, ox.QueryBoolean):
            return result  # type: ignore[return-value]
        return solution_dicts(result)

    # -- the /sparql route: pass the remote's answer through -----------------------------------
    def verbatim_formats(self) -> frozenset:
        """The result formats whose bodies this store writes so that the endpoint's row
        counters cut them exactly (checked once, on a probe answer); the others are parsed
        and written again."""
        if self._verbatim is None:
            from kg.endpoint.results import cut_result_chunks

            ok = set()
            for writer, media in _MEDIA_OF_WRITER.items():
                try:
                    reply = self._reply(self._post(_PROBE, [], media), "probe")
                except KGError:
                    continue
                if reply.content_type != media:
                    continue
                whole, cut_whole = cut_result_chunks([reply.body], writer, 3, "")
                part, cut_part = cut_result_chunks([reply.body], writer, 1, "")
                if not cut_whole and whole == reply.body and cut_part and _rows_in(
                        part, writer) == 1 and _rows_in(whole, writer) == 3:
                    ok.add(writer)
            self._verbatim = frozenset(ok)
        return self._verbatim

    def forward(self, text: str, fmt, kind: str, max_results: int, *,
                default_graph: Sequence[str] | None = None,
                named_graphs: Sequence[str] | None = None, has_dataset_clause: bool = False,
                truncation_link: str = "", timeout: float | None = None) -> tuple[bytes, bool]:
        """The body answering ``text`` in ``fmt`` (a :class:`kg.endpoint.results.ResultFormat`)
        with at most ``max_results`` rows or triples, and whether it was cut.

        SELECT and ASK bodies in a format the store writes in the endpoint's own layout are
        passed through byte for byte, rows counted as they arrive and the read stopped at the
        first row past the limit (then the cut is marked as the embedded store marks it).
        Others are parsed and written again with the endpoint's writers. CONSTRUCT and
        DESCRIBE are fetched as N-Triples (a triple per line, counted without parsing), passed
        through when N-Triples was asked for, else written again with the endpoint's prefixes.
        """
        from kg.endpoint.results import (
            BOOLEAN,
            GRAPH,
            cut_result_chunks,
            serialize,
            write_triples,
        )
        from kg.iris import WRITE_PREFIXES

        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        dataset = self._dataset(text, default_graph, named_graphs, has_dataset_clause)
        if kind == GRAPH:
            response = self._post(text, dataset, "application/n-triples", timeout)
            if response.status >= 400 or _media(response.getheader("Content-Type")) not in (
                    "application/n-triples", "text/plain"):
                result = _parsed(self._reply(response, "query", deadline, text), "query",
                                 self.source)
                return serialize_triples(result, fmt, max_results, WRITE_PREFIXES)
            lines, cut = _read_lines(self.client, response, deadline, timeout, max_results)
            if fmt.writer == ox.RdfFormat.N_TRIPLES:
                return b"".join(lines), cut
            triples = [q.triple for q in ox.parse(b"".join(lines),
                                                   format=ox.RdfFormat.N_TRIPLES)]
            return write_triples(triples, fmt.writer, WRITE_PREFIXES,
                                 json_ld_form=fmt.json_ld_form), cut
        # an ASK answer is small: parsed always (Virtuoso writes it as a SELECT)
        verbatim = kind != BOOLEAN and fmt.writer in self.verbatim_formats()
        # what is parsed and written again is asked for in SPARQL JSON (pyoxigraph reads no CSV)
        media = _MEDIA_OF_WRITER[fmt.writer if verbatim else ox.QueryResultsFormat.JSON]
        response = self._post(text, dataset, media, timeout)
        if (verbatim and response.status < 400
                and _media(response.getheader("Content-Type")) == media):
            chunks = _chunks(self.client, response, deadline, timeout)
            body, cut = cut_result_chunks(chunks, fmt.writer, max_results, truncation_link)
            if cut:
                self.client.drop()  # the rest of the answer is not read
            elif response.will_close:
                self.client.drop()
            return body, cut
        result = _parsed(self._reply(response, "query", deadline, text), "query",
                         self.source)
        return serialize(result, fmt, max_results, truncation_link=truncation_link)


def _rows_in(body: bytes, writer: ox.QueryResultsFormat) -> int:
    """Rows of a results body, parsed (pyoxigraph reads no CSV: the csv module does)."""
    try:
        if writer == ox.QueryResultsFormat.CSV:
            rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
            if any(len(row) != len(rows[0]) for row in rows):
                return -1  # a field that should have been quoted: not SPARQL CSV
            return len(rows) - 1
        return len(list(ox.parse_query_results(body, format=writer)))
    except (SyntaxError, ValueError, csv.Error):
        return -1


def serialize_triples(triples, fmt, max_results: int, prefixes) -> tuple[bytes, bool]:
    if not isinstance(triples, list):
        raise RemoteError("the store answered a CONSTRUCT or DESCRIBE with a SPARQL result")
    cut = len(triples) > max_results
    from kg.endpoint.results import write_triples

    return write_triples(triples[:max_results], fmt.writer, prefixes,
                         json_ld_form=fmt.json_ld_form), cut


def _chunks(client: RemoteClient, response, deadline: float, timeout: float):
    """The response body in chunks, within the deadline."""
    while True:
        if time.monotonic() > deadline:
            client.drop()
            raise RemoteTimeout(f"the store at {client.url} did not answer within {timeout:g} s")
        try:
            chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read()
        except TimeoutError:
            client.drop()
            raise RemoteTimeout(f"the store at {client.url} did not answer within "
                                f"{timeout:g} s") from None
        except (OSError, http.client.HTTPException) as exc:
            client.drop()
            raise RemoteError(f"the store at {client.url} broke off its answer: {exc}") from None
        if not chunk:
            return
        yield chunk


def _read_until(client: RemoteClient, response, deadline: float | None, timeout: float) -> bytes:
    if deadline is None:
        deadline = time.monotonic() + timeout
    return b"".join(_chunks(client, response, deadline, timeout))


def _read_lines(client: RemoteClient, response, deadline: float, timeout: float,
                limit: int) -> tuple[list[bytes], bool]:
    """The first ``limit`` non-blank lines of an N-Triples body, and whether more followed."""
    lines: list[bytes] = []
    rest = b""
    for chunk in _chunks(client, response, deadline, timeout):
        parts = (rest + chunk).split(b"\n")
        rest = parts.pop()
        lines.extend(p + b"\n" for p in parts if p.strip())
        if len(lines) > limit:
            client.drop()
            return lines[:limit], True
    if rest.strip():
        lines.append(rest + b"\n")
    if response.will_close:
        client.drop()
    if len(lines) > limit:
        return lines[:limit], True
    return lines, False


def open_remote_store(settings: dict, url: str | None = None) -> RemoteStore:
    """The remote store of ``url`` (default: setting ``store_url``), with the credentials of
    the settings. Its own queries (statistics, pages, dumps) may take ``store_timeout``; the
    endpoint gives forwarded queries most of ``query_timeout``."""
    url = url or settings.get("store_url")
    if not url:
        raise ConfigError("no remote store: give its SPARQL query endpoint (setting store_url)")
    try:
        return RemoteStore(url, user=settings.get("store_user"),
                           password=settings.get("store_password"),
                           timeout=float(settings.get("store_timeout") or 300.0))
    except InputError as exc:
        raise RemoteError(f"the store at {url} did not answer a plain query: {exc}") from None
