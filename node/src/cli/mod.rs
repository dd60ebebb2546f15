//! The `proofwork` command line: one module per command, the conventions they share in
//! [`Ctx`] (home, node, output format, the key-name resolver) and in [`output`] (JSON or
//! text, times beside heights, errors with a code).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use proofwork_client::Client;
use proofwork_node::home::{self, Home};
use proofwork_tx::{Address, SecretKey};

pub(crate) mod asset;
pub(crate) mod audit;
pub(crate) mod bench;
pub(crate) mod demo;
pub(crate) mod error;
pub(crate) mod init;
pub(crate) mod keys;
pub(crate) mod output;
pub(crate) mod query;
pub(crate) mod shutdown;
pub(crate) mod snapshot;
pub(crate) mod start;
pub(crate) mod testnet;
pub(crate) mod tx;
pub(crate) mod work;
pub(crate) mod worker;

use error::CliError;
pub(crate) use output::Output;

#[derive(Parser)]
#[command(
    name = "proofwork",
    version,
    about = "A permissioned chain for tokenized assets, weighted by useful GPU work"
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) globals: Globals,
    #[command(subcommand)]
    pub(crate) cmd: Cmd,
}

/// Options every command accepts, anywhere on the line.
#[derive(Args, Clone, Debug)]
pub(crate) struct Globals {
    /// Node home directory (config, genesis, keys, data).
    #[arg(long, global = true, env = "PROOFWORK_HOME", default_value_os_t = default_home())]
    pub(crate) home: PathBuf,
    /// gRPC address of the node (several, comma-separated, for `bench transfers`).
    #[arg(
        long,
        global = true,
        env = "PROOFWORK_NODE",
        default_value = "http://127.0.0.1:9090"
    )]
    pub(crate) node: String,
    /// Output: text for people, json for scripts (errors too: `{"error": {...}}` on
    /// stdout, non-zero exit). Long-running commands print their progress as text.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub(crate) output: Output,
    /// Log format (logs go to stderr).
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    pub(crate) log_format: String,
}

fn default_home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".proofwork")
}

/// The commands.
#[derive(Subcommand)]
pub(crate) enum Cmd {
    /// Create a home: validator key, demo account keys, genesis and config.
    Init(init::InitArgs),
    /// Run the node: the embedded engine and gRPC, or with --abci an ABCI server for CometBFT.
    Start(start::StartArgs),
    /// Initialise (if needed) and run a node with a demo client: blocks, transfers, balances.
    Demo(demo::DemoArgs),
    /// Manage account keys.
    #[command(subcommand)]
    Keys(keys::KeysCmd),
    /// Sign and broadcast transactions.
    #[command(subcommand)]
    Tx(tx::TxCmd),
    /// Query state.
    #[command(subcommand)]
    Query(query::QueryCmd),
    /// Print the node's status (chain id, height and its time, app hash, mempool size).
    Status,
    /// Auditing: replay the chain from genesis, verify state proofs offline.
    #[command(subcommand)]
    Audit(audit::AuditCmd),
    /// The job market: register a model, post a job from .npy files, price, cancel, fetch
    /// and check its output C, confirm or dispute the delivery, register a worker.
    #[command(subcommand)]
    Work(work::WorkCmd),
    /// Run a useful-work worker: claim jobs, compute C = A·B (CUDA when present, CPU
    /// otherwise), commit, wait for the beacon, reveal.
    Worker(worker::WorkerArgs),
    /// Lay out a loopback CometBFT network: N validators' CometBFT and proofwork homes.
    Testnet(testnet::TestnetArgs),
    /// Write the latest committed state (every key/value, height, app hash) to a file.
    Export(snapshot::ExportArgs),
    /// Restore a snapshot into this home's (empty) store, checking its root.
    Import(snapshot::ImportArgs),
    /// Load tools.
    #[command(subcommand)]
    Bench(bench::BenchCmd),
}

/// What every command works with.
pub(crate) struct Ctx {
    /// `--home`.
    pub(crate) home: Home,
    /// `--node`.
    pub(crate) node: String,
    /// `--output`.
    pub(crate) output: Output,
}

impl Ctx {
    pub(crate) fn new(g: &Globals) -> Self {
        Ctx {
            home: Home(g.home.clone()),
            node: g.node.clone(),
            output: g.output,
        }
    }

