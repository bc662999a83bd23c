"""The SHACL validation service: ``POST /validate`` checks an RDF upload against the shapes;
``GET /validate`` is the upload form.

One code path with ``kg validate FILE``: the upload plus the ontology graph, closed under
OWL 2 RL and seen as the shapes see it, validated against ``ROOT/shapes``
(:func:`kg.validate.validate_closure`). The answer is the :class:`~kg.validate.Report` as
JSON (``kg validate --format json`` plus ``exit_code``), Turtle (an ``sh:ValidationReport``),
text, SARIF 2.1.0 or GitHub Actions annotations (what ``kg validate --format sarif|github``
prints, an error included) or an HTML page.

Statuses (``X-KG-Exit-Code`` carries ``kg validate``'s exit code on every answer):

* 200 with the report, whether or not the data conforms (exit 0 conforms, warnings or not;
  1 violations);
* 400 bad input (exit 2): unparsable (``file:line``), too deeply nested, a remote JSON-LD
  context, an XML DOCTYPE or entity declaration, a request that carries no file (a raw body
  of no bytes, a form sent without a file); an uploaded empty file is read as its syntax
  says, as ``kg validate FILE`` reads it (empty Turtle conforms);
* 406 a ``format`` the report is not in, or an ``Accept`` naming none (exit 2);
* 413 over ``max_upload_bytes`` or ``max_upload_triples``; 415 a syntax we cannot tell or read;
* 422 the upload is inconsistent under OWL 2 RL (exit 1, as ``kg validate`` exits);
* 503 reasoning and validation ran past ``validation_timeout`` and were stopped.

Safe parsing, all before rdflib sees the bytes: the size limit (``Content-Length`` and the bytes
read); a cheap scan that rejects nesting deeper than ``max_upload_nesting`` (Turtle/TriG
brackets, JSON arrays and objects, XML elements); JSON-LD whose ``@context`` is (or lists) a
URL or that uses ``@import`` is rejected, so rdflib never fetches a context; RDF/XML goes
through expat first and any DOCTYPE or entity declaration is rejected, internal entities too
(``kg validate FILE`` reads those: an upload is anyone's, and an entity can expand into
gigabytes; :data:`_NO_DOCTYPE`). Uploads are parsed from
memory and nothing is kept. Reasoning runs in a child process (``validation_timeout`` > 0)
that is killed at the deadline, so no upload can hold a worker longer.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.parsers import expat

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS
from werkzeug.exceptions import RequestEntityTooLarge

from kg.endpoint.pages import error_response
from kg.endpoint.protocol import best_match, first_format, named_formats, prefers_html
from kg.errors import (
    InconsistentGraph,
    InputError,
    KGError,
    NotAcceptable,
    ParseError,
    PayloadTooLarge,
    QueryTimeout,
    UnsupportedMediaType,
    UpdateRefused,
)
from kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, PROV, SHAPES, graph_iri_for
from kg.store import xml_syntax_error
from kg.validate import (
    Related,
    Report,
    Result,
    ValueAt,
    error_output,
    inverses_in,
    passages_in,
    passages_in_graphs,
    related_text,
    repeat_name,
    short_iri,
    shown_value,
    subproperties_in,
    with_passage_hints,
    with_prefix_warnings,
)

__all__ = ["bp", "parse_upload", "validate_graph", "syntax_for", "EXIT_CODE_HEADER"]

bp = Blueprint("validation", __name__)
log = logging.getLogger("kg.endpoint")

#: The response header that carries ``kg validate``'s exit code.
EXIT_CODE_HEADER = "X-KG-Exit-Code"
#: Memory a validation child process may use (bytes); past it the request gets 503.
CHILD_MEMORY = 2 * 1024**3

#: rdflib syntax names by media type and by file extension.
MEDIA_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle",
    "application/trig": "trig", "application/x-trig": "trig",
    "application/n-triples": "nt", "application/n-quads": "nquads",
    "application/ld+json": "json-ld", "application/json": "json-ld",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
}
EXTENSIONS = {
    ".ttl": "turtle", ".turtle": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads",
    ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml", ".xml": "xml",
}
_SYNTAX_NAMES = {"turtle": "Turtle", "trig": "TriG", "nt": "N-Triples", "nquads": "N-Quads",
                 "json-ld": "JSON-LD", "xml": "RDF/XML"}

#: Response formats: ``format`` parameter value -> media type (SARIF's is the one its
#: specification, 2.1.0 section 3.1, gives it).
_RESPONSE_TYPES = {"json": "application/json", "turtle": "text/turtle", "html": "text/html",
                   "text": "text/plain", "sarif": "application/sarif+json",
                   "github": "text/plain"}
#: The formats ``Accept`` can choose: GitHub's annotations are plain text, as the text report
#: is, so only ``?format=github`` asks for them.
_NEGOTIATED = {k: v for k, v in _RESPONSE_TYPES.items() if k != "github"}
_BY_MEDIA_TYPE = {v: k for k, v in _NEGOTIATED.items()}
#: The formats answered as ``kg validate --format`` prints them, a report or an error.
_AS_THE_CLI_PRINTS = {"sarif": "application/sarif+json",
                      "github": "text/plain; charset=utf-8"}
#: What an upload was validated with, when not alone: "dataset; replaced=GRAPH" or
#: "dataset; added".
CONTEXT_HEADER = "X-KG-Context"
_CORS = {"Access-Control-Allow-Origin": "*",
         "Access-Control-Expose-Headers": f"{EXIT_CODE_HEADER}, {CONTEXT_HEADER}"}


# -- parsing an upload safely ----------------------------------------------------------------

def syntax_for(media_type: str | None, filename: str | None) -> str | None:
    """The rdflib syntax of an upload: from its media type, else its file name's extension."""
    fmt = MEDIA_TYPES.get((media_type or "").split(";")[0].strip().lower())
    if fmt is None and filename:
        fmt = EXTENSIONS.get(Path(filename).suffix.lower())
    return fmt


