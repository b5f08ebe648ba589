"""Wiring with >> and <<, as Airflow users write it."""

from __future__ import annotations

import pytest

from workbench.core.errors import PipelineError
from workbench.dag import Flow, Task, task


def make(*names: str) -> list[Task]:
    return [task(lambda: None, name=name) for name in names]


def names(flow: Flow) -> tuple[list[tuple[str, str]], list[str]]:
    return [(a.name, b.name) for a, b in flow.edges], [t.name for t in flow.heads]


def test_chain_is_one_flow_whose_head_is_the_last_task() -> None:
    a, b, c = make("a", "b", "c")
    flow = a >> b >> c
    assert names(flow) == ([("a", "b"), ("b", "c")], ["c"])
    assert [t.name for t in flow.tasks] == ["a", "b", "c"]


def test_lists_fan_out_and_fan_in() -> None:
    a, b, c, d = make("a", "b", "c", "d")
    flow = a >> [b, c] >> d
    assert names(flow) == ([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")], ["d"])
    assert names([b, c] >> d) == ([("b", "d"), ("c", "d")], ["d"])


def test_left_shift_is_the_reverse_of_right_shift() -> None:
    a, b, c = make("a", "b", "c")
    assert sorted(names(c << b << a)[0]) == [("a", "b"), ("b", "c")]
    assert names(b << [a, c])[0] == [("a", "b"), ("c", "b")]
    assert names([a, c] << b)[0] == [("b", "a"), ("b", "c")]


def test_flows_are_immutable_and_reusable() -> None:
    a, b, c = make("a", "b", "c")
    base = a >> b
    longer = base >> c
    assert names(base) == ([("a", "b")], ["b"])
    assert names(longer)[0] == [("a", "b"), ("b", "c")]


def test_a_flow_operand_connects_through_its_heads_like_airflow() -> None:
    a, b, c = make("a", "b", "c")
    flow = a >> (b >> c)
    assert sorted(names(flow)[0]) == [("a", "c"), ("b", "c")]


def test_wiring_a_plain_function_says_to_decorate_it() -> None:
    (a,) = make("a")

    def plain() -> None:
        return None

    with pytest.raises(PipelineError, match="decorate the function with @task"):
        a >> plain
    with pytest.raises(PipelineError, match="cannot wire 3"):
        a >> [3]
