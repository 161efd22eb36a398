"""The permission matrix by enumeration: for every record kind (plugins' included) × action (read,
create, update, delete, reveal) × actor type (admin, auditor, province, school, enterprise), on the
demo data, on SQLite and PostgreSQL, the services do exactly what the kind's declaration says — a
stored record inside the actor's scope is read, changed, deleted, re-created (as a duplicate) or
revealed; one outside it is refused, reads as missing, or stays masked. And ``docs/permissions.md``
is the table generated from those declarations."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from xiaoqi.core.access import ACTOR_TYPES, WRITES, rows_allowed, stored_allowed
from xiaoqi.core.actors import Actor
from xiaoqi.core.db import make_engine
from xiaoqi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiaoqi.core.kinds import get_kinds
from xiaoqi.core.privacy import present
from xiaoqi.core.services import create_record, delete_record, get_record, update_record

from ..conftest import DEMO_TODAY

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
#: refusals: a write refused outright, or a reference outside the writer's scope read as missing
REFUSED = (PermissionDenied, NotFound, ValidationFailed)


@pytest.fixture
def demo_engine(request, xiaoqi_backend):
    """The small demo: on SQLite a copy of the session's (tests/conftest.py), on PostgreSQL
    generated afresh (this is the module's only test there)."""
    if xiaoqi_backend == "sqlite":
        url, _manifest = request.getfixturevalue("demo_db")
        engine = make_engine(url)
        yield engine
        engine.dispose()
        return
    from xiaoqi.core.db import write_session
    from xiaoqi.core.demo import generate

    engine = request.getfixturevalue("xiaoqi_engine")
    with write_session(engine) as session:
        generate(session, size="small", seed=2026, today=DEMO_TODAY)
    yield engine


def _actors(conn) -> list[Actor]:
    """One actor of each type: the school with most students, the enterprise with most interns."""
    school = conn.execute(sa.text("SELECT school_code FROM students GROUP BY school_code ORDER BY count(*) DESC, school_code LIMIT 1")).scalar_one()
    firm = conn.execute(sa.text("SELECT uscc FROM internships GROUP BY uscc ORDER BY count(*) DESC, uscc LIMIT 1")).scalar_one()
    province = conn.execute(sa.text("SELECT substr(region, 1, 2) FROM schools WHERE school_code = :s"), {"s": school}).scalar_one()
    return [Actor("admin"), Actor("auditor"), Actor("province", province), Actor("school", school), Actor("enterprise", firm)]


def _stored(session, kind) -> tuple[list[int], dict]:
    """The first 400 stored rows of ``kind``: their ids in order, and the rows by id (read once per
    kind: every write of the test is rolled back, so they stay what is stored)."""
    model = kind.model
    ids = list(session.execute(sa.select(model.id).order_by(model.id).limit(400)).scalars())
    return ids, {obj.id: obj for obj in session.execute(sa.select(model).where(model.id.in_(ids))).scalars()}


def _sample(session, kind, actor, action: str, stored) -> tuple[list, list]:
    """Stored rows of ``kind`` (``_stored``) inside and outside ``actor``'s scope for ``action`` (a few of each)."""
    ids, rows = stored
    inside = stored_allowed(session, kind, actor, action, ids)
    return [rows[i] for i in ids if i in inside][:3], [rows[i] for i in ids if i not in inside][:3]


def _values(kind, obj) -> dict:
    return kind.export_values(obj)


@BOTH
def test_every_kind_action_and_actor_type_does_what_the_declaration_says(demo_engine):
    from sqlmodel import Session

    with demo_engine.connect() as conn:
        actors = _actors(conn)
    assert [a.role for a in actors] == list(ACTOR_TYPES)
    seen = set()
    with Session(demo_engine, expire_on_commit=False) as session:
        for kind in get_kinds().values():
            rights = kind.rights
            stored = _stored(session, kind)
            for actor in actors:
                # read: a record inside the scope is found, one outside reads as missing
                inside, outside = _sample(session, kind, actor, "read", stored)
                for obj in inside:
                    assert get_record(session, actor=actor, kind=kind, key=_values(kind, obj)).id == obj.id
                for obj in outside:
                    with pytest.raises(NotFound):
                        get_record(session, actor=actor, kind=kind, key=_values(kind, obj))
                seen.add((kind.name, "read", actor.role))
                for action in WRITES:
                    can, cannot = _sample(session, kind, actor, action, stored)
                    for obj in can + cannot:
                        allowed = obj in can and rights.service is None
                        key = kind.key_of(_values(kind, obj))
                        with session.begin_nested() as savepoint:
                            try:
                                if action == "update":
                                    update_record(session, actor=actor, kind=kind, key=key, changes={})
                                elif action == "delete":
                                    delete_record(session, actor=actor, kind=kind, key=key)
                                else:  # re-creating a stored record: a duplicate if allowed, else refused
                                    create_record(session, actor=actor, kind=kind, data=_values(kind, obj))
                                outcome = "done"
                            except Conflict:  # a duplicate, or a record others still refer to
                                outcome = "done"
                            except REFUSED:
                                outcome = "refused"
                            savepoint.rollback()
                        if action == "create" and allowed:
                            # a create is judged on the new row and on its references (in read scope)
                            allowed = rows_allowed(session, kind, actor, "create", [_values(kind, obj)])[0]
                        assert outcome == ("done" if allowed else "refused"), (kind.name, action, str(actor), key, outcome)
                    seen.add((kind.name, action, actor.role))
                # reveal: personal columns in full only inside the reveal scope; refused to the others
                if rights.personal:
                    can, cannot = _sample(session, kind, actor, "reveal", stored)
                    shown_in = inside[:1]
                    if not rights.allows("reveal", actor.role):
                        if shown_in:
                            with pytest.raises(PermissionDenied):
                                present(session, actor, kind, shown_in, reveal=True)
                    else:
                        with session.begin_nested() as savepoint:
                            for obj in inside:
                                (shown,) = present(session, actor, kind, [obj], reveal=True)
                                full = obj in can
                                for column in rights.personal:
                                    value = getattr(obj, column)
                                    if value not in (None, ""):
                                        assert (shown[column] == value) == full, (kind.name, column, str(actor))
                            savepoint.rollback()
                    for obj in inside:
                        (masked,) = present(session, actor, kind, [obj])
                        for column in rights.personal:
                            value = getattr(obj, column)
                            if value not in (None, "") and len(str(value)) > 1:
                                assert masked[column] != value, (kind.name, column, str(actor))
                    seen.add((kind.name, "reveal", actor.role))
        session.rollback()
    expected = {(k.name, a, r) for k in get_kinds().values() for a in ("read", *WRITES) for r in ACTOR_TYPES}
    expected |= {(k.name, "reveal", r) for k in get_kinds().values() if k.rights.personal for r in ACTOR_TYPES}
    assert seen == expected


def test_the_read_only_actor_types_never_write_any_kind():
    for kind in get_kinds().values():
        for role in ("auditor", "province"):
            assert not any(kind.rights.allows(action, role) for action in WRITES), (kind.name, role)


def test_the_permissions_document_is_generated_from_the_declarations():
    from xiaoqi.core.permissions import permission_table

    assert DOCS.read_text(encoding="utf-8") == permission_table(), (
        "docs/permissions.md is stale: run python -m xiaoqi.core.permissions docs/permissions.md")
    for kind in get_kinds().values():
        assert f"## {kind.name} (" in DOCS.read_text(encoding="utf-8")
