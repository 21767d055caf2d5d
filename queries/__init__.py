"""rikg.queries: the SPARQL query catalogue (one ``.rq`` file per question) and its loader.

>>> from rikg.queries import get
>>> get("plan-overview").title
'What each plan holds'
"""

from .catalogue import CatalogueQuery, Parameter, get, list_queries, load_query, records

__all__ = ["CatalogueQuery", "Parameter", "get", "list_queries", "load_query", "records"]
