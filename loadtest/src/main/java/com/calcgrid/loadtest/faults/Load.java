package com.calcgrid.loadtest.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The clients: submissions of jobs at a steady rate, each the way a careful client does (an
 * Idempotency-Key per job; on 429/503 wait Retry-After, on a timeout or a refused connection
 * try the next node; give up after {@link #GIVE_UP}), WebSocket subscribers to every third
 * acknowledged job that reconnect until they see {@code finished}, and a sampler that reads the
 * results of running jobs. Everything stops by itself at {@code stop()} or after {@code max}
 * submissions.
 */
final class Load {
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  static final Duration GIVE_UP = Duration.ofSeconds(60);
  static final Duration DRAIN = Duration.ofSeconds(10);

  private final History history;
  private final List<String> bases;
  private final long seed;
  private final String runId;
  private final double ratePerSecond;
  private final int max;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final AtomicInteger next = new AtomicInteger();
  private final List<Thread> threads = new ArrayList<>();
  private final Map<String, WebSocket> sockets = new ConcurrentHashMap<>();
  private volatile boolean stopped;
  private volatile long stoppedAt;
  private volatile boolean subscribing = true;

  Load(History history, List<String> bases, long seed, String runId, double ratePerSecond,
      int max) {
    this.history = history;
    this.bases = bases;
    this.seed = seed;
    this.runId = runId;
    this.ratePerSecond = ratePerSecond;
    this.max = max;
  }

  HttpClient http() {
    return http;
  }

  /**
   * Submissions start at the set rate whether or not earlier ones have been answered (an open
   * loop, as a stream of jobs from many desks arrives), and at most {@code concurrency} are in
   * progress; one waiting for a slot counts its wait in its latency, from its due time.
   */
  void start(int concurrency) {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(concurrency, r -> {
          Thread t = new Thread(r, "submitter");
          t.setDaemon(true);
          return t;
        });
    threads.add(daemon("pacer", () -> {
      long periodNanos = (long) (1e9 / ratePerSecond);
      long due = System.nanoTime();
      int client = 0;
      while (!stopped) {
        long wait = due - System.nanoTime();
        if (wait > 0) {
          sleep(wait / 1_000_000);
          continue;
        }
        due += periodNanos;
        int index = next.getAndIncrement();
        if (index >= max) {
          break;
        }
        History.Submission s = history.add(index, Graphs.job(seed, runId, index));
        int c = client++;
        pool.execute(() -> submit(s, c));
      }
      pool.shutdown();
      try {
        pool.awaitTermination(GIVE_UP.toMillis() + 10_000, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    threads.add(daemon("sampler", this::sampleLoop));
  }

  /**
   * Stops submitting; submissions in progress get {@link #DRAIN} more to be acknowledged (one
   * not acknowledged by then was never promised to anyone). Subscribers carry on until
   * {@link #closeSubscribers()}.
   */
  void stop() throws InterruptedException {
    stoppedAt = System.nanoTime();
    stopped = true;
    for (Thread t : threads) {
      t.join(GIVE_UP.toMillis() + 10_000);
    }
  }

  void closeSubscribers() {
    subscribing = false;
    for (WebSocket ws : sockets.values()) {
      ws.abort();
    }
  }

  private void submit(History.Submission s, int client) {
    int attempt = 0;
    long giveUp = System.nanoTime() + GIVE_UP.toNanos();
    while (System.nanoTime() < giveUp
        && (!stopped || System.nanoTime() < stoppedAt + DRAIN.toNanos())) {
      String base = bases.get((client + s.index + attempt) % bases.size());
      attempt++;
      long t0 = history.now();
      int status;
      String body = null;
      long retryAfterMs = 0;
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs"))
            .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
            .header("Idempotency-Key", s.graph.key())
            .POST(HttpRequest.BodyPublishers.ofString(s.graph.json())).build(),
            HttpResponse.BodyHandlers.ofString());
        status = r.statusCode();
        body = r.body();
        retryAfterMs = r.headers().firstValue("Retry-After")
            .map(v -> Long.parseLong(v.trim()) * 1000).orElse(1000L);
      } catch (HttpTimeoutException e) {
        status = 0;
      } catch (IOException e) {
        status = -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long t1 = history.now();
      synchronized (s) {
        s.attempts.add(new History.Attempt(t0, t1 - t0, base, status,
            status == 429 || status == 503 ? problemType(body) : null));
      }
      if (status == 200 || status == 202) {
        String id = parseId(body);
        synchronized (s) {
          if (!s.ids.contains(id)) {
            s.ids.add(id);
          }
        }
        s.jobId = id;
        s.ackMs = t1;
        if (s.index % 3 == 0) {
          subscribe(new History.Subscription(id), s.index);
        }
        return;
      }
      if (status == 429 || status == 503) {
        // as told, with a little jitter so clients do not come back in step; at most 2 s
        sleep(Math.min(2000, retryAfterMs) / 2
            + ThreadLocalRandom.current().nextLong(Math.min(2000, retryAfterMs) / 2 + 1));
      } else if (status <= 0 || status >= 500) {
        sleep(200);
      } else {
        s.rejected = status + ": " + body; // a 4xx other than 429 is a harness or server bug
        return;
      }
    }
  }

  /** The last part of a problem's type URI, "?" when the body is not a problem. */
  private static String problemType(String body) {
    try {
      String type = Graphs.JSON.readTree(body).path("type").asText("?");
      return type.substring(type.lastIndexOf('/') + 1);
    } catch (IOException e) {
      return "?";
    }
  }

  private static String parseId(String body) {
    try {
      return Graphs.JSON.readTree(body).get("id").asText();
    } catch (IOException e) {
      throw new IllegalStateException("acknowledgement without an id: " + body, e);
    }
  }

  private void subscribe(History.Subscription sub, int index) {
    history.subscriptions.put(sub.jobId, sub);
    connect(sub, index);
  }

  private void connect(History.Subscription sub, int attempt) {
    if (!subscribing || sub.finishedJson != null) {
      return;
    }
    String base = bases.get(Math.floorMod(attempt, bases.size()));
    sub.connections++;
    StringBuilder text = new StringBuilder();
    WebSocket.Listener listener = new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          String msg = text.toString();
          text.setLength(0);
          if (msg.contains("\"finished\"")) {
            sub.finishedJson = msg;
            sockets.remove(sub.jobId);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
          }
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
        reconnect();
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        reconnect();
      }

      private void reconnect() {
        sockets.remove(sub.jobId);
        if (sub.finishedJson == null && subscribing) {
          daemon("resubscribe", () -> {
            sleep(500);
            connect(sub, attempt + 1);
          });
        }
      }
    };
    http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(3))
        .buildAsync(URI.create(base.replace("http://", "ws://") + "/api/v1/jobs/" + sub.jobId
            + "/events?events=progress"), listener)
        .whenComplete((ws, e) -> {
          if (e != null) {
            listener.onError(null, e);
          } else {
            sockets.put(sub.jobId, ws);
          }
        });
  }

  /** Reads the results of a few running jobs now and then: a result must never change later. */
  private void sampleLoop() {
    while (!stopped) {
      sleep(1000);
      List<History.Submission> all = history.submissions();
      int taken = 0;
      for (Iterator<History.Submission> it = all.iterator(); it.hasNext() && taken < 3; ) {
        History.Submission s = it.next();
        if (!s.acknowledged() || history.seenResults.containsKey(s.jobId)
            || ThreadLocalRandom.current().nextInt(10) != 0) {
          continue;
        }
        taken++;
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
              bases.get(taken % bases.size()) + "/api/v1/jobs/" + s.jobId
                  + "/results?scope=all&limit=1000")).timeout(REQUEST_TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            Map<String, String> seen = new ConcurrentHashMap<>();
            JsonNode results = Graphs.JSON.readTree(r.body()).path("results");
            results.fields().forEachRemaining(f -> {
              if (!f.getValue().isNull()) {
                seen.put(f.getKey(), f.getValue().toString());
              }
            });
            history.seenResults.put(s.jobId, seen);
          }
        } catch (IOException e) {
          // a node down: sample another time
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(Math.max(0, ms));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
