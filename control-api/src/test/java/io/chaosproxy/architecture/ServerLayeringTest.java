package io.chaosproxy.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The control-api module's layers (docs/ARCHITECTURE.md): api <- scenario <- server. The engine knows nothing of
 * HTTP; only the server wiring names the packet engine and the built-in toxics. Checked over the whole program
 * (engine classes come from the engine jar on the classpath), so a cycle through any module fails too.
 */
class ServerLayeringTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TEST_FIXTURES)
            // The engine's test helpers arrive as its test-jar when this module is built on its own.
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.chaosproxy");

    @Test
    void theApiKnowsNoScenarioAndNoServerWiring() {
        noClasses().that().resideInAnyPackage("io.chaosproxy.api..", "io.chaosproxy.config..")
                .should().dependOnClassesThat().resideInAnyPackage("io.chaosproxy.scenario..",
                        "io.chaosproxy.server..")
                .check(MAIN);
    }

    @Test
    void scenariosDoNotReachIntoTheServerWiring() {
        noClasses().that().resideInAPackage("io.chaosproxy.scenario..")
                .should().dependOnClassesThat().resideInAnyPackage("io.chaosproxy.server..", "io.chaosproxy.demo..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    @Test
    void onlyTheWiringNamesThePacketEngineAndTheBuiltInToxics() {
        noClasses().that().resideInAnyPackage("io.chaosproxy.api..", "io.chaosproxy.scenario..",
                "io.chaosproxy.config..", "io.chaosproxy.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("io.chaosproxy.packet..",
                        "io.chaosproxy.toxic.types..")
                .check(MAIN);
    }

    @Test
    void theEngineKnowsNoHttp() {
        noClasses().that().resideInAnyPackage("io.chaosproxy.model..", "io.chaosproxy.toxic..",
                "io.chaosproxy.engine..", "io.chaosproxy.packet..", "io.chaosproxy.timeline..",
                "io.chaosproxy.metrics..")
                .should().dependOnClassesThat().resideInAnyPackage("io.chaosproxy.api..", "io.chaosproxy.scenario..",
                        "io.chaosproxy.server..", "io.chaosproxy.config..", "io.chaosproxy.demo..",
                        "io.netty.handler.codec.http..", "com.fasterxml.jackson..")
                .check(MAIN);
    }

    @Test
    void noPackageCyclesInTheWholeProgram() {
        slices().matching("io.chaosproxy.(**)").should().beFreeOfCycles().check(MAIN);
    }
}
