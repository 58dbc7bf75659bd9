"""The Azure kind as the registry sees it (``app.KINDS``): an Entra ID sign-in that discovers
tenants, subscriptions, key vaults and storage accounts; lazily its service, demo and view."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from vaultbrowser.azure.services.arm_ids import parse_resource_address
from vaultbrowser.azure.services.connections import AZURE, PUBLIC_ARM, normalize_arm_url
from vaultbrowser.core.services.connections import ENTRA_METHODS, AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import DemoProvider, ServiceKind

SDK_MODULES = ("vaultbrowser.azure.services.discovery", "azure.mgmt.resource.subscriptions.aio",
               "azure.mgmt.resourcegraph.aio", "azure.mgmt.keyvault.aio",
               "azure.mgmt.storage.aio")

# A globe with a meridian: blue on white, legible at 16 px on light and dark backgrounds.
ICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<circle cx="16" cy="16" r="12.5" fill="#e8f3ff" stroke="#0a4a8c" stroke-width="1.8"/>
<ellipse cx="16" cy="16" rx="5.5" ry="12.5" fill="none" stroke="#0a4a8c" stroke-width="1.5"/>
<path d="M4 12h24M4 20h24" stroke="#0a4a8c" stroke-width="1.5" fill="none"/>
</svg>"""


_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _open(session: Any, connection: Connection) -> Any:
    from vaultbrowser.azure.services.opener import open_azure

    return open_azure(session, connection)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--azure", nargs="?", const=PUBLIC_ARM, default=None, metavar="ARM_URL",
        help="sign in to Azure (the default credential chain) and list every tenant, "
             "subscription, key vault and storage account you can reach")
    parser.add_argument(
        "--discover", action="store_true",
        help="sign in to Azure public (the default credential chain) and take every key vault "
             "and storage account that discovery finds (the demo's with --demo)")
    parser.add_argument("--tenant", action="append", default=[], metavar="ID",
                        help="limit discovery to this tenant (a GUID; repeatable)")
    parser.add_argument("--subscription", action="append", default=[], metavar="ID",
                        help="limit discovery to this subscription (a GUID; repeatable)")


def _ids(option: str, values: list[str]) -> list[str]:
    """The GUIDs given to ``option``, in lower case.

    Raises:
        InvalidInput: a value is not a GUID (the message names it).
    """
    ids = []
    for value in values:
        text = value.strip().lower()
        if not _GUID.fullmatch(text):
            raise InvalidInput(f"{option} {value!r} is not an id: give a GUID such as "
                               "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f.")
        if text not in ids:
            ids.append(text)
    return ids


def _connections_from_args(args: argparse.Namespace) -> list[Connection]:
    scope = ",".join([*_ids("--tenant", args.tenant),
                      *_ids("--subscription", args.subscription)])
    if args.azure is None and not args.discover:
        if scope:
            raise InvalidInput("--tenant and --subscription limit what --discover (or --azure) "
                               "finds.", advice="Add --discover.")
        return []
    url = normalize_arm_url(args.azure if args.azure is not None else PUBLIC_ARM)
    return [Connection(AZURE, url, AuthMethod.DEFAULT, scope=scope)]


async def _audit(collector: Any, connection: Connection) -> None:
    from vaultbrowser.azure.services.audit import audit_discovered

    await audit_discovered(collector, connection)


def _demo(workdir: Path, seed: bool) -> DemoProvider:
    from vaultbrowser.azure.services.demo import AzureDemo

    return AzureDemo(workdir, seed)


def _clouds() -> tuple[tuple[str, str], ...]:
    from vaultbrowser.core.services.signin.clouds import available_clouds

    return tuple((cloud.label, cloud.resource_manager) for cloud in available_clouds())


def _view(window: Any) -> Any:
    from vaultbrowser.azure.ui.view import AzureView

    return AzureView(window)


KIND = ServiceKind(
    name=AZURE,
    label="Azure sign-in (discover everything)",
    nouns=("Azure sign-in", "Azure sign-ins"),
    url_label="Resource Manager",
    url_placeholder=f"{PUBLIC_ARM} (Azure public; or your cloud's endpoint)",
    normalize_url=normalize_arm_url,
    auth_methods=(*ENTRA_METHODS, AuthMethod.LOCAL_EMULATOR),
    sdk_modules=SDK_MODULES,
    open=_open,
    add_arguments=_add_arguments,
    connections_from_args=_connections_from_args,
    audit=_audit,
    demo=_demo,
    view=_view,
    url_choices=_clouds,
    discovers=True,
    parse_address=parse_resource_address,
    icon_svg=ICON_SVG,
)
