"""``hurtig offline-html``: rewrite an HTML page so that opening it loads nothing from the network.

MultiQC (1.14, Debian, even with ``--flat``) links Highcharts, FileSaver and other libraries
from CDNs, and fastp's per-unit page loads Plotly from two servers. Those pages name the
samples; opening them must not tell a third party that they were opened, and from where.

The rewrite (:func:`make_offline`):

- removes ``<script src>``, ``<link href>`` (stylesheets, icons, ``preconnect``/``prefetch``/
  ``preload`` hints...), ``<base href>`` and ``<meta http-equiv=refresh>`` that point to the
  network; a ``file:`` script or stylesheet that exists on this machine is inlined instead;
- drops network URLs from loading attributes of other elements (``img src``, ``srcset``,
  ``poster``, ``background``, SVG ``href``...) and from CSS (``url(...)`` → ``url("data:,")``,
  ``@import`` removed) in ``<style>`` elements and ``style`` attributes;
- puts a Content-Security-Policy as the first element of ``<head>`` that allows inline code and
  ``data:`` images and fonts only, so the browser refuses any load a script would start
  (``document.write`` of a script tag, ``$.get`` to an API), plus DNS prefetching off.

Hyperlinks (``<a href>``, ``<area href>``, ``<form action>``) stay: they load nothing until the
reader follows them. The result is written atomically (mode 0600) after it has been checked
again (:func:`network_loads` on the rewritten text must find nothing and the policy must come
first); otherwise one ``hurtig error:`` line names the file and what is left.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import tempfile
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from hurtig.errors import InputError

POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; media-src data: blob:; connect-src 'none'; "
    "frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
"""Content-Security-Policy of the rewritten page: inline code, ``data:``/``blob:`` media only."""

HEAD_META = (
    f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
    '<meta http-equiv="x-dns-prefetch-control" content="off">'
)
"""Inserted right after ``<head>``: the policy governs everything the parser meets after it."""

LOCAL_SCHEMES = frozenset({"", "data", "blob", "javascript", "about", "mailto", "tel", "cid"})
"""URL schemes that load nothing over the network (``file:`` is local only without a host)."""

LOADING_ATTRIBUTES = frozenset(
    {"src", "srcset", "poster", "data", "background", "lowsrc", "dynsrc", "manifest", "codebase"}
    | {"href", "xlink:href", "imagesrcset", "archive", "icon", "profile", "longdesc"}
)
"""Attributes whose URL the browser fetches when it shows the element (``href``: not on links)."""

HYPERLINK_TAGS = frozenset({"a", "area"})
"""Elements whose ``href`` is followed only when the reader clicks it."""

REMOVED_TAGS = frozenset({"script", "link", "base", "meta"})
"""Elements removed whole when they load from the network (the others only lose the URL)."""

CSS_URL = re.compile(r"""url\(\s*(["']?)(.*?)\1\s*\)""", re.I | re.S)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(["']?)([^"')\s;]*)\1\s*\)?[^;]*;?""", re.I)
REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)
MAX_INLINED_BYTES = 10 << 20


def is_network_url(url: str) -> bool:
    """Whether a browser would fetch ``url`` over the network (conservative for odd schemes).

    Args:
        url: an attribute or CSS value, HTML entities already decoded.

    Returns:
        True for ``http(s)://``, ``//host/...``, ``file://host/...`` and any scheme not known
        to be local; False for relative paths, ``#fragments``, ``data:``, ``blob:`` and
        ``file:///...``.
    """
    cleaned = "".join(ch for ch in url if ch > " ").replace("\\", "/")
    if cleaned.startswith("//"):
        return True
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    scheme = match.group(1).lower() if match else ""
    if scheme == "file":
        return urlsplit(cleaned).netloc.lower() not in {"", "localhost"}
    return scheme not in LOCAL_SCHEMES


def srcset_is_network(value: str) -> bool:
    """Whether any candidate of a ``srcset`` list (``url 2x, url 300w``) is a network URL."""
    return any(is_network_url(part.split()[0]) for part in value.split(",") if part.split())


def css_unescape(value: str) -> str:
    r"""A CSS string or URL with its escapes decoded (``\68 ttp`` is ``http``)."""

    def decode(match: re.Match[str]) -> str:
        code = match.group(1)
        if code is None:
            return match.group(2)
        number = int(code, 16)
        return chr(number) if 0 < number <= sys.maxunicode else "\ufffd"

    return re.sub(r"\\(?:([0-9A-Fa-f]{1,6})[ \t\n]?|(.))", decode, value, flags=re.S)


def clean_css(css: str) -> tuple[str, list[str]]:
    """CSS without network ``@import`` rules and with network ``url()`` values emptied.

    Returns:
        The new CSS and the network URLs it no longer loads.
    """
    removed: list[str] = []

    def drop_import(match: re.Match[str]) -> str:
        if is_network_url(css_unescape(match.group(2))):
            removed.append(match.group(2))
            return ""
        return match.group(0)

    def empty_url(match: re.Match[str]) -> str:
        if is_network_url(css_unescape(match.group(2))):
            removed.append(match.group(2))
            return 'url("data:,")'
        return match.group(0)

    return CSS_URL.sub(empty_url, CSS_IMPORT.sub(drop_import, css)), removed


# --------------------------------------------------------------------------- reading the page


@dataclass
class Element:
    """One start tag of the page, with its raw span and (script/style) its content span."""

    tag: str
    attrs: dict[str, str]
    start: int
    end: int
    body_end: int | None = None
    close_end: int | None = None
    raw_names: list[str] = field(default_factory=list)


class _Scanner(HTMLParser):
    """Start tags with their offsets in the text; script/style elements with their content."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.elements: list[Element] = []
        self._open_raw: Element | None = None

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self.position()
        raw = self.get_starttag_text() or ""
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")  # the first of repeated attributes counts
        element = Element(tag, values, start, start + len(raw), raw_names=[n for n, _ in attrs])
        self.elements.append(element)
        if tag in {"script", "style"}:
            self._open_raw = element

    def handle_endtag(self, tag: str) -> None:
        if self._open_raw is not None and tag == self._open_raw.tag:
            start = self.position()
            close = self.text.find(">", start)
            self._open_raw.body_end = start
            self._open_raw.close_end = len(self.text) if close < 0 else close + 1
            self._open_raw = None


def scan(text: str) -> list[Element]:
    """The start tags of an HTML text, in document order."""
    scanner = _Scanner(text)
    scanner.feed(text)
    scanner.close()
    return scanner.elements


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return bisect_right(starts, offset)


# --------------------------------------------------------------------------- finding loads


@dataclass(frozen=True)
class Load:
    """A network load found in the page and the edit that removes it."""

    what: str
    start: int
    end: int
    replacement: str


def _network_attributes(element: Element) -> list[str]:
    """The loading attributes of an element that hold a network URL."""
    found = []
    for name, value in element.attrs.items():
        if name not in LOADING_ATTRIBUTES:
            continue
        if name in {"href", "xlink:href"} and element.tag in HYPERLINK_TAGS:
            continue
        network = srcset_is_network(value) if name.endswith("srcset") else is_network_url(value)
        if network:
            found.append(name)
    return found


def _refresh_target(element: Element) -> str | None:
    """The network URL a ``<meta http-equiv=refresh>`` would load, if any."""
    if element.tag != "meta" or element.attrs.get("http-equiv", "").lower() != "refresh":
        return None
    match = REFRESH_URL.search(element.attrs.get("content", ""))
    return match.group(1) if match and is_network_url(match.group(1)) else None


def _without_attributes(raw: str, names: Sequence[str], extra: str = "") -> str:
    """A start tag's raw text without the named attributes, ``extra`` appended."""
    for name in names:
        value = r"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
        raw = re.sub(rf"\s+{re.escape(name)}{value}", "", raw, count=1, flags=re.I)
    closing = "/>" if raw.endswith("/>") else ">"
    return raw[: -len(closing)] + extra + closing


def _element_loads(text: str, element: Element) -> list[Load]:
    """The network loads of one element, each with its fix."""
    raw = text[element.start : element.end]
    whole_end = element.close_end if element.close_end is not None else element.end
    network = _network_attributes(element)
    refresh = _refresh_target(element)
    if element.tag in REMOVED_TAGS and (network or refresh):
        what = f"<{element.tag} {' '.join(network) or 'http-equiv=refresh'}>"
        url = refresh or element.attrs[network[0]]
        return [Load(f"{what} {url}", element.start, whole_end, "")]
    loads: list[Load] = []
    style = element.attrs.get("style", "")
    cleaned_style, style_urls = clean_css(style)
    if network or style_urls:
        names = [*network, "style"] if style_urls else network
        extra = f' style="{html.escape(cleaned_style)}"' if style_urls else ""
        urls = [element.attrs[name] for name in network] + style_urls
        what = f"<{element.tag}> {', '.join(urls)}"
        loads.append(Load(what, element.start, element.end, _without_attributes(raw, names, extra)))
    if element.tag == "style" and element.body_end is not None:
        css = text[element.end : element.body_end]
        cleaned, urls = clean_css(css)
        if urls:
            loads.append(Load(f"<style> {', '.join(urls)}", element.end, element.body_end, cleaned))
    return loads


def _local_file(element: Element) -> Path | None:
    """The local file behind a ``file:`` script or stylesheet that can be inlined."""
    if element.tag == "script":
        url = element.attrs.get("src", "")
    elif element.tag == "link" and "stylesheet" in element.attrs.get("rel", "").lower().split():
        url = element.attrs.get("href", "")
    else:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc.lower() not in {"", "localhost"}:
        return None
    path = Path(unquote(parts.path))
    if not path.is_file() or path.stat().st_size > MAX_INLINED_BYTES:
        return None
    return path


def _inline(text: str, element: Element, path: Path) -> Load:
    """Replace a ``file:`` script or stylesheet by its content, inline."""
    content = path.read_text(encoding="utf-8", errors="replace")
    if element.tag == "script":
        body = re.sub(r"</(script)", r"<\\/\1", content, flags=re.I)
        end = element.close_end if element.close_end is not None else element.end
        return Load(f"<script src> {path}", element.start, end, f"<script>{body}</script>")
    body = re.sub(r"</(style)", r"<\\/\1", content, flags=re.I)
    return Load(f"<link> {path}", element.start, element.end, f"<style>{body}</style>")


def network_loads(text: str, inline_local: bool = False) -> list[Load]:
    """Every network load of a page, in document order, with the edit that removes it.

    Args:
        text: the HTML.
        inline_local: also list ``file:`` scripts and stylesheets of this machine, with the
            edit that inlines them (the policy would block them).

    Returns:
        Non-overlapping loads; empty when the page loads nothing from the network.
    """
    loads: list[Load] = []
    for element in scan(text):
        path = _local_file(element) if inline_local else None
        found = [_inline(text, element, path)] if path else _element_loads(text, element)
        for load in found:
            if not loads or load.start >= loads[-1].end:
                loads.append(load)
    return loads


# --------------------------------------------------------------------------- the policy


def _head_insert_at(text: str, elements: Sequence[Element]) -> tuple[int, str]:
    """Where the policy goes (right after ``<head>``) and the text to insert there."""
    for element in elements:
        if element.tag == "head":
            return element.end, HEAD_META
        if element.tag not in {"html"}:
            break
    html_tag = next((e for e in elements if e.tag == "html"), None)
    if html_tag is not None:
        return html_tag.end, f"<head>{HEAD_META}</head>"
    doctype = re.match(r"\s*<!doctype[^>]*>", text, re.I)
    return (doctype.end() if doctype else 0), f"<head>{HEAD_META}</head>"


def policy_is_first(text: str) -> bool:
    """Whether the page's first element after ``<html>``/``<head>`` is our policy."""
    for element in scan(text):
        if element.tag in {"html", "head"}:
            continue
        is_policy = element.attrs.get("http-equiv", "").lower() == "content-security-policy"
        return element.tag == "meta" and is_policy and element.attrs.get("content") == POLICY
    return False


def apply(text: str, edits: Sequence[tuple[int, int, str]]) -> str:
    """Apply non-overlapping ``(start, end, replacement)`` edits to a text."""
    out: list[str] = []
    position = 0
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        out += [text[position:start], replacement]
        position = end
    out.append(text[position:])
    return "".join(out)


def make_offline(text: str) -> tuple[str, list[str]]:
    """The page without network loads, the policy first in ``<head>``.

    Args:
        text: the HTML.

    Returns:
        The new HTML and a description of each load removed or inlined.
    """
    loads = network_loads(text, inline_local=True)
    edits = [(load.start, load.end, load.replacement) for load in loads]
    cleaned = apply(text, edits)
    if not policy_is_first(cleaned):
        at, insert = _head_insert_at(cleaned, scan(cleaned))
        cleaned = apply(cleaned, [(at, at, insert)])
    return cleaned, [load.what for load in loads]


CRUDE_TAG = re.compile(r"<([A-Za-z][\w:-]*)\b[^>]*>")
CRUDE_ATTRIBUTE = re.compile(
    r"""[\s"'](?:src|srcset|href|xlink:href|poster|data|background)\s*=\s*["']?\s*"""
    r"(?:(?:https?|ftp|wss?):)?//",
    re.I,
)
CRUDE_CSS = re.compile(r"""(?:url\(|@import)\s*["']?\s*(?:(?:https?|ftp):)?//""", re.I)


def crude_network_loads(text: str) -> list[int]:
    """Offsets of network loads found by plain patterns, a second opinion on the parser's.

    Every start tag outside script content (hyperlinks excepted) with a loading attribute on
    ``http(s)://`` or ``//host``, and every ``url(...)``/``@import`` of such a URL in CSS.
    """
    blanked = text
    for element in scan(text):
        if element.tag == "script" and element.body_end is not None:
            blank = " " * (element.body_end - element.end)
            blanked = blanked[: element.end] + blank + blanked[element.body_end :]
    found = []
    for tag in CRUDE_TAG.finditer(blanked):
        if tag.group(1).lower() in HYPERLINK_TAGS:
            continue
        if CRUDE_ATTRIBUTE.search(tag.group(0)) or CRUDE_CSS.search(html.unescape(tag.group(0))):
            found.append(tag.start())
    found += [css.start() for css in CRUDE_CSS.finditer(blanked)]
    return sorted(set(found))


def check_offline(text: str, name: str) -> None:
    """Fail unless the page loads nothing from the network and starts with the policy.

    Raises:
        InputError: naming the file, the first load left and its line.
    """
    left = network_loads(text)
    if left:
        first = left[0]
        more = f" (and {len(left) - 1} more)" if len(left) > 1 else ""
        line = line_of(text, first.start)
        raise InputError(f"{name}: still loads {first.what} at line {line}{more}")
    crude = crude_network_loads(text)
    if crude:
        snippet = text[crude[0] : crude[0] + 80].split("\n")[0]
        line = line_of(text, crude[0])
        raise InputError(f"{name}: still loads from the network at line {line}: {snippet}")
    if not policy_is_first(text):
        raise InputError(f"{name}: the Content-Security-Policy is not the first element of <head>")


# --------------------------------------------------------------------------- files and CLI


def write_offline(source: Path, out: Path, log: Callable[[str], None] | None = None) -> list[str]:
    """Rewrite ``source`` to ``out`` (may be the same file), checked, atomically, mode 0600.

    Args:
        source: the page to read.
        out: the page to write; replaced only when the rewritten page passes the check.
        log: called with one line per load removed.

    Returns:
        The loads removed or inlined.

    Raises:
        InputError: the input is missing or the rewritten page still loads from the network.
    """
    if not source.is_file():
        raise InputError(f"{source}: HTML page not found")
    text = source.read_text(encoding="utf-8", errors="surrogateescape")
    cleaned, removed = make_offline(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write(cleaned)
        check_offline(Path(name).read_text(encoding="utf-8", errors="surrogateescape"), str(out))
        os.replace(name, out)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    for what in removed:
        if log is not None:
            log(f"{out}: removed {what}")
    return removed


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        prog="hurtig offline-html",
        description="Rewrite an HTML page so that it loads nothing from the network.",
    )
    parser.add_argument("--in", dest="source", required=True, type=Path, help="input HTML")
    parser.add_argument("--out", required=True, type=Path, help="output HTML (may be --in)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    args = parse_args(argv)
    removed = write_offline(args.source, args.out, log=lambda line: print(line, file=sys.stderr))
    print(f"{args.out}: {len(removed)} network loads removed or inlined", file=sys.stderr)
    return 0
