"""The explorer page: a pyvis network rendered with rikg's own template into one self-contained HTML file.

pyvis builds the vis-network nodes, edges and options; its stock template is
not used, because it links Bootstrap and vis.js from CDNs and puts node titles
into ``innerHTML`` tooltips. rikg's template (``assets/page.html.j2``)
inlines the vendored vis-network script, its own script and style, and the
data as one JSON block that is escaped for a script element (``<``, ``>``,
``&``, U+2028 and U+2029 become ``\\uXXXX``), so plan text such as
``</script><script>`` stays text. The page's script shows plan text only through
``textContent`` and canvas labels. A Content-Security-Policy admits only the
page's own scripts (by hash) and no request at all.

>>> script_json({"text": "</script><img onerror=x>&\\u2028"})
'{"text": "\\\\u003c/script\\\\u003e\\\\u003cimg onerror=x\\\\u003e\\\\u0026\\\\u2028"}'
>>> from rikg.explorer.view import ExplorerView, ViewNode
>>> node = ViewNode("https://w3id.org/rikg/id/plan/p", "plan", "План")
>>> html = render_page(ExplorerView(nodes=[node], edges=[]))
>>> html.startswith("<!DOCTYPE html>"), "<script src" in html, "<link" in html
(True, False, False)
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, FunctionLoader
from markupsafe import Markup
from pyvis.network import Network

from rikg.explorer.layout import PHYSICS_LIMIT, layout
from rikg.explorer.view import KINDS, ExplorerView, ViewEdge, ViewNode

__all__ = ["render_page", "script_json"]

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_LABEL_LENGTH = 48
_NODE_SIZES = {"eu-document": 24, "national-document": 22, "oblast-document": 20, "plan": 18, "summary": 18,
               "eu-objective": 18, "national-goal": 14, "objective": 13, "measure": 10, "activity": 7,
               "institution": 12, "funding": 12}
_EDGE_STYLES: dict[str, dict[str, Any]] = {
    "alignedWith": {"color": "#6c3483", "dashes": True},
    "contributesTo": {"color": "#5b7dd8"},
    "implements": {"color": "#9aa0a6"},
    "inDocument": {"color": "#c8ccd0"},
    "responsibleInstitution": {"color": "#e6a0a0"},
    "fundingSource": {"color": "#e2c08d"},
    "subOrganizationOf": {"color": "#e6a0a0", "dashes": True},
}


def script_json(value: object) -> str:
    """JSON that is safe inside an HTML ``<script>`` element (no ``</script>``, no line separators)."""
    text = json.dumps(value, ensure_ascii=False)
    for raw, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


@cache
def _asset(name: str) -> str:
    return resources.files("rikg.explorer").joinpath("assets", name).read_text(encoding="utf-8")


@cache
def _environment() -> Environment:
    environment = Environment(loader=FunctionLoader(lambda name: _asset(name)), autoescape=True)
    environment.filters["script_json"] = lambda value: Markup(script_json(value))
    return environment


def _inline_script(source: str) -> str:
    """Script text fit for an inline element (a ``</script`` inside would end it early)."""
    return source.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _short_label(node: ViewNode) -> str:
    label = " ".join(node.label.split())
    if node.code and not label.startswith(node.code):
        label = f"{node.code} {label}"
    return label if len(label) <= _LABEL_LENGTH else label[: _LABEL_LENGTH - 1].rstrip() + "…"


def _network(view: ExplorerView) -> Network:
    """The pyvis network of the view (positions precomputed; physics only for small views)."""
    physics = len(view.nodes) <= PHYSICS_LIMIT
    network = Network(directed=True, cdn_resources="in_line")
    for node in view.nodes:
        kind = KINDS[node.kind]
        network.add_node(
            node.iri,
            label=_short_label(node),
            title=f"{kind.name}: {' '.join(node.label.split())[:300]}",
            shape=kind.shape,
            color=kind.colour,
            size=_NODE_SIZES.get(node.kind, 10),
            x=round(node.x, 1),
            y=round(node.y, 1),
            fixed={"x": False, "y": True} if physics else True,
            kind=node.kind,
        )
    for index, edge in enumerate(view.edges):
        network.add_edge(edge.source, edge.target, id=f"e{index}", **_edge_options(edge))
    network.options = _options(physics)
    return network


def _edge_options(edge: ViewEdge) -> dict[str, Any]:
    style = _EDGE_STYLES.get(edge.relation, {"color": "#7f8c8d"})
    options: dict[str, Any] = {"relation": edge.relation, **style}
    if edge.confidence is not None:
        options.update(confidence=edge.confidence, method=edge.method, width=1 + 2 * edge.confidence)
    return options


def _options(physics: bool) -> dict[str, Any]:
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "nodes": {"font": {"size": 12, "face": "sans-serif"}, "borderWidth": 1,
                  "widthConstraint": {"maximum": 120}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.4}}, "smooth": False, "width": 1,
                  "selectionWidth": 2},
        "interaction": {"hover": True, "tooltipDelay": 250, "hideEdgesOnDrag": not physics,
                        "keyboard": {"enabled": True, "bindToWindow": False}, "multiselect": False},
        "physics": {
            "enabled": physics,
            "solver": "repulsion",
            "repulsion": {"nodeDistance": 120, "centralGravity": 0.0, "springLength": 200,
                          "springConstant": 0.002, "damping": 0.3},
            "stabilization": {"enabled": physics, "iterations": 150, "fit": True},
        },
    }


def _page_data(view: ExplorerView, network: Network) -> dict[str, Any]:
    kinds_present = sorted({node.kind for node in view.nodes}, key=lambda key: (KINDS[key].level, key))
    return {
        "nodes": [node.as_json() for node in view.nodes],
        "vis_nodes": network.nodes,
        "vis_edges": network.edges,
        "options": network.options,
        "names": view.names,
        "facets": {facet: [list(pair) for pair in pairs] for facet, pairs in view.facets().items()},
        "legend": [
            {"kind": key, "name": KINDS[key].name, "colour": KINDS[key].colour, "shape": KINDS[key].shape}
            for key in kinds_present
        ],
        "focus": view.focus,
        "notice": view.notice,
        "physics": bool(network.options["physics"]["enabled"]),
        "total_nodes": view.total_nodes or len(view.nodes),
    }


def render_page(view: ExplorerView, *, title: str | None = None) -> str:
    """The complete, self-contained explorer page of ``view`` (needs no network, no other file)."""
    layout(view)
    network = _network(view)
    vis_script = _inline_script(_asset("vis-network/vis-network.min.js"))
    app_script = _inline_script(_asset("explorer.js"))
    data = _page_data(view, network)
    template_context = {
        "title": title or _default_title(view),
        "data": data,
        "vis_script": Markup(vis_script),
        "app_script": Markup(app_script),
        "style": Markup(_asset("explorer.css").replace("</style", "<\\/style")),
        "script_hashes": f"{_csp_hash(vis_script)} {_csp_hash(app_script)}",
    }
    return _environment().get_template("page.html.j2").render(**template_context)


def _default_title(view: ExplorerView) -> str:
    if view.focus is None:
        return "rikg explorer"
    name = view.names.get(view.focus, view.focus.rsplit("/", 1)[-1])
    return f"rikg explorer: {' '.join(name.split())[:80]}"
