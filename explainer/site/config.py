"""The engine's configuration: the editor's mkdocs.yml read safely (tags that would run Python
refused, problems located), one language's settings, and the generated configuration (the theme,
hooks, extensions and defaults the generator owns; everything else the editor wrote is kept).

Reads: mkdocs.yml. Writes nothing (mkdocs.py writes the generated file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..common import safe_yaml, settings
from ..common.i18n import strings
from ..common.problems import Collector

THEME = Path(__file__).parent / "theme"
# Required keys the generator owns; everything else in the editor's mkdocs.yml is kept.
DEFAULTS: dict[str, Any] = {
    "theme": {
        "name": "material",
        # navigation.tabs: the chapters as one compact row under the masthead on wide screens
        "features": ["navigation.footer", "navigation.top", "navigation.tabs", "search.highlight", "content.tooltips"],
        # custom: the masthead's paper and ink and the links' blue are set in explainer.css
        "palette": [
            {
                "media": "(prefers-color-scheme: light)",
                "scheme": "default",
                "primary": "custom",
                "accent": "custom",
                "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"},
            },
            {
                "media": "(prefers-color-scheme: dark)",
                "scheme": "slate",
                "primary": "custom",
                "accent": "custom",
                "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"},
            },
        ],
    },
    "markdown_extensions": ["attr_list", "md_in_html", "tables", "admonition", {"toc": {"permalink": True}}],
    "plugins": ["search"],
    "use_directory_urls": True,
    "validation": {
        "omitted_files": "warn",
        "absolute_links": "warn",
        "unrecognized_links": "warn",
        "anchors": "warn",
        "not_found": "warn",
    },
}
# Curly quotes and apostrophes (“…”, ’), en and em dashes (--, ---) and ellipses in English prose
# (Python-Markdown's smarty). Other languages have their own rules (French writes « » with narrow
# no-break spaces, which its editors type): their text is left as written.
SMARTY_LANGUAGES = {"en"}
SMARTY = {"smarty": {"smart_angled_quotes": False}}
OWN_CSS = "assets/explainer/explainer.css"
NOT_IN_NAV = "/figures.md"
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
            None, None, f"the tag {tag.replace('tag:yaml.org,2002:', '!!')} is not allowed (it runs Python)", node.start_mark
        )
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
        line = None if issue.key == "languages" else 1 if issue.kind == "missing" else safe_yaml.key_line(path.read_text(encoding="utf-8"), issue.key)
        problems.add(path, issue.message, line, 1 if line else None, hint=issue.hint)
    if len(in_languages) < len(issues):
        return None
    if in_languages:  # a language with a problem is left out; the others are still built and checked
        bad = {i.loc[1] for i in in_languages if len(i.loc) > 1}
        declared = config.get("languages")
        config = (
            {**config, "languages": {k: v for k, v in declared.items() if k not in bad}}
            if isinstance(declared, dict)
            else {k: v for k, v in config.items() if k != "languages"}
        )
    return config


def for_language(user: dict, lang, langs: list) -> dict:
    """The editor's settings for one language's site: its theme language (Material's words,
    lang attribute, search stemmer), its own site_name etc., and the switcher's languages."""
    config = {k: v for k, v in user.items() if k != "languages"}  # ours, not MkDocs'
    theme = user.get("theme")
    config["theme"] = {**(theme if isinstance(theme, dict) else {}), "language": lang.code}
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
    words = strings(language.split("-")[0])
    if config["theme"].get("palette") == DEFAULTS["theme"]["palette"]:  # ours: its switch speaks the page's language
        config["theme"]["palette"] = [
            _merge(scheme, {"toggle": {"name": words[mode]}}) for scheme, mode in zip(DEFAULTS["theme"]["palette"], ("dark_mode", "light_mode"))
        ]
    # The theme's own words (theme/main.html), in the page's language
    config["extra"] = {**(config.get("extra") or {}), "explainer_words": {k: words[k] for k in ("outdated", "read_latest", "made_with")}}
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
    # Sanitising first: it sees the content as Markdown made it. The theme's fixes (escaping, valid
    # HTML) right after: they must see titles before any plugin. The Content-Security-Policy is set
    # after the build, on the finished pages (postbuild.py).
    ours = (SANITIZE_HOOK, THEME_HOOK)
    config["hooks"] = [SANITIZE_HOOK, THEME_HOOK] + [h for h in config["hooks"] if h not in ours]
    return config
