"""The HTML pages of the web app: home, query catalogue, one catalogue query with its results, the
SPARQL editor and error pages.

Every piece of text that comes from the store, the catalogue or the request
goes through :func:`html.escape` before it reaches a page; pages carry no
inline script, so the server's Content-Security-Policy can forbid inline
scripts altogether.

>>> from pyoxigraph import Literal
>>> result = QueryResult(kind="select", variables=["label"],
...     rows=[{"label": Literal("<img src=x onerror=alert(1)>")}])
>>> print(results_table(result))
<table class="results"><thead><tr><th>label</th></tr></thead>
<tbody><tr><td>&lt;img src=x onerror=alert(1)&gt;</td></tr></tbody></table>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from string import Template
from urllib.parse import urlencode

from pyoxigraph import NamedNode

from rikg.graph_store.base import QueryResult, Term
from rikg.ontology.vocab import ID_NS
from rikg.output import term_text
from rikg.queries.catalogue import CatalogueQuery

__all__ = [
    "Outcome",
    "Page",
    "catalogue_page",
    "error_page",
    "home_page",
    "query_page",
    "render",
    "results_table",
    "yasgui_page",
]


@dataclass(frozen=True)
class Page:
    """A page's title (plain text) and body (HTML, escaped already), and extra ``<head>`` HTML."""

    title: str
    body: str
    head: str = ""


def render(page: Page) -> str:
    """The complete HTML document of a page (the shared layout in ``templates/page.html``).

    >>> "<h1>A &amp; B</h1>" in render(Page("A & B", "<p>x</p>"))
    True
    """
    layout = Template(files("rikg.web").joinpath("templates/page.html").read_text(encoding="utf-8"))
    return layout.substitute(title=escape(page.title), head=page.head, body=page.body)


def home_page(store: str) -> Page:
    """Links to every part of the app, and where the data comes from."""
    body = f"""
<p>Bulgarian municipal Roma-inclusion action plans as a knowledge graph, traced from each municipal
measure up to the national strategy and the EU objectives. Store: <code>{escape(store)}</code>.</p>
<div class="cards">
  <section class="card"><h2><a href="/explore">Explorer</a></h2>
    <p>Browse the graph: plans, their objectives and measures, the institutions responsible and the
    national and EU goals they serve.</p></section>
  <section class="card"><h2><a href="/query">Query catalogue</a></h2>
    <p>Ready-made questions for analysts and auditors, with parameters; results as a table, CSV or
    JSON.</p></section>
  <section class="card"><h2><a href="/yasgui">SPARQL editor</a></h2>
    <p>Write your own SPARQL against the read-only endpoint <code>/sparql</code> (SPARQL 1.1
    Protocol: GET or POST).</p></section>
</div>"""
    return Page("Roma Inclusion Knowledge Graph", body)


def _parameter_list(query: CatalogueQuery) -> str:
    if not query.parameters:
        return '<p class="muted">No parameters.</p>'
    items = []
    for parameter in query.parameters:
        default = f" = {escape(parameter.default)}" if parameter.default is not None else ""
        items.append(
            f'<dt>{escape(parameter.name)} '
            f'<span class="muted">({escape(parameter.type)}){default}</span></dt>'
            f"<dd>{escape(parameter.description)}</dd>"
        )
    return f'<dl class="params">{"".join(items)}</dl>'


def catalogue_page(queries: Sequence[CatalogueQuery]) -> Page:
    """Every catalogue query with its description and parameters, each linking to its own page."""
    cards = []
    for query in queries:
        cards.append(
            f'<section class="card" id="{escape(query.name)}">'
            f'<h2><a href="/query/{escape(query.name)}">{escape(query.title)}</a></h2>'
            f'<p class="muted">{escape(query.name)} · for the {escape(query.audience)}</p>'
            f"<p>{escape(query.description)}</p>{_parameter_list(query)}</section>"
        )
    intro = (
        "<p>Each query answers one question. Open one to set its parameters and run it; values are "
        "bound to the query as RDF terms, never pasted into its text.</p>"
    )
    return Page("Query catalogue", f'{intro}<div class="cards">{"".join(cards)}</div>')


