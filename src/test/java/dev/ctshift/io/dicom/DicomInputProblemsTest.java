package dev.ctshift.io.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import dev.ctshift.cli.Main;
import dev.ctshift.io.Scan;
import dev.ctshift.io.ScanReader;
import dev.ctshift.testing.Cli;
import dev.ctshift.testing.Fixtures;
import dev.ctshift.volume.Volume;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows of the hostile-input probe (issue 22) that concern the DICOM reader: each case is a real
 * fixture series with one header changed by PixelMed, run through {@code ctshift inspect} and
 * {@code explain} as a user would, or through {@link ScanReader}.
 */
class DicomInputProblemsTest {
  @TempDir Path dir;

  @Test
  void zeroPixelSpacingIsAClearInputErrorInInspectAndExplain() throws Exception {
    Path series = copyBigSeries(list -> put(list, TagFromName.PixelSpacing, "0", "0"));
    assertRefused(series, "invalid geometry", "PixelSpacing (0.000, 0.000) mm: both must be positive");
  }

  @Test
  void allZeroImageOrientationIsAClearInputErrorInInspectAndExplain() throws Exception {
    Path series = copyBigSeries(list -> put(list, TagFromName.ImageOrientationPatient, "0", "0", "0", "0", "0", "0"));
    assertRefused(series, "invalid geometry", "has a zero direction");
  }

  @Test
  void aDuplicatedSlicePositionIsCalledADuplicateNotJustAGap() throws Exception {
    List<Path> files = new ArrayList<>();
    Path series = copyBigSeries(list -> { });
    SeriesInfo big = DicomScanner.scan(series).candidates().get(0);
    big.stack().slices().forEach(s -> files.add(s.file()));
    double[] second = big.stack().slices().get(1).position();
    // The third slice claims the second one's position: its own place is left empty.
    edit(files.get(2), list -> put(list, TagFromName.ImagePositionPatient,
        Double.toString(second[0]), Double.toString(second[1]), Double.toString(second[2])));
    Cli.Run r = Cli.run("inspect", series.toString());
    assertEquals(Main.EXIT_INPUT, r.code(), r.out() + r.err());
    String duplicate = r.out().substring(r.out().indexOf("problem: "));
    assertTrue(duplicate.contains("has a duplicate slice position: "), r.out());
    assertTrue(duplicate.contains(files.get(1).getFileName().toString())
        && duplicate.contains(files.get(2).getFileName().toString()), duplicate);
    assertFalse(duplicate.contains("is missing slices"), duplicate);
    assertTrue(r.out().contains("a gap of 5.000 mm where the other slices are 2.500 mm apart"), r.out());
  }

