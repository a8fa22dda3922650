//! Serves the demo on the ports of the Loads guide: the app on 8080, the WebSocket echo on 9000,
//! the Elasticsearch-like root on 9200 (all three serve every route); or, given an address
//! (`demo-server 127.0.0.1:0` for any free port), there alone.

use std::net::SocketAddr;

use loadcase_examples::DemoServer;

fn main() {
    let given = match std::env::args().nth(1).map(|a| a.parse::<SocketAddr>()) {
        None => None,
        Some(Ok(addr)) => Some(addr),
        Some(Err(e)) => {
            eprintln!("error: the address to serve on: {e}; give one such as 127.0.0.1:0");
            std::process::exit(2);
        }
    };
    let addrs: Vec<SocketAddr> = match given {
        Some(addr) => vec![addr],
        None => [8080u16, 9000, 9200]
            .map(|port| SocketAddr::from(([127, 0, 0, 1], port)))
            .to_vec(),
    };
    let mut servers = Vec::new();
    for addr in addrs {
        let port = addr.port();
        match DemoServer::start(addr) {
            Ok(server) => {
                let addr = server.addr();
                println!("demo server on http://{addr}/ (WebSocket echo at ws://{addr}/ws)");
                servers.push(server);
            }
            Err(e) => {
                eprintln!(
                    "error: cannot listen on {addr}: {e}; stop whatever uses port {port} and retry"
                );
                std::process::exit(2);
            }
        }
    }
    println!("press Ctrl-C to stop");
    loop {
        std::thread::park();
    }
}
