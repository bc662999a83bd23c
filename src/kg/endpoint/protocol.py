"""The SPARQL 1.1 Protocol's query operation: reading a request, choosing a result format.

Three ways to send a query (Protocol 2.1): ``GET ?query=``, ``POST`` of an
``application/x-www-form-urlencoded`` form, and ``POST`` of an ``application/sparql-query``
body. The URL's parameters and a form's are one list, the Protocol's cardinalities (2.1.1) over
the whole: one ``query``; ``default-graph-uri`` / ``named-graph-uri`` from both. Text must be
UTF-8 (a form may declare another charset that writes ASCII as ASCII, ISO-8859-1 say):
anything else is refused (400, or 415 for a declared charset not read). Update requests
(``update=``, ``application/sparql-update``) are refused with 403 before anything is parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl

import pyoxigraph as ox

from kg.endpoint.bounded_cache import BoundedCache
from kg.endpoint.compression import weight
from kg.endpoint.query_text import without_bom
from kg.endpoint.results import (
    BOOLEAN,
    FORMATS,
    GRAPH,
    GRAPH_SYNTAXES,
    JSON_LD_PROFILE,
    SOLUTIONS,
    ResultFormat,
)
from kg.errors import InputError, NotAcceptable, UnsupportedMediaType, UpdateRefused

__all__ = ["BODY_METHODS", "SparqlRequest", "read_request", "check_coding", "named_formats",
           "each_format", "first_format", "negotiate",
           "prefers_html", "for_a_browser", "HTML_FORMATS", "json_ld_form", "names_json_ld_profile",
           "JSON_LD_FORMS", "FORM", "SPARQL_QUERY", "SPARQL_UPDATE", "UPDATE_REFUSED",
           "GRAPH_FAMILIES", "answered_by_sparql", "names_html", "without_json_ld"]

#: The methods that send the query in their body, alike: ``POST`` (the Protocol's 2.1.2 and
#: 2.1.3) and ``QUERY`` (the HTTP QUERY method, RFC 10008: safe and idempotent, the query as
#: its content; Oxigraph's server takes it, fetch-sparql-endpoint's ``--httpQuery`` sends it).
BODY_METHODS = ("POST", "QUERY")
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
UPDATE_REFUSED = "SPARQL Update is not accepted: this endpoint is read-only"


@dataclass(frozen=True, slots=True)
class SparqlRequest:
    query: str | None  # None: no query at all (GET of the service description)
    default_graph: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    format: str | None  # the ``format`` / ``output`` parameters: :func:`named_formats`


def named_formats(pairs: Iterable[tuple[str, str]]) -> str | None:
    """The formats a request names, as one ``format`` value: every ``format`` parameter's
    value, then every ``output`` parameter's, each in the request's order, comma-joined
    (repeats dropped); None where neither is given. One rule for every route and both lanes,
    whatever the order of the two in the request: ``format`` first (``output=xml&format=json``
    asks for JSON, then XML), and the first that can express the answer is sent."""
    named = format_values(pairs)
    return ",".join(dict.fromkeys(named)) if named else None


def each_format(named: str | None) -> list[str]:
    """The formats a ``format`` value names (:func:`named_formats` joins a request's), one by
    one: split at its commas, stripped, in lower case, blanks dropped."""
    return [w for w in (v.strip().lower() for v in (named or "").split(",")) if w]


def first_format(named: str | None, answered: Callable[[str], bool]) -> str | None:
    """The first of the formats ``named`` (:func:`each_format`) that the route answers in
    (``answered``), or None: none is, and the request is refused (406), as one whose
    ``Accept`` names nothing offered. The one rule of every route that takes a ``format``:
    each value is tried in turn, and a typo or a format the route has not is passed over
    (``format=tutle,ttl`` is Turtle)."""
    return next((w for w in each_format(named) if answered(w)), None)


def format_values(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """The values of a request's ``format`` parameters, then of its ``output`` parameters,
    each in the request's order: the ordering :func:`named_formats` and every route's
    ``request.args`` (``kg.endpoint._Request``) share."""
    pairs = list(pairs)
    return [value for name in ("format", "output") for key, value in pairs if key == name]


def _pairs(text: str, what: str, charset: str = "utf-8") -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, encoding=charset, errors="strict")
    except UnicodeDecodeError:
        raise InputError(f"the {what} is not valid {_CHARSET_NAMES.get(charset, charset)} "
                         "once percent-decoded") from None


_CHARSET_NAMES = {"utf-8": "UTF-8"}
#: Python's names of the character sets a form may be declared in (IANA's, not Python's own
#: text transforms such as unicode-escape or idna, which also read ASCII as ASCII)
_CHARSET_FAMILIES = ("ascii", "iso8859-", "cp125", "koi8-", "mac-", "shift_jis", "euc_",
                     "gb2312", "gbk", "gb18030", "big5")


def _form_charset(charset: str | None) -> str:
    """The codec a form's percent-encoded octets are decoded with: UTF-8, or the ``charset``
    the request declares where Python knows it and it writes ASCII as ASCII (a form is ASCII
    text). Apache HttpClient 4's ``UrlEncodedFormEntity`` declares ``charset=ISO-8859-1`` by
    default, encoding ``é`` as ``%E9``; Fuseki (Jetty) decodes by the parameter, Oxigraph as
    UTF-8 whatever it says. Another charset (UTF-16) is 415."""
    if charset is None or charset in ("utf-8", "utf8"):
        return "utf-8"
    import codecs

    try:
        codec = codecs.lookup(charset).name
        ascii_compatible = codec.startswith(_CHARSET_FAMILIES) and bytes(range(128)).decode(
            codec) == "".join(map(chr, range(128)))
    except (LookupError, UnicodeError, ValueError, TypeError):
        ascii_compatible = False
    if not ascii_compatible:
        raise UnsupportedMediaType(f"charset {charset} is not accepted: send UTF-8",
                                   accept=_TAKEN)
    return codec


def _content_type(environ: dict) -> tuple[str, str | None]:
    """The media type (lower case) and the charset parameter of the request body."""
    raw = environ.get("CONTENT_TYPE") or ""
    media, _, params = raw.partition(";")
    charset = None
    if params:
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip('"').lower()
    return media.strip().lower(), charset


#: What a 415 of ``/sparql`` says it takes, in its ``Accept`` field (RFC 9110, 15.5.16).
_TAKEN = f"{SPARQL_QUERY}, {FORM}"


def check_coding(environ: dict) -> None:
    """Refuse a request body in a content coding (RFC 9110, 8.4.1: ``Content-Encoding``, but
    ``identity``): none is decoded, and a coded body read as it is would be another query or
    file. 415, saying in ``Accept-Encoding`` that only ``identity`` is taken (15.5.16)."""
    coding = environ.get("HTTP_CONTENT_ENCODING")
    if coding and any(c.strip().lower() not in ("", "identity") for c in coding.split(",")):
        raise UnsupportedMediaType(f"Content-Encoding {coding.strip()} is not accepted: send "
                                   "the body as it is, not coded", accept_encoding="identity")


def _check_charset(charset: str | None) -> None:
    if charset is not None and charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"charset {charset} is not accepted: send UTF-8",
                                   accept=_TAKEN)


#: rdflib's name for a dataset's default graph, which its ``SPARQLStore`` sends as
#: ``default-graph-uri`` with every query of a ``Dataset`` (rdflib 7): alone, it names the
#: service's default graph, and is read as no ``default-graph-uri`` at all (else a ``Dataset``
#: over this endpoint found nothing, its ``len()`` every triple).
_RDFLIB_DEFAULT_GRAPH = "urn:x-rdflib:default"
_requests: BoundedCache[tuple, SparqlRequest] = BoundedCache(512)


def read_request(environ: dict, body: bytes | None) -> SparqlRequest:
    """Read the query operation out of a WSGI request (``body``: the POST body, else None).

    Requests repeat (clients poll, benchmarks loop, pages reload): a small cache of raw request
    to parsed request skips percent-decoding the same query again.
    """
    if body is not None:
        check_coding(environ)  # not in the cache's key
    key = (environ["REQUEST_METHOD"], environ.get("CONTENT_TYPE"),
           environ.get("QUERY_STRING", ""), body)
    parsed = _requests.get(key)
    if parsed is None:
        parsed = _read_request(environ, body)
        if len(key[2]) + len(body or b"") <= 16384:
            _requests.remember(key, parsed)
    return parsed


def _read_request(environ: dict, body: bytes | None) -> SparqlRequest:
    query_string = environ.get("QUERY_STRING", "")
    pairs = _pairs(query_string, "URL query string") if query_string else []
    method = environ["REQUEST_METHOD"]
    if method in BODY_METHODS:
        media, charset = _content_type(environ)
        if media == FORM:
            codec = _form_charset(charset)
            try:
                text = (body or b"").decode(codec)
            except UnicodeDecodeError:
                raise InputError(f"the form body is not valid "
                                 f"{_CHARSET_NAMES.get(codec, codec)}") from None
            pairs = pairs + _pairs(text, "form body", codec)
        elif media == SPARQL_QUERY:
            _check_charset(charset)
            if any(k == "query" for k, _ in pairs):
                raise InputError("the query is given twice: in the body and in the URL")
            if any(k == "update" for k, _ in pairs):
                raise UpdateRefused(UPDATE_REFUSED)
            try:
                pairs = pairs + [("query", (body or b"").decode("utf-8"))]
            except UnicodeDecodeError:
                raise InputError("the query is not valid UTF-8") from None
        elif media == SPARQL_UPDATE:
            raise UpdateRefused(UPDATE_REFUSED)
        elif not media:
            raise UnsupportedMediaType(
                f"a {method} needs a Content-Type: {FORM} or {SPARQL_QUERY}", accept=_TAKEN)
        else:
            raise UnsupportedMediaType(
                f"Content-Type {media} is not accepted: send {FORM} or {SPARQL_QUERY}",
                accept=_TAKEN)
    query = None
    # lists, made tuples once: a tuple grown by one per IRI was quadratic, and a form body
    # within max_body_bytes of 40,000 default-graph-uri took 8.8 s to read (0.5 s for 10,000)
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    for key, value in pairs:
        if key == "query":
            if query is not None:
                raise InputError("more than one query in one request")
            query = without_bom(value)
        elif key == "default-graph-uri":
            default_graph = default_graph or []
            default_graph.append(value)
        elif key == "named-graph-uri":
            named_graphs = named_graphs or []
            named_graphs.append(value)
        elif key in ("update", "using-graph-uri", "using-named-graph-uri"):
            raise UpdateRefused(UPDATE_REFUSED)
    if query is not None and ((default_graph and "" in default_graph)
                              or (named_graphs and "" in named_graphs)):
        # a blank field names no graph: Virtuoso's query form sends default-graph-uri= when
        # its graph field is left empty, and the links it makes carry it (?default-graph-uri=
        # &query=…&format=text%2Fhtml&timeout=0); a graph parameter without a query is a 400
        default_graph = [iri for iri in default_graph or () if iri] or None
        named_graphs = [iri for iri in named_graphs or () if iri] or None
    if named_graphs is None and default_graph and all(
            iri == _RDFLIB_DEFAULT_GRAPH for iri in default_graph):
        default_graph = None  # the service's default graph, by rdflib's name for it
    return SparqlRequest(query, None if default_graph is None else tuple(default_graph),
                         None if named_graphs is None else tuple(named_graphs),
                         named_formats(pairs))


# Media types offered for each kind of result, in the server's order of preference; aliases
# (application/json, application/xml, ...) map to the same writer.
_BY_NAME = {f.name: f for f in FORMATS}


def _alias(media: str, name: str, *, answered_as_asked: bool = True) -> tuple[str, ResultFormat]:
    """Offer the writer of ``name`` under another media type, answered with that type (or,
    ``answered_as_asked`` false, with the format's own, as the pages answer their aliases)."""
    fmt = _BY_NAME[name]
    if media != fmt.media_type and answered_as_asked:
        charset = "; charset=utf-8" if media.startswith("text/") else ""
        fmt = replace(fmt, media_type=media, content_type=media + charset)
    return media, fmt


_OFFERS: dict[str, tuple[tuple[str, ResultFormat], ...]] = {
    SOLUTIONS: (
        _alias("application/sparql-results+json", "json"),
        _alias("application/json", "json"),
        _alias("application/sparql-results+xml", "xml"),
        _alias("application/xml", "xml"),
        _alias("text/xml", "xml"),
        _alias("text/csv", "csv"),
        _alias("text/tab-separated-values", "tsv"),
        # a table to read: TSV, which writes each term as SPARQL does (CSV drops the kinds
        # and datatypes), as N-Triples is a graph's ``text/plain``; last, so that ``text/*``
        # keeps SPARQL XML (``text/xml``), the lossless one. An ASK has none (406).
        _alias("text/plain", "tsv"),
    ),
    BOOLEAN: (
        _alias("application/sparql-results+json", "json"),
        _alias("application/json", "json"),
        _alias("application/sparql-results+xml", "xml"),
        _alias("application/xml", "xml"),
        _alias("text/xml", "xml"),
    ),
    GRAPH: (
        # the one order of RDF syntaxes, which the pages rank theirs by too
        *(_alias(f.media_type, f.name) for f in GRAPH_SYNTAXES),
        # N-Triples' media type of old, which rdflib still asks for (``format="nt"``)
        _alias("text/plain", "ntriples"),
        # other names the pages take too, answered as they answer them: Turtle's of old
        # (Sesame and older RDF4J clients), N3 (Turtle is N3, as ``format=n3`` gives it),
        # JSON as JSON-LD (as ``format=json`` on a graph)
        _alias("application/x-turtle", "turtle", answered_as_asked=False),
        _alias("text/n3", "turtle", answered_as_asked=False),
        _alias("application/json", "jsonld", answered_as_asked=False),
    ),
}


def _other_names(offered: tuple[tuple[str, ResultFormat], ...]) -> dict[str, str]:
    """Each other name of a format among ``offered``, with the format's own media type (the
    first offer of a writer is its own name)."""
    own: dict[str, str] = {}
    for media, fmt in offered:
        own.setdefault(fmt.name, media)
    return {m: own[f.name] for m, f in offered if m != own[f.name]}


#: The other names of a format offered for each kind of result, each with the format's own
#: media type (``application/json`` → ``application/sparql-results+json``; ``text/plain`` →
#: ``application/n-triples``).
_SAME_AS: dict[str, dict[str, str]] = {kind: _other_names(offered)
                                       for kind, offered in _OFFERS.items()}
#: Every media type offered for some kind of result.
_ALL_OFFERED = frozenset(m for offers in _OFFERS.values() for m, _ in offers)
_FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "rdf": "rdfxml",
                   "rdf+xml": "rdfxml", "json-ld": "jsonld", "srj": "json", "srx": "xml",
                   "nq": "nquads", "n-quads": "nquads"}
#: Names of a family of formats, meaning the family's graph syntax for a CONSTRUCT or DESCRIBE
#: (as SPARQLWrapper sends them: ``format=xml`` with ``Accept: application/rdf+xml``, ``json``
#: for JSON-LD, ``n3`` with Turtle first in its Accept; Turtle is a subset of N3).
GRAPH_FAMILIES = {"json": "jsonld", "xml": "rdfxml", "n3": "turtle"}
_KIND_WORDS = {SOLUTIONS: "a SELECT result", BOOLEAN: "an ASK result",
               GRAPH: "a CONSTRUCT or DESCRIBE result"}


#: A media range: (type, subtype, q, specificity, binding parameters). Specificity is 0 for
#: ``*/*``, 1 for ``type/*``, 2 for a full type, plus one for each parameter that tells
#: representations of one type apart (RFC 9110, 12.5.1: "Media ranges can be overridden by
#: more specific media ranges or specific media types"): ``charset``, and the ``profile`` of
#: JSON-LD naming a form made here. Other parameters (``level``, a profile of no form made here,
#: kept as an empty set: a preference the answer cannot honour) neither narrow the range nor, in
#: :func:`json_ld_form`, choose a form; they take half a point off, so that of two ranges of
#: one type the one without them wins, whatever their order (``…#flattened";q=0,
#: application/ld+json;q=0.5`` accepts JSON-LD).
_Range = tuple[str, str, float, float, tuple[tuple[str, str | frozenset[str]], ...]]
#: What no ``Accept`` asks for (RFC 9110, 12.5.1), and so one with no members.
_ANY: list[_Range] = [("*", "*", 1.0, 0, ())]
#: Every body the endpoint writes is UTF-8 (``us-ascii`` would not hold a Vietnamese name).
_CHARSETS = frozenset({"utf-8", "utf8"})


def _parse_accept(accept: str) -> list[_Range]:
    """The media ranges of an Accept header (:data:`_Range`), in the header's order."""
    ranges = []
    for part in accept.split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        if not media:
            continue
        main, _, sub = media.partition("/")
        q, binding, unread = 1.0, [], False
        for param in params:
            key, _, value = param.partition("=")
            key, value = key.strip().lower(), value.strip()
            if not key:
                continue
            if key == "q":
                q = q if (given := weight(value)) is None else given
            elif key == "charset" and value:
                binding.append(("charset", value.strip('"').lower()))
            elif key == "profile" and media == _JSON_LD:
                forms = frozenset(_json_ld_forms(value))
                binding.append(("profile", forms))  # empty: no form made here
                unread = unread or not forms
            else:  # a parameter that tells no answer made here apart (level)
                unread = True
        if main == "*":
            specificity, binding = 0, []
        elif sub == "*" or not sub:
            specificity, sub, binding = 1, "*", []
        else:
            # A parameter not read here neither narrows the range nor, between ranges of one
            # type, lets it win by coming first: it ranks below the same range without it.
            specificity = 2 + sum(1 for _, value in binding if value) - (0.5 if unread else 0)
        ranges.append((main, sub, q, specificity, tuple(binding)))
    return ranges


def _json_ld_forms(profile: str) -> list[str]:
    """The forms made here that a ``profile`` parameter's IRIs name."""
    return [iri[len(JSON_LD_PROFILE):] for iri in profile.strip('"').split()
            if iri.startswith(JSON_LD_PROFILE) and iri[len(JSON_LD_PROFILE):] in JSON_LD_FORMS]


def _variants(media: str) -> tuple[str | None, ...]:
    """The representations an offered media type stands for, by JSON-LD form (None: one
    representation): JSON-LD is offered in both forms."""
    return JSON_LD_FORMS if media == _JSON_LD else (None,)


def _binds(binding: tuple[tuple[str, str | frozenset[str]], ...], form: str | None) -> bool:
    """Whether a range's binding parameters describe the representation of ``form``."""
    for key, value in binding:
        if key == "charset" and value not in _CHARSETS:
            return False
        if key == "profile" and value and form not in value:
            return False
    return True


def _match(media: str, ranges: list[_Range], form: str | None = None) -> tuple[float, float]:
    """(q, specificity) of the most specific of ``ranges`` matching the representation of
    ``media`` (in JSON-LD ``form``) ((0, -1) where none does); of ranges equally specific,
    the first."""
    main, _, sub = media.partition("/")
    q, specificity = 0.0, -1
    for r_main, r_sub, r_q, r_spec, binding in ranges:
        if r_spec > specificity and (
                r_spec == 0 or (r_main == main and (r_spec == 1 or (
                    r_sub == sub and _binds(binding, form))))):
            q, specificity = r_q, r_spec
    return q, specificity


def _offer_match(media: str, ranges: list[_Range]) -> tuple[float, float]:
    """The best (q, specificity) of the representations ``media`` stands for: an offer is
    acceptable where one of them is (``application/ld+json;profile="…#expanded";q=0,
    application/ld+json;q=0.5`` accepts JSON-LD, compacted)."""
    return max(_match(media, ranges, form) for form in _variants(media))


def _quality(media: str, ranges: list[_Range]) -> float:
    """The q the most specific of ``ranges`` matching ``media`` gives it (0 where none does)."""
    return _offer_match(media, ranges)[0]


def best_match(accept: str, offers: list[str], named_only: Collection[str] = (),
               same_as: Mapping[str, str] | None = None) -> str | None:
    """The media type of ``offers`` that ``accept`` ranks highest (RFC 9110, 12.5.1: each
    offer gets the q of the most specific range matching it, a range with a ``charset`` or a
    JSON-LD ``profile`` more specific than one without, and matching only where the answer
    can be what it names; other parameters are ignored); a tie goes to the offer a more
    specific range named (``*/*, text/html`` asks for HTML), then to the order of ``offers``.
    Offers in ``named_only`` (other names of a type offered too) count only where a range
    names them, never through a wildcard. An offer that is another name of a type (``same_as``
    maps it to that type: ``application/json`` for SPARQL JSON) takes the type's q where a
    more specific range than its own gives it one: the client has said what it thinks of the
    format (``application/sparql-results+json;q=0, */*`` refuses SPARQL JSON under any
    name). None when no offer is acceptable. The one negotiation of the endpoint: results,
    pages, graphs, reports.

    An ``accept`` with no members (blank, or commas alone: ``Accept: ,,,``) is ``*/*``: its
    list syntax allows empty elements, which a recipient ignores (RFC 9110, 5.6.1), so it
    names nothing, and no ``Accept`` is any type (12.5.1). Every route negotiates here, so
    each reads it so (on the hot path the answer is cached per header, in :func:`negotiate`)."""
    ranges = _parse_accept(accept)
    if not ranges and not accept.replace(",", "").strip():
        ranges = _ANY
    best, best_key = None, (0.0, -1)
    for media in offers:
        key = _offer_match(media.lower(), ranges)
        if media in named_only and key[1] < 2:
            continue
        if same_as and media in same_as:
            own = _offer_match(same_as[media], ranges)
            if own[1] > key[1]:
                key = (min(key[0], own[0]), key[1])
        if key[0] > 0 and key > best_key:
            best, best_key = media, key
    return best


def _choose(accept: str, kind: str) -> ResultFormat | None:
    media = best_match(accept, [m for m, _ in _OFFERS[kind]], same_as=_SAME_AS[kind])
    return None if media is None else next(f for m, f in _OFFERS[kind] if m == media)


#: The JSON-LD 1.1 profiles (JSON-LD 1.1, 9: IANA considerations) the endpoint's writers
#: produce: ``…#expanded`` (pyoxigraph's writer) and ``…#compacted`` (rdflib's, with the
#: prefixes as the context). ``…#flattened``, ``…#framed`` and others are not produced.
JSON_LD_FORMS = ("expanded", "compacted")
_JSON_LD = "application/ld+json"


def json_ld_form(accept: str | None) -> str | None:
    """The JSON-LD form (``"expanded"`` or ``"compacted"``) an ``Accept`` header asks for with
    the ``profile`` parameter of ``application/ld+json``, or None: the server's default form.
    Each form gets the (q, specificity) of the most specific range matching it, as
    :func:`best_match` gives them; the higher wins, and a tie is the default form. A profile
    naming no form made here is a preference, not a condition, and chooses no form
    (``…#flattened`` alone gets the default form, not 406; ``…#flattened``, then
    ``…#expanded;q=0.5``, the expanded form); ``…#expanded";q=0, application/ld+json`` asks
    for the compacted form."""
    if not accept or _JSON_LD not in accept.lower():
        return None
    ranges = [r for r in _parse_accept(accept) if ("profile", frozenset()) not in r[4]]
    keys = {form: _match(_JSON_LD, ranges, form) for form in JSON_LD_FORMS}
    best = max(keys.values())
    winners = [form for form, key in keys.items() if key == best]
    return winners[0] if best[0] > 0 and len(winners) == 1 else None


def names_json_ld_profile(accept: str | None) -> bool:
    """Whether ``accept`` names a JSON-LD profile at all, even to refuse it (then the answer
    says in its ``Content-Type`` which form it is)."""
    if not accept or _JSON_LD not in accept.lower():
        return False
    # _parse_accept keeps every JSON-LD profile, one naming no form made here as an empty set
    return any(key == "profile" for *_, binding in _parse_accept(accept) for key, _ in binding)


_HTML_TYPES = (("text", "html"), ("application", "xhtml+xml"))
_html_cache: BoundedCache[str, bool] = BoundedCache(1024)


def prefers_html(accept: str | None) -> bool:
    """Whether ``accept`` is a browser's: it names an HTML type, at a q higher than any
    result or graph format gets from a range naming a type (``*/*`` does not count). A
    browser's ``text/html,…,application/xml;q=0.9,*/*;q=0.8`` is; SPARQL clients, which name
    their types, and ``*/*`` are not."""
    if not accept:
        return False
    found = _html_cache.get(accept)
    if found is None:
        ranges = [r for r in _parse_accept(accept) if r[3] > 0]
        html = max((q for main, sub, q, spec, binding in ranges
                    if spec >= 2 and (main, sub) in _HTML_TYPES and _binds(binding, None)),
                   default=0.0)
        other = max(_quality(m, ranges) for offers in _OFFERS.values() for m, _ in offers)
        found = _html_cache.remember(accept, html > other)
    return found


#: The ``format`` / ``output`` values that ask for a query's result as an HTML table
#: (Virtuoso's link convention, ``format=text/html``; pages' ``format=html``).
HTML_FORMATS = frozenset({"html", "text/html", "application/xhtml+xml"})
_named_cache: BoundedCache[str, tuple[bool, bool | None]] = BoundedCache(512)


def answered_by_sparql(name: str) -> bool:
    """Whether ``/sparql`` answers in the format ``name`` (an :func:`each_format` value) for
    some request: HTML (its page), or a format of some kind of result, by name, family or
    media type."""
    media = name.split(";")[0].strip()
    return (name in HTML_FORMATS or media in _ALL_OFFERED or name in GRAPH_FAMILIES
            or _FORMAT_ALIASES.get(name, name) in _BY_NAME)


def names_html(named: str | None) -> bool | None:
    """Whether the formats ``named`` (a ``format`` value, :func:`named_formats`) ask
    ``/sparql`` or ``/void`` for the HTML page: the first of them /sparql answers in
    (:func:`first_format`, :func:`answered_by_sparql`) is HTML; False where none is (a typo
    alone: the protocol's 406); None where none is named (blank values are none)."""
    if not each_format(named):
        return None
    first = first_format(named, answered_by_sparql)
    return first is not None and first in HTML_FORMATS


def for_a_browser(query_string: str, accept: str | None) -> bool:
    """Whether a ``GET /sparql`` with this (raw) query string is a query a browser asks for (a
    shared link), answered as the plain form's page with the result in a table: where the
    request names a format (:func:`named_formats`: ``format``, then ``output``;
    percent-decoded), only if the first /sparql answers in is HTML (``format=html``,
    ``format=text/html``: :func:`names_html`); else where :func:`prefers_html` says
    ``accept`` is a browser's.
    Never without a query, never for an update (403). The route and the WSGI fast path both
    ask this, so that they send the same requests to the form."""
    found = _named_cache.get(query_string)
    if found is None:
        pairs = parse_qsl(query_string, keep_blank_values=True, errors="replace")
        keys = {k for k, _ in pairs}
        found = ("query" in keys and "update" not in keys, names_html(named_formats(pairs)))
        if len(query_string) <= 16384:
            _named_cache.remember(query_string, found)
    query, html = found
    if not query:
        return False
    return prefers_html(accept) if html is None else html


_cache: BoundedCache[tuple[str | None, str | None, str, str | None], ResultFormat | str] = (
    BoundedCache(1024))


def negotiate(accept: str | None, format_param: str | None, kind: str, *,
              what: str | None = None) -> ResultFormat:
    """The result format for a result of ``kind``: the ``format`` parameter if given and it
    can express the result, else the best match of the Accept header (q-values honoured, ties
    to the server's preference), which also decides where ``format`` names only formats of
    another kind of result (none sent is ``*/*``: the default format of the result);
    JSON-LD in the form a ``profile`` of the Accept header asks for (:func:`json_ld_form`).
    Raises :class:`NotAcceptable` when nothing fits, saying that ``what`` (by default the kind
    of query result: "a SELECT result") cannot be expressed."""
    key = (accept, format_param, kind, what)
    chosen = _cache.get(key)
    if chosen is None:
        chosen = _negotiate(accept, format_param, kind, what or _KIND_WORDS[kind])
        if not isinstance(chosen, str):
            chosen = _with_json_ld_form(chosen, accept)
        _cache.remember(key, chosen)
    if isinstance(chosen, str):
        raise NotAcceptable(chosen)
    return chosen


#: What names JSON-LD for a graph: its media types (``application/json`` too, as on pages)
#: and its ``format`` names (``json``, as SPARQLWrapper sends it for a graph).
_JSON_LD_MEDIA = ("application/ld+json", "application/json")
_JSON_LD_NAMES = ("jsonld", "json-ld", "json", *_JSON_LD_MEDIA)


def without_json_ld(accept: str | None, format_param: str | None) -> tuple[str, str | None]:
    """The ``Accept`` header and ``format`` parameter of a graph request less what names
    JSON-LD, and JSON-LD refused (``q=0``, so that no wildcard chooses it): negotiated again
    (:func:`negotiate`), they choose the syntax the client accepts next, for a graph JSON-LD
    cannot write (:class:`~kg.endpoint.results.TripleTermsInJsonLd`). A ``format`` naming only
    JSON-LD leaves the choice to ``Accept``, as one naming a format of another kind of result
    does."""
    ranges = [r for r in (accept or "*/*").split(",")
              if r.split(";")[0].strip().lower() not in _JSON_LD_MEDIA]
    ranges += [f"{media};q=0" for media in _JSON_LD_MEDIA]
    kept = [w for w in each_format(format_param) if w.split(";")[0].strip() not in _JSON_LD_NAMES]
    return ", ".join(r.strip() for r in ranges if r.strip()), ",".join(kept) or None


def _negotiate(accept: str | None, format_param: str | None, kind: str,
               what: str) -> ResultFormat | str:
    offered = ", ".join(dict.fromkeys(m for m, _ in _OFFERS[kind]))
    if format_param:
        # a name or a media type; several (repeated parameters, or a comma-separated list, as
        # SPARQLWrapper sends them): the first that can express the result
        known = False  # a format of another kind of result was named
        for wanted in each_format(format_param):
            if "/" in wanted:
                media = wanted.split(";")[0].strip()
                for offered_media, fmt in _OFFERS[kind]:
                    if offered_media == media:
                        return fmt
                known = known or media in _ALL_OFFERED
                continue
            if kind == GRAPH and wanted in GRAPH_FAMILIES:
                wanted = GRAPH_FAMILIES[wanted]
            fmt = _BY_NAME.get(_FORMAT_ALIASES.get(wanted, wanted))
            if fmt is not None and kind in fmt.kinds:
                return fmt
            known = known or fmt is not None or wanted in GRAPH_FAMILIES
        if known:
            # A client library sends its one return format whatever the query form
            # (SPARQLWrapper: format=turtle for a SELECT too, with Accept: */*): where that
            # format cannot express the result, the Accept header it also sent decides; no
            # Accept header is */* (RFC 9110, 12.5.1), as curl sends it: the form's default.
            chosen = _choose(accept or "*/*", kind)
            if chosen is not None:
                return chosen
        names = ", ".join(f.name for f in FORMATS if kind in f.kinds)
        why = _NO_BOOLEAN_TABLE if kind == BOOLEAN and any(
            _table_format(w) for w in each_format(format_param)) else ""
        return (f"format={format_param} cannot express {what}{why}; "
                f"use one of: {names} (or a media type: {offered})")
    if not accept:
        return _OFFERS[kind][0][1]
    chosen = _choose(accept, kind)
    if chosen is None:
        table = _choose(accept, SOLUTIONS) if kind == BOOLEAN else None
        why = _NO_BOOLEAN_TABLE if table is not None and table.name in ("csv", "tsv") else ""
        return (f"none of the accepted media types ({accept}) can express {what}{why}; "
                f"this endpoint offers: {offered}")
    return chosen


#: Why an ASK is not answered in CSV or TSV, nor as ``text/plain`` (a SELECT's TSV): the W3C
#: format defines none (Jena writes a one-column table of ``_askResult``, Oxigraph a bare
#: ``true`` labelled ``text/csv``, RDF4J refuses: no answer a client could rely on).
_NO_BOOLEAN_TABLE = (" (SPARQL 1.1's CSV and TSV results define no form for a boolean: ask "
                     "for SPARQL JSON or XML)")


def _table_format(wanted: str) -> bool:
    """Whether a ``format`` value names CSV or TSV, by name or media type."""
    media = wanted.split(";")[0].strip()
    return (media in ("text/csv", "text/tab-separated-values", "text/plain")
            or _FORMAT_ALIASES.get(media, media) in ("csv", "tsv"))


def _with_json_ld_form(fmt: ResultFormat, accept: str | None) -> ResultFormat:
    """JSON-LD in the form the Accept header's profile asks for, however it was chosen."""
    if fmt.writer is not ox.RdfFormat.JSON_LD:
        return fmt
    form = json_ld_form(accept)
    return fmt if form is None else replace(fmt, json_ld_form=form)
