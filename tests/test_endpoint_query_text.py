"""Reading a query before it runs: form, update, nesting depth, SERVICE, FROM."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.endpoint.query_text import (
    dataset_clauses,
    diagnose,
    has_from,
    inspect_query,
    query_dataset,
    text_order,
    undeclared_prefix,
)
from kg.errors import InputError, ParseError, QueryTooComplex, UpdateRefused


@pytest.mark.parametrize("text, form, has_from", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT", False),
    ("ask{}", "ASK", False),
    ("PREFIX select: <http://x/> BASE <http://b/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT",
     False),
    ("# a comment with SELECT\nDESCRIBE <http://x>", "DESCRIBE", False),
    ("SELECT * FROM <http://g> { ?s ?p ?o }", "SELECT", True),
    ("SELECT * FROM NAMED <http://g> { GRAPH ?g { ?s ?p ?o } }", "SELECT", True),
    ("SELECT ?from WHERE { ?s ex:from \"FROM\" }", "SELECT", False),
    ("hello", "", False),
])
def test_form_and_dataset_clause(text, form, has_from):
    info = inspect_query(text, 200)
    assert (info.form, info.has_dataset_clause) == (form, has_from)


@pytest.mark.parametrize("text", [
    "INSERT DATA { <a:b> <a:c> <a:d> }", "PREFIX x: <http://x/> delete where { ?s ?p ?o }",
    "LOAD <http://example.org/x>", "CLEAR ALL", "DROP GRAPH <a:g>", "WITH <a:g> DELETE {} WHERE {}",
    "CREATE GRAPH <a:g>", "COPY <a:g> TO <a:h>", "MOVE DEFAULT TO <a:h>", "ADD <a:g> TO <a:h>",
])
def test_updates_are_refused(text):
    with pytest.raises(UpdateRefused):
        inspect_query(text, 200)


def test_depth_counts_brackets_outside_strings_and_comments():
    assert inspect_query('SELECT * { FILTER(STR(?x) = "' + "(" * 500 + '") }', 10).form
    assert inspect_query("SELECT * { ?s ?p ?o } # " + "(" * 500, 10).form
    with pytest.raises(QueryTooComplex):
        inspect_query("SELECT * { FILTER(" + "(" * 11 + "1" + ")" * 11 + ") }", 10)
    # A "#" inside an IRI does not start a comment that could hide brackets.
    with pytest.raises(QueryTooComplex):
        inspect_query("SELECT * { ?s <http://x#y> ?o FILTER(" + "(" * 20 + "1" + ")" * 20
                      + ") }", 10)


@pytest.mark.parametrize("text", [
    "SELECT * { SERVICE <http://x> { ?s ?p ?o } }",
    "SELECT * { ?a ?b ?c .service <http://x> { ?s ?p ?o } }",
    "SELECT * { SERVICE SILENT ?g { ?s ?p ?o } }",
])
def test_service_is_refused(text):
    with pytest.raises(InputError, match="SERVICE"):
        inspect_query(text, 200)


@pytest.mark.parametrize("text", [
    'SELECT * { ?s ?p "SERVICE" }', "SELECT ?service { ?service ?p ?o }",
    "SELECT * { ?s ex:SERVICE ?o }", "SELECT * { ?s <http://x/SERVICE> ?o }",
])
def test_the_word_service_elsewhere_is_fine(text):
    assert inspect_query(text, 200).form == "SELECT"


def test_nul_and_empty_are_input_errors():
    with pytest.raises(InputError, match="NUL"):
        inspect_query("ASK {}\x00", 200)
    with pytest.raises(InputError, match="empty"):
        inspect_query("  # nothing\n", 200)


@pytest.mark.parametrize("text, default, named", [
    ("SELECT * FROM <http://e/a> FROM NAMED <http://e/b> { ?s ?p ?o }",
     ["http://e/a"], ["http://e/b"]),
    ("PREFIX g: <http://e/g/>\nSELECT * from g:a # a comment\nFROM # another\n  g:b\n"
     "FROM NAMED\tg:c WHERE { ?s ?p ?o }", ["http://e/g/a", "http://e/g/b"], ["http://e/g/c"]),
    ('SELECT * WHERE { ?s ?p "FROM <http://e/x>" } # FROM <http://e/y>', [], []),
    ("SELECT ?from WHERE { ?from ?p <http://e/FROM> }", [], []),
])
def test_dataset_clauses(text, default, named):
    assert dataset_clauses(text) == (default, named)
    assert has_from(text) == bool(default or named)


@pytest.mark.parametrize("text, default, named", [
    ("SELECT * FROM <http://e/a> FROM <http://e/b> FROM <http://e/a> FROM NAMED <http://e/c> "
     "FROM NAMED <http://e/c> { ?s ?p ?o }", ["http://e/a", "http://e/b"], ["http://e/c"]),
    ("PREFIX g: <http://e/>\nSELECT * FROM g:a FROM <http://e/a> { ?s ?p ?o }",
     ["http://e/a"], []),
    ("SELECT * { ?s ?p ?o }", [], []),
    # No space where the grammar needs none; local names with ':', '%XX' and escapes.
    ("PREFIX g:<http://e/>\nSELECT * FROM<http://e/a> FROM NAMED<http://e/b> FROM g:a { }",
     ["http://e/a"], ["http://e/b"]),
    ("PREFIX g: <http://e/>\nSELECT * FROM g:a:b\\.c%41 FROM NAMED g: { }",
     ["http://e/a:b.c%41"], ["http://e/"]),
])
def test_query_dataset_names_each_graph_once(text, default, named):
    assert query_dataset(text) == (default, named)


@pytest.mark.parametrize("text", [
    "SELECT * FROM g:a { ?s ?p ?o }",  # an undeclared prefix
    "SELECT * FROM g:urn:x:a { ?s ?p ?o }",  # the same, though its local name looks absolute
    "SELECT * FROM <a> { ?s ?p ?o }",  # a relative IRI, no base
    "SELECT * FROM { ?s ?p ?o }",  # no IRI
    "PREFIX g: <http://e/>\nSELECT * FROM <http://e/a> FROM g:a\\#b FROM g:c { ?s ?p ?o }",
])
def test_query_dataset_leaves_what_it_cannot_read_to_the_engine(text):
    assert query_dataset(text) is None


def test_dataset_clauses_resolve_relative_iris():
    text = ("BASE <http://e/data/>\nPREFIX g: <graphs/>\n"
            "SELECT * FROM <a> FROM g:b FROM NAMED <../c> FROM <urn:x:d> { ?s ?p ?o }")
    assert dataset_clauses(text) == (
        ["http://e/data/a", "http://e/data/graphs/b", "urn:x:d"], ["http://e/c"])
    assert dataset_clauses("SELECT * FROM <g1> { ?s ?p ?o }", "http://e/sparql") == (
        ["http://e/g1"], [])
    assert dataset_clauses("SELECT * FROM <g1> { ?s ?p ?o }") == (["g1"], [])


@pytest.mark.parametrize("text, found", [
    ("SELECT * { ?s rdfs:label ?o }", ("rdfs", 1, 15)),
    ("SELECT * { ?s ex: <http://o> }", ("ex", 1, 15)),  # a bare prefix, then an IRI
    ("SELECT * { ?s ?p :x }", ("", 1, 18)),
    ('SELECT * { ?s ?p "1"^^xsd:integer }', ("xsd", 1, 23)),
    ("PREFIX ex: <http://e/>\nSELECT * {\n  ?s ex:p [ ab:c ?d ] }", ("ab", 3, 13)),
    # declared (any case, no space before the IRI); in strings, IRIs, comments; blank nodes
    ("prefix ex:<http://e/>\nSELECT * { ?s ex:p ?o }", None),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:p 'a:b', <http://x:1/>, _:b1 } # c:d", None),
    ('PREFIX ex: <http://e/> SELECT * { ?s ex:p """x\ny:z""" . ?s ab:c ?o }', ("ab", 2, 13)),
    ("SELECT * { ?s ?p 1.5 . ?x ?y ?z }", None),
])
def test_undeclared_prefix(text, found):
    assert undeclared_prefix(text) == found


@pytest.mark.parametrize("text, message, line, column", [
    ("SELCT * WHERE { ?s ?p ?o }", "expected SELECT, ASK, CONSTRUCT or DESCRIBE (after any "
     "PREFIX and BASE), not 'SELCT'", 1, 1),
    ("PREFIX ex: <http://e/>\n{ ?s ?p ?o }", "expected SELECT, ASK, CONSTRUCT or DESCRIBE "
     "(after any PREFIX and BASE), not '{'", 2, 1),
    ("BASE <http://e/> PREFIX ex: <x> 42", "expected SELECT, ASK, CONSTRUCT or DESCRIBE "
     "(after any PREFIX and BASE), not '42'", 1, 33),
    ("# only a comment\n", "expected SELECT, ASK, CONSTRUCT or DESCRIBE (after any PREFIX "
     "and BASE), found nothing", 2, 1),
    ("SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > kgo:x) }", "the prefix 'kgo:' is not "
     "declared: add PREFIX kgo: <https://w3id.org/kg1978/ontology/>", 1, 43),
    ("SELECT * { ?s ?p ?o FILTER(STRLENGTH(?o) > 3) }", "STRLENGTH is not a SPARQL function "
     "(did you mean STRLEN or STRLANG?): call a built-in by its name, or an extension function "
     "by its IRI", 1, 28),
    ("SELECT * {\n ?s ?p ?o FILTER(contain(?o, 'x')) }", "contain is not a SPARQL function "
     "(did you mean CONTAINS or COUNT?): call a built-in by its name, or an extension "
     "function by its IRI", 2, 18),
    # a beginner's SELECT clause, and FILTER without its parentheses (the parser says
    # "expected DISTINCT" and lists tokens)
    ("SELECT COUNT(?s) AS ?n WHERE { ?s ?p ?o }", "an expression in SELECT goes in "
     "parentheses with a name: (COUNT(...) AS ?name)", 1, 8),
    ("SELECT DISTINCT ?p count (?s) { ?s ?p ?o } GROUP BY ?p", "an expression in SELECT goes "
     "in parentheses with a name: (count(...) AS ?name)", 1, 20),
    ("SELECT ?p (COUNT(?s)) WHERE { ?s ?p ?o } GROUP BY ?p", "an expression in SELECT needs a "
     "name: (COUNT(?x) AS ?n)", 1, 11),
    ("SELECT ?s, ?p WHERE { ?s ?p ?o }", "SELECT lists its variables with spaces between them, "
     "not commas: SELECT ?a ?b", 1, 10),
    ("SELECT * WHERE {\n  ?s ?p ?o FILTER ?o > 3 }", "FILTER takes its condition in "
     "parentheses: FILTER(?x > 3), or FILTER EXISTS { ... }", 2, 19),
    # the parser: "expected one of ",", ".", ";", "{", "{|", "}", "~", [_]"
    ("SELECT * WHERE { ?s ?p ?o ", "this '{' is never closed: add '}'", 1, 16),
    ("PREFIX ex: <http://e/>\nDESCRIBE ex:a\n  _:b1 WHERE { ?s ?p ?o }", "DESCRIBE takes "
     "variables and IRIs, not a blank node ('_:b1'): a blank node's label names nothing outside "
     "its query; find the node by a pattern: DESCRIBE ?b WHERE { ?s ?p ?b FILTER(isBlank(?b)) }",
     3, 3),
])
def test_diagnose_says_what_the_parser_does_not(text, message, line, column):
    assert diagnose(text) == (message, line, column)


_NO_OBJECT = ("the triple pattern {} has no object: a triple pattern is a subject, a predicate "
              "and an object (?s ?p ?o)")
_RUN_ON = ("{} followed by {} with no '.' or ';' between: '.' ends a triple pattern, ';' "
           "gives its subject another predicate and object (?s ?p ?o ; ?q ?v)")
_REGEX_HINT = (r"is no escape in a SPARQL string (\t \b \n \r \f \" \' \\ \uXXXX "
               r"\UXXXXXXXX): a backslash itself is \\ (a regular expression's ")


@pytest.mark.parametrize("text, error_at, message, line, column", [
    # pyoxigraph 0.5.13: "expected IRI parsing failed", just after the IRI
    ("SELECT * WHERE { <http://a b> ?p ?o }", (1, 30), "the IRI <http://a b> contains a space, "
     "which IRIs may not: write it %20", 1, 27),
    ("SELECT * WHERE { ?s ?p <http://a\\u0020b> }", (1, 41), r"the IRI <http://a\u0020b> "
     r"contains a space (written \u0020), which IRIs may not: write it %20", 1, 33),
    ('SELECT * WHERE { ?s ?p <http://a|b> }', (1, 36), "the IRI <http://a|b> contains a "
     "vertical bar (|), which IRIs may not: percent-encode it (%7C)", 1, 33),
    # across a line: was read as the prefix 'http:' not declared
    ("SELECT * WHERE { <http://a\nb> ?p ?o }", (2, 3), "the IRI <http://a b> contains a line "
     "break, which IRIs may not: an IRI is on one line", 1, 27),
    # "expected \u escape sequence should be followed by hexadecimal digits"; with a pair,
    # "expected one of ENCODE_FOR_URI, ..."
    (r'SELECT * WHERE { ?s ?p "\uD800" }', (1, 32), r"\uD800 is half of a UTF-16 surrogate "
     r"pair, not a character: an escape names a Unicode code point (U+1F600 is \U0001F600, "
     r"not \uD83D\uDE00)", 1, 25),
    (r'SELECT * { ?s ?p ?o FILTER(?o = "\uD83D\uDE00") }', (1, 47), r"\uD83D is half of a "
     r"UTF-16 surrogate pair, not a character: an escape names a Unicode code point (U+1F600 "
     r"is \U0001F600, not \uD83D\uDE00)", 1, 34),
    (r'SELECT * WHERE { ?s ?p "\U00110000" }', (1, 36), r"\U00110000 is beyond U+10FFFF, the "
     "last Unicode code point", 1, 25),
    (r'SELECT * WHERE { ?s ?p "\u12" }', (1, 29), r"\u takes four hexadecimal digits: "
     r"\u00E9 or \U0001F600", 1, 25),
    # "expected ['t' | 'b' | 'n' | ...]"; in a long string "expected OPTIONAL"
    (r'SELECT * { ?s ?p ?o FILTER REGEX(?o, "\d+") }', (1, 40), r"\d " + _REGEX_HINT +
     r"\d is written \\d)", 1, 39),
    (r'SELECT * WHERE { ?s ?p """a\d""" }', (1, 34), r"\d " + _REGEX_HINT +
     r"\d is written \\d)", 1, 28),
    # "expected [_]"
    ("SELECT * WHERE { ?s ?p ?o }}", (1, 29), "this '}' closes nothing: no '{' is open", 1, 28),
    ("SELECT * WHERE { ?s ?p ?o ]", (1, 28), "this ']' comes while the '{' at line 1, column 16 "
     "is open: close it with '}' first", 1, 27),
    # "expected one of PREDICATE, STRBEFORE, STRSTARTS, [_], isLITERAL, isNUMERIC"
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o > 3 }", (1, 42), "this '}' comes while the '(' at "
     "line 1, column 33 is open: close it with ')' first", 1, 41),
    # "expected OPTIONAL", "expected DISTINCT", a list of character ranges
    ("SELECT * WHERE { ?s ?p ? }", (1, 26), "'?' without a name: a variable is ?name, e.g. ?x",
     1, 24),
    ("SELECT ? WHERE { ?s ?p ?o }", (1, 16), "'?' without a name: a variable is ?name, e.g. ?x",
     1, 8),
    ("SELECT * WHERE { ?s ?p ?o } ORDER BY $", (1, 39), "'$' without a name: a variable is "
     "$name, e.g. $x", 1, 38),
    # "expected one of LATERAL, SERVICE, [_]" (after '}'), "expected OPTIONAL" (at it, or
    # after ';'), "expected one of BIND, [_]", "expected [_]" (after ','), or the list of every
    # character a term may begin with (after a prefixed name)
    ("SELECT * { ?s ?p }", (1, 19), _NO_OBJECT.format("?s ?p"), 1, 18),
    ("PREFIX ex: <http://e/> SELECT * {\n  ?s ex:p ?o .\n  ?o ex:q\n}", (4, 1),
     _NO_OBJECT.format("?o ex:q"), 4, 1),
    ('SELECT * { ?s ?p "x"@en . [] a . }', (1, 35), _NO_OBJECT.format("[] a"), 1, 32),
    ("SELECT * { ?s ?p ; ?q ?o }", (1, 20), _NO_OBJECT.format("?s ?p"), 1, 18),
    ("SELECT * { GRAPH ?g { ?s ?p 1.5 ; ?q } }", (1, 41), "the predicate ?q after ';' has no "
     "object: ';' is followed by another predicate and its object (?s ?p ?o ; ?q ?v)", 1, 38),
    ("SELECT * { ?s ?p ?o , }", (1, 24), "this ',' is followed by no object: ',' gives the "
     "subject and predicate before it another object (?s ?p ?o1 , ?o2)", 1, 21),
    # ... where the parser met it: a path's '?' is no variable, a '<' comparison no IRI, "\\d"
    # a backslash and d; the '?' after the parser's stop is not the mistake it met
    ("SELECT * WHERE { ?s <http://p>? ?o . ?s ?p }", (1, 45), _NO_OBJECT.format("?s ?p"), 1, 44),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) . ?s ?p }", (1, 61),
     _NO_OBJECT.format("?s ?p"), 1, 60),
    (r'SELECT * WHERE { ?s ?p "a\\d" . ?s ?p }', (1, 40), _NO_OBJECT.format("?s ?p"), 1, 39),
    ("SELECT * WHERE { ?s ?p } ORDER BY ?", (1, 26), _NO_OBJECT.format("?s ?p"), 1, 24),
    # "expected one of HAVING, OFFSET, OPTIONAL, VALUES, ['0'..='9']", "expected [_]"
    ("SELECT * { ?s ?p ?o } LIMIT x", (1, 29), "LIMIT takes a whole number of rows (LIMIT 10), "
     "not 'x'", 1, 29),
    ("SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 10.5 } }", (1, 51), "LIMIT takes a whole "
     "number of rows (LIMIT 10), not '10.5'", 1, 43),
    ("SELECT * { ?s ?p ?o } OFFSET ?n", (1, 30), "OFFSET takes a whole number of rows "
     "(OFFSET 10), not '?n'", 1, 30),
    ("SELECT * { ?s ?p ?o } LIMIT 5 OFFSET", (1, 37), "OFFSET takes a whole number of rows "
     "(OFFSET 10), found nothing", 1, 31),
    # the list of every character a name may begin with; "expected one of LANGMATCHES, [_]"
    ("SELECT (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY", (1, 46), "GROUP BY names nothing: give "
     "it a variable or an expression to group by (GROUP BY ?x)", 1, 38),
    ("SELECT ?s { ?s ?p ?o } GROUP BY ORDER BY ?s", (1, 44), "GROUP BY names nothing: give it "
     "a variable or an expression to group by (GROUP BY ?x)", 1, 24),
    ("SELECT * { ?s ?p ?o }\nORDER BY LIMIT 5", (2, 17), "ORDER BY names nothing: give it a "
     "variable or an expression to sort by (ORDER BY ?x, or DESC(?x))", 2, 1),
    # a line break pasted into a literal ("expected UNDEF", "expected one of "\"", "\\", ...")
    ('SELECT ?x { VALUES ?x { "a\\"b" "e\nf" } }', (2, 3), 'this string is not closed on its '
     'line: a "..." string ends on the line it begins (write a line break as \\n, or use a '
     'long string: """...""")', 1, 32),
    ("SELECT * { ?s ?p 'it\ns' }", (1, 21), "this string is not closed on its line: a '...' "
     "string ends on the line it begins (write a line break as \\n, or use a long string: "
     + "'" * 3 + "..." + "'" * 3 + ")", 1, 18),
    ('SELECT * { ?s ?p """abc\ndef }', (2, 6), 'this string ("""...) is never closed: end it '
     'with """', 1, 18),
    # "expected \u escape sequence should be followed by hexadecimal digits", after the IRI
    (r"SELECT * { <http://a/\uD800> ?p ?o }", (1, 29), r"\uD800 is half of a UTF-16 "
     r"surrogate pair, not a character: an escape names a Unicode code point (U+1F600 is "
     r"\U0001F600, not \uD83D\uDE00)", 1, 22),
    (r"ASK { <http://ex.org/\U0011FFFF> ?p ?o }", (1, 33), r"\U0011FFFF is beyond U+10FFFF, the "
     "last Unicode code point", 1, 22),
])
def test_diagnose_names_the_mistake_the_parser_stopped_at(text, error_at, message, line, column):
    assert diagnose(text, error_at) == (message, line, column)


