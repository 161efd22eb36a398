"""Login names: a malformed name and a reserved one are refused, each with the reason that applies."""

from __future__ import annotations

import pytest

from xiaoqi.core.errors import UsageError
from xiaoqi.core.i18n import reset_lang, set_lang
from xiaoqi.core.logins import check_login_name


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_refusal_names_its_own_reason(lang):
    token = set_lang(lang)
    try:
        assert check_login_name("school_hr_1") == "school_hr_1"
        with pytest.raises(UsageError) as malformed:
            check_login_name("School-HR")
        with pytest.raises(UsageError) as reserved:
            check_login_name("xiaoqi_bench_school")
        with pytest.raises(UsageError) as reserved_pg:
            check_login_name("pg_monitor2")
    finally:
        reset_lang(token)
    # the well-formed but reserved name is not told to "use lowercase letters"
    assert str(malformed.value) != str(reserved.value)
    for refusal, name in ((reserved, "xiaoqi_bench_school"), (reserved_pg, "pg_monitor2")):
        text = str(refusal.value)
        assert name in text and "pg_" in text and "xiaoqi_" in text
    if lang == "en":
        assert "lowercase" in str(malformed.value) and "lowercase" not in str(reserved.value)
    else:
        assert "小写字母" in str(malformed.value) and "小写字母" not in str(reserved.value)
