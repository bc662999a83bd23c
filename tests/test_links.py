"""``kg links``: export, import (every rejection rule), normalisation, idempotence, coverage.

Every test works on a temporary copy of ontology/, graph/ and shapes/; the real graph/links.ttl
is never written. The identifiers in the test sheets are test values, not curated claims.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from kg import links
from kg.cli import main
from kg.iris import PROV
from kgtest import REPO, WARNING_SHAPE, project_copy, settings_for

DATA = Path(__file__).parent / "data" / "links"
KG = "https://w3id.org/kg1978/"
WD = "http://www.wikidata.org/entity/"
HEADER = "id,authority_iri,relation,who,when,note,why"
# The shapes' pattern for skos:exactMatch / closeMatch before VIAF and LCNAF were accepted.
OLD_PATTERN = ("^(http://www\\\\.wikidata\\\\.org/entity/Q[1-9][0-9]*|"
               "https://sws\\\\.geonames\\\\.org/[1-9][0-9]*/)$")


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), "--build-dir", str(root / "build"), *args])


@pytest.fixture
def project(tmp_path) -> Path:
    """A fresh copy of the project to import into."""
    return project_copy(tmp_path / "project")


def sheet(folder: Path, *rows: str, name: str = "sheet.csv", header: str = HEADER) -> Path:
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def read_export(path: Path) -> dict[str, dict[str, str]]:
    delimiter = "\t" if path.suffix == ".tsv" else ","
    with path.open(encoding="utf-8-sig", newline="") as f:  # a .csv begins with a BOM
        return {row["id"]: row for row in csv.DictReader(f, delimiter=delimiter)}


def set_link_pattern(root: Path, pattern: str) -> None:
    """Make the copy's link shapes accept exactly ``pattern`` (either the old or the new one)."""
    shapes = root / "shapes" / "kg-shapes.ttl"
    text = shapes.read_text(encoding="utf-8")
    new = links.SHAPE_PATTERN.replace("\\", "\\\\")
    assert text.count(OLD_PATTERN) + text.count(new) == 2
    want = pattern.replace("\\", "\\\\")
    shapes.write_text(text.replace(OLD_PATTERN, want).replace(new, want), encoding="utf-8")


def allow_all_authorities(root: Path) -> None:
    """Put the VIAF and LCNAF forms into the copy's shapes, as proposed in kg.links."""
    set_link_pattern(root, links.SHAPE_PATTERN)


# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(("pasted", "authority", "canonical"), [
    ("Q1850", None, WD + "Q1850"),
    ("q1850", None, WD + "Q1850"),
    ("  Q1850\t", None, WD + "Q1850"),
    ("wd:Q1850", None, WD + "Q1850"),
    ("<http://www.wikidata.org/entity/Q1850>", None, WD + "Q1850"),
    ("https://www.wikidata.org/wiki/Q1850", None, WD + "Q1850"),
    ("https://www.wikidata.org/wiki/Q1850?uselang=vi#P31", None, WD + "Q1850"),
    ("https://m.wikidata.org/wiki/Q1850", None, WD + "Q1850"),
    ("https://www.wikidata.org/entity/Q1850", None, WD + "Q1850"),
    ("http://www.wikidata.org/entity/Q1850", None, WD + "Q1850"),
    ("www.wikidata.org/wiki/Q1850", None, WD + "Q1850"),
    ("https://www.wikidata.org/wiki/Special:EntityData/Q1850.json", None, WD + "Q1850"),
    ("https://www.wikidata.org/wiki/Q1850", "wikidata", WD + "Q1850"),
    ("1821306", "geonames", "https://sws.geonames.org/1821306/"),
    ("1821306", "GeoNames ", "https://sws.geonames.org/1821306/"),
    ("geonames:1821306", None, "https://sws.geonames.org/1821306/"),
    ("geonames.org/1821306", None, "https://sws.geonames.org/1821306/"),
    ("https://www.geonames.org/1821306/phnom-penh.html", None,
     "https://sws.geonames.org/1821306/"),
    ("http://sws.geonames.org/1821306/about.rdf", None, "https://sws.geonames.org/1821306/"),
    ("https://sws.geonames.org/1821306/", None, "https://sws.geonames.org/1821306/"),
    ("https://sws.geonames.org/1821306", None, "https://sws.geonames.org/1821306/"),
    ("http://viaf.org/viaf/102333412", None, "http://viaf.org/viaf/102333412"),
    ("https://viaf.org/viaf/102333412/", None, "http://viaf.org/viaf/102333412"),
    ("https://viaf.org/en/viaf/102333412", None, "http://viaf.org/viaf/102333412"),
    ("102333412", "viaf", "http://viaf.org/viaf/102333412"),
    ("viaf:102333412", None, "http://viaf.org/viaf/102333412"),
    ("n79021164", None, "http://id.loc.gov/authorities/names/n79021164"),
    ("http://id.loc.gov/authorities/names/n79021164", None,
     "http://id.loc.gov/authorities/names/n79021164"),
    ("https://id.loc.gov/authorities/names/n79021164.html", None,
     "http://id.loc.gov/authorities/names/n79021164"),
    ("https://id.loc.gov/authorities/names/no2015123456.html", "lcnaf",
     "http://id.loc.gov/authorities/names/no2015123456"),
])
def test_pasted_forms_are_normalised(pasted, authority, canonical):
    assert links.canonical_iri(pasted, authority) == canonical
    assert links.authority_of(canonical) is not None


@pytest.mark.parametrize(("pasted", "authority", "message"), [
    ("P31", None, "P31 is a Wikidata property, not an entity"),
    ("https://www.wikidata.org/wiki/Property:P31", None, "P31 is a Wikidata property"),
    ("L7", None, "L7 is a Wikidata lexeme"),
    ("https://www.wikidata.org/wiki/Lexeme:L7", None, "L7 is a Wikidata lexeme"),
    ("Q0", None, "not a Wikidata item id"),
    ("https://www.wikidata.org/wiki/Special:Search", None, "not a Wikidata entity page"),
    ("1821306", None, "is a bare number: say which authority"),
    ("Q1850", "geonames", "is a Wikidata identifier, but the authority column says geonames"),
    ("1821306", "wikipedia", "unknown authority 'wikipedia'"),
    ("https://en.wikipedia.org/wiki/Phnom_Penh", None, "en.wikipedia.org is not an authority"),
    ("https://www.geonames.org/search.html?q=x", None, "not a GeoNames feature IRI"),
    ("n123", None, "not an LC name authority id"),
    ("Phnom Penh", None, "is not a Wikidata, GeoNames, VIAF or LCNAF identifier"),
    ("", None, "no authority identifier"),
])
def test_pasted_forms_that_are_not_entities_are_refused(pasted, authority, message):
    with pytest.raises(ValueError, match=message):
        links.canonical_iri(pasted, authority)


def test_shape_pattern_accepts_every_canonical_form_and_nothing_else():
    import re

    for iri in (WD + "Q1850", "https://sws.geonames.org/1821306/", "http://viaf.org/viaf/1",
                "http://id.loc.gov/authorities/names/n79021164"):
        assert re.fullmatch(links.SHAPE_PATTERN, iri)
    for iri in ("https://www.wikidata.org/wiki/Q1850", WD + "P31", "http://sws.geonames.org/1/",
                "https://viaf.org/viaf/1", "https://id.loc.gov/authorities/names/n79021164"):
        assert not re.fullmatch(links.SHAPE_PATTERN, iri)


# ---------------------------------------------------------------- export


def test_export_writes_a_range_whose_start_spans_two_days(project):
    """An end date stays beside its start (an ISO 8601 interval) when the start is given over
    two days; the latest start follows."""
    with (project / "graph" / "article-part1.ttl").open("a", encoding="utf-8") as f:
        f.write("""
event:two-day-start a kgo:Offensive ;
    rdfs:label "An offensive begun over two days"@en ;
    kgo:startDate "1979-01-05"^^xsd:date ; kgo:latestStart "1979-01-06"^^xsd:date ;
    kgo:endDate "1979-01-07"^^xsd:date ;
    kgo:carriedOutBy unit:vietnamese-volunteers ;
    prov:wasDerivedFrom p:13 .
""")
    out = project / "all.csv"
    assert run(project, "links", "export", str(out)) == 0
    assert (read_export(out)[KG + "event/two-day-start"]["date"]
            == "1979-01-05/1979-01-07, began not after 1979-01-06")


def test_export_has_one_row_per_linkable_entity_with_its_links(project, capsys):
    out = project / "all.csv"
    assert run(project, "links", "export", str(out)) == 0
    rows = read_export(out)
    assert list(next(iter(rows.values()))) == list(links.EXPORT_COLUMNS)
    cov = links.coverage(links.source_store(links.load_sources(project)))
    assert len(rows) == cov["entities"]
    pp = rows[KG + "place/phnom-penh"]
    assert pp["label"] == "Phnom Penh"
    assert pp["type"] == "city"
    assert pp["country"] == "Cambodia"
    assert pp["wikidata"] == WD + "Q1850"
    assert pp["geonames"] == "https://sws.geonames.org/1821306/"
    assert "Saloth Sar" in rows[KG + "actor/pol-pot"]["alt_labels"].split(" | ")
    assert rows[KG + "unit/division-341"]["part_of"] == "Army Corps 4"
    # dates as the source gives them: a range, an end it bounds only, an earliest date
    event = KG + "event/"
    assert rows[event + "general-counter-offensive-1978-1979"]["date"] == "1978-12-23/1979-01-17"
    assert (rows[event + "recapture-of-occupied-areas-1978-12"]["date"]
            == "1978-12-23, ended not after 1978-12-31")
    assert rows[event + "shift-to-offensive-1978-03-26"]["date"] == \
        "1978-03-26, end undated in source"  # "from 26 March 1978": not a one-day event
    assert rows[event + "liberation-of-phnom-penh-1979-01-07"]["date"] == "1979-01-07"  # one day
    assert (rows[event + "phnom-penh-offensive-1979-01"]["date"]  # "on January 5-6"
            == "1979-01-05, ended not after 1979-01-07, began not after 1979-01-06")
    assert [r["date"] for r in rows.values() if r["date"].startswith("not before ")]
    assert all(not r["authority_iri"] and not r["relation"] for r in rows.values())
    assert f"wrote {len(rows)} rows" in capsys.readouterr().err


