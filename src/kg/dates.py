"""The day bounds of an event's dates, derived at build time, with the OWL 2 RL inferences.

The graph dates an event at its source's precision: a day (``xsd:date``), a month
(``xsd:gYearMonth``) or a year (``xsd:gYear``), with kgo:latestStart, kgo:notBefore and
kgo:notAfter where the source bounds a date without giving it. SPARQL compares a month with a
day as a type error, so ``FILTER (?start <= "1978-08-01"^^xsd:date)`` silently drops an event
that began "in May 1978". The bounds below are always days: the four ends of the two spans in
which the event began and ended, as CIDOC-CRM's time-span properties name them (P82a, P81a, P81b,
P82b), each a sub-property of the SEM time stamp of the same meaning.

- kgo:beginOfTheBegin, the first day the event can have begun: the first day of its start
  date, or its kgo:notBefore (the later of those given);
- kgo:endOfTheBegin, the last day it can have begun: the last day of its start date, or its
  kgo:latestStart, and never after the last day it can have ended (the earliest of those);
- kgo:beginOfTheEnd, the first day it can have ended: the first day of its end date, and never
  before the first day it can have begun (the later);
- kgo:endOfTheEnd, the last day it can have ended: the last day of its end date, or its
  kgo:notAfter (the earliest).

kgo:onDate is both the start and the end date (the ontology makes it a sub-property of both;
the bounds are derived before reasoning, so it is read here as such). A bound that nothing
gives is left out: an event whose end is unknown has no kgo:endOfTheEnd. A value that is not a
well-formed date of the three kinds gives no bound (the shapes report it); a time zone is left
out (rdflib drops it from the lexical form, so the reasoners would otherwise differ).

The same days are given the CIDOC-CRM way too (:func:`time_spans`): the event
crm:P4_has_time-span its time-span, ``<event>#time-span``, a crm:E52_Time-Span with
crm:P82a_begin_of_the_begin, crm:P81a_end_of_the_begin, crm:P81b_begin_of_the_end and
crm:P82b_end_of_the_end. They stay xsd:date, which CIDOC-CRM 7.1.3's RDFS range (rdfs:Literal)
admits; earlier releases (6.2.1) gave xsd:dateTime, but a day is what the sources give, and a time
of day and a zone would be made up.

A group's founding date is derived here too (:func:`founding_dates`): kgo:foundingDate, a
sub-property of schema:foundingDate, is the date of its founding as the source gives it. Where
and by whom it was founded need no code: the ontology's property chains give them.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable

from kg.iris import KGO

XSD = "http://www.w3.org/2001/XMLSchema#"
DATE, YEAR_MONTH, YEAR = XSD + "date", XSD + "gYearMonth", XSD + "gYear"

BEGIN_OF_THE_BEGIN = str(KGO.beginOfTheBegin)
END_OF_THE_BEGIN = str(KGO.endOfTheBegin)
BEGIN_OF_THE_END = str(KGO.beginOfTheEnd)
END_OF_THE_END = str(KGO.endOfTheEnd)
#: The derived properties, each a day (xsd:date).
BOUNDS = (BEGIN_OF_THE_BEGIN, END_OF_THE_BEGIN, BEGIN_OF_THE_END, END_OF_THE_END)

START, END, ON = str(KGO.startDate), str(KGO.endDate), str(KGO.onDate)
LATEST_START, NOT_BEFORE, NOT_AFTER = (str(KGO.latestStart), str(KGO.notBefore),
                                       str(KGO.notAfter))
#: The properties the bounds are derived from.
SOURCES = (START, END, ON, LATEST_START, NOT_BEFORE, NOT_AFTER)

FOUNDED, FOUNDED_IN = str(KGO.founded), str(KGO.foundedIn)
#: The derived founding date of a group (a sub-property of schema:foundingDate).
FOUNDING_DATE = str(KGO.foundingDate)

TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_CRM = "http://www.cidoc-crm.org/cidoc-crm/"
HAS_TIME_SPAN, TIME_SPAN = _CRM + "P4_has_time-span", _CRM + "E52_Time-Span"
#: Each bound's CIDOC-CRM property, on the event's time-span.
CRM_BOUNDS = {BEGIN_OF_THE_BEGIN: _CRM + "P82a_begin_of_the_begin",
              END_OF_THE_BEGIN: _CRM + "P81a_end_of_the_begin",
              BEGIN_OF_THE_END: _CRM + "P81b_begin_of_the_end",
              END_OF_THE_END: _CRM + "P82b_end_of_the_end"}
TIME_SPAN_FRAGMENT = "#time-span"

# A time zone is allowed and left out of the bounds: rdflib writes a zoned date without its zone,
# so the two reasoners would otherwise disagree.
_ZONE = r"(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)?"
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})" + _ZONE)
_MONTH = re.compile(r"(\d{4})-(\d{2})" + _ZONE)
_YEAR = re.compile(r"(\d{4})" + _ZONE)


def span(lexical: str, datatype: str) -> tuple[str, str] | None:
    """The first and last day (``YYYY-MM-DD``) of a date, a month or a year, less any time
    zone; None for anything else (another datatype, a day that does not exist)."""
    if datatype == DATE and (m := _DAY.fullmatch(lexical)):
        y, mo, d = map(int, m.groups())
        if 1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1]:
            return f"{y:04d}-{mo:02d}-{d:02d}", f"{y:04d}-{mo:02d}-{d:02d}"
    elif datatype == YEAR_MONTH and (m := _MONTH.fullmatch(lexical)):
        y, mo = map(int, m.groups())
        if 1 <= mo <= 12:
            return f"{y:04d}-{mo:02d}-01", f"{y:04d}-{mo:02d}-{calendar.monthrange(y, mo)[1]:02d}"
    elif datatype == YEAR and (m := _YEAR.fullmatch(lexical)):
        return f"{m.group(1)}-01-01", f"{m.group(1)}-12-31"
    return None


def day_bounds(values: Iterable[tuple[Hashable, str, str, str]]
               ) -> list[tuple[Hashable, str, str]]:
    """The bounds of each subject, from its ``(subject, property IRI, lexical form, datatype
    IRI)`` values of :data:`SOURCES` (others are ignored): ``(subject, bound property IRI,
    YYYY-MM-DD)`` triples, each bound once, in a stable order."""
    firsts: dict[Hashable, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for subject, prop, lexical, datatype in values:
        if prop not in SOURCES:
            continue
        days = span(lexical, datatype)
        if days is None:
            continue
        first, last = days
        mine = firsts[subject]
        if prop in (START, ON):
            mine["begin>="].append(first)
            mine["begin<="].append(last)
        if prop in (END, ON):
            mine["end>="].append(first)
            mine["end<="].append(last)
        if prop == NOT_BEFORE:
            mine["begin>="].append(first)
        if prop == LATEST_START:
            mine["begin<="].append(last)
            mine["latest"].append(last)
        if prop == NOT_AFTER:
            mine["end<="].append(last)
    out = []
    for subject, mine in firsts.items():
        # a start given as a span of days is the span's first day: its latest start is the last
        begin_le = mine["latest"] or mine["begin<="]
        begin_ge, end_ge, end_le = mine["begin>="], mine["end>="], mine["end<="]
        bob = max(begin_ge) if begin_ge else None
        eoe = min(end_le) if end_le else None
        eob = min(begin_le + ([eoe] if eoe else [])) if begin_le or eoe else None
        boe = max(end_ge + ([bob] if bob else [])) if end_ge or bob else None
        for prop, day in ((BEGIN_OF_THE_BEGIN, bob), (END_OF_THE_BEGIN, eob),
                          (BEGIN_OF_THE_END, boe), (END_OF_THE_END, eoe)):
            if day is not None:
                out.append((subject, prop, day))
    return sorted(out, key=lambda t: (str(t[0]), t[1]))


def founding_dates(founded: Iterable[tuple[Hashable, Hashable]],
                   dates: Callable[[Hashable], Iterable[tuple[str, Hashable, str, str]]]
                   ) -> list[tuple[Hashable, Hashable]]:
    """``(group, date)`` for kgo:foundingDate: each ``(founding, group)`` of ``founded`` gives
    the group the date its founding happened on or began, as the source gives it (day, month or
    year: the founding's own literal, from ``dates(founding)``: ``(property IRI, literal,
    lexical form, datatype IRI)`` of its values). A founding without such a date (undated in
    the source, only bounded) gives none; a malformed date gives none (the shapes report it)."""
    out: dict[tuple[Hashable, Hashable], None] = {}
    for founding, group in founded:
        for prop, literal, lexical, datatype in dates(founding):
            if prop in (ON, START) and span(lexical, datatype) is not None:
                out[(group, literal)] = None
    return sorted(out, key=lambda pair: (str(pair[0]), str(pair[1])))


LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def span_label(event_labels: list[str]) -> str:
    """The English label of an event's time-span, from the event's English labels (the first
    in order, where a merge of graphs gave it several): every resource of ours is labelled,
    for its page and for readers."""
    return f"Time-span of {sorted(event_labels)[0]}"


def span_labels(spans: list[tuple], english_labels: Callable[[str], list[str]]
                ) -> list[tuple[str, str]]:
    """``(time-span IRI, its label)`` for each event of :func:`time_spans`' ``spans`` that
    ``english_labels`` (an event's IRI: its English labels) gives a label."""
    events = sorted({s for s, p, _, _ in spans if p == HAS_TIME_SPAN})
    return [(time_span(e), span_label(names)) for e in events if (names := english_labels(e))]


def time_span(event: str) -> str:
    """The IRI of the CIDOC-CRM time-span of an event's IRI: a fragment of the event's own."""
    return event + TIME_SPAN_FRAGMENT


def time_spans(bounds: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str | None]]:
    """The CIDOC-CRM form of :func:`day_bounds`' ``(event IRI, bound property IRI, day)``:
    ``(subject, property, object, day)`` triples, ``day`` None where the object is the IRI in
    ``object``: each event ``crm:P4_has_time-span`` its :func:`time_span`, a
    ``crm:E52_Time-Span`` with the event's bounds as P82a, P81a, P81b and P82b (xsd:date)."""
    out: list[tuple[str, str, str | None]] = []
    seen: set[str] = set()
    for event, prop, day in bounds:
        span_iri = time_span(event)
        if event not in seen:
            seen.add(event)
            out += [(event, HAS_TIME_SPAN, span_iri, None), (span_iri, TYPE, TIME_SPAN, None)]
        out.append((span_iri, CRM_BOUNDS[prop], "", day))
    return out


