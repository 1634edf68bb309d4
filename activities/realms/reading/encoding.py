"""Which text encoding a file is in, and a UTF-8 copy of it when it is not UTF-8.

The chain: a byte-order mark decides (UTF-8, UTF-16, UTF-32: Excel's "Unicode text" is
UTF-16 with a BOM); then UTF-8 if the head decodes as it; then charset-normalizer's
guess; then cp1252, Windows' Western codepage, which is what Excel writes in Europe
and the Americas; latin-1 last, which decodes any byte.
"""

import codecs
from collections.abc import Iterator
from pathlib import Path

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
FALLBACKS = ("cp1252", "latin-1")
CHUNK = 4 * 1024 * 1024
WESTERN_SIGNS = frozenset("€£¥°§ª º«»¿¡„“”\u2018\u2019\u201a\u2013—…•·±²³µ¼½¾©®™\u00a0")


class NotText(ValueError):
    """The bytes are no text in any encoding we try (a binary file)."""


def detect_encoding(head: bytes) -> str:
    """The encoding of a file whose first bytes are `head` (a Python codec name)."""
    for bom, name in BOMS:
        if head.startswith(bom):
            return name
    utf16 = _bomless_utf16(head)
    if utf16:
        return utf16
    if looks_binary(head):
        raise NotText("binary")
    if _is_utf8(head):
        return "utf-8"
    return _single_byte(head)


def _single_byte(head: bytes) -> str:
    """cp1252 when every non-ASCII byte is a Western letter or sign in it; else ask.

    charset-normalizer ranks a Baltic or DOS codepage first on a few hundred bytes of
    German or French (they decode the same bytes as other letters), and Excel writes
    cp1252; a Polish or Czech file has bytes that are no letter in cp1252 (ą is ¹
    there), and goes to charset-normalizer's best guess.
    """
    try:
        text = head.decode(FALLBACKS[0])
    except UnicodeDecodeError:
        text = ""
    if text and all(_western(char) for char in text if ord(char) > 127):
        return FALLBACKS[0]
    from charset_normalizer import from_bytes  # only here: the API imports this module

    best = from_bytes(head[: 256 * 1024]).best()
    return codecs.lookup(best.encoding).name if best is not None else FALLBACKS[1]


def _western(char: str) -> bool:
    """A letter of Western European languages, or a sign Excel users type (€ ° „ — …)."""
    return ("\u00c0" <= char <= "\u00ff" and char not in "\u00d7\u00f7") or char in WESTERN_SIGNS


def looks_binary(head: bytes) -> bool:
    """NUL bytes that no text encoding explains (UTF-16 and UTF-32 text has them)."""
    if any(head.startswith(bom) for bom, _ in BOMS) or _bomless_utf16(head):
        return False
    return b"\x00" in head


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 written without a BOM: every other byte of ASCII text is zero."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _is_utf8(head: bytes) -> bool:
    """Whether `head` is UTF-8; a character cut at the end of the sample is allowed."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def decoded_head(head: bytes, encoding: str) -> str:
    """The sample as text; a character cut at its end is dropped."""
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)


def transcode(source: Path, target: Path, encoding: str) -> None:
    """Write `source` as UTF-8 to `target`, a chunk at a time (memory stays bounded).

    Raises UnicodeDecodeError when a byte is not of `encoding`, so the caller can try
    the next one in the chain.
    """
    with target.open("w", encoding="utf-8", newline="") as out:
        for text in _decoded_chunks(source, encoding):
            out.write(text)


def _decoded_chunks(source: Path, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)()
    with source.open("rb") as raw:
        while chunk := raw.read(CHUNK):
            yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def chain(first: str) -> list[str]:
    """`first`, then the fallbacks not already tried."""
    return [first, *(name for name in FALLBACKS if name != first)]
