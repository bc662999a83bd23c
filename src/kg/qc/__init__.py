"""Ontology and graph QC in the OBO/ROBOT style: zero-row SPARQL queries, run by validation.

Each ``NAME-violation.rq`` in this folder opens with ``# Problem: …`` and ``# Solution: …``
comment lines and selects what is wrong: ``?focus`` (the resource to fix) and, where they
apply, ``?path`` (the property) and ``?value``; any other variable but ``?graph`` (``?other``,
``?class``) is named in the result's message. The queries read the asserted named graphs,
each file in a graph of its own and the ontology in ``…/graph/ontology`` (as kg.load names
them), never the inferred graph.

:func:`results_in_store` (the build, ``kg validate`` of the built dataset) and
:func:`results_in_graphs` (``kg validate FILE``, ``/validate``) turn each row into a
:class:`kg.validate.Result`: the query's name as its source (``qc:NAME``, the IRI
``urn:kg:qc:NAME``), its Problem as the message, its Solution as the advice, and the severity of
:data:`SEVERITY`; :func:`with_qc_results` puts them into a report, where the formats, the
exit code and the locator treat them as any other result. A dangling reference's message
names the project IRI it most likely meant.

:data:`SEVERITY` is the one place a query's severity is decided; ``kg sources check`` takes the
level of the checks it shares with the queries from it (:func:`level`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDFS, SH

#: The folder of the queries (package data: ``kg/qc/*.rq``).
QUERIES_DIR = Path(__file__).resolve().parent
#: A query's IRI is this and its name (``sh:sourceShape`` in the Turtle report).
NAMESPACE = "urn:kg:qc:"
#: What a QC result names as its ``sh:sourceConstraintComponent``: a query is a SPARQL-based
#: constraint in all but name.
COMPONENT = str(SH.SPARQLConstraintComponent)

#: The severity of each query's rows; a query not named is ``Violation``. A passage said to
#: carry facts that nothing cites yet is a warning: the graph says nothing wrong, it is
#: incomplete, and the README's steps for a new part declare the passages (``kg sources
#: check`` exit 0) before the facts that cite them are written. A statement that explains
#: itself but names no reader is a warning: the comment may be a note on what the passage
#: states, which the graph allows; the graph's own readings are all attributed.
SEVERITY: dict[str, str] = {
    "uncited-passage-violation": "Warning",
    "unattributed-reading-violation": "Warning",
    "uncited-named-passage-violation": "Warning",
}

#: The queries whose rows tell what a shape's result on the same triple (focus node, path,
#: value) does not, and are kept beside it: a reference that nothing labels, with the IRI it
#: most likely meant (a shape says only that the value is not a kgo:Place). A row of any
#: other query on a triple a shape reports is left out: the shape says as much and what to
#: write (an ill-typed date, a citation of a caption, a relation without its statement, a
#: citation of what is no passage: "this is not a passage declared in graph/sources.ttl").
BESIDE_SHAPES = frozenset({"dangling-reference-violation"})

#: The variables a query selects that a result has a field for; ``?graph`` is the file, which
#: the result's location names.
_FIELDS = ("focus", "path", "value", "graph")


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    problem: str
    solution: str

    @property
    def iri(self) -> str:
        return NAMESPACE + self.name

    @property
    def severity(self) -> str:
        return SEVERITY.get(self.name, "Violation")


def _comment(lines: list[str], label: str) -> str:
    """The text of the comment paragraph that starts ``# LABEL: `` (continued by indented
    comment lines), in one line."""
    out: list[str] = []
    for line in lines:
        text = line.lstrip("#")
        if out and text.startswith("   "):
            out.append(text.strip())
        elif out:
            break
        elif text.startswith(f" {label}: "):
            out.append(text[len(label) + 3:].strip())
    return " ".join(out)


@functools.cache
def queries() -> tuple[Query, ...]:
    """The QC queries, by name."""
    out = []
    for path in sorted(QUERIES_DIR.glob("*-violation.rq")):
        text = path.read_text(encoding="utf-8")
        header = [line for line in text.splitlines() if line.startswith("#")]
        out.append(Query(path.stem, text, _comment(header, "Problem"),
                         _comment(header, "Solution")))
    return tuple(out)


def severity(name: str) -> str:
    """The severity of the query ``name``'s rows: ``Violation`` or ``Warning``."""
    return _query(name).severity


