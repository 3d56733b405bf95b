package dev.ctshift.cli;

import dev.ctshift.Version;
import picocli.CommandLine.IVersionProvider;

/** What {@code --version} prints: the tool's version and the Java it runs on. */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"ctshift " + Version.current(), "Java " + System.getProperty("java.version")};
  }
}
