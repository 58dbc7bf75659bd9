"""A loopback managed-identity endpoint in the App Service flavour.

``azure.identity`` (through MSAL) uses it when ``IDENTITY_ENDPOINT`` and ``IDENTITY_HEADER``
are set: ``GET {endpoint}?api-version=2019-08-01&resource=...`` with header
``X-IDENTITY-HEADER: <secret>`` answers
``{"access_token", "expires_on" (unix seconds, a string), "resource", "token_type", "client_id"}``.
It is served over plain http on its own loopback port, like App Service's.
"""

from __future__ import annotations

import time

from aiohttp import web

from vaultbrowser.emulators.keyvault.auth import LOCAL_TOKEN

TOKEN_PATH = "/msi/token"
CLIENT_ID = "00000000-0000-0000-0000-0000000e0001"


def identity_app(secret: str) -> web.Application:
    """The aiohttp application serving tokens to holders of ``secret``."""

    async def token(request: web.Request) -> web.Response:
        if request.headers.get("X-IDENTITY-HEADER") != secret:
            return web.json_response(
                {"statusCode": 400, "message": "Missing or invalid X-IDENTITY-HEADER."}, status=400
            )
        resource = request.query.get("resource")
        if request.query.get("api-version") != "2019-08-01" or not resource:
            return web.json_response(
                {"statusCode": 400, "message": "api-version=2019-08-01 and resource are required."},
                status=400,
            )
        expires_on = int(time.time()) + 24 * 3600
        return web.json_response(
            {
                "access_token": LOCAL_TOKEN,
                "expires_on": str(expires_on),
                "resource": resource,
                "token_type": "Bearer",
                "client_id": request.query.get("client_id", CLIENT_ID),
            }
        )

    app = web.Application()
    app.router.add_get(TOKEN_PATH, token)
    return app
