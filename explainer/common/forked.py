"""Work run in a forked process, on another core: another language's pages, charts and site, or
a share of the charts. vl-convert draws one chart at a time per process (one JavaScript engine),
so threads alone cannot use a second core for charts; a forked child has its own engine and
shares everything loaded before the fork (imports, settings) without pickling it."""
from __future__ import annotations

import os
import signal
import sys
import time

from .problems import Problem, Problems

# A chart file is editor code. Its time limit is kept by the parent, which kills the child that
# runs it for too long (a chart can ignore or block SIGALRM, or hold the GIL in C code), and a
# child that dies while running one (os._exit, a segfault) is reported by the chart's path.
CHART_GRACE = 5  # seconds after the chart's own limit (its SIGALRM message is the friendlier one)
_report_running = None  # in a forked child: tells the parent which chart file runs now


def running(path: str | None, limit: int | None = None) -> None:
    """Called around editor code: path and limit while a chart file runs, None when it is done."""
    if _report_running is not None:
        _report_running(None if path is None else (path, limit))


def in_child() -> bool:
    """True in a forked chart or language process (which ignores Ctrl-C: its parent handles it)."""
    return _report_running is not None


def _died(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def can_fork() -> bool:
    """A fork copies only the thread that calls it: fork from a process that runs no other thread
    (serve's file watcher does) and has not started the chart engine (it runs in a thread of its
    own, which the child would lack: diff gathers twice in one process)."""
    import multiprocessing
    import threading

    return ("fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
            and "vl_convert" not in sys.modules)


class Forked:
    """Run fn(*args, receive, emit) in a forked child: it shares everything loaded so far without
    pickling it. send(value) passes it one more value (its receive() gives it); each emit(value)
    and its return value reach the parent, in order, through next(). Where fork is not
    available, fn runs in this process at the first next()."""

    def __init__(self, fn, *args):
        import multiprocessing

        self.fn, self.args, self.process, self.sent, self.queue = fn, args, None, None, None
        if not can_fork():
            return
        context = multiprocessing.get_context("fork")
        self.inbox, send = context.Pipe(duplex=False)
        receive, self.outbox = context.Pipe(duplex=False)
        self.process = context.Process(target=self._child, args=(send, receive), daemon=True)
        # Ctrl-C or SIGTERM in the middle of fork() would interrupt its bookkeeping (at-fork
        # handlers print "Exception ignored"): hold them until the child exists; they then stop
        # the build as usual.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        send.close()
        receive.close()

    def send(self, value) -> None:
        if self.process is None:
            self.sent = value
        else:
            self.outbox.send(value)

    def _child(self, send, receive) -> None:
        global _report_running
        _report_running = lambda value: send.send(("running", value))  # noqa: E731
        # The main process handles Ctrl-C and SIGTERM, and stops its children when it stops: a
        # child then ends at once and quietly (site.build_site clears what its MkDocs run left).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})  # held across the fork
        try:
            message = ("ok", self.fn(*self.args, receive.recv, lambda value: send.send(("ok", value))))
        except KeyboardInterrupt:  # stopped with the build (Ctrl-C, SIGTERM): the main process says so
            os._exit(130)
        except BaseException as e:  # noqa: BLE001 - reported by the parent, with the child's traceback
            import traceback

            message = ("error", f"{type(e).__name__}: {e}\n{traceback.format_exc()}")
        try:
            send.send(message)
        except OSError:  # the main process has stopped listening (it stopped first)
            os._exit(1)

    def next(self):
        if self.process is None:  # no fork: run it all now, keep its messages
            if self.queue is None:
                self.queue = []
                final = self.fn(*self.args, lambda: self.sent, self.queue.append)
                self.queue.append(final)
            return self.queue.pop(0)
        while True:
            chart = getattr(self, "chart", None)  # (path, limit, started) while a chart file runs
            wait = None if chart is None else chart[2] + chart[1] + CHART_GRACE - time.monotonic()
            if chart is not None and wait is not None and not self.inbox.poll(max(wait, 0)):
                self.process.kill()
                self.process.join()
                raise Problems([Problem(chart[0], None, None, f"chart took longer than {chart[1]} s and was stopped",
                                        "look for a loop that never ends, or aggregate the data before charting it")])
            try:
                status, value = self.inbox.recv()
            except EOFError:
                self.process.join()
                if chart is not None:
                    raise Problems([Problem(chart[0], None, None, f"chart stopped the build: its process {_died(self.process.exitcode)}",
                                            "a chart may not exit, crash the interpreter or call native code that does")]) from None
                raise RuntimeError(f"a forked part of the build stopped ({_died(self.process.exitcode)})") from None
            if status == "running":
                self.chart = None if value is None else (value[0], value[1], time.monotonic())
                continue
            if status == "error":
                raise RuntimeError(f"a forked part of the build failed: {value}")
            return value

    def __del__(self):  # interrupted (Ctrl-C, SIGTERM), or not needed further: stop the child too
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
