//! The child protocol (harness/child.cpp) in Rust: the flags in, the tally, one JSON
//! line out. Plumbing only; main.rs shows the idiom.
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Arguments {
    pub sleep: bool,
    pub items: usize,
    pub concurrency: usize,
    pub delay: Duration,
    pub timeout: Duration,
    host: String,
    port: u64,
}

impl Arguments {
    /// The C++ models' request (models/wire): lower-case code, the delay asked.
    pub fn url(&self, index: usize) -> hyper::Uri {
        let cc: String = [b'a' + (index / 26 % 26) as u8, b'a' + (index % 26) as u8]
            .iter().map(|&b| b as char).collect();
        format!("http://{}:{}/flags/{cc}/{cc}.gif?delay_ms={}", self.host, self.port,
                self.delay.as_millis()).parse().unwrap()
    }
}

fn usage(message: &str) -> ! {
    eprintln!("rust_tokio: {message}"); // one line and exit 2, like hammertime child
    std::process::exit(2);
}

pub fn parse_arguments() -> Arguments {
    let given: Vec<String> = std::env::args().skip(1).collect();
    if given.iter().any(|a| a == "--version") {
        println!("{}", option_env!("HAMMERTIME_RUSTC").unwrap_or("rustc (version unknown)"));
        std::process::exit(0);
    }
    let names = ["--model", "--workload", "--items", "--concurrency", "--delay-ms",
                 "--timeout-ms", "--host", "--port"];
    let mut values = std::collections::HashMap::new();
    for pair in given.chunks(2) {
        if !names.contains(&pair[0].as_str()) { usage(&format!("unknown argument '{}'", pair[0])); }
        let value = pair.get(1).unwrap_or_else(|| usage(&format!("{} needs a value", pair[0])));
        values.insert(pair[0].clone(), value.clone());
    }
    let whole = |name: &str, least: u64, most: u64, otherwise: Option<&str>| -> u64 {
        let text = values.get(name).map(String::as_str).or(otherwise)
            .unwrap_or_else(|| usage(&format!("{name} is missing")));
        match text.parse::<u64>() {
            Ok(value) if text.bytes().all(|b| b.is_ascii_digit()) && (least..=most).contains(&value) => value,
            _ => usage(&format!("bad {name} '{text}': expected a whole number {least}..{most}")),
        }
    };
    let workload = values.get("--workload").map(String::as_str).unwrap_or("");
    if workload != "flags" && workload != "sleep" { usage(&format!("unknown --workload '{workload}'")); }
    Arguments {
        sleep: workload == "sleep",
        items: whole("--items", 1, 1_000_000_000, None) as usize,
        concurrency: whole("--concurrency", 1, 1_000_000_000, None) as usize,
        delay: Duration::from_millis(whole("--delay-ms", 0, 600_000, None)),
        timeout: Duration::from_millis(whole("--timeout-ms", 1, 3_600_000, None)),
        host: match values.get("--host") {  // IPv6 in brackets, as URLs write it
            Some(host) if host.contains(':') => format!("[{}]", host),
            Some(host) => host.clone(),
            None => "127.0.0.1".into(),
        },
        port: whole("--port", 0, 65535, Some("0")),
    }
}

/// ok + not_found + failed = N; one latency slot an item (touched before the baseline),
/// [index, start µs, end µs] for every stride-th item (the report's timeline).
pub struct Tally {
    ok: AtomicU64, not_found: AtomicU64, failed: AtomicU64, bytes: AtomicU64,
    latencies_ms: Vec<AtomicU64>,
    item_times: Mutex<Vec<[u64; 3]>>,
    stride: usize,
    clock_start: Mutex<Option<Instant>>,
}

impl Tally {
    pub fn count(&self, index: usize, status: u16, bytes: u64, started: Instant) {
        self.bytes.fetch_add(bytes, Relaxed); // every answer's body, as the C++ tally counts
        match status { 200 => &self.ok, 404 => &self.not_found, _ => &self.failed }.fetch_add(1, Relaxed);
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        self.latencies_ms[index].store(latency_ms.to_bits(), Relaxed);
        if index % self.stride == 0 {
            let start = self.clock_start.lock().unwrap().unwrap();
            let us = |at: Instant| at.saturating_duration_since(start).as_micros() as u64;
            self.item_times.lock().unwrap().push([index as u64, us(started), us(Instant::now())]);
        }
    }
}

fn proc_bytes(path: &str, key: &str) -> u64 {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines().find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()).unwrap_or(0) * 1024
}

fn cpu_seconds() -> (f64, f64) {
    let (mut user, mut system) = (0.0, 0.0);
    for who in [libc::RUSAGE_SELF, libc::RUSAGE_CHILDREN] {
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(who, &mut usage) };
        user += usage.ru_utime.tv_sec as f64 + usage.ru_utime.tv_usec as f64 / 1e6;
        system += usage.ru_stime.tv_sec as f64 + usage.ru_stime.tv_usec as f64 / 1e6;
    }
    (user, system)
}

