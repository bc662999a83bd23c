"""The embedded, read-only store that answers SPARQL: a pyoxigraph ``Store`` in memory.

pyoxigraph is the query engine (rdflib stays for parsing, owlrl and pyshacl elsewhere): it is
10-60x faster than rdflib's SPARQL on joins, date ranges and aggregates and fails fewer W3C
query-evaluation tests. A :class:`DatasetStore` holds the named graphs of one dataset file.

**The default graph is the union of all graphs** (the store's default graph and every named
graph), unless the query names its own dataset (``FROM`` / ``FROM NAMED``) or the protocol
request does (``default-graph-uri`` / ``named-graph-uri``): then exactly those graphs are used,
taken from the store alone - an IRI the store does not hold is an empty graph, never fetched.

**A default graph made of several graphs is their RDF merge: a triple held by two of them is
in it once.** pyoxigraph 0.5 matches such a triple once per graph (``COUNT`` counts it twice;
Oxigraph issue #1919, fixed after 0.5.13). So the store finds, once, which graphs share
triples; where the graphs of a default graph do, their merge is made into a graph of its own
(:data:`MERGE_PREFIX`, never listed, dumped or matched by ``GRAPH ?g``) and the query runs
over that. A dataset whose graphs share nothing - the built graph - pays nothing at query time.

**A graph named twice is in the dataset once** (two ``FROM`` of it, or two
``default-graph-uri``, are one graph of the merge; two ``FROM NAMED`` one named graph): the
graphs are handed to pyoxigraph each once, even those of the query's own ``FROM`` clauses,
which pyoxigraph 0.5.13 would otherwise match once per mention.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol
from xml.parsers import expat

import pyoxigraph as ox

from kg.errors import InputError, ParseError

__all__ = ["DatasetStore", "ReadOnlyStore", "QueryResult", "COUNT_DISTINCT_TRIPLES",
           "MERGE_PREFIX", "hashing_reader", "parse_dataset", "query_threads", "rdf_format_for",
           "gc_paused", "rdf_syntax_error", "rows_of_each", "solution_dicts",
           "xml_syntax_error", "query_syntax_error", "check_query_syntax"]

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

_EXTENSIONS = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".n3": ox.RdfFormat.N3,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}

_POSITION = re.compile(r"error at (\d+):(\d+): ")

#: Names of the graphs holding merges (see the module's docstring); no dataset file uses them.
MERGE_PREFIX = "urn:x-kg:merge:"
#: The merges of FROM / default-graph-uri combinations one process keeps (the union's apart).
_MAX_MERGES = 8
_DEFAULT = ""  # the store's default graph, among graph names
#: The triples of the default graph, each once: a store may count a triple held by two of the
#: graphs it merges once per graph (pyoxigraph / Oxigraph up to 0.5.13, Virtuoso).
COUNT_DISTINCT_TRIPLES = ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
                          "{ ?s ?p ?o } }")


def rdf_format_for(path: str | Path) -> ox.RdfFormat:
    """The RDF syntax of a dataset file, from its extension (``.gz`` is not read)."""
    suffix = Path(path).suffix.lower()
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        known = ", ".join(sorted(_EXTENSIONS))
        raise InputError(f"unknown RDF file extension {suffix!r} (known: {known})",
                         path=str(path)) from None


def rdf_syntax_error(exc: SyntaxError, path: str | Path, fmt: ox.RdfFormat,
                     data: bytes | None = None) -> ParseError:
    """pyoxigraph's SyntaxError for an RDF file (or for ``data``, named ``path``) as a
    ParseError at ``file:line:column`` (the parser's own "Parser error at line L column C"
    left out: the place says it)."""
    where = exc.args[1] if len(exc.args) > 1 and exc.args[1] else None
    if where and where[1] is None:  # RDF/XML's errors: a place of Nones
        where = None
    message = " ".join(str(exc.args[0] if exc.args else exc).split())
    message = re.sub(r"^Parser error at [^:]*: ", "", message)
    if (not where or (where[1], where[2]) == (1, 1)) and fmt in _REFUSE_BOM and (
            data.startswith(_BOM) if data is not None else _starts_with_bom(path)):
        # The parser names the invisible U+FEFF as the token it refuses (JSON-LD and
        # RDF/XML read past it: their errors are their own).
        message = ("the file begins with a byte order mark (U+FEFF), which the parsers refuse: "
                   "save it as UTF-8 without a BOM")
    if not where and fmt == ox.RdfFormat.RDF_XML:
        # pyoxigraph's RDF/XML errors carry no place
        if data is None:
            try:
                data = Path(path).read_bytes()
            except OSError:
                data = b""
        place = _rdf_xml_place(data, message)
        if _BAD_LANGUAGE_TAG.match(message):
            message += (" (a language tag is letters, then subtags of letters or digits each"
                        ' after one \'-\': write xml:lang="en", "en-GB", "vi")')
        if isinstance(place, expat.ExpatError):
            return xml_syntax_error(place, path)
        where = (None, *place) if place else None
    if where and message == _DOT_EXPECTED and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        message += _missing_end(data, path, where[1], where[2])
    if where and fmt == ox.RdfFormat.TURTLE and message.startswith(
            ("{ is not a valid predicate", "GRAPH is not a valid subject")):
        message += _TRIG_IN_TURTLE
    if where and message.startswith(_LANGUAGE_TAG_AT) and _after_a_language_tag(
            data, path, where[1], where[2]):
        message = "a language tag ends with '-' (@en-)" + _LANGUAGE_TAG_HINT
    return ParseError(f"{fmt.name} syntax error: {message}", path=str(path),
                      line=where[1] if where else None, column=where[2] if where else None)


#: What a Turtle file's ``{`` after a subject, or its ``GRAPH``, most likely is: TriG's named
#: graph (``graph:x { … }``, ``GRAPH graph:x { … }``), which Turtle has no syntax for.
_TRIG_IN_TURTLE = (" (a TriG named graph, NAME { … }, in a Turtle file? Turtle has no graphs:"
                   " write the triples without the braces, or save the file as .trig)")

#: pyoxigraph's words for the '-' that ends a language tag (``"Kampuchea"@en- ;``), which its
#: Turtle-family lexers read as the sign of a number; and its RDF/XML error for a bad tag.
_LANGUAGE_TAG_AT = "An integer should not be empty"
_BAD_LANGUAGE_TAG = re.compile(r"error while parsing language tag '")
_LANGUAGE_TAG_HINT = (" (a language tag is letters, then subtags of letters or digits each after"
                      " one '-': write @en, @en-GB, @vi)")


def _after_a_language_tag(data: bytes | None, path: str | Path, line: int, column: int) -> bool:
    """Whether the character at ``line``:``column`` follows a literal's language tag
    (``"…"@en`` and then the ``-`` pyoxigraph names)."""
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError:
            return False
    lines = data.decode("utf-8", errors="replace").splitlines()
    if not 0 < line <= len(lines):
        return False
    return re.search(r'["\']@[A-Za-z]+(?:-[A-Za-z0-9]+)*$', lines[line - 1][:column - 1]) \
        is not None


#: pyoxigraph's words where a statement goes on past its last object.
_DOT_EXPECTED = "A dot is expected at the end of statements"


def _missing_end(data: bytes | None, path: str | Path, line: int, column: int) -> str:
    """Where a statement runs on because the line before ends without its ``;`` or ``.``
    (``kgo:figureOf event:x`` and then ``prov:wasDerivedFrom p:11 .``): pyoxigraph names the
    next line's first term, where nothing is wrong. When that term begins its line, the line
    to look at is the last one before it that holds anything but a comment. Else ""."""
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError:
            return ""
    lines = data.decode("utf-8", errors="replace").splitlines()
    if not 0 < line <= len(lines):
        return ""
    text = lines[line - 1]
    if column - 1 != len(text) - len(text.lstrip()):
        return ""
    before = next((n for n in range(line - 1, 0, -1)
                   if lines[n - 1].strip() and not lines[n - 1].lstrip().startswith("#")), None)
    if before is None:
        return ""
    return f" (is a ';' or a '.' missing at the end of line {before}?)"


def xml_syntax_error(exc: expat.ExpatError, path: str | Path) -> ParseError:
    """expat's error for a document that is not well-formed XML, at ``file:line:column``: what
    ``kg validate`` and ``POST /validate`` say of such an RDF/XML file, in the same words."""
    return ParseError(f"not well-formed XML: {expat.ErrorString(exc.code)}", path=str(path),
                      line=exc.lineno, column=exc.offset + 1)


def not_an_absolute_iri(text: str) -> str | None:
    """Why ``text`` is no absolute IRI, in pyoxigraph's words (the store's own rule: "No scheme
    found in an absolute IRI", "Invalid IRI code point ' '"); None where it is one."""
    try:
        ox.NamedNode(text)
    except ValueError as exc:
        return str(exc)
    return None


