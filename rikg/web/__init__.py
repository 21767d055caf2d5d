"""The rikg web app (``rikg serve``): explorer views, the query catalogue, a SPARQL editor and a
read-only SPARQL 1.1 endpoint, all served from this machine (``docs/web.md``, ``SECURITY.md``).

* :mod:`rikg.web.server`: the HTTP server and its routes;
* :mod:`rikg.web.workers`: queries in killable worker processes (timeout, row limit);
* :mod:`rikg.web.protocol`: SPARQL 1.1 Protocol pieces (update refusal, content negotiation, result formats);
* :mod:`rikg.web.pages`: the HTML pages (every value escaped).
"""
