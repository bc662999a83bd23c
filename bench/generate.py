"""Write a synthetic dataset shaped like the kg graph, for benchmarking the SPARQL endpoint.

The output is N-Quads in the same named graphs as the real build: facts in graph/article-part1,
entities (places, units, actors) in graph/entities, a small ontology in graph/ontology and what a
reasoner would add (superclass and schema.org / CIDOC-CRM types, schema:startDate,
schema:location, kgo:placeWithin and schema:containedInPlace closures, schema:parentOrganization)
in graph/inferred.

The generator is deterministic: the same ``--triples`` and ``--seed`` give byte-identical output.
Foundings are dated in the year before the other events (from 30 April 1976), so a group founded
in one takes part in no event that was over before it (kgs:GroupLifetimeShape).
Lines are written directly (no rdflib) so a million quads take a few seconds.

The benchmark queries in bench/queries/ name a few fixed IRIs (the first event, the first military
region, the first battalion, the first province and commune); they exist at every scale.

    .venv/bin/python bench/generate.py --triples 100000 --out bench/data/kg-100k.nq
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

B = "https://w3id.org/kg1978/"
KGO = B + "ontology/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "http://schema.org/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
PROV = "http://www.w3.org/ns/prov#"
GEO = "http://www.opengis.net/ont/geosparql#"

G_FACTS = f"<{B}graph/article-part1>"
G_ENTITIES = f"<{B}graph/entities>"
G_ONTOLOGY = f"<{B}graph/ontology>"
G_INFERRED = f"<{B}graph/inferred>"

LABEL = f"<{RDFS}label>"

#: Event classes with their share of events (weights).
EVENT_CLASSES = (
    ("Attack", 40),
    ("Offensive", 8),
    ("CounterOffensive", 6),
    ("Meeting", 10),
    ("Announcement", 10),
    ("Founding", 6),
    ("Uprising", 8),
    ("Liberation", 12),
)
#: The unit hierarchy, top down; each level's fan-out below its parent.
UNIT_LEVELS = (
    ("MilitaryRegionCommand", "mr", 0),
    ("ArmyCorps", "corps", 3),
    ("Division", "div", 3),
    ("Regiment", "reg", 3),
    ("Battalion", "bn", 3),
)
PLACE_CLASSES = ("Country", "Province", "District", "Commune", "City")
ACTOR_CLASSES = ("Person", "Organization")
QUANTITY_UNITS = ("killed", "wounded", "captured", "soldiers", "weapons", "civilians")

SYLLABLES = (
    "An Bình Châu Đức Giang Hà Hải Hòa Hưng Khánh Lâm Lộc Long Minh Nam Nghĩa Ninh Phong Phú "
    "Phước Quang Sơn Tân Thạnh Thành Thuận Tiến Trung Trường Vĩnh Xuân Tây Đông Bắc Mỹ Lợi "
    "Kiên Cần Ba Chi Kampong Svay Prey Kandal Takeo Kampot Kratie Stung Treng Mondul Rieng"
).split()
PROVINCES = (
    ("Tây Ninh", "vn"),
    ("An Giang", "vn"),
    ("Kiên Giang", "vn"),
    ("Đồng Tháp", "vn"),
    ("Long An", "vn"),
    ("Sông Bé", "vn"),
    ("Đắk Lắk", "vn"),
    ("Gia Lai - Kon Tum", "vn"),
    ("Hậu Giang", "vn"),
    ("Minh Hải", "vn"),
    ("Cửu Long", "vn"),
    ("Đồng Nai", "vn"),
    ("Svay Rieng", "kh"),
    ("Prey Veng", "kh"),
    ("Kampong Cham", "kh"),
    ("Kratie", "kh"),
    ("Takeo", "kh"),
    ("Kampot", "kh"),
    ("Kandal", "kh"),
    ("Stung Treng", "kh"),
    ("Ratanakiri", "kh"),
    ("Mondulkiri", "kh"),
    ("Koh Kong", "kh"),
    ("Battambang", "kh"),
)
COUNTRIES = (("vn", "Vietnam"), ("kh", "Cambodia"), ("th", "Thailand"))
FIRST_NAMES = (
    "Lê Trần Nguyễn Phạm Hoàng Võ Đặng Bùi Đỗ Hồ Ngô Dương Heng Hun Chea Ieng Khieu".split()
)
GIVEN_NAMES = "Văn Đức Minh Thanh Quang Hữu Công Xuân Samrin Sen Sim Sary Samphan Thirith".split()

START = dt.date(1977, 4, 30)
END = dt.date(1979, 3, 31)


def _iri(s: str) -> str:
    return f"<{s}>"


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _date(d: dt.date) -> str:
    return f'"{d.isoformat()}"^^<{XSD}date>'


def _int(n: int) -> str:
    return f'"{n}"^^<{XSD}integer>'


class _Writer:
    """Buffers N-Quads lines and counts them."""

    def __init__(self, out) -> None:
        self._out = out
        self._buf: list[str] = []
        self.count = 0

    def q(self, s: str, p: str, o: str, g: str) -> None:
        self._buf.append(f"{s} {p} {o} {g} .\n")
        self.count += 1
        if len(self._buf) >= 20000:
            self.flush()

    def flush(self) -> None:
        self._out.write("".join(self._buf))
        self._buf.clear()


def _counts(triples: int) -> dict[str, int]:
    """Entity counts whose quads add up to about ``triples``; constants fitted empirically."""
    s = max(triples - 1_000, 1_000) / 9_400
    return {
        "districts": max(24, round(12 * s)),
        "communes_per_district": 6,
        "cities": max(4, round(4 * s)),
        "regions": 4,
        "corps_extra": 0,
        "actors": max(20, round(20 * s)),
        "events": max(60, round(362 * s)),
        "quantities": max(20, round(80 * s)),
        "passages": max(20, round(40 * s)),
    }


def _name(rng: random.Random, n: int = 2) -> str:
    return " ".join(rng.choice(SYLLABLES) for _ in range(n))


def _ontology(w: _Writer) -> None:
    g = G_ONTOLOGY
    w.q(_iri(KGO), RDF_TYPE, _iri(OWL + "Ontology"), g)
    w.q(_iri(KGO), LABEL, _lit("kg1978 ontology (benchmark copy)"), g)
    sub = _iri(RDFS + "subClassOf")
    for cls in ("Event", "MilitaryUnit", "Place", "Actor", "Quantity", "Passage"):
        w.q(_iri(KGO + cls), RDF_TYPE, _iri(OWL + "Class"), g)
        w.q(_iri(KGO + cls), LABEL, _lit(cls), g)
    groups = (
        ("Event", [c for c, _ in EVENT_CLASSES]),
        ("MilitaryUnit", [c for c, _, _ in UNIT_LEVELS]),
        ("Place", list(PLACE_CLASSES)),
        ("Actor", list(ACTOR_CLASSES)),
    )
    for parent, children in groups:
        for cls in children:
            w.q(_iri(KGO + cls), RDF_TYPE, _iri(OWL + "Class"), g)
            w.q(_iri(KGO + cls), LABEL, _lit(cls), g)
            w.q(_iri(KGO + cls), sub, _iri(KGO + parent), g)
    w.q(_iri(KGO + "Event"), sub, _iri(SCHEMA + "Event"), g)
    w.q(_iri(KGO + "Event"), sub, _iri(CRM + "E5_Event"), g)
    for prop in ("placeWithin", "subordinateTo"):
        w.q(_iri(KGO + prop), RDF_TYPE, _iri(OWL + "TransitiveProperty"), g)
        w.q(_iri(KGO + prop), LABEL, _lit(prop), g)
    for prop in (
        "startDate",
        "endDate",
        "tookPlaceAt",
        "carriedOutBy",
        "hadParticipant",
        "subEventOf",
        "exactValue",
        "unitOfCount",
        "ofActor",
        "figureOf",
        "passageNumber",
    ):
        w.q(_iri(KGO + prop), RDF_TYPE, _iri(OWL + "ObjectProperty"), g)
        w.q(_iri(KGO + prop), LABEL, _lit(prop), g)


def _places(w: _Writer, rng: random.Random, c: dict[str, int]) -> tuple[list[str], dict]:
    """Write places; return the IRIs events may take place at and each place's label."""
    g, inf = G_ENTITIES, G_INFERRED
    within, contained = _iri(KGO + "placeWithin"), _iri(SCHEMA + "containedInPlace")
    labels: dict[str, str] = {}
    event_places: list[str] = []

    def place(iri: str, cls: str, label: str, ancestors: list[str]) -> None:
        w.q(iri, RDF_TYPE, _iri(KGO + cls), g)
        w.q(iri, LABEL, _lit(label), g)
        if ancestors:
            w.q(iri, within, ancestors[0], g)
        geom = iri[:-1] + "/geometry>"
        w.q(iri, _iri(GEO + "hasGeometry"), geom, g)
        lon, lat = 102.5 + rng.random() * 4.5, 9.0 + rng.random() * 5.5
        w.q(geom, _iri(GEO + "asWKT"), f'"POINT({lon:.4f} {lat:.4f})"^^<{GEO}wktLiteral>', g)
        w.q(iri, RDF_TYPE, _iri(KGO + "Place"), inf)
        w.q(iri, RDF_TYPE, _iri(SCHEMA + "Place"), inf)
        for i, a in enumerate(ancestors):
            if i:  # the direct edge is asserted above; as in the build, not repeated here
                w.q(iri, within, a, inf)
            w.q(iri, contained, a, inf)
        labels[iri] = label

    countries = {}
    for code, name in COUNTRIES:
        countries[code] = _iri(f"{B}place/country-{code}")
        place(countries[code], "Country", name, [])
    provinces = []
    for i, (name, code) in enumerate(PROVINCES, 1):
        iri = _iri(f"{B}place/province-{i:02d}")
        place(iri, "Province", f"{name} Province", [countries[code]])
        provinces.append((iri, name, countries[code]))
    for d in range(1, c["districts"] + 1):
        prov, pname, country = provinces[(d - 1) % len(provinces)]
        diri = _iri(f"{B}place/district-{d:05d}")
        place(diri, "District", f"{_name(rng)} District, {pname}", [prov, country])
        event_places.append(diri)
        for k in range(1, c["communes_per_district"] + 1):
            ciri = _iri(f"{B}place/commune-{d:05d}-{k}")
            place(ciri, "Commune", f"{_name(rng)} Commune, {pname}", [diri, prov, country])
            event_places.append(ciri)
    for t in range(1, c["cities"] + 1):
        prov, pname, country = provinces[(t - 1) % len(provinces)]
        tiri = _iri(f"{B}place/city-{t:04d}")
        place(tiri, "City", f"{_name(rng, 1)} City, {pname}", [prov, country])
        event_places.append(tiri)
    return event_places, labels


