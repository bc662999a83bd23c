"""Reconciliation: matching names from a spreadsheet to the graph's entities (OpenRefine).

Framework-free. :meth:`ReconciliationIndex.from_store` reads the entities once, with two fixed
SPARQL queries (no request text ever goes into SPARQL), and the index answers in memory:
reconciliation queries (:meth:`~ReconciliationIndex.reconcile_batch`), suggest, previews and
data extension. :mod:`kg.endpoint.reconcile` speaks the Reconciliation Service API v0.2 over it.

**Identifiers.** An entity's id is its IRI without the base ``https://w3id.org/kg1978/`` (the
service's ``identifierSpace``): ``place/phnom-penh``. Types and properties are local names in
the ontology namespace (the ``schemaSpace``): ``Place``, ``placeWithin``, read whatever their
case (``place``) and by their names (``military unit``, ``start date``): what OpenRefine
sends for a type or property typed and not picked. Full IRIs and
``kg:`` / ``kgo:`` CURIEs are accepted wherever an id is read.

**Candidates** are the instances (inferred types included) of kgo:Actor, kgo:Place, kgo:Event,
kgo:Measure and kgo:Source that have a label.

**Scoring.** The query and every ``rdfs:label`` and ``skos:altLabel`` are normalised (NFKD, the
accents it takes off Latin, Greek and Cyrillic letters dropped, other scripts' marks such as the
Khmer COENG kept, đ→d and the like, case folded, apostrophes dropped, other punctuation and
spaces collapsed), so "Tay Ninh" meets "Tây Ninh". A label that ends in a date after a comma
("Capture of Phnom Penh, 7 January 1979") is also a key without it (:func:`_undated`), so a
cell naming the event without its date is exact. A normalised label equal to the query (also
with all spaces removed) is exact; otherwise the best of a character similarity, a token
similarity and, for a cell that is a run of a longer label's words, a phrase score
(:func:`_phrase`) (difflib; two generic road words, "highway" and "route", pair as near words:
``_ROAD_WORDS``, and a cell's "QL7" is read "QL 7": :func:`_road_designations`; a cell
that is a formation's designation, "F341", is read as its words, "Sư đoàn 341":
:func:`_unit_designations`), times 90,
so any inexact label scores below 90; under 54 is not a candidate. Only the entities that
may reach 54 are scored, found in an index built with the labels
(:meth:`ReconciliationIndex._candidates`): a label equal without spaces; one whose upper
bound on the character similarity (the scorer's own, for many labels at once, those of
lengths nearest the query's first) reaches 0.6; one with a token near enough (the token
similarity's 0.8) to at least 3/7 of the query's tokens, which its 0.6 needs. Those bounds
bound each entity's score too: the entities are scored best bound first, and no further once
``limit`` candidates score more than the next bound allows (equal scores are ordered by
name, so a bound equal to the lowest of them is still scored). The answers are those of
scoring every entity. A query with no text, or with a condition on an authority identifier
(which makes a candidate of any entity it names), is answered by scoring every entity its
types and conditions keep.

The one exact candidate of a query with text scores 100 and is the ``match``;
exact candidates that are not alone (a label two entities share), and the candidates of a query
with no text, which its conditions alone find, score ``AMBIGUOUS_SCORE`` (89.5): below 90, above
any inexact label. Types are filters and use every type, inferred ones included (``type_strict``
``"should"``, which OpenRefine sends, is read as ``"any"``), and a candidate's ``type`` lists
the types asked for that it has, under the id given, after its most specific ones (OpenRefine's
type match compares ids); property conditions are filters (a blank value, "" or "?", is
none, and a condition of no other value is left out; a
candidate is kept when, for every condition, one of its values has the given id, or a label or
text equal to the given name after normalisation; an authority identifier in any pasted form; a
date at either precision, read as ISO 8601 from the forms that say which is the day and which
the month: ``7 January 1979``, ``January 7, 1979``, ``1979-1-7``, ``7 tháng 1 năm 1979``,
``tháng 1/1979``, ``7 janvier 1979``, see :func:`read_date`).
An authority identifier linked by skos:exactMatch names one entity
(kgs:AuthorityIdShape): the one entity a query's identifier names that way scores 100 and is the
``match``, whatever its text (several, which the shape allows with a reason, score 89.5). One
linked by skos:closeMatch only ("not the same entity") keeps its candidate, as an inexact one:
never ``match``, scored as if no label were exact (at most 89.1), so below an entity linked by
skos:exactMatch. A cell holding a name the graph gives a thing beside others ("Founding of
KUFNS") is also read with those (:meth:`ReconciliationIndex._answer`), never matched, a
candidate of such a reading kept only where a name of its own has the rest of the cell. An
inverted personal name ("Pot, Pol") is read back in order, a person's exact name its match; a
date inside a name ("Uprising of 26 May 1978") is read against the events' dates
(:meth:`ReconciliationIndex._answer_dated`): a contradicted event is lowered, an agreeing
one found by the rest of the cell's words is a candidate. A state
is also a candidate, at ``TERRITORY_SCORE`` (60), for the name of a country it governs
(kgo:governs): "Vietnam" with the type State finds the Socialist Republic of Vietnam. A cell
that names nothing and has no condition, or is over ``MAX_QUERY_CHARS``, gets no candidates
rather than failing its batch.

**What the service does not know.** A condition whose ``pid`` is no property of the service, or
a type id that is no type of the candidates (no class of the ontology and no candidate's
type, ``Q5``, or a class whose instances are no candidates, ``Quantity``), or a date it cannot
read (``07/01/1979``, 7 January or 1 July; ``7/1/79``; ``tháng Chạp 1978``, perhaps a
lunar month; ``the 1979s``), or an authority identifier it cannot read (a name tied to
``wikidata``), or a condition on a property no entity of the query's types may have (a
state's ``startDate``: :meth:`ReconciliationIndex._applicable`), is ignored rather than
failing the batch with a 400 (OpenRefine 3.x does not show that error: every cell of the batch
stays unreconciled, with no message). The query is answered without it, but only partly
understood: every candidate scores at most ``AMBIGUOUS_SCORE`` (89.5) and none is the ``match``;
each candidate's ``description`` ends with a note naming what was ignored (for a date, what
to write instead), and
:meth:`ReconciliationIndex.reconcile_batch` logs it once per batch (logger
``kg.reconciliation``). The v0.2 specification leaves to the service how a type restricts the
candidates and how conditions filter and score them; what is malformed (a query that is no
object, a member of the wrong JSON type, a ``type_strict`` outside the schema's ``any``,
``all``, ``should``) is still an InputError. Likewise a data extension that asks for a
property the service does not know (an id OpenRefine kept from an earlier propose-properties
list, say) answers that property's column empty for every entity, its ``meta`` entry naming
it as unknown, and logs one warning for the request; the other properties are answered. An id
of no entity gets a row of no values, named in that warning; properties proposed for a type
that is no candidate's are all of them, and a warning says so. Neither v0.2 response has a
place for a note.
"""

from __future__ import annotations

import difflib
import heapq
import itertools
import json
import logging
import math
import re
import time
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from sys import intern
from typing import Any, TypeVar

import pyoxigraph as ox

from kg.errors import InputError, PayloadTooLarge, QueryTimeout
from kg.iris import BASE, INFERRED_GRAPH, KGO, PREFIXES
from kg.store import solution_dicts

__all__ = ["ReconciliationIndex", "Entity", "Property", "PROPERTIES", "ROOT_TYPES",
           "DEFAULT_TYPES", "normalise", "entity_id", "read_date", "MAX_QUERY_CHARS",
           "MATCH_SETTINGS"]

#: Longest query text accepted (characters).
MAX_QUERY_CHARS = 500
#: Candidates returned when the query gives no ``limit``, and the most it may ask for.
DEFAULT_LIMIT, MAX_LIMIT = 10, 100
#: Inexact labels score at most this; exact ones score 100.
INEXACT_CEILING = 90.0
#: What a candidate scores that would be exact but is not the only one: a label equal to the
#: cell that another candidate has too, or a cell with no text whose conditions several
#: candidates meet alike (or one meets without a name to confirm it). Below the 90 that
#: OpenRefine users facet on, above every inexact label (at most 89.1), so it still comes first.
AMBIGUOUS_SCORE = 89.5
#: What a state scores when the cell is the name of a country it governs (kgo:governs), its
#: own labels being further off: the graph keeps the state apart from the country, but a
#: column of states is often written as country names ("Vietnam" for the Socialist Republic
#: of Vietnam). Low among candidates (a near label of its own scores 54-89.1), never a match.
TERRITORY_SCORE = 60.0

#: A cell written as a catalogue heading (:func:`_heading`) whose whole text finds, at this
#: score or more, a name written with the heading's parenthesis or comma too ("Eastern
#: Military Region (Cambodia)", or a typo of it) is taken as written, not read again as a
#: name and its qualifier. The generated benchmark's labels end in a parenthesis: a second
#: pass for each of their cells doubled the time of a batch of them at 100k. A name found
#: without one ("Vietnam People's Army (Vietnam)" finds Vietnam People's Army at 89.1) is
#: no reason: the cell is read as a heading too, and its qualifier may match it.
AS_WRITTEN_SCORE = 85.0
#: Similarity below which a label is no candidate at all.
MIN_SIMILARITY = 0.6
#: What a label's similarity is multiplied by when the cell and the label both hold numbers
#: and share none ("Route 19" and "Route 1", "Quân khu 7" and "Quân khu 9"): the numbers name
#: the thing, so such a label falls under ``MIN_SIMILARITY`` however close its letters are.
NUMBER_MISMATCH = 0.5
#: The most characters of an unknown property or type id repeated in a note or the log.
_IGNORED_ID_CHARS = 60
#: The most unknown ids one log line names (then "and N more").
_IGNORED_LOGGED = 5

log = logging.getLogger("kg.reconciliation")

_KGO = str(KGO)
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SCHEMA = "http://schema.org/"
_GEO = "http://www.opengis.net/ont/geosparql#"

#: The classes whose instances are candidates.
ROOT_TYPES = ("Actor", "Place", "Event", "Measure", "Source")
#: Their IRIs: a class is a candidates' class when its ancestors (itself among them) meet these.
_ROOT_IRIS = frozenset(_KGO + r for r in ROOT_TYPES)
#: The types offered to OpenRefine first.
DEFAULT_TYPES = ("Place", "Person", "MilitaryUnit", "Organisation", "State", "Event")

#: Authorities whose identifiers the data extension returns, by the IRI prefix of their links.
AUTHORITIES = {
    "wikidata": "http://www.wikidata.org/entity/",
    "geonames": "https://sws.geonames.org/",
    "viaf": "http://viaf.org/viaf/",
    "lcnaf": "http://id.loc.gov/authorities/names/",
}
#: The data extension's setting ``match`` for an authority identifier: which links give it
#: (``skos:exactMatch``, ``skos:closeMatch``, or both). The default is the first.
MATCH_SETTINGS = {
    "exact": "skos:exactMatch only: the same entity (the default)",
    "close": "skos:closeMatch only: a related entity, not the same one",
    "any": "both kinds of link",
}


@dataclass(frozen=True)
class Property:
    """A property the service offers for conditions and data extension."""

    id: str
    name: str
    description: str
    kind: str  # "entity" (values are our entities), "text", "date" (a day), or "authority"
    #: the classes (local names) whose instances may have it: the ontology's domain, or
    #: what derives it (kgo:founded's range, kgo:Group, for the founding properties)
    applies_to: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # other ids accepted for it (full IRIs)


PROPERTIES: tuple[Property, ...] = (
    Property("startDate", "start date", "The day, month or year an event began, at the "
             "precision of its source (1979-01-07, 1978-05, 1978).", "text", ("Event",),
             (_KGO + "startDate", _SCHEMA + "startDate")),
    Property("endDate", "end date", "The day, month or year an event ended, at the precision of "
             "its source.", "text", ("Event",), (_KGO + "endDate", _SCHEMA + "endDate")),
    Property("latestStart", "began not after", "For an event its source says began on one of "
             "a span of days (5-6 January 1979): the last of them; the start date is the first.",
             "text", ("Event",), (_KGO + "latestStart",)),
    Property("notAfter", "ended not after", "For an event its source bounds without dating its "
             "end: the latest day it can have ended.", "text", ("Event",), (_KGO + "notAfter",)),
    Property("notBefore", "not before", "For an event its source does not date: the earliest "
             "day its wording allows.", "text", ("Event",), (_KGO + "notBefore",)),
    Property("beginOfTheBegin", "first day it can have begun", "Derived from an event's "
             "dates, whatever their precision: the first day of its start date, or its "
             "not-before bound. A date (a day) in data extension, for sorting and comparing "
             "dates of any precision.", "date", ("Event",), (_KGO + "beginOfTheBegin",)),
    Property("endOfTheBegin", "last day it can have begun", "Derived: the last day of its "
             "start date, or its latest start. A date in data extension.", "date",
             ("Event",), (_KGO + "endOfTheBegin",)),
    Property("beginOfTheEnd", "first day it can have ended", "Derived: the first day of its "
             "end date. A date in data extension.", "date", ("Event",),
             (_KGO + "beginOfTheEnd",)),
    Property("endOfTheEnd", "last day it can have ended", "Derived: the last day of its end "
             "date, or its not-after bound. A date in data extension.", "date", ("Event",),
             (_KGO + "endOfTheEnd",)),
    Property("endUndatedInSource", "end undated in source", "true for an event whose source "
             "gives when it began, not when it ended (not a one-day event).", "text",
             ("Event",), (_KGO + "endUndatedInSource",)),
    Property("placeWithin", "within", "The larger places this place lies in (directly; "
             "conditions also match the places further up).", "entity", ("Place",),
             (_KGO + "placeWithin", _SCHEMA + "containedInPlace")),
    Property("country", "country", "The country a place lies in or an event took place in; "
             "the country a state governs.", "entity", ("Place", "Event", "State")),
    Property("tookPlaceAt", "took place at", "Where an event took place.", "entity",
             ("Event",), (_KGO + "tookPlaceAt", _SCHEMA + "location")),
    Property("foundingDate", "founding date", "Derived: the date a group was founded, at the "
             "precision of its source (its founding's own date; none where the source does not "
             "date it).", "text", ("Group",), (_KGO + "foundingDate", _SCHEMA + "foundingDate")),
    Property("foundingLocation", "founding location", "Inferred: where a group's founding took "
             "place.", "entity", ("Group",),
             (_KGO + "foundingLocation", _SCHEMA + "foundingLocation")),
    Property("founder", "founder", "Inferred: who carried out a group's founding (a reading of "
             "the curators where that is).", "entity", ("Group",),
             (_KGO + "founder", _SCHEMA + "founder")),
    Property("subordinateTo", "parent organisation", "The unit or body this one belongs to "
             "(directly; conditions also match those further up). A command a unit was only "
             "attached to for operations is not its parent: a condition naming it keeps the "
             "unit as a candidate, never a match.", "entity", ("Group",),
             (_KGO + "subordinateTo", _SCHEMA + "parentOrganization")),
    Property("attachedTo", "attached to", "The command a unit was attached to (put under for "
             "operations) while staying in its own formation, as the sources tell it: not its "
             "parent organisation.", "entity", ("MilitaryUnit",), (_KGO + "attachedTo",)),
    Property("wikidata", "Wikidata ID", "The Wikidata item linked with skos:exactMatch "
             "(Q1850); the setting match gives skos:closeMatch too (close or any).",
             "authority", ROOT_TYPES),
    Property("geonames", "GeoNames ID", "The GeoNames feature linked with skos:exactMatch "
             "(1821306); the setting match gives skos:closeMatch too (close or any).",
             "authority", ("Place",)),
    Property("viaf", "VIAF ID", "The VIAF cluster linked with skos:exactMatch; the setting "
             "match gives skos:closeMatch too (close or any).", "authority", ("Actor",)),
    Property("lcnaf", "LCNAF ID", "The Library of Congress name authority linked with "
             "skos:exactMatch; the setting match gives skos:closeMatch too (close or any).",
             "authority", ("Actor",)),
    Property("coordinates", "coordinates", "The WGS84 point of a place, as WKT "
             "(POINT(longitude latitude)).", "text", ("Place",), (_GEO + "asWKT",)),
    Property("description", "description", "Our one-sentence description.", "text",
             ROOT_TYPES, (_SCHEMA + "description",)),
    Property("altLabel", "alternative labels", "Other names, in every language we hold.",
             "text", ROOT_TYPES, (_SKOS + "altLabel",)),
)
_PROPERTY_BY_ID: dict[str, Property] = {}
for _p in PROPERTIES:
    for _key in (_p.id, _KGO + _p.id, *_p.aliases):
        _PROPERTY_BY_ID.setdefault(_key, _p)

#: The predicates read from the store, by the key they are kept under in :attr:`Entity.values`.
_READ = {
    _RDF_TYPE: "type",  # read by _TYPES_QUERY, not by _ENTITY_QUERY
    _RDFS + "label": "label",
    _SKOS + "altLabel": "altLabel",
    _SCHEMA + "description": "description",
    _KGO + "startDate": "startDate",
    _KGO + "latestStart": "latestStart",
    _KGO + "endDate": "endDate",
    _KGO + "notAfter": "notAfter",
    _KGO + "notBefore": "notBefore",
    _KGO + "endUndatedInSource": "endUndatedInSource",
    _KGO + "onDate": "onDate",
    _KGO + "beginOfTheBegin": "beginOfTheBegin",  # the day bounds (kg.dates, inferred)
    _KGO + "endOfTheBegin": "endOfTheBegin",
    _KGO + "beginOfTheEnd": "beginOfTheEnd",
    _KGO + "endOfTheEnd": "endOfTheEnd",
    _KGO + "placeWithin": "placeWithin",
    _KGO + "tookPlaceAt": "tookPlaceAt",
    _KGO + "foundingDate": "foundingDate",  # derived and inferred: the inferred graph only
    _KGO + "foundingLocation": "foundingLocation",
    _KGO + "founder": "founder",
    _KGO + "subordinateTo": "subordinateTo",
    _KGO + "organOf": "subordinateTo",  # a party's body: its parent organisation too
    _KGO + "governs": "governs",
    _KGO + "armedForcesOf": "armedForcesOf",  # a heading's qualifier: the unit's state
    _KGO + "attachedTo": "attachedTo",  # a command over a unit, not its parent (see _meets)
    _SKOS + "exactMatch": "link",
    _SKOS + "closeMatch": "closeLink",  # the authority's entity differs (see values_of)
    _GEO + "asWKT": "coordinates",
}

# Neither DISTINCT, nor the base filter, nor the literal's language as a column: the rows are
# read once, and a repeated one (an entity of two root types) is dropped, the base checked and
# the language read there (:meth:`ReconciliationIndex.from_store`). The engine's DISTINCT over
# every row, STR() of every subject and a term for every LANG() were a third of this query's
# time at 1M quads (1.06 -> 0.76 CPU-s, 190k rows), for the same rows.
_ENTITY_QUERY = """
SELECT ?s ?p ?o ?g WHERE {{
  VALUES ?root {{ {roots} }}
  ?s a ?root .
  {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?p {{ {predicates} }} }}
  UNION {{ ?s <{geo}hasGeometry> ?geometry . ?geometry <{geo}asWKT> ?o .
           BIND(<{geo}asWKT> AS ?p) }}
}}
""".format(roots=" ".join(f"<{_KGO}{r}>" for r in ROOT_TYPES),
           predicates=" ".join(f"<{p}>" for p in _READ
                               if not p.startswith(_GEO) and p != _RDF_TYPE),
           geo=_GEO)

# Every type of each candidate, asserted or inferred, in one row per entity: as rows of their
# own, the types were half of the entity query's rows at 1M quads (186k of 376k).
_TYPES_QUERY = """
SELECT ?s (GROUP_CONCAT(DISTINCT STR(?t); separator=" ") AS ?types) WHERE {{
  VALUES ?root {{ {roots} }}
  ?s a ?root .
  ?s a ?t .
  FILTER(STRSTARTS(STR(?s), "{base}") && isIRI(?t))
}} GROUP BY ?s
""".format(roots=" ".join(f"<{_KGO}{r}>" for r in ROOT_TYPES), base=BASE)

_CLASS_QUERY = f"""
SELECT DISTINCT ?c ?p ?o ?lang WHERE {{
  ?c a <http://www.w3.org/2002/07/owl#Class> .
  ?c ?p ?o .
  VALUES ?p {{ <{_RDFS}label> <{_RDFS}comment> <{_RDFS}subClassOf> }}
  BIND(LANG(?o) AS ?lang)
  FILTER(STRSTARTS(STR(?c), "{_KGO}"))
}}
"""


#: The labels other than English of the ontology's properties the service offers (those it
#: reads from kgo:, whose IRI is ``kgo:`` + the property's id).
_PROPERTY_LABEL_QUERY = f"""
SELECT DISTINCT ?p ?label WHERE {{
  ?p <{_RDFS}label> ?label .
  VALUES ?p {{ {" ".join(f"<{_KGO}{p.id}>" for p in PROPERTIES if _KGO + p.id in p.aliases)} }}
  FILTER(LANG(?label) != "" && !LANGMATCHES(LANG(?label), "en"))
}} ORDER BY ?p ?label
"""


# -- normalisation and similarity ---------------------------------------------------------

#: Letters NFKD does not take apart.
_FOLD = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "ø": "o",
                       "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i",
                       "þ": "th", "Þ": "Th"})