_SPACE_IN_IRI = "the IRI <http://a b> contains a space, which IRIs may not: write it %20"


@pytest.mark.parametrize("text, message, column", [
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o = <http://a b>) }", _SPACE_IN_IRI, 48),
    ("SELECT * WHERE { ?s ?p ?o BIND(<http://a b> AS ?x) }", _SPACE_IN_IRI, 41),
    ("SELECT (<http://a b> AS ?x) WHERE { }", _SPACE_IN_IRI, 18),
    ("SELECT * WHERE { ?s ?p ?o } ORDER BY (<http://a b>)", _SPACE_IN_IRI, 48),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o IN (<http://c>, <http://a|b>)) }",
     "the IRI <http://a|b> contains a vertical bar (|), which IRIs may not: percent-encode it "
     "(%7C)", 62),
])
def test_diagnose_names_a_bad_iri_in_an_expression(text, message, column):
    """In an expression, where '<' may be "less than", pyoxigraph 0.5.13 stops past the IRI
    ("expected ENCODE_FOR_URI", or "expected one of ENCODE_FOR_URI, [_]"): the store's
    message names the character, as for an IRI in a triple pattern."""
    import pyoxigraph as ox

    from kg.errors import ParseError
    from kg.store import DatasetStore

    with pytest.raises(ParseError) as refused:
        DatasetStore(ox.Store(), union_default_graph=False).query(text)
    assert (refused.value.message, refused.value.line, refused.value.column) == (
        message, 1, column)


