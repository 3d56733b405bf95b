package dev.ctshift.io.nifti;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.testing.FuzzFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Fuzz targets for {@link NiftiReader}: any bytes must either read or be refused with a
 * {@link VolumeReadException} naming the file; nothing else may escape (no runtime exception, no
 * OutOfMemoryError from a header that claims huge sizes, no hang). {@code mvn test} replays the
 * committed inputs in {@code NiftiReaderFuzzTestInputs/}; {@code scripts/fuzz} fuzzes.
 */
class NiftiReaderFuzzTest {
  /** The bytes as a file: plain NIfTI, or anything that starts like gzip (corrupt streams included). */
  @FuzzTest(maxDuration = "10m")
  void plainFile(byte[] data) {
    read(FuzzFiles.write("fuzz.nii", data));
  }

  /** The bytes gzip-compressed, so the fuzzer works on the header and data behind the decompressor. */
  @FuzzTest(maxDuration = "10m")
  void gzipFile(byte[] data) throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(data);
    }
    read(FuzzFiles.write("fuzz.nii.gz", gz.toByteArray()));
  }

  private static void read(Path file) {
    try {
      NiftiImage image = NiftiReader.read(file);
      // What callers do next with a read image must work too.
      for (int t = 0; t < image.volumeCount(); t++) {
        image.volume(t).orientation();
      }
    } catch (VolumeReadException e) {
      FuzzFiles.assertClear(e, file);
    }
  }
}
