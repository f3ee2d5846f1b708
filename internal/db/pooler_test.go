package db

import (
	"encoding/json"
	"testing"
)

// TestTextJSON: ent's JSON values (json.RawMessage) go as text, bytes as bytes.
func TestTextJSON(t *testing.T) {
	in := []any{json.RawMessage(`{"a":1}`), []byte{0, 1}, "x", json.RawMessage(nil)}
	out := textJSON(in)
	if s, ok := out[0].(string); !ok || s != `{"a":1}` {
		t.Errorf("JSON: %#v", out[0])
	}
	if _, ok := out[1].([]byte); !ok {
		t.Errorf("bytes: %#v", out[1])
	}
	if _, ok := in[0].(json.RawMessage); !ok {
		t.Error("the caller's arguments were changed")
	}
	if out[3] != nil && out[3].(json.RawMessage) != nil {
		t.Errorf("NULL JSON: %#v", out[3])
	}
}