@pytest.mark.parametrize("text", [
    "PREFIX ex: <http://e/> SELECT * { ?s ?p ?o FILTER(IF(?o<ex:b, ex:c, ex:d>?o)) ?s ?p }",
    "PREFIX ex: <http://e/> SELECT * { ?s ?p ?o FILTER(?o<ex:b && ex:c>?o) ?s ?p }",
    "PREFIX ex: <http://e/> SELECT * { ?s ?p ?o FILTER(?o<ex:b) FILTER(ex:c>?o) ?s ?p }",
])
def test_diagnose_takes_comparisons_for_no_iri(text):
    """'<' and '>' of two comparisons hold a stretch that begins with a scheme-like prefix and
    has spaces: not an IRI with a space, the mistake is elsewhere."""
    import pyoxigraph as ox

    from kg.errors import ParseError
    from kg.store import DatasetStore

    expected = _NO_OBJECT.format("?s ?p")
    assert diagnose(text)[0] == expected
    with pytest.raises(ParseError) as refused:
        DatasetStore(ox.Store(), union_default_graph=False).query(text)
    assert refused.value.message == expected


@pytest.mark.parametrize("text, error_at", [
    # the IRI or escape lies after where the parser stopped (pyoxigraph 0.5.13: after the
    # '}', "expected OPTIONAL"): not the mistake it met, the '?x' before it is
    ("SELECT * WHERE { ?s ?p ?o ?x } . <http://a b> ?p ?o }", (1, 35)),
    ('SELECT * WHERE { ?s ?p ?o ?x } . ?s ?p "\\uD800" }', (1, 35)),
])
def test_diagnose_keeps_to_where_the_parser_stopped(text, error_at):
    assert diagnose(text, error_at) == (_RUN_ON.format("the triple pattern ?s ?p ?o is", "?x"),
                                        1, 27)


