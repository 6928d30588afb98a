"""`explainer new DIR`: write a minimal explainer that builds and passes `check --strict` at once.

The files come from new-template/ beside this module (package data): a lede and one section, a
data package with one CSV and its sources, one chart, the figures the prose quotes, a .gitignore,
and the two workflows (preview, publish) of a standalone explainer repository, which installs the
generator from requirements.txt. Names starting with `dot-` in the template are written with a dot
(`dot-github` -> `.github`), so the package itself carries no hidden files.
"""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

TEMPLATE = Path(__file__).parent / "new-template"
PLACEHOLDER_SPEC = "explainer @ git+https://github.com/OWNER/explainer@TAG"
SITE_NAME = "__SITE_NAME__"


class NewError(Exception):
    """A usage error: the folder cannot be written (exit code 2)."""


def default_generator_spec() -> str | None:
    """The pip requirement that installs this very generator, when pip recorded where it came from
    (PEP 610): `pipx install git+URL@REF` gives `explainer @ git+URL@COMMIT`. None otherwise (run
    from a checkout, or installed from a local folder or an index)."""
    try:
        dist = metadata.distribution("explainer")
        direct = json.loads(dist.read_text("direct_url.json") or "null")
    except (metadata.PackageNotFoundError, ValueError):
        return None
    if not isinstance(direct, dict):
        return None
    vcs = direct.get("vcs_info")
    url = direct.get("url", "")
    parts = urlsplit(url) if isinstance(url, str) else None
    if (
        isinstance(vcs, dict)
        and vcs.get("vcs") == "git"
        and re.fullmatch(r"[0-9a-f]{40}", str(vcs.get("commit_id", "")))
        and parts
        and parts.scheme == "https"
        and "@" not in parts.netloc
    ):  # never a user name or token
        subdir = direct.get("subdirectory")
        return f"explainer @ git+{url}@{vcs['commit_id']}" + (f"#subdirectory={subdir}" if subdir else "")
    return None


def title_from(folder: Path) -> str:
    """`my-first_explainer` -> `My first explainer`."""
    words = re.sub(r"[-_.\s]+", " ", folder.resolve().name).strip()
    return (words[:1].upper() + words[1:]) if words else "My explainer"


def _yaml_string(text: str) -> str:
    """A YAML scalar that reads back as exactly `text` (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _template_files() -> list[tuple[Path, Path]]:
    """(template file, path relative to the new folder), sorted."""
    files = []
    for path in sorted(TEMPLATE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = Path(*(("." + part[4:]) if part.startswith("dot-") else part for part in path.relative_to(TEMPLATE).parts))
            files.append((path, rel))
    return files


def create(folder: Path, title: str | None = None, generator: str | None = None, prog: str = "explainer") -> list[str]:
    """Write the explainer into `folder` (missing or empty). Returns lines to print."""
    if folder.exists() and not folder.is_dir():
        raise NewError(f"{folder} exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise NewError(f"{folder} is not empty; give a new or empty folder (nothing was written)")
    title = (title_from(folder) if title is None else title).strip()
    if not title or "\n" in title:
        raise NewError("--title must be one line of text")
    spec = (generator or default_generator_spec() or PLACEHOLDER_SPEC).strip()
    if not spec or "\n" in spec:
        raise NewError("--generator must be one pip requirement, e.g. 'explainer @ git+https://github.com/OWNER/explainer@v1.0'")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for src, rel in _template_files():
        text = src.read_text(encoding="utf-8")
        if rel == Path("mkdocs.yml"):
            text = text.replace(SITE_NAME, _yaml_string(title))
        elif rel.suffix == ".md":
            text = text.replace(SITE_NAME, _yaml_string(title))  # front matter is YAML too
        elif rel.suffix == ".json":
            text = text.replace(f'"{SITE_NAME}"', json.dumps(title, ensure_ascii=False))
        dest = folder / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
        written.append(rel.as_posix())
    (folder / "requirements.txt").write_text(
        "# The generator that builds this explainer (pip requirement); CI installs it with\n"
        "# `pip install -r requirements.txt`. Pin a tag or, better, a commit.\n"
        f"{spec}\n",
        encoding="utf-8",
    )
    written.append("requirements.txt")
    lines = [f"Wrote a new explainer into {folder}: {len(written)} files ({', '.join(sorted(written))})."]
    if spec == PLACEHOLDER_SPEC:
        lines.append(f"requirements.txt names the generator as {spec!r}: replace OWNER and TAG (or pass --generator) before the workflows can install it.")
    if prog == "explainer":
        lines.append(f"Next: cd {folder} && explainer check --strict && explainer build")
    else:
        run = "python build.py" if prog == "build.py" else prog
        lines.append(f"Next: {run} check --strict --root {folder} && {run} build --root {folder}")
    return lines
