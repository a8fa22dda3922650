//! Keeping secrets out of logs and reports: header values and URL passwords.

use reqwest::Url;
use reqwest::header::HeaderMap;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Headers whose values are always secret.
pub(crate) const ALWAYS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Which headers to redact: [`ALWAYS`] and the user's own (case-insensitive).
#[derive(Clone, Debug, Default)]
pub(crate) struct Redactor {
    extra: Vec<String>,
}

impl Redactor {
    pub(crate) fn new(extra: &[String]) -> Redactor {
        Redactor {
            extra: extra
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect(),
        }
    }

    fn secret(&self, name: &str) -> bool {
        ALWAYS.contains(&name) || self.extra.iter().any(|e| e == name)
    }

    /// `name: value` lines, secrets replaced.
    pub(crate) fn headers(&self, headers: &HeaderMap) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(name, value)| {
                let value = if self.secret(name.as_str()) {
                    REDACTED.to_owned()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name.as_str().to_owned(), value)
            })
            .collect()
    }
}

/// The URL without its password, or without its user name when that comes alone (a token
/// given as `https://TOKEN@host/` is sent as the user name).
pub(crate) fn url(url: &Url) -> String {
    if url.password().is_some() {
        let mut url = url.clone();
        let _ = url.set_password(Some(REDACTED));
        url.to_string()
    } else if !url.username().is_empty() {
        let mut url = url.clone();
        let _ = url.set_username(REDACTED);
        url.to_string()
    } else {
        url.to_string()
    }
}

/// `text` with the password of every `scheme://user:password@` in it replaced, and the user
/// name of every `scheme://user@`: error messages (reqwest's among them) quote URLs.
pub fn passwords_in(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("://") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        // The authority ends at the first '/', '?', '#' or whitespace.
        let end = tail
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == ')')
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@').map(|a| &authority[..a]) {
            Some(userinfo) if userinfo.contains(':') => {
                let user = &userinfo[..userinfo.find(':').expect("checked")];
                out.push_str(user);
                out.push(':');
                out.push_str(REDACTED);
                out.push_str(&authority[userinfo.len()..]);
            }
            Some(user) if !user.is_empty() => {
                out.push_str(REDACTED);
                out.push_str(&authority[user.len()..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out.into()
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderName, HeaderValue};

    use super::*;

    #[test]
    fn secret_headers_are_redacted_whatever_their_case() {
        let mut headers = HeaderMap::new();
        for (k, v) in [
            ("authorization", "Bearer s3cret"),
            ("cookie", "session=s3cret"),
            ("set-cookie", "id=s3cret"),
            ("x-api-key", "s3cret"),
            ("accept", "text/html"),
        ] {
            headers.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        let shown = Redactor::new(&["X-Api-Key".into()]).headers(&headers);
        assert!(!format!("{shown:?}").contains("s3cret"), "{shown:?}");
        assert!(shown.contains(&("accept".into(), "text/html".into())));
        let plain = Redactor::new(&[]).headers(&headers);
        assert!(plain.contains(&("x-api-key".into(), "s3cret".into())));
    }

    #[test]
    fn passwords_leave_urls_and_messages() {
        let u = Url::parse("http://ann:s3cret@127.0.0.1:8080/x").unwrap();
        assert_eq!(url(&u), "http://ann:%5Bredacted%5D@127.0.0.1:8080/x");
        let message = "error sending request for url (http://ann:s3cret@127.0.0.1:1/a?b=c)";
        assert_eq!(
            passwords_in(message),
            "error sending request for url (http://ann:[redacted]@127.0.0.1:1/a?b=c)"
        );
        // A user name alone is the credential (a token as the user name).
        assert_eq!(
            passwords_in("see http://127.0.0.1/ and ws://tok3n@h/"),
            "see http://127.0.0.1/ and ws://[redacted]@h/"
        );
        let token = Url::parse("https://tok3n@h/x").unwrap();
        assert_eq!(url(&token), "https://%5Bredacted%5D@h/x");
        assert_eq!(passwords_in("no urls"), "no urls");
    }
}
