"""The demo vault's certificate issuers and contacts (the emulator's seed format has none):
created through the service after the emulator starts, so "Certificate issuers and contacts…"
has something to show. Fake accounts; the passwords are demo text, never shown anyway."""

from __future__ import annotations

from vaultbrowser.core.services.errors import Conflict
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.keyvault.services.certificates.issuer_inputs import (
    AdminContactInput,
    ContactInput,
    IssuerInput,
)
from vaultbrowser.keyvault.services.demo.seed import DEMO_DOMAIN
from vaultbrowser.keyvault.services.vault_service import KeyVaultService


def demo_issuers() -> list[tuple[str, IssuerInput]]:
    admins = (AdminContactInput("Grace", "Hopper", f"grace.hopper@{DEMO_DOMAIN}",
                                "+1 425 555 0100"),
              AdminContactInput("Alan", "Turing", f"alan.turing@{DEMO_DOMAIN}",
                                "+44 20 7946 0000"))
    return [
        ("digicert-contoso", IssuerInput("DigiCert", account_id="contoso-7731",
                                         password=SecretValue("demo-digicert-api-key"),
                                         organization_id="112233", admin_contacts=admins)),
        ("globalsign-test", IssuerInput("GlobalSign", account_id="gs-contoso",
                                        password=SecretValue("demo-globalsign-password"),
                                        admin_contacts=admins[:1])),
    ]


def demo_contacts() -> list[ContactInput]:
    return [ContactInput(f"pki-team@{DEMO_DOMAIN}", "PKI team", "+1 425 555 0199"),
            ContactInput(f"oncall@{DEMO_DOMAIN}", "On call")]


async def seed_demo_issuers(service: KeyVaultService) -> list[str]:
    """Create the demo issuers (those missing) and the contacts (when none are set).
    Returns the issuers created; idempotent.

    Raises:
        VaultBrowserError: the vault refused a write.
    """
    created = []
    for name, issuer in demo_issuers():
        try:
            await service.certificates.issuers.create(name, issuer)
            created.append(name)
        except Conflict:
            pass
    if not (await service.certificates.contacts.get()).value:
        await service.certificates.contacts.set(demo_contacts())
    return created
