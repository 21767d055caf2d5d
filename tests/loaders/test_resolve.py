"""Entity resolution of responsibility and funding cells against the registry.

Table-driven cases are cells of the four bundled plans and the hand-checked rows; the property test
checks that no word of a cell is lost: each one ends up in an entity's raw text or names an entity
returned.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rikg.loaders.records import EntityRef
from rikg.loaders.resolve import _clean, resolve_funding, resolve_institutions
from rikg.ontology.registry import get_registry, normalise_name
from rikg.slugs import slugify

EXAMPLES = Path(__file__).parent / "examples" / "extraction-rows.jsonl"  # copy of the hand-checked rows
PLANS = Path(__file__).parents[2] / "data" / "plans"


def keys(refs: list[EntityRef]) -> list[str]:
    return [ref.key for ref in refs]


# -- institutions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "municipality", "expected"),
    [
        (
            'РУО, Община Благоевград, Д"СП" Бюро по труда',
            "Благоевград",
            ["ruo", "municipality-blagoevgrad", "dsp", "dbt"],
        ),
        ("РУО,Община Благоевград, Училища;", "Благоевград", ["ruo", "municipality-blagoevgrad", "schools"]),
        (
            "Община Кюстендил РУО Училища Детски градини",
            "Кюстендил",
            ["municipality-kyustendil", "ruo", "schools", "kindergartens"],
        ),
        (
            "РЗИ здравни медиатори Община Кюстендил НПО",
            "Кюстендил",
            ["rzi", "health-mediators", "municipality-kyustendil", "ngos"],
        ),
        (
            "<p>ДСП, ОЗД Община Кюстендил РЗИ РУО</p>",
            "Кюстендил",
            ["dsp", "ozd", "municipality-kyustendil", "rzi", "ruo"],
        ),
        (
            "ДСП/ОЗД социални услуги Община Кюстендил",
            "Кюстендил",
            ["dsp", "ozd", "social-services", "municipality-kyustendil"],
        ),
        (
            "Съд Прокуратура Община Кюстендил НПО",
            "Кюстендил",
            ["courts", "prosecution", "municipality-kyustendil", "ngos"],
        ),
        ("Община Пловдив, РУО на МОН", "Пловдив", ["municipality-plovdiv", "ruo"]),
        (
            "РУО към МОН, Община Пловдив, НПО, Училищните настоятелства",
            "Пловдив",
            ["ruo", "municipality-plovdiv", "ngos", "school-boards"],
        ),
        (
            "Община Пловдив, РУО МОН, НПО, Училищните настоятелств а",
            "Пловдив",
            ["municipality-plovdiv", "ruo", "ngos", "school-boards"],
        ),
        (
            "Личните лекари и здравните медиатори, Община Пловдив",
            "Пловдив",
            ["general-practitioners", "health-mediators", "municipality-plovdiv"],
        ),
        (
            "Община Пловдив, Агенция по заостота, Проекти",
            "Пловдив",
            ["municipality-plovdiv", "az", "unresolved/proekti"],
        ),
        (
            "МТСП, АЗ/ДБТ-Русе, АСП/ДСП-Русе, община Русе и НПО с опит.",
            "Русе",
            ["mtsp", "az", "dbt-ruse", "asp", "dsp-ruse", "municipality-ruse", "ngos"],
        ),
        ("МЗ, РЗИ и община Русе НПО", "Русе", ["mz", "rzi", "municipality-ruse", "ngos"]),
        ("Бюро по труда в сътрудничество с общината", "Благоевград", ["dbt", "municipality-blagoevgrad"]),
        (
            "МТСП/ АСП, здравни медиатори, община",
            "Благоевград",
            ["mtsp", "asp", "health-mediators", "municipality-blagoevgrad"],
        ),
        (
            "Община Благоевград; РЗИ Благоевград; НПО; Лични лекари; Здравен медиатор",
            "Благоевград",
            [
                "municipality-blagoevgrad",
                "rzi-blagoevgrad",
                "ngos",
                "general-practitioners",
                "health-mediators",
            ],
        ),
        ("Министерство на спорта", None, ["mms"]),
        ("Регионално управление на образование то", None, ["ruo"]),
        ("РЗИ, здравни медикатори", None, ["rzi", "health-mediators"]),
        ("КОЦ-Русе ЕЕОД", "Русе", ["kots-ruse"]),
        ("ГДНП- МВР", "Русе", ["gdnp"]),
        (
            "Община Благоевград; Общински ДГ; Общински училища; ЦПТРДБ",
            "Благоевград",
            ["municipality-blagoevgrad", "kindergartens", "schools", "unresolved/tsptrdb"],
        ),
    ],
)
def test_institution_cells_of_the_plans(cell: str, municipality: str | None, expected: list[str]) -> None:
    assert keys(resolve_institutions(cell, municipality)) == [f"institution/{slug}" for slug in expected]


@pytest.mark.parametrize(
    ("cell", "key", "label", "parent"),
    [
        ("РУО-Русе", "institution/ruo-ruse", "РУО – Русе", "institution/ruo"),
        ("Руо-Русе", "institution/ruo-ruse", "РУО – Русе", "institution/ruo"),
        ("РУО – Благоевград", "institution/ruo-blagoevgrad", "РУО – Благоевград", "institution/ruo"),
        ("РЗИ Благоевград", "institution/rzi-blagoevgrad", "РЗИ – Благоевград", "institution/rzi"),
        ("ОДМВР - Кюстендил", "institution/odmvr-kyustendil", "ОДМВР – Кюстендил", "institution/odmvr"),
        ("ОД МВР-Русе", "institution/odmvr-ruse", "ОДМВР – Русе", "institution/odmvr"),
        ("КЗД Благоевград", "institution/kzd-blagoevgrad", "КЗД – Благоевград", "institution/kzd"),
        ("КЗД-структура Русе", "institution/kzd-ruse", "КЗД – Русе", "institution/kzd"),
        ("РЦППО-Кюстендил", "institution/rtspppo-kyustendil", "РЦПППО – Кюстендил", "institution/rtspppo"),
        (
            "РЗИ гр. Велико Търново",
            "institution/rzi-veliko-tarnovo",
            "РЗИ – Велико Търново",
            "institution/rzi",
        ),
        (
            "Дирекция „Социално подпомагане“ Благоевград",
            "institution/dsp-blagoevgrad",
            "ДСП – Благоевград",
            "institution/dsp",
        ),
    ],
)
def test_regional_units_are_made_from_parent_and_town(cell: str, key: str, label: str, parent: str) -> None:
    (unit,) = resolve_institutions(cell)
    assert (unit.raw, unit.label, unit.key, unit.resolved, unit.parent_key) == (
        cell,
        label,
        key,
        True,
        parent,
    )


def test_ministries_with_sub_bodies_get_no_town_unit() -> None:
    (ministry,) = resolve_institutions("МОН Русе")
    assert (ministry.key, ministry.raw, ministry.parent_key) == ("institution/mon", "МОН Русе", None)


def test_municipality_word_means_the_plans_municipality() -> None:
    (ref,) = resolve_institutions("община", "Русе")
    assert (ref.raw, ref.label, ref.key, ref.resolved) == (
        "община",
        "Община Русе",
        "institution/municipality-ruse",
        True,
    )
    assert keys(resolve_institutions("Общината и НПО", "Пловдив")) == [
        "institution/municipality-plovdiv",
        "institution/ngos",
    ]


def test_municipality_word_without_a_plan_municipality_is_kept_unresolved() -> None:
    (ref,) = resolve_institutions("община")
    assert not ref.resolved and ref.key == "institution/unresolved/obshtina"


def test_municipality_of_any_town_is_made_on_the_fly() -> None:
    (ref,) = resolve_institutions("Община Шумен")
    assert (ref.label, ref.key, ref.resolved) == ("Община Шумен", "institution/municipality-shumen", True)


def test_unknown_names_are_kept_unresolved_in_order() -> None:
    refs = resolve_institutions(
        "Община Пловдив и Джамийското настоятелство в Пловдив, Фирма Х, НПО", "Пловдив"
    )
    assert [(ref.label, ref.resolved) for ref in refs] == [
        ("Община Пловдив", True),
        ("Религиозни настоятелства", True),
        ("Фирма Х", False),
        ("НПО", True),
    ]
    assert refs[2].key == f"institution/unresolved/{slugify('Фирма Х')}"


def test_qualifying_words_join_the_entity_they_follow() -> None:
    (dbt, municipality) = resolve_institutions("Бюро по труда в сътрудничество с общината", "Благоевград")
    assert (dbt.raw, municipality.raw) == ("Бюро по труда", "общината")
    (mediators,) = resolve_institutions("Здравни медиатори към общинската администрация")
    assert mediators.raw == "Здравни медиатори към общинската администрация"


@pytest.mark.parametrize("cell", ["", "  ", "-", "–", ";", "и", "в сътрудничество с", "<p></p>", "1."])
def test_noise_gives_nothing(cell: str) -> None:
    assert resolve_institutions(cell) == []
    assert resolve_funding(cell) == []


def test_duplicates_are_dropped_keeping_the_first_mention() -> None:
    refs = resolve_institutions("Училища, НПО, училищата, Неправителствени организации")
    assert [(ref.raw, ref.key) for ref in refs] == [
        ("Училища", "institution/schools"),
        ("НПО", "institution/ngos"),
    ]


def test_hand_checked_rows() -> None:
    registry = get_registry()
    rows = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 6
    for row in rows:
        refs = resolve_institutions(row["institutions_raw"], row["municipality"])
        expected = [registry.lookup(name, "institution") for name in row["institutions"]]
        assert None not in expected, row["institutions"]
        assert [ref.parent_key or ref.key for ref in refs] == expected, row["institutions_raw"]


# -- funding ------------------------------------------------------------------------------------------


def _funding_key(name: str) -> str:
    registry = get_registry()
    key = registry.lookup(name, "funding")
    if key is not None:
        return key
    institution = registry.lookup(name, "institution")
    assert institution is not None, name
    return f"funding/{institution.removeprefix('institution/')}-budget"


def test_hand_checked_funding_rows() -> None:
    rows = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        found = keys(resolve_funding(row["funding_raw"]))
        expected = [_funding_key(name) for name in row["funding"]]
        # the rows list the sources an analyst needs; projects a plan names beside them may follow
        assert [key for key in found if key in expected] == expected, row["funding_raw"]
        assert all(key.startswith(("funding/", "programme/")) for key in found)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Общински бюджет; Външно финансиране /НПВУ/", ["funding/municipal-budget", "programme/npvu"]),
        ("Община Благоевград; Външно финансиране", ["funding/municipal-budget", "funding/external-funding"]),
        (
            "В рамките на утвърдените бюджети и/или проекти",
            ["funding/within-approved-budgets", "funding/projects"],
        ),
        (
            "В рамките на утвърдения бюджет и/или проектно финансиране",
            ["funding/within-approved-budgets", "funding/projects"],
        ),
        (
            "Републиканск и бюджет, МОН, Проекти",
            ["funding/state-budget", "funding/mon-budget", "funding/projects"],
        ),
        (
            "Община Пловдив АСП; МОН Проекти",
            ["funding/municipal-budget", "funding/asp-budget", "funding/mon-budget", "funding/projects"],
        ),
        ("Държавен бюджет и ПРЧР 2021-2027", ["funding/state-budget", "programme/prchr-2021-2027"]),
        (
            "Държавен, общински бюджет и ИРЧР 2021-2027",
            ["funding/state-budget", "funding/municipal-budget", "programme/prchr-2021-2027"],
        ),
        (
            "„Подкрепа за успех“ по ОП НОИР; Със средства от държавния бюджет",
            ["programme/podkrepa-za-uspeh", "programme/op-noir-2014-2020", "funding/state-budget"],
        ),
        (
            "Със средства по ОП НОИР . и по Програма „Образование“ 2021-2027 г.",
            ["programme/op-noir-2014-2020", "programme/education-2021-2027"],
        ),
        (
            "ПРР 2021-2027, включени програми в подхода ИТИ: ПО, ПОС, ПКИП, ПНИИДТ, ПРЧР",
            [
                "programme/prr-2021-2027",
                "programme/education-2021-2027",
                "programme/pos-2021-2027",
                "programme/pkip-2021-2027",
                "programme/pniidt-2021-2027",
                "programme/prchr-2021-2027",
            ],
        ),
        ("Държавен бюджет за АППТ за съответната година", ["funding/active-labour-market-policy"]),
        (
            'НПВУ, Проект П41 "Развитие на социалната икономика"',
            ["programme/npvu", "programme/npvu-p41-social-economy"],
        ),
        ("Бюджет на ДАЗД", ["funding/dazd-budget"]),
        ("Бюджет на община Русе", ["funding/municipal-budget"]),
        (
            "Държавен бюджет, общински бюджети, Структурни фондове на ЕС, ФМ на ЕИП 2014-2021, "
            "НФМ 2014-2021 и други донорски програми",
            [
                "funding/state-budget",
                "funding/municipal-budget",
                "funding/eu-funds",
                "programme/fm-eea-2014-2021",
                "programme/nfm-2014-2021",
                "funding/donor-programmes",
            ],
        ),
        ("Програмата за храни и основно материално подпомагане 2021-2027 г.", ["programme/phomp-2021-2027"]),
        ("Програма „Развитие на човешките ресурси“ 2021-", ["programme/prchr-2021-2027"]),
        ("процедура BG05M9OP001-2.004 „Услуги за ранно детско развитие“", ["programme/op-rchr-2014-2020"]),
        ("Проекти по ОП РЧР", ["programme/op-rchr-2014-2020"]),
        ("Общински бюджет; Държавен БАСП", ["funding/municipal-budget", "funding/unresolved/darzhaven-basp"]),
    ],
)
def test_funding_cells_of_the_plans(cell: str, expected: list[str]) -> None:
    assert keys(resolve_funding(cell)) == expected


@pytest.mark.parametrize(
    "cell",
    [
        "Не се изисква допълнително финансиране",
        "Не са необходими",
        "Не се изисква финансиране.",
        "Без финансиране",
        "-",
    ],
)
def test_no_money_needed_names_no_source(cell: str) -> None:
    assert resolve_funding(cell) == []


def test_lowercase_acronym_lookalike_is_not_a_programme() -> None:
    assert keys(resolve_funding("Средства по проекти")) == ["funding/projects"]
    assert keys(resolve_funding("ПО, ПОС")) == ["programme/education-2021-2027", "programme/pos-2021-2027"]


def test_institution_inside_a_phrase_is_not_a_funder() -> None:
    cell = "Със средства от държавния бюджет, изчислени на базата на приети от МС стандарти"
    assert keys(resolve_funding(cell)) == ["funding/state-budget"]


def test_descriptive_text_joins_the_programme_it_follows() -> None:
    cell = (
        "Със средства по Национална програма „Заедно за всяко дете“ по Модул 1 „Подпомагане на дейността"
        " на екипите за обхват“, Модул 3 „Партньорски модел“"
    )
    (programme,) = resolve_funding(cell)
    assert programme.key == "programme/np-zaedno-za-vsyako-dete"
    assert programme.raw.startswith("Национална програма „Заедно за всяко дете“")
    assert programme.raw.endswith("Модул 3 „Партньорски модел“")


# -- every cell of the bundled plans ------------------------------------------------------------------


def _plan_cells() -> list[str]:
    cells: set[str] = set()
    for plan in sorted(PLANS.glob("*.txt")):
        for line in plan.read_text(encoding="utf-8").splitlines():
            cells.update(cell.strip() for cell in line.split("\t") if 0 < len(cell.strip()) < 300)
    return sorted(cells)


def test_every_plan_cell_resolves_without_error_and_with_consistent_refs() -> None:
    registry = get_registry()
    for cell in _plan_cells():
        for refs, role in (
            (resolve_institutions(cell, "Русе"), "institution"),
            (resolve_funding(cell), "funding"),
        ):
            assert len({ref.key for ref in refs}) == len(refs), cell
            for ref in refs:
                assert ref.raw and ref.label and ref.raw in _clean_for_raw(cell), (cell, ref)
                if not ref.resolved:
                    assert ref.key.startswith(f"{role}/unresolved/"), ref
                elif ref.parent_key is not None:
                    assert registry.entry(ref.parent_key) is not None, ref
                    assert ref.key.startswith(ref.parent_key + "-"), ref


def _clean_for_raw(cell: str) -> str:
    """The cell as the resolver reads it (markup dropped, look-alike letters fixed): raws are parts of it."""
    return _clean(cell)


# -- property: no word of a responsibility cell is lost -----------------------------------------------

_NOISE = {"и", "или", "в", "с", "със", "на", "към", "от", "по", "за", "сътрудничество", "съвместно"}


def _represented(word: str, refs: list[EntityRef]) -> bool:
    """The word is in some entity's raw text, or is a word of a label of a returned entity."""
    registry = get_registry()
    for ref in refs:
        if word in normalise_name(ref.raw).split():
            return True
        for key in (ref.key, ref.parent_key):
            entry = registry.entry(key) if key else None
            if entry is not None and any(word in normalise_name(label).split() for label in entry.labels()):
                return True
    return False


