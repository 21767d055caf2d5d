"""Decoding plan files into numbered lines, whatever encoding and line endings they use.

UTF-8 (with or without BOM), UTF-16/32 with a BOM, Windows-1251 and CRLF/CR line endings all give
the same lines with the same 1-based numbers. Binary and empty files raise :class:`PlanError`.

>>> decode_plan_bytes("Ред 1\\r\\nРед 2\\r\\n".encode("cp1251"), "plan.txt").lines
['Ред 1', 'Ред 2']
>>> decode_plan_bytes(b"", "plan.txt")
Traceback (most recent call last):
...
rikg.errors.PlanError: plan.txt: empty file
"""

from __future__ import annotations

import codecs
import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from rikg.errors import PlanError

__all__ = ["DecodedText", "decode_plan_bytes", "read_plan_lines", "split_lines"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NON_LETTERS = re.compile(r"[\W\d_]+")  # anything but a letter
_NON_CYRILLIC = re.compile(r"[^\u0400-\u04FF]+")
# Control characters other than tab, line feed, carriage return and form feed mark binary content.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.01


# A damaged file is still read as UTF-8/16/32 when few of its bytes are undecodable: at most 1 in 100
# characters, and (for UTF-8 without a BOM) at least 10 well-formed multi-byte characters per damaged
# sequence, which Windows-1251 text read as UTF-8 never has.
_MAX_DAMAGE_SHARE = 0.01
_MIN_UTF8_EVIDENCE = 10
# Characters of a plan's text: ASCII, Latin-1 and Latin Extended-A/B, Cyrillic, general punctuation
# ("–", "„", "“"), "№" and "€". UTF-16 without a BOM is recognised by decoding to these.
_PLAUSIBLE = re.compile(r"[\t\n\r\x20-\x7e\xa0-\u024f\u0400-\u04ff\u2000-\u206f\u2116\u20ac]")
_MIN_PLAUSIBLE_SHARE = 0.9


@dataclass(frozen=True)
class DecodedText:
    """A decoded plan: its lines (1-based line ``n`` is ``lines[n - 1]``), the encoding found and how
    many undecodable byte sequences were replaced by U+FFFD (a damaged or truncated file)."""

    lines: list[str]
    encoding: str
    replaced: int = 0


def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF only (not on the other characters ``str.splitlines`` breaks on).

    A final line break does not open an extra empty line.

    >>> split_lines("a\\r\\nb\\rc\\n")
    ['a', 'b', 'c']
    >>> split_lines("a\\x0cb")
    ['a\\x0cb']
    """
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _cyrillic_share(text: str) -> float:
    letters = _NON_LETTERS.sub("", text)
    if not letters:
        return 0.0
    return len(_NON_CYRILLIC.sub("", letters)) / len(letters)


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data


def _best_legacy_decoding(data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes: charset-normalizer's guesses and cp1251, most Cyrillic-plausible first."""
    candidates: list[tuple[str, str]] = []
    for match in from_bytes(data):
        try:
            candidates.append((str(data, match.encoding), match.encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    with contextlib.suppress(UnicodeDecodeError):
        candidates.append((data.decode("cp1251"), "cp1251"))
    if not candidates:
        return data.decode("latin-1"), "latin-1"
    # cp1251 wins ties: charset-normalizer often names a Cyrillic code page that decodes the same letters.
    return max(candidates, key=lambda item: (round(_cyrillic_share(item[0]), 2), item[1] == "cp1251"))


def _lenient(data: bytes, encoding: str) -> tuple[str, int] | None:
    """``data`` decoded with undecodable sequences replaced, if they are few enough; else None."""
    text = data.decode(encoding, errors="replace")
    replaced = text.count("\ufffd") - data.decode(encoding, errors="ignore").count("\ufffd")
    if replaced > _MAX_DAMAGE_SHARE * max(len(text), 1):
        return None
    return text, replaced


def _damaged_utf8(data: bytes) -> tuple[str, int] | None:
    """UTF-8 with a few bad bytes (a flipped bit, a cut inside a character), if it is that."""
    found = _lenient(data, "utf-8")
    if found is None:
        return None
    text, replaced = found
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - text.count("\ufffd")
    return found if multibyte >= _MIN_UTF8_EVIDENCE * replaced else None


def _bomless_utf16(data: bytes) -> tuple[str, str, int] | None:
    """(text, encoding, replaced) of UTF-16 written without a byte-order mark, if the bytes are that."""
    best: tuple[float, str, str, int] | None = None
    for encoding in ("utf-16-le", "utf-16-be"):
        found = _lenient(data, encoding)
        if found is None:
            continue
        text, replaced = found
        share = len(_PLAUSIBLE.findall(text)) / max(len(text), 1)
        if share >= _MIN_PLAUSIBLE_SHARE and (best is None or share > best[0]):
            best = (share, text, encoding, replaced)
    return best[1:] if best else None


def decode_plan_bytes(data: bytes, file: str) -> DecodedText:
    """Decode a plan file's bytes into lines; ``file`` names the file in errors.

    UTF-16 without a byte-order mark is recognised by its text; a UTF-8/16/32 file with a few
    undecodable bytes (damage, a cut inside a character) keeps its encoding, the bad bytes
    replaced by U+FFFD and counted in ``replaced``.

    >>> decode_plan_bytes(b"\\xef\\xbb\\xbfa\\nb", "x.txt")
    DecodedText(lines=['a', 'b'], encoding='utf-8-sig', replaced=0)
    >>> decode_plan_bytes("План\\tМярка".encode("utf-16-be"), "x.txt")
    DecodedText(lines=['План\\tМярка'], encoding='utf-16-be', replaced=0)
    >>> decode_plan_bytes(("Мярка " * 20).encode()[:-2], "x.txt").replaced
    1
    >>> decode_plan_bytes(b"\\x00\\x01\\x02", "x.bin")
    Traceback (most recent call last):
    ...
    rikg.errors.PlanError: x.bin: binary file
    """
    text: str | None = None
    encoding = "utf-8"
    replaced = 0
    for bom, name in _BOMS:
        if data.startswith(bom):
            found = _lenient(data, name)
            if found is None:
                reason = _decode_error(data, name)
                raise PlanError(file, f"cannot be decoded as {name}: {reason}") from None
            (text, replaced), encoding = found, name
            break
    if text is None and _looks_binary(data):
        utf16 = _bomless_utf16(data)
        if utf16 is None:
            raise PlanError(file, "binary file")
        text, encoding, replaced = utf16
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            damaged = _damaged_utf8(data)
            if damaged is not None:
                text, replaced = damaged
            else:
                text, encoding = _best_legacy_decoding(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise PlanError(file, "empty file")
    if "\x00" in text or len(_CONTROL.findall(text)) > _MAX_CONTROL_SHARE * len(text):
        raise PlanError(file, "binary file")
    return DecodedText(split_lines(text), encoding, replaced)


def _decode_error(data: bytes, encoding: str) -> str:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        return str(error.reason)
    return "too many undecodable bytes"


def read_plan_lines(path: Path) -> DecodedText:
    """Read and decode a plan file; unreadable files raise :class:`PlanError` naming the file.

    >>> read_plan_lines(Path("/nonexistent/plan.txt"))
    Traceback (most recent call last):
    ...
    rikg.errors.PlanError: plan.txt: cannot be read (No such file or directory)
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PlanError(path.name, f"cannot be read ({error.strerror or error})") from None
    return decode_plan_bytes(data, path.name)
