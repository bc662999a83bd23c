"""SHACL at scale: the project's shapes compiled to SPARQL and run in a pyoxigraph store.

pySHACL walks every focus node in Python; at a million triples that takes minutes. Here each
constraint of each shape becomes one SPARQL query that finds *all* its violations over the whole
data at once (:func:`compile_shapes`), and :func:`validate_store` runs them in the embedded store
and returns the same :class:`kg.validate.Report` pySHACL's path gives: the same results (focus
node, path, value, severity, message, source shape, constraint component) and a report graph in
the same form. tests/test_shacl_fast.py checks that, result for result, against pySHACL.

Compiled (SHACL Core as our shapes use it): targets ``sh:targetClass`` (with
``rdfs:subClassOf*`` in the data), ``sh:targetNode``, ``sh:targetSubjectsOf``,
``sh:targetObjectsOf``; node shapes and property shapes (``sh:property``) with paths that are an
IRI, ``sh:inversePath``, ``sh:alternativePath`` or a sequence; ``sh:minCount``,
``sh:maxCount``, ``sh:datatype`` (with pySHACL's well-formedness check for the XSD types it
checks), ``sh:class``, ``sh:nodeKind``, ``sh:pattern`` (+ ``sh:flags``), ``sh:languageIn``,
``sh:uniqueLang``, ``sh:minLength``, ``sh:maxLength``, ``sh:minInclusive``, ``sh:maxInclusive``,
``sh:minExclusive``, ``sh:maxExclusive``, ``sh:hasValue``, ``sh:in``, ``sh:or``, ``sh:xone``
and ``sh:and`` of simple shapes, ``sh:not`` of a simple shape (on a shape with an
``sh:message``: pySHACL's own message names the value node), ``sh:qualifiedValueShape`` with
``sh:qualifiedMinCount`` / ``sh:qualifiedMaxCount``, ``sh:message``, ``sh:severity``; and
``sh:sparql`` SELECT constraints (``$this``, ``sh:prefixes``, ``{?var}`` in messages). The data
conforms unless a result is of a severity other than ``sh:Warning`` and ``sh:Info``: pySHACL's
``allow_warnings``, which :func:`kg.validate.validate` asks of it.

Anything else (``sh:node``, ``sh:closed``, property pairs, ``sh:deactivated``,
ASK-based or custom components, ``$shapesGraph``…) raises :class:`UnsupportedShapes` naming the
feature, so the fast path never under-reports silently: the caller falls back to pySHACL.

The store must hold what the shapes see (:func:`kg.validate.validation_view`): asserted triples
plus inferences, less the types only rdfs:domain / rdfs:range gave. The queries read the union of
the store's graphs; :func:`view_store` makes such a store from a store that holds the asserted
graphs and the reasoner's inferred graph.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import threading
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from kg.errors import BuildError
from kg.validate import DECLARING_TYPES, Report, _results, finish_results

_RDF_TYPE, _SUBCLASS = f"<{RDF.type}>", f"<{RDFS.subClassOf}>"

#: Predicates of a shape that carry no constraint (documentation, targets, structure).
_INERT = {RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.order, SH.group,
          SH.defaultValue, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
          SH.targetObjectsOf, SH.property, SH.sparql, SH.message, SH.severity, SH.path,
          SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
#: Components that constrain each value node alone: they compile to a boolean expression.
_VALUE_COMPONENTS = {SH["class"]: "Class", SH.datatype: "Datatype", SH.nodeKind: "NodeKind",
                     SH.pattern: "Pattern", SH.languageIn: "LanguageIn",
                     SH.minLength: "MinLength", SH.maxLength: "MaxLength",
                     SH.minInclusive: "MinInclusive", SH.maxInclusive: "MaxInclusive",
                     SH.minExclusive: "MinExclusive", SH.maxExclusive: "MaxExclusive",
                     SH["in"]: "In", SH["or"]: "Or", SH.xone: "Xone", SH["and"]: "And",
                     SH["not"]: "Not"}
#: Components that constrain the set of value nodes of a focus node.
_SET_COMPONENTS = {SH.minCount: "MinCount", SH.maxCount: "MaxCount", SH.hasValue: "HasValue",
                   SH.uniqueLang: "UniqueLang", SH.qualifiedValueShape: "QualifiedValueShape"}
#: XSD datatypes pySHACL checks for well-formedness (by the value rdflib parses); a cast in
#: SPARQL fails exactly on the ill-formed lexical forms.
_WELL_FORMED = {XSD.integer, XSD.decimal, XSD.float, XSD.boolean, XSD.date, XSD.time,
                XSD.dateTime, XSD.gYear, XSD.gYearMonth}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}


class UnsupportedShapes(BuildError):
    """The shapes use a SHACL feature the fast path does not compile: validate with pySHACL."""


@dataclass
class Check:
    """One compiled constraint: a SPARQL SELECT giving ?this (and ?value, ?path, other variables
    for the message) for every violation, and what each result reports."""

    query: str
    shape: object               # sh:sourceShape, a node of the shapes graph
    component: URIRef
    severity: URIRef
    messages: list[Literal]
    path: object = None         # sh:resultPath, a node of the shapes graph
    value_is_focus: bool = False
    constraint: object = None   # sh:sourceConstraint (SPARQL constraints)
    generic: str | None = None  # pySHACL's message when the shape has no sh:message
    #: for an sh:datatype check: the datatype, and the query of the value nodes that pass it
    #: in the store among the stored literals put for :data:`_STORED` (:func:`validate_store`)
    datatype: URIRef | None = None
    passing: str | None = None


@dataclass
class _Ctx:
    shapes: Graph
    subclasses: callable
    counter: itertools.count = field(default_factory=itertools.count)

    def var(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self.counter)}"


# ---------------------------------------------------------------------------- terms and paths


#: Where a :class:`Check`'s ``passing`` query takes the stored literals
_STORED = "__STORED_LITERALS__"


def _term(node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShapes(f"a blank node where a constant is needed: {node!r}")


def _path(g: Graph, path) -> str:
    """A SHACL path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if isinstance(path, BNode):
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:
            return f"^({_path(g, inverse)})"
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(_path(g, p) for p in Collection(g, alternatives)) + ")"
        for key, op in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"),
                        (SH.zeroOrOnePath, "?")):
            inner = g.value(path, key)
            if inner is not None:
                return f"({_path(g, inner)}){op}"
        if g.value(path, RDF.first) is not None:
            return "(" + "/".join(_path(g, p) for p in Collection(g, path)) + ")"
    raise UnsupportedShapes(f"a sh:path of a form not compiled: {path!r}")


