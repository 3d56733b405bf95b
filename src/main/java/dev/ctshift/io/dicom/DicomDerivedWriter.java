package dev.ctshift.io.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import dev.ctshift.FileTrees;
import dev.ctshift.volume.Volume;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Writes an HU volume as a derived CT series: one CT Image Storage file per slice k, explicit VR
 * little endian, uncompressed, int16 pixels.
 *
 * <p>The series gets new Series and SOP Instance UIDs, ImageType DERIVED\SECONDARY\AXIAL and the
 * caller's description. With a source scan it keeps the source's Study, patient and Frame of
 * Reference, and when the volume has the source's grid each slice references its source image
 * (ReferencedImageSequence and SourceImageSequence). Without a source (e.g. NIfTI input) the identity
 * fields are empty and Study and Frame of Reference UIDs are new; the notes say so.
 *
 * <p>HU are rounded to integers and stored with RescaleSlope 1, RescaleIntercept 0 when they fit in
 * int16, else with the smallest slope that fits (intercept 0). Geometry: the volume's i axis becomes
 * the image columns, j the rows, and slice k is placed at the affine's position of voxel (0, 0, k),
 * converted from RAS+ to DICOM LPS. A volume read by {@link DicomSeriesReader} therefore reads back
 * with the same voxels and affine.
 *
 * <pre>{@code
 * DerivedSeries out = DicomDerivedWriter.write(Path.of("out/cf"), scan, counterfactual,
 *     "ctshift counterfactual: model X, target effusion", System.err::println);
 * }</pre>
 */
public final class DicomDerivedWriter {
  private static final SpecificCharacterSet UTF8 = new SpecificCharacterSet(new String[] {"ISO_IR 192"});
  private static final String IMPLEMENTATION_AE = "CTSHIFT";

  private DicomDerivedWriter() {}