def _distinct_labels() -> list[str]:
    seen: set[str] = set()
    labels: list[str] = []
    for label, key in get_registry().all_labels("institution"):
        if key not in seen and re.fullmatch(r"[А-Яа-я „“\"\-–.]+", label):
            seen.add(key)
            labels.append(label)
    return labels


_LABELS = _distinct_labels()
# Unknown names; ъ, ь and й are left out as their transliterations collide ("Ъааа" and "Аааа" share
# the slug "aaaa", so they are one unresolved entity).
_UNKNOWN = st.from_regex(r"[АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЮЯ][абвгдежзиклмнопрстуфхцчшщюя]{3,9}", fullmatch=True)
_SEPARATORS = st.sampled_from([", ", "; ", " ", " и ", "/", "\n", "<p>", " - ", ",", " в сътрудничество с "])
_TOWNS = st.sampled_from(["Русе", "Благоевград", "Кюстендил", "Пловдив", "Стара Загора"])


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.one_of(st.sampled_from(_LABELS), _UNKNOWN, _TOWNS.map(lambda town: f"Община {town}")),
        min_size=1,
        max_size=6,
    ),
    separators=st.lists(_SEPARATORS, min_size=6, max_size=6),
    municipality=st.sampled_from([None, "Русе"]),
)
def test_no_word_of_a_cell_is_lost(parts: list[str], separators: list[str], municipality: str | None) -> None:
    cell = "".join(part + separator for part, separator in zip(parts, separators, strict=False))
    refs = resolve_institutions(cell, municipality)
    assert len({ref.key for ref in refs}) == len(refs)
    for word in normalise_name(cell).split():
        if word in _NOISE or word.isdigit() or word == "p":
            continue
        assert _represented(word, refs), (word, cell, refs)
