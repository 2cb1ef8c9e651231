package org.irpemu.fs;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The contents of a file, stored sparsely in 4 KiB pages: ranges never written read as zeros, so a
 * volume can hold files of their real sizes (as inferred from a capture) without storing them.
 */
final class FileData {
    static final int PAGE = 4096;

    private final Long2ObjectHashMap<byte[]> pages = new Long2ObjectHashMap<>();

    /** Copies {@code length} bytes at {@code offset} into {@code dst} (zeros where nothing was written). */
    void read(long offset, MutableDirectBuffer dst, int dstOffset, int length) {
        int done = 0;
        while (done < length) {
            long pos = offset + done;
            long page = pos / PAGE;
            int inPage = (int) (pos % PAGE);
            int n = Math.min(PAGE - inPage, length - done);
            byte[] p = pages.get(page);
            if (p == null) {
                dst.setMemory(dstOffset + done, n, (byte) 0);
            } else {
                dst.putBytes(dstOffset + done, p, inPage, n);
            }
            done += n;
        }
    }

    /** Writes {@code length} bytes at {@code offset}; a null source writes zeros. */
    void write(long offset, DirectBuffer src, int srcOffset, int length) {
        int done = 0;
        while (done < length) {
            long pos = offset + done;
            long page = pos / PAGE;
            int inPage = (int) (pos % PAGE);
            int n = Math.min(PAGE - inPage, length - done);
            byte[] p = pages.get(page);
            if (src == null) {
                if (p != null) {
                    java.util.Arrays.fill(p, inPage, inPage + n, (byte) 0);
                }
            } else {
                if (p == null) {
                    p = new byte[PAGE];
                    pages.put(page, p);
                }
                src.getBytes(srcOffset + done, p, inPage, n);
            }
            done += n;
        }
    }

    /** Forgets everything at and beyond {@code size} (truncation). */
    void truncate(long size) {
        long firstWhole = (size + PAGE - 1) / PAGE;
        pages.keySet().removeIf(k -> k >= firstWhole);
        long partial = size / PAGE;
        byte[] p = pages.get(partial);
        if (p != null && size % PAGE != 0) {
            java.util.Arrays.fill(p, (int) (size % PAGE), PAGE, (byte) 0);
        }
    }
}
