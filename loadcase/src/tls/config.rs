//! The rustls client configuration of a run. Building one (the platform's roots, the crypto
//! provider) takes milliseconds, so it is built once per run and shared by every user's client
//! and WebSocket: the default one once per process, one with `--ca-cert` or `--insecure` once
//! per plan.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

/// A `--ca-cert` file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaCertError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}; give the path of a PEM file of CA certificates")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file holds no certificate, or one that does not parse.
    #[error(
        "{path} holds no PEM certificate ({why}); give a file of `-----BEGIN CERTIFICATE-----` blocks, such as the CA's ca.pem or the server's own self-signed cert.pem"
    )]
    NoCertificate {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        why: String,
    },
    /// A certificate that rustls cannot take as a root.
    #[error("{path}: a certificate cannot be a trusted root ({why}); give the CA's certificate")]
    Unusable {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
}

/// The certificates of a PEM file, at least one.
pub fn read_ca_cert(path: &Path) -> Result<Vec<CertificateDer<'static>>, CaCertError> {
    let pem = std::fs::read(path).map_err(|source| CaCertError::Read {
        path: path.to_owned(),
        source,
    })?;
    let no_certificate = |why: String| CaCertError::NoCertificate {
        path: path.to_owned(),
        why,
    };
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| no_certificate(e.to_string()))?;
    if certs.is_empty() {
        return Err(no_certificate("no BEGIN CERTIFICATE block".to_owned()));
    }
    // What the verifier will do with them, so that a bad root is refused before the run.
    let mut roots = rustls::RootCertStore::empty();
    for cert in &certs {
        roots.add(cert.clone()).map_err(|e| CaCertError::Unusable {
            path: path.to_owned(),
            why: e.to_string(),
        })?;
    }
    Ok(certs)
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A run's TLS configuration, in the two forms its connections take it.
#[derive(Clone)]
pub(crate) struct Tls {
    /// For HTTP: offers HTTP/2 and HTTP/1.1 by ALPN, as reqwest's own configuration does (a
    /// configuration given to reqwest ready-made is used as it is, ALPN included).
    pub(crate) http: Arc<ClientConfig>,
    /// For WebSockets, which open over HTTP/1.1: no ALPN.
    pub(crate) ws: Arc<ClientConfig>,
}

/// The configuration with the platform's roots alone, built once per process. `None` when the
/// platform's verifier cannot load; plain HTTP works without it.
pub(crate) fn default_config() -> Option<Tls> {
    static CONFIG: OnceLock<Option<Tls>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = provider();
            let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).ok()?;
            build(provider, Arc::new(verifier))
        })
        .clone()
}

/// The configuration a plan asks for: with `insecure`, no certificate is checked; with
/// `ca_cert`, its certificates are trusted besides the platform's roots, and a server that
/// presents one of them marked as a CA as its own certificate is trusted as given (its dates and
/// name still checked), as curl trusts it. Neither: [`default_config`].
pub(crate) fn config(ca_cert: Option<&Path>, insecure: bool) -> Result<Option<Tls>, CaCertError> {
    let provider = provider();
    if insecure {
        let how = How::Unchecked;
        return Ok(build(provider.clone(), Arc::new(Trust { how, provider })));
    }
    let Some(path) = ca_cert else {
        return Ok(default_config());
    };
    let given = read_ca_cert(path)?;
    let platform =
        rustls_platform_verifier::Verifier::new_with_extra_roots(given.clone(), provider.clone())
            .map_err(|e| CaCertError::Unusable {
            path: path.to_owned(),
            why: e.to_string(),
        })?;
    let how = How::Given { platform, given };
    Ok(build(provider.clone(), Arc::new(Trust { how, provider })))
}

fn build(provider: Arc<CryptoProvider>, verifier: Arc<dyn ServerCertVerifier>) -> Option<Tls> {
    let ws = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .ok()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let mut http = ws.clone();
    http.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Some(Tls {
        http: Arc::new(http),
        ws: Arc::new(ws),
    })
}

/// Whether webpki refused a certificate for being a CA's, given as a server's own.
pub(crate) fn ca_used_as_end_entity(error: &rustls::CertificateError) -> bool {
    // webpki's error is behind rustls' `OtherError`, which only its Debug names.
    matches!(
        error,
        rustls::CertificateError::Other(other) if format!("{other:?}").contains("CaUsedAsEndEntity")
    )
}

/// The certificate checks of `--ca-cert` or `--insecure`.
#[derive(Debug)]
struct Trust {
    how: How,
    provider: Arc<CryptoProvider>,
}

#[derive(Debug)]
enum How {
    /// `--ca-cert`: the platform's verifier with the file's roots added, which also trusts a
    /// server that presents one of those very certificates. webpki refuses a certificate marked
    /// as a CA as a server's own (`CaUsedAsEndEntity`) even when it is a trusted root, and that
    /// is what `openssl req -x509` makes by default; the user who gives it with `--ca-cert`
    /// means to trust it.
    Given {
        platform: rustls_platform_verifier::Verifier,
        given: Vec<CertificateDer<'static>>,
    },
    /// `--insecure`: any certificate, any name, any date. The handshake's signatures are still
    /// checked, so the connection is encrypted with the key of the certificate the server sent,
    /// whoever that server is.
    Unchecked,
}

impl ServerCertVerifier for Trust {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let How::Given { platform, given } = &self.how else {
            return Ok(ServerCertVerified::assertion());
        };
        match platform.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => Ok(verified),
            // webpki checks the dates before the basic constraints: a certificate refused as a
            // CA is within them.
            Err(error)
                if matches!(&error, rustls::Error::InvalidCertificate(c) if ca_used_as_end_entity(c))
                    && given.iter().any(|c| c.as_ref() == end_entity.as_ref()) =>
            {
                let parsed =
                    rustls::server::ParsedCertificate::try_from(end_entity).map_err(|_| error)?;
                rustls::client::verify_server_name(&parsed, server_name)?;
                Ok(ServerCertVerified::assertion())
            }
            Err(error) => Err(error),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_is_built_once() {
        let first = default_config().expect("the platform verifier and aws-lc-rs provider load");
        assert!(Arc::ptr_eq(&first.http, &default_config().unwrap().http));
        let same = config(None, false).unwrap().unwrap();
        assert!(
            Arc::ptr_eq(&first.http, &same.http),
            "no options: the shared one"
        );
        let insecure = config(None, true).unwrap().unwrap();
        assert!(!Arc::ptr_eq(&first.http, &insecure.http));
        assert_eq!(first.http.alpn_protocols, [&b"h2"[..], b"http/1.1"]);
        assert!(
            first.ws.alpn_protocols.is_empty(),
            "a WebSocket opens over HTTP/1.1"
        );
    }

    #[test]
    fn a_file_without_certificates_is_refused_with_the_fix() {
        let dir = std::env::temp_dir().join(format!("loadcase-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let error = read_ca_cert(&empty).unwrap_err().to_string();
        assert!(error.contains("holds no PEM certificate"), "{error}");
        assert!(error.contains("-----BEGIN CERTIFICATE-----"), "{error}");
        let broken = dir.join("broken.pem");
        std::fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let error = read_ca_cert(&broken).unwrap_err().to_string();
        assert!(error.contains("cannot be a trusted root"), "{error}");
        let missing = dir.join("missing.pem");
        let error = read_ca_cert(&missing).unwrap_err().to_string();
        assert!(error.starts_with("cannot read "), "{error}");
        assert!(config(Some(&missing), false).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
