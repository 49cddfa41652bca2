"""An app's dependency graph as self-contained SVG text (no Graphviz): four columns in recovery
order (keys/network, data, compute, traffic), failed nodes red, at-risk nodes orange,
deterministic layout so the same scan always draws the same picture."""

from __future__ import annotations

from xml.sax.saxutils import escape as _escape

from drscan.dr.model import LAYERS, AppAssessment
from drscan.dr.scope import DrContext, layer_of
from drscan.model import Resource
from drscan.safe_text import display

COLUMN_TITLES = {"keys_network": "Keys & network", "data": "Data", "compute": "Compute", "traffic": "Traffic"}
EDGE_TYPES = ("encrypted_by", "attached_to", "replica_of", "routes_to", "manages", "member_of", "child_of", "listener_of",
              "replicates_to", "checked_by", "depends_on")
MAX_PER_COLUMN = 40
BOX_W, BOX_H, GAP_X, GAP_Y, TOP, LEFT = 230, 36, 70, 10, 70, 20
STYLE = {
    "normal": ("#f5f7fa", "#8a94a6"), "standby": ("#eef6ff", "#5b8def"),
    "at_risk": ("#fff4e0", "#e08a00"), "failed": ("#fde8e8", "#d12c2c"),
}


def escape(text: str) -> str:
    """XML text and attribute escaping (quotes included), of text made inert first: control
    characters (invalid in XML) and bidi overrides as visible escapes, cut to DISPLAY_LIMIT."""
    return _escape(display(text), {'"': "&quot;"})


def _label(resource: Resource) -> str:
    name = resource.tags.get("Name") or resource.name or resource.id
    text = str(name)
    return text if len(text) <= 30 else text[:27] + "..."


def _sub(resource: Resource) -> str:
    where = resource.region or "global"
    if resource.zones:
        where += " " + ",".join(z.rsplit("-", 1)[-1] if resource.provider == "azure" else z[-1:] if resource.provider == "aws"
                                else z.rsplit("-", 1)[-1] for z in resource.zones[:3])
    text = f"{resource.kind.split('.', 1)[-1]} | {where}"
    return text if len(text) <= 36 else text[:33] + "..."


