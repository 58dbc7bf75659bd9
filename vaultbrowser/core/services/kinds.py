"""The kind registry's contract: what every service kind tells the rest of the app (Qt-free).

Each kind package (``vaultbrowser/keyvault``, ``vaultbrowser/blob``, …) exposes one
``ServiceKind`` in its ``kind.py``; ``app.py`` lists them, and nothing else names a kind. The
window, the audit command, the demo and the connection store are given the list and ask each
kind through these fields: none of them branches on a kind.

The heavy parts (the SDK behind ``open``, the Qt half behind ``view``) load when first called:
``vaultbrowser --help`` and ``vaultbrowser audit`` import no Qt and no SDK.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from vaultbrowser.core.services.connections import AuthMethod, Connection, with_assumed_https
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.signin.clouds import is_cloud_host

if TYPE_CHECKING:
    from vaultbrowser.core.services.session import ServiceSession


class DemoUnavailable(Exception):
    """A kind's demo cannot start on this machine (Azurite without Node.js); the message says
    why and what to install. The demo goes on with the other kinds."""


class DemoProvider(Protocol):
    """One kind's part of demo mode: a local emulator seeded with demo data."""

    starting: str  # the status line while it starts ("Starting Azurite…")

    async def start(self, started: Mapping[str, Connection] | None = None) -> Connection:
        """Start and seed the emulator; its connection (raises ``DemoUnavailable``).

        ``started`` holds the connections of the kinds started before it, by their Azure
        resource type (the Azure demo shows them as discovered resources)."""

    async def stop(self) -> None:
        """Stop what ``start`` started (nothing when it did not start)."""


@dataclass(frozen=True)
class PastedConnection:
    """A way to connect by pasting one secret text that names the resource (a connection
    string, a SAS URL), offered by the connection dialog next to "URL and sign-in".

    ``build(text, name, read_only)`` makes the connection (``InvalidInput`` when the text is
    not valid; the message never quotes it). When the secret comes from an environment
    variable, ``env_names_resource`` says whether its value names the resource too (a
    connection string: read it at once) or only the credential (a SAS token: the URL is typed).
    """

    mode: str
    label: str  # "Connection string"
    auth: AuthMethod
    placeholder: str
    build: Callable[[str, str, bool], Connection]
    env_names_resource: bool = True
    env_label: str = ""  # the secret's label when it comes from a variable ("SAS token")


@dataclass(frozen=True)
class Address:
    """Where a pasted Azure address leads: a kind, the connection that opens it (None when
    the kind must look it up first, as an ARM resource id), and the path of the item it names
    below the connection's row (kind-specific: ("secrets", name, version), (container, blob))."""

    kind: str
    connection: Connection | None
    path: tuple[str, ...] = ()
    text: str = field(default="", repr=False)  # what was pasted (may hold a SAS: never shown)


