"""Stage 1, load: parse the project's Turtle files into named graphs (rdflib or pyoxigraph).

``ontology/*.ttl`` go into the ontology graph; each ``graph/NAME.ttl`` goes into the named graph
``<base>graph/NAME``. A file that does not parse raises :class:`kg.errors.ParseError` naming the
file and line.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg import reading
from kg.errors import InputError, KGError, ParseError
from kg.iris import ONTOLOGY_GRAPH, graph_iri_for

#: rdflib format names by file suffix, for the files ``kg validate`` accepts.
FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".n3": "n3",
    ".trig": "trig",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


@dataclass
class Sources:
    """The parsed inputs: one rdflib Graph per named graph, and the files each came from."""

    graphs: dict[URIRef, Graph] = field(default_factory=dict)
    files: dict[URIRef, list[Path]] = field(default_factory=dict)

    def union(self) -> Graph:
        """Every triple of every graph in one Graph (a copy)."""
        g = Graph()
        for part in self.graphs.values():
            g += part
        return g

    def __len__(self) -> int:
        return sum(len(g) for g in self.graphs.values())


def read_utf8(path: Path, what: str, *, bom: bool = False,
              advice: str = "save it as UTF-8") -> str:
    """The text of the file ``path`` (``what`` it is: "the query", "the sheet"), which must be
    UTF-8 (``bom``: a byte order mark allowed, as spreadsheets write one). InputError (exit 2,
    at the file) where it cannot be read, with the system's reason in words, or is not
    UTF-8, at the line of the first byte that is not, with ``advice``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror or exc}", path=str(path)) from None
    try:
        return data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not UTF-8 (byte {exc.start} is not): {advice}",
                         path=str(path), line=data.count(b"\n", 0, exc.start) + 1) from None


#: Within :func:`json_read_once`, the document of each JSON text read so far (by the text):
#: an upload to /validate is read by its safety checks, by rdflib and by the line finders.
_JSON_DOCUMENTS: ContextVar[dict[str, object] | None] = ContextVar("kg_json_documents",
                                                                   default=None)


@contextlib.contextmanager
def json_read_once() -> Iterator[None]:
    """Within it, :func:`json_document` parses each text once; the documents are let go of
    at its end. They are shared: a reader must not change one."""
    token = _JSON_DOCUMENTS.set({})
    try:
        yield
    finally:
        _JSON_DOCUMENTS.reset(token)


def json_document(text: str):
    """``json.loads(text)``, once per text within :func:`json_read_once` (an error, raised
    as json.loads raises it, is not kept: it ends the reading)."""
    import json

    documents = _JSON_DOCUMENTS.get()
    if documents is None:
        return json.loads(text)
    if text not in documents:
        documents[text] = json.loads(text)
    return documents[text]


def refuse_remote_contexts(doc, name: str) -> None:
    """InputError (exit 2, 400) where the JSON-LD document ``doc`` (parsed JSON) names a remote
    ``@context`` or an ``@import``, which rdflib would fetch: kg reads no network (as
    ``kg query`` refuses SERVICE), and ``kg validate FILE`` and ``POST /validate`` answer the
    same file alike."""
    todo = [doc]
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, dict):
            if "@import" in node:
                raise InputError("JSON-LD @import is not followed: give the context inline",
                                 path=name)
            context = node.get("@context")
            for item in context if isinstance(context, list) else [context]:
                if isinstance(item, str):
                    raise InputError(f"remote JSON-LD contexts are not fetched ({item[:100]!r})"
                                     ": give the @context inline", path=name)
            todo.extend(node.values())


