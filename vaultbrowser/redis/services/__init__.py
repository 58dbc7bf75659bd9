"""The Redis kind's services (Qt-free; the only code importing redis-py). Public API:

addresses.py
    ``parse_redis_url(text) -> ParsedRedisUrl(address, user, password: SecretValue|None)``,
    ``normalize_redis_url(text) -> str`` (a ``ServiceKind.normalize_url``),
    ``RedisAddress(host, port, tls, db)`` with ``.url`` (canonical, no credentials), ``.node``
    (host:port), ``.is_azure_managed``. AMR ``<name>.<region>.redis.azure.net`` → TLS :10000;
    ``redis://`` for loopback only. Raise ``InvalidInput`` (never quoting a password).
opening.py
    ``await open_service(session, connection) -> RedisService`` (the kind's ``open``: Entra
    methods → ``EntraTokenProvider`` over ``session.token_credential``; ``ACCOUNT_KEY`` →
    the connection's secret; ``LOCAL_EMULATOR`` → no sign-in, loopback only; adopted by the
    session). ``await open_redis(address, where=, credentials=, read_only=, journal=,
    options=RedisOptions(...))``: the same without a session. ``REDIS_AUTH_METHODS``;
    ``access_key(text) -> SecretValue`` (a ``check_secret``).
service.py
    ``RedisService``: ``.keys`` (RedisKeys), ``.commands`` (RedisCommands); ``.where``,
    ``.cluster``, ``.read_only``, ``.user`` (the oid sent), ``.token_provider``; ``close()``.
keys.py
    ``await service.keys.list_keys(page_size=, continuation=None, match=None,
    type_filter=None) -> Page[KeyRecord]`` (SCAN; ``next_token`` None on the last page; a
    page may be short and still continue). ``KeyRecord(name: bytes).display`` (safe text).
    ``await service.keys.details(name) -> KeyDetails(name, exists, type, ttl_ms,
    memory_bytes, encoding, length)``. Tree mode: ``split_namespaces(keys, prefix=b"",
    delimiter=b":") -> ([NamespaceRecord], [KeyRecord])``, ``NamespaceGrouping(prefix,
    delimiter).add(page.items)`` (only namespaces not seen on earlier pages);
    ``NamespaceRecord(prefix, delimiter)`` with ``.display`` (last segment) and ``.pattern``
    (the MATCH for ``list_keys``). ``KEY_TYPES``.
commands.py
    ``RedisCommands.call(*args, key=, node=)`` / ``call_batch(commands, key=)``: the one
    place commands go (read-only gate, journal entry with ``CommandReply``, reply limit, typed
    errors). ``Hidden(value)`` marks an argument the journal must not show.
entra.py
    ``EntraTokenProvider(credential)``: ``await start() -> oid``, ``refresh()``,
    ``close()``, ``.user``, ``.refreshes``, ``.last_error``; ``object_id_of(token)``;
    ``REDIS_SCOPE``; ``SecretPasswordProvider(SecretValue, user=None)``.
read_only.py
    ``READ_COMMANDS`` (the allowlist), ``ReadOnlyGate``.
failures.py
    ``translate_redis_error(exc, where=, user=, command=)``.
names.py
    ``display_text(name: bytes, limit=None)``, ``glob_escape``, ``prefix_pattern``.
"""
