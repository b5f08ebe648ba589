"""Listing the watched folder: the initial scan at start and the reconciling rescans.

Events can be missed (the kernel queue overflows, files were dropped while the watcher
was down, a network share sends none), so the folder itself is the truth; a scan lists
it and the settle tracker decides what is new.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path


def scan_folder(folder: Path, recursive: bool) -> Iterator[tuple[Path, bool]]:
    """Yield ``(path, is_directory)`` for what a scan must look at.

    Every file directly in ``folder`` (and, when ``recursive``, below its non-hidden
    sub-folders), plus each sub-folder that is not descended into (all of them when not
    recursive, hidden ones when recursive) so it can be reported as ignored.

    Raises:
        OSError: ``folder`` itself cannot be listed; a sub-folder that vanishes or cannot
            be read during the walk is skipped.
    """
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            if current == folder:
                raise
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                # a symlink is offered as it is, wherever it leads: ingest judges it
                is_file = not is_dir and (entry.is_symlink() or entry.is_file())
            except OSError:
                continue
            if is_dir and recursive and not entry.name.startswith("."):
                stack.append(path)
            elif is_dir or is_file:
                yield path, is_dir
