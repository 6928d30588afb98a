"""MkDocs hook for `build.py serve` only (never in a published build): the theme's Jinja templates
are compiled once and kept in a bytecode cache beside the generated configuration, so each
rebuild of the preview skips recompiling Material's ~40 templates (about two thirds of a small
explainer's build time). Jinja checks each template's source against its cached code, so an
edited template is recompiled. It changes nothing in the pages."""

from __future__ import annotations

from pathlib import Path

import jinja2


def on_env(env, config, files):
    folder = Path(config.config_file_path).parent / "jinja-cache"
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
    return env
