"""The build: load -> reason -> validate -> write the dataset, atomically.

The dataset is written as sorted N-Quads to ``<build_dir>/kg.nq`` with every triple in a named
graph: the ontology, one graph per ``graph/*.ttl`` file, and the inferred graph. Beside it,
``build-info.json`` records the package version, a digest of the inputs and each input file's
SHA-256 (``input_files``: what ``/validate?context=dataset`` checks its lines against), the
counts and whether the graphs share a triple (where the build found that they do not).
On any failure nothing is written and the last good dataset stays in place.

Two paths, one writer. With the default ``reasoner=fast`` everything happens in one pyoxigraph
store, which is what makes millions of triples buildable in minutes: pyoxigraph parses
(:func:`kg.load.load_store`), :func:`kg.materialise.materialise_store` reasons into the inferred
graph, and :func:`kg.shacl_fast.validate_store` runs the shapes as SPARQL over
:func:`kg.shacl_fast.view_store` (pySHACL takes over, with a log line, for shapes it does not
compile; ``validator=pyshacl`` asks for pySHACL always). When kg.shacl_fast compiles the
shapes, the reasoner writes every inference to a part file and keeps in the store only those
whose predicate a shape reads (:func:`kg.shacl_fast.read_predicates`): at scale most
inferences are super-properties and inverses no shape looks at, and adding them to the store
was most of the cost. With ``reasoner=owlrl``, the reference,
rdflib parses and owlrl reasons as before, and the graphs are then put in a store. Both end in
:func:`write_dataset`, so the two paths give the same bytes for the same triples
(tests/test_build.py compares them).
"""

from __future__ import annotations

import contextvars
import gc
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

from kg import __version__, locating
from kg.errors import ConfigError, InputError, KGError, ValidationFailed
from kg.iris import INFERRED_GRAPH
from kg.load import (
    check_project_folder,
    input_files,
    load_shapes,
    load_sources,
    load_store,
    ox_term,
    rdflib_term,
    shown_path,
)
from kg.qc import results_in_store, with_qc_results
from kg.reason import REASONERS, infer
from kg.store import gc_paused
from kg.validate import (
    Report,
    check_validator,
    cited_in,
    passages_in,
    validate_view_store,
    with_passage_hints,
    with_vocabulary_warnings,
)

DATASET_NAME = "kg.nq"
INFO_NAME = "build-info.json"
#: Keys :func:`build` fills in ``timings``, one per stage, in seconds.
STAGES = ("parse_s", "reason_s", "validate_s", "write_s")

_T = TypeVar("_T")


@dataclass
class BuildResult:
    dataset: Path
    info: dict
    report: Report


def dataset_path(settings: dict) -> Path:
    return Path(settings["build_dir"]) / DATASET_NAME


def input_digest(root: Path) -> str:
    """SHA-256 over the package version and every input file's name and bytes."""
    return input_digests(root)[0]


def input_digests(root: Path) -> tuple[str, dict[str, str]]:
    """:func:`input_digest`, and each input file's SHA-256 by its path relative to ``root``
    (``graph/entities.ttl``): build-info.json's ``input_files``, by which a report placing
    results in the project's files tells a file changed since the build
    (:mod:`kg.endpoint.validation`). Each file is read once, so the two always describe the
    same bytes, even where a file is being saved while the build starts."""
    h = hashlib.sha256(f"kg {__version__}\n".encode())
    files = {}
    for path in input_files(root):
        name = path.relative_to(root).as_posix()
        data = path.read_bytes()
        h.update(f"{name}\n".encode())
        h.update(data)
        files[name] = hashlib.sha256(data).hexdigest()
    return h.hexdigest(), files


def build(settings: dict, *, log: Callable[[str], None] = lambda _: None,
          timings: dict | None = None) -> BuildResult:
    """Run the whole pipeline and write the dataset. Raises KGError subclasses on failure.
    ``timings``, if given, receives the seconds of each stage (:data:`STAGES`). An ill-typed
    literal, which rdflib meets only after pyoxigraph has parsed the files, is said at the
    line of the project's file that writes it (:data:`kg.locating`)."""
    from kg.validate import literal_places, project_texts

    said_at = locating.set(literal_places(lambda: project_texts(Path(settings["root"]))))
    try:
        return _build(settings, log, timings)
    finally:
        locating.reset(said_at)
        # The parsers (rdflib's SPARQL parser runs on pyparsing, which raises and catches as it
        # goes) leave reference cycles of tracebacks and frames, and a frame holds its locals:
        # pyoxigraph query results among them, which only the thread that made one may free.
        # Collected here, in the building thread, not later by whichever thread of a server
        # (or of a test's clients) the collector happens to run in.
        gc.collect()


