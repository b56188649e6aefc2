//! The retry policy both engines send with: which policy a call is tried
//! with, and how long to wait before each try again.

use std::time::Duration;

use idflow_compiler::plan::ir::Retry;
use rand::Rng;

/// The policy a call is tried with: the call's own, with the connector's
/// statuses when it lists none; else the connector's; else one try.
pub(crate) fn effective_retry(connector: Option<&Retry>, call: Option<&Retry>) -> Retry {
    match (call, connector) {
        (Some(own), connector) => Retry {
            on_statuses: if own.on_statuses.is_empty() {
                connector.map(|c| c.on_statuses.clone()).unwrap_or_default()
            } else {
                own.on_statuses.clone()
            },
            ..own.clone()
        },
        (None, Some(connector)) => connector.clone(),
        (None, None) => Retry {
            attempts: 0,
            min_backoff_ms: 0,
            max_backoff_ms: 0,
            on_statuses: Vec::new(),
        },
    }
}

/// A duration in whole milliseconds, for the trace.
pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The delay before try number `tries + 1`: doubling from the policy's
/// minimum up to its maximum, with "full jitter" over the upper half.
pub(crate) fn backoff(retry: &Retry, tries: u32) -> Duration {
    let doubled = retry
        .min_backoff_ms
        .saturating_mul(1u64 << tries.saturating_sub(1).min(20));
    let ceiling = doubled.min(retry.max_backoff_ms.max(retry.min_backoff_ms));
    let floor = ceiling / 2;
    Duration::from_millis(if ceiling > floor {
        rand::rng().random_range(floor..=ceiling)
    } else {
        ceiling
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_s_policy_replaces_the_connector_s_and_keeps_its_statuses() {
        let policy = |attempts, on_statuses: &[u16]| Retry {
            attempts,
            min_backoff_ms: 10,
            max_backoff_ms: 20,
            on_statuses: on_statuses.to_vec(),
        };
        let connector = policy(4, &[429, 503]);
        assert_eq!(effective_retry(Some(&connector), None), connector);
        let own = effective_retry(Some(&connector), Some(&policy(1, &[])));
        assert_eq!(own, policy(1, &[429, 503]));
        let own = effective_retry(Some(&connector), Some(&policy(2, &[500])));
        assert_eq!(own, policy(2, &[500]));
        assert_eq!(effective_retry(None, None).attempts, 0);
    }

    #[test]
    fn backoff_doubles_within_the_policy_with_jitter() {
        let retry = Retry {
            attempts: 5,
            min_backoff_ms: 100,
            max_backoff_ms: 1_000,
            on_statuses: vec![],
        };
        for (tries, max) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1_000),
            (9, 1_000),
        ] {
            let delay = millis(backoff(&retry, tries));
            assert!(delay <= max && delay >= max / 2, "try {tries}: {delay}");
        }
    }
}
