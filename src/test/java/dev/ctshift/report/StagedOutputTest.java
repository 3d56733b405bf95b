package dev.ctshift.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which folders a run leaves behind: none it created unless it committed, and never one that existed. */
class StagedOutputTest {
  @TempDir Path dir;

  @Test
  void failedRunRemovesTheFoldersItCreated() throws Exception {
    Path out = dir.resolve("a").resolve("b").resolve("out");
    try (StagedOutput staged = StagedOutput.into(out)) {
      Files.writeString(staged.file("sub/report.json"), "{}");
      assertTrue(Files.isDirectory(out));
    }
    assertFalse(Files.exists(dir.resolve("a")), "a, a/b and a/b/out were created by the run");
    assertTrue(Files.isDirectory(dir));
  }

  @Test
  void failedRunKeepsAnExistingFolderAndWhatItHolds() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("report.json"), "old");
    try (StagedOutput staged = StagedOutput.into(out.resolve("new"))) {
      Files.writeString(staged.file("report.json"), "new");
    }
    assertFalse(Files.exists(out.resolve("new")));
    assertEquals("old", Files.readString(out.resolve("report.json")));
    try (StagedOutput staged = StagedOutput.into(out)) {
      Files.writeString(staged.file("report.json"), "new");
    }
    assertEquals("old", Files.readString(out.resolve("report.json")), "not committed: the old output stays");
    try (var entries = Files.list(out)) {
      assertEquals(1, entries.count(), "no staging folder left");
    }
  }

  @Test
  void committedRunKeepsTheFoldersItCreated() throws Exception {
    Path out = dir.resolve("a").resolve("out");
    try (StagedOutput staged = StagedOutput.into(out)) {
      Files.writeString(staged.file("report.json"), "{}");
      staged.commit();
    }
    assertEquals("{}", Files.readString(out.resolve("report.json")));
  }
}