def _check_graph_iris(default_graph: Sequence[str], named_graphs: Sequence[str]) -> None:
    """Raise InputError, naming the parameter, for a ``default-graph-uri`` or
    ``named-graph-uri`` that is no absolute IRI (pyoxigraph's own words named neither the
    parameter nor the value: "No scheme found in an absolute IRI")."""
    for parameter, iris in (("default-graph-uri", default_graph),
                            ("named-graph-uri", named_graphs)):
        for iri in iris:
            why = not_an_absolute_iri(iri)
            if why is not None:
                shown = iri if len(iri) <= 200 else iri[:200] + "…"
                raise InputError(f"{parameter} {shown!r} is not an absolute IRI ({why}): name "
                                 "a graph by its full IRI, as the service description "
                                 "(GET /sparql) lists them")


class _DoctypeMet(Exception):
    pass


def _rdf_xml_place(data: bytes, message: str) -> expat.ExpatError | tuple[int, int] | None:
    """Where in RDF/XML ``data`` the error pyoxigraph gives without a place lies: for an IRI it
    refuses, the line and column of the IRI's first occurrence as the message quotes it; else,
    where the data is not well-formed XML, expat's error (with its line and column).
    None where neither tells. expat stops at a DOCTYPE: no entity of a file is expanded here."""
    iri = re.match(r"error while parsing IRI '(.*)': ", message)
    tag = _BAD_LANGUAGE_TAG.match(message) and re.match(
        r"error while parsing language tag '(.*)': ", message)
    if tag:  # at its xml:lang
        found = re.search(rb"""xml:lang\s*=\s*["']""" + re.escape(tag[1].encode("utf-8"))
                          + rb"""["']""", data)
        if found is None:
            return None
        start = data.rfind(b"\n", 0, found.start()) + 1
        return (data.count(b"\n", 0, found.start()) + 1,
                len(data[start:found.start()].decode("utf-8", "replace")) + 1)
    if iri:
        offset = data.find(iri[1].encode("utf-8"))
        if offset < 0:
            return None
        start = data.rfind(b"\n", 0, offset) + 1
        return (data.count(b"\n", 0, offset) + 1,
                len(data[start:offset].decode("utf-8", "replace")) + 1)
    parser = expat.ParserCreate()

    def doctype(*_args: object) -> None:
        raise _DoctypeMet

    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        return exc
    except _DoctypeMet:
        pass
    return None