def _units(w: _Writer, rng: random.Random, c: dict[str, int]) -> list[str]:
    """Write the unit tree (regions -> corps -> divisions -> regiments -> battalions)."""
    g, inf = G_ENTITIES, G_INFERRED
    sub_to, parent_org = _iri(KGO + "subordinateTo"), _iri(SCHEMA + "parentOrganization")
    units: list[str] = []
    counters = {prefix: 0 for _, prefix, _ in UNIT_LEVELS}

    def unit(level: int, parent: str | None) -> None:
        cls, prefix, _ = UNIT_LEVELS[level]
        counters[prefix] += 1
        n = counters[prefix]
        iri = _iri(f"{B}unit/{prefix}-{n:04d}")
        w.q(iri, RDF_TYPE, _iri(KGO + cls), g)
        w.q(iri, LABEL, _lit(f"{cls} {n} ({_name(rng, 1)})"), g)
        if parent:
            w.q(iri, sub_to, parent, g)
            w.q(iri, parent_org, parent, inf)
        w.q(iri, RDF_TYPE, _iri(KGO + "MilitaryUnit"), inf)
        w.q(iri, RDF_TYPE, _iri(SCHEMA + "Organization"), inf)
        units.append(iri)
        if level + 1 < len(UNIT_LEVELS):
            for _ in range(UNIT_LEVELS[level + 1][2]):
                unit(level + 1, iri)

    # Regions are few and deep; their number grows with the scale so the tree keeps its shape.
    regions = max(1, round(c["events"] / 90))
    for _ in range(regions):
        unit(0, None)
    return units


