"""Content codings: gzip where the client accepts it and it pays (RFC 9110, 8.4 and 12.5.3).

Every answer is bytes in memory before it is sent (a query result is bounded by
``max_results``, a page by its resource, a dump is made once per process), so a body is
compressed whole; nothing the endpoint answers is streamed. The dumps, YASGUI's files and the
app's own static files are gzipped once per process and kept (:mod:`.dumps`, :mod:`.ui`).

The choice, made by :func:`choose` from ``Accept-Encoding`` (``x-gzip`` is ``gzip``):

- no ``Accept-Encoding``, or an empty one: no coding (a client that says nothing may not
  decode gzip: ``curl`` without ``--compressed``);
- gzip where its q is above 0 and at least that of ``identity`` (``identity`` not named is
  acceptable, at the lowest preference, unless ``*;q=0`` refuses it);
- only for a text type (:func:`compressible`: text, JSON, XML, the RDF syntaxes), never for
  one that is compressed already, and only for a body of :data:`MIN_SIZE` bytes or more,
  unless ``identity;q=0`` refuses the body as it is;
- ``identity;q=0`` without gzip acceptable: the body as it is, which RFC 9110 (12.5.3)
  prefers to a 406.

A response that may be compressed says ``Vary: Accept-Encoding``. A compressed one has its own
validator, as RFC 9110 (8.8.3) requires of a strong one: a digest of the compressed bytes, or
the route's own ``ETag`` with ``-gzip`` added inside the quotes (:func:`coded_etag`).
"""

from __future__ import annotations

import gzip
import re

__all__ = ["MIN_SIZE", "GZIP", "choose", "compress", "compressible", "coded_etag",
           "with_vary", "weight"]

#: Bodies shorter than this are sent as they are (unless ``identity;q=0``): they fit in one
#: packet either way, and gzip's own header and trailer (18 bytes) eat what it saves.
MIN_SIZE = 1024
GZIP = "gzip"
#: zlib's default level: 6 % larger than level 9 on the dumps, at half the time.
LEVEL = 6

_TEXT_APPLICATION = frozenset({
    "application/json", "application/xml", "application/javascript",
    "application/n-triples", "application/n-quads", "application/trig",
    "application/sparql-query", "application/x-turtle", "image/svg+xml"})


def compressible(content_type: str | None) -> bool:
    """Whether bodies of this type are text that gzip shrinks: ``text/*``, JSON and XML types
    (``…+json``, ``…+xml``: JSON-LD, SPARQL results, RDF/XML) and the RDF syntaxes. Images,
    archives and fonts are compressed already."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return (media.startswith("text/") or media in _TEXT_APPLICATION
            or media.endswith(("+json", "+xml")))


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def weight(value: str) -> float | None:
    """The weight a ``q`` parameter gives (RFC 9110, 12.4.2), for ``Accept`` (every route)
    and ``Accept-Encoding`` alike: a number, held to 0-1 (``q=1.5`` is 1, ``q=-1`` 0); None
    for a value that is no number (``q=abc``, ``q=``, ``q=nan``), which says no preference:
    the parameter is ignored and the range or coding keeps its weight (1, unless another
    ``q`` gave one). It was read as 0, and ``Accept: */*;q=abc`` answered 406."""
    value = value.strip().strip('"')
    if not _NUMBER.fullmatch(value):
        return None
    return min(max(float(value), 0.0), 1.0)


def _weights(accept_encoding: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        coding, *params = part.split(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                q = q if (given := weight(value)) is None else given
        weights[GZIP if coding == "x-gzip" else coding] = q
    return weights


def choose(accept_encoding: str | None, size: int, content_type: str | None) -> str | None:
    """The content coding for a body of ``size`` bytes of ``content_type`` under this
    ``Accept-Encoding``: ``"gzip"``, or None for the body as it is (see the module's rules)."""
    if not accept_encoding or not compressible(content_type):
        return None
    weights = _weights(accept_encoding)
    star = weights.get("*")
    q_gzip = weights.get(GZIP, star if star is not None else 0.0)
    if "identity" in weights:
        q_identity = weights["identity"]
    elif star is not None:
        q_identity = star if star == 0.0 else min(star, 0.001)
    else:
        q_identity = 0.001  # acceptable, but named by nothing: the least wanted
    if q_gzip <= 0.0 or q_gzip < q_identity:
        return None
    if size < MIN_SIZE and q_identity > 0.0:
        return None
    return GZIP


def compress(body: bytes) -> bytes:
    """``body`` gzipped, the same bytes every time (no time stamp), so a digest of them is a
    validator."""
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)


def coded_etag(etag: str, coding: str) -> str:
    """The entity tag of the representation in ``coding``: ``"abc"`` → ``"abc-gzip"``,
    ``W/"abc"`` → ``W/"abc-gzip"``."""
    return etag[:-1] + f'-{coding}"' if etag.endswith('"') else etag


def with_vary(vary: str | None, field: str = "Accept-Encoding") -> str:
    """A ``Vary`` value naming ``field`` too (once)."""
    names = [v.strip() for v in (vary or "").split(",") if v.strip()]
    if not any(v.lower() == field.lower() for v in names):
        names.append(field)
    return ", ".join(names)