@dataclass(frozen=True)
class ServiceKind:
    """One service kind: its name and words, how its connections are made and opened, its
    command-line options, audit collector, demo, and (``view``) its trees and actions."""

    name: str  # "keyvault": Connection.kind, saved settings, the registry's key
    label: str  # "Key Vault": the connection dialog's choice
    nouns: tuple[str, str]  # ("vault", "vaults"): the status bar's count
    url_label: str  # "Vault URL"
    url_placeholder: str
    normalize_url: Callable[[str], str]  # the one canonical URL; raises InvalidInput
    auth_methods: tuple[AuthMethod, ...]  # the sign-in methods it accepts, in display order
    sdk_modules: tuple[str, ...]  # imported off the loop's thread before the first open
    open: Callable[[ServiceSession, Connection], Any]  # the service of a connection
    add_arguments: Callable[[argparse.ArgumentParser], None]
    connections_from_args: Callable[[argparse.Namespace], list[Connection]]
    audit: Callable[..., Any]  # collects one connection's audit inventory (audit.inventory)
    demo: Callable[[Path, bool], DemoProvider]  # (workdir, seed) → its demo emulator
    view: Callable[[Any], Any]  # its Qt half, given the window (see core.ui.kind_view)
    pasted_connections: tuple[PastedConnection, ...] = field(default=())
    # The Azure resource type discovery finds it as ("microsoft.keyvault/vaults"), and how a
    # found resource becomes a connection: (endpoint, the sign-in that found it, an account
    # key fetched through Resource Manager or None) → Connection; raises InvalidInput.
    resource_type: str = ""
    connection_for_resource: Callable[[str, Connection, SecretValue | None], Connection] | None = (
        None)
    # Its connections find other kinds' resources (an Azure sign-in's discovery): the audit
    # command's demo audits through them with --discover, and the other kinds' without it.
    discovers: bool = False
    # Named presets for its URL ((label, url)…): the connection dialog offers them as a
    # picker above the URL field (the Azure kind: one per cloud).
    url_choices: Callable[[], tuple[tuple[str, str], ...]] | None = None
    # Reads the addresses of its own resources (a vault URL, an item id, a container or SAS
    # URL): an ``Address``; None when the text is not its kind's; InvalidInput when it is but
    # is malformed. Never quotes a secret in a message.
    parse_address: Callable[[str], Address | None] | None = None
    # Its icon as SVG text (drawn for its tabs and its choice in the connection dialog); data,
    # not a file, so the registry stays Qt-free and installers need not carry it.
    icon_svg: str = ""
    # A typed secret checked at once (an account key's base64), so the dialog can say what is
    # wrong before the connection opens; the message never repeats the text.
    check_secret: Callable[[AuthMethod, str], SecretValue] = field(
        default=lambda _auth, text: SecretValue(text))
    # Names its own journal records in the audit trail ("redis SET"): (method, url) → the
    # name, or None for a record that is not its kind's (the trail then names it generically).
    # For records made outside the session's HTTP transport; an HTTP kind names its requests
    # as they are sent, its opener giving its names to ``session.transport(…, names=…)``.
    operation_name: Callable[[str, str], str | None] | None = None

    def count(self, number: int) -> str:
        return f"{number} {self.nouns[0] if number == 1 else self.nouns[1]}"


def kinds_by_name(kinds: Iterable[ServiceKind]) -> dict[str, ServiceKind]:
    return {kind.name: kind for kind in kinds}


def kind_of(kinds: Mapping[str, ServiceKind], connection: Connection) -> ServiceKind:
    """The kind of ``connection``.

    Raises:
        InvalidInput: no registered kind has that name (a setting from a newer version).
    """
    kind = kinds.get(connection.kind)
    if kind is None:
        raise InvalidInput(f"{connection.display_name}: this version of vaultbrowser does not "
                           f"know the service kind {connection.kind!r}.")
    return kind


ADDRESS_ADVICE = ("Paste a vault URL or a secret, key or certificate id; a storage account, "
                  "container or blob URL (a SAS URL too); or an Azure resource id.")


def parse_address(kinds: Sequence[ServiceKind], text: str) -> Address:
    """The first kind's reading of ``text`` (the address bar, ``vaultbrowser URL``).

    Raises:
        InvalidInput: no kind reads it, or the kind that does finds it malformed.
    """
    text = text.strip()
    if not text:
        raise InvalidInput("Paste an Azure address.", advice=ADDRESS_ADVICE)
    # As typed first (a kind may read a bare host of its own, Redis's); then a bare Azure
    # host as https:// ("myvault.vault.azure.net"). Not a bare loopback host: which local
    # server "localhost:8081" is (Key Vault, Cosmos DB, Redis) only its kind's dialog knows.
    assumed = with_assumed_https(text, is_cloud_host, loopback=False)
    for candidate in dict.fromkeys((text, assumed)):
        for kind in kinds:
            if kind.parse_address is not None:
                address = kind.parse_address(candidate)
                if address is not None:
                    return address
    raise InvalidInput("vaultbrowser does not know this address.", advice=ADDRESS_ADVICE)


def url_normalizer(kinds: Sequence[ServiceKind]) -> Callable[[str, str], str]:
    """``normalize(kind_name, url)`` over the registry, for ``Connection.from_settings``.

    The function raises ``InvalidInput`` for an unknown kind or a URL its kind refuses.
    """
    by_name = kinds_by_name(kinds)

    def normalize(kind: str, url: str) -> str:
        if kind not in by_name:
            raise InvalidInput(f"A saved connection is not valid: unknown kind {kind!r}.")
        return by_name[kind].normalize_url(url)

    return normalize
