"""Result formats, and serialising a result with pyoxigraph's own writers under a size limit.

A result is cut after ``max_results`` rows (SELECT) or triples (CONSTRUCT/DESCRIBE), never
silently. pyoxigraph streams a result into a writer in chunks of about 8 KiB; the writer counts
rows as they pass, exactly, for each format (a row boundary cannot be mistaken inside a literal
because every format escapes or quotes what would look like one), and stops the serialisation at
the first row past the limit. The cut document is closed properly and marked:

- every cut response carries the header ``X-KG-Truncated: <limit>``;
- SPARQL JSON gets a ``"link"`` in its ``head`` and SPARQL XML a ``<link href=…/>`` in its
  ``<head>``, both standard places (SPARQL 1.1 Query Results JSON 3.1, XML 2.1), pointing to the
  endpoint's ``/limits`` page, which explains the cut;
- CSV and TSV have no place for it in the body: the header says it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from kg.errors import NotAcceptable
from kg.iris import WRITE_PREFIXES

__all__ = ["ResultFormat", "FORMATS", "GRAPH_SYNTAXES", "SOLUTIONS", "BOOLEAN", "GRAPH",
           "serialize", "TripleTermsInJsonLd", "cut_result_chunks", "TRUNCATED_HEADER",
           "json_ld_content_type",
           "reorder_columns"]

SOLUTIONS, BOOLEAN, GRAPH = "solutions", "boolean", "graph"
TRUNCATED_HEADER = "X-KG-Truncated"


@dataclass(frozen=True, slots=True)
class ResultFormat:
    name: str  # the value of the ``format`` parameter
    media_type: str
    content_type: str  # with charset where the media type takes one
    writer: ox.QueryResultsFormat | ox.RdfFormat
    kinds: frozenset[str]
    w3c: str  # http://www.w3.org/ns/formats/ IRI, for the service description
    #: JSON-LD only: the form a profile asked for ("expanded", "compacted"), None: the default
    json_ld_form: str | None = None

    @property
    def variant(self) -> str:
        """The name of the format with its form: what tells two answers' bytes apart."""
        return self.name if self.json_ld_form is None else f"{self.name}-{self.json_ld_form}"


_W3 = "http://www.w3.org/ns/formats/"
FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("json", "application/sparql-results+json", "application/sparql-results+json",
                 ox.QueryResultsFormat.JSON, frozenset({SOLUTIONS, BOOLEAN}),
                 _W3 + "SPARQL_Results_JSON"),
    ResultFormat("xml", "application/sparql-results+xml", "application/sparql-results+xml",
                 ox.QueryResultsFormat.XML, frozenset({SOLUTIONS, BOOLEAN}),
                 _W3 + "SPARQL_Results_XML"),
    ResultFormat("csv", "text/csv", "text/csv; charset=utf-8", ox.QueryResultsFormat.CSV,
                 frozenset({SOLUTIONS}), _W3 + "SPARQL_Results_CSV"),
    ResultFormat("tsv", "text/tab-separated-values", "text/tab-separated-values; charset=utf-8",
                 ox.QueryResultsFormat.TSV, frozenset({SOLUTIONS}), _W3 + "SPARQL_Results_TSV"),
    ResultFormat("turtle", "text/turtle", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE,
                 frozenset({GRAPH}), _W3 + "Turtle"),
    ResultFormat("ntriples", "application/n-triples", "application/n-triples",
                 ox.RdfFormat.N_TRIPLES, frozenset({GRAPH}), _W3 + "N-Triples"),
    ResultFormat("rdfxml", "application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML,
                 frozenset({GRAPH}), _W3 + "RDF_XML"),
    ResultFormat("jsonld", "application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD,
                 frozenset({GRAPH}), _W3 + "JSON-LD"),
    # a graph is a dataset with only a default graph: TriG and N-Quads write it as Turtle and
    # N-Triples do (the pages offer them too)
    ResultFormat("trig", "application/trig", "application/trig", ox.RdfFormat.TRIG,
                 frozenset({GRAPH}), _W3 + "TriG"),
    ResultFormat("nquads", "application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS,
                 frozenset({GRAPH}), _W3 + "N-Quads"),
)
#: The RDF syntaxes in the one order every route prefers them in, where the ``Accept`` header
#: ranks several alike (``application/*``, or two types at one q): Turtle, N-Triples,
#: RDF/XML, JSON-LD, TriG, N-Quads, as Fuseki offers them. ``/sparql`` offers a graph in this
#: order; the pages, ``/store`` and ``/`` rank theirs by it after their own default
#: (:func:`kg.endpoint.pages.negotiate`).
GRAPH_SYNTAXES: tuple[ResultFormat, ...] = tuple(f for f in FORMATS if GRAPH in f.kinds)


