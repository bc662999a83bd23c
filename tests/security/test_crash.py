"""Crash and restart: killing a worker mid-query, or the whole server, loses nothing, and the
next start serves the same dataset (same kg.nq bytes, same build-info.json digest, same
answers); a failed build never replaces the last good dataset. (``tests/test_build.py`` checks
the build function itself on a parse error, a SHACL violation and an inconsistency; here it is
``kg serve`` that meets the broken input.)"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from kgtest import REPO, project_copy

from .conftest import COUNT_QUADS, start_attacked_server, stop_server

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
PROBE = ("SELECT ?label WHERE { <https://w3id.org/kg1978/place/phnom-penh> "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label")


@pytest.fixture(scope="module")
def build_dir(dataset: Path, tmp_path_factory) -> Path:
    """A copy of the session's build, so that killing and restarting touches nothing shared."""
    target = tmp_path_factory.mktemp("crash") / "build"
    shutil.copytree(dataset.parent, target)
    return target


def _fingerprint(build_dir: Path) -> tuple[str, str]:
    return (hashlib.sha256((build_dir / "kg.nq").read_bytes()).hexdigest(),
            json.loads((build_dir / "build-info.json").read_text())["dataset_sha256"])


def _answers(server) -> tuple[str, bytes]:
    count = server.query(COUNT_QUADS)
    probe = server.query(PROBE)
    assert count.status == 200 and probe.status == 200
    return count.json()["results"]["bindings"][0]["n"]["value"], probe.body


def _busy_worker(server, timeout: float = 10.0) -> int:
    """The worker whose CPU time grows: the one running the endless query."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        first = {p: _cpu(p) for p in server.workers()}
        time.sleep(0.3)
        grown = [(_cpu(p) - t, p) for p, t in first.items()]
        best = max(grown, default=(0, 0))
        if best[0] > 5:  # clock ticks
            return best[1]
    raise AssertionError("no worker is running the query")


def _cpu(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def test_killing_a_worker_mid_query_loses_nothing(build_dir):
    before = _fingerprint(build_dir)
    server = start_attacked_server(build_dir, query_timeout=30)
    try:
        expected = _answers(server)
        outcome = {}
        thread = threading.Thread(target=lambda: outcome.setdefault("reply", _try(
            server, "/sparql?query=" + quote(ENDLESS))))
        thread.start()
        victim = _busy_worker(server)
        os.kill(victim, signal.SIGKILL)
        thread.join(timeout=30)
        assert not thread.is_alive()
        reply = outcome["reply"]  # the client sees the connection end, never a hang
        assert reply is None or reply.status >= 500
        assert _answers(server) == expected
        server.served.wait_for("Booting worker", timeout=30)
        for _ in range(4):
            assert _answers(server) == expected
        assert victim not in server.workers()
        assert server.alive()
    finally:
        stop_server(server)
    assert _fingerprint(build_dir) == before


def _try(server, path):
    try:
        return server.request("GET", path, timeout=40)
    except OSError:
        return None


def test_killing_the_whole_server_then_restarting_serves_the_same_dataset(build_dir):
    before = _fingerprint(build_dir)
    server = start_attacked_server(build_dir, query_timeout=30)
    try:
        expected = _answers(server)
        thread = threading.Thread(target=_try, args=(server, "/sparql?query=" + quote(ENDLESS)))
        thread.start()
        _busy_worker(server)
        os.killpg(server.served.process.pid, signal.SIGKILL)  # parent and workers at once
        server.served.process.wait(timeout=30)
        thread.join(timeout=30)
    finally:
        stop_server(server)
    assert _fingerprint(build_dir) == before
    again = start_attacked_server(build_dir)
    try:
        assert not any("reasoning" in line for line in again.served.lines), "rebuilt needlessly"
        assert _answers(again) == expected
    finally:
        stop_server(again)
    assert _fingerprint(build_dir) == before


def test_a_failed_build_never_replaces_the_last_good_dataset(build_dir, tmp_path):
    root = project_copy(tmp_path / "project")
    shutil.copytree(build_dir, root / "build")
    before = (root / "build" / "kg.nq").read_bytes()
    info = (root / "build" / "build-info.json").read_bytes()
    names = sorted(p.name for p in (root / "build").iterdir())
    assert {"build-info.json", "kg.nq"} <= set(names)
    article = root / "graph" / "article-part1.ttl"
    article.write_text(article.read_text(encoding="utf-8") + "\n<broken> turtle here\n",
                       encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    run = subprocess.run([sys.executable, "-m", "kg.cli", "--root", str(root), "serve",
                          "--port", "0"], capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 2, run.stderr
    assert "article-part1.ttl:" in run.stderr and "Traceback" not in run.stderr
    assert (root / "build" / "kg.nq").read_bytes() == before
    assert (root / "build" / "build-info.json").read_bytes() == info
    assert sorted(p.name for p in (root / "build").iterdir()) == names  # nothing left over
    assert REPO != root
