//! A response whose body has been read: loadcase reads every body in full (as python-requests
//! does), so that time to last byte is measured and the connection goes back to the pool.

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url, Version};
use serde::de::DeserializeOwned;

/// An HTTP response, body included.
#[derive(Clone, Debug)]
pub struct Response {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    pub(crate) url: Url,
    pub(crate) body: Bytes,
}

impl Response {
    /// The status code. Compares with integers: `assert_eq!(r.status(), 200)`.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The HTTP version of the response.
    pub fn version(&self) -> Version {
        self.version
    }

    /// All headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header's value, when present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The final URL, after redirects.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The raw body.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// A short one-line excerpt of the body, for failure messages.
    pub(crate) fn excerpt(&self) -> String {
        const MAX: usize = 200;
        let text = self.text();
        let flat: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let flat = flat.trim();
        match flat.char_indices().nth(MAX) {
            Some((cut, _)) => format!("{}…", &flat[..cut]),
            None => flat.to_owned(),
        }
    }
}