_BOM = b"\xef\xbb\xbf"
_REFUSE_BOM = frozenset({ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N_TRIPLES,
                         ox.RdfFormat.N_QUADS, ox.RdfFormat.N3})


def _starts_with_bom(path: str | Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(3) == _BOM
    except OSError:
        return False


#: A sentence among the parser's expected tokens ("SELECT * is not authorized with GROUP BY"):
#: the checks that follow the grammar say what is wrong in words.
_SENTENCE = re.compile(r"(?:^expected (?:one of )?|, )([A-Z][\w*]*(?: [^\s,\[\]\"]+)+)(?=,|$)")
_SENTENCES = {
    "IRI parsing failed": "invalid IRI (an IRI has no spaces, quotes, <, >, {, }, |, ^, ` or "
                          "backslash, and a valid scheme and port)",
    "The SELECT contains a variable that is unbound": (
        "the SELECT contains a variable that is unbound (with an aggregate such as COUNT, "
        "every other selected variable must be in GROUP BY)"),
    "The SELECT contains an expression with a variable that is unbound": (
        "an expression in SELECT uses a variable that is neither grouped nor aggregated (with "
        "GROUP BY or an aggregate such as COUNT: group by the variable, or by the expression "
        "named, GROUP BY (LANG(?l) AS ?lang), and select the name)"),
    # also where no GROUP BY is written: an aggregate anywhere groups (FILTER(COUNT(?s) > 1))
    "SELECT * is not authorized with GROUP BY": (
        "SELECT * is not allowed where the solutions are grouped, by GROUP BY or by an "
        "aggregate (COUNT, SUM...) anywhere in the query, which makes them one group: select "
        "the grouped variables and aggregates by name, SELECT ?x (COUNT(?y) AS ?n) (an "
        "aggregate filters in HAVING, after GROUP BY, not in FILTER)"),
    "The SELECT overrides an existing variable using an expression": (
        "an expression in SELECT is named (AS ?x) after a variable the query already has: "
        "give it a new name"),
}


def query_syntax_error(exc: SyntaxError, text: str) -> ParseError:
    """The :class:`ParseError` of the engine's ``SyntaxError`` on the query ``text``: with its
    line and column, in words where the text tells why."""
    from kg.endpoint.query_text import diagnose

    message = str(exc.args[0]) if exc.args else str(exc)
    where = _POSITION.match(message)
    # in words, where the text tells why (and the mistake is not past the parser's stop)
    diagnosis = diagnose(text, (int(where[1]), int(where[2])) if where else None)
    if diagnosis is not None:
        return ParseError(diagnosis[0], line=diagnosis[1], column=diagnosis[2])
    if where:
        return ParseError(_readable(message[where.end():]), line=int(where[1]),
                          column=int(where[2]))
    return ParseError(_readable(message))


def check_query_syntax(text: str, base_iri: str | None = None) -> None:
    """Raise the :class:`ParseError` a malformed query gets, without running it on the data:
    parsed by the engine over an empty store. For the requests refused before their query
    runs (a precondition), which a malformed query must not be: its 400 comes first (RFC
    9110, 13.2.1). The engine evaluates what it parses (an ``ASK`` at once, ``VALUES`` and
    all; a ``SERVICE`` fetched): check the text as any query first, and give this the time
    limit (:func:`kg.endpoint.responses._parse_checked`)."""
    try:
        ox.Store().query(text, base_iri=base_iri)
    except SyntaxError as exc:
        raise query_syntax_error(exc, text) from None


def _readable(message: str, limit: int = 300) -> str:
    """The parser's message: its sentence where it has one, else its list of expected tokens
    cut to a readable length."""
    message = " ".join(message.split())
    sentence = _SENTENCE.search(message)
    if sentence:
        return _SENTENCES.get(sentence[1], sentence[1])
    return message if len(message) <= limit else message[:limit].rstrip() + " ..."


def _graph_name(term: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


class ReadOnlyStore(Protocol):
    """What the endpoint asks of a store: :class:`DatasetStore` here, or
    :class:`kg.remote.RemoteStore` over a remote SPARQL endpoint."""

    source: str | None
    named_graphs: tuple[str, ...]
    quad_count: int
    triple_count: int  # in the default graph: the union, each triple once
    union_default_graph: bool

    def query(self, text: str, *, default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, has_dataset_clause: bool = False,
              base_iri: str | None = None) -> QueryResult: ...

    def select(self, text: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        ...


class DatasetStore:
    """A read-only RDF dataset answering SPARQL 1.1 queries through pyoxigraph.

    ``union_default_graph=False`` gives the plain SPARQL semantics (the default graph is the
    store's default graph only); the W3C conformance runner uses it.
    """

    def __init__(self, store: ox.Store, *, source: str | None = None,
                 union_default_graph: bool = True, graph_sizes: dict[str, int] | None = None,
                 shared_pairs: frozenset[frozenset[str]] | None = None,
                 sha256: str | None = None):
        """``graph_sizes`` (the quads of each graph, by name) and ``shared_pairs`` (see the
        attribute), where the caller knows them for ``store`` (the build records them:
        :func:`kg.build.dataset_facts`), are taken as they are, not counted and looked for.
        ``sha256``: the digest of the bytes of ``source`` that ``store`` was loaded from."""
        self._store = store
        self.source = source
        #: The SHA-256 of the bytes loaded from ``source`` (None where not read from a file):
        #: what build-info.json must record to vouch for what is served, the file on disk
        #: being another build's once a build replaces it (:func:`kg.build.build_record`).
        self.sha256 = sha256
        self.union_default_graph = union_default_graph
        # The store never changes after loading, so everything below is computed once.
        named = sorted(store.named_graphs(), key=_graph_name)
        self._graph_terms: list[ox.NamedNode | ox.BlankNode] = named
        self.named_graphs: tuple[str, ...] = tuple(
            g.value for g in named if isinstance(g, ox.NamedNode))
        sizes = _graph_sizes(store) if graph_sizes is None else graph_sizes
        #: The quads of each graph by name (the default graph's under ``""``), as counted here
        #: or recorded by the build; the statistics read them (:mod:`kg.endpoint.description`).
        self.graph_sizes: dict[str, int] = sizes
        self.quad_count = sum(sizes.values())
        #: Pairs of graphs sharing at least one triple (the default graph is ``""``).
        self.shared_pairs: frozenset[frozenset[str]] = (
            _shared_pairs(store, named, sizes) if shared_pairs is None else shared_pairs)
        # Not a BoundedCache (which forgets every entry at its bound): each merge is a graph in
        # the store, removed when forgotten, the oldest first; the union's is kept, uncounted.
        self._merges: dict[tuple[str, ...], ox.NamedNode] = {}
        self._merge_lock = threading.Lock()
        self._union: ox.NamedNode | None = None
        if union_default_graph and self.shared_pairs:
            self._union = self._merge_of(None)
        # triple_count: the union's triples, each once (``quad_count`` less those held twice)
        if not self.shared_pairs:
            self.triple_count = self.quad_count
        elif self._union is not None:
            self.triple_count = len(store) - self.quad_count  # the union's merge, just made
        else:
            row = next(iter(store.query(COUNT_DISTINCT_TRIPLES, use_default_graph_as_union=True)))
            self.triple_count = int(row[0].value)

    @classmethod
    def load(cls, path: str | Path, *, format: ox.RdfFormat | None = None,
             union_default_graph: bool = True, lenient: bool = False,
             graph_sizes: dict[str, int] | None = None,
             shared_pairs: frozenset[frozenset[str]] | None = None) -> DatasetStore:
        """Read a dataset file (N-Quads, TriG, Turtle, N-Triples, RDF/XML, JSON-LD, N3).

        ``lenient`` is for the build's own output only (bytes whose digest build-info.json
        records, :func:`kg.build.load_built`): every term in it was checked when the build
        read or made it, so the parser does not check IRIs and language tags again (a quarter
        to a third less time at scale). A file from anywhere else is checked. ``graph_sizes``
        and ``shared_pairs`` are for the build's own output too
        (:func:`kg.build.dataset_facts`): what the build knows of the file is not found again
        (:meth:`__init__`)."""
        digest = hashlib.sha256()
        store = parse_dataset(path, format=format, lenient=lenient, digest=digest)
        return cls(store, source=str(path), union_default_graph=union_default_graph,
                   graph_sizes=graph_sizes, shared_pairs=shared_pairs,
                   sha256=digest.hexdigest())

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad], *, union_default_graph: bool = True,
                   source: str | None = None) -> DatasetStore:
        """A store holding the given quads (tests, generated data)."""
        store = ox.Store()
        store.extend(quads)
        return cls(store, source=source, union_default_graph=union_default_graph)

    def __len__(self) -> int:
        return self.quad_count

    def query(self, text: str, *, default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, has_dataset_clause: bool = False,
              base_iri: str | None = None) -> QueryResult:
        """Evaluate a SPARQL query; the result is lazy (solutions are computed as read).

        ``default_graph`` / ``named_graphs`` are the protocol's ``default-graph-uri`` and
        ``named-graph-uri``: when either is given they replace the query's own dataset, and the
        one not given is empty (SPARQL 1.1 Protocol, 2.1.4); a graph listed twice is there
        once (SPARQL 1.1 Query, 13.2). ``has_dataset_clause`` says the query has
        ``FROM``/``FROM NAMED``: the union default graph must then not override it.
        Raises :class:`~kg.errors.ParseError` with line and column for a malformed query.
        """
        if default_graph is not None or named_graphs is not None:
            _check_graph_iris(default_graph or (), named_graphs or ())
        try:
            if default_graph is not None or named_graphs is not None:
                return self._query_dataset(text, base_iri, list(dict.fromkeys(default_graph or ())),
                                           list(dict.fromkeys(named_graphs or ())))
            if self.union_default_graph and not has_dataset_clause:
                if self._union is not None:
                    return self._store.query(text, base_iri=base_iri,
                                             default_graph=self._union,
                                             named_graphs=self._graph_terms)
                return self._store.query(text, base_iri=base_iri,
                                         use_default_graph_as_union=True)
            return self._query_own_dataset(text, base_iri)
        except SyntaxError as exc:
            raise query_syntax_error(exc, text) from None
        except ValueError as exc:  # e.g. an invalid graph IRI given by the protocol
            raise InputError(str(exc)) from None

    def select(self, text: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """Run a SELECT over the whole dataset and return its rows as dicts (small results)."""
        return solution_dicts(self.query(text))

    # -- merges ------------------------------------------------------------------------------
    def _query_own_dataset(self, text: str, base_iri: str | None) -> QueryResult:
        """A query with its own dataset (``FROM``), or none: the store's default graph, every
        named graph (internal queries that tell the graphs apart with ``GRAPH``) - in both
        cases without the merges' graphs.

        The FROM clauses are read here and handed to the engine, each graph once (the engine
        would match a graph named twice twice), the merge standing for FROM graphs that
        share triples. A text whose clauses are not read here with certainty goes to the
        engine as it is: it names what is wrong with it."""
        from kg.endpoint.query_text import query_dataset

        dataset = query_dataset(text, base_iri)
        if dataset is None:
            return self._store.query(text, base_iri=base_iri)
        default, named = dataset
        if default or named:
            try:
                for iri in (*default, *named):
                    ox.NamedNode(iri)
            except ValueError:  # an IRI the engine refuses: it says where
                return self._store.query(text, base_iri=base_iri)
            return self._query_dataset(text, base_iri, default, named)
        if not self.shared_pairs:
            return self._store.query(text, base_iri=base_iri)
        return self._store.query(text, base_iri=base_iri, default_graph=ox.DefaultGraph(),
                                 named_graphs=self._graph_terms)

    def _query_dataset(self, text: str, base_iri: str | None, default: list[str],
                       named: list[str]) -> QueryResult:
        """``text`` over the dataset of ``default`` and ``named`` graphs, each listed once:
        the default graph is their merge where two of them share triples."""
        named_terms = [ox.NamedNode(g) for g in named]
        default_terms = [ox.NamedNode(g) for g in default]
        merged = self._merge_of(default) if self.shared_pairs and len(default) > 1 else None
        return self._store.query(text, base_iri=base_iri, named_graphs=named_terms,
                                 default_graph=default_terms if merged is None else merged)

    def _merge_of(self, graphs: Sequence[str] | None) -> ox.NamedNode | None:
        """The graph holding the RDF merge of ``graphs`` (None: every graph, the store's
        default graph too), made now if need be; None when no two of them share a triple."""
        if graphs is None:
            key = tuple(sorted({_DEFAULT, *(_graph_name(g) for g in self._graph_terms)}))
        else:  # a graph the store does not hold is empty: it adds nothing to the merge
            key = tuple(sorted(set(graphs).intersection(self.named_graphs)))
        if not any(frozenset((a, b)) in self.shared_pairs
                   for i, a in enumerate(key) for b in key[i + 1:]):
            return None
        with self._merge_lock:
            merged = self._merges.get(key)
            if merged is not None:
                return merged
            if graphs is not None and len(self._merges) - (self._union is not None) >= _MAX_MERGES:
                oldest = next(k for k, g in self._merges.items() if g != self._union)
                self._store.remove_graph(self._merges.pop(oldest))
            merged = ox.NamedNode(MERGE_PREFIX + hashlib.sha256(
                "\n".join(key).encode()).hexdigest()[:32])
            # In the engine (3.6 s for 1.2M quads; ~6 s through Python). Named IRIs are the
            # store's own (no '>' in them); the union is made before any other merge exists.
            if graphs is None:
                where = "WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
            else:
                where = "".join(f"USING <{g}> " for g in key) + "WHERE { ?s ?p ?o }"
            self._store.update(f"INSERT {{ GRAPH <{merged.value}> {{ ?s ?p ?o }} }} {where}")
            self._merges[key] = merged
            return merged


class _Digest(Protocol):
    """A :mod:`hashlib` object: what :func:`parse_dataset` feeds the bytes it reads."""

    def update(self, data: bytes | memoryview, /) -> None: ...


def parse_dataset(path: str | Path, *, format: ox.RdfFormat | None = None, lenient: bool = False,
                  digest: _Digest | None = None) -> ox.Store:
    """A pyoxigraph store holding the dataset file ``path`` (see :meth:`DatasetStore.load`).

    ``digest`` (a :mod:`hashlib` object) is updated with the file's bytes as the parser reads
    them: the file is opened and read once, so the digest is that of the bytes loaded even
    if the file is replaced meanwhile (:func:`kg.build.load_built` takes build-info.json's
    facts only for them). Through a 1 MiB buffer, as fast as the parser reading the path."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such dataset file", path=str(path))
    fmt = format or rdf_format_for(path)
    store = ox.Store()
    try:
        # Store.load, not Store.bulk_load: in pyoxigraph 0.5's in-memory store the bulk
        # loader leaves a layout that answers the same queries up to 1.4x slower and holds
        # ~200 MB more at 1M quads (bench/README.md, "Results"); loading takes as long.
        if digest is None:
            store.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri(),
                       lenient=lenient)
        else:
            with open(path, "rb", buffering=0) as raw:
                store.load(input=hashing_reader(raw, digest), format=fmt,
                           base_iri=path.resolve().as_uri(), lenient=lenient)
    except SyntaxError as exc:
        if fmt == ox.RdfFormat.RDF_XML:
            # pyoxigraph refuses an external entity as "<!ENTITY values should be enclosed in
            # double quotes", a mistake the file did not make: say what it is, as kg validate
            from kg.load import refuse_external_dtd_entities

            refuse_external_dtd_entities(path.read_bytes(), str(path))
        raise rdf_syntax_error(exc, path, fmt) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    return store


def hashing_reader(raw: io.RawIOBase, digest: _Digest) -> io.BufferedReader:
    """``raw`` (a file opened unbuffered) to give a parser, updating ``digest`` with its bytes
    as they are read: the digest is that of the bytes parsed, from one read of the file."""
    # the parser asks for ~2 kB at a time: the buffer makes the hashing reader's calls
    # (Python) a few hundred, not 50,000 per 100 MB
    return io.BufferedReader(_HashingReader(raw, digest), buffer_size=1 << 20)


class _HashingReader(io.RawIOBase):
    """A binary file whose bytes, as they are read, update ``digest``."""

    def __init__(self, raw: io.RawIOBase, digest: _Digest):
        self._raw = raw
        self._digest = digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        n = self._raw.readinto(buffer)
        if n:
            self._digest.update(memoryview(buffer)[:n])
        return n


def _graph_sizes(store: ox.Store) -> dict[str, int]:
    """The quads of each graph of ``store`` by name (the default graph's under ``""``, when
    it holds any): one pass over the quads, as ``len(store)`` makes."""
    sizes = {_graph_name(r[0]): int(r[1].value) for r in store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    default = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)
    if default:
        sizes[_DEFAULT] = default
    return sizes


def _shared_pairs(store: ox.Store, named: Sequence[ox.NamedNode | ox.BlankNode],
                  sizes: dict[str, int]) -> frozenset[frozenset[str]]:
    """The pairs of graphs (``""``: the default graph) that hold a triple in common; ``sizes``
    are the graphs' quads (:func:`_graph_sizes`). No pair when there is a single graph.

    Each named graph but the largest looks its triples up in the other graphs: every pair of
    named graphs has a member that is not the largest, so every pair is found, and the largest
    graph (the inferred one of a build, 80 % of the quads) is looked up, never scanned. At 1M
    asserted triples of bench/build.py, 4-6 s against 25 s for one pass over every quad."""
    has_default = _DEFAULT in sizes
    if len(named) + has_default < 2:
        return frozenset()
    largest = max(named, key=lambda g: sizes.get(_graph_name(g), 0), default=None)
    pairs: set[frozenset[str]] = set()
    for g in named:
        if g == largest:
            continue
        if isinstance(g, ox.NamedNode):
            rows = store.query(f"SELECT DISTINCT ?b WHERE {{ GRAPH {g} {{ ?s ?p ?o }} "
                               f"GRAPH ?b {{ ?s ?p ?o }} FILTER (?b != {g}) }}")
        else:  # a blank node names no graph in a query: the graph as the default one
            rows = store.query("SELECT DISTINCT ?b WHERE { ?s ?p ?o GRAPH ?b { ?s ?p ?o } }",
                               default_graph=g, named_graphs=[h for h in named if h != g])
        pairs.update(frozenset((_graph_name(g), _graph_name(r[0]))) for r in rows)
    if has_default:
        pairs.update(frozenset((_DEFAULT, _graph_name(r[0]))) for r in store.query(
            "SELECT DISTINCT ?g WHERE { ?s ?p ?o GRAPH ?g { ?s ?p ?o } }"))
    return frozenset(pairs)


def solution_dicts(solutions: ox.QuerySolutions
                   ) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """Each solution as a dict of its bound variables. A solution is read once, in order:
    by name, ``row[n]`` made each term twice (measured on an entity query of 385k rows at 1M
    quads: 5.3 s that way, 3.1-4.3 s this way; the reconciliation index now reads its rows
    as tuples where their order allows, see ``kg.reconciliation._rows``)."""
    names = [v.value for v in solutions.variables]
    return [{n: t for n, t in zip(names, row, strict=True) if t is not None} for row in solutions]


def query_threads() -> int:
    """How many queries :func:`rows_of_each` evaluates at a time: the cores this process may
    run on, at most 4 (the build's and ``kg validate``'s checks are a few hundred queries)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def rows_of_each(store: ox.Store, queries: Sequence[str], threads: int | None = None,
                 **options) -> Iterator[tuple[list[str], list[ox.QuerySolution]]]:
    """Each SELECT query's variable names and solutions, in the order of ``queries``, each
    query run with ``options`` (``use_default_graph_as_union``, ``named_graphs``…).

    They are evaluated ``threads`` at a time (default :func:`query_threads`): pyoxigraph lets
    go of Python's lock while it evaluates a query and finds each solution, so on two cores
    two queries take the time of one. What the caller does with the solutions stays in its
    own thread, in order: the same results, in the same order, as one query after another
    (``threads=1``). Solutions are held until read: for checks and QC queries, whose answers
    on data worth building are few."""
    def rows(text: str) -> tuple[list[str], list[ox.QuerySolution]]:
        solutions = store.query(text, **options)
        try:
            return [v.value for v in solutions.variables], list(solutions)
        finally:
            del solutions  # here, in its own thread, even when an error keeps this frame

    threads = query_threads() if threads is None else max(1, threads)
    if threads == 1 or len(queries) < 2:
        yield from map(rows, queries)
        return
    with gc_paused(), ThreadPoolExecutor(threads, thread_name_prefix="kg-query") as pool:
        yield from pool.map(rows, queries)


_PAUSES = [0, False]  # threads in gc_paused, and whether the collector was on before the first
_PAUSES_LOCK = threading.Lock()


@contextmanager
def gc_paused() -> Iterator[None]:
    """No garbage collection while the block runs (the collector is turned back on when the
    last such block ends, if it was on before the first). pyoxigraph's query results
    (``QuerySolutions``, ``QueryTriples``) must be freed in the thread that made them, or
    pyoxigraph leaks them with a "dropped on another thread" error; a collection runs in
    whichever thread allocates, and the main thread's frames end up in reference cycles
    (rdflib's SPARQL parser raises and catches exceptions by the thousand), query results in
    their locals. So the collector is paused while the threads of :func:`rows_of_each` and
    of the build run, and the results made in them are freed there, never left in a cycle."""
    import gc

    with _PAUSES_LOCK:
        if _PAUSES[0] == 0:
            _PAUSES[1] = gc.isenabled()
            gc.disable()
        _PAUSES[0] += 1
    try:
        yield
    finally:
        with _PAUSES_LOCK:
            _PAUSES[0] -= 1
            if _PAUSES[0] == 0 and _PAUSES[1]:
                gc.enable()
