"""The browser UI: YASGUI bound to ``/sparql`` at ``/``, and a plain server-rendered form.

YASGUI (npm ``@zazuko/yasgui``) is installed by the setup command into ``ROOT/node_modules``
and served from there by :func:`yasgui_asset` - never copied into git. Its files are read once
per process and, where the client accepts gzip, gzipped once and kept, as the dumps are
(``yasgui.min.js``, 1 MB, is 0.3 MB gzipped), each coding with its own ``ETag``. Where it is
missing, ``/`` is the plain form: it needs no JavaScript, runs the query through the same checks and
limits as ``/sparql`` and renders a table. The form is always at ``/form`` too, and answers a
browser's ``GET /sparql?query=…`` (a shared link; see :func:`.protocol.prefers_html`).

Example queries come from ``ROOT/tests/competency/*.rq`` (the first line of each, ``# title``,
names it; the second, ``# Passages: …``, places it in the article: :func:`load_examples`) or,
where there are none, from a few built-in ones.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, render_template, request

from kg.endpoint import compression
from kg.endpoint.caching import cache_control, conditional
from kg.endpoint.dumps import byte_range
from kg.endpoint.pages import local_path, representation_or_error
from kg.endpoint.protocol import read_request
from kg.endpoint.query_text import decomposed_literal, result_columns, without_bom
from kg.endpoint.state import EndpointState, per_app
from kg.endpoint.watchdog import timeout_message
from kg.errors import KGError, QueryTimeout
from kg.iris import BASE, PREFIXES, sparql_prologue
from kg.literals import literal_text

__all__ = ["bp", "load_examples", "EXAMPLE_GROUPS", "declared_passages", "static_file",
           "BUILTIN_EXAMPLES", "STATIC_DIR", "YASGUI_FILES", "form_literal"]

bp = Blueprint("ui", __name__)

#: The files of the YASGUI package that the page loads.
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")

BUILTIN_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Named graphs and their sizes",
     "SELECT ?graph (COUNT(*) AS ?triples)\nWHERE { GRAPH ?graph { ?s ?p ?o } }\n"
     "GROUP BY ?graph\nORDER BY DESC(?triples)\n"),
    ("Classes and how many members each has",
     "SELECT ?class (COUNT(DISTINCT ?thing) AS ?members)\nWHERE { ?thing a ?class }\n"
     "GROUP BY ?class\nORDER BY DESC(?members)\nLIMIT 50\n"),
    ("Things and their labels",
     "SELECT ?thing ?label\nWHERE { ?thing rdfs:label ?label }\nORDER BY ?label\nLIMIT 100\n"),
    ("Events in date order",
     "SELECT ?event ?label ?start\nWHERE {\n  ?event kgo:startDate ?start .\n"
     "  OPTIONAL { ?event rdfs:label ?label }\n}\nORDER BY ?start\nLIMIT 100\n"),
)


def yasgui_dir(root: Path) -> Path | None:
    """Where YASGUI's built files are, if the setup command installed them."""
    build = root / "node_modules" / "@zazuko" / "yasgui" / "build"
    return build if all((build / f).is_file() for f in YASGUI_FILES) else None


#: The example groups, in the order offered: questions on a few passages, in the article's
#: order (the first one is the query the UI opens with); questions across the article; checks
#: on the graph as a whole (``# Passages: none``).
EXAMPLE_GROUPS = ("Passage by passage", "Across the article", "On the graph as a whole")

#: A question naming more passages than this is one across the article.
FEW_PASSAGES = 4

#: The source a bare passage number of a ``# Passages:`` line belongs to (another source's is
#: written with its name: ``article-part2:5``), ordered first.
FIRST_SOURCE = "article-part1"


def declared_passages(line: str) -> list[tuple[str, int]]:
    """(source name, passage number) for each passage a competency query's ``# Passages:``
    line names: "2, 13" for part 1's, "article-part2:5" for another source's; none for
    "none" (a check on the whole). tests/test_competency.py reads the line with it too."""
    return [(name or FIRST_SOURCE, int(n))
            for name, n in re.findall(r"(?:([a-z0-9][a-z0-9-]*):)?(\d+)", line)]


