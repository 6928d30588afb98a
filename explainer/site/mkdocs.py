"""Stage 5: write docs/ (only files whose bytes changed), generate the MkDocs configuration,
run `mkdocs build` into a temporary folder and swap it into site/ only on success.

MkDocs is driven as a command, never imported: moving to its successor stays a small change.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import yaml

from ..common import safe_yaml, settings
from ..common.problems import Collector

ASSETS = Path(__file__).parent / "assets"
THEME = Path(__file__).parent / "theme"
GENERATED = Path(".cache") / "explainer"
# Required keys the generator owns; everything else in the editor's mkdocs.yml is kept.
DEFAULTS = {
    "theme": {
        "name": "material",
        "features": ["navigation.footer", "navigation.top", "search.highlight", "content.tooltips"],
        "palette": [
            {"media": "(prefers-color-scheme: light)", "scheme": "default", "primary": "indigo", "accent": "indigo",
             "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"}},
            {"media": "(prefers-color-scheme: dark)", "scheme": "slate", "primary": "indigo", "accent": "indigo",
             "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"}},
        ],
    },
    "markdown_extensions": ["attr_list", "md_in_html", "tables", "admonition", {"toc": {"permalink": True}}],
    "plugins": ["search"],
    "use_directory_urls": True,
    "validation": {
        "omitted_files": "warn", "absolute_links": "warn", "unrecognized_links": "warn",
        "anchors": "warn", "not_found": "warn",
    },
}
# Curly quotes and apostrophes (“…”, ’), en and em dashes (--, ---) and ellipses in English prose
# (Python-Markdown's smarty). Other languages have their own rules (French writes « » with narrow
# no-break spaces, which its editors type): their text is left as written.
SMARTY_LANGUAGES = {"en"}
SMARTY = {"smarty": {"smart_angled_quotes": False}}
OWN_CSS = "assets/explainer/explainer.css"
NOT_IN_NAV = "/figures.md"
CSP_HOOK = str(Path(__file__).parent / "hooks" / "csp.py")
SANITIZE_HOOK = str(Path(__file__).parent / "hooks" / "sanitize.py")
THEME_HOOK = str(Path(__file__).parent / "hooks" / "theme.py")
OWN_JS = {"path": "assets/explainer/charts.js", "defer": True}


class Tagged:
    """A YAML value with a custom tag (e.g. !!python/name:...), carried through untouched."""

    def __init__(self, tag, value):
        self.tag, self.value = tag, value


class _Loader(safe_yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


# MkDocs' own loader builds Python objects from these tags: !!python/object/apply:os.system runs a
# command. Only !!python/name: (a reference such as Material's emoji index, nothing called) and
# MkDocs' own tags (!ENV, !relative) are carried through to the generated configuration.
CALLING_TAGS = ("tag:yaml.org,2002:python/object", "tag:yaml.org,2002:python/module")


def _construct_tagged(loader, suffix, node):
    tag = node.tag
    if tag.startswith(CALLING_TAGS):
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag {tag.replace('tag:yaml.org,2002:', '!!')} is not allowed (it runs Python)", node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        return Tagged(tag, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return Tagged(tag, loader.construct_sequence(node, deep=True))
    return Tagged(tag, loader.construct_mapping(node, deep=True))


def _represent_tagged(dumper, data: Tagged):
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, data.value)


_Loader.add_multi_constructor("!", _construct_tagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_tagged)
_Dumper.add_representer(Tagged, _represent_tagged)


def read_user_config(root: Path, problems: Collector) -> dict | None:
    path = root / "mkdocs.yml"
    if not path.is_file():
        problems.add(path, "mkdocs.yml not found", hint="create it with one line: site_name: Your explainer")
        return None
    try:
        config = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except yaml.YAMLError as e:
        message, line, col, hint = safe_yaml.error_parts(e)
        problems.add(path, f"invalid YAML: {message}", line, col, hint=hint)
        return None
    if not isinstance(config, dict):
        config = {}
    _, issues = settings.check(settings.MkDocsSettings, config)
    in_languages = [i for i in issues if i.key == "languages"]
    for issue in issues:
        line = None if issue.key == "languages" else 1 if issue.kind == "missing" else _key_line(path, issue.key)
        problems.add(path, issue.message, line, 1 if line else None, hint=issue.hint)
    if len(in_languages) < len(issues):
        return None
    if in_languages:  # a language with a problem is left out; the others are still built and checked
        bad = {i.loc[1] for i in in_languages if len(i.loc) > 1}
        declared = config.get("languages")
        config = ({**config, "languages": {k: v for k, v in declared.items() if k not in bad}} if isinstance(declared, dict)
                  else {k: v for k, v in config.items() if k != "languages"})
    return config


def _key_line(path: Path, key: str) -> int | None:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return i
    return None


def for_language(user: dict, lang, langs: list) -> dict:
    """The editor's settings for one language's site: its theme language (Material's words,
    lang attribute, search stemmer), its own site_name etc., and the switcher's languages."""
    config = {k: v for k, v in user.items() if k != "languages"}  # ours, not MkDocs'
    config["theme"] = {**(user.get("theme") if isinstance(user.get("theme"), dict) else {}), "language": lang.code}
    config.update(lang.settings)
    if user.get("site_url") and lang.prefix:
        config["site_url"] = str(user["site_url"]).rstrip("/") + "/" + lang.prefix
    if len(langs) > 1:  # Material shows its language selector when extra.alternate is set
        up = "../" * lang.prefix.count("/")
        alternate = [{"name": other.name, "lang": other.code, "link": (up + other.prefix) or "./"} for other in langs]
        config["extra"] = {**(user.get("extra") or {}), "alternate": alternate}
    return config


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _extension_names(items) -> set[str]:
    return {next(iter(i)) if isinstance(i, dict) else i for i in items}