def _last_steps(g: Graph, path) -> list[tuple[str | None, URIRef]]:
    """How a SHACL path reaches a literal: for each last step, the SPARQL path from the focus
    node to that step's subject (None: the focus node itself) and the step's predicate. A
    literal is never a subject, so an inverse path ends in none."""
    if isinstance(path, URIRef):
        return [(None, path)]
    if not isinstance(path, BNode) or g.value(path, SH.inversePath) is not None:
        return []
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return [step for p in Collection(g, alternatives) for step in _last_steps(g, p)]
    for key in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        inner = g.value(path, key)
        if inner is not None:
            # the last repetition ends the path; those before it lead to its start
            before = None if key == SH.zeroOrOnePath else f"({_path(g, inner)})*"
            return [(_then(before, head), p) for head, p in _last_steps(g, inner)]
    if g.value(path, RDF.first) is not None:
        *first, last = list(Collection(g, path))
        before = "/".join(_path(g, p) for p in first) or None
        return [(_then(before, head), p) for head, p in _last_steps(g, last)]
    return []


def _then(first: str | None, second: str | None) -> str | None:
    """Two SPARQL paths one after the other (None: no step)."""
    return "/".join(f"({p})" for p in (first, second) if p) or None


def _reaches(store, shapes: Graph, check: Check, focus):
    """Whether ``check``'s path, from ``focus``, reaches a literal through a triple whose
    subject and predicate are given (:meth:`WrittenOtherwise.written`); None where the check
    has no path (a node shape's value is its focus node's)."""
    if check.path is None or isinstance(focus, BNode):
        return None
    steps = _last_steps(shapes, check.path)

    def reaches(subject, predicate) -> bool:
        return any(p == predicate and head is not None and not isinstance(subject, BNode)
                   and store.query(f"ASK {{ {_term(focus)} {head} {_term(subject)} }}",
                                   use_default_graph_as_union=True)
                   for head, p in steps)
    return reaches


def _one(g: Graph, node, p):
    values = list(g.objects(node, p))
    if len(values) > 1:
        raise UnsupportedShapes(f"more than one {p} on {node}")
    return values[0] if values else None


def _int(g: Graph, node, p) -> int | None:
    v = _one(g, node, p)
    return None if v is None else int(v)


def _check_known(g: Graph, shape) -> None:
    for p in set(g.predicates(shape)):
        if p in _INERT or p in _VALUE_COMPONENTS or p in _SET_COMPONENTS:
            continue
        if str(p).startswith(str(SH)) or p == SH.deactivated:
            raise UnsupportedShapes(f"{p} (on shape {shape}) is not compiled by kg.shacl_fast")


# ---------------------------------------------------------------------------- value expressions


def _value_ok(ctx: _Ctx, param, arg, v: str, owner=None) -> str:
    """A SPARQL expression, true when the value node ``v`` satisfies the value-level
    constraint ``param`` with argument ``arg``. Never an error: errors count as false."""
    g = ctx.shapes
    if param == SH["class"]:
        c = ctx.var("c")
        # FILTER IN, not a VALUES block: measured 12x faster at 30k generated triples in
        # pyoxigraph 0.5, and growing with size (a value node with many types or triples, such
        # as a hub unit, made the VALUES form cost far more per value)
        classes = ", ".join(_term(x) for x in ctx.subclasses(arg))
        return f"EXISTS {{ {v} {_RDF_TYPE} {c} FILTER ({c} IN ({classes})) }}"
    if param == SH.datatype:
        if arg == RDF.langString:
            return f"COALESCE(isLiteral({v}) && LANG({v}) != \"\", false)"
        if arg == RDFS.Literal:
            return f"isLiteral({v})"
        ok = f"isLiteral({v}) && LANG({v}) = \"\" && DATATYPE({v}) = {_term(arg)}"
        if arg in _WELL_FORMED:
            ok += f" && isLiteral({_term(arg)}(STR({v})))"
        return f"COALESCE({ok}, false)"
    if param == SH.nodeKind:
        if arg not in _NODE_KINDS:
            raise UnsupportedShapes(f"sh:nodeKind {arg}")
        return _NODE_KINDS[arg].format(v=v)
    if param == SH.pattern:
        flags = None if owner is None else _one(g, owner, SH.flags)
        regex = f"REGEX(STR({v}), {Literal(str(arg)).n3()}"
        regex += f", {Literal(str(flags)).n3()})" if flags is not None else ")"
        return f"COALESCE(!isBlank({v}) && {regex}, false)"
    if param == SH.languageIn:
        tags = [str(t).lower() for t in Collection(g, arg)]
        if "*" in tags:
            return f"COALESCE(LANG({v}) != \"\", false)"
        listed = ", ".join(Literal(t).n3() for t in tags)
        lang = f"LCASE(LANG({v}))"
        return (f"COALESCE(LANG({v}) != \"\" && ({lang} IN ({listed}) || "
                f"IF(CONTAINS({lang}, \"-\"), STRBEFORE({lang}, \"-\"), {lang}) IN ({listed})),"
                f" false)")
    if param in (SH.minLength, SH.maxLength):
        n = int(arg)
        if param == SH.minLength and n == 0:
            return "true"
        op = ">=" if param == SH.minLength else "<="
        return f"COALESCE(!isBlank({v}) && STRLEN(STR({v})) {op} {n}, false)"
    if param in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
        op = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
              SH.maxExclusive: "<"}[param]
        return f"COALESCE({v} {op} {_term(arg)}, false)"
    if param == SH["in"]:
        members = [_term(x) for x in Collection(g, arg)]
        return f"COALESCE(sameTerm({v}, " + f") || sameTerm({v}, ".join(members) + "), false)" \
            if members else "false"
    if param == SH["not"]:
        if owner is None or (owner, SH.message, None) not in g:
            # pySHACL's message for sh:not names each value node: not one per check
            raise UnsupportedShapes(f"{SH['not']} on a shape without sh:message ({owner})")
        return f"!({_conforms(ctx, arg, v)})"
    members = _member_classes(ctx, arg) if param == SH["or"] else None
    if members is not None:
        # an sh:or of sh:class shapes is one sh:class of all their classes: one EXISTS per
        # value node, not one per member
        c = ctx.var("c")
        classes = ", ".join(sorted({_term(x) for found in members for x in found}))
        return f"EXISTS {{ {v} {_RDF_TYPE} {c} FILTER ({c} IN ({classes})) }}"
    if param in (SH["or"], SH.xone, SH["and"]):
        parts = [_conforms(ctx, member, v) for member in Collection(g, arg)]
        if param == SH["or"]:
            return "(" + " || ".join(parts) + ")" if parts else "false"
        if param == SH["and"]:
            return "(" + " && ".join(parts) + ")" if parts else "true"
        return "(" + " + ".join(f"IF({p}, 1, 0)" for p in parts) + ") = 1"
    raise UnsupportedShapes(f"{param} is not compiled by kg.shacl_fast")


