package dev.ctshift.batch;

import java.util.List;

/**
 * One of {@code count} disjoint parts of a batch, numbered from 1. A scan belongs to shard
 * {@code 1 + (hash(id) mod count)} ({@link ScanJob#hash()}, unsigned): the assignment depends only on the
 * scan itself, so it is the same on every machine and run, and adding scans never moves others.
 *
 * @param index 1..count
 * @param count number of shards, at least 1
 */
public record Shard(int index, int count) {
  public Shard {
    if (count < 1 || index < 1 || index > count) {
      throw new IllegalArgumentException("shard " + index + "/" + count + ": need 1 <= I <= N");
    }
  }

  /**
   * Parses {@code I/N}, e.g. {@code 2/3}.
   *
   * @throws IllegalArgumentException with a message for the user
   */
  public static Shard parse(String text) {
    String[] parts = text.trim().split("/", -1);
    try {
      if (parts.length == 2) {
        return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
      }
    } catch (IllegalArgumentException e) {
      // not numbers, or out of range: the message below says what is allowed
    }
    throw new IllegalArgumentException("--shard must be I/N with 1 <= I <= N (shards count from 1), e.g. 1/4;"
        + " got '" + text + "'");
  }

  /** The shard (1..count) that {@code job} belongs to. */
  public static int of(ScanJob job, int count) {
    return 1 + (int) Long.remainderUnsigned(job.hash(), count);
  }

  /** Whether {@code job} belongs to this shard. */
  public boolean contains(ScanJob job) {
    return of(job, count) == index;
  }

  /** The jobs of this shard, in their order. */
  public List<ScanJob> select(List<ScanJob> jobs) {
    return jobs.stream().filter(this::contains).toList();
  }

  /** File name stem of this shard's summary, e.g. {@code summary-shard-2-of-3}. */
  public String summaryStem() {
    return "summary-shard-" + index + "-of-" + count;
  }

  @Override
  public String toString() {
    return index + "/" + count;
  }
}
