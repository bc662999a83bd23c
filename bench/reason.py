"""Time the reasoners (issue 5): owlrl, the reference, against kg.materialise, the fast path.

The data is bench/generate.py's graph of our shape with its own benchmark ontology and its
pre-computed inferences dropped, the real ontology/kg.ttl instead, and a few facts added so that
every rule kind fires (:func:`write_asserted`): symmetric adjacency, sub-properties of
hadParticipant, a sub-property with a range (alongRoute), inverses (hasFigure, founded) and a
cycle of a transitive property. By default the data conforms to shapes/ (bench/build.py builds
it); ``--nonconforming`` gives generate.py's graph as it is, with a cycle in the unit hierarchy.

    .venv/bin/python bench/reason.py                      # 10k, 100k, 1M; owlrl at 10k only
    .venv/bin/python bench/reason.py --owlrl-100k         # owlrl at 100k too (~2.5 minutes)
    .venv/bin/python bench/reason.py --sizes 1000000 10000000 --no-rdflib

Columns: ``owlrl`` is kg.reason.infer(reasoner="owlrl"); ``fast/rdflib`` is infer(reasoner="fast")
on the same rdflib Graph; ``fast/oxigraph`` is kg.materialise.materialise_store on a pyoxigraph
store (read from the store, inferred quads written into the inferred graph). Load times are
reported apart. Each size runs in a child process so that peak RSS (ru_maxrss) is per run.
``same`` says whether the fast result equals owlrl's (when both ran), and the oxigraph result
the rdflib one.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ONTOLOGY = REPO / "ontology" / "kg.ttl"
B = "https://w3id.org/kg1978/"
KGO = B + "ontology/"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PROV = "http://www.w3.org/ns/prov#"
GEO = "http://www.opengis.net/ont/geosparql#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DROPPED_GRAPHS = (f"<{B}graph/ontology>", f"<{B}graph/inferred>")
EXTRA_GRAPH = f"<{B}graph/bench-extra>"
#: The share of generate.py's quads that are asserted data (measured: 0.57 at 10k, 0.60 at 1M).
GENERATED_KEPT = 0.6
#: The same with the additions that make the data conform, the statements of its command, place and
#: border relations included (measured: 1.06 at 10k, 0.99 at 100k, 1.00 at 1M).
GENERATED_KEPT_CONFORMING = 1.0

#: The transitive and symmetric relations, which kgs:ReifiedChainShape wants reified.
CHAINS = frozenset(f"<{KGO}{p}>" for p in ("subordinateTo", "placeWithin", "adjacentTo"))
#: generate.py's classes that are not the ontology's: what the conforming data says instead
#: (the ontology has no class for regiments).
CLASSES = {"Organization": "Organisation", "Regiment": "MilitaryUnit"}
#: generate.py's units of count -> the ontology's kgo:UnitOfCount and the nearest kgo:FigureKind.
FIGURES = {
    "killed": ("persons", "troopsKilled"),
    "wounded": ("persons", "troopsDisintegrated"),
    "captured": ("persons", "troopsCapturedAlive"),
    "soldiers": ("persons", "troopsSurrendered"),
    "weapons": ("buildings", "buildingsBurned"),
    "civilians": ("persons", "civiliansKilledOrCaptured"),
}
#: What a meeting decides and an announcement announces (a kgo:Measure, by the shapes).
DELIBERATIONS = {f"<{KGO}Meeting>": "decided", f"<{KGO}Announcement>": "announces"}
SOURCE = f"<{B}source/article-part1>"
#: Armed forces at the top of the unit tree, military regions shared out among them (the real
#: graph has three: the VPA, the Pol Pot forces, the Cambodian revolutionary forces).
ARMED_FORCES = tuple(f"<{B}unit/armed-forces-{i}>" for i in (1, 2, 3))
CURATORS = f"<{B}agent/curators>"


def _generate_module():
    spec = importlib.util.spec_from_file_location("kg_bench_generate", HERE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Asserted:
    """A text sink for generate.py: drops its ontology and inferred graphs, remembers entities
    (by generate.py's class names) and, when ``conforming``, rewrites and completes the data so
    that it satisfies shapes/ (see :func:`write_asserted`)."""

    def __init__(self, out, conforming: bool = False) -> None:
        self.out = out
        self.conforming = conforming
        self.by_class: dict[str, list[str]] = {}
        self.count = 0
        self._pending: dict[str, str] = {}  # meeting / announcement -> decided / announces
        self._regions = 0
        self._groups: set[str] = set()  # the organisations (generate.py's class), for lookup
        #: the command, place and border relations written, each to get its rdf:Statement in
        #: the named graph of the triple (as the QC query unreified-relation wants)
        self.chains: list[tuple[str, str, str, str]] = []
        self._graph = EXTRA_GRAPH  # the named graph of the line being conformed
        self._labels: set[str] = set()  # the labels written, lower-cased
        #: every event's [start, end] days (ISO text; None: no end), as generate.py dated it
        self.dates: dict[str, list[str | None]] = {}
        #: the events each actor takes part in (kgo:hadParticipant), for the foundings
        self.participations: dict[str, list[str]] = {}

    def write(self, chunk: str) -> None:
        keep = []
        for line in chunk.splitlines(keepends=True):
            body = line.rstrip()[:-1].rstrip()
            if body.endswith(DROPPED_GRAPHS):
                continue
            s, p, rest = body.split(" ", 2)
            if p == f"<{KGO}hadParticipant>":
                self.participations.setdefault(rest.split(" ", 1)[0], []).append(s)
            elif p in (f"<{KGO}startDate>", f"<{KGO}endDate>"):
                self.dates.setdefault(s, [None, None])[p == f"<{KGO}endDate>"] = rest[1:11]
            if p == f"<{TYPE}>" and rest.startswith(f"<{KGO}"):
                cls = rest.split(" ", 1)[0][len(KGO) + 1 : -1]
                self.by_class.setdefault(cls, []).append(s)
                if cls == "Organization":
                    self._groups.add(s)
            if self.conforming:
                o, g = rest.rsplit(" ", 1)
                self._graph = g
                keep.extend(f"{t[0]} {t[1]} {t[2]} {g} .\n" for t in self._conform(s, p, o))
            else:
                keep.append(line)
        self.count += len(keep)
        self.out.write("".join(keep))

    def _conform(self, s: str, p: str, o: str) -> list[tuple[str, str, str]]:
        """The triples that replace generate.py's (s, p, o): the same, in the ontology's terms,
        and what the shapes require of the node beside it."""
        if p == f"<{LABEL}>":  # EntityShape: exactly one English label
            if o.lower() in self._labels:  # QC duplicate-entity-label: told apart
                o = f'{o[:-1]} ({_local(s)})"'
            self._labels.add(o.lower())
            return [(s, p, o + "@en")]
        if p == f"<{TYPE}>":
            cls = o[len(KGO) + 1 : -1] if o.startswith(f"<{KGO}") else None
            if cls in CLASSES:
                return [(s, p, f"<{KGO}{CLASSES[cls]}>")]
            if cls == "Quantity":  # generate.py gives figures no label
                return [(s, p, o), (s, f"<{LABEL}>", f'"Figure {_local(s)}"@en')]
            if cls == "Passage":  # PassageShape: part of one source, with its text digest
                digest = hashlib.sha256(s.encode()).hexdigest()
                return [(s, p, o), (s, "<http://purl.org/dc/terms/isPartOf>", SOURCE),
                        (s, f"<{KGO}textDigest>", f'"{digest}"')]
            if cls == "MilitaryRegionCommand":  # MilitaryUnitShape: under armed forces
                self._regions += 1
                top = ARMED_FORCES[self._regions % len(ARMED_FORCES)]
                self.chains.append((s, f"<{KGO}subordinateTo>", top, self._graph))
                return [(s, p, o), (s, f"<{KGO}subordinateTo>", top)]
            if o in DELIBERATIONS:
                self._pending[s] = DELIBERATIONS[o]
            return [(s, p, o)]
        if p == f"<{KGO}ofActor>":
            # generate.py's name for kgo:ofGroup, which the ontology declares (DeclaredProperty-
            # Shape): the counted group, a kgo:Group (its range), so only of an organisation
            return [(s, f"<{KGO}ofGroup>", o)] if o in self._groups else []
        if p in CHAINS:  # ReifiedChainShape: each gets its statement (write_asserted)
            self.chains.append((s, p, o, self._graph))
        if p == f"<{GEO}hasGeometry>":  # GeometryShape: typed, and where it comes from
            return [(s, p, o), (o, f"<{TYPE}>", f"<{GEO}Geometry>"),
                    (o, f"<{PROV}wasAttributedTo>", CURATORS),
                    (o, f"<{LABEL}>", f'"Geometry of {_local(s)}"@en')]  # QC dangling-reference
        if p == f"<{KGO}unitOfCount>":  # QuantityShape: a kgo:UnitOfCount and a kgo:FigureKind
            unit, kind = FIGURES[o[len(KGO) + 1 : -1]]
            return [(s, p, f"<{KGO}{unit}>"), (s, f"<{KGO}figureKind>", f"<{KGO}{kind}>")]
        if p == f"<{KGO}subEventOf>" and not self._within(s, o):
            return []  # EventChronologyShape: a part lies within its whole's dates
        if p == f"<{PROV}wasDerivedFrom>" and s in self._pending:
            # Decision- / AnnouncementShape: what it decided or announced, a cited kgo:Measure
            measure = f"<{B}measure/{_local(s)}>"
            verb = self._pending.pop(s)
            return [(s, p, o), (s, f"<{KGO}{verb}>", measure),
                    (measure, f"<{TYPE}>", f"<{KGO}Measure>"),
                    (measure, f"<{LABEL}>", f'"What {_local(s)} {verb}"@en'),
                    (measure, p, o)]
        return [(s, p, o)]


    def founded_by(self, group: str, founding: str) -> bool:
        """Whether ``group`` can have been founded in ``founding``: each other event it takes
        part in that has an end date ends no earlier than the founding begins."""
        begins = self.dates[founding][0]
        return all(self.dates[e][1] is None or self.dates[e][1] >= begins
                   for e in self.participations.get(group, ()) if e != founding)

    def _within(self, part: str, whole: str) -> bool:
        """Whether the part's dates lie within the whole's (generate.py dates an event before
        it names the offensive it is part of, and dates that offensive before it)."""
        (start, end), (w_start, w_end) = self.dates[part], self.dates[whole]
        return start >= w_start and (w_end is None or (end or start) <= w_end)


def _local(iri: str) -> str:
    return iri[:-1].rsplit("/", 1)[1]


def write_asserted(triples: int, out, seed: int = 1978, conforming: bool = True) -> int:
    """Write the asserted data graphs (not the ontology) of about ``triples`` quads to the text
    stream ``out`` as N-Quads; return the number of quads. Deterministic in (triples, seed).

    generate.py's graph is written as it is with ``conforming=False`` (the older benchmark data:
    about 0.6 SHACL results per triple). By default it is made to conform to shapes/ with
    ontology/kg.ttl: English labels, the ontology's classes (kgo:Organisation; regiments, which
    have no class, as kgo:MilitaryUnit; three armed forces above the military regions), figures
    with a label, a kgo:UnitOfCount and a kgo:FigureKind (and kgo:ofGroup, of organisations only,
    for generate.py's undeclared kgo:ofActor), typed geometries attributed to the
    curators, passages part of a source article with a text digest, a cited kgo:Measure for
    every meeting (decided) and announcement (announces), roads as kgo:Road within a country,
    and an rdf:Statement citing a passage for every command, place and border relation
    (subordinateTo, placeWithin, adjacentTo), as graph/ has (about a third of the triples).

    The extra facts exercise every rule kind either way; what differs is noted here. Symmetric
    adjacency of districts; sub-properties of hadParticipant (supportedBy) and of P11 and hasActor
    (directedAgainst);
    alongRoute, a sub-property of tookPlaceAt with a range; the inverses hasFigure (conforming:
    to figures of their own, whose figureOf only the inverse gives, as QuantityOfShape allows one
    figureOf) and founded (conforming: of an organisation, as FoundingShape wants a kgo:Group);
    attachedTo between units (conforming: each with its reified statement citing a passage, as
    ReifiedRelationShape wants); and a cycle of a transitive property, subordinateTo between two
    battalions, only where the data need not conform (the shapes forbid every such cycle);
    conforming, twin events as parts of others instead."""
    sink = _Asserted(out, conforming)
    kept = GENERATED_KEPT_CONFORMING if conforming else GENERATED_KEPT
    # generate.py counts its inferred and ontology graphs too, about 40% of its output
    _generate_module().generate(round(triples / kept), sink, seed=seed)
    rng = random.Random(seed * 7919 + 1)
    c = sink.by_class
    events = [
        e
        for k in (
            "Attack",
            "Offensive",
            "CounterOffensive",
            "Liberation",
            "Uprising",
            "Meeting",
            "Announcement",
            "Founding",
        )
        for e in c.get(k, [])
    ]
    units = [
        u
        for k in ("MilitaryRegionCommand", "ArmyCorps", "Division", "Regiment", "Battalion")
        for u in c.get(k, [])
    ]
    districts = c.get("District", [])
    actors = c.get("Person", []) + c.get("Organization", [])
    quantities = c.get("Quantity", [])
    passages = c.get("Passage", [])
    lines: list[str] = []

    def quad(s: str, p: str, o: str, graph: str = EXTRA_GRAPH) -> None:
        lines.append(f"{s} {p} {o} {graph} .\n")

    def q(s: str, p: str, o: str) -> None:
        quad(s, f"<{KGO}{p}>", o)

    def a(s: str, cls: str, label: str) -> None:
        quad(s, f"<{TYPE}>", cls)
        quad(s, f"<{LABEL}>", f'"{label}"@en')

    def statement(st: str, s: str, p: str, o: str, graph: str = EXTRA_GRAPH) -> None:
        """The rdf:Statement ``st`` of (s, p, o), citing a passage, in ``graph``."""
        quad(st, f"<{TYPE}>", f"<{RDF_NS}Statement>", graph)
        quad(st, f"<{RDF_NS}subject>", s, graph)
        quad(st, f"<{RDF_NS}predicate>", p, graph)
        quad(st, f"<{RDF_NS}object>", o, graph)
        quad(st, f"<{PROV}wasDerivedFrom>", rng.choice(passages), graph)

    if conforming:
        a(SOURCE, f"<{KGO}Article>", "Generated article, part 1")
        quad(SOURCE, "<http://schema.org/inLanguage>", '"en"')  # ArticleShape
        for i, top in enumerate(ARMED_FORCES, 1):
            a(top, f"<{KGO}ArmedForces>", f"Generated armed forces {i}")
        a(CURATORS, f"<{PROV}Agent>", "kg curators")

    for d in districts:
        if rng.random() < 0.3:
            q(d, "adjacentTo", other := rng.choice(districts))
            if conforming:
                sink.chains.append((d, f"<{KGO}adjacentTo>", other, EXTRA_GRAPH))
    roads = [f"<{B}place/road-{i:04d}>" for i in range(1, max(2, len(events) // 50) + 1)]
    if conforming:
        countries = c.get("Country", [])
        for i, road in enumerate(roads, 1):
            a(road, f"<{KGO}Road>", f"Road No. {i}")
            q(road, "placeWithin", countries[i % len(countries)])  # PlaceInCountryShape
            sink.chains.append((road, f"<{KGO}placeWithin>", countries[i % len(countries)],
                                EXTRA_GRAPH))
    figures = 0
    for e in events:
        r = rng.random()
        if r < 0.10:
            q(e, "directedAgainst", rng.choice(units))
        elif r < 0.15:
            q(e, "supportedBy", supporter := rng.choice(actors + units))
            sink.participations.setdefault(supporter, []).append(e)
        elif r < 0.20:
            q(e, "alongRoute", rng.choice(roads))
        elif r < 0.25 and quantities:
            if not conforming:
                q(e, "hasFigure", rng.choice(quantities))
                continue
            figures += 1
            figure = f"<{B}figure/x{figures:06d}>"
            unit, kind = FIGURES[rng.choice(sorted(FIGURES))]
            q(e, "hasFigure", figure)
            a(figure, f"<{KGO}Quantity>", f"Figure x{figures:06d}")
            q(figure, "exactValue", f'"{rng.randrange(1, 1000)}"^^<{XSD}integer>')
            q(figure, "unitOfCount", f"<{KGO}{unit}>")
            q(figure, "figureKind", f"<{KGO}{kind}>")
            quad(figure, f"<{PROV}wasDerivedFrom>", rng.choice(passages))
    groups = c.get("Organization", []) if conforming else actors
    for f in c.get("Founding", []):
        # GroupLifetimeShape: a group founded after an event it took part in had ended is
        # refused (generate.py dates foundings before its other events, but a founding may
        # count a group founded later among its participants): the group drawn, else the
        # first after it in the list that took part in nothing over before the founding
        drawn = groups.index(rng.choice(groups))
        q(f, "founded", next((g for g in groups[drawn:] + groups[:drawn]
                              if sink.founded_by(g, f)), groups[drawn]))
    battalions = c.get("Battalion", [])
    for i in range(1, max(1, triples // 50_000) + 1):
        # a cycle of a transitive property: owlrl and the fast path must agree on it (the
        # shapes report every such cycle, so only the data that need not conform has one)
        if not conforming:
            one, two = rng.sample(battalions, 2)
            q(one, "subordinateTo", two)
            q(two, "subordinateTo", one)
            continue
        # conforming: a twin of an event, with its dates, as a part of it (a part may span
        # its whole; a sub-event cycle, which this once was, is now reported)
        one, two = rng.choice(events), f"<{B}event/twin-{i:04d}>"
        a(two, f"<{KGO}Event>", f"Twin {i} of {_local(one)}")
        start, end = sink.dates[one]
        q(two, "startDate", f'"{start}"^^<{XSD}date>')
        if end:
            q(two, "endDate", f'"{end}"^^<{XSD}date>')
        quad(two, f"<{PROV}wasDerivedFrom>", rng.choice(passages))
        sink.dates[two] = [start, end]
        q(two, "subEventOf", one)
    if conforming:
        # StartNeedsEndConstraint: a start date says how the event ended; generate.py gives
        # 30% of its events none
        for e, (_, end) in sink.dates.items():
            if end is None:
                q(e, "endUndatedInSource", f'"true"^^<{XSD}boolean>')
    for i in range(max(1, len(units) // 20)):
        unit, command = rng.choice(units), rng.choice(units)
        q(unit, "attachedTo", command)
        if conforming:  # ReifiedRelationShape: the relation's statement, with its passage
            statement(f"<{B}statement/attached-{i:05d}>", unit, f"<{KGO}attachedTo>", command)
    # ReifiedChainShape: every command, place and border relation with its statement in the
    # triple's own named graph, as in graph/ (and as the QC query unreified-relation wants)
    for i, (s, p, o, graph) in enumerate(sink.chains):
        statement(f"<{B}statement/chain-{i:06d}>", s, p, o, graph)
    out.write("".join(lines))
    return sink.count + len(lines)


def asserted_graph(triples: int, seed: int = 1978, conforming: bool = False):
    """The ontology and the generated data in one rdflib Graph.

    Not conforming by default, unlike :func:`write_asserted`: the tests that use this graph
    want what the older data has, tests/test_shacl_fast.py thousands of SHACL results of
    ~25 kinds to compare with pySHACL's, the view and reasoner tests nodes typed only by
    rdfs:domain / rdfs:range (the regiments) and a subordinateTo cycle."""
    from rdflib import Graph

    buf = io.StringIO()
    write_asserted(triples, buf, seed, conforming)
    # every line ends "<graph> .", and a graph IRI holds no space: drop it to get N-Triples
    nt = "".join(line.rsplit(" ", 2)[0] + " .\n" for line in buf.getvalue().splitlines())
    g = Graph().parse(data=nt, format="nt")
    g.parse(ONTOLOGY)
    return g


def asserted_store(path: Path):
    """A pyoxigraph store holding the ontology (in the ontology graph) and the N-Quads file."""
    import pyoxigraph as ox

    from kg.iris import ONTOLOGY_GRAPH

    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    store.load(
        path=str(ONTOLOGY),
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(str(ONTOLOGY_GRAPH)),
        base_iri=ONTOLOGY.as_uri(),
    )
    return store


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(triples: int, seed: int, owlrl: bool, rdflib_path: bool, data_dir: Path,
            conforming: bool = True) -> dict:
    """One size, in this process: returns timings (seconds), sizes and peak RSS (MiB)."""
    import pyoxigraph as ox

    from kg.iris import INFERRED_GRAPH
    from kg.materialise import materialise_store
    from kg.reason import infer

    row: dict = {"triples": triples}
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"reason-{triples}-{seed}.nq"
    t = time.perf_counter()
    with path.open("w", encoding="utf-8") as f:
        row["asserted_data"] = write_asserted(triples, f, seed, conforming)
    row["generate_s"] = time.perf_counter() - t

    t = time.perf_counter()
    store = asserted_store(path)
    row["ox_load_s"] = time.perf_counter() - t
    row["asserted"] = len(store)
    t = time.perf_counter()
    phases: dict = {}
    row["fast_ox_inferred"] = materialise_store(
        store, ox.NamedNode(str(INFERRED_GRAPH)), timings=phases
    )
    row["fast_ox_s"] = time.perf_counter() - t
    row["fast_ox_reason_s"], row["fast_ox_write_s"] = phases["reason_s"], phases["write_s"]
    row["peak_after_ox_mib"] = _peak_mib()
    ox_set = None
    if rdflib_path or owlrl:
        ox_set = {
            (q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(INFERRED_GRAPH)))
        }
    del store

    if rdflib_path or owlrl:
        from kg.load import rdflib_term

        t = time.perf_counter()
        g = asserted_graph(triples, seed, conforming)
        row["rdflib_load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        fast = infer(g, reasoner="fast")
        row["fast_rdflib_s"] = time.perf_counter() - t
        row["fast_rdflib_inferred"] = len(fast)
        row["peak_after_rdflib_mib"] = _peak_mib()
        fast_set = set(fast)
        row["ox_same_as_rdflib"] = {tuple(map(rdflib_term, t)) for t in ox_set} == fast_set
        if owlrl:
            t = time.perf_counter()
            ref = infer(g, reasoner="owlrl")
            row["owlrl_s"] = time.perf_counter() - t
            row["owlrl_inferred"] = len(ref)
            row["fast_same_as_owlrl"] = set(ref) == fast_set
            row["peak_after_owlrl_mib"] = _peak_mib()
    path.unlink()
    return row


def _fmt(v, unit="") -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        return f"{v:.2f}{unit}"
    return f"{v}{unit}"


def table(rows: list[dict]) -> str:
    cols = (
        ("asserted", "asserted"),
        ("owlrl s", "owlrl_s"),
        ("fast/rdflib s", "fast_rdflib_s"),
        ("fast/ox s", "fast_ox_s"),
        ("of which reason", "fast_ox_reason_s"),
        ("of which write", "fast_ox_write_s"),
        ("inferred", "fast_ox_inferred"),
        ("rdflib load s", "rdflib_load_s"),
        ("ox load s", "ox_load_s"),
        ("same as owlrl", "fast_same_as_owlrl"),
        ("ox = rdflib", "ox_same_as_rdflib"),
        ("peak MiB ox", "peak_after_ox_mib"),
        ("peak MiB all", "peak_after_all_mib"),
    )
    out = ["| " + " | ".join(c for c, _ in cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        r = dict(r)
        r["peak_after_all_mib"] = max(v for k, v in r.items() if k.startswith("peak_"))
        out.append("| " + " | ".join(_fmt(r.get(k)) for _, k in cols) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--seed", type=int, default=1978)
    p.add_argument("--owlrl-100k", action="store_true", help="run owlrl at 100k (~2.5 min)")
    p.add_argument("--no-rdflib", action="store_true", help="time only the oxigraph path")
    p.add_argument("--nonconforming", action="store_true",
                   help="generate.py's data as it is (not made to conform to shapes/)")
    p.add_argument(
        "--rdflib-max",
        type=int,
        default=1_000_000,
        help="largest size to run the rdflib path at (default 1M)",
    )
    p.add_argument("--data-dir", type=Path, default=HERE / "data")
    p.add_argument("--json", type=Path, help="also write the rows here")
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode: one size, JSON out
    p.add_argument("--owlrl", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        row = run_one(args.one, args.seed, args.owlrl, not args.no_rdflib, args.data_dir,
                      not args.nonconforming)
        print(json.dumps(row))
        return 0
    rows = []
    for n in args.sizes:
        owlrl = n <= 10_000 or (n <= 100_000 and args.owlrl_100k)
        cmd = [
            sys.executable,
            __file__,
            "--one",
            str(n),
            "--seed",
            str(args.seed),
            "--data-dir",
            str(args.data_dir),
        ]
        if owlrl:
            cmd.append("--owlrl")
        if args.no_rdflib or n > args.rdflib_max:
            cmd.append("--no-rdflib")
        if args.nonconforming:
            cmd.append("--nonconforming")
        print(f"running {n} triples{' (with owlrl)' if owlrl else ''} ...", file=sys.stderr)
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            rows.append({"triples": n, "error": done.stderr.strip().splitlines()[-1:]})
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(table([r for r in rows if "error" not in r]))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
