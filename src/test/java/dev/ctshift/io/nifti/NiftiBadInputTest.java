package dev.ctshift.io.nifti;

import static dev.ctshift.io.nifti.NiftiTestSupport.obliqueAffine;
import static dev.ctshift.io.nifti.NiftiTestSupport.patchHeader;
import static dev.ctshift.io.nifti.NiftiTestSupport.randomVolume;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.io.VolumeReadException;
import dev.ctshift.volume.Volume;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken and foreign files give one clear VolumeReadException naming the file; failed writes leave nothing. */
class NiftiBadInputTest {
  @TempDir Path dir;

  /** Reading {@code file} fails with a one-line message that names the file and contains {@code word}. */
  private static void assertRejected(Path file, String word) {
    VolumeReadException e = assertThrows(VolumeReadException.class, () -> NiftiReader.read(file));
    String m = e.getMessage();
    assertTrue(m.contains(file.getFileName().toString()), "names the file: " + m);
    assertTrue(m.toLowerCase().contains(word), "says '" + word + "': " + m);
    assertFalse(m.contains("\n") || m.contains("\tat "), "no stack trace: " + m);
  }

  private Path validNii(String name) throws Exception {
    Path file = dir.resolve(name);
    NiftiWriter.write(file, randomVolume(20, 20, 10, -1000, 1000, obliqueAffine(false), 1),
        NiftiWriter.Options.defaults());
    return file;
  }

