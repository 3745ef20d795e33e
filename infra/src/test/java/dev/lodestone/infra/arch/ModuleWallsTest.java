package dev.lodestone.infra.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walls between Lodestone's modules, checked on the production classes of every module (this
 * module depends on all of them): each {@code internal} package is private to its module, and the
 * modules depend on each other only as docs/design.md draws it. The Maven enforcer keeps the same
 * walls between the modules' dependency lists; this test keeps them between the classes.
 */
class ModuleWallsTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.lodestone");
  }

  /** The module of a class: the package segment after {@code dev.lodestone}. */
  static String module(JavaClass c) {
    String[] parts = c.getPackageName().split("\\.");
    return parts.length > 2 ? parts[2] : "";
  }

  static boolean isInternal(JavaClass c) {
    return ("." + c.getPackageName() + ".").contains(".internal.");
  }

  /** No class uses an {@code internal} class of another module. */
  static final ArchRule INTERNAL_PACKAGES_ARE_PRIVATE =
      classes()
          .that()
          .resideInAPackage("dev.lodestone..")
          .should(
              new ArchCondition<JavaClass>("use internal packages of their own module only") {
                @Override
                public void check(JavaClass origin, ConditionEvents events) {
                  for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass();
                    if (target.getPackageName().startsWith("dev.lodestone.")
                        && isInternal(target)
                        && !module(target).equals(module(origin))) {
                      events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                    }
                  }
                }
              });

  @Test
  void shouldKeepEveryInternalPackagePrivateToItsModule() {
    INTERNAL_PACKAGES_ARE_PRIVATE.check(classes);
  }

  @Test
  void shouldKeepTheServicesApart() {
    noClasses()
        .that()
        .resideInAPackage("dev.lodestone.sampler..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.lodestone.judge..", "dev.lodestone.learner..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("dev.lodestone.judge..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.lodestone.sampler..", "dev.lodestone.learner..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("dev.lodestone.learner..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.lodestone.sampler..", "dev.lodestone.judge..", "dev.lodestone.games..")
        .check(classes);
  }

  @Test
  void shouldKeepTheFoundationsFreeOfThePipeline() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.lodestone.schemas..", "dev.lodestone.games..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.lodestone.service..",
            "dev.lodestone.policy..",
            "dev.lodestone.sampler..",
            "dev.lodestone.judge..",
            "dev.lodestone.learner..",
            "dev.lodestone.infra..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("dev.lodestone.games..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.lodestone.schemas..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("dev.lodestone.schemas..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.lodestone.games..")
        .check(classes);
    noClasses()
        .that()
        .resideInAnyPackage("dev.lodestone.service..", "dev.lodestone.policy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.lodestone.games..",
            "dev.lodestone.sampler..",
            "dev.lodestone.judge..",
            "dev.lodestone.learner..",
            "dev.lodestone.infra..")
        .check(classes);
  }
}
