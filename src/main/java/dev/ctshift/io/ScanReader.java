package dev.ctshift.io;

import dev.ctshift.io.nifti.NiftiImage;
import dev.ctshift.io.nifti.NiftiReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Reads a scan from a NIfTI file (or, where supported, a DICOM file or folder). */
public final class ScanReader {
  private ScanReader() {}

  /**
   * Reads the scan at {@code path}.
   *
   * @param log receives notices worth showing the user (e.g. which series was chosen)
   * @throws VolumeReadException naming the path and the problem
   */
  public static Scan read(Path path, Consumer<String> log) throws VolumeReadException {
    if (!Files.exists(path)) {
      throw new VolumeReadException(path + ": no such file or folder");
    }
    if (Files.isDirectory(path)) {
      throw new VolumeReadException(path + ": is a folder; give a NIfTI file (.nii or .nii.gz)");
    }
    NiftiImage image = NiftiReader.read(path);
    if (image.volumeCount() != 1) {
      throw new VolumeReadException(path + ": holds " + image.volumeCount()
          + " volumes (4D); ctshift explains one 3D scan at a time");
    }
    int[] d = image.dims();
    String description = String.format("NIfTI-%d %s %dx%dx%d, %s", image.version(),
        image.datatype().name().toLowerCase(java.util.Locale.ROOT), d[0], d[1], d[2],
        image.volume(0).orientation());
    boolean integer = image.datatype().isInteger() && (!image.isScaled() || isIntegral(image.sclSlope())
        && isIntegral(image.sclInter()));
    return new Scan(path, Scan.Format.NIFTI, image.volume(0), integer, description);
  }

  private static boolean isIntegral(double v) {
    return Double.isFinite(v) && v == Math.rint(v);
  }
}
