//! The stdlib's declarations, embedded in the compiler at build time so that
//! every caller — CLI, language server, runtime — sees the same connectors.
//! The files live in the repository's `stdlib/` folder.

/// Every stdlib file: its display name and its text.
pub const FILES: &[(&str, &str)] = &[
    ("stdlib/okta.flow", include_str!("../../stdlib/okta.flow")),
    ("stdlib/slack.flow", include_str!("../../stdlib/slack.flow")),
    ("stdlib/scim.flow", include_str!("../../stdlib/scim.flow")),
    (
        "stdlib/servicenow.flow",
        include_str!("../../stdlib/servicenow.flow"),
    ),
    ("stdlib/email.flow", include_str!("../../stdlib/email.flow")),
    ("stdlib/http.flow", include_str!("../../stdlib/http.flow")),
];

const OKTA_EVENT_TYPES: &str = include_str!("../../stdlib/facts/okta-event-types.txt");

/// Every event type of Okta's System Log catalogue, for `okta.event("…")`.
pub fn okta_event_types() -> impl Iterator<Item = &'static str> {
    OKTA_EVENT_TYPES
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Whether `name` is an event type of Okta's System Log catalogue.
pub fn is_okta_event_type(name: &str) -> bool {
    static TYPES: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
        std::sync::LazyLock::new(|| okta_event_types().collect());
    TYPES.contains(name)
}

/// The catalogued Okta event type `name` is a typo of — at most two edits
/// away — if any.
pub fn okta_event_type_near(name: &str) -> Option<&'static str> {
    crate::diagnostics::suggest::within_edits(name, okta_event_types(), 2)
}

/// The module name of a stdlib file: `okta` for `stdlib/okta.flow`.
pub fn module_name(file_name: &str) -> Option<&str> {
    file_name.strip_prefix("stdlib/")?.strip_suffix(".flow")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_embedded() {
        assert!(okta_event_types().any(|t| t == "user.lifecycle.create"));
        assert!(okta_event_types().count() > 1000);
    }

    #[test]
    fn every_stdlib_file_has_a_module_name() {
        for (name, _) in FILES {
            assert!(module_name(name).is_some(), "{name}");
        }
    }
}
