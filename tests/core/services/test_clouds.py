"""Azure clouds: a URL's cloud, sign-ins that stay in their cloud, custom clouds from a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vaultbrowser.azure.services.connections import normalize_arm_url
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.signin import clouds
from vaultbrowser.core.services.signin.clouds import (
    AZURE_CHINA,
    AZURE_PUBLIC,
    AZURE_US_GOVERNMENT,
    check_same_cloud,
    cloud_of_url,
    parse_custom_clouds,
    signed_in_like,
)

STACK = {"name": "stack", "label": "Contoso Azure Stack", "authority_host": "login.stack.local",
         "resource_manager": "https://management.stack.contoso.com",
         "vault_suffix": ".vault.stack.contoso.com", "storage_suffix": ".stack.contoso.com"}


@pytest.mark.parametrize(("url", "cloud"), [
    ("https://kv1.vault.azure.net", AZURE_PUBLIC),
    ("https://acct.blob.core.windows.net", AZURE_PUBLIC),
    ("https://management.azure.com", AZURE_PUBLIC),
    ("https://kv1.vault.usgovcloudapi.net", AZURE_US_GOVERNMENT),
    ("https://acct.blob.core.usgovcloudapi.net", AZURE_US_GOVERNMENT),
    ("https://kv1.vault.azure.cn", AZURE_CHINA),
    ("https://management.chinacloudapi.cn", AZURE_CHINA),
    ("https://127.0.0.1:8443", None),
    ("https://files.example.com", None),
])
def test_the_cloud_of_a_url(url: str, cloud: object) -> None:
    assert cloud_of_url(url) == cloud


def test_what_a_sign_in_finds_stays_in_its_cloud() -> None:
    sign_in = Connection("azure", "https://management.azure.com", AuthMethod.AZURE_CLI,
                         tenant_id="t1", read_only=True)
    vault = signed_in_like(sign_in, "keyvault", "https://kv1.vault.azure.net")
    assert (vault.auth, vault.tenant_id, vault.read_only, vault.ca_path) == (
        AuthMethod.AZURE_CLI, "t1", True, None)
    with pytest.raises(InvalidInput) as caught:
        signed_in_like(sign_in, "keyvault", "https://kv1.vault.azure.cn")
    assert "Azure China" in caught.value.message and "Azure public" in caught.value.message
    assert "management.chinacloudapi.cn" in (caught.value.advice or "")
    check_same_cloud("https://127.0.0.1:9", "https://management.azure.com")  # emulators: fine


def test_custom_clouds_from_the_settings_file(custom_clouds: Path) -> None:
    custom_clouds.write_text(json.dumps([STACK]))
    stack = clouds.available_clouds()[-1]
    assert stack.label == "Contoso Azure Stack" and stack.authority_host == "login.stack.local"
    assert cloud_of_url("https://kv1.vault.stack.contoso.com", clouds.available_clouds()) == stack
    assert normalize_arm_url("https://management.stack.contoso.com/") == (
        "https://management.stack.contoso.com")
    assert clouds.clouds_file_problem() is None


def test_a_broken_clouds_file_is_left_out_and_says_why(custom_clouds: Path) -> None:
    custom_clouds.write_text("[{]")
    assert clouds.available_clouds() == clouds.KNOWN_CLOUDS
    assert "not valid JSON" in (clouds.clouds_file_problem() or "")
    with pytest.raises(InvalidInput):
        normalize_arm_url("https://management.stack.contoso.com")


@pytest.mark.parametrize(("change", "words"), [
    ({"resource_manager": "http://management.stack.contoso.com"}, "https://"),
    ({"resource_manager": "https://management.stack.contoso.com/x"}, "without a path"),
    ({"vault_suffix": "vault.stack"}, "domain suffix"),
    ({"authority_host": "not a host"}, "not a host name"),
    ({"name": "public"}, "is taken"),
    ({"label": 3}, "'label'"),
])
def test_a_cloud_entry_with_a_mistake_names_it(change: dict, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_custom_clouds(json.dumps([{**STACK, **change}]))
    assert words in caught.value.message and "#1" in caught.value.message
