"""Response bodies with their content codings undone, never more than a size cap at any step.

httpx inflates each network read whole, so a small gzip could inflate to gigabytes; the
client reads the raw bytes and undoes the codings here (gzip, RFC 1952; deflate, RFC 1950
and RFC 1951; br, RFC 7932) with an output limit at every step. Codings: RFC 9110 §8.4.1
(https://www.rfc-editor.org/rfc/rfc9110#section-8.4.1). A gzip body that arrives without a
Content-Encoding header is decompressed too, and a coding the client cannot read is named in
the error, so a compressed body is never mistaken for a charset problem.
"""

from __future__ import annotations

import logging
import zlib
from typing import Final

import brotli

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.http_errors import too_large

# These messages are the HTTP client's: they go to its logger.
log = logging.getLogger("jb_watchdesk.connectors.http")

#: The content codings this client decodes, offered in every request (RFC 9110 §12.5.3,
#: https://www.rfc-editor.org/rfc/rfc9110#section-12.5.3). Servers behind CDNs send br unasked.
ACCEPT_ENCODING: Final = "gzip, deflate, br"
#: How many compressions a body may carry beyond those its Content-Encoding announces
#: (a gzip file served as is, or gzipped again by a proxy).
MAX_UNANNOUNCED_LAYERS: Final = 2


class _TooLarge(Exception):
    """A decoder reached the size cap."""


class _CutShort(Exception):
    """A compressed stream ended before its end marker: the body was truncated on its way."""


def content_codings(header: str | None, *, platform: str, host: str) -> tuple[str, ...]:
    """The codings of a Content-Encoding header value, lower-cased, in the order they were applied.

    ``identity`` is dropped. Raises ConnectorError (``bad_payload``, ``PLATFORM.encoding``) naming
    a coding this client cannot decode, before the body is read, so that it is not later taken for
    text in a wrong charset. Codings: RFC 9110 §8.4.1 (https://www.rfc-editor.org/rfc/rfc9110#section-8.4.1).
    """
    codings = tuple(c for c in (part.strip().lower() for part in (header or "").split(",")) if c and c != "identity")
    for coding in codings:
        if coding not in _DECODERS:
            raise ConnectorError(
                ErrorKind.BAD_PAYLOAD,
                f"{host} compressed its answer with {coding!r}, which the desk cannot decompress "
                f"(it reads {ACCEPT_ENCODING}): ask the site's operator to serve it uncompressed or with gzip",
                code=f"{platform}.encoding",
            )
    return codings


