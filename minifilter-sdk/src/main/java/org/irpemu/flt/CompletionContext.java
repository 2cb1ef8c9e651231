package org.irpemu.flt;

/**
 * The {@code PVOID *CompletionContext} out-parameter of a pre-operation callback: what it stores here
 * is handed to its post-operation callback. Reused by the Filter Manager; do not keep a reference.
 */
public final class CompletionContext {
    private Object value;

    /** Stores the context for the post-operation callback. */
    public void set(Object value) {
        this.value = value;
    }

    /** @return the stored context, or {@code null} */
    public Object get() {
        return value;
    }

    void clear() {
        value = null;
    }
}
