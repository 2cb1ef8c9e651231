package org.irpemu.irp;

/**
 * Special ByteOffset values of reads and writes ({@code wdm.h}): LowPart the constant, HighPart -1,
 * read as one signed 64-bit value.
 */
public final class ByteOffset {
    /** Write at the end of the file (append): {@code FILE_WRITE_TO_END_OF_FILE}, -1. */
    public static final long FILE_WRITE_TO_END_OF_FILE = -1L;
    /** Use the file object's CurrentByteOffset (synchronous handles): {@code FILE_USE_FILE_POINTER_POSITION}, -2. */
    public static final long FILE_USE_FILE_POINTER_POSITION = -2L;

    private ByteOffset() {
    }
}
