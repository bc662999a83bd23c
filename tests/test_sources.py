"""``kg sources``: the passages and citations of graph/ checked against the source texts, and
the passages of a new text numbered for the curators (kg.sources)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib

from kg.cli import main
from kg.sources import digest, passages, passages_turtle
from kgtest import ARTICLE, project_copy

KGO = rdflib.Namespace("https://w3id.org/kg1978/ontology/")


@pytest.fixture
def article() -> Path:
    if not ARTICLE.is_file():
        pytest.skip(f"{ARTICLE} is absent (the shared folder is laid beside the repository)")
    return ARTICLE


@pytest.fixture
def project(tmp_path, article) -> tuple[Path, Path]:
    """A copy of the project and a folder with a copy of the article: (root, texts)."""
    root = project_copy(tmp_path / "project")
    texts = tmp_path / "texts"
    texts.mkdir()
    shutil.copy(article, texts / article.name)
    return root, texts


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def test_the_graph_matches_its_text(project, capsys):
    root, texts = project
    assert run(root, "sources", "check", "--sources", str(texts)) == 0
    out = capsys.readouterr().out
    assert "1 source(s) compared with their text (article-part1.txt): 0 error(s), 0 warning(s)" \
        in out


def test_findings_name_files_as_the_working_folder_reaches_them(project, capsys, monkeypatch):
    """Run beside the project (--root p), `graph/sources.ttl:206` was a path of no file there:
    it is `p/graph/sources.ttl:206`, as kg build and kg validate name the same file; in the
    project folder still `graph/sources.ttl:206`."""
    root, texts = project
    text = (texts / "article-part1.txt").read_text(encoding="utf-8")
    (texts / "article-part1.txt").write_text(text.replace("Division 341", "Division 314", 1),
                                             encoding="utf-8")
    for cwd, shown in ((root.parent, f"{root.name}/graph/sources.ttl:"),
                       (root, "graph/sources.ttl:")):
        monkeypatch.chdir(cwd)
        assert run(root, "sources", "check", "--sources", str(texts)) == 1
        line = next(x for x in capsys.readouterr().out.splitlines() if "textDigest" in x)
        assert line.startswith(shown), line
        path = line.split(":", 1)[0]
        assert (cwd / path).is_file(), line


def test_the_default_folder_is_the_shared_one_beside_the_project(article, capsys):
    from kgtest import REPO

    assert run(REPO, "sources", "check") == 0
    assert "article-part1.txt" in capsys.readouterr().out


def test_a_changed_text_is_found_at_the_passage(project, capsys):
    root, texts = project
    text = (texts / "article-part1.txt").read_text(encoding="utf-8")
    (texts / "article-part1.txt").write_text(text.replace("Division 341", "Division 314", 1),
                                             encoding="utf-8")
    assert run(root, "sources", "check", "--sources", str(texts)) == 1
    out = capsys.readouterr().out
    assert "graph/sources.ttl:" in out and ": error: kgo:textDigest is not the SHA-256 of " \
        "passage 1 of article-part1.txt" in out
    assert "1 error(s)" in out


def test_a_passage_inserted_shifts_the_numbering(project, capsys):
    root, texts = project
    text = (texts / "article-part1.txt").read_text(encoding="utf-8")
    (texts / "article-part1.txt").write_text("A new first paragraph.\n\n" + text,
                                             encoding="utf-8")
    assert run(root, "sources", "check", "--sources", str(texts)) == 1
    out = capsys.readouterr().out
    assert "article-part1.txt has 21 passages; the graph numbers 1-20" in out
    assert out.count("kgo:textDigest is not the SHA-256") == 20


def test_citations_of_captions_and_of_undeclared_passages_are_errors(project, capsys):
    root, texts = project
    facts = root / "graph" / "article-part1.ttl"
    text = facts.read_text(encoding="utf-8")
    text = text.replace("    prov:wasDerivedFrom p:2 .", "    prov:wasDerivedFrom p:2, p:4 .", 1)
    text = text.replace("    prov:wasDerivedFrom p:1 .", "    prov:wasDerivedFrom p:1, p:27 .", 1)
    text = text.replace("    prov:wasDerivedFrom p:15 .",
                        "    prov:wasDerivedFrom p:15, <https://w3id.org/kg1978/source/series> .",
                        1)
    facts.write_text(text, encoding="utf-8")
    assert run(root, "sources", "check", "--sources", str(texts)) == 1
    out = capsys.readouterr().out
    assert "graph/article-part1.ttl:" in out
    assert "cites passage 4 of <https://w3id.org/kg1978/source/article-part1>, which carries " \
        "no facts" in out
    assert "cites <https://w3id.org/kg1978/source/article-part1-passage-27>, which the graph " \
        "does not declare" in out
    assert "cites <https://w3id.org/kg1978/source/series>, which is not a passage: cite the " \
        "passages" in out


def test_an_uncited_passage_is_a_warning_and_a_missing_text_too(project, capsys):
    root, texts = project
    facts = root / "graph" / "article-part1.ttl"
    # nothing cites passage 15 any more
    facts.write_text(facts.read_text(encoding="utf-8").replace("p:15", "p:13"),
                     encoding="utf-8")
    assert run(root, "sources", "check", "--sources", str(texts)) == 0  # warnings only
    assert "warning: passage 15 of article-part1 carries facts, but nothing cites it" \
        in capsys.readouterr().out
    empty = texts.parent / "empty"
    empty.mkdir()
    assert run(root, "sources", "check", "--sources", str(empty)) == 0
    out = capsys.readouterr().out
    assert "warning: no text to compare:" in out and "0 source(s) compared" in out


def test_a_citation_of_a_whole_article_is_an_error(project, capsys):
    """The article has passages: a fact cites them, not the article (this slipped through
    when the check looked the citation up among the sources)."""
    root, texts = project
    facts = root / "graph" / "article-part1.ttl"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "    prov:wasDerivedFrom p:1 .", "    prov:wasDerivedFrom p:1, "
        "<https://w3id.org/kg1978/source/article-part1> .", 1), encoding="utf-8")
    assert run(root, "sources", "check", "--sources", str(texts)) == 1
    assert "cites <https://w3id.org/kg1978/source/article-part1>, which is not a passage: " \
        "cite the passages" in capsys.readouterr().out


def test_a_passage_declared_twice_is_an_error_every_time(project, capsys):
    """Two declarations of passage 6 (a skeleton added under the wrong name): said once and
    the same on every run, whichever order the graph gives them in."""
    root, texts = project
    sources = root / "graph" / "sources.ttl"
    sources.write_text(sources.read_text(encoding="utf-8") + """
