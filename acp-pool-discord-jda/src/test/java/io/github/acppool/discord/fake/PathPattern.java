package io.github.acppool.discord.fake;

/** Matches REST paths against patterns in which {@code *} stands for exactly one path segment. */
final class PathPattern {

    private PathPattern() {}

    static boolean matches(String pattern, String path) {
        String[] want = pattern.split("/", -1);
        String[] have = path.split("/", -1);
        if (want.length != have.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            if (!want[i].equals("*") && !want[i].equals(have[i])) {
                return false;
            }
        }
        return true;
    }
}
