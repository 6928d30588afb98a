"""The changes page of an edition (`<edition>/[<lang>/]changes/`), made when it is published by
comparing it with the previous published edition, as read from gh-pages.

Every edition carries a record of what readers read in it, `explainer-edition.json` at its root:
per language, each figure as written and the first sentence that quotes it, the sections, and
each chart's plotted rows as its data table shows them. The next edition compares its own record
with that one: figures whose text changed (old -> new, with the sentences), charts whose rows
were added, removed or changed, sections added or removed. The editor's correction notes come
from `content/corrections.yml` (data, never run: plain text, escaped). The first edition says so.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import yaml

from ..common import safe_yaml
from ..common.i18n import strings
from ..common.problems import Problem, Problems
from ..common.markdown import html_heading as _heading, md_data
from ..pages.figure_block import reader_columns
from ..pages.generated import quoting_sentences

RECORD = "explainer-edition.json"
NAME = "changes.md"
CORRECTIONS = Path("content") / "corrections.yml"
CORRECTIONS_HINT = "each entry: - {edition: 2022-01, date: 2022-01-10, note: What was corrected.} with the note in other languages under their code (fr: ...)"
EDITION = re.compile(r"^(?:\d{4}(?:[-.]\d{1,2}){0,2}|next)$")

WORDS = {
    "en": {
        "title": "Changes in this edition",
        "link": "what changed",
        "heading": "Changes in edition {edition}",
        "description": "What changed in the figures, charts and sections since the previous edition, and the corrections.",
        "first": "This is the first edition of this explainer: there is nothing earlier to compare it with.",
        "unrecorded": "Edition {previous} was published before editions recorded what they contained: there is nothing to compare it with.",
        "compared": "Compared with edition {previous} (published {date}).",
        "figures": "Figures",
        "no_figures": "No figure in the text changed.",
        "reads": "Now reads: {sentence}",
        "read": "Before: {sentence}",
        "charts": "Charts",
        "no_charts": "No chart's plotted data changed.",
        "new_chart": "New chart.",
        "removed_chart": "This chart is no longer in the explainer.",
        "rows_changed": "Rows changed:",
        "rows_added": "Rows added:",
        "rows_removed": "Rows removed:",
        "sections": "Sections",
        "no_sections": "No section was added or removed.",
        "section_added": "Added: {title}",
        "section_removed": "Removed: {title}",
        "corrections": "Corrections",
        "no_corrections": "No correction notes for this edition.",
    },
    "fr": {
        "title": "Changements dans cette édition",
        "link": "ce qui a changé",
        "heading": "Changements dans l’édition {edition}",
        "description": "Ce qui a changé dans les chiffres, les graphiques et les sections depuis l’édition précédente, et les corrections.",
        "first": "C’est la première édition de cet article : il n’y a rien de plus ancien à comparer.",
        "unrecorded": "L’édition {previous} a été publiée avant que les éditions n’enregistrent leur contenu : il n’y a rien à comparer.",
        "compared": "Par rapport à l’édition {previous} (publiée le {date}).",
        "figures": "Chiffres",
        "no_figures": "Aucun chiffre du texte n’a changé.",
        "reads": "Le texte dit désormais : {sentence}",
        "read": "Avant : {sentence}",
        "charts": "Graphiques",
        "no_charts": "Les données d’aucun graphique n’ont changé.",
        "new_chart": "Nouveau graphique.",
        "removed_chart": "Ce graphique ne fait plus partie de l’article.",
        "rows_changed": "Lignes modifiées :",
        "rows_added": "Lignes ajoutées :",
        "rows_removed": "Lignes supprimées :",
        "sections": "Sections",
        "no_sections": "Aucune section n’a été ajoutée ni supprimée.",
        "section_added": "Ajoutée : {title}",
        "section_removed": "Supprimée : {title}",
        "corrections": "Corrections",
        "no_corrections": "Aucune note de correction pour cette édition.",
    },
}


def words(code: str) -> dict:
    return WORDS.get(code, WORDS["en"])


def language_record(loc, package) -> dict:
    """What readers read in one language of this edition (see the module's docstring)."""
    sentences = quoting_sentences([page.body for page in loc.pages], loc.figures)
    charts = {}
    for slug, chart in loc.charts.items():
        headers, rows = reader_columns(chart, package, strings(loc.language.code), loc.language)
        charts[slug] = {"title": chart.title, "columns": headers, "rows": rows}
    return {
        "figures": {name: {"text": f.text, "sentence": sentences.get(name, "")} for name, f in sorted(loc.figures.items())},
        "sections": [{"name": p.name, "title": p.title} for p in loc.pages],
        "charts": charts,
    }


def record(edition, localised: list, package) -> dict:
    return {
        "edition": edition.name,
        "commit": edition.commit,
        "date": edition.date,
        "data_to": edition.data_to,
        "languages": {loc.language.code: language_record(loc, package) for loc in localised},
    }


def read_corrections(root: Path) -> list[dict]:
    """content/corrections.yml, checked: a list of {edition, date, note, <lang>: note}. Problems are
    placed at their entry's line; every one is reported at once."""
    path = root / CORRECTIONS
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=safe_yaml.SafeLoader)
        data = safe_yaml.load(text)
    except yaml.YAMLError as e:
        message, line, col, hint = safe_yaml.error_parts(e)
        raise Problems([Problem(CORRECTIONS.as_posix(), line, col, f"invalid YAML: {message}", hint)]) from None
    if data is None or node is None:
        return []
    if not isinstance(data, list):
        raise Problems([Problem(CORRECTIONS.as_posix(), 1, 1, "corrections must be a list of entries", CORRECTIONS_HINT)])
    problems, out = [], []
    for item, item_node in zip(data, node.value):
        line, col = item_node.start_mark.line + 1, item_node.start_mark.column + 1
        where = (CORRECTIONS.as_posix(), line, col)
        if not isinstance(item, dict):
            problems.append(Problem(*where, "a correction must be a mapping with edition, date and note", CORRECTIONS_HINT))
            continue
        edition, date = str(item.get("edition") or ""), item.get("date")
        if not EDITION.fullmatch(edition):
            problems.append(Problem(*where, f"correction's edition {edition!r} is not an edition name", CORRECTIONS_HINT))
        if isinstance(date, datetime.date):
            date = date.isoformat()
        if not (isinstance(date, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)):
            problems.append(Problem(*where, f"correction's date {date!r} is not a date", "write it YYYY-MM-DD"))
        texts = {k: v for k, v in item.items() if k not in ("edition", "date")}
        unknown = [str(k) for k in texts if not (isinstance(k, str) and re.fullmatch(r"note|[a-z]{2}", k))]
        untext = [str(k) for k, v in texts.items() if str(k) not in unknown and not (isinstance(v, str) and v.strip())]
        if unknown:
            problems.append(Problem(*where, f"a correction has no key {', '.join(unknown)}", CORRECTIONS_HINT))
        if "note" not in texts or untext:
            problems.append(Problem(*where, f"a correction's {', '.join(untext or ['note'])} must be text", CORRECTIONS_HINT))
        out.append({"edition": edition, "date": date, "notes": texts})
    if problems:
        raise Problems(problems)
    return out


