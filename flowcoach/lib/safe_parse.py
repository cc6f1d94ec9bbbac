"""YAML and JSON from people, parsed with limits, so a crafted file or body gets a clear
error instead of a crash or a server left short of memory or stack.

Every parser of outside input goes through here (program files, theme catalogs, the runner's
autosave bodies). What is refused, and why:

- **YAML aliases** (`*name`): a few kilobytes of nested aliases expand to millions of nodes.
- **Deep nesting**: Python's parsers recurse; thousands of levels exhaust the stack.
- **Huge numbers**: a 5,000-digit integer cannot even be turned into text again, and no
  database column holds it; numbers are limited to 15 digits.
- **Keys that are not text or numbers** (a list or mapping used as a key).
- **Duplicate keys**: YAML and JSON would silently keep the last one.
- **NUL characters** in JSON text: forms refuse them and PostgreSQL cannot store them.
"""

from __future__ import annotations

import json
import math

import yaml

MAX_DEPTH = 32
MAX_DIGITS = 15


class ParseError(ValueError):
    """The input is not something we accept; the message says why, for a person."""


class _LimitedYamlLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ParseError(f"line {event.start_mark.line + 1}: aliases (*name) are not allowed")
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise ParseError(f"line {mark.line + 1}: nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ParseError(
                    f"line {key_node.start_mark.line + 1}: a key must be a plain name, "
                    "not a list or a mapping"
                )
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ParseError(
                    f"line {key_node.start_mark.line + 1}: the key '{key}' appears twice"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_DIGITS:
            raise ParseError(
                f"line {node.start_mark.line + 1}: a number longer than {MAX_DIGITS} digits"
            )
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if not math.isfinite(value) or len(str(node.value)) > 40:
            raise ParseError(f"line {node.start_mark.line + 1}: not a usable number")
        return value


_LimitedYamlLoader.add_constructor("tag:yaml.org,2002:int", _LimitedYamlLoader.construct_yaml_int)
_LimitedYamlLoader.add_constructor(
    "tag:yaml.org,2002:float", _LimitedYamlLoader.construct_yaml_float
)


def load_yaml(text: str | bytes, *, max_bytes: int):
    """Parses YAML text (bytes must be UTF-8). Raises ParseError for anything refused above,
    for text that is not YAML, and for input larger than max_bytes."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise ParseError(f"larger than {max_bytes // 1024} KB")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("not UTF-8 text") from None
    elif len(text.encode("utf-8")) > max_bytes:
        raise ParseError(f"larger than {max_bytes // 1024} KB")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return yaml.load(text, Loader=_LimitedYamlLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(exc, "problem", None) or "cannot be read"
        raise ParseError(f"not valid YAML at {where}: {problem}") from None


def _json_depth_ok(text: str) -> bool:
    """True when brackets nest at most MAX_DEPTH deep, counted outside strings, in one pass
    and before the recursive parser sees the text."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def _no_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ParseError(f"the key '{key[:40]}' appears twice")
        result[key] = value
    return result


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ParseError(f"a number longer than {MAX_DIGITS} digits")
    return int(text)


def _bounded_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ParseError("a number too large to use")
    return value


def _refuse_constant(name: str):
    raise ParseError(f"{name} is not a number we accept")


def _check_text(value) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ParseError("text may not contain NUL characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


def load_json(body: str | bytes, *, max_bytes: int):
    """Parses a JSON body. Raises ParseError when it is too large, too deep, not JSON, or holds
    something refused above."""
    if len(body) > max_bytes:
        raise ParseError(f"larger than {max_bytes // 1024} KB")
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("not UTF-8 text") from None
    if not _json_depth_ok(body):
        raise ParseError(f"nested more than {MAX_DEPTH} levels deep")
    try:
        data = json.loads(
            body,
            object_pairs_hook=_no_duplicates,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
            parse_constant=_refuse_constant,
        )
    except ValueError as exc:  # JSONDecodeError, and int() refusing what it cannot hold
        if isinstance(exc, ParseError):
            raise
        raise ParseError("not valid JSON") from None
    _check_text(data)
    return data
