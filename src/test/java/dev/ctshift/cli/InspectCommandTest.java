package dev.ctshift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class InspectCommandTest {
  private static final Path FIXTURES = Path.of("src", "test", "resources", "dicom");
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void listsSeriesAndSaysWhichIsUsed() {
    assertEquals(0, run("inspect", FIXTURES.resolve("two-series").toString()), err::toString);
    String o = out.toString();
    assertTrue(o.contains(": 3 series, 0 files skipped"), o);
    assertTrue(o.matches("(?s).*series \\S+  \\[used]\n  modality CT, 'big series', 5 images in 5 files.*"), o);
    assertTrue(o.contains("[not used: modality MR, not CT; --allow-modality MR reads it anyway]"), o);
    assertTrue(o.contains("volume 32 x 32 x 5, spacing 0.700 x 0.800 x 2.500 mm, orientation LPS"), o);
    assertTrue(o.contains("transfer syntax Explicit VR Little Endian"), o);
    assertTrue(o.contains("the CT series with the most images of 2"), o);
  }

  @Test
  void listsSkippedFilesWithReasons() {
    assertEquals(0, run("inspect", FIXTURES.resolve("shuffled").toString()), err::toString);
    assertTrue(out.toString().contains("notes.txt: not a DICOM file"), out::toString);
    assertTrue(out.toString().contains("truncated.dcm: "), out::toString);
  }

  @Test
  void reportsTheProblemOfTheSeriesThatWouldBeUsedAndExitsWithInputError() {
    assertEquals(Main.EXIT_INPUT, run("inspect", FIXTURES.resolve("missing-slice").toString()));
    assertTrue(out.toString().contains("  problem: series "), out::toString);
    assertTrue(err.toString().startsWith("ctshift: error: series "), err::toString);
    assertTrue(err.toString().contains("is missing slices: gap of 5.000 mm"), err::toString);
  }

  @Test
  void aMissingPathIsAnInputError() {
    assertEquals(Main.EXIT_INPUT, run("inspect", "no/such/dir"));
    assertTrue(err.toString().contains("no/such/dir: no such file or folder"), err::toString);
  }

  @Test
  void describesTheRealJpeg2000Series() {
    Path real = Path.of("../shared/data/real/totalseg-abdomen-dicom");
    Assumptions.assumeTrue(Files.isDirectory(real), "real data not found");
    assertEquals(0, run("inspect", real.toString()), err::toString);
    String o = out.toString();
    assertTrue(o.contains("series (no SeriesInstanceUID)  [used]"), o);
    assertTrue(o.contains("volume 512 x 512 x 20, spacing 0.977 x 0.977 x 2.000 mm, orientation LPS"), o);
    assertTrue(o.contains("transfer syntax JPEG 2000"), o);
  }
}
