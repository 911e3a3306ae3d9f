"""The audit log: every look at someone else's personal data and every money movement (docs/security.md).
Call these functions from the view or service that does the looking or moving; the table is append-only
(a database trigger refuses UPDATE and DELETE)."""

from levenlang.core.models import AuditEvent, User

__all__ = [
    "record_login",
    "record_money_movement",
    "record_view",
    "record_views",
]


def record_view(actor, resident, *, reason: str, request=None, export: bool = False) -> AuditEvent | None:
    """Record that `actor` saw the personal data of `resident`. A resident looking at their own data is
    not someone else's data and is not recorded."""
    if _is_self(actor, resident):
        return None
    action = AuditEvent.Action.EXPORT_PERSONAL_DATA if export else AuditEvent.Action.VIEW_PERSONAL_DATA
    return _record(actor, action, reason=reason, request=request, subject_person=resident.uuid, obj=resident)


def record_change(actor, resident, *, reason: str, request=None) -> AuditEvent:
    """Record that `actor` changed (or added, or deleted) the personal data of `resident`; the Django admin's own
    LogEntry says which fields, this log says whose data."""
    return _record(
        actor,
        AuditEvent.Action.CHANGE_PERSONAL_DATA,
        reason=reason,
        request=request,
        subject_person=resident.uuid,
        obj=resident,
    )


def record_views(actor, residents, *, reason: str, request=None) -> None:
    """`record_view` for a list that shows many residents at once: one line per other person, in one INSERT."""
    AuditEvent.objects.bulk_create(
        [
            _event(
                actor,
                AuditEvent.Action.VIEW_PERSONAL_DATA,
                reason=reason,
                request=request,
                subject_person=resident.uuid,
                obj=resident,
            )
            for resident in {(r._meta.label, r.pk): r for r in residents}.values()
            if not _is_self(actor, resident)
        ]
    )


def record_login(user, *, request=None) -> AuditEvent:
    """Record that `user` logged in (how: the path of the login step); the subject is the user themselves."""
    return _record(user, AuditEvent.Action.LOGIN, reason="Logged in", request=request, subject_person=user.uuid)


def _is_self(actor, person) -> bool:
    """Whether `person` (a resident, or a user account without a resident) is the actor themselves."""
    user_id = person.pk if isinstance(person, User) else person.user_id
    return user_id is not None and user_id == actor.pk


def record_money_movement(actor, *, amount_cents: int, obj, reason: str, subject_person=None) -> AuditEvent:
    """Record a money movement (a journal of the ledger) with who started it."""
    return _record(
        actor,
        AuditEvent.Action.MONEY_MOVEMENT,
        reason=reason,
        obj=obj,
        amount_cents=amount_cents,
        subject_person=subject_person,
    )


def _record(actor, action, **details) -> AuditEvent:
    event = _event(actor, action, **details)
    event.save()
    return event


def _event(actor, action, *, reason, request=None, subject_person=None, obj=None, amount_cents=None) -> AuditEvent:
    authenticated = actor is not None and actor.is_authenticated
    return AuditEvent(
        actor=actor if authenticated else None,
        actor_role=actor.role if authenticated else "",
        action=action,
        subject_person=subject_person,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(getattr(obj, "uuid", "") or getattr(obj, "pk", "")) if obj is not None else "",
        amount_cents=amount_cents,
        reason=reason[:200],
        path=request.path[:300] if request is not None else "",
    )
