//! The hostile server's certificates, made when it starts (rcgen): one a client can be told to
//! trust, and the kinds that TLS clients refuse.

use std::path::PathBuf;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The certificate a TLS server presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cert {
    /// Self-signed, for `127.0.0.1` and `localhost`: trusted once given with `--ca-cert`.
    SelfSigned,
    /// Self-signed and marked as a CA (`basicConstraints CA:TRUE`), as `openssl req -x509` makes
    /// it by default: webpki refuses it as a server's certificate (`CaUsedAsEndEntity`).
    CaAsLeaf,
    /// Self-signed, for `127.0.0.1`, expired at the end of 2020.
    Expired,
    /// Self-signed, for `other.example` only.
    OtherName,
}

/// A certificate, its key, and the PEM file of the certificate (removed when dropped).
pub struct Tls {
    config: Arc<rustls::ServerConfig>,
    dir: PathBuf,
}

impl Tls {
    /// A new certificate of `kind`, and a server configuration that presents it.
    pub fn new(kind: Cert) -> Tls {
        let names = match kind {
            Cert::OtherName => vec!["other.example".to_owned()],
            _ => vec!["127.0.0.1".to_owned(), "localhost".to_owned()],
        };
        let mut params = CertificateParams::new(names).expect("names a certificate can take");
        params
            .distinguished_name
            .push(DnType::CommonName, "loadcase hostile server");
        if kind == Cert::CaAsLeaf {
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        }
        if kind == Cert::Expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2020, 12, 31);
        }
        let key = KeyPair::generate().expect("an ECDSA key");
        let cert = params.self_signed(&key).expect("a self-signed certificate");
        let dir = std::env::temp_dir().join(format!(
            "loadcase-hostile-{}-{}",
            std::process::id(),
            server_number()
        ));
        std::fs::create_dir_all(&dir).expect("a directory for the certificate");
        std::fs::write(dir.join("cert.pem"), cert.pem()).expect("write the certificate");
        let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS 1.2 and 1.3")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("the certificate and its key");
        Tls {
            config: Arc::new(config),
            dir,
        }
    }

    /// The server's configuration (no ALPN).
    pub fn config(&self) -> Arc<rustls::ServerConfig> {
        self.config.clone()
    }

    /// The certificate as a PEM file, to give to `--ca-cert`.
    pub fn pem_file(&self) -> PathBuf {
        self.dir.join("cert.pem")
    }
}

impl Drop for Tls {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Tells apart the certificates of one process's servers.
fn server_number() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
