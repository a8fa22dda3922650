//! The demo server over TLS: each connection's handshake, then HTTP/2 or HTTP/1.1 as ALPN
//! chose, served by the same router.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;

/// Accepts connections on `listener` until the process ends.
pub(crate) async fn serve(
    listener: std::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    app: Router,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("demo server listener");
    loop {
        let Ok((socket, peer)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        // With the peer's address, for `/ip`, as the plain server gives it.
        let app = app
            .clone()
            .layer(axum::Extension(ConnectInfo::<SocketAddr>(peer)));
        tokio::spawn(async move {
            // A client that fails the handshake (or distrusts the certificate) is its problem.
            let Ok(stream) = acceptor.accept(socket).await else {
                return;
            };
            let service = TowerToHyperService::new(app);
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .await;
        });
    }
}
