package io.github.acppool.broker;

import io.github.acppool.internal.Checks;
import java.util.List;

/**
 * The result of checking one configured agent ({@link AcpBroker#checkAgent}): one finding per check, in the
 * order they ran (command found and executable, process starts, {@code initialize} answers, protocol version,
 * authentication methods and the configured one, the variables they need and whether they are passed).
 *
 * <p>Immutable and thread-safe.
 *
 * @param agentId the agent checked
 * @param findings one line per check
 */
public record AgentReport(String agentId, List<Finding> findings) {

    public AgentReport {
        Checks.notNull(agentId, "agentId");
        findings = List.copyOf(findings);
    }

    /** The worst verdict of all findings ({@link Verdict#OK} if there are none). */
    public Verdict verdict() {
        Verdict worst = Verdict.OK;
        for (Finding finding : findings) {
            if (finding.verdict().compareTo(worst) > 0) {
                worst = finding.verdict();
            }
        }
        return worst;
    }

    /** How a check came out, from best to worst. */
    public enum Verdict {
        OK,
        WARNING,
        FAILED
    }

    /**
     * One check and how it came out.
     *
     * @param check what was checked, a few words ("command", "starts", "initialize", "authentication")
     * @param verdict how it came out
     * @param detail one plain line for an operator (it may name paths and variables, never their values)
     */
    public record Finding(String check, Verdict verdict, String detail) {
        public Finding {
            Checks.notNull(check, "check");
            Checks.notNull(verdict, "verdict");
            Checks.notNull(detail, "detail");
        }
    }
}
