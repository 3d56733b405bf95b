package dev.ctshift.io.dicom;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.ValueRepresentation;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Walks the element headers of a DICOM file, before PixelMed reads it, and refuses a file in which an
 * element claims more bytes than the file has left. PixelMed allocates each value at the length its
 * header claims, so a corrupt or hostile 2 KB file could otherwise demand gigabytes of heap.
 *
 * <p>Only headers are read and values are skipped, so the walk costs little. It follows sequences and
 * items (defined or undefined length) and skips encapsulated pixel-data fragments. Where the file does
 * not parse as the walk expects, it stops and leaves the verdict to PixelMed: this check only ever
 * refuses a length that cannot be right.
 */
final class ElementLengthCheck {
  /** Sequences nested deeper than this are refused (real files nest a few levels). */
  static final int MAX_DEPTH = 32;

  private static final long UNDEFINED = 0xffffffffL;
  private static final String IMPLICIT_LE = "1.2.840.10008.1.2";
  private static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";
  private static final String DEFLATED = "1.2.840.10008.1.2.1.99";
  private static final Set<String> LONG_VRS =
      Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

  private final CountingInput in;
  private final long end;
  private boolean explicit;
  private boolean bigEndian;

  private ElementLengthCheck(CountingInput in, long end) {
    this.in = in;
    this.end = end;
  }

  /**
   * Checks {@code file}.
   *
   * @throws IOException with a short reason if an element's length exceeds what is left of the file,
   *     or sequences are nested absurdly deep
   */
  static void check(Path file) throws IOException {
    try {
      walkFile(file);
    } catch (EOFException e) {
      // Cut short inside a header, or not laid out as expected: PixelMed reports that better.
    }
  }

  private static void walkFile(Path file) throws IOException {
    long size = Files.size(file);
    String syntax;
    long dataSetStart;
    boolean explicit;
    boolean bigEndian;
    try (CountingInput in = new CountingInput(Files.newInputStream(file))) {
      byte[] head = in.readUpTo(140);
      boolean preamble = head.length >= 132 && new String(head, 128, 4, StandardCharsets.US_ASCII).equals("DICM");
      int start = preamble ? 132 : 0;
      if (head.length < start + 8) {
        return;
      }
      bigEndian = !preamble && looksBigEndian(head);
      explicit = isVr(head[start + 4], head[start + 5]);
      int group = preamble ? 2 : group(head, start, bigEndian);
      if (group != 2) {
        // No meta information: the data set starts here, in the syntax the first element shows.
        walk(Files.newInputStream(file), size, 0, explicit, bigEndian);
        return;
      }
      // The meta group is explicit VR little endian; it names the data set's transfer syntax.
      ElementLengthCheck meta = new ElementLengthCheck(new CountingInput(Files.newInputStream(file)), size);
      meta.explicit = true;
      meta.in.skipFully(start);
      syntax = meta.metaGroup();
      dataSetStart = meta.in.position();
      meta.in.close();
    }
    explicit = !IMPLICIT_LE.equals(syntax);
    bigEndian = EXPLICIT_BE.equals(syntax);
    InputStream rest = Files.newInputStream(file);
    rest.skipNBytes(dataSetStart);
    if (DEFLATED.equals(syntax)) {
      long inflated = inflatedLength(file, dataSetStart);
      InputStream inflating = new InflaterInputStream(new BufferedInputStream(rest), new Inflater(true));
      walk(inflating, inflated, 0, true, false);
    } else {
      walk(rest, size, dataSetStart, explicit, bigEndian);
    }
  }

  private static void walk(InputStream raw, long end, long position, boolean explicit,
      boolean bigEndian) throws IOException {
    try (CountingInput in = new CountingInput(raw, position)) {
      ElementLengthCheck c = new ElementLengthCheck(in, end);
      c.explicit = explicit;
      c.bigEndian = bigEndian;
      c.elements(end, 0, false);
    }
  }

