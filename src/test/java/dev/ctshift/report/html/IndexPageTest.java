package dev.ctshift.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index page's HTML: escaping, failures, sort keys and the reload while a run goes on. */
class IndexPageTest {
  @TempDir Path dir;

  @Test
  void escapesTextMarksFailuresAndReloadsOnlyWhileRunning() throws Exception {
    List<IndexPage.Column> columns = List.of(new IndexPage.Column("scan", false), new IndexPage.Column("score", true));
    List<IndexPage.Row> rows = List.of(
        new IndexPage.Row(Arrays.asList("a<b>.nii.gz", 0.123456789), "scans/a/report.html", null, false, null),
        new IndexPage.Row(Arrays.asList("broken.nii.gz", null), null, null, true, "not a NIfTI file: \"x\" & <y>"));
    Path file = dir.resolve(IndexPage.FILE);
    IndexPage.write(file, "batch <1>", List.of("2 scans"), columns, rows, true);
    String html = Files.readString(file);
    assertTrue(html.contains("http-equiv=\"refresh\""), "reloads while running");
    assertTrue(html.contains("<title>batch &lt;1&gt;</title>"));
    assertTrue(html.contains("<a href=\"scans/a/report.html\">a&lt;b&gt;.nii.gz</a>"), html);
    assertTrue(html.contains("data-sort=\"0.123456789\">0.1235<"), "sorted by the full value, shown short");
    assertTrue(html.contains("<tr class=\"failed\">"));
    assertTrue(html.contains("not a NIfTI file: &quot;x&quot; &amp; &lt;y&gt;"), "the error, escaped");
    assertFalse(html.contains("<y>"));
    assertEquals(0, Files.list(dir).filter(p -> p.getFileName().toString().endsWith(".tmp")).count());

    IndexPage.write(file, "batch", List.of(), columns, rows, false);
    assertFalse(Files.readString(file).contains("http-equiv=\"refresh\""), "a finished run's page stays put");
  }

  @Test
  void indexFileNameFollowsTheSummaryStem() {
    assertEquals("index.html", BatchIndex.fileName("summary"));
    assertEquals("index-shard-2-of-3.html", BatchIndex.fileName("summary-shard-2-of-3"));
  }
}
