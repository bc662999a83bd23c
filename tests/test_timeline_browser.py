"""The timeline and an entity page in a real headless Chromium (Debian's; never a downloaded
browser), served by ``kg serve`` over the built dataset, with JavaScript off: every dated event
has a mark, marks sit in date order, a known event is there and every mark's link resolves.

Only loopback traffic is allowed: any other request the page makes is aborted.
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from kg.store import DatasetStore
from kgtest import CHROMIUM_ARGS, REPO, loopback_only

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
KGO = "https://w3id.org/kg1978/ontology/"
LIBERATION = "https://w3id.org/kg1978/event/liberation-of-phnom-penh-1979-01-07"
ANNOUNCEMENT = "https://w3id.org/kg1978/event/announcement-1978-02-05"



@pytest.fixture
def page(chromium_path, serve_kg, dataset):
    """A JavaScript-less page in Chromium, and the URL of a server over the built dataset."""
    sync_api = pytest.importorskip("playwright.sync_api")
    served = serve_kg("--dataset", str(dataset), "--workers", "1")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(java_script_enabled=False,
                                          viewport={"width": 1280, "height": 900})
            tab = context.new_page()
            tab.route("**/*", loopback_only)
            yield tab, served.url
            context.close()
        finally:
            browser.close()


def test_timeline_in_a_browser(page, dataset):
    tab, url = page
    store = DatasetStore.load(dataset)
    dated = {r["e"].value for r in store.select(
        f"SELECT DISTINCT ?e WHERE {{ ?e a <{KGO}Event> ; <{KGO}startDate> ?d }}")}
    label = store.select(f"SELECT ?l WHERE {{ <{LIBERATION}> <http://www.w3.org/2000/01/"
                         "rdf-schema#label> ?l FILTER(LANG(?l) = 'en') }")[0]["l"].value

    response = tab.goto(url + "/timeline")
    assert response is not None and response.status == 200
    marks = tab.locator("svg#timeline a.event-mark")
    assert marks.count() == len(dated)
    assert {marks.nth(i).get_attribute("data-iri") for i in range(marks.count())} == dated
    assert label in tab.locator("svg#timeline").text_content()

    # drawn in date order: a January 1979 event lies right of a February 1978 one
    early = tab.locator(f'a.event-mark[data-iri="{ANNOUNCEMENT}"]').bounding_box()
    late = tab.locator(f'a.event-mark[data-iri="{LIBERATION}"] circle').bounding_box()
    assert early is not None and late is not None and late["x"] > early["x"] + 500
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "timeline.png"), full_page=True)

    # every mark's link resolves to a page
    hrefs = {marks.nth(i).get_attribute("href") for i in range(marks.count())}
    for href in hrefs:
        got = tab.request.get(url + href, headers={"Accept": "text/html"})
        assert got.status == 200, href
        assert got.headers["content-type"].startswith("text/html")

    # and following one in the browser gives the event's page
    tab.locator(f'a.event-mark[data-iri="{LIBERATION}"]').click()
    tab.wait_for_url(url + "/event/liberation-of-phnom-penh-1979-01-07")
    assert tab.locator("h1#label").inner_text() == label
    assert tab.locator("#dates").inner_text().count("7 January 1979") >= 1
    tab.screenshot(path=str(ARTIFACTS / "entity-page.png"), full_page=True)
    assert tab.locator("footer a[href='/dataset']").count() == 1


def test_the_timeline_by_keyboard_links_each_page_once_in_a_row(page):
    """Tabbing through the drawing and the list of dated events, no two stops in a row lead
    to one page: a dated operation's heading and its own mark (and, in the list, its
    heading's link and the first item's) were two stops to its page. Each stop is on screen
    with a focus outline."""
    tab, url = page
    tab.goto(url + "/timeline")
    stops = []
    for _ in range(tab.locator("a").count() + 2):
        tab.keyboard.press("Tab")
        stop = tab.evaluate("""() => { const a = document.activeElement;
            if (!a || a === document.body) return null;
            const box = a.getBoundingClientRect();
            return {href: a.getAttribute('href'), outline: getComputedStyle(a).outlineStyle,
                    seen: box.width > 0 && box.height > 0,
                    timeline: !!a.closest('svg#timeline, h3, ul.dated')}; }""")
        if stop is None:
            break
        stops.append(stop)
    hrefs = [s["href"] for s in stops if s["timeline"]]
    assert "/event/general-counter-offensive-1978-1979" in hrefs
    assert [a for a, b in pairwise(hrefs) if a == b] == []
    assert all(s["seen"] and s["outline"] != "none" for s in stops), [
        s for s in stops if not s["seen"] or s["outline"] == "none"]


def _khmer_fonts() -> list[str]:
    """The installed font families fontconfig says cover Khmer ([] where fc-list is absent)."""
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        return []
    listed = subprocess.run(["fc-list", ":lang=km", "family"], capture_output=True,
                            text=True, check=False).stdout
    return sorted({f for line in listed.splitlines() for f in line.split(",") if f})


def test_a_khmer_name_is_drawn_with_a_font_that_has_its_letters(page):
    """A Khmer name (Phnom Penh's heading, ``?lang=km``) asks for fonts with Khmer glyphs
    (``:lang(km)``: Khmer OS, Noto Sans Khmer, Windows' and macOS's) before the system's; and
    where one is installed (.ci/run installs Debian's fonts-khmeros), Chromium draws every
    letter of it with such a font, not the boxes of a font without them."""
    tab, url = page
    tab.goto(url + "/place/phnom-penh?lang=km")
    heading = tab.locator('h1#label[lang="km"]')
    assert heading.inner_text() == "ភ្នំពេញ"
    family = heading.evaluate("h => getComputedStyle(h).fontFamily")
    assert family.startswith('"Khmer OS System", "Khmer OS"'), family
    installed = _khmer_fonts()
    if not installed:
        pytest.skip("no font with Khmer glyphs is installed (apt-get install fonts-khmeros)")
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1#label"})["nodeId"]
    used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    assert used and all(f["familyName"] in installed for f in used), (used, installed)
    assert sum(f["glyphCount"] for f in used) >= len("ភ្នំពេញ") - 2  # clusters: fewer glyphs


def test_the_timeline_prints_whole(page):
    """Printed (print media, a page 700 pixels wide), the timeline's drawing fits the page,
    scaled down: on screen it scrolls in its own box, which cut it at the paper's edge. The
    search box and the language links are left off paper."""
    tab, url = page
    tab.set_viewport_size({"width": 700, "height": 1000})
    tab.emulate_media(media="print")
    tab.goto(url + "/timeline")
    box = tab.locator("svg#timeline").bounding_box()
    width = tab.evaluate("document.documentElement.clientWidth")
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    last = tab.locator("svg#timeline a.event-mark").last.bounding_box()
    assert last is not None and last["x"] + last["width"] <= width
    assert not tab.locator("header.site .site-search").is_visible()
    tab.emulate_media(media="screen")
    assert tab.locator("header.site .site-search").is_visible()
