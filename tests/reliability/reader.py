"""A reader process for the concurrency test: reads every plan graph again and again, read-only.

``python reader.py STORE PRINTS STOP`` opens the store read-only for each round
(each round sees the store as of that opening), fingerprints every plan graph,
and classifies it as version A or B (``PRINTS``: a JSON file of both versions'
fingerprints) or neither. Once the file ``STOP`` exists it reads one last round
and prints the counts as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from reliability_helpers import fingerprint

from rikg.graph_store import open_store


def one_round(store_path: str, versions: dict[str, dict[str, str]]) -> dict[str, str]:
    """Each plan graph's version ('A', 'B' or 'neither') in a fresh read-only view of the store."""
    seen = {}
    with open_store(store_path, read_only=True) as store:
        for graph in versions["A"]:
            print_ = fingerprint(store, graph)
            matching = (name for name, prints in versions.items() if prints[graph] == print_)
            seen[graph] = next(matching, "neither")
    return seen


def main(store_path: str, prints_path: str, stop_path: str) -> None:
    versions = json.loads(Path(prints_path).read_text("utf-8"))
    counts = {"A": 0, "B": 0, "neither": 0, "rounds": 0}
    errors: list[str] = []
    last: dict[str, str] = {}
    while True:
        stopping = Path(stop_path).exists()
        try:
            last = one_round(store_path, versions)
        except Exception as error:  # every failure to answer is counted and shown
            errors.append(f"{type(error).__name__}: {error}")
        else:
            counts["rounds"] += 1
            for version in last.values():
                counts[version] += 1
        if stopping:
            break
        time.sleep(0.02)  # leave the writer some of this small machine
    print(json.dumps({"counts": counts, "errors": errors[:5], "last": last}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
