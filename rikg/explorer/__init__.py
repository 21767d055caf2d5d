"""The offline graph explorer: one self-contained HTML page (pyvis + vendored vis-network) per view.

:func:`build_view` reads what to show from the store, :func:`render_page`
turns it into HTML that loads nothing from the network, and :func:`write_page`
does both and writes the file. ``docs/explorer.md`` describes the page.
"""

from __future__ import annotations

from pathlib import Path

from rikg.explorer.page import render_page
from rikg.explorer.view import ExplorerView, ViewEdge, ViewNode, build_view
from rikg.graph_store.base import GraphStore

__all__ = ["ExplorerView", "ViewEdge", "ViewNode", "build_view", "render_page", "write_page"]


def write_page(
    store: GraphStore,
    out: Path,
    *,
    focus: str | None = None,
    plan: str | None = None,
    institution: str | None = None,
    max_nodes: int = 1500,
) -> Path:
    """Build the view, render it and write the page to ``out`` (folders created); returns ``out``."""
    view = build_view(store, focus=focus, plan=plan, institution=institution, max_nodes=max_nodes)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_text(render_page(view), encoding="utf-8")
    temporary.replace(out)
    return out
