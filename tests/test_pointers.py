"""JSON Pointers: escaping and the walk that reports every value with its path."""

from __future__ import annotations

from pakkeforlop.model import pointers


def test_pointer_tokens_are_escaped_as_rfc_6901_says():
    assert pointers.pointer(["a/b", "m~n", 0, ""]) == "/a~1b/m~0n/0/"
    assert pointers.pointer([]) == ""


def test_walk_visits_every_value_once_in_document_order():
    value = {"a": [1, {"b": 2}], "c": 3}
    assert [pointers.pointer(path) for path, _ in pointers.walk(value)] == [
        "",
        "/a",
        "/a/0",
        "/a/1",
        "/a/1/b",
        "/c",
    ]


def test_walk_handles_deep_nesting_without_recursion():
    value: object = 0
    for _ in range(5000):
        value = [value]
    assert sum(1 for _ in pointers.walk(value)) == 5001


def _walked_members(value: object, name: str) -> list[tuple[pointers.Path, object]]:
    return [(path, item) for path, item in pointers.walk(value) if path and path[-1] == name]


def test_index_finds_every_object_and_member_in_walk_order():
    value = {
        "orgNumber": "1",
        "a": [{"orgNumber": "2", "b": {"orgNumber": "3"}}, [{"orgNumber": "4"}], 5],
        "c": {"d": {"orgNumber": "5"}, "orgNumber": "6"},  # nested before its sibling member
        "orgNumber/~": "7",
    }
    index = pointers.index(value)
    assert index.objects == [
        (path, item) for path, item in pointers.walk(value) if isinstance(item, dict)
    ]
    for name in ("orgNumber", "orgNumber/~", "d", "missing"):
        assert index.named(name) == _walked_members(value, name)
    assert [item for _, item in index.named("orgNumber")] == ["1", "2", "3", "4", "5", "6"]


def test_index_of_a_value_that_is_not_an_object():
    assert pointers.index([[{"x": 1}]]).named("x") == [((0, 0, "x"), 1)]
    assert pointers.index(3).objects == []


def test_index_handles_deep_nesting_without_recursion():
    value: object = {"x": 0}
    for _ in range(2500):  # 5000 levels of containers
        value = [{"x": value}]
    assert len(pointers.index(value).named("x")) == 2501