src:article-part1-passage-6-again a kgo:Passage ;
    rdfs:label "Article part 1, passage 6 (again)"@en ;
    dcterms:isPartOf src:article-part1 ;
    kgo:passageNumber 6 ;
    kgo:textDigest "0000000000000000000000000000000000000000000000000000000000000000" ;
    kgo:carriesFacts true .
""", encoding="utf-8")
    outs = []
    for _ in range(3):
        assert run(root, "sources", "check", "--sources", str(texts)) == 1
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1] == outs[2]
    assert "passage 6 of article-part1 is declared twice: " \
        "<https://w3id.org/kg1978/source/article-part1-passage-6> and " \
        "<https://w3id.org/kg1978/source/article-part1-passage-6-again>" in outs[0]
    assert "1 error(s)" in outs[0]


def declare_part_2(root: Path, position: int) -> None:
    """Add to graph/sources.ttl a part 2 of the series at ``position``, with one passage (its
    digest made up: its text is in no folder)."""
    sources = root / "graph" / "sources.ttl"
    sources.write_text(sources.read_text(encoding="utf-8") + f"""
src:article-part2 a kgo:Article ;
    rdfs:label "Article, part 2"@en ;
    schema:isPartOf src:series ;
    schema:position {position} ;
    schema:inLanguage "en" ;
    dcterms:hasPart src:article-part2-passage-1 .
src:article-part2-passage-1 a kgo:Passage ;
    rdfs:label "Article part 2, passage 1"@en ;
    schema:description "A passage of part 2."@en ;
    dcterms:isPartOf src:article-part2 ;
    kgo:passageNumber 1 ;
    kgo:textDigest "0000000000000000000000000000000000000000000000000000000000000000" ;
    kgo:carriesFacts true .
