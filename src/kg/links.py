"""``kg links``: authority links out to a spreadsheet and back, safely.

Our entities are linked to external authorities (Wikidata, GeoNames, VIAF, the Library of
Congress Name Authority File) with ``skos:exactMatch`` / ``skos:closeMatch``, never
``owl:sameAs``. The links live in ``graph/links.ttl`` (the named graph ``<base>graph/links``),
each reified as an ``rdf:Statement`` with who decided it (``prov:wasAttributedTo``), when
(``dcterms:created``), the evidence (``dcterms:bibliographicCitation``) and, for an allowed
exception to the one-identifier rules, why (``skos:editorialNote``).

* :func:`export_links` writes one row per linkable entity to a CSV/TSV sheet that OpenRefine
  opens and reconciles against Wikidata;
* :func:`list_links` writes one row per stored link with who decided it, when, the evidence
  and the source, for an audit (a sheet the import reads again, adding nothing);
* :func:`import_links` checks every row of such a sheet, and only when all are good rewrites
  ``graph/links.ttl`` atomically and deterministically (sorted), keeping what was there;
* :func:`coverage` computes the link figures from any store holding the graph, for
  ``kg links report``, ``kg stats`` and the VoID description alike.

Who decided a link becomes an agent: an IRI given as is (an ORCID, ``agent:curators``), the
existing agent whose label is the name (compared in NFC, case-folded, spaces collapsed, never
by an ASCII slug, which would make Nguyễn Văn An and Nguyễn Văn Ân one person), or a new
``<base>agent/<slug>`` (``-2``, ``-3`` when another person's name has that slug; a script
without Latin letters gives ``khmer-<hash>``) with the name as its ``rdfs:label``, typed
``prov:Agent`` and written to ``graph/links.ttl``.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_canonical_graph
from rdflib.namespace import RDF, RDFS, XSD

from kg.build import write_atomically
from kg.errors import InputError, KGError
from kg.iris import (
    BASE,
    DCTERMS,
    KGO,
    KIND_PREFIXES,
    ONTOLOGY_GRAPH,
    PREFIXES,
    PROV,
    SKOS,
    graph_iri_for,
)
from kg.literals import literal_text
from kg.load import Sources, load_shapes, load_sources, rdflib_term, read_utf8, shown_path
from kg.store import rdf_syntax_error

#: The classes whose instances archivists link to authorities (and may be imported).
LINKABLE = ("Person", "Organisation", "State", "MilitaryUnit", "Place", "Event")
#: Linkable classes whose unlinked instances the report lists (events are many and rarely have
#: an authority record; ``kg links export --unlinked --type Event`` lists them).
LISTED_UNLINKED = ("Person", "Organisation", "State", "MilitaryUnit", "Place")

LINKS_FILE = "links.ttl"
LINKS_GRAPH = graph_iri_for("links")
LINK_NS = BASE + "link/"
AGENT_NS = BASE + "agent/"
RELATIONS = {"exactMatch": SKOS.exactMatch, "closeMatch": SKOS.closeMatch}
WHY = SKOS.editorialNote
_XSD_STRING = ox.NamedNode(str(XSD.string))
_AGENT_TYPES = (PROV.Agent, PROV.Person, PROV.Organization, PROV.SoftwareAgent)


@dataclass(frozen=True)
class Authority:
    name: str
    title: str
    namespace: str
    #: The canonical IRI form, as a regular expression (the SHACL shape uses the same).
    pattern: str


AUTHORITIES: dict[str, Authority] = {
    a.name: a for a in (
        Authority("wikidata", "Wikidata", "http://www.wikidata.org/entity/",
                  r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*"),
        Authority("geonames", "GeoNames", "https://sws.geonames.org/",
                  r"https://sws\.geonames\.org/[1-9][0-9]*/"),
        Authority("viaf", "VIAF", "http://viaf.org/viaf/",
                  r"http://viaf\.org/viaf/[1-9][0-9]*"),
        Authority("lcnaf", "LCNAF", "http://id.loc.gov/authorities/names/",
                  r"http://id\.loc\.gov/authorities/names/n[a-z]?[0-9]{8,10}"),
    )
}
#: One regular expression for every canonical form: what ``sh:pattern`` in the shapes should say.
SHAPE_PATTERN = "^(" + "|".join(a.pattern for a in AUTHORITIES.values()) + ")$"

_AUTHORITY_ALIASES = {
    "wikidata": "wikidata", "wd": "wikidata",
    "geonames": "geonames", "gn": "geonames",
    "viaf": "viaf",
    "lcnaf": "lcnaf", "lc": "lcnaf", "loc": "lcnaf", "lccn": "lcnaf", "naf": "lcnaf",
}

#: Columns of an exported sheet. The last eight are for the decisions, filled in and imported.
EXPORT_COLUMNS = (
    "id", "label", "alt_labels", "type", "description", "date", "part_of", "country",
    *AUTHORITIES, "close_matches", "authority_iri", "authority", "relation", "who", "when",
    "note", "source", "why",
)
#: Column names an imported sheet may use, and the header spellings accepted for each.
IMPORT_COLUMNS = {
    "id": ("id", "iri", "entity", "our_iri", "uri", "subject"),
    "authority_iri": ("authority_iri", "authority_uri", "match", "link"),
    "authority": ("authority",),
    "relation": ("relation", "predicate"),
    "who": ("who", "by", "attributed_to"),
    "when": ("when", "date_decided", "created"),
    "note": ("note", "evidence", "citation"),
    "source": ("source", "source_url", "record"),
    "why": ("why", "reason", "exception"),
}
_HEADER = {alias: name for name, aliases in IMPORT_COLUMNS.items() for alias in aliases}
#: Columns of an exported sheet that show the stored links. Read only to refuse a sheet that
#: changes them: a link typed there would otherwise be dropped without a word.
READ_ONLY_COLUMNS = (*AUTHORITIES, "close_matches")
_HEADER |= {name: name for name in READ_ONLY_COLUMNS}

_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


# ---------------------------------------------------------------- authority identifiers


def canonical_iri(text: str, authority: str | None = None) -> str:
    """The canonical authority IRI for an identifier as people paste it; ValueError if none.

    ``Q1850``, ``wd:Q1850``, ``https://www.wikidata.org/wiki/Q1850`` and the like give
    ``http://www.wikidata.org/entity/Q1850``. A bare number is a GeoNames or VIAF id only when
    ``authority`` says which.
    """
    raw = re.sub(r"[\s\u200b\u200c\u200d\ufeff]+", "", text or "").strip("<>")
    if not raw:
        raise ValueError("no authority identifier")
    said = _authority_name(authority) if authority and authority.strip() else None
    m = re.fullmatch(r"([A-Za-z]+):(?!//)(.+)", raw)
    if m and m.group(1).lower() in _AUTHORITY_ALIASES:
        prefixed = _AUTHORITY_ALIASES[m.group(1).lower()]
        if said and said != prefixed:
            raise ValueError(f"{text.strip()!r} is a {AUTHORITIES[prefixed].title} identifier, "
                             f"but the authority column says {said}")
        said, raw = prefixed, m.group(2)
    found, ident = _identify(raw, said)
    if said and said != found:
        raise ValueError(f"{text.strip()!r} is a {AUTHORITIES[found].title} identifier, but the "
                         f"authority column says {said}")
    ns = AUTHORITIES[found].namespace
    return ns + ident + ("/" if found == "geonames" else "")


def authority_of(iri: str) -> str | None:
    """The name of the authority whose canonical form ``iri`` is, else None."""
    for a in AUTHORITIES.values():
        if re.fullmatch(a.pattern, iri):
            return a.name
    return None


def _authority_name(text: str) -> str:
    name = _AUTHORITY_ALIASES.get(text.strip().lower())
    if name is None:
        raise ValueError(f"unknown authority {text.strip()!r} (use one of: "
                         f"{', '.join(AUTHORITIES)})")
    return name


def _identify(raw: str, said: str | None) -> tuple[str, str]:
    """(authority, identifier) for a pasted form without whitespace or prefix."""
    if re.fullmatch(r"[A-Za-z]\d+(-[A-Za-z]\d+)?", raw) and not re.fullmatch(r"[Nn]\d+", raw):
        return "wikidata", _wikidata_id(raw)
    if re.fullmatch(r"[Nn][A-Za-z]?\d+", raw):
        return "lcnaf", _lcnaf_id(raw)
    if re.fullmatch(r"\d+", raw):
        if said in ("geonames", "viaf"):
            return said, _number(raw, AUTHORITIES[said].title)
        raise ValueError(f"{raw} is a bare number: say which authority it is from (geonames or "
                         "viaf) in the authority column, or paste the full IRI")
    if not re.match(r"https?://", raw, re.IGNORECASE):
        if re.match(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}/", raw):
            raw = "https://" + raw
        else:
            raise ValueError(f"{raw!r} is not a Wikidata, GeoNames, VIAF or LCNAF identifier")
    parts = urlsplit(raw)
    host, path = (parts.hostname or "").lower(), parts.path
    if host in ("wikidata.org", "www.wikidata.org", "m.wikidata.org"):
        m = re.fullmatch(r"/(?:wiki|entity)/(?:Special:Entity(?:Page|Data)/)?"
                         r"(?:(?:Item|Property|Lexeme):)?([A-Za-z]\d+(?:-[A-Za-z]\d+)?)"
                         r"(?:\.[a-z]+)?/?", path)
        if not m:
            raise ValueError(f"{raw} is not a Wikidata entity page or IRI")
        return "wikidata", _wikidata_id(m.group(1))
    if host in ("geonames.org", "www.geonames.org", "sws.geonames.org"):
        m = re.fullmatch(r"/(\d+)(?:/.*)?", path)
        if not m:
            raise ValueError(f"{raw} is not a GeoNames feature IRI (https://sws.geonames.org/N/)")
        return "geonames", _number(m.group(1), "GeoNames")
    if host in ("viaf.org", "www.viaf.org"):
        m = re.fullmatch(r"/(?:[a-z]{2}/)?viaf/(\d+)(?:/.*)?", path)
        if not m:
            raise ValueError(f"{raw} is not a VIAF cluster IRI (http://viaf.org/viaf/N)")
        return "viaf", _number(m.group(1), "VIAF")
    if host == "id.loc.gov":
        m = re.fullmatch(r"/authorities/names/([A-Za-z0-9]+?)(?:\.[a-z]+)?/?", path)
        if not m:
            raise ValueError(f"{raw} is not an LC name authority IRI "
                             "(http://id.loc.gov/authorities/names/n…)")
        return "lcnaf", _lcnaf_id(m.group(1))
    raise ValueError(f"{host or raw} is not an authority we link to "
                     "(Wikidata, GeoNames, VIAF, LCNAF)")


def _wikidata_id(ident: str) -> str:
    ident = ident.upper()
    kind = ident[0]
    if kind == "P":
        raise ValueError(f"{ident} is a Wikidata property, not an entity: link items (Q…)")
    if kind == "L":
        raise ValueError(f"{ident} is a Wikidata lexeme, not an entity: link items (Q…)")
    if kind != "Q" or "-" in ident:
        raise ValueError(f"{ident} is not a Wikidata item id (Q followed by digits)")
    if not re.fullmatch(r"Q[1-9]\d*", ident):
        raise ValueError(f"{ident} is not a Wikidata item id (no leading zero)")
    return ident


def _number(ident: str, title: str) -> str:
    if not re.fullmatch(r"[1-9]\d*", ident):
        raise ValueError(f"{ident} is not a {title} id (a number without leading zero)")
    return ident


def _lcnaf_id(ident: str) -> str:
    ident = ident.lower()
    if not re.fullmatch(r"n[a-z]?[0-9]{8,10}", ident):
        raise ValueError(f"{ident} is not an LC name authority id (n, nb, no, nr or ns and "
                         "8 to 10 digits, like n79021164)")
    return ident


# ---------------------------------------------------------------- the graph as a store


def source_store(sources: Sources) -> ox.Store:
    """An in-memory store of the parsed ontology/ and graph/ files, one named graph each.

    Class membership is queried with ``rdfs:subClassOf*`` so the same queries give the same
    figures here (no reasoning) and on the built dataset (with inferences).
    """
    store = ox.Store()
    for name, graph in sources.graphs.items():
        store.load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode(str(name)))
    return store


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(_PROLOGUE + query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def _values(*names: str) -> str:
    return " ".join(f"kgo:{n}" for n in names)


def _class_members(store: ox.Store) -> dict[str, set[str]]:
    """The entities of each linkable class (an entity may be in several)."""
    members: dict[str, set[str]] = {c: set() for c in LINKABLE}
    for row in _select(store, f"""
        SELECT DISTINCT ?x ?cls WHERE {{
            VALUES ?cls {{ {_values(*LINKABLE)} }}
            ?x a ?t . ?t rdfs:subClassOf* ?cls . FILTER(isIRI(?x)) }}"""):
        members[row["cls"][len(str(KGO)):]].add(row["x"])
    return members


def _linkable_entities(store: ox.Store, members: dict[str, set[str]] | None = None
                       ) -> dict[str, str]:
    """Every entity of a linkable class, as IRI -> its first linkable class (LINKABLE order)."""
    members = _class_members(store) if members is None else members
    found: dict[str, str] = {}
    for cls in reversed(LINKABLE):
        for x in members[cls]:
            found[x] = cls
    return found


def _links(store: ox.Store) -> list[tuple[str, str, str, str]]:
    """Every link as (entity, relation, authority IRI, graph it is in), sorted."""
    rows = _select(store, """
        SELECT DISTINCT ?x ?p ?m ?g WHERE {
            VALUES ?p { skos:exactMatch skos:closeMatch }
            GRAPH ?g { ?x ?p ?m } FILTER(isIRI(?x) && isIRI(?m)) }""")
    return sorted((r["x"], r["p"][len(str(SKOS)):], r["m"], r["g"]) for r in rows)


# ---------------------------------------------------------------- coverage


def coverage(store: ox.Store) -> dict:
    """Authority-link figures of the graph in ``store`` (queried as the union of its graphs).

    Works on the built dataset (``kg.query.open_store``) and on :func:`source_store`. Returns::

        {"entities": N, "linked": N,                     # linkable entities, all classes
         "classes": {CLASS: {"entities": N, "linked": N, AUTHORITY: N, ...}},
         "authorities": {AUTHORITY: {"title", "namespace", "links", "exactMatch",
                                     "closeMatch", "entities", "identifiers"}},
         "other_links": N,                               # links to no known authority
         "unlinked": [{"id", "label", "class"}],         # LISTED_UNLINKED classes, by id
         "conflicts": [{"kind": "two-ids" | "shared-id", "authority", "entities": [...],
                        "ids": [...], "why": [...], "unexplained": bool}]}

    ``classes[C][A]`` counts entities of C with at least one link to authority A;
    ``authorities[A]["links"]`` counts link triples (what a VoID linkset's ``void:triples`` is).
    A conflict is ``unexplained`` when two of its links give no reason (skos:editorialNote on
    either link's statement): what shapes/kg-shapes.ttl's kgs:AuthorityIdShape reports.
    """
    members = _class_members(store)
    entities = _linkable_entities(store, members)
    labels = {row["x"]: row["label"] for row in _select(store, """
        SELECT ?x (MIN(STR(?l)) AS ?label) WHERE {
            ?x rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }
        GROUP BY ?x""")}

    links = sorted({(x, p, m) for x, p, m, _ in _links(store)})
    by_entity: dict[str, set[str]] = defaultdict(set)
    for x, _, m in links:
        by_entity[x].add(authority_of(m) or "other")

    out: dict = {"entities": len(entities), "linked": sum(1 for x in entities if by_entity[x])}
    out["classes"] = {}
    for cls in LINKABLE:
        entry = {"entities": len(members[cls]),
                 "linked": sum(1 for x in members[cls] if by_entity[x])}
        for a in AUTHORITIES:
            entry[a] = sum(1 for x in members[cls] if a in by_entity[x])
        out["classes"][cls] = entry
    out["authorities"] = {}
    for a in AUTHORITIES.values():
        mine = [(x, p, m) for x, p, m in links if authority_of(m) == a.name]
        out["authorities"][a.name] = {
            "title": a.title, "namespace": a.namespace, "links": len(mine),
            "exactMatch": sum(1 for _, p, _ in mine if p == "exactMatch"),
            "closeMatch": sum(1 for _, p, _ in mine if p == "closeMatch"),
            "entities": len({x for x, _, _ in mine}), "identifiers": len({m for _, _, m in mine}),
        }
    out["other_links"] = sum(1 for _, _, m in links if authority_of(m) is None)
    listed = [x for x in sorted(entities) if entities[x] in LISTED_UNLINKED and not by_entity[x]]
    out["unlinked"] = [{"id": x, "label": labels.get(x, ""), "class": entities[x]} for x in listed]
    out["conflicts"] = _conflicts(links, _whys(store))
    return out


def _whys(store: ox.Store) -> dict[tuple[str, str, str], list[str]]:
    whys: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for r in _select(store, """
        SELECT DISTINCT ?x ?p ?m ?why WHERE {
            ?st rdf:subject ?x ; rdf:predicate ?p ; rdf:object ?m ; skos:editorialNote ?why }
        ORDER BY ?why"""):
        whys[(r["x"], r["p"][len(str(SKOS)):], r["m"])].append(r["why"])
    return whys


def _conflicts(links: list[tuple[str, str, str]], whys: dict) -> list[dict]:
    ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    owners: dict[str, set[str]] = defaultdict(set)
    for x, _, m in links:
        a = authority_of(m)
        if a:
            ids[(x, a)].add(m)
            owners[m].add(x)

    def why_of(pairs: Iterable[tuple[str, str]]) -> list[str]:
        return sorted({w for x, m in pairs for p in RELATIONS for w in whys.get((x, p, m), [])})

    def unexplained(links_: list[tuple[str, str]]) -> bool:
        # the rule of kgs:AuthorityIdShape: a pair of conflicting links needs a reason on
        # either link, so one reason does not cover a third link added later
        return any(not why_of([one]) and not why_of([other])
                   for i, one in enumerate(links_) for other in links_[i + 1:])

    out = []
    for (x, a), ms in sorted(ids.items()):
        if len(ms) > 1:
            pairs = [(x, m) for m in sorted(ms)]
            out.append({"kind": "two-ids", "authority": a, "entities": [x], "ids": sorted(ms),
                        "why": why_of(pairs), "unexplained": unexplained(pairs)})
    for m, xs in sorted(owners.items()):
        if len(xs) > 1:
            pairs = [(x, m) for x in sorted(xs)]
            out.append({"kind": "shared-id", "authority": authority_of(m), "entities": sorted(xs),
                        "ids": [m], "why": why_of(pairs), "unexplained": unexplained(pairs)})
    return out


def coverage_lines(cov: dict) -> list[str]:
    """The coverage figures as text lines, the same in ``kg links report`` and ``kg stats``."""
    names = list(AUTHORITIES)
    out = ["Authority links (skos:exactMatch / skos:closeMatch):"]
    out.append(f"  {'class':<14}{'entities':>9}{'linked':>8}" + "".join(f"{n:>10}" for n in names))
    for cls, e in cov["classes"].items():
        out.append(f"  {cls:<14}{e['entities']:>9}{e['linked']:>8}"
                   + "".join(f"{e[n]:>10}" for n in names))
    out.append(f"  {'(all)':<14}{cov['entities']:>9}{cov['linked']:>8}")
    out.append("")
    out.append("Links per authority:")
    out.append(f"  {'authority':<10}{'links':>7}{'exact':>7}{'close':>7}{'entities':>10}"
               f"{'ids':>6}  namespace")
    for n, a in cov["authorities"].items():
        out.append(f"  {n:<10}{a['links']:>7}{a['exactMatch']:>7}{a['closeMatch']:>7}"
                   f"{a['entities']:>10}{a['identifiers']:>6}  {a['namespace']}")
    if cov["other_links"]:
        out.append(f"  {'other':<10}{cov['other_links']:>7}")
    out.append("")
    unexplained = sum(1 for c in cov["conflicts"] if c["unexplained"])
    out.append(f"Conflicts ({len(cov['conflicts'])}, {unexplained} without a reason):")
    for c in cov["conflicts"]:
        title = AUTHORITIES[c["authority"]].title
        if c["kind"] == "two-ids":
            text = f"{_short(c['entities'][0])} has {len(c['ids'])} {title} ids: " + ", ".join(
                c["ids"])
        else:
            text = f"{c['ids'][0]} is claimed by {len(c['entities'])} entities: " + ", ".join(
                _short(x) for x in c["entities"])
        out.append(f"  {text}")
        out.append("    why: " + " / ".join(c["why"]) if c["why"] else "    why: (no reason given)")
        if c["why"] and c["unexplained"]:
            out.append("    (not for every pair of these links: two of them give no reason)")
    if not cov["conflicts"]:
        out.append("  none")
    elif unexplained:
        out.append("  (if both links are right, say why: skos:editorialNote on either link's "
                   "rdf:Statement, the why column of kg links import)")
    out.append("")
    out.append(f"Unlinked entities ({len(cov['unlinked'])}):")
    out += [f"  {u['id']}  {u['label']}  [{u['class']}]" for u in cov["unlinked"]]
    return out


@dataclass(frozen=True)
class LinksReport:
    """What ``kg links report`` prints, and how many conflicts give no reason."""

    text: str
    unexplained: int

    @property
    def exit_code(self) -> int:
        """0, or 1 when a conflict gives no reason (kgs:AuthorityIdShape's violations)."""
        return 1 if self.unexplained else 0


def links_report(settings: dict) -> LinksReport:
    """``kg links report``: coverage, conflicts and the unlinked list, from the graph/ files."""
    root = Path(settings["root"])
    cov = coverage(source_store(load_sources(root)))
    text = "\n".join([f"Authority links in {shown_path(root / 'graph')}", "",
                      *coverage_lines(cov)]) + "\n"
    return LinksReport(text, sum(1 for c in cov["conflicts"] if c["unexplained"]))


def _short(iri: str) -> str:
    m = re.fullmatch(re.escape(BASE) + r"([a-z]+)/([a-z0-9][a-z0-9-]*)", iri)
    return f"{m.group(1)}:{m.group(2)}" if m else iri


# ---------------------------------------------------------------- export


def export_links(settings: dict, path: Path, *, unlinked: bool = False,
                 type_: str | None = None, bom: bool | None = None) -> int:
    """Write one row per linkable entity to ``path`` (.csv or .tsv); return the row count.

    ``bom``: begin with a UTF-8 byte order mark; by default a .csv does and a .tsv does not.
    Excel opens a CSV without one in the ANSI code page, so "Quân ủy Trung ương" comes out as
    mojibake just where a person reads names to decide; but a program reading plain UTF-8
    (Python's ``csv`` with ``encoding="utf-8"``, some database importers) takes the mark into
    the first column's name, hence ``--no-bom``. A .tsv is for OpenRefine and programs.
    """
    delimiter, store, members = _sheet_source(settings, path, type_)
    entities = _linkable_entities(store)
    if members is not None:
        entities = {x: c for x, c in entities.items() if x in members}
    # an authority's column holds the same entity (skos:exactMatch); a related one
    # (skos:closeMatch: today's province for the 1978 one) goes to close_matches, never beside
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for x, relation, m, _ in _links(store):
        links[x][authority_of(m) or "other" if relation == "exactMatch" else "close"].append(m)
    if unlinked:
        entities = {x: c for x, c in entities.items() if not links.get(x)}
    ancestors = _ancestors(store)
    class_labels = _class_labels(store)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(EXPORT_COLUMNS)
    for x in sorted(entities):
        row = _entity_row(store, x, ancestors, class_labels)
        for a in AUTHORITIES:
            row[a] = " | ".join(sorted(set(links.get(x, {}).get(a, []))))
        row["close_matches"] = " | ".join(sorted(set(links.get(x, {}).get("close", []))))
        writer.writerow([protect_cell(row.get(c, "")) for c in EXPORT_COLUMNS])
    _write_sheet(path, out.getvalue(), delimiter, bom)
    return len(entities)


def _sheet_source(settings: dict, path: Path, type_: str | None
                  ) -> tuple[str, ox.Store, set[str] | None]:
    """For a sheet written to ``path``: its delimiter, the project's store, and the instances
    of the class ``type_`` (None for every entity). InputError for a folder that does not
    exist (a mistyped folder is not made: it would hide the typo) or a class whose entities
    are never linked."""
    delimiter = _delimiter(path)
    if not path.parent.is_dir():
        raise InputError(f"no such folder {str(path.parent)!r}: make it first, or give a file "
                         "in an existing folder", path=str(path))
    store = source_store(load_sources(Path(settings["root"])))
    if not type_:
        return delimiter, store, None
    cls = _resolve_class(store, type_)
    _require_linkable(store, cls, type_)
    return delimiter, store, {r["x"] for r in _select(store, f"""
        SELECT DISTINCT ?x WHERE {{ ?x a ?t . ?t rdfs:subClassOf* <{cls}> }}""")}


def _write_sheet(path: Path, text: str, delimiter: str, bom: bool | None) -> None:
    """Write a sheet atomically, with a UTF-8 byte order mark where ``bom`` says (by default
    for a .csv, not for a .tsv: see :func:`export_links`)."""
    if bom is None:
        bom = delimiter == ","
    write_atomically(path, (("\ufeff" if bom else "") + text).encode("utf-8"))


#: Columns of ``kg links list``: one row per stored link and the statement that records it. The
#: names the import reads (id, authority_iri, authority, relation, who, when, note, source, why)
#: are the import's, so the sheet imports again with nothing to add; label, who_label and
#: statement are for the reader and ignored by the import.
LIST_COLUMNS = (
    "id", "label", "relation", "authority", "authority_iri", "who", "who_label", "when", "note",
    "source", "why", "statement",
)


def list_links(settings: dict, path: Path, *, type_: str | None = None,
               bom: bool | None = None) -> int:
    """Write one row per stored link to ``path`` (.csv or .tsv), with who decided it, when, the
    evidence and the source its statement records; return the row count.

    A link with several statements gets a row for each; one without any (typed by hand with no
    ``rdf:Statement``) a row with those columns empty. ``type_`` and ``bom`` as for
    :func:`export_links`.
    """
    delimiter, store, members = _sheet_source(settings, path, type_)
    # a statement may say a thing twice (two sources): every value, sorted, in one cell
    # joined by " | ", as the import reads several sources; gathered with a unit separator,
    # which no value holds (the import refuses control characters)
    fields = {"who": "prov:wasAttributedTo", "when": "dcterms:created",
              "note": "dcterms:bibliographicCitation", "source": "dcterms:source",
              "why": "skos:editorialNote"}
    statements: dict[tuple[str, str, str], list[dict[str, list[str]]]] = defaultdict(list)
    for r in _select(store, """
        SELECT ?st ?x ?p ?m """ + " ".join(
            f"(GROUP_CONCAT(DISTINCT STR(?{f}); separator='\\u001f') AS ?{f}s)" for f in fields)
            + """ WHERE { VALUES ?p { skos:exactMatch skos:closeMatch }
            ?st rdf:subject ?x ; rdf:predicate ?p ; rdf:object ?m . """ + " ".join(
            f"OPTIONAL {{ ?st {pred} ?{f} }}" for f, pred in fields.items())
            + "} GROUP BY ?st ?x ?p ?m"):
        values = {f: sorted(v for v in r.get(f + "s", "").split("\x1f") if v) for f in fields}
        statements[(r["x"], r["p"][len(str(SKOS)):], r["m"])].append({"st": [r["st"]], **values})
    labels = {r["x"]: r["l"] for r in _select(store, """
        SELECT ?x (MIN(STR(?label)) AS ?l) WHERE { ?x rdfs:label ?label
            FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") } GROUP BY ?x""")}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)  # QUOTE_MINIMAL: a note's quotes, tabs, lines
    writer.writerow(LIST_COLUMNS)
    n = 0
    for x, relation, m in sorted({(x, p, m) for x, p, m, _ in _links(store)}):
        if members is not None and x not in members:
            continue
        for st in sorted(statements.get((x, relation, m), []), key=lambda r: r["st"]) or [{}]:
            whos = st.get("who", [])
            row = {"id": x, "label": labels.get(x, ""), "relation": relation,
                   "authority": authority_of(m) or "", "authority_iri": m,
                   "who": " | ".join("agent:" + w[len(AGENT_NS):] if w.startswith(AGENT_NS)
                                     else w for w in whos),
                   "who_label": " | ".join(labels.get(w, "") for w in whos),
                   **{f: " | ".join(st.get(f, [])) for f in ("when", "note", "source", "why",
                                                             "st")}}
            row["statement"] = row.pop("st")
            writer.writerow([protect_cell(row[c]) for c in LIST_COLUMNS])
            n += 1
    _write_sheet(path, out.getvalue(), delimiter, bom)
    return n


#: What a cell may begin with that a spreadsheet could read as a formula (OWASP, "CSV
#: Injection"): = + - @, a tab, a carriage return. Such a cell is exported with an apostrophe
#: before it, which keeps it text; so is one that begins with an apostrophe before one of these
#: or another apostrophe, so that the import can take exactly one apostrophe off (see
#: :func:`unprotect_cell`). No column of the sheet holds a number, so a '-' costs no value.
_FORMULA_START = frozenset("=+-@\t\r")


def protect_cell(value: str) -> str:
    """``value`` as the export writes it: with an apostrophe before it if a spreadsheet could
    read it as a formula (or if it would read back as one that was protected)."""
    if value[:1] in _FORMULA_START or (value[:1] == "'" and (value[1:2] in _FORMULA_START
                                                             or value[1:2] == "'")):
        return "'" + value
    return value


def unprotect_cell(cell: str) -> str:
    """A cell of an imported sheet as the export had it: :func:`protect_cell` undone. An
    apostrophe before anything else ("'t Hooft") is the cell's own."""
    if cell[:1] == "'" and (cell[1:2] in _FORMULA_START or cell[1:2] == "'"):
        return cell[1:]
    return cell


def _delimiter(path: Path) -> str:
    delimiter = {".csv": ",", ".tsv": "\t", ".tab": "\t"}.get(path.suffix.lower())
    if delimiter is None:
        suffix = path.suffix or "no suffix"
        raise InputError(f"a links sheet is a .csv or .tsv file, not {suffix!r}", path=str(path))
    return delimiter


def _resolve_class(store: ox.Store, text: str) -> str:
    rows = _select(store, f"""
        SELECT DISTINCT ?c ?label WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?c a owl:Class
            OPTIONAL {{ ?c rdfs:label ?label }} }} FILTER(STRSTARTS(STR(?c), STR(kgo:))) }}""")
    want = text.strip()
    want = str(KGO) + want[4:] if want.startswith("kgo:") else want
    for r in rows:
        local = r["c"][len(str(KGO)):]
        if want in (r["c"], local) or want.lower() in (local.lower(), r.get("label", "").lower()):
            return r["c"]
    raise InputError(f"unknown class {text!r}: use an ontology class such as "
                     f"{', '.join(LINKABLE)}")


def _require_linkable(store: ox.Store, cls: str, given: str) -> None:
    """InputError unless ``cls`` may hold linkable entities: a class of ``LINKABLE``, one
    under it (Province) or one above it (Actor). A class of the ontology whose instances are
    never linked (Quantity, figures) would give an empty sheet, as if every entity of it had
    been linked or there were none."""
    linkable = {str(KGO) + c for c in LINKABLE}
    ancestors = _ancestors(store)
    if cls in linkable or linkable & ancestors.get(cls, set()) or any(
            cls in ancestors.get(c, set()) for c in linkable):
        return
    raise InputError(f"class {given!r} has no entities that are linked to authorities: use "
                     f"one of {', '.join(LINKABLE)}, or a class under them (Province)")


def _ancestors(store: ox.Store) -> dict[str, set[str]]:
    up: dict[str, set[str]] = defaultdict(set)
    for r in _select(store, f"""
        SELECT ?c ?s WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?c rdfs:subClassOf+ ?s }} }}"""):
        up[r["c"]].add(r["s"])
    return up


def _class_labels(store: ox.Store) -> dict[str, str]:
    return {r["c"]: r["l"] for r in _select(store, f"""
        SELECT ?c (MIN(STR(?label)) AS ?l) WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
            ?c a owl:Class ; rdfs:label ?label }} }} GROUP BY ?c""")}


def _entity_row(store: ox.Store, x: str, ancestors: dict[str, set[str]],
                class_labels: dict[str, str]) -> dict[str, str]:
    """What a person needs to decide a match: labels, type, description, dates, context."""
    def objects(s: str, pred) -> list:
        return sorted({q.object for q in store.quads_for_pattern(
            ox.NamedNode(s), ox.NamedNode(str(pred)), None, None)}, key=str)

    def texts(s: str, pred, lang: str | None = None) -> list[str]:
        literals = [t for t in objects(s, pred) if isinstance(t, ox.Literal)]
        preferred = [t for t in literals if lang is None or (t.language or "") in (lang, "")]
        return sorted({t.value for t in preferred or literals})

    def labels_of(iris: list[str]) -> str:
        return " | ".join(sorted((texts(i, RDFS.label, "en") or [i])[0] for i in iris))

    types = [t.value for t in objects(x, RDF.type) if t.value.startswith(str(KGO))]
    specific = [t for t in types if not any(t in ancestors[u] for u in types if u != t)]
    parents = [t.value for pred in (KGO.placeWithin, KGO.subordinateTo, KGO.organOf,
                                    KGO.subEventOf)
               for t in objects(x, pred) if isinstance(t, ox.NamedNode)]
    row = {
        "id": x,
        "label": (texts(x, RDFS.label, "en") or [""])[0],
        "alt_labels": " | ".join(texts(x, SKOS.altLabel)),
        "type": " | ".join(sorted(class_labels.get(t, t[len(str(KGO)):]) for t in specific)),
        "description": " ".join(texts(x, URIRef(PREFIXES["schema"] + "description"), "en")),
        "part_of": labels_of(parents),
    }
    day = texts(x, KGO.onDate)  # one day: its start and its end
    start, end = texts(x, KGO.startDate) or day, texts(x, KGO.endDate)
    earliest, latest = texts(x, KGO.notBefore), texts(x, KGO.notAfter)
    bounds = [f"{word} {values[0]}" for word, values in (("not before", earliest),
                                                          ("ended not after", latest)) if values]
    if start:
        began_by = texts(x, KGO.latestStart)
        row["date"] = start[0] + (
            f"/{end[0]}" if end else f", ended not after {latest[0]}" if latest else
            ", end undated in source" if "true" in texts(x, KGO.endUndatedInSource) else "") + (
            f", began not after {began_by[0]}" if began_by else "")
    elif bounds:
        row["date"] = ", ".join(bounds)
    elif "true" in texts(x, KGO.undatedInSource):
        row["date"] = "undated in source"
    if any(str(KGO.Place) in ancestors[t] | {t} for t in types) and str(KGO.Country) not in types:
        row["country"] = labels_of([r["c"] for r in _select(store, f"""
            SELECT DISTINCT ?c WHERE {{ <{x}> kgo:placeWithin+ ?c . ?c a kgo:Country }}""")])
    return row


# ---------------------------------------------------------------- import


class LinksFileError(InputError):
    """A links sheet with rows at fault; nothing was written. ``problems`` is (line, text)."""

    def __init__(self, path: Path, problems: list[tuple[int | None, str]]):
        self.problems = sorted(problems, key=lambda p: p[0] or 0)
        n = len(self.problems)
        lines = [f"{path}: {n} problem{'s' if n != 1 else ''}; nothing was written"]
        lines += [f"  {path}:{line}: {text}" if line else f"  {path}: {text}"
                  for line, text in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class _Row:
    line: int
    entity: str
    authority: str
    target: str
    relation: str
    who: str          # the agent's IRI
    who_label: str    # who, as the sheet spells it: the label of a new agent
    when: date
    note: str
    why: str
    source: str = ""  # the address of the stored record the evidence was read in

    @property
    def triple(self) -> tuple[str, str, str]:
        return (self.entity, self.relation, self.target)


#: What to do after an import that added links: a service started before it still serves the
#: graph it loaded then (kg serve rebuilds the dataset only when it starts; kg query and kg
#: build rebuild by themselves). Said conditionally: the import cannot know whether a server
#: runs (kg serve leaves no pid file, and one may run elsewhere, over a --store), so it does
#: not claim one does.
IMPORTED_NEXT = ("If kg serve is running, it still serves the links it loaded when it started: "
                 "restart it (it rebuilds build/kg.nq first) before /reconcile and /sparql "
                 "show these; a kg serve --dataset FILE needs kg build first, a --store kg "
                 "build and kg publish.")


@dataclass
class ImportResult:
    """What an import did: the links added (line, entity, relation, target), and what it skipped."""

    links_file: Path
    added: list[tuple[int, str, str, str]] = field(default_factory=list)
    present: int = 0
    ignored: int = 0
    #: What validation of the graph with the new links warned of (a misspelt term of a
    #: standard vocabulary, a shape at sh:Warning), and a new agent whose name is another's
    #: but for accents (:meth:`_Agents.alike`): said, not stopping the import.
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{shown_path(self.links_file)}: {len(self.added)} link(s) added, "
                 f"{self.present} already present, {self.ignored} row(s) without an "
                 "authority_iri ignored"]
        lines += [f"  line {n}: {_short(x)} skos:{p} {m}" for n, x, p, m in self.added]
        if self.added:
            lines.append(IMPORTED_NEXT)
        if self.warnings:
            lines.append(f"{len(self.warnings)} warning(s), which do not stop the import "
                         "(kg validate shows the graph's in full):")
            lines += [f"  {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"


def import_links(settings: dict, path: Path, *, today: date | None = None) -> ImportResult:
    """Check every row of the sheet at ``path``; if all are good, add the new links to
    ``graph/links.ttl`` atomically. Raises :class:`LinksFileError` listing every row at fault."""
    root = Path(settings["root"])
    today = today or date.today()
    links_path = root / "graph" / LINKS_FILE
    before = links_path.read_bytes() if links_path.exists() else b""
    records = _read_table(path)
    sources = load_sources(root)
    store = source_store(sources)
    existing = _links(store)
    rows, ignored, problems, agents = _check_rows(records, store, existing, today)
    problems += _check_read_only(records, existing)
    problems += _check_against_graph(rows, existing, root)
    problems += _check_restated(rows, records, store)
    if problems:
        raise LinksFileError(path, problems)

    known = {(x, p, m) for x, p, m, _ in existing}
    new: list[_Row] = []
    for row in rows:
        if row.triple not in known:
            known.add(row.triple)
            new.append(row)
    result = ImportResult(links_file=links_path, ignored=ignored, present=len(rows) - len(new))
    if not new:
        return result
    candidate = Graph()
    for links_source in sources.files.get(LINKS_GRAPH, []):
        candidate += _as_written(links_source.read_bytes(), links_source)
    _add_links(candidate, new, store)
    result.warnings = agents.alike(new) + _check_conforms(root, sources, candidate, new, path,
                                                          settings.get("validator", "fast"))
    data = links_turtle(candidate).encode("utf-8")
    if not isomorphic(_as_written(data, links_path), candidate):
        raise KGError(f"internal error: {shown_path(links_path)} would not round-trip; "
                      "nothing was written")
    current = links_path.read_bytes() if links_path.exists() else b""
    if current != before:
        raise InputError(f"{shown_path(links_path)} changed while importing; nothing was "
                         "written: run the import again")
    write_atomically(links_path, data)
    result.added = [(r.line, r.entity, r.relation, r.target) for r in new]
    return result


def _as_written(data: bytes, path: Path) -> Graph:
    """The Turtle ``data`` of the file at ``path`` as an rdflib graph whose literals keep the
    lexical forms written: rdflib's parser gives a number or a boolean its canonical form
    (``1e3`` is read as ``1000.0``, ``"01"^^xsd:integer`` as ``1``), which is another RDF
    literal, and writing the file back would put it in place of the one a person wrote."""
    def term(t):
        if isinstance(t, ox.Literal) and not t.language and t.datatype != _XSD_STRING:
            return Literal(t.value, datatype=URIRef(t.datatype.value), normalize=False)
        return rdflib_term(t)

    graph = Graph()
    try:
        for q in ox.parse(input=data, format=ox.RdfFormat.TURTLE,
                          base_iri=path.resolve().as_uri()):
            graph.add((term(q.subject), term(q.predicate), term(q.object)))
    except SyntaxError as exc:  # what rdflib read and pyoxigraph does not: kg build would not
        raise rdf_syntax_error(exc, shown_path(path), ox.RdfFormat.TURTLE, data) from None
    return graph


def _read_table(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The sheet's data rows as (line number, {column: value}), header names normalised."""
    delimiter = _delimiter(path)
    text = read_utf8(path, "the sheet", bom=True,
                     advice="save it as 'CSV UTF-8' (or TSV) and try again")
    # strict: without it, a cell opened with a stray '"' silently runs to the end of the
    # file, swallowing every later row into one note
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        broken = _broken_quote(text, start, delimiter)
        if broken:
            raise LinksFileError(path, [broken]) from exc
        raise InputError(f"not a valid {path.suffix[1:].upper()} file: {exc}", path=str(path),
                         line=reader.line_num) from exc
    swallowed = [p for line, cells in records for p in _rows_in_a_cell(line, cells, delimiter)]
    if swallowed:
        raise LinksFileError(path, swallowed)
    if not records:
        raise LinksFileError(path, [(1, "the sheet is empty: expected a header row")])
    header_line, header = records[0]
    names: list[str | None] = []
    problems: list[tuple[int | None, str]] = []
    for cell in header:
        name = _column(cell)
        if name and name in names:
            problems.append((header_line, f"column {name!r} appears twice"))
        names.append(name)
    missing = [c for c in ("id", "authority_iri") if c not in names]
    if missing:
        other = _separator_used(_physical_lines(text)[header_line - 1], delimiter)
        problems.append((header_line, f"missing column(s) {', '.join(missing)}" + (
            f": {_SEPARATOR_ADVICE[(delimiter, other)]}" if other else
            f" (the header has: {', '.join(c.strip() for c in header)})")))
    if problems:
        raise LinksFileError(path, problems)
    out = []
    for line, cells in records[1:]:
        values = {name: unprotect_cell(cells[i]).strip() if i < len(cells) else ""
                  for i, name in enumerate(names) if name}
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            values["_extra"] = f"{len(cells)} cells but the header has {len(header)} columns"
        out.append((line, values))
    return out


def _column(cell: str) -> str | None:
    """The column a header cell names, else None."""
    # a BOM inside the first name: a sheet exported with one by a program that kept ours
    return _HEADER.get(re.sub(r"[\s-]+", "_", cell.replace("\ufeff", "").strip().lower()))


def _separator_used(header: str, delimiter: str) -> str | None:
    """The separator other than ``delimiter`` that makes ``header`` a header we read, if any.
    Only named, never used: a sheet read with a separator it was not written with could split
    a note at a ';' or ',' it holds, so a person saves it again rather than the import guess."""
    for other in (",", "\t", ";", "|"):
        cells = next(csv.reader([header], delimiter=other), [])
        if other != delimiter and {"id", "authority_iri"} <= {_column(c) for c in cells}:
            return other
    return None


_SAVE_WITH_COMMAS = (
    "save it again with ',' — LibreOffice Calc: Save As 'Text CSV' with 'Edit filter settings' "
    "ticked, field delimiter ','; Excel separates by the list separator of the system's region "
    "settings (';' where ',' is the decimal mark): set that to ',' and save as 'CSV UTF-8'")
_SEPARATOR_ADVICE = {
    (",", "\t"): "the file is tab-separated: name it .tsv",
    ("\t", ","): "the file is comma-separated: name it .csv",
    (",", ";"): f"the file uses ';' as its separator, not ',': {_SAVE_WITH_COMMAS}",
    (",", "|"): f"the file uses '|' as its separator, not ',': {_SAVE_WITH_COMMAS}",
    ("\t", ";"): "the file uses ';' as its separator, not tabs: save it as tab-separated "
                 f"text, or name it .csv and {_SAVE_WITH_COMMAS}",
    ("\t", "|"): "the file uses '|' as its separator, not tabs: save it as tab-separated "
                 f"text, or name it .csv and {_SAVE_WITH_COMMAS}",
}


def _physical_lines(text: str) -> list[str]:
    """The lines as the csv reader counts them (\\n, \\r\\n or \\r ends one)."""
    return list(io.StringIO(text, newline=""))


def _broken_quote(text: str, start: int, delimiter: str) -> tuple[int, str] | None:
    """Where the record beginning on line ``start`` breaks, if a quoted cell breaks it: the
    line the cell's quote opened on, which is what a person must fix (the csv module reports
    the line it gave up on, for an unclosed quote the last line of the file)."""
    state, opened = "start", 0
    for n, physical in enumerate(_physical_lines(text)[start - 1:], start):
        for ch in physical:
            if state == "start" and ch == '"':
                state, opened = "quoted", n
            elif state in ("start", "field"):
                if ch in "\r\n":
                    return None
                state = "start" if ch == delimiter else "field"
            elif state == "quoted":
                state = "quote" if ch == '"' else "quoted"
            elif ch == '"':  # a doubled quote inside the cell
                state = "quoted"
            elif ch == delimiter:
                state = "start"
            elif ch in "\r\n":
                return None
            else:
                closed = "" if n == opened else f" (on line {n})"
                return opened, (f"the quoted cell opened on this line has {ch!r} after its "
                                f"closing quote{closed}: a '\"' inside a cell must be doubled "
                                "('\"\"'), or the cell's quotes are unbalanced")
    if state == "quoted":
        return opened, ("the quoted cell opened on this line is never closed, so every later "
                        "row would be read into it: a stray '\"'? Close the quote, or double a "
                        "'\"' that belongs to the text ('\"\"')")
    return None


def _rows_in_a_cell(line: int, cells: list[str], delimiter: str) -> list[tuple[int, str]]:
    """Cells that run over lines that look like rows of the sheet: rows swallowed by a stray
    quote that another stray quote happened to close, which the csv module cannot tell from
    a note of several lines."""
    kinds = "|".join(KIND_PREFIXES)  # one of our ids, then the separator
    row_start = re.compile(rf"[ \t]*<?(?:{re.escape(BASE)}[a-z]+/|(?:{kinds})[:/])"
                           rf"[a-z0-9][a-z0-9-]*>?{re.escape(delimiter)}")
    out = []
    for cell in cells:
        inner = _physical_lines(cell)
        rows = [n for n, text in enumerate(inner[1:], line + 1) if row_start.match(text)]
        if rows:
            out.append((line, f"a quoted cell opened on this line runs over {len(inner)} lines, "
                              f"and line {rows[0]} inside it reads like a row of the sheet: "
                              "a stray '\"'? Check the quotes of this cell"))
        line += len(inner) - 1
    return out


def _check_rows(records, store: ox.Store, existing: list[tuple[str, str, str, str]],
                today: date) -> tuple[list[_Row], int, list, _Agents]:
    entities = _linkable_entities(store)
    typed = {r["x"]: r["t"] for r in _select(store, f"""
        SELECT ?x (MIN(STR(?c)) AS ?t) WHERE {{ GRAPH ?g {{ ?x a ?c }}
            FILTER(?g != <{ONTOLOGY_GRAPH}> && isIRI(?x)) }} GROUP BY ?x""")}
    agents = _agents(store)
    linked = {(x, m) for x, _, m, _ in existing}  # already in graph/: skipped, not checked
    rows: list[_Row] = []
    ignored = 0
    problems: list[tuple[int | None, str]] = []
    for line, v in records:
        if not v.get("authority_iri"):
            ignored += 1
            continue
        faults = [v["_extra"]] if "_extra" in v else []
        faults += _control_faults(v)
        entity = _entity_iri(v.get("id", ""))
        if not entity:
            faults.append("no entity IRI in column id")
        elif entity not in entities:
            if entity in typed:
                kind = typed[entity].replace(str(KGO), "kgo:")
                faults.append(f"{entity} is a {kind}, not a linkable entity "
                              f"({', '.join(LINKABLE)})")
            else:
                faults.append(f"unknown entity {entity}: no such IRI in graph/"
                              + _did_you_mean(entity, entities))
        target = authority = ""
        try:
            target = canonical_iri(v["authority_iri"], v.get("authority"))
            authority = authority_of(target) or ""
        except ValueError as exc:
            faults.append(f"authority_iri {v['authority_iri']!r}: {exc}")
        relation = _relation(v.get("relation", ""))
        if relation is None:
            faults.append(f"relation must be exactMatch or closeMatch, not "
                          f"{v.get('relation', '')!r}"
                          + (" (owl:sameAs is never used)" if "sameas" in
                             v.get("relation", "").lower() else ""))
        who = v.get("who", "")
        if not who:
            faults.append("who is empty: name the person who decided the link")
        elif not (re.match(r"https?://", who) or who.startswith("agent:") or _has_letters(who)):
            faults.append(f"who {who!r} has no letters or digits (in any script): name the "
                          "person who decided the link")
        elif (re.match(r"https?://|agent:", who) and agents.iri(who).startswith(BASE)
              and agents.iri(who) not in agents.described):
            faults.append(f"unknown agent {who}: give a name instead, or an agent described in "
                          "graph/")
        elif agents.named_by_local_name(who):
            local = agents.named_by_local_name(who)[len(AGENT_NS):]
            faults.append(f"who {who!r} is the local name of agent:{local}, not its label: "
                          f"write agent:{local} to mean that agent, or the person's full name")
        if entity and target and (entity, target) not in linked:
            faults += _note_faults(v.get("note", ""), target)
        when = today
        if v.get("when"):
            try:
                when = date.fromisoformat(v["when"])
                if when > today:
                    faults.append(f"when {v['when']!r} is in the future")
            except ValueError:
                faults.append(f"when must be a date written YYYY-MM-DD, not {v['when']!r}")
        sources = _sources(v.get("source", ""))
        for source in sources:
            if not _SOURCE.fullmatch(source):
                faults.append(f"source {source!r} is not the address of a record: give the URL "
                              "(https://…) of the stored file or record the evidence was read "
                              "in, best pinned to its version")
        if faults:
            problems += [(line, f) for f in faults]
            continue
        rows.append(_Row(line, entity, authority, target, relation, agents.iri(who),
                         " ".join(unicodedata.normalize("NFC", who).split()), when,
                         v.get("note", ""), v.get("why", ""), " | ".join(sources)))
    return rows, ignored, problems, agents


def _check_read_only(records, existing: list[tuple[str, str, str, str]]
                     ) -> list[tuple[int, str]]:
    """Rows whose read-only columns (``wikidata`` … ``close_matches``) show a link that is not
    stored: an edit the import would otherwise drop while saying all is well. A link stored
    since the sheet was exported, missing from its cell, is no edit and passes."""
    shown: dict[tuple[str, str], set[str]] = defaultdict(set)
    for x, p, m, _ in existing:
        shown[(x, "close_matches" if p == "closeMatch" else authority_of(m) or "")].add(m)
    problems: list[tuple[int, str]] = []
    for line, v in records:
        entity = _entity_iri(v.get("id", ""))
        given = None
        if v.get("authority_iri"):
            try:
                given = canonical_iri(v["authority_iri"], v.get("authority"))
            except ValueError:
                pass
        relation = _relation(v.get("relation", ""))
        for column in READ_ONLY_COLUMNS:
            exact = column != "close_matches"
            unstored = []
            for part in (p.strip() for p in v.get(column, "").split("|")):
                try:
                    iri = canonical_iri(part, column if exact else None) if part else ""
                except ValueError:
                    iri = part
                same_row = iri == given and relation == ("exactMatch" if exact else "closeMatch")
                if iri and iri not in shown[(entity, column)] and not same_row:
                    unstored.append(part)
            if not unstored:
                continue
            stored = " | ".join(sorted(shown[(entity, column)])) or "none"
            text = (f"column {column} is read-only (it shows the stored links), but it has "
                    f"{' | '.join(unstored)}, where graph/ has {stored} (if the links changed "
                    "since this sheet was exported, export it again): ")
            if not v.get("authority_iri"):
                text += ("to add a link, put it in authority_iri (with relation, who and note); "
                         "to change or remove one, edit graph/links.ttl")
            else:
                text += ("new links go in authority_iri, one per row; to change or remove one, "
                         "edit graph/links.ttl")
            problems.append((line, text))
    return problems


def _check_restated(rows: list[_Row], records, store: ox.Store) -> list[tuple[int, str]]:
    """Rows that give a link already in graph/ (or earlier in the sheet) other evidence or
    another author: refused, since the import only adds links, and dropping what the row says
    without a word would lose it."""
    given = {line: v for line, v in records}
    stored: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    for r in _select(store, """
        SELECT ?x ?p ?m (SAMPLE(?n) AS ?note) (SAMPLE(?w) AS ?who) (SAMPLE(?c) AS ?when)
               (GROUP_CONCAT(DISTINCT STR(?r); separator=" ") AS ?source)
        WHERE { VALUES ?p { skos:exactMatch skos:closeMatch }
            ?st rdf:subject ?x ; rdf:predicate ?p ; rdf:object ?m .
            OPTIONAL { ?st dcterms:bibliographicCitation ?n }
            OPTIONAL { ?st dcterms:source ?r }
            OPTIONAL { ?st prov:wasAttributedTo ?w }
            OPTIONAL { ?st dcterms:created ?c } } GROUP BY ?x ?p ?m"""):
        key = (r["x"], r["p"][len(str(SKOS)):], r["m"])
        stored[key] = (r.get("note", ""), r.get("who", ""), r.get("when", ""),
                       " | ".join(sorted(set(r.get("source", "").split()))))
    sheet: dict[tuple[str, str, str], int] = {}
    problems: list[tuple[int, str]] = []
    for row in rows:
        said = given.get(row.line, {})
        link = f"{_short(row.entity)} skos:{row.relation} {row.target}"
        if row.triple in stored:
            note, who, when, source = stored[row.triple]
            where = "graph/links.ttl"
        elif row.triple in sheet:
            first = next(r for r in rows if r.line == sheet[row.triple])
            note, who, when, source = first.note, first.who, first.when.isoformat(), first.source
            where = f"line {first.line}"
        else:
            sheet[row.triple] = row.line
            continue
        differs = []
        if row.note.strip() and row.note.strip() != note.strip():
            differs.append(f"its evidence is {note.strip()!r}" if note else "it has no evidence")
        if said.get("who") and row.who != who:
            differs.append(f"it is attributed to {_short(who)}" if who
                           else "it is attributed to no one")
        if said.get("when") and row.when.isoformat() != when:
            differs.append(f"it is dated {when}" if when else "it has no date")
        if row.source and row.source != source:
            differs.append(f"its source is {' | '.join(f'<{s}>' for s in _sources(source))}"
                           if source else "it has no source")
        if differs:
            problems.append((row.line, f"{link} is already in {where}, where "
                             f"{'; '.join(differs)}: the import only adds links; to change "
                             "one, edit its statement in graph/links.ttl"))
    return problems


#: C0 controls but tab and line breaks (a note may have several lines), DEL and C1 controls:
#: invisible in a sheet, and a NUL or an escape would go into graph/links.ttl as it is.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


#: A source: an absolute http(s) address with no spaces, quotes or angle brackets (it becomes an
#: IRI in graph/links.ttl).
_SOURCE = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


def _sources(cell: str) -> list[str]:
    """The addresses a source cell gives, sorted: one, or several joined by '|' (as ``kg links
    list`` writes a statement's several sources), which no address holds."""
    return sorted({part.strip() for part in cell.split("|") if part.strip()})


def _control_faults(values: dict[str, str]) -> list[str]:
    """A control character in a cell to be written, named by column, position and code."""
    faults = []
    for column in ("id", "authority_iri", "relation", "who", "when", "note", "source", "why"):
        m = _CONTROL.search(values.get(column) or "")
        if m:
            faults.append(f"{column} holds the control character U+{ord(m.group()):04X} at "
                          f"character {m.start() + 1}: remove it (it is invisible in a sheet)")
    return faults


def _note_faults(note: str, target: str) -> list[str]:
    """The evidence of a link to be written: given, and naming the identifier's number."""
    if not note.strip():
        return ["note is empty: give the evidence the link was verified from (the stored "
                "record that shows the identifier with this entity)"]
    number = _identifier_number(target)
    if number and not re.search(rf"(^|[^0-9]){number}([^0-9]|$)", note):
        return [f"note does not name the identifier it links to (the number {number}, "
                "standing alone): cite the stored record that shows it"]
    return []


def _identifier_number(iri: str) -> str | None:
    """The number of an authority IRI (Q1850 -> 1850, GeoNames 1821306/, LCNAF n79021164 ->
    79021164), which the evidence must name: the shapes' EvidenceNamesIdentifierConstraint."""
    m = re.search(r"([0-9]+)/?$", iri)
    return m.group(1) if m else None


def _entity_iri(text: str) -> str:
    """Our IRI for an id as a sheet gives it: the IRI, ``place:snuol``, or ``place/snuol`` (the
    reconciliation service's id, relative to its identifierSpace: OpenRefine's
    ``cell.recon.match.id``)."""
    text = text.strip().strip("<>").strip()
    m = re.fullmatch(r"([a-z]+)[:/]([a-z0-9][a-z0-9-]*)", text)
    return f"{BASE}{m.group(1)}/{m.group(2)}" if m else text


def _did_you_mean(entity: str, known: Iterable[str]) -> str:
    """' (did you mean IRI?)' for the known entity an unknown id most likely meant, else ''."""
    meant = closest_iri(entity, known)
    return f" (did you mean {meant}?)" if meant else ""


def closest_iri(entity: str, known: Iterable[str]) -> str | None:
    """The project IRI of ``known`` that ``entity`` (an IRI, ``place:snuol`` or ``place/snuol``)
    most likely meant: the closest by spelling, else the same name of another kind; None when
    none is close. Also names what a dangling reference meant (kg.qc)."""
    said = re.sub(r"^.*?w3id\.org/kg1978/", "", entity, flags=re.IGNORECASE)
    said = said.strip("/").lower().replace(":", "/", 1)
    ours = {x[len(BASE):]: x for x in known if x.startswith(BASE)}
    close = difflib.get_close_matches(said, sorted(ours), n=1, cutoff=0.8)
    if not close:  # the right name of another kind: actor/snuol for place/snuol
        local = said.rsplit("/", 1)[-1]
        close = [r for r in sorted(ours) if r.rsplit("/", 1)[-1] == local][:1]
    return ours[close[0]] if close else None


def _relation(text: str) -> str | None:
    """The SKOS relation a ``relation`` cell names: ``exactMatch``, ``skos:closeMatch``, its
    IRI, or as an archivist writes it ("exact", "Exact match", "close-match": either word can
    mean one relation only); None for anything else (``sameAs`` included)."""
    t = text.strip()
    for prefix in (str(SKOS), "skos:"):
        if t.startswith(prefix):
            t = t[len(prefix):]
    word = re.sub(r"[\s_-]+", "", t).lower()
    word = {"exact": "exactmatch", "close": "closematch"}.get(word, word)
    return {"exactmatch": "exactMatch", "closematch": "closeMatch"}.get(word)


def _slug(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _name_key(name: str) -> str:
    """A name as agents are matched by it: NFC, case-folded, spaces collapsed. 'jane đoàn' is
    'Jane Đoàn', but 'Nguyễn Văn Ân' is not 'Nguyễn Văn An': in Vietnamese these are two
    names, which an ASCII slug would make one."""
    text = unicodedata.normalize("NFC", name).casefold()
    return " ".join(unicodedata.normalize("NFC", text).split())


def _has_letters(name: str) -> bool:
    """Whether ``name`` has a letter or digit in any script (Unicode categories L* and N*)."""
    return any(unicodedata.category(c)[0] in "LN" for c in name)


def _name_stem(name: str) -> str:
    """The local name a new agent's IRI is minted from (before any -2, -3 suffix).

    A name written in Latin letters gives its ASCII slug (``Jane Đoàn`` -> ``jane-doan``). A
    name with a letter of another script (``សុខ ចាន់``, ``王小明``) gives the script's name and a
    short hash of the name as matched (``khmer-…``, ``cjk-…``): the standard library has no
    transliteration, and building one from the characters' Unicode names (``KHMER LETTER SA``,
    ``CJK UNIFIED IDEOGRAPH-738B``) would misorder Khmer vowel signs and say nothing for Chinese.
    The IRI only has to be stable and distinct; the name itself is kept as the label.
    """
    letters = [c for c in name if unicodedata.category(c)[0] == "L"]
    if all(unicodedata.name(c, "").startswith("LATIN ") for c in letters) and _slug(name):
        return _slug(name)
    script = _slug(unicodedata.name(letters[0], "name").split(" ")[0]) if letters else "name"
    digest = hashlib.sha256(_name_key(name).encode("utf-8")).hexdigest()[:8]
    return f"{script}-{digest}"


@dataclass
class _Agents:
    """The agents of the graph, and those a sheet names, as the import mints them."""

    #: A name as matched (:func:`_name_key`) -> the agent with that label.
    by_name: dict[str, str]
    #: The agents described in graph/ (typed as a PROV agent).
    described: set[str]
    #: Every IRI under the agent namespace in graph/ or minted for this sheet: not to mint again.
    taken: set[str]
    #: Each agent's label (the first, by ``_agents``'s order), and each minted one's name.
    labels: dict[str, str] = field(default_factory=dict)

    def named_by_local_name(self, who: str) -> str | None:
        """The described agent whose IRI's local name ``who`` is (``curators`` for
        agent:curators, labelled "kg curators"), where no agent has ``who`` as its label: such
        a name is refused, not matched (``An`` may be a person other than agent:an, labelled
        "Ân") nor minted (a second "curators" agent)."""
        if re.match(r"https?://|agent:", who) or _name_key(who) in self.by_name:
            return None
        # the name as a local name, its letters kept (diacritics, any script) and the rest
        # made hyphens: "Curators." is "curators"; "Nguyễn Văn Ân" is not "nguyen-van-an"
        iri = AGENT_NS + re.sub(r"[\W_]+", "-", _name_key(who)).strip("-")
        return iri if iri in self.described else None

    def iri(self, who: str) -> str:
        """The agent ``who`` names: an IRI as given, ``agent:NAME``, the agent whose label is
        the name, or a new agent IRI, minted once per name in the order the rows give them."""
        if re.match(r"https?://", who):
            return who
        if who.startswith("agent:"):
            return AGENT_NS + who[len("agent:"):]
        key = _name_key(who)
        if key not in self.by_name:
            stem = _name_stem(who)
            iri, n = AGENT_NS + stem, 2
            while iri in self.taken:  # another person's name with the same slug
                iri, n = f"{AGENT_NS}{stem}-{n}", n + 1
            self.by_name[key] = iri
            self.taken.add(iri)
            self.labels[iri] = who.strip()
        return self.by_name[key]

    def alike(self, rows: list[_Row]) -> list[str]:
        """A warning for each agent minted for ``rows`` whose IRI took a suffix because
        another agent's name gives the same ASCII form ("nguyen thi hoa" after "Nguyễn Thị
        Hoa"): two people in Vietnamese perhaps, so not refused, or one person who typed the
        name once without its accents, whose links would be split between two agents."""
        out, said = [], set()
        for row in rows:
            if row.who in self.described or row.who in said:
                continue
            other = AGENT_NS + _name_stem(row.who_label)
            if other != row.who and other in self.labels:
                said.add(row.who)
                new, old = _short(row.who), _short(other)
                out.append(f"line {row.line}: who {self.labels[row.who]!r} is a new agent, "
                           f"{new}, not {self.labels[other]!r} ({old}), whose name has the "
                           "same letters but for accents and case: if they are one person, "
                           f"replace {new} by {old} in graph/{LINKS_FILE}")
        return out


def _agents(store: ox.Store) -> _Agents:
    """The agents of the graph in ``store``, matched only by their labels."""
    by_name: dict[str, str] = {}
    described: set[str] = set()
    labels: dict[str, str] = {}
    types = " ".join(f"<{t}>" for t in _AGENT_TYPES)
    for r in _select(store, f"""
        SELECT DISTINCT ?a ?l WHERE {{ VALUES ?t {{ {types} }} ?a a ?t
            OPTIONAL {{ ?a rdfs:label ?l }} FILTER(isIRI(?a)) }} ORDER BY ?a ?l"""):
        described.add(r["a"])
        if "l" in r:
            by_name.setdefault(_name_key(r["l"]), r["a"])
            labels.setdefault(r["a"], r["l"])
    taken = described | {r["a"] for r in _select(store, f"""
        SELECT DISTINCT ?a WHERE {{ {{ ?a ?p ?o }} UNION {{ ?s ?p ?a }}
            FILTER(isIRI(?a) && STRSTARTS(STR(?a), "{AGENT_NS}")) }}""")}
    return _Agents(by_name, described, taken, labels)


def _check_against_graph(rows: list[_Row], existing, root: Path) -> list[tuple[int, str]]:
    """Rows that disagree with each other or with the links already in graph/."""
    problems: list[tuple[int, str]] = []
    where: dict[tuple[str, str], str] = {}
    relation_of: dict[tuple[str, str], tuple[str, str]] = {}
    for x, p, m, g in existing:
        source = f"graph/{g.rsplit('/', 1)[-1]}.ttl"
        where.setdefault((x, m), source)
        relation_of.setdefault((x, m), (p, source))
    new: list[_Row] = []
    for row in rows:
        key = (row.entity, row.target)
        if key in relation_of:
            p, source = relation_of[key]
            if p != row.relation:
                problems.append((row.line, f"{_short(row.entity)} is already linked to "
                                           f"{row.target} by skos:{p} in {source}; to change "
                                           f"the relation, remove that link first"))
            continue
        relation_of[key] = (row.relation, f"line {row.line}")
        where[key] = f"line {row.line}"
        new.append(row)
    ids: dict[tuple[str, str], list[str]] = defaultdict(list)
    owners: dict[str, list[str]] = defaultdict(list)
    for x, m in where:
        a = authority_of(m)
        if a:
            ids[(x, a)].append(m)
            owners[m].append(x)
    for row in new:
        title = AUTHORITIES[row.authority].title
        others = [m for m in ids[(row.entity, row.authority)] if m != row.target]
        if others and not row.why:
            listed = ", ".join(f"{m} ({where[(row.entity, m)]})" for m in sorted(others))
            problems.append((row.line, f"{_short(row.entity)} would have two {title} ids: "
                                       f"{row.target} and {listed}; if that is right, say why "
                                       f"in the why column"))
        claimants = [x for x in owners[row.target] if x != row.entity]
        if claimants and not row.why:
            listed = ", ".join(f"{_short(x)} ({where[(x, row.target)]})"
                               for x in sorted(claimants))
            problems.append((row.line, f"{row.target} would be claimed by two entities: "
                                       f"{_short(row.entity)} and {listed}; if that is right, "
                                       f"say why in the why column"))
    return problems


def _add_links(graph: Graph, rows: list[_Row], store: ox.Store) -> None:
    taken = {str(s) for s in graph.subjects()} | {
        r["s"] for r in _select(store, f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o
            FILTER(STRSTARTS(STR(?s), "{LINK_NS}")) }}""")}
    known_agents = _agents(store).described
    for row in rows:
        s, p, o = URIRef(row.entity), RELATIONS[row.relation], URIRef(row.target)
        graph.add((s, p, o))
        st = URIRef(_statement_iri(row, taken))
        taken.add(str(st))
        graph.add((st, RDF.type, RDF.Statement))
        graph.add((st, RDFS.label, Literal(_statement_label(row, store), lang="en")))
        graph.add((st, RDF.subject, s))
        graph.add((st, RDF.predicate, p))
        graph.add((st, RDF.object, o))
        agent = URIRef(row.who)
        graph.add((st, PROV.wasAttributedTo, agent))
        graph.add((st, DCTERMS.created, Literal(row.when.isoformat(), datatype=XSD.date)))
        if row.note:
            graph.add((st, DCTERMS.bibliographicCitation, Literal(row.note)))
        for source in _sources(row.source):
            graph.add((st, DCTERMS.source, URIRef(source)))
        if row.why:
            graph.add((st, WHY, Literal(row.why)))
        if (row.who.startswith(AGENT_NS) and row.who not in known_agents
                and (agent, RDF.type, None) not in graph):
            graph.add((agent, RDF.type, PROV.Agent))
            graph.add((agent, RDFS.label, Literal(row.who_label)))


def _statement_label(row: _Row, store: ox.Store) -> str:
    """Like the curators' labels: 'Phnom Penh same as Wikidata Q1850'."""
    labels = sorted(r["l"] for r in _select(store, f"""SELECT ?l WHERE {{ <{row.entity}>
        rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en")) }}""")) or [_short(row.entity)]
    ident = row.target.rstrip("/").rsplit("/", 1)[-1]
    how = "same as" if row.relation == "exactMatch" else "close to"
    return f"{labels[0]} {how} {AUTHORITIES[row.authority].title} {ident}"


def _statement_iri(row: _Row, taken: set[str]) -> str:
    ident = row.target.rstrip("/").rsplit("/", 1)[-1].lower()
    segment, local = row.entity[len(BASE):].split("/", 1) if row.entity.startswith(BASE) \
        else ("x", _slug(row.entity))
    for stem in (f"{local}-{row.authority}-{ident}", f"{segment}-{local}-{row.authority}-{ident}"):
        if LINK_NS + stem not in taken:
            return LINK_NS + stem
    n = 2
    while f"{LINK_NS}{segment}-{local}-{row.authority}-{ident}-{n}" in taken:
        n += 1
    return f"{LINK_NS}{segment}-{local}-{row.authority}-{ident}-{n}"


def _check_conforms(root: Path, sources: Sources, candidate: Graph, rows: list[_Row],
                    path: Path, validator: str = "fast") -> list[str]:
    """Raise :class:`LinksFileError` where the graph with the new links would not conform;
    return what it warns of, one line each."""
    from kg.validate import validate_closure

    parts = [graph for name, graph in sources.graphs.items() if name != LINKS_GRAPH]
    # checked as the build checks it: the same view of the closure, the same shapes
    report = validate_closure([*parts, candidate], load_shapes(root), validator=validator)
    warnings = [f"{r.message} (focus {_short(r.focus)}"
                + (f", value {_short(r.value)})" if r.value else ")")
                for r in report.results if not r.fails]
    if report.conforms:
        return warnings
    problems: list[tuple[int | None, str]] = []
    for r in report.results:
        if not r.fails:  # a warning does not stop the import
            continue
        lines = ([row.line for row in rows if r.value == row.target]
                 or [row.line for row in rows if r.focus in (row.entity, row.target)])
        text = f"the graph would not conform: {r.message} (focus {_short(r.focus)}" + (
            f", value {r.value})" if r.value else ")")
        problems += [(n, text) for n in lines] or [(None, text)]
    raise LinksFileError(path, sorted(set(problems), key=lambda p: (p[0] or 0, p[1])))


# ---------------------------------------------------------------- writing graph/links.ttl

_HEADER_COMMENT = """\
# Links from our entities to external authorities (Wikidata, GeoNames, VIAF, the Library of
# Congress Name Authority File). Written by `kg links import`: sorted, one link per block,
# the link triple followed by its reified statement with who decided it, when, the evidence
# and, for an allowed exception, why. skos:exactMatch for the same thing, skos:closeMatch where
# the authority's entity differs (a present-day province for a 1978 one). Never owl:sameAs.
# Hand edits are kept but re-laid out by the next import; comments are not kept.
"""

_FIXED_PREFIXES = ("rdf", "rdfs", "xsd", "skos", "prov", "dcterms")
_STATEMENT_HEAD = (RDF.type, RDFS.label, RDF.subject, RDF.predicate, RDF.object)
_STATEMENT_ORDER = (PROV.wasAttributedTo, DCTERMS.created, DCTERMS.bibliographicCitation, WHY)
_LOCAL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


def links_turtle(graph: Graph) -> str:
    """``graph`` as Turtle in the layout of graph/links.ttl: the same graph, the same bytes."""
    if any(isinstance(t, BNode) for triple in graph for t in triple):
        graph = to_canonical_graph(graph)
    g = Graph()
    g += graph
    prefixes = {p: PREFIXES[p] for p in _FIXED_PREFIXES}
    for t in sorted({str(t) for triple in g for t in triple if isinstance(t, URIRef)}):
        m = re.fullmatch(re.escape(BASE) + r"([a-z]+)/(.+)", t)
        if m and m.group(1) not in prefixes and m.group(1) != "ontology" and _LOCAL.fullmatch(
                m.group(2)):
            prefixes[m.group(1)] = f"{BASE}{m.group(1)}/"
    prefixes = {**{p: prefixes[p] for p in _FIXED_PREFIXES},
                **dict(sorted((p, ns) for p, ns in prefixes.items() if p not in _FIXED_PREFIXES))}

    def term(t, predicate: bool = False) -> str:
        if predicate and t == RDF.type:
            return "a"
        if isinstance(t, URIRef):
            best = max((p for p, ns in prefixes.items() if str(t).startswith(ns)),
                       key=lambda p: len(prefixes[p]), default=None)
            if best and _LOCAL.fullmatch(str(t)[len(prefixes[best]):]):
                return f"{best}:{str(t)[len(prefixes[best]):]}"
            return f"<{t}>"
        if isinstance(t, BNode):
            return f"_:{t}"
        return literal_text(t, datatype=lambda iri: term(URIRef(iri)), keep_string_type=True)

    def objects(s, p) -> str:
        return ", ".join(sorted(term(o) for o in g.objects(s, p)))

    blocks: list[str] = []
    links = sorted(((s, p, o) for p in RELATIONS.values() for s, o in g.subject_objects(p)),
                   key=lambda t: (str(t[0]), str(t[2]), str(t[1])))
    statements = []
    for st in g.subjects(RDF.type, RDF.Statement):
        spo = [list(g.objects(st, q)) for q in (RDF.subject, RDF.predicate, RDF.object)]
        if isinstance(st, URIRef) and all(len(v) == 1 for v in spo):
            statements.append((st, tuple(v[0] for v in spo)))
    for s, p, o in links:
        lines = [f"{term(s)} {term(p, True)} {term(o)} ."]
        for st, _ in sorted((x for x in statements if x[1] == (s, p, o)), key=lambda x: str(x[0])):
            tail = [*_STATEMENT_ORDER, *sorted({q for q in g.predicates(st)
                                                if q not in _STATEMENT_HEAD + _STATEMENT_ORDER},
                                               key=str)]
            others = [t for t in g.objects(st, RDF.type) if t != RDF.Statement]
            head = f"{term(st)} a " + ", ".join(["rdf:Statement", *sorted(term(t) for t in others)])
            if (st, RDFS.label, None) in g:
                head += f" ; rdfs:label {objects(st, RDFS.label)}"
            rest = [f"{term(q, True)} {objects(st, q)}" for q in tail if (st, q, None) in g]
            body = [head, f"rdf:subject {term(s)} ; rdf:predicate {term(p)} ; rdf:object {term(o)}",
                    *rest]
            lines.append(" ;\n    ".join(body) + " .")
            for q in (*_STATEMENT_HEAD, *tail):
                g.remove((st, q, None))
        g.remove((s, p, o))
        blocks.append("\n".join(lines))
    for s in sorted(set(g.subjects()), key=lambda x: (isinstance(x, BNode), str(x))):
        preds = sorted(set(g.predicates(s)), key=lambda q: (q != RDF.type, str(q)))
        body = [f"{term(q, True)} {objects(s, q)}" for q in preds]
        blocks.append(f"{term(s)} " + " ;\n    ".join(body) + " .")
    head = "".join(f"@prefix {p + ':':<8} <{ns}> .\n" for p, ns in prefixes.items())
    return _HEADER_COMMENT + "\n" + head + "\n" + "\n\n".join(blocks) + "\n"