def _query(name: str) -> Query:
    """The query ``name`` (KeyError where there is none)."""
    query = next((q for q in queries() if q.name == name), None)
    if query is None:
        raise KeyError(name)
    return query


def level(name: str) -> str:
    """The query ``name``'s severity as ``kg sources check`` says it: error or warning."""
    return "warning" if severity(name) == "Warning" else "error"


@dataclass(frozen=True)
class Found:
    """The QC results, and the RDF terms of each (for the report graph)."""

    results: list
    terms: list[tuple]
    #: each blank focus node's (predicate, IRI or literal) pairs in the data: written into the
    #: report graph beside its result, so the report locates it in the files as it does the
    #: shapes' (the data's blank nodes have other names in the shapes' report)
    described: dict = field(default_factory=dict)
    #: how the messages name the data the queries read (:func:`said_of`)
    data: str = "graph/"


def results_in_store(store, graphs: Iterable | None = None, *, skip: Iterable = (),
                     data: str = "graph/", written: Iterable[tuple] = ()) -> Found:
    """The rows of every query over the named graphs ``graphs`` of the pyoxigraph ``store``
    (default: all of them but those in ``skip``, such as the inferred graph), evaluated a few
    at a time (:func:`kg.store.rows_of_each`); ``data`` how their messages name the data read
    (:func:`said_of`). ``written``: the data's triples (rdflib terms) whose literal the store
    keeps otherwise (:func:`kg.shacl_fast.written_otherwise`), of which an integer out of
    its derived type's range is an ill-typed literal too (:func:`out_of_range`)."""
    import pyoxigraph as ox

    left_out = {str(getattr(g, "value", g)) for g in skip}
    named = ([ox.NamedNode(str(getattr(g, "value", g))) for g in graphs] if graphs is not None
             else [g for g in store.named_graphs() if g.value not in left_out])
    from kg.store import rows_of_each

    results, terms = [], []
    kinds = queries()
    answers = rows_of_each(store, [query.text for query in kinds], named_graphs=named)
    for query, (names, rows) in zip(kinds, answers, strict=True):
        extra = [name for name in names if name not in _FIELDS]
        meant = _meant(store, named, rows) if rows and query.name == _DANGLING else {}
        for row in rows:
            r, t = _result(query, row, extra, meant, data)
            results.append(r)
            terms.append(t)
    for r, t in _out_of_range_results(written, data):
        results.append(r)
        terms.append(t)
    from kg.load import rdflib_term

    described = {focus: [(rdflib_term(q.predicate), rdflib_term(q.object)) for q in
                         store.quads_for_pattern(ox.BlankNode(focus), None, None, None)
                         if not isinstance(q.object, ox.BlankNode)]
                 for focus in {str(t[0]) for t in terms if isinstance(t[0], BNode)}}
    return Found(results, terms, described, data)


def results_in_graphs(data: Iterable[Graph], ontology: Graph,
                      context: Iterable[Graph] = (), *, named: str = "graph/") -> Found:
    """The rows of every query over ``data`` (each graph a named graph of its own: one per file)
    and the ``ontology`` in the ontology's named graph. The labels of the project's IRIs in
    ``context`` (the project's other graph files, when only some are validated) are read too,
    in a graph of their own: a reference to an entity another file describes is not dangling,
    and a label another file gives its entity is a duplicate. ``named`` is how the messages
    name ``data`` (:func:`said_of`): the files validated, or an upload."""
    import pyoxigraph as ox

    from kg.iris import BASE, ONTOLOGY_GRAPH
    from kg.load import ox_term

    data = list(data)
    store = ox.Store()
    names = [ox.NamedNode(str(ONTOLOGY_GRAPH))]
    store.extend(ox.Quad(ox_term(s), ox_term(p), ox_term(o), names[0]) for s, p, o in ontology)
    for i, graph in enumerate(data):
        names.append(ox.NamedNode(f"{NAMESPACE}input:{i}"))
        store.extend(ox.Quad(ox_term(s), ox_term(p), ox_term(o), names[-1])
                     for s, p, o in graph)
    labels = ox.NamedNode(f"{NAMESPACE}context")
    for graph in context:
        store.extend(ox.Quad(ox_term(s), ox_term(RDFS.label), ox_term(o), labels)
                     for s, o in graph.subject_objects(RDFS.label)
                     if isinstance(s, URIRef) and str(s).startswith(BASE))
    if any(True for _ in store.quads_for_pattern(None, None, None, labels)):
        names.append(labels)
    return results_in_store(store, names, data=named,
                            written=(t for graph in data for t in graph))


