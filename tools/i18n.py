"""Keep the Qt translation sources in step with the UI code.

The UI passes Simplified Chinese source strings through small per-module helpers::

    def _t(text: str) -> str:
        return QCoreApplication.translate("MainWindow", text)

``pyside6-lupdate`` only sees ``translate()`` calls whose arguments are literals, so it finds
none of the ``_t("…")`` calls. This script reads the modules with :mod:`ast` instead: a helper's
context is the string literal in its ``translate()`` call; direct
``QCoreApplication.translate("Ctx", "…")`` calls and ``self.tr("…")`` (context: the enclosing
class) are picked up too.

    python tools/i18n.py            # refresh resources/translations/*.ts, report what is untranslated
    python tools/i18n.py --check    # change nothing; exit 1 if anything is missing or unfinished

Refreshing keeps every existing translation: messages that left the code are marked
``vanished`` (and come back if the string returns), new messages are added as ``unfinished``,
pre-filled from an identical source text elsewhere when there is one. The ``.qm`` files are
compiled from the ``.ts`` files by ``make`` (``pyside6-lrelease``).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "jb_watchdesk" / "ui"
TRANSLATIONS_DIR = ROOT / "resources" / "translations"
SOURCE_LANGUAGE = "zh_CN"
LANGUAGES = {"en": "en_US"}

_TRANSLATE_OWNERS = {"QCoreApplication", "QApplication", "QGuiApplication"}
_PLACEHOLDER = re.compile(r"%(?:\d+|n|L\d+)|\{[^{}]*\}")
_MNEMONIC = re.compile(r"(?<!&)&(?!&)")
_TRAILING_MARKS = {"：": ":", ":": ":", "…": "…", "？": "?", "?": "?", "！": "!", "!": "!", "。": "."}
"""A source ending in one of these needs a translation ending in the ASCII counterpart."""
_WIDE_MARKS = {"：", "？", "！", "。"}
"""Full-width marks carry their own spacing: the translation may add one space after them."""


@dataclass(frozen=True, slots=True)
class Location:
    path: Path
    line: int


@dataclass(slots=True)
class Message:
    source: str
    comment: str = ""
    translation: str = ""
    finished: bool = False
    vanished: bool = False
    locations: list[Location] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.comment)


Catalogue = dict[str, dict[tuple[str, str], Message]]
"""Context name -> (source, comment) -> message, in first-seen order."""


# --- extraction ---------------------------------------------------------------------------------


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_translate(func: ast.expr) -> bool:
    if not (isinstance(func, ast.Attribute) and func.attr == "translate"):
        return False
    owner = func.value
    name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
    return name in _TRANSLATE_OWNERS


def _argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return next((kw.value for kw in call.keywords if kw.arg == keyword), None)


def _helpers(tree: ast.Module) -> dict[str, str]:
    """Module-level functions that forward their first parameter to ``translate("Ctx", …)``."""
    found: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or not node.args.args:
            continue
        parameter = node.args.args[0].arg
        for call in ast.walk(node):
            if (
                isinstance(call, ast.Call)
                and _is_translate(call.func)
                and _literal(_argument(call, 0, "context")) is not None
                and isinstance(_argument(call, 1, "sourceText"), ast.Name)
                and _argument(call, 1, "sourceText").id == parameter  # type: ignore[union-attr]
            ):
                found[node.name] = _literal(_argument(call, 0, "context"))  # type: ignore[assignment]
    return found


class _Extractor(ast.NodeVisitor):
    def __init__(self, path: Path, helpers: dict[str, str], catalogue: Catalogue, problems: list[str]) -> None:
        self.path = path
        self.helpers = helpers
        self.catalogue = catalogue
        self.problems = problems
        self.classes: list[str] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name in self.helpers and not self.classes:
            return  # the helper's own translate(ctx, text) call is not a message
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.helpers:
            self._add(node, self.helpers[func.id], _argument(node, 0, "text"), _argument(node, 1, "disambiguation"))
        elif _is_translate(func):
            context = _literal(_argument(node, 0, "context"))
            if context is None:
                self._warn(node, "translate() with a non-literal context")
            else:
                self._add(node, context, _argument(node, 1, "sourceText"), _argument(node, 2, "disambiguation"))
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "tr"
            and isinstance(func.value, ast.Name)
            and func.value.id == "self"
            and self.classes
        ):
            self._add(node, self.classes[-1], _argument(node, 0, "sourceText"), _argument(node, 1, "disambiguation"))
        self.generic_visit(node)

    def _add(self, node: ast.Call, context: str, text_node: ast.expr | None, comment_node: ast.expr | None) -> None:
        text = _literal(text_node)
        if text is None:
            self._warn(node, "a translated string that is not a literal (lupdate-style tools cannot see it)")
            return
        comment = _literal(comment_node) or ""
        messages = self.catalogue.setdefault(context, {})
        message = messages.setdefault((text, comment), Message(source=text, comment=comment))
        message.locations.append(Location(self.path, node.lineno))

    def _warn(self, node: ast.AST, what: str) -> None:
        self.problems.append(f"{_display(self.path)}:{getattr(node, 'lineno', 0)}: {what}")


def extract(source_dir: Path = SOURCE_DIR, problems: list[str] | None = None) -> Catalogue:
    """Every translatable string under ``source_dir``, by context, in file and line order."""
    catalogue: Catalogue = {}
    sink = problems if problems is not None else []
    for path in sorted(source_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        _Extractor(path, _helpers(tree), catalogue, sink).visit(tree)
    return catalogue


# --- .ts files ---------------------------------------------------------------------------------


def read_ts(path: Path) -> tuple[Catalogue, str]:
    """The messages of a .ts file and its target language (empty catalogue if it does not exist)."""
    if not path.exists():
        return {}, ""
    root = ET.parse(path).getroot()
    catalogue: Catalogue = {}
    for context in root.iter("context"):
        name = context.findtext("name", default="")
        messages = catalogue.setdefault(name, {})
        for element in context.iter("message"):
            translation = element.find("translation")
            kind = translation.get("type", "") if translation is not None else "unfinished"
            message = Message(
                source=element.findtext("source", default=""),
                comment=element.findtext("comment", default=""),
                translation=(translation.text or "") if translation is not None else "",
                finished=kind == "",
                vanished=kind in ("vanished", "obsolete"),
            )
            if kind in ("vanished", "obsolete"):
                message.finished = bool(message.translation)
            messages[message.key] = message
    return catalogue, root.get("language", "")


def merge(existing: Catalogue, extracted: Catalogue) -> Catalogue:
    """The extracted messages with the existing translations; the rest kept as vanished."""
    known: dict[str, str] = {}
    for messages in existing.values():
        for message in messages.values():
            if message.finished and message.translation:
                known.setdefault(message.source, message.translation)
    merged: Catalogue = {}
    for context in sorted(set(existing) | set(extracted)):
        old = existing.get(context, {})
        new = extracted.get(context, {})
        messages: dict[tuple[str, str], Message] = {}
        for key, found in new.items():
            previous = old.get(key)
            if previous is not None:
                found.translation, found.finished = previous.translation, previous.finished
            elif found.source in known:
                found.translation, found.finished = known[found.source], False
            messages[key] = found
        for key, previous in old.items():
            if key not in messages and previous.translation:
                previous.vanished, previous.locations = True, []
                messages[key] = previous
        if messages:
            merged[context] = messages
    return merged


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def render_ts(catalogue: Catalogue, language: str, ts_path: Path) -> str:
    """The .ts text, laid out as lupdate writes it (locations relative to the .ts file)."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE TS>",
        f'<TS version="2.1" language="{language}" sourcelanguage="{SOURCE_LANGUAGE}">',
    ]
    for context, messages in catalogue.items():
        lines += ["<context>", f"    <name>{_escape(context)}</name>"]
        for message in messages.values():
            lines.append("    <message>")
            for location in message.locations:
                relative = Path(os.path.relpath(location.path, ts_path.parent)).as_posix()
                lines.append(f'        <location filename="{_attribute(relative)}" line="{location.line}"/>')
            lines.append(f"        <source>{_escape(message.source)}</source>")
            if message.comment:
                lines.append(f"        <comment>{_escape(message.comment)}</comment>")
            if message.vanished:
                kind = ' type="vanished"'
            elif not message.finished:
                kind = ' type="unfinished"'
            else:
                kind = ""
            lines.append(f"        <translation{kind}>{_escape(message.translation)}</translation>")
            lines.append("    </message>")
        lines.append("</context>")
    lines.append("</TS>")
    return "\n".join(lines) + "\n"


