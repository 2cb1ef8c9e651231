package org.irpemu.irp;

/**
 * Windows 7 oplock caching levels ({@code OPLOCK_LEVEL_CACHE_*}, {@code ntifs.h} / {@code winioctl.h}),
 * the {@code RequestedOplockLevel}, {@code OriginalOplockLevel} and {@code NewOplockLevel} fields of the
 * REQUEST_OPLOCK buffers. A level is a bit set; printed as the letters R, W, H in that order
 * ({@code RWH}) or {@code NONE}.
 */
public final class OplockLevel {
    public static final int OPLOCK_LEVEL_CACHE_READ = 0x00000001;
    public static final int OPLOCK_LEVEL_CACHE_HANDLE = 0x00000002;
    public static final int OPLOCK_LEVEL_CACHE_WRITE = 0x00000004;

    /** No caching level. */
    public static final int NONE = 0;
    public static final int R = OPLOCK_LEVEL_CACHE_READ;
    public static final int RH = OPLOCK_LEVEL_CACHE_READ | OPLOCK_LEVEL_CACHE_HANDLE;
    public static final int RW = OPLOCK_LEVEL_CACHE_READ | OPLOCK_LEVEL_CACHE_WRITE;
    public static final int RWH = OPLOCK_LEVEL_CACHE_READ | OPLOCK_LEVEL_CACHE_WRITE | OPLOCK_LEVEL_CACHE_HANDLE;

    private OplockLevel() {
    }

    /** @return whether {@code level} is one of R, RH, RW, RWH (the levels FSCTL_REQUEST_OPLOCK grants) */
    public static boolean isGrantable(int level) {
        return level == R || level == RH || level == RW || level == RWH;
    }

    /**
     * Prints a level as letters: {@code R}, {@code RH}, {@code RW}, {@code RWH}, {@code NONE}; bits beyond
     * the three levels are appended in hex.
     */
    public static String format(int level) {
        if (level == 0) {
            return "NONE";
        }
        StringBuilder sb = new StringBuilder(4);
        if ((level & OPLOCK_LEVEL_CACHE_READ) != 0) {
            sb.append('R');
        }
        if ((level & OPLOCK_LEVEL_CACHE_WRITE) != 0) {
            sb.append('W');
        }
        if ((level & OPLOCK_LEVEL_CACHE_HANDLE) != 0) {
            sb.append('H');
        }
        int rest = level & ~RWH;
        if (rest != 0) {
            sb.append("+0x").append(Integer.toHexString(rest));
        }
        return sb.toString();
    }

    /**
     * Parses letters from {@code RWH} in any order, or {@code NONE}.
     *
     * @return the level, or -1 when the text is not a level (empty, a repeated or unknown letter)
     */
    public static int parse(String text) {
        if (text.equals("NONE")) {
            return NONE;
        }
        if (text.isEmpty()) {
            return -1;
        }
        int level = 0;
        for (int i = 0; i < text.length(); i++) {
            int bit;
            switch (text.charAt(i)) {
                case 'R': bit = OPLOCK_LEVEL_CACHE_READ; break;
                case 'W': bit = OPLOCK_LEVEL_CACHE_WRITE; break;
                case 'H': bit = OPLOCK_LEVEL_CACHE_HANDLE; break;
                default: return -1;
            }
            if ((level & bit) != 0) {
                return -1;
            }
            level |= bit;
        }
        return level;
    }
}
