//! Reading an event archive as a stream: JSON lines of System Log events or
//! of Event Hook deliveries, a JSON array as the System Log API returns
//! it, or pretty-printed deliveries; gzip-compressed or not. Nothing holds
//! more than one event (or one delivery) at a time.

use std::io::{BufRead, BufReader, Cursor, Read};

use serde::Deserialize;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::ReplayError;

/// Where an event, or a malformed one, is in the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// A line of a JSON-lines archive (1-based).
    Line(u64),
    /// An element of a JSON array (1-based).
    Element(u64),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Element(n) => write!(f, "element {n}"),
        }
    }
}

/// One thing read from the archive.
pub(super) enum Item<'a> {
    /// An event's JSON text.
    Event { bytes: &'a [u8], place: Place },
    /// Something that is not an event: counted, reported, skipped.
    Malformed { place: Place, error: String },
}

/// What the visitor of the items does.
pub(super) type Visit<'v> = dyn FnMut(Item<'_>) -> Result<(), ReplayError> + 'v;

/// An Event Hook delivery: only its events are kept, as text.
#[derive(Deserialize)]
struct Delivery {
    data: DeliveryData,
}

#[derive(Deserialize)]
struct DeliveryData {
    events: Vec<Box<RawValue>>,
}

/// Reads `input` to its end, handing each event to `visit`.
pub(super) fn read(input: Box<dyn Read + '_>, visit: &mut Visit<'_>) -> Result<(), ReplayError> {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    if reader.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
        let decoded: Box<dyn Read + '_> = Box::new(flate2::read::MultiGzDecoder::new(reader));
        return read_plain(BufReader::with_capacity(1 << 16, decoded), visit);
    }
    read_plain(reader, visit)
}

fn read_plain(mut reader: impl BufRead, visit: &mut Visit<'_>) -> Result<(), ReplayError> {
    // A byte order mark, as some exports write, is not part of the JSON.
    if reader.fill_buf()?.starts_with(&[0xef, 0xbb, 0xbf]) {
        reader.consume(3);
    }
    let mut lines_before = 0;
    loop {
        let buffer = reader.fill_buf()?;
        let Some(&first) = buffer.first() else {
            return Ok(());
        };
        if !first.is_ascii_whitespace() {
            break;
        }
        lines_before += u64::from(first == b'\n');
        reader.consume(1);
    }
    if reader.fill_buf()?.first() == Some(&b'[') {
        read_array(reader, visit)
    } else {
        read_lines(reader, lines_before, visit)
    }
}

/// A JSON array, element by element: `Box<RawValue>` keeps each element's
/// text without building it, and the array itself is never held.
fn read_array(reader: impl BufRead, visit: &mut Visit<'_>) -> Result<(), ReplayError> {
    let mut failure = None;
    let mut count = 0;
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let elements = Elements {
        visit,
        failure: &mut failure,
        count: &mut count,
    };
    let result = elements.deserialize(&mut deserializer);
    if let Some(failure) = failure {
        return Err(failure);
    }
    match result {
        Ok(()) => Ok(()),
        // Past a broken element the array cannot be read further.
        Err(error) => visit(Item::Malformed {
            place: Place::Element(count + 1),
            error: format!("{error}; the rest of the array is not read"),
        }),
    }
}

struct Elements<'a, 'v> {
    visit: &'a mut Visit<'v>,
    failure: &'a mut Option<ReplayError>,
    count: &'a mut u64,
}

impl<'de> DeserializeSeed<'de> for Elements<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(element) = seq.next_element::<Box<RawValue>>()? {
            *self.count += 1;
            let item = Item::Event {
                bytes: element.get().as_bytes(),
                place: Place::Element(*self.count),
            };
            if let Err(error) = (self.visit)(item) {
                *self.failure = Some(error);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

/// What the lines of a JSON-lines archive hold, read from its first line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Events,
    Deliveries,
}

/// JSON lines, each an event or a delivery. A line that is not JSON is
/// reported with its number and the next line is read; when the first line
/// is not a whole JSON value, the archive is pretty-printed deliveries or
/// events, read value after value.
fn read_lines(
    mut reader: impl BufRead,
    lines_before: u64,
    visit: &mut Visit<'_>,
) -> Result<(), ReplayError> {
    let mut line = Vec::new();
    let mut number = lines_before;
    let mut kind = None;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        number += 1;
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let place = Place::Line(number);
        let kind = match kind {
            Some(kind) => kind,
            // The first line that is JSON says what the lines hold.
            None => match serde_json::from_slice::<serde_json::Value>(text) {
                Err(error) if error.is_eof() => {
                    let start = Cursor::new(std::mem::take(&mut line));
                    return read_values(start.chain(reader), visit);
                }
                Err(error) => {
                    visit(Item::Malformed {
                        place,
                        error: error.to_string(),
                    })?;
                    continue;
                }
                Ok(value) => *kind.insert(if value.pointer("/data/events").is_some() {
                    LineKind::Deliveries
                } else {
                    LineKind::Events
                }),
            },
        };
        match kind {
            LineKind::Events => visit(Item::Event { bytes: text, place })?,
            LineKind::Deliveries => match serde_json::from_slice::<Delivery>(text) {
                Ok(delivery) => {
                    for event in &delivery.data.events {
                        visit(Item::Event {
                            bytes: event.get().as_bytes(),
                            place,
                        })?;
                    }
                }
                Err(error) => visit(Item::Malformed {
                    place,
                    error: error.to_string(),
                })?,
            },
        }
    }
}

/// Pretty-printed JSON values one after the other: deliveries (their
/// events) or events.
fn read_values(reader: impl Read, visit: &mut Visit<'_>) -> Result<(), ReplayError> {
    let values = serde_json::Deserializer::from_reader(reader).into_iter::<Box<RawValue>>();
    let mut read = 0;
    for value in values {
        let value = match value {
            Ok(value) => value,
            Err(error) => {
                // A value cut in the middle cannot be resynchronised.
                let place = Place::Line(error.line() as u64);
                return visit(Item::Malformed {
                    place,
                    error: format!("{error}; the rest of the file is not read"),
                });
            }
        };
        // Events are numbered across the file, deliveries' events included.
        match serde_json::from_str::<Delivery>(value.get()) {
            Ok(delivery) => {
                for event in &delivery.data.events {
                    read += 1;
                    visit(Item::Event {
                        bytes: event.get().as_bytes(),
                        place: Place::Element(read),
                    })?;
                }
            }
            Err(_) => {
                read += 1;
                visit(Item::Event {
                    bytes: value.get().as_bytes(),
                    place: Place::Element(read),
                })?
            }
        }
    }
    Ok(())
}
