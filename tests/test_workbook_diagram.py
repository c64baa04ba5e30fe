"""The driver diagram drawing: every box, no overlaps, A3 landscape, accessible, strong/weak links."""
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from equitylab.findings.project import save_diagram
from equitylab.workbook import Project, diagram

EXAMPLE = Path(__file__).parent / "fixtures" / "projects" / "example_project.yaml"
NS = {"s": "http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module")
def project():
    return Project.load(EXAMPLE)


@pytest.fixture(scope="module")
def svg(project):
    return ET.fromstring(diagram.to_svg(project))


def _rects(svg):
    out = {}
    for g in svg.iter("{http://www.w3.org/2000/svg}g"):
        if "node" in g.get("class", "").split():
            r = g.find("s:rect", NS)
            out[g.get("id")] = (float(r.get("x")), float(r.get("y")), float(r.get("width")), float(r.get("height")))
    return out


def test_every_node_of_the_30_node_diagram_is_drawn_once(project, svg):
    assert len(project.drivers.nodes) == 30
    rects = _rects(svg)
    assert set(rects) == {n.id for n in project.drivers.nodes} | {"aim"}
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    for node in project.drivers.nodes:
        assert node.text.split()[0] in texts


def test_no_two_boxes_overlap_and_columns_run_left_to_right(project, svg):
    rects = _rects(svg)
    items = list(rects.items())
    for i, (a, ra) in enumerate(items):
        for b, rb in items[i + 1:]:
            apart = (ra[0] + ra[2] <= rb[0] or rb[0] + rb[2] <= ra[0] or
                     ra[1] + ra[3] <= rb[1] or rb[1] + rb[3] <= ra[1])
            assert apart, (a, b)
    x = {"aim": rects["aim"][0]}
    for node in project.drivers.nodes:
        x.setdefault(node.kind, rects[node.id][0])
        assert rects[node.id][0] == x[node.kind]
    assert x["aim"] < x["primary"] < x["secondary"] < x["change_idea"]


def test_page_is_a3_landscape_and_everything_fits_on_it(svg):
    assert (svg.get("width"), svg.get("height")) == ("420mm", "297mm")
    _, _, w, h = map(float, svg.get("viewBox").split())
    assert w / h == pytest.approx(420 / 297, rel=1e-3)
    shift = next(g for g in svg.findall("s:g", NS) if g.get("transform"))
    dx, dy = map(float, shift.get("transform")[len("translate("):-1].split(","))
    for x, y, bw, bh in _rects(svg).values():
        assert 0 <= x + dx and x + dx + bw <= w and 0 <= y + dy and y + dy + bh <= h
    # legible when printed: 13-unit text on this page is at least 2.5 mm (about 7 pt) high
    assert 13 * 420 / w >= 2.5


def test_links_are_curves_solid_when_strong_dashed_when_weak(project, svg):
    paths = [p for p in svg.iter("{http://www.w3.org/2000/svg}path") if "link" in p.get("class", "")]
    assert len(paths) == len(project.drivers.links)
    for p in paths:
        assert " C" in p.get("d")
        weak = "weak" in p.get("class")
        assert (p.get("stroke-dasharray") is not None) == weak
    assert any("weak" in p.get("class") for p in paths) and any("strong" in p.get("class") for p in paths)


def test_accessible_title_description_and_outline(project, svg):
    assert svg.get("role") == "img"
    assert svg.find("s:title", NS).text.startswith("Driver diagram: Equal access")
    desc = svg.find("s:desc", NS).text
    assert desc == diagram.outline(project)
    assert desc.splitlines()[0].startswith("Aim: Reduce the gap")
    assert "1.1. Secondary driver: Community partners refer directly" in desc
    assert "(weaker link)" in desc


def test_measures_are_shown_on_their_boxes(project, svg):
    node = next(n for n in project.drivers.nodes if n.measures)
    g = next(g for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("id") == node.id)
    assert any((t.text or "").startswith("Measure:") for t in g.iter("{http://www.w3.org/2000/svg}text"))


def test_saves_svg_png_html_and_pdf(project, tmp_path):
    assert save_diagram(project, tmp_path / "d.png", ppi=40).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert save_diagram(project, tmp_path / "d.pdf").read_bytes()[:5] == b"%PDF-"
    html = save_diagram(project, tmp_path / "d.html").read_text()
    assert "<svg" in html and "Text outline" in html and "<script" not in html
    ET.parse(save_diagram(project, tmp_path / "d.svg"))


def test_an_empty_diagram_still_draws_the_aim():
    svg = ET.fromstring(diagram.to_svg(Project.new(title="New")))
    assert set(_rects(svg)) == {"aim"}


def test_committed_picture_is_current(project):
    docs = Path(__file__).parents[1] / "docs"
    assert (docs / "driver-diagram-30-nodes.png").read_bytes()[:4] == b"\x89PNG"
    assert (docs / "driver-diagram-30-nodes.svg").read_text() == diagram.to_svg(project)
