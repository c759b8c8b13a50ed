package io.github.acppool.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.testing.FakeScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random schedules of a scripted in-memory agent on one session: a {@code session/load} whose replay comes
 * before and after its answer, updates, answers, back-to-back prompts, the passing of time, and (when the agent
 * tags its chunks) tails tagged with the previous message's id. Every update must end up exactly once with
 * the turn (or the history) it was sent for: by time, the owner is whoever's prompt the agent had last read
 * when it sent the update (the history before the first prompt); a chunk tagged with the previous owner's
 * message id is that owner's.
 *
 * <p>No {@code @Timeout} here: jqwik does not process Jupiter's annotation, so each try is bounded with {@code
 * assertTimeoutPreemptively} instead.
 */
final class AttributionPropertyTest {
    private static final String SESSION = "s1";

    sealed interface Step {}

    /** The agent sends an update for what it is working on now. */
    record Send() implements Step {}

    /** The agent sends a chunk tagged with the previous owner's message id (ignored unless tagging). */
    record SendTaggedTail() implements Step {}

    /** The agent answers the load (once), or the prompt it is working on. */
    record Answer() implements Step {}

    /** The caller starts the next turn (only once the load answered and the previous turn's result is in). */
    record StartNext() implements Step {}

    record Advance(int millis) implements Step {}

    @Property(tries = 300)
    void everyUpdateGoesExactlyOnceToWhatItWasSentFor(
            @ForAll("steps") List<Step> steps,
            @ForAll boolean tagged,
            @ForAll("gaps") int gapMillis,
            @ForAll("gaps") int drainMillis) {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> new Run(tagged, gapMillis, drainMillis).run(steps));
    }

    @Provide
    Arbitrary<Integer> gaps() {
        return Arbitraries.of(0, 50, 200);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(new Send())),
                Tuple.of(2, Arbitraries.just(new SendTaggedTail())),
                Tuple.of(3, Arbitraries.just(new Answer())),
                Tuple.of(3, Arbitraries.just(new StartNext())),
                Tuple.of(4, Arbitraries.integers().between(0, 300).map(Advance::new)));
        return step.list().ofMaxSize(80);
    }

    private static final class Run {
        final boolean tagged;
        final FakeScheduler clock = new FakeScheduler();
        final StubAcpClient client = new StubAcpClient();
        final PromptStreamer streamer;
        final List<String> history = new ArrayList<>();
        final SessionHistory loading;
        final List<TurnEvents> turns = new ArrayList<>();
        final List<TurnHandle> handles = new ArrayList<>();
        /** Text sent by the agent, to the owner it was sent for: "h", or the turn's number from 1. */
        final Map<String, String> expected = new HashMap<>();
        /** Owners that received a tagged chunk, by name. */
        final Map<String, Boolean> tagSeen = new HashMap<>();

        boolean loadAnswered;
        int answeredPrompts;
        int sent;

        Run(boolean tagged, int gapMillis, int drainMillis) {
            this.tagged = tagged;
            streamer = PromptStreamer.builder()
                    .drainPolicy(
                            drainMillis == 0 ? DrainPolicy.none() : DrainPolicy.fixed(Duration.ofMillis(drainMillis)))
                    .quietGap(Duration.ofMillis(gapMillis))
                    .livenessPolicy(LivenessPolicy.builder()
                            .stillWorkingInterval(Duration.ofDays(1))
                            .build())
                    .scheduler(clock, false)
                    .ticker(clock)
                    .build();
            loading = streamer.history(client, SESSION, (id, update) -> history.add(text(update)));
        }

        /** Whose prompt the agent read last: "h" before the first one. */
        String current() {
            return client.prompts.isEmpty() ? "h" : String.valueOf(client.prompts.size());
        }

        String previous() {
            int n = client.prompts.size();
            return n == 0 ? null : n == 1 ? "h" : String.valueOf(n - 1);
        }

        void send(String owner, boolean tag) {
            String text = "u" + (++sent);
            expected.put(text, owner);
            if (tag) {
                tagSeen.put(owner, true);
                client.deliver(SESSION, StubAcpClient.chunk(text, "msg-" + owner));
            } else {
                client.deliver(SESSION, StubAcpClient.chunk(text));
            }
        }

        void run(List<Step> steps) {
            for (Step step : steps) {
                if (step instanceof Send) {
                    send(current(), tagged);
                } else if (step instanceof SendTaggedTail) {
                    String previous = previous();
                    if (tagged && previous != null && tagSeen.containsKey(previous)) {
                        send(previous, true);
                    }
                } else if (step instanceof Answer) {
                    answer();
                } else if (step instanceof StartNext) {
                    startNext();
                } else if (step instanceof Advance advance) {
                    clock.advance(Duration.ofMillis(advance.millis()));
                }
            }
            answer();
            for (int i = 0; i < 10 && !allDone(); i++) {
                answer();
                clock.advance(Duration.ofSeconds(1));
            }
            assertThat(allDone()).as("every turn ended").isTrue();
            check();
        }

        void answer() {
            if (!loadAnswered) {
                loadAnswered = true;
                var unused = loading.loaded();
            } else if (answeredPrompts < client.prompts.size()) {
                client.prompts.get(answeredPrompts++).answer("end_turn");
            }
        }

        void startNext() {
            if (!loadAnswered || !allDone()) {
                return; // the caller's rule: one turn at a time, and only on a loaded session
            }
            TurnEvents events = new TurnEvents();
            turns.add(events);
            handles.add(streamer.start(client, SESSION, List.of(ContentBlock.text("hi")), events));
        }

        boolean allDone() {
            return handles.stream().allMatch(h -> h.result().isDone());
        }

        void check() {
            Map<String, List<String>> got = new HashMap<>();
            got.put("h", history);
            for (int i = 0; i < turns.size(); i++) {
                List<String> texts = new ArrayList<>();
                for (TurnEvent event : turns.get(i).events()) {
                    if (event instanceof TurnEvent.TextChunk chunk) {
                        texts.add(chunk.text());
                    }
                }
                for (TurnEvent event : turns.get(i).lateEvents()) {
                    if (event instanceof TurnEvent.TextChunk chunk) {
                        texts.add(chunk.text());
                    }
                }
                got.put(String.valueOf(i + 1), texts);
                assertThat(handles.get(i).result().join().text())
                        .as("turn %d's result is what it streamed in time", i + 1)
                        .isEqualTo(turns.get(i).text());
            }
            Map<String, String> actual = new HashMap<>();
            for (Map.Entry<String, List<String>> owner : got.entrySet()) {
                for (String text : owner.getValue()) {
                    assertThat(actual.put(text, owner.getKey()))
                            .as("%s delivered once", text)
                            .isNull();
                }
            }
            assertThat(actual).as("every update, where it was sent").isEqualTo(expected);
            assertThat(loading.replayed()).isEqualTo(history.size());
        }

        private static String text(SessionUpdate update) {
            return ((ContentBlock.Text) ((SessionUpdate.AgentMessageChunk) update).content()).text();
        }
    }
}
