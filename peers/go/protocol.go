// The child protocol (harness/child.cpp) in Go: the flags in, the tally, one JSON line
// out. Plumbing only; main.go shows the idiom.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

type arguments struct {
	model, workload, host string
	items, concurrency    uint64
	port                  uint64
	delay, timeout        time.Duration
}

func whole(name string, value, least, most uint64) uint64 {
	if value < least || value > most {
		fmt.Fprintf(os.Stderr, "go: bad --%s '%d': expected a whole number %d..%d\n",
			name, value, least, most)
		os.Exit(2)
	}
	return value
}

// The flags `hammertime child` takes; a bad one is one line on stderr and exit 2.
func parseArguments() arguments {
	flag.CommandLine.Usage = func() {}
	version := flag.Bool("version", false, "print the Go runtime's version")
	model := flag.String("model", "go", "")
	workload, host := flag.String("workload", "", ""), flag.String("host", "127.0.0.1", "")
	items, concurrency := flag.Uint64("items", 0, ""), flag.Uint64("concurrency", 0, "")
	delayMs := flag.Uint64("delay-ms", math.MaxUint64, "")
	timeoutMs := flag.Uint64("timeout-ms", 0, "")
	port := flag.Uint64("port", 0, "")
	flag.Parse()
	if *version {
		fmt.Println(runtime.Version())
		os.Exit(0)
	}
	if *workload != "flags" && *workload != "sleep" {
		fmt.Fprintf(os.Stderr, "go: unknown --workload '%s'\n", *workload)
		os.Exit(2)
	}
	if strings.Contains(*host, ":") { // IPv6, in brackets as URLs write it
		*host = "[" + *host + "]"
	}
	return arguments{*model, *workload, *host, whole("items", *items, 1, 1e9),
		whole("concurrency", *concurrency, 1, 1e9), whole("port", *port, 0, 65535),
		time.Duration(whole("delay-ms", *delayMs, 0, 600000)) * time.Millisecond,
		time.Duration(whole("timeout-ms", *timeoutMs, 1, 3600000)) * time.Millisecond}
}

// ok + notFound + failed = N, one latency a finished item, and every stride-th finished
// item's start and end for the timeline (stride = ceil(N / 2000)); safe across goroutines.
type tally struct {
	ok, notFound, failed, bytes, finished atomic.Uint64
	latencies                             []float32
	stride                                uint64
	times                                 [][2]time.Time
}

func newTally(items int) *tally {
	stride := (items + 1999) / 2000
	if stride < 1 {
		stride = 1
	}
	return &tally{latencies: make([]float32, items), stride: uint64(stride),
		times: make([][2]time.Time, (items+stride-1)/stride)}
}

// [index, start_us, end_us], µs from the work's clock start (the C++ child's).
func (counts *tally) itemTimes(started time.Time) [][3]int64 {
	rows := [][3]int64{}
	for slot := uint64(0); slot < counts.finished.Load(); slot += counts.stride {
		at := counts.times[slot/counts.stride]
		rows = append(rows, [3]int64{int64(slot), at[0].Sub(started).Microseconds(),
			at[1].Sub(started).Microseconds()})
	}
	return rows
}

func (counts *tally) count(status int, bytes int64, begun time.Time) {
	counts.bytes.Add(uint64(bytes)) // every answer's body, as the C++ tally counts
	switch status {
	case 200:
		counts.ok.Add(1)
	case 404:
		counts.notFound.Add(1)
	default:
		counts.failed.Add(1)
	}
	ended := time.Now()
	slot := counts.finished.Add(1) - 1
	if slot%counts.stride == 0 {
		counts.times[slot/counts.stride] = [2]time.Time{begun, ended}
	}
	counts.latencies[slot] = float32(ended.Sub(begun).Seconds() * 1000)
}

func procBytes(path, key string) (bytes uint64) {
	text, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(text), "\n") {
		if fields := strings.Fields(line); len(fields) > 1 && fields[0] == key {
			fmt.Sscan(fields[1], &bytes)
		}
	}
	return bytes * 1024
}