def _conforms(ctx: _Ctx, shape, x: str) -> str:
    """An expression true when the node ``x`` conforms to the (simple) shape ``shape``."""
    g = ctx.shapes
    _check_known(g, shape)
    for p in (SH.property, SH.sparql, *_TARGETS):
        if (shape, p, None) in g:
            raise UnsupportedShapes(f"{p} inside sh:or / sh:xone / sh:and / sh:qualifiedValueShape"
                                    f" (shape {shape})")
    parts = []
    path = _one(g, shape, SH.path)
    for param, arg in g.predicate_objects(shape):
        if param in _VALUE_COMPONENTS:
            if path is None:
                parts.append(_value_ok(ctx, param, arg, x, shape))
            else:
                v = ctx.var()
                parts.append(f"NOT EXISTS {{ {x} {_path(g, path)} {v} "
                             f"FILTER (!({_value_ok(ctx, param, arg, v, shape)})) }}")
        elif param in _SET_COMPONENTS:
            if path is None:
                raise UnsupportedShapes(f"{param} without sh:path (shape {shape})")
            parts.append(_nested_count(ctx, shape, param, arg, x, _path(g, path)))
    return "(" + " && ".join(parts) + ")" if parts else "true"


def _nested_count(ctx: _Ctx, shape, param, arg, x: str, path: str) -> str:
    g, v = ctx.shapes, ctx.var()
    if param == SH.minCount:
        n = int(arg)
        if n == 0:
            return "true"
        if n == 1:
            return f"EXISTS {{ {x} {path} {v} }}"
    elif param == SH.maxCount and int(arg) == 0:
        return f"NOT EXISTS {{ {x} {path} {v} }}"
    elif param == SH.hasValue:
        return f"EXISTS {{ {x} {path} {_term(arg)} }}"
    elif param == SH.qualifiedValueShape:
        low, high = _int(g, shape, SH.qualifiedMinCount), _int(g, shape, SH.qualifiedMaxCount)
        if (shape, SH.qualifiedValueShapesDisjoint, None) in g:
            raise UnsupportedShapes("sh:qualifiedValueShapesDisjoint")
        if high is None and low is not None and low <= 1:
            return ("true" if low == 0 else
                    f"EXISTS {{ {x} {path} {v} FILTER ({_conforms(ctx, arg, v)}) }}")
    raise UnsupportedShapes(f"{param} {arg} inside sh:or / sh:xone / sh:and (shape {shape}):"
                            " only minCount 1, maxCount 0, hasValue and qualifiedMinCount 1")


# ---------------------------------------------------------------------------- top-level checks


def _focus(g: Graph, shape, ctx: _Ctx) -> str | None:
    """A group pattern binding ?this to each focus node of ``shape``, or None without targets."""
    parts = []
    classes = {c for tc in g.objects(shape, SH.targetClass) for c in ctx.subclasses(tc)}
    if (shape, RDF.type, RDFS.Class) in g:
        raise UnsupportedShapes(f"implicit class target (shape {shape} is an rdfs:Class)")
    if classes:
        c = ctx.var("c")
        values = " ".join(_term(x) for x in sorted(classes))
        parts.append(f"{{ ?this {_RDF_TYPE} {c} . VALUES {c} {{ {values} }} }}")
    nodes = list(g.objects(shape, SH.targetNode))
    if nodes:
        parts.append("{ VALUES ?this { " + " ".join(_term(n) for n in nodes) + " } }")
    for p in g.objects(shape, SH.targetSubjectsOf):
        parts.append(f"{{ ?this {_term(p)} {ctx.var('o')} }}")
    for p in g.objects(shape, SH.targetObjectsOf):
        parts.append(f"{{ {ctx.var('s')} {_term(p)} ?this }}")
    if (shape, SH.target, None) in g:
        raise UnsupportedShapes(f"sh:target (SPARQL-based target) on {shape}")
    if not parts:
        return None
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _severity(g: Graph, shape) -> URIRef:
    return _one(g, shape, SH.severity) or SH.Violation


def _shape_checks(ctx: _Ctx, shape, focus: str) -> list[Check]:
    """The checks of ``shape`` (node or property shape) for the focus nodes ``focus``."""
    g = ctx.shapes
    if (shape, SH.deactivated, None) in g:
        raise UnsupportedShapes(f"sh:deactivated on {shape}")
    _check_known(g, shape)
    checks = []
    messages = sorted(g.objects(shape, SH.message))
    severity = _severity(g, shape)
    path_node = _one(g, shape, SH.path)
    path = None if path_node is None else _path(g, path_node)
    values = "BIND (?this AS ?value)" if path is None else f"?this {path} ?value"

    def check(query, component, *, value_is_focus=False, generic=None):
        checks.append(Check(query=query, shape=shape,
                            component=SH[f"{component}ConstraintComponent"],
                            severity=severity, messages=messages, path=path_node,
                            value_is_focus=value_is_focus, generic=generic))

    for param, arg in g.predicate_objects(shape):
        kinds = _xone_of_classes(ctx, arg) if param == SH.xone and path is None else None
        targets = _focus_classes(ctx, shape) if kinds is not None else None
        if targets is not None and targets <= kinds[1]:
            # Every focus node has a type of some member (its target class is one): only
            # those of two members or more break the sh:xone. The typed nodes are grouped
            # once, then joined with the focus, not an OPTIONAL per focus node
            # (OneKindShape: 0.30 s -> 0.03 s at 100k)
            k, m = ctx.var("k"), ctx.var("m")
            check(f"SELECT ?this (?this AS ?value) WHERE {{ {{ SELECT ?this WHERE {{ "
                  f"?this {_RDF_TYPE} {k} . VALUES ({k} {m}) {{ {kinds[0]} }} }} "
                  f"GROUP BY ?this HAVING (COUNT(DISTINCT {m}) > 1) }} {focus} }}", "Xone")
        elif kinds is not None:
            # each focus node's types counted once against every member's classes, not an
            # EXISTS per member and node (OneKindShape's ten: 0.43 s -> 0.30 s at 100k)
            k, m = ctx.var("k"), ctx.var("m")
            check(f"SELECT ?this (?this AS ?value) WHERE {{ {focus} OPTIONAL {{ "
                  f"?this {_RDF_TYPE} {k} . VALUES ({k} {m}) {{ {kinds[0]} }} }} }} "
                  f"GROUP BY ?this HAVING (COUNT(DISTINCT {m}) != 1)", "Xone")
        elif param in _VALUE_COMPONENTS:
            ok = _value_ok(ctx, param, arg, "?value", shape)
            check(f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} FILTER (!({ok})) }}",
                  _VALUE_COMPONENTS[param], generic=_generic(g, param, arg))
            if param == SH.datatype and isinstance(arg, URIRef):
                checks[-1].datatype = arg
                checks[-1].passing = (f"SELECT DISTINCT ?this ?value WHERE {{ VALUES ?value "
                                      f"{{ {_STORED} }} {focus} {values} FILTER ({ok}) }}")
        elif param in _SET_COMPONENTS:
            if path is None:
                raise UnsupportedShapes(f"{param} on a node shape ({shape})")
            check(_set_query(ctx, shape, param, arg, focus, path), _SET_COMPONENTS[param],
                  generic=_generic(g, param, arg))
    for prop in g.objects(shape, SH.property):
        if path is not None:
            raise UnsupportedShapes(f"sh:property on a property shape ({shape})")
        checks += _shape_checks(ctx, prop, focus)
    for constraint in g.objects(shape, SH.sparql):
        checks.append(_sparql_check(ctx, shape, constraint, focus, messages, severity))
    return checks


