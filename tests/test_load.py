from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError, ParseError
from kg.iris import GRAPH, ONTOLOGY_GRAPH
from kg.load import load_shapes, load_sources, parse_file
from kgtest import REPO, project_copy


def test_every_turtle_file_parses():
    for folder in ("ontology", "graph", "shapes"):
        files = sorted((REPO / folder).glob("*.ttl"))
        assert files, folder
        for path in files:
            assert len(parse_file(path)) > 0, path


def test_each_graph_file_is_its_own_named_graph():
    sources = load_sources(REPO)
    names = {str(n) for n in sources.graphs}
    assert names == {str(ONTOLOGY_GRAPH)} | {str(GRAPH[p.stem]) for p in (REPO / "graph").glob("*.ttl")}
    assert {"article-part1", "entities", "sources", "links"} <= {p.stem for p in (REPO / "graph").glob("*.ttl")}
    assert len(sources) == sum(len(g) for g in sources.graphs.values())
    assert len(load_shapes(REPO)) > 0


def test_parse_error_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix a: <http://a/> .\na:x a:y a:z .\n\na:b a:c a:d a:e .\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        parse_file(bad)
    assert info.value.path == str(bad)
    assert info.value.line == 4
    # the column too: the position is pyoxigraph's, the build's parser
    assert str(info.value).startswith(f"{bad}:4:13: ")
    assert info.value.exit_code == 2


def test_a_statement_run_on_names_the_line_that_lacks_its_end(tmp_path: Path):
    """A ';' left off at the end of a line: pyoxigraph stops at the next line's first term,
    where nothing is wrong; the message names the line before it (past comments and blank
    lines) as the one to look at. Where the extra term is inside a line, that line is all."""
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix a: <http://a/> .\na:x a:y a:z\n# a note\n\n    a:b a:c .\n",
                   encoding="utf-8")
    with pytest.raises(ParseError) as info:
        parse_file(bad)
    assert info.value.line == 5
    assert str(info.value) == (f"{bad}:5:5: Turtle syntax error: A dot is expected at the end "
                               "of statements (is a ';' or a '.' missing at the end of line 2?)")
    bad.write_text("@prefix a: <http://a/> .\na:x a:y a:z a:b a:c .\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        parse_file(bad)
    assert str(info.value).endswith(":2:13: Turtle syntax error: A dot is expected at the end "
                                    "of statements")


HINT = ("a language tag is letters, then subtags of letters or digits each after one '-': "
        "write ")


@pytest.mark.parametrize("name, text, where", [
    ("bad.ttl", '<urn:a> <urn:b> "x"@en- ;\n    <urn:c> "y" .\n', "1:23"),
    ("bad.nt", '<urn:a> <urn:b> "x" .\n<urn:a> <urn:b> "x"@en- .\n', "2:23"),
    ("bad.nq", '<urn:a> <urn:b> "x"@en- <urn:g> .\n', "1:23"),
    ("bad.trig", '<urn:g> {\n  <urn:a> <urn:b> "x"@en- .\n}\n', "2:25"),
    ("bad.rdf", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                'xmlns:e="urn:e#">\n<rdf:Description rdf:about="urn:a">\n  <e:b xml:lang="en-">x'
                "</e:b>\n</rdf:Description>\n</rdf:RDF>\n", "3:8"),
])
def test_a_language_tag_ending_in_a_hyphen_is_said_so(tmp_path: Path, name, text, where):
    """pyoxigraph reads the '-' ending "x"@en- as a number's sign, "An integer should not be
    empty", which says nothing of the tag; its RDF/XML error named the tag but no place. Each
    now says what is wrong and how a tag is written, at the tag."""
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError) as info:
        parse_file(bad)
    said = str(info.value)
    assert said.startswith(f"{bad}:{where}: "), said
    assert HINT in said and "integer" not in said, said
    if name != "bad.rdf":
        assert "a language tag ends with '-' (@en-)" in said and "write @en, @en-GB, @vi" in said
    else:
        assert "language tag 'en-'" in said and 'write xml:lang="en"' in said


