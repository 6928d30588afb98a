"""Work run in a forked process, on another core: another language's pages, charts and site, or
a share of the charts. vl-convert draws one chart at a time per process (one JavaScript engine),
so threads alone cannot use a second core for charts; a forked child has its own engine and
shares everything loaded before the fork (imports, settings) without pickling it."""
from __future__ import annotations

import os
import signal
import sys


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
        try:
            status, value = self.inbox.recv()
        except EOFError:
            raise RuntimeError(f"a forked part of the build stopped (exit code {self.process.exitcode})") from None
        if status == "error":
            raise RuntimeError(f"a forked part of the build failed: {value}")
        return value

    def __del__(self):  # interrupted (Ctrl-C, SIGTERM), or not needed further: stop the child too
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
