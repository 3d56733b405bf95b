package dev.ctshift.cli;

import dev.ctshift.CtShiftException;
import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.phantom.EffusionSide;
import dev.ctshift.phantom.Phantom;
import dev.ctshift.phantom.PhantomAttributes;
import dev.ctshift.phantom.PhantomConfig;
import dev.ctshift.phantom.PhantomGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ctshift phantom}: writes synthetic chest CTs, their label maps and a {@code labels.csv}.
 * Output is the same bytes for the same options, whatever the thread count.
 */
@Command(
    name = "phantom",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    header = "Generate synthetic chest CT volumes with effusion, cardiomegaly and nodule labels.",
    description = {
      "",
      "Writes per subject <id>.nii.gz (HU) and <id>_labels.nii.gz (0 background, 1 lung,",
      "2 pleural effusion, 3 heart, 4 nodule, 5 marker bead), then labels.csv with one row of ground",
      "truth per subject. Volumes are RAS+ with axial slices along k, superior at higher",
      "k. labels.csv is written last: a run that fails leaves none.",
      ""
    })
public final class PhantomCommand implements Callable<Integer> {
  /** Stored type of the CT volumes. */
  enum CtType { int16, float32 }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if missing).")
  Path out;

  @Option(names = "--count", paramLabel = "N", defaultValue = "10", description = "Number of subjects. Default: ${DEFAULT-VALUE}.")
  int count;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Master seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--prefix", paramLabel = "TEXT", defaultValue = "phantom_", description = "Subject id prefix. Default: ${DEFAULT-VALUE}.")
  String prefix;

  @Option(names = "--size", paramLabel = "N", defaultValue = "128", description = "Voxels per side of an axial slice. Default: ${DEFAULT-VALUE}.")
  int size;

  @Option(names = "--slices", paramLabel = "N", defaultValue = "48", description = "Axial slices per volume. Default: ${DEFAULT-VALUE}.")
  int slices;

  @Option(names = "--spacing-mm", paramLabel = "MM",
      description = "In-plane voxel size. Default: a field of view of 320-420 mm drawn per subject.")
  Double spacingMm;

  @Option(names = "--slice-thickness-mm", paramLabel = "MM",
      description = "Slice thickness. Default: one of 1.5, 2, 2.5, 3, 5 mm drawn per subject.")
  Double sliceThicknessMm;

  @Option(names = "--noise-hu", paramLabel = "HU", description = "Gaussian noise sigma. Default: 4-25 HU drawn per subject.")
  Double noiseHu;

  @Option(names = "--blur-mm", paramLabel = "MM", description = "In-plane blur sigma. Default: 0.5-1.5 mm drawn per subject.")
  Double blurMm;

  @Option(names = "--effusion-rate", paramLabel = "FRACTION", defaultValue = "0.5", description = "Share of subjects with pleural effusion. Default: ${DEFAULT-VALUE}.")
  double effusionRate;

  @Option(names = "--cardiomegaly-rate", paramLabel = "FRACTION", defaultValue = "0.3", description = "Share of subjects with cardiomegaly. Default: ${DEFAULT-VALUE}.")
  double cardiomegalyRate;

  @Option(names = "--nodule-rate", paramLabel = "FRACTION", defaultValue = "0.3", description = "Share of subjects with lung nodules. Default: ${DEFAULT-VALUE}.")
  double noduleRate;

  @Option(names = "--max-nodules", paramLabel = "N", defaultValue = "3", description = "Most nodules per subject. Default: ${DEFAULT-VALUE}.")
  int maxNodules;

  @Option(names = "--nodule-size-mm", arity = "2", paramLabel = "MM",
      description = "Smallest and largest nodule diameter drawn. Default: 4 18.")
  double[] noduleSizeMm = {4, 18};

  @Option(names = "--marker-rate", arity = "2", paramLabel = "FRACTION",
      description = {"Share of subjects with a marker bead, with effusion and without effusion. The bead "
          + "(10-14 mm, 2000 HU, label 5) lies in the air in front of the chest: a spurious feature for "
          + "shortcut audits. --marker-rate 1 0 makes it a perfect proxy for effusion. Default: 0 0."})
  double[] markerRate = {0, 0};

  @Option(names = "--effusion-twins",
      description = {"Also write, for every subject with effusion, its twin without it: <id>-twin, the same "
          + "anatomy, findings, blur and noise with aerated lung where the fluid was. A classifier trained on "
          + "such pairs can tell them apart only by the fluid."})
  boolean effusionTwins;

  @Option(names = "--ct-type", paramLabel = "TYPE", defaultValue = "int16",
      description = "Stored CT type (int16 rounds to whole HU): ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  CtType ctType;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1", description = "Subjects generated in parallel. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--debug", description = "Print stack traces of errors.")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    if (noduleSizeMm.length != 2 || markerRate.length != 2) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "give --nodule-size-mm and --marker-rate at most once, each with two values");
    }
    if (count < 1 || threads < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--count and --threads must be at least 1, got " + count + " and " + threads);
    }
    PhantomGenerator generator;
    try {
      generator = new PhantomGenerator(PhantomConfig.builder()
          .grid(size, slices, orNaN(spacingMm), orNaN(sliceThicknessMm)).imageQuality(orNaN(noiseHu), orNaN(blurMm))
          .rates(effusionRate, cardiomegalyRate, noduleRate).nodules(maxNodules, noduleSizeMm[0], noduleSizeMm[1])
          .markers(markerRate[0], markerRate[1]).build());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new CtShiftException("cannot create output directory " + out + ": " + e.getMessage(), e);
    }
    long start = System.nanoTime();
    List<String> rows = generateAll(generator);
    writeCsv(rows);
    double msPerVolume = (System.nanoTime() - start) / 1e6 / count;
    spec.commandLine().getOut().printf("wrote %d phantoms%s and labels.csv to %s (%.0f ms per subject)%n",
        count, effusionTwins ? " (+" + (rows.size() - count) + " effusion twins)" : "", out, msPerVolume);
    return 0;
  }

  private List<String> generateAll(PhantomGenerator generator) throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    SplittableRandom master = new SplittableRandom(seed);
    AtomicInteger done = new AtomicInteger();
    boolean terminal = System.console() != null;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<String>>> rows = new ArrayList<>();
      for (int s = 0; s < count; s++) {
        String id = String.format("%s%05d", prefix, s);
        long subjectSeed = master.nextLong();
        rows.add(pool.submit(() -> {
          Phantom subject = generator.generate(id, subjectSeed);
          List<String> row = new ArrayList<>(List.of(writeSubject(subject)));
          if (effusionTwins && subject.attributes().effusionSide() != EffusionSide.NONE) {
            row.add(writeSubject(generator.generateWithoutEffusion(id + "-twin", subjectSeed)));
          }
          synchronized (err) {
            int n = done.incrementAndGet();
            if (terminal) {
              err.printf("\rphantom: %d/%d", n, count);
            } else if (n % Math.max(1, count / 10) == 0 || n == count) {
              err.printf("phantom: %d/%d%n", n, count);
            }
            err.flush();
          }
          return row;
        }));
      }
      List<String> result = new ArrayList<>();
      for (Future<List<String>> f : rows) {
        result.addAll(f.get());
      }
      if (terminal) {
        err.println();
      }
      return result;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    } finally {
      pool.shutdownNow();
    }
  }

  private String writeSubject(Phantom p) throws CtShiftException {
    PhantomAttributes a = p.attributes();
    NiftiWriter.Options options = NiftiWriter.Options.defaults().withDescription("ctshift phantom " + a.id());
    NiftiDatatype type = ctType == CtType.int16 ? NiftiDatatype.INT16 : NiftiDatatype.FLOAT32;
    NiftiWriter.write(out.resolve(a.id() + ".nii.gz"), p.ct(), options.withDatatype(type));
    NiftiWriter.write(out.resolve(a.id() + "_labels.nii.gz"), p.labels(), options.withDatatype(NiftiDatatype.UINT8));
    return a.csvRow();
  }

  private void writeCsv(List<String> rows) throws CtShiftException {
    Path csv = out.resolve("labels.csv");
    Path tmp = out.resolve(".labels.csv.tmp");
    List<String> lines = new ArrayList<>();
    lines.add(PhantomAttributes.csvHeader());
    lines.addAll(rows);
    try {
      Files.write(tmp, lines, StandardCharsets.UTF_8);
      Files.move(tmp, csv, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new CtShiftException("cannot write " + csv + ": " + e.getMessage(), e);
    }
  }

  private static double orNaN(Double v) {
    return v == null ? Double.NaN : v;
  }
}