def test_a_minus_sign_without_digits_is_still_the_parser_s_error(tmp_path: Path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> -5 ;\n    <urn:c> - .\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        parse_file(bad)
    assert str(info.value) == f"{bad}:2:13: Turtle syntax error: An integer should not be empty"


def test_broken_file_in_graph_folder_stops_the_load(tmp_path: Path):
    root = project_copy(tmp_path)
    (root / "graph" / "zz-broken.ttl").write_text("<http://a> <http://b> .\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        load_sources(root)
    assert "zz-broken.ttl:1" in str(info.value)


def test_unknown_suffix_and_missing_file_are_input_errors(tmp_path: Path):
    odd = tmp_path / "data.xyz"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="unknown RDF file type"):
        parse_file(odd)
    with pytest.raises(InputError, match="cannot read"):
        parse_file(tmp_path / "missing.ttl")


def test_empty_project_is_an_input_error(tmp_path: Path):
    (tmp_path / "ontology").mkdir()
    with pytest.raises(InputError, match="no ontology"):
        load_sources(tmp_path)


def test_a_byte_order_mark_is_named_not_shown_as_an_invisible_token(tmp_path: Path):
    bom = tmp_path / "bom.ttl"
    bom.write_bytes(b"\xef\xbb\xbf@prefix a: <http://a/> .\na:x a:y a:z .\n")
    with pytest.raises(ParseError) as info:
        parse_file(bom)
    assert str(info.value).startswith(f"{bom}:1:1: ")
    assert "byte order mark (U+FEFF)" in str(info.value)
    assert "\ufeff" not in str(info.value)
    plain = tmp_path / "plain.ttl"  # a file without one keeps the parser's own words
    plain.write_bytes(b"\xc2\xa0@prefix a: <http://a/> .\n")
    with pytest.raises(ParseError) as info:
        parse_file(plain)
    assert "byte order mark" not in str(info.value)


def test_an_ill_typed_literal_is_said_at_its_place(caplog, tmp_path):
    """A file's ill-typed literal is said at its line in Turtle and TriG (rdflib's own line
    count runs ahead where its parser backtracks over a newline, after a ';'), with its file
    in the syntaxes whose parser keeps no line; the same literal in another file is said
    there too, and a conversion outside a parse is not said again."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    from kg.load import read_dataset

    files = {
        "a.ttl": '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
                 '<http://x/a> <http://x/b> """a\nb""" ;\n  <http://x/c>\n'
                 '   "1978-02-31"^^xsd:date .\n',
        "b.trig": '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<http://x/g> {\n'
                  '<http://x/a> <http://x/c> (\n "1978-02-31"^^xsd:date ) .\n}\n',
        "c.nt": '<http://x/a> <http://x/c> "1978-02-31"^^<http://www.w3.org/2001/XMLSchema#date>'
                ' .\n',
    }
    with caplog.at_level("WARNING", logger="rdflib.term"):
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
            parse_file(tmp_path / name)
        (tmp_path / "d.nq").write_text(files["c.nt"], encoding="utf-8")
        read_dataset(tmp_path / "d.nq")  # pyoxigraph's terms made rdflib's
        Literal("1978-02-31", datatype=XSD.date)
    said = [r.getMessage() for r in caplog.records if r.name == "rdflib.term"]
    literal = ('ill-typed literal "1978-02-31"^^<http://www.w3.org/2001/XMLSchema#date>: '
               "day is out of range for month")
    assert said == [f"{tmp_path / 'a.ttl'}:5: {literal}", f"{tmp_path / 'b.trig'}:4: {literal}",
                    f"{tmp_path / 'c.nt'}: {literal}", f"{tmp_path / 'd.nq'}: {literal}"], said


def test_an_ill_typed_number_is_said_without_pythons_wording(caplog):
    from rdflib import Literal
    from rdflib.namespace import XSD

    with caplog.at_level("WARNING", logger="rdflib.term"):
        Literal("twelve-and-a-bit", datatype=XSD.integer)
        Literal("1.5e", datatype=XSD.double)
    said = [r.getMessage() for r in caplog.records if r.name == "rdflib.term"]
    assert said == [
        'ill-typed literal "twelve-and-a-bit"^^<http://www.w3.org/2001/XMLSchema#integer>: '
        "not a value of its datatype",
        'ill-typed literal "1.5e"^^<http://www.w3.org/2001/XMLSchema#double>: '
        "not a value of its datatype"], said


def test_a_byte_order_mark_is_not_blamed_where_the_format_reads_past_it():
    """JSON-LD reads past a BOM: an error on its line 1 (minified JSON-LD is all one line)
    is the parser's own."""
    import pyoxigraph as ox

    from kg.store import rdf_syntax_error

    data = b'\xef\xbb\xbf{"@id": "http://a", "http://b": {"@id": "http://c"}'
    with pytest.raises(SyntaxError) as info:
        list(ox.parse(data, format=ox.RdfFormat.JSON_LD))
    error = rdf_syntax_error(info.value, "x.jsonld", ox.RdfFormat.JSON_LD, data)
    assert "byte order mark" not in str(error) and str(error).startswith("x.jsonld:1:")


def test_a_prefix_declared_again_with_another_iri_is_said_at_its_line(tmp_path, caplog,
                                                                      monkeypatch):
    """Turtle lets a later @prefix give a prefix another IRI; in a file of graph/ it is a
    mistake whose hundreds of results ("the value of kgo:setUp must be a kgo:Group", on
    kg:units/…) never name it. kg validate (rdflib) and the build (pyoxigraph) say it at its
    line, once; a prefix declared again alike, or another prefix, is not said."""
    import logging

    from kg.load import load_store

    root = project_copy(tmp_path / "p")
    facts = root / "graph" / "article-part1.ttl"
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    first = 1 + next(n for n, line in enumerate(lines) if line.startswith("@prefix unit: "))
    at = next(n for n, line in enumerate(lines) if line.startswith("unit:division-341 "))
    lines[at:at] = ["@prefix unit:    <https://w3id.org/kg1978/units/> .\n",
                    "@prefix kgo: <https://w3id.org/kg1978/ontology/> .\n"]
    facts.write_text("".join(lines), encoding="utf-8")
    monkeypatch.chdir(root)
    said = (f"{Path('graph', 'article-part1.ttl')}:{at + 1}: @prefix unit: declared again, as "
            f"<https://w3id.org/kg1978/units/> (line {first} declared "
            "<https://w3id.org/kg1978/unit/>): every unit: name after it is an IRI of the "
            "second; remove one")
    for read in (lambda: parse_file(Path("graph", "article-part1.ttl")),
                 lambda: load_store(Path("."))):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="kg.load"):
            read()
        assert [r.getMessage() for r in caplog.records if r.name == "kg.load"] == [said]
