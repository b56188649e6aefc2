//! Incoming events: an Okta System Log event, alone or in an Event Hook
//! delivery, checked for the fields every run relies on — with an error
//! that names the field that is wrong.

use idflow_compiler::plan::typed::parse_instant;
use serde_json::Value as Json;
use thiserror::Error;

use crate::decode::kind;

/// Why an event was refused.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{0}")]
pub struct EventError(String);

/// The one event of a System Log event or of an Event Hook delivery
/// (`data.events` of one event), once it has a string `uuid`, a string
/// `eventType` and an RFC 3339 `published`.
pub fn okta_event(json: Json) -> Result<Json, EventError> {
    let fail = |message: String| Err(EventError(message));
    let event = match json.pointer("/data/events") {
        Some(Json::Array(events)) => match events.as_slice() {
            [one] => one.clone(),
            _ => {
                return fail(format!(
                    "`data.events` holds {} events; one is expected (`idflow replay` takes many)",
                    events.len()
                ));
            }
        },
        Some(_) => return fail("`data.events` must be a list of events".to_owned()),
        None => json,
    };
    let Some(fields) = event.as_object() else {
        return fail("the event must be a JSON object".to_owned());
    };
    for field in ["uuid", "published", "eventType"] {
        match fields.get(field) {
            // An empty `uuid` would make every later empty one its
            // duplicate; an empty `eventType` fires nothing and says nothing.
            Some(Json::String(text)) if text.trim().is_empty() => {
                return fail(format!("the event's `{field}` is empty"));
            }
            Some(Json::String(_)) => {}
            Some(other) => {
                return fail(format!(
                    "the event's `{field}` must be a string, found {}",
                    kind(other)
                ));
            }
            None => return fail(format!("the event has no `{field}`")),
        }
    }
    if let Some(published) = fields.get("published").and_then(Json::as_str)
        && published_ms(published).is_none()
    {
        return fail(format!(
            "the event's `published` is not a time (RFC 3339, or `YYYY-MM-DD HH:MM:SS.fff` in UTC): {published:?}"
        ));
    }
    Ok(event)
}

/// An event's `published` time, in milliseconds since the epoch. Okta
/// documents RFC 3339 (`2026-03-26T21:05:32.159Z`), but real System Log
/// exports also carry `2020-11-25 21:27:03.496000000` — UTC without a zone,
/// down to the nanosecond — so both are read, as every time of an event or
/// answer is ([`parse_instant`]).
pub fn published_ms(text: &str) -> Option<i64> {
    parse_instant(text)
}

/// The wall clock, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_delivery_of_one_event_gives_the_event() {
        let event = json!({"uuid": "1", "published": "2026-03-29T01:30:00Z", "eventType": "user.session.start"});
        assert_eq!(
            okta_event(json!({"data": {"events": [event.clone()]}})),
            Ok(event)
        );
        let two = okta_event(json!({"data": {"events": [1, 2]}}))
            .err()
            .map(|e| e.to_string());
        assert!(two.is_some_and(|e| e.contains("holds 2 events")));
    }
}
