//! `proofwork testnet`: lay out a loopback CometBFT network.

use std::path::PathBuf;

use clap::Args;
use proofwork_node::testnet;

use super::Ctx;

/// `proofwork testnet`.
#[derive(Args, Debug)]
pub(crate) struct TestnetArgs {
    /// Genesis validators.
    #[arg(long, default_value_t = 4)]
    validators: usize,
    /// Extra nodes outside the genesis validator set (they can apply to join).
    #[arg(long, default_value_t = 0)]
    full_nodes: usize,
    /// Output directory (created; must be empty).
    #[arg(long)]
    out: PathBuf,
    /// First port: node I uses base+10·I + {0 p2p, 1 CometBFT RPC, 2 ABCI, 3 gRPC}.
    #[arg(long, default_value_t = 26600)]
    base_port: u16,
    /// Chain id.
    #[arg(long, default_value = "proofwork-localnet")]
    chain_id: String,
    /// CometBFT timeout_commit in ms (the pause between blocks).
    #[arg(long, default_value_t = 300)]
    timeout_commit_ms: u64,
    /// CometBFT timeout_propose in ms.
    #[arg(long, default_value_t = 1000)]
    timeout_propose_ms: u64,
}

pub(crate) fn run(ctx: &Ctx, a: TestnetArgs) -> anyhow::Result<()> {
    #[allow(clippy::disallowed_methods)] // genesis time of a new network: now
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let layout = testnet::generate(&testnet::TestnetOptions {
        validators: a.validators,
        full_nodes: a.full_nodes,
        out: a.out.clone(),
        base_port: a.base_port,
        chain_id: a.chain_id,
        timeout_commit_ms: a.timeout_commit_ms,
        timeout_propose_ms: a.timeout_propose_ms,
        genesis_time: testnet::rfc3339(now),
    })?;
    let nodes: Vec<_> = layout
        .nodes
        .iter()
        .map(|n| {
            serde_json::json!({
                "name": n.name, "validator": n.validator, "p2p_port": n.p2p_port,
                "rpc_port": n.rpc_port, "abci_port": n.abci_port, "grpc_port": n.grpc_port,
                "proofwork_home": n.proofwork_home, "cometbft_home": n.cometbft_home,
            })
        })
        .collect();
    ctx.print(
        serde_json::json!({"chain_id": layout.chain_id, "out": a.out, "nodes": nodes}),
        || {
            let mut s = format!(
                "laid out {} nodes for chain {} in {}",
                layout.nodes.len(),
                layout.chain_id,
                a.out.display()
            );
            for n in &layout.nodes {
                s.push_str(&format!(
                    "\n  {} {:9} p2p {} rpc {} abci {} grpc {}",
                    n.name,
                    if n.validator { "validator" } else { "full" },
                    n.p2p_port,
                    n.rpc_port,
                    n.abci_port,
                    n.grpc_port
                ));
            }
            s.push_str(&format!(
                "\nstart it with: scripts/localnet.sh start {}",
                a.out.display()
            ));
            s
        },
    )
}
