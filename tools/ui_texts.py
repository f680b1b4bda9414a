"""Move a window module's texts from Qt's translation system to the message catalogue.

A module that still speaks through a Qt helper::

    def _t(text: str) -> str:
        return QCoreApplication.translate("AlertsView", text)

    button = QPushButton(_t("确认告警…"))

is rewritten to::

    from jb_watchdesk.ui.i18n import t

    button = QPushButton(t("ui.alerts.acknowledge"))

and each text becomes an entry of ``jb_watchdesk/domain/messages/ui.py``
(``"ui.<area>.<name>": (zh, en)``). The Chinese is the helper's argument; the English comes from
the Qt translation source ``resources/translations/jb_watchdesk_en.ts``; the area from the
helper's context (``AREAS``), the name from the English. A text already in the catalogue under
the same area with the same Chinese and English keeps its key, so hand-chosen names survive a
re-run and modules converted later share the entries of earlier ones.

    python tools/ui_texts.py jb_watchdesk/ui/views/duty/*.py    # convert these modules
    python tools/ui_texts.py --check                             # exit 1 if a ui module still uses _t

A call whose argument is not a string literal, or a text without an English translation, is
reported and left alone (the module is then not rewritten).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_DIR = ROOT / "jb_watchdesk" / "ui"
CATALOGUE = ROOT / "jb_watchdesk" / "domain" / "messages" / "ui.py"
TS = ROOT / "resources" / "translations" / "jb_watchdesk_en.ts"
ADAPTER_IMPORT = "from jb_watchdesk.ui.i18n import t"

AREAS = {
    "MainWindow": "window",
    "AccountsView": "accounts",
    "DashboardView": "dashboard",
    "DashboardModel": "dashboard",
    "CommentsView": "comments",
    "CommentsModel": "comments",
    "AlertsView": "alerts",
    "AlertsModel": "alerts",
    "AlertPopup": "popup",
    "AllowPhraseDialog": "allow",
    "NoteDialog": "note",
    "PostDialog": "post",
    "SettingsDialog": "settings",
    "Tray": "tray",
    "DutyView": "duty",
}
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*[^{}]*\}")
_STOP_WORDS = {"the", "a", "an", "of", "to", "for", "and", "or", "is", "are", "in", "on", "with", "this", "it", "its", "be"}
_NAME_WORDS = 4
_TRANSLATE_OWNERS = {"QCoreApplication", "QApplication", "QGuiApplication"}
_HEADER = '''"""The window's texts: menus, buttons, labels, dialogs, and what the window says about an account's
health. key: (zh, en); ``ui.<area>.<name>``, the area being the pane or dialog that shows it."""

from __future__ import annotations

from typing import Final

UI: Final[dict[str, tuple[str, str]]] = {
'''


# --- the catalogue part ------------------------------------------------------------------------


def read_catalogue(path: Path = CATALOGUE) -> dict[str, tuple[str, str]]:
    """The entries of the ``UI`` dict, read as literals (the module is never imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0] if isinstance(node, ast.Assign) else None
        if isinstance(target, ast.Name) and target.id == "UI" and node.value is not None:  # type: ignore[union-attr]
            return dict(ast.literal_eval(node.value))  # type: ignore[union-attr]
    raise ValueError(f"{path}: no UI dict")


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render_catalogue(entries: dict[str, tuple[str, str]]) -> str:
    """The module text: entries grouped by area (in order of first appearance), one comment per area."""
    areas: dict[str, list[str]] = {}
    for key in entries:
        areas.setdefault(key.split(".")[1], []).append(key)
    lines = [_HEADER.rstrip("\n")]
    for area, keys in areas.items():
        lines.append(f"    # {area}")
        for key in keys:
            zh, en = entries[key]
            one = f"    {_quote(key)}: ({_quote(zh)}, {_quote(en)}),"
            if len(one) <= 120:
                lines.append(one)
            else:
                lines += [f"    {_quote(key)}: (", f"        {_quote(zh)},", f"        {_quote(en)},", "    ),"]
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- English from the Qt translation source ----------------------------------------------------


def read_ts(path: Path = TS) -> dict[tuple[str, str], str]:
    """(context, Chinese) → finished English translation, vanished messages included."""
    if not path.exists():
        return {}
    found: dict[tuple[str, str], str] = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name", default="")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None or not translation.text or translation.get("type") == "unfinished":
                continue
            found[(name, message.findtext("source", default=""))] = translation.text
    return found