#: The combining marks dropped: the accents of the Latin, Greek and Cyrillic scripts, which
#: NFKD takes off their letters (Combining Diacritical Marks, its Extended and Supplement
#: blocks, the marks for symbols and the half marks). Other scripts' marks spell their words
#: and are kept: the Khmer COENG (U+17D2, combining class 9) makes the next consonant a
#: subscript, so ភ្នំពេញ (Phnom Penh) and ភនំពេញ are different spellings; a Japanese voicing
#: mark makes か into が.
_DIACRITICS = frozenset(chr(c) for first, last in ((0x0300, 0x036F), (0x1AB0, 0x1AFF),
                                                   (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
                                                   (0xFE20, 0xFE2F))
                        for c in range(first, last + 1))
_APOSTROPHES = frozenset("'’ʼ‘`´")
#: For ASCII text: the apostrophes dropped, and what is neither letter nor digit.
_ASCII_DROP = str.maketrans("", "", "".join(c for c in _APOSTROPHES if c.isascii()))
_ASCII_OTHER = re.compile(r"[^A-Za-z0-9]+")


def normalise(text: str) -> str:
    """The form labels are compared in: accents (not other scripts' marks, see
    ``_DIACRITICS``) and case gone, punctuation a single space, apostrophes dropped ("Chong
    Th'nu" = "chong thnu")."""
    if text.isascii():  # the same as below, without the walk (NFKD changes no ASCII)
        return " ".join(_ASCII_OTHER.sub(" ", text.translate(_ASCII_DROP)).lower().split())
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    out = []
    for ch in decomposed:
        if ch in _DIACRITICS or ch in _APOSTROPHES:
            continue
        # Other marks (Khmer vowel signs, COENG) belong to their word.
        out.append(ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " ")
    return " ".join("".join(out).casefold().split())


def _exact(query: str, key: str) -> bool:
    return query == key or query.replace(" ", "") == key.replace(" ", "")


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


#: A token pair counts in :func:`_token_ratio` from this ratio.
_TOKEN_FLOOR = 0.8
#: The most token pairs whose ratios one batch keeps (:class:`_Scorer`).
_PAIR_CACHE_SIZE = 100_000
_NO_PAIR = (0.0, 0.0)


#: Generic words for a road, normalised ("đường" is "duong", "quốc lộ" written "QL 7"): two
#: different ones count as a token pair at ``_TOKEN_FLOOR`` however unlike their letters, so
#: "Highway 7" is a candidate for "Route 7" (81), never an exact match: a road's names are
#: the curators' (Vietnam's Quốc lộ 7 is not Cambodia's Road No. 7).
_ROAD_WORDS = frozenset({"road", "route", "highway", "hwy", "duong", "ql"})


#: A road word with its number run into it ("ql7", "hwy19": "QL7" as Vietnamese records write
#: a national road), and "quoc lo", the words QL abbreviates: :func:`_road_designations`.
_ROAD_NUMBER = re.compile(rf"(?<!\S)({'|'.join(sorted(_ROAD_WORDS))})([0-9]+)(?!\S)")
_QUOC_LO = re.compile(r"(?<!\S)quoc lo(?!\S)")


#: A numbering word between a name's word and its number, normalised ("Road No. 7", "đường
#: số 7", "Road Nr 7", "Road Number 7"): no word of the name, as "#" is none.
_NUMBERING = re.compile(r"(?<=[^\W\d_]) (?:no|nr|so|number) (?=[0-9])")


def _unnumbered(key: str) -> str:
    """A normalised name without its numbering words (``_NUMBERING``), without spaces:
    "road no 7" is "road7", as "Road #7" is. A cell equal to a key so is exact
    (:meth:`ReconciliationIndex._numbered`): "Road 7" is Road No. 7's name, "Đường 7" its
    "đường số 7", "Route No. 7" its "Route 7"; it is scored as written otherwise."""
    return _NUMBERING.sub(" ", key).replace(" ", "")


def _road_designations(query: str) -> str:
    """A normalised cell with its road designations read as the labels write them: a road
    word and its number as two words ("ql7" is "ql 7", "route7" "route 7"), and "quoc lo"
    (Quốc lộ) as "ql", so that the road-word rule (:func:`_least_pair`) and the number rule
    (``NUMBER_MISMATCH``) see them. A cell's text only: the labels are the curators'."""
    if "quoc lo" not in query and not any(word in query for word in _ROAD_WORDS):
        return query  # most cells: no regular expression run
    return _ROAD_NUMBER.sub(r"\1 \2", _QUOC_LO.sub("ql", query))


#: The letters Vietnamese military writing designates a formation by, before its number
#: ("F341" Sư đoàn 341, "QK7" Quân khu 7, "QĐ3" Quân đoàn 3), and the English "MR 9" and
#: "Div. 341", each with the words the labels write it in: :func:`_unit_designations`.
_UNIT_LETTERS = {"f": "su doan", "qk": "quan khu", "qd": "quan doan", "mr": "military region",
                 "div": "division"}
_UNIT_NUMBER = re.compile(rf"^({'|'.join(sorted(_UNIT_LETTERS))}) ?([0-9]+)$")


#: The words a formation's number follows or precedes ("Army Corps IV", "IX Corps"), where a
#: Roman numeral is that number (:func:`_unit_designations`).
_FORMATION_WORDS = frozenset({"corps", "region", "division", "doan", "khu", "regiment",
                              "brigade", "battalion"})
_ROMAN = re.compile(r"x{0,3}(?:ix|iv|v?i{0,3})")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}


def _roman(token: str) -> int | None:
    """The number a Roman numeral of 1 to 39 writes ("iv" 4, "xix" 19), or None."""
    if not token or not _ROMAN.fullmatch(token):
        return None
    values = [_ROMAN_VALUES[c] for c in token]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v
               for i, v in enumerate(values))


def _unit_designations(query: str) -> str:
    """A normalised cell that is a formation's designation ("f341", "qk 7", "mr 9") written
    out as its labels write it ("su doan 341", "quan khu 7", "military region 9"); any other
    cell as it is. The whole cell only: an "f" or "mr" among other words may be anything.
    A Roman numeral after or before a formation's word is its number, as English writes
    corps and regions ("army corps iv", "ix corps", "military region v": 4, 9, 5)."""
    found = _UNIT_NUMBER.match(query)
    return f"{_UNIT_LETTERS[found[1]]} {found[2]}" if found else _formation_numbers(query)


#: An English ordinal in figures ("3rd", "341st"), read as its number in a name with a
#: formation's word (:func:`_formation_numbers`).
_ORDINAL_TOKEN = re.compile(r"([0-9]+)(?:st|nd|rd|th)")


def _formation_numbers(text: str) -> str:
    """A normalised name with each Roman numeral after or before a formation's word in
    figures ("army corps iv": "army corps 4"), and where it has one, each English ordinal
    ("3rd army corps": "3 army corps", then as near "army corps 3" as the same words in
    another order are): a cell's,
    a label's (the index's keys) and a heading qualifier's alike, so that either way of
    writing finds the other."""
    if not any(w in text for w in _FORMATION_WORDS):
        return text
    tokens = text.split()
    for at, token in enumerate(tokens):
        ordinal = _ORDINAL_TOKEN.fullmatch(token)
        if ordinal:  # a number wherever a formation is named: "3rd army corps"
            tokens[at] = ordinal[1]
            continue
        number = _roman(token)
        if number is not None and (at and tokens[at - 1] in _FORMATION_WORDS
                                   or at + 1 < len(tokens) and tokens[at + 1] in _FORMATION_WORDS):
            tokens[at] = str(number)
    return " ".join(tokens)


def _least_pair(t: str, u: str) -> float:
    """The least two tokens pair at, however unlike their letters: ``_TOKEN_FLOOR`` for two
    road words (``_ROAD_WORDS``), else 0.0. The road-word rule, which both scorers
    (:func:`_token_pair`, :meth:`_Scorer._column`) apply."""
    return _TOKEN_FLOOR if t in _ROAD_WORDS and u in _ROAD_WORDS else 0.0


def _token_pair(t: str, u: str) -> float:
    """What :func:`_token_ratio` pairs two tokens at: difflib's ratio, or the least they pair
    at (:func:`_least_pair`) where it is lower."""
    return max(_ratio(t, u), _least_pair(t, u))


def _token_ratio(q_tokens: list[str], k_tokens: list[str]) -> float:
    """Each token paired with its closest on the other side (counting from 0.8; two road
    words at 0.8 at least), both ways: the harmonic mean of the two coverages."""
    def coverage(these: list[str], those: list[str]) -> float:
        total = 0.0
        for t in these:
            best = max(_token_pair(t, u) for u in those)
            total += best if best >= _TOKEN_FLOOR else 0.0
        return total / len(these)

    there, back = coverage(q_tokens, k_tokens), coverage(k_tokens, q_tokens)
    return 2 * there * back / (there + back) if there + back else 0.0


#: A query of at least two words found whole and in order in a label of more words ("general
#: staff" in "general staff of the vietnam peoples army", whose token ratio is 0.44) is at
#: least ``PHRASE_FLOOR`` similar to it, and ``PHRASE_SPAN`` more the larger a share of the
#: label's words it is (:func:`_phrase`): a candidate, at 54 to 72, never near an exact one.
PHRASE_FLOOR, PHRASE_SPAN = 0.6, 0.2


def _phrase(q_tokens: list[str], k_tokens: list[str]) -> float:
    """``PHRASE_FLOOR + PHRASE_SPAN * len(q_tokens) / len(k_tokens)`` where the query's
    tokens (two or more) are a run of the label's (more of them), else 0.0."""
    n = len(q_tokens)
    if n < 2 or n >= len(k_tokens):
        return 0.0
    first = q_tokens[0]
    for i in range(len(k_tokens) - n + 1):
        if k_tokens[i] == first and k_tokens[i:i + n] == q_tokens:
            return PHRASE_FLOOR + PHRASE_SPAN * n / len(k_tokens)
    return 0.0


#: A number token of a normalised text, or an English ordinal written in figures ("341st",
#: "4th"): its digits are the number it names.
_NUMBER_TOKEN = re.compile(r"(\d+)(?:st|nd|rd|th)?")


def _numbers(tokens: Iterable[str]) -> frozenset[str]:
    """The numbers the tokens of a normalised text name, without leading zeros: "341" and
    "341st" both name 341, so "Division 314" and the label "341st Division" share none."""
    found = set()
    for t in tokens:
        if t[0].isdigit() and (m := _NUMBER_TOKEN.fullmatch(t)):
            found.add(m.group(1).lstrip("0") or "0")
    return frozenset(found)


def _similarity(query: str, key: str) -> float:
    """1.0 for an exact normalised match, else the best of a character ratio, a token ratio
    (each query token paired with its closest label token and back) and, for a query that is
    a run of the label's words, :func:`_phrase`, times
    ``NUMBER_MISMATCH`` where both hold numbers and share none. The definition of the score:
    :class:`_Scorer` computes the same, faster."""
    if _exact(query, key):
        return 1.0
    chars = _ratio(query, key)
    q_tokens, k_tokens = query.split(), key.split()
    if not q_tokens or not k_tokens:
        return chars
    tokens = max(_token_ratio(q_tokens, k_tokens), _phrase(q_tokens, k_tokens))
    # Only an exact label is 1.0: the same words in another order are not.
    score = min(max(chars, tokens), 0.99)
    numbers, others = _numbers(q_tokens), _numbers(k_tokens)
    return score * NUMBER_MISMATCH if numbers and others and numbers.isdisjoint(others) \
        else score


#: The words a label's date may be written in after its last comma ("…, 7 January 1979",
#: "…, from 5-6 January 1979", "…, May to November 1978"; the Vietnamese names "…, ngày 7
#: tháng 1 năm 1979", "…, từ tháng 5 đến tháng 11 năm 1978"), normalised: with the numbers,
#: English month names (:data:`_MONTHS`) and those of :func:`_undated`.
_DATE_TAIL_WORDS = frozenset({"from", "to", "on", "in", "by", "until", "since", "completed",
                              "and", "or", "after", "before", "early", "late", "mid",
                              "ngay", "thang", "nam", "tu", "den", "va", "hoac", "truoc",
                              "sau", "hoan", "thanh"})


def _undated(label: str, key: str | None = None) -> str:
    """The normalised label without the date that ends it after a comma ("Capture of Phnom
    Penh, 7 January 1979": "capture of phnom penh"), or "" if it ends in no date. Event
    labels carry their date to tell events apart in lists; a cell names the event with or
    without it, and without it is compared with this key, so an exact name is exact.

    ``key``, the label's :func:`normalise` where the caller has it, is cut instead of the
    head normalised again: the comma is a space there, and :func:`normalise` treats each
    character alone (NFKD takes no mark across a comma, casefold has no context), so the
    label's key is the head's, a space and the tail's."""
    head, comma, tail = label.rpartition(",")
    if not comma:
        return ""
    tail_key = normalise(tail)
    words = tail_key.split()
    if not any(len(w) == 4 and w.isdigit() for w in words) or not all(
            w.isdigit() or w in _MONTHS or w in _DATE_TAIL_WORDS for w in words):
        return ""
    if key is None:
        return normalise(head)
    return key[:len(key) - len(tail_key)].rstrip(" ")


#: A heading's qualifier: the name and, at its end, a parenthesis ("Snuol (Cambodia)",
#: "Kratie (Cambodia : Province)") or, after its first comma, a year or years ("Pol Pot,
#: 1925-1998", "Capture of Phnom Penh, 1979") or other words ("Phnom Penh, Cambodia", as
#: archives write a place and its country; "Snuol, Kratie, Cambodia"): names, no figures
#: and not a date's words alone (an event's label ends in its date after a comma, and a cell
#: may be cut short in it), at most ``_QUALIFIER_WORDS`` words a part (not a cell that runs
#: on after a comma).
_QUALIFIED = re.compile(r"\s*(?P<head>[^()]*?\S)\s*(?:\((?P<paren>[^()]*?\S[^()]*?)\)"
                        r"|,\s*(?P<years>\d{4}|\d{3,4}\??\s*[-\u2013]\s*(?:\d{3,4})?\??)\.?"
                        r"|,\s*(?P<place>[^()\d]*?\S))\s*")
#: A personal name heading as LC and VIAF write one with a fuller or other name in a
#: parenthesis and life dates after it: "Pol Pot (Saloth Sar), 1925-1998".
_LIFE_AFTER_PARENTHESIS = re.compile(r"\s*(?P<named>[^()]*\([^()]*\))\s*,\s*"
                                     r"(?P<years>\d{3,4}\??\s*[-\u2013]\s*(?:\d{3,4})?\??"
                                     r"|\d{4})\.?\s*")
#: The most words of one part of a qualifier after a comma ("Kratie", "Socialist Republic of").
_QUALIFIER_WORDS = 4
#: A year, or a span of years, as :func:`normalise` leaves it ("1925 1998").
_YEARS = re.compile(r"(\d{3,4})(?: (\d{3,4}))?")
#: The keys of the dates :meth:`ReconciliationIndex._qualifies` reads a year in.
_DATED = ("startDate", "endDate", "onDate", "foundingDate", "latestStart", "notBefore",
          "notAfter")


#: What a qualifier that ends one of an entity's own names must name to qualify it
#: (:meth:`ReconciliationIndex._qualifies`): a place or a state, as "(Vietnam)" does.
_JURISDICTIONS = frozenset({_KGO + "Place", _KGO + "State"})
#: The most readings of a cell with another name for a name in it (:meth:`_renamings`),
#: the most entities one run of its words may name there, and what those readings score
#: at most: an inexact label's ceiling, so below any exact name of the cell as written.
_RENAMINGS, _RENAMED_OWNERS, _RENAMED_CEILING = 6, 3, 89.1
#: Heading words of the same meaning (normalised), for events as catalogues name them: a
#: cell is also read with one for another (:meth:`ReconciliationIndex._readings`), as the
#: service's reading, never a match. Road words need none: the scorer pairs them
#: (``_ROAD_WORDS``).
_HEADING_EQUIVALENTS = {word: tuple(w for w in group if w != word)
                        for group in (("uprising", "rebellion", "revolt", "insurrection"),)
                        for word in group}
#: Vietnamese heading words written before the name they head, normalised, with the English
#: word written after it: "Chế độ Pol Pot" says "Pol Pot regime", a name the graph holds
#: in English only. A cell that opens with one is also read so (:meth:`_readings`), as the
#: service's reading, never a match.
_HEADING_WORDS_VI = {"che do": "regime"}

#: Abbreviations of the words of classes of places a cell may write before or after a
#: place's name ("Tay Ninh Prov.", "Dist. Snuol": :meth:`ReconciliationIndex._place_type_word`).
_TYPE_ABBREVIATIONS = {"prov": "province", "dist": "district"}
#: What an event scores that a cell's date and the rest of its words find
#: (:meth:`ReconciliationIndex._answer_dated`): a reading, as ``_INITIALS_SCORE``.
_DATED_SCORE = 72.0
#: The most an event scores whose dates contradict the date in a cell: low, a person may
#: still see it (the sheet's date may be the error), below anything a date agrees with.
_DATE_CONTRADICTED = 60.0
#: An event's own dates, as stated (not the bounds of an undated one: notBefore, notAfter).
_STATED_DATES = ("startDate", "endDate", "onDate", "latestStart")
#: The longest span of years whose days an event is found under by a date within it.
_SPAN_YEARS = 5
#: The least a reading's candidate scores to be offered: a reading is a guess, and one that
#: finds only names far off ("PAVN forces" read "Vietnam People's Army forces" found People
#: of Vietnam at 65.8, above the army) says nothing the cell as written does not.
_RENAMED_FLOOR = 72.0
#: What an entity scores for a cell that is the initials of one of its names of three words
#: or more, which the graph does not hold as a name ("KPRC", "RAK"): a reading, as above.
_INITIALS_SCORE = 72.0
#: The most words of a cell read so: an archive's name of a thing ("Founding of KUFNS"), not
#: a sentence, whose readings would cost a query each.
_RENAMED_WORDS = 8
#: Why a heading's qualifier that nothing held contradicts still leaves its candidate for a
#: person (:meth:`ReconciliationIndex._qualifier_verdict`), as the candidate's note says it.
_UNCONFIRMED = {"undated": "this service holds no dates of it to check them against",
                "attached": "a command it was attached to (put under for operations), not "
                            "a unit or body it belongs to"}


#: Words an abbreviation may skip ("KUFNS": Kampuchean United Front for National Salvation).
_SKIPPED_IN_INITIALS = frozenset({"of", "for", "the", "and", "in", "on"})


def _initials(key: str) -> tuple[str, ...]:
    """The abbreviations a normalised name of several words may have: the first letters of
    all its words, and of those besides :data:`_SKIPPED_IN_INITIALS` ("rak" and "roak" for
    "revolutionary army of kampuchea")."""
    words = key.split()
    if len(words) < 2:
        return ()
    return ("".join(w[0] for w in words),
            "".join(w[0] for w in words if w not in _SKIPPED_IN_INITIALS))


def _heading(text: Any) -> tuple[str, str, list[str]] | None:
    """A cell written as a catalogue heading: (its name, its qualifier as written, the
    qualifier's parts normalised: split at ":", ";" and ","), or None. A parenthesis
    ends the cell, or what follows its first comma: years (a person's life: "1925-1998",
    "1925-") or words ("Phnom Penh, Cambodia"), or a day or month after its last comma, as
    a condition's date is read (:func:`read_date`: "Liberation of Phnom Penh, 7 January
    1979", as an event's label is written)."""
    if not isinstance(text, str) or len(text) > MAX_QUERY_CHARS:
        return None
    found = _QUALIFIED.fullmatch(text)
    dates = _LIFE_AFTER_PARENTHESIS.fullmatch(text) if found is None else None
    if dates is not None:  # "Pol Pot (Saloth Sar), 1925-1998": a name, another, life dates
        inner = _heading(dates["named"])
        if inner is not None and inner[1] != dates["named"].strip():
            return (inner[0], text.strip()[len(inner[0]):].strip(),
                    [*inner[2], normalise(dates["years"])])
    if found is None:  # a day or month after the last comma: "…, 7 January 1979"
        head, comma, tail = text.rpartition(",")
        if comma and normalise(head) and "(" not in tail and read_date(tail.strip())[0]:
            return head.strip(), tail.strip(), [normalise(tail)]
        return None
    if not normalise(found["head"]):
        return None
    if found["years"] and "," in found["head"]:  # a date with a comma: "…, January 7, 1979"
        before, _, words = found["head"].rpartition(",")
        date_said = f"{words.strip()}, {found['years']}"
        if normalise(before) and "(" not in words and read_date(date_said)[0]:
            return before.strip(), date_said, [normalise(date_said)]
    head, qualifier = found["head"], found["paren"] or found["years"] or found["place"]
    parts = [normalise(part) for part in re.split(r"[:;,]", qualifier)]
    if not all(parts) or found["place"] and (
            any(len(p.split()) > _QUALIFIER_WORDS for p in parts)
            or all(w in _MONTHS or w in _DATE_TAIL_WORDS for p in parts for w in p.split())):
        return None  # run on after a comma, or a date's words cut short ("…, Dec")
    inner = _QUALIFIED.fullmatch(head) if found["paren"] else None
    if inner is not None and inner["paren"] is None and normalise(inner["head"]):
        # a comma's qualifier before the parenthesis: "Snuol, Kratie (Cambodia)"
        outer = _heading(head)
        if outer is not None:
            return outer[0], text.strip()[len(inner["head"]):].lstrip(" ,"), outer[2] + parts
    return head, qualifier.strip(), parts


#: A personal name inverted as catalogues write one: a family name, a comma and the other
#: names (each of one to three words, no figures), and perhaps life dates after a second
#: comma ("Pot, Pol", "Duong, Huu", "Pot, Pol, 1925-1998").
_INVERTED = re.compile(r"\s*(?P<family>[^\W\d_]+(?:[\s'’-]+[^\W\d_]+){0,2})\s*,\s*"
                       r"(?P<given>[^\W\d_]+(?:[\s'’-]+[^\W\d_]+){0,2})\.?"
                       r"(?:\s*,\s*(?P<years>\d{3,4}\??\s*[-\u2013]\s*(?:\d{3,4})?\??|\d{4}))?"
                       r"\.?\s*")


def _uninverted(text: Any) -> str | None:
    """A cell written as an inverted personal name (``_INVERTED``) with its names back in
    order ("Pol Pot", "Pol Pot, 1925-1998"), or None."""
    if not isinstance(text, str) or len(text) > MAX_QUERY_CHARS:
        return None
    found = _INVERTED.fullmatch(text)
    if found is None:
        return None
    name = f"{found['given']} {found['family']}"
    return f"{name}, {found['years']}" if found["years"] else name


#: What may stand beside a date in a cell and is no part of the name ("Uprising of 26 May
#: 1978", "Capture of Phnom Penh on 7 January 1979"), normalised.
_DATE_JOINERS = _SKIPPED_IN_INITIALS | _DATE_TAIL_WORDS
_DATE_EDGES = ".,;:()[]"


def _drop_joiners(before: list[str]) -> None:
    """Take off the end of ``before`` (a cell's words before a date) the words joining the
    date to the name ("of", "on", "từ"), up to one the name ends at: a word of no joiner's,
    or one written with a comma or the like after it ("Biên giới Tây Nam, từ 23/12/1978":
    "Nam", south, is no "năm", year, there)."""
    while before and normalise(before[-1]) in _DATE_JOINERS | {""} and not (
            normalise(before[-1]) and before[-1][-1] in ",;:"):
        before.pop()


def _date_in(text: str) -> tuple[str, str] | None:
    """A date inside a cell's name, as :func:`read_date` reads it (ISO 8601 at its
    precision), and the cell without it and the words before it that join it to the name
    ("Uprising of 26 May 1978": "1978-05-26", "Uprising"; words after it are kept); the last
    date of the cell, its longest reading. None for a cell with no date, nothing but one, or
    two (a span, "from June to September 1978", or two names run together)."""
    if len(text) > MAX_QUERY_CHARS:
        return None
    tokens = text.split()
    for end in range(len(tokens) - 1, -1, -1):
        last = tokens[end].strip(_DATE_EDGES)
        if len(last) < 4 or not last[-4:].isdigit():
            continue
        for start in range(max(0, end - 5), end + 1):
            span = " ".join(tokens[start:end + 1]).strip(_DATE_EDGES)
            day, _ = read_date(span)
            if day is None:
                continue
            before, after = tokens[:start], tokens[end + 1:]
            _drop_joiners(before)
            rest = " ".join((*before, *after)).strip(" " + _DATE_EDGES)
            if not normalise(rest) or _date_in(rest) is not None:
                return None  # a date alone, or two dates: which would the name's be?
            return day, rest
    return None


