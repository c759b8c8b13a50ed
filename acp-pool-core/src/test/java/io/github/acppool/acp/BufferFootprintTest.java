package io.github.acppool.acp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.event.Level;

/** Issue 16: the client's buffers are small while an agent is quiet, grow while it streams and shrink back. */
@Timeout(10)
final class BufferFootprintTest {

    @Test
    void readBuffer_startsSmall_doublesWhileReadsFillIt_andShrinksAfterAShortRead() {
        ReadBuffer reads = new ReadBuffer(8, 64);
        assertThat(reads.array()).hasSize(8);

        reads.filled(8);
        assertThat(reads.array()).hasSize(16);
        reads.filled(16);
        reads.filled(32);
        assertThat(reads.array()).hasSize(64);
        reads.filled(64);
        assertThat(reads.array()).as("capped at max").hasSize(64);
        reads.filled(20);
        assertThat(reads.array()).as("a quarter or more: still streaming").hasSize(64);

        reads.filled(15);
        assertThat(reads.array()).as("the burst is over").hasSize(8);
        reads.filled(1);
        assertThat(reads.array()).hasSize(8);
    }

    @Test
    void stderrRing_growsWithWhatArrives_upToItsCapacity_andKeepsTheTail() {
        StderrRing ring = new StderrRing("test", new ByteArrayInputStream(new byte[0]), 1024, Level.TRACE);
        assertThat(ring.allocated()).isZero();
        assertThat(ring.tail()).isEmpty();

        ring.append(bytes("hello\n"), 0, 6);
        assertThat(ring.allocated()).isEqualTo(256);
        assertThat(ring.tail()).isEqualTo("hello\n");

        byte[] block = bytes("x".repeat(300));
        ring.append(block, 0, block.length);
        assertThat(ring.allocated()).isEqualTo(512);
        assertThat(ring.tail()).isEqualTo("hello\n" + "x".repeat(300));

        byte[] more = bytes("y".repeat(1000));
        ring.append(more, 0, more.length);
        assertThat(ring.allocated()).as("never above its capacity").isEqualTo(1024);
        assertThat(ring.tail()).isEqualTo("x".repeat(24) + "y".repeat(1000));

        ring.append(bytes("end"), 0, 3);
        assertThat(ring.tail()).isEqualTo("x".repeat(21) + "y".repeat(1000) + "end");
    }

    @Test
    void stderrRing_drainsAStreamIntoASmallRing() {
        String text = "line one\nline two\n";
        StderrRing ring = new StderrRing("test", new ByteArrayInputStream(bytes(text)), 64 * 1024, Level.TRACE);

        ring.run();

        assertThat(ring.tail()).isEqualTo(text);
        assertThat(ring.allocated()).isEqualTo(256);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
