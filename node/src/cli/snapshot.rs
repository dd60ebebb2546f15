//! `proofwork export` / `proofwork import`: checked state snapshots.
//!
//! A snapshot holds the state, not the node: a home that runs it also needs a config
//! (import writes the default one when there is none) and, to produce blocks with the
//! embedded engine, the VRF key of the validator(s) holding > 2/3 of the power. `import
//! --keys-from OLD_HOME` copies the keys (and genesis) from the exporting node's home;
//! without it, import says which files to copy.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use proofwork_node::config::Config;
use proofwork_node::home::Home;
use proofwork_state::{Storage, StorageConfig};

use super::error::CliError;
use super::Ctx;

/// `proofwork export`.
#[derive(Args, Debug)]
pub(crate) struct ExportArgs {
    /// Output file.
    #[arg(long)]
    out: PathBuf,
    /// Height to export; only the latest committed height can be exported.
    #[arg(long)]
    height: Option<u64>,
}

/// `proofwork import`.
#[derive(Args, Debug)]
pub(crate) struct ImportArgs {
    /// Snapshot file from `proofwork export`.
    #[arg(long)]
    file: PathBuf,
    /// Home of the node the snapshot comes from: copies its genesis.json,
    /// priv_validator_key.json, vrf_key.json and keys/ into this home (never overwriting),
    /// so that this home can produce blocks. Only for moving a node: two running nodes
    /// with the same validator keys would both sign.
    #[arg(long)]
    keys_from: Option<PathBuf>,
}

pub(crate) fn export(ctx: &Ctx, a: ExportArgs) -> anyhow::Result<()> {
    let h = &ctx.home;
    let storage = h.open_store_read_only().map_err(|e| {
        CliError::Home(format!(
            "opening the node's store at {} (stop the node first): {e:#}",
            h.data().display()
        ))
    })?;
    let latest = storage
        .latest()
        .ok_or_else(|| CliError::Home("nothing committed yet".into()))?
        .height;
    if let Some(want) = a.height {
        if want != latest {
            return Err(super::error::input(format!(
                "only the latest committed height ({latest}) can be exported, not {want}"
            )));
        }
    }
    let chain_id = proofwork_genesis::chain_id(&storage)?.unwrap_or_default();
    let header = proofwork_node::snapshot::export(&storage, &chain_id, &a.out)?;
    ctx.print_json(&serde_json::to_value(&header)?)
}

/// Files a home needs beside its data, copied by `--keys-from`.
const HOME_FILES: [&str; 3] = ["genesis.json", "priv_validator_key.json", "vrf_key.json"];

pub(crate) fn import(ctx: &Ctx, a: ImportArgs) -> anyhow::Result<()> {
    let h = &ctx.home;
    std::fs::create_dir_all(&h.0).with_context(|| format!("creating {}", h.0.display()))?;
    if let Some(src) = &a.keys_from {
        if !src.is_dir() {
            return Err(CliError::Input(format!(
                "--keys-from {} is not a directory",
                src.display()
            ))
            .into());
        }
    }
    let storage = Storage::open(h.data(), StorageConfig::default())
        .with_context(|| format!("opening {}", h.data().display()))?;
    let (header, stored) = proofwork_node::snapshot::import(&a.file, &storage)?;
    let copied = match &a.keys_from {
        Some(src) => copy_home_files(&Home(src.clone()), h)?,
        None => Vec::new(),
    };
    if !h.config().exists() {
        std::fs::write(h.config(), Config::default().to_toml())
            .with_context(|| format!("writing {}", h.config().display()))?;
    }
    let missing: Vec<&str> = HOME_FILES
        .iter()
        .copied()
        .filter(|f| !h.0.join(f).exists())
        .collect();
    let note = (!missing.is_empty()).then(|| {
        format!(
            "this home has the state but not {}: to produce blocks with `proofwork start`, copy \
             them from the exporting node's home into {} (or import again with --keys-from \
             OLD_HOME into a fresh home); vrf_key.json must be the key of the validator(s) \
             holding > 2/3 of the power, and genesis.json is needed by `audit replay`. \
             `proofwork start --abci` runs it as a CometBFT full node as it is.",
            missing.join(", "),
            h.0.display()
        )
    });
    ctx.print(
        serde_json::json!({
            "chain_id": header.chain_id, "entries": header.entries, "height": stored.height,
            "app_hash": hex::encode(stored.app_hash), "copied": copied, "missing": missing,
            "note": note,
        }),
        || {
            let mut s = format!(
                "imported {} entries of chain {}: height {} app hash {} (rebuilt root matches)",
                header.entries,
                header.chain_id,
                stored.height,
                hex::encode(stored.app_hash)
            );
            if !copied.is_empty() {
                s.push_str(&format!("\ncopied {} from the old home", copied.join(", ")));
            }
            if let Some(n) = &note {
                s.push_str(&format!("\nnote: {n}"));
            }
            s
        },
    )
}

/// Copies [`HOME_FILES`] and the keyring from `src`, never overwriting; returns what it
/// copied.
fn copy_home_files(src: &Home, dst: &Home) -> anyhow::Result<Vec<String>> {
    let mut copied = Vec::new();
    for f in HOME_FILES {
        if copy_new(&src.0.join(f), &dst.0.join(f))? {
            copied.push(f.to_string());
        }
    }
    if src.keys().is_dir() {
        std::fs::create_dir_all(dst.keys())?;
        let mut entries: Vec<_> = std::fs::read_dir(src.keys())?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name();
            if copy_new(&e.path(), &dst.keys().join(&name))? {
                copied.push(format!("keys/{}", name.to_string_lossy()));
            }
        }
    }
    Ok(copied)
}

/// Copies `from` to `to` (keeping its permissions) unless `to` exists or `from` does not.
fn copy_new(from: &Path, to: &Path) -> anyhow::Result<bool> {
    if !from.is_file() || to.exists() {
        return Ok(false);
    }
    std::fs::copy(from, to)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(true)
}
