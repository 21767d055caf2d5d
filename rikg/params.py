"""``--param name=value`` into RDF terms, bound to query variables (never pasted into the query text).

A value becomes:

* an IRI when written ``<...>``, as a prefixed name with a known prefix
  (``id:plan/ruse-2024-2027``), as a bare ``http(s)://`` IRI, or when the
  query declares the parameter ``iri``;
* a literal of the declared type (``integer``, ``decimal``, ``year``,
  ``boolean``, ``date``, ``string``), checked against that type;
* with no declared type, ``xsd:integer`` / ``xsd:decimal`` when it looks like a
  number, else a plain string;
* exactly what Turtle says when written as a Turtle literal: ``"Русе"@bg``,
  ``"5"^^xsd:integer``.

>>> parse_assignment("plan=id:plan/ruse-2024-2027")
('plan', 'id:plan/ruse-2024-2027')
>>> to_term("id:plan/ruse-2024-2027")
<NamedNode value=https://w3id.org/rikg/id/plan/ruse-2024-2027>
>>> to_term("2024", "year")
<Literal value=2024 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#gYear>>
>>> to_term('x" } ; DROP ALL #')
<Literal value=x" } ; DROP ALL # datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pyoxigraph import Literal, NamedNode

from rikg.errors import QueryError
from rikg.graph_store.base import Term
from rikg.ontology.vocab import ID_NS, RIKG_NS

__all__ = ["PREFIXES", "TYPE_NAMES", "bind_parameters", "parse_assignment", "to_term"]

XSD = "http://www.w3.org/2001/XMLSchema#"

#: Prefixes known to ``--param`` values and to the table output.
PREFIXES: dict[str, str] = {
    "rikg": RIKG_NS,
    "id": ID_NS,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "xsd": XSD,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sh": "http://www.w3.org/ns/shacl#",
}

# Declared parameter types (as written in a catalogue header) -> XSD datatype, or "iri" / "string".
_TYPES: dict[str, str] = {
    "iri": "iri", "uri": "iri", "resource": "iri",
    "string": "string", "str": "string", "text": "string", "literal": "string",
    "integer": "integer", "int": "integer",
    "decimal": "decimal", "number": "decimal",
    "year": "gYear", "gyear": "gYear",
    "boolean": "boolean", "bool": "boolean",
    "date": "date",
}
TYPE_NAMES = tuple(sorted(_TYPES))

_LEXICAL = {
    "integer": re.compile(r"[+-]?\d+"),
    "decimal": re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"),
    "gYear": re.compile(r"-?\d{4,}(?:Z|[+-]\d{2}:\d{2})?"),
    "boolean": re.compile(r"true|false|1|0"),
    "date": re.compile(r"-?\d{4,}-\d{2}-\d{2}(?:Z|[+-]\d{2}:\d{2})?"),
}
_PREFIXED = re.compile(r"([A-Za-z][\w-]*)?:(\S*)")
_TURTLE_LITERAL = re.compile(
    r'"(?P<value>.*)"(?:@(?P<lang>[A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(?P<type>\S+))?', re.DOTALL
)


def parse_assignment(text: str) -> tuple[str, str]:
    """Split ``name=value`` (the value may itself contain ``=``); the name may start with ``?``.

    >>> parse_assignment("?q=a=b")
    ('q', 'a=b')
    """
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise QueryError(f"--param {text!r}: expected NAME=VALUE")
    return name, value


def _iri(text: str) -> NamedNode:
    if text.startswith("<") and text.endswith(">"):
        iri = text[1:-1]
    else:
        match = _PREFIXED.fullmatch(text)
        prefix = match.group(1) if match else None
        if match and prefix in PREFIXES:
            iri = PREFIXES[prefix] + match.group(2)
        elif text.startswith(("http://", "https://", "urn:")):
            iri = text
        else:
            raise QueryError(f"{text!r} is not an IRI (write <...> or a prefixed name such as id:plan/...)")
    try:
        return NamedNode(iri)
    except ValueError as error:
        raise QueryError(f"{text!r} is not a valid IRI: {error}") from None


def _looks_like_iri(text: str) -> bool:
    if text.startswith("<") and text.endswith(">"):
        return True
    if text.startswith(("http://", "https://")):
        return True
    match = _PREFIXED.fullmatch(text)
    return bool(match and match.group(1) in PREFIXES)


def _typed(value: str, datatype: str) -> Literal:
    pattern = _LEXICAL.get(datatype)
    if pattern is not None and not pattern.fullmatch(value.strip()):
        raise QueryError(f"{value!r} is not a valid xsd:{datatype}")
    return Literal(value.strip() if pattern else value, datatype=NamedNode(XSD + datatype))


def _turtle_literal(text: str) -> Literal | None:
    match = _TURTLE_LITERAL.fullmatch(text)
    if match is None:
        return None
    value, lang, datatype = match.group("value"), match.group("lang"), match.group("type")
    if lang:
        return Literal(value, language=lang)
    if datatype:
        return Literal(value, datatype=_iri(datatype))
    return Literal(value)


def to_term(value: str, declared: str | None = None) -> Term:
    """The RDF term for a parameter value, given the type the query declares (if any).

    >>> to_term("12")
    <Literal value=12 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    >>> to_term('"Русе"@bg')
    <Literal value=Русе language=bg>
    >>> to_term("12", "string")
    <Literal value=12 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>
    >>> to_term("twelve", "integer")
    Traceback (most recent call last):
    ...
    rikg.errors.QueryError: 'twelve' is not a valid xsd:integer
    """
    turtle = _turtle_literal(value)
    if turtle is not None:
        return turtle
    if declared is not None:
        kind = _TYPES.get(declared.strip().lower())
        if kind is None:
            raise QueryError(f"unknown parameter type {declared!r} (known: {', '.join(TYPE_NAMES)})")
        if kind == "iri":
            return _iri(value.strip())
        if kind == "string":
            return Literal(value)
        return _typed(value, kind)
    if _looks_like_iri(value.strip()):
        return _iri(value.strip())
    for datatype in ("integer", "decimal"):
        if _LEXICAL[datatype].fullmatch(value.strip()):
            return _typed(value, datatype)
    return Literal(value)


def bind_parameters(
    assignments: Sequence[str],
    declared: Mapping[str, str | None] | None = None,
    defaults: Mapping[str, str] | None = None,
) -> dict[str, Term]:
    """Variable bindings for ``--param`` assignments, with the query's declared types and defaults.

    ``declared`` (name -> type or None) lists the parameters a query declares;
    when given, other names are refused. Declared parameters left out take
    their default, if any.

    >>> bind_parameters(["year=2025"], {"year": "year", "plan": "iri"}, {"plan": "id:plan/x"})["plan"]
    <NamedNode value=https://w3id.org/rikg/id/plan/x>
    >>> bind_parameters(["town=Русе"], {"year": "year"})
    Traceback (most recent call last):
    ...
    rikg.errors.QueryError: unknown parameter 'town' (this query takes: year)
    """
    given = dict(parse_assignment(text) for text in assignments)
    if declared is not None:
        unknown = sorted(set(given) - set(declared))
        if unknown:
            known = ", ".join(sorted(declared)) or "no parameters"
            raise QueryError(f"unknown parameter {unknown[0]!r} (this query takes: {known})")
    values = {**(defaults or {}), **given}
    types = declared or {}
    bindings: dict[str, Term] = {}
    for name, value in values.items():
        try:
            bindings[name] = to_term(value, types.get(name))
        except QueryError as error:
            raise QueryError(f"parameter {name!r}: {error}") from None
    return bindings
