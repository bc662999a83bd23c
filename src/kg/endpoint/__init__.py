"""The SPARQL 1.1 endpoint: a Flask app factory over an embedded pyoxigraph store.

``create_app(config=None, *, dataset=None)`` builds a fresh app; the store lives in
``app.extensions["kg"]`` (an :class:`~kg.endpoint.state.EndpointState`), routes live in
Blueprints (:mod:`.routes` for ``/sparql``, ``/void``, ``/limits``; :mod:`.ui` for the browser
pages). There is no module-level graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import MultiDict
from werkzeug.utils import cached_property

from kg.endpoint.description import Descriptions
from kg.endpoint.fast import FastPath
from kg.endpoint.protocol import format_values
from kg.endpoint.state import EndpointState
from kg.endpoint.watchdog import QueryGuard
from kg.errors import ConfigError
from kg.settings import SETTINGS, resolve
from kg.store import DatasetStore, ReadOnlyStore

__all__ = ["create_app"]

_SETTING_NAMES = {s.name for s in SETTINGS}


class _Request(Request):
    """Flask's request, reading ``output`` (SPARQLWrapper's name for it, and others') as
    ``format`` on every route: ``format``'s values, then ``output``'s
    (:func:`~kg.endpoint.protocol.format_values`, the ordering queries' formats are read in),
    so a route that reads ``format`` (pages, ``/store``, ``/validate``) tries them in that
    order (:func:`~kg.endpoint.protocol.first_format`)."""

    @cached_property
    def args(self) -> MultiDict[str, str]:
        args = Request.args.fget(self)  # type: ignore[attr-defined]
        if "output" not in args:
            return args
        pairs = list(args.items(multi=True))
        return self.parameter_storage_class(
            [(key, value) for key, value in pairs if key != "format"]
            + [("format", value) for value in format_values(pairs)])


def _built_store(settings: dict[str, Any], log=lambda _: None) -> DatasetStore:
    """The built dataset loaded: ``kg.build.built_store`` (built first where it is missing or
    its inputs changed, read once), else, without kg.build, BUILD_DIR/kg.nq as any file."""
    try:
        from kg.build import built_store
    except ImportError:
        path = Path(settings["build_dir"]) / "kg.nq"
        if not path.is_file():
            raise ConfigError(f"no built dataset at {path}: run `kg build`, or give a "
                              "dataset file (`kg serve --dataset FILE`)") from None
        log(f"loading {path}")
        return DatasetStore.load(path)
    return built_store(settings, log=log)


def create_app(config: Mapping[str, Any] | None = None, *,
               dataset: ReadOnlyStore | str | Path | None = None) -> Flask:
    """A Flask app serving ``dataset`` (a store, or a dataset file to load; default: the
    built graph). ``config`` holds settings (see :mod:`kg.settings`) and Flask config keys;
    ``KG_FAST_PATH: False`` routes queries through Flask alone (see :mod:`.fast`)."""
    config = dict(config or {})
    overrides = {k: config.pop(k) for k in list(config) if k in _SETTING_NAMES}
    settings = resolve(overrides=overrides)
    # a DatasetStore, a kg.remote.RemoteStore, or a file to load
    if dataset is None:
        store = _built_store(settings)
    elif isinstance(dataset, str | Path):
        store = DatasetStore.load(dataset)
    else:
        store = dataset

    from kg.endpoint import (
        caching,
        dumps,
        graphstore,
        openapi,
        pages,
        reconcile,
        responses,
        routes,
        shapes,
        ui,
        validation,
    )

    app = Flask(__name__.rsplit(".", 1)[0], template_folder=str(Path(__file__).parent.parent
                                                                 / "templates"),
                static_folder=None)
    app.request_class = _Request
    # the app's own static files as YASGUI's are served: gzipped once, a tag per coding
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=ui.static_file,
                     methods=["GET"])
    app.config.update(MAX_CONTENT_LENGTH=settings["max_body_bytes"], JSON_SORT_KEYS=False)
    app.config.update(config)
    app.extensions["kg"] = EndpointState(
        store=store,
        settings=settings,
        guard=QueryGuard(settings["query_timeout"]),
        descriptions=Descriptions(store, settings),
        assets_dir=ui.yasgui_dir(Path(settings["root"])),
        examples=ui.load_examples(Path(settings["root"])),
    )
    # registered first, so run last (after_request runs in reverse): on every answer, a 304 too
    app.after_request(responses.with_reason_phrase)
    caching.install(app, settings["cache_max_age"])
    # registered after caching, so run before it: a refused answer gets no validator
    app.after_request(responses.refused_by_accept)
    for blueprint in (routes.bp, ui.bp, pages.bp, dumps.bp, graphstore.bp, openapi.bp,
                      validation.bp, reconcile.bp, shapes.bp):
        app.register_blueprint(blueprint)
    if app.config.get("KG_FAST_PATH", True):
        app.wsgi_app = FastPath(app.wsgi_app, app.extensions["kg"])  # type: ignore[method-assign]
    return app
