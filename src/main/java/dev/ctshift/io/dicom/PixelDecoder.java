package dev.ctshift.io.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherByteAttributeMultipleFrameArrays;
import com.pixelmed.dicom.OtherWordAttributeMultipleFrameArrays;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Decodes the pixels of one DICOM file (PixelMed decompresses on reading) into HU: stored values are
 * masked or sign-extended from BitsStored by PixelRepresentation, then scaled by each frame's
 * rescale slope and intercept.
 */
final class PixelDecoder {
  private PixelDecoder() {}

  /**
   * Writes the frames {@code slices} (all from {@code file}) into {@code dest}: slice {@code n} goes
   * to the plane starting at {@code planeStart[n]}.
   *
   * @throws IOException with a short reason if the file cannot be decoded
   */
  static void decode(Path file, List<SliceHeader> slices, int[] planeStart, float[] dest)
      throws IOException {
    AttributeList list = new AttributeList();
    try {
      list.read(file.toFile());
    } catch (DicomException | RuntimeException e) {
      throw new IOException("cannot decode (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
    Attribute pixels = list.get(TagFromName.PixelData);
    if (pixels == null) {
      throw new IOException("no pixel data");
    }
    int samples = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1);
    if (samples != 1) {
      throw new IOException("not a greyscale image (SamplesPerPixel " + samples + ")");
    }
    int bitsAllocated = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 16);
    int bitsStored = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsStored, bitsAllocated);
    boolean signed =
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelRepresentation, 0) == 1;
    if ((bitsAllocated != 8 && bitsAllocated != 16) || bitsStored < 1 || bitsStored > bitsAllocated) {
      throw new IOException("unsupported pixel format: BitsAllocated " + bitsAllocated
          + ", BitsStored " + bitsStored);
    }
    int planeSize = slices.get(0).rows() * slices.get(0).columns();
    int frames = slices.get(0).frameCount();
    try {
      Frames raw = bitsAllocated == 16 ? words(pixels, frames, planeSize) : bytes(pixels, frames, planeSize);
      int shift = 32 - bitsStored;
      int mask = (1 << bitsStored) - 1;
      for (int n = 0; n < slices.size(); n++) {
        SliceHeader s = slices.get(n);
        double slope = s.rescaleSlope();
        double intercept = s.rescaleIntercept();
        int start = planeStart[n];
        for (int p = 0; p < planeSize; p++) {
          int v = raw.value(s.frame(), p);
          v = signed ? (v << shift) >> shift : v & mask;
          dest[start + p] = (float) (v * slope + intercept);
        }
      }
    } catch (DicomException e) {
      throw new IOException("cannot decode pixel data (" + e.getMessage() + ")", e);
    }
  }

  /** Stored pixel values (bit patterns, not yet masked) of frame f at pixel p. */
  private interface Frames {
    int value(int f, int p);
  }

  private static Frames words(Attribute pixels, int frames, int planeSize)
      throws DicomException, IOException {
    if (pixels instanceof OtherWordAttributeMultipleFrameArrays multi) {
      short[][] perFrame = multi.getShortValuesPerFrame();
      for (int f = 0; f < frames; f++) {
        checkLength(f < perFrame.length ? perFrame[f].length : 0, 1, planeSize);
      }
      return (f, p) -> perFrame[f][p];
    }
    short[] all = pixels.getShortValues();
    checkLength(all == null ? 0 : all.length, frames, planeSize);
    return (f, p) -> all[f * planeSize + p];
  }

  private static Frames bytes(Attribute pixels, int frames, int planeSize)
      throws DicomException, IOException {
    if (pixels instanceof OtherByteAttributeMultipleFrameArrays multi) {
      byte[][] perFrame = multi.getByteValuesPerFrame();
      for (int f = 0; f < frames; f++) {
        checkLength(f < perFrame.length ? perFrame[f].length : 0, 1, planeSize);
      }
      return (f, p) -> perFrame[f][p];
    }
    byte[] all = pixels.getByteValues();
    checkLength(all == null ? 0 : all.length, frames, planeSize);
    return (f, p) -> all[f * planeSize + p];
  }

  private static void checkLength(int have, int frames, int planeSize) throws IOException {
    if ((long) have < (long) frames * planeSize) {
      throw new IOException("pixel data too short: " + have + " values for " + frames + " frame(s) of "
          + planeSize + " pixels (file cut short?)");
    }
  }
}
