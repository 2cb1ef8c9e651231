package org.irpemu.replay;

/** Maps Process Monitor paths to paths on the emulated volume (drive C:). */
final class ReplayPaths {
    private ReplayPaths() {
    }

    /**
     * @return the volume-relative path ({@code C:\Users\x} is {@code \Users\x}, {@code C:\} is the root
     *     directory {@code \}, {@code C:} is the volume itself, the empty path), or {@code null} for a path
     *     outside drive C: (another drive, a device, a network path)
     */
    static String volumePath(String path) {
        if (path.length() < 2 || (path.charAt(0) != 'C' && path.charAt(0) != 'c') || path.charAt(1) != ':') {
            return null;
        }
        String rest = path.substring(2);
        if (rest.isEmpty()) {
            return "";
        }
        if (rest.equals("\\")) {
            return "\\";
        }
        if (rest.charAt(0) != '\\') {
            return null;
        }
        if (rest.length() > 1 && rest.endsWith("\\")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        return rest;
    }
}
