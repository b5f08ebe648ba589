"""The row of screen tabs at the top of every main screen (click or press 1-7)."""

from __future__ import annotations

from textual.widgets import Tab, Tabs


class NavBar(Tabs):
    """Tabs naming the main screens; activating one switches the app's mode.

    It does not take focus, so arrow keys stay with the screen's table; the number keys
    and the mouse move between screens.
    """

    can_focus = False

    def __init__(self, screens: tuple[tuple[str, str, str], ...], active: str) -> None:
        super().__init__(
            *(Tab(f"{key} {title}", id=f"nav-{mode}") for mode, key, title in screens),
            active=f"nav-{active}",
        )
        self.mode = active
        """The mode of the screen this bar sits on."""

    def show_home(self) -> None:
        """Highlight this bar's own screen again (after a click moved elsewhere)."""
        self.active = f"nav-{self.mode}"

    async def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab.id is None:
            return
        mode = event.tab.id.removeprefix("nav-")
        if mode != self.mode:
            await self.app.run_action(f"show('{mode}')")
