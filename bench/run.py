"""``make bench``: how fast the build pipeline, the store and the queries are, in one run on one machine.

Measured (``bench/README.md`` says what each figure means and keeps the last results table):

* the end-to-end ``rikg build`` of the bundled plans (a fresh process, median of ``--repeat``);
* a synthetic national corpus (``bench/generator.py``) built by ``rikg build`` and validated by
  ``rikg validate`` in child processes, with the peak resident memory of the child process tree;
* store load throughput: ``GraphStore.replace_graphs`` of the national quads into a fresh store
  against pyoxigraph's own ``bulk_load`` of the same quads as N-Quads;
* latency (median) of ``rikg.trace.trace`` and of every catalogue query on the embedded store
  (and on its in-memory copy, ``open_store(..., in_memory=True)``), and of the same queries on
  rdflib's in-memory ``Dataset``, as rdflib/ours ratios, on the bundled store and on the national
  store (rdflib: the median of ``--repeat`` runs after a first one, as ours, or that first run alone
  when it is slow; capped by ``--rdflib-timeout``, a cap raised for a slow query of ours to 11 times
  its time, at most ``--rdflib-max-timeout``);
* HermiT reasoning (``rikg reason``) on the national store (capped by ``--reason-timeout``);
* explorer page generation time and size for a 1,000-node view (the busiest institution's), and
  for the default overview.

It prints a table and writes ``--out`` (default ``bench/results.json``).
``--tiny`` runs everything at a toy size (CI checks that the benchmark works, not the figures).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import multiprocessing
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import psutil
import pyoxigraph

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from generator import generate_corpus  # noqa: E402

from rikg.config import project_root  # noqa: E402
from rikg.graph_store import open_store  # noqa: E402
from rikg.graph_store.base import GraphStore  # noqa: E402
from rikg.queries.catalogue import CatalogueQuery, list_queries  # noqa: E402
from rikg.trace import trace  # noqa: E402

RIKG = [sys.executable, "-m", "rikg"]
TARGETS = {
    "bundled_build_s": ("<=", 3.0),
    "national_build_s": ("<=", 60.0),
    "national_peak_rss_mb": ("<=", 2048.0),
    "load_vs_bulk_load": (">=", 0.8),
    "trace_p50_ms": ("<=", 5.0),
    "catalogue_speedup_vs_rdflib_min": (">=", 10.0),
}


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _stopwatch() -> Iterator[list[float]]:
    """Yields a one-element list that holds the elapsed seconds once the block ends."""
    elapsed = [0.0]
    started = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed[0] = time.perf_counter() - started


#: A run slower than this is its own figure: repeating it would not change the verdict, only the bench time.
SLOW_RUN_S = 10.0


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    with _stopwatch() as warm_up:
        run()  # warm-up: compiled query plans, caches, first page reads
    if warm_up[0] > SLOW_RUN_S:
        return warm_up[0] * 1000
    return _median_of_runs_ms(run, repeat)


def _median_of_runs_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


# --- child processes with their peak memory ---------------------------------------------------


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += member.memory_info().rss
    return total


def _children_cpu() -> float:
    """CPU seconds (user + system) of every child process waited for so far, their workers included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(command: Sequence[str], timeout: float | None = None) -> dict[str, Any]:
    """Run a command; its wall time, exit status, stderr and the peak RSS summed over its process tree."""
    started = time.perf_counter()
    cpu_before = _children_cpu()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=project_root())
    watched = psutil.Process(child.pid)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                peak[0] = max(peak[0], _tree_rss(watched))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timed_out = False
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        for member in watched.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                member.kill()
        child.kill()
        out, err = child.communicate()
    done.set()
    sampler.join()
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": _children_cpu() - cpu_before,
        "returncode": child.returncode,
        "timed_out": timed_out,
        "peak_rss_mb": peak[0] / 2**20,
        "stdout": out.decode("utf-8", "replace"),
        "stderr": err.decode("utf-8", "replace"),
    }


