"""The SHACL shapes, published: ``/shapes/`` and ``/shapes/NAME`` dereference the shapes'
IRIs (``https://w3id.org/kg1978/shapes/EventShape``, the ``sh:sourceShape`` of every
validation result) as linked data does the ontology's:

* a browser gets a page that says, in words, what each shape checks (targets, each
  constraint, the message a result carries, SPARQL constraints with their query);
* an RDF client gets the shapes in Turtle, N-Triples, JSON-LD, RDF/XML, TriG or N-Quads, by
  ``Accept`` or ``?format=`` (or a file extension: ``/shapes/EventShape.ttl``): the whole shapes
  graph at ``/shapes/``, one shape at ``/shapes/NAME`` (its triples, its blank nodes, and the
  property shapes and SPARQL constraints it names).

The shapes are the project's ``shapes/*.ttl`` (``kg.load.load_shapes``), read once per app
(``kg serve`` reads them, and labels their blank nodes, before it forks its workers, so a
worker's first ``/shapes/`` costs what any other does); where the project has none, both
answer 404.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from kg.endpoint.bounded_cache import BoundedCache
from kg.endpoint.pages import (
    _BY_KEY,
    _EXTENSIONS,
    CORS_READ,
    Representation,
    _not_found_saying,
    _with_json_ld_form,
    content_location,
    error_answer,
    footer_context,
    representation_or_error,
    serialize,
    site,
)
from kg.endpoint.state import per_app
from kg.iris import SHAPES
from kg.validate import path_text, short_iri

bp = Blueprint("shapes", __name__)


@dataclass
class ShapeView:
    """One shape as the page shows it."""

    name: str
    iri: str
    kind: str  # "node" or "property"
    label: str | None
    comment: str | None
    #: the language tag the label's (the comment's) values share, for the element's ``lang``
    label_lang: str | None = None
    comment_lang: str | None = None
    targets: list[str] = field(default_factory=list)
    #: (path, rules, message) of the shape itself (path None for a node shape) and of each
    #: property shape written inside it
    constraints: list[dict] = field(default_factory=list)
    sparql: list[dict] = field(default_factory=list)
    #: named property shapes this shape uses, and the node shapes that use this one
    uses: list[str] = field(default_factory=list)
    used_by: list[str] = field(default_factory=list)
    #: the file that declares it (``shapes/kg-shapes.ttl``)
    file: str = ""


@dataclass
class TermView:
    """An IRI of the shapes' namespace that is no shape, as its page shows it: a SPARQL
    constraint a validation result names (``sh:sourceConstraint``), or a property of kg's
    reports (``kgs:hint``, ``kgs:line``)."""

    name: str
    iri: str
    kind: str  # "SPARQL constraint", "property", or its type's CURIE
    label: str | None
    comment: str | None
    label_lang: str | None = None
    comment_lang: str | None = None
    message: str | None = None
    message_lang: str | None = None
    select: str | None = None
    #: the shapes using it (``sh:sparql``)
    used_by: list[str] = field(default_factory=list)
    #: what a property says of its values: domain and range
    about: list[str] = field(default_factory=list)


class Shapes:
    """The shapes graph of the app's project, and what the pages show of it."""

    def __init__(self, _store=None) -> None:
        from pathlib import Path

        from flask import current_app

        from kg.errors import InputError
        from kg.load import parse_file, shape_files

        root = Path(current_app.extensions["kg"].settings["root"])
        self.graph: Graph | None = None
        self.views: dict[str, ShapeView] = {}
        #: the other IRIs of the namespace the shapes graph describes (:class:`TermView`)
        self.terms: dict[str, TermView] = {}
        #: (file, names of the shapes it declares), in file order
        self.files: list[tuple[str, list[str]]] = []
        declared: dict[str, str] = {}
        # hand-written files first, then those a program wrote ("# Generated …" on line 1)
        paths = sorted(shape_files(root), key=lambda p: (_generated(p), p.name))
        self.generated = {f"shapes/{p.name}" for p in paths if _generated(p)}
        for path in paths:
            try:
                one = parse_file(path, into=Graph())
            except (InputError, OSError):
                continue  # the build reports a broken shapes file; the others are shown
            self.graph = (self.graph or Graph()) + one
            for s in set(one.subjects(RDF.type, None)):
                if isinstance(s, URIRef) and str(s).startswith(SHAPES):
                    declared.setdefault(str(s)[len(SHAPES):], f"shapes/{path.name}")
        if self.graph is not None:
            self._read()
            for view in self.views.values():
                view.file = declared.get(view.name, "")
            for file in dict.fromkeys(declared.values()):
                names = sorted((v.name for v in self.views.values() if v.file == file),
                               key=lambda n: (self.views[n].kind != "node",
                                              (self.views[n].label or n).casefold()))
                if names:
                    self.files.append((file, names))

    # -- reading ---------------------------------------------------------------------------
    def _read(self) -> None:
        g = self.graph
        assert g is not None
        # SPARQL constraints are shown with the shapes that use them
        named = {s for s in set(g.subjects(RDF.type, SH.NodeShape))
                 | set(g.subjects(RDF.type, SH.PropertyShape))
                 if isinstance(s, URIRef) and str(s).startswith(SHAPES)}
        for s in sorted(named, key=str):
            name = str(s)[len(SHAPES):]
            kind = "node" if (s, RDF.type, SH.NodeShape) in g else "property"
            view = ShapeView(name=name, iri=str(s), kind=kind, label=_text(g, s, RDFS.label),
                             comment=_text(g, s, RDFS.comment),
                             label_lang=_language(g, s, RDFS.label),
                             comment_lang=_language(g, s, RDFS.comment))
            view.targets = self._targets(s)
            if kind == "property":
                view.constraints.append(self._property(s))
            else:
                own = _rules(g, s)
                if own or g.value(s, SH.message) is not None:
                    view.constraints.append({"path": None, "rules": own,
                                             "message": _text(g, s, SH.message),
                                             "message_lang": _language(g, s, SH.message)})
            for p in g.objects(s, SH.property):
                if isinstance(p, URIRef) and str(p).startswith(SHAPES):
                    view.uses.append(str(p)[len(SHAPES):])
                else:
                    view.constraints.append(self._property(p))
            for c in g.objects(s, SH.sparql):
                view.sparql.append({
                    "name": _short(str(c)) if isinstance(c, URIRef) else None,
                    "message": _text(g, c, SH.message),
                    "message_lang": _language(g, c, SH.message),
                    "select": _text(g, c, SH.select)})
            view.uses.sort()
            view.sparql.sort(key=lambda c: c["name"] or "")
            self.views[name] = view
        for view in self.views.values():
            for used in view.uses:
                if used in self.views:
                    self.views[used].used_by.append(view.name)
        self._read_terms()

    def _read_terms(self) -> None:
        g = self.graph
        assert g is not None
        for s in sorted({s for s in g.subjects() if isinstance(s, URIRef)}, key=str):
            name = str(s)[len(SHAPES):]
            if not str(s).startswith(SHAPES) or not name or name in self.views:
                continue
            types = set(g.objects(s, RDF.type))
            kind = ("SPARQL constraint" if SH.SPARQLConstraint in types
                    else "property" if RDF.Property in types or OWL.ObjectProperty in types
                    or OWL.DatatypeProperty in types
                    else ", ".join(sorted(_short(str(t)) for t in types)) or "term")
            self.terms[name] = TermView(
                name=name, iri=str(s), kind=kind, label=_text(g, s, RDFS.label),
                comment=_text(g, s, RDFS.comment), label_lang=_language(g, s, RDFS.label),
                comment_lang=_language(g, s, RDFS.comment), message=_text(g, s, SH.message),
                message_lang=_language(g, s, SH.message), select=_text(g, s, SH.select),
                used_by=sorted(str(u)[len(SHAPES):] for u in g.subjects(SH.sparql, s)
                               if str(u)[len(SHAPES):] in self.views),
                about=[f"{words} {_short(str(o))}" for p, words in (
                    (RDFS.domain, "on a"), (RDFS.range, "whose value is a"))
                    for o in sorted(g.objects(s, p), key=str)])

    def _targets(self, s) -> list[str]:
        g = self.graph
        assert g is not None
        out = [f"every instance of {_short(str(c))}" for c in g.objects(s, SH.targetClass)]
        out += [f"every subject of {_short(str(p))}" for p in g.objects(s, SH.targetSubjectsOf)]
        out += [f"every value of {_short(str(p))}" for p in g.objects(s, SH.targetObjectsOf)]
        out += [f"the node {_short(str(n))}" for n in g.objects(s, SH.targetNode)]
        if (s, RDF.type, RDFS.Class) in g or (s, RDF.type, OWL.Class) in g:
            out.append(f"every instance of {_short(str(s))} (an implicit class target)")
        return sorted(out)

    def _property(self, p) -> dict:
        g = self.graph
        assert g is not None
        return {"path": _path(g, g.value(p, SH.path)), "rules": _rules(g, p),
                "message": _text(g, p, SH.message),
                "message_lang": _language(g, p, SH.message)}

    # -- RDF -------------------------------------------------------------------------------
    def quads(self, name: str | None = None) -> list[ox.Quad]:
        """The whole shapes graph (``name`` None), or one shape: its triples, its blank nodes,
        and the named property shapes and SPARQL constraints it uses. Made once per name, from
        the shapes graph with its blank nodes labelled canonically (:meth:`canonical`): a parse
        names blank nodes anew in each process, and a worker must give the bytes (and strong
        ETag) every other worker gives."""
        cache = self.__dict__.get("_quads_made")
        if cache is None:
            cache = self.__dict__["_quads_made"] = BoundedCache(1024)  # names come from URLs
        if name not in cache:
            cache.remember(name, self._make_quads(name))
        return cache[name]

    def canonical(self) -> dict[ox.NamedNode | ox.BlankNode, list[ox.Quad]]:
        """The shapes graph with canonical blank-node labels (W3C RDF Dataset Canonicalization,
        RDFC-1.0, pyoxigraph's): the same in every process that reads the same files, by
        subject. Made once, on the first RDF answer (15 ms for the project's shapes;
        rdflib's ``to_canonical_graph``, used before, took a second)."""
        made = self.__dict__.get("_canonical")
        if made is None:
            assert self.graph is not None
            dataset = ox.Dataset(ox.parse(self.graph.serialize(format="nt", encoding="utf-8"),
                                          format=ox.RdfFormat.N_TRIPLES))
            dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
            made = {}
            for quad in dataset:
                made.setdefault(quad.subject, []).append(quad)
            self.__dict__["_canonical"] = made
        return made

    def _make_quads(self, name: str | None) -> list[ox.Quad]:
        by_subject = self.canonical()
        if name is None:
            quads = [q for found in by_subject.values() for q in found]
        else:
            quads = []
            todo: list = [ox.NamedNode(SHAPES + name)]
            seen = set()
            while todo:
                node = todo.pop()
                if node in seen:
                    continue
                seen.add(node)
                for q in by_subject.get(node, ()):
                    quads.append(q)
                    o = q.object
                    if isinstance(o, ox.BlankNode) or (
                            q.predicate in _LINKS and isinstance(o, ox.NamedNode)):
                        todo.append(o)
        return sorted(quads, key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))


