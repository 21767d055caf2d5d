"""The build pipeline: ontology, reference chain and plans into the store, one named graph each.

``build`` runs a list of steps in order; each step writes its graphs with one
``replace_graphs`` call per graph (per plan), so a rebuilt graph replaces the
old one atomically and a reader never sees half a plan. The default steps:

1. :func:`load_ontology` → ``id:graph/ontology``;
2. :func:`load_reference` → ``id:graph/reference`` (every ``reference/*.ttl``);
3. :func:`load_plan_graphs` → ``id:graph/plan/<slug>`` per plan file; a file
   that cannot be loaded is reported and the others are loaded all the same.
   Each plan is parsed, mapped and aligned in a worker process (one per CPU),
   which hands back its graph as N-Triples bytes while this process writes
   the previous ones;
4. :func:`rikg.align.align_step` → ``id:graph/alignments``: evidenced links from
   the loaded plans' objectives and measures to the national goals (the links
   the workers found, with the reviewed overrides applied);
5. :func:`note_other_plan_graphs` → lists plan graphs already in the store that
   this build did not produce.

Plan graphs are only ever *replaced*: a plan whose file is no longer in the
folder keeps its graph (so folders can be built into one store one after the
other); the report lists such graphs under ``kept_plan_graphs`` and the command
names them on standard error. Remove one with ``drop_graphs``.

Further stages join by adding a step, e.g. ``build(..., steps=(*DEFAULT_STEPS,
my_step))``: a step receives the :class:`BuildContext` with the open store, the
loaded plans, the reference index and the report, and writes through
:meth:`BuildContext.write`. The alignment graph holds the links of the plans of
*this* build only.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     report = build(pathlib.Path(tmp), pathlib.Path(tmp) / "store", steps=(load_ontology,))
...     report.ok, list(report.graphs) == [ONTOLOGY_GRAPH], pathlib.Path(report.report_path).name
(True, True, 'store.quality.json')
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from pyoxigraph import Triple

from rikg.align import NationalGoal, PlanAlignment, align_plan, align_step, load_national_goals
from rikg.config import is_remote, project_root
from rikg.errors import PlanError, RikgError
from rikg.graph_store import open_store
from rikg.graph_store.base import GraphStore
from rikg.graph_store.ntriples import NTriples
from rikg.loaders.plan import load_plan
from rikg.loaders.records import PlanDocument
from rikg.mapping import ReferenceIndex, map_plan, plan_graph_iri
from rikg.ontology.resources import ontology_resource, reference_resources
from rikg.ontology.vocab import ID_NS
from rikg.quality import BuildReport, FileError, PlanQuality

__all__ = [
    "DEFAULT_STEPS",
    "ONTOLOGY_GRAPH",
    "PLAN_GRAPH_PREFIX",
    "REFERENCE_GRAPH",
    "BuildContext",
    "BuildStep",
    "PreparedPlan",
    "build",
    "default_report_path",
    "load_ontology",
    "load_plan_graphs",
    "load_reference",
    "note_other_plan_graphs",
]

ONTOLOGY_GRAPH = f"{ID_NS}graph/ontology"
REFERENCE_GRAPH = f"{ID_NS}graph/reference"
PLAN_GRAPH_PREFIX = f"{ID_NS}graph/plan/"


def _silent(message: str) -> None:
    """Progress sink that drops the message."""


class BuildContext:
    """What the steps of one build share: the open store, the plans folder, the report, a progress
    sink, the reference index (set by :func:`load_reference`) and the plans loaded so far.

    (A plain class rather than a dataclass: mypy takes a dataclass field of callable type for a
    read-only attribute, which would not satisfy ``rikg.align.BuildContextLike``.)
    """

    def __init__(
        self,
        store: GraphStore,
        plans_dir: Path,
        report: BuildReport,
        progress: Callable[[str], None] = _silent,
    ) -> None:
        self.store = store
        self.plans_dir = plans_dir
        self.report = report
        self.progress = progress
        self.reference = ReferenceIndex()
        self.plans: list[PlanDocument] = []
        self.pool: Executor | None = None  # processes for the per-plan work (parsing, alignment)
        self.aligns = False  # whether align_step follows: plans are then aligned where they are parsed
        self.alignments: dict[str, PlanAlignment] = {}  # by plan slug

    def write(self, graph_iri: str, triples: Sequence[Triple]) -> None:
        """Replace one named graph atomically and count it in the report."""
        self.store.replace_graphs({graph_iri: triples})
        self.report.graphs[graph_iri] = len(triples)


BuildStep = Callable[[BuildContext], None]


def load_ontology(context: BuildContext) -> None:
    """The OWL ontology into ``id:graph/ontology``."""
    context.write(ONTOLOGY_GRAPH, ontology_resource().triples())
    context.progress("ontology loaded")


def load_reference(context: BuildContext) -> None:
    """Every reference file into ``id:graph/reference`` (one replacement), and its index for the mapping."""
    triples = [triple for resource in reference_resources() for triple in resource.triples()]
    context.reference = ReferenceIndex.from_triples(triples)
    context.write(REFERENCE_GRAPH, triples)
    context.progress(f"reference data loaded ({len(triples)} triples)")


@dataclass(frozen=True)
class PreparedPlan:
    """One plan as a worker process hands it back: its records, its graph (as N-Triples bytes, which
    pickle as fast as bytes do) and, when the build aligns, its alignment."""

    doc: PlanDocument
    triples: NTriples
    alignment: PlanAlignment | None


@dataclass(frozen=True)
class _Preparation:
    """What a worker needs to prepare a plan beyond its file."""

    reference: ReferenceIndex
    goals: tuple[NationalGoal, ...] | None  # None: the build does not align


def _prepare(path: Path, needs: _Preparation) -> PreparedPlan | tuple[str, str]:
    """Parse, map and align one plan file; its error as (file, reason) instead (a PlanError does not
    survive pickling back from a worker)."""
    try:
        doc = load_plan(path)
    except PlanError as error:
        return error.file, error.reason
    try:
        triples = map_plan(doc, needs.reference)
        alignment = align_plan(doc, needs.goals, triples) if needs.goals is not None else None
        return PreparedPlan(doc, NTriples.of(triples), alignment)
    except PlanError as error:
        return error.file, error.reason
    except RikgError as error:
        return doc.file, str(error)
    except ValueError as error:  # pyoxigraph refuses an IRI or literal built from the records
        return doc.file, f"cannot map to RDF: {error}"


def _load_one(context: BuildContext, prepared: PreparedPlan, slugs: dict[str, str]) -> None:
    doc = prepared.doc
    if doc.slug in slugs:
        raise PlanError(doc.file, f"plan {doc.slug} is already built from {slugs[doc.slug]} (duplicate plan)")
    context.write(plan_graph_iri(doc.slug), prepared.triples)
    slugs[doc.slug] = doc.file
    context.plans.append(doc)
    if prepared.alignment is not None:
        context.alignments[doc.slug] = prepared.alignment
    context.report.plans.append(PlanQuality.from_plan(doc, len(prepared.triples)))
    context.progress(f"{doc.file}: {doc.slug} ({len(prepared.triples)} triples)")


def _prepared_plans(
    folder: Path, needs: _Preparation, pool: Executor | None = None
) -> Iterator[PreparedPlan | PlanError]:
    """Every ``*.txt`` plan of a folder, in name order, parsed, mapped and aligned in the pool's
    processes when given (the caller writes one plan while the next ones are prepared); a bad file
    gives its error.

    >>> from rikg.config import bundled_plans_dir
    >>> needs = _Preparation(ReferenceIndex(), goals=None)
    >>> [(p.doc.slug, len(p.triples) > 1000) for p in _prepared_plans(bundled_plans_dir(), needs)][:2]
    [('blagoevgrad-2024-2027', True), ('kyustendil-2022-2024', True)]
    """
    paths = sorted(folder.glob("*.txt"))
    work = partial(_prepare, needs=needs)
    prepared = pool.map(work, paths) if pool is not None else map(work, paths)
    return (PlanError(*item) if isinstance(item, tuple) else item for item in prepared)


def load_plan_graphs(context: BuildContext) -> None:
    """Each plan file of the folder into its own graph; a bad file is reported, the others still load.

    When the build aligns (``context.aligns``), each plan is aligned where it is parsed, and
    :func:`rikg.align.align_step` uses those alignments.
    """
    goals = tuple(load_national_goals()) if context.aligns else None
    needs = _Preparation(context.reference, goals)
    slugs: dict[str, str] = {}
    for loaded in _prepared_plans(context.plans_dir, needs, context.pool):
        if isinstance(loaded, PlanError):
            context.report.errors.append(FileError(loaded.file, loaded.reason))
            continue
        try:
            _load_one(context, loaded, slugs)
        except PlanError as error:
            context.report.errors.append(FileError(error.file, error.reason))


def note_other_plan_graphs(context: BuildContext) -> None:
    """Record plan graphs in the store that this build did not write (they are kept, not dropped)."""
    written = set(context.report.graphs)
    context.report.kept_plan_graphs = [
        iri
        for iri in context.store.named_graphs()
        if iri.startswith(PLAN_GRAPH_PREFIX) and iri not in written
    ]


DEFAULT_STEPS: tuple[BuildStep, ...] = (
    load_ontology,
    load_reference,
    load_plan_graphs,
    align_step,
    note_other_plan_graphs,
)


@contextlib.contextmanager
def _plan_pool(folder: Path) -> Iterator[Executor | None]:
    """Worker processes (one per CPU) when there are several CPUs and plan files, else None.

    The workers are forked at once (a first no-op task), before the caller opens the store.
    """
    workers = min(os.cpu_count() or 1, sum(1 for _ in folder.glob("*.txt")))
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
    )
    try:
        pool.submit(int).result()
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _die_with_parent(parent: int) -> None:
    """In a worker: be killed when the build process dies (a killed build leaves no idle workers)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG (Linux)
    if os.getppid() != parent:  # the build died before the line above ran
        os._exit(1)


