"""Where a problem in prose is: Jinja's errors and the running template's frame placed at the file's
line and column, and the "did you mean" of an unknown name.

Reads: a section's template text, a Jinja exception or the current frame. Gives (message, line,
column, hint) tuples and hints; writes nothing.
"""

from __future__ import annotations

import difflib
import re
import sys
import traceback
import types

import jinja2


def current_template_line(template) -> int | None:
    """The template line being rendered, found from the compiled template's frame."""
    frame: types.FrameType | None = sys._getframe()
    while frame:
        if frame.f_code.co_filename == "<template>":
            return template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return None


def did_you_mean(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    if close:
        return f"did you mean {close[0]}?"
    return f"known: {', '.join(sorted(known)[:8])}" if known else "none are defined yet"


TEMPLATE_HINT = 'figures look like {{ fig.name }}, charts like {{ chart("slug") }}'
_TAGS = re.compile(r"\{\{|\}\}|\{%-?\s*(\w+)|%\}")
_BLOCKS = {
    "if": "endif",
    "for": "endfor",
    "macro": "endmacro",
    "call": "endcall",
    "filter": "endfilter",
    "block": "endblock",
    "with": "endwith",
    "raw": "endraw",
}


def _line_col(text: str, pos: int) -> tuple[int, int]:
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def syntax_problem(body: str, e: jinja2.TemplateSyntaxError) -> tuple:
    """(message, line, column, hint) for a template syntax error, at the tag that causes it: an
    unclosed {{ where it opens, a block without its end tag at its opening tag."""
    # An output tag {{ that meets another tag, or the end of the file, before its }}.
    open_output = None
    for m in _TAGS.finditer(body):
        token = m.group(0)
        if open_output is not None and token != "}}":
            break
        if token == "{{":
            open_output = m.start()
        elif token == "}}":
            open_output = None
    if open_output is not None:
        return ('"{{" is never closed', *_line_col(body, open_output), "end it with }}, as in {{ fig.name }}")
    closing = re.search(r"innermost block that needs to be closed is '(\w+)'", e.message or "")
    if closing:
        stack = []
        for m in _TAGS.finditer(body):
            word = m.group(1)
            if word in _BLOCKS:
                stack.append((word, m.start()))
            elif word and word.startswith("end") and stack and _BLOCKS.get(stack[-1][0]) == word:
                stack.pop()
        if stack:
            word, at = stack[-1]
            return (f"{{% {word} %}} is never closed", *_line_col(body, at), f"end it with {{% {_BLOCKS[word]} %}}")
    return f"template syntax error: {e.message}", e.lineno, None, TEMPLATE_HINT


def template_line(exc: BaseException) -> int | None:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == "<template>":
            return frame.lineno
    return None
