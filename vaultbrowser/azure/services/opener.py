"""Opening an Azure sign-in: an ``AzureDiscovery`` over the session's transport and credential.

The local ARM emulator (demo, tests) gets its own loopback credential, whose tokens name the
tenant asked for; every Entra ID method gets the session's credential, asked per tenant.
"""

from __future__ import annotations

from typing import Any

from vaultbrowser.azure.services.connections import AZURE
from vaultbrowser.azure.services.discovery import AzureDiscovery
from vaultbrowser.azure.services.operation_names import arm_operation_name
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import AuthenticationRequired, InvalidInput
from vaultbrowser.core.services.http.transport import no_network_trace_policy
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.services.translate import translated

# Sign-in methods that can ask the user to sign in to one more tenant (multi-factor included).
_INTERACTIVE = (AuthMethod.INTERACTIVE_BROWSER, AuthMethod.DEVICE_CODE)


def open_azure(session: ServiceSession, connection: Connection) -> AzureDiscovery:
    """Discovery for one Azure sign-in, owned by ``session``. Nothing is sent until asked.

    Raises:
        InvalidInput: not an Azure connection, or a method that cannot sign in to Azure.
    """
    if connection.kind != AZURE:
        raise InvalidInput(f"{connection.display_name} is not an Azure sign-in.")
    if connection.auth in (AuthMethod.CONNECTION_STRING, AuthMethod.ACCOUNT_KEY,
                           AuthMethod.SAS):
        raise InvalidInput(f"{connection.auth.label} does not sign in to Azure.")
    transport = session.transport(connection, names=arm_operation_name)
    if connection.auth is AuthMethod.LOCAL_EMULATOR:
        from vaultbrowser.emulators.arm.tokens import EmulatorArmCredential

        if not connection.tenant_id:
            raise InvalidInput("The local ARM emulator's connection names no home tenant.")
        credential: Any = EmulatorArmCredential(connection.tenant_id)

        async def sign_in(tenant_id: str) -> None:
            credential.sign_in(tenant_id)
    else:
        credential = session.token_credential(connection)
        scope = connection.url.rstrip("/") + "/.default"

        async def sign_in(tenant_id: str) -> None:
            if connection.auth not in _INTERACTIVE:
                raise AuthenticationRequired(
                    f"Tenant {tenant_id} needs a sign-in of its own, which "
                    f"{connection.auth.label} cannot do from here.",
                    advice=(f"Run `az login --tenant {tenant_id}`, then refresh"
                            if connection.auth is AuthMethod.AZURE_CLI else
                            "Add an Azure connection with interactive browser or device code "
                            "sign-in") + ".")
            async with translated():
                await credential.get_token(scope, tenant_id=tenant_id)

    service = AzureDiscovery(
        connection.url, credential, transport, sign_in=sign_in,
        client_options={**session.client_options(), "logging_policy": no_network_trace_policy()})
    service.scope = connection.scope  # the tenants and subscriptions it is limited to
    session.adopt(service, transport)
    return service
