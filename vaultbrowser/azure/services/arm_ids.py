"""Azure Resource Manager resource ids, parsed once and strictly.

``/subscriptions/<guid>/resourceGroups/<group>/providers/<Namespace>/<type>/<name>`` (a
portal URL that holds one works too). Keywords are case-insensitive, as ARM treats them; a
typo gets an error that names the segment at fault and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from vaultbrowser.azure.services.connections import AZURE
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import Address

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Resource group names: letters, digits, '_', '-', '.', '(' and ')', up to 90, no final '.'.
_GROUP = re.compile(r"[\w\-.()]{0,89}[\w\-()]")
_NAMESPACE = re.compile(r"[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+")
_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_.]{0,126}")
ID_ADVICE = ("A resource id looks like /subscriptions/<subscription id>/resourceGroups/<group>/"
             "providers/Microsoft.KeyVault/vaults/<name> (the portal's Properties → Resource ID"
             " gives it).")


@dataclass(frozen=True)
class ArmResourceId:
    subscription_id: str  # lower case
    resource_group: str
    namespace: str  # "Microsoft.KeyVault"
    resource_type: str  # "vaults"
    name: str

    @property
    def type(self) -> str:
        """``microsoft.keyvault/vaults``: lower case, as Resource Graph writes types."""
        return f"{self.namespace}/{self.resource_type}".lower()

    def __str__(self) -> str:
        return (f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
                f"/providers/{self.namespace}/{self.resource_type}/{self.name}")

    @classmethod
    def parse(cls, text: str) -> ArmResourceId:
        """The resource id in ``text`` (an id, or a portal URL holding one).

        Raises:
            InvalidInput: not a resource id; the message names the segment at fault.
        """
        path = _id_path(text.strip())
        segments = [unquote(part) for part in path.strip("/").split("/")]
        expected = ("subscriptions", None, "resourceGroups", None, "providers", None, None, None)
        if len(segments) < len(expected):
            raise InvalidInput(
                f"'{_shown(path)}' is not a complete Azure resource id: it has "
                f"{len(segments)} of the {len(expected)} segments a resource needs.",
                advice=ID_ADVICE)
        if len(segments) > len(expected):
            extra = "/".join(segments[len(expected):])
            raise InvalidInput(
                f"The resource id goes on after the resource's name ('…/{_shown(extra)}'): "
                "vaultbrowser opens vaults and storage accounts, not their child resources.",
                advice=ID_ADVICE)
        for position, keyword in enumerate(expected):
            if keyword is not None and segments[position].lower() != keyword.lower():
                raise InvalidInput(
                    f"'{_shown(segments[position])}' is not a segment of an Azure resource id "
                    f"here: expected '{keyword}'.", advice=ID_ADVICE)
        subscription, group = segments[1], segments[3]
        namespace, resource_type, name = segments[5], segments[6], segments[7]
        if not _GUID.fullmatch(subscription):
            raise InvalidInput(
                f"'{_shown(subscription)}' is not a subscription id (a GUID such as "
                "00000000-0000-0000-0000-000000000000).", advice=ID_ADVICE)
        if not _GROUP.fullmatch(group):
            raise InvalidInput(f"'{_shown(group)}' is not a valid resource group name.",
                               advice=ID_ADVICE)
        if not _NAMESPACE.fullmatch(namespace):
            raise InvalidInput(
                f"'{_shown(namespace)}' is not a resource provider (such as "
                "Microsoft.KeyVault or Microsoft.Storage).", advice=ID_ADVICE)
        if not _TYPE.fullmatch(resource_type) or not _NAME.fullmatch(name):
            raise InvalidInput(f"'{_shown(resource_type + '/' + name)}' is not a valid resource "
                               "type and name.", advice=ID_ADVICE)
        return cls(subscription.lower(), group, namespace, resource_type, name)


def looks_like_resource_id(text: str) -> bool:
    """Whether ``text`` is meant as a resource id (so its errors are the parser's to give)."""
    stripped = text.strip()
    try:
        return _id_path(stripped).lower().startswith("/subscriptions/")
    except InvalidInput:
        return False


def _id_path(text: str) -> str:
    if text.startswith("/"):
        return text
    if "://" in text:
        try:
            parts = urlsplit(text)
        except ValueError:
            raise InvalidInput("The text is not a valid URL or resource id.",
                               advice=ID_ADVICE) from None
        # Portal links carry the id in the fragment: …/#@tenant/resource/subscriptions/…/overview
        for candidate in (parts.fragment, parts.path):
            at = candidate.lower().find("/subscriptions/")
            if at >= 0:
                tail = candidate[at:]
                return _portal_trim(tail)
    raise InvalidInput("The text is not a resource id (it should start with /subscriptions/).",
                       advice=ID_ADVICE)


def _portal_trim(path: str) -> str:
    """Drop the portal's blade after the id (…/vaults/name/overview)."""
    segments = path.strip("/").split("/")
    return "/" + "/".join(segments[:8]) if len(segments) > 8 else path


def _shown(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def parse_resource_address(text: str) -> Address | None:
    """An Azure resource id (or a portal link holding one) as an address the Azure kind looks
    up; None for other text.

    Raises:
        InvalidInput: meant as a resource id, with a typo (the message names the segment).
    """
    if not looks_like_resource_id(text):
        return None
    resource_id = ArmResourceId.parse(text)
    return Address(AZURE, None, (str(resource_id),), text)
