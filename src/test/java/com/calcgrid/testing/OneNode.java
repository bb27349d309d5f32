package com.calcgrid.testing;

import com.calcgrid.CalcGridNode;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real node on H2 for all tests of a class, with an {@link Api} client on its HTTP port:
 * started before the class's own {@code @BeforeAll} methods and closed after its
 * {@code @AfterAll} ones.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final OneNode NODE = OneNode.h2(Map.of("calcgrid.http.ask-timeout", "1ms"));
 * }</pre>
 */
public final class OneNode implements BeforeAllCallback, AfterAllCallback {
  private final Map<String, Object> settings;
  private CalcGridNode node;
  private Api api;

  private OneNode(Map<String, Object> settings) {
    this.settings = settings;
  }

  /** A node on the embedded H2 database in a fresh directory, with these settings. */
  public static OneNode h2(Map<String, Object> settings) {
    return new OneNode(settings);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    node = TestNodes.h2(settings);
    api = new Api(node.httpPort());
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (node != null) {
      node.close();
      node = null;
    }
  }

  public CalcGridNode node() {
    return node;
  }

  /** A client of the node's HTTP API, without a token. */
  public Api api() {
    return api;
  }
}
