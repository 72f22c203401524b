"""The dated unit tree: subtrees and successor chains."""

from __future__ import annotations

from survey.models import Unit


def subtree_ids(unit: Unit) -> list[int]:
    """The unit and every unit below it, including units closed since (history stays visible)."""
    ids, stack = [], [unit]
    while stack:
        current = stack.pop()
        ids.append(current.id)
        stack.extend(current.children)
    return ids


def successor_chain(unit: Unit) -> list[Unit]:
    """``unit``, its successor, that one's successor … (stops on a cycle)."""
    chain = [unit]
    while chain[-1].successor is not None and chain[-1].successor not in chain:
        chain.append(chain[-1].successor)
    return chain


def final_successor(unit: Unit) -> Unit:
    """The unit that today carries the history of ``unit``."""
    return successor_chain(unit)[-1]
