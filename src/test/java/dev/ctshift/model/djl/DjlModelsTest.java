package dev.ctshift.model.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ArchitectureArgs.Segmenter3d;
import dev.ctshift.model.ArchitectureArgs.SliceAe;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlModelsTest {
  @TempDir Path dir;

  @Test
  void savedClassifierReloadsToIdenticalOutputs() throws Exception {
    Engine.getEngine("PyTorch").setRandomSeed(3);
    try (DjlNetwork net = DjlNetwork.create(Classifier3d.DEFAULTS.withBaseChannels(2).withOutputs(2), Device.cpu(),
            DataType.FLOAT32);
        NDManager m = NDManager.newBaseManager()) {
      ModelManifest.Input input = new ModelManifest.Input("RAS", null, null, new double[] {-200, 300},
          new double[] {0, 1}, ModelManifest.Layout.NCDHW, 1, 1);
      ModelManifest saved = DjlModels.save(net, dir, ModelManifest.builder().setName("blobs").optInput(input)
          .optOutputs(java.util.List.of("a", "b")));
      ModelManifest manifest = ModelManifest.read(dir);
      assertEquals("blobs", manifest.name());
      assertEquals(ModelManifest.Kind.CLASSIFIER, manifest.kind());
      assertEquals(ModelManifest.Format.DJL, manifest.format());
      assertEquals(java.util.List.of("a", "b"), manifest.outputs());
      assertEquals(input, manifest.input());
      assertEquals(saved.toJson(), manifest.toJson());
      assertEquals(dir.toAbsolutePath(), saved.directory());
      NDArray x = m.randomUniform(0, 1, new Shape(1, 1, 8, 8, 8));
      float[] expected = net.block().forward(net.parameterStore(), new NDList(x), false)
          .singletonOrThrow().toFloatArray();
      try (VolumeModel model = DjlModels.loadVolumeModel(manifest, Device.cpu())) {
        assertArrayEquals(expected, model.forward(x, false).toFloatArray(), 0f);
        assertArrayEquals(expected, model.forward(x, true).toFloatArray(), 0f);
      }
    }
  }

  @Test
  void savedAutoencoderReloadsToIdenticalOutputs() throws Exception {
    try (DjlNetwork net = DjlNetwork.create(SliceAe.DEFAULTS.withBaseChannels(2).withLevels(2), Device.cpu(),
            DataType.FLOAT32);
        NDManager m = NDManager.newBaseManager()) {
      DjlModels.save(net, dir, ModelManifest.builder().setName("ae"));
      NDArray x = m.randomUniform(0, 1, new Shape(3, 1, 8, 12));
      NDArray z = net.encoder().forward(net.parameterStore(), new NDList(x), false).singletonOrThrow();
      NDArray y = net.decoder().forward(net.parameterStore(), new NDList(z), false).singletonOrThrow();
      try (SliceAutoencoder ae = DjlModels.loadAutoencoder(ModelManifest.read(dir), Device.cpu())) {
        NDArray z2 = ae.encode(x);
        assertArrayEquals(z.toFloatArray(), z2.toFloatArray(), 0f);
        assertArrayEquals(y.toFloatArray(), ae.decode(z2, false).toFloatArray(), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ae.encode(m.zeros(new Shape(1, 1, 8, 10))));
        assertTrue(e.getMessage().contains("multiples of 4"), e.getMessage());
      }
    }
  }

  @Test
  void refusesMismatchedKindArgsAndWeights() throws Exception {
    try (DjlNetwork net = DjlNetwork.create(Segmenter3d.DEFAULTS.withBaseChannels(2), Device.cpu(),
        DataType.FLOAT32)) {
      DjlModels.save(net, dir, ModelManifest.builder().setName("seg"));
    }
    ModelManifest ok = ModelManifest.read(dir);
    ModelLoadException wrongView = assertThrows(ModelLoadException.class,
        () -> DjlModels.loadAutoencoder(ok, Device.cpu()));
    assertTrue(wrongView.getMessage().contains("model.json") && wrongView.getMessage().contains("segmenter"),
        wrongView.getMessage());

    rewrite("\"base_channels\": 2", "\"base_channels\": 3");
    ModelLoadException badWeights = assertThrows(ModelLoadException.class,
        () -> DjlModels.loadVolumeModel(ModelManifest.read(dir), Device.cpu()));
    assertTrue(badWeights.getMessage().contains("segmenter3d.params"), badWeights.getMessage());

    rewrite("\"kind\": \"segmenter\"", "\"kind\": \"classifier\"");
    ModelLoadException badKind = assertThrows(ModelLoadException.class,
        () -> DjlModels.loadVolumeModel(ModelManifest.read(dir), Device.cpu()));
    assertTrue(badKind.getMessage().contains("segmenter3d is a segmenter but kind is classifier"),
        badKind.getMessage());

    rewrite("\"architecture\": \"segmenter3d\"", "\"architecture\": \"vnet\"");
    ModelLoadException badArch = assertThrows(ModelLoadException.class,
        () -> DjlModels.loadVolumeModel(ModelManifest.read(dir), Device.cpu()));
    assertTrue(badArch.getMessage().contains("unknown architecture 'vnet'"), badArch.getMessage());
  }

  private void rewrite(String from, String to) throws Exception {
    Path f = dir.resolve("model.json");
    String s = Files.readString(f);
    assertTrue(s.contains(from), s);
    Files.writeString(f, s.replace(from, to));
  }
}