def _build(settings: dict, log: Callable[[str], None], timings: dict | None) -> BuildResult:
    root = Path(settings["root"])
    check_project_folder(root)  # before the build folder is made in it
    reasoner = settings.get("reasoner", "fast")
    validator = check_validator(settings.get("validator", "fast"))
    if reasoner not in REASONERS:
        raise ConfigError(f"reasoner must be one of {', '.join(REASONERS)}: {reasoner!r}")
    timings = {} if timings is None else timings
    stage = _Stages(timings, log)
    digest, file_digests = input_digests(root)
    inferred_graph = ox.NamedNode(str(INFERRED_GRAPH))
    out = dataset_path(settings)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # --build-dir naming a file was "cannot be made: File exists"
        what = ("a file, not a folder" if out.parent.is_file()
                else f"cannot be made: {exc.strerror or exc}")
        raise ConfigError(f"build_dir {out.parent}: {what} (--build-dir DIR or KG_BUILD_DIR: "
                          "the folder the built dataset is written in)") from None
    # the inferred graph as N-Quads, written by the fast reasoner (removed whatever happens)
    try:
        inferred_dir = tempfile.TemporaryDirectory(prefix=f".{out.name}.inferred.",
                                                   dir=out.parent)
    except OSError as exc:  # a folder there that may not be written in was a traceback
        raise ConfigError(f"build_dir {out.parent}: cannot be written in: "
                          f"{exc.strerror or exc} (--build-dir DIR or KG_BUILD_DIR: the folder "
                          "the built dataset is written in)") from None
    with inferred_dir as tmp:
        inferred_part: Path | None = None
        inferred_count = 0
        overlap: list[bool] = []  # whether two graphs of the store share a triple
        if reasoner == "fast":
            with stage("parse_s", f"parsing {shown_path(root / 'ontology')}, "
                                  f"{shown_path(root / 'graph')} (pyoxigraph) and the shapes"):
                shapes = load_shapes(root)
                store = load_store(root, warn=False)
                written = written_in_files(root)
                # rdflib parses the shapes' SPARQL here (~2 s whatever the data's size, unless
                # the build folder keeps what it found): in a stage, so the stages add up
                narrow = (_shape_predicates(store, shapes, out.parent) if validator == "fast"
                          else None)
            with stage("reason_s", f"reasoning (OWL 2 RL, fast) over {len(store)} asserted "
                                   "triples"):
                from kg.materialise import materialise_store

                if narrow is None:
                    materialise_store(store, inferred_graph)
                else:
                    # Every inference goes to a file; the store gets only those the shapes can
                    # read, which is all that validation needs (a fraction at scale).
                    inferred_part = Path(tmp) / "inferred.nq"
                    with inferred_part.open("wb") as f:
                        inferred_count = materialise_store(
                            store, inferred_graph, keep=narrow.__contains__, out=f)
        else:
            narrow = None
            with stage("parse_s", f"parsing {shown_path(root / 'ontology')}, "
                                  f"{shown_path(root / 'graph')} (rdflib)"):
                from kg.shacl_fast import written_otherwise

                shapes = load_shapes(root)
                sources = load_sources(root, warn=False)
                written = written_otherwise(t for g in sources.graphs.values() for t in g)
            with stage("reason_s", f"reasoning (OWL 2 RL, {reasoner}) over {len(sources)} "
                                   "asserted triples"):
                graphs = dict(sources.graphs)
                graphs[INFERRED_GRAPH] = infer(sources.union(), reasoner=reasoner)
                store = store_of(graphs)
                del sources, graphs
        with stage("validate_s", f"validating {len(store)} triples against the shapes "
                                 f"({validator})"):
            # the QC queries over the asserted graphs (their rows are results of the report),
            # in a thread while the shapes' view is made: pyoxigraph copies the graphs into it
            # on one core without Python's lock, and the QC queries take the other
            with gc_paused(), ThreadPoolExecutor(1, thread_name_prefix="kg-qc") as pool:
                # in this thread's context (kg.locating: where an ill-typed literal is)
                qc = pool.submit(contextvars.copy_context().run, results_in_store, store,
                                 skip=[inferred_graph], written=written.triples())
                report = validate_dataset_store(store, inferred_graph, shapes, validator, log,
                                                overlap=overlap, written=written)
                report = with_qc_results(report, qc.result())
            if report.results:
                report = with_passage_hints(report, passages_in(store), cited_in(store))
        from kg.validate import project_texts, with_prefix_warnings

        # a prefix declared again is a warning result of the report, as kg validate has it
        # (reading the files above did not log it too: the report says it once, at its line)
        texts = project_texts(root)
        report = with_prefix_warnings(report.located(texts) if report.results else report,
                                      texts)
        if report.results:
            if not report.conforms:
                raise ValidationFailed("the graph does not conform to the shapes or the QC "
                                       "queries; nothing was written\n\n" + report.as_text())
            # warnings (sh:Warning, sh:Info) are said, and do not stop the build
            log(f"  {report.counts()} (not fatal):\n" + report.as_text())
        with stage("write_s", f"writing {shown_path(out)}"):
            ready = ({} if inferred_part is None
                     else {inferred_graph.value: (inferred_part, inferred_count)})
            counts, sha256 = write_dataset(store, out, ready=ready)
    info = {
        "version": __version__,
        "input_digest": digest,
        "input_files": file_digests,
        "dataset": DATASET_NAME,
        "dataset_sha256": sha256,
        "graphs": counts,
        "triples": sum(counts.values()),
        # False where the build found that no two graphs share a triple (kg.store.DatasetStore
        # then need not look): its store's graphs share none, and the materialiser's inferred
        # graph leaves out every asserted triple, those it kept out of the store too
        "graphs_share_triples": (None if overlap[:1] != [False] or reasoner != "fast"
                                 else False),
    }
    write_atomically(out.parent / INFO_NAME, (json.dumps(info, indent=2) + "\n").encode())
    log(f"wrote {shown_path(out)} ({info['triples']} triples in {len(counts)} named graphs)")
    return BuildResult(dataset=out, info=info, report=report)


