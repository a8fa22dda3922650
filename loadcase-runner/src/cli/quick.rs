//! Quick mode's options: the one request each hit sends, with no test written.

use clap::Args;

/// `--url` and what describes its request.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Quick mode: one URL, no test")]
pub struct QuickOptions {
    /// Load-test this URL without a test or a cargo project.
    #[arg(
        long,
        value_name = "URL",
        conflicts_with_all = [
            "tests", "list", "server_url", "package", "manifest_path", "features",
            "all_features", "no_default_features", "debug",
        ]
    )]
    pub url: Option<String>,

    /// The request's method (default GET, or POST with --data).
    #[arg(long, value_name = "METHOD", requires = "url")]
    pub method: Option<String>,

    /// The request body; @FILE sends a file.
    #[arg(
        long,
        value_name = "BODY",
        requires = "url",
        allow_hyphen_values = true
    )]
    pub data: Option<String>,

    /// A request header, 'Name: value' (repeatable).
    #[arg(long = "header", value_name = "HEADER", requires = "url")]
    pub headers: Vec<String>,

    /// Statuses a hit must get, e.g. 201 or 200,204 (default: 2xx, 3xx).
    #[arg(
        long,
        value_name = "STATUS",
        requires = "url",
        value_delimiter = ',',
        value_parser = parse_status,
        allow_hyphen_values = true
    )]
    pub expect_status: Vec<u16>,
}

impl QuickOptions {
    /// The request options given, by flag: they mean nothing without `--url`.
    pub fn request_flags(&self) -> Vec<&'static str> {
        [
            ("--method", self.method.is_some()),
            ("--data", self.data.is_some()),
            ("--header", !self.headers.is_empty()),
            ("--expect-status", !self.expect_status.is_empty()),
        ]
        .into_iter()
        .filter_map(|(flag, given)| given.then_some(flag))
        .collect()
    }
}

/// `--expect-status 201`: an HTTP status, from 100 to 599.
pub fn parse_status(text: &str) -> Result<u16, String> {
    match text.trim().parse::<i64>() {
        Ok(n @ 100..=599) => Ok(n as u16),
        Ok(_) => Err(format!(
            "`{text}` is not an HTTP status, which is from 100 to 599; write e.g. --expect-status 201 or 200,204"
        )),
        Err(_) => Err(format!(
            "`{text}` is not a number; write a status from 100 to 599, e.g. --expect-status 201 or 200,204"
        )),
    }
}
