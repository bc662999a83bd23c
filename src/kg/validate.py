"""Stage 3, validate: check a data graph against the project's SHACL shapes.

The data validated is the asserted triples plus their OWL 2 RL inferences, exactly as the build
makes them, and with the build's engine (:func:`validate_with`: kg.shacl_fast by default,
pySHACL as the reference), so ``kg validate FILE``, ``/validate`` and the build agree; files
and uploads are reasoned over and validated in one pyoxigraph store, as the build does, where
their graphs allow it (:func:`validate_closure`).
:class:`Report` renders the results as text, Turtle (an ``sh:ValidationReport``), JSON, GitHub
Actions annotations or SARIF.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from kg.errors import ConfigError
from kg.iris import KIND_PREFIXES, PREFIXES, SHAPES
from kg.literals import language_of_letters, literal_text

#: Exit codes of ``kg validate``.
CONFORMS, VIOLATIONS = 0, 1

#: The SHACL engines (setting ``validator``): ``fast`` is kg.shacl_fast, the shapes compiled to
#: SPARQL and run by pyoxigraph (pySHACL takes over where it does not compile them); ``pyshacl``
#: is the reference. tests/test_shacl_fast.py holds them to the same results.
VALIDATORS = ("fast", "pyshacl")


def check_validator(name: str) -> str:
    """``name`` if it is one of :data:`VALIDATORS`, else ConfigError (exit 2)."""
    if name not in VALIDATORS:
        raise ConfigError(f"validator must be one of {', '.join(VALIDATORS)}: {name!r}")
    return name


@dataclass(frozen=True)
class ValueAt:
    """One of several values a result is about, and the FILE:LINE that gives it."""

    value: str
    location: str | None = None


@dataclass(frozen=True)
class Related:
    """Another triple that a result names, and the FILE:LINE that gives it: one of the focus
    node's that the result compares its value with (a start date after the end date: the
    start date's), or one of another node's (``focus``) that causes it (the value's type, a
    class the ontology does not declare)."""

    path: str
    value: str
    location: str | None = None
    #: the triple's subject, where it is not the result's focus node
    focus: str | None = None


@dataclass(frozen=True)
class Result:
    """One validation result, in the terms a person acts on."""

    focus: str
    path: str | None
    value: str | None
    severity: str
    message: str
    shape: str
    constraint: str
    #: FILE:LINE of the triple the result is about, or of the focus node's statement, where a
    #: file says so (:meth:`Report.located`)
    location: str | None = None
    #: The path of another result, on the same focus node and value with the same severity,
    #: that this one repeats: this result's path is a super-property of it, so the value
    #: reached this path through the ontology (``kgo:onDate`` gives ``kgo:startDate``), or
    #: this is a generated range shape's result saying what a hand-written shape's says. Set
    #: by :func:`mark_followers`; the formats people read show it with that result.
    follows: str | None = None
    #: What to do about it, where the check says (a QC query's Solution: kg.qc)
    advice: str | None = None
    #: Each value of the focus node's path, for a result about how many there are
    #: (sh:maxCount), its message saying them (:func:`with_values`); with their lines once
    #: :meth:`Report.located`.
    values: tuple[ValueAt, ...] = ()
    #: The focus node's other values the message names, each with its triple's line: what
    #: the result's value is compared with (:meth:`StatementLines.compared`), set by
    #: :meth:`Report.located`; the formats show them as "see also"
    related: tuple[Related, ...] = ()

    @property
    def fails(self) -> bool:
        """Whether this result makes the data not conform: any severity but sh:Warning and
        sh:Info (pySHACL's ``allow_warnings``, as kg.shacl_fast counts them)."""
        return self.severity not in ("Warning", "Info")


@dataclass
class Report:
    #: False when a result is a violation; warnings and infos (``sh:Warning``, ``sh:Info``)
    #: are results of a conforming report (pySHACL's ``allow_warnings``)
    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph, repr=False)
    #: the shapes validated against, where known (they describe the rules of a SARIF log)
    shapes: Graph | None = field(default=None, repr=False)
    #: a blank node's label in :attr:`graph` (``_:b3f…``, another in every run) -> the name
    #: the results give it instead (:meth:`located`, :meth:`StatementLines.blank_names`)
    blank_names: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def exit_code(self) -> int:
        """0 when the data conforms, warnings or not; 1 on a violation."""
        return CONFORMS if self.conforms else VIOLATIONS

    def counts(self) -> str:
        """The results by severity, in words: "2 violations, 1 warning"."""
        by: dict[str, int] = {}
        for r in self.results:
            by[r.severity] = by.get(r.severity, 0) + 1
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        return ", ".join(f"{n} {s.lower()}{'' if n == 1 else 's'}" for s, n in
                         sorted(by.items(), key=lambda sn: (order.get(sn[0], 3), sn[0])))

    def located(self, texts: Iterable[tuple[str, str]], data: Iterable[Graph] = (),
                sub_of: Iterable[tuple[str, str]] = (),
                inverse_of: Iterable[tuple[str, str]] = ()) -> Report:
        """This report with each result's ``location`` in the (name, text) Turtle, TriG,
        N-Triples or N-Quads texts: the line of the triple it is about where one is (the
        focus node's path, with the value when that is an IRI), else the focus node's first
        statement, else the first line that names it (:meth:`StatementLines.of`). A
        statement's result that the data shows to be another result's cause or consequence is
        left out, and said by that one (:func:`_fold_statement_results`), and a cycle's
        result names its steps: read from the texts, and from ``data`` (the asserted graphs
        validated) where the texts do not say, as for JSON-LD and RDF/XML, which have no
        lines to show (:meth:`StatementLines.add_stated`). A value the data gives by a
        sub-property of the result's path is at that triple's line: the sub-properties are
        ``sub_of``'s (sub-property, super-property) pairs (the ontology's, where its file is
        not among ``texts``), those ``data`` states and those the texts do. A value the data
        gives by the inverse of the path (``unit:army kgo:hasSubordinate unit:division`` for
        unit:division's kgo:subordinateTo) is at that triple's line: the inverses are
        ``inverse_of``'s (property, inverse) pairs (owl:inverseOf: the ontology's), those
        ``data`` states and those the texts do."""
        texts, data = list(texts), list(data)
        where = statement_lines(texts)
        where.add_stated(data, self.results)
        where.with_sub_properties([*sub_of, *(pair for graph in data
                                              for pair in subproperties_in(graph))])
        where.with_inverses([*inverse_of, *(pair for graph in data
                                            for pair in inverses_in(graph))])
        types: dict[str, list[tuple[str, str | None]]] = {}  # node -> (class, line): stated
        if any(r.path is None and _generated_domain(r.shape) for r in self.results):
            for (s, p, o), line in where.triples.items():
                if p == _RDF_TYPE:
                    types.setdefault(s, []).append((o, line))
        # a JSON-LD or RDF/XML file validated alone: a result on a blank node it does not
        # place is still in that file, "FILE:" (no line can be known); one on an IRI it does
        # not name is about another file's node (the project's), as in Turtle: no place
        alone = f"{where.lineless[0]}:" if len(texts) == 1 and where.lineless else None
        keys: dict[str, str | None] = {}  # a report's blank node -> its key in the texts

        def key(term: str | None) -> str | None:
            if term is None or not term.startswith("_:") or not where.blanks:
                return term
            if term not in keys:
                described = {(str(p), str(o)) for p, o
                             in self.graph.predicate_objects(BNode(term[2:]))
                             if not isinstance(o, BNode)}
                keys[term] = where.blank(described) if described else None
            return keys[term] or term

        def at(r: Result) -> Result:
            # a cycle, in the closure: a reflexive triple of a transitive property (one of
            # another property, such as a misspelt one, is its own triple, no cycle)
            if r.path in CYCLE_INVERSES and r.value == r.focus:
                inverse = CYCLE_INVERSES.get(r.path)
                cycle = where.cycle(r.focus, r.path, inverse)
                if cycle:
                    steps = [short_iri(o) + _at(line, f"as {short_iri(p)}" if p != r.path
                                                else None)
                             for o, line, p in cycle]
                    return replace(r, location=cycle[0][1] or where.of(r),
                                   message=f"{r.message}: "
                                   + " → ".join([short_iri(r.focus), *steps])
                                   + (_stated_otherwise(where, r) if len(cycle) == 1 else ""))
            r = replace(r, location=where.of(replace(r, focus=key(r.focus),
                                                     value=key(r.value)))
                        or (alone if r.focus.startswith("_:") else None))
            r = _stated_inversely(where, r)
            r = _as_written(where, r)
            if r.constraint == _SPARQL_COMPONENT and r.path and r.value \
                    and not r.shape.startswith(_QC):  # a query's Problem gives examples
                r = replace(r, related=where.compared(r))
            if r.shape == _QC + "duplicate-entity-label-violation":
                r = replace(r, related=where.labelled_alike(r))
            if r.path is None and r.follows is None and _generated_domain(r.shape):
                # not a follower's: its cause (a misspelt class) says it already
                r = replace(r, message=r.message + _domain_said(where, r, types))
            if r.message.startswith(_TWO_PARENTS):  # each parent's line, not the second's alone
                r = replace(r, message=_TWO_PARENT_NAMED.sub(
                    lambda m: m[1] + _at(where.of_value(r.focus, r.path, _expanded(m[2]))),
                    r.message, count=2))
            if r.message.startswith(_TWO_COUNTRIES):  # each country's line, or its stated step's
                r = replace(r, message=_TWO_COUNTRIES_NAMED.sub(
                    lambda m: m[1] + _within_at(where, r.focus, _expanded(m[2])),
                    r.message, count=2))
            if not r.values:
                return r
            values = tuple(replace(v, location=where.of_value(key(r.focus), r.path, v.value))
                           for v in r.values)
            return replace(r, values=values, message=r.message.replace(
                _counted(r.path, r.values), _counted(r.path, values), 1))

        results, dropped = _fold_statement_results(
            _of_an_undeclared_class([at(r) for r in self.results]), where)
        results = _untyped_statements(results, where)
        results, names = _blanks_named(results, where, key, self.graph)
        if not dropped:
            return replace(self, results=results, blank_names=names)
        return replace(self, results=results, blank_names=names,
                       graph=_without_results(self.graph, dropped))

    def grouped(self) -> list[tuple[Result, list[Result]]]:
        """Each result that repeats no other (:attr:`Result.follows`), with those that repeat
        it: what the formats people read (text, GitHub annotations, the /validate page)
        show. Every result is in exactly one group."""
        followers: dict[tuple, list[Result]] = {}  # by what they repeat, in report order
        leads = {(*_place(r), r.path) for r in self.results if r.follows is None}
        for r in self.results:
            if r.follows is not None:
                key = (*_place(r), r.follows)
                # one that follows from a cause (:func:`_mark_cause_repeats`) has a value of
                # its own: the cause's result is on its focus node and severity, on that path
                key = key if key in leads else (r.focus, r.severity, r.follows)
                followers.setdefault(key, []).append(r)
        out = []
        for lead in self.results:
            if lead.follows is None:
                # the first result on that path takes them; another on it, none
                out.append((lead, followers.pop((*_place(lead), lead.path), [])
                            + followers.pop((lead.focus, lead.severity, lead.path), [])))
        # a follower whose result is missing (not made by mark_followers) stands alone
        out += [(r, []) for repeats in followers.values() for r in repeats]
        return out

    def as_json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "results": [asdict(r) for r in self.results]},
            indent=2, ensure_ascii=False,
        ) + "\n"

    def as_turtle(self) -> str:
        """The report graph, an ``sh:ValidationReport``, with what the text report says of each
        result beyond SHACL's terms as triples on its ``sh:ValidationResult``
        (:func:`annotated_report`), its blank nodes labelled by what it says of them
        (:func:`_stably_labelled`): two runs on the same files write the same bytes."""
        graph = _stably_labelled(annotated_report(self.graph, self.results, self.blank_names))
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri)
        graph.bind("sh", str(SH))
        return graph.serialize(format="turtle")

    def as_github(self) -> str:
        """One GitHub Actions workflow command per result (``::error file=F,line=N,title=…::``),
        which a workflow shows as an annotation on the line in the pull request (``::warning``
        for a warning); nothing when there is no result."""
        level = {"Violation": "error", "Warning": "warning", "Info": "notice"}
        lines = []
        for r, repeats in self.grouped():
            props = []
            if r.location:
                path, _, line = r.location.rpartition(":")  # "FILE:" where no line is known
                props += [f"file={_gh_property(path)}", *([f"line={line}"] if line else [])]
            props.append(f"title={_gh_property(_rule_title(r))}")
            also = ("; also as " + ", ".join(
                " ".join(filter(None, (repeat_name(r, f), f"({short_iri(f.shape)})")))
                for f in repeats) if repeats else "")
            lines.append(f"::{level.get(r.severity, 'error')} {','.join(props)}::"
                         f"{_gh_data(_summary(r) + also)}")
        return "".join(f"{line}\n" for line in lines)

    def as_sarif(self) -> str:
        """The report as a SARIF 2.1.0 log (read by GitHub code scanning, GitLab, editors):
        one rule per shape that has results (its label, else its message, and its comment
        from :attr:`shapes`; its IRI as help), one result per validation result, on its file and
        line where a file says it, with a fingerprint that survives the line moving. An
        empty run when the data conforms."""
        level = {"Violation": "error", "Warning": "warning", "Info": "note"}
        stable = functools.partial(_stable_blank, self.graph, {})
        rule_ids = sorted({r.shape for r in self.results})
        rules = [_sarif_rule(shape, self.shapes, next(
            (r.advice for r in self.results if r.shape == shape and r.advice), None))
            for shape in rule_ids]
        results = []
        for r in self.results:
            identity = "\n".join((r.shape, stable(r.focus), r.path or "", stable(r.value or ""),
                                  r.constraint))
            result: dict = {
                "ruleId": short_iri(r.shape), "ruleIndex": rule_ids.index(r.shape),
                "level": level.get(r.severity, "error"),
                "message": {"text": _summary(r)},
                "partialFingerprints": {
                    "kgValidationResult/v1": hashlib.sha256(identity.encode()).hexdigest()},
                "properties": {"focusNode": r.focus, "resultPath": r.path, "value": r.value,
                               "sourceShape": r.shape, "sourceConstraintComponent": r.constraint,
                               **({"follows": r.follows} if r.follows else {})},
            }
            if r.values:  # as JSON lists them; a viewer shows each line as a related one
                result["properties"]["values"] = [asdict(v) for v in r.values]
                related = [{"id": i, "physicalLocation": _sarif_place(v.location),
                            "message": {"text": _short_value(v.value)}}
                           for i, v in enumerate((v for v in r.values if v.location), 1)]
                if related:
                    result["relatedLocations"] = related
            if r.related:  # what the value is compared with: the start date of a later end
                known = result.setdefault("relatedLocations", [])
                known += [{"id": i, "physicalLocation": _sarif_place(x.location),
                           "message": {"text": related_text(replace(x, location=None))}}
                          for i, x in enumerate((x for x in r.related if x.location),
                                                len(known) + 1)]
                if not known:
                    del result["relatedLocations"]
            if r.location:
                result["locations"] = [{"physicalLocation": _sarif_place(r.location)}]
            results.append(result)
        return _sarif_log(rules, results)

    def as_text(self) -> str:
        if not self.results:
            return "Conforms: the data satisfies every shape.\n"
        groups = self.grouped()
        repeated = len(self.results) - len(groups)
        head = ("Conforms, with warnings (they do not fail validation)" if self.conforms
                else "Does not conform")
        lines = [f"{head}: {len(self.results)} result(s) ({self.counts()})"
                 + (f"; {repeated} of them repeat another (through a sub-property, "
                    "rdfs:subPropertyOf, as a generated range shape, or as what follows from "
                    "a cause it reports) and are shown with it (\"also as\")."
                    if repeated else "."), ""]
        for r, repeats in groups:
            lines.append(f"{r.severity}: {r.message}")
            lines.append(f"  focus node: {short_iri(r.focus)}")
            if r.location:
                lines.append(f"  where:      {r.location}")
            if r.path:
                lines.append(f"  path:       {short_iri(r.path)}")
            if (value := shown_value(r)) is not None:
                lines.append(f"  value:      {value}")
            if r.shape.startswith(_QC):
                lines.append(f"  query:      {short_iri(r.shape)}")
            else:
                lines.append(f"  shape:      {short_iri(r.shape)} ({short_iri(r.constraint)})")
            if r.advice:
                lines.append(f"  advice:     {r.advice}")
            lines += [f"  see also:   {related_text(x)}" for x in r.related]
            for i, f in enumerate(repeats):
                name = repeat_name(r, f)
                lines.append(f"  {'also as:' if i == 0 else '':<11} "
                             + (f"{name}: " if name else "")
                             + f"{f.message} ({short_iri(f.shape)})")
            lines.append("")
        return "\n".join(lines)


def repeat_name(lead: Result, repeat: Result) -> str:
    """How a result that repeats ``lead`` is named beside it: its path, and its value where it
    is not the lead's (what follows from a cause: ``kgo:subEventOf event:offensive``); nothing
    for a node shape's result (a domain's, which follows from an undeclared class)."""
    value = shown_value(repeat) if _value_key(repeat) != _value_key(lead) else None
    return " ".join(filter(None, (short_iri(repeat.path) if repeat.path else None, value)))


def _result_key(report: Graph, node) -> tuple:
    """What a report graph's result and the :class:`Result` made of it share (its focus node,
    path, value, severity and constraint component, as :func:`_results` writes them)."""
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    return (_term_text(report.value(node, SH.focusNode)),
            str(path) if isinstance(path, URIRef)
            else path_text(report, path) if path is not None else None,
            None if value is None else _value_text(value),
            short_iri(str(report.value(node, SH.resultSeverity))).replace("sh:", ""),
            str(report.value(node, SH.sourceConstraintComponent)))


def annotated_report(report: Graph, results: Iterable[Result],
                     blank_names: dict[str, str] | None = None) -> Graph:
    """A copy of ``report`` (a SHACL validation report) with, on each ``sh:ValidationResult``,
    what its :class:`Result` says beyond SHACL's terms, in the shapes' namespace (declared in
    shapes/kg-shapes.ttl; SHACL allows a result further triples): ``kgs:file`` and
    ``kgs:line``, its :attr:`Result.location`; ``kgs:hint``, what :attr:`Result.message`
    adds to the result's ``sh:resultMessage`` ("Did you mean kgo:Person?", "write it …");
    ``kgs:advice``, :attr:`Result.advice`; ``kgs:repeats``, the result it repeats
    (:attr:`Result.follows`, shown with that one as "also as" in the text report); and
    ``kgs:countedValue``, each of :attr:`Result.values` (a value too many, sh:maxCount) as a
    node with its ``kgs:value`` and, where known, ``kgs:file`` and ``kgs:line``; and
    ``kgs:related``, each of :attr:`Result.related` ("see also") as a node giving its triple
    (``rdf:subject``, ``rdf:predicate``, ``rdf:object``) and, where known, its file and
    line. A result is found by its focus node, path, value, severity and constraint
    component, and by its message beginning with the result's; a blank node by the name the
    result gives it (``blank_names``: :attr:`Report.blank_names`)."""
    from kg.iris import SHAPES

    kgs = {name: URIRef(SHAPES + name) for name in ("file", "line", "hint", "advice",
                                                       "repeats", "countedValue", "value",
                                                       "related")}
    results = list(results)
    out = Graph()
    out += report
    nodes: dict[tuple, list[tuple[str, object]]] = {}
    for node in report.subjects(RDF.type, SH.ValidationResult):
        said = " / ".join(sorted(str(m) for m in report.objects(node, SH.resultMessage)))
        focus, path, value, *rest = _result_key(report, node)
        if blank_names:
            focus = blank_names.get(focus, focus)
            value = blank_names.get(value, value) if value is not None else None
        nodes.setdefault((focus, path, value, *rest), []).append((said, node))
    node_of: dict[int, object] = {}  # id of a Result -> its node in the report
    blank_labels = {name: label for label, name in (blank_names or {}).items()}

    def place(node, location: str | None) -> None:
        if location:
            file, _, line = location.rpartition(":")
            out.add((node, kgs["file"], Literal(file)))
            if line.isdigit():
                out.add((node, kgs["line"], Literal(int(line))))

    for r in results:
        candidates = (nodes.get((r.focus, r.path, r.value, r.severity, r.constraint))
                      # a value shown as the file writes it, where rdflib wrote it otherwise
                      or nodes.get((r.focus, r.path, _canonical(r.value), r.severity,
                                    r.constraint), []))
        # the two parents' (countries') lines are said in the message, between its words
        # (:meth:`located`)
        message = (_TWO_PARENT_NAMED.sub(r"\1", r.message, count=2)
                   if r.message.startswith(_TWO_PARENTS) else
                   _TWO_COUNTRIES_NAMED.sub(r"\1", r.message, count=2)
                   if r.message.startswith(_TWO_COUNTRIES) else r.message)
        # the result whose message this one's begins with, the longest such first
        match = max((c for c in candidates if message.startswith(c[0])),
                    key=lambda c: len(c[0]), default=None)
        if match is None:
            continue
        candidates.remove(match)
        said, node = match
        node_of[id(r)] = node
        hint = re.sub(r"^[;.:]?\s*", "", message[len(said):]) if said else message
        place(node, r.location)
        if message.startswith(_TWO_PARENTS):
            _detail_named(out, node, r.message, place, _TWO_PARENT_NAMED,
                          "one of the two parents: subordinate to ")
        elif message.startswith(_TWO_COUNTRIES):
            _detail_named(out, node, r.message, place, _TWO_COUNTRIES_NAMED,
                          "one of the two countries: lies within ")
        if hint and said != r.message:
            out.add((node, kgs["hint"], Literal(hint)))
        if r.advice:
            out.add((node, kgs["advice"], Literal(r.advice)))
        for v in r.values:
            counted = BNode()
            out.add((node, kgs["countedValue"], counted))
            out.add((counted, kgs["value"], _value_term(v.value)))
            place(counted, v.location)
        for x in r.related:  # the text report's "see also": the triple, at its line
            related = BNode()
            out.add((node, kgs["related"], related))
            subject = blank_labels.get(x.focus or r.focus, x.focus or r.focus)
            if subject.startswith("_:") or "://" in subject:
                out.add((related, RDF.subject, _node(subject)))
            out.add((related, RDF.predicate, URIRef(x.path)))
            out.add((related, RDF.object, _value_term(x.value)))
            place(related, x.location)
    for lead, repeats in Report(conforms=False, results=results).grouped():
        for f in repeats:
            if id(f) in node_of and id(lead) in node_of:
                out.add((node_of[id(f)], kgs["repeats"], node_of[id(lead)]))
    return out


