import { Group, Modal, MultiSelect, Select, Stack, TextInput } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { isNotEmpty, useForm } from '@mantine/form';
import { useState } from 'react';
import { useMutation } from 'urql';
import { addDays, startOfDay, today } from '../../lib/dates';
import { fieldsNamed, mapUserErrors, refusalOf } from '../../lib/userErrors';
import { CreateApiKeyMutation } from './queries';
import { SecretReveal } from './SecretReveal';
import { FormActions } from '../../components/FormActions';
import { RefusalAlert } from '../../components/RefusalAlert';

export const scopeOptions = [
  { value: 'orders:read', label: 'orders:read — read orders' },
  { value: 'orders:write', label: 'orders:write — create and fulfil orders' },
  { value: 'refunds:write', label: 'refunds:write — refund orders' },
  { value: 'settlements:read', label: 'settlements:read — read settlements' },
];

interface CreateValues {
  name: string;
  companyId: string;
  shopId: string;
  scopes: string[];
  expiresOn: string | null;
}

export function CreateKeyDialog({
  opened,
  onClose,
  companies,
  shops,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  companies: readonly { id: string; legalName: string }[];
  shops: readonly { id: string; name: string }[];
  onCreated: () => void;
}) {
  const [, createKey] = useMutation(CreateApiKeyMutation);
  const [secret, setSecret] = useState<string | null>(null);
  const [general, setGeneral] = useState<string[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const form = useForm<CreateValues>({
    mode: 'controlled',
    initialValues: {
      name: '',
      companyId: companies.length === 1 ? (companies[0]?.id ?? '') : '',
      shopId: shops.length === 1 ? (shops[0]?.id ?? '') : '',
      scopes: [],
      expiresOn: null,
    },
    validate: {
      name: isNotEmpty('Name the key, e.g. after the system that uses it'),
      companyId: isNotEmpty('Choose the company'),
      shopId: isNotEmpty('Choose the shop'),
    },
  });

  const close = () => {
    form.reset();
    setSecret(null);
    setGeneral([]);
    onClose();
  };

  const submit = async (values: CreateValues) => {
    setGeneral([]);
    setSubmitting(true);
    const result = await createKey({
      input: {
        name: values.name.trim(),
        companyId: values.companyId,
        shopId: values.shopId,
        scopes: values.scopes.length > 0 ? values.scopes : null,
        expiresAt: values.expiresOn ? startOfDay(values.expiresOn) : null,
      },
    });
    setSubmitting(false);
    const payload = result.data?.createApiKey;
    if (result.error || !payload) {
      setGeneral([refusalOf(result.error) ?? 'The key was not created']);
      return;
    }
    if (payload.userErrors.length > 0) {
      const mapped = mapUserErrors(payload.userErrors, fieldsNamed(['name', 'companyId', 'shopId', 'scopes', 'expiresAt']));
      if (mapped.fields['expiresAt']) {
        mapped.fields['expiresOn'] = mapped.fields['expiresAt'];
      }
      form.setErrors(mapped.fields);
      setGeneral(mapped.general);
      return;
    }
    setSecret(payload.secret ?? null);
    onCreated();
  };

  return (
    <Modal opened={opened} onClose={close} title={secret ? 'Your new API key' : 'Create an API key'} size="lg" centered closeOnClickOutside={!secret}>
      {secret ? (
        <SecretReveal secret={secret} onDone={close} />
      ) : (
        <form onSubmit={form.onSubmit((v) => void submit(v))} noValidate>
          <Stack gap="md">
            <RefusalAlert title="The key was not created" messages={general} />
            <TextInput label="Name" placeholder="e.g. Shopware production" data-autofocus {...form.getInputProps('name')} />
            <Group grow align="flex-start">
              <Select
                label="Company"
                description="Orders are settled to this company"
                data={companies.map((c) => ({ value: c.id, label: c.legalName }))}
                {...form.getInputProps('companyId')}
              />
              <Select label="Shop" description="Orders are created in this shop" data={shops.map((s) => ({ value: s.id, label: s.name }))} {...form.getInputProps('shopId')} />
            </Group>
            <MultiSelect
              label="Scopes"
              description="Leave empty for orders:read only; pick every scope the shop needs"
              data={scopeOptions}
              placeholder="orders:read"
              clearable
              {...form.getInputProps('scopes')}
            />
            <DatePickerInput
              label="Expires on"
              description="Leave empty for a key that does not expire"
              placeholder="Never"
              minDate={addDays(today(), 1)}
              clearable
              valueFormat="D MMM YYYY"
              {...form.getInputProps('expiresOn')}
            />
            <FormActions submitting={submitting} submitLabel="Create key" onCancel={close} />
          </Stack>
        </form>
      )}
    </Modal>
  );
}
