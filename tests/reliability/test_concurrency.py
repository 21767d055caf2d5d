"""Queries keep answering, with whole plans, while another process rebuilds the store again and again.

A writer process rebuilds the store three times (B, A, B). Meanwhile three
threads of this process query through one shared read-only store object, and
two reader processes (``reader.py``) open the store read-only for every
round of queries. RocksDB lets one process write a folder and others open it
read-only; each read-only opening reads the store as of that moment (a
snapshot), so a reader that wants the newest data opens the store again, as
the web app's query workers do for every request. Every query must answer, and
every answer must show each plan graph exactly as version A or version B.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from reliability_helpers import PLAN_GRAPH, PlanVersions, fingerprint

from rikg.graph_store import open_store
from rikg.graph_store.base import GraphStore

BUILDS = 3  # B, A, B: the store ends in version B
THREADS = 3
PROCESSES = 2
READER = Path(__file__).with_name("reader.py")


def _writer(plans_a: Path, plans_b: Path, store: Path, report: Path) -> subprocess.Popen[bytes]:
    loop = (
        "from rikg.build import build\n"
        f"for i in range({BUILDS}):\n"
        f"    plans = {str(plans_b)!r} if i % 2 == 0 else {str(plans_a)!r}\n"
        f"    build(plans, {str(store)!r}, report_path={str(report)!r})\n"
    )
    return subprocess.Popen([sys.executable, "-c", loop], stderr=subprocess.PIPE)


def _versions_in(store: GraphStore, versions: PlanVersions, graphs: list[str]) -> list[str]:
    return [versions.version_of(graph, fingerprint(store, graph)) for graph in graphs]


def test_readers_keep_answering_whole_plans_during_rebuilds(
    plan_versions: PlanVersions, tmp_path: Path
) -> None:
    store_path = plan_versions.copy_of_a(tmp_path / "store")
    plans = [graph for graph in plan_versions.graphs_a if graph.startswith(PLAN_GRAPH)]
    prints = tmp_path / "prints.json"
    prints.write_text(json.dumps({
        "A": {graph: plan_versions.graphs_a[graph] for graph in plans},
        "B": {graph: plan_versions.graphs_b[graph] for graph in plans},
    }))
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen([sys.executable, str(READER), str(store_path), str(prints), str(stop)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(PROCESSES)
    ]
    writer = _writer(plan_versions.plans_a, plan_versions.plans_b, store_path, tmp_path / "quality.json")

    seen: Counter[str] = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    shared = open_store(str(store_path), read_only=True)  # one store object for all threads

    def read_while_writing() -> None:
        while writer.poll() is None:
            try:
                versions = _versions_in(shared, plan_versions, plans)
            except Exception as error:  # any failure to answer fails the test below
                with lock:
                    failures.append(f"{type(error).__name__}: {error}")
            else:
                with lock:
                    seen.update(versions)
                    seen["rounds"] += 1

    threads = [threading.Thread(target=read_while_writing) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    _, writer_errors = writer.communicate(timeout=600)
    for thread in threads:
        thread.join(timeout=60)
    shared.close()
    stop.touch()
    outputs = [reader.communicate(timeout=120) for reader in readers]

    assert writer.returncode == 0, writer_errors.decode()[-2000:]
    assert not failures, failures[:3]
    assert seen["rounds"] >= THREADS and seen["neither"] == 0, seen
    answers = [json.loads(out) for out, _ in outputs]
    for (_, err), answer in zip(outputs, answers, strict=True):
        assert not answer["errors"], (answer["errors"], err.decode()[-1000:])
        assert answer["counts"]["neither"] == 0, answer
        assert set(answer["last"].values()) == {"B"}, answer  # the last round, after the writer ended
    with open_store(str(store_path), read_only=True) as store:
        assert _versions_in(store, plan_versions, plans) == ["B"] * len(plans)
    rounds = seen["rounds"] + sum(answer["counts"]["rounds"] for answer in answers)
    in_processes = Counter()
    for answer in answers:
        in_processes.update({k: v for k, v in answer["counts"].items() if k in "AB"})
    print(f"\n{BUILDS} rebuilds; {rounds} rounds of {len(plans)} plan queries answered "
          f"(threads: {dict(seen)}; processes: {dict(in_processes)})")