#: What joins the two dates of a span in a cell: a slash (ISO 8601's interval), a dash, or
#: a word ("26 May 1978 – June 1978", "1978-12-23/1979-01-07", "June 1978 to 1979").
_RANGE_MARK = re.compile(r"\s*(?:/|[\u2013\u2014]|--?|\s(?:to|until|till|đến|den|au)\s)\s*",
                         re.IGNORECASE)


def _range_in(text: str) -> tuple[str, str, str] | None:
    """Two dates joined as a span at the end of a cell's name ("Eastern Zone uprising, 26 May
    1978 – June 1978", "Counter-offensive 1978-12-23/1979-01-07"), each read as
    :func:`_date_in` reads one: (the first, the last, the name without them and the words
    joining them to it), or None: no span, a span that ends before it begins, nothing but
    the span, or a third date."""
    if len(text) > MAX_QUERY_CHARS:
        return None
    for mark in _RANGE_MARK.finditer(text):
        last, _ = read_date(text[mark.end():].strip(" " + _DATE_EDGES))
        if last is None:
            continue
        tokens = text[:mark.start()].split()
        for start in range(max(0, len(tokens) - 6), len(tokens)):
            first, _ = read_date(" ".join(tokens[start:]).strip(_DATE_EDGES))
            if first is None:
                continue
            if _day_span(first)[0] > _day_span(last)[1]:
                return None
            before = tokens[:start]
            _drop_joiners(before)
            rest = " ".join(before).strip(" " + _DATE_EDGES)
            if not normalise(rest) or _date_in(rest) is not None:
                return None
            return first, last, rest
    return None


def _day_span(day: str) -> tuple[str, str]:
    """The first and last days of an ISO 8601 date at its precision (:func:`kg.dates.span`;
    a text that is no date, its own bounds)."""
    from kg.dates import DATE, YEAR, YEAR_MONTH, span

    return span(day, {4: YEAR, 7: YEAR_MONTH}.get(len(day), DATE)) or (day, day)


def _days_within(first: str, last: str) -> Iterator[str]:
    """Every day, month and year from ``first`` to ``last`` (ISO days), as ISO 8601."""
    at, end = date.fromisoformat(first), date.fromisoformat(last)
    while at <= end:
        iso = at.isoformat()
        yield iso
        yield iso[:7]
        yield iso[:4]
        at = date.fromordinal(at.toordinal() + 1)


def _best_first(candidates: Iterable[dict]) -> list[dict]:
    """Candidates by score, best first, then by name (without case) and id: the order of an
    answer merged from several readings of a cell."""
    return sorted(candidates, key=lambda c: (-c["score"], c["name"].casefold(), c["id"]))


def _one_match(candidates: list[dict]) -> list[dict]:
    """``candidates`` as they are, or, where more than one is a match, none matched: two
    readings of a cell that each find a match cancel each other, every candidate left for a
    person (at most ``AMBIGUOUS_SCORE``)."""
    if sum(c["match"] for c in candidates) <= 1:
        return candidates
    return [{**c, "score": min(c["score"], AMBIGUOUS_SCORE), "match": False} for c in candidates]


def _masks(text: str) -> dict[str, int]:
    """For each character of ``text``, the bit set of where it occurs (for :func:`_lcs`)."""
    masks: dict[str, int] = {}
    for i, ch in enumerate(text):
        masks[ch] = masks.get(ch, 0) | 1 << i
    return masks


def _lcs(masks: dict[str, int], size: int, other: str) -> int:
    """The length of the longest common subsequence of ``other`` and the text of ``size``
    characters whose :func:`_masks` these are (bit-parallel: Allison and Dix 1986, Hyyrö
    2004). difflib's matching blocks are a common subsequence, so ``2.0 * _lcs(…) / (len(a)
    + len(b))`` bounds ``_ratio(a, b)`` from above, far closer than ``quick_ratio``."""
    v = full = (1 << size) - 1
    for ch in other:
        u = v & masks.get(ch, 0)
        v = (v + u) | (v - u)
    return size - (v & full).bit_count()


class _Scorer:
    """The similarity of one query to the keys of many entities: :func:`_similarity`, to the
    last bit, without the ratios that cannot change the answer (difflib's ratio was ~14,000
    calls and 0.3-0.5 s for a 60-character cell against 105 entities).

    * A token pair counts only from 0.8, so a pair whose lengths (difflib's
      ``real_quick_ratio``) or longest common subsequence (:func:`_lcs`), upper bounds of its
      ratio worked out the way ``ratio`` divides, keep it under 0.8 is never compared.
    * What a label token gives the token ratio depends only on it and the query: it is worked
      out once per query (:meth:`_column`), not once per label that has the token.
    * The character ratio of the whole texts is computed only where the same upper bounds
      reach the floor and exceed both the token ratio and the entity's best key so far.
    * Token pairs' ratios are kept for a batch (``pairs``, at most ``_PAIR_CACHE_SIZE``): the
      cells of a column share words.
    """

    __slots__ = ("query", "tokens", "floor", "_compact", "_masks", "_token_masks", "_pairs",
                 "_columns", "_numbers")

    def __init__(self, query: str, floor: float, pairs: dict | None = None):
        self.query, self.tokens, self.floor = query, query.split(), floor
        self._numbers = _numbers(self.tokens)
        self._compact = query.replace(" ", "")
        self._masks = _masks(query)
        self._token_masks = {t: _masks(t) for t in self.tokens}
        self._pairs: dict[tuple[str, str], tuple[float, float]] = {} if pairs is None else pairs
        self._columns: dict[str, tuple[tuple[float, ...] | None, float]] = {}

    def best(self, keys: Iterable[str]) -> float:
        """``max(_similarity(query, k) for k in keys)`` where it reaches the floor; some value
        under the floor where it does not."""
        query, floor, best = self.query, self.floor, 0.0
        for key in keys:
            if key == query or key.replace(" ", "") == self._compact:
                return 1.0
            k_tokens = key.split()
            tokens = (max(self._token_ratio(k_tokens), _phrase(self.tokens, k_tokens))
                      if k_tokens and self.tokens else 0.0)
            score, bar = tokens, max(best, tokens)
            size = len(query) + len(key)
            bound = 2.0 * min(len(query), len(key)) / size
            if bound > bar and bound >= floor:
                bound = 2.0 * _lcs(self._masks, len(query), key) / size
                if bound > bar and bound >= floor:
                    score = max(_ratio(query, key), tokens)
            if k_tokens and self.tokens:
                score = min(score, 0.99)
                # a lower score than the bounds above allow, never a higher one
                if self._numbers and score:
                    numbers = _numbers(k_tokens)
                    if numbers and self._numbers.isdisjoint(numbers):
                        score *= NUMBER_MISMATCH
            if score > best:
                best = score
        return best

    def _token_ratio(self, k_tokens: list[str]) -> float:
        """:func:`_token_ratio` of the query's tokens and these."""
        columns = [self._column(u) for u in k_tokens]
        live = [there for there, _ in columns if there is not None]
        if not live:
            return 0.0  # no query token is near any of these: the mean is 0
        nearest = live[0] if len(live) == 1 else [max(c) for c in zip(*live, strict=True)]
        there = sum(nearest) / len(self.tokens)
        back = sum(b for _, b in columns) / len(k_tokens)
        return 2 * there * back / (there + back) if there + back else 0.0

    def _column(self, u: str) -> tuple[tuple[float, ...] | None, float]:
        """For a label token: its ratio to each query token (None if all are 0) and its best
        ratio from the query tokens, each counted from 0.8 (else 0.0)."""
        found = self._columns.get(u)
        if found is not None:
            return found
        size, there, back = len(u), [], 0.0
        # only a road word pairs by more than its letters (_least_pair is 0 for the others):
        # asked once per label token, not for each pair (a call a pair cost 15 % of a scan)
        road = u in _ROAD_WORDS
        for t in self.tokens:
            if t == u:
                there.append(1.0)
                back = 1.0
                continue
            near = 2.0 * min(len(t), size) / (len(t) + size) >= _TOKEN_FLOOR
            if road:
                # lengths that keep the ratio under the floor: no pair but the least
                to, fro = self._pair(t, u) if near else _NO_PAIR
                least = _least_pair(t, u)
                there.append(max(to, least))
                back = max(back, fro, least)
            elif near:
                to, fro = self._pair(t, u)
                there.append(to)
                back = max(back, fro)
            else:
                there.append(0.0)
        found = self._columns[u] = (tuple(there) if any(there) else None, back)
        return found

    def _pair(self, t: str, u: str) -> tuple[float, float]:
        """``_ratio(t, u)`` and ``_ratio(u, t)`` (difflib's ratio is not symmetric), each 0.0
        under 0.8, for tokens whose lengths allow 0.8."""
        found = self._pairs.get((t, u))
        if found is None:
            if 2.0 * _lcs(self._token_masks[t], len(t), u) / (len(t) + len(u)) < _TOKEN_FLOOR:
                found = _NO_PAIR
            else:
                there, back = _ratio(t, u), _ratio(u, t)
                found = (there if there >= _TOKEN_FLOOR else 0.0,
                         back if back >= _TOKEN_FLOOR else 0.0)
            if len(self._pairs) < _PAIR_CACHE_SIZE:
                self._pairs[(t, u)] = found
        return found


#: Added to an upper bound of a similarity (:meth:`ReconciliationIndex._candidates`), so that
#: no rounding of the scorer's own sums lets a candidate beat its bound.
_BOUND_MARGIN = 1e-9

#: The token ratio of a key reaches ``MIN_SIMILARITY`` (0.6) only where both its coverages
#: reach 3/7 (the harmonic mean of 3/7 and 1 is 0.6), so only where at least 3/7 of the
#: query's tokens have a label token near enough to count (:meth:`_LcsScan.near` at
#: ``_TOKEN_FLOOR``). Counted with a margin under 3/7, so that no rounding decides.
_TOKEN_SHARE = 0.42


class _LcsScan:
    """Many texts at once for the bound :class:`_Scorer` puts on a ratio: which texts have
    ``2.0 * _lcs(…) / (len(query) + len(text)) >= floor``, the same value to the last bit,
    best bound first and only as far as they are read (:meth:`ranked`).

    The texts are kept in bands of lengths that take the same bytes, ``(length + 8) // 8``
    (56-63, 64-71 …), a length in a band of its own once it has ``_BAND_TEXTS`` texts: in a
    band each text is laid on the same whole number of bytes, followed by at least one bit
    that is no text's. :func:`_lcs`'s recurrence runs over a
    band's texts at once, one step per character of the query (a carry stops at the first bit
    that is no text's, which is then cleared), and the common subsequences' lengths are read
    back for all of them with a few C calls: the bytes' bit counts (``bytes.translate``), a
    text's bytes summed by adding the band shifted, every text's first byte taken by a slice.
    A text's length bounds its ratio (``2 * min / (n + length)``, ``real_quick_ratio``): a
    band is scanned only once the texts of the bands scanned before have been read down to
    the most its lengths allow, so a cell whose candidates are settled early never scans the
    bands of lengths far from its own. No index of substrings can bound a character ratio of
    0.6 (``abc`` and ``axbxc`` share no two letters in a row and have a ratio of 0.75)."""

    __slots__ = ("_bands",)

    def __init__(self, texts: list[str]):
        bands: list[list[int]] = []
        for i in sorted(range(len(texts)), key=lambda i: len(texts[i])):
            if bands:
                last = texts[bands[-1][-1]]
                if len(texts[i]) == len(last) or (
                        (len(texts[i]) + 8) // 8 == (len(last) + 8) // 8
                        and len(bands[-1]) < _BAND_TEXTS):
                    bands[-1].append(i)
                    continue
            bands.append([i])
        self._bands = [_LcsBand((len(texts[members[0]]) + 8) // 8,
                                [texts[i] for i in members], members) for members in bands]

    def near(self, query: str, floor: float) -> list[int]:
        """The indices (in the list given) of the texts whose bound reaches ``floor``."""
        return [i for i, _ in self.ranked(query, floor)]

    def bounds(self, query: str, floor: float) -> list[tuple[int, float]]:
        """:meth:`near`'s texts, each with its bound."""
        return list(self.ranked(query, floor))

    def ranked(self, query: str, floor: float) -> Iterator[tuple[int, float]]:
        """:meth:`bounds`, lazily, best bound first (the order of equal bounds is not
        defined). A band is scanned when the next text may be one of its."""
        n = len(query)
        if not n:
            return
        # (-bound, 0, tie, (band, first, counts, common)) for the texts of a band whose
        # common subsequence has ``common`` characters; (-ceiling, 1, tie, band) for a band
        # not scanned yet. At equal bounds, texts found come before a scan.
        heap: list[tuple] = []
        for tie, band in enumerate(self._bands):
            ceiling = band.ceiling(n)
            if ceiling >= floor:
                heap.append((-ceiling, 1, tie, band))
        heapq.heapify(heap)
        tie = len(heap)
        while heap:
            negative, kind, _, found = heapq.heappop(heap)
            if kind == 1:
                for first, length, counts in found.scan(query):
                    for common in range(min(n, length), -1, -1):
                        bound = 2.0 * common / (n + length)
                        if bound < floor:
                            break
                        if common in counts:
                            heapq.heappush(heap, (-bound, 0, tie, (found, first, counts,
                                                                   common)))
                            tie += 1
                continue
            band, first, counts, common = found
            order, bound = band.order, -negative
            if isinstance(counts, bytes):
                value = common.to_bytes(1, "little")
                at = counts.find(value)
                while at >= 0:
                    yield order[first + at], bound
                    at = counts.find(value, at + 1)
            else:
                for at in counts[common]:
                    yield order[first + at], bound


#: A band of :class:`_LcsScan` takes the texts of the next lengths (of the same bytes each)
#: until it has this many, then a length of its own each: a band costs a few operations a
#: character of the query however few its texts, and a cell reads the lengths near its own.
_BAND_TEXTS = 256

#: The number of 1 bits of each byte value, for ``bytes.translate``.
_BIT_COUNTS = bytes(b.bit_count() for b in range(256))
#: For ``bytes.translate``: "1" for the code ``n`` and "0" for the others (``_CODE_BITS[n]``),
#: and "1" for every code but 0, which is no character's (:class:`_LcsBand`).
_CODE_BITS = [bytes(0x31 if b == n else 0x30 for b in range(256)) for n in range(256)]
_LIVE_BITS = bytes(0x30 if b == 0 else 0x31 for b in range(256))


class _LcsBand:
    """The texts of :class:`_LcsScan` that take ``size`` bytes each, laid end to end: each
    character's bits, and the bits that are the texts' (``live``)."""

    __slots__ = ("size", "order", "lengths", "masks", "live")

    def __init__(self, size: int, texts: list[str], order: list[int]):
        self.size = size
        self.order = array("I", order)
        #: (length, its first text, its last text + 1), the texts being sorted by length
        self.lengths: list[tuple[int, int, int]] = []
        for at, text in enumerate(texts):
            if self.lengths and self.lengths[-1][0] == len(text):
                length, first, _ = self.lengths[-1]
                self.lengths[-1] = (length, first, at + 1)
            else:
                self.lengths.append((len(text), at, at + 1))
        laid = "".join(text + "\0" * (size * 8 - len(text)) for text in texts)
        # Each character's bits, built by C loops: the text as one byte a character (the most
        # frequent 254 characters; the rest share 255 and are found by str.find), the byte
        # string turned into a string of 0s and 1s, read as a number (lowest bit first).
        counts = Counter(laid)
        del counts["\0"]
        frequent = sorted(counts, key=lambda c: (-counts[c], c))[:254]
        codes = {ord(c): chr(n) for n, c in enumerate(frequent, 1)}
        codes.update({ord(c): "\xff" for c in counts if ord(c) not in codes})
        codes[0] = "\0"
        backwards = laid.translate(codes).encode("latin-1")[::-1]

        def bits(table: bytes) -> int:
            return int(backwards.translate(table) or b"0", 2)

        masks = {}
        for n, c in enumerate(frequent, 1):
            masks[c] = bits(_CODE_BITS[n])
        for c in counts:
            if c not in masks:
                m, i = 0, laid.find(c)
                while i >= 0:
                    m |= 1 << i
                    i = laid.find(c, i + 1)
                masks[c] = m
        self.masks = masks
        self.live = bits(_LIVE_BITS)

    def ceiling(self, n: int) -> float:
        """The most a text of the band can have as its bound against a query of ``n``
        characters: that of its length nearest ``n`` (the same float as the bound of a text
        of that length all of whose characters, or the query's, are in common)."""
        return max(2.0 * min(n, length) / (n + length) for length, _, _ in self.lengths)

    def scan(self, query: str) -> list[tuple[int, int, bytes | dict[int, list[int]]]]:
        """For each length of the band's texts: its first text, the length, and how many
        characters each of its texts has in common with ``query`` (the length of their
        longest common subsequence), a byte each (or, for texts of over 247 characters, whose
        counts need not fit in a byte, the texts by their count)."""
        live = v = self.live
        masks = self.masks
        for ch in query:
            m = masks.get(ch)
            if m:
                u = v & m
                v = ((v + u) | (v - u)) & live
        size, width = self.size, len(self.order) * self.size
        common = (v ^ live).to_bytes(width, "little")  # the bits of characters in common
        out: list[tuple[int, int, bytes | dict[int, list[int]]]] = []
        if size * 8 <= 255:
            # a byte each: the bit counts of a text's bytes summed into its first byte (at
            # most 8 * size: no carry from one byte to the next)
            per_byte = int.from_bytes(common.translate(_BIT_COUNTS), "little")
            total = per_byte
            for k in range(1, size):
                total += per_byte >> (8 * k)
            firsts = total.to_bytes(width, "little")[::size]
            for length, first, last in self.lengths:
                out.append((first, length, firsts[first:last]))
            return out
        for length, first, last in self.lengths:
            by_count: dict[int, list[int]] = {}
            for at in range(first, last):
                ones = int.from_bytes(common[at * size:(at + 1) * size], "little").bit_count()
                by_count.setdefault(ones, []).append(at - first)
            out.append((first, length, by_count))
        return out


