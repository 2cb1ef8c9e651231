package org.irpemu.flt;

import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code PFLT_CONTEXT}: a minifilter's context, allocated with {@code Flt.allocateContext} and attached to
 * an instance, a stream or a stream handle with {@code Flt.setInstanceContext}, {@code Flt.setStreamContext}
 * or {@code Flt.setStreamHandleContext}. Reference counted as in the WDK: the allocation holds one
 * reference, the object it is set on holds one, each successful get and each {@code Flt.referenceContext}
 * adds one, and {@code Flt.releaseContext} drops one; at zero the cleanup callback runs and the context is
 * freed.
 *
 * <p>The filter's data lives in {@link #buffer()} (ContextSize bytes, as in C; not zeroed by the WDK,
 * zeroed here) and, for Java convenience, in {@link #attachment()}.
 */
public final class FltContext {
    private final FltFilter filter;
    private final int contextType;
    private final UnsafeBuffer buffer;
    private volatile Object attachment;
    final AtomicInteger references = new AtomicInteger(1);
    /** Where it is set (an FsRtl stream node, a file object's extension, an instance), guarded by the frame's context lock. */
    Object linkedTo;
    /** The instance it was set for, guarded by the frame's context lock. */
    FltInstance linkedInstance;
    volatile boolean freed;
    /** Where it was allocated (with the verifier on), for leak reports. */
    final String allocationSite;

    FltContext(FltFilter filter, int contextType, int size, String allocationSite) {
        this.filter = filter;
        this.contextType = contextType;
        this.buffer = new UnsafeBuffer(new byte[size]);
        this.allocationSite = allocationSite;
    }

    /** @return the filter that allocated it */
    public FltFilter filter() {
        return filter;
    }

    /** @return its {@link FltContextType} value */
    public int contextType() {
        return contextType;
    }

    /** @return the filter-defined part, ContextSize bytes */
    public MutableDirectBuffer buffer() {
        return buffer;
    }

    /** @return the Java object the filter keeps in the context, or {@code null} */
    public Object attachment() {
        return attachment;
    }

    /** Keeps a Java object in the context (its cleanup callback should let go of it). */
    public void attachment(Object value) {
        this.attachment = value;
    }

    @Override
    public String toString() {
        return FltContextType.name(contextType) + "@" + Integer.toHexString(System.identityHashCode(this)) + " of "
                + filter.name() + " (references " + references.get() + (freed ? ", freed" : "") + ")";
    }
}
