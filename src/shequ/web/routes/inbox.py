"""The inbox: a user's notifications (only those of their own subtree), mark read."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from ...notify.messages import SEVERITY_LABELS, body, subject
from ...store import notify as store_notify
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
    items = [
        {
            "id": r["id"],
            "subject": subject(r, lang),
            "body": body(r, lang),
            "severity": r["severity"],
            "severity_label": SEVERITY_LABELS[lang][r["severity"]],
            "unit": r["org_unit"],
            "link": r["link"] if r["link"].startswith("/") else "",
            "created_at": r["created_at"],
            "read": r["read_at"] is not None,
        }
        for r in rows
    ]
    return page(request, "inbox.html", {"items": items, "only_unread": unread})


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
