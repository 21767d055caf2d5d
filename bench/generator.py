"""A synthetic national corpus of municipal plan files, derived from the bundled plans.

Every generated file is built from the real text of the bundled plans (``data/plans/*.txt``): the
preamble and closing text of one bundled plan (its *layout*), and a sequence of its priority
sections (heading, goal lines and action table, exactly as exported), sometimes mixed with
sections of the other bundled plans. The municipality (and its oblast) is renamed after a
territory of ``ontology/reference/territories.ttl`` and the plan period is shifted, so every file
has its own plan slug. Sizes vary (3 to 18 priority sections: a repeated section is a second table
for the same priority, as real plans have), and some files carry the damage real exports carry:
Windows-1251 or UTF-16 encoding, a byte-order mark, CRLF line endings, page headers inside a
table, Latin look-alike letters, a file cut off inside its last table, and a few unreadable files
(empty or binary), which the build reports and skips.

The same ``--seed`` gives byte-identical files. A ``manifest.json`` beside them says what each
file was made from.

Usage: ``python bench/generator.py --plans 265 --seed 1 --out bench/corpus``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph

from rikg.config import bundled_plans_dir, project_root
from rikg.loaders.decode import read_plan_lines
from rikg.loaders.layout import detect_sections
from rikg.loaders.plan import load_plan

__all__ = ["GeneratedPlan", "Template", "generate_corpus", "main", "municipality_names", "read_templates"]

_SKOS_LABEL = pyoxigraph.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RIKG = "https://w3id.org/rikg/ontology#"
# Plan periods seen in real plans (start year, length in years).
_PERIODS = [(start, length) for length in (2, 3, 4, 6) for start in range(2014, 2027)]
# Damage kinds and their weights (out of 100); "none" is a clean export.
_DAMAGE_WEIGHTS = {
    "none": 52,
    "crlf": 10,
    "cp1251": 10,
    "utf8-bom": 5,
    "utf16": 3,
    "page-headers": 8,
    "homoglyphs": 6,
    "truncated": 5,
    "unreadable": 1,
}
_LATIN_LOOKALIKES = str.maketrans("аеорсхАЕОРСХ", "aeopcxAEOPCX")


@dataclass(frozen=True)
class Template:
    """One bundled plan cut into parts: text before the first section, the sections, text after."""

    file: str
    municipality: str
    start_year: int
    end_year: int
    preamble: list[str]
    sections: list[list[str]]
    closing: list[str]


@dataclass(frozen=True)
class GeneratedPlan:
    """What one generated file was made from."""

    file: str
    layout: str
    municipality: str
    start_year: int
    end_year: int
    sections: int
    mixed_layouts: bool
    damage: str


def read_templates(plans_dir: Path | None = None) -> list[Template]:
    """Cut every bundled plan into preamble, priority sections and closing text."""
    templates = []
    for path in sorted((plans_dir or bundled_plans_dir()).glob("*.txt")):
        lines = read_plan_lines(path).lines
        plan = load_plan(path)
        sections = detect_sections(lines)
        starts = [section.heading_line or section.regions[0].start for section in sections]
        last_end = sections[-1].regions[-1].end
        bodies = [
            lines[start - 1 : (starts[index + 1] - 1 if index + 1 < len(starts) else last_end)]
            for index, start in enumerate(starts)
        ]
        assert plan.municipality and plan.start_year and plan.end_year, path
        templates.append(
            Template(
                file=path.name,
                municipality=plan.municipality,
                start_year=plan.start_year,
                end_year=plan.end_year,
                preamble=lines[: starts[0] - 1],
                sections=bodies,
                closing=lines[last_end:],
            )
        )
    return templates


def municipality_names() -> list[str]:
    """Names for generated plans: the oblasts (each has a municipality of the same name) and the
    municipalities of ``territories.ttl``, without the two Sofia oblasts (their names carry a
    parenthesis no plan writes)."""
    data = (project_root() / "ontology" / "reference" / "territories.ttl").read_bytes()
    quads = list(pyoxigraph.parse(data, pyoxigraph.RdfFormat.TURTLE, base_iri="https://w3id.org/rikg/id/"))
    kinds = {
        quad.subject: quad.object.value
        for quad in quads
        if quad.predicate == _TYPE and isinstance(quad.object, pyoxigraph.NamedNode)
    }
    names: set[str] = set()
    for quad in quads:
        kind = kinds.get(quad.subject, "")
        if quad.predicate != _SKOS_LABEL or kind not in {f"{_RIKG}Region", f"{_RIKG}Municipality"}:
            continue
        name = str(quad.object.value).removeprefix("Община ").strip()
        if "(" not in name:
            names.add(name)
    return sorted(names)


def _rename(text: str, template: Template, name: str, start: int, end: int) -> str:
    old = template.municipality
    text = text.replace(old.upper(), name.upper()).replace(old, name)
    separator = r"(\s*(?:г\.?\s*)?[-–—/]\s*)"
    return re.sub(rf"{template.start_year}{separator}{template.end_year}", rf"{start}\g<1>{end}", text)


def _pick_sections(
    rng: random.Random, templates: Sequence[Template], own: Template, name: str, period: tuple[int, int]
) -> tuple[list[str], int, bool]:
    """3 to 18 sections in priority order, mostly from the file's own layout, renamed."""
    roll = rng.random()
    count = rng.randint(3, 5) if roll < 0.3 else 6 if roll < 0.7 else rng.randint(9, 18)
    offset = rng.randrange(len(own.sections)) if count < len(own.sections) else 0
    mixed = rng.random() < 0.15
    lines: list[str] = []
    for index in range(count):
        source = rng.choice(templates) if mixed and rng.random() < 0.4 else own
        section = source.sections[(offset + index) % len(source.sections)]
        lines += [""] + [_rename(line, source, name, *period) for line in section]
    return lines, count, mixed


