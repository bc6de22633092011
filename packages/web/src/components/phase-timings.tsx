import { Table, Text, Title } from "@mantine/core";
import { CONTENT_PHASES, contentPhaseOf } from "@modelworks/contracts/content";
import type { PhaseTimingDto } from "@modelworks/contracts/runs";
import { formatValue } from "../format.ts";

/** A phase's name: content-intel's "Phase 2 of 5: Retrieval" reads "2. Retrieval"; any other message as is. */
export function phaseLabel(message: string): string {
  const i = contentPhaseOf(message);
  return i === null ? message : `${i + 1}. ${CONTENT_PHASES[i]}`;
}

/**
 * How long each phase of a run took (issue 17): from the run's phase timings, which the worker
 * records from the engine's progress messages (engines keep no clock). Shown for any run that has them.
 */
export function PhaseTimings({ timings }: { timings: PhaseTimingDto[] }) {
  const total = timings.reduce((s, t) => s + t.durationMs, 0);
  return (
    <div>
      <Title order={2} size="h4">
        Time per phase
      </Title>
      <Table aria-label="Time per phase" verticalSpacing={4} maw={480}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Phase</Table.Th>
            <Table.Th ta="right">Time (ms)</Table.Th>
            <Table.Th ta="right">Share</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {timings.map((t) => (
            <Table.Tr key={`${t.message}-${t.startedAt}`}>
              <Table.Td>{phaseLabel(t.message)}</Table.Td>
              <Table.Td ta="right">{formatValue(t.durationMs, undefined, 0)}</Table.Td>
              <Table.Td ta="right">
                {total > 0 ? formatValue(t.durationMs / total, "fraction", 0) : "—"}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed">
        Measured by the worker as the engine reported each phase.
      </Text>
    </div>
  );
}
