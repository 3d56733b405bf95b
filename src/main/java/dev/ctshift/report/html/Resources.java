package dev.ctshift.report.html;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The page templates, scripts and styles shipped as resources of this package. */
final class Resources {
  private static final Pattern SLOT = Pattern.compile("\\{\\{([A-Z]+)}}");

  private Resources() {}

  /** The text of resource {@code name} of this package. */
  static String text(String name) {
    try (InputStream in = Resources.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " missing from the ctshift jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Template {@code template} with {@code {{STYLE}}} and {@code {{SCRIPT}}} replaced by the text of
   * resources {@code style} and {@code script}, and every other {@code {{NAME}}} by {@code slots.get(NAME)},
   * in one pass (inserted text is never searched for slots).
   *
   * @throws IllegalStateException if the template has a slot no value is given for
   */
  static String page(String template, String style, String script, Map<String, String> slots) {
    String text = text(template);
    Matcher m = SLOT.matcher(text);
    // Values are appended as they are: a report's data run to megabytes, which a regex replacement
    // would quote and then scan character by character.
    StringBuilder out = new StringBuilder(text.length() + slots.values().stream().mapToInt(String::length).sum());
    int end = 0;
    while (m.find()) {
      String name = m.group(1);
      String value = name.equals("STYLE") ? text(style) : name.equals("SCRIPT") ? text(script) : slots.get(name);
      if (value == null) {
        throw new IllegalStateException("no value for slot " + m.group() + " of " + template);
      }
      out.append(text, end, m.start()).append(value);
      end = m.end();
    }
    out.append(text, end, text.length());
    return out.toString();
  }

  /** Text safe as HTML element content or a quoted attribute value. */
  static String escapeHtml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
