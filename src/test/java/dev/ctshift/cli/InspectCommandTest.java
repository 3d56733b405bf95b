package dev.ctshift.cli;

import static dev.ctshift.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.testing.Cli.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class InspectCommandTest {
  private static final Path FIXTURES = Path.of("src", "test", "resources", "dicom");

  @Test
  void listsSeriesAndSaysWhichIsUsed() {
    Run r = run("inspect", FIXTURES.resolve("two-series").toString());
    assertEquals(0, r.code(), r::err);
    String o = r.out();
    assertTrue(o.contains(": 3 series, 0 files skipped"), o);
    assertTrue(o.matches("(?s).*series \\S+  \\[used]\n  modality CT, 'big series', 5 images in 5 files.*"), o);
    assertTrue(o.contains("[not used: modality MR, not CT; --allow-modality MR reads it anyway]"), o);
    assertTrue(o.contains("volume 32 x 32 x 5, spacing 0.700 x 0.800 x 2.500 mm, orientation LPS"), o);
    assertTrue(o.contains("transfer syntax Explicit VR Little Endian"), o);
    assertTrue(o.contains("the CT series with the most images of 2"), o);
  }

  @Test
  void listsSkippedFilesWithReasons() {
    Run r = run("inspect", FIXTURES.resolve("shuffled").toString());
    assertEquals(0, r.code(), r::err);
    assertTrue(r.out().contains("notes.txt: not a DICOM file"), r::out);
    assertTrue(r.out().contains("truncated.dcm: "), r::out);
  }

  @Test
  void reportsTheProblemOfTheSeriesThatWouldBeUsedAndExitsWithInputError() {
    Run r = run("inspect", FIXTURES.resolve("missing-slice").toString());
    assertEquals(Main.EXIT_INPUT, r.code());
    assertTrue(r.out().contains("  problem: series "), r::out);
    assertTrue(r.err().startsWith("ctshift: error: series "), r::err);
    assertTrue(r.err().contains("is missing slices: gap of 5.000 mm"), r::err);
  }

  @Test
  void aMissingPathIsAnInputError() {
    Run r = run("inspect", "no/such/dir");
    assertEquals(Main.EXIT_INPUT, r.code());
    assertTrue(r.err().contains("no/such/dir: no such file or folder"), r::err);
  }

  @Test
  void describesTheRealJpeg2000Series() {
    Path real = Path.of("../shared/data/real/totalseg-abdomen-dicom");
    Assumptions.assumeTrue(Files.isDirectory(real), "real data not found");
    Run r = run("inspect", real.toString());
    assertEquals(0, r.code(), r::err);
    String o = r.out();
    assertTrue(o.contains("series (no SeriesInstanceUID)  [used]"), o);
    assertTrue(o.contains("volume 512 x 512 x 20, spacing 0.977 x 0.977 x 2.000 mm, orientation LPS"), o);
    assertTrue(o.contains("transfer syntax JPEG 2000"), o);
  }
}