class _Stages:
    """Times each stage into ``timings`` and logs what it does and how long it took."""

    def __init__(self, timings: dict, log: Callable[[str], None]):
        self.timings, self.log = timings, log

    @contextmanager
    def __call__(self, key: str, doing: str) -> Iterator[None]:
        self.log(doing)
        started = time.perf_counter()
        yield
        self.timings[key] = time.perf_counter() - started
        self.log(f"  {key.removesuffix('_s')}: {self.timings[key]:.2f} s")


def validate_dataset_store(store: ox.Store, inferred: ox.NamedNode, shapes: Graph,
                           validator: str, log: Callable[[str], None], *,
                           overlap: list[bool] | None = None, written=None) -> Report:
    """The shapes over what they should see of ``store`` (kg.validate.validation_view), in one
    graph: a triple asserted in two graphs counts once, as in pySHACL. The store holds every
    inference, or (on the narrowed path, where kg.shacl_fast compiles the shapes) those whose
    predicate a shape reads. The report also warns of each use, in the asserted graphs (all
    but ``inferred``), of a term a standard vocabulary does not define (kg.vocabularies).
    ``overlap``, if given, receives whether two graphs of ``store`` share a triple
    (:func:`kg.shacl_fast.view_and_overlap`). ``written``: the literals of the data the store
    keeps in another datatype (:func:`kg.shacl_fast.written_otherwise`), which the store's
    report gives as written."""
    from kg.shacl_fast import view_and_overlap
    from kg.vocabularies import unknown_terms_in_store

    unknown = unknown_terms_in_store(store, inferred)
    view, shared = view_and_overlap(store, inferred)
    if overlap is not None:
        overlap.append(shared)
    report = validate_view_store(view, shapes, validator, lambda m: log(f"  {m}"),
                                 lambda: graph_of(view), written)
    return with_vocabulary_warnings(report, unknown)


#: A literal's datatype that a store keeps as another (kg.shacl_fast.STORED_OTHERWISE) as a
#: file may write it, ``^^xsd:int`` or ``^^<…XMLSchema#int>``: a file without one is not parsed
#: again by :func:`written_in_files`
_WRITTEN_OTHERWISE = re.compile(
    rb"\^\^\S*?[#:](?:int|long|short|byte|nonNegativeInteger|positiveInteger|negativeInteger|"
    rb"nonPositiveInteger|unsignedInt|unsignedLong|unsignedShort|unsignedByte|dateTimeStamp)"
    rb"(?![\w-])")


