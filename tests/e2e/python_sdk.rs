//! The Python SDK (`clients/python`) against the node built for this test run:
//! `scripts/test-python.sh` makes its virtualenv, installs the SDK and runs pytest (bad-input
//! table, proofs verified in Python, streams, the job market with a CPU worker).

use crate::support::BIN;

#[test]
fn python_sdk_tests_pass_against_a_real_node() {
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output();
    if !matches!(python, Ok(ref o) if o.status.success()) {
        eprintln!("skipped: python3 is not installed (the Python SDK tests need it)");
        return;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new("bash")
        .arg(root.join("scripts/test-python.sh"))
        .current_dir(&root)
        .env("PROOFWORK_BIN", BIN)
        .output()
        .expect("run scripts/test-python.sh");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{text}");
    assert!(out.status.success(), "Python SDK tests failed:\n{text}");
    assert!(
        text.contains(" passed") || text.contains("skipped"),
        "no pytest summary:\n{text}"
    );
}
