"""`build.py diff REF` names every figure whose value changed (old -> new), the sentences that
quote it, and the charts whose plotted data changed, using real git."""

from __future__ import annotations

import os
import subprocess

from conftest import FIXTURES, GIT_ENV, copy_explainer, run_build


def git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


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
        "### Sentences readers will read differently (1)",
        "",
        "- `index.md`: We picked 15,250 apples in 2022 (The orchard keeper). → We picked 15,300 apples in 2022 (The orchard keeper).",
        "",
        "### Figures whose value changed (1)",
        "",
        "- `apples_2022`: 15,250 → 15,300; source logbook ⚠ the value changed, but not its source nor the caveats; quoted in `index.md`",
        "",
        "### Data rows that changed (1)",
        "",
        "- `harvest` (1 row)",
        "    - year=2022, fruit=apple: count 15250 → 15300; source logbook ⚠ the value changed, but not its source nor the caveats: "
        "cite the source of the new value, or add a caveat",
        "",
        "### Charts whose plotted data changed (1)",
        "",
        "- `harvest_by_year` (Harvest per year): data changed (1 of 6 plotted rows)",
        "",
        "### Pages whose text changed (2)",
        "",
        "- `index.md`",
        "- `pears.md`",  # its chart's data table changed
    ]


def test_diff_in_every_language_with_a_new_source_and_caveat(tmp_path):
    """A revision done right (new source, new caveat) is not flagged; French sentences are listed too."""
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "repo")
    (root / "content" / "fr").mkdir()
    (root / "content" / "fr" / "index.md").write_text(
        "---\ntitle: Le verger\n---\nNous avons cueilli {{ fig.apples_2022 }} pommes en 2022.\n", encoding="utf-8"
    )
    (root / "content" / "fr" / "01-pears.md").write_text("---\ntitle: Poires\n---\nEn tout, {{ fig.pears_total }} poires.\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text("site_name: The orchard\nlanguages:\n  fr:\n    site_name: Le verger\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    data = root / "charts" / "data"
    (data / "sources.csv").write_text(
        (data / "sources.csv").read_text() + "almanac,Orchard almanac 2024,The almanac office,2024-02,https://example.org/almanac,Apples 2022: 15300\n"
    )
    csv = data / "harvest.csv"
    csv.write_text(csv.read_text().replace("2022,apple,15250,logbook", "2022,apple,15300,almanac"))
    pkg = data / "datapackage.json"
    pkg.write_text(
        pkg.read_text().replace(
            '"The 2021 pear count was revised from 310 to 312."',
            '"The 2021 pear count was revised from 310 to 312.", "The 2022 apple count was revised from 15,250 to 15,300."',
        )
    )
    git(root, "commit", "-qam", "revise")
    result = run_build(root, "diff", "HEAD~1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert (
        "- `fr/index.md`: Nous avons cueilli 15\u202f250 pommes en 2022. → Nous avons cueilli 15\u202f300 pommes en 2022." in out
        or "- `fr/index.md`: Nous avons cueilli 15 250 pommes en 2022. → Nous avons cueilli 15 300 pommes en 2022." in out
    ), out
    assert "- `apples_2022`: 15,250 → 15,300; source logbook → almanac; quoted in `index.md`, `fr/index.md`" in out
    assert "- `harvest` (1 row), caveats changed" in out
    assert "    - year=2022, fruit=apple: count 15250 → 15300; source logbook → almanac" in out
    assert "⚠" not in out.split("### Data rows")[0].split("### Figures")[1]
    assert "- `sources` (1 row)" in out and "    - added: id=almanac" in out


def test_diff_with_an_unknown_ref_is_a_usage_error(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    result = run_build(root, "diff", "no-such-branch")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "build.py diff: error: no-such-branch is not a commit, branch or tag of this repository (try origin/main, HEAD~1 or a tag)"
    ]
