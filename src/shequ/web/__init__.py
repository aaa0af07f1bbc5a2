"""The web application: server-rendered pages, a JSON API under /api/, accounts and scope.

``create_app(store_url, plan=...)`` builds it; ``shequ serve`` runs it with uvicorn.
"""
