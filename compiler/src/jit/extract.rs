//! Filling the slots from an event: from a parsed `serde_json::Value`, or
//! straight from the event's bytes, visiting only the fields some slot
//! needs and skipping the rest unparsed.
//!
//! A slot holds what the interpreter would find at its path: the scalar
//! there; `Other` for an object or a list; `Null` when a field is missing or
//! read through a null or a non-object; `Error` when an index reads past the
//! end of a list or into something that is not a list (the interpreter
//! fails there, and so does a compiled filter that reads the slot).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::slots::{Segment, SlotTable};

/// The tags of a slot.
pub mod tag {
    /// Missing or null.
    pub const NULL: u64 = 0;
    /// A boolean: payload 0 or 1.
    pub const BOOL: u64 = 1;
    /// An integer: payload its bits.
    pub const INT: u64 = 2;
    /// A float: payload its bits.
    pub const FLOAT: u64 = 3;
    /// A string: payload its interned id.
    pub const STR: u64 = 4;
    /// An object or a list.
    pub const OTHER: u64 = 5;
    /// Reading it fails.
    pub const ERROR: u64 = 6;
}

/// One slot: a tag and a payload, as compiled code reads them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Slot {
    /// One of [`tag`].
    pub tag: u64,
    /// The value's bits.
    pub payload: u64,
}

impl Slot {
    const NULL: Slot = Slot {
        tag: tag::NULL,
        payload: 0,
    };
    const OTHER: Slot = Slot {
        tag: tag::OTHER,
        payload: 0,
    };
    const ERROR: Slot = Slot {
        tag: tag::ERROR,
        payload: 0,
    };

    fn int(i: i64) -> Slot {
        Slot {
            tag: tag::INT,
            payload: u64::from_ne_bytes(i.to_ne_bytes()),
        }
    }

    fn float(f: f64) -> Slot {
        Slot {
            tag: tag::FLOAT,
            payload: f.to_bits(),
        }
    }

    fn unsigned(u: u64) -> Slot {
        // As `Value::from_json`: beyond i64, a float.
        match i64::try_from(u) {
            Ok(i) => Slot::int(i),
            #[expect(
                clippy::cast_precision_loss,
                reason = "the JSON number is a float beyond i64, as the interpreter reads it"
            )]
            Err(_) => Slot::float(u as f64),
        }
    }
}

/// A trie of the slot paths: what to look for under each field.
#[derive(Clone, Debug, Default)]
pub struct PathTree {
    /// The slot of this node's own value, if a filter reads it.
    slot: Option<usize>,
    keys: Vec<(String, PathTree)>,
    indexes: Vec<(usize, PathTree)>,
}

impl PathTree {
    /// The trie of every slot of a table, plus the event's type at the root.
    pub fn new(table: &SlotTable) -> Self {
        let mut root = PathTree::default();
        for (slot, path) in table.paths.iter().enumerate() {
            let mut node = &mut root;
            for segment in path {
                node = node.child(segment);
            }
            node.slot = Some(slot);
        }
        root
    }

    fn child(&mut self, segment: &Segment) -> &mut PathTree {
        let position = match segment {
            Segment::Key(key) => match self.keys.iter().position(|(k, _)| k == key) {
                Some(p) => p,
                None => {
                    self.keys.push((key.clone(), PathTree::default()));
                    self.keys.len() - 1
                }
            },
            Segment::Index(index) => {
                let p = match self.indexes.iter().position(|(i, _)| i == index) {
                    Some(p) => p,
                    None => {
                        self.indexes.push((*index, PathTree::default()));
                        self.indexes.len() - 1
                    }
                };
                return self
                    .indexes
                    .get_mut(p)
                    .map(|(_, t)| t)
                    .unwrap_or_else(|| unreachable!("just found or pushed"));
            }
        };
        self.keys
            .get_mut(position)
            .map(|(_, t)| t)
            .unwrap_or_else(|| unreachable!("just found or pushed"))
    }

    fn key(&self, key: &str) -> Option<&PathTree> {
        self.keys.iter().find(|(k, _)| k == key).map(|(_, t)| t)
    }

    /// Marks this node's index children, and everything under them, as
    /// failing to read.
    fn fail_indexes(&self, slots: &mut [Slot]) {
        for (_, child) in &self.indexes {
            child.fill(slots, Slot::ERROR);
        }
    }

    /// Sets this node's slot and every slot under it.
    fn fill(&self, slots: &mut [Slot], value: Slot) {
        self.set(slots, value);
        for (_, child) in &self.keys {
            child.fill(slots, value);
        }
        for (_, child) in &self.indexes {
            child.fill(slots, value);
        }
    }

    fn set(&self, slots: &mut [Slot], value: Slot) {
        if let Some(slot) = self.slot.and_then(|s| slots.get_mut(s)) {
            *slot = value;
        }
    }
}

