//! Every lint rule, one file each.

mod destructive_in_unbounded_loop;
mod destructive_without_filter;
mod duplicate_trigger;
mod long_wait;
mod missing_flow_doc;
mod shadowing;
mod unknown_event_type;
mod unreachable_statement;
mod unused_config;
mod unused_import;

use super::Rule;

/// Every lint, in code order.
pub const RULES: &[Rule] = &[
    destructive_without_filter::RULE,
    missing_flow_doc::RULE,
    unused_import::RULE,
    unused_config::RULE,
    unreachable_statement::RULE,
    long_wait::RULE,
    duplicate_trigger::RULE,
    unknown_event_type::RULE,
    shadowing::RULE,
    destructive_in_unbounded_loop::RULE,
];
