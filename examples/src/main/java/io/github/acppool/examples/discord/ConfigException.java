package io.github.acppool.examples.discord;

/**
 * A config file the bot cannot run with: the message names the key (a path such as {@code pool.maxAgents}) and the
 * problem. A user error, so the program prints the message alone, without a stack trace. Immutable.
 */
final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    ConfigException(String key, String problem) {
        super(key.isEmpty() ? problem : key + ": " + problem);
        this.key = key;
    }

    /** The key the problem is about, or "" for the file as a whole. */
    String key() {
        return key;
    }
}
