"""connections_from_env: the command line's connection strings in environment variables, which
the Storage and Cosmos DB kinds share."""

from __future__ import annotations

import pytest

from vaultbrowser.core.services.connections import AuthMethod, connections_from_env
from vaultbrowser.core.services.errors import InvalidInput

SECRET = "Endpoint=https://one.example/;Key=c2VjcmV0"


def _endpoint(value: str) -> str:
    if "Endpoint=" not in value:
        raise InvalidInput("Not a connection string.")
    return value.split("Endpoint=", 1)[1].split(";", 1)[0]


def test_each_variable_opens_its_endpoint_and_remembers_the_variable_not_the_string(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONE", SECRET)
    monkeypatch.setenv("TWO", "Endpoint=https://two.example/;Key=eA==")
    connections = connections_from_env("thing", ["ONE", "TWO"], _endpoint, "a string")
    assert [(c.kind, c.url, c.auth, c.secret_env, c.secret) for c in connections] == [
        ("thing", "https://one.example/", AuthMethod.CONNECTION_STRING, "ONE", None),
        ("thing", "https://two.example/", AuthMethod.CONNECTION_STRING, "TWO", None)]
    assert "c2VjcmV0" not in repr(connections[0].to_settings())


@pytest.mark.parametrize("value", [None, ""])
def test_a_variable_not_set_or_empty_is_named_with_what_it_should_hold(
        monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    monkeypatch.setenv("ONE", SECRET)
    if value is None:
        monkeypatch.delenv("MISSING", raising=False)
    else:
        monkeypatch.setenv("MISSING", value)
    with pytest.raises(InvalidInput) as caught:
        connections_from_env("thing", ["ONE", "MISSING"], _endpoint, "a thing's string")
    assert "MISSING is not set or empty" in caught.value.message
    assert "Set MISSING to a thing's string." in str(caught.value.advice)


def test_a_string_that_does_not_parse_fails_as_the_parser_says(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONE", "garbage")
    with pytest.raises(InvalidInput, match="Not a connection string"):
        connections_from_env("thing", ["ONE"], _endpoint, "a string")
