"""Decoding: every encoding and line-ending variant of a plan gives the same numbered lines."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from rikg.errors import PlanError
from rikg.loaders.decode import decode_plan_bytes, read_plan_lines, split_lines

PLANS = sorted((Path(__file__).parents[2] / "data" / "plans").glob("*.txt"))


def _variants(text: str) -> dict[str, bytes]:
    crlf = text.replace("\n", "\r\n")
    return {
        "utf-8": text.encode("utf-8"),
        "utf-8-bom": codecs.BOM_UTF8 + text.encode("utf-8"),
        "cp1251": text.encode("cp1251", errors="replace"),
        "cp1251-crlf": crlf.encode("cp1251", errors="replace"),
        "utf-8-crlf": crlf.encode("utf-8"),
        "utf-16-le-bom": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        "utf-16-be-bom": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        "cr-only": text.replace("\n", "\r").encode("utf-8"),
    }


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.name[:3])
def test_every_variant_gives_the_same_lines(plan: Path) -> None:
    text = plan.read_text(encoding="utf-8")
    # cp1251 cannot hold every character of the plans (a few Latin look-alikes survive, "€", ...);
    # compare against the text as cp1251 can carry it.
    carried = text.encode("cp1251", errors="replace").decode("cp1251")
    expected = split_lines(text)
    expected_cp1251 = split_lines(carried)
    for name, data in _variants(text).items():
        lines = decode_plan_bytes(data, plan.name).lines
        assert lines == (expected_cp1251 if name.startswith("cp1251") else expected), name


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.name[:3])
def test_encoding_is_reported(plan: Path) -> None:
    text = plan.read_text(encoding="utf-8")
    assert decode_plan_bytes(text.encode("utf-8"), plan.name).encoding == "utf-8"
    assert decode_plan_bytes(codecs.BOM_UTF8 + text.encode("utf-8"), plan.name).encoding == "utf-8-sig"
    assert decode_plan_bytes(text.encode("cp1251", errors="replace"), plan.name).encoding == "cp1251"
    assert decode_plan_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), plan.name).encoding == "utf-16"


def test_short_cp1251_text_is_read_as_cyrillic() -> None:
    data = "ПРИОРИТЕТ ОБРАЗОВАНИЕ\nОбщина Русе\tРУО\t2024 г.\n".encode("cp1251")
    assert decode_plan_bytes(data, "x.txt").lines == ["ПРИОРИТЕТ ОБРАЗОВАНИЕ", "Община Русе\tРУО\t2024 г."]


def test_line_numbers_survive_blank_lines_and_form_feeds() -> None:
    lines = decode_plan_bytes(b"a\r\n\r\nb\x0cc\n\nd", "x.txt").lines
    assert lines == ["a", "", "b\x0cc", "", "d"]


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n\n"])
def test_empty_input(data: bytes) -> None:
    with pytest.raises(PlanError, match="empty file") as error:
        decode_plan_bytes(data, "empty.txt")
    assert error.value.file == "empty.txt"


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\x03binary",
        b"%PDF-1.4\n\x00\x00stream",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        bytes(range(256)) * 4,
    ],
)
def test_binary_input(data: bytes) -> None:
    with pytest.raises(PlanError, match="binary file"):
        decode_plan_bytes(data, "blob.bin")


def test_control_characters_mark_binary_even_without_nul() -> None:
    data = bytes([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0E]) * 50 + "текст".encode()
    with pytest.raises(PlanError, match="binary file"):
        decode_plan_bytes(data, "blob.bin")


def test_unreadable_path(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot be read"):
        read_plan_lines(tmp_path / "missing.txt")
    with pytest.raises(PlanError, match="cannot be read"):
        read_plan_lines(tmp_path)