""", encoding="utf-8")


def test_two_articles_at_one_position_of_the_series(project, capsys):
    root, texts = project
    declare_part_2(root, 1)
    assert run(root, "sources", "check", "--sources", str(texts)) == 1
    out = capsys.readouterr().out
    assert "article-part2 and article-part1 are both part 1 of series" in out
    assert "no text to compare:" in out  # part 2's text is not in the folder


def test_a_sentence_of_the_article_in_a_description_is_an_error(project, capsys):
    root, texts = project
    facts = root / "graph" / "article-part1.ttl"
    text = facts.read_text(encoding="utf-8")
    copied = ('"Units along the whole border grew more watchful and kept an active '
              'defence, backing Vietnam\'s political and diplomatic efforts. The article gives '
              'no date."@en')
    assert copied in text
    facts.write_text(text.replace(copied, '"All units along the whole borderline heightened '
                                          'vigilance and stayed in active defence."@en'),
                     encoding="utf-8")
    assert run(root, "sources", "check", "--sources", str(texts)) == 1
    out = capsys.readouterr().out
    assert "graph/article-part1.ttl:" in out
    assert ": error: shares the words \u201call units along the whole borderline\u201d " \
        "with article-part1.txt" in out


def test_a_part_is_numbered_from_one(tmp_path, capsys):
    new = tmp_path / "article-part2.txt"
    new.write_text("A block.\n", encoding="utf-8")
    assert run(tmp_path, "sources", "passages", str(new), "--part", "0") == 2
    assert "a part of a series is numbered from 1" in capsys.readouterr().err


def test_a_missing_folder_is_a_usage_error(project, capsys):
    root, texts = project
    assert run(root, "sources", "check", "--sources", str(texts / "nope")) == 2
    assert "no such folder of source texts" in capsys.readouterr().err
    text = texts / "article-part1.txt"  # the text given for its folder
    assert run(root, "sources", "check", "--sources", str(text)) == 2
    assert capsys.readouterr().err == (
        f"kg: error: {text}: a file, not a folder of source texts (give the folder that "
        "holds NAME.txt: --sources DIR)\n")


def test_passages_of_a_new_text_are_numbered_and_digested(tmp_path, capsys):
    new = tmp_path / "article-part2.txt"
    new.write_text("First block,\nstill the first.\n\nFile photo\n\n  Third block.  \n\n\n"
                   "Translated by Someone\n", encoding="utf-8")
    assert passages(new.read_text(encoding="utf-8")) == [
        "First block,\nstill the first.", "File photo", "Third block.", "Translated by Someone"]
    assert run(tmp_path, "sources", "passages", str(new), "--part", "2") == 0
    turtle = capsys.readouterr().out
    g = rdflib.Graph().parse(data=turtle, format="turtle")
    src = rdflib.Namespace("https://w3id.org/kg1978/source/")
    assert len(set(g.subjects(rdflib.RDF.type, KGO.Passage))) == 4
    assert g.value(src["article-part2-passage-3"], KGO.textDigest) == rdflib.Literal(
        digest("Third block."))
    assert g.value(src["article-part2-passage-2"], KGO.carriesFacts) == rdflib.Literal(False)
    assert g.value(src["article-part2-passage-1"], KGO.carriesFacts) == rdflib.Literal(True)
    assert str(g.value(src["article-part2"], rdflib.RDFS.label)) == "Article, part 2"
    assert "First block" not in turtle, "the text itself is never written out"


def test_the_scaffold_for_part_one_has_the_graphs_digests(article, capsys):
    """What `passages` writes for the article is what graph/sources.ttl holds."""
    from kgtest import REPO

    ours = rdflib.Graph().parse(data=passages_turtle(article, part=1), format="turtle")
    graph = rdflib.Graph().parse(REPO / "graph" / "sources.ttl", format="turtle")
    assert len(set(ours.subject_objects(KGO.textDigest))) == 20
    for passage, value in ours.subject_objects(KGO.textDigest):
        assert graph.value(passage, KGO.textDigest) == value
        if ours.value(passage, KGO.carriesFacts) == rdflib.Literal(False):  # the captions
            assert graph.value(passage, KGO.carriesFacts) == rdflib.Literal(False)


@pytest.mark.parametrize("name, words", [("Part 2", "cannot name a source"),
                                         ("part_2", "cannot name a source")])
def test_a_bad_name_is_refused(tmp_path, capsys, name, words):
    new = tmp_path / "x.txt"
    new.write_text("A block.\n", encoding="utf-8")
    assert run(tmp_path, "sources", "passages", str(new), "--name", name) == 2
    err = capsys.readouterr().err
    assert words in err and str(new) in err


def test_an_unreadable_text_is_refused(tmp_path, capsys):
    absent = tmp_path / "absent.txt"
    assert run(tmp_path, "sources", "passages", str(absent)) == 2
    assert capsys.readouterr().err == \
        f"kg: error: {absent}: cannot read the text: No such file or directory\n"


def test_a_text_not_in_utf8_is_bad_input_at_its_line_not_a_traceback(project, capsys):
    """kg sources check read the text unguarded: a Latin-1 byte was a UnicodeDecodeError's
    traceback, exit 1, as if the graph had errors."""
    root, texts = project
    text = texts / "article-part1.txt"
    data = text.read_bytes()
    text.write_bytes(data + b"\nCaf\xe9\n")
    assert run(root, "sources", "check", "--sources", str(texts)) == 2
    line = data.count(b"\n") + 2
    assert capsys.readouterr().err == (f"kg: error: {text}:{line}: the text is not UTF-8 "
                                       f"(byte {len(data) + 4} is not): save it as UTF-8\n")
    assert run(root, "sources", "passages", str(text)) == 2
    assert f"{text}:{line}: the text is not UTF-8" in capsys.readouterr().err


def test_texts_in_two_folders_and_the_passages_a_curator_must_complete(project, tmp_path,
                                                                        capsys):
    """A contributor may not write into ../shared: part 2's text sits in a folder of her own,
    given as a second --sources. Its passages, pasted as `kg sources passages` writes them
    (descriptions commented out), are warned of until each says what it tells and whether it
    carries facts."""
    root, texts = project
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "article-part2.txt").write_text("A first block of part two.\n\nA second one.\n",
                                            encoding="utf-8")
    template = passages_turtle(mine / "article-part2.txt", part=2)
    template = template.replace("    kgo:carriesFacts true .\n", "    .\n", 1)
    # the template's own prefixes and comments, after the project's
    sources = root / "graph" / "sources.ttl"
    sources.write_text(sources.read_text(encoding="utf-8") + template, encoding="utf-8")
    assert run(root, "sources", "check", "--sources", str(texts), "--sources", str(mine)) == 0
    out = capsys.readouterr().out
    assert "2 source(s) compared with their text (article-part1.txt, article-part2.txt)" in out
    assert out.count("has no schema:description: say what it tells") == 2
    assert out.count("does not say whether it carries facts") == 1
    assert "graph/sources.ttl:" in out.split("passage 1 of article-part2 does not say")[0]
    # one folder alone: part 2's text is in none of them
    assert run(root, "sources", "check", "--sources", str(texts)) == 0
    assert (f"no text to compare: {texts / 'article-part2.txt'} is absent"
            in capsys.readouterr().out)
    assert run(root, "sources", "check", "--sources", str(texts), "--sources",
               str(tmp_path)) == 0
    assert (f"no text to compare: article-part2.txt is in none of {texts}, {tmp_path}"
            in capsys.readouterr().out)


def test_a_part_s_file_citing_only_another_part_is_warned_of(project, capsys):
    """graph/article-part2.ttl whose p2: prefix was copied from part 1's file: its facts cite
    part 1's passages only, which is said at their line (a warning: a part may cite another)."""
    root, texts = project
    declare_part_2(root, 2)
    (root / "graph" / "article-part2.ttl").write_text("""\
@prefix kgo:   <https://w3id.org/kg1978/ontology/> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov:  <http://www.w3.org/ns/prov#> .
@prefix p2:    <https://w3id.org/kg1978/source/article-part1-passage-> .
<https://w3id.org/kg1978/event/a-later-meeting> a kgo:Meeting ;
    rdfs:label "A later meeting"@en ;
    kgo:undatedInSource true ;
    prov:wasDerivedFrom p2:6 .
""", encoding="utf-8")
    run(root, "sources", "check", "--sources", str(texts))
    out = capsys.readouterr().out
    assert ("graph/article-part2.ttl:5: warning: in the file of article-part2, cites passages "
            "of article-part1 only: is the passages' prefix bound to the right part?") in out
    assert out.count("cites passages of") == 1


