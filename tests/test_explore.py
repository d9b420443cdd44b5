"""The explorer page: self-contained, small, and in a real browser (headless Chromium driven by Playwright) it
shows what KeyedVectors.most_similar computes, fast enough to feel instant."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import w2v
from w2v.vectors import evaluate as ev
from w2v.pictures.explore import explorer_html

CHROMIUM = "/usr/bin/chromium"  # Debian's package; .ci/run installs it when missing
TOP = 10_000


def test_page_is_self_contained_and_under_10_mb_at_10000_words_of_100_dims():
    rng = np.random.default_rng(0)
    kv = w2v.KeyedVectors([f"w{i}" for i in range(12_000)], rng.standard_normal((12_000, 100)).astype(np.float32))
    page = explorer_html(kv, limit=TOP, model_name="random")
    assert len(page.encode()) < 10 << 20
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing loaded from the network
    assert not re.search(r"""\b(fetch|XMLHttpRequest|import)\s*\(""", page)
    assert '"total_words": 12000' in page and "w9999" in page and "w10000" not in page


def test_a_word_cannot_close_the_data_script():
    kv = w2v.KeyedVectors(["</script><script>alert(1)</script>", "b", "c"], np.eye(3, dtype=np.float32))
    page = explorer_html(kv, limit=3)
    assert page.count("</script>") == 2  # the data block's and the code's own


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A real model: one epoch over the shipped starter corpus (22,717 words), so the page holds 10,000."""
    out = tmp_path_factory.mktemp("explore") / "starter"
    r = subprocess.run([sys.executable, "-m", "w2v.cli", "train", "-o", str(out), "--epochs", "1", "-q"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def page(model_dir):
    path = model_dir.parent / "explorer.html"
    r = subprocess.run([sys.executable, "-m", "w2v.cli", "explore", str(model_dir), "-o", str(path)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "10,000 words" in r.stdout and path.stat().st_size < 10 << 20
    return path


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def opened(browser, page):
    tab = browser.new_page(viewport={"width": 1280, "height": 800})
    errors = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(page.as_uri())
    tab.wait_for_function("window.__explorer && window.__explorer.ready", timeout=10_000)
    yield tab
    assert errors == []
    tab.close()


def _same_ranking(shown, expected):
    """Same words in the same order, with cosines to 1e-4; two neighbours whose cosines differ by less than
    1e-6 may come in either order (float32 BLAS and the page's float64 sums round differently). ``expected``
    holds one answer more than the page shows, so that a tie across the last place can go either way too."""
    assert len(shown) == len(expected) - 1
    for (w, s), (v, t) in zip(shown, expected):
        assert s == pytest.approx(t, abs=1e-4), (w, s, v, t)
        if w != v:
            cos = dict(expected)
            assert w in cos and abs(cos[w] - t) < 1e-6, (shown, expected)


def _results(tab):
    return [(li.get_attribute("data-word"), float(li.get_attribute("data-cos")))
            for li in tab.query_selector_all("#results li")]


def test_interactive_within_a_second_and_queries_in_under_50_ms(opened):
    ready = opened.evaluate("window.__explorer.readyMs")
    assert opened.evaluate("window.__explorer.words") == TOP
    assert ready < 1000, ready
    times = []
    for word in ("king", "water", "god", "war", "city"):
        opened.fill("#search", word)
        opened.press("#search", "Enter")
        times.append(opened.evaluate("window.__explorer.lastQueryMs"))
    assert max(times) < 50, times
    print(f"\nexplorer: interactive after {ready:.0f} ms, neighbour queries {min(times):.1f}-{max(times):.1f} ms")


def test_search_box_shows_the_librarys_neighbours(opened, model_dir):
    kv = w2v.load_vectors(model_dir)
    benchmark = {w.lower() for line in open(ev.QUESTIONS_WORDS, encoding="utf-8") if not line.startswith(":")
                 for w in line.split()}
    held = [w for w in kv.index_to_key[:TOP] if w in benchmark]
    assert len(held) > 300
    for word in held[:25]:  # typed, as a person would
        opened.fill("#search", word)
        opened.press("#search", "Enter")
        _same_ranking(_results(opened), kv.most_similar(word, topn=11, restrict_vocab=TOP))
    for word in held[25:]:  # the rest through the function the search box calls
        _same_ranking(opened.evaluate("w => window.__explorer.neighbours(w, 10)", word),
                      kv.most_similar(word, topn=11, restrict_vocab=TOP))


def test_analogy_box_shows_the_librarys_answers(opened, model_dir):
    kv = w2v.load_vectors(model_dir)
    held = set(kv.index_to_key[:TOP])
    questions, seen = [], 0
    for line in open(ev.QUESTIONS_WORDS, encoding="utf-8"):
        if line.startswith(":"):
            seen = 0
            continue
        a, b, c, _ = line.lower().split()
        if {a, b, c} <= held and seen < 3:
            questions.append((a, b, c))
            seen += 1
    assert len(questions) > 20
    for a, b, c in questions:
        opened.fill("#analogy", f"{b} - {a} + {c}")
        opened.press("#analogy", "Enter")
        _same_ranking(_results(opened), kv.most_similar(positive=[b, c], negative=[a], topn=11, restrict_vocab=TOP))


def test_completion_and_words_not_in_the_page(opened):
    opened.fill("#search", "kin")
    suggestions = [li.inner_text() for li in opened.query_selector_all("#suggestions li")]
    assert "king" in suggestions and all(s.startswith("kin") for s in suggestions)
    opened.press("#search", "ArrowDown")
    opened.press("#search", "Enter")
    assert opened.input_value("#search") == suggestions[0] and _results(opened)
    opened.fill("#search", "kingg")
    opened.press("#search", "Enter")
    message = opened.inner_text("#message")
    assert 'not among the 10,000 words in this page' in message and '"king"' in message and not _results(opened)
    opened.fill("#analogy", "king - man + womann")
    opened.press("#analogy", "Enter")
    assert '"womann" is not among' in opened.inner_text("#message")


def test_clicking_a_point_lists_and_highlights_its_neighbours(opened, model_dir, tmp_path):
    kv = w2v.load_vectors(model_dir)
    opened.fill("#search", "moses")
    opened.press("#search", "Enter")  # centres the map on moses
    x, y = opened.evaluate("window.__explorer.screenPosition('moses')")
    box = opened.query_selector("#map").bounding_box()
    opened.mouse.move(box["x"] + x, box["y"] + y)
    assert opened.inner_text("#tip") == "moses"  # hover names the point
    opened.fill("#search", "")
    opened.mouse.click(box["x"] + x, box["y"] + y)
    assert opened.input_value("#search") == "moses"
    _same_ranking(_results(opened), kv.most_similar("moses", topn=11, restrict_vocab=TOP))
    labelled = opened.evaluate("window.__explorer.labelled")
    opened.mouse.wheel(0, -600)  # zoom in: more room, more labels
    assert opened.evaluate("window.__explorer.labelled") != labelled or labelled > 100
    shot = Path(os.environ.get("W2V_EXPLORER_SCREENSHOT") or tmp_path / "explorer.png")
    opened.mouse.wheel(0, 600)
    opened.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000


@pytest.mark.slow
def test_the_readme_screenshot_of_the_main_jobs_model(browser, tmp_path):
    """docs/pictures.md's picture: the main job's model (25 epochs on the starter corpus), moses searched and
    clicked. Set W2V_EXPLORER_SCREENSHOT=docs/explorer.png to refresh the copy there."""
    out = tmp_path / "w2v"
    for args in (["train", "-o", out, "-q"], ["explore", out, "-o", tmp_path / "explorer.html"]):
        r = subprocess.run([sys.executable, "-m", "w2v.cli", *map(str, args)], capture_output=True, text=True,
                           timeout=900)
        assert r.returncode == 0, r.stderr
    tab = browser.new_page(viewport={"width": 1280, "height": 800})
    tab.goto((tmp_path / "explorer.html").as_uri())
    tab.wait_for_function("window.__explorer && window.__explorer.ready", timeout=10_000)
    tab.fill("#analogy", "king - man + woman")
    tab.press("#analogy", "Enter")
    assert _results(tab)[0][0] == "queen"
    tab.fill("#search", "moses")
    tab.press("#search", "Enter")
    x, y = tab.evaluate("window.__explorer.screenPosition('moses')")
    box = tab.query_selector("#map").bounding_box()
    tab.mouse.move(box["x"] + x, box["y"] + y)
    shot = Path(os.environ.get("W2V_EXPLORER_SCREENSHOT") or tmp_path / "explorer.png")
    tab.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    tab.close()
