"""The command palette (Ctrl+P): go to any screen, or find a school, an enterprise, a student or an
internship by name or key and open it. The registry is searched through the services in a thread
(``asyncio.to_thread``), limited to what the actor may see; keys are matched by prefix (indexed),
names by part."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from xiaoqi.core.db import read_session
from xiaoqi.core.kinds import get_kind

from .i18n import t

#: hits per kind and per way of matching
LIMIT = 5
#: kinds searched by name or key: (kind, key column, name column)
SEARCHED = (("schools", "school_code", "name"), ("enterprises", "uscc", "name"), ("students", "id_number", "name"))


def registry_hits(engine, actor, query: str) -> list[tuple[str, str, str]]:
    """``(kind, key, label)`` of the records matching ``query``: keys by prefix, names by part;
    internships by their student's ID number or name."""
    query = query.strip()
    if not query:
        return []
    keyish = query.isascii() and query.isalnum()
    hits: dict[tuple[str, str], str] = {}
    named_students: dict[str, str] = {}
    with read_session(engine) as session:
        def find(kind_name: str, filters: dict) -> list:
            kind = get_kind(kind_name)
            from xiaoqi.core.services import list_records  # the palette's search only: SQLModel stays out of the TUI's start

            return list_records(session, actor=actor, kind=kind, filters=filters, limit=LIMIT).rows

        for kind_name, key_col, name_col in SEARCHED:
            kind = get_kind(kind_name)
            found = find(kind_name, {key_col: query.upper() + "*"}) if keyish else []
            found += find(kind_name, {name_col: query})
            for obj in found:
                key = kind.key_of(kind.export_values(obj))
                hits.setdefault((kind_name, key), f"{obj.name}  {getattr(obj, key_col)}")
                if kind_name == "students":
                    named_students[obj.id_number] = obj.name
        internships = get_kind("internships")
        found = find("internships", {"id_number": query.upper() + "*"}) if keyish else []
        for id_number in list(named_students)[:LIMIT]:
            found += find("internships", {"id_number": id_number})
        for obj in found:
            key = internships.key_of(internships.export_values(obj))
            who = named_students.get(obj.id_number, obj.id_number)
            hits.setdefault(("internships", key), f"{who}  {obj.kind}  {obj.start_on.isoformat()} – {obj.end_on.isoformat()}")
    return [(kind, key, label) for (kind, key), label in hits.items()]


class XiaoqiCommands(Provider):
    """Screens of the app, and records of the registry."""

    def _sections(self):
        for section in self.app.sections:
            yield section, t("tui.palette.open", title=section.label), partial(self.app.open_section, section.id)

    async def discover(self) -> Hits:
        for _section, text, command in self._sections():
            yield DiscoveryHit(text, command, help=t("tui.palette.screen"))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for _section, text, command in self._sections():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, help=t("tui.palette.screen"))
        app = self.app
        try:
            found = await asyncio.to_thread(registry_hits, app.engine, app.actor, query)
        except Exception as exc:  # a failed lookup is a notification, the palette stays usable
            app.show_error(exc)
            return
        for kind_name, key, label in found:
            kind = get_kind(kind_name)
            text = t("tui.palette.hit", kind=kind.label(), label=label)
            score = max(matcher.match(text), 0.5)
            yield Hit(score, matcher.highlight(text), partial(app.open_record, kind_name, key),
                      help=t("tui.palette.hit.help", key=key))
