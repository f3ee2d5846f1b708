package config_test

import (
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/config"
	"github.com/pspbackoffice/backoffice/internal/limits"
)

// TestThrottleSettings: API_KEY_THROTTLE and SESSION_THROTTLE read MAX/RATE, default
// when unset, and refuse anything else with a message naming the variable.
func TestThrottleSettings(t *testing.T) {
	t.Setenv("BACKOFFICE_SECRET", strings.Repeat("s", 32))
	for _, c := range []struct {
		value string
		want  limits.Budget
		err   bool
	}{
		{"", config.DefaultAPIKeyThrottle, false},
		{"500000/2000", limits.Budget{Max: 500000, Restore: 2000}, false},
		{" 300000 / 10 ", limits.Budget{Max: 300000, Restore: 10}, false},
		{"500000", limits.Budget{}, true},
		{"500000/0", limits.Budget{}, true},
		{"0/10", limits.Budget{}, true},
		{"-5/10", limits.Budget{}, true},
		{"2000000000/1", limits.Budget{}, true},
		{"lots/fast", limits.Budget{}, true},
	} {
		t.Setenv("API_KEY_THROTTLE", c.value)
		cfg, err := config.FromEnv()
		if c.err {
			if err == nil || !strings.Contains(err.Error(), "API_KEY_THROTTLE") {
				t.Errorf("%q: error %v, want one naming API_KEY_THROTTLE", c.value, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.value, err)
		}
		if key, session := cfg.Throttles(); key != c.want || session != config.DefaultSessionThrottle {
			t.Errorf("%q: %+v and %+v, want %+v and the session default", c.value, key, session, c.want)
		}
	}
}
