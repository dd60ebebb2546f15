//! The node's home directory: config, genesis, validator key, keyring, data.
//!
//! ```text
//! HOME/config.toml               operator settings
//! HOME/genesis.json              chain id, params, accounts, validators
//! HOME/priv_validator_key.json   ed25519 consensus key (CometBFT's format)
//! HOME/vrf_key.json              sr25519 VRF key that signs vote extensions (mode 0600)
//! HOME/keys/NAME.json            secp256k1 account keys (mode 0600)
//! HOME/data/                     RocksDB, created only by `init` / `import`, and its
//!                                COMMITTED_HEIGHT marker (see `proofwork_state::store`)
//! HOME/blobs/                    blob store (see `blobs`; damaged blobs in quarantine/)
//! ```

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use base64::Engine as _;
use proofwork_genesis::{AppState, Genesis, GenesisAccount, GenesisCoin, GenesisValidator, Params};
use proofwork_tx::SecretKey;
use serde::{Deserialize, Serialize};

use crate::config::Config;

/// Names of the accounts `init` creates and funds.
pub const DEMO_ACCOUNTS: [&str; 4] = ["alice", "bob", "carol", "dave"];
/// Initial balance of each demo account, in the native denomination.
pub const DEMO_BALANCE: u128 = 1_000_000_000_000;

/// Paths inside a home.
#[derive(Debug, Clone)]
pub struct Home(pub PathBuf);

impl Home {
    /// `config.toml`.
    pub fn config(&self) -> PathBuf {
        self.0.join("config.toml")
    }
    /// `genesis.json`.
    pub fn genesis(&self) -> PathBuf {
        self.0.join("genesis.json")
    }
    /// The RocksDB directory.
    pub fn data(&self) -> PathBuf {
        self.0.join("data")
    }
    /// The blob store directory.
    pub fn blobs(&self) -> PathBuf {
        self.0.join("blobs")
    }
    /// The keyring directory.
    pub fn keys(&self) -> PathBuf {
        self.0.join("keys")
    }
    /// The validator key.
    pub fn validator_key(&self) -> PathBuf {
        self.0.join("priv_validator_key.json")
    }

    /// The sr25519 VRF key (vote extensions for the work beacon).
    pub fn vrf_key(&self) -> PathBuf {
        self.0.join("vrf_key.json")
    }

    /// Creates the empty store in `data/` (only `init` and the testnet layout call this:
    /// every other open refuses a missing store rather than start a new chain).
    ///
    /// # Errors
    /// RocksDB cannot create it.
    pub fn create_store(&self) -> anyhow::Result<()> {
        proofwork_state::Storage::open(self.data(), proofwork_state::StorageConfig::default())
            .with_context(|| format!("creating the store at {}", self.data().display()))?;
        Ok(())
    }

    /// Opens the store of a home that `init` created (never creates one), read-write.
    ///
    /// # Errors
    /// A missing or damaged store, or one that lost committed blocks (the error says which
    /// and what the operator can do).
    pub fn open_store(&self, keep_recent: u64) -> anyhow::Result<proofwork_state::Storage> {
        proofwork_state::Storage::open_existing(
            self.data(),
            proofwork_state::StorageConfig { keep_recent },
        )
        .map_err(anyhow::Error::from)
    }

    /// Opens the store read-only, for commands that write nothing (`export`, `audit
    /// replay`): they leave a stopped home exactly as it was.
    ///
    /// # Errors
    /// As [`Home::open_store`].
    pub fn open_store_read_only(&self) -> anyhow::Result<proofwork_state::Storage> {
        proofwork_state::Storage::open_read_only(
            self.data(),
            proofwork_state::StorageConfig::default(),
        )
        .map_err(anyhow::Error::from)
    }

    /// Whether `init` has run here.
    pub fn is_initialised(&self) -> bool {
        self.genesis().exists()
    }

    /// Loads config (defaults when the file is missing).
    ///
    /// # Errors
    /// An invalid file.
    pub fn load_config(&self) -> anyhow::Result<Config> {
        if self.config().exists() {
            Config::load(&self.config())
        } else {
            Ok(Config::default())
        }
    }

