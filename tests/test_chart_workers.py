"""The chart workers (explainer/charts/pool.py): a chart that kills its process, crashes the
interpreter or never ends is reported by its path, and the other charts are still drawn."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO, copy_explainer, run_build, tree_hashes

DIED_HINT = "(a chart may not exit, crash the interpreter or call native code that does)"


def _chart(body: str) -> str:
    return f'"""Hostile\n\nA chart that misbehaves.\n"""\nimport os\nimport signal\nimport sys\n\n\ndef chart(data):\n    {body}\n'


def _cached(root, slug: str, language: str = "en") -> bool:
    return (root / ".cache" / "explainer" / "charts" / f"{slug}.{language}.json").is_file()


@pytest.mark.parametrize(
    "body, message",
    [
        ("os._exit(3)", f"charts/hostile.py: chart stopped the build: its process exited with code 3 {DIED_HINT}"),
        ("os.kill(os.getpid(), signal.SIGSEGV)", f"charts/hostile.py: chart stopped the build: its process was killed by signal SIGSEGV {DIED_HINT}"),
        ("sys.exit(3)", 'charts/hostile.py: chart called sys.exit(3) (return a chart from chart(data, t); to stop with a message, raise ValueError("..."))'),
    ],
    ids=["exit", "segfault", "sys.exit"],
)
def test_a_chart_that_kills_its_process_is_reported_by_its_path(tmp_path, body, message):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    assert run_build(root).returncode == 0
    before = tree_hashes(root / "site")
    (root / "charts" / "hostile.py").write_text(_chart(body))
    (root / "charts" / "data" / "harvest.csv").write_text(
        (root / "charts" / "data" / "harvest.csv").read_text().replace("2022,pear,330", "2022,pear,331")
    )  # the other chart must be drawn again, alongside
    result = run_build(root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [message, "Build stopped: 1 problem; site/ was left as it was."]
    assert tree_hashes(root / "site") == before
    assert _cached(root, "harvest_by_year"), "the other chart was drawn all the same"


def test_a_chart_that_never_ends_is_stopped_in_every_language_and_the_rest_is_drawn(tmp_path):
    from test_languages import add_french

    root = add_french(copy_explainer(FIXTURES / "orchard", tmp_path / "orchard"))
    (root / "charts" / "forever.py").write_text(_chart("while True:\n        pass"))
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "EXPLAINER_CHART_TIME_LIMIT": "2"},
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "charts/forever.py: chart took longer than 2 s and was stopped (look for a loop that never ends, or aggregate the data before charting it)",
        "Build stopped: 1 problem; site/ was left as it was.",
    ]
    assert _cached(root, "harvest_by_year", "en") and _cached(root, "harvest_by_year", "fr")


# A worker killed halfway through sending its result (a build stopped while a chart came back):
# the pool must still close. Run in a process of its own, so that a hang fails the test instead of
# hanging the run. This process's read count (/proc/self/io) shows when the result is halfway
# through the pipe (a pipe is read in pieces; the worker's single write is counted only at its end).
BIG_RESULT = "def big(n):\n    return b'x' * n\n"
CLOSE_WHILE_SENDING = """
import sys, time
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from explainer.charts.pool import ChartPool
import bigresult

SIZE = 300_000_000

def read_so_far():
    with open("/proc/self/io") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("rchar:"))

for attempt in range(5):
    pool = ChartPool(1)
    executor = pool._started_pool()
    executor.submit(bigresult.big, 1).result()  # the worker is up
    start = read_so_far()
    future = executor.submit(bigresult.big, SIZE)
    while read_so_far() - start < SIZE // 4 and not future.done():
        time.sleep(0.0002)
    if future.done():  # received whole before it was seen halfway: try again
        pool.close()
        continue
    pool.close()
    print("closed while sending")
    break
"""


def test_the_pool_closes_when_a_worker_dies_halfway_through_sending_its_result(tmp_path):
    (tmp_path / "bigresult.py").write_text(BIG_RESULT)
    proc = subprocess.Popen(  # -c: the workers' forkserver has no main module to import again
        [sys.executable, "-c", CLOSE_WHILE_SENDING, str(REPO), str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        pytest.fail("closing the pool hung: a worker killed while sending its result left the pool waiting for the rest")
    assert proc.returncode == 0, err
    assert out.strip() == "closed while sending", (out, err)
