//! The Python SDK (`clients/python`) against the node built for this test run:
//! `scripts/test-python.sh` makes its virtualenv, installs the SDK and runs pytest (bad-input
//! table, proofs verified in Python, streams, the job market with a CPU worker, and the digits
//! inference example).

use std::io::Write as _;

use crate::support::BIN;

/// `scripts/test-python.sh ARGS` (pytest arguments): `None` when python3 is absent, else
/// whether it passed and its output.
fn run_python_tests(args: &[&str]) -> Option<(bool, String)> {
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output();
    if !matches!(python, Ok(ref o) if o.status.success()) {
        crate::support::skip("python3 is not installed (the Python SDK tests need it)");
        return None;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new("bash")
        .arg(root.join("scripts/test-python.sh"))
        .args(args)
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
    Some((out.status.success(), text))
}

#[test]
fn python_sdk_tests_pass_against_a_real_node() {
    // The digits example has its own test below.
    let Some((ok, text)) = run_python_tests(&["--ignore=tests/test_digits.py"]) else {
        return;
    };
    assert!(ok, "Python SDK tests failed:\n{text}");
    assert!(
        text.contains(" passed") || text.contains("skipped"),
        "no pytest summary:\n{text}"
    );
}

/// Issue 14's inference run: an int8 MLP trained on scikit-learn's bundled digits, both
/// layers' GEMMs posted as jobs on a real node (ephemeral ports), worked by `proofwork
/// worker` on the CPU, verified on chain, `C` downloaded and checked against `c_root`; the
/// accuracy must equal the same integer computation done locally. Its accuracy line is
/// written straight to stderr, so that it shows in the test run's output even when the test
/// passes. Skipped (with the reason printed) when scikit-learn cannot be installed.
#[test]
fn digits_inference_example_runs_its_gemms_through_the_chain() {
    let Some((ok, text)) = run_python_tests(&["tests/test_digits.py"]) else {
        return;
    };
    assert!(ok, "digits example tests failed:\n{text}");
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("digits example: "))
        .collect();
    if lines.is_empty() {
        assert!(
            text.contains("scikit-learn is not installed"),
            "the digits example neither ran nor was skipped for scikit-learn:\n{text}"
        );
        let _ = writeln!(
            std::io::stderr(),
            "digits example skipped: scikit-learn is not installed"
        );
        return;
    }
    assert!(
        lines.iter().any(|l| l.contains("accuracy: ")),
        "no accuracy line:\n{text}"
    );
    assert!(
        lines.iter().any(|l| l.contains("match: ")),
        "no match line:\n{text}"
    );
    let mut err = std::io::stderr();
    for l in lines {
        let _ = writeln!(err, "{l}");
    }
}
