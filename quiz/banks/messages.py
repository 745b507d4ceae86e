"""From a pydantic validation error to a message an author can act on, placed at the file,
line and column of the value at fault, with a "did you mean" where a near name exists.

Pure: no Flask, no database.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import ValidationError

from quiz.banks import spec
from quiz.banks.reader import Document


def report(doc: Document, exc: ValidationError, model: type[spec.BaseModel],
           prefix: tuple = ()) -> None:
    """Report each of a validation error's problems once, at the place in the file it concerns."""
    seen: set[tuple] = set()
    for error in exc.errors():
        path, branch_ok = _data_path(doc.data, prefix + tuple(error["loc"]))
        if not branch_ok:
            continue
        problem = _describe(doc, error, path, model)
        if problem is None:
            continue
        code, message, at_key = problem
        marker = (path, message)
        if marker in seen:
            continue
        seen.add(marker)
        doc.error(path, code, message, key=at_key)


def _data_path(data: Any, loc: tuple) -> tuple[tuple, bool]:
    """Map a pydantic error location onto the data, dropping union-branch labels.

    Returns the path and whether the error belongs to the branch that fits the data (for a
    choice that is text, errors about the mapping form are noise, and vice versa).
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_list or (isinstance(node, dict) and part in node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and part in spec.TYPES and node.get("type") == part:
            continue
        elif part == "Choice":
            if not isinstance(node, dict):
                return tuple(path), False
        elif isinstance(part, str) and part.startswith(("function-", "str", "constrained")):
            if isinstance(node, dict):
                return tuple(path), False
        else:
            path.append(part)  # a missing key or an unknown one: report at the parent
            node = None
    return tuple(path), True


def _fields_for(doc_data: Any, path: tuple, model: type[spec.BaseModel]) -> list[str]:
    """The keys allowed in the mapping at `path`, for did-you-mean suggestions."""
    parent = path[:-1]
    node = doc_data
    for part in parent:
        node = node[part]
    if isinstance(node, dict) and isinstance(node.get("type"), str) and node["type"] in spec.TYPES:
        return list(spec.TYPES[node["type"]].model_fields)
    if parent and parent[-1] == "source":
        return list(spec.Source.model_fields)
    if model is spec.Bank and len(parent) == 0:
        return list(spec.Bank.model_fields)
    return sorted(spec.FIELD_NAMES)


def _describe(doc: Document, error: dict, path: tuple,
              model: type[spec.BaseModel]) -> tuple[str, str, bool] | None:
    kind, name = error["type"], _field_name(path)
    if kind == "extra_forbidden":
        key = str(path[-1])
        hint = did_you_mean(key, _fields_for(doc.data, path, model))
        return "unknown-key", f"unknown key {key!r}{hint}", True
    if kind == "missing":
        return "missing-field", f"missing required field {name!r}", False
    if kind == "union_tag_not_found":
        return "missing-field", "missing required field 'type'", False
    if kind == "union_tag_invalid":
        tag = str(error["ctx"]["tag"])
        hint = did_you_mean(tag, list(spec.TYPES))
        doc.error(path + ("type",), "unknown-type", f"unknown question type {tag!r}{hint}; "
                  f"expected one of: {', '.join(spec.TYPES)}")
        return None
    if kind in ("less_than_equal", "greater_than_equal"):
        low = {"difficulty": 1}.get(name, 0)
        high = {"difficulty": 3}.get(name)
        span = f"between {low} and {high}" if high else f"at least {low}"
        return "out-of-range", f"{name} must be {span}", False
    if kind == "literal_error":
        value = _value_at(doc.data, path)
        options = re.findall(r"'([^']+)'", error["ctx"]["expected"])
        hint = did_you_mean(str(value), options)
        return "bad-value", f"{name}: {value!r} is not one of {', '.join(options)}{hint}", False
    if kind == "string_pattern_mismatch":
        value = _value_at(doc.data, path)
        if name == "date":
            return ("bad-date", f"malformed date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD",
                    False)
        return ("bad-id", f"{name}: {value!r} must be lowercase words joined by hyphens "
                "(like 'liaquat-visits-washington')", False)
    if kind in ("too_short", "string_too_short"):
        if isinstance(_value_at(doc.data, path), str):
            return "empty", f"{name} is empty", False
        return "too-short", f"{name}: needs at least {error['ctx']['min_length']}", False
    if kind == "value_error":
        return "wrong-type", f"{name}: {error['ctx']['error']}", False
    expected = {
        "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
        "int_from_float": "a whole number", "float_type": "a number",
        "float_parsing": "a number", "bool_type": "true or false", "bool_parsing":
        "true or false", "list_type": "a list", "dict_type": "a mapping of key: value",
        "model_type": "a mapping of key: value", "model_attributes_type":
        "a mapping of key: value",
    }
    if kind in expected:
        value = _value_at(doc.data, path)
        return ("wrong-type", f"{name} should be {expected[kind]}, not {kind_of(value)}", False)
    return "invalid", f"{name}: {error['msg']}", False


def kind_of(value: Any) -> str:
    """What a value is, in an author's words ("the number 3", "a list")."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "empty"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _field_name(path: tuple) -> str:
    names = [str(part) for part in path if isinstance(part, str)]
    return names[-1] if names else "file"


def _value_at(data: Any, path: tuple) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def did_you_mean(word: str, options: list[str]) -> str:
    """A hint naming the option closest to `word` ("did you mean ...?"), or nothing."""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
