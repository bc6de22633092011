import { Alert, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { formatValue } from "../../format.ts";
import type { ModelViewProps } from "./index.tsx";
import { formatBps, MET_COLOR, NumTd, num, Stat } from "./parts.tsx";

/** One package's row of tif-incentive-matrix (engine schema: analysis/matrix.ts). */
interface MatrixRow {
  rank: number;
  name: string;
  tier: number;
  incentiveCount: number;
  leveredIrrGapBps: number | null;
  mixedLeveredIrr: number | null;
  meetsTarget: boolean;
  cityCostUsd: number | null;
  error: string | null;
}
export interface MatrixOutput {
  targetIrrGapBps: number;
  market: { leveredIrr: number | null };
  rows: MatrixRow[];
  minimum: MatrixRow | null;
  minimumRule: string;
  packagesEvaluated: number;
  packagesMeetingTarget: number;
  engineRuns: number;
}

/** "T2-Fee-TIF-L" → "Fee-TIF-L": the toggle combination, the same across tiers. */
const combination = (name: string) => name.replace(/^T\d-?/, "");

const LABELS: Record<string, string> = {
  Fee: "SMART fee waiver",
  Abate: "tax abatement",
  "TIF-L": "TIF lump sum",
  "TIF-S": "TIF stream",
  Buy: "interest buydown",
};
const describe = (combo: string) =>
  combo
    .replace(/TIF-L/g, "TIF_L")
    .replace(/TIF-S/g, "TIF_S")
    .split("-")
    .map((p) => LABELS[p.replace("_", "-")] ?? p)
    .join(" + ");

/**
 * Colour of a cell by its gap against the target: met (green), within 50 bps (yellow), further
 * (red), not computable (grey). The text says the same, so colour is never the only cue.
 */
function tone(r: MatrixRow | undefined, target: number) {
  if (!r || r.error || r.leveredIrrGapBps === null)
    return { bg: "var(--mantine-color-gray-light)", word: "n/a" };
  if (r.meetsTarget) return { bg: "var(--mantine-color-green-light)", word: "met" };
  if (r.leveredIrrGapBps >= target - 50) return { bg: "var(--mantine-color-yellow-light)", word: "close" };
  return { bg: "var(--mantine-color-red-light)", word: "short" };
}

/** Tiers × incentive packages, coloured by the IRR gap against the target; the minimum package marked. */
export default function TifMatrixView({ output }: ModelViewProps) {
  const o = output as unknown as MatrixOutput;
  const tiers = [...new Set(o.rows.map((r) => r.tier))].sort();
  const combos = [...new Set(o.rows.map((r) => combination(r.name)))];
  const cell = new Map(o.rows.map((r) => [`${r.tier}|${combination(r.name)}`, r]));
  const min = o.minimum;
  return (
    <Stack gap="lg" data-testid="tif-matrix">
      {min ? (
        <Alert color="green" title="Minimum package meeting the target" data-testid="minimum-package">
          <Group gap="sm" align="center">
            <Badge size="xl" color={MET_COLOR} variant="filled">
              {min.name}
            </Badge>
            <Text size="sm">
              Tier {min.tier}: {describe(combination(min.name))} — gap {formatBps(min.leveredIrrGapBps)} vs
              target {formatBps(o.targetIrrGapBps)}, {min.incentiveCount} incentive
              {min.incentiveCount === 1 ? "" : "s"}, cost to the city {formatValue(min.cityCostUsd, "USD")}.
            </Text>
          </Group>
          <Text size="xs" mt={4}>
            Minimum means: {o.minimumRule}.
          </Text>
        </Alert>
      ) : (
        <Alert color="red" title="No package meets the target" data-testid="minimum-package">
          None of the {o.packagesEvaluated} packages reaches {formatBps(o.targetIrrGapBps)}.
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Stat label="Target gap" value={formatBps(o.targetIrrGapBps)} />
        <Stat label="Packages evaluated" value={o.packagesEvaluated} />
        <Stat label="Packages meeting the target" value={o.packagesMeetingTarget} testId="meeting-count" />
        <Stat label="Market levered IRR" value={formatValue(o.market.leveredIrr, "fraction")} />
      </SimpleGrid>
      <section aria-labelledby="matrix-title">
        <Title order={3} size="h4" id="matrix-title">
          Levered IRR gap by tier and package
        </Title>
        <Text size="sm" c="dimmed" mb="xs">
          Each cell is a run of the mixed-income deal at the tier's affordability requirement, against the
          market deal. Green: meets the target; yellow: within 50 bps; red: further; grey: not computable.
        </Text>
        <Table.ScrollContainer minWidth={560}>
          <Table
            withTableBorder
            withColumnBorders
            fz="sm"
            data-testid="matrix-grid"
            aria-labelledby="matrix-title"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Package</Table.Th>
                {tiers.map((t) => (
                  <Table.Th key={t} scope="col" ta="center">
                    Tier {t}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {combos.map((c) => (
                <Table.Tr key={c}>
                  <Table.Th scope="row" fw={500}>
                    {describe(c)}
                  </Table.Th>
                  {tiers.map((t) => {
                    const r = cell.get(`${t}|${c}`);
                    const { bg, word } = tone(r, o.targetIrrGapBps);
                    const isMin = !!r && !!min && r.name === min.name;
                    return (
                      <Table.Td
                        key={t}
                        ta="center"
                        style={{
                          background: bg,
                          ...num,
                          outline: isMin ? `3px solid ${MET_COLOR}` : undefined,
                          outlineOffset: -3,
                        }}
                        title={r?.error ?? r?.name}
                        data-package={r?.name}
                        data-minimum={isMin || undefined}
                      >
                        <Text span fw={isMin ? 800 : 500} size="sm">
                          {r ? formatBps(r.leveredIrrGapBps) : "—"}
                        </Text>
                        <Text span size="xs" display="block">
                          {isMin ? "minimum · " : ""}
                          {word}
                        </Text>
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>
      <Card withBorder>
        <Title order={3} size="h5" mb="xs" id="matrix-ranked">
          Packages meeting the target, by cost to the city
        </Title>
        <Table fz="sm" aria-labelledby="matrix-ranked">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Package</Table.Th>
              <Table.Th ta="right">Incentives</Table.Th>
              <Table.Th ta="right">Gap</Table.Th>
              <Table.Th ta="right">Cost to the city</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {o.rows
              .filter((r) => r.meetsTarget)
              .sort(
                (a, b) => a.incentiveCount - b.incentiveCount || (a.cityCostUsd ?? 0) - (b.cityCostUsd ?? 0),
              )
              .map((r) => (
                <Table.Tr key={r.name} fw={min?.name === r.name ? 700 : undefined}>
                  <Table.Td>{r.name}</Table.Td>
                  <Table.Td ta="right">{r.incentiveCount}</Table.Td>
                  <NumTd>{formatBps(r.leveredIrrGapBps)}</NumTd>
                  <NumTd>{formatValue(r.cityCostUsd, "USD")}</NumTd>
                </Table.Tr>
              ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
