"""``rikg stats``: triples per named graph, the most central institutions, the chain depth of each plan.

Three plain-text tables on standard output: the named graphs with their triple counts; the
``--top`` institutions of the co-responsibility network (linked when responsible for the same
measure or activity), by weighted degree and betweenness; and, per municipal plan, the longest
chain from its activities up through the contribution graph, with the node it ends at.

>>> from rikg.cli import build_parser
>>> build_parser().parse_args(["stats", "--top", "5"]).top
5
"""

from __future__ import annotations

import argparse
import sys

from pyoxigraph import NamedNode

from rikg.analytics import (
    chain_depths,
    co_responsibility_network,
    contribution_graph,
    graph_counts,
    institution_centrality,
)
from rikg.errors import RikgError
from rikg.graph_store import open_store
from rikg.output import format_table, term_text

__all__ = ["run"]

#: Labels longer than this are cut (with "…") so that a table row fits a terminal.
LABEL_WIDTH = 48


def run(args: argparse.Namespace) -> int:
    """Print the statistics of the store at ``args.store``; 0 on success."""
    if args.top < 1:
        raise RikgError(f"--top must be at least 1, got {args.top}")
    with open_store(args.store, read_only=True) as store:
        counts = graph_counts(store)
        if not counts:
            raise RikgError(f"the store at {args.store} holds no graphs: run `rikg build` first")
        network = co_responsibility_network(store)
        depths = chain_depths(contribution_graph(store))
    central = institution_centrality(network, top=args.top)

    sections = [
        format_table(
            ["graph", "triples"],
            [[short(count.graph), str(count.triples)] for count in counts]
            + [["(all graphs)", str(sum(count.triples for count in counts))]],
        ),
        f"Most central institutions ({network.number_of_nodes()} institutions, "
        f"{network.number_of_edges()} co-responsibility links)\n"
        + format_table(
            ["rank", "institution", "label", "items", "partners", "shared", "betweenness"],
            [
                [str(rank), short(row.institution), clip(row.label), str(row.items), str(row.degree),
                 str(row.weighted_degree), f"{row.betweenness:.3f}"]
                for rank, row in enumerate(central, start=1)
            ],
        ),
        "Chain depth per plan (longest path up from the plan's activities, or its measures)\n"
        + format_table(
            ["plan", "label", "items", "depth", "top of the chain"],
            [
                [short(row.plan), clip(row.label), str(row.items), str(row.depth),
                 short(row.path[-1]) if row.path else "-"]
                for row in depths
            ],
        ),
    ]
    sys.stdout.write("\n\n".join(sections) + "\n")
    return 0


def short(iri: str) -> str:
    """An IRI with the usual prefix (``id:``, ``rikg:``), as the other tables print it.

    >>> short("https://w3id.org/rikg/id/plan/ruse-2024-2027")
    'id:plan/ruse-2024-2027'
    """
    return term_text(NamedNode(iri))


def clip(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` on one line, cut to ``width`` characters with "…" when longer.

    >>> clip("ПЛАН ЗА ДЕЙСТВИЕ НА ОБЩИНА РУСЕ", 12)
    'ПЛАН ЗА ДЕЙ…'
    """
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
