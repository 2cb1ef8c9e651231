package org.irpemu.fs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Volume-relative path names as NTFS accepts them: components separated by one backslash, none empty,
 * none containing {@code " * / : < > ? |} or a control character, none longer than 255 characters.
 * Names compare case-insensitively ({@link #key}).
 */
final class PathName {
    static final int MAX_COMPONENT = 255;

    private PathName() {
    }

    /**
     * Splits a volume-relative path ({@code \a\b.txt}; {@code \} is the root).
     *
     * @return the components, empty for the root, or {@code null} when the name is invalid
     */
    static List<String> split(String path) {
        List<String> parts = new ArrayList<>(4);
        int start = 0;
        int n = path.length();
        if (n > 0 && path.charAt(0) == '\\') {
            start = 1;
        }
        if (start >= n) {
            return parts;
        }
        // A single trailing backslash is allowed (it names a directory).
        int end = path.charAt(n - 1) == '\\' ? n - 1 : n;
        int i = start;
        while (i <= end) {
            int j = path.indexOf('\\', i);
            if (j < 0 || j > end) {
                j = end;
            }
            String c = path.substring(i, j);
            if (!validComponent(c)) {
                return null;
            }
            parts.add(c);
            i = j + 1;
        }
        return parts;
    }

    static boolean validComponent(String c) {
        if (c.isEmpty() || c.length() > MAX_COMPONENT || c.equals(".") || c.equals("..")) {
            return false;
        }
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (ch < 0x20 || ch == '"' || ch == '*' || ch == '/' || ch == ':' || ch == '<' || ch == '>' || ch == '?'
                    || ch == '|' || ch == '\\') {
                return false;
            }
        }
        return true;
    }

    /** @return the case-insensitive lookup key of a component */
    static String key(String component) {
        return component.toUpperCase(Locale.ROOT);
    }
}
