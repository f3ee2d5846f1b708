package billwerk

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// ErrBadVAT: a VAT fraction is not a plain decimal between 0 and 1 with at most 4 decimals.
var ErrBadVAT = errors.New("billwerk: bad vat fraction")

// vatFraction writes basis points as Reepay's VAT fraction: 1900 → "0.19", 725 → "0.0725".
// Zero is omitted. Done in text so the rate never becomes a float.
func vatFraction(bps int64) json.Number {
	if bps <= 0 {
		return ""
	}
	s := strconv.FormatInt(bps/10000, 10) + "." + strings.TrimRight(strconv.FormatInt(10000+bps%10000, 10)[1:], "0")
	return json.Number(strings.TrimSuffix(s, "."))
}

// vatBps reads a VAT fraction ("0.25", "0.0725", "0") back into basis points.
func vatBps(n json.Number) (int64, error) {
	s := string(n)
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 4 || strings.ContainsAny(s, "eE+-") {
		return 0, ErrBadVAT
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1 {
		return 0, ErrBadVAT
	}
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt(frac+strings.Repeat("0", 4-len(frac)), 10, 64); err != nil {
			return 0, ErrBadVAT
		}
	}
	bps := w*10000 + f
	if bps > 10000 {
		return 0, ErrBadVAT
	}
	return bps, nil
}
