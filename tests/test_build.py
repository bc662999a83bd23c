from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.build import INFO_NAME, build, ensure_built, input_digest, input_digests
from kg.errors import InconsistentGraph, ParseError, ValidationFailed
from kg.iris import GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from kg.load import read_dataset
from kgtest import WARNING_SHAPE, project_copy, settings_for, with_one_place

EXPECTED_GRAPHS = {str(GRAPH[n]) for n in ("ontology", "entities", "sources", "article-part1",
                                           "links", "inferred")}


def _graphs(path: Path) -> dict[str, Graph]:
    graphs = read_dataset(path)
    assert None not in graphs, "every triple is in a named graph"
    return {str(name): g for name, g in graphs.items()}


def test_dataset_has_the_named_graphs(dataset):
    graphs = _graphs(dataset)
    assert set(graphs) == EXPECTED_GRAPHS
    info = json.loads((dataset.parent / INFO_NAME).read_text())
    assert info["graphs"] == {g: len(t) for g, t in sorted(graphs.items())}
    assert info["triples"] == sum(len(t) for t in graphs.values())
    assert len(graphs[str(GRAPH["article-part1"])]) > 500


def test_inferred_graph_holds_only_new_triples(dataset):
    graphs = _graphs(dataset)
    inferred = graphs.pop(str(INFERRED_GRAPH))
    asserted = Graph()
    for g in graphs.values():
        asserted += g
    assert len(inferred) > 1000
    assert not [t for t in inferred if t in asserted]


def test_authority_iris_are_never_subjects(dataset):
    """Links are stated from our side only (README, "Linking authorities"): nothing, asserted
    or inferred, has a Wikidata, GeoNames, VIAF or LCNAF IRI as its subject, so no inference
    chains two authorities' records together through one of our entities."""
    from kg.links import AUTHORITIES

    spaces = tuple(a.namespace.replace("https://", "").replace("http://", "")
                   for a in AUTHORITIES.values())
    graphs = _graphs(dataset)
    objects = [o for g in graphs.values() for o in g.objects()
               if str(o).split("://", 1)[-1].startswith(spaces)]
    assert len(objects) >= 25, "the links' targets are there, as objects"
    subjects = [(name, s) for name, g in graphs.items() for s in set(g.subjects())
                if str(s).split("://", 1)[-1].startswith(spaces)]
    assert subjects == []


def test_two_builds_are_identical(tmp_path, dataset):
    again = build(settings_for(Path(__file__).resolve().parents[1], tmp_path / "b2")).dataset
    assert again.read_bytes() == dataset.read_bytes()
    a, b = _graphs(again), _graphs(dataset)
    assert all(isomorphic(a[g], b[g]) for g in a)


def test_dataset_is_sorted_n_quads(dataset):
    lines = dataset.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    assert all(line.endswith(" .") for line in lines)


