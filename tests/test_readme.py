"""The README is tested: its quick start, queries, commands, Turtle and settings are real."""

from __future__ import annotations

import re
import shlex
import textwrap

import pytest
from rdflib import Graph

from kgtest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return [textwrap.dedent(b) for b in re.findall(rf"```{lang}\n(.*?)```", README, re.DOTALL)]


def test_quick_start_is_exactly_two_commands_that_the_makefile_defines():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line for b in re.findall(r"```sh\n(.*?)```", quick, re.DOTALL)
                for line in b.splitlines() if line.strip()]
    assert commands == ["make serve", "make test"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^serve:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
    # what CI installs besides (it said chromium alone while it installed Virtuoso too)
    installed = re.findall(r"apt-get install -y -qq(?: \\\n)?\s+([a-z0-9.+-]+)", ci)
    assert installed and all(f"`{name}`" in quick for name in installed), installed


@pytest.mark.parametrize("query", blocks("sparql"))
def test_readme_queries_answer(dataset, query):
    from kg.query import open_store

    rows = list(open_store(dataset).query(query, use_default_graph_as_union=True))
    assert rows


@pytest.mark.parametrize("line", [line for b in blocks("sh") for line in b.splitlines()
                                  if line.startswith("kg ")])
def test_readme_commands_parse(line):
    from kg.cli import _parser

    args = _parser().parse_args(shlex.split(line)[1:])
    assert args.command


def test_readme_pyshacl_recipe_names_the_shapes_the_ontology_and_the_graph():
    """The plain-pySHACL command (README, "With pySHACL alone") is pySHACL's, with owlrl
    inference, and names files that exist: running it takes minutes, so the suite holds the
    shapes to what owlrl adds instead (tests/test_shapes.py, a reflexive owl:sameAs)."""
    from pyshacl.cli import parser

    lines = [line for b in blocks("sh") for line in b.splitlines() if line.startswith("pyshacl ")]
    assert len(lines) == 1
    args = parser.parse_args(shlex.split(lines[0])[1:])
    assert args.inference == "owlrl"
    assert (REPO / args.shacl) == REPO / "shapes" / "kg-shapes.ttl"
    assert (REPO / args.ont) == REPO / "ontology" / "kg.ttl"
    files = sorted(p for pattern in args.data for p in REPO.glob(pattern))
    assert files == sorted((REPO / "graph").glob("*.ttl")) and files


@pytest.mark.parametrize("text", blocks("turtle"))
def test_readme_turtle_is_in_the_graph(text):
    """Turtle shown in the README parses and is a verbatim subset of the curated graph."""
    from kg.load import load_sources

    shown = Graph().parse(data=text, format="turtle")
    assert len(shown) > 5
    graph = load_sources(REPO).union()
    assert [t for t in shown if t not in graph] == []


def test_what_is_in_the_graph_counts_what_the_graph_holds(dataset):
    """The README's table of what the graph holds gives the built graph's counts."""
    from kg.query import open_store

    section = README.split("## What is in the graph", 1)[1]
    table = re.search(r"^\| \| count \|\n\|---\|---\|\n((?:\|.*\n)+)", section, re.M)
    rows = table[1].splitlines()
    shown = [re.findall(r"\d+", row.rsplit("|", 2)[1]) for row in rows]

    store = open_store(dataset)

    def count(where: str) -> str:
        rows = store.query(
            "PREFIX kgo: <https://w3id.org/kg1978/ontology/> "
            f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}",
            use_default_graph_as_union=True)
        return next(iter(rows))["n"].value

    held = [
        [count("?x a kgo:Event"), count("?x a kgo:Event ; kgo:startDate ?d"),
         # dated by the curators' reading: the start date reified and attributed to them
         count("?x a kgo:Event ; kgo:startDate ?d . "
               "?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?x ; "
               "<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> kgo:startDate ; "
               "<http://www.w3.org/ns/prov#wasAttributedTo> ?who")],
        [count("?x a kgo:Quantity")],
        [count("?x a kgo:Measure")],
        [count("?x a kgo:Actor")],
        [count("?x a kgo:Place")],
        [count("?x a kgo:Passage")],
    ]
    # a contributor who adds facts is told which row to change, and to what
    assert len(shown) == len(held), f"the README's table has {len(shown)} rows, not {len(held)}"
    stale = [f"row {row.split('|')[1].strip()!r}: README says {', '.join(says)}, the graph "
             f"holds {', '.join(holds)}"
             for row, says, holds in zip(rows, shown, held, strict=True) if says != holds]
    assert not stale, "\n".join(stale)


