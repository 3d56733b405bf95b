package dev.ctshift.cli;

import dev.ctshift.shift.ExplanationMethod;
import java.util.Iterator;
import picocli.CommandLine.ITypeConverter;

/** {@code --method NAME}: a named {@link ExplanationMethod} preset. */
final class MethodConverter implements ITypeConverter<ExplanationMethod> {
  @Override
  public ExplanationMethod convert(String value) {
    return EnumConverters.parse(ExplanationMethod.class, value);
  }

  /** The preset names, for {@code ${COMPLETION-CANDIDATES}}. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return EnumConverters.names(ExplanationMethod.class).iterator();
    }
  }
}
