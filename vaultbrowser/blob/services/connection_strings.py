"""Storage connection strings, SAS tokens and account keys: read once, strictly.

The Azure SDK's own parsers are lenient, and differently so: in a connection string a repeated
key wins last, keys are folded with Unicode ``upper()`` (a dotless "ı" makes ``BlobEndpoınt``
the blob endpoint), unknown keys are ignored and ``UseDevelopmentStorage=true`` silently
overrides every other setting; a SAS query keeps the first of repeated parameters and drops
those it does not know. So the SDK never sees the text the user gave: these functions turn it
into our own values, refuse anything ambiguous, and the session hands the SDK the parts.

Messages never quote a value or an unrecognised name from the text (a key pasted into the wrong
place would be echoed); they name settings by our own spelling and by position.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, unquote

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue

# The storage connection string settings we accept (spelled as Azure documents them). Of the
# per-service endpoints only BlobEndpoint is used; the others are allowed (Azurite's and the
# portal's strings carry them) and ignored.
CONNECTION_STRING_KEYS = (
    "DefaultEndpointsProtocol", "AccountName", "AccountKey", "EndpointSuffix", "BlobEndpoint",
    "QueueEndpoint", "TableEndpoint", "FileEndpoint", "SharedAccessSignature",
    "UseDevelopmentStorage",
)
_KEYS = {name.lower(): name for name in CONNECTION_STRING_KEYS}
# Settings the SDK knows that we cannot honour: refused with the reason.
_REFUSED_KEYS = {
    "developmentstorageproxyuri": "DevelopmentStorageProxyUri (a proxy in front of the storage "
                                  "emulator) is not supported.",
    **{f"{service}secondaryendpoint": f"{service.title()}SecondaryEndpoint is not supported: "
                                       "vaultbrowser reads the primary endpoint only."
       for service in ("blob", "queue", "table", "file")},
}

# Known SAS query parameters, in the order of the canonical token: account SAS, service SAS
# (with the response-header overrides), user delegation SAS, then the signature. Not accepted:
# the table-only range parameters (spk, srk, epk, erk, tn) and srh/srq, which bind the SAS to
# request headers and query parameters that vaultbrowser would not send.
SAS_PARAMETERS = (
    "sv", "ss", "srt", "sr", "sp", "st", "se", "sip", "spr", "si", "ses", "sdd",
    "rscc", "rscd", "rsce", "rscl", "rsct",
    "skoid", "sktid", "skt", "ske", "sks", "skv", "skdutid", "sduoid", "saoid", "suoid", "scid",
    "sig",
)
_RAW_SAS_VALUE = re.compile(r"(?:[A-Za-z0-9\-._~!$'()*,;:@/?=]|%[0-9A-Fa-f]{2})+")
_SAS_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")
_SAS_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?Z)?")
_ACCOUNT_NAME = re.compile(r"[a-z0-9]{3,24}")
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")

_ACCEPTED_ADVICE = ("A storage connection string is Key=Value pairs separated by ';', with the "
                    "keys " + ", ".join(CONNECTION_STRING_KEYS) + ". Copy it again from the "
                    "portal (Access keys).")


@dataclass(frozen=True)
class SasToken:
    """A SAS query, parsed: ``token`` is the canonical re-encoding the SDK gets (signature
    included, hence a ``SecretValue``); the other fields are the facts it states, for display."""

    token: SecretValue = field(repr=False)
    version: str
    services: str | None = None  # ss: b(lob) f(ile) q(ueue) t(able)
    resource_types: str | None = None  # srt: s(ervice) c(ontainer) o(bject)
    resource: str | None = None  # sr: b, c, bs, bv, d (a service SAS)
    permissions: str | None = None  # sp
    starts: datetime | None = None  # st (UTC)
    expires: datetime | None = None  # se (UTC)
    protocol: str | None = None  # spr: https or https,http
    ip_range: str | None = None  # sip


@dataclass(frozen=True)
class ConnectionStringSettings:
    """A storage connection string's settings, each checked on its own (``connections``
    resolves the blob endpoint): exactly one credential, unless ``development_storage``."""

    account_name: str | None = None
    account_key: SecretValue | None = field(default=None, repr=False)
    sas: SasToken | None = None
    protocol: str = "https"  # DefaultEndpointsProtocol, lowercase
    endpoint_suffix: str = "core.windows.net"  # lowercase when ASCII
    blob_endpoint: str | None = None  # BlobEndpoint as written
    development_storage: bool = False  # UseDevelopmentStorage=true (alone)


def is_account_name(text: str) -> bool:
    """A storage account name: 3–24 lowercase ASCII letters and digits."""
    return bool(_ACCOUNT_NAME.fullmatch(text))


def is_base64(text: str) -> bool:
    """True for non-empty, canonically padded standard base64 (what Azure keys and signatures
    are)."""
    if not text or len(text) % 4 or not _BASE64.fullmatch(text):
        return False
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def parse_account_key(text: str, *, what: str = "The account key") -> SecretValue:
    """A storage account key: standard base64 (the portal's keys are 88 characters ending '==').

    Raises:
        InvalidInput: not base64 (the message never repeats it).
    """
    key = text.strip()
    if not is_base64(key):
        raise InvalidInput(f"{what} is not valid base64.",
                           advice="Copy the key again from the storage account's Access keys: "
                                  "it is 88 letters, digits, '+' and '/', ending in '=='.")
    return SecretValue(key)


def split_connection_string(text: str) -> dict[str, str]:
    """A storage connection string's settings, keyed by the spelling of
    ``CONNECTION_STRING_KEYS``.

    Keys match case-insensitively in ASCII only (a key with any other character is refused,
    not folded); every key at most once; every value non-empty; no spaces or control
    characters; one trailing ';' is allowed.

    Raises:
        InvalidInput: any of the above (the message names no value and no unknown key).
    """
    body = text.strip()
    body = body[:-1] if body.endswith(";") else body
    if not body:
        raise InvalidInput("The connection string is empty.", advice=_ACCEPTED_ADVICE)
    if any(ch.isspace() or not ch.isprintable() for ch in body):
        raise InvalidInput("The connection string contains spaces or control characters.",
                           advice=_ACCEPTED_ADVICE)
    segments = body.split(";")
    settings: dict[str, str] = {}
    for position, segment in enumerate(segments, 1):
        where = f"setting {position} of {len(segments)}"
        key, sep, value = segment.partition("=")
        if not sep or not key:
            raise InvalidInput(f"The connection string is malformed: {where} is not a "
                               "Key=Value pair.", advice=_ACCEPTED_ADVICE)
        if not key.isascii():
            raise InvalidInput(f"The connection string's {where} has a name with a non-ASCII "
                               "character (a look-alike letter?).", advice=_ACCEPTED_ADVICE)
        folded = key.lower()
        if folded in _REFUSED_KEYS:
            raise InvalidInput("The connection string cannot be used: " + _REFUSED_KEYS[folded])
        name = _KEYS.get(folded)
        if name is None:
            raise InvalidInput(f"The connection string's {where} is not a setting vaultbrowser "
                               "knows.", advice=_ACCEPTED_ADVICE)
        if name in settings:
            raise InvalidInput(f"The connection string gives {name} more than once.",
                               advice="Keep one of them: which one the Azure SDK would use is "
                                      "not what you would expect.")
        if not value:
            raise InvalidInput(f"The connection string's {name} is empty.")
        settings[name] = value
    return settings


def parse_connection_string(text: str) -> ConnectionStringSettings:
    """A storage connection string's settings (syntax: ``split_connection_string``), checked:
    AccountName an account name; exactly one of AccountKey (base64, with AccountName) and
    SharedAccessSignature (a strict SAS); DefaultEndpointsProtocol https or http; an account
    named by AccountName or BlobEndpoint; ``UseDevelopmentStorage=true`` alone.

    Raises:
        InvalidInput: any of the above (the message never repeats a value).
    """
    settings = split_connection_string(text)
    if "UseDevelopmentStorage" in settings:
        value = settings["UseDevelopmentStorage"]
        if not value.isascii() or value.lower() != "true":
            raise InvalidInput("The connection string's UseDevelopmentStorage can only be true.")
        others = [name for name in settings if name != "UseDevelopmentStorage"]
        if others:
            raise InvalidInput(
                "UseDevelopmentStorage=true cannot be combined with other settings "
                f"({', '.join(others)}).",
                advice="With it the Azure SDK ignores every other setting and connects to the "
                       "local emulator with its public key, so the others would not mean what "
                       "they say. Give UseDevelopmentStorage=true alone, or the account's "
                       "settings without it.")
        return ConnectionStringSettings(development_storage=True)
    account = settings.get("AccountName")
    if account is not None and not is_account_name(account):
        raise InvalidInput("The connection string's AccountName is not a storage account name.",
                           advice="Account names are 3–24 lowercase letters and digits.")
    key, sas = settings.get("AccountKey"), settings.get("SharedAccessSignature")
    if key and sas:
        raise InvalidInput("The connection string has both AccountKey and "
                           "SharedAccessSignature.", advice="Give one credential, not two.")
    if not (key or sas):
        raise InvalidInput("The connection string has neither AccountKey nor "
                           "SharedAccessSignature.")
    if key and account is None:
        raise InvalidInput("The connection string's AccountKey comes without its AccountName.")
    if account is None and "BlobEndpoint" not in settings:
        raise InvalidInput("The connection string names no account (AccountName or "
                           "BlobEndpoint is missing).")
    if "://" not in settings.get("BlobEndpoint", "://"):
        raise InvalidInput("The connection string's BlobEndpoint is not a URL "
                           "(https://account.blob.core.windows.net).")
    protocol = _ascii_lower(settings.get("DefaultEndpointsProtocol", "https"))
    if protocol not in ("https", "http"):
        raise InvalidInput("The connection string's DefaultEndpointsProtocol must be https.")
    return ConnectionStringSettings(
        account_name=account, protocol=protocol,
        account_key=parse_account_key(key, what="The connection string's AccountKey")
        if key else None,
        sas=parse_sas_token(sas, what="The connection string's SharedAccessSignature")
        if sas else None,
        endpoint_suffix=_ascii_lower(settings.get("EndpointSuffix", "core.windows.net")),
        blob_endpoint=settings.get("BlobEndpoint"))


def _ascii_lower(text: str) -> str:
    return text.lower() if text.isascii() else text  # never fold look-alikes into ASCII


def parse_sas_token(text: str, *, what: str = "The SAS") -> SasToken:
    """A SAS query string (``sv=…&…&sig=…``, a leading '?' allowed), parsed strictly.

    Known parameters only (``SAS_PARAMETERS``, exact lowercase names), each at most once, each
    with a non-empty value written in query characters ('+' must be written %2B: a raw '+' may
    be read as a space); ``sv`` a service version date, ``st``/``se`` UTC times, ``sig`` base64.

    Raises:
        InvalidInput: any of the above (the message names no value and no unknown parameter).
    """
    body = text.strip()
    body = body[1:] if body.startswith("?") else body
    if not body:
        raise InvalidInput(f"{what} is empty.")
    segments = body.split("&")
    values: dict[str, str] = {}
    for position, segment in enumerate(segments, 1):
        where = f"parameter {position} of {len(segments)}"
        name, sep, raw = segment.partition("=")
        if not sep or not name:
            raise InvalidInput(f"{what} is malformed: {where} is not name=value.")
        if name not in SAS_PARAMETERS:
            raise InvalidInput(f"{what}'s {where} is not a SAS parameter vaultbrowser knows.",
                               advice="An account SAS has sv, ss, srt, sp, se, st, spr, sip "
                                      "and sig; copy it again as generated.")
        if name in values:
            raise InvalidInput(f"{what} gives {name} more than once.")
        if not raw:
            raise InvalidInput(f"{what}'s {name} is empty.")
        if not _RAW_SAS_VALUE.fullmatch(raw):
            raise InvalidInput(f"{what}'s {name} has characters that are not allowed in a URL "
                               "query (or a raw '+').",
                               advice="Use the SAS exactly as generated, percent-encoded.")
        try:
            value = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            raise InvalidInput(f"{what}'s {name} is not valid percent-encoded UTF-8.") from None
        if not value.isprintable():
            raise InvalidInput(f"{what}'s {name} contains control characters.")
        values[name] = value
    if "sig" not in values:
        raise InvalidInput(f"{what} has no signature (sig=…).")
    if not is_base64(values["sig"]):
        raise InvalidInput(f"{what}'s signature (sig) is not valid base64.",
                           advice="Copy the SAS again as generated.")
    version = values.get("sv")
    if version is None or not _SAS_VERSION.fullmatch(version):
        raise InvalidInput(f"{what} has no service version (sv=YYYY-MM-DD).")
    canonical = "&".join(f"{name}={quote(values[name], safe='')}"
                         for name in SAS_PARAMETERS if name in values)
    return SasToken(
        token=SecretValue(canonical), version=version, services=values.get("ss"),
        resource_types=values.get("srt"), resource=values.get("sr"),
        permissions=values.get("sp"), starts=_sas_time(values, "st", what),
        expires=_sas_time(values, "se", what), protocol=values.get("spr"),
        ip_range=values.get("sip"))


def _sas_time(values: dict[str, str], name: str, what: str) -> datetime | None:
    text = values.get(name)
    if text is None:
        return None
    match = _SAS_TIME.fullmatch(text)
    try:
        if match is None:
            raise ValueError(name)
        year, month, day, hour, minute, second, fraction = match.groups()
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                        int(second or 0), int((fraction or "0").ljust(7, "0")[:6]), tzinfo=UTC)
    except ValueError:
        label = "start" if name == "st" else "expiry"
        raise InvalidInput(f"{what}'s {label} ({name}) is not a UTC date and time "
                           "(YYYY-MM-DDThh:mm:ssZ).") from None
