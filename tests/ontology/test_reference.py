"""The reference data of the upper policy chain (``ontology/reference``): parses, is complete, is linked
from the national action plan up to the EU framework, keeps the plans' wording, flags what is not
confirmed, and conforms to the ontology (HermiT) and the SHACL shapes (pySHACL)."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.term import Node

from rikg.ontology.reasoning import check_consistency
from rikg.ontology.resources import (
    TurtleResource,
    ontology_graph,
    reference_resources,
    shape_resources,
    shapes_graph,
)
from rikg.ontology.vocab import ID, ID_NS, RIKG
from rikg.slugs import slugify

PLANS_DIR = Path(__file__).resolve().parents[2] / "data" / "plans"
REFERENCE_FILES = (
    "reference/eu.ttl",
    "reference/goals-external.ttl",
    "reference/national.ttl",
    "reference/policy-areas.ttl",
    "reference/regional.ttl",
    "reference/territories.ttl",
)
AREAS = ("education", "health", "employment", "housing", "rule-of-law", "culture")
SUB_GOAL_COUNTS = {
    "education": 8, "health": 5, "employment": 4, "housing": 6, "rule-of-law": 10, "culture": 1,
}
EU_OBJECTIVES = ("equality", "inclusion", "participation", "education", "employment", "health", "housing")
FACT_STATUSES = {RIKG.Confirmed, RIKG.PlanOnly, RIKG.Unconfirmed}
PLAN_SOURCE = re.compile(r"^plan:(?P<file>[^#/]+\.txt)#L(?P<line>[1-9][0-9]*)$")
PREFIXES = f"BASE <{ID_NS}>\nPREFIX rikg: <https://w3id.org/rikg/ontology#>\n"


@cache
def resources() -> dict[str, TurtleResource]:
    return {resource.name: resource for resource in reference_resources() if resource.name in REFERENCE_FILES}


@cache
def reference() -> Graph:
    graph = Graph()
    for resource in resources().values():
        graph += resource.graph()
    return graph


@cache
def store() -> pyoxigraph.Store:
    oxigraph = pyoxigraph.Store()
    for resource in resources().values():
        oxigraph.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in resource.triples())
    return oxigraph


def xsd(name: str) -> URIRef:
    return URIRef(f"http://www.w3.org/2001/XMLSchema#{name}")


def ask(query: str) -> bool:
    result = store().query(PREFIXES + query)
    assert isinstance(result, pyoxigraph.QueryBoolean)
    return bool(result)


def select(query: str) -> list[tuple[str, ...]]:
    solutions = store().query(PREFIXES + query)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return [tuple(str(term.value) if term is not None else "" for term in row) for row in solutions]


def nodes() -> list[URIRef]:
    """Every instance the reference files describe (subjects with an rdf:type)."""
    return sorted({s for s in reference().subjects(RDF.type, None) if isinstance(s, URIRef)})


def typed(rdf_class: URIRef) -> list[URIRef]:
    return sorted(s for s in reference().subjects(RDF.type, rdf_class) if isinstance(s, URIRef))


def pref_labels(node: Node) -> list[Literal]:
    return [o for o in reference().objects(node, SKOS.prefLabel) if isinstance(o, Literal)]


def bg_label(node: Node) -> str:
    labels = [label for label in pref_labels(node) if label.language == "bg"]
    assert len(labels) == 1, f"{node}: {len(labels)} Bulgarian prefLabels"
    return str(labels[0])


def status(node: Node) -> Node:
    statuses = list(reference().objects(node, RIKG.factStatus))
    assert len(statuses) == 1, f"{node}: {len(statuses)} fact statuses"
    return statuses[0]


def details(node: Node) -> str:
    return " ".join(str(o) for o in reference().objects(node, RIKG.unconfirmedDetail))


def is_flagged_unconfirmed(node: Node) -> bool:
    """Unconfirmed as a whole, or in a part named by rikg:unconfirmedDetail."""
    return status(node) == RIKG.Unconfirmed or "UNCONFIRMED" in details(node)


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


@cache
def plan_lines(file_name: str) -> list[str]:
    return (PLANS_DIR / file_name).read_text(encoding="utf-8").split("\n")


def plan_sources(node: Node) -> list[str]:
    """The text of every plan line the node cites as dcterms:source."""
    texts = []
    for source in reference().objects(node, DCTERMS.source):
        match = PLAN_SOURCE.match(str(source))
        if isinstance(source, URIRef) and match:
            texts.append(plan_lines(match["file"])[int(match["line"]) - 1])
    return texts


@cache
def all_plan_text() -> str:
    return normalised(" ".join(" ".join(plan_lines(path.name)) for path in PLANS_DIR.glob("*.txt")))


# --- the files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_every_reference_file_is_shipped_and_parses_with_rdflib_and_pyoxigraph(name: str) -> None:
    resource = resources()[name]
    assert len(resource.graph()) == len(resource.triples()) > 50


@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_instance_iris_are_in_the_id_namespace(name: str) -> None:
    subjects = {s for s in resources()[name].graph().subjects() if isinstance(s, URIRef)}
    assert subjects and all(str(s).startswith(ID_NS) for s in subjects)


def test_no_two_files_describe_the_same_node() -> None:
    owners = Counter(
        s for resource in resources().values() for s in set(resource.graph().subjects(RDF.type, None))
    )
    assert [node for node, count in owners.items() if count > 1] == []


# --- every node: type, Bulgarian label, status, source --------------------------------------------


def test_every_node_has_one_bulgarian_pref_label_and_at_most_one_english() -> None:
    for node in nodes():
        bg_label(node)
        languages = Counter(label.language for label in pref_labels(node))
        assert set(languages) <= {"bg", "en"} and languages["en"] <= 1, node


def test_every_node_has_one_fact_status_and_a_source() -> None:
    for node in nodes():
        assert status(node) in FACT_STATUSES, node
        assert list(reference().objects(node, DCTERMS.source)), f"{node}: no dcterms:source"


def test_every_plan_source_names_a_bundled_plan_line_and_every_url_is_absolute() -> None:
    for node in nodes():
        for source in reference().objects(node, DCTERMS.source):
            if isinstance(source, Literal):
                assert status(node) == RIKG.Unconfirmed, f"{node}: a textual source needs an unconfirmed node"
                continue
            match = PLAN_SOURCE.match(str(source))
            if match:
                assert 1 <= int(match["line"]) <= len(plan_lines(match["file"])), source
            else:
                url = urlsplit(str(source))
                assert url.scheme in {"http", "https"} and url.netloc, source


def test_plan_only_nodes_cite_a_plan_line() -> None:
    for node in nodes():
        if status(node) == RIKG.PlanOnly:
            assert plan_sources(node), f"{node} is PlanOnly but cites no plan line"


def test_every_unconfirmed_node_says_why() -> None:
    for node in nodes():
        if status(node) == RIKG.Unconfirmed:
            assert details(node), f"{node} is Unconfirmed without rikg:unconfirmedDetail"


# --- the document chain ----------------------------------------------------------------------------


def test_nap_2024_2027_implements_the_ns_which_implements_the_eu_framework() -> None:
    assert ask("ASK { <document/nap-2024-2027> rikg:implements <document/ns-2021-2030> }")
    assert ask("ASK { <document/ns-2021-2030> rikg:implements <document/eu-framework-2020-2030> }")
    reached = {
        row[0]
        for row in select("SELECT ?doc WHERE { <document/nap-2024-2027> rikg:implements+ ?doc }")
    }
    assert reached == {
        str(ID["document/ns-2021-2030"]), str(ID["document/eu-framework-2020-2030"]),
        str(ID["document/council-recommendation-2021"]),
    }


def test_nap_2022_2023_and_every_current_oblast_strategy_reach_the_eu_framework() -> None:
    rows = select(
        """SELECT ?doc WHERE {
               { ?doc a rikg:NationalActionPlan }
               UNION { ?doc a rikg:RegionalStrategy ; rikg:endYear ?end FILTER (STR(?end) = "2030") }
               FILTER NOT EXISTS { ?doc rikg:implements+ <document/eu-framework-2020-2030> }
           }"""
    )
    assert rows == []
    assert len(select("SELECT ?doc WHERE { ?doc a rikg:RegionalStrategy }")) == 7


def test_predecessors_are_linked_with_dcterms_replaces() -> None:
    replaces = set(reference().subject_objects(DCTERMS.replaces))
    assert {
        (ID["document/council-recommendation-2021"], ID["document/council-recommendation-2013"]),
        (ID["document/ns-2021-2030"], ID["document/ns-2012-2020"]),
        (ID["document/nap-2024-2027"], ID["document/nap-2022-2023"]),
    } <= replaces
    assert not list(reference().subject_objects(RIKG.successorOf)), "successorOf is for programmes"


def test_adoption_facts_of_the_national_documents() -> None:
    ns, nap = ID["document/ns-2021-2030"], ID["document/nap-2024-2027"]
    graph = reference()
    assert str(graph.value(ns, RIKG.adoptionAct)) == "Решение № 278 от 5 май 2022 г. на Министерския съвет"
    assert graph.value(ns, RIKG.adoptionDate) == Literal("2022-05-05", datatype=xsd("date"))
    assert (graph.value(ns, RIKG.startYear), graph.value(ns, RIKG.endYear)) == (
        Literal("2021", datatype=xsd("gYear")), Literal("2030", datatype=xsd("gYear")))
    assert "151/07.03.2024" in str(graph.value(nap, RIKG.adoptionAct))
    previous = ID["document/ns-2012-2020"]
    assert graph.value(previous, RIKG.adoptionDate) == Literal("2012-03-01", datatype=xsd("date"))


# --- the goals of the National Strategy ------------------------------------------------------------


@pytest.mark.parametrize("area", AREAS)
def test_each_priority_has_its_operational_goal_and_numbered_sub_goals(area: str) -> None:
    graph = reference()
    operational = ID[f"objective/ns-2021-2030/{area}"]
    assert (operational, RDF.type, RIKG.OperationalGoal) in graph
    assert graph.value(operational, RIKG.policyArea) == ID[f"policy-area/{area}"]
    assert graph.value(operational, RIKG.subObjectiveOf) == ID["objective/ns-2021-2030/strategic"]
    sub_goals = sorted(graph.subjects(RIKG.subObjectiveOf, operational), key=str)
    assert len(sub_goals) == SUB_GOAL_COUNTS[area]
    for sub_goal in sub_goals:
        code = str(graph.value(sub_goal, RIKG.code))
        assert sub_goal == ID[f"objective/ns-2021-2030/{area}/{code}"]
        assert (sub_goal, RDF.type, RIKG.SubGoal) in graph
        assert graph.value(sub_goal, RIKG.inDocument) == ID["document/ns-2021-2030"]
        assert graph.value(sub_goal, RIKG.policyArea) == ID[f"policy-area/{area}"]
    codes = sorted(int(graph.value(s, RIKG.code)) for s in sub_goals)
    assert codes == list(range(1, SUB_GOAL_COUNTS[area] + 1))


def test_strategic_and_three_horizontal_goals() -> None:
    graph = reference()
    assert typed(RIKG.StrategicGoal) == [ID["objective/ns-2021-2030/strategic"]]
    national_horizontal = [g for g in typed(RIKG.HorizontalGoal) if "/ns-2021-2030/" in str(g)]
    assert national_horizontal == [ID[f"objective/ns-2021-2030/horizontal/{n}"] for n in (1, 2, 3)]
    assert all(graph.value(g, RIKG.inDocument) == ID["document/ns-2021-2030"] for g in national_horizontal)


def test_every_national_goal_reaches_an_eu_2020_2030_objective() -> None:
    rows = select(
        """SELECT ?goal WHERE {
               ?goal rikg:inDocument <document/ns-2021-2030> .
               FILTER NOT EXISTS {
                   ?goal rikg:contributesTo+ ?eu .
                   ?eu a rikg:EUObjective ; rikg:inDocument <document/eu-framework-2020-2030> .
               }
           }"""
    )
    assert rows == []
    assert len(select("SELECT ?g WHERE { ?g a rikg:SubGoal }")) == sum(SUB_GOAL_COUNTS.values())


def test_sectoral_goals_reach_the_eu_objective_of_their_own_area() -> None:
    for area in ("education", "health", "employment", "housing"):
        eu = ID[f"objective/eu-2020-2030/{area}"]
        for goal in [ID[f"objective/ns-2021-2030/{area}"], *reference().subjects(
                RIKG.subObjectiveOf, ID[f"objective/ns-2021-2030/{area}"])]:
            assert (goal, RIKG.contributesTo, eu) in reference(), goal


def test_operational_goals_contribute_to_the_npr_priorities_and_sdgs_the_ruse_plan_cites() -> None:
    expected = {
        "education": {"npr-bg2030/priority/1", "sdg/4"},
        "health": {"npr-bg2030/priority/12", "sdg/3"},
        "employment": set(),
        "housing": {"npr-bg2030/priority/11", "npr-bg2030/priority/9", "sdg/11", "sdg/6"},
        "rule-of-law": {"npr-bg2030/priority/11", "sdg/5", "sdg/10", "sdg/16"},
        "culture": {"npr-bg2030/priority/13", "sdg/8", "sdg/11", "sdg/12"},
    }
    for area, targets in expected.items():
        operational = ID[f"objective/ns-2021-2030/{area}"]
        found = {
            str(o)[len(ID_NS):] for o in reference().objects(operational, RIKG.contributesTo)
            if not str(o).startswith(ID["objective/eu-2020-2030/"])
        }
        assert found == targets, area


def test_ns_contributes_to_npr_goals_one_and_three() -> None:
    found = set(reference().objects(ID["document/ns-2021-2030"], RIKG.contributesTo))
    assert found == {ID["npr-bg2030/goal/1"], ID["npr-bg2030/goal/3"]}


# --- alignments ------------------------------------------------------------------------------------


def test_every_alignment_has_confidence_in_0_1_method_evidence_and_one_source_and_target() -> None:
    graph = reference()
    alignments = typed(RIKG.Alignment)
    assert len(alignments) > 60
    for alignment in alignments:
        assert str(alignment).startswith(ID["alignment/reference/"])
        confidence = graph.value(alignment, RIKG.confidence)
        assert isinstance(confidence, Literal) and confidence.datatype == xsd("decimal")
        assert 0 <= float(confidence) <= 1
        assert [str(m) for m in graph.objects(alignment, RIKG.method)] == ["reference"]
        evidence = [e for e in graph.objects(alignment, RIKG.evidence) if isinstance(e, Literal)]
        assert evidence and all(e.language == "en" and len(e) > 40 for e in evidence)
        assert len(list(graph.objects(alignment, RIKG.alignmentSource))) == 1
        assert len(list(graph.objects(alignment, RIKG.alignmentTarget))) == 1
        if float(confidence) < 1:
            assert status(alignment) == RIKG.Unconfirmed, f"{alignment}: a judgement must be Unconfirmed"


def test_alignments_and_direct_contributes_to_links_match_one_to_one() -> None:
    graph = reference()
    reified = Counter(
        (graph.value(a, RIKG.alignmentSource), graph.value(a, RIKG.alignmentTarget))
        for a in typed(RIKG.Alignment)
    )
    assert max(reified.values()) == 1
    direct = {
        (s, o) for s, o in graph.subject_objects(RIKG.contributesTo)
        if (s, RIKG.inDocument, ID["document/ns-2021-2030"]) in graph
    }
    assert set(reified) == direct


def test_alignment_iri_names_its_source_and_target() -> None:
    graph = reference()
    for alignment in typed(RIKG.Alignment):
        source = graph.value(alignment, RIKG.alignmentSource)
        target = graph.value(alignment, RIKG.alignmentTarget)
        source_part = str(source).removeprefix(ID["objective/ns-2021-2030/"]).replace("/", "-")
        target_part = str(target).rsplit("/", 2)
        target_slug = {"eu-2020-2030": target_part[2], "priority": f"npr-priority-{target_part[2]}"}.get(
            target_part[1], f"sdg-{target_part[2]}")
        assert alignment == ID[f"alignment/reference/{source_part}--{target_slug}"]


# --- the plans' wording and the flags --------------------------------------------------------------


def test_goal_labels_quote_the_plan_line_they_cite() -> None:
    quoted = 0
    for node in nodes():
        if str(node).startswith(ID["alignment/"]) or (node, RDF.type, RIKG.Indicator) in reference():
            continue
        lines = plan_sources(node)
        types = set(reference().objects(node, RDF.type))
        if lines and types & {RIKG.SubGoal, RIKG.OperationalGoal, RIKG.EUObjective, RIKG.HorizontalGoal,
                              RIKG.SustainableDevelopmentGoal, RIKG.NationalDevelopmentPriority}:
            label = normalised(bg_label(node))
            assert any(label in normalised(line) for line in lines), f"{node}: label not in its plan lines"
            quoted += 1
    assert quoted >= 34 + 6 + 7 + 3 + 9 + 5


def test_bulgarian_alt_labels_of_goals_documents_and_areas_are_variants_seen_in_the_plans() -> None:
    graph = reference()
    kinds = {RIKG.Objective, RIKG.SubGoal, RIKG.OperationalGoal, RIKG.EUObjective, RIKG.PolicyArea,
             RIKG.EUFramework, RIKG.NationalStrategy, RIKG.NationalActionPlan, RIKG.RegionalStrategy,
             RIKG.PolicyDocument}
    checked = 0
    for node in nodes():
        if set(graph.objects(node, RDF.type)) & kinds:
            for alt in graph.objects(node, SKOS.altLabel):
                if isinstance(alt, Literal) and alt.language == "bg":
                    assert normalised(alt) in all_plan_text(), f"{node}: altLabel {alt!r} not seen in a plan"
                    checked += 1
    assert checked > 25


def test_rule_of_law_items_7_to_10_are_unconfirmed_as_national_items_and_1_to_6_are_plan_only() -> None:
    for n in range(1, 11):
        sub_goal = ID[f"objective/ns-2021-2030/rule-of-law/{n}"]
        assert status(sub_goal) == (RIKG.Unconfirmed if n >= 7 else RIKG.PlanOnly), sub_goal


def test_spot_checks_of_facts_that_are_unconfirmed() -> None:
    nap = ID["document/nap-2024-2027"]
    assert is_flagged_unconfirmed(nap)
    assert "151/07.03.2024" in details(nap) and "only by the plans" in details(nap)
    for slug in EU_OBJECTIVES:
        objective = ID[f"objective/eu-2020-2030/{slug}"]
        assert "English title UNCONFIRMED" in details(objective), objective
    assert "2013/C 378/01" in details(ID["document/council-recommendation-2013"])
    assert is_flagged_unconfirmed(ID["document/nap-2022-2023"])
    national_horizontal = [g for g in typed(RIKG.HorizontalGoal) if "/ns-2021-2030/" in str(g)]
    assert all(status(g) == RIKG.Unconfirmed for g in national_horizontal)
    assert status(ID["document/oblast-strategy/dobrich-2021-2030"]) == RIKG.Unconfirmed
    for strategy in typed(RIKG.RegionalStrategy):
        assert "implements" in details(strategy) and is_flagged_unconfirmed(strategy), strategy


def test_recalled_eu_target_figures_say_they_are_unconfirmed() -> None:
    graph = reference()
    indicators = typed(RIKG.Indicator)
    assert indicators == sorted(ID[f"indicator/eu-2020-2030/{n}"] for n in range(1, 10))
    with_baseline = [i for i in indicators if graph.value(i, RIKG.baselineValue) is not None]
    assert len(with_baseline) == 6
    for indicator in with_baseline:
        assert "UNCONFIRMED" in str(graph.value(indicator, RIKG.baselineValue))
        assert "UNCONFIRMED" in details(indicator)


def test_every_eu_target_hangs_under_one_eu_2020_2030_objective() -> None:
    graph = reference()
    owners = Counter(o for s, o in graph.subject_objects(RIKG.hasIndicator))
    assert set(owners) == set(typed(RIKG.Indicator)) and set(owners.values()) == {1}
    for owner in graph.subjects(RIKG.hasIndicator, None):
        assert graph.value(owner, RIKG.inDocument) == ID["document/eu-framework-2020-2030"]


def test_npr_priorities_not_cited_by_a_plan_are_unconfirmed() -> None:
    priorities = typed(RIKG.NationalDevelopmentPriority)
    assert len(priorities) == 13
    for priority in priorities:
        cited = bool(plan_sources(priority))
        assert status(priority) == (RIKG.Confirmed if cited else RIKG.Unconfirmed), priority
    assert sum(bool(plan_sources(p)) for p in priorities) == 5


def test_the_nine_cited_sdgs_have_bulgarian_and_english_titles() -> None:
    sdgs = typed(RIKG.SustainableDevelopmentGoal)
    assert sdgs == sorted(ID[f"sdg/{n}"] for n in (3, 4, 5, 6, 8, 10, 11, 12, 16))
    for sdg in sdgs:
        assert {label.language for label in pref_labels(sdg)} == {"bg", "en"}


# --- policy areas and territories ------------------------------------------------------------------


def test_policy_areas_form_a_skos_scheme_with_bulgarian_and_english_labels() -> None:
    graph = reference()
    scheme = ID["policy-area/scheme"]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    assert typed(RIKG.PolicyArea) == sorted(ID[f"policy-area/{area}"] for area in AREAS)
    for number, area in enumerate(AREAS, start=1):
        node = ID[f"policy-area/{area}"]
        assert (node, RDF.type, SKOS.Concept) in graph and (node, SKOS.inScheme, scheme) in graph
        assert (scheme, SKOS.hasTopConcept, node) in graph
        assert str(graph.value(node, SKOS.notation)) == str(number)
        assert {label.language for label in pref_labels(node)} == {"bg", "en"}
    alt_labels = {str(o) for o in graph.objects(None, SKOS.altLabel)}
    assert {
        "Образование и обучение", "Върховенство на закона и антидискриминация",
        "Заетост и социално включване", "Жилищни условия и инфраструктура",
        "Спазване на законите и недискриминация", "Култура",
    } <= alt_labels


def test_policy_area_labels_are_seen_in_the_plan_lines_they_cite() -> None:
    for area in typed(RIKG.PolicyArea):
        lines = [normalised(line) for line in plan_sources(area)]
        for label in [*reference().objects(area, SKOS.prefLabel), *reference().objects(area, SKOS.altLabel)]:
            if isinstance(label, Literal) and label.language == "bg":
                assert any(normalised(label) in line for line in lines), f"{area}: {label}"


def test_28_oblasts_with_nuts3_codes_inside_their_nuts2_region() -> None:
    graph = reference()
    regions = typed(RIKG.Region)
    assert len(regions) == 28
    codes = [str(graph.value(r, RIKG.nutsCode)) for r in regions]
    assert len(set(codes)) == 28 and all(re.fullmatch(r"BG[34][1-4][1-5]", c) for c in codes)
    for region in regions:
        parent = graph.value(region, DCTERMS.isPartOf)
        assert str(graph.value(region, RIKG.nutsCode)).startswith(str(graph.value(parent, RIKG.nutsCode)))
        assert str(graph.value(parent, RIKG.nutsCode)).startswith(str(graph.value(
            graph.value(parent, DCTERMS.isPartOf), RIKG.nutsCode)))


def test_region_iris_are_slugs_of_their_names_except_the_two_sofia_oblasts() -> None:
    special = {"София (столица)": "sofia-grad", "София (област)": "sofia-oblast"}
    for region in typed(RIKG.Region):
        name = bg_label(region)
        assert region == ID[f"region/{special.get(name, slugify(name))}"]


def test_municipalities_of_the_plans_and_balchik_lie_in_their_oblasts() -> None:
    expected = {
        "blagoevgrad": "BG413", "kyustendil": "BG415", "plovdiv": "BG421", "ruse": "BG323",
        "balchik": "BG332",
    }
    graph = reference()
    assert typed(RIKG.Municipality) == sorted(ID[f"municipality/{slug}"] for slug in expected)
    for slug, nuts in expected.items():
        region = graph.value(ID[f"municipality/{slug}"], RIKG.inRegion)
        assert str(graph.value(region, RIKG.nutsCode)) == nuts
        assert slugify(bg_label(ID[f"municipality/{slug}"]).removeprefix("Община ")) == slug


def test_regional_strategies_cover_an_oblast() -> None:
    for strategy in typed(RIKG.RegionalStrategy):
        region = reference().value(strategy, RIKG.territory)
        assert (region, RDF.type, RIKG.Region) in reference(), strategy
        slug = str(region).rsplit("/", 1)[1]
        assert str(strategy).startswith(ID[f"document/oblast-strategy/{slug}-"]), strategy


# --- ontology and shapes ---------------------------------------------------------------------------


def test_reference_data_is_consistent_with_the_ontology_under_hermit() -> None:
    report = check_consistency(ontology_graph() + reference())
    assert report.consistent, report.explanation


def test_reference_data_conforms_to_the_shacl_shapes() -> None:
    assert shape_resources(), "ontology/shapes/*.ttl is missing"
    conforms, _, text = validate(
        reference() + ontology_graph(), shacl_graph=shapes_graph(), ont_graph=ontology_graph(),
        advanced=True, allow_warnings=False,
    )
    assert conforms, text