def problems(root: Path) -> list[Problem]:
    """The problems of content/corrections.yml, for `check` and every build."""
    try:
        read_corrections(root)
    except Problems as found:
        return found.problems
    return []


def _cells(headers: list[str], row: list[str]) -> str:
    return ", ".join(f"{md_data(h)}: {md_data(v)}" for h, v in zip(headers, row))


def _rows(old: dict, new: dict, w: dict) -> list[str]:
    """Rows added, removed and changed. Tables have no key here, so a removed and an added row that
    share at least half their cells (the same year and series, another count) are one changed row."""
    if old["columns"] != new["columns"]:
        removed, added = old["rows"], new["rows"]
    else:
        olds, news = [tuple(r) for r in old["rows"]], [tuple(r) for r in new["rows"]]
        removed = [r for r in olds if r not in news]
        added = [r for r in news if r not in olds]
    changed = []
    if old["columns"] == new["columns"]:
        for r in list(removed):
            best = max(added, key=lambda a: sum(x == y for x, y in zip(r, a)), default=None)
            if best is not None and 2 * sum(x == y for x, y in zip(r, best)) >= len(r):
                changed.append((r, best))
                removed.remove(r)
                added.remove(best)
    heads = new["columns"]
    out = []
    if changed:
        out += [w["rows_changed"], ""]
        for r, a in changed:
            same = [(h, x) for h, x, y in zip(heads, r, a) if x == y]
            diff = [f"{md_data(h)}: {md_data(x)} → {md_data(y)}" for h, x, y in zip(heads, r, a) if x != y]
            out.append("- " + ", ".join([f"{md_data(h)}: {md_data(x)}" for h, x in same] + diff))
        out.append("")
    for label, rows, head in ((w["rows_added"], added, heads), (w["rows_removed"], removed, old["columns"])):
        if rows:
            out += [label, ""] + [f"- {_cells(head, list(r))}" for r in rows] + [""]
    return out


