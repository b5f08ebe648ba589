"""The @task decorator and its options."""

from __future__ import annotations

import pytest

from workbench.core.errors import PipelineError
from workbench.dag import Task, TriggerRule, task


def test_bare_decorator_makes_a_task_that_stays_callable() -> None:
    @task
    def double(x: int) -> int:
        """Twice x."""
        return 2 * x

    assert isinstance(double, Task)
    assert double.name == "double"
    assert double(21) == 42
    assert double.__doc__ == "Twice x."
    assert double.options.retries == 0
    assert double.options.trigger is TriggerRule.ALL_SUCCESS


def test_decorator_with_options_keeps_them_and_converts_the_trigger() -> None:
    @task(name="alert", retries=3, retry_delay=0.5, backoff=3.0, timeout=10, trigger="one_failed")
    def send(ctx: object) -> None:
        return None

    assert send.name == "alert"
    assert (send.options.retries, send.options.retry_delay, send.options.backoff) == (3, 0.5, 3.0)
    assert send.options.timeout == 10
    assert send.options.trigger is TriggerRule.ONE_FAILED
    assert send.parameters == ("ctx",)


def test_retry_wait_grows_by_backoff() -> None:
    @task(retries=3, retry_delay=0.1, backoff=2.0)
    def flaky() -> None:
        return None

    waits = [flaky.options.retry_wait(n) for n in (1, 2, 3)]
    assert waits == pytest.approx([0.1, 0.2, 0.4])


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"retries": -1}, "retries"),
        ({"retry_delay": -0.1}, "retry_delay"),
        ({"backoff": 0.5}, "backoff"),
        ({"timeout": 0}, "timeout"),
        ({"trigger": "sometimes"}, "unknown trigger rule 'sometimes'"),
        ({"name": "two words"}, "not a Python identifier"),
        ({"name": "ctx"}, "reserved"),
    ],
)
def test_bad_options_are_refused_with_the_option_named(options: dict, fragment: str) -> None:
    with pytest.raises(PipelineError, match=fragment):

        @task(**options)
        def work() -> None:
            return None


def test_a_lambda_needs_a_name() -> None:
    with pytest.raises(PipelineError, match=r"@task\(name=\.\.\.\)"):
        task(lambda: 1)
    assert task(lambda: 1, name="one")() == 1


def test_positional_only_parameters_are_refused() -> None:
    with pytest.raises(PipelineError, match="parameter 'x' cannot be passed by name"):

        @task
        def work(x: int, /) -> int:
            return x


def test_code_hash_follows_the_source() -> None:
    def make(offset: int) -> Task:
        @task(name="same")
        def work() -> int:
            return 1

        return work

    @task(name="same")
    def other() -> int:
        return 2

    assert make(0).code_hash == make(1).code_hash
    assert make(0).code_hash != other.code_hash
