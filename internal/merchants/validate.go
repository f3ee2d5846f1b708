package merchants

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// Bounds of free-text fields, so a typo cannot store a novel: the one table is
// internal/domain/text_limits.go.
const (
	maxNameLen   = domain.MaxNameLen
	maxIDLen     = domain.MaxRegistryIDLen
	maxURLLen    = domain.MaxURLLen
	maxReasonLen = domain.MaxReasonLen
)

// text trims a free-text field and checks it is present (when required) and not too long.
func (p *problems) text(field, value string, required bool, max int) string {
	v := strings.TrimSpace(value)
	switch {
	case v == "" && required:
		p.add([]string{field}, field+" is required")
	case utf8.RuneCountInString(v) > max:
		p.add([]string{field}, fmt.Sprintf("%s is longer than %d characters", field, max))
	}
	return v
}

// country checks an ISO 3166-1 alpha-2 code.
func (p *problems) country(field, value string) string {
	c, ok := NormalizeCountry(value)
	if !ok {
		p.add([]string{field}, fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 country code", value))
	}
	return c
}

// email checks an optional plain address ("a@b.c", no display name).
func (p *problems) email(field, value string) string {
	v := strings.TrimSpace(value)
	if v == "" {
		return ""
	}
	if domain.TooLong(v, domain.MaxEmailLen) {
		p.add([]string{field}, fmt.Sprintf("%s is longer than %d characters", field, domain.MaxEmailLen))
		return v
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@"):], ".") {
		p.add([]string{field}, fmt.Sprintf("%q is not an e-mail address", v))
	}
	return v
}

// webURL checks an optional absolute http or https URL.
func (p *problems) webURL(field, value string) string {
	v := strings.TrimSpace(value)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	switch {
	case len(v) > maxURLLen:
		p.add([]string{field}, fmt.Sprintf("%s is longer than %d characters", field, maxURLLen))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil:
		p.add([]string{field}, fmt.Sprintf("%q is not an http or https URL", v))
	}
	return v
}

// lang checks an ISO 639-1 language code (two lower-case letters).
func (p *problems) lang(field, value string) string {
	v := strings.ToLower(strings.TrimSpace(value))
	if len(v) != 2 || v[0] < 'a' || v[0] > 'z' || v[1] < 'a' || v[1] > 'z' {
		p.add([]string{field}, fmt.Sprintf("%q is not an ISO 639-1 language code (two letters)", value))
	}
	return v
}

// currency checks an ISO 4217 code this product knows; empty is EUR.
func (p *problems) currency(field, value string) string {
	if strings.TrimSpace(value) == "" {
		return "EUR"
	}
	c, err := money.NormalizeCurrency(value)
	if err != nil {
		p.add([]string{field}, fmt.Sprintf("%q is not a supported currency", value))
		return ""
	}
	return c
}

// amount parses a non-negative decimal amount in the currency; the field path may
// go into a list (fees.2.fixed).
func (p *problems) amount(field []string, value, currency string) (money.Money, bool) {
	if currency == "" { // the currency itself was refused; nothing to parse against
		return money.Money{}, false
	}
	m, err := money.Parse(strings.TrimSpace(value), currency)
	switch {
	case errors.Is(err, money.ErrTooManyDecimals):
		p.addCode(domain.CodeTooManyDecimals, field, fmt.Sprintf("%q has more decimals than %s has", value, currency))
	case err != nil:
		p.add(field, fmt.Sprintf("%q is not an amount", value))
	case m.IsNegative():
		p.add(field, "the amount must not be negative")
	default:
		return m, true
	}
	return money.Money{}, false
}