def graph_bounds(graph) -> list[tuple]:
    """:func:`day_bounds` of an rdflib graph, as rdflib triples, with their :func:`time_spans`
    for the bounds of IRIs and the groups' :func:`founding_dates`."""
    from rdflib import Literal, URIRef

    values = ((s, str(p), str(o), str(o.datatype)) for prop in SOURCES
              for s, p, o in graph.triples((None, URIRef(prop), None))
              if isinstance(o, Literal) and o.datatype is not None)
    bounds = day_bounds(values)
    date = URIRef(DATE)
    spans = time_spans((str(s), p, day) for s, p, day in bounds if isinstance(s, URIRef))
    label = URIRef(LABEL)
    named = span_labels(spans, lambda e: [str(o) for o in graph.objects(URIRef(e), label)
                                          if isinstance(o, Literal) and o.language == "en"])
    # a literal where a group belongs is the shapes' to report, not a subject to give a date
    founded = ([(e, g) for e, g in graph.subject_objects(URIRef(FOUNDED))
                if not isinstance(g, Literal)]
               + [(e, g) for g, e in graph.subject_objects(URIRef(FOUNDED_IN))
                  if not isinstance(e, Literal)])
    founding_date = URIRef(FOUNDING_DATE)
    return ([(s, URIRef(p), Literal(day, datatype=date)) for s, p, day in bounds]
            + [(URIRef(s), URIRef(p), URIRef(o) if day is None else Literal(day, datatype=date))
               for s, p, o, day in spans]
            + [(URIRef(span), label, Literal(text, lang="en")) for span, text in named]
            + [(group, founding_date, literal) for group, literal in founding_dates(
                founded, lambda e: ((prop, o, str(o), str(o.datatype)) for prop in (ON, START)
                                    for o in graph.objects(e, URIRef(prop))
                                    if isinstance(o, Literal) and o.datatype is not None))])


