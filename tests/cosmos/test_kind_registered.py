"""The Cosmos DB kind is in the registry: after Redis, before the Azure sign-in."""

from __future__ import annotations

from vaultbrowser.app import KINDS


def test_registered_after_redis_and_before_the_azure_sign_in() -> None:
    names = [kind.name for kind in KINDS]
    assert names.index("redis") < names.index("cosmos") < names.index("azure")