def _stably_labelled(graph: Graph, rounds: int = 4) -> Graph:
    """``graph`` with each blank node labelled by a digest of what the graph says of it and of
    what it reaches and is reached from, ``rounds`` steps away, not by the engine's label,
    another in every run (the serializer orders the results by their labels, so the bytes
    changed too). A report is a tree of results, shapes and data nodes: nodes the digests
    cannot tell apart say the same, and either label gives the same text. rdflib's canonical
    labelling (RGDA1) gives such labels too, and took 24 s of CPU for the 860 results of
    graph/article-part1.ttl alone, where this takes a fraction of a second."""
    blanks = {n for t in graph for n in (t[0], t[2]) if isinstance(n, BNode)}
    if not blanks:
        return graph
    out_of: dict = {b: [] for b in blanks}
    into: dict = {b: [] for b in blanks}
    for s, p, o in graph:
        if s in blanks:
            out_of[s].append((p.n3(), o))
        if o in blanks:
            into[o].append((p.n3(), s))
    digest = dict.fromkeys(blanks, "")

    def term(node) -> str:
        return "_:" + digest[node] if node in blanks else node.n3()

    for _ in range(rounds):
        digest = {b: hashlib.sha256("\n".join(
            [*sorted(f"> {p} {term(o)}" for p, o in out_of[b]),
             *sorted(f"< {p} {term(s)}" for p, s in into[b])]).encode()).hexdigest()[:32]
            for b in blanks}
    seen: dict[str, int] = {}
    label = {}
    for b in sorted(blanks, key=lambda b: digest[b]):
        n = seen[digest[b]] = seen.get(digest[b], -1) + 1
        label[b] = BNode(f"b{digest[b]}" + (f"x{n}" if n else ""))
    out = Graph()
    for s, p, o in graph:
        out.add((label.get(s, s), p, label.get(o, o)))
    return out


def _detail_named(out: Graph, node, message: str, place: Callable, named: re.Pattern,
                  said: str) -> None:
    """On a result of the report ``out`` naming two values at their lines (two parents,
    kgs:OneParentConstraint; two countries, kgs:OneCountryConstraint), each value ``named``
    finds in its ``message`` as SHACL's ``sh:detail``: a result further on the cause of this
    one, with this one's focus node, path, severity, shape and component, the value as its
    ``sh:value`` (a result has one), ``said`` and the value (and the stated step the closure
    follows, where the message gives one) as its message, and the file and line that give it
    (``place``). A SHACL tool reads ``sh:detail`` (pySHACL writes its own nested results so);
    a value named in the message alone was read by none."""
    for _, value, location in named.findall(message)[:2]:
        at, _, through = (location or "").partition(", ")
        detail = BNode()
        out.add((node, SH.detail, detail))
        out.add((detail, RDF.type, SH.ValidationResult))
        for p in (SH.focusNode, SH.resultPath, SH.resultSeverity, SH.sourceShape,
                  SH.sourceConstraint, SH.sourceConstraintComponent):
            for o in out.objects(node, p):
                out.add((detail, p, o))
        out.add((detail, SH.value, URIRef(_expanded(value))))
        out.add((detail, SH.resultMessage, Literal(
            said + value + (f", {through}" if through else ""))))
        place(detail, at or None)


def _stable_blank(graph: Graph, seen: dict, text: str) -> str:
    """``text`` itself, or for a blank node (``_:label``, a label that changes from run to run)
    a name made from what ``graph`` (a report, which describes the blank nodes its results
    are about) says of it, three steps out (:func:`_described`): the same data gives the same
    name, so a SARIF fingerprint keeps its identity. Two nodes described alike get one name;
    the engines describe some nodes differently, so their names may differ."""
    if not text.startswith("_:"):
        return text
    if text not in seen:
        seen[text] = "_:described-" + _described(graph, BNode(text[2:]), 3, ())[:32]
    return seen[text]


def _described(graph: Graph, node, depth: int, above: tuple) -> str:
    """A digest of ``node``'s statements in ``graph``, a blank value by its own digest
    ``depth`` steps further out (a node on the way up by a mark: no cycle is followed)."""
    lines = []
    for _, p, o in graph.triples((node, None, None)):
        if isinstance(o, BNode):
            value = ("_:up" if o in above or o == node else
                     "_:" + _described(graph, o, depth - 1, (*above, node)) if depth else "_:")
        else:
            value = o.n3()
        lines.append(f"{p.n3()} {value}")
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


#: A blank node's label as the results write it (:func:`_term_text`).
_BLANK_LABEL = re.compile(r"_:[A-Za-z0-9_-]+")


def _blanks_named(results: list[Result], where: StatementLines,
                  key: Callable[[str | None], str | None], report: Graph
                  ) -> tuple[list[Result], dict[str, str]]:
    """``results`` with each blank node they name (focus node, value, a counted value, in a
    message) given a name that is the same in every run and process, where its label
    (``_:b3f…``, the engine's) is another each time, so that two runs on the same file give the
    same report, which a CI diff and a SARIF baseline compare: the name of the texts' blank
    node it is (``key``, :meth:`StatementLines.blank_names`: ``event:x → kgo:tookPlaceAt →
    [ ]``), else ``[ ] #`` and a digest of what ``report`` says of it (:func:`_described`);
    and the names by label."""
    labels = {t for r in results for t in (r.focus, r.value, *(v.value for v in r.values))
              if t and t.startswith("_:")}
    if not labels:
        return results, {}
    of_key = where.blank_names()
    names = {label: of_key.get(key(label) or "")
             or "[ ] #" + _described(report, BNode(label[2:]), 3, ())[:12]
             for label in sorted(labels)}

    def named(text: str) -> str:
        return _BLANK_LABEL.sub(lambda m: names.get(m[0], m[0]), text)

    out = [replace(r, focus=names.get(r.focus, r.focus),
                   value=names.get(r.value, r.value) if r.value is not None else None,
                   values=tuple(replace(v, value=names.get(v.value, v.value)) for v in r.values),
                   message=named(r.message)) for r in results]
    # the results on blank nodes came in the order of their labels: in their names' (a
    # stable sort, each node's own in the order they had), where they were
    slots = [i for i, r in enumerate(results) if r.focus in names]
    for i, r in zip(slots, sorted((out[i] for i in slots), key=lambda r: r.focus),
                    strict=True):
        out[i] = r
    return out, names


def _place(r: Result) -> tuple:
    """What a result and those that repeat it share: focus node, value (or values) and
    severity."""
    return r.focus, _value_key(r), r.severity


def _value_key(r: Result):
    """A result's value, or its values (:attr:`Result.values`), as one key."""
    return r.value if r.value is not None or not r.values else tuple(v.value for v in r.values)


#: The constraints whose results are about how many values there are.
_COUNTED = (str(SH.MaxCountConstraintComponent),)


def with_values(results: list[Result], objects: Callable[[str, str], Iterable]) -> list[Result]:
    """``results`` with :attr:`Result.values` on each about too many values (sh:maxCount on a
    property): the focus node's values of the path (``objects(focus, path)``: rdflib terms, in
    the data validated), in order, and its message ending with how many and which ("; it has 2
    values of kgo:startDate: …"; :meth:`Report.located` adds each one's line). Shared by both
    engines, so their reports agree."""
    out = []
    for r in results:
        if r.constraint in _COUNTED and r.path is not None and "://" in r.path \
                and r.value is None:
            values = tuple(ValueAt(v) for v in sorted({_value_text(o) for o in objects(
                r.focus, r.path)}))
            if values:
                r = replace(r, values=values, message=f"{r.message}; {_counted(r.path, values)}")
        out.append(r)
    return out


def _counted(path: str | None, values: tuple[ValueAt, ...]) -> str:
    """How many values a path has, and each (with its line where known)."""
    return (f"it has {len(values)} value{'s' if len(values) != 1 else ''} of "
            f"{short_iri(path or '')}: ") + ", ".join(
        _short_value(v.value) + (f" ({v.location})" if v.location else "") for v in values)


#: The shapes that report an undeclared kgo: term, and where their results name it: the type
#: (value), the property (path), the class or property an axiom names (value).
_UNDECLARED = {"DeclaredTypeShape": ("value", "class"),
               "DeclaredPropertyShape": ("path", "property"),
               "OntologyReferenceShape": ("value", None),
               # a figure's kind and unit are individuals the ontology declares
               "QuantityKindShape": ("value", "figure kind"),
               "QuantityUnitShape": ("value", "unit of count")}


def undeclared_terms(results: Iterable[Result]) -> set[str]:
    """The kgo: terms that ``results`` of the shapes name as undeclared (:data:`_UNDECLARED`:
    a type, a property, an axiom's term, a figure's kind or unit, a statement's predicate),
    each in the field that names it."""
    return {named[0] for r in results if (named := _undeclared(r))}


def _undeclared(r: Result) -> tuple[str, str | None] | None:
    """The undeclared kgo: term a result of the shapes names (:data:`_UNDECLARED`) and the
    kind of term it should be (None: a class or a property), else None; a statement's
    ``rdf:predicate`` that no triple uses (kgs:StatementShape, "describes a triple that is not
    in the graph") is a property's."""
    from kg.iris import BASE, KGO

    if not r.shape.startswith(BASE + "shapes/"):
        return None
    if r.path == str(RDF.predicate) and r.message.startswith(_NOT_IN_GRAPH):
        said: tuple[str, str | None] | None = ("value", "property")
    else:
        said = _UNDECLARED.get(r.shape.rpartition("/")[2])
    term = getattr(r, said[0]) if said else None
    return (term, said[1]) if term and term.startswith(str(KGO)) else None


def with_suggestions(results: list[Result], declared: Callable[[], dict[str, set[str]]]
                     ) -> list[Result]:
    """``results`` with "Did you mean kgo:Person?" on each that reports an undeclared kgo: term
    (kgs:DeclaredTypeShape, kgs:DeclaredPropertyShape, kgs:OntologyReferenceShape), where a
    declared term of its kind is close (by local name). ``declared()`` gives the
    declared kgo: terms, ``{"class": …, "property": …, "figure kind": …, "unit of count": …}``
    (the last two the ontology's named individuals a figure names); called only when a result
    needs it. Shared by both engines, so their reports agree."""
    from kg.iris import KGO

    found: dict[str, set[str]] | None = None
    out = []
    for r in results:
        named = _undeclared(r)
        if named:
            import difflib

            term, kind = named
            found = declared() if found is None else found
            kinds = [kind] if kind else ["class", "property"]
            # by local name (the namespace would make any two names look alike), the same
            # name in other case first (kgo:person for kgo:Person)
            names = {t[len(KGO):]: t for k in kinds for t in found.get(k, ())}
            local = term[len(KGO):]
            close = ([n for n in sorted(names) if n.lower() == local.lower()][:1]
                     or difflib.get_close_matches(local, sorted(names), n=1, cutoff=0.8))
            meant = names[close[0]] if close else None
            if meant and meant != term:
                r = replace(r, message=f"{r.message}. Did you mean {short_iri(meant)}?")
        out.append(r)
    return out


_CLASS_KINDS = (str(OWL.Class),)
_PROPERTY_KINDS = (str(OWL.ObjectProperty), str(OWL.DatatypeProperty),
                   str(OWL.AnnotationProperty))
#: The ontology's classes of named individuals a shape wants (kgs:QuantityKindShape, …).
_INDIVIDUAL_KINDS = {"https://w3id.org/kg1978/ontology/FigureKind": "figure kind",
                     "https://w3id.org/kg1978/ontology/UnitOfCount": "unit of count"}
#: Every rdf:type whose terms :func:`declared_terms` sorts.
DECLARING_TYPES = _CLASS_KINDS + _PROPERTY_KINDS + tuple(_INDIVIDUAL_KINDS)