def _checked(result: dict[str, Any], what: str, allowed: Sequence[int] = (0,)) -> dict[str, Any]:
    if result["timed_out"]:
        _log(f"{what}: timed out after {result['seconds']:.0f} s")
    elif result["returncode"] not in allowed:
        tail = result["stderr"].strip().splitlines()[-3:]
        raise SystemExit(f"bench: {what} failed (exit {result['returncode']}): {' / '.join(tail)}")
    return result


# --- the figures --------------------------------------------------------------------------------


def bench_bundled_build(work: Path, repeat: int) -> dict[str, Any]:
    """End-to-end ``rikg build`` of the bundled plans into a fresh store (a new process each time)."""
    times, cpu = [], []
    for index in range(max(1, min(repeat, 3))):
        store = work / f"bundled-{index}" / "store"
        result = _checked(run_child([*RIKG, "build", "--store", str(store)]), "bundled build")
        times.append(result["seconds"])
        cpu.append(result["cpu_seconds"])
    validate = _checked(run_child([*RIKG, "validate", "--store", str(store)]), "bundled validate", (0, 1))
    return {
        "bundled_build_s": statistics.median(times),
        "bundled_build_cpu_s": statistics.median(cpu),
        "bundled_validate_s": validate["seconds"],
        "bundled_store": str(store),
    }


def bench_national_build(corpus: Path, store: Path, build_timeout: float) -> dict[str, Any]:
    """``rikg build`` then ``rikg validate`` of the national corpus; times, peak RSS, sizes."""
    build = _checked(
        run_child([*RIKG, "build", "--plans", str(corpus), "--store", str(store)], build_timeout),
        "national build",
        (0, 1),  # 1: some damaged files could not be loaded (reported, the others are built)
    )
    validate = _checked(
        run_child([*RIKG, "validate", "--store", str(store)], build_timeout), "national validate", (0, 1)
    )
    report = json.loads(store.with_name(store.name + ".quality.json").read_text(encoding="utf-8"))
    with open_store(str(store), read_only=True) as opened:
        triples = opened.count()
        measures = _count(opened, "rikg:Measure")
    return {
        "national_build_s": build["seconds"] + validate["seconds"],
        "national_build_only_s": build["seconds"],
        "national_build_cpu_s": build["cpu_seconds"] + validate["cpu_seconds"],
        "national_validate_s": validate["seconds"],
        "national_peak_rss_mb": max(build["peak_rss_mb"], validate["peak_rss_mb"]),
        "national_build_peak_rss_mb": build["peak_rss_mb"],
        "national_validate_peak_rss_mb": validate["peak_rss_mb"],
        "national_plans_built": len(report.get("plans", [])),
        "national_files_rejected": len(report.get("errors", [])),
        "national_triples": triples,
        "national_measures": measures,
        "national_validate_conforms": validate["returncode"] == 0,
    }


def _count(store: GraphStore, rdf_class: str) -> int:
    rows = store.query(
        "PREFIX rikg: <https://w3id.org/rikg/ontology#> "
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {rdf_class} }}"
    )
    term = rows.rows[0].get("n") if rows.rows else None
    return int(term.value) if term is not None else 0


def bench_load(store_path: Path, work: Path, repeat: int) -> dict[str, Any]:
    """Our atomic load (``replace_graphs`` of every graph, one call) against bare ``bulk_load``."""
    with open_store(str(store_path), read_only=True) as store:
        nquads = store.export("nq")
    graphs: dict[str, list[pyoxigraph.Triple]] = {}
    for quad in pyoxigraph.parse(nquads, pyoxigraph.RdfFormat.N_QUADS):
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    quads = sum(len(triples) for triples in graphs.values())
    ours, bulk = [], []
    for index in range(max(1, min(repeat, 3))):
        target = work / f"load-ours-{index}"
        with _stopwatch() as elapsed, open_store(str(target)) as fresh:
            fresh.replace_graphs(graphs)
        ours.append(elapsed[0])
        shutil.rmtree(target, ignore_errors=True)
        target = work / f"load-bulk-{index}"
        with _stopwatch() as elapsed:
            engine = pyoxigraph.Store(str(target))
            engine.bulk_load(nquads, pyoxigraph.RdfFormat.N_QUADS)
            engine.flush()
            del engine
        bulk.append(elapsed[0])
        shutil.rmtree(target, ignore_errors=True)
    ours_rate = quads / statistics.median(ours)
    bulk_rate = quads / statistics.median(bulk)
    return {
        "load_quads": quads,
        "load_ours_s": statistics.median(ours),
        "load_bulk_load_s": statistics.median(bulk),
        "load_ours_quads_per_s": ours_rate,
        "load_bulk_load_quads_per_s": bulk_rate,
        "load_vs_bulk_load": ours_rate / bulk_rate,
    }


