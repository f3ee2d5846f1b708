package audit_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/audit"
)

func TestRedactRemovesSecrets(t *testing.T) {
	in := map[string]any{
		"name":           "Shop integration",
		"password":       "hunter2-hunter2",
		"webhookSecret":  "whsec_123",
		"token":          "tok_abc",
		"apiKey":         "pk_test_x_y",
		"idempotencyKey": "retry-1",
		"code":           "abcde-12345",
		"iban":           "DE89 3704 0044 0532 0130 00",
		"fees":           []any{map[string]any{"clientSecret": "s", "percentBps": 290}},
	}
	out, _ := json.Marshal(audit.Redact(in))
	got := string(out)
	for _, secret := range []string{"hunter2", "whsec_123", "tok_abc", "pk_test_x_y", `"clientSecret":"s"`, "0532", "abcde-12345"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q left in %s", secret, got)
		}
	}
	for _, kept := range []string{"Shop integration", "retry-1", `"iban":"DE89`, `3000"`, `"percentBps":290`} {
		if !strings.Contains(got, kept) {
			t.Errorf("%q missing from %s", kept, got)
		}
	}
}

func TestObjectsFindsTheIDsOfAPayload(t *testing.T) {
	mid := "mer_1"
	payload := &struct {
		User       *ent.User
		Keys       []*ent.APIKey
		Secret     *string
		UserErrors []any
	}{
		User: &ent.User{ID: "usr_1", PspID: "psp_1", MerchantID: &mid},
		Keys: []*ent.APIKey{{ID: "key_1", PspID: "psp_1", MerchantID: "mer_1"}, {ID: "key_2"}},
	}
	var ids []string
	for _, o := range audit.Objects(payload) {
		ids = append(ids, o.ID)
	}
	if strings.Join(ids, ",") != "usr_1,key_1,key_2" {
		t.Fatalf("ids %v", ids)
	}
}
