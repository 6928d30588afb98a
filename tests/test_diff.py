"""`build.py diff REF` names every figure whose value changed (old -> new), the sentences that
quote it, and the charts whose plotted data changed, using real git."""

from __future__ import annotations

import os
import re
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
        "- `apples_2022`: 15,250 → 15,300; source Orchard logbook (`logbook`) ⚠ the value changed, but not its source nor the caveats; quoted in `index.md`",
        "",
        "### Data rows that changed (1)",
        "",
        "- `harvest` (1 row)",
        "    - year 2022, fruit apple: count 15,250 → 15,300; source Orchard logbook (`logbook`) ⚠ the value changed, but not its source nor the caveats: "
        "cite the source of the new value, or add a caveat or a note",
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
    assert "- `apples_2022`: 15,250 → 15,300; source Orchard logbook (`logbook`) → Orchard almanac 2024 (`almanac`); quoted in `index.md`, `fr/index.md`" in out
    assert "- `harvest` (1 row), caveats changed" in out
    assert "    - year 2022, fruit apple: count 15,250 → 15,300; source Orchard logbook (`logbook`) → Orchard almanac 2024 (`almanac`)\n" in out
    assert "⚠" not in out.split("### Charts")[0]
    assert "- `sources` (1 row)" in out and "    - added: id almanac\n" in out


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


SALES_RESOURCE = """{
      "name": "sales",
      "path": "sales.csv",
      "title": "Fruit sold at the gate",
      "schema": {
        "fields": [
          {"name": "day", "type": "date"},
          {"name": "amount", "type": "number"},
          {"name": "currency", "type": "string"},
          {"name": "note", "type": "string"},
          {"name": "source_id", "type": "string"}
        ],
        "primaryKey": ["day", "source_id"],
        "missingValues": [""]
      }
    },
    {
      "name": "sources","""


def _orchard_with_sales(tmp_path):
    """The orchard with a second dataset: dates, amounts of money (a money figure quotes them), a note
    column, and a key that includes source_id, committed once."""
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "repo")
    data = root / "charts" / "data"
    pkg = data / "datapackage.json"
    pkg.write_text(pkg.read_text().replace('{\n      "name": "sources",', SALES_RESOURCE, 1))
    (data / "sales.csv").write_text(
        "day,amount,currency,note,source_id\n2022-03-01,1250.5,EUR,,logbook\n2022-06-15,2000,EUR,,logbook\n2022-09-30,300,EUR,,logbook\n"
    )
    figures = root / "charts" / "figures.yml"
    figures.write_text(figures.read_text() + "sales_total:\n  resource: sales\n  field: amount\n  agg: sum\n  format: money\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    return root, data


def test_diff_shows_changed_rows_as_a_reviewer_reads_them(tmp_path):
    """Amounts in the figure's format, dates written out, the key named without the source, the
    source by its title; flagged only where a value changed with neither a new source nor a note."""
    root, data = _orchard_with_sales(tmp_path)
    (data / "sales.csv").write_text(
        "day,amount,currency,note,source_id\n"
        "2022-03-01,1260.75,EUR,,logbook_revised\n"  # a new value with its new source
        "2022-06-15,2100,EUR,Corrected after the audit.,logbook\n"  # a new value explained in its note
        "2022-09-30,310,EUR,,logbook\n"  # a new value, unexplained
        "2022-12-01,50,EUR,,logbook\n"
    )
    git(root, "commit", "-qam", "revise the sales")
    result = run_build(root, "diff", "HEAD~1")
    assert result.returncode == 0, result.stderr
    rows = result.stdout.split("### Data rows that changed (4)\n\n")[1].split("\n\n")[0].splitlines()
    flag = "⚠ the value changed, but not its source nor the caveats: cite the source of the new value, or add a caveat or a note"
    assert rows == [
        "- `sales` (4 rows)",
        "    - day 1 March 2022: amount €1,250.50 → €1,260.75; source Orchard logbook (`logbook`) → Logbook, revised edition (`logbook_revised`)",
        "    - day 15 June 2022: amount €2,000 → €2,100; note (empty) → Corrected after the audit.; source Orchard logbook (`logbook`)",
        f"    - day 30 September 2022: amount €300 → €310; source Orchard logbook (`logbook`) {flag}",
        "    - added: day 1 December 2022: amount €50; source Orchard logbook (`logbook`)",
    ], result.stdout


HOSTILE = "Almanac <img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** `code` | \x1b[2J\x1b]0;pwned\x07\u202egnp.exe"


def test_diff_output_is_safe_in_markdown_and_in_a_terminal(tmp_path):
    """Values are untrusted: in the Markdown report they show as typed (no tag, link, image or code
    span of theirs); in --format text they are plain text without terminal escapes or bidi overrides."""
    root, data = _orchard_with_sales(tmp_path)
    (data / "sources.csv").write_text((data / "sources.csv").read_text() + f'almanac,"{HOSTILE}",The almanac office,2024-02,https://example.org/a,x\n')
    csv = data / "harvest.csv"
    csv.write_text(csv.read_text().replace("2022,apple,15250,logbook", "2022,apple,15300,almanac"))
    index = root / "content" / "index.md"
    index.write_text(index.read_text() + "\nA new sentence with &lt;script&gt;alert(1)&lt;/script&gt; and a [link](https://example.org).\n")
    git(root, "commit", "-qam", "hostile values")

    markdown = run_build(root, "diff", "HEAD~1")
    assert markdown.returncode == 0, markdown.stderr
    out = markdown.stdout
    assert (
        "source Orchard logbook (`logbook`) → Almanac &lt;img src=x onerror=alert(1)&gt; \\[click\\](javascript:alert(1)) \\*\\*bold\\*\\* \\`code\\` \\| \\[2J\\]0;pwnedgnp.exe (`almanac`)"
        in out
    )
    assert "- `index.md`: (new) A new sentence with &lt;script&gt;alert(1)&lt;/script&gt; and a link." in out
    assert "<img" not in out and "<script" not in out
    assert not re.search(r"(?<!\\)\]\(", out), "a link of the data's own"
    assert not any(c in out for c in "\x1b\x07\u202e")

    text = run_build(root, "diff", "HEAD~1", "--format", "text")
    assert text.returncode == 0, text.stderr
    assert "→ Almanac <img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** `code` | [2J]0;pwnedgnp.exe (`almanac`)" in text.stdout
    assert "- `index.md`: (new) A new sentence with <script>alert(1)</script> and a link." in text.stdout
    assert not any(c in text.stdout for c in "\x1b\x07\u202e")


def test_diff_outside_a_git_repository_is_a_usage_error(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "not-in-git")
    result = run_build(root, "diff", "HEAD")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"build.py diff: error: {root.resolve()} is not in a git repository: diff compares it with a commit (git init, then commit)"
    ]


def test_diff_with_an_unknown_format_is_a_usage_error(tmp_path):
    result = run_build(tmp_path, "diff", "HEAD", "--format", "html")
    assert result.returncode == 2
    assert "invalid choice: 'html'" in result.stderr


def test_reader_sentences_leave_out_markup_readers_do_not_see():
    from explainer.commands.diff import reader_sentences

    page = "---\ntitle: x\n---\n- [The patrol](the-patrol.md){: .explainer-chapterstitle } Gendarmes search **the** beaches.\n"
    assert reader_sentences(page) == ["The patrol Gendarmes search the beaches."]
