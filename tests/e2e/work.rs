//! Useful work through the real binary: a client posts a job, `proofwork worker` claims it,
//! computes, commits, waits for the beacon and reveals; the chain verifies it, and credits
//! and royalties show up in `proofwork query`.

use std::time::{Duration, Instant};

use proofwork_client::Client;
use proofwork_node::worker::{post_demo_job, post_demo_job_in, register_demo_model};
use proofwork_proto::blobs::v1::StatRequest;

use crate::support::{cli_ok, sample, TestNode};

/// `proofwork worker` (CPU backend) as `key` until one job is settled; its output.
fn work_one_job(node: &TestNode, key: &str) -> String {
    cli_ok(&[
        "worker",
        "--home",
        node.home_str(),
        "--node",
        &node.url(),
        "--key",
        key,
        "--backend",
        "cpu",
        "--max-jobs",
        "1",
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_is_posted_worked_verified_and_paid_through_the_binary() {
    // The blob GC keeps `A` while the job is open and collects it 10 blocks after it closes.
    let node = TestNode::start_configured(200, |cfg| {
        cfg.blobs.retain_blocks = 10;
        cfg.blobs.gc_interval_ms = 200;
    });
    let _ = node.client().await;
    let mut api = Client::connect(&node.url()).await.unwrap();
    let alice = node.key("alice");
    let carol = node.key("carol").public_key().address();
    let dave = node.key("dave").public_key().address();
    let carol_before = api.balance(&carol, "upw").await.unwrap();
    let (model_id, _) = register_demo_model(&mut api, &alice, 128, 128, vec![(carol, 1_000)], 7)
        .await
        .unwrap();
    let job_id = post_demo_job(&mut api, &alice, model_id, (64, 128), 100_000, 8)
        .await
        .unwrap();
    let posted = api.job(job_id).await.unwrap();
    assert_eq!(posted.status, "posted");
    let a_root = posted.a_root.clone();
    let out = work_one_job(&node, "dave");
    assert!(out.contains("VERIFIED"), "worker output:\n{out}");
    let jobs: serde_json::Value =
        serde_json::from_str(&cli_ok(&["query", "--node", &node.url(), "jobs"])).unwrap();
    let job = &jobs.as_array().unwrap()[job_id as usize - 1];
    assert_eq!(job["status"], "verified", "{jobs}");
    assert_eq!(job["worker"], dave.to_string());
    // 64·128·128 MACs / 65536 per credit = 16 credits.
    let credits = cli_ok(&["query", "--node", &node.url(), "credits", &dave.to_string()]);
    assert_eq!(credits.trim(), "16");
    // Royalty: 10% of (price − 10% burn) = 9000 upw to carol.
    let models: serde_json::Value =
        serde_json::from_str(&cli_ok(&["query", "--node", &node.url(), "models"])).unwrap();
    assert_eq!(models[model_id as usize - 1]["royalties_paid"], "9000");
    let carol_after: u128 = cli_ok(&[
        "query",
        "--node",
        &node.url(),
        "balance",
        &carol.to_string(),
    ])
    .trim()
    .parse()
    .unwrap();
    assert_eq!(carol_after - carol_before, 9_000);
    let workers: serde_json::Value =
        serde_json::from_str(&cli_ok(&["query", "--node", &node.url(), "workers"])).unwrap();
    assert_eq!(workers[0]["jobs_verified"], 1);
    assert_eq!(workers[0]["slashes"], 0);

    // Dave spends its 16 credits on a job of the same size (priced in credits: exactly its
    // 16 credits of work); bob works it; the model's 10 % royalty is paid in credits.
    let credit_job = post_demo_job_in(
        &mut api,
        &node.key("dave"),
        model_id,
        (64, 128),
        16,
        Some("credit"),
        9,
    )
    .await
    .unwrap();
    let out = work_one_job(&node, "bob");
    assert!(out.contains("VERIFIED"), "worker output:\n{out}");
    assert_eq!(api.job(credit_job).await.unwrap().status, "verified");
    let bob = node.key("bob").public_key().address();
    let credits_of = |who: String| {
        cli_ok(&["query", "--node", &node.url(), "credits", &who])
            .trim()
            .to_string()
    };
    assert_eq!(credits_of(dave.to_string()), "0");
    assert_eq!(credits_of(carol.to_string()), "2"); // ⌈16 · 10 %⌉ (royalties round up)
                                                    // Bob's 14: 7 now, 7 held until dave confirms or the delivery window ends (ADR 008).
    assert_eq!(credits_of(bob.to_string()), "7");
    cli_ok(&[
        "work",
        "confirm",
        "--home",
        node.home_str(),
        "--node",
        &node.url(),
        "--from",
        "dave",
        &credit_job.to_string(),
    ]);
    assert_eq!(credits_of(bob.to_string()), "14");
    let models: serde_json::Value =
        serde_json::from_str(&cli_ok(&["query", "--node", &node.url(), "models"])).unwrap();
    assert_eq!(models[model_id as usize - 1]["credit_royalties_paid"], "2");
    assert_eq!(models[model_id as usize - 1]["royalties_paid"], "9000");
    // Both reveals were spot-checked in ProcessProposal, and B·r was computed ahead of them.
    let m = node.metrics();
    let checks = sample(&m, "proofwork_proof_verify_seconds_count").unwrap_or(0);
    assert!(checks >= 2, "proof_verify_seconds_count = {checks}\n{m}");
    let prefetched = sample(&m, "proofwork_work_br_prefetched_total").unwrap_or(0);
    assert!(prefetched >= 1, "work_br_prefetched = {prefetched}\n{m}");
    // The job is closed: its input leaves the node's blob store (bounded wait).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let found = api
            .blobs()
            .stat(StatRequest {
                row_root: a_root.clone(),
                ..Default::default()
            })
            .await;
        match found {
            Err(e) if e.code() == tonic::Code::NotFound => break,
            Err(e) => panic!("{e:?}"),
            Ok(_) => {}
        }
        assert!(
            Instant::now() < deadline,
            "the verified job's input was not collected; log:\n{}",
            node.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `A` of 5 MiB (above the 4 MiB gRPC message limit) goes up through `Blobs.Upload` in
/// chunks, and `proofwork worker` streams it down, checks it against the job's `a_root`,
/// computes and gets verified. A tall thin `A` (327 680 × 16) keeps the GEMM trivial.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_with_a_larger_than_4_mib_is_worked_through_the_blob_store() {
    // 1 s blocks: the default 20-block commit window must cover a debug-build proof over
    // 327 680 rows on a loaded machine (a missed commit is slashed and the job reopens).
    let node = TestNode::start(1000);
    let _ = node.client().await;
    let mut api = Client::connect(&node.url()).await.unwrap();
    let alice = node.key("alice");
    let (model_id, _) = register_demo_model(&mut api, &alice, 16, 16, vec![], 11)
        .await
        .unwrap();
    let m = (5u32 << 20) / 16;
    let job_id = post_demo_job(&mut api, &alice, model_id, (m, 16), 1_000_000, 12)
        .await
        .unwrap();
    let out = work_one_job(&node, "dave");
    assert!(out.contains("VERIFIED"), "worker output:\n{out}");
    let job = api.job(job_id).await.unwrap();
    assert_eq!((job.status.as_str(), job.slashes), ("verified", 0));
}

/// Issue 14: the job market from `.npy` files through the CLI, under the default genesis: a
/// model registered from B.npy, a job posted from A.npy, `proofwork worker` works it and
/// uploads C, `proofwork work result` downloads C.npy, checks every row against the
/// committed c_root, and it equals the local product; the client confirms and the worker's
/// held pay is released. `PROOFWORK_E2E_BIG=1` runs the 4096 × 4096 model with m = 4096
/// (`PROOFWORK_E2E_M=16384` for m = 16384) and prints the phases (BENCHMARKS.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_from_npy_files_is_worked_and_its_verified_output_downloaded() {
    let big = std::env::var_os("PROOFWORK_E2E_BIG").is_some();
    // `PROOFWORK_E2E_M` sets m of the big run (e.g. 16384).
    let big_m = std::env::var("PROOFWORK_E2E_M")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4096);
    let (m, k, n) = if big {
        (big_m, 4096, 4096)
    } else {
        (300, 256, 192)
    };
    let node = TestNode::start(500);
    let _ = node.client().await;
    let dir = tempfile::tempdir().unwrap();
    let a = proofwork_kernels::random_i8(21, m * k);
    let b = proofwork_kernels::random_i8(22, k * n);
    let bytes = |v: &[i8]| v.iter().map(|&x| x as u8).collect::<Vec<u8>>();
    let (a_path, b_path, c_path) = (
        dir.path().join("A.npy"),
        dir.path().join("B.npy"),
        dir.path().join("C.npy"),
    );
    proofwork_node::npy::write_i8(&a_path, m, k, &bytes(&a)).unwrap();
    proofwork_node::npy::write_i8(&b_path, k, n, &bytes(&b)).unwrap();
    let url = node.url();
    let base = [
        "--home",
        node.home_str(),
        "--node",
        &url,
        "--output",
        "json",
    ];
    let run = |args: &[&str]| -> serde_json::Value {
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(&base);
        let out = cli_ok(&all);
        // The last JSON document the command printed.
        let start = out.rfind("\n{").map_or(0, |i| i + 1);
        serde_json::from_str(&out[start..]).unwrap_or_else(|e| panic!("{e}: {out}"))
    };
    let t0 = Instant::now();
    let reg = run(&[
        "work",
        "register-model",
        "--from",
        "alice",
        "--weights",
        b_path.to_str().unwrap(),
        "--royalty",
        "carol:500",
    ]);
    let model_id = reg["model_id"].as_u64().unwrap();
    let t_register = t0.elapsed();
    let price = run(&[
        "work",
        "price",
        "--model",
        &model_id.to_string(),
        "--rows",
        &m.to_string(),
    ]);
    assert!(price["commit_floor"].as_u64().unwrap() >= 3, "{price}");
    let t1 = Instant::now();
    let posted = run(&[
        "work",
        "post-job",
        "--from",
        "alice",
        "--model",
        &model_id.to_string(),
        "--input",
        a_path.to_str().unwrap(),
    ]);
    let job_id = posted["job_id"].as_u64().unwrap();
    assert_eq!(posted["price"], price["min_price"]);
    let t_post = t1.elapsed();
    let t2 = Instant::now();
    let out = work_one_job(&node, "dave");
    let t_work = t2.elapsed();
    assert!(out.contains("VERIFIED"), "worker output:\n{out}");
    assert!(out.contains("uploaded C"), "worker output:\n{out}");
    let status = run(&["work", "status", &job_id.to_string()]);
    assert_eq!(status["status"], "verified");
    assert_eq!(status["delivery"], "pending");
    assert_eq!(status["c_root"].as_str().unwrap().len(), 64);
    assert!(status["commit_height"].as_u64().unwrap() > 0);
    assert_eq!(status["sampled_rows"], 96);
    let t3 = Instant::now();
    let got = run(&[
        "work",
        "result",
        &job_id.to_string(),
        "--out",
        c_path.to_str().unwrap(),
        "--confirm",
        "alice",
    ]);
    assert_eq!(got["rows_checked"].as_u64().unwrap(), m as u64);
    let t_result = t3.elapsed();
    let c = proofwork_node::npy::parse(&std::fs::read(&c_path).unwrap()).unwrap();
    assert_eq!((c.rows, c.cols, c.descr.as_str()), (m, n, "<i4"));
    let t4 = Instant::now();
    let want = proofwork_kernels::cpu::gemm_i8(&a, &b, m, k, n).unwrap();
    let t_gemm = t4.elapsed();
    // The phases, for BENCHMARKS.md (as ratios to the local GEMM of the same run).
    let r = |d: Duration| d.as_secs_f64() / t_gemm.as_secs_f64();
    eprintln!(
        "{m}x{k}x{n}: GEMM alone {:.2} s; register B {:.2} s ({:.1}x); post + upload A {:.2} s \
         ({:.1}x); worker claim..verified {:.2} s ({:.1}x); download + check C {:.2} s ({:.1}x)\n\
         worker output:\n{out}",
        t_gemm.as_secs_f64(),
        t_register.as_secs_f64(),
        r(t_register),
        t_post.as_secs_f64(),
        r(t_post),
        t_work.as_secs_f64(),
        r(t_work),
        t_result.as_secs_f64(),
        r(t_result),
    );
    let want: Vec<u8> = want.iter().flat_map(|v| v.to_le_bytes()).collect();
    assert!(c.data == want, "C.npy differs from the local product");
    let status = run(&["work", "status", &job_id.to_string()]);
    assert_eq!(status["delivery"], "released");
    assert_eq!(status["held"], "0");
    // Issue 15: `work challenge` recomputes A·B: every row is right, so nothing is sent; a
    // challenge of a named right row is sent and refuted (the job's one challenge).
    let a = a_path.to_str().unwrap();
    let none = run(&[
        "work",
        "challenge",
        "--from",
        "alice",
        &job_id.to_string(),
        "--input",
        a,
    ]);
    assert_eq!(none["sent"], false, "{none}");
    let sent = run(&[
        "work",
        "challenge",
        "--from",
        "alice",
        &job_id.to_string(),
        "--input",
        a,
        "--row",
        "0",
    ]);
    assert!(sent.to_string().contains("refuted"), "{sent}");
}