def _actors(w: _Writer, rng: random.Random, c: dict[str, int]) -> list[str]:
    g, inf = G_ENTITIES, G_INFERRED
    actors = []
    for i in range(1, c["actors"] + 1):
        cls = ACTOR_CLASSES[i % 2]
        iri = _iri(f"{B}actor/a{i:05d}")
        if cls == "Person":
            label = f"{rng.choice(FIRST_NAMES)} {rng.choice(GIVEN_NAMES)} {_name(rng, 1)}"
        else:
            label = f"{_name(rng)} Front Committee"
        w.q(iri, RDF_TYPE, _iri(KGO + cls), g)
        w.q(iri, LABEL, _lit(label), g)
        w.q(iri, RDF_TYPE, _iri(KGO + "Actor"), inf)
        actors.append(iri)
    return actors


def _passages(w: _Writer, c: dict[str, int]) -> list[str]:
    g = G_FACTS
    out = []
    for i in range(1, c["passages"] + 1):
        iri = _iri(f"{B}source/part1-passage-{i:05d}")
        w.q(iri, RDF_TYPE, _iri(KGO + "Passage"), g)
        w.q(iri, _iri(KGO + "passageNumber"), _int(i), g)
        w.q(iri, LABEL, _lit(f"Article part 1, passage {i}"), g)
        out.append(iri)
    return out