# Tokens that can hold a bracket without opening anything: strings, IRIs, comments.
_TURTLE_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n\r]*"
    r"|[\[\](){}]", re.S)
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)
_OPENERS = frozenset("[({")


def _bracket_depth(text: str, tokens: re.Pattern, limit: int, name: str) -> None:
    depth = 0
    for m in tokens.finditer(text):
        token = m.group()
        if len(token) != 1:
            continue
        if token in _OPENERS:
            depth += 1
            if depth > limit:
                raise InputError(f"nested more than {limit} levels deep (setting "
                                 "max_upload_nesting)", path=name,
                                 line=text.count("\n", 0, m.start()) + 1)
        else:
            depth -= 1


def _text(data: bytes, name: str, syntax: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{syntax} must be UTF-8 (byte {exc.start} is not)", path=name,
                         line=data.count(b"\n", 0, exc.start) + 1) from None


def _check_json_ld(data: bytes, name: str, max_nesting: int):
    """The JSON document of a JSON-LD upload, checked: nesting, JSON, no remote context."""
    from kg.load import json_document, refuse_remote_contexts

    text = _text(data, name, "JSON-LD")
    _bracket_depth(text, _JSON_TOKENS, max_nesting, name)
    try:
        doc = json_document(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"not valid JSON: {exc.msg}", path=name, line=exc.lineno,
                         column=exc.colno) from None
    refuse_remote_contexts(doc, name)  # as kg validate FILE refuses them
    return doc


class _Refused(Exception):
    pass


#: Why an upload's DOCTYPE is refused, internal entities too, where ``kg validate FILE`` reads
#: internal ones: the service parses files from anyone, on a machine others share, and an
#: internal entity alone can expand a few hundred bytes into gigabytes ("billion laughs");
#: a file of one's own, on one's own machine, is the person's to read (expat's amplification
#: limit still holds there).
_NO_DOCTYPE = (
    "an XML DOCTYPE is not accepted in an upload, internal entities included: the service "
    "reads files from anyone, and an entity can expand a few hundred bytes into gigabytes "
    "(\"billion laughs\"); write the IRIs in full (or use XML namespaces), or validate the file "
    "with kg validate FILE, which reads internal entities")


def _check_xml(data: bytes, name: str, max_nesting: int) -> None:
    """Run expat over the upload first: no DOCTYPE, no entity declarations (so no entity
    expansion, internal or external), no nesting deeper than the limit."""
    parser = expat.ParserCreate()
    depth = 0

    def refuse(*_args: Any) -> None:
        raise _Refused(_NO_DOCTYPE)

    def start(*_args: Any) -> None:
        nonlocal depth
        depth += 1
        if depth > max_nesting:
            raise _Refused(f"nested more than {max_nesting} elements deep (setting "
                           "max_upload_nesting)")

    def end(*_args: Any) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise InputError(str(exc), path=name, line=parser.CurrentLineNumber) from None
    except expat.ExpatError as exc:
        raise xml_syntax_error(exc, name) from None


def _check(data: bytes, fmt: str, name: str, max_nesting: int):
    """The safety checks of an upload; for JSON-LD, its JSON document, which rdflib is given
    as it is (the JSON parsed once)."""
    # No test for an empty file: it is read as kg validate reads it, so Turtle, TriG,
    # N-Triples and N-Quads of no statements conform, while JSON-LD and RDF/XML of nothing are
    # not JSON or XML. A request that carries no file is refused before (_read_upload).
    if fmt in ("turtle", "trig"):
        _bracket_depth(_text(data, name, _SYNTAX_NAMES[fmt]), _TURTLE_TOKENS, max_nesting, name)
    elif fmt == "json-ld":
        return _check_json_ld(data, name, max_nesting)
    elif fmt == "xml":
        _check_xml(data, name, max_nesting)
    return None


