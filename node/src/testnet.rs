//! `proofwork testnet`: lays out a loopback CometBFT network — N validators (plus optional
//! full nodes), each a CometBFT home and a proofwork home — sharing one genesis.
//!
//! ```text
//! DIR/testnet.json                     ports, node ids, keys: what scripts and tests read
//! DIR/nodeI/cometbft/config/{config.toml,genesis.json,priv_validator_key.json,node_key.json}
//! DIR/nodeI/cometbft/data/priv_validator_state.json
//! DIR/nodeI/proofwork/{config.toml,genesis.json,keys/}   (every home holds every key)
//! ```
//!
//! Node `I` listens on `base + 10·I + {0: p2p, 1: CometBFT RPC, 2: ABCI, 3: gRPC, 4: /metrics}`, all on
//! 127.0.0.1. The homes are generated here (not with `cometbft testnet`, which gives every
//! node the same ports), so laying out a network needs no `cometbft` binary.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use base64::Engine as _;
use proofwork_genesis::{AppState, Genesis, GenesisAccount, GenesisCoin, GenesisValidator, Params};
use proofwork_tx::SecretKey;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::home::{self, Home, TypedKey, ValidatorKeyFile, DEMO_ACCOUNTS, DEMO_BALANCE};

/// Power of each genesis validator.
pub const VALIDATOR_POWER: u64 = 10;

/// Options of `proofwork testnet`.
#[derive(Debug, Clone)]
pub struct TestnetOptions {
    /// Validators in genesis.
    pub validators: usize,
    /// Extra nodes that are not validators at genesis (they may apply later).
    pub full_nodes: usize,
    /// Output directory (must not exist or be empty).
    pub out: PathBuf,
    /// First port; node I uses `base + 10·I + 0..4`.
    pub base_port: u16,
    /// Chain id.
    pub chain_id: String,
    /// CometBFT `timeout_commit` (ms): the pause after each block.
    pub timeout_commit_ms: u64,
    /// CometBFT `timeout_propose` (ms).
    pub timeout_propose_ms: u64,
    /// Genesis time, RFC 3339.
    pub genesis_time: String,
}

/// One node of the layout.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestnetNode {
    /// `nodeI`.
    pub name: String,
    /// In the genesis validator set.
    pub validator: bool,
    /// CometBFT home.
    pub cometbft_home: PathBuf,
    /// proofwork home.
    pub proofwork_home: PathBuf,
    /// CometBFT p2p port.
    pub p2p_port: u16,
    /// CometBFT RPC port.
    pub rpc_port: u16,
    /// proofwork ABCI port.
    pub abci_port: u16,
    /// proofwork gRPC port.
    pub grpc_port: u16,
    /// proofwork `/metrics` port (layouts written before it existed: 0, metrics off).
    #[serde(default)]
    pub metrics_port: u16,
    /// CometBFT node id (hex of the node key's address).
    pub node_id: String,
    /// ed25519 consensus key, base64.
    pub validator_pub_key: String,
    /// CometBFT validator address, upper-case hex.
    pub validator_address: String,
    /// sr25519 VRF public key, hex (secret in `proofwork_home/vrf_key.json`).
    #[serde(default)]
    pub vrf_pub_key: String,
    /// Keyring name of the operator account (funded at genesis).
    pub operator_key: String,
    /// Its bech32 address.
    pub operator_address: String,
}

/// `DIR/testnet.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestnetLayout {
    /// Chain id.
    pub chain_id: String,
    /// Nodes, validators first.
    pub nodes: Vec<TestnetNode>,
}

impl TestnetLayout {
    /// Reads `DIR/testnet.json`.
    ///
    /// # Errors
    /// Missing or invalid file.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let p = dir.join("testnet.json");
        let text =
            std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
        Ok(serde_json::from_str(&text)?)
    }
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn random_seed() -> anyhow::Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    Ok(seed)
}

