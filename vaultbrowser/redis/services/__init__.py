"""The Redis kind's services (Qt-free; the only code importing redis-py). Public API:

wire/addresses.py
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
    ``RedisService``: ``.keys`` (RedisKeys), ``.values`` (RedisValues), ``.writes``
    (RedisWrites), ``.commands`` (RedisCommands); ``.where``,
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
    (the MATCH for ``list_keys``). ``KEY_TYPES`` (a module's type, e.g. ReJSON-RL, is accepted
    too). Page sizes: ``FIRST_KEY_PAGE`` 100, ``NEXT_KEY_PAGE`` 1000, ``LOAD_ALL_KEY_PAGE`` 5000.
values.py (never a whole huge value)
    ``string_range(name, start=0, size=64 KiB) -> StringSlice(data, start, total)``
    (``.complete``, ``.end``); ``hash_page / set_page / sorted_set_page(name, page_size=100,
    continuation=None, match=None) -> Page[HashField(field, value, skipped=0) | bytes |
    ScoredMember(member, score)]`` (HSCAN/SSCAN/ZSCAN; a hash field over ``MAX_MEMBER_BYTES``
    with its value: ``skipped`` = its size, no value, the page read on);
    ``list_window(name, start=0, count=100) -> ListWindow(items, start, total)``;
    ``stream_window(name, after=None, count=100) -> Page[StreamEntry(id, fields)]`` (next
    token = last id, exclusive).
writes.py (each raises ReadOnlyRefused on a read-only connection; values hidden in the journal)
    ``set_string(name, value, keep_ttl=True)``, ``set_string_range(name, offset, value)``,
    ``set_hash_field``, ``delete_hash_fields``, ``set_list_item(name, index, value)``
    (NotFound: shorter now), ``remove_list_items``, ``add_set_members``,
    ``remove_set_members``, ``add_sorted_members(name, {member: score})``,
    ``remove_sorted_members``, ``add_stream_entry(name, fields, entry_id="*") -> id``,
    ``delete_stream_entries``, ``set_ttl(name, seconds)``, ``clear_ttl(name)``,
    ``rename(name, new_name)`` (RENAMENX: Conflict when taken; InvalidInput across cluster
    slots), ``delete_keys(names) -> int`` (UNLINK per slot), ``delete_matching(pattern,
    progress=None) -> int`` (SCAN + UNLINK batches; ask for typed confirmation first).
samples.py (the audit findings' raw data, Qt-free)
    ``await sample_keys(service.commands, service.keys, max_keys=10_000, biggest=20,
    delimiter=b":") -> KeySample(sampled, complete, without_ttl: (NamespaceTtlCount(namespace,
    sampled, without_ttl)…), biggest: (KeySize(name, memory_bytes)…))``.
wire/commands.py
    ``RedisCommands.call(*args, key=, node=, expected=(), fit=None)`` / ``call_batch(commands,
    key=)`` (replies in order; a refused command's typed error in its place; ``fit(reply)``:
    what the caller keeps, held to the reply limit): the one
    place commands go (read-only gate, journal entry with ``CommandReply``, reply limit, typed
    errors). ``Hidden(value)`` marks an argument the journal must not show. ``.primaries()``
    (host:port of each primary), ``.slot_of(key)``, ``.identity`` (oid / "access key").
    Journal entries (core/services/http/journal.py ``ExchangeRecord``): ``method`` = the
    command ("SCAN", "MEMORY USAGE", "PIPELINE TYPE+PTTL"), ``url`` = connection URL + the
    arguments (values hidden), ``response`` None, ``reply`` = ``CommandReply(node, size)``
    when answered (``.text`` "OK · 123 B from host:port": after a MOVED/ASK redirect, the node
    that answered), else ``failure`` / ``refused`` / ``cancelled`` as for HTTP.
wire/connections.py
    ``connection_class(tls_context|None)`` (TLS with our context; notes each reply's node),
    ``use_connection_class(client, cls)`` (standalone pool or cluster nodes),
    ``tls_context(ca_path|None)`` (the OS trust store, or the private CA only),
    ``answering_nodes()`` (the nodes whose replies were read in a block).
wire/entra.py
    ``EntraTokenProvider(credential)``: ``await start() -> oid``, ``refresh()``,
    ``close()``, ``.user``, ``.refreshes``, ``.last_error``; ``object_id_of(token)``;
    ``REDIS_SCOPE``; ``SecretPasswordProvider(SecretValue, user=None)``.
wire/read_only.py
    ``READ_COMMANDS`` (the allowlist), ``ReadOnlyGate``.
wire/failures.py
    ``translate_redis_error(exc, where=, user=, command=)``.
wire/names.py
    ``display_text(name: bytes, limit=None)``, ``glob_escape``, ``prefix_pattern``.
"""
