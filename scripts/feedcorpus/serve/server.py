"""FastAPI glue for the backend: routes, JSON bodies, optional HTTP basic auth, errors as `{"error": ...}`.

FastAPI on uvicorn: an ASGI server answers /health on its event loop while predictions run in the thread
pool, so Label Studio's 1-second health check passes even during a long /predict; both are maintained and
widely deployed. Basic auth (which Label Studio supports for ML backends) is on when
FEEDCORPUS_SERVE_USER and FEEDCORPUS_SERVE_PASSWORD are set; secrets come only from the environment.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from feedcorpus.serve.backend import Backend
from feedcorpus.serve.protocol import PayloadError, project_id

USER_ENV = "FEEDCORPUS_SERVE_USER"
PASSWORD_ENV = "FEEDCORPUS_SERVE_PASSWORD"
MAX_BODY = 64 * 1024 * 1024


def basic_auth_from_env() -> tuple[str, str] | None:
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    return (user, password) if user and password else None


def _authorised(header: str | None, expected: tuple[str, str]) -> bool:
    if not header or not header.lower().startswith("basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return secrets.compare_digest(user, expected[0]) & secrets.compare_digest(password, expected[1])


async def _body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise PayloadError(f"request body over {MAX_BODY // 2**20} MB")
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"request body is not JSON ({exc})") from exc


def create_app(backend: Backend, *, auth: tuple[str, str] | None = None) -> FastAPI:
    app = FastAPI(title="feedcorpus ML backend", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def check_auth(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if auth is not None and not _authorised(request.headers.get("authorization"), auth):
            return JSONResponse(
                {"error": "authentication required"}, status_code=401, headers={"WWW-Authenticate": "Basic"}
            )
        return await call_next(request)

    @app.exception_handler(PayloadError)
    async def bad_payload(request: Request, exc: PayloadError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": f"{type(exc).__name__}: {exc}"}, status_code=500)

    @app.get("/")
    @app.get("/health")
    async def health() -> dict[str, Any]:
        return backend.health()

    @app.post("/setup")
    async def setup(request: Request) -> dict[str, Any]:
        return backend.setup(await _body(request))

    @app.post("/predict")
    async def predict(request: Request) -> JSONResponse:
        body = await _body(request)
        # A JSONResponse is serialised as is; a returned dict would first be walked by jsonable_encoder,
        # which costs ~10 % of a batch's time for thousands of regions.
        return JSONResponse(await run_in_threadpool(backend.predict, body))

    @app.post("/webhook")
    async def webhook(request: Request) -> dict[str, Any]:
        body = await _body(request)
        return await run_in_threadpool(backend.webhook, body)

    @app.post("/train")
    async def train(request: Request) -> dict[str, Any]:
        """Label Studio's older training call (used when its webhook training flag is off)."""
        body = await _body(request)
        project = project_id(body.get("project")) if isinstance(body, dict) else None
        if project is None:
            raise PayloadError("/train needs 'project' (Label Studio sends '<id>.<created>')")
        return await run_in_threadpool(backend.train, project)

    @app.get("/status")
    async def status() -> dict[str, Any]:
        return backend.status()

    return app


def serve(backend: Backend, host: str, port: int, *, auth: tuple[str, str] | None = None) -> None:
    """Run until interrupted; a training run still going is ended and recorded as failed."""
    import uvicorn

    try:
        uvicorn.run(create_app(backend, auth=auth), host=host, port=port, log_level="warning", access_log=False)
    finally:
        backend.trainer.stop()
