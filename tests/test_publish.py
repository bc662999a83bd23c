"""``kg publish``: the built dataset into a real Oxigraph server (started here on 127.0.0.1,
stopped after), by the Graph Store Protocol and by SPARQL Update; idempotence, replacement,
credentials and readable errors against a fake store that records its requests."""

from __future__ import annotations

import base64
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.cli import main
from kg.publish import PublishMismatch, protocol_for, publish, query_url_for, read_graphs
from kg.remote import RemoteError
from kgtest import settings_for
from remote_stores import (
    FakeStore,
    free_port,
    graph_counts,
    http_request,
    oxigraph_bin,
    start_oxigraph,
)

pytestmark = pytest.mark.skipif(oxigraph_bin() is None,
                                reason="the oxigraph server is not installed (PyPI oxigraph)")

ONTOLOGY = "https://w3id.org/kg1978/graph/ontology"
ARTICLE = "https://w3id.org/kg1978/graph/article-part1"
FOREIGN = "http://example.org/someone-elses-graph"


@pytest.fixture
def oxigraph(tmp_path):
    server = start_oxigraph(tmp_path / "oxigraph")
    yield server
    server.stop()


@pytest.fixture
def settings(dataset: Path) -> dict:
    return settings_for(Path(__file__).resolve().parents[1], dataset.parent)


@pytest.fixture
def fake():
    stores: list[FakeStore] = []

    def make(**options) -> FakeStore:
        stores.append(FakeStore(**options))
        return stores[-1]

    yield make
    for store in stores:
        store.close()


def _local_counts(path: Path) -> dict[str, int]:
    return {g: len(ts) for g, ts in read_graphs(path).items()}


def _remote_graph(base: str, graph: str) -> Graph:
    status, _, body = http_request(f"{base}/store?graph={graph}",
                                   headers={"Accept": "application/n-triples"})
    assert status == 200
    return Graph().parse(data=body.decode(), format="nt")


def _local_graph(path: Path, graph: str) -> Graph:
    triples = read_graphs(path)[graph]
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(),
                         format="nt")


def _changed_copy(dataset: Path, dest: Path) -> Path:
    """The dataset with the article graph cut to its first 100 triples plus one new one."""
    lines = dataset.read_text(encoding="utf-8").splitlines(keepends=True)
    article = [x for x in lines if x.rstrip().endswith(f"<{ARTICLE}> .")]
    others = [x for x in lines if not x.rstrip().endswith(f"<{ARTICLE}> .")]
    new = (f'<https://w3id.org/kg1978/event/test-only> <http://www.w3.org/2000/01/rdf-schema#label>'
           f' "added by a test"@en <{ARTICLE}> .\n')
    dest.write_text("".join(others + article[:100] + [new]), encoding="utf-8")
    return dest


# -- the real store ------------------------------------------------------------------------------

def test_publish_by_graph_store_protocol_counts_match(oxigraph, settings, dataset):
    result = publish(settings, oxigraph.base + "/store")
    assert result.protocol == "gsp"
    assert result.query_url == oxigraph.base + "/query"
    assert result.local == _local_counts(dataset)
    assert result.remote == result.local
    assert graph_counts(oxigraph.base + "/query") == result.local
    assert len(result.local) == 6 and result.requests == 6
    assert "total" in result.summary() and "differs" not in result.summary()


def test_publishing_twice_changes_nothing(oxigraph, settings):
    first = publish(settings, oxigraph.base + "/store")
    again = publish(settings, oxigraph.base + "/store")
    assert again.remote == first.remote == first.local
    assert graph_counts(oxigraph.base + "/query") == first.local


def test_a_changed_dataset_replaces_its_graphs_and_leaves_other_graphs_alone(
        oxigraph, settings, dataset, tmp_path):
    status, _, _ = http_request(f"{oxigraph.base}/store?graph={FOREIGN}", "PUT",
                                b"<http://example.org/a> <http://example.org/b> 1 .\n",
                                {"Content-Type": "text/turtle"})
    assert status in (201, 204)
    publish(settings, oxigraph.base + "/store")
    changed = _changed_copy(dataset, tmp_path / "changed.nq")
    result = publish(settings, oxigraph.base + "/store", dataset=changed)
    remote = graph_counts(oxigraph.base + "/query")
    assert remote[ARTICLE] == 101 == result.local[ARTICLE]  # replaced, not appended
    assert remote[FOREIGN] == 1  # never ours: never touched
    assert {g: n for g, n in remote.items() if g != FOREIGN} == _local_counts(changed)
    assert isomorphic(_remote_graph(oxigraph.base, ARTICLE), _local_graph(changed, ARTICLE))


