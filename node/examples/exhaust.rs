//! The resource-exhaustion clients, long form (issue 19): against a running node, one
//! attack at a time, each bounded in count and time, while `Status` is probed on fresh
//! connections and the node's RSS is sampled. Run by `scripts/chaos/exhaust.sh`.
//!
//! `cargo run --release -p proofwork-node --example exhaust -- 127.0.0.1:PORT NODE_PID HOME`
//! (HOME: the node's home, whose `alice` key pays for the flood of transfers).

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use proofwork_node::chaos;
use tokio::time::Instant;

const MIB: u64 = 1 << 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, pid, home] = args.as_slice() else {
        anyhow::bail!("usage: exhaust 127.0.0.1:PORT NODE_PID HOME");
    };
    let addr: SocketAddr = addr.parse().context("address")?;
    let pid: u32 = pid.parse().context("pid")?;
    let home = proofwork_node::home::Home(home.into());
    let (_, alice) = proofwork_node::home::load_key(&home, "alice")?;
    let url = format!("http://{addr}");
    let base = chaos::rss_bytes(pid).context("reading the node's RSS")?;
    println!("node RSS at start: {} MiB", base / MIB);
    let mut worst = (Duration::ZERO, 0u64, base);

    macro_rules! phase {
        ($name:expr, $secs:expr, $attack:expr) => {{
            let until = Instant::now() + Duration::from_secs($secs);
            let p = tokio::spawn(chaos::probe_status(
                url.clone(),
                Duration::from_millis(250),
                Duration::from_secs(1),
                until,
            ));
            let r = tokio::spawn(chaos::peak_rss(pid, until));
            let out = $attack;
            let (p, peak) = (p.await?, r.await?);
            println!(
                "{:<28} {:>4} Status calls, {} failed or over 1 s, slowest {:>6.1} ms, peak RSS {:>5} MiB | {:?}",
                $name,
                p.calls,
                p.failures,
                p.max.as_secs_f64() * 1e3,
                peak / MIB,
                out
            );
            worst = (worst.0.max(p.max), worst.1 + p.failures, worst.2.max(peak));
        }};
    }

    phase!(
        "1,200 idle TCP",
        25,
        chaos::hostile_tcp(addr, 1200, None, Duration::from_secs(20)).await
    );
    phase!(
        "200 slow loris (1 B/s)",
        25,
        chaos::hostile_tcp(
            addr,
            200,
            Some(Duration::from_secs(1)),
            Duration::from_secs(20)
        )
        .await
    );
    phase!(
        "2,560 half-sent Blobs/Stat",
        40,
        chaos::half_sent(
            addr,
            "/proofwork.blobs.v1.Blobs/Stat",
            20,
            128,
            Duration::from_secs(35)
        )
        .await
    );
    phase!("100 never-reading streams", 60, {
        let streams = chaos::never_reading_streams(&url, 100).await?;
        chaos::flood_transfers(&url, &alice, 160).await?;
        tokio::time::sleep(Duration::from_secs(55)).await;
        drop(streams);
        "160 txs x 64 transfers"
    });
    phase!(
        "8 trickling uploads (1 B/3 s)",
        40,
        chaos::trickle_uploads(&url, 8, Duration::from_secs(3), Duration::from_secs(35))
            .await
            .iter()
            .map(|t| (t.code, t.lasted.as_secs()))
            .collect::<Vec<_>>()
    );
    println!(
        "worst: slowest Status {:.1} ms, {} failed, peak RSS {} MiB (start {} MiB)",
        worst.0.as_secs_f64() * 1e3,
        worst.1,
        worst.2 / MIB,
        base / MIB
    );
    anyhow::ensure!(
        worst.1 == 0 && worst.0 < Duration::from_secs(1),
        "Status was slow or failed"
    );
    Ok(())
}