  /**
   * Writes the series into {@code outDir}, atomically: all files go to a temporary sibling folder that
   * is then renamed, so {@code outDir} never holds a partial series.
   *
   * @param outDir must not exist, or be an empty folder
   * @param source the scan the volume was derived from, or null
   * @param volumeHu HU values; not modified
   * @param seriesDescription e.g. the model and target; at most 64 characters are kept
   * @param log receives the notes as well
   * @throws IOException if {@code outDir} exists and is not empty, or writing fails
   * @throws IllegalArgumentException if a value is NaN or infinite or the image axes are not orthogonal
   */
  public static DerivedSeries write(Path outDir, DicomScan source, Volume volumeHu,
      String seriesDescription, Consumer<String> log) throws IOException {
    Geometry g = Geometry.of(volumeHu);
    Encoding enc = Encoding.of(volumeHu.data());
    List<String> notes = new ArrayList<>();
    String study = source == null ? "" : source.studyInstanceUid();
    String frameOfRef = source == null ? "" : source.frameOfReferenceUid();
    Map<String, String> identity = source == null ? Map.of() : source.identity();
    if (source == null) {
      notes.add("no DICOM source: patient and study fields are empty, Study and Frame of Reference "
          + "UIDs are new");
    } else {
      if (study.isEmpty()) {
        notes.add("the source has no StudyInstanceUID: the derived series gets a new one");
      }
      if (frameOfRef.isEmpty()) {
        notes.add("the source has no FrameOfReferenceUID: the derived series gets a new one");
      }
    }
    study = study.isEmpty() ? newUid() : study;
    frameOfRef = frameOfRef.isEmpty() ? newUid() : frameOfRef;
    boolean sameGrid = source != null && source.volume().sameGeometry(volumeHu, 1e-3);
    if (source != null && !sameGrid) {
      notes.add("the volume's grid differs from the source's: slices carry no per-image source "
          + "references");
    }
    if (enc.slope != 1) {
      notes.add("HU range needs RescaleSlope " + ds(enc.slope) + " to fit int16");
    }
    notes.forEach(n -> log.accept("DICOM: " + n));

    if (Files.isDirectory(outDir)) {
      try (Stream<Path> s = Files.list(outDir)) {
        if (s.findAny().isPresent()) {
          throw new IOException(outDir + " already exists and is not empty; not overwriting it");
        }
      }
    } else if (Files.exists(outDir)) {
      throw new IOException(outDir + " already exists and is not a folder");
    }
    Path parent = outDir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, "." + outDir.getFileName() + ".tmp-");
    String series = newUid();
    String now = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss"));
    List<Path> files = new ArrayList<>();
    try {
      for (int k = 0; k < volumeHu.nz(); k++) {
        AttributeList list = new AttributeList();
        put(list, TagFromName.SpecificCharacterSet, "ISO_IR 192");
        put(list, TagFromName.ImageType, "DERIVED", "SECONDARY", "AXIAL");
        put(list, TagFromName.SOPClassUID, SeriesInfo.CT_IMAGE_STORAGE);
        put(list, TagFromName.SOPInstanceUID, newUid());
        put(list, TagFromName.StudyDate, identity.getOrDefault("StudyDate", ""));
        put(list, TagFromName.StudyTime, identity.getOrDefault("StudyTime", ""));
        put(list, TagFromName.SeriesDate, now.substring(0, 8));
        put(list, TagFromName.SeriesTime, now.substring(8));
        put(list, TagFromName.ContentDate, now.substring(0, 8));
        put(list, TagFromName.ContentTime, now.substring(8));
        put(list, TagFromName.Modality, "CT");
        put(list, TagFromName.Manufacturer, "ctshift");
        put(list, TagFromName.SeriesDescription, truncate(seriesDescription, 64));
        put(list, TagFromName.DerivationDescription, truncate(seriesDescription, 1024));
        put(list, TagFromName.StudyInstanceUID, study);
        put(list, TagFromName.SeriesInstanceUID, series);
        put(list, TagFromName.SeriesNumber);
        put(list, TagFromName.InstanceNumber, Integer.toString(k + 1));
        put(list, TagFromName.FrameOfReferenceUID, frameOfRef);
        for (String keyword : List.of("PatientName", "PatientID", "PatientBirthDate", "PatientSex",
            "StudyID", "AccessionNumber", "ReferringPhysicianName", "PositionReferenceIndicator")) {
          put(list, tag(keyword), identity.getOrDefault(keyword, ""));
        }
        for (String keyword : List.of("PatientAge", "StudyDescription")) {
          if (identity.containsKey(keyword)) {
            put(list, tag(keyword), identity.get(keyword));
          }
        }
        put(list, new AttributeTag(0x0018, 0x0060)); // KVP, type 2
        put(list, TagFromName.AcquisitionNumber);
        g.putSlice(list, k, sameGrid && source.sliceThicknessMm() > 0 ? source.sliceThicknessMm() : g.spacing);
        if (sameGrid) {
          SourceImage src = source.sourceImages().get(k);
          if (!src.sopInstanceUid().isEmpty()) {
            list.put(reference(TagFromName.ReferencedImageSequence, src));
            list.put(reference(TagFromName.SourceImageSequence, src));
          }
        }
        put(list, TagFromName.SamplesPerPixel, "1");
        put(list, TagFromName.PhotometricInterpretation, "MONOCHROME2");
        put(list, TagFromName.Rows, Integer.toString(volumeHu.ny()));
        put(list, TagFromName.Columns, Integer.toString(volumeHu.nx()));
        put(list, TagFromName.BitsAllocated, "16");
        put(list, TagFromName.BitsStored, "16");
        put(list, TagFromName.HighBit, "15");
        put(list, TagFromName.PixelRepresentation, "1");
        put(list, TagFromName.WindowCenter, "40");
        put(list, TagFromName.WindowWidth, "400");
        put(list, TagFromName.RescaleIntercept, "0");
        put(list, TagFromName.RescaleSlope, ds(enc.slope));
        put(list, TagFromName.RescaleType, "HU");
        OtherWordAttribute pixels = new OtherWordAttribute(TagFromName.PixelData);
        pixels.setValues(enc.slice(volumeHu, k));
        list.put(pixels);
        FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian,
            IMPLEMENTATION_AE);
        String name = String.format("IM%05d.dcm", k + 1);
        list.write(tmp.resolve(name).toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
        files.add(outDir.resolve(name));
      }
      if (Files.isDirectory(outDir)) {
        Files.delete(outDir);
      }
      Files.move(tmp, outDir, StandardCopyOption.ATOMIC_MOVE);
    } catch (DicomException e) {
      deleteTree(tmp);
      throw new IOException("cannot write DICOM series " + outDir + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      throw e;
    }
    log.accept("DICOM: wrote " + files.size() + " slices of series " + series + " to " + outDir);
    return new DerivedSeries(outDir, study, series, frameOfRef, files, notes);
  }