/// An ed25519 key in CometBFT's file format: (public key, base64(seed ‖ public)).
fn ed25519_key() -> anyhow::Result<([u8; 32], String)> {
    let seed = random_seed()?;
    let pk = ed25519_consensus::SigningKey::from(seed)
        .verification_key()
        .to_bytes();
    let mut full = seed.to_vec();
    full.extend_from_slice(&pk);
    Ok((pk, b64().encode(full)))
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Lays out the network and returns its description (also written to `DIR/testnet.json`).
///
/// # Errors
/// Bad options, a non-empty output directory, I/O.
pub fn generate(o: &TestnetOptions) -> anyhow::Result<TestnetLayout> {
    if o.validators == 0 {
        bail!("--validators must be at least 1");
    }
    let total = o.validators + o.full_nodes;
    let last_port = u32::from(o.base_port) + 10 * total as u32;
    if o.base_port < 1024 || last_port > 65_535 {
        bail!("ports {}..{last_port} are out of range", o.base_port);
    }
    if o.out.exists() && std::fs::read_dir(&o.out)?.next().is_some() {
        bail!("{} exists and is not empty", o.out.display());
    }
    std::fs::create_dir_all(&o.out)?;
    let out = std::fs::canonicalize(&o.out)?;

    // Accounts: the demo accounts plus one operator per node; every home gets every key.
    let mut keys: Vec<(String, SecretKey)> = DEMO_ACCOUNTS
        .iter()
        .map(|n| (n.to_string(), SecretKey::generate()))
        .collect();
    for i in 0..total {
        keys.push((format!("operator{i}"), SecretKey::generate()));
    }
    let accounts: Vec<GenesisAccount> = keys
        .iter()
        .map(|(_, k)| GenesisAccount {
            address: k.public_key().address().to_string(),
            balances: vec![GenesisCoin {
                denom: "upw".into(),
                amount: DEMO_BALANCE.to_string(),
            }],
        })
        .collect();

    let mut nodes = Vec::new();
    let mut node_keys = Vec::new();
    let mut val_keys = Vec::new();
    for i in 0..total {
        let base = o.base_port + 10 * i as u16;
        let (node_pk, node_priv) = ed25519_key()?;
        let (val_pk, val_priv) = ed25519_key()?;
        let node_id = hex::encode(proofwork_consensus::validators::cometbft_address(&node_pk));
        let dir = out.join(format!("node{i}"));
        std::fs::create_dir_all(dir.join("proofwork"))?;
        let vrf_pk = home::create_vrf_key(&Home(dir.join("proofwork")).vrf_key())?;
        let operator = &keys[DEMO_ACCOUNTS.len() + i];
        nodes.push(TestnetNode {
            name: format!("node{i}"),
            validator: i < o.validators,
            cometbft_home: dir.join("cometbft"),
            proofwork_home: dir.join("proofwork"),
            p2p_port: base,
            rpc_port: base + 1,
            abci_port: base + 2,
            grpc_port: base + 3,
            metrics_port: base + 4,
            node_id,
            validator_pub_key: b64().encode(val_pk),
            validator_address: hex::encode_upper(
                proofwork_consensus::validators::cometbft_address(&val_pk),
            ),
            operator_key: operator.0.clone(),
            operator_address: operator.1.public_key().address().to_string(),
            vrf_pub_key: hex::encode(vrf_pk),
        });
        node_keys.push(node_priv);
        val_keys.push(val_priv);
    }

    let genesis = Genesis {
        chain_id: o.chain_id.clone(),
        genesis_time: o.genesis_time.clone(),
        app_state: AppState {
            params: Params {
                vote_extensions_enable_height: VOTE_EXTENSIONS_ENABLE_HEIGHT,
                ..Params::default()
            },
            accounts,
            validators: nodes
                .iter()
                .filter(|n| n.validator)
                .map(|n| GenesisValidator {
                    pub_key: n.validator_pub_key.clone(),
                    power: VALIDATOR_POWER,
                    moniker: n.name.clone(),
                    operator: Some(n.operator_address.clone()),
                    vrf_key: Some(n.vrf_pub_key.clone()),
                })
                .collect(),
        },
    };
    genesis.validate()?;
    let comet_genesis = cometbft_genesis(&genesis);

    for (i, n) in nodes.iter().enumerate() {
        let ch = &n.cometbft_home;
        let peers: Vec<String> = nodes
            .iter()
            .filter(|p| p.name != n.name)
            .map(|p| format!("{}@127.0.0.1:{}", p.node_id, p.p2p_port))
            .collect();
        write(
            &ch.join("config/config.toml"),
            &cometbft_config(
                n,
                &peers.join(","),
                o,
                genesis.app_state.params.max_tx_bytes,
            ),
        )?;
        write(&ch.join("config/genesis.json"), &comet_genesis)?;
        let val_kf = ValidatorKeyFile {
            address: n.validator_address.clone(),
            pub_key: TypedKey {
                kind: "tendermint/PubKeyEd25519".into(),
                value: n.validator_pub_key.clone(),
            },
            priv_key: TypedKey {
                kind: "tendermint/PrivKeyEd25519".into(),
                value: val_keys[i].clone(),
            },
        };
        write(
            &ch.join("config/priv_validator_key.json"),
            &serde_json::to_string_pretty(&val_kf)?,
        )?;
        write(
            &ch.join("config/node_key.json"),
            &serde_json::to_string_pretty(&serde_json::json!({
                "priv_key": {"type": "tendermint/PrivKeyEd25519", "value": node_keys[i]}
            }))?,
        )?;
        write(
            &ch.join("data/priv_validator_state.json"),
            "{\n  \"height\": \"0\",\n  \"round\": 0,\n  \"step\": 0\n}\n",
        )?;

        let ph = Home(n.proofwork_home.clone());
        std::fs::create_dir_all(&ph.0)?;
        write(&ph.genesis(), &genesis.to_json())?;
        ph.create_store()?;
        let mut cfg = Config::default();
        cfg.grpc.listen = format!("127.0.0.1:{}", n.grpc_port);
        cfg.abci.listen = format!("tcp://127.0.0.1:{}", n.abci_port);
        cfg.metrics.listen = format!("127.0.0.1:{}", n.metrics_port);
        cfg.cometbft.rpc = format!("http://127.0.0.1:{}", n.rpc_port);
        write(&ph.config(), &cfg.to_toml())?;
        for (name, k) in &keys {
            home::add_key(&ph, name, k)?;
        }
    }
    let layout = TestnetLayout {
        chain_id: o.chain_id.clone(),
        nodes,
    };
    write(
        &out.join("testnet.json"),
        &serde_json::to_string_pretty(&layout)?,
    )?;
    Ok(layout)
}

/// Height from which `proofwork testnet` networks carry VRF vote extensions.
pub const VOTE_EXTENSIONS_ENABLE_HEIGHT: u64 = 1;

/// CometBFT's `genesis.json`: the validators' keys and powers, and our `app_state`.
fn cometbft_genesis(g: &Genesis) -> String {
    let validators: Vec<_> = g
        .app_state
        .validators
        .iter()
        .map(|v| {
            let pk = proofwork_genesis::decode_pub_key(&v.pub_key).expect("validated");
            serde_json::json!({
                "address": hex::encode_upper(proofwork_consensus::validators::cometbft_address(&pk)),
                "pub_key": {"type": "tendermint/PubKeyEd25519", "value": v.pub_key},
                "power": v.power.to_string(),
                "name": v.moniker,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "genesis_time": g.genesis_time,
        "chain_id": g.chain_id,
        "initial_height": "1",
        "validators": validators,
        "app_hash": "",
        // CometBFT v0.38's defaults, plus vote extensions from the height the app state
        // names (they must agree: the app requires the extensions from then on).
        "consensus_params": {
            "block": {"max_bytes": "22020096", "max_gas": "-1"},
            "evidence": {
                "max_age_num_blocks": "100000",
                "max_age_duration": "172800000000000",
                "max_bytes": "1048576"
            },
            "validator": {"pub_key_types": ["ed25519"]},
            "version": {"app": "0"},
            "abci": {
                "vote_extensions_enable_height":
                    g.app_state.params.vote_extensions_enable_height.to_string()
            }
        },
        "app_state": g.app_state,
    });
    serde_json::to_string_pretty(&doc).expect("genesis serializes")
}

/// A CometBFT v0.38 `config.toml` for one loopback node. Keys left out keep CometBFT's
/// defaults.
///
/// The mempool's `max_tx_bytes` follows the chain's limit, and the RPC body limit leaves
/// room for a base64-encoded tx of that size.
fn cometbft_config(n: &TestnetNode, peers: &str, o: &TestnetOptions, max_tx_bytes: u64) -> String {
    format!(
        r#"# CometBFT v0.38 config for {name}, written by `proofwork testnet`.
proxy_app = "tcp://127.0.0.1:{abci}"
moniker = "{name}"
db_backend = "goleveldb"
log_level = "main:info,state:info,*:error"
log_format = "plain"
genesis_file = "config/genesis.json"
priv_validator_key_file = "config/priv_validator_key.json"
priv_validator_state_file = "data/priv_validator_state.json"
node_key_file = "config/node_key.json"
abci = "socket"

[rpc]
laddr = "tcp://127.0.0.1:{rpc}"
max_open_connections = 900
max_body_bytes = {body}
timeout_broadcast_tx_commit = "10s"

[p2p]
laddr = "tcp://127.0.0.1:{p2p}"
persistent_peers = "{peers}"
pex = false
addr_book_strict = false
allow_duplicate_ip = true
flush_throttle_timeout = "10ms"
max_packet_msg_payload_size = 4096
send_rate = 52428800
recv_rate = 52428800
handshake_timeout = "5s"
dial_timeout = "1s"

[mempool]
size = 50000
max_txs_bytes = 1073741824
cache_size = 100000
max_tx_bytes = {max_tx}

[consensus]
timeout_propose = "{propose}ms"
timeout_propose_delta = "100ms"
timeout_prevote = "200ms"
timeout_prevote_delta = "100ms"
timeout_precommit = "200ms"
timeout_precommit_delta = "100ms"
timeout_commit = "{commit}ms"
create_empty_blocks = true
peer_gossip_sleep_duration = "20ms"

[tx_index]
indexer = "null"

[instrumentation]
prometheus = false
"#,
        name = n.name,
        abci = n.abci_port,
        rpc = n.rpc_port,
        p2p = n.p2p_port,
        peers = peers,
        propose = o.timeout_propose_ms,
        commit = o.timeout_commit_ms,
        max_tx = max_tx_bytes,
        body = (max_tx_bytes * 2).max(16 << 20),
    )
}

/// RFC 3339 (UTC, seconds) of a Unix time, for genesis files.
pub fn rfc3339(unix_secs: u64) -> String {
    // Civil-from-days (H. Hinnant), proleptic Gregorian calendar.
    let days = (unix_secs / 86_400) as i64;
    let secs = unix_secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400 + 3_661), "2000-02-29T01:01:01Z");
    }

    #[test]
    fn layout_has_distinct_ports_and_one_genesis() {
        let dir = tempfile::tempdir().unwrap();
        let o = TestnetOptions {
            validators: 3,
            full_nodes: 1,
            out: dir.path().join("net"),
            base_port: 30_000,
            chain_id: "pw-net".into(),
            timeout_commit_ms: 200,
            timeout_propose_ms: 600,
            genesis_time: rfc3339(1_767_225_600),
        };
        let l = generate(&o).unwrap();
        assert_eq!(l.nodes.len(), 4);
        let mut ports = std::collections::BTreeSet::new();
        for n in &l.nodes {
            for p in [
                n.p2p_port,
                n.rpc_port,
                n.abci_port,
                n.grpc_port,
                n.metrics_port,
            ] {
                assert!(ports.insert(p), "port {p} reused");
            }
        }
        let g0 = std::fs::read(l.nodes[0].proofwork_home.join("genesis.json")).unwrap();
        for n in &l.nodes {
            assert_eq!(
                std::fs::read(n.proofwork_home.join("genesis.json")).unwrap(),
                g0
            );
            let c: serde_json::Value = serde_json::from_slice(
                &std::fs::read(n.cometbft_home.join("config/genesis.json")).unwrap(),
            )
            .unwrap();
            assert_eq!(c["validators"].as_array().unwrap().len(), 3);
            assert_eq!(c["chain_id"], "pw-net");
            let cfg = Config::load(&n.proofwork_home.join("config.toml")).unwrap();
            assert_eq!(cfg.cometbft.rpc, format!("http://127.0.0.1:{}", n.rpc_port));
        }
        let g = Genesis::from_json(&g0).unwrap();
        assert_eq!(g.app_state.validators.len(), 3);
        assert!(!l.nodes[3].validator);
        assert!(generate(&o).is_err(), "refuses a non-empty directory");
    }
}
