"""The site engine kept warm, for `build.py serve`: each `mkdocs build` runs in a process forked
from the standard library's fork server, which imported MkDocs, Material and its plugins once.

A fresh interpreter spends most of a second importing them before it reads a page; a fork from the
server starts in milliseconds. Each run is still a process of its own, running MkDocs' command line
(`mkdocs.__main__.cli`) with the arguments a subprocess would get, so its exit code, output and
messages are those of `python -m mkdocs build ...`, and nothing (plugin state, a logging handler)
carries over from one build to the next. The generator still knows MkDocs only by its command line.

The chart workers (charts/pool.py) fork from the same server, as there is one per Python process.
It preloads MkDocs only (about 0.25 s of CPU; the chart stack takes 1.2 s): the first preview
then never waits for Altair, and each chart worker imports the chart stack as it starts, in the
background. It must start before the chart workers do, with PYTHONHASHSEED=0 (a forked process
keeps the server's hash seed; subprocess builds set it in their environment): `start()`.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# What a build imports before it reads a page (python -X importtime -m mkdocs build): MkDocs, its
# command line, Material's theme and search plugin, the Markdown extensions the generator turns on.
PRELOAD = [
    "mkdocs.__main__",
    "mkdocs.commands.build",
    "mkdocs.config.defaults",
    "material",
    "material.plugins.search.plugin",
    "material.extensions.emoji",
    "markdown",
    "markdown.extensions.attr_list",
    "markdown.extensions.md_in_html",
    "markdown.extensions.tables",
    "markdown.extensions.admonition",
    "markdown.extensions.toc",
    "markdown.extensions.smarty",
    "jinja2",
    "babel.dates",
]
_started = False


def start() -> None:
    """Start the fork server now (it imports MkDocs in the background); builds started with `run`
    fork from it. Call before anything else uses the fork server (the chart workers)."""
    global _started
    os.environ["PYTHONHASHSEED"] = "0"  # as the subprocess builds' environment (site/mkdocs.py)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as pool.ChartPool: the server forks with no other thread
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    from multiprocessing import forkserver

    forkserver.ensure_running()
    _started = True


def started() -> bool:
    return _started


def _cli(argv: list[str], cwd: str, env: dict[str, str], out: str, err: str) -> None:
    """In the forked process: `mkdocs ARGV` as the command would run it (it ends in sys.exit)."""
    os.chdir(cwd)
    for fd, path in ((1, out), (2, err)):
        f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(f, fd)
        os.close(f)
    if os.environ.get("PYTHONHASHSEED") != env.get("PYTHONHASHSEED"):
        # The server was started by someone else, with another hash seed (fixed at interpreter
        # start): a cold run of the command, so that the output is exactly a subprocess build's.
        os.execve(sys.executable, [sys.executable, "-m", "mkdocs", *argv], env)
    os.environ.clear()
    os.environ.update(env)
    from mkdocs.__main__ import cli

    sys.argv = ["mkdocs", *argv]
    cli.main(args=argv, prog_name="python -m mkdocs")  # as Click names `python -m mkdocs`; it exits as the command does


class Run:
    """`mkdocs ARGV` in a process forked from the warm server, with what subprocess.Popen (text
    mode, stdout and stderr captured) offers the build: poll, wait, communicate, kill, returncode."""

    def __init__(self, args: list[str], argv: list[str], cwd: Path, env: dict[str, str]):
        self.args: list[str] = args
        self.returncode: int | None = None
        self.stdout = self.stderr = None  # no pipes: the output is read from files when it ends
        self._tmp = tempfile.mkdtemp(prefix="explainer-engine-")
        self._out, self._err = os.path.join(self._tmp, "stdout"), os.path.join(self._tmp, "stderr")
        context = multiprocessing.get_context("forkserver")
        self._proc = context.Process(target=_cli, args=(argv, str(cwd), env, self._out, self._err), name="mkdocs build")
        self._proc.start()

    def poll(self) -> int | None:
        if self.returncode is None and not self._proc.is_alive():
            self._proc.join()
            self.returncode = self._proc.exitcode  # negative for a signal, as Popen's
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        self._proc.join(timeout)
        if self.poll() is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        assert self.returncode is not None
        return self.returncode

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        self.wait(timeout)
        read = [Path(p).read_text(encoding="utf-8", errors="replace") if os.path.exists(p) else "" for p in (self._out, self._err)]
        shutil.rmtree(self._tmp, ignore_errors=True)
        return read[0], read[1]

    def kill(self) -> None:
        if self._proc.is_alive():
            self._proc.kill()

    def __del__(self):
        shutil.rmtree(getattr(self, "_tmp", ""), ignore_errors=True)


def run(command: list[str], cwd: Path, env: dict[str, str] | None) -> Run:
    """`command` is `[python, -m, mkdocs, ARGS...]` (engine.command): its ARGS, run warm."""
    assert command[1:3] == ["-m", "mkdocs"], command
    return Run(command, command[3:], cwd, dict(os.environ if env is None else env))
