"""The Schema base class, and check(): pydantic's errors turned into Issues in the generator's words.

Reads: a mapping already parsed from YAML or JSON (or the environment). Gives the validated settings
and Issues (location, kind, message, hint), which the readers place at lines and columns.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Union

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from .values import _shown, _value_kind


DEFAULT_MESSAGES = {
    "missing": ("{key} is missing", "add a line such as {key}: {example}"),
    "unknown": ("unknown key(s) {keys}", "allowed: {allowed}"),
    "text": ("{key} must be text, not a {type}", 'write it on one line, in quotes if needed: {key}: "..."'),
    "mapping": ("{key} must be a mapping, not a {type}", "for example {key}: {example}"),
    "list": ("{key} must be a list, not a {type}", "for example {key}: {example}"),
    "number": ("{key} must be a whole number above 0, not {shown}", "for example {key}={example}"),
    "generator": ("{key} is set by the generator", "remove {key} from mkdocs.yml"),
    "other": ("{key}: {msg}", ""),
}


class Schema(BaseModel):
    """A settings file, or part of one. Field docstrings are the documentation."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, use_attribute_docstrings=True, frozen=True)
    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {}


@dataclass(frozen=True)
class Issue:
    """One problem in a settings file, worded for editors; the reader of the file places it."""

    loc: tuple  # the path to the value: ("languages", "fr", "nav")
    kind: str  # missing | unknown | text | mapping | list | number | generator | explainer | other
    message: str
    hint: str = ""

    @property
    def key(self) -> str:
        return str(self.loc[0]) if self.loc else ""


def _unwrap(tp):
    """The model or container inside Optional[...] / Annotated[...]."""
    while typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        tp = models[0] if models else (args[0] if len(args) == 1 else tp)
        return _unwrap(tp) if tp is not None else tp
    return tp


def _owner(model: type[Schema], loc: tuple) -> tuple[type[Schema], tuple]:
    """The schema class that holds the last named field of `loc`, and that field's loc inside it."""
    owner, rest = model, loc
    tp: Any = model
    for i, part in enumerate(loc):
        if isinstance(tp, type) and issubclass(tp, Schema):
            owner, rest = tp, loc[i:]
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            tp = _unwrap(field.annotation) if field else None
        elif typing.get_origin(tp) in (dict, list):
            tp = _unwrap(typing.get_args(tp)[-1])
        else:
            break
    return owner, rest


def _example(model: type[Schema], key: str) -> str:
    field = model.model_fields.get(key)
    return str(field.examples[0]) if field is not None and field.examples else "..."


def _issue(model: type[Schema], error: ErrorDetails) -> Issue:
    loc, kind, value = tuple(error["loc"]), error["type"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "explainer":
        return Issue(loc, "explainer", error["msg"], ctx.get("hint", ""))
    owner, rest = _owner(model, loc)
    key = str(rest[0]) if rest else ""
    field = owner.model_fields.get(key)
    item = next((part for part in rest[1:] if isinstance(part, int)), None)
    messages = {**DEFAULT_MESSAGES, **owner.MESSAGES}
    if item is not None:  # an item of a list: caveats item 2
        messages["text"] = ("{key} must be text, not a {type}", "write each item as text, in quotes if needed")
    if kind == "explainer_generator":
        what = "generator"
    elif kind == "missing" or (field is not None and field.is_required() and (value is None or value == "")):
        what = "missing"
    elif kind == "extra_forbidden":
        what = "unknown"
    elif kind in ("string_type", "string_too_short"):
        what = "text"
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        what = "mapping"
    elif kind in ("list_type", "tuple_type"):
        what = "list"
    elif kind.startswith(("int_", "greater_than")):
        what = "number"
    else:
        what = "other"
    if not rest and what == "mapping":
        key = ""
    allowed = [name for name in owner.model_fields]
    example = _example(owner, key)
    if item is not None:
        key = f"{key} item {item + 1}"
    fields = dict(
        key=key,
        keys=key,
        type=_value_kind(value),
        shown=_shown(value),
        example=example,
        msg=error["msg"],
        allowed=", ".join(allowed),
        allowed_sorted=", ".join(sorted(allowed)),
        parent=".".join(map(str, loc[: len(loc) - len(rest)])) if rest else ".".join(map(str, loc)),
    )
    message, hint = messages[what]
    return Issue(loc, what, message.format(**fields), hint.format(**fields))


S = typing.TypeVar("S", bound=Schema)


def check(model: type[S], data) -> tuple[S | None, list[Issue]]:
    """Validate `data` (what a file holds) against `model`: the settings, or None and the issues.

    Within one part of a file, a missing required key is said alone, and unknown keys before
    wrong values (fixing the first often fixes the others); unknown keys are said in one issue."""
    try:
        return model.model_validate(data), []
    except ValidationError as e:
        issues = [_issue(model, err) for err in e.errors(include_url=False)]
    return None, _prune(issues)


def _parent(issue: Issue) -> tuple:
    return issue.loc[:-1] if issue.loc else ()


def _prune(issues: list[Issue]) -> list[Issue]:
    missing = [_parent(i) for i in issues if i.kind == "missing"]
    unknown = [_parent(i) for i in issues if i.kind == "unknown"]
    kept: list[Issue] = []
    seen_unknown: dict[tuple, int] = {}
    for issue in issues:
        parent = _parent(issue)
        if issue.kind != "missing" and any(parent[: len(m)] == m for m in missing):
            continue
        if issue.kind not in ("missing", "unknown") and any(parent[: len(u)] == u for u in unknown):
            continue
        if issue.kind == "unknown":  # one issue names every unknown key of a mapping
            if parent in seen_unknown:
                at = seen_unknown[parent]
                kept[at] = _UnknownIssue.merge(typing.cast(_UnknownIssue, kept[at]), issue)  # started below
                continue
            seen_unknown[parent] = len(kept)
            issue = _UnknownIssue.start(issue)
        kept.append(issue)
    return [i.done() if isinstance(i, _UnknownIssue) else i for i in kept]


@dataclass(frozen=True)
class _UnknownIssue(Issue):
    """Unknown keys of one mapping, gathered into one issue."""

    names: tuple = ()

    @classmethod
    def start(cls, issue: Issue) -> "_UnknownIssue":
        return cls(issue.loc, issue.kind, issue.message, issue.hint, (str(issue.loc[-1]),))

    @classmethod
    def merge(cls, first: "_UnknownIssue", issue: Issue) -> "_UnknownIssue":
        return cls(first.loc, first.kind, first.message, first.hint, (*first.names, str(issue.loc[-1])))

    def done(self) -> Issue:
        names = ", ".join(sorted(self.names))
        one = str(self.loc[-1])
        # The message was worded for the first unknown key: put every name in its place.
        return Issue(self.loc, self.kind, _replace_last(self.message, one, names), self.hint)


def _replace_last(text: str, old: str, new: str) -> str:
    at = text.rfind(old)
    return text if at < 0 else text[:at] + new + text[at + len(old) :]