def _bit_set(members: Iterable[int], size: int) -> int:
    """The int whose bit ``i`` is set for each ``i`` of ``members`` (all under ``size``)."""
    laid = bytearray((size + 7) // 8)
    for i in members:
        laid[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(laid, "little")


def _count_into(counts: list[int], members: int) -> None:
    """Add 1 to the count of each member of the bit set ``members``, the counts kept as bit
    planes (bit ``i`` of ``counts[j]`` is bit ``j`` of member ``i``'s count): a ripple-carry
    adder over whole ints, a few C operations for all members at once."""
    carry = members
    for j, bits in enumerate(counts):
        if not carry:
            return
        counts[j], carry = bits ^ carry, bits & carry
    if carry:
        counts.append(carry)


def _members(bits: int) -> Iterator[int]:
    """The members of a bit set, highest first (``str.find`` over its binary digits)."""
    digits = bin(bits)
    top = len(digits) - 1
    at = digits.find("1", 2)
    while at >= 0:
        yield top - at
        at = digits.find("1", at + 1)


# -- identifiers ---------------------------------------------------------------------------

def entity_id(iri: str) -> str:
    """The service's id of one of our IRIs (the IRI without the base); other IRIs as given."""
    return iri[len(BASE):] if iri.startswith(BASE) else iri


def _entity_iri(given: str) -> str:
    given = given.strip()
    if given.startswith(("http://", "https://")):
        return given
    if given.startswith("kg:"):
        return BASE + given[3:]
    return BASE + given


def _type_iri(given: str) -> str:
    given = given.strip()
    if given.startswith(("http://", "https://")):
        return given
    prefix, colon, local = given.partition(":")
    if colon and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    return _KGO + given


def _type_id(iri: str) -> str:
    return iri[len(_KGO):] if iri.startswith(_KGO) else iri


# -- the index -----------------------------------------------------------------------------

@dataclass(slots=True)
class Value:
    """One value of an entity: an IRI or a literal's lexical form."""

    text: str
    is_iri: bool
    inferred: bool = False
    lang: str = ""


@dataclass(slots=True)
class Entity:
    iri: str
    id: str
    name: str = ""
    description: str = ""
    keys: list[str] = field(default_factory=list)  # normalised labels, altLabels, undated
    types: set[str] = field(default_factory=set)  # every rdf:type, inferred ones included
    values: dict[str, list[Value]] = field(default_factory=dict)

    def direct(self, key: str) -> list[str]:
        """The asserted values of one predicate (an IRI's values are IRIs)."""
        return [v.text for v in self.values.get(key, ()) if not v.inferred]

    def every(self, key: str) -> list[str]:
        """Asserted and inferred values (a transitive property's whole chain)."""
        return [v.text for v in self.values.get(key, ())]


@dataclass
class TypeInfo:
    iri: str
    id: str
    name: str
    description: str = ""
    supers: set[str] = field(default_factory=set)  # direct kgo superclasses
    ancestors: set[str] = field(default_factory=set)  # reflexive-transitive
    #: rdfs:labels in other languages than English (suggest/type finds the class by them)
    labels: list[str] = field(default_factory=list)


#: How a candidate meets a condition (:meth:`ReconciliationIndex._meets`).
_EXACT, _CLOSE = 2, 1


@dataclass
class Candidate:
    entity: Entity
    score: float
    exact: bool
    by_id: bool = False  # an authority identifier of the query names it (skos:exactMatch)
    note: str = ""  # why it is not matched, where that is the candidate's own (an attachment)


def _rows(solutions: Any, order: tuple[str, ...]) -> Iterable[tuple]:
    """The solutions as tuples of ``order``'s variables (None where unbound): the solutions
    themselves when they come in that order, which is read row by row without a dict per row
    (dicts of each row's bound variables took twice as long, measured when the types were rows
    of the entity query, 385k at 1M quads; at 1M generated quads the entity query now gives
    190k rows and the types query 50k, one per entity)."""
    if tuple(v.value for v in solutions.variables) == order:
        return solutions
    return (tuple(row.get(n) for n in order) for row in solution_dicts(solutions))


class ReconciliationIndex:
    """Every candidate entity with its normalised labels, types and the values the service
    returns, held in memory; built once per app (:meth:`from_store`)."""

    def __init__(self, entities: Iterable[Entity], types: Iterable[TypeInfo],
                 property_labels: dict[str, list[str]] | None = None):
        self.entities: dict[str, Entity] = {e.iri: e for e in entities}
        self.types: dict[str, TypeInfo] = {t.iri: t for t in types}
        #: The properties' rdfs:labels in other languages than English, by property id
        #: (suggest/property finds a property by them, as suggest/type a class)
        self.property_labels: dict[str, list[str]] = dict(property_labels or {})
        self._ordered = sorted(self.entities.values(), key=lambda e: (e.name.casefold(), e.id))
        #: Every type a candidate has (standard vocabularies' too, such as schema:Place): with
        #: the ontology's classes, the types a query may name without being ignored.
        self._held_types: set[str] = set().union(*(e.types for e in self.entities.values()))
        #: Those and the ontology's classes by their IRIs case-folded (:meth:`_type_named`).
        self._type_by_folded = _unambiguous((t.casefold(), t)
                                            for t in (*self.types, *self._held_types))
        #: The ontology's classes by their labels, in any language, normalised: every class
        #: a label names (:meth:`_types_named`), and the one it names where it names one
        #: (:meth:`_type_named`).
        self._types_by_name: dict[str, frozenset[str]] = {}
        for t in self.types.values():
            for label in (t.name, *t.labels):
                name = normalise(label)
                self._types_by_name[name] = self._types_by_name.get(name, frozenset()) | {t.iri}
        self._type_by_name = {name: next(iter(iris))
                              for name, iris in self._types_by_name.items() if len(iris) == 1}
        #: The marks of a heading ("(" and ",") that an entity's names are written with, by
        #: its id: a cell that finds such a name is taken as written (``AS_WRITTEN_SCORE``).
        self._punctuated: dict[str, str] = {}
        for e in self.entities.values():
            marks = "".join(m for m in "(," if any(
                m in v.text for k in ("label", "altLabel") for v in e.values.get(k, ())))
            if marks:
                self._punctuated[e.id] = marks
        #: The names :meth:`_renamings` swaps, by an entity's place (:meth:`_names_of`).
        self._renaming_names: dict[int, list[tuple[str, tuple[str, str], str, str]]] = {}
        #: The events by their stated dates at each precision (1978-05-26 under 1978 and
        #: 1978-05 too) and by the days, months and years within their first and last
        #: possible days where the graph bounds both (:meth:`_answer_dated`), by their places
        #: in ``_ordered``: the candidates a date in a cell may find.
        self._by_day: dict[str, list[int]] = {}
        for at, e in enumerate(self._ordered):
            if _KGO + "Event" not in e.types:
                continue
            days = {v.text[:n] for k in _STATED_DATES for v in e.values.get(k, ())
                    for n in (4, 7, 10)}
            begins = [v.text for v in e.values.get("beginOfTheBegin", ())]
            ends = [v.text for v in e.values.get("endOfTheEnd", ())]
            if begins and ends and min(begins) <= max(ends) and \
                    int(max(ends)[:4]) - int(min(begins)[:4]) <= _SPAN_YEARS:
                days |= set(_days_within(min(begins), max(ends)))
            for d in days:
                self._by_day.setdefault(d, []).append(at)
        #: A state's names of the countries it governs (TERRITORY_SCORE).
        self._territories: dict[str, list[str]] = {}
        for e in self.entities.values():
            keys = [k for place in dict.fromkeys(e.every("governs"))
                    for k in getattr(self.entities.get(place), "keys", ())]
            if keys:
                self._territories[e.iri] = keys
        self._build_candidate_index()

    def _build_candidate_index(self) -> None:
        """What :meth:`_candidates` looks a query's text up in: every key of every entity
        (its owner's place in ``_ordered``), their tokens, and the keys and the states'
        territory names by their text without spaces (what :func:`_exact` compares).

        A token's postings (the keys that have it) are a bit set of the keys (an int, bit
        ``i`` for key ``i``) when it is in at least 1/32 of them, which then takes no more
        memory than the list of their numbers (4 bytes each): those tokens ("attack", "on",
        "commune") are the ones whose keys a query counts in their thousands, and a bit set
        counts them with a few operations on whole ints (:func:`_count_into`)."""
        owners = array("I")  # 4 bytes a key, not a list of int objects
        texts: list[str] = []
        self._by_compact: dict[str, list[int]] = {}
        postings: dict[str, list[int]] = {}
        #: Where each entity's keys begin among them (its keys are the next ones up to the
        #: next entity's): a reading's words are looked up in an entity's keys (:meth:`_fit`).
        self._key_start = array("I")
        for at, e in enumerate(self._ordered):
            self._key_start.append(len(texts))
            for k in e.keys:
                self._by_compact.setdefault(k.replace(" ", ""), []).append(at)
                for token in dict.fromkeys(k.split()):
                    postings.setdefault(token, []).append(len(texts))
                owners.append(at)
                texts.append(k)
        self._key_start.append(len(texts))
        position = self._position = {e.iri: at for at, e in enumerate(self._ordered)}
        for iri, keys in self._territories.items():
            for k in keys:
                self._by_compact.setdefault(k.replace(" ", ""), []).append(position[iri])
        self._key_owner = owners
        #: The keys written with a numbering word ("road no 7") by their text without it and
        #: without spaces (:func:`_unnumbered`): a cell without it is exact (:meth:`_numbered`).
        self._by_unnumbered: dict[str, list[int]] = {}
        for at, k in zip(owners, texts, strict=True):
            if (bare := _unnumbered(k)) != k.replace(" ", ""):
                self._by_unnumbered.setdefault(bare, []).append(at)
        #: The keys of three words or more by their initials (:func:`_initials`): a cell that
        #: is one of them ("KPRC", "RAK") finds the name it abbreviates (:meth:`_answer`).
        self._by_initials: dict[str, list[int]] = {}
        for at, k in zip(owners, texts, strict=True):
            if k.count(" ") >= 2:
                for short in dict.fromkeys(_initials(k)):
                    if len(short) >= 3:
                        self._by_initials.setdefault(short, []).append(at)
        #: The names written with a qualifier in a parenthesis of their own ("Eastern
        #: Military Region (Cambodia)"; a place after a comma before it too, "Attack on Snuol
        #: District, Kratie (21 May 1978)", as :meth:`_names_of` reads a name) by their name
        #: without it, without spaces: a cell that is that name is the entity's, less what
        #: the curators added to tell it apart (:meth:`_with_qualified`).
        self._by_unqualified: dict[str, list[tuple[int, str]]] = {}
        for at, e in enumerate(self._ordered):
            for v in (v for k in ("label", "altLabel") for v in e.values.get(k, ())):
                heading = _heading(v.text) if "(" in v.text else None
                if heading is not None and v.text.rstrip().endswith(")"):
                    self._by_unqualified.setdefault(
                        normalise(heading[0]).replace(" ", ""), []).append((at, v.text))
        self._key_scan = _LcsScan(texts)
        self._vocabulary = list(postings)
        self._token_at = {token: v for v, token in enumerate(self._vocabulary)}
        dense = max(1, len(texts) // 32)
        self._postings: list[array | int] = [
            array("I", keys) if len(keys) < dense else _bit_set(keys, len(texts))
            for keys in map(postings.__getitem__, self._vocabulary)]
        self._token_scan = _LcsScan(self._vocabulary)
        #: The road words the keys have (``_ROAD_WORDS``), by their place in the vocabulary.
        self._road_words = [v for v, t in enumerate(self._vocabulary) if t in _ROAD_WORDS]

    def _candidates(self, query: str) -> Iterator[tuple[float, int]]:
        """The entities (their places in ``_ordered``) whose keys may score
        ``MIN_SIMILARITY`` against ``query`` (normalised, not empty), and the states it may
        name the country of: a superset of those :class:`_Scorer` finds at or above it, the
        others left unscored. A key is kept when it is exact, when its bound on the character
        ratio (the scorer's own, :class:`_LcsScan`) reaches the floor, or when enough of the
        query's tokens have a token of the key that may count in the token ratio
        (``_TOKEN_SHARE``).

        Each entity comes with an upper bound on what :meth:`_Scorer.best` gives it: 1.0 for
        an exact key or a territory's name; else the best of its kept keys' bounds on the
        character ratio and on the token ratio (``h`` of the query's tokens near one of the
        key's bound its coverage, the key's own coverage is at most 1: at most ``2h / (1 +
        h)``), with ``_BOUND_MARGIN``. A key that reaches neither floor scores under
        ``MIN_SIMILARITY``: it decides no candidate's score. A key the query is a run of
        (:func:`_phrase`) has every query token: its bound on the token ratio is 1.0, above
        what the phrase gives it.

        The pairs ``(bound, entity)`` come best bound first, lazily: an entity may come again
        (a lower bound of another of its keys), the first time with its own bound. The keys
        of each count of near tokens are read only when the scoring gets to their bound, so
        a query whose ``limit`` is settled early reads none of the thousands that share a
        word or two with it; likewise the character bounds of the keys whose lengths are far
        from the query's are worked out only when the scoring gets to what their lengths
        allow (:meth:`_LcsScan.ranked`)."""
        exact = [(1.0 + _BOUND_MARGIN, at)
                 for at in (*self._by_compact.get(query.replace(" ", ""), ()),
                            *self._numbered(query))]
        owners = self._key_owner
        by_char = ((b + _BOUND_MARGIN, owners[i])
                   for i, b in self._key_scan.ranked(query, MIN_SIMILARITY))
        return heapq.merge(exact, by_char, self._by_tokens(query.split()),
                           key=lambda pair: pair[0], reverse=True)

    def _numbered(self, query: str) -> list[int]:
        """The entities a normalised cell names exactly but for numbering words (``No.``,
        ``số``: :func:`_unnumbered`), in the cell, a key, or both: "road 7" Road No. 7
        ("road no 7"), "route no 7" it too ("route 7")."""
        bare = _unnumbered(query)
        found = self._by_unnumbered.get(bare, [])
        if bare != query.replace(" ", ""):
            found = [*found, *self._by_compact.get(bare, ())]
        return found

    def _by_tokens(self, tokens: list[str]) -> Iterator[tuple[float, int]]:
        """:meth:`_candidates`'s entities by the token ratio: the keys with ``n`` of the
        query's tokens near one of theirs (each token counted as often as the query has it),
        for ``n`` from all of them down to the least that may reach the floor, each with its
        bound ``2h / (1 + h)`` for ``h = n / len(tokens)``."""
        size = len(self._key_owner)
        counts: list[int] = []  # bit ``i`` of counts[j]: bit j of key i's count
        for token, times in Counter(tokens).items():
            near_ones = self._token_scan.near(token, _TOKEN_FLOOR)
            if token in _ROAD_WORDS:  # near every road word (_least_pair)
                near_ones = dict.fromkeys(itertools.chain(near_ones, self._road_words))
            near = self._keys_with(near_ones)
            if near:
                for _ in range(times):
                    _count_into(counts, near)
        if not counts:
            return
        full = (1 << size) - 1
        owners = self._key_owner
        for n in range(len(tokens), math.ceil(_TOKEN_SHARE * len(tokens)) - 1, -1):
            if n >> len(counts):
                continue  # no key's count has that many bits
            keys = full
            for j, bits in enumerate(counts):
                keys &= bits if n >> j & 1 else bits ^ full
                if not keys:
                    break
            if not keys:
                continue
            share = n / len(tokens)
            bound = 2 * share / (1 + share) + _BOUND_MARGIN
            for i in _members(keys):
                yield bound, owners[i]

    # -- building ----------------------------------------------------------------------

    @classmethod
    def from_store(cls, store: Any) -> ReconciliationIndex:
        """Read the index from a :class:`kg.store.DatasetStore` (two fixed queries)."""
        types: dict[str, TypeInfo] = {}
        for row in store.select(_CLASS_QUERY):
            iri, p, o = row["c"].value, row["p"].value, row["o"]
            t = types.setdefault(iri, TypeInfo(iri, _type_id(iri), _type_id(iri)))
            lang = row["lang"].value if "lang" in row else ""
            if p == _RDFS + "label" and lang in ("en", ""):
                t.name = o.value
            elif p == _RDFS + "label":
                t.labels.append(o.value)
            elif p == _RDFS + "comment" and lang in ("en", ""):
                t.description = o.value
            elif p == _RDFS + "subClassOf" and o.value.startswith(_KGO) and o.value != iri:
                t.supers.add(o.value)
        for t in types.values():
            seen, todo = {t.iri}, [t.iri]
            while todo:
                for s in types.get(todo.pop(), TypeInfo("", "", "")).supers:
                    if s not in seen:
                        seen.add(s)
                        todo.append(s)
            t.ancestors = seen
        for t in types.values():  # keep the direct superclasses only
            t.supers = {s for s in t.supers
                        if not any(s != o and s in types[o].ancestors
                                   for o in t.supers if o in types)}

        entities: dict[str, Entity] = {}
        for s, listed in _rows(store.query(_TYPES_QUERY), ("s", "types")):
            # the same type IRIs recur on every entity: one string each
            entities[s.value] = Entity(s.value, entity_id(s.value),
                                       types=set(map(intern, listed.value.split(" "))))
        labels: dict[str, list[tuple[str, str]]] = {}
        inferred_graph = ox.NamedNode(str(INFERRED_GRAPH))
        # the predicates by their terms: no string made of each row's predicate to look up
        reads = {ox.NamedNode(iri): key for iri, key in _READ.items()}
        seen: set[tuple] = set()
        for s, p, o, g in _rows(store.query(_ENTITY_QUERY), ("s", "p", "o", "g")):
            iri = s.value
            e = entities.get(iri)
            if e is None:
                if type(s) is not ox.NamedNode or not iri.startswith(BASE):
                    continue  # not ours (the types query keeps ours only)
                e = entities[iri] = Entity(iri, entity_id(iri))  # typed since (a remote store)
            key = reads.get(p)
            if key is None:
                continue
            inferred = g == inferred_graph
            is_iri = type(o) is ox.NamedNode
            lang = (o.language or "") if type(o) is ox.Literal else ""
            text = intern(o.value) if is_iri else o.value  # places, units, actors recur
            found = (iri, key, text, is_iri, inferred, lang)
            if found in seen:
                continue  # the same triple in another asserted graph, or a row again
            seen.add(found)
            e.values.setdefault(key, []).append(Value(text, is_iri, inferred, lang))
            if key in ("label", "altLabel"):
                labels.setdefault(iri, []).append((lang, text))
            elif key == "description" and lang in ("en", "") and not e.description:
                e.description = text
        del seen
        kept = []
        for iri, e in entities.items():
            own = labels.get(iri)
            if not own:
                continue  # nothing to match a name against
            english = [v.text for v in e.values.get("label", ()) if v.lang in ("en", "")]
            others = [v.text for v in e.values.get("label", ())]
            e.name = sorted(english or others or [text for _, text in own])[0]
            keys = []
            for _, text in own:
                plain = normalise(text)
                whole = _formation_numbers(plain)
                # a label's ordinal as written too: a cell cut short ("341st") has no
                # formation's word to read its ordinal by
                for k in (whole, _undated(text, whole), plain):
                    if k and k not in keys:
                        keys.append(k)
            e.keys = keys
            for v in e.values.values():
                v.sort(key=lambda x: (x.inferred, x.text))
            kept.append(e)
        property_labels: dict[str, list[str]] = {}
        for row in store.select(_PROPERTY_LABEL_QUERY):
            found = _PROPERTY_BY_ID.get(row["p"].value)
            if found is not None and row["label"].value not in property_labels.get(found.id, ()):
                property_labels.setdefault(found.id, []).append(row["label"].value)
        return cls(kept, types.values(), property_labels)

    # -- lookups -------------------------------------------------------------------------

    def get(self, given: str) -> Entity | None:
        """The entity with this id or IRI, or None."""
        return self.entities.get(_entity_iri(given)) if isinstance(given, str) else None

    def type_refs(self, entity: Entity,
                  requested: Iterable[tuple[str, str]] = ()) -> list[dict[str, str]]:
        """The entity's most specific kgo types, as ``{"id", "name"}``; then each of the
        ``requested`` types (the id as the query gave it, its IRI) that the entity has through
        a subclass, under the id as given: OpenRefine's type-match feature compares the type
        it asked for with the candidate's type ids as strings ("Place" for a City)."""
        ours = [t for t in entity.types if t in self.types]
        specific = [t for t in ours
                    if not any(o != t and t in self.types[o].ancestors for o in ours)]
        refs = [{"id": self.types[t].id, "name": self.types[t].name} for t in sorted(specific)]
        listed = {r["id"] for r in refs}
        for given, iri in requested:
            if iri in entity.types and given not in listed:
                t = self.types.get(iri)
                refs.append({"id": given, "name": t.name if t else given})
                listed.add(given)
        return refs

    def _type_named(self, given: str) -> str:
        """The IRI of the type ``given`` names (an id, CURIE or IRI: :func:`_type_iri`), as
        written or but for its case ("event"), or by a label of the class ("military unit",
        accents, case and spacing aside), as OpenRefine sends a type typed in its box and not
        picked from the suggestions; where it names none, its IRI as written."""
        iri = _type_iri(given)
        if iri in self.types or iri in self._held_types:
            return iri
        return (self._type_by_folded.get(iri.casefold()) or self._type_by_name.get(
            normalise(given)) or iri)

    def _types_named(self, name: str) -> frozenset[str]:
        """The IRIs of the classes a normalised ``name`` is a label of, in any language:
        the reading of :meth:`_type_named` by name, but every class a label two classes
        share names (a query's ``type`` must name one; a heading's qualifier is held of an
        entity of either)."""
        return self._types_by_name.get(name, frozenset())

    def reconcilable_types(self) -> list[TypeInfo]:
        """The kgo classes under the root types (candidates' classes), ordered by name."""
        return sorted((t for t in self.types.values() if t.ancestors & _ROOT_IRIS),
                      key=lambda t: (t.name.casefold(), t.id))

    def type_ref(self, given: str) -> dict[str, str]:
        iri = _type_iri(given)
        t = self.types.get(iri)
        return {"id": t.id, "name": t.name} if t else {"id": _type_id(iri), "name": given}

    # -- reconciliation ------------------------------------------------------------------

    def reconcile_batch(self, queries: Any, *, max_batch: int,
                        deadline: float | None = None) -> dict[str, dict]:
        """Answer a query batch (the decoded ``queries`` parameter): ``{key: {"result":
        [...]}}``. Raises InputError (400) for a malformed batch, PayloadTooLarge (413) for
        more than ``max_batch`` queries, and QueryTimeout (503) when queries remain at
        ``deadline`` (a :func:`time.monotonic` time). What its queries asked for that the
        service does not know (ignored, see the module's docstring) is logged, one warning
        for the batch."""
        if not isinstance(queries, dict):
            raise InputError("'queries' must be a JSON object of queries, e.g. "
                             '{"q0": {"query": "Phnom Penh"}}')
        if len(queries) > max_batch:
            raise PayloadTooLarge(f"the batch has {len(queries)} queries; this service takes "
                                  f"at most {max_batch} at once (setting max_reconcile_batch)")
        pairs: dict = {}
        answer: dict[str, dict] = {}
        ignored: dict[str, int] = {}  # what was ignored: in how many queries
        # A column repeats its cells (a place name on every row of its events): each distinct
        # query is answered once a batch; its repeats share that answer.
        answered: dict[str, tuple[list[dict], list[str]]] = {}
        for key, q in queries.items():
            same = json.dumps(q, sort_keys=True) if isinstance(q, dict) else None
            if same in answered:
                result, unknown = answered[same]
            else:
                result, unknown = self._answer(q, str(key), pairs)
                if same is not None:
                    answered[same] = result, unknown
            answer[str(key)] = {"result": result}
            for what in unknown:
                ignored[what] = ignored.get(what, 0) + 1
            if (deadline is not None and len(answer) < len(queries)
                    and time.monotonic() > deadline):
                raise QueryTimeout(f"the batch was stopped after {len(answer)} of "
                                   f"{len(queries)} queries")
        if ignored:
            def counted(n: int) -> str:
                return f"{n} {'query' if n == 1 else 'queries'}"

            # the forms of a date where one was not read: the other warnings are long enough
            dates = any(what.startswith("date ") for what in ignored)
            log.warning("reconciliation: a batch of %s asked for what this service does not "
                        "know or cannot read, and it was ignored (those queries' candidates "
                        "scored at most %g, none matched automatically): %s. The properties "
                        "and types it knows: /reconcile/suggest/property and "
                        "/reconcile/suggest/type%s",
                        counted(len(queries)), AMBIGUOUS_SCORE,
                        _named([f"{what} in {counted(n)}" for what, n in ignored.items()]),
                        f"; the dates it reads: {_DATE_FORMS_SAID}" if dates else "")
        return answer

    def reconcile(self, q: Any, *, key: str = "q", pairs: dict | None = None) -> list[dict]:
        """The candidates for one query object, best first. ``pairs``: token pairs' ratios
        shared by the queries of a batch."""
        return self._answer(q, key, pairs)[0]

    def _answer(self, q: Any, key: str, pairs: dict | None) -> tuple[list[dict], list[str]]:
        """:meth:`_answer_written`'s candidates; for a cell with a date inside a name
        ("Uprising of 26 May 1978": :func:`_date_in`), :meth:`_answer_dated`'s."""
        text = q.get("query") if isinstance(q, dict) else None
        dated = _date_in(text) if isinstance(text, str) and _heading(text) is None else None
        if dated is not None:
            return self._answer_dated(q, key, pairs, *dated)
        spanned = _range_in(text) if isinstance(text, str) and _heading(text) is None else None
        if spanned is not None:  # two dates, a span: "… 1978-12-23/1979-01-07"
            first, last, rest = spanned
            return self._answer_dated(q, key, pairs, f"{first}/{last}", rest)
        out, ignored = self._answer_written(q, key, pairs)
        heading = _heading(text) if isinstance(text, str) else None
        if heading is not None and len(heading[2]) == 1 and heading[1][-4:].isdigit():
            # a heading's day or month ("Pol Pot attack, 23 December 1978"): the events of
            # that date with its name's words, as for a date inside a name; its qualifier
            # is read against the candidates of its name as a heading's is
            day, _ = read_date(heading[1])
            seen = {c["id"]: c["score"] for c in out}
            more = [c for c in self._events_of_day(q, key, day, heading[0])
                    if seen.get(c["id"], 0.0) < c["score"]] if day else []
            if more:
                merged = {c["id"]: c for c in out} | {c["id"]: c for c in more}
                out = _best_first(merged.values())[:_limit(q.get("limit"), key)]
        return out, ignored

    def _answer_dated(self, q: dict, key: str, pairs: dict | None, day: str, rest: str
                      ) -> tuple[list[dict], list[str]]:
        """The candidates of a cell with a date inside a name: those of the cell as written
        and the events of the cell without its date (``rest``), each read against the date
        (:meth:`_date_verdict`), at the graph's precision. An event whose dates contradict
        the cell's scores at most ``_DATE_CONTRADICTED``, never matched (it was as near as its
        letters: "Capture of Phnom Penh 8 January 1979" found the capture of the 7th at
        87.5); one found without the date that the date agrees with keeps its score (and
        its match, where its name is exact: the date is held of it, as a heading's is);
        one the graph holds no date of to check is for a person (at most
        ``AMBIGUOUS_SCORE``). An event of that date, or of a span the date lies in, with
        the rest of the cell's words in a name of its own (:meth:`_fit`) is a candidate at
        ``_DATED_SCORE`` at least, never the match: the date and a word or two are not a
        name ("Uprising of 26 May 1978" found nothing; the uprising in the Eastern Military
        Region began that day). Not for a cell that is a heading, whose date is read as its
        qualifier (:meth:`_answer_heading`)."""
        out, ignored = self._answer_written(q, key, pairs)
        best: dict[str, dict] = {}

        def add(c: dict) -> None:
            if c["id"] not in best or (c["score"], c["match"]) > (
                    best[c["id"]]["score"], best[c["id"]]["match"]):
                best[c["id"]] = c

        def noted(c: dict, note: str) -> dict:
            return {**c, "description": " ".join(filter(None, (
                c.get("description"), f"[Not matched automatically: {note}.]")))}

        for c in out:
            e = self.get(c["id"])
            verdict, said = self._date_verdict(e, day) if e is not None else ("", "")
            if verdict == "contradicts":
                c = noted({**c, "score": min(c["score"], _DATE_CONTRADICTED), "match": False},
                          f"the cell's {_date_said(day)} not its date{'s' * ('/' in day)} ({said})")
            add(c)
        # the cell without its date is answered where the cell as written finds nothing at
        # AS_WRITTEN_SCORE or more, or it is a name ("Capture of Phnom Penh on 7 January
        # 1979"): a label with its date and a word added found the label at 85 or more, and
        # a second pass for each such cell cost 14 % a query at 100k
        again = not (out and out[0]["score"] >= AS_WRITTEN_SCORE) or bool(
            self._by_compact.get(normalise(rest).replace(" ", "")))
        found = self._answer_written({**q, "query": rest}, key, pairs)[0] if again else []
        for c in found:
            e = self.get(c["id"])
            if e is None or _KGO + "Event" not in e.types:
                continue  # a date in a name is an event's: "Phnom Penh" is no reading of it
            verdict, said = self._date_verdict(e, day)
            if verdict == "contradicts":
                c = noted({**c, "score": min(c["score"], _DATE_CONTRADICTED), "match": False},
                          f"read as {_quoted(rest)}; the cell's {_date_said(day)} not its "
                          f"date{'s' * ('/' in day)} ({said})")
            elif verdict != "agrees":
                c = noted({**c, "score": min(c["score"], AMBIGUOUS_SCORE), "match": False},
                          f"read as {_quoted(rest)} with the {_date_said(day, comma=False)}, which "
                          + (f"its dates ({said}) neither confirm nor contradict" if said
                             else "this service holds no date of it to check against"))
            add(c)
        for c in self._events_of_day(q, key, day, rest):
            if c["id"] not in best or best[c["id"]]["score"] < c["score"]:
                add(c)
        result = _one_match(_best_first(best.values()))
        for c in result:
            if not c.get("description"):
                c.pop("description", None)
        return result[:_limit(q.get("limit"), key)], ignored

    def _events_of_day(self, q: dict, key: str, day: str, rest: str) -> list[dict]:
        """The events of a day or month (:attr:`_by_day`: a stated date of theirs at either
        precision, or a span the day lies in) that have the words of ``rest`` in a name of
        their own (:meth:`_fit`), of the query's types and meeting its conditions (an
        authority identifier's, only an exact link), each a candidate at ``_DATED_SCORE``,
        never the match."""
        words = [w for w in normalise(rest).split() if w not in _SKIPPED_IN_INITIALS
                 and w not in _DATE_TAIL_WORDS and len(w) >= 3 and not w.isdigit()]
        first = day.partition("/")[0]  # a span's events are those of its first date
        fit = self._fit(words) if words and len(first) > 4 else None
        if fit is None:
            return []
        wanted = [(given, iri) for given in _types(q.get("type"), key)
                  if self._reconciled_type(iri := self._type_named(given))]
        conditions = _conditions(q.get("properties"), key)[0]
        out = []
        for at in self._by_day.get(first, ()):
            e = self._ordered[at]
            if (wanted and not any(iri in e.types for _, iri in wanted)
                    or not self._fits(at, fit) or self._date_verdict(e, first)[0] != "agrees"
                    or first != day and self._date_verdict(e, day)[0] == "contradicts"
                    or not all(self._meets(e, prop, values) == _EXACT
                               for prop, values in conditions)):
                continue
            out.append({"id": e.id, "name": e.name, "score": _DATED_SCORE, "match": False,
                        "type": self.type_refs(e, wanted), "description": " ".join(filter(
                            None, (e.description, f"[Not matched automatically: found by "
                                   f"{_quoted(rest)} and the {_date_said(day, comma=False)}, "
                                   + ("which it holds.]" if first == day
                                      or self._date_verdict(e, day)[0] == "agrees" else
                                      "whose first it holds and last it does not rule out.]")
                                   )))})
        return out

    def _date_verdict(self, e: Entity, day: str) -> tuple[str, str]:
        """:meth:`_day_verdict` for a date, or for a span of two (``first/last``, ISO
        8601's interval): ``"contradicts"`` where the first date is not its start or the last
        not its end (each as :meth:`_day_verdict` reads a date against a start or an end), or
        either contradicts its time as a whole; ``"agrees"`` where both are its start and its
        end; else "" (one agrees, the graph holds too little to tell of the other: the
        uprising of 26 May 1978, whose end it does not date)."""
        first, slash, last = day.partition("/")
        if not slash:
            return self._day_verdict(e, day)
        verdicts, said = [], ""
        for given, stated, bounds in ((first, ("startDate", "onDate"),
                                       ("beginOfTheBegin", "endOfTheBegin")),
                                      (last, ("endDate", "onDate"),
                                       ("beginOfTheEnd", "endOfTheEnd"))):
            whole, said = self._day_verdict(e, given)
            values = [v.text for k in stated for v in e.values.get(k, ())]
            low = [v.text for v in e.values.get(bounds[0], ())]
            high = [v.text for v in e.values.get(bounds[1], ())]
            span = _day_span(given)
            if any(v == given or v.startswith(given + "-") or given.startswith(v + "-")
                   for v in values):
                verdicts.append("agrees")
            elif whole == "contradicts" or values or low and span[1] < min(low) \
                    or high and span[0] > max(high):
                verdicts.append("contradicts")
            else:
                verdicts.append("")
        if "contradicts" in verdicts:
            return "contradicts", said
        return ("agrees" if verdicts == ["agrees", "agrees"] else ""), said

    def _day_verdict(self, e: Entity, day: str) -> tuple[str, str]:
        """What the graph holds of an event's time against a cell's date (ISO 8601 at its
        precision), and the event's dates as a note says them: ``"agrees"`` where one of its
        stated dates is that date at the coarser of the two precisions (1978-05-26 and
        1978-05 agree) or the date lies within its first and last possible days;
        ``"contradicts"`` where the date lies wholly before the first day it can have begun
        or after the last it can have ended (kg.dates' bounds; where a store has none of
        them inferred, the first day of its start or not-before date and the last of its end
        or not-after date); else "" (not an event, or one the graph dates too loosely to
        tell)."""
        if _KGO + "Event" not in e.types:
            return "", ""
        stated = [v.text for k in _STATED_DATES for v in e.values.get(k, ())]
        begins = [v.text for v in e.values.get("beginOfTheBegin", ())] or [
            _day_span(v.text)[0] for k in ("startDate", "onDate", "notBefore")
            for v in e.values.get(k, ())]
        ends = [v.text for v in e.values.get("endOfTheEnd", ())] or [
            _day_span(v.text)[1] for k in ("endDate", "onDate", "notAfter")
            for v in e.values.get(k, ())]
        said = ", ".join(dict.fromkeys(stated)) or " to ".join(
            filter(None, (min(begins, default=""), max(ends, default="")))) or ""
        if any(v == day or v.startswith(day + "-") or day.startswith(v + "-") for v in stated):
            return "agrees", said
        low, high = _day_span(day)
        begin, end = min(begins, default=""), max(ends, default="")
        if begin and end and begin <= low and high <= end:
            return "agrees", said
        if begin and high < begin or end and low > end:
            return "contradicts", said
        return "", said

    def _answer_written(self, q: Any, key: str, pairs: dict | None
                        ) -> tuple[list[dict], list[str]]:
        """:meth:`reconcile`'s candidates, and what of the query was ignored, as the note
        and the log name it (``property 'P17'``, ``type 'Q5'``): :meth:`_answer_heading`'s,
        and, where none of those scores ``AS_WRITTEN_SCORE`` or more, those of the cell read
        with another name for a name it holds (:meth:`_renamings`).

        Records name one thing by several names in one name: "Founding of KUFNS" is the
        graph's "Founding of the Kampuchean United Front for National Salvation" (KUFNS is
        one of the front's names), "Eastern Zone uprising" its "Uprising in the Eastern
        Military Region" (the Eastern Zone one of the region's), "Fall of the Khmer Rouge"
        its "Fall of the Pol Pot regime" (the Khmer Rouge one of the regime's): each found
        nothing, or a name far off. Such a reading is the service's, not the graph's: its
        candidates score at most 89.1, as an inexact label, never the match, each saying
        how the cell was read. Only names the graph holds are swapped, never a made-up
        abbreviation, and a reading's candidate must have the rest of the cell in a name of
        its own (or be of the class a word of it names: :meth:`_fit`); a reading no entity
        has the rest for is not scored. A heading word of an event is also read as another of
        the same meaning ("Eastern Zone rebellion" as "Eastern Zone uprising":
        :meth:`_readings`), likewise a reading."""
        out, ignored = self._answer_heading(q, key, pairs)
        inverted = _uninverted(q.get("query")) if isinstance(q, dict) else None
        if inverted is not None:
            out = self._with_uninverted(q, key, pairs, out, inverted)
        if isinstance(q, dict) and isinstance(q.get("query"), str) \
                and len(q["query"]) <= MAX_QUERY_CHARS:
            out = self._with_qualified(q, key, pairs, out)
            out = self._with_place_type(q, key, pairs, out)
        if out and out[0]["score"] >= AS_WRITTEN_SCORE or not isinstance(q, dict):
            return out, ignored
        text = q.get("query")
        if not isinstance(text, str) or len(text) > MAX_QUERY_CHARS:
            return out, ignored
        best = {c["id"]: c for c in out}
        initials = normalise(text)
        if initials.isalpha() and 3 <= len(initials) <= _RENAMED_WORDS and initials.isascii():
            # a cell of initials the graph does not hold: "KPRC", whose label spells it out
            for at in dict.fromkeys(self._by_initials.get(initials, ())):
                e = self._ordered[at]
                said = next((v.text for k in ("label", "altLabel") for v in e.values.get(k, ())
                             if initials in _initials(normalise(v.text))), e.name)
                for c in self._answer_heading({**q, "query": said}, key, pairs)[0]:
                    if c["id"] == e.id and c["id"] not in best:
                        best[c["id"]] = {**c, "score": _INITIALS_SCORE, "match": False,
                                         "description": " ".join(filter(None, (
                                             e.description, "[Not matched automatically: read "
                                             f"as the initials of {_quoted(said)}.]")))}
        named: set[str] = set()  # the entities whose names were swapped
        top = 0.0  # the best score of a reading's candidate
        # a heading's name is read so, its qualifier kept: "KUFNS founding, 2 December 1978"
        heading, written = _heading(text), text.strip()
        name = heading[0] if heading and written.startswith(heading[0]) else written
        for variant, owner, note, rest in self._readings(normalise(name)):
            fit = self._fit(rest)
            if fit is None:
                continue  # no entity has the rest of the cell in a name: no pass for it
            if owner is not None:
                named.add(owner.id)
            found, _ = self._answer_heading({**q, "query": variant + written[len(name):]},
                                            key, pairs)
            for c in found:
                score = min(c["score"], _RENAMED_CEILING)
                if score < _RENAMED_FLOOR or owner is not None and c["id"] == owner.id or (
                        c["id"] in best and best[c["id"]]["score"] >= score):
                    continue  # far off, or the entity named, a part of the cell, not it
                if not self._fits(self._position[_entity_iri(c["id"])], fit):
                    continue  # a look-alike the rest of the cell does not describe
                top = max(top, score)
                best[c["id"]] = {**c, "score": score, "match": False, "description": " ".join(
                    filter(None, (self.entities[_entity_iri(c["id"])].description,
                                  f"[Not matched automatically: {note}.]")))}
        if len(best) == len(out) and all(best[c["id"]] is c for c in out):
            return out, ignored
        for id_ in named & best.keys():
            # the cell names it and says more of it ("Eastern Zone uprising", the region at
            # 72 as the uprising read so): at an equal score, what the reading finds first
            # (none else at it, "Chế độ Khmer Đỏ" the state, it keeps its score)
            if best[id_]["score"] == top and any(
                    c["score"] == top for i, c in best.items() if i not in named):
                best[id_] = {**best[id_], "score": round(top - 0.1, 1)}
        return _best_first(best.values())[:_limit(q.get("limit"), key)], ignored

    def _with_uninverted(self, q: dict, key: str, pairs: dict | None, out: list[dict],
                         inverted: str) -> list[dict]:
        """``out``, the candidates of a cell written as an inverted personal name ("Pot,
        Pol", "Duong, Huu": :func:`_uninverted`), with the persons found at
        ``AMBIGUOUS_SCORE`` or more by the name read back in order ("Pol Pot"), each at the
        better of its two scores. Catalogues invert personal names ("Surname, Forename");
        a sheet inverts a Khmer or Vietnamese name the same way, though it is written
        family name first already ("Pol Pot" found at 89.1 for review): the inversion is a
        way of writing the name, not another name, so a person's exact name is its match.
        Only persons: "Penh, Phnom" is no catalogue's way of writing a place."""
        found, _ = self._answer_heading({**q, "query": inverted}, key, pairs)
        best = {c["id"]: c for c in out}
        for c in found:
            e = self.get(c["id"])
            if e is None or _KGO + "Person" not in e.types or c["score"] < AMBIGUOUS_SCORE:
                continue
            if c["id"] not in best or c["score"] > best[c["id"]]["score"]:
                best[c["id"]] = c
        return _one_match(_best_first(best.values()))[:_limit(q.get("limit"), key)]

    def _place_type_word(self, text: str) -> tuple[str, str] | None:
        """A normalised cell that opens or ends with a word naming a class of places (a
        label of it, English or Vietnamese, accents or not, "tinh", "huyen", "xa", "thanh
        pho", or ``_TYPE_ABBREVIATIONS``' "Prov.", "Dist."), and more words: the rest and
        the class's word ("Tinh Kratie": ``("kratie", "tinh")``); None for any other."""
        tokens = normalise(text).split()
        for size in (2, 1):
            if len(tokens) <= size:
                continue
            for word, rest in ((tokens[:size], tokens[size:]), (tokens[-size:], tokens[:-size])):
                said = " ".join(word)
                said = _TYPE_ABBREVIATIONS.get(said, said)
                types = self._types_named(said)
                if types and all(_KGO + "Place" in self.types[t].ancestors for t in types
                                 if t in self.types):
                    return " ".join(rest), said
        return None

    def _with_place_type(self, q: dict, key: str, pairs: dict | None, out: list[dict]
                         ) -> list[dict]:
        """``out`` with the place the cell names with its class's word before or after its
        name ("Tinh Kratie", "Tay Ninh Prov.", "Prov. Tay Ninh", "huyện Snuol":
        :meth:`_place_type_word`) as its match, read as the heading "Kratie (tinh)" is: where
        the rest of the cell is its exact name and the word one of its classes. A word that
        contradicts the class ("Kratie District" of a province) matches nothing: the cell
        keeps what it found as written. "Tinh Kratie" was at 63.5, "Prov. Tay Ninh" at 72."""
        if out and out[0]["match"]:
            return out
        typed = self._place_type_word(q["query"])
        if typed is None:
            return out
        found, _ = self._answer_heading({**q, "query": f"{typed[0]} ({typed[1]})"}, key, pairs)
        matched = [c for c in found if c["match"]]
        if len(matched) != 1:
            return out
        return _best_first([matched[0], *(c for c in out if c["id"] != matched[0]["id"])]
                           )[:_limit(q.get("limit"), key)]

    def _with_qualified(self, q: dict, key: str, pairs: dict | None, out: list[dict]
                        ) -> list[dict]:
        """``out`` with the entities one of whose names is the cell and a qualifier in a
        parenthesis ("Eastern Military Region" of "Eastern Military Region (Cambodia)",
        ``_by_unqualified``), each at ``AMBIGUOUS_SCORE``, never the match, its description
        saying so; found by that name, so the query's types and conditions apply.

        The curators write a qualifier into a name to tell the thing apart from another of
        the same name, which the graph need not hold (another Eastern Military Region, of
        another army or time): a cell without it may name that other one, and a wrong
        automatic match is worse than a review. It was an inexact label (77.1) among
        others; it is now first, above any inexact label, and an entity whose name the cell
        is exactly is not matched either (two things of that name). Where the query's
        conditions name the qualifier, and the entity meets them ("Eastern Military Region"
        in a row whose column tied to ``country`` says Cambodia), the row gives it: its
        match."""
        compact = normalise(q["query"]).replace(" ", "")
        qualified = self._by_unqualified.get(compact) if compact else None
        if not qualified:
            return out
        best = {c["id"]: c for c in out}
        # what the query's conditions name ("Cambodia" in a column tied to country): a
        # qualifier they all name, and the entity meets, is given by the row, if not the cell
        named = set()
        for item in q.get("properties") or ():
            for v in item.get("v") if isinstance(item.get("v"), list) else [item.get("v")]:
                if isinstance(v, dict):
                    known = self.get(v["id"]) if isinstance(v.get("id"), str) else None
                    named |= {normalise(v.get("name") or ""), *getattr(known, "keys", ())}
                elif isinstance(v, str):
                    named.add(normalise(v))
        for at, label in qualified:
            e = self._ordered[at]
            for c in self._answer_text({**q, "query": label}, key, pairs)[0]:
                if c["id"] != e.id or not c["match"] and c["score"] < AMBIGUOUS_SCORE:
                    continue
                heading = _heading(label)
                if c["match"] and set(heading[2]) <= named:
                    best[c["id"]] = c  # "Eastern Military Region" with the country Cambodia
                    continue
                qualifier = label.strip()[len(heading[0]):].strip(" ,")
                best[c["id"]] = {**c, "score": AMBIGUOUS_SCORE, "match": False,
                                 "description": " ".join(filter(None, (
                                     e.description, "[Not matched automatically: its name is "
                                     f"{_quoted(label)}, whose qualifier {qualifier} the cell "
                                     "does not give.]")))}
        if all(best[c["id"]] is c for c in out) and len(best) == len(out):
            return out
        merged = [{**c, "score": min(c["score"], AMBIGUOUS_SCORE), "match": False}
                  if c["match"] and compact in (k.replace(" ", "") for k in
                                                self.get(c["id"]).keys) else c
                  for c in best.values()]
        return _one_match(_best_first(merged))[:_limit(q.get("limit"), key)]

    def _readings(self, query: str) -> list[tuple[str, Entity | None, str, list[str]]]:
        """The readings of a normalised cell's name that :meth:`_answer` answers besides the
        cell: :meth:`_renamings` of it, and of it with a heading word in it read as another
        of the same meaning (``_HEADING_EQUIVALENTS``: "Eastern Zone rebellion" read
        "Eastern Zone uprising", and so "Eastern Military Region uprising") or, opening it,
        a Vietnamese one read as the English word after the name (``_HEADING_WORDS_VI``:
        "Chế độ Pol Pot" read "Pol Pot regime", the state's name in English), each a reading
        of the cell (its text, the entity whose name was swapped or None, the note saying
        how it was read, the words a candidate's name must have: :meth:`_fit`)."""
        out: list[tuple[str, Entity | None, str, list[str]]] = []
        tokens = query.split()
        forms = [(query, "", [])]
        if len(tokens) <= _RENAMED_WORDS:
            for words_vi, word in _HEADING_WORDS_VI.items():
                if query.startswith(words_vi + " "):
                    form = f"{query[len(words_vi) + 1:]} {word}"
                    forms.append((form, f"read as {_quoted(form)}, {_quoted(words_vi)} "
                                  f"being Vietnamese for {_quoted(word)}", [word]))
                    # the name alone, for what has the word in a name of its own: "Chế độ
                    # Khmer Đỏ" the state (also "Khmer Rouge regime"), not the army (also
                    # "Khmer Đỏ"), which were at 77.1 both
                    name = query[len(words_vi) + 1:]
                    forms.append((name, f"read as {_quoted(name)}, {_quoted(words_vi)} being "
                                  f"Vietnamese for {_quoted(word)}, a word of a name of it",
                                  [word]))
            for at, token in enumerate(tokens):
                for other in _HEADING_EQUIVALENTS.get(token, ()):
                    form = " ".join((*tokens[:at], other, *tokens[at + 1:]))
                    forms.append((form, f"read with {_quoted(other)} for {_quoted(token)}, "
                                  "a word of the same meaning", [other]))
        for form, said, words in forms:
            if said:  # the word alone: a candidate must have it in a name
                out.append((form, None, said, words))
            for variant, owner, note, rest in self._renamings(form):
                out.append((variant, owner, "; ".join(filter(None, (said, note))), rest))
        return out

    def _renamings(self, query: str) -> list[tuple[str, Entity, str, list[str]]]:
        """The normalised ``query`` with a run of its words that is a name of an entity
        (the whole of one of its labels) replaced by another of that entity's names, the
        note saying so, and the words of the rest of the cell that a candidate of the reading
        must have (:meth:`_fit`): at most ``_RENAMINGS`` of them, the longest runs first. Not
        the whole cell (that is the entity itself), nor runs of words that name nothing."""
        tokens = query.split()
        out: list[tuple[str, Entity, str, list[str]]] = []
        if len(tokens) > _RENAMED_WORDS:
            return out
        for size in range(len(tokens) - 1, 0, -1):
            for start in range(len(tokens) - size + 1):
                rest = (*tokens[:start], *tokens[start + size:])
                words = [t for t in rest if t not in _SKIPPED_IN_INITIALS and len(t) >= 3
                         and not t.isdigit()]
                if not words:
                    continue  # the name and "the", or a year: the entity, not a name in one
                run = " ".join(tokens[start:start + size])
                compact = run.replace(" ", "")
                if size == 1 and compact not in self._by_compact:
                    # initials the graph does not hold as a name, of one it does: "KPRC" in
                    # "Proclamation of the KPRC", of "Kampuchean People's Revolutionary Council"
                    for variant, e, note in self._initials_read(tokens, start, run):
                        if all(variant != v for v, _, _, _ in out):
                            out.append((variant, e, note, words))
                        if len(out) == _RENAMINGS:
                            return out
                    continue
                for at in self._by_compact.get(compact, ())[:_RENAMED_OWNERS]:
                    e = self._ordered[at]
                    if " ".join(rest) in e.keys:
                        continue  # two of its names ("FUNSK KUFNS"): the entity itself
                    names = self._names_of(at)
                    # its other names in the language of the one the cell has (not a
                    # Vietnamese name into an English cell); none for a state found by the
                    # name of its country
                    languages = {lang for lang, compacts, _, _ in names if compact in compacts}
                    for lang, _, other, said in names:
                        if lang not in languages or not other or _exact(run, other) \
                                or f" {run} " in f" {other} ":
                            continue  # the same name, or one with more words (its date)
                        if not set(self._by_compact.get(other.replace(" ", ""), ())) <= {at}:
                            continue  # another entity's name too ("Kampuchea"): not its own
                        variant = " ".join((*tokens[:start], other, *tokens[start + size:]))
                        note = (f"read with {_quoted(said)} for {_quoted(run)}, another of "
                                f"the names of {e.name}")
                        if all(variant != v for v, _, _, _ in out):
                            out.append((variant, e, note, words))
                        if len(out) == _RENAMINGS:
                            return out
        return out

    def _initials_read(self, tokens: list[str], at_token: int, run: str
                       ) -> list[tuple[str, Entity, str]]:
        """The cell's ``tokens`` with the word at ``at_token``, ``run``, read as the name of
        three words or more whose initials it is (``_by_initials``, as a cell of initials
        alone is read), for each of at most ``_RENAMED_OWNERS`` entities with such a name
        of their own: the variant, the entity and the note saying so. Only a name the graph
        holds is put in: the initials are read, never made up."""
        if not (run.isalpha() and run.isascii() and 3 <= len(run) <= _RENAMED_WORDS):
            return []
        out: list[tuple[str, Entity, str]] = []
        for at in list(dict.fromkeys(self._by_initials.get(run, ())))[:_RENAMED_OWNERS]:
            e = self._ordered[at]
            for _, _, other, said in self._names_of(at):
                if run not in _initials(other) or not set(
                        self._by_compact.get(other.replace(" ", ""), ())) <= {at}:
                    continue
                variant = " ".join((*tokens[:at_token], other, *tokens[at_token + 1:]))
                out.append((variant, e, f"read with {_quoted(said)} for {_quoted(run)}, "
                                        "its initials"))
                break
        return out

    def _names_of(self, at: int) -> list[tuple[str, tuple[str, str], str, str]]:
        """The names of the entity at ``at`` as :meth:`_renamings` swaps them, worked out
        once an index: each name's language, its keys without spaces (as written and without
        its date: what a run of a cell's words is compared with), the name normalised
        without a qualifier in a parenthesis (a name's own qualifier is no part of it in a
        longer name), and the name as written."""
        names = self._renaming_names.get(at)
        if names is None:
            e = self._ordered[at]
            names = []
            for v in (v for k in ("label", "altLabel") for v in e.values.get(k, ())):
                key = normalise(v.text)
                heading = _heading(v.text)
                other = normalise(heading[0]) if heading and "(" in v.text else key
                names.append((v.lang, (key.replace(" ", ""),
                                       _undated(v.text, key).replace(" ", "")), other, v.text))
            self._renaming_names[at] = names
        return names

    def _fit(self, words: list[str]) -> tuple[int | None, list[tuple[int, frozenset[str]]]] \
            | None:
        """What a candidate of a reading must have for the reading to be sound: each of
        ``words`` (the rest of the cell, besides the name swapped) near a word of one of its
        names (a token pair of ``_TOKEN_FLOOR``, two road words, or two of the same meaning:
        ``_HEADING_EQUIVALENTS``), all in the same name, or, for a word that names a class
        ("province"), that class or the word in a name. "KUFNS forces province" read "Forces
        of the Kampuchean United Front for National Salvation province" found the front's
        founding at 76.9: the rest of the cell, "province",
        says nothing of it. As bit sets of the keys (``None``: no word to look up so);
        ``None`` for no entity at all, when the reading is not scored."""
        keys: int | None = None
        typed: list[tuple[int, frozenset[str]]] = []
        for word in dict.fromkeys(words):
            near = self._near_keys(word)
            types = self._types_named(word)
            if types:
                typed.append((near, types))
                continue
            keys = near if keys is None else keys & near
            if not keys:
                return None
        return keys, typed

    def _near_keys(self, word: str) -> int:
        """The keys with a token near ``word`` (a token pair at ``_TOKEN_FLOOR`` or more,
        two road words, or two of the same meaning), as a bit set."""
        vocabulary = self._vocabulary
        near = [v for v in self._token_scan.near(word, _TOKEN_FLOOR)
                if _token_pair(word, vocabulary[v]) >= _TOKEN_FLOOR]
        near += [self._token_at[w] for w in _HEADING_EQUIVALENTS.get(word, ())
                 if w in self._token_at]
        if word in _ROAD_WORDS:
            near += self._road_words
        return self._keys_with(near)

    def _keys_with(self, tokens: Iterable[int]) -> int:
        """The keys with one of ``tokens`` (places in the vocabulary), as a bit set."""
        bits, sparse = 0, []
        for v in tokens:
            keys = self._postings[v]
            if isinstance(keys, int):
                bits |= keys
            else:
                sparse.append(keys)
        return bits | _bit_set(itertools.chain.from_iterable(sparse), len(self._key_owner))

    def _fits(self, at: int, fit: tuple[int | None, list[tuple[int, frozenset[str]]]]) -> bool:
        """Whether the entity at ``at`` has what :meth:`_fit` asks of it."""
        start, end = self._key_start[at], self._key_start[at + 1]
        span = (1 << (end - start)) - 1
        keys, typed = fit
        if keys is not None and not keys >> start & span:
            return False
        e = self._ordered[at]
        return all(near >> start & span or not types.isdisjoint(e.types)
                   for near, types in typed)

    def _answer_heading(self, q: Any, key: str, pairs: dict | None
                        ) -> tuple[list[dict], list[str]]:
        """:meth:`_answer` for the cell as written and as a catalogue heading.

        A cell written as a catalogue heading, a name and its qualifier ("Snuol (Cambodia)",
        "Kratie (Cambodia : Province)", "Pol Pot, 1925-1998", "Phnom Penh, Cambodia":
        :func:`_heading`), is also
        answered by its name alone; a candidate of the name keeps its score, and its match,
        where each part of the qualifier is something the service holds of it
        (:meth:`_qualifies`: a place it lies in or belongs to, a unit above it, a unit's
        state, one of its types, one of its own names, a date); an exact one is otherwise left
        for a person to confirm (at most ``AMBIGUOUS_SCORE``, never the match, its
        description saying why), an inexact one dropped. Each entity keeps the better of
        its two scores; two different matches cancel each other. Without this, "Snuol
        (Cambodia)" offered Cambodia first. A cell whose whole text finds a name scoring
        ``AS_WRITTEN_SCORE`` or more that is written with the heading's parenthesis too (or
        a comma, for a qualifier after a comma: a label with one, as written or with a typo)
        is taken as written: its name is not scored again. A name found without it ("Vietnam
        People's Army (Vietnam)", 89.1) is no reason not to read the heading."""
        out, ignored = self._answer_text(q, key, pairs)
        heading = _heading(q.get("query")) if isinstance(q, dict) else None
        if heading is None or (out and out[0]["match"]):
            return out, ignored  # a name written so, its parenthesis or date and all
        head, qualifier, parts = heading
        mark = "(" if q["query"].rstrip().endswith(")") else ","
        # a date after a comma is read whatever the name found: an event's label has its
        # date after a comma too, and the heading's date may be that date's month
        dated = mark == "," and all(_YEARS.fullmatch(p) or p[-4:].isdigit() for p in parts)
        if not dated and any(c["score"] >= AS_WRITTEN_SCORE
                             and mark in self._punctuated.get(c["id"], "") for c in out):
            return out, ignored
        limit = _limit(q.get("limit"), key)
        by_head, _ = self._answer_text({**q, "query": head}, key, pairs)
        for at, label in self._by_unqualified.get(normalise(head).replace(" ", ""), ()):
            # the name less the qualifier its label has, with another name of what that
            # qualifier names, held of it: "Eastern Military Region (Kampuchea)" is "Eastern
            # Military Region (Cambodia)"; "(Region)", held too, tells it from no other
            e = self._ordered[at]
            said = [{part, *(k for o in self._by_compact.get(part.replace(" ", ""), ())
                              for k in self._ordered[o].keys)} for part in _heading(label)[2]]
            if not all(self._qualifier_verdict(e, part) == "held" for part in parts):
                continue
            if all(not names.isdisjoint(parts) for names in said):
                named = [c for c in self._answer_text({**q, "query": label}, key, pairs)[0]
                         if c["id"] == e.id and c["match"]]
                by_head = [*named, *(c for c in by_head if named and c["id"] != e.id
                                     or not named)]
            else:  # for review, as the name alone is
                by_head = self._with_qualified({**q, "query": head}, key, pairs, by_head)
        best: dict[str, dict] = {c["id"]: c for c in out}
        for c in by_head:
            e = self.get(c["id"])
            verdicts = {self._qualifier_verdict(e, part) if e is not None else "not held"
                        for part in parts}
            if verdicts != {"held"}:
                read = f"[Not matched automatically: read as {_quoted(head)} with the " \
                    f"qualifier {_quoted(qualifier)}"
                if "contradicted" in verdicts:  # as a date inside a name is (_answer_dated)
                    said = self._date_verdict(e, read_date(qualifier)[0] or "")[1]
                    c = {**c, "score": min(c["score"], _DATE_CONTRADICTED), "match": False,
                         "description": " ".join(filter(None, (c.get("description"), (
                             f"{read}, which is not its date ({said}).]"))))}
                    best[c["id"]] = c  # whatever the letters of the whole cell scored
                    continue
                if "not held" in verdicts:
                    if c["score"] < AMBIGUOUS_SCORE:
                        continue  # near the name only, and not what the qualifier says
                    note = f"{read}, which this service does not hold of it.]"
                else:  # nothing it holds says otherwise: a lower score, never a match
                    note = read + "; " + " and ".join(
                        _UNCONFIRMED[v] for v in ("undated", "attached") if v in verdicts) + ".]"
                c = {**c, "score": min(c["score"], AMBIGUOUS_SCORE), "match": False,
                     "description": " ".join(filter(None, (c.get("description"), note)))}
            if c["id"] not in best or c["score"] > best[c["id"]]["score"]:
                best[c["id"]] = c
        return _one_match(_best_first(best.values()))[:limit], ignored

    def _qualifier_verdict(self, e: Entity, part: str) -> str:
        """What the index holds of one part of a heading's qualifier for ``e``: ``"held"``
        (:meth:`_qualifies`); ``"undated"``, years of a person, who has no date in the
        graph (life dates, "Pol Pot, 1925-1998": the ontology has no birth or death, so they
        neither confirm nor contradict the name); ``"attached"``, a command it was attached to
        (kgo:attachedTo, or one above that command: "Division 341 (Military Region 9)"),
        which a parent-organisation condition meets likewise (:meth:`_meets`);
        ``"contradicted"``, a year, month or day that an event's dates rule out
        (:meth:`_date_verdict`: "Capture of Phnom Penh (8 January 1979)"); else ``"not
        held"``."""
        if self._qualifies(e, part):
            return "held"
        if part[-4:].isdigit() and (day := read_date(part)[0]) is not None \
                and self._date_verdict(e, day)[0] == "contradicts":
            return "contradicted"
        if _YEARS.fullmatch(part) and _KGO + "Person" in e.types and not any(
                e.values.get(k) for k in _DATED):
            return "undated"  # a person's life dates, which the graph does not hold
        if self.attached_to(e, [part]):
            return "attached"
        return "not held"

    def _qualifies(self, e: Entity, part: str) -> bool:
        """Whether one part of a heading's qualifier (normalised) is something the index
        holds of ``e``: a name of a place it lies in, took place at, governs or was founded
        at, or of a place those lie in (its countries too); a name of a unit or body it is
        under; for a unit, a name of the state or movement whose armed forces it is or is
        under (kgo:armedForcesOf) and of the country that state governs or the place it was
        founded at ("Division 341 (Vietnam)": Army Corps 4, the Vietnam People's Army, the
        Socialist Republic of Vietnam, Vietnam); the name of one of its types, in any
        language ("province", "tỉnh"), read as the ``type`` of a query reads it
        (:meth:`_types_named`); one of its own names or their initials ("Revolutionary
        Army of Kampuchea (RAK)": :func:`_initials`); the name of a place or state that one
        of its own names, or of the party or unit it is a body of, ends in ("Communist Party
        of Vietnam (Vietnam)", "Politburo (Vietnam)": no relation of the graph ties a party to
        a state or a country, but its name is the graph's); a year, or a span of years, that one
        of its dates falls in ("Capture of Phnom Penh (1979)"), or a month or day of one at
        either precision, read as a condition's date is (:func:`read_date`: "Capture of
        Phnom Penh (January 1979)")."""
        part = _formation_numbers(part)
        years = _YEARS.fullmatch(part)
        if years:
            low, high = int(years[1]), int(years[2] or years[1])
            return any(low <= int(v.text[:4]) <= high
                       for k in _DATED for v in e.values.get(k, ())
                       if v.text[:4].isdigit())
        if part[-4:].isdigit():  # a month or a day, as a condition's date is read
            day, _ = read_date(part)
            if day is not None and any(
                    v.text == day or v.text.startswith(day + "-") or day.startswith(v.text + "-")
                    for k in _DATED for v in e.values.get(k, ())):
                return True
        if part in e.keys or any(part in _initials(k) for k in e.keys):
            return True
        if not self._types_named(part).isdisjoint(e.types):
            return True
        above = e.every("subordinateTo")  # the whole chain
        if any(k.endswith(" " + part) for iri in (e.iri, *above)
               for k in getattr(self.entities.get(iri), "keys", ())) and any(
                not self._ordered[at].types.isdisjoint(_JURISDICTIONS)
                for at in self._by_compact.get(part.replace(" ", ""), ())):
            # a name of its own, or of the party or unit it is a body of, that ends in the
            # place's or state's: "Communist Party of Vietnam (Vietnam)"; the graph links
            # no party to a state or country (the ontology has no such relation)
            return True
        # the armed forces it is or is under, and whose they are: a unit's state
        states = [s for unit in (e.iri, *above) if (known := self.entities.get(unit))
                  for s in known.every("armedForcesOf")]
        # the places and the places they lie in (every() is the whole chain): their
        # countries among them, as _countries finds them; a unit's state's country too
        places = [*e.every("placeWithin"), *e.every("tookPlaceAt"), *e.every("governs"),
                  *e.every("foundingLocation"),
                  *(p for s in states if (known := self.entities.get(s))
                    for p in (*known.every("governs"), *known.every("foundingLocation")))]
        wider = [p for place in places if (known := self.entities.get(place)) is not None
                 for p in known.every("placeWithin")]
        return any(part in getattr(self.entities.get(iri), "keys", ())
                   for iri in (*places, *wider, *above, *states))

    def _answer_text(self, q: Any, key: str, pairs: dict | None
                     ) -> tuple[list[dict], list[str]]:
        """:meth:`_answer` for the query's text as it is."""
        if not isinstance(q, dict):
            raise InputError(f"query {key!r} must be a JSON object")
        unknown = set(q) - {"query", "type", "limit", "properties", "type_strict"}
        if unknown:
            raise InputError(f"query {key!r}: unknown member(s) {', '.join(sorted(unknown))}")
        text = q.get("query", "")
        if not isinstance(text, str):
            raise InputError(f"query {key!r}: 'query' must be a string")
        if "query" not in q and not q.get("properties"):
            raise InputError(f"query {key!r} has neither query text nor properties")
        conditions, unknown_pids, unread = _conditions(q.get("properties"), key)
        limit = _limit(q.get("limit"), key)
        given_types = [(given, self._type_named(given)) for given in _types(q.get("type"), key)]
        wanted = [(given, iri) for given, iri in given_types if self._reconciled_type(iri)]
        # The v0.2 schema's enum: a strictness the service would have to guess the meaning of.
        # OpenRefine sends "should" (with a type) or nothing.
        strict = q.get("type_strict", "any")
        if strict not in ("any", "all", "should"):
            raise InputError(f"query {key!r}: type_strict must be one of the strings any, all "
                             "or should" + (f", not {_quoted(strict)}"
                                            if isinstance(strict, str) else ""))
        # A property or type this service does not know (another service's P17 or Q5, a name
        # typed rather than picked from the suggestions) is no fault of the batch: the query is
        # answered without it, as one only partly understood (below).
        # So is a date it cannot read ("07/01/1979": 7 January or 1 July?): that value of the
        # condition is left out, a condition with no value left with it.
        unknown = list(dict.fromkeys(
            [f"property {_quoted(pid)}" for pid in unknown_pids]
            + [f"type {_quoted(given)}" for given, iri in given_types
               if (given, iri) not in wanted]))
        hints = {f"{what} {_quoted(raw)} of {pid}": hint for what, pid, raw, hint in unread}
        # So is a condition on a property that no entity of the query's types may have (a
        # state's startDate, an event's): it filtered out every candidate, leaving a cell that
        # names a state in the graph with none, as if it were not there.
        conditions, misplaced = self._applicable(conditions, wanted)
        types_said = ""
        if misplaced:
            types_said = ("the type " if len(wanted) == 1 else "the types ") + " or ".join(
                _quoted(given) for given, _ in wanted)
        ignored = unknown + list(hints) + [f"{what} of {types_said}" for what in misplaced]
        # What a cell holds is data, not a fault of the request: a cell over the length limit,
        # or one that names nothing ("", "?", "—", often written for an unknown value) and has
        # no condition to go by, gets no candidates, and the other queries of its batch are
        # answered (OpenRefine sends ten cells at once and drops all ten on an error).
        if len(text) > MAX_QUERY_CHARS:
            return [], ignored
        query = _unit_designations(_road_designations(normalise(text)))
        if not query and not conditions:
            return [], ignored
        scorer = _Scorer(query, MIN_SIMILARITY, pairs) if query else None
        numbered = frozenset(self._numbered(query)) if query else frozenset()
        # Only the entities whose keys may reach MIN_SIMILARITY are scored, unless a condition
        # on an authority identifier may make a candidate of any entity (or there is no text).
        scan = not query or any(prop.kind == "authority" for prop, _ in conditions)
        ranked: Iterable[tuple[float, int]] = (
            ((math.inf, at) for at in range(len(self._ordered))) if scan
            else self._candidates(query))
        # Best bound first, and no further once ``limit`` candidates are sure to score more
        # than any other can: the lowest score each of them can end with (an exact one's
        # 89.5, or its own) is above the next bound's score. Above, not equal: the next
        # one's name may come first among equal scores. Every exact candidate is scored
        # (its bound is 100), so the match is decided as with every entity scored.
        floors: list[float] = []  # a min-heap of the ``limit`` highest lowest final scores
        found: list[Candidate] = []
        scored: set[int] = set()
        for bound, at in ranked:
            # (with no text, every entity its types and conditions keep is scored: inf)
            if len(floors) == limit and _bound_score(bound) < floors[0]:
                break
            if at in scored:  # again, by a lower bound of another of its keys
                continue
            scored.add(at)
            e = self._ordered[at]
            if wanted:
                hits = [t in e.types for _, t in wanted]
                if not (all(hits) if strict == "all" else any(hits)):
                    continue
            met = [self._meets(e, prop, values) for prop, values in conditions]
            if not all(met):
                continue
            # An authority identifier that an entity's skos:exactMatch gives names that entity
            # (kgs:AuthorityIdShape: one identifier, one entity), whatever the cell's text.
            by_id = _CLOSE not in met and any(
                prop.kind == "authority" for prop, _ in conditions)
            # with no text, a candidate is one by its conditions alone: "exact", not decided
            best = scorer.best(e.keys) if scorer is not None else 1.0
            if best < 1.0 and query and at in numbered:
                best = 1.0  # its name but for a numbering word: "Road 7", "Road No. 7"
            territory = bool(query) and e.iri in self._territories and any(
                _exact(query, k) for k in self._territories[e.iri])
            if best < MIN_SIMILARITY and not by_id and not territory:
                continue
            own_note = ""
            if _CLOSE in met:  # "not the same entity": a candidate, never an exact one
                best = min(best, 0.99)
                commands = [c["name"] for (prop, values), how in zip(conditions, met,
                                                                          strict=True)
                            if how == _CLOSE and prop.id == "subordinateTo"
                            for c in self.attached_to(e, values)]
                if commands:
                    own_note = (f"[Not matched automatically: attached to "
                                f"{_named(list(dict.fromkeys(commands)))} (put under its "
                                "command for operations), not part of it.]")
            exact = best == 1.0
            score = 100.0 if exact else round(INEXACT_CEILING * best, 1)
            if territory and not exact:
                score = max(score, TERRITORY_SCORE)
            found.append(Candidate(e, score, exact, by_id, own_note))
            lowest = AMBIGUOUS_SCORE if exact or by_id else score
            if len(floors) < limit:
                heapq.heappush(floors, lowest)
            elif lowest > floors[0]:
                heapq.heapreplace(floors, lowest)
        # 100 and match for the one entity an identifier names, else for the one exact
        # candidate of a cell with text; several (an identifier two entities share with a
        # reason, a label two entities share) or a cell with no text are for a person.
        decided = [c for c in found if c.by_id]
        exact = [c for c in found if c.exact]
        winner = (decided[0] if len(decided) == 1
                  else exact[0] if len(exact) == 1 and query else None)
        for c in found:
            if c is winner:
                c.score = 100.0
            elif c.exact or c.by_id:
                c.score = AMBIGUOUS_SCORE
        found.sort(key=lambda c: (-c.score, c.entity.name.casefold(), c.entity.id))
        said = ([f"does not know the {' or the '.join(unknown)}"] if unknown else []) + (
            [f"cannot read the {' or the '.join(f'{d} ({h})' for d, h in hints.items())}"]
            if hints else []) + (
            [f"finds the {' or the '.join(misplaced)} on no entity of {types_said}"]
            if misplaced else [])
        note = (f"[Not matched automatically: this service {' and '.join(said)}, and ignored "
                f"{'them' if len(ignored) > 1 else 'it'}.]" if ignored else "")
        out = []
        for c in found[:limit]:
            score, match = c.score, c is winner
            if ignored:  # partly understood: for a person to confirm, in the full answer's order
                score, match = min(score, AMBIGUOUS_SCORE), False
            item = {"id": c.entity.id, "name": c.entity.name, "score": score,
                    "match": match, "type": self.type_refs(c.entity, wanted)}
            description = " ".join(filter(None, (c.entity.description, c.note, note)))
            if description:
                item["description"] = description
            out.append(item)
        return out, ignored

    def _applicable(self, conditions: list[tuple[Property, list[Any]]],
                    wanted: list[tuple[str, str]]
                    ) -> tuple[list[tuple[Property, list[Any]]], list[str]]:
        """The conditions on properties an entity of the ``wanted`` types may have (those
        :meth:`propose_properties` offers for one of them), and the others as a note names
        them (``property 'startDate'``). Every condition where no type is wanted, or one of
        another vocabulary (schema:Place), whose properties the ontology does not say."""
        infos = [self.types.get(iri) for _, iri in wanted]
        if not conditions or not infos or None in infos:
            return conditions, []
        offered = {p.id for t in infos for p in self._properties_of(t)}
        kept = [(prop, values) for prop, values in conditions if prop.id in offered]
        misplaced = [f"property {_quoted(prop.id)}" for prop, _ in conditions
                     if prop.id not in offered]
        return kept, list(dict.fromkeys(misplaced))

    def _meets(self, e: Entity, prop: Property, given: list[Any]) -> int:
        """Whether ``e`` meets a condition: 0 (no), ``_EXACT`` or ``_CLOSE``: for an authority
        identifier that only a skos:closeMatch link gives, and for a parent organisation that
        is only a command the unit was attached to (kgo:attachedTo) or one above it. An
        attachment puts a unit under a command for operations while it stays in its own
        formation (Division 341, of Army Corps 4, under Military Region 9): not the parent the
        property names ("the unit or body this one belongs to"), but what a sheet listing the
        units under a command may mean by it, so the unit stays a candidate, for a person to
        confirm (:meth:`attached_to`); a condition on ``attachedTo`` itself is met."""
        if prop.kind == "authority":
            if _authority_matches(e.direct("link"), given):
                return _EXACT
            return _CLOSE if _authority_matches(e.direct("closeLink"), given) else 0
        if self._satisfies(e, prop, given):
            return _EXACT
        if prop.id == "subordinateTo" and self.attached_to(e, given):
            return _CLOSE
        return 0

    def attached_to(self, e: Entity, given: list[Any]) -> list[dict]:
        """The commands ``e`` was attached to (kgo:attachedTo) that a parent-organisation
        condition's values name, itself or through a unit or body above it."""
        commands = self._refs(e.every("attachedTo"))
        return [c for c in commands
                if self._satisfies(e, None, given, [c, *self._refs(
                    self.entities[c["iri"]].every("subordinateTo")
                    if c["iri"] in self.entities else ())])]

    def _satisfies(self, e: Entity, prop: Property | None, given: list[Any],
                   mine: list[dict] | None = None) -> bool:
        """Whether one of ``mine`` (``prop``'s values on ``e``, its chain too, by default)
        is one of the ``given`` values; ``prop`` None for entity values given."""
        if mine is None:
            mine = self.values_of(e, prop, every=True)
        kind = prop.kind if prop is not None else "entity"
        for g in given:
            if isinstance(g, dict):
                wanted_iri = _entity_iri(str(g.get("id", "")))
                if any(v.get("iri") == wanted_iri for v in mine):
                    return True
                g = g.get("name")
                if g is None:
                    continue
            g = _number_cell(g)
            text = ("true" if g else "false") if isinstance(g, bool) else str(g)
            if kind == "entity" and any(v.get("iri") == _entity_iri(text) for v in mine):
                return True
            name = normalise(text)
            if not name:
                continue
            for v in mine:
                if any(_exact(name, k) for k in v.get("keys", ())):
                    return True
                if kind != "entity" and _value_matches(name, text, v["text"]):
                    return True
        return False

    # -- values (data extension, preview, conditions) -------------------------------------

    def values_of(self, e: Entity, prop: Property, *, every: bool = False) -> list[dict]:
        """The values of ``prop`` on ``e``: ``{"iri", "name", "keys"}`` for entities,
        ``{"text"}`` otherwise. ``every`` adds inferred values (the rest of a chain)."""
        pick = e.every if every else e.direct
        if prop.id in ("placeWithin", "tookPlaceAt", "subordinateTo", "attachedTo"):
            return self._refs(pick(prop.id))
        if prop.id in ("foundingLocation", "founder"):  # inferred only
            return self._refs(e.every(prop.id))
        if prop.id == "foundingDate":
            return [{"text": t} for t in dict.fromkeys(e.every(prop.id))]
        if prop.id == "country":
            return self._refs(self._countries(e))
        if prop.kind == "authority":  # a close match (skos:closeMatch) says so: "close"
            prefix = AUTHORITIES[prop.id]
            return [{"text": link[len(prefix):].strip("/"), "close": key == "closeLink"}
                    for key in ("link", "closeLink") for link in e.direct(key)
                    if link.startswith(prefix)]
        if prop.id == "description":
            return [{"text": e.description}] if e.description else []
        if prop.kind == "date":  # derived by the build: in the inferred graph only
            return [{"text": t} for t in dict.fromkeys(e.every(prop.id))]
        found = e.direct(prop.id)
        if prop.id in ("startDate", "endDate"):
            found = found + e.direct("onDate")  # a one-day event's day is both
        return [{"text": t} for t in dict.fromkeys(found)]

    def _refs(self, iris: Iterable[str]) -> list[dict]:
        out = []
        for iri in dict.fromkeys(iris):
            target = self.entities.get(iri)
            out.append({"iri": iri, "id": entity_id(iri),
                        "name": target.name if target else entity_id(iri),
                        "keys": target.keys if target else []})
        return out

    def _countries(self, e: Entity) -> list[str]:
        country = _KGO + "Country"

        def of_place(iri: str) -> list[str]:
            place = self.entities.get(iri)
            if place is None:
                return []
            if country in place.types:
                return [iri]
            return [p for p in place.every("placeWithin")
                    if country in getattr(self.entities.get(p), "types", ())]

        if _KGO + "Place" in e.types:
            return [] if country in e.types else of_place(e.iri)
        if _KGO + "Event" in e.types:
            return [c for p in e.every("tookPlaceAt") for c in of_place(p)]
        return [c for p in e.every("governs") for c in of_place(p)]

    def extend(self, request: Any, *, max_batch: int) -> dict:
        """A data extension response for the decoded ``extend`` parameter. A property the
        service does not know gets no values (a stale id should not fail the batch; see the
        module's docstring), as does an id of no entity; one warning for the request names
        them."""
        if not isinstance(request, dict):
            raise InputError("'extend' must be a JSON object with 'ids' and 'properties'")
        ids, props = request.get("ids"), request.get("properties")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise InputError("extend: 'ids' must be a list of entity ids")
        if not isinstance(props, list) or not all(isinstance(p, dict) and isinstance(
                p.get("id"), str) for p in props):
            raise InputError("extend: 'properties' must be a list of {\"id\": ...} objects")
        if len(ids) > max_batch:
            raise PayloadTooLarge(f"extend: {len(ids)} ids; this service takes at most "
                                  f"{max_batch} at once (setting max_reconcile_batch)")
        wanted = []
        for p in props:
            if any(p["id"] == given for given, *_ in wanted):
                # A response has one column per property id: rows are keyed by it (v0.2).
                raise InputError(f"extend: the property {p['id']!r} is asked for twice; its "
                                 "values come under its id, once per entity: ask for it once, "
                                 "or with other settings in another request")
            prop = _property_named(p["id"])
            settings = p.get("settings") or {}
            if not isinstance(settings, dict):
                raise InputError(f"extend: the settings of {p['id']!r} must be an object")
            limit = _extend_limit(settings.get("limit"), p["id"])
            # OpenRefine sends every setting the manifest declares with every property: "match"
            # only means something for an authority identifier.
            match = settings.get("match") or "exact"
            if prop is not None and prop.kind == "authority" and (not isinstance(match, str)
                                             or match not in MATCH_SETTINGS):
                raise InputError(f"extend: the match of {p['id']!r} must be one of "
                                 f"{', '.join(MATCH_SETTINGS)}, not {match!r}")
            wanted.append((p["id"], prop, limit, match))
        meta = []
        for given, prop, _, _ in wanted:
            if prop is None:
                # the v0.2 meta entry has an id and a name only; the name is the column
                # OpenRefine makes, so it says why the column is empty
                meta.append({"id": given, "name": f"{given} (not a property of this service)"})
                continue
            m: dict[str, Any] = {"id": given, "name": prop.name}
            if prop.kind == "entity":
                m["type"] = self.type_ref({"country": "Country", "subordinateTo": "Group",
                                           "founder": "Actor"}.get(prop.id, "Place"))
            meta.append(m)
        rows: dict[str, dict] = {}
        missing = []  # ids of no entity: their rows are empty, and v0.2 has no place to say so
        for given_id in ids:
            e = self.get(given_id)
            if e is None:
                missing.append(_quoted(given_id))
            row: dict[str, list] = {}
            for given, prop, limit, match in wanted:
                if prop is None:
                    row[given] = []
                    continue
                # Asked by its schema.org name (schema:containedInPlace …), a property answers
                # as the graph does under that name: with the inferred rest of the chain.
                values = self.values_of(e, prop, every=_is_standard_alias(given, prop)) \
                    if e else []
                if prop.kind == "authority" and match != "any":
                    values = [v for v in values if v["close"] == (match == "close")]
                cells = [{"id": v["id"], "name": v["name"]} if "iri" in v
                         else {"date": v["text"] + "T00:00:00Z"} if prop.kind == "date"
                         else {"str": v["text"]} for v in values]
                row[given] = cells[:limit] if limit else cells
            rows[given_id] = row
        unknown = [_quoted(given) for given, prop, _, _ in wanted if prop is None]
        if unknown or missing:
            asked = []
            if unknown:
                asked.append(f"{'a property' if len(unknown) == 1 else 'properties'} that this "
                             f"service does not know ({_named(unknown)}; the properties it "
                             "knows: /reconcile/propose_properties and "
                             "/reconcile/suggest/property)")
            if missing:
                asked.append(f"{'an entity' if len(missing) == 1 else 'entities'} that it does "
                             f"not have ({_named(missing)}; an id is one a reconciliation "
                             "candidate has, e.g. place/phnom-penh)")
            log.warning("reconciliation: a data extension of %d %s asked for %s, answered with "
                        "no values", len(ids), "entity" if len(ids) == 1 else "entities",
                        " and ".join(asked))
        return {"meta": meta, "rows": rows}

    def propose_properties(self, type_given: str | None, limit: int | None) -> dict:
        """A property proposal response (v0.2) for ``type_given``. For a type that is no
        candidate's (a typo, another service's ``Q5``) every property is proposed, as for no
        type, and a warning is logged: the v0.2 response has no place to say so."""
        props = self._properties_offered(type_given, "proposed")
        if limit:
            props = props[:limit]
        out: dict[str, Any] = {"properties": [
            {"id": p.id, "name": p.name, "description": p.description} for p in props]}
        if type_given:
            out["type"] = type_given
        if limit:
            out["limit"] = limit
        return out

    def _candidate_class(self, type_given: str | None) -> TypeInfo | None:
        """The class ``type_given`` names when it is under ``ROOT_TYPES``; None for no type,
        or for one that is no candidate's (its properties are not chosen)."""
        t = self.types.get(self._type_named(type_given)) if type_given else None
        if t is None or not t.ancestors & _ROOT_IRIS:
            return None
        return t

    def _properties_of(self, t: TypeInfo | None) -> list[Property]:
        """The properties the instances of ``t`` may have (every one for None): those that
        apply to a class above it (all its instances) or below it (some: an Actor may be a
        group, so it is offered a founding date; a Person never is)."""
        if t is None:
            return list(PROPERTIES)
        return [p for p in PROPERTIES if any(
            _KGO + c in t.ancestors or t.iri in getattr(self.types.get(_KGO + c), "ancestors", ())
            for c in p.applies_to)]

    def _reconciled_type(self, iri: str) -> bool:
        """Whether a query or suggest may filter by the type ``iri``: a class under
        ``ROOT_TYPES`` (one with no instance yet too) or a type a candidate has (schema:Place).
        Another class of the ontology (``Quantity``: figures are no candidates) is no more a
        type of the service's entities than ``Q5`` is."""
        if iri in self._held_types:
            return True
        t = self.types.get(iri)
        return t is not None and bool(t.ancestors & _ROOT_IRIS)

    def properties_for_type(self, type_given: str | None) -> list[Property]:
        return self._properties_of(self._candidate_class(type_given))

    def _properties_offered(self, type_given: str | None, how: str) -> list[Property]:
        """:meth:`properties_for_type`, with a warning for a type that is no candidate's
        (every property is offered then): ``how`` they were offered, for the log."""
        t = self._candidate_class(type_given)
        if type_given and t is None:
            log.warning("reconciliation: properties were %s for the type %s, which is no type "
                        "of this service's entities: every property is offered. The types it "
                        "knows: /reconcile/suggest/type", how, _quoted(type_given))
        return self._properties_of(t)

    # -- suggest -------------------------------------------------------------------------

    def suggest_entities(self, prefix: str, *, type_given: str | None = None,
                         limit: int = DEFAULT_LIMIT, cursor: int = 0) -> list[dict]:
        """Entities a label of which starts with ``prefix`` (then those with a word that
        does), of ``type_given`` and its subclasses. A type that is no type of the service's
        entities (no class under ``ROOT_TYPES`` and no candidate's type: ``Q5``, or a class
        of the ontology whose instances are no candidates, ``Quantity``) is ignored with a
        warning, as suggest/property's is: every entity is suggested then, and the v0.2
        response has no place to say so."""
        p = _prefix_key(prefix)
        if p is None:
            return []
        wanted = self._type_named(type_given) if type_given else None
        if wanted and not self._reconciled_type(wanted):
            log.warning("reconciliation: entities were suggested for the type %s, which is no "
                        "type of this service's entities: it was ignored. The types it knows: "
                        "/reconcile/suggest/type", _quoted(type_given))
            wanted = None
        out = []
        for e in _page_by_prefix(
                p, (e for e in self._ordered if not wanted or wanted in e.types),
                lambda e: e.keys, cursor, limit):
            item = {"id": e.id, "name": e.name, "notable": self.type_refs(e)}
            if e.description:
                item["description"] = e.description
            out.append(item)
        return out

    def search(self, text: str, *, limit: int = 50) -> list[dict]:
        """Entities for a search box, best first: the reconciliation matches (accents, case
        and punctuation ignored, near spellings scored), then the entities a label of which
        starts with the text; each once, at most ``limit``. Raises InputError for a text
        over ``MAX_QUERY_CHARS``."""
        if len(text) > MAX_QUERY_CHARS:
            raise InputError(f"the text has {len(text)} characters; at most {MAX_QUERY_CHARS} "
                             "are accepted")
        if not normalise(text):  # blank, or punctuation only ("?"): it names nothing
            return []
        found = self.reconcile({"query": text, "limit": limit})
        seen = {item["id"] for item in found}
        for item in self.suggest_entities(text, limit=limit):
            if len(found) >= limit:
                break
            if item["id"] not in seen:
                found.append({"id": item["id"], "name": item["name"], "score": None,
                              "match": False, "type": item["notable"],
                              **({"description": item["description"]}
                                 if "description" in item else {})})
        return found

    def matched_name(self, e: Entity, text: str) -> Value | None:
        """The name of ``e`` (a label or alternative label) that ``text`` found it by, where it
        is not the name the entity is shown by (``e.name``): the search page shows it, with
        its language, so that a reader who searched "giai phong phnom penh" sees that the
        English "Capture of Phnom Penh, 7 January 1979" was found by its Vietnamese name.

        The name whose keys score best against the text (:func:`_similarity`, the text read
        as :meth:`search` reads it), or, for a text that scores under ``MIN_SIMILARITY``
        against every name (an entity :meth:`search` found by a name's beginning), the one
        whose key starts with the text, else has a word that does; the shown name wins a
        tie. None where that is the shown name, or no name of ``e`` has the text's words."""
        query = _unit_designations(_road_designations(normalise(text)))
        if not query:
            return None
        names = [v for key in ("label", "altLabel") for v in e.values.get(key, ())]
        names.sort(key=lambda v: v.text != e.name)  # the shown name first: it wins a tie
        best, best_rank = None, None
        for v in names:
            whole = normalise(v.text)
            keys = [k for k in (whole, _undated(v.text, whole)) if k]
            score = max((_similarity(query, k) for k in keys), default=0.0)
            prefix = _prefix_rank(query, keys)
            # a scored match first, by its score; then a name's beginning, then a word's
            rank = ((1, score, 0) if score >= MIN_SIMILARITY
                    else (0, 0.0, 3 - prefix) if prefix is not None else None)
            if rank is not None and (best_rank is None or rank > best_rank):
                best, best_rank = v, rank
        return best if best is not None and best.text != e.name else None

    def suggest_types(self, prefix: str, *, limit: int = DEFAULT_LIMIT,
                      cursor: int = 0) -> list[dict]:
        p = _prefix_key(prefix)
        if p is None:
            return []
        out = []
        for t in _page_by_prefix(p, self.reconcilable_types(),
                                 lambda t: [normalise(t.name), normalise(t.id),
                                            *map(normalise, t.labels)], cursor, limit):
            item: dict[str, Any] = {"id": t.id, "name": t.name}
            if t.description:
                item["description"] = t.description
            broader = [{"id": self.types[s].id, "name": self.types[s].name}
                       for s in sorted(t.supers) if s in self.types]
            if broader:
                item["broader"] = broader
            out.append(item)
        return out

    def suggest_properties(self, prefix: str, *, type_given: str | None = None,
                           limit: int = DEFAULT_LIMIT, cursor: int = 0) -> list[dict]:
        p = _prefix_key(prefix)
        if p is None:
            return []
        return [{"id": prop.id, "name": prop.name, "description": prop.description}
                for prop in _page_by_prefix(
                    p, self._properties_offered(type_given, "suggested"),
                    lambda prop: [normalise(prop.name), normalise(prop.id),
                                  *map(normalise, self.property_labels.get(prop.id, ()))],
                    cursor, limit)]

    # -- preview -------------------------------------------------------------------------

    def preview(self, e: Entity) -> dict[str, Any]:
        """What a preview shows: name, types, description and the extension values."""
        fields = []
        for pid in ("startDate", "latestStart", "endDate", "endUndatedInSource", "notAfter",
                    "notBefore", "placeWithin", "tookPlaceAt", "country", "subordinateTo",
                    "attachedTo", "wikidata", "geonames", "viaf", "lcnaf", "coordinates"):
            prop = property_for(pid)
            values = self.values_of(e, prop)
            if values:
                fields.append({"name": prop.name, "values": [
                    {"text": v.get("name") or v.get("text", ""),
                     "href": _AUTHORITY_PAGES[pid].format(v["text"])
                     if pid in _AUTHORITY_PAGES else None,
                     "note": " (close match: not the same entity)" if v.get("close") else ""}
                    for v in values]})
        return {"id": e.id, "iri": e.iri, "name": e.name, "description": e.description,
                "types": [t["name"] for t in self.type_refs(e)], "fields": fields,
                "altLabels": [v.text for v in e.values.get("altLabel", ())]}


#: The authority's own page for an identifier, linked from the preview so that an archivist
#: judging a candidate can open the record in one click.
_AUTHORITY_PAGES = {"wikidata": "https://www.wikidata.org/wiki/{}",
                    "geonames": "https://www.geonames.org/{}/",
                    "viaf": "https://viaf.org/viaf/{}/",
                    "lcnaf": "https://id.loc.gov/authorities/names/{}.html"}


# -- request parts -------------------------------------------------------------------------

def _unambiguous(pairs: Iterable[tuple[str, _T]]) -> dict[str, _T]:
    """The pairs as a dict, leaving out a key given for two values: an id read whatever its
    case, or a name, must name one thing."""
    found: dict[str, list[_T]] = {}
    for key, value in pairs:
        values = found.setdefault(key, [])
        if value not in values:
            values.append(value)
    return {key: values[0] for key, values in found.items() if len(values) == 1}


#: OpenRefine sends what was typed in its property box as the id when no suggestion was picked
#: ("startdate", "start date"): a property is read by its id whatever its case, and by its
#: name as the suggestions show it (:func:`_property_named`).
_PROPERTY_BY_FOLDED = _unambiguous((key.casefold(), p) for key, p in _PROPERTY_BY_ID.items())
_PROPERTY_BY_NAME = _unambiguous((normalise(p.name), p) for p in PROPERTIES)


def _property_key(given: str) -> str:
    """A property id as given (local name, CURIE or IRI) with a known prefix expanded."""
    key = given.strip()
    prefix, colon, local = key.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        key = PREFIXES[prefix] + local
    return key


def _property_named(given: str) -> Property | None:
    """The property with this id (local name, ``kgo:`` CURIE or IRI), as written or but for
    its case ("startdate"), or with this name ("start date", accents, case and spacing aside),
    as OpenRefine sends a property typed and not picked; None if none."""
    key = _property_key(given)
    return (_PROPERTY_BY_ID.get(key) or _PROPERTY_BY_FOLDED.get(key.casefold())
            or _PROPERTY_BY_NAME.get(normalise(given)))


def property_for(given: str) -> Property:
    """The property with this id (:func:`_property_named`); InputError if none."""
    prop = _property_named(given)
    if prop is None:
        raise InputError(f"unknown property {given!r} (known: "
                         f"{', '.join(p.id for p in PROPERTIES)})")
    return prop


def _is_standard_alias(given: str, prop: Property) -> bool:
    """Whether ``given`` names ``prop`` by a standard vocabulary's IRI or CURIE rather than
    ours (``schema:containedInPlace`` for ``placeWithin``)."""
    key = _property_key(given)
    return key in prop.aliases and not key.startswith(_KGO)


def _conditions(given: Any, key: str) -> tuple[list[tuple[Property, list[Any]]], list[str],
                                               list[tuple[str, str, str, str]]]:
    """The query's conditions on properties the service has (a date's values as ISO 8601, an
    authority identifier's as the set of its canonical IRIs), the ``pid`` of each one on a
    property it does not have, and ("date" or "identifier", property, value, hint) for each
    value of a date or an identifier it cannot read: the last two ignored. InputError for what
    is malformed."""
    if given is None:
        return [], [], []
    if not isinstance(given, list):
        raise InputError(f"query {key!r}: 'properties' must be a list")
    out, unknown, unread = [], [], []
    for item in given:
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
            raise InputError(f"query {key!r}: each property needs 'pid' and 'v'")
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        for v in values:
            if not isinstance(v, (str, int, float, bool, dict)) or (
                    isinstance(v, dict) and not isinstance(v.get("id"), str)):
                raise InputError(f"query {key!r}: a property value must be a string, number, "
                                 "boolean or {\"id\": ...}")
            if isinstance(v, str) and len(v) > MAX_QUERY_CHARS:
                raise InputError(f"query {key!r}: a property value is too long")
        # A blank cell ("", "?", "—": no letter or digit) says nothing of the entity: no value,
        # and a condition with no other is none, as OpenRefine sends none for a blank cell. It
        # was a condition no candidate met: a row with its country cell empty got none.
        values = [v for v in values if not _names_nothing(v)]
        if not values:
            continue
        prop = _property_named(item["pid"])
        if prop is None:
            unknown.append(item["pid"])
            continue
        if prop.kind == "date" or prop.id in _DATED:
            read, misread = [], []
            for v in values:
                raw = (v.get("name") or v["id"]) if isinstance(v, dict) else v
                iso, hint = read_date(raw)
                if iso is None:
                    misread.append(("date", prop.id, str(raw), hint))
                else:
                    read.append(iso)
        elif prop.kind == "authority":
            # read once here, not again for each entity; a value that is no identifier of the
            # authority (a name, "unknown", a QID tied to geonames) is one it cannot read
            read, misread = [], []
            for v in values:
                iris = _identifier_iris(prop.id, v)
                if iris:
                    read.append(iris)
                else:
                    raw = v["id"] if isinstance(v, dict) else v
                    misread.append(("identifier", prop.id, str(raw),
                                    f"not a {_AUTHORITY_TITLES[prop.id]} identifier: write it "
                                    f"{_AUTHORITY_EXAMPLES[prop.id]}"))
        else:
            out.append((prop, values))
            continue
        unread += misread
        if misread and not read:
            continue  # nothing left to go by: the condition is left out
        out.append((prop, read))
    return out, unknown, unread


def _names_nothing(value: Any) -> bool:
    """Whether a condition's value is a blank cell: text with no letter or digit (as a query's
    text that names nothing), or an entity whose id and name are such text."""
    if isinstance(value, str):
        return not normalise(value)
    if isinstance(value, dict):
        name = value.get("name")
        return not normalise(value["id"]) and not (isinstance(name, str) and normalise(name))
    return False


#: The properties whose values are dates (a day, month or year, ISO 8601) though their kind is
#: text (they are given at the source's precision); those of kind "date" are days.
_DATED = frozenset({"startDate", "endDate", "latestStart", "notAfter", "notBefore",
                    "foundingDate"})
_MONTHS = {name: n for n, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), 1) for name in names}
#: French month names and abbreviations, accents off (as :func:`normalise` leaves them).
_MONTHS_FR = {name: n for n, names in enumerate((
    ("janvier", "janv"), ("fevrier", "fevr", "fev"), ("mars",), ("avril", "avr"), ("mai",),
    ("juin",), ("juillet", "juil"), ("aout",), ("septembre", "sept"), ("octobre", "oct"),
    ("novembre", "nov"), ("decembre", "dec")), 1) for name in names}
#: Vietnamese and French forms, on the text as :func:`normalise` leaves it (accents, case and
#: punctuation gone: "tháng 1/1979" is "thang 1 1979"). Vietnamese says which number is the
#: month ("tháng", month) and which the day ("ngày", day): "7 tháng 1 năm 1979", "ngày
#: 7/1/1979", "tháng 1/1979", "năm 1979". French: "7 janvier 1979", "le 1er janvier 1979",
#: "janv. 1979", "le 7/1/1979" (day first).
_VI_DAY = re.compile(r"(?:ngay )?([0-9]{1,2}) thang ([0-9]{1,2}) (?:nam )?([0-9]{4})")
_VI_DAY_FIRST = re.compile(r"ngay ([0-9]{1,2}) ([0-9]{1,2}) ([0-9]{4})")
_VI_MONTH = re.compile(r"thang ([0-9]{1,2}) (?:nam )?([0-9]{4})")
_VI_YEAR = re.compile(r"nam ([0-9]{4})")
#: French writes the day first, always: "le" says the text is French ("le 7/1/1979").
_FR_DAY_FIRST = re.compile(r"le ([0-9]{1,2})(?:er)? ([0-9]{1,2}) ([0-9]{4})")
_FR_DAY = re.compile(r"(?:le )?([0-9]{1,2})(?:er)? ([a-z]+) ([0-9]{4})")
#: A Vietnamese month by its name, not its number ("tháng Giêng", "tháng Chạp", "tháng Năm"):
#: the names are the lunar calendar's (Giêng its first month, Chạp its last, Một its eleventh)
#: as well as, to many, January, December, January again: "tháng Chạp 1978" of the lunar
#: calendar is mostly January 1979. Not read, said.
_VI_MONTH_NAMED = re.compile(r"(?:^| )thang ([a-z]+)(?: |$)")
#: A year of two digits at the end ("7/1/79", "ngày 7/1/79", "7 janvier 79").
_TWO_DIGIT_YEAR = re.compile(r"(?<![0-9])([0-9]{2})$")
_FR_MONTH = re.compile(r"([a-z]+) ([0-9]{4})")
_ORDINAL = r"(?:st|nd|rd|th)?"
_ISO_LOOSE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", re.ASCII)
_DAY_MONTH_YEAR = re.compile(rf"([0-9]{{1,2}}){_ORDINAL}\.?\s+(?:of\s+)?([^\W\d_]+)\.?,?\s+"
                             r"([0-9]{4})")
_MONTH_DAY_YEAR = re.compile(rf"([^\W\d_]+)\.?\s+([0-9]{{1,2}}){_ORDINAL},?\s+([0-9]{{4}})")
_MONTH_YEAR = re.compile(r"([^\W\d_]+)\.?,?\s+([0-9]{4})")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})", re.ASCII)
#: A spreadsheet's day or month, year first with slashes (1979/01/07, 1979/01), a month and
#: its year in numbers (01/1979, 1-1979: not with a point, which a number's text has), and
#: Excel's day-month-year with hyphens (7-Jan-1979, Jan-1979: read as with spaces).
_YEAR_FIRST = re.compile(r"(\d{4})/(\d{1,2})(?:/(\d{1,2}))?", re.ASCII)
_MONTH_NUMBER_YEAR = re.compile(r"(\d{1,2})[/-](\d{4})", re.ASCII)
_HYPHENATED = re.compile(r"(?:[0-9]{1,2}-)?[^\W\d_]+\.?-[0-9]{2}(?:[0-9]{2})?")
#: What a note says to write instead.
_WRITE_ISO = "write it 1979-01-07, 7 January 1979 or January 7, 1979"
#: The forms of a date :func:`read_date` reads, by language (or script), as the log's warning
#: lists them: a Vietnamese or French archivist's column is read as well as an English one's.
_DATE_FORMS = (
    ("ISO 8601", ("1979-01-07", "1979-01", "1979", "1979-1-7")),
    ("English", ("7 January 1979", "January 7, 1979", "Jan. 7th, 1979", "January 1979")),
    ("Vietnamese", ("7 tháng 1 năm 1979", "ngày 7/1/1979", "tháng 1/1979", "năm 1979")),
    ("French", ("7 janvier 1979", "le 1er janvier 1979", "le 7/1/1979", "janv. 1979")),
    ("numbers, where one order of day and month alone is a date", ("17/01/1979",)),
    ("as spreadsheets save them", ("1979-01-07 00:00:00", "1979/01/07", "01/1979",
                                   "7-Jan-1979")),
)
_DATE_FORMS_SAID = "; ".join(f"{language}: {' / '.join(forms)}"
                             for language, forms in _DATE_FORMS)


