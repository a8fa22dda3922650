//! A URL's `user:password@` and an `Authorization` header of the request's own: loadcase sends
//! what reqwest sends, on its lean HTTP/1.1 path and on reqwest's, as the hostile server counts
//! them. reqwest turns the URL's credentials into a Basic header when the request is made, then
//! `.header`, `.bearer_auth` and `.basic_auth` *append* theirs (two headers go out) while
//! `.headers(map)` *replaces* it (one goes out); quick mode's `--header` replaces it too.

use std::collections::BTreeMap;

use loadcase_e2e::finish;
use loadcase_e2e::hostile::{Cert, Fault, Hostile, Seen};

use crate::faults::against;

/// The server's count of Authorization headers, by way, for `who` (`session` or `reqwest`).
fn counts(seen: &Seen, who: &str) -> BTreeMap<String, Vec<usize>> {
    let prefix = format!("GET /{who}/");
    seen.authorization
        .iter()
        .filter_map(|(route, counts)| {
            let way = route.strip_prefix(&prefix)?;
            Some((way.to_owned(), counts.clone()))
        })
        .collect()
}

#[test]
fn both_paths_send_the_authorization_headers_reqwest_sends() {
    let expected: BTreeMap<String, Vec<usize>> = [
        ("url", vec![1, 1]),
        ("header", vec![2, 2]),
        ("bearer", vec![2, 2]),
        ("headers", vec![1, 1]),
    ]
    .into_iter()
    .map(|(way, counts)| (way.to_owned(), counts))
    .collect();
    let plain = Hostile::start(Fault::Answer);
    let tls = Hostile::tls(Fault::Answer, Cert::SelfSigned);
    let file = tls.cert_file();
    for (server, args) in [
        (&plain, vec!["-u", "2"]),
        (&tls, vec!["-u", "2", "--ca-cert", file.to_str().unwrap()]),
    ] {
        let ran = against(&server.url(""), "faults::authorization", &args);
        assert_eq!(ran.run.code, 0, "{}", ran.run);
        let seen = server.seen();
        assert_eq!(
            counts(&seen, "reqwest"),
            expected,
            "what reqwest itself sends ({})",
            server.url("")
        );
        assert_eq!(
            counts(&seen, "session"),
            expected,
            "the session sends the same ({})",
            server.url("")
        );
        assert_eq!(
            counts(&seen, "app"),
            BTreeMap::from([("url".to_owned(), vec![1, 1])]),
            "cx.app sends the URL's credentials as reqwest does ({})",
            server.url("")
        );
        // Only the session's and the app's requests are recorded.
        assert_eq!(ran.report.stats.request_count(), 10);
    }
}

#[test]
fn quick_mode_sends_one_authorization_header() {
    let server = Hostile::start(Fault::Answer);
    let url = server.url("/quick").replacen("://", "://ann:secret@", 1);
    let mut command = std::process::Command::new(loadcase_e2e::runner());
    command
        .args(["loadrun", "--url", &url, "-c", "3"])
        .args(["--header", "Authorization: Bearer from-the-flag"])
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::null());
    let ran = finish(command);
    assert_eq!(ran.code, 0, "{ran}");
    assert_eq!(server.seen().authorization["GET /quick"], [1, 1, 1]);
    let bare = server.url("/bare").replacen("://", "://ann:secret@", 1);
    let mut command = std::process::Command::new(loadcase_e2e::runner());
    command
        .args(["loadrun", "--url", &bare, "-c", "2"])
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::null());
    let ran = finish(command);
    assert_eq!(ran.code, 0, "{ran}");
    assert_eq!(server.seen().authorization["GET /bare"], [1, 1]);
}
