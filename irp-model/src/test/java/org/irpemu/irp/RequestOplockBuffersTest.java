package org.irpemu.irp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Byte-exact layouts of REQUEST_OPLOCK_INPUT_BUFFER (12 bytes) and REQUEST_OPLOCK_OUTPUT_BUFFER
 * (24 bytes), little-endian, as the "Buffers" section of oplock-reference.md gives them. The expected
 * bytes are written out by hand.
 */
class RequestOplockBuffersTest {
    /** An RWH oplock broken to RH by an open with FILE_GENERIC_READ and full sharing. */
    private static final byte[] RWH_TO_RH_OUTPUT = bytes(
            0x01, 0x00,             // StructureVersion = 1
            0x18, 0x00,             // StructureLength = 24
            0x07, 0x00, 0x00, 0x00, // OriginalOplockLevel = RWH
            0x03, 0x00, 0x00, 0x00, // NewOplockLevel = RH
            0x03, 0x00, 0x00, 0x00, // Flags = ACK_REQUIRED | MODES_PROVIDED
            0x89, 0x00, 0x12, 0x00, // AccessMode = FILE_GENERIC_READ 0x120089
            0x07, 0x00,             // ShareMode = READ | WRITE | DELETE
            0x00, 0x00);            // padding

    @Test
    void constants() {
        assertThat(OplockLevel.OPLOCK_LEVEL_CACHE_READ).isEqualTo(0x1);
        assertThat(OplockLevel.OPLOCK_LEVEL_CACHE_HANDLE).isEqualTo(0x2);
        assertThat(OplockLevel.OPLOCK_LEVEL_CACHE_WRITE).isEqualTo(0x4);
        assertThat(RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST).isEqualTo(0x1);
        assertThat(RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK).isEqualTo(0x2);
        assertThat(RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_COMPLETE_ACK_ON_CLOSE).isEqualTo(0x4);
        assertThat(RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED).isEqualTo(0x1);
        assertThat(RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_MODES_PROVIDED).isEqualTo(0x2);
        assertThat(RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_WRITABLE_SECTION_PRESENT).isEqualTo(0x4);
        assertThat(RequestOplockInputBuffer.REQUEST_OPLOCK_CURRENT_VERSION).isEqualTo(1);
        assertThat(RequestOplockInputBuffer.ENCODED_LENGTH).isEqualTo(12);
        assertThat(RequestOplockOutputBuffer.ENCODED_LENGTH).isEqualTo(24);
    }

    @Test
    void fieldOffsets() {
        assertThat(RequestOplockInputBuffer.STRUCTURE_VERSION_OFFSET).isEqualTo(0);
        assertThat(RequestOplockInputBuffer.STRUCTURE_LENGTH_OFFSET).isEqualTo(2);
        assertThat(RequestOplockInputBuffer.REQUESTED_OPLOCK_LEVEL_OFFSET).isEqualTo(4);
        assertThat(RequestOplockInputBuffer.FLAGS_OFFSET).isEqualTo(8);
        assertThat(RequestOplockOutputBuffer.STRUCTURE_VERSION_OFFSET).isEqualTo(0);
        assertThat(RequestOplockOutputBuffer.STRUCTURE_LENGTH_OFFSET).isEqualTo(2);
        assertThat(RequestOplockOutputBuffer.ORIGINAL_OPLOCK_LEVEL_OFFSET).isEqualTo(4);
        assertThat(RequestOplockOutputBuffer.NEW_OPLOCK_LEVEL_OFFSET).isEqualTo(8);
        assertThat(RequestOplockOutputBuffer.FLAGS_OFFSET).isEqualTo(12);
        assertThat(RequestOplockOutputBuffer.ACCESS_MODE_OFFSET).isEqualTo(16);
        assertThat(RequestOplockOutputBuffer.SHARE_MODE_OFFSET).isEqualTo(20);
    }

    // ---------------------------------------------------------------- REQUEST_OPLOCK_INPUT_BUFFER

    @Test
    void inputSetWritesTheTwelveBytes() {
        byte[] bytes = new byte[12];

        new RequestOplockInputBuffer().wrap(new UnsafeBuffer(bytes), 0).set(0x7, 0x1);

        assertThat(bytes).containsExactly(
                0x01, 0x00,             // StructureVersion = 1
                0x0C, 0x00,             // StructureLength = 12
                0x07, 0x00, 0x00, 0x00, // RequestedOplockLevel = RWH
                0x01, 0x00, 0x00, 0x00  // Flags = REQUEST
        );
    }

    @Test
    void inputSettersWriteLittleEndianAtTheirOffsets() {
        byte[] bytes = new byte[12];

        new RequestOplockInputBuffer().wrap(new UnsafeBuffer(bytes), 0)
                .structureVersion(0xA1B2).structureLength(0xC3D4)
                .requestedOplockLevel(0x11223344).flags(0x8899AABB);

        assertThat(bytes).containsExactly(
                0xB2, 0xA1,
                0xD4, 0xC3,
                0x44, 0x33, 0x22, 0x11,
                0xBB, 0xAA, 0x99, 0x88);
    }

