package dev.ctshift.io.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DicomDerivedWriterTest {
  private final List<String> log = new ArrayList<>();
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"shuffled", "big-endian", "tilted", "enhanced"})
  void derivedSeriesReadsBackToTheSameVoxelsAndGeometry(String name) throws Exception {
    DicomScan source = DicomSeriesReader.read(Fixtures.dir(name), null, log::add);
    Path out = tmp.resolve("derived");
    DerivedSeries written =
        DicomDerivedWriter.write(out, source, source.volume(), "ctshift test " + name, log::add);
    assertEquals(source.volume().nz(), written.files().size());

    DicomScan back = DicomSeriesReader.read(out, null, log::add);
    Fixtures.assertMatches(Fixtures.expected(name), back.volume());
    assertTrue(back.skipped().isEmpty(), back.skipped()::toString);

    for (int k = 0; k < written.files().size(); k++) {
      AttributeList l = new AttributeList();
      l.read(written.files().get(k).toFile());
      assertEquals("DERIVED\\SECONDARY\\AXIAL",
          Attribute.getDelimitedStringValuesOrEmptyString(l, TagFromName.ImageType));
      assertEquals(source.studyInstanceUid(), text(l, TagFromName.StudyInstanceUID));
      assertEquals(source.frameOfReferenceUid(), text(l, TagFromName.FrameOfReferenceUID));
      assertEquals(written.seriesInstanceUid(), text(l, TagFromName.SeriesInstanceUID));
      assertNotEquals(source.series().uid(), written.seriesInstanceUid());
      assertEquals("Test^Phantom", text(l, TagFromName.PatientName));
      assertEquals("ctshift test " + name, text(l, TagFromName.SeriesDescription));
      assertEquals("1.2.840.10008.1.2.1", text(l, TagFromName.TransferSyntaxUID));
      SourceImage src = source.sourceImages().get(k);
      for (var seq : List.of(TagFromName.SourceImageSequence, TagFromName.ReferencedImageSequence)) {
        AttributeList item = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(l, seq);
        assertEquals(src.sopInstanceUid(), text(item, TagFromName.ReferencedSOPInstanceUID));
        assertEquals(src.sopClassUid(), text(item, TagFromName.ReferencedSOPClassUID));
        assertEquals(src.frameNumber(),
            Attribute.getSingleIntegerValueOrDefault(item, TagFromName.ReferencedFrameNumber, 0));
      }
    }
  }

  @Test
  void withoutSourceTheIdentityIsEmptyAndUidsAreNew() throws Exception {
    Volume v = DicomSeriesReader.read(Fixtures.dir("implicit"), null, log::add).volume();
    DerivedSeries w = DicomDerivedWriter.write(tmp.resolve("x"), null, v, "from NIfTI", log::add);
    assertTrue(w.notes().get(0).startsWith("no DICOM source"), w.notes()::toString);
    assertTrue(log.stream().anyMatch(l -> l.contains("no DICOM source")), log::toString);
    AttributeList l = new AttributeList();
    l.read(w.files().get(0).toFile());
    assertEquals("", text(l, TagFromName.PatientName));
    assertTrue(l.containsKey(TagFromName.PatientID), "type 2 attributes are present, empty");
    assertEquals(w.studyInstanceUid(), text(l, TagFromName.StudyInstanceUID));
    assertTrue(w.studyInstanceUid().startsWith("2.25."));
    assertFalse(l.containsKey(TagFromName.SourceImageSequence));
    Fixtures.assertMatches(Fixtures.expected("implicit"),
        DicomSeriesReader.read(w.dir(), null, log::add).volume());
  }

  @Test
  void valuesBeyondInt16UseASlopeAndNonIntegersRound() throws Exception {
    Volume v = DicomSeriesReader.read(Fixtures.dir("implicit"), null, log::add).volume().copy();
    float[] d = v.data();
    d[0] = 50000f;
    d[1] = -3.4f;
    d[2] = 12.6f;
    DerivedSeries w = DicomDerivedWriter.write(tmp.resolve("s"), null, v, "slope", log::add);
    float[] back = DicomSeriesReader.read(w.dir(), null, log::add).volume().data();
    double slope = 50000.0 / Short.MAX_VALUE;
    assertTrue(w.notes().stream().anyMatch(n -> n.contains("RescaleSlope 1.5259")), w.notes()::toString);
    for (int n = 0; n < d.length; n++) {
      assertEquals(d[n], back[n], slope / 2 + 1e-3, "voxel " + n);
    }
    DerivedSeries w2 = DicomDerivedWriter.write(tmp.resolve("r"), null,
        v.withData(roundable(v)), "round", log::add);
    float[] back2 = DicomSeriesReader.read(w2.dir(), null, log::add).volume().data();
    assertEquals(-3f, back2[1]);
    assertEquals(13f, back2[2]);
  }

  private static float[] roundable(Volume v) {
    float[] d = v.data().clone();
    d[0] = 0f;
    d[1] = -3.4f;
    d[2] = 12.6f;
    return d;
  }

  @Test
  void refusesANonEmptyFolderAndLeavesNothingBehind() throws Exception {
    Volume v = DicomSeriesReader.read(Fixtures.dir("implicit"), null, log::add).volume();
    Path out = tmp.resolve("taken");
    Files.createDirectories(out);
    Files.writeString(out.resolve("keep.txt"), "mine");
    IOException e = assertThrows(IOException.class,
        () -> DicomDerivedWriter.write(out, null, v, "x", log::add));
    assertTrue(e.getMessage().contains("already exists and is not empty"), e.getMessage());
    try (var s = Files.list(tmp)) {
      assertEquals(List.of(out), s.toList(), "no temporary folder left");
    }
    float[] bad = v.data().clone();
    bad[3] = Float.NaN;
    assertThrows(IllegalArgumentException.class,
        () -> DicomDerivedWriter.write(tmp.resolve("nan"), null, v.withData(bad), "x", log::add));
    assertFalse(Files.exists(tmp.resolve("nan")));
  }

  /** pydicom (an independent DICOM implementation) reads the files without warnings. */
  @Test
  void pydicomReadsTheDerivedSeriesWithoutWarnings() throws Exception {
    Assumptions.assumeTrue(pydicomAvailable(), "needs /usr/bin/python3 with pydicom");
    DicomScan source = DicomSeriesReader.read(Fixtures.dir("big-endian"), null, log::add);
    DerivedSeries w = DicomDerivedWriter.write(tmp.resolve("py"), source, source.volume(), "py", log::add);
    String script = String.join("\n",
        "import sys, json, warnings, glob",
        "warnings.simplefilter('error')",
        "import pydicom",
        "from pydicom import config",
        "config.enforce_valid_values = True",
        "out = []",
        "for f in sorted(glob.glob(sys.argv[1] + '/*.dcm')):",
        "  ds = pydicom.dcmread(f)",
        "  hu = ds.pixel_array.astype(float) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)",
        "  out.append({'ipp': [float(v) for v in ds.ImagePositionPatient],",
        "              'iop': [float(v) for v in ds.ImageOrientationPatient],",
        "              'ps': [float(v) for v in ds.PixelSpacing], 'sum': float(hu.sum()),",
        "              'first': float(hu[0, 1]), 'shape': list(hu.shape)})",
        "print(json.dumps(out))");
    Path py = tmp.resolve("check.py");
    Files.writeString(py, script);
    Process p = new ProcessBuilder("/usr/bin/python3", py.toString(), w.dir().toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), output);
    JsonObject[] slices = new Gson().fromJson(output.trim(), JsonObject[].class);
    Volume v = source.volume();
    double[][] lps = v.affine();
    assertEquals(v.nz(), slices.length);
    for (int k = 0; k < v.nz(); k++) {
      double[] ipp = new Gson().fromJson(slices[k].get("ipp"), double[].class);
      double[] ras = Affine.apply(lps, new double[] {0, 0, k});
      assertArrayEquals(new double[] {-ras[0], -ras[1], ras[2]}, ipp, 1e-4, "slice " + k);
      double sum = 0;
      for (int j = 0; j < v.ny(); j++) {
        for (int i = 0; i < v.nx(); i++) {
          sum += v.get(i, j, k);
        }
      }
      assertEquals(sum, slices[k].get("sum").getAsDouble(), 1e-6);
      // pixel_array is [row, column]: row 0, column 1 is voxel (i = 1, j = 0).
      assertEquals(v.get(1, 0, k), slices[k].get("first").getAsDouble(), 1e-6);
      assertArrayEquals(new int[] {v.ny(), v.nx()},
          new Gson().fromJson(slices[k].get("shape"), int[].class));
    }
  }

  private static boolean pydicomAvailable() {
    try {
      Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import pydicom")
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static String text(AttributeList l, com.pixelmed.dicom.AttributeTag t) {
    return Attribute.getSingleStringValueOrEmptyString(l, t).trim();
  }
}
