package dev.ctshift.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.CtShiftException;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.phantom.Phantom;
import dev.ctshift.phantom.PhantomAttributes;
import dev.ctshift.phantom.PhantomConfig;
import dev.ctshift.phantom.PhantomGenerator;
import dev.ctshift.train.LabelledVolumes;
import dev.ctshift.train.SegmentedVolumes;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingDataTest {
  @TempDir Path tmp;

  private static final NiftiWriter.Options INT16 = NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16);
  private static final NiftiWriter.Options UINT8 = NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.UINT8);

  /** Three tiny phantoms and their labels.csv in {@code dir}, as {@code ctshift phantom} writes them. */
  private static List<Phantom> writePhantoms(Path dir, long seed) throws Exception {
    Files.createDirectories(dir);
    PhantomGenerator gen = new PhantomGenerator(PhantomConfig.builder().grid(32, 8, 10, 10).imageQuality(5, 0.5)
        .rates(0.5, 0.5, 0.5).nodules(2, 4, 18).build());
    List<Phantom> phantoms = new ArrayList<>();
    List<String> csv = new ArrayList<>(List.of(PhantomAttributes.csvHeader()));
    for (int s = 0; s < 4; s++) {
      Phantom p = gen.generate("p" + s, seed + s);
      NiftiWriter.write(dir.resolve("p" + s + ".nii.gz"), p.ct(), INT16);
      NiftiWriter.write(dir.resolve("p" + s + "_labels.nii.gz"), p.labels(), UINT8);
      csv.add(p.attributes().csvRow());
      phantoms.add(p);
    }
    Files.write(dir.resolve("labels.csv"), csv, StandardCharsets.UTF_8);
    return phantoms;
  }

  @Test
  void phantomTableGivesEffusionCardiomegalyAndNoduleTargets() throws Exception {
    List<Phantom> phantoms = writePhantoms(tmp, 40);
    FindingTable table = FindingTable.read(tmp.resolve("labels.csv"), FindingTable.PHANTOM_FINDINGS);
    assertEquals(List.of("has_effusion", "cardiomegaly", "nodule_count"), table.columns());
    assertEquals(List.of("p0", "p1", "p2", "p3"), table.ids());
    for (Phantom p : phantoms) {
      PhantomAttributes a = p.attributes();
      float[] expected = {a.hasEffusion() ? 1 : 0, a.cardiomegaly() ? 1 : 0, a.noduleCount() > 0 ? 1 : 0};
      assertArrayEquals(expected, table.targets(a.id()), a.csvRow());
    }
    assertEquals(null, table.targets("absent"));
  }

  @Test
  void plainZeroOneColumnsWinAndBadTablesNameTheFileAndLine() throws Exception {
    Path csv = tmp.resolve("t.csv");
    Files.writeString(csv, "id,nodule,nodule_count\na,0,3\nb,1,0\n");
    FindingTable t = FindingTable.read(csv, List.of("nodule"));
    assertArrayEquals(new float[] {0}, t.targets("a"));
    assertArrayEquals(new float[] {1}, t.targets("b"));

    CtShiftException missing = assertThrows(CtShiftException.class, () -> FindingTable.read(csv, List.of("effusion")));
    assertTrue(missing.getMessage().startsWith(csv.toString()) && missing.getMessage().contains("has_effusion"),
        missing.getMessage());
    Files.writeString(csv, "id,effusion\na,yes\n");
    CtShiftException bad = assertThrows(CtShiftException.class, () -> FindingTable.read(csv, List.of("effusion")));
    assertTrue(bad.getMessage().contains("line 2") && bad.getMessage().contains("'yes'"), bad.getMessage());
    Files.writeString(csv, "id,effusion\na,1\na,0\n");
    assertTrue(assertThrows(CtShiftException.class, () -> FindingTable.read(csv, List.of("effusion")))
        .getMessage().contains("twice"));
  }

  @Test
  void findsScansRecursivelyWithoutLabelMaps() throws Exception {
    writePhantoms(tmp.resolve("a"), 1);
    Path nested = tmp.resolve("b/deeper");
    Files.createDirectories(nested);
    Files.copy(tmp.resolve("a/p0.nii.gz"), nested.resolve("x.nii"));
    Files.copy(tmp.resolve("a/p1_labels.nii.gz"), nested.resolve("real-labels.nii.gz"));
    Files.writeString(nested.resolve("notes.txt"), "not a scan");
    List<Path> found = ScanFiles.find(List.of(tmp.resolve("a"), tmp.resolve("b"), tmp.resolve("a/p2.nii.gz")));
    assertEquals(List.of(tmp.resolve("a/p0.nii.gz"), tmp.resolve("a/p1.nii.gz"), tmp.resolve("a/p2.nii.gz"),
        tmp.resolve("a/p3.nii.gz"), nested.resolve("x.nii")), found);
    assertEquals("x", ScanFiles.id(nested.resolve("x.nii")));
    assertEquals(tmp.resolve("a/p3_labels.nii.gz"), ScanFiles.labelMapOf(tmp.resolve("a/p3.nii.gz")));

    VolumeReadException none = assertThrows(VolumeReadException.class, () -> ScanFiles.find(List.of(nested.resolve("x"))));
    assertTrue(none.getMessage().contains("no such file"), none.getMessage());
    Files.delete(nested.resolve("x.nii"));
    assertTrue(assertThrows(VolumeReadException.class, () -> ScanFiles.find(List.of(tmp.resolve("b"))))
        .getMessage().contains("no NIfTI scans"));
  }

  private static ModelManifest.Input input(double spacing, int size) {
    return new ModelManifest.Input("RAS", new double[] {spacing, spacing, spacing}, new int[] {size, size},
        new double[] {-1000, 1000}, new double[] {0, 1}, ModelManifest.Layout.NCDHW, 1, 1);
  }

  @Test
  void onTheNativeGridScansAreWindowedAndLabelMapsKeptVoxelForVoxel() throws Exception {
    List<Phantom> phantoms = writePhantoms(tmp, 7);
    ModelSpaceLoader loader = new ModelSpaceLoader(input(10, 32), 2);
    List<Path> files = ScanFiles.find(List.of(tmp));
    List<ModelSpaceScan> scans = loader.load(files, new int[] {1, 2}, s -> { });
    for (int s = 0; s < scans.size(); s++) {
      ModelSpaceScan scan = scans.get(s);
      Volume ct = phantoms.get(s).ct();
      Volume labels = phantoms.get(s).labels();
      assertEquals("p" + s, scan.id());
      assertEquals(List.of(8, 32, 32), List.of(scan.depth(), scan.height(), scan.width()));
      for (int v = 0; v < ct.voxelCount(); v++) {
        double hu = Math.rint(ct.data()[v]); // stored as int16
        double expected = Math.min(1, Math.max(0, (hu + 1000) / 2000));
        assertEquals(expected, scan.values()[v], 1e-6);
        int code = Math.round(labels.data()[v]);
        assertEquals(code == 1 ? 1 : code == 2 ? 2 : 0, scan.classes()[v]);
      }
    }
    float[][] targets = new float[4][];
    FindingTable table = FindingTable.read(tmp.resolve("labels.csv"), FindingTable.PHANTOM_FINDINGS);
    LabelledVolumes labelled = TrainingSets.labelled(scans, 8, 0f, table);
    for (int s = 0; s < 4; s++) {
      targets[s] = table.targets("p" + s);
      assertArrayEquals(targets[s], labelled.labels().get(s));
      assertArrayEquals(scans.get(s).values(), labelled.volumes().volume(s));
    }
    SegmentedVolumes seg = TrainingSets.segmented(scans, 8, 0f, List.of("background", "lung", "effusion"));
    assertArrayEquals(scans.get(3).classes(), seg.masks().get(3));
    assertEquals(4 * 8, TrainingSets.slices(scans).size());
  }

  @Test
  void downsampledLabelMapsTakeTheMajorityOfEachBlock() throws Exception {
    // 8 x 8 x 4 voxels of 4 mm resampled to 8 mm: each model voxel samples the middle of a 2x2x2 block.
    int nx = 8;
    int ny = 8;
    int nz = 4;
    Random r = new Random(3);
    float[] codes = new float[nx * ny * nz];
    for (int v = 0; v < codes.length; v++) {
      codes[v] = r.nextInt(4);
    }
    double[][] affine = Affine.ofSpacing(4, 4, 4);
    Volume labels = new Volume(nx, ny, nz, codes, affine);
    Path scan = tmp.resolve("s.nii.gz");
    NiftiWriter.write(scan, labels.withData(new float[codes.length]), INT16);
    NiftiWriter.write(tmp.resolve("s_labels.nii.gz"), labels, UINT8);

    int[] wanted = {1, 2};
    ModelSpaceScan m = new ModelSpaceLoader(input(8, 4), 1).load(scan, wanted);
    assertEquals(List.of(2, 4, 4), List.of(m.depth(), m.height(), m.width()));
    for (int k = 0; k < 2; k++) {
      for (int j = 0; j < 4; j++) {
        for (int i = 0; i < 4; i++) {
          int[] votes = new int[3];
          for (int dk = 0; dk < 2; dk++) {
            for (int dj = 0; dj < 2; dj++) {
              for (int di = 0; di < 2; di++) {
                int code = (int) labels.get(2 * i + di, 2 * j + dj, 2 * k + dk);
                votes[code == 1 ? 1 : code == 2 ? 2 : 0]++;
              }
            }
          }
          // Largest share wins; the background on a tie with a class, the first class on a tie of classes.
          int expected = votes[1] >= votes[2] ? 1 : 2;
          if (votes[0] >= votes[expected]) {
            expected = 0;
          }
          assertEquals(expected, m.classes()[i + 4 * (j + 4 * k)], "voxel " + i + "," + j + "," + k);
        }
      }
    }

    Files.delete(tmp.resolve("s_labels.nii.gz"));
    VolumeReadException e = assertThrows(VolumeReadException.class,
        () -> new ModelSpaceLoader(input(8, 4), 1).load(List.of(scan), wanted, s -> { }));
    assertTrue(e.getMessage().contains("s_labels.nii.gz"), e.getMessage());
  }

  @Test
  void volumesOfAnotherDepthAreCroppedOrPaddedAboutTheMiddle() throws Exception {
    List<ModelSpaceScan> scans = new ArrayList<>();
    for (int depth : new int[] {3, 5, 5, 6}) {
      float[] v = new float[depth * 2];
      int[] c = new int[depth * 2];
      for (int i = 0; i < v.length; i++) {
        v[i] = i / 2 + 1; // slice number + 1
        c[i] = 1;
      }
      scans.add(new ModelSpaceScan("d" + depth, Path.of("d" + depth), depth, 1, 2, v, c));
    }
    assertEquals(5, TrainingSets.commonDepth(scans));
    assertEquals(2, TrainingSets.adjusted(scans, 5));
    var vols = TrainingSets.volumes(scans, 5, -1f);
    assertArrayEquals(new float[] {-1, -1, 1, 1, 2, 2, 3, 3, -1, -1}, vols.volume(0));
    assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, vols.volume(1));
    assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, vols.volume(3));
    var seg = TrainingSets.segmented(scans, 5, 0f, List.of("background", "x"));
    assertArrayEquals(new int[] {0, 0, 1, 1, 1, 1, 1, 1, 0, 0}, seg.masks().get(0));

    scans.add(new ModelSpaceScan("wide", Path.of("wide"), 1, 1, 3, new float[3], null));
    CtShiftException e = assertThrows(CtShiftException.class, () -> TrainingSets.slices(scans));
    assertTrue(e.getMessage().contains("--size"), e.getMessage());
  }
}
