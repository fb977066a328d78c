"""reStructuredText -> plain sentences, closely enough to how Sphinx renders Django's docs: code
blocks (`::` literal blocks, `.. code-block::`), directive options, labels, targets and comments
dropped; roles reduced to their text (:setting:`X` -> X, :meth:`~a.b.f` -> f(), ``x`` -> x,
`text <url>`_ -> text); wrapped lines joined; a list of short items joined to the sentence that
introduces it ("Included engines are: 'a', 'b'"); split into sentences (not after e.g., i.e., vs.,
nor inside dotted names). Each sentence keeps its section (the heading, or the setting / class /
method it documents) and the block it sits in (note, warning, versionadded 5.1, ...). Used by
conformance/tools/doc_sentences.py."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

ADORNMENT = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")
DIRECTIVE = re.compile(r"^\.\.\s+([\w:-]+)::\s*(.*)$")
BULLET = re.compile(r"^([*+-])\s+(.*)$")
OPTION = re.compile(r"^:[\w-]+:")
SKIPPED = {"code-block", "code", "console", "sourcecode", "module", "currentmodule", "highlight", "index",
           "toctree", "raw", "literalinclude", "image", "figure"}
BLOCKS = {"note", "warning", "admonition", "tip", "important", "caution", "seealso", "attention", "hint"}
VERSIONS = {"versionadded": "New in Django {}.", "versionchanged": "Changed in Django {}.",
            "deprecated": "Deprecated since version {}.", "versionremoved": "Removed in Django {}."}
MEMBERS = {"method", "classmethod", "staticmethod", "attribute", "function", "data"}
ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "etc.", "cf.", "approx.")
PARENS_ROLES = {"meth", "func"}  # Sphinx adds "()" to these


@dataclass(frozen=True)
class Sentence:
    doc: str
    section: str
    text: str
    block: str = ""  # "", "note", "warning", "versionadded 5.1", "versionchanged 5.1", ...

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.doc, self.section, self.block, self.text)


@dataclass(frozen=True)
class _Ctx:
    doc: str
    section: str
    block: str = ""
    cls: str = ""
    fixed_section: bool = False  # a setting entry: headings inside do not rename it


# --- inline markup ----------------------------------------------------------------------------

def _role(name: str, body: str, labels: dict[str, str]) -> str:
    body = " ".join(body.split())
    titled = re.match(r"^(.*?)\s*<([^<>]+)>$", body, re.S)
    if titled and titled[1]:
        return titled[1]
    target = titled[2] if titled else body
    if name == "ref":
        return labels.get(target, target)
    if name == "rfc":
        number, _, anchor = target.partition("#")
        return f"RFC {number}" + (f" Section {anchor.removeprefix('section-')}" if anchor else "")
    if name == "doc":
        return target.rstrip("/").rsplit("/", 1)[-1]
    short = target.startswith("~")
    target = target.lstrip("~").lstrip(".")
    if short:
        dotted, parens = (target[:target.index("(")], "()") if target.endswith(")") else (target, "")
        target = dotted.rsplit(".", 1)[-1] + parens
    if name in PARENS_ROLES and not target.endswith(")"):
        target += "()"
    return target


def inline(text: str, labels: dict[str, str] | None = None) -> str:
    """One paragraph of reStructuredText inline markup -> plain text."""
    labels = labels or {}
    kept: list[str] = []

    def keep(value: str) -> str:
        kept.append(value)
        return f"\x00{len(kept) - 1}\x00"

    text = re.sub(r"``(.+?)``", lambda m: keep(m[1]), text)
    text = re.sub(r":([\w:-]+):`([^`]+)`", lambda m: keep(_role(m[1].split(":")[-1], m[2], labels)), text)
    text = re.sub(r"`([^`<]+?)\s*<[^>`]+>`__?", lambda m: keep(m[1]), text)
    text = re.sub(r"`([^`]+)`__?", lambda m: keep(m[1]), text)
    text = re.sub(r"(?<![\w`\x00])([A-Za-z][A-Za-z0-9]*)_(?![\w\x00])", r"\1", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(?![\s*])(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"\\ ", "", text)
    text = re.sub(r"\\(.)", r"\1", text)
    text = " ".join(text.split())
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m[1])], text)


def split_sentences(text: str) -> list[str]:
    """Split plain text after . ! ? (and any closing quote or bracket) followed by a space, except
    after an abbreviation (e.g., i.e., vs.). Periods inside names (request.session.get, 4.1.2.6)
    are never followed by a space, so they never split."""
    out, start = [], 0
    for m in re.finditer(r"[.!?]+[\"')\]]*\s+", text):
        word = text[start:m.start() + 1].split()[-1] if text[start:m.start() + 1].split() else ""
        if word.lower().lstrip("(").endswith(ABBREVIATIONS):
            continue
        out.append(text[start:m.end()].strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


# --- blocks -------------------------------------------------------------------------------------

def _indented(lines: list[str], i: int) -> tuple[list[str], int]:
    """The block of blank or indented lines from i, dedented, and the index after it."""
    j = i
    while j < len(lines) and (not lines[j].strip() or lines[j][:1].isspace()):
        j += 1
    body = lines[i:j]
    while body and not body[-1].strip():
        body.pop()
    depth = min((len(l) - len(l.lstrip()) for l in body if l.strip()), default=0)
    return [l[depth:] for l in body], j


def _heading(line: str, nxt: str) -> bool:
    return bool(line.strip()) and not line.startswith("..") and bool(ADORNMENT.match(nxt)) \
        and len(nxt.rstrip()) >= len(line.rstrip())


def _member_name(kind: str, arg: str) -> str:
    name = arg.split("(", 1)[0].strip()
    return name + ("()" if kind in ("method", "classmethod", "staticmethod", "function") else "")


def _walk(lines: list[str], ctx: _Ctx, out: list[Sentence], labels: dict[str, str]) -> None:
    i, n = 0, len(lines)
    literal_next = False  # the paragraph before ended with "::": its indented block is code
    stacked: list[str] = []  # member directives without a body, shown with the next one
    colon_para = False  # the last thing emitted was a paragraph ending with ":" (a list may follow)
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if line[:1].isspace():
            body, i = _indented(lines, i)
            if not literal_next:
                _walk(body, ctx, out, labels)
            literal_next = colon_para = False
            continue
        literal_next = False
        nxt = lines[i + 1] if i + 1 < n else ""
        if ADORNMENT.match(line) and i + 2 < n and ADORNMENT.match(lines[i + 2]):
            if not ctx.fixed_section:
                ctx = replace(ctx, section=inline(nxt.strip(), labels), block="", cls="")
            i, colon_para = i + 3, False
            continue
        if _heading(line, nxt):
            if not ctx.fixed_section:
                ctx = replace(ctx, section=inline(line.strip(), labels), block="", cls="")
            i, colon_para = i + 2, False
            continue
        directive = DIRECTIVE.match(line)
        if directive:
            body, i = _indented(lines, i + 1)
            while body and OPTION.match(body[0]):
                body.pop(0)
            stacked = _directive(directive[1], directive[2].strip(), body, ctx, out, labels, stacked)
            colon_para = False
            continue
        if re.match(r"^\.\.(\s|$)", line):  # a comment, a label or a link target
            _, i = _indented(lines, i + 1)
            continue
        stacked = []
        if BULLET.match(line):
            items, i = _list(lines, i)
            plain = [inline(" ".join(l.strip() for l in item), labels) for item in items]
            short = all(len(item) == 1 and not re.search(r"[.!?:]$", p) for item, p in zip(items, plain))
            if colon_para and short and out:
                out[-1] = replace(out[-1], text=f"{out[-1].text} {', '.join(plain)}")
            else:
                for item in items:
                    _walk(item, ctx, out, labels)
            colon_para = False
            continue
        para = []
        while i < n and lines[i].strip() and not lines[i][:1].isspace():
            para.append(lines[i].strip())
            i += 1
        raw = " ".join(para)
        if raw.endswith("::"):
            literal_next = True
            raw = raw[:-3] if raw.endswith(" ::") else raw[:-1]
        if re.fullmatch(r"\*\*[^*]+\*\*", raw):  # a bold line heading a part of a warning
            continue
        for text in split_sentences(inline(raw, labels)):
            out.append(Sentence(ctx.doc, ctx.section, text, ctx.block))
        colon_para = raw.endswith(":")


def _list(lines: list[str], i: int) -> tuple[list[list[str]], int]:
    """Consecutive bullet items from i: each item's lines, dedented."""
    items, n = [], len(lines)
    while i < n and BULLET.match(lines[i]):
        m = BULLET.match(lines[i])
        width = len(lines[i]) - len(m[2])
        item, i = [m[2]], i + 1
        while i < n and (not lines[i].strip() or lines[i].startswith(" " * width)):
            item.append(lines[i][width:])
            i += 1
        while item and not item[-1].strip():
            item.pop()
        items.append(item)
        while i < n and not lines[i].strip() and i + 1 < n and BULLET.match(lines[i + 1]):
            i += 1
    return items, i


