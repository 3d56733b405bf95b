package dev.ctshift.testing;

import dev.ctshift.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code ctshift} command line in-process, as a user would, capturing what it prints. */
public final class Cli {
  private Cli() {}

  /** Exit code, stdout and stderr of one run. */
  public record Run(int code, String out, String err) {}

  public static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }
}
