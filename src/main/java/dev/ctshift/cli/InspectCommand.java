package dev.ctshift.cli;

import dev.ctshift.io.FileSignature;
import dev.ctshift.io.Scan;
import dev.ctshift.io.ScanReader;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.volume.Volume;
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
    header = "Show what a scan path holds: the series of a DICOM folder and which one ctshift would use,"
        + " or a NIfTI file's geometry.",
    description = {
      "",
      "Reads headers only: lists each series with modality, size, voxel spacing, orientation and",
      "transfer syntax, the series a command would read, and the files that were skipped and why.",
      "Exits with 3 if no usable CT series is found.",
      ""
    })
public final class InspectCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", description = "A DICOM folder (searched recursively), a DICOM file or a"
      + " NIfTI file.")
  Path path;

  @Option(names = "--series-uid", paramLabel = "UID",
      description = "The series to use; default: the CT series with the most images.")
  String seriesUid;

  @Option(names = "--debug", description = "Print stack traces of errors.")
  boolean debug;

  @Spec CommandSpec spec;

  private static void printNifti(PrintWriter out, Scan scan) {
    Volume v = scan.hu();
    double[] s = v.spacing();
    double[] o = v.origin();
    float[] r = v.range();
    out.printf(Locale.ROOT, "%s: %s%n", scan.source(), scan.description());
    out.printf(Locale.ROOT, "  size %dx%dx%d, spacing %.4gx%.4gx%.4g mm, orientation %s%n", v.nx(), v.ny(), v.nz(),
        s[0], s[1], s[2], v.orientation());
    out.printf(Locale.ROOT, "  origin (%.2f, %.2f, %.2f) mm RAS, values %.1f..%.1f%n", o[0], o[1], o[2], r[0], r[1]);
    out.flush();
  }

  @Override
  public Integer call() throws VolumeReadException {
    PrintWriter out = spec.commandLine().getOut();
    String format = "";
    if (java.nio.file.Files.isRegularFile(path)) {
      FileSignature signature = ScanReader.signature(path);
      if (signature.kind() != FileSignature.Kind.DICOM && signature.kind() != FileSignature.Kind.DICOM_NO_PREAMBLE) {
        List<String> notes = new ArrayList<>();
        printNifti(out, ScanReader.read(path, null, notes::add));
        notes.forEach(n -> out.println("  " + n.replace("NIfTI: ", "")));
        out.flush();
        return 0;
      }
      format = signature.description() + ", ";
    }
    DicomFolder folder = DicomScanner.scan(path);
    List<String> choice = new ArrayList<>();
    SeriesInfo chosen = null;
    VolumeReadException failure = null;
    try {
      chosen = folder.choose(seriesUid, choice::add);
    } catch (VolumeReadException e) {
      failure = e;
    }
    out.printf(Locale.ROOT, "%s: %s%d series, %d files skipped%n", path, format, folder.series().size(),
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
