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
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

PRELOAD = ["warm_build", "explainer.cli", "explainer.pipeline"]
_server_env: dict[str, str] | None = None  # the environment the fork server was started in
_start_lock = threading.Lock()  # tests/test_hostile_corpus.py runs builds from two threads


# Variables the generator never reads at import: a run that differs from the fork server only in
# these is still forked warm (git reads GIT_* when the build runs it; os.environ is the run's own).
RUN_TIME_ONLY = ("PYTEST", "GIT_")


def _comparable(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith(RUN_TIME_ONLY)}


def _child(argv: list[str], cwd: str, env: dict[str, str], out: str, err: str, new_session: bool) -> None:
    if new_session:
        os.setsid()  # a process group of its own: run() kills it with everything it started
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(f, fd)
        os.close(f)
    sys.argv = list(argv)
    runpy.run_path(argv[0], run_name="__main__")  # build.py ends in sys.exit(code): the process's exit code


def _cold(argv: list[str], cwd: Path, env: dict[str, str], timeout: float, new_session: bool) -> subprocess.CompletedProcess:
    """A fresh interpreter, as subprocess.run would start it; on timeout its process group is killed."""
    proc = subprocess.Popen([sys.executable, *argv], cwd=cwd, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=new_session)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc.pid, new_session)
        out, err = proc.communicate()
        raise subprocess.TimeoutExpired(proc.args, timeout, out, err) from None
    finally:
        if proc.poll() is None:
            _kill(proc.pid, new_session)
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _kill(pid: int, group: bool) -> None:
    try:
        os.killpg(pid, signal.SIGKILL) if group else os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600, new_session: bool = False) -> subprocess.CompletedProcess:
    """Like subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout).
    new_session=True runs the build in a process group of its own, killed whole on timeout (a
    hostile chart may leave processes behind); TimeoutExpired then carries what it printed."""
    global _server_env
    env = dict(os.environ if env is None else env)
    ctx = multiprocessing.get_context("forkserver")
    with _start_lock:
        if _server_env is None:
            ctx.set_forkserver_preload(PRELOAD)
            _server_env = _comparable(dict(os.environ))
    if _comparable(env) != _server_env:
        return _cold(argv, cwd, env, timeout, new_session)
    with tempfile.TemporaryDirectory(prefix="warm-build-") as tmp:
        out, err = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
        proc = ctx.Process(target=_child, args=([str(a) for a in argv], str(cwd), env, out, err, new_session))
        proc.start()
        proc.join(timeout)
        timed_out = proc.exitcode is None
        if timed_out:
            assert proc.pid is not None
            _kill(proc.pid, new_session)
            proc.kill()
            proc.join()
        read = [Path(p).read_text(encoding="utf-8") if os.path.exists(p) else "" for p in (out, err)]
        if timed_out:
            raise subprocess.TimeoutExpired([sys.executable, *argv], timeout, read[0], read[1])
        assert proc.exitcode is not None
        return subprocess.CompletedProcess([sys.executable, *argv], proc.exitcode, read[0], read[1])
