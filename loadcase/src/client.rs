//! Building one HTTP client per virtual user cheaply: the TLS configuration (root certificates,
//! crypto provider) is built once per process and shared. Goose builds every user's client from
//! scratch, which is why starting 1,000 Goose users takes tens of seconds (its issue #666).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::cookie::Jar;

/// Requests that get no answer in this long fail with a timeout error, unless the request sets
/// its own with `.timeout(…)`.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long connecting may take, TCP and TLS and (for WebSockets) the opening handshake.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

fn tls_config() -> Option<&'static rustls::ClientConfig> {
    static CONFIG: OnceLock<Option<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let builder = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .ok()?;
            let verifier =
                rustls_platform_verifier::Verifier::new(builder.crypto_provider().clone()).ok()?;
            Some(
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(verifier))
                    .with_no_client_auth(),
            )
        })
        .as_ref()
}

/// The shared TLS configuration, for WebSocket connections.
pub(crate) fn shared_tls() -> Option<Arc<rustls::ClientConfig>> {
    tls_config().map(|c| Arc::new(c.clone()))
}

/// A client for one virtual user: its own connection pool and cookie jar, shared TLS settings.
pub(crate) fn user_client() -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .cookie_provider(Arc::new(Jar::default()))
        // A load test measures the service, not a proxy that happens to be in the environment.
        .no_proxy()
        .user_agent(concat!("loadcase/", env!("CARGO_PKG_VERSION")))
        .timeout(DEFAULT_REQUEST_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT);
    if let Some(config) = tls_config() {
        builder = builder.tls_backend_preconfigured(config.clone());
    }
    builder.build().unwrap_or_else(|_| {
        // Only TLS set-up can fail here; a client without our shared TLS still serves plain HTTP.
        reqwest::Client::builder()
            .cookie_provider(Arc::new(Jar::default()))
            .no_proxy()
            .build()
            .expect("a default reqwest client always builds")
    })
}
