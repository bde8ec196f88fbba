"""Reading and planning a CSV org chart (pure)."""

from __future__ import annotations

from backend.administration.csv_import import (
    ExistingPerson,
    ExistingUnit,
    parse_chart,
    plan_import,
)
from backend.administration.tree import cycle_in

HEADER = "type,code,name,parent_code,email,full_name,role,unit_code,language\n"
CHART = HEADER + (
    "unit,SG,Secrétariat général,,,,,,\n"
    "unit,DAF,Direction des affaires financières,SG,,,,,\n"
    "person,,,,Hélène.Laurent@Exemple.fr,Hélène Laurent,manager,SG,fr\n"
    "person,,,,paul@exemple.fr,Paul Martin,agent,DAF,en\n"
)


def _codes(data: str | bytes) -> list[tuple[int, str]]:
    raw = data.encode() if isinstance(data, str) else data
    plan = plan_import(parse_chart(raw), {}, {})
    return [(error.line, error.code) for error in plan.errors]


def test_a_good_file_plans_units_then_people() -> None:
    plan = plan_import(parse_chart(CHART.encode()), {}, {})
    assert plan.errors == []
    assert [u.code for u in plan.units_to_create] == ["SG", "DAF"]
    assert [p.email for p in plan.people_to_create] == ["hélène.laurent@exemple.fr",
                                                        "paul@exemple.fr"]
    assert plan.people_to_create[1].language == "en"


def test_the_same_file_again_changes_nothing() -> None:
    units = {"SG": ExistingUnit("SG", "Secrétariat général", ""),
             "DAF": ExistingUnit("DAF", "Direction des affaires financières", "SG")}
    people = {"hélène.laurent@exemple.fr": ExistingPerson(
        "hélène.laurent@exemple.fr", "Hélène Laurent", "manager", "SG", "fr", True),
              "paul@exemple.fr": ExistingPerson("paul@exemple.fr", "Paul Martin", "agent",
                                                "DAF", "en", True)}
    plan = plan_import(parse_chart(CHART.encode()), units, people)
    assert (plan.units_to_create, plan.units_to_update, plan.people_to_create,
            plan.people_to_update, plan.unchanged) == ([], [], [], [], 4)
    moved = {**people, "paul@exemple.fr": ExistingPerson("paul@exemple.fr", "Paul Martin",
                                                         "agent", "SG", "en", True)}
    plan = plan_import(parse_chart(CHART.encode()), units, moved)
    assert [p.email for p in plan.people_to_update] == ["paul@exemple.fr"]


def test_excel_french_csv_with_bom_and_semicolons() -> None:
    data = ("\ufeff" + CHART.replace(",", ";")).encode()
    plan = plan_import(parse_chart(data), {}, {})
    assert plan.errors == [] and len(plan.people_to_create) == 2


def test_wrong_encoding_is_one_error() -> None:
    assert _codes(CHART.encode("latin-1")) == [(0, "CSV_ENCODING")]


def test_missing_columns_are_named() -> None:
    parsed = parse_chart(b"type,code,name,email\nunit,SG,SG,\n")
    assert [(e.line, e.code) for e in parsed.errors] == [(1, "CSV_COLUMNS_MISSING")]
    assert parsed.errors[0].details["missing"] == ["parent_code", "full_name", "role",
                                                   "unit_code"]


def test_every_bad_line_is_reported_with_its_line() -> None:
    data = HEADER + (
        "unit,A,Unité A,B,,,,,\n"            # 2: A under B
        "unit,B,Unité B,A,,,,,\n"            # 3: B under A: a cycle
        "person,,,,x@exemple.fr,X,agent,ZZ,\n"   # 4: unknown unit
        "person,,,,y@exemple.fr,Y,agent,A,\n"    # 5
        "person,,,,Y@exemple.fr,Y bis,agent,A,\n"  # 6: duplicate email
        "person,,,,z@exemple.fr,Z,boss,A,\n"     # 7: unknown role
        "person,,,,w@exemple.fr,W,agent,,\n"     # 8: an agent without unit
        "team,,,,,,,,\n"                         # 9: unknown row type
        "person,,,,,,agent,A,\n"                 # 10: values missing
        "person,,,,not-an-email,V,agent,A,\n"    # 11
    )
    assert _codes(data) == [(2, "UNIT_TREE_CYCLE"), (4, "UNIT_UNKNOWN"), (6, "EMAIL_DUPLICATE"),
                            (7, "ROLE_INVALID"), (8, "UNIT_REQUIRED"), (9, "CSV_ROW_TYPE"),
                            (10, "CSV_VALUE_MISSING"), (11, "EMAIL_INVALID")]


def test_an_email_of_another_organisation_is_taken() -> None:
    people = {"paul@exemple.fr": ExistingPerson("paul@exemple.fr", "Paul", "supplier", "", "fr",
                                                False)}
    plan = plan_import(parse_chart(CHART.encode()), {}, people)
    assert [(e.line, e.code) for e in plan.errors] == [(5, "EMAIL_TAKEN")]


def test_a_cycle_through_stored_units() -> None:
    units = {"A": ExistingUnit("A", "A", "B"), "B": ExistingUnit("B", "B", "")}
    data = HEADER + "unit,B,B,A,,,,,\n"
    plan = plan_import(parse_chart(data.encode()), units, {})
    assert [(e.line, e.code) for e in plan.errors] == [(2, "UNIT_TREE_CYCLE")]


def test_cycle_in() -> None:
    assert cycle_in({1: None, 2: 1, 3: 2}) == []
    assert sorted(cycle_in({1: 3, 2: 1, 3: 2})) == [1, 2, 3]
    assert cycle_in({1: 1}) == [1]
    assert cycle_in({1: 99}) == []
