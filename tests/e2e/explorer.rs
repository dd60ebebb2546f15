//! The block explorer in headless Debian Chromium (`scripts/install-chromium.sh`): the page
//! loads from the node, a tx sent during the test appears decoded, and a state proof checks
//! in the browser. `EXPLORER_SCREENSHOT=path.png` also saves a screenshot (docs/explorer.png).

use std::time::{Duration, Instant};

use crate::support::{free_port, TestNode};

fn chromium() -> Option<std::path::PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|b| {
            std::process::Command::new("sh")
                .args(["-c", &format!("command -v {b}")])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().into())
        })
}

fn headless(bin: &std::path::Path, profile: &std::path::Path, extra: &[&str], url: &str) -> String {
    // Bounded: a page that never goes idle would keep a headless capture waiting.
    let out = std::process::Command::new("timeout")
        .arg("90")
        .arg(bin)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1400,1300",
            "--virtual-time-budget=20000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn explorer_loads_shows_a_new_tx_and_checks_a_proof_in_chromium() {
    let Some(bin) = chromium() else {
        crate::support::skip("chromium not installed (scripts/install-chromium.sh)");
        return;
    };
    let api = free_port();
    let node = TestNode::start_configured(200, |cfg| {
        cfg.api.listen = format!("127.0.0.1:{api}");
    });
    let mut c = node.client().await;
    let alice = node.key("alice");
    let bob = node.key("bob").public_key().address();
    // A class for the explorer's class list (AssetClasses).
    let class = proofwork_tx::Message::CreateAssetClass(proofwork_tx::CreateAssetClass {
        id: "gallery-e2e".into(),
        unique: true,
        powers: 1,
        sales_only: false,
        royalty: vec![],
        metadata: String::new(),
        initial_supply: 0,
    });
    c.send(&alice, vec![class], 1, true)
        .await
        .expect("class created");
    let resp = c
        .transfer(&alice, bob, "upw", 3, 1, true)
        .await
        .expect("transfer committed");
    assert_eq!(resp.code, 0, "{}", resp.log);
    let hash_hex = hex::encode(&resp.hash);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", api)).is_err() {
        assert!(Instant::now() < deadline, "gateway down");
        std::thread::sleep(Duration::from_millis(100));
    }
    let profile = tempfile::tempdir().unwrap();
    let url = format!(
        "http://127.0.0.1:{api}/explorer#nolive=1&prove={}",
        alice.public_key().address()
    );
    let dom = headless(&bin, profile.path(), &["--dump-dom"], &url);
    assert!(
        dom.contains("proofwork explorer"),
        "page did not load:\n{dom}"
    );
    assert!(
        dom.contains(&hash_hex[..16]),
        "tx {hash_hex} not shown:\n{dom}"
    );
    assert!(dom.contains("transfer"), "tx not decoded:\n{dom}");
    assert!(
        dom.contains("gallery-e2e"),
        "class list lacks the new class:\n{dom}"
    );
    assert!(
        dom.contains("proof verified in the browser against the app hash of block"),
        "proof did not check:\n{dom}"
    );
    if let Some(path) = std::env::var_os("EXPLORER_SCREENSHOT") {
        let shot = format!("--screenshot={}", std::path::PathBuf::from(path).display());
        headless(&bin, profile.path(), &[&shot], &url);
    }
}
