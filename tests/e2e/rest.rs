//! The REST/JSON gateway against a real node: every answer JSON in the proto3 mapping, the
//! OpenAPI spec served, a tx broadcast and found over REST, errors with their codes, limits,
//! CORS, and server-sent block events.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;

use crate::support::{free_port, TestNode};

/// One HTTP/1.1 exchange on 127.0.0.1:`port`: (status, headers, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, head, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let len =
            usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if len == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + len]);
        b = &b[eol + 2 + len + 2..];
    }
}

fn json(port: u16, method: &str, path: &str, body: &str) -> (u16, Value) {
    let (status, head, body) = http(
        port,
        method,
        path,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{method} {path}: not JSON: {head}"
    );
    (
        status,
        serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}: {}", String::from_utf8_lossy(&body))),
    )
}

/// An error answer: its HTTP status and gRPC code, and a message.
fn assert_error(got: (u16, Value), http_status: u16, code: i64) {
    assert_eq!(got.0, http_status, "{}", got.1);
    assert_eq!(got.1["code"], code, "{}", got.1);
    assert!(
        got.1["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        got.1
    );
}

#[tokio::test]
async fn rest_gateway_serves_queries_broadcasts_errors_cors_and_streams() {
    use proofwork_tx::{sign_body, Message, TxBody};
    let api = free_port();
    let node = TestNode::start_configured(100, |cfg| {
        cfg.api.listen = format!("127.0.0.1:{api}");
        cfg.api.cors_origins = vec!["https://explorer.example".into()];
        cfg.api.max_body_bytes = 64 << 10;
    });
    let mut c = node.client().await;

    // The spec: OpenAPI 3, every route there.
    let (status, spec) = json(api, "GET", "/openapi.json", "");
    assert_eq!(status, 200);
    assert_eq!(spec["openapi"], "3.0.3");
    for p in [
        "/v1/rpc/proofwork.node.v1.Node/Status",
        "/v1/rpc/proofwork.assets.v1.AssetQuery/Token",
        "/v1/rpc/proofwork.work.v1.Work/Jobs",
        "/v1/rpc/proofwork.validators.v1.Validators/Validators",
        "/v1/blocks/{height}",
        "/v1/txs",
        "/v1/stream/blocks",
    ] {
        assert!(spec["paths"].get(p).is_some(), "spec lacks {p}");
    }

    // Status: 64-bit integers as strings, bytes as base64.
    let (status, st) = json(api, "GET", "/v1/status", "");
    assert_eq!(status, 200, "{st}");
    assert_eq!(st["chainId"], "pw-e2e");
    assert!(st["height"].is_string(), "{st}");

    // A transfer broadcast over REST, waited for, then found by hash and in its block.
    let alice = node.key("alice");
    let bob = node.key("bob").public_key().address();
    let tx = sign_body(
        &alice,
        &TxBody {
            chain_id: "pw-e2e".into(),
            nonce: 0,
            fee: 1,
            messages: vec![Message::Transfer(proofwork_tx::Transfer {
                to: bob,
                denom: "upw".into(),
                amount: 7,
            })],
        },
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(&tx);
    let (status, sim) = json(
        api,
        "POST",
        "/v1/txs/simulate",
        &format!(r#"{{"tx":"{b64}"}}"#),
    );
    assert_eq!(status, 200, "{sim}");
    assert_eq!(sim["code"], 0, "{sim}");
    let (status, res) = json(
        api,
        "POST",
        "/v1/txs",
        &format!(r#"{{"tx":"{b64}","wait":true}}"#),
    );
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["code"], 0, "{res}");
    let hash = base64::engine::general_purpose::STANDARD
        .decode(res["hash"].as_str().unwrap())
        .unwrap();
    let height = res["committed"]["height"].as_str().unwrap().to_owned();
    // The same tx again is refused, and the refusal still names the tx and its module.
    let (status, again) = json(api, "POST", "/v1/txs", &format!(r#"{{"tx":"{b64}"}}"#));
    assert_eq!(status, 200, "{again}");
    assert_ne!(again["code"], 0, "{again}");
    assert_eq!(again["hash"], res["hash"], "{again}");
    assert!(
        again["codespace"].as_str().is_some_and(|c| !c.is_empty()),
        "{again}"
    );
    // An upper-case address is the same account.
    let (status, upper) = json(
        api,
        "GET",
        &format!("/v1/accounts/{}", bob.to_string().to_uppercase()),
        "",
    );
    assert_eq!(status, 200, "{upper}");
    assert_eq!(upper["address"], bob.to_string());
    let (status, found) = json(api, "GET", &format!("/v1/txs/{}", hex::encode(&hash)), "");
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["result"]["height"], height.as_str());
    let (status, block) = json(api, "GET", &format!("/v1/blocks/{height}"), "");
    assert_eq!(status, 200, "{block}");
    assert_eq!(block["height"], height.as_str());
    let (status, bal) = json(
        api,
        "POST",
        "/v1/rpc/proofwork.node.v1.Node/Balance",
        &format!(r#"{{"address":"{bob}","denom":"upw"}}"#),
    );
    assert_eq!(status, 200, "{bal}");
    assert_eq!(
        bal["amount"],
        c.balance(&bob, "upw").await.unwrap().to_string()
    );
    let (status, acct) = json(
        api,
        "GET",
        &format!("/v1/accounts/{}", alice.public_key().address()),
        "",
    );
    assert_eq!(status, 200, "{acct}");
    assert_eq!(acct["nonce"], "1");
    // Every service answers through the generic route.
    for (path, body) in [
        ("/v1/rpc/proofwork.work.v1.Work/Params", "{}"),
        (
            "/v1/rpc/proofwork.validators.v1.Validators/Validators",
            "{}",
        ),
        ("/v1/rpc/proofwork.assets.v1.AssetQuery/Listings", "{}"),
    ] {
        let (status, v) = json(api, "POST", path, body);
        assert_eq!(status, 200, "{path}: {v}");
    }

    // Errors: the gRPC code in the body, the HTTP status it maps to.
    assert_error(json(api, "GET", "/v1/accounts/not-an-address", ""), 400, 3);
    assert_error(
        json(
            api,
            "POST",
            "/v1/rpc/proofwork.node.v1.Node/Status",
            r#"{"nope":1}"#,
        ),
        400,
        3,
    );
    assert_error(
        json(
            api,
            "POST",
            "/v1/rpc/proofwork.node.v1.Node/GetBlock",
            r#"{"height":"x"}"#,
        ),
        400,
        3,
    );
    assert_error(
        json(
            api,
            "POST",
            "/v1/rpc/proofwork.node.v1.Node/GetBlock",
            "{not json",
        ),
        400,
        3,
    );
    assert_error(
        json(api, "POST", "/v1/rpc/proofwork.nope.v1.X/Y", "{}"),
        404,
        5,
    );
    assert_error(
        json(api, "POST", "/v1/rpc/proofwork.node.v1.Node/Nope", "{}"),
        404,
        5,
    );
    assert_error(
        json(api, "POST", "/v1/rpc/proofwork.blobs.v1.Blobs/Upload", "{}"),
        501,
        12,
    );
    assert_error(json(api, "GET", "/v1/nowhere", ""), 404, 5);
    assert_error(json(api, "GET", "/v1/txs/zz", ""), 400, 3);
    let (status, err) = json(api, "GET", "/v1/blocks/99999999", "");
    assert!((400..500).contains(&status), "{status} {err}");
    let big = format!(r#"{{"tx":"{}"}}"#, "A".repeat(80 << 10));
    assert_error(json(api, "POST", "/v1/txs", &big), 413, 8);

    // CORS: the configured origin is echoed, preflight answered; another origin gets none.
    let (status, head, _) = http(
        api,
        "OPTIONS",
        "/v1/status",
        &[
            ("Origin", "https://explorer.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
        b"",
    );
    assert_eq!(status, 204);
    let lower = head.to_ascii_lowercase();
    assert!(
        lower.contains("access-control-allow-origin: https://explorer.example"),
        "{head}"
    );
    assert!(lower.contains("access-control-allow-methods"), "{head}");
    let (_, head, _) = http(
        api,
        "GET",
        "/v1/status",
        &[("Origin", "https://evil.example")],
        b"",
    );
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("access-control-allow-origin"),
        "{head}"
    );

    // Server-sent events: block 1 arrives as JSON.
    let mut s = TcpStream::connect(("127.0.0.1", api)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"GET /v1/stream/blocks?fromHeight=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        .unwrap();
    let mut r = BufReader::new(s);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut saw_sse = false;
    let first = loop {
        assert!(Instant::now() < deadline, "no block event");
        let mut line = String::new();
        if r.read_line(&mut line).unwrap() == 0 {
            panic!("stream closed");
        }
        if line
            .to_ascii_lowercase()
            .starts_with("content-type: text/event-stream")
        {
            saw_sse = true;
        }
        if let Some(data) = line.trim_end().strip_prefix("data:") {
            break serde_json::from_str::<Value>(data.trim()).unwrap();
        }
    };
    assert!(saw_sse, "not an event stream");
    assert_eq!(first["height"], "1", "{first}");
}

/// schemathesis (`scripts/install-schemathesis.sh`), if installed.
fn schemathesis() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("SCHEMATHESIS") {
        return Some(p.into());
    }
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/tools/schemathesis/bin/schemathesis");
    p.exists().then_some(p)
}

/// schemathesis generates requests for every operation of /openapi.json (the streams, which
/// never end, are covered above): no answer may be a 5xx, and every answer must match the
/// spec's status codes, content types, headers and schemas. Semantic validation the schema
/// cannot express (bech32 addresses, known ids) is allowed to refuse schema-valid input.
#[test]
fn schemathesis_finds_no_server_error_and_every_answer_matches_the_spec() {
    let Some(st) = schemathesis() else {
        crate::support::skip("schemathesis not installed (scripts/install-schemathesis.sh)");
        return;
    };
    let api = free_port();
    let node = TestNode::start_configured(200, |cfg| {
        cfg.api.listen = format!("127.0.0.1:{api}");
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", api)).is_err() {
        assert!(
            Instant::now() < deadline,
            "gateway did not come up:\n{}",
            node.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(st)
        .current_dir(dir.path())
        .args([
            "run",
            &format!("http://127.0.0.1:{api}/openapi.json"),
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance",
            "--max-examples",
            "25",
            "--generation-deterministic",
            "--exclude-path-regex",
            "^/v1/stream/",
            "--request-timeout",
            "20",
            "--workers",
            "1",
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("run schemathesis");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: String = text
        .lines()
        .skip_while(|l| !l.contains("SUMMARY"))
        .collect::<Vec<_>>()
        .join("\n");
    eprintln!("{summary}");
    let tail: String = text
        .chars()
        .skip(text.chars().count().saturating_sub(4000))
        .collect();
    assert!(out.status.success(), "schemathesis failed:\n{tail}");
    assert!(text.contains("passed"), "{tail}");
}
