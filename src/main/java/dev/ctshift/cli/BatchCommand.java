package dev.ctshift.cli;

import dev.ctshift.CtShiftException;
import dev.ctshift.batch.BatchRunner;
import dev.ctshift.batch.ExplainerPool;
import dev.ctshift.batch.ProgressPrinter;
import dev.ctshift.batch.ScanJob;
import dev.ctshift.batch.ScanPlanner;
import dev.ctshift.batch.Shard;
import dev.ctshift.batch.Status;
import dev.ctshift.batch.Summary;
import dev.ctshift.batch.SummaryMerger;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.io.sanity.InputPolicy;
import dev.ctshift.io.sanity.OutputFolderCheck;
import dev.ctshift.report.ExplanationWriter;
import dev.ctshift.shift.ShiftConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ctshift batch}: many scans, models loaded once; resumable and shardable. */
@Command(
    name = "batch",
    header = "Explain every scan of a folder or manifest, models loaded once; resumable.",
    description = {
      "",
      "INPUT is a folder, searched recursively: each *.nii / *.nii.gz file and",
      "each DICOM series is one scan (non-image series and CT localizers are left",
      "out; other modalities fail as 'not CT'). Or a manifest: CSV whose header",
      "names path and optionally target and series_uid, or JSONL with those keys;",
      "relative paths are resolved against the manifest's folder. A target cell may",
      "name several outputs separated by ';' (a JSON array in JSONL), or say all or",
      "positive: they are explained in one run, as 'explain' does with several -t.",
      "",
      "Each scan gets the outputs of 'ctshift explain' in OUT/scans/<name>/, <name>",
      "being its relative path made safe plus a hash (stable across runs). A scan",
      "is done when its folder holds batch.json, written after all its outputs.",
      "OUT/summary.csv and .json (one row per scan and target: status, scores, lambda, time,",
      "memory, error) are replaced after every scan. A failed scan is recorded and",
      "the batch goes on. The same command run again skips done scans and redoes",
      "unfinished or failed ones, also after the process was killed.",
      ""
    },
    mixinStandardHelpOptions = true,
    sortOptions = false,
    subcommands = BatchCommand.Merge.class,
    footer = {
      "",
      "Sharding: --shard I/N (I counts from 1) takes the scans whose id (relative",
      "path, plus #series-uid and @target where given) has a SHA-256 equal to I-1",
      "modulo N, so the N shards never overlap. Each writes",
      "summary-shard-I-of-N.csv/.json; 'ctshift batch merge OUT...' joins them.",
      "",
      "Examples:",
      "  ctshift batch scans/ -o out -a models/phantom-ae -m models/phantom-classifier -t effusion",
      "  ctshift batch cases.csv -o out -m my-classifier --allow-failures",
      "  ctshift batch scans/ -o out --shard 2/4 --device gpu",
      "  ctshift batch merge out"
    })
