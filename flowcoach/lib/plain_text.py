"""Markdown written by a coach (notes, commitments), read as plain text: an email's text part
shows words, not the asterisks and brackets that mark them up."""

from __future__ import annotations

import re

_LINK = re.compile(r"!?\[([^\]]*)\]\((\S+?)\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`([^`]*)`")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)


def plain_of(markdown: str) -> str:
    """The text without its Markdown marks: **6/10** reads 6/10, [notes](https://x) reads
    notes (https://x). List dashes and line breaks stay, as they read well as they are."""
    text = _LINK.sub(
        lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(1) else m.group(2), markdown
    )
    text = _CODE.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    return _HEADING.sub("", text)
