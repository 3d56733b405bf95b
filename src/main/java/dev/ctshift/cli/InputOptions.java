package dev.ctshift.cli;

import dev.ctshift.io.sanity.InputPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * How a scan's values are taken before any model runs (a picocli mixin shared by {@code explain},
 * {@code batch} and {@code evaluate}): checked as HU, assumed HU, rescaled, and which DICOM modalities
 * are read as CT. See {@link dev.ctshift.io.sanity.ScanCheck}.
 */
public final class InputOptions {
  @Option(names = "--assume-hu", negatable = false,
      description = "Take the scan's values as Hounsfield units without the plausibility check (air near -1000,"
          + " values below -500 present, top below 4000); constant or empty volumes are then only warned about, NaN"
          + " voxels and single slices are still refused.")
  boolean assumeHu;

  @Option(names = "--rescale", arity = "2", paramLabel = "NUMBER",
      description = "SLOPE INTERCEPT: map stored values to HU = SLOPE * value + INTERCEPT before anything else,"
          + " e.g. 7.843 -1000 for uint8 0..255 windowed from -1000..1000 HU (approximate: the window clipped)."
          + " Default: values taken as stored (NIfTI scl_slope/scl_inter and DICOM rescale applied).")
  double[] rescale;

  @Option(names = "--allow-modality", paramLabel = "MODALITY",
      description = "Also read DICOM series of this modality (e.g. MR, PT) as CT; repeatable. Their values are still"
          + " checked as HU (see --assume-hu). Default: CT series only.")
  List<String> allowModalities = new ArrayList<>();

  /**
   * The policy these options give.
   *
   * @param strict refuse scans the autoencoder reconstructs far worse than its held-out data
   * @throws IllegalArgumentException for impossible values (e.g. a rescale slope of 0)
   */
  InputPolicy policy(boolean strict) {
    return new InputPolicy(assumeHu, rescale == null ? null : new InputPolicy.Rescale(rescale[0], rescale[1]),
        strict, Set.copyOf(allowModalities));
  }
}
