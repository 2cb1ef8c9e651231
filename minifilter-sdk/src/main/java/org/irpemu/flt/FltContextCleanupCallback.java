package org.irpemu.flt;

/**
 * {@code PFLT_CONTEXT_CLEANUP_CALLBACK}: called once, just before a context is freed (its last reference
 * released), to free what the filter keeps in it. It must not reference the context again.
 */
@FunctionalInterface
public interface FltContextCleanupCallback {
    /**
     * @param context the context being freed
     * @param contextType its {@link FltContextType} value
     */
    void cleanup(FltContext context, int contextType);
}
