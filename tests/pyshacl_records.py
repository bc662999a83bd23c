"""pySHACL's report on each shape fixture, recorded: tests/data/shapes-pyshacl.json.

tests/test_shacl_fast.py::test_fixture_same_results compares kg.shacl_fast's report on each
fixture of tests/data/shapes with pySHACL's. pySHACL (rdflib evaluating about a thousand SPARQL
queries a fixture) took about 1 s a fixture, nine tenths of that test's time; its answer only
changes when something it depends on does. So each fixture's pySHACL report is recorded with a
key, the SHA-256 of everything that report depends on (:func:`key`, :func:`shared_key`): the fixture's bytes, every
file of ontology/ and shapes/, the kg modules the reference path imports (:data:`KG_MODULES`,
tested against what a fresh process imports) and the QC queries kg.qc reads, this file, the versions of the packages it
imports (:data:`PACKAGES`) and Python's. Where a fixture's key is its record's, the test
compares kg.shacl_fast with the record; where it is not, it runs pySHACL as before and the
run's summary says the records are stale, with the command that writes them again:

    .venv/bin/python tests/pyshacl_records.py [STEM ...]

Without stems, every fixture's record is written again; with stems, those.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "data" / "shapes"
RECORDS = REPO / "tests" / "data" / "shapes-pyshacl.json"
COMMAND = ".venv/bin/python tests/pyshacl_records.py"

#: The files of the kg modules (under src/kg) that parsing a fixture, closing it
#: (kg.validate.closure_view) and running pySHACL (kg.validate.validate, whose messages name
#: passages and entities with kg.qc's and kg.links' help, and read dates as
#: kg.reconciliation does) import; tests/test_shacl_fast.py checks them against what a fresh
#: process imports, and :func:`main` against what recording every fixture imported
KG_MODULES = ("__init__.py", "build.py", "dates.py", "errors.py", "iris.py", "links.py",
              "literals.py", "load.py", "materialise.py", "qc/__init__.py", "reason.py",
              "reconciliation.py", "store.py", "validate.py")
#: The packages the same path imports (top-level module names; checked the same way)
PACKAGES = ("html5rdf", "importlib_metadata", "lazy_importer", "owlrl", "packaging",
            "pyoxigraph", "pyparsing", "pyshacl", "rdflib")


def _blank(term: str | None) -> str | None:
    """A blank node (``_:label``, or a shape's bare label) has no scheme; an IRI has one, a
    literal's n3() a quote."""
    if term is None or "://" in term or term.startswith('"'):
        return term
    return "_:"


def comparable(report) -> list[tuple]:
    """A kg.validate.Report's results, sorted, blank nodes as blank (their labels differ
    between rdflib and the store), white space in messages as one space."""
    return sorted((_blank(r.focus), r.path or "", _blank(r.value) or "", r.severity,
                   " ".join(r.message.split()), r.shape, r.constraint) for r in report.results)


def versions() -> dict[str, str]:
    """Each of :data:`PACKAGES`' distributions with its version, and Python's."""
    found = importlib.metadata.packages_distributions()
    out = {f"python {sys.implementation.name}": ".".join(map(str, sys.version_info[:3]))}
    for module in PACKAGES:
        for dist in found.get(module, [module]):
            out[dist] = importlib.metadata.version(dist)
    return out


def shared_key(root: Path = REPO, versions_of: dict[str, str] | None = None) -> str:
    """The SHA-256 of what pySHACL's report on every fixture depends on, the files read under
    ``root`` (the repository): computed once for all the fixtures (a tenth of a second)."""
    files = [p for d in ("ontology", "shapes") for p in sorted((root / d).rglob("*"))
             if p.is_file()]
    files += [root / "src" / "kg" / m for m in KG_MODULES]
    # the queries kg.qc (one of KG_MODULES) reads: package data, not modules
    files += sorted((root / "src" / "kg" / "qc").glob("*.rq"))
    files.append(root / "tests" / "pyshacl_records.py")
    digest = hashlib.sha256()
    for path in files:
        name = path.relative_to(root).as_posix().encode()
        data = path.read_bytes()
        digest.update(b"%d:%s %d:" % (len(name), name, len(data)) + data)
    digest.update(json.dumps(versions() if versions_of is None else versions_of,
                             sort_keys=True).encode())
    return digest.hexdigest()


def key(fixture: Path, shared: str) -> str:
    """The SHA-256 of what pySHACL's report on ``fixture`` depends on: its bytes and
    ``shared`` (:func:`shared_key`)."""
    return hashlib.sha256(f"{shared} {fixture.name}\n".encode() + fixture.read_bytes()).hexdigest()


def load() -> dict:
    """The records, by fixture stem: ``{"key", "conforms", "results"}``, results as lists."""
    if not RECORDS.exists():
        return {}
    return json.loads(RECORDS.read_text(encoding="utf-8"))


def recorded(fixture: Path, records: dict, shared: str) -> tuple[bool, list[tuple]] | None:
    """pySHACL's (conforms, comparable results) on ``fixture`` as recorded, or None when
    there is no record or its key is not the fixture's now (``shared``: :func:`shared_key`)."""
    record = records.get(fixture.stem)
    if record is None or record["key"] != key(fixture, shared):
        return None
    return record["conforms"], [tuple(r) for r in record["results"]]


def reference(fixture: Path, ontology, shapes) -> tuple[bool, list[tuple]]:
    """pySHACL's (conforms, comparable results) on ``fixture`` with the ontology, closed as
    the build closes it: what the records hold."""
    from kg.load import parse_file
    from kg.validate import closure_view, validate

    report = validate(closure_view(parse_file(fixture) + ontology), shapes)
    return bool(report.conforms), comparable(report)


_INPUTS: tuple = ()


def _start() -> None:
    from kg.iris import ONTOLOGY_GRAPH
    from kg.load import load_shapes, load_sources

    global _INPUTS
    _INPUTS = load_sources(REPO).graphs[ONTOLOGY_GRAPH], load_shapes(REPO)


def _record(path: Path) -> tuple[bool, list[tuple], set[str]]:
    """pySHACL's report on ``path``, and the files of every kg module this process imported."""
    conforms, results = reference(path, *_INPUTS)
    src = REPO / "src" / "kg"
    imported = {Path(m.__file__).resolve().relative_to(src).as_posix()
                for name, m in list(sys.modules.items())
                if name.split(".")[0] == "kg" and getattr(m, "__file__", None)}
    return conforms, results, imported


def main(argv: list[str]) -> int:
    from concurrent.futures import ProcessPoolExecutor

    paths = sorted(FIXTURES.glob("*.ttl"))
    if argv:
        unknown = set(argv) - {p.stem for p in paths}
        if unknown:
            print(f"no such fixture: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        paths = [p for p in paths if p.stem in argv]
        records = load()
    else:
        records = {}
    shared = shared_key()
    imported: set[str] = set()
    # one process a core, at most four: about 1 s a fixture each
    with ProcessPoolExecutor(max_workers=min(4, len(paths), os.cpu_count() or 1),
                             initializer=_start) as pool:
        for path, (conforms, results, modules) in zip(paths, pool.map(_record, paths),
                                                          strict=True):
            records[path.stem] = {"key": key(path, shared), "conforms": conforms,
                                  "results": [list(r) for r in results]}
            imported |= modules
            print(f"{path.stem}: {len(results)} results", file=sys.stderr)
    if not imported <= set(KG_MODULES):
        print(f"not recorded: the key does not read {', '.join(sorted(imported - set(KG_MODULES)))}"
              ", which pySHACL's path imported: add it to KG_MODULES", file=sys.stderr)
        return 1
    RECORDS.write_text(json.dumps(dict(sorted(records.items())), indent=1, ensure_ascii=False)
                       + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    raise SystemExit(main(sys.argv[1:]))
