"""HTTP caching (kg.endpoint.caching): validators, 304 and Cache-Control on every GET, in
process (Flask's test client, through the WSGI fast path and through Flask alone). The
express lane's 304 is in test_serve.py, the remote store's lack of a validator in
test_remote.py."""

from __future__ import annotations

import pytest

from kg.endpoint.caching import cache_control, etag_matches, if_match_holds

ASK = "ASK { ?s ?p ?o }"
JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"


@pytest.fixture(params=[True, False], ids=["fast-path", "flask-only"])
def lane(request):
    return {"KG_FAST_PATH": request.param}


class CountingStore:
    """The app's store, counting the queries that reach it."""

    def __init__(self, store):
        self._store, self.queries = store, 0

    def query(self, *args, **kwargs):
        self.queries += 1
        return self._store.query(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._store, name)


def _counted(app) -> CountingStore:
    state = app.extensions["kg"]
    state.store = CountingStore(state.store)
    return state.store


@pytest.mark.parametrize("header, etag, matches", [
    ('W/"a"', 'W/"a"', True),
    ('"a"', 'W/"a"', True),  # If-None-Match compares weakly
    ('W/"a"', '"a"', True),
    ('"b", W/"a"', 'W/"a"', True),
    ("*", '"a"', True),
    ('"b"', '"a"', False),
    ('"ab"', '"a"', False),
    ("", '"a"', False),
])
def test_if_none_match_is_compared_weakly(header, etag, matches):
    assert etag_matches(header, etag) is matches


@pytest.mark.parametrize("header, etag, holds", [
    ('"a"', '"a"', True),
    ('"b", "a"', '"a"', True),
    ("*", '"a"', True),
    ("*", 'W/"a"', True),
    ("*", None, True),  # an answer without a validator is still an answer
    ('W/"a"', 'W/"a"', False),  # If-Match compares strongly: a weak tag meets nothing
    ('"a"', 'W/"a"', False),
    ('W/"a"', '"a"', False),
    ('"a"', None, False),
    ('"ab"', '"a"', False),
])
def test_if_match_is_compared_strongly(header, etag, holds):
    assert if_match_holds(header, etag) is holds


def test_cache_control_follows_the_setting():
    assert cache_control(0) == "no-cache"
    assert cache_control(300) == "public, max-age=300"


# -- query results ---------------------------------------------------------------------------

def test_a_query_answer_has_a_weak_etag_per_format(make_app, lane):
    client = make_app(lane).test_client()
    json_answer = client.get("/sparql", query_string={"query": ASK}, headers={"Accept": JSON})
    xml_answer = client.get("/sparql", query_string={"query": ASK}, headers={"Accept": XML})
    for r in (json_answer, xml_answer):
        assert r.status_code == 200
        assert r.headers["ETag"].startswith('W/"kg-')
        assert r.headers["Cache-Control"] == "no-cache"
        assert "ETag" in r.headers["Access-Control-Expose-Headers"]
    assert json_answer.headers["ETag"] != xml_answer.headers["ETag"]
    again = client.get("/sparql", query_string={"query": ASK}, headers={"Accept": JSON})
    assert again.headers["ETag"] == json_answer.headers["ETag"]
    other = client.get("/sparql", query_string={"query": ASK + " "}, headers={"Accept": JSON})
    assert other.headers["ETag"] != json_answer.headers["ETag"]  # another URL


def test_a_matching_if_none_match_gets_304_without_running_the_query(make_app, lane):
    app = make_app(lane)
    client, store = app.test_client(), _counted(app)
    first = client.get("/sparql", query_string={"query": ASK}, headers={"Accept": JSON})
    etag = first.headers["ETag"]
    assert store.queries == 1
    for header in (etag, f'"other", {etag}', etag.removeprefix("W/"), "*"):
        r = client.get("/sparql", query_string={"query": ASK},
                       headers={"Accept": JSON, "If-None-Match": header})
        assert r.status_code == 304, header
        assert r.data == b""
        assert r.headers["ETag"] == etag and r.headers["Cache-Control"] == "no-cache"
        assert r.headers["Vary"] == "Accept, Accept-Encoding"
        assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert store.queries == 2  # the validator skips the query; "*" must run it to know
    head = client.head("/sparql", query_string={"query": ASK},
                       headers={"Accept": JSON, "If-None-Match": etag})
    assert head.status_code == 304 and store.queries == 2


