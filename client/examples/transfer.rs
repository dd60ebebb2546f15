//! Sends a transfer, waits for its commit, and prints the result and the recipient's
//! balance with a verified Merkle proof.
//!
//! ```text
//! cargo run -p proofwork-client --example transfer -- \
//!     http://127.0.0.1:9090 HOME/keys/alice.json pw1…recipient 25
//! ```
//!
//! The key is a keyring file (`{"secret_key": "<hex>", …}`) or a 64-hex-digit secret.
//! Prints one JSON object on stdout.

use anyhow::Context as _;
use proofwork_client::{Client, ClientConfig, Signer};
use proofwork_tx::{Address, Message, SecretKey};

fn load_key(arg: &str) -> anyhow::Result<SecretKey> {
    let hex_secret = if arg.ends_with(".json") {
        let text = std::fs::read_to_string(arg).with_context(|| format!("reading {arg}"))?;
        let v: serde_json::Value = serde_json::from_str(&text)?;
        v["secret_key"]
            .as_str()
            .context("key file has no secret_key")?
            .to_string()
    } else {
        arg.to_string()
    };
    Ok(SecretKey::from_bytes(&hex::decode(hex_secret.trim())?)?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [node, key, to, amount] = args.as_slice() else {
        anyhow::bail!("usage: transfer NODE_URL KEY_FILE_OR_HEX TO_ADDRESS AMOUNT");
    };
    let key = load_key(key)?;
    let to: Address = to.parse().context("parsing the recipient address")?;
    let amount: u128 = amount.parse().context("parsing the amount")?;

    let mut client = Client::connect_with(node, ClientConfig::default()).await?;
    let mut signer = Signer::new(key);
    let transfer = Message::Transfer(proofwork_tx::Transfer {
        to,
        denom: "upw".into(),
        amount,
    });
    let sent = client.send_with(&mut signer, vec![transfer], true).await?;
    let committed = sent.committed.context("no commit in the answer")?;

    // The balance after the commit, with a Merkle proof checked here against the app hash
    // the node recorded for that height.
    let bal = client.verified_balance(&to, "upw").await?;
    let out = serde_json::json!({
        "tx_hash": hex::encode(&sent.hash),
        "height": committed.height,
        "index": committed.index,
        "code": committed.result.map(|r| r.code).unwrap_or_default(),
        "recipient": to.to_string(),
        "balance": bal.value.to_string(),
        "proof": {
            "height": bal.proof.height,
            "app_hash": hex::encode(bal.proof.app_hash),
            "key": hex::encode(&bal.proof.key),
            "proof_bytes": bal.proof.proof.len(),
            "verified": true,
        },
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
