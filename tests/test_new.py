"""`explainer new DIR` and the installed `explainer` command.

- `new` writes a minimal explainer that passes `check --strict` and builds straight away, whose
  .gitignore keeps the generated folders out of git, and whose two workflows pass actionlint and
  zizmor with the same security as this repository's own (pinned actions, read-only token not kept on
  disk, a push job that runs no repository code). A folder that is not empty is refused.
- The package installs with pip (`pip install .`, as `pipx install git+…` does) and its `explainer`
  command works from any folder: the theme, assets, templates, hooks and `new`'s template are found as
  package data. The build backend (setuptools) comes from PyPI, as in CI; the generator's own
  dependencies are the ones already installed (.venv), so nothing else is downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

import warm_build
from conftest import FIXTURES, REPO, run_build
from test_publish import _check_queue_keys, _run_actionlint
from test_workflow_security import ABOVE_INFORMATIONAL, _describe, _findings

SPEC = "explainer @ git+https://github.com/example/explainer@0123456789abcdef0123456789abcdef01234567"
FILES = [
    ".github/workflows/preview.yml",
    ".github/workflows/publish.yml",
    ".gitignore",
    "charts/data/datapackage.json",
    "charts/data/sources.csv",
    "charts/data/values.csv",
    "charts/figures.yml",
    "charts/values_by_year.py",
    "content/01-first-section.md",
    "content/index.md",
    "mkdocs.yml",
    "requirements.txt",
]


def _new(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return warm_build.run([str(REPO / "build.py"), "new", *args], cwd=cwd, timeout=60)  # forked warm (tests/warm_build.py)


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A new explainer, as `new` wrote it (tests copy it before building)."""
    root = tmp_path_factory.mktemp("new") / "crossings"
    result = _new(str(root), "--title", "Crossings: a guide", "--generator", SPEC)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(f"Wrote a new explainer into {root}: 12 files (")
    assert f"Next: python build.py check --strict --root {root} && python build.py build --root {root}" in result.stdout
    assert "replace OWNER" not in result.stdout  # --generator was given
    return root


def test_new_writes_the_minimal_explainer(fresh):
    assert _files(fresh) == FILES
    assert yaml.safe_load((fresh / "mkdocs.yml").read_text(encoding="utf-8")) == {"site_name": "Crossings: a guide"}
    assert (fresh / "requirements.txt").read_text(encoding="utf-8").splitlines()[-1] == SPEC
    assert (fresh / ".gitignore").read_text(encoding="utf-8").split("\n").count("/site/") == 1
    assert "{{ fig." in (fresh / "content" / "index.md").read_text(encoding="utf-8")
    assert '{{ chart("values_by_year") }}' in (fresh / "content" / "01-first-section.md").read_text(encoding="utf-8")