def test_if_match_on_a_query_is_one_answer_on_both_lanes_and_head(make_app, lane):
    """RFC 9110 (13.1.1): ``If-Match`` holds for ``*`` where there is an answer, and for a tag
    only by strong comparison, which a query answer's weak tag never meets; where it does not
    hold the answer is 412, before the query runs. The express lane read no ``If-Match`` (200)
    while ``HEAD``, through Flask, got Werkzeug's 412, for ``*`` too."""
    app = make_app(lane)
    client, store = app.test_client(), _counted(app)
    q = {"query": ASK}
    etag = client.get("/sparql", query_string=q, headers={"Accept": JSON}).headers["ETag"]
    assert store.queries == 1
    for header in ('"x"', etag, etag.removeprefix("W/")):
        for send in (client.get, client.head):
            r = send("/sparql", query_string=q, headers={"Accept": JSON, "If-Match": header})
            assert r.status_code == 412, (header, send)
            assert "ETag" not in r.headers and r.headers["Content-Type"] == "application/json"
            if send == client.get:
                assert "If-Match" in r.json["message"] and etag in r.json["message"]
    assert store.queries == 1  # refused before running
    for send in (client.get, client.head):
        r = send("/sparql", query_string=q, headers={"Accept": JSON, "If-Match": "*"})
        assert r.status_code == 200 and r.headers["ETag"] == etag, send
    # a request that would not be answered is refused as it would be: the precondition is moot
    r = client.get("/sparql", query_string={"query": "SELEC"}, headers={"If-Match": '"x"'})
    assert r.status_code == 400


def test_if_match_on_the_other_routes(built_app):
    """Werkzeug's reading, which every other route used: ``If-Match: *`` was a 412, a weak tag
    met a strong one once its ``W/`` was dropped, and a 412 carried the whole representation
    (``/void``'s 43 kB of Turtle). Now ``*`` and the tag itself hold, and a 412 says why."""
    client = built_app.test_client()
    for url in ("/place/phnom-penh", "/void", "/dumps/kg.nq", "/static/ui.js"):
        full = client.get(url)
        assert full.status_code == 200, url
        etag = full.headers["ETag"]
        for header in ("*", etag, f'"other", {etag}'):
            r = client.get(url, headers={"If-Match": header})
            assert r.status_code == 200 and r.data == full.data, (url, header)
        for header in ('"other"', f"W/{etag}"):
            r = client.get(url, headers={"If-Match": header})
            assert r.status_code == 412, (url, header)
            assert r.mimetype == "text/plain" and len(r.data) < 300, (url, r.data[:100])
            assert b"If-Match" in r.data and etag.encode() in r.data
        # If-Match holds: If-None-Match is read next (13.2.2)
        r = client.get(url, headers={"If-Match": etag, "If-None-Match": etag})
        assert r.status_code == 304, url


def test_if_unmodified_since_on_the_answers_with_a_modification_date(built_app):
    """RFC 9110 (13.1.4, 13.2.2): without ``If-Match``, an answer modified after the date is a
    412 (Werkzeug reads no ``If-Unmodified-Since``: the dumps and static files answered 200);
    a date that is no date, an answer without ``Last-Modified``, or ``If-Match`` with it: read
    as if absent."""
    client = built_app.test_client()
    past = "Sat, 01 Jan 2000 00:00:00 GMT"
    for url in ("/dumps/kg.nq", "/static/ui.js"):
        full = client.get(url)
        modified = full.headers["Last-Modified"]
        r = client.get(url, headers={"If-Unmodified-Since": past})
        assert r.status_code == 412 and r.mimetype == "text/plain", url
        assert modified.encode() in r.data and len(r.data) < 300
        for date in (modified, "Fri, 01 Jan 2100 00:00:00 GMT", "yesterday", f"{past}, {past}"):
            r = client.get(url, headers={"If-Unmodified-Since": date})
            assert r.status_code == 200 and r.data == full.data, (url, date)
        r = client.get(url, headers={"If-Unmodified-Since": past, "If-Match": "*"})
        assert r.status_code == 200, url
    page = client.get("/place/phnom-penh", headers={"If-Unmodified-Since": past})
    assert page.status_code == 200 and "Last-Modified" not in page.headers