def _passages(text: str) -> list[tuple[bool, str, int]]:
    """The passages a competency query's second line (``# Passages: 2, 13``) names, as
    sortable (another source's, source, number); none for ``none`` or no such line."""
    lines = text.split("\n", 2)
    line = lines[1] if len(lines) > 1 else ""
    if not line.startswith("# Passages:"):
        return []
    return sorted((name != FIRST_SOURCE, name, n) for name, n in declared_passages(line))


def load_examples(root: Path) -> list[dict[str, str]]:
    """Example queries: ``tests/competency/*.rq`` titled by their first ``#`` line and grouped
    (:data:`EXAMPLE_GROUPS`) by the passages their second line names: the few-passage
    questions in the order of their first passage, then those across the article, then the
    checks, each by name. Where there are none, built-in ones (with the project's PREFIX
    lines), in one group."""
    examples = []
    folder = root / "tests" / "competency"
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else ():
        text = path.read_text(encoding="utf-8")
        first = text.split("\n", 1)[0].strip()
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        passages = _passages(text)
        group = (2 if not passages else 0 if len(passages) <= FEW_PASSAGES else 1)
        examples.append(((group, passages[:1] if group == 0 else [], path.stem),
                         {"title": title or path.stem, "query": text, "source": path.name,
                          "group": EXAMPLE_GROUPS[group]}))
    if examples:
        return [example for _, example in sorted(examples, key=lambda pair: pair[0])]
    prologue = sparql_prologue()
    return [{"title": title, "query": f"# {title}\n{prologue}\n{body}", "source": "",
             "group": ""} for title, body in BUILTIN_EXAMPLES]


def _state() -> EndpointState:
    return current_app.extensions["kg"]


#: What ``/`` offers: the UI first (a browser, ``*/*``, no ``Accept``), then the dataset's
#: description in each RDF syntax.
_INDEX_OFFERS = ("html", "ttl", "jsonld", "nt", "trig", "nq", "rdf")


@bp.route("/", methods=["GET"])
def index() -> str | Response:
    """YASGUI where its files are installed, else the plain form. ``/`` is the dataset's IRI
    (the base, ``https://w3id.org/kg1978/``, which its citation gives): an RDF client (by
    ``Accept`` or ``?format=``) gets the dataset's VoID and DCAT, as ``/dataset`` gives it."""
    state = _state()
    if "query" not in request.args:
        rep = representation_or_error(_INDEX_OFFERS)
        if isinstance(rep, Response):
            return rep
        if rep.rdf is not None:
            from kg.endpoint.dumps import dataset_rdf
            from kg.endpoint.responses import base_url

            return dataset_rdf(base_url(request.environ), rep)
    if state.assets_dir is None or "query" in request.args:
        response = form()
    else:
        response = Response(render_template("index.html", examples=state.examples,
                                            endpoint="/sparql", limits=state.settings,
                                            base=BASE),
                            200, {"Content-Type": "text/html; charset=utf-8"})
    response.headers["Vary"] = "Accept"
    return response


@dataclass(frozen=True)
class _Asset:
    name: str
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