def mkdocs_config(user: dict, root: Path, nav: list[dict], extra: dict | None = None, docs_dir: Path | None = None) -> dict:
    config = _merge(DEFAULTS, {k: v for k, v in user.items() if k not in ("markdown_extensions", "plugins", "extra_css", "extra_javascript", "languages")})
    config["theme"] = {**config["theme"], "font": False, "custom_dir": str(THEME)}  # system fonts: no Google Fonts request
    exts = list(DEFAULTS["markdown_extensions"])
    exts += [e for e in user.get("markdown_extensions", []) if (next(iter(e)) if isinstance(e, dict) else e) not in _extension_names(exts)]
    language = str((config.get("theme") or {}).get("language") or "en")
    if language.split("-")[0] in SMARTY_LANGUAGES and "smarty" not in _extension_names(exts):
        exts.append(SMARTY)  # typographer's quotes, apostrophes and dashes
    config["markdown_extensions"] = exts
    plugins = list(user.get("plugins", ["search"]))
    if "search" not in _extension_names(plugins):
        plugins.insert(0, "search")
    config["plugins"] = plugins
    config["extra_css"] = [OWN_CSS, *user.get("extra_css", [])]
    config["extra_javascript"] = [OWN_JS, *user.get("extra_javascript", [])]
    config["docs_dir"] = str(docs_dir or root / "docs")
    config["nav"] = nav
    config["not_in_nav"] = NOT_IN_NAV  # the figures appendix, reached from the sources page
    # The generated config lives elsewhere: the editor's hooks are found from mkdocs.yml's folder.
    config["hooks"] = [str((root / h).resolve()) if isinstance(h, str) else h for h in user.get("hooks", [])]
    if extra:
        config = _merge(config, extra)
    # Sanitising first: it sees the content as Markdown made it. CSP last: it hashes the final scripts.
    # The theme's fixes (escaping, valid HTML) right after: they must see titles before any plugin.
    ours = (CSP_HOOK, SANITIZE_HOOK, THEME_HOOK)
    config["hooks"] = [SANITIZE_HOOK, THEME_HOOK] + [h for h in config["hooks"] if h not in ours] + [CSP_HOOK]
    return config


def write_if_changed(path: Path, content: bytes | str) -> bool:
    data = content.encode("utf-8") if isinstance(content, str) else content
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def sync_docs(docs: Path, files: dict[str, bytes | str], keep: list[str] = ()) -> int:
    """Make docs/ hold exactly `files` (and whatever is under the `keep` folders, such as fr/);
    touch only what changed. Returns how many were written."""
    written = sum(write_if_changed(docs / name, content) for name, content in sorted(files.items()))
    kept = {str(Path(n)) for n in files} | {".gitkeep"}
    for path in sorted(docs.rglob("*"), reverse=True) if docs.is_dir() else []:
        rel = str(path.relative_to(docs))
        if any(rel == k.rstrip("/") or rel.startswith(k) for k in keep):
            continue
        if path.is_file() and rel not in kept:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written


def source_date_epoch(root: Path) -> str:
    """Dates in the site (sitemap) come from the commit, never from the build clock."""
    epoch = settings.environment().SOURCE_DATE_EPOCH
    if epoch:
        return epoch
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return "315532800"  # 1980-01-01: fixed, so a build outside git is reproducible too