#: What a shape's own triples lead to: its property shapes and SPARQL constraints.
_LINKS = (ox.NamedNode(str(SH.property)), ox.NamedNode(str(SH.sparql)))


def shapes() -> Shapes:
    return per_app("kg.shapes", Shapes)


def prepare() -> None:
    """Read the shapes, make their RDF and compile the page's template now (in the app
    context): what ``kg serve`` does before it forks, so that no worker does it on a
    request."""
    from flask import current_app

    made = shapes()
    if made.graph is not None:
        made.quads(None)
        current_app.jinja_env.get_template("shapes.html")
        current_app.jinja_env.get_template("shape_term.html")
        current_app.jinja_env.get_template("base_site.html")  # which it extends


def _generated(path) -> bool:
    try:
        with open(path, encoding="utf-8") as f:
            return f.readline().startswith("# Generated")
    except OSError:
        return False


# -- describing constraints in words -------------------------------------------------------

def _text(g: Graph, s, p) -> str | None:
    values = sorted(str(v) for v in g.objects(s, p))
    return " / ".join(values) if values else None


def _language(g: Graph, s, p) -> str | None:
    """The language tag every value of ``p`` shares (``en``), else None: untagged, or several
    languages joined (the page's language then holds)."""
    tags = {v.language if isinstance(v, Literal) else None for v in g.objects(s, p)}
    return tags.pop() if len(tags) == 1 else None