class _Assets:
    """YASGUI's built files, each read on first use and kept, with its gzipped bytes made on
    first use too: one worker's copy (a few MB at most, the files the page loads and their
    source maps). Kept by the file's path inside the folder, so another spelling of a name
    (``./yasgui.min.js``) is the same entry; a name that is no file of the folder is not kept,
    and the files the folder holds bound what is kept. A file is read and gzipped outside the
    lock (two first requests may both read it: the same bytes)."""

    def __init__(self, folder: Path):
        self.folder = folder.resolve()
        self._lock = threading.Lock()
        self._files: dict[str, _Asset] = {}
        self._gzipped: dict[str, bytes] = {}

    def get(self, name: str) -> _Asset | None:
        """The file ``name`` of the folder (None where it is none, or outside it)."""
        try:
            path = (self.folder / name).resolve()
            if self.folder not in path.parents or not path.is_file():
                return None
        except (OSError, ValueError):  # a NUL in the name, a name too long for the system
            return None
        key = path.relative_to(self.folder).as_posix()
        with self._lock:
            found = self._files.get(key)
        if found is None:
            found = self._read(key, path)
            with self._lock:
                found = self._files.setdefault(key, found)
        return found

    @staticmethod
    def _read(key: str, path: Path) -> _Asset:
        body = path.read_bytes()
        media = mimetypes.guess_type(path.name)[0] or (
            "application/json" if path.suffix == ".map" else "application/octet-stream")
        if media.startswith("text/") or media in ("application/javascript", "application/json"):
            media += "; charset=utf-8"
        return _Asset(key, body, media,
                      "sha256-" + hashlib.sha256(body).hexdigest(),
                      datetime.fromtimestamp(int(path.stat().st_mtime), UTC))

    def gzipped(self, asset: _Asset) -> bytes:
        """``asset``'s bytes gzipped, made on first use and kept."""
        with self._lock:
            found = self._gzipped.get(asset.name)
        if found is None:
            found = compression.compress(asset.body)
            with self._lock:
                found = self._gzipped.setdefault(asset.name, found)
        return found


@bp.route("/assets/yasgui/<path:name>", methods=["GET"])
def yasgui_asset(name: str) -> Response:
    """YASGUI's built files from node_modules (:func:`_asset_response`)."""
    folder = _state().assets_dir
    if folder is None:
        abort(404)
    return _asset_response(per_app("kg-yasgui", lambda _store: _Assets(folder)), name,
                           "public, max-age=3600")


#: The app's own static files (the stylesheet, the UI's script).
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def static_file(filename: str) -> Response:
    """The app's own ``/static/`` files (the ``static`` endpoint of ``url_for``), served as
    YASGUI's are (:func:`_asset_response`) rather than by Flask's ``send_file``, which sends
    them uncompressed. They change with the app: reused as long as its other answers are
    (the setting ``cache_max_age``; by default revalidated each time)."""
    return _asset_response(per_app("kg-static", lambda _store: _Assets(STATIC_DIR)), filename,
                           cache_control(_state().settings["cache_max_age"]))


def _asset_response(assets: _Assets, name: str, cache: str) -> Response:
    """The file ``name`` of ``assets``, gzipped where the client accepts it (each coding its
    own ``ETag``, ``Vary: Accept-Encoding``), with conditional GET and single byte ranges, as
    the dumps are, ``Cache-Control: cache``; 404 for a name that is no file of the folder,
    301 to the file's one URL for any other spelling of its name: a trailing slash
    (``/static/style.css/``), dot segments (``/static/./style.css``,
    ``/static/x/../style.css``, which ``curl --path-as-is`` sends as they are)."""
    found = assets.get(name)
    if found is None:
        abort(404)
    if name != found.name and request.path.endswith(name):
        # one URL per file, as every route's (RFC 3986, 6.2.2.3: dot segments removed)
        from kg.endpoint.routes import moved_to

        return moved_to(request.path[:len(request.path) - len(name)] + found.name, 301)
    coding = compression.choose(request.headers.get("Accept-Encoding"), len(found.body),
                                found.content_type)
    body = found.body if coding is None else assets.gzipped(found)
    response = Response(body, 200, {"Content-Type": found.content_type,
                                    "Cache-Control": cache,
                                    "Accept-Ranges": "bytes"})
    if compression.compressible(found.content_type):
        response.headers["Vary"] = "Accept-Encoding"
    if coding is not None:
        response.headers["Content-Encoding"] = coding
    response.set_etag(found.etag if coding is None else f"{found.etag}-{coding}")
    response.last_modified = found.last_modified
    response = conditional(response)
    if response.status_code == 200:
        return byte_range(response, body)
    return response


