import { Group, Stack, Text, ThemeIcon } from '@mantine/core';
import { CheckIcon } from '../../components/icons';
import type { MerchantDetail } from '../../shared/merchantDetail';

export type ChecklistItem = MerchantDetail['checklist'][number];

/** Which wizard step deals with a checklist item (see ChecklistItem.key in graph/merchants.graphqls). */
export function stepOfChecklistKey(key: string): number {
  switch (key) {
    case 'add_company':
    case 'iban':
    case 'fee_plan':
      return 1;
    case 'add_shop':
      return 2;
    case 'activation':
    case 'activation_pending':
    case 'activation_rejected':
      return 3;
    default:
      return 4;
  }
}

/** The step to open: the first step with an unfinished blocking item, else the review. */
export function firstOpenStep(checklist: readonly ChecklistItem[]): number {
  const open = checklist.filter((item) => !item.done && item.blocking).map((item) => stepOfChecklistKey(item.key));
  return open.length === 0 ? 4 : Math.min(...open);
}

/** The merchant's checklist: what is done, what still blocks taking payments, and advice. */
export function Checklist({ items }: { items: readonly ChecklistItem[] }) {
  if (items.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Nothing to do.
      </Text>
    );
  }
  const sorted = [...items].sort((a, b) => Number(a.done) - Number(b.done) || Number(b.blocking) - Number(a.blocking));
  return (
    <Stack gap={10} component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Onboarding checklist">
      {sorted.map((item, index) => (
        <Group key={`${item.key}-${item.companyId ?? ''}-${item.provider ?? ''}-${index}`} gap="sm" wrap="nowrap" align="flex-start" component="li">
          {item.done ? (
            <ThemeIcon size={20} radius="xl" color="teal" variant="light" aria-label="Done">
              <CheckIcon size={12} />
            </ThemeIcon>
          ) : (
            <ThemeIcon
              size={20}
              radius="xl"
              color={item.blocking ? 'orange' : 'gray'}
              variant="outline"
              aria-label={item.blocking ? 'Required' : 'Recommended'}
            >
              <span style={{ width: 6, height: 6, borderRadius: 3, background: 'currentColor' }} />
            </ThemeIcon>
          )}
          <div style={{ minWidth: 0 }}>
            <Text size="sm" c={item.done ? 'dimmed' : undefined}>
              {item.message}
            </Text>
            {!item.done && (
              <Text size="xs" c={item.blocking ? 'orange.8' : 'dimmed'}>
                {item.blocking ? 'Required before taking payments' : 'Recommended'}
              </Text>
            )}
          </div>
        </Group>
      ))}
    </Stack>
  );
}