def markdown(
    edition, code: str, current: dict, previous: dict | None, previous_name: str | None, corrections: list[dict], alternates: list | None = None
) -> str:
    """The changes page of one language, as Markdown (every text from the data escaped). `alternates`:
    the language switcher's links to this page in the other languages (theme/partials/alternate.html)."""
    w = words(code)
    meta: dict[str, object] = {"title": w["title"], "description": w["description"]}
    if alternates:
        meta["alternates"] = alternates
    out = ["---", yaml.safe_dump(meta, allow_unicode=True, sort_keys=True).strip(), "---", "", f"# {w['heading'].format(edition=edition.name)}", ""]
    old = ((previous or {}).get("languages") or {}).get(code)
    if previous_name is None:
        out += [w["first"], ""]
    elif old is None:
        out += [w["unrecorded"].format(previous=previous_name), ""]
    else:
        out += [w["compared"].format(previous=previous_name, date=str((previous or {}).get("date", ""))[:10]), ""]
        out += _compare(old, current, w)
    notes = [c for c in corrections if c["edition"] == edition.name]
    out += [_heading(2, w["corrections"], "corrections"), ""]
    if notes:
        out += [f"- {c['date']}: {md_data(c['notes'].get(code) or c['notes']['note'])}" for c in sorted(notes, key=lambda c: c["date"])]
    else:
        out.append(w["no_corrections"])
    out.append("")
    return "\n".join(out)


def _compare(old: dict, new: dict, w: dict) -> list[str]:
    out = [_heading(2, w["figures"], "figures"), ""]
    figures = []
    for name, fig in new["figures"].items():
        before = old["figures"].get(name)
        if before and before["text"] != fig["text"]:
            figures.append(f"- **{md_data(before['text'])} → {md_data(fig['text'])}**")
            if fig["sentence"]:
                figures.append(f"    - {w['reads'].format(sentence=fig['sentence'])}")
            if before["sentence"] and before["sentence"].replace(f"**{md_data(before['text'])}**", "") != fig["sentence"].replace(
                f"**{md_data(fig['text'])}**", ""
            ):
                figures.append(f"    - {w['read'].format(sentence=before['sentence'])}")
    out += (figures or [w["no_figures"]]) + ["", _heading(2, w["charts"], "charts"), ""]
    charts = []
    for slug in dict.fromkeys([*new["charts"], *old["charts"]]):
        a, b = old["charts"].get(slug), new["charts"].get(slug)
        lines = [w["new_chart"], ""] if a is None else [w["removed_chart"], ""] if b is None else _rows(a, b, w)
        if lines:
            charts += [_heading(3, (b or a)["title"], f"chart-{slug}"), "", *lines]
    out += (charts or [w["no_charts"], ""]) + [_heading(2, w["sections"], "sections"), ""]
    names_old = {s["name"]: s["title"] for s in old["sections"]}
    names_new = {s["name"]: s["title"] for s in new["sections"]}
    sections = [f"- {w['section_added'].format(title=f'[{md_data(t)}]({n})')}" for n, t in names_new.items() if n not in names_old]
    sections += [f"- {w['section_removed'].format(title=md_data(t))}" for n, t in names_old.items() if n not in names_new]
    return out + (sections or [w["no_sections"]]) + [""]
