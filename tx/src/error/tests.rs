//! The error table: codes and names distinct, each code in its module's range, and
//! `docs/errors.md` generated from it.

use std::collections::BTreeSet;

use super::*;

#[test]
fn codes_and_names_are_distinct_and_in_a_module_range() {
    let codes: BTreeSet<u32> = ERRORS.iter().map(|e| e.code).collect();
    let names: BTreeSet<&str> = ERRORS.iter().map(|e| e.name).collect();
    assert_eq!(codes.len(), ERRORS.len(), "duplicate code");
    assert_eq!(names.len(), ERRORS.len(), "duplicate name");
    for e in ERRORS {
        assert_ne!(e.module, "unknown", "code {} is in no module range", e.code);
        assert!(!e.doc.is_empty(), "{} has no doc comment", e.variant);
    }
    assert!(
        MODULES.windows(2).all(|w| w[0].1 < w[1].0),
        "ranges overlap"
    );
}

#[test]
fn methods_read_the_table() {
    let e = TxError::InsufficientFunds {
        denom: "upw".into(),
        balance: 1,
        needed: 2,
    };
    assert_eq!(
        (e.code(), e.name(), e.codespace()),
        (10, "insufficient_funds", "tx")
    );
    assert_eq!(info(10).map(|i| i.variant), Some("InsufficientFunds"));
    let e = TxError::UnknownJob { id: 3 };
    assert_eq!(
        (e.code(), e.name(), e.codespace()),
        (411, "unknown_job", "work")
    );
    assert_eq!(TxError::SelfTrade.codespace(), "market");
    assert_eq!(TxError::LastValidator.codespace(), "validators");
    assert_eq!(info(0), None);
}

/// `docs/errors.md` as the table makes it.
fn errors_md() -> String {
    let mut rows: Vec<&ErrorInfo> = ERRORS.iter().collect();
    rows.sort_by_key(|e| e.code);
    let mut out = String::from(
        "# Tx error codes\n\n\
         Generated from the table in `tx/src/error.rs` (`tx_errors!`); do not edit by hand.\n\
         A test fails when this file is stale; `UPDATE_DOCS=1 cargo test --release -p \
         proofwork-tx errors_md` rewrites it.\n\n\
         A failed tx's ABCI result carries `code` (below), `codespace` = the module that owns \
         the code (by range) and `log` = the message. Codes never change; a client maps a \
         code to its name with this table (Rust: `proofwork_tx::error::info`).\n\n\
         | Codes | Module |\n|---|---|\n",
    );
    for (lo, hi, m) in MODULES {
        out.push_str(&format!("| {lo}–{hi} | `{m}` |\n"));
    }
    out.push_str("\n| Code | Name | Module | Description | Message |\n|---:|---|---|---|---|\n");
    for e in rows {
        let doc: Vec<&str> = e.doc.iter().map(|l| l.trim()).collect();
        let message = e.message.replace('|', "\\|");
        out.push_str(&format!(
            "| {} | `{}` | `{}` | {} | `{}` |\n",
            e.code,
            e.name,
            e.module,
            doc.join(" ").replace('|', "\\|"),
            message
        ));
    }
    out
}

#[test]
fn errors_md_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/errors.md");
    let want = errors_md();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/errors.md is stale: run UPDATE_DOCS=1 cargo test --release -p proofwork-tx errors_md"
    );
}
