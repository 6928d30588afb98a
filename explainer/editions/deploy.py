"""Running mike: `mike deploy` and `mike set-default` as commands, in a process group of their own,
with a `mkdocs` first on mike's PATH that runs the chosen site engine and the post-build step.

Reads the generated configuration (through mike); mike commits onto the local gh-pages branch.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from ..common import git, stop
from ..common.files import CACHE_DIR
from ..site import mkdocs as site
from .gh_pages import BRANCH

MIKE_FILES = {"versions.json", ".nojekyll", "index.html"}
MIKE_MAIN = "import sys; from mike.driver import main; sys.exit(main())"


def stage_dir(root: Path) -> Path:
    """Where mike's build leaves the edition's shared files (edition_build.py) for publish to commit."""
    return root / CACHE_DIR / "publish-shared"


def run_mike(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run mike, in a process group of its own: Ctrl-C reaches this process only, and an interrupted
    publish kills the whole group (mike, mkdocs, git fast-import) before it puts gh-pages back, so no
    child can still move the branch afterwards."""
    wrapper = Path(tempfile.mkdtemp(prefix="explainer-mike-"))
    scripts = [str(wrapper), sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    env = {
        **os.environ,
        "PATH": os.pathsep.join([*scripts, os.environ.get("PATH", "")]),  # mike runs `mkdocs` from PATH
        "SOURCE_DATE_EPOCH": site.source_date_epoch(root),
        "PYTHONHASHSEED": "0",
    }
    _write_engine_wrapper(wrapper / "mkdocs", stage_dir(root))
    # mike has no `python -m mike`; this is what its `mike` console script runs, with this interpreter.
    proc = subprocess.Popen(
        [sys.executable, "-c", MIKE_MAIN, *args], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    try:
        out, err = stop.wait_for(proc, communicate=True)  # Ctrl-C and SIGTERM set the stop flag (common/stop.py)
    except BaseException:
        _kill_group(proc)
        # A ref lock left by a git process of that group, killed mid-update, would block putting
        # the branch back: the group is gone, so the lock is stale.
        lock = git.run(root, "rev-parse", "--git-path", f"refs/heads/{BRANCH}.lock").stdout.strip()
        if lock:
            (root / lock).unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(wrapper, ignore_errors=True)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _write_engine_wrapper(path: Path, stage: Path) -> None:
    """The `mkdocs` mike finds first on PATH: the site engine (MkDocs or Zensical) and the post-build
    step (Content-Security-Policy, sitemap), so an edition is built as `build.py` builds it; then
    its shared files are moved out to `stage` (edition_build.py)."""
    package_parent = Path(__file__).resolve().parents[2]  # this generator, wherever it was installed
    path.write_text(
        "#!/bin/sh\n"
        f"PYTHONPATH={shlex.quote(str(package_parent))}${{PYTHONPATH:+:$PYTHONPATH}} "
        f'exec {shlex.quote(sys.executable)} -m explainer.editions.edition_build {shlex.quote(str(stage))} "$@"\n',
        encoding="utf-8",
    )
    path.chmod(0o755)


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the process group started by run_mike and wait (briefly) until none of it is left."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # grandchildren (git fast-import) are reaped by init
        try:
            os.killpg(proc.pid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.02)