def _short(iri: str) -> str:
    """The report's CURIE of an IRI (:func:`kg.validate.short_iri`), else the IRI in <>."""
    short = short_iri(iri)
    return short if short != iri else f"<{iri}>"


_PLAIN = {XSD.integer, XSD.decimal, XSD.double, XSD.boolean, XSD.nonNegativeInteger}


def _term(g: Graph, node) -> str:
    if isinstance(node, Literal):
        if node.datatype in _PLAIN:
            return str(node)
        if node.language:
            return f'"{node}"@{node.language}'
        if node.datatype and node.datatype != XSD.string:
            return f'"{node}"^^{_short(str(node.datatype))}'
        return f'"{node}"'
    if isinstance(node, BNode) and (node, RDF.first, None) in g:
        return "(" + ", ".join(_term(g, x) for x in Collection(g, node)) + ")"
    return _short(str(node))


def _path(g: Graph, path) -> str | None:
    return None if path is None else path_text(g, path)


#: Constraint parameters in words, in the order the page lists them.
_WORDS = (
    (SH.minCount, "at least {} value(s)"),
    (SH.maxCount, "at most {} value(s)"),
    (SH.hasValue, "has the value {}"),
    (SH["in"], "one of {}"),
    (SH.nodeKind, "a node of kind {}"),
    (SH.datatype, "of datatype {}"),
    (SH["class"], "an instance of {}"),
    (SH.pattern, "matching the pattern {}"),
    (SH.flags, "(flags {})"),
    (SH.languageIn, "in a language of {}"),
    (SH.uniqueLang, "one per language: {}"),
    (SH.minLength, "at least {} characters"),
    (SH.maxLength, "at most {} characters"),
    (SH.minInclusive, "≥ {}"),
    (SH.maxInclusive, "≤ {}"),
    (SH.minExclusive, "> {}"),
    (SH.maxExclusive, "< {}"),
    (SH.node, "conforming to {}"),
    (SH.closed, "closed: {}"),
)
_LISTS = ((SH["or"], "any of", " or "), (SH.xone, "exactly one of", " or "),
          (SH["and"], "all of", " and "))
