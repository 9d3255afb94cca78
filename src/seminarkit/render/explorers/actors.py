"""Actors explorer: a relation graph, a stance matrix, and a card per actor."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from seminarkit.render.figures import (
    MARKERS,
    NOTE_PT,
    PRINT_WIDTH_IN,
    FigureOutput,
    SeriesStyle,
    figure_output,
    join_names,
    key_below,
    new_figure,
    set_title,
    style,
    wrap_to_width,
)
from seminarkit.render.views import cite, prose

if TYPE_CHECKING:
    import networkx as nx
    from ipywidgets import VBox
    from matplotlib.patches import Rectangle

    from seminarkit.content.materials import Module
    from seminarkit.content.schema.actors import ActorsFile

RELATION_ORDER = ("cooperation", "support", "channel", "mediation", "rivalry", "opposition")


def relation_graph(actors_file: ActorsFile) -> nx.DiGraph:
    """Build a networkx DiGraph of actors (nodes) and relations (typed edges)."""
    import networkx as nx

    graph = nx.DiGraph()
    for actor in actors_file.actors:
        graph.add_node(actor.id, name=actor.name, kind=actor.kind)
    for rel in actors_file.relations:
        graph.add_edge(rel.source, rel.target, type=rel.type, id=rel.id)
    return graph


def plot_relations(module: Module, *, highlight: str | None = None, only: Sequence[str] | None = None,
                   caption: str | None = None) -> FigureOutput:
    """Draw the relation graph; colour, dash pattern and a mid-line marker encode the relation type.

    ``only`` keeps those actors and the relations among them (a block's figure spec).
    """
    import networkx as nx
    from matplotlib.lines import Line2D

    actors_file = module.need_actors()
    graph = relation_graph(actors_file)
    if only:
        graph = graph.subgraph([a for a in only if a in graph]).copy()
    isolated = [n for n in graph.nodes if graph.degree(n) == 0]
    graph.remove_nodes_from(isolated)  # listed in the cards; the map shows who relates to whom
    pos = {n: (float(x), float(y)) for n, (x, y) in nx.circular_layout(graph).items()}  # deterministic
    fig, (ax,) = new_figure(5.6)
    ax.set_aspect("equal")
    handles = []
    for rel_type in RELATION_ORDER:
        edges = [(u, v) for u, v, d in graph.edges(data=True) if d["type"] == rel_type]
        if not edges:
            continue
        s = relation_style(rel_type)
        nx.draw_networkx_edges(graph, pos, edgelist=edges, ax=ax, edge_color=s["color"],
                               style=s["linestyle"], width=1.5, arrows=True, arrowsize=10,
                               connectionstyle=f"arc3,rad={_RAD}", node_size=500)
        mids = [_arc_middle(pos[u], pos[v]) for u, v in edges]
        ax.scatter([m[0] for m in mids], [m[1] for m in mids], marker=s["marker"], s=26, zorder=4,
                   color=s["color"], edgecolors="black", linewidths=0.5)
        handles.append(Line2D([], [], color=s["color"], linestyle=s["linestyle"], linewidth=1.5,
                              marker=s["marker"], markersize=5, markeredgecolor="black",
                              markeredgewidth=0.5, label=rel_type))
    colours = ["#F0E442" if n == highlight else "#e8eef5" for n in graph.nodes]
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, edgecolors="#333333", node_size=160)
    for node, (x, y) in pos.items():
        text = wrap_to_width(graph.nodes[node]["name"], 82, NOTE_PT)
        # Labels sit outside the circle, away from the centre: beside nodes on the left and
        # right, above the top ones and below the bottom ones, so none covers a node.
        ax.text(x * 1.1, y * 1.1, text, fontsize=NOTE_PT,
                ha="left" if x > 0.3 else "right" if x < -0.3 else "center",
                va="bottom" if y > 0.7 else "top" if y < -0.7 else "center",
                weight="bold" if node == highlight else "normal")
    ax.set_xlim(-1.95, 1.95)
    ax.set_ylim(-1.4, 1.4)
    ax.set_axis_off()
    title = f"{module.meta.short_title}: actors and relations"
    set_title(fig, title)
    if handles:
        key_below(fig, handles, title="Relation (arrow: from -> to)")
    types_used = [h.get_label() for h in handles]
    counts = [f"{sum(graph.edges[e]['type'] == t for e in graph.edges)} {t}" for t in types_used]
    alt = (f"Network of {graph.number_of_nodes()} actors placed on a circle, joined by "
           f"{graph.number_of_edges()} relations ({join_names(counts)}); line colour, dash pattern and "
           "a marker in the middle of each line show the relation type.")
    if isolated:
        alt += f" {len(isolated)} actors without a recorded relation are left off the map."
    if highlight in graph:
        alt += f" {graph.nodes[highlight]['name']} is highlighted."
    return figure_output(fig, alt=alt, title=title, caption=caption or title)


_RAD = 0.08  # the bend of relation lines (so that A->B and B->A do not overlap)


def relation_style(rel_type: str) -> SeriesStyle:
    """Return the fixed style of a relation type (the same in every module).

    Mid-line markers skip the circle, which would look like an actor's node.
    """
    index = RELATION_ORDER.index(rel_type)
    s = style(index)
    s["marker"] = MARKERS[index + 1]
    return s


def _arc_middle(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """Middle of Matplotlib's ``arc3`` curve from ``a`` to ``b`` (equal-aspect axes)."""
    (x1, y1), (x2, y2) = a, b
    return (x1 + x2) / 2 + _RAD * (y2 - y1) / 2, (y1 + y2) / 2 - _RAD * (x2 - x1) / 2


def plot_stances(module: Module) -> FigureOutput:
    """Draw a matrix of actors by argument blocks: a filled cell where a sourced stance exists."""
    from matplotlib.patches import Patch

    blocks = module.meta.blocks
    everyone = module.need_actors().actors
    actors = [a for a in everyone if a.stances] or everyone
    names = [wrap_to_width(a.name, 120, NOTE_PT) for a in actors]
    column_pt = (PRINT_WIDTH_IN - 2.0) * 72 / max(len(blocks), 1)
    heads = [wrap_to_width(f"{n}. {b.title}", column_pt - 6, NOTE_PT) for n, b in enumerate(blocks, start=1)]
    head_lines = max((h.count("\n") + 1 for h in heads), default=1)
    rows = sum(n.count("\n") + 1 for n in names)
    fig, (ax,) = new_figure(1.0 + 0.13 * head_lines + 0.16 * rows + 0.1 * len(actors))
    have = [{s.block for s in actor.stances} for actor in actors]
    for row, blocks_with_stance in enumerate(have):
        for col, blk in enumerate(blocks):
            ax.add_patch(_cell(col, row, blk.id in blocks_with_stance))
    ax.set_xlim(-0.5, len(blocks) - 0.5)
    ax.set_ylim(len(actors) - 0.5, -0.5)
    ax.xaxis.tick_top()
    ax.set_xticks(range(len(blocks)), heads, fontsize=NOTE_PT)
    ax.set_yticks(range(len(actors)), names, fontsize=NOTE_PT)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    title = f"{module.meta.short_title}: where each actor's stance is documented"
    set_title(fig, title)
    key_below(fig, [Patch(facecolor=_FILLED, edgecolor="#555555", label="stance recorded (sourced)"),
                    Patch(facecolor="white", edgecolor="#555555", hatch="..", label="none recorded")])
    total = sum(len(h) for h in have)
    alt = (f"Grid of {len(actors)} actors (rows) by {len(blocks)} argument blocks (columns, numbered as in "
           f"the walkthrough); {total} dark cells mark a sourced stance of that actor on that block.")
    return figure_output(fig, alt=alt, title=title, caption=title + " (dark cell = stance recorded)")


_FILLED = "#0072B2"


def _cell(col: int, row: int, filled: bool) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle((col - 0.45, row - 0.4), 0.9, 0.8, facecolor=_FILLED if filled else "white",
                     edgecolor="#555555", hatch="" if filled else "..", linewidth=0.6)


def actor_card(module: Module, actor_id: str, *, level: int = 3) -> str:
    """HTML card for one actor: interests, concerns, stances per block, relations, sources.

    ``level`` is the heading level of the actor's name (2 under the explorer, 3 in a list).
    """
    actors_file = module.need_actors()
    actor = next(a for a in actors_file.actors if a.id == actor_id)
    blocks = {b.id: b.title for b in module.meta.blocks}
    names = {a.id: a.name for a in actors_file.actors}
    e = html.escape
    parts = [f'<div class="seminarkit-actor-card"><h{level}>{e(actor.name)} <small>({e(actor.kind)})</small>'
             f"</h{level}>",
             f"<p>{prose(module, actor.description)}</p>"]
    for title, items in (("Interests", actor.interests), ("Concerns", actor.concerns)):
        if items:
            parts.append(f"<p><b>{title}:</b></p><ul>" + "".join(f"<li>{prose(module, i)}</li>" for i in items)
                         + "</ul>")
    if actor.stances:
        parts.append("<p><b>Stance by block:</b></p><ul>")
        parts.extend(f"<li><i>{e(blocks.get(s.block, s.block))}</i>: {prose(module, s.stance)} "
                     f"{cite(module, s.sources)}</li>" for s in actor.stances)
        parts.append("</ul>")
    rels = [r for r in actors_file.relations if actor_id in (r.source, r.target)]
    if rels:
        parts.append("<p><b>Relations:</b></p><ul>")
        parts.extend(f"<li>{e(names.get(r.source, r.source))} → {e(names.get(r.target, r.target))}: "
                     f"<i>{e(r.type)}</i> — {prose(module, r.description)} {cite(module, r.sources)}</li>"
                     for r in rels)
        parts.append("</ul>")
    parts.append(f"<p><small>Sources: {cite(module, actor.sources)}</small></p></div>")
    return "".join(parts)


def actors_explorer(module: Module, *, interactive: bool = True) -> FigureOutput | VBox:
    """Build a dropdown of actors; the graph highlights the chosen one and its card is shown."""
    actors_file = module.need_actors()
    first = actors_file.actors[0].id
    if not interactive:
        return plot_relations(module)
    import ipywidgets as w
    from IPython.display import HTML, display

    pick = w.Dropdown(options=[(a.name, a.id) for a in actors_file.actors], value=first,
                      description="Actor")

    def draw(actor: str) -> None:
        display(plot_relations(module, highlight=actor))
        display(HTML(actor_card(module, actor, level=2)))

    out = w.interactive_output(draw, {"actor": pick})
    box = w.VBox([pick, out])
    box.add_class("seminarkit-actors-explorer")
    return box