def test_ensure_built_rebuilds_only_when_inputs_change(tmp_path):
    root = project_copy(tmp_path / "p")
    settings = settings_for(root)
    out = ensure_built(settings)
    first = out.stat().st_mtime_ns
    assert ensure_built(settings).stat().st_mtime_ns == first
    digest = input_digest(root)
    article = root / "graph" / "article-part1.ttl"
    article.write_text(article.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    assert input_digest(root) != digest
    ensure_built(settings)
    info = json.loads((out.parent / INFO_NAME).read_text())
    assert info["input_digest"] == input_digest(root)


def test_build_info_records_the_bytes_its_digest_is_of(tmp_path, monkeypatch):
    """build-info.json's input_digest and each file's SHA-256 in input_files are of the same
    bytes: every input file is read once for both, so a file saved between two reads cannot
    leave a record whose two halves disagree."""
    root = project_copy(tmp_path / "p")
    reads = []
    real = Path.read_bytes

    def counting(self):
        reads.append(self.relative_to(root).as_posix())
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    digest, files = input_digests(root)
    monkeypatch.undo()
    assert sorted(reads) == sorted(files) and len(reads) == len(set(reads))
    assert files["graph/article-part1.ttl"] == hashlib.sha256(
        (root / "graph" / "article-part1.ttl").read_bytes()).hexdigest()
    out = ensure_built(settings_for(root))
    info = json.loads((out.parent / INFO_NAME).read_text())
    assert (info["input_digest"], info["input_files"]) == (digest, files)


@pytest.fixture()
def good_build(tmp_path, dataset):
    """A copy of the project with its last good build: the worker's build of this checkout
    (the same inputs, so the same files: test_two_builds_are_identical) copied in, rather
    than built again for each test that breaks the next build."""
    root = project_copy(tmp_path / "p")
    settings = settings_for(root)
    shutil.copytree(dataset.parent, settings["build_dir"])
    out = ensure_built(settings)
    assert out.stat().st_mtime_ns == dataset.stat().st_mtime_ns  # current: nothing was built
    return root, settings, out, out.read_bytes()


def _left_alone(out: Path, before: bytes):
    assert out.read_bytes() == before, "the last good dataset must stay in place"
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == [], "no temp files left"


def test_parse_error_keeps_last_good_dataset(good_build):
    root, settings, out, before = good_build
    (root / "graph" / "article-part1.ttl").write_text("this is not turtle\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"article-part1\.ttl:1"):
        build(settings)
    _left_alone(out, before)


def test_validation_failure_keeps_last_good_dataset(good_build):
    root, settings, out, before = good_build
    path = root / "graph" / "article-part1.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('kgo:exactValue 12000 ;', 'kgo:exactValue -12000 ;'),
                    encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        build(settings)
    assert "campaign-troops-killed" in str(info.value)
    # the report points at the line of the wrong value, in its figure's statement (the shape
    # reads kgo:value, which the data give as its sub-property kgo:exactValue)
    where = re.search(r"where: +(.+):(\d+)\n", str(info.value))
    assert where and where[1] == str(path)
    lines = text.splitlines()
    number = int(where[2])
    assert "kgo:exactValue 12000 ;" in lines[number - 1]
    start = max(n for n in range(number) if lines[n].startswith("figure:"))
    assert lines[start].startswith("figure:campaign-troops-killed ")
    assert info.value.exit_code == 1
    _left_alone(out, before)


def test_an_ill_typed_literal_is_said_at_its_file_and_line(good_build, caplog, monkeypatch):
    """pyoxigraph parses the build's files; rdflib meets an ill-typed date only when it
    converts it later (reasoning, validation), with no file being parsed: the warning names
    the line of the project's file that writes it, as kg validate FILE does (it had no
    place), once."""
    root, settings, out, before = good_build
    path = root / "graph" / "article-part1.ttl"
    text = path.read_text(encoding="utf-8")
    # on a line of its own, below its event's first line
    old = '    kgo:onDate "1978-02-05"^^xsd:date ;\n'
    assert text.count(old) == 1
    path.write_text(text.replace(old, '    kgo:onDate\n        "1978-13-01"^^xsd:date ;\n'),
                    encoding="utf-8")
    line = text.count("\n", 0, text.index(old)) + 2
    monkeypatch.chdir(root)
    with pytest.raises(ValidationFailed):
        build(settings)
    said = [r.getMessage() for r in caplog.records if "ill-typed literal" in r.getMessage()]
    assert said == [f'graph/article-part1.ttl:{line}: ill-typed literal "1978-13-01"'
                    "^^<http://www.w3.org/2001/XMLSchema#date>: month must be in 1..12"]
    _left_alone(out, before)


def test_literal_places_find_a_typed_literal_as_written():
    """kg.validate.literal_places: the datatype as a prefixed name or a full IRI; another
    datatype's literal of the same form, or one written nowhere, is not it."""
    from kg.validate import literal_places

    place = literal_places(lambda: [("a.ttl", '<x> <p> "1978-13-01"^^xsd:gYear .\n'
                                              '<x> <q>\n  "1978-13-01"^^xsd:date .\n'),
                                    ("b.nt", '<x> <p> "7"^^<http://www.w3.org/2001/'
                                             'XMLSchema#integer> .\n')])
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert place("1978-13-01", xsd + "date") == "a.ttl:3"
    assert place("1978-13-01", xsd + "gYear") == "a.ttl:1"
    assert place("7", xsd + "integer") == "b.nt:1"
    assert place("7", xsd + "decimal") is None
    assert place("1978-13-02", xsd + "date") is None


def test_inconsistency_keeps_last_good_dataset(good_build):
    root, settings, out, before = good_build
    (root / "graph" / "zz-bad.ttl").write_text(
        "<https://w3id.org/kg1978/place/x> a <http://www.w3.org/2002/07/owl#Nothing> .\n",
        encoding="utf-8")
    with pytest.raises(InconsistentGraph):
        build(settings)
    _left_alone(out, before)


def test_ontology_graph_is_the_ontology_file(dataset):
    graphs = _graphs(dataset)
    from kgtest import REPO

    onto = Graph().parse(REPO / "ontology" / "kg.ttl")
    assert isomorphic(graphs[str(ONTOLOGY_GRAPH)], onto)


# ------------------------------------------------- the two paths, the stages, the pySHACL fallback

def test_reference_path_writes_the_same_bytes(tmp_path, dataset):
    """owlrl + pySHACL (rdflib end to end until the writer) and the default path (pyoxigraph
    parse, kg.materialise, kg.shacl_fast) build byte-identical datasets from the project."""
    settings = settings_for(Path(__file__).resolve().parents[1], tmp_path / "ref")
    settings.update(reasoner="owlrl", validator="pyshacl")
    lines = []
    result = build(settings, log=lines.append)
    assert result.dataset.read_bytes() == dataset.read_bytes()
    assert any("(rdflib)" in line for line in lines) and any("(pyshacl)" in line for line in lines)


def test_build_times_and_logs_each_stage(tmp_path, monkeypatch):
    """Each stage is timed and logged; the shapes' predicates (rdflib parsing their SPARQL,
    a fixed cost) are found inside the parse stage, not between two stages' timings."""
    import kg.build
    from kg.build import STAGES

    root = project_copy(tmp_path / "p")
    timings: dict = {}
    lines: list[str] = []
    found = kg.build._shape_predicates

    def shape_predicates(store, shapes, folder):
        lines.append("shape predicates")
        return found(store, shapes, folder)

    monkeypatch.setattr(kg.build, "_shape_predicates", shape_predicates)
    build(settings_for(root), log=lines.append, timings=timings)
    assert list(timings) == list(STAGES)
    assert all(isinstance(v, float) and v >= 0 for v in timings.values())
    for key in STAGES:
        assert any(line.strip().startswith(f"{key.removesuffix('_s')}: ") for line in lines), key
    parse = next(i for i, line in enumerate(lines) if line.startswith("parsing "))
    parsed = next(i for i, line in enumerate(lines) if line.strip().startswith("parse: "))
    assert parse < lines.index("shape predicates") < parsed


def test_the_build_folder_keeps_what_the_shapes_constraints_read(tmp_path, monkeypatch):
    """Parsing the shapes' SPARQL is most of a small build: the build folder keeps what each
    constraint reads, and the next build parses none (the same dataset); a cache made by other
    code, or one that does not read, is ignored and made anew; entries of constraints the
    shapes no longer have are dropped."""
    import json

    import kg.shacl_fast
    from kg.build import SHAPE_READS_NAME

    root = project_copy(tmp_path / "p")
    first = build(settings_for(root))
    kept = first.dataset.parent / SHAPE_READS_NAME
    cache = json.loads(kept.read_text(encoding="utf-8"))
    assert cache["version"] == kg.shacl_fast.analysis_version()
    assert len(cache["reads"]) >= 30 and all(v is None or isinstance(v, list)
                                             for v in cache["reads"].values())
    dataset = first.dataset.read_bytes()
    parsed: list[str] = []
    reads = kg.shacl_fast._constraint_reads

    def counted(select, namespaces):
        parsed.append(select)
        return reads(select, namespaces)

    monkeypatch.setattr(kg.shacl_fast, "_constraint_reads", counted)
    assert build(settings_for(root)).dataset.read_bytes() == dataset
    assert parsed == []
    wrong_values = {"version": cache["version"], "reads": {k: 5 for k in cache["reads"]}}
    for text in (json.dumps({**cache, "version": "other code"}), "{not json", "[]",
                 json.dumps(wrong_values), json.dumps({**cache, "reads": []})):
        kept.write_text(text, encoding="utf-8")
        assert build(settings_for(root)).dataset.read_bytes() == dataset
        assert len(parsed) == len(cache["reads"])
        assert json.loads(kept.read_text(encoding="utf-8")) == cache
        parsed.clear()
    # an entry of a constraint the shapes no longer have (edited since) is dropped, unparsed
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    stale = {**cache, "reads": {**cache["reads"], "0" * 64: [rdf_type]}}
    kept.write_text(json.dumps(stale), encoding="utf-8")
    assert build(settings_for(root)).dataset.read_bytes() == dataset
    assert parsed == []
    assert json.loads(kept.read_text(encoding="utf-8")) == cache


def _add_shape(root: Path, feature: str) -> None:
    """A shape kg.shacl_fast does not compile (sh:not without sh:message): every Place must
    not be an Event."""
    (root / "shapes" / "zz-extra.ttl").write_text(f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kgo: <https://w3id.org/kg1978/ontology/> .
        <urn:kg:test:PlaceNotEvent> a sh:NodeShape ; sh:targetClass kgo:Place ; {feature} .
        """, encoding="utf-8")


def test_unsupported_shape_falls_back_to_pyshacl(tmp_path):
    root = with_one_place(project_copy(tmp_path / "p"))  # pySHACL takes seconds on the graph
    _add_shape(root, "sh:not [ sh:class kgo:Event ]")
    lines: list[str] = []
    assert build(settings_for(root), log=lines.append).report.conforms
    assert any("using pySHACL" in line and "shacl#not" in line for line in lines)
    # the fallback really validates: a place that is also an event violates the new shape
    (root / "graph" / "zz-bad.ttl").write_text(
        "<https://w3id.org/kg1978/place/cambodia> a <https://w3id.org/kg1978/ontology/Event> .\n",
        encoding="utf-8")
    with pytest.raises(ValidationFailed, match="PlaceNotEvent"):
        build(settings_for(root))


@pytest.mark.parametrize(("name", "value"), [("reasoner", "hermit"), ("validator", "topbraid")])
def test_unknown_engine_is_a_config_error(tmp_path, name, value):
    from kg.errors import ConfigError

    settings = settings_for(project_copy(tmp_path / "p"))
    settings[name] = value
    with pytest.raises(ConfigError, match=value):
        build(settings)


def test_parse_error_names_file_line_and_column(good_build):
    root, settings, out, before = good_build
    path = root / "graph" / "entities.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\n<urn:a> <urn:b> .\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        build(settings)
    lines = path.read_text(encoding="utf-8").count("\n")
    assert f"entities.ttl:{lines}:" in str(info.value)
    assert "Parser error at" not in str(info.value)
    _left_alone(out, before)


def test_the_python_merge_writes_what_sort_writes(tmp_path, dataset, monkeypatch):
    """Without a `sort` command the parts are merged in Python, to the same bytes."""
    import kg.build

    monkeypatch.setattr(kg.build.shutil, "which", lambda name: None)
    again = build(settings_for(Path(__file__).resolve().parents[1], tmp_path / "b")).dataset
    assert again.read_bytes() == dataset.read_bytes()
    assert not [p for p in again.parent.iterdir() if p.name.startswith(".")]
    umask = os.umask(0o022)
    os.umask(umask)
    assert again.stat().st_mode & 0o777 == 0o666 & ~umask  # as any file written here


def test_a_triple_in_two_graphs_counts_once(tmp_path):
    """The validation view is one graph: a label asserted in two files is one value for
    sh:maxCount, as pySHACL sees it (a union over named graphs would count it twice)."""
    root = project_copy(tmp_path / "p")
    (root / "graph" / "zz-again.ttl").write_text(
        '<https://w3id.org/kg1978/place/phnom-penh> '
        '<http://www.w3.org/2000/01/rdf-schema#label> "Phnom Penh"@en .\n', encoding="utf-8")
    result = build(settings_for(root))
    assert result.report.conforms
    # the store was copied into the view, and the build does not vouch for the dataset's graphs
    assert result.info["graphs_share_triples"] is None
    from kg.build import dataset_facts
    from kg.store import DatasetStore

    facts = dataset_facts(result.dataset, sha256=result.info["dataset_sha256"])
    assert "graph_sizes" in facts and "shared_pairs" not in facts
    store = DatasetStore.load(result.dataset, lenient=True, **facts)
    assert frozenset({str(GRAPH["entities"]), str(GRAPH["zz-again"])}) in store.shared_pairs


def test_what_the_build_records_of_its_graphs_is_what_the_store_finds(dataset):
    """kg serve loads the build's output with the triples per graph and the graphs sharing
    none, as build-info.json says them (kg.build.dataset_facts), instead of counting and
    looking them up: they are what DatasetStore finds in the file."""
    from kg.build import dataset_facts
    from kg.store import DatasetStore

    facts = dataset_facts(dataset, sha256=hashlib.sha256(dataset.read_bytes()).hexdigest())
    assert facts["shared_pairs"] == frozenset()
    told = DatasetStore.load(dataset, lenient=True, **facts)
    found = DatasetStore.load(dataset, lenient=True)
    assert found.shared_pairs == told.shared_pairs
    assert (found.quad_count, found.triple_count) == (told.quad_count, told.triple_count)
    assert found.quad_count == sum(facts["graph_sizes"].values())


@pytest.mark.parametrize("info", ['{"graphs": {"g": null}}', '{"graphs": ["g"]}',
                                  '{"graphs": {"g": "many"}}', "[]", "not json"])
def test_a_build_info_that_says_its_graphs_otherwise_gives_nothing(tmp_path, info):
    from kg.build import INFO_NAME, dataset_facts

    info = info.replace('{"graphs"', '{"dataset_sha256": "abc", "graphs"')
    (tmp_path / INFO_NAME).write_text(info)
    assert dataset_facts(tmp_path / "kg.nq", sha256="abc") == {}
    (tmp_path / INFO_NAME).write_text('{"dataset_sha256": "abc", "graphs": {"g": 1}}')
    assert dataset_facts(tmp_path / "kg.nq", sha256="abd") == {}  # another build's record
    assert dataset_facts(tmp_path / "kg.nq", sha256="abc") == {"graph_sizes": {"g": 1}}


# A dataset whose one IRI the lenient parser takes and the checking one refuses, and a
# build-info.json that says its graph holds 7 quads (it holds 1): what is taken from it shows.
_LENIENT_ONLY = "<http://e/s> <http://e/p> <http://e/%zz> <http://e/g> .\n"


def _built_pair(folder: Path, sha256: str | None) -> Path:
    dataset = folder / "kg.nq"
    dataset.write_text(_LENIENT_ONLY)
    digest = sha256 or hashlib.sha256(dataset.read_bytes()).hexdigest()
    (folder / INFO_NAME).write_text(json.dumps(
        {"dataset_sha256": digest, "graphs": {"http://e/g": 7}, "graphs_share_triples": False}))
    return dataset


def test_load_built_takes_the_facts_of_a_build_info_that_records_the_bytes_loaded(tmp_path):
    from kg.build import load_built

    store = load_built(_built_pair(tmp_path, None))
    assert store.quad_count == 7  # taken as recorded, not counted
    assert store.shared_pairs == frozenset()


def test_load_built_ignores_a_build_info_of_other_bytes(tmp_path):
    """Another build between ensure_built's check and the load (here: a build-info.json whose
    digest is not that of kg.nq's bytes) pairs no build's counts with another's data: the
    file is loaded as one from anywhere else, checked and counted."""
    from kg.build import load_built

    dataset = _built_pair(tmp_path, "0" * 64)
    with pytest.raises(ParseError, match="percent encoding"):
        load_built(dataset)
    dataset.write_text("<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n")
    store = load_built(dataset)
    assert store.quad_count == 1


def test_load_built_hashes_the_bytes_it_parses_reading_the_file_once(tmp_path, monkeypatch):
    """The digest compared with build-info.json's is of the bytes parsed, from one open of
    the file (a build replacing kg.nq after it is opened changes neither)."""
    import builtins

    from kg.build import load_built

    dataset = _built_pair(tmp_path, None)
    other = tmp_path / "other.nq"
    other.write_text("<http://e/other> <http://e/p> <http://e/o> <http://e/g> .\n")
    opened = []
    real_open = builtins.open

    def open_then_replace(file, *a, **k):
        handle = real_open(file, *a, **k)
        if str(file) == str(dataset):
            opened.append(file)
            os.replace(other, dataset)  # a build replacing kg.nq once it is open
        return handle

    monkeypatch.setattr(builtins, "open", open_then_replace)
    store = load_built(dataset)
    assert store.quad_count == 7 and len(opened) == 1
    # the bytes parsed are those of the file opened (a second read, by path, pyoxigraph's own
    # open, would find the other build's)
    assert bool(store.query("ASK { GRAPH ?g { <http://e/s> ?p ?o } }"))
    assert not bool(store.query("ASK { GRAPH ?g { <http://e/other> ?p ?o } }"))


def _served_store(settings):
    """The store an app over the built dataset serves (create_app without a dataset)."""
    from kg.endpoint import create_app

    return create_app({"root": settings["root"], "build_dir": settings["build_dir"]}
                      ).extensions["kg"].store


def _facts(store) -> tuple:
    """The quads (blank nodes by no label: each load names them anew) and the graphs' facts."""
    quads = sorted(re.sub(r"BlankNode value=\w+", "BlankNode", str(row))
                   for row in store.query("SELECT * { GRAPH ?g { ?s ?p ?o } }"))
    return quads, store.graph_sizes, store.shared_pairs, store.triple_count


def test_the_served_build_is_the_checked_build_loaded(tmp_path):
    """Served as ``load_built(ensure_built(settings))`` loads it: the same quads, with the
    build's record of its graphs; a kg.nq changed since the build (a line removed, bytes that
    do not parse) is built again and that build served."""
    from kg.build import load_built

    settings = settings_for(with_one_place(project_copy(tmp_path / "p")))
    out = ensure_built(settings)
    built = out.read_bytes()
    expected = _facts(load_built(out))
    assert _facts(_served_store(settings)) == expected
    assert expected[1] == json.loads((out.parent / INFO_NAME).read_text())["graphs"]
    for changed in (b"\n".join(built.splitlines()[1:]) + b"\n", b"<not n-quads\n"):
        out.write_bytes(changed)
        assert _facts(_served_store(settings)) == expected
        assert out.read_bytes() == built  # built again


def test_the_built_store_reads_the_dataset_once(tmp_path, monkeypatch):
    """ensure_built read all of kg.nq to check its digest, and load_built again to parse it:
    kg.build.built_store (kg serve, kg query, an app over the build) hashes what it parses."""
    import builtins

    from kg.build import built_store, load_built

    settings = settings_for(with_one_place(project_copy(tmp_path / "p")))
    out = ensure_built(settings)
    expected = _facts(load_built(out))
    opened, real_open = [], builtins.open
    monkeypatch.setattr(builtins, "open", lambda file, *a, **k: (
        opened.append(file) if str(file) == str(out) else None) or real_open(file, *a, **k))
    said = []
    assert _facts(built_store(settings, log=said.append)) == expected
    assert len(opened) == 1 and said == [f"loading {out}"]


def _stats(settings) -> str:
    from kg.stats import stats_text

    return stats_text(settings)


def _published(settings) -> dict[str, int]:
    """What ``kg publish`` sends of the built dataset: the triples of each graph."""
    from kg.publish import publish
    from remote_stores import FakeStore

    store = FakeStore()
    try:
        return publish(settings, store.base + "/store").local
    finally:
        store.close()


def _validated(settings) -> str:
    """``kg validate`` of the built dataset (no file): its report as JSON."""
    from kg.validate import validate_files

    return validate_files(settings, []).as_json()


#: Commands over the built dataset that read it themselves (not through built_store).
_READERS_OF_THE_BUILD = [pytest.param(_stats, id="stats"), pytest.param(_published, id="publish"),
                         pytest.param(_validated, id="validate")]


@pytest.mark.parametrize("read", _READERS_OF_THE_BUILD)
def test_a_dataset_changed_since_its_build_is_built_again_before_it_is_read(tmp_path, read):
    """``kg stats``, ``kg publish`` and ``kg validate`` read what ``ensure_built`` vouches for: a kg.nq changed
    since its build (a line removed, bytes that do not parse) is built again, and read."""
    settings = settings_for(with_one_place(project_copy(tmp_path / "p")))
    out = ensure_built(settings)
    built = out.read_bytes()
    expected = read(settings)
    for changed in (b"\n".join(built.splitlines()[1:]) + b"\n", b"<not n-quads\n"):
        out.write_bytes(changed)
        assert read(settings) == expected
        assert out.read_bytes() == built  # built again


@pytest.mark.parametrize("read", _READERS_OF_THE_BUILD)
def test_the_built_dataset_is_read_once(tmp_path, monkeypatch, read):
    """ensure_built read all of kg.nq to check its digest, and the command again to parse it:
    another build replacing kg.nq between the two reads (here: once kg.nq is first opened) had
    the command read bytes no build-info.json vouched for. What is read is what was hashed."""
    import builtins

    settings = settings_for(with_one_place(project_copy(tmp_path / "p")))
    out = ensure_built(settings)
    expected = read(settings)
    other = tmp_path / "other.nq"
    other.write_text("<http://e/other> <http://e/p> <http://e/o> <http://e/g> .\n")
    opened, real_open = [], builtins.open

    def open_then_replace(file, *a, **k):
        handle = real_open(file, *a, **k)
        if str(file) == str(out) and not opened:
            opened.append(file)
            os.replace(other, out)  # another build's kg.nq, once this one is open
        return handle

    monkeypatch.setattr(builtins, "open", open_then_replace)
    assert read(settings) == expected
    assert opened == [out]


def test_warnings_are_logged_and_the_dataset_is_written(tmp_path):
    """A shape at sh:Warning does not stop the build: its results are logged, with file:line."""
    root = project_copy(tmp_path / "p")
    (root / "shapes" / "zz-warning.ttl").write_text(WARNING_SHAPE, encoding="utf-8")
    lines: list[str] = []
    result = build(settings_for(root), log=lines.append)
    assert result.dataset.is_file() and result.report.conforms and result.report.results
    logged = "\n".join(lines)
    assert "(not fatal)" in logged and "an event is best placed" in logged
    assert "article-part1.ttl:" in logged
