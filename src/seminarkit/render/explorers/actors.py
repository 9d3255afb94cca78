"""Actors explorer: a relation graph, a stance matrix, and a card per actor."""

from __future__ import annotations

import html
import textwrap
from typing import TYPE_CHECKING

from seminarkit.render.figures import FigureOutput, figure_output, join_names, new_figure, style
from seminarkit.render.views import cite

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


def plot_relations(module: Module, *, highlight: str | None = None) -> FigureOutput:
    """Draw the relation graph; edge colour and line style encode the relation type."""
    import networkx as nx

    actors_file = module.need_actors()
    graph = relation_graph(actors_file)
    isolated = [n for n in graph.nodes if graph.degree(n) == 0]
    graph.remove_nodes_from(isolated)  # listed in the cards; the map shows who relates to whom
    pos = nx.circular_layout(graph)  # deterministic, and no node hides another
    fig, ax = new_figure(10, 7.5)
    types_used = [t for t in RELATION_ORDER if any(r.type == t for r in actors_file.relations)]
    for index, rel_type in enumerate(types_used):
        edges = [(u, v) for u, v, d in graph.edges(data=True) if d["type"] == rel_type]
        s = style(index)
        nx.draw_networkx_edges(graph, pos, edgelist=edges, ax=ax, edge_color=s["color"],
                               style=s["linestyle"], width=1.8, arrows=True, arrowsize=12,
                               connectionstyle="arc3,rad=0.08", node_size=900)
        ax.plot([], [], color=s["color"], linestyle=s["linestyle"], linewidth=1.8, label=rel_type)
    colours = ["#F0E442" if n == highlight else "#e8eef5" for n in graph.nodes]
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, edgecolors="#333333", node_size=260)
    for node, (x, y) in pos.items():
        label = textwrap.fill(graph.nodes[node]["name"], 22)
        ax.text(x * 1.12, y * 1.12, label, fontsize=7.5, ha="left" if x > 0.05 else "right" if x < -0.05
                else "center", va="center", weight="bold" if node == highlight else "normal")
    ax.legend(title="Relation", loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    ax.set_xlim(-1.75, 1.75)
    ax.set_ylim(-1.25, 1.25)
    ax.set_axis_off()
    title = f"{module.meta.short_title}: actors and relations"
    ax.set_title(title)
    counts = [f"{sum(r.type == t for r in actors_file.relations)} {t}" for t in types_used]
    alt = (f"Network of {graph.number_of_nodes()} actors placed on a circle, joined by "
           f"{graph.number_of_edges()} relations ({join_names(counts)}); line colour and dash pattern "
           "show the relation type.")
    if isolated:
        alt += f" {len(isolated)} actors without a recorded relation are left off the map."
    if highlight in graph:
        alt += f" {graph.nodes[highlight]['name']} is highlighted."
    return figure_output(fig, alt=alt, title=title, caption=title)


def plot_stances(module: Module) -> FigureOutput:
    """Draw a matrix of actors by argument blocks: a filled cell where a sourced stance exists."""
    blocks = module.meta.blocks
    everyone = module.need_actors().actors
    actors = [a for a in everyone if a.stances] or everyone
    fig, ax = new_figure(9, 0.8 + 0.35 * len(actors))
    block_ids = [b.id for b in blocks]
    for row, actor in enumerate(actors):
        have = {s.block for s in actor.stances}
        for col, block_id in enumerate(block_ids):
            filled = block_id in have
            ax.add_patch(_cell(col, row, filled))
    ax.set_xlim(-0.5, len(block_ids) - 0.5)
    ax.set_ylim(len(actors) - 0.5, -0.5)
    ax.set_xticks(range(len(block_ids)), [b.id for b in blocks])
    ax.set_yticks(range(len(actors)), [a.name for a in actors], fontsize=8)
    title = f"{module.meta.short_title}: where each actor's stance is documented"
    ax.set_title(title)
    total = sum(len(a.stances) for a in actors)
    alt = (f"Grid of {len(actors)} actors (rows) by {len(block_ids)} argument blocks (columns); "
           f"{total} dark cells mark a sourced stance of that actor on that block.")
    return figure_output(fig, alt=alt, title=title, caption=title + " (dark cell = stance recorded)")


def _cell(col: int, row: int, filled: bool) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle((col - 0.45, row - 0.4), 0.9, 0.8, facecolor="#0072B2" if filled else "white",
                     edgecolor="#555555", hatch="" if filled else "..", linewidth=0.6)


def actor_card(module: Module, actor_id: str) -> str:
    """HTML card for one actor: interests, concerns, stances per block, relations, sources."""
    actors_file = module.need_actors()
    actor = next(a for a in actors_file.actors if a.id == actor_id)
    blocks = {b.id: b.title for b in module.meta.blocks}
    names = {a.id: a.name for a in actors_file.actors}
    e = html.escape
    parts = [f'<div class="seminarkit-actor-card"><h3>{e(actor.name)} <small>({e(actor.kind)})</small></h3>',
             f"<p>{e(actor.description)}</p>"]
    for label, items in (("Interests", actor.interests), ("Concerns", actor.concerns)):
        if items:
            parts.append(f"<p><b>{label}:</b></p><ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")
    if actor.stances:
        parts.append("<p><b>Stance by block:</b></p><ul>")
        parts.extend(f"<li><i>{e(blocks.get(s.block, s.block))}</i>: {e(s.stance)} "
                     f"{cite(module, s.sources)}</li>" for s in actor.stances)
        parts.append("</ul>")
    rels = [r for r in actors_file.relations if actor_id in (r.source, r.target)]
    if rels:
        parts.append("<p><b>Relations:</b></p><ul>")
        parts.extend(f"<li>{e(names.get(r.source, r.source))} → {e(names.get(r.target, r.target))}: "
                     f"<i>{e(r.type)}</i> — {e(r.description)} {cite(module, r.sources)}</li>" for r in rels)
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
        display(HTML(actor_card(module, actor)))

    out = w.interactive_output(draw, {"actor": pick})
    box = w.VBox([pick, out])
    box.add_class("seminarkit-actors-explorer")
    return box