    /// Loads and validates genesis.
    ///
    /// # Errors
    /// Missing or invalid genesis.
    pub fn load_genesis(&self) -> anyhow::Result<Genesis> {
        let bytes = std::fs::read(self.genesis()).with_context(|| {
            format!(
                "reading {} (run `proofwork init` first)",
                self.genesis().display()
            )
        })?;
        Ok(Genesis::from_json(&bytes)?)
    }
}

/// A keyring entry.
#[derive(Debug, Serialize, Deserialize)]
pub struct KeyFile {
    /// Name.
    pub name: String,
    /// bech32 address.
    pub address: String,
    /// Compressed public key, hex.
    pub public_key: String,
    /// Secret key, hex.
    pub secret_key: String,
}

/// Creates a key in the keyring.
///
/// # Errors
/// The name exists or is invalid; I/O.
pub fn add_key(home: &Home, name: &str, key: &SecretKey) -> anyhow::Result<KeyFile> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        bail!("key name must be non-empty and use only letters, digits, - and _");
    }
    std::fs::create_dir_all(home.keys())?;
    let path = home.keys().join(format!("{name}.json"));
    if path.exists() {
        bail!("key {name:?} already exists at {}", path.display());
    }
    let pk = key.public_key();
    let kf = KeyFile {
        name: name.to_string(),
        address: pk.address().to_string(),
        public_key: hex::encode(pk.to_bytes()),
        secret_key: hex::encode(key.to_bytes()),
    };
    write_private(&path, serde_json::to_string_pretty(&kf)?.as_bytes())?;
    Ok(kf)
}

/// Loads a key by name.
///
/// # Errors
/// Missing or corrupt key file.
pub fn load_key(home: &Home, name: &str) -> anyhow::Result<(KeyFile, SecretKey)> {
    let path = home.keys().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "no key {name:?} in {} (see `proofwork keys list`)",
            home.keys().display()
        )
    })?;
    let kf: KeyFile =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let sk = SecretKey::from_bytes(&hex::decode(&kf.secret_key)?)?;
    Ok((kf, sk))
}

/// Every key in the keyring, by name.
///
/// # Errors
/// I/O or a corrupt key file.
pub fn list_keys(home: &Home) -> anyhow::Result<Vec<KeyFile>> {
    let mut out = Vec::new();
    if !home.keys().exists() {
        return Ok(out);
    }
    let mut entries: Vec<_> = std::fs::read_dir(home.keys())?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "json") {
            out.push(serde_json::from_str(&std::fs::read_to_string(&p)?)?);
        }
    }
    Ok(out)
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    Ok(())
}

/// CometBFT's `priv_validator_key.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct ValidatorKeyFile {
    /// Upper-case hex of SHA-256(pub_key)[..20].
    pub address: String,
    /// `{"type": "tendermint/PubKeyEd25519", "value": base64}`.
    pub pub_key: TypedKey,
    /// `{"type": "tendermint/PrivKeyEd25519", "value": base64(seed ‖ pub)}`.
    pub priv_key: TypedKey,
}

/// A typed key as CometBFT writes it.
#[derive(Debug, Serialize, Deserialize)]
pub struct TypedKey {
    /// Amino type name.
    #[serde(rename = "type")]
    pub kind: String,
    /// base64.
    pub value: String,
}

/// Generates a validator key in CometBFT's format; returns the base64 public key.
///
/// # Errors
/// I/O.
pub fn create_validator_key(path: &Path) -> anyhow::Result<String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    let sk = ed25519_consensus::SigningKey::from(seed);
    let pk = sk.verification_key().to_bytes();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut full = seed.to_vec();
    full.extend_from_slice(&pk);
    let kf = ValidatorKeyFile {
        address: hex::encode_upper(proofwork_consensus::validators::cometbft_address(&pk)),
        pub_key: TypedKey {
            kind: "tendermint/PubKeyEd25519".into(),
            value: b64.encode(pk),
        },
        priv_key: TypedKey {
            kind: "tendermint/PrivKeyEd25519".into(),
            value: b64.encode(full),
        },
    };
    write_private(path, serde_json::to_string_pretty(&kf)?.as_bytes())?;
    Ok(kf.pub_key.value)
}