def _page_headers(rng: random.Random, lines: list[str], name: str) -> list[str]:
    out: list[str] = []
    page = 1
    for line in lines:
        out.append(line)
        if line.strip() and rng.random() < 0.02:
            page += 1
            out += ["", f"План за действие на Община {name}", f"Стр. {page}", ""]
    return out


def _homoglyphs(rng: random.Random, lines: list[str]) -> list[str]:
    def damage(match: re.Match[str]) -> str:
        word = match.group(0)
        return word.translate(_LATIN_LOOKALIKES) if rng.random() < 0.01 else word

    return [re.sub(r"\w{4,}", damage, line) for line in lines]


def _encode(rng: random.Random, text: str, damage: str) -> bytes:
    if damage == "unreadable":
        return b"" if rng.random() < 0.5 else bytes(rng.randrange(256) for _ in range(4096))
    if damage == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    if damage == "cp1251":
        return text.encode("cp1251", errors="replace")
    if damage == "utf8-bom":
        return text.encode("utf-8-sig")
    if damage == "utf16":
        return text.encode("utf-16")
    return text.encode("utf-8")


def _one_plan(
    rng: random.Random, templates: Sequence[Template], name: str, period: tuple[int, int]
) -> tuple[bytes, GeneratedPlan]:
    own = rng.choice(templates)
    start, end = period[0], period[0] + period[1]
    body, sections, mixed = _pick_sections(rng, templates, own, name, (start, end))
    lines = [_rename(line, own, name, start, end) for line in own.preamble] + body
    damage = rng.choices(list(_DAMAGE_WEIGHTS), weights=list(_DAMAGE_WEIGHTS.values()))[0]
    if damage == "truncated":
        cut = rng.randrange(len(lines) - len(body) // 4, len(lines))
        lines = lines[:cut]
    else:
        lines += [_rename(line, own, name, start, end) for line in own.closing]
    if damage == "page-headers":
        lines = _page_headers(rng, lines, name)
    if damage == "homoglyphs":
        lines = _homoglyphs(rng, lines)
    data = _encode(rng, "\n".join(lines) + "\n", damage)
    info = GeneratedPlan("", own.file, name, start, end, sections, mixed, damage)
    return data, info


def generate_corpus(out_dir: Path, plans: int, seed: int) -> list[GeneratedPlan]:
    """Write ``plans`` plan files (and ``manifest.json``) into ``out_dir``; the same seed, the same bytes."""
    rng = random.Random(seed)
    templates = read_templates()
    names = municipality_names()
    pairs = [(name, period) for period in _PERIODS for name in names]
    if plans > len(pairs):
        limit = f"{len(pairs)} distinct plans ({len(names)} names x {len(_PERIODS)} periods)"
        raise ValueError(f"at most {limit}")
    chosen = rng.sample(pairs, plans)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.txt"):
        old.unlink()
    manifest: list[GeneratedPlan] = []
    for index, (name, period) in enumerate(chosen):
        data, info = _one_plan(rng, templates, name, period)
        file = f"{index:03d}_{hashlib.sha1(data).hexdigest()[:16]}.txt"
        (out_dir / file).write_bytes(data)
        manifest.append(GeneratedPlan(file, *list(asdict(info).values())[1:]))
    (out_dir / "manifest.json").write_text(
        json.dumps([asdict(item) for item in manifest], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``--plans N --seed S --out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=265)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=project_root() / "bench" / "corpus")
    args = parser.parse_args(argv)
    manifest = generate_corpus(args.out, args.plans, args.seed)
    size = sum((args.out / item.file).stat().st_size for item in manifest)
    print(f"{len(manifest)} plan files ({size / 1e6:.1f} MB) in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
