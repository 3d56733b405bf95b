package dev.ctshift;

/** The tool's version, as reports record it: read from the jar manifest, "dev" when run from classes. */
public final class Version {
  private Version() {}

  /** The version of this build. */
  public static String current() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
