//! A diagram drawn as SVG by idflow itself: `layout-rs` places the cards
//! in ranks from the trigger down (as Graphviz's `dot` does) and writes the
//! SVG; no Graphviz, browser or network is needed. Boxes around loops and
//! handlers are not drawn here — each card of a loop's body says so in its
//! arrows (`each`, `done`) — the Mermaid and DOT outputs draw them.

use std::collections::BTreeMap;

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::{EdgeKind, Graph, NodeKind, card_lines, dot};

/// The size of the text on cards.
const FONT: usize = 14;

/// The SVG picture of `graph`.
pub fn render(graph: &Graph) -> String {
    let mut visual = VisualGraph::new(Orientation::TopToBottom);
    let mut handles = BTreeMap::new();
    for node in &graph.nodes {
        let text = card_lines(&node.label).join("\n");
        let shape = match node.kind {
            NodeKind::End | NodeKind::Done => ShapeKind::new_circle(&text),
            _ => ShapeKind::new_box(&text),
        };
        let (_, fill, line) = dot::look(node.kind);
        let rounded = match node.kind {
            NodeKind::Trigger | NodeKind::Wait | NodeKind::Error => 12,
            _ => 4,
        };
        let look = StyleAttr::new(colour(line), 2, Some(colour(fill)), rounded, FONT);
        let size = get_shape_size(Orientation::LeftToRight, &shape, FONT, false);
        let element = Element::create(shape, look, Orientation::LeftToRight, size);
        handles.insert(node.id.as_str(), visual.add_node(element));
    }
    for edge in &graph.edges {
        let (Some(from), Some(to)) = (
            handles.get(edge.from.as_str()),
            handles.get(edge.to.as_str()),
        ) else {
            continue;
        };
        let (style, line) = match edge.kind {
            EdgeKind::Next => (LineStyleKind::Normal, "#4a5568"),
            EdgeKind::Repeat => (LineStyleKind::Dashed, "#718096"),
            EdgeKind::Error => (LineStyleKind::Dashed, "#c53030"),
        };
        let label = edge
            .label
            .as_deref()
            .map(|l| card_lines(l).join("\n"))
            .unwrap_or_default();
        let look = StyleAttr::new(colour(line), 2, None, 0, FONT - 2);
        let arrow = Arrow::new(
            LineEndKind::None,
            LineEndKind::Arrow,
            style,
            &label,
            &look,
            &None,
            &None,
        );
        visual.add_edge(arrow, *from, *to);
    }
    let mut writer = SVGWriter::new();
    visual.do_it(false, false, false, &mut writer);
    let (mut width, mut height) = (0.0_f64, 0.0_f64);
    for handle in handles.values() {
        let (_, bottom_right) = visual.pos(*handle).bbox(false);
        width = width.max(bottom_right.x);
        height = height.max(bottom_right.y);
    }
    fit(&writer.finalize(), width + MARGIN, height + MARGIN)
}

/// Room around the cards.
const MARGIN: f64 = 40.0;

/// The SVG with its canvas cut to `width` × `height` — `layout-rs` grows
/// its canvas by the length of every label drawn, which leaves most of a
/// tall picture empty — and its text in a sans-serif face.
fn fit(picture: &str, width: f64, height: f64) -> String {
    let picture = picture.replace("font-family: Times, serif;", FONTS);
    let Some(start) = picture.find("<svg ") else {
        return picture;
    };
    let Some(end) = picture[start..].find('>').map(|e| start + e) else {
        return picture;
    };
    format!(
        "{}<svg width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" xmlns=\"http://www.w3.org/2000/svg\">{}",
        &picture[..start],
        &picture[end + 1..]
    )
}

/// The faces the cards' text asks for, in order.
const FONTS: &str = "font-family: Helvetica, Arial, 'DejaVu Sans', 'Liberation Sans', sans-serif;";

/// A colour written `#rrggbb`, opaque.
fn colour(web: &str) -> Color {
    let rgb = u32::from_str_radix(web.trim_start_matches('#'), 16).unwrap_or(0);
    Color::new((rgb << 8) | 0xff)
}
