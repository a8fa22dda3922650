//! A virtual user's cookie jar: reqwest's, with a note of whether it ever held a cookie, so that
//! the requests of a test whose server sets none skip the jar's lookup (a lock, a walk of its
//! store and a string built for every request).

use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::Url;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderValue;

/// The jar both of a user's ways to the server ([`reqwest`] and the lean path) store into and
/// read from.
#[derive(Default)]
pub(crate) struct Cookies {
    jar: Jar,
    /// Set before the first cookie goes in, and never cleared: an empty jar answers at once.
    used: AtomicBool,
}

impl CookieStore for Cookies {
    fn set_cookies(&self, headers: &mut dyn Iterator<Item = &HeaderValue>, url: &Url) {
        self.used.store(true, Ordering::Release);
        self.jar.set_cookies(headers, url);
    }

    fn cookies(&self, url: &Url) -> Option<HeaderValue> {
        if !self.used.load(Ordering::Acquire) {
            return None;
        }
        self.jar.cookies(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unused_jar_has_nothing_and_a_used_one_answers_as_reqwests() {
        let cookies = Cookies::default();
        let url = Url::parse("http://127.0.0.1:1/a").unwrap();
        assert!(cookies.cookies(&url).is_none());
        let set = HeaderValue::from_static("sid=1; Path=/");
        cookies.set_cookies(&mut std::iter::once(&set), &url);
        assert_eq!(cookies.cookies(&url).unwrap(), "sid=1");
        let other = Url::parse("http://127.0.0.2:1/").unwrap();
        assert!(
            cookies.cookies(&other).is_none(),
            "another host's cookies stay"
        );
    }
}
