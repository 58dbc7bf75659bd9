"""Key Vault's challenge authentication, as the service does it.

Every request without a usable bearer token gets 401 with a ``WWW-Authenticate`` challenge,
before anything else (body, api-version, route) is looked at: the SDK's first request carries
no token and an empty body even for PUT/POST.

The challenge names the tenant's authority and a ``resource``. The SDKs verify (unless
``verify_challenge_resource=False``) that the vault's host is a strict sub-domain of the
resource's host, port included. The resource is therefore derived from the request's Host by
dropping its first label: ``myvault.vault.azure.net`` gives ``https://vault.azure.net`` (what
the service sends) and ``127.0.0.1:8443`` gives ``https://0.0.1:8443``. A dot-less host such as
``localhost`` has no parent domain, so no challenge can pass that check: use ``127.0.0.1``.
"""

from __future__ import annotations

from vaultbrowser.emulators.keyvault.errors import KvError

AUTHORITY = "https://login.microsoftonline.com"
LOCAL_TOKEN = "vaultbrowser-emulator-local-token"
MISSING_TOKEN = "AKV10000: Request is missing a Bearer or PoP token."
REJECTED_TOKEN = "AKV10022: Invalid audience. Expected https://vault.azure.net, found: the token."
MALFORMED = "AKV10001: The authorization header is malformed."


def challenge_resource(host: str) -> str:
    """The ``resource`` of the challenge for a request whose Host header is ``host``."""
    if host.startswith("["):  # IPv6 literal: no labels to drop
        return f"https://{host}"
    hostname, sep, port = host.rpartition(":")
    if not sep:
        hostname, port = host, ""
    labels = hostname.split(".")
    parent = ".".join(labels[1:]) if len(labels) > 1 else hostname
    return f"https://{parent}" + (f":{port}" if port else "")


def challenge_header(tenant_id: str, host: str) -> str:
    """The ``WWW-Authenticate`` value for ``host``."""
    return (
        f'Bearer authorization="{AUTHORITY}/{tenant_id}", '
        f'resource="{challenge_resource(host)}"'
    )


def check_authorization(header: str | None, reject_token: bool) -> None:
    """Accept any non-empty bearer token (unless told to reject tokens).

    Raises:
        KvError: 401 Unauthorized; the server adds the challenge header.
    """
    if not header:
        raise KvError(401, "Unauthorized", MISSING_TOKEN)
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() not in ("bearer", "pop"):
        raise KvError(401, "Unauthorized", MISSING_TOKEN)
    if not token.strip():
        raise KvError(401, "Unauthorized", MALFORMED)
    if reject_token:
        raise KvError(401, "Unauthorized", REJECTED_TOKEN)
