package dev.ctshift.batch;

import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.FileTrees;
import dev.ctshift.engine.ProcessMemory;
import dev.ctshift.io.Scan;
import dev.ctshift.io.ScanReader;
import dev.ctshift.io.sanity.InputPolicy;
import dev.ctshift.io.sanity.ScanCheck;
import dev.ctshift.pipeline.OutOfMemory;
import dev.ctshift.pipeline.TargetSelection;
import dev.ctshift.report.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs a batch: explains every job into {@code OUT/scans/<name>/} with models loaded once, one scan's
 * failure never stopping the others, and rewrites the summary after every scan.
 *
 * <p>Resuming: a scan whose folder is done ({@code batch.json} present, see the package documentation)
 * is skipped and its row rebuilt from its files, unless {@code force}; any other folder of a planned
 * scan is a leftover of an interrupted or failed run and is removed before the scan is redone. Staging
 * folders of killed runs live inside those folders and go with them. One run at a time may write a
 * given summary: a lock file {@code OUT/.<summary stem>.lock} (released by the OS when a process dies)
 * enforces it.
 *
 * <pre>{@code
 * try (ExplainerPool pool = new ExplainerPool(ae, model, TargetSelection.named(List.of()), config, output,
 *     () -> runtime)) {
 *   Summary s = new BatchRunner(out, null, pool, new BatchRunner.Options(false, 0, "ctshift batch ...",
 *       config.toString()), listener).run(ScanPlanner.plan(input, System.err::println));
 * }
 * }</pre>
 */
public final class BatchRunner {
  /** Folder under OUT holding one folder per scan. */
  public static final String SCANS = "scans";

  /**
   * @param force redo scans that are done
   * @param seed recorded in every scan's batch.json and in the summary (the engine is deterministic)
   * @param commandLine recorded in reports and the summary
   * @param fingerprint the explanation options; a done scan made with others is reported, not redone
   * @param inputPolicy how scan values are taken (checked as HU, assumed HU, rescaled; --strict)
   */
  public record Options(boolean force, long seed, String commandLine, String fingerprint, InputPolicy inputPolicy) {
    /** Options with scans checked as HU ({@link InputPolicy#DEFAULT}). */
    public Options(boolean force, long seed, String commandLine, String fingerprint) {
      this(force, seed, commandLine, fingerprint, InputPolicy.DEFAULT);
    }
  }

  private final Path outDir;
  private final Shard shard;
  private final ExplainerPool pool;
  private final Options options;
  private final BatchListener listener;

  /** @param shard the shard this run does, or null for the whole batch */
  public BatchRunner(Path outDir, Shard shard, ExplainerPool pool, Options options, BatchListener listener) {
    this.outDir = outDir;
    this.shard = shard;
    this.pool = pool;
    this.options = options;
    this.listener = listener;
  }

  /** File name stem of the summary this run writes: {@code summary} or {@code summary-shard-I-of-N}. */
  public String summaryStem() {
    return shard == null ? "summary" : shard.summaryStem();
  }

