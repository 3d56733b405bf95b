package dev.ctshift.io.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The header facts of one 2D slice: a single-frame image, or one frame of a multi-frame (enhanced)
 * image. Geometry arrays are null when the attribute is absent; positions and directions are DICOM
 * LPS millimetres.
 */
record SliceHeader(
    Path file,
    int frame,
    int frameCount,
    AttributeList header,
    String seriesUid,
    String modality,
    String sopClassUid,
    String sopInstanceUid,
    String transferSyntaxUid,
    int rows,
    int columns,
    double[] position,
    double[] orientation,
    double[] pixelSpacing,
    double sliceThickness,
    double rescaleSlope,
    double rescaleIntercept) {

  /** The 1-based frame number for references, 0 for a single-frame image. */
  int frameNumber() {
    return frameCount > 1 || header.containsKey(TagFromName.PerFrameFunctionalGroupsSequence)
        ? frame + 1 : 0;
  }

  String where() {
    return frameNumber() == 0 ? file.toString() : file + " frame " + frameNumber();
  }

  /** One entry per frame of the image whose header (read up to the pixel data) is {@code list}. */
  static List<SliceHeader> of(Path file, AttributeList list) {
    int frames = Math.max(1, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1));
    String sopClass = firstNonEmpty(list, TagFromName.SOPClassUID, TagFromName.MediaStorageSOPClassUID);
    String sopInstance =
        firstNonEmpty(list, TagFromName.SOPInstanceUID, TagFromName.MediaStorageSOPInstanceUID);
    List<SliceHeader> slices = new ArrayList<>(frames);
    for (int f = 0; f < frames; f++) {
      double[] spacing = values(list, f, TagFromName.PixelMeasuresSequence, TagFromName.PixelSpacing);
      double[] thickness =
          values(list, f, TagFromName.PixelMeasuresSequence, TagFromName.SliceThickness);
      double[] slope =
          values(list, f, TagFromName.PixelValueTransformationSequence, TagFromName.RescaleSlope);
      double[] intercept =
          values(list, f, TagFromName.PixelValueTransformationSequence, TagFromName.RescaleIntercept);
      slices.add(new SliceHeader(
          file,
          f,
          frames,
          list,
          string(list, TagFromName.SeriesInstanceUID),
          string(list, TagFromName.Modality),
          sopClass,
          sopInstance,
          string(list, TagFromName.TransferSyntaxUID),
          Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0),
          Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0),
          length(values(list, f, TagFromName.PlanePositionSequence, TagFromName.ImagePositionPatient), 3),
          length(values(list, f, TagFromName.PlaneOrientationSequence,
              TagFromName.ImageOrientationPatient), 6),
          length(spacing, 2),
          thickness != null && thickness.length > 0 ? thickness[0] : Double.NaN,
          slope != null && slope.length > 0 && slope[0] != 0 ? slope[0] : 1.0,
          intercept != null && intercept.length > 0 ? intercept[0] : 0.0));
    }
    return slices;
  }

  static String string(AttributeList list, AttributeTag tag) {
    return Attribute.getSingleStringValueOrEmptyString(list, tag).trim();
  }

  private static String firstNonEmpty(AttributeList list, AttributeTag first, AttributeTag second) {
    String v = string(list, first);
    return v.isEmpty() ? string(list, second) : v;
  }

  private static double[] length(double[] v, int n) {
    return v != null && v.length == n ? v : null;
  }

  /**
   * The values of {@code tag} for one frame: from the per-frame functional group macro
   * {@code macro}, else the shared functional group, else the top-level attribute (classic images).
   */
  private static double[] values(AttributeList list, int frame, AttributeTag macro, AttributeTag tag) {
    for (AttributeTag groups : new AttributeTag[] {
        TagFromName.PerFrameFunctionalGroupsSequence, TagFromName.SharedFunctionalGroupsSequence}) {
      Attribute groupSeq = list.get(groups);
      if (!(groupSeq instanceof SequenceAttribute seq) || seq.getNumberOfItems() == 0) {
        continue;
      }
      int item = groups.equals(TagFromName.PerFrameFunctionalGroupsSequence) ? frame : 0;
      if (item >= seq.getNumberOfItems()) {
        continue;
      }
      AttributeList group = seq.getItem(item).getAttributeList();
      Attribute a = SequenceAttribute.getNamedAttributeFromWithinSequenceWithSingleItem(group, macro, tag);
      double[] v = doubles(a);
      if (v != null) {
        return v;
      }
    }
    return doubles(list.get(tag));
  }

  private static double[] doubles(Attribute a) {
    if (a == null || a.getVM() == 0) {
      return null;
    }
    try {
      return a.getDoubleValues();
    } catch (com.pixelmed.dicom.DicomException | NumberFormatException e) {
      return null;
    }
  }
}