def test_the_number_of_derived_dates_is_right(dataset):
    """The README counts the dates and date bounds the curators worked out: the statements
    tests/competency/derived-dates.rq lists (one row per passage)."""
    from kg.query import open_store

    says = re.search(r"`tests/competency/derived-dates\.rq`: (\d+) of them", README)
    assert says, "the README no longer counts the derived dates"
    query = (REPO / "tests" / "competency" / "derived-dates.rq").read_text(encoding="utf-8")
    query = query.replace("SELECT ?eventLabel ?bound ?date ?passage ?why",
                          "SELECT (COUNT(DISTINCT ?st) AS ?n)").split("ORDER BY")[0]
    rows = open_store(dataset).query(query, use_default_graph_as_union=True)
    assert says[1] == next(iter(rows))["n"].value


def test_the_number_of_competency_questions_is_right():
    count = len(list((REPO / "tests" / "competency").glob("*.rq")))
    assert f"are in `tests/competency/` ({count} of them" in README
    assert f"of the {count} competency questions" in README


def test_every_setting_is_documented_with_its_default():
    from kg.settings import SETTINGS

    for s in SETTINGS:
        row = re.search(rf"^\| `{s.name}` \| (.*?) \|", README, re.M)
        assert row, f"setting {s.name} missing from the README"
        if s.default is not None:
            assert str(s.default).rstrip("0").rstrip(".") in row.group(1).replace("`", ""), s.name


def test_every_command_is_documented():
    from kg.cli import _parser

    parser = _parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:
        assert f"`kg {name}" in README, f"kg {name} missing from the README"


def test_readme_text_block_is_what_kg_validate_prints(capsys, tmp_path, monkeypatch):
    """The sample report in the README is real output."""
    from kg.cli import main

    sample = next(b for b in blocks("text") if "focus node" in b)
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix kgo: <https://w3id.org/kg1978/ontology/> .\n"
                   "<https://w3id.org/kg1978/event/nameless> a kgo:Meeting .\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the report names the file as given: bad.ttl
    assert main(["--root", str(REPO), "validate", "bad.ttl"]) == 1
    out = capsys.readouterr().out
    assert sample.strip() in out



def _curl_requests() -> list[tuple[str, dict, dict]]:
    """(path, headers, form) of every curl line the README shows against the local server."""
    out = []
    for block in blocks("sh"):
        for line in block.splitlines():
            if not line.startswith("curl "):
                continue
            words = shlex.split(line.split("  #")[0])
            headers, form, path = {}, {}, None
            it = iter(words[1:])
            for w in it:
                if w == "-H":
                    k, _, v = next(it).partition(":")
                    headers[k.strip()] = v.strip()
                elif w == "--data-urlencode":
                    k, _, v = next(it).partition("=")
                    form[k] = v
                elif w.startswith("http://127.0.0.1:8000"):
                    path = w[len("http://127.0.0.1:8000"):] or "/"
            assert path, line
            out.append((path, headers, form))
    return out


@pytest.mark.parametrize(("path", "headers", "form"), _curl_requests())
def test_readme_curl_examples_answer(dataset, path, headers, form):
    from kg.endpoint import create_app

    client = create_app({"TESTING": True}, dataset=dataset).test_client()
    response = (client.post(path, data=form, headers=headers) if form
                else client.get(path, headers=headers))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_data()


def test_readme_vocabulary_warning_is_what_kg_validate_prints(capsys, tmp_path, monkeypatch):
    """The sample warning of a misspelt vocabulary term is real output, for the file the text
    describes."""
    from kg.cli import main

    sample = next(b for b in blocks("text") if "kgs:VocabularyTermShape" in b)
    lines = next(re.finditer(r"`mine.ttl` of two lines,\s+`([^`]+)`\s+and\s+`([^`]+)`", README))
    (tmp_path / "mine.ttl").write_text(f"{lines[1]}\n{lines[2]}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["--root", str(REPO), "validate", "mine.ttl"]) == 0
    assert capsys.readouterr().out.strip() == sample.strip()


def test_readme_qc_sample_is_what_kg_validate_prints(capsys, tmp_path, monkeypatch):
    """The README's sample QC result (a misspelt reference, with the IRI meant) is real
    output of kg validate graph/*.ttl on the line it names."""
    from kg.cli import main
    from kgtest import project_copy

    sample = next(b for b in blocks("text") if "qc:dangling-reference-violation" in b)
    root = project_copy(tmp_path / "p")
    facts = root / "graph" / "article-part1.ttl"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("kgo:objective place:phnom-penh ;",
                                  "kgo:objective place:phnom-pehn ;", 1), encoding="utf-8")
    monkeypatch.chdir(root)
    files = sorted(str(p.relative_to(root)) for p in (root / "graph").glob("*.ttl"))
    assert main(["--root", str(root), "validate", *files]) == 1
    assert sample.strip() in capsys.readouterr().out


