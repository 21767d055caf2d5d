"""The institution and funding registries: reference Turtle (facts §5, §7) and the label index over it."""

from __future__ import annotations

from collections import defaultdict
from importlib.resources import files
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from rikg.errors import RikgError
from rikg.ontology import registry as registry_module
from rikg.ontology.registry import OBLAST_NAMES, Registry, get_registry, normalise_name

RIKG = Namespace("https://w3id.org/rikg/ontology#")
ID = "https://w3id.org/rikg/id/"
ORG = Namespace("http://www.w3.org/ns/org#")
PLANS = Path(__file__).parents[2] / "data" / "plans"


@pytest.fixture(scope="module")
def graph() -> Graph:
    reference = files("rikg.ontology") / "reference"
    graph = Graph()
    for name in ("institutions.ttl", "funding.ttl"):
        graph.parse(data=(reference / name).read_bytes(), format="turtle")
    return graph


@pytest.fixture(scope="module")
def registry() -> Registry:
    return get_registry()


# -- facts §7: every programme by acronym and by every spelling the plans use --------------------------

PROGRAMME_SPELLINGS = {
    "programme/op-rchr-2014-2020": [
        "ОП РЧР",
        "ОПРЧР",
        "ОП РЧР 2014-2020",
        "BG05M9OP001",
        "Оперативна програма „Развитие на човешките ресурси“ 2014 -2020 г.",
    ],
    "programme/prchr-2021-2027": [
        "ПРЧР",
        "ПРЧР 2021-2027",
        "ИРЧР 2021-2027",
        "ОП Развитие на човешките ресурси 2021-2027",
        "Програма „Развитие на човешките ресурси“ 2021-",
        "Програма „Развитие на човешките ресурси“ 2021-2027",
    ],
    "programme/op-noir-2014-2020": ["ОП НОИР", "ОПНОИР", "ОП „Наука и образование за интелигентен растеж“"],
    "programme/education-2021-2027": [
        "ПО",
        "Програма „Образование“ 2021-2027",
        "Програма „Образование“ 2021-2027 г.",
        "Програма Образование 2021-2027",
    ],
    "programme/oprr-2014-2020": ["ОПРР", "ОП РР 2014-2020", "ОППР 2014-2020"],
    "programme/prr-2021-2027": ["ПРР", "ПРР 2021-2027", "Програма „Развитие на регионите“ 2021-2027"],
    "programme/opos-2014-2020": ["ОПОС"],
    "programme/pos-2021-2027": ["ПОС"],
    "programme/pkip-2021-2027": ["ПКИП"],
    "programme/pniidt-2021-2027": ["ПНИИДТ", "ПНИИДТП"],
    "programme/phomp-2021-2027": [
        "ПХОМП",
        "Програма за храни и основно материално подпомагане 2021-2027",
        "Програмата за храни и основно материално подпомагане 2021-2027 г.",
    ],
    "programme/op-food-fead-2014-2020": ["ОП за храни по ФЕПНЛ 2014-2020"],
    "programme/npvu": ["НПВУ", "ПВУ", "Национален План за възстановяване и устойчивост"],
    "programme/prsr-2014-2020": ["ПРСР"],
    "programme/fm-eea-2014-2021": ["ФМ на ЕИП 2014-2021", "ФМ на ЕИП"],
    "programme/nfm-2014-2021": ["НФМ 2014-2021", "НФМ"],
    "programme/bgld-local-development": [
        "BGLD",
        "програма „Местно развитие, намаляване на бедността и подобрено включване на уязвими групи“",
    ],
    "programme/np-zaedno-za-vsyako-dete": [
        "НП „Заедно за всяко дете“",
        "Национална програма „Заедно за всяко дете”",
    ],
    "programme/np-desegregation": [
        "НП „Подпомагане на общините за образователна десегрегация“",
        "НП десегрегация",
    ],
    "programme/np-modern-safe-accessible-environment": [
        "НП „Осигуряване на съвременна, сигурна и достъпна среда“"
    ],
    "programme/np-hubavo-e-v-detska-gradina": ["НП „Хубаво е в детска градина“"],
    "programme/np-zaedno-v-izkustvata-i-v-sporta": ["НП „Заедно в изкуствата и в спорта“"],
    "programme/np-educational-mediators": [
        "Национална програма за подкрепа на образователните медиатори и социалните работници",
        "НП Подкрепа на образователните медиатори и социалните работници",
    ],
    "programme/tsoiduem-programme": [
        "Програма за дейността на ЦОИДУЕМ",
        "Програмата за действието на ЦОИДУЕМ",
    ],
    "programme/np-hiv-sti": ["НП за превенция и контрол на ХИВ и СПИ"],
    "programme/vomr": ["ВОМР", "МИГ"],
    "programme/uspeh-za-teb": ["„Успех за теб“"],
    "programme/silen-start": ["„Силен старт“"],
    "programme/podkrepa-za-uspeh": ["„Подкрепа за успех“"],
    "funding/df-zemedelie": ["Фонд „Земеделие“", 'Фонд "Земеделие"'],
    "funding/municipal-budget": ["Общински бюджет", "Бюджет на общината"],
    "funding/state-budget": [
        "Държавен бюджет",
        "Републикански бюджет",
        "Републиканск и бюджет",
        "държавния бюджет",
    ],
    "funding/delegated-budget": ["Делегиран бюджет", "делегираните от държавата дейности"],
    "funding/projects": ["Проекти", "Проектно финансиране", "По проекти"],
    "funding/external-funding": ["Външно финансиране"],
    "funding/eu-funds": [
        "Европейски фондове",
        "програми и проекти, финансирани от Европейските фондове",
        "ЕСИФ",
    ],
    "funding/within-approved-budgets": ["В рамките на утвърдените бюджети"],
    "funding/active-labour-market-policy": ["АППТ", "Държавен бюджет за активна политика на пазара на труда"],
}


