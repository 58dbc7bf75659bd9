"""``CrossVaultSearch`` against two (and more) Key Vault emulator instances, through the app's own
session, pipeline and SDK clients: matches from every vault with its label, each filter, bad
input before any request, cancel, throttling (Retry-After honoured by the SDK and by the search,
resuming from the continuation token), and one vault's failure leaving the others alone."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vaultbrowser.core.services.config import NetworkSettings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import AccessDenied, NetworkError
from vaultbrowser.core.services.name_match import NameMatch
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.across.search import (
    CrossVaultSearch,
    SearchHit,
    SearchLimits,
    VaultProgress,
    VaultState,
)
from vaultbrowser.keyvault.services.across.search_filters import (
    ItemKind,
    QueryError,
    VaultQuery,
    expired,
    expiring_within,
)
from vaultbrowser.keyvault.services.across.vault_set import Vault
from vaultbrowser.keyvault.services.opener import open_vault

from .cross_vault_fixtures import ALPHA_SEED, BETA_SEED, QUICK, connection, import_ca_signed

BIG = 60  # secrets in the "gamma" vault: three pages of 25


@pytest.fixture(scope="module")
def alpha(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("search-alpha"),
                                seed=ALPHA_SEED) as instance:
        yield instance


@pytest.fixture(scope="module")
def beta(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("search-beta"),
                                seed=BETA_SEED) as instance:
        asyncio.run(import_ca_signed(instance, "partner-cert", "api.partner.example",
                                     "Search Tests Issuing CA"))
        yield instance


@pytest.fixture(scope="module")
def gamma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    seed = {"secrets": [{"name": f"bulk-{i:03d}", "value": "g"} for i in range(BIG)]}
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("search-gamma"),
                                seed=seed) as instance:
        yield instance


@pytest.fixture(autouse=True)
def _no_faults_left(alpha: Any, beta: Any, gamma: Any) -> Iterator[None]:
    yield
    for emulator in (alpha, beta, gamma):
        emulator.faults.clear()


class Collected:
    """Everything a search reported: hits, and each progress with the time it came."""

    def __init__(self) -> None:
        self.hits: list[SearchHit] = []
        self.events: list[tuple[float, VaultProgress]] = []
        self.on_progress: Callable[[VaultProgress], None] | None = None

    def __call__(self, progress: VaultProgress, hits: Sequence[SearchHit]) -> None:
        self.hits.extend(hits)
        self.events.append((time.monotonic(), progress))
        if self.on_progress is not None:
            self.on_progress(progress)

    def found(self) -> set[tuple[str, str, str]]:
        return {(hit.vault.label, hit.kind.value, hit.record.name) for hit in self.hits}

    def of(self, label: str) -> list[VaultProgress]:
        return [progress for _, progress in self.events if progress.label == label]


async def search(emulators: Sequence[tuple[Any, str]], query: VaultQuery,
                 collected: Collected | None = None, *, limits: SearchLimits | None = None,
                 extra: Sequence[Connection] = ()) -> tuple[Collected, list[VaultProgress]]:
    collected = collected or Collected()
    session = ServiceSession(network=QUICK)
    try:
        connections = [connection(emulator, label) for emulator, label in emulators]
        vaults = [Vault(c.display_name, open_vault(session, c))
                  for c in (*connections, *extra)]
        finals = await CrossVaultSearch(vaults, query, limits or SearchLimits(),
                                        session.journal).run(collected)
        return collected, finals
    finally:
        await session.aclose()


def listing_requests(emulator: Any, since: int = 0, prefix: str = "/secrets") -> list[Any]:
    return [e for e in emulator.request_log[since:]
            if e.authorized and e.method == "GET" and e.path.rstrip("/") == prefix]


# --- matches from every vault ------------------------------------------------------------------

def test_matches_from_both_vaults_carry_their_vault(alpha: Any, beta: Any, run: Any) -> None:
    collected, finals = run(search([(alpha, "alpha"), (beta, "beta")],
                                   VaultQuery(name="db-")))
    assert collected.found() == {("alpha", "secrets", "db-password"),
                                 ("beta", "secrets", "db-password"),
                                 ("beta", "secrets", "DB-Backup")}
    assert {hit.vault.url for hit in collected.hits} == {alpha.url, beta.url}
    assert [(p.label, p.state) for p in finals] == [("alpha", VaultState.DONE),
                                                    ("beta", VaultState.DONE)]
    # Every live item listed once: 6 secrets, 1 certificate with its secret and key, 1 key.
    alpha_final = finals[0]
    assert alpha_final.scanned == 10 and alpha_final.matches == 1
    assert alpha_final.text() == "alpha: 10 scanned, 1 match — done"
    # Matches streamed as pages landed, before the vault was done.
    first_hit = next(i for i, (_, p) in enumerate(collected.events) if p.matches)
    assert not collected.events[first_hit][1].state.finished


def _alpha_thumbprint(alpha: Any, run: Any) -> str:
    collected, _ = run(search([(alpha, "alpha")], VaultQuery(
        name="web-alpha", kinds=frozenset({ItemKind.CERTIFICATES}))))
    (hit,) = collected.hits
    return str(hit.record.x509_thumbprint)


def _in(days: int) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


QUERIES: list[tuple[str, VaultQuery, set[tuple[str, str, str]]]] = [
    ("glob", VaultQuery(name="db-*", match=NameMatch.GLOB),
     {("alpha", "secrets", "db-password"), ("beta", "secrets", "db-password"),
      ("beta", "secrets", "DB-Backup")}),
    ("glob, match case", VaultQuery(name="db-*", match=NameMatch.GLOB, case_sensitive=True),
     {("alpha", "secrets", "db-password"), ("beta", "secrets", "db-password")}),
    ("regex", VaultQuery(name=r"^(api|signing)-", match=NameMatch.REGEX),
     {("alpha", "secrets", "api-key"), ("alpha", "keys", "signing-alpha"),
      ("beta", "keys", "signing-beta")}),
    ("tag key", VaultQuery(tag_key="ENV"),
     {("alpha", "secrets", "db-password"), ("alpha", "keys", "signing-alpha"),
      ("beta", "secrets", "db-password")}),
    ("tag key and value", VaultQuery(tag_key="env", tag_value="stag"),
     {("beta", "secrets", "db-password")}),
    ("tag value alone", VaultQuery(tag_value="checkout"), {("alpha", "secrets", "api-key")}),
    ("content type", VaultQuery(content_type="JSON"), {("beta", "secrets", "DB-Backup")}),
    ("disabled", VaultQuery(enabled=False), {("alpha", "secrets", "old-token")}),
    ("expired", VaultQuery(expires_to=expired()[1]), {("alpha", "secrets", "expired-token")}),
    ("within 30 days", VaultQuery(expires_from=expiring_within(30)[0],
                                  expires_to=expiring_within(30)[1]),
     {("alpha", "secrets", "expires-soon")}),
    ("expiry range", VaultQuery(expires_from=_in(390), expires_to=_in(500)),
     {("alpha", "secrets", "long-lived")}),
    ("keys only", VaultQuery(name="signing", kinds=frozenset({ItemKind.KEYS})),
     {("alpha", "keys", "signing-alpha"), ("beta", "keys", "signing-beta")}),
    ("subject", VaultQuery(subject="cn=WEB.beta"), {("beta", "certificates", "web-beta")}),
    ("issuer", VaultQuery(issuer="Issuing CA"), {("beta", "certificates", "partner-cert")}),
    ("subject and name", VaultQuery(name="web", subject="web."),
     {("alpha", "certificates", "web-alpha"), ("beta", "certificates", "web-beta")}),
]


@pytest.mark.parametrize(("what", "query", "expected"), QUERIES, ids=[q[0] for q in QUERIES])
def test_each_filter(alpha: Any, beta: Any, run: Any, what: str, query: VaultQuery,
                     expected: set[tuple[str, str, str]]) -> None:
    collected, finals = run(search([(alpha, "alpha"), (beta, "beta")], query))
    assert collected.found() == expected, what
    assert all(p.state is VaultState.DONE for p in finals)


def test_thumbprint_in_any_case_with_colons(alpha: Any, beta: Any, run: Any) -> None:
    thumbprint = _alpha_thumbprint(alpha, run)
    typed = ":".join(thumbprint[i:i + 2] for i in range(0, 40, 2)).lower()
    since = len(alpha.request_log)
    collected, _ = run(search([(alpha, "alpha"), (beta, "beta")], VaultQuery(thumbprint=typed)))
    assert collected.found() == {("alpha", "certificates", "web-alpha")}
    # In the listing: no certificate read, and secrets and keys not even listed.
    paths = [e.path for e in alpha.request_log[since:] if e.authorized]
    assert paths == ["/certificates"]


def test_subject_filter_reads_certificates_and_only_then(alpha: Any, beta: Any,
                                                         run: Any) -> None:
    since = len(beta.request_log)
    collected, finals = run(search([(beta, "beta")], VaultQuery(subject="partner")))
    gets = [e.path for e in beta.request_log[since:] if e.authorized
            and e.path.startswith("/certificates/")]
    assert sorted(gets) == ["/certificates/partner-cert/", "/certificates/web-beta/"] or sorted(
        g.rstrip("/") for g in gets) == ["/certificates/partner-cert", "/certificates/web-beta"]
    assert finals[0].read == 2 and finals[0].text().endswith("2 read — done")
    (hit,) = collected.hits
    assert hit.record.subject == "CN=api.partner.example"  # the full record, read
    assert "Search Tests Issuing CA" in (hit.record.issuer or "")
    since = len(beta.request_log)
    run(search([(beta, "beta")], VaultQuery(name="partner")))
    assert not [e for e in beta.request_log[since:] if e.path.startswith("/certificates/")]


# --- bad input, before any request --------------------------------------------------------------

@pytest.mark.parametrize(("query", "field", "words"), [
    (VaultQuery(name="db-(", match=NameMatch.REGEX), "name", "regular expression"),
    (VaultQuery(name="db-[ab", match=NameMatch.GLOB), "name", "never closed"),
    (VaultQuery(thumbprint="XYZ"), "thumbprint", "hexadecimal"),
    (VaultQuery(thumbprint="AB" * 32), "thumbprint", "SHA-256"),
    (VaultQuery(thumbprint="AB" * 10), "thumbprint", "40 hex digits"),
    (VaultQuery(expires_from=_in(5), expires_to=_in(1)), "expiry", "empty"),
    (VaultQuery(expires_to=datetime(2030, 1, 1)), "expiry", "time zone"),
    (VaultQuery(kinds=frozenset()), "kinds", "at least one"),
    (VaultQuery(content_type="json", subject="x"), "kinds", "No kind"),
    (VaultQuery(subject="web", kinds=frozenset({ItemKind.KEYS})), "kinds", "No kind"),
])
def test_bad_input_is_a_typed_error_before_any_request(alpha: Any, run: Any, query: VaultQuery,
                                                       field: str, words: str) -> None:
    since = len(alpha.request_log)
    with pytest.raises(QueryError) as raised:
        run(search([(alpha, "alpha")], query))
    assert raised.value.field == field and words in raised.value.message
    assert len(alpha.request_log) == since


def test_within_n_days_takes_positive_days() -> None:
    with pytest.raises(QueryError):
        expiring_within(0)


# --- cancel ------------------------------------------------------------------------------------

def test_cancel_stops_further_requests(gamma: Any, run: Any) -> None:
    gamma.faults.latency_ms = 150
    since = len(gamma.request_log)

    async def body() -> tuple[Collected, int]:
        collected = Collected()
        first_page = asyncio.Event()
        collected.on_progress = lambda p: first_page.set() if p.pages == 1 else None
        task = asyncio.ensure_future(search([(gamma, "gamma")], VaultQuery(name="bulk"),
                                            collected))
        await first_page.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        at_cancel = len(gamma.request_log)
        await asyncio.sleep(0.6)  # a search still running would have made 2+ requests by now
        return collected, len(gamma.request_log) - at_cancel

    collected, after = run(body())
    # At most the second page, asked before the cancel: the emulator logs it when it answers
    # (150 ms later). A search still running would have asked for the third and fourth too.
    assert after <= 1
    assert len(listing_requests(gamma, since)) <= 2  # the first page, the second in flight
    assert collected.of("gamma")[-1].state is VaultState.CANCELLED
    assert len(collected.hits) == 25


# --- throttling --------------------------------------------------------------------------------

SDK_ATTEMPTS = QUICK.retry_status + 1


def test_throttled_listing_waits_and_resumes_from_its_continuation(gamma: Any, run: Any) -> None:
    """429s with Retry-After on the second page: the SDK retries honouring it, gives up, the
    search waits the Retry-After and asks for the same page again; every match arrives."""
    since = len(gamma.request_log)
    collected = Collected()
    injected: list[bool] = []

    def after_first_page(progress: VaultProgress) -> None:
        if progress.pages == 1 and not injected:
            injected.append(True)
            gamma.faults.add(429, retry_after=0.4, times=SDK_ATTEMPTS + 1,
                             path_prefix="/secrets")

    collected.on_progress = after_first_page
    collected, finals = run(search([(gamma, "gamma")], VaultQuery(name="bulk"), collected))
    assert len(collected.hits) == BIG and finals[0].state is VaultState.DONE
    assert finals[0].throttled_waits == 1 and finals[0].scanned == BIG

    requests = listing_requests(gamma, since)
    statuses = [e.status for e in requests]
    assert statuses == [200] + [429] * (SDK_ATTEMPTS + 1) + [200, 200]
    throttled = requests[1:SDK_ATTEMPTS + 3]
    # Every retry came at least the Retry-After later: the SDK's and the search's own.
    gaps = [b.time - a.time for a, b in itertools.pairwise(throttled)]
    assert all(gap >= 0.38 for gap in gaps), gaps
    # The page after the throttling is the page that was throttled: never from scratch.
    tokens = {e.query.get("$skiptoken") for e in throttled}
    assert len(tokens) == 1 and None not in tokens
    throttled_states = [p for p in collected.of("gamma") if p.state is VaultState.THROTTLED]
    # Shown at the first 429 already (the SDK retrying, seen in the session's journal), then
    # during the search's own wait.
    assert throttled_states[0].throttled_waits == 0
    assert throttled_states[0].text() == "gamma: 25 scanned, 25 matches — throttled, waiting 1 s"
    assert any(p.throttled_waits == 1 for p in throttled_states)
    assert collected.of("gamma")[-1].text() == f"gamma: {BIG} scanned, {BIG} matches — done"


def test_a_throttled_vault_does_not_hold_up_the_others(alpha: Any, gamma: Any,
                                                        run: Any) -> None:
    gamma.faults.add(429, retry_after=0.5, times=SDK_ATTEMPTS + 1, path_prefix="/secrets")
    collected = Collected()
    seen_at_alpha_done: list[VaultProgress] = []

    def watch(progress: VaultProgress) -> None:
        if progress.label == "alpha" and progress.state is VaultState.DONE:
            seen_at_alpha_done.append(collected.of("gamma")[-1])

    collected.on_progress = watch
    collected, finals = run(search([(gamma, "gamma"), (alpha, "alpha")],
                                   VaultQuery(name="-"), collected))
    (gamma_then,) = seen_at_alpha_done
    assert gamma_then.scanned == 0 and not gamma_then.state.finished
    assert [p.state for p in finals] == [VaultState.DONE, VaultState.DONE]
    assert finals[0].matches == BIG and finals[0].throttled_waits == 1


def test_retry_after_is_capped(gamma: Any, run: Any) -> None:
    """A Retry-After beyond the cap waits the cap (here 0.3 s), not an hour."""
    gamma.faults.add(429, retry_after=3600, times=SDK_ATTEMPTS, path_prefix="/secrets")
    limits = SearchLimits(max_throttle_wait=0.3)

    async def body() -> Any:
        # azure-core itself would sleep the hour: its retries are off here.
        session = ServiceSession(network=NetworkSettings(retry_total=0, retry_status=0))
        try:
            vault = Vault("gamma", open_vault(session, connection(gamma, "gamma")))
            started = time.monotonic()
            collected = Collected()
            finals = await CrossVaultSearch([vault], VaultQuery(name="bulk"), limits).run(
                collected)
            return finals, time.monotonic() - started
        finally:
            await session.aclose()

    finals, took = run(body())
    assert finals[0].state is VaultState.DONE and finals[0].matches == BIG
    assert finals[0].throttled_waits == SDK_ATTEMPTS and took < 0.3 * SDK_ATTEMPTS + 3


# --- one vault failing -------------------------------------------------------------------------

def test_a_forbidden_kind_is_that_vaults_problem_only(alpha: Any, beta: Any, run: Any) -> None:
    alpha.faults.forbid("/certificates", times=None)
    collected, finals = run(search([(alpha, "alpha"), (beta, "beta")], VaultQuery(name="web")))
    alpha_final, beta_final = finals
    assert alpha_final.state is VaultState.FAILED and isinstance(alpha_final.error, AccessDenied)
    assert alpha_final.problems[0].startswith("certificates: ")
    assert alpha_final.text() == ("alpha: 9 scanned, 2 matches — failed: certificates: Caller "
                                  "is not authorized to perform action on resource.")
    assert beta_final.state is VaultState.DONE
    # The certificate's own secret and key are still found in alpha.
    assert collected.found() == {("beta", "certificates", "web-beta"),
                                 ("beta", "secrets", "web-beta"), ("beta", "keys", "web-beta"),
                                 ("alpha", "secrets", "web-alpha"), ("alpha", "keys", "web-alpha")}


def test_an_unreachable_vault_fails_alone(alpha: Any, run: Any) -> None:
    dead = Connection("keyvault", "https://127.0.0.1:9", AuthMethod.LOCAL_EMULATOR,
                      name="unreachable", ca_path=str(alpha.ca_path))
    collected, finals = run(search([(alpha, "alpha")], VaultQuery(name="api"), extra=[dead]))
    alpha_final, dead_final = finals
    assert alpha_final.state is VaultState.DONE
    assert dead_final.state is VaultState.FAILED and isinstance(dead_final.error, NetworkError)
    assert len(dead_final.problems) == 1  # not tried again for certificates and keys
    assert collected.found() == {("alpha", "secrets", "api-key")}


def test_vaults_are_searched_at_most_n_at_once(alpha: Any, beta: Any, gamma: Any,
                                              run: Any) -> None:
    collected, finals = run(search([(alpha, "alpha"), (beta, "beta"), (gamma, "gamma")],
                                   VaultQuery(name="x"), limits=SearchLimits(vaults_at_once=1)))
    # One at a time: a vault starts only once the one before it is finished.
    order = [(p.label, p.state) for _, p in collected.events
             if p.state in (VaultState.SEARCHING, VaultState.DONE)]
    started = [label for label, state in order if state is VaultState.SEARCHING]
    done = [label for label, state in order if state is VaultState.DONE]
    assert done == ["alpha", "beta", "gamma"]
    for label in ("beta", "gamma"):
        first_start = next(i for i, (lbl, st) in enumerate(order)
                           if lbl == label and st is VaultState.SEARCHING)
        previous = ["alpha", "beta", "gamma"][["alpha", "beta", "gamma"].index(label) - 1]
        previous_done = next(i for i, (lbl, st) in enumerate(order)
                             if lbl == previous and st is VaultState.DONE)
        assert previous_done < first_start
    assert set(started) == {"alpha", "beta", "gamma"}
    assert all(p.state is VaultState.DONE for p in finals)


def _most_at_once(entries: Sequence[Any]) -> int:
    """The most of ``entries`` the emulator was serving at one moment."""
    edges = sorted([(e.time, 1) for e in entries]
                   + [(e.time + e.duration_ms / 1000, -1) for e in entries])
    most = now = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return most


def test_certificate_reads_are_bounded_per_vault(tmp_path_factory: pytest.TempPathFactory,
                                                 run: Any) -> None:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    seed = {"certificates": [{"name": f"site-{i:02d}", "subject": f"CN=site-{i:02d}.local",
                              "kty": "EC", "crv": "P-256"} for i in range(12)]}
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("search-certs"),
                                seed=seed) as certs:
        certs.faults.latency_ms = 100
        collected, finals = run(search([(certs, "certs")], VaultQuery(subject="site-0"),
                                       limits=SearchLimits(gets_per_vault=3)))
        entries = [e for e in certs.request_log if e.authorized]
    assert len(collected.hits) == 10 and finals[0].read == 12
    reads = [e for e in entries if e.path.rstrip("/").count("/") == 2]
    assert len(reads) == 12
    assert _most_at_once(reads) == 3  # concurrent, and never more than asked
