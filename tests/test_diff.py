"""`build.py diff REF` names every figure whose value changed (old -> new), the sentences that
quote it, and the charts whose plotted data changed, using real git."""
from __future__ import annotations

import os
import subprocess

from conftest import FIXTURES, copy_explainer, run_build

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=GIT_ENV)


def test_diff_lists_changed_figures_sentences_and_charts(tmp_path):
    repo = tmp_path / "repo"
    root = copy_explainer(FIXTURES / "orchard", repo / "explainer")  # an explainer in a sub-folder of its repository
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "first edition")
    csv = root / "charts" / "data" / "harvest.csv"
    csv.write_text(csv.read_text().replace("2022,apple,15250", "2022,apple,15300"))
    git(repo, "commit", "-qam", "revise the 2022 apples")

    result = run_build(root, "diff", "HEAD~1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "## Changes since `HEAD~1`",
        "",
        "### Figures whose value changed (1)",
        "",
        "- `apples_2022`: 15,250 → 15,300",
        "    - content/index.md:5: We picked {{ fig.apples_2022 }} apples in 2022 ({{ fig.apples_2022.source }}).",
        "",
        "### Charts whose plotted data changed (1)",
        "",
        "- `harvest_by_year` (Harvest per year): data changed",
        "",
        "### Pages whose text changed (2)",
        "",
        "- `index.md`",
        "- `pears.md`",  # its chart's data table changed
    ]


def test_diff_with_an_unknown_ref_is_a_clear_error(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    result = run_build(root, "diff", "no-such-branch")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(".: git rev-parse --verify failed")
    assert "is REF a commit, branch or tag of this repository?" in result.stderr