#: How the queries' texts name the data they read, the project's graph files ("used in
#: graph/", "in graph/*.ttl"); a file of it ("graph/sources.ttl", where passages are declared)
#: is named for itself.
_GRAPH_FOLDER = re.compile(r"(?<![\w/.-])graph/(?:\*\.ttl)?(?![\w*-]|\.\w)")


def said_of(text: str, data: str) -> str:
    """A query's Problem or Solution said of ``data`` (the file validated, "the files
    validated", an upload's name) where it names the project's graph files, which it reads
    in the build: "a kgo: term is used in bad.ttl", not "in graph/", for a file elsewhere."""
    return text if data == "graph/" else _GRAPH_FOLDER.sub(lambda _: data, text)


_DANGLING = "dangling-reference-violation"


#: A passage's IRI: its source's, ``-passage-`` and its number.
_PASSAGE = re.compile(r"(.+)-passage-([0-9]+)")


def _meant(store, named: list, rows) -> dict[str, str]:
    """For each dangling reference of ``rows``, what its result adds: the labelled project IRI
    it most likely meant (:func:`kg.links.closest_iri`), "Did you mean place:snuol?", where one
    is close; for a passage of a source with passages, the passages there are (a number past
    the last is no misspelling of one of them: :func:`passages_hint`)."""
    from kg.iris import BASE, KGO
    from kg.links import closest_iri
    from kg.validate import short_iri

    # an undeclared kgo: term is the shapes' (kgs:DeclaredTypeShape…, with their own
    # suggestion of a declared term): only entities are offered here, for entities
    known = sorted({r["x"].value for r in store.query(
        "SELECT DISTINCT ?x WHERE { GRAPH ?g { ?x <http://www.w3.org/2000/01/rdf-schema#label> "
        f'?l }} FILTER (isIRI(?x) && STRSTARTS(STR(?x), "{BASE}")) }}', named_graphs=named)})
    known = [x for x in known if not x.startswith(str(KGO))]
    out: dict[str, str] = {}
    for row in rows:
        iri = row["value"].value
        if iri not in out:
            meant = None if iri.startswith(str(KGO)) else closest_iri(iri, known)
            out[iri] = (passages_hint(iri, known) or (_of_no_kind(meant) if meant else "")
                        or (f"Did you mean {short_iri(meant)}?" if meant else ""))
    return out


#: What a dangling reference's message says where the IRI meant is of no kind
#: (:func:`_of_no_kind`).
_NO_KIND = "no kind of the project's IRIs"


def _of_no_kind(meant: str) -> str:
    """Where the labelled IRI a dangling reference most likely meant is under a namespace of
    no kind (``kg:evnt/x``, as a prefix declared with a mistyped namespace names every entity
    of a file), that the prefix is the mistake, not the reference; else ""."""
    from kg.iris import BASE, KGO, KIND_PREFIXES
    from kg.validate import short_iri

    if not meant.startswith(BASE) or meant.startswith((str(KGO), *KIND_PREFIXES.values())):
        return ""
    kind = meant[len(BASE):].partition("/")[0]
    return (f"It is labelled as {short_iri(meant)}, under {kind}/, {_NO_KIND}: a prefix "
            "declared with a mistyped namespace made that name; correct the "
            "prefix, not this reference")


def passages_hint(iri: str, known: list[str]) -> str:
    """For the IRI of a passage no one declares (``…/article-part1-passage-21``), the numbers
    of its source's passages that are declared, "src:article-part1 has passages 1 to 20" (the
    closest spelling would be a guess: -passage-2 for -passage-21); "" for another IRI, or a
    source with none."""
    from kg.validate import short_iri

    cited = _PASSAGE.fullmatch(iri)
    if not cited:
        return ""
    numbers = sorted(int(m[2]) for x in known
                     if (m := _PASSAGE.fullmatch(x)) and m[1] == cited[1])
    if not numbers:
        return ""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    said = [str(r[0]) if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs]
    listed = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
    return f"{short_iri(cited[1])} has passage{'s' if len(numbers) > 1 else ''} {listed}"