class _LimitReached(Exception):
    pass


class _RowCounter:
    """A file-like sink for pyoxigraph that keeps the bytes and finds where row ``limit+1``
    begins; subclasses know one format."""

    closing = b""
    #: Byte strings (a few bytes each) of which every row but ``slack`` rows holds at least
    #: one: while they occur at most ``limit - slack`` times there cannot be more than
    #: ``limit`` rows, and the exact scan is skipped. Each marker costs a pass over the body
    #: (~0.5-0.9 ms per MB), so formats use one where they can.
    markers: tuple[bytes, ...] = (b"\n",)
    slack = 0

    def __init__(self, limit: int):
        # While no scan is needed the chunks are only kept, and joined once at the end (a
        # bytearray grown chunk by chunk, then copied into bytes, copied the body twice).
        self.chunks: list[bytes] | None = []
        self.buffer = bytearray()
        self.limit = limit
        self.upper_bound = self.slack
        self.rows = 0  # rows seen starting so far
        self.pos = 0  # where scanning resumes
        self.cut: int | None = None
        self._tail = b""  # the last bytes written, as many as a marker's length less one
        self._keep = max(len(m) for m in self.markers) - 1

    def write(self, data: bytes) -> int:
        if self.chunks is not None:
            self.chunks.append(data)
            tail = self._tail
            for marker in self.markers:
                self.upper_bound += data.count(marker)
                if len(marker) > 1 and tail:
                    # an occurrence that straddles the previous bytes and this chunk
                    self.upper_bound += (tail[1 - len(marker):] + data[:len(marker) - 1]
                                         ).count(marker)
            keep = self._keep
            if keep:
                self._tail = data[-keep:] if len(data) >= keep else (tail + data)[-keep:]
            if self.upper_bound <= self.limit:
                return len(data)
            self.buffer = bytearray(b"".join(self.chunks))  # from now on: scanned as it grows
            self.chunks = None
        else:
            self.buffer += data
        self._scan()
        if self.cut is not None:
            raise _LimitReached
        return len(data)

    def flush(self) -> None:
        pass

    def _scan(self) -> None:
        raise NotImplementedError

    def _row_starts_at(self, offset: int) -> None:
        self.rows += 1
        if self.rows > self.limit:
            self.cut = offset

    def result(self) -> bytes:
        if self.chunks is not None:
            return b"".join(self.chunks)
        if self.cut is None:
            return bytes(self.buffer)
        return bytes(self.buffer[: self.cut]) + self.closing


class _LineRows(_RowCounter):
    """TSV: a header line, then one row per line; literals escape their newlines."""

    def _scan(self) -> None:
        buf = self.buffer
        while self.cut is None:
            nl = buf.find(b"\n", self.pos)
            if nl < 0 or nl + 1 >= len(buf):
                return  # a row starts only once a byte follows the newline
            self.pos = nl + 1
            self._row_starts_at(nl + 1)


class _CsvRows(_RowCounter):
    """CSV: rows end with CRLF; a field holding a newline is quoted, quotes doubled inside."""

    def __init__(self, limit: int):
        super().__init__(limit)
        self._quoted = False

    def _scan(self) -> None:
        buf = self.buffer
        end = len(buf)
        while self.cut is None and self.pos < end:
            if self._quoted:
                q = buf.find(b'"', self.pos)
                if q < 0:
                    self.pos = end
                    return
                self._quoted = False
                self.pos = q + 1
                continue
            q = buf.find(b'"', self.pos)
            nl = buf.find(b"\n", self.pos, q if q >= 0 else end)
            if nl >= 0:
                if nl + 1 >= end:
                    return
                self.pos = nl + 1
                self._row_starts_at(nl + 1)
            elif q >= 0:
                self._quoted = True
                self.pos = q + 1
            else:
                self.pos = end