def write_config(root: Path, config: dict, name: str = "mkdocs.yml") -> Path:
    """Write the generated MkDocs configuration (only if it changed) and return its path."""
    cfg = root / GENERATED / name
    cfg.parent.mkdir(parents=True, exist_ok=True)
    write_if_changed(cfg, yaml.dump(config, Dumper=_Dumper, sort_keys=True, allow_unicode=True))
    return cfg


def build_digest(root: Path, config: dict, files: dict[str, bytes | str]) -> str:
    """A digest of everything `mkdocs build` turns into a site: the docs, the configuration, the
    theme overrides and hooks, the commit date and the MkDocs and Material versions."""
    import hashlib
    from importlib import metadata

    h = hashlib.sha256()
    for name, content in sorted(files.items()):
        h.update(name.encode() + b"\0" + (content.encode("utf-8") if isinstance(content, str) else content) + b"\0")
    h.update(yaml.dump(config, Dumper=_Dumper, sort_keys=True, allow_unicode=True).encode())
    for path in sorted(THEME.rglob("*")) + [Path(h_) for h_ in config.get("hooks", []) if isinstance(h_, str)]:
        if path.is_file():
            h.update(str(path).encode() + b"\0" + path.read_bytes())
    versions = ";".join(f"{n}={metadata.version(n)}" for n in ("mkdocs", "mkdocs-material"))
    h.update(f"{source_date_epoch(root)};{versions}".encode())
    return h.hexdigest()


WARNING = re.compile(r"^(WARNING|ERROR)\s+-\s+(.*)$")
DOC_FILE = re.compile(r"Doc file '([^']+)'")


def build_site(root: Path, config: dict, page_sources: dict[str, Path], problems: Collector, site_dir: Path | None = None,
               config_name: str = "mkdocs.yml", before_swap=None) -> bool:
    """Run mkdocs build (strict) into a temporary folder, then swap it in as site/.
    `before_swap(folder)` may add to the new site first; returning False abandons it."""
    site = site_dir or root / "site"
    cfg = write_config(root, config, config_name)
    tmp = site.with_name(f".{site.name}.tmp-{os.getpid()}")
    _remove_abandoned(site)
    shutil.rmtree(tmp, ignore_errors=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": source_date_epoch(root), "PYTHONHASHSEED": "0"}
    try:
        proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(cfg), "-d", str(tmp)],
                              cwd=root, capture_output=True, text=True, env=env)
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): leave no half-built folder behind
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        reported = False
        for line in (proc.stdout + proc.stderr).splitlines():
            m = WARNING.match(line.strip())
            if m and "Aborted with" not in m.group(2):
                doc = DOC_FILE.search(m.group(2))
                where = page_sources.get(doc.group(1), root / "mkdocs.yml") if doc else root / "mkdocs.yml"
                problems.add(where, f"mkdocs: {m.group(2)}")
                reported = True
        if not reported:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            problems.add(root / "mkdocs.yml", f"mkdocs build failed: {tail[0]}")
        return False
    try:
        if before_swap is not None and not before_swap(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
            return False
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = site.with_name(f".{site.name}.old-{os.getpid()}")
    # The swap is two renames; hold Ctrl-C and SIGTERM until both are done, so site/ never goes missing.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        if site.exists():
            os.replace(site, old)
        os.replace(tmp, site)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    try:
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:  # stopped while removing the old site: finish, so it is not left behind
        shutil.rmtree(old, ignore_errors=True)
        raise
    return True


def _remove_abandoned(site: Path) -> None:
    """Temporary folders of builds whose process is gone (a language's process stopped with the
    build it belonged to); a build still running elsewhere keeps its own."""
    for tmp in site.parent.glob(f".{site.name}.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def asset_files(vega_js: bytes) -> dict[str, bytes]:
    files = {f"assets/explainer/{p.name}": p.read_bytes() for p in sorted(ASSETS.iterdir()) if p.is_file()}
    files["assets/explainer/vega.js"] = vega_js
    return files


def chart_files(charts) -> dict[str, str]:
    files = {}
    for slug, chart in charts.items():
        files[f"assets/charts/{slug}.vg.json"] = json.dumps(chart.vega, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if chart.narrow_vega:
            files[f"assets/charts/{slug}.narrow.vg.json"] = json.dumps(chart.narrow_vega, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        files[f"assets/charts/{slug}.csv"] = chart.csv
        if chart.png:
            files[f"assets/charts/{slug}.png"] = base64.b64decode(chart.png)
    return files
