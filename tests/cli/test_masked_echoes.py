"""A message that quotes a personal cell quotes it masked: an import problem's reason (a plugin's
column type may echo the bad cell), a refused write's reason, a refused import's first problem in
the audit note — on every surface a non-admin reads them (the terminal, JSON, the --errors file,
``imports show``, ``audit list``, the batch kept in the database), for a plugin kind's personal
columns as for the core's. (PostgreSQL's views: tests/pg/test_masked_audit_pg.py.)"""

from __future__ import annotations

import json

import sqlalchemy as sa

from xiaoqi.core import hookimpl
from xiaoqi.core.access import ALL, NONE, PHONE, Access
from xiaoqi.core.kinds import Column, RecordKind, get_kinds
from xiaoqi.core.models import School
from xiaoqi.core.privacy import mask_note, mask_problem

PHONE_CELL = "13800138000-1"


def _parse_phone(value) -> str:
    text = str(value).strip()
    if not (text.isdigit() and len(text) == 11):
        raise ValueError(f"「{text}」不是11位手机号")  # quotes the cell, as a plugin's validator may
    return text


class ContactsPlugin:
    """A kind of a plugin's own with a personal column whose type echoes a bad cell."""

    @hookimpl
    def xiaoqi_register_column_types(self):
        from xiaoqi.core.kinds import ColumnType

        return [ColumnType("kit-mobile", _parse_phone, ("11位手机号", "an 11-digit mobile number"))]

    @hookimpl
    def xiaoqi_register_record_kinds(self):
        return [RecordKind(name="kit_contacts", zh="学校联系电话", en="school contacts", model=School, key=("school_code",),
                           school_column="school_code",
                           access=Access(read=ALL, create=NONE, delete=NONE, columns={"school": ("phone",)}, personal={"phone": PHONE}),
                           columns=[Column("school_code", "学校代码", "code10", key=True), Column("phone", "联系电话", "kit-mobile")])]


def test_a_reason_quoting_a_plugin_kinds_personal_cell_reaches_a_non_admin_masked(xiaoqi_plugin_manager, xiaoqi_factory, xiaoqi_cli,
                                                                                xiaoqi_db_url, tmp_path):
    xiaoqi_plugin_manager.register(ContactsPlugin(), name="kit-contacts")
    school = xiaoqi_factory.school()
    path = tmp_path / "contacts.csv"
    path.write_text(f"学校代码,联系电话\n{school.school_code},{PHONE_CELL}\n", encoding="utf-8")
    errors = tmp_path / "errors.csv"
    actor = f"school:{school.school_code}"
    text = xiaoqi_cli("--as", actor, "import", "kit_contacts", path, "--errors", errors)
    data = xiaoqi_cli("--as", actor, "import", "kit_contacts", path, "--format", "json")
    admin = xiaoqi_cli("import", "kit_contacts", path)  # the admin's own: in full
    assert text.exit_code == data.exit_code == admin.exit_code == 1, (text.output, data.output)
    assert f"「{PHONE_CELL}」不是11位手机号" in admin.output + admin.stderr
    written = errors.read_text(encoding="utf-8-sig")
    for surface in (text.output + text.stderr, data.output, written):
        assert PHONE_CELL not in surface, surface
        assert "「138******00-1」不是11位手机号" in surface, surface
    assert data.json["problems"][0]["reason"] == "「138******00-1」不是11位手机号"
    # the refused batches: the school's kept masked; the admin's read masked by the auditor
    with sa.create_engine(xiaoqi_db_url).connect() as conn:
        kept = conn.execute(sa.text("SELECT actor, problems FROM import_batches ORDER BY id")).all()
    assert [a for a, _p in kept] == [actor, actor, "admin"]
    assert PHONE_CELL not in kept[0][1] and PHONE_CELL in kept[2][1]
    batch = xiaoqi_cli("--as", "auditor", "imports", "show", "3", "--format", "json")
    audit = xiaoqi_cli("--as", "auditor", "audit", "list", "--format", "json")
    assert batch.exit_code == 0 and audit.exit_code == 0, (batch.stderr, audit.stderr)
    for surface in (batch.output, audit.output):
        assert PHONE_CELL not in surface and "「138******00-1」不是11位手机号" in surface, surface


def test_the_masks_of_a_shipped_plugin_kinds_personal_column():
    """The industrial college's members' phones (a personal column found through the kinds'
    registry): an echoed cell, the reason quoting it, a refused write's values and reason."""
    kind = next(k for k in get_kinds().values() if k.plugin and "phone" in k.rights.personal and k.name == "ic_members")
    phone = "13912345678"
    problem = mask_problem(kind, {"row": 2, "column": "联系电话", "value": phone, "reason": f"{phone} 重复"})
    assert problem == {"row": 2, "column": "联系电话", "value": "139****5678", "reason": "139****5678 重复"}
    assert mask_problem(kind, {"row": 2, "column": "PHONE", "value": phone, "reason": ""})["value"] == "139****5678"
    assert mask_problem(kind, {"row": 2, "column": "姓名", "value": "丁一", "reason": "丁一？"})["reason"] == "丁一？"  # not personal
    note = {"action": "create", "reason": f"电话 {phone} 已有人用", "values": {"name": "丁一", "phone": phone}}
    shown = mask_note(kind, note)
    assert shown == {"action": "create", "reason": "电话 139****5678 已有人用", "values": {"name": "丁一", "phone": "139****5678"}}
    refused = {"action": "import", "kind": "ic_members", "first": {"row": 2, "column": "联系电话", "value": phone, "reason": phone},
               "summary": {"file": "members.csv"}}
    assert mask_note(None, refused)["first"] == {"row": 2, "column": "联系电话", "value": "139****5678", "reason": "139****5678"}
    assert json.dumps(mask_note(None, refused)).count(phone) == 0
