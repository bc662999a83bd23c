"""What a query string is, found cheaply before the engine sees it.

One regular-expression pass strips comments, string literals and IRIs (so that a ``#`` or a
bracket inside them is not taken for code), then reads what the endpoint must know before it
runs anything:

- the query form (``SELECT``/``ASK``/``CONSTRUCT``/``DESCRIBE``), so that the result format is
  negotiated first, and SPARQL Update (``INSERT``, ``LOAD``, ...) refused unexecuted (403);
- the bracket depth: pyoxigraph's recursive-descent parser overflows the stack and aborts the
  whole process on a few thousand nested parentheses, so deep nesting is a 400 here;
- ``SERVICE``: pyoxigraph would fetch it over HTTP; this endpoint never makes outbound requests;
- ``FROM`` / ``FROM NAMED``: the query names its own dataset.

Where this reading and the SPARQL grammar could disagree, it errs on the safe side (it counts
brackets inside IRIs, and flags a ``SERVICE`` that might be part of a prefixed name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urljoin

from kg.endpoint.bounded_cache import BoundedCache
from kg.errors import InputError, ParseError, QueryTooComplex, UpdateRefused

__all__ = ["QueryInfo", "inspect_query", "text_order", "select_star_order", "result_columns",
           "dataset_clauses", "query_dataset", "has_from", "undeclared_prefix", "diagnose",
           "QUERY_FORMS", "UPDATE_KEYWORDS", "without_bom", "decomposed_literal"]

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY",
                             "MOVE", "ADD", "WITH"})

# SPARQL 1.1 grammar, productions IRIREF, STRING_LITERAL*, and comments (section 19.8).
_DQ, _SQ = '"', "'"
_IRIREF = "<[^<>" + _DQ + r"{}|^`\\\x00-\x20]*>"
_LONG_STRINGS = "|".join(
    q * 3 + r"(?:[^" + q + r"\\]|\\.|" + q + "(?!" + q * 2 + "))*" + q * 3 for q in (_DQ, _SQ))
_SHORT_STRINGS = "|".join(q + r"(?:[^" + q + r"\\\n\r]|\\.)*" + q for q in (_DQ, _SQ))
_LEXICAL = re.compile(
    f"(?P<iri>{_IRIREF})|(?P<str>{_LONG_STRINGS}|{_SHORT_STRINGS})|(?P<comment>#[^\\n\\r]*)",
    re.DOTALL,
)
#: BASE and PREFIX declarations, their IRIs blanked (``<>``, or kept in place as ``<   >``).
_PROLOGUE = r"(?:\s*(?:BASE\s*<[^>]*>|PREFIX\s*[^\s:<]*:\s*<[^>]*>))*\s*"
_PROLOGUE_THEN_FORM = re.compile(_PROLOGUE + r"([A-Za-z]*)", re.IGNORECASE)
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:-])", re.IGNORECASE)
_FROM = re.compile(r"(?<![\w?$:])FROM(?![\w:-])", re.IGNORECASE)
_VOLATILE = re.compile(r"(?<![\w?$:@.-])(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
_BRACKETS = re.compile(r"[()\[\]{}]")
_GAP = r"(?>(?:\s|#[^\n\r]*+)+)"  # white space and comments, never backtracked into (a run
# of # would otherwise split 2**n ways)
# PN_LOCAL (section 19.8): ':' and escapes (PLX) inside, no '.' at the end.
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.!$&'()*+,;=/?#@%-]"
_PN_CHAR = r"[\w:\u00b7\u0300-\u036f\u203f\u2040-]"
_PN_LOCAL = f"(?:{_PN_CHAR}|{_PLX})(?:(?:{_PN_CHAR}|{_PLX}|\\.)*(?:{_PN_CHAR}|{_PLX}))?"
_LOCAL_ESCAPE = re.compile(r"\\(.)")
#: Comments, strings and IRIs (skipped), PREFIX declarations, FROM / FROM NAMED clauses.
_DATASET_TOKENS = re.compile(
    f"(?P<skip>#[^\\n\\r]*|{_LONG_STRINGS}|{_SHORT_STRINGS}|{_IRIREF})"
    f"|(?P<base>(?<![\\w?$:])BASE(?:{_GAP})?<(?P<biri>[^<>\\s]*)>)"
    f"|(?P<prefix>(?<![\\w?$:])PREFIX{_GAP}(?P<pname>[\\w.-]*):(?:{_GAP})?<(?P<piri>[^<>\\s]*)>)"
    f"|(?P<from>(?<![\\w?$:])FROM(?P<named>{_GAP}NAMED)?"
    f"(?:(?:{_GAP})?<(?P<iri>[^<>\\s]*)>|{_GAP}(?P<fp>[\\w.-]*):(?P<local>{_PN_LOCAL})?))",
    re.IGNORECASE | re.DOTALL)
_OPENERS = frozenset("([{")
_MODIFIER_WORD = r"(?:DISTINCT|REDUCED)(?![\w:-])"
_SELECT_STAR = re.compile(_PROLOGUE + r"SELECT\s*(?:" + _MODIFIER_WORD + r"\s*)?\*",
                          re.IGNORECASE)
#: A character of VARNAME (section 19.8), loosely.
_VARNAME_CHAR = r"[\w\u00b7\u0300-\u036f\u203f\u2040]"
# a name not among the result's variables is ignored
_VARIABLE = re.compile(r"[?$](" + _VARNAME_CHAR + "+)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def without_bom(text: str) -> str:
    """The query without the byte order mark (U+FEFF) a file saved by some editors begins
    with, and so a query sent from it (``curl --data-binary @q.rq``): the file's encoding
    signature, not the query's first character, which the parser would refuse as a token
    (and ``not 'ASK'`` would name it, invisibly). Only at the very start, as UTF-8 decoders
    drop it (WHATWG Encoding, "UTF-8 decode"); the columns of line 1 are then those an
    editor shows."""
    return text[1:] if text.startswith("\ufeff") else text


def decomposed_literal(text: str) -> str | None:
    """The first string literal of the query that is not in Unicode NFC (its accents typed
    as combining marks, as some macOS tools paste them: ``"Vie\u0302\u0323t"``), else None.
    The graph's text is NFC and SPARQL compares strings code point by code point, so such a
    literal matches no label that looks the same."""
    import unicodedata

    for m in _LEXICAL.finditer(text):
        if m.lastgroup == "str" and not unicodedata.is_normalized("NFC", m[0]):
            return m[0] if len(m[0]) <= 60 else m[0][:57] + "..."
    return None


@dataclass(frozen=True, slots=True)
class QueryInfo:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    has_dataset_clause: bool
    #: Calls a function that answers differently on each run (RAND, NOW, UUID, STRUUID,
    #: BNODE): its answer may not be reused (no validator, see :mod:`.caching`).
    volatile: bool = False
    #: A top-level ``SELECT *``: its columns are put in the order of the text
    #: (:func:`text_order`), as Jena and Virtuoso give them; pyoxigraph sorts them.
    select_star: bool = False


def _blank(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind == "iri":
        return "<>"
    if kind == "str":
        return '""'
    return " "


def _depth(code: str) -> int:
    depth = deepest = 0
    for bracket in _BRACKETS.findall(code):
        if bracket in _OPENERS:
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def has_from(text: str) -> bool:
    """Whether the query has a ``FROM`` or ``FROM NAMED`` clause (outside strings, IRIs and
    comments)."""
    return _FROM.search(_LEXICAL.sub(_blank, text)) is not None


def dataset_clauses(text: str, base_iri: str | None = None) -> tuple[list[str], list[str]]:
    """The IRIs of a query's ``FROM`` and ``FROM NAMED`` clauses, as written (a graph named
    twice is listed twice): prefixed names expanded, relative IRIs resolved against the
    query's ``BASE`` (or ``base_iri``)."""
    default, named, _ = _read_dataset(text, base_iri)
    return default, named


