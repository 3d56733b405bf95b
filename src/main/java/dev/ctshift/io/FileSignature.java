package dev.ctshift.io;

import com.pixelmed.dicom.DicomFileUtilities;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Tells file formats apart by their content (never by the name): the two that ctshift reads, NIfTI
 * and DICOM (with or without the 128-byte preamble), and, to say what a file is when it is neither,
 * common image, archive and text formats.
 *
 * <pre>{@code
 * FileSignature.of(Path.of("scan.png")).description();   // "a PNG image"
 * }</pre>
 */
public record FileSignature(Kind kind, String description) {
  /** What ctshift does with a file of this kind. */
  public enum Kind { NIFTI, DICOM, DICOM_NO_PREAMBLE, OTHER }

  private static final int HEAD_BYTES = 1024;

  /**
   * Reads the first bytes of {@code file} (and of its gzip content, if compressed) and names the
   * format.
   *
   * @throws IOException if the file cannot be read
   */
  public static FileSignature of(Path file) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(HEAD_BYTES);
    }
    if (isGzip(head)) {
      // Only the start is decompressed; what came out before an error still shows the header, and a
      // NIfTI file cut short is then left to the NIfTI reader to describe.
      java.io.ByteArrayOutputStream inner = new java.io.ByteArrayOutputStream();
      String error = null;
      try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
        byte[] buf = new byte[HEAD_BYTES];
        for (int n = in.read(buf); n > 0 && inner.size() < HEAD_BYTES; n = in.read(buf, 0, HEAD_BYTES - inner.size())) {
          inner.write(buf, 0, n);
        }
      } catch (IOException e) {
        error = e.getMessage();
      }
      FileSignature content = ofHead(inner.toByteArray());
      if (error != null && content.kind != Kind.NIFTI) {
        return new FileSignature(Kind.OTHER, "a gzip file that cannot be decompressed (" + error + ")");
      }
      return content.kind == Kind.NIFTI ? new FileSignature(Kind.NIFTI, "gzip-compressed " + content.description)
          : new FileSignature(Kind.OTHER, "gzip-compressed: " + content.description);
    }
    FileSignature s = ofHead(head);
    if (s.kind == Kind.OTHER && looksLikeDicomDataSet(file, head)) {
      return new FileSignature(Kind.DICOM_NO_PREAMBLE,
          "DICOM without the 128-byte preamble and 'DICM' marker (a bare data set)");
    }
    return s;
  }

  /**
   * The format of content starting with {@code head} (up to 1024 bytes are looked at); a DICOM data
   * set without preamble needs the file, see {@link #of(Path)}.
   */
  public static FileSignature ofHead(byte[] head) {
    if (head.length == 0) {
      return other("an empty file");
    }
    if (head.length >= 132 && startsWith(head, 128, "DICM")) {
      return new FileSignature(Kind.DICOM, "DICOM");
    }
    int size = head.length >= 4 ? headerSize(head) : 0;
    if (size == 348 && head.length >= 348) {
      String magic = new String(head, 344, 3, StandardCharsets.US_ASCII);
      return magic.equals("n+1") ? new FileSignature(Kind.NIFTI, "NIfTI-1")
          : magic.equals("ni1") ? other("the header of a NIfTI-1 .hdr/.img pair")
          : other("an Analyze 7.5 header (.hdr: 348-byte header without the NIfTI magic)");
    }
    if (size == 540 && head.length >= 12) {
      String magic = new String(head, 4, 3, StandardCharsets.US_ASCII);
      if (magic.equals("n+2")) {
        return new FileSignature(Kind.NIFTI, "NIfTI-2");
      }
      if (magic.equals("ni2")) {
        return other("the header of a NIfTI-2 .hdr/.img pair");
      }
    }
    if (size == 348 || size == 540) {
      return new FileSignature(Kind.NIFTI, "NIfTI (header size " + size + ")");
    }
    String known = known(head);
    return other(known != null ? known : unknown(head));
  }

  private static String known(byte[] h) {
    if (startsWith(h, 0, "\u0089PNG")) {
      return "a PNG image";
    }
    if (h.length >= 3 && (h[0] & 0xff) == 0xff && (h[1] & 0xff) == 0xd8 && (h[2] & 0xff) == 0xff) {
      return "a JPEG image";
    }
    if (startsWith(h, 0, "GIF8")) {
      return "a GIF image";
    }
    if (startsWith(h, 0, "II*\0") || startsWith(h, 0, "MM\0*")) {
      return "a TIFF image";
    }
    if (startsWith(h, 0, "%PDF")) {
      return "a PDF document";
    }
    if (startsWith(h, 0, "PK\u0003\u0004")) {
      return "a ZIP archive (also .npz, TorchScript .pt)";
    }
    if (startsWith(h, 0, "\u0089HDF")) {
      return "an HDF5 file (e.g. MINC 2)";
    }
    if (startsWith(h, 0, "CDF\u0001") || startsWith(h, 0, "CDF\u0002")) {
      return "a NetCDF file (e.g. MINC 1)";
    }
    if (startsWith(h, 0, "\u0093NUMPY")) {
      return "a NumPy .npy array";
    }
    if (startsWith(h, 0, "NRRD")) {
      return "an NRRD image (convert it to NIfTI first)";
    }
    if (startsWith(h, 0, "ObjectType")) {
      return "a MetaImage header (.mhd; convert it to NIfTI first)";
    }
    if (startsWith(h, 0, "TRACK")) {
      return "a TrackVis .trk tractography file";
    }
    if (startsWith(h, 0, "mrtrix")) {
      return "an MRtrix file";
    }
    if (startsWith(h, 0, "MATRIX")) {
      return "an ECAT PET image";
    }
    if (startsWith(h, 0, "# === DATA DESCRIPTION FILE")) {
      return "a Philips PAR header (PAR/REC)";
    }
    if (startsWith(h, 0, "\ntype = ") || startsWith(h, 0, "type = ")) {
      return "an AFNI .HEAD header";
    }
    if (startsWith(h, 0, "BZh")) {
      return "a bzip2-compressed file";
    }
    if (h.length >= 4 && h[0] == 0 && h[1] == 0 && h[2] == 0 && h[3] == 1) {
      return "possibly a FreeSurfer MGH volume (starts with version 1)";
    }
    return null;
  }

  /** "a text file starting with ..." or "unknown format, first bytes ...". */
  private static String unknown(byte[] h) {
    int n = Math.min(h.length, 256);
    int printable = 0;
    for (int i = 0; i < n; i++) {
      int c = h[i] & 0xff;
      if (c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t' || c >= 0x80) {
        printable++;
      }
    }
    if (printable == n) {
      String text = new String(h, 0, Math.min(h.length, 40), StandardCharsets.UTF_8)
          .replaceAll("[\\p{Cntrl}\uFFFD]", " ").strip();
      String what = text.startsWith("<?xml") ? "an XML file" : text.startsWith("{") || text.startsWith("[")
          ? "a JSON or other text file" : "a text file";
      return what + " starting with \"" + text + "\"";
    }
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(h.length, 8); i++) {
      hex.append(String.format(Locale.ROOT, "%s%02x", i == 0 ? "" : " ", h[i] & 0xff));
    }
    return "unknown format, first bytes " + hex + " (" + h.length + (h.length == HEAD_BYTES ? "+" : "")
        + " bytes)";
  }

  /** PixelMed's test for a data set that starts without preamble (old ACR-NEMA style files). */
  private static boolean looksLikeDicomDataSet(Path file, byte[] head) {
    if (head.length < 8) {
      return false;
    }
    try {
      return DicomFileUtilities.isDicomOrAcrNemaFile(file.toFile());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static int headerSize(byte[] h) {
    int le = (h[0] & 0xff) | (h[1] & 0xff) << 8 | (h[2] & 0xff) << 16 | (h[3] & 0xff) << 24;
    int be = (h[3] & 0xff) | (h[2] & 0xff) << 8 | (h[1] & 0xff) << 16 | (h[0] & 0xff) << 24;
    return le == 348 || le == 540 ? le : be == 348 || be == 540 ? be : 0;
  }

  private static boolean isGzip(byte[] h) {
    return h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b;
  }

  private static boolean startsWith(byte[] h, int offset, String ascii) {
    if (h.length < offset + ascii.length()) {
      return false;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if ((h[offset + i] & 0xff) != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static FileSignature other(String description) {
    return new FileSignature(Kind.OTHER, description);
  }
}