def declared_terms(typed: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """The kgo: classes and properties among ``typed`` ((term, rdf:type) IRI pairs)."""
    from kg.iris import KGO

    out: dict[str, set[str]] = {"class": set(), "property": set(),
                                **{name: set() for name in _INDIVIDUAL_KINDS.values()}}
    for term, kind in typed:
        if term.startswith(str(KGO)):
            if kind in _CLASS_KINDS:
                out["class"].add(term)
            elif kind in _PROPERTY_KINDS:
                out["property"].add(term)
            elif kind in _INDIVIDUAL_KINDS:
                out[_INDIVIDUAL_KINDS[kind]].add(term)
    return out


def finish_results(results: list[Result], objects: Callable[[str, str], Iterable],
                   typed: Callable[[], Iterable[tuple[str, str]]],
                   sub_of: Callable[[], Iterable[tuple[str, str]]]) -> list[Result]:
    """What both SHACL engines do to their results, so their reports agree: the values of a
    result about how many there are (:func:`with_values`, ``objects(focus, path)``), the term
    an undeclared one most likely meant (:func:`with_suggestions`, from ``typed()``: (term,
    rdf:type) pairs of the data), and which results repeat another through a sub-property
    (:func:`mark_followers`, ``sub_of()``: (sub-property, super-property) pairs)."""
    results = with_values(results, objects)
    results = with_suggestions(results, lambda: declared_terms(typed()))
    return mark_followers(results, sub_of())


def mark_followers(results: list[Result], sub_of: Iterable[tuple[str, str]]) -> list[Result]:
    """``results`` with :attr:`Result.follows` set on each result that repeats another: a
    result on the same focus node and value, with the same severity, whose path is a
    sub-property of its path (``sub_of``: (sub-property, super-property) IRIs, closed here
    under transitivity). A value given by ``kgo:onDate`` is also one of ``kgo:startDate`` and
    ``kgo:endDate`` in the closure, so one wrong date is three results; two of them follow the
    first. The result followed is one that follows nothing (properties equivalent to each
    other follow none). A generated range shape's result that repeats a hand-written shape's
    follows it too (:func:`_mark_range_repeats`), and so does a result that only follows from
    a cause another result on its focus node reports (:func:`_mark_cause_repeats`)."""
    from kg.materialise import _closure

    above: dict[str, set[str]] = {}
    for a, b in sub_of:
        above.setdefault(a, set()).add(b)
    pairs = {(a, b) for a, supers in _closure(above).items() for b in supers if a != b}
    groups: dict[tuple, list[str]] = {}
    for r in results:
        if r.path is not None and _value_key(r) is not None:
            groups.setdefault(_place(r), []).append(r.path)
    out = []
    for r in results:
        paths = groups.get(_place(r), ())
        below = sorted(p for p in set(paths) if (p, r.path) in pairs
                       and not any((q, p) in pairs for q in paths))
        out.append(replace(r, follows=below[0]) if below else r)
    return _words_compared(_mark_cause_repeats(_mark_range_repeats(out)))


#: How a date result's hint says what a date in words is (:func:`_date_written_otherwise`).
_IN_WORDS = re.compile(r'; "([^"]+)" is a date in words: write it ("[^"]+"\^\^xsd:[A-Za-z]+)$')


def _words_compared(results: list[Result]) -> list[Result]:
    """``results`` with, on each SPARQL result that names a date another event writes in
    words (``kgo:onDate "2 December 1978"``: a datatype result says what to write) and does not
    follow that result already, that the check compared the words as text, which says nothing
    of the dates: "; 2 December 1978 is event:founding's kgo:onDate in words, compared here as
    text: this says nothing until it is written "1978-12-02"^^xsd:date". A group's lifetime or
    a whole's dates checked against it were results that read as the event's own mistake
    ("takes part in it until 1978-12-21 at the latest, before its founding can have begun (2
    December 1978 at the earliest)")."""
    words: dict[str, tuple[Result, str]] = {}
    for r in results:
        if r.follows is None and r.constraint in _DATE_FORM_CHECKS \
                and (m := _IN_WORDS.search(r.message)):
            words.setdefault(m[1], (r, f" in words, compared here as text: this says nothing "
                                       f"until it is written {m[2]}"))
        elif r.follows is None and r.constraint in _DATE_FORM_CHECKS \
                and (bad := _ill_formed_date(r.value)):
            # "23-12-1978"^^xsd:date: compared as text with other events' dates, as words are
            words.setdefault(bad[0], (r, f", ill-formed (not an xsd:{bad[1]}), compared here as "
                                         "text: this says nothing until it is corrected"))
    if not words:
        return results
    sparql = str(SH.SPARQLConstraintComponent)
    out = []
    for r in results:
        if r.constraint == sparql and r.follows is None:
            said = [f"; {text} is {short_iri(lead.focus)}'s {short_iri(lead.path or '')}{why}"
                    for text, (lead, why) in words.items()
                    if re.search(rf"(?<![\w-]){re.escape(text)}(?![\w-])", r.message)]
            if said:
                r = replace(r, message=r.message + "".join(said))
        out.append(r)
    return out


def _ill_formed_date(value: str | None) -> tuple[str, str] | None:
    """The lexical form and the datatype's local name of a literal typed as a date
    (xsd:date, xsd:gYearMonth, xsd:gYear) that is not one (``"23-12-1978"^^xsd:date``, a day
    not in the calendar: :func:`_not_a_date`), else None."""
    typed = _TYPED.fullmatch(value or "")
    if typed is None or typed[2] not in _DATE_TYPES \
            or not _not_a_date(typed[1], URIRef(typed[2])):
        return None
    return typed[1], typed[2].rpartition("#")[2]


def _mark_range_repeats(results: list[Result]) -> list[Result]:
    """``results`` with :attr:`Result.follows` set on each result of a generated range shape
    (shapes/domain-range.ttl, ``kgs:P-range``) that says what a hand-written shape's result
    says: the same focus node, value, severity and constraint component, on the same path or
    on an alternative path (``kgo:hadParticipant|kgo:directedAgainst``) that has it. The
    hand-written one's message is the one written for the case (``kgs:EventPlaceShape``: "an
    event takes place at a kgo:Place"); the generated one follows it, or follows what it
    follows."""
    leads: dict[tuple, Result] = {}
    for r in results:
        if r.path is not None and _value_key(r) is not None and not _generated_range(r.shape):
            for alternative in _alternatives(r.path):
                leads.setdefault((*_place(r), r.constraint, alternative), r)
    out = []
    for r in results:
        lead = (leads.get((*_place(r), r.constraint, short_iri(r.path)))
                if r.path is not None and r.follows is None and _generated_range(r.shape)
                else None)
        out.append(replace(r, follows=lead.follows or lead.path) if lead else r)
    return out


_DATATYPE = str(SH.DatatypeConstraintComponent)
#: The constraints that say a value is no date where one is wanted: sh:datatype (kgo:onDate),
#: sh:or of the date types (kgo:startDate, kgo:endDate).
_DATE_FORM_CHECKS = (_DATATYPE, str(SH.OrConstraintComponent))
#: The datatypes of dates: a result comparing dates that names a date a too-many-values
#: result counts follows from it.
_DATE_TYPES = tuple(str(t) for t in (XSD.date, XSD.gYearMonth, XSD.gYear))
_TYPED = re.compile(r'"([^"]*)"\^\^<([^>]+)>')


def _mark_cause_repeats(results: list[Result]) -> list[Result]:
    """``results`` with :attr:`Result.follows` set on each that only follows from a cause
    another result on the same focus node (and severity) reports, pointing at that result's
    path: a generated domain shape's result (``kgs:P-domain``, "the subject of kgo:P must be a
    kgo:Event") where the focus node's class is one the ontology does not declare
    (kgs:DeclaredTypeShape: a misspelt ``kgo:Atack`` leaves the event outside every class,
    and each of its properties then breaks a domain), and a SPARQL result comparing a date
    that a too-many-values result counts (an event given a second kgo:onDate "starts after it
    ends", or lies outside the event it is part of, only by the date too many) or that a
    datatype result says is no date ("7 January 1979" for a kgo:onDate: the constraints
    compare it with dates as text), and a place's "must lie within a kgo:Country" where the
    place lies within itself (a cycle's result on it: the step that closes the cycle is the
    one that should lead out of it, to the place's country; :data:`_IN_A_COUNTRY`)."""
    undeclared: dict[tuple, Result] = {}
    counted: dict[tuple, list[tuple[Result, set[str]]]] = {}
    cycles: dict[tuple, Result] = {}  # a place within itself, by focus node and severity
    for r in results:
        if r.follows is not None:
            continue
        if r.path == _PLACE_WITHIN and r.value == r.focus:
            cycles.setdefault((r.focus, r.severity), r)
        if short_iri(r.shape) == "kgs:DeclaredTypeShape" and r.path is not None:
            undeclared.setdefault((r.focus, r.severity), r)
        dates = {m[1] for v in r.values
                 if (m := _TYPED.fullmatch(v.value)) and m[2] in _DATE_TYPES}
        # a value that is no date where one is wanted ("7 January 1979"): the dates the
        # chronology constraints compare it with as text say nothing more
        written = (_LEXICAL_FORM.match(r.value or "") if r.constraint in _DATE_FORM_CHECKS
                   else None)
        typed = _TYPED.fullmatch(r.value or "")
        if written and len(written[1]) >= 4 and (typed is None or typed[2] not in _DATE_TYPES
                                                 or _ill_formed_date(r.value)):
            dates = {written[1]}
        if (r.constraint in _COUNTED or r.constraint in _DATE_FORM_CHECKS) and dates:
            counted.setdefault((r.focus, r.severity), []).append((r, dates))
    if not undeclared and not counted and not cycles:
        return results
    sparql = str(SH.SPARQLConstraintComponent)
    out = []
    for r in results:
        lead = None
        if r.follows is None and _generated_domain(r.shape):
            lead = undeclared.get((r.focus, r.severity))
        elif r.follows is None and r.shape == _IN_A_COUNTRY:
            lead = cycles.get((r.focus, r.severity))
        elif r.follows is None and r.constraint == sparql:
            lead = next((c for c, dates in counted.get((r.focus, r.severity), ())
                         if any(d in r.message or (r.value or "").startswith(f'"{d}"')
                                for d in dates)), None)
        out.append(replace(r, follows=lead.path) if lead is not None and lead is not r else r)
    return out


#: The constraints that ask what class a value is of (sh:class, and sh:or, sh:xone, sh:and,
#: sh:node and qualified shapes of classes): a value typed with an undeclared class fails them
#: on every node that names it (:func:`_of_an_undeclared_class`).
_CLASS_CHECKS = frozenset(str(SH[c + "ConstraintComponent"]) for c in (
    "Class", "Or", "Xone", "And", "Node", "QualifiedMinCount", "QualifiedMaxCount"))


def _of_an_undeclared_class(results: list[Result]) -> list[Result]:
    """``results`` with, on each whose value is a node typed with a kgo: class the ontology
    does not declare (kgs:DeclaredTypeShape's result on that node: a misspelt ``kgo:Atack``)
    and that asks what class the value is of (:data:`_CLASS_CHECKS`), on another focus node,
    that it follows from that type: its message ends "; event:x is typed kgo:Atack, which
    the ontology does not declare (Did you mean kgo:Attack?): correct its class and this
    result goes", and the type's triple, with its line, is :attr:`Result.related` ("see
    also"). Three figures of an event typed ``kgo:Atack`` were "a figure is the figure of
    exactly one event or measure" and no more, on other focus nodes than the type's result,
    where the results that repeat it are shown."""
    typed: dict[tuple[str, str], list[Result]] = {}  # (node, severity) -> its undeclared types
    for r in results:
        if short_iri(r.shape) == "kgs:DeclaredTypeShape" and r.path == _RDF_TYPE and r.value:
            typed.setdefault((r.focus, r.severity), []).append(r)
    if not typed:
        return results
    out = []
    for r in results:
        causes = typed.get((r.value or "", r.severity), [])
        if causes and r.focus != r.value and r.constraint in _CLASS_CHECKS:
            said = "".join(
                f"; {short_iri(c.focus)} is typed {short_iri(c.value or '')}, which the ontology "
                "does not declare" + (f" ({m[0]})" if (m := _DID_YOU_MEAN.search(c.message))
                                      else "")
                + ": correct its class and this result goes" for c in causes)
            r = replace(r, message=r.message + said, related=r.related + tuple(
                Related(_RDF_TYPE, c.value or "", c.location, c.focus) for c in causes))
        out.append(r)
    return out


#: A place's containment, whose cycle (a reflexive triple in the closure) leaves the place in
#: no country where the step the cycle replaced led to one: kgs:PlaceInCountryShape's result
#: then follows the cycle's (:func:`_mark_cause_repeats`).
_PLACE_WITHIN = PREFIXES["kgo"] + "placeWithin"
_IN_A_COUNTRY = SHAPES + "PlaceInCountryShape"


def _generated_domain(shape: str) -> bool:
    """Whether ``shape`` is one :func:`domain_range_shapes` made from an rdfs:domain."""
    return re.fullmatch(r"kgs:[A-Za-z0-9_]+-domain", short_iri(shape)) is not None


def _stated_inversely(where: StatementLines, r: Result) -> Result:
    """``r`` with, where its triple is placed at a triple the texts write with an inverse of
    its path, subject and object swapped (:meth:`StatementLines.by_inverse`), and with no
    triple of the path or a sub-property of it, the triple as written: "; written as
    unit:army kgo:hasSubordinate unit:division": the line shows no kgo:subordinateTo."""
    if not r.location or not r.path or not r.value or r.value.startswith('"'):
        return r
    inverse = where.by_inverse(r.focus, r.path, r.value)
    if inverse is None or inverse[0] != r.location \
            or where.triples.get((r.focus, r.path, r.value)) \
            or where._by_sub_property(where.triples, lambda p: (r.focus, p, r.value), r.path):
        return r
    return replace(r, message=f"{r.message}; written as {short_iri(r.value)} "
                   f"{short_iri(inverse[1])} {short_iri(r.focus)}")


def _as_written(where: StatementLines, r: Result) -> Result:
    """``r`` with its value as the file writes it, where the parser wrote it otherwise: rdflib
    gives a date-time its canonical form (``"1979-01-07T09:30:00Z"`` read as
    ``…T09:30:00+00:00``, ``"…T00:00:00.000"`` as ``…T00:00:00``), which the result and its
    message showed, a text the file does not have. The literal of the focus node with the
    value's datatype, its lexical form another, that rdflib reads as the same value (the
    earliest such line); the value's lexical form in the message is replaced by it."""
    typed = _TYPED.fullmatch(r.value or "")
    if typed is None:
        return r
    lexical, datatype = typed[1], typed[2]
    if where.tagged_values.get((r.focus, lexical, "^^" + datatype)):
        return r
    value, typed_as = Literal(lexical, datatype=URIRef(datatype)), URIRef(datatype)
    written = next((written for _, written in where.written_forms(r.focus, "^^" + datatype)
                    if written != lexical and Literal(written, datatype=typed_as).eq(value)),
                   None)
    if written is None:
        return r
    return replace(r, value=f'"{written}"^^<{datatype}>',
                   message=r.message.replace(f'"{lexical}"', f'"{written}"'))


def _domain_said(where: StatementLines, r: Result,
                 types: dict[str, list[tuple[str, str | None]]]) -> str:
    """What a domain shape's result (no path, no value: "the subject of kgo:leaderOf … must
    be a kgo:Person") leaves to find: the line that uses the property, and what the texts type
    the node instead: "; kgo:leaderOf at x.ttl:319, and actor:pol-pot is a kgo:State
    (x.ttl:82)"; "" where the texts say neither (a sub-property used)."""
    prop = PREFIXES["kgo"] + short_iri(r.shape)[len("kgs:"):-len("-domain")]
    used = where.predicates.get((r.focus, prop))
    # or its inverse, the node its object: "place:x kgo:containsPlace unit:y"
    inverse = where.by_inverse(r.focus, prop, None) if not used else None
    stated = types.get(r.focus, [])
    if not used and not inverse and not stated:
        return ""
    node = short_iri(r.focus)
    kinds = ("is a " + ", ".join(short_iri(c) + _at(line) for c, line in stated) if stated
             else "has no type in the files")
    use = (f"{short_iri(prop)} at {used}, and " if used else
           f"{short_iri(prop)} by its inverse {short_iri(inverse[1])} at {inverse[0]}, and "
           if inverse else "")
    return "; " + use + f"{node} {kinds}"


def _generated_range(shape: str) -> bool:
    """Whether ``shape`` is one :func:`domain_range_shapes` made from an rdfs:range."""
    return re.fullmatch(r"kgs:[A-Za-z0-9_]+-range", short_iri(shape)) is not None


def _alternatives(path: str) -> list[str]:
    """The properties (as CURIEs) a result's path reaches in one step: the path itself, or
    each of a top-level alternative path's (``kgo:a|kgo:b``) that is one property."""
    return [short_iri(p) for p in path.split("|")] if "|" in path and "(" not in path \
        else [short_iri(path)]


def inverses_in(graph: Graph) -> list[tuple[str, str]]:
    """The (property, inverse) IRIs ``graph`` states (owl:inverseOf)."""
    return [(str(a), str(b)) for a, b in graph.subject_objects(OWL.inverseOf)
            if isinstance(a, URIRef) and isinstance(b, URIRef)]


def subproperties_in(graph: Graph) -> list[tuple[str, str]]:
    """The (sub-property, super-property) IRIs ``graph`` states (rdfs:subPropertyOf)."""
    return [(str(a), str(b)) for a, b in graph.subject_objects(RDFS.subPropertyOf)
            if isinstance(a, URIRef) and isinstance(b, URIRef)]


def _summary(r: Result) -> str:
    """A result in one line: its message, then what it is about (and what to do, if said);
    its value as :func:`shown_value` gives it."""
    facts = [f"focus node {short_iri(r.focus)}"]
    if r.path:
        facts.append(f"path {short_iri(r.path)}")
    if (value := shown_value(r)) is not None:
        facts.append(f"value {value}")
    facts += [f"see also {related_text(x)}" for x in r.related]
    return f"{r.message} ({'; '.join(facts)})" + (f" Advice: {r.advice}" if r.advice else "")


def related_text(related: Related) -> str:
    """``kgo:startDate "1979-01-17"^^xsd:date at FILE:LINE``: a related triple, as the
    formats people read show it."""
    return (" ".join(filter(None, (short_iri(related.focus) if related.focus else None,
                                   short_iri(related.path), _short_value(related.value))))
            + (f" at {related.location}" if related.location else ""))


#: The IRIs of the QC queries (kg.qc.NAMESPACE; here, so short_iri does not import kg.qc).
_QC = "urn:kg:qc:"


def shown_value(r: Result) -> str | None:
    """A result's value as the formats people read show it (text, GitHub annotations, SARIF's
    message, the /validate page): an IRI as a CURIE, a literal with its datatype as one
    (``"1978-13-01"^^xsd:date``); None when there is none, or when it only repeats the focus
    node (a node shape's result: no path, and SHACL gives the focus node as sh:value)."""
    if r.value is None or (r.value == r.focus and not r.path):
        return None
    return _short_value(r.value)


def _rule_title(r: Result) -> str:
    """What a GitHub annotation's title names: the shape, or the QC query."""
    return ("QC " if r.shape.startswith(_QC) else "SHACL ") + short_iri(r.shape)


def _short_value(value: str) -> str:
    """A result's value as the text report shows it: an IRI as a CURIE, a literal's datatype
    too ("1978-13-01"^^xsd:date; under no prefix, in full as :func:`_value_text` wrote it).
    The value is the text :func:`kg.literals.literal_text` wrote, so only its datatype is
    named again (read back through rdflib, a ``\\x`` in the string is taken for an escape)."""
    typed = re.fullmatch(r'(".*")\^\^<([^>]+)>', value, flags=re.S)
    if typed:
        short = short_iri(typed[2])
        return f"{typed[1]}^^" + (f"<{short}>" if short == typed[2] else short)
    return short_iri(value)


def error_output(exc, fmt: str) -> str:
    """What ``kg validate --format FMT`` writes to stdout when it cannot validate (a file that
    does not parse, unusable shapes): for the machine formats, the error in that format — a
    GitHub annotation on the file's line, a SARIF log whose invocation failed with the error
    as a notification and a result on its line, JSON with the message and where — so a CI job
    that keeps stdout (``> kg.sarif``) gets a readable file, not an empty one. Nothing for
    text and Turtle (the error is on stderr)."""
    message = getattr(exc, "message", str(exc))
    path, line, column = getattr(exc, "path", None), getattr(exc, "line", None), \
        getattr(exc, "column", None)
    if fmt == "github":
        props = []
        if path:
            props.append(f"file={_gh_property(path)}")
            if line is not None:
                props.append(f"line={line}")
                if column is not None:
                    props.append(f"col={column}")
        props.append(f"title={_gh_property('kg validate could not validate')}")
        return f"::error {','.join(props)}::{_gh_data(str(exc))}\n"
    if fmt == "json":
        return json.dumps({"conforms": None, "exit_code": getattr(exc, "exit_code", 2),
                           "message": str(exc), "path": path, "line": line, "column": column,
                           "results": []}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "sarif":
        location = []
        if path:
            physical: dict = {"artifactLocation": {"uri": _file_uri(path)}}
            if line is not None:
                physical["region"] = {"startLine": int(line), **(
                    {"startColumn": int(column)} if column is not None else {})}
            location = [{"physicalLocation": physical}]
        rule = "kg:unreadable-input"
        where = {"locations": location} if location else {}
        return _sarif_log(
            [{"id": rule, "name": "unreadable-input", "shortDescription": {
                "text": "the input could not be read or validated"}, "fullDescription": {
                "text": "kg validate could not read the input or could not validate it: a file "
                        "that does not parse, shapes that cannot be used, data inconsistent "
                        "under OWL 2 RL; nothing was validated"}, "help": {
                "text": "Correct what the message names, at the file and line it gives where "
                        "it gives one, and run kg validate again."}}],
            [{"ruleId": rule, "ruleIndex": 0, "level": "error", "message": {"text": message},
              **where}],
            invocations=[{"executionSuccessful": False, "toolExecutionNotifications": [{
                "level": "error", "message": {"text": message}, **where}]}])
    return ""


#: The most characters GitHub code scanning takes in a rule's short and full description.
_SARIF_DESCRIPTION_MAX = 1024


def _sarif_rule(shape: str, shapes: Graph | None, advice: str | None) -> dict:
    """The SARIF rule (reportingDescriptor) of a shape or QC query with results, with what
    GitHub code scanning requires of one (``shortDescription``, ``fullDescription`` and
    ``help``, each a non-empty text; the descriptions at most 1,024 characters): the shape's
    label, else its message, else the query's Problem, as its short description; its comment,
    else its message, else the Problem, as its full one; its IRI as ``helpUri`` where it is a
    web address (a shape's dereferences, ``/shapes/NAME``); the query's Solution (``advice``)
    or where the shape is described as its help."""
    from kg.qc import queries

    def said(prop) -> str | None:
        value = shapes.value(URIRef(shape), prop) if shapes is not None else None
        return str(value).strip() or None if value is not None else None

    def brief(text: str) -> str:
        return text if len(text) <= _SARIF_DESCRIPTION_MAX \
            else text[:_SARIF_DESCRIPTION_MAX - 1].rstrip() + "…"

    name = short_iri(shape)
    query = next((q for q in queries() if q.iri == shape), None) \
        if shape.startswith(_QC) else None
    label, message, comment = said(RDFS.label), said(SH.message), said(RDFS.comment)
    problem = query.problem if query is not None else None
    short = label or message or problem or name
    full = comment or message or problem or short
    web = shape.startswith(("http://", "https://"))
    def sentence(text: str) -> str:
        return text if text.endswith((".", "?", "!", "…")) else text + "."

    if query is not None:
        help_text = (sentence(advice or query.solution or full) + f" The query is"
                     f" src/kg/qc/{query.name}.rq (kg query -f src/kg/qc/{query.name}.rq runs"
                     " it on the built dataset).")
    elif web:
        help_text = " ".join(sentence(t) for t in (advice, full) if t) + f" {name} in " \
            f"words (its targets, each constraint, the message of its results): {shape}"
    else:
        help_text = advice or full
    rule: dict = {"id": name, "name": name.rpartition(":")[2],
                  "shortDescription": {"text": brief(short)},
                  "fullDescription": {"text": brief(full)}, "help": {"text": help_text}}
    if web:
        rule["helpUri"] = shape
    return rule


def _sarif_log(rules: list, results: list, **run: list) -> str:
    """A SARIF 2.1.0 log of one run of kg validate with these rules and results (and any
    other members of the run, such as ``invocations``)."""
    from kg import __version__

    log = {"$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                      "sarif-schema-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {
               "name": "kg validate", "version": __version__,
               "informationUri": "https://w3id.org/kg1978/shapes/", "rules": rules}},
               **run, "results": results}]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _sarif_place(location: str) -> dict:
    """A "FILE:LINE" (or "FILE:", no line known) as a SARIF physicalLocation."""
    path, _, line = location.rpartition(":")
    return {"artifactLocation": {"uri": _file_uri(path)},
            **({"region": {"startLine": int(line)}} if line else {})}


def _file_uri(path: str) -> str:
    """A file as a SARIF artifact URI: relative paths stay relative (to where the tool ran, as
    code scanning expects), with "/" separators and percent-encoding."""
    from pathlib import PurePath
    from urllib.parse import quote

    posix = PurePath(path).as_posix()
    if PurePath(path).is_absolute():
        return "file://" + quote(posix)
    return quote(posix)


def _gh_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub Actions reads it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """A workflow command's property value (``file=``, ``title=``), escaped."""
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


_SUB_PROPERTY_OF = str(RDFS.subPropertyOf)
_INVERSE_OF = str(OWL.inverseOf)
_TOKEN = re.compile(r"""
    (?P<nl>\n) | [ \t\r\f]+ | \#[^\n]*
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<datatype>\^\^)
  | (?P<punct>[;,.\[\](){}])
  | (?P<word>[^\s;,\[\](){}"'<\#]+)
    """, re.VERBOSE)
_RDF_TYPE = str(RDF.type)
#: The labels a blank node's name says (:meth:`StatementLines.blank_names`).
_LABELS = (str(RDFS.label), "http://www.w3.org/2004/02/skos/core#prefLabel")
_LABEL = str(RDFS.label)
#: The resources a ``duplicate-entity-label`` row names (kg.qc's ``?resources``, as CURIEs).
_SHARING_A_LABEL = re.compile(r"\(resources ([^()]+)\)")