def parse_upload(data: bytes, fmt: str, name: str, *, max_nesting: int) -> Graph:
    """The triples of an upload (a dataset's graphs merged, as ``kg validate`` merges a TriG
    or N-Quads file), after the safety checks. Raises InputError/ParseError (400)."""
    if fmt not in _SYNTAX_NAMES:
        raise UnsupportedMediaType(f"cannot read {fmt!r}")
    document = _check(data, fmt, name, max_nesting)
    base = "http://upload.invalid/" + quote(name)
    if fmt in ("trig", "nquads"):
        return _parse_dataset(data, fmt, name, base)
    from kg.load import check_read, rdflib_parse

    graph = Graph()
    try:
        rdflib_parse(graph, data if document is None else _for_rdflib(document), fmt, base)
    except RecursionError:
        raise InputError("nested too deeply to parse", path=name) from None
    except Exception as exc:  # rdflib raises many types for bad input: all are the upload's
        raise _parse_error(exc, data, fmt, name, base) from None
    check_read(data, fmt, name, base, graph, len(graph))  # as kg validate FILE reads it
    return graph


def _for_rdflib(document):
    """A JSON-LD document as rdflib's parser takes one already parsed: an object; a top-level
    array is the same nodes as the ``@graph`` of an object with no context (JSON-LD 1.1,
    expansion), and anything else, no JSON-LD, is given as its bytes, for rdflib to say so."""
    if isinstance(document, list):
        return {"@graph": document}
    return document if isinstance(document, dict) else json.dumps(document).encode("utf-8")


def _parse_dataset(data: bytes, fmt: str, name: str, base: str) -> Graph:
    """TriG and N-Quads as ``kg validate`` reads them (:func:`kg.load.read_dataset`): parsed by
    pyoxigraph, every graph's triples merged."""
    from kg.load import read_dataset

    graph = Graph()
    for part in read_dataset(data, fmt, name=name, base_iri=base).values():
        graph += part
    return graph


def _parse_error(exc: Exception, data: bytes, fmt: str, name: str, base: str) -> ParseError:
    """The error in an upload rdflib refused: pyoxigraph's, where it refuses it too (the line
    and column ``kg build`` gives; rdflib's line can be one late), else rdflib's."""
    from rdflib.plugins.parsers.notation3 import BadSyntax

    from kg.load import strict_syntax_error

    strict = strict_syntax_error(data, fmt, name, base)
    if strict is not None:
        return strict
    syntax = _SYNTAX_NAMES[fmt]
    if isinstance(exc, BadSyntax):
        why = getattr(exc, "_why", None) or str(exc)
        return ParseError(f"{syntax} syntax error: {why}", path=name, line=exc.lines + 1)
    first = (str(exc).strip() or type(exc).__name__).splitlines()[0][:300]
    line = getattr(exc, "getLineNumber", lambda: None)()
    return ParseError(f"not valid {syntax}: {first}", path=name, line=line)


# -- validating ------------------------------------------------------------------------------

def validate_graph(data: Graph, ontology: Graph, shapes: Graph,
                   validator: str = "fast", labels: bytes = b"",
                   named: str = "the upload") -> Report:
    """What ``kg validate FILE`` does with the file's triples: add the ontology, reason as the
    build does (owlrl where the upload uses OWL the fast path does not implement), validate the
    view the shapes see with the build's engine (setting ``validator``), and run the QC
    queries over the upload and the ontology (kg.qc), with ``labels`` (N-Triples: the served
    dataset's labels of what the upload refers to) as their context, their messages saying
    ``named`` where the queries say graph/ (:func:`kg.qc.said_of`). Raises
    InconsistentGraph."""
    from kg.qc import results_in_graphs, with_qc_results
    from kg.validate import validate_closure

    report = validate_closure([data, ontology], shapes, validator=validator)
    context = [Graph().parse(data=labels, format="nt")] if labels else []
    return with_qc_results(report, results_in_graphs([data], ontology, context, named=named))


class _Resources:
    """The ontology and shapes of one project root, read on first use (once per process)."""

    def __init__(self, root: Path):
        self.root = root
        self._lock = threading.Lock()
        self._loaded: tuple[Graph, Graph] | None = None

    def get(self) -> tuple[Graph, Graph]:
        with self._lock:
            if self._loaded is None:
                self._loaded = _load_resources(self.root)
            return self._loaded


def _load_resources(root: Path) -> tuple[Graph, Graph]:
    from kg.errors import ConfigError
    from kg.iris import ONTOLOGY_GRAPH
    from kg.load import load_shapes, load_sources

    try:
        return load_sources(root).graphs[ONTOLOGY_GRAPH], load_shapes(root)
    except InputError as exc:
        raise ConfigError(f"the validation service has no project to validate against: {exc}")\
            from None


