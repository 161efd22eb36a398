"""The national internship rules (《职业学校学生实习管理规定》, 教职成〔2021〕4号), with their national
defaults. Each rule lives in ``internships.py`` (one-query rules), ``ratios.py`` (concurrent interns
counted day by day) or ``insurance.py`` (coverage unions and premiums); ``rules2016.py`` holds the
versions that judge internships started under the 2016 rule (教职成〔2016〕3号); the
apprenticeship rules (企业新型学徒制, 2021) live in ``apprenticeship.py``."""

from __future__ import annotations

from xiaoqi.core import hookimpl


@hookimpl
def xiaoqi_quota_ratio_target(region, on, config):
    """APP-QUOTA-RATIO's ``min_ratio`` for the region and day (None while nobody has set one, or
    when the rule is not loaded)."""
    from . import apprenticeship

    return apprenticeship.ratio_target(region, on, config)


@hookimpl(tryfirst=True)
def xiaoqi_demo_plant(demo):
    from . import demo as planted

    planted.plant(demo)


@hookimpl(tryfirst=True)
def xiaoqi_demo_data(session, manifest):
    # before the other plugins' demo data, which is built on the registry as these leave it
    from . import demo as planted

    planted.apprenticeship(session, manifest)


@hookimpl
def xiaoqi_register_rules():
    from . import apprenticeship, insurance, internships, ratios, rules2016

    return [*internships.RULES, *rules2016.RULES, *ratios.RULES, *insurance.RULES, *apprenticeship.RULES]
