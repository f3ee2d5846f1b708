package domain

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Bounds of the text fields of every mutation input, in one place, so a 1 MiB name
// is a user error on its field and never reaches the database or a provider. Counted
// in characters (runes). Checked by the validators of internal/psp (orders),
// internal/merchants (merchants, companies, shops, users, API keys) and
// internal/idempotency (keys); docs/input-bounds.md lists them.
const (
	MaxNameLen        = 200  // people, merchants, companies, shops, items, API keys
	MaxEmailLen       = 254  // RFC 5321's path limit
	MaxPhoneLen       = 16   // E.164: + and 15 digits
	MaxReferenceLen   = 100  // the merchant's order reference
	MaxSKULen         = 100  // an item's sku
	MaxStreetLen      = 200  // an address line
	MaxCityLen        = 100  //
	MaxPostalCodeLen  = 20   //
	MaxURLLen         = 2000 // success, failed, callback and shop URLs
	MaxRegistryIDLen  = 64   // registration numbers, VAT ids
	MaxReasonLen      = 1000 // a suspension reason (a refund reason: psp.MaxReasonLength, 500)
	MaxDecimalTextLen = 40   // an amount, unit price or rate as written
	MaxCredentialLen  = 1000 // a provider account's username, password or webhook secret
)

// CheckText trims value and adds a problem on field when it is required and empty
// or longer than max characters. The message names the field and the bound, never
// echoes the value.
func CheckText(r *Refusal, field []string, label, value string, required bool, max int) string {
	v := strings.TrimSpace(value)
	switch {
	case v == "" && required:
		r.Add(CodeValidation, field, label+" is required")
	case utf8.RuneCountInString(v) > max:
		r.Add(CodeValidation, field, fmt.Sprintf("%s is longer than %d characters", label, max))
	}
	return v
}

// TooLong tells whether s has more than max characters.
func TooLong(s string, max int) bool { return len(s) > max && utf8.RuneCountInString(s) > max }

// AbsoluteHTTP tells whether s is an absolute http:// or https:// URL with a host: the
// shape of every URL a user gives (shopper return pages, callbacks, webhook endpoints).
func AbsoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