  private Path patched(String name, Consumer<ByteBuffer> edit) throws Exception {
    Path file = validNii(name);
    patchHeader(file, edit);
    return file;
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(raw);
    }
    return bytes.toByteArray();
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(7).nextBytes(b);
    return b;
  }

  @Test
  void foreignFilesAreNotNifti() throws Exception {
    assertRejected(Files.write(dir.resolve("empty.nii"), new byte[0]), "not a nifti");
    assertRejected(Files.write(dir.resolve("random.nii"), randomBytes(5000)), "not a nifti");
    assertRejected(Files.writeString(dir.resolve("notes.nii"), "patient scan, see PACS\n".repeat(40)), "not a nifti");
    assertRejected(Files.write(dir.resolve("garbage.nii.gz"), gzip(randomBytes(5000))), "not a nifti");
    assertRejected(patched("magic.nii", b -> b.put(344, "xyz".getBytes(StandardCharsets.US_ASCII))), "magic");
    assertRejected(patched("pair.nii", b -> b.put(345, (byte) 'i')), "pair");
  }

  @Test
  void corruptGzipIsReported() throws Exception {
    byte[] gz = gzip(Files.readAllBytes(validNii("src.nii")));
    for (int i = 20; i < gz.length - 8; i++) {
      gz[i] = (byte) (gz[i] ^ 0x5a);
    }
    assertRejected(Files.write(dir.resolve("corrupt.nii.gz"), gz), "corrupt");
  }

  @Test
  void truncatedFilesAreReported() throws Exception {
    byte[] nii = Files.readAllBytes(validNii("whole.nii"));
    assertRejected(Files.write(dir.resolve("cut.nii"), Arrays.copyOf(nii, nii.length - 10)), "truncated");
    assertRejected(Files.write(dir.resolve("short.nii"), Arrays.copyOf(nii, 200)), "too short");
    byte[] gz = gzip(nii);
    assertRejected(Files.write(dir.resolve("cut.nii.gz"), Arrays.copyOf(gz, gz.length / 2)), "truncated");
    // Complete gzip stream, but the NIfTI inside it ends early.
    assertRejected(Files.write(dir.resolve("short-inside.nii.gz"), gzip(Arrays.copyOf(nii, nii.length - 10))),
        "truncated");
  }

  @Test
  void unsupportedDatatypeIsNamed() throws Exception {
    Path file = patched("complex.nii", b -> b.putShort(70, (short) 32));
    assertRejected(file, "unsupported");
    assertRejected(file, "complex64");
  }

  @Test
  void absurdDimsAreRejected() throws Exception {
    assertRejected(patched("dim0.nii", b -> b.putShort(40, (short) 9)), "invalid dims");
    assertRejected(patched("dimzero.nii", b -> b.putShort(44, (short) 0)), "invalid dims");
    assertRejected(patched("dimneg.nii", b -> b.putShort(42, (short) -5)), "invalid dims");
    assertRejected(patched("huge.nii", b -> {
      b.putShort(40, (short) 4);
      for (int i = 1; i <= 4; i++) {
        b.putShort(40 + 2 * i, Short.MAX_VALUE);
      }
    }), "invalid dims");
    assertRejected(patched("five.nii", b -> {
      b.putShort(40, (short) 5);
      b.putShort(50, (short) 2);
    }), "only 3d volumes and 4d");
  }

  @Test
  void largeDimsInASmallGzipFailBeforeAllocating() throws Exception {
    Path nii = patched("big.nii", b -> {
      b.putShort(42, (short) 30000);
      b.putShort(44, (short) 30000);
      b.putShort(46, (short) 1);
    });
    assertRejected(Files.write(dir.resolve("big.nii.gz"), gzip(Files.readAllBytes(nii))), "truncated");
  }

  @Test
  void invalidOffsetAndGeometryAreRejected() throws Exception {
    assertRejected(patched("offset.nii", b -> b.putFloat(108, 100)), "vox_offset");
    assertRejected(patched("offset-frac.nii", b -> b.putFloat(108, 352.5f)), "vox_offset");
    assertRejected(patched("pixdim.nii", b -> {
      b.putShort(252, (short) 0);
      b.putShort(254, (short) 0);
      b.putFloat(84, 0);
    }), "voxel size");
    assertRejected(patched("singular.nii", b -> {
      for (int c = 0; c < 4; c++) {
        b.putFloat(312 + 4 * c, 0);
      }
    }), "singular");
  }

  @Test
  void missingFilesAndDirectoriesAreReported() {
    assertRejected(dir.resolve("absent.nii.gz"), "not found");
    VolumeReadException e = assertThrows(VolumeReadException.class, () -> NiftiReader.read(dir));
    assertTrue(e.getMessage().contains("directory"), e.getMessage());
  }

  @Test
  void compressionIsDetectedByContentNotName() throws Exception {
    Path nii = validNii("plain.nii");
    Volume expected = NiftiReader.readVolume(nii);
    Path plainNamedGz = Files.copy(nii, dir.resolve("plain-named.nii.gz"));
    Path gzNamedNii = Files.write(dir.resolve("gz-named.nii"), gzip(Files.readAllBytes(nii)));
    assertArrayEquals(expected.data(), NiftiReader.readVolume(plainNamedGz).data(), 0);
    assertArrayEquals(expected.data(), NiftiReader.readVolume(gzNamedNii).data(), 0);
  }

  @Test
  void writeIntoMissingDirectoryFailsCleanly() {
    Path file = dir.resolve("no-such-dir").resolve("out.nii.gz");
    NiftiWriteException e = assertThrows(NiftiWriteException.class, () -> NiftiWriter.write(
        file, randomVolume(2, 2, 2, 0, 1, obliqueAffine(false), 1), NiftiWriter.Options.defaults()));
    assertTrue(e.getMessage().contains("out.nii.gz"), e.getMessage());
    assertTrue(Files.notExists(file));
  }

  @Test
  void failedMoveLeavesNoPartialOrTemporaryFile() throws Exception {
    // The target is a non-empty directory: all data is written, then the final move fails.
    Path target = Files.createDirectory(dir.resolve("taken.nii"));
    Files.writeString(target.resolve("keep.txt"), "keep");
    NiftiWriteException e = assertThrows(NiftiWriteException.class, () -> NiftiWriter.write(
        target, randomVolume(8, 8, 8, 0, 1, obliqueAffine(false), 1), NiftiWriter.Options.defaults()));
    assertTrue(e.getMessage().contains("taken.nii"), e.getMessage());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(target), files.toList(), "no temporary file left behind");
    }
    assertEquals("keep", Files.readString(target.resolve("keep.txt")));
  }
}
