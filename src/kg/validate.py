"""Stage 3, validate: check a data graph against the project's SHACL shapes with pySHACL.

The data validated is the asserted triples plus their OWL 2 RL inferences, exactly as the build
makes them, so ``kg validate FILE`` and the build agree. :class:`Report` renders the results as
text, Turtle (an ``sh:ValidationReport``), JSON, or GitHub Actions annotations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

from pyshacl import validate as _pyshacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from kg.iris import PREFIXES

#: Exit codes of ``kg validate``.
CONFORMS, VIOLATIONS = 0, 1


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
    #: FILE:LINE of the statement that describes the focus node, where a file says so
    location: str | None = None


@dataclass
class Report:
    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph, repr=False)

    @property
    def exit_code(self) -> int:
        return CONFORMS if self.conforms else VIOLATIONS

    def located(self, texts: Iterable[tuple[str, str]]) -> Report:
        """This report with each focus node's ``location``: the first statement of the
        (name, text) Turtle, TriG, N-Triples or N-Quads texts that has it as its subject."""
        where = subject_lines(texts)
        return replace(self, results=[replace(r, location=where.get(r.focus))
                                      for r in self.results])

    def as_json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "results": [asdict(r) for r in self.results]},
            indent=2, ensure_ascii=False,
        )

    def as_turtle(self) -> str:
        for prefix, iri in PREFIXES.items():
            self.graph.bind(prefix, iri)
        self.graph.bind("sh", str(SH))
        return self.graph.serialize(format="turtle")

    def as_github(self) -> str:
        """One GitHub Actions workflow command per result (``::error file=F,line=N,title=…::``),
        which a workflow shows as an annotation on the line in the pull request; nothing when
        the data conforms."""
        level = {"Violation": "error", "Warning": "warning", "Info": "notice"}
        lines = []
        for r in self.results:
            props = []
            if r.location:
                path, _, line = r.location.rpartition(":")
                props += [f"file={_gh_property(path)}", f"line={line}"]
            props.append(f"title={_gh_property('SHACL ' + _short(r.shape))}")
            facts = [f"focus node {_short(r.focus)}"]
            if r.path:
                facts.append(f"path {_short(r.path)}")
            if r.value is not None:
                facts.append(f"value {_short(r.value)}")
            text = f"{r.message} ({'; '.join(facts)})"
            lines.append(f"::{level.get(r.severity, 'error')} {','.join(props)}::"
                         f"{_gh_data(text)}")
        return "".join(f"{line}\n" for line in lines)

    def as_text(self) -> str:
        if self.conforms:
            return "Conforms: the data satisfies every shape.\n"
        lines = [f"Does not conform: {len(self.results)} result(s).", ""]
        for r in self.results:
            lines.append(f"{r.severity}: {r.message}")
            lines.append(f"  focus node: {_short(r.focus)}")
            if r.location:
                lines.append(f"  where:      {r.location}")
            if r.path:
                lines.append(f"  path:       {_short(r.path)}")
            if r.value is not None:
                lines.append(f"  value:      {_short(r.value)}")
            lines.append(f"  shape:      {_short(r.shape)} ({_short(r.constraint)})")
            lines.append("")
        return "\n".join(lines)


def _gh_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub Actions reads it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """A workflow command's property value (``file=``, ``title=``), escaped."""
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


_BASE = re.compile(r"^\s*(?:@base|BASE)\s*<", re.IGNORECASE)
_DECLARATION = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
#: The first term of a line: an IRI or a prefixed name (or a graph name before "{").
_FIRST_TERM = re.compile(r"^\s*(<[^<>\s]*>|(?:[^\W\d][\w.-]*)?:[^\s;,()\[\]{}\"'#]*)")


def subject_lines(texts: Iterable[tuple[str, str]]) -> dict[str, str]:
    """IRI -> "NAME:LINE" of the first statement whose subject it is, in Turtle-family texts
    (name, text). A reading of lines, for pointing a person at a statement: a line starts a
    statement when the one before (comments aside) ended one (``.``, ``{`` or ``}``);
    prefixed names are expanded with the text's own PREFIX declarations."""
    found: dict[str, str] = {}
    for name, text in texts:
        prefixes: dict[str, str] = {}
        starts = True
        for number, line in enumerate(text.splitlines(), start=1):
            code = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
            if not code:
                continue
            declared = _DECLARATION.match(code)
            if declared or _BASE.match(code):
                if declared:
                    prefixes[declared[1]] = declared[2]
                starts = True  # a SPARQL-style PREFIX or BASE has no final "."
                continue
            if starts:
                term = _FIRST_TERM.match(code)
                if term:
                    token = term[1].rstrip(".")
                    if token.startswith("<"):
                        iri = token[1:-1]
                    else:
                        prefix, _, local = token.partition(":")
                        iri = prefixes[prefix] + local if prefix in prefixes else None
                    if iri and iri not in found:
                        found[iri] = f"{name}:{number}"
            starts = code.endswith((".", "{", "}"))
    return found


