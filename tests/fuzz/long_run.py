"""A long fuzzing run of the plan loader outside pytest: every failure collected, hangs caught, loads timed.

Run ``python -m tests.fuzz.long_run [count] [seed] [timeout-seconds]`` from the repository root.
Each input is loaded in a worker process, so an input that hangs the loader (a regular expression
backtracking without end cannot be interrupted in-process) is caught by its time-out and the
worker replaced. Failing and hanging inputs are saved under ``var/fuzz-failures/`` (one per
distinct failure, with a ``.why`` file saying how it was made and what happened); the summary
gives inputs tried, outcomes, distinct failures and the slowest loads.
"""

from __future__ import annotations

import multiprocessing
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

from rikg.errors import PlanError
from tests.fuzz.mutations import HUGE, Malformed, check_loader_contract, huge_file, random_malformed

FAILURES = Path("var/fuzz-failures")


def case_for(index: int, seed: int) -> Malformed:
    """The input number ``index`` of the run with ``seed``: the 10 MB files first, then random ones."""
    if index < len(HUGE):
        return huge_file(HUGE[index], seed)
    return random_malformed(random.Random(seed * 1_000_003 + index))


def _signature(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = next(
        (f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames) if "/loaders/" in f.filename),
        "?",
    )
    return f"{type(error).__name__} at {where}: {str(error)[:120]}"


def _worker(connection: Connection) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.txt"
        while True:
            path.write_bytes(connection.recv_bytes())
            begin = time.perf_counter()
            try:
                result = check_loader_contract(path)
                outcome = "loaded" if not isinstance(result, PlanError) else result.reason.split(" (")[0]
                detail = ""
            except Exception as error:  # a long run collects every failure
                outcome, detail = f"FAILED {_signature(error)}", "".join(traceback.format_exception(error))
            connection.send((outcome, detail, time.perf_counter() - begin))


def _save(number: int, case: Malformed, why: str) -> None:
    saved = FAILURES / f"case-{number:03d}.txt"
    saved.write_bytes(case.data)
    saved.with_suffix(".why").write_text(f"{case.describe()}\n{why}", encoding="utf-8")


def main(count: int, seed: int, timeout: float) -> int:
    FAILURES.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("fork")
    outcomes: Counter[str] = Counter()
    failures: dict[str, str] = {}
    slowest: list[tuple[float, str]] = []
    started = time.perf_counter()

    def start() -> tuple[multiprocessing.process.BaseProcess, Connection]:
        parent, child = context.Pipe()
        process = context.Process(target=_worker, args=(child,), daemon=True)
        process.start()
        return process, parent

    process, connection = start()
    total = count + len(HUGE)
    for index in range(total):
        case = case_for(index, seed)
        connection.send_bytes(case.data)
        if connection.poll(timeout):
            outcome, detail, elapsed = connection.recv()
        else:
            process.kill()
            process.join()
            process, connection = start()
            outcome, detail, elapsed = f"HANG (over {timeout:.0f} s)", "", timeout
        if outcome.startswith(("FAILED", "HANG")):
            outcomes["FAILED" if outcome.startswith("FAILED") else "HANG"] += 1
            if outcome.startswith("HANG"):  # hangs have no traceback to tell them apart: keep a few
                outcome = f"{outcome} #{outcomes['HANG']}" if outcomes["HANG"] <= 20 else outcome
            if outcome not in failures:
                failures[outcome] = case.describe()
                _save(len(failures), case, f"{outcome}\n{detail}")
        else:
            outcomes[outcome] += 1
        slowest = sorted([*slowest, (elapsed, case.describe())], reverse=True)[:10]
        if index % 500 == 0 or elapsed > 10:
            print(
                f"{index}/{total} inputs, {time.perf_counter() - started:.0f} s, {dict(outcomes)}"
                + (f" (input {index} took {elapsed:.1f} s)" if elapsed > 10 else ""),
                flush=True,
            )
    process.kill()
    print(f"inputs: {total} (seed {seed}) in {time.perf_counter() - started:.0f} s")
    print(f"outcomes: {dict(outcomes)}")
    print(f"distinct failures: {len(failures)}")
    for signature, description in failures.items():
        print(f"  {signature}\n    from {description}")
    print("slowest loads:")
    for elapsed, description in slowest:
        print(f"  {elapsed:.2f} s  {description}")
    return 1 if failures else 0


if __name__ == "__main__":
    arguments = sys.argv[1:]
    sys.exit(
        main(
            int(arguments[0]) if arguments else 2000,
            int(arguments[1]) if len(arguments) > 1 else 1,
            float(arguments[2]) if len(arguments) > 2 else 60.0,
        )
    )
