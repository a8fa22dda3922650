//! `cx.app`: requests rooted at the server URL, WebTest-style: awaited directly, and an
//! unexpected status is a *failure* naming the method, URL, status and a body excerpt.

use std::future::{Future, IntoFuture};
use std::panic::Location;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use reqwest::{Method, Url};

use crate::http::methods::{reqwest_builder, verbs};
use crate::http::response::AppResponse;
use crate::http::session::{RequestBuilder, Session};
use crate::outcome::error::Error;

/// The application under test, at the server URL: `--server-url` first, then the
/// `LOADCASE_SERVER_URL` environment variable, then `#[load_test(server_url = "…")]`.
#[derive(Clone)]
pub struct App {
    session: Session,
    server_url: Option<String>,
    // Whether `server_url` is an absolute http(s) URL, checked on first use rather than on every
    // request: a URL parse is a measurable share of a request's cost to the generator.
    valid: OnceLock<bool>,
    // For the same reason, the URLs of the paths this user requested last, parsed.
    parsed: Parsed,
}

/// The URLs of the last few paths a user's app requested, joined to the server URL and parsed:
/// a hit usually requests the same few paths as the last one.
#[derive(Default)]
struct Parsed(Mutex<Vec<(String, Arc<str>, Url)>>);

/// Paths whose URLs a user keeps parsed: more than most hits request.
const PARSED: usize = 8;

impl Parsed {
    /// `path` joined to `base`, as text and parsed (`None` when it does not parse: reqwest then
    /// says why when the request is sent).
    fn url(&self, base: &str, path: &str) -> (Arc<str>, Option<Url>) {
        let mut parsed = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, joined, url)) = parsed.iter().find(|(p, _, _)| p == path) {
            return (joined.clone(), Some(url.clone()));
        }
        let joined: Arc<str> = crate::http::server_url::join(base, path).into();
        let Ok(url) = Url::parse(&joined) else {
            return (joined, None);
        };
        if parsed.len() == PARSED {
            parsed.remove(0);
        }
        parsed.push((path.to_owned(), joined.clone(), url.clone()));
        (joined, Some(url))
    }
}

impl Clone for Parsed {
    fn clone(&self) -> Self {
        Parsed::default()
    }
}

impl App {
    pub(crate) fn new(session: Session, server_url: Option<String>) -> Self {
        App {
            session,
            server_url,
            valid: OnceLock::new(),
            parsed: Parsed::default(),
        }
    }

    /// The server URL requests are rooted at, if any.
    pub fn server_url(&self) -> Option<&str> {
        self.server_url.as_deref()
    }

    /// Points this user's `app` at another server from now on.
    pub fn set_server_url(&mut self, url: impl Into<String>) {
        self.server_url = Some(url.into());
        self.valid = OnceLock::new();
        self.parsed = Parsed::default();
    }

    verbs!(#[track_caller] fn(path: &str) -> AppRequest<'_>);

    /// A request with any method. `path` is appended to the server URL (keeping any path prefix
    /// the server URL has); an absolute `http://` or `https://` URL is used as it is.
    #[track_caller]
    pub fn request(&self, method: Method, path: &str) -> AppRequest<'_> {
        let location = Location::caller();
        let mut parsed = None;
        let url = match (
            path.starts_with("http://") || path.starts_with("https://"),
            &self.server_url,
        ) {
            (true, _) => Ok(Arc::from(path)),
            (false, Some(base))
                if !*self
                    .valid
                    .get_or_init(|| crate::http::server_url::is_http_url(base)) =>
            {
                Err(Error::new(format!(
                    "the server URL `{base}` is not an absolute http:// or https:// URL: check --server-url, \
                 LOADCASE_SERVER_URL, #[load_test(server_url = …)] or cx.app.set_server_url"
                )))
            }
            (false, Some(base)) => {
                let (joined, url) = self.parsed.url(base, path);
                parsed = url;
                Ok(joined)
            }
            (false, None) => Err(Error::new(format!(
                "cx.app.{}(\"{path}\") has no server URL to go to: pass --server-url URL to cargo loadrun, \
                 set LOADCASE_SERVER_URL, or write #[load_test(server_url = \"http://…\")]",
                method.as_str().to_ascii_lowercase()
            ))),
        };
        let builder = match (&url, parsed) {
            (_, Some(parsed)) => Some(self.session.request_to(method.clone(), parsed)),
            (Ok(url), None) => Some(self.session.request(method.clone(), &**url)),
            (Err(_), None) => None,
        };
        AppRequest {
            builder,
            method,
            url,
            expected: Vec::new(),
            location,
        }
    }
}

