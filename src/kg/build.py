"""The build: load -> reason -> validate -> write the dataset, atomically.

The dataset is written as sorted N-Quads to ``<build_dir>/kg.nq`` with every triple in a named
graph: the ontology, one graph per ``graph/*.ttl`` file, and the inferred graph. Beside it,
``build-info.json`` records the package version, a digest of every input file and the counts.
On any failure nothing is written and the last good dataset stays in place.

Two paths, one writer. With the default ``reasoner=fast`` everything happens in one pyoxigraph
store, which is what makes millions of triples buildable in minutes: pyoxigraph parses
(:func:`kg.load.load_store`), :func:`kg.materialise.materialise_store` reasons into the inferred
graph, and :func:`kg.shacl_fast.validate_store` runs the shapes as SPARQL over
:func:`kg.shacl_fast.view_store` (pySHACL takes over, with a log line, for shapes it does not
compile; ``validator=pyshacl`` asks for pySHACL always). With ``reasoner=owlrl``, the reference,
rdflib parses and owlrl reasons as before, and the graphs are then put in a store. Both end in
:func:`serialize_store`, so the two paths give the same bytes for the same triples
(tests/test_build.py compares them).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

from kg import __version__
from kg.errors import ConfigError, ValidationFailed
from kg.iris import INFERRED_GRAPH
from kg.load import input_files, load_shapes, load_sources, load_store, ox_term, rdflib_term
from kg.reason import REASONERS, infer
from kg.validate import Report, validate

DATASET_NAME = "kg.nq"
INFO_NAME = "build-info.json"
#: The SHACL engines of the build: kg.shacl_fast (pySHACL for what it does not compile), pySHACL.
VALIDATORS = ("fast", "pyshacl")
#: Keys :func:`build` fills in ``timings``, one per stage, in seconds.
STAGES = ("parse_s", "reason_s", "validate_s", "write_s")


@dataclass
class BuildResult:
    dataset: Path
    info: dict
    report: Report


def dataset_path(settings: dict) -> Path:
    return Path(settings["build_dir"]) / DATASET_NAME


def input_digest(root: Path) -> str:
    """SHA-256 over the package version and every input file's name and bytes."""
    h = hashlib.sha256(f"kg {__version__}\n".encode())
    for path in input_files(root):
        h.update(f"{path.relative_to(root).as_posix()}\n".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def build(settings: dict, *, log: Callable[[str], None] = lambda _: None,
          timings: dict | None = None) -> BuildResult:
    """Run the whole pipeline and write the dataset. Raises KGError subclasses on failure.
    ``timings``, if given, receives the seconds of each stage (:data:`STAGES`)."""
    root = Path(settings["root"])
    reasoner = settings.get("reasoner", "fast")
    validator = settings.get("validator", "fast")
    if reasoner not in REASONERS:
        raise ConfigError(f"reasoner must be one of {', '.join(REASONERS)}: {reasoner!r}")
    if validator not in VALIDATORS:
        raise ConfigError(f"validator must be one of {', '.join(VALIDATORS)}: {validator!r}")
    timings = {} if timings is None else timings
    stage = _Stages(timings, log)
    digest = input_digest(root)
    inferred_graph = ox.NamedNode(str(INFERRED_GRAPH))
    if reasoner == "fast":
        with stage("parse_s", f"parsing {root}/ontology, {root}/graph (pyoxigraph)"):
            shapes = load_shapes(root)
            store = load_store(root)
        with stage("reason_s", f"reasoning (OWL 2 RL, fast) over {len(store)} asserted triples"):
            from kg.materialise import materialise_store

            materialise_store(store, inferred_graph)
    else:
        with stage("parse_s", f"parsing {root}/ontology, {root}/graph (rdflib)"):
            shapes = load_shapes(root)
            sources = load_sources(root)
        with stage("reason_s", f"reasoning (OWL 2 RL, {reasoner}) over {len(sources)} "
                               "asserted triples"):
            graphs = dict(sources.graphs)
            graphs[INFERRED_GRAPH] = infer(sources.union(), reasoner=reasoner)
            store = store_of(graphs)
            del sources, graphs
    with stage("validate_s", f"validating {len(store)} triples against the shapes "
                             f"({validator})"):
        report = _validate(store, inferred_graph, shapes, validator, log)
    if not report.conforms:
        raise ValidationFailed("the graph does not conform to the shapes; nothing was written\n\n"
                               + report.as_text())
    out = dataset_path(settings)
    with stage("write_s", f"writing {out}"):
        counts, sha256 = write_dataset(store, out)
    info = {
        "version": __version__,
        "input_digest": digest,
        "dataset": DATASET_NAME,
        "dataset_sha256": sha256,
        "graphs": counts,
        "triples": sum(counts.values()),
    }
    write_atomically(out.parent / INFO_NAME, (json.dumps(info, indent=2) + "\n").encode())
    log(f"wrote {out} ({info['triples']} triples in {len(counts)} named graphs)")
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


def _validate(store: ox.Store, inferred: ox.NamedNode, shapes: Graph, validator: str,
              log: Callable[[str], None]) -> Report:
    """The shapes over what they should see of ``store`` (kg.validate.validation_view)."""
    from kg.shacl_fast import UnsupportedShapes, validate_store, view_store

    view = view_store(store, inferred)
    if validator == "fast":
        try:
            return validate_store(view, shapes)
        except UnsupportedShapes as exc:
            log(f"  kg.shacl_fast does not compile these shapes ({exc}); using pySHACL")
    return validate(graph_of(view), shapes)


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


def serialize_store(store: ox.Store) -> tuple[list[str], dict[str, int]]:
    """The sorted N-Quads lines of every named graph of ``store`` (the default graph must be
    empty), and the number of triples per graph. Blank nodes are labelled canonically per
    graph (rdflib's canonical labelling), prefixed by a digest of the graph name: the same
    triples always give the same lines, and graphs never share a blank node label."""
    lines: list[str] = []
    counts: dict[str, int] = {}
    for name in sorted(store.named_graphs(), key=lambda g: str(g)):
        has_blank = store.query(
            f"ASK {{ GRAPH {name} {{ ?s ?p ?o FILTER (isBlank(?s) || isBlank(?o)) }} }}")
        if has_blank:
            text = _canonical_ntriples(store, name)
        else:
            text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name).decode()
        suffix = f" {name} .\n"
        before = len(lines)
        # every N-Triples line oxigraph writes ends with " ." and no graph name holds a space
        lines.extend(line[:-2] + suffix for line in text.splitlines() if line)
        counts[name.value] = len(lines) - before
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None):
        raise ValueError("the build puts every triple in a named graph")
    lines.sort()
    return lines, dict(sorted(counts.items()))


