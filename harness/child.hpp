// The child side of a harness run: `hammertime child --model M --workload W --items N
// --concurrency C --delay-ms D --timeout-ms T --host H --port P` runs one model once
// in this fresh process and prints one JSON line on stdout:
//
//   {"model":"sequential","workload":"flags","items":20,"concurrency":1,
//    "delay_ms":100,"timeout_ms":5000,"wall_seconds":2.03,"ok":5,"not_found":15,
//    "failed":0,"bytes":54120,"p50_ms":100.6,"p99_ms":101.9,"max_ms":102.0,
//    "baseline_pss_bytes":..., "baseline_rss_bytes":..., "vm_hwm_bytes":...}
//
// wall_seconds covers the model's work only (pool start-up included), not process
// start-up. The baseline is the process's memory just before the first item starts.
// Exit 0 when the model ran (whatever its tally), 3 with {"error":..,"limit":true} when
// a limit of the machine stopped it, 1 with {"error":..} on any other failure, 2 on
// bad arguments.
#pragma once

namespace hammertime::harness {

int child_main(int argc, char** argv);

}  // namespace hammertime::harness
