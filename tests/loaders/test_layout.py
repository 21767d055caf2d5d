"""Layout detection and table reconstruction on small inputs of the layouts the family uses."""

from __future__ import annotations

import pytest

from rikg.loaders.layout import (
    CellStyle,
    Role,
    detect_sections,
    find_headers,
    header_role,
    is_separator_line,
    objective_heading,
    operational_goal,
    priority_heading,
    section_heading,
    split_cells,
)
from rikg.loaders.table import HeadingEvent, Noise, Row, read_region
from rikg.loaders.text import Vocabulary, join_broken_words, leading_code, split_coded_items


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Цел", Role.OBJECTIVE),
        ("Специфична цел", Role.OBJECTIVE),
        ("Мярка", Role.MEASURE),
        ("Марка", Role.MEASURE),
        ("Задачи", Role.MEASURE),
        ("Мярка/Дейност", Role.MEASURE),
        ("Дейности", Role.ACTIVITY),
        ("Действие", Role.ACTIVITY),
        ("Статус на марката", Role.STATUS),
        ("Отговорни институции", Role.INSTITUTIONS),
        ("Партньори", Role.INSTITUTIONS),
        ("Времени период", Role.PERIOD),
        ("Срок за изпълнение", Role.PERIOD),
        ("СРОК", Role.PERIOD),
        ("Средства", Role.AMOUNT),
        ("Бюджет", Role.AMOUNT),
        ("Финансиране Източник", Role.FUNDING),
        ("Източник на финансиране (преки бюджетни разходи, друго – млн. евро)", Role.FUNDING),
        ("Индикатор за изпълнение", Role.INDICATOR),
        ("Очакван резултат", Role.INDICATOR),
        ("Текуща стойност", Role.BASELINE),
        ("Целева стойност с натрупване 2024-2027 г.", Role.TARGET),
    ],
)
def test_header_roles(text: str, role: Role) -> None:
    assert header_role(text) is role


@pytest.mark.parametrize(
    "text", ["Цел 4: Развитие на концепцията", "Брой обучени служители", "2024–2027 г.", "Община Русе", ""]
)
def test_not_header_cells(text: str) -> None:
    assert header_role(text) is None


def test_split_styles() -> None:
    assert split_cells("| a | b |  |", CellStyle.PIPES) == ["a", "b", ""]
    assert split_cells("a\t\tb", CellStyle.TABS) == ["a", "", "b"]
    assert split_cells("a;b;;c", CellStyle.SEMICOLON) == ["a", "b", "", "c"]
    assert split_cells("1.1.  Мярка едно   2024 г.", CellStyle.MULTISPACE) == [
        "1.1.",
        "Мярка едно",
        "2024 г.",
    ]


@pytest.mark.parametrize(
    "line",
    [
        "ПРИОРИТЕТ ОБРАЗОВАНИЕ",
        "ПРИОРИТЕТ „ЗДРАВЕОПАЗВАНЕ“",
        "Приоритет №1 Образование",
        "Приоритет 1: Образование",
        "ПРИОРИТЕТ I – ЗАЕТОСТ",
        "Таблица-ПРИОРИТЕТ „КУЛТУРА“",
        "Направление 2: Жилищни условия",
        "**ПРИОРИТЕТ 5: ВЪРХОВЕНСТВО НА ЗАКОНА**",
    ],
)
def test_priority_headings(line: str) -> None:
    assert priority_heading(line)


@pytest.mark.parametrize(
    "line",
    [
        "Изпълнението на мерките по приоритет „Образование“ ще допринесе за изпълнение на индикаторите",
        "По приоритет 5. Върховенство на закона и недискриминация,  КЗД",
        "Приоритетите на общината са насочени към",
    ],
)
def test_not_priority_headings(line: str) -> None:
    assert priority_heading(line) is None


def test_goal_headings() -> None:
    assert objective_heading("\tЦел 1. Ефективен обхват") == ("Цел", "1", "Ефективен обхват")
    assert objective_heading("Специфична цел 2: Подобряване") == ("Специфична цел", "2", "Подобряване")
    assert operational_goal("Оперативна цел: Създаване на условия.") == "Създаване на условия."
    assert section_heading("V. ОЧАКВАНИ РЕЗУЛТАТИ:")
    assert not section_heading("1. Подобряване на жилищните условия")
    assert is_separator_line("-----\t-------\t---")
    assert is_separator_line("|---|:---:|")
    assert not is_separator_line("2024 - 2027")


def test_codes() -> None:
    assert leading_code("1.4.Провеждане") == ("1.4", "Провеждане")
    assert leading_code("2..2. Мероприятия") == ("2.2", "Мероприятия")
    assert leading_code("42 300 лева") == (None, "42 300 лева")
    assert leading_code("2 мил. лв.") == (None, "2 мил. лв.")
    assert split_coded_items("4.1. Едно. 4.2. Друго") == ["4.1. Едно.", "4.2. Друго"]
    assert split_coded_items("Модул 3 „Партньорски модел“") == ["Модул 3 „Партньорски модел“"]


def test_broken_words_are_joined_only_into_known_words() -> None:
    vocabulary = Vocabulary(["информираността магистрати служители настоятелства"])
    assert join_broken_words("Обучени е на магистр ати", vocabulary) == "Обучени е на магистрати"
    assert join_broken_words("Училищните настоятелств а", vocabulary) == "Училищните настоятелства"
    assert join_broken_words("Републиканск и бюджет", vocabulary) == "Републиканск и бюджет"
    assert join_broken_words("мерки и дейности", vocabulary) == "мерки и дейности"


def _events(lines: list[str]) -> list[object]:
    sections = detect_sections(lines)
    assert sections, "no table found"
    return [
        event
        for section in sections
        for region in section.regions
        for event in read_region(lines, region, set())
    ]