@bp.route("/form", methods=["GET"])
def form() -> str | Response:
    """The plain query form; with ``?query=`` it runs the query and shows the result."""
    state = _state()
    query = without_bom(request.args.get("query") or "")
    result = error = None
    status = 200
    if query:
        try:
            # the graphs as /sparql reads them (rdflib's name for the default graph, a blank
            # field naming none)
            asked = read_request(request.environ, None)
            result = _run_for_html(state, query, asked.default_graph, asked.named_graphs)
        except KGError as exc:
            error, status = str(exc), exc.http_status
    html = render_template("form.html", examples=state.examples, query=query or "",
                           result=result, error=error, has_yasgui=state.assets_dir is not None,
                           max_results=state.max_results)
    return Response(html, status, {"Content-Type": "text/html; charset=utf-8"})


def _cell(term: object) -> dict[str, str]:
    if term is None:
        return {"text": "", "kind": "unbound"}
    if isinstance(term, ox.NamedNode):
        # an IRI of this dataset links to its page here (the w3id.org redirect may not
        # resolve); another web IRI to itself; any other scheme is text only
        path = local_path(term.value)
        href = (request.script_root + path if path else
                term.value if term.value.startswith(("http://", "https://")) else "")
        return {"text": term.value, "kind": "iri", "href": href, "local": bool(path)}
    if isinstance(term, ox.Literal):
        # as SPARQL and Turtle write it, so that the string "1979" and the integer 1979 do
        # not look alike in a table: "1979", 1979, "Hà Nội"@vi, "1979-01-07"^^xsd:date
        text = form_literal(term)
        if term.language and text.endswith("@" + term.language):
            # the text in its language (a screen reader's voice, :lang(km)'s fonts), the tag
            # after it in the page's
            return {"text": text[:-len(term.language) - 1], "kind": "literal",
                    "lang": term.language, "tag": "@" + term.language}
        return {"text": text, "kind": "literal"}
    return {"text": str(term), "kind": "other"}


_LOCAL_NAME = re.compile(r"[A-Za-z_][\w-]*")


def form_literal(term) -> str:
    """A literal as the form's table (and ``kg query``'s) writes it: as SPARQL and Turtle do,
    numbers and booleans bare, a datatype under the graph's prefixes."""
    return literal_text(term, datatype=_prefixed, bare=True)


def _prefixed(iri: str) -> str:
    """A datatype under a prefix of the graph's vocabularies written with it, others in full."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _run_for_html(state: EndpointState, query: str,
                  default_graph: tuple[str, ...] | None = None,
                  named_graphs: tuple[str, ...] | None = None) -> dict:
    """The query's result for the HTML table; the protocol's ``default-graph-uri`` /
    ``named-graph-uri`` narrow the dataset as they do on ``/sparql``."""
    info = state.inspect(query, request.environ)
    guard = state.guard
    started = time.monotonic()
    guard.arm(request.environ)
    try:
        result = state.store.query(query, default_graph=default_graph,
                                   named_graphs=named_graphs,
                                   has_dataset_clause=info.has_dataset_clause,
                                   base_iri=request.host_url.rstrip("/") + "/sparql")
        limit = state.max_results
        if isinstance(result, ox.QueryBoolean):
            out = {"kind": "boolean", "value": bool(result)}
        elif isinstance(result, ox.QuerySolutions):
            names = result_columns(info, query, result)
            rows = [[_cell(row[n]) for n in names] for row in islice(result, limit + 1)]
            out = {"kind": "table", "head": names, "rows": rows[:limit],
                   "truncated": len(rows) > limit}
        else:
            rows = [[_cell(t.subject), _cell(t.predicate), _cell(t.object)]
                    for t in islice(result, limit + 1)]
            out = {"kind": "table", "head": ["subject", "predicate", "object"],
                   "rows": rows[:limit], "truncated": len(rows) > limit}
    finally:
        guard.disarm()
    if time.monotonic() - started > state.query_timeout:
        raise QueryTimeout(timeout_message(state.query_timeout).strip())
    if not (out.get("rows") or out.get("value")):
        decomposed = decomposed_literal(query)
        if decomposed is not None:
            out["hint"] = (f"The string {decomposed} has its accents typed as separate "
                           "combining marks (Unicode NFD, as some macOS tools paste text); "
                           "the graph's text is in NFC, and SPARQL compares strings character "
                           "by character, so it matches no label that looks the same. Retype "
                           "it, or convert the query to NFC.")
    return out
