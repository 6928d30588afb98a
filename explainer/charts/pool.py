"""Chart workers: a standard process pool that runs the editors' chart code and draws the charts.

- Why processes: vl-convert draws one chart at a time per process and holds the GIL meanwhile
  (DESIGN.md), so threads cannot use a second core; processes can.
- Why forkserver: a fork copies only the thread that calls it, and the build process has threads
  (serve's file watcher; pyarrow's and vl-convert's own). The forkserver is a clean process,
  started once, that imports Altair, pandas and vl-convert (PRELOAD); each worker is forked from
  it in milliseconds and starts its own chart engine in the initializer, while the build checks
  the data. `serve` keeps the same pool, warm, from one rebuild to the next.
- One task is one chart in one language; its result (the drawn chart, or the problems) comes back
  pickled. The tables do not travel with the tasks: the build writes them once, after checking
  them, as Arrow IPC files that the workers memory-map (write_tables).
- The chart time limit is kept here, by the parent: each worker notes in a shared array which
  task it runs, in which process, since when; the parent kills a worker that overruns. A worker
  that dies (a chart calls os._exit or crashes the interpreter) is reported by the chart it was
  running, with its exit code or signal. Either breaks a ProcessPoolExecutor (it fails every
  unfinished task): the pool is replaced and the other unfinished tasks are submitted again.
"""

from __future__ import annotations

import atexit
import hashlib
import itertools
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..common import stop
from ..common.problems import Collector, Problem

# Imported once by the forkserver, so that every worker starts with them loaded. This module itself
# imports nothing heavy (the renderer and pandas only in functions): the command line imports it to
# start the workers before it imports the rest of the build.
PRELOAD = ["explainer.charts.pool", "explainer.charts.render", "altair", "pyarrow", "vl_convert", "vegafusion"]
# Where charts and their cache live in an explainer (chartfile.CHARTS_DIR, pipeline's cache folder),
# for the guess made before those modules are imported.
CHARTS_DIR, CACHE_DIR = Path("charts"), Path(".cache") / "explainer" / "charts"
SLOTS = 4096  # tasks noted at once in the shared array (by task id modulo SLOTS); far above the workers
MAX_ATTEMPTS = 2  # a task cut short twice when no worker is to blame is reported as its own
TIMEOUT_HINT = "look for a loop that never ends, or aggregate the data before charting it"
DIED_HINT = "a chart may not exit, crash the interpreter or call native code that does"
STATUS_LOST = 255  # multiprocessing's exit code for a forkserver worker whose status could not be read


# --- in a worker ------------------------------------------------------------------------------

_slots = None  # the shared array: per slot (task id, pid, monotonic start)
_tables: dict[str, object] = {}  # Arrow file -> DataFrame, for the data this worker read last


def _start_worker(slots) -> None:
    """Initializer. Ctrl-C in a terminal reaches every process of its group: the build decides
    what stops (it kills its workers), so a worker ignores it."""
    global _slots
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _slots = slots
    from . import render

    render.warm_up()  # the engine's first start costs ~0.5 s: paid here, while the data is checked


def _ready() -> int:
    return os.getpid()


def _load_tables(files: dict[str, str]) -> dict:
    """The tables, from the Arrow files the build wrote; kept while the data does not change."""
    global _tables
    import pyarrow as pa

    def read(path):
        with pa.memory_map(path) as source:
            return pa.ipc.open_file(source).read_all().to_pandas()

    _tables = {path: _tables[path] if path in _tables else read(path) for path in files.values()}
    return {name: _tables[path] for name, path in files.items()}


