package dev.ctshift.io.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.ctshift.io.VolumeReadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DicomSeriesReaderTest {
  private final List<String> log = new ArrayList<>();

  @ParameterizedTest
  @ValueSource(strings = {"shuffled", "two-series", "big-endian", "implicit", "deflate", "rle",
      "jpeg-lossless", "enhanced", "tilted", "duplicate"})
  void readsGeneratedSeriesWithExactGeometryAndHu(String name) throws Exception {
    DicomScan scan = DicomSeriesReader.read(Fixtures.dir(name), null, log::add);
    Fixtures.assertMatches(Fixtures.expected(name), scan.volume());
    assertEquals(scan.volume().nz(), scan.sourceImages().size());
  }

  @Test
  void readsASingleMultiFrameFile() throws Exception {
    DicomScan scan = DicomSeriesReader.read(Fixtures.dir("enhanced").resolve("enhanced.dcm"), null, log::add);
    Fixtures.assertMatches(Fixtures.expected("enhanced"), scan.volume());
    // Frames were stored shuffled: references follow the volume order, not the file's frame order.
    List<Integer> frames = scan.sourceImages().stream().map(SourceImage::frameNumber).toList();
    assertEquals(5, frames.stream().distinct().count());
    assertTrue(!frames.equals(List.of(1, 2, 3, 4, 5)), frames::toString);
  }

  @Test
  void skipsFilesThatAreNotDicomOrCutShortAndListsThem() throws Exception {
    DicomScan scan = DicomSeriesReader.read(Fixtures.dir("shuffled"), null, log::add);
    List<String> skipped = scan.skipped().stream().map(f -> f.file().getFileName().toString()).toList();
    assertEquals(List.of("notes.txt", "truncated.dcm"), skipped.stream().sorted().toList());
    assertTrue(log.stream().anyMatch(l -> l.contains("skipped") && l.contains("notes.txt")), log::toString);
  }

  @Test
  void choosesTheLargestCtSeriesOrTheRequestedOne() throws Exception {
    DicomSeriesReader.read(Fixtures.dir("two-series"), null, log::add);
    assertTrue(log.get(0).contains("most images of 2"), log::toString);

    JsonObject small = Fixtures.expected("two-series-small");
    String uid = small.get("seriesUid").getAsString();
    DicomScan scan = DicomSeriesReader.read(Fixtures.dir("two-series"), uid, log::add);
    Fixtures.assertMatches(small, scan.volume());
    assertEquals(uid, scan.series().uid());
  }

  @Test
  void dropsDuplicatePositionsWithAWarning() throws Exception {
    DicomScan scan = DicomSeriesReader.read(Fixtures.dir("duplicate"), null, log::add);
    assertEquals(4, scan.volume().nz());
    assertEquals(5, scan.series().imageCount());
    assertTrue(log.stream().anyMatch(l -> l.contains("dropped duplicate slice")), log::toString);
  }

  @Test
  void keepsATiltedStackWithAShearedAffineAndWarns() throws Exception {
    DicomSeriesReader.read(Fixtures.dir("tilted"), null, log::add);
    // atan(0.9 / 2.5) = 19.80 degrees
    assertTrue(log.stream().anyMatch(l -> l.contains("tilted by 19.80 degrees")), log::toString);
  }

  @Test
  void failsOnAMissingSliceNamingTheGap() {
    VolumeReadException e = assertThrows(VolumeReadException.class,
        () -> DicomSeriesReader.read(Fixtures.dir("missing-slice"), null, log::add));
    assertTrue(e.getMessage().contains("missing slices: gap of 5.000 mm"), e.getMessage());
    assertTrue(e.getMessage().contains("2.500 mm apart"), e.getMessage());
  }

  @Test
  void failsOnUnevenSpacingSayingWhere() {
    VolumeReadException e = assertThrows(VolumeReadException.class,
        () -> DicomSeriesReader.read(Fixtures.dir("uneven"), null, log::add));
    assertTrue(e.getMessage().contains("uneven slice spacing"), e.getMessage());
    assertTrue(e.getMessage().contains("uneven slice spacing: 3.300 mm from"), e.getMessage());
    assertTrue(e.getMessage().contains("at (-12.500, -20.000, 37.500)"), e.getMessage());
    assertTrue(e.getMessage().contains("at (-12.500, -20.000, 40.800)"), e.getMessage());
  }

  @Test
  void failsOnMixedImageSizes() {
    VolumeReadException e = assertThrows(VolumeReadException.class,
        () -> DicomSeriesReader.read(Fixtures.dir("mixed-size"), null, log::add));
    assertTrue(e.getMessage().contains("mixes image sizes: 32x32"), e.getMessage());
    assertTrue(e.getMessage().contains("32x30"), e.getMessage());
  }

  @Test
  void failsClearlyWithoutCt() {
    VolumeReadException e = assertThrows(VolumeReadException.class,
        () -> DicomSeriesReader.read(Fixtures.dir("no-ct"), null, log::add));
    assertTrue(e.getMessage().startsWith("no CT series in"), e.getMessage());
    assertTrue(e.getMessage().contains("modality MR, not CT"), e.getMessage());
  }

  @Test
  void failsClearlyOnAnUnknownSeriesUid() {
    VolumeReadException e = assertThrows(VolumeReadException.class,
        () -> DicomSeriesReader.read(Fixtures.dir("two-series"), "1.2.3.4", log::add));
    assertTrue(e.getMessage().contains("series 1.2.3.4 is not in"), e.getMessage());
  }

  @Test
  void failsClearlyOnAFolderWithoutDicom(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.txt"), "hello");
    VolumeReadException e = assertThrows(VolumeReadException.class,
        () -> DicomSeriesReader.read(dir, null, log::add));
    assertTrue(e.getMessage().contains("no DICOM images found in " + dir), e.getMessage());
    assertTrue(e.getMessage().contains("a.txt: not a DICOM file"), e.getMessage());
  }

  @Test
  void aSliceWhosePixelsAreCutShortIsSkippedAndItsGapReported(@TempDir Path dir) throws Exception {
    try (var s = Files.list(Fixtures.dir("two-series"))) {
      for (Path f : s.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    SeriesInfo series = DicomScanner.scan(dir).candidates().get(0);
    Path middle = series.stack().slices().get(2).file();
    byte[] bytes = Files.readAllBytes(middle);
    Files.write(middle, java.util.Arrays.copyOf(bytes, bytes.length - 1000));
    VolumeReadException e = assertThrows(VolumeReadException.class,
        () -> DicomSeriesReader.read(dir, null, log::add));
    assertTrue(e.getMessage().contains("missing slices: gap of 5.000 mm"), e.getMessage());
    // The cut is found by the length check when scanning, before any pixels are decoded.
    assertTrue(e.getMessage().contains(middle + ": corrupt: element (7FE0,0010) claims"), e.getMessage());
    assertTrue(log.stream().anyMatch(l -> l.startsWith("DICOM: skipped " + middle)), log::toString);
  }
}