def test_readme_count_of_results_of_one_file_alone_is_near_what_kg_validate_gives(capsys):
    """"graph/article-part1.ttl alone has about N results": within a tenth of the real count
    (it said about 430 while the file alone gave 844)."""
    import json

    from kg.cli import main

    said = int(re.search(r"`graph/article-part1.ttl` alone has about (\d+) results",
                         README.replace("\n", " "))[1])
    assert main(["--root", str(REPO), "validate", str(REPO / "graph" / "article-part1.ttl"),
                 "--format", "json"]) == 1
    count = len(json.loads(capsys.readouterr().out)["results"])
    assert abs(count - said) <= count / 10, (said, count)


def test_readme_lines_of_the_article_graph_are_where_it_says():
    """Every ``graph/article-part1.ttl:N`` the README gives is a line of the file holding what
    the text just before it is about (the cycle example pointed at a blank line for a while)."""
    lines = (REPO / "graph" / "article-part1.ttl").read_text(encoding="utf-8").splitlines()
    holds = {"objective": "kgo:objective place:phnom-penh ;",
             "onDate": 'kgo:onDate "1979-01-07"^^xsd:date ;',
             "army-corps-4": "unit:division-341 kgo:subordinateTo unit:army-corps-4",
             "attachment": "kgo:attachedUnit unit:division-341 ;"}
    found = list(re.finditer(r"graph/article-part1\.ttl:(\d+)", README))
    assert len(found) >= 3
    for match in found:
        before = README[max(0, match.start() - 300):match.start()]
        about = max(holds, key=before.rfind)
        assert about in before, match[0]
        assert holds[about] in lines[int(match[1]) - 1], (match[0], holds[about])


def test_readme_names_in_the_curators_voice_are_labels_of_the_graph():
    """The labels "One side's words" quotes are the graph's (it quoted the atrocities' label
    as "Mass atrocities under the Pol Pot regime" long after the label named their victims)."""
    from rdflib.namespace import RDFS, SKOS

    paragraph = README.split("- **One side's words.**", 1)[1].split("\n- **", 1)[0]
    quoted = [q for q in re.findall(r'"([^"]+)"', " ".join(paragraph.split())) if "…" not in q]
    graph = Graph()
    for path in sorted((REPO / "graph").glob("*.ttl")):
        graph.parse(path)
    labels = {str(o) for p in (RDFS.label, SKOS.altLabel) for o in graph.objects(None, p)}
    assert len(quoted) >= 4
    assert [q for q in quoted if q not in labels] == []


