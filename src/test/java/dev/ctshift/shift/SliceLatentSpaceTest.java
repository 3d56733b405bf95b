package dev.ctshift.shift;

import static dev.ctshift.testing.Fixtures.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.Models;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine's tensor steps against float64 values computed by PyTorch on the same TorchScript files
 * ({@code scripts/make_test_models.py}).
 */
class SliceLatentSpaceTest {
  static TorchRuntime runtime;
  static SliceAutoencoder ae;
  static VolumeModel classifier;
  static NDManager manager;
  static float[] x;

  @BeforeAll
  static void load() throws Exception {
    runtime = TorchRuntime.start("cpu", System.err::println);
    ae = Models.loadAutoencoder(Fixtures.model("tiny-ae"), runtime.device());
    classifier = Models.loadVolumeModel(Fixtures.model("tiny-classifier"), runtime.device());
    manager = runtime.newManager();
    x = Fixtures.tensor("x");
  }

  @AfterAll
  static void close() {
    manager.close();
    classifier.close();
    ae.close();
  }

  private SliceLatentSpace space(VolumeModel model, String target) {
    return new SliceLatentSpace(ae, model, Objective.of(model.manifest(), target), manager, 6, 16, 16);
  }

  @Test
  void encodeDecodeAndLinkMatchPyTorch() throws Exception {
    try (SliceLatentSpace s = space(classifier, "finding_a")) {
      NDArray z = s.encode(s.upload(x), 4);
      assertTrue(relativeError(z.toFloatArray(), Fixtures.tensor("z")) < 1e-5);
      NDArray recon = s.decode(z, 4);
      assertTrue(relativeError(recon.toFloatArray(), Fixtures.tensor("recon")) < 1e-5);
      assertEquals(Fixtures.values().get("s0").getAsDouble(), s.link(recon), 1e-4);
      assertEquals(Fixtures.values().get("logit_x").getAsDouble(), s.link(s.upload(x)), 1e-4);
    }
  }

  /**
   * Slices go to the encoder in channels-last order (other oneDNN kernels): the latents equal the
   * autoencoder's own encoding of the plain slices, and decode as those do.
   */
  @Test
  void channelsLastEncodingEqualsThePlainEncoding() throws Exception {
    try (SliceLatentSpace s = space(classifier, "0"); NDManager m = manager.newSubManager()) {
      NDArray z = s.encode(s.upload(x), 4);
      NDArray plain = ae.encode(m.create(x, new ai.djl.ndarray.types.Shape(6, 1, 16, 16)));
      assertEquals(plain.getShape(), z.getShape());
      assertTrue(relativeError(z.toFloatArray(), plain.toFloatArray()) < 1e-6);
      NDArray decoded = s.decode(z, 6);
      NDArray decodedPlain = ae.decode(plain, false);
      assertTrue(relativeError(decoded.toFloatArray(), decodedPlain.toFloatArray()) < 1e-6);
    }
  }

