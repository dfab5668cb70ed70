package io.steuermann.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module boundaries of DESIGN.md, kept by a test rather than by hope. */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.steuermann");
  }

  @Test
  void engineKnowsNoHttpAndNoDocker() {
    noClasses().that().resideInAPackage("io.steuermann.engine..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "org.apache.pekko.http..", "com.github.dockerjava..", "io.steuermann.http..",
            "io.steuermann.node..", "io.steuermann.server..")
        .check(classes);
  }

  @Test
  void persistenceKnowsNoEngine() {
    noClasses().that().resideInAPackage("io.steuermann.persistence..")
        .should().dependOnClassesThat().resideInAnyPackage("io.steuermann.engine..", "org.apache.pekko.http..")
        .check(classes);
  }

  @Test
  void pureLibrariesStayFreeOfActors() {
    noClasses().that().resideInAnyPackage("io.steuermann.engine.patch..", "io.steuermann.engine.selector..",
            "io.steuermann.engine.validation..", "io.steuermann.engine.model..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko..")
        .check(classes);
  }
}
