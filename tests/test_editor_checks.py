"""Editors' safety nets: `check`, typed-in numbers that should be figures, charts that never
finish, and a huge CSV with one bad cell near its end."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import FIXTURES, REPO, copy_explainer, run_build, tree_hashes


def _explainer(tmp_path):
    return copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")


def test_check_writes_nothing_and_reports_like_build(tmp_path):
    root = _explainer(tmp_path)
    ok = run_build(root, "check")
    assert ok.returncode == 0, ok.stderr
    assert "No problems: 2 pages, 2 figures, 1 charts checked." in ok.stdout
    assert not (root / "site").exists() and not (root / "docs").exists()
    (root / "content" / "index.md").write_text((root / "content" / "index.md").read_text() + "\n{{ fig.apples_2023 }}\n")
    bad = run_build(root, "check")
    assert bad.returncode == 1
    assert bad.stderr.splitlines() == [
        'content/index.md:7:8: unknown figure "apples_2023" (did you mean apples_2022?; figures are declared in charts/figures.yml)',
        "1 problem found.",
    ]


TYPED = """---
title: Typed
---
Apples reached 15,250 in 2022, or 15250 written plainly, and 1,350 in 2021.
Not flagged: the year 2021, 21 August 2021, the 280th day, 1,350 km, and {{ fig.apples_2022 }}.

> A quotation keeps its words: "15,250 apples".
"""


def test_typed_in_numbers_are_warnings_and_errors_with_strict(tmp_path):
    root = _explainer(tmp_path)
    (root / "content" / "02-typed.md").write_text(TYPED, encoding="utf-8")
    expected = [
        "content/02-typed.md:4:16: warning: number 15,250 is typed in, but the data holds it (use {{ fig.apples_2022 }})",
        "content/02-typed.md:4:35: warning: number 15250 is typed in, but the data holds it (use {{ fig.apples_2022 }})",
        "content/02-typed.md:4:62: warning: number 1,350 is typed in, but the data holds it (add a figure for it to charts/figures.yml and use {{ fig.name }})",
    ]
    built = run_build(root)
    assert built.returncode == 0, built.stderr
    assert built.stderr.splitlines() == expected
    assert "3 warnings" in built.stdout
    strict = run_build(root, "--strict")
    assert strict.returncode == 1
    assert strict.stderr.splitlines()[:-1] == expected


def test_a_chart_that_never_finishes_is_stopped(tmp_path):
    root = _explainer(tmp_path)
    assert run_build(root).returncode == 0
    before = tree_hashes(root / "site")
    (root / "charts" / "forever.py").write_text('"""Forever\n\nA chart whose code never ends.\n"""\n\n\ndef chart(data):\n    while True:\n        pass\n')
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "EXPLAINER_CHART_TIME_LIMIT": "2"},
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "charts/forever.py: chart took longer than 2 s and was stopped (look for a loop that never ends, or aggregate the data before charting it)"
    )
    assert "Traceback" not in result.stderr
    assert tree_hashes(root / "site") == before


def test_huge_csv_bad_cell_near_the_end_is_found(tmp_path):
    root = _explainer(tmp_path)
    rows = ["year,fruit,count,source_id"] + [f"{2000 + i // 2 % 20},{'apple' if i % 2 else 'pear'},{i},logbook" for i in range(300_000)]
    rows[-3] = "2019,apple,many,logbook"
    schema_file = root / "charts" / "data" / "datapackage.json"
    schema_file.write_text(schema_file.read_text().replace('"primaryKey": ["year", "fruit"],', ""))
    (root / "charts" / "data" / "harvest.csv").write_text("\n".join(rows) + "\n")
    result = run_build(root, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        'charts/data/harvest.csv:299999:12: "many" in column "count" is not a valid integer (fix the value or the field\'s type in datapackage.json)'
    )


def test_misspellings_are_flagged_and_the_word_list_silences_them(tmp_path):
    root = _explainer(tmp_path)
    (root / "content" / "02-spelling.md").write_text("---\ntitle: Spelling\n---\nThe boat was recieved by Darmanin's teh gendarmes.\n")
    result = run_build(root, "check")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        'content/02-spelling.md:4:14: warning: "recieved" may be misspelt (did you mean received? If the word is right, add it to spelling.txt)',
        'content/02-spelling.md:4:37: warning: "teh" may be misspelt (did you mean the? If the word is right, add it to spelling.txt)',
    ]
    assert "2 warnings" in result.stdout
    (root / "spelling.txt").write_text("teh\n")
    assert len(run_build(root, "check").stderr.splitlines()) == 1
    assert run_build(root, "check", "--strict").returncode == 1


def test_source_addresses_must_be_web_addresses(tmp_path):
    root = _explainer(tmp_path)
    sources = root / "charts" / "data" / "sources.csv"
    sources.write_text(sources.read_text().replace("https://example.org/logbook-revised", "javascript:alert(1)"))
    result = run_build(root, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "charts/data/sources.csv:3: source 'logbook_revised' has no valid web address: 'javascript:alert(1)' "
        "(give the full http:// or https:// address of the document, without spaces or brackets)"
    )


def test_data_that_passed_is_not_validated_again_but_any_change_is(tmp_path):
    root = _explainer(tmp_path)
    assert run_build(root, "check").returncode == 0
    stamps = list((root / ".cache" / "explainer" / "data").glob("valid-*"))
    assert len(stamps) == 2, "one per resource: harvest and sources"
    csv = root / "charts" / "data" / "harvest.csv"
    csv.write_text(csv.read_text().replace("2021,apple,1350", "2021,apple,-1"))
    bad = run_build(root, "check")
    assert bad.returncode == 1 and "breaks a constraint" in bad.stderr
    assert list((root / ".cache" / "explainer" / "data").glob("valid-*")) == stamps, "a failed validation is not remembered"


def test_an_edit_to_one_csv_validates_that_resource_and_those_whose_keys_point_into_it(tmp_path, monkeypatch):
    """serve validates again only what an edit can have broken: a resource's rows, and the
    resources whose foreign keys refer to it (harvest's source_id refers to sources)."""
    import frictionless

    from explainer.common.problems import Collector
    from explainer.data import load

    root = _explainer(tmp_path)
    validated: list[str] = []
    validate = frictionless.Resource.validate

    def counted(self, *args, **kwargs):
        validated.append(self.name)
        return validate(self, *args, **kwargs)

    monkeypatch.setattr(frictionless.Resource, "validate", counted)

    def load_now() -> list[str]:
        validated.clear()
        problems = Collector(root)
        assert load.load(root, problems) is not None, problems.items
        return sorted(validated)

    assert load_now() == ["harvest", "sources"]
    assert load_now() == [], "nothing changed"
    harvest = root / "charts" / "data" / "harvest.csv"
    harvest.write_text(harvest.read_text().replace("2022,pear,330", "2022,pear,333"))
    assert load_now() == ["harvest"]
    sources = root / "charts" / "data" / "sources.csv"
    sources.write_text(sources.read_text().replace("Orchard logbook,", "The orchard logbook,"))
    assert load_now() == ["harvest", "sources"]
    # a source id that a harvest row names, removed: harvest is checked again, and fails
    text = sources.read_text()
    used = harvest.read_text().splitlines()[1].rsplit(",", 1)[-1]
    sources.write_text("\n".join(line for line in text.splitlines() if not line.startswith(used + ",")) + "\n")
    problems = Collector(root)
    assert load.load(root, problems) is None and any("harvest.csv" in str(p) for p in problems.items), problems.items
