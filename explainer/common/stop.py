"""Stopping a build cleanly: Ctrl-C and SIGTERM set a flag; the build looks at it between stages
and while it waits (for chart workers, MkDocs, codespell, mike) and raises Stopped there.

Why a flag and not the usual KeyboardInterrupt: Python raises KeyboardInterrupt wherever the main
thread happens to be, including inside its own callbacks (a weak reference's, an import lock's),
where it is printed as "Exception ignored" and lost, and between two renames of the site swap.
With a flag the build stops only at points where stopping is ordinary `finally` code. A stage
that computes (validating the data) finishes first; every wait is at most POLL seconds deaf.
"""

from __future__ import annotations

import signal
import subprocess
import threading

POLL = 0.1  # seconds a wait goes without looking at the flag

_requested = threading.Event()


class Stopped(KeyboardInterrupt):
    """Raised at a safe point once Ctrl-C or SIGTERM was received (the command line says so)."""


def _request(signum, frame) -> None:
    _requested.set()


def install() -> None:
    """In the main thread of a command: Ctrl-C and SIGTERM request a stop from now on."""
    _requested.clear()
    signal.signal(signal.SIGINT, _request)
    signal.signal(signal.SIGTERM, _request)


def requested() -> bool:
    return _requested.is_set()


def request() -> None:
    """Ask the build to stop (as a signal would): serve does when its server ends."""
    _requested.set()


def check() -> None:
    """A safe point: stop here if asked to."""
    if _requested.is_set():
        raise Stopped()


def wait_for(proc: subprocess.Popen, communicate: bool = False):
    """Wait for a subprocess, stopping (Stopped) if asked to meanwhile; the caller kills it then.
    With communicate=True, gives (stdout, stderr) as Popen.communicate does."""
    while True:
        check()
        try:
            return proc.communicate(timeout=POLL) if communicate else proc.wait(timeout=POLL)
        except subprocess.TimeoutExpired:
            pass
