package io.github.acppool.discord;

import static io.github.acppool.discord.StatusReactions.Status.DONE;
import static io.github.acppool.discord.StatusReactions.Status.ERROR;
import static io.github.acppool.discord.StatusReactions.Status.QUEUED;
import static io.github.acppool.discord.StatusReactions.Status.THINKING;
import static io.github.acppool.discord.StatusReactions.Status.TOOL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.discord.StatusReactions.Change;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class StatusReactionsTest {

    private static final long MS = 1_000_000L;
    private final StatusReactions reactions =
            new StatusReactions(StatusEmoji.defaults(), StatusReactions.DEFAULT_DEBOUNCE);

    private static Change add(String emoji) {
        return new Change(true, emoji);
    }

    private static Change remove(String emoji) {
        return new Change(false, emoji);
    }

    @Test
    void queuedShowsAtOnce() {
        assertThat(reactions.set(QUEUED, 0)).containsExactly(add("👀"));
    }

    @Test
    void theFirstStatusShowsAtOnceEvenIfDebounced() {
        assertThat(reactions.set(THINKING, 0)).containsExactly(add("🤔"));
    }

    @Test
    void thinkingReplacesQueuedOnlyAfterTheDebounce() {
        reactions.set(QUEUED, 0);

        assertThat(reactions.set(THINKING, 100 * MS)).isEmpty();
        assertThat(reactions.nextTickNanos()).hasValue(800 * MS);
        assertThat(reactions.tick(799 * MS)).isEmpty();
        assertThat(reactions.tick(800 * MS)).containsExactly(add("🤔"), remove("👀"));
        assertThat(reactions.nextTickNanos()).isEmpty();
    }

    @Test
    void aQuickFlipBetweenThinkingAndToolsDoesNotFlicker() {
        reactions.set(THINKING, 0);
        reactions.set(TOOL, 100 * MS);
        assertThat(reactions.set(THINKING, 200 * MS)).isEmpty();

        assertThat(reactions.tick(2000 * MS)).isEmpty(); // back to what is shown: nothing to do
        assertThat(reactions.shown()).isEqualTo(THINKING);
    }

    @Test
    void aLastingToolStatusIsShown() {
        reactions.set(THINKING, 0);
        reactions.set(TOOL, 100 * MS);
        assertThat(reactions.set(TOOL, 900 * MS)).containsExactly(add("🔥"), remove("🤔"));
    }

    @Test
    void doneShowsAtOnceAndIsFinal() {
        reactions.set(QUEUED, 0);
        reactions.set(THINKING, 10 * MS);

        assertThat(reactions.set(DONE, 20 * MS)).containsExactly(add("🆗"), remove("👀"));
        assertThat(reactions.tick(5000 * MS)).isEmpty();
        assertThat(reactions.set(ERROR, 30 * MS)).isEmpty();
        assertThat(reactions.shown()).isEqualTo(DONE);
    }

    @Test
    void cancelledHasItsOwnReactionAndIsFinal() {
        reactions.set(THINKING, 0);

        assertThat(reactions.set(StatusReactions.Status.CANCELLED, 10 * MS))
                .containsExactly(add(StatusEmoji.DEFAULT_CANCELLED), remove("🤔"));
        assertThat(reactions.set(DONE, 20 * MS)).isEmpty();
        assertThat(reactions.shown()).isEqualTo(StatusReactions.Status.CANCELLED);
    }

    @Test
    void settlingDropsADebouncedStatusStillWaiting() {
        reactions.set(THINKING, 0);
        assertThat(reactions.set(TOOL, 100 * MS)).isEmpty();

        reactions.settle();

        assertThat(reactions.nextTickNanos()).isEmpty();
        assertThat(reactions.tick(5000 * MS)).isEmpty();
        assertThat(reactions.set(DONE, 5000 * MS)).containsExactly(add("🆗"), remove("🤔"));
    }

    @Test
    void theEmojiAreConfigurable() {
        StatusReactions custom = new StatusReactions(
                StatusEmoji.builder().queued("⏳").error("💥").build(), Duration.ZERO);
        assertThat(custom.set(QUEUED, 0)).containsExactly(add("⏳"));
        assertThat(custom.set(ERROR, 0)).containsExactly(add("💥"), remove("⏳"));
    }

    @Test
    void emojiSettingsAreChecked() {
        assertThatThrownBy(() -> StatusEmoji.builder().done(" ").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("done must be an emoji: \" \"");
        assertThatThrownBy(() -> StatusEmoji.builder().done("a").done("b"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("done was already set to a");
    }

    /** Applying every change in order leaves exactly the shown status's reaction, and a final status sticks. */
    @Property(tries = 500)
    void exactlyOneReactionIsShownAndFinalStatusesStick(
            @ForAll("events") List<Tuple.Tuple2<StatusReactions.Status, Integer>> events) {
        StatusReactions machine = new StatusReactions(StatusEmoji.defaults(), StatusReactions.DEFAULT_DEBOUNCE);
        Set<String> onMessage = new LinkedHashSet<>();
        List<StatusReactions.Status> finals = new ArrayList<>();
        long now = 0;
        for (Tuple.Tuple2<StatusReactions.Status, Integer> event : events) {
            now += event.get2() * MS;
            apply(onMessage, machine.tick(now));
            apply(onMessage, machine.set(event.get1(), now));
            if (event.get1().isFinal()) {
                finals.add(event.get1());
            }
            assertThat(onMessage).hasSize(1);
        }
        apply(onMessage, machine.tick(now + 10_000 * MS));
        if (!finals.isEmpty()) {
            assertThat(machine.shown()).isEqualTo(finals.get(0));
        }
        assertThat(onMessage).hasSizeLessThanOrEqualTo(1);
    }

    private static void apply(Set<String> onMessage, List<Change> changes) {
        for (Change change : changes) {
            if (change.add()) {
                onMessage.add(change.emoji());
            } else {
                assertThat(onMessage.remove(change.emoji()))
                        .as("removing %s", change.emoji())
                        .isTrue();
            }
        }
    }

    @Provide
    Arbitrary<List<Tuple.Tuple2<StatusReactions.Status, Integer>>> events() {
        return Arbitraries.of(StatusReactions.Status.class)
                .flatMap(s -> Arbitraries.integers().between(0, 1500).map(ms -> Tuple.of(s, ms)))
                .list()
                .ofMinSize(1)
                .ofMaxSize(30);
    }
}
