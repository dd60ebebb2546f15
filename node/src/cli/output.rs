//! Printing results: `--output text` (the default, for people; structured results are
//! still JSON) or `--output json` (one JSON document per result, for scripts), block times
//! as RFC 3339 beside heights, and errors with their code.

use std::process::ExitCode;

use proofwork_client::Client;

use super::error::{self, Coded};

/// `--output`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Output {
    /// Lines for people.
    Text,
    /// JSON documents for scripts.
    Json,
}

impl super::Ctx {
    /// Prints a structured result: pretty JSON either way.
    pub(crate) fn print_json(&self, v: &serde_json::Value) -> anyhow::Result<()> {
        println!("{}", serde_json::to_string_pretty(v)?);
        Ok(())
    }

    /// Prints `json` under `--output json`, else the text `text` makes.
    pub(crate) fn print(
        &self,
        json: serde_json::Value,
        text: impl FnOnce() -> String,
    ) -> anyhow::Result<()> {
        match self.output {
            Output::Json => self.print_json(&json),
            Output::Text => {
                println!("{}", text());
                Ok(())
            }
        }
    }
}

/// RFC 3339 (UTC, milliseconds) of a block time in ns since the Unix epoch.
pub(crate) fn rfc3339_ns(ns: u64) -> String {
    let secs = proofwork_node::testnet::rfc3339(ns / 1_000_000_000);
    let millis = (ns % 1_000_000_000) / 1_000_000;
    match secs.strip_suffix('Z') {
        Some(s) => format!("{s}.{millis:03}Z"),
        None => secs,
    }
}

/// The time of block `height` as RFC 3339, when the node still has the block.
pub(crate) async fn block_time(c: &mut Client, height: u64) -> Option<String> {
    if height == 0 {
        return None;
    }
    c.get_block(height)
        .await
        .ok()
        .map(|b| rfc3339_ns(b.time_ns))
}

/// Reports a failed command: JSON on stdout under `--output json`, else one line on
/// stderr; exit code 1.
pub(crate) fn report_error(output: Output, e: &anyhow::Error) -> ExitCode {
    print_error(output, &error::classify(e));
    ExitCode::FAILURE
}

fn print_error(output: Output, c: &Coded) {
    match output {
        Output::Json => println!(
            "{}",
            serde_json::json!({"error": {"code": c.code, "codespace": c.codespace, "message": c.message}})
        ),
        Output::Text => eprintln!("error: {}", c.message),
    }
}

/// A command line that does not parse: clap's report (help and version exit 0), or under
/// `--output json` the error as JSON, exit code 2.
pub(crate) fn usage_error(e: clap::Error) -> ExitCode {
    let json = {
        let args: Vec<String> = std::env::args().collect();
        args.windows(2)
            .any(|w| w[0] == "--output" && w[1] == "json")
            || args.iter().any(|a| a == "--output=json")
    };
    if !json || !e.use_stderr() {
        e.exit();
    }
    let message = e.render().to_string();
    print_error(
        Output::Json,
        &Coded {
            code: error::USAGE,
            codespace: "cli".into(),
            message: message.trim().to_string(),
        },
    );
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_times_format_as_rfc3339() {
        assert_eq!(rfc3339_ns(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339_ns(1_767_225_600_123_456_789),
            "2026-01-01T00:00:00.123Z"
        );
    }
}
