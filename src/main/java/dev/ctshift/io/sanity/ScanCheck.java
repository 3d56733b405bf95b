package dev.ctshift.io.sanity;

import dev.ctshift.io.Scan;
import dev.ctshift.volume.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Decides whether a scan that was read is fit to explain, before any model runs: the one place that
 * {@code explain}, {@code batch} and {@code evaluate} call.
 *
 * <p>In this order, each failure a refusal naming the file, what was found and what was expected:
 * <ol>
 *   <li>three-dimensional: no axis of a single voxel (a 2D image, one file of a series);</li>
 *   <li>finite: no NaN or infinite voxel;</li>
 *   <li>{@code --rescale}, if given, maps the values to HU (with a warning that windowed data stays
 *       approximate);</li>
 *   <li>not constant (with {@code --assume-hu} only a warning: the user vouches for the values);</li>
 *   <li>plausibly in Hounsfield units, unless {@code --assume-hu}: at least {@value #MIN_AIR_FRACTION} of the
 *       voxels below -500 HU (air, lung), the 0.5th percentile not below {@value #LOWEST_HU} (air is -1000,
 *       scanner padding -1024 to -3024), the 99.9th percentile not above {@value #HIGHEST_HU} (bone reaches
 *       about 2000, metal 3071 on the usual 12-bit scale), and a DICOM RescaleType of HU where one is
 *       given. After {@code --rescale} these only warn;</li>
 *   <li>not nearly empty: at least {@value #MIN_BODY_FRACTION} of the voxels above -500 HU (with
 *       {@code --assume-hu} a warning).</li>
 * </ol>
 * Notices that do not refuse: a DICOM series without Modality (read as CT by its SOP class) and slices
 * with different rescale slopes or intercepts.
 *
 * <p>Each probe case of issue 22 fails a rule: uint8 0..255, MR-like 0..4000, HU+1024 and a DICOM
 * PixelRepresentation read unsigned (-1024 becomes 64512) have no air below -500; RescaleSlope 1000
 * puts air at -1,024,000; an MR range of -610..30393 reaches far above 4000.
 */
public final class ScanCheck {
  /** Least fraction of voxels below -500 HU. */
  public static final double MIN_AIR_FRACTION = 0.001;
  /** Least 0.5th percentile, HU. */
  public static final double LOWEST_HU = -3100;
  /** Largest 99.9th percentile, HU. */
  public static final double HIGHEST_HU = 4000;
  /** Least fraction of voxels above -500 HU. */
  public static final double MIN_BODY_FRACTION = 0.001;

  private ScanCheck() {}

  /**
   * Checks {@code scan} as {@code policy} says and returns the scan to explain: the same, or with its
   * values mapped to HU by {@link InputPolicy#rescale()}.
   *
   * @param warnings receives one line per warning (approximate rescale, checks overridden, DICOM notices)
   * @throws InputRefusedException naming the file, the value found and the value expected
   */
  public static Scan check(Scan scan, InputPolicy policy, Consumer<String> warnings) throws InputRefusedException {
    String file = scan.source().toString();
    Volume v = scan.hu();
    if (v.nx() == 1 || v.ny() == 1 || v.nz() == 1) {
      throw new InputRefusedException(file + ": is a single slice (" + v.nx() + "x" + v.ny() + "x" + v.nz()
          + " voxels); expected a 3D volume of at least 2 voxels along every axis: "
          + (scan.format() == Scan.Format.DICOM ? "give the folder that holds the whole series"
              : "give the whole scan, not one slice of it"));
    }
    HuProfile p = HuProfile.of(v.data());
    if (p.nonFinite() > 0) {
      int i = p.firstNonFinite();
      throw new InputRefusedException(String.format(Locale.ROOT, "%s: %d of %d voxels are NaN or infinite (the"
          + " first at voxel %d,%d,%d: %s); expected finite values in HU: replace them (e.g. by -1000, air) before"
          + " explaining", file, p.nonFinite(), p.voxels(), i % v.nx(), (i / v.nx()) % v.ny(),
          i / (v.nx() * v.ny()), v.data()[i]));
    }
    Scan checked = scan;
    if (policy.rescale() != null) {
      float[] hu = new float[v.voxelCount()];
      for (int i = 0; i < hu.length; i++) {
        hu[i] = policy.rescale().apply(v.data()[i]);
      }
      boolean integral = scan.integerValued() && isIntegral(policy.rescale().slope())
          && isIntegral(policy.rescale().intercept());
      checked = new Scan(scan.source(), scan.format(), v.withData(hu), integral,
          scan.description() + ", rescaled (" + policy.rescale() + ")", scan.dicom());
      warnings.accept(String.format(Locale.ROOT, "ctshift: warning: %s: values %s..%s mapped to HU by --rescale"
          + " (%s): values a window clipped stay clipped, so the HU are approximate", file, num(p.min()),
          num(p.max()), policy.rescale()));
      p = HuProfile.of(hu);
    }
    if (p.max() - p.min() < 1) {
      String constant = file + ": every voxel is " + num(p.min()) + " (a constant volume); expected a CT with air"
          + " and tissue: there is nothing to explain";
      if (!policy.assumeHu()) {
        throw new InputRefusedException(constant);
      }
      warnings.accept("ctshift: warning: --assume-hu: " + constant);
      return checked;
    }
    List<String> problems = huProblems(p);
    rescaleType(scan).ifPresent(problems::add);
    if (!problems.isEmpty()) {
      String found = "values " + num(p.min()) + ".." + num(p.max()) + ": " + String.join("; ", problems);
      if (policy.assumeHu()) {
        warnings.accept("ctshift: warning: " + file + ": --assume-hu: taken as HU although " + found);
      } else if (policy.rescale() != null) {
        warnings.accept("ctshift: warning: " + file + ": after --rescale, " + found);
      } else {
        throw new InputRefusedException(file + ": does not look like CT in Hounsfield units: " + found
            + ". If the values are windowed (e.g. uint8 0..255 for a window LO..HI HU), map them back with"
            + " --rescale SLOPE INTERCEPT (SLOPE (HI-LO)/255, INTERCEPT LO); if they are HU, pass --assume-hu");
      }
    }
    if (p.aboveMinus500() < MIN_BODY_FRACTION) {
      String empty = String.format(Locale.ROOT, "%s: nearly empty: %.3f%% of the voxels lie above -500 HU (values"
          + " %s..%s); expected a body, at least %.1f%% of voxels denser than lung: there is nothing for a model to"
          + " see", file, 100 * p.aboveMinus500(), num(p.min()), num(p.max()), 100 * MIN_BODY_FRACTION);
      if (!policy.assumeHu()) {
        throw new InputRefusedException(empty);
      }
      warnings.accept("ctshift: warning: --assume-hu: " + empty);
    }
    dicomNotices(scan, warnings);
    return checked;
  }

  /** The HU rules a profile breaks, each naming the value found and the one expected. */
  static List<String> huProblems(HuProfile p) {
    List<String> problems = new ArrayList<>();
    if (p.belowMinus500() < MIN_AIR_FRACTION) {
      problems.add(String.format(Locale.ROOT, "%.3f%% of voxels below -500, expected air near -1000 HU (at least"
          + " %.1f%% below -500)", 100 * p.belowMinus500(), 100 * MIN_AIR_FRACTION));
    }
    if (p.low() < LOWEST_HU) {
      problems.add("the lowest 0.5% of values reach " + num(p.low()) + ", expected air near -1000 HU (not below "
          + num(LOWEST_HU) + ")");
    }
    if (p.high() > HIGHEST_HU) {
      problems.add("the top 0.1% of values reach " + num(p.high()) + ", expected a maximum below "
          + num(HIGHEST_HU) + " HU");
    }
    return problems;
  }

  private static java.util.Optional<String> rescaleType(Scan scan) {
    if (scan.dicom() == null) {
      return java.util.Optional.empty();
    }
    List<String> types = scan.dicom().series().rescaleTypes().stream()
        .filter(t -> !t.isEmpty() && !t.equalsIgnoreCase("HU")).toList();
    return types.isEmpty() ? java.util.Optional.empty()
        : java.util.Optional.of("RescaleType " + String.join(", ", types) + ", expected HU");
  }

  private static void dicomNotices(Scan scan, Consumer<String> warnings) {
    if (scan.dicom() == null) {
      return;
    }
    var series = scan.dicom().series();
    if (series.modality().isEmpty()) {
      warnings.accept("ctshift: warning: " + scan.source() + ": series " + series.label() + " has no Modality;"
          + " read as CT because its SOP class is a CT image");
    }
    Map<String, Integer> rescales = series.rescales();
    if (rescales.size() > 1) {
      warnings.accept("ctshift: warning: " + scan.source() + ": the slices of series " + series.label()
          + " have different rescales (" + rescales.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()
              + " images").collect(Collectors.joining(", ")) + "); each slice was converted with its own");
    }
  }

  private static boolean isIntegral(double v) {
    return v == Math.rint(v);
  }

  /** A value for messages: integers and large values without decimals, others with 4 significant digits. */
  static String num(double v) {
    if (Math.abs(v) < 1e15 && (v == Math.rint(v) || Math.abs(v) >= 1000)) {
      return String.valueOf(Math.round(v));
    }
    return String.format(Locale.ROOT, "%.4g", v);
  }
}
