package org.irpemu.flt;

import java.util.ArrayList;
import java.util.List;
import org.irpemu.irp.FileObject;

/**
 * What the Filter Manager keeps on a file object (its filter context, {@code IoGetFileObjectFilterContext}):
 * the stream handle contexts set on it, and, for a file a minifilter opened with {@code FltCreateFileEx2},
 * the instance that opened it (its cleanup and close go below that instance).
 */
final class FltFileObjectExtension {
    /** Guarded by the frame's context lock. */
    final List<FltContext> handleContexts = new ArrayList<>(2);
    /** The instance whose {@code FltCreateFileEx2} opened the file, or {@code null} for a caller's handle. */
    volatile FltInstance openedBy;
    /** The frame whose filter opened the file. */
    volatile FilterManager frame;
    /** A filter opened the file and has not closed it yet (FltClose). */
    volatile boolean opened;

    static FltFileObjectExtension of(FileObject fileObject) {
        Object o = fileObject.filterContext();
        return o instanceof FltFileObjectExtension ? (FltFileObjectExtension) o : null;
    }

    /** @return the file object's extension, attached now if it had none */
    static FltFileObjectExtension attach(FileObject fileObject) {
        FltFileObjectExtension ext = of(fileObject);
        if (ext != null) {
            return ext;
        }
        FltFileObjectExtension fresh = new FltFileObjectExtension();
        if (fileObject.changeFilterContext(null, fresh)) {
            return fresh;
        }
        return of(fileObject);
    }

    /** @return the handle context an instance set, or {@code null}; under the frame's context lock */
    FltContext handleContext(FltInstance instance) {
        for (FltContext c : handleContexts) {
            if (c.linkedInstance == instance) {
                return c;
            }
        }
        return null;
    }
}