@pytest.mark.parametrize(
    ("spelling", "key"),
    [(spelling, key) for key, spellings in PROGRAMME_SPELLINGS.items() for spelling in spellings],
)
def test_funding_resolves_by_every_spelling(registry: Registry, spelling: str, key: str) -> None:
    assert registry.lookup(spelling, "funding") == key


def test_every_programme_has_an_acronym_or_is_a_national_programme_or_project(graph: Graph) -> None:
    for programme in graph.subjects(RDF.type, RIKG.FundingProgramme):
        labels = {str(label) for label in graph.objects(programme, SKOS.prefLabel)}
        has_acronym = (programme, RIKG.acronym, None) in graph
        national = any(
            label.startswith(("Национална програма", "Проект", "Програма", "Стратегически"))
            for label in labels
        )
        assert has_acronym or national, programme


@pytest.mark.parametrize(
    ("successor", "predecessor"),
    [
        ("prchr-2021-2027", "op-rchr-2014-2020"),
        ("op-rchr-2014-2020", "op-rchr-2007-2013"),
        ("education-2021-2027", "op-noir-2014-2020"),
        ("prr-2021-2027", "oprr-2014-2020"),
        ("pos-2021-2027", "opos-2014-2020"),
        ("phomp-2021-2027", "op-food-fead-2014-2020"),
        ("sp-2023-2027", "prsr-2014-2020"),
    ],
)
def test_successor_links(graph: Graph, successor: str, predecessor: str) -> None:
    assert (
        URIRef(f"{ID}programme/{successor}"),
        RIKG.successorOf,
        URIRef(f"{ID}programme/{predecessor}"),
    ) in graph


def test_unconfirmed_successor_is_flagged(graph: Graph) -> None:
    strategic_plan = URIRef(f"{ID}programme/sp-2023-2027")
    assert (strategic_plan, RIKG.factStatus, RIKG.Unconfirmed) in graph
    assert any(
        "UNCONFIRMED" in str(detail) for detail in graph.objects(strategic_plan, RIKG.unconfirmedDetail)
    )