def _run_in_child(data: bytes, fmt: str, name: str, settings: dict,
                  context: bytes = b"", labels: bytes = b"") -> Report:
    """Validate in a child process that is killed past ``validation_timeout``; ``context``
    (N-Triples) is validated with the upload, ``labels`` (N-Triples) is the QC queries'
    context (:func:`validate_graph`)."""
    budget = settings["validation_timeout"]
    cmd = [sys.executable, "-c",
           "from kg.endpoint.validation import _child_main; raise SystemExit(_child_main())",
           str(settings["root"]), fmt, name, str(settings["max_upload_nesting"]),
           str(len(context)), settings.get("validator", "fast"), str(len(labels))]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(context + labels + data, timeout=budget)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise QueryTimeout(f"reasoning and validation ran longer than {budget:g} s (setting "
                           "validation_timeout) and were stopped; send a smaller upload") from None
    try:
        answer = json.loads(out)
    except ValueError:
        if b"memory allocation of" in err:  # pyoxigraph (Rust) aborts where Python would raise
            answer = {"error": "memory"}
        else:
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise KGError(f"the validation process failed: {detail[0][:300]}") from None
    error = answer.get("error")
    if error == "inconsistent":
        raise InconsistentGraph(answer["message"])
    if error == "memory":
        raise QueryTimeout("reasoning needed more memory than a validation may use and was "
                           "stopped; send a smaller upload")
    if error:
        cls = {400: ParseError if answer.get("line") else InputError, 413: PayloadTooLarge,
               415: UnsupportedMediaType}.get(answer.get("status"), KGError)
        raise cls(answer["message"], path=answer.get("path"), line=answer.get("line"))
    report_graph = Graph().parse(data=answer["report"], format="nt")
    # a result's values come back as JSON objects: ValueAt again, as the report's methods read
    results = [Result(**{**r, "values": tuple(ValueAt(**v) for v in r.get("values") or ()),
                         "related": tuple(Related(**x) for x in r.get("related") or ())})
               for r in answer["results"]]
    return Report(conforms=answer["conforms"], results=results, graph=report_graph)


def _child_main() -> int:
    """The child process: argv ROOT SYNTAX NAME MAX_NESTING CONTEXT_BYTES VALIDATOR
    LABELS_BYTES, the context (N-Triples, CONTEXT_BYTES long), the labels (N-Triples,
    LABELS_BYTES long) then the upload on stdin, one JSON object on stdout."""
    import resource

    root, fmt, name, nesting, context_bytes, validator, labels_bytes = sys.argv[1:8]
    context_bytes, labels_bytes = int(context_bytes), int(labels_bytes)
    data = sys.stdin.buffer.read()
    context, labels = data[:context_bytes], data[context_bytes:context_bytes + labels_bytes]
    data = data[context_bytes + labels_bytes:]
    try:
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    except (ValueError, OSError):
        pass  # a lower hard limit is already in place
    from kg.load import json_read_once

    try:
        with json_read_once():
            graph = parse_upload(data, fmt, name, max_nesting=int(nesting))
        if context:
            graph += Graph().parse(data=context, format="nt")
        ontology, shapes = _load_resources(Path(root))
        report = validate_graph(graph, ontology, shapes, validator, labels,
                                _upload_named(name, bool(context)))
        answer: dict[str, Any] = {"conforms": report.conforms,
                                  "results": [asdict(r) for r in report.results],
                                  "report": report.graph.serialize(format="nt")}
    except InconsistentGraph as exc:
        answer = {"error": "inconsistent", "message": exc.message}
    except KGError as exc:
        answer = {"error": "input", "message": exc.message, "path": exc.path, "line": exc.line,
                  "status": exc.http_status}
    except MemoryError:
        answer = {"error": "memory"}
    sys.stdout.write(json.dumps(answer))
    return 0


def _curie(iri: str | None) -> str:
    """The shortest project CURIE of an IRI, for the page (the JSON keeps full IRIs)."""
    return "" if iri is None else short_iri(iri)


# -- the routes --------------------------------------------------------------------------------

@dataclass
class _Upload:
    data: bytes
    fmt: str
    name: str
    context: str | None = None  # what it was validated with (the X-KG-Context header)


@bp.record_once
def _install(state) -> None:
    settings = state.app.extensions["kg"].settings
    state.app.extensions["kg.validation"] = _Resources(Path(settings["root"]))


def _settings() -> dict:
    return current_app.extensions["kg"].settings


