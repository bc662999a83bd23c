"""A literal written for people to read, as SPARQL, Turtle and N-Triples write it.

One writer for the query form's table (:mod:`kg.endpoint.ui`), the links file
(:func:`kg.links.links_turtle`) and validation results (:mod:`kg.validate`); what differs
between them is an option: numbers and booleans bare, an explicit ``xsd:string`` kept, how a
datatype's IRI is named.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_XSD = "http://www.w3.org/2001/XMLSchema#"
#: The literals Turtle and SPARQL write bare (Turtle 1.1, 2.5.2: INTEGER, DECIMAL, DOUBLE,
#: BooleanLiteral), each with the lexical forms that keep their datatype when so written.
_BARE = {_XSD + "integer": re.compile(r"[+-]?\d+"),
         _XSD + "decimal": re.compile(r"[+-]?\d*\.\d+"),
         _XSD + "double": re.compile(r"[+-]?(?:\d+\.\d*|\.?\d+)[eE][+-]?\d+"),
         _XSD + "boolean": re.compile(r"true|false")}
#: What a quoted string escapes in all three (N-Triples' STRING_LITERAL_QUOTE): the rest is
#: written as it is, so a value keeps to one line.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
#: rdflib keeps a float's or decimal's value, and gives its lexical form as Python writes it:
#: an infinity or NaN is written as XSD writes it (``"INF"^^xsd:double``, not ``"inf"``).
_SPECIAL = {"inf": "INF", "-inf": "-INF", "Infinity": "INF", "-Infinity": "-INF", "nan": "NaN"}
_SPECIAL_TYPES = {_XSD + "double", _XSD + "float", _XSD + "decimal"}


def _bracketed(iri: str) -> str:
    return f"<{iri}>"


def literal_text(literal, *, datatype: Callable[[str], str] = _bracketed, bare: bool = False,
                 keep_string_type: bool = False) -> str:
    """``literal`` (pyoxigraph's or rdflib's) quoted on one line, with its language tag (and base
    direction: ``"…"@ar--rtl``) or datatype: ``"1979"``, ``"Hà Nội"@vi``,
    ``"1979-01-07"^^<…#date>``. ``datatype`` names the datatype's IRI (by default in angle
    brackets, as N-Triples does; a CURIE where the caller has prefixes). ``bare`` writes an
    integer, decimal, double or boolean as Turtle and SPARQL may, ``1979``, where its lexical
    form keeps the type so written. An ``xsd:string`` is written as a plain string (the same
    literal in RDF 1.1), unless ``keep_string_type`` (rdflib tells ``"x"^^xsd:string`` from
    ``"x"``, and a file written again must give it back the same)."""
    if isinstance(getattr(literal, "datatype", None), str | None):
        # rdflib's: its datatype a URIRef, or None
        lexical, iri = str(literal), literal.datatype and str(literal.datatype)
        if iri in _SPECIAL_TYPES:
            lexical = _SPECIAL.get(lexical, lexical)
    else:
        lexical, iri = literal.value, literal.datatype.value  # pyoxigraph's: a NamedNode
    if bare and iri in _BARE and _BARE[iri].fullmatch(lexical):
        return lexical
    quoted = '"' + lexical.translate(_ESCAPES) + '"'
    if literal.language:
        direction = getattr(literal, "direction", None)
        return f"{quoted}@{literal.language}" + (f"--{direction}" if direction else "")
    if iri is None or (iri == _XSD + "string" and not keep_string_type):
        return quoted
    return f"{quoted}^^{datatype(iri)}"


#: Letters of the Latin script that Vietnamese alone writes among the languages of the graph's
#: names (ă, đ, ơ, ư, and the vowels with tone marks of Latin Extended Additional: "tỉnh"); â,
#: ê and ô are French too ("Phnôm Pênh" is both). And the Khmer script's block.
_VIETNAMESE_LETTER = re.compile("[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")
_KHMER_LETTER = re.compile("[\u1780-\u17ff]")


def language_of_letters(text: str) -> str | None:
    """The language a text's letters tell among those of the graph's names: ``km`` for the
    Khmer script, ``vi`` for a letter only Vietnamese writes ("tỉnh Tây Ninh", by its "ỉ");
    None where they tell none ("Tây Ninh": its "â" is French too)."""
    for letters, tag in ((_KHMER_LETTER, "km"), (_VIETNAMESE_LETTER, "vi")):
        if letters.search(text):
            return tag
    return None
