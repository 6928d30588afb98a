"""Stage 6: publish the site as an edition on the gh-pages branch, with mike.

    python build.py publish EDITION [--alias latest] [--push] [--remote NAME] [--allow-dirty] [--force]

An edition is one folder on gh-pages (`2021-10/`), never touched again once published: a later
edition adds its own folder, moves the `latest` alias and rewrites `versions.json` and the root
redirect, nothing else. In order, and stopping with Problems at the first step that fails:

1. check the edition and alias names, the working tree (clean unless --allow-dirty) and the
   remote (only with --push); fetch the remote's gh-pages and bring the local branch up to it
   (without --push a failed fetch is not fatal: the branch is brought up to the remote's gh-pages
   as last fetched, which is how the publish workflow's read-only build job works);
2. refuse an edition already published from another commit, and `latest` moving back to an edition
   older than the newest one published, unless --force;
3. build with the pipeline (every input checked, strict MkDocs) with Material's version selector
   (`extra.version.provider: mike`) and the edition line at the foot of every page;
4. `mike deploy` the same generated configuration onto the local gh-pages branch (mike builds it
   again, keeps versions.json and the aliases; its build moves the theme's and the generator's files
   out of the edition, editions/shared_assets.py); commit those files not yet on gh-pages under
   `_shared/` (editions/gh_pages_shared.py); `mike set-default latest` for the root redirect;
5. check those commits touched nothing outside this edition, its aliases and mike's own files, but
   for new files under `_shared/` (never one changed or deleted), and that re-publishing from the
   same commit rebuilt the same bytes; else undo them;
6. push gh-pages (with --push); a rejected push undoes the local commits too. The result line says
   what the edition added to the published site in bytes and the site's size, with a warning over
   800 MB (GitHub Pages refuses a site over 1 GB).

A failing build or check, and an interrupted publish (Ctrl-C, SIGTERM, any error once mike has
started), leave the local gh-pages as it was; publishing the same commit as the same edition
again creates no commit (mike drops an empty commit). mike and MkDocs are run as commands, in a
process group of their own that is killed before the branch is put back.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..common import git
from ..common.files import CACHE_DIR, write_if_changed
from ..common.i18n import languages
from ..common.problems import Collector, Problem, Problems
from ..editions.data_date import data_date
from ..editions.deploy import MIKE_FILES, run_mike, stage_dir
from ..editions.edition_line import HOOK_FILE, HOOK_SOURCE, edition_address, edition_note
from ..editions.gh_pages import BRANCH, dirty_paths, last_line, published_versions, restore_branch, rev, short, sync_with_remote
from ..editions.gh_pages_shared import add_shared, changes, cost, cost_note
from ..editions.shared_assets import FOLDER as SHARED
from ..editions.names import EDITION_HINT, LATEST, check_names, edition_key, newer_editions
from ..site import mkdocs as site


def run_publish(root: Path, args, strict: bool = False) -> str:
    from ..pipeline import build  # late import: `build.py publish --help` stays fast
    from ..editions import publishing as edition_docs

    root = root.resolve()
    edition, aliases, remote = args.edition, list(dict.fromkeys(args.alias or [])), args.remote
    notes: list[str] = []  # said at the end of the result line
    problems = check_names(edition, aliases)
    if problems:
        raise Problems(problems)

    top = git.run(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise Problems(
            [
                Problem(
                    ".",
                    None,
                    None,
                    "the explainer is not in a git repository",
                    "publishing records the commit each edition is built from: git init, then commit",
                )
            ]
        )
    top_dir = Path(top.stdout.strip()).resolve()
    head = rev(root, "HEAD")
    if head is None:
        raise Problems([Problem(".", None, None, "the repository has no commit yet", "commit the explainer first")])
    if git.run(root, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip() == BRANCH:
        raise Problems([Problem(".", None, None, f"the {BRANCH} branch is checked out", "switch back to your working branch")])
    dirty = dirty_paths(root, top_dir)
    if dirty and not args.allow_dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise Problems(
            [
                Problem(
                    ".",
                    None,
                    None,
                    f"the working tree has uncommitted changes: {shown}",
                    "commit them (an edition is built from a commit), or pass --allow-dirty",
                )
            ]
        )
    if git.run(root, "remote", "get-url", remote).returncode != 0:
        if args.push:
            raise Problems(
                [Problem(".", None, None, f"no remote named {remote!r} to push to", f"add it with git remote add {remote} URL, or pass --remote NAME")]
            )
    else:
        problems = sync_with_remote(root, remote, args.push, notes)
        if problems:  # only with --push: a local-only publish may go ahead offline, on the branch as last fetched
            raise Problems(problems)

    start = rev(root, f"refs/heads/{BRANCH}")
    published = published_versions(root, start) if start else []
    by_version = {str(v.get("version")): v for v in published if isinstance(v, dict)}
    all_aliases = {a: str(v.get("version")) for v in published if isinstance(v, dict) for a in v.get("aliases") or []}
    if edition in all_aliases:
        raise Problems([Problem(".", None, None, f"{edition!r} is already an alias of edition {all_aliases[edition]}", EDITION_HINT)])
    clash = [a for a in aliases if a in by_version]
    if clash:
        raise Problems([Problem(".", None, None, f"alias {clash[0]!r} is already the name of a published edition", "choose another alias")])
    previous = by_version.get(edition)
    old_commit = ((previous or {}).get("properties") or {}).get("commit")
    replacing = previous is not None and old_commit != head
    if replacing and not args.force:
        raise Problems(
            [
                Problem(
                    ".",
                    None,
                    None,
                    f"edition {edition} is already published from commit {short(old_commit)}; this is commit {head[:7]}",
                    "published editions do not change: publish under a new edition name, or pass --force to replace it",
                )
            ]
        )
    newer = newer_editions(edition, by_version) if LATEST in aliases else []
    if newer and not args.force:
        raise Problems(
            [
                Problem(
                    ".",
                    None,
                    None,
                    f"edition {edition} is older than edition {newer[0]}, already published: {LATEST} would move back to an older edition",
                    f"publish {edition} without --alias {LATEST} ({LATEST} stays on {newer[0]}), or pass --force to move {LATEST} back",
                )
            ]
        )
    if newer:
        notes.append(f"{LATEST} moved back from edition {newer[0]} (--force)")

    # Build (and check everything) before gh-pages is touched.
    data_to = data_date(root)
    hook = root / CACHE_DIR / HOOK_FILE
    write_if_changed(hook, HOOK_SOURCE)
    user = site.read_user_config(root, Collector(root)) or {}
    user_hooks = [str((root / h).resolve()) for h in user.get("hooks", []) if isinstance(h, str)]
    extra: dict[str, Any] = {"extra": {"version": {"provider": "mike", "default": LATEST, "alias": True}}, "hooks": [*user_hooks, str(hook)]}
    address = edition_address(root, user, remote, edition)
    if address:  # link previews (og:url, og:image) and the sitemap give the edition's own address
        # mike's plugin appends the edition to the site_url of the site it builds (the main language):
        # that one gets the address without it. The other languages are built by the generator, which
        # adds the edition itself (pipeline._extra_for).
        extra["site_url"] = address[: -len(edition) - 1]
        extra["extra"]["explainer_edition"] = edition
    note = functools.partial(edition_note, edition, data_to, head, bool(dirty))  # one per language
    # Embed pages, the changes page (against the previous edition on gh-pages), the record and the feed.
    this = edition_docs.Edition(
        edition,
        head,
        edition_docs.commit_date(root, head) or "1980-01-01T00:00:00Z",
        data_to,
        address[: -len(edition) - 1] if address else None,
        str(user.get("site_name") or ""),
    )
    docs = edition_docs.EditionDocs(root, this, start, by_version, edition_key)
    langs = languages(root, user, Collector(root))  # checked by the build; here, each language's site name
    more = edition_docs.mkdocs_extra(this, {lang.code: str(lang.settings.get("site_name") or this.site_name) for lang in langs})
    extra["hooks"] += more.pop("hooks")
    extra["extra"].update(more.pop("extra"))
    extra.update(more)
    with tempfile.TemporaryDirectory(prefix="explainer-publish-") as tmp:
        build(root, site_dir=Path(tmp) / "site", strict=strict, mkdocs_extra=extra, page_note=note, extra_docs=docs)

    # From here on gh-pages moves: whatever stops this (a refusal, an error, Ctrl-C, SIGTERM) puts the
    # local branch back to `start`, unless the new commits are already on the remote.
    settled = False
    try:
        changed, pushed = _commit(root, args, edition, aliases, remote, head, data_to, start, previous, replacing)
        settled = True
        end = rev(root, f"refs/heads/{BRANCH}")
        size, warning = cost_note(*cost(root, start, end)) if end else ("", None)
    finally:
        if not settled:
            restore_branch(root, start)
    where = f"edition {edition}" + (f" (alias {', '.join(aliases)})" if aliases else "")
    facts = f"data to {data_to}, commit {head[:7]}" if data_to else f"commit {head[:7]}"
    said = "".join(f"; {n}" for n in notes)
    if not changed:
        return f"No change: {where} is already published on {BRANCH} from this commit ({facts}){pushed}{said}."
    replaced = f", replacing edition {edition} published from commit {short(old_commit)}" if replacing else ""
    warned = f"\nWarning: {warning}." if warning else ""
    return f"Published {where} on {BRANCH} ({facts}; {len(changed)} files changed, {size}{replaced}){pushed}{said}.{warned}"


def _commit(
    root: Path, args, edition: str, aliases: list[str], remote: str, head: str, data_to: str | None, start: str | None, previous: dict | None, replacing: bool
) -> tuple[list[str], str]:
    """mike's commits onto the local gh-pages, their checks, and the push (with --push). Raises
    Problems on a refusal; the caller puts the branch back on any exception."""
    config = root / site.MAIN_CONFIG  # written by the build, beside docs/, with its site_dir
    message = f"Publish edition {edition} from {head[:12]}" + (f" ({', '.join(aliases)})" if aliases else "")
    props = ["--prop-set-string", f"commit={head}"] + (["--prop-set-string", f"data_to={data_to}"] if data_to else [])
    # Every mike command here works on the same configuration, branch and remote.
    where = ["--config-file", str(config), "--branch", BRANCH, "--remote", remote, "--ignore-remote-status"]
    shutil.rmtree(stage_dir(root), ignore_errors=True)  # mike's build fills it with this edition's shared files
    deploy = run_mike(
        root,
        "deploy",
        *where,
        "--update-aliases",
        "--message",
        message,
        *props,
        edition,
        *aliases,
    )
    if deploy.returncode != 0:
        raise Problems([Problem("mkdocs.yml", None, None, f"mike deploy failed: {last_line(deploy.stderr or deploy.stdout)}", f"{BRANCH} was left as it was")])
    add_shared(root, stage_dir(root), f"Shared files of edition {edition} (theme, scripts, Vega), kept for every edition")
    if LATEST in aliases:
        default = run_mike(
            root,
            "set-default",
            *where,
            "--message",
            "Site root redirects to the latest edition",
            LATEST,
        )
        if default.returncode != 0:
            raise Problems([Problem("mkdocs.yml", None, None, f"mike set-default failed: {last_line(default.stderr)}", f"{BRANCH} was left as it was")])

    end = rev(root, f"refs/heads/{BRANCH}")
    assert end is not None  # mike deploy has just committed to it
    changed_with = changes(root, start, end) if end and end != start else []
    changed = [p for _, p in changed_with]
    ours = {edition, *aliases}
    # Shared files are only ever added: an earlier edition loads them.
    stray = [p for st, p in changed_with if p not in MIKE_FILES and p.split("/", 1)[0] not in ours and not (st == "A" and p.startswith(SHARED + "/"))]
    if stray:
        raise Problems(
            [
                Problem(
                    BRANCH,
                    None,
                    None,
                    f"publishing would have changed files outside edition {edition}: {', '.join(stray[:5])}",
                    "earlier editions never change; this is a bug in the generator, please report it",
                )
            ]
        )
    rebuilt = [p for p in changed if p.startswith(edition + "/")]
    if previous is not None and not replacing and rebuilt and not args.force:
        raise Problems(
            [
                Problem(
                    BRANCH,
                    None,
                    None,
                    f"edition {edition} was published from this commit, but this build differs from it in {len(rebuilt)} files (first: {rebuilt[0]})",
                    "uncommitted changes or a different toolchain; pass --force to replace the published edition",
                )
            ]
        )

    pushed = ""
    if args.push:
        remote_tip = rev(root, f"refs/remotes/{remote}/{BRANCH}")
        if end != remote_tip:
            push = git.run(root, "push", "--quiet", remote, f"refs/heads/{BRANCH}:refs/heads/{BRANCH}")
            if push.returncode != 0:
                raise Problems(
                    [
                        Problem(
                            ".",
                            None,
                            None,
                            f"the push of {BRANCH} to {remote!r} was rejected: {last_line(push.stderr)}",
                            f"nothing was published; the local {BRANCH} was reset; fix access or fetch, then publish again",
                        )
                    ]
                )
            git.run(root, "update-ref", f"refs/remotes/{remote}/{BRANCH}", end)
            pushed = f"; pushed to {remote}"
        else:
            pushed = f"; {remote} already up to date"
    return changed, pushed