def _member_classes(ctx: _Ctx, members) -> list[list] | None:
    """Where each member of the list ``members`` (of an ``sh:or`` or ``sh:xone``) is a shape
    of one ``sh:class`` alone: per member, its class and subclasses; else None."""
    g, found = ctx.shapes, []
    for member in Collection(g, members):
        pairs = set(g.predicate_objects(member)) - {(RDF.type, SH.NodeShape)}
        if len(pairs) != 1 or next(iter(pairs))[0] != SH["class"]:
            return None
        found.append(ctx.subclasses(next(iter(pairs))[1]))
    return found or None


def _xone_of_classes(ctx: _Ctx, members) -> tuple[str, set] | None:
    """Where each member of the ``sh:xone`` list ``members`` is a shape of one ``sh:class``
    alone: VALUES rows pairing each class (or subclass) of a member with the member's
    position, and the set of those classes; else None."""
    found = _member_classes(ctx, members)
    if found is None:
        return None
    rows = [f"({_term(c)} {i})" for i, classes in enumerate(found) for c in classes]
    return " ".join(rows), {c for classes in found for c in classes}


def _focus_classes(ctx: _Ctx, shape) -> set | None:
    """The classes whose instances are the focus nodes of ``shape`` (its ``sh:targetClass``
    and their subclasses) where it has such targets and no other; else None."""
    g = ctx.shapes
    if any((shape, p, None) in g for p in (*_TARGETS[1:], SH.target)):
        return None
    return {c for tc in g.objects(shape, SH.targetClass) for c in ctx.subclasses(tc)} or None


def _set_query(ctx: _Ctx, shape, param, arg, focus: str, path: str) -> str:
    g = ctx.shapes
    if param == SH.minCount:
        n = int(arg)
        if n == 0:
            return "SELECT ?this WHERE { FILTER (false) }"
        if n == 1:
            # no value at all: an unmatched OPTIONAL, without grouping every focus node's
            # values (the minCount 1 checks 0.29 s -> 0.18 s together at 100k)
            return (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} "
                    "FILTER (!BOUND(?v)) }")
        return (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
    if param == SH.maxCount:
        return (f"SELECT ?this WHERE {{ {focus} ?this {path} ?v }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(arg)})")
    if param == SH.hasValue:
        return f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} {_term(arg)} }} }}"
    if param == SH.uniqueLang:
        if Literal(arg).value is not True:
            return "SELECT ?this WHERE { FILTER (false) }"
        raise UnsupportedShapes("sh:uniqueLang true (pySHACL reports one result per language)")
    if param == SH.qualifiedValueShape:
        if (shape, SH.qualifiedValueShapesDisjoint, None) in g:
            raise UnsupportedShapes("sh:qualifiedValueShapesDisjoint")
        low, high = _int(g, shape, SH.qualifiedMinCount), _int(g, shape, SH.qualifiedMaxCount)
        if low is not None and high is not None:
            raise UnsupportedShapes("sh:qualifiedMinCount with sh:qualifiedMaxCount on one shape")
        ok = _conforms(ctx, arg, "?v")
        if low is not None:
            return (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v FILTER ({ok}) }} }}"
                    f" GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {low})")
        return (f"SELECT ?this WHERE {{ {focus} ?this {path} ?v FILTER ({ok}) }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {high})")
    raise UnsupportedShapes(f"{param}")


#: What a SPARQL constraint's query must not contain, with pySHACL's patterns for it.
_FORBIDDEN = (("MINUS", SPARQLQueryHelper.has_minus_regex),
              ("VALUES", SPARQLQueryHelper.has_values_regex),
              ("SERVICE", SPARQLQueryHelper.has_service_regex))