def _directive(name: str, arg: str, body: list[str], ctx: _Ctx, out: list[Sentence],
               labels: dict[str, str], stacked: list[str]) -> list[str]:
    """Handle one directive; returns the member names waiting for a body (stacked signatures)."""
    if name in SKIPPED:
        return []
    if name == "setting":
        return []
    if name in VERSIONS:
        block = f"{name} {arg.split()[0]}" if arg else name
        if body:
            _walk(body, replace(ctx, block=block), out, labels)
        else:
            out.append(Sentence(ctx.doc, ctx.section, VERSIONS[name].format(arg.split()[0]), block))
        return stacked
    if name in BLOCKS:
        _walk(body, replace(ctx, block=name), out, labels)
        return []
    if name == "class":
        _walk(body, replace(ctx, section=arg, cls=arg, block=""), out, labels)
        return []
    if name in MEMBERS:
        names = [*stacked, _member_name(name, arg)]
        if not body:
            return names
        section = " / ".join(names)
        _walk(body, replace(ctx, section=f"{ctx.cls}.{section}" if ctx.cls else section, block=""), out, labels)
        return []
    _walk(body, ctx, out, labels)  # an unknown directive: its content is read as prose
    return []


# --- documents ----------------------------------------------------------------------------------

def labels_of(*texts: str) -> dict[str, str]:
    """`.. _label:` just before a heading -> the heading's text (what :ref:`label` renders as)."""
    found = {}
    for text in texts:
        for m in re.finditer(r"^\.\. _([\w-]+):\s*\n\s*\n(?:([=\-~^]+)\n)?([^\n]+)\n([=\-~^]+)\n", text, re.M):
            found[m[1]] = inline(m[3].strip())
    return found


