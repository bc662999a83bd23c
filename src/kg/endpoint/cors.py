"""Cross-origin reading: which response fields a browser's script may see.

A module of its own so that :mod:`.caching` (which adds ``ETag``) and :mod:`.responses`
(which adds a 415's ``Accept`` and ``Accept-Encoding``) name fields through one helper:
:mod:`.responses` imports :mod:`.caching`, so the helper cannot live in either.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["EXPOSE", "exposing"]

EXPOSE = "Access-Control-Expose-Headers"


def exposing(exposed: str | None, names: Iterable[str]) -> str:
    """An ``Access-Control-Expose-Headers`` value naming ``names`` too, each once (field names
    compared without regard to case, as HTTP's are)."""
    listed = [v.strip() for v in (exposed or "").split(",") if v.strip()]
    known = {v.lower() for v in listed}
    return ", ".join([*listed, *(n for n in names if n.lower() not in known)])
