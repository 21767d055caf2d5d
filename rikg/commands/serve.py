"""``rikg serve``: the local web app (explorer, query catalogue, SPARQL editor) and a read-only
SPARQL 1.1 endpoint at ``/sparql``.

Listens on 127.0.0.1 unless ``--host`` says otherwise; prints the URL on
standard output and serves until Ctrl-C. ``--timeout`` stops any query that
runs longer (its worker process is killed and replaced), ``--limit`` caps
result rows (a cut result says so). See ``docs/web.md`` and ``SECURITY.md``.
"""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType

from rikg.config import is_remote
from rikg.errors import RikgError
from rikg.graph_store import open_store
from rikg.web.server import Settings, is_loopback, make_server


def settings_from(args: argparse.Namespace) -> Settings:
    """The server settings from the command line (options the parser lacks take their defaults).

    >>> args = argparse.Namespace(store="var/store", host="127.0.0.1", port=0, timeout=2.0, limit=10)
    >>> settings_from(args).max_request_bytes
    1000000
    """
    defaults = Settings(store=args.store)
    settings = Settings(
        store=args.store,
        host=getattr(args, "host", defaults.host),
        port=getattr(args, "port", defaults.port),
        timeout=getattr(args, "timeout", defaults.timeout),
        limit=getattr(args, "limit", defaults.limit),
        workers=getattr(args, "workers", defaults.workers),
        max_request_bytes=getattr(args, "max_request_bytes", defaults.max_request_bytes),
    )
    if settings.timeout <= 0:
        raise RikgError(f"--timeout must be more than 0 seconds, not {settings.timeout:g}")
    if settings.limit < 1:
        raise RikgError(f"--limit must be at least 1 row, not {settings.limit}")
    if settings.workers < 1:
        raise RikgError(f"--workers must be at least 1, not {settings.workers}")
    if settings.max_request_bytes < 1024:
        raise RikgError(f"--max-request-bytes must be at least 1024, not {settings.max_request_bytes}")
    return settings


def _check_store(location: str) -> None:
    """Fail now, with one line, when a store folder is missing or unreadable."""
    if not is_remote(location):
        open_store(location, read_only=True).close()


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C (or SIGTERM); returns 0 after a clean stop."""
    settings = settings_from(args)
    _check_store(settings.store)
    server = make_server(settings)
    signal.signal(signal.SIGTERM, _stop)
    bound = server.settings
    if not is_loopback(bound.host):
        print(
            f"rikg serve: warning: listening on {bound.host}, reachable from other machines; "
            "rikg has no authentication (see SECURITY.md for a reverse proxy)",
            file=sys.stderr,
        )
    print(bound.url, flush=True)
    print(
        f"rikg serve: store {bound.store}; timeout {bound.timeout:g} s, "
        f"limit {bound.limit} rows; Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("rikg serve: stopped", file=sys.stderr)
    finally:
        server.server_close()
        server.pool.close()
    return 0
