package dev.ctshift.io;

import dev.ctshift.io.dicom.DicomScan;
import dev.ctshift.io.dicom.DicomSeriesReader;
import dev.ctshift.io.nifti.NiftiImage;
import dev.ctshift.io.nifti.NiftiReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/** Reads a scan from a NIfTI file, a DICOM file, or a folder holding a DICOM series. */
public final class ScanReader {
  private ScanReader() {}

  /**
   * Reads the scan at {@code path}: a folder is searched for DICOM series (recursively), a file is read
   * as NIfTI or DICOM by its content.
   *
   * @param seriesUid the DICOM series to use, or null for the CT series with the most images
   * @param log receives notices worth showing the user (e.g. which series was chosen)
   * @throws VolumeReadException naming the path and the problem
   */
  public static Scan read(Path path, String seriesUid, Consumer<String> log) throws VolumeReadException {
    if (!Files.exists(path)) {
      throw new VolumeReadException(path + ": no such file or folder");
    }
    if (Files.isDirectory(path) || isDicomFile(path)) {
      return readDicom(path, seriesUid, log);
    }
    return readNifti(path);
  }

  /** Whether {@code path} is a file in the DICOM format: "DICM" after the 128-byte preamble. */
  public static boolean isDicomFile(Path path) {
    if (!Files.isRegularFile(path)) {
      return false;
    }
    try (InputStream in = Files.newInputStream(path)) {
      byte[] head = in.readNBytes(132);
      return head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
    } catch (IOException e) {
      return false;
    }
  }

  private static Scan readDicom(Path path, String seriesUid, Consumer<String> log) throws VolumeReadException {
    DicomScan dicom = DicomSeriesReader.read(path, seriesUid, log);
    int[] d = dicom.volume().dims();
    String description = String.format(Locale.ROOT, "DICOM %s series %s, %dx%dx%d, %s", dicom.series().modality(),
        dicom.series().uid(), d[0], d[1], d[2], dicom.volume().orientation());
    return new Scan(path, Scan.Format.DICOM, dicom.volume(), true, description, dicom);
  }

  private static Scan readNifti(Path path) throws VolumeReadException {
    NiftiImage image = NiftiReader.read(path);
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