def _refuse_remote_json_ld(data: bytes, name: str) -> None:
    """:func:`refuse_remote_contexts` of a JSON-LD file's bytes; JSON that does not parse is
    left to rdflib's parser, which says where."""
    try:
        doc = json_document(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return
    refuse_remote_contexts(doc, name)


class _ExternalDeclaration(Exception):
    pass


class _PastTheDTD(Exception):
    """The first element: every declaration has been read."""


def refuse_external_dtd_entities(data: bytes, name: str) -> None:
    """An RDF/XML file's DTD naming a file or URL (``<!ENTITY e SYSTEM "file:///etc/passwd">``,
    a PUBLIC one, an external DTD): an InputError at the declaration's line, before any
    parser sees the file. pyoxigraph refused one as "<!ENTITY values should be enclosed in
    double quotes", a mistake the file had not made. expat reads the declarations and
    fetches nothing (no handler for external entities is set). An internal entity, text in
    the file itself, is read as the build's parser reads it; XML that is not well-formed is
    left to the parsers, which say where."""
    from xml.parsers import expat

    parser = expat.ParserCreate()

    def doctype(_name, system_id, public_id, _internal) -> None:
        if system_id or public_id:
            raise _ExternalDeclaration(f"an external DTD ({system_id or public_id})")

    def entity(entity_name, is_parameter, _value, _base, system_id, public_id, *_rest) -> None:
        if system_id or public_id:
            what = "parameter entity %" if is_parameter else "entity "
            raise _ExternalDeclaration(f"the {what}{entity_name} ({system_id or public_id})")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = lambda entity_name, _b, system_id, *_: entity(
        entity_name, False, None, None, system_id, None)
    def element(*_args) -> None:
        raise _PastTheDTD

    parser.StartElementHandler = element
    try:
        parser.Parse(data, True)
    except _ExternalDeclaration as exc:
        raise InputError(f"external DTD entities are refused: {exc} names a file or URL, "
                         "which kg never reads; write its text in the file (or declare it "
                         'as an internal entity, <!ENTITY name "text">)', path=name,
                         line=parser.CurrentLineNumber) from None
    except (_PastTheDTD, expat.ExpatError):
        return


def parse_file(path: Path, into: Graph | None = None, fmt: str | None = None, *,
               warn: bool = True) -> Graph:
    """Parse one RDF file; raise ParseError with file:line when it is not well formed. A
    prefix a Turtle or TriG file declares again is logged as a warning unless not ``warn``
    (the build, whose report says it: :func:`kg.validate.with_prefix_warnings`)."""
    into = Graph() if into is None else into
    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"unknown RDF file type {path.suffix!r} (use one of: "
                         f"{', '.join(sorted(FORMATS))})", path=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    if fmt == "json-ld":
        _refuse_remote_json_ld(data, str(path))
    elif fmt == "xml":
        refuse_external_dtd_entities(data, str(path))
    base = path.resolve().as_uri()
    before = len(into)
    # into a graph of its own when ``into`` holds triples already: what a parser that gave up
    # part way added can then be taken out
    target = into if not before else Graph()
    said_at = reading.set(str(path))  # an ill-typed literal is said at its place (kg)
    try:
        try:
            rdflib_parse(target, data, fmt, base)
        except RecursionError:
            # rdflib's Turtle parser recurses once per level of [ … ] or ( … ): past about
            # 120 levels Python's stack runs out, on a file pyoxigraph (the build's parser)
            # reads. Read it with pyoxigraph then, as kg build would.
            _parse_with_pyoxigraph(target, data, fmt, path, base)
        if target is not into:
            into += target
            for prefix, namespace in target.namespaces():
                into.bind(prefix, namespace, override=False)
    except BadSyntax as exc:
        raise strict_syntax_error(data, fmt, str(path), base) or ParseError(
            _bad_syntax_message(exc), path=str(path), line=exc.lines + 1) from exc
    except Exception as exc:  # rdflib raises many types for bad input; all are the user's input
        raise strict_syntax_error(data, fmt, str(path), base) or ParseError(
            f"not valid {fmt}: {_first_line(exc)}", path=str(path), line=_line_of(exc)) from exc
    finally:
        reading.reset(said_at)
    check_read(data, fmt, str(path), base, into, len(into) - before)
    if warn and fmt in ("turtle", "trig"):
        warn_of_redeclared_prefixes(data, str(path))
    return into


def _parse_with_pyoxigraph(into: Graph, data: bytes, fmt: str, path: Path, base: str) -> None:
    """``data`` read by pyoxigraph into ``into``, a graph that held nothing before rdflib gave
    up on ``data`` part way (what rdflib added is taken out first)."""
    import pyoxigraph as ox

    from kg.store import rdf_syntax_error

    if fmt not in STRICT_FORMATS:
        raise ParseError(f"nested too deeply for rdflib's {fmt} parser", path=str(path))
    into.remove((None, None, None))
    syntax = getattr(ox.RdfFormat, STRICT_FORMATS[fmt])
    try:
        triples = [q.triple for q in ox.parse(input=data, format=syntax, base_iri=base)]
    except SyntaxError as exc:
        raise rdf_syntax_error(exc, str(path), syntax, data) from None
    # N-Triples, which rdflib reads line by line: blank nodes keep their identity
    into.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def rdflib_parse(graph: Graph, data, fmt: str, base: str) -> None:
    """rdflib's ``Graph.parse`` of ``data`` into ``graph``, without the warning rdflib's own
    JSON-LD parser gives for building a ConjunctiveGraph (which rdflib 7 deprecates): rdflib's
    business, not the user's. ``data``: bytes, or for JSON-LD a JSON document already parsed
    (which rdflib reads as it is, and does not change)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph.parse(data=data, format=fmt, publicID=base)


def check_read(data: bytes, fmt: str, name: str, base: str, graph: Graph, added: int) -> None:
    """After rdflib has read ``data`` into ``graph`` (``added`` triples), refuse what it should
    not have let through, as ParseError: what pyoxigraph, which the build loads with, refuses
    (:func:`check_strictly`); an invalid IRI in the syntaxes pyoxigraph does not check for us
    (:func:`check_iris`); JSON-LD of which nothing was read (it drops, without a word, a node
    whose @id is not an IRI and a key no context maps, and nothing would "conform")."""
    check_strictly(data, fmt, name, base)
    if fmt not in STRICT_FORMATS:
        check_iris(graph, name)
    if fmt == "json-ld" and not added and data.strip():
        raise ParseError("the JSON-LD holds no triples: a node whose @id is not a valid IRI, "
                         "or a key that no @context maps to an IRI, is dropped", path=name)


def _not_an_iri_warning(record: logging.LogRecord) -> bool:
    return "does not look like a valid URI" not in record.getMessage()


# rdflib logs a warning for each IRI it lets through but should not (one with a space); the
# strict check below reports the first of them as an error with file, line and column.
logging.getLogger("rdflib.term").addFilter(_not_an_iri_warning)

#: The syntaxes pyoxigraph reads exactly as the build does, by rdflib format name.
STRICT_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "xml": "RDF_XML", "trig": "TRIG",
                  "nquads": "N_QUADS"}


def check_strictly(data: bytes, fmt: str, name: str, base: str) -> None:
    """Raise ParseError (file:line:column) where pyoxigraph, which the build loads with, refuses
    what rdflib let through (an IRI with a space, say): so ``kg validate`` and ``/validate``
    refuse the files ``kg build`` refuses, instead of validating a mangled reading of them."""
    error = strict_syntax_error(data, fmt, name, base)
    if error is not None:
        raise error


def strict_syntax_error(data: bytes, fmt: str, name: str, base: str) -> ParseError | None:
    """pyoxigraph's syntax error in ``data`` (``name:line:column``, as ``kg build`` says it),
    or None where it reads ``data`` or does not read ``fmt``. Also asked where rdflib refused
    the data: rdflib's line is one late after a ``"…"@lang,`` at the end of a line, and it
    gives no column."""
    import pyoxigraph as ox

    from kg.store import rdf_syntax_error

    if fmt not in STRICT_FORMATS:
        return None
    syntax = getattr(ox.RdfFormat, STRICT_FORMATS[fmt])
    try:
        for _ in ox.parse(input=data, format=syntax, base_iri=base):
            pass
    except SyntaxError as exc:
        return rdf_syntax_error(exc, name, syntax, data)
    return None


#: What no IRI may hold (RFC 3987; what pyoxigraph refuses): spaces and controls, <>"{}|\^`.
_NOT_IN_IRIS = re.compile(r'[\x00-\x20<>"{}|\\^`]')


def check_iris(graph: Graph, name: str) -> None:
    """Raise ParseError for an IRI no RDF syntax allows that rdflib read anyway (from JSON-LD,
    which pyoxigraph does not check for us: it drops such a node without a word)."""
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and _NOT_IN_IRIS.search(term):
                raise ParseError(f"invalid IRI <{term}> (an IRI has no spaces, quotes, <, >, "
                                 "{, }, |, ^, ` or backslash)", path=name)


def source_files(root: Path) -> list[tuple[URIRef, list[Path]]]:
    """The named graphs of the project and the files each is read from, in a stable order:
    ``ontology/*.ttl`` into the ontology graph, each ``graph/NAME.ttl`` into its own graph."""
    ontology_files = sorted((root / "ontology").glob("*.ttl"))
    if not ontology_files:
        raise InputError("no ontology: expected ontology/*.ttl", path=str(root))
    graph_files = sorted((root / "graph").glob("*.ttl"))
    if not graph_files:
        raise InputError("no data: expected graph/*.ttl", path=str(root))
    return [(ONTOLOGY_GRAPH, ontology_files),
            *((graph_iri_for(path.stem), [path]) for path in graph_files)]


def shown_path(path: Path) -> str:
    """``path`` as the commands print it: relative to the working folder where it is under it
    (``build/kg.nq``, ``graph/x.ttl`` in the project folder, as given on a command line),
    else absolute; a path printed stays one the shell that ran the command can open."""
    path = Path(path)
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def data_files(root: Path) -> list[Path]:
    """The project's data files, ``graph/*.ttl``: :func:`source_files` but the ontology's."""
    return [p for name, paths in source_files(root) if name != ONTOLOGY_GRAPH for p in paths]


def load_sources(root: Path, *, warn: bool = True) -> Sources:
    """Parse ontology/*.ttl and graph/*.ttl under ``root`` into rdflib graphs; ``warn`` as
    :func:`parse_file`'s."""
    sources = Sources()
    for name, paths in source_files(root):
        _load_into(sources, name, paths, warn)
    return sources


_log = logging.getLogger("kg.load")

#: A prefix declaration at the start of a line (Turtle's ``@prefix``, SPARQL's ``PREFIX``).
_PREFIX_LINE = re.compile(rb"^[ \t]*@?prefix[ \t]+([A-Za-z][\w.-]*)?:[ \t]*<([^>\n]*)>",
                          re.IGNORECASE | re.MULTILINE)


def redeclared_prefixes(data: bytes) -> list[tuple[int, str, str]]:
    """Each prefix a Turtle or TriG text declares again with another IRI, as (its line, the
    IRI it declares there, what is wrong in words): Turtle allows it, and every name written
    after it then means an IRI of the other namespace (a second ``@prefix unit:`` made
    hundreds of results, none naming it)."""
    said: dict[bytes, tuple[bytes, int]] = {}
    out = []
    for m in _PREFIX_LINE.finditer(data):
        prefix, iri = m[1] or b"", m[2]
        line = data.count(b"\n", 0, m.start()) + 1
        if prefix in said and said[prefix][0] != iri:
            name = prefix.decode("utf-8", "replace")
            out.append((line, iri.decode("utf-8", "replace"),
                        f"@prefix {name}: declared again, as "
                        f"<{iri.decode('utf-8', 'replace')}> (line {said[prefix][1]} "
                        f"declared <{said[prefix][0].decode('utf-8', 'replace')}>): every "
                        f"{name}: name after it is an IRI of the second; remove one"))
        said[prefix] = (iri, line)
    return out


def warn_of_redeclared_prefixes(data: bytes, name: str) -> None:
    """Log a warning at ``NAME:LINE`` for each prefix ``data`` declares again with another IRI
    (:func:`redeclared_prefixes`)."""
    for line, _, message in redeclared_prefixes(data):
        _log.warning("%s:%d: %s", name, line, message)


def load_store(root: Path, *, warn: bool = True):
    """Parse the same files as :func:`load_sources` into the named graphs of a new in-memory
    pyoxigraph ``Store`` (the build's scale path).
    Relative IRIs resolve against each file's URI, as in :func:`load_sources`; ``warn`` as
    :func:`parse_file`'s."""
    import pyoxigraph as ox

    from kg.store import rdf_syntax_error

    store = ox.Store()
    for name, paths in source_files(root):
        graph = ox.NamedNode(str(name))
        for path in paths:
            try:
                if warn:  # the text scanned, then let go of before the store reads the file
                    warn_of_redeclared_prefixes(path.read_bytes(), shown_path(path))
                store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph,
                           base_iri=path.resolve().as_uri())
            except SyntaxError as exc:
                raise rdf_syntax_error(exc, shown_path(path), ox.RdfFormat.TURTLE) from None
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror}",
                                 path=shown_path(path)) from exc
    return store


def shape_files(root: Path) -> list[Path]:
    """The project's shapes files (``shapes/*.ttl``), in name order."""
    return sorted((root / "shapes").glob("*.ttl"))


def check_project_folder(root: Path) -> None:
    """Raise InputError where ``root`` is no folder: a mistyped ``--root`` or ``KG_ROOT``
    said "no shapes", and ``kg build`` made the folder to write its build into."""
    if not root.is_dir():
        what = "a file, not a project folder" if root.exists() else "no such project folder"
        raise InputError(f"{what} (--root DIR or KG_ROOT: the folder holding "
                         "ontology/, graph/ and shapes/)", path=str(root))


def load_shapes(root: Path) -> Graph:
    """Parse every shapes/*.ttl into one graph."""
    check_project_folder(root)
    shapes = Graph()
    files = shape_files(root)
    if not files:
        raise InputError("no shapes: expected shapes/*.ttl", path=str(root))
    for path in files:
        parse_file(path, into=shapes)
    return shapes


def input_files(root: Path) -> list[Path]:
    """Every file the build reads, in a stable order."""
    return [p for d in ("ontology", "graph", "shapes") for p in sorted((root / d).glob("*.ttl"))]


def _load_into(sources: Sources, name: URIRef, paths: list[Path], warn: bool = True) -> None:
    g = sources.graphs.setdefault(name, Graph())
    for path in paths:
        with _shown_in_errors(path):
            parse_file(path, into=g, warn=warn)
        sources.files.setdefault(name, []).append(path)


@contextlib.contextmanager
def _shown_in_errors(path: Path):
    """An error about the project file ``path`` names it as the commands print paths
    (:func:`shown_path`: ``graph/x.ttl:12:5`` in the project folder), not by the absolute
    path the project folder's setting gives."""
    try:
        yield
    except KGError as exc:
        if exc.path == str(path):
            exc.path = shown_path(path)
        raise


def _bad_syntax_message(exc: BadSyntax) -> str:
    why = getattr(exc, "_why", None) or str(exc)
    return f"Turtle syntax error: {why}"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def _line_of(exc: Exception) -> int | None:
    m = re.search(r"line[: ]+(\d+)", str(exc), re.IGNORECASE)
    return int(m.group(1)) if m else None


def read_dataset(source: Path | bytes, fmt: str | None = None, *, name: str | None = None,
                 base_iri: str | None = None) -> dict[URIRef | None, Graph]:
    """Read an RDF dataset (a file, or bytes named ``name``) in N-Quads or TriG — any triple
    format goes to the default graph, keyed ``None`` — into one rdflib Graph per graph name.
    ``fmt`` is a file suffix or a format name (``trig``, ``nquads``); by default the file's
    suffix. Parsed by pyoxigraph, which is fast and strict; syntax errors raise ParseError with
    file:line."""
    import pyoxigraph as ox

    from kg.store import rdf_syntax_error

    formats = {".nq": ox.RdfFormat.N_QUADS, "nquads": ox.RdfFormat.N_QUADS,
               ".trig": ox.RdfFormat.TRIG, "trig": ox.RdfFormat.TRIG,
               ".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE}
    where = name or str(source) if isinstance(source, Path) else name or "<data>"
    ox_format = formats.get(fmt or (source.suffix.lower() if isinstance(source, Path) else ""))
    if ox_format is None:
        raise InputError(f"unknown dataset format {fmt!r} (use .nq, .trig, .nt or .ttl)",
                         path=where)
    graphs: dict[URIRef | None, Graph] = {}
    given = {"path": str(source)} if isinstance(source, Path) else {"input": source}
    said_at = reading.set(str(source) if isinstance(source, Path) else None)
    try:
        for quad in ox.parse(**given, format=ox_format, base_iri=base_iri):
            graph = quad.graph_name
            key = None if isinstance(graph, ox.DefaultGraph) else URIRef(graph.value)
            graphs.setdefault(key, Graph()).add(
                (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object)))
    except SyntaxError as exc:
        raise rdf_syntax_error(exc, where, ox_format,
                               None if isinstance(source, Path) else source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=where) from exc
    finally:
        reading.reset(said_at)
    return graphs


def rdflib_term(term):
    """The rdflib term for a pyoxigraph term (RDF-star triple terms are refused)."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if not isinstance(term, ox.Literal):
        raise InputError("RDF-star triple terms are not supported")
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    if dt == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(dt))


def ox_term(term):
    """The pyoxigraph term for an rdflib term (the inverse of :func:`rdflib_term`)."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise InputError(f"not an RDF term: {term!r}")
