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
  of a passage the graph does not declare, or of a whole source instead of its passages; a
  passage declared twice, or two articles at one position of a series; a literal that shares
  a run of six words with the text (names of units, actors and places masked): the graph
  says things in its own words;
* warnings: a source with no text in the folder; a passage said to carry facts that nothing
  cites.

The checks the QC queries also make (kg.qc: a citation of an undeclared or fact-free passage, a
passage that nothing cites) take their level from the queries' severity, so ``kg sources
check`` and ``kg validate`` agree.

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
from rdflib.namespace import DCTERMS, PROV, RDFS, SKOS

from kg.errors import InputError
from kg.iris import BASE, KGO, ONTOLOGY_GRAPH, SCHEMA
from kg.load import read_utf8

__all__ = ["Finding", "SourcesReport", "passages", "digest", "check_sources",
           "copied_wording", "passages_turtle", "default_sources_dir"]

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


def check_sources(root: Path, *sources_dirs: Path) -> SourcesReport:
    """Compare the passages of ``graph/*.ttl`` with the texts in ``sources_dirs`` (a source's
    text is the first ``NAME.txt`` found, in the order given)."""
    from kg.load import data_files, load_sources, shown_path
    from kg.qc import level
    from kg.validate import statement_lines, texts_of

    loaded = load_sources(root)
    data = Graph()
    for name, graph in loaded.graphs.items():
        if name != ONTOLOGY_GRAPH:
            data += graph
    files = data_files(root)
    lines = statement_lines(texts_of(files))
    # as kg validate and kg build name them: a path the shell that ran the command can open
    rel = {str(p): shown_path(p) for p in files}

    def at(iri: URIRef, cites: URIRef | None = None) -> str:
        """Where ``iri`` is first described; with ``cites``, the line of its citation of that
        passage (the line ``kg validate`` gives the same finding)."""
        found = (lines.triples.get((str(iri), str(PROV.wasDerivedFrom), str(cites)))
                 if cites is not None else None) or lines.subjects.get(str(iri))
        if found is None:
            return str(iri)
        path, _, line = found.rpartition(":")
        return f"{rel.get(path, path)}:{line}"

    findings: list[Finding] = []
    declared: dict[URIRef, URIRef] = {}  # passage -> its source
    by_source: dict[URIRef, dict[int, URIRef]] = {}
    for passage in sorted(set(data.subjects(RDF.type, KGO.Passage))):
        sources = list(data.objects(passage, DCTERMS.isPartOf))
        numbers = list(data.objects(passage, KGO.passageNumber))
        if len(sources) != 1 or len(numbers) != 1 or not isinstance(sources[0], URIRef) \
                or not isinstance(numbers[0], Literal) or not isinstance(numbers[0].toPython(),
                                                                          int):
            findings.append(Finding("error", at(passage), "a passage needs one dcterms:isPartOf "
                                    "(its source) and one kgo:passageNumber (an integer)"))
            continue
        source, number = sources[0], int(numbers[0].toPython())
        twin = by_source.get(source, {}).get(number)
        if twin is not None:
            findings.append(Finding("error", at(passage), f"passage {number} of "
                                    f"{_name(source)} is declared twice: <{twin}> and "
                                    f"<{passage}>"))
            continue
        declared[passage] = source
        by_source.setdefault(source, {})[number] = passage
        # what `kg sources passages` leaves for the curator to complete
        if data.value(passage, KGO.carriesFacts) is None:
            findings.append(Finding("warning", at(passage), f"passage {number} of "
                                    f"{_name(source)} does not say whether it carries facts: "
                                    "kgo:carriesFacts true, or false for a caption or a "
                                    "judgement of the text's own"))
        if data.value(passage, SCHEMA.description) is None:
            findings.append(Finding("warning", at(passage), f"passage {number} of "
                                    f"{_name(source)} has no schema:description: say what "
                                    "it tells, in your own words"))

    # Two articles of a series at one position (`kg sources passages --part` given twice).
    positions: dict[tuple, URIRef] = {}
    for article in sorted(by_source):
        for series in data.objects(article, SCHEMA.isPartOf):
            for position in data.objects(article, SCHEMA.position):
                other = positions.setdefault((series, str(position)), article)
                if other != article:
                    findings.append(Finding("error", at(article), f"{_name(article)} and "
                                            f"{_name(other)} are both part {position} of "
                                            f"{_name(series)}"))

    # The part-whole links both ways, as the scaffold writes them: a reader going down from the
    # series (schema:hasPart) or the article (dcterms:hasPart) finds what a reader going up
    # from the part finds.
    for prefix, up, down, parts in (("schema", SCHEMA.isPartOf, SCHEMA.hasPart, set(by_source)),
                                    ("dcterms", DCTERMS.isPartOf, DCTERMS.hasPart,
                                     set(declared))):
        pairs = {(part, whole) for part in parts for whole in data.objects(part, up)} | \
            {(part, whole) for whole, part in data.subject_objects(down) if part in parts}
        for part, whole in sorted(pairs):
            if (part, up, whole) not in data:
                findings.append(Finding(
                    "warning", at(whole), f"{_name(whole)} {prefix}:hasPart {_name(part)}, but "
                    f"{_name(part)} does not say {prefix}:isPartOf {_name(whole)}: write both"))
            elif (whole, down, part) not in data:
                findings.append(Finding(
                    "warning", at(part), f"{_name(part)} {prefix}:isPartOf {_name(whole)}, but "
                    f"{_name(whole)} does not say {prefix}:hasPart {_name(part)}: write both"))

    cited: set[URIRef] = set()
    for fact, passage in sorted(data.subject_objects(PROV.wasDerivedFrom)):
        if not str(passage).startswith(SOURCE):
            continue
        if (passage, RDF.type, KGO.Passage) not in data:
            why = ("which is not a passage: cite the passages" if (passage, RDF.type, None)
                   in data else "which the graph does not declare")
            findings.append(Finding(level("missing-passage-violation"), at(fact, passage),
                                    f"cites <{passage}>, {why}"))
            continue
        if passage not in declared:
            continue  # its declaration is at fault, and said so above
        cited.add(passage)
        if data.value(passage, KGO.carriesFacts) == Literal(False) and \
                (fact, RDF.type, KGO.Article) not in data:
            findings.append(Finding(
                level("cited-factless-passage-violation"), at(fact, passage),
                f"cites passage {data.value(passage, KGO.passageNumber)} "
                                   f"of <{declared[passage]}>, which carries no facts"))

    # A part's own file citing only another part's passages: most likely a prefix copied from
    # that part's file (p2: bound to part 1's passages). The file's graph is named after it.
    for name, graph in loaded.graphs.items():
        own = URIRef(SOURCE + str(name).rsplit("/", 1)[-1])
        if name == ONTOLOGY_GRAPH or own not in by_source:
            continue
        for fact in sorted(set(graph.subjects(PROV.wasDerivedFrom))):
            sources = {declared[p] for p in graph.objects(fact, PROV.wasDerivedFrom)
                       if p in declared}
            if sources and own not in sources:
                findings.append(Finding(
                    "warning", at(fact), f"in the file of {_name(own)}, cites passages of "
                    f"{', '.join(_name(x) for x in sorted(sources))} only: is the passages' "
                    "prefix bound to the right part?"))

    checked = []
    for source, numbered in sorted(by_source.items()):
        name = str(source)[len(SOURCE):] if str(source).startswith(SOURCE) else ""
        tried = [folder / f"{name}.txt" for folder in sources_dirs]
        path = next((t for t in tried if name and t.is_file()), None)
        if path is None:
            absent = (f"{tried[0]} is absent" if len(tried) == 1 else
                      f"{name}.txt is in none of {', '.join(str(f) for f in sources_dirs)}")
            findings.append(Finding("warning", at(source), f"no text to compare: {absent}"))
            continue
        checked.append(path.name)
        whole = read_utf8(path, "the text")
        texts = passages(whole)
        for fact, words in copied_wording(data, whole):
            findings.append(Finding("error", at(fact), f"shares the words \u201c{words}\u201d "
                                    f"with {path.name}: facts carry into the graph, the "
                                    "article's sentences do not (say it in your own words)"))
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
                findings.append(Finding(level("uncited-passage-violation"), at(passage),
                                        f"passage {number} of {_name(source)} carries facts, "
                                        "but nothing cites it"))
    findings.sort(key=lambda f: (f.level != "error", _sort_key(f.where)))
    return SourcesReport(findings, checked)