def _format_parameter() -> str | None:
    """The report format the ``format`` parameter names: the first of its values the report
    is in (:func:`~kg.endpoint.protocol.first_format`, as every route reads it); 406 where
    none is, as for an ``Accept`` naming none (the parameter overrides it), on every route
    that takes ``format`` (:func:`kg.endpoint.pages.format_not_offered`)."""
    given = named_formats(request.args.items(multi=True))
    if not given:
        return None
    found = first_format(given, lambda name: name in _RESPONSE_TYPES)
    if found is None:
        raise NotAcceptable(f"format={given} is not a format of the report (use one of: "
                            f"{', '.join(_RESPONSE_TYPES)})")
    return found


def _response_format() -> str:
    given = _format_parameter()
    if given:
        return given
    accept = request.headers.get("Accept", "")
    best = best_match(accept, list(_NEGOTIATED.values()))
    if best is None and accept.strip():
        raise NotAcceptable(f"cannot answer in any type of Accept: {accept[:200]} (the report "
                            f"is {', '.join(_NEGOTIATED.values())})")
    return _BY_MEDIA_TYPE.get(best or "", "json")


def _clean_name(given: str | None) -> str:
    """A file name fit for messages and a child's argv: the last segment, printable, short."""
    name = "".join(ch for ch in Path((given or "").replace("\\", "/")).name if ch.isprintable())
    return name[:120] or _NO_NAME


#: An upload's name where it was given none.
_NO_NAME = "upload"


def _read_upload(settings: dict) -> _Upload:
    limit = settings["max_upload_bytes"]
    too_large = PayloadTooLarge(f"the upload is larger than {limit} bytes (setting "
                                "max_upload_bytes)")
    if request.content_length is not None and request.content_length > limit + 64 * 1024:
        raise too_large  # the multipart envelope may add a little to the file itself
    request.max_content_length = limit + 64 * 1024
    try:
        if request.mimetype == "multipart/form-data":
            part = request.files.get("file")
            if part is None:
                raise InputError("no file: send the data in the multipart field 'file'")
            data = part.stream.read(limit + 1)
            if not data and not part.filename:  # a browser's form sent with no file chosen
                raise InputError("no file: choose a file to validate (the field 'file' came "
                                 "with neither a file name nor any bytes)")
            name = _clean_name(part.filename)
            fmt = (EXTENSIONS.get(Path(name).suffix.lower())
                   or syntax_for(part.mimetype, None))
        elif request.mimetype == "application/x-www-form-urlencoded" or (
                not request.mimetype and not request.args.get("filename")):
            raise UnsupportedMediaType(
                "say what the upload is: a Content-Type such as text/turtle (curl sends "
                "application/x-www-form-urlencoded unless told: -H 'Content-Type: "
                "text/turtle' --data-binary @FILE), a raw body without a "
                "Content-Type (or application/octet-stream) with ?filename=NAME.ttl, or a "
                "multipart field 'file' whose name ends in "
                f"{', '.join(list(EXTENSIONS)[:-1])} or {list(EXTENSIONS)[-1]}")
        else:
            data = request.get_data(cache=False)
            if not data:  # HTTP cannot tell an empty file from a body left out
                raise InputError(
                    "no data: the request has no body (curl sends none when --data-binary "
                    "@FILE cannot read FILE); to validate an empty file, upload it as the "
                    "multipart field 'file' (curl -F file=@FILE) or run kg validate FILE")
            name = _clean_name(request.args.get("filename"))
            fmt = syntax_for(request.mimetype, name)
    except RequestEntityTooLarge:
        raise too_large from None
    if len(data) > limit:
        raise too_large
    if fmt is None:
        raise UnsupportedMediaType(
            f"cannot tell the RDF syntax of {name!r} ({request.mimetype or 'no type'}): use "
            f"one of the types {', '.join(sorted(MEDIA_TYPES))} or the extensions "
            f"{', '.join(sorted(EXTENSIONS))}")
    return _Upload(data, fmt, name)


#: ``?context=`` values: what else the upload is validated with.
CONTEXTS = ("dataset",)


def _context_parameter() -> str | None:
    given = request.args.get("context")
    if given is None and request.mimetype == "multipart/form-data":
        given = request.form.get("context")  # the form's checkbox
    if given and given not in CONTEXTS:
        raise InputError(f"unknown context {given!r}: 'dataset' validates the upload with the "
                         "served dataset, leave it out to validate the upload alone")
    return given or None