  /** Reads the group-2 elements; returns the transfer syntax UID (explicit VR little endian if absent). */
  private String metaGroup() throws IOException {
    String syntax = "1.2.840.10008.1.2.1";
    while (in.position() + 8 <= end) {
      byte[] h = in.peek(8);
      if (group(h, 0, false) != 2) {
        break;
      }
      Header e = header();
      if (e.length == UNDEFINED) {
        return syntax;
      }
      checkLength(e, end);
      if (e.element == 0x0010 && e.length < 256) {
        syntax = new String(in.readUpTo((int) e.length), StandardCharsets.US_ASCII).replace("\0", "").trim();
      } else {
        in.skipFully(e.length);
      }
    }
    return syntax;
  }

  /**
   * Walks elements until {@code limit} or, in an undefined-length item or sequence, its delimiter.
   *
   * @param inItemOfUndefinedLength whether an item delimitation element ends this run
   */
  private void elements(long limit, int depth, boolean inItemOfUndefinedLength) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IOException("sequences nested more than " + MAX_DEPTH + " deep (corrupt?)");
    }
    while (in.position() + 8 <= limit) {
      Header e = header();
      if (e.group == 0xfffe) {
        if (e.element == 0xe00d && inItemOfUndefinedLength) {
          return;
        }
        continue; // stray delimiter: PixelMed decides
      }
      if (e.length == UNDEFINED) {
        if (e.isEncapsulated()) {
          fragments(limit);
        } else {
          items(limit, depth + 1);
        }
        continue;
      }
      checkLength(e, limit);
      if (e.isSequence()) {
        long seqEnd = in.position() + e.length;
        items(seqEnd, depth + 1);
        in.skipFully(seqEnd - in.position());
      } else {
        in.skipFully(e.length);
      }
    }
  }

  /** The items of a sequence, up to {@code limit} or the sequence delimiter. */
  private void items(long limit, int depth) throws IOException {
    while (in.position() + 8 <= limit) {
      Header item = itemHeader();
      if (item.element == 0xe0dd) {
        return;
      }
      if (item.group != 0xfffe || item.element != 0xe000) {
        throw new StopWalk();
      }
      if (item.length == UNDEFINED) {
        elements(limit, depth, true);
      } else {
        checkLength(item, limit);
        long itemEnd = in.position() + item.length;
        elements(itemEnd, depth, false);
        in.skipFully(itemEnd - in.position());
      }
    }
  }

  /** Encapsulated pixel data: items holding compressed bytes, up to the sequence delimiter. */
  private void fragments(long limit) throws IOException {
    while (in.position() + 8 <= limit) {
      Header item = itemHeader();
      if (item.element == 0xe0dd) {
        return;
      }
      checkLength(item, limit);
      in.skipFully(item.length);
    }
  }

  private void checkLength(Header e, long limit) throws IOException {
    long left = limit - in.position();
    if (e.length > left) {
      throw new IOException(String.format(Locale.ROOT,
          "element (%04X,%04X) claims %d bytes, but only %d are left%s (file cut short or corrupt)",
          e.group, e.element, e.length, Math.max(0, left), limit == end ? " in the file" : " in its sequence"));
    }
  }

  private Header header() throws IOException {
    byte[] h = in.readExactly(8);
    int group = group(h, 0, bigEndian);
    int element = u16(h, 2, bigEndian);
    if (group == 0xfffe) {
      return new Header(group, element, null, u32(h, 4, bigEndian));
    }
    if (!explicit) {
      return new Header(group, element, null, u32(h, 4, bigEndian));
    }
    String vr = new String(h, 4, 2, StandardCharsets.US_ASCII);
    if (!isVr(h[4], h[5])) {
      // PixelMed then reads the element as implicit VR: the four bytes after the tag are its length.
      return new Header(group, element, null, u32(h, 4, bigEndian));
    }
    if (LONG_VRS.contains(vr)) {
      return new Header(group, element, vr, u32(in.readExactly(4), 0, bigEndian));
    }
    return new Header(group, element, vr, u16(h, 6, bigEndian));
  }

  private Header itemHeader() throws IOException {
    byte[] h = in.readExactly(8);
    return new Header(group(h, 0, bigEndian), u16(h, 2, bigEndian), null, u32(h, 4, bigEndian));
  }

  private final class Header {
    final int group;
    final int element;
    final String vr;
    final long length;

    Header(int group, int element, String vr, long length) {
      this.group = group;
      this.element = element;
      this.vr = vr;
      this.length = length;
    }

    /** Pixel data (or another OB/OW value) of undefined length: compressed fragments, not items. */
    boolean isEncapsulated() {
      return group == 0x7fe0 && element == 0x0010 || "OB".equals(vr) || "OW".equals(vr);
    }

    boolean isSequence() {
      if (vr != null) {
        return "SQ".equals(vr);
      }
      byte[] known = DicomDictionary.StandardDictionary.getValueRepresentationFromTag(new AttributeTag(group, element));
      return known != null && ValueRepresentation.isSequenceVR(known);
    }
  }

  /** Thrown where the file stops looking like what the walk expects; the walk then ends quietly. */
  private static final class StopWalk extends EOFException {}

  /**
   * How many bytes the deflated data set inflates to (a counting pass; deflate hides it). A stream cut
   * short counts what came out before the cut: that is what PixelMed will parse.
   */
  private static long inflatedLength(Path file, long dataSetStart) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file));
    long n = 0;
    try (InputStream in = new InflaterInputStream(raw, new Inflater(true))) {
      raw.skipNBytes(dataSetStart);
      byte[] buf = new byte[1 << 16];
      for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
        n += r;
      }
    } catch (EOFException e) {
      // Cut short: n bytes came out.
    } catch (java.util.zip.ZipException e) {
      throw new IOException("corrupt deflated data set (" + e.getMessage() + ")", e);
    }
    return n;
  }

  private static boolean looksBigEndian(byte[] h) {
    return (h[0] == 0 && h[1] != 0) && !(h[1] == 0 && h[0] != 0);
  }

  private static boolean isVr(byte a, byte b) {
    return a >= 'A' && a <= 'Z' && b >= 'A' && b <= 'Z';
  }

  private static int group(byte[] h, int off, boolean big) {
    return u16(h, off, big);
  }

  private static int u16(byte[] h, int off, boolean big) {
    return big ? (h[off] & 0xff) << 8 | (h[off + 1] & 0xff) : (h[off] & 0xff) | (h[off + 1] & 0xff) << 8;
  }

  private static long u32(byte[] h, int off, boolean big) {
    long v = big
        ? (h[off] & 0xffL) << 24 | (h[off + 1] & 0xffL) << 16 | (h[off + 2] & 0xffL) << 8 | (h[off + 3] & 0xffL)
        : (h[off] & 0xffL) | (h[off + 1] & 0xffL) << 8 | (h[off + 2] & 0xffL) << 16 | (h[off + 3] & 0xffL) << 24;
    return v;
  }

  /** An input stream that knows how far it is, with peeking for the meta group's end. */
  private static final class CountingInput implements AutoCloseable {
    private final BufferedInputStream in;
    private long position;

    CountingInput(InputStream in) {
      this(in, 0);
    }

    CountingInput(InputStream in, long position) {
      this.in = new BufferedInputStream(in, 1 << 14);
      this.position = position;
    }

    long position() {
      return position;
    }

    byte[] readUpTo(int n) throws IOException {
      byte[] b = in.readNBytes(n);
      position += b.length;
      return b;
    }

    byte[] readExactly(int n) throws IOException {
      byte[] b = readUpTo(n);
      if (b.length < n) {
        throw new EOFException();
      }
      return b;
    }

    byte[] peek(int n) throws IOException {
      in.mark(n);
      byte[] b = in.readNBytes(n);
      in.reset();
      return b;
    }

    void skipFully(long n) throws IOException {
      in.skipNBytes(n);
      position += n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
