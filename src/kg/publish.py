"""``kg publish``: load the built dataset into a remote store, named graph by named graph.

Two protocols, both replacing each graph (so publishing twice leaves the same data):

- **gsp**, the SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT URL?graph=IRI`` per named graph
  with the graph as N-Triples (sent as ``text/turtle``, of which N-Triples is a subset, because
  every store reads Turtle). ``PUT`` replaces the graph in one request.
- **update**, SPARQL 1.1 Update: ``DROP SILENT GRAPH <g>`` then ``INSERT DATA`` in batches of
  ``batch`` triples; every triple with a blank node goes into the first batch, because a blank
  node label only names the same node within one request, as an ``INSERT { … } WHERE {}``
  template (Virtuoso refuses blank nodes in ``INSERT DATA``). Between the first and the last
  batch a reader sees part of the graph.

Only the graphs of the dataset are touched; other graphs of the store are never deleted.
Afterwards the triples of each graph are counted on the store's query endpoint and compared with
the local counts: a difference is an error (exit 1).

Credentials come from the settings ``store_user`` / ``store_password`` (environment
``KG_STORE_USER`` / ``KG_STORE_PASSWORD``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from kg.errors import BuildError, ConfigError, InputError
from kg.remote import RemoteClient, RemoteError, check_url
from kg.store import hashing_reader

__all__ = ["publish", "PublishResult", "PublishMismatch", "PROTOCOLS", "query_url_for"]

PROTOCOLS = ("auto", "gsp", "update")

#: Path endings that name a SPARQL Update endpoint (Oxigraph and Fuseki /update, GraphDB
#: /statements, Virtuoso /sparql and /sparql-auth); anything else is taken for a graph store.
_UPDATE_PATHS = ("/update", "/statements", "/sparql", "/sparql-auth")
#: Where the query endpoint is, from the graph-store or update URL, for the stores we know.
_QUERY_PATHS = (
    ("/rdf-graphs/service", ""),     # GraphDB: /repositories/ID
    ("/statements", ""),             # GraphDB
    ("/sparql-graph-crud-auth", "/sparql"),  # Virtuoso
    ("/sparql-graph-crud", "/sparql"),       # Virtuoso
    ("/sparql-auth", "/sparql"),             # Virtuoso
    ("/store", "/query"),            # Oxigraph
    ("/update", "/query"),           # Oxigraph, Fuseki
    ("/data", "/query"),             # Fuseki
)


class PublishMismatch(BuildError):
    """The store holds another number of triples in a graph than was published (exit 1)."""


@dataclass
class PublishResult:
    url: str
    protocol: str
    query_url: str
    local: dict[str, int]
    remote: dict[str, int] = field(default_factory=dict)
    requests: int = 0

    @property
    def matches(self) -> bool:
        return all(self.remote.get(g) == n for g, n in self.local.items())

    def summary(self) -> str:
        width = max((len(g) for g in self.local), default=5)
        lines = [f"published {len(self.local)} named graphs to {self.url} "
                 f"({self.protocol}, {self.requests} requests); counted on {self.query_url}:",
                 f"  {'graph'.ljust(width)}  {'local':>8}  {'remote':>8}"]
        for g, n in sorted(self.local.items()):
            got = self.remote.get(g)
            mark = "" if got == n else "  <- differs"
            lines.append(f"  {g.ljust(width)}  {n:>8}  {'-' if got is None else got:>8}{mark}")
        total = sum(self.local.values())
        lines.append(f"  {'total'.ljust(width)}  {total:>8}  "
                     f"{sum(self.remote.get(g, 0) for g in self.local):>8}")
        return "\n".join(lines) + "\n"


def protocol_for(url: str) -> str:
    """``update`` for a URL that looks like a SPARQL Update endpoint, else ``gsp``."""
    path = urlsplit(url).path.rstrip("/")
    return "update" if path == "" or path.endswith(_UPDATE_PATHS) else "gsp"


def query_url_for(url: str) -> str:
    """The query endpoint beside a graph-store or update endpoint, for the stores we know
    (Oxigraph, Fuseki, GraphDB, Virtuoso); else the URL itself (QLever answers both)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    for ending, replacement in _QUERY_PATHS:
        if path.endswith(ending):
            path = path[: -len(ending)] + replacement
            break
    return urlunsplit((parts.scheme, parts.netloc, path or "/", "", ""))


def read_graphs(path: Path, *, digest=None) -> dict[str, list[ox.Triple]]:
    """The named graphs of an N-Quads dataset file, their triples deduplicated. ``digest`` (a
    :mod:`hashlib` object), if given, is updated with the bytes parsed, the file read once
    (:func:`kg.store.hashing_reader`)."""
    graphs: dict[str, dict[ox.Triple, None]] = {}
    with ExitStack() as opened:
        if digest is None:
            quads = ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)
        else:
            raw = opened.enter_context(open(path, "rb", buffering=0))
            quads = ox.parse(hashing_reader(raw, digest), format=ox.RdfFormat.N_QUADS)
        try:
            for quad in quads:
                if not isinstance(quad.graph_name, ox.NamedNode):
                    raise InputError("the dataset has triples outside any named graph: only "
                                     "named graphs are published", path=str(path))
                graphs.setdefault(quad.graph_name.value, {})[quad.triple] = None
        except SyntaxError as exc:
            raise InputError(f"the dataset does not parse: {exc}", path=str(path)) from None
    return {g: list(ts) for g, ts in sorted(graphs.items())}


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b""


