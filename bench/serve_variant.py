"""Run ``kg serve`` with some gunicorn options changed, to measure what they cost.

Used by ``run.py --kg-variant NAME``; the endpoint code itself is untouched (the options
function is wrapped in this process only).

    .venv/bin/python bench/serve_variant.py no-accesslog serve --dataset FILE --port 8001
"""

from __future__ import annotations

import sys

#: Option overrides per variant name (None removes the option: gunicorn's default applies).
VARIANTS: dict[str, dict] = {
    "as-is": {},
    "no-accesslog": {"accesslog": None},
    "gthread": {"worker_class": "gthread", "threads": 1},
    "gthread-no-accesslog": {"worker_class": "gthread", "threads": 1, "accesslog": None},
    "sync": {"worker_class": "sync"},
    "sync-no-accesslog": {"worker_class": "sync", "accesslog": None},
}

#: Worker attribute overrides per variant name.
ATTRIBUTES: dict[str, dict] = {"pool-thread": {"inline": False},
                               "pool-thread-gunicorn-log": {"inline": False}}
#: Variants with gunicorn's own access log formatting (not kg.serve.AccessLogger's).
NO_FAST_LOG = {"gunicorn-log", "pool-thread-gunicorn-log"}
VARIANTS.update({name: {} for name in (*ATTRIBUTES, *NO_FAST_LOG)})


def main(argv: list[str]) -> int:
    name, rest = argv[0], argv[1:]
    overrides = VARIANTS[name]
    import kg.serve

    original = kg.serve.gunicorn_options

    def options(settings):
        opts = original(settings)
        for key, value in overrides.items():
            if value is None:
                opts.pop(key, None)
            else:
                opts[key] = value
        return opts

    kg.serve.gunicorn_options = options
    for attribute, value in ATTRIBUTES.get(name, {}).items():
        setattr(kg.serve.OneQueryThreadWorker, attribute, value)
    if name in NO_FAST_LOG:
        opts_logger = kg.serve.AccessLogger
        kg.serve.AccessLogger.access = opts_logger.__mro__[1].access
    from kg.cli import main as kg_main

    return kg_main(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
