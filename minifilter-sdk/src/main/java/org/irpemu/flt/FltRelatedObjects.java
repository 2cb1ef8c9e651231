package org.irpemu.flt;

import org.irpemu.irp.DeviceObject;
import org.irpemu.irp.FileObject;

/**
 * {@code FLT_RELATED_OBJECTS}: the filter, instance, volume and file object of a callback. Reused by
 * the Filter Manager; valid only during the callback.
 */
public final class FltRelatedObjects {
    private FltFilter filter;
    private FltInstance instance;
    private DeviceObject volume;
    private FileObject fileObject;

    void set(FltInstance instance, FileObject fileObject) {
        this.filter = instance.filter();
        this.instance = instance;
        this.volume = instance.volume();
        this.fileObject = fileObject;
    }

    /** @return Filter */
    public FltFilter filter() {
        return filter;
    }

    /** @return Instance */
    public FltInstance instance() {
        return instance;
    }

    /** @return Volume: the volume's file system device */
    public DeviceObject volume() {
        return volume;
    }

    /** @return FileObject */
    public FileObject fileObject() {
        return fileObject;
    }
}
