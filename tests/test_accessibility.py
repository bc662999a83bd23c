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
    "/search?q=phnom", "/validate", "/shapes/", "/shapes/EventShape", "/store?default", "/store",
    "/shapes/StartNeedsEndConstraint", "/shapes/hint", "/timeline?format=ttlx",
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
