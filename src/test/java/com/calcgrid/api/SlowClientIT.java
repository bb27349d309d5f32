package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A submission whose body stops arriving is answered 408 and gives its place back. */
class SlowClientIT {

  @Test
  void aStalledBodyIs408AndFreesItsPlace() throws Exception {
    try (CalcGridNode node = TestNodes.h2(Map.of("calcgrid.limits.body-read-timeout", "1s"))) {
      try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
        s.setSoTimeout(30_000);
        OutputStream out = s.getOutputStream();
        out.write(("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
            + "application/json\r\nContent-Length: 500\r\n\r\n{\"tasks\": [")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String response = new String(readAll(s.getInputStream()), StandardCharsets.UTF_8);
        assertTrue(response.startsWith("HTTP/1.1 408"), response);
        assertTrue(response.contains("application/problem+json"), response);
        assertTrue(response.contains("\"type\":\"https://calcgrid.dev/problems/body-timeout\""),
            response);
      }
      assertEquals(0, node.admission().inFlight());
      assertEquals(202, new Api(node.httpPort()).post("/api/v1/jobs",
          "{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}").statusCode());
    }
  }

  /** Reads the response head and as much body as Content-Length says. */
  private static byte[] readAll(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
      }
      head.append((char) c);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    return (head + new String(in.readNBytes(length), StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.UTF_8);
  }
}
