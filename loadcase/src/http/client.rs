//! Building one HTTP client per virtual user cheaply: the TLS configuration (root certificates,
//! crypto provider) is built once per run and shared ([`crate::tls::config`]). Goose builds
//! every user's client from scratch, which is why starting 1,000 Goose users takes tens of
//! seconds (its issue #666).

use std::sync::Arc;
use std::time::Duration;

use reqwest::cookie::Jar;

use crate::http::cookies::Cookies;
use crate::tls::config::Tls;

/// Requests that get no answer in this long fail with a timeout error, unless the request sets
/// its own with `.timeout(…)`.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// What every request says it comes from.
pub(crate) const USER_AGENT: &str = concat!("loadcase/", env!("CARGO_PKG_VERSION"));
/// How long connecting may take, TCP and TLS and (for WebSockets) the opening handshake.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client for one virtual user: its own connection pool and cookie jar, the run's shared TLS
/// settings (`None`: reqwest's own, when the platform's verifier cannot load).
pub(crate) fn user_client(
    timeout: Duration,
    jar: Arc<Cookies>,
    tls: Option<&Tls>,
) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .cookie_provider(jar)
        // A load test measures the service, not a proxy that happens to be in the environment.
        .no_proxy()
        .user_agent(USER_AGENT)
        .timeout(timeout)
        .connect_timeout(CONNECT_TIMEOUT.min(timeout));
    if let Some(config) = tls {
        builder = builder.tls_backend_preconfigured(rustls::ClientConfig::clone(&config.http));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_accept_the_shared_tls_configuration() {
        let config = crate::tls::config::default_config().expect("the platform verifier loads");
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(rustls::ClientConfig::clone(&config.http))
            .build();
        assert!(client.is_ok(), "{:?}", client.err());
    }

    #[tokio::test]
    async fn https_goes_through_rustls() {
        // A plain-HTTP server on loopback: the TLS handshake must fail in rustls, cleanly.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let (mut socket, _) = listener.accept().await.unwrap();
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                .await;
        });
        let tls = crate::tls::config::default_config();
        let error = user_client(DEFAULT_REQUEST_TIMEOUT, Arc::default(), tls.as_ref())
            .get(format!("https://{addr}/"))
            .send()
            .await
            .unwrap_err();
        let text = crate::outcome::error::chain(&error);
        assert!(error.is_connect(), "{text}");
        assert!(
            text.to_lowercase().contains("tls")
                || text.contains("corrupt")
                || text.contains("InvalidContentType"),
            "{text}"
        );
    }
}
