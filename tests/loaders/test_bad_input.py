"""Bad and unusual input: one readable error per bad file, identical records for every encoding."""

from __future__ import annotations

import codecs
import dataclasses
import shutil
from pathlib import Path

import pytest

from rikg.errors import PlanError
from rikg.loaders.plan import coverage, load_plan, load_plans
from rikg.loaders.records import PlanDocument

PLANS = sorted((Path(__file__).parents[2] / "data" / "plans").glob("*.txt"))


def _comparable(plan: PlanDocument) -> dict[str, object]:
    record = dataclasses.asdict(plan)
    record.pop("encoding")
    return record


@pytest.fixture(scope="module")
def originals() -> dict[str, PlanDocument]:
    return {path.name: load_plan(path) for path in PLANS}


@pytest.mark.parametrize("plan_path", PLANS, ids=lambda p: p.name[:3])
@pytest.mark.parametrize(
    ("variant", "encode"),
    [
        ("cp1251", lambda text: text.encode("cp1251")),
        ("utf-8-bom", lambda text: codecs.BOM_UTF8 + text.encode("utf-8")),
        ("crlf", lambda text: text.replace("\n", "\r\n").encode("utf-8")),
        ("cp1251-crlf", lambda text: text.replace("\n", "\r\n").encode("cp1251")),
        ("utf-16", lambda text: text.encode("utf-16")),
    ],
)
def test_encodings_and_line_endings_give_identical_records(
    plan_path: Path, variant: str, encode: object, tmp_path: Path, originals: dict[str, PlanDocument]
) -> None:
    text = plan_path.read_text(encoding="utf-8")
    expected = originals[plan_path.name]
    if variant.startswith("cp1251"):
        # 001 holds one character cp1251 has no code for (a stray Kannada letter); compare the
        # cp1251 file with the UTF-8 file of the same text as cp1251 carries it.
        carried = text.encode("cp1251", errors="replace").decode("cp1251")
        if carried != text:
            (tmp_path / "utf8").mkdir()
            baseline = tmp_path / "utf8" / plan_path.name
            baseline.write_text(carried, encoding="utf-8")
            expected = load_plan(baseline)
            text = carried
    copy = tmp_path / plan_path.name
    copy.write_bytes(encode(text))  # type: ignore[operator]
    loaded = load_plan(copy)
    assert _comparable(loaded) == _comparable(expected)
    assert (
        loaded.encoding
        == {
            "cp1251": "cp1251",
            "cp1251-crlf": "cp1251",
            "utf-8-bom": "utf-8-sig",
            "crlf": "utf-8",
            "utf-16": "utf-16",
        }[variant]
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \r\n\t\n   ", "empty file"),
        (b"\x00\x01binary\x00\x02", "binary file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n\x00\x00", "binary file"),
        (
            "Община Русе\n\nНастоящият доклад описва дейността през 2023 г.\n".encode(),
            "no action-plan table found",
        ),
        (
            "ПЛАН ЗА ДЕЙСТВИЕ 2024-2027\nПРИОРИТЕТ ОБРАЗОВАНИЕ\nОперативна цел: Образование.\n".encode(),
            "no action-plan table found",
        ),
    ],
)
def test_bad_files_raise_one_line_plan_errors(content: bytes, reason: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(PlanError) as error:
        load_plan(path)
    assert error.value.reason == reason
    assert error.value.file == "bad.txt"
    assert str(error.value) == f"bad.txt: {reason}"
    assert "\n" not in str(error.value)


def test_header_without_rows_is_no_plan(tmp_path: Path) -> None:
    path = tmp_path / "header-only.txt"
    path.write_text("ПРИОРИТЕТ ОБРАЗОВАНИЕ\nЦел\tМярка\tСрок\tОтговорна институция\n", encoding="utf-8")
    with pytest.raises(PlanError, match="no action-plan table found"):
        load_plan(path)


@pytest.mark.parametrize(
    ("plan_name", "cut_after", "measures_before"),
    [
        # 000: cut inside the education table after line 121 (activity 4.2.5): objectives 1-4 hold
        # measures 1.1-1.4, 2.1.1 (an activity row with no measure), 3.1, 3.2, 4.1.
        ("000_ac6471d0a6c93028.txt", 121, ["1.1", "1.2", "1.3", "1.4", "2.1.1", "3.1", "3.2", "4.1"]),
        # 004: cut inside the health table after line 640 (measure 1.4's funding cell): the four
        # education measures and health measures 1.1-1.4.
        ("004_1a91cfd4f2bbbb4c.txt", 640, ["1.1", "2.1", "3.1", "6.1", "1.1", "1.2", "1.3", "1.4"]),
        # 001: cut after the first row of the employment table (line 391).
        ("001_2ecf4836e184dbdf.txt", 391, ["1", "2", "3", "4", "5", "6", "1", "2", "3", "4", "5", "6", "1"]),
    ],
)
def test_truncated_plan_keeps_what_it_holds(
    plan_name: str, cut_after: int, measures_before: list[str], tmp_path: Path
) -> None:
    source = next(path for path in PLANS if path.name == plan_name)
    lines = source.read_text(encoding="utf-8").split("\n")[:cut_after]
    path = tmp_path / plan_name
    path.write_text("\n".join(lines), encoding="utf-8")
    plan = load_plan(path)
    assert [m.code for m in plan.measures()] == measures_before
    assert any("truncated" in warning for warning in plan.warnings)
    assert coverage(plan) == set()


def test_complete_plans_have_no_truncation_warning(originals: dict[str, PlanDocument]) -> None:
    for plan in originals.values():
        assert not [w for w in plan.warnings if "truncated" in w], plan.file


def test_one_bad_file_never_stops_the_others(tmp_path: Path) -> None:
    shutil.copy(PLANS[0], tmp_path / "a-good.txt")
    (tmp_path / "b-empty.txt").write_bytes(b"")
    (tmp_path / "c-binary.txt").write_bytes(b"\x00\x00\x00")
    shutil.copy(PLANS[-1], tmp_path / "d-good.txt")
    (tmp_path / "notes.md").write_text("not a plan file", encoding="utf-8")
    results = load_plans(tmp_path)
    assert [type(result).__name__ for result in results] == [
        "PlanDocument",
        "PlanError",
        "PlanError",
        "PlanDocument",
    ]
    errors = [result for result in results if isinstance(result, PlanError)]
    assert [(e.file, e.reason) for e in errors] == [
        ("b-empty.txt", "empty file"),
        ("c-binary.txt", "binary file"),
    ]