  /**
   * Runs {@code jobs} (already restricted to this run's shard).
   *
   * @return the final summary
   * @throws CtShiftException if the output folder cannot be written or locked, or the engine or models
   *     cannot be loaded at all; failures of single scans are rows of the summary instead
   */
  public Summary run(List<ScanJob> jobs) throws CtShiftException {
    try {
      Files.createDirectories(outDir.resolve(SCANS));
    } catch (IOException e) {
      throw new CtShiftException(outDir + ": cannot create the output folder: " + e.getMessage(), e);
    }
    Path lockFile = outDir.resolve("." + summaryStem() + ".lock");
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = tryLock(channel, lockFile)) {
      return runLocked(jobs);
    } catch (IOException e) {
      throw new CtShiftException(lockFile + ": cannot lock: " + e.getMessage(), e);
    }
  }

  private FileLock tryLock(FileChannel channel, Path lockFile) throws IOException, CtShiftException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw new CtShiftException(outDir + ": another ctshift batch is writing " + summaryStem()
          + " here (it holds " + lockFile.getFileName() + "); wait for it to end or use another --out");
    }
    return lock;
  }

  private Summary runLocked(List<ScanJob> jobs) throws CtShiftException {
    try {
      Trees.removeTemporaries(outDir.resolve(summaryStem() + ".csv"));
      Trees.removeTemporaries(outDir.resolve(summaryStem() + ".json"));
    } catch (IOException e) {
      throw new CtShiftException(outDir + ": cannot clean up: " + e.getMessage(), e);
    }
    Set<String> failedBefore = failedBefore();
    Map<String, List<SummaryRow>> rows = new LinkedHashMap<>();
    List<ScanJob> toDo = new ArrayList<>();
    int redo = 0;
    int otherOptions = 0;
    for (ScanJob job : jobs) {
      ScanFolder folder = folder(job);
      if (!options.force() && folder.isDone()) {
        var row = folder.rows(output(job), Status.SKIPPED_DONE);
        if (row.isPresent()) {
          rows.put(job.name(), row.get());
          if (!folder.options().map(options.fingerprint()::equals).orElse(true)) {
            otherOptions++;
          }
          continue;
        }
      }
      if (Files.exists(folder.dir()) || failedBefore.contains(job.name())) {
        redo++;
      }
      toDo.add(job);
    }
    listener.started(jobs.size(), rows.size(), redo);
    if (otherOptions > 0) {
      listener.detail(otherOptions + " finished scan(s) were made with other explanation options;"
          + " they are kept (use --force to redo them)");
    }
    List<String> planned = jobs.stream().map(ScanJob::name).toList();
    Summary summary = summary(jobs, planned, rows);
    if (!toDo.isEmpty()) {
      pool.defaultExplainer(); // engine and models: a failure here is fatal for the whole batch
    }
    for (int i = 0; i < toDo.size(); i++) {
      ScanJob job = toDo.get(i);
      listener.scanStarted(job, i + 1, toDo.size());
      Outcome outcome = explain(job);
      rows.put(job.name(), outcome.rows());
      summary = summary(jobs, planned, rows);
      listener.scanFinished(outcome.rows(), outcome.failure());
    }
    listener.finished(summary);
    return summary;
  }

  private Set<String> failedBefore() {
    Path previous = outDir.resolve(summaryStem() + ".json");
    Set<String> names = new HashSet<>();
    if (Files.isRegularFile(previous)) {
      try {
        Summary.read(previous).rows().stream().filter(r -> r.status() == Status.FAILED)
            .forEach(r -> names.add(r.name()));
      } catch (CtShiftException e) {
        listener.detail("ignoring the previous summary: " + e.getMessage());
      }
    }
    return names;
  }

  /** Writes the summary of the rows so far, in plan order. */
  private Summary summary(List<ScanJob> jobs, List<String> planned, Map<String, List<SummaryRow>> rows)
      throws CtShiftException {
    List<SummaryRow> ordered = new ArrayList<>();
    for (ScanJob j : jobs) {
      List<SummaryRow> r = rows.get(j.name());
      if (r != null) {
        ordered.addAll(r);
      }
    }
    Summary s = new Summary(shard, options.seed(), options.commandLine(), planned, ordered);
    s.write(outDir, summaryStem());
    return s;
  }

  /** A scan's rows (one per target) and, if it failed, why. */
  private record Outcome(List<SummaryRow> rows, Throwable failure) {}

  private Outcome explain(ScanJob job) throws CtShiftException {
    ScanFolder folder = folder(job);
    remove(folder);
    ProcessMemory.resetPeak();
    long started = System.nanoTime();
    List<String> notices = new ArrayList<>();
    TargetSelection targets = job.target() != null ? TargetSelection.parse(job.target()) : pool.defaultTargets();
    try {
      Consumer<String> notice = line -> {
        notices.add(line);
        listener.detail(line);
      };
      Scan scan = ScanCheck.check(ScanReader.read(job.path(), job.seriesUid(), options.inputPolicy().allowedModalities(), notice),
          options.inputPolicy(),
          notice);
      if (targets.isSingle()) {
        pool.explainer(targets.single()).explain(scan, folder.dir(), options.commandLine(), listener::detail,
            options.inputPolicy(), notice);
      } else {
        pool.multiExplainer(targets).explain(scan, folder.dir(), options.commandLine(), listener::detail,
            options.inputPolicy(), notice);
      }
      folder.finish(marker(job, seconds(started), notices));
      return new Outcome(folder.rows(output(job), Status.OK).orElseThrow(
          () -> new CtShiftException(folder.dir() + ": outputs written but not readable back")), null);
    } catch (Exception | OutOfMemoryError e) {
      double seconds = seconds(started);
      remove(folder);
      String target = !targets.isSingle() ? targets.spec()
          : targets.single() != null ? targets.single() : pool.defaultExplainer().objective().name();
      return new Outcome(List.of(new SummaryRow(job.input(), job.seriesUid(), output(job), Status.FAILED, target,
          null, null, null, null, null, Json.round(seconds), Json.round(ProcessMemory.peakRssMiB()), reason(e))), e);
    }
  }

  private JsonObject marker(ScanJob job, double seconds, List<String> notices) {
    JsonObject m = new JsonObject();
    m.addProperty("input", job.input());
    m.addProperty("series_uid", job.seriesUid());
    m.addProperty("path", job.path().toString());
    m.addProperty("seconds", Json.round(seconds));
    m.addProperty("peak_rss_mib", Json.round(ProcessMemory.peakRssMiB()));
    m.addProperty("seed", options.seed());
    m.addProperty("options", options.fingerprint());
    m.addProperty("command_line", options.commandLine());
    m.addProperty("finished", Instant.now().toString());
    m.add("notices", Json.array(notices));
    return m;
  }

  static String reason(Throwable e) {
    if (e instanceof OutOfMemoryError oom) {
      return OutOfMemory.advice(oom);
    }
    String m = e.getMessage() == null ? "" : e.getMessage().strip();
    return e instanceof CtShiftException ? m : e.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
  }

  private void remove(ScanFolder folder) throws CtShiftException {
    try {
      FileTrees.delete(folder.dir());
    } catch (IOException e) {
      throw new CtShiftException(folder.dir() + ": cannot remove the unfinished outputs: " + e.getMessage(), e);
    }
  }

  private ScanFolder folder(ScanJob job) {
    return new ScanFolder(outDir.resolve(SCANS).resolve(job.name()));
  }

  private static String output(ScanJob job) {
    return SCANS + "/" + job.name();
  }

  private static double seconds(long started) {
    return (System.nanoTime() - started) / 1e9;
  }
}