def _iso(year: str, month: int | None = None, day: int | None = None) -> str | None:
    """The ISO 8601 form of a year, month or day, or None if there is no such day."""
    try:
        date(int(year), month or 1, day or 1)
    except ValueError:
        return None
    return year + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")


def read_date(raw: Any) -> tuple[str | None, str]:
    """A condition's date as ISO 8601 at its precision (``1979``, ``1979-01``, ``1979-01-07``)
    and "", or None and what a note says of it. Read: ISO 8601, unpadded too (``1979-1-7``),
    a date-time by its day (as OpenRefine sends a date cell; with a space for the T, as a
    spreadsheet saves one), year first with slashes (``1979/01/07``), a month and its year in
    numbers (``01/1979``), Excel's ``7-Jan-1979``, a year as a number, a day or a
    month named in English (``7 January 1979``, ``January 7, 1979``, ``Jan 1979``), in
    Vietnamese (``7 tháng 1 năm 1979``, ``ngày 7/1/1979``, ``tháng 1/1979``) or in French
    (``7 janvier 1979``, ``1er janvier 1979``, ``le 7/1/1979``, ``janv. 1979``), and a day
    in numbers (``25/01/1979``) only where one order of day and month alone is a date or the
    value's own words say the day comes first (``ngày``, ``le``): in ``07/01/1979`` either
    may, and a column's order is nowhere said (v0.2 gives a query no language, and the
    language of a cell's name says nothing of how its date column was typed). Not read, each
    with what to write: a year of two digits (``7/1/79``, ``le 7/1/79``: which century?) and
    a Vietnamese month by its name (``tháng Giêng``, ``tháng Chạp``: the lunar calendar's
    first and last months as well as January and December to many; "tháng Chạp 1978" of the
    lunar calendar is mostly January 1979)."""
    if isinstance(raw, bool):
        return None, f"not a date: {_WRITE_ISO}"
    raw = _number_cell(raw)
    if isinstance(raw, int):
        return (str(raw), "") if 1000 <= raw <= 9999 else (None, f"not a year: {_WRITE_ISO}")
    text = " ".join(str(raw).split())
    m = _DATE_TIME.fullmatch(text)
    if m:
        text = m.group(1)
    # spreadsheets' forms, each saying which number is which: 1979/01/07, 01/1979, 7-Jan-1979
    m = _YEAR_FIRST.fullmatch(text) or _MONTH_NUMBER_YEAR.fullmatch(text)
    if m:
        year, month, day = (m.group(1, 2, 3) if m.re is _YEAR_FIRST
                            else (m.group(2), m.group(1), None))
        iso = _iso(year, int(month), int(day) if day else None)
        return (iso, "") if iso else (None, f"no such date: {_WRITE_ISO}")
    if _HYPHENATED.fullmatch(text):
        text = text.replace("-", " ")
    m = _ISO_LOOSE.fullmatch(text)
    if m:
        iso = _iso(m.group(1), *(int(g) if g else None for g in m.group(2, 3)))
        return (iso, "") if iso else (None, f"no such date: {_WRITE_ISO}")
    named = None
    for pattern, order in ((_DAY_MONTH_YEAR, (2, 1, 3)), (_MONTH_DAY_YEAR, (1, 2, 3)),
                           (_MONTH_YEAR, (1, None, 2))):
        m = pattern.fullmatch(text)
        if m and m.group(order[0]).casefold() in _MONTHS:
            named = (m.group(order[2]), _MONTHS[m.group(order[0]).casefold()],
                     int(m.group(order[1])) if order[1] else None)
            break
    if named is None:
        named = _named_elsewhere(normalise(text))
    if named:
        iso = _iso(*named)
        return (iso, "") if iso else (None, f"no such date: {_WRITE_ISO}")
    m = _NUMERIC.fullmatch(text)
    if m:
        first, second, year = int(m.group(1)), int(m.group(3)), m.group(4)
        if len(year) == 2:
            return None, _TWO_DIGITS
        readings = sorted({r for r in (_iso(year, second, first), _iso(year, first, second))
                           if r})
        if len(readings) == 1:
            return readings[0], ""
        if readings:
            return None, (f"the day may come first or the month: {' or '.join(readings)}? "
                          "write it YYYY-MM-DD")
        return None, f"no such date: {_WRITE_ISO}"
    norm = normalise(text)
    m = _VI_MONTH_NAMED.search(norm)
    if m:
        return None, ("a month by its Vietnamese name may be one of the lunar calendar, "
                      "whose first is tháng Giêng and last tháng Chạp: write its number, "
                      "tháng 1 năm 1979 for January, or 1979-01")
    m = _TWO_DIGIT_YEAR.search(text)
    if m:  # a form read with the year's four digits ("31 February 79": no such day either)
        iso, hint = read_date(text[:m.start()] + "19" + m.group(1))
        if iso is not None or not hint.startswith("not a date"):
            return None, _TWO_DIGITS
    return None, f"not a date: {_WRITE_ISO}"


