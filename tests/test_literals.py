"""How a literal is written for people to read: the query form's table, the links file and the
validation reports each write it as SPARQL, Turtle or N-Triples do, with their own options."""

import re

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg import links, validate
from kg.iris import BASE, KGO

_ODD = 'a "b"\nc\\d\re'


def _form_cells(make_app, values) -> list[str]:
    from kg.store import DatasetStore

    store = DatasetStore.from_quads([
        ox.Quad(ox.NamedNode(f"urn:x:{i:02}"), ox.NamedNode("http://example.org/p"), v)
        for i, v in enumerate(values)])
    page = make_app(dataset=store).test_client().get(
        "/form", query_string={"query": "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?s"}).text
    return re.findall(r'<td class="literal">(.*?)</td>', page)


def test_the_forms_table_writes_each_kind_of_literal(make_app):
    """Bare where Turtle writes it bare and the lexical form keeps the type, a datatype under a
    prefix of the graph's vocabularies by its prefix, a base direction after the tag."""
    xsd = str(XSD)
    values = [ox.Literal("1979", datatype=ox.NamedNode(xsd + "string")),
              ox.Literal("-1.5", datatype=ox.NamedNode(xsd + "decimal")),
              ox.Literal("1.5", datatype=ox.NamedNode(xsd + "decimal")),
              ox.Literal("1e3", datatype=ox.NamedNode(xsd + "double")),
              ox.Literal("-7", datatype=ox.NamedNode(xsd + "integer")),
              ox.Literal("one", datatype=ox.NamedNode(xsd + "integer")),
              ox.Literal("TRUE", datatype=ox.NamedNode(xsd + "boolean")),
              ox.Literal("k", datatype=ox.NamedNode(str(KGO) + "Kind")),
              ox.Literal("k", datatype=ox.NamedNode(str(KGO) + "a.b")),
              ox.Literal("x", datatype=ox.NamedNode(BASE + "shapes/T")),
              ox.Literal(_ODD),
              ox.Literal("شمس", language="ar", direction=ox.BaseDirection.RTL)]
    assert _form_cells(make_app, values) == [
        "&#34;1979&#34;", "-1.5", "1.5", "&#34;1000&#34;^^xsd:double", "-7", "&#34;one&#34;^^xsd:integer",
        "&#34;TRUE&#34;^^xsd:boolean", "&#34;k&#34;^^kgo:Kind",
        "&#34;k&#34;^^&lt;https://w3id.org/kg1978/ontology/a.b&gt;", "&#34;x&#34;^^kgs:T",
        r"&#34;a \&#34;b\&#34;\nc\\d\re&#34;", "&#34;شمس&#34;@ar--rtl"]


def test_the_links_file_writes_each_kind_of_literal():
    """Turtle's quoted form for every literal (no bare numbers), an explicit xsd:string kept, a
    datatype named with the file's prefixes or in full."""
    g = Graph()
    for o in [Literal("1979"), Literal("1979", datatype=XSD.string),
              Literal("1979", datatype=XSD.integer), Literal("Tây Ninh", lang="vi"),
              Literal(_ODD, datatype=URIRef("urn:x:t")), Literal("k", datatype=KGO.Kind),
              Literal("true", datatype=XSD.boolean), Literal(_ODD)]:
        g.add((URIRef(BASE + "place/x"), URIRef("http://example.org/p"), o))
    line = links.links_turtle(g).splitlines()[-1]
    assert line.split(" ", 2)[2] == (
        '"1979", "1979"^^xsd:integer, "1979"^^xsd:string, "Tây Ninh"@vi, '
        r'"a \"b\"\nc\\d\re", "a \"b\"\nc\\d\re"^^<urn:x:t>, '
        '"k"^^<https://w3id.org/kg1978/ontology/Kind>, "true"^^xsd:boolean .')


def _shown(literal: Literal) -> tuple[str, str | None]:
    """A literal as a result's value (N-Triples) and as the reports show that value."""
    value = validate._value_text(literal)
    shown = validate.shown_value(validate.Result(
        focus="urn:x:f", path="urn:x:p", value=value, severity="Violation", message="m",
        shape="urn:x:s", constraint="urn:x:c"))
    return value, shown


def test_a_results_value_is_its_literal_in_n_triples_and_shown_with_curies():
    xsd = str(XSD)
    assert _shown(Literal("1979")) == ('"1979"', '"1979"')
    assert _shown(Literal("1979", datatype=XSD.string)) == ('"1979"', '"1979"')
    assert _shown(Literal("1979", datatype=XSD.integer)) == (
        f'"1979"^^<{xsd}integer>', '"1979"^^xsd:integer')
    assert _shown(Literal("1978-13-01", datatype=XSD.date)) == (
        f'"1978-13-01"^^<{xsd}date>', '"1978-13-01"^^xsd:date')
    assert _shown(Literal("Hà Nội", lang="vi")) == ('"Hà Nội"@vi', '"Hà Nội"@vi')
    assert _shown(Literal('a "b"\\c\r', datatype=KGO.Kind)) == (
        f'"a \\"b\\"\\\\c\\r"^^<{KGO}Kind>', '"a \\"b\\"\\\\c\\r"^^kgo:Kind')
    assert _shown(Literal("x", datatype=URIRef(BASE + "event/T"))) == (
        f'"x"^^<{BASE}event/T>', '"x"^^event:T')


def test_a_value_with_a_line_break_is_written_on_one_line():
    """N-Triples escapes a line break, so the text report keeps a result's value on its line
    (it was Turtle's long string, a line break in it)."""
    value, shown = _shown(Literal("1978-01-01\n", datatype=XSD.date))
    assert value == f'"1978-01-01\\n"^^<{XSD}date>'
    assert shown == '"1978-01-01\\n"^^xsd:date'
    report = validate.Report(conforms=False, results=[validate.Result(
        focus="urn:x:f", path="urn:x:p", value=value, severity="Violation", message="m",
        shape="urn:x:s", constraint="urn:x:c")])
    assert '  value:      "1978-01-01\\n"^^xsd:date\n' in report.as_text()


def test_a_datatype_under_no_prefix_is_shown_in_angle_brackets():
    assert _shown(Literal("x", datatype=URIRef("http://example.org/dt"))) == (
        '"x"^^<http://example.org/dt>', '"x"^^<http://example.org/dt>')


def test_an_infinity_keeps_the_form_xsd_writes():
    """rdflib gives a double's infinity as Python writes it ("inf"); XSD's is "INF"."""
    for lexical, written in (("INF", "INF"), ("-INF", "-INF"), ("NaN", "NaN")):
        assert _shown(Literal(lexical, datatype=XSD.double))[1] == f'"{written}"^^xsd:double'


def test_the_links_file_writes_an_infinity_as_xsd_does():
    """rdflib gives a double's infinity as Python writes it; the file had "inf"^^xsd:double,
    which is no xsd:double."""
    g = Graph().add((URIRef(BASE + "place/x"), URIRef("http://example.org/p"),
                     Literal("INF", datatype=XSD.double)))
    assert links.links_turtle(g).splitlines()[-1].endswith(' "INF"^^xsd:double .')
