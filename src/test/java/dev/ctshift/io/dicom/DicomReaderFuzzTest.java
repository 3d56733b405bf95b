package dev.ctshift.io.dicom;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ctshift.io.ScanReader;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.testing.FuzzFiles;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzz targets for the DICOM reading path: one file through {@link ScanReader} (format detection,
 * then the series reader), and a folder of several files through {@link DicomScanner} (what
 * {@code inspect} shows) and {@link DicomSeriesReader}. Only a {@link VolumeReadException} naming the
 * input may come out. {@code mvn test} replays the committed inputs in
 * {@code DicomReaderFuzzTestInputs/}; {@code scripts/fuzz} fuzzes.
 */
class DicomReaderFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void file(byte[] data) {
    Path file = FuzzFiles.write("fuzz.dcm", data);
    try {
      ScanReader.read(file, null, line -> { });
    } catch (VolumeReadException e) {
      FuzzFiles.assertClear(e, file);
    }
  }

  /** The input holds up to 4 files, cut at {@link FuzzFiles#FILE_SEPARATOR}. */
  @FuzzTest(maxDuration = "10m")
  void folder(byte[] data) {
    List<byte[]> parts = FuzzFiles.split(data);
    if (parts.size() > 4) {
      return;
    }
    Path dir = FuzzFiles.emptyFolder("series");
    for (int i = 0; i < parts.size(); i++) {
      FuzzFiles.write("series/IM" + i, parts.get(i));
    }
    try {
      DicomFolder found = DicomScanner.scan(dir);
      for (SeriesInfo s : found.series()) {
        DicomFolder.describe(s);
        s.transferSyntaxes();
        s.spacingMm();
        s.orientation();
        s.notCandidateReason();
      }
      DicomSeriesReader.read(dir, null, line -> { });
    } catch (VolumeReadException e) {
      FuzzFiles.assertClear(e, dir);
    }
  }
}
