//! Flows drawn as diagrams: [`model`] turns a flow's plan into nodes,
//! arrows and boxes; [`mermaid`], [`dot`] and [`svg`] draw them. Pure: the
//! command line writes the text.

pub mod dot;
pub mod mermaid;
pub mod model;
pub mod svg;

pub use model::{Edge, EdgeKind, Graph, Group, Node, NodeKind, graph};

/// How wide a card's line may be, in characters.
const LINE_WIDTH: usize = 44;
/// How many lines a card shows; the rest is cut with `…`.
const MAX_LINES: usize = 4;

/// A label cut into the lines a card shows: words kept whole where they
/// fit, at most [`MAX_LINES`] lines, the end marked `…` when cut.
pub fn card_lines(label: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in label.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            for piece in chunks(word) {
                if !line.is_empty() && line.chars().count() + 1 + piece.chars().count() > LINE_WIDTH
                {
                    lines.push(std::mem::take(&mut line));
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(&piece);
            }
        }
        lines.push(line);
    }
    if lines.len() > MAX_LINES {
        lines.truncate(MAX_LINES);
        if let Some(last) = lines.last_mut() {
            let kept: String = last.chars().take(LINE_WIDTH - 1).collect();
            *last = format!("{kept}…");
        }
    }
    lines
}

/// A word longer than a line, in pieces of a line's width.
fn chunks(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars
        .chunks(LINE_WIDTH)
        .map(|c| c.iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_wrap_words_and_cut_long_labels() {
        assert_eq!(
            card_lines("okta.get_user(id: e.actor.id)"),
            ["okta.get_user(id: e.actor.id)"]
        );
        let long = "servicenow.create_sc_task(short_description: \"Restitution du matériel : {name}\", description: \"Le compte de {name} a été désactivé\", assignment_group: \"a1b2\")";
        let lines = card_lines(&format!("{long} {long}"));
        assert_eq!(lines.len(), MAX_LINES);
        assert!(
            lines.iter().all(|l| l.chars().count() <= LINE_WIDTH),
            "{lines:?}"
        );
        assert!(lines.last().is_some_and(|l| l.ends_with('…')));
        assert_eq!(card_lines("when a\nor when b"), ["when a", "or when b"]);
    }
}
