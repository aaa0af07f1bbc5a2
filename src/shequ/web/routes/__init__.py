"""Every router of the web app, one per area."""

from . import admin, api, api_values, approvals, auth, dashboard, entry, forms, loop, runs

ROUTERS = [
    auth.router,
    dashboard.router,
    entry.router,
    runs.router,
    admin.router,
    loop.router,
    approvals.router,
    forms.router,
    api.router,
    api_values.router,
]
