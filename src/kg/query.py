"""``kg query``: SPARQL over the built dataset, inferences included, from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from kg.build import built_store
from kg.errors import InputError, ParseError
from kg.load import read_utf8


def read_query(text: str | None, file: str | None, stdin) -> str:
    """The query from an argument, a file, or standard input ('-' or nothing), without the
    byte order mark some editors begin a file with (as ``/sparql`` reads it:
    :func:`kg.endpoint.query_text.without_bom`)."""
    from kg.endpoint.query_text import without_bom

    if file and text is not None:
        # one of the two would be run and the other dropped without a word
        raise InputError("give the query as an argument or with -f FILE, not both")
    if file:
        return read_utf8(Path(file), "the query", bom=True)
    if text and text != "-":
        return without_bom(text)
    data = without_bom(stdin.read())
    if not data.strip():
        raise InputError("no query given (as an argument, with -f FILE, or on standard input)")
    return data


def open_store(dataset: Path) -> ox.Store:
    """An in-memory pyoxigraph store holding the dataset's named graphs."""
    store = ox.Store()
    store.load(path=str(dataset), format=ox.RdfFormat.N_QUADS)  # see DatasetStore.load
    return store


#: ``kg query --format`` names of the endpoint's result formats (its ``format=`` names, and
#: ``srj`` / ``srx``, the W3C results files' extensions), each written by the writer
#: ``/sparql`` uses (:func:`kg.endpoint.results.serialize`), byte for byte.
RESULT_FORMATS = {"srj": "json", "srx": "xml", "xml": "xml", "csv": "csv", "tsv": "tsv",
                  "turtle": "turtle", "ntriples": "ntriples", "rdfxml": "rdfxml",
                  "jsonld": "jsonld", "trig": "trig", "nquads": "nquads"}


def run_query(settings: dict, query: str, fmt: str = "table", *, source: str = "query",
              log: Callable[[str], None] = lambda _: None) -> str:
    """Run ``query`` over the union of the built dataset's graphs (their RDF merge), or over
    the graphs its ``FROM`` / ``FROM NAMED`` clauses name, as ``kg serve`` answers it
    (:class:`kg.store.DatasetStore`); return it rendered: as a ``table``, as ``json`` (a list
    of rows), or in one of the endpoint's result formats (:data:`RESULT_FORMATS`).

    At most the setting ``max_results`` rows or triples are given, as the endpoint gives
    them; a result cut there is said to ``log`` (the endpoint says it in a header).

    The query is checked as the endpoint checks it first (:func:`kg.endpoint.query_text.
    inspect_query`): SPARQL Update, ``SERVICE`` (pyoxigraph would fetch it) and brackets nested
    deeper than ``max_query_depth`` (pyoxigraph's parser would overflow the stack and kill the
    process) are refused. A malformed query is a ParseError at ``source:line:column``; one the
    engine cannot evaluate (an unknown function, say) an InputError - never a traceback."""
    from kg.endpoint.query_text import inspect_query, result_columns
    from kg.errors import KGError, UpdateRefused
    try:
        info = inspect_query(query, settings["max_query_depth"])
    except UpdateRefused:
        raise UpdateRefused("SPARQL Update is not accepted: kg query is read-only (change "
                            "the files in graph/ and run kg build)", path=source) from None
    except ParseError as exc:  # an aggregate in FILTER or BIND, read before the engine
        raise ParseError(f"malformed query: {exc.message}", path=source, line=exc.line,
                         column=exc.column) from None
    except KGError as exc:
        raise type(exc)(exc.message, path=source) from None
    written = _result_format(info.form, fmt, source)
    limit = settings["max_results"]
    store = built_store(settings)

    def said(text: str, cut: bool, what: str) -> str:
        if cut:
            log(f"kg query: the result is cut after {limit} {what} (setting max_results, "
                "KG_MAX_RESULTS, as the endpoint cuts it)")
        return text

    try:
        result = store.query(query, has_dataset_clause=info.has_dataset_clause)
        what = "rows" if isinstance(result, ox.QuerySolutions) else "triples"
        if written is not None:
            return said(*_serialized(info, query, result, written, limit), what)
        if isinstance(result, ox.QuerySolutions):
            variables = result_columns(info, query, result)
            cell = _term if fmt == "json" else _table_cell
            rows = [[cell(sol[v]) for v in variables] for sol in islice(result, limit + 1)]
            cut = len(rows) > limit
            return said(_render_rows(variables, rows[:limit], fmt), cut, what)
        if isinstance(result, ox.QueryBoolean):  # as table or json (checked above)
            if fmt == "json":  # a JSON boolean: the answer is no RDF term, unlike SELECT's
                return json.dumps([{"ask": bool(result)}]) + "\n"
            return _render_rows(["ask"], [["true" if bool(result) else "false"]], fmt)
        return said(*_serialized(info, query, result,
                                 _result_format(info.form, "turtle", source), limit), what)
    except ParseError as exc:
        raise ParseError(f"malformed query: {exc.message}", path=source, line=exc.line,
                         column=exc.column) from None
    except (RuntimeError, ValueError, OSError) as exc:  # raised while the engine evaluates
        raise InputError(f"the query could not be evaluated: {exc}", path=source) from None