def test_a_part_whole_link_written_one_way_only_is_warned_of(project, capsys):
    """The series lists its articles (schema:hasPart) and each article its passages
    (dcterms:hasPart); a reader going down must find what a reader going up finds."""
    root, texts = project
    sources = root / "graph" / "sources.ttl"
    text = sources.read_text(encoding="utf-8")
    text = text.replace("    schema:hasPart src:article-part1 .", "    schema:inLanguage \"en\" .",
                        1)
    text = text.replace("src:article-part1-passage-19, src:article-part1-passage-20 .",
                        "src:article-part1-passage-19 .", 1)
    sources.write_text(text, encoding="utf-8")
    assert run(root, "sources", "check", "--sources", str(texts)) == 0  # warnings only
    out = capsys.readouterr().out
    assert "graph/sources.ttl:" in out
    assert "warning: article-part1 schema:isPartOf series, but series does not say " \
        "schema:hasPart article-part1: write both" in out
    assert "warning: article-part1-passage-20 dcterms:isPartOf article-part1, but " \
        "article-part1 does not say dcterms:hasPart article-part1-passage-20: write both" in out
    assert "0 error(s), 2 warning(s)" in out
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "    schema:inLanguage \"en\" .", "    schema:hasPart src:article-part1 .", 1).replace(
        "    schema:isPartOf src:series ;\n", "", 1), encoding="utf-8")
    run(root, "sources", "check", "--sources", str(texts))
    assert "warning: series schema:hasPart article-part1, but article-part1 does not say " \
        "schema:isPartOf series: write both" in capsys.readouterr().out
