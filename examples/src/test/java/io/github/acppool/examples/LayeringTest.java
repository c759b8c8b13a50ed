package io.github.acppool.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.google.errorprone.annotations.CheckReturnValue;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The package picture of the three modules, checked on their compiled main classes (examples is the one module
 * that sees them all): layers only point down, no package cycles, only core reaches into {@code internal}, and
 * every public method that hands out a future says so with {@code @CheckReturnValue}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class LayeringTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                // Main classes only, from directories (mvn test) or jars (mvn verify): not test classes or test-jars.
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("-testing.jar"))
                .importPackages("io.github.acppool");
    }

    @Test
    void theImportSeesAllThreeModules() {
        // Without this a broken import (no classes) would make every rule below pass vacuously.
        for (String name : new String[] {
            "io.github.acppool.broker.DefaultAcpBroker",
            "io.github.acppool.discord.DiscordBridge",
            "io.github.acppool.examples.console.ConsoleDemo"
        }) {
            if (!classes.contain(name)) {
                throw new AssertionError("the layering check did not import " + name);
            }
        }
    }

    @Test
    void layersOnlyPointDown() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .withOptionalLayers(true)
                .layer("Root")
                .definedBy("io.github.acppool")
                .layer("Internal")
                .definedBy("io.github.acppool.internal..")
                .layer("Pool")
                .definedBy("io.github.acppool.pool..")
                .layer("Acp")
                .definedBy("io.github.acppool.acp..")
                .layer("Turn")
                .definedBy("io.github.acppool.turn..")
                .layer("Broker")
                .definedBy("io.github.acppool.broker..")
                .layer("Metrics")
                .definedBy("io.github.acppool.metrics..")
                .layer("Discord")
                .definedBy("io.github.acppool.discord..")
                .layer("Examples")
                .definedBy("io.github.acppool.examples..")
                .whereLayer("Examples")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("Discord")
                .mayOnlyBeAccessedByLayers("Examples")
                .whereLayer("Metrics")
                .mayOnlyBeAccessedByLayers("Discord", "Examples")
                .whereLayer("Broker")
                .mayOnlyBeAccessedByLayers("Metrics", "Discord", "Examples")
                .whereLayer("Turn")
                .mayOnlyBeAccessedByLayers("Broker", "Metrics", "Discord", "Examples")
                .whereLayer("Acp")
                .mayOnlyBeAccessedByLayers("Turn", "Broker", "Metrics", "Discord", "Examples")
                .whereLayer("Pool")
                .mayOnlyBeAccessedByLayers("Broker", "Metrics", "Discord", "Examples")
                .whereLayer("Internal")
                .mayOnlyBeAccessedByLayers("Root", "Pool", "Acp", "Turn", "Broker", "Metrics")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.github.acppool.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void onlyCoreReachesIntoInternal() {
        noClasses()
                .that()
                .resideInAnyPackage("io.github.acppool.discord..", "io.github.acppool.examples..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.github.acppool.internal..")
                .check(classes);
    }

    @Test
    void publicFuturesAreMarkedCheckReturnValue() {
        methods()
                .that(publicApi())
                .and()
                .haveRawReturnType(futureType())
                .should(beMarkedCheckReturnValue())
                .check(classes);
    }

    private static DescribedPredicate<JavaMethod> publicApi() {
        return DescribedPredicate.describe(
                "are public methods of public types outside the examples",
                method -> method.getModifiers().contains(JavaModifier.PUBLIC)
                        && method.getOwner().getModifiers().contains(JavaModifier.PUBLIC)
                        && !method.getOwner().getPackageName().startsWith("io.github.acppool.examples"));
    }

    private static DescribedPredicate<com.tngtech.archunit.core.domain.JavaClass> futureType() {
        return DescribedPredicate.describe(
                "a future", type -> type.isAssignableTo(Future.class) || type.isAssignableTo(CompletionStage.class));
    }

    private static ArchCondition<JavaMethod> beMarkedCheckReturnValue() {
        return new ArchCondition<>("be annotated @CheckReturnValue (directly or on their type)") {
            @Override
            public void check(JavaMethod method, ConditionEvents events) {
                boolean marked = method.isAnnotatedWith(CheckReturnValue.class)
                        || method.getOwner().isAnnotatedWith(CheckReturnValue.class);
                if (!marked) {
                    events.add(SimpleConditionEvent.violated(
                            method, method.getFullName() + " returns a future without @CheckReturnValue"));
                }
            }
        };
    }
}
