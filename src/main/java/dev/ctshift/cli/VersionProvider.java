package dev.ctshift.cli;

import picocli.CommandLine.IVersionProvider;

/** Reads the version from the jar manifest (falls back to "dev" when run from classes). */
public final class VersionProvider implements IVersionProvider {
  /** The tool version, as written into reports. */
  public static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"ctshift " + version(), "Java " + System.getProperty("java.version")};
  }
}
