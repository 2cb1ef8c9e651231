package org.irpemu.fs;

import java.util.HashMap;

/**
 * One dispatcher thread's memory of the names it resolved to existing files: an open of a name seen
 * before skips splitting and walking the path (no allocation on the hot path). Entries are valid for one
 * generation of the volume's name space; any create, delete, rename or link starts a new one. It also
 * keeps the thread's spare CCBs, so that opening and closing handles allocates nothing.
 */
final class PathCache {
    /** The most names kept; past it the cache starts again empty. */
    static final int CAPACITY = 4096;

    /** One resolved name. */
    static final class Entry {
        Fcb target;
        Fcb parent;
        String linkName;
        long generation;
    }

    private final HashMap<String, Entry> entries = new HashMap<>();
    private Ccb[] spareCcbs = new Ccb[16];
    private int spareCount;

    Ccb takeCcb() {
        if (spareCount == 0) {
            return new Ccb();
        }
        Ccb c = spareCcbs[--spareCount];
        spareCcbs[spareCount] = null;
        return c;
    }

    void giveCcb(Ccb c) {
        c.set(null, 0, 0);
        if (spareCount == spareCcbs.length) {
            if (spareCount >= CAPACITY) {
                return;
            }
            spareCcbs = java.util.Arrays.copyOf(spareCcbs, spareCount * 2);
        }
        spareCcbs[spareCount++] = c;
    }

    /** @return the resolution of {@code name} made in {@code generation}, or {@code null} */
    Entry get(String name, long generation) {
        Entry e = entries.get(name);
        return e != null && e.generation == generation ? e : null;
    }

    /** Remembers a resolution made while the name space was at {@code generation}. */
    void put(String name, Fcb target, Fcb parent, String linkName, long generation) {
        Entry e = entries.get(name);
        if (e == null) {
            if (entries.size() >= CAPACITY) {
                entries.clear();
            }
            e = new Entry();
            entries.put(name, e);
        }
        e.target = target;
        e.parent = parent;
        e.linkName = linkName;
        e.generation = generation;
    }
}