@pytest.mark.parametrize(
    ("programme", "authority", "start", "end", "fund"),
    [
        ("op-rchr-2014-2020", "gd-efmpp", 2014, 2020, "ESF"),
        ("prchr-2021-2027", "mtsp", 2021, 2027, "ESF+"),
        ("op-noir-2014-2020", "ia-programa-za-obrazovanie", 2014, 2020, "ESF"),
        ("education-2021-2027", "ia-programa-za-obrazovanie", 2021, 2027, "ESF+"),
        ("oprr-2014-2020", "gd-spprr", 2014, 2020, "ERDF"),
        ("prr-2021-2027", "gd-spprr", 2021, 2027, "ERDF"),
        ("phomp-2021-2027", "asp", 2021, 2027, "ESF+"),
        ("prsr-2014-2020", "mzh", 2014, 2020, "EAFRD"),
        ("npvu", None, 2021, 2026, "RRF"),
    ],
)
def test_programme_facts(
    graph: Graph, programme: str, authority: str | None, start: int, end: int, fund: str
) -> None:
    node = URIRef(f"{ID}programme/{programme}")
    assert int(str(graph.value(node, RIKG.startYear))) == start
    assert int(str(graph.value(node, RIKG.endYear))) == end
    assert Literal(fund) in set(graph.objects(node, RIKG.euFund))
    if authority:
        assert graph.value(node, RIKG.managingAuthority) == URIRef(f"{ID}institution/{authority}")


def test_projects_are_part_of_the_programme_the_plan_names(graph: Graph) -> None:
    part_of = {(str(s), str(o)) for s, o in graph.subject_objects(DCTERMS.isPartOf)}
    assert (f"{ID}programme/uspeh-za-teb", f"{ID}programme/education-2021-2027") in part_of
    assert (f"{ID}programme/podkrepa-za-uspeh", f"{ID}programme/op-noir-2014-2020") in part_of


def test_delegated_budget_is_narrower_than_state_budget(registry: Registry) -> None:
    delegated = registry.entry("funding/delegated-budget")
    assert delegated is not None and delegated.broader == "funding/state-budget"


# -- facts §5: every institution by acronym and full name ---------------------------------------------

INSTITUTIONS = [
    ("НССЕИВ", "Национален съвет за сътрудничество по етническите и интеграционните въпроси", "nsseiv", "ms"),
    ("ОССЕИВ", "Общински съвет за сътрудничество по етническите и интеграционните въпроси", "osseiv", None),
    ("МОН", "Министерство на образованието и науката", "mon", None),
    ("РУО", "Регионално управление на образованието", "ruo", "mon"),
    ("РЦПППО", "Регионален център за подкрепа на процеса на приобщаващото образование", "rtspppo", "mon"),
    ("РЦППО", "Регионален център за подкрепа на процеса на приобщаващото образование", "rtspppo", "mon"),
    ("ЦПЛР", "Център за подкрепа за личностно развитие", "tsplr", None),
    (
        "ЦОИДУЕМ",
        "Център за образователна интеграция на децата и учениците от етническите малцинства",
        "tsoiduem",
        "mon",
    ),
    ("МЗ", "Министерство на здравеопазването", "mz", None),
    ("РЗИ", "Регионална здравна инспекция", "rzi", "mz"),
    ("НЗОК", "Национална здравноосигурителна каса", "nzok", None),
    ("РЗОК", "Районна здравноосигурителна каса", "rzok", "nzok"),
    ("МТСП", "Министерство на труда и социалната политика", "mtsp", None),
    ("АЗ", "Агенция по заетостта", "az", "mtsp"),
    ("РСЗ", "Регионална служба по заетостта", "rsz", "az"),
    ("ДБТ", "Дирекция „Бюро по труда“", "dbt", "az"),
    ("БТ", "Бюро по труда", "dbt", "az"),
    ("АСП", "Агенция за социално подпомагане", "asp", "mtsp"),
    ("ДСП", "Дирекция „Социално подпомагане“", "dsp", "asp"),
    ("ОЗД", "Отдел „Закрила на детето“", "ozd", "dsp"),
    ("РДСП", "Регионална дирекция за социално подпомагане", "rdsp", "asp"),
    ("ДАЗД", "Държавна агенция за закрила на детето", "dazd", "ms"),
    ("КЗД", "Комисия за защита от дискриминация", "kzd", None),
    (
        "МКБППМН",
        "Местна комисия за борба срещу противообществените прояви на малолетните и непълнолетните",
        "mkbppmn",
        None,
    ),
    (
        "МКБПМН",
        "Местна комисия за борба срещу противообществените прояви на малолетните и непълнолетните",
        "mkbppmn",
        None,
    ),
    ("МВР", "Министерство на вътрешните работи", "mvr", None),
    ("ОДМВР", "Областна дирекция на МВР", "odmvr", "mvr"),
    ("РУ", "Районно управление на МВР", "ru-mvr", "odmvr"),
    ("РПУ", "Районно полицейско управление", "ru-mvr", "odmvr"),
    ("ГДНП", "Главна дирекция „Национална полиция“", "gdnp", "mvr"),
    ("МРРБ", "Министерство на регионалното развитие и благоустройството", "mrrb", None),
    ("МК", "Министерство на културата", "mk", None),
    ("ММС", "Министерство на младежта и спорта", "mms", None),
    ("МФ", "Министерство на финансите", "mf", None),
    ("РСР", "Регионален съвет за развитие", "rsr", "mrrb"),
    (
        "РЕКИЦ „Читалища“",
        "Регионален експертно-консултантски информационен център „Читалища“ – Русе",
        "rekits-chitalishta",
        None,
    ),
    ("ОПЛ", "Общопрактикуващи лекари", "general-practitioners", None),
    ("КАБКИС", "Кабинет за анонимно и безплатно консултиране и изследване за СПИН", "kabkis", "rzi"),
]


