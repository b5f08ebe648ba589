"""Decisions from the Models screen reach the store: approve, reject, promote, roll back."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from workbench.api import WorkbenchApi
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.confirm import ConfirmScreen
from workbench.tui.screens.decision import DecisionScreen
from workbench.tui.screens.models import ModelsScreen

from .pilot import open_screen, plain, settle, wait_until

pytestmark = pytest.mark.anyio


async def open_models(pilot: Pilot[None]) -> ModelsScreen:
    return await open_screen(pilot, "4", ModelsScreen)


async def type_comment(pilot: Pilot[None], text: str) -> None:
    pilot.app.screen.query_one("#decision-comment", Input).value = text
    await pilot.press("enter")


async def test_approving_a_candidate_moves_production_in_the_store(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_models(pilot)
        assert screen.selected_version() == 2
        await pilot.press("down", "a")
        assert isinstance(app.screen, DecisionScreen)
        assert app.screen.version == 1
        await type_comment(pilot, "beats the baseline")
        await wait_until(pilot, lambda: api.status().production == 1, "v1 to become production")
        await wait_until(
            pilot,
            lambda: (p := screen.data.production()) is not None and p.version == 1,
            "the table to show v1 as production",
        )
    [approval] = api.approvals(1)
    assert (approval.decision, approval.comment) == ("approve", "beats the baseline")


async def test_rejecting_insists_on_a_comment_and_records_it(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_models(pilot)
        await pilot.press("x")
        await pilot.press("enter")
        assert isinstance(app.screen, DecisionScreen), "an empty reason must not reject"
        assert "Say why" in plain(app.screen.query_one("#decision-problem", Static))
        await type_comment(pilot, "recall too low")
        await wait_until(pilot, lambda: bool(api.models("rejected")), "v2 to be rejected")
        await settle(pilot)
    assert [m.version for m in api.models("rejected")] == [2]
    assert api.approvals(2)[0].comment == "recall too low"
    assert api.status().production is None


async def test_escape_in_the_decision_modal_decides_nothing(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_models(pilot)
        await pilot.press("a", "escape")
        assert isinstance(app.screen, ModelsScreen)
        await settle(pilot)
    assert api.approvals() == []


async def test_rollback_after_confirmation_serves_the_previous_version(
    api: WorkbenchApi,
) -> None:
    api.approve(1, "first")
    api.approve(2, "second")
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_models(pilot)
        await pilot.press("b")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_until(pilot, lambda: api.status().production == 1, "the rollback to v1")
        await settle(pilot)


async def test_promote_waits_for_confirmation_then_moves_the_alias(api: WorkbenchApi) -> None:
    api.approve(1, "first")
    api.approve(2, "second")
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_models(pilot)
        await pilot.press("down", "p")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert api.status().production == 2, "declining must change nothing"
        await pilot.press("p", "y")
        await wait_until(pilot, lambda: api.status().production == 1, "v1 to be promoted")
        await settle(pilot)


async def test_approving_a_version_that_is_not_a_candidate_is_refused_in_place(
    api: WorkbenchApi,
) -> None:
    api.reject(2, "no")
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_models(pilot)
        assert screen.selected_version() == 2
        await pilot.press("a")
        assert isinstance(app.screen, ModelsScreen), "no modal for a rejected version"
        await settle(pilot)
    assert api.status().production is None