  /**
   * An encoder that returns fewer latents than slices is refused by name: copied into the output's
   * rows, its one latent would otherwise be broadcast over the whole batch.
   */
  @Test
  void anEncoderThatDropsSlicesIsRefused() {
    SliceAutoencoder dropping = new SliceAutoencoder() {
      @Override
      public NDArray encode(NDArray slices) {
        return ae.encode(slices.get("0:1"));
      }

      @Override
      public NDArray decode(NDArray latents, boolean differentiable) {
        return ae.decode(latents, differentiable);
      }

      @Override
      public ModelManifest manifest() {
        return ae.manifest();
      }

      @Override
      public void close() {
      }
    };
    try (SliceLatentSpace s = SliceLatentSpace.autoencoderOnly(dropping, manager, 6, 16, 16)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.encode(s.upload(x), 4));
      assertTrue(e.getMessage().contains("encodes 4 slices to (1, "), e.getMessage());
    }
  }

  /**
   * An encoder that takes a {@code view} of a convolution's output fails on the channels-last slices
   * the space gives it first; it is then encoded in the standard order, to PyTorch's float64 latents
   * ({@code scripts/make_channels_last_fixtures.py}).
   */
  @Test
  void anEncoderThatViewsItsActivationsIsEncodedInTheStandardOrder() throws Exception {
    Path dir = Fixtures.model("channels-last");
    JsonArray expected = JsonParser.parseString(Files.readString(dir.resolve("reference.json"))).getAsJsonObject()
        .getAsJsonArray("view_ae_latents");
    float[] slices = new float[6 * 32 * 32];
    for (int i = 0; i < slices.length; i++) {
      slices[i] = (float) ((i % 89) / 89.0);
    }
    try (SliceAutoencoder viewing = Models.loadAutoencoder(dir.resolve("view-ae"), runtime.device());
        SliceLatentSpace s = SliceLatentSpace.autoencoderOnly(viewing, manager, 6, 32, 32)) {
      float[] latents = s.encode(s.upload(slices), 4).toFloatArray();
      assertEquals(expected.size(), latents.length);
      float[] reference = new float[latents.length];
      for (int i = 0; i < reference.length; i++) {
        reference[i] = expected.get(i).getAsFloat();
      }
      assertTrue(relativeError(latents, reference) < 1e-5, "relative error " + relativeError(latents, reference));
    }
  }

  @ParameterizedTest(name = "chunk {0}")
  @ValueSource(ints = {1, 2, 4, 6})
  void chunkedLatentGradientEqualsPyTorchInBothModes(int chunk) throws Exception {
    try (SliceLatentSpace s = space(classifier, "0")) {
      NDArray z = s.encode(s.upload(x), 6);
      NDArray recon = s.decode(z, 6);
      NDArray gRecon = s.latentGradient(z, s.volumeGradient(recon).gradient(), chunk);
      assertTrue(relativeError(gRecon.toFloatArray(), Fixtures.tensor("g_recon")) < 1e-4,
          "reconstruction-mode gradient");
      SliceLatentSpace.VolumeGradient atScan = s.volumeGradient(s.upload(x));
      assertTrue(relativeError(atScan.gradient().toFloatArray(), Fixtures.tensor("dlogit_dx")) < 1e-4);
      NDArray gResidual = s.latentGradient(z, atScan.gradient(), chunk);
      assertTrue(relativeError(gResidual.toFloatArray(), Fixtures.tensor("g_residual")) < 1e-4,
          "residual-mode gradient");
    }
  }

  @Test
  void chunkSizeDoesNotChangeTheGradient() {
    try (SliceLatentSpace s = space(classifier, "finding_b")) {
      NDArray z = s.encode(s.upload(x), 6);
      NDArray up = s.volumeGradient(s.decode(z, 6)).gradient();
      float[] whole = s.latentGradient(z, up, 6).toFloatArray();
      for (int chunk : new int[] {1, 4, 5}) {
        assertArrayEquals(whole, s.latentGradient(z, up, chunk).toFloatArray(), 1e-6f * maxAbs(whole));
      }
    }
  }

  @Test
  void depthLastModelGivesTheSameLinkAndGradient() throws Exception {
    try (VolumeModel nchwd = Models.loadVolumeModel(Fixtures.model("tiny-classifier-nchwd"), runtime.device());
        SliceLatentSpace a = space(classifier, "0");
        SliceLatentSpace b = space(nchwd, "0")) {
      assertEquals(ModelManifest.Layout.NCHWD, nchwd.manifest().input().layout());
      float[] ga = a.volumeGradient(a.upload(x)).gradient().toFloatArray();
      float[] gb = b.volumeGradient(b.upload(x)).gradient().toFloatArray();
      assertTrue(relativeError(gb, ga) < 1e-5);
      assertEquals(Fixtures.values().getAsJsonArray("classifier_nchwd_logits_x").get(0).getAsDouble(),
          b.link(b.upload(x)), 1e-4);
    }
  }

  @Test
  void segmenterScoreAndGradientMatchPyTorch() throws Exception {
    try (VolumeModel seg = Models.loadVolumeModel(Fixtures.model("tiny-segmenter"), runtime.device());
        SliceLatentSpace s = space(seg, null)) {
      Objective objective = Objective.of(seg.manifest(), null);
      assertEquals("target", objective.name());
      SliceLatentSpace.VolumeGradient vg = s.volumeGradient(s.upload(x));
      double fraction = Fixtures.values().get("seg_score_x").getAsDouble();
      assertEquals(fraction, objective.score(vg.link()), 1e-5);
      // The link is the log-odds of the fraction: d link = d fraction / (f (1 - f)).
      float[] expected = Fixtures.tensor("seg_dscore_dx");
      for (int i = 0; i < expected.length; i++) {
        expected[i] /= (float) (fraction * (1 - fraction));
      }
      assertTrue(relativeError(vg.gradient().toFloatArray(), expected) < 1e-4);
    }
  }

  private static float maxAbs(float[] v) {
    float m = 0;
    for (float f : v) {
      m = Math.max(m, Math.abs(f));
    }
    return m;
  }
}