def _check(reply, client: RemoteClient, what: str) -> None:
    if reply.status >= 300:
        raise client.error(reply.status, reply.body, what)


def _put_graph(client: RemoteClient, graph: str, triples: list[ox.Triple]) -> int:
    reply = client.request("PUT", params=[("graph", graph)], body=_ntriples(triples),
                           headers={"Content-Type": "text/turtle; charset=utf-8"})
    _check(reply, client, f"PUT of graph <{graph}>")
    return 1


def _has_blank(t: ox.Triple) -> bool:
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)


def _update_graph(client: RemoteClient, graph: str, triples: list[ox.Triple],
                  batch: int) -> int:
    blank = [t for t in triples if _has_blank(t)]
    plain = [t for t in triples if not _has_blank(t)]
    first = max(batch - len(blank), 0)
    batches = [blank + plain[:first]] + [plain[i:i + batch]
                                         for i in range(first, len(plain), batch)]
    requests = 0
    for i, part in enumerate(batches):
        ops = [f"DROP SILENT GRAPH <{graph}>"] if i == 0 else []
        if part:
            body = "\n".join(f"{t} ." for t in part)
            if i == 0 and blank:
                # a template, not INSERT DATA: Virtuoso refuses blank nodes in INSERT DATA;
                # in a template they are fresh nodes, shared within its one solution
                ops.append(f"INSERT {{ GRAPH <{graph}> {{\n{body}\n}} }} WHERE {{}}")
            else:
                ops.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")
        if not ops:
            continue
        reply = client.request("POST", body=urlencode({"update": " ;\n".join(ops)}).encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
        _check(reply, client, f"update of graph <{graph}>")
        requests += 1
    return requests


def remote_counts(client: RemoteClient, graphs: list[str]) -> dict[str, int]:
    """Triples per named graph on a query endpoint, for the given graphs."""
    values = " ".join(f"<{g}>" for g in graphs)
    query = (f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
             "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    reply = client.request("POST", body=urlencode({"query": query}).encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json"})
    _check(reply, client, "counting the published triples")
    try:
        rows = ox.parse_query_results(reply.body, format=ox.QueryResultsFormat.JSON)
        return {row["g"].value: int(row["n"].value) for row in rows}
    except (SyntaxError, ValueError, TypeError, AttributeError) as exc:
        raise RemoteError(f"counting the published triples: the store at {client.url} sent an "
                          f"answer that is no SPARQL JSON result ({exc})") from None


def publish(settings: dict, to: str, *, protocol: str = "auto", query_url: str | None = None,
            dataset: str | Path | None = None, batch: int = 10000,
            log: Callable[[str], None] = lambda _: None) -> PublishResult:
    """Publish the built dataset (building it if needed), or ``dataset``, to the store at
    ``to``; then count every graph on the store's query endpoint (``query_url``, default the
    setting ``store_url``, else found from ``to``). Raises :class:`PublishMismatch` when the
    counts differ, :class:`~kg.remote.RemoteError` when the store cannot be reached or refuses.
    """
    if protocol not in PROTOCOLS:
        raise ConfigError(f"protocol must be one of {', '.join(PROTOCOLS)}: {protocol!r}",
                          parameter="protocol")
    if batch < 1:
        raise ConfigError(f"batch must be at least 1: {batch}", parameter="batch")
    for url in (to, query_url or settings.get("store_url")):
        if url:
            check_url(url)  # before anything is built or read
    if protocol == "auto":
        protocol = protocol_for(to)
    if dataset is None:
        from kg.build import read_built

        graphs, _, _ = read_built(settings, lambda path, digest: read_graphs(
            path, digest=digest), log=log)
    else:
        graphs = read_graphs(Path(dataset))
    timeout = float(settings.get("store_timeout") or 300.0)
    credentials = {"user": settings.get("store_user"), "password": settings.get("store_password")}
    client = RemoteClient(to, timeout=timeout, **credentials)
    query_url = query_url or settings.get("store_url") or query_url_for(to)
    result = PublishResult(client.url, protocol, query_url,
                           {g: len(ts) for g, ts in graphs.items()})
    reader = client if query_url == client.url else RemoteClient(query_url, timeout=timeout,
                                                                 **credentials)
    try:
        for graph, triples in graphs.items():
            log(f"publishing <{graph}> ({len(triples)} triples, {protocol})")
            if protocol == "gsp":
                result.requests += _put_graph(client, graph, triples)
            else:
                result.requests += _update_graph(client, graph, triples, batch)
        result.remote = remote_counts(reader, list(graphs))
    finally:
        client.close()
        reader.close()
    if not result.matches:
        raise PublishMismatch("the store does not hold what was published:\n"
                              + result.summary())
    return result