@dataclass
class StatementLines:
    """Where Turtle-family texts say things, as "NAME:LINE": the first statement about each
    subject, the first line giving a subject's predicate and a subject-predicate-IRI triple,
    and the first line that names an IRI anywhere."""

    subjects: dict[str, str] = field(default_factory=dict)
    predicates: dict[tuple[str, str], str] = field(default_factory=dict)
    #: the line is None for a triple only the parsed graph gives (:meth:`add_stated`)
    triples: dict[tuple[str, str, str], str | None] = field(default_factory=dict)
    #: (subject, predicate, a literal's lexical form as written) -> the line of that triple
    literals: dict[tuple[str, str, str], str] = field(default_factory=dict)
    #: (subject, predicate, lexical form, tag) -> the line of that triple, the tag saying the
    #: rest of the literal (:func:`_literal_tag`): "Kampuchea"@en and "Kampuchea"@vi on two
    #: lines are two keys, where :attr:`literals` has the first line for both
    tagged_literals: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    #: (subject, lexical form, tag) -> line, whatever the predicate (as :attr:`values`)
    tagged_values: dict[tuple[str, str, str], str] = field(default_factory=dict)
    mentions: dict[str, str] = field(default_factory=dict)
    #: (subject, object) -> line, whatever the predicate; an object is an IRI or a literal's
    #: lexical form (as written: escapes are not undone).
    values: dict[tuple[str, str], str] = field(default_factory=dict)
    #: each blank node of the texts, by a key of its own ("_:NAME:LINE#N" for ``[ ]``,
    #: "_:NAME#LABEL" for ``_:LABEL``) -> the line where it first comes (its ``[``, the line
    #: of the triple whose object it is); the keys stand for it in the maps above
    blanks: dict[str, str] = field(default_factory=dict)
    #: a blank node's key -> its (predicate, object) pairs whose object is an IRI or a literal
    #: (its lexical form): how :meth:`blank` knows it again
    blank_pairs: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    #: the names of the JSON-LD and RDF/XML texts, of which only the nodes' names have lines
    #: (:func:`_read_node_names`)
    lineless: list[str] = field(default_factory=list)
    #: a property -> its sub-properties (rdfs:subPropertyOf, at any depth): where a shape's
    #: path is the super-property, the line of the triple the data writes with a sub-property
    #: (:meth:`with_sub_properties`)
    sub_properties: dict[str, set[str]] = field(default_factory=dict)
    #: a property -> its inverses (owl:inverseOf, either way): where a shape's path is the
    #: property, the line of the triple the data writes with an inverse, subject and object
    #: swapped (:meth:`with_inverses`)
    inverses: dict[str, set[str]] = field(default_factory=dict)
    #: (subject, tag) -> the (line, lexical form) of each of the subject's literals with that
    #: tag, by line: :attr:`tagged_values` indexed once, when :meth:`written_forms` is first
    #: asked (the texts are all read by then), for :func:`_as_written`
    _forms: dict[tuple[str, str], list[tuple[str, str]]] | None = field(
        default=None, init=False, repr=False, compare=False)

    def written_forms(self, subject: str, tag: str) -> list[tuple[str, str]]:
        """The (line, lexical form) of each literal of ``subject`` with ``tag`` the texts
        write, by line (as "NAME:LINE" strings sort): :attr:`tagged_values` is indexed once
        per validation, not scanned for each result."""
        if self._forms is None:
            forms: dict[tuple[str, str], list[tuple[str, str]]] = {}
            for (s, written, t), line in self.tagged_values.items():
                forms.setdefault((s, t), []).append((line, written))
            for found in forms.values():
                found.sort()
            self._forms = forms
        return self._forms.get((subject, tag), [])

    def with_inverses(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Learn (property, inverse) ``pairs``, with those the texts state (the ontology's
        file, where it is read), each both ways."""
        pairs = [*pairs, *((s, o) for (s, p, o) in self.triples if p == _INVERSE_OF)]
        for a, b in pairs:
            if a != b:
                self.inverses.setdefault(a, set()).add(b)
                self.inverses.setdefault(b, set()).add(a)

    def by_inverse(self, focus: str, path: str | None, value: str | None
                   ) -> tuple[str, str] | None:
        """The earliest triple ``value Q focus`` the texts give a line for where Q is an
        inverse of ``path`` or of a sub-property of it, or a sub-property of such an inverse
        (each of which gives ``focus path value`` in the closure), as (line, Q); any value
        where ``value`` is None; else None."""
        if not path:
            return None
        inverses = {q for p in (path, *self.sub_properties.get(path, ()))
                    for q in self.inverses.get(p, ())}
        predicates = {q for p in inverses for q in (p, *self.sub_properties.get(p, ()))}
        if value is None:
            found = [(line, p) for (s, p, o), line in self.triples.items()
                     if o == focus and p in predicates and line]
        else:
            found = [(line, q) for q in predicates if (line := self.triples.get((value, q, focus)))]
        return min(found, key=lambda lp: _line_order(lp[0]), default=None)

    def with_sub_properties(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Learn (sub-property, super-property) ``pairs``, with those the texts state (the
        ontology's file, where it is read), closed under transitivity."""
        sub_of = {(s, o) for (s, p, o) in self.triples if p == _SUB_PROPERTY_OF}
        sub_of.update(pairs)
        direct: dict[str, set[str]] = {}
        for sub, sup in sub_of:
            if sub != sup:
                direct.setdefault(sup, set()).add(sub)
        for sup in direct:
            below, todo = set(), list(direct[sup])
            while todo:
                p = todo.pop()
                if p not in below and p != sup:
                    below.add(p)
                    todo += direct.get(p, ())
            self.sub_properties[sup] = below

    def _by_sub_property(self, table: dict, key: Callable[[str], tuple],
                         path: str | None) -> str | None:
        """The earliest line of ``table`` at ``key(p)`` for a sub-property p of ``path``."""
        lines = [table.get(key(p)) for p in self.sub_properties.get(path or "", ())]
        return min(filter(None, lines), key=_line_order, default=None)

    def add_stated(self, graphs: Iterable[Graph], results: Iterable[Result]) -> None:
        """Add to :attr:`triples`, with no line (None), the triples between IRIs of
        ``graphs`` that the texts do not give and that folding ``results`` may read: those
        of the results' focus nodes, of the statements about them and of the subjects their
        statements name, and every triple of a property whose cycles the shapes report
        (:data:`CYCLE_INVERSES`). A syntax without lines (JSON-LD, RDF/XML) is folded as
        Turtle is; a graph's triples, looked up by subject, cost what the report is."""
        graphs = list(graphs)
        if not graphs:
            return
        foci = {r.focus for r in results if not r.focus.startswith("_:")}
        subject = RDF.subject
        cycles = {URIRef(p) for pair in CYCLE_INVERSES.items() for p in pair}
        for graph in graphs:
            nodes = set(foci)
            for focus in foci:
                node = URIRef(focus)
                nodes.update(str(o) for o in graph.objects(node, subject)
                             if isinstance(o, URIRef))
                nodes.update(str(s) for s in graph.subjects(subject, node)
                             if isinstance(s, URIRef))
            triples = [t for node in nodes for t in graph.triples((URIRef(node), None, None))]
            triples += [t for p in cycles for t in graph.triples((None, p, None))]
            for s, p, o in triples:
                if isinstance(s, URIRef) and isinstance(o, URIRef):
                    self.triples.setdefault((str(s), str(p), str(o)), None)

    def blank(self, described: set[tuple[str, str]]) -> str | None:
        """The key of the blank node of the texts that a report's blank node is: the one with
        the most (predicate, IRI or lexical form) pairs, all of them among ``described`` (what
        the report, which describes the blank nodes its results are about, says of it; the
        closure adds to what a file says, never takes away). The first in the texts on a tie;
        None where none fits."""
        best, size = None, 0
        for key, pairs in self.blank_pairs.items():
            if len(pairs) > size and pairs <= described:
                best, size = key, len(pairs)
        return best

    def blank_names(self) -> dict[str, str]:
        """A name for each blank node of the texts (by its key), made of what they say, so
        the same in every run and process: how it is reached from a named node, ``event:x →
        kgo:tookPlaceAt → [ ]`` (the first triple of the texts whose object it is, one with a
        named subject first; through other blank nodes as far as they go), else what it is,
        ``[ a kgo:Country ; rdfs:label "Elsewhere" ]`` (its types and labels, else ``[ ]``);
        where two would share a name, each with the FILE:LINE that introduces it."""
        into: dict[str, tuple[str, str]] = {}  # blank node -> (subject, predicate) to it
        for (s, p, o) in self.triples:
            if o in self.blanks and o != s and (o not in into or (
                    into[o][0] in self.blanks and s not in self.blanks)):
                into[o] = (s, p)

        def name(node: str, seen: frozenset) -> str:
            if node in into and into[node][0] not in seen:
                subject, predicate = into[node]
                head = (name(subject, seen | {node}) if subject in self.blanks
                        else short_iri(subject))
                return f"{head} → {short_iri(predicate)} → [ ]"
            pairs = self.blank_pairs.get(node, set())
            said = ([f"a {short_iri(o)}" for o in sorted(o for p, o in pairs if p == _RDF_TYPE)]
                    + [f'{short_iri(p)} "{o}"' for p, o in sorted(pairs) if p in _LABELS])
            return f"[ {' ; '.join(said)} ]" if said else "[ ]"

        names = {node: name(node, frozenset({node})) for node in self.blanks}
        counts: dict[str, int] = {}
        for n in names.values():
            counts[n] = counts.get(n, 0) + 1
        return {node: f"{n} ({self.blanks[node]})" if counts[n] > 1 else n
                for node, n in names.items()}

    def cycle(self, node: str, predicate: str,
              inverse: str | None = None) -> list[tuple[str, str, str]]:
        """The shortest way from ``node`` back to itself by ``predicate`` triples the texts
        state, or ``inverse`` triples read backwards (``b kgo:hasSubordinate a`` is a step from
        a to b), as (node reached, line of the triple, its predicate) steps; [] where they
        state none (the closure the shapes see makes a cycle one reflexive triple, whatever
        its steps)."""
        step: dict[str, list[tuple[str, str, str]]] = {}
        for (s, p, o), line in self.triples.items():
            if p == predicate:
                step.setdefault(s, []).append((o, line, p))
            elif p == inverse:
                step.setdefault(o, []).append((s, line, p))
        came: dict[str, tuple[str, str, str]] = {}
        todo = [node]
        while todo:
            at = todo.pop(0)
            for o, line, p in step.get(at, ()):
                if o == node:
                    path = [(o, line, p)]
                    while at != node:
                        path.insert(0, (at, came[at][1], came[at][2]))
                        at = came[at][0]
                    return path
                if o not in came:
                    came[o] = (at, line, p)
                    todo.append(o)
        return []

    def of_value(self, focus: str, path: str | None, value: str) -> str | None:
        """The line giving ``focus`` the value ``value`` (an IRI, or a literal in N-Triples):
        by ``path``, else by a sub-property of it (:attr:`sub_properties`: the earliest, not
        the first line giving that value by another property), else by any predicate (a
        sub-property not known here), else None. A literal is found with its language tag or
        datatype, else by its lexical form alone (a datatype the text names by a prefix it
        does not declare)."""
        literal = _LEXICAL_FORM.match(value)
        if not literal:
            return (self.triples.get((focus, path or "", value))
                    or self._by_sub_property(self.triples, lambda p: (focus, p, value), path)
                    or (self.by_inverse(focus, path, value) or (None,))[0]
                    or self.values.get((focus, value)))
        lexical, tag = literal[1], _literal_tag(value[literal.end():])
        return (self.tagged_literals.get((focus, path or "", lexical, tag))
                or self._by_sub_property(self.tagged_literals,
                                         lambda p: (focus, p, lexical, tag), path)
                or self.tagged_values.get((focus, lexical, tag))
                or self.literals.get((focus, path or "", lexical))
                or self._by_sub_property(self.literals, lambda p: (focus, p, lexical), path)
                or self.values.get((focus, lexical)))

    def compared(self, result: Result) -> tuple[Related, ...]:
        """The focus node's dates that a SPARQL constraint's ``result`` names in its message,
        on other properties than its path, each with the line of its triple: what its value
        is compared with ("start date 1979-01-17 is after end date 1978-12-23" is on the end
        date's line, and names the start date's). A date: a number would be found in any
        message."""
        if not _LEXICAL_FORM.match(result.value or ""):
            return ()
        named = set(_DATE_IN_MESSAGE.findall(result.message))
        own = _LEXICAL_FORM.match(result.value)[1]
        found = sorted({(p, lexical, tag, line) for (s, p, lexical, tag), line
                        in self.tagged_literals.items()
                        if s == result.focus and p != result.path and lexical in named
                        and lexical != own and tag.startswith("^^" + _XSD)},
                       key=lambda f: (_line_order(f[3]), f[0]))
        return tuple(Related(p, f'"{lexical}"{tag[:2]}<{tag[2:]}>', line)
                     for p, lexical, tag, line in found)

    def labelled_alike(self, result: Result) -> tuple[Related, ...]:
        """The other resources ``result`` (``duplicate-entity-label``'s row: "(resources
        place:phnom-penh, place:snuol)") names as sharing its English label, each with its
        label as written and the line of that triple: the one to reword may be either.
        Compared as the query compares them: without case, white space collapsed."""
        named = _SHARING_A_LABEL.search(result.message)
        own = _LEXICAL_FORM.match(result.value or "")
        if not named or not own or result.path != _LABEL:
            return ()

        def key(text: str) -> str:
            return " ".join(text.split()).lower()

        out = []
        for other in (_expanded(n) for n in named[1].split(", ")):
            if other == result.focus:
                continue
            found = sorted(((lexical, line) for (s, p, lexical, tag), line
                            in self.tagged_literals.items()
                            if s == other and p == _LABEL and tag.lower().startswith("@en")
                            and key(lexical) == key(own[1])), key=lambda f: _line_order(f[1]))
            lexical = found[0][0] if found else own[1]
            out.append(Related(_LABEL, f'"{lexical}"@en', found[0][1] if found else None,
                               other))
        return tuple(out)

    def of(self, result: Result) -> str | None:
        """The line to show for a result: its triple's (focus, path, value), else the line
        giving the focus node that value by another predicate (the data's sub-property of the
        path: a shape reads kgo:hadParticipant or kgo:value, the data says kgo:carriedOutBy or
        kgo:exactValue), else the focus node's path (or, where the data writes a sub-property
        of it, that property's first line), else the statement that types it (where it is
        described), else its first statement, else its first mention."""
        if result.path:
            if result.value is not None:
                found = self.of_value(result.focus, result.path, result.value)
                if found:
                    return found
            found = (self.predicates.get((result.focus, result.path))
                     or self._by_sub_property(self.predicates, lambda p: (result.focus, p),
                                              result.path))
            if found:
                return found
        # where it is described: its type's statement (a file validated with the project's
        # may say the node first in another file, links.ttl linking it), else its first
        return (self.predicates.get((result.focus, _RDF_TYPE))
                or self.subjects.get(result.focus) or self.mentions.get(result.focus)
                or self.blanks.get(result.focus))


def _line_order(where: str) -> tuple[str, int]:
    """A "NAME:LINE" as it sorts: by file, then by line."""
    name, _, line = where.rpartition(":")
    return name, int(line) if line.isdigit() else 0


def _stated_otherwise(where: StatementLines, r: Result) -> str:
    """What a reflexive triple's statements say instead, where the texts have one: "; its
    statement stmt:x (FILE:LINE) names unit:y: one of the two is mistyped" (a unit made
    subordinate to itself by a mistyped value, its statement naming the unit meant, which the
    shapes then leave to this result)."""
    subject, predicate, obj = (str(RDF.subject), str(RDF.predicate), str(RDF.object))
    said = []
    for (st, p, o), _ in where.triples.items():
        if p == subject and o == r.focus and (st, predicate, r.path) in where.triples:
            said += [(st, value, line) for (s2, p2, value), line in where.triples.items()
                     if s2 == st and p2 == obj and value != r.focus]
    return "".join(f"; its statement {short_iri(st)}{_at(line)} names {short_iri(value)}: one "
                   "of the two is mistyped" for st, value, line in said[:1])


def _at(line: str | None, also: str | None = None) -> str:
    """" (FILE:LINE)", " (FILE:LINE, also)", " (also)" or "": what a message says of where a
    triple is, where a text says it."""
    said = ", ".join(filter(None, (line, also)))
    return f" ({said})" if said else ""


#: How kgs:OneParentConstraint's results begin, and the two parents they name
#: (shapes/kg-shapes.ttl), which :meth:`Report.located` gives their lines.
_TWO_PARENTS = "a military unit belongs to one group at a time: it is subordinate to "
#: Each parent so named ("subordinate to unit:x", "and to unit:y"), with its line where the
#: message gives it (" (FILE:LINE)"): the words and name, the name, the line.
_TWO_PARENT_NAMED = re.compile(r"((?:subordinate to | and to )([^\s,;]+))(?: \(([^()]*)\))?")


#: How kgs:OneCountryConstraint's results begin (shapes/kg-shapes.ttl), and each country they
#: name ("lies within place:x", "and within place:y"), with its line where the message gives
#: it (" (FILE:LINE)", " (FILE:LINE, through place:z)"): the words and name, the name, the line.
_TWO_COUNTRIES = "a place lies within one country: it lies within "
_TWO_COUNTRIES_NAMED = re.compile(
    r"((?:it lies within | and within )([^\s,;()]+:[^\s,;()]*))(?: \(([^()]*)\))?")


def _within_at(where: StatementLines, place: str, country: str) -> str:
    """" (FILE:LINE)" of the triple putting ``place`` within ``country``, or, where the
    closure gives it (the property is transitive), " (FILE:LINE, through place:x)" of the
    first stated step from ``place`` by which it does (the texts' ``kgo:placeWithin`` triples,
    followed breadth first); "" where the texts say neither."""
    line = where.of_value(place, _PLACE_WITHIN, country)
    if line:
        return _at(line)
    within: dict[str, list[tuple[str, str | None]]] = {}
    for (s, p, o), at in where.triples.items():
        if p == _PLACE_WITHIN:
            within.setdefault(s, []).append((o, at))
    for step, at in sorted(within.get(place, ()), key=lambda x: _line_order(x[1] or "")):
        seen, todo = {place, step}, [step]
        while todo:
            node = todo.pop(0)
            if node == country:
                return _at(at, f"through {short_iri(step)}")
            for o, _ in within.get(node, ()):
                if o not in seen:
                    seen.add(o)
                    todo.append(o)
    return ""


def _expanded(name: str) -> str:
    """The IRI of a CURIE of :data:`kg.iris.KIND_PREFIXES` or :data:`kg.iris.PREFIXES`
    (``unit:x``), else ``name``."""
    prefix, colon, local = name.partition(":")
    namespace = KIND_PREFIXES.get(prefix) or PREFIXES.get(prefix)
    return namespace + local if colon and namespace else name


#: How kgs:StatementInGraphConstraint's results begin (shapes/kg-shapes.ttl).
_NOT_IN_GRAPH = "the statement describes a triple that is not in the graph"
#: The shapes whose results are a relation without its rdf:Statement.
_UNSTATED = ("ReifiedRelationShape", "ReifiedChainShape")
_DID_YOU_MEAN = re.compile(r"Did you mean (\S+)\?$")


def _fold_statement_results(results: list[Result], where: StatementLines
                            ) -> tuple[list[Result], list[Result]]:
    """``results`` without those a statement's mistyped value makes twice, and those left out.
    A relation whose value differs from its statement's (``unit:a kgo:subordinateTo unit:b``
    written, ``rdf:object unit:c`` stated): the relation's result ("needs an rdf:Statement")
    says what the statement names instead, and the statement's ("describes a triple that is
    not in the graph") goes. A statement whose ``rdf:subject`` nothing labels (a misspelt IRI):
    the QC result naming it, with the IRI meant, is the one left; the statement's, and the
    result on the relation of the IRI meant that the statement would have described, go; so
    does the latter where the statement's ``rdf:predicate`` is misspelt (its result names the
    property meant). Read from the statements' triples (the texts', or the parsed graph's:
    :meth:`StatementLines.add_stated`): where they do not say, every result stays."""
    subject, predicate, obj = (str(RDF.subject), str(RDF.predicate), str(RDF.object))
    stated = [r for r in results if r.message.startswith(_NOT_IN_GRAPH)
              and short_iri(r.shape) == "kgs:StatementShape"]
    if not stated:
        return results, []
    wanted = {r.focus for r in stated}
    of: dict[tuple[str, str], str] = {}  # (statement, rdf:subject|predicate|object) -> value
    for (s, p, o) in where.triples:
        if s in wanted and p in (subject, predicate, obj):
            of.setdefault((s, p), o)
    unstated = {(r.focus, r.path, r.value): r for r in results
                if r.shape.rpartition("/")[2] in _UNSTATED and r.path and r.value}
    dangling = {(r.focus, r.path, r.value): r for r in results
                if r.shape == _QC + "dangling-reference-violation"}
    dropped: dict[int, Result] = {}
    said: dict[int, str] = {}  # id of a relation's result -> what its statement names
    for r in stated:
        s, p, o = (of.get((r.focus, x)) for x in (subject, predicate, obj))
        if None in (s, p, o):
            continue
        if r.path == subject and (typo := dangling.get((r.focus, r.path, r.value))):
            dropped[id(r)] = r
            meant = _DID_YOU_MEAN.search(typo.message)
            for (focus, path, value), q in unstated.items():
                if meant and short_iri(focus) == meant[1] and (path, value) == (p, o):
                    dropped[id(q)] = q
        elif r.path == predicate and (meant := _DID_YOU_MEAN.search(r.message)):
            # a misspelt predicate: the relation it meant has this statement
            for (focus, path, value), q in unstated.items():
                if short_iri(path) == meant[1] and (focus, value) == (s, o):
                    dropped[id(q)] = q
        elif r.path == obj and (s, p, o) not in where.triples:
            ours = [q for (focus, path, value), q in unstated.items()
                    if (focus, path) == (s, p) and value != o
                    and (focus, path, value) in where.triples]
            if ours:
                dropped[id(r)] = r
                for q in ours:
                    said.setdefault(id(q), (
                        f"; its statement {short_iri(r.focus)}"
                        f"{_at(where.triples.get((r.focus, obj, o)))} names {short_iri(o)}: "
                        "one of the two is mistyped: correct the one its source does not bear"))
    if not dropped:
        return results, []
    return ([replace(r, message=r.message + said[id(r)]) if id(r) in said else r
             for r in results if id(r) not in dropped], list(dropped.values()))


def _untyped_statements(results: list[Result], where: StatementLines) -> list[Result]:
    """``results`` with, on each relation's "needs an rdf:Statement" whose triple a node
    describes (its ``rdf:subject``, ``rdf:predicate`` and ``rdf:object``) that is not typed
    ``rdf:Statement`` (``rdf:Statemnt``, a type mistyped), that node and its type, at the
    line of its type: "; stmt:x (FILE:LINE) names this triple, and is typed rdf:Statemnt, not
    rdf:Statement". The
    vocabulary check warns of the type; the relation's result said nothing of the node."""
    subject, predicate, obj = (str(RDF.subject), str(RDF.predicate), str(RDF.object))
    statement = str(RDF.Statement)
    unstated = [r for r in results if r.shape.rpartition("/")[2] in _UNSTATED
                and r.path and r.value]
    if not unstated:
        return results
    about: dict[str, list[tuple[str, str | None]]] = {}  # subject -> (node, its line)
    types: dict[str, list[str]] = {}
    for (st, p, o), line in where.triples.items():
        if p == subject:
            about.setdefault(o, []).append((st, line))
        elif p == _RDF_TYPE:
            types.setdefault(st, []).append(o)
    said: dict[int, str] = {}
    for r in unstated:
        for st, line in about.get(r.focus, ()):
            if (st, predicate, r.path) in where.triples and (st, obj, r.value) in where.triples \
                    and statement not in types.get(st, ()):
                typed = sorted(short_iri(t) for t in types.get(st, ()))
                # the line of its type, where the mistake is
                line = next((where.triples[(st, _RDF_TYPE, t)] for t in types.get(st, ())
                             if where.triples[(st, _RDF_TYPE, t)]), line)
                said[id(r)] = (f"; {short_iri(st)}{_at(line)} names this triple, and is "
                               + (f"typed {', '.join(typed)}, not rdf:Statement" if typed
                                  else "not typed rdf:Statement"))
                break
    return [replace(r, message=r.message + said[id(r)]) if id(r) in said else r
            for r in results]


def _without_results(report: Graph, results: Iterable[Result]) -> Graph:
    """A copy of the report graph ``report`` without the ``sh:ValidationResult`` of each of
    ``results`` (found as :func:`annotated_report` finds them)."""
    out = Graph()
    out += report
    for r in results:
        for node in list(out.subjects(RDF.type, SH.ValidationResult)):
            if _result_key(out, node) == (r.focus, r.path, r.value, r.severity, r.constraint) \
                    and any(r.message.startswith(str(m))
                            for m in out.objects(node, SH.resultMessage)):
                out.remove((None, None, node))
                out.remove((node, None, None))
                break
    return out


#: The transitive properties whose cycles the shapes report, each with its inverse
#: (owl:inverseOf in the ontology; tests/test_shapes.py compares them): a step of a cycle may be
#: written either way, and :meth:`StatementLines.cycle` follows both.
CYCLE_INVERSES = {
    f"{PREFIXES['kgo']}{p}": f"{PREFIXES['kgo']}{inverse}" for p, inverse in (
        ("subordinateTo", "hasSubordinate"), ("placeWithin", "containsPlace"),
        ("subEventOf", "hasSubEvent"))}

#: The lexical form of a literal written in N-Triples / N3 (``"-12000"^^<…#integer>``).
_LEXICAL_FORM = re.compile(r'"((?:[^"\\]|\\.)*)"')
#: A date, a month or a year as a message names it (:meth:`StatementLines.compared`)
_DATE_IN_MESSAGE = re.compile(r"(?<![\w-])-?\d{4}(?:-\d\d){0,2}(?![\w-])")
_SPARQL_COMPONENT = str(SH.SPARQLConstraintComponent)


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, line) of the tokens of a Turtle, TriG, N-Triples or N-Quads text; a
    character no token matches is skipped (this is for pointing at lines, not for parsing)."""
    line, at = 1, 0
    while at < len(text):
        m = _TOKEN.match(text, at)
        if m is None:
            at += 1
            continue
        kind = m.lastgroup
        if kind == "nl":
            line += 1
        elif kind == "word" and m[0].endswith(".") and len(m[0]) > 1:
            word = m[0].rstrip(".")  # "ex:a." ends a statement
            yield "word", word, line
            for _ in range(len(m[0]) - len(word)):
                yield "punct", ".", line
        elif kind is not None:
            yield kind, m[0], line
            line += m[0].count("\n")
        at = m.end()


def statement_lines(texts: Iterable[tuple[str, str]]) -> StatementLines:
    """Read (name, text) Turtle, TriG, N-Triples or N-Quads texts for :class:`StatementLines`:
    a tokenizer and the statement grammar's positions (subject, predicate, object; nested
    blank nodes and collections; prefixes from the text's own declarations), enough to point
    a person at a line."""
    found = StatementLines()
    for name, text in texts:
        if name.lower().endswith((".nt", ".nq")):
            _read_line_per_triple(name, text, found)
        elif _json_ld(text):
            try:
                prefixes = _json_ld_prefixes(text)
            except RecursionError:  # nested too deep to read here: names as written
                prefixes = {}
            # "@id" and its aliases the file's own contexts declare ("id": "@id")
            aliases = [re.escape(t) for t, iri in prefixes.items() if iri == "@id"]
            names = re.compile(_JSON_LD_NAMES.pattern.replace(
                '"@id"', '"(?:@id|' + "|".join(aliases) + ')"', 1)) if aliases \
                else _JSON_LD_NAMES
            prefixes = {t: iri for t, iri in prefixes.items() if not iri.startswith("@")}
            _read_node_names(name, text, names, prefixes, found)
            try:
                _read_json_ld_literals(name, text, found)
            except (RecursionError, ValueError, IndexError, TypeError, AttributeError):
                pass  # lines are a help to the reader: a text read otherwise keeps the nodes'
        elif _RDF_XML.match(text):
            _read_node_names(name, text, _RDF_XML_NAMES, _rdf_xml_prefixes(text), found)
            try:
                _read_rdf_xml_properties(name, text, found)
            except (RecursionError, ValueError, IndexError, KeyError, TypeError):
                pass  # lines are a help to the reader: the nodes' names keep theirs
        else:
            _read_statements(name, text, found)
    return found


#: How an RDF/XML text begins (an XML declaration, a comment, a DOCTYPE, or an element with a
#: namespace declaration), as against a Turtle text that begins with an IRI.
_RDF_XML = re.compile(r"\s*(<\?xml|<!--|<!DOCTYPE|<[A-Za-z_][\w.-]*(:[\w.-]+)?\s[^>]*xmlns)")
#: A node named in JSON-LD (``"@id": "unit:x"``) and in RDF/XML (``rdf:about="…"`` a
#: subject, ``rdf:resource="…"`` an object): the name, and whether it is a subject's.
_JSON_LD_NAMES = re.compile(r'"@id"\s*:\s*"(?P<subject>[^"\\]*)"')
_RDF_XML_NAMES = re.compile(r"""(?:\b[\w.-]+:)?
    (?:about\s*=\s*(?:"(?P<subject>[^"]*)"|'(?P<s2>[^']*)')
      |resource\s*=\s*(?:"(?P<object>[^"]*)"|'(?P<o2>[^']*)'))""", re.VERBOSE)


