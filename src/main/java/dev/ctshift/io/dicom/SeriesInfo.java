package dev.ctshift.io.dicom;

import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Orientation;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a folder scan found about one series (all files sharing a SeriesInstanceUID), from headers
 * only. Immutable. The geometry accessors describe the volume the series would give when
 * {@link #problem()} is empty.
 */
public final class SeriesInfo {
  static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
  static final String ENHANCED_CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2.1";
  static final String LEGACY_ENHANCED_CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2.2";

  private final String uid;
  private final List<SliceHeader> slices;
  private final SliceStack stack;
  private final String problem;

  SeriesInfo(String uid, List<SliceHeader> slices) {
    this.uid = uid;
    this.slices = List.copyOf(slices);
    SliceStack s = null;
    String p = null;
    // The stack is built for any image series, so that a series of another modality can be read when allowed.
    if (notImageReason().isEmpty()) {
      try {
        s = SliceStack.of(label(), this.slices);
      } catch (VolumeReadException e) {
        p = e.getMessage();
      }
    }
    this.stack = s;
    this.problem = p;
  }

  /** SeriesInstanceUID; empty if the files have none (all such files form one series). */
  public String uid() {
    return uid;
  }

  /** The UID, or a placeholder for series without one, for messages. */
  public String label() {
    return uid.isEmpty() ? "(no SeriesInstanceUID)" : uid;
  }

  public String modality() {
    return first().modality();
  }

  public String description() {
    return SliceHeader.string(first().header(), TagFromName.SeriesDescription);
  }

  public String sopClassUid() {
    return first().sopClassUid();
  }

  /** True for modality CT or a CT SOP class (classic, enhanced or legacy converted enhanced). */
  public boolean isCt() {
    String c = sopClassUid();
    return "CT".equalsIgnoreCase(modality()) || CT_IMAGE_STORAGE.equals(c)
        || ENHANCED_CT_IMAGE_STORAGE.equals(c) || LEGACY_ENHANCED_CT_IMAGE_STORAGE.equals(c);
  }

  /** Number of files in the series. */
  public int fileCount() {
    return (int) slices.stream().map(SliceHeader::file).distinct().count();
  }

  /** The files of the series, sorted, each once. */
  public List<Path> files() {
    return slices.stream().map(SliceHeader::file).distinct().sorted().toList();
  }

  /** Number of 2D images (frames of multi-frame files count one by one), before dropping duplicates. */
  public int imageCount() {
    return slices.size();
  }

  public int rows() {
    return first().rows();
  }

  public int columns() {
    return first().columns();
  }

  /** Descriptions of the transfer syntaxes used, e.g. "JPEG 2000 Lossless Only". */
  public List<String> transferSyntaxes() {
    TreeSet<String> names = new TreeSet<>();
    for (SliceHeader s : slices) {
      String ts = s.transferSyntaxUid();
      names.add(ts.isEmpty() ? "(none given)" : new TransferSyntax(ts).getDescription());
    }
    return List.copyOf(names);
  }

  /**
   * Why this series is not a CT volume candidate (e.g. "modality MR, not CT", "localizer"), or empty
   * if it is one.
   */
  public Optional<String> notCandidateReason() {
    return notCandidateReason(Set.of());
  }

  /**
   * Why this series is not a volume candidate when series of the modalities in {@code allowedModalities}
   * (upper case, e.g. "MR") are read as well as CT, or empty if it is one.
   */
  public Optional<String> notCandidateReason(Set<String> allowedModalities) {
    if (!isCt() && !allowedModalities.contains(modality().toUpperCase(Locale.ROOT))) {
      return Optional.of(modality().isEmpty() ? "no modality, not CT"
          : "modality " + modality() + ", not CT; --allow-modality " + modality() + " reads it anyway");
    }
    return notImageReason();
  }

  /** Why this series cannot give a volume whatever its modality (no pixels, localizer), or empty. */
  private Optional<String> notImageReason() {
    if (rows() <= 0 || columns() <= 0) {
      return Optional.of("no image pixels");
    }
    String[] type = first().header().containsKey(TagFromName.ImageType)
        ? com.pixelmed.dicom.Attribute.getStringValues(first().header().get(TagFromName.ImageType))
        : new String[0];
    if (type.length > 2 && "LOCALIZER".equalsIgnoreCase(type[2].trim())) {
      return Optional.of("localizer (scout) images");
    }
    return Optional.empty();
  }

  /** Why the slices do not form a regular volume (missing slice, mixed sizes, ...), if they do not. */
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  /** Warnings from sorting the slices, such as dropped duplicates or a gantry tilt. */
  public List<String> warnings() {
    return stack == null ? List.of() : stack.warnings();
  }

  /** Slices in the volume after dropping duplicates; 0 if there is a problem. */
  public int sliceCount() {
    return stack == null ? 0 : stack.slices().size();
  }

  /** Voxel size in mm along i (columns), j (rows) and k (slices); empty if there is a problem. */
  public Optional<double[]> spacingMm() {
    return stack == null ? Optional.empty() : Optional.of(Affine.columnNorms(stack.affineRas()));
  }

  /** Axis codes such as "LPS" of the volume the series gives; empty if there is a problem. */
  public Optional<String> orientation() {
    return stack == null ? Optional.empty() : Optional.of(Orientation.codes(stack.affineRas()));
  }

  /**
   * How many images use each rescale, keyed "slope S, intercept I": more than one key means the slices
   * were converted to HU differently.
   */
  public Map<String, Integer> rescales() {
    Map<String, Integer> counts = new TreeMap<>();
    for (SliceHeader s : slices) {
      counts.merge("slope " + s.rescaleSlope() + ", intercept " + s.rescaleIntercept(), 1, Integer::sum);
    }
    return counts;
  }

  /** The distinct RescaleType values of the images ("HU" for CT; empty string where absent). */
  public List<String> rescaleTypes() {
    return slices.stream()
        .map(s -> com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(s.header(), TagFromName.RescaleType)
            .trim())
        .distinct().toList();
  }

  /** One of the files, for messages. */
  public Path exampleFile() {
    return first().file();
  }

  List<SliceHeader> headers() {
    return slices;
  }

  SliceStack stack() {
    return stack;
  }

  private SliceHeader first() {
    return slices.get(0);
  }
}
