"""Malformed plan files derived from the bundled plans, as hypothesis strategies, and the loader contract.

Every input is a plan (or a slice of one) put through one or more damaging mutations: truncation,
shuffled / dropped / duplicated lines, byte flips and insertions, huge cells, NUL bytes, HTML
debris, re-encoding (cp1251, UTF-16 LE/BE with and without BOM, UTF-8 with BOM, CRLF, CR), or one of
the degenerate files (empty, white space only, binary junk, HTML only, one 10 MB line).

:func:`check_loader_contract` states what the loader owes every such file: either records whose
table lines are all held by a record or an unparsed fragment, or a :class:`PlanError` whose text is
one line naming the file; never another exception.
"""

from __future__ import annotations

import codecs
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from rikg.errors import PlanError
from rikg.loaders.decode import read_plan_lines
from rikg.loaders.layout import detect_sections
from rikg.loaders.plan import load_plan
from rikg.loaders.records import PlanDocument, SourceSpan

PLANS_DIR = Path(__file__).parents[2] / "data" / "plans"
PLAN_TEXTS: dict[str, str] = {
    path.name: path.read_text(encoding="utf-8") for path in sorted(PLANS_DIR.glob("*.txt"))
}
PLAN_LINES: dict[str, list[str]] = {name: text.split("\n") for name, text in PLAN_TEXTS.items()}
_PRIORITY = re.compile(r"приоритет|цел\b|мярка|дейност", re.IGNORECASE)
# Lines where a slice is worth starting: the top of the file and every line naming a priority,
# goal, measure or activity (so that most slices hold the start of a table).
ANCHORS: dict[str, list[int]] = {
    name: [0] + [n for n, line in enumerate(lines) if _PRIORITY.search(line)]
    for name, lines in PLAN_LINES.items()
}

HUGE_CELL = 100_000
HUGE_LINE = 10 * 1024 * 1024


@dataclass(frozen=True)
class Malformed:
    """A damaged plan file: what it was made from and how, and its bytes."""

    origin: str
    steps: tuple[str, ...]
    data: bytes

    def describe(self) -> str:
        return f"{self.origin} | {' > '.join(self.steps)} | {len(self.data)} bytes"


# --- text mutations (on lines) ---------------------------------------------------------------------
TextMutation = Callable[[list[str], random.Random], list[str]]


def _truncate_lines(lines: list[str], rnd: random.Random) -> list[str]:
    text = "\n".join(lines)
    return text[: rnd.randint(0, len(text))].split("\n")


def _shuffle_lines(lines: list[str], rnd: random.Random) -> list[str]:
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    return shuffled


def _swap_blocks(lines: list[str], rnd: random.Random) -> list[str]:
    if len(lines) < 4:
        return lines[::-1]
    a, b = sorted(rnd.sample(range(len(lines)), 2))
    return lines[b:] + lines[a:b] + lines[:a]


def _drop_lines(lines: list[str], rnd: random.Random) -> list[str]:
    share = rnd.choice([0.05, 0.2, 0.5])
    return [line for line in lines if rnd.random() > share]


def _duplicate_lines(lines: list[str], rnd: random.Random) -> list[str]:
    result: list[str] = []
    for line in lines:
        result.append(line)
        if rnd.random() < 0.15:
            result.extend([line] * rnd.randint(1, 3))
    return result


