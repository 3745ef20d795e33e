package dev.lodestone.infra.cli;

import dev.lodestone.infra.bench.BenchCommand;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lodestone} command line: one entry point, a subcommand per component or task
 * (docs/design.md, "The command line"). This class is the only place in Lodestone that calls {@code
 * System.exit}.
 */
@Command(
    name = "lodestone",
    mixinStandardHelpOptions = true,
    versionProvider = Lodestone.Version.class,
    description = "Event-streaming online RLHF with Magnetic Preference Optimization.",
    subcommandsRepeatable = false)
public final class Lodestone implements Runnable {

  /** The subcommands, in the order {@code --help} lists them. */
  static List<Object> subcommands() {
    return List.of(
        new UpCommand(), // lodestone up: the local stack
        new NodeCommand(), // lodestone node: one node of a three-node stack in its own process
        new RunCommand(), // lodestone run: the whole pipeline on a task
        new SamplerCommand(), // lodestone sampler: one sampler against a cluster
        new JudgeCommand(), // lodestone judge: a judge (game oracle or LLM) and the label join
        new FeedbackCommand(), // lodestone feedback: the human judge's page and API
        new OracleChatCommand(), // lodestone oracle-chat: the game oracle as a chat API
        new LearnerCommand(), // lodestone learner: the learner against a cluster
        new ExportCommand(), // lodestone export: a topic's records to a file
        new ExportModelCommand(), // lodestone export-model: a policy version as a HF directory
        new ImportCommand(), // lodestone import: an exported log back into a topic
        new ImportTrlCommand(), // lodestone import-trl: a TRL preference dataset
        new ReplayCommand(), // lodestone replay: a fresh learner on a recorded log
        new RelabelCommand(), // lodestone relabel: recorded samples judged again
        new SolveCommand(), // lodestone solve: tabular solvers on a preference game
        new ModelCommand(), // lodestone model ...: inside a Hugging Face checkpoint
        new BenchCommand()); // lodestone bench ...: measured benchmarks
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command line with every subcommand registered. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Lodestone());
    cli.setParameterExceptionHandler(new OneLineErrors());
    for (Object sub : subcommands()) {
      cli.addSubcommand(sub);
    }
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** Reports the version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Lodestone.class.getPackage().getImplementationVersion();
      return new String[] {"lodestone " + (v == null ? "(development build)" : v)};
    }
  }
}
