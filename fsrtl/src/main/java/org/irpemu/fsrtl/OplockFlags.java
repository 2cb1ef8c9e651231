package org.irpemu.fsrtl;

/**
 * Flags of the FsRtl oplock routines ({@code ntifs.h}).
 *
 * <p>{@code OPLOCK_FLAG_*} are the Flags of {@code FsRtlCheckOplockEx}, {@code FsRtlOplockBreakH} and
 * {@code FsRtlOplockBreakToNoneEx}; {@code OPLOCK_FSCTRL_FLAG_*} those of {@code FsRtlOplockFsctrlEx}.
 */
public final class OplockFlags {
    /** Let the operation proceed while a break it started is under way (STATUS_OPLOCK_BREAK_IN_PROGRESS). */
    public static final int OPLOCK_FLAG_COMPLETE_IF_OPLOCKED = 0x00000001;
    /** Only record the create's oplock keys in the file object; nothing else. */
    public static final int OPLOCK_FLAG_OPLOCK_KEY_CHECK_ONLY = 0x00000002;
    /** Undo what FsRtlOplockFsctrl set up for a FILE_OPEN_REQUIRING_OPLOCK create that is now failing. */
    public static final int OPLOCK_FLAG_BACK_OUT_ATOMIC_OPLOCK = 0x00000004;
    /** Break regardless of oplock keys: even the caller's own oplocks. */
    public static final int OPLOCK_FLAG_IGNORE_OPLOCK_KEYS = 0x00000008;
    /** The oplock is the parent directory's; compare the operation's parent key. */
    public static final int OPLOCK_FLAG_PARENT_OBJECT = 0x00000010;
    /** The IRP is the cleanup of a handle opened with FILE_DELETE_ON_CLOSE. */
    public static final int OPLOCK_FLAG_CLOSING_DELETE_ON_CLOSE = 0x00000020;
    /** With PARENT_OBJECT: a file or link in the directory is being removed. */
    public static final int OPLOCK_FLAG_REMOVING_FILE_OR_LINK = 0x00000040;
    /** Breaking because the create would otherwise fail with a sharing violation. */
    public static final int OPLOCK_FLAG_BREAKING_FOR_SHARING_VIOLATION = 0x00000080;

    /** FsRtlOplockFsctrlEx: every open of the file carries the requester's oplock key. */
    public static final int OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH = 0x00000001;

    private OplockFlags() {
    }
}
