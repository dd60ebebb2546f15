//! Ctrl-C for the long-running commands (`start`, `demo`, `worker`): the first SIGINT or
//! SIGTERM asks every part of the command to stop (they finish cleanly and exit 0); a
//! second one ends the process at once (exit 130).
//!
//! One signal listener for the whole process: `tokio::signal::ctrl_c` futures scattered in
//! several tasks swallow the signal once the one that fired is gone (which is how `demo`
//! used to keep running after its node had stopped).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context as _;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

/// A stop request, shared by the tasks of one command.
#[derive(Clone)]
pub(crate) struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    /// Starts listening for SIGINT and SIGTERM (call inside the runtime).
    pub(crate) fn install() -> anyhow::Result<Self> {
        let mut int = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
        let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            let mut seen = 0u32;
            loop {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
                seen += 1;
                if seen == 1 {
                    eprintln!("stopping (Ctrl-C again to exit at once)");
                    let _ = tx.send(true);
                } else {
                    std::process::exit(130);
                }
            }
        });
        Ok(Shutdown(rx))
    }

    /// Whether a stop was asked for.
    pub(crate) fn requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once a stop is asked for.
    pub(crate) async fn wait(&self) {
        let mut rx = self.0.clone();
        // An error means the listener is gone, i.e. the process is ending anyway.
        let _ = rx.wait_for(|stop| *stop).await;
    }

    /// The request as a flag, for loops that poll one (the worker).
    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(self.requested()));
        let (me, f) = (self.clone(), flag.clone());
        tokio::spawn(async move {
            me.wait().await;
            f.store(true, Ordering::Relaxed);
        });
        flag
    }
}