    /// A client of `--node`.
    pub(crate) async fn client(&self) -> anyhow::Result<Client> {
        Ok(Client::connect(&self.node).await?)
    }

    /// A key of the keyring, by name.
    pub(crate) fn key(&self, name: &str) -> anyhow::Result<SecretKey> {
        home::load_key(&self.home, name)
            .map(|(_, k)| k)
            .map_err(|e| CliError::Home(format!("{e:#}")).into())
    }

    /// The one resolver for every address argument: a bech32 address, or the name of a key
    /// in the home's keyring.
    pub(crate) fn address(&self, s: &str) -> anyhow::Result<Address> {
        match s.parse::<Address>() {
            Ok(a) => return Ok(a),
            Err(e) if s.starts_with("pw1") => {
                return Err(CliError::Input(format!("{s:?} is not a valid address: {e}")).into())
            }
            Err(_) => {}
        }
        let (kf, _) = home::load_key(&self.home, s).map_err(|_| {
            CliError::Input(format!(
                "{s:?} is neither an address nor a key name in {}",
                self.home.keys().display()
            ))
        })?;
        kf.address
            .parse()
            .map_err(|e| CliError::Home(format!("key {s:?} has a bad address: {e}")).into())
    }
}

/// Runs one command line.
pub(crate) async fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx::new(&cli.globals);
    match cli.cmd {
        Cmd::Init(a) => init::run(&ctx, a),
        Cmd::Start(a) => start::run(&ctx, a).await,
        Cmd::Demo(a) => demo::run(&ctx, a).await,
        Cmd::Keys(c) => keys::run(&ctx, c),
        Cmd::Tx(c) => tx::run(&ctx, c).await,
        Cmd::Query(c) => query::run(&ctx, c).await,
        Cmd::Status => query::status(&ctx).await,
        Cmd::Audit(c) => audit::run(&ctx, c).await,
        Cmd::Work(c) => work::run(&ctx, c).await,
        Cmd::Worker(a) => worker::run(&ctx, a).await,
        Cmd::Testnet(a) => testnet::run(&ctx, a),
        Cmd::Export(a) => snapshot::export(&ctx, a),
        Cmd::Import(a) => snapshot::import(&ctx, a),
        Cmd::Bench(c) => bench::run(&ctx, c).await,
    }
}

/// Logs go to stderr, as text or JSON lines.
pub(crate) fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        b.json().init();
    } else {
        b.init();
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory as _, Parser as _};

    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every argument and every command a user can reach has help text.
    #[test]
    fn every_arg_and_command_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("{path} <{id}>"));
                }
            }
            for sub in cmd.get_subcommands() {
                let p = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(p.clone());
                }
                walk(sub, &p, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "proofwork", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }

    #[test]
    fn global_options_are_accepted_anywhere_on_the_line() {
        for line in [
            "proofwork --output json --home /h --node http://n query balance alice",
            "proofwork query --home /h balance alice --output json --node http://n",
            "proofwork query balance alice --node http://n --home /h --output json",
        ] {
            let cli = Cli::try_parse_from(line.split(' ')).unwrap();
            assert_eq!(cli.globals.output, Output::Json, "{line}");
            assert_eq!(cli.globals.home, PathBuf::from("/h"), "{line}");
            assert_eq!(cli.globals.node, "http://n", "{line}");
        }
    }

    #[test]
    fn the_resolver_takes_addresses_and_key_names() {
        let dir = tempfile::tempdir().unwrap();
        let h = Home(dir.path().to_path_buf());
        let kf = home::add_key(&h, "erin", &SecretKey::generate()).unwrap();
        let ctx = Ctx {
            home: h,
            node: String::new(),
            output: Output::Text,
        };
        let by_name = ctx.address("erin").unwrap();
        assert_eq!(by_name.to_string(), kf.address);
        assert_eq!(ctx.address(&kf.address).unwrap(), by_name);
        let bad = ctx.address("pw1notanaddress").unwrap_err();
        assert_eq!(error::classify(&bad).code, error::INPUT);
        let unknown = ctx.address("nobody").unwrap_err();
        assert!(unknown
            .to_string()
            .contains("neither an address nor a key name"));
    }
}
