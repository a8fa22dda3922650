//! Serves the demo on the ports of the Loads guide: the app on 8080, the WebSocket echo on 9000,
//! the Elasticsearch-like root on 9200 (all three serve every route).

use std::net::SocketAddr;

use loadcase_examples::DemoServer;

fn main() {
    let mut servers = Vec::new();
    for port in [8080u16, 9000, 9200] {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        match DemoServer::start(addr) {
            Ok(server) => {
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
