//! The one rule for the server URL of `cx.app`: the plan's (`--server-url`), then
//! `LOADCASE_SERVER_URL`, then the test's own (`#[load_test(server_url = "…")]`); and how a path
//! joins it.

/// The server URL in force: the plan's, then `LOADCASE_SERVER_URL`, then the test's.
pub(crate) fn resolve(plan_url: Option<&str>, test_url: Option<&str>) -> Option<String> {
    plan_url
        .map(str::to_owned)
        .or_else(|| {
            std::env::var(crate::protocol::env::SERVER_URL)
                .ok()
                .filter(|u| !u.is_empty())
        })
        .or_else(|| test_url.map(str::to_owned))
}

/// Whether `text` is an absolute http(s) URL with a host.
pub(crate) fn is_http_url(text: &str) -> bool {
    reqwest::Url::parse(text)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
}

/// `base` and `path` joined by exactly one slash.
pub(crate) fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn only_absolute_http_urls_are_server_urls() {
        assert!(super::is_http_url("http://127.0.0.1:8080"));
        assert!(super::is_http_url("https://example.com/api/"));
        assert!(!super::is_http_url("garbage"));
        assert!(!super::is_http_url("ftp://example.com"));
        assert!(!super::is_http_url("127.0.0.1:8080"));
    }

    #[test]
    fn join_keeps_prefixes_and_single_slashes() {
        assert_eq!(join("http://h:1", "/x"), "http://h:1/x");
        assert_eq!(join("http://h:1/", "x"), "http://h:1/x");
        assert_eq!(
            join("http://h:1/api/", "/v1/x?q=1"),
            "http://h:1/api/v1/x?q=1"
        );
        assert_eq!(join("http://h:1", "/"), "http://h:1/");
    }
}
