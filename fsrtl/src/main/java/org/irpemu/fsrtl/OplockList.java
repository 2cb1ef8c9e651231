package org.irpemu.fsrtl;

/**
 * An intrusive doubly linked list of grants or waiters, in insertion order. Removing while iterating
 * is safe when the caller saves {@code next} first.
 */
final class OplockList<T extends OplockList.Node<T>> {
    /** A list element; an element is in at most one list at a time. */
    abstract static class Node<T extends Node<T>> {
        T next;
        T prev;
        OplockList<T> list;
    }

    private T head;
    private T tail;
    private int size;

    T first() {
        return head;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(T node) {
        if (node.list != null) {
            throw new IllegalStateException("already in a list");
        }
        node.list = this;
        node.prev = tail;
        node.next = null;
        if (tail != null) {
            tail.next = node;
        } else {
            head = node;
        }
        tail = node;
        size++;
    }

    void remove(T node) {
        if (node.list != this) {
            throw new IllegalStateException("not in this list");
        }
        if (node.prev != null) {
            node.prev.next = node.next;
        } else {
            head = node.next;
        }
        if (node.next != null) {
            node.next.prev = node.prev;
        } else {
            tail = node.prev;
        }
        node.next = null;
        node.prev = null;
        node.list = null;
        size--;
    }

    T removeFirst() {
        T h = head;
        if (h != null) {
            remove(h);
        }
        return h;
    }
}