def _json_ld(text: str) -> bool:
    """Whether ``text`` is JSON (a JSON-LD document: no Turtle text is JSON but ``[]``); JSON
    nested deeper than :func:`json.loads` reads is JSON too (whose lines are then not read: the
    line finder falls back to no line rather than fail)."""
    from kg.load import json_document

    if text.lstrip()[:1] not in ("{", "["):
        return False
    try:
        json_document(text)
    except RecursionError:
        return True
    except ValueError:
        return False
    return True


def _json_ld_prefixes(text: str) -> dict[str, str]:
    """The prefixes of a JSON-LD text's own contexts: each term of an ``@context`` object
    whose value is an IRI string (``"unit": "https://w3id.org/kg1978/unit/"``), and
    ``@base`` as the empty name's base (a remote context is not fetched)."""
    prefixes: dict[str, str] = {}

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            context = node.get("@context")
            for ctx in context if isinstance(context, list) else [context]:
                if isinstance(ctx, dict):
                    for term, iri in ctx.items():
                        if isinstance(iri, str) and (term == "@base" or not
                                                     term.startswith("@")):
                            prefixes.setdefault(term, iri)
            for value in node.values():
                walk(value)

    from kg.load import json_document

    walk(json_document(text))
    return prefixes


def _rdf_xml_prefixes(text: str) -> dict[str, str]:
    """The entities an RDF/XML text declares (``<!ENTITY unit "…">``), as ``&unit;`` is
    written, and its ``xml:base`` as ``@base``."""
    out = {f"&{m[1]};": m[2] for m in re.finditer(r'<!ENTITY\s+([\w.-]+)\s+"([^"]*)"', text)}
    base = re.search(r"""xml:base\s*=\s*["']([^"']*)["']""", text)
    if base:
        out["@base"] = base[1]
    return out


def _read_node_names(name: str, text: str, names: re.Pattern, prefixes: dict[str, str],
                     found: StatementLines) -> None:
    """A JSON-LD or RDF/XML text, whose parsers keep no lines: the line of each node's name,
    its first ``"@id"`` (JSON-LD: a node's description and a reference to it look alike) or
    ``rdf:about`` as its first statement, and every name's first line as a mention; a name
    compacted with the text's own prefixes (``"unit:x"``, ``&unit;x``) or relative to its
    base is expanded first. What is said of a node (its predicates and values) is left to the
    parsed graph (:meth:`StatementLines.add_stated`); a result on it is placed at its name."""
    from urllib.parse import urljoin

    found.lineless.append(name)
    line_at = _line_finder(text)
    # a context's term definitions ({"x": {"@id": "kgo:x"}}) name a term's IRI, no node
    contexts = _json_context_spans(text) if names is not _RDF_XML_NAMES else []
    starts = [start for start, _ in contexts]
    for m in names.finditer(text):
        inside = bisect.bisect_right(starts, m.start()) - 1
        if inside >= 0 and m.start() < contexts[inside][1]:
            continue
        subject = m.groupdict().get("subject") or m.groupdict().get("s2")
        written = subject if subject is not None else (m.groupdict().get("object")
                                                       or m.groupdict().get("o2"))
        if not written or written.startswith(("_:", "@")):
            continue  # a blank node's label: :func:`_read_json_ld_literals` keys it
        iri = written
        for prefix, namespace in prefixes.items():
            if prefix.startswith("&") and iri.startswith(prefix):
                iri = namespace + iri[len(prefix):]
        head, colon, local = iri.partition(":")
        if colon and head in prefixes and not local.startswith("//"):
            iri = prefixes[head] + local
        elif not colon:
            if "@base" not in prefixes:
                continue
            iri = urljoin(prefixes["@base"], iri)
        where = f"{name}:{line_at(m.start())}"
        found.mentions.setdefault(iri, where)
        if subject is not None:
            found.subjects.setdefault(iri, where)


_JSON_CONTEXT = re.compile(r'"@context"\s*:\s*([\[{])')
_JSON_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_context_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the values of a JSON text's ``"@context"`` keys that are
    objects or arrays, in order, none inside another (strings skipped, so a bracket in one is
    not counted)."""
    spans: list[tuple[int, int]] = []
    at = 0
    while (m := _JSON_CONTEXT.search(text, at)) is not None:
        depth, end = 0, len(text)
        for token in _JSON_STRING_OR_BRACKET.finditer(text, m.start(1)):
            char = token[0]
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    end = token.end()
                    break
        spans.append((m.start(1), end))
        at = end
    return spans


def _line_finder(text: str) -> Callable[[int], int]:
    """The line (from 1) of an offset of ``text``: a binary search over the offsets of its
    line ends. Counting the newlines before each name or value a file's reader meets made
    reading a file quadratic (a 1.1 MB JSON-LD file: 8.8 s)."""
    ends = [m.start() for m in re.finditer("\n", text)]
    return lambda at: bisect.bisect_left(ends, at) + 1


_JSON_WHITE = re.compile(r"[ \t\r\n]*")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def _json_with_lines(text: str, key_lines: dict[int, dict[str, int]] | None = None):
    """``text`` (JSON) as ``(value, line)`` pairs: an object a dict of its keys to the pair of
    each value (its line the value's own), an array a list of pairs, a scalar as json reads
    it; ``key_lines``, where given, gets each object's keys' own lines, by the object's
    ``id``. Only for a text :func:`_json_ld` has read as JSON."""
    from json.decoder import scanstring

    line_at = _line_finder(text)

    def parse(at: int):
        at = _JSON_WHITE.match(text, at).end()
        line = line_at(at)
        char = text[at]
        if char == "{":
            out: dict = {}
            at = _JSON_WHITE.match(text, at + 1).end()
            if text[at] == "}":
                return (out, line), at + 1
            keys = key_lines.setdefault(id(out), {}) if key_lines is not None else {}
            while True:
                at = _JSON_WHITE.match(text, at).end()
                key_line = line_at(at)
                key, at = scanstring(text, at + 1)
                keys[key] = key_line
                at = _JSON_WHITE.match(text, at).end() + 1  # the ":"
                out[key], at = parse(at)
                at = _JSON_WHITE.match(text, at).end()
                if text[at] == "}":
                    return (out, line), at + 1
                at += 1  # the ","
        if char == "[":
            items: list = []
            at = _JSON_WHITE.match(text, at + 1).end()
            if text[at] == "]":
                return (items, line), at + 1
            while True:
                item, at = parse(at)
                items.append(item)
                at = _JSON_WHITE.match(text, at).end()
                if text[at] == "]":
                    return (items, line), at + 1
                at += 1
        if char == '"':
            value, at = scanstring(text, at + 1)
            return (value, line), at
        for word, value in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, at):
                return (value, line), at + len(word)
        number = _JSON_NUMBER.match(text, at)
        written = number[0]
        return ((float(written) if number[1] or number[2] else int(written)), line), \
            number.end()

    return parse(0)[0]


def _read_json_ld_literals(name: str, text: str, found: StatementLines) -> None:
    """The lines of a JSON-LD text's literals, where its own contexts say what they are: each
    value of a node object named by ``"@id"`` (or a term the context makes its alias, ``"id":
    "@id"``) under a property the context or a full IRI names, a string, number, boolean or
    ``{"@value": …}`` with its language or datatype (the term's ``@language`` or ``@type``,
    the context's ``@language``), at the line of the value: a result on a literal is placed
    at it, not at the node's name. A remote context is never fetched (kg refuses the file
    before it is validated), so what it would define is not read here."""
    from urllib.parse import urljoin

    terms: dict[str, object] = {}
    defaults: dict[str, str] = {}

    def contexts(node) -> None:  # every inline context, the first definition of a term kept
        value = node[0]
        if isinstance(value, list):
            for item in value:
                contexts(item)
        elif isinstance(value, dict):
            given = value.get("@context", (None, 0))[0]
            for ctx in given if isinstance(given, list) else [(given, 0)]:
                if isinstance(ctx[0], dict):
                    for term, (definition, _) in ctx[0].items():
                        if term in ("@base", "@vocab", "@language"):
                            defaults.setdefault(term, definition)
                        elif not term.startswith("@"):
                            terms.setdefault(term, definition)
            for key, item in value.items():
                if key != "@context":
                    contexts(item)

    def iri(written: str, vocab: bool) -> str | None:
        definition = terms.get(written)
        if isinstance(definition, dict):
            definition = definition.get("@id", (None, 0))[0]
        if isinstance(definition, str) and definition != written:
            return iri(definition, vocab) if not definition.startswith("@") else definition
        prefix, colon, local = written.partition(":")
        if colon and not local.startswith("//"):
            namespace = terms.get(prefix)
            if isinstance(namespace, str):
                return namespace + local
            return written if prefix not in ("", "_") else None
        if colon:
            return written
        if vocab and isinstance(defaults.get("@vocab"), str):
            return defaults["@vocab"] + written
        base = defaults.get("@base")
        return urljoin(base, written) if not vocab and isinstance(base, str) else None

    def literal(value, line: int, subject: str, predicate: str, definition,
                said: str) -> None:
        language = defaults.get("@language") if isinstance(defaults.get("@language"), str) \
            else None
        datatype = None
        if isinstance(definition, dict):
            if "@language" in definition:
                language = definition["@language"][0]
            kind = definition.get("@type", (None, 0))[0]
            if isinstance(kind, str):
                if kind in ("@id", "@vocab"):
                    return  # an IRI, not a literal
                datatype, language = iri(kind, True), None
        if isinstance(value, dict):
            written = value.get("@value", (None, 0))[0]
            language = value["@language"][0] if "@language" in value else None
            kind = value.get("@type", (None, 0))[0]
            datatype = iri(kind, True) if isinstance(kind, str) else None
            value = written
        if isinstance(value, bool):
            lexical, datatype, language = str(value).lower(), _XSD + "boolean", None
        elif isinstance(value, int):
            lexical, datatype, language = str(value), datatype or _XSD + "integer", None
        elif isinstance(value, str):
            lexical = value
        else:
            return  # a double's lexical form is rdflib's to choose: not guessed
        _add_literal(found, f"{name}:{line}", subject, predicate, lexical,
                     _tag(language, datatype), said)

    def name_of(written: str, line: int) -> str | None:
        """The IRI a node's name stands for, or a blank node's key (``"_:b0"``, the
        file's own, keyed as Turtle's ``_:b0`` is)."""
        if written.startswith("_:"):
            key = f"_:{name}#{written[2:]}"
            found.blanks.setdefault(key, f"{name}:{line}")
            return key
        return iri(written, False)

    def node(value: dict, line: int) -> str | None:
        """Read a node object (at ``line``, its "{"): its name, an IRI or a blank node's key
        (a node with no name is a blank node of its own, known by its "{")."""
        ids = [k for k in value if k == "@id" or terms.get(k) == "@id"]
        if ids:
            written, at = value[ids[0]]
            subject = name_of(written, at) if isinstance(written, str) else None
            if subject and ids[0] != "@id" and not subject.startswith("_:"):
                where = f"{name}:{at}"  # an alias of "@id": the name's line, as "@id"'s
                found.subjects.setdefault(subject, where)
                found.mentions.setdefault(subject, where)
        elif set(value) <= {"@context", "@graph"}:
            subject = None  # a document's wrapper, no node
        else:
            subject = f"_:{name}:{line}#{len(found.blanks)}"
            found.blanks[subject] = f"{name}:{line}"
        properties(subject, value)
        return subject

    def properties(subject: str | None, value: dict) -> None:
        """Read a node object's keys (or a ``@nest``'s, which are the node's own) as
        ``subject``'s properties."""
        said_at = key_lines.get(id(value), {})
        for key, (item, at) in value.items():
            said = f"{name}:{said_at.get(key, at)}"
            keyword = key if key.startswith("@") else terms.get(key)
            if isinstance(keyword, str) and keyword.startswith("@"):
                if keyword in ("@graph", "@included"):
                    walk((item, at))
                elif keyword == "@type" and subject:
                    for one, line in item if isinstance(item, list) else [(item, at)]:
                        if isinstance(one, str):
                            relation(subject, _RDF_TYPE, iri(one, True), line, said)
                elif keyword == "@nest":  # JSON-LD 1.1, 4.4: its properties are the node's
                    for one, _ in item if isinstance(item, list) else [(item, at)]:
                        if isinstance(one, dict):
                            properties(subject, one)
                elif keyword == "@reverse" and subject and isinstance(item, dict):
                    # each of its properties a triple from its value to this node
                    reverse_at = key_lines.get(id(item), {})
                    for prop, (values, where) in item.items():
                        objects(subject, iri(prop, True), values, where,
                                f"{name}:{reverse_at.get(prop, where)}", terms.get(prop),
                                reverse=True)
                continue
            definition = terms.get(key)
            # a term defined as a reverse property ({"@reverse": "kgo:x"}): its values'
            # triples come to this node
            reverse = isinstance(definition, dict) and "@reverse" in definition
            predicate = (iri(definition["@reverse"][0], True)
                         if reverse and isinstance(definition["@reverse"][0], str)
                         else None if reverse else iri(key, True))
            objects(subject, predicate, item, at, said, definition, reverse=reverse)

    def objects(subject: str | None, predicate: str | None, item, at: int, said: str,
                definition, *, reverse: bool = False) -> None:
        """Read one property's value (or values) of ``subject``; ``reverse``: each a node
        whose triple it is, to ``subject``, at the line that names it."""
        if subject and predicate and not reverse:  # its key's line, whatever its values
            found.predicates.setdefault((subject, predicate), said)
        kind = definition.get("@type", (None, 0))[0] if isinstance(definition, dict) \
            else None
        for one, line in item if isinstance(item, list) else [(item, at)]:
            if isinstance(one, dict) and "@value" not in one:
                if "@list" in one or "@set" in one:
                    continue  # a collection: left at the node
                # a node object: the relation to it at its name's line, else at its "{"
                named = [k for k in one if k == "@id" or terms.get(k) == "@id"]
                obj = node(one, line)
                if subject and predicate and obj:
                    at_name = (one[named[0]][1] if named else None) or line
                    if reverse:
                        relation(obj, predicate, subject, at_name, f"{name}:{at_name}")
                    else:
                        relation(subject, predicate, obj, at_name, said)
            elif subject and predicate:
                if isinstance(one, list) or one is None:
                    continue
                if reverse:  # a reverse property's string is a node's name (1.1, 9.8)
                    if isinstance(one, str):
                        obj = iri(one, True) if kind == "@vocab" else name_of(one, line)
                        if obj:
                            relation(obj, predicate, subject, line, f"{name}:{line}")
                    continue
                if kind in ("@id", "@vocab"):  # a term whose strings are IRIs
                    if isinstance(one, str):
                        relation(subject, predicate, name_of(one, line) if kind == "@id"
                                 else iri(one, True), line, said)
                    continue
                literal(one, line, subject, predicate, definition, said)

    def relation(subject: str, predicate: str, obj: str | None, line: int, said: str) -> None:
        if obj is not None:
            _add_relation(found, f"{name}:{line}", subject, predicate, obj, said)

    def walk(tree) -> None:
        value, line = tree
        for item, at in value if isinstance(value, list) else [(value, line)]:
            if isinstance(item, dict):
                node(item, at)

    key_lines: dict[int, dict[str, int]] = {}
    tree = _json_with_lines(text, key_lines)
    contexts(tree)
    walk(tree)


def _add_literal(found: StatementLines, where: str, subject: str, predicate: str,
                 lexical: str, tag: str, said: str | None = None) -> None:
    """A triple whose object is a literal (its lexical form and :func:`_tag`), at ``where``:
    what a syntax without lines for triples (JSON-LD, RDF/XML) can still say of one; ``said``
    the line of its property (its key, its element), where that is another."""
    found.values.setdefault((subject, lexical), where)
    found.literals.setdefault((subject, predicate, lexical), where)
    found.tagged_values.setdefault((subject, lexical, tag), where)
    found.tagged_literals.setdefault((subject, predicate, lexical, tag), where)
    found.predicates.setdefault((subject, predicate), said or where)
    if subject.startswith("_:"):  # a blank node's: how the report's is known again
        found.blank_pairs.setdefault(subject, set()).add((predicate, lexical))


def _add_relation(found: StatementLines, where: str, subject: str, predicate: str,
                  obj: str, said: str | None = None) -> None:
    """A triple whose object is an IRI (or a blank node's key), at ``where``, the line that
    names the value; ``said`` the line of its property, where that is another."""
    found.triples.setdefault((subject, predicate, obj), where)
    found.values.setdefault((subject, obj), where)
    found.mentions.setdefault(obj, where)
    found.predicates.setdefault((subject, predicate), said or where)
    if subject.startswith("_:") and not obj.startswith("_:"):
        found.blank_pairs.setdefault(subject, set()).add((predicate, obj))


_RDF_NS = str(RDF)
_XML_NS = "http://www.w3.org/XML/1998/namespace"
#: The attributes of RDF/XML's syntax (RDF 1.1 XML Syntax, 2.1), which are no property.
_RDF_XML_SYNTAX = {_RDF_NS + a for a in ("about", "ID", "nodeID", "resource", "datatype",
                                          "parseType", "bagID", "aboutEach",
                                          "aboutEachPrefix")}


def _read_rdf_xml_properties(name: str, text: str, found: StatementLines) -> None:
    """The lines of an RDF/XML text's triples, read with expat (which gives each element's
    line): a literal at its property element's line (its text, with the ``xml:lang`` in scope
    or its ``rdf:datatype``; a property attribute at its node element's), a relation at the
    line that names its value (the property element's ``rdf:resource``, the nested node
    element's start), a typed node element's ``rdf:type`` at its start, each property at its
    element (:attr:`StatementLines.predicates`). A node named by ``rdf:about`` or ``rdf:ID``
    (against the ``xml:base`` in scope), or a blank node (``rdf:nodeID``, a node element with
    no name, ``rdf:parseType="Resource"``, a property element's attributes) under a key of
    its own, known again by its pairs as Turtle's are; the members of an
    ``rdf:parseType="Collection"`` and a ``"Literal"``'s XML are not read. Nothing is fetched: no
    handler for external entities is set, as :func:`kg.load.refuse_external_dtd_entities`
    reads declarations; the file was parsed, with its internal entities, before this."""
    from urllib.parse import urljoin
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator="")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    # each open element: (what its children are: "node" or "property" elements, or "skip";
    # the subject of the properties within; xml:lang; xml:base; the property element's
    # predicate, datatype, line and whether it names its value itself)
    stack: list[dict] = []
    text_of: list[str] = []

    def resolve(iri: str, base: str | None) -> str | None:
        if ":" in iri.split("/", 1)[0] and not iri.startswith("#"):
            return iri
        return urljoin(base, iri) if base else None

    def blank(label: str | None, where: str) -> str:
        """A blank node's key: ``rdf:nodeID``'s label, keyed as Turtle's ``_:label``, else
        its own, known by where it starts."""
        key = f"_:{name}#{label}" if label is not None else f"_:{where}#{len(found.blanks)}"
        found.blanks.setdefault(key, where)
        return key

    def described(subject: str, attrs: dict, lang: str | None, base: str | None,
                  where: str) -> None:  # a node's rdf:type and property attributes
        for attr, value in attrs.items():
            if attr == _RDF_NS + "type":
                iri = resolve(value, base)
                if iri:
                    _add_relation(found, where, subject, _RDF_TYPE, iri)
            elif attr not in _RDF_XML_SYNTAX and not attr.startswith(_XML_NS) \
                    and ":" in attr:
                _add_literal(found, where, subject, attr, value, _tag(lang, None))

    def start(tag: str, attrs: dict) -> None:
        parent = stack[-1] if stack else {"children": "root", "lang": None, "base": None}
        lang = attrs.get(_XML_NS + "lang", parent["lang"])
        base = attrs.get(_XML_NS + "base", parent["base"])
        line = parser.CurrentLineNumber
        where = f"{name}:{line}"
        frame: dict = {"children": "skip", "lang": lang, "base": base}
        if parent["children"] == "root" and tag == _RDF_NS + "RDF":
            frame["children"] = "node"
        elif parent["children"] in ("root", "node"):  # a node element
            if _RDF_NS + "about" in attrs:
                subject = resolve(attrs[_RDF_NS + "about"], base)
            elif _RDF_NS + "ID" in attrs:
                subject = resolve("#" + attrs[_RDF_NS + "ID"], base)
            else:  # a blank node, labelled or not
                subject = blank(attrs.get(_RDF_NS + "nodeID"), where)
            frame.update(children="property", subject=subject)
            if parent.get("predicate"):
                parent["named"] = True
                if parent.get("parent_subject") and subject:
                    _add_relation(found, where, parent["parent_subject"], parent["predicate"],
                                  subject, f"{name}:{parent['line']}")
            if subject:
                if tag != _RDF_NS + "Description":
                    _add_relation(found, where, subject, _RDF_TYPE, tag)
                described(subject, attrs, lang, base, where)
        elif parent["children"] == "property":  # a property element
            subject = parent.get("subject")
            kind = attrs.get(_RDF_NS + "parseType")
            frame.update(subject=None, predicate=tag, line=line, named=kind is not None,
                         datatype=attrs.get(_RDF_NS + "datatype"),
                         children="property" if kind == "Resource" else
                         "skip" if kind else "node")
            obj = None
            if _RDF_NS + "resource" in attrs:
                obj = resolve(attrs[_RDF_NS + "resource"], base)
            elif _RDF_NS + "nodeID" in attrs:
                obj = blank(attrs[_RDF_NS + "nodeID"], where)
            elif kind == "Resource" or (kind is None and any(
                    a not in _RDF_XML_SYNTAX and not a.startswith(_XML_NS) for a in attrs)):
                obj = blank(None, where)  # a blank node of the element's own
                if kind is None:
                    described(obj, attrs, lang, base, where)
                frame["subject"] = obj
            if obj is not None or _RDF_NS + "resource" in attrs:
                frame["named"] = True
            if subject and obj:
                _add_relation(found, where, subject, tag, obj)
            elif subject and kind is not None:
                found.predicates.setdefault((subject, tag), where)
            frame["parent_subject"] = subject
        stack.append(frame)
        text_of.append("")

    def end(_element: str) -> None:
        frame, written = stack.pop(), text_of.pop()
        subject = frame.get("parent_subject")
        if frame.get("predicate") and not frame["named"] and subject:
            datatype = frame["datatype"]
            datatype = resolve(datatype, frame["base"]) if datatype else None
            _add_literal(found, f"{name}:{frame['line']}", subject, frame["predicate"],
                         written, _tag(None if datatype else frame["lang"], datatype))

    def data(chars: str) -> None:
        if text_of:
            text_of[-1] += chars

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.buffer_text = True
    try:
        parser.Parse(text, True)
    except expat.ExpatError:
        return  # the parsers read it: what was read before the error keeps its lines