def written_in_files(root: Path):
    """:func:`kg.shacl_fast.written_otherwise` of the project's files, which the build's store
    read (and keeps ``"300"^^xsd:int`` as an xsd:integer): only a file that may write such a
    literal is parsed again."""
    from kg.load import parse_file, source_files
    from kg.shacl_fast import written_otherwise

    triples = []
    for _name, paths in source_files(root):
        for path in paths:
            if _WRITTEN_OTHERWISE.search(path.read_bytes()):
                triples += parse_file(path, warn=False)
    return written_otherwise(triples)


#: In the build folder: what each SPARQL constraint of the shapes reads, by
#: :func:`kg.shacl_fast.constraint_key`, with the version of the code that found it.
SHAPE_READS_NAME = "shape-reads.json"


def _shape_predicates(store: ox.Store, shapes: Graph, folder: Path) -> frozenset[str] | None:
    """The predicates the shapes read in this data (:func:`kg.shacl_fast.read_predicates`,
    looked up in the asserted store), or None when they cannot be bounded or kg.shacl_fast
    does not compile the shapes (the build then keeps everything). What each constraint reads
    is kept in ``folder`` (:data:`SHAPE_READS_NAME`) for the next build: parsing the
    constraints' SPARQL is most of a small build's time. A cache that cannot be read, or was
    made by other code, is ignored and made anew; entries of constraints the shapes no longer
    have are dropped."""
    from kg.shacl_fast import (
        UnsupportedShapes,
        analysis_version,
        compile_shapes,
        constraint_keys,
        read_predicates,
    )

    try:
        compile_shapes(shapes, lambda c: [c])  # refuses what it does not compile, early
    except UnsupportedShapes:
        return None
    path, version = folder / SHAPE_READS_NAME, analysis_version()
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        reads = kept["reads"] if kept.get("version") == version else {}
        # only what shape_predicates writes: a list of IRIs, or None (unbounded)
        reads = {k: v for k, v in reads.items() if v is None or (
            isinstance(v, list) and all(isinstance(i, str) for i in v))}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        reads = {}
    known = dict(reads)
    found = read_predicates(shapes, store, reads)
    current = constraint_keys(shapes)  # entries of constraints since changed are dropped
    reads = {k: v for k, v in reads.items() if k in current}
    if reads != known:
        text = json.dumps({"version": version, "reads": reads}, indent=1, sort_keys=True)
        try:
            replace_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        except (InputError, OSError):  # not written: the next build parses again
            pass
    return found


def store_of(graphs: dict[URIRef, Graph]) -> ox.Store:
    """A new pyoxigraph store holding each rdflib graph as the named graph of its key."""
    store = ox.Store()
    store.extend(ox.Quad(ox_term(s), ox_term(p), ox_term(o), ox.NamedNode(str(name)))
                 for name, g in graphs.items() for s, p, o in g)
    return store


def graph_of(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph | None = None) -> Graph:
    """One rdflib Graph of ``graph`` of ``store``, or of all its triples when ``graph`` is None."""
    g = Graph()
    for q in store.quads_for_pattern(None, None, None, graph):
        g.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
    return g


def write_dataset(store: ox.Store, path: Path,
                  ready: dict[str, tuple[Path, int]] | None = None
                  ) -> tuple[dict[str, int], str]:
    """Write every named graph of ``store`` (its default graph must be empty) to ``path`` as
    sorted, duplicate-free N-Quads, atomically; return the triples per graph and the file's
    SHA-256.

    Blank nodes are labelled canonically per graph (rdflib's canonical labelling), prefixed by
    a digest of the graph name: the same triples always give the same bytes, and graphs never
    share a blank node label. Each graph is dumped by pyoxigraph into a part file, then the
    parts are merged in byte order by ``sort`` (``LC_ALL=C sort -u``, POSIX) where there is
    one, which sorts millions of lines in a fraction of the time and memory of a Python list;
    elsewhere in Python, to the same bytes (tested). ``ready`` maps a graph IRI to a file that
    already holds that graph's N-Quads (unsorted, no blank nodes, no line twice) and their
    number, as the materialiser returns it: the file is used instead of the store's graph of
    that name, and not read again to count its lines."""
    ready = ready or {}
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None):
        raise ValueError("the build puts every triple in a named graph")
    path.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.parts.", dir=path.parent) as tmp:
        parts = []
        for name in sorted(store.named_graphs(), key=lambda g: str(g)):
            if name.value in ready:
                continue
            part = Path(tmp) / f"{len(parts)}.nq"
            counts[name.value] = _write_part(store, name, part)
            parts.append(part)
        for name, (part, count) in ready.items():
            counts[name] = count
            parts.append(part)
        digest = hashlib.sha256()
        sort = shutil.which("sort")

        def merged(out: Path) -> None:
            if sort:
                subprocess.run([sort, "-u", "-o", str(out), *map(str, parts)], check=True,
                               env={**os.environ, "LC_ALL": "C"}, stdin=subprocess.DEVNULL)
            else:
                lines = sorted({line for part in parts
                                for line in part.read_bytes().splitlines(keepends=True)})
                out.write_bytes(b"".join(lines))
            with out.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)

        replace_atomically(path, merged)
    return dict(sorted(counts.items())), digest.hexdigest()