def english(ts: dict[tuple[str, str], str], context: str, source: str) -> str | None:
    if (context, source) in ts:
        return ts[(context, source)]
    return next((en for (_, zh), en in ts.items() if zh == source), None)


# --- keys --------------------------------------------------------------------------------------


def area_of(context: str) -> str:
    if context in AREAS:
        return AREAS[context]
    stem = re.sub(r"(View|Model|Dialog|Panel)$", "", context) or context
    return re.sub(r"(?<!^)(?=[A-Z])", "_", stem).lower()


def slug(en: str) -> str:
    words = re.findall(r"[a-z0-9]+", en.lower())
    kept = [w for w in words if w not in _STOP_WORDS] or words
    return "_".join(kept[:_NAME_WORDS]) or "text"


def key_for(entries: dict[str, tuple[str, str]], area: str, zh: str, en: str) -> str:
    """The existing key of (zh, en) in ``area``, or a new one named after the English."""
    prefix = f"ui.{area}."
    for key, value in entries.items():
        if key.startswith(prefix) and value == (zh, en):
            return key
    base = prefix + slug(en)
    key, n = base, 2
    while key in entries:
        key, n = f"{base}_{n}", n + 1
    entries[key] = (zh, en)
    return key


# --- modules -----------------------------------------------------------------------------------


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_translate(func: ast.expr) -> bool:
    if not (isinstance(func, ast.Attribute) and func.attr == "translate"):
        return False
    owner = func.value
    return (owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")) in _TRANSLATE_OWNERS


def helpers(tree: ast.Module) -> dict[str, tuple[str, ast.FunctionDef]]:
    """Module-level ``def _t(text): return QCoreApplication.translate("Ctx", text)``: name → (Ctx, node)."""
    found = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or not node.args.args:
            continue
        parameter = node.args.args[0].arg
        for call in ast.walk(node):
            if (
                isinstance(call, ast.Call)
                and _is_translate(call.func)
                and len(call.args) >= 2
                and _literal(call.args[0]) is not None
                and isinstance(call.args[1], ast.Name)
                and call.args[1].id == parameter
            ):
                found[node.name] = (_literal(call.args[0]), node)
    return found  # type: ignore[return-value]


@dataclass
class Conversion:
    path: Path
    text: str | None = None  # the rewritten module, None when nothing changes
    problems: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


class _Offsets:
    """ast positions (line, UTF-8 byte column) → offsets into the module's str."""

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def __call__(self, line: int, column: int) -> int:
        return self.starts[line - 1] + len(self.lines[line - 1].encode("utf-8")[:column].decode("utf-8"))


def _rewrite_import(node: ast.ImportFrom, drop: str) -> str:
    names = [a.name if a.asname is None else f"{a.name} as {a.asname}" for a in node.names if a.name != drop]
    if not names:
        return ""
    one = f"from {node.module} import {', '.join(names)}"
    if len(one) <= 120:
        return one
    return f"from {node.module} import (\n" + "".join(f"    {name},\n" for name in names) + ")"


def _add_adapter_import(source: str, names: list[str]) -> str:
    statement = f"{ADAPTER_IMPORT}{', template' if 'template' in names else ''}"
    if statement in source:
        return source
    source = source.replace(ADAPTER_IMPORT + "\n", "")
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    ours = [n for n in tree.body if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("jb_watchdesk")]
    after = [n for n in ours if (n.module or "") <= "jb_watchdesk.ui.i18n"]
    anchor = (after or ours)[-1] if (after or ours) else [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))][-1]
    at = anchor.end_lineno if after or not ours else anchor.lineno - 1
    lines.insert(at, statement + "\n")  # type: ignore[arg-type]
    return "".join(lines)


