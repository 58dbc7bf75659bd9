"""The item table's chosen columns: per container, the partition key shown once (a nested
key path's parent offered only when it holds more than the key)."""

from __future__ import annotations

from vaultbrowser.cosmos.models.item_columns import ItemColumns
from vaultbrowser.cosmos.models.rows import beyond_the_key, common_properties

NESTED = ("/tenantId", "/session/id")


def test_a_nested_keys_parent_holding_only_the_key_is_not_offered() -> None:
    documents = [{"id": f"e-{n}", "tenantId": "t", "session": {"id": f"s-{n}"}, "kind": "click"}
                 for n in range(4)]
    assert common_properties(documents, NESTED, 4) == ("kind",)


def test_a_nested_keys_parent_holding_more_is_offered() -> None:
    # session.started means something else than the key (session.id): it earns a column
    documents = [{"id": "e", "tenantId": "t", "session": {"id": "s", "started": 3}, "kind": "k"}
                 for _ in range(3)]
    assert common_properties(documents, NESTED, 4) == ("session", "kind")
    # not the object the path goes through (a plain value): something else, offered too
    assert common_properties([{"id": "e", "session": "s-1"}], NESTED, 4) == ("session",)


def test_what_is_left_of_a_value_beyond_the_key() -> None:
    assert beyond_the_key({"id": "s"}, [["id"]]) is None
    assert beyond_the_key({"id": "s", "at": 1}, [["id"]]) == {"at": 1}
    assert beyond_the_key({"a": {"b": 1}}, [["a", "b"]]) is None
    assert beyond_the_key({"a": {"b": 1, "c": 2}}, [["a", "b"]]) == {"a": {"c": 2}}
    assert beyond_the_key("plain", [["id"]]) == "plain"


def test_each_container_keeps_its_own_columns_and_the_user_choice_wins() -> None:
    columns = ItemColumns(4)
    orders, users = ("https://a/", "shop", "orders"), ("https://a/", "shop", "users")
    assert columns.shown == ()
    assert columns.offer(orders, ("/customerId",), [{"id": "1", "customerId": "c", "total": 2}])
    assert columns.shown == ("total",)
    # the user's choice: id and the key's own property have their columns already
    assert columns.choose([" status", "id", "customerId", "status", "total", ""], by_user=True)
    assert columns.shown == ("status", "total")
    assert columns.offer(users, ("/pk",), [{"id": "u", "pk": "p", "name": "Ann"}])
    assert columns.shown == ("name",)
    assert columns.follow(orders, ("/customerId",))
    assert columns.shown == ("status", "total")
    assert not columns.follow(orders, ("/customerId",))  # already followed: nothing to redo
    # a container without common properties is still followed (its columns: none)
    assert columns.offer(("https://a/", "shop", "empty"), ("/pk",), [{"id": "x", "pk": "p"}])
    assert (columns.current, columns.shown) == (("https://a/", "shop", "empty"), ())
    columns.follow(orders, ("/customerId",))
    # a later first page of the same container (a refresh) keeps what the user chose
    assert not columns.offer(orders, ("/customerId",), [{"id": "1", "other": 1}])
    assert columns.shown == ("status", "total")
