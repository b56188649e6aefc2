//! Redirects stay in the origin the connection was made for.

use super::*;

/// A redirect the engine refused to follow.
#[derive(Debug, Error)]
pub(super) enum RedirectRefused {
    /// It leaves the origin the request was sent to.
    #[error(
        "the answer redirects to {target}, outside {origin}: not followed, so the connection's credentials stay with it"
    )]
    OtherOrigin { target: String, origin: String },
    /// One too many.
    #[error("more than {MAX_REDIRECTS} redirects, the last to {target}")]
    TooMany { target: String },
}

/// The redirect policy of every connector: follow a redirect only within
/// the origin (scheme, host, port) the request was sent to, and at most
/// [`MAX_REDIRECTS`] of them. A redirect elsewhere would carry the
/// connection's credentials — an API key header, a 307's body — to a host
/// nobody configured, and its answer would be taken as the API's.
pub(super) fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let target = attempt.url().clone();
        let Some(first) = attempt.previous().first() else {
            return attempt.stop();
        };
        if target.origin() != first.origin() {
            let origin = first.origin().ascii_serialization();
            return attempt.error(RedirectRefused::OtherOrigin {
                target: target.to_string(),
                origin,
            });
        }
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(RedirectRefused::TooMany {
                target: target.to_string(),
            });
        }
        attempt.follow()
    })
}

/// Why a request failed, in words; a refused redirect says where it went.
pub(super) fn send_error(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    if error.is_timeout() {
        return "timed out".to_owned();
    }
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<RedirectRefused>() {
            return refused.to_string();
        }
        source = cause.source();
    }
    error.to_string()
}
