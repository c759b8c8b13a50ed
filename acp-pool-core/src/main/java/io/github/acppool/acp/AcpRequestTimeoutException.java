package io.github.acppool.acp;

import io.github.acppool.AcpPoolException;
import io.github.acppool.internal.HumanDuration;
import java.time.Duration;

/**
 * A request got no answer within the timeout its caller chose. The request id has been abandoned: a late
 * answer is logged and dropped.
 *
 * <p>Immutable and thread-safe.
 */
public class AcpRequestTimeoutException extends AcpPoolException {
    private static final long serialVersionUID = 1L;

    private final String method;
    private final long requestId;
    private final Duration timeout;

    public AcpRequestTimeoutException(String method, long requestId, Duration timeout, String context) {
        super(method + " (id " + requestId + ") got no answer within " + timeout + "; " + context);
        this.method = method;
        this.requestId = requestId;
        this.timeout = timeout;
    }

    @Override
    public String userMessage() {
        return "The agent did not answer within " + HumanDuration.format(timeout) + "; try again.";
    }

    public String method() {
        return method;
    }

    public long requestId() {
        return requestId;
    }

    public Duration timeout() {
        return timeout;
    }
}
