"""Two versions of the bundled plans, each built once cleanly, for the crash and concurrency tests.

Version B differs from version A in every plan file: one measure's text gets a
marker (found by content: a line holding the start of a measure label of the
built version A). Each graph of a store can then be told apart as exactly A,
exactly B, or neither (a mix, half a graph).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import BlankNode, NamedNode

from rikg.config import bundled_plans_dir
from rikg.graph_store import open_store
from rikg.graph_store.base import GraphStore

MARKER = " [версия Б]"
PLAN_GRAPH = "https://w3id.org/rikg/id/graph/plan/"
MEASURE_LABELS = """
SELECT ?label WHERE {
  ?m a <https://w3id.org/rikg/ontology#Measure> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?label
}
"""


def rikg_build(plans: Path, store: Path) -> subprocess.Popen[bytes]:
    """``rikg build`` as a child process; progress lines come on its standard error."""
    return subprocess.Popen(
        [sys.executable, "-m", "rikg", "build", "--plans", str(plans), "--store", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def build_cleanly(plans: Path, store: Path) -> float:
    """Build to the end; the seconds it took."""
    started = time.monotonic()
    child = rikg_build(plans, store)
    _, err = child.communicate(timeout=300)
    assert child.returncode in (0, 1), err.decode()  # 1: some fragment unparsed, the rest built
    return time.monotonic() - started


def fingerprint(store: GraphStore, graph: str) -> str:
    """A hash of one graph's triples (blank nodes by kind only: their labels change on rewrite)."""
    rows = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH {NamedNode(graph)} {{ ?s ?p ?o }} }}").rows
    lines = sorted(
        " ".join("_:b" if isinstance(row[v], BlankNode) else str(row[v]) for v in ("s", "p", "o"))
        for row in rows
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def fingerprints(store: GraphStore) -> dict[str, str]:
    """Every named graph of the store and its fingerprint."""
    return {graph: fingerprint(store, graph) for graph in store.named_graphs()}


def make_version_b(plans_a: Path, plans_b: Path, labels: list[str]) -> None:
    """Copy the plans, marking in each file every line that holds the start of a measure label of A."""
    shutil.copytree(plans_a, plans_b)
    starts = [label.split("\n")[0].strip()[:40] for label in labels]
    starts = sorted({start for start in starts if len(start) >= 15}, key=lambda s: (-len(s), s))
    for path in sorted(plans_b.glob("*.txt")):
        lines = path.read_text("utf-8").split("\n")
        marked = 0
        for i, line in enumerate(lines):
            start = next((start for start in starts if start in line), None)
            if start is not None:
                lines[i] = line.replace(start, start + MARKER, 1)
                marked += 1
        assert marked, f"{path.name}: no line holds a measure label of version A"
        path.write_text("\n".join(lines), "utf-8")


@dataclass
class PlanVersions:
    """Plans folders A and B, a clean store of A, and every graph's fingerprint in each version."""

    plans_a: Path
    plans_b: Path
    store_a: Path
    graphs_a: dict[str, str]
    graphs_b: dict[str, str]
    build_seconds: float

    def version_of(self, graph: str, print_: str) -> str:
        """'A', 'B', or 'neither'."""
        if print_ == self.graphs_a.get(graph):
            return "A"
        return "B" if print_ == self.graphs_b.get(graph) else "neither"

    def copy_of_a(self, target: Path) -> Path:
        """A store holding version A (a copy of the clean one; the original stays untouched)."""
        shutil.copytree(self.store_a, target)
        return target


def prepare_versions(work: Path) -> PlanVersions:
    """Build A and B once each (two clean builds) and check that every plan graph differs."""
    plans_a = work / "plans-a"
    shutil.copytree(bundled_plans_dir(), plans_a)
    store_a, store_b = work / "store-a", work / "store-b"
    seconds = build_cleanly(plans_a, store_a)
    with open_store(str(store_a), read_only=True) as store:
        labels = [str(row["label"].value) for row in store.query(MEASURE_LABELS).rows if row["label"]]
        graphs_a = fingerprints(store)
    make_version_b(plans_a, work / "plans-b", labels)
    build_cleanly(work / "plans-b", store_b)
    with open_store(str(store_b), read_only=True) as store:
        graphs_b = fingerprints(store)
        marked = store.query(f"ASK {{ ?m ?p ?label FILTER(CONTAINS(STR(?label), '{MARKER.strip()}')) }}")
        assert marked.boolean
    plan_graphs = [graph for graph in graphs_a if graph.startswith(PLAN_GRAPH)]
    assert len(plan_graphs) == len(list(plans_a.glob("*.txt")))
    assert set(graphs_a) == set(graphs_b)
    for graph in plan_graphs:
        assert graphs_a[graph] != graphs_b[graph], f"{graph} is the same in both versions"
    return PlanVersions(plans_a, work / "plans-b", store_a, graphs_a, graphs_b, seconds)
