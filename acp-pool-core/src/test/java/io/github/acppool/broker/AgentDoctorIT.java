package io.github.acppool.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.broker.AgentReport.Finding;
import io.github.acppool.broker.AgentReport.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AcpBroker#checkAgent}, the operator's doctor, against one good fake agent and broken ones: each check
 * one finding with a verdict, and the process it started is gone when the report arrives.
 */
@Timeout(120)
final class AgentDoctorIT {
    /** Only methods that read a key variable, as an agent that cannot work without one advertises. */
    private static final String KEY_METHODS = "--auth-methods=["
            + "{\"id\":\"alpha-key\",\"name\":\"Alpha key\",\"type\":\"env_var\",\"vars\":[{\"name\":\"FAKE_ALPHA_KEY\"}]},"
            + "{\"id\":\"beta-key\",\"type\":\"env_var\",\"varName\":\"FAKE_BETA_KEY\"}]";

    @TempDir
    Path root;

    private BrokerFixture fixture;

    @BeforeEach
    void fixture() {
        fixture = new BrokerFixture(root);
    }

    @AfterEach
    void close() {
        fixture.close();
        fixture.awaitNoAgentProcess();
    }

    private AgentReport check(AgentLaunchSpec launch) {
        AcpBroker broker = fixture.start(AcpBroker.builder()
                .agent(AgentSpec.builder("good", fixture.agent()).build())
                .agent(AgentSpec.builder("checked", launch).build())
                .scheduler(fixture.clock, false)
                .ticker(fixture.clock));
        AgentReport report = BrokerFixture.get(broker.checkAgent("checked"));
        assertThat(report.agentId()).isEqualTo("checked");
        assertThat(fixture.agentProcesses())
                .as("the doctor stops what it started")
                .isEmpty();
        assertThat(broker.status()).as("it touches no conversation").isEmpty();
        return report;
    }

    private static Finding finding(AgentReport report, String check) {
        return report.findings().stream()
                .filter(f -> f.check().equals(check))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no finding " + check + " in " + report));
    }

    @Test
    void goodAgent_passesEveryCheck() {
        AgentReport report = check(fixture.agent("--auth-methods=[]"));
        assertThat(report.findings())
                .extracting(Finding::check)
                .containsExactly("command", "starts", "initialize", "protocol", "authentication");
        assertThat(report.verdict()).isEqualTo(Verdict.OK);
        assertThat(finding(report, "command").detail()).endsWith("java is executable");
        assertThat(finding(report, "starts").detail()).startsWith("the process started (pid ");
        assertThat(finding(report, "protocol").detail()).isEqualTo("protocol version 1");
        assertThat(finding(report, "authentication").detail())
                .isEqualTo("the agent advertises no authentication method (policy auto)");
    }

    @Test
    void agentWithALoginMethodOnly_isAWarning_notAFailure() {
        AgentReport report = check(fixture.agent());
        assertThat(report.verdict()).isEqualTo(Verdict.WARNING);
        assertThat(finding(report, "authentication").detail())
                .isEqualTo("offers fake-login; policy auto picks none up front (the agent must be logged in already)");
        assertThat(finding(report, "variables"))
                .isEqualTo(new Finding("variables", Verdict.OK, "no method names a variable"));
    }

    @Test
    void missingCommand_failsTheFirstCheck_andStartsNothing() {
        AgentReport report =
                check(AgentLaunchSpec.builder("no-such-agent-cli-4711").build());
        assertThat(report.findings())
                .containsExactly(new Finding(
                        "command",
                        Verdict.FAILED,
                        "no-such-agent-cli-4711 is not on the agent's PATH; install it or give its absolute path"));
    }

    @Test
    void commandThatIsNotExecutable_fails() throws IOException {
        Path script = Files.writeString(root.resolve("agent.sh"), "#!/bin/sh\n");
        AgentReport report = check(AgentLaunchSpec.builder(script.toString()).build());
        assertThat(report.findings())
                .containsExactly(new Finding("command", Verdict.FAILED, script + " is not executable"));
    }

    @Test
    void agentThatExitsAtStart_failsStarts() {
        AgentReport report = check(fixture.agent("--exit-before-initialize=3"));
        assertThat(report.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(finding(report, "command").verdict()).isEqualTo(Verdict.OK);
        assertThat(finding(report, "starts"))
                .isEqualTo(new Finding(
                        "starts",
                        Verdict.FAILED,
                        "the process exited at start with exit code 3; its stderr is in the log"));
    }

    @Test
    void agentThatNeedsAVariableNotPassed_failsVariables_withoutValues() {
        AgentReport report = check(withEnv(Map.of("FAKE_UNRELATED", "secret-value"), KEY_METHODS, "--require-auth"));
        assertThat(finding(report, "authentication"))
                .isEqualTo(new Finding(
                        "authentication",
                        Verdict.WARNING,
                        "offers alpha-key, beta-key; policy auto picks none up front (the agent must be logged"
                                + " in already)"));
        Finding variables = finding(report, "variables");
        assertThat(variables.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(variables.detail())
                .startsWith("not passed: FAKE_ALPHA_KEY (alpha-key), FAKE_BETA_KEY (beta-key)")
                .contains("inheritEnv");
        assertThat(report.toString()).doesNotContain("secret-value");
    }

    @Test
    void agentWhoseVariableIsPassed_saysWhichMethodThePolicyPicks() {
        AgentReport report = check(withEnv(Map.of("FAKE_BETA_KEY", "secret-value"), KEY_METHODS, "--require-auth"));
        assertThat(report.verdict()).isEqualTo(Verdict.OK);
        assertThat(finding(report, "authentication").detail())
                .isEqualTo("offers alpha-key, beta-key; policy auto picks beta-key");
        assertThat(finding(report, "variables").detail())
                .isEqualTo("passed: FAKE_BETA_KEY (beta-key); not passed: FAKE_ALPHA_KEY (alpha-key)");
        assertThat(report.toString()).doesNotContain("secret-value");
    }

    private AgentLaunchSpec withEnv(Map<String, String> env, String... flags) {
        AgentLaunchSpec spec = fixture.agent(flags);
        return new AgentLaunchSpec(spec.command(), spec.args(), null, env, Set.of());
    }
}
