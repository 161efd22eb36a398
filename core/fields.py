"""Parsing and validation of one cell of each column type (the types are listed in docs/kinds.md).

Each parser takes what a file, a form or a service caller gives (text, a number, a date, None)
and returns the canonical Python value, or raises ``ValueError`` whose message is the reason in
the current language. The same parsers serve import, services, the TUI forms and the demo data.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .i18n import catalogue, t
from .lazy import lazy_module

# python-stdnum imports pydoc and sysconfig (about 0.1 s on a busy machine): imported by the first
# check of an ID number or a USCC, not by every command that names a column type
ric = lazy_module("stdnum.cn.ric", globals(), "ric")
uscc = lazy_module("stdnum.cn.uscc", globals(), "uscc")

catalogue(
    {
        "v.required": ("必填，不能为空", "is required"),
        "v.code10": ("应为10位数字的学校代码", "must be a 10-digit school code"),
        "v.digits": ("应为{n}位数字", "must be {n} digits"),
        "v.uscc.length": ("统一社会信用代码应为18位", "a USCC has 18 characters"),
        "v.uscc.checksum": ("统一社会信用代码校验位错误（最后一位应为 {expected}）", "USCC check character is wrong (the last one should be {expected})"),
        "v.uscc.format": ("统一社会信用代码含有无效字符", "USCC has invalid characters"),
        "v.idcard.length": ("身份证号应为18位", "an ID number has 18 characters"),
        "v.idcard.checksum": ("身份证号校验位错误（最后一位应为 {expected}）", "ID number check digit is wrong (the last one should be {expected})"),
        "v.idcard.birth": ("身份证号中的出生日期无效", "the birth date inside the ID number is not a valid date"),
        "v.idcard.format": ("身份证号含有无效字符", "ID number has invalid characters"),
        "v.region": ("应为6位行政区划代码（GB/T 2260），前两位为省级代码", "must be a 6-digit GB/T 2260 region code starting with a province code"),
        "v.date": ("无法识别的日期，请写成 2025-03-01 或 2025/3/1", "not a date; write it as 2025-03-01 or 2025/3/1"),
        "v.money": ("金额应为不小于0的数字，最多两位小数", "an amount must be a number ≥ 0 with at most 2 decimals"),
        "v.money.big": ("金额过大", "amount too large"),
        "v.int": ("应为不小于0的整数", "must be a whole number ≥ 0"),
        "v.int.big": ("数值过大（最大 {n}）", "too large (at most {n})"),
        "v.text.control": ("含有控制字符 {char}（如 NUL、ESC 或改变文字方向的字符），不能保存；请删除它", "holds the control character {char} (such as NUL, ESC or a text-direction override), which cannot be stored; remove it"),
        "v.hours": ("应为0到24之间的小时数，最多一位小数，如 7.5", "must be hours between 0 and 24 with at most one decimal, e.g. 7.5"),
        "v.work_region": ("应为6位行政区划代码（GB/T 2260），境外实习填写国家或地区代码（ISO 3166-1，如 TH、HK）或名称", "must be a 6-digit GB/T 2260 region code, or for work abroad a country or territory code (ISO 3166-1, e.g. TH, HK) or name"),
        "v.bool": ("应为 是/否（也可写 true/false、1/0、Y/N）", "must be 是/否 (or true/false, 1/0, Y/N)"),
        "v.choice": ("应为以下之一：{choices}", "must be one of: {choices}"),
        "v.text.long": ("太长（最多{n}个字符）", "too long (at most {n} characters)"),
        "v.term": ("学期应写作 2025-2026-1（学年起止年份与第1或第2学期）", "a term is written 2025-2026-1 (the school year and term 1 or 2)"),
    }
)

PROVINCES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林",
    "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西",
    "37": "山东", "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃",
    "63": "青海", "64": "宁夏", "65": "新疆", "71": "台湾", "81": "香港", "82": "澳门",
}

_BLANK = {"", "-", "—", "无"}


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in _BLANK
    return False


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


#: characters a text value may not hold: C0 controls but tab and line ends, DEL, C1 controls,
#: the bidirectional embeddings, overrides and isolates (they reorder what a reader sees), lone
#: surrogates (not text; no database can store them)
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: what a spreadsheet may run as a formula (OWASP "CSV injection"): an export writes such a text
#: with a leading apostrophe, which the import takes off again
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_text(s: str) -> str:
    """``s`` unless it holds a character no register should store (``CONTROL``)."""
    found = CONTROL.search(s)
    if found:
        raise ValueError(t("v.text.control", char=f"U+{ord(found.group()):04X}"))
    return s


def _digits(s: str) -> bool:
    """ASCII digits only (``str.isdigit`` also takes ², ١ and other scripts' digits)."""
    return s.isascii() and s.isdigit()


def parse_text(value, max_len: int = 200) -> str:
    s = _text(value)
    if len(s) > max_len:
        raise ValueError(t("v.text.long", n=max_len))
    if len(s) > 1 and s[0] == "'" and s[1] in FORMULA_START:
        s = s[1:]
    return check_text(s)


def parse_digits(value, n: int) -> str:
    s = _text(value)
    # Excel drops leading zeros of numbers: a region code never starts with 0, a major code may
    if isinstance(value, (int, float)) and len(s) < n:
        s = s.zfill(n)
    if len(s) != n or not _digits(s):
        raise ValueError(t("v.digits", n=n))
    return s


def parse_code10(value) -> str:
    s = _text(value)
    if len(s) != 10 or not _digits(s):
        raise ValueError(t("v.code10"))
    return s


def parse_region(value) -> str:
    s = _text(value)
    if len(s) != 6 or not _digits(s) or s[:2] not in PROVINCES:
        raise ValueError(t("v.region"))
    return s


def parse_work_region(value) -> str:
    """Where an internship takes place: a region code in China, or the ISO 3166-1 alpha-2 code of
    the country or territory abroad (境外, Hong Kong, Macao and Taiwan included)."""
    from .countries import parse_country

    s = _text(value)
    if s.isdigit():
        return parse_region(s)
    try:
        code = parse_country(s)
    except ValueError:
        raise ValueError(t("v.work_region")) from None
    if code == "CN":  # a place in China is named by its region code
        raise ValueError(t("v.work_region"))
    return code


#: GB/T 2260 codes of places that count as 境外 (abroad) for internships: Taiwan, Hong Kong, Macao
ABROAD_PROVINCES = ("71", "81", "82")


def parse_uscc(value) -> str:
    s = _text(value).upper().replace(" ", "")
    if len(s) != 18:
        raise ValueError(t("v.uscc.length"))
    try:
        uscc.validate(s)
    except Exception as exc:
        from stdnum.exceptions import ValidationError

        if not isinstance(exc, ValidationError):
            raise
        if type(exc).__name__ == "InvalidChecksum":
            raise ValueError(t("v.uscc.checksum", expected=uscc.calc_check_digit(s[:17]))) from None
        raise ValueError(t("v.uscc.format")) from None
    return s


def uscc_with_check(body17: str) -> str:
    """The 统一社会信用代码 whose first 17 characters are ``body17``: its check character added."""
    return body17 + uscc.calc_check_digit(body17)


def id_number_with_check(body17: str) -> str:
    """The 居民身份证号 whose first 17 digits are ``body17``: its check character added."""
    return body17 + ric.calc_check_digit(body17 + "0")


def parse_idcard(value) -> str:
    s = _text(value).upper().replace(" ", "")
    if len(s) != 18:
        raise ValueError(t("v.idcard.length"))
    if not _digits(s[:17]) or not (_digits(s[17]) or s[17] == "X"):
        raise ValueError(t("v.idcard.format"))
    try:
        dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise ValueError(t("v.idcard.birth")) from None
    expected = ric.calc_check_digit(s)
    if s[17] != expected:
        raise ValueError(t("v.idcard.checksum", expected=expected))
    return s


def birth_date(id_number: str) -> dt.date:
    """The birth date inside a (valid) 18-digit ID number."""
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def mask_id(id_number: str) -> str:
    """110101********1234: region and last four kept, birth date hidden."""
    return id_number[:6] + "*" * 8 + id_number[14:] if id_number and len(id_number) == 18 else id_number


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # an Excel serial date that reached us as a number (a CSV saved from Excel, say)
        if 20000 <= value <= 80000 and float(value).is_integer():
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        s = _text(value)
    else:
        s = _text(value)
    if len(s) == 8 and _digits(s):
        s = f"{s[:4]}-{s[4:6]}-{s[6:]}"
    # "2025-03-01 00:00:00" as a spreadsheet may print a date cell
    if len(s) > 10 and s[10] in " T" and s[11:].replace(":", "").replace(".", "").strip("0") == "":
        s = s[:10]
    m = _DATE_RE.match(s)
    if not m:
        raise ValueError(t("v.date"))
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(t("v.date")) from None


_CENT = Decimal("0.01")
_MONEY_MAX = Decimal("999999999999.99")


def parse_money(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(t("v.money"))
    if isinstance(value, float):
        value = repr(value)  # the shortest text that round-trips: 3000.1 not 3000.0999...
    s = _text(value).replace(",", "").replace("，", "").lstrip("¥￥").removesuffix("元").strip()
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise ValueError(t("v.money")) from None
    if not d.is_finite() or d < 0:
        raise ValueError(t("v.money"))
    if d > _MONEY_MAX:  # before quantize, which cannot hold 1e26 at two decimals
        raise ValueError(t("v.money.big"))
    if d != d.quantize(_CENT, rounding=ROUND_HALF_UP):
        raise ValueError(t("v.money"))
    return d.quantize(_CENT)


#: integer columns are 32-bit on PostgreSQL: the same bound on SQLite, so that a value is
#: refused alike on both databases, before either is asked
INT_MAX = 2**31 - 1


def parse_int(value) -> int:
    if isinstance(value, bool):
        raise ValueError(t("v.int"))
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(t("v.int"))
        value = int(value)
    s = _text(value).replace(",", "")
    if not _digits(s):
        raise ValueError(t("v.int"))
    if len(s.lstrip("0")) > 10 or int(s) > INT_MAX:
        raise ValueError(t("v.int.big", n=f"{INT_MAX:,}"))
    return int(s)


_HOURS_MAX = Decimal(24)
_TENTH = Decimal("0.1")


def parse_hours(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(t("v.hours"))
    if isinstance(value, float):
        value = repr(value)
    s = _text(value).removesuffix("小时").removesuffix("h").strip()
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise ValueError(t("v.hours")) from None
    if not d.is_finite() or d < 0 or d > _HOURS_MAX or d != d.quantize(_TENTH, rounding=ROUND_HALF_UP):
        raise ValueError(t("v.hours"))
    return d.quantize(_TENTH)


_TERM = re.compile(r"^(\d{4})\s*[-–—~至]\s*(\d{4})\s*(?:学年)?\s*[-—]?\s*(?:第)?\s*([12一二])\s*(?:学期)?$")


def parse_term(value) -> str:
    """A school term as ``2025-2026-1`` (the school year's two calendar years, then term 1 or 2):
    accepts 2025-2026-1, 2025-2026学年第一学期, 2025~2026-2 ..."""
    match = _TERM.match(parse_text(value))
    if not match or int(match[2]) != int(match[1]) + 1:
        raise ValueError(t("v.term"))
    return f"{match[1]}-{match[2]}-{'1' if match[3] in ('1', '一') else '2'}"


_TRUE = {"是", "true", "1", "y", "yes", "t", "对", "有"}
_FALSE = {"否", "false", "0", "n", "no", "f", "错", "无"}


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    s = _text(value).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(t("v.bool"))


#: what people write for "nothing" in a list cell (收费项目 无, 没有, none ...): not an item
NONE_WORDS = frozenset({"无", "没有", "无收费", "不收费", "未收费", "未扣押", "否", "none", "no", "n/a", "na", "nil", "null",
                        "0", "0元", "0.00", "-", "—", "/"})


def is_none_word(item: str) -> bool:
    return item.strip().lower() in NONE_WORDS


LIST_SEPARATORS = re.compile(r"[、,，;；|]")
LIST_JOIN = "、"


def parse_list(value) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        items = [_text(v) for v in value]
    else:
        items = LIST_SEPARATORS.split(_text(value))
    return tuple(i.strip() for i in items if i and i.strip())


def format_bool(value: bool | None, lang: str = "zh") -> str:
    if value is None:
        return ""
    if lang == "zh":
        return "是" if value else "否"
    return "true" if value else "false"


def format_percent(share, places: int | None = None) -> str:
    """A share (0.25) as a percentage ("25%"), rounded to ``places`` decimals (None: as exact as it
    is), without trailing zeros: ``format_percent(Decimal("0.12345"), 1)`` is "12.3%"."""
    value = Decimal(share) * 100
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{value.normalize():f}%"


def whole_months(start: dt.date, end: dt.date) -> int:
    """Complete months from ``start`` to ``end``, both days included: 2025-03-01 to 2025-05-31 is 3,
    to 2025-05-30 is 2 (a month from the 31st ends on the last day of the shorter month)."""
    import calendar

    # the largest m whose m-th monthly anniversary of ``start``, less a day, is not after ``end``:
    # from an upper bound down (a step or two) rather than up from 0 (a step a month)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    while months > 0:
        total = start.month - 1 + months
        year, month = start.year + total // 12, total % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        if dt.date(year, month, day) - dt.timedelta(days=1) <= end:
            return months
        months -= 1
    return 0
