package org.irpemu.flt;

import java.util.ArrayList;
import java.util.List;
import org.irpemu.fsrtl.FsRtl;
import org.irpemu.fsrtl.FsRtlAdvancedFcbHeader;
import org.irpemu.fsrtl.FsRtlPerStreamContext;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Out;
import org.irpemu.status.NtStatus;

/**
 * The Filter Manager's context routines ({@code FltAllocateContext}, {@code FltSet/Get/DeleteXxxContext},
 * {@code FltReferenceContext}, {@code FltReleaseContext}, {@code FltDeleteContext}) and the teardown of
 * contexts with their objects. Stream contexts live on the file system's stream control block through
 * FsRtl's per-stream contexts; stream handle contexts on the file object's filter context; instance
 * contexts on the instance.
 *
 * <p>Contexts are off the hot path: every change of a link is made under one lock per frame, so the
 * routines may be called from any thread (the teardown thread included).
 */
final class FltContexts {
    private FltContexts() {
    }

    /** The per-stream node that carries a stream context on an FsRtl advanced FCB header. */
    private static final class StreamNode extends FsRtlPerStreamContext {
        final FltContext context;

        StreamNode(FltContext context, FltInstance instance) {
            super(context.filter(), instance, node -> streamTornDown((StreamNode) node));
            this.context = context;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Allocation and references
    // ---------------------------------------------------------------------------------------------

    static int allocate(FltFilter filter, int contextType, int size, Out<FltContext> returned) {
        if (filter.unregistering) {
            return NtStatus.STATUS_FLT_DELETING_OBJECT;
        }
        if (!FltContextType.isValid(contextType) || size <= 0 || size > 0xFFFF) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (registration(filter, contextType, size) == null) {
            return NtStatus.STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND;
        }
        String site = filter.frame.verifier() != null ? FltVerifier.callerOutsideKernel() : null;
        FltContext c = new FltContext(filter, contextType, size, site);
        filter.liveContexts.add(c);
        returned.set(c);
        return NtStatus.STATUS_SUCCESS;
    }

    /** The registration that allocates this size: a variable-size one or one of exactly this size. */
    private static FltContextRegistration registration(FltFilter filter, int contextType, int size) {
        for (FltContextRegistration r : filter.registration().contexts()) {
            if (r.contextType() == contextType
                    && (r.size() == FltContextRegistration.FLT_VARIABLE_SIZED_CONTEXTS || r.size() == size)) {
                return r;
            }
        }
        return null;
    }

    static void reference(FltContext c) {
        if (c.freed) {
            report(c, FltVerifier.Rule.CONTEXT_USE_AFTER_FREE, "FltReferenceContext on " + c);
            return;
        }
        c.references.incrementAndGet();
    }

    static void release(FltContext c) {
        if (c.freed) {
            report(c, FltVerifier.Rule.CONTEXT_OVER_RELEASE, "FltReleaseContext on a freed context " + c);
            return;
        }
        int left = c.references.decrementAndGet();
        if (left > 0) {
            return;
        }
        if (left < 0) {
            c.references.set(0);
            report(c, FltVerifier.Rule.CONTEXT_OVER_RELEASE, "FltReleaseContext more often than referenced: " + c);
            return;
        }
        FilterManager frame = c.filter().frame;
        synchronized (frame.contextLock) {
            if (c.linkedTo != null) {
                // The filter released the reference its object holds (bug check 0xF5 / 0x6D). As the rule
                // says, the release is ignored: the object keeps its reference and the context stays set.
                c.references.incrementAndGet();
                report(c, FltVerifier.Rule.CONTEXT_OVER_RELEASE,
                        "the last reference of a context still set on its object was released (ignored): " + c);
                return;
            }
        }
        free(c);
    }

    private static void free(FltContext c) {
        c.freed = true;
        c.filter().liveContexts.remove(c);
        FltContextRegistration r = registration(c.filter(), c.contextType(), c.buffer().capacity());
        if (r != null && r.cleanupCallback() != null) {
            try {
                r.cleanupCallback().cleanup(c, c.contextType());
            } catch (RuntimeException e) {
                FltVerifier v = c.filter().frame.verifier();
                if (v != null) {
                    v.report(FltVerifier.Rule.CALLBACK_EXCEPTION, c.filter(), FltVerifier.siteOf(e),
                            "context cleanup callback threw " + e);
                }
            }
        }
    }

    private static void report(FltContext c, FltVerifier.Rule rule, String message) {
        FltVerifier v = c.filter().frame.verifier();
        if (v != null) {
            v.report(rule, c.filter(), null, message);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Set, get, delete
    // ---------------------------------------------------------------------------------------------

    /**
     * FltSetInstanceContext / FltSetStreamContext / FltSetStreamHandleContext.
     *
     * @param fileObject the stream or handle; ignored for instance contexts
     */
    static int set(FltInstance instance, int contextType, FileObject fileObject, int operation, FltContext newContext,
            Out<FltContext> oldContext) {
        if (newContext == null || newContext.contextType() != contextType
                || (operation != FltContextType.FLT_SET_CONTEXT_REPLACE_IF_EXISTS
                && operation != FltContextType.FLT_SET_CONTEXT_KEEP_IF_EXISTS)) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (newContext.freed) {
            report(newContext, FltVerifier.Rule.CONTEXT_USE_AFTER_FREE, "set of a freed context " + newContext);
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        int supported = supported(contextType, fileObject);
        if (supported != NtStatus.STATUS_SUCCESS) {
            return supported;
        }
        FilterManager frame = instance.frame;
        FltContext replaced = null;
        synchronized (frame.contextLock) {
            if (instance.state != FltInstance.ATTACHED) {
                return NtStatus.STATUS_FLT_DELETING_OBJECT;
            }
            if (newContext.linkedTo != null) {
                return NtStatus.STATUS_FLT_CONTEXT_ALREADY_LINKED;
            }
            FltContext existing = find(instance, contextType, fileObject);
            if (existing != null) {
                if (operation == FltContextType.FLT_SET_CONTEXT_KEEP_IF_EXISTS) {
                    if (oldContext != null) {
                        existing.references.incrementAndGet();
                        oldContext.set(existing);
                    }
                    return NtStatus.STATUS_FLT_CONTEXT_ALREADY_DEFINED;
                }
                unlink(existing);
                replaced = existing;
            }
            link(instance, contextType, fileObject, newContext);
            newContext.references.incrementAndGet();
        }
        if (replaced != null) {
            if (oldContext != null) {
                oldContext.set(replaced); // the object's reference passes to the caller
            } else {
                release(replaced);
            }
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /** FltGetInstanceContext / FltGetStreamContext / FltGetStreamHandleContext: a referenced context. */
    static int get(FltInstance instance, int contextType, FileObject fileObject, Out<FltContext> context) {
        int supported = supported(contextType, fileObject);
        if (supported != NtStatus.STATUS_SUCCESS) {
            return supported;
        }
        synchronized (instance.frame.contextLock) {
            FltContext c = find(instance, contextType, fileObject);
            if (c == null) {
                return NtStatus.STATUS_NOT_FOUND;
            }
            c.references.incrementAndGet();
            context.set(c);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /** FltDeleteInstanceContext / FltDeleteStreamContext / FltDeleteStreamHandleContext. */
    static int delete(FltInstance instance, int contextType, FileObject fileObject, Out<FltContext> oldContext) {
        int supported = supported(contextType, fileObject);
        if (supported != NtStatus.STATUS_SUCCESS) {
            return supported;
        }
        FltContext c;
        synchronized (instance.frame.contextLock) {
            if (instance.state == FltInstance.DETACHED) {
                return NtStatus.STATUS_FLT_DELETING_OBJECT;
            }
            c = find(instance, contextType, fileObject);
            if (c == null) {
                return NtStatus.STATUS_NOT_FOUND;
            }
            unlink(c);
        }
        if (oldContext != null) {
            oldContext.set(c);
        } else {
            release(c);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /** FltDeleteContext: detaches the context from its object and drops the object's reference. */
    static void deleteContext(FltContext c) {
        if (c.freed) {
            report(c, FltVerifier.Rule.CONTEXT_USE_AFTER_FREE, "FltDeleteContext on a freed context " + c);
            return;
        }
        boolean wasLinked;
        synchronized (c.filter().frame.contextLock) {
            wasLinked = c.linkedTo != null;
            if (wasLinked) {
                unlink(c);
            }
        }
        if (wasLinked) {
            release(c);
        }
    }

    private static int supported(int contextType, FileObject fileObject) {
        switch (contextType) {
            case FltContextType.FLT_INSTANCE_CONTEXT:
                return NtStatus.STATUS_SUCCESS;
            case FltContextType.FLT_STREAM_CONTEXT:
                if (fileObject == null) {
                    return NtStatus.STATUS_INVALID_PARAMETER;
                }
                return FsRtl.supportsPerStreamContexts(fileObject) ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_NOT_SUPPORTED;
            case FltContextType.FLT_STREAMHANDLE_CONTEXT:
                if (fileObject == null) {
                    return NtStatus.STATUS_INVALID_PARAMETER;
                }
                // Not on a file object the file system has not opened (pre-create): a failed create would
                // never see the IRP_MJ_CLOSE that deletes the context.
                return fileObject.fsContext() == null ? NtStatus.STATUS_NOT_SUPPORTED : NtStatus.STATUS_SUCCESS;
            default:
                return NtStatus.STATUS_NOT_SUPPORTED;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Links (under the frame's context lock)
    // ---------------------------------------------------------------------------------------------

    private static FltContext find(FltInstance instance, int contextType, FileObject fileObject) {
        switch (contextType) {
            case FltContextType.FLT_INSTANCE_CONTEXT:
                return instance.instanceContext;
            case FltContextType.FLT_STREAM_CONTEXT: {
                FsRtlPerStreamContext node = FsRtl.lookupPerStreamContext(
                        (FsRtlAdvancedFcbHeader) fileObject.fsContext(), instance.filter(), instance);
                return node == null ? null : ((StreamNode) node).context;
            }
            default: {
                FltFileObjectExtension ext = FltFileObjectExtension.of(fileObject);
                return ext == null ? null : ext.handleContext(instance);
            }
        }
    }

    private static void link(FltInstance instance, int contextType, FileObject fileObject, FltContext c) {
        switch (contextType) {
            case FltContextType.FLT_INSTANCE_CONTEXT:
                instance.instanceContext = c;
                c.linkedTo = instance;
                break;
            case FltContextType.FLT_STREAM_CONTEXT: {
                FsRtlAdvancedFcbHeader header = (FsRtlAdvancedFcbHeader) fileObject.fsContext();
                StreamNode node = new StreamNode(c, instance);
                FsRtl.insertPerStreamContext(header, node);
                c.linkedTo = header;
                break;
            }
            default: {
                FltFileObjectExtension ext = FltFileObjectExtension.attach(fileObject);
                ext.handleContexts.add(c);
                c.linkedTo = ext;
                break;
            }
        }
        c.linkedInstance = instance;
        instance.linkedContexts.add(c);
    }

    /** Detaches a context from its object; the caller releases the object's reference. */
    private static void unlink(FltContext c) {
        Object where = c.linkedTo;
        FltInstance instance = c.linkedInstance;
        if (where == instance) {
            instance.instanceContext = null;
        } else if (where instanceof FltFileObjectExtension) {
            ((FltFileObjectExtension) where).handleContexts.remove(c);
        } else if (where instanceof FsRtlAdvancedFcbHeader) {
            FsRtl.removePerStreamContext((FsRtlAdvancedFcbHeader) where, c.filter(), instance);
        }
        c.linkedTo = null;
        c.linkedInstance = null;
        if (instance != null) {
            instance.linkedContexts.remove(c);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Teardown with the objects
    // ---------------------------------------------------------------------------------------------

    /** FsRtlTeardownPerStreamContexts freed the stream: the context loses the stream's reference. */
    private static void streamTornDown(StreamNode node) {
        FltContext c = node.context;
        boolean wasLinked;
        synchronized (c.filter().frame.contextLock) {
            wasLinked = c.linkedTo != null;
            if (wasLinked) {
                // Already removed from the header by FsRtl: only our side of the link remains.
                FltInstance instance = c.linkedInstance;
                c.linkedTo = null;
                c.linkedInstance = null;
                if (instance != null) {
                    instance.linkedContexts.remove(c);
                }
            }
        }
        if (wasLinked) {
            release(c);
        }
    }

    /** The file object was closed: its stream handle contexts lose their reference. */
    static void fileObjectClosed(FilterManager frame, FileObject fileObject) {
        FltFileObjectExtension ext = FltFileObjectExtension.of(fileObject);
        if (ext == null) {
            return;
        }
        List<FltContext> gone;
        synchronized (frame.contextLock) {
            gone = new ArrayList<>(ext.handleContexts);
            for (FltContext c : gone) {
                unlink(c);
            }
        }
        for (FltContext c : gone) {
            release(c);
        }
    }

    /** The instance is going away: every context set for it loses its object's reference. */
    static void instanceTornDown(FltInstance instance) {
        List<FltContext> gone;
        synchronized (instance.frame.contextLock) {
            gone = new ArrayList<>(instance.linkedContexts);
            for (FltContext c : gone) {
                unlink(c);
            }
        }
        for (FltContext c : gone) {
            release(c);
        }
    }

    /** At unload: every context the filter allocated and never released is a leak. */
    static void reportLeaks(FltFilter filter) {
        FltVerifier v = filter.frame.verifier();
        for (FltContext c : new ArrayList<>(filter.liveContexts)) {
            if (v != null) {
                v.report(FltVerifier.Rule.CONTEXT_LEAK, filter, c.allocationSite,
                        FltContextType.name(c.contextType()) + " still has " + c.references.get()
                                + " reference(s) at unload");
            }
        }
    }
}
