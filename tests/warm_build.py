"""`python build.py ARGS`, started warm: the tests run build.py a few hundred times, and a fresh
interpreter spends about a second importing the generator before it reads a file (half of what
a build that stops on a broken input costs). Here each run is a process forked from the standard
library's fork server, which imported the generator once: still a process of its own, with its
own exit code, stdout and stderr (file descriptors 1 and 2, so MkDocs' output is caught too),
running build.py as `python build.py` does.

Not pytest-specific, so that the fork server imports nothing but the generator. Tests about
signals or process start-up (test_interrupt, test_serve) start real interpreters, and so does
a run whose environment differs from the one the fork server imported the generator in (a few
settings are read at import).
"""

from __future__ import annotations

import multiprocessing
import os
import runpy
import subprocess
import sys
import tempfile
from pathlib import Path

PRELOAD = ["warm_build", "explainer.cli", "explainer.pipeline"]
_server_env: dict[str, str] | None = None  # the environment the fork server was started in


def _comparable(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith("PYTEST")}


def _child(argv: list[str], cwd: str, env: dict[str, str], out: str, err: str) -> None:
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(f, fd)
        os.close(f)
    sys.argv = list(argv)
    runpy.run_path(argv[0], run_name="__main__")  # build.py ends in sys.exit(code): the process's exit code


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Like subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)."""
    global _server_env
    env = dict(os.environ if env is None else env)
    if _server_env is not None and _comparable(env) != _server_env:
        return subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    ctx = multiprocessing.get_context("forkserver")
    if _server_env is None:
        ctx.set_forkserver_preload(PRELOAD)
        _server_env = _comparable(dict(os.environ))
        if _comparable(env) != _server_env:
            return subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="warm-build-") as tmp:
        out, err = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
        proc = ctx.Process(target=_child, args=([str(a) for a in argv], str(cwd), env, out, err))
        proc.start()
        proc.join(timeout)
        if proc.exitcode is None:
            proc.kill()
            proc.join()
            raise subprocess.TimeoutExpired([sys.executable, *argv], timeout)
        read = [Path(p).read_text(encoding="utf-8") if os.path.exists(p) else "" for p in (out, err)]
        return subprocess.CompletedProcess([sys.executable, *argv], proc.exitcode, read[0], read[1])
