import { Grid, Select, Stack, TextInput } from '@mantine/core';
import { isEmail, isNotEmpty, useForm } from '@mantine/form';
import { countryOptions } from '../../lib/countries';
import { useGuardedSubmit } from '../../lib/guardedSubmit';
import { fieldsNamed, mapUserErrors, type UserErrorLike } from '../../lib/userErrors';
import { FormActions } from '../../components/FormActions';
import { RefusalAlert } from '../../components/RefusalAlert';

export interface MerchantInputDraft {
  name: string;
  country: string;
  email: string | null;
}

/** The first step of onboarding: who the merchant is. */
export function MerchantForm({
  onSubmit,
  initial,
  submitLabel = 'Create merchant',
}: {
  onSubmit: (input: MerchantInputDraft) => Promise<readonly UserErrorLike[]>;
  initial?: Partial<MerchantInputDraft>;
  submitLabel?: string;
}) {
  const { general, setGeneral, submitting, guard } = useGuardedSubmit();
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: initial?.name ?? '', country: initial?.country ?? '', email: initial?.email ?? '' },
    validate: {
      name: isNotEmpty('Enter the merchant’s trading name'),
      country: isNotEmpty('Choose the country'),
      email: (value: string) => (value.trim() === '' ? null : isEmail('Enter an email address')(value)),
    },
  });

  const submit = (values: { name: string; country: string; email: string }) =>
    guard(async () => {
    const errors = await onSubmit({ name: values.name.trim(), country: values.country, email: values.email.trim() || null });
    const mapped = mapUserErrors(errors, fieldsNamed(['name', 'country', 'email']));
    form.setErrors(mapped.fields);
    setGeneral(mapped.general);
    });

  return (
    <form onSubmit={form.onSubmit((v) => void submit(v))} noValidate>
      <Stack gap="md">
        <RefusalAlert title="The merchant was not saved" messages={general} />
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 8 }}>
            <TextInput label="Trading name" placeholder="Bergmann Bürobedarf" withAsterisk data-autofocus autoFocus {...form.getInputProps('name')} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Select label="Country" data={countryOptions()} searchable withAsterisk {...form.getInputProps('country')} />
          </Grid.Col>
          <Grid.Col span={12}>
            <TextInput label="Contact email" type="email" placeholder="finance@merchant.example" {...form.getInputProps('email')} />
          </Grid.Col>
        </Grid>
        <FormActions submitting={submitting} submitLabel={submitLabel} />
      </Stack>
    </form>
  );
}
