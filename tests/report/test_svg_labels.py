"""The DR graph in the PDF: its SVG split into shapes (an image) and text (HTML labels at the same
places), because WeasyPrint draws SVG text one letter at a time."""

from __future__ import annotations

from drscan.report.svg_labels import BASELINE_EM, MAX_HEIGHT_MM, MAX_WIDTH_MM, split_svg

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="1170" height="400" viewBox="0 0 1170 400" font-family="DejaVu Sans">'
       '<title>payments: DR dependency graph</title>'
       '<rect x="0" y="0" width="1170" height="400" fill="#ffffff"/>'
       '<text x="20" y="24" font-size="15" font-weight="bold">payments - warm standby</text>'
       '<g class="node failed"><title>arn:aws:rds:us-east-1:1:db:payments-db</title>'
       '<rect x="320" y="70" width="250" height="38" rx="5" fill="#fde8e8" stroke="#c53030"/>'
       '<text x="328" y="85" font-size="11" fill="#1a202c">payments-db &amp; &lt;replica&gt;</text>'
       '<text x="328" y="99" font-size="9" fill="url(#evil)">rds.db_instance | us-east-1</text></g></svg>')


def test_every_text_becomes_a_label_at_its_place_and_the_shapes_keep_no_text():
    picture = split_svg(SVG)
    scale = MAX_WIDTH_MM / 1170  # the graph is wide: its width fills the text column
    assert picture.width_mm == round(MAX_WIDTH_MM, 2) and picture.height_mm == round(400 * scale, 2)
    assert picture.height_mm <= MAX_HEIGHT_MM
    assert [label.text for label in picture.labels] == ["payments - warm standby", "payments-db & <replica>",
                                                       "rds.db_instance | us-east-1"]
    title, name, kind = picture.labels
    assert title.bold and not name.bold
    assert name.left_mm == round(328 * scale, 2)
    assert name.top_mm == round((85 - BASELINE_EM * 11) * scale, 2)  # the SVG's y is the baseline
    assert name.size_pt == round(11 * scale * 72 / 25.4, 2)
    assert name.color == "#1a202c" and kind.color == "#000000"  # only a hex colour reaches the style attribute
    assert "<text" not in picture.shapes_svg and "<rect" in picture.shapes_svg and "<title>" in picture.shapes_svg


def test_a_tall_graph_is_limited_by_the_height():
    tall = SVG.replace('width="1170" height="400"', 'width="1170" height="2016"')
    picture = split_svg(tall)
    assert picture.height_mm == MAX_HEIGHT_MM and picture.width_mm == round(1170 * MAX_HEIGHT_MM / 2016, 2)