def _events(w, rng, c, places, place_labels, units, actors, passages) -> list[str]:
    g, inf = G_FACTS, G_INFERRED
    classes = [cls for cls, _ in EVENT_CLASSES]
    weights = [wt for _, wt in EVENT_CLASSES]
    span = (END - START).days
    events: list[str] = []
    top: list[str] = []
    for i in range(1, c["events"] + 1):
        iri = _iri(f"{B}event/e{i:06d}")
        cls = rng.choices(classes, weights)[0]
        # A third of events cluster in the big counter-offensive (late Dec 1978 - Jan 1979).
        if rng.random() < 0.33:
            start = dt.date(1978, 12, 1) + dt.timedelta(days=rng.randrange(60))
        else:
            start = START + dt.timedelta(days=rng.randrange(span))
        if cls == "Founding":
            # a group is founded before the events it takes part in (kgs:GroupLifetimeShape),
            # so a founding is dated in the year before the others, from the same draw (the
            # rest of the graph is as it was)
            start = START - dt.timedelta(days=1 + (start - START).days % 365)
        place = rng.choice(places)
        unit = rng.choice(units)
        place_name = place_labels[place].split(",")[0]
        verb = {
            "Attack": "Attack on",
            "Offensive": "Offensive towards",
            "CounterOffensive": "Counter-offensive at",
            "Meeting": "Meeting in",
            "Announcement": "Announcement in",
            "Founding": "Founding in",
            "Uprising": "Uprising in",
            "Liberation": "Liberation of",
        }[cls]
        province = place_labels[place].split(", ")[-1]
        label = f"{verb} {place_name}, {province} ({start.strftime('%d %B %Y')})"
        w.q(iri, RDF_TYPE, _iri(KGO + cls), g)
        w.q(iri, LABEL, _lit(label), g)
        w.q(iri, _iri(KGO + "startDate"), _date(start), g)
        if rng.random() < 0.7:
            end = start + dt.timedelta(days=rng.randrange(1, 20))
            w.q(iri, _iri(KGO + "endDate"), _date(end), g)
        w.q(iri, _iri(KGO + "tookPlaceAt"), place, g)
        w.q(iri, _iri(KGO + "carriedOutBy"), unit, g)
        for _ in range(rng.randrange(0, 3)):
            w.q(iri, _iri(KGO + "hadParticipant"), rng.choice(actors), g)
        if cls in ("Offensive", "CounterOffensive"):
            top.append(iri)
        elif top and rng.random() < 0.8:
            w.q(iri, _iri(KGO + "subEventOf"), rng.choice(top[-20:]), g)
        w.q(iri, _iri(PROV + "wasDerivedFrom"), rng.choice(passages), g)
        w.q(iri, RDF_TYPE, _iri(KGO + "Event"), inf)
        w.q(iri, RDF_TYPE, _iri(SCHEMA + "Event"), inf)
        w.q(iri, RDF_TYPE, _iri(CRM + "E5_Event"), inf)
        w.q(iri, _iri(SCHEMA + "startDate"), _date(start), inf)
        w.q(iri, _iri(SCHEMA + "location"), place, inf)
        events.append(iri)
    return events


def _quantities(w, rng, c, events, actors, passages) -> None:
    g = G_FACTS
    for i in range(1, c["quantities"] + 1):
        iri = _iri(f"{B}figure/q{i:06d}")
        w.q(iri, RDF_TYPE, _iri(KGO + "Quantity"), g)
        w.q(
            iri,
            _iri(KGO + "exactValue"),
            _int(rng.choice((10, 50, 100, 200, 500, 1000, 5000)) + rng.randrange(100)),
            g,
        )
        w.q(iri, _iri(KGO + "unitOfCount"), _iri(KGO + rng.choice(QUANTITY_UNITS)), g)
        if rng.random() < 0.6:
            w.q(iri, _iri(KGO + "ofActor"), rng.choice(actors), g)
        w.q(iri, _iri(KGO + "figureOf"), rng.choice(events), g)
        w.q(iri, _iri(PROV + "wasDerivedFrom"), rng.choice(passages), g)


def generate(triples: int, out, seed: int = 1978) -> int:
    """Write about ``triples`` quads to the text stream ``out``; return the exact count."""
    rng = random.Random(seed)
    c = _counts(triples)
    w = _Writer(out)
    _ontology(w)
    places, place_labels = _places(w, rng, c)
    units = _units(w, rng, c)
    actors = _actors(w, rng, c)
    passages = _passages(w, c)
    events = _events(w, rng, c, places, place_labels, units, actors, passages)
    _quantities(w, rng, c, events, actors, passages)
    w.flush()
    return w.count


def _parse_size(text: str) -> int:
    text = text.lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * mult)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--triples", type=_parse_size, required=True, help="e.g. 10k, 100k, 1m")
    p.add_argument("--seed", type=int, default=1978)
    p.add_argument("--out", type=Path, required=True, help="N-Quads file to write")
    args = p.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with args.out.open("w", encoding="utf-8", newline="\n") as f:
        n = generate(args.triples, f, args.seed)
    print(f"{args.out}: {n} quads in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
