"""Fixtures shared by the test modules. Each gives what its name says."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kgtest import REPO, built_dataset


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    """The project built once per session into a temporary folder (never the user's build/)."""
    return built_dataset(str(tmp_path_factory.mktemp("build")))


@pytest.fixture(scope="session")
def built_app(dataset: Path):
    """An app serving the built dataset with this checkout as its project; read-only."""
    from kg.endpoint import create_app

    return create_app({"root": REPO, "build_dir": dataset.parent}, dataset=dataset)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shapes():
    """The project's shapes (shapes/*.ttl) as one rdflib Graph; read-only."""
    from kg.load import load_shapes

    return load_shapes(REPO)


@pytest.fixture(scope="session")
def ontology():
    """The ontology graph (ontology/*.ttl) as the build reads it; read-only."""
    from kg.iris import ONTOLOGY_GRAPH
    from kg.load import load_sources

    return load_sources(REPO).graphs[ONTOLOGY_GRAPH]


@pytest.fixture()
def validated_once(monkeypatch):
    """``kg validate`` validates each input once: a test that prints one report in several
    formats runs the command for each (its dispatch and its format), and the validation itself
    (pySHACL's takes seconds) only when the project's files (ontology/, graph/, shapes/ and
    build/ of the ``--root``), the inputs or the settings changed. The built dataset (no
    input files) is validated each time."""
    import hashlib

    import kg.validate as kv

    real, reports = kv.validate_files, {}

    def once(settings, files, log=None, stand_in=False):
        if not files:
            return real(settings, files, log=log, stand_in=stand_in)
        # every file of the project and every input, by path and bytes, and every setting: a
        # change to any of them validates again (a report reused prints no log lines)
        root = Path(settings["root"])
        project = sorted(p for folder in ("ontology", "graph", "shapes", "build")
                         for p in (root / folder).rglob("*") if p.is_file())
        digest = hashlib.sha256()
        for path in project + [Path(f) for f in files]:
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
        key = (digest.hexdigest(), repr(sorted(settings.items())), tuple(map(str, files)),
               stand_in)
        if key not in reports:
            reports[key] = real(settings, files, log=log, stand_in=stand_in)
        return reports[key]

    monkeypatch.setattr(kv, "validate_files", once)
    return reports


# -- the SPARQL endpoint (store, app, served process, W3C data, browser) -------------------
# Generic fixtures: a test module that needs a served endpoint, the W3C suites or Chromium asks
# for them by name; nothing here knows a particular test.

ENDPOINT_DATA = Path(__file__).parent / "data" / "endpoint"
TINY_DATASET = ENDPOINT_DATA / "tiny.trig"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repository (W3C suites, sources); skips where it is absent."""
    path = REPO.parent / "shared"
    if not path.is_dir():
        pytest.skip(f"{path} is absent (the shared folder is laid beside the repository)")
    return path


@pytest.fixture(scope="session")
def w3c_dir(shared_dir: Path) -> Path:
    """The W3C SPARQL 1.1 test suites (``shared/w3c/sparql11``)."""
    path = shared_dir / "w3c" / "sparql11"
    if not path.is_dir():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(scope="session")
def tiny_store():
    """A small read-only store in the shape of the built graph (tests/data/endpoint)."""
    from kg.store import DatasetStore

    return DatasetStore.load(TINY_DATASET)


@pytest.fixture
def make_app(tmp_path: Path, tiny_store):
    """Build an endpoint app: ``make_app(settings..., dataset=..., root=...)``; by default over
    the tiny store, with a root that has no YASGUI and no example files."""
    from kg.endpoint import create_app

    def make(config: dict | None = None, *, dataset=None, **settings):
        merged = {"root": tmp_path, **(config or {}), **settings}
        return create_app(merged, dataset=tiny_store if dataset is None else dataset)

    return make


@pytest.fixture
def app(make_app):
    """A fresh endpoint app over the tiny store."""
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class ServedEndpoint:
    """A ``kg serve`` process: its URL, and its output lines as they come."""

    process: subprocess.Popen
    url: str = ""
    lines: list[str] = field(default_factory=list)
    _queue: queue.Queue = field(default_factory=queue.Queue)
    _reader: threading.Thread | None = None

    def close(self) -> None:
        """After the process ended: finish reading its output and close the pipe."""
        if self._reader is not None:
            self._reader.join(timeout=30)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        """Block until an output line containing ``text`` arrives (or fail after ``timeout``)."""
        for line in self.lines:
            if text in line:
                return line
        while True:
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no line with {text!r}; log so far:\n"
                                     + "".join(self.lines)) from None
            if line is None:
                raise AssertionError(f"the server ended before {text!r}; log:\n"
                                     + "".join(self.lines))
            if text in line:
                return line

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.close()
        return code


def _pump(stream, served: ServedEndpoint) -> None:
    for line in iter(stream.readline, ""):
        served.lines.append(line)
        served._queue.put(line)
    served._queue.put(None)


def start_kg_serve(root: Path, *args: str, env: dict | None = None) -> ServedEndpoint:
    """Start ``kg serve --port 0`` (a free port on 127.0.0.1) and wait until it listens; the
    caller stops it (:meth:`ServedEndpoint.stop`)."""
    cmd = [sys.executable, "-m", "kg.cli", "--root", str(root), "serve",
           "--host", "127.0.0.1", "--port", "0", *args]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    environment.update(env or {})
    # stdout (gunicorn's request log) and stderr (everything else), as one stream.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=environment, start_new_session=True)
    served = ServedEndpoint(proc)
    served._reader = threading.Thread(target=_pump, args=(proc.stdout, served), daemon=True)
    served._reader.start()
    try:
        line = served.wait_for("kg serve: listening on ")
    except AssertionError:
        _terminate(served)
        raise
    served.url = line.split("listening on ", 1)[1].split()[0].rstrip("/")
    return served


def _terminate(served: ServedEndpoint) -> None:
    if served.process.poll() is None:
        try:
            os.killpg(served.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            served.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(served.process.pid, signal.SIGKILL)
            served.process.wait()
    served.close()


@pytest.fixture
def serve_kg(tmp_path: Path) -> Iterator:
    """``serve_kg(*options)``: a ``kg serve`` process for this test, stopped at its end."""
    started: list[ServedEndpoint] = []

    def start(*args: str, env: dict | None = None) -> ServedEndpoint:
        served = start_kg_serve(tmp_path, *args, env=env)
        started.append(served)
        return served

    yield start
    for served in started:
        _terminate(served)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium (never a downloaded browser); skips where there is none."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or "",
                      shutil.which("chromium-browser") or ""):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.skip("no Chromium found (/usr/bin/chromium): apt-get install chromium")


def pytest_terminal_summary(terminalreporter) -> None:
    """Name the shape fixtures whose recorded pySHACL report was stale (pySHACL ran for them,
    tests/test_shacl_fast.py::test_fixture_same_results), with the command that records them
    again (tests/pyshacl_records.py)."""
    stale = sorted({value for reports in terminalreporter.stats.values() for report in reports
                    for name, value in getattr(report, "user_properties", ())
                    if name == "stale_pyshacl_record"})
    if stale:
        terminalreporter.write_line(
            f"pySHACL ran for {len(stale)} shape fixture(s) whose record is stale or missing "
            f"({', '.join(stale[:5])}{', …' if len(stale) > 5 else ''}): record them again "
            "with `.venv/bin/python tests/pyshacl_records.py`", yellow=True)
