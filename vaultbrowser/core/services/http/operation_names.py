"""The words kinds share when they name their requests for the audit trail.

Each kind names its own requests (``journal.OperationName``, given to its transport by its
opener: ``ServiceSession.transport(connection, names=…)``); core knows no kind's URL shapes.
"""

from __future__ import annotations

_VERBS = {"GET": "get", "HEAD": "get", "PUT": "set", "PATCH": "update", "POST": "act on",
          "DELETE": "delete", "OPTIONS": "probe"}


def verb_of(method: str) -> str:
    """The trail's verb for an HTTP method ("PUT" → "set"); an unknown method as it is."""
    return _VERBS.get(method.upper(), method.upper())