@pytest.mark.parametrize("text", [
    # the parser refuses these for reasons a cheap reading cannot tell: no diagnosis
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5 ORDER BY ?s",
    # built-ins, keywords before brackets, IRIs (one with a bracket), prefixed calls
    "PREFIX ex: <http://e/> SELECT DISTINCT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c ; "
    "ex:p <http://a(b> FILTER(?o IN (1) && ex:f(?o) && isIRI(?s) && STRLEN(?o) > 1) "
    "BIND(IRI(?o) AS ?i) VALUES (?x) { (1) } } GROUP BY (?c) HAVING (SUM(?n) > 1) "
    "ORDER BY DESC(?n) ASC(?c)",
    # SELECT clauses and FILTERs as the grammar has them
    "SELECT REDUCED ?s (STRLEN(?l) AS ?n) (LANG(?l) as ?g) FROM <http://g> WHERE { ?s ?p ?l }",
    "PREFIX ex: <http://e/> SELECT ?s (ex:f(?s) AS ?y) $z * WHERE {}",
    "SELECT * { ?s ?p ?o FILTER EXISTS { ?s a ?c } FILTER NOT EXISTS { ?s a ?d } "
    "FILTER regex(?o, 'a') FILTER <http://x/f>(?o) FILTER(?o > 1) }",
    # a term after a subject that is no predicate (a collection), or touching another (a
    # variable's name holds no ':', W3C syn-bad-pname-10)
    "PREFIX ex: <http://e/> SELECT * { (1 2) (3 4) ex:p ?o }",
    "PREFIX : <http://example/> SELECT * { ?x:a :b :c . }",
    # a collection alone after FILTER(...) is a whole triple pattern
    "PREFIX ex: <http://e/> SELECT * { ?s ?p ?o FILTER(?o) (1 2) }",
    # a function's arguments are no collection, a negated call no path
    "PREFIX ex: <http://e/> SELECT * { ?s ?p ?o FILTER ex:f(?o) FILTER(!ex:g(?o)) ?s ?p ?o }",
    # a local name's escaped '?' is no nameless variable (W3C syn-pname-05)
    "PREFIX : <http://example/> SELECT * { :a :b :c:d\\? . }",
    # the data of VALUES are no triples; a variable named limit is no LIMIT
    "PREFIX ex: <http://e/> SELECT * { VALUES (?s ?t) { (ex:a ex:b) } }",
    "SELECT ?limit { ?s ?limit ?o } ORDER BY ?limit LIMIT 1 OFFSET 2 .",
    # a quote in a comment, in a string of the other quote, in an IRI: no string begins there
    "SELECT * { ?s <http://p'q> \"don't\" } # it's . ?s ?p }",
])
def test_diagnose_leaves_the_rest_to_the_parser(text):
    assert diagnose(text) is None