class _XmlRows(_RowCounter):
    """SPARQL XML: each row is a ``<result>`` element; text escapes ``<``."""

    closing = b"</results></sparql>"
    markers = (b"<r",)  # every <result>; <results> too, which only over-counts

    def _scan(self) -> None:
        buf = self.buffer
        while self.cut is None:
            at = buf.find(b"<result>", self.pos)
            if at < 0:
                self.pos = max(self.pos, len(buf) - 7)
                return
            self.pos = at + 8
            self._row_starts_at(at)


#: From where a scan resumes to the next row's start, in one match: strings (escapes read),
#: other bytes, and "[" or "," not before "{", none backtracked into; the "[" or "," that
#: opens a row ends it. None where the bytes end first, in a string or right after "[" or ","
#: (a row may start with the next chunk). One match a row, not one a string: a cut answer of
#: 10,000 rows (1.5 MB) is found in ~20 ms, was ~55.
_JSON_ROW = re.compile(rb'(?:[^"\[,]++|"(?:[^"\\]++|\\.)*+"|[\[,](?!\{|\Z))*+[\[,](?=\{)',
                       re.DOTALL)


class _JsonRows(_RowCounter):
    """SPARQL JSON: outside strings, a row object is a ``{`` right after ``[`` or ``,`` (a term
    object always follows ``:``)."""

    closing = b"]}}"
    # pyoxigraph writes rows as [{…},{…}] and a term object only after ":" (so "}," is followed
    # by a key, never by "{", inside a row): every row but the first starts right after "},{"
    # (a literal holding "},{" only over-counts). bytes.count finds "},{" in ~0.7 ms per MB
    # against ~0.95 for ",{" (its last byte is as frequent; it skips further).
    markers = (b"},{",)
    slack = 1

    def _scan(self) -> None:
        buf = self.buffer
        while self.cut is None:
            m = _JSON_ROW.match(buf, self.pos)
            if m is None:
                return  # no row starts in what has come so far: wait for the next chunk
            self.pos = m.end()
            # a row's "{" follows: the cut keeps a "[" and drops a ","
            self._row_starts_at(m.end() if buf[m.end() - 1] == 0x5B else m.end() - 1)


_COUNTERS = {
    ox.QueryResultsFormat.JSON: _JsonRows,
    ox.QueryResultsFormat.XML: _XmlRows,
    ox.QueryResultsFormat.CSV: _CsvRows,
    ox.QueryResultsFormat.TSV: _LineRows,
}


def _mark_truncated(body: bytes, fmt: ResultFormat, link: str) -> bytes:
    if fmt.writer == ox.QueryResultsFormat.JSON:
        # The head is {"head":{"vars":[...]}: variable names never hold "]".
        at = body.index(b"]") + 1
        return body[:at] + b',"link":[' + _json_string(link) + b"]" + body[at:]
    if fmt.writer == ox.QueryResultsFormat.XML:
        at = body.index(b"</head>")
        return body[:at] + b"<link href=" + quoteattr(link).encode() + b"/>" + body[at:]
    return body


_HEAD = {ox.QueryResultsFormat.JSON: re.compile(rb'^(\{"head":\{"vars":)(\[[^\]]*\])'),
         ox.QueryResultsFormat.XML: re.compile(rb"(<head>)((?:<variable [^>]*/>)*)")}


def reorder_columns(body: bytes, writer: ox.QueryResultsFormat, names: list[str],
                    order: list[str]) -> bytes:
    """A SELECT results ``body`` written with its variables in the order ``names``, rewritten
    with them in the ``order`` (the same names): SPARQL JSON and XML name each binding, so only
    their head's list changes; TSV has every row's fields moved, each field's bytes kept as
    the writer wrote them (TSV escapes tabs and line breaks inside its terms, SPARQL 1.1 TSV 3,
    so a tab always separates fields and a newline ends a row). CSV is written in the order
    asked by :func:`write_csv`, never reordered."""
    where = [names.index(n) for n in order]
    if writer == ox.QueryResultsFormat.JSON:
        import json

        return _HEAD[writer].sub(lambda m: m[1] + json.dumps(order, ensure_ascii=False,
                                                            separators=(",", ":")).encode(),
                                 body, count=1)
    if writer == ox.QueryResultsFormat.XML:
        head = b"".join(b'<variable name="' + n.encode() + b'"/>' for n in order)
        return _HEAD[writer].sub(lambda m: m[1] + head, body, count=1)
    if writer != ox.QueryResultsFormat.TSV:
        raise ValueError(f"reorder_columns: no {writer} (CSV is written in order: write_csv)")
    rows = _tsv_rows(body, len(names))
    if rows is None:
        return body
    return b"".join(b"\t".join(fields[k] for k in where) + b"\n" for fields in rows)