  /** Image plane attributes of the derived slices, in DICOM LPS. */
  private record Geometry(double[] row, double[] col, double[] spacingRowCol, double[] origin,
      double[] step, double spacing) {
    static Geometry of(Volume v) {
      double[][] lps = SliceStack.lpsToRas(v.affine()); // the same sign flip goes both ways
      double[] c0 = {lps[0][0], lps[1][0], lps[2][0]};
      double[] c1 = {lps[0][1], lps[1][1], lps[2][1]};
      double[] c2 = {lps[0][2], lps[1][2], lps[2][2]};
      double[] row = SliceStack.scale(c0, 1 / SliceStack.norm(c0));
      double[] col = SliceStack.scale(c1, 1 / SliceStack.norm(c1));
      if (Math.abs(SliceStack.dot(row, col)) > 1e-4) {
        throw new IllegalArgumentException("the volume's i and j axes are not orthogonal, which "
            + "DICOM images cannot express: " + dev.ctshift.volume.Affine.toString(v.affine()));
      }
      double[] normal = SliceStack.cross(row, col);
      return new Geometry(row, col, new double[] {SliceStack.norm(c1), SliceStack.norm(c0)},
          new double[] {lps[0][3], lps[1][3], lps[2][3]}, c2,
          Math.abs(SliceStack.dot(c2, normal)));
    }

    void putSlice(AttributeList list, int k, double thickness) throws DicomException {
      double[] p = new double[3];
      for (int r = 0; r < 3; r++) {
        p[r] = origin[r] + k * step[r];
      }
      put(list, TagFromName.ImagePositionPatient, ds(p[0]), ds(p[1]), ds(p[2]));
      put(list, TagFromName.ImageOrientationPatient, ds(row[0]), ds(row[1]), ds(row[2]),
          ds(col[0]), ds(col[1]), ds(col[2]));
      put(list, TagFromName.PixelSpacing, ds(spacingRowCol[0]), ds(spacingRowCol[1]));
      put(list, TagFromName.SliceThickness, ds(thickness));
      put(list, TagFromName.SpacingBetweenSlices, ds(spacing));
    }
  }

  /** int16 storage of HU: {@code HU = stored * slope}. */
  private record Encoding(double slope) {
    static Encoding of(float[] hu) {
      double maxAbs = 0;
      for (int n = 0; n < hu.length; n++) {
        if (!Float.isFinite(hu[n])) {
          throw new IllegalArgumentException("voxel " + n + " is " + hu[n] + "; DICOM needs finite HU");
        }
        maxAbs = Math.max(maxAbs, Math.abs(Math.rint(hu[n])));
      }
      return new Encoding(maxAbs <= Short.MAX_VALUE ? 1.0 : maxAbs / Short.MAX_VALUE);
    }

    short[] slice(Volume v, int k) {
      int plane = v.nx() * v.ny();
      short[] out = new short[plane];
      float[] data = v.data();
      for (int p = 0; p < plane; p++) {
        long s = Math.round(slope == 1 ? Math.rint(data[k * plane + p]) : data[k * plane + p] / slope);
        out[p] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, s));
      }
      return out;
    }
  }

  private static SequenceAttribute reference(AttributeTag seqTag, SourceImage src) throws DicomException {
    AttributeList item = new AttributeList();
    put(item, TagFromName.ReferencedSOPClassUID, src.sopClassUid());
    put(item, TagFromName.ReferencedSOPInstanceUID, src.sopInstanceUid());
    if (src.frameNumber() > 0) {
      put(item, TagFromName.ReferencedFrameNumber, Integer.toString(src.frameNumber()));
    }
    SequenceAttribute seq = new SequenceAttribute(seqTag);
    seq.addItem(item);
    return seq;
  }

  private static void put(AttributeList list, AttributeTag tag, String... values) throws DicomException {
    Attribute a = AttributeFactory.newAttribute(
        tag, DicomDictionary.StandardDictionary.getValueRepresentationFromTag(tag), UTF8);
    for (String v : values) {
      if (!v.isEmpty()) {
        a.addValue(v);
      }
    }
    list.put(a);
  }

  private static AttributeTag tag(String keyword) {
    return DicomDictionary.StandardDictionary.getTagFromName(keyword);
  }

  /** A DICOM decimal string: at most 16 characters, as many significant digits as fit. */
  static String ds(double v) {
    if (Math.abs(v) < 1e-10) {
      return "0";
    }
    for (int digits = 12; digits > 0; digits--) {
      String s = new BigDecimal(v).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
      if (s.length() <= 16) {
        return s;
      }
    }
    throw new IllegalArgumentException("cannot write " + v + " as a DICOM decimal string");
  }

  /** A fresh UID under the UUID root 2.25 (no registered prefix needed). */
  static String newUid() {
    UUID u = UUID.randomUUID();
    ByteBuffer b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
        .putLong(u.getLeastSignificantBits());
    return "2.25." + new BigInteger(1, b.array());
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static void deleteTree(Path dir) {
    try {
      FileTrees.delete(dir);
    } catch (IOException ignored) {
      // Best effort: a leftover hidden temp folder is harmless, the real output was never created.
    }
  }
}
