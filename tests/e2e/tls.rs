//! TLS against the hostile server's certificates: refused by default with words that say what is
//! wrong and what to do, trusted with `--ca-cert` (a flag, or a profile's `ca_cert`), not checked
//! with `--insecure` (and the summary says so) — for `cx.session`, `wss://` and quick mode.

use loadcase_e2e::hostile::{Cert, Fault, Hostile, Tls};
use loadcase_e2e::{DemoServer, finish, run};

use crate::faults::against;

/// Each certificate's refusal in words, with the options that make it.
#[test]
fn refused_certificates_are_explained_in_words() {
    let cases: [(Cert, bool, &str); 4] = [
        (
            Cert::SelfSigned,
            false,
            "the server's certificate is not signed by a CA that this machine trusts (it is self-signed, or of a private CA): give that CA's certificate (PEM) with --ca-cert FILE, or skip certificate checks with --insecure",
        ),
        (
            Cert::CaAsLeaf,
            false,
            "the server presents a CA certificate as its own (basicConstraints CA:TRUE, which `openssl req -x509` makes by default)",
        ),
        (
            Cert::Expired,
            true,
            "the server's certificate expired on 2020-12-31T00:00:00Z: renew it, or skip certificate checks with --insecure",
        ),
        (
            Cert::OtherName,
            true,
            "the server's certificate is not for `127.0.0.1` but for other.example: use a host name it was issued for in the URL",
        ),
    ];
    for (cert, trusted, words) in cases {
        let server = Hostile::tls(Fault::Answer, cert);
        let file = server.cert_file();
        let mut args = vec!["-u", "2", "-c", "2"];
        if trusted {
            args.extend(["--ca-cert", file.to_str().unwrap()]);
        }
        let ran = against(&server.url(""), "faults::fetch", &args);
        let run = &ran.run;
        assert_eq!(run.code, 1, "{cert:?}: {run}");
        assert_eq!(run.figure("Errors"), 4, "{cert:?}: {run}");
        assert_eq!(ran.row, (4, 4), "{cert:?}: {run}");
        assert_eq!(ran.logged, 4, "{cert:?}: {run}");
        assert!(
            run.stdout
                .contains("4 occurrences of: error sending request"),
            "{cert:?}: {run}"
        );
        assert!(run.stdout.contains(words), "{cert:?}: `{words}` in\n{run}");
        let seen = server.seen();
        assert_eq!(seen.requests, 0, "no request gets past the handshake");
        assert!(seen.connections >= 4, "{cert:?}: {seen:?}");
    }
}

#[test]
fn a_trusted_ca_cert_lets_https_and_wss_through() {
    for cert in [Cert::SelfSigned, Cert::CaAsLeaf] {
        let server = Hostile::tls(Fault::Answer, cert);
        let file = server.cert_file();
        let trust = ["-u", "2", "-c", "3", "--ca-cert", file.to_str().unwrap()];
        let ran = against(&server.url(""), "faults::fetch", &trust);
        assert_eq!(ran.run.code, 0, "{cert:?}: {}", ran.run);
        assert_eq!(ran.row, (6, 0));
        assert!(!ran.run.stdout.contains("Insecure:"), "{}", ran.run);
        let talked = against(&server.url(""), "faults::conversation", &trust);
        assert_eq!(talked.run.code, 0, "{cert:?}: {}", talked.run);
        assert_eq!(talked.run.figure("Opened web sockets"), 6);
        let seen = server.seen();
        assert_eq!(seen.by_route["GET /fault"], 6);
        assert_eq!(seen.by_route["GET /ws"], 6);
        assert_eq!(seen.ws_messages, 18);
    }
}

/// HTTPS goes over HTTP/2 where the server offers it by ALPN, and over HTTP/1.1 where it offers
/// only that: every request counted as the server counted it, cookies kept on both.
#[test]
fn https_takes_http2_when_the_server_offers_it() {
    for (alpn, http2) in [(vec![], true), (vec![b"http/1.1".to_vec()], false)] {
        let cert = Tls::new(Cert::SelfSigned);
        let mut config = rustls::ServerConfig::clone(&cert.config());
        config.alpn_protocols = alpn;
        let server = DemoServer::start_tls(config).expect("a TLS demo server");
        let file = cert.pem_file();
        for test in ["fixture::get", "fixture::cookies"] {
            let ran = run(&[
                test,
                "-u",
                "2",
                "-c",
                "5",
                "--server-url",
                &server.url(""),
                "--ca-cert",
                file.to_str().unwrap(),
            ]);
            assert_eq!(ran.code, 0, "{test}: {ran}");
            assert_eq!(ran.figure("Hits"), 10, "{test}: {ran}");
        }
        let counts = server.counts();
        assert_eq!(counts.by_route["GET /es"], 10);
        assert_eq!(counts.by_route["GET /whoami"], 10, "{counts:?}");
        let expected = if http2 { counts.requests } else { 0 };
        assert_eq!(counts.http2_requests, expected, "HTTP/2: {http2}");
    }
}

