"""Approval, rejection, promotion and rollback: the registry's rules.

The store records decisions atomically; this module decides what a decision means:
approving a version moves ``production`` to it and ``previous`` to the version it
replaces; a rollback swaps them back. Every move carries who, when and why.
"""

from __future__ import annotations

import getpass
import re

from workbench.core.errors import RegistryError
from workbench.core.records import ModelVersionRecord
from workbench.core.vocabulary import Alias, Decision, ModelStatus
from workbench.store import Store

_ALIAS = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def current_actor() -> str:
    """The OS user, recorded as who made a decision from this machine."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _version(store: Store, version: int) -> ModelVersionRecord:
    record = store.registry.get(version)
    if record is None:
        known = [str(m.version) for m in store.registry.list()][:10]
        hint = f" (known: {', '.join(known)})" if known else " (no model versions yet)"
        raise RegistryError(f"there is no model version {version}{hint}")
    return record


def approve(store: Store, version: int, actor: str, comment: str = "") -> ModelVersionRecord:
    """Approve a candidate and make it ``production``; the old production becomes ``previous``.

    Raises:
        RegistryError: No such version, or it was already decided on.
    """
    record = _version(store, version)
    if record.status != ModelStatus.CANDIDATE:
        raise RegistryError(f"model version {version} is {record.status}, not a candidate")
    moves: dict[str, int] = {Alias.PRODUCTION: version}
    current = store.registry.alias(Alias.PRODUCTION)
    if current is not None and current.version != version:
        moves[Alias.PREVIOUS] = current.version
    store.registry.decide(version, Decision.APPROVE, actor, comment, moves)
    return _version(store, version)


def reject(store: Store, version: int, actor: str, comment: str = "") -> ModelVersionRecord:
    """Reject a candidate; it can never be served.

    Raises:
        RegistryError: No such version, or it is not a candidate.
    """
    record = _version(store, version)
    if record.status != ModelStatus.CANDIDATE:
        raise RegistryError(f"model version {version} is {record.status}, not a candidate")
    store.registry.decide(version, Decision.REJECT, actor, comment)
    return _version(store, version)


def promote(
    store: Store, version: int, alias: str, actor: str, reason: str = ""
) -> ModelVersionRecord:
    """Point ``alias`` at an approved version (``production`` keeps ``previous`` right).

    Raises:
        RegistryError: The alias name is invalid or the version is not approved.
    """
    if not _ALIAS.match(alias):
        raise RegistryError(
            f"alias {alias!r} is not valid: lowercase letters, digits, '-' and '_', "
            "starting with a letter, at most 40 characters"
        )
    record = _version(store, version)
    if record.status != ModelStatus.APPROVED:
        raise RegistryError(
            f"model version {version} is {record.status}; only approved versions get aliases"
        )
    moves = {alias: version}
    current = store.registry.alias(alias)
    if alias == Alias.PRODUCTION and current is not None and current.version != version:
        moves[Alias.PREVIOUS] = current.version
    store.registry.move_aliases(moves, actor, reason or f"promoted to {alias}")
    return _version(store, version)


def rollback(store: Store, actor: str, reason: str = "") -> ModelVersionRecord:
    """Swap ``production`` and ``previous``: the last production version serves again.

    Raises:
        RegistryError: There is no ``previous`` version to go back to.
    """
    previous = store.registry.alias(Alias.PREVIOUS)
    current = store.registry.alias(Alias.PRODUCTION)
    if previous is None or current is None:
        raise RegistryError("nothing to roll back to: no previous production version")
    store.registry.move_aliases(
        {Alias.PRODUCTION: previous.version, Alias.PREVIOUS: current.version},
        actor,
        reason or "rollback",
    )
    return _version(store, previous.version)


def archive(store: Store, version: int, actor: str, reason: str = "") -> ModelVersionRecord:
    """Retire a version that nothing serves: it stays in lineage, never in an alias again.

    Raises:
        RegistryError: No such version, it still carries an alias, or it is a candidate
            awaiting a decision (reject it instead).
    """
    record = _version(store, version)
    if record.aliases:
        raise RegistryError(
            f"model version {version} is still {', '.join(record.aliases)}; "
            "move those aliases before archiving it"
        )
    if record.status == ModelStatus.CANDIDATE:
        raise RegistryError(f"model version {version} awaits a decision; reject it instead")
    store.registry.set_status(version, ModelStatus.ARCHIVED, actor, reason or "archived")
    return _version(store, version)