def _draw(task_id: int, root: Path, source, tables: dict[str, str], language, preview: bool):
    """One chart (a chartfile.ChartSource) in one language: (RenderedChart or None, problems)."""
    from ..data.load import DataPackage
    from .compile import TooLarge, _build_spec
    from .render import _render_with_preview

    slot, slots = task_id % SLOTS * 3, _slots
    assert slots is not None, "a worker's initializer sets the shared clock slots"

    def clock(running: bool) -> None:
        """Around the editor's code: the parent keeps its time limit from this start."""
        slots[slot + 1], slots[slot + 2], slots[slot] = os.getpid(), time.monotonic() if running else 0.0, task_id

    clock(False)  # started: a death from now on is this task's
    problems = Collector(root)
    try:
        package = DataPackage({}, _load_tables(tables), {})
        built = _build_spec(source, package, problems, language, clock)
        if built is None:
            return None, problems.items
        try:
            return _render_with_preview((source, *built), preview), problems.items
        except TooLarge as e:
            problems.add(source.path, str(e), hint=e.hint)
        except Exception as e:
            problems.add(source.path, f"chart cannot be rendered: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
    except BaseException as e:  # noqa: BLE001 - whatever editor code raises is a problem with that chart, never a stop
        problems.add(source.path, f"chart cannot be rendered: {type(e).__name__}: {e}")
    return None, problems.items


# --- in the build -----------------------------------------------------------------------------


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _died(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def write_tables(package, folder: Path) -> dict[str, str]:
    """Every table of the data package as an Arrow IPC file, named by its content (a worker that
    read it once keeps it); gives resource name -> file. Files of older data are removed."""
    import pyarrow as pa

    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, frame in package.tables.items():
        sink = pa.BufferOutputStream()
        table = pa.Table.from_pandas(frame)
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        data = sink.getvalue()
        path = folder / f"{name}-{hashlib.sha256(data).hexdigest()[:24]}.arrow"
        if not path.is_file():
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        files[name] = str(path)
    for old in folder.glob("*.arrow"):  # a worker still reading one keeps its mapping after the unlink
        if str(old) not in files.values():
            old.unlink(missing_ok=True)
    return files


def _start_forkserver() -> None:
    """Start the forkserver with Ctrl-C ignored. Ctrl-C in a terminal reaches the whole process
    group, and the forkserver ignores it only once it has imported PRELOAD: before that, it printed
    a KeyboardInterrupt traceback from inside Altair. An ignored signal stays ignored across exec,
    and Python then installs no Ctrl-C handler of its own. The build ignores Ctrl-C only for the
    few milliseconds the start takes. Signal handlers can be changed only in the main thread;
    elsewhere the pool starts the forkserver itself, as before."""
    if threading.current_thread() is not threading.main_thread():
        return
    from multiprocessing import forkserver

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


class ChartPool:
    """A ProcessPoolExecutor of chart workers, started on demand and replaced when a worker dies."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or _cpus()
        # numpy's OpenBLAS starts a thread per core at import: with one worker per core, one each is
        # enough, and the forkserver (started from this environment) then forks with no other thread.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        self._slots = self._context.RawArray("d", SLOTS * 3)
        self._ids = itertools.count(1)
        self._executor: ProcessPoolExecutor | None = None
        self._starting: threading.Thread | None = None
        self._start_error: BaseException | None = None  # why the last start failed, for the message

    def start(self) -> None:
        """Start the workers; returns at once. Starting a worker waits for the forkserver, which
        imports Altair and pandas first (about a second): a thread waits for it, while the build
        goes on checking the data."""
        if self._executor is None and self._starting is None:
            _start_forkserver()
            self._starting = threading.Thread(target=self._start, name="chart-pool-start", daemon=True)
            self._starting.start()

    def _start(self) -> None:
        executor = None
        try:
            executor = ProcessPoolExecutor(self.workers, mp_context=self._context, initializer=_start_worker, initargs=(self._slots,))
            for _ in range(self.workers):  # the pool starts a worker per submitted task, up to `workers`
                executor.submit(_ready)
        except BrokenProcessPool:
            pass  # a worker died at once: draw() finds the pool broken, replaces it and says why
        except Exception as e:  # kept for _started_pool, which tries once more and then says why
            self._start_error = e
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)
            return
        self._executor = executor

    def _started_pool(self) -> ProcessPoolExecutor:
        """The pool, once started (started now if it was not)."""
        self.start()
        if self._starting is not None:
            while self._starting.is_alive():
                stop.check()
                self._starting.join(stop.POLL)
            self._starting = None
        if self._executor is None:  # the start failed (seen once on a loaded machine): once more, here
            self._start()
        if self._executor is None:
            error = self._start_error
            raise RuntimeError(f"the chart workers could not be started: {type(error).__name__}: {error}") from error
        return self._executor

    def close(self) -> None:
        """Stop every worker now (what they run is abandoned)."""
        if self._starting is not None:
            self._starting.join()  # at most the forkserver's start
            self._starting = None
        executor, self._executor = self._executor, None
        if executor is None:
            return
        kill = getattr(executor, "kill_workers", None)  # Python 3.14
        if kill is not None:
            kill()
        else:
            for process in list((executor._processes or {}).values()):
                process.kill()
        # A worker killed while it was sending its result leaves half a message in the result pipe,
        # and the executor's manager thread waits for the rest for ever (shutdown() never returns;
        # seen when a build was stopped). Besides the workers, only this process holds the pipe's
        # write end: closing it here lets that wait end (EOF) as the killed workers' copies go.
        # (No join here: two threads reading a forkserver worker's exit status can lose it.)
        executor._result_queue._writer.close()  # type: ignore[attr-defined]  # no public API closes it
        executor.shutdown(wait=True, cancel_futures=True)

    def _started(self, task_id: int) -> tuple[int, float]:
        """(pid of the worker running this task, since when the chart's own code runs (0: not now)),
        or (0, 0) if no worker has taken it."""
        slot = task_id % SLOTS * 3
        if int(self._slots[slot]) != task_id:
            return 0, 0.0
        return int(self._slots[slot + 1]), self._slots[slot + 2]

    def _exit_codes(self) -> dict[int, int | None]:
        """After the pool broke: pid -> exit code of each of its workers (it stops them all).

        Read from the executor's private `_processes`: no public API gives a worker's exit code
        (3.14's kill_workers only kills). The workers are the forkserver's children, so this process
        cannot os.waitpid() them, and multiprocessing.active_children() forgets those that ended;
        only the executor's Process objects hold the status the forkserver reports.
        BrokenProcessPool's message (3.11) names neither the worker nor its code."""
        assert self._executor is not None
        processes = dict(self._executor._processes or {})
        for process in processes.values():
            process.join(5)
        return {pid: process.exitcode for pid, process in processes.items()}

    def draw(self, root: Path, tasks: list[tuple], tables: dict[str, str], on_result=None, meanwhile=None) -> list[tuple]:
        """Draw every (ChartSource, Language, preview) task; gives (RenderedChart or None,
        problems) for each, in order. on_result(index, result) is called as each one arrives;
        meanwhile(), the build's own work, once: while the workers start, or once the tasks are sent."""
        from .render import CHART_TIME_LIMIT as limit

        results: list = [None] * len(tasks)
        attempts = [0] * len(tasks)
        todo = list(range(len(tasks)))
        try:
            while todo:
                self.start()
                if meanwhile is not None and self._executor is None:  # the workers are still starting
                    meanwhile, work = None, meanwhile
                    work()
                executor = self._started_pool()
                running, cut_short, killed = {}, [], {}
                for i in todo:
                    attempts[i] += 1
                    task_id = next(self._ids)
                    source, language, preview = tasks[i]
                    try:
                        running[executor.submit(_draw, task_id, root, source, tables, language, preview)] = (i, task_id)
                    except BrokenProcessPool:  # a worker died before this task was taken (while starting, or idle)
                        cut_short.append((i, task_id))
                todo = []
                if meanwhile is not None:
                    meanwhile, work = None, meanwhile
                    work()
                while running:
                    done, _ = wait(running, timeout=stop.POLL, return_when=FIRST_COMPLETED)
                    stop.check()
                    for future in done:
                        i, task_id = running.pop(future)
                        try:
                            results[i] = future.result()
                        except BrokenProcessPool:
                            cut_short.append((i, task_id))
                            continue
                        if on_result:
                            on_result(i, results[i])
                    now = time.monotonic()
                    for i, task_id in running.values():
                        pid, since = self._started(task_id)
                        if pid and since and pid not in killed and now - since > limit:
                            os.kill(pid, signal.SIGKILL)  # the pool breaks; the loop then collects every task
                            killed[pid] = i
                if not cut_short:
                    continue
                exits = self._exit_codes()
                # The worker that broke the pool: one killed for its time, or one that died by itself
                # (the pool stops the others with SIGTERM).
                # 255 is not a chart's: it is what multiprocessing gives when a forkserver worker's status
                # was read by another thread first (the executor's own, which joins the workers it stops);
                # such a task is tried again, and reported as its own only if it stops the pool twice.
                culprits = set(killed) | {pid for pid, code in exits.items() if code not in (None, -signal.SIGTERM, STATUS_LOST)}
                for i, task_id in cut_short:
                    pid, _ = self._started(task_id)
                    path = Collector(root).rel(tasks[i][0].path)
                    if pid in killed:
                        results[i] = (None, [Problem(path, None, None, f"chart took longer than {limit} s and was stopped", TIMEOUT_HINT)])
                    elif pid and (pid in culprits or (not culprits and attempts[i] >= MAX_ATTEMPTS)):
                        results[i] = (None, [Problem(path, None, None, f"chart stopped the build: its process {_died(exits.get(pid))}", DIED_HINT)])
                    elif culprits:  # stopped because another chart broke the pool: not its fault, again
                        attempts[i] -= 1
                        todo.append(i)
                    elif attempts[i] >= MAX_ATTEMPTS:
                        raise RuntimeError(f"the chart workers keep stopping (exit codes: {sorted(exits.values(), key=str)})")
                    else:
                        todo.append(i)
                    if on_result and results[i] is not None:
                        on_result(i, results[i])
                self.close()  # a broken pool takes no more tasks: the next round starts a new one
        except BaseException:  # stopped, or a bug: no worker may go on running a chart
            self.close()
            raise
        return results


def likely_needed(root: Path) -> bool:
    """A cheap guess, from file times only, before anything is read: will some chart need drawing?
    Yes for a chart with no cache entry, or with one older than the newest file under charts/
    (code or data edited; a cache hit makes its entry newer again). An edit to prose starts no
    worker; a wrong guess only costs time (draw() starts them anyway)."""
    charts, cache = root / CHARTS_DIR, root / CACHE_DIR
    slugs = [p.stem for p in charts.glob("*.py") if not p.name.startswith("_")]
    edited = max((p.stat().st_mtime for p in charts.rglob("*") if p.is_file() and "__pycache__" not in p.parts), default=0.0)

    def fresh(entry: Path) -> bool:
        try:
            return entry.stat().st_mtime >= edited
        except OSError:
            return False

    return any(not (entries := list(cache.glob(f"{slug}.*.json"))) or not all(map(fresh, entries)) for slug in slugs)


_shared: ChartPool | None = None


def shared() -> ChartPool:
    """The process's pool, started at first use and kept (serve's rebuilds find it warm)."""
    global _shared
    if _shared is None:
        _shared = ChartPool()
        atexit.register(close_shared)  # used as a library (tests, benchmarks): no worker outlives the interpreter
    _shared.start()
    return _shared


def close_shared() -> None:
    if _shared is not None:
        _shared.close()
