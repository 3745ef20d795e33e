package dev.lodestone.judge.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.judge.human.AnnotatorTokens;
import dev.lodestone.judge.human.FeedbackConfig;
import dev.lodestone.judge.human.FeedbackService;
import dev.lodestone.judge.testing.TestGroups;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabelVerdict;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.stack.testing.TestBroker;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The labelling page in a real browser: headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver}) signs in with a token, answers items by clicks and by keyboard shortcuts, and
 * the labels appear on {@code labels} with the annotator and the verdict given. Responses holding
 * HTML show as text. Skipped where the browser is not installed, unless {@code
 * LODESTONE_REQUIRE_BROWSER} is set (CI sets it, after installing the packages).
 */
@Tag("integration")
class FeedbackPageIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path dir;
  private TestBroker broker;
  private FeedbackService service;
  private WebDriver browser;

  @BeforeEach
  void start() throws Exception {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    if (System.getenv("LODESTONE_REQUIRE_BROWSER") == null) {
      Assumptions.assumeTrue(installed, "chromium and chromium-driver are not installed");
    } else {
      assertThat(installed).as("chromium and chromium-driver must be installed").isTrue();
    }
    broker = TestBroker.start();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900");
    ChromeDriverService driver =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(DRIVER.toString()))
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(driver, options);
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (service != null) {
      service.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void shouldLabelByClicksAndKeysAndShowMarkupAsText() throws Exception {
    Path tokens = dir.resolve("tokens.json");
    AnnotatorTokens.Created alice = AnnotatorTokens.read(tokens).add("alice", Instant.now());
    AnnotatorTokens.read(tokens).with(alice.token()).write(tokens);
    service =
        new FeedbackService(
            FeedbackConfig.of(broker.config(), tokens).withAddress("127.0.0.1", 0),
            broker.registry());
    service.start(Duration.ofSeconds(60));

    Map<String, String> groupOfText = new HashMap<>();
    List<SampleGroup> groups = new ArrayList<>();
    groups.add(
        TestGroups.group("page-0", "<script>document.title='pwned'</script>rock", "<b>paper</b>"));
    for (int k = 1; k < 5; k++) {
      groups.add(
          TestGroups.group("page-" + k, "answer " + k + " first", "answer " + k + " second"));
    }
    for (SampleGroup g : groups) {
      g.getResponses().forEach(r -> groupOfText.put(r.getText(), g.getGroupId()));
    }
    TestGroups.publish(broker, groups);

    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    browser.get(service.url());
    browser.findElement(By.id("token")).sendKeys("lst_wrong");
    browser.findElement(By.id("sign-in")).click();
    assertThat(browser.findElement(By.id("message")).getText()).isEqualTo("Unknown token.");
    browser.findElement(By.id("token")).sendKeys(alice.secret());
    browser.findElement(By.id("sign-in")).click();
    assertThat(browser.findElement(By.id("annotator")).getText()).isEqualTo("alice");

    // The answers, in order: a click on A, the key 2 (B), a rationale then the key 3 (tie; typing
    // "1" in the rationale answers nothing), the key 4 (both bad), a click on Skip.
    Map<String, String> shownFirst = new HashMap<>(); // group -> text shown as A
    List<String> answeredGroups = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      WebElement a = wait.until(d -> visibleItem(d, answeredGroups, groupOfText));
      String group = groupOfText.get(a.getText());
      shownFirst.put(group, a.getText());
      if (group.equals("page-0")) {
        List<String> shown =
            List.of(a.getText(), browser.findElement(By.id("response-b")).getText());
        assertThat(shown)
            .containsExactlyInAnyOrder(
                "<script>document.title='pwned'</script>rock", "<b>paper</b>");
        assertThat(browser.findElements(By.cssSelector("#item b, #item script"))).isEmpty();
        assertThat(browser.getTitle()).isEqualTo("Lodestone feedback");
        screenshot(); // the page as docs/feedback.md shows it
      }
      answeredGroups.add(group);
      switch (k) {
        case 0 -> browser.findElement(By.id("verdict-a")).click();
        case 1 -> browser.findElement(By.tagName("body")).sendKeys("2");
        case 2 -> {
          WebElement why = browser.findElement(By.id("rationale"));
          why.sendKeys("1 is clearly not better");
          browser.findElement(By.tagName("h2")).click(); // leave the text box
          browser.findElement(By.tagName("body")).sendKeys("3");
        }
        case 3 -> browser.findElement(By.tagName("body")).sendKeys("4");
        default -> browser.findElement(By.id("verdict-skip")).click();
      }
    }
    wait.until(d -> d.findElement(By.id("answered")).getText().equals("5"));

    TestBroker.await("4 labels", () -> broker.readAll(Topics.LABELS).size() == 4);
    Map<String, PreferenceLabel> byGroup = new HashMap<>();
    for (ConsumerRecord<String, PreferenceLabel> r : broker.readAll(Topics.LABELS)) {
      byGroup.put(r.key(), r.value());
    }
    assertThat(byGroup.keySet()).containsExactlyInAnyOrderElementsOf(answeredGroups.subList(0, 4));
    for (int k = 0; k < 4; k++) {
      String group = answeredGroups.get(k);
      PreferenceLabel l = byGroup.get(group);
      assertThat(l.getJudgeId()).isEqualTo("alice");
      assertThat(l.getJudgeKind()).isEqualTo(JudgeKind.HUMAN);
      SampleGroup g = groups.stream().filter(x -> x.getGroupId().equals(group)).findFirst().get();
      int first = g.getResponses().get(0).getText().equals(shownFirst.get(group)) ? 0 : 1;
      assertThat(l.getShownFirst()).isEqualTo(first);
      LabelVerdict firstBetter = first == 0 ? LabelVerdict.I_BETTER : LabelVerdict.J_BETTER;
      LabelVerdict secondBetter = first == 0 ? LabelVerdict.J_BETTER : LabelVerdict.I_BETTER;
      LabelVerdict expected =
          switch (k) {
            case 0 -> firstBetter;
            case 1 -> secondBetter;
            case 2 -> LabelVerdict.TIE;
            default -> LabelVerdict.BOTH_BAD;
          };
      assertThat(l.getVerdict()).as("answer %d", k).isEqualTo(expected);
      assertThat(l.getRationale()).isEqualTo(k == 2 ? "1 is clearly not better" : null);
    }

    // A call with the session cookie but without the page's CSRF header is refused.
    Object status =
        ((JavascriptExecutor) browser)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "fetch('/api/v1/items/next', {method: 'POST', credentials: 'same-origin'})"
                    + ".then(r => done(r.status));");
    assertThat(((Number) status).intValue()).isEqualTo(403);

    browser.findElement(By.linkText("Statistics")).click();
    assertThat(browser.findElement(By.id("stats")).getText())
        .contains("feedback/labels")
        .contains("feedback/answered/alice");
  }

  /** The first response of a new item, once the page shows one not yet answered. */
  private static WebElement visibleItem(
      WebDriver d, List<String> answered, Map<String, String> groupOfText) {
    if (!d.findElement(By.id("item")).isDisplayed()) {
      return null;
    }
    WebElement a = d.findElement(By.id("response-a"));
    String group = groupOfText.get(a.getText());
    return group != null && !answered.contains(group) ? a : null;
  }

  private void screenshot() throws Exception {
    Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Path out = Path.of("target", "feedback-page.png");
    Files.createDirectories(out.getParent());
    Files.copy(png, out, StandardCopyOption.REPLACE_EXISTING);
  }
}
