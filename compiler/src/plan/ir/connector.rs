//! The plan of a connector: where its API is, how to authenticate, its
//! retry policy and limits, and each action's effect, mapping and answer.

use super::*;

/// A connector: where it is, how it authenticates, how it retries, and how
/// each action maps onto HTTP. A connector without mappings is native
/// (email, http).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectorPlan {
    /// Its name.
    pub name: String,
    /// Its base URL.
    pub base_url: Option<Source>,
    /// How requests authenticate.
    pub auth: Option<Auth>,
    /// Its retry policy: attempts after the first, backoff, statuses.
    pub retry: Option<Retry>,
    /// Its other settings (a native connector's `host`, `port`, `from`, …).
    pub settings: Vec<(String, Source)>,
    /// Its actions.
    pub actions: Vec<ActionPlan>,
}

/// A setting's value, resolved by the runtime: never a secret's value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Source {
    /// Literal text.
    Text {
        /// The text.
        value: String,
    },
    /// `env("NAME")`: a setting of the connection; `env("NAME") ?? 587`
    /// gives a default for when the connection does not set it.
    Env {
        /// The name.
        name: String,
        /// The value when the connection has none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        default: Option<String>,
    },
    /// `secret("NAME")`: a secret of the connection.
    Secret {
        /// The name.
        name: String,
    },
    /// Several sources joined: `"SSWS " + secret("OKTA_API_TOKEN")`.
    Concat {
        /// The parts, in order.
        parts: Vec<Source>,
    },
}

/// How a connector authenticates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "auth", rename_all = "snake_case")]
pub enum Auth {
    /// `header("Name", value)`.
    Header {
        /// The header's name.
        name: String,
        /// Its value.
        value: Source,
    },
    /// `bearer(token)`: `Authorization: Bearer token`.
    Bearer {
        /// The token.
        token: Source,
    },
    /// `basic(user, password)`.
    Basic {
        /// The user.
        user: Source,
        /// The password.
        password: Source,
    },
    /// `oauth2_private_key_jwt(token_url, client_id, private_key, scopes)`:
    /// OAuth 2.0 client credentials, the client authenticated by a JWT it
    /// signs with its private key (RFC 7523), as Okta recommends for service
    /// apps. The access token is cached until shortly before it expires.
    OAuth2PrivateKeyJwt {
        /// The authorization server's token endpoint.
        token_url: Source,
        /// The client's id.
        client_id: Source,
        /// The client's private key, PEM (PKCS #8, RSA or EC P-256).
        private_key: Source,
        /// The scopes asked for, space-separated.
        scopes: Source,
    },
}

/// An action of a connector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionPlan {
    /// Its name.
    pub name: String,
    /// Read, write or destructive.
    pub effect: Effect,
    /// Its parameters, by name, and the local each is bound to in `http`.
    pub params: Vec<(String, LocalId)>,
    /// The default values of parameters that have one, used when a call
    /// leaves them out.
    pub defaults: Vec<(String, PExpr)>,
    /// The type its answer must have; checked by the runtime.
    pub returns: Option<Schema>,
    /// How it maps onto HTTP; none for a native action.
    pub http: Option<HttpPlan>,
}

/// An action's HTTP request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HttpPlan {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path after the base URL; interpolated values are path segments.
    pub path: PExpr,
    /// Query parameters; null values are left out.
    pub query: Vec<(String, PExpr)>,
    /// Extra headers.
    pub headers: Vec<(String, PExpr)>,
    /// The JSON body; a record's null fields are left out.
    pub body: Option<PExpr>,
    /// How results are paged: `link` follows `Link: <…>; rel="next"`.
    pub paginate: Option<String>,
}

impl Auth {
    /// Every source the authentication reads.
    pub fn sources(&self) -> Vec<&Source> {
        match self {
            Auth::Header { value, .. } => vec![value],
            Auth::Bearer { token } => vec![token],
            Auth::Basic { user, password } => vec![user, password],
            Auth::OAuth2PrivateKeyJwt {
                token_url,
                client_id,
                private_key,
                scopes,
            } => vec![token_url, client_id, private_key, scopes],
        }
    }
}
