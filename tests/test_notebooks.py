"""The analyst and auditor notebooks run top to bottom on the graph of the bundled plans.

They are committed without outputs; here they run in a kernel of this
interpreter (the project's virtual environment), reading the built store
through ``RIKG_STORE`` as a user's session would.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from rikg.config import STORE_ENV, project_root
from rikg.graph_store import GraphStore

NOTEBOOKS = sorted((project_root() / "notebooks").glob("*.ipynb"))
KERNEL = "rikg-test-python"


def test_both_notebooks_are_there() -> None:
    assert [path.name for path in NOTEBOOKS] == ["analyst.ipynb", "auditor.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.fixture(scope="module")
def kernel_dirs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Jupyter data folder whose only kernel runs this interpreter (the project's .venv)."""
    data = tmp_path_factory.mktemp("jupyter")
    spec = data / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "rikg tests", "language": "python"}), encoding="utf-8"
    )
    return data


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_without_errors(
    path: Path, built_store: GraphStore, kernel_dirs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_dirs))
    monkeypatch.setenv(STORE_ENV, built_store.location)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, kernel_name=KERNEL, timeout=300, resources={"metadata": {"path": str(tmp_path)}}
    )
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{path.name}: {error}")
    streams = [
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    ]
    assert any(f"store: {built_store.location}" in text for text in streams)
    assert not any(
        output.output_type == "error" for cell in notebook.cells for output in cell.get("outputs", [])
    )
