//! Settings, rate-limit delays and pagination, without a server.
use super::*;

#[test]
fn a_setting_with_a_default_takes_the_connections_value_first() {
    let port = Source::Env {
        name: "SMTP_PORT".to_owned(),
        default: Some("587".to_owned()),
    };
    let mut settings = Settings::default();
    assert_eq!(resolve(&port, &settings, "email"), Ok("587".to_owned()));
    settings
        .values
        .insert("SMTP_PORT".to_owned(), "2525".to_owned());
    assert_eq!(resolve(&port, &settings, "email"), Ok("2525".to_owned()));
    let host = Source::Env {
        name: "SMTP_HOST".to_owned(),
        default: None,
    };
    assert!(matches!(
        resolve(&host, &settings, "email"),
        Err(ConnectionError::Missing { .. })
    ));
}

#[test]
fn okta_s_rate_limit_reset_is_followed_without_retry_after_and_capped() {
    use reqwest::header::{HeaderMap, HeaderValue};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let reset = |at: u64| {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&at.to_string()) {
            headers.insert("x-rate-limit-reset", value);
        }
        headers
    };
    // In about 30 s (the clock may tick between the two readings).
    let delay = server_delay(&reset(now + 30)).unwrap_or_default();
    assert!((29..=30).contains(&delay.as_secs()), "{delay:?}");
    // A reset an hour away is waited for two minutes at most.
    assert_eq!(server_delay(&reset(now + 3_600)), Some(MAX_SERVER_DELAY));
    // `Retry-After` wins when both are there, and is capped too.
    let mut both = reset(now + 30);
    both.insert("retry-after", HeaderValue::from_static("7"));
    assert_eq!(server_delay(&both), Some(Duration::from_secs(7)));
    both.insert("retry-after", HeaderValue::from_static("86400"));
    assert_eq!(server_delay(&both), Some(MAX_SERVER_DELAY));
    assert_eq!(server_delay(&HeaderMap::new()), None);
}

#[test]
fn a_next_page_must_stay_on_the_api_and_not_loop() {
    let first = "https://chu.okta.com/api/v1/users?limit=2";
    let read = std::collections::HashSet::from([first.to_owned()]);
    assert_eq!(
        next_page(
            first,
            "https://chu.okta.com/api/v1/users?after=00u2&limit=2",
            &read
        ),
        Ok(())
    );
    let elsewhere = next_page(
        first,
        "https://attacker.example/api/v1/users?after=00u2",
        &read,
    );
    assert!(elsewhere.is_err_and(|e| e.contains("leaves the API")));
    let other_port = next_page(first, "https://chu.okta.com:8443/api/v1/users", &read);
    assert!(other_port.is_err());
    let back = next_page(first, first, &read);
    assert!(back.is_err_and(|e| e.contains("already read")));
}

#[test]
fn the_next_link_is_found_among_others() {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.append(
        "link",
        "<https://x.okta.com/api/v1/users?limit=2>; rel=\"self\""
            .parse()
            .unwrap_or_else(|_| unreachable!()),
    );
    headers.append(
        "link",
        "<https://x.okta.com/api/v1/users?after=00u2&limit=2>; rel=\"next\""
            .parse()
            .unwrap_or_else(|_| unreachable!()),
    );
    assert_eq!(
        next_link(&headers).as_deref(),
        Some("https://x.okta.com/api/v1/users?after=00u2&limit=2")
    );
}
