//! The soak's servers: a healthy one that answers `ok` (restarted every `RESTART_SECS`, its
//! connections reset and new ones refused while it is down), and a hostile server for each fault
//! of the e2e support (`loadcase_e2e::hostile`), each on a free loopback port. `bench::soak`
//! sends its hits to the healthy one, and during every other five-second window to one fault's
//! server in turn.
//!
//! usage: soak-server SECS COUNTS_FILE [RESTART_SECS=47]
//! Prints `healthy URL` and `faults URL,URL,…` at once; writes what each server received so far
//! to COUNTS_FILE every second, and stops after SECS. The restarts' period is not a multiple of
//! the soak's ten-second cycle of windows, so that they fall in healthy windows as well.

use std::time::{Duration, Instant};

use loadcase_e2e::hostile::{Fault, Hostile};

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: soak-server SECS COUNTS_FILE [RESTART_SECS]";
    let secs: u64 = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let counts_file = args.next().expect(usage);
    let restart_every: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(47);
    let every = Duration::from_millis(20);
    let faults = [
        Fault::ResetMidBody,
        Fault::Hang,
        Fault::SlowDrip { bytes: 100, every },
        Fault::Endless,
        Fault::Huge(64 << 20),
        Fault::MalformedStatus,
        Fault::MalformedChunking,
        Fault::ShortBody,
        Fault::Refused,
        Fault::WsReset,
        Fault::WsHugeFrame,
    ];
    let mut healthy = Hostile::start(Fault::Answer);
    let hostile: Vec<(Fault, Hostile)> = faults.iter().map(|f| (*f, Hostile::start(*f))).collect();
    println!("healthy {}", healthy.url(""));
    let urls: Vec<String> = hostile
        .iter()
        .map(|(fault, server)| match fault {
            Fault::WsReset | Fault::WsHugeFrame => server.ws_url("/ws"),
            _ => server.url(""),
        })
        .collect();
    println!("faults {}", urls.join(","));
    let started = Instant::now();
    let mut restarts = 0;
    let mut next_restart = Duration::from_secs(restart_every.max(1));
    while started.elapsed() < Duration::from_secs(secs) {
        std::thread::sleep(Duration::from_secs(1));
        if started.elapsed() >= next_restart {
            healthy.restart(Duration::from_millis(300));
            restarts += 1;
            next_restart += Duration::from_secs(restart_every.max(1));
        }
        let _ = std::fs::write(&counts_file, counts(&healthy, restarts, &hostile));
    }
}

/// What every server received so far, a line each.
fn counts(healthy: &Hostile, restarts: u32, hostile: &[(Fault, Hostile)]) -> String {
    let seen = healthy.seen();
    let mut text = format!(
        "healthy: {} requests, {} connections, {restarts} restarts\n",
        seen.requests, seen.connections
    );
    for (fault, server) in hostile {
        let seen = server.seen();
        text.push_str(&format!(
            "{fault:?}: {} requests, {} connections, {} WebSocket messages, {} bytes sent\n",
            seen.requests, seen.connections, seen.ws_messages, seen.bytes_sent
        ));
    }
    text
}
