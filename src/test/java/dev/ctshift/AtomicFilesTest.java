package dev.ctshift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private List<Path> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void failedWriteLeavesTargetAndDirectoryUntouched() throws IOException {
    Path target = dir.resolve("out.png");
    Files.writeString(target, "previous");
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
      out.write(new byte[] {1, 2, 3});
      throw new IOException("disk full");
    }));
    assertEquals("disk full", e.getMessage());
    assertEquals("previous", Files.readString(target));
    assertEquals(List.of(target), listing());
  }

  @Test
  void writtenFileHasTheDirectoryDefaultPermissions() throws IOException {
    Path plain = Files.createFile(dir.resolve("plain"));
    Path target = dir.resolve("atomic");
    AtomicFiles.write(target, out -> out.write(42));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(target));
    assertEquals(1, Files.size(target));
  }
}