def _trace_items(store: GraphStore, count: int) -> list[str]:
    rows = store.query(
        "PREFIX rikg: <https://w3id.org/rikg/ontology#> SELECT ?m WHERE { ?m a rikg:Measure } ORDER BY ?m"
    ).column("m")
    iris = [term.value for term in rows if isinstance(term, pyoxigraph.NamedNode)]
    step = max(1, len(iris) // count)
    return iris[::step][:count]


def bench_trace(store_path: Path, repeat: int, items: int) -> dict[str, Any]:
    """Median latency of ``trace`` over a spread of measures, and of one ``rikg trace`` process."""
    with open_store(str(store_path), read_only=True) as store:
        chosen = _trace_items(store, items)
        times = [_median_ms(lambda iri=iri: trace(store, iri), repeat) for iri in chosen]  # type: ignore[misc]
        steps = [len(trace(store, iri).steps) for iri in chosen]
    cli = run_child([*RIKG, "trace", chosen[0], "--store", str(store_path)])
    return {
        "trace_p50_ms": statistics.median(times),
        "trace_max_ms": max(times),
        "trace_items": len(chosen),
        "trace_mean_steps": statistics.mean(steps),
        "trace_cli_s": cli["seconds"],
    }


def catalogue_params(store_path: Path) -> dict[str, dict[str, str]]:
    """Parameter values per catalogue query: none (its defaults apply), except for a default node the
    store lacks: ``measure-chain``'s default Русе measure is not in a synthetic corpus, and its answer
    there would be empty, so the first measure of the trace sample aligned with a national goal (its
    chain reaches the EU objectives, as the default's does) stands in."""
    params: dict[str, dict[str, str]] = {}
    with open_store(str(store_path), read_only=True) as store:
        for query in list_queries():
            for parameter in query.parameters:
                if parameter.name != "measure" or parameter.default is None:
                    continue
                default = parameter.term(parameter.default)
                if not store.query("ASK { ?node ?p ?o }", {"node": default}).boolean:
                    params[query.name] = {parameter.name: _aligned_measure(store)}
    return params


def _aligned_measure(store: GraphStore) -> str:
    sample = _trace_items(store, 25)
    aligned = "PREFIX rikg: <https://w3id.org/rikg/ontology#> ASK { ?measure rikg:alignedWith ?goal }"
    for iri in sample:
        if store.query(aligned, {"measure": pyoxigraph.NamedNode(iri)}).boolean:
            return iri
    return sample[0]


def bench_catalogue(store_path: Path, repeat: int, params: dict[str, dict[str, str]]) -> dict[str, float]:
    """Median milliseconds of every catalogue query (``params``, else defaults) on the embedded store."""
    with open_store(str(store_path), read_only=True) as store:
        return _catalogue_ms(store, repeat, params)


def _catalogue_ms(store: GraphStore, repeat: int, params: dict[str, dict[str, str]]) -> dict[str, float]:
    timings = {}
    for query in list_queries():
        given = params.get(query.name)
        timings[query.name] = _median_ms(lambda q=query, g=given: q.run(store, g).rows, repeat)  # type: ignore[misc]
    return timings


# --- rdflib baseline: each query in a forked child, so that a slow one can be stopped -----------

_RDFLIB_DATASET: Any = None


def _rdflib_bindings(query: CatalogueQuery, params: dict[str, str] | None) -> dict[str, Any]:
    from rdflib import Literal, URIRef

    bindings: dict[str, Any] = {}
    for name, term in query.bindings(params).items():
        if isinstance(term, pyoxigraph.NamedNode):
            bindings[name] = URIRef(term.value)
        elif isinstance(term, pyoxigraph.Literal):
            datatype = term.datatype.value if term.language is None else None
            bindings[name] = Literal(term.value, lang=term.language, datatype=datatype)
    return bindings


def _rdflib_one(
    query: CatalogueQuery, params: dict[str, str] | None, repeat: int, cap_s: float, pipe: Any
) -> None:
    """In a forked child: one run, sent at once; then, when ``repeat`` more fit in half the cap,
    their median, as ours is taken (:func:`_median_ms`). The first run in a fresh fork also pays
    for rdflib loading its SPARQL engine (~0.2 s) and for copying the pages of the graph it touches."""
    bindings = _rdflib_bindings(query, params)

    def run() -> int:
        return len(list(_RDFLIB_DATASET.query(query.sparql, initBindings=bindings)))

    try:
        with _stopwatch() as first:
            rows = run()
    except Exception as error:  # rdflib cannot run every catalogue query: recorded, not timed
        pipe.send((None, f"{type(error).__name__}: {error}"))
        return
    pipe.send((first[0] * 1000, rows))
    if first[0] <= SLOW_RUN_S and first[0] * repeat <= cap_s / 2:
        pipe.send((_median_of_runs_ms(run, repeat), rows))


def _receive(receive: Any, timeout: float) -> tuple[float | None, Any] | None:
    """The child's next message: (ms, rows) or (None, why it failed); None when none came in ``timeout``."""
    if not receive.poll(timeout):
        return None
    try:
        message: tuple[float | None, Any] = receive.recv()
    except EOFError:
        return None, "rdflib's process ended without an answer"
    return message


def rdflib_cap(ours_ms: float, floor_s: float, ceiling_s: float) -> float:
    """Seconds rdflib may run one query: at least ``floor_s``, and long enough to tell whether
    rdflib is the target ratio slower than ours (with a 10% margin), up to ``ceiling_s``; a shorter
    cap would leave a slow query's ratio an undecided lower bound.

    >>> rdflib_cap(1500.0, 30.0, 600.0), rdflib_cap(4000.0, 30.0, 600.0), rdflib_cap(9e4, 30.0, 600.0)
    (30.0, 44.0, 600.0)
    """
    wanted = TARGETS["catalogue_speedup_vs_rdflib_min"][1] * 1.1 * ours_ms / 1000
    return min(max(floor_s, round(wanted, 3)), ceiling_s)


def bench_rdflib(
    store_path: Path, caps: dict[str, float], params: dict[str, dict[str, str]], repeat: int
) -> dict[str, Any]:
    """rdflib ``Dataset(default_union=True)`` loaded with the store's quads, each query run with the
    parameters ours ran with in a forked child, stopped after ``caps[name]`` seconds; a query that
    answers quickly is timed as ours is (the median of ``repeat`` runs after the first)."""
    global _RDFLIB_DATASET
    from rdflib import Dataset

    with open_store(str(store_path), read_only=True) as store:
        nquads = store.export("nq")
    with _stopwatch() as elapsed:
        _RDFLIB_DATASET = Dataset(default_union=True)
        _RDFLIB_DATASET.parse(data=nquads, format="nquads")
    context = multiprocessing.get_context("fork")
    timings: dict[str, float] = {}
    capped: list[str] = []
    failed: dict[str, str] = {}
    rows: dict[str, int] = {}
    once: list[str] = []
    for query in list_queries():
        receive, send = context.Pipe(duplex=False)
        timeout = caps[query.name]
        child = context.Process(
            target=_rdflib_one, args=(query, params.get(query.name), repeat, timeout, send)
        )
        child.start()
        send.close()  # the child's end only: its exit then ends the pipe
        first_ms, answer = _receive(receive, timeout) or (None, None)  # none: stopped at the cap
        if answer is None:
            timings[query.name] = timeout * 1000
            capped.append(query.name)
        elif first_ms is None:
            failed[query.name] = answer
        else:
            median_ms, _ = _receive(receive, timeout) or (None, None)  # none: too slow to repeat
            timings[query.name] = first_ms if median_ms is None else median_ms
            rows[query.name] = answer
            if median_ms is None:
                once.append(query.name)
        child.kill()
        child.join()
    _RDFLIB_DATASET = None
    gc.collect()  # rdflib's graph holds reference cycles: ~2 GB nationally, kept until a full collection
    return {
        "load_s": elapsed[0], "ms": timings, "once": once, "capped": capped, "failed": failed, "rows": rows
    }


def _ratios(ours: dict[str, float], rdflib: dict[str, Any]) -> dict[str, float]:
    """rdflib/ours per query; a query rdflib cannot run has no ratio; a capped one, a lower bound;
    none when rdflib was capped before our time (the bound says nothing: :func:`_undetermined`)."""
    undetermined = _undetermined(ours, rdflib)
    return {
        name: rdflib["ms"][name] / max(ours[name], 1e-3)
        for name in ours
        if name in rdflib["ms"] and name not in undetermined
    }


def _undetermined(ours: dict[str, float], rdflib: dict[str, Any]) -> list[str]:
    """Queries rdflib was stopped on before it had run as long as ours took: no ratio can be told."""
    return [name for name in rdflib["capped"] if ours.get(name, 0.0) >= rdflib["ms"][name]]


def bench_catalogue_in_memory(
    size: str, store_path: Path, repeat: int, params: dict[str, dict[str, str]], baseline: dict[str, Any]
) -> dict[str, Any]:
    """The catalogue on the store's in-memory copy (``open_store(..., in_memory=True)``), against the
    same rdflib runs: the time to open the copy, each query's median and its ratio."""
    with _stopwatch() as opened:
        copy = open_store(str(store_path), read_only=True, in_memory=True)
    with copy:
        ours = _catalogue_ms(copy, repeat, params)
    ratios = _ratios(ours, baseline)
    return {
        f"catalogue_{size}_memory_open_s": opened[0],
        f"catalogue_{size}_memory_ms": ours,
        f"catalogue_speedup_{size}_memory": ratios,
        f"catalogue_speedup_{size}_memory_undetermined": _undetermined(ours, baseline),
        f"catalogue_speedup_vs_rdflib_min_{size}_memory": min(ratios.values()),
    }


def bench_reason(store_path: Path, work: Path, timeout: float) -> dict[str, Any]:
    """``rikg reason`` on a copy of the national store (it writes the inferred graph)."""
    copy = work / "reason" / "store"
    shutil.copytree(store_path, copy)
    result = _checked(run_child([*RIKG, "reason", "--store", str(copy)], timeout), "rikg reason", (0, 1))
    hermit, inferred = None, None
    for line in result["stderr"].splitlines():
        if "HermiT" in line and " s," in line:
            hermit = float(line.split("HermiT", 1)[1].split("s,")[0])
        if found := re.search(r"; (\d+) inferred \(", line):
            inferred = int(found.group(1))
    shutil.rmtree(copy.parent, ignore_errors=True)
    return {
        "reason_s": result["seconds"],
        "reason_hermit_s": hermit if hermit is not None else result["seconds"],
        "reason_inferred_triples": inferred,
        "reason_timed_out": result["timed_out"],
        "reason_ok": result["returncode"] == 0 and not result["timed_out"],
        "reason_peak_rss_mb": result["peak_rss_mb"],
    }


_BUSIEST_INSTITUTION = """
PREFIX rikg: <https://w3id.org/rikg/ontology#>
SELECT ?institution (COUNT(DISTINCT ?item) AS ?items) WHERE { ?item rikg:responsibleInstitution ?institution }
GROUP BY ?institution ORDER BY DESC(?items) ?institution LIMIT 1
"""


def bench_explorer(store_path: Path, nodes: int, repeat: int) -> dict[str, Any]:
    """Build and render two explorer views with at most ``nodes`` nodes (median of ``repeat`` after a
    warm-up, as for the other latencies): the one the issue asks for, centred on the institution
    responsible for the most items (a national store's has far more than 1,000 nodes around it, so
    the view is full), and the default overview (the chain and one summary per plan when the store is
    larger than ``nodes``)."""
    try:
        from rikg.explorer.page import render_page
        from rikg.explorer.view import build_view
    except ImportError as error:
        _log(f"explorer not available ({error}); skipped")
        return {}
    results: dict[str, Any] = {}
    with open_store(str(store_path), read_only=True) as store:
        busiest = store.query(_BUSIEST_INSTITUTION).rows
        institution = busiest[0]["institution"] if busiest else None
        views = {"explorer": institution.value if institution else None, "explorer_overview": None}
        for prefix, centre in views.items():
            view_ms = _median_ms(lambda c=centre: build_view(store, institution=c, max_nodes=nodes), repeat)  # type: ignore[misc]
            view = build_view(store, institution=centre, max_nodes=nodes)
            render_ms = _median_ms(lambda v=view: render_page(v), repeat)  # type: ignore[misc]
            page = render_page(view)
            results.update({
                f"{prefix}_nodes": len(view.nodes),
                f"{prefix}_view_s": view_ms / 1000,
                f"{prefix}_render_s": render_ms / 1000,
                f"{prefix}_s": (view_ms + render_ms) / 1000,
                f"{prefix}_page_mb": len(page.encode("utf-8")) / 1e6,
            })
    results["explorer_focus"] = views["explorer"]
    return results


# --- the run ------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import rdflib

    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
        "platform": platform.platform(),
        "load_average_at_start": [round(load, 1) for load in os.getloadavg()],
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=265, help="plan files in the national corpus")
    parser.add_argument("--seed", type=int, default=1, help="corpus generator seed")
    parser.add_argument("--repeat", type=int, default=7, help="runs per latency (median)")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results.json")
    parser.add_argument("--tiny", action="store_true", help="toy size for CI: 3 plans, 1 repeat")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    parser.add_argument(
        "--rdflib-timeout", type=float, default=30.0, help="cap per rdflib query (s), raised for a slow query"
    )
    parser.add_argument(
        "--rdflib-max-timeout",
        type=float,
        default=600.0,
        help="highest cap per rdflib query (s); beyond a tenth of it, a query's ratio may stay undecided",
    )
    parser.add_argument("--reason-timeout", type=float, default=900.0, help="cap on rikg reason (s)")
    parser.add_argument("--explorer-nodes", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.tiny:
        args.plans, args.repeat, args.explorer_nodes, args.rdflib_timeout = 3, 1, 100, 5.0
        args.rdflib_max_timeout = 5.0
    return args


def _save(results: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=_finite), encoding="utf-8")


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Every measurement, in order; the results dictionary (saved to ``args.out`` after each phase,
    so that a long run shows its figures as it goes)."""
    results: dict[str, Any] = {"machine": machine(), "plans": args.plans, "seed": args.seed}
    results["repeat"] = args.repeat
    _log("bundled plans: rikg build")
    results.update(bench_bundled_build(work, args.repeat))
    bundled_store = Path(results.pop("bundled_store"))
    corpus, store = work / "corpus", work / "national" / "store"
    with _stopwatch() as elapsed:
        manifest = generate_corpus(corpus, args.plans, args.seed)
    results["corpus_generate_s"] = elapsed[0]
    results["corpus_mb"] = sum((corpus / item.file).stat().st_size for item in manifest) / 1e6
    _log(f"national corpus: {len(manifest)} files, {results['corpus_mb']:.1f} MB; rikg build + validate")
    results.update(bench_national_build(corpus, store, build_timeout=3600))
    _save(results, args.out)
    _log("load throughput")
    results.update(bench_load(store, work, args.repeat))
    _save(results, args.out)
    _log("trace latency")
    results.update(bench_trace(store, args.repeat, items=5 if args.tiny else 25))
    sizes = [("national", store)] if args.tiny else [("bundled", bundled_store), ("national", store)]
    for size, path in sizes:
        _log(f"catalogue on the {size} store: pyoxigraph, then rdflib")
        params = catalogue_params(path)
        ours = bench_catalogue(path, args.repeat, params)
        floor, ceiling = args.rdflib_timeout, args.rdflib_max_timeout
        caps = {name: rdflib_cap(ms, floor, ceiling) for name, ms in ours.items()}
        baseline = bench_rdflib(path, caps, params, args.repeat)
        ratios = _ratios(ours, baseline)
        results[f"catalogue_{size}_ms"] = ours
        results[f"catalogue_{size}_params"] = params
        results[f"rdflib_{size}_ms"] = baseline["ms"]
        results[f"rdflib_{size}_once"] = baseline["once"]
        results[f"rdflib_{size}_capped"] = baseline["capped"]
        results[f"rdflib_{size}_cap_s"] = caps
        results[f"catalogue_speedup_{size}_undetermined"] = _undetermined(ours, baseline)
        results[f"rdflib_{size}_failed"] = baseline["failed"]
        results[f"rdflib_{size}_load_s"] = baseline["load_s"]
        results[f"catalogue_speedup_{size}"] = ratios
        results[f"catalogue_speedup_vs_rdflib_min_{size}"] = min(ratios.values())
        results.update(bench_catalogue_in_memory(size, path, args.repeat, params, baseline))
        _save(results, args.out)
    results["catalogue_speedup_vs_rdflib_min"] = results["catalogue_speedup_vs_rdflib_min_national"]
    _save(results, args.out)
    _log("HermiT reasoning on the national store")
    results.update(bench_reason(store, work, args.reason_timeout))
    _save(results, args.out)
    _log("explorer page")
    results.update(bench_explorer(store, args.explorer_nodes, args.repeat))
    return results


def _verdict(name: str, value: float) -> str:
    if name not in TARGETS:
        return ""
    sign, bound = TARGETS[name]
    met = value <= bound if sign == "<=" else value >= bound
    return f"{sign} {bound:g}  {'met' if met else 'MISSED'}"


def table(results: dict[str, Any]) -> str:
    """The figures as a plain-text table (the scalar ones), targets marked met or missed."""
    rows = [("figure", "value", "target")]
    for name, value in results.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        shown = f"{value:,.3f}" if isinstance(value, float) and abs(value) < 100 else f"{value:,.0f}"
        rows.append((name, shown, _verdict(name, float(value))))
    for size in ("bundled", "national"):
        for name, ratio in results.get(f"catalogue_speedup_{size}", {}).items():
            ours = results[f"catalogue_{size}_ms"][name]
            capped = " (rdflib capped: at least)" if name in results[f"rdflib_{size}_capped"] else ""
            rows.append((f"  {size} {name}", f"{ours:.2f} ms", f"x{ratio:,.0f} vs rdflib{capped}"))
        for name in results.get(f"catalogue_speedup_{size}_undetermined", []):
            ours = results[f"catalogue_{size}_ms"][name]
            rows.append((f"  {size} {name}", f"{ours:.2f} ms", "no ratio: rdflib stopped at its cap first"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the table, write the JSON results."""
    args = parse_args(argv)
    started = time.perf_counter()
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
        results = run(args, args.work)
    else:
        with tempfile.TemporaryDirectory(prefix="rikg-bench-") as work:
            results = run(args, Path(work))
    results["bench_s"] = time.perf_counter() - started
    results["machine"]["load_average_at_end"] = [round(load, 1) for load in os.getloadavg()]
    print(table(results))
    _save(results, args.out)
    _log(f"results written to {args.out} ({results['bench_s']:.0f} s)")
    return 0


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
