"""Images in prose: {{ image("file.jpg", alt=..., caption=..., credit=..., licence=...) }}.

Files in content/images/ are checked and resized at build (Pillow); the page gets srcset, width
and height, lazy loading below the top of the page, and the credit in the caption. Every mistake
is a located problem: no alt text, a missing file, an oversized file, a Markdown image."""

from __future__ import annotations

import html
import re

import pytest

from conftest import copy_built, run_build, serve_folder

PEARS = "content/01-pears.md"
CALL = '{{ image("orchard.jpg", alt="Rows of pear trees in spring", caption="The orchard in April.", credit="A. Grower", licence="CC BY 4.0") }}'


def _photo(path, size=(2000, 1333)):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = size
    gradient = Image.linear_gradient("L").resize(size)
    Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_90).resize(size), Image.new("L", size, 120))).save(path, quality=90)
    return path


def _orchard(built, tmp_path, prose_top: str = "", prose_bottom: str = ""):
    """A copy of the run's built orchard (conftest's orchard_built: its chart cache is current, so
    no chart is drawn again), with a photo and the given prose."""
    root = copy_built(built, tmp_path / "orchard")
    _photo(root / "content" / "images" / "orchard.jpg")
    page = root / PEARS
    text = page.read_text(encoding="utf-8")
    head, sep, body = text.partition("---\n")[2].partition("---\n")
    page.write_text(f"---\n{head}---\n{prose_top}{body}{prose_bottom}", encoding="utf-8")
    return root


def _lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith(("content/", "charts/"))]


def test_built_page_has_srcset_sizes_credit_and_lazy_loading_below_the_top(orchard_built, tmp_path):
    root = _orchard(orchard_built, tmp_path, prose_top=CALL.replace("orchard.jpg", "top.jpg") + "\n\n", prose_bottom="\n" + CALL + "\n")
    _photo(root / "content" / "images" / "top.jpg", (1200, 800))
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    html = (root / "site" / "pears" / "index.html").read_text(encoding="utf-8")
    figures = re.findall(r'<figure class="explainer-image">.*?</figure>', html, re.S)
    assert len(figures) == 2
    top, bottom = figures
    assert 'loading="eager"' in top and 'loading="lazy"' in bottom, "the image at the top loads at once, the one below lazily"
    assert 'srcset="../assets/img/orchard-480.jpg 480w, ../assets/img/orchard-960.jpg 960w, ../assets/img/orchard-1600.jpg 1600w"' in bottom
    assert 'width="1600" height="1066"' in bottom and 'src="../assets/img/orchard-960.jpg"' in bottom and "sizes=" in bottom
    assert 'width="1200" height="800"' in top and "top-1200.jpg 1200w" in top, "never wider than the file"
    assert 'alt="Rows of pear trees in spring"' in bottom
    assert "The orchard in April." in bottom and "A. Grower, CC BY 4.0" in bottom
    from PIL import Image

    for width in (480, 960, 1600):
        with Image.open(root / "site" / "assets" / "img" / f"orchard-{width}.jpg") as img:
            assert img.size[0] == width and not img.info.get("exif")
    assert not (root / "site" / "assets" / "img" / "orchard.jpg").exists(), "the original is never published"


