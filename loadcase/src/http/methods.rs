//! The methods that `cx.session` and `cx.app` share, written once: [`verbs!`] (`get` … `head`,
//! each a `request` with its method) and [`reqwest_builder!`] (reqwest's request-builder
//! methods, each handed to the reqwest builder underneath through the type's own `reqwest`
//! method).

/// `get`, `post`, `put`, `patch`, `delete` and `head`, each `self.request(Method::…, arg)`, for
/// a type with a `request(method, arg)` method: `verbs!(fn<U: IntoUrl>(url: U) ->
/// RequestBuilder<'_>)`, with any attributes (`#[track_caller]`) before the `fn`.
macro_rules! verbs {
    ($(#[$attr:meta])* fn $(<$g:ident: $bound:path>)? ($arg:ident: $ty:ty) -> $ret:ty) => {
        $crate::http::methods::verbs!(@one [$(#[$attr])*] [$(<$g: $bound>)?] $arg, $ty, $ret, get GET);
        $crate::http::methods::verbs!(@one [$(#[$attr])*] [$(<$g: $bound>)?] $arg, $ty, $ret, post POST);
        $crate::http::methods::verbs!(@one [$(#[$attr])*] [$(<$g: $bound>)?] $arg, $ty, $ret, put PUT);
        $crate::http::methods::verbs!(@one [$(#[$attr])*] [$(<$g: $bound>)?] $arg, $ty, $ret, patch PATCH);
        $crate::http::methods::verbs!(@one [$(#[$attr])*] [$(<$g: $bound>)?] $arg, $ty, $ret, delete DELETE);
        $crate::http::methods::verbs!(@one [$(#[$attr])*] [$(<$g: $bound>)?] $arg, $ty, $ret, head HEAD);
    };
    (@one [$(#[$attr:meta])*] [$($generics:tt)*] $arg:ident, $ty:ty, $ret:ty, $name:ident $method:ident) => {
        #[doc = concat!(
            "Starts a `", stringify!($method), "` request: [`request`](Self::request)`(Method::",
            stringify!($method), ", ", stringify!($arg), ")`."
        )]
        $(#[$attr])*
        pub fn $name $($generics)* (&self, $arg: $ty) -> $ret {
            self.request(::reqwest::Method::$method, $arg)
        }
    };
}

/// reqwest's `RequestBuilder` methods that shape a request, with reqwest's signatures, for a
/// builder type with `fn reqwest(self, f: impl FnOnce(reqwest::RequestBuilder) ->
/// reqwest::RequestBuilder) -> Self`. An argument that does not make a valid request (a header
/// that is not one, a body that does not serialize) is kept as reqwest keeps it: as a builder
/// error ([`SendError::is_builder`](crate::SendError::is_builder)) when the request is sent.
macro_rules! reqwest_builder {
    () => {
        /// Adds a header (a repeated name adds another value).
        pub fn header<K, V>(self, key: K, value: V) -> Self
        where
            ::reqwest::header::HeaderName: TryFrom<K>,
            <::reqwest::header::HeaderName as TryFrom<K>>::Error: Into<::http::Error>,
            ::reqwest::header::HeaderValue: TryFrom<V>,
            <::reqwest::header::HeaderValue as TryFrom<V>>::Error: Into<::http::Error>,
        {
            self.reqwest(|b| b.header(key, value))
        }

        /// Adds these headers, replacing those of the same names that were set before.
        pub fn headers(self, headers: ::reqwest::header::HeaderMap) -> Self {
            self.reqwest(|b| b.headers(headers))
        }

        /// HTTP basic authentication: an `Authorization: Basic …` header, marked sensitive
        /// (request logs redact it).
        pub fn basic_auth<U, P>(self, username: U, password: Option<P>) -> Self
        where
            U: ::std::fmt::Display,
            P: ::std::fmt::Display,
        {
            self.reqwest(|b| b.basic_auth(username, password))
        }

        /// Bearer token authentication: an `Authorization: Bearer …` header, marked sensitive.
        pub fn bearer_auth<T>(self, token: T) -> Self
        where
            T: ::std::fmt::Display,
        {
            self.reqwest(|b| b.bearer_auth(token))
        }

        /// The body: text, bytes, or any [`reqwest::Body`]. On plain `http://`, a body in
        /// memory takes loadcase's lean path; a streamed one (`Body::wrap(…)`) goes through
        /// reqwest. Either way it is sent, timed and recorded alike.
        pub fn body<T: Into<::reqwest::Body>>(self, body: T) -> Self {
            self.reqwest(|b| b.body(body))
        }

        /// A timeout for this request, from when it starts connecting until its body has been
        /// read, instead of the session's (60 s unless `--request-timeout` says otherwise).
        pub fn timeout(self, timeout: ::std::time::Duration) -> Self {
            self.reqwest(|b| b.timeout(timeout))
        }

        /// Appends query parameters to the URL, anything serde serializes as a sequence of
        /// pairs, a struct or a map: `.query(&[("page", "2")])` (not `.query(("page", "2"))`).
        /// A key given twice appears twice.
        pub fn query<T: ::serde::Serialize + ?Sized>(self, query: &T) -> Self {
            self.reqwest(|b| b.query(query))
        }

        /// Forces the HTTP version of this request; any other than HTTP/1.1 goes through
        /// reqwest. As with reqwest's client, HTTP/2 needs `https://` (it is agreed in the TLS
        /// handshake): the session does not assume it of a plain `http://` server.
        pub fn version(self, version: ::reqwest::Version) -> Self {
            self.reqwest(|b| b.version(version))
        }

        /// A URL-encoded form body, with `Content-Type: application/x-www-form-urlencoded`
        /// unless the request has a `Content-Type` already.
        pub fn form<T: ::serde::Serialize + ?Sized>(self, form: &T) -> Self {
            self.reqwest(|b| b.form(form))
        }

        /// A JSON body, with `Content-Type: application/json` unless the request has a
        /// `Content-Type` already.
        pub fn json<T: ::serde::Serialize + ?Sized>(self, json: &T) -> Self {
            self.reqwest(|b| b.json(json))
        }
    };
}

pub(crate) use {reqwest_builder, verbs};
