package dev.ctshift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.testing.Cli;
import dev.ctshift.testing.Cli.Run;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hidden {@code ctshift demo} tools of scripts/make_demo_models, through the command line. */
class DemoCommandTest {
  @TempDir Path tmp;

  @Test
  void changeSharePrintsTheShareInsideTheDilatedLabelAndOutsideByLabel() throws Exception {
    // A 4x1x1 row: label 2 at voxel 0, dilated by one voxel it covers voxels 0 and 1. Changes 1, 3, 4, 2:
    // inside (1 + 3) / 10, in 2 of 4 voxels; outside, label 0 has 4 / 10 and label 1 has 2 / 10.
    double[][] affine = Affine.ofSpacing(1, 1, 1);
    Path labels = tmp.resolve("l.nii.gz");
    Path difference = tmp.resolve("d.nii.gz");
    NiftiWriter.write(labels, new Volume(4, 1, 1, new float[] {2, 0, 0, 1}, affine), NiftiWriter.Options.defaults());
    NiftiWriter.write(difference, new Volume(4, 1, 1, new float[] {1, -3, 4, -2}, affine),
        NiftiWriter.Options.defaults());
    Run r = Cli.run("demo", "change-share", "--difference", difference.toString(), "--labels", labels.toString(),
        "--label", "2", "--dilate", "1");
    assertEquals(0, r.code(), r.err());
    assertEquals("change inside label 2 dilated by 1 voxels: 0.400 of the absolute change, in 0.500 of the voxels\n"
        + "outside it, by label: 0 0.400 1 0.200\n", r.out().replace(System.lineSeparator(), "\n"));
  }

  @Test
  void theDemoToolsAreHiddenAndNotTrainingSubcommands() {
    Run help = Cli.run("--help");
    assertTrue(!help.out().contains("demo"), help.out());
    Run train = Cli.run("train", "change-share", "--difference", "d.nii.gz", "--labels", "l.nii.gz");
    assertEquals(2, train.code(), train.err());
    Run demo = Cli.run("demo", "evaluate", "--help");
    assertEquals(0, demo.code(), demo.err());
    assertTrue(demo.out().contains("--expected-out"), demo.out());
  }
}
