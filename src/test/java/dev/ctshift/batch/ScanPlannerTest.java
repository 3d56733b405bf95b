package dev.ctshift.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.io.VolumeReadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the planner finds in folders and manifests. */
class ScanPlannerTest {
  static final Path DICOM = Path.of("src", "test", "resources", "dicom");
  @TempDir Path dir;

  static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  @Test
  void folderGivesNiftiFilesAndOneScanPerDicomSeries() throws Exception {
    Files.createDirectories(dir.resolve("a/b"));
    Files.writeString(dir.resolve("a/b/x.nii.gz"), "not read while planning");
    Files.writeString(dir.resolve("y.NII"), "");
    Files.writeString(dir.resolve("notes.txt"), "");
    Files.createDirectories(dir.resolve(".hidden"));
    Files.writeString(dir.resolve(".hidden/z.nii"), "");
    copyTree(DICOM.resolve("two-series"), dir.resolve("study"));
    List<String> notices = new ArrayList<>();
    List<ScanJob> jobs = ScanPlanner.plan(dir, notices::add);
    List<String> inputs = jobs.stream().map(ScanJob::input).toList();
    // two-series holds a 5-slice CT, a 3-slice CT and a 2-image MR series in one folder.
    assertEquals(List.of("a/b/x.nii.gz", "study", "study", "study", "y.NII"), inputs);
    assertEquals(3, jobs.stream().filter(j -> j.seriesUid() != null).map(ScanJob::seriesUid).distinct().count());
    assertEquals(dir.resolve("study"), jobs.get(1).path());
    assertNull(jobs.get(0).seriesUid());
    assertTrue(notices.stream().anyMatch(n -> n.contains("notes.txt")), notices.toString());
    assertEquals(jobs.size(), jobs.stream().map(ScanJob::name).distinct().count());
  }

  @Test
  void csvManifestResolvesAgainstItsFolder() throws Exception {
    Files.createDirectories(dir.resolve("m"));
    Path csv = dir.resolve("m/list.csv");
    Files.writeString(csv, "# cases\ntarget,path,series_uid\n"
        + "effusion,\"scans/a, b.nii.gz\",\n"
        + ",scans/a.nii.gz,\n"
        + "nodule,/abs/c,1.2.3\n");
    List<ScanJob> jobs = ScanPlanner.plan(csv, s -> { });
    assertEquals(3, jobs.size());
    ScanJob comma = jobs.stream().filter(j -> j.input().equals("scans/a, b.nii.gz")).findFirst().orElseThrow();
    assertEquals("effusion", comma.target());
    assertEquals(dir.resolve("m/scans/a, b.nii.gz").toAbsolutePath().normalize(), comma.path());
    ScanJob plain = jobs.stream().filter(j -> j.input().equals("scans/a.nii.gz")).findFirst().orElseThrow();
    assertNull(plain.target());
    ScanJob abs = jobs.stream().filter(j -> j.input().equals("/abs/c")).findFirst().orElseThrow();
    assertEquals(Path.of("/abs/c"), abs.path());
    assertEquals("1.2.3", abs.seriesUid());
    assertEquals("/abs/c#1.2.3@nodule", abs.id());
  }

  @Test
  void jsonlManifestHasTheSameKeys() throws Exception {
    Path jsonl = dir.resolve("list.jsonl");
    Files.writeString(jsonl, "{\"path\": \"a.nii\", \"target\": \"finding_b\"}\n\n{\"path\": \"d\", \"series_uid\": \"9\"}\n");
    List<ScanJob> jobs = ScanPlanner.plan(jsonl, s -> { });
    assertEquals(List.of("a.nii@finding_b", "d#9"), jobs.stream().map(ScanJob::id).toList());
  }

  @Test
  void badManifestsNameFileAndLine() throws Exception {
    Path unknown = dir.resolve("u.csv");
    Files.writeString(unknown, "path,label\nx.nii,1\n");
    VolumeReadException e = assertThrows(VolumeReadException.class, () -> ScanPlanner.plan(unknown, s -> { }));
    assertTrue(e.getMessage().contains("u.csv:1") && e.getMessage().contains("label"), e.getMessage());

    Path twice = dir.resolve("t.jsonl");
    Files.writeString(twice, "{\"path\": \"x.nii\"}\n{\"path\": \"x.nii\"}\n");
    e = assertThrows(VolumeReadException.class, () -> ScanPlanner.plan(twice, s -> { }));
    assertTrue(e.getMessage().contains("t.jsonl:2") && e.getMessage().contains("line 1"), e.getMessage());

    Path cells = dir.resolve("c.csv");
    Files.writeString(cells, "path,target\nx.nii\n");
    e = assertThrows(VolumeReadException.class, () -> ScanPlanner.plan(cells, s -> { }));
    assertTrue(e.getMessage().contains("c.csv:2"), e.getMessage());

    Path other = dir.resolve("scan.nii.gz");
    Files.writeString(other, "");
    e = assertThrows(VolumeReadException.class, () -> ScanPlanner.plan(other, s -> { }));
    assertTrue(e.getMessage().contains("explain"), e.getMessage());
  }
}