#: Parameters that describe rather than constrain (or are shown elsewhere).
_NOT_RULES = {RDF.type, RDFS.label, RDFS.comment, SH.path, SH.message, SH.property, SH.sparql,
              SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode,
              SH.severity, SH.name, SH.description, SH.order, SH.group, SH.declare,
              SH.prefixes, SH.select, SH.qualifiedMinCount, SH.qualifiedMaxCount,
              SH.ignoredProperties, SH.deactivated}


def _rules(g: Graph, node) -> list[str]:
    """What ``node`` (a shape, or a shape in an sh:or list) requires, each in words."""
    out = []
    for prop, words in _WORDS:
        for value in sorted(g.objects(node, prop), key=str):
            out.append(words.format(_term(g, value)))
    for prop, words, joiner in _LISTS:
        for head in g.objects(node, prop):
            parts = []
            for member in Collection(g, head):
                inner = _rules(g, member)
                path = _path(g, g.value(member, SH.path))
                text = "; ".join(inner) or _term(g, member)
                parts.append(f"[{path}: {text}]" if path else f"[{text}]")
            out.append(f"{words} " + joiner.join(parts))
    for negated in g.objects(node, SH["not"]):
        out.append(f"not [{'; '.join(_rules(g, negated)) or _term(g, negated)}]")
    qualified = g.value(node, SH.qualifiedValueShape)
    if qualified is not None:
        inner = "; ".join(_rules(g, qualified)) or _term(g, qualified)
        for bound, words in ((SH.qualifiedMinCount, "at least"),
                             (SH.qualifiedMaxCount, "at most")):
            n = g.value(node, bound)
            if n is not None:
                out.append(f"{words} {n} value(s) that are [{inner}]")
    severity = g.value(node, SH.severity)
    if severity is not None and severity != SH.Violation:
        out.append(f"severity {_short(str(severity))}")
    known = {p for p, _ in _WORDS} | {p for p, *_ in _LISTS} | _NOT_RULES | {
        SH.qualifiedValueShape, SH["not"]}
    for p, o in sorted(g.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))):
        if p not in known:
            out.append(f"{_short(str(p))} {_term(g, o)}")
    return out