def test_tab_table_with_shifted_cells_and_a_page_break_tail() -> None:
    lines = [
        "ПРИОРИТЕТ ОБРАЗОВАНИЕ",
        "Цел\tМярка\tСтатус\tДейности\tОтговорна институция\tСрок\tСредства\tИзточник\tИндикатори",
        "1. Цел едно\t1.1. Мярка едно\tТекущ\t1.1.1. Дейност за\tОбщина Русе\t2024–2027 г.\t"
        "\tОбщински бюджет\tБрой деца",
        "",
        "\t\t\tучениците в риск\t\t\t\t\t",
        "\tТекущ\t1.1.2. Друга дейност\tРУО\t2024 г.\t10 000 лева\tПроекти\tБрой ученици",
        "--\t--\t--",
    ]
    events = _events(lines)
    rows = [e for e in events if isinstance(e, Row)]
    assert len(rows) == 2
    first, second = rows
    assert first.text(Role.ACTIVITY) == "1.1.1. Дейност за учениците в риск"
    assert first.lines == {3, 5}
    assert second.text(Role.STATUS) == "Текущ"  # status sat in the measure column
    assert second.text(Role.PERIOD) == "2024 г."
    assert second.text(Role.AMOUNT) == "10 000 лева"
    assert second.text(Role.FUNDING) == "Проекти"
    assert second.text(Role.INDICATOR) == "Брой ученици"
    assert [e.reason for e in events if isinstance(e, Noise)] == ["table header", "separator"]


def test_pipe_table() -> None:
    lines = [
        "Приоритет 1: Заетост",
        "| Мярка/Дейност | Отговорни институции | Срок за изпълнение | Бюджет | Индикатор |",
        "|---|---|---|---|---|",
        "| 1.1. Трудови борси | ДБТ | 2024 г. | 500 лв. | Брой участници |",
    ]
    rows = [e for e in _events(lines) if isinstance(e, Row)]
    assert len(rows) == 1
    assert rows[0].text(Role.INSTITUTIONS) == "ДБТ"
    assert rows[0].text(Role.AMOUNT) == "500 лв."


def test_semicolon_and_multispace_tables_are_found() -> None:
    semicolon = [
        "Приоритет 2: Здравеопазване",
        "Мярка;Срок;Отговорна институция;Индикатор",
        "1. Прегледи;2025 г.;РЗИ;Брой",
    ]
    multispace = [
        "ПРИОРИТЕТ КУЛТУРА",
        "Мярка    Срок    Отговорна институция",
        "1. Фестивал    2024 г.    Община Русе",
    ]
    assert find_headers(semicolon)[0].style is CellStyle.SEMICOLON
    assert find_headers(multispace)[0].style is CellStyle.MULTISPACE
    assert [e.text(Role.PERIOD) for e in _events(semicolon) if isinstance(e, Row)] == ["2025 г."]
    assert [e.text(Role.INSTITUTIONS) for e in _events(multispace) if isinstance(e, Row)] == ["Община Русе"]


def test_one_cell_per_line_with_tabs_and_extra_rows() -> None:
    lines = [
        "Таблица ПРИОРИТЕТ 1 – ОБРАЗОВАНИЕ",
        "\tЦел 1. Ефективен обхват",
        "",
        "\tМерки",
        "\tСтатус",
        "\tСрок",
        "\tОтговорна институция",
        "\tИзточник на финансиране",
        "\tИндикатори",
        "\t1.1",
        "\tМеханизъм за съвместна работа",
        "\tТекущ",
        "\t2024-",
        "",
        "2027 г.",
        "\tМОН",
        "РУО-Русе",
        "\tНП „Заедно за всяко дете“",
        "\tБрой деца",
        "\t",
        "\t",
        "\t",
        "\t",
        "\tРУО-Русе",
        "\tНП „Хубаво е в детска градина“",
        "\tБрой обхванати деца",
    ]
    events = _events(lines)
    headings = [e for e in events if isinstance(e, HeadingEvent)]
    rows = [e for e in events if isinstance(e, Row)]
    assert [(h.code, h.text) for h in headings] == [("1", "Ефективен обхват")]
    assert len(rows) == 1
    row = rows[0]
    assert row.text(Role.MEASURE) == "1.1 Механизъм за съвместна работа"
    assert row.text(Role.PERIOD) == "2024- 2027 г."
    assert row.text(Role.INSTITUTIONS) == "МОН РУО-Русе | РУО-Русе"
    assert row.text(Role.FUNDING) == "НП „Заедно за всяко дете“ | НП „Хубаво е в детска градина“"
    assert row.fields[Role.INDICATOR].items == ["Брой деца", "Брой обхванати деца"]


def test_repeated_page_header_inside_a_table_is_noise() -> None:
    from rikg.loaders.layout import find_page_headers

    lines = [
        "ПЛАН ЗА ДЕЙСТВИЕ НА ОБЩИНА ПЛОВДИВ 2022-2024",
        "Приоритет №1 Образование",
        "Цели\tЗадачи\tДейности\tОтговорна институция\tВремеви период",
        "1. Цел\t1. Задача\t1. Дейност\tОбщина Пловдив\t2022-2024 г.",
        "ПЛАН ЗА ДЕЙСТВИЕ НА ОБЩИНА ПЛОВДИВ 2022 - 2024",
        "\t\t2. Дейност\tНПО\t2022-2024 г.",
    ]
    sections = detect_sections(lines)
    page_headers = find_page_headers(lines, sections)
    assert page_headers == {5}
    events = list(read_region(lines, sections[0].regions[0], page_headers))
    assert [e.reason for e in events if isinstance(e, Noise)] == ["table header", "page header"]
    assert len([e for e in events if isinstance(e, Row)]) == 2