def validate(data: Graph, shapes: Graph) -> Report:
    """Validate ``data`` (asserted + inferred) against ``shapes``. The inputs are not changed."""
    conforms, report_graph, _ = _pyshacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=False,
        inplace=False,
    )
    return Report(conforms=bool(conforms), results=_results(report_graph, shapes),
                  graph=report_graph)


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
    graph, rewritten with tests/data/regenerate_domain_range.py."""
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
        for axiom, target, role in ((RDFS.domain, SH.targetSubjectsOf, "subject"),
                                    (RDFS.range, SH.targetObjectsOf, "value")):
            for cls in sorted(ontology.objects(prop, axiom)):
                if (cls, RDF.type, owl_class) not in ontology:
                    continue  # a datatype range: the datatype shapes check literals
                kind = "domain" if axiom == RDFS.domain else "range"
                shape = URIRef(f"{kgs}{local}-{kind}")
                out.add((shape, RDF.type, SH.NodeShape))
                out.add((shape, RDFS.label, Literal(f"{kind} of kgo:{local}", lang="en")))
                for sub in subproperties(prop):
                    out.add((shape, target, sub))
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
        def one(p, node=node):
            v = report.value(node, p)
            return None if v is None else (str(v) if not isinstance(v, Literal) else v.n3()
                                           if p == SH.value else str(v))
        path = report.value(node, SH.resultPath)
        out.append(Result(
            focus=str(report.value(node, SH.focusNode)),
            path=(str(path) if isinstance(path, URIRef)
                  else _path_text(report, path) if path is not None else None),
            value=one(SH.value),
            severity=_short(str(report.value(node, SH.resultSeverity))).replace("sh:", ""),
            message=" / ".join(sorted(str(m) for m in report.objects(node, SH.resultMessage))),
            shape=_shape_name(report.value(node, SH.sourceShape), shapes),
            constraint=str(report.value(node, SH.sourceConstraintComponent)),
        ))
    return sorted(out, key=lambda r: (r.focus, r.path or "", r.shape, r.message))


def _path_text(report: Graph, path) -> str:
    """A readable form of a complex SHACL path (inverse, alternative…)."""
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _short(str(inverse))
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        from rdflib.collection import Collection

        return "|".join(_path_text(report, p) if not isinstance(p, URIRef) else _short(str(p))
                        for p in Collection(report, alternatives))
    return str(path)


_BY_LENGTH = sorted((("sh", str(SH)), *PREFIXES.items()), key=lambda pn: -len(pn[1]))


def _short(iri: str) -> str:
    """CURIE of an IRI with the longest matching project prefix, else the IRI."""
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def validate_files(settings: dict, files: list, *, log=lambda _: None) -> Report:
    """Validate data files the way the build validates the graph: the files plus the ontology,
    closed under OWL 2 RL, against the project's shapes. With no files, validate the built
    dataset. Raises InputError/ParseError (exit 2) for files that cannot be read or parsed."""
    from pathlib import Path

    from kg.build import ensure_built
    from kg.errors import InputError
    from kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH
    from kg.load import load_shapes, load_sources, parse_file, read_dataset

    root = Path(settings["root"])
    shapes = load_shapes(root)
    if not files:
        path = ensure_built(settings, log=log)
        log(f"validating the built dataset {path}")
        graphs = read_dataset(path)
        inferred = graphs.pop(INFERRED_GRAPH, Graph())
        return validate(validation_view(_union(graphs.values()), inferred), shapes)
    data = Graph()
    for f in files:
        path = Path(f)
        if not path.is_file():
            raise InputError("a directory, not a file" if path.is_dir() else "no such file",
                             path=str(path))
        if path.suffix.lower() in (".trig", ".nq"):
            data += _union(read_dataset(path).values())
        else:
            parse_file(path, into=data)
    asserted = data + load_sources(root).graphs[ONTOLOGY_GRAPH]
    log(f"reasoning over {len(asserted)} triples (the files and the ontology)")
    report = validate(closure_view(asserted, settings.get("reasoner", "fast")), shapes)
    return report if report.conforms else report.located(texts_of(Path(f) for f in files))


#: The syntaxes :func:`subject_lines` reads.
_LINE_SYNTAXES = (".ttl", ".trig", ".nt", ".nq")


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
