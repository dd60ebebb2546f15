//! Garbage collection of the blob store: deletes the blobs that no open job and no registered
//! model needs any more, once a grace period has passed.
//!
//! # The rule
//!
//! A stored blob is *referenced*, and kept, while one of its row roots (`roots/` entries) is
//!
//! - the `a_root` of a job that is still open: posted, claimed or committed (a slashed job is
//!   posted again, so it counts as open until it expires), or
//! - the `b_root` of a registered model (active or still uploading; the chain never deletes
//!   models, so model weights are kept for good).
//!
//! Any other blob is *unreferenced* and is deleted once `retain_blocks` blocks have passed
//! since it became so:
//!
//! - if every root it has is the `a_root` of jobs that are all closed (verified, cancelled or
//!   expired), since the height the last of them closed — read from the chain, so the same
//!   on every node and across restarts;
//! - otherwise (no row root: a raw blob; or a root no job or model has, e.g. an input uploaded
//!   before its job is posted), since the height at which this process first found it
//!   unreferenced. That clock is in memory: a restart starts it again, which can only delay a
//!   deletion, never hasten it.
//!
//! A blob open for a download or being uploaded is never deleted (the store pins it), and one
//! stored again since the sweep began is left for the next sweep.
//!
//! # Bounded passes
//!
//! Each pass reads at most [`GcConfig::max_records_per_pass`] job and model records, in id
//! order, through the same `work::jobs`/`work::models` reads the `Work` gRPC service uses,
//! resuming where the previous pass stopped; only a pass that completes a sweep over all jobs
//! and models decides and deletes, at most [`GcConfig::max_deletes_per_pass`] blobs, oldest
//! first. Only roots the store indexes are remembered, so memory is bounded by the store.
//! Statuses read early in a sweep can only have moved on to closed by its end (a closed job
//! never reopens), and jobs posted during the sweep have higher ids and are read at its end.
//!
//! Not consensus: each node collects its own store.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use proofwork_consensus::work::{self, JobStatus};
use proofwork_state::{StateError, StateRead};

use super::{BlobError, BlobStore, Hash, Removed};

/// Records read per state scan call.
const PAGE: usize = 1000;

/// Garbage collector settings (`[blobs] retain_blocks`, `gc_interval_ms` in config.toml; the
/// per-pass bounds are fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GcConfig {
    /// Blocks an unreferenced blob is kept before it is deleted.
    pub retain_blocks: u64,
    /// Time between passes.
    pub interval: Duration,
    /// Job and model records read per pass.
    pub max_records_per_pass: usize,
    /// Blobs deleted per pass at most.
    pub max_deletes_per_pass: usize,
}

impl Default for GcConfig {
    fn default() -> Self {
        GcConfig {
            retain_blocks: 1000,
            interval: Duration::from_secs(60),
            max_records_per_pass: 50_000,
            max_deletes_per_pass: 1000,
        }
    }
}

