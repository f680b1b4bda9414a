"""HTML fragments as plain text: the visible text of a post body, tags, scripts and styles dropped.

Nothing from a post is ever rendered as rich text, so bodies are stored as plain text.
The fragment is read with the standard library's :class:`html.parser.HTMLParser`
(https://docs.python.org/3/library/html.parser.html); ``script`` and ``style`` are raw-text
elements and ``br``, ``img`` … void elements as the HTML Standard defines them
(https://html.spec.whatwg.org/multipage/syntax.html#elements-2). Input and output are
bounded, so tag soup cannot make it run or allocate without limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Final

from jb_watchdesk.connectors.base import MAX_BODY_CHARS, clip

# HTML is stripped from at most this many input characters: the platforms' own limits
# are far lower (WeChat articles stay under 20,000 characters), so anything longer is
# either broken or hostile, and the text kept is capped at MAX_BODY_CHARS anyway.
MAX_HTML_INPUT_CHARS: Final = 2_000_000

# Raw-text elements: their content is code, never text. An HTML parser reads it up to
# the matching end tag, so an unclosed <script> hides the rest, which is the safe
# reading for code.
_CODE_TAGS: Final = frozenset({"script", "style"})
# Elements whose content is not shown but is ordinary markup. One left open (an
# <object> or <iframe> whose end a CMS cut off, a stray <noscript>) must not hide what
# follows: its text is held back and dropped at its own end tag, but given back when an
# element that was open before it closes first, or when the fragment ends. Showing a
# little fallback text is the lesser harm: text hidden from the desk is text the
# sensitive-word scan never sees.
_HIDDEN_TAGS: Final = frozenset(
    {"noscript", "template", "iframe", "object", "svg", "math", "head", "noembed", "noframes"}
)
_VOID_TAGS: Final = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
_BLOCK_TAGS: Final = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
# Bounds on the open-element stack, so tag soup cannot make end-tag matching quadratic.
_MAX_OPEN_ELEMENTS: Final = 4_096
_END_TAG_SEARCH: Final = 64
_SPACES: Final = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_BLANK_LINES: Final = re.compile(r"\n\s*\n+")


@dataclass(slots=True)
class _HiddenElement:
    """An open element from :data:`_HIDDEN_TAGS`: where it sits and where its text starts.

    Its text is collected like any other; closed by its own end tag, the text from ``start``
    on is cut again (one slice, whatever the nesting), never closed, it simply stays.
    """

    tag: str
    depth: int  # its index in the open-element stack
    start: int  # its first part in the collected text
    size: int  # the collected size when it opened


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment, stopping at a character budget."""

    # Newer Python releases also read iframe, noembed, noframes and xmp as raw text;
    # pinned so that an unclosed <iframe> is handled the same on every interpreter.
    # typeshed marks it Final, but HTMLParser reads it from the instance: overriding it is supported.
    CDATA_CONTENT_ELEMENTS: tuple[str, ...] = ("script", "style")  # type: ignore[misc]

    def __init__(self, limit: int) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._size = 0
        self._limit = limit
        self._code_depth = 0
        # the raw text inside an open <script>/<style>, kept in case it is never closed
        self._code: list[str] = []
        self._code_size = 0
        self._open: list[str] = []
        self._hidden: list[_HiddenElement] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CODE_TAGS:
            self._code_depth += 1
            return
        if tag in _BLOCK_TAGS:
            self._add("\n")
        if tag in _VOID_TAGS or len(self._open) >= _MAX_OPEN_ELEMENTS:
            return
        if tag in _HIDDEN_TAGS:
            self._hidden.append(_HiddenElement(tag, len(self._open), len(self._parts), self._size))
        self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # A self-closing <script/> or <iframe/> opens nothing, so it must not start hiding text.
        if tag in _BLOCK_TAGS:
            self._add("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _CODE_TAGS:
            self._code_depth = max(0, self._code_depth - 1)
            self._code.clear()
            self._code_size = 0
            return
        index = self._find_open(tag)
        if index is not None:
            del self._open[index:]
            while self._hidden and self._hidden[-1].depth >= index:
                element = self._hidden.pop()
                if element.depth == index:
                    # closed by its own end tag: its content stays hidden
                    del self._parts[element.start :]
                    self._size = element.size
                # else an enclosing element closed first: it was never closed, and its text stays
        if tag in _BLOCK_TAGS:
            self._add("\n")

    def handle_data(self, data: str) -> None:
        if not self._code_depth:
            self._add(data)
        elif self._code_size < MAX_HTML_INPUT_CHARS:
            self._code.append(data)
            self._code_size += len(data)

    def close(self) -> None:
        super().close()
        self._hidden.clear()  # never closed: their text stays
        if self._code_depth and self.rawdata and not self.full:
            # A <script> or <style> that is never closed swallowed the rest of the fragment as raw
            # text (a CMS that cut the closing tag): read that rest once more as HTML, so the text
            # after it is not hidden from the scanner.
            rest = ("".join(self._code) + self.rawdata)[:MAX_HTML_INPUT_CHARS]
            self.rawdata = ""
            again = _RereadExtractor(self._limit - self._size)
            again.feed(rest)
            again.close()
            self._add(again.text())

    def _find_open(self, tag: str) -> int | None:
        lowest = max(0, len(self._open) - _END_TAG_SEARCH)
        for index in range(len(self._open) - 1, lowest - 1, -1):
            if self._open[index] == tag:
                return index
        return None

    def _add(self, text: str) -> None:
        if self._size < self._limit:
            self._parts.append(text)
            self._size += len(text)

    @property
    def full(self) -> bool:
        return self._size >= self._limit

    def text(self) -> str:
        return "".join(self._parts)


class _RereadExtractor(_TextExtractor):
    """The rest of a fragment after a never-closed ``<script>``/``<style>``, read once more.

    Here script and style are ordinary elements: their markup is parsed, the text of a closed
    one stays hidden and that of a never-closed one is given back, so nothing is read a third
    time and the work stays linear however many are left open.
    """

    CDATA_CONTENT_ELEMENTS = ()  # type: ignore[misc]  # Final in typeshed, see _TextExtractor

    def close(self) -> None:
        HTMLParser.close(self)
        self._hidden.clear()
        if self._code_depth:
            self._add("".join(self._code))


def html_to_text(html: str, limit: int = MAX_BODY_CHARS) -> str:
    """The readable text of an HTML fragment: tags, scripts and styles dropped.

    Nothing from a post is ever rendered as rich text, so bodies are stored as plain
    text. The input is cut to :data:`MAX_HTML_INPUT_CHARS` and fed in chunks that stop
    once ``limit`` characters of text are collected, so the work is bounded.
    """
    extractor = _TextExtractor(limit)
    source = html[:MAX_HTML_INPUT_CHARS]
    chunk = 65_536
    for start in range(0, len(source), chunk):
        extractor.feed(source[start : start + chunk])
        if extractor.full:
            break
    extractor.close()
    return normalise_text(extractor.text(), limit)


def normalise_text(text: str, limit: int) -> str:
    """Collapse runs of spaces and blank lines, trim, and clip to ``limit``."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    joined = "\n".join(lines)
    return clip(_BLANK_LINES.sub("\n\n", joined).strip(), limit)


def text_or_html(value: str, limit: int) -> str:
    """Plain text from a field that may or may not contain markup."""
    if "<" in value or "&" in value:
        return html_to_text(value, limit)
    return normalise_text(value, limit)
