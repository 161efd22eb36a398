"""Import on PostgreSQL: COPY for new rows, the same validation, idempotent re-import, and a bad
file that leaves the database unchanged."""

from __future__ import annotations

import pytest

from tests.cli.test_import_cli import ORDER, assert_audit_snapshots_match_records, kind_file, records, table_contents


@pytest.mark.pg
@pytest.mark.parametrize("xiaoqi_backend", ["pg"], indirect=True)
def test_import_on_postgresql_round_trips_and_is_idempotent(demo_db, xiaoqi_cli, xiaoqi_db_url, tmp_path):
    source = demo_db[0]
    for kind in ORDER:
        result = xiaoqi_cli("import", kind, kind_file(tmp_path, source, kind, "xlsx"))
        assert result.exit_code == 0, (kind, result.output, result.stderr)
        assert records(xiaoqi_db_url, kind) == records(source, kind), kind
    # the snapshots PostgreSQL built (json_build_object) read as the services' own
    assert assert_audit_snapshots_match_records(xiaoqi_db_url, ORDER) == sum(len(records(source, k)) for k in ORDER)
    before = table_contents(xiaoqi_db_url)
    again = xiaoqi_cli("import", "internships", tmp_path / "internships.xlsx")
    assert "新建 0，修改 0" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_text((tmp_path / "schools.xlsx").name and "学校代码,学校名称,办学层次,所在地区代码\n4132012345,甲学院,高职,320100\n123,乙,高职,320100\n",
                   encoding="utf-8")
    assert xiaoqi_cli("import", "schools", bad).exit_code == 1
    after = table_contents(xiaoqi_db_url)
    assert {k: v for k, v in after.items() if k != "import_batches"} == {k: v for k, v in before.items() if k != "import_batches"}
    changed = tmp_path / "changed.csv"
    code = records(xiaoqi_db_url, "schools")[0][0]
    changed.write_text(f"学校代码,学校名称,办学层次,所在地区代码\n{code},改名学院,高职,320100\n", encoding="utf-8")
    assert "修改 1" in xiaoqi_cli("import", "schools", changed).output
    exported = xiaoqi_cli("export", "internships", "--format", "json", "--reveal")
    assert exported.exit_code == 0 and len(exported.json) == len(records(source, "internships"))