def _dataset_context(name: str, upload_triples: int, settings: dict) -> tuple[bytes, str | None]:
    """The served dataset's asserted triples as N-Triples, less the ontology (the validation
    adds its own), the inferred graph (the validation reasons again) and the named graph the
    upload stands for: ``graph/NAME.ttl`` replaces ``…/graph/NAME``, so an edited file is
    checked against the rest of the graph as it is served. Returns the triples and the graph
    replaced (None when the upload is added). PayloadTooLarge when the upload and the context
    together are over ``max_upload_triples``: the limit bounds what one request reasons over.
    The served dataset never changes, so each context is computed once."""
    stem = Path(name).stem
    store = current_app.extensions["kg"].store
    # Only a name a graph file can have stands for a graph ("article-part1 (1).ttl", or a
    # name with "<" or ">", is added instead): nothing of the upload's name goes into the
    # query otherwise.
    replaced = None
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", stem) and \
            str(graph_iri_for(stem)) in set(store.named_graphs):
        replaced = str(graph_iri_for(stem))
    cache = current_app.extensions.setdefault("kg.validation.contexts", {})
    if replaced not in cache:
        left_out = [str(ONTOLOGY_GRAPH), str(INFERRED_GRAPH), *([replaced] if replaced else [])]
        text = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g NOT IN "
                f"({', '.join(f'<{g}>' for g in left_out)})) }}")
        lines = [f"{t.subject} {t.predicate} {t.object} .\n"
                 for t in store.query(text, has_dataset_clause=True)]
        cache[replaced] = (len(lines), "".join(lines).encode())
    count, context = cache[replaced]
    limit = settings["max_upload_triples"]
    if count + upload_triples > limit:
        raise PayloadTooLarge(
            f"with the served dataset ({count} triples besides the upload's {upload_triples}) "
            f"the validation would reason over more than {limit} triples (setting "
            "max_upload_triples); validate the project with `kg validate` instead")
    return context, replaced


#: An IRI that can go between < > in a query as it is.
_PLAIN_IRI = re.compile(r'[^\x00-\x20<>"{}|^`\\]+')


def _labels_of_references(graph: Graph) -> bytes:
    """The served dataset's labels (asserted graphs but the ontology) of the project IRIs the
    upload refers to, as N-Triples: the QC queries' context for an upload validated alone.
    Only what the upload names is asked for, so the cost follows the upload, not the dataset."""
    from kg.iris import BASE, KGO

    refs = sorted({str(o) for o in graph.objects() if isinstance(o, URIRef)
                   and str(o).startswith(BASE) and not str(o).startswith(str(KGO))
                   and _PLAIN_IRI.fullmatch(str(o))})
    store = current_app.extensions["kg"].store
    lines: list[str] = []
    for i in range(0, len(refs), 500):
        values = " ".join(f"<{r}>" for r in refs[i:i + 500])
        text = (f"CONSTRUCT {{ ?s <{RDFS.label}> ?l }} WHERE {{ VALUES ?s {{ {values} }} "
                f"GRAPH ?g {{ ?s <{RDFS.label}> ?l }} FILTER (?g NOT IN (<{ONTOLOGY_GRAPH}>, "
                f"<{INFERRED_GRAPH}>)) }}")
        lines += [f"{t.subject} {t.predicate} {t.object} .\n"
                  for t in store.query(text, has_dataset_clause=True)]
    return "".join(lines).encode()


def _upload_named(name: str, with_dataset: bool) -> str:
    """How a QC result's message names what it read (:func:`kg.qc.said_of`): the upload's file
    name, as ``kg validate`` names the file ("the upload" where none was given), "or the
    served dataset" where it was validated with it."""
    said = "the upload" if name == _NO_NAME else name
    return f"{said} or the served dataset" if with_dataset else said


def _report(upload: _Upload, settings: dict, context: str | None = None) -> Report:
    from kg.load import json_read_once

    # a JSON-LD upload's JSON is parsed once, for the checks, rdflib and the line finders
    with json_read_once():
        return _report_read_once(upload, settings, context)


def _report_read_once(upload: _Upload, settings: dict, context: str | None) -> Report:
    graph = parse_upload(upload.data, upload.fmt, upload.name,
                         max_nesting=settings["max_upload_nesting"])
    if len(graph) > settings["max_upload_triples"]:
        raise PayloadTooLarge(f"the upload has {len(graph)} triples; the validation service "
                              f"reasons over at most {settings['max_upload_triples']} "
                              "(setting max_upload_triples); use `kg validate` for more")
    extra, replaced = (_dataset_context(upload.name, len(graph), settings)
                       if context == "dataset" else (b"", None))
    upload.context = (None if context != "dataset" else
                      f"dataset; replaced={replaced}" if replaced else "dataset; added")
    # alone, the upload's references to what the served dataset describes are not dangling
    labels = _labels_of_references(graph) if context != "dataset" else b""
    if settings["validation_timeout"] > 0:
        report = _run_in_child(upload.data, upload.fmt, upload.name, settings, extra, labels)
    else:
        ontology, shapes = current_app.extensions["kg.validation"].get()
        validated = graph
        if extra:  # the upload's own graph stays as it was: the report is folded from it
            validated = Graph().parse(data=extra, format="nt")
            validated += graph
        report = validate_graph(validated, ontology, shapes, settings.get("validator", "fast"),
                                labels, _upload_named(upload.name, bool(extra)))
    if report.results:  # a passage cited by its number: the served dataset's passages
        store = current_app.extensions["kg"].store
        report = with_passage_hints(
            report, passages_in(store),
            lambda focus: {str(o) for o in graph.objects(
                URIRef(focus), PROV.wasDerivedFrom)} if not focus.startswith("_:")
            else set(), own=passages_in_graphs([graph]))
    # where each focus node is described in the upload (kg validate says the same), and a
    # prefix it declares again; the results one cause makes, folded from the upload's graph
    # in any syntax
    texts = ([(upload.name, upload.data.decode("utf-8", errors="replace"))]
             if upload.fmt in ("turtle", "trig", "nt", "nquads", "json-ld", "xml") else [])
    if not report.results:
        return with_prefix_warnings(report, texts)
    # with the served dataset, a result on a node the upload does not describe is at the line
    # of the project's file that does (the upload first: what it says is what is checked)
    served, changed = _served_texts(settings, replaced) if context == "dataset" else ([], set())
    # a value given by a sub-property or an inverse of a shape's path is at that triple: the
    # ontology's
    ontology = current_app.extensions["kg.validation"].get()[0]
    report = report.located(texts + served, [graph], subproperties_in(ontology),
                            inverses_in(ontology))
    if changed:
        report = _said_changed(report, changed)
    return with_prefix_warnings(report, texts)


