// The child protocol (harness/child.cpp) in Java: the flags in, the tally, one JSON line
// out. Plumbing only; JavaThreads.java and JavaAsync.java show the idioms.
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

final class PeerProtocol {
  final String model, workload, host;
  final int items, concurrency, port;
  final long delayMs, timeoutMs;

  private static void usage(String model, String message) {
    System.err.println(model + ": " + message); // one line and exit 2, like hammertime child
    System.exit(2);
  }

  PeerProtocol(String model, String[] given) {
    this.model = model;
    if (List.of(given).contains("--version")) {
      System.out.println("Java " + System.getProperty("java.version"));
      System.exit(0);
    }
    var names = List.of("--model", "--workload", "--items", "--concurrency", "--delay-ms",
        "--timeout-ms", "--host", "--port");
    Map<String, String> values = new HashMap<>(Map.of("--host", "127.0.0.1", "--port", "0"));
    for (int i = 0; i < given.length; i += 2) {
      if (!names.contains(given[i])) usage(model, "unknown argument '" + given[i] + "'");
      if (i + 1 >= given.length) usage(model, given[i] + " needs a value");
      values.put(given[i], given[i + 1]);
    }
    workload = values.getOrDefault("--workload", "");
    if (!workload.equals("flags") && !workload.equals("sleep"))
      usage(model, "unknown --workload '" + workload + "'");
    String asked = values.get("--host");
    host = asked.contains(":") ? "[" + asked + "]" : asked;  // IPv6, as URLs write it
    items = (int) whole(values, "--items", 1, 1_000_000_000);
    concurrency = (int) whole(values, "--concurrency", 1, 1_000_000_000);
    delayMs = whole(values, "--delay-ms", 0, 600_000);
    timeoutMs = whole(values, "--timeout-ms", 1, 3_600_000);
    port = (int) whole(values, "--port", 0, 65535);
  }

  private long whole(Map<String, String> values, String name, long least, long most) {
    String text = values.get(name);
    if (text == null) usage(model, name + " is missing");
    if (!text.matches("[0-9]{1,10}") || Long.parseLong(text) < least || Long.parseLong(text) > most)
      usage(model, "bad " + name + " '" + text + "': expected a whole number " + least + ".." + most);
    return Long.parseLong(text);
  }

  boolean sleep() { return workload.equals("sleep"); }

  Duration delay() { return Duration.ofMillis(delayMs); }

  // The C++ models' request (models/wire): lower-case code, the delay asked.
  URI url(int index) {
    String cc = "" + (char) ('a' + index / 26 % 26) + (char) ('a' + index % 26);
    return URI.create("http://" + host + ":" + port + "/flags/" + cc + "/" + cc + ".gif?delay_ms=" + delayMs);
  }

  // ok + not_found + failed = N; a latency slot an item, touched before the baseline;
  // [index, start µs, end µs] of every stride-th item (the report's timeline).
  final class Tally {
    private long ok, notFound, failed, bytes;
    private final float[] latenciesMs = new float[items];
    private final int stride = (items + 1999) / 2000;
    private final long[] itemTimes = new long[3 * (items / stride + 1)];
    private long clockStart;

    Tally() { Arrays.fill(latenciesMs, -1); Arrays.fill(itemTimes, -1); }

    synchronized void count(int index, int status, long size, long startedNanos) {
      long now = System.nanoTime();
      bytes += size; // every answer's body, as the C++ tally counts
      if (status == 200) ok++; else if (status == 404) notFound++; else failed++;
      latenciesMs[index] = (now - startedNanos) / 1e6f;
      if (index % stride != 0) return;
      int slot = 3 * (index / stride);
      itemTimes[slot] = index;
      itemTimes[slot + 1] = (startedNanos - clockStart) / 1000;
      itemTimes[slot + 2] = (now - clockStart) / 1000;
    }
  }

  private static long procBytes(String path, String key) {
    try (Stream<String> lines = Files.lines(Path.of(path))) {
      return lines.filter(l -> l.startsWith(key)).mapToLong(l -> Long.parseLong(l.split("\\s+")[1]))
          .findFirst().orElse(0) * 1024;
    } catch (Exception e) { return 0; }
  }