def test_an_etag_of_another_format_or_server_start_gets_the_answer(make_app, lane):
    app = make_app(lane)
    client = app.test_client()
    xml_etag = client.get("/sparql", query_string={"query": ASK},
                          headers={"Accept": XML}).headers["ETag"]
    r = client.get("/sparql", query_string={"query": ASK},
                   headers={"Accept": JSON, "If-None-Match": xml_etag})
    assert r.status_code == 200 and b'"boolean"' in r.data
    # a new app (a restart, a rebuild) draws a new validator: earlier ones no longer match
    restarted = make_app(lane).test_client()
    r = restarted.get("/sparql", query_string={"query": ASK},
                      headers={"Accept": XML, "If-None-Match": xml_etag})
    assert r.status_code == 200 and r.headers["ETag"] != xml_etag


def test_post_and_errors_have_no_validator(make_app, lane):
    client = make_app(lane).test_client()
    r = client.post("/sparql", data={"query": ASK}, headers={"If-None-Match": '"x"'})
    assert r.status_code == 200 and "ETag" not in r.headers and "Cache-Control" not in r.headers
    etag = client.get("/sparql", query_string={"query": ASK}).headers["ETag"]
    for header in ("*", etag):  # "*": is there an answer? a malformed query has none
        r = client.get("/sparql", query_string={"query": "ASK {"},
                       headers={"If-None-Match": header})
        assert r.status_code == 400 and "ETag" not in r.headers, header


@pytest.mark.parametrize("body", [{"data": {"query": ASK}},
                                  {"data": ASK, "content_type": "application/sparql-query"}])
