"""``kg stats``: counts per class and per named graph, and authority-link coverage."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.build import ensure_built
from kg.iris import KGO, PREFIXES
from kg.query import open_store

#: The classes whose instances archivists link to authorities.
LINKABLE = ("Person", "Organisation", "State", "MilitaryUnit", "Place", "Event")
AUTHORITIES = {
    "wikidata": "http://www.wikidata.org/entity/",
    "geonames": "https://sws.geonames.org/",
}

_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


@dataclass
class Stats:
    graphs: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    coverage: dict[str, dict[str, int]] = field(default_factory=dict)
    unlinked: list[tuple[str, str, str]] = field(default_factory=list)


def compute(store: ox.Store) -> Stats:
    """Counts from a store holding the built dataset."""
    s = Stats()
    for row in store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    ):
        s.graphs[row["g"].value] = int(row["n"].value)
    for row in store.query(
        _PROLOGUE + "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c . "
        "FILTER(STRSTARTS(STR(?c), STR(kgo:))) } GROUP BY ?c ORDER BY ?c",
        use_default_graph_as_union=True,
    ):
        s.classes[row["c"].value[len(str(KGO)):]] = int(row["n"].value)
    for cls in LINKABLE:
        entry = {"entities": 0, "linked": 0}
        for auth in AUTHORITIES:
            entry[auth] = 0
        for row in store.query(
            _PROLOGUE + f"""SELECT ?x ?label (GROUP_CONCAT(STR(?m); separator=" ") AS ?links)
            WHERE {{ ?x a kgo:{cls} ; rdfs:label ?label .
                     OPTIONAL {{ ?x skos:exactMatch|skos:closeMatch ?m }} }}
            GROUP BY ?x ?label ORDER BY ?x""",
            use_default_graph_as_union=True,
        ):
            links = row["links"].value.split() if row["links"] is not None else []
            entry["entities"] += 1
            if links:
                entry["linked"] += 1
            for auth, ns in AUTHORITIES.items():
                if any(link.startswith(ns) for link in links):
                    entry[auth] += 1
            if not links and cls in ("Person", "Organisation", "State", "MilitaryUnit", "Place"):
                s.unlinked.append((cls, row["x"].value, row["label"].value))
        s.coverage[cls] = entry
    s.unlinked = sorted(set(s.unlinked), key=lambda t: (t[1], t[0]))
    return s


def stats_text(settings: dict) -> str:
    s = compute(open_store(ensure_built(settings)))
    out = ["Triples per named graph:"]
    out += [f"  {n:>6}  {g}" for g, n in s.graphs.items()]
    out.append(f"  {sum(s.graphs.values()):>6}  (total)")
    out.append("")
    out.append("Instances per class (asserted and inferred):")
    out += [f"  {n:>6}  kgo:{c}" for c, n in s.classes.items()]
    out.append("")
    out.append("Authority links (skos:exactMatch / skos:closeMatch):")
    out.append(f"  {'class':<14}{'entities':>9}{'linked':>8}{'wikidata':>10}{'geonames':>10}")
    for cls, e in s.coverage.items():
        out.append(f"  {cls:<14}{e['entities']:>9}{e['linked']:>8}{e['wikidata']:>10}{e['geonames']:>10}")
    seen: set[str] = set()
    unlinked = [(c, x, label) for c, x, label in s.unlinked if not (x in seen or seen.add(x))]
    out.append("")
    out.append(f"Unlinked entities ({len(unlinked)}):")
    out += [f"  {x}  {label}  [{c}]" for c, x, label in unlinked]
    return "\n".join(out) + "\n"
