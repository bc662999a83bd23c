"""Everything an endpoint app holds, in one object: ``app.extensions["kg"]``."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.endpoint.caching import cache_control
from kg.endpoint.description import Descriptions
from kg.endpoint.protocol import SparqlRequest, negotiate, without_json_ld
from kg.endpoint.query_text import QueryInfo, inspect_query, select_star_order
from kg.endpoint.results import (
    BOOLEAN,
    GRAPH,
    SOLUTIONS,
    ResultFormat,
    TripleTermsInJsonLd,
    serialize,
    write_triples,
)
from kg.endpoint.watchdog import QueryGuard, timeout_message
from kg.errors import InputError, KGError, NotAcceptable, ParseError, QueryTimeout
from kg.iris import WRITE_PREFIXES
from kg.store import ReadOnlyStore, check_query_syntax

__all__ = ["EndpointState", "Answer"]

_KIND_OF_FORM = {"SELECT": SOLUTIONS, "ASK": BOOLEAN, "CONSTRUCT": GRAPH, "DESCRIBE": GRAPH}


@dataclass(slots=True)
class Answer:
    body: bytes
    format: ResultFormat
    truncated: bool
    volatile: bool  # the query calls RAND, NOW, …: this answer may not be reused


@dataclass
class EndpointState:
    store: ReadOnlyStore  # a DatasetStore, or a kg.remote.RemoteStore
    settings: dict[str, Any]
    guard: QueryGuard
    descriptions: Descriptions
    assets_dir: Path | None
    examples: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Read on every request: plain attributes are faster than dict lookups.
        self.query_timeout: float = self.settings["query_timeout"]
        self.max_results: int = self.settings["max_results"]
        self.max_body_bytes: int = self.settings["max_body_bytes"]
        self.max_query_depth: int = self.settings["max_query_depth"]
        # A remote store (kg.remote.RemoteStore) answers /sparql itself, passing its body
        # through; it is given most of query_timeout, so that it, not the watchdog, answers 503.
        self.forward = getattr(self.store, "forward", None)
        # HTTP caching (kg.endpoint.caching): a GET query's answer may be reused for
        # cache_max_age seconds; over the embedded, read-only store it also has a validator,
        # the same while this app lives (forked workers share it), new on every start.
        self.cache_control: str = cache_control(self.settings["cache_max_age"])
        self._validator = None if self.forward is not None else secrets.token_hex(6)

    def etag_for(self, fmt: ResultFormat, query_string: str) -> str | None:
        """The weak ``ETag`` of a non-volatile answer in ``fmt`` to the URL with this query
        string (None: no validator): the app's token, a digest of the URL's query, the format
        (with its JSON-LD form; a gzipped answer's tag adds ``-gzip``, see :mod:`.responses`).
        """
        if self._validator is None:
            return None
        digest = hashlib.blake2b(query_string.encode(), digest_size=6).hexdigest()
        return f'W/"kg-{self._validator}-{digest}-{fmt.variant}"'

    def plan(self, request: SparqlRequest, accept: str | None,
             environ: dict) -> tuple[QueryInfo, ResultFormat]:
        """What the query of ``request`` is (after the checks) and the format it is answered
        in, before anything runs."""
        info = self.inspect(request.query or "", environ)
        return info, negotiate(accept, request.format, _KIND_OF_FORM[info.form])

    def run(self, request: SparqlRequest, *, accept: str | None, environ: dict,
            base_iri: str, truncation_link: str) -> Answer:
        """Check, negotiate, evaluate and serialise one query under the time limit."""
        text = request.query or ""
        info, fmt = self.plan(request, accept, environ)
        guard = self.guard
        started = time.monotonic()
        guard.arm(environ)
        try:
            if self.forward is not None:
                body, cut = self.forward(
                    text, fmt, _KIND_OF_FORM[info.form], self.max_results,
                    default_graph=request.default_graph, named_graphs=request.named_graphs,
                    has_dataset_clause=info.has_dataset_clause,
                    truncation_link=truncation_link, timeout=0.9 * self.query_timeout)
            else:
                result = self.store.query(
                    text, default_graph=request.default_graph,
                    named_graphs=request.named_graphs,
                    has_dataset_clause=info.has_dataset_clause, base_iri=base_iri)
                try:
                    body, cut = serialize(result, fmt, self.max_results,
                                          truncation_link=truncation_link,
                                          order=select_star_order(info, text, result))
                except TripleTermsInJsonLd as exc:
                    fmt, body, cut = _in_another_syntax(exc, accept, request.format)
        except KGError:
            raise
        except (RuntimeError, ValueError) as exc:  # e.g. an unsupported function
            raise InputError(f"the query could not be evaluated: {exc}") from None
        except OSError as exc:
            raise KGError(f"the query could not be evaluated: {exc}") from None
        finally:
            guard.disarm()
        if time.monotonic() - started > self.query_timeout:
            raise QueryTimeout(timeout_message(self.query_timeout).strip())
        return Answer(body, fmt, cut, info.volatile)

    def inspect(self, text: str, environ: dict) -> QueryInfo:
        """The query's form, after the checks; a text that is no query raises ParseError.

        Where no form is found, the engine's parser says where the text goes wrong (line and
        column): over an empty store, not the served one (a remote store's would get the text
        sent to it, and any store's would evaluate a query the checks misread), and under the
        time limit, as every parse without a run (:meth:`parse_unrun`): the
        engine evaluates what it parses, an ``ASK`` at once, ``VALUES`` cross products and
        all."""
        info = inspect_query(text, self.max_query_depth)
        if not info.form:
            self.parse_unrun(text, environ)  # raises ParseError with the line and column
            raise ParseError("expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue")
        return info

    def parse_unrun(self, text: str, environ: dict, base_iri: str | None = None) -> None:
        """Raise the :class:`ParseError` a malformed ``text`` gets, parsed by the engine over
        an empty store (:func:`kg.store.check_query_syntax`) under the time limit a query runs
        under: the engine evaluates what it parses (an ``ASK`` at once, ``VALUES`` cross
        products and all). Every parse without a run goes through here (:meth:`inspect`,
        :func:`.responses._parse_checked`)."""
        self.guard.arm(environ)
        try:
            check_query_syntax(text, base_iri)
        finally:
            self.guard.disarm()


def _in_another_syntax(exc: TripleTermsInJsonLd, accept: str | None,
                       named: str | None) -> tuple[ResultFormat, bytes, bool]:
    """A graph JSON-LD cannot write (its triple terms) in the syntax the client accepts next
    (:func:`~kg.endpoint.protocol.without_json_ld`; RFC 9110, 12.5.1: the client's next
    preference, not a 406, where it names one), with whether it was cut; ``exc`` (406) where
    it accepts none."""
    try:
        fmt = negotiate(*without_json_ld(accept, named), GRAPH)
    except NotAcceptable:
        raise exc from None
    return fmt, write_triples(exc.triples, fmt.writer, WRITE_PREFIXES), exc.cut


def per_app(key: str, build):
    """The object ``build(store)`` makes for the current app, made once (thread-safe) and kept
    in ``app.extensions[key]``: indexes and dumps that every request of a worker reuses."""
    from flask import current_app

    slot = current_app.extensions.setdefault(key, {"lock": threading.Lock(), "value": None})
    if slot["value"] is None:
        with slot["lock"]:
            if slot["value"] is None:
                slot["value"] = build(current_app.extensions["kg"].store)
    return slot["value"]