# --- checks ------------------------------------------------------------------------------------


def _consistency(message: Message) -> str | None:
    source, translation = message.source, message.translation
    if sorted(_PLACEHOLDER.findall(source)) != sorted(_PLACEHOLDER.findall(translation)):
        return "placeholders differ"
    if source[: len(source) - len(source.lstrip())] != translation[: len(translation) - len(translation.lstrip())]:
        return "leading whitespace differs"
    last = source.rstrip()[-1:]
    trailing = translation[len(translation.rstrip()) :]
    if source[len(source.rstrip()) :] != trailing and not (last in _WIDE_MARKS and source == source.rstrip() and trailing == " "):
        return "trailing whitespace differs"
    mark = _TRAILING_MARKS.get(last)
    if mark is not None and not translation.rstrip().endswith(mark):
        return f"should end with {mark!r} like the source"
    if mark is None and translation.rstrip()[-1:] in {":", "…"}:
        return "ends with punctuation the source does not have"
    if _MNEMONIC.search(translation) and not _MNEMONIC.search(source):
        return "a single '&' marks a keyboard shortcut in buttons, tabs and actions (write 'and' or '&&')"
    return None


def untranslated(catalogue: Catalogue) -> list[str]:
    """Human-readable problems: live messages that are unfinished, empty or inconsistent."""
    problems = []
    for context, messages in catalogue.items():
        for message in messages.values():
            if message.vanished:
                continue
            where = f"{context}: {message.source!r}"
            if message.locations:
                first = message.locations[0]
                where = f"{_display(first.path)}:{first.line}: {where}"
            if not message.translation:
                problems.append(f"{where} is not translated")
            elif not message.finished:
                problems.append(f"{where} is unfinished ({message.translation!r})")
            elif reason := _consistency(message):
                problems.append(f"{where} -> {message.translation!r}: {reason}")
    return problems


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def ts_path(language: str, translations_dir: Path = TRANSLATIONS_DIR) -> Path:
    return translations_dir / f"jb_watchdesk_{language}.ts"