def test_export_unlinked_of_one_type_as_tsv(project):
    out = project / "provinces.tsv"
    assert run(project, "links", "export", "--type", "Province", str(out)) == 0
    assert "\t" in out.read_text(encoding="utf-8").splitlines()[0]
    assert set(read_export(out)) == {KG + "place/kratie", KG + "place/tay-ninh"}
    out = project / "unlinked-places.csv"
    assert run(project, "links", "export", "--unlinked", "--type", "kgo:Place", str(out)) == 0
    rows = read_export(out)
    assert KG + "place/chong-thnu" in rows and KG + "place/snuol" not in rows and KG + "place/phnom-penh" not in rows
    assert all(not r["wikidata"] and not r["geonames"] for r in rows.values())


def test_a_csv_export_begins_with_a_bom_for_excel_unless_told_not_to(project):
    """Without the mark Excel reads UTF-8 as ANSI: 'Quân ủy Trung ương' becomes mojibake."""
    bom = b"\xef\xbb\xbf"
    for args, name, marked in ((), "all.csv", True), (("--no-bom",), "plain.csv", False), \
            ((), "all.tsv", False), (("--bom",), "marked.tsv", True):
        assert run(project, "links", "export", *args, str(project / name)) == 0
        data = (project / name).read_bytes()
        assert data.startswith(bom + b"id") if marked else data.startswith(b"id"), (args, name)
        assert data.count(bom) == (1 if marked else 0)
    assert "Quân ủy Trung ương".encode() in (project / "all.csv").read_bytes()
    # a program that kept our mark in the first column's name, and wrote its own before it
    edited = project / "edited.csv"
    edited.write_bytes(bom + (project / "all.csv").read_bytes())
    assert run(project, "links", "import", str(edited)) == 0


def test_export_refuses_an_unknown_class_and_suffix(project, capsys):
    assert run(project, "links", "export", "--type", "Spaceship", str(project / "x.csv")) == 2
    assert "unknown class 'Spaceship'" in capsys.readouterr().err
    assert run(project, "links", "export", str(project / "x.xlsx")) == 2
    assert "a links sheet is a .csv or .tsv file, not '.xlsx'" in capsys.readouterr().err


@pytest.mark.parametrize("given", ["Quantity", "kgo:Quantity", "figure", "Measure", "Passage"])
def test_export_refuses_a_class_whose_entities_are_never_linked(project, capsys, given):
    """A class of the ontology whose instances are not linkable (figures, measures,
    passages) wrote a sheet of no rows and exit 0, as if every entity of it were linked or it
    had none: it is a usage error naming the classes that are linked, and writes nothing."""
    out = project / "figures.csv"
    assert run(project, "links", "export", "--type", given, str(out)) == 2
    assert (f"class {given!r} has no entities that are linked to authorities: use one of "
            "Person, Organisation, State, MilitaryUnit, Place, Event") in capsys.readouterr().err
    assert not out.exists()


def test_export_of_a_class_above_or_under_the_linked_ones(project, capsys):
    """A class above the linkable ones (Actor: people, groups, states and units) exports its
    linkable entities; one under them with no entity yet (Battalion), a sheet of no rows."""
    assert run(project, "links", "export", "--type", "Actor", str(project / "actors.csv")) == 0
    rows = read_export(project / "actors.csv")
    assert {KG + "actor/pol-pot", KG + "unit/division-341", KG + "actor/srv"} <= set(rows)
    assert not any(iri.startswith((KG + "place/", KG + "event/")) for iri in rows)
    capsys.readouterr()
    assert run(project, "links", "export", "--type", "Battalion", str(project / "b.csv")) == 0
    assert read_export(project / "b.csv") == {}
    assert "wrote 0 rows" in capsys.readouterr().err


# ---------------------------------------------------------------- import: every rejection rule

P = KG + "place/"
A = KG + "actor/"
REJECTIONS = {
    "unknown entity": (
        [f"{A}nobody,Q5,exactMatch,Jane,2026-11-20,Test: Q5,"],
        2, f"unknown entity {A}nobody: no such IRI in graph/"),
    "not a linkable entity": (
        [f"{KG}source/article-part1,Q5,exactMatch,Jane,2026-11-20,Test: Q5,"],
        2, f"{KG}source/article-part1 is a kgo:Article, not a linkable entity"),
    "no entity": (
        [",Q5,exactMatch,Jane,2026-11-20,Test: Q5,"],
        2, "no entity IRI in column id"),
    "other host": (
        [f"{P}snuol,https://en.wikipedia.org/wiki/Snuol,exactMatch,Jane,2026-11-20,Test: Snuol,"],
        2, "authority_iri 'https://en.wikipedia.org/wiki/Snuol': en.wikipedia.org is not an "
           "authority we link to"),
    "wikidata property": (
        [f"{P}snuol,P31,exactMatch,Jane,2026-11-20,Test: P31,"],
        2, "authority_iri 'P31': P31 is a Wikidata property, not an entity"),
    "wikidata lexeme": (
        [f"{P}snuol,https://www.wikidata.org/wiki/Lexeme:L7,exactMatch,Jane,2026-11-20,Test: L7,"],
        2, "authority_iri 'https://www.wikidata.org/wiki/Lexeme:L7': L7 is a Wikidata lexeme, "
           "not an entity"),
    "bare number": (
        [f"{P}snuol,1822158,closeMatch,Jane,2026-11-20,Test: 1822158,"],
        2, "authority_iri '1822158': 1822158 is a bare number: say which authority it is from"),
    "relation": (
        [f"{P}snuol,Q5,sameAs,Jane,2026-11-20,Test: Q5,"],
        2, "relation must be exactMatch or closeMatch, not 'sameAs' (owl:sameAs is never used)"),
    "no relation": (
        [f"{P}snuol,Q5,,Jane,2026-11-20,Test: Q5,"],
        2, "relation must be exactMatch or closeMatch, not ''"),
    "no who": (
        [f"{P}snuol,Q5,exactMatch,,2026-11-20,Test: Q5,"],
        2, "who is empty: name the person who decided the link"),
    "unknown agent": (
        [f"{P}snuol,Q5,exactMatch,agent:nobody,2026-11-20,Test: Q5,"],
        2, "unknown agent agent:nobody: give a name instead, or an agent described in graph/"),
    "bad date": (
        [f"{P}snuol,Q5,exactMatch,Jane,20/11/2026,Test: Q5,"],
        2, "when must be a date written YYYY-MM-DD, not '20/11/2026'"),
    "future date": (
        [f"{P}snuol,Q5,exactMatch,Jane,2999-01-01,Test: Q5,"],
        2, "when '2999-01-01' is in the future"),
    "two ids, one already in the graph": (
        [f"{P}phnom-penh,Q999,exactMatch,Jane,2026-11-20,Test: Q999,"],
        2, f"place:phnom-penh would have two Wikidata ids: {WD}Q999 and {WD}Q1850 "
           "(graph/links.ttl); if that is right, say why in the why column"),
    "two ids in the file": (
        [f"{P}snuol,Q998,exactMatch,Jane,2026-11-20,Test: Q998,",
         f"{P}snuol,Q999,closeMatch,Jane,2026-11-20,Test: Q999,"],
        3, f"place:snuol would have two Wikidata ids: {WD}Q999 and {WD}Q998 (line 2)"),
    "id claimed twice, once in the graph": (
        [f"{P}road-7,https://www.wikidata.org/wiki/Q1320165,exactMatch,Jane,2026-11-20,"
         "Test: Q1320165,"],
        2, f"{WD}Q1320165 would be claimed by two entities: place:road-7 and place:road-1 "
           "(graph/links.ttl); if that is right, say why in the why column"),
    "id claimed twice in the file": (
        [f"{P}road-1,Q999,exactMatch,Jane,2026-11-20,Test: Q999,",
         f"{P}road-7,Q999,exactMatch,Jane,2026-11-20,Test: Q999,"],
        3, f"{WD}Q999 would be claimed by two entities: place:road-7 and place:road-1 (line 2)"),
    "relation differs from the graph": (
        [f"{P}tay-ninh,Q36608,exactMatch,Jane,2026-11-20,Test: Q36608,"],
        2, f"place:tay-ninh is already linked to {WD}Q36608 by skos:closeMatch in "
           "graph/links.ttl; to change the relation, remove that link first"),
    "relation differs within the file": (
        [f"{P}snuol,Q999,exactMatch,Jane,2026-11-20,Test: Q999,",
         f"{P}snuol,Q999,closeMatch,Jane,2026-11-20,Test: Q999,"],
        3, f"place:snuol is already linked to {WD}Q999 by skos:exactMatch in line 2"),
    "evidence differs from the graph": (
        [f"{P}tay-ninh,Q36608,closeMatch,Jane,,Test: another record of Q36608,"],
        2, f"place:tay-ninh skos:closeMatch {WD}Q36608 is already in graph/links.ttl, where "
           "its evidence is '"),
    "author differs from the graph": (
        [f"{P}tay-ninh,Q36608,closeMatch,Jane,,,"],
        2, f"place:tay-ninh skos:closeMatch {WD}Q36608 is already in graph/links.ttl, where "
           "it is attributed to agent:curators: the import only adds links; to change one, edit "
           "its statement in graph/links.ttl"),
    "evidence differs within the file": (
        [f"{P}snuol,Q999,exactMatch,Jane,2026-11-20,Test: Q999,",
         f"{P}snuol,Q999,exactMatch,Jane,2026-11-20,Test: another record of Q999,"],
        3, f"place:snuol skos:exactMatch {WD}Q999 is already in line 2, where its evidence "
           "is 'Test: Q999'"),
    "no evidence": (
        [f"{P}snuol,Q5,exactMatch,Jane,2026-11-20,,"],
        2, "note is empty: give the evidence the link was verified from"),
    "evidence names another identifier": (
        [f"{P}snuol,Q998,exactMatch,Jane,2026-11-20,Test: Q899,"],
        2, "note does not name the identifier it links to (the number 998, standing alone)"),
    "evidence names a longer identifier": (
        [f"{P}snuol,Q185,exactMatch,Jane,2026-11-20,Test: Q1850,"],
        2, "note does not name the identifier it links to (the number 185, standing alone)"),
    "a NUL byte in the evidence": (
        [f"{P}snuol,Q5,exactMatch,Jane,2026-11-20,Test: Q5\x00,"],
        2, "note holds the control character U+0000 at character 9: remove it"),
    "an escape character in the name": (
        [f"{P}snuol,Q5,exactMatch,Ja\x1bne,2026-11-20,Test: Q5,"],
        2, "who holds the control character U+001B at character 3: remove it"),
    "extra cells": (
        [f"{P}snuol,Q5,exactMatch,Jane,2026-11-20,Test: Q5,,surplus"],
        2, "8 cells but the header has 7 columns"),
}