def test_readme_size_of_the_gzipped_dump_is_near_what_is_served(built_app):
    """"`kg.nq`: about X MB as about Y kB": within a sixth of the dump's size, plain and
    gzipped, as /dumps/kg.nq sends it (it said 1.5 MB as 90 kB when it was 1.8 MB as 118 kB)."""
    said = re.search(r"\(`kg\.nq`: about ([\d.]+) MB as about (\d+) kB\)", README)
    assert said, "the README no longer gives the dump's sizes"
    client = built_app.test_client()
    plain = client.get("/dumps/kg.nq", headers={"Accept-Encoding": "identity"})
    gzipped = client.get("/dumps/kg.nq", headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == gzipped.status_code == 200
    assert gzipped.headers["Content-Encoding"] == "gzip"
    sizes = (len(plain.get_data()) / 1e6, len(gzipped.get_data()) / 1e3)
    for shown, size in zip((float(said[1]), float(said[2])), sizes, strict=True):
        assert abs(shown - size) <= size / 6, (said[0], sizes)


def test_readme_count_of_events_under_way_is_what_the_question_answers(dataset):
    """"`under-way-1978-08-01.rq` asks which events can have been under way on a day (N, of
    which M have no earliest start, and K of those no end bound either …)": its answer (it said
    13 and 2 when it was 19 and 3; it skipped the events with only a latest start, K)."""
    from kg.query import open_store

    said = re.search(r"under-way-1978-08-01\.rq` asks which events can have been under way "
                     r"on a day\s+\((\d+), of which (\d+) have no earliest start, and (\d+) of "
                     r"those no end bound either", README)
    assert said, "the README no longer counts the events under way"
    query = (REPO / "tests" / "competency" / "under-way-1978-08-01.rq").read_text(
        encoding="utf-8")
    rows = list(open_store(dataset).query(query, use_default_graph_as_union=True))
    no_start = [r for r in rows if r["beginOfTheBegin"] is None]
    latest_start_only = [r for r in no_start if r["endOfTheEnd"] is None]
    assert (int(said[1]), int(said[2]), int(said[3])) == (
        len(rows), len(no_start), len(latest_start_only))
    assert latest_start_only, "an event begun by a day, its end unknown, is not asked about"
    certain = re.search(r"`certainly` column, which were for certain \(begun[^;]*: (\d+);",
                        README.replace("\n  ", " "))
    assert certain, "the README no longer counts the events certainly under way"
    assert int(certain[1]) == sum(r["certainly"].value == "true" for r in rows)
    # an event with only a latest start only may have been under way
    assert all(r["certainly"].value == "false" for r in latest_start_only)


def test_readme_says_whether_the_dependencies_are_pinned():
    """The quick start said the venv gets the package's "pinned dependencies" while
    pyproject.toml gives ranges (rdflib>=7.1,<8): a reader expecting the versions tested got
    the newest in range. Pinned is said only if every dependency is `==`, bounded if not."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    setup = quick.split("Both commands create", 1)[1].split("npm", 1)[0]
    if all("==" in d for d in deps):
        assert "not pinned" not in setup and "pinned" in setup
    else:
        assert "not pinned" in setup and "pyproject.toml" in setup


def test_readme_layout_names_every_module_of_the_package():
    """The layout's src/kg/ line named 15 of the package's 22 modules (not settings, errors,
    sources, shacl_fast…): a reader looking for where a stage lives did not find it."""
    layout = next(b for b in blocks("text") if b.startswith("ontology/"))
    package = layout.split("\nsrc/kg/ ", 1)[1].split("\nsrc/kg/endpoint/", 1)[0]
    named = set(re.findall(r"[a-z_]+(?:-[a-z]+)*", package))
    src = REPO / "src" / "kg"
    modules = {p.stem for p in src.glob("*.py") if p.stem != "__init__"}
    folders = {p.name for p in src.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert not (modules | folders) - named, sorted((modules | folders) - named)


def test_changelog_has_each_kind_of_change_once_per_release():
    """Keep a Changelog's layout: per release, each kind of change (Added, Changed, …) under
    one heading, its entries bullets. A merge once left a second "### Changed" list far below
    the first, under "### Fixed"'s entries, where a reader of Unreleased stops looking."""
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    kinds = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    releases = re.split(r"^## ", text, flags=re.M)[1:]
    assert releases and releases[0].startswith("Unreleased")
    for release in releases:
        name = release.splitlines()[0]
        headings = re.findall(r"^### (.+)$", release, re.M)
        assert set(headings) <= kinds, (name, headings)
        assert len(headings) == len(set(headings)), (name, headings)
        for section in re.split(r"^### .+$", release, flags=re.M)[1:]:
            stray = [line for line in section.splitlines()
                     if line and not line.startswith(("- ", "  "))]
            assert not stray, (name, stray[:3])


def test_readme_layout_names_every_module_of_the_endpoint():
    """The layout named ``endpoint/`` as one thing: its 21 modules (``cors``, ``fast``,
    ``protocol``…) were in no line of it."""
    layout = next(b for b in blocks("text") if b.startswith("ontology/"))
    endpoint = layout.split("\nsrc/kg/endpoint/", 1)[1].split("\ntests/", 1)[0]
    named = set(re.findall(r"[a-z_]+", endpoint))
    modules = {p.stem for p in (REPO / "src" / "kg" / "endpoint").glob("*.py")
               if p.stem != "__init__"}
    assert len(modules) > 20 and not modules - named, sorted(modules - named)
