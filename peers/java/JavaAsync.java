// java_async: java.net.http's HttpClient.sendAsync, a CompletableFuture an item, a
// Semaphore keeping C in flight. Sleep: CompletableFuture.delayedExecutor, C timers at
// once. PeerProtocol.java speaks harness/child.cpp's protocol.
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

public final class JavaAsync {
  public static void main(String[] given) throws Exception {
    var args = new PeerProtocol("java_async", given);
    int inFlight = Math.min(args.concurrency, args.items);
    // The JVM's pools that run the callbacks: ForkJoinPool.commonPool, sized to the cores.
    args.report(Runtime.getRuntime().availableProcessors(), tally -> {
      // tag::java_async[]
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      var permits = new Semaphore(inFlight);
      for (int i = 0; i < args.items; i++) {
        final int index = i;
        permits.acquire(); // C in flight at most
        long started = System.nanoTime();
        CompletableFuture<?> item;
        if (args.sleep()) {
          var timer = CompletableFuture.delayedExecutor(args.delayMs, TimeUnit.MILLISECONDS);
          item = CompletableFuture.runAsync(() -> tally.count(index, 200, 0, started), timer);
        } else {
          var request = HttpRequest.newBuilder(args.url(index))
              .timeout(Duration.ofMillis(args.timeoutMs)).build();
          // HttpRequest.timeout bounds the wait for the headers only: orTimeout, the body too.
          item = client.sendAsync(request, BodyHandlers.ofByteArray())
              .orTimeout(args.timeoutMs, TimeUnit.MILLISECONDS).handle((response, error) -> {
            if (error != null) tally.count(index, 0, 0, started); // a reset, a short body, the timeout
            else tally.count(index, response.statusCode(), response.body().length, started);
            return null;
          });
        }
        item.whenComplete((done, error) -> permits.release());
      }
      permits.acquire(inFlight); // every permit back: every item has finished
      // end::java_async[]
    });
  }
}
