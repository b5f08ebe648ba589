"""File names as they are shown: a name is data, and may hold anything but ``/`` and NUL.

A newline, a terminal escape or a right-to-left mark in a dropped file's name would
otherwise be printed raw on the console and in every log line quoting it.
"""

from __future__ import annotations


def shown(name: str) -> str:
    """``name`` unchanged when every character is printable, else its escaped ``repr``
    (``'a\\nb.csv'``), so one name is always one line of plain text."""
    return name if name.isprintable() else repr(name)