@pytest.mark.parametrize(
    "call, expected",
    [
        (
            '{{ image("orchard.jpg") }}',
            'content/01-pears.md:11:11: image "orchard.jpg" has no alt text (add alt="what the image shows", for readers who cannot '
            'see it; alt="" is not accepted: an image that says nothing belongs in the theme, not in prose)',
        ),
        ('{{ image("orchad.jpg", alt="Trees") }}', 'content/01-pears.md:11:11: image "orchad.jpg" not found in content/images/ (did you mean orchard.jpg?)'),
        (
            '{{ image("../mkdocs.yml", alt="Trees") }}',
            'content/01-pears.md:11:11: image "../mkdocs.yml" must be a file name in content/images/ (no folders: write image("harbour.jpg", ...))',
        ),
        (
            '{{ image("huge.png", alt="Trees") }}',
            'content/01-pears.md:11:11: image "huge.png" is too large: more than 40 million pixels (export it at most 3200 px wide)',
        ),
        (
            '{{ image("heavy.jpg", alt="Trees") }}',
            'content/01-pears.md:11:11: image "heavy.jpg" is 10.5 MB; the limit is 10 MB (export it at most 3200 px wide)',
        ),
        (
            "![](images/orchard.jpg)",
            "content/01-pears.md:11:1: Markdown image images/orchard.jpg is neither resized nor copied into the site, and it has no "
            'alt text (put the file in content/images/ and write {{ image("orchard.jpg", alt="what the image shows") }})',
        ),
        (
            "![Trees](https://example.org/trees.jpg)",
            "content/01-pears.md:11:1: image from another site (https://example.org/trees.jpg) is blocked: the site loads nothing "
            'from other hosts (put the file in content/images/ and write {{ image("trees.jpg", alt="what the image shows") }})',
        ),
    ],
)
def test_image_mistakes_are_located(orchard_built, tmp_path, call, expected):
    from PIL import Image

    root = _orchard(orchard_built, tmp_path, prose_bottom="\n" + call + "\n")
    Image.new("1", (9000, 5000)).save(root / "content" / "images" / "huge.png")
    (root / "content" / "images" / "heavy.jpg").write_bytes(b"\xff" * 10_500_000)
    result = run_build(root, "check")
    assert result.returncode == 1, result.stderr
    assert _lines(result) == [expected]


def test_image_near_the_top_counts_in_the_page_weight_budget(orchard_built, tmp_path):
    """A photo that cannot be compressed (noise) near the top of a page is over the budget: a warning."""
    from PIL import Image
    import os

    root = _orchard(orchard_built, tmp_path, prose_top='{{ image("noise.png", alt="Static") }}\n\n')
    Image.frombytes("RGB", (960, 600), os.urandom(960 * 600 * 3)).save(root / "content" / "images" / "noise.png")
    result = run_build(root, "check")
    assert result.returncode == 0
    assert any(
        re.match(
            r'content/01-pears\.md:5:11: warning: image "noise\.png" near the top of the page adds \d+ KB before any '
            r"interaction \(budget 100 KB\)",
            line,
        )
        for line in result.stderr.splitlines()
    ), result.stderr
    assert run_build(root, "check", "--strict").returncode == 1


def test_sanitiser_keeps_the_generated_image_and_cleans_a_typed_one():
    from explainer.pages.images import Rendition, figure
    from explainer.site.hooks.sanitize import clean

    block = figure(
        [Rendition("assets/img/a-480.jpg", 480, 320, b""), Rendition("assets/img/a-960.jpg", 960, 640, b"")],
        "../",
        'Trees "at" <dawn>',
        caption="A caption",
        credit="Someone",
        licence="CC BY 4.0",
        eager=False,
    )
    assert html.unescape(clean(block)) == html.unescape(block), "kept whole: only how quotes are written may differ"
    typed = '<img src="x.jpg" alt="x" srcset="x.jpg 1x" onerror="alert(1)" loading="lazy" width="10" height="10">'
    assert clean(typed) == '<img src="x.jpg" alt="x" srcset="x.jpg 1x" loading="lazy" width="10" height="10">'


@pytest.mark.browser
def test_images_show_with_javascript_off_and_nothing_shifts(orchard_built, tmp_path, browser):
    root = _orchard(orchard_built, tmp_path, prose_bottom="\n" + CALL + "\n")
    assert run_build(root).returncode == 0
    with serve_folder(root / "site") as base:
        for js in (False, True):
            page = browser.new_page(java_script_enabled=js, viewport={"width": 360, "height": 740})
            page.goto(f"{base}/pears/")
            img = page.locator(".explainer-image img")
            box_before = img.bounding_box()
            img.scroll_into_view_if_needed()
            page.wait_for_function("() => { const i = document.querySelector('.explainer-image img'); return i.complete && i.naturalWidth > 0 }")
            assert img.evaluate("i => i.currentSrc").endswith(("orchard-480.jpg", "orchard-960.jpg", "orchard-1600.jpg"))
            box = img.bounding_box()
            assert box_before["height"] > 100 and abs(box["height"] - box_before["height"]) < 1, "the space was kept before it loaded"
            assert abs(box["width"] / box["height"] - 1600 / 1066) < 0.02
            page.close()