/// The slots of an event already parsed, and its `eventType`.
pub fn from_value(
    tree: &PathTree,
    table: &SlotTable,
    event: &serde_json::Value,
    slots: &mut [Slot],
) {
    slots.fill(Slot::NULL);
    walk_value(tree, table, event, slots);
}

fn walk_value(node: &PathTree, table: &SlotTable, value: &serde_json::Value, slots: &mut [Slot]) {
    use serde_json::Value as J;
    match value {
        J::Null => {}
        J::Bool(b) => {
            node.set(
                slots,
                Slot {
                    tag: tag::BOOL,
                    payload: u64::from(*b),
                },
            );
            node.fail_indexes(slots);
        }
        J::Number(n) => {
            let slot = match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Slot::int(i),
                (None, Some(u)) => Slot::unsigned(u),
                _ => Slot::float(n.as_f64().unwrap_or(f64::NAN)),
            };
            node.set(slots, slot);
            node.fail_indexes(slots);
        }
        J::String(s) => {
            node.set(
                slots,
                Slot {
                    tag: tag::STR,
                    payload: u64::from(table.string_id(s)),
                },
            );
            node.fail_indexes(slots);
        }
        J::Object(map) => {
            node.set(slots, Slot::OTHER);
            node.fail_indexes(slots);
            for (key, child) in &node.keys {
                if let Some(v) = map.get(key) {
                    walk_value(child, table, v, slots);
                }
            }
        }
        J::Array(items) => {
            node.set(slots, Slot::OTHER);
            for (index, child) in &node.indexes {
                match items.get(*index) {
                    Some(v) => walk_value(child, table, v, slots),
                    None => child.fill(slots, Slot::ERROR),
                }
            }
        }
    }
}

/// Why an event's bytes could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the event is not valid JSON: {0}")]
pub struct ExtractError(#[from] serde_json::Error);

/// Fills the slots straight from an event's bytes; returns its `eventType`.
pub fn from_bytes(
    tree: &PathTree,
    table: &SlotTable,
    bytes: &[u8],
    slots: &mut [Slot],
) -> Result<Option<String>, ExtractError> {
    slots.fill(Slot::NULL);
    let mut event_type = None;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    Node {
        tree,
        table,
        slots,
        event_type: Some(&mut event_type),
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(event_type)
}

/// Visits one value at one node of the trie.
struct Node<'t, 's, 'e> {
    tree: &'t PathTree,
    table: &'t SlotTable,
    slots: &'s mut [Slot],
    /// At the root: where to keep the `eventType`.
    event_type: Option<&'e mut Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Node<'_, '_, '_> {
    fn scalar(self, slot: Slot) {
        self.tree.set(self.slots, slot);
        self.tree.fail_indexes(self.slots);
    }
}

impl<'de> Visitor<'de> for Node<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E>(self, b: bool) -> Result<(), E> {
        self.scalar(Slot {
            tag: tag::BOOL,
            payload: u64::from(b),
        });
        Ok(())
    }

    fn visit_i64<E>(self, i: i64) -> Result<(), E> {
        self.scalar(Slot::int(i));
        Ok(())
    }

    fn visit_u64<E>(self, u: u64) -> Result<(), E> {
        self.scalar(Slot::unsigned(u));
        Ok(())
    }

    fn visit_f64<E>(self, f: f64) -> Result<(), E> {
        self.scalar(Slot::float(f));
        Ok(())
    }

    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        let id = self.table.string_id(s);
        self.scalar(Slot {
            tag: tag::STR,
            payload: u64::from(id),
        });
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Node {
            tree,
            table,
            slots,
            mut event_type,
        } = self;
        tree.set(slots, Slot::OTHER);
        tree.fail_indexes(slots);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if let Some(out) = event_type.as_deref_mut()
                && key == "eventType"
            {
                // Small, and needed whole: the index looks it up.
                let value: serde_json::Value = map.next_value()?;
                if let Some(child) = tree.key("eventType") {
                    walk_value(child, table, &value, slots);
                }
                *out = value.as_str().map(str::to_owned);
                continue;
            }
            match tree.key(&key) {
                Some(child) => map.next_value_seed(Node {
                    tree: child,
                    table,
                    slots,
                    event_type: None,
                })?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Node {
            tree, table, slots, ..
        } = self;
        tree.set(slots, Slot::OTHER);
        let mut index = 0;
        loop {
            let child = tree
                .indexes
                .iter()
                .find(|(i, _)| *i == index)
                .map(|(_, t)| t);
            let more = match child {
                Some(child) => seq
                    .next_element_seed(Node {
                        tree: child,
                        table,
                        slots,
                        event_type: None,
                    })?
                    .is_some(),
                None => seq.next_element::<IgnoredAny>()?.is_some(),
            };
            if !more {
                break;
            }
            index += 1;
        }
        for (i, child) in &tree.indexes {
            if *i >= index {
                child.fill(slots, Slot::ERROR);
            }
        }
        Ok(())
    }
}
