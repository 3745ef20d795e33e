package dev.lodestone.infra.cli;

import dev.lodestone.judge.LabelMode;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;

/** {@code --labels exact|sampled}. */
public final class LabelModeConverter implements ITypeConverter<LabelMode> {
  @Override
  public LabelMode convert(String value) {
    try {
      return LabelMode.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