def query_dataset(text: str, base_iri: str | None = None) -> tuple[list[str], list[str]] | None:
    """The dataset a query's ``FROM`` and ``FROM NAMED`` clauses name, each graph once, in the
    order first named: ``([], [])`` without them.

    SPARQL 1.1 Query 13.2: the default graph is the RDF merge of the FROM graphs and the named
    graphs are a set, so a graph named twice is in the dataset once (pyoxigraph, reading the
    clauses itself or handed a list with a graph twice, matches its triples twice). None when
    a clause is not read here with certainty - a prefix the text does not declare, a relative
    IRI without a base, a FROM this reading does not take for a clause: the engine alone can
    read such a text, and says what is wrong with it."""
    default, named, whole = _read_dataset(text, base_iri)
    if not whole:
        return None
    return list(dict.fromkeys(default)), list(dict.fromkeys(named))


def _read_dataset(text: str, base_iri: str | None) -> tuple[list[str], list[str], bool]:
    """:func:`dataset_clauses`, and whether every clause was read with certainty."""
    base = base_iri
    prefixes: dict[str, str] = {}
    default: list[str] = []
    named: list[str] = []
    whole = True

    def resolved(iri: str) -> str:
        return urljoin(base, iri) if base and not _SCHEME.match(iri) else iri

    for m in _DATASET_TOKENS.finditer(text):
        if m["base"]:
            base = resolved(m["biri"])
        elif m["prefix"]:
            prefixes[m["pname"]] = resolved(m["piri"])
        elif m["from"]:
            if m["iri"] is not None:
                iri = resolved(m["iri"])
            else:
                whole = whole and m["fp"] in prefixes
                iri = prefixes.get(m["fp"], "") + _LOCAL_ESCAPE.sub(r"\1", m["local"] or "")
            whole = whole and _SCHEME.match(iri) is not None
            (named if m["named"] else default).append(iri)
    # Every FROM keyword outside comments, strings and IRIs is one of the clauses read.
    if whole and len(_FROM.findall(_LEXICAL.sub(_blank, text))) != len(default) + len(named):
        whole = False
    return default, named, whole


#: A PREFIX declaration (its name), or a prefixed name in use (its prefix), in a text whose
#: comments, strings and IRIs are blanked. ``_:`` (a blank node) is no prefix.
_PREFIX_DECLARED = re.compile(r"(?<![\w?$:])PREFIX\s*([^\s:<]*):", re.IGNORECASE)
_PREFIX_USED = re.compile(r"(?<![\w?$@.:-])((?:[^\W\d_][\w.-]*)?):")


def _blank_keeping_places(match: re.Match[str]) -> str:
    """Comments, strings and IRIs as spaces (the delimiters kept), line breaks kept: every
    character stays at its line and column."""
    text = match[0]
    inner = re.sub(r"[^\n\r]", " ", text)
    if match.lastgroup == "comment":
        return inner
    return text[0] + inner[1:-1] + text[-1]