def _read_line_per_triple(name: str, text: str, found: StatementLines) -> None:
    """N-Triples and N-Quads: a statement per line, subject and predicate IRIs first (about
    ten times faster than the tokenizer, for the files of millions of triples the build may
    report on)."""
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split(None, 2)
        if len(parts) < 3 or not parts[1].startswith("<"):
            continue
        where = f"{name}:{number}"
        subject, predicate, rest = parts[0][1:-1], parts[1][1:-1], parts[2]
        found.mentions.setdefault(predicate, where)
        if parts[0].startswith("<"):
            found.subjects.setdefault(subject, where)
            found.mentions.setdefault(subject, where)
            found.predicates.setdefault((subject, predicate), where)
        if rest.startswith("<"):
            value = rest[1:rest.find(">")]
            found.mentions.setdefault(value, where)
            if parts[0].startswith("<"):
                found.triples.setdefault((subject, predicate, value), where)
                found.values.setdefault((subject, value), where)
        elif parts[0].startswith("<"):
            literal = _LEXICAL_FORM.match(rest)
            if literal:
                found.values.setdefault((subject, literal[1]), where)
                found.literals.setdefault((subject, predicate, literal[1]), where)
                tag = _literal_tag(rest[literal.end():])
                found.tagged_values.setdefault((subject, literal[1], tag), where)
                found.tagged_literals.setdefault((subject, predicate, literal[1], tag), where)
        if parts[0].startswith("_:"):  # a blank node: its pairs, to know it again
            key = f"_:{name}#{parts[0][2:]}"
            found.blanks.setdefault(key, where)
            literal = _LEXICAL_FORM.match(rest)
            obj = rest[1:rest.find(">")] if rest.startswith("<") else literal and literal[1]
            if obj:
                found.blank_pairs.setdefault(key, set()).add((predicate, obj))


def _term(kind: str, value: str, prefixes: dict[str, str]) -> str | None:
    """The IRI a token names (``a`` is rdf:type), else None."""
    if kind == "iri":
        return value[1:-1]
    if kind == "word":
        if value == "a":
            return _RDF_TYPE
        prefix, colon, local = value.partition(":")
        if colon and prefix in prefixes:
            return prefixes[prefix] + local
    return None


_XSD = "http://www.w3.org/2001/XMLSchema#"
#: After a literal's closing quote in N-Triples: its language tag, or its datatype's IRI.
_TAG = re.compile(r"@([A-Za-z0-9-]+)|\^\^<([^>]*)>")
#: The datatype of a number or boolean Turtle writes bare (Turtle 1.1, 2.5.2).
_BARE = ((re.compile(r"[+-]?[0-9]+$"), "integer"),
         (re.compile(r"[+-]?[0-9]*\.[0-9]+$"), "decimal"),
         (re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+$"), "double"),
         (re.compile(r"(true|false)$"), "boolean"))


def _tag(language: str | None, datatype: str | None) -> str:
    """What tells a literal from another of its lexical form: "@vi" (the language lowercased,
    as RDF compares tags), "^^IRI" for a datatype, "" for a plain string (an xsd:string)."""
    if language:
        return "@" + language.lower()
    return "" if datatype in (None, _XSD + "string") else "^^" + datatype


def _literal_tag(after: str) -> str:
    """:func:`_tag` of a literal in N-Triples, from the text after its closing quote."""
    m = _TAG.match(after)
    return _tag(m[1], m[2]) if m else ""


def _written_tag(kind: str, token: str, tokens: list, at: int, prefixes: dict[str, str]
                 ) -> str | None:
    """:func:`_tag` of the literal ``token`` of a Turtle text, ``tokens[at]`` the token after
    it (a language tag, or ``^^`` and its datatype); None where it is unknown (a datatype by
    an undeclared prefix, a word that is no number)."""
    if kind == "word":
        return next((_tag(None, _XSD + name) for bare, name in _BARE if bare.match(token)),
                    None)
    after = tokens[at] if at < len(tokens) else ("", "", 0)
    if after[0] == "lang":
        return _tag(after[1][1:], None)
    if after[0] == "datatype" and at + 1 < len(tokens):
        datatype = _term(tokens[at + 1][0], tokens[at + 1][1], prefixes)
        return None if datatype is None else _tag(None, datatype)
    return ""


def _lexical(kind: str, token: str) -> str | None:
    """The lexical form of a literal token (a quoted string, or a number or boolean)."""
    if kind == "string":
        quotes = 3 if token[:3] in ('"""', "'''") else 1
        return token[quotes:-quotes]
    return token if kind == "word" else None


def _read_statements(name: str, text: str, found: StatementLines) -> None:
    """One Turtle or TriG text into ``found``. A blank node (``[ … ]`` or ``_:label``) is a
    subject like an IRI, under a key of its own (:meth:`StatementLines.blank`), first seen on
    the line of its ``[`` (the line of the triple whose object it is) or its label."""
    prefixes: dict[str, str] = {}
    tokens = [("word", v, n) if k == "lang" and v.lower() in ("@prefix", "@base") else (k, v, n)
              for k, v, n in _tokens(text)]
    expect, subject, predicate = "subject", None, None
    # what to go back to at a "]" or ")": (subject, predicate, expect after it, in a list)
    frames: list[tuple[str | None, str | None, str, bool]] = []
    in_list = False
    i = 0
    while i < len(tokens):
        kind, value, line = tokens[i]
        i += 1
        where = f"{name}:{line}"
        if kind == "word" and value.lower() in ("@prefix", "prefix", "@base", "base") \
                and not frames and expect == "subject":
            if value.lower().endswith("prefix") and i + 1 < len(tokens):
                prefixes[tokens[i][1].rstrip(":")] = tokens[i + 1][1][1:-1]
                i += 2
            else:
                i += 1
            if i < len(tokens) and tokens[i][1] == ".":
                i += 1
            continue
        if kind == "datatype":
            i += 1  # the datatype IRI is not an object
            continue
        iri = _term(kind, value, prefixes)
        if iri is None and kind == "word" and value.startswith("_:"):
            iri = f"_:{name}#{value[2:]}"  # a labelled blank node, the file's own
            found.blanks.setdefault(iri, where)
        elif iri is not None:
            found.mentions.setdefault(iri, where)
        if value in ("[", "("):
            node = None
            if value == "[":
                node = f"_:{name}:{line}#{i}"  # a blank node: its own key
                found.blanks[node] = where
            if in_list:
                frames.append((None, None, expect, True))
            elif expect == "subject":  # "[] a kgo:Attack ;": the blank node goes on as subject
                frames.append((node, None, "predicate", False))
            else:
                frames.append((subject, predicate, "after", False))
                if subject and predicate and node:
                    found.triples.setdefault((subject, predicate, node), where)
            if node is not None:
                subject, expect, in_list = node, "predicate", False
            else:
                subject, expect, in_list = None, "item", True
            continue
        if value in ("]", ")"):
            if frames:
                subject, predicate, expect, in_list = frames.pop()
            continue
        if in_list:
            continue  # a collection's member: not the statement's own object
        if value in ("{", "}"):
            if value == "{" and expect == "predicate" and subject is not None \
                    and found.subjects.get(subject) == where:
                del found.subjects[subject]  # a graph's name, not a subject
            expect = "subject"
        elif value == ".":
            expect = "subject"
        elif value == ";":
            expect = "predicate"
        elif value == ",":
            expect = "object"
        elif expect == "subject":
            if iri is not None or (kind == "word" and value.upper() != "GRAPH"):
                subject = iri
                if iri is not None:
                    found.subjects.setdefault(iri, where)
                expect = "predicate"
        elif expect == "predicate":
            predicate = iri
            if subject and iri:
                found.predicates.setdefault((subject, iri), where)
            expect = "object"
        elif expect == "object":
            if subject and predicate and iri:
                found.triples.setdefault((subject, predicate, iri), where)
            obj = iri if iri is not None else _lexical(kind, value)
            if subject and obj is not None:
                found.values.setdefault((subject, obj), where)
                if iri is None and predicate:
                    found.literals.setdefault((subject, predicate, obj), where)
                tag = None if iri is not None else _written_tag(kind, value, tokens, i,
                                                                  prefixes)
                if tag is not None:
                    found.tagged_values.setdefault((subject, obj, tag), where)
                    if predicate:
                        found.tagged_literals.setdefault((subject, predicate, obj, tag), where)
                if subject.startswith("_:") and predicate:
                    found.blank_pairs.setdefault(subject, set()).add((predicate, obj))
            expect = "after"


def literal_places(texts: Callable[[], Iterable[tuple[str, str]]]
                   ) -> Callable[[str, str], str | None]:
    """A function of a typed literal's lexical form and datatype IRI to "NAME:LINE", the first
    line of the (name, text) Turtle-family ``texts`` (read when first asked) that writes it
    (``"1978-13-01"^^xsd:date``, or with the datatype's full IRI), else None: where the build
    says an ill-typed literal is (:data:`kg.locating`)."""
    read: list[tuple[str, str]] | None = None

    def place(lexical: str, datatype: str) -> str | None:
        nonlocal read
        read = list(texts()) if read is None else read
        local = re.split(r"[#/]", datatype)[-1]
        written = re.compile(re.escape(f'"{lexical}"') + r"\^\^\s*(<[^>]*>|[\w.-]*:[\w.-]+)")
        for name, text in read:
            for m in written.finditer(text):
                token = m[1]
                if token[1:-1] == datatype if token.startswith("<") \
                        else token.partition(":")[2] == local:
                    return f"{name}:{text.count(chr(10), 0, m.start()) + 1}"
        return None

    return place


def subject_lines(texts: Iterable[tuple[str, str]]) -> dict[str, str]:
    """IRI -> "NAME:LINE" of the first statement whose subject it is, in Turtle-family texts
    (name, text)."""
    return statement_lines(texts).subjects


#: Each thread's rdflib queries, by text and prefixes (:func:`_prepared_query`).
_PREPARED = threading.local()


def prepareQuery(text: str, **kwargs):  # noqa: N802 - rdflib's name, which tests patch
    """rdflib's ``prepareQuery``, imported when first used: rdflib's SPARQL engine is part of
    what made every kg command slow to start, and only pySHACL's path needs it."""
    from rdflib.plugins.sparql import prepareQuery as prepare

    return prepare(text, **kwargs)


def _prepared_query(text: str, namespaces: tuple[tuple[str, str], ...]):
    """``text`` parsed by rdflib with ``namespaces``: once per thread for each text and
    prefixes. A prepared query is evaluated on any graph with any bindings, but not from two
    threads at once (rdflib keeps the bindings on the expression while it evaluates), hence
    one cache per thread; at most 512 entries (uploads bring their own prefixes)."""
    cache = getattr(_PREPARED, "queries", None)
    if cache is None or len(cache) >= 512:
        cache = _PREPARED.queries = {}
    key = (text, namespaces)
    if key not in cache:
        cache[key] = prepareQuery(text, initNs=dict(namespaces))
    return cache[key]


class _PreparedQueries(Graph):
    """The data graph as pySHACL queries it, over the same store: pySHACL hands a SPARQL
    constraint's text to :meth:`query` once per focus node and rdflib parses it every time
    (10-30 ms a query, most of a validation's time); here each text is parsed once per
    thread, for this validation and the later ones (:func:`_prepared_query`)."""

    def __init__(self, data: Graph):
        super().__init__(store=data.store, identifier=data.identifier,
                         namespace_manager=data.namespace_manager)
        self._namespaces: tuple[tuple[str, str], ...] | None = None

    def query(self, query_object, *args, **kwargs):
        # rdflib's Graph.query(query_object, processor, result, initNs, initBindings, …),
        # called positionally or by name: only a SPARQL text without its own namespaces is
        # prepared (with the graph's, as rdflib would parse it)
        processor = args[0] if args else kwargs.get("processor", "sparql")
        init_ns = args[2] if len(args) > 2 else kwargs.get("initNs")
        if isinstance(query_object, str) and processor == "sparql" and not init_ns:
            if self._namespaces is None:
                self._namespaces = tuple(sorted((str(p), str(n)) for p, n in self.namespaces()))
            query_object = _prepared_query(query_object, self._namespaces)
        return super().query(query_object, *args, **kwargs)


def check_sparql_constraints(shapes: Graph) -> None:
    """Raise ConfigError naming every SPARQL constraint of ``shapes`` whose query does not
    parse (with its declared prefixes), so that a typo in a shape is said as such, by name,
    instead of a parser's traceback from deep in a validation run. Parsed by pyoxigraph over
    an empty store: a few milliseconds for all of them."""
    import pyoxigraph as ox

    from kg.store import _POSITION, _readable

    empty = ox.Store()
    broken = []
    for constraint in sorted({s for p in (SH.select, SH.ask) for s in shapes.subjects(p)},
                             key=str):
        prologue = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for owner in shapes.objects(constraint, SH.prefixes)
            for d in shapes.objects(owner, SH.declare))
        for text in (*shapes.objects(constraint, SH.select), *shapes.objects(constraint, SH.ask)):
            try:
                empty.query(prologue + str(text))
            except SyntaxError as exc:
                message = " ".join(str(exc.args[0] if exc.args else exc).split())
                where = ""
                at = _POSITION.match(message)
                if at:  # the line within the query as the shape writes it
                    line = int(at[1]) - prologue.count("\n")
                    where, message = f" (line {line}, column {at[2]})", message[at.end():]
                broken.append(f"{short_iri(str(constraint))}: its SPARQL query does not parse"
                              f"{where}: {_readable(message, 200)}")
    if broken:
        raise ConfigError("the shapes (shapes/*.ttl) cannot be used: " + "; ".join(broken))


def _check_each_sparql_text_once() -> None:
    """Make pySHACL check each SPARQL constraint's text once, not once per focus node.

    Before every focus node's query, pySHACL's ``SPARQLQueryHelper.check_invalid_sparql``
    searches the constraint's text with five regular expressions (no MINUS, VALUES or SERVICE;
    a nested SELECT selects the pre-bound variables; AS rebinds none of them): the same text
    each time, about two fifths of pySHACL's time on a small graph. The check is a pure
    function of the text, of whether ``$value`` may be pre-bound and of the extra variables (it
    reads nothing of the helper but its class's patterns), so its answer is kept for each of
    them. It answers True or raises: an exception is not kept, so a refused text raises again,
    each time, as it did. Installed once per process, on pySHACL's class, when kg.validate
    first runs pySHACL."""
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    check = SPARQLQueryHelper.check_invalid_sparql
    if getattr(check, "checks_each_text_once", False):
        return

    @functools.lru_cache(maxsize=1024)
    def allowed(text: str, with_value: bool, extravars: tuple[str, ...]) -> bool:
        return check(SPARQLQueryHelper, text, valuenode=True if with_value else None,
                     extravars=set(extravars))

    @functools.wraps(check)
    def check_once(self, sparql_text, valuenode=None, extravars=None):
        return allowed(sparql_text, valuenode is not None, tuple(sorted(extravars or ())))

    check_once.checks_each_text_once = True
    SPARQLQueryHelper.check_invalid_sparql = check_once


def validate(data: Graph, shapes: Graph) -> Report:
    """Validate ``data`` (asserted + inferred) against ``shapes``. The inputs are not changed:
    pySHACL adds RDFS/OWL axioms (``owl:Class rdfs:subClassOf rdfs:Class`` …) to the shapes
    graph it is given, so it gets a copy; it queries the data graph in place (no inference, no
    ontology to mix in), through :class:`_PreparedQueries`."""
    check_sparql_constraints(shapes)
    # imported here: pySHACL (and rdflib's SPARQL engine under it) cost every kg command
    # half a second at start-up, and most never run it
    from pyshacl import validate as _pyshacl_validate

    _check_each_sparql_text_once()
    conforms, report_graph, _ = _pyshacl_validate(
        _PreparedQueries(data) if type(data) is Graph else data,  # a dataset: as it is
        shacl_graph=Graph() + shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=False,
        inplace=False,
    )
    if not isinstance(report_graph, Graph):  # pySHACL's ValidationFailure: unusable shapes
        raise ConfigError("the shapes (shapes/*.ttl) cannot be used: "
                          + getattr(report_graph, "message", str(report_graph)))
    results = _results(report_graph, shapes)
    if results:
        results = finish_results(
            results, lambda focus, path: data.objects(_node(focus), URIRef(path)),
            lambda: ((str(t), str(k)) for t, k in data.subject_objects(RDF.type)
                     if str(k) in DECLARING_TYPES),
            lambda: subproperties_in(data))
    return Report(conforms=bool(conforms), results=results, graph=report_graph, shapes=shapes)


def validate_with(view: Graph, shapes: Graph, validator: str = "fast",
                  log: Callable[[str], None] = lambda _: None) -> Report:
    """``view`` (what the shapes see: :func:`closure_view`) against ``shapes`` with the engine
    ``validator`` (:data:`VALIDATORS`), as the build validates. The fast engine runs over a
    pyoxigraph store holding the view; pySHACL takes over where the shapes use what it does
    not compile, or where the store cannot hold the view (an IRI rdflib let through that
    N-Triples refuses). ``log`` says when it does."""
    if check_validator(validator) == "fast":
        import pyoxigraph as ox

        store = ox.Store()
        try:
            store.load(view.serialize(format="nt", encoding="utf-8"),
                       format=ox.RdfFormat.N_TRIPLES)
        except Exception as exc:  # noqa: BLE001 - rdflib raises a bare Exception for such IRIs
            log(f"the data cannot be loaded into pyoxigraph ({' '.join(str(exc).split())}); "
                "validating with pySHACL")
        else:
            from kg.shacl_fast import written_otherwise

            return validate_view_store(store, shapes, validator, log, lambda: view,
                                       written_otherwise(view))
    return validate(view, shapes)