  // User and system seconds of this process and its reaped children (/proc/self/stat).
  private static double[] cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new double[] {(Long.parseLong(f[11]) + Long.parseLong(f[13])) / 100.0,
                           (Long.parseLong(f[12]) + Long.parseLong(f[14])) / 100.0};
    } catch (Exception e) { return new double[] {0, 0}; }
  }

  private static long openSockets() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> { try { return Files.readSymbolicLink(fd).toString().startsWith("socket:"); }
                                catch (Exception e) { return false; } }).count();
    } catch (Exception e) { return 0; }
  }

  // The page cache charged to the cgroup: memory.stat's file (v2) or total_cache (v1).
  private static long fileCacheBytes(String folder) {
    try {
      Map<String, Long> fields = new HashMap<>();
      for (String line : Files.readAllLines(Path.of(folder, "memory.stat"))) {
        String[] parts = line.split(" ");
        if (parts.length == 2) fields.put(parts[0], Long.parseLong(parts[1]));
      }
      return fields.getOrDefault("file", fields.getOrDefault("total_cache", 0L));
    } catch (Exception e) { return 0; }
  }

  // What the memory cgroup the harness made for this cell holds now, if it made one, less
  // its file cache (as the harness's memory_cgroup.cpp reads it).
  private static String cgroupBytes() {
    String folder = System.getenv("HAMMERTIME_MEMORY_CGROUP");
    for (String name : List.of("memory.usage_in_bytes", "memory.current")) {
      try {
        if (folder != null) {
          long usage = Long.parseLong(Files.readString(Path.of(folder, name)).trim());
          return Long.toString(Math.max(0, usage - fileCacheBytes(folder)));
        }
      } catch (Exception e) { /* the other name, or none */ }
    }
    return null;
  }

  interface Work { void run(Tally tally) throws Exception; }

  // Runs work once around the measurements and prints the child's JSON line.
  void report(int runtimeThreads, Work work) throws Exception {
    Tally tally = new Tally();
    long baselinePss = procBytes("/proc/self/smaps_rollup", "Pss:");
    long baselineRss = procBytes("/proc/self/status", "VmRSS:");
    String baselineCgroup = cgroupBytes();
    double[] cpuBefore = cpuSeconds();
    long sockets = openSockets();
    tally.clockStart = System.nanoTime();
    work.run(tally);
    double wall = (System.nanoTime() - tally.clockStart) / 1e9;
    double[] cpuAfter = cpuSeconds();
    float[] sorted;
    StringBuilder times = new StringBuilder();
    synchronized (tally) {
      sorted = new float[(int) (tally.ok + tally.notFound + tally.failed)];
      int n = 0;
      for (float latency : tally.latenciesMs) if (latency >= 0) sorted[n++] = latency;
      for (int slot = 0; slot < tally.itemTimes.length; slot += 3)
        if (tally.itemTimes[slot] >= 0)
          times.append(times.length() == 0 ? "" : ",").append("[").append(tally.itemTimes[slot])
              .append(",").append(tally.itemTimes[slot + 1]).append(",").append(tally.itemTimes[slot + 2]).append("]");
    }
    Arrays.sort(sorted);
    java.util.function.DoubleUnaryOperator percentile = f -> sorted.length == 0 ? 0
        : sorted[Math.min(Math.max((int) Math.ceil(f * sorted.length), 1), sorted.length) - 1];
    System.out.println("{\"model\":\"" + model + "\",\"workload\":\"" + workload + "\",\"items\":" + items
        + ",\"concurrency\":" + concurrency + ",\"delay_ms\":" + delayMs + ",\"timeout_ms\":" + timeoutMs
        + ",\"wall_seconds\":" + wall + ",\"ok\":" + tally.ok + ",\"not_found\":" + tally.notFound
        + ",\"failed\":" + tally.failed + ",\"bytes\":" + tally.bytes
        + ",\"p50_ms\":" + percentile.applyAsDouble(0.5) + ",\"p99_ms\":" + percentile.applyAsDouble(0.99)
        + ",\"max_ms\":" + percentile.applyAsDouble(1) + ",\"baseline_pss_bytes\":" + baselinePss
        + ",\"baseline_rss_bytes\":" + baselineRss + ",\"vm_hwm_bytes\":" + procBytes("/proc/self/status", "VmHWM:")
        + ",\"cpu_user_seconds\":" + (cpuAfter[0] - cpuBefore[0])
        + ",\"cpu_system_seconds\":" + (cpuAfter[1] - cpuBefore[1])
        + ",\"runtime_threads\":" + runtimeThreads + ",\"tasks_held\":" + Math.min(concurrency, items)
        + ",\"sockets_left_open\":" + (openSockets() - sockets) + ",\"item_times\":[" + times + "]"
        + (baselineCgroup == null ? "" : ",\"baseline_cgroup_bytes\":" + baselineCgroup) + "}");
  }
}