def render_svg(ctx: DrContext, assessment: AppAssessment, failed: set[str] | frozenset[str] = frozenset(),
               at_risk: set[str] | None = None) -> str:
    scope = ctx.scope(assessment.name)
    if at_risk is None:
        at_risk = set(assessment.single_points_of_failure)
        for estimate in assessment.estimates.values():
            at_risk.update(s.store_id for s in estimate.stores if s.rpo_status == "data_lost")
    resources: dict[str, Resource] = {}
    for resource in list(scope.members) + list(scope.keys) + list(scope.entrypoints):
        if layer_of(resource.kind) in LAYERS:
            resources[resource.id] = resource
    columns: dict[str, list[str]] = {layer: [] for layer in LAYERS}
    overflow: dict[str, int] = {}
    for layer in LAYERS:
        ids = sorted((r for r in resources.values() if layer_of(r.kind) == layer),
                     key=lambda r: (r.region != scope.primary_region, r.region, r.kind, _label(r), r.id))
        if layer == "keys_network":
            ids = [r for r in ids if r.kind not in ("azure.network.networkinterfaces", "aws.ec2.subnet")] or ids
        columns[layer] = [r.id for r in ids[:MAX_PER_COLUMN]]
        if len(ids) > MAX_PER_COLUMN:
            overflow[layer] = len(ids) - MAX_PER_COLUMN
    dependencies = list(scope.app.depends_on) if scope.app else []
    positions: dict[str, tuple[float, float]] = {}
    for c, layer in enumerate(LAYERS):
        rows = ([f"app:{d}" for d in dependencies] if layer == "keys_network" else []) + columns[layer]
        for r, node in enumerate(rows):
            positions[node] = (LEFT + c * (BOX_W + GAP_X), TOP + r * (BOX_H + GAP_Y))
    rows_max = max([len(columns[l]) + (len(dependencies) if l == "keys_network" else 0) + (1 if l in overflow else 0)
                    for l in LAYERS] + [1])
    width = LEFT * 2 + len(LAYERS) * BOX_W + (len(LAYERS) - 1) * GAP_X
    height = TOP + rows_max * (BOX_H + GAP_Y) + 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="DejaVu Sans, Arial, sans-serif" role="img" aria-label="DR dependency graph of {escape(assessment.name)}">',
           f"<title>{escape(assessment.name)}: DR dependency graph</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#9aa3b2"/></marker></defs>',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="{LEFT}" y="24" font-size="15" font-weight="bold">{escape(assessment.name)} - '
           f'{escape(assessment.strategy.detected.replace("_", " "))} (primary {escape(scope.primary_region or "?")}'
           f'{", recovery " + escape(", ".join(assessment.strategy.recovery_regions)) if assessment.strategy.recovery_regions else ""})</text>']
    for c, layer in enumerate(LAYERS):
        out.append(f'<text x="{LEFT + c * (BOX_W + GAP_X)}" y="{TOP - 14}" font-size="12" fill="#4a5568" '
                   f'font-weight="bold">{c + 1}. {escape(COLUMN_TITLES[layer])}</text>')
    out.extend(_edges(ctx, positions, dependencies, assessment.name))
    for node, (x, y) in sorted(positions.items(), key=lambda kv: (kv[1][0], kv[1][1])):
        resource = resources.get(node)
        if resource is None:
            state = "failed" if node in failed else "normal"
            title, label, sub = node, node.removeprefix("app:"), "depends on"
        else:
            state = "failed" if node in failed else "at_risk" if node in at_risk else \
                "standby" if resource.region in assessment.strategy.recovery_regions else "normal"
            title, label, sub = resource.id, _label(resource), _sub(resource)
        fill, stroke = STYLE[state]
        dash = ' stroke-dasharray="4 3"' if state == "standby" else ""
        out.append(f'<g class="node {state}"><title>{escape(title)}</title>'
                   f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="5" fill="{fill}" stroke="{stroke}" '
                   f'stroke-width="{2 if state in ("failed", "at_risk") else 1}"{dash}/>'
                   f'<text x="{x + 8}" y="{y + 15}" font-size="11" fill="#1a202c">{escape(label)}</text>'
                   f'<text x="{x + 8}" y="{y + 29}" font-size="9" fill="#718096">{escape(sub)}</text></g>')
    for c, layer in enumerate(LAYERS):
        if layer in overflow:
            rows = len(columns[layer]) + (len(dependencies) if layer == "keys_network" else 0)
            out.append(f'<text x="{LEFT + c * (BOX_W + GAP_X) + 8}" y="{TOP + rows * (BOX_H + GAP_Y) + 14}" font-size="11" '
                       f'fill="#4a5568">+ {overflow[layer]} more</text>')
    legend_y = height - 24
    x = LEFT
    for state, text in (("normal", "primary"), ("standby", "recovery region"), ("at_risk", "at risk (SPOF or data lost)"),
                        ("failed", "failed")):
        fill, stroke = STYLE[state]
        out.append(f'<rect x="{x}" y="{legend_y - 10}" width="14" height="12" fill="{fill}" stroke="{stroke}"/>'
                   f'<text x="{x + 20}" y="{legend_y}" font-size="11" fill="#4a5568">{escape(text)}</text>')
        x += 40 + len(text) * 7
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _edges(ctx: DrContext, positions: dict[str, tuple[float, float]], dependencies: list[str], app: str) -> list[str]:
    lines = []
    seen = set()
    for source in sorted(positions):
        for relation in EDGE_TYPES:
            for target in ctx.graph.related(source, relation):
                if target.id not in positions or (source, target.id) in seen:
                    continue
                seen.add((source, target.id))
                lines.append(_path(positions[source], positions[target.id], relation))
    return lines


def _path(a: tuple[float, float], b: tuple[float, float], relation: str) -> str:
    (ax, ay), (bx, by) = a, b
    if ax == bx:  # same column: arc on the right side
        x1, y1, x2, y2 = ax + BOX_W, ay + BOX_H / 2, bx + BOX_W, by + BOX_H / 2
        bulge = x1 + 30
        d = f"M{x1:.0f},{y1:.0f} C{bulge:.0f},{y1:.0f} {bulge:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
    else:
        if ax < bx:
            x1, x2 = ax + BOX_W, bx
        else:
            x1, x2 = ax, bx + BOX_W
        y1, y2 = ay + BOX_H / 2, by + BOX_H / 2
        mid = (x1 + x2) / 2
        d = f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
    return f'<path d="{d}" fill="none" stroke="#9aa3b2" stroke-width="1" marker-end="url(#arrow)"><title>{escape(relation)}</title></path>'