def test_a_run_of_comment_marks_is_read_in_one_pass():
    """The gap between FROM and its IRI may hold comments: a run of '#' could be split 2**n
    ways by a regular expression that backtracks into it (a reviewer: 3.9 s at 23, doubling
    with each more). Not timed: at 60 marks a backtracking reading would not end."""
    text = "SELECT * FROM " + "#" * 60 + "\n <http://a> FROM # x ## y\n<http://b> WHERE {}"
    assert query_dataset(text) == (["http://a", "http://b"], [])
    assert query_dataset("SELECT * FROM " + "#" * 60 + "\n x WHERE {}") is None


@pytest.mark.parametrize("text, star", [
    ("SELECT * WHERE { ?s ?p ?o }", True),
    ("PREFIX ex: <http://e/*> # SELECT ?x\nselect distinct* { ?s ?p ?o }", True),
    ("BASE <http://b/> SELECT REDUCED * {}", True),
    ("SELECT ?s WHERE { { SELECT * { ?s ?p ?o } } }", False),  # a subquery's * only
    ("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", False),
    ("ASK { ?s ?p ?o }", False),
    ("CONSTRUCT WHERE { ?s ?p ?o }", False),
])
def test_select_star_is_read_once_with_the_query(text, star):
    assert inspect_query(text, 100).select_star is star


def test_text_order_is_the_first_mention_outside_strings_iris_and_comments():
    text = ('# ?a ?b first in a comment\nSELECT * WHERE { ?s <http://e/?p> "?o" ; $p ?o . '
            "BIND('?z' AS ?é) OPTIONAL { ?o ?p ?s } }")
    assert text_order(text, ["o", "p", "s", "é"]) == ["s", "p", "o", "é"]
    # a name the text does not show stays last, in the given order; none is added
    assert text_order(text, ["x", "o", "s", "w"]) == ["s", "o", "x", "w"]
    assert text_order("SELECT * {}", []) == []


@pytest.mark.parametrize("text, pattern, line, column", [
    # triples after a FILTER(...) or BIND(...) without a '.', as the grammar allows
    ("SELECT * { ?s ?p ?o FILTER(?o) ?s ?p }", "?s ?p", 1, 38),
    ("SELECT * {\n  ?s ?p ?o FILTER regex(?o, 'a(')\n  ?s ?p }", "?s ?p", 3, 9),
    ("PREFIX ex: <http://e/> SELECT * { ?s ?p ?o FILTER ex:f(?o) ?s ex:q }", "?s ex:q", 1, 68),
    ("SELECT * { ?s ?p ?o BIND(1 AS ?x) ?s ?p . ?a ?b ?c }", "?s ?p", 1, 41),
    # ... and before one, which ends the triples before it as '.' does
    ("SELECT * { ?s ?p FILTER(?o) }", "?s ?p", 1, 18),
    ("SELECT * { ?s ?p OPTIONAL { ?s ?p ?o } }", "?s ?p", 1, 18),
    # a property path as the predicate
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:p/ex:q }", "?s ex:p/ex:q", 1, 48),
    ("PREFIX ex: <http://e/> SELECT * { ?s ^ex:p* . ?a ?b ?c }", "?s ^ex:p*", 1, 45),
    ("PREFIX ex: <http://e/> SELECT * { ?s a/ex:sub* | <http://e/q>+ }",
     "?s a/ex:sub* | <http://e/q>+", 1, 64),
    # a blank node's property list as the subject ("[ ex:p ?o ] ." alone is a whole pattern)
    ("PREFIX ex: <http://e/> SELECT * { [ ex:p ?o ] ex:q }", "[ ex:p ?o ] ex:q", 1, 52),
    ("PREFIX ex: <http://e/> SELECT * { [ ex:p ?o ] . ?s ?p }", "?s ?p", 1, 55),
    # a negated or bracketed path as the predicate, a collection as the subject
    ("PREFIX ex: <http://e/> SELECT * { ?s !ex:p }", "?s !ex:p", 1, 44),
    ("PREFIX ex: <http://e/> SELECT * { ?s !(ex:p|^ex:q) . ?a ?b ?c }", "?s !(ex:p|^ex:q)", 1,
     52),
    ("PREFIX ex: <http://e/> SELECT * { ?s (ex:p/ex:q)* }", "?s (ex:p/ex:q)*", 1, 51),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:a/(ex:b|!a)+ ; ex:c ?o }", "?s ex:a/(ex:b|!a)+",
     1, 54),
    ("PREFIX ex: <http://e/> SELECT * { ( ?a ?b ) ex:q }", "( ?a ?b ) ex:q", 1, 50),
])
def test_diagnose_reads_patterns_after_a_filter_with_a_path_or_a_blank_node(text, pattern,
                                                                            line, column):
    """The reading went on past FILTER(...) / BIND(...) only after a '.', and stopped at a
    path or a blank node's properties; the message is the one a query gets from the store,
    where the parser stopped (it lists tokens)."""
    import pyoxigraph as ox

    from kg.errors import ParseError
    from kg.store import DatasetStore

    expected = (f"the triple pattern {pattern} has no object: a triple pattern is a subject, "
                "a predicate and an object (?s ?p ?o)")
    assert diagnose(text) == (expected, line, column)
    with pytest.raises(ParseError) as refused:
        DatasetStore(ox.Store(), union_default_graph=False).query(text)
    assert (refused.value.message, refused.value.line, refused.value.column) == (
        expected, line, column)


