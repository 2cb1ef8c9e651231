package org.irpemu.flt;

/**
 * {@code FLT_CONTEXT_REGISTRATION}: a context type a minifilter uses, its size and its cleanup callback.
 * {@code FltAllocateContext} fails with STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND for a type that is not
 * registered.
 */
public final class FltContextRegistration {
    /** Size: any size may be allocated ({@code FLT_VARIABLE_SIZED_CONTEXTS}). */
    public static final int FLT_VARIABLE_SIZED_CONTEXTS = -1;

    private final int contextType;
    private final int size;
    private final FltContextCleanupCallback cleanupCallback;

    /**
     * @param contextType an {@link FltContextType} value
     * @param size the size of the filter's part in bytes, or {@link #FLT_VARIABLE_SIZED_CONTEXTS}; a fixed
     *     size is the only size {@code FltAllocateContext} accepts for the type
     * @param cleanupCallback {@code ContextCleanupCallback}, or {@code null}
     * @throws IllegalArgumentException for an unknown type or a negative size other than variable
     */
    public FltContextRegistration(int contextType, int size, FltContextCleanupCallback cleanupCallback) {
        if (!FltContextType.isValid(contextType)) {
            throw new IllegalArgumentException("not a context type: 0x" + Integer.toHexString(contextType));
        }
        if (size < 0 && size != FLT_VARIABLE_SIZED_CONTEXTS) {
            throw new IllegalArgumentException("context size " + size);
        }
        this.contextType = contextType;
        this.size = size;
        this.cleanupCallback = cleanupCallback;
    }

    /** @return ContextType */
    public int contextType() {
        return contextType;
    }

    /** @return Size, bytes, or {@link #FLT_VARIABLE_SIZED_CONTEXTS} */
    public int size() {
        return size;
    }

    /** @return ContextCleanupCallback, or {@code null} */
    public FltContextCleanupCallback cleanupCallback() {
        return cleanupCallback;
    }
}
