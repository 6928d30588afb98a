"""Images in prose: `{{ image("harbour.jpg", alt="…", caption="…", credit="…", licence="…") }}`.

The file lives in content/images/ (one folder for every language). At build, Pillow checks it and
writes it at a few widths (480, 960 and 1600 px, never wider than the file) into the site's
assets/img/; the page gets a <figure> with an <img> whose srcset lists them, whose width and
height are set (nothing shifts while it loads), which loads lazily unless it is near the top of
the page, and a caption with the credit and licence. The original file is never published.
Resized files are cached in .cache/explainer/images/ by the hash of the original's bytes.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

from ..common.files import CACHE_DIR, atomic_write

IMAGES_DIR = Path("content") / "images"
KINDS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
WIDTHS = (480, 960, 1600)
DEFAULT_WIDTH = 960  # the src for browsers that ignore srcset
MAX_FILE_BYTES = 10_000_000  # an original larger than this is refused
MAX_PIXELS = 40_000_000  # 8000 x 5000
EAGER_BUDGET = 100_000  # bytes an image near the top of a page may add before any interaction
SIZES = "(min-width: 76.25em) 43rem, calc(100vw - 2.4rem)"  # Material's content column
CACHE_VERSION = "1"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass
class Rendition:
    name: str  # assets/img/harbour-960.jpg
    width: int
    height: int
    data: bytes


class ImageError(Exception):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


class Images:
    """Every image of one build, each checked and resized once."""

    def __init__(self, root: Path, cache_dir: Path | None = None):
        self.root = root
        self.folder = root / IMAGES_DIR
        self.cache = cache_dir or root / CACHE_DIR / "images"
        self._done: dict[str, list[Rendition] | ImageError] = {}

    def available(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir() if p.is_file()) if self.folder.is_dir() else []

    def renditions(self, name: str) -> list[Rendition]:
        if name not in self._done:
            try:
                self._done[name] = self._make(name)
            except ImageError as e:
                self._done[name] = e
        result = self._done[name]
        if isinstance(result, ImageError):
            raise result
        return result

    def _make(self, name: str) -> list[Rendition]:
        import difflib

        if not NAME.match(name) or ".." in name:
            raise ImageError(f'image "{name}" must be a file name in content/images/', 'no folders: write image("harbour.jpg", ...)')
        suffix = Path(name).suffix.lower()
        if suffix not in KINDS:
            raise ImageError(f'image "{name}" is not a JPEG, PNG or WebP file', "export it as .jpg (photos) or .png (diagrams)")
        path = self.folder / name
        if not path.is_file():
            close = difflib.get_close_matches(name, self.available(), n=1)
            hint = f"did you mean {close[0]}?" if close else "put the file in content/images/"
            raise ImageError(f'image "{name}" not found in content/images/', hint)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImageError(
                f'image "{name}" is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 1_000_000} MB', f"export it at most {WIDTHS[-1] * 2} px wide"
            )
        data = path.read_bytes()
        digest = hashlib.sha256(data + CACHE_VERSION.encode()).hexdigest()[:20]
        from PIL import Image, UnidentifiedImageError

        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        try:
            with Image.open(io.BytesIO(data)) as opened:
                if opened.size[0] * opened.size[1] > MAX_PIXELS:
                    raise Image.DecompressionBombError(opened.size)
                opened.load()
                fmt = opened.format
                from PIL import ImageOps

                img = ImageOps.exif_transpose(opened) or opened  # a photo taken sideways is published upright
                width, height = img.size
                if KINDS[suffix] != fmt:
                    raise ImageError(f'image "{name}" is a {fmt} file, not {KINDS[suffix]} as its name says', f"rename it to end in .{(fmt or 'png').lower()}")
                out = []
                for target in sorted({w for w in WIDTHS if w < width} | {min(width, WIDTHS[-1])}):
                    h = round(height * target / width)
                    rendition = f"{Path(name).stem}-{target}{suffix}"
                    cached = self.cache / f"{digest}-{target}{suffix}"
                    if cached.is_file():
                        encoded = cached.read_bytes()
                    else:
                        encoded = _encode(img, target, h, KINDS[suffix])
                        atomic_write(cached, encoded)
                    out.append(Rendition(f"assets/img/{rendition}", target, h, encoded))
                return out
        except Image.DecompressionBombError:
            raise ImageError(
                f'image "{name}" is too large: more than {MAX_PIXELS // 1_000_000} million pixels', f"export it at most {WIDTHS[-1] * 2} px wide"
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError) as e:
            raise ImageError(f'image "{name}" cannot be read: {e}', "open it in an image editor and export it again") from None


def _encode(img, width: int, height: int, kind: str) -> bytes:
    from PIL import Image

    frame = img
    if frame.size != (width, height):
        frame = frame.resize((width, height), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    if kind == "JPEG":
        frame.convert("RGB").save(buf, "JPEG", quality=80, optimize=True, progressive=True)
    elif kind == "PNG":
        frame.save(buf, "PNG", optimize=True)
    else:
        frame.save(buf, "WEBP", quality=80, method=4)
    return buf.getvalue()  # no metadata is copied: no camera or location data is published


def figure(
    renditions: list[Rendition], base: str, alt: str, caption: str = "", credit: str = "", licence: str = "", eager: bool = False, words: dict | None = None
) -> str:
    """The <figure> for one image; every value escaped. Kept whole by the sanitiser (img with
    src, srcset, sizes, width, height, loading, decoding; figure, figcaption, span)."""
    default = min(renditions, key=lambda r: (abs(r.width - DEFAULT_WIDTH), -r.width))
    largest = renditions[-1]
    srcset = ", ".join(f"{base}{r.name} {r.width}w" for r in renditions)
    loading = 'loading="eager" decoding="async"' if eager else 'loading="lazy" decoding="async"'
    img = (
        f'<img src="{escape(base + default.name)}" srcset="{escape(srcset)}" sizes="{SIZES}" '
        f'width="{largest.width}" height="{largest.height}" alt="{escape(alt)}" {loading}>'
    )
    words = words or {}
    parts = []
    if caption:
        parts.append(str(escape(caption)))
    credit_line = ", ".join(str(escape(x)) for x in (credit, licence) if x)
    if credit_line:
        label = escape(words.get("image_credit", "Image"))
        parts.append(f'<span class="explainer-credit">{label}{escape(words.get("colon", ": "))}{credit_line}</span>')
    cap = f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""
    return f'<figure class="explainer-image">{img}{cap}</figure>'


def default_rendition(renditions: list[Rendition]) -> Rendition:
    return min(renditions, key=lambda r: (abs(r.width - DEFAULT_WIDTH), -r.width))


MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)")


def markdown_images(body: str) -> list[tuple[int, int, str, str]]:
    """(line, column, message, hint) for every Markdown image in prose: the build would publish it
    as typed, unresized, and to a file nobody copies; prose uses image() instead."""
    found = []
    masked = re.sub(r"```.*?```|~~~.*?~~~|`[^`\n]*`", lambda m: re.sub(r"[^\n]", " ", m.group(0)), body, flags=re.S)
    for lineno, line in enumerate(masked.splitlines(), 1):
        for m in MD_IMAGE.finditer(line):
            alt, target = m.group(1).strip(), m.group(2)
            name = target.rsplit("/", 1)[-1] or "file.jpg"
            if "://" in target:
                message = f"image from another site ({target}) is blocked: the site loads nothing from other hosts"
            else:
                message = f"Markdown image {target or '(no file)'} is neither resized nor copied into the site"
            if not alt:
                message += ", and it has no alt text"
            hint = f'put the file in content/images/ and write {{{{ image("{name}", alt="what the image shows") }}}}'
            found.append((lineno, m.start() + 1, message, hint))
    return found