_IN_BRACKETS = ("the predicate {} inside [ ... ] has no object: a blank node's properties are "
                "each a predicate and its object ([ ex:p ?o ; ex:q ?v ])")
_NO_MORE = ("this ',' is followed by no object: ',' gives the subject and predicate before it "
            "another object (?s ?p ?o1 , ?o2)")


@pytest.mark.parametrize("text, message, line, column", [
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q [ ex:p ] }", _IN_BRACKETS.format("ex:p"), 1,
     50),
    ("PREFIX ex: <http://e/> SELECT * { [ ex:p ] ex:q ?o }", _IN_BRACKETS.format("ex:p"), 1,
     42),
    # the parser stops at the ';' or ',' inside, or at a nested list's ']'
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q [ ex:p ; ex:r ?x ] }",
     _IN_BRACKETS.format("ex:p"), 1, 50),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q [ ex:p , ?o ] }", _IN_BRACKETS.format("ex:p"),
     1, 50),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q [ ex:p [ ex:r ] ] }",
     _IN_BRACKETS.format("ex:r"), 1, 57),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q [ ex:p ?o ; ex:r [ ex:t ?u ] ; ex:z ] }",
     _IN_BRACKETS.format("ex:z"), 1, 79),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q [ ex:p ?o , ] }", _NO_MORE, 1, 53),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q ( ?a ?b ) , }", _NO_MORE, 1, 53),
])
def test_diagnose_reads_inside_a_blank_nodes_properties(text, message, line, column):
    """A predicate without its object inside ``[ ... ]``, and a ``,`` after a collection: the
    message the store gives, where the parser stopped or before (it lists tokens)."""
    import pyoxigraph as ox

    from kg.errors import ParseError
    from kg.store import DatasetStore

    assert diagnose(text) == (message, line, column)
    with pytest.raises(ParseError) as refused:
        DatasetStore(ox.Store(), union_default_graph=False).query(text)
    assert (refused.value.message, refused.value.line, refused.value.column) == (
        message, line, column)


_INVERSE_OF_NOTHING = ("'^' (an inverse path) is followed by no predicate: '^' goes before "
                       "the IRI it inverts (?o ^ex:p ?s, ?s ex:p/^ex:q ?o)")


_CUT_SHORT = "the property path {} ends with '{}': '{}' is followed by "


@pytest.mark.parametrize("text, message, line, column", [
    # a term after a whole triple pattern, a ';' or ',' of one: a '.' or ';' missing (the
    # parser: "expected one of FILTER, VALUES, [_]", "expected OPTIONAL", "expected one of
    # BIND, [_]", after the term or further on)
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q [ ex:p ?o ] ex:r }",
     _RUN_ON.format("the triple pattern ?s ex:q [ ex:p ?o ] is", "ex:r"), 1, 55),
    ("SELECT ?s WHERE { ?s a ?c ?s ?p ?o }",
     _RUN_ON.format("the triple pattern ?s a ?c is", "?s"), 1, 27),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q ?o ; ex:r ?x ?y }",
     _RUN_ON.format("the predicate and object ex:r ?x after ';' are", "?y"), 1, 56),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q ?o , ?x ?y . }",
     _RUN_ON.format("the object ?x after ',' is", "?y"), 1, 51),
    # a collection holding a blank node's properties (the parser stops at the ']' and lists
    # every character a term may begin with), nested too
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q (1 2 [ ex:p ]) }",
     _IN_BRACKETS.format("ex:p"), 1, 55),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q ( 1 ( [ ex:p ?o ; ex:r ] ) ) }",
     _IN_BRACKETS.format("ex:r"), 1, 66),
    # a collection as the subject after FILTER(...) or BIND(...) with no '.'
    ("PREFIX ex: <http://e/> SELECT * { ?s ?p ?o FILTER(?o) (1 2) ex:p }",
     _NO_OBJECT.format("(1 2) ex:p"), 1, 66),
    ("PREFIX ex: <http://e/> SELECT * { ?s ?p ?o BIND(1 AS ?x) ( ?x ) ex:p . }",
     _NO_OBJECT.format("( ?x ) ex:p"), 1, 70),
    # a predicate's path ending with '/' or '|' (the parser lists every character a step
    # may begin with)
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:p/ ?o }",
     _CUT_SHORT.format("ex:p/", "/", "/") + "the path's next step (ex:p/ex:q)", 1, 44),
    ("PREFIX ex: <http://e/> SELECT * {\n  ?s ex:a ?b ;\n     ex:p/ex:q| .\n}",
     _CUT_SHORT.format("ex:p/ex:q|", "|", "|") + "the other path (ex:p|ex:q)", 3, 17),
    # a '^' inverting nothing (the parser lists every character a name may begin with, or
    # says "expected OPTIONAL" at the end)
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:p/^ ?o }", _INVERSE_OF_NOTHING, 1, 45),
    ("PREFIX ex: <http://e/> SELECT * { ?s ^ ?o }", _INVERSE_OF_NOTHING, 1, 40),
    ("PREFIX ex: <http://e/> SELECT * {\n  ?s ex:p|^\n  ?o }", _INVERSE_OF_NOTHING, 3, 3),
])
def test_diagnose_reads_a_missing_dot_a_collection_and_a_path_cut_short(text, message, line,
                                                                         column):
    """The message the store gives, where the parser stopped or before (it lists tokens)."""
    import pyoxigraph as ox

    from kg.errors import ParseError
    from kg.store import DatasetStore

    assert diagnose(text) == (message, line, column)
    with pytest.raises(ParseError) as refused:
        DatasetStore(ox.Store(), union_default_graph=False).query(text)
    assert (refused.value.message, refused.value.line, refused.value.column) == (
        message, line, column)


