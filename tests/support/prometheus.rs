//! A Prometheus of a test's own (Debian's `prometheus`, with its remote-write receiver, on a free
//! loopback port), queried with PromQL over plain HTTP. Skipped with a message where none is
//! installed, unless `LOADCASE_REQUIRE_PROMETHEUS=1` (set by `.ci/run`) requires it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Prometheus, stopped when dropped.
pub struct Prometheus {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Prometheus {
    /// Starts one, or says why it cannot.
    pub fn start() -> Result<Prometheus, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let dir = std::env::temp_dir().join(format!(
            "loadcase-e2e-prometheus-{}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let config = dir.join("prometheus.yml");
        std::fs::write(&config, "global:\n  scrape_interval: 1h\n").map_err(|e| e.to_string())?;
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--web.enable-remote-write-receiver")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start prometheus: {e}"))?;
        let mut prometheus = Prometheus { child, port, dir };
        let started = Instant::now();
        while prometheus.get("/-/ready").is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                return Err("prometheus did not get ready within 30 s".into());
            }
            if let Ok(Some(status)) = prometheus.child.try_wait() {
                return Err(format!("prometheus exited: {status}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(prometheus)
    }

    /// Its remote-write endpoint.
    pub fn write_url(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1/write", self.port)
    }

    /// The body of `GET path`, when the answer is 200.
    fn get(&self, path: &str) -> Result<String, String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        write!(
            stream,
            "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .map_err(|e| e.to_string())?;
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .map_err(|e| e.to_string())?;
        let (head, body) = answer.split_once("\r\n\r\n").ok_or("no HTTP answer")?;
        if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
            return Err(head.lines().next().unwrap_or_default().to_owned());
        }
        Ok(body.to_owned())
    }

    /// The value of an instant PromQL query that gives one number, `None` when it gives none.
    pub fn query(&self, promql: &str) -> Option<f64> {
        let text = self
            .get(&format!("/api/v1/query?query={}", encode(promql)))
            .ok()?;
        let answer: serde_json::Value = serde_json::from_str(&text).ok()?;
        answer["data"]["result"][0]["value"][1]
            .as_str()?
            .parse()
            .ok()
    }
}

/// `text` percent-encoded for a query string.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Prometheus, or `None` (with a message) where there is none and none is required.
pub fn prometheus_or_skip(test: &str) -> Option<Prometheus> {
    match Prometheus::start() {
        Ok(prometheus) => Some(prometheus),
        Err(why) if crate::required("LOADCASE_REQUIRE_PROMETHEUS") => {
            panic!("{test}: Prometheus is required (LOADCASE_REQUIRE_PROMETHEUS=1): {why}")
        }
        Err(why) => {
            crate::skip(
                test,
                &format!("{why} (install Debian's prometheus to run it)"),
            );
            None
        }
    }
}