def _write_part(store: ox.Store, name: ox.NamedNode, part: Path) -> int:
    """The N-Quads of graph ``name`` in the file ``part`` (unsorted); return the count."""
    has_blank = store.query(
        f"ASK {{ GRAPH {name} {{ ?s ?p ?o FILTER (isBlank(?s) || isBlank(?o)) }} }}")
    triples = part.with_suffix(".nt")
    if has_blank:
        triples.write_bytes(_canonical_ntriples(store, name))
    else:
        store.dump(output=str(triples), format=ox.RdfFormat.N_TRIPLES, from_graph=name)
    # Every N-Triples line ends with " .\n", and a literal never holds a raw newline (it is
    # written \n): so " .\n" occurs only at line ends, where the graph name goes.
    suffix = f" {name} .\n".encode()
    count, rest = 0, b""
    with triples.open("rb") as src, part.open("wb") as out:
        for block in iter(lambda: src.read(1 << 24), b""):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            block, rest = block[:cut], block[cut:]
            count += block.count(b"\n")
            out.write(block.replace(b" .\n", suffix))
    if rest:
        raise ValueError(f"unterminated N-Triples line in the dump of {name}")
    triples.unlink()
    return count


def _canonical_ntriples(store: ox.Store, name: ox.NamedNode) -> bytes:
    tag = hashlib.sha1(name.value.encode()).hexdigest()[:8]

    def relabel(term):
        return ox.BlankNode(f"g{tag}{term}") if isinstance(term, BNode) else ox_term(term)

    canonical = to_canonical_graph(graph_of(store, name))
    triples = [ox.Triple(relabel(s), relabel(p), relabel(o)) for s, p, o in canonical]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def build_record(dataset: Path, *, sha256: str) -> dict:
    """build-info.json beside ``dataset``, where its ``dataset_sha256`` is ``sha256``, the
    digest of the bytes read (another build may have replaced either file since); {} where it
    is another build's record, or there is none, or it is not a JSON object."""
    try:
        info = json.loads((Path(dataset).parent / INFO_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(info, dict) or info.get("dataset_sha256") != sha256:
        return {}  # the record of another build's dataset
    return info


def dataset_facts(dataset: Path, *, sha256: str) -> dict:
    """What the build recorded in build-info.json of the dataset it wrote, as keyword arguments
    of :meth:`kg.store.DatasetStore.load`: the triples of each graph, and that no two graphs
    share a triple where the build found so (its graphs were looked up in one another in its
    store, and the reasoner's inferred graph leaves out every asserted triple). Only where
    build-info.json's ``dataset_sha256`` is ``sha256``, the digest of the bytes loaded (another
    build may have replaced either file since they were read); nothing when it is not, or
    when the file does not say."""
    info = build_record(dataset, sha256=sha256)
    try:
        sizes = {str(g): int(n) for g, n in info["graphs"].items()}
    except (KeyError, TypeError, AttributeError, ValueError):
        return {}  # a file that does not say, or says it in another form: nothing taken
    facts: dict = {"graph_sizes": sizes}
    if info.get("graphs_share_triples") is False:
        facts["shared_pairs"] = frozenset()
    return facts


def load_built(dataset: Path):
    """The build's own output (``ensure_built``'s) as a :class:`kg.store.DatasetStore`, as
    ``kg serve``, ``kg query`` and the endpoint load it: parsed leniently, with what
    build-info.json records of its graphs (:func:`dataset_facts`).

    The file is read once, hashed as it is parsed (:func:`kg.store.parse_dataset`), and
    build-info.json vouches only for the bytes of its ``dataset_sha256``: where another build
    replaced a file between ``ensure_built``'s check and this load, the digests differ, and
    the dataset is loaded again as a file from anywhere else is (``DatasetStore.load``:
    checked, counted), never with one build's counts over another's data."""
    from kg.store import DatasetStore, parse_dataset

    digest = hashlib.sha256()
    store = parse_dataset(dataset, lenient=True, digest=digest)
    facts = dataset_facts(dataset, sha256=digest.hexdigest())
    if not facts:
        del store
        return DatasetStore.load(dataset)
    return DatasetStore(store, source=str(dataset), sha256=digest.hexdigest(), **facts)


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read in chunks (a 1M-triple kg.nq is never held whole)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _current_record(settings: dict) -> dict:
    """build-info.json of the dataset, where both exist and the inputs are those it records
    (not changed since that build); else {}."""
    out = dataset_path(settings)
    info_path = out.parent / INFO_NAME
    if out.exists() and info_path.exists():
        try:
            info = json.loads(info_path.read_text())
        except ValueError:
            info = {}
        if info.get("input_digest") == input_digest(Path(settings["root"])):
            return info
    return {}


def ensure_built(settings: dict, *, log: Callable[[str], None] = lambda _: None) -> Path:
    """Return the dataset path, building first when it is missing or its inputs changed."""
    out = dataset_path(settings)
    info = _current_record(settings)
    if info and info.get("dataset_sha256") == file_sha256(out):
        return out
    return build(settings, log=log).dataset


def read_built(settings: dict, read: Callable[[Path, hashlib._Hash], _T], *,
               log: Callable[[str], None] = lambda _: None) -> tuple[_T, Path, str]:
    """``read(ensure_built(settings), digest)``, reading the dataset once, not twice (once to
    check its digest, once to read it): ``read`` parses the file at the path and updates
    ``digest`` with the bytes it reads (:func:`kg.store.parse_dataset` does), and where their
    digest is the one build-info.json records, that is ensure_built's check passed. Where it
    is not (a kg.nq changed since its build, or that does not parse: ``read`` raised a
    :class:`~kg.errors.KGError`), what was read is dropped and the dataset built, as
    ensure_built would have built it, and read. Returns what ``read`` returned, the dataset's
    path and the SHA-256 of the bytes read; ``log`` hears the build's lines."""
    out = dataset_path(settings)
    info = _current_record(settings)
    if info:
        digest = hashlib.sha256()
        try:
            value = read(out, digest)
        except KGError:
            if info.get("dataset_sha256") == file_sha256(out):
                raise  # the build's own bytes: as reading them after ensure_built would
        else:
            sha256 = digest.hexdigest()
            if info.get("dataset_sha256") == sha256:
                return value, out, sha256
            del value
    path = build(settings, log=log).dataset
    digest = hashlib.sha256()
    value = read(path, digest)
    return value, path, digest.hexdigest()


def built_store(settings: dict, *, log: Callable[[str], None] = lambda _: None):
    """``load_built(ensure_built(settings))``, reading the dataset once (:func:`read_built`):
    parsed leniently, with what build-info.json records of the bytes parsed, else as
    load_built loads a dataset whose record is another build's by now. ``log`` hears
    "loading PATH" before each load, after the build's own lines."""
    from kg.store import DatasetStore, parse_dataset

    def parse(path: Path, digest) -> ox.Store:
        log(f"loading {path}")
        return parse_dataset(path, lenient=True, digest=digest)

    store, path, sha256 = read_built(settings, parse, log=log)
    facts = dataset_facts(path, sha256=sha256)
    if not facts:
        del store  # another build's record by now: as load_built does
        return DatasetStore.load(path)
    return DatasetStore(store, source=str(path), sha256=sha256, **facts)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: What a new file gets (mkstemp's are private): rw for the owner, r for the others the
#: umask lets read, like any file this process writes.
_FILE_MODE = 0o666 & ~_umask()


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a temporary file in ``path``'s folder, fsync it and rename it over
    ``path``: readers see the old file or the new one, never a part."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:  # a folder that cannot be made or written in: the user's to fix
        raise InputError(f"cannot write here: {exc.strerror or exc}", path=str(path)) from None
    os.close(fd)
    try:
        os.chmod(tmp, _FILE_MODE)
        write(Path(tmp))
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (bytes, or chunks of bytes) to ``path`` as :func:`replace_atomically`
    does: readers see the old file or the new one, never a part."""
    def write(tmp: Path) -> None:
        with tmp.open("wb") as f:
            for chunk in [data] if isinstance(data, bytes) else data:
                f.write(chunk)

    replace_atomically(path, write)