def test_preconditions_of_a_post_query_are_read_before_it_runs(make_app, lane, body):
    """RFC 9110 (13.2.2) for a method other than GET and HEAD, whose answer has no validator:
    ``If-Match`` naming a tag and ``If-None-Match: *`` are a 412 (not a 304), before the query
    runs, on both lanes; ``If-Match: *``, ``If-None-Match`` naming tags and the dates hold or
    are ignored. They were all ignored: a POST answered 200 whatever they said."""
    app = make_app(lane)
    client, store = app.test_client(), _counted(app)
    etag = client.get("/sparql", query_string={"query": ASK}).headers["ETag"]
    for headers in ({"If-Match": '"x"'}, {"If-Match": etag}, {"If-None-Match": "*"},
                    {"If-None-Match": '"x", *'}, {"If-Match": '"x"', "If-None-Match": '"y"'}):
        r = client.post("/sparql", headers={"Accept": JSON, **headers}, **body)
        assert r.status_code == 412, headers
        assert r.json["message"].startswith("Precondition Failed: If-"), r.json
        assert "ETag" not in r.headers
    assert store.queries == 1  # the GET's: no POST ran
    for headers in ({"If-Match": "*"}, {"If-None-Match": f'"x", {etag}'},
                    {"If-Match": "*", "If-None-Match": '"y"'},
                    {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
                    {"If-Unmodified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}):
        r = client.post("/sparql", headers={"Accept": JSON, **headers}, **body)
        assert r.status_code == 200 and r.json == {"head": {}, "boolean": True}, headers
    # a request that would not be answered is refused as it would be (13.2.1): a query
    # malformed past its form too (a GET's If-Match gave it 412), though the query never runs
    r = client.post("/sparql", data={"query": "ASK {"},
                    headers={"If-None-Match": "*", "Accept": JSON})
    assert r.status_code == 400 and r.json["line"] == 1
    r = client.get("/sparql", query_string={"query": "ASK {"}, headers={"If-Match": '"x"'})
    assert r.status_code == 400
    r = client.post("/sparql", data={"query": ASK},
                    headers={"If-Match": '"x"', "Accept": "text/csv"})
    assert r.status_code == 406


def test_preconditions_of_the_other_posts(make_app):
    """The same reading on ``POST /validate`` and ``/reconcile`` (safe: answered, then
    refused where a precondition fails), each 412 in the route's own error form; a failure
    stays the failure it was."""
    from pathlib import Path

    client = make_app(root=Path(__file__).parents[1], validation_timeout=0).test_client()
    upload = {"data": b"<urn:a> <urn:b> <urn:c> .", "content_type": "text/turtle",
              "headers": {"Accept": "application/json"}}
    batch = {"data": {"queries": '{"q0": {"query": "Tay Ninh"}}'}}
    for url, kwargs in (("/validate", upload), ("/reconcile", batch)):
        assert client.post(url, **kwargs).status_code == 200, url
        for headers, status in (({"If-Match": '"x"'}, 412), ({"If-None-Match": "*"}, 412),
                                ({"If-Match": "*"}, 200), ({"If-None-Match": '"x"'}, 200)):
            sent = {**kwargs, "headers": {**kwargs.get("headers", {}), **headers}}
            r = client.post(url, **sent)
            assert r.status_code == status, (url, headers, r.data[:200])
            if status == 412:
                assert r.json["status"] == 412 and "If-" in r.json["message"], url
    r = client.post("/validate", data=b"<urn:a> <urn:b>", content_type="text/turtle",
                    headers={"If-None-Match": "*"})
    assert r.status_code == 400


@pytest.mark.parametrize("query", [
    "SELECT (RAND() AS ?r) {}",
    "SELECT ?s (now () AS ?t) { ?s ?p ?o } LIMIT 1",
    "SELECT (STRUUID() AS ?u) {}",
    "CONSTRUCT { ?s <http://example.org/p> ?b } WHERE { ?s ?p ?o BIND(BNODE() AS ?b) }",
])
def test_a_query_that_answers_differently_each_time_is_never_reused(make_app, lane, query):
    """No validator, ``no-store``, run each time. ``If-None-Match: *`` is false where there is
    a current answer, tagged or not (RFC 9110, 13.1.2), so a ``GET`` or ``HEAD`` is a 304
    (13.2.2) once the query has run to tell, with the 200's ``Cache-Control`` and no tag (it
    was a 200, as if the field were not there)."""
    app = make_app(lane)
    client, store = app.test_client(), _counted(app)
    r = client.get("/sparql", query_string={"query": query})
    assert r.status_code == 200, r.data
    assert "ETag" not in r.headers and r.headers["Cache-Control"] == "no-store"
    for method in ("GET", "HEAD"):
        r = client.open("/sparql", method=method, query_string={"query": query},
                        headers={"If-None-Match": "*"})
        assert r.status_code == 304 and r.data == b"", (method, r.data)
        assert "ETag" not in r.headers and r.headers["Cache-Control"] == "no-store"
    r = client.get("/sparql", query_string={"query": query},
                   headers={"If-None-Match": '"kg-x"'})  # a tag meets no untagged answer
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert store.queries == 4


def test_a_function_name_inside_a_string_or_iri_is_not_volatile(make_app):
    client = make_app().test_client()
    query = 'SELECT ("RAND()" AS ?x) { OPTIONAL { <http://example.org/NOW(> ?p ?o } }'
    r = client.get("/sparql", query_string={"query": query})
    assert r.status_code == 200 and r.headers["ETag"].startswith('W/"kg-')


def test_cache_max_age_lets_caches_reuse_answers(make_app):
    client = make_app(cache_max_age=300).test_client()
    r = client.get("/sparql", query_string={"query": ASK})
    assert r.headers["Cache-Control"] == "public, max-age=300"
    r = client.get("/sparql", query_string={"query": ASK},
                   headers={"If-None-Match": r.headers["ETag"]})
    assert r.status_code == 304 and r.headers["Cache-Control"] == "public, max-age=300"
    page = client.get("/limits")
    assert page.headers["Cache-Control"] == "public, max-age=300"


# -- pages and descriptions ------------------------------------------------------------------

@pytest.mark.parametrize("url, accept", [
    ("/sparql", "text/turtle"),  # the service description
    ("/void", "application/n-triples"),
    ("/limits", None),
    ("/", "text/html"),
    ("/openapi.json", None),
])
def test_every_full_get_answer_has_a_strong_etag_of_its_bytes(make_app, url, accept):
    import hashlib

    client = make_app().test_client()
    headers = {"Accept": accept} if accept else {}
    r = client.get(url, headers=headers)
    assert r.status_code == 200
    assert r.headers["ETag"] == f'"{hashlib.sha1(r.data).hexdigest()}"'
    assert r.headers["Cache-Control"] == "no-cache"
    again = client.get(url, headers={**headers, "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == r.headers["ETag"]
    changed = client.get(url, headers={**headers, "If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.data == r.data


def test_entity_pages_validate_each_representation(built_app):
    client = built_app.test_client()
    html = client.get("/actor/pol-pot", headers={"Accept": "text/html"})
    turtle = client.get("/actor/pol-pot", headers={"Accept": "text/turtle"})
    assert html.status_code == turtle.status_code == 200
    assert html.headers["ETag"] != turtle.headers["ETag"]
    # the HTML page's validator does not validate the Turtle
    r = client.get("/actor/pol-pot", headers={"Accept": "text/turtle",
                                              "If-None-Match": html.headers["ETag"]})
    assert r.status_code == 200 and r.data == turtle.data
    r = client.get("/actor/pol-pot", headers={"Accept": "text/turtle",
                                              "If-None-Match": turtle.headers["ETag"]})
    assert r.status_code == 304 and r.headers["Vary"] == "Accept, Accept-Encoding"


@pytest.mark.parametrize("url", ["/shapes/", "/ontology/", "/shapes/EventShape"])
def test_json_ld_with_blank_nodes_is_the_same_bytes_each_time(built_app, url):
    """JSON-LD is compacted by rdflib, which read the triples with new blank node labels each
    time: the body, and so its ETag, changed with every request, and no 304 came. The blank
    nodes now keep the labels they have."""
    client = built_app.test_client()
    first, second = (client.get(url, headers={"Accept": "application/ld+json"})
                     for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    again = client.get(url, headers={"Accept": "application/ld+json",
                                     "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_json_ld_of_many_alike_blank_nodes_is_quick(built_app):
    """A CONSTRUCT of blank nodes described alike: canonical labelling, tried once for the
    stable bytes above, takes exponential time on it (minutes at 100). Not timed: it must
    answer, with every node, in the test's run."""
    query = "CONSTRUCT { _:b <http://ex/p> <http://ex/o> } WHERE { ?s a ?t } LIMIT 300"
    r = built_app.test_client().get("/sparql", query_string={"query": query},
                                    headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.data.count(b'"_:') >= 300


def test_errors_and_writes_are_not_validated(built_app):
    client = built_app.test_client()
    missing = client.get("/actor/nobody", headers={"If-None-Match": "*"})
    assert missing.status_code == 404 and "ETag" not in missing.headers
    triple = b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
    # (If-None-Match: * is a 412 for a POST: test_preconditions_of_the_other_posts)
    posted = client.post("/validate", data=triple, content_type="application/n-triples",
                         headers={"If-None-Match": '"x"'})
    assert posted.status_code == 200 and "ETag" not in posted.headers


def test_dumps_keep_their_own_validator(built_app):
    client = built_app.test_client()
    r = client.get("/dumps/kg.nq")
    assert r.status_code == 200 and r.headers["ETag"].startswith('"sha256-')


def test_the_openapi_document_says_every_get_may_answer_304(make_app):
    from kg.endpoint.openapi import openapi_document

    doc = openapi_document(make_app().extensions["kg"].settings)
    gets = [item["get"] for item in doc["paths"].values() if "get" in item]
    assert len(gets) > 10 and all("304" in get["responses"] for get in gets)


@pytest.mark.parametrize("exposed, expected", [
    ("Link", "Link, ETag"),
    # a field that only holds the letters was taken for ETag, which went unexposed
    ("Link, X-Prior-ETag", "Link, X-Prior-ETag, ETag"),
    ("Link, etag", "Link, etag"),  # field names are compared without case: once
])
def test_the_strong_etag_is_exposed_once_where_the_answer_exposes_fields(make_app, exposed,
                                                                         expected):
    """A route that lets scripts read some fields lets them read the validator added here too,
    by the one helper that names exposed fields (kg.endpoint.cors.exposing)."""
    from flask import Response

    app = make_app()
    app.add_url_rule("/exposing-test", "exposing_test", lambda: Response(
        "x", headers={"Access-Control-Expose-Headers": exposed}))
    r = app.test_client().get("/exposing-test")
    assert r.status_code == 200 and r.headers["ETag"]
    assert r.headers["Access-Control-Expose-Headers"] == expected