_TWO_DIGITS = "a year of two digits may be of any century: write it 1979-01-07"


def _named_elsewhere(text: str) -> tuple[str, int | None, int | None] | None:
    """(year, month, day) of a date written in Vietnamese or French (``_VI_*``, ``_FR_*``) in
    the normalised ``text``, or None."""
    for pattern, order in ((_VI_DAY, (3, 2, 1)), (_VI_DAY_FIRST, (3, 2, 1)),
                           (_VI_MONTH, (2, 1, None)), (_VI_YEAR, (1, None, None)),
                           (_FR_DAY_FIRST, (3, 2, 1))):
        m = pattern.fullmatch(text)
        if m:
            return (m.group(order[0]), *(int(m.group(i)) if i else None for i in order[1:]))
    m = _FR_DAY.fullmatch(text)
    if m and m.group(2) in _MONTHS_FR:
        return m.group(3), _MONTHS_FR[m.group(2)], int(m.group(1))
    m = _FR_MONTH.fullmatch(text)
    if m and m.group(1) in _MONTHS_FR:
        return m.group(2), _MONTHS_FR[m.group(1)], None
    return None


def _date_said(day: str, *, comma: bool = True) -> str:
    """A cell's date as a note names it: "date, 1978-05-26, is" or, for a span, "dates,
    1978-12-23/1979-01-07, are" (without the comma, "date 1978-05-26")."""
    if not comma:
        return ("dates" if "/" in day else "date") + f" {day}"
    return f"dates, {day}, are" if "/" in day else f"date, {day}, is"


