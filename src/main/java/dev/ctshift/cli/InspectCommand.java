package dev.ctshift.cli;

import dev.ctshift.io.VolumeReadException;
import dev.ctshift.io.dicom.DicomFolder;
import dev.ctshift.io.dicom.DicomScanner;
import dev.ctshift.io.dicom.SeriesInfo;
import dev.ctshift.io.dicom.SkippedFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ctshift inspect PATH}: lists the DICOM series under a folder or in a file (modality, size,
 * spacing, orientation, transfer syntax), says which series would be used and why others or files
 * were skipped. Reads headers only.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    header = "Show the series in a DICOM folder or file and which one ctshift would use.",
    description = {
      "",
      "Reads headers only: lists each series with modality, size, voxel spacing, orientation and",
      "transfer syntax, the series a command would read, and the files that were skipped and why.",
      "Exits with 3 if no usable CT series is found.",
      ""
    })
public final class InspectCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", description = "A DICOM folder (searched recursively) or file.")
  Path path;

  @Option(names = "--series-uid", paramLabel = "UID",
      description = "The series to use; default: the CT series with the most images.")
  String seriesUid;

  @Option(names = "--debug", description = "Print stack traces of errors.")
  boolean debug;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws VolumeReadException {
    PrintWriter out = spec.commandLine().getOut();
    DicomFolder folder = DicomScanner.scan(path);
    List<String> choice = new ArrayList<>();
    SeriesInfo chosen = null;
    VolumeReadException failure = null;
    try {
      chosen = folder.choose(seriesUid, choice::add);
    } catch (VolumeReadException e) {
      failure = e;
    }
    out.printf(Locale.ROOT, "%s: %d series, %d files skipped%n", path, folder.series().size(),
        folder.skipped().size());
    for (SeriesInfo s : folder.series()) {
      print(out, s, s == chosen);
    }
    if (!folder.skipped().isEmpty()) {
      out.println("skipped files:");
      for (SkippedFile f : folder.skipped()) {
        out.println("  " + f);
      }
    }
    // The choice lines say which series and why; skipped files and warnings are printed above.
    choice.stream().filter(l -> l.contains("using series")).forEach(l -> out.println(l.replace("DICOM: ", "")));
    out.flush();
    if (failure != null) {
      throw failure;
    }
    return 0;
  }

  private static void print(PrintWriter out, SeriesInfo s, boolean used) {
    String mark = used ? "  [used]" : s.notCandidateReason().map(r -> "  [not used: " + r + "]").orElse("");
    out.println("series " + s.label() + mark);
    out.printf(Locale.ROOT, "  modality %s, '%s', %d images in %d files, %d x %d pixels%n",
        s.modality(), s.description(), s.imageCount(), s.fileCount(), s.columns(), s.rows());
    s.spacingMm().ifPresent(sp -> out.printf(Locale.ROOT,
        "  volume %d x %d x %d, spacing %.3f x %.3f x %.3f mm, orientation %s%n", s.columns(),
        s.rows(), s.sliceCount(), sp[0], sp[1], sp[2], s.orientation().orElse("?")));
    out.println("  transfer syntax " + String.join(", ", s.transferSyntaxes()));
    s.warnings().forEach(w -> out.println("  warning: " + w));
    s.problem().ifPresent(p -> out.println("  problem: " + p));
  }
}
