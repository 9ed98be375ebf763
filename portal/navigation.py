"""Navigation entries that each area registers for itself, so that adding an area never edits shared templates."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import LazyString


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str | LazyString
    roles: tuple[str, ...] = field(default=())  # empty: every signed-in staff member
    order: int = 50


STAFF_NAV: list[NavItem] = []
PUBLIC_NAV: list[NavItem] = []


def add_staff_nav(endpoint: str, label, roles: tuple[str, ...] = (), order: int = 50) -> None:
    """Show a tab in the staff back office (for users with one of ``roles``; admins always)."""
    if all(item.endpoint != endpoint for item in STAFF_NAV):
        STAFF_NAV.append(NavItem(endpoint, label, roles, order))
        STAFF_NAV.sort(key=lambda item: item.order)


def add_public_nav(endpoint: str, label, order: int = 50) -> None:
    """Show a link in the public top menu."""
    if all(item.endpoint != endpoint for item in PUBLIC_NAV):
        PUBLIC_NAV.append(NavItem(endpoint, label, (), order))
        PUBLIC_NAV.sort(key=lambda item: item.order)


def visible_staff_nav(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for item in STAFF_NAV if not item.roles or user.has_role(*item.roles)]
