use clap::Parser;

use super::*;

fn cli(args: &[&str]) -> Cli {
    Cli::try_parse_from(std::iter::once("cargo-loadrun").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// The request of a command line with `--url`.
fn request_of(args: &[&str]) -> Result<Request> {
    let cli = cli(args);
    Request::from_options(cli.quick.url.as_deref().unwrap(), &cli.quick)
}

fn error(result: Result<impl std::fmt::Debug>) -> String {
    format!("{:#}", result.unwrap_err())
}

#[test]
fn methods_are_tokens_in_any_case() {
    assert_eq!(parse_method("post").unwrap(), Method::POST);
    assert_eq!(parse_method("DELETE").unwrap(), Method::DELETE);
    assert_eq!(parse_method("purge").unwrap().as_str(), "PURGE");
    for bad in ["", " ", "GE T", "G\tET", "P@ST", "\u{e9}"] {
        let message = error(parse_method(bad));
        assert!(
            message.contains("is not an HTTP method"),
            "{bad:?}: {message}"
        );
        assert!(message.contains("--method POST"), "{message}");
    }
}

#[test]
fn headers_need_a_name_a_colon_and_a_printable_value() {
    let (name, value) = parse_header("X-Token:  abc: def ").unwrap();
    assert_eq!(
        (name.as_str(), value.to_str().unwrap()),
        ("x-token", "abc: def")
    );
    let (_, value) = parse_header("X-Empty:").unwrap();
    assert_eq!(value.to_str().unwrap(), "");
    for (bad, says) in [
        ("Content-Type application/json", "has no colon"),
        (": value", "has no name"),
        ("Bad Name: v", "is not a header name"),
        ("X: a\nb", "control character"),
    ] {
        let message = error(parse_header(bad));
        assert!(message.contains(says), "{bad:?}: {message}");
        assert!(message.contains("'Name: value'"), "{message}");
    }
}

#[test]
fn urls_are_http_with_a_host() {
    assert_eq!(
        parse_url("http://127.0.0.1:8080/api?q=1").unwrap().as_str(),
        "http://127.0.0.1:8080/api?q=1"
    );
    assert_eq!(
        parse_url("HTTPS://Example.com").unwrap().as_str(),
        "https://example.com/"
    );
    for (bad, says) in [
        (
            "127.0.0.1:8080/api",
            "has no scheme; write --url http://127.0.0.1:8080/api",
        ),
        (
            "localhost:8080",
            "is not an http:// or https:// URL (quick mode sends HTTP requests); write --url http://localhost:8080",
        ),
        ("ftp://example.com/x", "is not an http:// or https:// URL"),
        ("http://", "is not a URL (empty host)"),
        ("not a url", "has no scheme"),
    ] {
        let message = error(parse_url(bad));
        assert!(message.contains(says), "{bad:?}: {message}");
        assert!(message.starts_with(&format!("--url: `{bad}`")), "{message}");
    }
}

#[test]
fn data_is_the_body_or_a_file_after_an_at_sign() {
    assert_eq!(read_body(r#"{"a":1}"#).unwrap(), br#"{"a":1}"#);
    assert_eq!(read_body("@").unwrap(), b"@", "a lone @ is the body itself");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), b"from a file\n").unwrap();
    let arg = format!("@{}", file.path().display());
    assert_eq!(read_body(&arg).unwrap(), b"from a file\n");
    let message = error(read_body("@/no/such/file.json"));
    assert!(
        message.contains("--data @/no/such/file.json: cannot read the file `/no/such/file.json`"),
        "{message}"
    );
}

#[test]
fn the_request_takes_its_method_from_data_and_hides_credentials() {
    let request = request_of(&["--url", "http://127.0.0.1:9/x"]).unwrap();
    assert_eq!(request.method, Method::GET);
    assert_eq!(request.label, "GET http://127.0.0.1:9/x");
    assert!(request.body.is_none() && request.expected.is_empty());

    let request = request_of(&[
        "--url",
        "https://user:secret@example.com/api?page=2",
        "--data",
        "-1",
        "--header",
        "X-A: 1",
        "--header",
        "X-A: 2",
        "--expect-status",
        "201,202",
        "--expect-status",
        "204",
    ])
    .unwrap();
    assert_eq!(request.method, Method::POST, "a body makes it a POST");
    assert_eq!(request.label, "POST https://example.com/api?page=2");
    assert_eq!(request.url, "https://user:secret@example.com/api?page=2");
    assert_eq!(request.body.as_deref(), Some(&b"-1"[..]));
    assert_eq!(request.headers.get_all("x-a").iter().count(), 2);
    assert_eq!(request.expected, [201, 202, 204]);

    let request = request_of(&["--url", "http://h/", "--method", "put", "--data", "x"]).unwrap();
    assert_eq!(
        request.method,
        Method::PUT,
        "--method wins over the default"
    );
}

#[test]
fn the_command_line_keeps_quick_mode_apart() {
    let parse = |args: &[&str]| {
        Cli::try_parse_from(std::iter::once("cargo-loadrun").chain(args.iter().copied()))
    };
    assert!(parse(&["--url", "http://h/", "-u", "5", "-c", "20"]).is_ok());
    for args in [
        &["--url", "http://h/", "example::t"][..],
        &["--url", "http://h/", "--list"],
        &["--url", "http://h/", "--server-url", "http://h"],
        &["--url", "http://h/", "--manifest-path", "Cargo.toml"],
        &["--url", "http://h/", "--debug"],
        &["--data", "x"],
        &["--url", "http://h/", "--expect-status", "99"],
        &["--url", "http://h/", "--expect-status", "600"],
        &["--url", "http://h/", "--expect-status", "ok"],
    ] {
        let error = parse(args).expect_err(&format!("{args:?}"));
        assert_eq!(error.exit_code(), 2, "{args:?}: {error}");
    }
}
