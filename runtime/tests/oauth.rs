//! OAuth 2.0 client credentials with `private_key_jwt` against a token
//! endpoint on 127.0.0.1 that verifies the client assertion's signature with
//! the client's public key, as Okta's authorization server does.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test's own local server and assertions: a failure there fails the test"
)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;
use idflow_runtime::executor::{Executor, RunStatus};
use idflow_runtime::http::{HttpConnectors, Settings};
use idflow_runtime::trace::Redactor;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::json;

#[derive(Clone)]
struct Server {
    public_pem: String,
    token_url: Arc<Mutex<String>>,
    tokens_issued: Arc<Mutex<u32>>,
}

async fn token(
    State(server): State<Server>,
    form: axum::Form<BTreeMap<String, String>>,
) -> Response {
    let token_url = server.token_url.lock().unwrap().clone();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[token_url]);
    validation.set_issuer(&["0oa-idflow-service"]);
    let key = DecodingKey::from_ec_pem(server.public_pem.as_bytes()).unwrap();
    let valid = form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_assertion_type").map(String::as_str)
            == Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        && form.get("scope").map(String::as_str) == Some("okta.users.read")
        && form.get("client_assertion").is_some_and(|jwt| {
            jsonwebtoken::decode::<serde_json::Value>(jwt, &key, &validation)
                .is_ok_and(|t| t.claims["sub"] == "0oa-idflow-service")
        });
    if !valid {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    *server.tokens_issued.lock().unwrap() += 1;
    axum::Json(json!({"token_type": "Bearer", "expires_in": 3600, "access_token": "eyJ.access.token", "scope": "okta.users.read"})).into_response()
}

async fn user(Path(id): Path<String>, headers: HeaderMap) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer eyJ.access.token")
    {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    axum::Json(json!({"id": id})).into_response()
}

const FLOW: &str = r#"/// Okta, called as a service app with a private key.
connector okta_service {
  base_url: env("OKTA_ORG_URL")
  auth: oauth2_private_key_jwt(env("OKTA_TOKEN_URL"), env("OKTA_CLIENT_ID"), secret("OKTA_PRIVATE_KEY"), "okta.users.read")

  /// A user.
  read action get_user(id: String) -> Json = GET "/api/v1/users/{id}"
}

/// Reads two users.
flow f {
  when called()
  then {
    let a = okta_service.get_user(id: "00u1")
    let b = okta_service.get_user(id: "00u2")
    return [a, b]
  }
}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_private_key_jwt_gets_a_token_that_is_reused() {
    let secret = p256::SecretKey::random(&mut rand_core::OsRng);
    let private_pem = secret.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let public_pem = secret
        .public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let server = Server {
        public_pem,
        token_url: Arc::default(),
        tokens_issued: Arc::default(),
    };
    let app = Router::new()
        .route("/oauth2/v1/token", post(token))
        .route("/api/v1/users/{id}", get(user))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    *server.token_url.lock().unwrap() = format!("{base}/oauth2/v1/token");
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut sources = SourceMap::new();
    sources.add("f.flow", FLOW);
    let plan = idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap();
    let settings = Settings {
        values: [
            ("OKTA_ORG_URL".to_owned(), base.clone()),
            (
                "OKTA_TOKEN_URL".to_owned(),
                format!("{base}/oauth2/v1/token"),
            ),
            ("OKTA_CLIENT_ID".to_owned(), "0oa-idflow-service".to_owned()),
        ]
        .into(),
        secrets: [("OKTA_PRIVATE_KEY".to_owned(), private_pem.clone())].into(),
        base_urls: BTreeMap::new(),
        configs: BTreeMap::new(),
    };
    let connectors = HttpConnectors::new(&plan, &settings, Duration::from_secs(5)).unwrap();
    let configs = BTreeMap::new();
    let executor = Executor::new(
        &plan,
        &connectors,
        &configs,
        Redactor::new([private_pem.clone()]),
        0,
        false,
    );
    let report = executor.run(&plan.flows[0], None).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert_eq!(report.trace[0].output, Some(json!({"id": "00u1"})));
    assert_eq!(
        *server.tokens_issued.lock().unwrap(),
        1,
        "the token is fetched once and reused"
    );
    assert!(
        !serde_json::to_string(&report)
            .unwrap()
            .contains("PRIVATE KEY")
    );
}

#[tokio::test]
async fn a_key_that_is_not_a_key_is_refused_when_connecting() {
    let mut sources = SourceMap::new();
    sources.add("f.flow", FLOW);
    let plan = idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap();
    let settings = Settings {
        values: [
            ("OKTA_ORG_URL", "http://127.0.0.1:9"),
            ("OKTA_TOKEN_URL", "http://127.0.0.1:9/t"),
            ("OKTA_CLIENT_ID", "x"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into(),
        secrets: [("OKTA_PRIVATE_KEY".to_owned(), "not a key".to_owned())].into(),
        base_urls: BTreeMap::new(),
        configs: BTreeMap::new(),
    };
    let error = HttpConnectors::new(&plan, &settings, Duration::from_secs(1))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        error.contains("neither an EC P-256 nor an RSA key"),
        "{error}"
    );
    assert!(!error.contains("not a key"));
}