def _result(query: Query, row, extra: list[str], meant: dict[str, str], data: str = "graph/"):
    from kg.load import rdflib_term

    focus, path, value = (rdflib_term(row[v]) if row[v] is not None else None
                          for v in ("focus", "path", "value"))
    details = [f"{name} {_detail(rdflib_term(row[name]))}" for name in extra
               if row[name] is not None]
    hint = meant.get(str(value)) if isinstance(value, URIRef) else None
    return _query_result(query, focus, path, value, details, data, hint)


def _query_result(query: Query, focus, path, value, details: list[str], data: str,
                  hint: str | None = None):
    """The result of a row of ``query`` (rdflib terms ``focus``, ``path``, ``value``) and its
    terms: the query's Problem, then ``details`` in parentheses and the ``hint``."""
    from kg.validate import Result, _term_text, _value_text

    message = said_of(query.problem, data)
    if details:
        message += f" ({'; '.join(details)})"
    if hint:
        message += f" {hint}" + ("" if hint.endswith("?") else ".")
    result = Result(
        focus=_term_text(focus), path=None if path is None else str(path),
        value=None if value is None else _value_text(value), severity=query.severity,
        message=message, shape=query.iri, constraint=COMPONENT,
        advice=said_of(query.solution, data))
    return result, (focus, path, value)


#: The integer types derived from xsd:integer (XSD 1.1 part 2, 3.4.13-3.4.25) and their
#: ranges, the least and the greatest value (None: unbounded): a pyoxigraph store keeps a
#: well-formed one as an xsd:integer, whatever its value, so no query sees its range.
INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "byte": (-2**7, 2**7 - 1), "short": (-2**15, 2**15 - 1), "int": (-2**31, 2**31 - 1),
    "long": (-2**63, 2**63 - 1), "unsignedByte": (0, 2**8 - 1),
    "unsignedShort": (0, 2**16 - 1), "unsignedInt": (0, 2**32 - 1),
    "unsignedLong": (0, 2**64 - 1), "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None), "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
}

_ILL_TYPED = "ill-typed-literal-violation"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")


def out_of_range(literal) -> str:
    """What is wrong with an rdflib ``literal`` of an integer type derived from xsd:integer
    (:data:`INTEGER_RANGES`) whose value is outside its type's range: "xsd:byte is -128 to
    127"; "" for any other literal (one that is no integer is the query's to find)."""
    datatype = str(getattr(literal, "datatype", None) or "")
    bounds = INTEGER_RANGES.get(datatype.removeprefix(_XSD)) if datatype.startswith(_XSD) \
        else None
    if bounds is None or not _INTEGER.fullmatch(str(literal)):
        return ""
    value, (low, high) = int(str(literal)), bounds
    if (low is None or value >= low) and (high is None or value <= high):
        return ""
    name = "xsd:" + datatype.removeprefix(_XSD)
    said = (f"{low} to {high}" if low is not None and high is not None
            else f"{low} or more" if low is not None else f"{high} or less")
    return f"{name} is {said}"


def _out_of_range_results(triples: Iterable[tuple], data: str) -> list[tuple]:
    """The ill-typed-literal results (and their terms) of ``triples`` whose literal is an
    integer out of its derived type's range (:func:`out_of_range`), each once: the query's
    Problem, then the range ('("-1" is out of range: xsd:nonNegativeInteger is 0 or more)').
    """
    query = _query(_ILL_TYPED)
    out, seen = [], set()
    for s, p, o in triples:
        said = out_of_range(o)
        if not said or (s, p, o) in seen:
            continue
        seen.add((s, p, o))
        out.append(_query_result(query, s, p, o, [f'"{o}" is out of range: {said}'], data))
    return out