def sentences_of(doc: str, text: str, labels: dict[str, str] | None = None) -> list[Sentence]:
    """The sentences of one reStructuredText document (a whole one, or the settings reference
    reduced to its SESSION_* entries)."""
    labels = labels if labels is not None else labels_of(text)
    out: list[Sentence] = []
    if doc != "ref/settings":
        _walk(text.splitlines(), _Ctx(doc, ""), out, labels)
        return out
    for name, lines in setting_entries(text, "SESSION_"):
        _walk(lines, _Ctx(doc, name, fixed_section=True), out, labels)
    return out


def setting_entries(text: str, prefix: str) -> list[tuple[str, list[str]]]:
    """(name, lines) for each `.. setting:: NAME` starting with prefix, up to the next setting or
    section; the entry's own heading (``NAME`` underlined) is left out."""
    lines, entries, current = text.splitlines(), [], None
    for i, line in enumerate(lines):
        m = re.match(r"^\.\. setting:: (\S+)", line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if m or (_heading(line, nxt) and nxt.startswith("=")):
            current = (m[1], []) if m and m[1].startswith(prefix) else None
            if current:
                entries.append(current)
            continue
        if current is not None:
            current[1].append(line)
    for _, body in entries:
        first = next(k for k, l in enumerate(body) if l.strip())
        if _heading(body[first], body[first + 1] if first + 1 < len(body) else ""):
            del body[first:first + 2]
    return entries