/// Sockets this process holds: those left open after the clock (beyond the ones it held
/// before) say a row's clock stopped before its connections were closed.
fn open_sockets() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|dir| dir.flatten()
        .filter(|fd| std::fs::read_link(fd.path()).map_or(false, |l| l.to_string_lossy().starts_with("socket:")))
        .count()).unwrap_or(0)
}

/// The page cache charged to the cgroup: memory.stat's file (v2) or total_cache (v1).
fn file_cache_bytes(folder: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("{folder}/memory.stat")).unwrap_or_default();
    let field = |key: &str| stat.lines().find_map(|line| {
        let mut parts = line.split_whitespace();
        (parts.next()? == key).then(|| parts.next()?.parse::<u64>().ok()).flatten()
    });
    field("file").or_else(|| field("total_cache")).unwrap_or(0)
}

/// What the memory cgroup the harness made for this cell holds now, if it made one, less
/// its file cache (as the harness's memory_cgroup.cpp reads it).
fn cgroup_bytes() -> Option<u64> {
    let folder = std::env::var("HAMMERTIME_MEMORY_CGROUP").ok()?;
    ["memory.usage_in_bytes", "memory.current"].iter()
        .find_map(|name| std::fs::read_to_string(format!("{folder}/{name}")).ok()?.trim().parse::<u64>().ok())
        .map(|usage| usage.saturating_sub(file_cache_bytes(&folder)))
}

/// Runs work once around the measurements and prints the child's JSON line.
pub fn report(args: &Arguments, runtime_threads: usize, work: impl FnOnce(Arc<Tally>)) {
    let stride = (args.items + 1999) / 2000;
    let tally = Arc::new(Tally {
        ok: AtomicU64::new(0), not_found: AtomicU64::new(0), failed: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        latencies_ms: (0..args.items).map(|_| AtomicU64::new(u64::MAX)).collect(), // touched
        item_times: Mutex::new(Vec::with_capacity(args.items / stride + 1)),
        stride, clock_start: Mutex::new(None),
    });
    let baseline_pss = proc_bytes("/proc/self/smaps_rollup", "Pss:");
    let baseline_rss = proc_bytes("/proc/self/status", "VmRSS:");
    let baseline_cgroup = cgroup_bytes();
    let (user_before, system_before) = cpu_seconds();
    let sockets = open_sockets();
    let started = Instant::now();
    *tally.clock_start.lock().unwrap() = Some(started);
    work(tally.clone());
    let wall = started.elapsed().as_secs_f64();
    let (user_after, system_after) = cpu_seconds();
    let mut sorted: Vec<f64> = tally.latencies_ms.iter().map(|l| l.load(Relaxed))
        .filter(|&bits| bits != u64::MAX).map(f64::from_bits).collect();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let percentile = |f: f64| if sorted.is_empty() { 0.0 } else {
        sorted[((f * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1] };
    let times: Vec<String> = tally.item_times.lock().unwrap().iter()
        .map(|t| format!("[{},{},{}]", t[0], t[1], t[2])).collect();
    let cgroup = baseline_cgroup.map_or(String::new(), |b| format!(",\"baseline_cgroup_bytes\":{b}"));
    println!("{{\"model\":\"rust_tokio\",\"workload\":\"{}\",\"items\":{},\"concurrency\":{},\
\"delay_ms\":{},\"timeout_ms\":{},\"wall_seconds\":{wall},\"ok\":{},\"not_found\":{},\"failed\":{},\
\"bytes\":{},\"p50_ms\":{},\"p99_ms\":{},\"max_ms\":{},\"baseline_pss_bytes\":{baseline_pss},\
\"baseline_rss_bytes\":{baseline_rss},\"vm_hwm_bytes\":{},\"cpu_user_seconds\":{},\
\"cpu_system_seconds\":{},\"runtime_threads\":{runtime_threads},\"tasks_held\":{},\
\"sockets_left_open\":{},\"item_times\":[{}]{cgroup}}}",
        if args.sleep { "sleep" } else { "flags" }, args.items, args.concurrency,
        args.delay.as_millis(), args.timeout.as_millis(), tally.ok.load(Relaxed),
        tally.not_found.load(Relaxed), tally.failed.load(Relaxed), tally.bytes.load(Relaxed),
        percentile(0.5), percentile(0.99), percentile(1.0),
        proc_bytes("/proc/self/status", "VmHWM:"), user_after - user_before,
        system_after - system_before, args.concurrency.min(args.items), open_sockets() as i64 - sockets as i64,
        times.join(","));
}
