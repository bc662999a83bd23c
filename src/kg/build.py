"""The build: load -> reason -> validate -> write the dataset, atomically.

The dataset is written as sorted N-Quads to ``<build_dir>/kg.nq`` with every triple in a named
graph: the ontology, one graph per ``graph/*.ttl`` file, and the inferred graph. Beside it,
``build-info.json`` records the package version, a digest of every input file and the counts.
On any failure nothing is written and the last good dataset stays in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

from kg import __version__
from kg.errors import ConfigError, ValidationFailed
from kg.iris import INFERRED_GRAPH
from kg.load import input_files, load_shapes, load_sources
from kg.reason import REASONERS, infer
from kg.validate import Report, validate, validation_view

DATASET_NAME = "kg.nq"
INFO_NAME = "build-info.json"


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


def build(settings: dict, *, log: Callable[[str], None] = lambda _: None) -> BuildResult:
    """Run the whole pipeline and write the dataset. Raises KGError subclasses on failure."""
    root = Path(settings["root"])
    digest = input_digest(root)
    log(f"loading {root}/ontology, {root}/graph")
    sources = load_sources(root)
    shapes = load_shapes(root)
    asserted = sources.union()
    reasoner = settings.get("reasoner", "fast")
    if reasoner not in REASONERS:
        raise ConfigError(f"reasoner must be one of {', '.join(REASONERS)}: {reasoner!r}")
    log(f"reasoning (OWL 2 RL, {reasoner}) over {len(asserted)} asserted triples")
    inferred = infer(asserted, reasoner=reasoner)
    log(f"validating {len(asserted) + len(inferred)} triples against the shapes")
    report = validate(validation_view(asserted, inferred), shapes)
    if not report.conforms:
        raise ValidationFailed("the graph does not conform to the shapes; nothing was written\n\n"
                               + report.as_text())
    graphs = dict(sources.graphs)
    graphs[INFERRED_GRAPH] = inferred
    out = dataset_path(settings)
    write_dataset(graphs, out)
    info = {
        "version": __version__,
        "input_digest": digest,
        "dataset": DATASET_NAME,
        "dataset_sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
        "graphs": {str(name): len(g) for name, g in sorted(graphs.items())},
        "triples": sum(len(g) for g in graphs.values()),
    }
    write_atomically(out.parent / INFO_NAME, (json.dumps(info, indent=2) + "\n").encode())
    log(f"wrote {out} ({info['triples']} triples in {len(graphs)} named graphs)")
    return BuildResult(dataset=out, info=info, report=report)


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


def serialize_nquads(graphs: dict[URIRef, Graph]) -> bytes:
    """Sorted N-Quads with blank nodes labelled canonically per graph: the same input always
    gives the same bytes."""
    lines: list[str] = []
    for name, graph in graphs.items():
        canonical = to_canonical_graph(graph) if any(
            isinstance(t, BNode) for triple in graph for t in triple) else graph
        suffix = f" <{name}> .\n"
        tag = hashlib.sha1(str(name).encode()).hexdigest()[:8]
        for line in canonical.serialize(format="nt", encoding="utf-8").decode().splitlines():
            if not line.strip():
                continue
            # blank node labels are document-wide in N-Quads: keep each graph's apart
            line = line.replace("_:", f"_:g{tag}")
            lines.append(line.rstrip()[:-1].rstrip() + suffix)
    return "".join(sorted(set(lines))).encode()


def write_dataset(graphs: dict[URIRef, Graph], path: Path) -> None:
    write_atomically(path, serialize_nquads(graphs))


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, fsynced and then
    renamed over it: readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
