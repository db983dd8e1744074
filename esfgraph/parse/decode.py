"""Bytes of a saved page → clean text, or a clear reason why the file is not a text page.

Handles UTF-8 (with or without BOM), UTF-16/UTF-32 with BOM (and UTF-16 without BOM when the
zero bytes give it away), and Latin-1 / Windows-1252; rejects empty, binary, HTML and oversized
files. The text comes back NFC-normalised with `\\n` line ends and no control characters.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field

#: A project page is a few kilobytes; anything this big is not one (and is not read whole).
MAX_BYTES = 8 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HTML_RE = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|meta|script|div|table)\b",
                      re.IGNORECASE)
_TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
#: C0/C1 control characters except tab and newline (CR is turned into newline first).
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\ufeff\u00ad]")
#: UTF-8 bytes of å ä ö Å Ä Ö é read as Windows-1252 (`PiteÃ¥`).
_MOJIBAKE_RE = re.compile("Ã[¥¤¶…„–©]")
#: Format characters dropped silently (they carry no text).
_INVISIBLE = "\u200b\u200e\u200f\ufeff\u00ad"
_CONTROL_CHARS = tuple(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), *range(0x7F, 0xA0))
                       ) + tuple(_INVISIBLE)
_BINARY_BYTES = bytes(range(0, 9)) + bytes(range(14, 32)) + b"\x0b\x7f"


_NAMES = {"cp1252": "Windows-1252 (Latin-1)", "latin-1": "Latin-1 (ISO 8859-1)"}


class DecodeError(ValueError):
    """The file cannot be a saved text page (reason in the message)."""


@dataclass
class Decoded:
    """Text of a page with what had to be done to get it (for warnings)."""

    text: str
    encoding: str
    notes: list[tuple[str, int | None]] = field(default_factory=list)


def _looks_utf16(data: bytes) -> str | None:
    """Guess UTF-16 without a BOM from where the zero bytes sit (ASCII-heavy text)."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_zero = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> Decoded:
    """Decode and clean one file's bytes; raise DecodeError with the reason when it is no page."""
    if len(data) > MAX_BYTES:
        raise DecodeError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                          "a project page is a few kilobytes")
    if not data.strip():
        raise DecodeError("file is empty")
    encoding = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, data = name, data[len(bom):]
            break
    if encoding is None and b"\x00" in data[:4096]:
        encoding = _looks_utf16(data)
        if encoding is None and data[:8192].count(0) > 8:
            raise DecodeError("file is binary (contains zero bytes), not a text page")
    if encoding is None:
        sample = data[:8192]
        odd = len(sample) - len(sample.translate(None, _BINARY_BYTES))
        if odd > max(2, len(sample) // 20):
            raise DecodeError("file is binary (many control bytes), not a text page")
    notes: list[tuple[str, int | None]] = []
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise DecodeError(f"file claims {encoding} but is not valid {encoding}: {exc.reason} "
                              f"at byte {exc.start}") from exc
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, encoding = data.decode("latin-1"), "latin-1"
            notes.append((f"file is not UTF-8; decoded as {_NAMES[encoding]}; "
                          "save pages as UTF-8 to be sure", None))
    cleaned = clean_text(text, encoding)
    cleaned.notes[:0] = notes
    return cleaned


def looks_like_html(text: str) -> bool:
    """True when the start of a text is HTML markup (an HTML page, not a page saved as text)."""
    head = text[:4096]
    return "<" in head and (_HTML_RE.search(head) is not None or len(_TAG_RE.findall(head)) >= 5)


def clean_text(text: str, encoding: str = "str", *, html_ok: bool = False) -> Decoded:
    """Reject empty and HTML text; unify line ends, drop control characters, normalise to NFC.

    `html_ok` is for text rendered from HTML: it may quote markup (`&lt;div&gt;`) as text.
    """
    notes: list[tuple[str, int | None]] = []
    if not text.strip():
        raise DecodeError("file is empty (only whitespace)")
    if not html_ok and looks_like_html(text):
        raise DecodeError("file is an HTML page, not a saved text page; esfgraph.parse reads "
                          "text only: read HTML with esfgraph.sources.read_page (as "
                          "`esfgraph parse` and `esfgraph build` do)")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    if any(ch in text for ch in _CONTROL_CHARS):  # substring tests beat one regex scan
        visible = [m.start() for m in _CONTROL_RE.finditer(text) if m.group() not in _INVISIBLE]
        line = text.count("\n", 0, visible[0]) + 1 if visible else None
        text = _CONTROL_RE.sub("", text)
        if visible:
            notes.append((f"removed {len(visible)} control character(s), the first on line {line}",
                          line))
    if _MOJIBAKE_RE.search(text):
        try:
            text = text.encode("cp1252").decode("utf-8")
            notes.append(("text was UTF-8 read as Latin-1 ('Ã¤' for 'ä'); repaired", None))
        except UnicodeError:
            pass  # mixed text: leave it as it is rather than guess
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise DecodeError("file is empty once control characters are removed")
    return Decoded(text=text, encoding=encoding, notes=notes)


class NotARegularFile(OSError):
    """The path is a FIFO, socket or device: never a saved page, and never opened."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({kind})", path)
        self.kind = kind


def file_kind(mode: int) -> str:
    """What a non-regular file is, for messages: `a FIFO`, `a socket`, ... ."""
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a directory")):
        if test(mode):
            return kind
    return "not a plain file"


def _check_regular(path: str, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", path)
    if not stat.S_ISREG(mode):
        raise NotARegularFile(path, file_kind(mode))


def read_file(path: str) -> bytes:
    """Read at most MAX_BYTES + 1 bytes (enough to tell an oversized file) of a regular file.

    Opening a FIFO blocks until something writes to it, and a device may never end, so only
    regular files are opened: `stat` first, then an `O_NONBLOCK` open (should the path be
    swapped for a FIFO in between, the open does not wait) and `fstat` of what was opened.

    Raises:
        NotARegularFile: a FIFO, socket or device.
        IsADirectoryError: a directory.
        OSError: the file cannot be read (missing, no permission, ...).
    """
    _check_regular(path, os.stat(path).st_mode)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as fh:
        st = os.fstat(fd)
        _check_regular(path, st.st_mode)
        size = st.st_size
        # read(n) with a huge n allocates n bytes up front; ask only for what is there
        return fh.read(min(size, MAX_BYTES) + 1 if size else MAX_BYTES + 1)