def validate_view_store(store, shapes: Graph, validator: str, log: Callable[[str], None],
                        view: Callable[[], Graph], written=None) -> Report:
    """What the shapes see, in one graph of the pyoxigraph ``store``, against ``shapes`` with
    the engine ``validator``; pySHACL, over ``view()`` (the same triples as an rdflib Graph),
    when asked for or where kg.shacl_fast does not compile the shapes (``log`` says so).
    ``written``: the data's literals the store keeps in another datatype
    (:func:`kg.shacl_fast.written_otherwise`), for kg.shacl_fast."""
    if check_validator(validator) == "fast":
        from kg.shacl_fast import UnsupportedShapes, validate_store

        try:
            return validate_store(store, shapes, written=written)
        except UnsupportedShapes as exc:
            log(f"kg.shacl_fast does not compile these shapes ({exc}); using pySHACL")
    return validate(view(), shapes)


def validate_closure(parts: Iterable[Graph], shapes: Graph, reasoner: str = "fast",
                     validator: str = "fast", log: Callable[[str], None] = lambda _: None
                     ) -> Report:
    """The union of ``parts`` (the asserted triples: data files, the ontology), closed under
    OWL 2 RL, against ``shapes``: the report of ``validate_with(closure_view(union, reasoner),
    shapes, validator)``, by the build's path where the graphs allow it. With the fast
    reasoner and validator, the triples go into one pyoxigraph store, where
    :func:`kg.materialise.materialise_store` reasons, :func:`kg.shacl_fast.view_store` makes
    the view and :func:`kg.shacl_fast.validate_store` validates it: the same triples as the
    rdflib view (tests/test_shacl_fast.py), in a fraction of the time (rdflib's graphs were
    most of ``kg validate``'s time on large files). Whatever that path does not take as it is
    (a term pyoxigraph refuses, OWL the fast reasoner refuses or finds inconsistent, shapes
    kg.shacl_fast does not compile) goes through :func:`closure_view` and
    :func:`validate_with` from the start, which say it as they always did."""
    from kg.vocabularies import unknown_terms_in_graph

    parts = list(parts)
    if reasoner == "fast" and check_validator(validator) == "fast":
        report = _validate_in_store(parts, shapes, log)
        if report is not None:
            return report
    asserted = _union(parts)
    report = validate_with(closure_view(asserted, reasoner), shapes, validator, log)
    return with_vocabulary_warnings(report, unknown_terms_in_graph(asserted))


def _validate_in_store(parts: list[Graph], shapes: Graph,
                       log: Callable[[str], None]) -> Report | None:
    """:func:`validate_closure` in one pyoxigraph store, or None where the store or the fast
    reasoner cannot take the graphs. From the closure on it is the build's own step
    (:func:`kg.build.validate_dataset_store`), pySHACL fallback included: shapes
    kg.shacl_fast does not compile are run by pySHACL over the store's view, which holds the
    same triples as :func:`closure_view` (tests/test_shacl_fast.py)."""
    import pyoxigraph as ox

    from kg.build import validate_dataset_store
    from kg.errors import InconsistentGraph, KGError
    from kg.iris import INFERRED_GRAPH
    from kg.load import ox_term
    from kg.materialise import UnsupportedOntology, materialise_store
    from kg.shacl_fast import written_otherwise

    asserted, inferred = ox.NamedNode(_ASSERTED_GRAPH), ox.NamedNode(str(INFERRED_GRAPH))
    store = ox.Store()
    try:
        store.extend(ox.Quad(ox_term(s), ox_term(p), ox_term(o), asserted)
                     for part in parts for s, p, o in part)
    except (ValueError, TypeError, KGError):  # a term pyoxigraph refuses: validate_with says so
        return None
    try:
        materialise_store(store, inferred)
    except (UnsupportedOntology, InconsistentGraph):
        return None  # closure_view reasons with owlrl instead, or raises, with its own words
    return validate_dataset_store(store, inferred, shapes, "fast", log,
                                  written=written_otherwise(t for part in parts for t in part))


#: The graph :func:`_validate_in_store` puts the asserted triples in (a name of its own: the
#: view merges every graph into one).
_ASSERTED_GRAPH = "urn:kg:validate:asserted"


def validation_view(asserted: Graph, inferred: Graph) -> Graph:
    """What the shapes see: the asserted triples and the inferences, less the rdf:type triples
    that only rdfs:domain / rdfs:range gave. A type is kept when it is asserted or is a
    superclass of an asserted type; otherwise a range axiom would make any wrong value of the
    property look like an instance of the range to sh:class (the shapes of
    :func:`domain_range_shapes` check domain and range instead)."""
    supers: dict = {}
    for s, o in (asserted + inferred).subject_objects(RDFS.subClassOf):
        supers.setdefault(s, set()).add(o)
    view = Graph()
    view += asserted
    for s, p, o in inferred:
        if p == RDF.type and not any(o == t or o in supers.get(t, ())
                                     for t in asserted.objects(s, RDF.type)):
            continue
        view.add((s, p, o))
    return view


def closure_view(asserted: Graph, reasoner: str = "fast") -> Graph:
    """Reason over ``asserted`` and return what the shapes see (:func:`validation_view`).

    Data we did not write (files to validate, uploads, link imports) may use OWL the fast
    reasoner does not implement; for those graphs the reference reasoner takes over."""
    from kg.materialise import UnsupportedOntology
    from kg.reason import infer

    try:
        inferred = infer(asserted, reasoner=reasoner)
    except UnsupportedOntology:
        inferred = infer(asserted, reasoner="owlrl")
    return validation_view(asserted, inferred)