@pytest.mark.parametrize("rule", list(REJECTIONS))
def test_a_bad_row_rejects_the_file(project, tmp_path, capsys, rule):
    rows, line, message = REJECTIONS[rule]
    before = (project / "graph" / "links.ttl").read_bytes()
    path = sheet(tmp_path, *rows)
    assert run(project, "links", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert f"kg: error: {path}: " in err and "nothing was written" in err
    assert f"{path}:{line}: {message}" in err
    assert (project / "graph" / "links.ttl").read_bytes() == before


@pytest.mark.parametrize(("header", "message"), [
    ("iri,relation,who", "missing column(s) authority_iri"),
    ("authority_iri,relation,who", "missing column(s) id"),
    ("id,authority_iri,who,Who", "column 'who' appears twice"),
])
def test_a_bad_header_rejects_the_file(project, tmp_path, capsys, header, message):
    path = sheet(tmp_path, f"{P}snuol,Q5,Jane", header=header)
    assert run(project, "links", "import", str(path)) == 2
    assert f"{path}:1: {message}" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "separator", "message"), [
    ("semi.csv", ";", "missing column(s) id, authority_iri: the file uses ';' as its separator, "
                      "not ',': save it again with ','"),
    ("semi.tsv", ";", "missing column(s) id, authority_iri: the file uses ';' as its separator, "
                      "not tabs: save it as tab-separated text, or name it .csv"),
    ("tabs.csv", "\t", "missing column(s) id, authority_iri: the file is tab-separated: name it "
                       ".tsv"),
    ("commas.tsv", ",", "missing column(s) id, authority_iri: the file is comma-separated: name "
                       "it .csv"),
])
def test_a_sheet_with_another_separator_is_told_which(project, tmp_path, capsys, name,
                                                      separator, message):
    """European Excel saves 'CSV' with ';'. Named, not guessed: a note may hold either."""
    before = (project / "graph" / "links.ttl").read_bytes()
    row = f"{P}snuol;Q5;closeMatch;Lan Nguyễn;2026-11-20;Test: Q5, a record; its page;"
    path = sheet(tmp_path, row.replace(";", separator), name=name,
                 header=HEADER.replace(",", separator))
    assert run(project, "links", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:1: {message}" in err
    assert (project / "graph" / "links.ttl").read_bytes() == before


def test_every_fault_of_a_row_is_listed_at_once(project, tmp_path, capsys):
    path = sheet(tmp_path, f"{P}snuol,Q998,exactMatch,,2026-11-20,,")
    assert run(project, "links", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}: 2 problems" in err
    assert f"{path}:2: who is empty" in err and f"{path}:2: note is empty" in err


def test_a_file_that_is_not_a_utf8_sheet_is_rejected(project, tmp_path, capsys):
    path = tmp_path / "excel.csv"
    path.write_bytes(f"{HEADER}\n{P}snuol,Q5,exactMatch,Jos\xe9,2026-11-20,Test: Q5,\n".encode("cp1252"))
    assert run(project, "links", "import", str(path)) == 2
    assert (f"{path}:2: the sheet is not UTF-8 (byte 97 is not): save it as 'CSV UTF-8' (or TSV)"
            in capsys.readouterr().err)
    path = sheet(tmp_path, f"{P}snuol,Q5,exactMatch,Jane,,Test: Q5,", name="sheet.xlsx")
    assert run(project, "links", "import", str(path)) == 2
    assert "a links sheet is a .csv or .tsv file" in capsys.readouterr().err


def test_every_bad_row_is_listed_and_good_rows_are_not_applied(project, tmp_path, capsys):
    before = (project / "graph" / "links.ttl").read_bytes()
    path = sheet(tmp_path,
                 f"{P}snuol,Q998,closeMatch,Jane,2026-11-20,Test: Q998,",
                 f"{A}nobody,Q5,exactMatch,Jane,2026-11-20,Test: Q5,",
                 f"{P}road-1,,,,,,",
                 f"{P}road-7,P31,exactMatch,,2026-11-20,Test: P31,",
                 f"{P}road-19-extended,Q777,closeMatch,Jane,2026-11-20,Test: no id,")
    assert run(project, "links", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}: 4 problems; nothing was written" in err
    assert f"{path}:6: note does not name the identifier it links to (the number 777" in err
    assert f"{path}:3: unknown entity" in err
    assert f"{path}:5: authority_iri 'P31'" in err and f"{path}:5: who is empty" in err
    assert f"{path}:2:" not in err and f"{path}:4:" not in err
    assert (project / "graph" / "links.ttl").read_bytes() == before


def test_a_link_the_shapes_refuse_rejects_the_file(project, capsys):
    # With shapes that accept only Wikidata and GeoNames, the graph would not conform.
    set_link_pattern(project, OLD_PATTERN.replace("\\\\", "\\"))
    before = (project / "graph" / "links.ttl").read_bytes()
    path = DATA / "pasted-forms.tsv"
    assert run(project, "links", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:4: the graph would not conform: an authority link must be" in err
    assert "value http://viaf.org/viaf/12345678)" in err.split(f"{path}:4:")[1].split("\n")[0]
    assert f"{path}:5: the graph would not conform" in err
    assert f"{path}: 2 problems" in err
    assert f"{path}:2:" not in err
    assert (project / "graph" / "links.ttl").read_bytes() == before


def test_warnings_neither_stop_an_import_nor_read_as_its_problems(project, capsys):
    """A shape at sh:Warning (events without a place) does not stop an import; beside a link
    the shapes refuse, only the refusal is the sheet's problem."""
    (project / "shapes" / "zz-warning.ttl").write_text(WARNING_SHAPE, encoding="utf-8")
    good = sheet(project, f"{KG}place/chong-thnu,https://sws.geonames.org/1234567/,exactMatch,"
                          "Jane Doan,2026-11-27,Test: GeoNames 1234567,")
    assert run(project, "links", "import", str(good)) == 0
    assert "1234567" in (project / "graph" / "links.ttl").read_text(encoding="utf-8")
    out = capsys.readouterr().out  # said, with what it is about
    assert "warning(s), which do not stop the import" in out
    assert "  an event is best placed (focus event:" in out
    set_link_pattern(project, OLD_PATTERN.replace("\\\\", "\\"))
    path = DATA / "pasted-forms.tsv"
    assert run(project, "links", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}: 2 problems" in err and "best placed" not in err


def test_a_misspelt_vocabulary_term_in_the_links_is_said_by_an_import(project, capsys):
    """A hand edit in graph/links.ttl with rdfs:lable: the import adds its link and says the
    warning, as kg validate does."""
    links = project / "graph" / "links.ttl"
    links.write_text(links.read_text(encoding="utf-8") + f"<{KG}place/chong-thnu> "
                     "<http://www.w3.org/2000/01/rdf-schema#lable> \"hand edit\"@en .\n",
                     encoding="utf-8")
    good = sheet(project, f"{KG}place/chong-thnu,https://sws.geonames.org/1234567/,exactMatch,"
                          "Jane Doan,2026-11-27,Test: GeoNames 1234567,")
    assert run(project, "links", "import", str(good)) == 0
    out = capsys.readouterr().out
    assert "1 link(s) added" in out and "1 warning(s)" in out and "rdfs:label" in out


def test_an_import_keeps_the_lexical_form_of_every_literal_in_the_links(project, capsys):
    """rdflib reads ``1e3`` as the double written ``1000.0`` (and ``"01"^^xsd:integer`` as
    ``1``, ``"1"^^xsd:boolean`` as ``true``): another literal in RDF, which the import wrote
    back for a hand edit it was not asked to change. Each is kept as written."""
    import pyoxigraph as ox

    given = {("1e3", "double"), ("01", "integer"), ("1", "boolean"), ("1.50", "decimal"),
             ("-0.0E0", "double")}
    xsd = "http://www.w3.org/2001/XMLSchema#"
    links_file = project / "graph" / "links.ttl"
    links_file.write_text(links_file.read_text(encoding="utf-8") + f"<{KG}place/chong-thnu> "
                          "<http://example.org/measure> " + ", ".join(
                              f'"{v}"^^<{xsd}{t}>' for v, t in sorted(given)) + " .\n",
                          encoding="utf-8")
    good = sheet(project, f"{KG}place/chong-thnu,https://sws.geonames.org/1234567/,exactMatch,"
                          "Jane Doan,2026-11-27,Test: GeoNames 1234567,")
    assert run(project, "links", "import", str(good)) == 0, capsys.readouterr().err
    written = links_file.read_text(encoding="utf-8")
    assert "1234567" in written  # imported
    kept = {(q.object.value, q.object.datatype.value[len(xsd):])
            for q in ox.parse(input=written.encode(), format=ox.RdfFormat.TURTLE,
                              base_iri=links_file.resolve().as_uri())
            if q.predicate.value == "http://example.org/measure"}
    assert kept == given


# ---------------------------------------------------------------- import: what gets written


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """Export, fill in two decisions as a spreadsheet would (BOM, CRLF), import, export again."""
    root = project_copy(tmp_path_factory.mktemp("round-trip") / "project")
    first = root / "first.csv"
    assert run(root, "links", "export", "--unlinked", str(first)) == 0
    rows = read_export(first)
    rows[P + "chong-thnu"].update(authority_iri="https://www.geonames.org/1822158/chong-thnu.html",
                             relation="closeMatch", who="jane đoàn", when="2026-11-20",
                             note="Test: a GeoNames record pasted as its page, 1822158",
                             source="https://example.org/records/1822158")
    rows[A + "kufns"].update(authority_iri=" Q1061155 ", relation="exactMatch",
                             who="Jane Đoàn", when="2026-11-21", note="Test: reconciled to Q1061155")
    edited = root / "edited.csv"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=links.EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows.values())
    edited.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    before = (root / "graph" / "links.ttl").read_bytes()
    assert run(root, "links", "import", str(edited)) == 0
    after = (root / "graph" / "links.ttl").read_bytes()
    second = root / "second.csv"
    assert run(root, "links", "export", str(second)) == 0
    return {"root": root, "edited": edited, "before": before, "after": after,
            "rows": rows, "second": read_export(second)}


def test_round_trip_export_edit_import_export_shows_the_links(round_trip):
    second = round_trip["second"]
    # a close match is in close_matches, never in its authority's column (exact matches)
    assert second[P + "chong-thnu"]["geonames"] == ""
    assert second[P + "chong-thnu"]["close_matches"] == "https://sws.geonames.org/1822158/"
    assert second[P + "kratie"]["wikidata"] == ""
    assert second[P + "kratie"]["close_matches"] == (
        "http://www.wikidata.org/entity/Q785896 | https://sws.geonames.org/1830563/")
    assert second[A + "kufns"]["wikidata"] == WD + "Q1061155"
    assert second[A + "kufns"]["close_matches"] == ""
    assert second[P + "phnom-penh"]["wikidata"] == WD + "Q1850"
    assert round_trip["before"] != round_trip["after"]


def test_imported_links_carry_their_provenance(round_trip):
    g = Graph().parse(data=round_trip["after"], format="turtle")
    old = Graph().parse(data=round_trip["before"], format="turtle")
    assert all(t in g for t in old), "every link and statement already there is kept"
    entity, target = URIRef(P + "chong-thnu"), URIRef("https://sws.geonames.org/1822158/")
    assert (entity, SKOS.closeMatch, target) in g
    (st,) = g.subjects(RDF.object, target)
    assert str(st) == KG + "link/chong-thnu-geonames-1822158"
    assert (st, RDF.type, RDF.Statement) in g and (st, RDF.subject, entity) in g
    assert g.value(st, RDFS.label) == Literal("Chong Th’nu close to GeoNames 1822158",
                                              lang="en")
    agent = g.value(st, PROV.wasAttributedTo)
    assert str(agent) == KG + "agent/jane-doan"
    assert g.value(agent, RDFS.label) == Literal("Jane Đoàn"), "as first spelled in the sheet"
    (st2,) = g.subjects(RDF.object, URIRef(WD + "Q1061155"))
    assert g.value(st2, PROV.wasAttributedTo) == agent, "the same person, spelled differently"
    assert str(g.value(st, URIRef("http://purl.org/dc/terms/created"))) == "2026-11-20"
    # the stored record the evidence was read in, where the sheet gives it
    assert g.value(st, URIRef("http://purl.org/dc/terms/source")) == URIRef(
        "https://example.org/records/1822158")
    assert g.value(st2, URIRef("http://purl.org/dc/terms/source")) is None
    assert (None, URIRef("http://www.w3.org/2002/07/owl#sameAs"), None) not in g


#: Alternative labels a spreadsheet could read as formulas (the archivist's, and the rest of
#: OWASP's list) and one that only looks protected, each on a place whose other labels sort
#: after it (so that its cell begins with it).
FORMULA_LABELS = {"kratie": '=HYPERLINK("http://example.invalid","x")', "tay-ninh": "+1+2",
                  "snuol": "-2+3", "chong-thnu": "@SUM(1)", "phnom-penh": "'=already quoted"}


def test_exported_cells_are_protected_against_formula_injection(project, capsys):
    """A cell that begins with = + - @ (a tab, a carriage return) is exported with an
    apostrophe before it (OWASP, CSV injection), so Excel and LibreOffice keep it text; the
    import takes it off again, so the round trip reads every cell as it was."""
    entities = project / "graph" / "entities.ttl"
    added = "".join(f'place:{x} skos:altLabel "{t.replace(chr(34), chr(92) + chr(34))}"@en .\n'
                    for x, t in FORMULA_LABELS.items())
    entities.write_text(entities.read_text(encoding="utf-8") + "\n" + added, encoding="utf-8")
    for name in ("sheet.csv", "sheet.tsv"):
        path = project / name
        assert run(project, "links", "export", str(path)) == 0
        delimiter = "\t" if name.endswith(".tsv") else ","
        with path.open(encoding="utf-8-sig", newline="") as f:
            raw = {row["id"]: row for row in csv.DictReader(f, delimiter=delimiter)}
        for x, label in FORMULA_LABELS.items():
            cell = raw[P + x]["alt_labels"]
            assert cell.startswith("'" + label + " | "), cell
            assert links.unprotect_cell(cell).split(" | ")[0] == label
        assert not [c for row in raw.values() for c in row.values() if c[:1] in "=+-@\t\r"
                    and c]
        capsys.readouterr()
        assert run(project, "links", "import", str(path)) == 0, capsys.readouterr().err
        assert "0 link(s) added" in capsys.readouterr().out
    # a cell the import reads, protected as the export protects it, is read as it was
    note = "-Q1337046: Wikidata's item, as OpenRefine matched it"
    path, _ = edited_export(project, "edited.csv", **{A + "kufns": {
        "authority_iri": "Q1337046", "relation": "exactMatch", "who": "Lan",
        "note": links.protect_cell(note)}})
    assert "'-Q1337046" in path.read_text(encoding="utf-8")
    assert run(project, "links", "import", str(path)) == 0, capsys.readouterr().err
    g = Graph().parse(project / "graph" / "links.ttl")
    (st,) = g.subjects(RDF.object, URIRef(WD + "Q1337046"))
    assert str(g.value(st, URIRef("http://purl.org/dc/terms/bibliographicCitation"))) == note
    for value in (*FORMULA_LABELS.values(), "''", "'t Hooft", "'", "\tx", "\rx", "x=1", ""):
        protected = links.protect_cell(value)
        assert links.unprotect_cell(protected) == value
        assert protected[:1] not in "=+-@\t\r" or not protected
    assert links.protect_cell("-2+3") == "'-2+3" and links.protect_cell("'t") == "'t"


def test_export_to_a_folder_that_does_not_exist_is_a_usage_error(project, tmp_path, capsys):
    """A mistyped folder is said, with the path (exit 2), not made and written into."""
    target = tmp_path / "no-such" / "dir" / "x.csv"
    assert run(project, "links", "export", str(target)) == 2
    err = capsys.readouterr().err
    assert str(target) in err and "no such folder" in err
    assert not (tmp_path / "no-such").exists()
    assert run(project, "links", "export", str(tmp_path / "x.csv")) == 0  # an existing one


def test_protecting_a_cell_is_undone_by_the_import_for_any_text():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=3000, deadline=None)
    @given(st.text(alphabet="'=+-@\t\rab ", max_size=6) | st.text())
    def undone(value):
        protected = links.protect_cell(value)
        assert links.unprotect_cell(protected) == value
        assert protected[:1] not in set("=+-@\t\r")

    undone()


