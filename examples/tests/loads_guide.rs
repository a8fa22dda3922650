//! The Loads guide's tests exactly as written there, against services on fixed ports. Start them
//! with `cargo run -p loadcase-examples --bin demo-server`, then:
//!
//! ```text
//! cargo loadrun -p loadcase-examples loads_guide::test_es -u 100 -c 10
//! ```
//!
//! This target has `test = false`: a plain `cargo test` does not run it, since it needs the
//! demo server running.

use loadcase::prelude::*;

#[load_test]
async fn test_es(cx: &mut Context) -> TestResult {
    cx.session.get("http://127.0.0.1:9200/").send().await?;
    Ok(())
}

#[load_test]
async fn test_ws(cx: &mut Context) -> TestResult {
    let mut ws = cx.ws("ws://127.0.0.1:9000/ws").await?;
    ws.send_text("something").await?;
    assert_eq!(ws.recv_text().await?, "something");
    ws.send_text("happened").await?;
    assert_eq!(ws.recv_text().await?, "happened");
    Ok(())
}

#[load_test(server_url = "http://127.0.0.1:8080")]
async fn test_app(cx: &mut Context) -> TestResult {
    let page = cx.app.get("/").await?;
    assert!(page.text().contains("Search"));
    cx.incr("pages");
    Ok(())
}

#[load_test]
async fn plain(cx: &mut Context) {
    let r = cx
        .session
        .get("http://127.0.0.1:8080/")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
