"""The 1+X demo data: three organisations, six certificates (one withdrawn), sites in two schools,
two years of sessions, results and conversions; every X-… error in it is a planted violation in
the manifest, and every planted one is found."""

from __future__ import annotations

import sqlalchemy as sa

from xiaoqi.core.db import make_engine


def test_the_demo_has_two_years_in_two_schools_and_only_planted_violations(demo_db, xiaoqi_cli):
    url, manifest = demo_db
    engine = make_engine(url)
    with engine.connect() as conn:
        one = lambda sql: conn.execute(sa.text(sql)).scalar_one()  # noqa: E731
        assert (one("SELECT COUNT(*) FROM onex_organisations"), one("SELECT COUNT(*) FROM onex_certificates")) == (3, 6)
        assert one("SELECT COUNT(DISTINCT school_code) FROM onex_sites") == 2
        years = {str(r[0])[:4] for r in conn.execute(sa.text("SELECT held_on FROM onex_sessions"))}
        assert {"2024", "2025"} <= years
        assert one("SELECT COUNT(*) FROM onex_results") > 200 and one("SELECT COUNT(*) FROM onex_conversions") > 100
        assert one("SELECT COUNT(*) FROM onex_certificates WHERE valid_to IS NOT NULL") == 1
    engine.dispose()
    assert manifest.counts["onex_certificates"] == 6
    findings = xiaoqi_cli("check", "--format", "json", db=url).json["findings"]
    found = {(f["rule"], f["subject_key"]) for f in findings if f["rule"].startswith("X-") and f["severity"] == "error"}
    planted = {(rule, key) for rule, keys in manifest.violations.items() if rule.startswith("X-") for key in keys}
    assert found == planted and {rule for rule, _ in planted} == {
        "X-SITE-NOT-ACCREDITED", "X-SESSION-CAPACITY", "X-ISSUED-WITHOUT-PASS", "X-CONVERSION-NO-CERTIFICATE",
        "X-CONVERSION-RULE-NOT-IN-FORCE", "X-CONVERSION-TWICE", "X-REGISTRATION-WITHDRAWN", "X-CANDIDATE-WITHDRAWN", "X-FEE-HARDSHIP"}
