"""Opening a vault: a ``KeyVaultService`` over the session's transport and credential."""

from __future__ import annotations

from typing import Any

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.connections import KEY_VAULT
from vaultbrowser.keyvault.services.operation_names import vault_operation_name
from vaultbrowser.keyvault.services.vault_service import KeyVaultService


def open_vault(session: ServiceSession, connection: Connection) -> KeyVaultService:
    """A service for one vault, owned by ``session``. Nothing is sent until the first call.

    Raises:
        InvalidInput: not a Key Vault connection, or a sign-in method Key Vault lacks.
    """
    if connection.kind != KEY_VAULT:
        raise InvalidInput(f"{connection.display_name} is not a Key Vault connection.")
    if connection.auth in (AuthMethod.CONNECTION_STRING, AuthMethod.ACCOUNT_KEY,
                           AuthMethod.SAS):
        raise InvalidInput(f"{connection.auth.label} does not apply to Key Vault.")
    # Here, not at module level: the window imports this module before its first paint, and
    # the transport module imports azure-core.
    from vaultbrowser.core.services.http.transport import no_network_trace_policy

    transport = session.transport(connection, names=vault_operation_name)
    options: dict[str, Any] = session.client_options()
    service = KeyVaultService(
        connection.url, session.token_credential(connection), transport, **options,
        # Key Vault's network trace policy logs bodies (secret values) when logging_enable
        # is set, even per call: an inert policy in its place means it never can.
        logging_policy=no_network_trace_policy(),
    )
    session.adopt(service, transport)
    return service
