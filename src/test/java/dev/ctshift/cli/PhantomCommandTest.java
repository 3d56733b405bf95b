package dev.ctshift.cli;

import static dev.ctshift.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.io.nifti.NiftiReader;
import dev.ctshift.phantom.Phantom;
import dev.ctshift.phantom.PhantomAttributes;
import dev.ctshift.phantom.PhantomConfig;
import dev.ctshift.phantom.PhantomGenerator;
import dev.ctshift.testing.Cli.Run;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhantomCommandTest {
  private static final String[] GRID = {"--size", "40", "--slices", "10", "--spacing-mm", "8", "--slice-thickness-mm", "10"};

  private static String[] args(Path out, String... extra) {
    String[] base = {"phantom", "--out", out.toString(), "--count", "3", "--seed", "11"};
    String[] all = new String[base.length + GRID.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(GRID, 0, all, base.length, GRID.length);
    System.arraycopy(extra, 0, all, base.length + GRID.length, extra.length);
    return all;
  }

  @Test
  void writesVolumesLabelsAndCsvThatMatchTheGenerator(@TempDir Path dir) throws Exception {
    Run r = run(args(dir, "--ct-type", "float32", "--threads", "2"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("3/3"), "progress: " + r.err());
    List<String> csv = Files.readAllLines(dir.resolve("labels.csv"), StandardCharsets.UTF_8);
    assertEquals(4, csv.size());
    assertEquals(PhantomAttributes.csvHeader(), csv.get(0));
    PhantomGenerator gen = new PhantomGenerator(PhantomConfig.defaults().withGrid(40, 10, 8, 10));
    for (String row : csv.subList(1, 4)) {
      String[] f = row.split(",", -1);
      Phantom expected = gen.generate(f[0], Long.parseLong(f[1]));
      assertEquals(expected.attributes().csvRow(), row);
      Volume ct = NiftiReader.readVolume(dir.resolve(f[0] + ".nii.gz"));
      Volume labels = NiftiReader.readVolume(dir.resolve(f[0] + "_labels.nii.gz"));
      assertArrayEquals(expected.ct().data(), ct.data());
      assertArrayEquals(expected.labels().data(), labels.data());
      assertTrue(Affine.maxAbsDiff(expected.ct().affine(), ct.affine()) < 1e-4);
      assertEquals("RAS", ct.orientation());
    }
  }

  @Test
  void int16CtHoldsRoundedHounsfieldUnits(@TempDir Path dir) throws Exception {
    assertEquals(0, run(args(dir)).code());
    String[] f = Files.readAllLines(dir.resolve("labels.csv")).get(1).split(",", -1);
    float[] expected = new PhantomGenerator(PhantomConfig.defaults().withGrid(40, 10, 8, 10))
        .generate(f[0], Long.parseLong(f[1])).ct().data();
    float[] read = NiftiReader.readVolume(dir.resolve(f[0] + ".nii.gz")).data();
    for (int v = 0; v < read.length; v++) {
      assertEquals(Math.rint(expected[v]), read[v], 0, "voxel " + v);
    }
  }

  @Test
  void sameOptionsGiveSameBytesWhateverTheThreadCount(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    assertEquals(0, run(args(a, "--threads", "1")).code());
    assertEquals(0, run(args(b, "--threads", "2")).code());
    try (var files = Files.list(a)) {
      List<Path> names = files.map(Path::getFileName).toList();
      assertEquals(7, names.size());
      for (Path name : names) {
        assertEquals(-1, Files.mismatch(a.resolve(name), b.resolve(name)), name.toString());
      }
    }
    Path c = dir.resolve("c");
    String[] other = args(c);
    other[6] = "12";
    assertEquals(0, run(other).code());
    assertNotEquals(-1, Files.mismatch(a.resolve("phantom_00000.nii.gz"), c.resolve("phantom_00000.nii.gz")));
  }

  @Test
  void invalidOptionsAreRejectedWithoutOutput(@TempDir Path dir) {
    Path out = dir.resolve("out");
    Run count = run("phantom", "--out", out.toString(), "--count", "0");
    assertNotEquals(0, count.code());
    assertTrue(count.err().contains("--count"), count.err());
    Run rate = run("phantom", "--out", out.toString(), "--effusion-rate", "1.5");
    assertNotEquals(0, rate.code());
    assertTrue(rate.err().contains("effusion rate must be in [0, 1], got 1.5"), rate.err());
    Run twice = run("phantom", "--out", out.toString(), "--marker-rate", "1", "0", "--marker-rate", "0", "1");
    assertNotEquals(0, twice.code());
    assertTrue(twice.err().contains("at most once"), twice.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void markerAndNoduleOptionsReachTheGenerator(@TempDir Path dir) throws Exception {
    Run r = run(args(dir, "--marker-rate", "1", "0", "--nodule-size-mm", "10", "12", "--nodule-rate", "1"));
    assertEquals(0, r.code(), r.err());
    List<String> csv = Files.readAllLines(dir.resolve("labels.csv"), StandardCharsets.UTF_8);
    PhantomGenerator gen = new PhantomGenerator(PhantomConfig.builder().grid(40, 10, 8, 10)
        .rates(0.5, 0.3, 1).nodules(3, 10, 12).markers(1, 0).build());
    for (String row : csv.subList(1, 4)) {
      String[] f = row.split(",", -1);
      assertEquals(gen.generate(f[0], Long.parseLong(f[1])).attributes().csvRow(), row);
    }
  }
}
