/**
 * IBAN checks for immediate feedback in forms (ISO 13616: country, check
 * digits, mod-97). The server validates again; this only spares a round trip.
 */

/** Without spaces, upper case: "de89 3704…" → "DE893704…". */
export function compactIban(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase();
}

export function ibanProblem(text: string): string | null {
  const iban = compactIban(text);
  if (iban === '') {
    return 'Enter the IBAN';
  }
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) {
    return 'An IBAN starts with the country code and two check digits, e.g. DE89 3704 0044 0532 0130 00';
  }
  // Move the first four characters to the end, letters to numbers (A=10 … Z=35),
  // and take the remainder modulo 97 piece by piece (no big numbers needed).
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const digits = /[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of digits) {
      remainder = (remainder * 10 + Number(digit)) % 97;
    }
  }
  return remainder === 1 ? null : 'This IBAN has a typo: its check digits do not match';
}

/** "DE89370400440532013000" → "DE89 3704 0044 0532 0130 00". */
export function formatIban(iban: string): string {
  return compactIban(iban).replace(/(.{4})(?=.)/g, '$1 ');
}