def decode_body(raw: bytes, *, codings: tuple[str, ...], limit: int, platform: str, host: str) -> bytes:
    """``raw`` with its content codings undone, then any compression it carries unannounced.

    ``codings`` come from :func:`content_codings` (applied in that order, so undone in reverse).
    No step ever holds more than ``limit`` bytes of output: a body (or an intermediate layer)
    that would decode to more raises ConnectorError ``PLATFORM.too_large``. A body that starts
    with the gzip magic bytes (1f 8b, RFC 1952 §2.3.1) although no coding announced it is
    gunzipped; a binary body (control bytes no text here holds) that is one complete brotli
    stream is decoded (brotli has no magic bytes); other compressed formats recognised by their
    magic bytes (zstd, bzip2, xz) raise ``PLATFORM.compressed``, and so does unannounced gzip that
    does not decompress. A coding that fails to decode raises ``PLATFORM.decoding`` naming it.
    All are ``bad_payload``, but for a compressed stream that ends before its end marker (gzip
    and zlib trailers, RFC 1952 §2.2 and RFC 1950 §2.2; brotli's last meta-block, RFC 7932 §9.2):
    that is a transient ``PLATFORM.decoding``, since the answer was cut short on its way and the
    next poll reads it again. A body under a coding that is plain text instead (see
    :func:`_is_plain_text`) is kept as it came. ``limit`` is in bytes; ``host`` names the server
    in messages.
    """
    if not raw:
        return raw
    body = raw
    try:
        for coding in reversed(codings):
            if _is_plain_text(body):
                # A misconfigured server or proxy labels uncompressed text gzip (or br, deflate):
                # common, and the text is all there. Raw deflate and brotli have no header, so a
                # text body could even "decode" into garbage: it is not tried.
                continue
            try:
                body = _DECODERS[coding](body, limit)
            except (zlib.error, brotli.error):
                raise ConnectorError(
                    ErrorKind.BAD_PAYLOAD,
                    f"{host} sent a body marked {coding!r}-compressed that could not be decompressed",
                    code=f"{platform}.decoding",
                ) from None
        unannounced = (
            f"beyond what its Content-Encoding header ({', '.join(codings)}) announces"
            if codings
            else "without a Content-Encoding header"
        )
        for _ in range(MAX_UNANNOUNCED_LAYERS):
            found = _compression_of(body)
            if found is None:
                # Brotli has no magic bytes: a body that is binary rather than text is tried as brotli
                # (a CDN that dropped the header); when that fails too, the body stays as it came.
                unpacked = _unbrotli_whole(body, limit) if _looks_binary(body) else None
                if unpacked is None:
                    break
                body = unpacked
                log.debug("%s sent brotli that no Content-Encoding announced; decompressed", host)
                continue
            if found != "gzip":
                raise ConnectorError(
                    ErrorKind.BAD_PAYLOAD,
                    f"{host} sent a {found}-compressed body {unannounced}; the desk cannot read it",
                    code=f"{platform}.compressed",
                )
            try:
                body = _gunzip(body, limit)
            except zlib.error:
                raise ConnectorError(
                    ErrorKind.BAD_PAYLOAD,
                    f"{host} sent a gzip-compressed body {unannounced}, and it could not be decompressed",
                    code=f"{platform}.compressed",
                ) from None
            log.debug("%s sent gzip that no Content-Encoding announced; decompressed", host)
    except _TooLarge:
        raise too_large(platform, limit) from None
    except _CutShort:
        # Decoded as far as it goes, the answer would read as a complete (shorter) feed, and its
        # validators would make the next polls answer 304 over what was lost.
        raise ConnectorError(
            ErrorKind.TRANSIENT,
            f"{host}: the compressed answer was cut short; it will be read again at the next poll",
            code=f"{platform}.decoding",
        ) from None
    if len(body) > limit:
        raise too_large(platform, limit)
    return body


def _compression_of(body: bytes) -> str | None:
    """The compressed format ``body`` starts with, by its magic bytes, or None for anything else."""
    if body.startswith(b"\x1f\x8b"):  # RFC 1952 §2.3.1
        return "gzip"
    if body.startswith(b"\x28\xb5\x2f\xfd"):  # RFC 8878 §3.1.1
        return "zstd"
    if body.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if body.startswith(b"BZh") and body[3:4].isdigit() and body[4:10] == b"1AY&SY":
        return "bzip2"
    return None


def _is_plain_text(body: bytes) -> bool:
    """Whether ``body`` is uncompressed XML, HTML or JSON: after an optional byte order mark and
    whitespace it starts with ``<``, ``{`` or ``[``, and its start holds no control bytes.

    Neither gzip (1f 8b, RFC 1952 §2.3.1) nor zlib (RFC 1950 §2.2: its first byte is x8 for
    deflate) can start so. Raw deflate (RFC 1951) and brotli (RFC 7932) can, but compressed data
    carries control bytes within its first few dozen bytes, so only a compressed body of a few
    bytes could pass.
    """
    head = body[:512]
    for bom in _TEXT_BOMS:
        if head.startswith(bom):
            # UTF-16/32: each ASCII character is its byte plus NULs; without the NULs, the text shows.
            head = head[len(bom) :].replace(b"\x00", b"")
            break
    return head.lstrip(b" \t\r\n").startswith((b"<", b"{", b"[")) and not _looks_binary(head)


