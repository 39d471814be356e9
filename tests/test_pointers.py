"""JSON Pointers: escaping and the walk that reports every value with its path."""

from __future__ import annotations

from pakkeforlop import pointers


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
