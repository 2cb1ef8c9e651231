package org.irpemu.fsrtl;

/**
 * {@code FSRTL_PER_STREAM_CONTEXT}: one filter's context on one stream, identified by its owner and
 * instance ({@code OwnerId}, {@code InstanceId}). Filters extend it with their data.
 */
public class FsRtlPerStreamContext {
    /** {@code FreeCallback}: called when the file system tears the stream's contexts down. */
    @FunctionalInterface
    public interface FreeCallback {
        /** @param context the context, already removed from the stream */
        void free(FsRtlPerStreamContext context);
    }

    private final Object ownerId;
    private final Object instanceId;
    private final FreeCallback freeCallback;
    FsRtlPerStreamContext next;

    /**
     * {@code FsRtlInitPerStreamContext}.
     *
     * @param ownerId identifies the owner (a filter); compared by identity
     * @param instanceId distinguishes several contexts of one owner (an instance), or {@code null}
     * @param freeCallback called at teardown, or {@code null}
     */
    public FsRtlPerStreamContext(Object ownerId, Object instanceId, FreeCallback freeCallback) {
        this.ownerId = ownerId;
        this.instanceId = instanceId;
        this.freeCallback = freeCallback;
    }

    /** @return OwnerId */
    public Object ownerId() {
        return ownerId;
    }

    /** @return InstanceId, or {@code null} */
    public Object instanceId() {
        return instanceId;
    }

    boolean matches(Object owner, Object instance) {
        return ownerId == owner && (instance == null || instanceId == instance);
    }

    void free() {
        if (freeCallback != null) {
            freeCallback.free(this);
        }
    }
}