def _looks_binary(body: bytes) -> bool:
    """Whether the start of ``body`` holds control bytes that no text format here uses.

    Compressed data has them within a few hundred bytes (random bytes: all but certainly);
    XML, JSON and HTML in an ASCII-compatible charset do not. ESC is allowed (ISO-2022 text
    uses it); UTF-16/32 text (NUL bytes) is recognised by its byte order mark.
    """
    head = body[:512]
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return False
    return len(head.translate(None, _BINARY_BYTES)) != len(head)  # translate runs in C: every body passes here


def _inflate(data: bytes, limit: int, *, wbits: int) -> bytes:
    """zlib-family decompression with at most ``limit`` bytes out; _TooLarge past it.

    Consecutive gzip members are joined (RFC 1952 §2.2); anything else after the end is ignored,
    as browsers do. A stream (or member) that ends before its end marker raises _CutShort.
    """
    out = bytearray()
    while True:
        decompressor = zlib.decompressobj(wbits)
        # With max_length, zlib stops when the output is full and keeps the rest of the input.
        out += decompressor.decompress(data, limit - len(out) + 1)
        if len(out) > limit or decompressor.unconsumed_tail:
            raise _TooLarge
        out += decompressor.flush(limit - len(out) + 1)
        if len(out) > limit:
            raise _TooLarge
        if not decompressor.eof:
            # zlib hands out whatever a truncated stream holds, without complaint.
            raise _CutShort
        data = decompressor.unused_data
        if not (decompressor.eof and data.startswith(b"\x1f\x8b")):
            return bytes(out)


def _gunzip(data: bytes, limit: int) -> bytes:
    return _inflate(data, limit, wbits=16 + zlib.MAX_WBITS)


def _deflate(data: bytes, limit: int) -> bytes:
    # "deflate" is the zlib format (RFC 9110 §8.4.1.2), but some servers send raw deflate (RFC 1951).
    try:
        return _inflate(data, limit, wbits=zlib.MAX_WBITS)
    except (zlib.error, _CutShort) as as_zlib:
        # Raw deflate can start with two bytes that pass for a zlib header, then run off its end.
        try:
            return _inflate(data, limit, wbits=-zlib.MAX_WBITS)
        except zlib.error:
            if isinstance(as_zlib, _CutShort):
                raise as_zlib from None
            raise


def _unbrotli(data: bytes, limit: int) -> bytes:
    """Brotli (RFC 7932) with at most about ``limit`` bytes out; _TooLarge past it, _CutShort for
    a stream that ends before its last meta-block (RFC 7932 §9.2)."""
    decompressor = brotli.Decompressor()
    out = bytearray(decompressor.process(data, output_buffer_limit=limit + 1))
    # The output buffer stops growing at the limit; the rest waits in the decompressor.
    while len(out) <= limit and not decompressor.can_accept_more_data():
        more = decompressor.process(b"", output_buffer_limit=limit - len(out) + 1)
        if not more:
            break
        out += more
    if len(out) > limit:
        raise _TooLarge
    if not decompressor.is_finished():
        # The decoder waits for more input rather than failing: a cut stream yields what it has, often b"".
        raise _CutShort
    return bytes(out)


def _unbrotli_whole(data: bytes, limit: int) -> bytes | None:
    """``data`` decoded as one complete brotli stream that yields text, or None when it is not one."""
    decompressor = brotli.Decompressor()
    try:
        out = decompressor.process(data, output_buffer_limit=limit + 1)
        if len(out) > limit:
            raise _TooLarge
        if not decompressor.is_finished():
            return None
    except brotli.error:
        return None
    return None if not out or _looks_binary(out) else out


#: Byte order marks, longest first (UTF-32 LE starts like UTF-16 LE).
_TEXT_BOMS: Final = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
#: C0 controls that text here never holds: all but TAB, LF, VT, FF, CR and ESC.
_BINARY_BYTES: Final = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
# "x-gzip" is gzip (RFC 9110 §8.4.1.3).
_DECODERS: Final = {"gzip": _gunzip, "x-gzip": _gunzip, "deflate": _deflate, "br": _unbrotli}
