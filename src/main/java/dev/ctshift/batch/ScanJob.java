package dev.ctshift.batch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * One scan of a batch. Immutable.
 *
 * @param id unique key of the scan in its batch: {@code input}, plus {@code #<series uid>} when a
 *     series is named and {@code @<target>} when a target is named; shards and output names derive
 *     from it
 * @param input the scan as the user sees it: its path relative to the input folder (or as written in
 *     the manifest), '/'-separated; "." for the input folder itself
 * @param path the file or folder to read
 * @param seriesUid the DICOM series to read, or null (NIfTI, or the folder's main CT series)
 * @param target the output or class to explain, or null for the batch's default
 * @param name the output folder name under {@code OUT/scans}: the sanitised input and target plus 8 hex
 *     digits of SHA-256(id), so names are readable, stable across runs and unique
 */
public record ScanJob(String id, String input, Path path, String seriesUid, String target, String name) {
  private static final int MAX_BASE = 60;

  /** A job with its id and name derived from the other fields. */
  public static ScanJob of(String input, Path path, String seriesUid, String target) {
    String id = input + (seriesUid != null ? "#" + seriesUid : "") + (target != null ? "@" + target : "");
    return new ScanJob(id, input, path, seriesUid, target, name(input, target, id));
  }

  /** SHA-256 of the id, first 8 bytes as a number: the basis of shard assignment. */
  public long hash() {
    byte[] d = sha256(id);
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = h << 8 | (d[i] & 0xff);
    }
    return h;
  }

  static String name(String input, String target, String id) {
    String base = input;
    String lower = base.toLowerCase(Locale.ROOT);
    for (String ext : new String[] {".nii.gz", ".nii"}) {
      if (lower.endsWith(ext)) {
        base = base.substring(0, base.length() - ext.length());
        break;
      }
    }
    if (target != null) {
      base = base + "_" + target;
    }
    base = base.replaceAll("[^A-Za-z0-9.-]+", "_").replaceAll("^[._-]+", "").replaceAll("[._-]+$", "");
    if (base.length() > MAX_BASE) {
      base = base.substring(base.length() - MAX_BASE).replaceAll("^[._-]+", "");
    }
    if (base.isEmpty()) {
      base = "scan";
    }
    return base + "-" + HexFormat.of().formatHex(sha256(id)).substring(0, 8);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
