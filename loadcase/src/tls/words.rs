//! TLS failures in words. rustls names a refused certificate by its enum (`invalid peer
//! certificate: UnknownIssuer`, `Other(OtherError(CaUsedAsEndEntity))`), which tells a person
//! neither what is wrong with the server nor what to do; [`explain`] says both.

use std::error::Error as StdError;
use std::time::{Duration, SystemTime};

use rustls::CertificateError;
use rustls::pki_types::UnixTime;

/// What to do when the certificate is right for the run but not for the machine.
const TRUST: &str = "give that CA's certificate (PEM) with --ca-cert FILE, or skip certificate checks with --insecure";

/// Words for the first TLS failure among `error` and its causes, if there is one.
pub(crate) fn explain(error: &(dyn StdError + 'static)) -> Option<String> {
    let mut next = Some(error);
    while let Some(cause) = next {
        if let Some(words) = rustls_error(cause).and_then(words) {
            return Some(words);
        }
        next = cause.source();
    }
    None
}

/// The rustls error `cause` is, or holds as an I/O error's inner error, however deep: hyper's
/// connector wraps it in two (`Custom { kind: Other, error: Custom { kind: InvalidData, error:
/// InvalidCertificate(…) } }`), and an `io::Error` gives its inner error's source, not the inner
/// error itself, as its source.
fn rustls_error<'a>(cause: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    if let Some(error) = cause.downcast_ref::<rustls::Error>() {
        return Some(error);
    }
    let inner = cause.downcast_ref::<std::io::Error>()?.get_ref()?;
    rustls_error(inner)
}

fn words(error: &rustls::Error) -> Option<String> {
    match error {
        rustls::Error::InvalidCertificate(certificate) => Some(certificate_words(certificate)),
        rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => Some(
            "the server did not answer in TLS: is it a plain http:// (ws://) server? Then use that scheme"
                .to_owned(),
        ),
        rustls::Error::AlertReceived(alert) => Some(format!(
            "the server ended the TLS handshake with the alert {alert:?}: it refused this client (a protocol version, cipher or client certificate it requires?)"
        )),
        _ => None,
    }
}

fn certificate_words(error: &CertificateError) -> String {
    match error {
        CertificateError::UnknownIssuer => format!(
            "the server's certificate is not signed by a CA that this machine trusts (it is self-signed, or of a private CA): {TRUST}"
        ),
        CertificateError::Expired => "the server's certificate has expired: renew it, or skip certificate checks with --insecure".to_owned(),
        CertificateError::ExpiredContext { not_after, .. } => format!(
            "the server's certificate expired on {}: renew it, or skip certificate checks with --insecure",
            date(*not_after)
        ),
        CertificateError::NotValidYet => "the server's certificate is not valid yet (check the clocks of both machines), or skip certificate checks with --insecure".to_owned(),
        CertificateError::NotValidYetContext { not_before, .. } => format!(
            "the server's certificate is valid only from {} (check the clocks of both machines), or skip certificate checks with --insecure",
            date(*not_before)
        ),
        CertificateError::NotValidForName => "the server's certificate is not for the host of the URL: use a host name it was issued for, or skip certificate checks with --insecure".to_owned(),
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => format!(
            "the server's certificate is not for `{}` but for {}: use a host name it was issued for in the URL, or skip certificate checks with --insecure",
            expected.to_str(),
            if presented.is_empty() {
                "no name at all".to_owned()
            } else {
                // rustls gives them as `DnsName("other.example")`: the name alone reads better.
                let names: Vec<&str> = presented
                    .iter()
                    .map(|p| p.split('"').nth(1).unwrap_or(p))
                    .collect();
                names.join(", ")
            }
        ),
        ca if crate::tls::config::ca_used_as_end_entity(ca) => {
            "the server presents a CA certificate as its own (basicConstraints CA:TRUE, which `openssl req -x509` makes by default), and rustls never accepts a CA as a server's certificate: trust that very certificate with --ca-cert FILE (it is then accepted as given, its name still checked), give the server a certificate of its own signed by the CA, or skip certificate checks with --insecure".to_owned()
        }
        CertificateError::BadSignature => "the server's certificate does not carry a valid signature of its issuer (a corrupt or forged certificate)".to_owned(),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            "the server's certificate is not for TLS servers (its extended key usage lacks serverAuth): issue it for that purpose, or skip certificate checks with --insecure".to_owned()
        }
        CertificateError::Revoked => "the server's certificate has been revoked by its CA".to_owned(),
        other => format!(
            "the server's certificate was refused ({other:?}): fix the certificate, {TRUST}"
        ),
    }
}

/// `2025-01-31T00:00:00Z`.
fn date(time: UnixTime) -> String {
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(time.as_secs());
    humantime::format_rfc3339_seconds(at).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_certificate_is_explained_through_io_and_error_chains() {
        let rustls = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let io =
            std::io::Error::other(std::io::Error::new(std::io::ErrorKind::InvalidData, rustls));
        let words = explain(&io).expect("found inside the I/O error");
        assert!(words.contains("--ca-cert FILE"), "{words}");
        assert!(words.contains("not signed by a CA"), "{words}");
        let expired = rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
            time: UnixTime::since_unix_epoch(Duration::from_secs(1_800_000_000)),
            not_after: UnixTime::since_unix_epoch(Duration::from_secs(1_700_000_000)),
        });
        let words = explain(&expired).unwrap();
        assert!(words.contains("expired on 2023-11-14T22:13:20Z"), "{words}");
        assert_eq!(explain(&std::io::Error::other("plain")), None);
    }
}