/// `vrf_key.json`: the validator's sr25519 VRF key (schnorrkel mini secret key).
#[derive(Debug, Serialize, Deserialize)]
pub struct VrfKeyFile {
    /// Public key, hex (registered in genesis or with `apply-validator`).
    pub public: String,
    /// 32-byte seed, hex.
    pub seed: String,
}

/// Generates a VRF key at `path` (mode 0600); returns the public key.
///
/// # Errors
/// I/O; the file exists.
pub fn create_vrf_key(path: &Path) -> anyhow::Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    let public = proofwork_consensus::beacon::VrfSecret::from_seed(&seed).public();
    let kf = VrfKeyFile {
        public: hex::encode(public),
        seed: hex::encode(seed),
    };
    write_private(path, serde_json::to_string_pretty(&kf)?.as_bytes())?;
    Ok(public)
}

/// Loads a VRF key written by [`create_vrf_key`].
///
/// # Errors
/// I/O or a malformed file (including a public key that does not match the seed).
pub fn load_vrf_key(path: &Path) -> anyhow::Result<proofwork_consensus::beacon::VrfSecret> {
    let kf: VrfKeyFile = serde_json::from_slice(
        &std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
    )
    .with_context(|| format!("parsing {}", path.display()))?;
    let seed: [u8; 32] = hex::decode(&kf.seed)
        .ok()
        .and_then(|v| v.try_into().ok())
        .with_context(|| format!("{}: seed must be 32 bytes of hex", path.display()))?;
    let key = proofwork_consensus::beacon::VrfSecret::from_seed(&seed);
    if hex::encode(key.public()) != kf.public {
        bail!("{}: public key does not match the seed", path.display());
    }
    Ok(key)
}

/// The genesis time written by `init`: fixed, so that two homes initialised with the same
/// keys produce the same genesis file.
pub const DEFAULT_GENESIS_TIME: &str = "2026-01-01T00:00:00Z";

/// Lays out a new home with a one-validator genesis and funded demo accounts.
///
/// # Errors
/// The home is already initialised (unless `force`); I/O.
pub fn init(home: &Home, chain_id: &str, force: bool) -> anyhow::Result<Genesis> {
    if home.is_initialised() {
        if !force {
            bail!(
                "{} is already initialised (use --force to overwrite)",
                home.0.display()
            );
        }
        for p in [
            home.genesis(),
            home.config(),
            home.validator_key(),
            home.vrf_key(),
        ] {
            let _ = std::fs::remove_file(p);
        }
        let _ = std::fs::remove_dir_all(home.keys());
        let _ = std::fs::remove_dir_all(home.data());
    }
    std::fs::create_dir_all(&home.0)?;
    let val_pk = create_validator_key(&home.validator_key())?;
    let vrf_pk = create_vrf_key(&home.vrf_key())?;
    let mut accounts = Vec::new();
    for name in DEMO_ACCOUNTS {
        let kf = add_key(home, name, &SecretKey::generate())?;
        accounts.push(GenesisAccount {
            address: kf.address,
            balances: vec![GenesisCoin {
                denom: "upw".into(),
                amount: DEMO_BALANCE.to_string(),
            }],
        });
    }
    // The first demo account operates the validator, so admission votes work out of the box.
    let operator = accounts[0].address.clone();
    let genesis = Genesis {
        chain_id: chain_id.to_string(),
        genesis_time: DEFAULT_GENESIS_TIME.into(),
        app_state: AppState {
            params: Params {
                vote_extensions_enable_height: 1,
                ..Params::default()
            },
            accounts,
            validators: vec![GenesisValidator {
                pub_key: val_pk,
                power: 10,
                moniker: "validator-0".into(),
                operator: Some(operator),
                vrf_key: Some(hex::encode(vrf_pk)),
            }],
        },
    };
    genesis.validate()?;
    std::fs::write(home.genesis(), genesis.to_json())?;
    std::fs::write(home.config(), Config::default().to_toml())?;
    home.create_store()?;
    Ok(genesis)
}
