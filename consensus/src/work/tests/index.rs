//! The by-status job index: paging open jobs, and every status named once.

use super::*;

#[test]
fn open_jobs_are_listed_from_the_status_index_in_pages() {
    let mut sim = Sim::new(16, 8, 8);
    sim.begin();
    for _ in 0..5 {
        sim.post(4, 1_000_000);
    }
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 2 }),
    );
    sim.ok(
        "worker",
        Message::ClaimJob(proofwork_tx::ClaimJob { job_id: 4 }),
    );
    let ids = |jobs: Vec<Job>| jobs.iter().map(|j| j.id).collect::<Vec<_>>();
    assert_eq!(
        ids(jobs_with_status(&sim.s, "posted", None, 10).unwrap()),
        [1, 3, 5]
    );
    assert_eq!(
        ids(jobs_with_status(&sim.s, "posted", Some(1), 1).unwrap()),
        [3]
    );
    assert_eq!(
        ids(jobs_with_status(&sim.s, "posted", Some(5), 10).unwrap()),
        [0u64; 0]
    );
    assert_eq!(
        ids(jobs_with_status(&sim.s, "claimed", None, 10).unwrap()),
        [2, 4]
    );
    assert!(jobs_with_status(&sim.s, "verified", None, 10)
        .unwrap()
        .is_empty());
    check_status_index(&sim.s);
    sim.end();
}

#[test]
fn status_names_list_every_status_once() {
    let every = [
        JobStatus::Open,
        JobStatus::Claimed {
            worker: [0; 20],
            commit_deadline: 0,
        },
        JobStatus::Committed {
            worker: [0; 20],
            c_root: [0; 32],
            commit_height: 0,
            reveal_deadline: 0,
        },
        JobStatus::Verified {
            worker: [0; 20],
            height: 0,
        },
        JobStatus::Cancelled { height: 0 },
        JobStatus::Expired { height: 0 },
    ];
    let names: Vec<&str> = every.iter().map(JobStatus::name).collect();
    assert_eq!(names, JobStatus::NAMES);
}