@pytest.mark.parametrize(("acronym", "name", "slug", "parent"), INSTITUTIONS)
def test_institution_resolves_by_acronym_and_full_name(
    registry: Registry, acronym: str, name: str, slug: str, parent: str | None
) -> None:
    key = f"institution/{slug}"
    assert registry.lookup(acronym, "institution") == key
    assert registry.lookup(name, "institution") == key
    assert registry.parent_of(key) == (f"institution/{parent}" if parent else None)


@pytest.mark.parametrize(
    ("spelling", "slug"),
    [
        ("Бюро по труда", "dbt"),
        ('Д"СП"', "dsp"),
        ("Дирекция „Социално подпомагане“", "dsp"),
        ("Руо", "ruo"),
        ("РУО на МОН", "ruo"),
        ("Регионално управление на образование то", "ruo"),
        ("Агенция за заетостта", "az"),
        ("Агенция по заостота", "az"),
        ("Министерство на спорта", "mms"),
        ("Лични лекари", "general-practitioners"),
        ("Личните лекари", "general-practitioners"),
        ("Училища", "schools"),
        ("Детски градини", "kindergartens"),
        ("НПО", "ngos"),
        ("Здравни медиатори", "health-mediators"),
        ("здравни медикатори", "health-mediators"),
        ("Образователни медиатори", "educational-mediators"),
        ("Трудови медиатори", "labour-mediators"),
        ("Доставчици на социални услуги", "social-services"),
        ("Социални услуги", "social-services"),
        ("Читалища", "chitalishta"),
        ("Медии", "media"),
        ("Културни институции", "cultural-institutions"),
        ("Съд", "courts"),
        ("Прокуратура", "prosecution"),
        ("Районна прокуратура", "district-prosecution"),
        ("Кариерни консултанти", "career-counsellors"),
        ("Училищните настоятелства", "school-boards"),
        ("Центрове за обществена подкрепа", "community-support-centres"),
        ("Община Русе", "municipality-ruse"),
        ("Община Благоевград", "municipality-blagoevgrad"),
        ("Община Кюстендиl", "municipality-kyustendil"),
        ("Община Пловдив", "municipality-plovdiv"),
        ("Община Балчик", "municipality-balchik"),
    ],
)
def test_plan_spellings_of_institutions(registry: Registry, spelling: str, slug: str) -> None:
    assert registry.lookup(spelling, "institution") == f"institution/{slug}"


def test_acronyms_that_are_words_match_only_in_capitals(registry: Registry) -> None:
    assert registry.lookup("ПО", "funding") == "programme/education-2021-2027"
    assert registry.lookup("по", "funding") is None
    assert registry.lookup("АЗ", "institution") == "institution/az"
    assert registry.lookup("аз", "institution") is None


def test_no_label_names_two_entries(registry: Registry) -> None:
    for kind in ("institution", "funding"):
        keys_of: dict[str, set[str]] = defaultdict(set)
        for label, key in registry.all_labels(kind):
            keys_of[normalise_name(label)].add(key)
        assert {label: keys for label, keys in keys_of.items() if len(keys) > 1} == {}, kind


