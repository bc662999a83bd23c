"""The reconciliation service for OpenRefine: the Reconciliation Service API v0.2 at
``/reconcile``.

* ``GET /reconcile`` — the manifest (a ``callback`` parameter wraps it as JSONP);
* ``GET|POST /reconcile`` with ``queries`` — a batch of reconciliation queries;
* ``GET|POST /reconcile`` with ``extend`` — data extension (a request with both is a 400);
* ``GET /reconcile/preview?id=`` — an HTML fragment for OpenRefine's preview pane;
* ``GET /reconcile/suggest/entity|type|property?prefix=`` — auto-completion;
* ``GET /reconcile/propose_properties?type=`` — properties to offer for data extension.

The matching itself is :mod:`kg.reconciliation`; its index is read from the store once, when
the blueprint is registered. Entity ids are IRIs without the base (``place/phnom-penh``); the
manifest's ``view`` URL is this server's page for the id (``/place/phnom-penh``). Every error
of these routes is JSON ``{"status", "message"}`` with the status of :mod:`kg.errors` (400
malformed or nested deeper than ``MAX_NESTING``, 413 over ``max_reconcile_batch`` or
``max_body_bytes``, 415 for a POST whose body is not a form, such as a JSON batch, 503 for a
batch stopped at its time limit, 500 for a fault of ours); with a JSONP ``callback`` it is
wrapped too, and answered 200, since a browser runs no script answered with an error status
(the object's ``status`` says what it was).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from kg import __version__
from kg.endpoint.responses import reconciliation_methods
from kg.errors import InputError, QueryTimeout, UnsupportedMediaType
from kg.iris import BASE, KGO
from kg.reconciliation import (
    DEFAULT_LIMIT,
    DEFAULT_TYPES,
    MATCH_SETTINGS,
    MAX_LIMIT,
    PROPERTIES,
    Entity,
    ReconciliationIndex,
    parse_positive,
)

__all__ = ["bp", "manifest", "error_response", "MAX_NESTING", "text_language"]

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")

#: Deepest nesting of JSON arrays and objects read in ``queries`` or ``extend`` (400 beyond):
#: a query batch needs 5 levels, an extension 3; json.loads recurses, and fails on thousands.
MAX_NESTING = 32
#: The share of ``query_timeout`` a query batch may take: past it the batch stops with its own
#: 503, before the watchdog of ``kg serve`` ends the worker with the SPARQL endpoint's.
TIME_SHARE = 0.9

#: Size of OpenRefine's preview pane.
PREVIEW_WIDTH, PREVIEW_HEIGHT = 430, 180
#: What a JSONP callback name may look like (the name is echoed into JavaScript).
_CALLBACK = re.compile(r"[A-Za-z_$][A-Za-z0-9_$.]{0,99}")
#: On every answer; a preflight's Access-Control-Allow-Methods is the app's, the path's Allow
#: (kg.endpoint.routes._preflight_everywhere): GET, POST where the path takes both.
_CORS = {"Access-Control-Allow-Origin": "*",
         "Access-Control-Allow-Headers": "Content-Type"}


@bp.record_once
def _install(state) -> None:
    store = state.app.extensions["kg"].store
    state.app.extensions["kg.reconcile"] = ReconciliationIndex.from_store(store)


def _index() -> ReconciliationIndex:
    return current_app.extensions["kg.reconcile"]


def _root() -> str:
    return request.url_root.rstrip("/")


def _callback() -> str | None:
    """The JSONP callback of a GET, or None; InputError for a name that is no identifier."""
    callback = request.args.get("callback")
    if callback is None or request.method not in ("GET", "HEAD"):
        return None
    if not _CALLBACK.fullmatch(callback):
        raise InputError("callback must be a JavaScript identifier")
    return callback


def _jsonp(callback: str, body: str, headers: dict[str, str] | None = None) -> Response:
    # The comment keeps a response that starts with the caller's text from being read as
    # anything but script.
    return Response(f"/**/{callback}({body});", 200,
                    {"X-Content-Type-Options": "nosniff", **(headers or {})},
                    content_type="application/javascript; charset=utf-8")


def _json(payload: Any) -> Response:
    body = json.dumps(payload, ensure_ascii=False)
    callback = _callback()
    if callback is not None:
        return _jsonp(callback, body)
    return Response(body, 200, content_type="application/json")


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def _decode(name: str) -> Any:
    raw = request.values.get(name, "")
    depth = 0
    for m in _JSON_TOKENS.finditer(raw):
        token = m.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                raise InputError(f"'{name}' is nested more than {MAX_NESTING} levels deep "
                                 "(a query batch needs 5)")
        elif token in ("]", "}"):
            depth -= 1
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"'{name}' is not valid JSON: {exc}") from None


def manifest(index: ReconciliationIndex, root: str, batch_size: int) -> dict[str, Any]:
    """The service manifest for a server whose root URL is ``root`` and which takes at most
    ``batch_size`` queries a request (advertised as ``batchSize``, which clients such as
    OpenRefine read to split their batches, rather than learn it from a 413)."""
    service = {"service_url": root + "/reconcile"}
    return {
        "versions": ["0.2"],
        "batchSize": batch_size,
        "name": "kg1978: the 1978-79 war on Vietnam's Southwestern border",
        "identifierSpace": BASE,
        "schemaSpace": str(KGO),
        "serviceVersion": __version__,
        "documentation": root + "/reconcile/",
        "defaultTypes": [index.type_ref(t) for t in DEFAULT_TYPES],
        "view": {"url": root + "/{{id}}"},
        "preview": {"url": root + "/reconcile/preview?id={{id}}", "width": PREVIEW_WIDTH,
                    "height": PREVIEW_HEIGHT},
        "suggest": {
            "entity": {**service, "service_path": "/suggest/entity"},
            "type": {**service, "service_path": "/suggest/type"},
            "property": {**service, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {**service, "service_path": "/propose_properties"},
            "property_settings": [{
                "name": "limit", "label": "Limit", "type": "number", "default": 0,
                "help_text": "Most values to fetch per entity (0: all of them)"}, {
                "name": "match", "label": "Authority links", "type": "select",
                "default": "exact",
                "choices": [{"value": k, "name": v} for k, v in MATCH_SETTINGS.items()],
                "help_text": "For an authority identifier (Wikidata, GeoNames, VIAF, LCNAF): "
                             "which links give it"}],
        },
    }


@bp.route("", methods=["GET", "POST"])
def service() -> Response:
    """The manifest, a batch of queries (``queries``) or a data extension (``extend``)."""
    state = current_app.extensions["kg"]
    limit = state.settings["max_reconcile_batch"]
    if "queries" in request.values and "extend" in request.values:
        # v0.2 defines each request as one of them; answering one would drop the other unsaid
        raise InputError("a request carries either 'queries' (a batch) or 'extend' (a data "
                         "extension), not both: send them as two requests")
    if "queries" in request.values:
        timeout = state.query_timeout
        deadline = time.monotonic() + TIME_SHARE * timeout
        try:
            answer = _index().reconcile_batch(_decode("queries"), max_batch=limit,
                                              deadline=deadline)
        except QueryTimeout as exc:
            raise QueryTimeout(
                f"{exc}: it ran into the time limit of {timeout:g} s (setting query_timeout). "
                "Send fewer queries per request (a smaller batch) or shorter cells, and try "
                "again") from None
        return _json(answer)
    if "extend" in request.values:
        return _json(_index().extend(_decode("extend"), max_batch=limit))
    if request.method == "POST":
        # The manifest is read with GET; a POST that carries neither field was meant as a
        # batch, most often sent as a JSON body, which v0.2 does not define.
        if not request.content_length or request.mimetype in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            raise InputError("expected the form field 'queries' (a batch) or 'extend'; the "
                             "manifest is read with GET")
        raise UnsupportedMediaType(
            f"a request body of type {request.mimetype or 'unknown'!r} is not read: send the "
            "batch as the form field 'queries' (application/x-www-form-urlencoded), as the "
            "Reconciliation Service API v0.2 and OpenRefine do")
    return _json(manifest(_index(), _root(), limit))


@bp.route("/", methods=["GET"])
def documentation() -> Response:
    """A plain-text note on how to use the service (the manifest's ``documentation``)."""
    root = _root()
    text = (
        "kg1978 reconciliation service (Reconciliation Service API v0.2)\n\n"
        f"In OpenRefine: Reconcile > Start reconciling... > Add standard service... and give\n"
        f"  {root}/reconcile\n\n"
        f"Entity ids are IRIs without {BASE} (e.g. place/phnom-penh); types and properties are\n"
        f"names in {KGO} (e.g. Place, placeWithin). A candidate is marked as a match only when\n"
        "exactly one entity has a label or alternative label equal to the cell (ignoring case,\n"
        "accents and punctuation). A property or type the service does not know is ignored\n"
        "rather than failing the batch: that query's candidates score at most 89.5, none is\n"
        "matched automatically, and each one's description says what was ignored. Data\n"
        "extension offers dates, places, parent units and the Wikidata, GeoNames, VIAF and\n"
        "LCNAF identifiers: those linked with skos:exactMatch, or, with the setting match\n"
        "close (or any), skos:closeMatch (a related entity, such as today's province for the\n"
        "1978 one).\n"
    )
    return Response(text, 200, content_type="text/plain; charset=utf-8")


@bp.route("/preview", methods=["GET"])
def preview() -> Response:
    """A small HTML card of one entity, for OpenRefine's preview pane."""
    given = request.args.get("id", "")
    entity = _index().get(given) if given else None
    if entity is None:
        html = render_template("reconcile_preview.html", entity=None, given=given)
        return Response(html, 404, content_type="text/html; charset=utf-8")
    html = render_template("reconcile_preview.html", entity=_with_languages(entity),
                           view_url=f"{_root()}/{entity.id}")
    return Response(html, 200, content_type="text/html; charset=utf-8")


def text_language(entity: Entity | None, key: str, text: str) -> str | None:
    """The language tag of ``entity``'s ``key`` value (``label``, ``altLabel``,
    ``description``) whose text is ``text``, for the ``lang`` of the element showing it; None
    for an untagged one, or text no such value has (the page's language then holds)."""
    if entity is None or not text:
        return None
    return next((v.lang for v in entity.values.get(key, ()) if v.text == text), "") or None


#: The predicates a preview field's values come from, where not its own id's (a one-day
#: event's day is its start and end date: :meth:`ReconciliationIndex.values_of`).
_FIELD_PREDICATES = {"startDate": ("startDate", "onDate"), "endDate": ("endDate", "onDate")}


def _readings_of(entity: Entity) -> set[tuple[str, str]]:
    """``(predicate's local name, value)`` of each of ``entity``'s triples that is a reading
    (its statement cites a passage and is attributed: :attr:`kg.endpoint.pages.Site.readings`),
    the value an IRI or a literal's lexical form."""
    from kg.endpoint.pages import site

    return {(p[len(KGO):], o.value) for s, p, o in site().readings
            if s == entity.iri and p.startswith(KGO)}


def _with_languages(entity: Entity) -> dict:
    """The preview of :meth:`ReconciliationIndex.preview` with the language of each text it
    shows: the name, the description, each alternative label, and each entity named in a
    field (its name's), so that the card marks a Vietnamese name as Vietnamese; and a value
    that is the curators' reading says so, as the entity's page and the timeline do (a card
    showed "ended not after 1979-01-07" as the source's)."""
    index = _index()
    read = _readings_of(entity)
    card = index.preview(entity)
    read_countries = _countries_read(index, entity, read)
    card["name_lang"] = text_language(entity, "label", card["name"])
    card["description_lang"] = text_language(entity, "description", card["description"])
    card["altLabels"] = [{"text": text, "lang": text_language(entity, "altLabel", text)}
                         for text in card["altLabels"]]
    by_name = {p.name: p for p in PROPERTIES}
    for field in card["fields"]:
        prop = by_name.get(field["name"])
        named = index.values_of(entity, prop) if prop is not None else []
        # the same values in the same order: an entity's carries its IRI
        for shown, value in zip(field["values"], named, strict=False):
            target = index.get(value["iri"]) if "iri" in value else None
            shown["lang"] = text_language(target, "label", shown["text"])
            if prop is not None and (any(
                    (p, value.get("iri", value.get("text"))) in read
                    for p in _FIELD_PREDICATES.get(prop.id, (prop.id,)))
                    or (prop.id == "country" and value.get("iri") in read_countries)):
                shown["note"] = shown.get("note", "") + " (the curators' reading)"
    return card


def _countries_read(index: ReconciliationIndex, entity: Entity,
                    read: set[tuple[str, str]]) -> set[str]:
    """The countries of ``entity``'s ``country`` field that rest on a reading: reached by its
    asserted places (kgo:tookPlaceAt, kgo:placeWithin, kgo:governs) only through a triple that
    is the curators' reading (:func:`_readings_of`), as the offensive on Phnom Penh's Cambodia
    is, through the place the curators read it took place at. The card showed such a country
    as the source's while marking the place it came from as a reading."""
    from kg.endpoint.pages import site

    every_read = {(s, p[len(KGO):], o.value) for s, p, o in site().readings
                  if p.startswith(KGO)}
    country = KGO + "Country"

    def reached(skip: bool) -> set[str]:
        if KGO + "Place" in entity.types:
            frontier = [entity.iri]
        else:
            key = "tookPlaceAt" if KGO + "Event" in entity.types else "governs"
            frontier = [o for o in entity.direct(key) if not (skip and (key, o) in read)]
        seen, found = set(frontier), set()
        while frontier:
            iri = frontier.pop()
            place = index.entities.get(iri)
            if place is None:
                continue
            if country in place.types:
                found.add(iri)
            for o in place.direct("placeWithin"):
                if o not in seen and not (skip and (iri, "placeWithin", o) in every_read):
                    seen.add(o)
                    frontier.append(o)
        return found

    return reached(False) - reached(True)


def _paging() -> tuple[str, int, int]:
    # v0.2: a suggest service takes "prefix", the text typed so far; without it the answer
    # listed everything, as if a client had asked for that. An empty one (nothing typed yet;
    # OpenRefine sends none then) still lists from the start.
    prefix = request.args.get("prefix")
    if prefix is None:
        raise InputError("the parameter 'prefix' is missing: give what was typed so far "
                         "(prefix=phn), or prefix= for the start of the whole list")
    if "\0" in prefix:
        raise InputError("'prefix' contains a NUL character (%00), which no name has")
    limit = parse_positive(request.args.get("limit"), DEFAULT_LIMIT, MAX_LIMIT, name="limit")
    if not limit:  # as a query's limit: a list of none is asked for by no one
        raise InputError(f"'limit' must be at least 1, not 0 (leave it out for "
                         f"{DEFAULT_LIMIT}, at most {MAX_LIMIT} are given)")
    cursor = parse_positive(request.args.get("cursor"), 0, 1_000_000, name="cursor")
    return prefix, limit, cursor


@bp.route("/suggest/entity", methods=["GET"])
def suggest_entity() -> Response:
    prefix, limit, cursor = _paging()
    return _json({"result": _index().suggest_entities(
        prefix, type_given=request.args.get("type") or None, limit=limit, cursor=cursor)})


@bp.route("/suggest/type", methods=["GET"])
def suggest_type() -> Response:
    prefix, limit, cursor = _paging()
    return _json({"result": _index().suggest_types(prefix, limit=limit, cursor=cursor)})


@bp.route("/suggest/property", methods=["GET"])
def suggest_property() -> Response:
    prefix, limit, cursor = _paging()
    return _json({"result": _index().suggest_properties(
        prefix, type_given=request.args.get("type") or None, limit=limit, cursor=cursor)})


@bp.route("/propose_properties", methods=["GET", "POST"])
def propose_properties() -> Response:
    # v0.2: "an optional limit ... to control the number of proposed properties". 0 asks for
    # none, which no client means (OpenRefine sends no limit): as a query's and suggest's
    # limit, a 400 rather than a reading of our own ("all" was one).
    given = request.values.get("limit")
    limit = parse_positive(given, 0, MAX_LIMIT, name="limit")
    if given not in (None, "") and not limit:
        raise InputError("'limit' must be at least 1, not 0 (leave it out for every "
                         f"property, at most {MAX_LIMIT} are given)")
    return _json(_index().propose_properties(request.values.get("type") or None, limit))


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers.update(_CORS)
    return response


def error_response(status: int, message: str) -> Response:
    """An error of the service: JSON ``{"status", "message"}`` (wrapped for a JSONP
    callback), with the CORS headers of its answers. The app's error handlers answer every
    error of a path under /reconcile with it (:func:`kg.endpoint.routes._error_response`),
    those of its routes and those no route saw (a method it does not take) alike."""
    body = json.dumps({"status": status, "message": message}, ensure_ascii=False)
    try:
        callback = _callback()
    except InputError:
        callback = None  # a name that is no identifier is not echoed
    if callback is not None:
        # 200: a script answered with an error status is not run, and the callback would
        # never hear of the error. Not to be cached as if it were an answer.
        return _cors(_jsonp(callback, body, {"Cache-Control": "no-store"}))
    return _cors(Response(body, status, content_type="application/json"))


@bp.route("/<path:rest>", methods=["GET", "POST"])
def _no_such_path(rest: str) -> Response:
    """A path under /reconcile the service does not have: its JSON 404 (not the dataset's
    page for an IRI, which a path of the site would otherwise be read as). A path it has
    that does not take the method (a ``POST`` of ``/preview``, which this route also
    catches) is a 405 naming the methods it takes."""
    allowed = reconciliation_methods(request.path)
    if allowed:
        response = error_response(405, f"/reconcile/{rest} does not answer {request.method}; "
                                        f"it answers {', '.join(allowed)}")
        response.headers["Allow"] = ", ".join(
            [*allowed, *(["HEAD"] if "GET" in allowed else []), "OPTIONS"])
        return response
    return error_response(404, f"/reconcile/{rest} is not a path of the reconciliation "
                                "service (see the manifest, GET /reconcile)")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> Response:
    limit = current_app.extensions["kg"].max_body_bytes
    return error_response(413, f"the request body is larger than {limit} bytes (setting "
                                "max_body_bytes): send fewer queries at once")