def _canonical_ntriples(store: ox.Store, name: ox.NamedNode) -> str:

    tag = hashlib.sha1(name.value.encode()).hexdigest()[:8]

    def relabel(term):
        return ox.BlankNode(f"g{tag}{term}") if isinstance(term, BNode) else ox_term(term)

    canonical = to_canonical_graph(graph_of(store, name))
    triples = [ox.Triple(relabel(s), relabel(p), relabel(o)) for s, p, o in canonical]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()


def write_dataset(store: ox.Store, path: Path) -> tuple[dict[str, int], str]:
    """Write ``store`` to ``path`` as :func:`serialize_store` makes it, atomically; return the
    triples per graph and the file's SHA-256."""
    lines, counts = serialize_store(store)
    digest = hashlib.sha256()

    def chunks() -> Iterator[bytes]:
        for at in range(0, len(lines), 50_000):
            data = "".join(lines[at:at + 50_000]).encode()
            digest.update(data)
            yield data

    write_atomically(path, chunks())
    return counts, digest.hexdigest()


def ensure_built(settings: dict, *, log: Callable[[str], None] = lambda _: None) -> Path:
    """Return the dataset path, building first when it is missing or its inputs changed."""
    out = dataset_path(settings)
    info_path = out.parent / INFO_NAME
    if out.exists() and info_path.exists():
        try:
            info = json.loads(info_path.read_text())
        except ValueError:
            info = {}
        if (info.get("input_digest") == input_digest(Path(settings["root"]))
                and info.get("dataset_sha256") == hashlib.sha256(out.read_bytes()).hexdigest()):
            return out
    return build(settings, log=log).dataset


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (bytes, or chunks of bytes) to ``path`` through a temporary file in the
    same folder, fsynced and then renamed over it: readers see the old file or the new one,
    never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in [data] if isinstance(data, bytes) else data:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
