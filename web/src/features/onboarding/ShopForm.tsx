import { Checkbox, Grid, Select, Stack, TextInput } from '@mantine/core';
import { isNotEmpty, useForm } from '@mantine/form';
import { languageOptions } from '../../lib/countries';
import { productTypeLabels } from '../../lib/labels';
import { useGuardedSubmit } from '../../lib/guardedSubmit';
import { fieldsNamed, mapUserErrors, type UserErrorLike } from '../../lib/userErrors';
import { FormActions } from '../../components/FormActions';
import { RefusalAlert } from '../../components/RefusalAlert';

export interface ShopValues {
  name: string;
  url: string;
  defaultLang: string;
  productTypes: string[];
}

/** AddShopInput without merchantId. */
export interface ShopInputDraft {
  name: string;
  url: string | null;
  defaultLang: string | null;
  productTypes: string[];
}

export function shopInputOf(values: ShopValues): ShopInputDraft {
  return {
    name: values.name.trim(),
    url: values.url.trim() || null,
    defaultLang: values.defaultLang || null,
    productTypes: values.productTypes,
  };
}

const urlProblem = (value: string) => {
  if (value.trim() === '') {
    return null;
  }
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'Enter the shop’s web address, e.g. https://shop.example';
  } catch {
    return 'Enter the shop’s web address, e.g. https://shop.example';
  }
};

/** A shop of a merchant: where orders come from, and which product types it offers. */
export function ShopForm({
  onSubmit,
  onCancel,
  defaultLang = 'en',
}: {
  onSubmit: (input: ShopInputDraft) => Promise<readonly UserErrorLike[]>;
  onCancel?: () => void;
  defaultLang?: string;
}) {
  const { general, setGeneral, submitting, guard } = useGuardedSubmit();
  const form = useForm<ShopValues>({
    mode: 'controlled',
    initialValues: { name: '', url: '', defaultLang, productTypes: ['PAY_NOW_CARD', 'INVOICE'] },
    validate: {
      name: isNotEmpty('Name the shop'),
      url: urlProblem,
      productTypes: (value) => (value.length === 0 ? 'Offer at least one product type' : null),
    },
  });

  const submit = (values: ShopValues) =>
    guard(async () => {
    const errors = await onSubmit(shopInputOf(values));
    if (errors.length > 0) {
      const mapped = mapUserErrors(errors, fieldsNamed(['name', 'url', 'defaultLang', 'productTypes']));
      form.setErrors(mapped.fields);
      setGeneral(mapped.general);
    } else {
      form.reset();
    }
    });

  return (
    <form onSubmit={form.onSubmit((v) => void submit(v))} noValidate>
      <Stack gap="md">
        <RefusalAlert title="The shop was not added" messages={general} />
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 6 }}>
            <TextInput label="Shop name" placeholder="Bergmann B2B" withAsterisk {...form.getInputProps('name')} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <TextInput label="Web address" placeholder="https://shop.example" {...form.getInputProps('url')} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Select
              label="Payment page language"
              description="Used when an order does not name one"
              data={languageOptions}
              allowDeselect={false}
              {...form.getInputProps('defaultLang')}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Checkbox.Group label="Product types offered" withAsterisk {...form.getInputProps('productTypes')}>
              <Stack gap={6} mt={6}>
                {Object.entries(productTypeLabels).map(([value, label]) => (
                  <Checkbox key={value} value={value} label={label} />
                ))}
              </Stack>
            </Checkbox.Group>
          </Grid.Col>
        </Grid>
        <FormActions submitting={submitting} submitLabel="Add shop" onCancel={onCancel} />
      </Stack>
    </form>
  );
}
