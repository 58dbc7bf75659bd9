"""Read-only mode lets exactly the POSTs that only read through, and nothing else."""

from __future__ import annotations

import pytest

from vaultbrowser.core.services.errors import ReadOnlyRefused
from vaultbrowser.core.services.http.readonly import allowed_read_only_post, read_only_guard

ARM = "https://management.azure.com"
GRAPH = "/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01"


@pytest.mark.parametrize("url", [
    ARM + GRAPH,
    ARM + GRAPH.lower(),
    "https://management.usgovcloudapi.net" + GRAPH,
    "https://127.0.0.1:8443" + GRAPH,
])
def test_a_resource_graph_query_passes(url: str) -> None:
    assert allowed_read_only_post(url) == "a Resource Graph query"
    read_only_guard("Azure")("POST", url)  # no exception


@pytest.mark.parametrize(("method", "url"), [
    # Listing a storage account's keys hands out credentials: an auditor must not escalate.
    ("POST", ARM + "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/"
             "storageAccounts/acct/listKeys?api-version=2023-05-01"),
    ("POST", ARM + "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/"
             "storageAccounts/acct/ListAccountSas?api-version=2023-05-01"),
    ("POST", ARM + "/providers/Microsoft.ResourceGraph/resources/extra?api-version=1"),
    ("POST", ARM + "/providers/Microsoft.ResourceGraph/resourcesX?api-version=1"),
    ("POST", ARM + "/x/providers/Microsoft.ResourceGraph/resources?api-version=1"),
    ("POST", ARM + "/providers/Microsoft.ResourceGraph/resourceChanges?api-version=1"),
    ("PUT", ARM + GRAPH),
    ("DELETE", ARM + GRAPH),
    ("PATCH", ARM + GRAPH),
    ("POST", "https://v.vault.azure.net/secrets/s/backup?api-version=7.5"),
    ("POST", "not a url"),
])
def test_every_other_write_is_refused(method: str, url: str) -> None:
    with pytest.raises(ReadOnlyRefused) as caught:
        read_only_guard("Azure")(method, url)
    assert "Nothing was sent" in caught.value.message
