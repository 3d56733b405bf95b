package dev.ctshift.io;

import dev.ctshift.io.dicom.DicomScan;
import dev.ctshift.io.dicom.DicomSeriesReader;
import dev.ctshift.io.nifti.NiftiImage;
import dev.ctshift.io.nifti.NiftiReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/** Reads a scan from a NIfTI file, a DICOM file, or a folder holding a DICOM series. */
public final class ScanReader {
  private ScanReader() {}

  /**
   * Reads the scan at {@code path}: a folder is searched for DICOM series (recursively), a file is read
   * as NIfTI or DICOM by its content (a DICOM file without preamble included; {@code log} says so).
   * Any other file is refused with a message that says what it looks like.
   *
   * @param seriesUid the DICOM series to use, or null for the CT series with the most images
   * @param log receives notices worth showing the user (e.g. which series was chosen)
   * @throws VolumeReadException naming the path and the problem
   */
  public static Scan read(Path path, String seriesUid, Consumer<String> log) throws VolumeReadException {
    return read(path, seriesUid, Set.of(), log);
  }

  /**
   * As {@link #read(Path, String, Consumer)}, also reading DICOM series of the modalities in
   * {@code allowedModalities} (upper case, {@code --allow-modality}) as CT.
   */
  public static Scan read(Path path, String seriesUid, Set<String> allowedModalities, Consumer<String> log)
      throws VolumeReadException {
    if (!Files.exists(path)) {
      throw new VolumeReadException(path + ": no such file or folder");
    }
    if (Files.isDirectory(path)) {
      return readDicom(path, seriesUid, allowedModalities, log);
    }
    FileSignature format = signature(path);
    switch (format.kind()) {
      case DICOM -> {
        return readDicom(path, seriesUid, allowedModalities, log);
      }
      case DICOM_NO_PREAMBLE -> {
        log.accept(path + ": read as DICOM: " + format.description());
        return readDicom(path, seriesUid, allowedModalities, log);
      }
      case NIFTI -> {
        return readNifti(path, log);
      }
      default -> throw new VolumeReadException(path + ": neither NIfTI nor DICOM: " + format.description()
          + "; ctshift reads NIfTI-1/2 files (.nii, .nii.gz) and DICOM files or folders");
    }
  }

  /**
   * What {@code path} holds, judged by its content (see {@link FileSignature}).
   *
   * @throws VolumeReadException naming the file if it cannot be read
   */
  public static FileSignature signature(Path path) throws VolumeReadException {
    try {
      return FileSignature.of(path);
    } catch (IOException e) {
      throw new VolumeReadException(path + ": cannot read (" + e.getClass().getSimpleName() + ": "
          + e.getMessage() + ")", e);
    }
  }

  /** Whether {@code path} is a file in the DICOM format, with or without the 128-byte preamble. */
  public static boolean isDicomFile(Path path) {
    if (!Files.isRegularFile(path)) {
      return false;
    }
    try {
      FileSignature.Kind kind = FileSignature.of(path).kind();
      return kind == FileSignature.Kind.DICOM || kind == FileSignature.Kind.DICOM_NO_PREAMBLE;
    } catch (IOException e) {
      return false;
    }
  }

  private static Scan readDicom(Path path, String seriesUid, Set<String> allowedModalities, Consumer<String> log)
      throws VolumeReadException {
    DicomScan dicom = DicomSeriesReader.read(path, seriesUid, allowedModalities, log);
    int[] d = dicom.volume().dims();
    String description = String.format(Locale.ROOT, "DICOM %s series %s, %dx%dx%d, %s", dicom.series().modality(),
        dicom.series().uid(), d[0], d[1], d[2], dicom.volume().orientation());
    return new Scan(path, Scan.Format.DICOM, dicom.volume(), true, description, dicom);
  }

  private static Scan readNifti(Path path, Consumer<String> log) throws VolumeReadException {
    NiftiImage image = NiftiReader.read(path);
    image.warnings().forEach(w -> log.accept("NIfTI: warning: " + path.getFileName() + ": " + w));
    if (image.volumeCount() != 1) {
      throw new VolumeReadException(path + ": holds " + image.volumeCount()
          + " volumes (4D); ctshift explains one 3D scan at a time");
    }
    int[] d = image.dims();
    String description = String.format(Locale.ROOT, "NIfTI-%d %s %dx%dx%d, %s", image.version(),
        image.datatype().name().toLowerCase(Locale.ROOT), d[0], d[1], d[2], image.volume(0).orientation());
    boolean integer = image.datatype().isInteger()
        && (!image.isScaled() || isIntegral(image.sclSlope()) && isIntegral(image.sclInter()));
    return new Scan(path, Scan.Format.NIFTI, image.volume(0), integer, description, null);
  }

  private static boolean isIntegral(double v) {
    return Double.isFinite(v) && v == Math.rint(v);
  }
}