def _place(code: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset``."""
    line = code.count("\n", 0, offset) + 1
    return line, offset - (code.rfind("\n", 0, offset) + 1) + 1


def _blank_brackets(match: re.Match[str]) -> str:
    return "<" + " " * (len(match[0]) - 2) + ">"


def undeclared_prefix(text: str) -> tuple[str, int, int] | None:
    """The first prefixed name whose prefix the query does not declare: (prefix, line,
    column), 1-based; None when every prefix in use is declared. A cheap reading for error
    messages (the engine's own, in expressions, names unrelated keywords)."""
    return _undeclared_in(_LEXICAL.sub(_blank_keeping_places, text))


def _undeclared_in(code: str) -> tuple[str, int, int] | None:
    """:func:`undeclared_prefix` of a text whose comments, strings and IRIs are blanked."""
    code = _BRACKETED.sub(_blank_brackets, code)
    declared = {m[1] for m in _PREFIX_DECLARED.finditer(code)}
    code = _PREFIX_DECLARED.sub(lambda m: " " * len(m[0]), code)
    for m in _PREFIX_USED.finditer(code):
        if m[1] not in declared:
            return (m[1], *_place(code, m.start()))
    return None


#: SPARQL 1.1's built-in functions and aggregates, with pyoxigraph's SPARQL 1.2 / RDF-star
#: ones: what may be called by a bare name.
_FUNCTIONS = frozenset("""
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT SUBSTR
    STRLEN REPLACE UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER
    YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384
    SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX
    EXISTS COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE
    LANGDIR HASLANG HASLANGDIR STRLANGDIR ADJUST""".split())
#: Other SPARQL words (none is followed by "(" as a call; listed so as never to be taken for
#: an unknown function).
_KEYWORDS = frozenset("""
    BASE PREFIX WHERE FROM NAMED DISTINCT REDUCED AS ORDER GROUP BY ASC DESC HAVING LIMIT
    OFFSET VALUES UNDEF OPTIONAL UNION MINUS GRAPH SERVICE SILENT FILTER BIND NOT IN SEPARATOR
    TRUE FALSE A LATERAL DEFAULT ALL DATA INTO TO USING""".split()) | QUERY_FORMS | UPDATE_KEYWORDS
_CALL = re.compile(r"(?<![\w?$:@.-])([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_FORM_WORD = re.compile(_PROLOGUE + r"(?P<word>[^\W\d][\w-]*|[^\s{}()<>]+|\S?)",
                        re.IGNORECASE)
#: Anything in angle brackets on one line: an IRI the IRIREF production refuses (a space in
#: it) must not be read as code either. (A ``<`` comparison may hide a little code: the
#: reading then finds less, never something that is not there.)
_BRACKETED = re.compile(r"<[^<>\n\r]*>")


def diagnose(text: str, error_at: tuple[int, int] | None = None
             ) -> tuple[str, int, int] | None:
    r"""Why a query the engine's parser refused is malformed, where a cheap reading can tell
    better than the parser's list of expected tokens: (message, line, column), or None.

    An IRI with a character IRIs may not hold (a space, a line break, a quote...); an escape
    in a string or IRI that names no character (a UTF-16 surrogate) or is no escape (``\d``);
    the first word after the prologue that is no query form; a prefix used but not declared;
    a bare name called like a function that SPARQL does not have (with the built-ins it is
    closest to); a bracket closed by another kind or never closed; a ``?`` or ``$`` with no
    name; a triple pattern, or a ``;`` or ``,`` of one, that ends without its object (its
    predicate a path, its subject a collection or a blank node's properties too), or is
    followed by another term with no ``.`` or ``;``; a predicate without its object inside
    ``[ ... ]`` (in a collection too), or followed by another with no ``;``; a predicate's
    path ending with ``/`` or ``|``; a
    path's ``^`` inverting nothing;
    ``LIMIT`` or ``OFFSET`` without a whole number; ``GROUP BY`` or ``ORDER BY`` naming nothing;
    a blank node among ``DESCRIBE``'s terms;
    a ``BIND(... AS ?v)`` whose variable its group binds before it.
    Only ever run on a query the parser already refused; ``error_at`` is where the
    parser stopped (line, column), where known: a mistake found after it is not the one the
    parser met, and is not given."""
    import difflib

    limit = _offset(text, *error_at) if error_at is not None else len(text)
    found = (_bad_iri(text, limit if error_at is not None else None) or _bad_escape(text, limit)
             or _unclosed_string(text, limit))
    if found is not None:
        return found
    code = _LEXICAL.sub(_blank_keeping_places, text)
    form = _FORM_WORD.match(code)
    if form is not None and form["word"].upper() not in QUERY_FORMS | UPDATE_KEYWORDS:
        line, column = _place(code, form.start("word"))
        found = f"not '{form['word'][:40]}'" if form["word"] else "found nothing"
        return (f"expected SELECT, ASK, CONSTRUCT or DESCRIBE (after any PREFIX and BASE), "
                f"{found}", line, column)
    undeclared = _undeclared_in(code)
    if undeclared is not None:
        prefix, line, column = undeclared
        from kg.iris import PREFIXES

        shown = f"the prefix '{prefix}:'" if prefix else "the empty prefix ':'"
        iri = PREFIXES.get(prefix)
        hint = (f"add PREFIX {prefix}: <{iri}>" if iri else
                f"declare it first: PREFIX {prefix}: <IRI>")
        return f"{shown} is not declared: {hint}", line, column
    if form is not None and form["word"].upper() == "SELECT":
        found = _projection_mistake(code, form.end("word"))
        if found is not None:
            return found
    if form is not None and form["word"].upper() == "DESCRIBE":
        found = _described_blank_node(code, form.end("word"), limit)
        if found is not None:
            return found
    bare_filter = _BARE_FILTER.search(code)
    if bare_filter is not None:
        return ("FILTER takes its condition in parentheses: FILTER(?x > 3), or FILTER EXISTS "
                "{ ... }", *_place(code, bare_filter.start(1)))
    for call in _CALL.finditer(code):
        name = call[1]
        if name.upper() in _FUNCTIONS or name.upper() in _KEYWORDS:
            continue
        line, column = _place(code, call.start(1))
        close = difflib.get_close_matches(name.upper(), _FUNCTIONS, n=2, cutoff=0.6)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        return (f"{name} is not a SPARQL function{hint}: call a built-in by its name, or an "
                "extension function by its IRI", line, column)
    return (_unbalanced(code, limit) or _nameless_variable(code, limit)
            or _modifier_mistake(code, text, limit) or _inverse_of_nothing(code, limit)
            or _missing_object(code, text, limit) or _no_semicolon_inside(code, text, limit)
            or _bind_of_a_bound_variable(code, limit))


#: A '^' with white space around it, and what follows: outside strings and IRIs, a '^' is
#: a path's inverse, or half of a literal's '^^' (SPARQL 1.1, 19.8: PathPrimary, RDFLiteral).
_CARET = re.compile(r"(\^?)\s*\^\s*(?P<next>\S?)")


def _inverse_of_nothing(code: str, limit: int) -> tuple[str, int, int] | None:
    """A path's ``^`` (inverse), before ``limit``, followed by no IRI, ``a``, ``(`` or ``!``
    (``?s ex:p/^ ?o``): the parser lists every character a name may begin with."""
    for m in _CARET.finditer(_BRACKETED.sub(_blank_brackets, code)):
        if m.start() >= limit:
            return None
        after = m["next"]
        if m[1] or after == "^" or after.isalpha() or after in ("<", "(", "!", ":"):
            continue
        return ("'^' (an inverse path) is followed by no predicate: '^' goes before the "
                "IRI it inverts (?o ^ex:p ?s, ?s ex:p/^ex:q ?o)", *_place(code, m.start("next")))
    return None


_BIND_CALL = re.compile(r"(?<![\w?$:])BIND\s*\(", re.IGNORECASE)
_BIND_AS = re.compile(r"(?<![\w?$:])AS\s*[?$](" + _VARNAME_CHAR + r"+)\s*$", re.IGNORECASE)


def _bind_of_a_bound_variable(code: str, limit: int) -> tuple[str, int, int] | None:
    """A ``BIND(... AS ?v)`` whose ``?v`` the group already binds before it (SPARQL 1.1,
    18.2.1: it must not be in scope there), in a group closed before ``limit``, read where
    that is certain: ``?v`` in the group's own triple patterns, a ``VALUES ?v``, a
    ``GRAPH ?v`` or an earlier ``BIND(... AS ?v)``, or in those of a group nested in it (a
    ``{ ... }``, an ``OPTIONAL``, a ``UNION``'s side, a ``GRAPH``'s; a subquery's selected
    variables), not in brackets (a ``FILTER``'s variables are in no scope) nor in a
    ``MINUS`` or ``EXISTS``. pyoxigraph checks a group once it is whole,
    and says "expected [_]" (or "expected OPTIONAL") after it, or at the end of the query.
    One pass over the text, each group's reading kept while its nested groups are read."""
    groups: list[_GroupReading] = []
    i, end = 0, len(code)
    while i < end:
        ch = code[i]
        if ch == "{":
            group = _GroupReading()
            group.subquery = _SUBSELECT.match(code, i + 1) is not None
            if groups:
                parent = groups[-1]
                # a MINUS's or an EXISTS's variables are not in scope after it, nor an
                # expression's; a subquery's are those it selects, read before its WHERE
                word = _WORD_BEFORE.search(code, 0, i)
                group.in_scope = not (parent.brackets or parent.subquery or (
                    word is not None and word[1].upper() in ("MINUS", "EXISTS")))
                parent.projected = True
            groups.append(group)
        elif ch == "}":
            if i > limit or not groups:
                return None
            closed = groups.pop()
            if closed.found is not None:
                return closed.found
            if closed.in_scope and groups:
                groups[-1].bound |= closed.bound
        elif groups:
            group = groups[-1]
            if ch == "(":
                group.brackets += 1
            elif ch == ")":
                group.brackets -= 1
            elif group.brackets == 0 and group.found is None:
                if ch in "?$" and (variable := _VARIABLE.match(code, i)) is not None:
                    if not (group.subquery and group.projected):
                        group.bound.add(variable[1])
                    i = variable.end()
                    continue
                if ch in "bB" and (call := _BIND_CALL.match(code, i)) is not None:
                    close = _matching_paren(code, call.end() - 1, end)
                    if close is None:
                        return None
                    named = _BIND_AS.search(code, call.end(), close)
                    if named is not None:
                        if named[1] in group.bound:
                            v = code[named.start(1) - 1] + named[1]  # ?name or $name
                            group.found = (
                                f"BIND(... AS {v}) gives {v} a value, but the pattern before "
                                f"it in this group already binds {v}: BIND to a new variable, "
                                f"or compare with FILTER({v} = ...)",
                                *_place(code, named.start(1) - 1))
                        group.bound.add(named[1])
                    i = close + 1
                    continue
        i += 1
    return None


_SUBSELECT = re.compile(r"\s*SELECT(?![\w:-])", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\s*$")


class _GroupReading:
    """What :func:`_bind_of_a_bound_variable` knows of a group being read: the variables it
    binds so far, how deep in brackets the reading is, the mistake found; whether its
    variables are in scope in the group around it once it closes (a nested group, an
    OPTIONAL, a UNION's, a GRAPH's: SPARQL 1.1, 18.2.1), whether it is a subquery and has
    read its projection."""

    __slots__ = ("bound", "brackets", "found", "in_scope", "subquery", "projected")

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.brackets = 0
        self.found: tuple[str, int, int] | None = None
        self.in_scope = False
        self.subquery = False
        self.projected = False


def _matching_paren(code: str, at: int, end: int) -> int | None:
    """The offset of the ``)`` closing the ``(`` at ``at``, before ``end``; None if none."""
    depth = 0
    for j in range(at, end):
        if code[j] == "(":
            depth += 1
        elif code[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return None


def _offset(text: str, line: int, column: int) -> int:
    """The offset of the 1-based ``line`` and ``column`` (characters) in ``text``."""
    start = 0
    for _ in range(line - 1):
        newline = text.find("\n", start)
        if newline < 0:
            return len(text)
        start = newline + 1
    return min(start + max(column - 1, 0), len(text))


#: What IRIREF (SPARQL 1.1, 19.8) refuses inside an IRI, as people would name it.
_NOT_IN_IRI = {" ": "a space", "\n": "a line break", "\r": "a line break", "\t": "a tab",
               '"': 'a double quote (")', "{": "a brace ({)", "}": "a brace (})",
               "|": "a vertical bar (|)", "^": "a caret (^)", "`": "a backquote (`)",
               "\\": "a backslash", "<": "a '<'"}
_IRI_CHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|.", re.DOTALL)
#: An IRI-shaped stretch: from '<' to the next '>' (line breaks included), in a text whose
#: strings, comments and valid IRIs are blanked.
_IRI_SHAPED = re.compile(r"<([^<>]*)>")
#: What shows an IRI-shaped stretch to be two comparisons and what lies between them
#: (``?a<ex:b && ex:c>?d``, ``IF(?a<ex:b, 1, ex:c>?d)``) rather than an IRI: a variable, a
#: bracket or a logical operator after white space, a bracket or comma before it.
_COMPARED = re.compile(r"\s(?:[?$(]|&&|\|\|)|[),]\s")


def _blank_all_keeping_places(match: re.Match[str]) -> str:
    """Strings (their quotes kept), comments and valid IRIs (their brackets too) as spaces."""
    if match.lastgroup == "str":
        return _blank_keeping_places(match)
    return re.sub(r"[^\n\r]", " ", match[0])


def _bad_iri(text: str, error_end: int | None) -> tuple[str, int, int] | None:
    """An IRI holding a character IRIs may not (after its escapes are read), or an escape
    that names no character, at that character. With ``error_end``, the IRI the parser
    refused (it stops just after it); without, or where no IRI-shaped stretch ends there (in
    an expression), the first one before it beginning with a scheme that holds one and does
    not read as comparisons (:data:`_COMPARED`)."""
    code = _LEXICAL.sub(_blank_all_keeping_places, text)
    shaped = list(_IRI_SHAPED.finditer(code))
    if error_end is not None and not any(m.end() == error_end for m in shaped):
        # in an expression, where '<' may be "less than", the parser stops further on
        # ("expected ENCODE_FOR_URI"): an IRI before that place
        shaped = [m for m in shaped if m.end() <= error_end]
        error_end = None
    for m in shaped:
        if error_end is not None:
            if m.end() != error_end:
                continue
        elif not _SCHEME.match(m[1]) or _COMPARED.search(m[1]):
            continue
        for ch in _IRI_CHAR.finditer(text, m.start(1), m.end(1)):
            escape = ch[1] or ch[2]
            if escape:
                no_character = _no_character(ch[0], int(escape, 16))
                if no_character is not None:  # an IRI is no string: _bad_escape reads none
                    return no_character, *_place(text, ch.start())
            char = chr(int(escape, 16)) if escape else ch[0]
            name = _NOT_IN_IRI.get(char) or (
                f"the control character U+{ord(char):04X}" if ord(char) < 0x20 else None)
            if name is None:
                continue
            iri = text[m.start():m.end()]
            shown = " ".join(iri.split()) if len(iri) <= 60 else iri[:57] + "..."
            written = f" (written {ch[0]})" if escape else ""
            fix = ("write it %20" if char == " " else
                   f"percent-encode it (%{ord(char):02X})" if char not in "\r\n" else
                   "an IRI is on one line")
            return (f"the IRI {shown} contains {name}{written}, which IRIs may not: {fix}",
                    *_place(text, ch.start()))
        if error_end is not None:
            return None
    return None


#: An escape in a string or IRI: \uXXXX, \UXXXXXXXX, or a backslash and what follows it.
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([uU])|(.))", re.DOTALL)
_STRING_ESCAPES = frozenset("tbnrf\"'\\")


def _no_character(written: str, code: int) -> str | None:
    """Why the escape ``written`` (``\\uXXXX`` or ``\\UXXXXXXXX``), naming ``code``, names no
    character; None where it names one."""
    if 0xD800 <= code <= 0xDFFF:
        return (f"{written} is half of a UTF-16 surrogate pair, not a character: an escape "
                "names a Unicode code point (U+1F600 is \\U0001F600, not \\uD83D\\uDE00)")
    if code > 0x10FFFF:
        return f"{written} is beyond U+10FFFF, the last Unicode code point"
    return None


def _bad_escape(text: str, limit: int) -> tuple[str, int, int] | None:
    """The first escape, in a string before ``limit``, that names no character (a UTF-16
    surrogate, beyond U+10FFFF), lacks its hexadecimal digits, or is no escape (an IRI's
    escapes are :func:`_bad_iri`'s: an IRI holding a backslash is no IRIREF token here)."""
    for token in _LEXICAL.finditer(text, 0, len(text)):
        if token.start() >= limit:
            break
        if token.lastgroup == "comment" or "\\" not in token[0]:
            continue
        for e in _ESCAPE.finditer(text, token.start(), token.end() - 1):
            if e.start() >= limit:
                break
            written = e[0]
            if e[1] or e[2]:
                message = _no_character(written, int(e[1] or e[2], 16))
                if message is None:
                    continue
            elif e[3]:
                message = (f"\\{e[3]} takes {'four' if e[3] == 'u' else 'eight'} hexadecimal "
                           f"digits: \\u00E9 or \\U0001F600")
            elif token.lastgroup == "str" and e[4] not in _STRING_ESCAPES:
                shown = e[4] if e[4].isprintable() else f"U+{ord(e[4]):04X}"
                message = (f"\\{shown} is no escape in a SPARQL string (\\t \\b \\n \\r \\f "
                           f"\\\" \\' \\\\ \\uXXXX \\UXXXXXXXX): a backslash itself is \\\\ "
                           f"(a regular expression's \\{shown} is written \\\\{shown})")
            else:
                continue
            return message, *_place(text, e.start())
    return None


def _unclosed_string(text: str, limit: int) -> tuple[str, int, int] | None:
    """A quote, before ``limit``, that opens no string the grammar reads: a ``"..."`` or
    ``'...'`` string going on past its line (a line break pasted into a literal), or a long
    one never closed."""
    code = _LEXICAL.sub(lambda m: re.sub(r"[^\n\r]", " ", m[0]), text)
    m = re.search(r"[\"']", code, 0)
    if m is None or m.start() > limit:
        return None
    quote = m[0]
    if text.startswith(quote * 3, m.start()) or text[max(m.start() - 2, 0):m.start()] == quote * 2:
        return (f"this string ({quote * 3}...) is never closed: end it with {quote * 3}",
                *_place(text, m.start() if text.startswith(quote * 3, m.start())
                        else m.start() - 2))
    return (f"this string is not closed on its line: a {quote}...{quote} string ends on the "
            f"line it begins (write a line break as \\n, or use a long string: "
            f"{quote * 3}...{quote * 3})", *_place(text, m.start()))


_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _unbalanced(code: str, limit: int) -> tuple[str, int, int] | None:
    """A bracket closed by another kind, a closer with nothing open, or an opener never
    closed (in a text whose comments, strings and IRIs are blanked)."""
    open_: list[int] = []
    for m in _BRACKETS.finditer(code):
        bracket, at = m[0], m.start()
        if at > limit:
            break
        if bracket in _OPENERS:
            open_.append(at)
            continue
        if not open_:
            return f"this '{bracket}' closes nothing: no '{_CLOSERS[bracket]}' is open", \
                *_place(code, at)
        opener = code[open_[-1]]
        if opener != _CLOSERS[bracket]:
            line, column = _place(code, open_[-1])
            closer = {"(": ")", "[": "]", "{": "}"}[opener]
            return (f"this '{bracket}' comes while the '{opener}' at line {line}, column "
                    f"{column} is open: close it with '{closer}' first", *_place(code, at))
        open_.pop()
    if open_ and limit >= len(code.rstrip()):
        opener = code[open_[-1]]
        closer = {"(": ")", "[": "]", "{": "}"}[opener]
        return f"this '{opener}' is never closed: add '{closer}'", *_place(code, open_[-1])
    return None


#: '?' or '$' with no name (a variable is ?name), where it cannot be a path's '?' (which
#: follows an IRI, a prefixed name or a bracket without a space) nor a local name's escaped
#: '?' (``:c:d\?``, PN_LOCAL_ESC).
_NAMELESS = re.compile(r"(?:(?<![\w>):*+?'\"\\])\?|\$)(?!" + _VARNAME_CHAR + ")")


def _nameless_variable(code: str, limit: int) -> tuple[str, int, int] | None:
    code = _BRACKETED.sub(_blank_brackets, code)
    m = _NAMELESS.search(code)
    if m is None or m.start() > limit:
        return None
    return (f"'{m[0]}' without a name: a variable is {m[0]}name, e.g. {m[0]}x",
            *_place(code, m.start()))


#: FILTER followed by a variable, a literal or a prefixed name rather than "(" (or EXISTS,
#: NOT EXISTS, or a function call by IRI or name, which the grammar allows).
_BARE_FILTER = re.compile(r"(?<![\w?$:])FILTER\s+([?$\"'0-9+-])", re.IGNORECASE)
_PROJECTION_END = re.compile(r"(?<![\w?$:])(?:WHERE|FROM)(?![\w:-])|\{", re.IGNORECASE)
_MODIFIER = re.compile(r"\s*" + _MODIFIER_WORD, re.IGNORECASE)


def _projection_mistake(code: str, start: int) -> tuple[str, int, int] | None:
    """A beginner's SELECT clause: commas between variables, an expression without its
    parentheses, or one in parentheses without ``AS ?name``."""
    end = _PROJECTION_END.search(code, start)
    stop = end.start() if end else len(code)
    modifier = _MODIFIER.match(code, start)
    i = modifier.end() if modifier else start
    while i < stop:
        ch = code[i]
        if ch.isspace():
            i += 1
        elif ch == ",":
            return ("SELECT lists its variables with spaces between them, not commas: "
                    "SELECT ?a ?b", *_place(code, i))
        elif ch == "(":
            j = _matching_paren(code, i, stop)
            j = stop if j is None else j  # unclosed: the rest of the projection
            group = code[i:j + 1]
            if not re.search(r"(?<![\w?$:])AS\s*[?$]", group, re.IGNORECASE):
                return ("an expression in SELECT needs a name: (COUNT(?x) AS ?n)",
                        *_place(code, i))
            i = j + 1
        elif ch in "?$" or ch == "*":
            i += 1
            while i < stop and (code[i].isalnum() or code[i] == "_"):
                i += 1
        else:
            word = re.match(r"[^\s(),]+", code[i:stop])
            if word and i + len(word[0]) < stop and code[i + len(word[0]):stop].lstrip()[:1] == "(":
                return (f"an expression in SELECT goes in parentheses with a name: "
                        f"({word[0]}(...) AS ?name)", *_place(code, i))
            return None  # something the parser will name better
    return None


#: A blank node where DESCRIBE takes its terms: a label (``_:b``) or ``[]`` (ANON).
_BLANK_TERM = re.compile(r"(?<![\w?$:.-])(?:_:[\w.-]*|\[\s*\])")


def _described_blank_node(code: str, start: int, limit: int) -> tuple[str, int, int] | None:
    """A blank node among ``DESCRIBE``'s terms (``DESCRIBE _:b``), before ``limit``: the
    grammar (SPARQL 1.1, 16.4) takes variables and IRIs only, and the parser lists every
    character a name may begin with."""
    end = _PROJECTION_END.search(code, start)
    blank = _BLANK_TERM.search(code, start, end.start() if end else len(code))
    if blank is None or blank.start() > limit:
        return None
    return (f"DESCRIBE takes variables and IRIs, not a blank node ('{blank[0]}'): a blank "
            "node's label names nothing outside its query; find the node by a pattern: "
            "DESCRIBE ?b WHERE { ?s ?p ?b FILTER(isBlank(?b)) }", *_place(code, blank.start()))


#: LIMIT or OFFSET, and what follows it when that is no whole number (SPARQL 1.1, 18.1.13).
_SLICE = re.compile(r"(?<![\w?$:.-])(LIMIT|OFFSET)(?![\w:-])\s*+(?!\d+(?![\w.]))",
                    re.IGNORECASE)
#: GROUP BY or ORDER BY followed by another clause, the end of a group or of the query.
_EMPTY_CONDITION = re.compile(
    r"(?<![\w?$:.-])(GROUP|ORDER)\s+BY(?![\w:-])\s*"
    r"(?=$|\}|(?:GROUP|ORDER|HAVING|LIMIT|OFFSET|VALUES)(?![\w:-]))", re.IGNORECASE)
_WORD_AT = re.compile(r"[^\s{}()]+|\S?")


def _modifier_mistake(code: str, text: str, limit: int) -> tuple[str, int, int] | None:
    """``LIMIT`` or ``OFFSET`` followed by no whole number, or a ``GROUP BY`` or ``ORDER BY``
    naming nothing, before ``limit`` (the parser lists the tokens it expected)."""
    m = _SLICE.search(code)
    if m is not None and m.start() <= limit:
        word = m[1].upper()
        value = _WORD_AT.match(text, m.end())[0]
        found = f"not '{value[:40]}'" if value else "found nothing"
        return (f"{word} takes a whole number of rows ({word} 10), {found}",
                *_place(code, m.end() if value else m.start()))
    m = _EMPTY_CONDITION.search(code)
    if m is not None and m.start() <= limit:
        what = ("to group by (GROUP BY ?x)" if m[1].upper() == "GROUP"
                else "to sort by (ORDER BY ?x, or DESC(?x))")
        return (f"{m[1].upper()} BY names nothing: give it a variable or an expression {what}",
                *_place(code, m.start()))
    return None


_PN_PREFIX = r"[^\W\d_](?:[\w.-]*[\w-])?"
#: A token of a triple pattern, in a text whose comments, strings and IRIs are blanked in place:
#: an RDF term (a literal with its language or datatype), or the punctuation that ends or
#: opens one; anything else (a keyword, a path's operator, a bracket, a blank node's
#: property list) is "other", and ends the reading.
_TRIPLE_TOKEN = re.compile(
    r"(?P<term>(?:\"[^\"]*\"|'[^']*')(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*"
    f"|\\^\\^(?:<\\s*>|(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?))?"
    r"|<\s*>|[?$]" + _VARNAME_CHAR + r"+|_:[\w.-]*\w|\[\s*\]"
    r"|[+-]?(?:\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+|\d*\.\d+|\d+)(?![\w.]\d)"
    f"|(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"
    r"|(?<![\w:])(?:a|true|false)(?![\w:-]))"
    r"|(?P<punct>[.;,{}])|(?P<other>\w+|\S)")


def _missing_object(code: str, text: str, limit: int) -> tuple[str, int, int] | None:
    """The first triple pattern before ``limit`` whose predicate is followed by ``.``, ``;``,
    ``,`` or ``}`` where its object should be, or a ``,`` followed by no object (the parser
    lists the tokens it expected, and stops there or further on, after a closing brace).
    A ``FILTER``, ``BIND``, ``OPTIONAL``... ends the triples before it as ``.`` does, and
    after ``FILTER(...)`` or ``BIND(...)`` triples may follow without one. Only patterns of
    plain terms are read, a property path (negated and bracketed ones too), a collection and
    a blank node's property list counting as one term (:func:`_joined`), the property list
    (and a collection) read inside for a predicate without its object: one with a keyword is
    the parser's to name, and so is any other mistake in a pattern read before it. Also a
    term that follows a whole triple pattern with no ``.`` or ``;`` before it, and a
    predicate's path that ends with ``/`` or ``|``."""
    # the parser stops on the punctuation or after it
    tokens = _joined([t for t in _TRIPLE_TOKEN.finditer(code)
                      if t.start() < limit or (t.start() == limit and (
                          t.lastgroup == "punct" or t[0] in ")]"))])
    stretch: list = []
    plain = False  # no triple pattern before the first brace
    i = 0
    while i < len(tokens):
        token = tokens[i]
        word = token[0].upper() if token.lastgroup == "other" else ""
        if word in _NOT_TRIPLES:
            # a FILTER, BIND, OPTIONAL...: it ends the triples before it, as "." does, and
            # triples may follow it without one (SPARQL 1.1, 19.8: GroupGraphPatternSub)
            if plain and stretch:
                found = _pattern_without_object(stretch + [token], text, code)
                if found is not None:
                    return found or None
            stretch, plain = [], False
            end = _call_end(tokens, i) if word in ("FILTER", "BIND") else None
            if end is not None:  # FILTER(...), FILTER fn(...), BIND(...): triples may follow
                i, plain = end + 1, True
                continue
            i += 1  # the others (and FILTER EXISTS) go on with a group: its brace resets
            continue
        i += 1
        if token[0] not in "{}.":
            if plain and token.lastgroup == "other" and token[0] in "/|":
                found = _path_cut_short(stretch, token, tokens[i] if i < len(tokens) else None,
                                        text, code)
                if found is not None:
                    return found
            plain = plain and token.lastgroup != "other"
            stretch.append(token)
            if plain:
                found = _inner_without_object(token, text, code)
                if found is not None:
                    return found or None
            continue
        if plain and stretch and token[0] in ".}":
            found = _pattern_without_object(stretch + [token], text, code)
            if found is not None:
                return found or None
        stretch = []
        plain = token[0] != "{" or not _values_block(tokens, i - 1)
    if plain and len(stretch) > 1 and stretch[-1][0] in ";,":  # the parser stopped after it
        return _pattern_without_object(stretch, text, code) or None
    if plain and len(stretch) > 3:  # the parser stopped in it: read what there is
        return _pattern_without_object(stretch, text, code, open_end=True) or None
    return None


def _no_semicolon_inside(code: str, text: str, limit: int) -> tuple[str, int, int] | None:
    """Inside a blank node's property list left open where the parser stopped, at a term:
    the predicate and object before it with no ``;`` between (``[ ex:p ?o ex:r ?v ]``; the
    parser lists the ``,``, ``;`` and ``]`` it expected there)."""
    tokens = list(_TRIPLE_TOKEN.finditer(code, 0, len(code)))
    at = next((k for k, t in enumerate(tokens) if t.start() >= limit), None)
    if at is None or tokens[at].start() != limit or tokens[at].lastgroup != "term":
        return None
    opened: list[int] = []
    for k in range(at):
        if tokens[k][0] == "[":
            opened.append(k)
        elif tokens[k][0] == "]" and opened:
            opened.pop()
        elif tokens[k][0] in "{}.":
            opened.clear()
    if not opened:
        return None
    inside = _joined(tokens[opened[-1] + 1:at])
    last = _split(inside, ";")[-1]
    parts = _split(last[1:] if last and last[0][0] == ";" else last, ",")
    pair, objects = parts[0], [part[1:] for part in parts[1:]]
    if (len(pair) != 2 or any(len(o) != 1 for o in objects)
            or any(t.lastgroup != "term" for t in pair + [o[0] for o in objects])
            or not _verb_like(pair[0])):
        return None
    if objects:
        return _run_on(text, code, "the object {} after ',' inside [ ... ] is", objects[-1],
                       tokens[at], _SEMICOLON_INSIDE) or None
    return _run_on(text, code, "the predicate and object {} inside [ ... ] are", pair,
                   tokens[at], _SEMICOLON_INSIDE) or None


#: Keywords of a group that begin something other than triples (SPARQL 1.1, 19.8:
#: GraphPatternNotTriples and Filter).
_NOT_TRIPLES = frozenset({"FILTER", "BIND", "OPTIONAL", "MINUS", "GRAPH", "SERVICE", "VALUES"})


def _call_end(tokens: list, at: int) -> int | None:
    """Where the parentheses of the FILTER or BIND at ``tokens[at]`` close: ``FILTER(...)``,
    ``FILTER fn(...)`` with a function named by a word, a prefixed name or an IRI, ``BIND(...)``;
    None for ``FILTER EXISTS`` and what is no call (the parser's to read)."""
    i = at + 1
    if (i + 1 < len(tokens) and tokens[i + 1][0] == "(" and tokens[at][0].upper() == "FILTER"
            and (tokens[i].lastgroup == "term" or tokens[i][0].isalpha())
            and tokens[i][0][:1] not in "?$\"'" and tokens[i][0].upper() not in (
                "EXISTS", "NOT")):
        i += 1
    if i >= len(tokens) or tokens[i][0] != "(":
        return None
    return _closing(tokens, i, "()")


def _closing(tokens: list, at: int, pair: str) -> int | None:
    """The index of the token that closes the bracket ``tokens[at]`` opens (``pair``: "()" or
    "[]"), brackets balanced; None where it is not closed, or a brace or a dot comes first
    (not read here)."""
    depth = 0
    for j in range(at, len(tokens)):
        depth += {pair[0]: 1, pair[1]: -1}.get(tokens[j][0], 0)
        if depth == 0:
            return j
        if tokens[j][0] in "{}.":
            return None
    return None


class _Joined:
    """Tokens read as one term of a triple pattern: a property path, or a blank node's
    property list ``[ ... ]``; shaped as the token matches it replaces."""

    __slots__ = ("_text", "_start", "_end", "lastgroup", "property_list", "inside", "atom",
                 "string")

    def __init__(self, code: str, first, last, *, property_list: bool = False,
                 inside: list | None = None, atom: bool = False):
        self.string = code  # as a match's: the text read
        self._start, self._end = first.start(), last.end()
        self._text = code[self._start:self._end]
        self.lastgroup = "term"
        self.property_list = property_list
        self.inside = inside or []  # a property list's or bracket's tokens, inside it
        self.atom = atom  # a negated or bracketed path, or a collection

    def __getitem__(self, group: int) -> str:
        return self._text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end


def _iri_like(token) -> bool:
    """An IRI, a prefixed name or ``a``: what a property path is made of."""
    text = token[0]
    return token.lastgroup == "term" and (getattr(token, "atom", False) or text[0] == "<"
                                          or text == "a" or (
        ":" in text and text[0] not in "?$\"'_[+-.0123456789"))


def _atoms(tokens: list) -> list:
    """``tokens`` with each negated path (``!ex:p``, ``!(ex:p|^ex:q)``) and each bracket
    ``( ... )`` where a triple pattern may hold one (after a term, or a ``{``, ``.``, ``;``,
    ``,``, ``[``, ``/``, ``|``, ``^``, or a ``FILTER(...)`` or ``BIND(...)``: a bracketed path
    or a collection, which only the place tells apart) made one token; never the arguments of
    a call, ``FILTER ex:f(?o)``. Brackets balanced, no brace or dot inside; a collection the
    parser stopped in, where it holds a blank node's properties, up to there."""
    code = tokens[0].string if tokens else ""
    out: list = []
    after_call = -1  # the length of ``out`` just after a FILTER(...) or BIND(...)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.lastgroup == "other" and token[0].upper() in ("FILTER", "BIND") and (
                end := _call_end(tokens, i)) is not None:
            out.extend(tokens[i:end + 1])  # a call's arguments hold no triple pattern
            i = end + 1
            after_call = len(out)
            continue
        start = i
        if token[0] == "!" and i + 1 < len(tokens) and (
                _iri_like(tokens[i + 1]) or tokens[i + 1][0] == "("):
            i += 1
            if tokens[i][0] != "(":
                out.append(_Joined(code, token, tokens[i], atom=True))
                i += 1
                continue
        if tokens[i][0] == "(" and (start < i or len(out) == after_call
                                    or _holds_a_bracket(out)):
            j = _closing(tokens, i, "()")
            if j is not None:
                out.append(_Joined(code, token, tokens[j], atom=True, inside=tokens[i + 1:j]))
                i = j + 1
                continue
            inside = tokens[i + 1:]
            if any(t[0] == "[" for t in inside) and not any(t[0] in "{}." for t in inside):
                # the parser stopped inside it ("( 1 [ ex:p ]"), as no path holds a '[': a
                # collection, read up to there
                out.append(_Joined(code, token, tokens[-1], atom=True, inside=inside))
                break
        out.extend(tokens[start:i + 1])
        i += 1
    return out


def _holds_a_bracket(before: list) -> bool:
    """Whether a ``(`` after the tokens ``before`` is a term of a triple pattern."""
    if not before:
        return False
    last = before[-1]
    if last.lastgroup == "term":  # a call's arguments follow a function's IRI in FILTER
        return not (len(before) > 1 and before[-2][0].upper() == "FILTER")
    return last[0] in ("{", ".", ";", ",", "[", "/", "|", "^")


def _joined(tokens: list) -> list:
    """``tokens`` with each property path (``ex:p/ex:q``, ``ex:p|ex:q``, ``^ex:p``,
    ``ex:p*``, ``+`` or ``?``, a negated or bracketed one: :func:`_atoms`), each collection and
    each blank node's property list ``[ ... ]`` (brackets balanced, no brace or dot inside)
    made one term, so that a pattern with them is read as one of plain terms."""
    tokens = _atoms(tokens)
    code = tokens[0].string if tokens else ""
    out: list = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token[0] == "[" and (j := _closing(tokens, i, "[]")) is not None:
            out.append(_Joined(code, token, tokens[j], property_list=True,
                               inside=tokens[i + 1:j]))
            i = j + 1
            continue
        if token[0] == "[" and i + 1 < len(tokens) and tokens[-1][0] in ";,]" and not any(
                t[0] in "{}." for t in tokens[i + 1:]):
            # the parser stopped at a ';', ',' or inner ']' inside it ("[ ex:p ; ..."): read
            # it up to there
            out.append(_Joined(code, token, tokens[-1], property_list=True,
                               inside=tokens[i + 1:]))
            break
        end = _path_end(tokens, i)
        if end > i:
            out.append(_Joined(code, token, tokens[end]))
            i = end + 1
            continue
        out.append(token)
        i += 1
    return out


def _path_end(tokens: list, i: int) -> int:
    """The index of the last token of a property path of IRIs beginning at ``tokens[i]`` that
    has an operator (one IRI alone is no path: ``i - 1`` where none begins), adjacent tokens
    only (``ex:p / ex:q`` too: the grammar allows spaces)."""

    def step(k: int) -> int | None:  # [^] iri [*+?]: the index after it, or None
        if k < len(tokens) and tokens[k][0] == "^":
            k += 1
        if k >= len(tokens) or not _iri_like(tokens[k]):
            return None
        k += 1
        if k < len(tokens) and tokens[k][0] in ("*", "+", "?"):
            k += 1
        return k

    k = step(i)
    if k is None:
        return i - 1
    operators = k - i > 1 or tokens[i][0] == "^"
    while k < len(tokens) and tokens[k][0] in ("/", "|"):
        after = step(k + 1)
        if after is None:
            break
        k, operators = after, True
    return k - 1 if operators else i - 1


def _values_block(tokens: list[re.Match[str]], brace: int) -> bool:
    """Whether the ``{`` at ``tokens[brace]`` opens the data of ``VALUES`` (no triples)."""
    before = brace - 1
    while before >= 0 and (tokens[before][0] in "()" or tokens[before][0][0] in "?$"):
        before -= 1
    return before >= 0 and tokens[before][0].upper() == "VALUES"


def _property_list_without_object(listed: _Joined, text: str, code: str
                                  ) -> tuple[str, int, int] | tuple[()] | None:
    """Inside a blank node's property list ``[ ... ]``: the mistake if one of its predicates
    (or a ``,``) has no object; ``()`` where it is at fault otherwise (the parser's to name);
    None where it is well formed (``[]`` too)."""
    segments = _split(_joined(listed.inside), ";")
    closing = listed.end() - 1  # the "]"
    for index, segment in enumerate(segments):
        terms = segment[1:] if index else segment
        if not terms:
            continue  # '[]', or ';' repeated or last
        parts = _split(terms, ",")
        head = parts[0]
        for term in (t for part in parts for t in part):
            found = _inner_without_object(term, text, code)
            if found is not None:
                return found
        if len(head) == 1:
            after = (parts[1][0].start() if len(parts) > 1 else
                     segments[index + 1][0].start() if index + 1 < len(segments) else closing)
            return (f"the predicate {_shown(text, head)} inside [ ... ] has no object: a blank "
                    "node's properties are each a predicate and its object "
                    "([ ex:p ?o ; ex:q ?v ])", *_place(code, after))
        plain = all(t.lastgroup == "term" for part in parts for t in part if t[0] != ",")
        if len(head) > 2 and plain and _verb_like(head[0]):
            return _run_on(text, code, "the predicate and object {} inside [ ... ] are", head[:2],
                           head[2], _SEMICOLON_INSIDE)
        if len(head) != 2:
            return ()
        found = _comma_without_object(parts, text, code, _SEMICOLON_INSIDE if plain
                                      and _verb_like(head[0]) else None)
        if found is not None:
            return found
    return None


def _inner_without_object(term, text: str, code: str) -> tuple[str, int, int] | tuple[()] | None:
    """:func:`_property_list_without_object` of a blank node's property list, and of each
    one a collection holds (``( 1 [ ex:p ] )``, nested too); None for other terms."""
    if getattr(term, "property_list", False):
        return _property_list_without_object(term, text, code)
    if getattr(term, "atom", False) and term[0].startswith("("):
        for inner in _joined(term.inside):
            found = _inner_without_object(inner, text, code)
            if found is not None:
                return found
    return None


def _verb_like(token) -> bool:
    """A variable, an IRI or a property path: what may be a triple pattern's predicate (a
    collection may not)."""
    if token[0][:1] in ("?", "$"):
        return True
    if not _iri_like(token):
        return False
    return not token[0].startswith("(") or bool(token.inside) and all(
        _iri_like(t) or t[0] in "/|^*+?!()" for t in token.inside)


#: After a term that follows a whole triple pattern (or a property list's predicate and
#: object) with no punctuation: what goes between.
_SEMICOLON_OR_DOT = ("with no '.' or ';' between: '.' ends a triple pattern, ';' gives its "
                     "subject another predicate and object (?s ?p ?o ; ?q ?v)")
_SEMICOLON_INSIDE = ("with no ';' between: a blank node's properties are separated by ';' "
                     "([ ex:p ?o ; ex:q ?v ])")


def _run_on(text: str, code: str, what: str, before: list, extra, between: str
            ) -> tuple[str, int, int] | tuple[()]:
    """The message for the term ``extra`` following ``before`` (``what`` shows them) with
    nothing between, at ``extra``; ``()`` where two of these terms touch, as a name read
    as two would (``?x:a`` is no variable, W3C syn-bad-pname-10): the parser's to name."""
    terms = [*before, extra]
    if any(a.end() >= b.start() for a, b in pairwise(terms)):
        return ()
    return (f"{what.format(_shown(text, before))} followed by {_shown(text, [extra])} "
            f"{between}", *_place(code, extra.start()))


def _path_cut_short(stretch: list, operator, following, text: str, code: str
                    ) -> tuple[str, int, int] | None:
    """A triple pattern's predicate, a property path, ending with the ``/`` or ``|``
    ``operator`` (after the last of the ``stretch`` so far), no step following it but a term,
    punctuation or nothing (the parser stopped there: it lists every character a step may
    begin with)."""
    if not stretch or not _iri_like(stretch[-1]):
        return None
    if not ((len(stretch) == 2 and stretch[0][0] not in ";,")
            or (len(stretch) > 2 and stretch[-2][0] == ";")):
        return None  # not where a predicate is
    if following is not None and following.lastgroup == "other":
        return None  # '^', '!', '<<'...: the parser's to name
    at = following.start() if following is not None else re.compile(r"\s*").match(
        code, operator.end()).end()
    next_step = ("'/' is followed by the path's next step (ex:p/ex:q)" if operator[0] == "/"
                 else "'|' is followed by the other path (ex:p|ex:q)")
    return (f"the property path {_shown(text, [stretch[-1], operator])} ends with "
            f"'{operator[0]}': {next_step}", *_place(code, at))


def _split(tokens: list, mark: str) -> list[list]:
    """``tokens`` in runs, a new one at each ``mark`` token (``;`` or ``,``), which begins it."""
    runs: list[list] = [[]]
    for token in tokens:
        if token[0] == mark:
            runs.append([])
        runs[-1].append(token)
    return runs


def _shown(text: str, terms: list) -> str:
    """The text of ``terms`` (from the first's start to the last's end) as a message shows it:
    white space collapsed, at most 60 characters."""
    shown = " ".join(text[terms[0].start():terms[-1].end()].split())
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _comma_without_object(parts: list[list], text: str, code: str, between: str | None = None
                          ) -> tuple[str, int, int] | tuple[()] | None:
    """Of a predicate's objects split at ``,`` (:func:`_split`; the first with the subject and
    predicate, checked by the caller): the mistake of a ``,`` with no object after it, or,
    given what goes ``between`` (the terms are plain), of a term following an object;
    ``()`` where an object is more than one term otherwise (the parser's to name); None where
    each is one."""
    for part in parts[1:]:
        if len(part) == 1:  # a ',' alone
            return ("this ',' is followed by no object: ',' gives the subject and "
                    "predicate before it another object (?s ?p ?o1 , ?o2)",
                    *_place(code, part[0].start()))
        if len(part) > 2 and between is not None:
            where = " inside [ ... ]" if between is _SEMICOLON_INSIDE else ""
            return _run_on(text, code, "the object {} after ','" + where + " is", part[1:2],
                           part[2], between)
        if len(part) != 2:
            return ()
    return None


def _pattern_without_object(stretch: list[re.Match[str]], text: str, code: str, *,
                            open_end: bool = False) -> tuple[str, int, int] | tuple[()] | None:
    """A triple pattern of plain terms (and ``;``, ``,``), ending with the punctuation that
    ends it: the mistake if one of its objects is missing, or a term follows one with no
    punctuation; ``()`` where it is at fault otherwise (the parser's to name); None where it
    is well formed. With ``open_end``, the pattern as far as the parser read it, with no
    punctuation ending it: only a term following an object is told."""
    ends_with = stretch[-1]
    segments = _split(stretch if open_end else stretch[:-1], ";")
    for index, segment in enumerate(segments):
        if index and not any(t.lastgroup == "term" for t in segment):
            continue  # ';' may be repeated, or end a pattern
        parts = _split(segment[1 if index else 0:], ",")
        head = [t for t in parts[0] if t[0] != ","]
        need = 2 if index else 3
        if (not index and len(head) == 1 and len(parts) == len(segments) == 1
                and getattr(head[0], "property_list", False)):
            continue  # "[ ex:p ?o ] ." is a whole triple pattern
        if len(head) > need and _verb_like(head[need - 2]):
            what = "the predicate and object {} after ';' are" if index else (
                "the triple pattern {} is")
            return _run_on(text, code, what, head[:need], head[need], _SEMICOLON_OR_DOT)
        if open_end and index == len(segments) - 1 and len(parts) == 1:
            return ()  # it may go on past where the parser stopped
        if len(head) == need - 1:
            after = (parts[1][0] if len(parts) > 1 else  # the token where the object is not
                     segments[index + 1][0] if index + 1 < len(segments) else ends_with)
            if index:
                return (f"the predicate {_shown(text, head)} after ';' has no object: ';' is "
                        "followed by another predicate and its object (?s ?p ?o ; ?q ?v)",
                        *_place(code, after.start()))
            return (f"the triple pattern {_shown(text, head)} has no object: a triple pattern "
                    "is a subject, a predicate and an object (?s ?p ?o)",
                    *_place(code, after.start()))
        if len(head) != need:
            return ()
        found = _comma_without_object(parts, text, code,
                                      _SEMICOLON_OR_DOT if _verb_like(head[need - 2]) else None)
        if found is not None:
            return found
    return None


_inspected: BoundedCache[tuple[str, int], QueryInfo] = BoundedCache(512)


def inspect_query(text: str, max_depth: int) -> QueryInfo:
    """:func:`_inspect_query`, remembering the last few hundred queries that passed."""
    key = (text, max_depth)
    info = _inspected.get(key)
    if info is None:
        info = _inspect_query(text, max_depth)
        if len(text) <= 16384:
            _inspected.remember(key, info)
    return info


def _inspect_query(text: str, max_depth: int) -> QueryInfo:
    """Check a query before it is run and say what it is.

    Raises :class:`UpdateRefused` (403) for SPARQL Update, :class:`QueryTooComplex` (400) for
    brackets nested deeper than ``max_depth``, :class:`InputError` (400) for NUL characters,
    an empty query or ``SERVICE``. ``form`` is empty when no query form follows the prologue:
    the text is not a query, and the engine's parser will say why.
    """
    if "\x00" in text:
        raise InputError("the query contains a NUL character")
    code = _LEXICAL.sub(_blank, text)
    openers = code.count("(") + code.count("[") + code.count("{")
    if openers > max_depth:
        # Brackets inside IRIs count too: the check must never undercount.
        iri_brackets = sum(m.count("(") + m.count("[") for m in re.findall(r"<[^>]*>", text))
        depth = _depth(code) + iri_brackets
        if depth > max_depth:
            raise QueryTooComplex(
                f"the query nests brackets {depth} deep; kg accepts at most {max_depth} "
                "(setting max_query_depth)")
    form_match = _PROLOGUE_THEN_FORM.match(code)
    form = form_match[1].upper() if form_match else ""
    if form in UPDATE_KEYWORDS:
        raise UpdateRefused("SPARQL Update is not accepted: this endpoint is read-only")
    if form not in QUERY_FORMS:
        if not code.strip():
            raise InputError("the query is empty")
        # Not a query: the engine's parser says where and why (line and column).
        return QueryInfo("", False)
    if _SERVICE.search(code):
        raise InputError("SERVICE (federated query) is not available: kg answers from its "
                         "own store only and never fetches from the network")
    if _AGGREGATE_CALL.search(code) and _EXPRESSION_CLAUSE.search(code):
        misplaced = _misplaced_aggregate(text)
        if misplaced is not None:
            raise ParseError(misplaced[0], line=misplaced[1], column=misplaced[2])
    return QueryInfo(form, _FROM.search(code) is not None, _VOLATILE.search(code) is not None,
                     form == "SELECT" and _SELECT_STAR.match(code) is not None)


#: An aggregate's call, and the clauses whose expression is evaluated per solution.
_AGGREGATE_CALL = re.compile(r"(?<![\w?$:@.-])(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(",
                             re.IGNORECASE)
_EXPRESSION_CLAUSE = re.compile(r"(?<![\w?$:@.-])(FILTER|BIND)\s*\(", re.IGNORECASE)


def _misplaced_aggregate(text: str) -> tuple[str, int, int] | None:
    """The first aggregate (``COUNT``, ``SUM``...) called in a ``FILTER(...)`` or ``BIND(...)``:
    (message, line, column). SPARQL 1.1, 11.1: aggregates may only be used in SELECT, HAVING
    and ORDER BY; the grammar lets them into any expression, and pyoxigraph evaluates one in
    a FILTER as if the query were grouped. One in a subquery inside the expression
    (``FILTER EXISTS { SELECT (COUNT(*) AS ?n) ... }``) is that subquery's, and allowed."""
    code = _LEXICAL.sub(_blank_keeping_places, text)
    for clause in _EXPRESSION_CLAUSE.finditer(code):
        close = _matching_paren(code, clause.end() - 1, len(code))
        end = len(code) if close is None else close
        braces = 0
        for j in range(clause.end(), end):
            ch = code[j]
            if ch in "{}":
                braces += 1 if ch == "{" else -1
            elif braces == 0 and ch in "cCsSmMaAgG" and (
                    call := _AGGREGATE_CALL.match(code, j)) is not None:
                name, where = call[1].upper(), clause[1].upper()
                fix = ("filter the groups with HAVING, after GROUP BY: "
                       f"GROUP BY ?x HAVING({name}(?y) > 1)" if where == "FILTER" else
                       f"compute it in SELECT, ({name}(?y) AS ?n), in a subquery if it is "
                       "to be joined with other patterns")
                return (f"{name} is an aggregate, which SPARQL allows only in SELECT, HAVING "
                        f"and ORDER BY, not in {where}: {fix}", *_place(code, j))
    return None


def text_order(text: str, names: list[str]) -> list[str]:
    """``names`` (a result's variables) in the order they first appear in the query ``text``,
    strings, IRIs and comments aside; a name the text does not show stays after the others, in
    its place in ``names``. The same names, never one more or less: the query is not parsed
    again, only read."""
    wanted = set(names)
    found: dict[str, None] = {}
    for match in _VARIABLE.finditer(_LEXICAL.sub(_blank, text)):
        name = match[1]
        if name in wanted and name not in found:
            found[name] = None
            if len(found) == len(wanted):
                break
    return [*found, *(n for n in names if n not in found)]


def select_star_order(info: QueryInfo, text: str, result: object) -> list[str] | None:
    """The columns of ``result`` in the order of the ``text`` where the query is a top-level
    ``SELECT *`` (``info``, read once per query text), else None: the writer's order stands.
    Only names: ``result`` is not read further."""
    if not info.select_star:
        return None
    variables = getattr(result, "variables", None)
    if variables is None:
        return None
    return text_order(text, [v.value for v in variables])


def result_columns(info: QueryInfo, text: str, result: object) -> list[str]:
    """The columns of the SELECT ``result`` as they are shown: in the order of the ``text``
    for a top-level ``SELECT *`` (:func:`select_star_order`), else the writer's."""
    return (select_star_order(info, text, result)
            or [v.value for v in result.variables])  # type: ignore[attr-defined]
