"""docs/kinds.md is the record kinds as they are: regenerated, it is the same file."""

from pathlib import Path

from xiaoqi.core.kinds import get_kinds
from xiaoqi.core.kinds_doc import builtin_reference, kind_section

DOC = Path(__file__).resolve().parents[2] / "docs" / "kinds.md"


def test_kinds_md_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == builtin_reference(), (
        "docs/kinds.md is stale: run `.venv/bin/python -m xiaoqi.core.kinds_doc docs/kinds.md` and commit it")


def test_every_column_of_every_builtin_kind_is_listed_with_both_headers():
    text = DOC.read_text(encoding="utf-8")
    for kind in get_kinds().values():
        assert f"(`{kind.name}`)" in text, kind.name
        section = kind_section(kind)
        for col in kind.columns:
            assert f"| `{col.name}` | {col.zh} |" in section
            for choice in col.choices:
                assert choice in section


def test_a_choice_shows_its_english_spelling():
    section = kind_section(get_kinds()["schools"])
    assert "中职 (secondary)" in section and "| `level` | 办学层次 | choice | 选项 | yes |" in section
