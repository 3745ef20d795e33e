package dev.lodestone.infra.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Reports a bad option, argument or input file as one line on stderr, naming the command, and exits
 * with picocli's invalid-input code (2). Commands throw {@link CommandLine.ParameterException} for
 * bad input they detect themselves, so every user error reads the same.
 */
final class OneLineErrors implements CommandLine.IParameterExceptionHandler {

  @Override
  public int handleParseException(CommandLine.ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    String message = ex.getMessage() == null ? ex.toString() : ex.getMessage();
    err.println(
        cmd.getCommandSpec().qualifiedName() + ": " + message.replaceAll("\\s*\\R\\s*", " "));
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }
}