def _detail(term) -> str:
    """A selected variable's value as a message names it: an IRI as a CURIE (``unit:vpa``), as
    the rest of the report names them; a string listing IRIs (a GROUP_CONCAT, such as
    ``duplicate-entity-label``'s ``?resources``) as their CURIEs in order; another literal as
    in N-Triples."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    from kg.validate import _value_text, short_iri

    if isinstance(term, Literal) and term.datatype in (None, XSD.string) and not term.language:
        parts = str(term).split(", ")
        if all("://" in p and " " not in p for p in parts):
            return ", ".join(sorted(short_iri(p) for p in parts))
    return short_iri(_value_text(term))


def with_qc_results(report, found: Found):
    """``report`` with the QC results ``found`` among its results (in report order) and in its
    report graph, each an ``sh:ValidationResult`` whose source shape is the query's IRI; it no
    longer conforms when one of them is a violation. A QC result on the focus node, path and
    value of a result the report has is left out, unless its query is one of
    :data:`BESIDE_SHAPES`, which say what the shape does not; so is an undeclared term's
    (``undeclared-term-violation``) where a shape's result names that term as undeclared (a
    misspelt class or property, at the triple that uses it, with the term meant:
    :func:`kg.validate.undeclared_terms`)."""
    from dataclasses import replace

    from kg.validate import undeclared_terms, with_results

    said: dict[tuple, int] = {}  # (focus, path, value) -> index of the first result on it
    for i, r in enumerate(report.results):
        said.setdefault((r.focus, r.path, r.value), i)
    named = undeclared_terms(report.results)
    hints: dict[int, str] = {}  # index of a shape's result -> a passage row's hint it takes
    dangling = said_of(_problem(_DANGLING), found.data)
    kept = []
    for r, t in zip(found.results, found.terms, strict=True):
        on = said.get((r.focus, r.path, r.value))
        if r.shape == NAMESPACE + _DANGLING and on is not None \
                and _PASSAGE.fullmatch(r.value or "") and r.message != dangling:
            # a passage no one declares: the shape says so ("not a passage declared in
            # graph/sources.ttl"), the row what passages there are; one result says both
            hints.setdefault(on, r.message[len(dangling):].strip().rstrip("."))
        elif (on is None or r.shape.removeprefix(NAMESPACE) in BESIDE_SHAPES) \
                and not (r.shape == NAMESPACE + "undeclared-term-violation"
                         and r.focus in named):
            kept.append((r, t))
    if hints:
        report = replace(report, results=[
            replace(r, message=f"{r.message}; {hints[i]}") if i in hints else r
            for i, r in enumerate(report.results)])
    # a reference nothing labels, with the IRI meant, is the cause of what the shapes say of
    # the same value on the same focus node (actor:kratie for place:kratie: "a place lies
    # within a kgo:Place", "needs an rdf:Statement"): those follow it, as what follows from a
    # misspelt class follows kgs:DeclaredTypeShape's result
    causes = {(r.focus, r.value, r.severity): r.path for r, _ in kept
              if r.shape == NAMESPACE + _DANGLING
              and ("Did you mean" in r.message or _NO_KIND in r.message)}
    if causes:
        report = replace(report, results=[
            replace(r, follows=causes[(r.focus, r.value, r.severity)])
            if r.follows is None and (r.focus, r.value, r.severity) in causes else r
            for r in report.results])
    described = [(focus, p, o) for focus in {t[0] for _, t in kept if isinstance(t[0], BNode)}
                 for p, o in found.described.get(str(focus), ())]
    out = with_results(report, kept, described)
    if not causes:
        return out
    # the cause first among its focus node's results
    first: dict[str, int] = {}
    for i, r in enumerate(out.results):
        first.setdefault(r.focus, i)
    return replace(out, results=[r for _, _, _, r in sorted(
        (first[r.focus], not (r.shape == NAMESPACE + _DANGLING and r.follows is None
                              and (r.focus, r.value, r.severity) in causes), i, r)
        for i, r in enumerate(out.results))])


def _problem(name: str) -> str:
    """The Problem the query ``name`` opens with: its rows' message, before what they add."""
    return _query(name).problem


__all__ = ["BESIDE_SHAPES", "COMPONENT", "INTEGER_RANGES", "NAMESPACE", "SEVERITY", "Found",
           "Query", "level", "out_of_range", "passages_hint", "queries", "results_in_graphs",
           "results_in_store", "said_of", "severity", "with_qc_results"]
