package dev.ctshift.cli;

import dev.ctshift.shift.ShiftConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Case-insensitive, hyphen-friendly enum options ("soft-tissue" ↔ SOFT_TISSUE) with clear errors. */
final class EnumConverters {
  private EnumConverters() {}

  static <E extends Enum<E>> E parse(Class<E> type, String value) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "' is not one of " + names(type));
    }
  }

  static <E extends Enum<E>> List<String> names(Class<E> type) {
    List<String> n = new ArrayList<>();
    for (E c : type.getEnumConstants()) {
      n.add(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    return n;
  }

  static final class Direction implements ITypeConverter<ShiftConfig.Direction> {
    @Override
    public ShiftConfig.Direction convert(String value) {
      return parse(ShiftConfig.Direction.class, value);
    }
  }

  static final class DirectionNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return names(ShiftConfig.Direction.class).iterator();
    }
  }

  static final class Composition implements ITypeConverter<ShiftConfig.Composition> {
    @Override
    public ShiftConfig.Composition convert(String value) {
      return parse(ShiftConfig.Composition.class, value);
    }
  }

  static final class Search implements ITypeConverter<ShiftConfig.Search> {
    @Override
    public ShiftConfig.Search convert(String value) {
      return parse(ShiftConfig.Search.class, value);
    }
  }

  static final class Heatmap implements ITypeConverter<ShiftConfig.Heatmap> {
    @Override
    public ShiftConfig.Heatmap convert(String value) {
      return parse(ShiftConfig.Heatmap.class, value);
    }
  }
}
