"""A build killed (SIGKILL) at any moment leaves a store that opens, answers, and holds each graph whole.

The store holds version A of the plans; twenty builds alternating to B and
back are killed after a random delay (seeded): half spread over a whole build
(start-up and parsing included), half aimed at the writes (a random number of
progress lines into the build, then a few milliseconds). After each kill the
store is opened read-write (a lock left behind would refuse this), queried,
and every graph must be exactly version A or exactly version B; the ontology
and reference graphs exactly as built.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from reliability_helpers import PlanVersions, build_cleanly, fingerprints, rikg_build

from rikg.graph_store import open_store

KILLS = 20
SEED = 20260412
UNCHANGED = ("https://w3id.org/rikg/id/graph/ontology", "https://w3id.org/rikg/id/graph/reference")


def _kill_after(child: subprocess.Popen[bytes], rng: random.Random, whole_build: float, aimed: bool) -> str:
    """SIGKILL the child: at a random moment of the build, or a few ms after a random progress line."""
    assert child.stderr is not None
    if aimed:
        for _ in range(rng.randint(1, 6)):  # ontology, reference, four plans
            if not child.stderr.readline():
                break
        time.sleep(rng.uniform(0.0, 0.05))
    else:
        time.sleep(rng.uniform(0.0, whole_build * 1.1))
    finished = child.poll() is not None
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stderr.close()
    return "finished first" if finished else "killed"


def test_killed_builds_leave_every_graph_whole(plan_versions: PlanVersions, tmp_path: Path) -> None:
    store_path = plan_versions.copy_of_a(tmp_path / "store")
    rng = random.Random(SEED)
    outcomes: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for kill in range(KILLS):
        plans = plan_versions.plans_b if kill % 2 == 0 else plan_versions.plans_a
        child = rikg_build(plans, store_path)
        outcomes[_kill_after(child, rng, plan_versions.build_seconds, aimed=kill % 4 >= 2)] += 1
        with open_store(str(store_path)) as store:  # read-write: the dead writer's lock must not block
            assert store.query("ASK { ?s ?p ?o }").boolean
            graphs = fingerprints(store)
        assert set(graphs) == set(plan_versions.graphs_a)
        versions = {graph: plan_versions.version_of(graph, print_) for graph, print_ in graphs.items()}
        assert "neither" not in versions.values(), f"kill {kill}: a graph is neither version: {versions}"
        for graph in UNCHANGED:
            assert graphs[graph] == plan_versions.graphs_a[graph]
        seen["".join(sorted(set(versions.values())))] += 1
        assert not list(store_path.glob("bulk-*.sst"))  # a killed bulk load's files are cleared on open
    print(f"\n{KILLS} kills: {dict(outcomes)}; versions in the store after them: {dict(seen)}")
    build_cleanly(plan_versions.plans_b, store_path)  # and a build after all that completes as usual
    with open_store(str(store_path), read_only=True) as store:
        assert fingerprints(store) == plan_versions.graphs_b