def run(
    *,
    check: bool,
    languages: Iterable[str] = LANGUAGES,
    source_dir: Path = SOURCE_DIR,
    translations_dir: Path = TRANSLATIONS_DIR,
    out=sys.stdout,  # noqa: ANN001 - a text stream
) -> int:
    """Refresh (or, with ``check``, only verify) the .ts files; 1 if anything is left to translate."""
    extraction_problems: list[str] = []
    failed = False
    for language in languages:
        extracted = extract(source_dir, extraction_problems)
        path = ts_path(language, translations_dir)
        existing, declared = read_ts(path)
        merged = merge(existing, extracted)
        live = sum(1 for messages in merged.values() for m in messages.values() if not m.vanished)
        problems = untranslated(merged)
        if not check:
            text = render_ts(merged, declared or LANGUAGES.get(language, language), path)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                print(f"updated {_display(path)}", file=out)
        print(f"{_display(path)}: {live} messages, {len(problems)} to translate", file=out)
        for problem in problems:
            print(f"  {problem}", file=out)
        failed = failed or bool(problems)
    for problem in sorted(set(extraction_problems)):
        print(f"warning: {problem}", file=out)
    return 1 if check and failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a message is untranslated")
    parser.add_argument("languages", nargs="*", default=list(LANGUAGES), help="default: %(default)s")
    args = parser.parse_args(argv)
    return run(check=args.check, languages=args.languages)


if __name__ == "__main__":
    sys.exit(main())