def _said_changed(report: Report, changed: set[str]) -> Report:
    """``report`` with, on each result placed in a project file of ``changed`` (edited since
    the served dataset was built, :func:`_served_texts`), that its line is the file's as it is
    now: the served triples were read from the file as it was."""
    out = []
    for r in report.results:
        name = (r.location or "").rpartition(":")[0]
        if name in changed:
            r = replace(r, message=f"{r.message}; {name} has changed since the served dataset "
                        "was built: this is its line as the file is now, which may not be the "
                        "one the served triple came from")
        out.append(r)
    return replace(report, results=out)


def _served_texts(settings: dict, replaced: str | None
                  ) -> tuple[list[tuple[str, str]], set[str]]:
    """(name, text) of the project's ``graph/*.ttl`` files whose named graph the served
    dataset has (it was built from them) and the upload does not replace, each named relative
    to the project, ``graph/entities.ttl``: a person acts on that, and no path of the
    server's machine is shown; and the names of those changed since the build. A file whose
    SHA-256 is the one the served dataset's build-info.json records (``input_files``) is the
    file the triples came from: its text is kept, and its lines stay right however the file
    changes later. One that differs is read again at each request, and its name returned:
    the lines are those of the file as it is now (:func:`_said_changed` says so). Where the
    build recorded nothing (a dataset served from elsewhere, an older build), the files are
    read once, as they are. [] where the project has no such files."""
    import hashlib

    from kg.load import data_files

    cache = current_app.extensions.setdefault("kg.validation.served_texts", {})
    if "record" not in cache:
        cache["record"] = _built_file_digests()
    record: dict[str, str] | None = cache["record"]
    kept: dict[str, str] = cache.setdefault("kept", {})  # name -> the text the build read
    if record is None and "files" in cache:
        files = cache["files"]
    else:
        root = Path(settings["root"])
        graphs = {str(g) for g in current_app.extensions["kg"].store.named_graphs}
        try:
            files = [(str(graph_iri_for(p.stem)), p.relative_to(root).as_posix(), p)
                     for p in data_files(root) if str(graph_iri_for(p.stem)) in graphs]
        except KGError:
            files = []
        cache["files"] = files
    texts, changed = [], set()
    for graph, name, path in files:
        if graph == replaced:
            continue
        if name in kept:
            texts.append((name, kept[name]))
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        text = data.decode("utf-8", errors="replace")
        texts.append((name, text))
        if record is None or record.get(name) == hashlib.sha256(data).hexdigest():
            kept[name] = text
        else:
            changed.add(name)
    return texts, changed


def _built_file_digests() -> dict[str, str] | None:
    """Each input file's SHA-256 as the build of the served dataset recorded it
    (build-info.json's ``input_files``, beside the dataset file), where that record is of the
    bytes served: its ``dataset_sha256`` is the digest of the bytes the store loaded
    (:attr:`kg.store.DatasetStore.sha256`; :func:`kg.build.build_record`), not of the file
    as it is now, which a build since the start has replaced. None where nothing says (a
    dataset served from elsewhere, a remote store, a build before the record was kept, a
    record of another build)."""
    from kg.build import build_record

    store = current_app.extensions["kg"].store
    source, sha256 = getattr(store, "source", None), getattr(store, "sha256", None)
    if not source or not sha256:
        return None
    files = build_record(Path(source), sha256=sha256).get("input_files")
    if not isinstance(files, dict):
        return None
    return {str(k): str(v) for k, v in files.items()}


