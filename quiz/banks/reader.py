"""Read a YAML file into plain data, remembering the line and column of every value.

Safe by construction: the file's bytes are checked (size, encoding, NUL bytes) before any
parsing; PyYAML only composes a node tree (its C parser when available), and we build the
data ourselves from the plain scalar, list and mapping nodes, so no tag can construct a
Python object. Anchors and aliases are refused outright: an alias can expand a small file
into an enormous structure ("billion laughs"), and authors never need one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_BYTES = 2 * 1024 * 1024
# Characters YAML forbids in a stream, found by one regex scan rather than a per-character loop.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Where an anchor (&a) or alias (*a) could start a node: at a line's start or after an
# indicator. Text with none of these needs no second pass over the parser's events; a match
# that turns out to be text ("- *emphasis*") only costs that pass.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\[{,?:-])\s*[&*]", re.MULTILINE)

Path = tuple[str | int, ...]

_SCALARS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
}
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or suspicious) in a file, at a 1-based line and column."""

    file: str
    line: int
    col: int
    severity: str  # "error" or "warning"
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message} [{self.code}]"


@dataclass
class Document:
    """A parsed file: its data, where each value sits, and what went wrong reading it."""

    name: str
    data: Any = None
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def error(self, path: Path, code: str, message: str, *, key: bool = False,
              severity: str = "error") -> None:
        """Record a problem at the value (or, with key=True, the key) found at `path`."""
        line, col = self.where(path, key=key)
        self.problems.append(Problem(self.name, line, col, severity, code, message))

    def where(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The line and column of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        if key and path in self.key_marks:
            return self.key_marks[path]
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), (1, 1))

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


class _Refused(Exception):
    def __init__(self, line: int, col: int, code: str, message: str):
        super().__init__(message)
        self.line, self.col, self.code, self.message = line, col, code, message


def read(name: str, raw: bytes) -> Document:
    """Parse `raw` (the bytes of the file called `name`) into a Document; never raises."""
    doc = Document(name)
    text = _decode(doc, raw)
    if text is None:
        return doc
    for number, line in enumerate(text.splitlines() if "\t" in text else [], start=1):
        # Tabs are only wrong as indentation; inside text they are just characters.
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        column = indent.find("\t")
        if column >= 0:
            doc.problems.append(Problem(name, number, column + 1, "error", "tab",
                                        "tab character: indent with spaces"))
    try:
        _refuse_anchors(text)
        node = yaml.compose(text, Loader=_Loader)
        doc.data = _build(doc, node, ()) if node is not None else None
    except _Refused as refused:
        doc.problems.append(Problem(name, refused.line, refused.col, "error", refused.code,
                                    refused.message))
        doc.data = None
    except yaml.MarkedYAMLError as exc:
        if not any(p.code == "tab" for p in doc.problems):
            line, col, message = _explain_syntax_error(exc)
            doc.problems.append(Problem(name, line, col, "error", "syntax",
                                        f"YAML syntax error: {message}"))
        doc.data = None
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        doc.problems.append(Problem(name, 1, 1, "error", "syntax", f"YAML error: {exc}"))
        doc.data = None
    return doc


def _explain_syntax_error(exc: yaml.MarkedYAMLError) -> tuple[int, int, str]:
    """Where a YAML syntax error really is, and what an author should do about it."""
    context, problem = exc.context or "", exc.problem or ""
    at = exc.problem_mark or exc.context_mark
    for opener, closer, kind in (("[", "]", "flow sequence"), ("{", "}", "flow mapping")):
        if kind in context and f"'{closer}'" in problem and exc.context_mark:
            # The parser notices at the next token; the fix belongs where the bracket opened.
            mark = exc.context_mark
            return (mark.line + 1, mark.column + 1,
                    f"'{opener}' is never closed: add the missing '{closer}', or put text "
                    "that contains commas in quotes")
    line, col = (at.line + 1, at.column + 1) if at else (1, 1)
    if "mapping values are not allowed" in problem:
        return (line, col, "unexpected ':': check this line's indentation, or put text that "
                "contains ': ' in quotes")
    if "block" in context and ("expected '-' indicator" in problem
                               or "expected <block end>" in problem
                               or "expected key" in problem):
        return line, col, "this line's indentation does not match the lines above it"
    return line, col, " ".join(part for part in (context, problem) if part)


def _tag(tag: str) -> str:
    """A tag as an author writes it: `!!python/object`, not its expanded form."""
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def _decode(doc: Document, raw: bytes) -> str | None:
    if len(raw) > MAX_BYTES:
        doc.problems.append(Problem(doc.name, 1, 1, "error", "too-large",
                                    f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}"))
        return None
    if b"\x00" in raw:
        at = raw.index(b"\x00")
        line = raw[:at].count(b"\n") + 1
        col = at - (raw.rfind(b"\n", 0, at) + 1) + 1
        doc.problems.append(Problem(doc.name, line, col, "error", "binary",
                                    "file contains NUL bytes: not a text file"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        doc.problems.append(Problem(doc.name, line, col, "error", "encoding",
                                    f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}): "
                                    "save the file as UTF-8"))
        return None
    found = _CONTROL.search(text)
    if found:
        bad = found.start()
        line = text.count("\n", 0, bad) + 1
        col = bad - (text.rfind("\n", 0, bad) + 1) + 1
        doc.problems.append(Problem(doc.name, line, col, "error", "control-character",
                                    f"control character U+{ord(text[bad]):04X} is not allowed"))
        return None
    return text


def _refuse_anchors(text: str) -> None:
    if not _MAYBE_ANCHOR.search(text):
        return
    for event in yaml.parse(text, Loader=_Loader):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            mark = event.start_mark
            raise _Refused(mark.line + 1, mark.column + 1, "anchor",
                           "anchors and aliases (&name, *name) are not allowed: "
                           "write each value out")


def _build(doc: Document, node: yaml.Node, path: Path) -> Any:
    doc.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SCALARS:
            raise _Refused(node.start_mark.line + 1, node.start_mark.column + 1, "tag",
                           f"tag {_tag(node.tag)!r} is not allowed: remove it")
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _Refused(node.start_mark.line + 1, node.start_mark.column + 1, "tag",
                           f"tag {_tag(node.tag)!r} is not allowed: remove it")
        return [_build(doc, item, path + (i,)) for i, item in enumerate(node.value)]
    if node.tag != _MAP:
        raise _Refused(node.start_mark.line + 1, node.start_mark.column + 1, "tag",
                       f"tag {_tag(node.tag)!r} is not allowed: remove it")
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALARS:
            raise _Refused(key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                           "key", "a key must be a plain word or phrase")
        key = key_node.value if key_node.tag != "tag:yaml.org,2002:null" else ""
        where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        if key in result:
            first = doc.key_marks[path + (key,)]
            doc.problems.append(Problem(doc.name, *where, "error", "duplicate-key",
                                        f"duplicate key {key!r} (first at line {first[0]})"))
            continue
        doc.key_marks[path + (key,)] = where
        result[key] = _build(doc, value_node, path + (key,))
    return result


def _scalar(node: yaml.ScalarNode) -> Any:
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value  # dates stay text: "1971-08-09" means a day, not a datetime
    if node.tag == "tag:yaml.org,2002:str":
        return node.value
    # Resolve int, float, bool and null exactly as the safe loader would.
    return _CONSTRUCT[node.tag](_CONSTRUCTOR, node)


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONSTRUCT = {
    "tag:yaml.org,2002:int": yaml.constructor.SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": yaml.constructor.SafeConstructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": yaml.constructor.SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": yaml.constructor.SafeConstructor.construct_yaml_null,
}
