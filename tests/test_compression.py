"""Content codings (kg.endpoint.compression): the choice from Accept-Encoding, then gzip on
the answers, in process: pages and descriptions through Flask, query results through the WSGI
fast path and through Flask alone, each with its own validator and Vary. The dumps' gzip and
byte ranges are in test_dumps.py, the express lane's in test_serve.py."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from kg.endpoint.compression import MIN_SIZE, choose, coded_etag, compressible, with_vary

TURTLE = "text/turtle; charset=utf-8"
BIG, SMALL = MIN_SIZE, MIN_SIZE - 1
SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
JSON = "application/sparql-results+json"


@pytest.mark.parametrize("accept_encoding, size, coding", [
    (None, BIG, None),  # a client that says nothing may not decode gzip (curl)
    ("", BIG, None),
    ("gzip", BIG, "gzip"),
    ("x-gzip", BIG, "gzip"),
    ("GZIP;q=0.5", BIG, "gzip"),  # identity not named: the least wanted
    ("gzip, deflate, br", BIG, "gzip"),
    ("*", BIG, "gzip"),
    ("br, *;q=0.1", BIG, "gzip"),
    ("br", BIG, None),
    ("gzip;q=0", BIG, None),
    ("gzip;q=0, *", BIG, None),  # named refusal wins over the wildcard
    ("gzip;q=bad", BIG, "gzip"),  # a weight that is no number is ignored, as in Accept
    ("gzip;q=0.5;q=bad, identity", BIG, None),
    ("*;q=0", BIG, None),
    ("gzip;q=0.5, identity", BIG, None),  # the client prefers the body as it is
    ("gzip, identity;q=0.5", BIG, "gzip"),
    ("gzip, identity", BIG, "gzip"),  # a tie goes to gzip
    ("gzip", SMALL, None),  # a tiny body is sent as it is
    ("gzip, identity;q=0", SMALL, "gzip"),  # ... unless identity is refused
    ("gzip, *;q=0", SMALL, "gzip"),
    ("identity;q=0", BIG, None),  # nothing acceptable: as it is, rather than 406
    ("br, identity;q=0", BIG, None),
])
def test_the_coding_follows_accept_encoding(accept_encoding, size, coding):
    assert choose(accept_encoding, size, TURTLE) == coding


@pytest.mark.parametrize("content_type, compresses", [
    ("text/html; charset=utf-8", True), ("application/ld+json", True),
    ("application/sparql-results+json", True), ("application/sparql-results+xml", True),
    ("application/n-quads", True), ("application/trig", True), ("application/rdf+xml", True),
    ("application/json", True), ("image/svg+xml", True),
    ("image/png", False), ("application/gzip", False), ("application/zip", False),
    ("font/woff2", False), ("application/octet-stream", False), (None, False),
])
def test_only_text_is_compressed(content_type, compresses):
    assert compressible(content_type) is compresses
    assert (choose("gzip, identity;q=0", BIG, content_type) == "gzip") is compresses


def test_a_coded_tag_keeps_its_strength():
    assert coded_etag('"abc"', "gzip") == '"abc-gzip"'
    assert coded_etag('W/"abc"', "gzip") == 'W/"abc-gzip"'
    assert with_vary("Accept") == "Accept, Accept-Encoding"
    assert with_vary("Accept, accept-encoding") == "Accept, accept-encoding"
    assert with_vary(None) == "Accept-Encoding"


# -- pages, descriptions (Flask) ----------------------------------------------------------------

@pytest.mark.parametrize("url, accept", [
    ("/place/phnom-penh", "text/turtle"),
    ("/place/phnom-penh", "text/html"),
    ("/event/general-counter-offensive-1978-1979", "application/ld+json"),
    ("/void", "application/n-triples"),
    ("/sparql", "text/turtle"),  # the service description
    ("/dataset", "application/rdf+xml"),
    ("/store?graph=https://w3id.org/kg1978/graph/entities", "application/n-quads"),
])
def test_a_large_answer_is_gzipped_with_its_own_validator(built_app, url, accept):
    client = built_app.test_client()
    plain = client.get(url, headers={"Accept": accept})
    packed = client.get(url, headers={"Accept": accept, "Accept-Encoding": "gzip"})
    assert plain.status_code == packed.status_code == 200
    assert len(plain.data) >= MIN_SIZE and "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
    assert packed.headers["Content-Type"] == plain.headers["Content-Type"]
    for r in (plain, packed):
        assert "Accept-Encoding" in r.headers["Vary"] and "Accept" in r.headers["Vary"]
    # a strong validator per coding (RFC 9110, 8.8.3), each validating its own bytes
    assert plain.headers["ETag"] != packed.headers["ETag"]
    again = client.get(url, headers={"Accept": accept, "Accept-Encoding": "gzip",
                                     "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == packed.headers["ETag"]
    assert "Accept-Encoding" in again.headers["Vary"]
    other = client.get(url, headers={"Accept": accept, "Accept-Encoding": "gzip",
                                     "If-None-Match": plain.headers["ETag"]})
    assert other.status_code == 200 and other.data == packed.data
    head = client.head(url, headers={"Accept": accept, "Accept-Encoding": "gzip"})
    assert head.headers["Content-Length"] == packed.headers["Content-Length"]


def test_a_tag_made_of_the_bytes_is_made_of_the_bytes_sent(built_app):
    client = built_app.test_client()
    packed = client.get("/place/cambodia", headers={"Accept": "text/turtle",
                                                    "Accept-Encoding": "gzip"})
    assert packed.headers["ETag"] == f'"{hashlib.sha1(packed.data).hexdigest()}"'
    # gzip without a time stamp: the same bytes, the same tag, on every request
    assert client.get("/place/cambodia", headers={
        "Accept": "text/turtle", "Accept-Encoding": "gzip"}).data == packed.data


def test_small_answers_and_errors_are_sent_as_they_are(built_app):
    client = built_app.test_client()
    small = client.get("/robots.txt", headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 200 and len(small.data) < MIN_SIZE
    assert "Content-Encoding" not in small.headers and small.data.startswith(b"User-agent")
    assert "Accept-Encoding" in small.headers["Vary"]  # identity;q=0 would change it
    refused = client.get("/robots.txt", headers={"Accept-Encoding": "gzip, identity;q=0"})
    assert refused.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(refused.data) == small.data
    missing = client.get("/place/nowhere-at-all", headers={"Accept": "text/turtle",
                                                           "Accept-Encoding": "gzip"})
    assert missing.status_code == 404 and "Content-Encoding" not in missing.headers


# -- query results (fast path and Flask) --------------------------------------------------------

@pytest.fixture(params=[True, False], ids=["fast-path", "flask-only"])
def lane(request):
    return {"KG_FAST_PATH": request.param}


def test_a_large_result_is_gzipped_and_validated_per_coding(make_app, lane):
    client = make_app(lane).test_client()
    query = {"query": SELECT}
    plain = client.get("/sparql", query_string=query, headers={"Accept": JSON})
    packed = client.get("/sparql", query_string=query,
                        headers={"Accept": JSON, "Accept-Encoding": "gzip"})
    assert len(plain.data) >= MIN_SIZE and "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    assert packed.headers["Vary"] == plain.headers["Vary"] == "Accept, Accept-Encoding"
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    for tag in (packed.headers["ETag"], plain.headers["ETag"]):
        # before the query runs, the size is unknown: a client holding either has the answer
        r = client.get("/sparql", query_string=query, headers={
            "Accept": JSON, "Accept-Encoding": "gzip", "If-None-Match": tag})
        assert r.status_code == 304 and r.headers["ETag"] == tag
        assert r.headers["Vary"] == "Accept, Accept-Encoding"
    # a client that takes no gzip is not validated by the gzipped answer's tag
    r = client.get("/sparql", query_string=query,
                   headers={"Accept": JSON, "If-None-Match": packed.headers["ETag"]})
    assert r.status_code == 200 and r.data == plain.data


def test_a_small_result_is_gzipped_only_where_identity_is_refused(make_app, lane):
    client = make_app(lane).test_client()
    ask = {"query": "ASK { ?s ?p ?o }"}
    r = client.get("/sparql", query_string=ask, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    assert r.data == b'{"head":{},"boolean":true}' and not r.headers["ETag"].endswith('-gzip"')
    r = client.get("/sparql", query_string=ask,
                   headers={"Accept-Encoding": "gzip;q=1, identity;q=0"})
    assert r.headers["Content-Encoding"] == "gzip" and r.headers["ETag"].endswith('-gzip"')
    assert gzip.decompress(r.data) == b'{"head":{},"boolean":true}'


def test_post_and_volatile_results_are_gzipped_too(make_app, lane):
    client = make_app(lane).test_client()
    r = client.post("/sparql", data={"query": SELECT},
                    headers={"Accept": JSON, "Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    assert b'"bindings"' in gzip.decompress(r.data)
    volatile = SELECT.replace("?o }", "?o BIND(RAND() AS ?r) }")
    r = client.get("/sparql", query_string={"query": volatile},
                   headers={"Accept": JSON, "Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip" and "ETag" not in r.headers
    assert r.headers["Cache-Control"] == "no-store"


# -- YASGUI's files, from node_modules ----------------------------------------------------------

@pytest.fixture
def yasgui_client(make_app, tmp_path):
    """An app whose root has a YASGUI build: a script of 20 kB, a small stylesheet."""
    build = tmp_path / "node_modules" / "@zazuko" / "yasgui" / "build"
    build.mkdir(parents=True)
    script = "".join(f"window.Yasgui{i} = function () {{ return {i}; }};\n" for i in range(500))
    (build / "yasgui.min.js").write_text(script)
    (build / "yasgui.min.css").write_text("body {}")
    return make_app().test_client()


def test_yasgui_files_are_gzipped_once_with_a_tag_per_coding(yasgui_client, monkeypatch):
    from kg.endpoint import compression

    made = []
    real = compression.compress
    monkeypatch.setattr(compression, "compress", lambda body: made.append(body) or real(body))
    url = "/assets/yasgui/yasgui.min.js"
    plain = yasgui_client.get(url)
    packed = yasgui_client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers and plain.data.startswith(b"window.Yasgui0")
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 4
    assert packed.headers["Content-Type"].startswith(plain.headers["Content-Type"])
    for r in (plain, packed):
        assert "Accept-Encoding" in r.headers["Vary"]
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    # the gzipped bytes are made once per process, not per request
    again = yasgui_client.get(url, headers={"Accept-Encoding": "gzip"})
    assert again.data == packed.data and len(made) == 1
    assert_a_validator_per_coding(yasgui_client, url, plain, packed)


def assert_a_validator_per_coding(client, url, plain, packed):
    """Each coding's validator validates that coding only: a 304 for its own, the other
    coding's bytes for the other's."""
    r = client.get(url, headers={"Accept-Encoding": "gzip",
                                 "If-None-Match": packed.headers["ETag"]})
    assert r.status_code == 304
    r = client.get(url, headers={"Accept-Encoding": "gzip",
                                 "If-None-Match": plain.headers["ETag"]})
    assert r.status_code == 200 and r.data == packed.data
    r = client.get(url, headers={"If-None-Match": plain.headers["ETag"]})
    assert r.status_code == 304
    r = client.get(url, headers={"If-None-Match": packed.headers["ETag"]})
    assert r.status_code == 200 and r.data == plain.data


def test_yasgui_files_keep_byte_ranges_and_small_ones_go_as_they_are(yasgui_client):
    url = "/assets/yasgui/yasgui.min.js"
    packed = yasgui_client.get(url, headers={"Accept-Encoding": "gzip"})
    part = yasgui_client.get(url, headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == packed.data[:10]
    assert part.headers["Content-Range"] == f"bytes 0-9/{len(packed.data)}"
    small = yasgui_client.get("/assets/yasgui/yasgui.min.css", headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 200 and small.data == b"body {}"
    assert "Content-Encoding" not in small.headers
    assert small.headers["Content-Type"] == "text/css; charset=utf-8"
    missing = yasgui_client.get("/assets/yasgui/../../../../etc/passwd")
    assert missing.status_code == 404


def test_yasgui_files_are_kept_once_whatever_the_spelling_and_misses_not_at_all(yasgui_client,
                                                                               monkeypatch):
    """A worker keeps one copy per file of the build, however the name is spelt (another
    spelling redirects to the file's URL), and nothing for names that are no file: a client
    cannot grow the cache by varying the URL."""
    from kg.endpoint import ui

    read = []
    real = ui._Assets._read
    monkeypatch.setattr(ui._Assets, "_read",
                        staticmethod(lambda key, path: read.append(key) or real(key, path)))
    r = yasgui_client.get("/assets/yasgui/yasgui.min.js", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    for name in ("./yasgui.min.js", "././yasgui.min.js", "x/../yasgui.min.js"):
        r = yasgui_client.get(f"/assets/yasgui/{name}", headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 301, name  # to its one URL (see below)
        assert r.headers["Location"] == "/assets/yasgui/yasgui.min.js"
    for i in range(5):
        assert yasgui_client.get(f"/assets/yasgui/nope{i}.js").status_code == 404
    assert read == ["yasgui.min.js"]  # read (and gzipped) once, misses never kept


# -- the app's own static files ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["ui.js", "style.css"])
def test_static_files_are_gzipped_once_with_a_tag_per_coding(client, monkeypatch, name):
    """The app's ``/static/`` files go through YASGUI's code: gzipped once per process where
    the client accepts it, ``Vary: Accept-Encoding``, and a validator per coding."""
    from kg.endpoint import compression

    made = []
    real = compression.compress
    monkeypatch.setattr(compression, "compress", lambda body: made.append(body) or real(body))
    url = f"/static/{name}"
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data)
    assert packed.headers["Content-Type"] == plain.headers["Content-Type"]
    assert plain.headers["Content-Type"].endswith("charset=utf-8")
    for r in (plain, packed):
        assert "Accept-Encoding" in r.headers["Vary"]
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert client.get(url, headers={"Accept-Encoding": "gzip"}).data == packed.data
    assert len(made) == 1
    assert_a_validator_per_coding(client, url, plain, packed)


def test_static_files_stay_inside_their_folder_and_follow_cache_max_age(make_app):
    client = make_app().test_client()
    assert client.get("/static/ui.js").headers["Cache-Control"] == "no-cache"
    # a NUL in the name and a name too long for the system are no file either (were 500s)
    for name in ("nope.js", "../endpoint/ui.py", "%2e%2e/endpoint/ui.py", "%00", "a" * 5000):
        assert client.get(f"/static/{name}").status_code == 404, name[:20]
        assert client.get(f"/assets/yasgui/{name}").status_code == 404, name[:20]
    page = client.get("/form").data
    assert b'href="/static/style.css"' in page  # url_for('static') names the route
    client = make_app(cache_max_age=60).test_client()
    assert client.get("/static/style.css").headers["Cache-Control"] == "public, max-age=60"


def test_a_static_file_has_one_url(yasgui_client):
    """A file's name with a trailing slash redirects to the file, as every URL of the app with
    one does (it was the file again, at a second URL, as Flask's route served it); a folder
    stays a 404."""
    for url in ("/static/style.css/", "/static/style.css//", "/assets/yasgui/yasgui.min.js/"):
        r = yasgui_client.get(url + "?v=1")
        assert r.status_code == 301, url
        assert r.headers["Location"] == url.rstrip("/") + "?v=1"
        assert yasgui_client.get(r.headers["Location"]).status_code == 200
    assert yasgui_client.get("/static/").status_code == 404
    assert yasgui_client.get("/static/nope.css/").status_code == 404


@pytest.mark.parametrize("url", [
    "/static/./style.css", "/static/%2e/style.css", "/static/x/../style.css",
    "/static/../static/style.css", "/static/./style.css/", "/assets/yasgui/./yasgui.min.js",
])
def test_a_static_file_named_with_dot_segments_redirects_to_its_one_url(yasgui_client, url):
    """``curl --path-as-is`` sends dot segments as they are: the file was served at each such
    second URL (200); it is a 301 to the file's URL, as for a trailing slash (RFC 3986,
    6.2.2.3)."""
    r = yasgui_client.get(url + "?v=1")
    assert r.status_code == 301, url
    canonical = "/assets/yasgui/yasgui.min.js" if "yasgui" in url else "/static/style.css"
    assert r.headers["Location"] == canonical + "?v=1"
    assert yasgui_client.get(r.headers["Location"]).status_code == 200