#[test]
fn insecure_checks_nothing_and_says_so() {
    let server = Hostile::tls(Fault::Answer, Cert::Expired);
    let ran = against(
        &server.url(""),
        "faults::fetch",
        &["-u", "2", "-c", "2", "--insecure"],
    );
    assert_eq!(ran.run.code, 0, "{}", ran.run);
    assert_eq!(server.seen().requests, 4);
    assert!(
        ran.run.stdout.contains(
            "Insecure: TLS certificates were not checked (--insecure): any server could have answered"
        ),
        "{}",
        ran.run
    );
    assert_eq!(ran.report.plan.as_ref().map(|p| p.insecure), Some(true));
}

#[test]
fn quick_mode_takes_ca_cert_and_insecure() {
    let server = Hostile::tls(Fault::Answer, Cert::SelfSigned);
    let url = server.url("/quick");
    let file = server.cert_file();
    let quick = |extra: &[&str]| {
        let mut command = std::process::Command::new(loadcase_e2e::runner());
        command
            .args(["loadrun", "--url", &url, "-u", "2", "-c", "2"])
            .args(extra)
            .current_dir(std::env::temp_dir())
            .stdin(std::process::Stdio::null());
        finish(command)
    };
    let refused = quick(&[]);
    assert_eq!(refused.code, 1, "{refused}");
    assert!(refused.stdout.contains("--ca-cert FILE"), "{refused}");
    let trusted = quick(&["--ca-cert", file.to_str().unwrap()]);
    assert_eq!(trusted.code, 0, "{trusted}");
    let insecure = quick(&["--insecure"]);
    assert_eq!(insecure.code, 0, "{insecure}");
    assert!(insecure.stdout.contains("Insecure:"), "{insecure}");
    assert_eq!(server.seen().by_route["GET /quick"], 8);
}

#[test]
fn a_ca_cert_that_cannot_be_used_stops_the_run_first() {
    let server = Hostile::tls(Fault::Answer, Cert::SelfSigned);
    let url = server.url("");
    let missing = run(&[
        "faults::fetch",
        "--server-url",
        &url,
        "--ca-cert",
        "no/such/ca.pem",
    ]);
    assert_eq!(missing.code, 2, "{missing}");
    assert!(
        missing.stderr.contains("--ca-cert: cannot read ")
            && missing.stderr.contains("no/such/ca.pem"),
        "{missing}"
    );
    let not_pem = run(&[
        "faults::fetch",
        "--server-url",
        &url,
        "--ca-cert",
        "Cargo.toml",
    ]);
    assert_eq!(not_pem.code, 2, "{not_pem}");
    assert!(
        not_pem.stderr.contains("holds no PEM certificate"),
        "{not_pem}"
    );
    assert_eq!(server.seen().connections, 0, "no load ran");
}

#[test]
fn a_profile_takes_ca_cert_relative_to_its_file() {
    let server = Hostile::tls(Fault::Answer, Cert::SelfSigned);
    let dir = std::env::temp_dir().join(format!("loadcase-e2e-tls-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("certs")).unwrap();
    std::fs::copy(server.cert_file(), dir.join("certs/ca.pem")).unwrap();
    std::fs::write(
        dir.join("loadcase.toml"),
        "[profile.tls]\nusers = 2\nhits = 2\nca_cert = \"certs/ca.pem\"\n",
    )
    .unwrap();
    // Quick mode reads the profile of the current directory.
    let mut command = std::process::Command::new(loadcase_e2e::runner());
    command
        .args(["loadrun", "--url", &server.url("/p"), "--profile", "tls"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::null());
    let ran = finish(command);
    assert_eq!(ran.code, 0, "{ran}");
    assert_eq!(server.seen().by_route["GET /p"], 4);
    let _ = std::fs::remove_dir_all(&dir);
}