    @Test
    void inputGettersReadAHandMadeStructure() {
        byte[] bytes = bytes(
                0x01, 0x00,
                0x0C, 0x00,
                0x03, 0x00, 0x00, 0x00, // RH
                0x06, 0x00, 0x00, 0x00); // ACK | COMPLETE_ACK_ON_CLOSE

        RequestOplockInputBuffer in = new RequestOplockInputBuffer().wrap(new UnsafeBuffer(bytes), 0);

        assertThat(in.structureVersion()).isEqualTo(1);
        assertThat(in.structureLength()).isEqualTo(12);
        assertThat(in.requestedOplockLevel()).isEqualTo(0x3);
        assertThat(in.flags()).isEqualTo(0x6);
    }

    @Test
    void inputSixteenBitFieldsAreUnsigned() {
        byte[] bytes = bytes(0xFF, 0xFF, 0xFE, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0);

        RequestOplockInputBuffer in = new RequestOplockInputBuffer().wrap(new UnsafeBuffer(bytes), 0);

        assertThat(in.structureVersion()).isEqualTo(0xFFFF);
        assertThat(in.structureLength()).isEqualTo(0xFFFE);
    }

    @Test
    void inputWrapAtNonZeroOffsetTouchesOnlyItsTwelveBytes() {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) 0x5A);

        RequestOplockInputBuffer in = new RequestOplockInputBuffer().wrap(new UnsafeBuffer(bytes), 7).set(0x5, 0x2);

        assertThat(in.offset()).isEqualTo(7);
        assertThat(Arrays.copyOfRange(bytes, 7, 19)).containsExactly(
                0x01, 0x00, 0x0C, 0x00, 0x05, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00);
        assertThat(Arrays.copyOfRange(bytes, 0, 7)).containsOnly(0x5A);
        assertThat(Arrays.copyOfRange(bytes, 19, 32)).containsOnly(0x5A);
        assertThat(in.requestedOplockLevel()).isEqualTo(0x5);
        assertThat(in.flags()).isEqualTo(0x2);
    }

    @Test
    void inputReadOnlyWrapReadsButRefusesSetters() {
        byte[] bytes = bytes(0x01, 0x00, 0x0C, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
        RequestOplockInputBuffer in = new RequestOplockInputBuffer().wrap(readOnly(new UnsafeBuffer(bytes)), 0);

        assertThat(in.structureVersion()).isEqualTo(1);
        assertThat(in.requestedOplockLevel()).isEqualTo(0x1);
        assertThatThrownBy(() -> in.flags(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> in.structureVersion(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> in.structureLength(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> in.requestedOplockLevel(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> in.set(0x7, 0x1)).isInstanceOf(IllegalStateException.class);
        assertThat(bytes).containsExactly(0x01, 0x00, 0x0C, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
    }

    @Test
    void inputRewrapSwitchesFromReadOnlyToWritable() {
        byte[] bytes = new byte[12];
        RequestOplockInputBuffer in = new RequestOplockInputBuffer().wrap(readOnly(new UnsafeBuffer(bytes)), 0);

        in.wrap(new UnsafeBuffer(bytes), 0).flags(4);

        assertThat(bytes[8]).isEqualTo((byte) 0x04);
    }

    @Test
    void inputFormatFlags() {
        assertThat(RequestOplockInputBuffer.formatFlags(0)).isEqualTo("0");
        assertThat(RequestOplockInputBuffer.formatFlags(0x3))
                .isEqualTo("REQUEST_OPLOCK_INPUT_FLAG_REQUEST|REQUEST_OPLOCK_INPUT_FLAG_ACK");
        assertThat(RequestOplockInputBuffer.formatFlags(0x14))
                .isEqualTo("REQUEST_OPLOCK_INPUT_FLAG_COMPLETE_ACK_ON_CLOSE|0x10");
    }

    // ---------------------------------------------------------------- REQUEST_OPLOCK_OUTPUT_BUFFER

    @Test
    void outputSetWritesTheTwentyFourBytesAndZeroesThePadding() {
        byte[] bytes = filled(24, 0xEE);

        new RequestOplockOutputBuffer().wrap(new UnsafeBuffer(bytes), 0).set(0x7, 0x3, 0x3, 0x120089, 0x7);

        assertThat(bytes).containsExactly(RWH_TO_RH_OUTPUT);
    }

    @Test
    void outputStaticWriteProducesTheSameBytes() {
        byte[] bytes = filled(24, 0xEE);

        RequestOplockOutputBuffer.write(new UnsafeBuffer(bytes), 0, 0x7, 0x3, 0x3, 0x120089, 0x7);

        assertThat(bytes).containsExactly(RWH_TO_RH_OUTPUT);
    }

    @Test
    void outputStaticWriteAtNonZeroOffsetTouchesOnlyItsBytes() {
        byte[] bytes = filled(40, 0xEE);

        RequestOplockOutputBuffer.write(new UnsafeBuffer(bytes), 9, 0x7, 0x3, 0x3, 0x120089, 0x7);

        assertThat(Arrays.copyOfRange(bytes, 9, 33)).containsExactly(RWH_TO_RH_OUTPUT);
        assertThat(Arrays.copyOfRange(bytes, 0, 9)).containsOnly(0xEE);
        assertThat(Arrays.copyOfRange(bytes, 33, 40)).containsOnly(0xEE);
    }

    @Test
    void outputSettersWriteLittleEndianAtTheirOffsets() {
        byte[] bytes = new byte[24];

        new RequestOplockOutputBuffer().wrap(new UnsafeBuffer(bytes), 0)
                .structureVersion(0x0102).structureLength(0x0304)
                .originalOplockLevel(0x05060708).newOplockLevel(0x090A0B0C).flags(0x0D0E0F10)
                .accessMode(0x11121314).shareMode(0x1516);

        assertThat(bytes).containsExactly(
                0x02, 0x01,
                0x04, 0x03,
                0x08, 0x07, 0x06, 0x05,
                0x0C, 0x0B, 0x0A, 0x09,
                0x10, 0x0F, 0x0E, 0x0D,
                0x14, 0x13, 0x12, 0x11,
                0x16, 0x15,
                0x00, 0x00);
    }

    @Test
    void outputGettersReadAHandMadeStructure() {
        byte[] bytes = bytes(
                0x01, 0x00,
                0x18, 0x00,
                0x05, 0x00, 0x00, 0x00, // RW
                0x01, 0x00, 0x00, 0x00, // R
                0x05, 0x00, 0x00, 0x00, // ACK_REQUIRED | WRITABLE_SECTION_PRESENT
                0xFF, 0x01, 0x1F, 0x00, // FILE_ALL_ACCESS 0x1F01FF
                0x03, 0x00,             // READ | WRITE
                0x00, 0x00);

        RequestOplockOutputBuffer out = new RequestOplockOutputBuffer().wrap(new UnsafeBuffer(bytes), 0);

        assertThat(out.structureVersion()).isEqualTo(1);
        assertThat(out.structureLength()).isEqualTo(24);
        assertThat(out.originalOplockLevel()).isEqualTo(0x5);
        assertThat(out.newOplockLevel()).isEqualTo(0x1);
        assertThat(out.flags()).isEqualTo(0x5);
        assertThat(out.accessMode()).isEqualTo(0x1F01FF);
        assertThat(out.shareMode()).isEqualTo(0x3);
    }

    @Test
    void outputShareModeIsSixteenBitsUnsigned() {
        byte[] bytes = new byte[24];
        bytes[20] = (byte) 0xFF;
        bytes[21] = (byte) 0xFF;

        assertThat(new RequestOplockOutputBuffer().wrap(new UnsafeBuffer(bytes), 0).shareMode()).isEqualTo(0xFFFF);
    }

    @Test
    void outputWrapAtNonZeroOffset() {
        byte[] bytes = filled(32, 0xEE);

        RequestOplockOutputBuffer out = new RequestOplockOutputBuffer().wrap(new UnsafeBuffer(bytes), 5)
                .set(0x7, 0x3, 0x3, 0x120089, 0x7);

        assertThat(Arrays.copyOfRange(bytes, 5, 29)).containsExactly(RWH_TO_RH_OUTPUT);
        assertThat(Arrays.copyOfRange(bytes, 0, 5)).containsOnly(0xEE);
        assertThat(Arrays.copyOfRange(bytes, 29, 32)).containsOnly(0xEE);
        assertThat(out.newOplockLevel()).isEqualTo(0x3);
        assertThat(out.shareMode()).isEqualTo(0x7);
    }

    @Test
    void outputReadOnlyWrapReadsButRefusesSetters() {
        byte[] bytes = RWH_TO_RH_OUTPUT.clone();
        RequestOplockOutputBuffer out = new RequestOplockOutputBuffer().wrap(readOnly(new UnsafeBuffer(bytes)), 0);

        assertThat(out.originalOplockLevel()).isEqualTo(0x7);
        assertThat(out.accessMode()).isEqualTo(0x120089);
        assertThatThrownBy(() -> out.set(0, 0, 0, 0, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> out.newOplockLevel(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> out.shareMode(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> out.accessMode(0)).isInstanceOf(IllegalStateException.class);
        assertThat(bytes).containsExactly(RWH_TO_RH_OUTPUT);
    }

    @Test
    void outputFormatFlags() {
        assertThat(RequestOplockOutputBuffer.formatFlags(0)).isEqualTo("0");
        assertThat(RequestOplockOutputBuffer.formatFlags(0x5)).isEqualTo(
                "REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED|REQUEST_OPLOCK_OUTPUT_FLAG_WRITABLE_SECTION_PRESENT");
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** A view of {@code buffer} that implements only {@link DirectBuffer}, not {@link MutableDirectBuffer}. */
    private static DirectBuffer readOnly(UnsafeBuffer buffer) {
        return (DirectBuffer) Proxy.newProxyInstance(DirectBuffer.class.getClassLoader(),
                new Class<?>[] {DirectBuffer.class}, (proxy, method, args) -> {
                    try {
                        return method.invoke(buffer, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