def default_report_path(store_location: str | Path) -> Path:
    """Where the quality report goes: ``<store>.quality.json``; for a server, ``var/quality.json``.

    >>> default_report_path("var/store").name, default_report_path("http://127.0.0.1:7878").name
    ('store.quality.json', 'quality.json')
    """
    location = str(store_location)
    if is_remote(location):
        return project_root() / "var" / "quality.json"
    path = Path(location)
    return path.with_name(path.name + ".quality.json")


def build(
    plans_dir: str | Path,
    store_location: str | Path,
    report_path: str | Path | None = None,
    steps: Sequence[BuildStep] = DEFAULT_STEPS,
    progress: Callable[[str], None] = _silent,
) -> BuildReport:
    """Run the build steps into the store and write the JSON quality report; returns the report.

    Steps run in order; a step listed twice runs once (``(*DEFAULT_STEPS, align_step)`` aligns once).
    Files that could not be loaded are in ``report.errors`` (``report.ok`` is
    False); everything else was loaded. Raises :class:`~rikg.errors.RikgError`
    only for what stops the whole build (no plans folder, store unreachable).
    """
    folder = Path(plans_dir)
    if not folder.is_dir():
        raise RikgError(f"{folder}: plans folder not found")
    location = str(store_location)
    if not is_remote(location):
        Path(location).parent.mkdir(parents=True, exist_ok=True)
    report = BuildReport(store=location, plans_dir=str(folder))
    # The pool is forked before the store opens, so that no store thread is copied into it.
    # In a bulk block, graphs new to the store are loaded together (near bulk_load's rate);
    # each replace_graphs call stays atomic.
    with _plan_pool(folder) as pool, open_store(location) as store, store.bulk():
        context = BuildContext(store=store, plans_dir=folder, report=report, progress=progress)
        context.pool = pool
        context.aligns = align_step in steps
        for step in dict.fromkeys(steps):  # a step listed twice runs once
            step(context)
        store.optimize()
    report.write(Path(report_path) if report_path is not None else default_report_path(location))
    return report