func cpuSeconds() (user, system float64) {
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var usage syscall.Rusage
		syscall.Getrusage(who, &usage)
		user += float64(usage.Utime.Nano()) / 1e9
		system += float64(usage.Stime.Nano()) / 1e9
	}
	return
}

// The page cache charged to the cgroup: memory.stat's file (v2) or total_cache (v1).
func fileCacheBytes(folder string) int64 {
	text, err := os.ReadFile(folder + "/memory.stat")
	if err != nil {
		return 0
	}
	fields := map[string]int64{}
	for _, line := range strings.Split(string(text), "\n") {
		if parts := strings.Fields(line); len(parts) == 2 {
			fields[parts[0]], _ = strconv.ParseInt(parts[1], 10, 64)
		}
	}
	if file, ok := fields["file"]; ok {
		return file
	}
	return fields["total_cache"]
}

// What the memory cgroup the harness made for this cell holds now, if it made one, less
// its file cache (as the harness's memory_cgroup.cpp reads it).
func cgroupBytes() (int64, bool) {
	folder := os.Getenv("HAMMERTIME_MEMORY_CGROUP")
	for _, name := range []string{"memory.usage_in_bytes", "memory.current"} {
		if folder == "" {
			break
		}
		text, err := os.ReadFile(folder + "/" + name)
		if err != nil {
			continue
		}
		if bytes, err := strconv.ParseInt(strings.TrimSpace(string(text)), 10, 64); err == nil {
			if cache := fileCacheBytes(folder); cache < bytes {
				return bytes - cache, true
			}
			return 0, true
		}
	}
	return 0, false
}

// Sockets this process holds: more after the clock than before it means the row stopped
// its clock before closing its connections.
func openSockets() (count int) {
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		if link, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil &&
			strings.HasPrefix(link, "socket:") {
			count++
		}
	}
	return count
}

// Runs work once around the measurements and prints the child's JSON line. A goroutine
// an item: the tasks it holds are N; the threads that run them, GOMAXPROCS.
func report(args arguments, work func(*tally)) {
	counts := newTally(int(args.items))
	for index := range counts.latencies { // touched before the baseline, as the C++ child's
		counts.latencies[index] = -1
	}
	baselinePss := procBytes("/proc/self/smaps_rollup", "Pss:")
	baselineRss := procBytes("/proc/self/status", "VmRSS:")
	baselineCgroup, inCgroup := cgroupBytes()
	userBefore, systemBefore := cpuSeconds()
	sockets := openSockets()
	started := time.Now()
	work(counts)
	wall := time.Since(started).Seconds()
	userAfter, systemAfter := cpuSeconds()
	sorted, n := counts.latencies[:counts.finished.Load()], float64(counts.finished.Load())
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	percentile := func(f float64) float32 {
		if n == 0 {
			return 0
		}
		return sorted[int(math.Min(math.Max(math.Ceil(f*n), 1), n))-1]
	}
	line := map[string]any{
		"model": args.model, "workload": args.workload, "items": args.items,
		"concurrency": args.concurrency, "delay_ms": args.delay.Milliseconds(),
		"timeout_ms": args.timeout.Milliseconds(), "wall_seconds": wall,
		"ok": counts.ok.Load(), "not_found": counts.notFound.Load(),
		"failed": counts.failed.Load(), "bytes": counts.bytes.Load(),
		"p50_ms": percentile(0.5), "p99_ms": percentile(0.99), "max_ms": percentile(1),
		"baseline_pss_bytes": baselinePss, "baseline_rss_bytes": baselineRss,
		"vm_hwm_bytes":       procBytes("/proc/self/status", "VmHWM:"),
		"cpu_user_seconds":   userAfter - userBefore,
		"cpu_system_seconds": systemAfter - systemBefore,
		"runtime_threads":    runtime.GOMAXPROCS(0), "tasks_held": args.items,
		"sockets_left_open": openSockets() - sockets,
		"item_times":        counts.itemTimes(started),
	}
	if inCgroup {
		line["baseline_cgroup_bytes"] = baselineCgroup
	}
	json.NewEncoder(os.Stdout).Encode(line)
}