# -- routes ----------------------------------------------------------------------------------

@bp.route("/shapes", methods=["GET"])
def shapes_redirect() -> Response:
    """``/shapes`` is the folder ``/shapes/`` (the IRI ``kgs:``)."""
    query = request.query_string.decode("latin-1")
    return redirect(url_for("shapes.document") + (f"?{query}" if query else ""), 301)


@bp.route("/shapes/", methods=["GET"])
def document() -> Response:
    """Every shape: the page, or the shapes graph."""
    return _answer(None)


@bp.route("/shapes/<name>", methods=["GET"])
def shape(name: str) -> Response:
    """One shape: its section of the page, or its triples."""
    return _answer(name)


def _answer(name: str | None) -> Response:
    s = shapes()
    if s.graph is None:
        abort(404, description="this project has no shapes (shapes/*.ttl)")
    rep: Representation | Response | None = None
    stem, dot, extension = (name or "").rpartition(".")
    known = s.views.keys() | s.terms.keys()
    if name and name not in known and dot and stem in known \
            and extension.lower() in _EXTENSIONS:
        name = stem  # /shapes/EventShape.ttl: that syntax, unless ?format= says otherwise
        if "format" not in request.args:
            rep = _with_json_ld_form(_BY_KEY[_EXTENSIONS[extension.lower()]])
    if rep is None:
        rep = representation_or_error()
        if isinstance(rep, Response):
            return rep
    if name is not None and name not in known:
        listed = f"{request.host_url.rstrip('/')}{url_for('shapes.document')}"
        if rep.rdf is None:
            # a browser gets the missing page, as for an unknown IRI of the dataset
            close = difflib.get_close_matches(name, list(s.views), n=6, cutoff=0.5)
            return _not_found_saying(site(), SHAPES + name, rep, (
                f"<{SHAPES}{name}> is not a shape of this project; every shape is listed at "
                f"{listed}"), [SHAPES + n for n in close])
        return error_answer(404, f"Not Found: <{SHAPES}{name}> is not a shape of this project; "
                          f"every shape is listed at {listed}", {"Vary": "Accept"})
    headers = {"Vary": "Accept", **CORS_READ}
    if name is not None:
        headers.update(content_location(url_for("shapes.shape", name=name).removeprefix(
            request.script_root), rep))
    if rep.rdf is not None:
        return Response(serialize(s.quads(name), rep), 200,
                        {"Content-Type": rep.content_type, **headers})
    if name in s.terms:
        html = render_template("shape_term.html", t=s.terms[name], **footer_context())
        return Response(html, 200, {"Content-Type": "text/html; charset=utf-8", **headers})
    if name is None:
        groups = [(file, [s.views[n] for n in names]) for file, names in s.files]
    else:
        groups = [(s.views[name].file, [s.views[name]])]
    html = render_template("shapes.html", groups=groups, one=name, base=SHAPES,
                           generated=s.generated,
                           count=len(s.views), **footer_context())
    return Response(html, 200, {"Content-Type": "text/html; charset=utf-8", **headers})
