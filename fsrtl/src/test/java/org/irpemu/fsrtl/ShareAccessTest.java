package org.irpemu.fsrtl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.irp.AccessMask.DELETE;
import static org.irpemu.irp.AccessMask.FILE_APPEND_DATA;
import static org.irpemu.irp.AccessMask.FILE_EXECUTE;
import static org.irpemu.irp.AccessMask.FILE_READ_ATTRIBUTES;
import static org.irpemu.irp.AccessMask.FILE_READ_DATA;
import static org.irpemu.irp.AccessMask.FILE_READ_EA;
import static org.irpemu.irp.AccessMask.FILE_WRITE_ATTRIBUTES;
import static org.irpemu.irp.AccessMask.FILE_WRITE_DATA;
import static org.irpemu.irp.AccessMask.FILE_WRITE_EA;
import static org.irpemu.irp.AccessMask.READ_CONTROL;
import static org.irpemu.irp.AccessMask.SYNCHRONIZE;
import static org.irpemu.irp.AccessMask.WRITE_DAC;
import static org.irpemu.irp.ShareAccessFlags.FILE_SHARE_DELETE;
import static org.irpemu.irp.ShareAccessFlags.FILE_SHARE_READ;
import static org.irpemu.irp.ShareAccessFlags.FILE_SHARE_WRITE;
import static org.irpemu.status.NtStatus.STATUS_SHARING_VIOLATION;
import static org.irpemu.status.NtStatus.STATUS_SUCCESS;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.irpemu.irp.FileObject;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code IoCheckShareAccess} / {@code IoSetShareAccess} / {@code IoUpdateShareAccess} /
 * {@code IoRemoveShareAccess}, with the expectations taken from the WDK DDI pages and the share-mode
 * rules of {@code CreateFile} / {@code NtCreateFile}:
 *
 * <ul>
 *   <li>only read (FILE_READ_DATA, FILE_EXECUTE), write (FILE_WRITE_DATA, FILE_APPEND_DATA) and DELETE
 *       access take part; every other right (attributes, EAs, READ_CONTROL, SYNCHRONIZE...) neither
 *       conflicts nor is recorded;</li>
 *   <li>a new open conflicts when it asks for an access that some existing open does not share, or
 *       when it does not share an access that some existing open holds.</li>
 * </ul>
 */
class ShareAccessTest {
    private static final int SR = FILE_SHARE_READ;
    private static final int SW = FILE_SHARE_WRITE;
    private static final int SD = FILE_SHARE_DELETE;
    private static final int SRWD = SR | SW | SD;

    private static FileObject fo() {
        return new FileObject(null, "\\x");
    }

    // ---------------------------------------------------------------------------------------------
    // The independent model of the documented rule
    // ---------------------------------------------------------------------------------------------

    /** One recorded open in the model: which of read / write / delete it uses and shares. */
    record Mode(boolean read, boolean write, boolean delete, boolean shRead, boolean shWrite, boolean shDelete) {
        static Mode of(int access, int share) {
            return new Mode((access & (FILE_READ_DATA | FILE_EXECUTE)) != 0,
                    (access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0, (access & DELETE) != 0,
                    (share & SR) != 0, (share & SW) != 0, (share & SD) != 0);
        }

        boolean takesPart() {
            return read || write || delete;
        }

        /** Whether this (new) open is compatible with {@code existing} in both directions. */
        boolean compatibleWith(Mode existing) {
            if (!takesPart() || !existing.takesPart()) {
                return true;
            }
            return !(read && !existing.shRead) && !(write && !existing.shWrite) && !(delete && !existing.shDelete)
                    && !(existing.read && !shRead) && !(existing.write && !shWrite)
                    && !(existing.delete && !shDelete);
        }
    }

    private static int expected(List<Mode> existing, Mode candidate) {
        for (Mode m : existing) {
            if (!candidate.compatibleWith(m)) {
                return STATUS_SHARING_VIOLATION;
            }
        }
        return STATUS_SUCCESS;
    }

    /** Access masks covering every read / write / delete combination, with both spellings of read and write. */
    private static final int[] ACCESSES = {
        0, FILE_READ_DATA, FILE_EXECUTE, FILE_WRITE_DATA, FILE_APPEND_DATA, DELETE,
        FILE_READ_DATA | FILE_WRITE_DATA, FILE_READ_DATA | DELETE, FILE_APPEND_DATA | DELETE,
        FILE_EXECUTE | FILE_APPEND_DATA | DELETE, FILE_READ_ATTRIBUTES | SYNCHRONIZE,
    };

