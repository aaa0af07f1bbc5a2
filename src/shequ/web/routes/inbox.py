"""The inbox: a user's notifications (only those of their own subtree), mark read."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from ...notify import NotifyError, subscribe
from ...notify.messages import CHANNELS, DIGESTS, SEVERITIES, SEVERITY_LABELS, body, subject
from ...store import notify as store_notify
from ...store import orgunits
from ...store.tables.core import utcnow
from ..deps import Reader, StoreDep
from ..i18n import lang_of
from ..pages import page

router = APIRouter(tags=["inbox"], include_in_schema=False)


@router.get("/inbox")
def inbox_page(request: Request, store: StoreDep, user: Reader, unread: bool = False):
    """The user's messages, newest first (the last 200)."""
    lang = lang_of(request)
    with store.begin() as conn:
        rows = store_notify.inbox(conn, user.id, user.scope, dt.date.today(), unread_only=unread)
        owner = f"user:{user.username}"
        mine = [s for s in store_notify.subscriptions(conn) if s["owner"] == owner]
        unit_names = orgunits.names(conn)
    items = [
        {
            "id": r["id"],
            "subject": subject(r, lang),
            "body": body(r, lang),
            "severity": r["severity"],
            "severity_label": SEVERITY_LABELS[lang][r["severity"]],
            "unit": r["org_unit"],
            "unit_name": unit_names.get(r["org_unit"], ""),
            "link": r["link"] if r["link"].startswith("/") else "",
            "created_at": r["created_at"],
            "read": r["read_at"] is not None,
        }
        for r in rows
    ]
    choices = {"channels": CHANNELS, "severities": SEVERITIES, "digests": DIGESTS}
    context = {"items": items, "only_unread": unread, "subscriptions": mine, **choices}
    return page(request, "inbox.html", context)


@router.post("/inbox/read")
def mark_read(
    store: StoreDep,
    user: Reader,
    message_id: Annotated[int | None, Form()] = None,
    unread: Annotated[bool, Form()] = False,
):
    """Mark one message read (``message_id``) or all of them."""
    with store.begin() as conn:
        ids = None if message_id is None else [message_id]
        store_notify.mark_read(conn, user.id, ids, utcnow())
    return RedirectResponse("/inbox?unread=1" if unread else "/inbox", status_code=303)


@router.post("/inbox/preferences")
def save_preference(
    store: StoreDep,
    user: Reader,
    kind: Annotated[str, Form()],
    target: Annotated[str, Form()],
    min_severity: Annotated[str, Form()] = "info",
    digest: Annotated[str, Form()] = "immediate",
    secret: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "zh",
    active: Annotated[bool, Form()] = True,
):
    """The user's own subscription (their scope) on one channel: create, change or stop."""
    try:
        subscribe(
            store, owner=f"user:{user.username}", kind=kind, target=target.strip(),
            secret=secret, min_severity=min_severity, digest=digest, lang=lang, active=active,
        )  # fmt: skip
    except NotifyError as exc:
        raise HTTPException(422, str(exc)) from None
    return RedirectResponse("/inbox", status_code=303)
