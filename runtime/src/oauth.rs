//! OAuth 2.0 client credentials with `private_key_jwt` (RFC 7523): the
//! client proves who it is with a short JWT signed by its private key, and
//! gets an access token it sends as `Authorization: Bearer …` — the way Okta
//! recommends service apps call its API. The token is cached until a minute
//! before it expires.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

/// How long a client assertion is valid.
const ASSERTION_LIFETIME: u64 = 300;

/// How long before its expiry a token is renewed.
const RENEW_BEFORE: Duration = Duration::from_secs(60);

/// The claims of a client assertion.
#[derive(Serialize)]
struct Assertion<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    jti: String,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// Why no access token could be had.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The client assertion could not be signed with the key.
    #[error("cannot sign the client assertion: {0}")]
    Sign(String),
    /// The token endpoint did not answer.
    #[error("the token endpoint did not answer: {0}")]
    Unreachable(String),
    /// The token endpoint answered with an error.
    #[error("the token endpoint refused the client (HTTP {status}): {answer}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The start of its answer.
        answer: String,
    },
    /// The answer holds no access token.
    #[error("the token endpoint's answer has no access token: {0}")]
    NoToken(String),
}

/// A client of an authorization server's token endpoint.
pub struct PrivateKeyJwt {
    token_url: String,
    client_id: String,
    key: EncodingKey,
    algorithm: Algorithm,
    scopes: String,
    cached: tokio::sync::Mutex<Option<(String, Instant)>>,
}

impl PrivateKeyJwt {
    /// A client with its private key (PKCS #8 PEM, EC P-256 or RSA).
    pub fn new(
        token_url: String,
        client_id: String,
        pem: &str,
        scopes: String,
    ) -> Result<Self, String> {
        let (key, algorithm) = match EncodingKey::from_ec_pem(pem.as_bytes()) {
            Ok(key) => (key, Algorithm::ES256),
            Err(_) => (
                EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| {
                    "the private key is neither an EC P-256 nor an RSA key in PEM".to_owned()
                })?,
                Algorithm::RS256,
            ),
        };
        Ok(PrivateKeyJwt {
            token_url,
            client_id,
            key,
            algorithm,
            scopes,
            cached: tokio::sync::Mutex::new(None),
        })
    }

    /// A valid access token: the cached one, or a new one.
    pub async fn token(&self, client: &reqwest::Client) -> Result<String, TokenError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, renew_at)) = cached.as_ref()
            && Instant::now() < *renew_at
        {
            return Ok(token.clone());
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let claims = Assertion {
            iss: &self.client_id,
            sub: &self.client_id,
            aud: &self.token_url,
            iat: now,
            exp: now + ASSERTION_LIFETIME,
            jti: format!("{:032x}", rand::random::<u128>()),
        };
        let assertion = jsonwebtoken::encode(&Header::new(self.algorithm), &claims, &self.key)
            .map_err(|e| TokenError::Sign(e.to_string()))?;
        let form = [
            ("grant_type", "client_credentials"),
            ("scope", self.scopes.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.as_str()),
        ];
        let response = client
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|e| TokenError::Unreachable(e.without_url().to_string()))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            let text: String = text.chars().take(300).collect();
            return Err(TokenError::Refused {
                status: status.as_u16(),
                answer: text,
            });
        }
        let answer: TokenAnswer =
            serde_json::from_str(&text).map_err(|e| TokenError::NoToken(e.to_string()))?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3_600));
        *cached = Some((
            answer.access_token.clone(),
            Instant::now() + lifetime.saturating_sub(RENEW_BEFORE),
        ));
        Ok(answer.access_token)
    }
}