def store_bounds(store) -> list[tuple]:
    """:func:`day_bounds` of every graph of a pyoxigraph store, as pyoxigraph triples, with
    their :func:`time_spans` and the groups' :func:`founding_dates`."""
    import pyoxigraph as ox

    values = ((q.subject, prop, q.object.value, q.object.datatype.value) for prop in SOURCES
              for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, None)
              if isinstance(q.object, ox.Literal))
    bounds = day_bounds(values)
    date = ox.NamedNode(DATE)
    spans = time_spans((s.value, p, day) for s, p, day in bounds if isinstance(s, ox.NamedNode))
    label = ox.NamedNode(LABEL)
    named = span_labels(spans, lambda e: [
        q.object.value for q in store.quads_for_pattern(ox.NamedNode(e), label, None, None)
        if isinstance(q.object, ox.Literal) and q.object.language == "en"])
    founded = ([(q.subject, q.object) for q in store.quads_for_pattern(
                   None, ox.NamedNode(FOUNDED), None, None)
                if not isinstance(q.object, ox.Literal)]
               + [(q.object, q.subject) for q in store.quads_for_pattern(
                   None, ox.NamedNode(FOUNDED_IN), None, None)
                  if not isinstance(q.object, ox.Literal)])
    founding_date = ox.NamedNode(FOUNDING_DATE)

    def dates(event):
        return ((prop, q.object, q.object.value, q.object.datatype.value) for prop in (ON, START)
                for q in store.quads_for_pattern(event, ox.NamedNode(prop), None, None)
                if isinstance(q.object, ox.Literal))

    return ([(s, ox.NamedNode(p), ox.Literal(day, datatype=date)) for s, p, day in bounds]
            + [(ox.NamedNode(s), ox.NamedNode(p),
                ox.NamedNode(o) if day is None else ox.Literal(day, datatype=date))
               for s, p, o, day in spans]
            + [(ox.NamedNode(span), label, ox.Literal(text, language="en"))
               for span, text in named]
            + [(group, founding_date, literal)
               for group, literal in founding_dates(founded, dates)])
