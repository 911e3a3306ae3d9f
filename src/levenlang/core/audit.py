"""The audit log: every look at someone else's personal data and every money movement (docs/security.md).
Call these functions from the view or service that does the looking or moving; the table is append-only
(a database trigger refuses UPDATE and DELETE)."""

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.utils.translation import gettext

from levenlang.core.models import AuditEvent, User

__all__ = [
    "AuditEntry",
    "SystemActor",
    "acting_as",
    "as_system",
    "entries",
    "person_name",
    "record_login",
    "record_money_movement",
    "record_view",
    "record_views",
    "register_namer",
]

SystemActor = AuditEvent.SystemActor
_system_actor: ContextVar[str] = ContextVar("levenlang_system_actor", default="")


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Everything recorded inside without a logged-in person was done by this job or command."""
    token = _system_actor.set(actor)
    try:
        yield
    finally:
        _system_actor.reset(token)


def as_system(actor: str) -> Callable:
    """`acting_as` for a whole task or command: `@as_system(SystemActor.EXPIRY_CHECK)`."""

    def wrap(function: Callable) -> Callable:
        @functools.wraps(function)
        def run(*args, **kwargs):
            with acting_as(actor):
                return function(*args, **kwargs)

        return run

    return wrap


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
        system_actor="" if authenticated else _system_actor.get(),
        action=action,
        subject_person=subject_person,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(getattr(obj, "uuid", "") or getattr(obj, "pk", "")) if obj is not None else "",
        amount_cents=amount_cents,
        reason=reason[:200],
        path=request.path[:300] if request is not None else "",
    )


# --- the log as a person reads it ------------------------------------------------------------------------------

# object_type ("residents.Resident") -> a function from object ids to names a person reads. The apps that own the
# objects register theirs when they load (core cannot import them); an object without a name shows its kind only.
Namer = Callable[[list[str]], dict[str, str]]
_NAMERS: dict[str, Namer] = {}
PERSON = "residents.Resident"
ACCOUNT = "core.User"


def register_namer(object_type: str, namer: Namer) -> None:
    _NAMERS[object_type] = namer


@dataclass(frozen=True)
class AuditEntry:
    event: AuditEvent
    who: str
    person: str  # whose data, by name; "" when nobody's
    person_id: str  # for the filter link; never shown
    subject: str  # what it was about, in words; "" when that is the person
    reason: str


def _names(events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.object_type and event.object_id:
            wanted[event.object_type].add(event.object_id)
        if event.subject_person:
            wanted[PERSON].add(str(event.subject_person))
    names: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        namer = _NAMERS.get(object_type)
        found = namer(sorted(ids)) if namer else {}
        names |= {(object_type, i): name for i, name in found.items()}
    # A login, or a look at a user account, is about a user: named by the account when no resident has that uuid.
    accounts = [i for i in wanted[PERSON] | wanted[ACCOUNT] if (PERSON, i) not in names]
    for user in User.objects.filter(uuid__in=accounts) if accounts else []:
        names[(PERSON, str(user.uuid))] = names[(ACCOUNT, str(user.uuid))] = user.display_name
    return names


def person_name(person_id: str) -> str:
    """The name of the person with this resident uuid, for the log's filter ("only about …")."""
    return _names([AuditEvent(subject_person=person_id)]).get((PERSON, person_id), gettext("(no longer known)"))


def _who(event: AuditEvent) -> str:
    if event.actor is not None:
        return f"{event.actor.display_name} ({event.get_actor_role_display()})"
    return str(event.get_system_actor_display() or gettext("Levenlang (automatic)"))


def entries(events: Iterable[AuditEvent]) -> list[AuditEntry]:
    """Audit events with names instead of identifiers: who (a person or a named job), whose data, about what.
    A few queries for the whole page (one per kind of object), never one per line."""
    events = list(events)
    names = _names(events)
    unknown = gettext("(no longer known)")
    rows = []
    for event in events:
        person_id = str(event.subject_person or "")
        subject = ""
        if event.object_type and event.object_type not in (PERSON, ACCOUNT):
            subject = names.get((event.object_type, event.object_id), unknown)
        rows.append(
            AuditEntry(
                event=event,
                who=_who(event),
                person=names.get((PERSON, person_id), unknown) if person_id else "",
                person_id=person_id,
                subject=subject,
                # A money movement's reason is its journal's description, a login's "Logged in": the subject and the
                # action say it in words already, in the reader's language.
                reason=""
                if event.action in (AuditEvent.Action.MONEY_MOVEMENT, AuditEvent.Action.LOGIN)
                else event.reason,
            )
        )
    return rows
