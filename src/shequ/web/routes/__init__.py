"""Every router of the web app, one per area."""

from . import (
    admin,
    analytics,
    api,
    api_values,
    approvals,
    auth,
    dashboard,
    entry,
    forms,
    inbox,
    loop,
    public,
    runs,
    scenarios,
)

ROUTERS = [
    auth.router,
    dashboard.router,
    entry.router,
    runs.router,
    scenarios.router,
    admin.router,
    loop.router,
    approvals.router,
    inbox.router,
    forms.router,
    public.router,
    analytics.router,
    api.router,
    api.public_router,
    api_values.router,
]
