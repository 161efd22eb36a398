"""The worked example of docs/tutorial.md, examples/xiaoqi-example-region (浙江), pip-installed into a
fresh venv beside xiaoqi and used through the ``xiaoqi`` CLI on the demo database: it changes the
check results of 浙江's schools and of no one else, and its own test suite passes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .venvs import make_venv, pip_install, run, xiaoqi

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "xiaoqi-example-region"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example package (a copy, so building it leaves the repository clean) installed in a venv."""
    tmp = tmp_path_factory.mktemp("example")
    package = tmp / EXAMPLE.name
    shutil.copytree(EXAMPLE, package, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    py = make_venv(tmp / "venv")
    pip_install(py, package)
    return package, py


def check(py, url, **env) -> list[dict]:
    result = xiaoqi(py, "--db", url, "check", "--format", "json", **env)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def regions(py, url) -> dict[str, str]:
    result = xiaoqi(py, "--db", url, "records", "list", "schools", "--format", "json", "--limit", "1000")
    assert result.returncode == 0, result.stderr
    return {s["school_code"]: s["region"] for s in json.loads(result.stdout)}


@pytest.mark.xdist_group("venv")
def test_example_package_is_found_with_its_hooks(example):
    _, py = example
    result = xiaoqi(py, "plugins", "--format", "json")
    assert result.returncode == 0, result.stderr
    plugin = {p["name"]: p for p in json.loads(result.stdout)}["zhejiang"]
    assert plugin["version"] == "0.1.0" and plugin["builtin"] is False
    assert set(plugin["hooks"]) >= {
        "xiaoqi_register_models", "xiaoqi_migration_locations", "xiaoqi_register_record_kinds", "xiaoqi_register_rules",
        "xiaoqi_rule_params", "xiaoqi_register_commands", "xiaoqi_demo_data",
    }


@pytest.mark.xdist_group("venv")
def test_example_package_changes_check_results_for_zhejiang_only(example, demo_db, tmp_path):
    _, py = example
    url, _manifest = demo_db
    plain = tmp_path / "plain.db"
    shutil.copyfile(url.removeprefix("sqlite:///"), plain)
    without = check(py, f"sqlite:///{plain}", XIAOQI_DISABLE_PLUGINS="zhejiang")

    # the plugin owns a table: the database must be upgraded first, and the CLI says so
    refused = xiaoqi(py, "--db", url, "check")
    assert refused.returncode == 1 and "db upgrade" in refused.stderr
    upgraded = xiaoqi(py, "--db", url, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "zhejiang_0001" in xiaoqi(py, "--db", url, "db", "current").stdout
    with_plugin = check(py, url)

    region = regions(py, url)
    as_set = lambda findings: {json.dumps(f, sort_keys=True, ensure_ascii=False) for f in findings}  # noqa: E731
    changed = [json.loads(f) for f in as_set(without) ^ as_set(with_plugin)]
    # IC-PARTNER-VIOLATION restates the internship findings at a college's partner enterprise: a
    # college elsewhere whose partner takes 浙江's interns follows them, and nothing else changes there
    restated = [f for f in changed if f["rule"] == "IC-PARTNER-VIOLATION"]
    changed = [f for f in changed if f["rule"] != "IC-PARTNER-VIOLATION"]
    assert changed
    assert {f["uscc"] for f in restated} <= {f["subject_key"].split("/")[1] for f in changed if f["subject_kind"] == "internships"}
    assert {region[f["school_code"]][:2] for f in changed} == {"33"}
    added = {(f["rule"], f["subject_key"]) for f in changed if f in with_plugin} - {(f["rule"], f["subject_key"]) for f in without}
    rules = {rule for rule, _ in added}
    assert rules == {"ZJ-SAFETY-TRAINING", "INT-PAY-MIN"}
    # the raised pay floor applies from 2026-01-01 only; the new rule from 2025-09-01
    assert all(key.rsplit("/", 1)[1] >= "2026-01-01" for rule, key in added if rule == "INT-PAY-MIN")
    assert all(key.rsplit("/", 1)[1] >= "2025-09-01" for rule, key in added if rule == "ZJ-SAFETY-TRAINING")
    # the findings of every other province are exactly what they were
    # (findings about an enterprise or a workshop name no school)
    others = lambda findings: as_set(f for f in findings if region.get(f["school_code"], "")[:2] != "33"  # noqa: E731
                                     and f["rule"] != "IC-PARTNER-VIOLATION")
    assert others(without) == others(with_plugin)

    # a training record, added through the plugin's record kind, clears its finding
    target = next(f for f in with_plugin if f["rule"] == "ZJ-SAFETY-TRAINING")
    id_number, _uscc, start = target["subject_key"].split("/")
    added_row = xiaoqi(py, "--db", url, "records", "add", "岗前安全培训", f"学校代码={target['school_code']}",
                       f"身份证号={id_number}", f"培训日期={start}", "培训学时=8")
    assert added_row.returncode == 0, added_row.stderr
    after = check(py, url)
    assert target["subject_key"] not in {f["subject_key"] for f in after if f["rule"] == "ZJ-SAFETY-TRAINING"}

    due = xiaoqi(py, "--db", url, "zhejiang", "training-due", "--today", "2026-08-25", "--within", "60", "--format", "json")
    assert due.returncode == 0, due.stderr
    listed = json.loads(due.stdout)
    assert listed and {region[d["school_code"]][:2] for d in listed} == {"33"}
    assert all("2026-08-25" <= d["start_on"] <= "2026-10-24" for d in listed)


@pytest.mark.xdist_group("venv")
def test_example_package_passes_its_own_tests(example):
    package, py = example
    result = run(py, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=package)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