def test_reimport_is_idempotent(round_trip, capsys):
    root = round_trip["root"]
    assert run(root, "links", "import", str(round_trip["edited"])) == 0
    assert "0 link(s) added, 2 already present" in capsys.readouterr().out
    assert (root / "graph" / "links.ttl").read_bytes() == round_trip["after"]


def test_the_links_file_is_a_fixed_point_of_its_writer(round_trip):
    g = Graph().parse(data=round_trip["after"], format="turtle")
    text = links.links_turtle(g)
    assert text.encode("utf-8") == round_trip["after"]
    assert isomorphic(Graph().parse(data=text, format="turtle"), g)


def test_the_graph_still_builds_and_conforms_after_import(round_trip):
    from kg.build import build

    result = build(settings_for(round_trip["root"]))
    assert result.report.conforms


def test_report_and_stats_show_the_same_coverage(round_trip, capsys):
    from kg.build import ensure_built
    from kg.query import open_store
    from kg.stats import stats_text

    root = round_trip["root"]
    settings = settings_for(root)
    built = links.coverage(open_store(ensure_built(settings)))
    from_files = links.coverage(links.source_store(links.load_sources(root)))
    assert built == from_files
    assert from_files["authorities"]["geonames"]["links"] == 7
    assert from_files["classes"]["Place"]["geonames"] == 7
    block = "\n".join(links.coverage_lines(from_files))
    assert block in stats_text(settings)
    assert run(root, "links", "report") == 0
    out = capsys.readouterr().out
    assert block in out
    assert f"  {P}chong-thnu" not in out, "no longer in the unlinked list"


