//! What an answer's headers say: how long the service asks to wait, and
//! where the next page is.

use super::*;

/// The delay a service asks for: `Retry-After` in seconds, or Okta's
/// `X-Rate-Limit-Reset` (the epoch second its limit resets).
pub(super) fn server_delay(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let delay = if let Some(seconds) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        Duration::from_secs(seconds)
    } else {
        let reset = header("x-rate-limit-reset")?.parse::<u64>().ok()?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        Duration::from_secs(reset.saturating_sub(now))
    };
    Some(delay.min(MAX_SERVER_DELAY))
}

/// Whether a `rel="next"` link may be followed from a list whose first page
/// is `first`: it must stay on the same origin — the request carries the
/// connector's credentials, which must not go to a host a header names —
/// and must not lead back to a page already read, which would loop forever.
pub(super) fn next_page(
    first: &str,
    next: &str,
    read: &std::collections::HashSet<String>,
) -> Result<(), String> {
    let origin = |url: &str| reqwest::Url::parse(url).map(|u| u.origin());
    match (origin(first), origin(next)) {
        (Ok(a), Ok(b)) if a == b => {}
        _ => {
            return Err(format!(
                "the next page's link leaves the API ({next}): not followed, credentials stay with the API"
            ));
        }
    }
    if read.contains(next) {
        return Err(format!(
            "the next page's link leads back to a page already read ({next}): the list would never end"
        ));
    }
    Ok(())
}

/// The `rel="next"` URL of a `Link` header.
pub(super) fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|link| {
            let (target, params) = link.split_once(';')?;
            let next = params.split(';').any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            });
            next.then(|| {
                target
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
        })
}
