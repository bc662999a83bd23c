"""Every HTML page the server renders, checked in a real headless Chromium with axe-core (npm
``axe-core``, a dev dependency installed by the setup command) against WCAG 2.1 A and AA and
axe's best practices: no violation at all.

One exclusion, outside our code: YASGUI's tab bar puts its "add tab" button inside its
``role="tablist"`` (ARIA allows only tabs there). Everything else on the query page — our
header and examples, and YASGUI's fields (labelled by ``ui.js``) and colours (``style.css``) —
is checked.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from kgtest import CHROMIUM_ARGS, REPO, loopback_only

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
YASGUI = REPO / "node_modules" / "@zazuko" / "yasgui" / "build" / "yasgui.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
QUERY = quote("SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
              "LIMIT 5")
PAGES = [
    "/form", f"/form?query={QUERY}", f"/sparql?query={QUERY}", "/form?query=SELEC",
    "/place/phnom-penh", "/event/liberation-of-phnom-penh-1979-01-07", "/unit/division-341",
    "/actor/pol-pot", "/source/article-part1-passage-14", "/ontology/", "/ontology/Event",
    "/graph/links", "/place/nowhere", "/place/", "/event/", "/dataset", "/timeline", "/search",
    "/search?q=phnom", "/search?q=giai+phong+phnom+penh", "/validate", "/shapes/",
    "/shapes/EventShape", "/store?default", "/store",
    "/shapes/StartNeedsEndConstraint", "/shapes/hint", "/timeline?format=ttlx",
    # names in Vietnamese and Khmer (?lang=): the language links, a heading in English for
    # want of a Vietnamese name
    "/place/phnom-penh?lang=vi", "/agent/curators?lang=vi", "/timeline?lang=vi",
    "/search?q=phnom&lang=vi", "/place/?lang=km",
]


@pytest.fixture(scope="module")
def site(dataset: Path, tmp_path_factory):
    """A ``kg serve`` of the built dataset (the project's own root: YASGUI and examples)."""
    from conftest import start_kg_serve

    if not AXE.is_file():
        pytest.skip("axe-core is not installed (run the setup command: npm ci)")
    served = start_kg_serve(REPO, "--dataset", str(dataset), "--workers", "1")
    yield served.url
    served.stop()


@pytest.fixture(scope="module")
def page(chromium_path: str):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS,
                                    headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/*", loopback_only)
        yield page
        browser.close()


def _violations(page, exclude: list[str] | None = None) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async ([tags, exclude]) => {
            const context = exclude.length ? {exclude: exclude.map(s => [s])} : document;
            const result = await axe.run(context, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ` +
                v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
        }""", [TAGS, exclude or []])
    return found


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_accessibility_violations(site, page, path):
    response = page.goto(site + path)
    assert response.headers["content-type"].startswith("text/html")
    assert _violations(page) == []


#: Pages whose tables, evidence and queries hold long unbroken words (IRIs, a passage's hash,
#: SPARQL): they scrolled sideways at a narrow width.
NARROW_PAGES = ["/place/phnom-penh", "/unit/division-341", "/source/article-part1-passage-13",
                "/event/general-counter-offensive-1978-1979?lang=vi", "/shapes/EventShape",
                "/shapes/", "/timeline", "/dataset", "/search?q=phnom&lang=km", "/form"]


@pytest.mark.parametrize("path", NARROW_PAGES)
def test_pages_reflow_at_320_css_pixels(site, page, path):
    """At 320 CSS pixels wide (a 1280-pixel window zoomed to 400%, WCAG 2.1's 1.4.10 Reflow)
    a page does not scroll sideways: a long IRI, a hash or a URL in a table or an authority's
    evidence breaks, a row's heading takes a share of the width and not 16rem, and a SPARQL
    query scrolls in its own box, which the keyboard can reach (axe finds nothing at that
    width either). The entity pages were 500 pixels wide, the shapes' 350 and more."""
    page.set_viewport_size({"width": 320, "height": 900})
    try:
        page.goto(site + path)
        wide = page.evaluate("""() => { const width = document.documentElement.clientWidth;
            return [document.documentElement.scrollWidth - width,
                    Array.from(document.querySelectorAll('main *, header *')).filter(e =>
                        e.getBoundingClientRect().right > width + 1
                        && !e.closest('pre, .timeline-scroll')).slice(0, 3).map(e =>
                        `${e.tagName}.${e.className}: ${e.textContent.trim().slice(0, 40)}`)]; }""")
        assert wide == [0, []]
        assert _violations(page) == []
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_the_query_page_with_yasgui(site, page):
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed (run the setup command: npm ci)")
    page.goto(site + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate("q => { const tab = window.kgYasgui.getTab(); tab.setQuery(q); tab.query(); }",
                  unquote(QUERY))
    page.locator(".yasr table tbody tr").first.wait_for()
    assert _violations(page, exclude=[".tabsList"]) == []
    # the fields YASGUI leaves unlabelled are named, in a new tab too
    page.click("button.addTab")
    page.wait_for_function("document.querySelectorAll('.yasqe textarea').length >= 2")
    labels = page.evaluate("Array.from(document.querySelectorAll('.yasqe textarea'))"
                           ".map(t => t.getAttribute('aria-label'))")
    assert labels and set(labels) == {"SPARQL query"}


def test_the_query_editors_line_numbers_can_be_read(site, page):
    """A query of ten lines or more (the page opens with such an example): CodeMirror wrote
    their numbers #999 on its gutter's #f7f7f7, 2.65:1, under WCAG AA's 4.5:1 (axe checks the
    numbers of two digits; a one-line query shows none)."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed (run the setup command: npm ci)")
    page.goto(site + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    query = "\n".join(["# a query of twelve lines", "SELECT ?s WHERE {",
                        *["  # a line" for _ in range(8)], "  ?s ?p ?o", "} LIMIT 1"])
    page.evaluate("q => { window.kgYasgui.getTab().setQuery(q); }", query)
    page.wait_for_function("document.querySelectorAll('.yasqe .CodeMirror-linenumber')"
                           ".length >= 12")
    assert _violations(page, exclude=[".tabsList"]) == []


#: An event named in Vietnamese only, dated: its timeline mark's label is not in the page's
#: language.
VIETNAMESE_EVENT = """\
@prefix kgo: <https://w3id.org/kg1978/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/kg1978/graph/entities> {
  <https://w3id.org/kg1978/event/tran-tay-ninh> a kgo:Event ; rdfs:label "Trận Tây Ninh"@vi ;
      kgo:startDate "1978-12-25"^^xsd:date ; kgo:onDate "1978-12-25"^^xsd:date . }
"""


def test_a_timeline_marks_title_reads_its_label_in_the_labels_language(page, tmp_path):
    """As Chromium parses the timeline (an SVG ``<title>`` holds HTML, being an integration
    point): the mark's label is in an element whose language is the label's, the dates in the
    page's; the link's accessible name is still the label and the dates, and axe finds
    nothing."""
    from kg.endpoint import create_app

    data = tmp_path / "vi.trig"
    data.write_text(VIETNAMESE_EVENT, encoding="utf-8")
    client = create_app({"root": tmp_path}, dataset=data).test_client()
    page.set_content(client.get("/timeline", headers={"Accept": "text/html"}).text)
    marks = page.evaluate("""() => Array.from(document.querySelectorAll('a.event-mark'), a => {
        const title = a.querySelector('title'), label = title.firstElementChild;
        const rest = Array.from(title.childNodes).filter(n => n.nodeType === Node.TEXT_NODE);
        return {label: label && label.textContent, lang: label && label.closest('[lang]').lang,
                rest: rest.map(n => n.textContent).join(''),
                restLang: title.closest('[lang]').lang}; })""")
    assert marks == [{"label": "Trận Tây Ninh", "lang": "vi", "rest": " (25 December 1978)",
                      "restLang": "en"}]
    cdp = page.context.new_cdp_session(page)
    names = [n["name"]["value"] for n in cdp.send("Accessibility.getFullAXTree")["nodes"]
             if n.get("role", {}).get("value") == "link" and "Tây Ninh" in str(n.get("name"))]
    assert "Trận Tây Ninh (25 December 1978)" in names
    assert _violations(page) == []
