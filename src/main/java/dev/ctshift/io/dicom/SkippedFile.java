package dev.ctshift.io.dicom;

import java.nio.file.Path;

/** A file that was not used, and why (e.g. "not a DICOM file", "truncated: ..."). */
public record SkippedFile(Path file, String reason) {
  @Override
  public String toString() {
    return file + ": " + reason;
  }
}
