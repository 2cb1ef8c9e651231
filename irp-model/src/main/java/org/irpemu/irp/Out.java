package org.irpemu.irp;

/**
 * An out parameter, C's {@code T *}: routines that return an NTSTATUS and hand back an object through a
 * pointer ({@code FltGetStreamContext(Instance, FileObject, &Context)}) take one of these. Reusable; the
 * routine sets it only where its page says it does (usually on success), and leaves it alone otherwise.
 *
 * @param <T> the pointed-to type
 */
public final class Out<T> {
    private T value;

    /** @return the value the routine stored, or what the caller stored before */
    public T get() {
        return value;
    }

    /** Stores a value (routines; callers may preset or clear it). */
    public void set(T value) {
        this.value = value;
    }

    @Override
    public String toString() {
        return String.valueOf(value);
    }
}
