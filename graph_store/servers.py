"""Where a SPARQL server keeps its endpoints, and what it can and cannot do.

A profile turns the one URL given as ``--store`` into the query, update and
Graph Store Protocol URLs of a server product, and says how the server gives
the union default graph, whether it cuts results at a row cap, and whether a
multi-operation update is one transaction. Options (keyword arguments of
``open_store``, else ``RIKG_STORE_*`` environment variables) override any
field; ``docs/stores.md`` explains each.

>>> endpoints = resolve("http://127.0.0.1:7878", {})
>>> endpoints.query_url, endpoints.update_url, endpoints.store_url
('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
>>> resolve("http://host:8890", {"profile": "virtuoso"}).max_rows
10000
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from rikg.errors import StoreError

__all__ = ["PROFILES", "Endpoints", "ServerProfile", "resolve"]


@dataclass(frozen=True)
class ServerProfile:
    """Endpoint paths (relative to the store URL) and abilities of one SPARQL server product."""

    name: str
    query_path: str
    update_path: str | None
    store_path: str | None
    #: query parameter that makes the default graph the union of all graphs (None: the server does it)
    union_parameter: str | None
    #: Graph Store parameter for a faster, non-transactional load (used only when the targets are empty)
    bulk_parameter: str | None
    #: rows after which the server silently cuts a result (None: no cap)
    max_rows: int | None
    #: True when one multi-operation SPARQL Update request is one transaction
    transactional: bool
    #: updates larger than this go through staging graphs, uploaded piece by piece, then one MOVE
    max_update_bytes: int


_MB = 2**20

PROFILES: dict[str, ServerProfile] = {
    profile.name: profile
    for profile in (
        ServerProfile(
            name="oxigraph", query_path="/query", update_path="/update", store_path="/store",
            union_parameter="union-default-graph", bulk_parameter="no_transaction",
            max_rows=None, transactional=True, max_update_bytes=256 * _MB,
        ),
        ServerProfile(  # base URL: the dataset, e.g. http://host:3030/rikg
            name="fuseki", query_path="/query", update_path="/update", store_path="/data",
            union_parameter=None, bulk_parameter=None,
            max_rows=None, transactional=True, max_update_bytes=64 * _MB,
        ),
        ServerProfile(  # base URL: http://host:8890 ; updates need the SPARQL_UPDATE role
            name="virtuoso", query_path="/sparql", update_path="/sparql-auth", store_path=None,
            union_parameter=None, bulk_parameter=None,
            max_rows=10_000, transactional=False, max_update_bytes=1 * _MB,
        ),
        ServerProfile(  # base URL: the repository, e.g. http://host:7200/repositories/rikg
            name="graphdb", query_path="", update_path="/statements", store_path="/rdf-graphs/service",
            union_parameter=None, bulk_parameter=None,
            max_rows=None, transactional=True, max_update_bytes=64 * _MB,
        ),
        ServerProfile(  # one URL for queries and updates; everything else from options
            name="generic", query_path="", update_path="", store_path=None,
            union_parameter=None, bulk_parameter=None,
            max_rows=None, transactional=False, max_update_bytes=1 * _MB,
        ),
    )
}


@dataclass(frozen=True)
class Endpoints:
    """The resolved URLs and abilities of one server."""

    profile: str
    query_url: str
    update_url: str | None
    store_url: str | None
    union_parameter: str | None
    bulk_parameter: str | None
    max_rows: int | None
    transactional: bool
    max_update_bytes: int
    timeout: float


#: option name -> environment variable
ENVIRONMENT = {
    "profile": "RIKG_STORE_PROFILE",
    "query_url": "RIKG_STORE_QUERY_URL",
    "update_url": "RIKG_STORE_UPDATE_URL",
    "store_url": "RIKG_STORE_GSP_URL",
    "union_parameter": "RIKG_STORE_UNION_PARAMETER",
    "max_rows": "RIKG_STORE_MAX_ROWS",
    "transactional": "RIKG_STORE_TRANSACTIONAL",
    "max_update_bytes": "RIKG_STORE_MAX_UPDATE_BYTES",
    "timeout": "RIKG_STORE_TIMEOUT",
}
_INTEGERS = {"max_rows", "max_update_bytes"}


def _option(name: str, options: Mapping[str, Any]) -> Any:
    if name in options:
        return options[name]
    return os.environ.get(ENVIRONMENT[name])


def _typed(name: str, value: Any) -> Any:
    """An option given as text (environment) in the type of its field."""
    if not isinstance(value, str):
        return value
    try:
        if name in _INTEGERS:
            return int(value) if value.strip() else None
        if name == "timeout":
            return float(value)
    except ValueError as error:
        raise StoreError(f"store option {name} must be a number, not {value!r}") from error
    if name == "transactional":
        return value.strip().lower() in {"1", "true", "yes"}
    return value or None


def resolve(base_url: str, options: Mapping[str, Any]) -> Endpoints:
    """The endpoints of the server at ``base_url`` from its profile and the overriding options.

    >>> resolve("http://h:3030/ds", {"profile": "fuseki", "max_rows": "500"}).max_rows
    500
    >>> resolve("http://h", {"profile": "stardog"})
    Traceback (most recent call last):
    ...
    rikg.errors.StoreError: unknown store profile 'stardog' (use oxigraph, fuseki, virtuoso, graphdb, generic)
    """
    unknown = set(options) - set(ENVIRONMENT)
    if unknown:
        raise StoreError(f"unknown store option(s): {', '.join(sorted(unknown))}")
    name = _option("profile", options) or "oxigraph"
    if name not in PROFILES:
        raise StoreError(f"unknown store profile {name!r} (use {', '.join(PROFILES)})")
    profile = PROFILES[name]
    base = base_url.rstrip("/")

    def url(path: str | None) -> str | None:
        return None if path is None else base + path

    endpoints = Endpoints(
        profile=name,
        query_url=base + profile.query_path,
        update_url=url(profile.update_path),
        store_url=url(profile.store_path),
        union_parameter=profile.union_parameter,
        bulk_parameter=profile.bulk_parameter,
        max_rows=profile.max_rows,
        transactional=profile.transactional,
        max_update_bytes=profile.max_update_bytes,
        timeout=60.0,
    )
    overrides = {
        field.name: _typed(field.name, value)
        for field in fields(Endpoints)
        if field.name in ENVIRONMENT and field.name != "profile"
        and (value := _option(field.name, options)) is not None
    }
    return replace(endpoints, **overrides)
