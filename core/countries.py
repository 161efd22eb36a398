"""Countries: ISO 3166-1 codes (from pycountry) and their Chinese names (pycountry's zh_CN
translation of the ISO names), for host countries of Luban Workshops and overseas work places of
internships.

A cell may hold the alpha-2 code (TH), the alpha-3 code (THA), the English name (Thailand) or the
Chinese name (泰国); the canonical value stored and exported is always the alpha-2 code.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

from .i18n import catalogue, get_lang, t

catalogue(
    {
        "v.country": (
            "不是有效的国家：请填写 ISO 3166-1 两位字母代码（如 TH）、三位代码（THA）或国名（泰国 / Thailand）",
            "not a country: give the ISO 3166-1 alpha-2 code (e.g. TH), the alpha-3 code (THA) or the name (Thailand / 泰国)",
        ),
    }
)


# where pycountry's zh_CN translation is wrong or not the usual short name (中国外交部 usage);
# its own spelling is still accepted on import
ZH_NAMES = {
    "KH": "柬埔寨", "KG": "吉尔吉斯斯坦", "BD": "孟加拉国", "GT": "危地马拉", "KR": "韩国", "KP": "朝鲜",
    "LA": "老挝", "MD": "摩尔多瓦", "IR": "伊朗", "SY": "叙利亚", "VE": "委内瑞拉", "BO": "玻利维亚",
    "MT": "马耳他", "PF": "法属波利尼西亚", "SZ": "斯威士兰", "CG": "刚果（布）", "CD": "刚果（金）", "TW": "中国台湾",
}


@lru_cache(maxsize=1)
def _zh() -> gettext.NullTranslations:
    import pycountry

    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:  # a pycountry build without its locales: English names only
        return gettext.NullTranslations()


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    """Every accepted spelling (upper-cased) -> alpha-2 code."""
    import pycountry

    zh = _zh()
    out: dict[str, str] = {}
    for c in pycountry.countries:
        names = {c.alpha_2, c.alpha_3, c.name, getattr(c, "common_name", None), getattr(c, "official_name", None),
                 zh.gettext(c.name), ZH_NAMES.get(c.alpha_2)}
        for name in names - {None}:
            out.setdefault(name.upper(), c.alpha_2)
    return out


def parse_country(value) -> str:
    """The ISO 3166-1 alpha-2 code of a cell; ValueError naming the accepted forms otherwise."""
    text = str(value).strip()
    code = _lookup().get(text.upper())
    if code is None:
        raise ValueError(t("v.country"))
    return code


def country_name(code: str | None, lang: str | None = None) -> str:
    """泰国 / Thailand for TH (the code itself if it is not an ISO country)."""
    import pycountry

    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    if (lang or get_lang()) == "zh":
        return ZH_NAMES.get(code) or _zh().gettext(country.name)
    return name
