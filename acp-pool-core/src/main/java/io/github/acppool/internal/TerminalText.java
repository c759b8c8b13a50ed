package io.github.acppool.internal;

import java.util.regex.Pattern;

/**
 * Removes terminal control sequences from text an agent wrote (stderr, error messages), so that a log or a chat
 * shows plain text: CSI sequences ({@code ESC [ ... final}, also the 8-bit {@code 0x9B} form), OSC, DCS, SOS, PM
 * and APC strings up to their terminator (BEL or ST; an unterminated one up to the end of its line), two-byte
 * and charset-selecting escapes, a lone ESC, other control characters but newline and tab, and the residue
 * of SGR sequences whose ESC was already lost ({@code [31m}).
 *
 * <p>Stateless and thread-safe.
 */
public final class TerminalText {

    private static final char ESC = 0x1B;
    private static final char BEL = 0x07;
    private static final char CSI_8BIT = 0x9B;
    private static final char ST_8BIT = 0x9C;

    /** Colour and cursor sequences that lost their ESC: {@code [31m}, {@code [0;1m}, {@code [m}, {@code [2K}. */
    private static final Pattern RESIDUE = Pattern.compile("\\[(?:[0-9;]*m|[0-9;?]*[0-9][0-9;?]*[ABCDEFGHJKST])");

    private TerminalText() {}

    /** The text without any terminal control sequence; CR LF and lone CR become LF. */
    public static String strip(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == ESC) {
                i = skipEscape(text, i + 1);
            } else if (c == CSI_8BIT) {
                i = skipCsi(text, i + 1);
            } else if (c == 0x90 || c == 0x98 || c == 0x9D || c == 0x9E || c == 0x9F) {
                i = skipString(text, i + 1); // 8-bit DCS, SOS, OSC, PM, APC
            } else if (c == '\r') {
                out.append('\n');
                i += i + 1 < n && text.charAt(i + 1) == '\n' ? 2 : 1;
            } else {
                if (c == '\n' || c == '\t' || !(Character.isISOControl(c) || c == ST_8BIT)) {
                    out.append(c);
                }
                i++;
            }
        }
        return RESIDUE.matcher(out).replaceAll("");
    }

    /** Skips what follows an ESC at {@code i}; returns the index after the sequence. */
    private static int skipEscape(String text, int i) {
        if (i >= text.length()) {
            return i;
        }
        char next = text.charAt(i);
        if (next == '[') {
            return skipCsi(text, i + 1);
        }
        if (next == ']' || next == 'P' || next == 'X' || next == '^' || next == '_') {
            return skipString(text, i + 1); // OSC, DCS, SOS, PM, APC
        }
        int j = i;
        // Intermediates, e.g. ESC ( B; not a space, so that a stray ESC before a word does not eat its first letter.
        while (j < text.length() && text.charAt(j) >= 0x21 && text.charAt(j) <= 0x2F) {
            j++;
        }
        if (j < text.length() && text.charAt(j) >= 0x30 && text.charAt(j) <= 0x7E) {
            return j + 1;
        }
        return i; // a lone ESC: drop it, keep what follows
    }

    /** Skips a CSI body: parameter bytes, intermediate bytes and one final byte. */
    private static int skipCsi(String text, int i) {
        int j = i;
        while (j < text.length() && text.charAt(j) >= 0x30 && text.charAt(j) <= 0x3F) {
            j++;
        }
        while (j < text.length() && text.charAt(j) >= 0x20 && text.charAt(j) <= 0x2F) {
            j++;
        }
        if (j < text.length() && text.charAt(j) >= 0x40 && text.charAt(j) <= 0x7E) {
            return j + 1;
        }
        return j; // cut short: drop what was read of it
    }

    /** Skips a control string up to BEL, ESC backslash or 8-bit ST, or else to the end of its line. */
    private static int skipString(String text, int i) {
        for (int j = i; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == BEL || c == ST_8BIT) {
                return j + 1;
            }
            if (c == ESC) {
                return j + 1 < text.length() && text.charAt(j + 1) == '\\' ? j + 2 : j;
            }
            if (c == '\n' || c == '\r') {
                return j;
            }
        }
        return text.length();
    }
}
