"""What is known about a resource before the call (``Connection.notes``: a firewall, a SAS's
rights) joins the advice of the errors it may explain, and only of those."""

from __future__ import annotations

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import AccessDenied, NetworkError, NotFound
from vaultbrowser.core.services.translate import with_connection_notes

NOTED = Connection("blob", "https://a.blob.core.windows.net", AuthMethod.SAS,
                   notes=("the SAS's permissions are read, list", "it expires in 2 days"))


def test_notes_join_the_advice_of_an_access_or_network_error() -> None:
    for error in (AccessDenied("No.", advice="Ask for a role."), NetworkError("Down.")):
        noted = with_connection_notes(error, NOTED)
        assert noted is error
        assert noted.advice.endswith("Known before the call: The SAS's permissions are read, "
                                     "list. It expires in 2 days.")


def test_notes_stay_out_of_other_errors_and_without_notes() -> None:
    missing = with_connection_notes(NotFound("Gone.", advice="Refresh."), NOTED)
    assert missing.advice == "Refresh."
    plain = Connection("blob", "https://a.blob.core.windows.net", AuthMethod.SAS)
    assert with_connection_notes(AccessDenied("No.", advice="Ask."), plain).advice == "Ask."
    assert with_connection_notes(AccessDenied("No.", advice="Ask."), None).advice == "Ask."
