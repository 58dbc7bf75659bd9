"""Helpers for the ARM emulator tests: the demo world, SDK client keywords, raw HTTP."""

from __future__ import annotations

from typing import Any

import requests

from vaultbrowser.emulators.arm.seed import demo_world
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.world import World

VAULT_URI = "https://127.0.0.1:8443/"
BLOB_ENDPOINT = "http://127.0.0.1:10000/devstoreaccount1/"
ACCOUNT_KEY = "ZGV2c3RvcmVhY2NvdW50MS1rZXktMQ=="
ARM_SCOPE = "https://management.azure.com/.default"


def demo() -> World:
    return demo_world(vault_uri=VAULT_URI, blob_endpoint=BLOB_ENDPOINT, account_key=ACCOUNT_KEY)


def kw(emulator: ArmEmulator, **extra: Any) -> dict[str, Any]:
    """What an SDK client needs besides its credential (and subscription id)."""
    return {"base_url": emulator.base_url, "connection_verify": str(emulator.ca_file), **extra}


class Raw:
    """Plain HTTP against an emulator, to check the wire directly."""

    def __init__(self, emulator: ArmEmulator) -> None:
        self.emulator = emulator
        self.session = requests.Session()

    def __call__(self, method: str, path: str, *, api_version: str | None = "2022-12-01",
                 token: str | None = None, tenant: str | None = None,
                 **kwargs: Any) -> requests.Response:
        params = dict(kwargs.pop("params", {}) or {})
        if api_version is not None:
            params.setdefault("api-version", api_version)
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is None:
            token = self.emulator.token(tenant, mfa=True)
        if token:
            headers.setdefault("Authorization", f"Bearer {token}")
        return self.session.request(method, self.emulator.base_url + path, params=params,
                                    headers=headers, timeout=30,
                                    verify=str(self.emulator.ca_file), **kwargs)