/// A request to the app; `.await` it. It has the builder methods of
/// [`RequestBuilder`], plus [`expect_status`](Self::expect_status).
#[must_use = "an app request does nothing until you `.await` it"]
pub struct AppRequest<'s> {
    builder: Option<RequestBuilder<'s>>,
    method: Method,
    // The missing-server-URL error is created in `request`, which is `#[track_caller]`, so it
    // already points at the user's line.
    url: Result<Arc<str>, Error>,
    expected: Vec<u16>,
    location: &'static Location<'static>,
}

impl<'s> AppRequest<'s> {
    /// Accepts this status (repeatable). Once any is given, only the given ones are accepted,
    /// instead of every 2xx and 3xx.
    pub fn expect_status(mut self, status: u16) -> Self {
        self.expected.push(status);
        self
    }

    /// Groups this request under `name` in the statistics, as
    /// [`RequestBuilder::name`] does.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.builder = self.builder.map(|b| b.name(name));
        self
    }

    /// Keeps at most `bytes` of this response's body, as [`RequestBuilder::body_limit`] does;
    /// a larger body fails the request, since an app response has its body at hand.
    pub fn body_limit(mut self, bytes: u64) -> Self {
        self.builder = self.builder.map(|b| b.body_limit(bytes));
        self
    }

    reqwest_builder!();

    fn reqwest(
        mut self,
        f: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Self {
        self.builder = self.builder.map(|b| b.reqwest(f));
        self
    }
}

/// What `cx.app` makes of a response: an error relocated to the user's line, a status it does
/// not accept a failure.
struct Judge {
    method: Method,
    url: Arc<str>,
    expected: Vec<u16>,
    location: &'static Location<'static>,
}

impl Judge {
    fn response(
        self,
        sent: Result<crate::http::response::Response, crate::http::error::SendError>,
    ) -> Result<AppResponse, Error> {
        let response = sent.and_then(|r| r.into_app_response()).map_err(|e| {
            let mut e = Error::from(e);
            e.relocate(self.location);
            e
        })?;
        let status = response.status().as_u16();
        let accepted = if self.expected.is_empty() {
            (200..400).contains(&status)
        } else {
            self.expected.contains(&status)
        };
        if accepted {
            return Ok(response);
        }
        let wanted = if self.expected.is_empty() {
            "2xx or 3xx".to_owned()
        } else {
            self.expected
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or ")
        };
        let mut failure = Error::failure(format!(
            "{} {} returned {}, expected {wanted}; body: {:?}",
            self.method,
            self.url,
            response.status(),
            response.excerpt()
        ));
        failure.relocate(self.location);
        Err(failure)
    }
}

impl<'s> IntoFuture for AppRequest<'s> {
    type Output = Result<AppResponse, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 's>>;

    fn into_future(self) -> Self::IntoFuture {
        let AppRequest {
            builder,
            method,
            url,
            expected,
            location,
        } = self;
        let url = match url {
            Ok(url) => url,
            Err(error) => return Box::pin(std::future::ready(Err(error))),
        };
        let judge = Judge {
            method,
            url,
            expected: expected.clone(),
            location,
        };
        let builder = builder
            .expect("a builder exists whenever the URL does")
            .expect(expected);
        // Made in its box, the box allocated first: the session's future is several KiB, and
        // made on the stack it would be copied whole into the box (its first state is only its
        // arguments).
        let boxed = Box::write(
            Box::new_uninit(),
            builder.send_then(move |sent| judge.response(sent)),
        );
        Box::into_pin(boxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_urls_are_the_joined_ones_and_the_oldest_goes_first() {
        let parsed = Parsed::default();
        let (joined, url) = parsed.url("http://h:1/api/", "/x?q=a b");
        assert_eq!(&*joined, "http://h:1/api/x?q=a b");
        assert_eq!(url.unwrap().as_str(), "http://h:1/api/x?q=a%20b");
        let (again, _) = parsed.url("http://h:1/api/", "/x?q=a b");
        assert_eq!(again, joined);
        for n in 0..PARSED {
            parsed.url("http://h:1", &format!("/{n}"));
        }
        let kept = parsed.0.lock().unwrap();
        assert_eq!(kept.len(), PARSED);
        assert!(
            kept.iter().all(|(path, _, _)| path != "/x?q=a b"),
            "the oldest went"
        );
        drop(kept);
        assert!(parsed.url("http://[bad", "/").1.is_none());
    }
}
