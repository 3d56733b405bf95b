package dev.ctshift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.testing.Cli;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A file that is neither NIfTI nor DICOM is refused with exit 3 and a message that says what it looks
 * like (named by content, whatever the file is called), never "not a NIfTI file" for everything.
 */
class InspectFormatsTest {
  @TempDir Path dir;

  static Stream<Arguments> files() throws Exception {
    byte[] analyze = new byte[352];
    analyze[0] = 0x5c; // sizeof_hdr 348, little endian, no NIfTI magic
    analyze[1] = 0x01;
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
    byte[] jpeg = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0, 16, 'J', 'F', 'I', 'F'};
    byte[] binary = {0x01, 0x02, 0x03, (byte) 0xfe, 0x00, 0x00, 0x07, 0x08, 0x09};
    return Stream.of(
        Arguments.of("scan.nii", new byte[0], "an empty file"),
        Arguments.of("scan.nii.gz", png, "a PNG image"),
        Arguments.of("scan.dcm", jpeg, "a JPEG image"),
        Arguments.of("scan.hdr", analyze, "an Analyze 7.5 header"),
        Arguments.of("notes.nii", "patient 7, chest".getBytes(StandardCharsets.UTF_8),
            "a text file starting with \"patient 7, chest\""),
        Arguments.of("packed.nii.gz", gzip("{\"not\": \"a scan\"}".getBytes(StandardCharsets.UTF_8)),
            "gzip-compressed: a JSON or other text file starting with"),
        Arguments.of("blob.nii", binary, "unknown format, first bytes 01 02 03 fe 00 00 07 08 (9 bytes)"));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("files")
  void saysWhatTheFileLooksLike(String name, byte[] content, String looksLike) throws Exception {
    Path f = Files.write(dir.resolve(name), content);
    Cli.Run r = Cli.run("inspect", f.toString());
    assertEquals(Main.EXIT_INPUT, r.code(), r.err());
    assertTrue(r.err().contains(f + ": neither NIfTI nor DICOM: " + looksLike), r.err());
    assertFalse(r.err().contains("not a NIfTI file"), r.err());
  }

  @org.junit.jupiter.api.Test
  void aNiftiGzipCutShortIsStillCalledNifti() throws Exception {
    byte[] nifti = Files.readAllBytes(Path.of("src/test/resources/nifti/nifti2_float64.nii"));
    byte[] gz = gzip(nifti);
    Path f = Files.write(dir.resolve("cut.nii.gz"), java.util.Arrays.copyOf(gz, gz.length - 12));
    Cli.Run r = Cli.run("inspect", f.toString());
    assertEquals(Main.EXIT_INPUT, r.code(), r.err());
    assertTrue(r.err().contains(f + ": truncated"), r.err());
  }

  private static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(b)) {
      out.write(data);
    }
    return b.toByteArray();
  }
}