def _huge_cell(lines: list[str], rnd: random.Random) -> list[str]:
    if not lines:
        return ["x" * HUGE_CELL]
    index = rnd.randrange(len(lines))
    filler = rnd.choice(["а", "1.", "1.1. ", " ", "\t", "-", "Брой ", "лв. ", "<br>", "а ", "(", "2024 "])
    cell = (filler * (HUGE_CELL // len(filler) + 1))[:HUGE_CELL]
    cells = lines[index].split("\t")
    cells.insert(rnd.randint(0, len(cells)), cell)
    return [*lines[:index], "\t".join(cells), *lines[index + 1 :]]


def _nul_bytes(lines: list[str], rnd: random.Random) -> list[str]:
    result = list(lines)
    for _ in range(rnd.randint(1, 5)):
        if not result:
            return ["\x00"]
        index = rnd.randrange(len(result))
        line = result[index]
        cut = rnd.randint(0, len(line))
        result[index] = line[:cut] + "\x00" * rnd.randint(1, 3) + line[cut:]
    return result


def _control_chars(lines: list[str], rnd: random.Random) -> list[str]:
    result = list(lines)
    for _ in range(rnd.randint(1, 8)):
        if not result:
            break
        index = rnd.randrange(len(result))
        line = result[index]
        cut = rnd.randint(0, len(line))
        result[index] = line[:cut] + chr(rnd.choice([1, 7, 8, 11, 12, 27, 127, 0x85, 0x2028])) + line[cut:]
    return result


def _html_debris(lines: list[str], rnd: random.Random) -> list[str]:
    tags = ["<br>", "<ol>", "<li>", "</li>", "</ol>", "<p>", "<td>", "<", ">", "&nbsp;", "<b", "</", "<!--"]
    result = list(lines)
    for _ in range(rnd.randint(1, 20)):
        if not result:
            break
        index = rnd.randrange(len(result))
        line = result[index]
        cut = rnd.randint(0, len(line))
        result[index] = line[:cut] + rnd.choice(tags) + line[cut:]
    return result


def _cell_separators(lines: list[str], rnd: random.Random) -> list[str]:
    """Tabs turned into pipes, semicolons or runs of spaces, or removed, on some lines."""
    separator = rnd.choice(["|", ";", "   ", "", "\t\t", ","])
    return [line.replace("\t", separator) if rnd.random() < 0.5 else line for line in lines]


def _long_numbering(lines: list[str], rnd: random.Random) -> list[str]:
    code = ".".join(str(rnd.randint(0, 99)) for _ in range(rnd.randint(5, 400))) + "."
    index = rnd.randrange(len(lines)) if lines else 0
    return [*lines[:index], f"{code} {rnd.choice(['Мярка', 'Дейност', ''])}", *lines[index:]]


def _blank_runs(lines: list[str], rnd: random.Random) -> list[str]:
    result: list[str] = []
    for line in lines:
        result.append(line)
        if rnd.random() < 0.2:
            result.extend([rnd.choice(["", " ", "\t", "\t\t\t"])] * rnd.randint(1, 30))
    return result


TEXT_MUTATIONS: dict[str, TextMutation] = {
    "truncate": _truncate_lines,
    "shuffle": _shuffle_lines,
    "swap-blocks": _swap_blocks,
    "drop-lines": _drop_lines,
    "duplicate-lines": _duplicate_lines,
    "huge-cell": _huge_cell,
    "nul-bytes": _nul_bytes,
    "control-chars": _control_chars,
    "html-debris": _html_debris,
    "separators": _cell_separators,
    "long-numbering": _long_numbering,
    "blank-runs": _blank_runs,
}


# --- encodings --------------------------------------------------------------------------------------
def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8", errors="surrogatepass")
    if encoding == "utf-16-le-bom":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le", errors="surrogatepass")
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be", errors="surrogatepass")
    if encoding == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    if encoding == "cr":
        return text.replace("\n", "\r").encode("utf-8")
    if encoding == "cp1251-crlf":
        return text.replace("\n", "\r\n").encode("cp1251", errors="replace")
    return text.encode(encoding, errors="replace")


ENCODINGS = (
    "utf-8",
    "utf-8-bom",
    "cp1251",
    "cp1251-crlf",
    "utf-16-le",
    "utf-16-be",
    "utf-16-le-bom",
    "utf-16-be-bom",
    "crlf",
    "cr",
    "koi8-r",
    "utf-32",
)


# --- byte mutations ---------------------------------------------------------------------------------
ByteMutation = Callable[[bytes, random.Random], bytes]


def _flip_bytes(data: bytes, rnd: random.Random) -> bytes:
    buffer = bytearray(data)
    for _ in range(rnd.randint(1, max(1, len(buffer) // 200))):
        if not buffer:
            break
        index = rnd.randrange(len(buffer))
        buffer[index] ^= 1 << rnd.randrange(8)
    return bytes(buffer)


def _insert_bytes(data: bytes, rnd: random.Random) -> bytes:
    buffer = bytearray(data)
    for _ in range(rnd.randint(1, 10)):
        index = rnd.randint(0, len(buffer))
        buffer[index:index] = rnd.randbytes(rnd.randint(1, 16))
    return bytes(buffer)


def _delete_bytes(data: bytes, rnd: random.Random) -> bytes:
    buffer = bytearray(data)
    for _ in range(rnd.randint(1, 10)):
        if not buffer:
            break
        index = rnd.randrange(len(buffer))
        del buffer[index : index + rnd.randint(1, 8)]
    return bytes(buffer)


def _truncate_bytes(data: bytes, rnd: random.Random) -> bytes:
    """A cut at any byte: inside a UTF-8 sequence, between the two bytes of a UTF-16 unit."""
    return data[: rnd.randint(0, len(data))]


def _junk_tail(data: bytes, rnd: random.Random) -> bytes:
    return data + rnd.randbytes(rnd.randint(1, 4096))


def _junk_head(data: bytes, rnd: random.Random) -> bytes:
    return rnd.randbytes(rnd.randint(1, 64)) + data


BYTE_MUTATIONS: dict[str, ByteMutation] = {
    "flip-bytes": _flip_bytes,
    "insert-bytes": _insert_bytes,
    "delete-bytes": _delete_bytes,
    "truncate-bytes": _truncate_bytes,
    "junk-tail": _junk_tail,
    "junk-head": _junk_head,
}


# --- degenerate files -------------------------------------------------------------------------------
def _degenerate(kind: str, rnd: random.Random, huge: int = HUGE_LINE) -> bytes:
    plan = rnd.choice(sorted(PLAN_TEXTS))
    if kind == "empty":
        return b""
    if kind == "whitespace":
        return "".join(rnd.choice([" ", "\t", "\n", "\r\n", "\u00a0", "\u3000"]) for _ in range(200)).encode()
    if kind == "binary":
        return rnd.randbytes(rnd.randint(1, 8192))
    if kind == "html":
        return (
            b"<!DOCTYPE html><html><head><title>\xd0\x9f\xd0\xbb\xd0\xb0\xd0\xbd</title></head>"
            b"<body><table><tr><td>\xd0\x9c\xd1\x8f\xd1\x80\xd0\xba\xd0\xb0</td></tr></table></body></html>\n"
        ) * rnd.randint(1, 50)
    if kind == "mixed":
        text = PLAN_TEXTS[plan]
        cut = rnd.randint(0, len(text))
        return (
            text[:cut].encode("utf-8")
            + rnd.randbytes(512)
            + text[cut:].encode("utf-16-le")
            + text[:cut].encode("cp1251", errors="replace")
        )
    if kind == "huge-line":
        line = PLAN_TEXTS[plan].replace("\n", " ")
        return (line * (huge // len(line.encode()) + 1)).encode()[:huge].rsplit(b" ", 1)[0]
    if kind == "huge-tab-line":
        row = "\t".join(PLAN_LINES[plan][rnd.choice(ANCHORS[plan])].split()) + "\t"
        return (row * (huge // len(row.encode()) + 1)).encode()[:huge].rsplit(b"\t", 1)[0]
    if kind == "huge-row":
        lines = list(PLAN_LINES[plan])
        rows = [n for n, line in enumerate(lines) if line.count("\t") >= 2 and line[:1].isdigit()]
        index = rnd.choice(rows) if rows else len(lines) // 2
        words = lines[index].replace("\t", " ") + " "
        lines[index] += "\t" + (words * (huge // len(words.encode()) + 1))[: huge // 2]
        return "\n".join(lines).encode()
    raise ValueError(kind)


DEGENERATE = ("empty", "whitespace", "binary", "html", "mixed")
HUGE = ("huge-line", "huge-tab-line", "huge-row")


# --- strategies -------------------------------------------------------------------------------------
@st.composite
def plan_slices(draw: st.DrawFn, max_lines: int = 60) -> tuple[str, list[str]]:
    """A run of consecutive lines of a bundled plan, mostly starting at a priority/goal/measure line."""
    name = draw(st.sampled_from(sorted(PLAN_LINES)))
    lines = PLAN_LINES[name]
    if draw(st.integers(0, 9)) == 0:
        start = draw(st.integers(0, len(lines) - 1))
    else:
        start = draw(st.sampled_from(ANCHORS[name]))
    length = draw(st.integers(1, max_lines))
    return f"{name}[{start + 1}:{start + length}]", lines[start : start + length]


def _mutate(
    origin: str,
    lines: list[str],
    text_steps: Iterable[str],
    encoding: str,
    byte_steps: Iterable[str],
    seed: int,
) -> Malformed:
    rnd = random.Random(seed)
    steps: list[str] = []
    for step in text_steps:
        lines = TEXT_MUTATIONS[step](lines, rnd)
        steps.append(step)
    data = _encode("\n".join(lines), encoding)
    steps.append(encoding)
    for step in byte_steps:
        data = BYTE_MUTATIONS[step](data, rnd)
        steps.append(step)
    return Malformed(origin, tuple(steps), data)


@st.composite
def malformed_plans(
    draw: st.DrawFn, max_lines: int = 60, exclude: tuple[str, ...] = (), only: tuple[str, ...] = ()
) -> Malformed:
    """A slice of a plan (or a whole plan, one time in twenty) with at least one damaging mutation.

    ``exclude`` leaves text mutations out; ``only`` applies just those (one of them, always).
    """
    if draw(st.integers(0, 19)) == 0:
        name = draw(st.sampled_from(sorted(PLAN_LINES)))
        origin, lines = name, PLAN_LINES[name]
    else:
        origin, lines = draw(plan_slices(max_lines))
    names = sorted(only or set(TEXT_MUTATIONS) - set(exclude))
    text_steps = draw(st.lists(st.sampled_from(names), min_size=1 if only else 0, max_size=1 if only else 3))
    encoding = draw(st.sampled_from(ENCODINGS))
    byte_steps = draw(
        st.lists(st.sampled_from(sorted(BYTE_MUTATIONS)), min_size=0 if text_steps else 1, max_size=2)
    )
    seed = draw(st.integers(0, 2**32 - 1))
    return _mutate(origin, lines, text_steps, encoding, byte_steps, seed)


@st.composite
def degenerate_files(draw: st.DrawFn) -> Malformed:
    """An empty, white-space-only, binary, HTML-only or mixed-encoding file."""
    kind = draw(st.sampled_from(DEGENERATE))
    seed = draw(st.integers(0, 2**32 - 1))
    return Malformed(kind, (kind,), _degenerate(kind, random.Random(seed)))


def huge_file(kind: str, seed: int = 0, size: int | None = None) -> Malformed:
    """A file with one huge line (10 MB unless ``size`` says): a plan's text joined with spaces
    ("huge-line"), one tab row repeated ("huge-tab-line"), or a plan with one row holding a cell
    of half that size ("huge-row")."""
    return Malformed(kind, (kind,), _degenerate(kind, random.Random(seed), size or HUGE_LINE))


# --- the contract -----------------------------------------------------------------------------------
def _record_spans(plan: PlanDocument) -> Iterable[SourceSpan]:
    for priority in plan.priorities:
        yield priority.span
        for objective in priority.objectives:
            yield objective.span
            for measure in objective.measures:
                yield measure.span
                for activity in measure.activities:
                    yield activity.span


def check_loader_contract(path: Path) -> PlanDocument | PlanError:
    """Load ``path`` and assert the loader's contract; return the plan or the error it raised.

    * Failure: a :class:`PlanError` naming the file, whose text is one line. Any other exception
      propagates and fails the caller.
    * Success: the table lines (recomputed here from the decoded file, not taken from the plan) are
      the plan's ``table_lines``; each is inside a record's span or an unparsed fragment; every span
      lies within the file and quotes it exactly; lines the structure missed ("not placed"
      fragments) are announced in ``warnings``.
    """
    try:
        plan = load_plan(path)
    except PlanError as error:
        message = str(error)
        assert error.file == path.name, message
        assert message.startswith(f"{path.name}: "), message
        assert error.reason.strip(), message
        assert "\n" not in message and "\r" not in message, repr(message)
        assert not any(ch in message for ch in "\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), repr(message)
        return error
    lines = read_plan_lines(path).lines
    table_lines = {
        n
        for section in detect_sections(lines)
        for region in section.regions
        for n in range(region.start, region.end + 1)
        if lines[n - 1].strip()
    }
    assert table_lines, "a plan loaded without any table line"
    assert set(plan.table_lines) == table_lines
    assert plan.measures(), "a plan loaded without a measure"
    held: set[int] = set()
    spans = [*_record_spans(plan), *(fragment.span for fragment in plan.unparsed)]
    for span in spans:
        if span.line_start == 0:  # a priority named by no line of the file (a table's default)
            assert span.line_end == 0 and span.text == ""
            continue
        assert span.file == path.name
        assert 1 <= span.line_start <= span.line_end <= len(lines), span
        assert span.text == "\n".join(lines[span.line_start - 1 : span.line_end]), span
        held.update(range(span.line_start, span.line_end + 1))
    lost = table_lines - held
    assert not lost, f"table lines in no record and no unparsed fragment: {sorted(lost)[:20]}"
    unplaced = [f for f in plan.unparsed if f.reason == "not placed"]
    if unplaced:
        assert any("not placed" in warning for warning in plan.warnings), plan.warnings
    return plan


def random_malformed(rnd: random.Random, max_lines: int = 60) -> Malformed:
    """The same kinds of input as :func:`malformed_plans` and :func:`degenerate_files`, drawn from
    ``rnd`` (for long runs outside hypothesis, which stop at the first failure)."""
    if rnd.random() < 0.05:
        kind = rnd.choice(DEGENERATE)
        return Malformed(kind, (kind,), _degenerate(kind, rnd))
    name = rnd.choice(sorted(PLAN_LINES))
    lines = PLAN_LINES[name]
    if rnd.random() < 0.1:
        origin = name
    else:
        start = rnd.randrange(len(lines)) if rnd.random() < 0.1 else rnd.choice(ANCHORS[name])
        length = rnd.randint(1, max_lines)
        origin, lines = f"{name}[{start + 1}:{start + length}]", lines[start : start + length]
    text_steps = rnd.sample(sorted(TEXT_MUTATIONS), rnd.randint(0, 3))
    byte_steps = rnd.sample(sorted(BYTE_MUTATIONS), rnd.randint(0 if text_steps else 1, 2))
    return _mutate(origin, lines, text_steps, rnd.choice(ENCODINGS), byte_steps, rnd.getrandbits(32))
