//! A server that answers every request after a fixed delay, for checking that reported latency
//! is the truth: one OS thread per connection sleeping with `std::thread::sleep` (precise to
//! tens of microseconds on Linux, unlike a runtime's millisecond timer wheel).
//!
//! usage: delay-server [ADDR=127.0.0.1:8090] [DELAY_MS=20]
//! Prints each 5 s the median of the delays it actually imposed, measured around the sleep.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static IMPOSED: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn serve(stream: TcpStream, delay: Duration) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut line = String::new();
    loop {
        // Read one request's head; the benchmark's requests have no body.
        let mut first = true;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            if line == "\r\n" && !first {
                break;
            }
            first = false;
        }
        let start = Instant::now();
        std::thread::sleep(delay);
        let imposed = start.elapsed();
        writer.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-type: text/plain\r\n\r\nok\n",
        )?;
        if let Ok(mut all) = IMPOSED.lock() {
            all.push(imposed.as_micros() as u32);
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8090".into());
    let delay_ms: u64 = args.next().map_or(20, |d| {
        d.parse().unwrap_or_else(|_| {
            eprintln!("error: DELAY_MS `{d}` is not a number of milliseconds");
            std::process::exit(2)
        })
    });
    let listener = TcpListener::bind(&addr).unwrap_or_else(|e| {
        eprintln!("error: cannot listen on {addr}: {e}");
        std::process::exit(2)
    });
    println!("delay server on http://{addr}/, {delay_ms} ms per request");
    std::thread::spawn(|| {
        loop {
            std::thread::sleep(Duration::from_secs(5));
            let mut all = std::mem::take(&mut *IMPOSED.lock().unwrap());
            if all.is_empty() {
                continue;
            }
            all.sort_unstable();
            println!(
                "imposed: {} requests, p50 {:.3} ms, p99 {:.3} ms",
                all.len(),
                f64::from(all[all.len() / 2]) / 1e3,
                f64::from(all[all.len() * 99 / 100]) / 1e3
            );
        }
    });
    let delay = Duration::from_millis(delay_ms);
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || serve(stream, delay));
    }
}