def domain_range_shapes(ontology: Graph) -> Graph:
    """SHACL shapes that read the ontology's rdfs:domain / rdfs:range axioms on kgo: properties
    as constraints: the subject of the property (or of any of its sub-properties) is an instance
    of the domain, and its value an instance of the range class. shapes/domain-range.ttl is this
    graph, rewritten with tests/data/regenerate_domain_range.py.

    A domain is a node shape on the subjects. A range is a property shape on the same subjects,
    with the property as its path: its results name the subject, the property and the value, so
    a report points at the triple that gives the wrong value (where a node shape on the values,
    ``sh:targetObjectsOf``, made the value the focus node, with no path, shown where the value
    is described or nowhere for a literal). The closure the shapes see holds a sub-property's
    triples under the property too, so the path reaches them."""
    from kg.iris import BASE, KGO

    kgs = BASE + "shapes/"
    out = Graph()
    out.bind("sh", str(SH))
    out.bind("kgo", str(KGO))
    out.bind("kgs", kgs)
    out.bind("rdfs", str(RDFS))
    ours = sorted({p for p in ontology.subjects(RDF.type, None) if str(p).startswith(str(KGO))})

    def subproperties(prop):
        found, todo = {prop}, [prop]
        while todo:
            for sub in ontology.subjects(RDFS.subPropertyOf, todo.pop()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return sorted(found)

    owl_class = URIRef("http://www.w3.org/2002/07/owl#Class")
    for prop in ours:
        local = str(prop)[len(str(KGO)):]
        for axiom, kind, role in ((RDFS.domain, "domain", "subject"),
                                  (RDFS.range, "range", "value")):
            for cls in sorted(ontology.objects(prop, axiom)):
                if (cls, RDF.type, owl_class) not in ontology:
                    continue  # a datatype range: the datatype shapes check literals
                shape = URIRef(f"{kgs}{local}-{kind}")
                out.add((shape, RDF.type, SH.NodeShape if kind == "domain" else SH.PropertyShape))
                out.add((shape, RDFS.label, Literal(f"{kind} of kgo:{local}", lang="en")))
                for sub in subproperties(prop):
                    out.add((shape, SH.targetSubjectsOf, sub))
                if kind == "range":
                    out.add((shape, SH.path, prop))
                out.add((shape, SH["class"], cls))
                out.add((shape, SH.message, Literal(
                    f"the {role} of kgo:{local} (or of a sub-property) must be a "
                    f"kgo:{str(cls)[len(str(KGO)):]}")))
    return out


def check_shapes(shapes: Graph) -> Report:
    """Validate the shapes graph itself against SHACL's own shapes (pySHACL's meta-SHACL)."""
    from pyshacl.entrypoints import meta_validate

    conforms, report_graph, _ = meta_validate(shapes, inference="none")
    return Report(conforms=bool(conforms), results=_results(report_graph), graph=report_graph)


def _shape_name(shape, shapes: Graph | None) -> str:
    """A named shape's IRI; for an anonymous property shape, the named shape that holds it."""
    if isinstance(shape, URIRef) or shapes is None:
        return str(shape)
    for predicate in (SH.property, SH["not"], SH["and"], SH["or"], SH.xone, SH.node,
                      SH.qualifiedValueShape, RDF.first, RDF.rest):
        for parent in shapes.subjects(predicate, shape):
            return _shape_name(parent, shapes)
    return str(shape)


def _results(report: Graph, shapes: Graph | None = None) -> list[Result]:
    out = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        hint = _hint(value, report.value(node, SH.sourceConstraintComponent),
                     report.value(node, SH.sourceShape), shapes)
        out.append(Result(
            focus=_term_text(report.value(node, SH.focusNode)),
            path=(str(path) if isinstance(path, URIRef)
                  else path_text(report, path) if path is not None else None),
            value=None if value is None else _value_text(value),
            severity=short_iri(str(report.value(node, SH.resultSeverity))).replace("sh:", ""),
            message=" / ".join(sorted(str(m) for m in report.objects(node, SH.resultMessage)))
            + hint,
            shape=_shape_name(report.value(node, SH.sourceShape), shapes),
            constraint=str(report.value(node, SH.sourceConstraintComponent)),
        ))
    return _in_report_order(out, shapes)


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
_YEAR = re.compile(r"[0-9]{4}")


def _datatypes(shapes: Graph, shape) -> set:
    """The datatypes a property shape takes: its sh:datatype and those of its sh:or's members."""
    from rdflib.collection import Collection

    found = set(shapes.objects(shape, SH.datatype))
    for members in shapes.objects(shape, SH["or"]):
        for member in Collection(shapes, members):
            found.update(shapes.objects(member, SH.datatype))
    return found


def _hint(value, component, shape, shapes: Graph | None) -> str:
    """What to write, where a result's value shows what was meant: a plain string that is a
    well-formed day where a datatype is wanted (``; write it "1979-03-03"^^xsd:date``), or a
    month or a year where the shape takes one (``; write it "1978-05"^^xsd:gYearMonth``), a
    count in quotes where an integer is wanted (``; write it 10``), a literal without a
    language tag where sh:languageIn wants one (``; write it "Hà Tiên"@en``, the first language
    the shape lists) or a label in another language (:func:`_other_language_hint`), the tag a
    plain string needs where any language's is wanted (:func:`_language_tag_hint`), a date
    that is not one (:func:`_datatype_hint`), a relative IRI (``<phnom-penh>``, made a
    ``file:`` IRI by the parser). Else ""."""
    if isinstance(value, URIRef):
        if str(value).startswith("file:"):
            # <phnom-penh> for place:phnom-penh: the parser makes it absolute against the
            # file's own address, which names nothing of the graph
            return (f"; <{str(value).rpartition('/')[2]}> is a relative IRI, read against the "
                    "file's own address: write the entity's prefixed name (place:…, unit:…) or "
                    "its full https://w3id.org/kg1978/ IRI")
        return _kind_hint(str(value), component) or _authority_hint(str(value), component)
    if not isinstance(value, Literal):
        return ""
    if value.language:
        return _other_language_hint(value, component, shape, shapes)
    if value.datatype == _WKT and component == SH.PatternConstraintComponent:
        return _point_hint(str(value))
    if value.datatype == XSD.dateTime:
        return _date_written_otherwise(str(value), "a date-time", component, shape, shapes)
    if value.datatype not in (None, XSD.string):
        return _datatype_hint(value, component, shape, shapes)
    lexical = Literal(str(value)).n3()
    text = str(value)
    if component in (SH.ClassConstraintComponent, SH.NodeKindConstraintComponent):
        return _quoted_iri_hint(text)
    if component in (SH.DatatypeConstraintComponent, SH.OrConstraintComponent):
        if component == SH.DatatypeConstraintComponent and shapes is not None \
                and RDF.langString in _datatypes(shapes, shape):
            return _language_tag_hint(text, lexical)
        kind = _date_kind(text)
        if kind == XSD.date:
            return f"; write it {lexical}^^xsd:date"
        # a month or a year, where the shape takes one (a start date may be "1978-05"; a
        # kgo:notBefore is a day, and gets no hint)
        if kind is not None and shapes is not None and kind in _datatypes(shapes, shape):
            return f"; write it {lexical}^^xsd:{kind.rpartition('#')[2]}"
        if kind is None and not _COUNT.fullmatch(text):
            found = _date_written_otherwise(text, "a date in words", component, shape, shapes)
            if found:
                return found
        # a count in quotes ("10" for a figure's value): the number, unquoted
        if _COUNT.fullmatch(text) and shapes is not None \
                and XSD.integer in _datatypes(shapes, shape):
            return f"; write it {text} (a number, without quotes)"
        return ""
    if component == SH.LanguageInConstraintComponent and shapes is not None:
        from rdflib.collection import Collection

        tags = shapes.value(shape, SH.languageIn)
        first = next(iter(Collection(shapes, tags)), None) if tags is not None else None
        if first is not None and str(first) != "*":
            return f"; write it {lexical}@{first}"
    return ""


def _language_tag_hint(text: str, lexical: str) -> str:
    """The tag a plain string needs where a language-tagged one is wanted (a skos:altLabel):
    the language its letters tell (``; write it "tỉnh Tây Ninh"@vi``, Khmer script ``@km``),
    else how a tag is written, English's for the example."""
    tag = language_of_letters(text)
    if tag is not None:
        return f"; write it {lexical}@{tag}"
    return f"; write it with its language's tag ({lexical}@en for an English name)"


_WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
_POINT = re.compile(r"\s*POINT\s*\(\s*(\S+)\s+(\S+)\s*\)\s*", re.IGNORECASE)


def _point_hint(text: str) -> str:
    """Why a WKT point breaks the geometry pattern, where its coordinates are numbers out of
    range: a latitude past 90 (``; the latitude 200 is out of range (-90 to 90)``, and
    ``: written latitude first?`` where the longitude would be a latitude), a longitude past
    180. Else ""."""
    found = _POINT.fullmatch(text)
    if not found:
        return ""
    try:
        longitude, latitude = (float(n) for n in found.groups())
    except ValueError:
        return ""
    if abs(latitude) > 90:
        order = (": written latitude first? (POINT(longitude latitude))"
                 if abs(longitude) <= 90 else "")
        return f"; the latitude {found[2]} is out of range (-90 to 90){order}"
    if abs(longitude) > 180:
        return f"; the longitude {found[1]} is out of range (-180 to 180)"
    return ""


def _other_language_hint(value: Literal, component, shape, shapes: Graph | None) -> str:
    """A name in another language where an English rdfs:label is wanted (``"Quân tình
    nguyện"@vi``): where it goes, and what is still missing; or, an English name with the
    wrong tag (``"Vietnamese announcement of 5 February 1978"@vi``), the tag to write. Else
    "". A label tagged with a language the graph does not use (kgs:LabelLanguageShape:
    ``"Pôn Pốt"@vn``): the tag its letters tell, where they do (:func:`_language_tag_hint`)."""
    if str(shape) == SHAPES + "LabelLanguageShape":
        hint = _language_tag_hint(str(value), Literal(str(value)).n3())
        return "" if hint.endswith("for an English name)") else hint
    if component != SH.LanguageInConstraintComponent or shapes is None \
            or shapes.value(shape, SH.path) != RDFS.label:
        return ""
    return (f"; {value.n3()} is a name in another language: write it as a skos:altLabel, "
            f"and give the entity its English rdfs:label (or, if this is the English name "
            f"tagged wrongly, write it {Literal(str(value)).n3()}@en)")


def _date_kind(text: str):
    """The XSD type a date's lexical form is well formed for: a day (xsd:date), a month
    (xsd:gYearMonth) or a year (xsd:gYear); None for anything else."""
    import datetime

    if _DAY.fullmatch(text):
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            return None
        return XSD.date
    return (XSD.gYearMonth if _MONTH.fullmatch(text) else
            XSD.gYear if _YEAR.fullmatch(text) else None)


def _date_written_otherwise(text: str, what: str, component, shape,
                            shapes: Graph | None) -> str:
    """Where a date is wanted and ``text`` is one written another way (``7 January 1979``,
    ``1979-01-07T00:00:00``: read as kg.reconciliation reads a date a user types), what to
    write: ``; "7 January 1979" is a date in words: write it "1979-01-07"^^xsd:date``, at the
    precision written, where the shape takes it. Else ""."""
    if component not in (SH.DatatypeConstraintComponent, SH.OrConstraintComponent) \
            or shapes is None:
        return ""
    from kg.reconciliation import read_date

    iso, _ = read_date(text)
    kind = _date_kind(iso) if iso else None
    if kind is None or kind not in _datatypes(shapes, shape):
        return ""
    return (f"; {Literal(text).n3()} is {what}: write it "
            f"{Literal(iso).n3()}^^xsd:{kind.rpartition('#')[2]}")


_DATE_KINDS = {XSD.date: "a day", XSD.gYearMonth: "a month", XSD.gYear: "a year"}
_DATE_FORMS = {XSD.date: "YYYY-MM-DD", XSD.gYearMonth: "YYYY-MM", XSD.gYear: "YYYY"}
_COUNT = re.compile(r"[0-9]+")


def _not_a_date(text: str, datatype) -> str:
    """Why a date typed as what the shape takes is not one of its values, where its text
    tells: a day that is not in the calendar (``"1978-02-30"^^xsd:date``: ``; 1978-02-30 is
    not a day of the calendar: day is out of range for month``; the shape says only that an
    xsd:date is wanted, which the literal seems to be), a month past 12, or text not written
    in the type's form. Else "" (a form XSD allows that this check does not read, such as a
    time zone). A date with white space at an end (``"1978-03-26 "``) is told so, and what to
    write."""
    import datetime

    name = datatype.rpartition("#")[2]
    if text.strip() != text and text.strip() and _date_kind(text.strip()) == datatype \
            and not _not_a_date(text.strip(), datatype):
        # a stray space, which the message would show as none: "1978-03-26  is not written…"
        return (f"; {Literal(text).n3()} has white space at an end: write it "
                f"{Literal(text.strip()).n3()}^^xsd:{name}")
    if datatype == XSD.date and _DAY.fullmatch(text):
        try:
            datetime.date.fromisoformat(text)
        except ValueError as error:
            return f"; {text} is not a day of the calendar: {error}"
        return ""
    if datatype == XSD.gYearMonth and re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
        return f"; {text} is not a month of the calendar (months are 01 to 12)"
    if re.fullmatch(r"-?[0-9]{4,}(-[0-9]{2}){0,2}(Z|[+-][0-9]{2}:[0-9]{2})?", text):
        return ""
    return f"; {text} is not written as an xsd:{name} ({_DATE_FORMS[datatype]})"


#: The numeric datatypes other than xsd:integer that a count may be written in by mistake
#: (``300.0`` in Turtle is an xsd:decimal).
_NUMBERS = (XSD.decimal, XSD.double, XSD.float, XSD.nonNegativeInteger, XSD.positiveInteger,
            XSD.int, XSD.long, XSD.short, XSD.unsignedInt, XSD.unsignedLong)


def _integer_hint(value: Literal) -> str:
    """A whole number typed as another number where the shape takes an xsd:integer
    (``300.0``, ``"300"^^xsd:int``): ``; write it 300 (an xsd:integer: digits alone, without
    a decimal point, quotes or datatype)``. Else ""."""
    import decimal

    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        return ""
    if not number.is_finite() or number != number.to_integral_value():
        return ""
    return (f"; write it {int(number)} (an xsd:integer: digits alone, without a decimal "
            "point, quotes or datatype)")


#: A string that names an IRI: a project prefix's name (``unit:vpa``) or a full IRI.
_NAMED_IRI = re.compile(r"(?P<curie>[a-z]+:[A-Za-z0-9][\w.-]*)|(?P<iri>https?://\S+)")


def _quoted_iri_hint(text: str) -> str:
    """A string where an entity is wanted whose text names one (``"unit:vpa"``, a prefixed
    name of the project's prefixes, or a full IRI): ``; "unit:vpa" is a string: write
    unit:vpa without quotes, for the IRI``. Else ""."""
    m = _NAMED_IRI.fullmatch(text.strip())
    if m is None or (m["curie"] and _expanded(m["curie"]) == m["curie"]):
        return ""
    written = m["curie"] or f"<{m['iri']}>"
    return f"; {Literal(text).n3()} is a string: write {written} without quotes, for the IRI"


def _datatype_hint(value: Literal, component, shape, shapes: Graph | None) -> str:
    """A date typed as another precision (``"1978-05-26"^^xsd:gYear``, a day typed as a year),
    where the shape takes the type its lexical form is: ``; a day typed as xsd:gYear: did you
    mean xsd:date ("1978-05-26"^^xsd:date)?``; a date that is no value of its type, why
    (:func:`_not_a_date`). Else ""."""
    if component not in (SH.DatatypeConstraintComponent, SH.OrConstraintComponent) \
            or shapes is None:
        return ""
    if value.datatype in _NUMBERS and XSD.integer in _datatypes(shapes, shape):
        return _integer_hint(value)
    if value.datatype not in _DATE_KINDS:
        return ""
    kind = _date_kind(str(value))
    if kind is None or kind == value.datatype:
        return _not_a_date(str(value), value.datatype)
    if kind not in _datatypes(shapes, shape):
        return ""
    name = kind.rpartition("#")[2]
    return (f"; {_DATE_KINDS[kind]} typed as xsd:{value.datatype.rpartition('#')[2]}: did you "
            f"mean xsd:{name} ({Literal(str(value)).n3()}^^xsd:{name})?")


#: The kinds of the entities' IRIs (``BASE + KIND/NAME``: kgs:EntityShape's pattern).
_ENTITY_KINDS = ("actor", "unit", "place", "event", "measure", "figure", "source")


def _kind_hint(iri: str, component) -> str:
    """For an entity's IRI under a namespace of the base that is no kind
    (``https://w3id.org/kg1978/evnt/appeal``, as a prefix declared with a mistyped namespace
    makes every name under it), the kind it most likely meant: ``; evnt/ is no kind of the
    project's IRIs: did you mean event/ (event:appeal)?``. Else ""."""
    import difflib

    from kg.iris import BASE

    if component != SH.PatternConstraintComponent or not iri.startswith(BASE):
        return ""
    kind, slash, name = iri[len(BASE):].partition("/")
    if not slash or kind in _ENTITY_KINDS:
        return ""
    close = difflib.get_close_matches(kind, _ENTITY_KINDS, n=1, cutoff=0.6)
    meant = (f": did you mean {close[0]}/ ({short_iri(f'{BASE}{close[0]}/{name}')})?"
             if close else f" (the kinds are {', '.join(k + '/' for k in _ENTITY_KINDS)})")
    return (f"; {kind}/ is no kind of the project's IRIs{meant} A prefix declared with a "
            "mistyped namespace makes every name under it one")


_WIKIPEDIA = re.compile(r"https?://([a-z-]+\.)?(m\.)?wikipedia\.org/wiki/[^?#]+")


def _authority_hint(iri: str, component) -> str:
    """What an authority link that is not in its canonical form most likely meant: the
    canonical IRI of the record it names, as ``kg links import`` reads a pasted link (a
    Wikidata page, ``https://www.wikidata.org/wiki/Q881``: ``; write it
    http://www.wikidata.org/entity/Q881``), or, for a Wikipedia article, that it is not a
    Wikidata entity and where that is. Else ""."""
    from kg.links import canonical_iri

    if component != SH.PatternConstraintComponent:
        return ""
    if _WIKIPEDIA.fullmatch(iri):
        return ("; a Wikipedia article, not a Wikidata entity: link the entity of the article's "
                "\"Wikidata item\" (http://www.wikidata.org/entity/Q…)")
    try:
        canonical = canonical_iri(iri)
    except ValueError:
        return ""
    return f"; write it {canonical}" if canonical != iri else ""


#: Paths whose results come before every other result, whatever their focus node: a root cause
#: whose consequences lie on other focus nodes. OWL 2 RL makes the two IRIs of an owl:sameAs
#: one, so the external IRI gets our entity's statements (and their range violations), and a
#: statement naming the entity gets a second subject: a hand-written owl:sameAs gave a
#: report that opened with these, the one result that explains them in the middle.
_CAUSES_FIRST = frozenset({str(OWL.sameAs)})


def _in_report_order(results: Iterable[Result], shapes: Graph | None) -> list[Result]:
    """``results`` by focus node, and for each, those of the shapes with an ``sh:order`` first,
    by it: the shapes put the checks that name a root cause (a misspelt class or property)
    there, ahead of what follows from it. Results on a path of ``_CAUSES_FIRST`` (owl:sameAs)
    come before all the others, their consequences being on other focus nodes."""
    order: dict[str, float] = {}
    for r in results:
        if r.shape not in order:
            given = shapes.value(URIRef(r.shape), SH.order) if shapes is not None else None
            order[r.shape] = float(given) if isinstance(given, Literal) else math.inf
    return sorted(results, key=lambda r: (r.path not in _CAUSES_FIRST
                                          and r.shape != _PREFIX_SHAPE, r.focus,
                                          order[r.shape], r.path or "", r.shape, r.message,
                                          r.value or "", r.constraint))


def with_results(report: Report, added: list[tuple[Result, tuple]],
                 described: Iterable[tuple] = ()) -> Report:
    """``report`` with the results ``added`` (each with its focus node, path and value as RDF
    terms, None where it has none) among its results, in report order, and in its report graph,
    each an ``sh:ValidationResult`` with its focus node, path, value, severity, source shape,
    source constraint component and message; ``described`` (triples: the blank nodes those
    results name) goes into the graph too. It no longer conforms when one of them fails. The
    checks run beside the SHACL engines (kg.vocabularies, kg.qc) report through this."""
    if not added:
        return report
    conforms = report.conforms and not any(r.fails for r, _ in added)
    graph = report.graph
    root = next(iter(graph.subjects(RDF.type, SH.ValidationReport)), None)
    if root is None:
        root = BNode()
        graph.add((root, RDF.type, SH.ValidationReport))
    graph.set((root, SH.conforms, Literal(conforms)))
    for triple in described:
        graph.add(triple)
    for r, (focus, path, value) in added:
        node = BNode()
        for p, o in ((RDF.type, SH.ValidationResult), (SH.focusNode, focus),
                     (SH.resultPath, path), (SH.value, value),
                     (SH.resultSeverity, SH[r.severity]), (SH.sourceShape, URIRef(r.shape)),
                     (SH.sourceConstraintComponent, URIRef(r.constraint)),
                     (SH.resultMessage, Literal(r.message))):
            if o is not None:
                graph.add((node, p, o))
        graph.add((root, SH.result, node))
    return replace(report, conforms=conforms,
                   results=_in_report_order([*report.results, *(r for r, _ in added)],
                                            report.shapes))


def with_vocabulary_warnings(report: Report, found) -> Report:
    """``report`` with a warning for each use of a term a standard vocabulary does not define
    (``found``: :class:`kg.vocabularies.UnknownTerms`), through :func:`with_results`, as results
    of ``kgs:VocabularyTermShape``: focus node the triple's subject, path its predicate, value
    its object, the message naming the term and the closest known one. A warning does not fail
    validation, so ``conforms`` is unchanged. Its source shape is a shape of ``shapes/`` with
    no target (kg.vocabularies checks it, not a SHACL engine), its source constraint component
    ``kgs:VocabularyTermConstraintComponent``; the blank nodes the results name are described
    in the report graph, as pySHACL describes them."""
    from kg.vocabularies import COMPONENT, SHAPE

    added = [(Result(focus=_term_text(use.subject), path=str(use.predicate),
                     value=_value_text(use.object), severity="Warning", message=use.message,
                     shape=str(SHAPE), constraint=str(COMPONENT)),
              (use.subject, use.predicate, use.object)) for use in found.uses]
    return with_results(report, added, found.blank_nodes)


#: The shape of a prefix declared again (:func:`with_prefix_warnings`), whose results come
#: first: every name after it means another IRI, and the results about them follow from it.
_PREFIX_SHAPE = SHAPES + "PrefixDeclarationShape"


def with_prefix_warnings(report: Report, texts: Iterable[tuple[str, str]]) -> Report:
    """``report`` with a warning for each prefix a text of ``texts`` ((name, text) pairs:
    Turtle, TriG, N-Triples, N-Quads) declares again with another IRI
    (:func:`kg.load.redeclared_prefixes`), at its line: a result of
    ``kgs:PrefixDeclarationShape`` (a shape no engine runs, as kgs:VocabularyTermShape), its
    focus node the IRI declared the second time, so that the JSON, SARIF and Turtle reports
    say it, not stderr alone. A warning: ``conforms`` is unchanged."""
    from kg.load import redeclared_prefixes

    added = []
    for name, text in texts:
        if _json_ld(text) or _RDF_XML.match(text):
            continue  # no Turtle prefixes
        for line, iri, message in redeclared_prefixes(text.encode("utf-8")):
            added.append((Result(focus=iri, path=None, value=None, severity="Warning",
                                 message=message, shape=_PREFIX_SHAPE,
                                 constraint=SHAPES + "PrefixDeclarationConstraintComponent",
                                 location=f"{name}:{line}"), (URIRef(iri), None, None)))
    return with_results(report, added)


_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
#: A passage cited by its number: ``18``, ``"18"``, ``"passage 18"``, ``"p. 18"``.
_PASSAGE_NUMBER = re.compile(r"\s*(?:passage|p\.?)?\s*([0-9]+)\s*", re.IGNORECASE)
#: The passages of the data: each one's IRI, source and number (:func:`passages_in`).
_PASSAGES = """SELECT DISTINCT ?passage ?source ?number WHERE {
  GRAPH ?g { ?passage a <https://w3id.org/kg1978/ontology/Passage> ;
               <http://purl.org/dc/terms/isPartOf> ?source ;
               <https://w3id.org/kg1978/ontology/passageNumber> ?number } }"""


def passages_in(store) -> list[tuple[str, str, int]]:
    """(passage, source, number) of each ``kgo:Passage`` in any graph of the pyoxigraph
    ``store`` (graph/sources.ttl declares them)."""
    out = []
    for row in store.query(_PASSAGES):
        if row["number"].value.isdigit():
            out.append((row["passage"].value, row["source"].value, int(row["number"].value)))
    return out


def cited_in(store) -> Callable[[str], list[str]]:
    """The IRIs a node cites (``prov:wasDerivedFrom``) in any graph of the pyoxigraph
    ``store``, as :func:`with_passage_hints` reads them."""
    import pyoxigraph as ox

    def cited(focus: str) -> list[str]:
        if focus.startswith("_:"):
            return []
        return [q.object.value for q in store.quads_for_pattern(
            ox.NamedNode(focus), ox.NamedNode(_DERIVED_FROM), None, None)
            if isinstance(q.object, ox.NamedNode)]

    return cited


def passages_in_graphs(graphs: Iterable[Graph]) -> list[tuple[str, str, int]]:
    """:func:`passages_in` of rdflib graphs."""
    from kg.iris import DCTERMS, KGO

    out = []
    for graph in graphs:
        for passage in graph.subjects(RDF.type, KGO.Passage):
            for source in graph.objects(passage, DCTERMS.isPartOf):
                for number in graph.objects(passage, KGO.passageNumber):
                    if str(number).isdigit():
                        out.append((str(passage), str(source), int(str(number))))
    return out


def with_passage_hints(report: Report, passages: Iterable[tuple[str, str, int]],
                       cited: Callable[[str], Iterable[str]] = lambda _: (),
                       own: Iterable[tuple[str, str, int]] = ()) -> Report:
    """``report`` with what to write on each result about a passage cited by its number where
    its IRI is wanted (``prov:wasDerivedFrom 18``, ``"18"``, ``"passage 18"``): "; 18 is a
    passage's number, not the passage: write its IRI, src:article-part1-passage-18", of the
    sources the focus node's other citations (``cited(focus)``: IRIs) are from, else of
    those the files validated declare (``own``), else of any; where none of those has it,
    the passages they have. ``passages`` and ``own``: (passage,
    source, number), :func:`passages_in`."""
    todo = [r for r in report.results if r.path == _DERIVED_FROM and r.value
            and (m := _LEXICAL_FORM.match(r.value)) and _PASSAGE_NUMBER.fullmatch(m[1])]
    if not todo:
        return report
    from kg.qc import passages_hint

    own = list(own)
    passages = list({*passages, *own})
    source_of = {p: s for p, s, _ in passages}
    declared = {s for _, s, _ in own}
    hints: dict[int, str] = {}
    for r in todo:
        written = _LEXICAL_FORM.match(r.value)[1]
        number = int(_PASSAGE_NUMBER.fullmatch(written)[1])
        shown = written if r.value.endswith("#integer>") else f'"{written}"'
        sources = {source_of[c] for c in cited(r.focus) if c in source_of}
        # the sources it may be from: those the node cites, else those the files declare
        sources = sources or declared or set(source_of.values())
        found = sorted(p for p, s, n in passages if n == number and s in sources)
        said = f"; {shown} is a passage's number, not the passage: write its IRI"
        if found:
            said += ", " + " or ".join(short_iri(p) for p in found)
        else:
            known = [p for p, _, _ in passages]
            said += "".join(f"; {hint}" for s in sorted(sources)
                            if (hint := passages_hint(f"{s}-passage-{number}", known)))
        hints[id(r)] = said
    return replace(report, results=[replace(r, message=r.message + hints[id(r)])
                                    if id(r) in hints else r for r in report.results])


def _value_text(term) -> str:
    """A result's value as reports show it: a literal in N-Triples, an xsd:string as a plain
    string (the same literal in RDF 1.1: pyoxigraph gives it so, rdflib keeps the datatype),
    else the term."""
    return literal_text(term) if isinstance(term, Literal) else _term_text(term)


def _canonical(text: str | None) -> str | None:
    """A value as results give it, with a literal's lexical form as rdflib reads it (its
    canonical form of a date-time: :func:`_as_written`)."""
    return _value_text(_value_term(text)) if text and text.startswith('"') else text


def _value_term(text: str):
    """The rdflib term of a value as results give it (:func:`_value_text`: a literal in
    N-Triples, an IRI as it is, a blank node as ``_:label``)."""
    if text.startswith('"'):
        from rdflib.util import from_n3

        return from_n3(text)
    return _node(text)


def _node(text: str):
    """The rdflib term of a focus node as results give it (:func:`_term_text`)."""
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def _term_text(term) -> str:
    """An IRI as it is; a blank node as ``_:label`` (a bare label reads as a relative IRI)."""
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def path_text(graph: Graph, path, *, nested: bool = False) -> str:
    """A SHACL path written as a SPARQL property path, with CURIEs: ``kgo:x``, ``^kgo:x``,
    ``kgo:a*/kgo:b``, ``^kgo:a|^kgo:b`` (alternatives in parentheses only inside another
    path). For reports and the shapes pages."""
    from rdflib.collection import Collection

    if isinstance(path, URIRef):
        return short_iri(str(path))
    if (path, RDF.first, None) in graph:
        return "/".join(path_text(graph, p, nested=True) for p in Collection(graph, path))
    for prop, before, after in ((SH.inversePath, "^", ""), (SH.zeroOrMorePath, "", "*"),
                                (SH.oneOrMorePath, "", "+"), (SH.zeroOrOnePath, "", "?")):
        inner = graph.value(path, prop)
        if inner is not None:
            return f"{before}{path_text(graph, inner, nested=True)}{after}"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        text = "|".join(path_text(graph, p, nested=True)
                        for p in Collection(graph, alternatives))
        return f"({text})" if nested else text
    return str(path)


_BY_LENGTH = sorted((("sh", str(SH)), ("qc", _QC), *PREFIXES.items(), *KIND_PREFIXES.items()),
                    key=lambda pn: -len(pn[1]))


def short_iri(iri: str) -> str:
    """CURIE of an IRI with the longest matching project prefix (or ``sh:``), else the IRI:
    how reports, the validation page and the shapes pages name things. Our own IRIs are named
    by kind as the graph files name them (``event:nameless``, not ``kg:event/nameless``)."""
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def with_project(settings: dict, files: list) -> list:
    """``files`` with the project's data files (``graph/*.ttl``) beside them, for ``kg
    validate --with-project``: a contributor's new file is validated with the passages it
    cites and the entities it refers to, as ``/validate?context=dataset`` validates an upload
    with the served dataset. A file named as one of ``graph/``, in any syntax
    (``article-part1.ttl``, ``article-part1.jsonld``), stands in its place, as an upload of
    that name replaces its graph (by the name without its extension); without files, the
    project's. Raises InputError for a file given twice by name."""
    from pathlib import Path

    from kg.errors import InputError
    from kg.load import data_files, shown_path

    names: dict[str, Path] = {}
    for path in map(Path, files):
        if path.stem in names:
            twice = (path.name if names[path.stem].name == path.name
                     else f"{path.stem} ({names[path.stem].name} and {path.name})")
            raise InputError(f"two files named {twice} (with --with-project, a file named "
                             "as one of graph/, in any syntax, stands in its place)",
                             path=str(path))
        names[path.stem] = path
    # the project's files named as the command names them (graph/x.ttl in the project folder)
    return ([Path(shown_path(p)) for p in data_files(Path(settings["root"]))
             if p.stem not in names] + list(names.values()))


def validate_files(settings: dict, files: list, *, log=lambda _: None,
                   stand_in: bool = False) -> Report:
    """Validate data files the way the build validates the graph: the files plus the ontology,
    closed under OWL 2 RL, against the project's shapes, and the QC queries over the files
    (each in a named graph of its own) and the ontology (kg.qc). With no files, validate the
    built dataset (its asserted graphs for QC), and locate the results in the project's files.
    ``stand_in`` (``--with-project``, :func:`with_project`): a file named as one of
    ``graph/`` stands in its place for QC's context of labels too (the project's file of that
    name gave the labels a new version had lost, and a reference to an event whose label was
    removed was not dangling). Raises InputError/ParseError (exit 2) for files that cannot be
    read or parsed."""
    from pathlib import Path

    from kg.errors import InputError
    from kg.iris import ONTOLOGY_GRAPH
    from kg.load import load_shapes, parse_file, read_dataset, source_files
    from kg.qc import results_in_graphs, with_qc_results

    root = Path(settings["root"])
    validator = check_validator(settings.get("validator", "fast"))
    shapes = load_shapes(root)
    if not files:
        from kg import locating

        # an ill-typed literal of the dataset is said at the project file's line that writes it
        said_at = locating.set(literal_places(lambda: project_texts(root)))
        try:
            return _validate_built(settings, shapes, validator, log)
        finally:
            locating.reset(said_at)
    # each file's graph apart: merging them into one rdflib graph took longer than parsing
    parts: list[Graph] = []
    parsed = set()
    ontology_files = {p.resolve() for name, paths in source_files(root)
                      if name == ONTOLOGY_GRAPH for p in paths}
    data: list[Graph] = []  # the graphs QC reads as data: the files but the project's ontology
    for f in files:
        path = Path(f)
        if not path.is_file():
            raise InputError("a directory, not a file" if path.is_dir() else "no such file",
                             path=str(path))
        before = len(parts)
        if path.suffix.lower() in (".trig", ".nq"):
            parts += read_dataset(path).values()
        else:
            # a prefix declared again is a warning result of the report (with_prefix_warnings,
            # below), on stdout as every finding is: not logged on stderr as well
            parts.append(parse_file(path, warn=False))
            parsed.add(path.resolve())
        if path.resolve() not in ontology_files:
            data += parts[before:]
    ontology = Graph()
    # Read as the build's sources are (load_sources: the ontology, then each graph file), so a
    # project file that does not parse stops kg validate as it always did; the ontology is
    # used, and the other graph files' labels as QC's context (a graph file given as an input
    # has been parsed already).
    context: list[Graph] = []
    standing_in = {Path(f).stem for f in files} if stand_in else set()
    for name, paths in source_files(root):
        for path in paths:
            if name == ONTOLOGY_GRAPH:
                parse_file(path, into=ontology)
            elif path.resolve() not in parsed and path.stem not in standing_in:
                context.append(parse_file(path))
    parts.append(ontology)
    log(f"reasoning over {sum(len(p) for p in parts)} triples (the files and the ontology)")
    report = validate_closure(parts, shapes, settings.get("reasoner", "fast"), validator, log)
    # the queries' messages say "graph/", the project's files, of what they read: the files
    report = with_qc_results(report, results_in_graphs(data, ontology, context, named=(
        "graph/" if all(Path(f).resolve().parent == root.resolve() / "graph" for f in files)
        else str(files[0]) if len(files) == 1 else "one of the files validated")))
    report = with_passage_hints(report, passages_in_graphs(context), lambda focus: {
        str(o) for g in data for o in g.objects(_node(focus), URIRef(_DERIVED_FROM))},
        own=passages_in_graphs(data))
    texts = texts_of(Path(f) for f in files)
    return with_prefix_warnings(report.located(texts, data, subproperties_in(ontology),
                                               inverses_in(ontology))
                                if report.results else report, texts)


def _validate_built(settings: dict, shapes: Graph, validator: str, log) -> Report:
    """:func:`validate_files` of the built dataset (no files), located in the project's."""
    import pyoxigraph as ox

    from kg.build import read_built, validate_dataset_store
    from kg.iris import INFERRED_GRAPH
    from kg.load import shown_path
    from kg.qc import results_in_store, with_qc_results
    from kg.store import parse_dataset

    def read(path, digest) -> ox.Store:
        log(f"validating the built dataset {shown_path(path)}")
        return parse_dataset(path, format=ox.RdfFormat.N_QUADS, digest=digest)

    # read once, what build-info.json vouches for (not once to check its digest, once more
    # to load it: another build could replace kg.nq between the two)
    store, _, _ = read_built(settings, read, log=log)
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    report = with_qc_results(
        validate_dataset_store(store, inferred, shapes, validator, log),
        results_in_store(store, skip=[inferred]))
    report = with_passage_hints(report, passages_in(store), cited_in(store))
    texts = project_texts(settings["root"])
    return with_prefix_warnings(report.located(texts) if report.results else report, texts)


#: The syntaxes :func:`subject_lines` reads (JSON-LD and RDF/XML for their nodes' names).
_LINE_SYNTAXES = (".ttl", ".trig", ".nt", ".nq", ".jsonld", ".json", ".rdf", ".owl", ".xml")


def project_texts(root) -> list[tuple[str, str]]:
    """:func:`texts_of` the project's ontology and graph files, each named as the commands
    print it (:func:`kg.load.shown_path`): where a report on the built dataset locates its
    results (the build, ``kg validate`` with no file)."""
    from kg.load import shown_path, source_files

    return texts_of(shown_path(p) for _, paths in source_files(root) for p in paths)


def texts_of(paths: Iterable) -> list[tuple[str, str]]:
    """(path, text) of the files whose statements :func:`subject_lines` can find."""
    from pathlib import Path

    out = []
    for path in map(Path, paths):
        if path.suffix.lower() in _LINE_SYNTAXES:
            try:
                out.append((str(path), path.read_text(encoding="utf-8", errors="replace")))
            except OSError:
                pass
    return out


def _union(graphs) -> Graph:
    out = Graph()
    for g in graphs:
        out += g
    return out
