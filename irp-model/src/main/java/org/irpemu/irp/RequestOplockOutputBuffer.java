package org.irpemu.irp;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over a {@code REQUEST_OPLOCK_OUTPUT_BUFFER} (winioctl.h), the output of FSCTL_REQUEST_OPLOCK.
 *
 * <p>Layout, 24 bytes, little-endian:
 * <pre>
 *  offset size field
 *   0     2    StructureVersion     REQUEST_OPLOCK_CURRENT_VERSION (1)
 *   2     2    StructureLength      24
 *   4     4    OriginalOplockLevel  the level the oplock had before the break (OPLOCK_LEVEL_CACHE_*)
 *   8     4    NewOplockLevel       the level it is broken to
 *  12     4    Flags                REQUEST_OPLOCK_OUTPUT_FLAG_*
 *  16     4    AccessMode           the breaking open's access, when MODES_PROVIDED
 *  20     2    ShareMode            the breaking open's share access, when MODES_PROVIDED
 *  22     2    (padding)
 * </pre>
 */
public final class RequestOplockOutputBuffer {
    /** {@code sizeof(REQUEST_OPLOCK_OUTPUT_BUFFER)}. */
    public static final int ENCODED_LENGTH = 24;

    public static final int REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED = 0x00000001;
    public static final int REQUEST_OPLOCK_OUTPUT_FLAG_MODES_PROVIDED = 0x00000002;
    public static final int REQUEST_OPLOCK_OUTPUT_FLAG_WRITABLE_SECTION_PRESENT = 0x00000004;

    public static final int STRUCTURE_VERSION_OFFSET = 0;
    public static final int STRUCTURE_LENGTH_OFFSET = 2;
    public static final int ORIGINAL_OPLOCK_LEVEL_OFFSET = 4;
    public static final int NEW_OPLOCK_LEVEL_OFFSET = 8;
    public static final int FLAGS_OFFSET = 12;
    public static final int ACCESS_MODE_OFFSET = 16;
    public static final int SHARE_MODE_OFFSET = 20;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final SymbolTable FLAG_NAMES = SymbolTable.of(RequestOplockOutputBuffer.class,
            "REQUEST_OPLOCK_OUTPUT_FLAG_");

    private DirectBuffer buffer;
    private MutableDirectBuffer mutableBuffer;
    private int offset;