def test_a_literals_datatype_and_an_inverse_path_are_no_caret_of_nothing():
    import pyoxigraph as ox

    from kg.store import DatasetStore

    text = ("PREFIX ex: <http://e/> SELECT * { ?s ex:p \"x\" ^^ ex:t . ?s ^ ex:q ?o . "
            "?s ^<http://a> ?o . ?s ^a ?o . ?s ^( ex:p ) ?o . ?s ^!ex:p ?o . ?s ex:p '^' }")
    DatasetStore(ox.Store(), union_default_graph=False).query(text)
    assert diagnose(text) is None


_NO_SEMICOLON = ("{} inside [ ... ] {} followed by {} with no ';' between: a blank node's "
                 "properties are separated by ';' ([ ex:p ?o ; ex:q ?v ])")


@pytest.mark.parametrize("text, message, column", [
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q [ ex:p ?o ex:r ?v ] }",
     _NO_SEMICOLON.format("the predicate and object ex:p ?o", "are", "ex:r"), 53),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q [ ex:a 1 ; ex:p/ex:q ?o ex:r ?v ] }",
     _NO_SEMICOLON.format("the predicate and object ex:p/ex:q ?o", "are", "ex:r"), 67),
    ("PREFIX ex: <http://e/> SELECT * { [ ex:p [ ex:a ?b ] ex:r ?v ] ex:q ?o }",
     _NO_SEMICOLON.format("the predicate and object ex:p [ ex:a ?b ]", "are", "ex:r"), 54),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q [ ex:p ?o , ?o2 ex:r ?v ] }",
     _NO_SEMICOLON.format("the object ?o2 after ','", "is", "ex:r"), 59),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:q [ ex:p 'x'@en ex:r ?v ] }",
     _NO_SEMICOLON.format("the predicate and object ex:p 'x'@en", "are", "ex:r"), 57),
])
def test_diagnose_reads_a_missing_semicolon_inside_a_blank_nodes_properties(text, message,
                                                                             column):
    """The parser stops at the term that follows the object, listing the ',', ';' and ']'
    it expected: the store names it, read from the text alone (a remote store's error) too."""
    import pyoxigraph as ox

    from kg.store import DatasetStore

    assert diagnose(text) == (message, 1, column)
    assert diagnose(text, (1, column)) == (message, 1, column)
    with pytest.raises(ParseError) as refused:
        DatasetStore(ox.Store(), union_default_graph=False).query(text)
    assert (refused.value.message, refused.value.line, refused.value.column) == (
        message, 1, column)


_BOUND = ("BIND(... AS {0}) gives {0} a value, but the pattern before it in this group already "
          "binds {0}: BIND to a new variable, or compare with FILTER({0} = ...)")


@pytest.mark.parametrize("text, message, line, column", [
    # pyoxigraph 0.5.13: "expected [_]" after the group, or "expected OPTIONAL" at the end
    ("SELECT * WHERE { ?s ?p ?l BIND(1 AS ?s) }", _BOUND.format("?s"), 1, 37),
    ("SELECT * WHERE { ?s ?p ?l BIND(1 AS ?s) } LIMIT 1", _BOUND.format("?s"), 1, 37),
    ("SELECT * WHERE { ?s ?p ?l .\n  BIND (\n   ?l AS $s ) }", _BOUND.format("$s"), 3, 10),
    ("SELECT * WHERE { ?x ?p ?l OPTIONAL { ?x ?q ?s BIND(1 AS ?s) } ?a ?b ?c }",
     _BOUND.format("?s"), 1, 57),
    ("SELECT * WHERE { VALUES ?s { 1 } BIND(1 AS ?s) }", _BOUND.format("?s"), 1, 44),
    ("SELECT * WHERE { GRAPH ?g { ?a ?b ?c } BIND(1 AS ?g) }", _BOUND.format("?g"), 1, 50),
    ("SELECT * WHERE { ?s ?p ?l BIND(1 AS ?t) FILTER(?t) BIND(2 AS ?t) }",
     _BOUND.format("?t"), 1, 62),
    # through a nested group, an OPTIONAL, a UNION's side, a GRAPH, a subquery's projection
    ("SELECT * WHERE { { ?s ?p ?l } BIND(1 AS ?s) }", _BOUND.format("?s"), 1, 41),
    ("SELECT * WHERE { ?a ?b ?c OPTIONAL { ?s ?p ?o } BIND(1 AS ?s) }",
     _BOUND.format("?s"), 1, 59),
    ("SELECT * WHERE { OPTIONAL { ?a ?b ?c OPTIONAL { ?s ?p ?o } } BIND(1 AS ?s) }",
     _BOUND.format("?s"), 1, 72),
    ("SELECT * WHERE { { ?a ?b ?c } UNION { ?s ?p ?o } BIND(1 AS ?s) }",
     _BOUND.format("?s"), 1, 60),
    ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } BIND(1 AS ?s) }", _BOUND.format("?s"), 1, 50),
    ("SELECT * WHERE { { SELECT ?x ?s WHERE { ?s ?p ?x } } BIND(1 AS ?s) }",
     _BOUND.format("?s"), 1, 64),
])
def test_diagnose_names_a_bind_of_a_variable_already_bound(text, message, line, column):
    """SPARQL 1.1, 18.2.1: the variable of BIND(... AS ?v) must not be in scope before it;
    the message the store gives (the parser's was "expected [_]")."""
    import pyoxigraph as ox

    from kg.errors import ParseError
    from kg.store import DatasetStore

    assert diagnose(text) == (message, line, column)
    with pytest.raises(ParseError) as refused:
        DatasetStore(ox.Store(), union_default_graph=False).query(text)
    assert (refused.value.message, refused.value.line, refused.value.column) == (
        message, line, column)


