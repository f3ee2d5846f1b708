import { Button } from '@mantine/core';
import { useState } from 'react';
import { useQuery } from 'urql';
import { useAuth } from '../../auth/AuthContext';
import { LoadingBlock, PageHeader, QueryError } from '../../components/Page';
import { PlusIcon } from '../../components/icons';
import { roleOptions } from '../../lib/labels';
import { useMyMerchant } from '../../lib/viewer';
import { MerchantDetailQueryDocument } from '../../shared/merchantDetail';
import { UsersTable } from '../../shared/users';
import { InviteUserDialog } from './InviteUserDialog';

/** Merchant users: who has access to the merchant's backoffice; admins invite more. */
export function TeamPage() {
  const { user } = useAuth();
  const canInvite = user?.role === 'MERCHANT_ADMIN';
  const mine = useMyMerchant();
  const merchantId = mine.merchant?.id ?? '';
  const [result, reexecute] = useQuery({ query: MerchantDetailQueryDocument, variables: { id: merchantId }, pause: merchantId === '' });
  const [inviting, setInviting] = useState(false);
  const merchant = result.data?.node?.__typename === 'Merchant' ? result.data.node : undefined;

  const error = mine.error ?? result.error;
  if (error) {
    return <QueryError error={error} what="your team" />;
  }
  if (!merchant) {
    return <LoadingBlock label="Loading your team" />;
  }
  return (
    <>
      <PageHeader title="Team" description={`Everyone who signs in to ${merchant.name}'s backoffice.`} />
      <UsersTable
        merchant={merchant}
        actions={
          canInvite ? (
            <Button size="xs" variant="light" leftSection={<PlusIcon size={14} />} onClick={() => setInviting(true)}>
              Invite user
            </Button>
          ) : undefined
        }
      />
      {canInvite && (
        <InviteUserDialog
          opened={inviting}
          onClose={() => setInviting(false)}
          merchantId={merchant.id}
          roles={roleOptions}
          onInvited={() => reexecute({ requestPolicy: 'network-only' })}
        />
      )}
    </>
  );
}
