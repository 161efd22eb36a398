"""Record kinds: the core's kinds and their keys, header lookup, row parsing and the kind label rule."""

import datetime as dt

import pytest

from xiaoqi.core.kinds import RowProblems, get_kind, get_kinds

CORE_KIND_NAMES = ["schools", "majors", "students", "enterprises", "agreements", "positions", "internships", "policies", "insured"]


def test_every_core_kind_exists_with_keys():
    kinds = get_kinds()
    for name in CORE_KIND_NAMES:
        kind = kinds[name]
        assert kind.key and all(k in kind.by_name for k in kind.key)
        assert all(c.zh and c.name for c in kind.columns)


def test_headers_chinese_english_and_spaces():
    kind = get_kind("students")
    assert kind.column_for_header(" 身份证号 ") == "id_number"
    assert kind.column_for_header("ID_NUMBER") == "id_number"
    assert kind.column_for_header("whatever") is None
    assert get_kind("学生") is kind


def test_unknown_kind_names_the_choices():
    with pytest.raises(KeyError, match="可用"):
        get_kind("nope")


def test_internship_old_labels_read_as_on_post_with_label_kept():
    kind = get_kind("internships")
    row = {
        "school_code": "4132012345", "id_number": "11010519491231002X", "uscc": "91110000600037341L",
        "position_code": "P001", "kind": "顶岗实习", "start_on": "2021/9/1", "end_on": "2022/1/31", "monthly_pay": "3000",
    }
    values = kind.parse_row(row)
    assert values["kind"] == "岗位实习" and values["kind_label"] == "顶岗实习"
    assert values["start_on"] == dt.date(2021, 9, 1)


def test_row_problems_are_all_reported_at_once():
    kind = get_kind("internships")
    with pytest.raises(RowProblems) as info:
        kind.parse_row({"school_code": "123", "id_number": "110105194912310021", "kind": "参观", "start_on": "x"})
    names = {name for name, _value, _reason in info.value.problems}
    assert {"school_code", "id_number", "uscc", "kind", "start_on", "end_on"} <= names


def test_cross_column_checks():
    kind = get_kind("internships")
    with pytest.raises(RowProblems) as info:
        kind.parse_row({
            "school_code": "4132012345", "id_number": "11010519491231002X", "uscc": "91110000600037341L",
            "kind": "岗位实习", "start_on": "2025-03-01", "end_on": "2025-02-01",
        })
    names = {name for name, _v, _r in info.value.problems}
    assert names == {"end_on", "position_code", "monthly_pay"}


def test_english_choice_values_accepted():
    kind = get_kind("policies")
    values = kind.parse_row({
        "policy_no": "P1", "insurer": "PICC", "kind": "internship liability", "holder": "4132012345",
        "payer": "school", "start_on": "2025-01-01", "end_on": "2025-12-31",
    })
    assert values["kind"] == "实习责任保险" and values["payer"] == "学校"


def test_policy_holder_must_be_a_school_code_or_uscc():
    kind = get_kind("policies")
    with pytest.raises(RowProblems, match="投保人"):
        kind.parse_row({"policy_no": "P1", "insurer": "PICC", "kind": "其他", "holder": "12345",
                        "payer": "学校", "start_on": "2025-01-01", "end_on": "2025-12-31"})


def test_key_text_round_trip():
    kind = get_kind("internships")
    key = kind.parse_key("11010519491231002X/91110000600037341L/2025-03-01")
    assert key["start_on"] == dt.date(2025, 3, 1)
    assert kind.key_of(key) == "11010519491231002X/91110000600037341L/2025-03-01"


def test_a_key_whose_free_text_column_holds_a_slash_reads_back():
    """The text form "a/b" of a key whose free-text column itself holds "/" (a case key such as
    apprentice/USCC/ID/year beside a step that is a choice) is split around that column."""
    from xiaoqi.core.kinds import get_kind

    overrides = get_kind("inc_overrides")
    key = overrides.key_of({"case_key": "apprentice/91430300743AF3UTPK/430100200503124788/2025", "step": "pay"})
    assert overrides.parse_key(key) == {"case_key": "apprentice/91430300743AF3UTPK/430100200503124788/2025", "step": "pay"}
    internships = get_kind("internships")  # no free-text column in its key: a wrong part count is still refused
    with pytest.raises(RowProblems):
        internships.parse_key("110101200001011234/91320100MA1XXXXXX1/2026-03-01/extra")


def test_kinds_are_declared_without_building_plugin_models_and_name_their_models_tables():
    """Collecting the kinds imports no plugin's table classes (a kind may name its model by import
    path); each kind's ``table`` is its model's table once the model is imported."""
    import json
    import subprocess
    import sys

    code = ("import json, sys\nfrom xiaoqi.core.kinds import get_kinds\nkinds = get_kinds()\n"
            "print(json.dumps([m for m in sys.modules if m.startswith('xiaoqi.plugins.') and m.endswith('.models')]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
    kinds = get_kinds()
    for kind in kinds.values():
        assert kind.table == kind.model.__tablename__, kind.name


def test_a_model_given_by_path_is_imported_on_first_use_and_its_table_checked():
    from xiaoqi.core.kinds import Column, RecordKind

    def kind(model="xiaoqi.core.models:School", **kw):
        return RecordKind(name="demo_schools", zh="演示学校", en="demo schools", model=model,
                          columns=[Column("school_code", "学校代码", "code10", key=True)], key=("school_code",), **kw)

    right = kind(table="schools")
    assert not right.model_loaded and right.table == "schools"
    from xiaoqi.core.models import School

    assert right.model is School and right.model_loaded
    wrong = kind()  # the table defaults to the kind's name
    assert wrong.table == "demo_schools"
    with pytest.raises(ValueError, match="has the table 'schools', not 'demo_schools'"):
        wrong.model
    with pytest.raises(ValueError, match="a table class or 'package.module:Class'"):
        kind(model="xiaoqi.core.models.School")