#: How many words in a row a literal of the graph may share with a source text.
COPIED_RUN = 6
#: Labels of these kinds of things are proper names, which the graph shares with the text.
_NAMED = ("/unit/", "/actor/", "/place/")


def _words(text: str) -> list[str]:
    """The words of ``text``, lower case; a hyphen or an apostrophe within a word joins it
    (``north-western`` is the article's ``Northwestern``, ``Th'nu`` its ``Th’nu``)."""
    return re.findall(r"[a-z0-9]+", _JOINERS.sub("", text.lower()))


_JOINERS = re.compile(r"(?<=[a-z0-9])['\u2019\u2010\u2011-](?=[a-z0-9])")


def copied_wording(data: Graph, text: str) -> list[tuple[URIRef, str]]:
    """(subject, the shared words) for every language-tagged literal of ``data`` that shares a
    run of ``COPIED_RUN`` words with ``text``, once the names of units, actors and places (the
    labels of those, which are proper names) are masked in both."""
    def is_name(s, p) -> bool:
        return p in (RDFS.label, SKOS.altLabel) and any(k in str(s) for k in _NAMED)

    names = sorted({" ".join(_words(str(o))) for s, p, o in data if is_name(s, p)},
                   key=len, reverse=True)
    names = [n for n in names if len(n.split()) > 1]

    def masked(value: str) -> list[str]:
        joined = " " + " ".join(_words(value)) + " "
        for name in names:
            joined = joined.replace(f" {name} ", " NAME ")
        return joined.split()

    words = masked(text)
    n = COPIED_RUN
    grams = {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}
    found = []
    for s, p, o in sorted(data):
        if is_name(s, p) or not isinstance(o, Literal) or not o.language:
            continue
        w = masked(str(o))
        runs = [i for i in range(len(w) - n + 1) if tuple(w[i:i + n]) in grams]
        if runs:
            found.append((s, " ".join(w[runs[0]:runs[0] + n])))
    return found


