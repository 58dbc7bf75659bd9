"""What our launcher changes in the local Cosmos DB server (``emulators/cosmos_server.py``):
connections kept alive between requests."""

from __future__ import annotations

import http.client
import ssl

from vaultbrowser.emulators.cosmos_server import CosmosServer


def test_the_server_keeps_a_connection_for_the_next_request(cosmos_server: CosmosServer) -> None:
    context = ssl.create_default_context(cafile=str(cosmos_server.ca_path))
    connection = http.client.HTTPSConnection("127.0.0.1", cosmos_server.port, context=context,
                                             timeout=10)
    try:
        answers = []
        for _ in range(2):
            connection.request("GET", "/", headers={"x-ms-version": "2020-07-15"})
            response = connection.getresponse()
            response.read()
            answers.append((response.status, response.getheader("connection"),
                            connection.sock))
    finally:
        connection.close()
    (first_status, first_header, first_socket), (second_status, _, second_socket) = answers
    assert (first_status, second_status) == (200, 200)
    assert first_header == "keep-alive"
    # http.client opens a new socket for the second request where the server closed the first
    assert first_socket is not None and second_socket is first_socket
