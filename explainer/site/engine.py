"""The site engine, run as a command: MkDocs (the default) or Zensical, its successor, chosen by
one setting ($EXPLAINER_SITE_ENGINE). Both read the same generated configuration, written beside
its docs with `site_dir` in it (Zensical has no `-d` and wants both folders under the config's);
after either one, the same post-build step (postbuild.py) sets the Content-Security-Policy and
the sitemap's hreflang over the finished HTML.

`python -m explainer.site.engine build --config-file FILE` is what mike runs when publishing (it
calls `mkdocs` from PATH; publish.py puts a `mkdocs` wrapper that runs this first on PATH), so an
edition gets the post-build step too."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata, util
from pathlib import Path
from typing import Sequence

from ..common import settings
from . import postbuild, warm

ENGINES = settings.SITE_ENGINES
PACKAGES = {"mkdocs": ("mkdocs", "mkdocs-material"), "zensical": ("zensical",)}
# Where each engine's theme templates are (package, folder): their inline scripts are the theme's own.
TEMPLATES = {"mkdocs": ("material", "templates"), "zensical": ("zensical", "templates")}


def chosen() -> str:
    return settings.environment().EXPLAINER_SITE_ENGINE


def versions(engine: str) -> str:
    """The engine's packages and versions, for the build digest (another version rebuilds)."""
    return ";".join(f"{n}={metadata.version(n)}" for n in PACKAGES[engine])


def templates(engine: str) -> Path:
    package, folder = TEMPLATES[engine]
    spec = util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{package} is not installed: the {engine} engine needs it")
    return Path(list(spec.submodule_search_locations)[0]) / folder


def command(engine: str, config: Path) -> list[str]:
    if engine == "zensical":  # never --clean: it empties .cache/ beside the config, where ours is too
        return [sys.executable, "-m", "zensical", "build", "--strict", "-f", str(config)]
    return [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config)]


def start(config: Path, cwd: Path, env: dict | None = None, engine: str | None = None) -> subprocess.Popen:
    """Start the engine on `config` as a subprocess (each language's site builds alongside the others)."""
    return start_command(command(engine or chosen(), config), cwd, env)


def start_command(argv: Sequence[str], cwd: Path, env: dict | None = None) -> subprocess.Popen:
    """Run an engine command; under `serve`, `python -m mkdocs ...` runs forked from the warm
    server (warm.py) instead, with the same arguments, exit code and output."""
    if warm.started() and list(argv[1:3]) == ["-m", "mkdocs"]:
        return warm.run(list(argv), cwd, env)  # type: ignore[return-value]  # what the build uses of a Popen
    return subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish(site_dir: Path, env: dict | None = None, engine: str | None = None) -> list[str]:
    """The post-build step over a finished site; returns its errors (an inline script the theme did
    not emit: the policy would block it, so the build fails)."""
    epoch = int((env or os.environ).get("SOURCE_DATE_EPOCH") or 0)
    return postbuild.finish(site_dir, templates(engine or chosen()), epoch)


def build(config: Path, site_dir: Path, cwd: Path, env: dict | None = None, engine: str | None = None) -> subprocess.CompletedProcess:
    """Build the site `config` describes into `site_dir` (the config's own site_dir), then run the
    post-build step over it. A failed build is returned as it is, untouched."""
    proc = start(config, cwd, env, engine)
    stdout, stderr = proc.communicate()
    if proc.returncode == 0 and (errors := finish(site_dir, env, engine)):
        return subprocess.CompletedProcess(proc.args, 1, stdout, stderr + "".join(f"\nERROR    -  {e}" for e in errors))
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def config_file(argv: list[str]) -> Path:
    """The configuration a `mkdocs build` command line names."""
    return Path(argv[argv.index("--config-file") + 1] if "--config-file" in argv else argv[argv.index("-f") + 1]).resolve()


def main(argv: list[str]) -> int:
    """mike's `mkdocs build --clean --config-file FILE`; anything else (`--version`) goes to MkDocs."""
    if "build" not in argv:
        return subprocess.call([sys.executable, "-m", "mkdocs", *argv])
    config = config_file(argv)
    from .mkdocs import read_site_dir

    proc = build(config, read_site_dir(config), config.parent, {**os.environ})
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