/// Errors of a pass.
#[derive(Debug, thiserror::Error)]
pub enum GcError {
    /// Reading jobs or models failed.
    #[error("blob gc: reading chain state: {0}")]
    State(#[from] StateError),
    /// Deleting a blob failed.
    #[error("blob gc: {0}")]
    Blob(#[from] BlobError),
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Chain height the pass judged at.
    pub height: u64,
    /// Job and model records read.
    pub records_read: usize,
    /// Whether this pass completed a sweep (only then are blobs judged; the counts below are
    /// zero otherwise).
    pub swept: bool,
    /// Blobs kept because an open job or a model needs them.
    pub referenced: usize,
    /// Unreferenced blobs kept for the grace period.
    pub retained: usize,
    /// Blobs stored or re-indexed during the sweep, judged by the next one.
    pub fresh: usize,
    /// Blobs due for deletion but open for a download or being uploaded.
    pub in_use: usize,
    /// Blobs due but left for a later pass (over the per-pass limit, or changed meanwhile).
    pub deferred: usize,
    /// Blobs deleted.
    pub deleted: usize,
    /// Bytes freed.
    pub freed_bytes: u64,
}

/// Where a sweep is.
#[derive(Debug, Clone, Copy)]
enum Phase {
    Jobs { after: Option<u64> },
    Models { after: Option<u64> },
    Done,
}

/// One walk over every job and model.
#[derive(Debug)]
struct Sweep {
    /// Blobs at or above this generation changed after the sweep began.
    generation: u64,
    /// Every row root the store indexed when the sweep began.
    interest: BTreeSet<Hash>,
    phase: Phase,
    /// Roots of open jobs.
    open: BTreeSet<Hash>,
    /// Roots of closed jobs → the height the last of them closed.
    closed: BTreeMap<Hash, u64>,
    /// Roots of registered models.
    models: BTreeSet<Hash>,
}

impl Sweep {
    fn start(store: &BlobStore) -> Self {
        // The generation first: an entry listed after it may only be newer, not missing.
        let generation = store.generation();
        let interest = store.entries().into_iter().flat_map(|e| e.roots).collect();
        Sweep {
            generation,
            interest,
            phase: Phase::Jobs { after: None },
            open: BTreeSet::new(),
            closed: BTreeMap::new(),
            models: BTreeSet::new(),
        }
    }
}

/// The height a job closed at, or `None` while it is open. No wildcard: a new status must be
/// classified here.
fn closed_at(s: &JobStatus) -> Option<u64> {
    match s {
        JobStatus::Open | JobStatus::Claimed { .. } | JobStatus::Committed { .. } => None,
        JobStatus::Verified { height, .. }
        | JobStatus::Cancelled { height }
        | JobStatus::Expired { height } => Some(*height),
    }
}

/// The collector's state between passes.
#[derive(Debug)]
pub struct Gc {
    store: BlobStore,
    cfg: GcConfig,
    sweep: Option<Sweep>,
    /// Blobs with a root no job or model has (or none) → (generation, height first seen so).
    orphan_since: BTreeMap<Hash, (u64, u64)>,
}

impl Gc {
    /// A collector for `store`.
    pub fn new(store: BlobStore, cfg: GcConfig) -> Self {
        Gc {
            store,
            cfg,
            sweep: None,
            orphan_since: BTreeMap::new(),
        }
    }

    /// One bounded pass over the committed `state` at chain height `height`.
    ///
    /// # Errors
    /// State reads or deletions failed; the sweep resumes (reads) or is judged again (a
    /// failed deletion) on the next pass.
    pub fn pass<S: StateRead>(&mut self, state: &S, height: u64) -> Result<PassReport, GcError> {
        let mut report = PassReport {
            height,
            ..PassReport::default()
        };
        let store = &self.store;
        let sweep = self.sweep.get_or_insert_with(|| Sweep::start(store));
        let mut budget = self.cfg.max_records_per_pass.max(1);
        while budget > 0 {
            let want = budget.min(PAGE);
            match sweep.phase {
                Phase::Jobs { after } => {
                    let page = work::jobs(state, after, want)?;
                    budget -= page.len();
                    report.records_read += page.len();
                    for j in &page {
                        if !sweep.interest.contains(&j.a_root) {
                            continue;
                        }
                        match closed_at(&j.status) {
                            None => {
                                sweep.open.insert(j.a_root);
                            }
                            Some(h) => {
                                let c = sweep.closed.entry(j.a_root).or_insert(h);
                                *c = (*c).max(h);
                            }
                        }
                    }
                    sweep.phase = match page.last() {
                        Some(last) if page.len() == want => Phase::Jobs {
                            after: Some(last.id),
                        },
                        _ => Phase::Models { after: None },
                    };
                }
                Phase::Models { after } => {
                    let page = work::models(state, after, want)?;
                    budget -= page.len();
                    report.records_read += page.len();
                    for m in &page {
                        if sweep.interest.contains(&m.b_root) {
                            sweep.models.insert(m.b_root);
                        }
                    }
                    sweep.phase = match page.last() {
                        Some(last) if page.len() == want => Phase::Models {
                            after: Some(last.id),
                        },
                        _ => Phase::Done,
                    };
                }
                Phase::Done => break,
            }
        }
        if !matches!(sweep.phase, Phase::Done) {
            return Ok(report);
        }
        let Some(sweep) = self.sweep.take() else {
            return Ok(report);
        };
        report.swept = true;
        self.judge(&sweep, height, &mut report)?;
        Ok(report)
    }

    /// Decides every blob against a completed sweep and deletes the ones due.
    fn judge(
        &mut self,
        sweep: &Sweep,
        height: u64,
        report: &mut PassReport,
    ) -> Result<(), GcError> {
        let entries = self.store.entries();
        // (unreferenced since, hash, generation) of the blobs due.
        let mut due: Vec<(u64, Hash, u64)> = Vec::new();
        for e in &entries {
            if e.generation >= sweep.generation {
                report.fresh += 1;
                continue;
            }
            let needed = e
                .roots
                .iter()
                .any(|r| sweep.open.contains(r) || sweep.models.contains(r));
            if needed {
                self.orphan_since.remove(&e.hash);
                report.referenced += 1;
                continue;
            }
            let mut since = 0u64;
            let mut orphan = e.roots.is_empty();
            for r in &e.roots {
                match sweep.closed.get(r) {
                    Some(&h) => since = since.max(h),
                    None => orphan = true,
                }
            }
            if orphan {
                let first = self
                    .orphan_since
                    .entry(e.hash)
                    .or_insert((e.generation, height));
                if first.0 != e.generation {
                    *first = (e.generation, height);
                }
                since = since.max(first.1);
            } else {
                self.orphan_since.remove(&e.hash);
            }
            if height >= since.saturating_add(self.cfg.retain_blocks) {
                due.push((since, e.hash, e.generation));
            } else {
                report.retained += 1;
            }
        }
        let stored: BTreeSet<Hash> = entries.iter().map(|e| e.hash).collect();
        self.orphan_since.retain(|h, _| stored.contains(h));
        due.sort_unstable();
        let max = self.cfg.max_deletes_per_pass.max(1);
        report.deferred += due.len().saturating_sub(max);
        for (_, hash, generation) in due.into_iter().take(max) {
            match self.store.remove_if(&hash, Some(generation))? {
                Removed::Deleted(bytes) => {
                    report.deleted += 1;
                    report.freed_bytes += bytes;
                    self.orphan_since.remove(&hash);
                    tracing::debug!(hash = %hex::encode(hash), bytes, "blob gc: deleted");
                }
                Removed::InUse => report.in_use += 1,
                Removed::Changed | Removed::Missing => report.deferred += 1,
            }
        }
        if report.deleted > 0 && self.store.exports_metrics() {
            let m = crate::metrics::metrics();
            m.blob_gc_deleted.inc_by(report.deleted as u64);
            m.blob_gc_freed_bytes.inc_by(report.freed_bytes);
        }
        Ok(())
    }
}

/// Runs the collector every `cfg.interval` until the returned task is aborted (or the
/// runtime stops). Passes run on the blocking pool; each is logged (info when it deleted
/// something, debug otherwise).
pub fn spawn(
    store: BlobStore,
    storage: proofwork_state::Storage,
    cfg: GcConfig,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut gc = Some(Gc::new(store.clone(), cfg));
        let mut tick = tokio::time::interval(cfg.interval.max(Duration::from_millis(10)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(mut g) = gc.take() else {
                return;
            };
            let storage = storage.clone();
            let done = tokio::task::spawn_blocking(move || {
                let r = match storage.latest() {
                    None => Ok(None),
                    Some(l) => g.pass(&storage, l.height).map(Some),
                };
                (g, r)
            })
            .await;
            let r = match done {
                Ok((g, r)) => {
                    gc = Some(g);
                    r
                }
                Err(e) => {
                    tracing::error!(error = %e, "blob gc: a pass failed to run; gc stopped");
                    return;
                }
            };
            log_pass(&store, r);
        }
    })
}

fn log_pass(store: &BlobStore, r: Result<Option<PassReport>, GcError>) {
    let rep = match r {
        Ok(Some(rep)) => rep,
        Ok(None) => {
            tracing::debug!("blob gc: no committed state yet");
            return;
        }
        Err(e) => {
            tracing::warn!(error = %e, "blob gc pass failed");
            return;
        }
    };
    let u = store.usage();
    macro_rules! pass_event {
        ($level:ident) => {
            tracing::$level!(
                height = rep.height,
                records_read = rep.records_read,
                swept = rep.swept,
                referenced = rep.referenced,
                retained = rep.retained,
                fresh = rep.fresh,
                in_use = rep.in_use,
                deferred = rep.deferred,
                deleted = rep.deleted,
                freed_bytes = rep.freed_bytes,
                blobs = u.blobs,
                stored_bytes = u.stored_bytes,
                reserved_bytes = u.reserved_bytes,
                "blob gc pass"
            )
        };
    }
    if rep.deleted > 0 {
        pass_event!(info);
    } else {
        pass_event!(debug);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blobs::{BlobLimits, BlobMeta, Expect};
    use proofwork_consensus::work::{state_key, Job, Model};

    type State = BTreeMap<Vec<u8>, Vec<u8>>;

    fn store() -> (tempfile::TempDir, BlobStore) {
        let dir = tempfile::tempdir().unwrap();
        let s = BlobStore::open(dir.path().join("blobs"), BlobLimits::default()).unwrap();
        (dir, s)
    }

    /// Stores `len` bytes from `seed`, indexed by their row root when `row_len > 0`.
    fn put(s: &BlobStore, seed: u8, len: usize, row_len: u32) -> BlobMeta {
        let d: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(seed)).collect();
        let mut up = s
            .begin(Expect {
                size: d.len() as u64,
                hash: *blake3::hash(&d).as_bytes(),
                row_len,
                row_root: None,
                leaf: Default::default(),
            })
            .unwrap();
        up.write(&d).unwrap();
        up.finish().unwrap()
    }

    fn add_job(st: &mut State, id: u64, a_root: Hash, status: JobStatus) {
        let j = Job {
            id,
            client: [1; 20],
            model_id: 1,
            m: 10,
            a_root,
            price: 1,
            commit_blocks: 20,
            reveal_blocks: 20,
            posted_height: 1,
            status,
            slashes: 0,
            last_event: String::new(),
        };
        st.insert(state_key::job(id), borsh::to_vec(&j).unwrap());
    }

    fn add_model(st: &mut State, id: u64, b_root: Hash) {
        let m = Model {
            id,
            owner: [2; 20],
            k: 10,
            n: 10,
            b_root,
            royalties: Vec::new(),
            rows_uploaded: 10,
            active: true,
            registered_height: 1,
            jobs_verified: 0,
            royalties_paid: 0,
        };
        st.insert(state_key::model(id), borsh::to_vec(&m).unwrap());
    }

    fn cfg(retain_blocks: u64) -> GcConfig {
        GcConfig {
            retain_blocks,
            ..GcConfig::default()
        }
    }

    fn stored(s: &BlobStore, m: &BlobMeta) -> bool {
        s.stat(&m.hash).is_ok()
    }

    /// A pass that must complete a sweep.
    fn sweep(gc: &mut Gc, st: &State, height: u64) -> PassReport {
        let r = gc.pass(st, height).unwrap();
        assert!(r.swept, "{r:?}");
        r
    }

    #[test]
    fn deletes_only_unreferenced_blobs_past_the_grace_period() {
        let (_d, s) = store();
        let w = [9u8; 20];
        let open = put(&s, 1, 100, 10);
        let claimed = put(&s, 2, 100, 10);
        let committed = put(&s, 3, 100, 10);
        let verified = put(&s, 4, 100, 10);
        let cancelled = put(&s, 5, 100, 10);
        let expired = put(&s, 6, 100, 10);
        let shared = put(&s, 7, 100, 10);
        let weights = put(&s, 8, 100, 10);
        let raw = put(&s, 11, 100, 0);
        let orphan = put(&s, 12, 100, 10);
        let root = |m: &BlobMeta| m.row_root.unwrap();
        let mut st = State::new();
        add_model(&mut st, 1, root(&weights));
        add_job(&mut st, 1, root(&open), JobStatus::Open);
        let claim = JobStatus::Claimed {
            worker: w,
            commit_deadline: 500,
        };
        add_job(&mut st, 2, root(&claimed), claim);
        let commit = JobStatus::Committed {
            worker: w,
            c_root: [0; 32],
            commit_height: 90,
            reveal_deadline: 500,
        };
        add_job(&mut st, 3, root(&committed), commit);
        let done = |height| JobStatus::Verified { worker: w, height };
        add_job(&mut st, 4, root(&verified), done(100));
        add_job(
            &mut st,
            5,
            root(&cancelled),
            JobStatus::Cancelled { height: 120 },
        );
        add_job(
            &mut st,
            6,
            root(&expired),
            JobStatus::Expired { height: 130 },
        );
        // One closed and one open job on the same input: still needed.
        add_job(&mut st, 7, root(&shared), done(100));
        add_job(&mut st, 8, root(&shared), JobStatus::Open);

        let mut gc = Gc::new(s.clone(), cfg(50));
        let r = sweep(&mut gc, &st, 140);
        assert_eq!((r.referenced, r.retained, r.deleted), (5, 5, 0), "{r:?}");
        assert_eq!(r.records_read, 9);

        // 100 + 50 ≤ 160: the verified job's input goes; 120 + 50 and 130 + 50 do not yet;
        // the raw and orphan blobs were first seen unreferenced at 140.
        let r = sweep(&mut gc, &st, 160);
        assert_eq!((r.deleted, r.freed_bytes), (1, 100), "{r:?}");
        assert!(!stored(&s, &verified));
        assert!(s.find_root(&root(&verified)).is_err());

        let r = sweep(&mut gc, &st, 189);
        assert_eq!(r.deleted, 2, "{r:?}");
        assert!(!stored(&s, &cancelled) && !stored(&s, &expired));
        assert!(stored(&s, &raw) && stored(&s, &orphan));
        let r = sweep(&mut gc, &st, 190);
        assert_eq!(r.deleted, 2, "{r:?}");
        assert!(!stored(&s, &raw) && !stored(&s, &orphan));
        assert!(s.find_root(&root(&orphan)).is_err());

        for m in [&open, &claimed, &committed, &shared, &weights] {
            assert!(stored(&s, m));
            assert_eq!(s.find_root(&root(m)).unwrap().hash, m.hash);
        }
        let r = sweep(&mut gc, &st, 10_000);
        assert_eq!((r.referenced, r.deleted), (5, 0), "{r:?}");

        // The open job is verified at 200: its input goes at 250, not before.
        add_job(&mut st, 1, root(&open), done(200));
        assert_eq!(sweep(&mut gc, &st, 249).deleted, 0);
        assert!(stored(&s, &open));
        assert_eq!(sweep(&mut gc, &st, 250).deleted, 1);
        assert!(!stored(&s, &open));
        assert_eq!(s.usage().blobs, 4);
        let on_disk = std::fs::read_dir(s.inner.dir.join("roots"))
            .unwrap()
            .count();
        assert_eq!(on_disk, 4, "only the kept blobs' root entries remain");
    }

    #[test]
    fn a_blob_being_downloaded_is_not_deleted() {
        let (_d, s) = store();
        let m = put(&s, 3, 5000, 0);
        let st = State::new();
        let mut gc = Gc::new(s.clone(), cfg(0));
        let (mut reader, size) = s.open_at(&m.hash, 0).unwrap();
        let r = sweep(&mut gc, &st, 10);
        assert_eq!((r.in_use, r.deleted), (1, 0), "{r:?}");
        let mut got = Vec::new();
        for _ in 0..100 {
            let c = crate::blobs::read_chunk(&mut reader, 1024).unwrap();
            if c.is_empty() {
                break;
            }
            got.extend_from_slice(&c);
        }
        assert_eq!(got.len() as u64, size);
        assert_eq!(*blake3::hash(&got).as_bytes(), m.hash);
        drop(reader);
        let r = sweep(&mut gc, &st, 11);
        assert_eq!((r.in_use, r.deleted), (0, 1), "{r:?}");
        assert_eq!(s.usage().blobs, 0);
    }

    #[test]
    fn passes_are_bounded_and_resume() {
        let (_d, s) = store();
        let a = put(&s, 1, 100, 10);
        let b = put(&s, 2, 100, 10);
        let mut st = State::new();
        for id in 1..=5 {
            add_job(&mut st, id, [id as u8; 32], JobStatus::Open);
        }
        add_job(
            &mut st,
            6,
            a.row_root.unwrap(),
            JobStatus::Cancelled { height: 1 },
        );
        add_job(
            &mut st,
            7,
            b.row_root.unwrap(),
            JobStatus::Cancelled { height: 1 },
        );
        add_model(&mut st, 1, [0xaa; 32]);
        let mut gc = Gc::new(
            s.clone(),
            GcConfig {
                retain_blocks: 0,
                max_records_per_pass: 3,
                max_deletes_per_pass: 1,
                ..GcConfig::default()
            },
        );
        let mut passes = 0;
        let mut late = None;
        let r = loop {
            passes += 1;
            assert!(passes <= 10, "the sweep did not finish");
            let r = gc.pass(&st, 10).unwrap();
            assert!(r.records_read <= 3, "{r:?}");
            if passes == 1 {
                // Stored during the sweep: judged by the next one, not this one.
                late = Some(put(&s, 3, 100, 0));
            }
            if r.swept {
                break r;
            }
        };
        // 7 jobs and 1 model, 3 per pass; a pass ending exactly at the end finds that out
        // on the next one.
        assert!(passes >= 3, "{passes}");
        assert_eq!((r.fresh, r.deleted, r.deferred), (1, 1, 1), "{r:?}");
        assert_eq!(s.usage().blobs, 2);
        let late = late.unwrap();
        for _ in 0..10 {
            gc.pass(&st, 10).unwrap();
        }
        assert!(!stored(&s, &a) && !stored(&s, &b));
        assert!(!stored(&s, &late));
    }
}