def _sparql_check(ctx: _Ctx, shape, constraint, focus: str, messages, severity) -> Check:
    g = ctx.shapes
    if (constraint, SH.deactivated, None) in g:
        raise UnsupportedShapes(f"sh:deactivated on {constraint}")
    select = _one(g, constraint, SH.select)
    if select is None:
        raise UnsupportedShapes(f"SPARQL constraint {constraint} without sh:select")
    text = str(select)
    for forbidden in ("$shapesGraph", "$currentShape", "$PATH", "$value"):
        if forbidden in text:
            raise UnsupportedShapes(f"{forbidden} in SPARQL constraint {constraint}")
    # SHACL 5.3.1 forbids these in a constraint's query. Found as pySHACL finds them (its own
    # patterns), so that kg build refuses exactly the shapes kg validate and /validate refuse.
    for keyword, pattern in _FORBIDDEN:
        if pattern.search(text):
            raise UnsupportedShapes(f"{keyword} in SPARQL constraint {constraint}, which SHACL "
                                    "does not allow there")
    head = text.split("WHERE", 1)[0] if "WHERE" in text else text.split("{", 1)[0]
    if "$this" not in head and "?this" not in head:
        raise UnsupportedShapes(f"SPARQL constraint {constraint} does not select $this")
    prefixes = []
    for decl_node in g.objects(constraint, SH.prefixes):
        for decl in g.objects(decl_node, SH.declare):
            prefixes.append(f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>")
    # The focus nodes go inside the constraint's own WHERE group, so that $this is bound
    # before the constraint's patterns are evaluated (pre-binding, as pySHACL does); joined
    # from outside, pyoxigraph evaluates the constraint for every node first (a path like
    # `$this p+ $this` then costs the whole closure: 23 s at 100k triples).
    at = text.index("{", len(head))
    text = text[:at + 1] + f" {focus} " + text[at + 1:]
    query = "\n".join(prefixes) + f"\nSELECT DISTINCT * WHERE {{ {{ {text} }} }}"
    own = sorted(g.objects(constraint, SH.message))
    return Check(query=query, shape=shape, component=SH.SPARQLConstraintComponent,
                 severity=severity, messages=messages + [m for m in own if m not in messages],
                 path=_one(g, shape, SH.path), constraint=constraint,
                 value_is_focus=(shape, SH.path, None) not in g)


def _generic(g: Graph, param, arg) -> str | None:
    """pySHACL's default message for a component, where the shape gives none."""
    from pyshacl.rdfutil.stringify import stringify_node

    def s(node):
        return stringify_node(g, node)

    return {
        SH["class"]: lambda: f"Value does not have class {s(arg)}",
        SH.datatype: lambda: f"Value is not Literal with datatype {s(arg)}",
        SH.nodeKind: lambda: f"Value is not of Node Kind {s(arg)}",
        SH.pattern: lambda: f"Value does not match pattern '{arg}'",
        SH.languageIn: lambda: f"String language is not in {s(arg)}",
        SH.minLength: lambda: f"String length not >= {s(arg)}",
        SH.maxLength: lambda: f"String length not <= {s(arg)}",
        SH.minInclusive: lambda: f"Value is not >= {s(arg)}",
        SH.maxInclusive: lambda: f"Value is not <= {s(arg)}",
        SH.minExclusive: lambda: f"Value is not > {s(arg)}",
        SH.maxExclusive: lambda: f"Value is not < {s(arg)}",
    }.get(param, lambda: None)()


# ---------------------------------------------------------------------------- public API


def compile_shapes(shapes: Graph, subclasses) -> list[Check]:
    """Compile every shape with a target into :class:`Check` queries. ``subclasses(C)`` gives
    the classes ``rdfs:subClassOf*`` C in the data (C included). Raises
    :class:`UnsupportedShapes` for any feature not compiled."""
    ctx = _Ctx(shapes=shapes, subclasses=subclasses)
    checks = []
    targeted = {s for p in (*_TARGETS, SH.target) for s in shapes.subjects(p, None)}
    targeted |= set(shapes.subjects(RDF.type, SH.NodeShape)) & set(
        shapes.subjects(RDF.type, RDFS.Class))
    for shape in sorted(targeted, key=str):
        focus = _focus(shapes, shape, ctx)
        checks += _shape_checks(ctx, shape, focus)
    return checks


#: Compiled shapes kept for the next validation against the same shapes (kg serve's /validate,
#: the test suite's fixtures: about two thirds of a small graph's validation was compiling):
#: per shapes graph, as its triples and prefixes (compared in full, blank nodes by label: a copy
#: finds them, a changed graph does not), the compiled checks with the subclass answers
#: they were compiled from, and the shapes' SPARQL constraints checked once. A few at most.
_KEPT: dict[tuple, list[tuple[tuple, tuple[Check, ...]]]] = {}
_KEPT_SHAPES = 4
_KEPT_LOCK = threading.Lock()


def _checks(shapes: Graph, subclasses) -> tuple[Check, ...]:
    """:func:`compile_shapes` of ``shapes`` as it is now with ``subclasses``, compiled anew
    unless the same shapes were compiled with the same answers of ``subclasses`` to the
    questions compiling asked (compiling reads nothing else: the same checks)."""
    from kg.validate import check_sparql_constraints

    key = (frozenset(shapes), tuple(sorted(shapes.namespaces())))
    with _KEPT_LOCK:
        kept = _KEPT.get(key)
    if kept is None:
        check_sparql_constraints(shapes)  # raises ConfigError: nothing kept
        kept = []
    for answers, checks in kept:
        if all(subclasses(c) == found for c, found in answers):
            return checks
    asked: list[tuple] = []

    def answered(c):
        found = subclasses(c)
        asked.append((c, found))
        return found

    checks = tuple(compile_shapes(shapes, answered))
    with _KEPT_LOCK:
        _KEPT.pop(key, None)  # the most recent last
        _KEPT[key] = [*kept[-3:], (tuple(asked), checks)]
        while len(_KEPT) > _KEPT_SHAPES:
            del _KEPT[next(iter(_KEPT))]
    return checks


#: Datatypes a pyoxigraph store keeps as another (pyoxigraph 0.5 stores a value, not the
#: lexical form and datatype written): the integer types derived from xsd:integer as
#: xsd:integer, xsd:dateTimeStamp as xsd:dateTime. ``"300"^^xsd:int`` is no xsd:integer to
#: SHACL's sh:datatype, an exact match of the datatype IRI (SHACL 4.2.2), as pySHACL has it.
STORED_OTHERWISE = frozenset(XSD[n] for n in (
    "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte", "dateTimeStamp"))


@dataclass(frozen=True)
class WrittenOtherwise:
    """The literals of the data a store keeps in another datatype (:data:`STORED_OTHERWISE`),
    as :func:`written_otherwise` finds them: for each literal as the store keeps it, the
    (subject, predicate, literal as written) triples that have it."""

    literals: dict

    def __bool__(self) -> bool:
        return bool(self.literals)

    def triples(self) -> list[tuple]:
        """The (subject, predicate, literal as written) triples, in no particular order."""
        return [t for found in self.literals.values() for t in found]

    def written(self, subject, stored, reaches=None) -> list[Literal]:
        """The literals that the store keeps as ``stored`` (an rdflib Literal) and that the
        data writes on ``subject``, or, where ``reaches`` (subject written, predicate) says
        so, on a node a path leads to from it (a shape's path ``(kgo:hasFigure
        kgo:exactValue)`` reaches the figure's value from the event: :func:`_last_steps`).
        A blank node's label is the store's own, not the data's: for one, those of any blank
        node (the same value written with a datatype the store keeps and one it does not,
        each on a blank node, is read as the first)."""
        triples = self.literals.get(stored, ())
        own = [lit for s, _p, lit in triples if s == subject]
        if not own and reaches is not None:
            own = [lit for s, p, lit in triples if s != subject and reaches(s, p)]
        if own or not isinstance(subject, BNode):
            return own
        return [lit for s, _p, lit in triples if isinstance(s, BNode)]


def written_otherwise(triples: Iterable[tuple]) -> WrittenOtherwise:
    """The literals of ``triples`` (rdflib terms) whose datatype a pyoxigraph store keeps as
    another, keyed by the literal the store keeps (found by storing them: its own
    canonical form)."""
    import pyoxigraph as ox

    found = [(s, p, o) for s, p, o in triples
             if isinstance(o, Literal) and o.datatype in STORED_OTHERWISE]
    if not found:
        return WrittenOtherwise({})
    literals: dict = {}
    for s, p, o in found:
        scratch = ox.Store()
        scratch.add(ox.Quad(ox.NamedNode("urn:kg:s"), ox.NamedNode("urn:kg:p"),
                            ox.Literal(str(o), datatype=ox.NamedNode(str(o.datatype)))))
        stored = _rdflib(next(iter(scratch)).object)
        if stored != o or stored.datatype != o.datatype:
            literals.setdefault(stored, []).append((s, p, o))
    return WrittenOtherwise(literals)


def validate_store(store, shapes: Graph, threads: int | None = None,
                   written: WrittenOtherwise | None = None) -> Report:
    """Validate the union of the graphs of the pyoxigraph ``store`` (asserted + inferred, as
    :func:`kg.validate.validation_view` makes it) against ``shapes``. Same report as
    :func:`kg.validate.validate`; raises :class:`UnsupportedShapes` before running anything if
    the shapes use a feature not compiled. The checks' queries run ``threads`` at a time
    (:func:`kg.store.rows_of_each`; default one per core, at most 4): the same report.

    ``written``: the literals of the data the store keeps in another datatype
    (:func:`written_otherwise`), which the report gives as written, and which an sh:datatype
    check the stored one passes fails where the written datatype is not its own."""
    from kg.store import rows_of_each

    cache: dict = {}

    def subclasses(c):
        if c not in cache:
            rows = store.query(f"SELECT DISTINCT ?s WHERE {{ ?s {_SUBCLASS}* {_term(c)} }}",
                               use_default_graph_as_union=True)
            found = {_rdflib(r["s"]) for r in rows} | {c}
            if any(isinstance(x, BNode) for x in found):
                raise UnsupportedShapes(f"an anonymous subclass of {c} in the data")
            cache[c] = sorted(found, key=str)
        return cache[c]

    checks = _checks(shapes, subclasses)
    report = Graph()
    report.bind("sh", str(SH))
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    copied: set = set()  # blank nodes of the shapes described in the report
    described: set = set()  # and of the data (labels of another graph)
    violations = 0
    queries = [(check, check.query, False) for check in checks]
    if written:
        stored = " ".join(sorted(lit.n3() for lit in written.literals))
        queries += [(check, check.passing.replace(_STORED, stored), True) for check in checks
                    if check.passing is not None]
    answers = rows_of_each(store, [query for _c, query, _p in queries], threads,
                           use_default_graph_as_union=True)
    for (check, _query, passing), (names, rows) in zip(queries, answers, strict=True):
        for row in rows:
            bound = {n: _rdflib(row[n]) for n in names if row[n] is not None}
            if written and isinstance(bound.get("value"), Literal):
                as_written = written.written(bound["this"], bound["value"],
                                             _reaches(store, shapes, check, bound["this"]))
                if passing:  # the stored datatype passes: the written one may not
                    as_written = [lit for lit in as_written if lit.datatype != check.datatype]
                    if not as_written:
                        continue
                if as_written:
                    bound["value"] = as_written[0]
            _add_result(report, root, check, bound, shapes, copied)
            for node in (bound["this"], bound.get("value")):  # described, as pySHACL does
                _describe(node, lambda b: _data_pairs(store, b), report, described)
            violations += check.severity not in (SH.Warning, SH.Info)
    # conforms unless a result is a violation: pySHACL's allow_warnings, which kg.validate
    # asks of it (a warning or info result is reported, and is not a failure)
    report.add((root, SH.conforms, Literal(violations == 0)))
    results = _results(report, shapes)
    if results:
        def pairs(text: str) -> list[tuple[str, str]]:
            return [(row["a"].value, row["b"].value)
                    for row in store.query(text, use_default_graph_as_union=True)]

        results = finish_results(
            results, lambda focus, path: (_rdflib(q.object) for q in store.quads_for_pattern(
                _ox_node(focus), _ox_node(path), None)),
            lambda: pairs(f"""SELECT DISTINCT ?a ?b WHERE {{ ?a <{RDF.type}> ?b
                FILTER (?b IN ({", ".join(f"<{t}>" for t in DECLARING_TYPES)})) }}"""),
            lambda: pairs(f"""SELECT ?a ?b WHERE {{ ?a <{RDFS.subPropertyOf}> ?b
                FILTER (isIRI(?a) && isIRI(?b)) }}"""))
    return Report(conforms=violations == 0, results=results, graph=report, shapes=shapes)


def _ox_node(text: str):
    """The pyoxigraph term of a focus node as results give it (``_:label`` or an IRI)."""
    import pyoxigraph as ox

    return ox.BlankNode(text[2:]) if text.startswith("_:") else ox.NamedNode(text)


def _add_result(report: Graph, root, check: Check, bound: dict, shapes: Graph,
                copied: set) -> None:
    node = BNode()
    focus = bound["this"]
    report.add((root, SH.result, node))
    report.add((node, RDF.type, SH.ValidationResult))
    report.add((node, SH.focusNode, focus))
    report.add((node, SH.resultSeverity, check.severity))
    report.add((node, SH.sourceShape, check.shape))
    _describe(check.shape, shapes.predicate_objects, report, copied)  # as pySHACL does
    report.add((node, SH.sourceConstraintComponent, check.component))
    path = check.path
    value = bound.get("value")
    if check.constraint is not None:
        report.add((node, SH.sourceConstraint, check.constraint))
        path = bound.get("path", path)
        if value is None and check.value_is_focus:
            value = focus
    if value is not None:
        report.add((node, SH.value, value))
    if path is not None:
        report.add((node, SH.resultPath, path))
        _describe(path, shapes.predicate_objects, report, copied)
    messages = [str(m) for m in check.messages] or ([check.generic] if check.generic else [])
    fill = {k: v for k, v in bound.items() if k != "this" and not k.startswith("_")}
    fill["this"] = focus
    for m in messages:
        if check.constraint is not None:
            for var, val in fill.items():
                m = m.replace(f"{{?{var}}}", str(val)).replace(f"{{${var}}}", str(val))
        report.add((node, SH.resultMessage, Literal(m)))


def _describe(node, pairs_of, into: Graph, seen: set) -> None:
    """Where ``node`` is a blank node: its triples into ``into``, with those of the blank nodes
    they reach, each node once (``seen``); ``pairs_of(node)`` gives its (predicate, object)
    pairs. A stack, not recursion: a list of any length."""
    todo = [node]
    while todo:
        subject = todo.pop()
        if not isinstance(subject, BNode) or subject in seen:
            continue
        seen.add(subject)
        for p, o in pairs_of(subject):
            into.add((subject, p, o))
            todo.append(o)


def _data_pairs(store, node: BNode):
    """The (predicate, object) pairs of the blank node ``node`` of ``store``, as rdflib terms."""
    import pyoxigraph as ox

    for q in store.quads_for_pattern(ox.BlankNode(str(node)), None, None):
        yield _rdflib(q.predicate), _rdflib(q.object)


def _rdflib(term):
    from kg.load import rdflib_term

    return rdflib_term(term)


#: In :func:`shape_predicates`' result, ``OBJECTS_OF + P`` says: the IRIs that are objects of
#: ``P`` in the data are predicates the shapes read.
OBJECTS_OF = "objects-of "
#: In :func:`shape_predicates`' result, ``PREDICATES_IN + NS`` says: every predicate whose IRI
#: starts with ``NS`` is read (a variable predicate filtered with ``STRSTARTS(STR(?p), NS)``).
PREDICATES_IN = "predicates-in "


class Predicates(frozenset):
    """The predicates the shapes read (:func:`read_predicates`): the IRIs it holds, and every
    IRI in one of its ``namespaces``."""

    namespaces: tuple[str, ...] = ()

    def __new__(cls, iris=(), namespaces=()):
        self = super().__new__(cls, iris)
        self.namespaces = tuple(sorted(namespaces))
        return self

    def __contains__(self, iri) -> bool:
        return super().__contains__(iri) or (isinstance(iri, str)
                                             and iri.startswith(self.namespaces))

    def __or__(self, other):
        """The predicates either reads (their IRIs and their namespaces)."""
        if not isinstance(other, frozenset | set):
            return NotImplemented
        return Predicates(frozenset(self) | other,
                          (*self.namespaces, *getattr(other, "namespaces", ())))

    __ror__ = __or__

    def _unbounded(self, other):
        # frozenset's own would give a plain set of the IRIs: the namespaces, silently lost
        raise TypeError("Predicates: only | (union) keeps the namespaces; test membership "
                        "with `in`")

    __and__ = __rand__ = __sub__ = __rsub__ = __xor__ = __rxor__ = _unbounded
    intersection = difference = symmetric_difference = union = _unbounded


def _namespace_bounds(expr) -> dict:
    """{variable: namespace} for each ``STRSTARTS(STR(?v), NS)`` that a filter expression
    requires (the expression itself or one of its top-level conjuncts; NS an IRI, ``STR(IRI)``
    or a string). A bound under ``||`` or ``!`` is not required, so it is not one."""
    from rdflib.term import Variable

    conjuncts = [expr]
    if getattr(expr, "name", None) == "ConditionalAndExpression":
        conjuncts = [expr["expr"], *(expr.get("other") or ())]
    bounds = {}
    for c in conjuncts:
        if getattr(c, "name", None) != "Builtin_STRSTARTS":
            continue
        arg1, arg2 = c["arg1"], c["arg2"]
        if getattr(arg1, "name", None) != "Builtin_STR" or not isinstance(arg1["arg"], Variable):
            continue
        if getattr(arg2, "name", None) == "Builtin_STR":
            arg2 = arg2["arg"]
        if isinstance(arg2, URIRef | Literal) and str(arg2):
            bounds[arg1["arg"]] = str(arg2)
    return bounds


def _algebra(select: str, namespaces: tuple[tuple[str, str], ...]):
    """The algebra of a constraint's query, parsed by rdflib (about 50 ms a query): once per
    text and prefixes, as :func:`_constraint_reads`, its one caller, keeps what it found."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(select, initNs=dict(namespaces)).algebra


def _sparql_constraints(shapes: Graph) -> Iterator[tuple[str, tuple[tuple[str, str], ...]]]:
    """The text and prefixes of each SPARQL constraint of the shapes that has a query."""
    for constraint in shapes.objects(None, SH.sparql):
        select = _one(shapes, constraint, SH.select)
        if select is None:
            continue
        yield str(select), tuple(sorted(
            {str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
             for node in shapes.objects(constraint, SH.prefixes)
             for d in shapes.objects(node, SH.declare)}.items()))


def constraint_keys(shapes: Graph) -> frozenset[str]:
    """The :func:`constraint_key` of every SPARQL constraint of the shapes: what a cache of
    :func:`shape_predicates` keeps for them (other entries are of constraints since changed)."""
    return frozenset(constraint_key(select, namespaces)
                     for select, namespaces in _sparql_constraints(shapes))


def shape_predicates(shapes: Graph, cache: MutableMapping[str, list[str] | None] | None = None
                     ) -> frozenset[str] | None:
    """Every predicate the shapes can read: each IRI of the shapes graph (paths, targets,
    ``sh:equals``…), each IRI of their SPARQL constraints, ``rdf:type`` and
    ``rdfs:subClassOf`` (and :data:`OBJECTS_OF` / :data:`PREDICATES_IN` entries, see below).
    None when that cannot be bounded (a SPARQL constraint with a free variable predicate, or
    one that does not parse). Triples with other predicates cannot change a report: the build
    leaves them out of the store it validates (:func:`read_predicates` gives the set for given
    data).

    ``cache`` (a mapping, e.g. read from a file), if given, holds what each constraint reads
    under :func:`constraint_key`, and receives what it lacks: rdflib's SPARQL parser takes
    about 50 ms a constraint, most of a small build."""
    found = {str(RDF.type), str(RDFS.subClassOf)}
    found |= {str(t) for triple in shapes for t in triple if isinstance(t, URIRef)}
    for select, namespaces in _sparql_constraints(shapes):
        if cache is None:
            reads = _constraint_reads(select, namespaces)
        else:
            key = constraint_key(select, namespaces)
            if key in cache:
                cached = cache[key]
                reads = None if cached is None else frozenset(cached)
            else:
                reads = _constraint_reads(select, namespaces)
                cache[key] = None if reads is None else sorted(reads)
        if reads is None:
            return None
        found |= reads
    return frozenset(found)


def constraint_key(select: str, namespaces: tuple[tuple[str, str], ...]) -> str:
    """The key of a SPARQL constraint's reads in :func:`shape_predicates`' cache: a digest of
    its text and prefixes."""
    import hashlib

    text = json.dumps([select, namespaces], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def analysis_version() -> str:
    """A digest of this module's source and rdflib's version (whose parser it reads): a cache
    of :func:`shape_predicates`' reads made by other code than this is not to be trusted."""
    import hashlib

    import rdflib

    return hashlib.sha256(Path(__file__).read_bytes()
                          + rdflib.__version__.encode()).hexdigest()


@functools.lru_cache(maxsize=256)
def _constraint_reads(select: str, namespaces: tuple[tuple[str, str], ...]
                      ) -> frozenset[str] | None:
    """What one SPARQL constraint's query reads (see :func:`shape_predicates`), or None when
    that cannot be bounded."""
    from rdflib.paths import NegatedPath
    from rdflib.paths import Path as PropertyPath
    from rdflib.term import Variable

    try:
        algebra = _algebra(select, namespaces)
    except Exception:  # noqa: BLE001 - any parse failure: the set cannot be bounded
        return None
    found: set[str] = set()
    # each node with the namespace bounds of the filters around it
    nodes, patterns = [(algebra, {})], []
    while nodes:
        node, bounds = nodes.pop()
        if isinstance(node, URIRef):
            found.add(str(node))
        elif isinstance(node, dict):  # rdflib's CompValue (algebra operators)
            if getattr(node, "name", None) == "ToMultiSet":
                bounds = {}  # a sub-SELECT: its variables are its own
            if getattr(node, "name", None) == "Filter":
                bounds = {**bounds, **_namespace_bounds(node["expr"])}
            # a BGP's triples, or (inside EXISTS, untranslated) a TriplesBlock's flat lists
            for triple in node.get("triples") or ():
                triple = list(triple)
                patterns.extend((s, p, o, bounds) for s, p, o in
                                zip(triple[0::3], triple[1::3], triple[2::3], strict=False))
            nodes.extend((v, bounds) for v in node.values())
        elif isinstance(node, list | tuple | set):
            nodes.extend((v, bounds) for v in node)
        elif isinstance(node, NegatedPath):  # !(…): any other predicate
            return None
        elif isinstance(node, PropertyPath):  # sequence, alternative, inverse, repetition
            nodes.extend((v, bounds) for v in getattr(node, "args", ()))
            nodes.extend((getattr(node, a), bounds) for a in ("arg", "path")
                         if hasattr(node, a))
    # A variable predicate is bounded when the same query binds it as the object of an IRI
    # predicate (`?st rdf:predicate ?p . ?s ?p ?o`): then the objects of that predicate in
    # the data are read too; or when a filter around it keeps it in a namespace.
    for _, p, _, bounds in patterns:
        if isinstance(p, Variable):
            sources = [q for _, q, o, _ in patterns if o == p and isinstance(q, URIRef)]
            if sources:
                found |= {OBJECTS_OF + str(q) for q in sources}
            elif p in bounds:
                found.add(PREDICATES_IN + bounds[p])
            else:
                return None
    return frozenset(found)


def read_predicates(shapes: Graph, store, cache: MutableMapping[str, list[str] | None] | None
                    = None) -> Predicates | None:
    """:func:`shape_predicates` for the data in ``store`` (its :data:`OBJECTS_OF` entries
    replaced by the IRIs they name there, its :data:`PREDICATES_IN` entries by namespaces): the
    predicates the shapes can read, or None. ``cache`` as for :func:`shape_predicates`."""
    found = shape_predicates(shapes, cache)
    if found is None:
        return None
    markers = {p for p in found if p.startswith((OBJECTS_OF, PREDICATES_IN))}
    wanted = set(found - markers)
    for p in sorted(m for m in markers if m.startswith(OBJECTS_OF)):
        # the results are not kept in a local: this frame is in rdflib's parser's reference
        # cycles (kg.store.gc_paused says why that matters)
        wanted |= {row["p"].value for row in store.query(
            f"SELECT DISTINCT ?p WHERE {{ ?x <{p[len(OBJECTS_OF):]}> ?p FILTER isIRI(?p) }}",
            use_default_graph_as_union=True)}
    return Predicates(wanted, [m[len(PREDICATES_IN):] for m in markers
                               if m.startswith(PREDICATES_IN)])


def view_store(store, inferred):
    """:func:`view_and_overlap`'s view."""
    return view_and_overlap(store, inferred)[0]


def view_and_overlap(store, inferred):
    """A new in-memory store holding what the shapes see (:func:`kg.validate.validation_view`)
    of ``store``: every graph but ``inferred`` as it is, and the triples of the graph
    ``inferred`` less the rdf:type triples that only rdfs:domain / rdfs:range gave (a type is
    kept when it is asserted or a direct rdfs:subClassOf of an asserted type), all in one
    graph (a triple in two graphs is one triple). ``store`` is not changed.

    Also whether a triple of ``store`` is in two of its graphs (its default graph one of them),
    found for nothing: the view holds each triple once and leaves out one quad per type it
    leaves out, so it holds fewer than the store less those exactly when one is."""
    import pyoxigraph as ox

    inferred = inferred if isinstance(inferred, ox.NamedNode) else ox.NamedNode(str(inferred))
    from kg.store import gc_paused

    view = ox.Store()
    with gc_paused(), ThreadPoolExecutor(1, thread_name_prefix="kg-view") as pool:
        # the range types are found while the other graphs are copied (pyoxigraph reads,
        # dumps and parses without Python's lock); the inferred graph is copied last
        asking = pool.submit(_range_types, store, inferred)
        graphs = [g for g in store.named_graphs() if g != inferred]
        graphs += [ox.DefaultGraph(), inferred]

        def leave_out(graph) -> set:
            # A blank node is named anew in the view (below), so its range types are left out
            # as the inferred graph is written for it, not removed from the view by name.
            if graph != inferred:
                return set()
            return {(s, t) for s, t in asking.result() if isinstance(s, ox.BlankNode)}

        # One document: a parser gives each document's blank nodes new names, so a blank node
        # in two graphs loaded one graph per load would become two. Each graph is dumped while
        # the parser reads the one before it, so no more than two graphs' dumps are held at a
        # time. Lenient (no second check of IRIs and language tags): every term is the
        # store's, checked when it was parsed or made (a quarter less time parsing, 1.45 s ->
        # 1.1 s of CPU at 100k triples).
        view.load(_GraphsAsOneDocument(store, graphs, leave_out),
                  format=ox.RdfFormat.N_TRIPLES, lenient=True)
        ranged = asking.result()
    for s, t in ranged:
        if not isinstance(s, ox.BlankNode):
            view.remove(ox.Quad(s, ox.NamedNode(str(RDF.type)), t, ox.DefaultGraph()))
    return view, len(view) != len(store) - len(ranged)


class _GraphsAsOneDocument(io.RawIOBase):
    """The N-Triples of ``graphs`` of ``store``, one after the other, read as one stream; each
    graph is dumped, in a thread, while the reader reads the one before it (pyoxigraph dumps
    and parses without Python's lock). ``leave_out(graph)`` gives the (node, class) pairs of
    the graph whose rdf:type triples are not written (the graph is then written triple by
    triple, with the store's blank node labels, as a dump writes them)."""

    def __init__(self, store, graphs, leave_out: Callable[[object], set] = lambda _: set()):
        import pyoxigraph as ox

        rdf_type = ox.NamedNode(str(RDF.type))

        def dump(g) -> bytes:
            out = leave_out(g)
            if not out:
                return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g)
            return ox.serialize((q.triple for q in store.quads_for_pattern(None, None, None, g)
                                 if q.predicate != rdf_type or (q.subject, q.object) not in out),
                                format=ox.RdfFormat.N_TRIPLES)

        self._dumps = _one_ahead(dump, graphs)
        self._buffer = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, into) -> int:
        while not self._buffer:
            chunk = next(self._dumps, None)
            if chunk is None:
                return 0
            self._buffer = memoryview(chunk)
        n = min(len(into), len(self._buffer))
        into[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def _one_ahead(make: Callable, items) -> Iterator:
    """``make(item)`` for each item, in order, each made in a thread while the one before it is
    used: at most two made and not yet used."""
    with ThreadPoolExecutor(1, thread_name_prefix="kg-dump") as pool:
        pending = None
        for item in items:
            upcoming = pool.submit(make, item)
            if pending is not None:
                yield pending.result()
            pending = upcoming
        if pending is not None:
            yield pending.result()


def _range_types(store, inferred) -> list[tuple]:
    """(node, class) of the inferred rdf:type triples that only rdfs:domain / rdfs:range gave:
    the type is neither asserted nor a direct rdfs:subClassOf of an asserted type."""
    def asserted_type(a: str) -> str:
        return (f"{{ GRAPH ?g {{ ?s {_RDF_TYPE} {a} }} FILTER (?g != {inferred}) }} "
                f"UNION {{ ?s {_RDF_TYPE} {a} }}")

    # MINUS (on ?s and ?t) of the (node, type) pairs that an asserted type gives, not FILTER
    # NOT EXISTS, which pyoxigraph evaluates for every inferred type (the same pairs: 4.4 s
    # instead of 6.9 s at 1M generated triples)
    rows = store.query(f"""
        SELECT DISTINCT ?s ?t WHERE {{
            GRAPH {inferred} {{ ?s {_RDF_TYPE} ?t }}
            MINUS {{
                {{ {asserted_type("?t")} }}
                UNION {{ {{ {asserted_type("?a")} }}
                         {{ GRAPH ?h {{ ?a {_SUBCLASS} ?t }} }} UNION {{ ?a {_SUBCLASS} ?t }} }}
            }}
        }}""")
    return [(row["s"], row["t"]) for row in rows]