def test_new_explainer_passes_check_strict_and_builds(fresh, tmp_path):
    root = shutil.copytree(fresh, tmp_path / "crossings")
    check = run_build(root, "check", "--strict")
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stderr == ""  # not one warning
    assert check.stdout.strip() == "No problems: 2 pages, 2 figures, 1 charts checked."
    build = run_build(root, "--strict")
    assert build.returncode == 0, build.stdout + build.stderr
    assert ", 0 warnings." in build.stdout
    index = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "Crossings: a guide" in index and "7,390" in (root / "site" / "first-section" / "index.html").read_text(encoding="utf-8")
    assert "1,750" in index  # {{ fig.latest_value }}
    assert (root / "site" / "sources" / "index.html").is_file()
    # The .gitignore keeps everything the build wrote out of git: only the explainer's own files are new.
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    status = subprocess.run(["git", "status", "--porcelain", "-uall"], cwd=root, capture_output=True, text=True, check=True).stdout
    assert sorted(line[3:] for line in status.splitlines()) == FILES


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    result = _new(str(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"build.py: error: new: {tmp_path} is not empty; give a new or empty folder (nothing was written)\n"
    assert _files(tmp_path) == ["notes.txt"]
    result = _new(str(tmp_path / "untitled"), "--title", " ")
    assert result.returncode == 2 and result.stderr == "build.py: error: new: --title must be one line of text\n"
    assert not (tmp_path / "untitled").exists()
    (tmp_path / "file").write_text("", encoding="utf-8")
    result = _new(str(tmp_path / "file"))
    assert result.returncode == 2 and result.stderr == f"build.py: error: new: {tmp_path / 'file'} exists and is not a folder\n"


def test_new_without_generator_names_a_placeholder_and_says_so(tmp_path):
    """Run from a checkout, the generator cannot tell where it was installed from: requirements.txt
    holds a placeholder, and the output says to replace it. An empty folder is fine; the title
    comes from the folder's name."""
    root = tmp_path / "small-boats_2024"
    root.mkdir()
    result = _new(str(root))
    assert result.returncode == 0, result.stderr
    assert "requirements.txt names the generator as 'explainer @ git+https://github.com/OWNER/explainer@TAG': replace OWNER and TAG" in result.stdout
    assert yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8")) == {"site_name": "Small boats 2024"}


class _Installed:
    def __init__(self, direct_url: str | None):
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return self.direct_url if name == "direct_url.json" else None


COMMIT = "89abcdef0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    "direct_url, spec",
    [
        # pipx install git+https://github.com/example/explainer@v1.0: pinned to the commit pip installed
        (
            f'{{"url": "https://github.com/example/explainer", "vcs_info": {{"vcs": "git", "requested_revision": "v1.0", "commit_id": "{COMMIT}"}}}}',
            f"explainer @ git+https://github.com/example/explainer@{COMMIT}",
        ),
        (
            f'{{"url": "https://github.com/example/mono", "subdirectory": "gen", "vcs_info": {{"vcs": "git", "commit_id": "{COMMIT}"}}}}',
            f"explainer @ git+https://github.com/example/mono@{COMMIT}#subdirectory=gen",
        ),
        # never a token or user name in a file meant for git; nothing from a local folder or an index
        (f'{{"url": "https://x-access-token:secret@github.com/example/explainer", "vcs_info": {{"vcs": "git", "commit_id": "{COMMIT}"}}}}', None),
        (f'{{"url": "file:///home/me/explainer", "vcs_info": {{"vcs": "git", "commit_id": "{COMMIT}"}}}}', None),
        ('{"url": "file:///home/me/explainer", "dir_info": {}}', None),
        (None, None),
        ("not json", None),
    ],
)
def test_new_defaults_to_the_commit_pip_installed(monkeypatch, direct_url, spec):
    from explainer.commands import new

    monkeypatch.setattr(new.metadata, "distribution", lambda name: _Installed(direct_url))
    assert new.default_generator_spec() == spec


def _workflow(root: Path, name: str) -> tuple[str, dict]:
    text = (root / ".github" / "workflows" / name).read_text(encoding="utf-8")
    return text, yaml.safe_load(text)


def test_new_workflows_pass_actionlint(fresh):
    paths = sorted((fresh / ".github" / "workflows").glob("*.yml"))
    assert [p.name for p in paths] == ["preview.yml", "publish.yml"]
    code, lines = _run_actionlint(*paths)
    assert not lines, "\n".join(lines)
    for path in paths:
        assert not _check_queue_keys(yaml.safe_load(path.read_text(encoding="utf-8"))), path.name


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_new_workflows_pass_zizmor(fresh, persona):
    findings = _findings(fresh / ".github" / "workflows", persona)
    serious = [f for f in findings if f["determinations"]["severity"] in ABOVE_INFORMATIONAL]
    assert not serious, _describe(serious)


def test_new_workflows_keep_this_repositorys_security(fresh):
    """Same pins, permissions and jobs as .github/workflows here; the generator is installed from
    requirements.txt and run as `explainer`; the push job is this repository's, byte for byte."""
    for name in ("preview.yml", "publish.yml"):
        text, flow = _workflow(fresh, name)
        for uses in re.findall(r"uses:\s*(\S+)", text):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), f"{uses}: pin actions by full commit SHA"
        assert flow["permissions"] == {"contents": "read"} and "secrets." not in text
        for spec in flow["jobs"].values():
            for step in spec["steps"]:
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
        runs = "\n".join(s.get("run", "") for spec in flow["jobs"].values() for s in spec["steps"])
        assert ".venv/bin/pip install --quiet -r requirements.txt" in runs
        assert "build.py" not in runs and "make " not in runs and "requirements.lock" not in runs
    preview_text, preview = _workflow(fresh, "preview.yml")
    assert list(preview["jobs"]) == ["preview"]  # an explainer repository has no test suite
    assert ".venv/bin/explainer check --strict" in preview_text and ".venv/bin/explainer diff" in preview_text
    _, publish = _workflow(fresh, "publish.yml")
    _, ours = _workflow(REPO, "publish.yml")
    assert publish["jobs"]["push"] == ours["jobs"]["push"]
    assert publish["concurrency"] == ours["concurrency"] and publish[True] == ours[True]
    build_runs = "\n".join(s.get("run", "") for s in publish["jobs"]["build"]["steps"])
    assert '.venv/bin/explainer publish "${REF_NAME#edition-}" --alias latest\n' in build_runs
    assert ".venv/bin/explainer publish next --force\n" in build_runs and "--push" not in build_runs


