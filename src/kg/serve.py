"""``kg serve``: the endpoint behind gunicorn, a production WSGI server.

- The dataset is loaded once, in gunicorn's parent process (``preload_app``); workers are forked
  from it and share the store's memory copy-on-write. A worker that is replaced is re-forked in
  about a second without reloading anything.
- Each worker runs one query at a time (:class:`OneQueryThreadWorker`, gunicorn's ``gthread``
  with one thread: keep-alive connections are held cheaply, a query never shares its process
  with another one, and a busy worker leaves new connections to idle ones) and has a
  :class:`~kg.endpoint.watchdog.Watchdog`: past ``query_timeout`` the client gets a 503 and the
  worker process ends, which really stops the query (pyoxigraph cannot be interrupted).
- Every request is logged (gunicorn's access log, on stderr, with its duration in ms).
- SIGTERM stops gracefully (requests in flight may finish), SIGINT at once; both exit 0.
- ``--port 0`` binds a free port; the line ``kg serve: listening on http://HOST:PORT/`` says
  which, once the server accepts connections.

Defaults (see :mod:`kg.settings`): host 127.0.0.1, port 8000, 2 workers, query_timeout 10 s.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from kg.endpoint.watchdog import Watchdog

__all__ = ["serve", "gunicorn_options", "OneQueryThreadWorker"]


class OneQueryThreadWorker(ThreadWorker):
    """gunicorn's ``gthread`` worker (one thread) that accepts no new connection while it runs
    a request.

    The stock worker keeps accepting while its thread is busy: a new client would then wait
    behind a long query although another worker is idle, and be dropped if the watchdog ends
    this worker. Here a busy worker leaves new connections to the others (or to the kernel's
    backlog), and still keeps its idle keep-alive connections.
    """

    _busy = 0

    def enqueue_req(self, conn) -> None:
        self._busy += 1
        self.set_accept_enabled(False)
        super().enqueue_req(conn)

    def finish_request(self, conn, fs) -> None:
        self._busy -= 1
        try:
            super().finish_request(conn, fs)
        finally:
            if self.alive:
                self.set_accept_enabled(True)

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled and not self._busy)

#: Parser threads get a large stack: with pyoxigraph's recursive parser, a thread's default
#: stack is what limits nesting (the depth check refuses deep queries long before that).
_THREAD_STACK = 64 * 1024 * 1024


def gunicorn_options(settings: dict[str, Any]) -> dict[str, Any]:
    """The gunicorn configuration of ``kg serve`` for these settings."""
    host = settings["host"]
    bind = f"[{host}]:{settings['port']}" if ":" in host else f"{host}:{settings['port']}"
    timeout = settings["query_timeout"]
    return {
        "bind": [bind],
        "workers": max(1, settings["workers"]),
        "worker_class": "kg.serve.OneQueryThreadWorker",
        "threads": 1,
        "preload_app": True,
        # The watchdog answers at query_timeout; gunicorn's own timeout is only a backstop.
        "timeout": int(max(30, 2 * timeout + 5)),
        "graceful_timeout": int(min(max(timeout, 1) + 1, 30)),
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"',
        "limit_request_line": 8190,
        "worker_tmp_dir": "/dev/shm" if Path("/dev/shm").is_dir() else None,
        "proc_name": "kg-serve",
    }


def _ready_line(server) -> None:
    for listener in server.LISTENERS:
        host, port = listener.sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        print(f"kg serve: listening on http://{shown}:{port}/ (SPARQL at /sparql)",
              file=sys.stderr, flush=True)


def serve(settings: dict[str, Any], *, dataset: str | Path | None = None) -> int:
    """Serve the built graph (building it if needed), or ``dataset``, until stopped."""
    from gunicorn.app.base import BaseApplication

    from kg.endpoint import create_app
    from kg.store import DatasetStore

    if dataset is None:
        from kg.endpoint import _dataset_path

        dataset = _dataset_path(
            settings, log=lambda line: print(f"kg serve: {line}", file=sys.stderr, flush=True))
    print(f"kg serve: loading {dataset}", file=sys.stderr, flush=True)
    store = DatasetStore.load(dataset)
    app = create_app(settings, dataset=store)
    state = app.extensions["kg"]
    state.descriptions.stats()  # computed once here, before the workers are forked
    from kg.endpoint import dumps, pages

    with app.app_context():  # the page indexes and the dumps, likewise built once
        pages.site()
        dumps.dumps().all()
    print(f"kg serve: {len(store)} quads in {len(store.named_graphs)} named graphs",
          file=sys.stderr, flush=True)
    threading.stack_size(_THREAD_STACK)
    timeout = settings["query_timeout"]

    def post_fork(server, worker) -> None:
        state.guard = Watchdog(timeout)

    class _Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in gunicorn_options(settings).items():
                if value is not None:
                    self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn >= 25 opens a control socket in $HOME by default; one per server
                # would collide between servers started side by side (tests).
                self.cfg.set("control_socket_disable", True)
            self.cfg.set("post_fork", post_fork)
            self.cfg.set("when_ready", _ready_line)

        def load(self):
            return app

    try:
        _Application().run()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
