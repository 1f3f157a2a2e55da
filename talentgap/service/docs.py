"""Swagger UI and ReDoc served from installed files: the docs work with no internet.

The JavaScript and CSS come from the ``fastapi-offline`` package (its
``static`` folder holds ``swagger-ui-bundle.js``, ``swagger-ui.css`` and
``redoc.standalone.js``) and are served by the app under ``/docs-assets``.
ReDoc is told not to fetch web fonts.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["install_docs", "ASSETS_PATH"]

#: Where the app serves the documentation assets.
ASSETS_PATH = "/docs-assets"


def install_docs(app: FastAPI) -> None:
    """Add ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) to ``app``, using local assets.

    Create ``app`` with ``docs_url=None, redoc_url=None``. The pages use
    paths relative to the app's mount point (``root_path``), so they also
    work when the app is mounted in another one.
    """
    assets = files("fastapi_offline") / "static"
    app.mount(ASSETS_PATH, StaticFiles(directory=str(assets)), name="docs-assets")

    def _root(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    @app.get("/docs", include_in_schema=False)
    def swagger(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_PATH}/favicon.png", with_google_fonts=False)
