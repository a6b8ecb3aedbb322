//! A small measuring harness: the benches need every median in the same process to print
//! ratios (ours ÷ raw primitive, ours ÷ jsonwebtoken, ours ÷ josekit) in one table.
//!
//! Method. The cases of one group (say ES256 verify: raw, ours, jsonwebtoken, josekit)
//! are measured *interleaved*: each sample round times one batch of every case, in a
//! rotating order, so that load from other processes falls on all of them alike and the
//! ratios stay meaningful on a busy machine. A batch runs the case enough times to last
//! about `--batch-ms`; a sample is the batch time divided by its length; a case's time is
//! the median of `--samples` samples. The table shows medians; the detail table also
//! shows the fastest sample and the spread (median absolute deviation, in % of the
//! median), to judge how noisy a run was.
//!
//! Allocations are counted on the calling thread (see `alloc.rs`) over a few runs after
//! warm-up, and reported per operation.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use super::alloc;

/// One thing to measure: a name within its group and the operation. The operation must
/// check its own result (panic on failure), so that the smoke run proves every path works.
pub struct Case<'a> {
    pub name: &'static str,
    pub run: Box<dyn FnMut() + 'a>,
}

impl<'a> Case<'a> {
    pub fn new(name: &'static str, run: impl FnMut() + 'a) -> Self {
        Case {
            name,
            run: Box::new(run),
        }
    }
}

/// The measurement of one case.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    /// Median time per operation, in nanoseconds (0 in smoke mode).
    pub median: f64,
    /// Fastest sample, in nanoseconds.
    pub min: f64,
    /// Median absolute deviation of the samples, relative to the median.
    pub spread: f64,
    /// Heap allocation calls per operation (Rust allocator, this thread).
    pub allocs: f64,
    /// Iterations per sample.
    pub batch: u64,
}

/// Command-line options and the results so far.
pub struct Harness {
    /// Run every case once, check it, count its allocations over one more run, time
    /// nothing (`--test`, or not run by `cargo bench`).
    pub smoke: bool,
    filters: Vec<String>,
    samples: usize,
    batch: Duration,
    results: BTreeMap<String, Stats>,
    order: Vec<String>,
    pub write_workload: bool,
    pub list: bool,
}

const USAGE: &str = "\
usage: cargo bench --bench verify [--features remote] -- [OPTIONS] [FILTER...]
  FILTER          run only the cases whose id (group/case) contains one of these
                  (e.g. ES256, sign/, registration, verify/HS256/jws)
  --test          smoke run: every case once, checked, allocations counted and held to
                  their ceilings, no timing (what CI runs)
  --samples N     samples per case (default 41)
  --batch-ms N    target length of one sample's batch in milliseconds (default 4)
  --list          list the groups and exit
  --write-workload  regenerate test-vectors/bench/ (new keys and tokens) and exit; with
                  FILTERs, only the keys and tokens of the algorithms named exactly
                  (e.g. --write-workload ML-DSA-44)";

