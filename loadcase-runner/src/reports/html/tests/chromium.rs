//! The report rendered by headless Chromium: a parser accepting the page does not mean a
//! browser draws it, so the screenshot must show plots and colour, not a blank page.
//!
//! Chromium is optional on a developer's machine: without it the test says it skipped, unless
//! `LOADCASE_REQUIRE_BROWSER=1` (as CI sets it), where a missing browser is a failure.
//! `LOADCASE_HTML_SAMPLE=DIR` keeps the page and the screenshot in DIR for a person to look at.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::super::render;
use super::sample;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 2400;

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("LOADCASE_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let default = Path::new("/usr/bin/chromium");
    default.exists().then(|| default.to_owned())
}

/// Runs Chromium to screenshot `page`, killing it if it hangs (a headless browser that cannot
/// reach its GPU or D-Bus sometimes waits forever instead of failing).
fn screenshot(browser: &Path, page: &Path, shot: &Path, profile: &Path) {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            assert!(status.success(), "chromium exited with {status}");
            return;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish its screenshot in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The screenshot as RGB(A) rows.
fn decode(shot: &Path) -> (png::OutputInfo, Vec<u8>) {
    let file = std::fs::File::open(shot).expect("chromium wrote a screenshot");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut pixels).expect("one frame");
    pixels.truncate(info.buffer_size());
    (info, pixels)
}

#[test]
fn renders_in_chromium() {
    let Some(browser) = chromium() else {
        if std::env::var("LOADCASE_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!(
                "LOADCASE_REQUIRE_BROWSER=1 but no Chromium: install it or set LOADCASE_CHROMIUM"
            );
        }
        println!("renders_in_chromium: skipped, no Chromium (set LOADCASE_CHROMIUM to run it)");
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let page = dir.path().join("report.html");
    let shot = dir.path().join("shot.png");
    let html = render(&sample::report(300), &sample::verdicts());
    std::fs::write(&page, &html).expect("write the page");
    screenshot(&browser, &page, &shot, &dir.path().join("profile"));
    if let Some(keep) = std::env::var_os("LOADCASE_HTML_SAMPLE") {
        let keep = Path::new(&keep);
        std::fs::copy(&page, keep.join("sample-report.html")).expect("keep the page");
        std::fs::copy(&shot, keep.join("report-screenshot.png")).expect("keep the screenshot");
    }

    let (info, pixels) = decode(&shot);
    assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    let row = info.line_size;
    let pixel = |x: usize, y: usize| {
        let i = y * row + x * channels;
        [pixels[i], pixels[i + 1], pixels[i + 2]]
    };
    let mut colours = HashSet::new();
    let mut inked = 0usize;
    let half = HEIGHT as usize / 2;
    for y in (0..half).step_by(2) {
        for x in (0..WIDTH as usize).step_by(2) {
            let [r, g, b] = pixel(x, y);
            colours.insert([r, g, b]);
            // Darker than the page's light grey background and the white cards.
            if u32::from(r) + u32::from(g) + u32::from(b) < 600 {
                inked += 1;
            }
        }
    }
    let sampled = half / 2 * WIDTH as usize / 2;
    assert!(
        colours.len() > 200,
        "only {} colours: blank?",
        colours.len()
    );
    assert!(inked * 100 > sampled, "{inked} of {sampled} pixels inked");
    // The plots' colours are drawn: the p50 blue and the p99 red somewhere on the page.
    let near = |target: [u8; 3]| {
        (0..HEIGHT as usize).step_by(2).any(|y| {
            (0..WIDTH as usize).any(|x| {
                let p = pixel(x, y);
                p.iter()
                    .zip(target)
                    .all(|(a, b)| (i32::from(*a) - i32::from(b)).abs() < 24)
            })
        })
    };
    assert!(near([0x25, 0x63, 0xeb]), "no blue line");
    assert!(near([0xdc, 0x26, 0x26]), "no red line");
}
