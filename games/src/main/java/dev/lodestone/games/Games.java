package dev.lodestone.games;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in games and the game specification parser.
 *
 * <p>A specification is one of:
 *
 * <ul>
 *   <li>{@code rps}: rock-paper-scissors, Nash (1/3, 1/3, 1/3);
 *   <li>{@code perturbed-rps}: the game of docs/design.md, "Games", Nash exactly (1/7, 3/7, 3/7);
 *   <li>{@code shared-prefix}: perturbed rock-paper-scissors played with one of three manners
 *       ({@code slow}, {@code soft}, {@code sure}), which decide between equal moves; nine
 *       strategies that share prefixes, so that a decision spans several tokens;
 *   <li>{@code condorcet}: three voters with cyclic rankings of three candidates; a candidate is
 *       preferred over another with the share of voters who rank it higher (2/3 around the cycle),
 *       Nash (1/3, 1/3, 1/3);
 *   <li>{@code random:N:SEED}: an intransitive random game with N strategies (see {@link
 *       #random(int, long)});
 *   <li>{@code game:PATH}: a JSON game file (see {@link GameFile}).
 * </ul>
 *
 * <p>Every built-in has a prompt and a skewed {@code initial} distribution far from its Nash
 * equilibrium, and strategy strings a small byte-level language model can learn: short, ASCII, with
 * distinct first characters.
 */
public final class Games {

  /** Smallest N of {@code random:N:SEED} (with two strategies one always beats the other). */
  public static final int RANDOM_MIN_SIZE = 3;

  /** Largest N of {@code random:N:SEED}. */
  public static final int RANDOM_MAX_SIZE = 1000;

  private static final String EXPECTED =
      "expected rps, perturbed-rps, shared-prefix, condorcet, random:N:SEED or game:PATH";

  private Games() {}

  /**
   * Resolves a game specification.
   *
   * @throws InvalidGameException with a one-line message for an unknown name, a bad N or SEED, a
   *     missing or unreadable file, malformed JSON, or an invalid game
   */
  public static PreferenceGame parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new InvalidGameException("no game given: " + EXPECTED);
    }
    String s = spec.strip();
    switch (s) {
      case "rps":
        return rps();
      case "perturbed-rps":
        return perturbedRps();
      case "condorcet":
        return condorcet();
      case "shared-prefix":
        return sharedPrefix();
      default:
        break;
    }
    if (s.startsWith("game:")) {
      String path = s.substring("game:".length());
      if (path.isBlank()) {
        throw new InvalidGameException("game:PATH needs a path, got '" + spec + "'");
      }
      return GameFile.read(Path.of(path));
    }
    if (s.startsWith("random:")) {
      String[] parts = s.split(":", -1);
      if (parts.length != 3) {
        throw new InvalidGameException(
            "random game '" + spec + "' must be random:N:SEED, for example random:10:1");
      }
      int n;
      try {
        n = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        throw new InvalidGameException(
            "random game '" + spec + "': N = '" + parts[1] + "' is not an integer");
      }
      long seed;
      try {
        seed = Long.parseLong(parts[2]);
      } catch (NumberFormatException e) {
        throw new InvalidGameException(
            "random game '" + spec + "': SEED = '" + parts[2] + "' is not an integer");
      }
      return random(n, seed);
    }
    throw new InvalidGameException("unknown game '" + spec + "': " + EXPECTED);
  }

  /** Rock-paper-scissors: each move beats one other for sure. Nash (1/3, 1/3, 1/3). */
  public static PreferenceGame rps() {
    return new PreferenceGame(
        "rps",
        "Choose your move: rock, paper or scissors.",
        List.of("rock", "paper", "scissors"),
        new double[][] {
          {0.5, 0.0, 1.0},
          {1.0, 0.5, 0.0},
          {0.0, 1.0, 0.5}
        },
        new double[] {0.7, 0.2, 0.1});
  }

  /**
   * The perturbed rock-paper-scissors of docs/design.md: paper beats scissors only 1/3 of the time.
   * Nash exactly (1/7, 3/7, 3/7); initial (0.7, 0.2, 0.1).
   */
  public static PreferenceGame perturbedRps() {
    return new PreferenceGame(
        "perturbed-rps",
        "Choose your move.",
        List.of("rock", "paper", "scissors"),
        new double[][] {
          {0.5, 0.0, 1.0},
          {1.0, 0.5, 1.0 / 3.0},
          {0.0, 2.0 / 3.0, 0.5}
        },
        new double[] {0.7, 0.2, 0.1});
  }

  /** The manners of {@link #sharedPrefix()}. */
  private static final List<String> MANNERS = List.of("slow", "soft", "sure");

  /**
   * Perturbed rock-paper-scissors played in one of three manners, nine strategies {@code "MOVE
   * MANNER"} ({@code rock slow}, {@code rock soft}, ..., {@code scissors sure}): strategies share
   * their move and the manners share their first letter, so a decision is taken at the first
   * character and again at the second letter of the manner, several tokens later, and a response is
   * 9 to 13 characters long. Different moves play {@link #perturbedRps()}; equal moves are decided
   * by the manners' cycle, slow over soft, soft over sure and sure over slow each with probability
   * 2/3. Against a mix whose manners are uniform every manner of a move scores the same, so the
   * Nash equilibrium is the product of perturbed-rps's (1/7, 3/7, 3/7) and the uniform manners.
   * Initial: the product of (0.7, 0.2, 0.1) and (0.6, 0.3, 0.1).
   */
  public static PreferenceGame sharedPrefix() {
    PreferenceGame moves = perturbedRps();
    double w = 2.0 / 3.0;
    double[][] manners = {{0.5, w, 1 - w}, {1 - w, 0.5, w}, {w, 1 - w, 0.5}};
    double[] moveStart = {0.7, 0.2, 0.1};
    double[] mannerStart = {0.6, 0.3, 0.1};
    int n = 9;
    List<String> names = new ArrayList<>(n);
    double[][] p = new double[n][n];
    double[] initial = new double[n];
    for (int a = 0; a < n; a++) {
      int moveA = a / 3;
      int mannerA = a % 3;
      names.add(moves.strategies().get(moveA) + " " + MANNERS.get(mannerA));
      initial[a] = moveStart[moveA] * mannerStart[mannerA];
      for (int b = 0; b < n; b++) {
        int moveB = b / 3;
        p[a][b] = moveA != moveB ? moves.preference(moveA, moveB) : manners[mannerA][b % 3];
      }
    }
    return new PreferenceGame(
        "shared-prefix", "Choose your move and its manner.", names, p, initial);
  }

  /**
   * A three-voter majority cycle. Voters rank the candidates alice &gt; bob &gt; carol, bob &gt;
   * carol &gt; alice and carol &gt; alice &gt; bob; a candidate is preferred over another with the
   * share of voters that rank it higher: alice over bob, bob over carol and carol over alice each
   * with probability 2/3. Nash (1/3, 1/3, 1/3).
   */
  public static PreferenceGame condorcet() {
    double w = 2.0 / 3.0;
    double l = 1.0 / 3.0;
    return new PreferenceGame(
        "condorcet",
        "Vote for one candidate: alice, bob or carol.",
        List.of("alice", "bob", "carol"),
        new double[][] {
          {0.5, w, l},
          {l, 0.5, w},
          {w, l, 0.5}
        },
        new double[] {0.1, 0.2, 0.7});
  }

  /**
   * A reproducible intransitive random game, {@code random:N:SEED}.
   *
   * <p>Generator: a SplitMix64 stream seeded with SEED (state += 0x9E3779B97F4A7C15, then the
   * standard mix), each 64-bit output turned into a uniform u in [0, 1) from its top 53 bits. The
   * upper triangle is filled row by row ({@code i < j}) with {@code P[i][j] = u}, {@code P[j][i] =
   * 1 - u}, diagonal 1/2. A matrix in which one strategy is preferred over every other with
   * probability above 1/2 (a Condorcet winner, hence a pure Nash equilibrium) is rejected and the
   * next matrix is drawn from the same stream, so every accepted game has only mixed equilibria:
   * each strategy loses to some other, and the equilibrium mixes an odd number of at least three
   * strategies, often a strict subset of them.
   *
   * <p>Strategies are one character each for N up to 62 ({@code a}-{@code z}, {@code A}-{@code Z},
   * {@code 0}-{@code 9}) and two characters beyond (first character cycling through the same
   * alphabet). Initial distribution: Zipf, {@code initial[i] ~ 1/(i+1)}.
   *
   * @throws InvalidGameException if N is outside [{@value #RANDOM_MIN_SIZE}, {@value
   *     #RANDOM_MAX_SIZE}]
   */
  public static PreferenceGame random(int n, long seed) {
    String name = "random:" + n + ":" + seed;
    if (n < RANDOM_MIN_SIZE || n > RANDOM_MAX_SIZE) {
      throw new InvalidGameException(
          "random game '"
              + name
              + "': N = "
              + n
              + " is outside ["
              + RANDOM_MIN_SIZE
              + ", "
              + RANDOM_MAX_SIZE
              + "]");
    }
    SplitMix64 rng = new SplitMix64(seed);
    double[][] p = new double[n][n];
    // With N >= 3 a draw has no Condorcet winner with probability at least 1/4, so this loop
    // ends after a few draws; the bound only guards against a broken generator.
    for (int attempt = 0; attempt < 100_000; attempt++) {
      for (int i = 0; i < n; i++) {
        p[i][i] = 0.5;
        for (int j = i + 1; j < n; j++) {
          double u = rng.nextDouble();
          p[i][j] = u;
          p[j][i] = 1.0 - u;
        }
      }
      if (!hasCondorcetWinner(p)) {
        return new PreferenceGame(
            name, "Pick one of the " + n + " options.", randomStrategies(n), p, zipf(n));
      }
    }
    throw new IllegalStateException("no intransitive game drawn for " + name);
  }

  private static boolean hasCondorcetWinner(double[][] p) {
    int n = p.length;
    for (int i = 0; i < n; i++) {
      boolean beatsAll = true;
      for (int j = 0; j < n && beatsAll; j++) {
        if (j != i && p[i][j] <= 0.5) {
          beatsAll = false;
        }
      }
      if (beatsAll) {
        return true;
      }
    }
    return false;
  }

  private static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private static List<String> randomStrategies(int n) {
    List<String> names = new ArrayList<>(n);
    int a = ALPHABET.length();
    for (int i = 0; i < n; i++) {
      if (n <= a) {
        names.add(String.valueOf(ALPHABET.charAt(i)));
      } else {
        names.add("" + ALPHABET.charAt(i % a) + ALPHABET.charAt(i / a));
      }
    }
    return names;
  }

  private static double[] zipf(int n) {
    double[] w = new double[n];
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
      w[i] = 1.0 / (i + 1);
      sum += w[i];
    }
    for (int i = 0; i < n; i++) {
      w[i] /= sum;
    }
    return w;
  }

  /** SplitMix64 (Steele, Lea and Flood 2014): fully specified here, so games never change. */
  static final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
      this.state = seed;
    }

    long nextLong() {
      state += 0x9E3779B97F4A7C15L;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }

    double nextDouble() {
      return (nextLong() >>> 11) * 0x1.0p-53;
    }
  }
}
