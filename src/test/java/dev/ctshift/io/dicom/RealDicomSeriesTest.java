package dev.ctshift.io.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real JPEG 2000 series from ../shared/data/real, checked against its NIfTI label map. */
class RealDicomSeriesTest {
  static final Path SERIES = Path.of("../shared/data/real/totalseg-abdomen-dicom");
  static final Path LABELS = Path.of("../shared/data/real/totalseg-abdomen-dicom-labels.nii.gz");
  static DicomScan scan;
  static final List<String> LOG = new ArrayList<>();

  @BeforeAll
  static void read() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(SERIES) && Files.exists(LABELS),
        "real data not found at " + SERIES.toAbsolutePath());
    scan = DicomSeriesReader.read(SERIES, null, LOG::add);
  }

  @Test
  void gridMatchesTheLabelMapsWorldGrid() throws Exception {
    Volume v = scan.volume();
    assertArrayEquals(new int[] {512, 512, 20}, v.dims());
    assertArrayEquals(new double[] {0.9765625, 0.9765625, 2.0}, v.spacing(), 1e-6);
    assertEquals("LPS", v.orientation(), "DICOM pixel order is kept");
    Labels labels = Labels.read(LABELS);
    assertArrayEquals(new int[] {512, 512, 20}, labels.dims);
    // The label map (LAS) stores rows bottom-up; every voxel centre must land on the same point.
    for (int[] c : new int[][] {{0, 0, 0}, {511, 0, 0}, {0, 511, 0}, {0, 0, 19}, {511, 511, 19},
        {200, 300, 7}}) {
      double[] ours = Affine.apply(v.affine(), new double[] {c[0], c[1], c[2]});
      double[] theirs = Affine.apply(labels.affine, new double[] {c[0], 511 - c[1], c[2]});
      assertArrayEquals(theirs, ours, 1e-3, "voxel " + java.util.Arrays.toString(c));
    }
  }

  @Test
  void huMatchTheDocumentedRangeAndTheLabelledAnatomy() throws Exception {
    float[] range = scan.volume().range();
    assertEquals(-1024f, range[0]);
    assertEquals(1839f, range[1]);
    Labels labels = Labels.read(LABELS);
    Volume v = scan.volume();
    // Organs (label > 0) are soft tissue or bone; with a wrong row order they would cover air too.
    double inside = 0;
    double flipped = 0;
    long n = 0;
    for (int k = 0; k < 20; k++) {
      for (int j = 0; j < 512; j++) {
        for (int i = 0; i < 512; i++) {
          if (labels.get(i, 511 - j, k) > 0) {
            inside += v.get(i, j, k);
            flipped += v.get(i, 511 - j, k);
            n++;
          }
        }
      }
    }
    assertTrue(n > 10000, "labelled voxels: " + n);
    assertTrue(inside / n > -50 && inside / n < 250, "mean HU in organs " + inside / n);
    assertTrue(flipped / n < inside / n - 100, "a flipped grid would not fit: " + flipped / n);
  }

  @Test
  void writesADerivedSeriesThatReadsBackIdentically(@TempDir Path tmp) throws Exception {
    DerivedSeries w = DicomDerivedWriter.write(tmp.resolve("d"), scan, scan.volume(), "copy", LOG::add);
    // The anonymised source has no Study UID: the derived series gets a new one and says so.
    assertTrue(w.notes().stream().anyMatch(s -> s.contains("no StudyInstanceUID")), w.notes()::toString);
    DicomScan back = DicomSeriesReader.read(w.dir(), null, LOG::add);
    assertTrue(back.volume().sameGeometry(scan.volume(), 1e-4));
    assertArrayEquals(scan.volume().data(), back.volume().data());
    assertEquals(scan.frameOfReferenceUid(), back.frameOfReferenceUid());
  }

  /** A minimal NIfTI-1 reader for the uint8 label map: sform and voxels. */
  record Labels(int[] dims, double[][] affine, byte[] data) {
    static Labels read(Path p) throws IOException {
      byte[] all;
      try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
        all = in.readAllBytes();
      }
      ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
      assertEquals(348, b.getInt(0), "little-endian NIfTI-1");
      assertEquals(2, b.getShort(70), "uint8 labels");
      int[] dims = {b.getShort(42), b.getShort(44), b.getShort(46)};
      double[][] a = Affine.identity();
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 4; c++) {
          a[r][c] = b.getFloat(280 + 16 * r + 4 * c);
        }
      }
      int offset = (int) b.getFloat(108);
      byte[] data = java.util.Arrays.copyOfRange(all, offset, offset + dims[0] * dims[1] * dims[2]);
      return new Labels(dims, a, data);
    }

    int get(int i, int j, int k) {
      return data[i + dims[0] * (j + dims[1] * k)] & 0xff;
    }
  }
}
