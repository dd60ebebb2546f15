//! Copy-on-write overlays over committed state.

use std::collections::BTreeMap;

use crate::StateError;

/// Rows of a prefix scan, in key order.
pub type KvPairs = Vec<(Vec<u8>, Vec<u8>)>;

/// Pending writes: `None` deletes the key. A `BTreeMap`, so iteration order is the key order.
pub type WriteSet = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Read access to state.
pub trait StateRead {
    /// The value under `key`, if any.
    ///
    /// # Errors
    /// A storage failure, which must halt the node.
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError>;

    /// Every `(key, value)` under `prefix`, in key order, at most `limit` of them, starting
    /// after `start_after` when given.
    ///
    /// # Errors
    /// A storage failure.
    fn scan_prefix(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<KvPairs, StateError>;
}

/// Write access to state. Writes are buffered and never fail; storage errors surface on
/// read or at commit.
pub trait StateWrite: StateRead {
    /// Sets `key` to `value`.
    fn put_raw(&mut self, key: Vec<u8>, value: Vec<u8>);
    /// Removes `key`.
    fn delete(&mut self, key: Vec<u8>);
}

impl<T: StateRead + ?Sized> StateRead for &T {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        (**self).get_raw(key)
    }
    fn scan_prefix(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<KvPairs, StateError> {
        (**self).scan_prefix(prefix, start_after, limit)
    }
}

/// Buffered writes over a base state. Nest one per tx over one per block, so that a failed
/// tx is dropped without touching the block's writes.
pub struct StateDelta<R> {
    base: R,
    writes: WriteSet,
}

impl<R: StateRead> StateDelta<R> {
    /// An empty overlay over `base`.
    pub fn new(base: R) -> Self {
        StateDelta {
            base,
            writes: WriteSet::new(),
        }
    }

    /// The buffered writes.
    pub fn writes(&self) -> &WriteSet {
        &self.writes
    }

    /// Takes the buffered writes, leaving the overlay empty.
    pub fn take_writes(&mut self) -> WriteSet {
        std::mem::take(&mut self.writes)
    }

    /// Consumes the overlay, returning its writes.
    pub fn into_writes(self) -> WriteSet {
        self.writes
    }

    /// Applies writes from a child overlay.
    pub fn apply(&mut self, writes: WriteSet) {
        self.writes.extend(writes);
    }

    /// The base state.
    pub fn base(&self) -> &R {
        &self.base
    }
}

/// Writes `writes` (a child overlay's) into `state`, in key order.
pub fn apply_writes<S: StateWrite>(state: &mut S, writes: WriteSet) {
    for (k, v) in writes {
        match v {
            Some(v) => state.put_raw(k, v),
            None => state.delete(k),
        }
    }
}

/// Runs `f` over a child overlay of `state` and keeps its writes only if it succeeds: a
/// refusal comes back as `Ok(Err(_))` with `state` untouched (as a failed tx leaves it), a
/// storage failure or broken invariant as `Err`, which must halt.
///
/// # Errors
/// [`StateError`] from `f`.
pub fn attempt<S: StateWrite, T>(
    state: &mut S,
    f: impl FnOnce(&mut StateDelta<&S>) -> Result<T, crate::ExecError>,
) -> Result<Result<T, proofwork_tx::TxError>, StateError> {
    let mut child = StateDelta::new(&*state);
    match f(&mut child) {
        Ok(v) => {
            let writes = child.into_writes();
            apply_writes(state, writes);
            Ok(Ok(v))
        }
        Err(crate::ExecError::Tx(e)) => Ok(Err(e)),
        Err(crate::ExecError::State(e)) => Err(e),
    }
}

impl<R: StateRead> StateRead for StateDelta<R> {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        match self.writes.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.base.get_raw(key),
        }
    }

    fn scan_prefix(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<KvPairs, StateError> {
        // Merge the base scan with the overlay. Deletions in the overlay may hide base rows,
        // so fetch enough base rows to cover them.
        let lower = start_after
            .map(|s| s.to_vec())
            .unwrap_or_else(|| prefix.to_vec());
        let overlay: Vec<(&Vec<u8>, &Option<Vec<u8>>)> = self
            .writes
            .range(lower.clone()..)
            .filter(|(k, _)| start_after.is_none_or(|s| k.as_slice() > s))
            .take_while(|(k, _)| k.starts_with(prefix))
            .collect();
        let hidden = overlay.len();
        let base = self
            .base
            .scan_prefix(prefix, start_after, limit.saturating_add(hidden))?;
        let mut merged: BTreeMap<Vec<u8>, Vec<u8>> = base.into_iter().collect();
        for (k, v) in overlay {
            match v {
                Some(v) => merged.insert(k.clone(), v.clone()),
                None => merged.remove(k),
            };
        }
        Ok(merged.into_iter().take(limit).collect())
    }
}

impl<R: StateRead> StateWrite for StateDelta<R> {
    fn put_raw(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.writes.insert(key, Some(value));
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.writes.insert(key, None);
    }
}

/// An in-memory state, for tests and for building genesis.
impl StateRead for BTreeMap<Vec<u8>, Vec<u8>> {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.get(key).cloned())
    }

    fn scan_prefix(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<KvPairs, StateError> {
        Ok(self
            .range(prefix.to_vec()..)
            .filter(|(k, _)| start_after.is_none_or(|s| k.as_slice() > s))
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_delta_reads_through_and_drops_on_failure() {
        let mut base = BTreeMap::new();
        base.insert(b"a".to_vec(), b"1".to_vec());
        let mut block = StateDelta::new(&base);
        block.put_raw(b"b".to_vec(), b"2".to_vec());
        {
            let mut tx = StateDelta::new(&block);
            tx.delete(b"a".to_vec());
            assert_eq!(tx.get_raw(b"a").unwrap(), None);
            assert_eq!(tx.get_raw(b"b").unwrap(), Some(b"2".to_vec()));
            // dropped: a failed tx
        }
        assert_eq!(block.get_raw(b"a").unwrap(), Some(b"1".to_vec()));
        let writes = {
            let mut tx = StateDelta::new(&block);
            tx.put_raw(b"c".to_vec(), b"3".to_vec());
            tx.into_writes()
        };
        block.apply(writes);
        assert_eq!(block.get_raw(b"c").unwrap(), Some(b"3".to_vec()));
    }

    #[test]
    fn scan_merges_overlay_and_base_in_key_order() {
        let mut base = BTreeMap::new();
        for k in ["p/1", "p/2", "p/3", "q/1"] {
            base.insert(k.as_bytes().to_vec(), b"base".to_vec());
        }
        let mut d = StateDelta::new(&base);
        d.delete(b"p/2".to_vec());
        d.put_raw(b"p/25".to_vec(), b"new".to_vec());
        let rows = d.scan_prefix(b"p/", None, 10).unwrap();
        let keys: Vec<_> = rows
            .iter()
            .map(|(k, _)| String::from_utf8(k.clone()).unwrap())
            .collect();
        assert_eq!(keys, ["p/1", "p/25", "p/3"]);
        let page = d.scan_prefix(b"p/", Some(b"p/1"), 1).unwrap();
        assert_eq!(page[0].0, b"p/25");
    }
}
