import { Button, Group, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { graphql } from '../../gql';
import type { RefundType } from '../../gql/graphql';
import { isZeroDecimal } from '../../lib/decimal';
import { formatMoney } from '../../lib/format';
import { useIdempotencyKeys } from '../../lib/idempotency';
import { FulfilDialog, type FulfilLine } from './FulfilDialog';
import type { OrderDetail } from './orderDetail';
import { RefundDialog, refundableOf, type PreviewOutcome, type RefundRequest } from './RefundDialog';
import type { MutationOutcome } from './types';
import { refusalOf } from '../../lib/userErrors';

export const FulfilOrderMutation = graphql(`
  mutation FulfilOrder($input: FulfilOrderInput!) {
    fulfilOrder(input: $input) {
      fulfilment {
        id
        status
        amount {
          ...MoneyFields
        }
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const FulfilAllMutation = graphql(`
  mutation FulfilAll($input: FulfilAllInput!) {
    fulfilAll(input: $input) {
      fulfilment {
        id
        status
        amount {
          ...MoneyFields
        }
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const PreviewRefundMutation = graphql(`
  mutation PreviewRefund($input: RefundOrderInput!) {
    previewRefund(input: $input) {
      lines {
        sku
        refundType
        quantity
        amount {
          ...MoneyFields
        }
      }
      amount {
        ...MoneyFields
      }
      orderAmountAfter {
        ...MoneyFields
      }
      settlementEffect {
        deducted {
          ...MoneyFields
        }
        owedReduction {
          ...MoneyFields
        }
        settlementDate
        explanation
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const RefundOrderMutation = graphql(`
  mutation RefundOrder($input: RefundOrderInput!) {
    refundOrder(input: $input) {
      refund {
        id
        status
        amount {
          ...MoneyFields
        }
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const RefundAllMutation = graphql(`
  mutation RefundAll($input: RefundAllInput!) {
    refundAll(input: $input) {
      refund {
        id
        status
        amount {
          ...MoneyFields
        }
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

/** Roles that may fulfil and refund (graph/operations.graphqls). */
const operatorRoles = ['MERCHANT_ADMIN', 'MERCHANT_OPERATOR', 'PSP_ADMIN', 'PSP_OPERATOR'];

export function canOperate(role: string | undefined): boolean {
  return role !== undefined && operatorRoles.includes(role);
}

function failure(error: CombinedError | undefined): Error {
  return new Error(refusalOf(error) ?? 'The server did not answer');
}

/** Tells how an operation ended at the provider: done, or still open there. */
function announce(what: 'Fulfilment' | 'Refund', operation: { status: string; amount: { amount: string; currency: string } } | null | undefined) {
  if (!operation) {
    return;
  }
  if (operation.status === 'PENDING') {
    notifications.show({
      color: 'yellow',
      title: `${what} of ${formatMoney(operation.amount)} is pending`,
      message: 'The provider has not answered yet; it is finished in the background.',
    });
  } else if (operation.status === 'SUCCEEDED') {
    notifications.show({ color: 'green', title: `${what} of ${formatMoney(operation.amount)} done`, message: 'The provider confirmed it.' });
  }
}

/** The fulfil and refund buttons of a confirmed order, for the roles that may use them. */
export function OrderActions({ order, onChanged }: { order: OrderDetail; onChanged: () => void }) {
  const { user } = useAuth();
  const [dialog, setDialog] = useState<'fulfil' | 'refund' | null>(null);
  const [, fulfilOrder] = useMutation(FulfilOrderMutation);
  const [, fulfilAll] = useMutation(FulfilAllMutation);
  const [, previewRefund] = useMutation(PreviewRefundMutation);
  const [, refundOrder] = useMutation(RefundOrderMutation);
  const [, refundAll] = useMutation(RefundAllMutation);
  const keys = useIdempotencyKeys();

  if (!canOperate(user?.role) || order.status !== 'CONFIRMED') {
    return null;
  }
  const items = order.items ?? [];
  const anyOpen = items.some((item) => !isZeroDecimal(item.openQuantity));
  const anyRefundable = items.some((item) => !isZeroDecimal(refundableOf(item, 'AUTO')));

  const done = (errors: MutationOutcome): MutationOutcome => {
    if (errors.length === 0) {
      keys.reset();
    }
    onChanged();
    return errors;
  };

  const fulfil = async (lines: FulfilLine[]): Promise<MutationOutcome> => {
    const input = { orderId: order.id, items: lines };
    const result = await fulfilOrder({ input: { ...input, idempotencyKey: keys.keyFor(['fulfil', input]) } });
    const payload = result.data?.fulfilOrder;
    if (!payload) {
      throw failure(result.error);
    }
    announce('Fulfilment', payload.fulfilment);
    return done(payload.userErrors);
  };

  const fulfilEverything = async (): Promise<MutationOutcome> => {
    const result = await fulfilAll({ input: { orderId: order.id, idempotencyKey: keys.keyFor(['fulfilAll', order.id]) } });
    const payload = result.data?.fulfilAll;
    if (!payload) {
      throw failure(result.error);
    }
    announce('Fulfilment', payload.fulfilment);
    return done(payload.userErrors);
  };

  const refundInput = (request: RefundRequest) => ({
    orderId: order.id,
    items: request.items.map((line) => ({ sku: line.sku, refundType: line.refundType as RefundType, quantity: line.quantity })),
    reason: request.reason,
  });

  const preview = async (request: RefundRequest): Promise<PreviewOutcome> => {
    const result = await previewRefund({ input: refundInput(request) });
    const payload = result.data?.previewRefund;
    if (!payload) {
      throw failure(result.error);
    }
    if (payload.userErrors.length > 0 || !payload.amount) {
      return { userErrors: payload.userErrors, preview: null };
    }
    const nameOf = (sku: string) => items.find((item) => item.sku === sku)?.name ?? sku;
    return {
      userErrors: [],
      preview: {
        amount: payload.amount,
        lines: payload.lines.map((line, index) => ({ ...line, key: `${line.sku}-${line.refundType}-${index}`, name: nameOf(line.sku) })),
        amountAfter: payload.orderAmountAfter,
        deducted: payload.settlementEffect?.deducted,
        deductedOn: payload.settlementEffect?.settlementDate,
        owedReduction: payload.settlementEffect?.owedReduction,
        explanation: payload.settlementEffect?.explanation,
      },
    };
  };

  const refund = async (request: RefundRequest): Promise<MutationOutcome> => {
    const input = refundInput(request);
    const result = await refundOrder({ input: { ...input, idempotencyKey: keys.keyFor(['refund', input]) } });
    const payload = result.data?.refundOrder;
    if (!payload) {
      throw failure(result.error);
    }
    announce('Refund', payload.refund);
    return done(payload.userErrors);
  };

  const refundEverything = async (reason: string | null): Promise<MutationOutcome> => {
    const result = await refundAll({ input: { orderId: order.id, reason, idempotencyKey: keys.keyFor(['refundAll', order.id, reason]) } });
    const payload = result.data?.refundAll;
    if (!payload) {
      throw failure(result.error);
    }
    announce('Refund', payload.refund);
    return done(payload.userErrors);
  };

  return (
    <Group gap="xs">
      <Tooltip label="Nothing left to refund" disabled={anyRefundable}>
        <Button variant="default" disabled={!anyRefundable} onClick={() => setDialog('refund')}>
          Refund
        </Button>
      </Tooltip>
      <Tooltip label="Every item is fulfilled or cancelled" disabled={anyOpen}>
        <Button disabled={!anyOpen} onClick={() => setDialog('fulfil')}>
          Fulfil
        </Button>
      </Tooltip>
      {dialog === 'fulfil' && <FulfilDialog opened onClose={() => setDialog(null)} items={items} onFulfil={fulfil} onFulfilAll={fulfilEverything} />}
      {dialog === 'refund' && (
        <RefundDialog opened onClose={() => setDialog(null)} items={items} onPreview={preview} onRefund={refund} onRefundAll={refundEverything} />
      )}
    </Group>
  );
}
