package com.calcgrid.job.index;

import com.calcgrid.store.Jdbc;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * {@code Idempotency-Key}s of submissions, per tenant, in the table
 * {@code calcgrid_idempotency}: a key remembers the SHA-256 of the body it came with and the job
 * it created, so a retried submission gets the same job and never starts a second one, also
 * after a restart.
 *
 * <p>The job's id is stored with the key before the job is created, so a node that crashes
 * between storing the key and storing the job creates the very same job when the client retries;
 * the supervisor answers a second submission of an id that exists without a second run.
 *
 * <p>A key is kept for {@code calcgrid.idempotency.keep-for}. After that it is gone, whether or
 * not the hourly purge has removed its row yet: a lookup ignores it, a new claim replaces it,
 * and the next submission with that key creates a new job (under a new id, as the id depends
 * on when the key was claimed).
 */
public final class IdempotencyKeys {
  /** One stored key. */
  public record Key(String tenant, String key, String bodySha256, String jobId, Instant createdAt) {}

  private final Jdbc jdbc;

  public IdempotencyKeys(DataSource db, Executor blocking) {
    this(db, blocking, Jdbc.DEFAULT_TIMEOUT);
  }

  /** @param callTimeout the longest a caller waits for a key (calcgrid.db.call-timeout) */
  public IdempotencyKeys(DataSource db, Executor blocking, Duration callTimeout) {
    this.jdbc = new Jdbc(db, blocking, callTimeout);
  }

  /** The stored key, or null; a key stored before {@code notBefore} has expired: null too. */
  public CompletionStage<Key> find(String tenant, String key, Instant notBefore) {
    return jdbc.run(c -> {
      Key found = read(c, tenant, key);
      return found == null || found.createdAt().isBefore(notBefore) ? null : found;
    });
  }

  /**
   * Stores {@code key} unless the tenant already used it since {@code notBefore}; returns what
   * is stored afterwards: {@code key} itself, or the earlier one (compare its hash and job). A
   * key stored before {@code notBefore} has expired and is replaced.
   */
  public CompletionStage<Key> claim(Key key, Instant notBefore) {
    return jdbc.run(c -> {
      try {
        insert(c, key);
        return key;
      } catch (SQLException e) {
        if (!Jdbc.UNIQUE_VIOLATION.equals(e.getSQLState())) {
          throw e;
        }
        Key earlier = read(c, key.tenant(), key.key());
        if (earlier == null) {
          throw e;
        }
        if (!earlier.createdAt().isBefore(notBefore) || !deleteExpired(c, earlier)) {
          return earlier;
        }
        // the expired key is gone: the claim starts afresh, unless another claim just won
        try {
          insert(c, key);
          return key;
        } catch (SQLException again) {
          Key winner = read(c, key.tenant(), key.key());
          if (winner == null || !Jdbc.UNIQUE_VIOLATION.equals(again.getSQLState())) {
            throw again;
          }
          return winner;
        }
      }
    });
  }

  private static void insert(Connection c, Key key) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("INSERT INTO calcgrid_idempotency "
        + "(tenant, idem_key, body_sha256, job_id, created_at) VALUES (?, ?, ?, ?, ?)")) {
      st.setString(1, key.tenant());
      st.setString(2, key.key());
      st.setString(3, key.bodySha256());
      st.setString(4, key.jobId());
      st.setTimestamp(5, Timestamp.from(key.createdAt()));
      st.executeUpdate();
    }
  }

  /** Removes exactly this stored key (not one claimed since by someone else). */
  private static boolean deleteExpired(Connection c, Key earlier) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("DELETE FROM calcgrid_idempotency "
        + "WHERE tenant = ? AND idem_key = ? AND job_id = ?")) {
      st.setString(1, earlier.tenant());
      st.setString(2, earlier.key());
      st.setString(3, earlier.jobId());
      return st.executeUpdate() == 1;
    }
  }

  /** Forgets keys stored before {@code before}; returns how many. */
  public CompletionStage<Integer> purge(Instant before) {
    return jdbc.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "DELETE FROM calcgrid_idempotency WHERE created_at < ?")) {
        st.setTimestamp(1, Timestamp.from(before));
        return st.executeUpdate();
      }
    });
  }

  /**
   * The id of the job a tenant's key and body create when the key is claimed at
   * {@code claimedAt}: the same inputs, the same id; the same key claimed again after it
   * expired, a new id. Each {@code choice} gives another id for the same inputs.
   */
  public static String jobIdFor(String tenant, String key, String bodySha256,
      Instant claimedAt, int choice) {
    // choice 0 is the id this method always gave; others are alternatives (see Jobs.newId)
    String seed = "calcgrid-idempotency\u0000" + tenant + "\u0000" + key + "\u0000"
        + bodySha256 + "\u0000" + claimedAt.toEpochMilli()
        + (choice == 0 ? "" : "\u0000" + choice);
    byte[] h = sha256(seed.getBytes(StandardCharsets.UTF_8));
    h[6] = (byte) ((h[6] & 0x0f) | 0x80); // RFC 9562 version 8: custom
    h[8] = (byte) ((h[8] & 0x3f) | 0x80); // RFC 4122 variant
    ByteBuffer b = ByteBuffer.wrap(h);
    return new UUID(b.getLong(), b.getLong()).toString();
  }

  /** Lower-case hex SHA-256. */
  public static String sha256Hex(byte[] body) {
    return HexFormat.of().formatHex(sha256(body));
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static Key read(Connection c, String tenant, String key) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT body_sha256, job_id, created_at "
        + "FROM calcgrid_idempotency WHERE tenant = ? AND idem_key = ?")) {
      st.setString(1, tenant);
      st.setString(2, key);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? new Key(tenant, key, rs.getString(1), rs.getString(2),
            rs.getTimestamp(3).toInstant()) : null;
      }
    }
  }
}