def _name(iri) -> str:
    """A source or series as the reports name it: its local name under …/source/."""
    text = str(iri)
    return text[len(SOURCE):] if text.startswith(SOURCE) else f"<{text}>"


def passages_turtle(path: Path, name: str | None = None, *, part: int | None = None) -> str:
    """Turtle describing the text at ``path`` as ``…/source/NAME`` (default: the file's stem)
    and its passages, numbered and digested, for a curator to complete."""
    text = read_utf8(path, "the text")
    name = name or path.stem
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise InputError(f"{name!r} cannot name a source: lower-case letters, digits and "
                         "hyphens (it becomes …/source/NAME)", path=str(path))
    if part is not None and part < 1:
        raise InputError(f"--part {part}: a part of a series is numbered from 1", path=str(path))
    blocks = passages(text)
    if not blocks:
        raise InputError("the text has no passages", path=str(path))
    title = f"Article, part {part}" if part else name
    short = f"Article part {part}" if part else name
    ids = [f"src:{name}-passage-{n}" for n in range(1, len(blocks) + 1)]
    out = [
        f"# {path.name}: {len(blocks)} passages (blocks separated by blank lines). Written by",
        "# `kg sources passages`: complete the descriptions, the series and the translator,",
        "# set kgo:carriesFacts false where a passage states no fact (a photo caption, a",
        "# judgement of the article's own), then add these statements to graph/sources.ttl and",
        "# cite the passages ('to be continued' and the credit state facts about the article:",
        "# cite them from it, as part 1 does).",
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