    // ---------------------------------------------------------------------------------------------
    // Hand-written truth table: second open against a first one
    // ---------------------------------------------------------------------------------------------

    static Stream<Arguments> secondOpen() {
        return Stream.of(
                // new access vs existing sharing
                Arguments.of("read, shared read / read", FILE_READ_DATA, SR, FILE_READ_DATA, SR, true),
                Arguments.of("read, not shared / read", FILE_READ_DATA, 0, FILE_READ_DATA, SRWD, false),
                Arguments.of("read, share W|D / read", FILE_READ_DATA, SW | SD, FILE_READ_DATA, SRWD, false),
                Arguments.of("read, share R / write", FILE_READ_DATA, SR, FILE_WRITE_DATA, SRWD, false),
                Arguments.of("read, share R|W / write", FILE_READ_DATA, SR | SW, FILE_WRITE_DATA, SR, true),
                Arguments.of("read, share R|W / append", FILE_READ_DATA, SR | SW, FILE_APPEND_DATA, SR, true),
                Arguments.of("read, share R / append", FILE_READ_DATA, SR, FILE_APPEND_DATA, SRWD, false),
                Arguments.of("read, share R|W / delete", FILE_READ_DATA, SR | SW, DELETE, SRWD, false),
                Arguments.of("read, share R|D / delete", FILE_READ_DATA, SR | SD, DELETE, SR, true),
                Arguments.of("read, share R / execute", FILE_READ_DATA, SR, FILE_EXECUTE, SR, true),
                Arguments.of("read, share W / execute", FILE_READ_DATA, SW, FILE_EXECUTE, SRWD, false),
                // new sharing vs existing access
                Arguments.of("read, share all / read, share W|D", FILE_READ_DATA, SRWD, FILE_READ_DATA, SW | SD, false),
                Arguments.of("execute, share all / read, share W", FILE_EXECUTE, SRWD, FILE_READ_DATA, SW, false),
                Arguments.of("write, share all / read, share R", FILE_WRITE_DATA, SRWD, FILE_READ_DATA, SR, false),
                Arguments.of("write, share all / read, share R|W", FILE_WRITE_DATA, SRWD, FILE_READ_DATA, SR | SW, true),
                Arguments.of("append, share all / read, share R|D", FILE_APPEND_DATA, SRWD, FILE_READ_DATA, SR | SD, false),
                Arguments.of("append, share all / write, share W", FILE_APPEND_DATA, SRWD, FILE_WRITE_DATA, SW, true),
                Arguments.of("delete, share all / read, share R|W", DELETE, SRWD, FILE_READ_DATA, SR | SW, false),
                Arguments.of("delete, share all / read, share D", DELETE, SRWD, FILE_READ_DATA, SD, true),
                Arguments.of("delete, share D / delete, share D", DELETE, SD, DELETE, SD, true),
                Arguments.of("delete, share R|W / delete, share all", DELETE, SR | SW, DELETE, SRWD, false),
                Arguments.of("read|write, share R|W / read|write, share R|W", FILE_READ_DATA | FILE_WRITE_DATA, SR | SW,
                        FILE_READ_DATA | FILE_WRITE_DATA, SR | SW, true),
                Arguments.of("read|write, share R / read, share R", FILE_READ_DATA | FILE_WRITE_DATA, SR,
                        FILE_READ_DATA, SR, false),
                Arguments.of("read|write|delete, share all / read|write|delete, share all",
                        FILE_READ_DATA | FILE_WRITE_DATA | DELETE, SRWD, FILE_READ_DATA | FILE_WRITE_DATA | DELETE, SRWD,
                        true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("secondOpen")
    void secondOpenAgainstFirst(String label, int access1, int share1, int access2, int share2, boolean compatible) {
        ShareAccess sa = new ShareAccess();
        sa.setShareAccess(access1, share1, fo());
        assertThat(sa.checkShareAccess(access2, share2, fo(), false))
                .as(label)
                .isEqualTo(compatible ? STATUS_SUCCESS : STATUS_SHARING_VIOLATION);
    }

    /** Every pair of (access, share) for the first and second opens, against the model. */
    @Test
    void exhaustivePairsMatchTheRule() {
        int cases = 0;
        for (int a1 : ACCESSES) {
            for (int s1 = 0; s1 <= SRWD; s1++) {
                for (int a2 : ACCESSES) {
                    for (int s2 = 0; s2 <= SRWD; s2++) {
                        ShareAccess sa = new ShareAccess();
                        sa.setShareAccess(a1, s1, fo());
                        int want = Mode.of(a2, s2).compatibleWith(Mode.of(a1, s1)) ? STATUS_SUCCESS
                                : STATUS_SHARING_VIOLATION;
                        assertThat(sa.checkShareAccess(a2, s2, fo(), false))
                                .as("first 0x%x/%d, second 0x%x/%d", a1, s1, a2, s2)
                                .isEqualTo(want);
                        cases++;
                    }
                }
            }
        }
        assertThat(cases).isEqualTo(ACCESSES.length * ACCESSES.length * 64);
    }

    // ---------------------------------------------------------------------------------------------
    // Attribute-only opens
    // ---------------------------------------------------------------------------------------------

    @Nested
    class AttributeOnlyOpens {
        private final int[] attributeOnly = {
            FILE_READ_ATTRIBUTES, FILE_WRITE_ATTRIBUTES, SYNCHRONIZE, READ_CONTROL, FILE_READ_EA, FILE_WRITE_EA,
            WRITE_DAC, FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE | READ_CONTROL, 0,
        };

        @Test
        void attributeOnlyOpenIsNeverRefusedByExclusiveOpens() {
            for (int access : attributeOnly) {
                ShareAccess sa = new ShareAccess();
                sa.setShareAccess(FILE_READ_DATA | FILE_WRITE_DATA | DELETE, 0, fo());
                assertThat(sa.checkShareAccess(access, 0, fo(), true)).as("0x%x", access).isEqualTo(STATUS_SUCCESS);
            }
        }

        @Test
        void attributeOnlyOpenNeverRefusesLaterOpens() {
            for (int access : attributeOnly) {
                ShareAccess sa = new ShareAccess();
                sa.setShareAccess(access, 0, fo());
                assertThat(sa.openCount()).isZero();
                assertThat(sa.checkShareAccess(FILE_READ_DATA | FILE_WRITE_DATA | DELETE, 0, fo(), true))
                        .as("0x%x", access)
                        .isEqualTo(STATUS_SUCCESS);
            }
        }

        @Test
        void attributeOnlyOpensAreNotRecorded() {
            ShareAccess sa = new ShareAccess();
            FileObject a = fo();
            sa.setShareAccess(FILE_READ_ATTRIBUTES, 0, a);
            FileObject b = fo();
            assertThat(sa.checkShareAccess(SYNCHRONIZE | READ_CONTROL, 0, b, true)).isEqualTo(STATUS_SUCCESS);
            sa.updateShareAccess(b);
            assertThat(sa.openCount()).isZero();
            // Removing them changes nothing either.
            sa.removeShareAccess(a);
            sa.removeShareAccess(b);
            assertThat(sa.openCount()).isZero();
            assertThat(sa.checkShareAccess(FILE_READ_DATA, 0, fo(), false)).isEqualTo(STATUS_SUCCESS);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Bookkeeping: IoSetShareAccess, IoUpdateShareAccess, IoRemoveShareAccess
    // ---------------------------------------------------------------------------------------------

    @Test
    void checkWithUpdateRecordsTheOpen() {
        ShareAccess sa = new ShareAccess();
        sa.setShareAccess(FILE_READ_DATA, SRWD, fo());
        FileObject second = fo();
        assertThat(sa.checkShareAccess(FILE_READ_DATA, SR, second, true)).isEqualTo(STATUS_SUCCESS);
        assertThat(sa.openCount()).isEqualTo(2);
        // The second open does not share write: a writer is now refused.
        assertThat(sa.checkShareAccess(FILE_WRITE_DATA, SRWD, fo(), false)).isEqualTo(STATUS_SHARING_VIOLATION);
    }

    @Test
    void checkWithoutUpdateRecordsNothing() {
        ShareAccess sa = new ShareAccess();
        sa.setShareAccess(FILE_READ_DATA, SRWD, fo());
        assertThat(sa.checkShareAccess(FILE_READ_DATA, SR, fo(), false)).isEqualTo(STATUS_SUCCESS);
        assertThat(sa.openCount()).isEqualTo(1);
        assertThat(sa.checkShareAccess(FILE_WRITE_DATA, SRWD, fo(), false)).isEqualTo(STATUS_SUCCESS);
    }

    @Test
    void refusedCheckWithUpdateRecordsNothing() {
        ShareAccess sa = new ShareAccess();
        sa.setShareAccess(FILE_READ_DATA, SR, fo());
        assertThat(sa.checkShareAccess(FILE_WRITE_DATA, 0, fo(), true)).isEqualTo(STATUS_SHARING_VIOLATION);
        assertThat(sa.openCount()).isEqualTo(1);
        // The refused open's "share nothing" must not stick: another reader still gets in.
        assertThat(sa.checkShareAccess(FILE_READ_DATA, SR, fo(), false)).isEqualTo(STATUS_SUCCESS);
    }

    @Test
    void updateShareAccessRecordsAnOpenCheckedWithoutUpdate() {
        ShareAccess sa = new ShareAccess();
        sa.setShareAccess(FILE_READ_DATA, SRWD, fo());
        FileObject second = fo();
        assertThat(sa.checkShareAccess(FILE_WRITE_DATA, SR | SW, second, false)).isEqualTo(STATUS_SUCCESS);
        sa.updateShareAccess(second);
        assertThat(sa.openCount()).isEqualTo(2);
        // The recorded second open shares neither delete access...
        assertThat(sa.checkShareAccess(DELETE, SRWD, fo(), false)).isEqualTo(STATUS_SHARING_VIOLATION);
        // ...nor may a new open refuse to share its write access.
        assertThat(sa.checkShareAccess(FILE_READ_DATA, SR | SD, fo(), false)).isEqualTo(STATUS_SHARING_VIOLATION);
        assertThat(sa.checkShareAccess(FILE_READ_DATA, SR | SW, fo(), false)).isEqualTo(STATUS_SUCCESS);
    }

    @Test
    void removeShareAccessForgetsTheOpen() {
        ShareAccess sa = new ShareAccess();
        FileObject exclusive = fo();
        sa.setShareAccess(FILE_READ_DATA | FILE_WRITE_DATA, 0, exclusive);
        assertThat(sa.checkShareAccess(FILE_READ_DATA, SRWD, fo(), false)).isEqualTo(STATUS_SHARING_VIOLATION);
        sa.removeShareAccess(exclusive);
        assertThat(sa.openCount()).isZero();
        assertThat(sa.checkShareAccess(FILE_READ_DATA, 0, fo(), false)).isEqualTo(STATUS_SUCCESS);
    }

    @Test
    void removeShareAccessForgetsOnlyThatOpen() {
        ShareAccess sa = new ShareAccess();
        FileObject reader = fo();
        FileObject writer = fo();
        sa.setShareAccess(FILE_READ_DATA, SR | SW, reader);
        assertThat(sa.checkShareAccess(FILE_WRITE_DATA, SR | SW, writer, true)).isEqualTo(STATUS_SUCCESS);
        sa.removeShareAccess(reader);
        assertThat(sa.openCount()).isEqualTo(1);
        // The writer is still there: an open that does not share write is refused...
        assertThat(sa.checkShareAccess(FILE_READ_DATA, SR, fo(), false)).isEqualTo(STATUS_SHARING_VIOLATION);
        // ...and once it goes too, anything is accepted.
        sa.removeShareAccess(writer);
        assertThat(sa.checkShareAccess(FILE_READ_DATA | FILE_WRITE_DATA | DELETE, 0, fo(), false))
                .isEqualTo(STATUS_SUCCESS);
    }

    @Test
    void setShareAccessStartsAFreshRecord() {
        ShareAccess sa = new ShareAccess();
        sa.setShareAccess(FILE_READ_DATA, 0, fo());
        assertThat(sa.checkShareAccess(FILE_READ_DATA, SRWD, fo(), false)).isEqualTo(STATUS_SHARING_VIOLATION);
        // IoSetShareAccess is for the first open of a stream: it overwrites whatever was recorded.
        sa.setShareAccess(FILE_READ_DATA, SRWD, fo());
        assertThat(sa.openCount()).isEqualTo(1);
        assertThat(sa.checkShareAccess(FILE_READ_DATA | FILE_WRITE_DATA | DELETE, SRWD, fo(), false))
                .isEqualTo(STATUS_SUCCESS);
    }

    @Test
    void openCountCountsOnlyReadWriteDeleteOpens() {
        ShareAccess sa = new ShareAccess();
        sa.setShareAccess(FILE_EXECUTE, SRWD, fo());
        assertThat(sa.checkShareAccess(FILE_APPEND_DATA, SRWD, fo(), true)).isEqualTo(STATUS_SUCCESS);
        assertThat(sa.checkShareAccess(DELETE, SRWD, fo(), true)).isEqualTo(STATUS_SUCCESS);
        assertThat(sa.checkShareAccess(FILE_READ_ATTRIBUTES | SYNCHRONIZE, SRWD, fo(), true)).isEqualTo(STATUS_SUCCESS);
        assertThat(sa.openCount()).isEqualTo(3);
    }

    // ---------------------------------------------------------------------------------------------
    // The file object's access and sharing booleans
    // ---------------------------------------------------------------------------------------------

    @Test
    void checkSetsTheFileObjectAccessAndSharingBooleans() {
        ShareAccess sa = new ShareAccess();
        FileObject f = fo();
        assertThat(sa.checkShareAccess(FILE_READ_DATA | DELETE, SR | SD, f, false)).isEqualTo(STATUS_SUCCESS);
        assertThat(f.readAccess()).isTrue();
        assertThat(f.writeAccess()).isFalse();
        assertThat(f.deleteAccess()).isTrue();
        assertThat(f.sharedRead()).isTrue();
        assertThat(f.sharedWrite()).isFalse();
        assertThat(f.sharedDelete()).isTrue();
    }

    @Test
    void executeCountsAsReadAndAppendAsWrite() {
        ShareAccess sa = new ShareAccess();
        FileObject f = fo();
        sa.setShareAccess(FILE_EXECUTE | FILE_APPEND_DATA, SW, f);
        assertThat(f.readAccess()).isTrue();
        assertThat(f.writeAccess()).isTrue();
        assertThat(f.deleteAccess()).isFalse();
        assertThat(f.sharedRead()).isFalse();
        assertThat(f.sharedWrite()).isTrue();
        assertThat(f.sharedDelete()).isFalse();
    }

    @Test
    void setShareAccessSetsTheBooleansOfTheFirstOpen() {
        ShareAccess sa = new ShareAccess();
        FileObject f = fo();
        sa.setShareAccess(FILE_WRITE_DATA, SRWD, f);
        assertThat(f.readAccess()).isFalse();
        assertThat(f.writeAccess()).isTrue();
        assertThat(f.deleteAccess()).isFalse();
        assertThat(f.sharedRead()).isTrue();
        assertThat(f.sharedWrite()).isTrue();
        assertThat(f.sharedDelete()).isTrue();
    }

    @Test
    void attributeOnlyOpenHasNoAccessBooleans() {
        ShareAccess sa = new ShareAccess();
        FileObject f = fo();
        sa.setShareAccess(FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE, SRWD, f);
        assertThat(f.readAccess()).isFalse();
        assertThat(f.writeAccess()).isFalse();
        assertThat(f.deleteAccess()).isFalse();
    }

    // ---------------------------------------------------------------------------------------------
    // Property: any sequence of opens and closes behaves as the model
    // ---------------------------------------------------------------------------------------------

    /** An action on the stream: open (access bits r/w/d/attr, share) or close the n-th live handle. */
    record Action(boolean open, int access, int share, int closeIndex) {
        @Override
        public String toString() {
            return open ? "open(0x" + Integer.toHexString(access) + ", share " + share + ")" : "close(#" + closeIndex + ")";
        }
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Integer> access = Arbitraries.of(java.util.Arrays.stream(ACCESSES).boxed().toList());
        Arbitrary<Integer> share = Arbitraries.integers().between(0, SRWD);
        Arbitrary<Action> open = Combinators.combine(access, share).as((a, s) -> new Action(true, a, s, 0));
        Arbitrary<Action> close = Arbitraries.integers().between(0, 20).map(i -> new Action(false, 0, 0, i));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, open), net.jqwik.api.Tuple.of(1, close)).list().ofMaxSize(25);
    }

    @Property(tries = 500)
    void sequencesOfOpensAndClosesFollowTheModel(@ForAll("actions") List<Action> actions,
            @ForAll @IntRange(min = 0, max = 1) int firstViaSet) {
        ShareAccess sa = new ShareAccess();
        List<FileObject> handles = new ArrayList<>();
        List<Mode> modes = new ArrayList<>();
        for (Action action : actions) {
            if (action.open()) {
                Mode mode = Mode.of(action.access(), action.share());
                int want = expected(modes, mode);
                FileObject f = fo();
                int got;
                if (handles.isEmpty() && firstViaSet == 1) {
                    // A file system calls IoSetShareAccess for the first open of a stream.
                    sa.setShareAccess(action.access(), action.share(), f);
                    got = STATUS_SUCCESS;
                    want = STATUS_SUCCESS;
                } else {
                    got = sa.checkShareAccess(action.access(), action.share(), f, true);
                }
                assertThat(NtStatus.describe(got)).as("%s after %s", action, modes).isEqualTo(NtStatus.describe(want));
                if (got == STATUS_SUCCESS) {
                    handles.add(f);
                    modes.add(mode);
                }
            } else if (!handles.isEmpty()) {
                int i = action.closeIndex() % handles.size();
                sa.removeShareAccess(handles.remove(i));
                modes.remove(i);
            }
            assertThat(sa.openCount()).isEqualTo((int) modes.stream().filter(Mode::takesPart).count());
        }
    }
}
