/**
 * Countries offered in forms (ISO 3166-1 alpha-2): the EEA, Switzerland and
 * the UK, named in the browser's language by Intl.DisplayNames.
 */
const codes = [
  'AT', 'BE', 'BG', 'CH', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GB', 'GR', 'HR', 'HU', 'IE', 'IS', 'IT',
  'LI', 'LT', 'LU', 'LV', 'MT', 'NL', 'NO', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
];

function displayNames(): Intl.DisplayNames | undefined {
  try {
    return new Intl.DisplayNames(undefined, { type: 'region' });
  } catch {
    return undefined;
  }
}

let cached: { value: string; label: string }[] | undefined;

export function countryOptions(): { value: string; label: string }[] {
  cached ??= build();
  return cached;
}

function build(): { value: string; label: string }[] {
  const names = displayNames();
  return codes
    .map((code) => ({ value: code, label: `${names?.of(code) ?? code} (${code})` }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

export const languageOptions = [
  { value: 'en', label: 'English' },
  { value: 'de', label: 'German' },
  { value: 'et', label: 'Estonian' },
  { value: 'fr', label: 'French' },
  { value: 'nl', label: 'Dutch' },
  { value: 'fi', label: 'Finnish' },
];
