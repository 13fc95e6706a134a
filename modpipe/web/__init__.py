"""Sign-in for the web pages every package serves: sessions, CSRF, one layout, static files.

The API authenticates with bearer tokens (:mod:`ingest.auth`); people in a browser
sign in with a password instead. :func:`install` wires this package into an app:
``/login``, ``/logout``, ``/static`` and the redirect to the sign-in page.
Pages elsewhere use :func:`modpipe.web.auth.web_user` and
:func:`modpipe.web.templates.render`.
"""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    from modpipe.web import auth, login, static

    auth.install_handlers(app)
    app.include_router(login.router)
    static.mount(app)
