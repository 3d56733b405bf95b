package dev.ctshift.pipeline;

import com.google.gson.JsonObject;
import dev.ctshift.report.Json;
import dev.ctshift.shift.Explanation;
import java.util.Locale;

/**
 * How well the slice autoencoder reconstructs this scan, against what it achieved on held-out data:
 * a scan unlike the autoencoder's training data comes back grey or blurred, and counterfactuals made
 * from such reconstructions mean little.
 *
 * <p>PSNR is measured in model space (the preprocessed volume, peak = the model's intensity range), over
 * the whole volume, which is how the held-out figure of {@code model.json} ({@code heldout_psnr_db}) is
 * measured, and over the body (voxels above -500 HU), which air cannot flatter. The check compares the
 * whole-volume figure with the held-out one: {@value #MARGIN_DB} dB lower (four times the squared error)
 * is "far below".
 *
 * @param psnrDb PSNR of the reconstruction over the model-space volume, dB
 * @param bodyPsnrDb PSNR over voxels above -500 HU, dB (NaN if there are none)
 * @param bodyFraction share of model-space voxels above -500 HU
 * @param heldOutPsnrDb the autoencoder's held-out PSNR from its manifest, or null if it records none
 * @param reconstructionGap score on the scan minus score on its reconstruction
 */
public record ReconstructionCheck(double psnrDb, double bodyPsnrDb, double bodyFraction, Double heldOutPsnrDb,
    double reconstructionGap) {

  /** How far below the held-out PSNR a scan's PSNR may fall before it is called out of domain. */
  public static final double MARGIN_DB = 6;

  /**
   * Measures {@code e}'s reconstruction.
   *
   * @param low the model's intensity range, low end (its peak is {@code high - low})
   * @param bodyThreshold the model-space value of -500 HU
   */
  public static ReconstructionCheck of(Explanation e, double low, double high, double bodyThreshold,
      Double heldOutPsnrDb) {
    float[] x = e.input();
    float[] r = e.reconstruction();
    double sse = 0;
    double bodySse = 0;
    long body = 0;
    for (int i = 0; i < x.length; i++) {
      double d = (double) x[i] - r[i];
      sse += d * d;
      if (x[i] > bodyThreshold) {
        bodySse += d * d;
        body++;
      }
    }
    double peak = high - low;
    return new ReconstructionCheck(psnr(peak, sse / x.length), body == 0 ? Double.NaN : psnr(peak, bodySse / body),
        body / (double) x.length, heldOutPsnrDb, e.reconstructionGap());
  }

  private static double psnr(double peak, double mse) {
    return 10 * Math.log10(peak * peak / mse);
  }

  /** Whether the PSNR is more than {@link #MARGIN_DB} below the held-out figure. */
  public boolean farBelowHeldOut() {
    return heldOutPsnrDb != null && psnrDb < heldOutPsnrDb - MARGIN_DB;
  }

  /** One line that says the autoencoder does not know this scan, and what follows. */
  public String warning(String file) {
    return String.format(Locale.ROOT, "%s: the autoencoder reconstructs this scan at %.1f dB PSNR (body %.1f dB),"
        + " far below its %.1f dB on held-out data: the scan is unlike its training data, and the counterfactual"
        + " may show the autoencoder's blur rather than what the model uses (reconstruction gap %.3f)", file,
        psnrDb, bodyPsnrDb, heldOutPsnrDb, reconstructionGap);
  }

  /** The figures for report.json; non-finite values as null. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("psnr_db", finite(psnrDb));
    o.addProperty("body_psnr_db", finite(bodyPsnrDb));
    o.addProperty("body_fraction", finite(bodyFraction));
    o.addProperty("heldout_psnr_db", heldOutPsnrDb);
    o.addProperty("margin_db", MARGIN_DB);
    o.addProperty("far_below_heldout", farBelowHeldOut());
    o.addProperty("score_gap", finite(reconstructionGap));
    return o;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? Json.round(v) : null;
  }
}
