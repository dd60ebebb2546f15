//! `proofwork`: the node binary. The commands live in [`cli`], one module each; this file
//! parses the line, runs the command and turns its failure into an exit code (and, under
//! `--output json`, a JSON error on stdout).

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser as _;

mod cli;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => return cli::output::usage_error(e),
    };
    cli::init_logging(&args.globals.log_format);
    let output = args.globals.output;
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return cli::output::report_error(output, &e.into()),
    };
    let result = rt.block_on(cli::run(args));
    // Threads still blocked on a socket (the ABCI acceptor, a worker's last call) must not
    // hold the exit.
    rt.shutdown_timeout(Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => cli::output::report_error(output, &e),
    }
}