# --- installed with pip ------------------------------------------------------------------------


def _site_packages() -> list[str]:
    paths = sysconfig.get_paths()
    return sorted({paths["purelib"], paths["platlib"]})


def test_pip_install_gives_a_working_explainer_command(tmp_path):
    """pip installs the package from a copy of the source (so no build/ or egg-info lands in this
    repository) into a fresh venv that sees this venv's dependencies through a .pth file; its
    `explainer` command then works from another folder: help, check of the orchard fixture, and
    `new` followed by a build (the template, theme, assets, page templates and MkDocs hooks all
    come from the installed package)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "explainer", src / "explainer", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    target = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    (target / "dependencies-from-test-venv.pth").write_text("\n".join(_site_packages()) + "\n", encoding="utf-8")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", "--no-deps", str(src)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    explainer = venv / "bin" / "explainer"
    assert explainer.is_file()
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def run(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
        return subprocess.run([str(explainer), *args], cwd=away, capture_output=True, text=True, timeout=timeout, env=env)

    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import explainer; print(explainer.__file__)"], cwd=away, capture_output=True, text=True, env=env, check=True
    ).stdout
    assert where.startswith(str(target)), where  # the installed copy, not this checkout
    helped = run("--help")
    assert helped.returncode == 0 and helped.stdout.startswith("usage: explainer "), helped.stdout + helped.stderr
    for command in ("build", "check", "serve", "diff", "publish", "new"):
        assert command in helped.stdout
    orchard = shutil.copytree(FIXTURES / "orchard", tmp_path / "orchard")
    checked = run("check", "--root", str(orchard))
    assert checked.returncode == 0 and checked.stdout.startswith("No problems: 2 pages"), checked.stdout + checked.stderr
    refused = run("check", "--root", str(tmp_path / "missing"))
    assert refused.returncode == 2 and refused.stderr.startswith("explainer: error: --root"), refused.stderr
    made = run("new", "fresh", "--generator", SPEC)
    assert made.returncode == 0, made.stderr
    assert "Next: cd fresh && explainer check --strict && explainer build" in made.stdout
    assert _files(away / "fresh") == FILES
    built = subprocess.run([str(explainer), "build", "--strict"], cwd=away / "fresh", capture_output=True, text=True, timeout=300, env=env)
    assert built.returncode == 0 and ", 0 warnings." in built.stdout, built.stdout + built.stderr
    page = (away / "fresh" / "site" / "first-section" / "index.html").read_text(encoding="utf-8")
    assert "explainer.css" in page and "<svg" in page and "Content-Security-Policy" in page  # theme, assets, chart, CSP hook
