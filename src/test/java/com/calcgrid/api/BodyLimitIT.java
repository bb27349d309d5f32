package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bodies over {@code calcgrid.http.max-body} (here the default, 4 MiB) get 413 whatever their
 * size and however they are framed, never a 503 that a client would retry forever, and a huge
 * body is cut off long before it has all been sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BodyLimitIT {
  private static final long LIMIT = 4L * 1024 * 1024;
  private static final int MB = 1024 * 1024;
  private CalcGridNode node;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    node = TestNodes.h2(Map.of());
    api = new Api(node.httpPort());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  /** A graph whose name makes it {@code bytes} long: valid JSON, only too large. */
  private static byte[] graphOf(int bytes) {
    String head = "{\"name\": \"";
    String tail = "\", \"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}";
    byte[] body = new byte[bytes];
    Arrays.fill(body, (byte) 'x');
    System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, body, 0, head.length());
    System.arraycopy(tail.getBytes(StandardCharsets.US_ASCII), 0, body,
        bytes - tail.length(), tail.length());
    return body;
  }

  private static void assertTooLarge(int status, String contentType, String body)
      throws Exception {
    assertEquals(413, status, body);
    assertEquals("application/problem+json", contentType, body);
    JsonNode problem = Api.JSON.readTree(body);
    assertEquals("https://calcgrid.dev/problems/body-too-large", problem.get("type").asText());
    assertEquals(LIMIT, problem.get("limit").asLong(), body);
    assertTrue(problem.get("detail").asText().contains("CALCGRID_MAX_BODY"), body);
  }

  @Test
  void thirteenMegabytesWithContentLengthGet413() throws Exception {
    HttpResponse<String> r = api.send(api.request("/api/v1/jobs")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(graphOf(13 * MB))));
    assertTooLarge(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    assertTrue(r.headers().firstValue("Retry-After").isEmpty(), r.headers().toString());
    assertHealthy();
  }

  @Test
  void thirteenMegabytesChunkedGet413() throws Exception {
    // a publisher without a known length makes the client send chunks
    HttpResponse<String> r = api.send(api.request("/api/v1/jobs")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofByteArray(graphOf(13 * MB)))));
    assertTooLarge(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    assertTrue(r.headers().firstValue("Retry-After").isEmpty(), r.headers().toString());
    assertHealthy();
  }

  @Test
  void justUnderTheLimitIsRead() throws Exception {
    HttpResponse<String> r = api.send(api.request("/api/v1/jobs")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofByteArray(graphOf((int) LIMIT - 1024)))));
    // read in full and refused for what it says (a name too long), not for its size
    assertEquals(400, r.statusCode(), r.body());
  }

  /**
   * 200 MB sent in chunks over a plain socket, while another thread reads the answer: the 413
   * arrives after a few megabytes, and the server stops reading (the connection closes) instead
   * of taking in the rest.
   */
  @Test
  void twoHundredMegabytesStreamedAreCutOffEarly() throws Exception {
    long total = 200L * MB;
    AtomicLong sent = new AtomicLong();
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
      s.setSoTimeout(60_000);
      InputStream in = s.getInputStream();
      Future<String> answer = reader.submit(() -> readResponse(in));
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 * 1024];
      Arrays.fill(chunk, (byte) ' ');
      byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
      try {
        while (sent.get() < total && !answer.isDone()) {
          out.write(size);
          out.write(chunk);
          out.write(crlf);
          sent.addAndGet(chunk.length);
        }
        if (!answer.isDone()) {
          out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
      } catch (IOException closedByServer) {
        // the server closed the connection after its answer: what this test wants
      }
      String response = answer.get(60, TimeUnit.SECONDS);
      assertTrue(response.startsWith("HTTP/1.1 413"), response);
      assertTrue(response.toLowerCase().contains("content-type: application/problem+json"),
          response);
      String body = response.substring(response.indexOf("\r\n\r\n") + 4);
      assertTooLarge(413, "application/problem+json", body);
      assertTrue(sent.get() < 64L * MB, "sent " + sent.get() / MB + " MB before the server "
          + "stopped reading");
    } finally {
      reader.shutdownNow();
    }
    assertHealthy();
  }

  /** Status line, headers and a Content-Length body of one HTTP/1.1 response. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        break;
      }
    }
    String headers = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    byte[] body = in.readNBytes(length);
    return headers + new String(body, StandardCharsets.UTF_8);
  }

  private void assertHealthy() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> health = api.get("/health/ready");
    assertEquals(200, health.statusCode(), health.body());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    String id = api.submit("{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}");
    api.awaitFinished(id, Duration.ofSeconds(60));
  }
}
