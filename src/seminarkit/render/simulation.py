"""Role-play simulations: seat a class in delegations and render the pack."""

from __future__ import annotations

import html
import random
from typing import TYPE_CHECKING

from seminarkit.errors import SeminarkitError
from seminarkit.render.views import Column, Html, cite, instructor_box, prose, table

if TYPE_CHECKING:
    from seminarkit.content.materials import Module
    from seminarkit.content.schema.roles import Role, RolesFile

e = html.escape


class ClassSizeError(SeminarkitError):
    """The class cannot be seated in this simulation's delegations."""


def assign_roles(roles: RolesFile, class_size: int, seed: int = 0) -> dict[str, list[int]]:
    """Seat students 1..class_size in delegations, deterministically for a seed.

    Priority-1 delegations get one student each first, then priority 2, then 3; remaining
    students join delegations (in a seeded order) up to each one's ``max_delegates``.
    Returns role id -> student numbers; roles left empty are omitted.
    """
    ordered = sorted(roles.roles, key=lambda r: r.priority)
    must = [r for r in ordered if r.priority == 1]
    capacity = sum(r.max_delegates for r in ordered)
    if isinstance(class_size, bool) or not isinstance(class_size, int) or class_size < len(must):
        raise ClassSizeError(f"class_size must be a whole number of at least {len(must)} (one student for "
                             f"each essential delegation), got {class_size!r}")
    if class_size > capacity:
        raise ClassSizeError(f"class_size {class_size} is more than the {capacity} seats this "
                             "simulation has; split the class into two simulations")
    rng = random.Random(seed)
    students = list(range(1, class_size + 1))
    rng.shuffle(students)
    seats: dict[str, list[int]] = {r.id: [] for r in ordered}
    queue = iter(students)
    for role in ordered:  # one seat per delegation, by priority
        student = next(queue, None)
        if student is None:
            break
        seats[role.id].append(student)
    rest = list(queue)
    while rest:
        open_roles = [r for r in ordered if len(seats[r.id]) < r.max_delegates]
        rng.shuffle(open_roles)
        for role in open_roles:
            if not rest:
                break
            seats[role.id].append(rest.pop())
    return {rid: sorted(s) for rid, s in seats.items() if s}


def agenda(module: Module, roles: RolesFile | None = None) -> Html:
    """Render the chair's agenda with running times."""
    roles = roles if roles is not None else module.need_roles()
    clock, rows = 0, []
    for item in roles.chair_agenda:
        rows.append((f"{clock}–{clock + item.minutes}′", prose(module, item.item)))
        clock += item.minutes
    return Html(f"<p><b>Setting ({e(roles.date.display())}).</b> {prose(module, roles.setting)}</p>"
                + table("agenda", (Column("Time", "num"), Column("Item", width="wide")), rows))


def brief(module: Module, role: Role, delegates: list[int]) -> Html:
    """One delegation brief."""
    facts = "".join(f"<li>{prose(module, f.text)} {cite(module, f.sources)}</li>" for f in role.facts)
    interests = "".join(f"<li>{prose(module, i)}</li>" for i in role.private_interests)
    red_lines = "".join(f"<li>{prose(module, r)}</li>" for r in role.red_lines)
    return Html(
        f'<div class="seminarkit-brief"><h3>{e(role.name)}</h3>'
        f"<p><i>Students:</i> {', '.join(f'#{d}' for d in delegates)}</p>"
        f"<p><b>Public position.</b> {prose(module, role.public_position)}</p>"
        f"<p><b>Private interests.</b></p><ul>{interests}</ul>"
        f"<p><b>Red lines.</b></p><ul>{red_lines}</ul>"
        f"<p><b>Facts you can use.</b></p><ul>{facts}</ul></div>")


def assignment_table(roles: RolesFile, seats: dict[str, list[int]]) -> Html:
    """Instructor view: who sits in which delegation."""
    names = {r.id: r.name for r in roles.roles}
    rows = [(e(names[rid]), str(len(s)), ", ".join(f"#{n}" for n in s)) for rid, s in seats.items()]
    columns = (Column("Delegation", width="medium"), Column("Seats", "num"), Column("Students", width="wide"))
    return Html(instructor_box("role assignment", table("assignment", columns, rows)))


def debrief(module: Module, roles: RolesFile | None = None) -> Html:
    """Debrief questions, and the instructor's notes when present."""
    roles = roles if roles is not None else module.need_roles()
    body = "<p><b>Debrief</b></p><ul>" + "".join(f"<li>{prose(module, q)}</li>" for q in roles.debrief) + "</ul>"
    if roles.debrief_notes:
        body += instructor_box("debrief notes", f"<p>{prose(module, roles.debrief_notes)}</p>")
    return Html(body)
