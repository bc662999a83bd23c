"""Settings, declared once as data.

Every setting has a name, a default, a type and a help text. Values are resolved in this order,
later winning: defaults -> ``KG_<NAME>`` environment variables -> CLI options -> an explicit
mapping (tests). Nothing else in the package reads ``os.environ``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    type: type
    help: str
    minimum: float | None = None  # for numbers: the accepted range, both ends included
    maximum: float | None = None
    choices: tuple[str, ...] | None = None  # for names: the accepted ones


def _default_root() -> Path:
    """The project folder: the source checkout this package was installed from, else the cwd."""
    here = Path(__file__).resolve().parents[2]
    if (here / "ontology").is_dir() and (here / "graph").is_dir():
        return here
    return Path.cwd()


SETTINGS: tuple[Setting, ...] = (
    Setting("root", None, Path, "Project folder holding ontology/, graph/ and shapes/."),
    Setting("build_dir", None, Path, "Where `kg build` writes the dataset (default ROOT/build)."),
    Setting("reasoner", "fast", str, "OWL 2 RL reasoner of the build: fast (kg.materialise) or "
                                     "owlrl (the reference, slow at scale).",
            choices=("fast", "owlrl")),
    Setting("validator", "fast", str, "SHACL engine of the build, `kg validate` and /validate: "
                                      "fast (kg.shacl_fast, shapes "
                                      "compiled to SPARQL; pySHACL for shapes it does not "
                                      "compile) or pyshacl (the reference).",
            choices=("fast", "pyshacl")),
    Setting("host", "127.0.0.1", str, "Address `kg serve` binds."),
    Setting("port", 8000, int, "Port `kg serve` binds.", 0, 65535),
    Setting("workers", 2, int, "Query worker processes of `kg serve`.", 1),
    Setting("query_timeout", 10.0, float, "Seconds a query may run before it is stopped (503).",
            0),
    Setting("request_timeout", 10.0, float, "Seconds `kg serve` gives a client to send its whole "
                                            "request (408 beyond) and to take each write of the "
                                            "answer (at least 1).", 0),
    Setting("max_results", 10000, int, "Most rows/triples a query returns; more is cut and said.",
            0),
    Setting("max_body_bytes", 1_048_576, int, "Largest request body accepted (413 beyond).", 0),
    Setting("max_query_depth", 200, int, "Deepest bracket nesting accepted in a query (400).",
            1),
    Setting("max_upload_bytes", 1_048_576, int, "Largest file POST /validate accepts "
                                                "(413 beyond).", 0),
    Setting("max_upload_triples", 6000, int, "Most triples POST /validate reasons over "
                                             "(413 beyond).", 0),
    Setting("max_upload_nesting", 64, int, "Deepest nesting of brackets, JSON or XML elements "
                                           "accepted in an upload (400).", 1),
    Setting("validation_timeout", 60.0, float, "Seconds POST /validate may reason and validate, in "
                                               "a separate process (503 beyond); 0: in process, "
                                               "no limit.", 0),
    Setting("max_reconcile_batch", 100, int, "Most queries or ids in one reconciliation request "
                                             "(413 beyond).", 1),
    Setting("cache_max_age", 0, int, "Seconds browsers and proxies may reuse a GET answer "
                                     "without asking again (Cache-Control max-age); 0: they "
                                     "ask each time, and a matching ETag gets 304.", 0),
    Setting("store_url", None, str, "SPARQL query endpoint of a remote store: `kg serve --store` "
                                    "forwards queries to it; `kg publish` counts on it."),
    Setting("store_user", None, str, "User name for the remote store (HTTP Basic or Digest); "
                                     "set it as KG_STORE_USER."),
    Setting("store_password", None, str, "Password for the remote store; set it as "
                                         "KG_STORE_PASSWORD, never on the command line."),
    Setting("store_timeout", 300.0, float, "Seconds `kg publish` (and the start-up queries of "
                                           "`kg serve --store`) wait for each request to the "
                                           "remote store.", 0.1),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
    if value is None:
        return value
    if not isinstance(value, setting.type):
        try:
            value = setting.type(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"{origin}: {setting.name} must be {setting.type.__name__}: {value!r}") from exc
    if setting.choices is not None and value not in setting.choices:
        raise ConfigError(f"{origin}: {setting.name} must be one of "
                          f"{', '.join(setting.choices)}: {value!r}")
    low, high = setting.minimum, setting.maximum
    if low is not None or high is not None:
        if not math.isfinite(value) or (low is not None and value < low) or (
                high is not None and value > high):
            wanted = (f"between {low:g} and {high:g}" if low is not None and high is not None
                      else f"at least {low:g}" if low is not None else f"at most {high:g}")
            wanted = wanted if math.isfinite(value) else f"a finite number, {wanted}"
            raise ConfigError(f"{origin}: {setting.name} must be {wanted}: {value!r}")
    return value


def resolve(
    cli: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return every setting's value: defaults, then environment, then CLI, then overrides."""
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    for s in SETTINGS:
        env = environ.get(f"KG_{s.name.upper()}")
        if env is not None and env != "":
            values[s.name] = _coerce(s, env, f"environment KG_{s.name.upper()}")
    for origin, layer in (("option", cli), ("setting", overrides)):
        for key, value in (layer or {}).items():
            if key not in _BY_NAME:
                raise ConfigError(f"unknown setting: {key}")
            if value is not None:
                # the option as typed (--query-timeout), so that its user knows which it was
                where = f"option --{key.replace('_', '-')}" if origin == "option" else origin
                values[key] = _coerce(_BY_NAME[key], value, where)
    if values["root"] is None:
        values["root"] = _default_root()
    values["root"] = Path(values["root"]).resolve()
    if values["build_dir"] is None:
        values["build_dir"] = values["root"] / "build"
    values["build_dir"] = Path(values["build_dir"]).resolve()
    return values
