package dev.ctshift.cli;

import static dev.ctshift.cli.InputSanityCommandTest.assertRefused;
import static dev.ctshift.cli.InputSanityCommandTest.explain;
import static dev.ctshift.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.TagFromName;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.io.dicom.DicomDerivedWriter;
import dev.ctshift.io.dicom.DicomFolder;
import dev.ctshift.io.dicom.DicomScanner;
import dev.ctshift.io.dicom.SeriesInfo;
import dev.ctshift.io.sanity.Inputs;
import dev.ctshift.testing.Cli.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22: a DICOM series whose modality is not CT is refused unless {@code --allow-modality} names it, and
 * then its values are still checked as HU. The series are the bundled phantom written by
 * {@link DicomDerivedWriter} and relabelled as MR with PixelMed.
 */
class ModalityOverrideTest {
  static final String MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4";

  @TempDir Path dir;

  /** The phantom as a DICOM series relabelled MR (Modality and SOP class), stored with {@code intercept}. */
  Path mrSeries(String name, String intercept) throws Exception {
    Path series = dir.resolve(name);
    DicomDerivedWriter.write(series, null, Inputs.phantom(), "phantom", s -> { });
    try (Stream<Path> s = Files.walk(series)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        AttributeList l = new AttributeList();
        l.read(f.toString());
        put(l, TagFromName.Modality, "MR");
        put(l, TagFromName.SOPClassUID, MR_IMAGE_STORAGE);
        put(l, TagFromName.MediaStorageSOPClassUID, MR_IMAGE_STORAGE);
        put(l, TagFromName.RescaleIntercept, intercept);
        l.write(f.toString(), TransferSyntax.ExplicitVRLittleEndian, true, true);
      }
    }
    return series;
  }

  static void put(AttributeList list, AttributeTag tag, String value) throws Exception {
    Attribute a = list.get(tag);
    assertTrue(a != null, "fixture has " + tag);
    a.removeValues();
    a.addValue(value);
  }

  @Test
  void anMrSeriesIsRefusedByDefaultAndReadWithAllowModality() throws Exception {
    Path series = mrSeries("mr", "0");
    Path refused = dir.resolve("refused");
    assertRefused(run(explain(series, refused)), Main.EXIT_INPUT, refused, "no CT series in " + series,
        "modality MR, not CT", "--allow-modality MR");

    Path out = dir.resolve("allowed");
    Run r = run(explain(series, out, "--allow-modality", "mr"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("has modality MR, read as CT because of --allow-modality"), r.err());
    assertTrue(Files.isRegularFile(out.resolve("report.json")), "report written");
    assertTrue(Files.readString(out.resolve("report.json")).contains("DICOM MR series"), "report names the modality");

    // Allowing another modality does not read this one.
    Path other = dir.resolve("other");
    assertRefused(run(explain(series, other, "--allow-modality", "PT")), Main.EXIT_INPUT, other,
        "modality MR, not CT", "--allow-modality MR");
  }

  @Test
  void batchRecordsTheRefusalAndReadsTheSeriesWithAllowModality() throws Exception {
    Path in = dir.resolve("batch-in");
    Path series = mrSeries("batch-in/mr", "0");
    Path refused = dir.resolve("batch-refused");
    Run r = run(BatchCommandTest.batchArgs(in, refused).toArray(String[]::new));
    assertEquals(5, r.code(), r.out() + r.err());
    JsonObject row = BatchCommandTest.rows(refused.resolve("summary.json")).get("mr@finding_a");
    assertEquals("failed", row.get("status").getAsString(), row.toString());
    assertTrue(row.get("error").getAsString().contains("modality MR, not CT; --allow-modality MR reads it anyway"),
        row.toString());

    Path allowed = dir.resolve("batch-allowed");
    r = run(BatchCommandTest.batchArgs(in, allowed, "--allow-modality", "MR").toArray(String[]::new));
    assertEquals(0, r.code(), r.out() + r.err());
    row = BatchCommandTest.rows(allowed.resolve("summary.json")).get("mr@finding_a");
    assertEquals("ok", row.get("status").getAsString(), row.toString());
    assertTrue(Files.isDirectory(series), "input untouched");
  }

  @Test
  void anAllowedModalityIsStillCheckedAsHu() throws Exception {
    // Stored values + 1024: a typical MR-like offset that the HU check refuses whatever the modality.
    Path series = mrSeries("mr-offset", "1024");
    Path out = dir.resolve("offset");
    assertRefused(run(explain(series, out, "--allow-modality", "MR")), Main.EXIT_INPUT, out, series.toString(),
        "does not look like CT in Hounsfield units", "--assume-hu");
  }

  @Test
  void aSeriesAskedForByUidNamesTheOptionAndIsReadWithIt() throws Exception {
    Path series = mrSeries("mr-uid", "0");
    DicomFolder folder = DicomScanner.scan(series);
    SeriesInfo mr = folder.series().get(0);
    assertTrue(folder.candidates().isEmpty(), "not a CT candidate");
    List<String> log = new ArrayList<>();
    VolumeReadException e = assertThrows(VolumeReadException.class, () -> folder.choose(mr.uid(), log::add));
    assertTrue(e.getMessage().contains("cannot be used: modality MR, not CT; --allow-modality MR reads it anyway"),
        e.getMessage());
    assertEquals(mr, folder.choose(mr.uid(), Set.of("MR"), log::add));
    assertEquals(Inputs.phantom().nz(), mr.sliceCount(), "the slices of a non-CT series are sorted too");
  }
}
