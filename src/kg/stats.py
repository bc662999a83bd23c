"""``kg stats``: counts per class and per named graph, and authority-link coverage."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.build import read_built
from kg.iris import KGO, PREFIXES
from kg.links import coverage, coverage_lines
from kg.store import COUNT_DISTINCT_TRIPLES, parse_dataset

_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


@dataclass
class Stats:
    graphs: dict[str, int] = field(default_factory=dict)
    #: Triples of the union of the graphs, each once (a triple may be in several graphs).
    triples: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    #: Everything kg.links.coverage computes (per class, per authority, conflicts, unlinked).
    links: dict = field(default_factory=dict)


def compute(store: ox.Store) -> Stats:
    """Counts from a store holding the built dataset."""
    s = Stats()
    for row in store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    ):
        s.graphs[row["g"].value] = int(row["n"].value)
    s.triples = int(next(iter(store.query(COUNT_DISTINCT_TRIPLES,
                                          use_default_graph_as_union=True)))["n"].value)
    for row in store.query(
        _PROLOGUE + "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c . "
        "FILTER(STRSTARTS(STR(?c), STR(kgo:))) } GROUP BY ?c ORDER BY ?c",
        use_default_graph_as_union=True,
    ):
        s.classes[row["c"].value[len(str(KGO)):]] = int(row["n"].value)
    s.links = coverage(store)
    return s


def stats_text(settings: dict) -> str:
    store, _, _ = read_built(settings, lambda path, digest: parse_dataset(
        path, lenient=True, digest=digest))  # the build's own bytes, checked by its digest
    s = compute(store)
    out = ["Triples per named graph:"]
    out += [f"  {n:>6}  {g}" for g, n in s.graphs.items()]
    total = sum(s.graphs.values())
    out.append(f"  {total:>6}  (total)" if total == s.triples else
               f"  {total:>6}  (total; {s.triples} distinct: {total - s.triples} held by "
               "more than one graph)")
    out.append("")
    out.append("Instances per class (asserted and inferred):")
    out += [f"  {n:>6}  kgo:{c}" for c, n in s.classes.items()]
    out.append("")
    out += coverage_lines(s.links)
    return "\n".join(out) + "\n"
