package com.calcgrid.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.calcgrid.testing.TestNodes;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The schema handed to DBAs (deploy/schema) is the very file a node applies at start. */
class SchemaFilesTest {

  @Test
  void theDbaCopyOfThePostgresSchemaIsTheNodesOwn() throws Exception {
    assertEquals(
        Files.readString(TestNodes.projectFile("src/main/resources/schema/postgres.sql")),
        Files.readString(TestNodes.projectFile("deploy/schema/postgres.sql")),
        "copy src/main/resources/schema/postgres.sql to deploy/schema/postgres.sql");
  }
}