impl Harness {
    pub fn from_args() -> Harness {
        let mut h = Harness {
            // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: a
            // smoke run there, like libtest and criterion do.
            smoke: true,
            filters: Vec::new(),
            samples: 41,
            batch: Duration::from_millis(4),
            results: BTreeMap::new(),
            order: Vec::new(),
            write_workload: false,
            list: false,
        };
        let mut bench = false;
        let mut test = false;
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            match a.as_str() {
                "--bench" => bench = true,
                "--test" => test = true,
                "--list" => h.list = true,
                "--write-workload" => h.write_workload = true,
                "--samples" => h.samples = parse_num(args.next()).max(3) as usize,
                "--batch-ms" => h.batch = Duration::from_millis(parse_num(args.next()).max(1)),
                "-h" | "--help" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                // Flags meant for libtest harnesses (`--nocapture`, `--quiet`, ...).
                f if f.starts_with('-') => {}
                f => h.filters.push(f.to_owned()),
            }
        }
        h.smoke = test || !bench;
        h
    }

    /// The FILTER arguments.
    pub fn filters(&self) -> &[String] {
        &self.filters
    }

    /// Whether a group may have cases that pass the filters.
    pub fn enabled(&self, group: &str) -> bool {
        if self.list {
            println!("{group}");
            return false;
        }
        self.filters.is_empty()
            || self
                .filters
                .iter()
                .any(|f| group.contains(f.as_str()) || f.starts_with(&format!("{group}/")))
    }

    /// Whether the case `group/case` passes the filters (a filter matches any part of it).
    fn selected(&self, id: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| id.contains(f.as_str()))
    }

    /// Measures (or, in smoke mode, runs once) the cases of `group`, interleaved.
    pub fn group(&mut self, group: &str, mut cases: Vec<Case<'_>>) {
        if !self.enabled(group) {
            return;
        }
        cases.retain(|c| self.selected(&format!("{group}/{}", c.name)));
        if self.smoke {
            for c in &mut cases {
                (c.run)();
                let before = alloc::count();
                (c.run)();
                let allocs = (alloc::count() - before) as f64;
                eprintln!("ok  {group}/{}  ({allocs} allocations)", c.name);
                self.store(
                    group,
                    c.name,
                    Stats {
                        median: 0.0,
                        min: 0.0,
                        spread: 0.0,
                        allocs,
                        batch: 1,
                    },
                );
            }
            return;
        }
        eprint!("measuring {group} ...");
        let n = cases.len();
        // Warm up and size the batches: run for ~batch/2 (at least 3 times).
        let mut iters = vec![1u64; n];
        for (i, c) in cases.iter_mut().enumerate() {
            let start = Instant::now();
            let mut k = 0u64;
            while k < 3 || start.elapsed() < self.batch / 2 {
                (c.run)();
                k += 1;
            }
            let per = start.elapsed().as_nanos() as f64 / k as f64;
            iters[i] = ((self.batch.as_nanos() as f64 / per).round() as u64).clamp(1, 50_000_000);
        }
        // Allocations per operation, after warm-up.
        let mut allocs = vec![0.0; n];
        for (i, c) in cases.iter_mut().enumerate() {
            let runs = 8;
            let before = alloc::count();
            for _ in 0..runs {
                (c.run)();
            }
            allocs[i] = (alloc::count() - before) as f64 / runs as f64;
        }
        // Interleaved samples, rotating the order each round.
        let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(self.samples); n];
        for round in 0..self.samples {
            for j in 0..n {
                let i = (j + round) % n;
                let c = &mut cases[i];
                let start = Instant::now();
                for _ in 0..iters[i] {
                    (c.run)();
                }
                let t = start.elapsed().as_nanos() as f64 / iters[i] as f64;
                samples[i].push(black_box(t));
            }
        }
        for (i, c) in cases.iter().enumerate() {
            let s = &mut samples[i];
            s.sort_by(f64::total_cmp);
            let median = median_sorted(s);
            let mut dev: Vec<f64> = s.iter().map(|x| (x - median).abs()).collect();
            dev.sort_by(f64::total_cmp);
            let stats = Stats {
                median,
                min: s[0],
                spread: median_sorted(&dev) / median,
                allocs: allocs[i],
                batch: iters[i],
            };
            self.store(group, c.name, stats);
        }
        eprintln!(" done");
    }

    fn store(&mut self, group: &str, case: &str, stats: Stats) {
        let id = format!("{group}/{case}");
        if !self.results.contains_key(&id) {
            self.order.push(id.clone());
        }
        self.results.insert(id, stats);
    }

    /// The result of `group/case`, if it ran.
    pub fn get(&self, id: &str) -> Option<Stats> {
        self.results.get(id).copied()
    }

    /// Every result, in the order measured.
    pub fn all(&self) -> impl Iterator<Item = (&str, Stats)> {
        self.order.iter().map(|id| (id.as_str(), self.results[id]))
    }

    /// Whether filters narrowed the run to some cases.
    pub fn filtered(&self) -> bool {
        !self.filters.is_empty()
    }

    pub fn ran_anything(&self) -> bool {
        !self.order.is_empty()
    }

    pub fn describe(&self) -> String {
        format!(
            "{} samples per case, batches of ~{} ms, interleaved",
            self.samples,
            self.batch.as_millis()
        )
    }
}

fn parse_num(s: Option<String>) -> u64 {
    match s.as_deref().map(str::parse) {
        Some(Ok(n)) => n,
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

fn median_sorted(s: &[f64]) -> f64 {
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}

/// `1.23 µs`, `456 ns`, `1.20 ms`.
pub fn fmt_time(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else if ns >= 10_000.0 {
        format!("{:.1} µs", ns / 1000.0)
    } else if ns >= 1000.0 {
        format!("{:.2} µs", ns / 1000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

/// `a ÷ b` as `1.02×`.
pub fn fmt_ratio(a: f64, b: f64) -> String {
    format!("{:.2}×", a / b)
}

/// Allocations per operation: an integer when it is one.
pub fn fmt_allocs(a: f64) -> String {
    if (a - a.round()).abs() < 0.01 {
        format!("{}", a.round() as i64)
    } else {
        format!("{a:.1}")
    }
}
