"""Azure Cosmos DB (NoSQL API): accounts → databases → containers → items.

``services/`` is the only code importing ``azure.cosmos`` (Qt-free) ← ``models/`` ← ``ui/``;
``kind.py`` is the kind's ``ServiceKind``. Its public API is summarised in
``services/__init__.py``.
"""