def test_publish_by_sparql_update_in_batches_keeps_blank_nodes_whole(oxigraph, settings,
                                                                     dataset):
    publish(settings, oxigraph.base + "/store")  # an earlier version, to be replaced
    result = publish(settings, oxigraph.base + "/update", batch=100)
    assert result.protocol == "update"
    assert result.requests > len(result.local)  # the big graphs took several batches
    assert result.remote == result.local == _local_counts(dataset)
    # the ontology's OWL axioms are blank-node structures: they must arrive connected
    assert isomorphic(_remote_graph(oxigraph.base, ONTOLOGY), _local_graph(dataset, ONTOLOGY))


def test_the_command_publishes_and_prints_the_counts(oxigraph, dataset, capsys):
    code = main(["--build-dir", str(dataset.parent), "publish", "--to",
                 oxigraph.base + "/store"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"published 6 named graphs to {oxigraph.base}/store (gsp" in out
    assert f"{ARTICLE}       737       737" in out or ARTICLE in out


# -- what is sent, and errors -------------------------------------------------------------------

def test_credentials_from_the_environment_are_sent(fake, dataset, monkeypatch, capsys):
    store = fake(auth="basic")
    monkeypatch.setenv("KG_STORE_USER", "kg")
    monkeypatch.setenv("KG_STORE_PASSWORD", "s3cret")
    code = main(["--build-dir", str(dataset.parent), "publish", "--to", store.base + "/store"])
    assert code == 0, capsys.readouterr().err
    token = base64.b64encode(b"kg:s3cret").decode()
    puts = [r for r in store.requests if r["method"] == "PUT"]
    assert len(puts) == 6
    assert all(r["headers"]["Authorization"] == f"Basic {token}" for r in store.requests)
    assert all(r["headers"]["Content-Type"].startswith("text/turtle") for r in puts)
    assert {r["path"].split("graph=")[1] for r in puts} >= {
        "https%3A%2F%2Fw3id.org%2Fkg1978%2Fgraph%2Fontology"}
    assert "s3cret" not in capsys.readouterr().out


def test_digest_credentials_when_the_store_asks_for_them(fake, settings):
    store = fake(auth="digest")
    result = publish({**settings, "store_user": "kg", "store_password": "s3cret"},
                     store.base + "/sparql-graph-crud-auth", protocol="gsp",
                     query_url=store.base + "/sparql")
    assert result.remote == result.local
    schemes = [(r["method"], r["headers"]["Authorization"].split()[0]) for r in store.requests]
    # a HEAD first (Basic, then, challenged, Digest) for the graph store and for the query
    # URL: each body goes out once, with Digest
    assert schemes == [("PUT", "Digest")] * 6 + [("POST", "Digest")]


def test_a_store_that_refuses_a_body_unread_gets_it_once_with_its_credentials(fake):
    """Virtuoso answers a PUT it does not authorise with 401 before reading the body, and
    closes the connection: a body larger than the sockets' buffers broke off (a broken
    pipe; `kg publish` of the article's graph, 0.6 MB, now and then). A HEAD of the URL
    learns the challenge first; then the body is sent once, with Digest."""
    from kg.remote import RemoteClient

    store = fake(auth="digest", unread_on_401=True)
    client = RemoteClient(store.base + "/sparql-graph-crud-auth", user="kg", password="s3cret")
    body = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n" * 120_000
    try:
        reply = client.request("PUT", params=[("graph", "http://example.org/g")], body=body)
    finally:
        client.close()
    assert reply.status == 204
    sent = [(r["method"], r["headers"].get("Authorization", "").split(" ")[0], r["body"])
            for r in store.requests]
    # (the HEAD refused: Basic; the HEAD with Digest is answered and not recorded)
    assert [(m, scheme) for m, scheme, _ in sent] == [("HEAD", "Basic"), ("PUT", "Digest")]
    assert sent[-1][2] == body and store.graphs == {"http://example.org/g": 120_000}


def test_missing_credentials_get_a_readable_401(fake, dataset, capsys, monkeypatch):
    monkeypatch.delenv("KG_STORE_USER", raising=False)
    monkeypatch.delenv("KG_STORE_PASSWORD", raising=False)
    store = fake(auth="basic")
    code = main(["--build-dir", str(dataset.parent), "publish", "--to", store.base + "/store"])
    err = capsys.readouterr().err
    assert code == 2
    assert "HTTP 401" in err and "KG_STORE_USER" in err and "authentication required" in err
    assert "Traceback" not in err


def test_wrong_credentials_are_refused_not_retried_forever(fake, settings):
    store = fake(auth="digest")
    with pytest.raises(RemoteError, match="refused our credentials .* as user 'kg'"):
        publish({**settings, "store_user": "kg", "store_password": "wrong"},
                store.base + "/store")
    assert len(store.requests) <= 3


def test_a_server_error_is_reported_with_the_servers_message(fake, settings):
    store = fake(fail=507)
    with pytest.raises(RemoteError, match=r"HTTP 507: the disk is full \(test\)"):
        publish(settings, store.base + "/store")


def test_connection_refused_exits_2_without_a_traceback(dataset, capsys):
    url = f"http://127.0.0.1:{free_port()}/store"
    code = main(["--build-dir", str(dataset.parent), "publish", "--to", url])
    err = capsys.readouterr().err
    assert code == 2
    assert "connection refused (is it running?)" in err and "Traceback" not in err


def test_counts_that_differ_fail_the_publish(fake, settings, monkeypatch):
    store = fake()
    import kg.publish

    monkeypatch.setattr(kg.publish, "remote_counts", lambda client, graphs: {})
    with pytest.raises(PublishMismatch, match="differs") as info:
        publish(settings, store.base + "/store")
    assert info.value.exit_code == 1


def test_credentials_in_the_url_are_refused(settings):
    with pytest.raises(Exception, match="KG_STORE_USER"):
        publish(settings, "http://user:pw@127.0.0.1:1/store")


@pytest.mark.parametrize(("url", "protocol", "query"), [
    ("http://h:7878/store", "gsp", "http://h:7878/query"),
    ("http://h:7878/update", "update", "http://h:7878/query"),
    ("http://h:3030/ds/data", "gsp", "http://h:3030/ds/query"),
    ("http://h:7200/repositories/kg/rdf-graphs/service", "gsp",
     "http://h:7200/repositories/kg"),
    ("http://h:7200/repositories/kg/statements", "update", "http://h:7200/repositories/kg"),
    ("http://h:8890/sparql-graph-crud-auth", "gsp", "http://h:8890/sparql"),
    ("http://h:8890/sparql-auth", "update", "http://h:8890/sparql"),
    ("http://h:7001/", "update", "http://h:7001/"),
])
def test_protocol_and_query_endpoint_found_from_the_url(url, protocol, query):
    assert protocol_for(url) == protocol
    assert query_url_for(url) == query


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_a_store_that_drops_the_write_is_said_in_words(settings, protocol):
    """A store that takes the request's head and resets the connection without answering
    (one that takes no writes at that URL, a body over its limit) was said in Python's words,
    "closed the connection: [Errno 104] Connection reset by peer"."""
    import socket
    import struct
    import threading

    listening = socket.create_server(("127.0.0.1", 0))

    def drop_each_request() -> None:
        while True:
            try:
                conn, _ = listening.accept()
            except OSError:  # closed: the test is over
                return
            with conn:
                head = b""
                while b"\r\n\r\n" not in head and (chunk := conn.recv(65536)):
                    head += chunk
                # closed with a reset, not a FIN: what a proxy refusing the body does
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    dropper = threading.Thread(target=drop_each_request, daemon=True)
    dropper.start()
    url = f"http://127.0.0.1:{listening.getsockname()[1]}/store"
    try:
        with pytest.raises(RemoteError) as raised:
            publish(settings, url, protocol=protocol)
    finally:
        # shutdown wakes the accept (a close alone leaves the thread blocked in it, its
        # listening socket alive, for the rest of the run)
        listening.shutdown(socket.SHUT_RDWR)
        listening.close()
        dropper.join(timeout=30)
    assert not dropper.is_alive()
    message = str(raised.value)
    assert message.startswith(f"the store at {url} closed the connection before answering (")
    assert "may drop the request so" in message and "[Errno" not in message