def test_report_and_import_name_graph_relative_to_the_working_folder(project, tmp_path,
                                                                    capsys, monkeypatch):
    """As kg build and validate print their paths: graph/ relative where the command runs in
    the project (it was the absolute path), absolute from elsewhere."""
    path = sheet(tmp_path, f"{P}snuol,Q998,closeMatch,Jane,2026-11-20,Test: Q998,")
    monkeypatch.chdir(project)
    assert run(project, "links", "report") == 0
    assert capsys.readouterr().out.startswith("Authority links in graph\n")
    assert run(project, "links", "import", str(path)) == 0
    assert capsys.readouterr().out.startswith("graph/links.ttl: 1 link(s) added")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert run(project, "links", "report") == 0
    assert capsys.readouterr().out.startswith(f"Authority links in {project / 'graph'}\n")


def test_the_why_column_allows_the_exceptions(project, tmp_path, capsys):
    path = sheet(tmp_path,
                 f"{P}road-7,Q1320165,closeMatch,Jane,2026-11-20,Test: Q1320165,"
                 "the roads share one item",
                 f"{P}snuol,Q998,closeMatch,Jane,2026-11-20,Test: Q998,the district and its seat",
                 f"{P}snuol,Q999,closeMatch,Jane,2026-11-20,Test: Q999,the district and its seat")
    assert run(project, "links", "import", str(path)) == 0
    g = Graph().parse(project / "graph" / "links.ttl")
    (st,) = g.subjects(RDF.subject, URIRef(P + "road-7"))
    assert g.value(st, SKOS.editorialNote) == Literal("the roads share one item")
    capsys.readouterr()
    assert run(project, "links", "report") == 0
    out = capsys.readouterr().out
    # the graph's own: Q881 is the state (exact) and close to the country, with why
    assert "Conflicts (3, 0 without a reason):" in out
    assert f"{WD}Q881 is claimed by 2 entities: actor:srv, place:vietnam" in out
    assert f"{WD}Q1320165 is claimed by 2 entities: place:road-1, place:road-7" in out
    assert f"place:snuol has 2 Wikidata ids: {WD}Q998, {WD}Q999" in out


def test_pasted_forms_import_once_the_shapes_accept_every_authority(project, capsys):
    allow_all_authorities(project)
    assert run(project, "links", "import", str(DATA / "pasted-forms.tsv")) == 0
    out = capsys.readouterr().out
    assert "5 link(s) added, 1 already present, 1 row(s) without an authority_iri ignored" in out
    g = Graph().parse(project / "graph" / "links.ttl")
    huu = URIRef(A + "huu-duong")
    assert (huu, SKOS.exactMatch, URIRef("http://viaf.org/viaf/12345678")) in g
    assert (huu, SKOS.exactMatch,
            URIRef("http://id.loc.gov/authorities/names/n80012345")) in g
    assert (URIRef(A + "kufns"), SKOS.exactMatch, URIRef(WD + "Q1061155")) in g
    assert (URIRef(P + "road-1"), SKOS.closeMatch,
            URIRef("https://sws.geonames.org/1234567/")) in g
    orcid = URIRef("https://orcid.org/0000-0002-1825-0097")
    assert (None, PROV.wasAttributedTo, orcid) in g and (orcid, None, None) not in g
    assert len(set(g.subjects(RDF.type, PROV.Agent))) == 1, "Jane Đoàn once, curators reused"
    from kg.build import build

    assert build(settings_for(project)).report.conforms


def test_when_defaults_to_the_day_of_the_import(project, tmp_path):
    path = sheet(tmp_path, f"{P}road-7,Q999,closeMatch,Jane,,Test: Q999,")
    result = links.import_links(settings_for(project), path, today=date(2026, 12, 1))
    assert [(n, x) for n, x, _, _ in result.added] == [(2, P + "road-7")]
    g = Graph().parse(project / "graph" / "links.ttl")
    (st,) = g.subjects(RDF.subject, URIRef(P + "road-7"))
    assert str(g.value(st, URIRef("http://purl.org/dc/terms/created"))) == "2026-12-01"


def test_the_real_links_file_is_untouched():
    text = (REPO / "graph" / "links.ttl").read_text(encoding="utf-8")
    assert "Test:" not in text and "jane-doan" not in text


# ---------------------------------------------------------------- import: quotes that break rows

STRAY = [  # the archivist's sheet: a stray '"' in the note on line 2 (its cell opens with '"')
    f'{A}kprc,Q2000001,exactMatch,Lan,2026-11-01,"Wikidata Q2000001 ""KPRC',
    f"{A}kufns,Q2000002,exactMatch,Lan,2026-11-01,Wikidata Q2000002",
    f"{P}snuol,Q2000003,exactMatch,Lan,2026-11-01,Wikidata Q2000003",
]


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_an_unclosed_quote_rejects_the_file_at_the_line_it_opened(project, tmp_path, capsys,
                                                                   suffix):
    """Without a strict reader the quoted cell ran to the end of the file: exit 0, one link
    added with the later rows as its evidence, the rest lost."""
    before = (project / "graph" / "links.ttl").read_bytes()
    sep = "," if suffix == ".csv" else "\t"
    path = sheet(tmp_path, *(r.replace(",", sep) for r in STRAY), name="stray" + suffix,
                 header="id,authority_iri,relation,who,when,note".replace(",", sep))
    assert run(project, "links", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}: 1 problem; nothing was written" in err
    assert (f"{path}:2: the quoted cell opened on this line is never closed, so every later "
            "row would be read into it: a stray '\"'?") in err
    assert (project / "graph" / "links.ttl").read_bytes() == before


