import { Alert, Button, Grid, Group, Paper, SimpleGrid, Stack, Stepper, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useMutation, useQuery } from 'urql';
import { DetailList, EmptyState, LoadingBlock, PageHeader, QueryError, Section, StatusBadge } from '../../components/Page';
import { PlusIcon } from '../../components/icons';
import type { PayoutSchedule, ProductType, Weekday } from '../../gql/graphql';
import { labelOf, merchantStatus, productTypeLabels } from '../../lib/labels';
import type { UserErrorLike } from '../../lib/userErrors';
import { CompanyCard } from '../../shared/CompanyCard';
import { MerchantDetailQueryDocument, type MerchantDetail } from '../../shared/merchantDetail';
import { ActivationPanel } from './ActivationPanel';
import { Checklist, firstOpenStep } from './Checklist';
import { CompanyForm, companyValuesOf, type CompanyInputDraft } from './CompanyForm';
import { MerchantForm, type MerchantInputDraft } from './MerchantForm';
import { AddCompanyMutation, AddShopMutation, CreateMerchantMutation, UpdateCompanyMutation } from './mutations';
import { ShopForm, type ShopInputDraft } from './ShopForm';

const steps = ['Merchant', 'Companies', 'Shops', 'Activation', 'Review'] as const;

/** A failed request as a userError-like list, so forms show it in their alert. */
function topLevel(error: { graphQLErrors: readonly { message: string }[]; message: string } | undefined): UserErrorLike[] {
  return error ? [{ code: 'ERROR', field: null, message: error.graphQLErrors[0]?.message ?? error.message }] : [];
}

/** /merchants/new: the first step creates the merchant, then the wizard continues on its page. */
export function NewMerchantPage() {
  const navigate = useNavigate();
  const [, createMerchant] = useMutation(CreateMerchantMutation);
  const submit = async (input: MerchantInputDraft): Promise<readonly UserErrorLike[]> => {
    const result = await createMerchant({ input });
    const payload = result.data?.createMerchant;
    if (!payload) {
      return topLevel(result.error);
    }
    if (payload.userErrors.length === 0 && payload.merchant) {
      notifications.show({ color: 'green', title: 'Merchant created', message: `${payload.merchant.name}: now add its companies.` });
      await navigate(`/merchants/${payload.merchant.id}/onboarding?step=1`, { replace: true });
    }
    return payload.userErrors;
  };
  return (
    <>
      <PageHeader back={{ to: '/merchants', label: 'Merchants' }} title="Onboard a merchant" description="Five steps: the merchant, its companies, its shops, activation with the providers, and a final check." />
      <WizardFrame active={0} onStep={() => undefined} maxStep={0}>
        <Section title="The merchant" description="The trading name the PSP knows the merchant by">
          <MerchantForm onSubmit={submit} />
        </Section>
      </WizardFrame>
    </>
  );
}

function WizardFrame({
  active,
  onStep,
  maxStep,
  children,
  side,
}: {
  active: number;
  onStep: (step: number) => void;
  maxStep: number;
  children: React.ReactNode;
  side?: React.ReactNode;
}) {
  return (
    <Stack gap="lg">
      <Paper withBorder radius="md" px="lg" py="md">
        <Stepper active={active} onStepClick={onStep} allowNextStepsSelect={false} size="sm" iconSize={30}>
          {steps.map((label, index) => (
            <Stepper.Step key={label} label={label} allowStepSelect={index <= maxStep && index !== 0} />
          ))}
        </Stepper>
      </Paper>
      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, lg: side ? 8 : 12 }}>{children}</Grid.Col>
        {side && <Grid.Col span={{ base: 12, lg: 4 }}>{side}</Grid.Col>}
      </Grid>
    </Stack>
  );
}

