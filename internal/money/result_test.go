package money_test

import (
	"errors"
	"testing"
)

// wantResult checks one call's answer the way every table here wants it: with
// wantErr, an error that is wantErr (errors.Is); without, no error and want. call
// names the call in failures.
func wantResult[T comparable](t *testing.T, call string, got T, err error, want T, wantErr error) {
	t.Helper()
	if wantErr != nil {
		if !errors.Is(err, wantErr) {
			t.Fatalf("%s error = %v, want %v", call, err, wantErr)
		}
		return
	}
	if err != nil || got != want {
		t.Errorf("%s = %v, %v; want %v", call, got, err, want)
	}
}
