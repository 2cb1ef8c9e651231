package org.irpemu.fsrtl;

/**
 * The filter-context part of {@code FSRTL_ADVANCED_FCB_HEADER}: a file system whose stream control block
 * extends this class lets filters attach per-stream contexts to its streams ({@code FsRtlInsertPerStreamContext}
 * and friends, which the Filter Manager uses for {@code FltSetStreamContext}). The file system calls
 * {@link FsRtl#teardownPerStreamContexts} when it frees the stream control block.
 *
 * <p>The list is guarded by the header's own lock (the header's {@code FastMutex}), so filters may reach
 * it from any thread.
 */
public abstract class FsRtlAdvancedFcbHeader {
    /** Guards {@link #filterContexts} ({@code FSRTL_ADVANCED_FCB_HEADER.FastMutex}). */
    final Object filterContextsLock = new Object();
    /** {@code FilterContexts}: the per-stream contexts, most recently inserted first. */
    FsRtlPerStreamContext filterContexts;
}
