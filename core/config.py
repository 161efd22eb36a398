"""The configuration file ``xiaoqi.toml`` (beside the database, or ``--config FILE``).

```toml
[params."INT-RATIO-ENTERPRISE"]
max_share = "0.10"                 # national value

[[params."APP-QUOTA-RATIO".min_ratio]]  # a value for a region from a date
region = "33"
valid_from = "2026-01-01"
value = "0.05"

[dashboard]
remind_days = 45                   # the TUI's reminders: policies and reservations due within 45 days (default 30)
```
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import unquote

from .errors import UsageError
from .i18n import catalogue, t

catalogue(
    {
        "config.missing": ("找不到配置文件 {path}。", "Configuration file not found: {path}."),
        "config.bad": ("配置文件 {path} 格式错误（第 {line} 行附近）：{reason}", "Configuration file {path} is not valid TOML (near line {line}): {reason}"),
        "config.bad_remind_days": ("配置文件中 [dashboard] remind_days 应为 1 到 {most} 之间的整数（天数），而不是 {value!r}。",
                                   "[dashboard] remind_days in the configuration file must be a whole number of days from 1 to {most}, not {value!r}."),
    }
)


def sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL (``sqlite:///relative.db``, ``sqlite:////abs.db``, with a ``+driver``
    or a ``?query``) as SQLAlchemy's ``make_url`` reads it; None for another backend or an in-memory
    database. Plain string parsing: resolving the configuration imports no SQLAlchemy."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+", 1)[0] != "sqlite":
        return None
    database = unquote(rest.partition("/")[2].partition("?")[0])
    return database if database and database != ":memory:" else None


def default_config_path(url: str) -> Path | None:
    database = sqlite_file(url)
    return Path(database).with_name("xiaoqi.toml") if database else None


def load_config(path: str | None, url: str) -> dict:
    """The parsed configuration; {} when there is no file beside the database."""
    if path:
        p = Path(path)
        if not p.exists():
            raise UsageError(t("config.missing", path=p))
    else:
        p = default_config_path(url)
        if p is None or not p.exists():
            return {}
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(t("config.bad", path=p, line=getattr(exc, "lineno", "?"), reason=exc)) from None
    except UnicodeDecodeError as exc:
        raise UsageError(t("config.bad", path=p, line="?", reason=exc)) from None


#: the reminder window of the dashboard (policies and reservations due within it), in days
REMIND_DAYS = 30
REMIND_DAYS_MOST = 366


def remind_days(config: dict | None) -> int:
    """``[dashboard] remind_days`` of the configuration (the TUI's reminder window), else 30."""
    value = ((config or {}).get("dashboard") or {}).get("remind_days", REMIND_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= REMIND_DAYS_MOST:
        raise UsageError(t("config.bad_remind_days", value=value, most=REMIND_DAYS_MOST))
    return value