def _named(items: list[str]) -> str:
    """What a warning names: the first ``_IGNORED_LOGGED`` items, then how many more."""
    named = items[:_IGNORED_LOGGED]
    more = len(items) - len(named)
    return ", ".join(named) + (f", and {more} more" if more else "")


def _quoted(given: str) -> str:
    """An id from a request as a note or the log repeats it: quoted, escaped (no line break
    gets into the log), at most ``_IGNORED_ID_CHARS`` characters."""
    if len(given) > _IGNORED_ID_CHARS:
        given = given[:_IGNORED_ID_CHARS] + "…"
    return repr(given)


def _bound_score(bound: float) -> float:
    """The most a candidate whose similarity is at most ``bound`` can score (rounding as the
    score does, which keeps the order)."""
    return 100.0 if bound >= 1.0 else round(INEXACT_CEILING * bound, 1)


def _number_cell(value: Any) -> Any:
    """A value as a number cell means it: a float with no fraction is that whole number (JSON,
    and OpenRefine, send a number cell 1979 as 1979.0: the year 1979, the GeoNames id 1821306,
    a limit of 2); any other value as it is (``1979.5``, an infinity, text, a boolean). What
    every reader of a request's numbers applies: a date (:func:`read_date`), a condition's
    text, an authority identifier (:func:`_identifier_iris`), a count (:func:`_whole_number`)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


#: A whole number written as text: ASCII digits, a sign before them at most (``int()`` also
#: takes "1_000" and other scripts' digits, "٥", which no form field of a count means).
_WHOLE_TEXT = re.compile(r"[+-]?[0-9]+", re.ASCII)


def _whole_number(given: Any, *, text: bool) -> int | None:
    """A whole number as a request gives one, or None: a JSON number with no fraction (``2.0``
    is 2, as JSON does not tell them apart), or with ``text`` a form field's digits (spaces
    around them dropped). Not a boolean, ``1.5``, an infinity, ``"1e3"``, ``"1_000"``. The one
    reader of the service's counts (a query's ``limit``, a data extension property's, suggest's
    and propose_properties' ``limit`` and ``cursor``), each of which says its own range."""
    given = _number_cell(given)
    if isinstance(given, (bool, float)):
        return None
    if isinstance(given, int):
        return given
    if text and isinstance(given, str) and _WHOLE_TEXT.fullmatch(given.strip()):
        return int(given.strip())
    return None


