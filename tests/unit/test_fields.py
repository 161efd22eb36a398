"""Every key type and cell type: good values, bad checksums, the spellings a file may use."""

import datetime as dt
from decimal import Decimal

import pytest

from xiaoqi.core import fields as f
from xiaoqi.core.i18n import set_lang

GOOD_USCC = "91110000600037341L"  # a published certificate number with a valid check character
GOOD_ID = "11010519491231002X"


with_check_uscc = f.uscc_with_check
with_check_id = f.id_number_with_check


def test_uscc_good_and_normalised():
    assert f.parse_uscc(GOOD_USCC) == GOOD_USCC
    assert f.parse_uscc(" 91110000600037341l ") == GOOD_USCC


@pytest.mark.parametrize("bad,reason", [
    ("91110000600037341A", "校验位错误（最后一位应为 L）"),
    ("9111000060003734", "应为18位"),
    ("91110000600037341LX", "应为18位"),
    ("9111000060003734IL", "无效字符"),
])
def test_uscc_bad(bad, reason):
    with pytest.raises(ValueError, match=reason.replace("（", r"\（").replace("）", r"\）")):
        f.parse_uscc(bad)


def test_uscc_generated_check_characters_validate():
    for body in ("91410100MA1G2K3L4", "91320500MA1MXXXX0", "52110000500000000"):
        code = with_check_uscc(body)
        assert f.parse_uscc(code) == code


def test_idcard_good_with_x_and_birth_date():
    assert f.parse_idcard(GOOD_ID.lower()) == GOOD_ID
    assert f.birth_date(GOOD_ID) == dt.date(1949, 12, 31)


@pytest.mark.parametrize("bad,reason", [
    ("110105194912310021", "校验位错误"),
    ("11010519491231002", "应为18位"),
    ("1101051949123100AX", "无效字符"),
    (with_check_id("11010519490231002"), "出生日期无效"),
])
def test_idcard_bad(bad, reason):
    with pytest.raises(ValueError, match=reason):
        f.parse_idcard(bad)


def test_idcard_message_in_english():
    set_lang("en")
    with pytest.raises(ValueError, match="check digit is wrong"):
        f.parse_idcard("110105194912310021")


def test_mask_id():
    assert f.mask_id(GOOD_ID) == "110105********002X"


@pytest.mark.parametrize("value", ["4132012345", 4132012345, 4132012345.0])
def test_code10(value):
    assert f.parse_code10(value) == "4132012345"


@pytest.mark.parametrize("value", ["413201234", "41320123456", "413201234a"])
def test_code10_bad(value):
    with pytest.raises(ValueError, match="10位"):
        f.parse_code10(value)


def test_region():
    assert f.parse_region("320100") == "320100"
    assert f.parse_region(410102) == "410102"
    for bad in ("990100", "32010", "3201000"):
        with pytest.raises(ValueError, match="行政区划"):
            f.parse_region(bad)


def test_digits_keep_leading_zero_from_excel_numbers():
    assert f.parse_digits(51, 4) == "0051"
    assert f.parse_digits("0051", 4) == "0051"


@pytest.mark.parametrize("value,expected", [
    ("2025-03-01", dt.date(2025, 3, 1)), ("2025/3/1", dt.date(2025, 3, 1)), ("2025.3.1", dt.date(2025, 3, 1)),
    ("2025年3月1日", dt.date(2025, 3, 1)), ("20250301", dt.date(2025, 3, 1)),
    ("2025-03-01 00:00:00", dt.date(2025, 3, 1)), (dt.datetime(2025, 3, 1, 0, 0), dt.date(2025, 3, 1)),
    (dt.date(2025, 3, 1), dt.date(2025, 3, 1)), (45717, dt.date(2025, 3, 1)),
])
def test_dates(value, expected):
    assert f.parse_date(value) == expected


@pytest.mark.parametrize("value", ["2025-02-30", "03/01/2025", "明天", "2025-13-01"])
def test_dates_bad(value):
    with pytest.raises(ValueError, match="日期"):
        f.parse_date(value)


@pytest.mark.parametrize("value,expected", [
    ("3000", Decimal("3000.00")), ("3,000.50", Decimal("3000.50")), ("¥4800", Decimal("4800.00")),
    (3000.1, Decimal("3000.10")), (4800, Decimal("4800.00")), ("4800元", Decimal("4800.00")),
])
def test_money(value, expected):
    result = f.parse_money(value)
    assert result == expected and isinstance(result, Decimal)
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", ["-1", "12.345", "abc", True, "NaN"])
def test_money_bad(value):
    with pytest.raises(ValueError, match="金额"):
        f.parse_money(value)


@pytest.mark.parametrize("value,expected", [("是", True), ("否", False), ("TRUE", True), ("0", False), ("y", True), (1, True)])
def test_bool(value, expected):
    assert f.parse_bool(value) is expected


def test_bool_bad():
    with pytest.raises(ValueError, match="是/否"):
        f.parse_bool("也许")


def test_list_separators():
    assert f.parse_list("押金、培训费,管理费;材料费|就业服务费，报酬提成；x") == (
        "押金", "培训费", "管理费", "材料费", "就业服务费", "报酬提成", "x")
    assert f.parse_list("") == ()


def test_int():
    assert f.parse_int("1,200") == 1200
    assert f.parse_int(12.0) == 12
    for bad in ("-3", "1.5", 1.5, True):
        with pytest.raises(ValueError, match="整数"):
            f.parse_int(bad)


def test_whole_months_counts_each_complete_month_from_the_start():
    """``whole_months`` against its definition counted month by month: the m-th month ends the day
    before the m-th anniversary (the day clamped to the month's end), and counts if that is not
    after the end."""
    import calendar
    import datetime as dt
    import random

    from xiaoqi.core.fields import whole_months

    def counted(start, end):
        months = 0
        while True:
            total = start.month + months
            year, month = start.year + total // 12, total % 12 + 1
            if dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1])) - dt.timedelta(days=1) > end:
                return months
            months += 1

    rng = random.Random(7)
    for _ in range(20_000):
        start = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(2000))
        end = start + dt.timedelta(days=rng.randrange(-40, 1500))
        assert whole_months(start, end) == counted(start, end), (start, end)
    assert whole_months(dt.date(2025, 3, 1), dt.date(2025, 5, 31)) == 3
    assert whole_months(dt.date(2025, 3, 1), dt.date(2025, 5, 30)) == 2 and whole_months(dt.date(2025, 3, 1), dt.date(2025, 2, 27)) == 0
