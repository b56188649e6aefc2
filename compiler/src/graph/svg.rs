//! A diagram drawn as SVG by idflow itself: `layout-rs` places the cards
//! in ranks from the trigger down (as Graphviz's `dot` does) and writes the
//! SVG; no Graphviz, browser or network is needed. `layout-rs` knows no
//! clusters, so the boxes around loops, parallel groups and handlers are
//! drawn by idflow behind the cards, around where they were placed.

use std::collections::BTreeMap;
use std::fmt::Write;

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
    let mut boxes: BTreeMap<usize, Rect> = BTreeMap::new();
    for node in &graph.nodes {
        let Some(handle) = handles.get(node.id.as_str()) else {
            continue;
        };
        let (top_left, bottom_right) = visual.pos(*handle).bbox(false);
        width = width.max(bottom_right.x);
        height = height.max(bottom_right.y);
        let card = Rect {
            left: top_left.x,
            top: top_left.y,
            right: bottom_right.x,
            bottom: bottom_right.y,
        };
        // The card is inside its group and every group around that one.
        let mut group = node.group;
        while let Some(index) = group {
            boxes
                .entry(index)
                .and_modify(|b| b.grow(&card))
                .or_insert(card);
            group = graph.groups.get(index).and_then(|g| g.parent);
        }
    }
    let frames = frames(graph, &boxes);
    fit(&writer.finalize(), &frames, width + MARGIN, height + MARGIN)
}

/// A rectangle of the picture.
#[derive(Clone, Copy, Debug)]
struct Rect {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Rect {
    fn grow(&mut self, other: &Rect) {
        self.left = self.left.min(other.left);
        self.top = self.top.min(other.top);
        self.right = self.right.max(other.right);
        self.bottom = self.bottom.max(other.bottom);
    }
}

/// The boxes around loops, parallel groups and handlers, drawn behind the
/// cards: `layout-rs` has no clusters, so each box is the bounds of its
/// cards, padded more for each group it holds, with its title on top.
fn frames(graph: &Graph, boxes: &BTreeMap<usize, Rect>) -> String {
    let mut out = String::new();
    // Outer boxes first, so inner ones are drawn over them.
    let mut order: Vec<(usize, usize)> = boxes.keys().map(|i| (depth(graph, *i), *i)).collect();
    order.sort_unstable();
    for (_, index) in order {
        let (Some(group), Some(bounds)) = (graph.groups.get(index), boxes.get(&index)) else {
            continue;
        };
        #[expect(
            clippy::cast_precision_loss,
            reason = "a nesting depth of a few levels"
        )]
        let pad = FRAME_PAD * (1.0 + nested(graph, index) as f64);
        let (x, y) = (bounds.left - pad, bounds.top - pad - FRAME_TITLE);
        let (w, h) = (
            bounds.right - bounds.left + 2.0 * pad,
            bounds.bottom - bounds.top + 2.0 * pad + FRAME_TITLE,
        );
        let title = card_lines(&group.label).join(" ");
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"10\" fill=\"#f7fafc\" fill-opacity=\"0.6\" stroke=\"#a0aec0\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{}\" fill=\"#4a5568\" style=\"{FONTS}\">{}</text>",
            x + 10.0,
            y + FRAME_TITLE - 4.0,
            FONT - 2,
            escape_markup(&title),
        );
    }
    out
}

/// How many groups a group is drawn in.
fn depth(graph: &Graph, index: usize) -> usize {
    let mut depth = 0;
    let mut parent = graph.groups.get(index).and_then(|g| g.parent);
    while let Some(p) = parent {
        depth += 1;
        parent = graph.groups.get(p).and_then(|g| g.parent);
    }
    depth
}

/// How many levels of groups a group holds.
fn nested(graph: &Graph, index: usize) -> usize {
    graph
        .groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.parent == Some(index))
        .map(|(child, _)| 1 + nested(graph, child))
        .max()
        .unwrap_or(0)
}

/// Text made safe inside an SVG or HTML element or attribute value (the
/// catalogue's pages use it too).
pub(crate) fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Room between a box and the cards it holds.
const FRAME_PAD: f64 = 10.0;

/// Room for a box's title above its cards.
const FRAME_TITLE: f64 = 16.0;

/// Room around the cards.
const MARGIN: f64 = 40.0;

/// The SVG with its canvas cut to `width` × `height` — `layout-rs` grows
/// its canvas by the length of every label drawn, which leaves most of a
/// tall picture empty — its text in a sans-serif face, and `behind` drawn
/// before everything else.
fn fit(picture: &str, behind: &str, width: f64, height: f64) -> String {
    let picture = picture.replace("font-family: Times, serif;", FONTS);
    let Some(start) = picture.find("<svg ") else {
        return picture;
    };
    let Some(end) = picture[start..].find('>').map(|e| start + e) else {
        return picture;
    };
    format!(
        "{}<svg width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" xmlns=\"http://www.w3.org/2000/svg\">{behind}{}",
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
