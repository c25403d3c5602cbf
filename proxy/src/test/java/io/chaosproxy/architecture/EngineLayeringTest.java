package io.chaosproxy.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The engine module's layers (docs/ARCHITECTURE.md): model <- toxic contract <- toxics; observation (timeline,
 * metrics) <- engine; packet engine beside the stream engine, both on the model and the contract only. A wrong-way
 * import or a package cycle fails the build.
 */
class EngineLayeringTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.chaosproxy");

    @Test
    void layersDependOneWay() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("model").definedBy("io.chaosproxy.model")
                .layer("contract").definedBy("io.chaosproxy.toxic")
                .layer("toxics").definedBy("io.chaosproxy.toxic.types")
                .layer("observation").definedBy("io.chaosproxy.timeline", "io.chaosproxy.metrics")
                .layer("engine").definedBy("io.chaosproxy.engine")
                .layer("packet").definedBy("io.chaosproxy.packet")
                .whereLayer("packet").mayNotBeAccessedByAnyLayer()
                .whereLayer("engine").mayNotBeAccessedByAnyLayer()
                .whereLayer("toxics").mayNotBeAccessedByAnyLayer()
                .whereLayer("observation").mayOnlyBeAccessedByLayers("engine")
                .whereLayer("contract").mayOnlyBeAccessedByLayers("toxics", "engine", "packet")
                .whereLayer("model").mayOnlyBeAccessedByLayers("contract", "toxics", "observation", "engine",
                        "packet")
                .check(MAIN);
    }

    @Test
    void theModelDependsOnNothingOfOurs() {
        noClasses().that().resideInAPackage("io.chaosproxy.model")
                .should().dependOnClassesThat().resideInAnyPackage("io.chaosproxy.toxic..", "io.chaosproxy.engine..",
                        "io.chaosproxy.packet..", "io.chaosproxy.timeline..", "io.chaosproxy.metrics..")
                .check(MAIN);
    }

    @Test
    void theContractKnowsNoToxicAndNoEngine() {
        noClasses().that().resideInAPackage("io.chaosproxy.toxic")
                .should().dependOnClassesThat().resideInAnyPackage("io.chaosproxy.toxic.types..",
                        "io.chaosproxy.engine..", "io.chaosproxy.packet..")
                .check(MAIN);
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.chaosproxy.(**)").should().beFreeOfCycles().check(MAIN);
    }

    /**
     * Netty documents {@code Channel.unsafe()} as for transports only. One exception, as in Netty's own
     * ServerBootstrap: an accepted channel whose registration failed has no event loop, so no pipeline operation
     * can close it; only {@code closeForcibly()} can.
     */
    @Test
    void noCallsToNettyUnsafe() {
        noClasses().that().doNotHaveFullyQualifiedName("io.chaosproxy.engine.ClientAcceptor")
                .should().callMethod(io.netty.channel.Channel.class, "unsafe").check(MAIN);
    }
}
