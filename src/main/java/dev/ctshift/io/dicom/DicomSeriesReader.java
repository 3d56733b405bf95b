package dev.ctshift.io.dicom;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.TagFromName;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.volume.Volume;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads one CT series from a DICOM folder or file as an HU volume.
 *
 * <pre>{@code
 * DicomScan scan = DicomSeriesReader.read(Path.of("scan/"), null, System.err::println);
 * Volume hu = scan.volume();
 * }</pre>
 *
 * <p>See the package documentation for the voxel order and for what happens with duplicate, missing
 * or unevenly spaced slices and tilted series.
 */
public final class DicomSeriesReader {
  private DicomSeriesReader() {}

  /**
   * Scans {@code path}, chooses a series ({@code seriesUid}, or the CT series with the most images
   * when null), sorts and checks its slices and decodes them to HU.
   *
   * @param log receives which series was used and why, warnings and skipped files
   * @return a new volume (float HU, i fastest) with its RAS+ affine, and the source facts
   * @throws VolumeReadException if no usable CT series is found or its slices do not form a regular
   *     volume; the message names the files and positions involved
   */
  public static DicomScan read(Path path, String seriesUid, Consumer<String> log)
      throws VolumeReadException {
    return read(path, seriesUid, Set.of(), log);
  }

  /**
   * As {@link #read(Path, String, Consumer)}, also reading series of the modalities in
   * {@code allowedModalities} (upper case, {@code --allow-modality}); see {@link DicomFolder#choose}.
   */
  public static DicomScan read(Path path, String seriesUid, Set<String> allowedModalities, Consumer<String> log)
      throws VolumeReadException {
    DicomFolder folder = DicomScanner.scan(path);
    SeriesInfo series = folder.choose(seriesUid, allowedModalities, log);
    List<SkippedFile> skipped = new ArrayList<>(folder.skipped());
    SliceStack stack = series.stack();
    float[] data = decode(stack, skipped, log);
    if (skipped.size() > folder.skipped().size()) {
      // Some images could not be decoded: read what is left as if those files were never there.
      Set<Path> bad = new HashSet<>();
      skipped.forEach(f -> bad.add(f.file()));
      List<SliceHeader> readable =
          stack.slices().stream().filter(s -> !bad.contains(s.file())).toList();
      String unreadable = skipped.subList(folder.skipped().size(), skipped.size()).toString();
      if (readable.isEmpty()) {
        throw new VolumeReadException("no image of series " + series.label() + " could be decoded: "
            + unreadable);
      }
      SliceStack rest;
      try {
        rest = SliceStack.of(series.label(), readable);
      } catch (VolumeReadException e) {
        throw new VolumeReadException(e.getMessage() + "; unreadable: " + unreadable, e);
      }
      data = subset(stack, rest, data);
      stack = rest;
    }
    SliceHeader first = stack.slices().get(0);
    Volume volume = new Volume(first.columns(), first.rows(), stack.slices().size(), data,
        stack.affineRas());
    log.accept("DICOM: read " + volume);
    AttributeList h = first.header();
    List<SourceImage> sources = stack.slices().stream()
        .map(s -> new SourceImage(s.sopClassUid(), s.sopInstanceUid(), s.frameNumber()))
        .toList();
    return new DicomScan(volume, series, SliceHeader.string(h, TagFromName.StudyInstanceUID),
        SliceHeader.string(h, TagFromName.FrameOfReferenceUID), identity(h),
        first.sliceThickness(), sources, skipped);
  }

  /** Decodes every slice of the stack; files that fail are added to {@code skipped}. */
  private static float[] decode(SliceStack stack, List<SkippedFile> skipped, Consumer<String> log) {
    List<SliceHeader> slices = stack.slices();
    int planeSize = slices.get(0).rows() * slices.get(0).columns();
    float[] data = new float[Math.multiplyExact(planeSize, slices.size())];
    Map<Path, List<Integer>> byFile = new LinkedHashMap<>();
    for (int k = 0; k < slices.size(); k++) {
      byFile.computeIfAbsent(slices.get(k).file(), f -> new ArrayList<>()).add(k);
    }
    for (Map.Entry<Path, List<Integer>> e : byFile.entrySet()) {
      List<Integer> ks = e.getValue();
      List<SliceHeader> frames = ks.stream().map(slices::get).toList();
      int[] starts = ks.stream().mapToInt(k -> k * planeSize).toArray();
      try {
        PixelDecoder.decode(e.getKey(), frames, starts, data);
      } catch (IOException ex) {
        SkippedFile s = new SkippedFile(e.getKey(), ex.getMessage());
        skipped.add(s);
        log.accept("DICOM: skipped " + s);
      }
    }
    return data;
  }

  /** The planes of {@code from}'s data that {@code to} keeps, in {@code to}'s order. */
  private static float[] subset(SliceStack from, SliceStack to, float[] data) {
    int planeSize = to.slices().get(0).rows() * to.slices().get(0).columns();
    float[] out = new float[planeSize * to.slices().size()];
    for (int k = 0; k < to.slices().size(); k++) {
      int old = from.slices().indexOf(to.slices().get(k));
      System.arraycopy(data, old * planeSize, out, k * planeSize, planeSize);
    }
    return out;
  }

  private static Map<String, String> identity(AttributeList h) {
    Map<String, String> id = new LinkedHashMap<>();
    DicomDictionary dict = DicomDictionary.StandardDictionary;
    for (String keyword : DicomScan.IDENTITY_KEYWORDS) {
      AttributeTag tag = dict.getTagFromName(keyword);
      if (tag != null && h.containsKey(tag)) {
        id.put(keyword, com.pixelmed.dicom.Attribute.getDelimitedStringValuesOrEmptyString(h, tag));
      }
    }
    return id;
  }
}
