"""Text from data, front matter or the interface's words, escaped for the place it takes in generated
Markdown, so it is shown as typed and never run as HTML. One module, one function per place: each
escapes what that place needs (the golden pages depend on the exact bytes).

Reads and writes strings only.
"""

from __future__ import annotations

import html
import re


def md_link_text(text: str) -> str:
    """Text from the data, safe inside Markdown link text: HTML is shown, never run, and Markdown's
    syntax is shown as typed (`**b**{: onclick=...}` would give the link a bold part with an onclick)."""
    return md_data(text)


def md_inline(text: str) -> str:
    """Text from the data or the interface's words as Markdown inline text: shown as typed (quotes as
    entities and dashes and dots escaped, which smarty leaves as they are, as in the raw HTML before)."""
    text = re.sub(r"([\\`*_{}\[\]#|!.-])", r"\\\1", str(text).replace("&", "&amp;"))
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")


def md_url(url: str) -> str:
    """A web address inside a Markdown link's <...>: no character that would end it."""
    return url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20").replace("\n", "")


def md_heading(text: str) -> str:
    """A title from front matter as a Markdown heading: shown as typed, never run as HTML."""
    return re.sub(r"([\\`*_{}\[\]#])", r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def md_text(text: str) -> str:
    """Text from front matter or settings as one Markdown paragraph: shown as typed, never run as
    HTML or read as a list, heading or quote."""
    text = " ".join(str(text).split())
    text = re.sub(r"([\\`*_{}\[\]<>#|!])", r"\\\1", text.replace("&", "&amp;"))
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", re.sub(r"^([-+=>])", r"\\\1", text))


def md_data(text) -> str:
    """Plain text from the data, made safe to place in Markdown, inline or at the start of a line
    (a list item, a heading, a table cell): shown as typed, never read as formatting, a code span,
    an attribute list (`{: onclick=...}`), a table column, a nested list, quote or heading, or a line
    break ("&amp;" in the data is shown as typed too)."""
    text = " ".join(str(text).split())  # one line: a line break in a title must not end the list item or cell
    text = re.sub(r"([\\`*_{}\[\]#|])", r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", re.sub(r"^([-+>])", r"\\\1", text))


def html_heading(level: int, text: str, anchor: str) -> str:
    """A heading as HTML, which Markdown's table of contents leaves out: for pages outside the menu,
    where Material's contents sidebar has a label for a toggle it does not render (invalid HTML)."""
    return f'<h{level} id="{anchor}">{html.escape(text)}</h{level}>'
