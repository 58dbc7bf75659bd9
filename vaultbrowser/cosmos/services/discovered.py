"""A Cosmos DB account that Azure discovery found, as a Cosmos connection (the kind's
``ServiceKind.connection_for_resource``, resource type ``microsoft.documentdb/databaseaccounts``).

Discovery's endpoint is ARM's ``documentEndpoint`` (``https://<account>.documents.azure.com:443/``),
made canonical here. Resource Manager's view of the account travels on
``Connection.resource_properties`` (the Azure kind sets it: ``publicNetworkAccess``,
``disableLocalAuth``, ``defaultConsistencyLevel``, the regions): ``audit.audit_cosmos`` reads it.
"""

from __future__ import annotations

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.signin.clouds import signed_in_like
from vaultbrowser.cosmos.services.addresses import COSMOS_KIND, normalize_cosmos_url

COSMOS_RESOURCE_TYPE = "microsoft.documentdb/databaseaccounts"


def cosmos_connection_for_resource(endpoint: str, sign_in: Connection,
                                   account_key: SecretValue | None) -> Connection:
    """The Cosmos connection of an account discovery found (``endpoint``: ARM's
    ``documentEndpoint``), signed in as the Azure sign-in that found it (Entra ID: the data
    plane wants a Cosmos DB data-plane role) — or, with ``account_key`` (its primary key, which
    Resource Manager handed out), with that key, and named so. The key is held in memory only.

    Raises:
        InvalidInput: the endpoint is not a Cosmos DB account's; it is in another Azure cloud
            than the sign-in.
    """
    url = normalize_cosmos_url(endpoint)
    connection = signed_in_like(sign_in, COSMOS_KIND, url)
    if account_key is None:
        return connection
    return Connection(COSMOS_KIND, url, AuthMethod.ACCOUNT_KEY, read_only=sign_in.read_only,
                      name=f"{connection.display_name} (account key)", secret=account_key,
                      ca_path=connection.ca_path)
