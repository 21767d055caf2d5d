"""The query catalogue: one ``.rq`` file per question, described by a comment header.

Every catalogue file opens with a header of ``# key: value`` comment lines
(``docs/queries.md`` documents the format)::

    # title: Measures per national sub-goal per municipality
    # audience: policy analyst
    # description: How many measures of each municipal plan serve each national sub-goal.
    # param: area (iri) -- restrict to one policy area, e.g. id:policy-area/education
    # columns: municipality, plan, area, subgoal, subgoalLabel, measures
    PREFIX ...
    SELECT ...

A parameter is a variable of the query that the caller binds to an RDF term
(``GraphStore.query(sparql, bindings)``); values are never pasted into the
query text. A parameter with a default is always bound (to its default when
the caller gives none); one without a default restricts nothing when unbound.
Parameters are projected columns, because pyoxigraph binds only variables of
the ``SELECT`` clause.

>>> query = get("measures-per-subgoal")
>>> query.audience, [p.name for p in query.parameters]
('policy analyst', ['area', 'plan'])
>>> query.bindings({"area": "id:policy-area/education"})
{'area': <NamedNode value=https://w3id.org/rikg/id/policy-area/education>}
>>> get("measures-per-subgoals")
Traceback (most recent call last):
...
rikg.errors.QueryError: no catalogue query 'measures-per-subgoals' (did you mean: measures-per-subgoal?)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Literal as TypingLiteral
from typing import get_args

from pyoxigraph import Literal

from rikg.errors import QueryError
from rikg.graph_store.base import GraphStore, QueryResult, Term
from rikg.params import to_term

__all__ = [
    "CatalogueQuery",
    "Parameter",
    "ParameterType",
    "get",
    "list_queries",
    "load_query",
    "names",
    "parse_query",
    "python_value",
    "records",
]

ParameterType = TypingLiteral["iri", "string", "integer", "decimal", "year", "boolean"]
PARAMETER_TYPES: tuple[str, ...] = get_args(ParameterType)

_REQUIRED = ("title", "audience", "description", "columns")
_KEYS = (*_REQUIRED, "param")
_FIELD = re.compile(r"#\s*(?P<key>[a-z]+)\s*:\s*(?P<value>.*)$")
_PARAM = re.compile(
    r"(?P<name>[A-Za-z_]\w*)\s*\(\s*(?P<type>\w+)\s*\)\s*"
    r"(?:=\s*(?P<default>.*?))?\s*(?:--\s*(?P<description>.*))?$"
)
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Parameter:
    """A variable of a catalogue query that the caller may bind.

    >>> Parameter("asOf", "year", None, "the year to judge by").term("2026")
    <Literal value=2026 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#gYear>>
    >>> Parameter("plan", "iri", None, "").term('x" } ; DROP ALL ; #')
    Traceback (most recent call last):
    ...
    rikg.errors.QueryError: parameter 'plan': 'x" } ; DROP ALL ; #' is not an IRI (write <...> or ...
    """

    name: str
    type: ParameterType
    default: str | None
    description: str

    def term(self, value: str) -> Term:
        """The RDF term for a value given as text: ``id:``/``rikg:`` prefixes expanded for IRIs,
        literals checked against the declared type."""
        try:
            return to_term(value, self.type)
        except QueryError as error:
            raise QueryError(f"parameter {self.name!r}: {error}") from None


@dataclass(frozen=True)
class CatalogueQuery:
    """A catalogue query: what it answers, for whom, its parameters, its columns and its SPARQL."""

    name: str
    title: str
    audience: str
    description: str
    parameters: list[Parameter]
    columns: list[str]
    sparql: str  # the query text after the header

    def parameter(self, name: str) -> Parameter:
        """The parameter of that name (``QueryError`` naming the known ones otherwise).

        >>> get("ended-plans").parameter("asOf").type
        'year'
        """
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.parameters) or "no parameters"
        raise QueryError(f"{self.name}: unknown parameter {name!r} (this query takes: {known})")

    def bindings(self, params: Mapping[str, str] | None = None) -> dict[str, Term]:
        """Variable bindings for parameter values given as text, defaults applied.

        >>> query = get("unresolved-names")
        >>> query.bindings({"kind": 'x" } ; DROP ALL ; #'})
        {'kind': <Literal value=x" } ; DROP ALL ; # datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>}
        >>> query.bindings({"knd": "funding"})
        Traceback (most recent call last):
        ...
        rikg.errors.QueryError: unresolved-names: unknown parameter 'knd' (this query takes: kind, plan)
        """
        given = dict(params or {})
        for name in given:
            self.parameter(name)
        bindings: dict[str, Term] = {}
        for parameter in self.parameters:
            value = given.get(parameter.name, parameter.default)
            if value is not None:
                bindings[parameter.name] = parameter.term(value)
        return bindings

    def run(self, store: GraphStore, params: Mapping[str, str] | None = None) -> QueryResult:
        """Run the query on a store with parameter values given as text (defaults applied)."""
        return store.query(self.sparql, self.bindings(params))


def parse_query(name: str, text: str) -> CatalogueQuery:
    """A catalogue query from the text of a ``.rq`` file; ``QueryError`` names the file and what is wrong.

    >>> text = "# title: Plans\\n# audience: analyst\\n# description: Every plan.\\n"
    >>> text += "# param: plan (iri) -- one plan\\n# columns: plan\\nSELECT ?plan { ?plan a ?c }"
    >>> parse_query("plans", text).parameters[0]
    Parameter(name='plan', type='iri', default=None, description='one plan')
    >>> parse_query("bad", "# title: x\\nSELECT * {}")
    Traceback (most recent call last):
    ...
    rikg.errors.QueryError: bad.rq: the header lacks audience, description, columns
    """
    fields = _header_fields(name, text)
    missing = [key for key in _REQUIRED if not fields.get(key)]
    if missing:
        raise QueryError(f"{name}.rq: the header lacks {', '.join(missing)}")
    columns = [column.strip().lstrip("?") for column in fields["columns"][0].split(",") if column.strip()]
    body = _body(text)
    if not body:
        raise QueryError(f"{name}.rq: no query after the header")
    parameters = [_parameter(name, line) for line in fields.get("param", [])]
    for parameter in parameters:
        if parameter.name not in columns:
            raise QueryError(
                f"{name}.rq: parameter {parameter.name!r} is not a column "
                "(a bound variable must be projected by the SELECT)"
            )
    return CatalogueQuery(
        name=name,
        title=fields["title"][0],
        audience=fields["audience"][0],
        description=fields["description"][0],
        parameters=parameters,
        columns=columns,
        sparql=body,
    )


def _body(text: str) -> str:
    r"""The query without its header: from the first line that is neither blank nor a comment.

    The header is metadata; leaving it out also spares servers and clients that look for the query
    form in comments (SPARQLWrapper reads "added" in a comment as an ADD update).

    >>> _body("# title: x\n\n# columns: n\nSELECT ?n {}\n# trailing note\n")
    'SELECT ?n {}\n# trailing note\n'
    """
    lines = text.splitlines(keepends=True)
    start = next(
        (i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), len(lines)
    )
    return "".join(lines[start:])


def _header_fields(name: str, text: str) -> dict[str, list[str]]:
    """``key -> values`` of the leading comment lines; a comment line with no key continues the last one."""
    fields: dict[str, list[str]] = {}
    last: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _FIELD.match(stripped)
        if match and match.group("key") in _KEYS:
            last = match.group("key")
            if last != "param" and last in fields:
                raise QueryError(f"{name}.rq: the header gives {last!r} twice")
            fields.setdefault(last, []).append(match.group("value").strip())
        elif last is not None and stripped.lstrip("#").strip():
            fields[last][-1] = f"{fields[last][-1]} {stripped.lstrip('#').strip()}".strip()
    return fields


def _parameter(name: str, line: str) -> Parameter:
    match = _PARAM.fullmatch(line)
    if match is None:
        raise QueryError(f"{name}.rq: cannot read parameter {line!r} (write: NAME (TYPE) = DEFAULT -- TEXT)")
    kind = match.group("type").lower()
    if kind not in PARAMETER_TYPES:
        raise QueryError(f"{name}.rq: parameter type {kind!r} unknown (use {', '.join(PARAMETER_TYPES)})")
    parameter = Parameter(
        name=match.group("name"),
        type=kind,  # type: ignore[arg-type]  # checked against PARAMETER_TYPES above
        default=match.group("default") or None,
        description=(match.group("description") or "").strip(),
    )
    if parameter.default is not None:
        try:
            parameter.term(parameter.default)
        except QueryError as error:
            raise QueryError(f"{name}.rq: bad default: {error}") from None
    return parameter


def load_query(path: str | Path) -> CatalogueQuery:
    """A query from a ``.rq`` file with a catalogue header (named after the file).

    >>> load_query("/nonexistent/q.rq")
    Traceback (most recent call last):
    ...
    rikg.errors.QueryError: /nonexistent/q.rq: cannot read: No such file or directory
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise QueryError(f"{file}: cannot read: {error.strerror or error}") from None
    return parse_query(file.stem, text)


def _catalogue_texts() -> dict[str, str]:
    folder = files("rikg.queries")
    return {
        entry.name.removesuffix(".rq"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".rq") and entry.is_file()
    }


def names() -> list[str]:
    """The names of the catalogue queries, sorted.

    >>> "ended-plans" in names()
    True
    """
    return sorted(_catalogue_texts())


def list_queries() -> list[CatalogueQuery]:
    """Every catalogue query, sorted by name.

    >>> len(list_queries()) >= 12
    True
    """
    return [parse_query(name, text) for name, text in sorted(_catalogue_texts().items())]


def get(name: str) -> CatalogueQuery:
    """The catalogue query of that name; an unknown name gets the closest names as suggestions.

    >>> get("chain")
    Traceback (most recent call last):
    ...
    rikg.errors.QueryError: no catalogue query 'chain' (did you mean: measure-chain?)
    """
    texts = _catalogue_texts()
    if name not in texts:
        close = difflib.get_close_matches(name, texts, n=3, cutoff=0.75)
        close = close or sorted(known for known in texts if name and name in known)[:3]
        hint = f"did you mean: {', '.join(close)}?" if close else f"known: {', '.join(sorted(texts))}"
        raise QueryError(f"no catalogue query {name!r} ({hint})")
    return parse_query(name, texts[name])


PythonValue = str | int | Decimal | float | bool | None


def python_value(term: Term | None) -> PythonValue:
    """A result term as a Python value: IRIs and strings as ``str``, numbers, booleans and years as numbers.

    Decimals stay ``Decimal`` (amounts are exact); unknown datatypes give their lexical form.

    >>> from pyoxigraph import NamedNode
    >>> python_value(Literal("12.50", datatype=NamedNode(_XSD + "decimal")))
    Decimal('12.50')
    >>> python_value(Literal("2024", datatype=NamedNode(_XSD + "gYear"))), python_value(None)
    (2024, None)
    """
    if term is None:
        return None
    if not isinstance(term, Literal):
        return str(term.value)
    datatype = term.datatype.value.removeprefix(_XSD)
    try:
        if datatype in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger", "gYear"):
            return int(term.value)
        if datatype == "decimal":
            return Decimal(term.value)
        if datatype in ("double", "float"):
            return float(term.value)
        if datatype == "boolean":
            return term.value in ("true", "1")
    except ValueError:
        pass
    return term.value


def records(result: QueryResult, columns: Iterable[str] | None = None) -> list[dict[str, PythonValue]]:
    """The rows of a SELECT result as dictionaries of Python values (e.g. for ``pandas.DataFrame``).

    >>> from pyoxigraph import NamedNode
    >>> result = QueryResult("select", ["n"], [{"n": Literal("3", datatype=NamedNode(_XSD + "integer"))}])
    >>> records(result)
    [{'n': 3}]
    """
    wanted = list(columns) if columns is not None else result.variables
    return [{name: python_value(row.get(name)) for name in wanted} for row in result.rows]
