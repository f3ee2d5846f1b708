import { Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { isEmail, isNotEmpty, useForm } from '@mantine/form';
import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import type { Role } from '../../gql/graphql';
import { fieldsNamed, mapUserErrors, refusalOf } from '../../lib/userErrors';
import { CopyableValue } from '../../components/CopyableValue';
import { FormActions } from '../../components/FormActions';
import { RefusalAlert } from '../../components/RefusalAlert';

export const InviteUserMutation = graphql(`
  mutation InviteUser($input: InviteUserInput!) {
    inviteUser(input: $input) {
      user {
        id
        email
        name
        role
        invitationPending
      }
      invitationUrl
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

interface Values {
  email: string;
  name: string;
  role: string;
}

/**
 * Invite a user: the server answers a one-time link to set a password, which
 * is shown here once to hand over (there is no mail server).
 */
export function InviteUserDialog({
  opened,
  onClose,
  merchantId,
  roles,
  onInvited,
}: {
  opened: boolean;
  onClose: () => void;
  /** The merchant the user joins; undefined invites PSP staff. */
  merchantId: string | undefined;
  roles: readonly { value: string; label: string }[];
  onInvited: () => void;
}) {
  const [, invite] = useMutation(InviteUserMutation);
  const [link, setLink] = useState<{ email: string; url: string } | null>(null);
  const [general, setGeneral] = useState<string[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: { email: '', name: '', role: roles[roles.length - 1]?.value ?? '' },
    validate: { email: isEmail('Enter an email address'), role: isNotEmpty('Choose a role') },
  });

  const close = () => {
    form.reset();
    setLink(null);
    setGeneral([]);
    onClose();
  };

  const submit = async (values: Values) => {
    setGeneral([]);
    setSubmitting(true);
    const result = await invite({
      input: { merchantId: merchantId ?? null, email: values.email.trim(), name: values.name.trim() || null, role: values.role as Role },
    });
    setSubmitting(false);
    const payload = result.data?.inviteUser;
    if (result.error || !payload) {
      setGeneral([refusalOf(result.error) ?? 'The invitation was not created']);
      return;
    }
    if (payload.userErrors.length > 0) {
      const mapped = mapUserErrors(payload.userErrors, fieldsNamed(['email', 'name', 'role']));
      form.setErrors(mapped.fields);
      setGeneral(mapped.general);
      return;
    }
    onInvited();
    if (payload.invitationUrl) {
      setLink({ email: values.email.trim(), url: new URL(payload.invitationUrl, window.location.origin).href });
    } else {
      close();
    }
  };

  return (
    <Modal opened={opened} onClose={close} title={link ? 'Invitation created' : 'Invite a user'} centered size="lg">
      {link ? (
        <Stack gap="md">
          <Text size="sm">
            Send this link to <b>{link.email}</b>. It lets them choose a password, works once and expires in 72 hours. It is not shown again.
          </Text>
          <CopyableValue value={link.url} testId="invitation-url" copyLabel="Copy the link" />
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={form.onSubmit((v) => void submit(v))} noValidate>
          <Stack gap="md">
            <RefusalAlert title="The user was not invited" messages={general} />
            <TextInput label="Email" type="email" data-autofocus {...form.getInputProps('email')} />
            <TextInput label="Name" description="Optional" {...form.getInputProps('name')} />
            <Select label="Role" data={[...roles]} allowDeselect={false} {...form.getInputProps('role')} />
            <FormActions submitting={submitting} submitLabel="Create invitation" onCancel={close} />
          </Stack>
        </form>
      )}
    </Modal>
  );
}