@pytest.mark.parametrize("text", [
    # in scope nowhere before it: a FILTER's, a MINUS's, a subquery's unprojected variable
    "SELECT * WHERE { ?x ?p ?l FILTER(?s) BIND(1 AS ?s) }",
    "SELECT * WHERE { MINUS { ?s ?p ?l } BIND(1 AS ?s) }",
    "SELECT * WHERE { { SELECT ?x { ?s ?p ?x } } BIND(1 AS ?s) }",
    "SELECT * WHERE { BIND(1 AS ?s) ?s ?p ?l }",  # after it
    "SELECT * WHERE { ?a ?b ?c FILTER(EXISTS { ?s ?p ?o }) BIND(1 AS ?s) }",
    "SELECT * WHERE { ?a ?b ?c FILTER NOT EXISTS { ?s ?p ?o } BIND(1 AS ?s) }",
    "SELECT * WHERE { { SELECT ?x WHERE { ?s ?p ?x } GROUP BY ?x ?s } BIND(1 AS ?s) }",
    "SELECT * WHERE { { ?a ?b ?c } { BIND(1 AS ?s) } ?s ?p ?o }",  # another group's
])
def test_diagnose_leaves_binds_it_cannot_tell(text):
    """Each is valid (pyoxigraph answers it): nothing is diagnosed."""
    import pyoxigraph as ox

    from kg.store import DatasetStore

    assert diagnose(text) is None
    DatasetStore(ox.Store(), union_default_graph=False).query(text)


def test_every_w3c_negative_bind_scope_test_is_diagnosed(w3c_dir):
    """syntax-BINDscope6, 7 and 8: in the group itself, in a nested group, in a UNION's."""
    import pyoxigraph as ox

    from kg.store import DatasetStore

    cases = sorted((w3c_dir / "syntax-query").glob("syntax-BINDscope[678].rq"))
    assert len(cases) == 3
    for case in cases:
        with pytest.raises(ParseError) as refused:
            DatasetStore(ox.Store(), union_default_graph=False).query(case.read_text())
        assert refused.value.message.startswith("BIND(... AS ?"), case.name


_AGGREGATE = ("{0} is an aggregate, which SPARQL allows only in SELECT, HAVING and ORDER BY, "
              "not in {1}: ")


@pytest.mark.parametrize("text, message, line, column", [
    ("SELECT ?s WHERE { ?s ?p ?o FILTER(COUNT(?s) > 1) } GROUP BY ?s",
     _AGGREGATE.format("COUNT", "FILTER") + "filter the groups with HAVING, after GROUP BY: "
     "GROUP BY ?x HAVING(COUNT(?y) > 1)", 1, 35),
    ("SELECT ?s WHERE {\n  ?s ?p ?o\n  BIND (1 + sum (?o) AS ?t) }",
     _AGGREGATE.format("SUM", "BIND") + "compute it in SELECT, (SUM(?y) AS ?n), in a subquery "
     "if it is to be joined with other patterns", 3, 13),
    # in a FILTER(EXISTS { ... }) beside a subquery's own
    ("SELECT * { ?s ?p ?o FILTER(EXISTS { SELECT (MAX(?x) AS ?m) { ?s ?q ?x } } "
     "&& SAMPLE(?o)) }", _AGGREGATE.format("SAMPLE", "FILTER") + "filter the groups with "
     "HAVING, after GROUP BY: GROUP BY ?x HAVING(SAMPLE(?y) > 1)", 1, 78),
])
def test_an_aggregate_in_filter_or_bind_is_refused(text, message, line, column):
    """SPARQL 1.1, 11.1: aggregates only in SELECT, HAVING and ORDER BY; the grammar lets
    them into FILTER and BIND, and pyoxigraph 0.5 answers such a query (grouping it)."""
    with pytest.raises(ParseError) as refused:
        inspect_query(text, 200)
    assert (refused.value.message, refused.value.line, refused.value.column) == (
        message, line, column)


@pytest.mark.parametrize("text", [
    "SELECT ?s (COUNT(?o) AS ?n) { ?s ?p ?o FILTER(?o > 1) } GROUP BY ?s "
    "HAVING(COUNT(?o) > 1) ORDER BY DESC(SUM(?o))",
    "SELECT * { ?s ?p ?o FILTER EXISTS { SELECT (COUNT(*) AS ?n) { ?a ?b ?c } } }",
    "SELECT * { ?s ?p ?o FILTER(NOT EXISTS { SELECT (COUNT(*) AS ?n) { ?a ?b ?c } }) }",
    "PREFIX ex: <http://e/> SELECT * { ?s ?p ?o FILTER(ex:count(?o) && ?o != 'SUM(1)') "
    "BIND(?count AS ?max) }",
])
def test_aggregates_where_sparql_allows_them_pass(text):
    assert inspect_query(text, 200).form == "SELECT"


def test_no_w3c_query_has_an_aggregate_in_filter_or_bind(w3c_dir):
    """The suites have no negative test of it: none of their queries is refused."""
    refused = []
    for f in sorted(w3c_dir.rglob("*.rq")):
        try:
            inspect_query(f.read_text(encoding="utf-8"), 200)
        except ParseError as exc:
            refused.append((f.name, exc.message))
        except (InputError, UpdateRefused):  # updates, SERVICE: refused for other reasons
            pass
    assert refused == []


def test_no_valid_w3c_query_gets_a_diagnosis(w3c_dir):
    """Every query of the W3C SPARQL 1.1 suites but their negative syntax tests (the
    positive syntax tests, the evaluation tests' queries) is valid: diagnose, the reading of
    a refused query, must find no mistake in any, whatever it learns to read."""
    import rdflib

    mf = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
    negative = set()
    for manifest in w3c_dir.glob("*/manifest.ttl"):
        g = rdflib.Graph().parse(manifest, format="turtle")
        for kind in (mf.NegativeSyntaxTest11, mf.NegativeSyntaxTest):
            for entry in g.subjects(rdflib.RDF.type, kind):
                action = str(g.value(entry, mf.action)).removeprefix("file://")
                negative.add(Path(action).resolve())
    queries = [f for f in sorted(w3c_dir.rglob("*.rq")) if f.resolve() not in negative]
    assert len(negative) >= 40 and len(queries) >= 370
    diagnosed = {f.relative_to(w3c_dir).as_posix(): found for f in queries
                 if (found := diagnose(f.read_text(encoding="utf-8"))) is not None}
    assert diagnosed == {}
