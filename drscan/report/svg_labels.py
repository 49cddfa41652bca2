"""The PDF's pictures (report stage): an SVG drawn by drscan (the DR dependency graph) split into
its shapes, kept as an SVG image, and its text, laid over the image as positioned HTML labels.
WeasyPrint lays out and draws SVG text one letter at a time (a Pango layout per character), which
made the DR chapter's graphs most of the time spent drawing the PDF; as HTML each label is one line."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG_NS = "{http://www.w3.org/2000/svg}"
# Where a picture may go on an A4 page with the PDF's margins (pdf.css): the text column's width,
# and the height the DR graph was already limited to.
MAX_WIDTH_MM = 178.0
MAX_HEIGHT_MM = 120.0
# From the top of a one-em line box (line-height: 1) to the baseline, in em, for DejaVu Sans
# (ascent 0.928, descent 0.236): where an SVG text's y (its baseline) puts the HTML label's top.
BASELINE_EM = 0.846
PT_PER_MM = 72 / 25.4
_TEXT = re.compile(r"<text\b[^>]*>.*?</text>", re.DOTALL)
_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}")


@dataclass(frozen=True)
class Label:
    left_mm: float
    top_mm: float
    width_mm: float
    size_pt: float
    bold: bool
    color: str
    text: str


@dataclass(frozen=True)
class SplitPicture:
    shapes_svg: str  # the SVG without its <text> elements
    width_mm: float
    height_mm: float
    labels: tuple[Label, ...]


def split_svg(svg: str, max_width_mm: float = MAX_WIDTH_MM, max_height_mm: float = MAX_HEIGHT_MM) -> SplitPicture:
    """The picture scaled to fit max_width_mm x max_height_mm (aspect kept), with each top-level or
    grouped <text x y font-size fill font-weight> as a Label at the same place. Only start-anchored,
    untransformed text is expected (drscan.dr.diagram draws nothing else)."""
    root = ET.fromstring(svg)
    width, height = float(root.get("width")), float(root.get("height"))
    scale = min(max_width_mm / width, max_height_mm / height)  # mm per SVG unit
    default_size = float(root.get("font-size", 16))
    labels = []
    for node in root.iter(f"{SVG_NS}text"):
        size = float(node.get("font-size", default_size))
        x, y = float(node.get("x", 0)), float(node.get("y", 0))
        labels.append(Label(left_mm=round(x * scale, 2), top_mm=round((y - BASELINE_EM * size) * scale, 2),
                            width_mm=round(max(width - x, 1) * scale, 2), size_pt=round(size * scale * PT_PER_MM, 2),
                            bold=node.get("font-weight") == "bold", color=_color(node.get("fill")),
                            text="".join(node.itertext())))
    return SplitPicture(shapes_svg=_TEXT.sub("", svg), width_mm=round(width * scale, 2), height_mm=round(height * scale, 2),
                        labels=tuple(labels))


def _color(fill: str | None) -> str:
    """The label's colour: the text's own fill when it is a hex colour (it lands in a style attribute)."""
    return fill if fill and _COLOR.fullmatch(fill) else "#000000"
