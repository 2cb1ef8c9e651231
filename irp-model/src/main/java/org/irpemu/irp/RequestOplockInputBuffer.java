package org.irpemu.irp;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over a {@code REQUEST_OPLOCK_INPUT_BUFFER} (winioctl.h), the input of FSCTL_REQUEST_OPLOCK.
 *
 * <p>Layout, 12 bytes, little-endian:
 * <pre>
 *  offset size field
 *   0     2    StructureVersion      must be REQUEST_OPLOCK_CURRENT_VERSION (1)
 *   2     2    StructureLength       12
 *   4     4    RequestedOplockLevel  OPLOCK_LEVEL_CACHE_* bits: 0, R, RH, RW or RWH
 *   8     4    Flags                 REQUEST_OPLOCK_INPUT_FLAG_*
 * </pre>
 * The flyweight holds no state of its own besides the wrapped buffer and offset; wrap it once and reuse.
 */
public final class RequestOplockInputBuffer {
    /** {@code sizeof(REQUEST_OPLOCK_INPUT_BUFFER)}. */
    public static final int ENCODED_LENGTH = 12;
    public static final int REQUEST_OPLOCK_CURRENT_VERSION = 1;

    public static final int REQUEST_OPLOCK_INPUT_FLAG_REQUEST = 0x00000001;
    public static final int REQUEST_OPLOCK_INPUT_FLAG_ACK = 0x00000002;
    public static final int REQUEST_OPLOCK_INPUT_FLAG_COMPLETE_ACK_ON_CLOSE = 0x00000004;

    public static final int STRUCTURE_VERSION_OFFSET = 0;
    public static final int STRUCTURE_LENGTH_OFFSET = 2;
    public static final int REQUESTED_OPLOCK_LEVEL_OFFSET = 4;
    public static final int FLAGS_OFFSET = 8;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final SymbolTable FLAG_NAMES = SymbolTable.of(RequestOplockInputBuffer.class,
            "REQUEST_OPLOCK_INPUT_FLAG_");

    private DirectBuffer buffer;
    private MutableDirectBuffer mutableBuffer;
    private int offset;

    /** Wraps a read-only view; the setters then fail with {@link IllegalStateException}. */
    public RequestOplockInputBuffer wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.mutableBuffer = buffer instanceof MutableDirectBuffer ? (MutableDirectBuffer) buffer : null;
        this.offset = offset;
        return this;
    }

    /** @return the wrapped buffer */
    public DirectBuffer buffer() {
        return buffer;
    }

    /** @return the offset of the structure in the wrapped buffer */
    public int offset() {
        return offset;
    }

    public int structureVersion() {
        return buffer.getShort(offset + STRUCTURE_VERSION_OFFSET, LE) & 0xFFFF;
    }

    public RequestOplockInputBuffer structureVersion(int value) {
        mutable().putShort(offset + STRUCTURE_VERSION_OFFSET, (short) value, LE);
        return this;
    }

    public int structureLength() {
        return buffer.getShort(offset + STRUCTURE_LENGTH_OFFSET, LE) & 0xFFFF;
    }

    public RequestOplockInputBuffer structureLength(int value) {
        mutable().putShort(offset + STRUCTURE_LENGTH_OFFSET, (short) value, LE);
        return this;
    }

    /** @return RequestedOplockLevel, an {@code OPLOCK_LEVEL_CACHE_*} bit set */
    public int requestedOplockLevel() {
        return buffer.getInt(offset + REQUESTED_OPLOCK_LEVEL_OFFSET, LE);
    }

    public RequestOplockInputBuffer requestedOplockLevel(int value) {
        mutable().putInt(offset + REQUESTED_OPLOCK_LEVEL_OFFSET, value, LE);
        return this;
    }

    /** @return Flags, {@code REQUEST_OPLOCK_INPUT_FLAG_*} bits */
    public int flags() {
        return buffer.getInt(offset + FLAGS_OFFSET, LE);
    }

    public RequestOplockInputBuffer flags(int value) {
        mutable().putInt(offset + FLAGS_OFFSET, value, LE);
        return this;
    }

    /** Writes a complete current-version structure: version 1, length 12, the level and flags. */
    public RequestOplockInputBuffer set(int requestedOplockLevel, int flags) {
        return structureVersion(REQUEST_OPLOCK_CURRENT_VERSION).structureLength(ENCODED_LENGTH)
                .requestedOplockLevel(requestedOplockLevel).flags(flags);
    }

    /** @return the flags as {@code REQUEST_OPLOCK_INPUT_FLAG_REQUEST|...}; {@code 0} for none */
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
        return "REQUEST_OPLOCK_INPUT_BUFFER{version=" + structureVersion() + ", length=" + structureLength()
                + ", level=" + OplockLevel.format(requestedOplockLevel()) + ", flags=" + formatFlags(flags()) + '}';
    }
}
