"""Fuzzing the plan loader with malformed files derived from the bundled plans (see ``mutations.py``).

Every input either loads, with each non-blank table line held by a record or an unparsed fragment,
or fails with a one-line :class:`PlanError` naming the file; no other exception. The default run
tries over 1,000 inputs (deterministic: ``derandomize``); ``RIKG_FUZZ_EXAMPLES=20000`` scales the
main test up for a long run (``python -m tests.fuzz.long_run`` runs outside pytest, catching hangs).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis.control import currently_in_test_context

from rikg.errors import PlanError
from rikg.loaders.plan import load_plan
from rikg.loaders.records import PlanDocument
from tests.fuzz.mutations import (
    DEGENERATE,
    HUGE,
    PLAN_TEXTS,
    PLANS_DIR,
    Malformed,
    check_loader_contract,
    degenerate_files,
    huge_file,
    malformed_plans,
    random_malformed,
)

EXAMPLES = int(os.environ.get("RIKG_FUZZ_EXAMPLES", "1000"))
FAST_MUTATIONS = ("huge-cell",)  # 100 KB cells cost seconds each: fuzzed in their own, smaller test


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("fuzz")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _check(folder: Path, case: Malformed, name: str = "fuzzed.txt") -> PlanDocument | PlanError:
    path = folder / name
    path.write_bytes(case.data)
    try:
        result = check_loader_contract(path)
    except AssertionError as error:
        raise AssertionError(f"{case.describe()}: {error}") from error
    if currently_in_test_context():  # shown by --hypothesis-show-statistics
        event("loaded" if isinstance(result, PlanDocument) else result.reason.split(":")[0].split(" (")[0])
    return result


@given(case=malformed_plans(max_lines=40, exclude=FAST_MUTATIONS))
@_settings(int(EXAMPLES * 0.88))
def test_mutated_plans_load_or_fail_in_one_line(fuzz_dir: Path, case: Malformed) -> None:
    _check(fuzz_dir, case)


@given(case=degenerate_files())
@_settings(max(len(DEGENERATE), int(EXAMPLES * 0.1)))
def test_degenerate_files_fail_in_one_line(fuzz_dir: Path, case: Malformed) -> None:
    result = _check(fuzz_dir, case)
    if case.origin != "mixed":  # a plan with junk around it may still load
        assert isinstance(result, PlanError), case.describe()


@given(case=malformed_plans(max_lines=25, only=FAST_MUTATIONS))
@_settings(max(5, int(EXAMPLES * 0.02)))
def test_huge_cells_load_or_fail_in_one_line(fuzz_dir: Path, case: Malformed) -> None:
    _check(fuzz_dir, case)


@pytest.mark.parametrize("kind", HUGE)
def test_ten_megabyte_lines(fuzz_dir: Path, kind: str) -> None:
    case = huge_file(kind, size=1024 * 1024 if kind == "huge-row" else None)
    result = _check(fuzz_dir, case)
    if kind == "huge-row":  # a plan with one 512 KB cell still loads
        assert not isinstance(result, PlanError), result


def test_every_encoding_of_every_plan_loads(fuzz_dir: Path) -> None:
    """UTF-16 LE and BE, with and without BOM: the plans load as from UTF-8."""
    for name in ("002_2d4f0de67f49e8b7.txt", "004_1a91cfd4f2bbbb4c.txt"):  # tabs; one cell per line
        text = PLAN_TEXTS[name]
        expected = [m.code for m in load_plan(PLANS_DIR / name).measures()]
        for encoding in ("utf-16-le", "utf-16-be"):
            for bom in (False, True):
                data = ("\ufeff" + text if bom else text).encode(encoding)
                result = _check(fuzz_dir, Malformed(name, (encoding, f"bom={bom}"), data))
                assert isinstance(result, PlanDocument), result
                assert [m.code for m in result.measures()] == expected


def test_damaged_utf8_keeps_its_encoding(fuzz_dir: Path) -> None:
    """A plan cut inside a character or with a flipped byte stays UTF-8, the damage counted."""
    data = (PLANS_DIR / "002_2d4f0de67f49e8b7.txt").read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x40
    for damaged in (bytes(flipped), data[: data.rindex(b"\xd0") + 1]):
        result = _check(fuzz_dir, Malformed("002", ("damaged",), damaged))
        assert isinstance(result, PlanDocument), result
        assert result.encoding == "utf-8"
        assert any("replaced by U+FFFD" in w for w in result.warnings)


def test_build_reports_each_bad_file_in_one_line(tmp_path: Path) -> None:
    """``rikg build`` over fuzzed files: exit status 1, one stderr line per bad file, no traceback,
    the good plan loaded."""
    plans = tmp_path / "plans"
    plans.mkdir()
    good = PLANS_DIR / "002_2d4f0de67f49e8b7.txt"
    shutil.copy(good, plans / good.name)
    bad: list[str] = []
    rnd = random.Random(7)
    while len(bad) < 8:
        case = random_malformed(rnd, max_lines=30)
        path = plans / f"fuzzed-{len(bad):02d}.txt"
        path.write_bytes(case.data)
        try:
            load_plan(path)
            path.unlink()  # keep only the files that fail: a loadable slice would clash with the good plan
        except PlanError:
            bad.append(path.name)
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from rikg.cli import main; sys.exit(main(sys.argv[1:]))",
            "build",
            "--plans",
            str(plans),
            "--store",
            str(tmp_path / "store"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    errors = [line for line in completed.stderr.splitlines() if ": error: " in line]
    assert sorted(line.split(": ")[2] for line in errors) == sorted(bad), completed.stderr
    assert "plovdiv-2022-2024" in completed.stdout