  @Test
  void aTieInImageCountIsReportedAsATieBrokenByUid() throws Exception {
    Path series = copyBigSeries(list -> { });
    // A second CT series with as many images: the same files under another SeriesInstanceUID.
    try (var s = Files.list(series)) {
      for (Path f : s.toList()) {
        AttributeList list = read(f);
        if ("CT".equals(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.Modality))) {
          Attribute uid = new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID);
          uid.addValue("1.2.826.0.1.3680043.10.1234.99");
          list.put(uid);
          Attribute sop = new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID);
          sop.addValue(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID) + ".9");
          list.put(sop);
          write(list, series.resolve(f.getFileName() + "-copy"));
        }
      }
    }
    List<String> log = new ArrayList<>();
    DicomSeriesReader.read(series, null, log::add);
    String using = log.stream().filter(l -> l.contains("using series")).findFirst().orElseThrow();
    assertTrue(using.contains("2 of the 2 CT series have the most images (5); of these, the first by"
        + " SeriesInstanceUID"), using);
    assertFalse(using.contains("the CT series with the most images"), using);
  }

  @Test
  void aDicomFileWithoutPreambleIsReadAsDicomAndSaysSo() throws Exception {
    Path original = Path.of("src/test/resources/dicom/implicit");
    Path first;
    try (var s = Files.list(original)) {
      first = s.sorted().findFirst().orElseThrow();
    }
    Path bare = dir.resolve("bare.dcm");
    Files.write(bare, withoutPreambleAndMeta(Files.readAllBytes(first)));
    List<String> log = new ArrayList<>();
    Scan scan = ScanReader.read(bare, null, log::add);
    assertEquals(Scan.Format.DICOM, scan.format());
    assertTrue(log.contains(bare + ": read as DICOM: DICOM without the 128-byte preamble and 'DICM' marker"
        + " (a bare data set)"), log::toString);
    Volume want = ScanReader.read(first, null, l -> { }).hu();
    assertEquals(java.util.Arrays.toString(want.dims()), java.util.Arrays.toString(scan.hu().dims()));
    for (int i = 0; i < want.data().length; i++) {
      assertEquals(want.data()[i], scan.hu().data()[i], "voxel " + i);
    }
    Cli.Run r = Cli.run("inspect", bare.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith(bare + ": DICOM without the 128-byte preamble"), r.out());
  }

  /** The data set of a Part 10 file: without the preamble, "DICM" and the group-2 meta elements. */
  static byte[] withoutPreambleAndMeta(byte[] part10) {
    ByteBuffer b = ByteBuffer.wrap(part10).order(ByteOrder.LITTLE_ENDIAN);
    // (0002,0000) UL is the first meta element: 132 + 8-byte header + its 4-byte value = group length.
    int metaEnd = 132 + 12 + b.getInt(140);
    return java.util.Arrays.copyOfRange(part10, metaEnd, part10.length);
  }

  private void assertRefused(Path series, String... phrases) throws Exception {
    Cli.Run inspect = Cli.run("inspect", series.toString());
    assertEquals(Main.EXIT_INPUT, inspect.code(), inspect.out() + inspect.err());
    Cli.Run explain = Cli.run("explain", series.toString(), "-m", Fixtures.model("tiny-classifier").toString(),
        "-a", Fixtures.model("tiny-ae").toString(), "-o", dir.resolve("out").toString());
    assertEquals(Main.EXIT_INPUT, explain.code(), explain.out() + explain.err());
    for (Cli.Run r : List.of(inspect, explain)) {
      String all = r.out() + r.err();
      assertFalse(all.contains("\tat "), "stack trace printed: " + all);
      for (String p : phrases) {
        assertTrue(r.err().contains(p), r.err());
      }
    }
    assertFalse(Files.exists(dir.resolve("out")) && Files.list(dir.resolve("out")).findAny().isPresent(),
        "explain left output behind");
  }

  /** The CT series of the two-series fixture (5 images) plus its MR series, copied, each file edited. */
  private Path copyBigSeries(Consumer<AttributeList> change) throws Exception {
    Path out = Files.createDirectories(dir.resolve("series"));
    try (var s = Files.list(Path.of("src/test/resources/dicom/two-series"))) {
      for (Path f : s.toList()) {
        AttributeList list = read(f);
        String desc = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SeriesDescription);
        if (desc.equals("big series") || "MR".equals(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.Modality))) {
          if (desc.equals("big series")) {
            change.accept(list);
          }
          write(list, out.resolve(f.getFileName()));
        }
      }
    }
    return out;
  }

  private static void edit(Path f, Consumer<AttributeList> change) throws Exception {
    AttributeList list = read(f);
    change.accept(list);
    write(list, f);
  }

  private static AttributeList read(Path f) throws Exception {
    AttributeList list = new AttributeList();
    list.read(f.toFile());
    return list;
  }

  private static void write(AttributeList list, Path f) throws Exception {
    list.write(f.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
  }

  private static void put(AttributeList list, AttributeTag tag, String... values) {
    try {
      Attribute a = new DecimalStringAttribute(tag);
      for (String v : values) {
        a.addValue(v);
      }
      list.put(a);
    } catch (com.pixelmed.dicom.DicomException e) {
      throw new IllegalStateException(e);
    }
  }
}
