"""The Cosmos DB kind's services (Qt-free; the only code importing ``azure.cosmos``).

Public API (import from the defining module; nothing is re-exported here):

``addresses``
    ``COSMOS_KIND`` ("cosmos"); ``normalize_cosmos_url(text) -> str`` (the canonical endpoint
    ``https://<account>.documents.azure.com/``; http/any port on loopback only; a bare name is
    a public-cloud account; raises ``InvalidInput``); ``account_name(endpoint)`` (a local
    server: ``host:port``); ``cosmos_suffixes()`` (every cloud's, ``clouds.json``'s too);
    ``account_key(text) -> SecretValue``; ``parse_connection_string(text | SecretValue) ->
    CosmosConnectionString(endpoint, key: SecretValue)`` (no message quotes the text).
``opening``
    ``COSMOS_AUTH_METHODS`` (Entra ID methods, ACCOUNT_KEY, CONNECTION_STRING, LOCAL_EMULATOR);
    ``await open_service(session, connection) -> CosmosService`` (the kind's ``open``: the
    session's transport with journal, limits and the read-only guard; adopted by the session).
    A CONNECTION_STRING connection's secret (memory or ``secret_env``) is the whole string.
``account``
    ``AccountFacts(id, consistency, write_regions, read_regions, multiple_write_regions,
    response)``: the account's own read when the client opened; ``AccountRead`` (the client's
    ``raw_response_hook`` that keeps it: ``.facts``).
``service.CosmosService``
    ``.endpoint``, ``.where``, ``.read_only``, ``.client`` (the SDK client: services only);
    ``.account: AccountFacts | None``;
    ``await databases(continuation=None) -> Page[DatabaseRecord]``;
    ``await containers(database, continuation=None) -> Page[ContainerRecord]``;
    ``await items(container: ContainerRecord, query: ItemQuery | None = None,
    continuation=None, page_size=None) -> Page[ItemRecord]`` (first page ``FIRST_PAGE_ITEMS``,
    later ``NEXT_PAGE_ITEMS``; ``Page.next_token`` is the query's continuation token).
``queries``
    ``ItemQuery(text="SELECT * FROM c", parameters=(), partition_key=<none>)``;
    ``ItemQuery.of(text, {"@p": value})`` (checks; ``InvalidInput``);
    ``.in_partition(value)`` (scoped: ``partition_key=``);
    ``ItemQuery.partition_items(key_path, value)`` (one partition's items, filtered in SQL too);
    ``DEFAULT_QUERY``, ``FIRST_PAGE_ITEMS``, ``NEXT_PAGE_ITEMS``, ``key_path_sql(path)``.
``records``
    ``DatabaseRecord(id, etag, modified)``; ``ContainerRecord(database, id,
    partition_key_paths, default_ttl, etag, modified)``; ``ItemRecord(id, partition_key, etag,
    modified, document; .size: bytes, computed when asked)``; ``value_at(document, path)``;
    ``CallFacts.of(ResponseInfo) -> CallFacts(status, request_charge, activity_id,
    session_token_sent, continuation_present, retry_after, item_count)`` (the detail pane's
    Cosmos rows).
``failures``
    ``cosmos_error(exc) -> VaultBrowserError``; ``cosmos_translated()`` (async context);
    ``QuerySyntaxError(InvalidInput)`` with ``.problems: tuple[QueryProblem(start, end, code,
    message)]`` (offsets into the SQL; ``.line_column(sql)``); ``PartitionKeyMismatch``,
    ``CrossPartitionQueryRefused``, ``RequestTooLarge`` (InvalidInput); 401/403 advice names
    ``READER_ROLE`` / ``CONTRIBUTOR_ROLE``; 404/409/412/429/5xx as core's types.
``read_requests``
    ``cosmos_read_request(method, url, headers)``: the read-only guard's rule (queries pass).
``details``
    ``await container_details(service, container) -> Result[ContainerDetails]``
    (``container`` re-read, ``partition_key_kind``, ``partition_key_version``,
    ``indexing_policy``, ``conflict_resolution_policy``, ``unique_keys``, ``analytical_ttl``,
    ``ttl_text``, ``throughput: Throughput(manual_ru, autoscale_max_ru, unavailable: str,
    response)``: a 400/403/404 on the offer is ``unavailable`` text, not an error);
    ``await read_throughput(container_proxy)``.
``items``
    ``await read_item(service, container, id, partition_key) -> Result[ItemRecord]``
    (``NotFound``); ``await create_item(service, container, document)`` (never an upsert:
    ``Conflict``); ``await replace_item(service, container, loaded: ItemRecord, document)`` and
    ``await delete_item(service, container, loaded)``, both ``If-Match: loaded.etag``: a
    concurrent change raises ``ItemChanged(Conflict)`` with ``.sent_etag``, ``.current:
    ItemRecord | None`` (None: deleted), ``.current_etag``; to overwrite, replace again with
    ``loaded=error.current``. ``check_document(document, container)`` (``InvalidInput``).
    An edit that changes the id or the partition key value is refused before sending.
``uploads``
    ``parse_items(text, container)`` / ``await read_upload(path, container)`` (an array or JSON
    lines, checked whole: ``InvalidInput`` naming the item or line; ``LocalFileError``);
    ``ItemUpload(service, container, items, progress=(done, total))``: ``await .run(writers=8)``,
    then ``.created`` (ids), ``.interrupted`` (in flight at a cancel: maybe written),
    ``.failed`` (``UploadFailure(id, partition_key, error)``), ``.not_attempted``,
    ``.summary()``; ``ReadOnlyRefused`` on a read-only connection.

The local test server: ``vaultbrowser.emulators.cosmos_server.CosmosServer`` (``endpoint``,
``ca_path``; ``COSMOS_SERVER_KEY``); tests use ``tests/cosmos/conftest.py`` (``cosmos_server``,
``seed``, ``cosmos_connection``, ``admin_client``).
"""
