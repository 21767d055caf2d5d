"""What only the embedded backend does: one RocksDB folder shared in-process, read-only opens elsewhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from store_helpers import OTHER, PLAN, REFERENCE, measures

from rikg.errors import StoreError
from rikg.graph_store import open_store

CHILD = """
import sys
from rikg.errors import StoreError
from rikg.graph_store import open_store
try:
    with open_store(sys.argv[1], read_only=sys.argv[2] == "ro") as store:
        print(store.count(sys.argv[3]))
except StoreError as error:
    print(error)
"""


def in_another_process(folder: Path, mode: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), mode, PLAN], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_handles_of_one_folder_share_the_store(tmp_path: Path) -> None:
    first = open_store(str(tmp_path / "store"))
    second = open_store(str(tmp_path / "store"))
    first.replace_graphs({PLAN: measures(3)})
    assert second.count(PLAN) == 3
    first.close()
    assert second.count(PLAN) == 3
    with pytest.raises(StoreError, match="closed"):
        first.count()
    second.close()
    with open_store(str(tmp_path / "store"), read_only=True) as reopened:
        assert reopened.count(PLAN) == 3


def test_read_only_handles_refuse_writes(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "store")) as writer:
        writer.replace_graphs({PLAN: measures(2)})
        with open_store(str(tmp_path / "store"), read_only=True) as reader:
            assert reader.count(PLAN) == 2
            for write in (
                lambda: reader.replace_graphs({PLAN: []}),
                lambda: reader.drop_graphs([PLAN]),
                lambda: reader.import_data(b"", "nq"),
            ):
                with pytest.raises(StoreError, match="read-only"):
                    write()
        assert writer.count(PLAN) == 2


def test_reading_a_missing_store_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        open_store(str(tmp_path / "nothing"), read_only=True)
    assert not (tmp_path / "nothing").exists()


def test_other_processes_read_but_cannot_write(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with open_store(str(folder)) as writer:
        writer.replace_graphs({PLAN: measures(4)})
        assert in_another_process(folder, "ro") == "4"
        refused = in_another_process(folder, "rw")
        assert refused.startswith(f"cannot open store at {folder}: another process has it open for writing")


def test_server_options_are_refused_for_a_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="only apply to a SPARQL server URL"):
        open_store(str(tmp_path / "store"), max_rows=10)


def test_a_bulk_block_loads_new_graphs_together_and_shows_them_when_it_ends(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with open_store(str(folder)) as writer:
        with writer.bulk():
            writer.replace_graphs({PLAN: measures(4)})
            assert in_another_process(folder, "ro") == "0"  # still waiting in this process
            with writer.bulk():  # blocks nest: only the outermost one writes at its end
                writer.replace_graphs({OTHER: measures(2)})
            assert in_another_process(folder, "ro") == "0"
        assert in_another_process(folder, "ro") == "4"
        with pytest.raises(RuntimeError), writer.bulk():
            writer.replace_graphs({REFERENCE: measures(3)})
            raise RuntimeError("a failing build step")
        assert writer.count(REFERENCE) == 3  # what the block's calls replaced is written all the same


def test_opening_clears_the_files_of_a_killed_bulk_load(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with open_store(str(folder)) as store:
        store.replace_graphs({PLAN: measures(4)})
    leftover = folder / "bulk-1234567890.sst"
    leftover.write_bytes(b"half an SST file")
    with open_store(str(folder)) as store:
        assert store.count(PLAN) == 4
    assert not leftover.exists()
