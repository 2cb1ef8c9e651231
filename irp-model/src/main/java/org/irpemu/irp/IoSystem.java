package org.irpemu.irp;

/**
 * What drivers may ask of the I/O manager they are mounted in: work items on a given dispatcher
 * thread ({@code IoQueueWorkItem}, with the dispatcher made explicit because every stream is owned by
 * one dispatcher thread) and the identity of the current thread.
 */
public interface IoSystem {
    /** @return the number of dispatcher threads (at least 1) */
    int dispatcherCount();

    /**
     * @return the index of the dispatcher thread the caller runs on, or -1 when the caller is not a
     *     dispatcher thread of this I/O system
     */
    int currentDispatcher();

    /**
     * {@code IoQueueWorkItem}: runs {@code routine} later on dispatcher {@code dispatcher}, never
     * inline. Callable from any thread; never blocks a dispatcher thread.
     *
     * @param dispatcher 0 .. {@link #dispatcherCount()} - 1
     */
    void queueWorkItem(int dispatcher, IoWorkItemRoutine routine, Object context);

    /**
     * Records a driver bug found on a dispatcher thread (an illegal callback status, a broken rule) so
     * that the caller can see it (IoManager.drainFailures) while the emulator goes on.
     */
    void reportFailure(Throwable failure);

    /**
     * The dispatcher that owns a volume-relative name: a stable hash of the name folded to upper case,
     * modulo {@link #dispatcherCount()}.
     */
    int dispatcherForName(CharSequence volumeRelativeName);
}
