//! rust_tokio: tokio's multi-thread runtime, a task an item spawned once a Semaphore
//! grants one of C permits, hyper's Client keeping C connections. Sleep:
//! tokio::time::sleep in each task, N at once when C = N. protocol.rs speaks
//! harness/child.cpp's protocol.
mod protocol;

use std::sync::Arc;
use std::time::Instant;

use hyper::{body, Client};
use tokio::sync::Semaphore;

use protocol::{Arguments, Tally};

// tag::rust_tokio[]
async fn fetch(client: &Client<hyper::client::HttpConnector>, url: hyper::Uri) -> (u16, u64) {
    let response = match client.get(url).await {
        Ok(response) => response,
        Err(_) => return (0, 0),
    };
    let status = response.status().as_u16();
    match body::to_bytes(response.into_body()).await {
        Ok(bytes) => (status, bytes.len() as u64),
        Err(_) => (0, 0), // a reset or a short body
    }
}

async fn work(args: Arc<Arguments>, tally: Arc<Tally>) {
    let client = Client::builder().pool_max_idle_per_host(args.concurrency).build_http();
    let in_flight = Arc::new(Semaphore::new(args.concurrency));
    for index in 0..args.items {
        let permit = in_flight.clone().acquire_owned().await.unwrap(); // C at most
        let (args, tally) = (args.clone(), tally.clone());
        // Two task bodies, so a sleeping task's future holds only a sleep, not an HTTP
        // exchange's state as well.
        if args.sleep {
            tokio::spawn(async move {
                let started = Instant::now();
                tokio::time::sleep(args.delay).await;
                tally.count(index, 200, 0, started);
                drop(permit);
            });
        } else {
            let client = client.clone();
            tokio::spawn(async move {
                let started = Instant::now();
                let answer = tokio::time::timeout(args.timeout, fetch(&client, args.url(index)));
                let (status, bytes) = answer.await.unwrap_or((0, 0));
                tally.count(index, status, bytes, started);
                drop(permit);
            });
        }
    }
    let all = args.concurrency as u32; // every permit back: every task has finished
    let _ = in_flight.acquire_many(all).await.unwrap();
}
// end::rust_tokio[]

fn main() {
    let args = Arc::new(protocol::parse_arguments());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()); // tokio's own
    protocol::report(&args, workers, |tally| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers).enable_all().build().unwrap();
        runtime.block_on(work(args.clone(), tally));
        drop(runtime); // its tasks, the client's pool and its connections go with it
    });
}
