"""Paths and CORS: traversal (plain, encoded, double-encoded) in every static and resource
route serves nothing outside the app's own files; no debugger, .git or source file is
reachable; any origin may read, none with credentials."""

from __future__ import annotations

import pytest

from .conftest import assert_no_leak

#: Text from files outside what the app serves: if any of it shows, a traversal worked.
OUTSIDE = ("root:x:0:0", "[project]", "def create_app", "import ", "[core]",
           "repositoryformatversion", "PRIVATE KEY", "ref: refs/heads")
TRAVERSALS = [
    "../../../../../../etc/passwd", "..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "..%252f..%252f..%252fpyproject.toml", "....//....//....//etc/passwd",
    "..\\..\\..\\..\\etc\\passwd", "..%5c..%5c..%5cpyproject.toml",
    "%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "..%00/etc/passwd", "/etc/passwd",
    "%2fetc%2fpasswd", "../../../pyproject.toml", "../../endpoint/__init__.py",
    "../kg/serve.py", "..%2fendpoint%2f__init__.py", "../../../.git/config",
    "..;/..;/pyproject.toml", "%2e%2e%2f%2e%2e%2f%2e%2e%2f.git%2fHEAD",
]
PREFIXES = ["/static/", "/assets/yasgui/", "/dumps/", "/place/", "/graph/", "/", "/reconcile/",
            "/reconcile/preview?id=", "/dataset?format=", "/validate?filename=",
            "/sparql?query="]


def test_traversal_serves_nothing_outside_the_app(server):
    seen = 0
    for prefix in PREFIXES:
        for attack in TRAVERSALS:
            reply = server.request("GET", prefix + attack)
            seen += 1
            assert reply.status != 200 or prefix.endswith("=") or prefix in ("/", "/place/"), (
                prefix + attack, reply.status, reply.text[:200])
            for sign in OUTSIDE:
                assert sign not in reply.text, (prefix + attack, reply.text[:300])
            assert_no_leak(reply)
    assert seen == len(PREFIXES) * len(TRAVERSALS)


@pytest.mark.parametrize("path", [
    "/.git/config", "/.git/HEAD", "/.env", "/pyproject.toml", "/src/kg/serve.py",
    "/kg/serve.py", "/serve.py", "/static/../serve.py", "/static/%2e%2e/settings.py",
    "/templates/index.html", "/build/kg.nq", "/build/build-info.json", "/console",
    "/__debugger__?cmd=resource&f=debugger.js", "/?__debugger__=yes&cmd=resource&f=style.css",
    "/static/style.css/../../endpoint/routes.py", "/server-status", "/.well-known/../.git/HEAD",
])
def test_no_debugger_git_or_source_is_reachable(server, path):
    reply = server.request("GET", path)
    assert reply.status in (404, 400, 405) or (
        reply.status == 200 and "text/html" in reply.content_type and path.startswith("/?")), (
        path, reply.status, reply.text[:200])
    for sign in OUTSIDE + ("Werkzeug Debugger", "CONSOLE_MODE", "debugger.js"):
        assert sign not in reply.text, (path, reply.text[:300])
    assert "werkzeug" not in reply.headers.get("server", "").lower()


def test_the_app_own_static_files_are_served(server):
    assert server.get("/static/style.css").status == 200


CORS_ROUTES = ["/sparql?query=ASK%7B%7D", "/sparql", "/void", "/limits", "/dataset?format=ttl",
               "/dumps/kg.nq", "/place/phnom-penh?format=ttl", "/reconcile",
               "/reconcile/suggest/entity?prefix=ph", "/openapi.json",
               "/sparql?query=SELEC"]


@pytest.mark.parametrize("path", CORS_ROUTES)
def test_any_origin_may_read_none_with_credentials(server, path):
    origin = "https://attacker.example"
    reply = server.request("GET", path, headers={"Origin": origin, "Cookie": "session=1"})
    assert reply.headers.get("access-control-allow-origin") == "*", (path, reply.headers)
    assert reply.headers.get("access-control-allow-credentials", "false") != "true"
    assert origin not in reply.headers.values()
    assert "set-cookie" not in reply.headers


@pytest.mark.parametrize("path", ["/sparql", "/reconcile", "/validate"])
def test_preflight_allows_reading_without_credentials(server, path):
    origin = "https://attacker.example"
    reply = server.request("OPTIONS", path, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert reply.status in (200, 204), reply.text
    assert reply.headers.get("access-control-allow-origin") == "*"
    assert reply.headers.get("access-control-allow-credentials", "false") != "true"
    assert origin not in reply.headers.values()
    server.assert_trivial_query_answers()
