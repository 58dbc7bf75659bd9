"""The emulators' shared route table: placeholders, case, and a miss that tells a known path
(405 for the emulator) from an unknown one (404)."""

from __future__ import annotations

import pytest

from vaultbrowser.emulators.routes import NoRoute, Router


def test_a_route_matches_its_method_and_names_its_placeholders() -> None:
    router: Router[str] = Router()
    router.add([("GET", "/secrets/{name}", "get"), ("PUT", "/secrets/{name}", "put")])
    assert router.match("get", "/Secrets/one") == ("get", {"name": "one"})
    assert router.match("PUT", "/secrets/two") == ("put", {"name": "two"})


@pytest.mark.parametrize(("method", "path", "path_known"), [
    ("DELETE", "/secrets/one", True),
    ("GET", "/secrets/one/two", False),
    ("GET", "/keys", False),
])
def test_a_miss_says_whether_the_path_is_known(method: str, path: str, path_known: bool) -> None:
    router: Router[str] = Router()
    router.add([("GET", "/secrets/{name}", "get")])
    with pytest.raises(NoRoute) as missing:
        router.match(method, path)
    assert missing.value.path_known is path_known
