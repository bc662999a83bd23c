"""Server-side requests: nothing a client sends makes the server fetch anything. A canary HTTP
server on 127.0.0.1 records every request it gets (it must get none), and a local file with a
unique marker must never show up in a response."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from .conftest import (
    SECRET_MARKER,
    assert_clear_client_error,
    assert_no_leak,
    start_attacked_server,
    stop_server,
)


@pytest.fixture(scope="module")
def server(dataset):
    """The attacked server, with time for validation: these tests ask whether an upload's
    remote references are followed, not how long reasoning may take (test_exhaustion does),
    and on a loaded machine a 4 s limit stopped a small upload's validation with a 503."""
    srv = start_attacked_server(dataset.parent, env={"KG_VALIDATION_TIMEOUT": "60"})
    try:
        yield srv
    finally:
        stop_server(srv)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def attempts(server, canary, secret_file):
    """Every outbound attempt, sent once; each test then checks its part of the replies."""
    c, secret = canary.url, secret_file.as_uri()
    replies = {}

    def send(name, method, path, body=None, headers=None):
        replies[name] = server.request(method, path, body, headers)

    q = lambda text: "/sparql?query=" + quote(text)  # noqa: E731
    # SPARQL
    send("service", "GET", q(f"SELECT * WHERE {{ SERVICE <{c}/service> {{ ?s ?p ?o }} }}"))
    send("service-silent", "GET", q(f"SELECT * WHERE {{ SERVICE SILENT <{c}/silent> {{ ?s ?p ?o }} }}"))
    send("service-variable", "GET", q(f"SELECT * WHERE {{ BIND(<{c}/var> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}"))
    send("service-values", "GET", q(f"SELECT * WHERE {{ VALUES ?e {{ <{c}/values> }} SERVICE SILENT ?e {{ ?s ?p ?o }} }}"))
    send("service-lowercase", "POST", "/sparql", f"select * {{ service <{c}/lower> {{ ?s ?p ?o }} }}",
         {"Content-Type": "application/sparql-query"})
    send("service-prefixed", "GET", q(f"PREFIX c: <{c}/> SELECT * WHERE {{ SERVICE c:pref {{ ?s ?p ?o }} }}"))
    send("service-comment", "GET", q(f"SELECT * WHERE {{ SERVICE#x\n<{c}/comment> {{ ?s ?p ?o }} }}"))
    send("from", "GET", q(f"SELECT * FROM <{c}/from> WHERE {{ ?s ?p ?o }}"))
    send("from-named", "GET", q(f"SELECT * FROM NAMED <{c}/named> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"))
    send("graph-iri", "GET", q(f"SELECT * WHERE {{ GRAPH <{c}/graph> {{ ?s ?p ?o }} }}"))
    send("default-graph-uri", "GET", q("SELECT * WHERE { ?s ?p ?o }") + "&default-graph-uri=" + quote(f"{c}/dgu"))
    send("named-graph-uri", "GET", q("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }") + "&named-graph-uri=" + quote(f"{c}/ngu"))
    send("describe", "GET", q(f"DESCRIBE <{c}/describe>"))
    send("construct-from", "GET", q(f"CONSTRUCT {{ ?s ?p ?o }} FROM <{c}/cfrom> WHERE {{ ?s ?p ?o }}"))
    send("from-file", "GET", q(f"SELECT * FROM <{secret}> WHERE {{ ?s ?p ?o }}"))
    send("from-named-file", "GET", q(f"SELECT * FROM NAMED <{secret}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"))
    send("dgu-file", "GET", q("SELECT * WHERE { ?s ?p ?o }") + "&default-graph-uri=" + quote(secret))
    send("base-file", "GET", q(f"BASE <{secret}> SELECT * FROM <> WHERE {{ ?s ?p ?o }}"))
    send("load", "GET", q(f"LOAD <{c}/load>"))
    send("load-update-param", "POST", "/sparql", "update=" + quote(f"LOAD <{c}/load2>"), FORM)
    send("load-update-body", "POST", "/sparql", f"LOAD SILENT <{c}/load3> INTO GRAPH <x:g>",
         {"Content-Type": "application/sparql-update"})
    send("load-file", "POST", "/sparql", "update=" + quote(f"LOAD <{secret}>"), FORM)
    send("form-service", "GET", "/form?query=" + quote(f"SELECT * WHERE {{ SERVICE <{c}/form> {{ ?s ?p ?o }} }}"))
    # JSON-LD uploads with remote contexts
    jsonld = {"Content-Type": "application/ld+json"}
    for name, doc in {
        "jsonld-context": {"@context": f"{c}/ctx", "@id": "http://x/a", "name": "n"},
        "jsonld-context-list": {"@context": [{"n": "http://x/n"}, f"{c}/ctx-list"], "@id": "http://x/a"},
        "jsonld-context-nested": {"@context": {"@context": f"{c}/ctx-nested"}, "@id": "http://x/a"},
        "jsonld-scoped": {"@context": {"p": {"@id": "http://x/p", "@context": f"{c}/ctx-scoped"}},
                          "@id": "http://x/a", "p": {"@id": "http://x/b"}},
        "jsonld-embedded": {"@id": "http://x/a", "http://x/p": {"@context": f"{c}/ctx-embedded", "@id": "http://x/b"}},
        "jsonld-import": {"@context": {"@import": f"{c}/import", "@version": 1.1}, "@id": "http://x/a"},
        "jsonld-file-context": {"@context": secret, "@id": "http://x/a"},
        "jsonld-relative": {"@context": "ctx.jsonld", "@id": "http://x/a"},
    }.items():
        send(name, "POST", "/validate", json.dumps(doc), jsonld)
        send(name + "-base", "POST", f"/validate?filename={quote(c)}%2Fx.jsonld", json.dumps(doc), jsonld)
    # XML external entities
    rdf = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://x/"'
    xml = {"Content-Type": "application/rdf+xml"}
    for name, doc in {
        "xxe-file": f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{secret}">]>'
                    f'<rdf:RDF {rdf}><rdf:Description rdf:about="http://x/a"><e:p>&x;</e:p>'
                    '</rdf:Description></rdf:RDF>',
        "xxe-http": f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{c}/xxe">]>'
                    f'<rdf:RDF {rdf}><rdf:Description rdf:about="http://x/a"><e:p>&x;</e:p>'
                    '</rdf:Description></rdf:RDF>',
        "xxe-dtd": f'<?xml version="1.0"?><!DOCTYPE rdf:RDF SYSTEM "{c}/dtd"><rdf:RDF {rdf}/>',
        "xxe-parameter": f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{c}/param"> %p;]>'
                         f'<rdf:RDF {rdf}/>',
        "xinclude": f'<rdf:RDF {rdf} xmlns:xi="http://www.w3.org/2001/XInclude">'
                    f'<xi:include href="{secret}" parse="text"/></rdf:RDF>',
        "xml-stylesheet": f'<?xml-stylesheet href="{c}/xsl"?><rdf:RDF {rdf}/>',
    }.items():
        send(name, "POST", "/validate", doc, xml)
    # Turtle that names remote things: owl:imports, shapes that would reach out
    ttl = {"Content-Type": "text/turtle"}
    send("owl-imports", "POST", "/validate",
         f"<http://x/o> a <http://www.w3.org/2002/07/owl#Ontology> ; "
         f"<http://www.w3.org/2002/07/owl#imports> <{c}/imports>, <{secret}> .", ttl)
    send("user-shapes", "POST", "/validate", f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://x/S> a sh:NodeShape ; sh:targetNode <http://x/a> ;
            sh:sparql [ sh:select "SELECT $this WHERE {{ SERVICE <{c}/shape> {{ ?a ?b ?c }} }}" ] ;
            sh:shapesGraph <{c}/shapes-graph> .
        <http://x/a> a <http://x/C> ; <http://www.w3.org/2002/07/owl#imports> <{c}/imp2> .
        <{c}/shapes-graph> a sh:ShapesGraph .
    """, ttl)
    send("turtle-base-file", "POST", "/validate", f"@base <{secret}> . <> <http://x/p> <a> .", ttl)
    send("multipart-remote-name", "POST", "/validate",
         f'--b\r\nContent-Disposition: form-data; name="file"; filename="{c}/x.ttl"\r\n'
         'Content-Type: text/turtle\r\n\r\n<http://x/a> <http://x/p> "v" .\r\n--b--\r\n',
         {"Content-Type": "multipart/form-data; boundary=b"})
    # reconciliation and pages given remote IRIs
    send("reconcile-remote-id", "GET", "/reconcile/preview?id=" + quote(f"{c}/entity"))
    send("reconcile-extend-remote", "POST", "/reconcile", "extend=" + quote(json.dumps(
        {"ids": [f"{c}/e1", secret], "properties": [{"id": "country"}]})), FORM)
    send("reconcile-type-remote", "POST", "/reconcile", "queries=" + quote(json.dumps(
        {"q0": {"query": "Phnom Penh", "type": f"{c}/type"}})), FORM)
    send("entity-remote", "GET", "/" + quote(c, safe="") + "/x")
    send("dataset-host", "GET", "/dataset", None, {"Host": canary.url.split("//")[1]})
    return replies


def test_the_canary_receives_nothing(attempts, canary):
    assert len(attempts) > 50
    assert canary.requests == []


def test_no_local_file_content_in_any_response(attempts):
    for name, reply in attempts.items():
        assert SECRET_MARKER not in reply.text, name
        assert_no_leak(reply)


@pytest.mark.parametrize("name", ["service", "service-silent", "service-variable",
                                  "service-values", "service-lowercase", "service-prefixed",
                                  "service-comment"])
def test_service_is_refused(attempts, name):
    reply = attempts[name]
    assert_clear_client_error(reply, 400)
    assert "SERVICE" in reply.text


@pytest.mark.parametrize("name", ["from", "from-named", "graph-iri", "default-graph-uri",
                                  "named-graph-uri", "construct-from", "from-file",
                                  "from-named-file", "dgu-file", "base-file", "describe"])
def test_dataset_clauses_only_select_graphs_of_the_store(attempts, name):
    reply = attempts[name]
    assert reply.status == 200, reply.text
    if "json" in reply.content_type:
        assert reply.json()["results"]["bindings"] == []
    else:
        assert reply.text.strip() == ""  # DESCRIBE / CONSTRUCT of nothing: an empty graph


@pytest.mark.parametrize("name", ["load", "load-update-param", "load-update-body", "load-file"])
def test_load_is_refused(attempts, name):
    assert_clear_client_error(attempts[name], 403)


@pytest.mark.parametrize("name", ["jsonld-context", "jsonld-context-list", "jsonld-context-nested",
                                  "jsonld-scoped", "jsonld-embedded", "jsonld-import",
                                  "jsonld-file-context", "jsonld-relative"])
def test_remote_jsonld_contexts_are_refused(attempts, name):
    for key in (name, name + "-base"):
        assert_clear_client_error(attempts[key], 400)


@pytest.mark.parametrize("name", ["xxe-file", "xxe-http", "xxe-dtd", "xxe-parameter"])
def test_xml_entities_are_refused(attempts, name):
    assert_clear_client_error(attempts[name], 400)
    assert "DOCTYPE" in attempts[name].text


@pytest.mark.parametrize("name", ["xinclude", "xml-stylesheet", "owl-imports", "user-shapes",
                                  "turtle-base-file", "multipart-remote-name",
                                  "reconcile-remote-id", "reconcile-extend-remote",
                                  "reconcile-type-remote", "entity-remote", "dataset-host",
                                  "form-service"])
def test_other_remote_references_are_never_followed(attempts, name):
    assert attempts[name].status < 500, attempts[name].text


def test_server_healthy_after_the_outbound_attempts(server, attempts):
    server.assert_healthy()