    /** Wraps a read-only view; the setters then fail with {@link IllegalStateException}. */
    public RequestOplockOutputBuffer wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.mutableBuffer = buffer instanceof MutableDirectBuffer ? (MutableDirectBuffer) buffer : null;
        this.offset = offset;
        return this;
    }

    /** @return the wrapped buffer */
    public DirectBuffer buffer() {
        return buffer;
    }

    public int structureVersion() {
        return buffer.getShort(offset + STRUCTURE_VERSION_OFFSET, LE) & 0xFFFF;
    }

    public RequestOplockOutputBuffer structureVersion(int value) {
        mutable().putShort(offset + STRUCTURE_VERSION_OFFSET, (short) value, LE);
        return this;
    }

    public int structureLength() {
        return buffer.getShort(offset + STRUCTURE_LENGTH_OFFSET, LE) & 0xFFFF;
    }

    public RequestOplockOutputBuffer structureLength(int value) {
        mutable().putShort(offset + STRUCTURE_LENGTH_OFFSET, (short) value, LE);
        return this;
    }

    public int originalOplockLevel() {
        return buffer.getInt(offset + ORIGINAL_OPLOCK_LEVEL_OFFSET, LE);
    }

    public RequestOplockOutputBuffer originalOplockLevel(int value) {
        mutable().putInt(offset + ORIGINAL_OPLOCK_LEVEL_OFFSET, value, LE);
        return this;
    }

    public int newOplockLevel() {
        return buffer.getInt(offset + NEW_OPLOCK_LEVEL_OFFSET, LE);
    }

    public RequestOplockOutputBuffer newOplockLevel(int value) {
        mutable().putInt(offset + NEW_OPLOCK_LEVEL_OFFSET, value, LE);
        return this;
    }

    /** @return Flags, {@code REQUEST_OPLOCK_OUTPUT_FLAG_*} bits */
    public int flags() {
        return buffer.getInt(offset + FLAGS_OFFSET, LE);
    }

    public RequestOplockOutputBuffer flags(int value) {
        mutable().putInt(offset + FLAGS_OFFSET, value, LE);
        return this;
    }

    /** @return AccessMode, an ACCESS_MASK */
    public int accessMode() {
        return buffer.getInt(offset + ACCESS_MODE_OFFSET, LE);
    }

    public RequestOplockOutputBuffer accessMode(int value) {
        mutable().putInt(offset + ACCESS_MODE_OFFSET, value, LE);
        return this;
    }

    /** @return ShareMode, {@code FILE_SHARE_*} bits (16 bits) */
    public int shareMode() {
        return buffer.getShort(offset + SHARE_MODE_OFFSET, LE) & 0xFFFF;
    }

    public RequestOplockOutputBuffer shareMode(int value) {
        mutable().putShort(offset + SHARE_MODE_OFFSET, (short) value, LE);
        return this;
    }

    /**
     * Writes a complete structure: version 1, length 24, the levels and flags, access and share mode
     * (zero unless MODES_PROVIDED), padding zeroed.
     */
    public RequestOplockOutputBuffer set(int originalLevel, int newLevel, int flags, int accessMode, int shareMode) {
        structureVersion(RequestOplockInputBuffer.REQUEST_OPLOCK_CURRENT_VERSION).structureLength(ENCODED_LENGTH)
                .originalOplockLevel(originalLevel).newOplockLevel(newLevel).flags(flags).accessMode(accessMode)
                .shareMode(shareMode);
        mutable().putShort(offset + SHARE_MODE_OFFSET + 2, (short) 0, LE);
        return this;
    }

    /**
     * Writes a complete structure at {@code offset} of {@code buffer} without a flyweight instance
     * (for code that must not allocate or keep one per thread).
     */
    public static void write(MutableDirectBuffer buffer, int offset, int originalLevel, int newLevel, int flags,
            int accessMode, int shareMode) {
        buffer.putShort(offset + STRUCTURE_VERSION_OFFSET, (short) RequestOplockInputBuffer.REQUEST_OPLOCK_CURRENT_VERSION, LE);
        buffer.putShort(offset + STRUCTURE_LENGTH_OFFSET, (short) ENCODED_LENGTH, LE);
        buffer.putInt(offset + ORIGINAL_OPLOCK_LEVEL_OFFSET, originalLevel, LE);
        buffer.putInt(offset + NEW_OPLOCK_LEVEL_OFFSET, newLevel, LE);
        buffer.putInt(offset + FLAGS_OFFSET, flags, LE);
        buffer.putInt(offset + ACCESS_MODE_OFFSET, accessMode, LE);
        buffer.putShort(offset + SHARE_MODE_OFFSET, (short) shareMode, LE);
        buffer.putShort(offset + SHARE_MODE_OFFSET + 2, (short) 0, LE);
    }

    /** @return the flags as {@code REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED|...}; {@code 0} for none */
    public static String formatFlags(int flags) {
        return FLAG_NAMES.formatFlags(flags);
    }

    private MutableDirectBuffer mutable() {
        if (mutableBuffer == null) {
            throw new IllegalStateException("read-only buffer");
        }
        return mutableBuffer;
    }

    @Override
    public String toString() {
        return "REQUEST_OPLOCK_OUTPUT_BUFFER{original=" + OplockLevel.format(originalOplockLevel()) + ", new="
                + OplockLevel.format(newOplockLevel()) + ", flags=" + formatFlags(flags()) + '}';
    }
}
