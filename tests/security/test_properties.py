"""Property-based tests (hypothesis) of content negotiation, the result serialisers (round
trip, and the cut at max_results) and the reconciliation scoring. In process: no server."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.endpoint.protocol import _OFFERS, negotiate, read_request
from kg.endpoint.query_text import inspect_query
from kg.endpoint.results import BOOLEAN, FORMATS, GRAPH, SOLUTIONS, serialize
from kg.errors import KGError, NotAcceptable, QueryTooComplex

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
KINDS = [SOLUTIONS, BOOLEAN, GRAPH]

# -- content negotiation ------------------------------------------------------------------

MEDIA = st.sampled_from(sorted({m for offers in _OFFERS.values() for m, _ in offers}
                               | {"*/*", "text/*", "application/*", "image/png", "text/html",
                                  "application/x-unknown"}))
Q = st.one_of(st.none(), st.sampled_from(["0", "0.0", "0.1", "0.5", "0.9", "1", "1.0", "abc", ""]))


@st.composite
def accept_headers(draw) -> str:
    ranges = []
    for media in draw(st.lists(MEDIA, min_size=1, max_size=6)):
        q = draw(Q)
        ranges.append(media if q is None else f"{media};q={q}")
    return ", ".join(ranges)


def _q(media: str, accept: str) -> float:
    """The q-value ``accept`` gives ``media`` (most specific range wins), as RFC 9110 says; a
    ``q`` that is no number is ignored, the range keeping its weight, as the README says."""
    main, sub = media.split("/")
    best, specificity = 0.0, -1
    for part in accept.split(","):
        rng, *params = part.split(";")
        r_main, _, r_sub = rng.strip().lower().partition("/")
        q = 1.0
        for p in params:
            k, _, v = p.partition("=")
            if k.strip() == "q":
                try:
                    q = min(max(float(v), 0.0), 1.0)
                except ValueError:
                    pass  # a weight that is no number says no preference: ignored
        spec = 0 if r_main == "*" else 1 if r_sub == "*" else 2
        if spec > specificity and (spec == 0 or (r_main == main and (spec == 1 or r_sub == sub))):
            best, specificity = q, spec
    return best


@SETTINGS
@given(accept=accept_headers(), kind=st.sampled_from(KINDS))
def test_negotiation_picks_a_best_acceptable_offer(accept, kind):
    offers = _OFFERS[kind]
    best_q = max(_q(m, accept) for m, _ in offers)
    try:
        chosen = negotiate(accept, None, kind)
    except NotAcceptable as exc:
        assert best_q == 0.0
        assert "offers" in str(exc)
        return
    assert kind in chosen.kinds
    assert _q(chosen.media_type, accept) == best_q > 0


@SETTINGS
@given(fmt=st.text(max_size=40), kind=st.sampled_from(KINDS), accept=st.text(max_size=60))
def test_any_format_parameter_gives_a_format_of_the_kind_or_406(fmt, kind, accept):
    try:
        chosen = negotiate(accept, fmt, kind)
    except NotAcceptable:
        return
    assert kind in chosen.kinds or chosen.media_type in {m for m, _ in _OFFERS[kind]}


@SETTINGS
@given(query_string=st.binary(max_size=200), body=st.binary(max_size=200),
       content_type=st.sampled_from(["application/x-www-form-urlencoded",
                                     "application/sparql-query",
                                     "application/sparql-query; charset=latin1",
                                     "application/sparql-update", "text/plain", ""]),
       method=st.sampled_from(["GET", "POST"]))
def test_reading_any_request_raises_only_kg_errors(query_string, body, content_type, method):
    environ = {"REQUEST_METHOD": method, "CONTENT_TYPE": content_type,
               "QUERY_STRING": query_string.decode("latin-1")}
    try:
        read_request(environ, body if method == "POST" else None)
    except KGError as exc:
        assert 400 <= exc.http_status < 500


@SETTINGS
@given(text=st.text(max_size=300), depth=st.integers(0, 400))
def test_inspecting_any_text_raises_only_kg_errors_and_bounds_nesting(text, depth):
    nested = "SELECT * WHERE " + "{" * depth + text + "}" * depth
    for candidate in (text, nested):
        try:
            inspect_query(candidate, 200)
        except QueryTooComplex:
            assert candidate.count("{") + candidate.count("(") + candidate.count("[") > 200
        except KGError as exc:
            assert 400 <= exc.http_status < 500


# -- serialisers: round trip and the cut ----------------------------------------------------

IRIS = st.builds(lambda s: ox.NamedNode("http://example.org/" + s),
                 st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_~.", max_size=12))
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=30)
LITERALS = st.one_of(
    st.builds(ox.Literal, TEXT),
    st.builds(lambda t, lang: ox.Literal(t, language=lang), TEXT,
              st.sampled_from(["en", "vi", "km", "en-gb"])),
    st.builds(lambda n: ox.Literal(str(n), datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer")), st.integers(-10**12, 10**12)),
)
TERMS = st.one_of(IRIS, LITERALS)


def _store(rows: list[tuple]) -> ox.Store:
    store = ox.Store()
    for i, (s, o) in enumerate(rows):
        store.add(ox.Quad(s, ox.NamedNode(f"http://example.org/p{i}"), o))
    return store


SELECT = "SELECT ?s ?o ?p WHERE { ?s ?p ?o } ORDER BY ?p"
ROWS = st.lists(st.tuples(IRIS, TERMS), min_size=0, max_size=25)


def _fmt(name: str):
    return next(f for f in FORMATS if f.name == name)


@SETTINGS
@given(rows=ROWS, limit=st.integers(1, 30), name=st.sampled_from(["json", "xml", "tsv"]))
def test_solutions_round_trip_and_are_cut_at_the_limit(rows, limit, name):
    store = _store(rows)
    expected = [tuple(sol[v] for v in ("s", "o", "p")) for sol in store.query(SELECT)]
    fmt = _fmt(name)
    body, cut = serialize(store.query(SELECT), fmt, limit, truncation_link="http://h/limits")
    assert cut == (len(expected) > limit)
    parsed = ox.parse_query_results(body, format=fmt.writer)
    got = [tuple(sol[v] for v in ("s", "o", "p")) for sol in parsed]
    assert got == expected[:limit]


@SETTINGS
@given(rows=ROWS, limit=st.integers(1, 30))
def test_csv_keeps_every_value_and_is_cut_at_the_limit(rows, limit):
    store = _store(rows)
    expected = [tuple(sol[v].value for v in ("s", "o", "p")) for sol in store.query(SELECT)]
    body, cut = serialize(store.query(SELECT), _fmt("csv"), limit)
    assert cut == (len(expected) > limit)
    table = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert table[0] == ["s", "o", "p"]
    assert [tuple(r) for r in table[1:]] == expected[:limit]


@SETTINGS
@given(rows=ROWS, limit=st.integers(1, 30),
       name=st.sampled_from(["turtle", "ntriples", "rdfxml", "jsonld"]))
def test_graphs_round_trip_and_are_cut_at_the_limit(rows, limit, name):
    store = _store(rows)
    fmt = _fmt(name)
    body, cut = serialize(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), fmt, limit)
    triples = {q.triple for q in store}
    assert cut == (len(triples) > limit)
    parsed = {q.triple for q in ox.parse(body, format=fmt.writer)}
    assert len(parsed) == min(len(triples), limit)
    assert parsed <= triples


@SETTINGS
@given(value=st.booleans(), name=st.sampled_from(["json", "xml"]))
def test_booleans_round_trip(value, name):
    store = ox.Store()
    body, cut = serialize(store.query("ASK {}" if value else "ASK { ?s ?p ?o }"),
                          _fmt(name), 1)
    assert not cut
    assert bool(ox.parse_query_results(body, format=_fmt(name).writer)) is value


# -- reconciliation scoring -------------------------------------------------------------------

@pytest.fixture(scope="module")
def index(dataset: Path):
    from kg.reconciliation import ReconciliationIndex
    from kg.store import DatasetStore

    return ReconciliationIndex.from_store(DatasetStore.load(dataset))


@pytest.fixture(scope="module")
def names(index) -> list[str]:
    return sorted({index.get(e["id"]).name for e in index.suggest_entities("", limit=100)})


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60), limit=st.integers(1, 100))
def test_scores_are_bounded_ordered_and_limited(index, text, limit):
    from kg.errors import InputError

    try:
        results = index.reconcile({"query": text, "limit": limit})
    except InputError:
        assert not text.strip()
        return
    assert len(results) <= limit
    scores = [r["score"] for r in results]
    assert all(0 <= s <= 100 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert sum(r["match"] for r in results) <= 1
    assert all(r["score"] == 100 for r in results if r["match"])


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), change=st.sampled_from(["upper", "lower", "spaces", "same"]))
def test_an_entity_own_label_finds_it_first_whatever_the_case(index, names, data, change):
    name = data.draw(st.sampled_from(names))
    query = {"upper": name.upper(), "lower": name.lower(), "spaces": f"  {name}  ",
             "same": name}[change]
    results = index.reconcile({"query": query})
    assert results and results[0]["score"] == 100
    assert any(index.get(r["id"]).name == name for r in results if r["score"] == 100)


# Words of the graph's labels and near misses: pairs that score around the thresholds.
WORDS = st.sampled_from(["tay", "tây", "ninh", "phnom", "penh", "pen", "division", "divison",
                         "341", "34", "army", "corps", "4", "pol", "pot", "kampuchea",
                         "kampuchean", "front", "liberation", "of", "the", "a", "region"])
LABELS = st.one_of(st.lists(WORDS, min_size=1, max_size=6).map(" ".join),
                   st.text(alphabet="abcdeinrt 0123", max_size=25))


@settings(SETTINGS, max_examples=400)
@given(query=LABELS, keys=st.lists(LABELS, max_size=4),
       floor=st.sampled_from([0.0, 0.3, 0.6, 0.8, 0.95]))
def test_the_reconciliation_scorer_gives_what_the_definition_gives(query, keys, floor):
    """_Scorer leaves out the ratios that cannot change the answer: where the best of the
    keys reaches the floor it is _similarity's, to the last bit; where not, it stays under."""
    from kg.reconciliation import _Scorer, _similarity, normalise

    query, keys = normalise(query), [k for k in map(normalise, keys) if k]
    if not query:
        return
    best = max((_similarity(query, k) for k in keys), default=0.0)
    found = _Scorer(query, floor).best(keys)
    if best >= floor:
        assert found == best
    else:
        assert found < floor


@SETTINGS
@given(a=st.text(alphabet="abcdeinrt 0123", max_size=25),
       b=st.text(alphabet="abcdeinrt 0123", max_size=25))
def test_the_longest_common_subsequence_bounds_difflib(a, b):
    from kg.reconciliation import _lcs, _masks, _ratio

    longest = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            longest[i + 1][j + 1] = (longest[i][j] + 1 if x == y
                                     else max(longest[i][j + 1], longest[i + 1][j]))
    assert _lcs(_masks(a), len(a), b) == longest[-1][-1]
    if a or b:
        assert _ratio(a, b) <= 2.0 * longest[-1][-1] / (len(a) + len(b))