def test_text_after_a_closing_quote_is_reported_where_the_cell_opened(project, tmp_path, capsys):
    before = (project / "graph" / "links.ttl").read_bytes()
    path = sheet(tmp_path, f'{P}snuol,Q2000003,exactMatch,Lan,2026-11-01,"Wikidata Q2000003',
                 f'{P}road-1,Q2000004,exactMatch,Lan,2026-11-01,"the record" of Q2000004"')
    assert run(project, "links", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert (f"{path}:2: the quoted cell opened on this line has 't' after its closing quote "
            "(on line 3): a '\"' inside a cell must be doubled") in err
    assert (project / "graph" / "links.ttl").read_bytes() == before


def test_rows_swallowed_by_a_quote_that_another_closes_are_refused(project, tmp_path, capsys):
    """Two stray quotes make a valid CSV cell of two rows: the csv module cannot tell it from
    a note of several lines, but a line inside a cell that starts with one of our ids and the
    separator is a row."""
    before = (project / "graph" / "links.ttl").read_bytes()
    path = sheet(tmp_path, f'{P}snuol,Q2000003,exactMatch,Lan,2026-11-01,"Wikidata Q2000003',
                 'place:road-1,Q2000004,exactMatch,Lan,2026-11-01,Wikidata Q2000004"')
    assert run(project, "links", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert (f"{path}:2: a quoted cell opened on this line runs over 2 lines, and line 3 inside "
            "it reads like a row of the sheet") in err
    assert (project / "graph" / "links.ttl").read_bytes() == before


def test_a_note_of_several_lines_still_imports(project, tmp_path):
    path = sheet(tmp_path, f'{P}snuol,Q2000003,closeMatch,Lan,2026-11-01,"Wikidata Q2000003,\n'
                           'the district, not its seat; ""Snuŏl"" in the record",')
    assert run(project, "links", "import", str(path)) == 0
    g = Graph().parse(project / "graph" / "links.ttl")
    (st,) = g.subjects(RDF.object, URIRef(WD + "Q2000003"))
    assert str(g.value(st, URIRef("http://purl.org/dc/terms/bibliographicCitation"))) == (
        'Wikidata Q2000003,\nthe district, not its seat; "Snuŏl" in the record')


# ---------------------------------------------------------------- import: who decided

AGENT = KG + "agent/"
AN, AN_HAT = "Nguyễn Văn An", "Nguyễn Văn Ân"  # two names in Vietnamese, one ASCII slug


def agents_of(root: Path) -> dict[str, str]:
    """Who each link statement is attributed to (by its object), and the agents' labels."""
    g = Graph().parse(root / "graph" / "links.ttl")
    return {str(g.value(st, RDF.object)).rsplit("/", 1)[-1]: str(agent)
            for st, agent in g.subject_objects(PROV.wasAttributedTo)}


def agent_labels(root: Path) -> dict[str, str]:
    g = Graph().parse(root / "graph" / "links.ttl")
    return {str(a): str(g.value(a, RDFS.label)) for a in g.subjects(RDF.type, PROV.Agent)}


def test_names_that_differ_by_diacritics_are_two_agents_across_sheets(project, tmp_path, capsys):
    first = sheet(tmp_path, f"{A}kprc,Q2000001,exactMatch,{AN},2026-11-01,Wikidata Q2000001",
                  name="an1.csv")
    second = sheet(tmp_path, f"{A}kufns,Q2000002,exactMatch,{AN_HAT},2026-11-02,"
                             "Wikidata Q2000002", name="an2.csv")
    assert run(project, "links", "import", str(first)) == 0
    assert run(project, "links", "import", str(second)) == 0
    who = agents_of(project)
    assert who["Q2000001"] == AGENT + "nguyen-van-an"
    assert who["Q2000002"] == AGENT + "nguyen-van-an-2"
    labels = agent_labels(project)
    assert labels[AGENT + "nguyen-van-an"] == AN and labels[AGENT + "nguyen-van-an-2"] == AN_HAT
    # the same sheets again, and the same person spelled in another case: nothing changes
    after = (project / "graph" / "links.ttl").read_bytes()
    assert run(project, "links", "import", str(first)) == 0
    assert run(project, "links", "import", str(second)) == 0
    assert (project / "graph" / "links.ttl").read_bytes() == after
    third = sheet(tmp_path, f"{P}snuol,Q2000003,closeMatch,  nguyễn  văn ân ,2026-11-03,"
                            "Wikidata Q2000003", name="an3.csv")
    assert run(project, "links", "import", str(third)) == 0
    assert agents_of(project)["Q2000003"] == AGENT + "nguyen-van-an-2"
    assert len(agent_labels(project)) == 2


def test_names_that_differ_by_diacritics_are_two_agents_in_one_sheet(project, tmp_path):
    path = sheet(tmp_path, f"{A}kprc,Q2000001,exactMatch,{AN_HAT},2026-11-01,Wikidata Q2000001",
                 f"{A}kufns,Q2000002,exactMatch,{AN},2026-11-02,Wikidata Q2000002",
                 f"{P}snuol,Q2000003,closeMatch,{AN_HAT.upper()},2026-11-02,Wikidata Q2000003")
    assert run(project, "links", "import", str(path)) == 0
    who = agents_of(project)
    assert who["Q2000001"] == who["Q2000003"] == AGENT + "nguyen-van-an", "minted in row order"
    assert who["Q2000002"] == AGENT + "nguyen-van-an-2"
    assert agent_labels(project)[AGENT + "nguyen-van-an"] == AN_HAT
    after = (project / "graph" / "links.ttl").read_bytes()
    assert run(project, "links", "import", str(path)) == 0
    assert (project / "graph" / "links.ttl").read_bytes() == after


def test_a_new_agent_whose_name_is_another_without_its_accents_is_warned_of(project, tmp_path,
                                                                           capsys):
    """An archivist who types her name with its accents on one row and without them on
    another ("nguyen thi hoa") became two agents, written unsaid (in Vietnamese such names may
    be two people, so it is not refused; in a later sheet the unaccented name is refused as
    the first agent's local name). The import now warns, on the line of the agent minted
    second, naming both and what to do if they are one person; whichever comes first. Not
    again for the sheet re-imported."""
    hoa = "Nguyễn Thị Hoa"
    for name, rows in (("accents-first.csv", (hoa, "nguyen thi hoa")),
                       ("accents-second.csv", ("nguyen thi hoa", hoa))):
        root = project_copy(tmp_path / name.removesuffix(".csv"))
        path = sheet(tmp_path,
                     f"{A}kprc,Q2000001,exactMatch,{rows[0]},2026-11-01,Wikidata Q2000001",
                     f"{A}kufns,Q2000002,exactMatch,{rows[1]},2026-11-02,Wikidata Q2000002",
                     f"{P}snuol,Q2000003,closeMatch,{rows[1]},2026-11-02,Wikidata Q2000003",
                     name=name)
        assert run(root, "links", "import", str(path)) == 0
        out = capsys.readouterr().out
        assert "1 warning(s), which do not stop the import" in out
        assert (f"  line 3: who {rows[1]!r} is a new agent, agent:nguyen-thi-hoa-2, not "
                f"{rows[0]!r} (agent:nguyen-thi-hoa), whose name has the same letters but for "
                "accents and case: if they are one person, replace agent:nguyen-thi-hoa-2 by "
                "agent:nguyen-thi-hoa in graph/links.ttl") in out, out
        assert agents_of(root)["Q2000003"] == AGENT + "nguyen-thi-hoa-2"
        assert run(root, "links", "import", str(path)) == 0
        assert "warning" not in capsys.readouterr().out
    # one name, however cased and spaced, is one agent: nothing to warn of
    path = sheet(tmp_path, f"{A}kprc,Q2000001,exactMatch,{hoa},2026-11-01,Wikidata Q2000001",
                 f"{A}kufns,Q2000002,exactMatch, {hoa.upper()},2026-11-02,Wikidata Q2000002",
                 name="one.csv")
    assert run(project, "links", "import", str(path)) == 0
    assert "warning" not in capsys.readouterr().out


def test_a_name_is_not_matched_to_an_agent_by_its_slug_or_local_name(project, tmp_path,
                                                                      capsys):
    """agent:curators is 'the curators' only by its label ("kg curators"): 'Curators' is
    refused with how to say either thing, neither matched (a person 'An' need not be the
    agent:an labelled 'Ân') nor minted as a second curators agent."""
    before = (project / "graph" / "links.ttl").read_bytes()
    for who in ("Curators", "Curators.", " curators! "):
        path = sheet(tmp_path, f"{A}kprc,Q2000001,exactMatch,{who},2026-11-01,Wikidata Q2000001")
        assert run(project, "links", "import", str(path)) == 2
        err = capsys.readouterr().err
        assert f"{path}:2: who '{who.strip()}' is the local name of agent:curators, not its " \
               "label" in err
        assert "write agent:curators to mean that agent" in err
        assert (project / "graph" / "links.ttl").read_bytes() == before
    path = sheet(tmp_path, f"{A}kprc,Q2000001,exactMatch,kg curators,2026-11-01,Wikidata Q2000001")
    assert run(project, "links", "import", str(path)) == 0
    assert agents_of(project)["Q2000001"] == AGENT + "curators"


def test_names_in_any_script_sign_a_link(project, tmp_path, capsys):
    path = sheet(tmp_path, f"{A}kprc,Q2000001,exactMatch,សុខ ចាន់,2026-11-01,Wikidata Q2000001",
                 f"{A}kufns,Q2000002,exactMatch,王小明,2026-11-01,Wikidata Q2000002")
    assert run(project, "links", "import", str(path)) == 0, capsys.readouterr().err
    who = agents_of(project)
    labels = agent_labels(project)
    assert labels[who["Q2000001"]] == "សុខ ចាន់" and labels[who["Q2000002"]] == "王小明"
    assert who["Q2000001"].startswith(AGENT + "khmer-")
    assert who["Q2000002"].startswith(AGENT + "cjk-")
    assert who["Q2000001"] == AGENT + links._name_stem("សុខ ចាន់"), "stable: from the name"
    after = (project / "graph" / "links.ttl").read_bytes()
    assert run(project, "links", "import", str(path)) == 0
    assert (project / "graph" / "links.ttl").read_bytes() == after
    from kg.build import build

    assert build(settings_for(project)).report.conforms


def test_a_who_without_letters_or_digits_is_refused(project, tmp_path, capsys):
    path = sheet(tmp_path, f"{A}kprc,Q2000001,exactMatch,— ? —,2026-11-01,Wikidata Q2000001")
    assert run(project, "links", "import", str(path)) == 2
    assert (f"{path}:2: who '— ? —' has no letters or digits (in any script)"
            in capsys.readouterr().err)


# ---------------------------------------------------------------- import: ids as people give them


def test_the_reconciliation_services_ids_name_our_entities(project, tmp_path):
    """OpenRefine's cell.recon.match.id against our service is place/snuol: the IRI without
    the base, its identifierSpace."""
    path = sheet(tmp_path, "place/snuol,Q2000003,closeMatch,Lan,2026-11-01,Wikidata Q2000003,",
                 "actor:kufns,Q2000002,exactMatch,Lan,2026-11-01,Wikidata Q2000002,")
    assert run(project, "links", "import", str(path)) == 0
    g = Graph().parse(project / "graph" / "links.ttl")
    assert (URIRef(P + "snuol"), SKOS.closeMatch, URIRef(WD + "Q2000003")) in g
    assert (URIRef(A + "kufns"), SKOS.exactMatch, URIRef(WD + "Q2000002")) in g


@pytest.mark.parametrize(("given", "meant"), [
    ("place/snoul", P + "snuol"),
    ("actor/snuol", P + "snuol"),
    ("Place/Snuol", P + "snuol"),
    (f"{P}snuoll", P + "snuol"),
    ("http://w3id.org/kg1978/place/snuol", P + "snuol"),
])
def test_an_unknown_entity_is_told_the_one_it_may_mean(project, tmp_path, capsys, given, meant):
    path = sheet(tmp_path, f"{given},Q2000003,closeMatch,Lan,2026-11-01,Wikidata Q2000003,")
    assert run(project, "links", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: unknown entity " in err
    assert f": no such IRI in graph/ (did you mean {meant}?)" in err


# ---------------------------------------------------------------- import: the read-only columns


def edited_export(root: Path, name: str, **edits: dict[str, str]) -> tuple[Path, dict[str, int]]:
    """The full export with some cells changed (by entity IRI); and each entity's line."""
    path = root / name
    assert run(root, "links", "export", str(path)) == 0
    rows = read_export(path)
    for entity, cells in edits.items():
        rows[entity].update(cells)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=links.EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows.values())
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, {x: n for n, x in enumerate(rows, 2)}


def test_the_export_imports_unchanged_with_nothing_to_add(project, capsys):
    before = (project / "graph" / "links.ttl").read_bytes()
    path, lines = edited_export(project, "all.csv")
    assert run(project, "links", "import", str(path)) == 0
    assert (f"0 link(s) added, 0 already present, {len(lines)} row(s) without an authority_iri "
            "ignored") in capsys.readouterr().out
    assert (project / "graph" / "links.ttl").read_bytes() == before


def test_an_edit_in_a_read_only_column_rejects_the_sheet(project, capsys):
    """A QID typed into the column called wikidata, or a stored one changed there, was dropped
    with exit 0: the import reads authority_iri only."""
    before = (project / "graph" / "links.ttl").read_bytes()
    path, lines = edited_export(
        project, "edited.csv",
        **{A + "kufns": {"wikidata": "Q1337046", "who": "Lan", "note": "Wikidata Q1337046"},
           P + "phnom-penh": {"wikidata": "http://www.wikidata.org/entity/Q1851"},
           P + "kratie": {"close_matches": "Q785896 | geonames:1830563 | Q999",
                          "authority_iri": "Q999", "relation": "exactMatch", "who": "Lan",
                          "note": "Wikidata Q999"}})
    assert run(project, "links", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}: 4 problems; nothing was written" in err  # and Q999 a second id
    assert (f"{path}:{lines[A + 'kufns']}: column wikidata is read-only (it shows the stored "
            "links), but it has Q1337046, where graph/ has none (if the links changed since "
            "this sheet was exported, export it again): to add a link, put it in "
            "authority_iri (with relation, who and note)") in err
    assert (f"{path}:{lines[P + 'phnom-penh']}: column wikidata is read-only (it shows the "
            f"stored links), but it has {WD}Q1851, where graph/ has {WD}Q1850 (if the links changed "
            "since this sheet was exported, export it again): to add a link, "
            "put it in authority_iri") in err
    assert (f"{path}:{lines[P + 'kratie']}: column close_matches is read-only (it shows the "
            "stored links), but it has Q999, where graph/ has "
            f"{WD}Q785896 | https://sws.geonames.org/1830563/ (if the links changed since this "
            "sheet was exported, export it again): new links go in authority_iri, "
            "one per row; to change or remove one, edit graph/links.ttl") in err
    assert (project / "graph" / "links.ttl").read_bytes() == before


def test_a_read_only_column_may_show_the_link_its_row_adds(project, capsys):
    path, lines = edited_export(
        project, "edited.csv",
        **{A + "kufns": {"wikidata": "Q1337046", "authority_iri": "Q1337046",
                         "relation": "exactMatch", "who": "Lan", "note": "Wikidata Q1337046"}})
    assert run(project, "links", "import", str(path)) == 0, capsys.readouterr().err
    assert "1 link(s) added" in capsys.readouterr().out


def test_an_import_says_the_running_service_needs_a_restart_which_shows_the_links(
        project, capsys):
    """kg serve loads the dataset once, when it starts: after an import the running service
    and its /sparql still have the old links. The import says so; a server started afterwards
    (as a restart does) rebuilds from graph/ and has the new link."""
    from kg.endpoint import create_app

    path, _ = edited_export(
        project, "edited.csv",
        **{A + "kufns": {"authority_iri": "Q1337046", "relation": "exactMatch", "who": "Lan",
                         "note": "Wikidata Q1337046"}})
    build = project / "build"
    assert run(project, "build") == 0
    capsys.readouterr()
    assert run(project, "links", "import", str(path)) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "1 link(s) added" in out and links.IMPORTED_NEXT in out
    # true whether or not a server runs: the import cannot tell
    assert links.IMPORTED_NEXT.startswith("If kg serve is running, ")
    assert "restart it" in links.IMPORTED_NEXT
    app = create_app({"TESTING": True, "root": project, "build_dir": build})
    extend = {"ids": ["actor/kufns"], "properties": [{"id": "wikidata"}]}
    answer = app.test_client().post("/reconcile", data={"extend": json.dumps(extend)}).json
    assert answer["rows"]["actor/kufns"]["wikidata"] == [{"str": "Q1337046"}]
    # nothing added: nothing to restart for
    assert run(project, "links", "import", str(path)) == 0
    assert links.IMPORTED_NEXT not in capsys.readouterr().out


# ---------------------------------------------------------------- conflicts typed in by hand

def hand_link(root: Path, entity: str, qid: str, why: str = "") -> None:
    """Append a link with a complete reified statement to the copy's graph/links.ttl, as an
    archivist may type it."""
    local = entity.split(":")[1]
    note = f' ;\n    skos:editorialNote "{why}"' if why else ""
    with (root / "graph" / "links.ttl").open("a", encoding="utf-8") as f:
        f.write(f"""
{entity} skos:exactMatch <{WD}{qid}> .
link:{local}-wikidata-{qid.lower()} a rdf:Statement ; rdfs:label "Test same as {qid}"@en ;
    rdf:subject {entity} ; rdf:predicate skos:exactMatch ; rdf:object <{WD}{qid}> ;
    prov:wasAttributedTo agent:curators ;
    dcterms:created "2026-11-25"^^xsd:date ;
    dcterms:bibliographicCitation "Test record {qid}"{note} .
""")


def validate_links(root: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = run(root, "validate", *(str(p) for p in sorted((root / "graph").glob("*.ttl"))))
    return code, capsys.readouterr().out


def test_hand_typed_conflicts_fail_validation_and_the_report(project, capsys):
    hand_link(project, "actor:pol-pot", "Q39465")        # a second id beside Q39464
    hand_link(project, "unit:division-341", "Q39464")   # Pol Pot's id on another entity
    code, out = validate_links(project, capsys)
    assert code == 1
    assert (f"actor:pol-pot has two Wikidata ids, {WD}Q39464 and {WD}Q39465: remove the wrong "
            "link, or, if both are right, say why in a skos:editorialNote on either link's "
            "rdf:Statement (the why column of `kg links import`)") in out
    assert (f"{WD}Q39464 is linked from two entities, actor:pol-pot and unit:division-341"
            in out)
    assert f"unit:division-341 has two Wikidata ids, {WD}Q18161274 and {WD}Q39464" in out
    assert "3 violations" in out
    assert run(project, "links", "report") == 1
    out = capsys.readouterr().out
    assert "Conflicts (4, 3 without a reason):" in out
    assert "say why: skos:editorialNote on either link's rdf:Statement" in out


def test_a_reason_on_either_link_allows_a_conflict_in_both(project, capsys):
    hand_link(project, "actor:pol-pot", "Q39465", why="Wikidata has a duplicate item")
    code, out = validate_links(project, capsys)
    assert code == 0, out
    assert run(project, "links", "report") == 0
    assert "Conflicts (2, 0 without a reason):" in capsys.readouterr().out


def test_one_reason_does_not_cover_a_third_link_in_either(project, capsys):
    """The rule is pairwise: Pol Pot's second id gives a reason, a third gives none, and the
    pair of the first and the third has no reason (the shape and the report agree)."""
    hand_link(project, "actor:pol-pot", "Q39465", why="Wikidata has a duplicate item")
    hand_link(project, "actor:pol-pot", "Q39466")
    code, out = validate_links(project, capsys)
    assert code == 1
    assert f"actor:pol-pot has two Wikidata ids, {WD}Q39464 and {WD}Q39466" in out
    assert "1 violation" in out
    assert run(project, "links", "report") == 1
    out = capsys.readouterr().out
    assert "Conflicts (2, 1 without a reason):" in out
    assert "(not for every pair of these links: two of them give no reason)" in out


def test_the_conflict_shape_knows_the_authorities_of_kg_links():
    text = (REPO / "shapes" / "kg-shapes.ttl").read_text(encoding="utf-8")
    named = re.findall(r'IF\(STRSTARTS\(STR\(\?value\), "([^"]+)"\), "([^"]+)"', text)
    want = [(a.namespace, a.title) for a in links.AUTHORITIES.values()]
    assert named == want + want  # once in each of the two constraints


def test_a_source_must_be_an_address(project, tmp_path, capsys):
    path = sheet(tmp_path, f"{P}snuol,Q5,exactMatch,Jane,2026-11-20,Test: Q5,the GeoNames dump,",
                 header="id,authority_iri,relation,who,when,note,source,why")
    assert run(project, "links", "import", str(path)) == 2
    assert (f"{path}:2: source 'the GeoNames dump' is not the address of a record"
            in capsys.readouterr().err)


def test_a_source_other_than_the_stored_link_s_is_refused_not_dropped(project, tmp_path, capsys):
    before = (project / "graph" / "links.ttl").read_bytes()
    path = sheet(tmp_path, f"{P}phnom-penh,Q1850,exactMatch,agent:curators,,,"
                           "https://example.org/another,",
                 header="id,authority_iri,relation,who,when,note,source,why")
    assert run(project, "links", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert (f"{path}:2: place:phnom-penh skos:exactMatch {WD}Q1850 is already in "
            "graph/links.ttl, where its source is <https://github.com/SpocWiki/") in err
    assert (project / "graph" / "links.ttl").read_bytes() == before


# ---------------------------------------------------------------- list: each link's provenance


def read_list(path: Path) -> list[dict[str, str]]:
    delimiter = "\t" if path.suffix == ".tsv" else ","
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def test_list_gives_each_link_who_when_evidence_and_source(project, capsys):
    """An archivist audits a link by who decided it, when, and the record it was read in."""
    out = project / "links.csv"
    assert run(project, "links", "list", str(out)) == 0
    rows = read_list(out)
    assert list(rows[0]) == list(links.LIST_COLUMNS)
    g = Graph().parse(project / "graph" / "links.ttl")
    assert len(rows) == len(set(g.subjects(RDF.type, RDF.Statement))) > 0
    assert f"wrote {len(rows)} rows" in capsys.readouterr().err
    (pp,) = [r for r in rows if r["authority_iri"] == "https://sws.geonames.org/1821306/"]
    assert pp == {
        "id": P + "phnom-penh", "label": "Phnom Penh", "relation": "exactMatch",
        "authority": "geonames", "authority_iri": "https://sws.geonames.org/1821306/",
        "who": "agent:curators", "who_label": "kg curators", "when": "2026-11-25",
        "note": "GeoNames cities15000.txt (copy in abdelrahmanrageh/Thekr-Chrome-extension): "
                "row 1821306 Phnom Penh, PPLC, KH",
        "source": "https://github.com/abdelrahmanrageh/Thekr-Chrome-extension/blob/"
                  "f9234ff955819848b1d34d18c89e9b118307ce7a/cities15000.txt",
        "why": "", "statement": KG + "link/phnom-penh-geonames-1821306"}
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert f'"{pp["note"]}"' in readme and "reads `agent:curators`, `kg curators`, " \
        f'`{pp["when"]}`' in readme  # the README's example is this row
    # a statement with two sources: both, in one cell, as the import reads several
    (dk,) = [r for r in rows if r["id"] == KG + "actor/democratic-kampuchea"]
    assert dk["source"].split(" | ") == sorted(
        str(o) for o in g.objects(URIRef(KG + "link/democratic-kampuchea-wikidata-q330988"),
                                  URIRef("http://purl.org/dc/terms/source"))) != []
    assert len(dk["source"].split(" | ")) == 2
    # today's province for the 1978 one: related, not the same (skos:closeMatch)
    assert {r["relation"] for r in rows if r["id"] == P + "kratie"} == {"closeMatch"}


def test_list_quotes_a_note_of_several_lines_with_quotes_commas_and_tabs(project, tmp_path):
    note = 'Wikidata Q2000003,\nthe district;\t"Snuŏl" in the record'
    path = sheet(tmp_path, f'{P}snuol,Q2000003,closeMatch,Lan,2026-11-01,"'
                           + note.replace('"', '""') + '",')
    assert run(project, "links", "import", str(path)) == 0
    for name in ("links.csv", "links.tsv"):
        out = project / name
        assert run(project, "links", "list", "--type", "Place", str(out)) == 0
        (row,) = [r for r in read_list(out) if r["authority_iri"] == WD + "Q2000003"]
        assert (row["note"], row["who_label"], row["when"]) == (note, "Lan", "2026-11-01")
        assert row["who"].startswith("agent:")
    assert all(r["id"].startswith(P) for r in read_list(project / "links.csv"))


def test_list_imports_again_with_nothing_to_add(project, capsys):
    before = (project / "graph" / "links.ttl").read_bytes()
    for name in ("links.csv", "links.tsv"):
        out = project / name
        assert run(project, "links", "list", str(out)) == 0
        n = len(read_list(out))
        assert run(project, "links", "import", str(out)) == 0
        assert f"0 link(s) added, {n} already present, 0 row(s)" in capsys.readouterr().out
    assert (project / "graph" / "links.ttl").read_bytes() == before


def test_list_refuses_what_export_refuses(project, tmp_path, capsys):
    assert run(project, "links", "list", str(project / "x.xlsx")) == 2
    assert "a links sheet is a .csv or .tsv file" in capsys.readouterr().err
    assert run(project, "links", "list", "--type", "Quantity", str(project / "x.csv")) == 2
    assert "has no entities that are linked" in capsys.readouterr().err
    assert run(project, "links", "list", str(tmp_path / "missing" / "x.csv")) == 2
    assert "no such folder" in capsys.readouterr().err


def test_a_source_cell_may_give_several_addresses(project, tmp_path, capsys):
    a, b = "https://example.org/record/2", "https://example.org/record/1"
    path = sheet(tmp_path, f"{P}snuol,Q2000003,closeMatch,Lan,2026-11-01,Wikidata Q2000003,"
                           f"{a} | {b},",
                 header="id,authority_iri,relation,who,when,note,source,why")
    assert run(project, "links", "import", str(path)) == 0
    g = Graph().parse(project / "graph" / "links.ttl")
    (st,) = g.subjects(RDF.object, URIRef(WD + "Q2000003"))
    assert set(g.objects(st, URIRef("http://purl.org/dc/terms/source"))) == {
        URIRef(a), URIRef(b)}
    # the same link again with its sources in the other order adds nothing; with one of them
    # it is refused, naming both
    path = sheet(tmp_path, f"{P}snuol,Q2000003,closeMatch,Lan,2026-11-01,,{b}|{a},",
                 header="id,authority_iri,relation,who,when,note,source,why", name="again.csv")
    assert run(project, "links", "import", str(path)) == 0
    assert "0 link(s) added, 1 already present" in capsys.readouterr().out
    path = sheet(tmp_path, f"{P}snuol,Q2000003,closeMatch,Lan,,,{a},",
                 header="id,authority_iri,relation,who,when,note,source,why", name="one.csv")
    assert run(project, "links", "import", str(path)) == 2
    assert f"where its source is <{b}> | <{a}>" in capsys.readouterr().err


def test_list_gives_a_row_per_statement_and_one_for_a_link_without_any(project):
    with (project / "graph" / "links.ttl").open("a", encoding="utf-8") as f:
        f.write(f"""
place:snuol skos:closeMatch <{WD}Q2000003> .
link:phnom-penh-second a rdf:Statement ; rdfs:label "Phnom Penh same as Q1850, again"@en ;
    rdf:subject place:phnom-penh ; rdf:predicate skos:exactMatch ; rdf:object <{WD}Q1850> ;
    prov:wasAttributedTo agent:curators ;
    dcterms:created "2026-11-26"^^xsd:date ;
    dcterms:bibliographicCitation "A second record of Q1850" .
""")
    out = project / "links.tsv"
    assert run(project, "links", "list", str(out)) == 0
    rows = read_list(out)
    assert sorted(r["when"] for r in rows if r["authority_iri"] == WD + "Q1850") == [
        "2026-11-25", "2026-11-26"]
    (bare,) = [r for r in rows if r["authority_iri"] == WD + "Q2000003"]
    assert (bare["id"], bare["relation"]) == (P + "snuol", "closeMatch")
    assert not any(bare[c] for c in ("who", "who_label", "when", "note", "source", "statement"))


@pytest.mark.parametrize(("written", "read"), [
    ("exactMatch", "exactMatch"), ("skos:closeMatch", "closeMatch"),
    ("exact", "exactMatch"), ("Exact match", "exactMatch"), ("exact-match", "exactMatch"),
    ("CLOSE", "closeMatch"), ("close_match", "closeMatch"), (" Close Match ", "closeMatch"),
    ("sameAs", None), ("", None), ("exactly", None), ("closer", None), ("match", None),
])
def test_a_relation_is_read_as_an_archivist_writes_it(written, read):
    """The column says which of two SKOS relations: "exact" or "Exact match" (as a sheet's
    drop-down or a person writes it) can mean nothing else, and was refused, the row's
    decision to be retyped; owl:sameAs and other words still are."""
    assert links._relation(written) == read


def test_an_archivists_relation_imports_as_the_skos_one(project, capsys):
    path, _ = edited_export(project, "words.csv", **{
        A + "kufns": {"authority_iri": "Q1337046", "relation": "Exact match", "who": "Lan",
                      "note": "Wikidata Q1337046"},
        P + "chong-thnu": {"authority_iri": "https://www.geonames.org/1831142",
                           "relation": "close", "who": "Lan", "note": "GeoNames 1831142"}})
    assert run(project, "links", "import", str(path)) == 0, capsys.readouterr().err
    g = Graph().parse(project / "graph" / "links.ttl")
    assert (URIRef(A + "kufns"), SKOS.exactMatch, URIRef(WD + "Q1337046")) in g
    assert (URIRef(P + "chong-thnu"), SKOS.closeMatch,
            URIRef("https://sws.geonames.org/1831142/")) in g
