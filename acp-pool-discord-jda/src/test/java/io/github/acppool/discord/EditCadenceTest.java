package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.testing.FakeScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class EditCadenceTest {

    private static final Duration INTERVAL = EditCadence.DEFAULT_INTERVAL;

    private final FakeScheduler clock = new FakeScheduler();
    private final RecordingEditor editor = new RecordingEditor();

    private EditCadence cadence() {
        return new EditCadence("thread-1", "…", INTERVAL, clock, clock, editor);
    }

    @Test
    void editsOnlyOnceTheIntervalHasPassed() {
        EditCadence cadence = cadence();
        cadence.update("a");
        clock.advance(INTERVAL.minusMillis(1));
        assertThat(editor.texts).isEmpty();

        clock.advance(Duration.ofMillis(1));

        assertThat(editor.texts).containsExactly("a");
    }

    @Test
    void aBurstOfUpdatesBecomesOneEditWithTheLatestText() {
        EditCadence cadence = cadence();
        for (int i = 0; i < 50; i++) {
            cadence.update("text " + i);
            clock.advance(Duration.ofMillis(10));
        }
        clock.advance(INTERVAL);

        assertThat(editor.texts).containsExactly("text 49");
    }

    @Test
    void editsOnlyWhenTheTextChanged() {
        EditCadence cadence = cadence();
        cadence.update("a");
        clock.advance(INTERVAL);
        editor.completeAll();
        cadence.update("a");
        clock.advance(INTERVAL.multipliedBy(5));
        cadence.update("…");

        clock.advance(INTERVAL.multipliedBy(5));

        assertThat(editor.texts).containsExactly("a", "…");
    }

    @Test
    void anUpdateAfterAQuietSpellIsEditedAtOnce() {
        EditCadence cadence = cadence();
        clock.advance(INTERVAL.multipliedBy(3));

        cadence.update("late");

        assertThat(editor.texts).containsExactly("late");
    }

    @Test
    void neverHasTwoEditsInFlight() {
        EditCadence cadence = cadence();
        cadence.update("a");
        clock.advance(INTERVAL);
        cadence.update("b");
        clock.advance(INTERVAL.multipliedBy(10));
        assertThat(editor.texts).containsExactly("a");

        editor.completeAll();

        assertThat(editor.texts).containsExactly("a", "b");
    }

    @Test
    void theFinalEditWaitsForTheEditInFlightAndThenWins() {
        EditCadence cadence = cadence();
        cadence.update("partial");
        clock.advance(INTERVAL);
        CompletableFuture<Void> done = cadence.finish("final answer");
        cadence.update("stale text after the end");
        assertThat(editor.texts).containsExactly("partial");
        assertThat(done).isNotDone();

        editor.completeAll();
        assertThat(editor.texts).containsExactly("partial", "final answer");
        assertThat(done).isNotDone();
        editor.completeAll();

        assertThat(done).isCompleted();
        clock.advance(INTERVAL.multipliedBy(10));
        assertThat(editor.texts).containsExactly("partial", "final answer");
    }

    @Test
    void theFinalEditDoesNotWaitForTheInterval() {
        EditCadence cadence = cadence();
        cadence.update("partial");

        CompletableFuture<Void> done = cadence.finish("final");
        editor.completeAll();

        assertThat(editor.texts).containsExactly("final");
        assertThat(done).isCompleted();
        assertThat(clock.pendingTaskCount()).isZero();
    }

    @Test
    void aFinalTextAlreadyShownNeedsNoEdit() {
        EditCadence cadence = cadence();
        cadence.update("same");
        clock.advance(INTERVAL);
        editor.completeAll();

        assertThat(cadence.finish("same")).isCompleted();
        assertThat(editor.texts).containsExactly("same");
    }

    @Test
    void aFinalEditThatMustAlwaysBeSent_isSentEvenIfItsTextIsShown() {
        EditCadence cadence = cadence();
        cadence.update("same");
        clock.advance(INTERVAL);
        editor.completeAll();

        CompletableFuture<Void> done = cadence.finish("same", true);
        assertThat(done).isNotDone();
        editor.completeAll();
        assertThat(done).isCompleted();
        assertThat(editor.texts).containsExactly("same", "same");
    }

    @Test
    void aFailedFinalEditFailsTheFuture() {
        EditCadence cadence = cadence();
        CompletableFuture<Void> done = cadence.finish("final");

        editor.failAll(new IllegalStateException("429 forever"));

        assertThat(done).isCompletedExceptionally();
    }

    @Test
    void aFailedIntermediateEditIsRetriedAtTheNextSlot() {
        EditCadence cadence = cadence();
        cadence.update("a");
        clock.advance(INTERVAL);
        editor.failAll(new IllegalStateException("500"));
        assertThat(editor.texts).containsExactly("a");

        clock.advance(INTERVAL);

        assertThat(editor.texts).containsExactly("a", "a");
    }

    @Test
    void anEditorThatThrowsCountsAsAFailedEdit() {
        EditCadence cadence = new EditCadence("thread-1", "…", INTERVAL, clock, clock, text -> {
            throw new IllegalStateException("JDA is shut down");
        });
        assertThat(cadence.finish("x")).isCompletedExceptionally();
    }

    /**
     * Random interleavings of updates, time passing, edits completing or failing, and the final edit: edits never
     * overlap, intermediate edits start at least one interval apart, and the last successful edit shows the final
     * text.
     */
    @Property(tries = 300)
    void theCadenceInvariantsHold(@ForAll("steps") List<Integer> steps) {
        FakeScheduler time = new FakeScheduler();
        RecordingEditor edits = new RecordingEditor();
        List<Long> starts = new ArrayList<>();
        EditCadence cadence = new EditCadence("p", "…", INTERVAL, time, time, text -> {
            assertThat(edits.pending).as("edits in flight").isEmpty();
            starts.add(time.read());
            return edits.edit(text);
        });
        int version = 0;
        for (int step : steps) {
            switch (step) {
                case 0, 1, 2 -> {
                    version++;
                    cadence.update("v" + version);
                }
                case 3 -> time.advance(Duration.ofMillis(100L * (1 + version % 20)));
                case 4 -> edits.completeAll();
                case 5 -> edits.failAll(new IllegalStateException("boom"));
                default -> cadence.update("v" + version); // unchanged text
            }
        }
        CompletableFuture<Void> done = cadence.finish("final");
        for (int i = 0; i < 10 && !done.isDone(); i++) {
            edits.completeAll();
            time.advance(INTERVAL);
        }

        assertThat(done).isCompleted();
        assertThat(edits.succeeded).isNotEmpty().last().isEqualTo("final");
        // Only the final edit may come sooner than one interval after the previous edit.
        for (int i = 1; i < starts.size() - 1; i++) {
            assertThat(starts.get(i) - starts.get(i - 1)).isGreaterThanOrEqualTo(INTERVAL.toNanos());
        }
    }

    @Provide
    Arbitrary<List<Integer>> steps() {
        return Arbitraries.integers().between(0, 6).list().ofMaxSize(60);
    }

    /** An editor whose edits stay in flight until the test completes or fails them. */
    private static final class RecordingEditor implements EditCadence.Editor {
        final List<String> texts = new ArrayList<>();
        final List<String> succeeded = new ArrayList<>();
        final List<CompletableFuture<Void>> pending = new ArrayList<>();
        final List<String> pendingTexts = new ArrayList<>();

        @Override
        public CompletionStage<?> edit(String text) {
            texts.add(text);
            CompletableFuture<Void> future = new CompletableFuture<>();
            pending.add(future);
            pendingTexts.add(text);
            return future;
        }

        /** Completes the edits in flight now (not those their completion starts). */
        void completeAll() {
            List<CompletableFuture<Void>> futures = new ArrayList<>(pending);
            succeeded.addAll(pendingTexts);
            pending.clear();
            pendingTexts.clear();
            futures.forEach(f -> f.complete(null));
        }

        void failAll(RuntimeException error) {
            List<CompletableFuture<Void>> futures = new ArrayList<>(pending);
            pending.clear();
            pendingTexts.clear();
            futures.forEach(f -> f.completeExceptionally(error));
        }
    }
}
