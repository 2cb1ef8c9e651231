package org.irpemu.irp;

import java.util.UUID;

/**
 * {@code OPLOCK_KEY_ECP_CONTEXT} / {@code DUAL_OPLOCK_KEY_ECP_CONTEXT}: the extra create parameter with
 * which a caller gives a create its target (and parent) oplock key, GUIDs in Windows and {@link UUID}s
 * here. The oplock package reads it when the create reaches the file system
 * ({@code FsRtlCheckOplockEx} with the create IRP) and keeps the keys with the file object.
 */
public final class OplockKeyEcpContext {
    /** Flags: ParentOplockKey is valid. */
    public static final int OPLOCK_KEY_FLAG_PARENT_KEY = 0x0001;
    /** Flags: TargetOplockKey is valid. */
    public static final int OPLOCK_KEY_FLAG_TARGET_KEY = 0x0002;
    public static final int OPLOCK_KEY_VERSION_WIN7 = 0x0001;
    public static final int OPLOCK_KEY_VERSION_WIN8 = 0x0002;

    private int version;
    private int flags;
    private UUID parentOplockKey;
    private UUID targetOplockKey;

    /** Sets the context; a {@code null} key leaves its flag clear. */
    public OplockKeyEcpContext set(UUID targetKey, UUID parentKey) {
        this.version = parentKey != null ? OPLOCK_KEY_VERSION_WIN8 : OPLOCK_KEY_VERSION_WIN7;
        this.flags = (targetKey != null ? OPLOCK_KEY_FLAG_TARGET_KEY : 0)
                | (parentKey != null ? OPLOCK_KEY_FLAG_PARENT_KEY : 0);
        this.targetOplockKey = targetKey;
        this.parentOplockKey = parentKey;
        return this;
    }

    /** Clears the context (no key). */
    public void clear() {
        set(null, null);
    }

    /** @return whether the context carries any key */
    public boolean isPresent() {
        return flags != 0;
    }

    public int version() {
        return version;
    }

    public int flags() {
        return flags;
    }

    /** @return ParentOplockKey, or {@code null} when OPLOCK_KEY_FLAG_PARENT_KEY is clear */
    public UUID parentOplockKey() {
        return parentOplockKey;
    }

    /** @return TargetOplockKey, or {@code null} when OPLOCK_KEY_FLAG_TARGET_KEY is clear */
    public UUID targetOplockKey() {
        return targetOplockKey;
    }
}