function CompaniesStep({ merchant, onChanged, onNext }: { merchant: MerchantDetail; onChanged: () => void; onNext: () => void }) {
  const companies = merchant.companies ?? [];
  const [adding, setAdding] = useState(companies.length === 0);
  const [editing, setEditing] = useState<string | null>(null);
  const [, addCompany] = useMutation(AddCompanyMutation);
  const [, updateCompany] = useMutation(UpdateCompanyMutation);

  const update = (companyId: string) => async (draft: CompanyInputDraft): Promise<readonly UserErrorLike[]> => {
    const result = await updateCompany({
      input: {
        companyId,
        legalName: draft.legalName,
        country: draft.country,
        // "" clears an optional text (graph/merchants.graphqls).
        registrationNumber: draft.registrationNumber ?? '',
        vatId: draft.vatId ?? '',
        iban: draft.iban,
        payoutSchedule: draft.payoutSchedule as PayoutSchedule,
        payoutWeekdays: (draft.payoutWeekdays ?? []) as Weekday[],
        payNowDelayDays: draft.payNowDelayDays,
        payLaterDelayDays: draft.payLaterDelayDays,
        fees: draft.fees.map((f) => ({ ...f, productType: f.productType as ProductType })),
      },
    });
    const payload = result.data?.updateCompany;
    if (!payload) {
      return topLevel(result.error);
    }
    if (payload.userErrors.length === 0) {
      notifications.show({ color: 'green', title: 'Company saved', message: payload.company?.legalName ?? '' });
      setEditing(null);
      onChanged();
    }
    return payload.userErrors;
  };
  useEffect(() => {
    if (companies.length === 0) {
      setAdding(true);
    }
  }, [companies.length]);

  const submit = async (draft: CompanyInputDraft): Promise<readonly UserErrorLike[]> => {
    const result = await addCompany({
      input: {
        ...draft,
        merchantId: merchant.id,
        payoutSchedule: draft.payoutSchedule as PayoutSchedule,
        payoutWeekdays: draft.payoutWeekdays as Weekday[] | null,
        fees: draft.fees.map((f) => ({ ...f, productType: f.productType as ProductType })),
      },
    });
    const payload = result.data?.addCompany;
    if (!payload) {
      return topLevel(result.error);
    }
    if (payload.userErrors.length === 0) {
      notifications.show({ color: 'green', title: 'Company added', message: payload.company?.legalName ?? '' });
      setAdding(false);
      onChanged();
    }
    return payload.userErrors;
  };

  return (
    <Stack gap="md">
      {companies.map((company) =>
        editing === company.id ? (
          <Section key={company.id} title={`Correct ${company.legalName}`} description="Then activate it again with a provider that rejected it">
            <CompanyForm initial={companyValuesOf(company)} onSubmit={update(company.id)} onCancel={() => setEditing(null)} submitLabel="Save company" />
          </Section>
        ) : (
          <CompanyCard
            key={company.id}
            company={company}
            actions={
              <Button size="xs" variant="default" onClick={() => setEditing(company.id)} aria-label={`Edit ${company.legalName}`}>
                Edit
              </Button>
            }
          />
        ),
      )}
      {adding ? (
        <Section title="Add a company" description="A legal entity of the merchant: it is what gets settled and paid out">
          <CompanyForm defaultCountry={merchant.country} onSubmit={submit} onCancel={companies.length > 0 ? () => setAdding(false) : undefined} />
        </Section>
      ) : (
        <Group justify="space-between">
          <Button variant="default" leftSection={<PlusIcon size={16} />} onClick={() => setAdding(true)}>
            Add another company
          </Button>
          <Button onClick={onNext} disabled={companies.length === 0}>
            Continue to shops
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function ShopsStep({ merchant, onChanged, onNext }: { merchant: MerchantDetail; onChanged: () => void; onNext: () => void }) {
  const shops = merchant.shops ?? [];
  const [adding, setAdding] = useState(shops.length === 0);
  const [, addShop] = useMutation(AddShopMutation);

  const submit = async (draft: ShopInputDraft): Promise<readonly UserErrorLike[]> => {
    const result = await addShop({ input: { ...draft, merchantId: merchant.id, productTypes: draft.productTypes as ProductType[] } });
    const payload = result.data?.addShop;
    if (!payload) {
      return topLevel(result.error);
    }
    if (payload.userErrors.length === 0) {
      notifications.show({ color: 'green', title: 'Shop added', message: payload.shop?.name ?? '' });
      setAdding(false);
      onChanged();
    }
    return payload.userErrors;
  };

  return (
    <Stack gap="md">
      {shops.length > 0 && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {shops.map((shop) => (
            <Section key={shop.id} title={shop.name} description={shop.url ?? undefined}>
              <DetailList
                items={[
                  { label: 'Language', value: shop.defaultLang },
                  { label: 'Products', value: shop.productTypes.map((p) => labelOf(productTypeLabels, p)).join(', ') },
                ]}
              />
            </Section>
          ))}
        </SimpleGrid>
      )}
      {adding ? (
        <Section title="Add a shop" description="Where the merchant's orders come from">
          <ShopForm onSubmit={submit} onCancel={shops.length > 0 ? () => setAdding(false) : undefined} />
        </Section>
      ) : (
        <Group justify="space-between">
          <Button variant="default" leftSection={<PlusIcon size={16} />} onClick={() => setAdding(true)}>
            Add another shop
          </Button>
          <Button onClick={onNext} disabled={shops.length === 0}>
            Continue to activation
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function ActivationStep({ merchant, onChanged, onNext }: { merchant: MerchantDetail; onChanged: () => void; onNext: () => void }) {
  const companies = merchant.companies ?? [];
  if (companies.length === 0) {
    return (
      <Section>
        <EmptyState title="Add a company first" description="Providers activate a company, the legal entity they pay out to." />
      </Section>
    );
  }
  const anyActive = companies.some((c) => (c.activations ?? []).some((a) => a.status === 'ACTIVE'));
  return (
    <Stack gap="md">
      {companies.map((company) => (
        <Section key={company.id} title={company.legalName} description="Activate the company with the providers it will take payments through" padded={false}>
          <ActivationPanel company={company} onChanged={onChanged} />
        </Section>
      ))}
      <Group justify="flex-end">
        <Button onClick={onNext} variant={anyActive ? 'filled' : 'default'}>
          Continue to review
        </Button>
      </Group>
    </Stack>
  );
}

function ReviewStep({ merchant }: { merchant: MerchantDetail }) {
  const blocking = merchant.checklist.filter((item) => !item.done && item.blocking);
  return (
    <Section title="Review">
      <Stack gap="md">
        {merchant.status === 'ACTIVE' ? (
          <Alert color="green" title={`${merchant.name} is active`}>
            It can take payments. Invite its first user from the merchant page so they can create API keys.
          </Alert>
        ) : blocking.length > 0 ? (
          <Alert color="orange" title={`${blocking.length} step${blocking.length === 1 ? '' : 's'} left before ${merchant.name} can take payments`}>
            The checklist shows what is missing.
          </Alert>
        ) : (
          <Alert color="blue" title={`${merchant.name} is ${labelOf({ ONBOARDING: 'onboarding', SUSPENDED: 'suspended' }, merchant.status)}`} />
        )}
        <Group>
          <Button component={Link} to={`/merchants/${merchant.id}`}>
            Open the merchant
          </Button>
          <Button component={Link} to={`/merchants/${merchant.id}?tab=users`} variant="default">
            Invite users
          </Button>
        </Group>
      </Stack>
    </Section>
  );
}

/** /merchants/:id/onboarding: the wizard for an existing merchant, opened at the first open step of its checklist. */
export function OnboardingPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const [result, reexecute] = useQuery({ query: MerchantDetailQueryDocument, variables: { id } });
  const merchant = result.data?.node?.__typename === 'Merchant' ? result.data.node : undefined;
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  // Live status: while a provider reviews an activation, ask again every 2 seconds.
  const pending = (merchant?.companies ?? []).some((c) => (c.activations ?? []).some((a) => a.status === 'PENDING'));
  useEffect(() => {
    if (!pending) {
      return undefined;
    }
    const timer = setInterval(() => reexecute({ requestPolicy: 'network-only' }), 2000);
    return () => clearInterval(timer);
  }, [pending, reexecute]);

  if (result.error) {
    return <QueryError error={result.error} what="the merchant" />;
  }
  if (!merchant) {
    return result.fetching || !result.data ? <LoadingBlock label="Loading the merchant" /> : <EmptyState title="There is no such merchant" />;
  }

  const stepParam = Number(params.get('step'));
  const active = stepParam >= 1 && stepParam <= 4 ? stepParam : firstOpenStep(merchant.checklist);
  const go = (step: number) => {
    const next = new URLSearchParams(params);
    next.set('step', String(step));
    setParams(next, { replace: true });
  };

  return (
    <>
      <PageHeader
        back={{ to: `/merchants/${merchant.id}`, label: merchant.name }}
        title={`Onboarding ${merchant.name}`}
        badges={<StatusBadge styles={merchantStatus} value={merchant.status} size="md" />}
        description="Companies, shops and provider activation. The checklist tracks what is still missing."
      />
      <WizardFrame
        active={active}
        onStep={go}
        maxStep={4}
        side={
          <Paper withBorder radius="md" p="md">
            <Title order={3} fz="md" fw={600} mb="sm">
              Checklist
            </Title>
            <Checklist items={merchant.checklist} />
            <Text size="xs" c="dimmed" mt="md">
              The merchant becomes active once every required step is done.
            </Text>
          </Paper>
        }
      >
        {active === 1 && <CompaniesStep merchant={merchant} onChanged={refresh} onNext={() => go(2)} />}
        {active === 2 && <ShopsStep merchant={merchant} onChanged={refresh} onNext={() => go(3)} />}
        {active === 3 && <ActivationStep merchant={merchant} onChanged={refresh} onNext={() => go(4)} />}
        {active === 4 && <ReviewStep merchant={merchant} />}
      </WizardFrame>
    </>
  );
}