_KINDS = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
_OWN_FORMATS = {"solutions": ("table", "json"), "boolean": ("table", "json"),
                "graph": ("table",)}
_KIND_WORDS = {"solutions": "a SELECT result", "boolean": "an ASK result",
               "graph": "a CONSTRUCT or DESCRIBE result"}


def _result_format(form: str, fmt: str, source: str):
    """The endpoint's :class:`~kg.endpoint.results.ResultFormat` for ``--format fmt``, None
    for kg query's own ``table`` and ``json`` (for a CONSTRUCT or DESCRIBE, ``xml`` and ``json``
    are RDF/XML and JSON-LD, as ``format=`` on ``/sparql`` reads them); an InputError, before
    anything is loaded, where ``fmt`` cannot express a result of the query's ``form``."""
    from kg.endpoint.protocol import GRAPH_FAMILIES
    from kg.endpoint.results import FORMATS

    kind = _KINDS.get(form)
    if kind is None:  # no query form: the engine's parser says where the text goes wrong
        return None
    # as /sparql reads format=xml or json for a graph: RDF/XML, JSON-LD
    name = GRAPH_FAMILIES.get(fmt) if kind == "graph" else None
    name = name or RESULT_FORMATS.get(fmt)
    if name is None and fmt in _OWN_FORMATS[kind]:
        return None
    written = next((f for f in FORMATS if f.name == name), None)
    if written is not None and kind in written.kinds:
        return written
    usable = [*_OWN_FORMATS[kind],
              *(cli for cli, n in RESULT_FORMATS.items()
                if kind in next(f for f in FORMATS if f.name == n).kinds)]
    why = {"boolean": " (SPARQL 1.1's CSV and TSV results define no form for a boolean: "
                      "/sparql answers them 406)" if fmt in ("csv", "tsv") else "",
           "graph": " (it is a graph)", "solutions": " (it is a table, not a graph)"}[kind]
    raise InputError(f"--format {fmt} cannot express {_KIND_WORDS[kind]}{why}: use "
                     f"--format {' or '.join([', '.join(usable[:-1]), usable[-1]])}",
                     path=source)


def _serialized(info, query: str, result, written, limit: int) -> tuple[str, bool]:
    """``result`` as ``/sparql`` writes it in ``written`` (SELECT *'s columns in the text's
    order), cut after ``limit`` rows or triples, ending with a line break (JSON and XML have
    none of their own); and whether it was cut."""
    from kg.endpoint.query_text import select_star_order
    from kg.endpoint.results import serialize

    body, cut = serialize(result, written, limit, truncation_link=None,
                          order=select_star_order(info, query, result))
    text = body.decode("utf-8")
    return (text if text.endswith("\n") else text + "\n"), cut


def _table_cell(term) -> str | None:
    """A value as the table shows it: a literal as SPARQL writes it, as the endpoint's form
    does (``"1979"`` and ``1979``, ``"Tây Ninh"@vi``, ``"1979-01-07"^^xsd:date``), so that a
    string and a number, or two languages, do not look alike; an IRI bare, a blank node
    ``_:…``."""
    if isinstance(term, ox.Literal):
        from kg.endpoint.ui import form_literal  # the form's writer, one for both tables

        return form_literal(term)
    return _term(term)


def _term(term) -> str | None:
    """A value as ``--format json`` gives it: a literal's lexical form alone."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _render_rows(variables: list[str], rows: list[list[str | None]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(variables, r, strict=True)) for r in rows], indent=2,
                          ensure_ascii=False) + "\n"
    cells = [["" if c is None else c for c in r] for r in rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(variables)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(variables), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