def _tsv_rows(body: bytes, width: int) -> list[list[bytes]] | None:
    if not body.endswith(b"\n"):  # a newline ends each row: else the last would be lost
        return None
    rows = [line.split(b"\t") for line in body.split(b"\n")[:-1]]
    return rows if all(len(fields) == width for fields in rows) else None


def _json_string(text: str) -> bytes:
    import json

    return json.dumps(text).encode()


#: Up to this many triples, a document declares only the prefixes it uses; beyond, all of them
#: (one pass over the terms is not worth it on large answers).
USED_PREFIXES_LIMIT = 20_000
#: Datatypes a Turtle writer never spells out ("…"@en, "…").
_IMPLICIT_DATATYPES = frozenset({"http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                                 "http://www.w3.org/2001/XMLSchema#string"})
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Literals Turtle and TriG write bare, without their datatype (Turtle 1.1, 2.5.2): ``23``,
#: ``1.5``, ``1E3``, ``true``, when the lexical form is the grammar's.
_BARE_LITERALS = {_XSD + name: re.compile(pattern, re.ASCII) for name, pattern in (
    ("integer", r"[+-]?[0-9]+"),
    ("decimal", r"[+-]?[0-9]*\.[0-9]+"),
    ("double", r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
    ("boolean", r"true|false"),
)}
_TURTLE_SYNTAXES = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)


def used_prefixes(statements, prefixes: dict[str, str], *, graphs: bool = True,
                  syntax: ox.RdfFormat | None = None) -> dict[str, str]:
    """The ``prefixes`` that name something in ``statements`` (triples or quads: an IRI, a
    datatype written out; a graph where the syntax writes graphs), so that a short document
    declares those and not all thirty; every prefix for more than
    :data:`USED_PREFIXES_LIMIT` statements. With the ``syntax`` it is written in, what that
    syntax never abbreviates does not count (rdf:type written ``a``, ``23`` for an
    xsd:integer in Turtle)."""
    if len(statements) > USED_PREFIXES_LIMIT:
        return prefixes
    # Turtle and TriG write rdf:type as "a" and some numbers and booleans bare; RDF/XML
    # writes predicates and types (element names) with prefixes, every other IRI and
    # datatype in full (attribute values).
    turtle = syntax in _TURTLE_SYNTAXES
    xml = syntax == ox.RdfFormat.RDF_XML
    iris = set()
    for st in statements:
        predicate = st.predicate.value
        if not (turtle and predicate == _RDF_TYPE):
            iris.add(predicate)
        if isinstance(st.subject, ox.NamedNode) and not xml:
            iris.add(st.subject.value)
        o = st.object
        if isinstance(o, ox.NamedNode):
            if not xml or predicate == _RDF_TYPE:
                iris.add(o.value)
        elif isinstance(o, ox.Literal) and not xml:
            datatype = o.datatype.value
            if datatype not in _IMPLICIT_DATATYPES:
                bare = _BARE_LITERALS.get(datatype) if turtle else None
                if bare is None or not bare.fullmatch(o.value):
                    iris.add(datatype)
        if graphs and isinstance(st, ox.Quad) and isinstance(st.graph_name, ox.NamedNode):
            iris.add(st.graph_name.value)
    spaces = sorted(prefixes.items(), key=lambda pn: -len(pn[1]))
    used = set()
    for iri in iris:
        for prefix, ns in spaces:
            if iri.startswith(ns):
                used.add(prefix)
                break
    return {p: ns for p, ns in prefixes.items() if p in used}


#: Up to this many triples, JSON-LD is compacted (rdflib's writer: ~10 ms per page); beyond,
#: it stays expanded, as pyoxigraph writes it (a graph of generated data, say), whatever
#: profile is asked for.
COMPACT_JSON_LD_LIMIT = 20_000
JSON_LD_PROFILE = "http://www.w3.org/ns/json-ld#"


def json_ld_content_type(body: bytes) -> str:
    """The ``Content-Type`` of a JSON-LD document the endpoint wrote, naming its form as a
    profile: compacted where it is an object (rdflib's writer, which always puts the
    ``@context`` first), expanded where it is an array (pyoxigraph's writer, which writes no
    context)."""
    form = "compacted" if body[:64].lstrip()[:1] == b"{" else "expanded"
    return f'application/ld+json; profile="{JSON_LD_PROFILE}{form}"'


def compact_json_ld(triples: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """JSON-LD with ``prefixes`` as its ``@context`` (``"rdfs:label"``, ``"@type":
    ["kgo:City", …]``), which people and JavaScript read, instead of full IRIs everywhere."""
    import rdflib

    from kg.load import rdflib_term

    # the terms as they are, blank nodes keeping their labels (a parse of N-Triples would name
    # them anew each time, and the bytes, so the ETag, would change with every request), in
    # sorted order, which the writer follows
    graph = rdflib.Graph(bind_namespaces="none")
    for triple in sorted(triples, key=lambda t: (str(t.subject), str(t.predicate),
                                                 str(t.object))):
        graph.add((rdflib_term(triple.subject), rdflib_term(triple.predicate),
                   rdflib_term(triple.object)))
    # rdflib's public writer (its ``from_rdf`` is a plugin's internal), read back to sort it
    doc = json.loads(graph.serialize(format="json-ld", context=prefixes, auto_compact=True))
    # the writer gathers the nodes from a set of subjects, whose order follows the process's
    # hash seed: sorted, every worker and restart writes the same bytes (and ETag)
    if isinstance(doc, dict) and isinstance(doc.get("@graph"), list):
        doc["@graph"].sort(key=lambda node: str(node.get("@id", "")))
    # as rdflib's serializer writes it (without orjson)
    return json.dumps(doc, indent=2, separators=(",", ": "), sort_keys=True,
                      ensure_ascii=False).encode("utf-8")


_ITS_DECLARATION = b' xmlns:its="http://www.w3.org/2005/11/its"'
_ITS_NAME = re.compile(rb"[\s<]its:")


def without_unused_its(body: bytes) -> bytes:
    """RDF/XML as pyoxigraph writes it, less the declaration of ITS's namespace on its root
    where nothing uses it: the writer declares it in every document, for the ``its:dir`` and
    ``its:version`` of RDF 1.2's directional literals, which this data has none of. Harmless
    to a parser (an unused declaration is no statement), but a reader wonders what it is for.
    Kept wherever a name ``its:…`` may occur (after a space or ``<``: in text too, where
    "Limits:" is none): dropped only where nothing can need it. A pass over the bytes, so for
    what is written once (descriptions) or small (pages, a graph), not for a query's answer."""
    stripped = body.replace(_ITS_DECLARATION, b"", 1)
    return body if _ITS_NAME.search(stripped) else stripped


def write_triples(triples: list[ox.Triple], writer: ox.RdfFormat,
                  prefixes: dict[str, str], compact_limit: int | None = None, *,
                  json_ld_form: str | None = None) -> bytes:
    """Triples in a graph syntax, declaring the prefixes they use; JSON-LD compacted with
    them up to ``compact_limit`` triples (default :data:`COMPACT_JSON_LD_LIMIT`), unless
    ``json_ld_form`` is ``"expanded"``."""
    if writer == ox.RdfFormat.JSON_LD and json_ld_form == "expanded":
        return ox.serialize(triples, format=writer)
    used = used_prefixes(triples, prefixes, syntax=writer)
    limit = COMPACT_JSON_LD_LIMIT if compact_limit is None else compact_limit
    if writer == ox.RdfFormat.JSON_LD and len(triples) <= limit:
        return compact_json_ld(triples, used)
    return ox.serialize(triples, format=writer, prefixes=used)


class TripleTermsInJsonLd(NotAcceptable):
    """A graph asked for as JSON-LD that holds RDF 1.2 triple terms (``<<( s p o )>>``),
    which JSON-LD 1.1 has no form for: its ``triples`` (cut, and ``cut`` said, as the answer
    is), to be written in another syntax the client accepts, else a 406. Both of JSON-LD's
    writers failed on them, the compacting one as a 400 that blamed the request, pyoxigraph's
    (expanded, or over ``COMPACT_JSON_LD_LIMIT`` triples) as a 500."""

    def __init__(self, triples: list[ox.Triple], cut: bool):
        names = ", ".join(f.name for f in FORMATS if GRAPH in f.kinds and f.name != "jsonld")
        super().__init__("JSON-LD cannot hold the RDF 1.2 triple terms (<<( s p o )>>) of "
                         f"this answer: ask for another syntax: {names}")
        self.triples = triples
        self.cut = cut


def serialize(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
              fmt: ResultFormat, max_results: int, *,
              truncation_link: str | None = "",
              order: list[str] | None = None) -> tuple[bytes, bool]:
    """Serialise ``result`` in ``fmt``, keeping at most ``max_results`` rows or triples; a
    SELECT result's columns in the ``order`` given (its variables' names, all of them), if
    any, else pyoxigraph's. A cut SPARQL JSON or XML result carries ``truncation_link`` in
    its head, unless it is None (``kg query``, which says the cut on stderr).

    Returns the body and whether it was cut.
    """
    if isinstance(result, ox.QueryBoolean):
        return result.serialize(format=fmt.writer), False
    if isinstance(result, ox.QueryTriples):
        triples = list(islice(result, max_results + 1))
        cut = len(triples) > max_results
        if cut:
            del triples[max_results:]
        if fmt.writer == ox.RdfFormat.JSON_LD and any(
                isinstance(t.subject, ox.Triple) or isinstance(t.object, ox.Triple)
                for t in triples):
            raise TripleTermsInJsonLd(triples, cut)
        return write_triples(triples, fmt.writer, WRITE_PREFIXES,
                             json_ld_form=fmt.json_ld_form), cut
    if fmt.writer == ox.QueryResultsFormat.CSV:
        names = [v.value for v in result.variables]
        return write_csv(result, names if order is None else order, max_results)
    counter = _COUNTERS[fmt.writer](max_results)
    try:
        result.serialize(counter, format=fmt.writer)
    except _LimitReached:
        pass
    except OSError as exc:
        # pyoxigraph wraps an exception raised by the writer; ours means "limit reached".
        if counter.cut is None:
            raise
        del exc
    body = counter.result()
    if order is not None:
        names = [v.value for v in result.variables]
        if order != names:
            body = reorder_columns(body, fmt.writer, names, order)
    if counter.cut is None:
        return body, False
    if truncation_link is None:
        return body, True
    return _mark_truncated(body, fmt, truncation_link), True


_CSV_QUOTED = re.compile(r'[,"\r\n]')


def _csv_field(term) -> str:
    """A term as SPARQL 1.1 CSV writes it (section 4): an IRI bare, a blank node ``_:``
    and its label, a literal its lexical form, nothing for no binding; quoted, quotes doubled,
    where it holds a comma, a quote or a line break."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = "_:" + term.value
    elif isinstance(term, ox.NamedNode | ox.Literal):
        text = term.value
    else:  # a triple term: no CSV form is defined; its N-Triples text
        text = str(term)
    if _CSV_QUOTED.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(solutions, columns: list[str], max_results: int) -> tuple[bytes, bool]:
    """SELECT results as SPARQL 1.1 CSV (rows end with CRLF), the ``columns`` in that order,
    at most ``max_results`` rows; returns the body and whether it was cut. Written here, not
    by pyoxigraph, whose CSV leaves an IRI holding a comma unquoted (``http://e/a,b``): a
    client splits that row into one field too many."""
    lines = [",".join(columns)]  # variable names: never a comma, a quote or a line break
    cut = False
    for n, solution in enumerate(solutions):
        if n == max_results:
            cut = True
            break
        lines.append(",".join(_csv_field(solution[c]) for c in columns))
    lines.append("")
    return "\r\n".join(lines).encode("utf-8"), cut


def cut_result_chunks(chunks: Iterable[bytes], writer: ox.QueryResultsFormat, max_results: int,
                      link: str) -> tuple[bytes, bool]:
    """A SELECT results body already serialised elsewhere (a remote store's answer, in
    chunks), cut after ``max_results`` rows and marked as :func:`serialize` marks a cut, with
    the same row counters; no chunk is read past the cut. Returns the body and whether it was
    cut."""
    counter = _COUNTERS[writer](max_results)
    try:
        for chunk in chunks:
            counter.write(chunk)
    except _LimitReached:
        pass
    body = counter.result()
    if counter.cut is None:
        return body, False
    fmt = next(f for f in FORMATS if f.writer == writer)
    return _mark_truncated(body, fmt, link), True
