"""Shared helpers for the graph tests: the repository's paths and one build per test session."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ARTICLE = SHARED / "sources" / "article-part1.txt"


def project_copy(dest: Path) -> Path:
    """Copy ontology/, graph/ and shapes/ to ``dest`` (so a test can change them) and return it."""
    for name in ("ontology", "graph", "shapes"):
        shutil.copytree(REPO / name, dest / name)
    return dest


def with_one_place(root: Path) -> Path:
    """Make ``root``'s graph/ one labelled place (the ontology and shapes kept): a project that
    builds in seconds with the reference engines, for tests of a path rather than of the
    graph."""
    for path in (root / "graph").glob("*.ttl"):
        path.unlink()
    (root / "graph" / "entities.ttl").write_text(
        "<https://w3id.org/kg1978/place/cambodia> a <https://w3id.org/kg1978/ontology/Country> ;"
        ' <http://www.w3.org/2000/01/rdf-schema#label> "Cambodia"@en .\n', encoding="utf-8")
    return root


def settings_for(root: Path, build_dir: Path | None = None) -> dict:
    from kg.settings import resolve

    return resolve(overrides={"root": root, "build_dir": build_dir or root / "build"}, environ={})


@functools.cache
def built_dataset(build_dir: str) -> Path:
    """Build the real project into ``build_dir`` once per session."""
    from kg.build import build

    return build(settings_for(REPO, Path(build_dir))).dataset

#: How the browser tests start Debian's Chromium: headless, and quiet on the network (the
#: machine's closed network refuses Chromium's background connections).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def loopback_only(route) -> None:
    """A playwright route handler that lets a page reach this machine only."""
    if route.request.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def structured_data(html: bytes) -> dict | None:
    """The JSON-LD of a page's ``<script type="application/ld+json">`` (at most one), or None."""
    import json
    import re

    found = re.findall(rb'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) <= 1, "a page carries one block of structured data"
    return json.loads(found[0]) if found else None


def unused_prefixes(turtle: str) -> list[str]:
    """The prefixes a Turtle or TriG document declares and never writes (``name:`` after the
    declarations, where a prefixed name can start)."""
    import re

    declared = re.findall(r"^@prefix ([\w.-]*):", turtle, re.MULTILINE)
    body = re.sub(r"^@prefix [^\n]*\n", "", turtle, flags=re.MULTILINE)
    return [p for p in declared
            if not re.search(rf"(?:^|[\s(\[,;^]){re.escape(p)}:", body, re.MULTILINE)]


JSON_LD_PROFILE = "http://www.w3.org/ns/json-ld#"


def json_ld_accept(*forms: str, q: str = "") -> str:
    """An ``Accept`` header asking for JSON-LD in these forms (``expanded``, ``compacted``,
    ``flattened``…), as one ``profile`` parameter."""
    profile = " ".join(JSON_LD_PROFILE + f for f in forms)
    return f'application/ld+json; profile="{profile}"' + (f"; q={q}" if q else "")


def is_expanded_json_ld(doc) -> bool:
    """Whether a parsed JSON-LD document is in expanded document form (JSON-LD 1.1, 5.1.1):
    an array of node objects, no context, every key a keyword or an absolute IRI (never a
    prefixed name), every property's values an array of value objects, lists, node
    references or nested node objects."""
    import re

    absolute = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|_:")

    def iri(text) -> bool:
        return isinstance(text, str) and absolute.match(text) is not None

    def node(obj) -> bool:
        if not isinstance(obj, dict) or "@context" in obj:
            return False
        for key, values in obj.items():
            if key == "@id":
                ok = iri(values)
            elif key == "@graph":
                ok = isinstance(values, list) and all(node(v) for v in values)
            elif key == "@type":
                ok = isinstance(values, list) and all(iri(v) for v in values)
            else:
                ok = (iri(key) and isinstance(values, list)
                      and all(isinstance(v, dict) and ("@value" in v or "@list" in v
                                                       or node(v)) for v in values))
            if not ok:
                return False
        return True

    return isinstance(doc, list) and all(node(n) for n in doc)


#: A shape at sh:Warning (on the property shape: SHACL does not pass a node shape's severity
#: down): every event should have a place, which 18 of today's events have not.
WARNING_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kgo: <https://w3id.org/kg1978/ontology/> .
<urn:kg:test:EventPlaced> a sh:NodeShape ; sh:targetClass kgo:Event ;
    sh:property [ sh:path kgo:tookPlaceAt ; sh:minCount 1 ; sh:severity sh:Warning ;
                  sh:message "an event is best placed" ] .
"""


def text_languages(html: str) -> dict[str, set[str]]:
    """Each text of an HTML page (whitespace collapsed) with the languages it is in: the
    ``lang`` of its nearest element that has one (``<html lang>`` for the rest), as a screen
    reader or a hyphenator reads it."""
    from html.parser import HTMLParser

    void = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr", "circle", "line", "rect", "path"}
    found: dict[str, set[str]] = {}

    class Parser(HTMLParser):
        stack: list[tuple[str, str | None]] = []

        def handle_starttag(self, tag, attrs):
            if tag not in void:
                self.stack.append((tag, dict(attrs).get("lang")))

        def handle_startendtag(self, tag, attrs):
            pass

        def handle_endtag(self, tag):
            while self.stack:
                if self.stack.pop()[0] == tag:
                    break

        def handle_data(self, data):
            text = " ".join(data.split())
            if text:
                lang = next((lang for _, lang in reversed(self.stack) if lang is not None), "")
                found.setdefault(text, set()).add(lang)

    parser = Parser()
    parser.stack = []
    parser.feed(html)
    return found


class Canary:
    """An HTTP server on 127.0.0.1 that records every request it gets (``requests``: "GET
    /path") and answers each with a small JSON-LD context, so that a fetch, had one been made,
    would have succeeded: a test that nothing is fetched asserts ``requests == []``. A context
    manager, or ``close()`` it."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                canary.requests.append(f"{self.command} {self.path}")
                body = b'{"@context": {"name": "http://schema.org/name"}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_HEAD = _record

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    def __enter__(self) -> Canary:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