def test_labels_shared_by_both_kinds_belong_to_related_nodes(registry: Registry, graph: Graph) -> None:
    """A name may be both a body and a source only when the source says it is that body's money."""
    institution_of = {normalise_name(label): key for label, key in registry.all_labels("institution")}
    for label, key in registry.all_labels("funding"):
        institution = institution_of.get(normalise_name(label))
        if institution is not None:
            relation = (URIRef(ID + key), DCTERMS.relation, URIRef(ID + institution))
            assert relation in graph, (label, key, institution)


# -- shape of the reference nodes ---------------------------------------------------------------------


def test_every_node_has_labels_status_and_a_source_unless_unconfirmed(graph: Graph) -> None:
    nodes = set(graph.subjects(RDF.type, None))
    assert len(nodes) > 100
    for node in nodes:
        assert any(label.language == "bg" for label in graph.objects(node, SKOS.prefLabel)), node
        status = graph.value(node, RIKG.factStatus)
        assert status in (RIKG.Confirmed, RIKG.PlanOnly, RIKG.Unconfirmed), node
        if status != RIKG.Unconfirmed:
            assert (node, DCTERMS.source, None) in graph, node
        if status == RIKG.Unconfirmed:
            assert (node, RIKG.unconfirmedDetail, None) in graph or (node, RIKG.successorOf, None) in graph, (
                node
            )


def test_institutions_carry_level_and_point_at_known_parents(graph: Graph) -> None:
    institutions = set(graph.subjects(RDF.type, RIKG.Institution))
    for institution in institutions:
        assert graph.value(institution, RIKG.level) in (RIKG.National, RIKG.Regional, RIKG.Local), institution
        for parent in graph.objects(institution, ORG.subOrganizationOf):
            assert parent in institutions, (institution, parent)


def test_links_point_at_nodes_that_exist(graph: Graph) -> None:
    institutions = set(graph.subjects(RDF.type, RIKG.Institution))
    programmes = set(graph.subjects(RDF.type, RIKG.FundingProgramme))
    for authority in graph.objects(None, RIKG.managingAuthority):
        assert authority in institutions, authority
    for predecessor in graph.objects(None, RIKG.successorOf):
        assert predecessor in programmes, predecessor
    for whole in graph.objects(None, DCTERMS.isPartOf):
        assert whole in programmes, whole


def test_plan_sources_name_a_real_plan_line(graph: Graph) -> None:
    cited = [str(source) for source in graph.objects(None, DCTERMS.source) if str(source).startswith("plan:")]
    assert cited
    for source in cited:
        name, line = source.removeprefix("plan:").split("#L")
        lines = (PLANS / name).read_text(encoding="utf-8").splitlines()
        assert 1 <= int(line) <= len(lines), source


def test_generic_actors_and_municipalities_are_local_plan_facts(graph: Graph) -> None:
    for slug in ("schools", "kindergartens", "ngos", "health-mediators", "social-services", "courts"):
        node = URIRef(f"{ID}institution/{slug}")
        assert (node, RIKG.level, RIKG.Local) in graph and (node, RIKG.factStatus, RIKG.PlanOnly) in graph
    municipality = URIRef(f"{ID}institution/municipality-ruse")
    assert (municipality, SKOS.prefLabel, Literal("Община Русе", lang="bg")) in graph
    assert (municipality, DCTERMS.relation, URIRef(f"{ID}municipality/ruse")) in graph


# -- loading ------------------------------------------------------------------------------------------


def test_towns_are_the_oblast_centres_and_plan_municipalities(registry: Registry) -> None:
    assert {registry.town(name) for name in OBLAST_NAMES} == set(OBLAST_NAMES)
    assert registry.town("Балчик") == "Балчик"
    assert registry.town("Стара загора") == "Стара Загора"
    assert registry.town("Училища") is None


def test_registry_loads_without_territories(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        registry_module,
        "_REFERENCE_FILES",
        {"institutions.ttl": True, "funding.ttl": True, "absent.ttl": False},
    )
    registry = Registry(registry_module._load_entries())
    assert registry.lookup("РУО", "institution") == "institution/ruo"
    assert registry.town("Русе") == "Русе"  # the oblast list stands in for territories.ttl


def test_missing_required_reference_file_is_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_module, "_REFERENCE_FILES", {"missing.ttl": True})
    with pytest.raises(
        RikgError, match=r"^reference/missing.ttl: missing from the rikg.ontology package data$"
    ):
        registry_module._load_entries()


def test_registry_is_built_once() -> None:
    assert get_registry() is get_registry()
