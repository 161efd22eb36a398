"""The hook this plugin publishes (``xiaoqi_addhooks``) for other plugins to call or implement.

Intern-subsidy schemes that require a skill certificate (珠海香洲) ask which certificates and levels
a student holds on a day. Rather than import this plugin, the incentives plugin calls
``pm.hook.xiaoqi_onex_certificates_held(...)`` when the hook exists, so either works alone. Another
plugin that records certificates of its own may implement it too; each implementation returns its
own rows and the caller gets one list per plugin.
"""

from __future__ import annotations

import datetime as dt

from xiaoqi.core.hookspecs import hookspec


@hookspec
def xiaoqi_onex_certificates_held(conn, on: dt.date, id_numbers: list[str] | None) -> list[dict]:
    """Certificates held on ``on`` (of those students when ``id_numbers`` is given): dicts with id_number,
    school_code, certificate_code, certificate_name, organisation_uscc, level, rank, certificate_no, issued_on, valid_to."""