def convert(path: Path, entries: dict[str, tuple[str, str]], ts: dict[tuple[str, str], str]) -> Conversion:
    """Rewrite ``path``'s helper calls as catalogue keys, adding the entries to ``entries``."""
    result = Conversion(path)
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    found = helpers(tree)
    if not found:
        return result
    offset = _Offsets(source)
    quotes = _quotes_inside_fstrings(source, tree, offset)
    formats = {
        id(n.func.value): n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "format" and isinstance(n.func.value, ast.Call)
    }
    edits: list[tuple[int, int, str]] = []
    uses_template = False
    for call in ast.walk(tree):
        node = call
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in found):
            continue
        context = found[node.func.id][0]
        zh = _literal(node.args[0]) if len(node.args) == 1 and not node.keywords else None
        if zh is None:
            result.problems.append(f"{path}:{node.lineno}: {node.func.id}() of something other than one string literal")
            continue
        en = english(ts, context, zh)
        if en is None:
            result.problems.append(f"{path}:{node.lineno}: no English for {zh!r} ({context}) in {TS.name}")
            continue
        key = key_for(entries, area_of(context), zh, en)
        result.keys.append(key)
        mark = quotes.get(id(node), '"')
        formatted = formats.get(id(node))
        if formatted is not None:
            # _t("…{x}…").format(x=…) → t("key", x=…): the catalogue fills the placeholders
            if formatted.args or any(kw.arg is None for kw in formatted.keywords):
                result.problems.append(f"{path}:{node.lineno}: .format() with positional arguments: name them")
                continue
            params = "".join(f", {ast.get_source_segment(source, kw)}" for kw in formatted.keywords)
            node = formatted
        else:
            params = ""
            if _PLACEHOLDER.search(zh):
                # filled later by the module itself (a template chosen first, formatted afterwards)
                start = offset(node.lineno, node.col_offset)
                end = offset(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
                edits.append((start, end, f"template({mark}{key}{mark})"))
                uses_template = True
                continue
        start = offset(node.lineno, node.col_offset)
        end = offset(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
        edits.append((start, end, f"t({mark}{key}{mark}{params})"))
    if result.problems:
        return result
    for _, helper in found.values():
        start = offset(helper.lineno, 0)
        end = offset(helper.end_lineno + 1, 0) if helper.end_lineno < len(offset.lines) else len(source)  # type: ignore[operator]
        while source[end : end + 1] == "\n":
            end += 1
        edits.append((start, end, ""))
    for start, end, replacement in sorted(edits, reverse=True):
        source = source[:start] + replacement + source[end:]
    source = _drop_unused_import(source, "QCoreApplication")
    result.text = _add_adapter_import(source, ["t", "template"] if uses_template else ["t"])
    return result


def _quotes_inside_fstrings(source: str, tree: ast.Module, offset: _Offsets) -> dict[int, str]:
    """Calls inside an f-string's braces → the quote they must use (Python 3.11 forbids the f-string's own)."""
    quotes: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            start = offset(node.lineno, node.col_offset)
            opening = source[start:start + 8].lstrip("fFrRbBuU")[:1]
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call):
                    quotes[id(inner)] = "'" if opening == '"' else '"'
    return quotes


def _drop_unused_import(source: str, name: str) -> str:
    tree = ast.parse(source)
    used = any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(tree))
    if used:
        return source
    offset = _Offsets(source)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any(a.name == name for a in node.names):
            start, end = offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
            replacement = _rewrite_import(node, name)
            if not replacement and source[end : end + 1] == "\n":
                end += 1
            return source[:start] + replacement + source[end:]
    return source


def remaining(source_dir: Path = UI_DIR) -> list[str]:
    """Modules under ``source_dir`` that still define a Qt translation helper."""
    left = []
    for path in sorted(source_dir.rglob("*.py")):
        if helpers(ast.parse(path.read_text(encoding="utf-8"))):
            left.append(str(path.relative_to(ROOT)))
    return left


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a ui module still uses a Qt helper")
    parser.add_argument("--dry-run", action="store_true", help="show the keys, write nothing")
    args = parser.parse_args(argv)
    if args.check:
        left = remaining()
        for path in left:
            print(f"{path}: still translated by Qt; run python tools/ui_texts.py {path}")
        return 1 if left else 0
    entries = read_catalogue()
    before = dict(entries)
    ts = read_ts()
    failed = False
    for path in args.files:
        trial = dict(entries)
        conversion = convert(path.resolve(), trial, ts)
        for problem in conversion.problems:
            print(problem, file=sys.stderr)
            failed = True
        if conversion.text is None:
            continue
        entries = trial
        print(f"{path}: {len(conversion.keys)} texts, {len(set(conversion.keys))} keys")
        if not args.dry_run:
            path.write_text(conversion.text, encoding="utf-8")
    added = [key for key in entries if key not in before]
    if added and not args.dry_run:
        CATALOGUE.write_text(render_catalogue(entries), encoding="utf-8")
    for key in added:
        print(f"  + {key}: {entries[key]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
