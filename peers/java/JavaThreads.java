// java_threads: a fixed pool of C platform threads, each blocking in java.net.http's
// HttpClient.send; one client, its connections kept alive. Sleep: Thread.sleep in C
// threads at once. PeerProtocol.java speaks harness/child.cpp's protocol.
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

public final class JavaThreads {
  public static void main(String[] given) throws Exception {
    var args = new PeerProtocol("java_threads", given);
    int threads = Math.min(args.concurrency, args.items);
    args.report(threads, tally -> {
      // tag::java_threads[]
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      for (int i = 0; i < args.items; i++) {
        final int index = i;
        pool.submit(() -> {
          long started = System.nanoTime();
          if (args.sleep()) {
            try { Thread.sleep(args.delayMs); } catch (InterruptedException e) { return; }
            tally.count(index, 200, 0, started);
            return;
          }
          try {
            var request = HttpRequest.newBuilder(args.url(index)).timeout(
                java.time.Duration.ofMillis(args.timeoutMs)).build();
            // HttpRequest.timeout bounds the wait for the headers only; a body that
            // trickles in is cut at the deadline by the ofByteArray future's get.
            var response = client.sendAsync(request, BodyHandlers.ofByteArray())
                .get(args.timeoutMs, TimeUnit.MILLISECONDS);
            tally.count(index, response.statusCode(), response.body().length, started);
          } catch (Exception e) { // a reset, a short body, the timeout
            tally.count(index, 0, 0, started);
          }
        });
      }
      pool.shutdown();
      pool.awaitTermination(1, TimeUnit.DAYS);
      // end::java_threads[]
    });
  }
}
