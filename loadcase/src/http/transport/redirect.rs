//! Redirects on the lean path, by reqwest's default rules (`Policy::limited(10)`): 301, 302 and
//! 303 turn into a `GET` without a body (a `HEAD` stays one), 307 and 308 resend the request as it
//! was; credentials and cookies set by hand do not follow to another origin; `Referer` names the
//! page redirected from, except from https to http.

use bytes::Bytes;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, Url};

/// The most redirects one request follows.
pub(super) const MAX_REDIRECTS: usize = 10;

/// One request of a chain of redirects.
pub(super) struct Hop {
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Option<Bytes>,
    pub url: Url,
}

/// What a redirect needs of the request that was sent, kept before hyper consumes it: cheap for
/// the usual request (no header of its own, no body or one in memory).
pub(super) struct Sent {
    method: Method,
    headers: HeaderMap,
    body: Option<Bytes>,
}

/// Where a redirect leads.
pub(super) enum Next {
    /// On, on the lean path.
    Lean(Hop),
    /// To https when the run has no TLS configuration of its own: reqwest's job.
    Reqwest(reqwest::Request),
}

impl Hop {
    pub(super) fn keep_for_redirect(&self) -> Sent {
        Sent {
            method: self.method.clone(),
            // An empty map's clone still walks its parts.
            headers: if self.headers.is_empty() {
                HeaderMap::new()
            } else {
                self.headers.clone()
            },
            body: self.body.clone(),
        }
    }
}

impl Sent {
    /// The next request if `response` to a request for `url` redirects, else `None` (the
    /// response is the answer, as reqwest returns a redirect it will not follow).
    /// With `tls`, an https redirect stays on the lean path.
    pub(super) fn follow<B>(
        self,
        response: &http::Response<B>,
        url: &Url,
        tls: bool,
    ) -> Option<Next> {
        let status = response.status().as_u16();
        if !matches!(status, 301 | 302 | 303 | 307 | 308) {
            return None;
        }
        let location = response.headers().get(header::LOCATION)?.to_str().ok()?;
        let next = url.join(location).ok()?;
        let Sent {
            mut method,
            mut headers,
            body,
        } = self;
        let body = if status <= 303 {
            for name in [
                header::TRANSFER_ENCODING,
                header::CONTENT_ENCODING,
                header::CONTENT_TYPE,
                header::CONTENT_LENGTH,
            ] {
                headers.remove(name);
            }
            if method != Method::GET && method != Method::HEAD {
                method = Method::GET;
            }
            None
        } else {
            body
        };
        if !same_origin(url, &next) {
            for name in [
                header::AUTHORIZATION,
                header::COOKIE,
                header::PROXY_AUTHORIZATION,
                header::WWW_AUTHENTICATE,
            ] {
                headers.remove(name);
            }
            headers.remove("cookie2");
        }
        headers.remove(header::REFERER);
        if let Some(referer) = referer(url, &next) {
            headers.insert(header::REFERER, referer);
        }
        match next.scheme() {
            "http" => Some(Next::Lean(Hop {
                method,
                headers,
                body,
                url: next,
            })),
            "https" if tls => Some(Next::Lean(Hop {
                method,
                headers,
                body,
                url: next,
            })),
            "https" => {
                let mut request = reqwest::Request::new(method, next);
                *request.headers_mut() = headers;
                *request.body_mut() = body.map(reqwest::Body::from);
                Some(Next::Reqwest(request))
            }
            _ => None,
        }
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The page redirected from, without credentials or fragment; none from https to http.
fn referer(from: &Url, to: &Url) -> Option<HeaderValue> {
    if from.scheme() == "https" && to.scheme() == "http" {
        return None;
    }
    let mut from = from.clone();
    let _ = from.set_username("");
    let _ = from.set_password(None);
    from.set_fragment(None);
    HeaderValue::from_str(from.as_str()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect(status: u16, location: &str) -> http::Response<()> {
        http::Response::builder()
            .status(status)
            .header(header::LOCATION, location)
            .body(())
            .unwrap()
    }

    fn sent(method: Method, headers: &[(&'static str, &'static str)], body: &'static str) -> Sent {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_static(value));
        }
        Hop {
            method,
            headers: map,
            body: (!body.is_empty()).then(|| Bytes::from_static(body.as_bytes())),
            url: Url::parse("http://a.test/x").unwrap(),
        }
        .keep_for_redirect()
    }

    fn plain(next: Option<Next>) -> Hop {
        match next {
            Some(Next::Lean(hop)) => hop,
            _ => panic!("expected a plain-HTTP hop"),
        }
    }

    #[test]
    fn see_other_turns_a_post_into_a_get_without_its_body() {
        let from = Url::parse("http://a.test/form").unwrap();
        let next = sent(Method::POST, &[("content-type", "text/plain")], "data").follow(
            &redirect(303, "/done"),
            &from,
            false,
        );
        let hop = plain(next);
        assert_eq!(hop.method, Method::GET);
        assert_eq!(hop.url.as_str(), "http://a.test/done");
        assert!(hop.body.is_none());
        assert!(hop.headers.get("content-type").is_none());
        assert_eq!(hop.headers["referer"], "http://a.test/form");
    }

    #[test]
    fn temporary_redirects_resend_method_and_body() {
        let from = Url::parse("http://a.test/x").unwrap();
        let hop = plain(sent(Method::PUT, &[], "data").follow(&redirect(307, "/y"), &from, false));
        assert_eq!(hop.method, Method::PUT);
        assert_eq!(hop.body.unwrap(), "data");
    }

    #[test]
    fn credentials_stay_with_their_origin() {
        let from = Url::parse("http://a.test/x").unwrap();
        let headers = [
            ("authorization", "Basic eA=="),
            ("cookie", "a=1"),
            ("x-keep", "1"),
        ];
        let same =
            plain(sent(Method::GET, &headers, "").follow(&redirect(302, "/y"), &from, false));
        assert!(same.headers.contains_key("authorization"));
        let other = plain(sent(Method::GET, &headers, "").follow(
            &redirect(302, "http://b.test/"),
            &from,
            false,
        ));
        assert!(!other.headers.contains_key("authorization"));
        assert!(!other.headers.contains_key("cookie"));
        assert_eq!(other.headers["x-keep"], "1");
    }

    #[test]
    fn https_stays_lean_with_tls_and_other_statuses_are_answers() {
        let from = Url::parse("http://a.test/x").unwrap();
        match sent(Method::GET, &[], "").follow(&redirect(301, "https://a.test/"), &from, false) {
            Some(Next::Reqwest(request)) => assert_eq!(request.url().as_str(), "https://a.test/"),
            _ => panic!("https without the run's TLS is reqwest's"),
        }
        let hop = plain(sent(Method::GET, &[], "").follow(
            &redirect(301, "https://a.test/"),
            &from,
            true,
        ));
        assert_eq!(hop.url.as_str(), "https://a.test/");
        assert!(
            sent(Method::GET, &[], "")
                .follow(&redirect(200, "/y"), &from, false)
                .is_none()
        );
        assert!(
            sent(Method::GET, &[], "")
                .follow(&redirect(304, "/y"), &from, false)
                .is_none()
        );
    }
}