public final class BatchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(index = "0", arity = "0..1", paramLabel = "INPUT",
      description = "Folder of scans (NIfTI files, DICOM series; recursive), or a manifest *.csv / *.jsonl.")
  Path input;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR",
      description = "Output folder (required): scans/<name>/ per scan and the summary files.")
  Path out;

  @Option(names = "--force", description = "Redo scans that are already done.")
  boolean force;

  @Option(names = "--allow-failures",
      description = "Exit with 0 even when some scans failed (they are still in the summary).")
  boolean allowFailures;

  @Option(names = "--shard", paramLabel = "I/N",
      description = "Do only shard I of N (1 <= I <= N), e.g. 1/4; see below.")
  String shard;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Recorded in the summary and each scan's batch.json. The engine is deterministic and"
          + " draws no random numbers today. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Mixin ExplainOptions explain;

  @Override
  public Integer call() throws CtShiftException {
    if (input == null) {
      throw new ParameterException(spec.commandLine(), "Missing INPUT: a folder of scans or a manifest"
          + " (*.csv, *.jsonl)");
    }
    if (out == null) {
      throw new ParameterException(spec.commandLine(), "Missing required option: --out=DIR");
    }
    Shard part = parseShard();
    ShiftConfig config = explain.shiftConfig();
    ExplanationWriter.Options output = explain.outputOptions();
    InputPolicy policy = explain.inputPolicy();
    OutputFolderCheck.problem(out.toString(), input).ifPresent(problem -> {
      throw new ParameterException(spec.commandLine(), problem);
    });
    explain.checkAgainstModel();
    if (Files.isDirectory(input)
        && out.toAbsolutePath().normalize().startsWith(input.toAbsolutePath().normalize())) {
      throw new ParameterException(spec.commandLine(), "--out " + out + " is inside the input folder " + input
          + ": its outputs would be read as scans; choose a folder outside it");
    }
    PrintWriter err = spec.commandLine().getErr();
    List<ScanJob> jobs = ScanPlanner.plan(input, s -> common.progress().accept(s));
    if (jobs.isEmpty() && Files.isRegularFile(input)) {
      throw new ParameterException(spec.commandLine(), "the manifest " + input + " lists no scans"
          + (fileSize(input) == 0 ? " (it is empty)" : "") + ": give a header naming path and one row per scan");
    }
    if (part != null) {
      int all = jobs.size();
      jobs = part.select(jobs);
      common.progress().accept("shard " + part + ": " + jobs.size() + " of " + all + " scans");
    }
    String commandLine = "ctshift " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    String fingerprint = "autoencoder=" + explain.autoencoderDir() + " model=" + explain.modelDir()
        + " target=" + explain.targets().spec() + " " + config + " " + output
        + (policy.equals(InputPolicy.DEFAULT) ? "" : " " + policy);
    var listener = new ProgressPrinter(err, System.console() != null, common.quiet, common.debug);
    Summary summary;
    try (ExplainerPool pool = new ExplainerPool(explain.autoencoderDir(), explain.modelDir(), explain.targets(),
        config, output, () -> TorchRuntime.start(common.device, common.notices()))) {
      BatchRunner runner = new BatchRunner(out, part, pool,
          new BatchRunner.Options(force, seed, commandLine, fingerprint, policy), listener);
      summary = runner.run(jobs);
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.printf("batch: %d scans: %d ok, %d failed, %d skipped-done (done before); summary in %s%n",
          jobs.size(), summary.count(Status.OK), summary.count(Status.FAILED), summary.count(Status.SKIPPED_DONE),
          out.resolve(runner.summaryStem() + ".csv"));
      stdout.flush();
    }
    return summary.count(Status.FAILED) > 0 && !allowFailures ? Main.EXIT_SCANS_FAILED : 0;
  }

  private static long fileSize(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  private Shard parseShard() {
    if (shard == null) {
      return null;
    }
    try {
      return Shard.parse(shard);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** {@code ctshift batch merge}: joins shard summaries. */
  @Command(
      name = "merge",
      header = "Join the summaries of the shards of a batch into summary.csv and summary.json.",
      description = {
        "",
        "Reads every summary-shard-I-of-N.json in the given folders (or the files",
        "given), writes one summary with one row per scan, and reports missing",
        "shards, scans without a row (a shard that did not finish) and scans that",
        "appear in more than one shard. Exit code 1 when something is missing or",
        "duplicated, 5 when some scans failed.",
        ""
      },
      mixinStandardHelpOptions = true)
  static final class Merge implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Folders holding shard summaries.")
    List<Path> dirs;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR",
        description = "Where to write summary.csv and summary.json. Default: the first DIR.")
    Path out;

    @Option(names = "--allow-failures", description = "Exit with 0 even when some scans failed.")
    boolean allowFailures;

    @Override
    public Integer call() throws CtShiftException {
      Path target = out != null ? out : dirs.get(0);
      SummaryMerger.Result r = SummaryMerger.merge(dirs, target,
          "ctshift batch merge " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
      Summary s = r.summary();
      PrintWriter err = spec.commandLine().getErr();
      if (!r.missingShards().isEmpty()) {
        err.println("ctshift: missing shard summaries: " + r.missingShards().stream().map(String::valueOf)
            .collect(Collectors.joining(", ")) + " (their scans are not in the merged summary)");
      }
      if (!r.missingScans().isEmpty()) {
        err.println("ctshift: " + r.missingScans().size() + " scan(s) planned but without a row (shard not"
            + " finished; rerun it): " + String.join(", ", r.missingScans()));
      }
      if (!r.duplicateScans().isEmpty()) {
        err.println("ctshift: " + r.duplicateScans().size() + " scan(s) in more than one shard summary"
            + " (kept one row each): " + String.join(", ", r.duplicateScans()));
      }
      err.flush();
      spec.commandLine().getOut().printf("merged %d shard summaries: %d scans: %d ok, %d failed, %d skipped-done;"
          + " summary in %s%n", r.files().size(), s.rows().size(), s.count(Status.OK), s.count(Status.FAILED),
          s.count(Status.SKIPPED_DONE), target.resolve("summary.csv"));
      spec.commandLine().getOut().flush();
      if (!r.complete()) {
        return Main.EXIT_FAILURE;
      }
      return s.count(Status.FAILED) > 0 && !allowFailures ? Main.EXIT_SCANS_FAILED : 0;
    }
  }
}