def _limit(given: Any, key: str) -> int:
    """A query's ``limit``, the most candidates to return (v0.2): a whole number from 1, at
    most ``MAX_LIMIT`` of them given; none, ``DEFAULT_LIMIT``. ``2.0`` is 2, as JSON does not
    tell them apart. What cannot be honoured is an InputError naming the query and the value,
    not read as something else: ``1.5`` (not 1), and 0, a request for no candidates at all,
    which no client means (OpenRefine leaves ``limit`` out for the service's own; read as the
    default, it would be answered with what was not asked for)."""
    if given is None:
        return DEFAULT_LIMIT
    number = _whole_number(given, text=False)
    if number is None:
        if isinstance(given, float) and math.isfinite(given):
            raise InputError(f"query {key!r}: 'limit' must be a whole number, not {given!r}")
        raise InputError(f"query {key!r}: 'limit' must be a whole number from 1")
    if number < 1:
        raise InputError(f"query {key!r}: 'limit' must be at least 1, not {given!r} (leave it "
                         f"out for {DEFAULT_LIMIT} candidates, at most {MAX_LIMIT} are given)")
    return min(number, MAX_LIMIT)


def _extend_limit(given: Any, pid: str) -> int:
    """A data extension property's ``settings`` ``limit``, the most values per entity: a whole
    number from 0, as a number or as text (a form field's value); 0, or none given, is every
    value. What cannot be honoured is an InputError naming the property, as a query's
    ``limit`` is, not read as something else: -1 (it was every value), 1.5 (it was 1), and
    1e400, JSON's infinity (it was a 500)."""
    if given is None or given == "":
        return 0
    number = _whole_number(given, text=True)
    if number is None or number < 0:
        shown = _quoted(given) if isinstance(given, str) else json.dumps(given)[:_IGNORED_ID_CHARS]
        raise InputError(f"extend: the limit of {pid!r} must be a whole number from 0 (0, or "
                         f"none, for every value), not {shown}")
    return number


def _types(given: Any, key: str) -> list[str]:
    """The query's type ids, as given (:meth:`ReconciliationIndex._type_named` reads them)."""
    if given is None:
        return []
    items = given if isinstance(given, list) else [given]
    if not all(isinstance(t, str) for t in items):
        raise InputError(f"query {key!r}: 'type' must be a type id or a list of them")
    return [t.strip() for t in items if t.strip()]


#: A date or date-time as OpenRefine sends a date cell ("1979-01-05T00:00:00Z"): its day.
#: A spreadsheet's date-time saved as text has a space for the T ("1979-01-07 00:00:00").
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](?:[01]\d|2[0-3]):[0-5]\d(:\d{2}(\.\d+)?)?"
                        r"(Z|[+-]\d{2}:\d{2})?")


def _value_matches(name: str, raw: str, value: str) -> bool:
    """A text value matches a condition equal after normalisation; a date matches at either
    precision ("1979" matches 1979-01-07, and 1979-01-07 an event the source dates 1979-01),
    a date-time by its day."""
    if _exact(name, normalise(value)):
        return True
    raw = raw.strip()
    m = _DATE_TIME.fullmatch(raw)
    if m:
        raw = m.group(1)
        if raw == value:
            return True
    if not raw or not raw[0].isdigit() or not value[:1].isdigit():
        return False
    return value.startswith(raw + "-") or raw.startswith(value + "-")


#: How a note names an authority's identifiers and says to write one.
_AUTHORITY_TITLES = {"wikidata": "Wikidata", "geonames": "GeoNames", "viaf": "VIAF",
                     "lcnaf": "LCNAF"}
_AUTHORITY_EXAMPLES = {
    "wikidata": "Q1850, wd:Q1850 or the item's address",
    "geonames": "1821306 or the place's address on geonames.org",
    "viaf": "its number or its address on viaf.org",
    "lcnaf": "n79021164 or its address on id.loc.gov",
}


def _identifier_iris(authority: str, value: Any) -> frozenset[str]:
    """The canonical IRIs of the identifier a condition's value gives, in any form people paste
    (Q36608, wd:Q36608, a Wikidata or GeoNames page URL) or as OpenRefine sends a cell
    reconciled against Wikidata ({"id": "Q36608", "name": ...}): none if it gives none."""
    from kg.links import canonical_iri

    found = set()
    forms = [value.get("id"), value.get("name")] if isinstance(value, dict) else [value]
    for form in forms:
        if form is None or isinstance(form, bool):
            continue
        try:
            found.add(canonical_iri(str(_number_cell(form)), authority))
        except ValueError:
            continue
    return frozenset(found)


def _authority_matches(links: Iterable[str], given: list[frozenset[str]]) -> bool:
    """Whether an entity's links include an identifier a condition gives (its values read by
    :func:`_identifier_iris`)."""
    mine = set(links)
    return any(not mine.isdisjoint(iris) for iris in given)


def _prefix_key(prefix: str) -> str | None:
    """A suggest prefix as names are compared (:func:`normalise`): "" for nothing typed yet
    (the whole list, from the start), None for a prefix that can start no name: punctuation
    alone ("?", "--"), which normalising leaves empty, as a cell of it names nothing."""
    key = normalise(prefix[:MAX_QUERY_CHARS])
    return None if not key and prefix.strip() else key


_T = TypeVar("_T")


def _page_by_prefix(prefix: str, items: Iterable[_T], keys: Callable[[_T], Iterable[str]],
                    cursor: int, limit: int) -> list[_T]:
    """The ``items`` a key of which (``keys(item)``, normalised) is ``prefix``, then those
    one of whose keys starts with it, then those with a word that does
    (:func:`_prefix_rank`), each rank in the items' order: the
    ``limit`` from ``cursor`` on (suggest's entities, types and properties)."""
    ranked = []
    for item in items:
        rank = _prefix_rank(prefix, keys(item))
        if rank is not None:
            ranked.append((rank, item))
    ranked.sort(key=lambda pair: pair[0])
    return [item for _, item in ranked[cursor:cursor + limit]]


def _prefix_rank(prefix: str, keys: Iterable[str]) -> int | None:
    """0 when a key is the prefix (the name typed in full: "kufns" the front itself, before
    the "KUFNS forces" that the order of names put first), 1 when a key starts with it, 2
    when a word of it does, else None."""
    if not prefix:
        return 1
    best = None
    for k in keys:
        if k == prefix:
            return 0
        if k.startswith(prefix):
            best = 1
        elif best is None and f" {prefix}" in f" {k}":
            best = 2
    return best


def parse_positive(value: Any, default: int, ceiling: int, *, name: str) -> int:
    """A count from the request parameter ``name``, within [0, ceiling]; ``default`` when
    absent. An error names the parameter: a request may carry two (``limit``, ``cursor``)."""
    if value in (None, ""):
        return default
    number = _whole_number(value, text=True)
    if number is None:
        raise InputError(f"'{name}' must be a whole number, not {str(value)[:40]!r}")
    if number < 0:
        raise InputError(f"'{name}' must be a non-negative number, not {number}")
    return min(number, ceiling)
