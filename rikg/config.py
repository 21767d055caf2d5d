"""Where things live: the project root, the bundled plans and the default store.

The default store is ``var/store`` in the project root (the folder holding
``pyproject.toml``) or, for an installed copy, in the current directory; the
environment variable ``RIKG_STORE`` overrides it with a path or an ``http(s)://`` URL.

>>> import os
>>> os.environ["RIKG_STORE"] = "stores/rikg"
>>> default_store()
'stores/rikg'
>>> del os.environ["RIKG_STORE"]
>>> default_store().endswith("store")
True
"""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "RIKG_STORE"


def project_root() -> Path:
    """The source checkout holding this package, else the current directory."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").exists() else Path.cwd()


def bundled_plans_dir() -> Path:
    """The folder of plan files shipped with the project (``data/plans``)."""
    return project_root() / "data" / "plans"


def default_store() -> str:
    """The store used when no ``--store`` is given: ``$RIKG_STORE`` or ``var/store``."""
    return os.environ.get(STORE_ENV) or str(project_root() / "var" / "store")


def is_remote(store: str) -> bool:
    """True for a SPARQL server URL, False for a filesystem path.

    >>> is_remote("http://127.0.0.1:7878"), is_remote("var/store")
    (True, False)
    """
    return store.startswith(("http://", "https://"))