@bp.route("/validate", methods=["GET", "POST"])
def validate_upload() -> Response:
    """GET: the upload form. POST: the validation report of the uploaded RDF."""
    settings = _settings()
    try:
        if request.method in ("GET", "HEAD"):  # the form, whatever the Accept; a bad format
            # is still 406
            _format_parameter()
            return _page(200, settings)
        fmt = _response_format()
    except KGError as exc:  # a format or an Accept we cannot answer in (406), an update
        return _refused(exc)
    upload = None
    try:
        upload = _read_upload(settings)
        report = _report(upload, settings, _context_parameter())
    except InconsistentGraph as exc:
        return _error(exc, fmt, exit_code=1, status=422, upload=upload)
    except KGError as exc:
        return _error(exc, fmt, exit_code=2, upload=upload)
    headers = {EXIT_CODE_HEADER: str(report.exit_code), **_CORS}
    if upload.context:
        headers[CONTEXT_HEADER] = upload.context
    if fmt == "html":
        return _page(200, settings, report=report, upload=upload, headers=headers)
    if fmt == "turtle":
        return Response(report.as_turtle(), 200, headers,
                        content_type="text/turtle; charset=utf-8")
    if fmt == "text":
        return Response(report.as_text(), 200, headers, content_type="text/plain; charset=utf-8")
    if fmt == "sarif":
        if report.shapes is None:  # validated in a child process: the rules' descriptions
            report = replace(report, shapes=current_app.extensions["kg.validation"].get()[1])
        return Response(report.as_sarif(), 200, headers, content_type=_AS_THE_CLI_PRINTS[fmt])
    if fmt == "github":
        return Response(report.as_github(), 200, headers, content_type=_AS_THE_CLI_PRINTS[fmt])
    body = {"conforms": report.conforms, "exit_code": report.exit_code,
            "results": [asdict(r) for r in report.results]}
    if upload.context:
        body["context"] = upload.context
    return Response(json.dumps(body, indent=2, ensure_ascii=False) + "\n", 200, headers,
                    content_type="application/json")


@bp.errorhandler(UpdateRefused)
def _update_refused(exc: UpdateRefused) -> Response:
    """The 403 of SPARQL Update (:func:`kg.endpoint.routes._refuse_updates`), in this route's
    error format: JSON with ``X-KG-Exit-Code``, or the site's error page for a browser."""
    return _refused(exc)


def _refused(exc: KGError) -> Response:
    """A request refused before any upload is read (a format the report is not in, an Accept
    nothing can answer, an update), exit code 2: JSON, as a script reads it; for a browser (an
    Accept preferring HTML: a link followed with a mistyped format) the site's error page."""
    if prefers_html(request.headers.get("Accept")):
        return error_response(exc.http_status, str(exc), {EXIT_CODE_HEADER: "2", **_CORS})
    response = _error(exc, "json", exit_code=2)
    response.vary.add("Accept")  # a browser gets a page at the same URL
    return response


def _error(exc: KGError, fmt: str, *, exit_code: int, status: int | None = None,
           upload: _Upload | None = None) -> Response:
    status = status or exc.http_status
    if status >= 500 and status != 503:
        log.error("%s: %s", type(exc).__name__, exc)
    headers = {EXIT_CODE_HEADER: str(exit_code), **_CORS}
    if fmt == "html":
        return _page(status, _settings(), error=str(exc), upload=upload, headers=headers)
    if fmt == "json":
        # kg validate --format json's keys for what it cannot validate (conforms null, path,
        # line, column: null where unknown, no results), and "status" as every route's JSON
        # error has it (kg.endpoint.responses)
        body = {**json.loads(error_output(exc, "json")), "exit_code": exit_code,
                "status": status}
        return Response(json.dumps(body, ensure_ascii=False) + "\n", status, headers,
                        content_type="application/json")
    if fmt in _AS_THE_CLI_PRINTS:  # as kg validate writes it to stdout when it cannot validate
        return Response(error_output(exc, fmt), status, headers,
                        content_type=_AS_THE_CLI_PRINTS[fmt])
    return Response(str(exc).rstrip("\n") + "\n", status, headers,
                    content_type="text/plain; charset=utf-8")


def _page(status: int, settings: dict, *, report: Report | None = None,
          error: str | None = None, upload: _Upload | None = None,
          headers: dict | None = None) -> Response:
    html = render_template("validate.html", report=report, error=error, short=_curie,
                           shown_value=shown_value, repeat_name=repeat_name,
                           related_text=related_text,
                           shapes_base=SHAPES,
                           upload_name=upload.name if upload else None,
                           syntax=_SYNTAX_NAMES.get(upload.fmt) if upload else None,
                           exit_code=(report.exit_code if report else None),
                           limits=settings, extensions=sorted(EXTENSIONS))
    return Response(html, status, headers or {}, content_type="text/html; charset=utf-8")
