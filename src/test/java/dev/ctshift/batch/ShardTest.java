package dev.ctshift.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Shard assignment and output names: a partition, reproducible from the documented hash. */
class ShardTest {
  static List<ScanJob> jobs(int n) {
    List<ScanJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String input = "site" + (i % 4) + "/case" + i + ".nii.gz";
      jobs.add(ScanJob.of(input, Path.of("/data", input), null, null));
    }
    jobs.add(ScanJob.of("dicom/ct", Path.of("/data/dicom/ct"), "1.2.3", null));
    jobs.add(ScanJob.of("site0/case0.nii.gz", Path.of("/data/site0/case0.nii.gz"), null, "effusion"));
    return jobs;
  }

  /** Independent formula: 1 + (first 8 bytes of SHA-256(id) as an unsigned number) mod n. */
  static int expectedShard(String id, int n) throws Exception {
    byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
    return 1 + new BigInteger(1, Arrays.copyOf(d, 8)).mod(BigInteger.valueOf(n)).intValue();
  }

  @Test
  void threeShardsPartitionTheScansAsDocumented() throws Exception {
    List<ScanJob> all = jobs(40);
    Set<String> seen = new HashSet<>();
    int total = 0;
    for (int i = 1; i <= 3; i++) {
      Shard shard = new Shard(i, 3);
      for (ScanJob j : shard.select(all)) {
        assertTrue(seen.add(j.id()), j.id() + " is in two shards");
        assertEquals(i, expectedShard(j.id(), 3), j.id());
        total++;
      }
      assertTrue(shard.select(all).size() >= 5, "40 scans spread over 3 shards: " + shard.select(all).size());
    }
    assertEquals(all.size(), total, "every scan is in a shard");
  }

  @Test
  void assignmentDoesNotDependOnTheOtherScans() {
    List<ScanJob> all = jobs(40);
    for (ScanJob j : all.subList(0, 10)) {
      assertEquals(Shard.of(j, 5), Shard.of(jobs(3).stream().filter(k -> k.id().equals(j.id())).findFirst()
          .orElse(j), 5));
      assertTrue(new Shard(Shard.of(j, 5), 5).select(List.of(j)).contains(j));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"0/3", "4/3", "1/0", "a/b", "3", "1/2/3", ""})
  void invalidShardsAreRefusedWithTheRule(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.parse(text));
    assertTrue(e.getMessage().contains("I/N"), e.getMessage());
  }

  @Test
  void parsesAndNamesShardSummaries() {
    Shard s = Shard.parse(" 2/3 ");
    assertEquals(new Shard(2, 3), s);
    assertEquals("summary-shard-2-of-3", s.summaryStem());
  }

  @Test
  void outputNamesAreReadableStableAndUnique() throws Exception {
    ScanJob a = ScanJob.of("chest ct/case01.nii.gz", Path.of("x"), null, null);
    assertTrue(a.name().matches("chest_ct_case01-[0-9a-f]{8}"), a.name());
    byte[] d = MessageDigest.getInstance("SHA-256").digest(a.id().getBytes(StandardCharsets.UTF_8));
    assertEquals(String.format("%02x%02x%02x%02x", d[0], d[1], d[2], d[3]), a.name().substring(a.name().length() - 8));
    assertEquals(a.name(), ScanJob.of("chest ct/case01.nii.gz", Path.of("y"), null, null).name(), "stable");
    // Same sanitised text, different inputs: the hash keeps them apart.
    ScanJob b = ScanJob.of("chest_ct/case01.nii.gz", Path.of("x"), null, null);
    assertNotEquals(a.name(), b.name());
    ScanJob t = ScanJob.of("chest ct/case01.nii.gz", Path.of("x"), null, "effusion");
    assertTrue(t.name().startsWith("chest_ct_case01_effusion-"), t.name());
    assertEquals("chest ct/case01.nii.gz@effusion", t.id());
    assertTrue(ScanJob.of("../.hidden/..", Path.of("x"), null, null).name().matches("hidden-[0-9a-f]{8}"));
    assertTrue(ScanJob.of(".", Path.of("x"), "1.2", null).name().matches("scan-[0-9a-f]{8}"));
  }
}
