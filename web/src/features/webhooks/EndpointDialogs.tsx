import { Modal, MultiSelect, NumberInput, Select, Stack, TextInput } from '@mantine/core';
import { isNotEmpty, useForm } from '@mantine/form';
import { useState } from 'react';
import { useMutation } from 'urql';
import { FormActions } from '../../components/FormActions';
import { RefusalAlert } from '../../components/RefusalAlert';
import { fieldsNamed, mapUserErrors, refusalOf, type UserErrorLike } from '../../lib/userErrors';
import { SecretReveal } from '../apikeys/SecretReveal';
import type { EventType } from '../../gql/graphql';
import { CreateWebhookEndpointMutation, RollWebhookEndpointSecretMutation, UpdateWebhookEndpointMutation, eventTypes } from './queries';

const secretHint = 'Verify every delivery with it (Backoffice-Signature); if you lose it, roll a new one.';

/** The outcome of a submitted form: userErrors placed on its fields, the rest above it. */
function useSubmitState<T extends Record<string, unknown>>(form: ReturnType<typeof useForm<T>>, fields: string[]) {
  const [general, setGeneral] = useState<string[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const settle = (error: Parameters<typeof refusalOf>[0], userErrors: readonly UserErrorLike[] | undefined, what: string) => {
    setSubmitting(false);
    if (error || !userErrors) {
      setGeneral([refusalOf(error) ?? what]);
      return false;
    }
    if (userErrors.length > 0) {
      const mapped = mapUserErrors(userErrors, fieldsNamed(fields));
      form.setErrors(mapped.fields);
      setGeneral(mapped.general);
      return false;
    }
    return true;
  };
  return { general, setGeneral, submitting, setSubmitting, settle };
}

interface EndpointValues extends Record<string, unknown> {
  companyId: string;
  url: string;
  eventTypes: string[];
}

/** Add an endpoint (endpoint null) or change one's URL and types; a new endpoint's secret is shown once. */
export function EndpointDialog({
  opened,
  onClose,
  companies,
  endpoint,
  onSaved,
}: {
  opened: boolean;
  onClose: () => void;
  companies: readonly { id: string; legalName: string }[];
  endpoint: { id: string; url: string; eventTypes: readonly string[] } | null;
  onSaved: () => void;
}) {
  const [, create] = useMutation(CreateWebhookEndpointMutation);
  const [, update] = useMutation(UpdateWebhookEndpointMutation);
  const [secret, setSecret] = useState<string | null>(null);
  const form = useForm<EndpointValues>({
    mode: 'controlled',
    initialValues: {
      companyId: companies.length === 1 ? (companies[0]?.id ?? '') : '',
      url: endpoint?.url ?? '',
      eventTypes: [...(endpoint?.eventTypes ?? [])],
    },
    validate: { url: isNotEmpty('The URL that receives the events'), companyId: (v) => (endpoint || v ? null : 'Choose the company') },
  });
  const state = useSubmitState(form, ['companyId', 'url', 'eventTypes']);
  const close = () => {
    form.reset();
    setSecret(null);
    state.setGeneral([]);
    onClose();
  };
  const submit = async (v: EndpointValues) => {
    state.setGeneral([]);
    state.setSubmitting(true);
    const types = v.eventTypes as EventType[];
    if (endpoint) {
      const r = await update({ input: { webhookEndpointId: endpoint.id, url: v.url.trim(), eventTypes: types } });
      if (state.settle(r.error, r.data?.updateWebhookEndpoint.userErrors, 'The endpoint was not changed')) {
        onSaved();
        close();
      }
      return;
    }
    const r = await create({ input: { companyId: v.companyId, url: v.url.trim(), eventTypes: types } });
    if (state.settle(r.error, r.data?.createWebhookEndpoint.userErrors, 'The endpoint was not added')) {
      setSecret(r.data?.createWebhookEndpoint.secret ?? null);
      onSaved();
    }
  };
  return (
    <Modal opened={opened} onClose={close} title={secret ? 'Your endpoint signing secret' : endpoint ? 'Edit endpoint' : 'Add an endpoint'} size="lg" centered>
      {secret ? (
        <SecretReveal secret={secret} onDone={close} noun="secret" hint={secretHint} testId="webhook-secret" />
      ) : (
        <form onSubmit={form.onSubmit((v) => void submit(v))} noValidate>
          <Stack gap="md">
            <RefusalAlert title={endpoint ? 'The endpoint was not changed' : 'The endpoint was not added'} messages={state.general} />
            {!endpoint && (
              <Select label="Company" data={companies.map((c) => ({ value: c.id, label: c.legalName }))} {...form.getInputProps('companyId')} />
            )}
            <TextInput label="URL" placeholder="https://shop.example/psp-events" data-autofocus {...form.getInputProps('url')} />
            <MultiSelect label="Event types" description="Leave empty for every type" placeholder="All types" data={[...eventTypes]} clearable {...form.getInputProps('eventTypes')} />
            <FormActions submitting={state.submitting} submitLabel={endpoint ? 'Save' : 'Add endpoint'} onCancel={close} />
          </Stack>
        </form>
      )}
    </Modal>
  );
}

interface RollValues extends Record<string, unknown> {
  expiresInHours: number;
}

/** Roll an endpoint's secret: the new one is shown once; the old one signs beside it for the overlap. */
export function RollSecretDialog({ endpointId, onClose, onRolled }: { endpointId: string | null; onClose: () => void; onRolled: () => void }) {
  const [, roll] = useMutation(RollWebhookEndpointSecretMutation);
  const [secret, setSecret] = useState<string | null>(null);
  const form = useForm<RollValues>({ mode: 'controlled', initialValues: { expiresInHours: 24 } });
  const state = useSubmitState(form, ['expiresInHours']);
  const close = () => {
    form.reset();
    setSecret(null);
    state.setGeneral([]);
    onClose();
  };
  const submit = async (v: RollValues) => {
    if (!endpointId) {
      return;
    }
    state.setSubmitting(true);
    const r = await roll({ input: { webhookEndpointId: endpointId, expiresInHours: v.expiresInHours } });
    if (state.settle(r.error, r.data?.rollWebhookEndpointSecret.userErrors, 'The secret was not rolled')) {
      setSecret(r.data?.rollWebhookEndpointSecret.secret ?? null);
      onRolled();
    }
  };
  return (
    <Modal opened={endpointId !== null} onClose={close} title={secret ? 'Your new signing secret' : 'Roll the signing secret'} size="lg" centered>
      {secret ? (
        <SecretReveal secret={secret} onDone={close} noun="secret" hint={secretHint} testId="webhook-secret" />
      ) : (
        <form onSubmit={form.onSubmit((v) => void submit(v))} noValidate>
          <Stack gap="md">
            <RefusalAlert title="The secret was not rolled" messages={state.general} />
            <NumberInput
              label="Old secret keeps signing for (hours)"
              description="During the overlap each delivery carries two v1= signatures; 0 stops the old one now"
              min={0}
              max={168}
              {...form.getInputProps('expiresInHours')}
            />
            <FormActions submitting={state.submitting} submitLabel="Roll secret" onCancel={close} />
          </Stack>
        </form>
      )}
    </Modal>
  );
}