def _form(query: CatalogueQuery, values: Mapping[str, str]) -> str:
    fields = []
    for parameter in query.parameters:
        name = escape(parameter.name)
        value = escape(values.get(parameter.name, ""))
        placeholder = escape(parameter.default or "")
        hint = escape(f"{parameter.type}" + (f" — {parameter.description}" if parameter.description else ""))
        fields.append(
            f'<label for="p-{name}">{name}<span class="hint">{hint}</span></label>'
            f'<input type="text" id="p-{name}" name="{name}" value="{value}" placeholder="{placeholder}">'
        )
    return (
        f'<form class="params" method="get" action="/query/{escape(query.name)}">{"".join(fields)}'
        '<button type="submit" name="run" value="1">Run</button></form>'
    )


def _cell(term: Term | None) -> str:
    text = escape(term_text(term))
    if isinstance(term, NamedNode) and term.value.startswith(ID_NS):
        link = "/explore?" + urlencode({"focus": term.value})
        return f'<a href="{escape(link)}" title="{escape(term.value)}">{text}</a>'
    return text


def results_table(result: QueryResult) -> str:
    """A result as an HTML table (every value escaped; graph IRIs link to the explorer)."""
    if result.kind == "ask":
        return f'<p class="answer">{"true" if result.boolean else "false"}</p>'
    if result.kind == "construct":
        columns = ["subject", "predicate", "object"]
        rows = [[_cell(t.subject), _cell(t.predicate), _cell(t.object)] for t in result.triples]
    else:
        columns = result.variables
        rows = [[_cell(row.get(name)) for name in columns] for row in result.rows]
    head = "".join(f"<th>{escape(name)}</th>" for name in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="results"><thead><tr>{head}</tr></thead>\n<tbody>{body}</tbody></table>'


def _row_count(result: QueryResult) -> int:
    return len(result.triples) if result.kind == "construct" else len(result.rows)


@dataclass(frozen=True)
class Outcome:
    """What running a catalogue query gave: a result (perhaps cut at the limit) or an error line."""

    result: QueryResult | None = None
    truncated: bool = False
    error: str | None = None
    status: int = 200


def _outcome_html(query: CatalogueQuery, values: Mapping[str, str], outcome: Outcome, limit: int) -> str:
    if outcome.error is not None:
        return f'<p class="error" role="alert">{escape(outcome.error)}</p>'
    if outcome.result is None:
        return ""
    count = _row_count(outcome.result)
    parts = [f'<h2>Result</h2><p class="count">{count} row{"s" if count != 1 else ""}</p>']
    if outcome.truncated:
        parts.append(
            f'<p class="note" role="status">Only the first {limit} rows are shown: the result has more '
            "(the server's result limit). Narrow the query with its parameters.</p>"
        )
    links = []
    for fmt in ("csv", "json"):
        href = f"/query/{query.name}?" + urlencode({**values, "run": "1", "download": fmt})
        links.append(f'<a href="{escape(href)}" download>Download {fmt.upper()}</a>')
    parts.append(f'<p class="downloads">{"".join(links)}</p>')
    parts.append(results_table(outcome.result))
    return "".join(parts)


def query_page(query: CatalogueQuery, values: Mapping[str, str], outcome: Outcome, limit: int) -> Page:
    """One catalogue query: its description, a form for its parameters, its SPARQL and its result."""
    body = (
        f'<p class="muted">{escape(query.name)} · for the {escape(query.audience)}</p>'
        f"<p>{escape(query.description)}</p>{_form(query, values)}"
        f"{_outcome_html(query, values, outcome, limit)}"
        f"<details><summary>SPARQL</summary><pre class=\"sparql\">{escape(query.sparql)}</pre></details>"
    )
    return Page(query.title, body)


def yasgui_page() -> Page:
    """The free SPARQL editor (YASGUI, served from this server) pointed at ``/sparql``."""
    head = (
        '<link rel="stylesheet" href="/static/yasgui/yasgui.min.css">\n'
        '<script src="/static/yasgui/yasgui.min.js" defer></script>\n'
        '<script src="/static/yasgui-setup.js" defer></script>'
    )
    body = (
        '<p class="muted">Queries go to this server\'s read-only endpoint <code>/sparql</code>; the default '
        "graph is the union of all named graphs. Updates are refused.</p>"
        '<p class="note" id="truncated" role="status" hidden></p><div id="yasgui"></div>'
    )
    return Page("SPARQL editor", body, head)


def error_page(status: int, reason: str, message: str) -> Page:
    """A page for an error status: the status and one line saying why."""
    body = f'<p class="error" role="alert">{escape(message)}</p><p><a href="/">Back to the start page</a></p>'
    return Page(f"{status} {reason}", body)
