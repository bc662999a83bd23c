"""The texts the graph cites, checked against the graph: ``kg sources check`` and
``kg sources passages``.

A source text is cut into passages as ``../shared/sources/README.md`` says: blocks separated by
blank lines, numbered from 1 in file order (photo captions and the translator's credit are
passages too). ``graph/sources.ttl`` describes each article (``kgo:Article``, or any source
with passages) and its passages (``kgo:passageNumber``, ``kgo:textDigest`` = SHA-256 of the
trimmed passage, ``kgo:carriesFacts``), and every fact cites passages with
``prov:wasDerivedFrom`` — so the graph never quotes the text, yet can be checked against it.

``check`` finds the text of each source as ``SOURCES_DIR/NAME.txt`` (``NAME`` = the local name
of ``…/source/NAME``) and reports, each at ``FILE:LINE`` of the statement concerned:

* errors: a passage count or numbering that differs from the text; a digest that is not the
  passage's (the text changed, or the numbering slipped: every citation after it may be
  wrong); a photo caption said to carry facts; a citation of a passage that carries no facts,
  or of a passage the graph does not declare;
* warnings: a source with no text in the folder; a passage said to carry facts that nothing
  cites.

``passages FILE`` prints the Turtle of a new text's article and passages, numbered and digested,
for a curator to complete (descriptions, the series, the translator) and add to
``graph/sources.ttl`` before citing them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.errors import InputError
from kg.iris import BASE, KGO, ONTOLOGY_GRAPH

__all__ = ["Finding", "SourcesReport", "passages", "digest", "check_sources",
           "passages_turtle", "default_sources_dir"]

SOURCE = BASE + "source/"
#: What a photo caption passage says (README: "the lines 'File photo' are passages too").
CAPTION = "File photo"


def passages(text: str) -> list[str]:
    """The passages of a text: blocks separated by blank lines, trimmed, in order."""
    return [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]


def digest(passage: str) -> str:
    return hashlib.sha256(passage.encode("utf-8")).hexdigest()


def default_sources_dir(root: Path) -> Path:
    """``../shared/sources`` beside the project, where the texts live (not in the project)."""
    return root.parent / "shared" / "sources"


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "warning"
    where: str  # FILE:LINE of the statement concerned, or the IRI
    message: str

    def line(self) -> str:
        return f"{self.where}: {self.level}: {self.message}"


@dataclass
class SourcesReport:
    findings: list[Finding]
    checked: list[str]  # the sources compared with their text

    @property
    def exit_code(self) -> int:
        return 1 if any(f.level == "error" for f in self.findings) else 0

    def as_text(self) -> str:
        errors = sum(f.level == "error" for f in self.findings)
        warnings = len(self.findings) - errors
        lines = [f.line() for f in self.findings]
        lines.append(f"{len(self.checked)} source(s) compared with their text "
                     f"({', '.join(self.checked) or 'none'}): {errors} error(s), "
                     f"{warnings} warning(s)")
        return "\n".join(lines) + "\n"


def check_sources(root: Path, sources_dir: Path) -> SourcesReport:
    """Compare the passages of ``graph/*.ttl`` with the texts in ``sources_dir``."""
    from kg.load import load_sources, source_files
    from kg.validate import subject_lines, texts_of

    loaded = load_sources(root)
    data = Graph()
    for name, graph in loaded.graphs.items():
        if name != ONTOLOGY_GRAPH:
            data += graph
    files = [p for name, paths in source_files(root) if name != ONTOLOGY_GRAPH for p in paths]
    where = subject_lines(texts_of(files))
    rel = {str(p): str(p.relative_to(root)) for p in files}

    def at(iri: URIRef) -> str:
        found = where.get(str(iri))
        if found is None:
            return str(iri)
        path, _, line = found.rpartition(":")
        return f"{rel.get(path, path)}:{line}"

    findings: list[Finding] = []
    declared: dict[URIRef, URIRef] = {}  # passage -> its source
    by_source: dict[URIRef, dict[int, URIRef]] = {}
    for passage in set(data.subjects(RDF.type, KGO.Passage)):
        source = data.value(passage, DCTERMS.isPartOf)
        number = data.value(passage, KGO.passageNumber)
        if not isinstance(source, URIRef) or not isinstance(number, Literal):
            findings.append(Finding("error", at(passage), "a passage needs dcterms:isPartOf "
                                                          "its source and a kgo:passageNumber"))
            continue
        declared[passage] = source
        by_source.setdefault(source, {})[int(number.toPython())] = passage

    cited: set[URIRef] = set()
    for fact, passage in data.subject_objects(PROV.wasDerivedFrom):
        if not str(passage).startswith(SOURCE) or (passage, RDF.type, KGO.Passage) not in data:
            if str(passage).startswith(SOURCE) and passage not in by_source:
                why = ("which is not a passage: cite the passages" if (passage, RDF.type, None)
                       in data else "which the graph does not declare")
                findings.append(Finding("error", at(fact), f"cites <{passage}>, {why}"))
            continue
        cited.add(passage)
        if data.value(passage, KGO.carriesFacts) == Literal(False) and \
                (fact, RDF.type, KGO.Article) not in data:
            findings.append(Finding(
                "error", at(fact), f"cites passage {data.value(passage, KGO.passageNumber)} "
                                   f"of <{declared[passage]}>, which carries no facts"))

    checked = []
    for source, numbered in sorted(by_source.items()):
        name = str(source)[len(SOURCE):] if str(source).startswith(SOURCE) else ""
        path = sources_dir / f"{name}.txt"
        if not name or not path.is_file():
            findings.append(Finding("warning", at(source),
                                    f"no text to compare: {path} is absent"))
            continue
        checked.append(path.name)
        texts = passages(path.read_text(encoding="utf-8"))
        if sorted(numbered) != list(range(1, len(texts) + 1)):
            findings.append(Finding(
                "error", at(source), f"{path.name} has {len(texts)} passages; the graph "
                                     f"numbers {_ranges(sorted(numbered))}"))
        for number, passage in sorted(numbered.items()):
            if not 1 <= number <= len(texts):
                continue
            text = texts[number - 1]
            said = data.value(passage, KGO.textDigest)
            if said is None or str(said) != digest(text):
                findings.append(Finding(
                    "error", at(passage), f"kgo:textDigest is not the SHA-256 of passage "
                                          f"{number} of {path.name} ({_excerpt(text)}): the "
                                          "text or the numbering changed"))
            carries = data.value(passage, KGO.carriesFacts)
            if text == CAPTION and carries != Literal(False):
                findings.append(Finding("error", at(passage), f"passage {number} is a photo "
                                        "caption: kgo:carriesFacts false"))
            if carries == Literal(True) and passage not in cited:
                findings.append(Finding("warning", at(passage), f"passage {number} carries "
                                        "facts, but nothing cites it"))
    findings.sort(key=lambda f: (f.level != "error", _sort_key(f.where)))
    return SourcesReport(findings, checked)


def passages_turtle(path: Path, name: str | None = None, *, part: int | None = None) -> str:
    """Turtle describing the text at ``path`` as ``…/source/NAME`` (default: the file's stem)
    and its passages, numbered and digested, for a curator to complete."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the text: {exc}", path=str(path)) from None
    name = name or path.stem
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise InputError(f"{name!r} cannot name a source: lower-case letters, digits and "
                         "hyphens (it becomes …/source/NAME)", path=str(path))
    blocks = passages(text)
    if not blocks:
        raise InputError("the text has no passages", path=str(path))
    title = f"Article, part {part}" if part else name
    short = f"Article part {part}" if part else name
    ids = [f"src:{name}-passage-{n}" for n in range(1, len(blocks) + 1)]
    out = [
        f"# {path.name}: {len(blocks)} passages (blocks separated by blank lines). Written by",
        "# `kg sources passages`: complete the descriptions, the series and the translator,",
        "# set kgo:carriesFacts false where a passage states no fact (a credit, 'to be",
        "# continued'), then add these statements to graph/sources.ttl and cite the passages.",
        "@prefix kgo:     <https://w3id.org/kg1978/ontology/> .",
        "@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix schema:  <http://schema.org/> .",
        f"@prefix src:     <{SOURCE}> .",
        "",
        f"src:{name} a kgo:Article ;",
        f'    rdfs:label "{title}"@en ;',
        *([f"    schema:position {part} ;"] if part else []),
        '    schema:inLanguage "en" ;',
        f"    dcterms:hasPart {', '.join(ids)} .",
    ]
    for number, block in enumerate(blocks, start=1):
        caption = block == CAPTION
        out += [
            "",
            f"src:{name}-passage-{number} a kgo:Passage ;",
            f'    rdfs:label "{short}, passage {number}"@en ;',
            *(['    schema:description "Caption of a photograph."@en ;'] if caption else
              [f'    # schema:description "…"@en ;  in your own words ({len(block.split())} '
               "words in the text)"]),
            f"    dcterms:isPartOf src:{name} ;",
            f"    kgo:passageNumber {number} ;",
            f'    kgo:textDigest "{digest(block)}" ;',
            f"    kgo:carriesFacts {'false' if caption else 'true'} .",
        ]
    return "\n".join(out) + "\n"


def _excerpt(text: str, words: int = 6) -> str:
    """The first words of a passage, to say in a report which one is meant (never written
    into the graph)."""
    cut = text.split()
    return " ".join(cut[:words]) + (" …" if len(cut) > words else "")


def _ranges(numbers: list[int]) -> str:
    if not numbers:
        return "none"
    out, start, prev = [], numbers[0], numbers[0]
    for n in numbers[1:] + [None]:  # type: ignore[list-item]
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


def _sort_key(where: str) -> tuple:
    path, _, line = where.rpartition(":")
    return (path, int(line)) if line.isdigit() else (where, 0)
