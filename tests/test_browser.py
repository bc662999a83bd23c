"""The browser UI in a real headless Chromium (Debian's; never a downloaded browser): YASGUI
loads, an example query runs, rows appear; the plain form works with JavaScript off.

Only loopback traffic is allowed: any other request the page makes is aborted.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import TINY_DATASET
from kgtest import CHROMIUM_ARGS, REPO, loopback_only

pytestmark = pytest.mark.browser

EXAMPLE = ("# Attacks and their labels\n"
           "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
           "SELECT ?attack ?label WHERE {\n"
           "  ?attack a <https://w3id.org/kg1978/ontology/Attack> ; rdfs:label ?label .\n"
           "}\n")
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def ui_root(tmp_path: Path) -> Path:
    """A project root with the project's competency queries, one more that the tiny dataset
    answers, and, where installed, YASGUI."""
    folder = tmp_path / "tests" / "competency"
    folder.mkdir(parents=True)
    for query in (REPO / "tests" / "competency").glob("*.rq"):
        (folder / query.name).write_bytes(query.read_bytes())
    (folder / "cq-attacks.rq").write_text(EXAMPLE, encoding="utf-8")
    if (REPO / "node_modules").is_dir():
        os.symlink(REPO / "node_modules", tmp_path / "node_modules")
    return tmp_path


@pytest.fixture
def browser(chromium_path: str):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()



@pytest.fixture
def yasgui(browser, ui_root):
    """The query page in the browser, over a ``kg serve`` of the tiny dataset, once YASGUI's
    editor is up: (page, URLs the page asked for off this server — aborted)."""
    from conftest import start_kg_serve

    if not (REPO / "node_modules" / "@zazuko" / "yasgui" / "build" / "yasgui.min.js").is_file():
        pytest.skip("YASGUI is not installed (run the setup command: npm ci)")
    served = start_kg_serve(ui_root, "--dataset", str(TINY_DATASET), "--workers", "1")
    elsewhere: list[str] = []

    def route(r) -> None:
        if not r.request.url.startswith(served.url):
            elsewhere.append(r.request.url)
        loopback_only(r)

    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/*", route)
        page.goto(served.url + "/")
        page.wait_for_selector(".yasqe .CodeMirror")
        yield page, elsewhere
    finally:
        served.stop()


def test_yasgui_runs_an_example_query(yasgui):
    page, _ = yasgui
    # the editor is on screen at load, the examples folded above it
    assert page.locator(".yasqe .CodeMirror").bounding_box()["y"] < 900
    assert not page.locator("button.example").first.is_visible()
    page.click("#examples-box summary")
    page.click("button.example >> text=Attacks and their labels")
    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    assert "Liberation of Phnom Penh" in page.locator(".yasr table").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "yasgui.png"), full_page=True)


def test_yasgui_result_iris_open_their_page_here(yasgui):
    """A result IRI of the dataset opens its page on this server, not the w3id.org address
    (whose redirect may not resolve): as the address a new tab would get, and as a click."""
    page, _ = yasgui
    page.click("#examples-box summary")
    page.click("button.example >> text=Attacks and their labels")
    page.locator(".yasr table tbody tr").first.wait_for()
    served = page.url.rstrip("/")
    links = page.locator('.yasr table tbody a[href^="https://w3id.org/kg1978/event/"]')
    first, second = links.nth(0).element_handle(), links.nth(1).element_handle()
    first.dispatch_event("mousedown")  # what a middle click or the context menu starts with
    assert first.get_attribute("href").startswith(served + "/event/")
    with page.expect_popup() as opened:
        second.click()
    popup = opened.value
    popup.wait_for_load_state()
    assert popup.url.startswith(served + "/event/")
    assert popup.locator("h1").inner_text()  # the entity page, with its label
    popup.close()


def test_yasgui_results_mark_a_literals_language(yasgui):
    """A result literal with a language tag is drawn by YASR as text and a ``<sup>@vi</sup>``
    in the page's English: the literal's element carries its tag (a screen reader reads
    "Phnôm Pênh" in Vietnamese; a Khmer one takes the Khmer fonts of ``:lang(km)``), the tag
    itself stays English, and a literal without one is left as it is."""
    page, _ = yasgui
    query = ('SELECT ?name WHERE { VALUES ?name { "Phnôm Pênh"@vi "ភ្នំពេញ"@km-KH '
             '"Phnom Penh" } }')
    page.evaluate("q => { const tab = window.kgYasgui.getTab(); tab.setQuery(q); tab.query(); }",
                  query)
    # ui.js's observer marks the rows as they come (its callback runs before any later task)
    page.locator(".yasr table tbody tr").nth(2).wait_for()
    cells = page.evaluate("""Array.from(document.querySelectorAll('.yasr td span.nonIri'), s =>
        [s.firstChild.textContent, s.getAttribute('lang'),
         s.querySelector('sup') && s.querySelector('sup').getAttribute('lang'),
         getComputedStyle(s).fontFamily.split(',')[0]])""")
    assert sorted(cells) == sorted([['"Phnôm Pênh"', "vi", "en", "system-ui"],
                                    # the engine writes a tag in lower case
                                    ['"ភ្នំពេញ"', "km-kh", "en", '"Khmer OS System"'],
                                    ["Phnom Penh", None, None, "system-ui"]]), cells


def test_yasgui_share_links_open_with_their_query_on_this_endpoint(yasgui):
    """YASGUI's share button makes a link (this page + "#query=…"): opened, it shows that
    query, not the first example; an endpoint named in a link is not followed."""
    from urllib.parse import quote

    page, elsewhere = yasgui
    served = page.url.rstrip("/")
    page.evaluate("q => { window.kgYasgui.getTab().setQuery(q); }", EXAMPLE)
    page.click(".yasqe_share")
    link = page.locator(".yasqe_sharePopup input, .yasqe_sharePopup textarea").first
    link.wait_for()
    url = link.input_value()
    assert url.startswith(served + "/#") and "query=" in url
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_selector(".yasqe .CodeMirror")
    assert page.evaluate("window.kgYasgui.getTab().getQuery()") == EXAMPLE
    # a link naming another endpoint: the query still goes to this server
    page.goto("about:blank")
    page.goto(f"{served}/#query={quote(EXAMPLE)}&endpoint="
              f"{quote('http://elsewhere.invalid/sparql', safe='')}")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate("() => { window.kgYasgui.getTab().query(); }")
    page.locator(".yasr table tbody tr").first.wait_for()
    assert page.locator(".yasr table tbody tr").count() == 2
    assert elsewhere == []


def test_yasgui_shows_why_a_query_is_malformed(yasgui):
    page, _ = yasgui
    page.evaluate("() => { const tab = window.kgYasgui.getTab();"
                  " tab.setQuery('SELECT ?l WHERE {\\n  ?s rdfs:label ?l\\n}'); tab.query(); }")
    message = ("line 2, column 6: the prefix 'rdfs:' is not declared: "
               "add PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>")
    page.locator(".yasr", has_text=message).wait_for()


def test_yasgui_completes_classes_and_properties_from_the_dataset(yasgui):
    page, elsewhere = yasgui
    page.evaluate("() => { window.kgYasgui.getTab().setQuery("
                  "'PREFIX kgo: <https://w3id.org/kg1978/ontology/>\\n"
                  "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\\n"
                  "SELECT * WHERE {\\n  ?s a '); }")
    page.click(".yasqe .CodeMirror-line >> nth=3")
    page.keyboard.press("End")
    page.keyboard.type("kgo:Att")
    page.keyboard.press("Control+Space")
    page.locator(".CodeMirror-hints li", has_text="kgo:Attack").wait_for()
    page.keyboard.press("Escape")
    page.keyboard.type(" ; rdfs:lab")
    page.keyboard.press("Control+Space")
    page.locator(".CodeMirror-hints li", has_text="rdfs:label").wait_for()
    assert elsewhere == []  # YASQE's own completers would have asked the LOV web service


def test_plain_form_without_javascript(chromium_path, ui_root, serve_kg):
    sync_api = pytest.importorskip("playwright.sync_api")
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(java_script_enabled=False)
            page = context.new_page()
            page.route("**/*", loopback_only)
            page.goto(served.url + "/form")
            page.fill("#query", EXAMPLE)
            page.click("#run")
            page.wait_for_selector("#results tbody tr")
            assert page.locator("#results tbody tr").count() == 2
            # the dataset's IRIs link to their pages here
            page.click('#results a[href^="/event/"]')
            assert page.url.startswith(served.url + "/event/")
            page.go_back()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "plain-form.png"), full_page=True)
            context.close()
        finally:
            browser.close()


def test_a_shared_query_link_opens_as_a_table(browser, serve_kg):
    """``/sparql?query=…`` typed or clicked in the browser: the result as a page, with the
    Accept header Chromium really sends (not SPARQL XML shown as a tree or downloaded)."""
    from urllib.parse import quote

    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    page = browser.new_page()
    page.route("**/*", loopback_only)
    response = page.goto(f"{served.url}/sparql?query={quote(EXAMPLE)}")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page.wait_for_selector("#results tbody tr")
    assert page.locator("#results tbody tr").count() == 2
    assert "Attacks and their labels" in page.input_value("#query")
    page.close()
